//! Meet now: instant meetings proposed on the day to pairs present at the venue and free in a
//! slot, at a free table. The first pair whose two sides accept gets the table: its meeting is
//! inserted under the indexes against double booking, so of two pairs completing at once one
//! commits and the other finds its proposal gone. What is proposed is the domain's and the
//! app's choice; here are the facts it is made from and the writes, each with its log rows.

use std::collections::{HashMap, HashSet};

use ketnoi_domain::log::Change;
use ketnoi_domain::rules::{MeetingStatus, Refusal, RequestStatus, Resource};
use sea_orm::sea_query::{Expr, SelectStatement, UnionType};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, QueryTrait, Set, Statement,
};

use crate::entity::{meet_now_free, meet_now_proposals, meeting_requests, meetings, participations, unavailable_slots};
use crate::meetings::{FREED, meeting, participates};
use crate::{Meeting, Result, Slot, Store, StoreError, log, now};

/// Where a proposal stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProposalStatus {
    /// Waiting for one side or both.
    Open,
    /// Both accepted: it is a meeting.
    Met,
    Declined,
    /// Another pair took its table or a side first, or its slot ended.
    Gone,
}

impl ProposalStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ProposalStatus::Open => "open",
            ProposalStatus::Met => "met",
            ProposalStatus::Declined => "declined",
            ProposalStatus::Gone => "gone",
        }
    }

    fn parse(code: &str) -> Result<ProposalStatus> {
        [ProposalStatus::Open, ProposalStatus::Met, ProposalStatus::Declined, ProposalStatus::Gone]
            .into_iter()
            .find(|s| s.as_str() == code)
            .ok_or_else(|| StoreError::Corrupt(format!("meet_now_proposals.status: {code:?}")))
    }
}

const ACCEPTED: &str = "accepted";
const DECLINED: &str = "declined";

/// An instant meeting proposed to a pair.
#[derive(Debug, Clone, PartialEq)]
pub struct Proposal {
    pub id: i64,
    pub event_id: i64,
    pub slot_id: i64,
    pub table: u32,
    pub startup_id: i64,
    pub investor_id: i64,
    /// The pair's match score, 0 to 1.
    pub score: f64,
    /// Whether each side accepted (`Some(true)`), declined, or has not answered.
    pub startup_answer: Option<bool>,
    pub investor_answer: Option<bool>,
    pub status: ProposalStatus,
    pub meeting_id: Option<i64>,
    pub created_at: i64,
}

impl Proposal {
    /// The other side, for `organization`; none when it is not a side.
    pub fn counterpart(&self, organization: i64) -> Option<i64> {
        if organization == self.startup_id {
            Some(self.investor_id)
        } else if organization == self.investor_id {
            Some(self.startup_id)
        } else {
            None
        }
    }

    fn change(&self, made: impl Fn(i64, i64, i64) -> Change) -> Change {
        made(self.id, self.startup_id, self.investor_id)
    }
}

fn answer(value: Option<String>) -> Option<bool> {
    value.map(|v| v == ACCEPTED)
}

fn proposal(row: meet_now_proposals::Model) -> Result<Proposal> {
    Ok(Proposal {
        id: row.id,
        event_id: row.event_id,
        slot_id: row.slot_id,
        table: u32::try_from(row.table_no).unwrap_or(0),
        startup_id: row.startup_id,
        investor_id: row.investor_id,
        score: f64::from(row.score) / 1000.0,
        startup_answer: answer(row.startup_answer),
        investor_answer: answer(row.investor_answer),
        status: ProposalStatus::parse(&row.status)?,
        meeting_id: row.meeting_id,
        created_at: row.created_at,
    })
}

/// A proposal to make.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NewProposal {
    pub table: u32,
    pub startup_id: i64,
    pub investor_id: i64,
    pub score: f64,
}

/// A pair as an unordered key: the smaller id first.
pub fn pair(a: i64, b: i64) -> (i64, i64) {
    (a.min(b), a.max(b))
}

/// What proposals for one slot are made from, read in one go.
#[derive(Debug, Clone, Default)]
pub struct SlotFacts {
    /// Present at the venue on the slot's day: a meeting of theirs that day checked in or held,
    /// or marked free for one of its slots.
    pub present: HashSet<i64>,
    /// Taken in the slot: a live meeting there, or an open proposal for it.
    pub busy: HashSet<i64>,
    /// Those who marked the slot unavailable.
    pub unavailable: HashSet<i64>,
    /// The tables of the slot a live meeting uses.
    pub tables_used: HashSet<u32>,
    /// How many open proposals want each table of the slot.
    pub proposed_tables: std::collections::HashMap<u32, usize>,
    /// Those to pair: present, not busy, not unavailable; by id.
    pub candidates: Vec<i64>,
    /// Pairs never to propose for their proposals: one declined the other, or they were
    /// proposed in this slot already.
    pub excluded: HashSet<(i64, i64)>,
}

/// How many ids one `IN (…)` list holds: two of them stay well within the bind parameters
/// SQLite and PostgreSQL allow.
const CHUNK: usize = 5000;

/// What answering a proposal came to.
#[derive(Debug, Clone)]
pub enum Answered {
    /// The caller's answer is in; the other side's is awaited.
    Waiting(Proposal),
    Declined(Proposal),
    /// Both accepted: the meeting, placed and published, and the proposals it took the place of.
    Met {
        proposal: Proposal,
        meeting: Meeting,
        gone: Vec<Proposal>,
    },
}

impl Store {
    /// The facts for proposals in `slot`, whose day has the slots `day`; the pairs that met or
    /// declined a request are [`Store::pairs_met_or_declined`]'s. The reads are independent and
    /// run at once, each on a connection of its own.
    pub async fn slot_facts(&self, event_id: i64, slot: i64, day: &[i64]) -> Result<SlotFacts> {
        // Only the rows that matter are read: at a national event the event has tens of
        // thousands of meetings, and each row read costs.
        // Both sides in one statement, without repeats: a day's thousands of meetings have far
        // fewer sides. The day's slots are the event's, so the meetings are read from the index
        // on (slot, status, sides) alone.
        let side = |column: meetings::Column| {
            meetings::Entity::find()
                .select_only()
                .column_as(column, "a")
                .filter(meetings::Column::SlotId.is_in(day.iter().copied()))
                .filter(
                    meetings::Column::Status.is_in([MeetingStatus::CheckedIn.as_str(), MeetingStatus::Held.as_str()]),
                )
                .into_query()
        };
        let there = packed(
            &self.db,
            side(meetings::Column::StartupId).union(UnionType::Distinct, side(meetings::Column::InvestorId)).to_owned(),
            Packed::Ids,
        );
        let in_slot = meetings::Entity::find()
            .select_only()
            .columns([meetings::Column::StartupId, meetings::Column::InvestorId, meetings::Column::TableNo])
            .filter(meetings::Column::EventId.eq(event_id))
            .filter(meetings::Column::SlotId.eq(slot))
            .filter(meetings::Column::Status.is_not_in(FREED))
            .into_tuple::<(i64, i64, Option<i32>)>()
            .all(&self.db);
        let free = meet_now_free::Entity::find()
            .select_only()
            .column(meet_now_free::Column::OrganizationId)
            .filter(meet_now_free::Column::SlotId.is_in(day.iter().copied()))
            .into_tuple::<i64>()
            .all(&self.db);
        let unavailable = unavailable_slots::Entity::find()
            .select_only()
            .column(participations::Column::OrganizationId)
            .inner_join(participations::Entity)
            .filter(unavailable_slots::Column::SlotId.eq(slot))
            .into_tuple::<i64>()
            .all(&self.db);
        let proposed = meet_now_proposals::Entity::find()
            .select_only()
            .columns([
                meet_now_proposals::Column::SlotId,
                meet_now_proposals::Column::TableNo,
                meet_now_proposals::Column::StartupId,
                meet_now_proposals::Column::InvestorId,
                meet_now_proposals::Column::Status,
            ])
            // Each half through its own index.
            .filter(
                Condition::any().add(meet_now_proposals::Column::SlotId.eq(slot)).add(
                    Condition::all()
                        .add(meet_now_proposals::Column::EventId.eq(event_id))
                        .add(meet_now_proposals::Column::Status.eq(ProposalStatus::Declined.as_str())),
                ),
            )
            .into_tuple::<(i64, i32, i64, i64, String)>()
            .all(&self.db);
        let others = async { Ok::<_, StoreError>(tokio::try_join!(in_slot, free, unavailable, proposed)?) };
        let (there, (in_slot, free, unavailable, proposed)) = tokio::try_join!(there, others)?;
        let mut facts = SlotFacts::default();
        facts.present.extend(there);
        facts.present.extend(free);
        for (startup, investor, table) in in_slot {
            facts.busy.extend([startup, investor]);
            facts.tables_used.extend(table.and_then(|t| u32::try_from(t).ok()));
        }
        facts.unavailable.extend(unavailable);
        for (slot_id, table, startup, investor, status) in proposed {
            facts.excluded.insert(pair(startup, investor));
            if slot_id == slot && status == ProposalStatus::Open.as_str() {
                facts.busy.extend([startup, investor]);
                *facts.proposed_tables.entry(u32::try_from(table).unwrap_or(0)).or_default() += 1;
            }
        }
        facts.candidates = facts
            .present
            .iter()
            .filter(|o| !facts.busy.contains(o) && !facts.unavailable.contains(o))
            .copied()
            .collect();
        facts.candidates.sort_unstable();
        Ok(facts)
    }

    /// The pairs of one of `startups` and one of `investors` that have a meeting at the event
    /// (not cancelled) or in which one declined the other's request, the smaller id first.
    /// Meetings are read for these pairs only; the declined requests of an event are few, and
    /// read whole through their own index.
    pub async fn pairs_met_or_declined(
        &self,
        event_id: i64,
        startups: &[i64],
        investors: &[i64],
    ) -> Result<HashSet<(i64, i64)>> {
        let met = async {
            let mut met = Vec::new();
            for investors in investors.chunks(CHUNK) {
                for startups in startups.chunks(CHUNK) {
                    let query = meetings::Entity::find()
                        .select_only()
                        .column_as(meetings::Column::StartupId, "a")
                        .column_as(meetings::Column::InvestorId, "b")
                        .filter(meetings::Column::InvestorId.is_in(investors.iter().copied()))
                        .filter(meetings::Column::EventId.eq(event_id))
                        .filter(meetings::Column::Status.ne(MeetingStatus::Cancelled.as_str()))
                        .filter(meetings::Column::StartupId.is_in(startups.iter().copied()))
                        .into_query();
                    let rows = packed(&self.db, query, Packed::Pairs).await?;
                    let rows = rows.chunks_exact(2).map(|pair| (pair[0], pair[1]));
                    met.extend(rows);
                }
            }
            Ok::<_, StoreError>(met)
        };
        let declined = meeting_requests::Entity::find()
            .select_only()
            .columns([meeting_requests::Column::PairLow, meeting_requests::Column::PairHigh])
            .filter(meeting_requests::Column::EventId.eq(event_id))
            .filter(meeting_requests::Column::Status.eq(RequestStatus::Declined.as_str()))
            .into_tuple::<(i64, i64)>()
            .all(&self.db);
        let (met, declined) = tokio::try_join!(met, async { Ok(declined.await?) })?;
        let among: HashSet<i64> = startups.iter().chain(investors).copied().collect();
        let mut pairs: HashSet<(i64, i64)> = met.into_iter().map(|(s, i)| pair(s, i)).collect();
        pairs.extend(declined.into_iter().filter(|(a, b)| among.contains(a) && among.contains(b)));
        Ok(pairs)
    }

    /// Records proposals in `slot`, each with its log row, in one transaction, but for those
    /// with a side taken in the slot meanwhile (an open proposal or a live meeting there). A
    /// pair proposed in the slot meanwhile fails them all (`Duplicate`): that round's stand.
    pub async fn add_proposals(&self, event_id: i64, slot: i64, new: &[NewProposal]) -> Result<Vec<Proposal>> {
        if new.is_empty() {
            return Ok(Vec::new());
        }
        let txn = self.begin_write().await?;
        lock_slot(&txn, slot).await?;
        // The facts were read before the lock: another round for this slot (another replica,
        // a decline and a mark-free at once) may have taken some of these sides since. Those
        // with an open proposal or a live meeting in the slot now are left out: a slot has at
        // most a few thousand of either, read whole rather than looked up by long lists of ids.
        let proposed: Vec<(i64, i64)> = open_in_slot(slot)
            .columns([meet_now_proposals::Column::StartupId, meet_now_proposals::Column::InvestorId])
            .into_tuple()
            .all(&txn)
            .await?;
        let meeting: Vec<(i64, i64)> = meetings::Entity::find()
            .select_only()
            .columns([meetings::Column::StartupId, meetings::Column::InvestorId])
            .filter(meetings::Column::EventId.eq(event_id))
            .filter(meetings::Column::SlotId.eq(slot))
            .filter(meetings::Column::Status.is_not_in(FREED))
            .into_tuple()
            .all(&txn)
            .await?;
        let taken: HashSet<i64> = proposed.into_iter().chain(meeting).flat_map(|(s, i)| [s, i]).collect();
        let at = now();
        let kept: Vec<&NewProposal> =
            new.iter().filter(|p| !taken.contains(&p.startup_id) && !taken.contains(&p.investor_id)).collect();
        let rows: Vec<meet_now_proposals::ActiveModel> = kept
            .iter()
            .map(|p| meet_now_proposals::ActiveModel {
                event_id: Set(event_id),
                slot_id: Set(slot),
                table_no: Set(i32::try_from(p.table).unwrap_or(i32::MAX)),
                startup_id: Set(p.startup_id),
                investor_id: Set(p.investor_id),
                score: Set((p.score * 1000.0).round() as i32),
                startup_answer: Set(None),
                investor_answer: Set(None),
                status: Set(ProposalStatus::Open.as_str().to_owned()),
                meeting_id: Set(None),
                created_at: Set(at),
                updated_at: Set(at),
                ..Default::default()
            })
            .collect();
        for chunk in rows.chunks(500) {
            meet_now_proposals::Entity::insert_many(chunk.to_vec()).exec(&txn).await?;
        }
        // Their ids, read back rather than returned with every column: each startup kept had no
        // open proposal in the slot, so its one there now is the one just made.
        let kept: HashMap<i64, &NewProposal> = kept.into_iter().map(|p| (p.startup_id, p)).collect();
        let ids: Vec<(i64, i64)> = open_in_slot(slot)
            .columns([meet_now_proposals::Column::Id, meet_now_proposals::Column::StartupId])
            .into_tuple()
            .all(&txn)
            .await?;
        let mut made: Vec<Proposal> = ids
            .into_iter()
            .filter_map(|(id, startup)| {
                let p = kept.get(&startup)?;
                Some(Proposal {
                    id,
                    event_id,
                    slot_id: slot,
                    table: p.table,
                    startup_id: p.startup_id,
                    investor_id: p.investor_id,
                    score: (p.score * 1000.0).round() / 1000.0,
                    startup_answer: None,
                    investor_answer: None,
                    status: ProposalStatus::Open,
                    meeting_id: None,
                    created_at: at,
                })
            })
            .collect();
        made.sort_by_key(|p| p.id);
        let changes: Vec<Change> = made
            .iter()
            .map(|p| p.change(|proposal, startup, investor| Change::ProposalMade { proposal, startup, investor }))
            .collect();
        log::record(&txn, Some(event_id), &changes).await?;
        txn.commit().await?;
        Ok(made)
    }

    pub async fn proposal(&self, id: i64) -> Result<Proposal> {
        let row = meet_now_proposals::Entity::find_by_id(id)
            .one(&self.db)
            .await?
            .ok_or(StoreError::not_found(Resource::Proposal))?;
        proposal(row)
    }

    /// The open proposals of an event, of one organization when given, oldest first.
    pub async fn open_proposals(&self, event_id: i64, organization_id: Option<i64>) -> Result<Vec<Proposal>> {
        let mut query = meet_now_proposals::Entity::find()
            .filter(meet_now_proposals::Column::EventId.eq(event_id))
            .filter(meet_now_proposals::Column::Status.eq(ProposalStatus::Open.as_str()));
        if let Some(organization) = organization_id {
            query = query.filter(
                Condition::any()
                    .add(meet_now_proposals::Column::StartupId.eq(organization))
                    .add(meet_now_proposals::Column::InvestorId.eq(organization)),
            );
        }
        let rows = query.order_by_asc(meet_now_proposals::Column::Id).all(&self.db).await?;
        rows.into_iter().map(proposal).collect()
    }

    /// Records `organization_id`'s answer to a proposal. When both sides have accepted, the
    /// meeting is placed at the proposal's table in its slot (`slot`), published and marked
    /// re-matched, and the open proposals that wanted the same table or a side of it then are
    /// gone. A proposal no longer open is refused as gone; so is one whose table or sides
    /// another pair took first: then nothing is written but its status.
    pub async fn answer_proposal(&self, id: i64, organization_id: i64, accept: bool, slot: &Slot) -> Result<Answered> {
        match self.try_answer(id, organization_id, accept, slot).await {
            // Another meeting took the table or a side first: the proposal is gone.
            Err(StoreError::Duplicate) => {
                self.expire_proposals(&[id]).await?;
                Err(Refusal::ProposalGone { proposal: id }.into())
            }
            other => other,
        }
    }

    async fn try_answer(&self, id: i64, organization_id: i64, accept: bool, slot: &Slot) -> Result<Answered> {
        let txn = self.begin_write().await?;
        lock_slot(&txn, slot.id).await?;
        let row = meet_now_proposals::Entity::find_by_id(id)
            .one(&txn)
            .await?
            .ok_or(StoreError::not_found(Resource::Proposal))?;
        let column = if organization_id == row.startup_id {
            meet_now_proposals::Column::StartupAnswer
        } else if organization_id == row.investor_id {
            meet_now_proposals::Column::InvestorAnswer
        } else {
            return Err(StoreError::not_found(Resource::Proposal));
        };
        let at = now();
        let mut update = meet_now_proposals::Entity::update_many()
            .col_expr(column, Expr::value(if accept { ACCEPTED } else { DECLINED }))
            .col_expr(meet_now_proposals::Column::UpdatedAt, Expr::value(at));
        if !accept {
            update =
                update.col_expr(meet_now_proposals::Column::Status, Expr::value(ProposalStatus::Declined.as_str()));
        }
        // Only while open: of an answer and the proposal's end at once, one finds it closed.
        let updated = update
            .filter(meet_now_proposals::Column::Id.eq(id))
            .filter(meet_now_proposals::Column::Status.eq(ProposalStatus::Open.as_str()))
            .exec(&txn)
            .await?;
        if updated.rows_affected == 0 {
            return Err(Refusal::ProposalGone { proposal: id }.into());
        }
        let current = proposal(
            meet_now_proposals::Entity::find_by_id(id)
                .one(&txn)
                .await?
                .ok_or(StoreError::not_found(Resource::Proposal))?,
        )?;
        if !accept {
            let change =
                current.change(|proposal, startup, investor| Change::ProposalDeclined { proposal, startup, investor });
            log::record(&txn, Some(current.event_id), &[change]).await?;
            txn.commit().await?;
            return Ok(Answered::Declined(current));
        }
        if current.startup_answer != Some(true) || current.investor_answer != Some(true) {
            txn.commit().await?;
            return Ok(Answered::Waiting(current));
        }
        // The meeting answers the pair's pending request, if one of them had asked; else a
        // request accepted by both is written for it.
        let (low, high) = pair(current.startup_id, current.investor_id);
        let pending = meeting_requests::Entity::find()
            .filter(meeting_requests::Column::EventId.eq(current.event_id))
            .filter(meeting_requests::Column::PairLow.eq(low))
            .filter(meeting_requests::Column::PairHigh.eq(high))
            .filter(meeting_requests::Column::Status.eq(RequestStatus::Pending.as_str()))
            .one(&txn)
            .await?;
        let request_id = match pending {
            Some(pending) => {
                meeting_requests::Entity::update_many()
                    .col_expr(meeting_requests::Column::Status, Expr::value(RequestStatus::Accepted.as_str()))
                    .col_expr(meeting_requests::Column::UpdatedAt, Expr::value(at))
                    .filter(meeting_requests::Column::Id.eq(pending.id))
                    .exec(&txn)
                    .await?;
                pending.id
            }
            None => {
                meeting_requests::ActiveModel {
                    event_id: Set(current.event_id),
                    requester_id: Set(current.startup_id),
                    recipient_id: Set(current.investor_id),
                    pair_low: Set(low),
                    pair_high: Set(high),
                    message: Set(String::new()),
                    note: Set(String::new()),
                    status: Set(RequestStatus::Accepted.as_str().to_owned()),
                    priority: Set(1),
                    expires_at: Set(None),
                    created_at: Set(at),
                    updated_at: Set(at),
                    ..Default::default()
                }
                .insert(&txn)
                .await?
                .id
            }
        };
        let (start, end) = (slot.starts_at.as_second(), slot.ends_at.as_second());
        let table = i32::try_from(current.table).unwrap_or(i32::MAX);
        let placed = meetings::ActiveModel {
            event_id: Set(current.event_id),
            request_id: Set(request_id),
            startup_id: Set(current.startup_id),
            investor_id: Set(current.investor_id),
            slot_id: Set(Some(current.slot_id)),
            table_no: Set(Some(table)),
            pinned: Set(true),
            status: Set(MeetingStatus::Scheduled.as_str().to_owned()),
            published: Set(true),
            sequence: Set(0),
            announced_start: Set(Some(start)),
            announced_end: Set(Some(end)),
            announced_table: Set(Some(table)),
            rematched: Set(true),
            created_at: Set(at),
            updated_at: Set(at),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        meet_now_proposals::Entity::update_many()
            .col_expr(meet_now_proposals::Column::Status, Expr::value(ProposalStatus::Met.as_str()))
            .col_expr(meet_now_proposals::Column::MeetingId, Expr::value(placed.id))
            .filter(meet_now_proposals::Column::Id.eq(id))
            .exec(&txn)
            .await?;
        // The proposals that wanted this table, or a side of this pair, in the slot; and the
        // pair's own in other slots: they have met now.
        let in_slot = Condition::all().add(meet_now_proposals::Column::SlotId.eq(current.slot_id)).add(
            Condition::any()
                .add(meet_now_proposals::Column::TableNo.eq(table))
                .add(meet_now_proposals::Column::StartupId.eq(current.startup_id))
                .add(meet_now_proposals::Column::InvestorId.eq(current.investor_id)),
        );
        let same_pair = Condition::all()
            .add(meet_now_proposals::Column::StartupId.eq(current.startup_id))
            .add(meet_now_proposals::Column::InvestorId.eq(current.investor_id));
        let rivals = meet_now_proposals::Entity::find()
            .filter(meet_now_proposals::Column::EventId.eq(current.event_id))
            .filter(meet_now_proposals::Column::Status.eq(ProposalStatus::Open.as_str()))
            .filter(Condition::any().add(in_slot).add(same_pair))
            .all(&txn)
            .await?;
        let gone: Vec<Proposal> = rivals.into_iter().map(proposal).collect::<Result<_>>()?;
        let gone_ids: Vec<i64> = gone.iter().map(|p| p.id).collect();
        close(&txn, &gone_ids, at).await?;
        let mut changes = vec![Change::Rematched {
            proposal: id,
            meeting: placed.id,
            startup: current.startup_id,
            investor: current.investor_id,
        }];
        changes.extend(gone.iter().map(|p| p.change(gone_change)));
        log::record(&txn, Some(current.event_id), &changes).await?;
        txn.commit().await?;
        let mut current = current;
        current.status = ProposalStatus::Met;
        current.meeting_id = Some(placed.id);
        Ok(Answered::Met { proposal: current, meeting: meeting(placed)?, gone })
    }

    /// Closes open proposals that can no longer be met (their slot ended, or a side or their
    /// table was taken), telling their sides.
    pub async fn expire_proposals(&self, ids: &[i64]) -> Result<Vec<Proposal>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let txn = self.begin_write().await?;
        let rows = meet_now_proposals::Entity::find()
            .filter(meet_now_proposals::Column::Id.is_in(ids.iter().copied()))
            .filter(meet_now_proposals::Column::Status.eq(ProposalStatus::Open.as_str()))
            .all(&txn)
            .await?;
        let gone: Vec<Proposal> = rows.into_iter().map(proposal).collect::<Result<_>>()?;
        close(&txn, &gone.iter().map(|p| p.id).collect::<Vec<_>>(), now()).await?;
        for (event, group) in by_event(&gone) {
            let changes: Vec<Change> = group.iter().map(|p| p.change(gone_change)).collect();
            log::record(&txn, Some(event), &changes).await?;
        }
        txn.commit().await?;
        Ok(gone)
    }

    /// Marks `organization_id` present and free for meetings in `slot`: no longer unavailable
    /// then. Marking twice is marking once.
    pub async fn mark_free(&self, event_id: i64, slot: i64, organization_id: i64) -> Result<()> {
        let txn = self.begin_write().await?;
        let Some(participation) = participates(&txn, event_id, organization_id).await? else {
            return Err(StoreError::not_found(Resource::Participation));
        };
        unavailable_slots::Entity::delete_many()
            .filter(unavailable_slots::Column::ParticipationId.eq(participation.id))
            .filter(unavailable_slots::Column::SlotId.eq(slot))
            .exec(&txn)
            .await?;
        // Marked twice at once (a double click): one row, the second insert does nothing.
        let row = meet_now_free::ActiveModel {
            event_id: Set(event_id),
            slot_id: Set(slot),
            organization_id: Set(organization_id),
            created_at: Set(now()),
        };
        meet_now_free::Entity::insert(row)
            .on_conflict(
                sea_orm::sea_query::OnConflict::columns([
                    meet_now_free::Column::SlotId,
                    meet_now_free::Column::OrganizationId,
                ])
                .do_nothing()
                .to_owned(),
            )
            .exec_without_returning(&txn)
            .await?;
        txn.commit().await?;
        Ok(())
    }

    /// Whether `organization_id` marked itself free in `slot`.
    pub async fn marked_free(&self, slot: i64, organization_id: i64) -> Result<bool> {
        Ok(meet_now_free::Entity::find_by_id((slot, organization_id)).one(&self.db).await?.is_some())
    }
}

/// The first half of the PostgreSQL advisory lock key of a slot's proposals (the slot id is
/// the second).
const MEET_NOW_LOCK: i32 = 0x6b74_6d6e;

/// Holds the slot's proposals for the rest of the transaction: on PostgreSQL, answers and new
/// proposals for one slot take turns, so that the pair that completes first closes its rivals
/// without the rivals' own answers holding their rows against it (a deadlock). SQLite has one
/// writer at a time already.
async fn lock_slot(txn: &impl ConnectionTrait, slot: i64) -> Result<()> {
    if txn.get_database_backend() == DbBackend::Postgres {
        txn.execute_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT pg_advisory_xact_lock($1, $2)",
            [MEET_NOW_LOCK.into(), (slot as i32).into()],
        ))
        .await?;
    }
    Ok(())
}

fn gone_change(proposal: i64, startup: i64, investor: i64) -> Change {
    Change::ProposalGone { proposal, startup, investor }
}

async fn close(db: &impl ConnectionTrait, ids: &[i64], at: i64) -> Result<()> {
    if ids.is_empty() {
        return Ok(());
    }
    meet_now_proposals::Entity::update_many()
        .col_expr(meet_now_proposals::Column::Status, Expr::value(ProposalStatus::Gone.as_str()))
        .col_expr(meet_now_proposals::Column::UpdatedAt, Expr::value(at))
        .filter(meet_now_proposals::Column::Id.is_in(ids.iter().copied()))
        .filter(meet_now_proposals::Column::Status.eq(ProposalStatus::Open.as_str()))
        .exec(db)
        .await?;
    Ok(())
}

fn by_event(proposals: &[Proposal]) -> std::collections::BTreeMap<i64, Vec<&Proposal>> {
    let mut groups: std::collections::BTreeMap<i64, Vec<&Proposal>> = std::collections::BTreeMap::new();
    for p in proposals {
        groups.entry(p.event_id).or_default().push(p);
    }
    groups
}

/// The open proposals of `slot`, no column selected yet.
fn open_in_slot(slot: i64) -> sea_orm::Select<meet_now_proposals::Entity> {
    meet_now_proposals::Entity::find()
        .select_only()
        .filter(meet_now_proposals::Column::SlotId.eq(slot))
        .filter(meet_now_proposals::Column::Status.eq(ProposalStatus::Open.as_str()))
}

/// What the rows of a query given to [`packed`] are: one id (column `a`), or two (`a`, `b`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Packed {
    Ids,
    Pairs,
}

/// The integers of `query`'s rows, in row order (a pair's two after each other), joined into
/// one text in the database and split here. Thousands of rows, each handed over from
/// SQLite's thread to ours, cost milliseconds; one row of text, a fraction of that.
async fn packed(db: &impl ConnectionTrait, query: SelectStatement, rows: Packed) -> Result<Vec<i64>> {
    let backend = db.get_database_backend();
    let joined = match (backend, rows) {
        (DbBackend::Postgres, Packed::Ids) => "string_agg(a::text, ',')",
        (DbBackend::Postgres, Packed::Pairs) => "string_agg(a::text || ',' || b::text, ',')",
        (_, Packed::Ids) => "group_concat(a, ',')",
        (_, Packed::Pairs) => "group_concat(a || ',' || b, ',')",
    };
    let inner = backend.build(&query);
    let statement = Statement::from_sql_and_values(
        backend,
        format!("SELECT {joined} AS packed FROM ({}) AS listed", inner.sql),
        inner.values.map(|values| values.0).unwrap_or_default(),
    );
    let text: Option<String> = match db.query_one_raw(statement).await? {
        Some(row) => row.try_get_by_index(0)?,
        None => None,
    };
    let Some(text) = text else { return Ok(Vec::new()) };
    text.split(',')
        .map(|value| value.parse().map_err(|_| StoreError::Corrupt(format!("packed integer: {value:?}"))))
        .collect()
}
