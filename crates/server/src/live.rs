//! `GET /api/v1/me/stream`: the changes that concern the signed-in user, as server-sent events.

use std::convert::Infallible;
use std::time::Duration;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::Stream;
use ketnoi_app::live::{LiveChange, LiveStream};

use crate::AppState;
use crate::auth::Auth;
use crate::error::ApiError;

/// How often a quiet stream sends a comment, so that proxies keep it open.
const HEARTBEAT: Duration = Duration::from_secs(15);

/// One change as an event: its log position as the id, its type as the event's name, the
/// change as JSON.
fn event(change: &LiveChange) -> Event {
    let data = serde_json::json!({ "event_id": change.event_id, "change": change.change });
    Event::default().id(change.position.to_string()).event(change.change.kind()).data(data.to_string())
}

/// The changes that concern me as they commit, as `text/event-stream`: for a member, requests
/// to or from its organization and their answers, its meetings moved, cancelled or checked in,
/// the schedule published; for an organiser, everything at its event. Each event's `id` is its
/// place in the event log: a client that reconnects with `Last-Event-ID` first gets what it
/// missed. The first event, `ready`, carries the id to resume from when nothing has come yet;
/// a comment every 15 s keeps proxies from closing a quiet stream.
#[utoipa::path(get, path = "/me/stream", tag = "accounts",
    params(("Last-Event-ID" = Option<String>, Header, description = "The id of the last event received, `tx.id`")),
    responses((status = 200, description = "Server-sent events", content_type = "text/event-stream", body = String),
        (status = 401, description = "`unauthenticated`: no session or token", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn stream(
    State(state): State<AppState>,
    Auth(caller): Auth,
    headers: HeaderMap,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    let last = headers.get("last-event-id").and_then(|value| value.to_str().ok());
    let live = state.app.live_stream(&caller, last).await?;
    let ready = Event::default().id(live.start().to_string()).event("ready").data("{}");
    let events = futures_util::stream::unfold(
        (live, Some(ready)),
        |(mut live, ready): (LiveStream, Option<Event>)| async move {
            if let Some(ready) = ready {
                return Some((Ok(ready), (live, None)));
            }
            match live.next().await {
                Ok(Some(change)) => Some((Ok(event(&change)), (live, None))),
                Ok(None) => None,
                Err(error) => {
                    tracing::warn!(%error, "a live stream ends: the event log cannot be read");
                    None
                }
            }
        },
    );
    Ok(Sse::new(events).keep_alive(KeepAlive::new().interval(HEARTBEAT)))
}
