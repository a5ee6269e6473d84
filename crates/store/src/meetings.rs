//! Meeting requests, availability and meetings: a request is accepted into a meeting, the
//! scheduler gives meetings a slot and a table, the organiser moves, pins, publishes and checks
//! them in. The database's unique indexes are the last guard against double booking: of two
//! concurrent changes that collide, one commits and the other is a conflict.

use std::collections::{HashMap, HashSet};

use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    Set,
};

use crate::entity::{meeting_requests, meetings, organizations, participations, slots, unavailable_slots};
use crate::events::RequestRules;
use crate::{Event, Result, Store, StoreError, now};

/// Where a request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestStatus {
    Pending,
    Accepted,
    Declined,
    Cancelled,
    Expired,
}

impl RequestStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RequestStatus::Pending => "pending",
            RequestStatus::Accepted => "accepted",
            RequestStatus::Declined => "declined",
            RequestStatus::Cancelled => "cancelled",
            RequestStatus::Expired => "expired",
        }
    }

    fn parse(text: &str) -> Result<Self> {
        Ok(match text {
            "pending" => RequestStatus::Pending,
            "accepted" => RequestStatus::Accepted,
            "declined" => RequestStatus::Declined,
            "cancelled" => RequestStatus::Cancelled,
            "expired" => RequestStatus::Expired,
            other => return Err(StoreError::Corrupt(format!("meeting_requests.status: {other:?}"))),
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeetingRequest {
    pub id: i64,
    pub event_id: i64,
    pub requester_id: i64,
    pub recipient_id: i64,
    pub message: String,
    pub note: String,
    pub status: RequestStatus,
    /// 1 (default) to 3: how much the requester wants the meeting; the scheduler's weight.
    pub priority: u8,
    pub expires_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

fn request(row: meeting_requests::Model, at: i64) -> Result<MeetingRequest> {
    let mut status = RequestStatus::parse(&row.status)?;
    if status == RequestStatus::Pending && row.expires_at.is_some_and(|end| end <= at) {
        status = RequestStatus::Expired;
    }
    Ok(MeetingRequest {
        id: row.id,
        event_id: row.event_id,
        requester_id: row.requester_id,
        recipient_id: row.recipient_id,
        message: row.message,
        note: row.note,
        status,
        priority: u8::try_from(row.priority.clamp(1, 3)).unwrap_or(1),
        expires_at: row.expires_at,
        created_at: row.created_at,
        updated_at: row.updated_at,
    })
}

/// A meeting's life: scheduled (placed or not yet) → checked-in → held | no-show; or cancelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MeetingStatus {
    Scheduled,
    CheckedIn,
    Held,
    NoShow,
    Cancelled,
}

impl MeetingStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            MeetingStatus::Scheduled => "scheduled",
            MeetingStatus::CheckedIn => "checked-in",
            MeetingStatus::Held => "held",
            MeetingStatus::NoShow => "no-show",
            MeetingStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(text: &str) -> Result<Self, String> {
        Ok(match text {
            "scheduled" => MeetingStatus::Scheduled,
            "checked-in" => MeetingStatus::CheckedIn,
            "held" => MeetingStatus::Held,
            "no-show" => MeetingStatus::NoShow,
            "cancelled" => MeetingStatus::Cancelled,
            other => return Err(format!("{other:?} is not scheduled, checked-in, held, no-show or cancelled")),
        })
    }
}

/// What each side says came of a meeting.
pub const OUTCOMES: [&str; 4] = ["follow-up", "term-sheet", "not-a-fit", "invested"];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Meeting {
    pub id: i64,
    pub event_id: i64,
    pub request_id: i64,
    pub startup_id: i64,
    pub investor_id: i64,
    pub slot_id: Option<i64>,
    pub table: Option<u32>,
    pub pinned: bool,
    pub published: bool,
    pub sequence: u32,
    pub status: MeetingStatus,
    pub startup_outcome: Option<String>,
    pub investor_outcome: Option<String>,
}

fn meeting(row: meetings::Model) -> Result<Meeting> {
    Ok(Meeting {
        id: row.id,
        event_id: row.event_id,
        request_id: row.request_id,
        startup_id: row.startup_id,
        investor_id: row.investor_id,
        slot_id: row.slot_id,
        table: row.table_no.and_then(|t| u32::try_from(t).ok()),
        pinned: row.pinned,
        published: row.published,
        sequence: u32::try_from(row.sequence).unwrap_or(0),
        status: MeetingStatus::parse(&row.status).map_err(StoreError::Corrupt)?,
        startup_outcome: row.startup_outcome,
        investor_outcome: row.investor_outcome,
    })
}

/// Which requests to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mailbox {
    Inbox,
    Outbox,
}

/// A placement the scheduler chose: `None` leaves the meeting without a slot.
pub type Placement = (i64, Option<(i64, u32)>);

/// The event's figures.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Figures {
    pub startups: u64,
    pub investors: u64,
    pub requests: u64,
    pub accepted: u64,
    pub declined: u64,
    pub pending: u64,
    pub meetings: u64,
    pub placed: u64,
    pub checked_in: u64,
    pub held: u64,
    pub no_show: u64,
    /// Outcomes reported by either side, by name.
    pub outcomes: Vec<(String, u64)>,
}

fn conflict(message: impl Into<String>) -> StoreError {
    StoreError::Conflict(message.into())
}

fn invalid(field: &'static str, message: impl Into<String>) -> StoreError {
    StoreError::Invalid(ketnoi_domain::validate::ValidationErrors::single(field, message))
}

/// A unique-index violation on a meeting's slot, in words.
fn taken(error: StoreError) -> StoreError {
    match error {
        StoreError::Conflict(_) => {
            conflict("that slot is taken: a participant already meets someone then, or the table is in use")
        }
        other => other,
    }
}

async fn participates(
    db: &impl ConnectionTrait,
    event_id: i64,
    organization_id: i64,
) -> Result<Option<participations::Model>> {
    Ok(participations::Entity::find()
        .filter(participations::Column::EventId.eq(event_id))
        .filter(participations::Column::OrganizationId.eq(organization_id))
        .one(db)
        .await?)
}

impl Store {
    /// Sets an event's quotas and request expiry.
    pub async fn set_request_rules(&self, event_id: i64, rules: RequestRules) -> Result<()> {
        let to_db = |value: Option<u32>| value.map(|v| i32::try_from(v).unwrap_or(i32::MAX));
        crate::entity::events::ActiveModel {
            id: Set(event_id),
            request_quota: Set(to_db(rules.request_quota)),
            meeting_quota: Set(to_db(rules.meeting_quota)),
            request_ttl_hours: Set(to_db(rules.request_ttl_hours)),
            updated_at: Set(now()),
            ..Default::default()
        }
        .update(&self.db)
        .await?;
        Ok(())
    }

    /// `requester` asks `recipient` for a meeting at `event`, with a priority from 1 to 3. Both
    /// must take part, one a startup and the other an investor; one open request per pair; the
    /// startup's quota holds.
    pub async fn create_request(
        &self,
        event: &Event,
        requester: i64,
        recipient: i64,
        message: &str,
        priority: u8,
    ) -> Result<MeetingRequest> {
        if requester == recipient {
            return Err(invalid("to", "an organization cannot ask itself for a meeting"));
        }
        let txn = self.begin_write().await?;
        // Quotas are counted, then written: one writer at a time on PostgreSQL too.
        crate::outbox::lock_writers(&txn).await?;
        let at = now();
        let mut kinds = HashMap::new();
        for (field, id) in [("from", requester), ("to", recipient)] {
            if participates(&txn, event.id, id).await?.is_none() {
                return Err(invalid(field, format!("organization {id} does not take part in {}", event.slug)));
            }
            let org = organizations::Entity::find_by_id(id)
                .one(&txn)
                .await?
                .ok_or(StoreError::NotFound { what: "organization" })?;
            kinds.insert(field, org.kind);
        }
        if kinds["from"] == kinds["to"] {
            return Err(invalid(
                "to",
                format!("a meeting is between a startup and an investor; both are {}s", kinds["to"]),
            ));
        }
        let (low, high) = (requester.min(recipient), requester.max(recipient));
        // A pending request past its expiry is expired now, so that the pair may ask again.
        meeting_requests::Entity::update_many()
            .col_expr(meeting_requests::Column::Status, Expr::value(RequestStatus::Expired.as_str()))
            .col_expr(meeting_requests::Column::UpdatedAt, Expr::value(at))
            .filter(meeting_requests::Column::EventId.eq(event.id))
            .filter(meeting_requests::Column::PairLow.eq(low))
            .filter(meeting_requests::Column::PairHigh.eq(high))
            .filter(meeting_requests::Column::Status.eq(RequestStatus::Pending.as_str()))
            .filter(meeting_requests::Column::ExpiresAt.lte(at))
            .exec(&txn)
            .await?;
        let open_or_met = meeting_requests::Entity::find()
            .filter(meeting_requests::Column::EventId.eq(event.id))
            .filter(meeting_requests::Column::PairLow.eq(low))
            .filter(meeting_requests::Column::PairHigh.eq(high))
            .filter(
                meeting_requests::Column::Status
                    .is_in([RequestStatus::Pending.as_str(), RequestStatus::Accepted.as_str()]),
            )
            .one(&txn)
            .await?;
        if let Some(existing) = open_or_met {
            return Err(conflict(format!("these two already have a {} request (id {})", existing.status, existing.id)));
        }
        if kinds["from"] == "startup"
            && let Some(quota) = event.rules.request_quota
        {
            let used = meeting_requests::Entity::find()
                .filter(meeting_requests::Column::EventId.eq(event.id))
                .filter(meeting_requests::Column::RequesterId.eq(requester))
                .filter(
                    meeting_requests::Column::Status
                        .is_in([RequestStatus::Pending.as_str(), RequestStatus::Accepted.as_str()]),
                )
                .count(&txn)
                .await?;
            if used >= u64::from(quota) {
                return Err(conflict(format!("the quota of {quota} requests per startup at this event is used up")));
            }
        }
        let row = meeting_requests::ActiveModel {
            event_id: Set(event.id),
            requester_id: Set(requester),
            recipient_id: Set(recipient),
            pair_low: Set(low),
            pair_high: Set(high),
            message: Set(message.to_owned()),
            note: Set(String::new()),
            status: Set(RequestStatus::Pending.as_str().to_owned()),
            priority: Set(i32::from(priority.clamp(1, 3))),
            expires_at: Set(event.rules.request_ttl_hours.map(|h| at + i64::from(h) * 3600)),
            created_at: Set(at),
            updated_at: Set(at),
            ..Default::default()
        }
        .insert(&txn)
        .await
        .map_err(|e| match StoreError::from(e) {
            StoreError::Conflict(_) => conflict("these two already have an open request"),
            other => other,
        })?;
        txn.commit().await?;
        request(row, at)
    }

    pub async fn request(&self, id: i64) -> Result<MeetingRequest> {
        let row = meeting_requests::Entity::find_by_id(id)
            .one(&self.db)
            .await?
            .ok_or(StoreError::NotFound { what: "request" })?;
        request(row, now())
    }

    /// An organization's requests at an event, newest first.
    pub async fn requests(&self, event_id: i64, organization_id: i64, mailbox: Mailbox) -> Result<Vec<MeetingRequest>> {
        let column = match mailbox {
            Mailbox::Inbox => meeting_requests::Column::RecipientId,
            Mailbox::Outbox => meeting_requests::Column::RequesterId,
        };
        let rows = meeting_requests::Entity::find()
            .filter(meeting_requests::Column::EventId.eq(event_id))
            .filter(column.eq(organization_id))
            .order_by_desc(meeting_requests::Column::Id)
            .all(&self.db)
            .await?;
        let at = now();
        rows.into_iter().map(|row| request(row, at)).collect()
    }

    /// Every request of an event, oldest first: the organisers' export.
    pub async fn event_requests(&self, event_id: i64) -> Result<Vec<MeetingRequest>> {
        let rows = meeting_requests::Entity::find()
            .filter(meeting_requests::Column::EventId.eq(event_id))
            .order_by_asc(meeting_requests::Column::Id)
            .all(&self.db)
            .await?;
        let at = now();
        rows.into_iter().map(|row| request(row, at)).collect()
    }

    /// The recipient accepts (creating the meeting) or declines a pending request. Of two
    /// concurrent answers, one wins; the other finds the request no longer pending.
    pub async fn answer_request(
        &self,
        event: &Event,
        id: i64,
        accept: bool,
        note: &str,
    ) -> Result<(MeetingRequest, Option<Meeting>)> {
        let txn = self.begin_write().await?;
        crate::outbox::lock_writers(&txn).await?;
        let at = now();
        let row = meeting_requests::Entity::find_by_id(id)
            .one(&txn)
            .await?
            .ok_or(StoreError::NotFound { what: "request" })?;
        let current = request(row.clone(), at)?;
        if current.status != RequestStatus::Pending {
            return Err(conflict(format!("the request is {}, no longer pending", current.status.as_str())));
        }
        let status = if accept { RequestStatus::Accepted } else { RequestStatus::Declined };
        let changed = meeting_requests::Entity::update_many()
            .col_expr(meeting_requests::Column::Status, Expr::value(status.as_str()))
            .col_expr(meeting_requests::Column::Note, Expr::value(note))
            .col_expr(meeting_requests::Column::UpdatedAt, Expr::value(at))
            .filter(meeting_requests::Column::Id.eq(id))
            .filter(meeting_requests::Column::Status.eq(RequestStatus::Pending.as_str()))
            .exec(&txn)
            .await?;
        if changed.rows_affected != 1 {
            return Err(conflict("the request was answered meanwhile"));
        }
        let mut created = None;
        if accept {
            let requester = organizations::Entity::find_by_id(row.requester_id).one(&txn).await?;
            let (startup, investor) = match requester.map(|o| o.kind) {
                Some(kind) if kind == "startup" => (row.requester_id, row.recipient_id),
                _ => (row.recipient_id, row.requester_id),
            };
            if let Some(quota) = event.rules.meeting_quota {
                let taken = meetings::Entity::find()
                    .filter(meetings::Column::EventId.eq(event.id))
                    .filter(meetings::Column::InvestorId.eq(investor))
                    .filter(meetings::Column::Status.ne(MeetingStatus::Cancelled.as_str()))
                    .count(&txn)
                    .await?;
                if taken >= u64::from(quota) {
                    return Err(conflict(format!("the investor's quota of {quota} meetings at this event is reached")));
                }
            }
            let model = meetings::ActiveModel {
                event_id: Set(event.id),
                request_id: Set(id),
                startup_id: Set(startup),
                investor_id: Set(investor),
                slot_id: Set(None),
                table_no: Set(None),
                pinned: Set(false),
                status: Set(MeetingStatus::Scheduled.as_str().to_owned()),
                startup_outcome: Set(None),
                investor_outcome: Set(None),
                published: Set(false),
                sequence: Set(0),
                created_at: Set(at),
                updated_at: Set(at),
                ..Default::default()
            }
            .insert(&txn)
            .await?;
            created = Some(meeting(model)?);
        }
        let row = meeting_requests::Entity::find_by_id(id)
            .one(&txn)
            .await?
            .ok_or(StoreError::NotFound { what: "request" })?;
        txn.commit().await?;
        Ok((request(row, at)?, created))
    }

    /// The requester withdraws a pending request.
    pub async fn cancel_request(&self, id: i64) -> Result<MeetingRequest> {
        let at = now();
        let changed = meeting_requests::Entity::update_many()
            .col_expr(meeting_requests::Column::Status, Expr::value(RequestStatus::Cancelled.as_str()))
            .col_expr(meeting_requests::Column::UpdatedAt, Expr::value(at))
            .filter(meeting_requests::Column::Id.eq(id))
            .filter(meeting_requests::Column::Status.eq(RequestStatus::Pending.as_str()))
            .filter(
                Condition::any()
                    .add(meeting_requests::Column::ExpiresAt.is_null())
                    .add(meeting_requests::Column::ExpiresAt.gt(at)),
            )
            .exec(&self.db)
            .await?;
        let current = self.request(id).await?;
        if changed.rows_affected != 1 {
            return Err(conflict(format!("the request is {}, no longer pending", current.status.as_str())));
        }
        Ok(current)
    }

    /// The priority of each accepted request's meeting: meeting id → 1 to 3.
    pub async fn meeting_priorities(&self, event_id: i64) -> Result<HashMap<i64, u8>> {
        let requests: HashMap<i64, i32> = meeting_requests::Entity::find()
            .filter(meeting_requests::Column::EventId.eq(event_id))
            .filter(meeting_requests::Column::Status.eq(RequestStatus::Accepted.as_str()))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|row| (row.id, row.priority))
            .collect();
        Ok(self
            .meetings(event_id)
            .await?
            .into_iter()
            .map(|m| (m.id, u8::try_from(requests.get(&m.request_id).copied().unwrap_or(1).clamp(1, 3)).unwrap_or(1)))
            .collect())
    }

    /// The slots an organization cannot attend at an event, by id.
    pub async fn unavailable(&self, event_id: i64, organization_id: i64) -> Result<Vec<i64>> {
        let Some(participation) = participates(&self.db, event_id, organization_id).await? else {
            return Err(StoreError::NotFound { what: "participation" });
        };
        let rows = unavailable_slots::Entity::find()
            .filter(unavailable_slots::Column::ParticipationId.eq(participation.id))
            .all(&self.db)
            .await?;
        Ok(rows.into_iter().map(|row| row.slot_id).collect())
    }

    /// Replaces the slots an organization cannot attend.
    pub async fn set_unavailable(&self, event_id: i64, organization_id: i64, slot_ids: &[i64]) -> Result<()> {
        let txn = self.begin_write().await?;
        let Some(participation) = participates(&txn, event_id, organization_id).await? else {
            return Err(StoreError::NotFound { what: "participation" });
        };
        unavailable_slots::Entity::delete_many()
            .filter(unavailable_slots::Column::ParticipationId.eq(participation.id))
            .exec(&txn)
            .await?;
        let unique: HashSet<i64> = slot_ids.iter().copied().collect();
        if !unique.is_empty() {
            let rows = unique.into_iter().map(|slot_id| unavailable_slots::ActiveModel {
                participation_id: Set(participation.id),
                slot_id: Set(slot_id),
            });
            unavailable_slots::Entity::insert_many(rows).exec(&txn).await?;
        }
        txn.commit().await?;
        Ok(())
    }

    /// Every slot each participant of the event cannot attend: participant id → slot ids.
    pub async fn unavailability(&self, event_id: i64) -> Result<HashMap<i64, Vec<i64>>> {
        let participations =
            participations::Entity::find().filter(participations::Column::EventId.eq(event_id)).all(&self.db).await?;
        let by_participation: HashMap<i64, i64> = participations.iter().map(|p| (p.id, p.organization_id)).collect();
        let rows = unavailable_slots::Entity::find()
            .filter(unavailable_slots::Column::ParticipationId.is_in(by_participation.keys().copied()))
            .all(&self.db)
            .await?;
        let mut result: HashMap<i64, Vec<i64>> = HashMap::new();
        for row in rows {
            if let Some(org) = by_participation.get(&row.participation_id) {
                result.entry(*org).or_default().push(row.slot_id);
            }
        }
        Ok(result)
    }

    /// The live meetings of an event (not cancelled), by id.
    pub async fn meetings(&self, event_id: i64) -> Result<Vec<Meeting>> {
        let rows = meetings::Entity::find()
            .filter(meetings::Column::EventId.eq(event_id))
            .filter(meetings::Column::Status.ne(MeetingStatus::Cancelled.as_str()))
            .order_by_asc(meetings::Column::Id)
            .all(&self.db)
            .await?;
        rows.into_iter().map(meeting).collect()
    }

    pub async fn meeting(&self, id: i64) -> Result<Meeting> {
        let row =
            meetings::Entity::find_by_id(id).one(&self.db).await?.ok_or(StoreError::NotFound { what: "meeting" })?;
        meeting(row)
    }

    /// Applies a schedule to unpinned meetings in one transaction: all of them leave their
    /// slots first, so swaps never collide halfway. A published meeting that moves gets the
    /// next calendar revision.
    pub async fn apply_schedule(&self, event_id: i64, placements: &[Placement]) -> Result<()> {
        let txn = self.begin_write().await?;
        let ids: Vec<i64> = placements.iter().map(|(id, _)| *id).collect();
        let current: HashMap<i64, meetings::Model> = meetings::Entity::find()
            .filter(meetings::Column::EventId.eq(event_id))
            .filter(meetings::Column::Id.is_in(ids.clone()))
            .all(&txn)
            .await?
            .into_iter()
            .map(|row| (row.id, row))
            .collect();
        if current.values().any(|row| row.pinned) {
            return Err(conflict("a pinned meeting cannot be moved by the scheduler"));
        }
        let at = now();
        for chunk in ids.chunks(500) {
            meetings::Entity::update_many()
                .col_expr(meetings::Column::SlotId, Expr::value(Option::<i64>::None))
                .col_expr(meetings::Column::TableNo, Expr::value(Option::<i32>::None))
                .filter(meetings::Column::Id.is_in(chunk.iter().copied()))
                .exec(&txn)
                .await?;
        }
        for (id, place) in placements {
            let Some(before) = current.get(id) else { return Err(StoreError::NotFound { what: "meeting" }) };
            let after = place.map(|(slot, table)| (slot, table as i32));
            let moved = before.slot_id.zip(before.table_no) != after;
            meetings::ActiveModel {
                id: Set(*id),
                slot_id: Set(after.map(|(slot, _)| slot)),
                table_no: Set(after.map(|(_, table)| table)),
                sequence: Set(before.sequence + i32::from(moved && before.published)),
                published: Set(before.published && after.is_some()),
                updated_at: Set(at),
                ..Default::default()
            }
            .update(&txn)
            .await
            .map_err(|e| taken(e.into()))?;
        }
        txn.commit().await?;
        Ok(())
    }

    /// Moves a meeting by hand, pinning it or not. A participant busy in the slot, a side that
    /// cannot attend it, or a table in use is refused, and nothing changes.
    pub async fn move_meeting(
        &self,
        event_id: i64,
        id: i64,
        slot_id: i64,
        table: u32,
        pinned: bool,
    ) -> Result<Meeting> {
        let txn = self.begin_write().await?;
        let row = meetings::Entity::find_by_id(id)
            .filter(meetings::Column::EventId.eq(event_id))
            .one(&txn)
            .await?
            .ok_or(StoreError::NotFound { what: "meeting" })?;
        if row.status == MeetingStatus::Cancelled.as_str() {
            return Err(conflict("the meeting is cancelled"));
        }
        let slot = slots::Entity::find_by_id(slot_id)
            .filter(slots::Column::EventId.eq(event_id))
            .one(&txn)
            .await?
            .ok_or_else(|| invalid("slot", "no such slot at this event"))?;
        if table == 0 || table > u32::try_from(slot.tables).unwrap_or(0) {
            return Err(invalid("table", format!("must be from 1 to {} in slot {}", slot.tables, slot.code)));
        }
        let participations = participations::Entity::find()
            .filter(participations::Column::EventId.eq(event_id))
            .filter(participations::Column::OrganizationId.is_in([row.startup_id, row.investor_id]))
            .all(&txn)
            .await?;
        let blocked = unavailable_slots::Entity::find()
            .filter(unavailable_slots::Column::ParticipationId.is_in(participations.iter().map(|p| p.id)))
            .filter(unavailable_slots::Column::SlotId.eq(slot_id))
            .count(&txn)
            .await?;
        if blocked > 0 {
            return Err(conflict(format!("a side of this meeting cannot attend slot {}", slot.code)));
        }
        let moved = row.slot_id != Some(slot_id) || row.table_no != Some(table as i32);
        let updated = meetings::ActiveModel {
            id: Set(id),
            slot_id: Set(Some(slot_id)),
            table_no: Set(Some(table as i32)),
            pinned: Set(pinned),
            sequence: Set(row.sequence + i32::from(moved && row.published)),
            updated_at: Set(now()),
            ..Default::default()
        }
        .update(&txn)
        .await
        .map_err(|e| taken(e.into()))?;
        txn.commit().await?;
        meeting(updated)
    }

    /// Publishes the schedule: every placed meeting becomes part of it; the event is published.
    pub async fn publish(&self, event_id: i64) -> Result<u64> {
        let txn = self.begin_write().await?;
        let published = meetings::Entity::update_many()
            .col_expr(meetings::Column::Published, Expr::value(true))
            .col_expr(meetings::Column::UpdatedAt, Expr::value(now()))
            .filter(meetings::Column::EventId.eq(event_id))
            .filter(meetings::Column::SlotId.is_not_null())
            .filter(meetings::Column::Status.ne(MeetingStatus::Cancelled.as_str()))
            .exec(&txn)
            .await?;
        crate::entity::events::ActiveModel {
            id: Set(event_id),
            status: Set(ketnoi_domain::event::EventStatus::Published.as_str().to_owned()),
            updated_at: Set(now()),
            ..Default::default()
        }
        .update(&txn)
        .await?;
        txn.commit().await?;
        Ok(published.rows_affected)
    }

    /// Sets a meeting's status (check-in, held, no-show, cancelled).
    pub async fn set_meeting_status(&self, event_id: i64, id: i64, status: MeetingStatus) -> Result<Meeting> {
        let row = meetings::Entity::find_by_id(id)
            .filter(meetings::Column::EventId.eq(event_id))
            .one(&self.db)
            .await?
            .ok_or(StoreError::NotFound { what: "meeting" })?;
        let at_table = matches!(status, MeetingStatus::CheckedIn | MeetingStatus::Held | MeetingStatus::NoShow);
        if at_table && row.slot_id.is_none() {
            return Err(conflict("the meeting has no slot yet"));
        }
        let updated = meetings::ActiveModel {
            id: Set(id),
            status: Set(status.as_str().to_owned()),
            sequence: Set(row.sequence + i32::from(status == MeetingStatus::Cancelled && row.published)),
            updated_at: Set(now()),
            ..Default::default()
        }
        .update(&self.db)
        .await?;
        meeting(updated)
    }

    /// Records what one side says came of a meeting.
    pub async fn set_outcome(&self, id: i64, organization_id: i64, outcome: &str) -> Result<Meeting> {
        let row =
            meetings::Entity::find_by_id(id).one(&self.db).await?.ok_or(StoreError::NotFound { what: "meeting" })?;
        let mut model = meetings::ActiveModel { id: Set(id), updated_at: Set(now()), ..Default::default() };
        if organization_id == row.startup_id {
            model.startup_outcome = Set(Some(outcome.to_owned()));
        } else if organization_id == row.investor_id {
            model.investor_outcome = Set(Some(outcome.to_owned()));
        } else {
            return Err(StoreError::NotFound { what: "meeting" });
        }
        meeting(model.update(&self.db).await?)
    }

    /// The event's figures.
    pub async fn figures(&self, event_id: i64) -> Result<Figures> {
        let mut figures = Figures::default();
        let participants = self.event_participants(event_id).await?;
        figures.startups =
            participants.iter().filter(|o| o.profile.kind() == ketnoi_domain::profile::OrgKind::Startup).count() as u64;
        figures.investors = participants.len() as u64 - figures.startups;
        let requests = meeting_requests::Entity::find()
            .filter(meeting_requests::Column::EventId.eq(event_id))
            .all(&self.db)
            .await?;
        let at = now();
        for row in requests {
            figures.requests += 1;
            match request(row, at)?.status {
                RequestStatus::Accepted => figures.accepted += 1,
                RequestStatus::Declined => figures.declined += 1,
                RequestStatus::Pending => figures.pending += 1,
                RequestStatus::Cancelled | RequestStatus::Expired => {}
            }
        }
        let mut outcomes: HashMap<String, u64> = HashMap::new();
        for m in self.meetings(event_id).await? {
            figures.meetings += 1;
            figures.placed += u64::from(m.slot_id.is_some());
            match m.status {
                MeetingStatus::CheckedIn => figures.checked_in += 1,
                MeetingStatus::Held => figures.held += 1,
                MeetingStatus::NoShow => figures.no_show += 1,
                MeetingStatus::Scheduled | MeetingStatus::Cancelled => {}
            }
            for outcome in [m.startup_outcome, m.investor_outcome].into_iter().flatten() {
                *outcomes.entry(outcome).or_default() += 1;
            }
        }
        figures.outcomes = outcomes.into_iter().collect();
        figures.outcomes.sort();
        Ok(figures)
    }

    /// An organization's meetings at an event, with a slot or not.
    pub async fn meetings_of(&self, event_id: i64, organization_id: i64) -> Result<Vec<Meeting>> {
        let rows = meetings::Entity::find()
            .filter(meetings::Column::EventId.eq(event_id))
            .filter(
                Condition::any()
                    .add(meetings::Column::StartupId.eq(organization_id))
                    .add(meetings::Column::InvestorId.eq(organization_id)),
            )
            .order_by_asc(meetings::Column::Id)
            .all(&self.db)
            .await?;
        rows.into_iter().map(meeting).collect()
    }
}
