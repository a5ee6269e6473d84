//! Events, their sessions and slots.

use jiff::Timestamp;
use ketnoi_domain::event::{self, EventSlug, EventStatus, SessionSpec};
use ketnoi_domain::matching::Weights;
use ketnoi_domain::money::{Currency, Rates};
use ketnoi_domain::rules::{Refusal, RequestRules, Resource};
use ketnoi_domain::validate::ValidationErrors;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
    Set,
};

use crate::entity::{event_sessions, events, meetings, participations, slots};
use crate::{Result, Store, StoreError, now};

/// The default time zone of a new event: ketnoi's events are in Vietnam.
pub const DEFAULT_TIME_ZONE: &str = "Asia/Ho_Chi_Minh";

#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub id: i64,
    pub slug: EventSlug,
    pub name: String,
    pub venue: String,
    pub time_zone: String,
    pub status: EventStatus,
    pub rates: Rates,
    pub weights: Weights,
    pub rules: RequestRules,
    /// When the organisers opened the follow-up round, if they did.
    pub follow_up_opened_at: Option<Timestamp>,
}

/// What an organiser gives to create an event.
#[derive(Debug, Clone)]
pub struct NewEvent {
    pub slug: EventSlug,
    pub name: String,
    pub venue: String,
    pub time_zone: String,
    pub rates: Rates,
    pub sessions: Vec<SessionSpec>,
}

impl NewEvent {
    /// An event known only by its slug, as the importer creates it: named after the slug, in
    /// Vietnam's time zone, with indicative rates and no sessions yet.
    pub fn from_slug(slug: EventSlug) -> Self {
        NewEvent {
            name: slug.as_str().to_owned(),
            slug,
            venue: String::new(),
            time_zone: DEFAULT_TIME_ZONE.to_owned(),
            rates: Rates::vietnam_default(),
            sessions: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slot {
    pub id: i64,
    pub code: String,
    pub starts_at: Timestamp,
    pub ends_at: Timestamp,
    pub tables: u16,
}

fn rates_to_json(rates: &Rates) -> String {
    let map: serde_json::Map<String, serde_json::Value> =
        rates.iter().map(|(currency, rate)| (currency.to_string(), serde_json::Value::from(rate))).collect();
    serde_json::Value::Object(map).to_string()
}

fn rates_from_json(base: &str, json: &str) -> Result<Rates> {
    let corrupt = |what: String| StoreError::Corrupt(format!("event currency rates: {what}"));
    let base = Currency::parse(base).map_err(|e| corrupt(e.to_string()))?;
    let map: std::collections::BTreeMap<String, f64> =
        serde_json::from_str(json).map_err(|e| corrupt(e.to_string()))?;
    let mut rates = Vec::with_capacity(map.len());
    for (code, rate) in map {
        rates.push((Currency::parse(&code).map_err(|e| corrupt(e.to_string()))?, rate));
    }
    Rates::new(base, rates).map_err(|e| corrupt(e.to_string()))
}

fn to_event(model: events::Model) -> Result<Event> {
    Ok(Event {
        id: model.id,
        slug: EventSlug::parse(&model.slug).map_err(|e| StoreError::Corrupt(format!("events.slug: {e}")))?,
        status: EventStatus::parse(&model.status).map_err(StoreError::Corrupt)?,
        rates: rates_from_json(&model.base_currency, &model.currency_rates)?,
        weights: if model.matching_weights.is_empty() {
            Weights::default()
        } else {
            serde_json::from_str(&model.matching_weights)
                .map_err(|e| StoreError::Corrupt(format!("event matching weights: {e}")))?
        },
        rules: RequestRules {
            request_quota: model.request_quota.and_then(|q| u32::try_from(q).ok()),
            meeting_quota: model.meeting_quota.and_then(|q| u32::try_from(q).ok()),
            request_ttl_hours: model.request_ttl_hours.and_then(|h| u32::try_from(h).ok()),
            digest_hours: model.digest_hours.and_then(|h| u32::try_from(h).ok()),
            reminder_minutes: model.reminder_minutes.and_then(|m| u32::try_from(m).ok()),
        },
        follow_up_opened_at: model.follow_up_opened_at.map(timestamp).transpose()?,
        name: model.name,
        venue: model.venue,
        time_zone: model.time_zone,
    })
}

fn timestamp(seconds: i64) -> Result<Timestamp> {
    Timestamp::from_second(seconds).map_err(|e| StoreError::Corrupt(format!("timestamp {seconds}: {e}")))
}

pub(crate) async fn find_by_slug(db: &impl ConnectionTrait, slug: &EventSlug) -> Result<Option<Event>> {
    events::Entity::find().filter(events::Column::Slug.eq(slug.as_str())).one(db).await?.map(to_event).transpose()
}

/// Inserts an event and its sessions and slots; the caller owns the transaction.
pub(crate) async fn insert(db: &impl ConnectionTrait, new: &NewEvent) -> Result<Event> {
    let zone = event::time_zone(&new.time_zone)
        .map_err(|issue| StoreError::Invalid(ValidationErrors::single("time_zone", issue)))?;
    let name = ketnoi_domain::validate::text(&new.name, 1, 200)
        .map_err(|issue| StoreError::Invalid(ValidationErrors::single("name", issue)))?;
    let timestamp = now();
    let model = events::ActiveModel {
        slug: Set(new.slug.as_str().to_owned()),
        name: Set(name),
        venue: Set(new.venue.trim().to_owned()),
        time_zone: Set(new.time_zone.trim().to_owned()),
        status: Set(EventStatus::Draft.as_str().to_owned()),
        base_currency: Set(new.rates.base().to_string()),
        currency_rates: Set(rates_to_json(&new.rates)),
        matching_weights: Set(String::new()),
        request_quota: Set(None),
        meeting_quota: Set(None),
        request_ttl_hours: Set(None),
        created_at: Set(timestamp),
        updated_at: Set(timestamp),
        ..Default::default()
    }
    .insert(db)
    .await?;
    if !new.sessions.is_empty() {
        insert_sessions(db, model.id, &new.sessions, &zone).await?;
    }
    to_event(model)
}

async fn insert_sessions(
    db: &impl ConnectionTrait,
    event_id: i64,
    sessions: &[SessionSpec],
    zone: &jiff::tz::TimeZone,
) -> Result<()> {
    let (resolved, planned) = event::plan_slots(sessions, zone).map_err(StoreError::Invalid)?;
    let mut session_ids = Vec::with_capacity(resolved.len());
    for session in &resolved {
        let model = event_sessions::ActiveModel {
            event_id: Set(event_id),
            name: Set(session.name.clone()),
            starts_at: Set(session.starts_at.as_second()),
            ends_at: Set(session.ends_at.as_second()),
            slot_minutes: Set(i32::from(session.slot_minutes)),
            tables: Set(i32::from(session.tables)),
            ..Default::default()
        }
        .insert(db)
        .await?;
        session_ids.push(model.id);
    }
    let rows = planned.iter().map(|slot| slots::ActiveModel {
        event_id: Set(event_id),
        session_id: Set(session_ids[slot.session]),
        code: Set(slot.code.clone()),
        starts_at: Set(slot.starts_at.as_second()),
        ends_at: Set(slot.ends_at.as_second()),
        tables: Set(i32::from(slot.tables)),
        ..Default::default()
    });
    slots::Entity::insert_many(rows).exec(db).await?;
    Ok(())
}

impl Store {
    pub async fn find_event(&self, slug: &EventSlug) -> Result<Option<Event>> {
        find_by_slug(&self.db, slug).await
    }

    pub async fn event(&self, slug: &EventSlug) -> Result<Event> {
        self.find_event(slug).await?.ok_or(StoreError::not_found(Resource::Event))
    }

    /// Creates an event with its sessions and their slots, all or nothing.
    pub async fn create_event(&self, new: &NewEvent) -> Result<Event> {
        let txn = self.begin_write().await?;
        if find_by_slug(&txn, &new.slug).await?.is_some() {
            return Err(Refusal::EventExists { slug: new.slug.to_string() }.into());
        }
        let event = insert(&txn, new).await?;
        txn.commit().await?;
        Ok(event)
    }

    /// Replaces an event's sessions and slots. Refused once meetings are placed in its slots
    /// (the database's foreign keys would otherwise orphan them).
    pub async fn replace_sessions(&self, slug: &EventSlug, sessions: &[SessionSpec]) -> Result<()> {
        let txn = self.begin_write().await?;
        let event = find_by_slug(&txn, slug).await?.ok_or(StoreError::not_found(Resource::Event))?;
        let placed = meetings::Entity::find()
            .filter(meetings::Column::EventId.eq(event.id))
            .filter(meetings::Column::SlotId.is_not_null())
            .count(&txn)
            .await?;
        if placed > 0 {
            return Err(Refusal::SessionsLocked { placed }.into());
        }
        let zone =
            event::time_zone(&event.time_zone).map_err(|e| StoreError::Corrupt(format!("events.time_zone: {e}")))?;
        slots::Entity::delete_many().filter(slots::Column::EventId.eq(event.id)).exec(&txn).await?;
        event_sessions::Entity::delete_many().filter(event_sessions::Column::EventId.eq(event.id)).exec(&txn).await?;
        insert_sessions(&txn, event.id, sessions, &zone).await?;
        txn.commit().await?;
        Ok(())
    }

    /// An event's sessions as they were set, in local dates and times, by start.
    pub async fn sessions(&self, event: &Event) -> Result<Vec<SessionSpec>> {
        let zone = event::time_zone(&event.time_zone).unwrap_or(jiff::tz::TimeZone::UTC);
        let rows = event_sessions::Entity::find()
            .filter(event_sessions::Column::EventId.eq(event.id))
            .order_by_asc(event_sessions::Column::StartsAt)
            .all(&self.db)
            .await?;
        let local = |second: i64| {
            Timestamp::from_second(second)
                .map(|at| at.to_zoned_datetime(zone.clone()).datetime())
                .map_err(|e| StoreError::Corrupt(format!("event_sessions time: {e}")))
        };
        rows.into_iter()
            .map(|row| {
                let (start, end) = (local(row.starts_at)?, local(row.ends_at)?);
                Ok(SessionSpec {
                    name: row.name,
                    date: start.date(),
                    start: start.time(),
                    end: end.time(),
                    slot_minutes: u16::try_from(row.slot_minutes).unwrap_or_default(),
                    tables: u16::try_from(row.tables).unwrap_or_default(),
                })
            })
            .collect()
    }

    /// An event's slots in time order.
    pub async fn slots(&self, event_id: i64) -> Result<Vec<Slot>> {
        let rows = slots::Entity::find()
            .filter(slots::Column::EventId.eq(event_id))
            .order_by_asc(slots::Column::StartsAt)
            .order_by_asc(slots::Column::Id)
            .all(&self.db)
            .await?;
        rows.into_iter()
            .map(|row| {
                Ok(Slot {
                    id: row.id,
                    code: row.code,
                    starts_at: timestamp(row.starts_at)?,
                    ends_at: timestamp(row.ends_at)?,
                    tables: u16::try_from(row.tables).map_err(|e| StoreError::Corrupt(e.to_string()))?,
                })
            })
            .collect()
    }
}

impl Store {
    /// Every event, newest first.
    pub async fn events(&self) -> Result<Vec<Event>> {
        let rows = events::Entity::find().order_by_desc(events::Column::Id).all(&self.db).await?;
        rows.into_iter().map(to_event).collect()
    }
}

impl Store {
    /// Sets an event's matching weights after checking them.
    pub async fn set_matching_weights(&self, slug: &EventSlug, weights: &Weights) -> Result<()> {
        weights.validate().map_err(StoreError::Invalid)?;
        let json = serde_json::to_string(weights).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let txn = self.begin_write().await?;
        let event = find_by_slug(&txn, slug).await?.ok_or(StoreError::not_found(Resource::Event))?;
        events::ActiveModel {
            id: Set(event.id),
            matching_weights: Set(json),
            updated_at: Set(now()),
            ..Default::default()
        }
        .update(&txn)
        .await?;
        txn.commit().await?;
        Ok(())
    }

    /// The events an organization takes part in, newest first.
    pub async fn events_of_organization(&self, organization_id: i64) -> Result<Vec<Event>> {
        let rows = events::Entity::find()
            .inner_join(participations::Entity)
            .filter(participations::Column::OrganizationId.eq(organization_id))
            .order_by_desc(events::Column::Id)
            .all(&self.db)
            .await?;
        rows.into_iter().map(to_event).collect()
    }

    /// The ids of an event's participants.
    pub async fn participant_ids(&self, event_id: i64) -> Result<Vec<i64>> {
        Ok(participations::Entity::find()
            .select_only()
            .column(participations::Column::OrganizationId)
            .filter(participations::Column::EventId.eq(event_id))
            .into_tuple()
            .all(&self.db)
            .await?)
    }

    /// Every participant of an event.
    pub async fn event_participants(&self, event_id: i64) -> Result<Vec<crate::Organization>> {
        let rows = crate::entity::organizations::Entity::find()
            .inner_join(participations::Entity)
            .filter(participations::Column::EventId.eq(event_id))
            .all(&self.db)
            .await?;
        rows.into_iter().map(crate::organizations::from_model).collect()
    }

    /// The organizations `organization_id` has asked, been asked by, or met at an event (any
    /// request that is not cancelled or expired).
    pub async fn counterparts_in_contact(
        &self,
        event_id: i64,
        organization_id: i64,
    ) -> Result<std::collections::HashSet<i64>> {
        use crate::entity::meeting_requests::{Column, Entity};
        use sea_orm::Condition;
        let rows = Entity::find()
            .filter(Column::EventId.eq(event_id))
            .filter(
                Condition::any()
                    .add(Column::RequesterId.eq(organization_id))
                    .add(Column::RecipientId.eq(organization_id)),
            )
            .filter(
                Column::Status
                    .is_in(ketnoi_domain::rules::RequestStatus::ALL.iter().filter(|s| s.is_open()).map(|s| s.as_str())),
            )
            .all(&self.db)
            .await?;
        Ok(rows
            .into_iter()
            .map(|row| if row.requester_id == organization_id { row.recipient_id } else { row.requester_id })
            .collect())
    }
}
