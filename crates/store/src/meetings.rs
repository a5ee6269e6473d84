//! Meeting requests, availability and meetings: a request is accepted into a meeting, the
//! scheduler gives meetings a slot and a table, the organiser moves, pins, publishes and checks
//! them in. The rules are the domain's ([`ketnoi_domain::rules`]), applied here inside the
//! transaction that writes, with the domain events of each change. The database's unique
//! indexes are the last guard against double booking: of two concurrent changes that collide,
//! one commits and the other is refused.

use std::collections::{HashMap, HashSet};

use ketnoi_domain::log::{Change, Place};
use ketnoi_domain::profile::OrgKind;
use ketnoi_domain::rules::{
    self, MeetingStatus, Named, Outcome, Party, Priority, Refusal, RequestEvent, RequestStatus, Resource,
};
use sea_orm::sea_query::{BinOper, Expr};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DbBackend, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set, Statement,
};

use crate::entity::{meeting_requests, meetings, organizations, participations, slots, unavailable_slots};
use crate::{Event, Result, Slot, Store, StoreError, log, now};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeetingRequest {
    pub id: i64,
    pub event_id: i64,
    pub requester_id: i64,
    pub recipient_id: i64,
    pub message: String,
    pub note: String,
    pub status: RequestStatus,
    pub priority: Priority,
    pub expires_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

fn request(row: meeting_requests::Model, at: i64) -> Result<MeetingRequest> {
    let mut status = RequestStatus::parse(&row.status)
        .ok_or_else(|| StoreError::Corrupt(format!("meeting_requests.status: {:?}", row.status)))?;
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
        priority: Priority::clamped(i64::from(row.priority)),
        expires_at: row.expires_at,
        created_at: row.created_at,
        updated_at: row.updated_at,
    })
}

/// The statuses of a meeting that free its slot and table for others: cancelled, or no one
/// came. The indexes against double booking leave these out.
pub(crate) const FREED: [&str; 2] = ["cancelled", "no-show"];

/// Sets where the published schedule puts a meeting now.
fn announce(model: &mut meetings::ActiveModel, start: i64, end: i64, table: i32) {
    model.announced_start = Set(Some(start));
    model.announced_end = Set(Some(end));
    model.announced_table = Set(Some(table));
}

impl MeetingRequest {
    /// The change that records this request reaching `status`.
    fn change(&self, status: RequestStatus, meeting: Option<i64>) -> Option<Change> {
        let (request, from, to) = (self.id, self.requester_id, self.recipient_id);
        Some(match status {
            RequestStatus::Pending => Change::RequestSent { request, from, to },
            RequestStatus::Accepted => Change::RequestAccepted { request, from, to, meeting: meeting? },
            RequestStatus::Declined => Change::RequestDeclined { request, from, to },
            RequestStatus::Cancelled => Change::RequestCancelled { request, from, to },
            RequestStatus::Expired => Change::RequestExpired { request, from, to },
        })
    }
}

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
    pub startup_outcome: Option<Outcome>,
    pub investor_outcome: Option<Outcome>,
    /// Where the published schedule last put it; kept when it is unplaced or cancelled later.
    pub announced: Option<Announced>,
    /// The calendar revision each side's agenda last showed.
    pub startup_seen: u32,
    pub investor_seen: u32,
    /// What each side thought of it: a rating from 1 to 5 and whether it wants to follow up.
    pub startup_feedback: Feedback,
    pub investor_feedback: Feedback,
    /// It came from a meet-now proposal on the day.
    pub rematched: bool,
    /// The private amount each side gave with its outcome, in the event's base currency.
    pub startup_amount: Option<i64>,
    pub investor_amount: Option<i64>,
    /// When it last changed, in seconds since the epoch.
    pub updated_at: i64,
}

/// What one side thought of a meeting, once it took place.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Feedback {
    /// From 1 (poor) to 5 (excellent).
    pub rating: Option<u8>,
    /// Whether it wants to meet again.
    pub follow_up: Option<bool>,
}

/// A meeting's time and table as the published schedule last said them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Announced {
    pub start: jiff::Timestamp,
    pub end: jiff::Timestamp,
    pub table: u32,
}

impl Meeting {
    /// Where it sits, once placed.
    pub fn place(&self) -> Option<Place> {
        self.slot_id.zip(self.table).map(|(slot, table)| Place { slot, table })
    }

    /// Whether it changed (moved or cancelled after publishing) since `organization`'s agenda
    /// last showed it.
    pub fn changed_for(&self, organization: i64) -> bool {
        let seen = if organization == self.startup_id { self.startup_seen } else { self.investor_seen };
        self.sequence > seen
    }

    /// The outcome `organization` recorded, if it is a side of the meeting.
    pub fn outcome_of(&self, organization: i64) -> Option<Outcome> {
        if organization == self.startup_id {
            self.startup_outcome
        } else if organization == self.investor_id {
            self.investor_outcome
        } else {
            None
        }
    }
}

fn outcome(column: &str, value: Option<String>) -> Result<Option<Outcome>> {
    value
        .map(|code| Outcome::parse(&code).map_err(|_| StoreError::Corrupt(format!("meetings.{column}: {code:?}"))))
        .transpose()
}

pub(crate) fn meeting(row: meetings::Model) -> Result<Meeting> {
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
        status: MeetingStatus::parse(&row.status)
            .map_err(|_| StoreError::Corrupt(format!("meetings.status: {:?}", row.status)))?,
        startup_outcome: outcome("startup_outcome", row.startup_outcome)?,
        investor_outcome: outcome("investor_outcome", row.investor_outcome)?,
        announced: match (row.announced_start, row.announced_end, row.announced_table) {
            (Some(start), Some(end), Some(table)) => Some(Announced {
                start: jiff::Timestamp::from_second(start)
                    .map_err(|e| StoreError::Corrupt(format!("meetings.announced_start: {e}")))?,
                end: jiff::Timestamp::from_second(end)
                    .map_err(|e| StoreError::Corrupt(format!("meetings.announced_end: {e}")))?,
                table: u32::try_from(table).unwrap_or(0),
            }),
            _ => None,
        },
        startup_seen: u32::try_from(row.startup_seen).unwrap_or(0),
        investor_seen: u32::try_from(row.investor_seen).unwrap_or(0),
        startup_feedback: Feedback {
            rating: row.startup_rating.and_then(|r| u8::try_from(r).ok()),
            follow_up: row.startup_follow_up,
        },
        investor_feedback: Feedback {
            rating: row.investor_rating.and_then(|r| u8::try_from(r).ok()),
            follow_up: row.investor_follow_up,
        },
        rematched: row.rematched,
        startup_amount: row.startup_amount,
        investor_amount: row.investor_amount,
        updated_at: row.updated_at,
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
    /// Outcomes reported by either side.
    pub outcomes: Vec<(Outcome, u64)>,
}

/// The first halves of the PostgreSQL advisory locks that count a quota and use it: one lock
/// per organization (the second half), so that only writers counting the same quota wait.
const REQUEST_QUOTA_LOCK: i32 = 0x6b71_7271; // "kqrq"
const MEETING_QUOTA_LOCK: i32 = 0x6b71_6d71; // "kqmq"

/// Makes this transaction the only one counting `lock`'s quota of `organization` until it
/// ends. SQLite write transactions are one at a time already.
async fn lock_quota(db: &impl ConnectionTrait, lock: i32, organization: i64) -> Result<()> {
    if db.get_database_backend() == DbBackend::Postgres {
        db.execute_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT pg_advisory_xact_lock($1, $2)",
            [lock.into(), (organization as i32).into()],
        ))
        .await?;
    }
    Ok(())
}

/// An organization as a request's side: its kind and whether it takes part in the event.
async fn party(db: &impl ConnectionTrait, event_id: i64, id: i64) -> Result<Option<Party>> {
    let Some(org) = organizations::Entity::find_by_id(id).one(db).await? else { return Ok(None) };
    let kind =
        OrgKind::parse(&org.kind).map_err(|_| StoreError::Corrupt(format!("organizations.kind: {:?}", org.kind)))?;
    Ok(Some(Party { id, kind, takes_part: participates(db, event_id, id).await?.is_some() }))
}

async fn named(db: &impl ConnectionTrait, id: i64) -> Result<Named> {
    let org = organizations::Entity::find_by_id(id).one(db).await?;
    Ok(Named { id, name: org.map(|o| o.name).unwrap_or_default() })
}

/// The live meeting that `meeting` would clash with at `slot` and `table`: a side busy then,
/// or the table taken; none when the place is free for it.
async fn clash(
    db: &impl ConnectionTrait,
    event_id: i64,
    meeting: &Meeting,
    (slot_id, code): (i64, &str),
    table: u32,
) -> Result<Option<Refusal>> {
    let others = meetings::Entity::find()
        .filter(meetings::Column::EventId.eq(event_id))
        .filter(meetings::Column::SlotId.eq(slot_id))
        .filter(meetings::Column::Id.ne(meeting.id))
        .filter(meetings::Column::Status.is_not_in(FREED))
        .all(db)
        .await?;
    for other in &others {
        for side in [meeting.startup_id, meeting.investor_id] {
            if other.startup_id == side || other.investor_id == side {
                let organization = named(db, side).await?;
                let with = if other.startup_id == side { other.investor_id } else { other.startup_id };
                return Ok(Some(Refusal::ParticipantBusy {
                    slot: code.to_owned(),
                    at: String::new(),
                    organization,
                    meeting: other.id,
                    table: other.table_no.and_then(|t| u32::try_from(t).ok()).unwrap_or_default(),
                    with: named(db, with).await?.name,
                }));
            }
        }
        if other.table_no == Some(table as i32) {
            return Ok(Some(Refusal::TableTaken {
                slot: code.to_owned(),
                at: String::new(),
                table,
                meeting: other.id,
                startup: named(db, other.startup_id).await?.name,
                investor: named(db, other.investor_id).await?.name,
            }));
        }
    }
    Ok(None)
}

pub(crate) async fn participates(
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

/// The pending or accepted request of the pair, if any.
async fn open_request(
    db: &impl ConnectionTrait,
    event_id: i64,
    low: i64,
    high: i64,
) -> Result<Option<meeting_requests::Model>> {
    let open: Vec<&str> = RequestStatus::ALL.iter().filter(|s| s.is_open()).map(|s| s.as_str()).collect();
    Ok(meeting_requests::Entity::find()
        .filter(meeting_requests::Column::EventId.eq(event_id))
        .filter(meeting_requests::Column::PairLow.eq(low))
        .filter(meeting_requests::Column::PairHigh.eq(high))
        .filter(meeting_requests::Column::Status.is_in(open))
        .one(db)
        .await?)
}

impl Store {
    /// Sets an event's quotas and request expiry.
    pub async fn set_request_rules(&self, event_id: i64, rules: rules::RequestRules) -> Result<()> {
        let to_db = |value: Option<u32>| value.map(|v| i32::try_from(v).unwrap_or(i32::MAX));
        self.wrote();
        crate::entity::events::ActiveModel {
            id: Set(event_id),
            request_quota: Set(to_db(rules.request_quota)),
            meeting_quota: Set(to_db(rules.meeting_quota)),
            request_ttl_hours: Set(to_db(rules.request_ttl_hours)),
            digest_hours: Set(to_db(rules.digest_hours)),
            reminder_minutes: Set(to_db(rules.reminder_minutes)),
            updated_at: Set(now()),
            ..Default::default()
        }
        .update(&self.db)
        .await?;
        Ok(())
    }

    /// `requester` asks `recipient` for a meeting at `event`. The domain's rules decide
    /// ([`rules::may_meet`], one open request per pair, the startup's quota); the quota is
    /// counted and used under a lock of the requester's alone.
    pub async fn create_request(
        &self,
        event: &Event,
        requester: i64,
        recipient: i64,
        message: &str,
        priority: Priority,
    ) -> Result<MeetingRequest> {
        rules::may_request(requester, recipient)?;
        let txn = self.begin_write().await?;
        lock_quota(&txn, REQUEST_QUOTA_LOCK, requester).await?;
        let at = now();
        let missing = |id| Party { id, kind: OrgKind::Startup, takes_part: false };
        let from = party(&txn, event.id, requester).await?.unwrap_or(missing(requester));
        let to = party(&txn, event.id, recipient).await?.unwrap_or(missing(recipient));
        rules::may_meet(from, to)?;
        let (low, high) = (requester.min(recipient), requester.max(recipient));
        // A pending request past its expiry is expired now, so that the pair may ask again.
        let stale = meeting_requests::Entity::find()
            .filter(meeting_requests::Column::EventId.eq(event.id))
            .filter(meeting_requests::Column::PairLow.eq(low))
            .filter(meeting_requests::Column::PairHigh.eq(high))
            .filter(meeting_requests::Column::Status.eq(RequestStatus::Pending.as_str()))
            .filter(meeting_requests::Column::ExpiresAt.lte(at))
            .all(&txn)
            .await?;
        let mut changes = Vec::new();
        for row in stale {
            let expired = request(row, at)?;
            meeting_requests::Entity::update_many()
                .col_expr(meeting_requests::Column::Status, Expr::value(RequestStatus::Expired.as_str()))
                .col_expr(meeting_requests::Column::UpdatedAt, Expr::value(at))
                .filter(meeting_requests::Column::Id.eq(expired.id))
                .exec(&txn)
                .await?;
            changes.extend(expired.change(RequestStatus::Expired, None));
        }
        if let Some(existing) = open_request(&txn, event.id, low, high).await? {
            let status = request(existing.clone(), at)?.status;
            return Err(Refusal::RequestExists { request: Some(existing.id), request_status: status }.into());
        }
        if from.kind == OrgKind::Startup {
            let open: Vec<&str> = RequestStatus::ALL.iter().filter(|s| s.is_open()).map(|s| s.as_str()).collect();
            let used = meeting_requests::Entity::find()
                .filter(meeting_requests::Column::EventId.eq(event.id))
                .filter(meeting_requests::Column::RequesterId.eq(requester))
                .filter(meeting_requests::Column::Status.is_in(open))
                .count(&txn)
                .await?;
            rules::request_quota(used, event.rules.request_quota)?;
        }
        let inserted = meeting_requests::ActiveModel {
            event_id: Set(event.id),
            requester_id: Set(requester),
            recipient_id: Set(recipient),
            pair_low: Set(low),
            pair_high: Set(high),
            message: Set(message.to_owned()),
            note: Set(String::new()),
            status: Set(RequestStatus::Pending.as_str().to_owned()),
            priority: Set(i32::from(priority.get())),
            expires_at: Set(event.rules.request_ttl_hours.map(|h| at + i64::from(h) * 3600)),
            created_at: Set(at),
            updated_at: Set(at),
            ..Default::default()
        }
        .insert(&txn)
        .await;
        let row = match inserted.map_err(StoreError::from) {
            Ok(row) => row,
            // Another request of the pair committed first: name it.
            Err(StoreError::Duplicate) => {
                drop(txn);
                let existing = open_request(&self.db, event.id, low, high).await?;
                let status = existing
                    .as_ref()
                    .map_or(Ok(RequestStatus::Pending), |r| request(r.clone(), at).map(|r| r.status))?;
                return Err(Refusal::RequestExists { request: existing.map(|r| r.id), request_status: status }.into());
            }
            Err(other) => return Err(other),
        };
        let created = request(row, at)?;
        changes.extend(created.change(RequestStatus::Pending, None));
        log::record(&txn, Some(event.id), &changes).await?;
        txn.commit().await?;
        Ok(created)
    }

    pub async fn request(&self, id: i64) -> Result<MeetingRequest> {
        let row = meeting_requests::Entity::find_by_id(id)
            .one(&self.db)
            .await?
            .ok_or(StoreError::not_found(Resource::Request))?;
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

    /// The event's requests still waiting for an answer (one past its time reads as expired
    /// and is left out), oldest first: those a digest lists.
    pub async fn pending_requests(&self, event_id: i64) -> Result<Vec<MeetingRequest>> {
        let rows = meeting_requests::Entity::find()
            .filter(meeting_requests::Column::EventId.eq(event_id))
            .filter(meeting_requests::Column::Status.eq(RequestStatus::Pending.as_str()))
            .order_by_asc(meeting_requests::Column::Id)
            .all(&self.db)
            .await?;
        let at = now();
        let requests: Result<Vec<MeetingRequest>> = rows.into_iter().map(|row| request(row, at)).collect();
        Ok(requests?.into_iter().filter(|r| r.status == RequestStatus::Pending).collect())
    }

    /// The request `id` changes by `event` (accept, decline, cancel) with `note`, in one
    /// transaction: an acceptance creates the meeting, within the investor's quota. Of two
    /// concurrent answers, one wins; the other finds the request no longer pending.
    pub async fn change_request(
        &self,
        event: &Event,
        id: i64,
        on: RequestEvent,
        note: &str,
    ) -> Result<(MeetingRequest, Option<Meeting>)> {
        let txn = self.begin_write().await?;
        let at = now();
        let row = meeting_requests::Entity::find_by_id(id)
            .filter(meeting_requests::Column::EventId.eq(event.id))
            .one(&txn)
            .await?
            .ok_or(StoreError::not_found(Resource::Request))?;
        let current = request(row, at)?;
        let status = current.status.after(id, on)?;
        let mut created = None;
        if status == RequestStatus::Accepted {
            let requester = party(&txn, event.id, current.requester_id).await?;
            let (startup, investor) = match requester.map(|p| p.kind) {
                Some(OrgKind::Startup) => (current.requester_id, current.recipient_id),
                _ => (current.recipient_id, current.requester_id),
            };
            lock_quota(&txn, MEETING_QUOTA_LOCK, investor).await?;
            let taken = meetings::Entity::find()
                .filter(meetings::Column::EventId.eq(event.id))
                .filter(meetings::Column::InvestorId.eq(investor))
                .filter(meetings::Column::Status.ne(MeetingStatus::Cancelled.as_str()))
                .count(&txn)
                .await?;
            rules::meeting_quota(taken, event.rules.meeting_quota)?;
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
        let mut update = meeting_requests::Entity::update_many()
            .col_expr(meeting_requests::Column::Status, Expr::value(status.as_str()))
            .col_expr(meeting_requests::Column::UpdatedAt, Expr::value(at));
        if on != RequestEvent::Cancel {
            update = update.col_expr(meeting_requests::Column::Note, Expr::value(note));
        }
        let changed = update
            .filter(meeting_requests::Column::Id.eq(id))
            .filter(meeting_requests::Column::Status.eq(RequestStatus::Pending.as_str()))
            .exec(&txn)
            .await?;
        if changed.rows_affected != 1 {
            drop(txn);
            let now_status = self.request(id).await?.status;
            return Err(Refusal::RequestNotPending { request: id, request_status: now_status }.into());
        }
        let answered = MeetingRequest {
            status,
            note: if on == RequestEvent::Cancel { current.note.clone() } else { note.to_owned() },
            updated_at: at,
            ..current
        };
        let change = answered.change(status, created.as_ref().map(|m| m.id));
        log::record(&txn, Some(event.id), &change.into_iter().collect::<Vec<_>>()).await?;
        txn.commit().await?;
        Ok((answered, created))
    }

    /// The priority of each accepted request's meeting: meeting id → priority.
    pub async fn meeting_priorities(&self, event_id: i64) -> Result<HashMap<i64, Priority>> {
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
            .map(|m| (m.id, Priority::clamped(i64::from(requests.get(&m.request_id).copied().unwrap_or(1)))))
            .collect())
    }

    /// The slots an organization cannot attend at an event, by id.
    pub async fn unavailable(&self, event_id: i64, organization_id: i64) -> Result<Vec<i64>> {
        let Some(participation) = participates(&self.db, event_id, organization_id).await? else {
            return Err(StoreError::not_found(Resource::Participation));
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
            return Err(StoreError::not_found(Resource::Participation));
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

    /// The event's live meetings placed in `slots`: those a reminder is due for.
    pub async fn meetings_in(&self, event_id: i64, slots: &[i64]) -> Result<Vec<Meeting>> {
        let rows = meetings::Entity::find()
            .filter(meetings::Column::EventId.eq(event_id))
            .filter(meetings::Column::SlotId.is_in(slots.iter().copied()))
            .filter(meetings::Column::Status.ne(MeetingStatus::Cancelled.as_str()))
            .order_by_asc(meetings::Column::Id)
            .all(&self.db)
            .await?;
        rows.into_iter().map(meeting).collect()
    }

    pub async fn meeting(&self, id: i64) -> Result<Meeting> {
        let row =
            meetings::Entity::find_by_id(id).one(&self.db).await?.ok_or(StoreError::not_found(Resource::Meeting))?;
        meeting(row)
    }

    /// Applies a schedule to unpinned meetings in one transaction: all of them leave their
    /// slots first, so swaps never collide halfway. A published meeting that moves gets the
    /// next calendar revision. Each move is logged, then the run.
    pub async fn apply_schedule(&self, event_id: i64, placements: &[Placement]) -> Result<()> {
        let txn = self.begin_write().await?;
        let ids: Vec<i64> = placements.iter().map(|(id, _)| *id).collect();
        let mut current: HashMap<i64, meetings::Model> = HashMap::with_capacity(ids.len());
        for chunk in ids.chunks(500) {
            let rows = meetings::Entity::find()
                .filter(meetings::Column::EventId.eq(event_id))
                .filter(meetings::Column::Id.is_in(chunk.iter().copied()))
                .all(&txn)
                .await?;
            current.extend(rows.into_iter().map(|row| (row.id, row)));
        }
        // Pinned meanwhile by hand: the run must not move it.
        if current.values().any(|row| row.pinned) {
            return Err(StoreError::Duplicate);
        }
        let at = now();
        // A published meeting's new place is announced at once: its calendars follow it.
        let times: HashMap<i64, (i64, i64)> = if current.values().any(|row| row.published) {
            slots::Entity::find()
                .filter(slots::Column::EventId.eq(event_id))
                .all(&txn)
                .await?
                .into_iter()
                .map(|slot| (slot.id, (slot.starts_at, slot.ends_at)))
                .collect()
        } else {
            HashMap::new()
        };
        for chunk in ids.chunks(500) {
            meetings::Entity::update_many()
                .col_expr(meetings::Column::SlotId, Expr::value(Option::<i64>::None))
                .col_expr(meetings::Column::TableNo, Expr::value(Option::<i32>::None))
                .filter(meetings::Column::Id.is_in(chunk.iter().copied()))
                .exec(&txn)
                .await?;
        }
        let mut changes = Vec::new();
        let mut placed = 0;
        for (id, place) in placements {
            let Some(before) = current.get(id) else { return Err(StoreError::not_found(Resource::Meeting)) };
            let after = place.map(|(slot, table)| (slot, table as i32));
            let moved = before.slot_id.zip(before.table_no) != after;
            placed += u64::from(after.is_some());
            let mut model = meetings::ActiveModel {
                id: Set(*id),
                slot_id: Set(after.map(|(slot, _)| slot)),
                table_no: Set(after.map(|(_, table)| table)),
                sequence: Set(before.sequence + i32::from(moved && before.published)),
                published: Set(before.published && after.is_some()),
                updated_at: Set(at),
                ..Default::default()
            };
            if let Some(((start, end), table)) =
                after.filter(|_| before.published).and_then(|(slot, table)| Some((*times.get(&slot)?, table)))
            {
                announce(&mut model, start, end, table);
            }
            model.update(&txn).await?;
            if moved {
                let place_of = |place: Option<(i64, i32)>| {
                    place.map(|(slot, table)| Place { slot, table: u32::try_from(table).unwrap_or(0) })
                };
                changes.push(Change::MeetingMoved {
                    meeting: *id,
                    from: place_of(before.slot_id.zip(before.table_no)),
                    to: place_of(after),
                    published: before.published,
                });
            }
        }
        let moved = changes.len() as u64;
        changes.push(Change::ScheduleRun { placed, moved });
        log::record(&txn, Some(event_id), &changes).await?;
        txn.commit().await?;
        Ok(())
    }

    /// Moves a meeting by hand to `slot` and `table`, pinning it or not. A side that cannot
    /// attend the slot or meets someone else then, or a table in use, is refused, naming who
    /// or what is in the way, and nothing changes.
    pub async fn move_meeting(&self, event_id: i64, id: i64, slot: &Slot, table: u32, pinned: bool) -> Result<Meeting> {
        let txn = self.begin_write().await?;
        let row = meetings::Entity::find_by_id(id)
            .filter(meetings::Column::EventId.eq(event_id))
            .one(&txn)
            .await?
            .ok_or(StoreError::not_found(Resource::Meeting))?;
        let current = meeting(row.clone())?;
        if current.status == MeetingStatus::Cancelled {
            return Err(Refusal::MeetingCancelled { meeting: id }.into());
        }
        let stored = slots::Entity::find_by_id(slot.id)
            .filter(slots::Column::EventId.eq(event_id))
            .one(&txn)
            .await?
            .ok_or_else(|| Refusal::UnknownSlot { slot: slot.code.clone() })?;
        if table == 0 || table > u32::try_from(stored.tables).unwrap_or(0) {
            return Err(Refusal::UnknownTable {
                slot: slot.code.clone(),
                at: String::new(),
                table,
                tables: slot.tables,
            }
            .into());
        }
        for side in [current.startup_id, current.investor_id] {
            let blocked = match participates(&txn, event_id, side).await? {
                Some(participation) => {
                    unavailable_slots::Entity::find()
                        .filter(unavailable_slots::Column::ParticipationId.eq(participation.id))
                        .filter(unavailable_slots::Column::SlotId.eq(slot.id))
                        .count(&txn)
                        .await?
                        > 0
                }
                None => true,
            };
            if blocked {
                let organization = named(&txn, side).await?;
                return Err(
                    Refusal::SlotUnavailable { slot: slot.code.clone(), at: String::new(), organization }.into()
                );
            }
        }
        if let Some(refusal) = clash(&txn, event_id, &current, (slot.id, &slot.code), table).await? {
            return Err(refusal.into());
        }
        let moved = row.slot_id != Some(slot.id) || row.table_no != Some(table as i32);
        let mut model = meetings::ActiveModel {
            id: Set(id),
            slot_id: Set(Some(slot.id)),
            table_no: Set(Some(table as i32)),
            pinned: Set(pinned),
            sequence: Set(row.sequence + i32::from(moved && row.published)),
            updated_at: Set(now()),
            ..Default::default()
        };
        if row.published {
            announce(&mut model, stored.starts_at, stored.ends_at, table as i32);
        }
        let updated = model.update(&txn).await?;
        if moved {
            let change = Change::MeetingMoved {
                meeting: id,
                from: current.place(),
                to: Some(Place { slot: slot.id, table }),
                published: current.published,
            };
            log::record(&txn, Some(event_id), &[change]).await?;
        }
        txn.commit().await?;
        meeting(updated)
    }

    /// Records that `organization`'s agenda has shown its meetings of the event as they are now:
    /// their changes are no longer new to it.
    pub async fn mark_seen(&self, event_id: i64, organization_id: i64) -> Result<u64> {
        let txn = self.begin_write().await?;
        let mut marked = 0;
        for (side, seen) in [
            (meetings::Column::StartupId, meetings::Column::StartupSeen),
            (meetings::Column::InvestorId, meetings::Column::InvestorSeen),
        ] {
            marked += meetings::Entity::update_many()
                .col_expr(seen, Expr::col(meetings::Column::Sequence))
                .filter(meetings::Column::EventId.eq(event_id))
                .filter(side.eq(organization_id))
                .filter(sea_orm::sea_query::ExprTrait::binary(
                    Expr::col(seen),
                    BinOper::SmallerThan,
                    Expr::col(meetings::Column::Sequence),
                ))
                .exec(&txn)
                .await?
                .rows_affected;
        }
        txn.commit().await?;
        Ok(marked)
    }

    /// Publishes the schedule: every placed meeting becomes part of it; the event is published.
    pub async fn publish(&self, event_id: i64) -> Result<u64> {
        let txn = self.begin_write().await?;
        // Announced where they are now; one announced elsewhere before (unplaced or moved by a
        // full re-plan since) gets the next calendar revision.
        let slot = |column: &str| Expr::cust(format!("(SELECT {column} FROM slots WHERE slots.id = meetings.slot_id)"));
        let published = meetings::Entity::update_many()
            .col_expr(meetings::Column::Published, Expr::value(true))
            .col_expr(
                meetings::Column::Sequence,
                Expr::cust(
                    "sequence + CASE WHEN announced_start IS NOT NULL AND (announced_start <> \
                     (SELECT starts_at FROM slots WHERE slots.id = meetings.slot_id) \
                     OR announced_table <> table_no) THEN 1 ELSE 0 END",
                ),
            )
            .col_expr(meetings::Column::AnnouncedStart, slot("starts_at"))
            .col_expr(meetings::Column::AnnouncedEnd, slot("ends_at"))
            .col_expr(meetings::Column::AnnouncedTable, Expr::col(meetings::Column::TableNo))
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
        let change = Change::SchedulePublished { meetings: published.rows_affected };
        log::record(&txn, Some(event_id), &[change]).await?;
        txn.commit().await?;
        Ok(published.rows_affected)
    }

    /// Changes a meeting's status (check-in, held, no-show, cancelled, back to scheduled) as
    /// the domain's transitions allow, in one transaction.
    pub async fn set_meeting_status(&self, event_id: i64, id: i64, status: MeetingStatus) -> Result<Meeting> {
        let txn = self.begin_write().await?;
        let row = meetings::Entity::find_by_id(id)
            .filter(meetings::Column::EventId.eq(event_id))
            .one(&txn)
            .await?
            .ok_or(StoreError::not_found(Resource::Meeting))?;
        let current = meeting(row.clone())?;
        let status = current.status.change(id, current.slot_id.is_some(), status)?;
        if status == current.status {
            return Ok(current);
        }
        // Back from a no-show (a late arrival): its place was free for others meanwhile.
        if current.status == MeetingStatus::NoShow
            && status != MeetingStatus::Cancelled
            && let (Some(slot_id), Some(table)) = (current.slot_id, current.table)
        {
            let code = slots::Entity::find_by_id(slot_id).one(&txn).await?.map(|s| s.code).unwrap_or_default();
            if let Some(refusal) = clash(&txn, event_id, &current, (slot_id, &code), table).await? {
                return Err(refusal.into());
            }
        }
        let updated = meetings::ActiveModel {
            id: Set(id),
            status: Set(status.as_str().to_owned()),
            // Cancelled, or back from cancelled: calendars must see the change.
            sequence: Set(row.sequence
                + i32::from(
                    (status == MeetingStatus::Cancelled || current.status == MeetingStatus::Cancelled) && row.published,
                )),
            updated_at: Set(now()),
            ..Default::default()
        }
        .update(&txn)
        .await?;
        let change = match status {
            MeetingStatus::Cancelled => Change::MeetingCancelled { meeting: id },
            to => Change::MeetingStatusChanged { meeting: id, from: current.status, to },
        };
        log::record(&txn, Some(event_id), &[change]).await?;
        txn.commit().await?;
        meeting(updated)
    }

    /// Records what one side says came of a meeting, with the amount of a deal if it gives one.
    pub async fn set_outcome(
        &self,
        id: i64,
        organization_id: i64,
        outcome: Outcome,
        amount: Option<i64>,
    ) -> Result<Meeting> {
        let row =
            meetings::Entity::find_by_id(id).one(&self.db).await?.ok_or(StoreError::not_found(Resource::Meeting))?;
        let mut model = meetings::ActiveModel { id: Set(id), updated_at: Set(now()), ..Default::default() };
        let value = Set(Some(outcome.as_str().to_owned()));
        if organization_id == row.startup_id {
            (model.startup_outcome, model.startup_amount) = (value, Set(amount));
        } else if organization_id == row.investor_id {
            (model.investor_outcome, model.investor_amount) = (value, Set(amount));
        } else {
            return Err(StoreError::not_found(Resource::Meeting));
        }
        self.wrote();
        meeting(model.update(&self.db).await?)
    }

    /// Records what `organization_id`, a side of meeting `id`, thought of it.
    pub async fn set_feedback(&self, id: i64, organization_id: i64, feedback: Feedback) -> Result<Meeting> {
        let row =
            meetings::Entity::find_by_id(id).one(&self.db).await?.ok_or(StoreError::not_found(Resource::Meeting))?;
        let mut model = meetings::ActiveModel { id: Set(id), updated_at: Set(now()), ..Default::default() };
        let rating = Set(feedback.rating.map(i16::from));
        let follow_up = Set(feedback.follow_up);
        if organization_id == row.startup_id {
            (model.startup_rating, model.startup_follow_up) = (rating, follow_up);
        } else if organization_id == row.investor_id {
            (model.investor_rating, model.investor_follow_up) = (rating, follow_up);
        } else {
            return Err(StoreError::not_found(Resource::Meeting));
        }
        self.wrote();
        meeting(model.update(&self.db).await?)
    }

    /// How many startups and investors take part in the event.
    pub async fn participant_counts(&self, event_id: i64) -> Result<(u64, u64)> {
        let kinds: Vec<(String, i64)> = participations::Entity::find()
            .select_only()
            .column(organizations::Column::Kind)
            .column_as(participations::Column::Id.count(), "n")
            .inner_join(organizations::Entity)
            .filter(participations::Column::EventId.eq(event_id))
            .group_by(organizations::Column::Kind)
            .into_tuple()
            .all(&self.db)
            .await?;
        let (mut startups, mut investors) = (0, 0);
        for (kind, count) in kinds {
            let count = u64::try_from(count).unwrap_or(0);
            match OrgKind::parse(&kind).map_err(|_| StoreError::Corrupt(format!("organizations.kind: {kind:?}")))? {
                OrgKind::Startup => startups += count,
                OrgKind::Investor => investors += count,
            }
        }
        Ok((startups, investors))
    }

    /// The countries the event's participants are based in, by code, each once.
    pub async fn participant_countries(&self, event_id: i64) -> Result<Vec<String>> {
        Ok(participations::Entity::find()
            .select_only()
            .column(organizations::Column::Country)
            .distinct()
            .inner_join(organizations::Entity)
            .filter(participations::Column::EventId.eq(event_id))
            .filter(organizations::Column::Country.ne(""))
            .order_by_asc(organizations::Column::Country)
            .into_tuple()
            .all(&self.db)
            .await?)
    }

    /// The event's figures, counted by the database: a few rows of counts, whatever the size
    /// of the event.
    pub async fn figures(&self, event_id: i64) -> Result<Figures> {
        let requests = meeting_requests::Entity::find()
            .select_only()
            .column(meeting_requests::Column::Status)
            .column_as(meeting_requests::Column::Id.count(), "n")
            .filter(meeting_requests::Column::EventId.eq(event_id))
            .group_by(meeting_requests::Column::Status)
            .into_tuple::<(String, i64)>()
            .all(&self.db);
        // A pending request past its end has expired, whether or not the sweep has marked it.
        let lapsed = meeting_requests::Entity::find()
            .filter(meeting_requests::Column::EventId.eq(event_id))
            .filter(meeting_requests::Column::Status.eq(RequestStatus::Pending.as_str()))
            .filter(meeting_requests::Column::ExpiresAt.lte(now()))
            .count(&self.db);
        let meetings = meetings::Entity::find()
            .select_only()
            .column(meetings::Column::Status)
            .column_as(meetings::Column::Id.count(), "n")
            .column_as(meetings::Column::SlotId.count(), "placed")
            .filter(meetings::Column::EventId.eq(event_id))
            .filter(meetings::Column::Status.ne(MeetingStatus::Cancelled.as_str()))
            .group_by(meetings::Column::Status)
            .into_tuple::<(String, i64, i64)>()
            .all(&self.db);
        let outcomes = |side: meetings::Column| {
            meetings::Entity::find()
                .select_only()
                .column(side)
                .column_as(meetings::Column::Id.count(), "n")
                .filter(meetings::Column::EventId.eq(event_id))
                .filter(meetings::Column::Status.ne(MeetingStatus::Cancelled.as_str()))
                .filter(side.is_not_null())
                .group_by(side)
                .into_tuple::<(String, i64)>()
                .all(&self.db)
        };
        let ((startups, investors), requests, lapsed, meetings, startup_outcomes, investor_outcomes) = tokio::try_join!(
            self.participant_counts(event_id),
            async { Ok::<_, StoreError>(requests.await?) },
            async { Ok::<_, StoreError>(lapsed.await?) },
            async { Ok::<_, StoreError>(meetings.await?) },
            async { Ok::<_, StoreError>(outcomes(meetings::Column::StartupOutcome).await?) },
            async { Ok::<_, StoreError>(outcomes(meetings::Column::InvestorOutcome).await?) },
        )?;
        let n = |count: i64| u64::try_from(count).unwrap_or(0);
        let mut figures = Figures { startups, investors, ..Figures::default() };
        for (status, count) in requests {
            figures.requests += n(count);
            match RequestStatus::parse(&status) {
                Some(RequestStatus::Accepted) => figures.accepted += n(count),
                Some(RequestStatus::Declined) => figures.declined += n(count),
                Some(RequestStatus::Pending) => figures.pending += n(count),
                Some(RequestStatus::Cancelled | RequestStatus::Expired) => {}
                None => return Err(StoreError::Corrupt(format!("meeting_requests.status: {status:?}"))),
            }
        }
        figures.pending = figures.pending.saturating_sub(lapsed);
        for (status, count, placed) in meetings {
            figures.meetings += n(count);
            figures.placed += n(placed);
            match MeetingStatus::parse(&status)
                .map_err(|_| StoreError::Corrupt(format!("meetings.status: {status:?}")))?
            {
                MeetingStatus::CheckedIn => figures.checked_in += n(count),
                MeetingStatus::Held => figures.held += n(count),
                MeetingStatus::NoShow => figures.no_show += n(count),
                MeetingStatus::Scheduled | MeetingStatus::Cancelled => {}
            }
        }
        let mut outcomes: HashMap<Outcome, u64> = HashMap::new();
        for (outcome, count) in startup_outcomes.into_iter().chain(investor_outcomes) {
            let outcome =
                Outcome::parse(&outcome).map_err(|_| StoreError::Corrupt(format!("meetings outcome: {outcome:?}")))?;
            *outcomes.entry(outcome).or_default() += n(count);
        }
        figures.outcomes = Outcome::ALL.iter().filter_map(|o| outcomes.get(o).map(|n| (*o, *n))).collect();
        Ok(figures)
    }

    /// The meetings of an organization, at every event, that a published schedule placed at
    /// some time: the calendar feed's.
    pub async fn announced_meetings(&self, organization_id: i64) -> Result<Vec<Meeting>> {
        let rows = meetings::Entity::find()
            .filter(meetings::Column::AnnouncedStart.is_not_null())
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
