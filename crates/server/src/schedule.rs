//! `/api/v1/events/{slug}/…` for organisers: the scheduler and its grid, moves and pins,
//! publication, check-in at the tables and the table sheets.

use axum::Json;
use axum::extract::{Path, State};
use axum::response::Response;
use ketnoi_app::meetings::MeetingView;
use ketnoi_app::schedule::{Grid, MoveBody, Published, RunBody, StatusBody};
use ketnoi_domain::rules::Resource;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::AppState;
use crate::auth::Auth;
use crate::error::{ApiError, Problem};
use crate::json::Body;
use crate::meetings::download;
use crate::organizations::id;
use crate::params::Query;

/// Runs the scheduler over the event's accepted meetings and applies the result (a preview
/// until published): pinned and published meetings stay, unless `full_replan`. The answer is
/// the grid, the meetings left out with their reasons, and the proven upper bound.
#[utoipa::path(post, path = "/events/{slug}/schedule", tag = "scheduling", params(("slug" = String, Path)),
    request_body = RunBody,
    responses((status = 200, description = "The new grid", body = Grid),
        (status = 409, description = "`pin-unavailable`: a pinned or published meeting sits in a slot a side can no longer attend", body = Problem, content_type = "application/problem+json")))]
pub async fn run(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Path(slug): Path<String>,
    Body(body): Body<RunBody>,
) -> Result<Json<Grid>, ApiError> {
    Ok(Json(state.app.run_scheduler(&caller, &slug, &body).await?))
}

/// The schedule as it stands: slot × table, the meetings not placed and why, the bound.
#[utoipa::path(get, path = "/events/{slug}/schedule", tag = "scheduling", params(("slug" = String, Path)),
    responses((status = 200, description = "The grid", body = Grid)))]
pub async fn show(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Path(slug): Path<String>,
) -> Result<Json<Grid>, ApiError> {
    Ok(Json(state.app.schedule(&caller, &slug).await?))
}

/// Moves a meeting to a slot and table by hand, pinned unless told otherwise. A side busy or
/// unavailable then, or a table in use, is refused naming who or what, and nothing moves.
#[utoipa::path(put, path = "/events/{slug}/meetings/{id}", tag = "scheduling",
    params(("slug" = String, Path), ("id" = i64, Path)), request_body = MoveBody,
    responses((status = 200, description = "The meeting where it is now", body = MeetingView),
        (status = 400, description = "`unknown-slot`, `unknown-table`", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`participant-busy`, `table-taken`, `slot-unavailable`, `meeting-cancelled`", body = Problem, content_type = "application/problem+json")))]
pub async fn move_meeting(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Path((slug, meeting)): Path<(String, String)>,
    Body(body): Body<MoveBody>,
) -> Result<Json<MeetingView>, ApiError> {
    caller.require_sign_in()?;
    let meeting = id(&meeting, Resource::Meeting)?;
    Ok(Json(state.app.move_meeting(&caller, &slug, meeting, &body).await?))
}

/// Publishes the schedule: participants see their meetings; later runs leave them in place.
#[utoipa::path(post, path = "/events/{slug}/publish", tag = "scheduling", params(("slug" = String, Path)),
    responses((status = 200, description = "Published", body = Published)))]
pub async fn publish(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Path(slug): Path<String>,
) -> Result<Json<Published>, ApiError> {
    Ok(Json(state.app.publish(&caller, &slug).await?))
}

/// Checks a meeting in at its table, or marks it held, no-show, cancelled or scheduled again.
#[utoipa::path(put, path = "/events/{slug}/meetings/{id}/status", tag = "scheduling",
    params(("slug" = String, Path), ("id" = i64, Path)), request_body = StatusBody,
    responses((status = 200, description = "The meeting", body = MeetingView),
        (status = 409, description = "`meeting-not-placed`: the meeting has no slot yet; `meeting-status-change`: a cancelled meeting stays cancelled", body = Problem, content_type = "application/problem+json")))]
pub async fn set_status(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Path((slug, meeting)): Path<(String, String)>,
    Body(body): Body<StatusBody>,
) -> Result<Json<MeetingView>, ApiError> {
    caller.require_sign_in()?;
    let meeting = id(&meeting, Resource::Meeting)?;
    Ok(Json(state.app.set_meeting_status(&caller, &slug, meeting, &body).await?))
}

/// Which slot's table sheet.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct TableSheetParams {
    /// One slot's code; every slot when absent.
    slot: Option<String>,
}

/// The table sheet of one slot, or of every slot, as CSV for printing (UTF-8 with a
/// byte-order mark, so that spreadsheets read the names).
#[utoipa::path(get, path = "/events/{slug}/tables.csv", tag = "scheduling", params(("slug" = String, Path), TableSheetParams),
    responses((status = 200, description = "slot,start,table,startup,investor,status", content_type = "text/csv", body = String)))]
pub async fn table_sheet(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Path(slug): Path<String>,
    Query(params): Query<TableSheetParams>,
) -> Result<Response, ApiError> {
    let slot = ketnoi_app::organizations::given(&params.slot);
    Ok(download(state.app.table_sheet(&caller, &slug, slot).await?))
}
