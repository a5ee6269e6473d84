//! What operators see of each request: an id on every answer (`x-request-id`, taken from a
//! trusted proxy or made here), in every log line written while serving it and in its
//! problem+json; a warning for requests slower than a threshold.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use ketnoi_app::AppError;
use ketnoi_app::metrics::{RequestLabels, method_label};
use ketnoi_domain::rules::Resource;
use tracing::Instrument as _;

use crate::{ApiError, AppState};

/// The header that carries a request's id, both ways.
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The longest id taken from a proxy.
const ID_MAX: usize = 128;

tokio::task_local! {
    static CURRENT: Arc<str>;
}

/// How this server reports on its requests.
#[derive(Debug, Clone)]
pub struct Operations {
    /// A request that takes this long or longer is logged as a warning.
    pub slow_request: Duration,
    /// A request not answered within this is answered 503 `unavailable` (its work dropped).
    pub request_timeout: Duration,
    /// The bearer token `/metrics` asks for; without one it answers only to loopback.
    pub metrics_token: Option<MetricsToken>,
}

impl Default for Operations {
    fn default() -> Self {
        Operations {
            slow_request: Duration::from_secs(1),
            request_timeout: Duration::from_secs(30),
            metrics_token: None,
        }
    }
}

/// A secret of at least [`MetricsToken::MIN`] characters.
#[derive(Clone)]
pub struct MetricsToken(String);

impl std::fmt::Debug for MetricsToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MetricsToken(…)")
    }
}

impl MetricsToken {
    pub const MIN: usize = 16;

    /// The token, or why it cannot be one.
    pub fn parse(value: &str) -> Result<MetricsToken, String> {
        let value = value.trim();
        if value.chars().count() < Self::MIN {
            return Err(format!("must be at least {} characters long, got {}", Self::MIN, value.chars().count()));
        }
        if !value.bytes().all(|b| b.is_ascii_graphic()) {
            return Err("must be printable ASCII without spaces (it travels in an HTTP header)".to_owned());
        }
        Ok(MetricsToken(value.to_owned()))
    }

    /// Whether `offered` is the token, compared in time that does not depend on where they
    /// differ.
    fn matches(&self, offered: &str) -> bool {
        let (a, b) = (self.0.as_bytes(), offered.as_bytes());
        a.len() == b.len() && a.iter().zip(b).fold(0u8, |diff, (x, y)| diff | (x ^ y)) == 0
    }
}

/// The id of the request being served by this task, if any.
pub fn request_id() -> Option<Arc<str>> {
    CURRENT.try_with(Arc::clone).ok()
}

/// The id a trusted proxy gave the request: printable ASCII without spaces, not too long.
fn forwarded(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(&REQUEST_ID)?.to_str().ok()?;
    let fits = (1..=ID_MAX).contains(&value.len()) && value.bytes().all(|b| b.is_ascii_graphic());
    fits.then(|| value.to_owned())
}

/// A new id: 128 random bits in hex.
fn fresh() -> String {
    let mut bytes = [0u8; 16];
    if getrandom::fill(&mut bytes).is_err() {
        // No randomness: the time still tells requests apart in the logs.
        return format!("{:032x}", std::time::SystemTime::UNIX_EPOCH.elapsed().unwrap_or_default().as_nanos());
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Gives the request its id, serves it inside a span that carries the id, the method and the
/// route's template (never the path: calendar feed paths are secrets), and puts the id on
/// the answer.
pub async fn observe(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let id = state.auth.trust_proxy.then(|| forwarded(request.headers())).flatten().unwrap_or_else(fresh);
    let route = request.extensions().get::<MatchedPath>().map_or("-", |path| path.as_str()).to_owned();
    let route_in_span = route.clone();
    let method = request.method().clone();
    // At the error level, so that whatever the filter lets through (warnings only, errors
    // only) still carries the request it happened in.
    let span = tracing::error_span!("request", request_id = %id, %method, route = %route_in_span);
    let started = Instant::now();
    let id: Arc<str> = id.into();
    let answered = tokio::time::timeout(state.operations.request_timeout, next.run(request));
    let mut response = match CURRENT.scope(Arc::clone(&id), answered).instrument(span.clone()).await {
        Ok(response) => response,
        Err(_) => {
            span.in_scope(|| tracing::error!(timeout = ?state.operations.request_timeout, "request timed out"));
            CURRENT.sync_scope(Arc::clone(&id), || ApiError::App(AppError::Unavailable).into_response())
        }
    };
    let elapsed = started.elapsed();
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(REQUEST_ID, value);
    }
    let status = response.status().as_u16();
    let millis = elapsed.as_secs_f64() * 1000.0;
    let labels = RequestLabels { method: method_label(method.as_str()), route, status };
    state.app.metrics().request(&labels, elapsed.as_secs_f64());
    span.in_scope(|| {
        if elapsed >= state.operations.slow_request {
            tracing::warn!(status, elapsed_ms = millis, "slow request");
        } else {
            tracing::debug!(status, elapsed_ms = millis, "answered");
        }
    });
    response
}

/// `GET /metrics`: the OpenMetrics text Prometheus scrapes. With a token set, only to a bearer
/// of it (401 otherwise); without one, only to a client on this machine (404 to others: the
/// route is not public).
pub async fn metrics(State(state): State<AppState>, request: Request) -> Response {
    let (parts, _) = request.into_parts();
    match &state.operations.metrics_token {
        Some(token) => {
            let offered = parts
                .headers
                .get(axum::http::header::AUTHORIZATION)
                .and_then(|value| value.to_str().ok())
                .and_then(|value| value.strip_prefix("Bearer "));
            if !offered.is_some_and(|offered| token.matches(offered.trim())) {
                return ApiError::App(AppError::Unauthenticated).into_response();
            }
        }
        None => {
            if !crate::auth::client_address(&state, &parts).is_some_and(|address| address.is_loopback()) {
                return ApiError::not_found(Resource::Page).into_response();
            }
        }
    }
    let text = state.app.metrics_text().await;
    ([(axum::http::header::CONTENT_TYPE, OPENMETRICS)], text).into_response()
}

const OPENMETRICS: HeaderValue = HeaderValue::from_static("application/openmetrics-text; version=1.0.0; charset=utf-8");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_forwarded_id_is_taken_only_when_it_is_printable_and_short() {
        let with = |value: &str| {
            let mut headers = HeaderMap::new();
            headers.insert(REQUEST_ID, HeaderValue::from_str(value).unwrap());
            forwarded(&headers)
        };
        assert_eq!(with("abc-123").as_deref(), Some("abc-123"));
        assert_eq!(with("has space"), None);
        assert_eq!(with(&"x".repeat(ID_MAX + 1)), None);
        assert_eq!(forwarded(&HeaderMap::new()), None);
    }

    #[test]
    fn a_metrics_token_is_long_printable_and_compared_whole() {
        assert!(MetricsToken::parse("short").is_err());
        assert!(MetricsToken::parse("sixteen chars ok").is_err(), "spaces travel badly in a header");
        let token = MetricsToken::parse("0123456789abcdef").expect("sixteen");
        assert!(token.matches("0123456789abcdef"));
        assert!(!token.matches("0123456789abcdeX"));
        assert!(!token.matches("0123456789abcdef0"));
        assert!(!format!("{token:?}").contains("0123"), "never in a log line");
    }

    #[test]
    fn fresh_ids_differ_and_are_hex() {
        let (a, b) = (fresh(), fresh());
        assert_ne!(a, b);
        assert_eq!(a.len(), 32);
        assert!(a.bytes().all(|c| c.is_ascii_hexdigit()));
    }
}
