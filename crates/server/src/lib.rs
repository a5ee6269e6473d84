//! ketnoi's HTTP service: the only crate that knows axum. Builds the application once, for
//! `main` and for tests alike; the listener is bound before serving so its port is known.

mod error;
mod events;
mod home;
pub mod indexer;
mod organizations;
mod params;
pub mod recommendations;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use ketnoi_store::Store;

use crate::indexer::Indexer;
use tokio::net::TcpListener;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

pub use error::ApiError;

/// The largest request body accepted.
pub const BODY_LIMIT_BYTES: usize = 1024 * 1024;

const CONTENT_SECURITY_POLICY: HeaderValue = HeaderValue::from_static(
    "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
);
const NOSNIFF: HeaderValue = HeaderValue::from_static("nosniff");
const NO_REFERRER: HeaderValue = HeaderValue::from_static("no-referrer");

/// What every handler can reach; cheap to clone.
#[derive(Debug, Clone)]
pub struct AppState {
    inner: Arc<App>,
}

#[derive(Debug)]
pub struct App {
    pub store: Store,
    pub indexer: Arc<Indexer>,
}

impl std::ops::Deref for AppState {
    type Target = App;
    fn deref(&self) -> &App {
        &self.inner
    }
}

impl AppState {
    pub fn new(store: Store, indexer: Arc<Indexer>) -> Self {
        AppState { inner: Arc::new(App { store, indexer }) }
    }
}

/// Every route of the service.
pub fn router(state: AppState) -> Router {
    let api = Router::new()
        .route("/organizations", get(organizations::list))
        .route("/organizations/{id}", get(organizations::get))
        .route("/organizations/{id}/recommendations", get(recommendations::get))
        .route("/events/{slug}", get(events::get))
        .fallback(not_found);
    Router::new()
        .route("/", get(home::page))
        .route("/healthz", get(healthz))
        .nest("/api/v1", api)
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(RequestBodyLimitLayer::new(BODY_LIMIT_BYTES))
        // Outside the limit, so that its 413 gets our problem+json.
        .layer(axum::middleware::map_response(problem_for_bare_errors))
        // Every response: nothing loaded or framed from elsewhere, no MIME sniffing, no referrer.
        .layer(SetResponseHeaderLayer::if_not_present(header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY))
        .layer(SetResponseHeaderLayer::if_not_present(header::X_CONTENT_TYPE_OPTIONS, NOSNIFF))
        .layer(SetResponseHeaderLayer::if_not_present(header::REFERRER_POLICY, NO_REFERRER))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// Errors made by layers (a body over the limit: 413) in the problem+json of every other error.
async fn problem_for_bare_errors(response: Response) -> Response {
    let is_problem = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|value| value.as_bytes().starts_with(b"application/problem+json"));
    if response.status() == StatusCode::PAYLOAD_TOO_LARGE && !is_problem {
        return ApiError::too_large(BODY_LIMIT_BYTES).into_response();
    }
    response
}

async fn not_found() -> ApiError {
    ApiError::not_found("page")
}

async fn method_not_allowed() -> Response {
    let mut response = ApiError::bad_request("this method is not allowed on this path").into_response();
    *response.status_mut() = StatusCode::METHOD_NOT_ALLOWED;
    response
}

/// `GET /healthz`: 200 when the database answers and the index can be searched, 503 otherwise.
async fn healthz(State(state): State<AppState>) -> Result<&'static str, ApiError> {
    state.store.ping().await?;
    let index = Arc::clone(state.indexer.index());
    let probe = ketnoi_search::SearchQuery { text: "healthz", limit: 1, ..Default::default() };
    match tokio::task::spawn_blocking(move || index.search(&probe)).await {
        Ok(Ok(_)) => Ok("ok\n"),
        failed => {
            tracing::error!(?failed, "search index unusable");
            Err(ApiError::unavailable("the search index is not available"))
        }
    }
}

/// A bound listener and the application, ready to serve.
#[derive(Debug)]
pub struct Server {
    listener: TcpListener,
    state: AppState,
}

impl Server {
    /// Binds `address` (port 0 picks a free port).
    pub async fn bind(address: SocketAddr, state: AppState) -> std::io::Result<Server> {
        Ok(Server { listener: TcpListener::bind(address).await?, state })
    }

    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Serves until `shutdown` completes, then finishes the requests in flight.
    pub async fn run(self, shutdown: impl Future<Output = ()> + Send + 'static) -> std::io::Result<()> {
        axum::serve(self.listener, router(self.state)).with_graceful_shutdown(shutdown).await
    }
}
