//! The baseline of `just load`: axum answering "Hello, World!" on the same runtime settings as
//! `ketnoi serve` (tokio's multi-threaded runtime, one worker a core), so that the load
//! command can say what ketnoi's pages cost against what a request costs at all on this
//! machine.
//!
//! cargo run --release --example bare_axum -- 127.0.0.1:18081

use axum::Router;
use axum::routing::get;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let address = std::env::args().nth(1).unwrap_or_else(|| "127.0.0.1:18081".to_owned());
    let listener = tokio::net::TcpListener::bind(&address).await?;
    println!("bare axum on http://{}/", listener.local_addr()?);
    let app = Router::new().route("/", get(|| async { "Hello, World!" }));
    axum::serve(listener, app).await?;
    Ok(())
}
