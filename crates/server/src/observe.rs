//! What operators see of each request: an id on every answer (`x-request-id`, taken from a
//! trusted proxy or made here), in every log line written while serving it and in its
//! problem+json; a warning for requests slower than a threshold.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use tracing::Instrument as _;

use crate::AppState;

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
}

impl Default for Operations {
    fn default() -> Self {
        Operations { slow_request: Duration::from_secs(1) }
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
    let method = request.method().clone();
    // At the error level, so that whatever the filter lets through (warnings only, errors
    // only) still carries the request it happened in.
    let span = tracing::error_span!("request", request_id = %id, %method, %route);
    let started = Instant::now();
    let id: Arc<str> = id.into();
    let mut response = CURRENT.scope(Arc::clone(&id), next.run(request)).instrument(span.clone()).await;
    let elapsed = started.elapsed();
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(REQUEST_ID, value);
    }
    let status = response.status().as_u16();
    let millis = elapsed.as_secs_f64() * 1000.0;
    span.in_scope(|| {
        if elapsed >= state.operations.slow_request {
            tracing::warn!(status, elapsed_ms = millis, "slow request");
        } else {
            tracing::debug!(status, elapsed_ms = millis, "answered");
        }
    });
    response
}

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
    fn fresh_ids_differ_and_are_hex() {
        let (a, b) = (fresh(), fresh());
        assert_ne!(a, b);
        assert_eq!(a.len(), 32);
        assert!(a.bytes().all(|c| c.is_ascii_hexdigit()));
    }
}
