//! `/api/v1/events/{slug}/…` for participants: meeting requests and their answers,
//! availability, agendas (JSON and iCalendar) and outcomes.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use ketnoi_app::exports::Export;
use ketnoi_app::meetings::{
    Agenda, AnswerBody, Answered, Availability, FeedbackBody, MailboxParams, MeetingView, NewRequest,
    OrganizationParams, OutcomeBody, RequestList, RequestView,
};
use ketnoi_domain::rules::Resource;

use crate::AppState;
use crate::auth::Auth;
use crate::error::{ApiError, Problem};
use crate::json::Body;
use crate::organizations::id;
use crate::params::Query;

/// A file to download, as its use case made it.
pub fn download(export: Export) -> Response {
    let disposition = format!("attachment; filename=\"{}\"", export.filename);
    ([(header::CONTENT_TYPE, export.content_type.to_owned()), (header::CONTENT_DISPOSITION, disposition)], export.body)
        .into_response()
}

/// Asks another participant of the event for a meeting, as the signed-in member's
/// organization. One open request per pair; a startup's quota holds.
#[utoipa::path(post, path = "/events/{slug}/requests", tag = "meetings", params(("slug" = String, Path)),
    request_body = NewRequest,
    responses((status = 201, description = "The request, pending", body = RequestView),
        (status = 400, description = "`request-to-self`, `not-a-participant`, `same-kind`, or `invalid-field`", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`request-exists`: an open request exists; `request-quota-reached`: the quota is used up", body = Problem, content_type = "application/problem+json")))]
pub async fn create_request(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Path(slug): Path<String>,
    Body(body): Body<NewRequest>,
) -> Result<(StatusCode, Json<RequestView>), ApiError> {
    Ok((StatusCode::CREATED, Json(state.app.send_request(&caller, &slug, &body).await?)))
}

/// The signed-in member's requests at the event, newest first, with their statuses.
#[utoipa::path(get, path = "/events/{slug}/requests", tag = "meetings", params(("slug" = String, Path), MailboxParams),
    responses((status = 200, description = "The requests", body = RequestList)))]
pub async fn requests(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Path(slug): Path<String>,
    Query(params): Query<MailboxParams>,
) -> Result<Json<RequestList>, ApiError> {
    caller.require_sign_in()?;
    Ok(Json(state.app.requests(&caller, &slug, params.parse()?).await?))
}

/// Accepts a request addressed to the signed-in member's organization: the meeting exists, and
/// the organisers' scheduler will place it.
#[utoipa::path(post, path = "/events/{slug}/requests/{id}/accept", tag = "meetings",
    params(("slug" = String, Path), ("id" = i64, Path)), request_body = AnswerBody,
    responses((status = 200, description = "Accepted", body = Answered),
        (status = 409, description = "`request-not-pending`, or `meeting-quota-reached`: the investor's quota is reached", body = Problem, content_type = "application/problem+json")))]
pub async fn accept(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Path((slug, request)): Path<(String, String)>,
    Body(body): Body<AnswerBody>,
) -> Result<Json<Answered>, ApiError> {
    caller.require_sign_in()?;
    let request = id(&request, Resource::Request)?;
    Ok(Json(state.app.answer_request(&caller, &slug, request, true, &body).await?))
}

/// Declines a request addressed to the signed-in member's organization.
#[utoipa::path(post, path = "/events/{slug}/requests/{id}/decline", tag = "meetings",
    params(("slug" = String, Path), ("id" = i64, Path)), request_body = AnswerBody,
    responses((status = 200, description = "Declined", body = Answered),
        (status = 409, description = "`request-not-pending`", body = Problem, content_type = "application/problem+json")))]
pub async fn decline(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Path((slug, request)): Path<(String, String)>,
    Body(body): Body<AnswerBody>,
) -> Result<Json<Answered>, ApiError> {
    caller.require_sign_in()?;
    let request = id(&request, Resource::Request)?;
    Ok(Json(state.app.answer_request(&caller, &slug, request, false, &body).await?))
}

/// Withdraws a pending request the signed-in member's organization sent.
#[utoipa::path(post, path = "/events/{slug}/requests/{id}/cancel", tag = "meetings",
    params(("slug" = String, Path), ("id" = i64, Path)),
    responses((status = 200, description = "Cancelled", body = RequestView),
        (status = 409, description = "`request-not-pending`", body = Problem, content_type = "application/problem+json")))]
pub async fn cancel(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Path((slug, request)): Path<(String, String)>,
) -> Result<Json<RequestView>, ApiError> {
    caller.require_sign_in()?;
    let request = id(&request, Resource::Request)?;
    Ok(Json(state.app.cancel_request(&caller, &slug, request).await?))
}

/// The slots the organization cannot attend.
#[utoipa::path(get, path = "/events/{slug}/availability", tag = "meetings", params(("slug" = String, Path), OrganizationParams),
    responses((status = 200, description = "The unavailable slots", body = Availability)))]
pub async fn availability(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Path(slug): Path<String>,
    Query(params): Query<OrganizationParams>,
) -> Result<Json<Availability>, ApiError> {
    caller.require_sign_in()?;
    Ok(Json(state.app.availability(&caller, &slug, params.parse()?).await?))
}

/// Replaces the slots the organization cannot attend (a keynote, travel). Meetings already
/// placed stay until the scheduler runs again.
#[utoipa::path(put, path = "/events/{slug}/availability", tag = "meetings", params(("slug" = String, Path), OrganizationParams),
    request_body = Availability,
    responses((status = 200, description = "The unavailable slots now", body = Availability),
        (status = 400, description = "`invalid-field`: an unknown slot code", body = Problem, content_type = "application/problem+json")))]
pub async fn set_availability(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Path(slug): Path<String>,
    Query(params): Query<OrganizationParams>,
    Body(body): Body<Availability>,
) -> Result<Json<Availability>, ApiError> {
    Ok(Json(state.app.set_availability(&caller, &slug, params.parse()?, &body).await?))
}

/// The organization's meetings at the event, by time.
#[utoipa::path(get, path = "/events/{slug}/agenda", tag = "meetings", params(("slug" = String, Path), OrganizationParams),
    responses((status = 200, description = "The agenda", body = Agenda)))]
pub async fn agenda(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Path(slug): Path<String>,
    Query(params): Query<OrganizationParams>,
) -> Result<Json<Agenda>, ApiError> {
    caller.require_sign_in()?;
    Ok(Json(state.app.agenda(&caller, &slug, params.parse()?).await?))
}

/// The organization's placed meetings as an iCalendar file (RFC 5545), times in the event's
/// time zone. Each meeting keeps its UID; a moved meeting comes with a higher SEQUENCE, so a
/// calendar updates its entry instead of adding one.
#[utoipa::path(get, path = "/events/{slug}/agenda.ics", tag = "meetings", params(("slug" = String, Path), OrganizationParams),
    responses((status = 200, description = "text/calendar", content_type = "text/calendar", body = String)))]
pub async fn agenda_ics(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Path(slug): Path<String>,
    Query(params): Query<OrganizationParams>,
) -> Result<Response, ApiError> {
    caller.require_sign_in()?;
    Ok(download(state.app.agenda_calendar(&caller, &slug, params.parse()?).await?))
}

/// Records what the signed-in member's side thought of a meeting that took place: a rating
/// from 1 to 5 and whether it wants to follow up. Private to the pair and the organisers.
#[utoipa::path(put, path = "/events/{slug}/meetings/{id}/feedback", tag = "meetings",
    params(("slug" = String, Path), ("id" = i64, Path)), request_body = FeedbackBody,
    responses((status = 200, description = "The meeting", body = MeetingView),
        (status = 400, description = "`invalid-field`: `rating` is not from 1 to 5", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not-found`: no such meeting, or not one of the caller's", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn feedback(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Path((slug, meeting)): Path<(String, String)>,
    Body(body): Body<FeedbackBody>,
) -> Result<Json<MeetingView>, ApiError> {
    caller.require_sign_in()?;
    let meeting = id(&meeting, Resource::Meeting)?;
    Ok(Json(state.app.record_feedback(&caller, &slug, meeting, &body).await?))
}

/// Records what came of a meeting, for the signed-in member's side.
#[utoipa::path(put, path = "/events/{slug}/meetings/{id}/outcome", tag = "meetings",
    params(("slug" = String, Path), ("id" = i64, Path)), request_body = OutcomeBody,
    responses((status = 200, description = "The meeting", body = MeetingView)))]
pub async fn outcome(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Path((slug, meeting)): Path<(String, String)>,
    Body(body): Body<OutcomeBody>,
) -> Result<Json<MeetingView>, ApiError> {
    caller.require_sign_in()?;
    let meeting = id(&meeting, Resource::Meeting)?;
    Ok(Json(state.app.record_outcome(&caller, &slug, meeting, &body).await?))
}
