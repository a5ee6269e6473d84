//! `/api/v1/events/{slug}`: an event, its slots and its participant counts.

use axum::Json;
use axum::extract::{Path, State};
use ketnoi_domain::event::EventSlug;
use ketnoi_domain::profile::OrgKind;
use ketnoi_store::OrganizationQuery;
use serde::Serialize;

use crate::AppState;
use crate::error::ApiError;

#[derive(Debug, Serialize)]
pub struct SlotView {
    pub code: String,
    /// RFC 3339 in the event's time zone.
    pub start: String,
    pub minutes: i64,
    pub tables: u16,
}

#[derive(Debug, Serialize)]
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

/// `GET /api/v1/events/{slug}`
pub async fn get(State(state): State<AppState>, Path(slug): Path<String>) -> Result<Json<EventView>, ApiError> {
    let slug = EventSlug::parse(&slug).map_err(|_| ApiError::not_found("event"))?;
    let event = state.store.event(&slug).await?;
    let zone = ketnoi_domain::event::time_zone(&event.time_zone).unwrap_or(jiff::tz::TimeZone::UTC);
    let count = |kind| OrganizationQuery { event_id: Some(event.id), kind: Some(kind), ..Default::default() };
    let startups = state.store.organizations(&count(OrgKind::Startup)).await?.total;
    let investors = state.store.organizations(&count(OrgKind::Investor)).await?.total;
    let slots = state
        .store
        .slots(event.id)
        .await?
        .into_iter()
        .map(|slot| SlotView {
            start: slot.starts_at.to_zoned_datetime(zone.clone()).strftime("%Y-%m-%dT%H:%M:%S%:z").to_string(),
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
