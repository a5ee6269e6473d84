//! Who is calling: a browser session (cookie), a script (bearer API token) or nobody; the
//! session cookie; the cross-site write check; the sign-in rate limits.

use std::collections::{HashMap, VecDeque};
use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use ketnoi_domain::access::Actor;
use ketnoi_store::{SessionLifetime, User};

use crate::AppState;
use crate::error::ApiError;

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "ketnoi_session";

/// How sign-in works on this server.
#[derive(Debug, Clone, Default)]
pub struct AuthConfig {
    pub lifetime: SessionLifetime,
    /// Take the client address from `X-Forwarded-For` and the scheme from `X-Forwarded-Proto`:
    /// only behind a reverse proxy that sets them.
    pub trust_proxy: bool,
    /// Mark the cookie `Secure` even when no proxy says the request came over TLS.
    pub secure_cookies: bool,
    pub limits: RateLimits,
}

/// The sign-in and registration limits: at most `max` failures (or registrations) in `window`.
#[derive(Debug, Clone, Copy)]
pub struct RateLimits {
    pub login_per_account: Limit,
    pub login_per_address: Limit,
    pub register_per_address: Limit,
}

#[derive(Debug, Clone, Copy)]
pub struct Limit {
    pub max: usize,
    pub window: Duration,
}

impl Default for RateLimits {
    /// Five wrong passwords for one account in 15 minutes; fifty failed sign-ins from one
    /// address in 15 minutes (a venue's Wi-Fi puts hundreds of people behind one address);
    /// ten registrations from one address an hour.
    fn default() -> Self {
        let quarter = Duration::from_secs(15 * 60);
        RateLimits {
            login_per_account: Limit { max: 5, window: quarter },
            login_per_address: Limit { max: 50, window: quarter },
            register_per_address: Limit { max: 10, window: Duration::from_secs(3600) },
        }
    }
}

/// Counts events per key in a sliding window, in memory (each replica counts its own).
#[derive(Debug)]
pub struct RateLimiter {
    limit: Limit,
    hits: Mutex<HashMap<String, VecDeque<Instant>>>,
}

/// Keys kept before old ones are swept, so a flood of addresses cannot grow memory for ever.
const SWEEP_ABOVE: usize = 10_000;

impl RateLimiter {
    pub fn new(limit: Limit) -> Self {
        RateLimiter { limit, hits: Mutex::new(HashMap::new()) }
    }

    fn with_hits<R>(&self, f: impl FnOnce(&mut HashMap<String, VecDeque<Instant>>) -> R) -> R {
        let mut hits = self.hits.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        f(&mut hits)
    }

    /// `Err(seconds to wait)` when `key` has used its allowance.
    pub fn check(&self, key: &str) -> Result<(), u64> {
        let now = Instant::now();
        self.with_hits(|hits| {
            let Some(times) = hits.get_mut(key) else { return Ok(()) };
            while times.front().is_some_and(|t| now.duration_since(*t) >= self.limit.window) {
                times.pop_front();
            }
            match times.front() {
                Some(oldest) if times.len() >= self.limit.max => {
                    Err((self.limit.window - now.duration_since(*oldest)).as_secs() + 1)
                }
                _ => Ok(()),
            }
        })
    }

    /// 429 naming what was tried too often, when `key` has used its allowance.
    pub fn allow(&self, key: &str, what: &str) -> Result<(), ApiError> {
        self.check(key)
            .map_err(|wait| ApiError::too_many(format!("too many {what}; try again in {wait} seconds"), wait))
    }

    pub fn record(&self, key: &str) {
        let now = Instant::now();
        let window = self.limit.window;
        let max = self.limit.max;
        self.with_hits(|hits| {
            if hits.len() > SWEEP_ABOVE {
                hits.retain(|_, times| times.back().is_some_and(|t| now.duration_since(*t) < window));
            }
            let times = hits.entry(key.to_owned()).or_default();
            times.push_back(now);
            while times.len() > max {
                times.pop_front();
            }
        });
    }

    pub fn clear(&self, key: &str) {
        self.with_hits(|hits| hits.remove(key));
    }
}

/// The rate limiters of one server.
#[derive(Debug)]
pub struct Limiters {
    pub login_account: RateLimiter,
    pub login_address: RateLimiter,
    pub register_address: RateLimiter,
}

impl Limiters {
    pub fn new(limits: &RateLimits) -> Self {
        Limiters {
            login_account: RateLimiter::new(limits.login_per_account),
            login_address: RateLimiter::new(limits.login_per_address),
            register_address: RateLimiter::new(limits.register_per_address),
        }
    }
}

/// How the caller proved who it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    Nothing,
    Cookie { session: i64 },
    Token,
}

/// The caller of a request.
#[derive(Debug, Clone)]
pub struct Caller {
    pub actor: Actor,
    pub user: Option<User>,
    pub via: Via,
}

impl Caller {
    const ANONYMOUS: Caller = Caller { actor: Actor::Anonymous, user: None, via: Via::Nothing };

    pub fn anonymous() -> Caller {
        Self::ANONYMOUS
    }

    fn signed_in(user: User, via: Via) -> Result<Caller, ApiError> {
        let actor = match (user.role, user.organization_id, user.event_id) {
            (ketnoi_store::Role::Member, Some(organization), _) => Actor::Member { user: user.id, organization },
            (ketnoi_store::Role::Organiser, _, Some(event)) => Actor::Organiser { user: user.id, event },
            _ => return Err(ApiError::internal(&format!("user {} has a role without its scope", user.id))),
        };
        Ok(Caller { actor, user: Some(user), via })
    }

    /// 401 for an anonymous caller: checked before looking anything up, so that an anonymous
    /// caller learns nothing about which objects exist.
    pub fn require_sign_in(&self) -> Result<(), ApiError> {
        match self.actor {
            Actor::Anonymous => Err(ketnoi_domain::access::Denied::Unauthenticated.into()),
            _ => Ok(()),
        }
    }

    /// The signed-in user, or 401.
    pub fn user(&self) -> Result<&User, ApiError> {
        self.user.as_ref().ok_or_else(|| ApiError::from(ketnoi_domain::access::Denied::Unauthenticated))
    }
}

/// The value of the cookie `name`, from every `Cookie` header.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
}

fn bearer(headers: &HeaderMap) -> Option<Result<&str, ApiError>> {
    let value = headers.get(header::AUTHORIZATION)?;
    let token = value
        .to_str()
        .ok()
        .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
        .map(str::trim)
        .filter(|t| !t.is_empty());
    Some(token.ok_or_else(|| ApiError::unauthenticated("the Authorization header must be `Bearer <API token>`")))
}

/// Who is calling, worked out once per request by [`authenticate`].
async fn identify(state: &AppState, headers: &HeaderMap) -> Result<Caller, ApiError> {
    if let Some(token) = bearer(headers) {
        let user = state.store.token_user(token?).await?;
        let user = user.ok_or_else(|| ApiError::unauthenticated("the API token is invalid, expired or revoked"))?;
        return Caller::signed_in(user, Via::Token);
    }
    let Some(secret) = cookie(headers, SESSION_COOKIE) else { return Ok(Caller::ANONYMOUS) };
    match state.store.session(secret, state.auth.lifetime).await? {
        Some(session) => Caller::signed_in(session.user, Via::Cookie { session: session.id }),
        None => Ok(Caller::ANONYMOUS),
    }
}

/// Identifies the caller of every request. A bearer token that is not live is 401 on any
/// route, public ones included: a bad credential is never silently ignored. A stale cookie is
/// just no session.
pub async fn authenticate(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    match identify(&state, request.headers()).await {
        // Writes need a caller, except signing in and up: refused before the body is read.
        Ok(caller)
            if caller.actor == Actor::Anonymous
                && !is_safe(request.method())
                && request.uri().path().starts_with("/api/v1/")
                && !request.uri().path().starts_with("/api/v1/auth/") =>
        {
            ApiError::from(ketnoi_domain::access::Denied::Unauthenticated).into_response()
        }
        Ok(caller) => {
            request.extensions_mut().insert(caller);
            next.run(request).await
        }
        Err(error) => error.into_response(),
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(parts.extensions.get::<Caller>().cloned().unwrap_or(Caller::ANONYMOUS))
    }
}

/// Whether the request came over TLS, as far as this server can tell.
fn over_tls(state: &AppState, headers: &HeaderMap) -> bool {
    state.auth.secure_cookies
        || (state.auth.trust_proxy
            && headers.get("x-forwarded-proto").is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"https")))
}

/// The `Set-Cookie` value that stores a session: HttpOnly, SameSite=Lax, Secure over TLS,
/// living as long as the session may.
pub fn session_cookie(state: &AppState, headers: &HeaderMap, secret: &str) -> HeaderValue {
    let secure = if over_tls(state, headers) { "; Secure" } else { "" };
    let max_age = state.auth.lifetime.absolute;
    HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}={secret}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("ketnoi_session=; Path=/; Max-Age=0"))
}

/// The `Set-Cookie` value that makes the browser forget its session.
pub fn cleared_cookie(state: &AppState, headers: &HeaderMap) -> HeaderValue {
    if over_tls(state, headers) {
        HeaderValue::from_static("ketnoi_session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0; Secure")
    } else {
        HeaderValue::from_static("ketnoi_session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0")
    }
}

/// The client's address: the peer, or with `trust_proxy` the last address the proxy added to
/// `X-Forwarded-For`.
pub fn client_address(state: &AppState, parts: &Parts) -> Option<IpAddr> {
    if state.auth.trust_proxy
        && let Some(forwarded) = parts.headers.get("x-forwarded-for").and_then(|v| v.to_str().ok())
        && let Some(last) = forwarded.rsplit(',').next().and_then(|a| a.trim().parse().ok())
    {
        return Some(last);
    }
    parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|ConnectInfo(address)| address.ip())
}

/// The client address as an extractor; "unknown" when the server runs without connect info.
#[derive(Debug, Clone)]
pub struct ClientAddress(pub String);

impl FromRequestParts<AppState> for ClientAddress {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        Ok(ClientAddress(client_address(state, parts).map_or_else(|| "unknown".to_owned(), |ip| ip.to_string())))
    }
}

fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Refuses cross-site writes made with the browser's cookie: a write without a bearer token
/// must come from this site, as `Sec-Fetch-Site` or else `Origin` tells. A client that sends
/// neither header is not a browser and carries no ambient cookie to abuse.
pub async fn refuse_cross_site_writes(request: Request, next: Next) -> Response {
    let headers = request.headers();
    if is_safe(request.method()) || headers.contains_key(header::AUTHORIZATION) {
        return next.run(request).await;
    }
    let refused = match headers.get("sec-fetch-site").map(HeaderValue::as_bytes) {
        Some(b"same-origin" | b"none") => false,
        Some(_) => true,
        None => match headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
            Some(origin) => {
                let host = headers.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or_default();
                origin.split_once("://").map(|(_, rest)| rest) != Some(host) || host.is_empty()
            }
            None => false,
        },
    };
    if refused {
        return ApiError::forbidden("cross-site requests may not change anything here").into_response();
    }
    next.run(request).await
}
