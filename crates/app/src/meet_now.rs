//! Meet now: repairing the day as it happens. When a meeting turns no-show or is cancelled
//! while its slot is still to come or under way, or a participant marks itself free for such a
//! slot, ketnoi proposes instant meetings for that slot to pairs in which both sides are at the
//! venue that day (a meeting of theirs checked in or held, or marked free), both free then,
//! never met nor declined, best reciprocal match score first, each organization in at most one
//! open proposal per slot, at the free tables (the least-proposed first). Both sides accept →
//! the meeting is placed, published and marked re-matched; the first pair to complete wins the
//! table, and the proposals that wanted it, or either side, are gone.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, HashSet};
use std::sync::{Arc, Mutex};

use jiff::Timestamp;
use ketnoi_domain::access::Action;
use ketnoi_domain::matching::{Candidate, Rankings, disjoint_pairs_ranked};
use ketnoi_domain::money::Rates;
use ketnoi_domain::profile::OrgKind;
use ketnoi_domain::rules::{MeetingStatus, Named, Refusal, Resource};
use ketnoi_domain::validate::Issue;
use ketnoi_store::{Answered, Event, LogPosition, NewProposal, Proposal, ProposalStatus, Slot};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::meetings::OrgRef;
use crate::{App, AppError, AppResult, Caller, local, zone};

/// How many counterparts each organization of the smaller side ranks before pairs are chosen.
const RANKED: usize = 8;
/// How many of its best counterparts at the whole event each participant's ranking keeps
/// (see [`Rankings`]): at a wave where about half are free, with ten or so already met, a list
/// of 64 still holds the best 8 of those free.
const RANKINGS_DEPTH: usize = 64;

/// What matching needs of each participant, by event, kept while the event log shows no change
/// to its profile: a meet-now round reads the profile changes logged since the last round, and
/// the profiles not kept.
#[derive(Debug, Default)]
pub struct CandidateCache {
    inner: Mutex<Cached>,
}

#[derive(Debug, Default)]
struct Cached {
    /// The log read so far: every profile changed up to it is out of `events`. `None` before
    /// the first round.
    position: Option<LogPosition>,
    /// Counts the reads of the log that found a profile changed: rankings made from candidates
    /// read before one are not kept.
    generation: u64,
    events: HashMap<i64, EventCandidates>,
}

#[derive(Debug)]
struct EventCandidates {
    /// The rates the amounts were converted with: new rates, new candidates.
    rates: Rates,
    by_id: HashMap<i64, Candidate>,
    /// Every participant's best counterparts, made from candidates all kept here; dropped with
    /// any profile change.
    rankings: Option<Arc<Rankings>>,
}

impl Cached {
    /// The candidates of `event`, emptied if they were made with other rates.
    fn event(&mut self, event: &Event) -> &mut EventCandidates {
        let cached = self.events.entry(event.id).or_insert_with(|| EventCandidates {
            rates: event.rates.clone(),
            by_id: HashMap::new(),
            rankings: None,
        });
        if cached.rates != event.rates {
            *cached = EventCandidates { rates: event.rates.clone(), by_id: HashMap::new(), rankings: None };
        }
        cached
    }
}

/// A proposal as its sides and the organisers see it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProposalView {
    pub id: i64,
    /// The slot's code, and when it starts and ends (RFC 3339, the event's zone).
    pub slot: String,
    pub start: String,
    pub end: String,
    pub table: u32,
    pub startup: OrgRef,
    pub investor: OrgRef,
    /// The pair's match score, 0 to 1.
    pub score: f64,
    /// `open`, `met`, `declined` or `gone`.
    pub status: String,
    /// Whether each side accepted already.
    pub startup_accepted: bool,
    pub investor_accepted: bool,
    /// The meeting it became, once both accepted.
    pub meeting: Option<i64>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProposalList {
    pub items: Vec<ProposalView>,
}

/// A participant at the venue, free for meetings in a slot.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FreeBody {
    /// The slot's code.
    #[schema(example = "d1-1000")]
    pub slot: String,
}

impl App {
    /// The caller's open proposals at the event whose slot is not over; for an organiser,
    /// all of the event's.
    pub async fn meet_now(&self, caller: &Caller, slug: &str) -> AppResult<ProposalList> {
        caller.require_sign_in()?;
        let event = self.event(slug).await?;
        let organization = self.proposals_of(caller, &event)?;
        let slots = self.store.slots(event.id).await?;
        let now = Timestamp::now();
        let open: Vec<Proposal> = self
            .store
            .open_proposals(event.id, organization)
            .await?
            .into_iter()
            .filter(|p| slots.iter().any(|s| s.id == p.slot_id && s.ends_at > now))
            .collect();
        Ok(ProposalList { items: self.proposal_views(&event, &slots, open).await? })
    }

    /// Whose proposals the caller sees: its organization's, or all for the event's organisers.
    fn proposals_of(&self, caller: &Caller, event: &Event) -> AppResult<Option<i64>> {
        match caller.organization() {
            Some(organization) => Ok(Some(organization)),
            None => {
                caller.may(&Action::ManageEvent { event: event.id }, Resource::Event)?;
                Ok(None)
            }
        }
    }

    /// The caller's answer to a proposal of its organization. When both sides accepted, the
    /// meeting is placed; a proposal that is gone (taken, declined, its slot over) is refused
    /// with `proposal-gone` and nothing is created. After a meeting or a refusal the slot's
    /// free participants are proposed again.
    pub async fn answer_proposal(&self, caller: &Caller, slug: &str, id: i64, accept: bool) -> AppResult<ProposalView> {
        caller.require_sign_in()?;
        let event = self.event(slug).await?;
        let proposal = self.store.proposal(id).await?;
        let organization = caller.organization().ok_or(AppError::NotFound(Resource::Proposal))?;
        if proposal.event_id != event.id || proposal.counterpart(organization).is_none() {
            return Err(AppError::NotFound(Resource::Proposal));
        }
        let slots = self.store.slots(event.id).await?;
        let slot = slots.iter().find(|s| s.id == proposal.slot_id).ok_or(AppError::NotFound(Resource::Slot))?;
        if slot.ends_at <= Timestamp::now() {
            self.store.expire_proposals(&[id]).await?;
            return Err(Refusal::ProposalGone { proposal: id }.into());
        }
        let answered = match self.store.answer_proposal(id, organization, accept, slot).await {
            Ok(answered) => answered,
            Err(error) => {
                self.propose_after(&event, slot).await;
                return Err(error.into());
            }
        };
        let current = match answered {
            Answered::Waiting(p) => p,
            Answered::Declined(p) => {
                self.propose_after(&event, slot).await;
                p
            }
            Answered::Met { proposal, meeting, gone } => {
                tracing::info!(event = %event.slug, meeting = meeting.id, gone = gone.len(), "re-matched");
                self.propose_after(&event, slot).await;
                proposal
            }
        };
        Ok(self.proposal_views(&event, &slots, vec![current]).await?.remove(0))
    }

    /// The caller's organization, at the venue, is free for meetings in a slot (its meeting
    /// there fell through, or it has a gap): proposals follow at once. Returns its open
    /// proposals.
    pub async fn mark_free(&self, caller: &Caller, slug: &str, body: &FreeBody) -> AppResult<ProposalList> {
        caller.require_sign_in()?;
        let event = self.event(slug).await?;
        let organization = caller.organization().ok_or(AppError::NotFound(Resource::Participation))?;
        let slots = self.store.slots(event.id).await?;
        let code = body.slot.trim();
        let Some(slot) = slots.iter().find(|s| s.code == code) else {
            return Err(AppError::invalid("slot", Issue::NotSlot { value: code.to_owned() }));
        };
        let zone = zone(&event);
        let at = crate::schedule::slot_label(slot, &zone);
        if slot.ends_at <= Timestamp::now() {
            return Err(Refusal::SlotOver { slot: slot.code.clone(), at }.into());
        }
        let mine = self.store.meetings_of(event.id, organization).await?;
        if let Some(busy) = mine.iter().find(|m| {
            m.slot_id == Some(slot.id) && !matches!(m.status, MeetingStatus::Cancelled | MeetingStatus::NoShow)
        }) {
            let names = self.names([organization, busy.startup_id, busy.investor_id]).await?;
            let name = |id: i64| names.get(&id).map(|o| o.name.clone()).unwrap_or_default();
            let other = if busy.startup_id == organization { busy.investor_id } else { busy.startup_id };
            return Err(Refusal::ParticipantBusy {
                slot: slot.code.clone(),
                at,
                organization: Named { id: organization, name: name(organization) },
                meeting: busy.id,
                table: busy.table.unwrap_or_default(),
                with: name(other),
            }
            .into());
        }
        self.store.mark_free(event.id, slot.id, organization).await?;
        self.propose(&event, slot).await?;
        let open: Vec<Proposal> = self
            .store
            .open_proposals(event.id, Some(organization))
            .await?
            .into_iter()
            .filter(|p| p.slot_id == slot.id)
            .collect();
        Ok(ProposalList { items: self.proposal_views(&event, &slots, open).await? })
    }

    /// Proposes again after a change that may have freed someone; a failure is logged, never
    /// the caller's: the change it follows is made.
    pub(crate) async fn propose_after(&self, event: &Event, slot: &Slot) {
        if let Err(error) = self.propose(event, slot).await {
            tracing::warn!(event = %event.slug, slot = %slot.code, %error, "meet-now proposals failed");
        }
    }

    /// Makes the proposals `slot` has room for now, if it is not over.
    pub async fn propose(&self, event: &Event, slot: &Slot) -> AppResult<Vec<Proposal>> {
        if slot.ends_at <= Timestamp::now() {
            return Ok(Vec::new());
        }
        let zone = zone(event);
        let date = zone.to_datetime(slot.starts_at).date();
        let slots = self.store.slots(event.id).await?;
        let day: Vec<i64> =
            slots.iter().filter(|s| zone.to_datetime(s.starts_at).date() == date).map(|s| s.id).collect();
        let facts = self.store.slot_facts(event.id, slot.id, &day).await?;
        let mut tables: BinaryHeap<Reverse<(usize, u32)>> = (1..=u32::from(slot.tables))
            .filter(|t| !facts.tables_used.contains(t))
            .map(|t| Reverse((facts.proposed_tables.get(&t).copied().unwrap_or(0), t)))
            .collect();
        if tables.is_empty() {
            return Ok(Vec::new());
        }
        let free = &facts.candidates;
        if free.len() < 2 {
            return Ok(Vec::new());
        }
        // What matching needs of each, then the pairs of them never to propose: meetings are
        // looked up by startup and investor, each list half as long as both.
        let candidates = self.candidates_of(event, free).await?;
        let (mut startups, mut investors): (Vec<Candidate>, Vec<Candidate>) =
            candidates.into_iter().partition(|c| !c.investor);
        let ids = |side: &[Candidate]| side.iter().map(|c| c.id).collect::<Vec<i64>>();
        let met_or_declined = self.store.pairs_met_or_declined(event.id, &ids(&startups), &ids(&investors)).await?;
        let mut excluded = facts.excluded;
        excluded.extend(met_or_declined);
        // In id order: the same facts give the same proposals.
        startups.sort_by_key(|c| c.id);
        investors.sort_by_key(|c| c.id);
        // Up to some tens of milliseconds of scoring when a slot has hundreds free: off the
        // threads that serve requests.
        let weights = event.weights;
        let rankings = self.rankings(event);
        let pairs = tokio::task::spawn_blocking(move || {
            disjoint_pairs_ranked(&startups, &investors, &excluded, RANKED, &weights, rankings.as_deref())
        })
        .await
        .map_err(|error| {
            tracing::error!(%error, "meet-now pairing failed");
            AppError::Internal
        })?;
        let mut new = Vec::with_capacity(pairs.len());
        for (startup_id, investor_id, score) in pairs {
            let Some(Reverse((count, table))) = tables.pop() else { break };
            new.push(NewProposal { table, startup_id, investor_id, score });
            tables.push(Reverse((count + 1, table)));
        }
        match self.store.add_proposals(event.id, slot.id, &new).await {
            // Another replica proposed some of these pairs meanwhile: its proposals stand.
            Err(ketnoi_store::StoreError::Duplicate) => Ok(Vec::new()),
            other => Ok(other?),
        }
    }

    /// Prepares meet now for the events not over yet: what matching needs of every participant,
    /// and each one's best counterparts at the event ([`Rankings`]), so that a round reads
    /// rather than scores them. Those of an event are made again once a profile change has
    /// dropped them. `ketnoi serve` calls this as it starts and then every few seconds. Returns
    /// how many organizations were ranked.
    pub async fn prepare_meet_now(&self) -> AppResult<usize> {
        let now = Timestamp::now();
        let mut ranked = 0;
        for event in self.store.events().await? {
            if self.rankings(&event).is_some() || self.store.slots(event.id).await?.iter().all(|s| s.ends_at <= now) {
                continue;
            }
            let generation = self.candidates.inner.lock().unwrap_or_else(|e| e.into_inner()).generation;
            let participants = self.store.participant_ids(event.id).await?;
            let (startups, investors): (Vec<Candidate>, Vec<Candidate>) =
                self.candidates_of(&event, &participants).await?.into_iter().partition(|c| !c.investor);
            ranked += startups.len() + investors.len();
            let weights = event.weights;
            let rankings =
                tokio::task::spawn_blocking(move || Rankings::new(&startups, &investors, RANKINGS_DEPTH, &weights))
                    .await
                    .map_err(|error| {
                        tracing::error!(%error, "meet-now ranking failed");
                        AppError::Internal
                    })?;
            let mut cache = self.candidates.inner.lock().unwrap_or_else(|e| e.into_inner());
            // Not if a profile changed meanwhile: the next call ranks again.
            if cache.generation == generation {
                cache.event(&event).rankings = Some(Arc::new(rankings));
            }
        }
        Ok(ranked)
    }

    /// The event's rankings, if made and still standing (with the event's weights as they are).
    fn rankings(&self, event: &Event) -> Option<Arc<Rankings>> {
        let mut cache = self.candidates.inner.lock().unwrap_or_else(|e| e.into_inner());
        let cached = cache.event(event);
        if cached.rankings.as_ref().is_some_and(|r| !r.weighed_with(&event.weights)) {
            cached.rankings = None;
        }
        cached.rankings.clone()
    }

    /// What matching needs of the organizations `ids` at `event`: from the cache for those whose
    /// profile the log shows unchanged since they were read, else from the database.
    async fn candidates_of(&self, event: &Event, ids: &[i64]) -> AppResult<Vec<Candidate>> {
        let known = self.candidates.inner.lock().unwrap_or_else(|e| e.into_inner()).position;
        let (position, changed) = match known {
            Some(position) => self.store.profiles_changed_after(position).await?,
            // The first round: from here on, the log tells what changes.
            None => (self.store.log_head().await?, HashSet::new()),
        };
        let (mut found, mut missing) = (Vec::with_capacity(ids.len()), Vec::new());
        {
            let mut cache = self.candidates.inner.lock().unwrap_or_else(|e| e.into_inner());
            if !changed.is_empty() {
                cache.generation += 1;
                for cached in cache.events.values_mut() {
                    cached.by_id.retain(|id, _| !changed.contains(id));
                    cached.rankings = None;
                }
            }
            if cache.position.is_none_or(|current| current < position) {
                cache.position = Some(position);
            }
            let cached = cache.event(event);
            for id in ids {
                match cached.by_id.get(id) {
                    Some(candidate) if !changed.contains(id) => found.push(candidate.clone()),
                    _ => missing.push(*id),
                }
            }
        }
        // Read after `position`: as new as the log there, or newer.
        let loaded = self.store.organizations_by_ids(&missing).await?;
        let mut cache = self.candidates.inner.lock().unwrap_or_else(|e| e.into_inner());
        // A round that read the log further meanwhile may have dropped a change these rows
        // predate: they are kept only while the cache stands where they were read.
        let keep = cache.position == Some(position);
        let cached = cache.event(event);
        for organization in loaded {
            let candidate = Candidate::new(organization.id, &organization.profile, &event.rates);
            if keep {
                cached.by_id.insert(organization.id, candidate.clone());
            }
            found.push(candidate);
        }
        Ok(found)
    }

    async fn proposal_views(
        &self,
        event: &Event,
        slots: &[Slot],
        proposals: Vec<Proposal>,
    ) -> AppResult<Vec<ProposalView>> {
        let names = self.names(proposals.iter().flat_map(|p| [p.startup_id, p.investor_id])).await?;
        let zone = zone(event);
        let org = |id: i64, kind: OrgKind| names.get(&id).cloned().unwrap_or(OrgRef { id, name: String::new(), kind });
        let by_id: HashMap<i64, &Slot> = slots.iter().map(|s| (s.id, s)).collect();
        Ok(proposals
            .into_iter()
            .filter_map(|p| {
                let slot = by_id.get(&p.slot_id)?;
                Some(ProposalView {
                    id: p.id,
                    slot: slot.code.clone(),
                    start: local(slot.starts_at, &zone),
                    end: local(slot.ends_at, &zone),
                    table: p.table,
                    startup: org(p.startup_id, OrgKind::Startup),
                    investor: org(p.investor_id, OrgKind::Investor),
                    score: (p.score * 1000.0).round() / 1000.0,
                    status: p.status.as_str().to_owned(),
                    startup_accepted: p.startup_answer == Some(true),
                    investor_accepted: p.investor_answer == Some(true),
                    meeting: p.meeting_id.filter(|_| p.status == ProposalStatus::Met),
                })
            })
            .collect())
    }
}

/// A slot a participant may say it is free in.
#[derive(Debug, Clone, Serialize)]
pub struct OpenSlot {
    pub code: String,
    /// RFC 3339 in the event's zone.
    pub start: String,
    pub end: String,
}

impl App {
    /// The next `limit` slots not over in which the caller's organization has no meeting of its
    /// own: those it can say it is free in.
    pub async fn open_slots(&self, caller: &Caller, slug: &str, limit: usize) -> AppResult<Vec<OpenSlot>> {
        caller.require_sign_in()?;
        let event = self.event(slug).await?;
        let organization = caller.organization().ok_or(AppError::NotFound(Resource::Participation))?;
        let mine = self.store.meetings_of(event.id, organization).await?;
        let taken: Vec<i64> = mine
            .iter()
            .filter(|m| !matches!(m.status, MeetingStatus::Cancelled | MeetingStatus::NoShow))
            .filter_map(|m| m.slot_id)
            .collect();
        let zone = zone(&event);
        let now = Timestamp::now();
        Ok(self
            .store
            .slots(event.id)
            .await?
            .into_iter()
            .filter(|s| s.ends_at > now && !taken.contains(&s.id))
            .take(limit)
            .map(|s| OpenSlot { code: s.code.clone(), start: local(s.starts_at, &zone), end: local(s.ends_at, &zone) })
            .collect())
    }
}
