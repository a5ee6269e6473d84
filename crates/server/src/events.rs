//! `/api/v1/events/{slug}`: an event, its slots and its participant counts.

use axum::Json;
use axum::extract::{Path, State};
use ketnoi_domain::access::{Action, authorize};
use ketnoi_domain::event::EventSlug;
use ketnoi_domain::matching::Weights;
use ketnoi_domain::profile::OrgKind;
use ketnoi_store::OrganizationQuery;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, Problem};
use crate::json::Body;
use crate::organizations::OrganizationView;

#[derive(Debug, Serialize, ToSchema)]
pub struct SlotView {
    pub code: String,
    /// RFC 3339 in the event's time zone.
    pub start: String,
    pub minutes: i64,
    pub tables: u16,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EventView {
    pub slug: String,
    pub name: String,
    pub venue: String,
    pub time_zone: String,
    pub status: &'static str,
    pub startups: u64,
    pub investors: u64,
    pub slots: Vec<SlotView>,
}

fn slug(slug: &str) -> Result<EventSlug, ApiError> {
    EventSlug::parse(slug).map_err(|_| ApiError::not_found("event"))
}

/// The event named by a path's slug; 404 when there is none.
pub(crate) async fn by_slug(state: &AppState, slug: &str) -> Result<ketnoi_store::Event, ApiError> {
    Ok(state.store.event(&self::slug(slug)?).await?)
}

/// The event's time zone (UTC if its name is no longer known).
pub(crate) fn zone(event: &ketnoi_store::Event) -> jiff::tz::TimeZone {
    ketnoi_domain::event::time_zone(&event.time_zone).unwrap_or(jiff::tz::TimeZone::UTC)
}

/// RFC 3339 in `zone`: `2023-11-24T09:00:00+07:00`.
pub(crate) fn local(at: jiff::Timestamp, zone: &jiff::tz::TimeZone) -> String {
    at.to_zoned_datetime(zone.clone()).strftime("%Y-%m-%dT%H:%M:%S%:z").to_string()
}

/// An event, its slots and how many startups and investors take part.
#[utoipa::path(get, path = "/events/{slug}", tag = "events", params(("slug" = String, Path)),
    responses((status = 200, description = "The event", body = EventView),
        (status = 404, description = "No such event", body = Problem, content_type = "application/problem+json")))]
pub async fn get(State(state): State<AppState>, Path(slug): Path<String>) -> Result<Json<EventView>, ApiError> {
    let event = by_slug(&state, &slug).await?;
    let zone = zone(&event);
    let count = |kind| OrganizationQuery { event_id: Some(event.id), kind: Some(kind), ..Default::default() };
    let startups = state.store.organizations(&count(OrgKind::Startup)).await?.total;
    let investors = state.store.organizations(&count(OrgKind::Investor)).await?.total;
    let slots = state
        .store
        .slots(event.id)
        .await?
        .into_iter()
        .map(|slot| SlotView {
            start: local(slot.starts_at, &zone),
            minutes: (slot.ends_at.as_second() - slot.starts_at.as_second()) / 60,
            code: slot.code,
            tables: slot.tables,
        })
        .collect();
    Ok(Json(EventView {
        slug: event.slug.to_string(),
        name: event.name,
        venue: event.venue,
        time_zone: event.time_zone,
        status: event.status.as_str(),
        startups,
        investors,
        slots,
    }))
}

/// An event and the organiser's right to manage it: 404 for everyone else.
pub(crate) async fn managed(state: &AppState, caller: &Caller, slug: &str) -> Result<ketnoi_store::Event, ApiError> {
    caller.require_sign_in()?;
    let event = by_slug(state, slug).await?;
    authorize(&caller.actor, &Action::ManageEvent { event: event.id })?;
    Ok(event)
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Participants {
    pub items: Vec<OrganizationView>,
}

/// Every participant of the event with contacts and private figures: for its organisers.
#[utoipa::path(get, path = "/events/{slug}/participants", tag = "events", params(("slug" = String, Path)),
    responses((status = 200, description = "The participants, by name", body = Participants),
        (status = 404, description = "No such event, or not yours", body = Problem, content_type = "application/problem+json")))]
pub async fn participants(
    State(state): State<AppState>,
    caller: Caller,
    Path(slug): Path<String>,
) -> Result<Json<Participants>, ApiError> {
    let event = managed(&state, &caller, &slug).await?;
    let items = state.store.event_participants(event.id).await?.into_iter().map(OrganizationView::private).collect();
    Ok(Json(Participants { items }))
}

/// The weights of the matching factors, each from 0 to 10.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WeightsBody {
    pub sector: f64,
    pub stage: f64,
    pub ticket: f64,
    pub geography: f64,
    pub text: f64,
}

/// Sets how much each matching factor counts in this event's recommendations.
#[utoipa::path(put, path = "/events/{slug}/weights", tag = "events", params(("slug" = String, Path)),
    request_body = WeightsBody,
    responses((status = 200, description = "The weights now in force", body = WeightsBody),
        (status = 400, description = "A weight is out of range", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such event, or not yours", body = Problem, content_type = "application/problem+json")))]
pub async fn set_weights(
    State(state): State<AppState>,
    caller: Caller,
    Path(slug): Path<String>,
    Body(body): Body<WeightsBody>,
) -> Result<Json<WeightsBody>, ApiError> {
    let event = managed(&state, &caller, &slug).await?;
    let weights = Weights {
        sector: body.sector,
        stage: body.stage,
        ticket: body.ticket,
        geography: body.geography,
        text: body.text,
    };
    state.store.set_matching_weights(&event.slug, &weights).await?;
    Ok(Json(body))
}

/// One session of an event: a day's block of meetings.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SessionBody {
    #[schema(example = "Ngày 1 – sáng")]
    pub name: String,
    /// The local date, `2023-11-24`.
    #[schema(example = "2023-11-24")]
    pub date: String,
    /// Local start time, `09:00`.
    #[schema(example = "09:00")]
    pub start: String,
    /// Local end time, `12:00`.
    #[schema(example = "12:00")]
    pub end: String,
    #[schema(minimum = 5, maximum = 240, example = 20)]
    pub slot_minutes: u16,
    #[schema(minimum = 1, maximum = 1000, example = 20)]
    pub tables: u16,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SessionsBody {
    pub sessions: Vec<SessionBody>,
}

/// Replaces the event's sessions, and so its slots and tables. Refused once meetings are
/// placed in the current slots.
#[utoipa::path(put, path = "/events/{slug}/sessions", tag = "events", params(("slug" = String, Path)),
    request_body = SessionsBody,
    responses((status = 200, description = "The event with its new slots", body = EventView),
        (status = 409, description = "Meetings are placed in the current slots", body = Problem, content_type = "application/problem+json")))]
pub async fn set_sessions(
    State(state): State<AppState>,
    caller: Caller,
    Path(slug): Path<String>,
    Body(body): Body<SessionsBody>,
) -> Result<Json<EventView>, ApiError> {
    let event = managed(&state, &caller, &slug).await?;
    let mut sessions = Vec::with_capacity(body.sessions.len());
    for (index, session) in body.sessions.iter().enumerate() {
        let field = |name: &str| format!("sessions[{index}].{name}");
        let date: jiff::civil::Date =
            session.date.parse().map_err(|_| ApiError::invalid(field("date"), "must be a date like 2023-11-24"))?;
        let time = |name: &str, text: &str| -> Result<jiff::civil::Time, ApiError> {
            text.parse().map_err(|_| ApiError::invalid(field(name), "must be a time like 09:00"))
        };
        sessions.push(ketnoi_domain::event::SessionSpec {
            name: session.name.clone(),
            date,
            start: time("start", &session.start)?,
            end: time("end", &session.end)?,
            slot_minutes: session.slot_minutes,
            tables: session.tables,
        });
    }
    state.store.replace_sessions(&event.slug, &sessions).await?;
    get(State(state), Path(slug)).await
}

/// CSV files to import, as text: the columns of the command line's import (docs/api.md).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ImportBody {
    /// `name,sectors,stage,country,province,funding_ask,currency,founded,team_size,website,email,description`
    pub startups: Option<String>,
    /// `name,investor_type,sectors,stages,ticket_min,ticket_max,currency,countries,website,email,thesis`
    pub investors: Option<String>,
    /// Check everything and report what would change, writing nothing.
    #[serde(default)]
    pub dry_run: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ImportResult {
    pub dry_run: bool,
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
}

/// Imports startups and investors into the event from CSV text, all or nothing; with
/// `dry_run`, a preview. A bad row is a 400 naming `file:line:column` for each problem, and
/// nothing is written. For files over the 1 MiB body limit, use `ketnoi import`.
#[utoipa::path(post, path = "/events/{slug}/import", tag = "events", params(("slug" = String, Path)),
    request_body = ImportBody,
    responses((status = 200, description = "What the import did, or would do", body = ImportResult),
        (status = 400, description = "Problems by file, line and column; nothing written", body = Problem, content_type = "application/problem+json")))]
pub async fn import(
    State(state): State<AppState>,
    caller: Caller,
    Path(slug): Path<String>,
    Body(body): Body<ImportBody>,
) -> Result<Json<ImportResult>, ApiError> {
    let event = managed(&state, &caller, &slug).await?;
    if body.startups.is_none() && body.investors.is_none() {
        return Err(ApiError::invalid("startups", "give startups, investors or both"));
    }
    let new_event = ketnoi_store::NewEvent::from_slug(event.slug.clone());
    let summary = state
        .store
        .import_csv(
            &new_event,
            body.startups.as_deref().map(|text| ("startups", text.as_bytes())),
            body.investors.as_deref().map(|text| ("investors", text.as_bytes())),
            crate::current_year(),
            &(),
            !body.dry_run,
        )
        .await?;
    if !body.dry_run {
        tracing::info!(event = %event.slug, created = summary.created, updated = summary.updated, "participants imported");
    }
    Ok(Json(ImportResult {
        dry_run: body.dry_run,
        created: summary.created,
        updated: summary.updated,
        unchanged: summary.unchanged,
    }))
}
