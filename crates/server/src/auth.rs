//! Who is calling: a browser session (cookie), a script (bearer API token) or nobody, as the
//! use cases identify them; the session cookie; the cross-site write check.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use ketnoi_app::{AppError, Caller, Credential, Settings};
use ketnoi_domain::access::Actor;

use crate::AppState;
use crate::error::{ApiError, RequestProblem};

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "ketnoi_session";

/// How sign-in works on this server.
#[derive(Debug, Clone, Default)]
pub struct AuthConfig {
    /// Session lifetimes and rate limits: the use cases'.
    pub settings: Settings,
    /// Take the client address from `X-Forwarded-For` and the scheme from `X-Forwarded-Proto`:
    /// only behind a reverse proxy that sets them.
    pub trust_proxy: bool,
    /// Mark the cookie `Secure` even when no proxy says the request came over TLS.
    pub secure_cookies: bool,
}

/// Who is calling, as [`authenticate`] worked it out: the use cases' [`Caller`].
#[derive(Debug, Clone)]
pub struct Auth(pub Caller);

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

/// The credential a request comes with: a bearer token (`Some(Err)` when the header is not
/// one), or else the session cookie.
fn credential(headers: &HeaderMap) -> Option<Result<Credential<'_>, AppError>> {
    if let Some(value) = headers.get(header::AUTHORIZATION) {
        let token = value
            .to_str()
            .ok()
            .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
            .map(str::trim)
            .filter(|t| !t.is_empty());
        return Some(token.map(Credential::Token).ok_or(AppError::InvalidToken));
    }
    cookie(headers, SESSION_COOKIE).filter(|secret| !secret.is_empty()).map(|secret| Ok(Credential::Session(secret)))
}

/// Identifies the caller of every request. A bearer token that is not live is 401 on any
/// route, public ones included: a bad credential is never silently ignored. A stale cookie is
/// just no session.
pub async fn authenticate(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    // The metrics' bearer is their own token, no account's: `/metrics` checks it.
    if request.uri().path() == "/metrics" {
        request.extensions_mut().insert(Auth(Caller::ANONYMOUS));
        return next.run(request).await;
    }
    let identified = match credential(request.headers()).transpose() {
        Ok(credential) => state.app.identify(credential).await,
        Err(error) => Err(error),
    };
    match identified {
        // Writes need a caller, except signing in and up: refused before the body is read.
        Ok(caller)
            if caller.actor == Actor::Anonymous
                && !is_safe(request.method())
                && request.uri().path().starts_with("/api/v1/")
                && !request.uri().path().starts_with("/api/v1/auth/") =>
        {
            ApiError::App(AppError::Unauthenticated).into_response()
        }
        Ok(caller) => {
            request.extensions_mut().insert(Auth(caller));
            next.run(request).await
        }
        Err(error) => ApiError::App(error).into_response(),
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Auth {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(parts.extensions.get::<Auth>().cloned().unwrap_or(Auth(Caller::ANONYMOUS)))
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
    let max_age = state.auth.settings.sessions.absolute;
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
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        Ok(ClientAddress(client_address(state, parts).map_or_else(|| "unknown".to_owned(), |ip| ip.to_string())))
    }
}

fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Refuses cross-site writes made with the browser's cookie: a write without a bearer token
/// must come from this site, as `Sec-Fetch-Site` or else `Origin` tells. A client that sends
/// neither header is not a browser and carries no ambient cookie to abuse. One-click
/// unsubscribe links are exempt: they act without a session.
pub async fn refuse_cross_site_writes(request: Request, next: Next) -> Response {
    let headers = request.headers();
    // An unsubscribe link is its own credential, used without a cookie, often from a mail
    // provider's servers or a webmail page (RFC 8058).
    let signed_link = request.uri().path().starts_with("/unsubscribe/");
    if is_safe(request.method()) || headers.contains_key(header::AUTHORIZATION) || signed_link {
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
        return ApiError::Request(RequestProblem::CrossSite).into_response();
    }
    next.run(request).await
}
