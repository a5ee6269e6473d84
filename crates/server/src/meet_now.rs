//! `/api/v1/events/{slug}/meet-now…`: instant meetings on the day, after a no-show, a
//! cancellation or a participant free for a slot.

use axum::Json;
use axum::extract::{Path, State};
use ketnoi_app::meet_now::{FreeBody, ProposalList, ProposalView};
use ketnoi_domain::rules::Resource;

use crate::AppState;
use crate::auth::Auth;
use crate::error::{ApiError, Problem};
use crate::json::Body;
use crate::organizations::id;

/// The signed-in member's open meet-now proposals at the event (slots not over), or all of the
/// event's for its organisers.
#[utoipa::path(get, path = "/events/{slug}/meet-now", tag = "meet-now", params(("slug" = String, Path)),
    responses((status = 200, description = "Open proposals, oldest first", body = ProposalList)))]
pub async fn proposals(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Path(slug): Path<String>,
) -> Result<Json<ProposalList>, ApiError> {
    caller.require_sign_in()?;
    Ok(Json(state.app.meet_now(&caller, &slug).await?))
}

/// Accepts a proposal for the signed-in member's side. When the other side has accepted too,
/// the meeting is placed at the proposal's table (`status` `met`, `meeting` its id).
#[utoipa::path(post, path = "/events/{slug}/meet-now/{id}/accept", tag = "meet-now",
    params(("slug" = String, Path), ("id" = i64, Path)),
    responses((status = 200, description = "The proposal", body = ProposalView),
        (status = 404, description = "`not-found`: no such proposal, or not one of the caller's", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`proposal-gone`: another pair took the table or a side first, a side declined, or the slot is over; nothing is created", body = Problem, content_type = "application/problem+json")))]
pub async fn accept(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Path((slug, proposal)): Path<(String, String)>,
) -> Result<Json<ProposalView>, ApiError> {
    caller.require_sign_in()?;
    let proposal = id(&proposal, Resource::Proposal)?;
    Ok(Json(state.app.answer_proposal(&caller, &slug, proposal, true).await?))
}

/// Declines a proposal for the signed-in member's side; the pair is not proposed again.
#[utoipa::path(post, path = "/events/{slug}/meet-now/{id}/decline", tag = "meet-now",
    params(("slug" = String, Path), ("id" = i64, Path)),
    responses((status = 200, description = "The proposal", body = ProposalView),
        (status = 404, description = "`not-found`: no such proposal, or not one of the caller's", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`proposal-gone`: no longer open", body = Problem, content_type = "application/problem+json")))]
pub async fn decline(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Path((slug, proposal)): Path<(String, String)>,
) -> Result<Json<ProposalView>, ApiError> {
    caller.require_sign_in()?;
    let proposal = id(&proposal, Resource::Proposal)?;
    Ok(Json(state.app.answer_proposal(&caller, &slug, proposal, false).await?))
}

/// The signed-in member's organization is at the venue and free in a slot not over yet:
/// proposals are made at once. Returns its open proposals for that slot.
#[utoipa::path(post, path = "/events/{slug}/meet-now/free", tag = "meet-now", params(("slug" = String, Path)),
    request_body = FreeBody,
    responses((status = 200, description = "Its open proposals in the slot", body = ProposalList),
        (status = 400, description = "`invalid-field`: `slot` is not a slot of the event", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`slot-over`: the slot is over; `participant-busy`: a meeting of its own is placed then", body = Problem, content_type = "application/problem+json")))]
pub async fn free(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Path(slug): Path<String>,
    Body(body): Body<FreeBody>,
) -> Result<Json<ProposalList>, ApiError> {
    caller.require_sign_in()?;
    Ok(Json(state.app.mark_free(&caller, &slug, &body).await?))
}
