//! `/api/v1/events/{slug}/…`: meeting requests, availability, the scheduler and the published
//! schedule, agendas (JSON and iCalendar), check-in, outcomes and the event's figures.

use std::collections::HashMap;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use ketnoi_domain::access::{Action, Actor, OrgScope, authorize};
use ketnoi_domain::schedule::{self, InstanceInput, MeetingInput, ParticipantInput, PinInput, SlotInput};
use ketnoi_store::{Event, Mailbox, Meeting, MeetingRequest, MeetingStatus, OUTCOMES, RequestRules, Slot};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, Problem};
use crate::json::Body;
use crate::organizations::{event_ids, parse_id};
use crate::params::Params;

/// The longest message or note.
const MESSAGE_MAX: usize = 1_000;

use crate::events::{by_slug as event, local, managed};

/// The organization a member acts for; none for an organiser.
fn own_organization(caller: &Caller) -> Option<i64> {
    match caller.actor {
        Actor::Member { organization, .. } => Some(organization),
        Actor::Organiser { .. } | Actor::Anonymous => None,
    }
}

/// An organization, named.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OrgRef {
    pub id: i64,
    pub name: String,
    /// `startup` or `investor`.
    pub kind: String,
}

async fn names(state: &AppState, ids: impl IntoIterator<Item = i64>) -> Result<HashMap<i64, OrgRef>, ApiError> {
    let ids: Vec<i64> = ids.into_iter().collect();
    Ok(state
        .store
        .organizations_by_ids(&ids)
        .await?
        .into_iter()
        .map(|o| (o.id, OrgRef { id: o.id, name: o.profile.name.clone(), kind: o.profile.kind().as_str().to_owned() }))
        .collect())
}

fn named(names: &HashMap<i64, OrgRef>, id: i64) -> OrgRef {
    names.get(&id).cloned().unwrap_or(OrgRef { id, name: String::new(), kind: String::new() })
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RequestView {
    pub id: i64,
    pub from: OrgRef,
    pub to: OrgRef,
    pub message: String,
    /// The recipient's note when answering.
    pub note: String,
    /// pending, accepted, declined, cancelled or expired.
    pub status: String,
    /// 1 to 3: how much the requester wants the meeting; the scheduler favours higher ones.
    pub priority: u8,
    /// Unix seconds, when the organiser set an expiry.
    pub expires_at: Option<i64>,
    pub created_at: i64,
}

async fn request_views(state: &AppState, requests: Vec<MeetingRequest>) -> Result<Vec<RequestView>, ApiError> {
    let names = names(state, requests.iter().flat_map(|r| [r.requester_id, r.recipient_id])).await?;
    Ok(requests
        .into_iter()
        .map(|r| RequestView {
            id: r.id,
            from: named(&names, r.requester_id),
            to: named(&names, r.recipient_id),
            message: r.message,
            note: r.note,
            status: r.status.as_str().to_owned(),
            priority: r.priority,
            expires_at: r.expires_at,
            created_at: r.created_at,
        })
        .collect())
}

fn text(field: &'static str, value: Option<&str>) -> Result<String, ApiError> {
    ketnoi_domain::validate::text(value.unwrap_or_default(), 0, MESSAGE_MAX).map_err(|e| ApiError::invalid(field, e))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRequest {
    /// The organization asked: an investor for a startup, a startup for an investor.
    pub to: i64,
    /// A short message, up to 1,000 characters.
    pub message: Option<String>,
    /// 1 (the default), 2 or 3: when not every meeting fits, the scheduler places higher
    /// priorities first.
    #[schema(minimum = 1, maximum = 3)]
    pub priority: Option<u8>,
}

/// Asks another participant of the event for a meeting, as the signed-in member's
/// organization. One open request per pair; a startup's quota holds.
#[utoipa::path(post, path = "/events/{slug}/requests", tag = "meetings", params(("slug" = String, Path)),
    request_body = NewRequest,
    responses((status = 201, description = "The request, pending", body = RequestView),
        (status = 400, description = "Not a participant, oneself, or two of a kind", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "An open request exists, or the quota is used up", body = Problem, content_type = "application/problem+json")))]
pub async fn create_request(
    State(state): State<AppState>,
    caller: Caller,
    Path(slug): Path<String>,
    Body(body): Body<NewRequest>,
) -> Result<(StatusCode, Json<RequestView>), ApiError> {
    caller.require_sign_in()?;
    let from = own_organization(&caller).unwrap_or(-1);
    authorize(&caller.actor, &Action::SendRequest { from })?;
    let event = event(&state, &slug).await?;
    let message = text("message", body.message.as_deref())?;
    let priority = body.priority.unwrap_or(1);
    if !(1..=3).contains(&priority) {
        return Err(ApiError::invalid("priority", format!("must be 1, 2 or 3, got {priority}")));
    }
    let created = state.store.create_request(&event, from, body.to, &message, priority).await?;
    tracing::info!(request = created.id, event = %event.slug, "meeting requested");
    let mut views = request_views(&state, vec![created]).await?;
    Ok((StatusCode::CREATED, Json(views.remove(0))))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[expect(dead_code, reason = "documents the query string; the handler parses it with Params")]
pub struct MailboxQuery {
    /// `inbox` (requests to you, the default) or `outbox` (requests you sent).
    r#box: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RequestList {
    pub items: Vec<RequestView>,
}

/// The signed-in member's requests at the event, newest first, with their statuses.
#[utoipa::path(get, path = "/events/{slug}/requests", tag = "meetings", params(("slug" = String, Path), MailboxQuery),
    responses((status = 200, description = "The requests", body = RequestList)))]
pub async fn requests(
    State(state): State<AppState>,
    caller: Caller,
    Path(slug): Path<String>,
    params: Params,
) -> Result<Json<RequestList>, ApiError> {
    params.allow(&["box"])?;
    caller.require_sign_in()?;
    let mailbox = match params.get("box").unwrap_or("inbox") {
        "inbox" => Mailbox::Inbox,
        "outbox" => Mailbox::Outbox,
        other => return Err(ApiError::invalid("box", format!("must be inbox or outbox, got {other:?}"))),
    };
    // Mailboxes are the participants' own: an organiser has none.
    let own = own_organization(&caller).ok_or_else(|| ApiError::not_found("mailbox"))?;
    let event = event(&state, &slug).await?;
    authorize(&caller.actor, &Action::ReadMeetings(OrgScope { id: own, events: vec![event.id] }))?;
    let items = request_views(&state, state.store.requests(event.id, own, mailbox).await?).await?;
    Ok(Json(RequestList { items }))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnswerBody {
    /// An optional note for the requester, up to 1,000 characters.
    pub note: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Answered {
    pub request: RequestView,
    /// The meeting an acceptance created, to be placed by the scheduler.
    pub meeting: Option<MeetingView>,
}

/// The request, for the caller allowed by `action` (404 for anyone else).
async fn request_for(
    state: &AppState,
    caller: &Caller,
    event: &Event,
    id: &str,
    action: fn(&MeetingRequest) -> Action,
) -> Result<MeetingRequest, ApiError> {
    let id = parse_id(id, "request")?;
    let request = state.store.request(id).await?;
    if request.event_id != event.id {
        return Err(ApiError::not_found("request"));
    }
    authorize(&caller.actor, &action(&request))?;
    Ok(request)
}

async fn answer(
    state: AppState,
    caller: Caller,
    slug: String,
    id: String,
    note: Option<String>,
    accept: bool,
) -> Result<Json<Answered>, ApiError> {
    caller.require_sign_in()?;
    let event = event(&state, &slug).await?;
    let request =
        request_for(&state, &caller, &event, &id, |r| Action::AnswerRequest { recipient: r.recipient_id }).await?;
    let note = text("note", note.as_deref())?;
    let (request, meeting) = state.store.answer_request(&event, request.id, accept, &note).await?;
    tracing::info!(request = request.id, status = request.status.as_str(), "request answered");
    let meeting = match meeting {
        Some(m) => meeting_views(&state, &event, vec![m]).await?.pop(),
        None => None,
    };
    let request = request_views(&state, vec![request]).await?.remove(0);
    Ok(Json(Answered { request, meeting }))
}

/// Accepts a request addressed to the signed-in member's organization: the meeting exists, and
/// the organisers' scheduler will place it.
#[utoipa::path(post, path = "/events/{slug}/requests/{id}/accept", tag = "meetings",
    params(("slug" = String, Path), ("id" = i64, Path)), request_body = AnswerBody,
    responses((status = 200, description = "Accepted", body = Answered),
        (status = 409, description = "No longer pending, or the investor's quota is reached", body = Problem, content_type = "application/problem+json")))]
pub async fn accept(
    State(state): State<AppState>,
    caller: Caller,
    Path((slug, id)): Path<(String, String)>,
    Body(body): Body<AnswerBody>,
) -> Result<Json<Answered>, ApiError> {
    answer(state, caller, slug, id, body.note, true).await
}

/// Declines a request addressed to the signed-in member's organization.
#[utoipa::path(post, path = "/events/{slug}/requests/{id}/decline", tag = "meetings",
    params(("slug" = String, Path), ("id" = i64, Path)), request_body = AnswerBody,
    responses((status = 200, description = "Declined", body = Answered),
        (status = 409, description = "No longer pending", body = Problem, content_type = "application/problem+json")))]
pub async fn decline(
    State(state): State<AppState>,
    caller: Caller,
    Path((slug, id)): Path<(String, String)>,
    Body(body): Body<AnswerBody>,
) -> Result<Json<Answered>, ApiError> {
    answer(state, caller, slug, id, body.note, false).await
}

/// Withdraws a pending request the signed-in member's organization sent.
#[utoipa::path(post, path = "/events/{slug}/requests/{id}/cancel", tag = "meetings",
    params(("slug" = String, Path), ("id" = i64, Path)),
    responses((status = 200, description = "Cancelled", body = RequestView),
        (status = 409, description = "No longer pending", body = Problem, content_type = "application/problem+json")))]
pub async fn cancel(
    State(state): State<AppState>,
    caller: Caller,
    Path((slug, id)): Path<(String, String)>,
) -> Result<Json<RequestView>, ApiError> {
    caller.require_sign_in()?;
    let event = event(&state, &slug).await?;
    let request =
        request_for(&state, &caller, &event, &id, |r| Action::CancelRequest { requester: r.requester_id }).await?;
    let cancelled = state.store.cancel_request(request.id).await?;
    Ok(Json(request_views(&state, vec![cancelled]).await?.remove(0)))
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Availability {
    /// Codes of the slots the organization cannot attend (`d1-0900`).
    pub unavailable: Vec<String>,
}

/// Whose availability: the member's own organization, or `?organization=ID` for an organiser.
async fn availability_scope(
    state: &AppState,
    caller: &Caller,
    params: &Params,
    event: &Event,
) -> Result<OrgScope, ApiError> {
    let id = match params.parse("organization", |v| v.parse::<i64>().map_err(|_| "must be an organization id"))? {
        Some(id) => id,
        None => own_organization(caller).ok_or_else(|| ApiError::invalid("organization", "give the organization"))?,
    };
    let mut events = event_ids(state, id).await?;
    events.retain(|e| *e == event.id);
    Ok(OrgScope { id, events })
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[expect(dead_code, reason = "documents the query string; the handler parses it with Params")]
pub struct OrganizationQuery {
    /// The participant's id (organisers); a member's own organization when absent or empty.
    #[param(pattern = "^(|[0-9]{1,18})$")]
    organization: Option<String>,
}

fn codes(slots: &[Slot], ids: &[i64]) -> Vec<String> {
    slots.iter().filter(|s| ids.contains(&s.id)).map(|s| s.code.clone()).collect()
}

/// The slots the organization cannot attend.
#[utoipa::path(get, path = "/events/{slug}/availability", tag = "meetings", params(("slug" = String, Path), OrganizationQuery),
    responses((status = 200, description = "The unavailable slots", body = Availability)))]
pub async fn availability(
    State(state): State<AppState>,
    caller: Caller,
    Path(slug): Path<String>,
    params: Params,
) -> Result<Json<Availability>, ApiError> {
    params.allow(&["organization"])?;
    caller.require_sign_in()?;
    let event = event(&state, &slug).await?;
    let scope = availability_scope(&state, &caller, &params, &event).await?;
    let id = scope.id;
    authorize(&caller.actor, &Action::ReadMeetings(scope))?;
    let slots = state.store.slots(event.id).await?;
    Ok(Json(Availability { unavailable: codes(&slots, &state.store.unavailable(event.id, id).await?) }))
}

/// Replaces the slots the organization cannot attend (a keynote, travel). Meetings already
/// placed stay until the scheduler runs again.
#[utoipa::path(put, path = "/events/{slug}/availability", tag = "meetings", params(("slug" = String, Path), OrganizationQuery),
    request_body = Availability,
    responses((status = 200, description = "The unavailable slots now", body = Availability),
        (status = 400, description = "An unknown slot code", body = Problem, content_type = "application/problem+json")))]
pub async fn set_availability(
    State(state): State<AppState>,
    caller: Caller,
    Path(slug): Path<String>,
    params: Params,
    Body(body): Body<Availability>,
) -> Result<Json<Availability>, ApiError> {
    params.allow(&["organization"])?;
    caller.require_sign_in()?;
    let event = event(&state, &slug).await?;
    let scope = availability_scope(&state, &caller, &params, &event).await?;
    let id = scope.id;
    authorize(&caller.actor, &Action::SetAvailability(scope))?;
    let slots = state.store.slots(event.id).await?;
    let mut ids = Vec::new();
    for code in &body.unavailable {
        match slots.iter().find(|s| &s.code == code) {
            Some(slot) => ids.push(slot.id),
            None => return Err(ApiError::invalid("unavailable", format!("{code:?} is not a slot of {}", event.slug))),
        }
    }
    state.store.set_unavailable(event.id, id, &ids).await?;
    Ok(Json(Availability { unavailable: codes(&slots, &ids) }))
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MeetingView {
    pub id: i64,
    pub request_id: i64,
    pub startup: OrgRef,
    pub investor: OrgRef,
    /// The slot's code, once placed.
    pub slot: Option<String>,
    /// RFC 3339 in the event's time zone.
    pub start: Option<String>,
    pub end: Option<String>,
    pub table: Option<u32>,
    pub pinned: bool,
    pub published: bool,
    /// scheduled, checked-in, held, no-show or cancelled.
    pub status: String,
    pub startup_outcome: Option<String>,
    pub investor_outcome: Option<String>,
    /// The calendar revision (iCalendar SEQUENCE).
    pub sequence: u32,
}

async fn meeting_views(state: &AppState, event: &Event, meetings: Vec<Meeting>) -> Result<Vec<MeetingView>, ApiError> {
    let slots: HashMap<i64, Slot> = state.store.slots(event.id).await?.into_iter().map(|s| (s.id, s)).collect();
    let zone = crate::events::zone(event);
    let names = names(state, meetings.iter().flat_map(|m| [m.startup_id, m.investor_id])).await?;
    Ok(meetings
        .into_iter()
        .map(|m| {
            let slot = m.slot_id.and_then(|id| slots.get(&id));
            MeetingView {
                id: m.id,
                request_id: m.request_id,
                startup: named(&names, m.startup_id),
                investor: named(&names, m.investor_id),
                slot: slot.map(|s| s.code.clone()),
                start: slot.map(|s| local(s.starts_at, &zone)),
                end: slot.map(|s| local(s.ends_at, &zone)),
                table: m.table,
                pinned: m.pinned,
                published: m.published,
                status: m.status.as_str().to_owned(),
                startup_outcome: m.startup_outcome,
                investor_outcome: m.investor_outcome,
                sequence: m.sequence,
            }
        })
        .collect())
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Agenda {
    pub event: String,
    pub time_zone: String,
    /// Placed meetings by time, then those not placed yet.
    pub items: Vec<MeetingView>,
}

async fn agenda_of(
    state: &AppState,
    caller: &Caller,
    slug: &str,
    params: &Params,
) -> Result<(Event, Vec<MeetingView>), ApiError> {
    params.allow(&["organization"])?;
    caller.require_sign_in()?;
    let event = event(state, slug).await?;
    let scope = availability_scope(state, caller, params, &event).await?;
    let id = scope.id;
    authorize(&caller.actor, &Action::ReadMeetings(scope))?;
    let meetings = state.store.meetings_of(event.id, id).await?;
    let mut views = meeting_views(state, &event, meetings).await?;
    // Until the organisers publish, where a meeting sits is their preview, not the participants'.
    if !matches!(caller.actor, Actor::Organiser { .. }) {
        for view in views.iter_mut().filter(|v| !v.published) {
            (view.slot, view.start, view.end, view.table) = (None, None, None, None);
        }
    }
    views.sort_by(|a, b| (a.start.is_none(), &a.start).cmp(&(b.start.is_none(), &b.start)));
    Ok((event, views))
}

/// The organization's meetings at the event, by time.
#[utoipa::path(get, path = "/events/{slug}/agenda", tag = "meetings", params(("slug" = String, Path), OrganizationQuery),
    responses((status = 200, description = "The agenda", body = Agenda)))]
pub async fn agenda(
    State(state): State<AppState>,
    caller: Caller,
    Path(slug): Path<String>,
    params: Params,
) -> Result<Json<Agenda>, ApiError> {
    let (event, items) = agenda_of(&state, &caller, &slug, &params).await?;
    Ok(Json(Agenda { event: event.slug.to_string(), time_zone: event.time_zone, items }))
}

/// The organization's placed meetings as an iCalendar file (RFC 5545), times in the event's
/// time zone. Each meeting keeps its UID; a moved meeting comes with a higher SEQUENCE, so a
/// calendar updates its entry instead of adding one.
#[utoipa::path(get, path = "/events/{slug}/agenda.ics", tag = "meetings", params(("slug" = String, Path), OrganizationQuery),
    responses((status = 200, description = "text/calendar", content_type = "text/calendar", body = String)))]
pub async fn agenda_ics(
    State(state): State<AppState>,
    caller: Caller,
    Path(slug): Path<String>,
    params: Params,
) -> Result<Response, ApiError> {
    let (event, items) = agenda_of(&state, &caller, &slug, &params).await?;
    let own = own_organization(&caller);
    let body = crate::ical::calendar(&event, &items, own, jiff::Timestamp::now());
    let disposition = format!("attachment; filename=\"{}.ics\"", event.slug);
    Ok((
        [(header::CONTENT_TYPE, "text/calendar; charset=utf-8".to_owned()), (header::CONTENT_DISPOSITION, disposition)],
        body,
    )
        .into_response())
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OutcomeBody {
    /// follow-up, term-sheet, not-a-fit or invested.
    #[schema(example = "follow-up")]
    pub outcome: String,
}

/// Records what came of a meeting, for the signed-in member's side.
#[utoipa::path(put, path = "/events/{slug}/meetings/{id}/outcome", tag = "meetings",
    params(("slug" = String, Path), ("id" = i64, Path)), request_body = OutcomeBody,
    responses((status = 200, description = "The meeting", body = MeetingView)))]
pub async fn outcome(
    State(state): State<AppState>,
    caller: Caller,
    Path((slug, id)): Path<(String, String)>,
    Body(body): Body<OutcomeBody>,
) -> Result<Json<MeetingView>, ApiError> {
    caller.require_sign_in()?;
    let event = event(&state, &slug).await?;
    let meeting = state.store.meeting(parse_id(&id, "meeting")?).await?;
    if meeting.event_id != event.id {
        return Err(ApiError::not_found("meeting"));
    }
    authorize(&caller.actor, &Action::RecordOutcome { startup: meeting.startup_id, investor: meeting.investor_id })?;
    if !OUTCOMES.contains(&body.outcome.as_str()) {
        return Err(ApiError::invalid("outcome", format!("must be one of {}", OUTCOMES.join(", "))));
    }
    let side = own_organization(&caller).unwrap_or(-1);
    let updated = state.store.set_outcome(meeting.id, side, &body.outcome).await?;
    Ok(Json(meeting_views(&state, &event, vec![updated]).await?.remove(0)))
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RulesBody {
    /// Requests a startup may have pending or accepted; none for no limit.
    #[schema(minimum = 1)]
    pub request_quota: Option<u32>,
    /// Meetings an investor will take; none for no limit.
    #[schema(minimum = 1)]
    pub meeting_quota: Option<u32>,
    /// Hours until a pending request expires; none for never.
    #[schema(minimum = 1)]
    pub request_ttl_hours: Option<u32>,
}

/// Sets the event's request quotas and expiry.
#[utoipa::path(put, path = "/events/{slug}/rules", tag = "meetings", params(("slug" = String, Path)),
    request_body = RulesBody, responses((status = 200, description = "The rules now in force", body = RulesBody)))]
pub async fn set_rules(
    State(state): State<AppState>,
    caller: Caller,
    Path(slug): Path<String>,
    Body(body): Body<RulesBody>,
) -> Result<Json<RulesBody>, ApiError> {
    let event = managed(&state, &caller, &slug).await?;
    for (field, value) in [
        ("request_quota", body.request_quota),
        ("meeting_quota", body.meeting_quota),
        ("request_ttl_hours", body.request_ttl_hours),
    ] {
        if value == Some(0) {
            return Err(ApiError::invalid(field, "must be at least 1, or left out for no limit"));
        }
    }
    let rules = RequestRules {
        request_quota: body.request_quota,
        meeting_quota: body.meeting_quota,
        request_ttl_hours: body.request_ttl_hours,
    };
    state.store.set_request_rules(event.id, rules).await?;
    Ok(Json(body))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RunBody {
    /// Re-plan published meetings too; by default they stay where they are.
    #[serde(default)]
    pub full_replan: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Unplaced {
    pub meeting: i64,
    pub startup: OrgRef,
    pub investor: OrgRef,
    pub reason: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct GridSlot {
    pub code: String,
    pub start: String,
    pub tables: u16,
    /// The meetings of the slot by table.
    pub meetings: Vec<MeetingView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Grid {
    pub event: String,
    pub status: String,
    pub meetings: usize,
    pub placed: usize,
    /// A proven upper bound on the meetings any valid schedule places.
    pub upper_bound: usize,
    pub slots: Vec<GridSlot>,
    pub unplaced: Vec<Unplaced>,
}

/// Which placed meetings a scheduler run must leave where they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Keep {
    /// Pinned ones only: a full re-plan.
    Pinned,
    /// Pinned and published ones: the default run.
    Published,
    /// Every placed one: to explain what is left out of the schedule as it stands.
    Placed,
}

/// The scheduling instance of an event as it stands: live meetings weighted by their
/// requests' priority, slots with their tables, participants with their unavailable slots;
/// the meetings `keep` names are pins.
async fn instance(
    state: &AppState,
    event: &Event,
    keep: Keep,
) -> Result<(InstanceInput, Vec<Meeting>, Vec<Slot>), ApiError> {
    let slots = state.store.slots(event.id).await?;
    let meetings = state.store.meetings(event.id).await?;
    let unavailable = state.store.unavailability(event.id).await?;
    let participants: Vec<i64> = state.store.event_participants(event.id).await?.into_iter().map(|o| o.id).collect();
    let priorities = state.store.meeting_priorities(event.id).await?;
    let code: HashMap<i64, &str> = slots.iter().map(|s| (s.id, s.code.as_str())).collect();
    let input = InstanceInput {
        slots: slots
            .iter()
            .map(|s| SlotInput {
                id: s.code.clone(),
                start: Some(s.starts_at.to_string()),
                minutes: None,
                tables: u32::from(s.tables),
            })
            .collect(),
        participants: participants
            .iter()
            .map(|p| ParticipantInput {
                id: format!("o{p}"),
                available: unavailable
                    .get(p)
                    .map(|blocked| slots.iter().filter(|s| !blocked.contains(&s.id)).map(|s| s.code.clone()).collect()),
            })
            .collect(),
        meetings: meetings
            .iter()
            .map(|m| MeetingInput {
                id: format!("m{}", m.id),
                a: format!("o{}", m.startup_id),
                b: format!("o{}", m.investor_id),
                weight: priorities.get(&m.id).map(|p| f64::from(*p)),
                pinned: match (m.slot_id.and_then(|s| code.get(&s)), m.table) {
                    (Some(slot), Some(table))
                        if m.pinned || (m.published && keep != Keep::Pinned) || keep == Keep::Placed =>
                    {
                        Some(PinInput { slot: (*slot).to_owned(), table })
                    }
                    _ => None,
                },
            })
            .collect(),
    };
    Ok((input, meetings, slots))
}

async fn grid(
    state: &AppState,
    event: &Event,
    reasons: HashMap<i64, String>,
    upper_bound: usize,
) -> Result<Grid, ApiError> {
    let meetings = state.store.meetings(event.id).await?;
    let slots = state.store.slots(event.id).await?;
    let views = meeting_views(state, event, meetings).await?;
    let zone = crate::events::zone(event);
    let placed = views.iter().filter(|v| v.slot.is_some()).count();
    let mut by_slot: HashMap<String, Vec<MeetingView>> = HashMap::new();
    let mut unplaced = Vec::new();
    let total = views.len();
    for view in views {
        match &view.slot {
            Some(code) => by_slot.entry(code.clone()).or_default().push(view),
            None => unplaced.push(Unplaced {
                meeting: view.id,
                reason: reasons
                    .get(&view.id)
                    .cloned()
                    .unwrap_or_else(|| "not scheduled yet: run the scheduler".to_owned()),
                startup: view.startup,
                investor: view.investor,
            }),
        }
    }
    let slots = slots
        .into_iter()
        .map(|slot| {
            let mut meetings = by_slot.remove(&slot.code).unwrap_or_default();
            meetings.sort_by_key(|m| m.table);
            GridSlot { start: local(slot.starts_at, &zone), code: slot.code, tables: slot.tables, meetings }
        })
        .collect();
    Ok(Grid {
        event: event.slug.to_string(),
        status: event.status.as_str().to_owned(),
        meetings: total,
        placed,
        upper_bound,
        slots,
        unplaced,
    })
}

/// Runs the scheduler over the event's accepted meetings and applies the result (a preview
/// until published): pinned and published meetings stay, unless `full_replan`. The answer is
/// the grid, the meetings left out with their reasons, and the proven upper bound.
#[utoipa::path(post, path = "/events/{slug}/schedule", tag = "scheduling", params(("slug" = String, Path)),
    request_body = RunBody,
    responses((status = 200, description = "The new grid", body = Grid),
        (status = 409, description = "A pinned meeting no longer fits (a side became unavailable)", body = Problem, content_type = "application/problem+json")))]
pub async fn run(
    State(state): State<AppState>,
    caller: Caller,
    Path(slug): Path<String>,
    Body(body): Body<RunBody>,
) -> Result<Json<Grid>, ApiError> {
    let event = managed(&state, &caller, &slug).await?;
    let _scheduling = state.store.lock_scheduling(event.id).await?;
    let keep = if body.full_replan { Keep::Pinned } else { Keep::Published };
    let started = std::time::Instant::now();
    let run = solve(&state, &event, keep).await?;
    let (meetings, outcome) = (&run.meetings, &run.outcome);
    let mut placements: HashMap<i64, Option<(i64, u32)>> = run.reasons.keys().map(|id| (*id, None)).collect();
    for a in &outcome.assignments {
        if run.problem.meetings[a.meeting].pinned.is_none() {
            let slot = run.slots.iter().find(|s| s.code == run.problem.slots[a.slot].id).map(|s| s.id);
            placements.insert(run.meeting_id(a.meeting), slot.map(|slot| (slot, a.table)));
        }
    }
    // Meetings the scheduler was free to move, and nothing else.
    let free: Vec<(i64, Option<(i64, u32)>)> =
        meetings.iter().filter_map(|m| placements.get(&m.id).map(|p| (m.id, *p))).collect();
    state.store.apply_schedule(event.id, &free).await?;
    tracing::info!(
        event = %event.slug,
        placed = outcome.assignments.len(),
        upper_bound = outcome.upper_bound,
        millis = started.elapsed().as_millis() as u64,
        "schedule computed"
    );
    Ok(Json(grid(&state, &event, run.reasons, outcome.upper_bound).await?))
}

/// A scheduler run over the event as it stands, nothing written.
struct Run {
    problem: schedule::Instance,
    outcome: schedule::Outcome,
    meetings: Vec<Meeting>,
    slots: Vec<Slot>,
    /// Why each meeting left out is left out, participants named (meeting id → reason).
    reasons: HashMap<i64, String>,
}

impl Run {
    /// The database id of the instance's meeting `index` (`m42` → 42).
    fn meeting_id(&self, index: usize) -> i64 {
        self.problem.meetings[index].id[1..].parse().unwrap_or_default()
    }
}

async fn solve(state: &AppState, event: &Event, keep: Keep) -> Result<Run, ApiError> {
    let (input, meetings, slots) = instance(state, event, keep).await?;
    let problem = schedule::Instance::from_input(&input).map_err(|errors| ApiError::conflict(errors.to_string()))?;
    let outcome = tokio::task::spawn_blocking({
        let problem = problem.clone();
        move || schedule::schedule(&problem)
    })
    .await
    .map_err(|e| ApiError::internal(&e))?;
    let names = names(state, meetings.iter().flat_map(|m| [m.startup_id, m.investor_id])).await?;
    let mut run = Run { problem, outcome, meetings, slots, reasons: HashMap::new() };
    for u in &run.outcome.unscheduled {
        // The scheduler names participants by their instance ids (`o42`): show their names,
        // the longer id first so that `o36` never eats into `o366`.
        let m = &run.problem.meetings[u.meeting];
        let mut ids = [&run.problem.participants[m.a].id, &run.problem.participants[m.b].id];
        ids.sort_by_key(|id| std::cmp::Reverse(id.len()));
        let mut reason = u.reason.clone();
        for id in ids {
            let name = id[1..].parse::<i64>().ok().and_then(|org| names.get(&org)).map(|o| o.name.as_str());
            reason = reason.replace(id.as_str(), name.unwrap_or(id));
        }
        run.reasons.insert(run.meeting_id(u.meeting), reason);
    }
    Ok(run)
}

/// The schedule as it stands: slot × table, the meetings not placed and why, the bound.
#[utoipa::path(get, path = "/events/{slug}/schedule", tag = "scheduling", params(("slug" = String, Path)),
    responses((status = 200, description = "The grid", body = Grid)))]
pub async fn show(
    State(state): State<AppState>,
    caller: Caller,
    Path(slug): Path<String>,
) -> Result<Json<Grid>, ApiError> {
    let event = managed(&state, &caller, &slug).await?;
    // The bound is what a run would be measured against; the reasons are those of the schedule
    // as it stands, every placed meeting kept where it is.
    let upper_bound = solve(&state, &event, Keep::Published).await?.outcome.upper_bound;
    let as_it_stands = solve(&state, &event, Keep::Placed).await?;
    let placeable: Vec<i64> = as_it_stands
        .outcome
        .assignments
        .iter()
        .filter(|a| as_it_stands.problem.meetings[a.meeting].pinned.is_none())
        .map(|a| as_it_stands.meeting_id(a.meeting))
        .collect();
    let mut reasons = as_it_stands.reasons;
    for id in placeable {
        reasons.insert(id, "a place is free for it: run the scheduler".to_owned());
    }
    Ok(Json(grid(&state, &event, reasons, upper_bound).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MoveBody {
    /// The slot's code.
    pub slot: String,
    #[schema(minimum = 1)]
    pub table: u32,
    /// Keep it there when the scheduler runs again (default true).
    pub pinned: Option<bool>,
}

/// Moves a meeting to a slot and table by hand, pinned unless told otherwise. A side busy or
/// unavailable then, or a table in use, is a 409 and nothing moves.
#[utoipa::path(put, path = "/events/{slug}/meetings/{id}", tag = "scheduling",
    params(("slug" = String, Path), ("id" = i64, Path)), request_body = MoveBody,
    responses((status = 200, description = "The meeting where it is now", body = MeetingView),
        (status = 409, description = "The slot or table is taken, or a side cannot attend", body = Problem, content_type = "application/problem+json")))]
pub async fn move_meeting(
    State(state): State<AppState>,
    caller: Caller,
    Path((slug, id)): Path<(String, String)>,
    Body(body): Body<MoveBody>,
) -> Result<Json<MeetingView>, ApiError> {
    let event = managed(&state, &caller, &slug).await?;
    let id = parse_id(&id, "meeting")?;
    let slots = state.store.slots(event.id).await?;
    let slot = slots
        .iter()
        .find(|s| s.code == body.slot)
        .ok_or_else(|| ApiError::invalid("slot", format!("{:?} is not a slot of {}", body.slot, event.slug)))?;
    let moved = state.store.move_meeting(event.id, id, slot.id, body.table, body.pinned.unwrap_or(true)).await?;
    Ok(Json(meeting_views(&state, &event, vec![moved]).await?.remove(0)))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Published {
    /// Meetings now in the published schedule.
    pub published: u64,
}

/// Publishes the schedule: participants see their meetings; later runs leave them in place.
#[utoipa::path(post, path = "/events/{slug}/publish", tag = "scheduling", params(("slug" = String, Path)),
    responses((status = 200, description = "Published", body = Published)))]
pub async fn publish(
    State(state): State<AppState>,
    caller: Caller,
    Path(slug): Path<String>,
) -> Result<Json<Published>, ApiError> {
    let event = managed(&state, &caller, &slug).await?;
    let published = state.store.publish(event.id).await?;
    tracing::info!(event = %event.slug, published, "schedule published");
    Ok(Json(Published { published }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusBody {
    /// checked-in, held, no-show, cancelled or scheduled.
    #[schema(example = "checked-in")]
    pub status: String,
}

/// Checks a meeting in at its table, or marks it held, no-show or cancelled.
#[utoipa::path(put, path = "/events/{slug}/meetings/{id}/status", tag = "scheduling",
    params(("slug" = String, Path), ("id" = i64, Path)), request_body = StatusBody,
    responses((status = 200, description = "The meeting", body = MeetingView),
        (status = 409, description = "The meeting has no slot yet", body = Problem, content_type = "application/problem+json")))]
pub async fn set_status(
    State(state): State<AppState>,
    caller: Caller,
    Path((slug, id)): Path<(String, String)>,
    Body(body): Body<StatusBody>,
) -> Result<Json<MeetingView>, ApiError> {
    let event = managed(&state, &caller, &slug).await?;
    let status = MeetingStatus::parse(&body.status).map_err(|e| ApiError::invalid("status", e))?;
    let updated = state.store.set_meeting_status(event.id, parse_id(&id, "meeting")?, status).await?;
    Ok(Json(meeting_views(&state, &event, vec![updated]).await?.remove(0)))
}

/// The table sheet of one slot, or of every slot, as CSV for printing.
#[utoipa::path(get, path = "/events/{slug}/tables.csv", tag = "scheduling", params(("slug" = String, Path), TableSheetQuery),
    responses((status = 200, description = "slot,start,table,startup,investor,status", content_type = "text/csv", body = String)))]
pub async fn table_sheet(
    State(state): State<AppState>,
    caller: Caller,
    Path(slug): Path<String>,
    params: Params,
) -> Result<Response, ApiError> {
    params.allow(&["slot"])?;
    let event = managed(&state, &caller, &slug).await?;
    let only = params.get("slot").map(str::to_owned);
    let grid = grid(&state, &event, HashMap::new(), 0).await?;
    if let Some(code) = &only
        && !grid.slots.iter().any(|s| &s.code == code)
    {
        return Err(ApiError::invalid("slot", format!("{code:?} is not a slot of {}", event.slug)));
    }
    let mut csv = String::from("slot,start,table,startup,investor,status\n");
    let quote = |text: &str| format!("\"{}\"", text.replace('"', "\"\""));
    for slot in grid.slots.iter().filter(|s| only.as_ref().is_none_or(|c| c == &s.code)) {
        for m in &slot.meetings {
            csv.push_str(&format!(
                "{},{},{},{},{},{}\n",
                slot.code,
                slot.start,
                m.table.unwrap_or_default(),
                quote(&m.startup.name),
                quote(&m.investor.name),
                m.status
            ));
        }
    }
    let disposition = format!("attachment; filename=\"{}-tables.csv\"", event.slug);
    Ok((
        [(header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()), (header::CONTENT_DISPOSITION, disposition)],
        csv,
    )
        .into_response())
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[expect(dead_code, reason = "documents the query string; the handler parses it with Params")]
pub struct TableSheetQuery {
    /// One slot's code; every slot when absent.
    slot: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FiguresView {
    pub startups: u64,
    pub investors: u64,
    pub requests: u64,
    pub accepted: u64,
    pub declined: u64,
    pub pending: u64,
    /// Accepted over answered requests, from 0 to 1.
    pub acceptance_rate: f64,
    pub meetings: u64,
    pub placed: u64,
    pub checked_in: u64,
    pub held: u64,
    pub no_show: u64,
    /// Outcomes reported by either side.
    pub outcomes: HashMap<String, u64>,
}

/// The event's figures: participants, requests, acceptance, meetings placed, held, no-shows,
/// outcomes. Aggregates only: public.
#[utoipa::path(get, path = "/events/{slug}/figures", tag = "events", params(("slug" = String, Path)),
    responses((status = 200, description = "The figures", body = FiguresView)))]
pub async fn figures(State(state): State<AppState>, Path(slug): Path<String>) -> Result<Json<FiguresView>, ApiError> {
    let event = event(&state, &slug).await?;
    let f = state.store.figures(event.id).await?;
    let answered = f.accepted + f.declined;
    Ok(Json(FiguresView {
        startups: f.startups,
        investors: f.investors,
        requests: f.requests,
        accepted: f.accepted,
        declined: f.declined,
        pending: f.pending,
        acceptance_rate: if answered == 0 {
            0.0
        } else {
            (f.accepted as f64 / answered as f64 * 1000.0).round() / 1000.0
        },
        meetings: f.meetings,
        placed: f.placed,
        checked_in: f.checked_in,
        held: f.held,
        no_show: f.no_show,
        outcomes: f.outcomes.into_iter().collect(),
    }))
}
