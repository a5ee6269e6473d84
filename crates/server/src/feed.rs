//! `GET /feed/{user}/{generation}/{mac}.ics`: a person's calendar feed, read by calendar apps
//! without a cookie. The address is its own credential (signed, renewable, revocable); a stale
//! one is 404. The body is the same until a meeting changes, so `If-None-Match` gets a 304.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use ketnoi_domain::rules::Resource;

use crate::AppState;
use crate::error::ApiError;

/// Calendar apps poll; each poll must revalidate, and no shared cache may keep the body.
const REVALIDATE: HeaderValue = HeaderValue::from_static("private, no-cache");

pub async fn feed(
    State(state): State<AppState>,
    Path((user, generation, file)): Path<(String, String, String)>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let gone = || ApiError::not_found(Resource::Page);
    let user: i64 = user.parse().map_err(|_| gone())?;
    let generation: u32 = generation.parse().map_err(|_| gone())?;
    let mac = file.strip_suffix(".ics").ok_or_else(gone)?;
    let feed = state.app.calendar_feed_body(user, generation, mac).await?;
    let etag = HeaderValue::from_str(&feed.etag).map_err(|_| gone())?;
    let unchanged = headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .any(|tag| {
            let tag = tag.trim();
            tag == "*" || tag.trim_start_matches("W/") == feed.etag
        });
    if unchanged {
        return Ok(
            (StatusCode::NOT_MODIFIED, [(header::ETAG, etag), (header::CACHE_CONTROL, REVALIDATE)]).into_response()
        );
    }
    let content_type = HeaderValue::from_static("text/calendar; charset=utf-8");
    Ok(([(header::CONTENT_TYPE, content_type), (header::ETAG, etag), (header::CACHE_CONTROL, REVALIDATE)], feed.body)
        .into_response())
}
