//! Sign-in timing: a wrong password, an unknown e-mail and the right password, each timed over
//! real HTTP against a server on a temp SQLite database, interleaved so that the machine's
//! drift affects all three alike. The first two must take the same time (no account
//! enumeration by timing); the medians are printed side by side.
//!
//! cargo bench --bench login
//! KETNOI_BENCH_ROUNDS=40 cargo bench --bench login

use std::sync::Arc;
use std::time::{Duration, Instant};

use ketnoi_app::{Indexer, Limit};
use ketnoi_domain::validate::Email;
use ketnoi_server::auth::AuthConfig;
use ketnoi_server::{AppState, Server};
use ketnoi_store::{NewUser, Role, Store};

const PASSWORD: &str = "correct horse battery staple";

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    if std::env::args().any(|arg| arg == "--list") {
        return Ok(());
    }
    let rounds: usize = std::env::var("KETNOI_BENCH_ROUNDS").ok().and_then(|v| v.parse().ok()).unwrap_or(20);
    let dir = tempfile::tempdir()?;
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(async {
        let store = Store::connect(&ketnoi_store::sqlite_file_url(&dir.path().join("bench.db"))).await?;
        store.migrate().await?;
        let event = store
            .create_event(&ketnoi_store::NewEvent::from_slug(ketnoi_domain::event::EventSlug::parse("bench-login")?))
            .await?;
        let user = NewUser {
            email: Email::parse("member@bench.vn")?,
            display_name: "bench".to_owned(),
            password: PASSWORD.to_owned(),
            role: Role::Organiser,
            organization_id: None,
            event_id: Some(event.id),
            email_consent: false,
        };
        store.upsert_user(&user).await?;
        let indexer = Arc::new(Indexer::open(store.clone(), &dir.path().join("index"), &|_| {}).await?);
        // Limits out of the way: this measures the work of a sign-in, not the limiter.
        let mut auth = AuthConfig::default();
        let open = Limit { max: usize::MAX, window: Duration::from_secs(1) };
        auth.settings.limits.login_per_account = open;
        auth.settings.limits.login_per_address = open;
        let server = Server::bind("127.0.0.1:0".parse()?, AppState::with_auth(store, indexer, auth)).await?;
        let base = format!("http://{}/api/v1/auth/login", server.local_addr()?);
        tokio::spawn(server.run(std::future::pending()));
        let client = reqwest::Client::new();
        let attempt = |email: &'static str, password: &'static str| {
            let request = client.post(&base).json(&serde_json::json!({"email": email, "password": password}));
            async move {
                let started = Instant::now();
                let status = request.send().await.expect("request").status().as_u16();
                (status, started.elapsed())
            }
        };
        attempt("warm@bench.vn", "warm up").await;
        let cases = [
            ("wrong password", "member@bench.vn", "not the password", 401),
            ("unknown e-mail", "nobody@bench.vn", "not the password", 401),
            ("right password", "member@bench.vn", PASSWORD, 200),
        ];
        let mut samples = vec![Vec::new(); cases.len()];
        for _ in 0..rounds {
            for (index, (_, email, password, want)) in cases.iter().enumerate() {
                let (status, took) = attempt(email, password).await;
                assert_eq!(status, *want, "{email}");
                samples[index].push(took);
            }
        }
        println!("sign-in over HTTP, {rounds} rounds, median per attempt:");
        for ((name, ..), times) in cases.iter().zip(samples) {
            println!("  {name:<15} {:>8.1} ms", median(times).as_secs_f64() * 1000.0);
        }
        Ok::<_, Box<dyn std::error::Error>>(())
    })
}
