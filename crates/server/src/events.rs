//! `/api/v1/events/{slug}`: an event, its slots, participants and figures, and what its
//! organisers set: matching weights, sessions, request rules, imports; and its mail.

use axum::Json;
use axum::extract::{Path, State};
use ketnoi_app::events::{
    EventView, FiguresView, ImportInput, ImportResult, Participants, RulesBody, SessionsBody, WeightsBody,
};

use ketnoi_app::outbox::{MailList, MailParams, MailView};
use ketnoi_app::report::Report;
use ketnoi_domain::rules::Resource;

use crate::AppState;
use crate::auth::Auth;
use crate::error::{ApiError, Problem};
use crate::json::Body;
use crate::params::Query;

/// An event, its slots and how many startups and investors take part.
#[utoipa::path(get, path = "/events/{slug}", tag = "events", params(("slug" = String, Path)),
    responses((status = 200, description = "The event", body = EventView),
        (status = 404, description = "`not-found`: no such event", body = Problem, content_type = "application/problem+json")))]
pub async fn get(State(state): State<AppState>, Path(slug): Path<String>) -> Result<Json<EventView>, ApiError> {
    Ok(Json(state.app.public_event_view(&slug).await?))
}

/// Every participant of the event with contacts and private figures: for its organisers.
#[utoipa::path(get, path = "/events/{slug}/participants", tag = "events", params(("slug" = String, Path)),
    responses((status = 200, description = "The participants, by name", body = Participants),
        (status = 404, description = "`not-found`: no such event, or not yours", body = Problem, content_type = "application/problem+json")))]
pub async fn participants(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Path(slug): Path<String>,
) -> Result<Json<Participants>, ApiError> {
    Ok(Json(state.app.participants(&caller, &slug).await?))
}

/// How much each matching factor counts in this event's recommendations: for its organisers.
#[utoipa::path(get, path = "/events/{slug}/weights", tag = "events", params(("slug" = String, Path)),
    responses((status = 200, description = "The weights in force", body = WeightsBody),
        (status = 404, description = "`not-found`: no such event, or not yours", body = Problem, content_type = "application/problem+json")))]
pub async fn weights(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Path(slug): Path<String>,
) -> Result<Json<WeightsBody>, ApiError> {
    Ok(Json(state.app.weights(&caller, &slug).await?))
}

/// Sets how much each matching factor counts in this event's recommendations.
#[utoipa::path(put, path = "/events/{slug}/weights", tag = "events", params(("slug" = String, Path)),
    request_body = WeightsBody,
    responses((status = 200, description = "The weights now in force", body = WeightsBody),
        (status = 400, description = "`invalid-field`: a weight is out of range", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not-found`: no such event, or not yours", body = Problem, content_type = "application/problem+json")))]
pub async fn set_weights(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Path(slug): Path<String>,
    Body(body): Body<WeightsBody>,
) -> Result<Json<WeightsBody>, ApiError> {
    Ok(Json(state.app.set_weights(&caller, &slug, body).await?))
}

/// Replaces the event's sessions, and so its slots and tables. Refused once meetings are
/// placed in the current slots.
#[utoipa::path(put, path = "/events/{slug}/sessions", tag = "events", params(("slug" = String, Path)),
    request_body = SessionsBody,
    responses((status = 200, description = "The event with its new slots", body = EventView),
        (status = 409, description = "`sessions-locked`: meetings are placed in the current slots", body = Problem, content_type = "application/problem+json")))]
pub async fn set_sessions(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Path(slug): Path<String>,
    Body(body): Body<SessionsBody>,
) -> Result<Json<EventView>, ApiError> {
    Ok(Json(state.app.set_sessions(&caller, &slug, &body).await?))
}

/// The event's request quotas and expiry: for its organisers.
#[utoipa::path(get, path = "/events/{slug}/rules", tag = "meetings", params(("slug" = String, Path)),
    responses((status = 200, description = "The rules in force", body = RulesBody),
        (status = 404, description = "`not-found`: no such event, or not yours", body = Problem, content_type = "application/problem+json")))]
pub async fn rules(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Path(slug): Path<String>,
) -> Result<Json<RulesBody>, ApiError> {
    Ok(Json(state.app.rules(&caller, &slug).await?))
}

/// Sets the event's request quotas and expiry.
#[utoipa::path(put, path = "/events/{slug}/rules", tag = "meetings", params(("slug" = String, Path)),
    request_body = RulesBody, responses((status = 200, description = "The rules now in force", body = RulesBody)))]
pub async fn set_rules(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Path(slug): Path<String>,
    Body(body): Body<RulesBody>,
) -> Result<Json<RulesBody>, ApiError> {
    Ok(Json(state.app.set_rules(&caller, &slug, body).await?))
}

/// Imports startups and investors into the event from CSV text, all or nothing; with
/// `dry_run`, a preview. Bad rows answer `import-problems`: each problem with its file,
/// line, column and value, and nothing is written. For files over the 1 MiB body limit, use
/// `ketnoi import`.
#[utoipa::path(post, path = "/events/{slug}/import", tag = "events", params(("slug" = String, Path)),
    request_body = ImportInput,
    responses((status = 200, description = "What the import did, or would do", body = ImportResult),
        (status = 400, description = "`import-problems`: problems by file, line and column; nothing written", body = Problem, content_type = "application/problem+json")))]
pub async fn import(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Path(slug): Path<String>,
    Body(body): Body<ImportInput>,
) -> Result<Json<ImportResult>, ApiError> {
    Ok(Json(state.app.import(&caller, &slug, &body).await?))
}

/// The event's figures: participants, requests, acceptance, meetings placed, held, no-shows,
/// outcomes. Aggregates only: public.
#[utoipa::path(get, path = "/events/{slug}/figures", tag = "events", params(("slug" = String, Path)),
    responses((status = 200, description = "The figures", body = FiguresView)))]
pub async fn figures(State(state): State<AppState>, Path(slug): Path<String>) -> Result<Json<FiguresView>, ApiError> {
    Ok(Json(state.app.public_figures(&slug).await?))
}

/// The event's messages, newest first (at most 500), with the counts: queued, sent, and failed
/// with the reason. For its organisers.
#[utoipa::path(get, path = "/events/{slug}/mail", tag = "events", params(("slug" = String, Path), MailParams),
    responses((status = 200, description = "The messages and the counts", body = MailList),
        (status = 400, description = "`invalid-field`: an unknown status", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not-found`: no such event, or not yours", body = Problem, content_type = "application/problem+json")))]
pub async fn mail(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Path(slug): Path<String>,
    Query(params): Query<MailParams>,
) -> Result<Json<MailList>, ApiError> {
    Ok(Json(state.app.event_mail(&caller, &slug, params.status.as_deref()).await?))
}

/// Queues a failed message again, now, its attempts counted afresh. For the event's organisers.
#[utoipa::path(post, path = "/events/{slug}/mail/{id}/retry", tag = "events",
    params(("slug" = String, Path), ("id" = i64, Path)),
    responses((status = 200, description = "The message, queued", body = MailView),
        (status = 404, description = "`not-found`: no such event or message, or not yours", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`mail-not-failed`: the message waits or went already", body = Problem, content_type = "application/problem+json")))]
pub async fn retry_mail(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Path((slug, id)): Path<(String, String)>,
) -> Result<Json<MailView>, ApiError> {
    let id = crate::organizations::id(&id, Resource::Message)?;
    Ok(Json(state.app.retry_mail(&caller, &slug, id).await?))
}

/// Opens the follow-up round, once the event is over: each pair that met is asked (by mail)
/// for its outcome. Opening it again changes nothing (`opened_now` false). For organisers.
#[utoipa::path(post, path = "/events/{slug}/follow-up", tag = "events", params(("slug" = String, Path)),
    responses((status = 200, description = "The round", body = ketnoi_app::report::FollowUpRound),
        (status = 409, description = "`event-not-over`: the event's last slot is still to come", body = Problem, content_type = "application/problem+json")))]
pub async fn follow_up(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Path(slug): Path<String>,
) -> Result<Json<ketnoi_app::report::FollowUpRound>, ApiError> {
    caller.require_sign_in()?;
    Ok(Json(state.app.open_follow_up(&caller, &slug).await?))
}

/// The event's report: participants by kind, country and sector; requests and meetings by
/// status; outcomes; business connections (meetings held or checked in), and those between a
/// Vietnamese and a Korean organization. Counts only: public.
#[utoipa::path(get, path = "/events/{slug}/report", tag = "events", params(("slug" = String, Path)),
    responses((status = 200, description = "The report", body = Report),
        (status = 404, description = "`not-found`: no such event", body = Problem, content_type = "application/problem+json")))]
pub async fn report(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Path(slug): Path<String>,
) -> Result<Json<Report>, ApiError> {
    Ok(Json(state.app.report(&caller, &slug).await?))
}

/// The report's figures as CSV, `figure,value` (UTF-8 with a byte-order mark): the same counts
/// as `/events/{slug}/report`.
#[utoipa::path(get, path = "/events/{slug}/report.csv", tag = "events", params(("slug" = String, Path)),
    responses((status = 200, description = "figure,value", content_type = "text/csv", body = String),
        (status = 404, description = "`not-found`: no such event", body = Problem, content_type = "application/problem+json")))]
pub async fn report_csv(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Path(slug): Path<String>,
) -> Result<axum::response::Response, ApiError> {
    Ok(crate::meetings::download(state.app.report_csv(&caller, &slug).await?))
}
