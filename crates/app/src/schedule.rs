//! The organisers' scheduler: runs over an event's accepted meetings, the grid of slots and
//! tables with the meetings left out and why, moves and pins by hand, publication, and the
//! status of each meeting at its table. The solver works by index; this module keeps what
//! each index stands for, so no id is ever written into a string and read back.

use std::collections::HashMap;

use ketnoi_domain::i18n::{Language, Message};
use ketnoi_domain::rules::{MeetingStatus, Named, Refusal, Resource};
use ketnoi_domain::schedule::{self, Instance, InstanceErrors, InstanceInput, Layout, NamedReason, Output, SlotTime};
use ketnoi_store::{Event, Meeting, Slot};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::internal;
use crate::meetings::{MeetingView, OrgRef};
use crate::{App, AppError, AppResult, Caller, local, zone};

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RunBody {
    /// Re-plan published meetings too; by default they stay where they are.
    #[serde(default)]
    pub full_replan: bool,
    /// `compact` (the default): each participant on as few days and half-days as it can, with
    /// few idle slots; `spread`: about as many meetings in every slot. Either places the same
    /// meetings.
    #[serde(default)]
    #[schema(value_type = LayoutName)]
    pub layout: Layout,
    /// The solver's time budget in seconds, from 0.1 to 20 (default 2): past it, the repairs
    /// stop and the best schedule found stands, `feasible` with its gap.
    #[serde(default)]
    #[schema(minimum = 0.1, maximum = 20.0)]
    pub time_limit_seconds: Option<f64>,
}

/// The solver's time budget when none is asked for.
pub const DEFAULT_TIME_LIMIT: std::time::Duration = std::time::Duration::from_secs(2);
/// The budgets a caller may ask for, in seconds: a run must end well within the request bound.
const TIME_LIMIT_SECONDS: (f64, f64) = (0.1, 20.0);

/// The time budget `seconds` asks for (the default when none), or `time_limit_seconds`
/// refused by name.
pub fn time_limit(seconds: Option<f64>) -> AppResult<std::time::Duration> {
    let Some(seconds) = seconds else { return Ok(DEFAULT_TIME_LIMIT) };
    let (min, max) = TIME_LIMIT_SECONDS;
    if !(min..=max).contains(&seconds) {
        let issue = ketnoi_domain::validate::Issue::OutOfRange {
            min: min.to_string(),
            max: max.to_string(),
            got: seconds.to_string(),
        };
        return Err(AppError::invalid("time_limit_seconds", issue));
    }
    Ok(std::time::Duration::from_secs_f64(seconds))
}

/// What a scheduler run achieved against the bounds.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RunStats {
    /// `optimal`: no valid schedule places more meetings or more weight; `feasible`: below a
    /// bound by `gap`.
    #[schema(value_type = String, example = "optimal")]
    pub status: schedule::Status,
    #[schema(value_type = Object)]
    pub gap: schedule::Gap,
    /// The placed meetings' total priority, and the proven bound on it.
    pub weight: f64,
    pub weight_bound: f64,
    /// The run's time, in milliseconds.
    pub millis: u64,
}

/// How a schedule is laid out over the event's days.
#[derive(ToSchema)]
#[schema(as = Layout, rename_all = "lowercase")]
#[expect(dead_code, reason = "read only by the schema")]
enum LayoutName {
    Compact,
    Spread,
}

/// A meeting the schedule leaves out, and why.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Unplaced {
    pub meeting: i64,
    pub startup: OrgRef,
    pub investor: OrgRef,
    /// Why, in English.
    pub reason: String,
    /// Why, as a typed value: `code` and the names and numbers it needs.
    #[schema(value_type = Object)]
    pub why: NamedReason,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GridSlot {
    pub code: String,
    /// RFC 3339 in the event's time zone.
    pub start: String,
    pub end: String,
    pub tables: u16,
    /// The meetings of the slot by table.
    pub meetings: Vec<MeetingView>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Grid {
    pub event: String,
    pub status: String,
    pub meetings: usize,
    pub placed: usize,
    /// A proven upper bound on the meetings any valid schedule places.
    pub upper_bound: usize,
    pub slots: Vec<GridSlot>,
    pub unplaced: Vec<Unplaced>,
    /// After a scheduler run: what it achieved against the bounds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub run: Option<RunStats>,
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

#[derive(Debug, Serialize, ToSchema)]
pub struct Published {
    /// Meetings now in the published schedule.
    pub published: u64,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusBody {
    /// checked-in, held, no-show, cancelled or scheduled.
    #[schema(example = "checked-in")]
    pub status: String,
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

/// An event's scheduling instance and what each of its indexes stands for.
struct Plan {
    instance: Instance,
    /// The live meetings, by instance index.
    meetings: Vec<Meeting>,
    /// The slots in time order, by instance index.
    slots: Vec<Slot>,
    /// Each participant's organization, by instance index.
    participants: Vec<i64>,
    /// Kept meetings whose slot a side can no longer attend.
    broken_pins: Vec<Refusal>,
}

/// Everything the plans of an event are built from, read once.
struct Facts {
    slots: Vec<Slot>,
    /// When each slot takes place, in the event's zone.
    times: Vec<SlotTime>,
    meetings: Vec<Meeting>,
    participants: Vec<i64>,
    unavailable: HashMap<i64, Vec<i64>>,
    priorities: HashMap<i64, ketnoi_domain::rules::Priority>,
    names: HashMap<i64, OrgRef>,
}

impl Facts {
    fn name(&self, organization: i64) -> String {
        self.names.get(&organization).map(|o| o.name.clone()).unwrap_or_default()
    }

    /// The instance where the meetings `keep` names stay where they are.
    fn plan(&self, keep: Keep, layout: Layout) -> Plan {
        let slot_index: HashMap<i64, usize> = self.slots.iter().enumerate().map(|(i, s)| (s.id, i)).collect();
        let participant_index: HashMap<i64, usize> =
            self.participants.iter().enumerate().map(|(i, p)| (*p, i)).collect();
        let mut unavailable = Vec::new();
        for (p, organization) in self.participants.iter().enumerate() {
            for slot in self.unavailable.get(organization).into_iter().flatten() {
                if let Some(&s) = slot_index.get(slot) {
                    unavailable.push((p, s));
                }
            }
        }
        let blocked = |organization: i64, slot: i64| {
            self.unavailable.get(&organization).is_some_and(|slots| slots.contains(&slot))
        };
        let mut broken_pins = Vec::new();
        let mut meetings = Vec::new();
        let mut kept = Vec::new();
        for m in &self.meetings {
            // No one came: its slot and table are free for others, and it needs no place.
            if m.status == MeetingStatus::NoShow {
                continue;
            }
            let (Some(&a), Some(&b)) = (participant_index.get(&m.startup_id), participant_index.get(&m.investor_id))
            else {
                continue;
            };
            let stays = m.pinned || (m.published && keep != Keep::Pinned) || keep == Keep::Placed;
            let mut pinned = match (m.slot_id, m.table) {
                (Some(slot), Some(table)) if stays => slot_index.get(&slot).map(|&s| (s, table)),
                _ => None,
            };
            if let (Some(slot), Some(_)) = (m.slot_id, pinned) {
                for side in [m.startup_id, m.investor_id] {
                    if blocked(side, slot) {
                        let code = self.slots.iter().find(|s| s.id == slot).map(|s| s.code.clone()).unwrap_or_default();
                        let organization = Named { id: side, name: self.name(side) };
                        broken_pins.push(Refusal::PinUnavailable {
                            meeting: m.id,
                            slot: code,
                            at: String::new(),
                            organization,
                        });
                        pinned = None;
                    }
                }
            }
            let weight = self.priorities.get(&m.id).copied().unwrap_or_default().weight();
            meetings.push(schedule::Meeting { a, b, weight, pinned });
            kept.push(m.clone());
        }
        let slots = self.slots.iter().map(|s| schedule::Slot { tables: u32::from(s.tables) }).collect();
        let participants = vec![schedule::Participant; self.participants.len()];
        Plan {
            instance: Instance::new(slots, participants, meetings, &unavailable)
                .with_times(&self.times)
                .with_layout(layout),
            meetings: kept,
            slots: self.slots.clone(),
            participants: self.participants.clone(),
            broken_pins,
        }
    }
}

/// A solver's run over a plan: its outcome and the reason of each meeting left out, named.
struct Solved {
    outcome: schedule::Outcome,
    reasons: HashMap<i64, NamedReason>,
}

impl Plan {
    async fn solve(self, facts: &Facts, time_limit: std::time::Duration) -> AppResult<(Plan, Solved)> {
        let (plan, outcome) = tokio::task::spawn_blocking(move || {
            let started = std::time::Instant::now();
            let outcome = schedule::schedule_within(&self.instance, &|| started.elapsed() >= time_limit);
            (self, outcome)
        })
        .await
        .map_err(internal)?;
        let reasons = outcome
            .unscheduled
            .iter()
            .map(|u| {
                let named = u.reason.named(|p| facts.name(plan.participants[p]));
                (plan.meetings[u.meeting].id, named)
            })
            .collect();
        Ok((plan, Solved { outcome, reasons }))
    }
}

/// A place a meeting could move to: a slot both sides can attend where neither meets anyone
/// else, and its lowest free table.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FreePlace {
    /// The slot's code.
    pub slot: String,
    /// RFC 3339 in the event's time zone.
    pub start: String,
    pub table: u32,
}

/// A slot as people read it, in the event's time zone: `09:40 23/11`.
pub fn slot_label(slot: &Slot, zone: &jiff::tz::TimeZone) -> String {
    let at = zone.to_datetime(slot.starts_at);
    format!("{:02}:{:02} {:02}/{:02}", at.hour(), at.minute(), at.day(), at.month())
}

/// A refusal about a slot, with the slot's time in words beside its code.
fn slots_in_words(error: AppError, slots: &[Slot], zone: &jiff::tz::TimeZone) -> AppError {
    let AppError::Refused(refusal) = error else { return error };
    let mut refusal = refusal;
    match &mut refusal {
        Refusal::UnknownTable { slot, at, .. }
        | Refusal::SlotUnavailable { slot, at, .. }
        | Refusal::ParticipantBusy { slot, at, .. }
        | Refusal::TableTaken { slot, at, .. }
        | Refusal::PinUnavailable { slot, at, .. } => {
            if let Some(found) = slots.iter().find(|s| s.code == *slot) {
                *at = slot_label(found, zone);
            }
        }
        _ => {}
    }
    AppError::Refused(refusal)
}

/// `ketnoi schedule`: the scheduling contract's instance in, its result out (docs/scheduling.md).
pub fn schedule_instance(
    input: &InstanceInput,
    greedy: bool,
    time_limit: std::time::Duration,
) -> Result<Output, InstanceErrors> {
    let (instance, labels) = Instance::from_input(input)?;
    let started = std::time::Instant::now();
    let outcome = if greedy {
        schedule::greedy(&instance)
    } else {
        schedule::schedule_within(&instance, &|| started.elapsed() >= time_limit)
    };
    Ok(outcome.output(&labels, started.elapsed().as_millis() as u64))
}

impl App {
    async fn facts(&self, event: &Event) -> AppResult<Facts> {
        let meetings = self.store.meetings(event.id).await?;
        let names = self.names(meetings.iter().flat_map(|m| [m.startup_id, m.investor_id])).await?;
        let slots = self.store.slots(event.id).await?;
        let zone = zone(event);
        let times = slots
            .iter()
            .map(|s| SlotTime { start: s.starts_at, end: s.ends_at, date: zone.to_datetime(s.starts_at).date() })
            .collect();
        Ok(Facts {
            slots,
            times,
            participants: self.store.event_participants(event.id).await?.into_iter().map(|o| o.id).collect(),
            unavailable: self.store.unavailability(event.id).await?,
            priorities: self.store.meeting_priorities(event.id).await?,
            meetings,
            names,
        })
    }

    /// The grid of the event as it is stored, the meetings left out with `reasons` (those
    /// without one have not met the scheduler yet), and `upper_bound`.
    async fn grid(&self, event: &Event, reasons: HashMap<i64, NamedReason>, upper_bound: usize) -> AppResult<Grid> {
        let (slots, unplaced) = self.grid_slots(event).await?;
        let placed = slots.iter().map(|s| s.meetings.len()).sum();
        let unplaced: Vec<Unplaced> = unplaced
            .into_iter()
            .map(|view| {
                let why = reasons.get(&view.id).cloned().unwrap_or(NamedReason::NotScheduledYet);
                Unplaced {
                    meeting: view.id,
                    reason: why.text(Language::En),
                    why,
                    startup: view.startup,
                    investor: view.investor,
                }
            })
            .collect();
        Ok(Grid {
            event: event.slug.to_string(),
            status: event.status.as_str().to_owned(),
            meetings: placed + unplaced.len(),
            placed,
            upper_bound,
            slots,
            unplaced,
            run: None,
        })
    }

    /// The event's slots with their meetings by table, and the meetings not placed.
    async fn grid_slots(&self, event: &Event) -> AppResult<(Vec<GridSlot>, Vec<MeetingView>)> {
        let slots = self.store.slots(event.id).await?;
        let by_id: HashMap<i64, Slot> = slots.iter().map(|s| (s.id, s.clone())).collect();
        let views = self.meeting_views_in(event, &by_id, self.store.meetings(event.id).await?).await?;
        let zone = zone(event);
        let mut by_slot: HashMap<String, Vec<MeetingView>> = HashMap::new();
        let mut unplaced = Vec::new();
        for view in views {
            match &view.slot {
                Some(code) => by_slot.entry(code.clone()).or_default().push(view),
                None => unplaced.push(view),
            }
        }
        let slots = slots
            .into_iter()
            .map(|slot| {
                let mut meetings = by_slot.remove(&slot.code).unwrap_or_default();
                meetings.sort_by_key(|m| m.table);
                GridSlot {
                    start: local(slot.starts_at, &zone),
                    end: local(slot.ends_at, &zone),
                    code: slot.code,
                    tables: slot.tables,
                    meetings,
                }
            })
            .collect();
        Ok((slots, unplaced))
    }

    /// Runs the scheduler over the event's accepted meetings and applies the result (a preview
    /// until published): pinned and published meetings stay, unless `full_replan`. The answer
    /// is the grid, the meetings left out with their reasons, and the proven upper bound.
    pub async fn run_scheduler(&self, caller: &Caller, slug: &str, body: &RunBody) -> AppResult<Grid> {
        let event = self.managed(caller, slug).await?;
        let limit = time_limit(body.time_limit_seconds)?;
        let _scheduling = self.store.lock_scheduling(event.id).await?;
        let started = std::time::Instant::now();
        let run = self.place_meetings(&event, body, limit, started).await;
        self.metrics.scheduler_run(run.is_ok(), started.elapsed().as_secs_f64());
        run
    }

    /// A scheduler run, the event's scheduling lock held.
    async fn place_meetings(
        &self,
        event: &Event,
        body: &RunBody,
        limit: std::time::Duration,
        started: std::time::Instant,
    ) -> AppResult<Grid> {
        let event = event.clone();
        let keep = if body.full_replan { Keep::Pinned } else { Keep::Published };
        let facts = self.facts(&event).await?;
        let plan = facts.plan(keep, body.layout);
        if let Some(broken) = plan.broken_pins.first() {
            return Err(slots_in_words(broken.clone().into(), &facts.slots, &zone(&event)));
        }
        let (plan, solved) = plan.solve(&facts, limit).await?;
        let mut placements: Vec<(i64, Option<(i64, u32)>)> = plan
            .meetings
            .iter()
            .enumerate()
            .filter(|(index, _)| plan.instance.meetings[*index].pinned.is_none())
            .map(|(_, m)| (m.id, None))
            .collect();
        let index_of: HashMap<i64, usize> = placements.iter().enumerate().map(|(i, (id, _))| (*id, i)).collect();
        for a in &solved.outcome.assignments {
            let meeting = &plan.meetings[a.meeting];
            if let Some(&i) = index_of.get(&meeting.id) {
                placements[i].1 = Some((plan.slots[a.slot].id, a.table));
            }
        }
        self.store.apply_schedule(event.id, &placements).await?;
        tracing::info!(
            event = %event.slug,
            placed = solved.outcome.assignments.len(),
            upper_bound = solved.outcome.upper_bound,
            millis = started.elapsed().as_millis() as u64,
            "schedule computed"
        );
        let (status, gap) = solved.outcome.status();
        let run = RunStats {
            status,
            gap,
            weight: schedule::round3(solved.outcome.weight),
            weight_bound: schedule::round3(solved.outcome.weight_bound),
            millis: started.elapsed().as_millis() as u64,
        };
        let grid = self.grid(&event, solved.reasons, solved.outcome.upper_bound).await?;
        Ok(Grid { run: Some(run), ..grid })
    }

    /// The schedule as it stands: slot × table, the meetings left out and why, and the bound a
    /// run would be measured against. One solver run explains what is left out: every placed
    /// meeting kept where it is; a meeting it could still place has a free place.
    pub async fn schedule(&self, caller: &Caller, slug: &str) -> AppResult<Grid> {
        let event = self.managed(caller, slug).await?;
        let facts = self.facts(&event).await?;
        let bound_plan = facts.plan(Keep::Published, Layout::default());
        let upper_bound = tokio::task::spawn_blocking(move || schedule::bound::upper_bound(&bound_plan.instance))
            .await
            .map_err(internal)?;
        // Every placed meeting is kept where it is: construction says what else fits, and no
        // time goes to repairs that could move nothing.
        let explain = std::time::Duration::ZERO;
        let (plan, mut solved) = facts.plan(Keep::Placed, Layout::default()).solve(&facts, explain).await?;
        for a in &solved.outcome.assignments {
            if plan.instance.meetings[a.meeting].pinned.is_none() {
                solved.reasons.insert(plan.meetings[a.meeting].id, NamedReason::PlaceFree);
            }
        }
        self.grid(&event, solved.reasons, upper_bound).await
    }

    /// The event's slots with their meetings by table, as stored: for check-in and the table
    /// sheets, where nothing needs explaining.
    pub async fn placements(&self, caller: &Caller, slug: &str) -> AppResult<Vec<GridSlot>> {
        let event = self.managed(caller, slug).await?;
        Ok(self.grid_slots(&event).await?.0)
    }

    /// Moves a meeting to a slot and table by hand, pinned unless told otherwise. A side busy
    /// or unavailable then, or a table in use, is refused naming who or what, and nothing
    /// moves.
    pub async fn move_meeting(&self, caller: &Caller, slug: &str, id: i64, body: &MoveBody) -> AppResult<MeetingView> {
        let event = self.managed(caller, slug).await?;
        let slots = self.store.slots(event.id).await?;
        let slot = slots
            .iter()
            .find(|s| s.code == body.slot.trim())
            .ok_or_else(|| Refusal::UnknownSlot { slot: body.slot.clone() })?;
        let moved = self
            .store
            .move_meeting(event.id, id, slot, body.table, body.pinned.unwrap_or(true))
            .await
            .map_err(|error| slots_in_words(AppError::from(error), &slots, &zone(&event)))?;
        Ok(self.meeting_views(&event, vec![moved]).await?.remove(0))
    }

    /// The free places nearest in time to where meeting `id` is (or to the event's start, when
    /// it is not placed), at most `limit`: where the organisers can move it without a clash.
    pub async fn free_places(&self, caller: &Caller, slug: &str, id: i64, limit: usize) -> AppResult<Vec<FreePlace>> {
        let event = self.managed(caller, slug).await?;
        let meeting = self.store.meeting(id).await?;
        if meeting.event_id != event.id {
            return Err(AppError::NotFound(Resource::Meeting));
        }
        let slots = self.store.slots(event.id).await?;
        let unavailable = self.store.unavailability(event.id).await?;
        let blocked = |organization: i64, slot: i64| unavailable.get(&organization).is_some_and(|s| s.contains(&slot));
        let others: Vec<Meeting> = self
            .store
            .meetings(event.id)
            .await?
            .into_iter()
            .filter(|m| m.id != id && !matches!(m.status, MeetingStatus::Cancelled | MeetingStatus::NoShow))
            .collect();
        let sides = [meeting.startup_id, meeting.investor_id];
        let reference =
            meeting.slot_id.and_then(|at| slots.iter().find(|s| s.id == at)).or(slots.first()).map(|s| s.starts_at);
        let zone = zone(&event);
        let mut places: Vec<(jiff::SignedDuration, FreePlace)> = Vec::new();
        for slot in &slots {
            if Some(slot.id) == meeting.slot_id || sides.iter().any(|&side| blocked(side, slot.id)) {
                continue;
            }
            let here: Vec<&Meeting> = others.iter().filter(|m| m.slot_id == Some(slot.id)).collect();
            if here.iter().any(|m| sides.contains(&m.startup_id) || sides.contains(&m.investor_id)) {
                continue;
            }
            let Some(table) = (1..=u32::from(slot.tables)).find(|t| here.iter().all(|m| m.table != Some(*t))) else {
                continue;
            };
            let distance = reference.map_or(jiff::SignedDuration::ZERO, |r| slot.starts_at.duration_since(r).abs());
            places.push((distance, FreePlace { slot: slot.code.clone(), start: local(slot.starts_at, &zone), table }));
        }
        places.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.start.cmp(&b.1.start)));
        Ok(places.into_iter().take(limit).map(|(_, place)| place).collect())
    }

    /// Publishes the schedule: participants see their meetings; later runs leave them in place.
    pub async fn publish(&self, caller: &Caller, slug: &str) -> AppResult<Published> {
        let event = self.managed(caller, slug).await?;
        let published = self.store.publish(event.id).await?;
        tracing::info!(event = %event.slug, published, "schedule published");
        Ok(Published { published })
    }

    /// Checks a meeting in at its table, or marks it held, no-show, cancelled, or back to
    /// scheduled, as the meeting's life allows.
    pub async fn set_meeting_status(
        &self,
        caller: &Caller,
        slug: &str,
        id: i64,
        body: &StatusBody,
    ) -> AppResult<MeetingView> {
        let event = self.managed(caller, slug).await?;
        let status = MeetingStatus::parse(body.status.trim()).map_err(|issue| AppError::invalid("status", issue))?;
        let updated = match self.store.set_meeting_status(event.id, id, status).await {
            Ok(updated) => updated,
            Err(ketnoi_store::StoreError::NotFound { .. }) => return Err(AppError::NotFound(Resource::Meeting)),
            // A no-show coming back to a place taken meanwhile: who or what is there, when.
            Err(other) => {
                let slots = self.store.slots(event.id).await?;
                return Err(slots_in_words(other.into(), &slots, &zone(&event)));
            }
        };
        // Its place is free: on the day, others at the venue may meet there now.
        if matches!(updated.status, MeetingStatus::NoShow | MeetingStatus::Cancelled)
            && let Some(slot_id) = updated.slot_id
            && let Some(slot) = self.store.slots(event.id).await?.into_iter().find(|s| s.id == slot_id)
        {
            self.propose_after(&event, &slot).await;
        }
        Ok(self.meeting_views(&event, vec![updated]).await?.remove(0))
    }
}
