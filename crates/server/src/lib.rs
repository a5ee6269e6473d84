//! ketnoi's HTTP service: the only crate that knows axum. Two adapters over the use cases of
//! `ketnoi-app`: the JSON API (`/api/v1`) and the web pages (`web`). Neither calls the other.
//! Builds the application once, for `main` and for tests alike; the listener is bound before
//! serving so its port is known.

mod accounts;
pub mod auth;
mod error;
mod events;
mod feed;
mod json;
mod live;
mod meet_now;
mod meetings;
pub mod observe;
mod openapi;
mod organizations;
mod params;
mod schedule;
mod web;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use ketnoi_app::{App, Indexer};
use ketnoi_domain::rules::Resource;
use ketnoi_store::Store;
use tokio::net::TcpListener;
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use utoipa::OpenApi as _;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::AuthConfig;
use crate::error::RequestProblem;
use crate::observe::Operations;

pub use error::ApiError;

/// The largest request body accepted.
pub const BODY_LIMIT_BYTES: usize = 1024 * 1024;

const CONTENT_SECURITY_POLICY: HeaderValue = HeaderValue::from_static(
    "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
);
const NOSNIFF: HeaderValue = HeaderValue::from_static("nosniff");
const NO_REFERRER: HeaderValue = HeaderValue::from_static("no-referrer");
const NO_STORE: HeaderValue = HeaderValue::from_static("no-store");

/// What every handler can reach; cheap to clone.
#[derive(Debug, Clone)]
pub struct AppState {
    inner: Arc<Shared>,
}

#[derive(Debug)]
pub struct Shared {
    /// The use cases, shared with the mail loop.
    pub app: Arc<App>,
    pub auth: AuthConfig,
    pub operations: Operations,
    /// The API document, rendered once.
    openapi: String,
}

impl std::ops::Deref for AppState {
    type Target = Shared;
    fn deref(&self) -> &Shared {
        &self.inner
    }
}

impl AppState {
    pub fn new(store: Store, indexer: Arc<Indexer>) -> Self {
        Self::with_auth(store, indexer, AuthConfig::default())
    }

    pub fn with_auth(store: Store, indexer: Arc<Indexer>, auth: AuthConfig) -> Self {
        Self::with_app(Arc::new(App::with_index(store, indexer, auth.settings)), auth)
    }

    /// Over `app`, built by the caller (with its mail settings).
    pub fn with_app(app: Arc<App>, auth: AuthConfig) -> Self {
        Self::with_operations(app, auth, Operations::default())
    }

    /// Over `app`, reporting on requests as `operations` says.
    pub fn with_operations(app: Arc<App>, auth: AuthConfig, operations: Operations) -> Self {
        let openapi = api_doc().to_pretty_json().unwrap_or_default();
        AppState { inner: Arc::new(Shared { app, auth, operations, openapi }) }
    }
}

/// Every `/api/v1` route, each with its place in the API document.
fn api_routes() -> OpenApiRouter<AppState> {
    let v1 = OpenApiRouter::new()
        .routes(routes!(organizations::list))
        .routes(routes!(organizations::get, organizations::update, organizations::delete))
        .routes(routes!(organizations::recommendations))
        .routes(routes!(organizations::invite))
        .routes(routes!(events::get))
        .routes(routes!(events::participants))
        .routes(routes!(events::weights, events::set_weights))
        .routes(routes!(events::set_sessions))
        .routes(routes!(events::import))
        .routes(routes!(accounts::register))
        .routes(routes!(accounts::confirm_email))
        .routes(routes!(accounts::password_reset))
        .routes(routes!(accounts::password_reset_confirm))
        .routes(routes!(accounts::login))
        .routes(routes!(accounts::logout))
        .routes(routes!(accounts::accept_invitation))
        .routes(routes!(accounts::me, accounts::delete_me))
        .routes(routes!(live::stream))
        .routes(routes!(accounts::change_password))
        .routes(routes!(accounts::export))
        .routes(routes!(accounts::tokens, accounts::create_token))
        .routes(routes!(accounts::revoke_token))
        .routes(routes!(accounts::mail_preferences, accounts::set_mail_preferences))
        .routes(routes!(accounts::calendar_feed, accounts::renew_calendar_feed, accounts::revoke_calendar_feed))
        .routes(routes!(meetings::create_request, meetings::requests))
        .routes(routes!(meetings::accept))
        .routes(routes!(meetings::decline))
        .routes(routes!(meetings::cancel))
        .routes(routes!(meetings::availability, meetings::set_availability))
        .routes(routes!(meetings::agenda))
        .routes(routes!(meetings::agenda_ics))
        .routes(routes!(meetings::outcome))
        .routes(routes!(meetings::feedback))
        .routes(routes!(meet_now::proposals))
        .routes(routes!(meet_now::accept))
        .routes(routes!(meet_now::decline))
        .routes(routes!(meet_now::free))
        .routes(routes!(events::rules, events::set_rules))
        .routes(routes!(schedule::run, schedule::show))
        .routes(routes!(schedule::move_meeting))
        .routes(routes!(schedule::publish))
        .routes(routes!(schedule::set_status))
        .routes(routes!(schedule::table_sheet))
        .routes(routes!(events::figures))
        .routes(routes!(events::report))
        .routes(routes!(events::report_csv))
        .routes(routes!(events::follow_up))
        .routes(routes!(events::mail))
        .routes(routes!(events::retry_mail));
    OpenApiRouter::with_openapi(openapi::ApiDoc::openapi()).nest("/api/v1", v1)
}

/// The OpenAPI 3 document of every `/api/v1` route, as served at `/api/openapi.json`.
pub fn api_doc() -> utoipa::openapi::OpenApi {
    let mut doc = api_routes().into_openapi();
    // Modifiers ran before the routes were added: run the common answers again over them.
    utoipa::Modify::modify(&openapi::CommonAnswers, &mut doc);
    doc
}

/// Every route of the service.
pub fn router(state: AppState) -> Router {
    let (api, _) = api_routes().split_for_parts();
    Router::new()
        .merge(web::routes(state.clone()))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(observe::metrics))
        .route("/api/openapi.json", get(openapi_json))
        .route("/feed/{user}/{generation}/{file}", get(feed::feed))
        .merge(api)
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(axum::middleware::from_fn_with_state(state.clone(), auth::authenticate))
        .layer(axum::middleware::from_fn(auth::refuse_cross_site_writes))
        .layer(axum::middleware::from_fn(no_store_when_personal))
        .layer(RequestBodyLimitLayer::new(BODY_LIMIT_BYTES))
        // Outside the limit, so that its 413 gets our problem+json.
        .layer(axum::middleware::map_response(problem_for_bare_errors))
        // Every response: nothing loaded or framed from elsewhere, no MIME sniffing, no referrer.
        .layer(SetResponseHeaderLayer::if_not_present(header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY))
        .layer(SetResponseHeaderLayer::if_not_present(header::X_CONTENT_TYPE_OPTIONS, NOSNIFF))
        .layer(SetResponseHeaderLayer::if_not_present(header::REFERRER_POLICY, NO_REFERRER))
        // Pages, JSON and CSV are gzipped for clients that accept it: a venue's Wi-Fi is slow.
        .layer(CompressionLayer::new())
        .layer(axum::middleware::from_fn_with_state(state.clone(), unavailable_while_the_database_is_away))
        // Outermost: every answer, problems made by the layers within included, has its id.
        .layer(axum::middleware::from_fn_with_state(state.clone(), observe::observe))
        .with_state(state)
}

/// While the database answers no probe (a replica cut off from PostgreSQL), every request but
/// the health checks, the metrics and the static files is answered 503 at once, instead of
/// each waiting for a connection that will not come.
async fn unavailable_while_the_database_is_away(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path();
    let without_database = matches!(path, "/healthz" | "/readyz" | "/metrics") || path.starts_with("/static/");
    if without_database || state.app.database_reachable() {
        return next.run(request).await;
    }
    ApiError::App(ketnoi_app::AppError::Unavailable).into_response()
}

/// Errors made by layers (a body over the limit: 413) in the problem+json of every other error.
async fn problem_for_bare_errors(response: Response) -> Response {
    let is_problem = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|value| value.as_bytes().starts_with(b"application/problem+json"));
    if response.status() == StatusCode::PAYLOAD_TOO_LARGE && !is_problem {
        return ApiError::Request(RequestProblem::BodyTooLarge { limit: BODY_LIMIT_BYTES }).into_response();
    }
    response
}

/// `GET /api/openapi.json`
async fn openapi_json(State(state): State<AppState>) -> Response {
    ([(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))], state.openapi.clone()).into_response()
}

/// A response to a signed-in request may hold personal data: no cache keeps it.
async fn no_store_when_personal(request: Request, next: Next) -> Response {
    // The style sheet and the script are the same for everyone: cacheable, cookie or not.
    let shared = request.uri().path().starts_with("/static/");
    let personal = !shared
        && (request.headers().contains_key(header::COOKIE)
            || request.headers().contains_key(header::AUTHORIZATION)
            || request.uri().path().starts_with("/api/v1/me")
            || request.uri().path().starts_with("/api/v1/auth/"));
    let mut response = next.run(request).await;
    if personal {
        response.headers_mut().insert(header::CACHE_CONTROL, NO_STORE);
    }
    response
}

/// An unknown path: a page for a browser, problem+json for the API and everyone else.
async fn not_found(State(state): State<AppState>, request: Request) -> Response {
    let wants_page = !request.uri().path().starts_with("/api/")
        && request
            .headers()
            .get(header::ACCEPT)
            .and_then(|accept| accept.to_str().ok())
            .is_some_and(|accept| accept.contains("text/html"));
    if wants_page {
        return web::not_found(&state, request).await;
    }
    ApiError::not_found(Resource::Page).into_response()
}

async fn method_not_allowed() -> Response {
    ApiError::Request(RequestProblem::MethodNotAllowed).into_response()
}

/// `GET /healthz`: liveness. The process answers; it touches nothing else, so that a slow
/// database never gets a live server restarted.
async fn healthz() -> &'static str {
    "ok\n"
}

/// `GET /readyz`: 200 when the database answers, its migrations are current and the search
/// index is within a few changes of the event log; else 503 with the reasons.
async fn readyz(State(state): State<AppState>) -> Response {
    let readiness = state.app.readiness().await;
    if readiness.ready() {
        let body = serde_json::json!({ "status": "ready", "index_lag": readiness.index_lag });
        return axum::Json(body).into_response();
    }
    ApiError::NotReady(readiness).into_response()
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
        Ok(Server::on(TcpListener::bind(address).await?, state))
    }

    /// Serves on a listener bound already (its address known before the application is built).
    pub fn on(listener: TcpListener, state: AppState) -> Server {
        Server { listener, state }
    }

    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Serves until `shutdown` completes, then finishes the requests in flight.
    pub async fn run(self, shutdown: impl Future<Output = ()> + Send + 'static) -> std::io::Result<()> {
        let app = router(self.state).into_make_service_with_connect_info::<SocketAddr>();
        axum::serve(self.listener, app).with_graceful_shutdown(shutdown).await
    }
}
