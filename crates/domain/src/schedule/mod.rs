//! The scheduler: places accepted meetings at a table in a slot, as the scheduling contract
//! (docs/scheduling.md) says. Pure and deterministic: the same instance gives the same schedule.
//!
//! - [`Instance`]: slots with their table counts, participants with their available slots,
//!   meetings with weights and pins; read from the contract's JSON ([`InstanceInput`]) with every
//!   bad item named.
//! - [`schedule`]: the solver. It places meetings slot by slot like an edge colouring of the
//!   meeting graph, repairs conflicts with alternating-path (Kempe chain) swaps and bounded
//!   ejection chains, kicks left-out meetings in while below the bounds, trades lower-weight
//!   meetings for higher ones, gives every participant a meeting where it can, then lays the
//!   schedule out ([`layout`]). On a bipartite instance
//!   with full availability and enough tables it places every meeting within Δ slots (König).
//! - [`layout`]: where the placed meetings sit in time: each participant on as few days and
//!   half-days as it can with few idle slots (`compact`, the default), or the days and slots
//!   used evenly (`spread`). It never changes which meetings are placed.
//! - [`bound::upper_bound`]: a proven upper bound on what any valid schedule can place.
//! - [`greedy`]: the baseline: each meeting, in order, into the first slot that fits.
//! - [`generate`]: seeded instances for tests and benchmarks.

pub mod bound;
pub mod generate;
pub mod layout;
mod solve;
#[cfg(test)]
mod tests;

use std::collections::{HashMap, HashSet};
use std::fmt;

use serde::{Deserialize, Serialize};

pub use layout::{Attendance, Layout, SlotTime};
pub use solve::{greedy, schedule, schedule_within, schedule_without_layout};

/// A slot as the contract's JSON gives it.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SlotInput {
    pub id: String,
    /// RFC 3339 with an offset; slots are ordered by it (by position when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minutes: Option<u32>,
    pub tables: u32,
}

/// A participant: available in every slot unless `available` lists some.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ParticipantInput {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub available: Option<Vec<String>>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PinInput {
    pub slot: String,
    pub table: u32,
}

/// A meeting of participants `a` and `b`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct MeetingInput {
    pub id: String,
    pub a: String,
    pub b: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pinned: Option<PinInput>,
}

/// The contract's instance, as read.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct InstanceInput {
    pub slots: Vec<SlotInput>,
    pub participants: Vec<ParticipantInput>,
    pub meetings: Vec<MeetingInput>,
    /// `compact` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layout: Option<Layout>,
}

/// A slot and how many tables it has. Slots, participants and meetings are known by their
/// index: whoever builds an instance keeps what each index stands for.
#[derive(Debug, Clone, PartialEq)]
pub struct Slot {
    pub tables: u32,
}

/// A participant; what it can attend is in the instance.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Participant;

#[derive(Debug, Clone, PartialEq)]
pub struct Meeting {
    pub a: usize,
    pub b: usize,
    pub weight: f64,
    /// (slot, table), tables numbered from 1.
    pub pinned: Option<(usize, u32)>,
}

/// A checked instance: everything by index, slots in time order.
#[derive(Debug, Clone, PartialEq)]
pub struct Instance {
    pub slots: Vec<Slot>,
    pub participants: Vec<Participant>,
    pub meetings: Vec<Meeting>,
    /// `available[p * slots + s]`.
    available: Vec<bool>,
    /// The day and the half-day of each slot, numbered from 0 in time order.
    day: Vec<u32>,
    half_day: Vec<u32>,
    layout: Layout,
}

impl Instance {
    pub fn available(&self, participant: usize, slot: usize) -> bool {
        self.available[participant * self.slots.len() + slot]
    }

    /// The day of `slot`, numbered from 0.
    pub fn day(&self, slot: usize) -> usize {
        self.day[slot] as usize
    }

    /// The half-day of `slot`, numbered from 0 over the whole event.
    pub fn half_day(&self, slot: usize) -> usize {
        self.half_day[slot] as usize
    }

    /// How many days the event has.
    pub fn days(&self) -> usize {
        self.day.last().map_or(1, |&d| d as usize + 1)
    }

    /// How many half-days the event has.
    pub fn half_days(&self) -> usize {
        self.half_day.last().map_or(1, |&h| h as usize + 1)
    }

    pub fn layout(&self) -> Layout {
        self.layout
    }

    /// The instance laid out as `layout` says.
    pub fn with_layout(self, layout: Layout) -> Self {
        Instance { layout, ..self }
    }

    /// The instance with the days and half-days of its slots worked out from their times, in
    /// slot order ([`layout::calendar`]); without them, the whole event is one half-day.
    pub fn with_times(self, times: &[SlotTime]) -> Self {
        let times: Vec<Option<SlotTime>> = (0..self.slots.len()).map(|s| times.get(s).copied()).collect();
        let (day, half_day) = layout::calendar(&times);
        Instance { day, half_day, ..self }
    }

    /// Whether both sides of `meeting` can attend `slot`.
    pub fn both_available(&self, meeting: usize, slot: usize) -> bool {
        let m = &self.meetings[meeting];
        self.available(m.a, slot) && self.available(m.b, slot)
    }

    /// The most meetings any participant has (Δ).
    pub fn max_degree(&self) -> usize {
        let mut degree = vec![0usize; self.participants.len()];
        for m in &self.meetings {
            degree[m.a] += 1;
            degree[m.b] += 1;
        }
        degree.into_iter().max().unwrap_or(0)
    }

    /// Builds an instance from parts, every participant available in every slot unless
    /// `unavailable` says otherwise: for tests and generators that work by index. The event is
    /// one half-day ([`Instance::with_times`] tells more) laid out `compact`.
    pub fn new(
        slots: Vec<Slot>,
        participants: Vec<Participant>,
        meetings: Vec<Meeting>,
        unavailable: &[(usize, usize)],
    ) -> Self {
        let mut available = vec![true; participants.len() * slots.len()];
        for &(p, s) in unavailable {
            available[p * slots.len() + s] = false;
        }
        let (day, half_day) = (vec![0; slots.len()], vec![0; slots.len()]);
        Instance { slots, participants, meetings, available, day, half_day, layout: Layout::Compact }
    }

    /// Checks the contract's instance: unique ids, known references, no meeting of a
    /// participant with itself, weights that are positive numbers, pins in a possible place.
    /// Every problem is reported, naming the item. The labels say which id each index has.
    pub fn from_input(input: &InstanceInput) -> Result<(Instance, Labels), InstanceErrors> {
        let mut errors = Vec::new();
        let mut order: Vec<(usize, Option<jiff::Timestamp>)> = Vec::new();
        let mut times: Vec<Option<SlotTime>> = Vec::new();
        let mut slot_ids = HashSet::new();
        for (index, slot) in input.slots.iter().enumerate() {
            if slot.id.is_empty() {
                errors.push(format!("slots[{index}]: the id is empty"));
            } else if !slot_ids.insert(slot.id.as_str()) {
                errors.push(format!("slot {:?}: the id is used twice", slot.id));
            }
            // The date is the start's own, in the offset it is written with.
            let time = match &slot.start {
                Some(text) => match (text.parse::<jiff::Timestamp>(), jiff::fmt::temporal::Pieces::parse(text)) {
                    (Ok(start), Ok(pieces)) => {
                        let length = jiff::SignedDuration::from_mins(i64::from(slot.minutes.unwrap_or(0)));
                        Some(SlotTime { start, end: start.checked_add(length).unwrap_or(start), date: pieces.date() })
                    }
                    _ => {
                        errors
                            .push(format!("slot {:?}: start {text:?} is not an RFC 3339 time with an offset", slot.id));
                        None
                    }
                },
                None => None,
            };
            order.push((index, time.map(|t| t.start)));
            times.push(time);
        }
        // Time order; a slot without a start stays right after the slot before it in the
        // input (a total order: it sorts as at that slot's start, after it).
        let mut last = None;
        for entry in &mut order {
            entry.1 = entry.1.or(last);
            last = entry.1;
        }
        order.sort_by_key(|&(index, start)| (start, index));
        let slots: Vec<Slot> = order.iter().map(|(index, _)| Slot { tables: input.slots[*index].tables }).collect();
        let slot_ids: Vec<String> = order.iter().map(|(index, _)| input.slots[*index].id.clone()).collect();
        let slot_index: HashMap<&str, usize> = slot_ids.iter().enumerate().map(|(i, s)| (s.as_str(), i)).collect();
        let times: Vec<Option<SlotTime>> = order.iter().map(|(index, _)| times[*index]).collect();
        let (day, half_day) = layout::calendar(&times);

        let mut participant_index = HashMap::new();
        let mut available = vec![true; input.participants.len() * slots.len()];
        for (index, participant) in input.participants.iter().enumerate() {
            if participant.id.is_empty() {
                errors.push(format!("participants[{index}]: the id is empty"));
            } else if participant_index.insert(participant.id.as_str(), index).is_some() {
                errors.push(format!("participant {:?}: the id is used twice", participant.id));
            }
            if let Some(list) = &participant.available {
                let row = &mut available[index * slots.len()..(index + 1) * slots.len()];
                row.fill(false);
                for slot in list {
                    match slot_index.get(slot.as_str()) {
                        Some(&s) => row[s] = true,
                        None => errors
                            .push(format!("participant {:?}: available slot {slot:?} does not exist", participant.id)),
                    }
                }
            }
        }
        let participants = vec![Participant; input.participants.len()];

        let mut meeting_ids = HashSet::new();
        let mut meetings = Vec::with_capacity(input.meetings.len());
        let mut pinned_at: HashMap<(usize, usize), &str> = HashMap::new();
        let mut tables_at: HashMap<(usize, u32), &str> = HashMap::new();
        for (index, meeting) in input.meetings.iter().enumerate() {
            let name =
                if meeting.id.is_empty() { format!("meetings[{index}]") } else { format!("meeting {:?}", meeting.id) };
            if meeting.id.is_empty() {
                errors.push(format!("{name}: the id is empty"));
            } else if !meeting_ids.insert(meeting.id.as_str()) {
                errors.push(format!("{name}: the id is used twice"));
            }
            let side = |field: &str, id: &str, errors: &mut Vec<String>| match participant_index.get(id) {
                Some(&p) => Some(p),
                None => {
                    errors.push(format!("{name}: {field} {id:?} is not a participant"));
                    None
                }
            };
            let a = side("a", &meeting.a, &mut errors);
            let b = side("b", &meeting.b, &mut errors);
            if meeting.a == meeting.b {
                errors.push(format!("{name}: a participant cannot meet itself ({:?})", meeting.a));
            }
            let weight = meeting.weight.unwrap_or(1.0);
            if !(weight.is_finite() && weight > 0.0) {
                errors.push(format!("{name}: weight must be a positive number, got {weight}"));
            }
            let mut pinned = None;
            if let Some(pin) = &meeting.pinned {
                match slot_index.get(pin.slot.as_str()) {
                    None => errors.push(format!("{name}: pinned slot {:?} does not exist", pin.slot)),
                    Some(&s) => {
                        let tables = slots[s].tables;
                        if pin.table == 0 || pin.table > tables {
                            errors.push(format!(
                                "{name}: pinned table {} is not in 1..={tables} of slot {:?}",
                                pin.table, pin.slot
                            ));
                        } else if let Some(other) = tables_at.insert((s, pin.table), &meeting.id) {
                            errors.push(format!(
                                "{name}: pinned to table {} of slot {:?}, like meeting {other:?}",
                                pin.table, pin.slot
                            ));
                        }
                        for p in [a, b].into_iter().flatten() {
                            let who = &input.participants[p].id;
                            if !available[p * slots.len() + s] {
                                errors.push(format!(
                                    "{name}: pinned to slot {:?}, which {who:?} cannot attend",
                                    pin.slot
                                ));
                            }
                            if let Some(other) = pinned_at.insert((p, s), &meeting.id) {
                                errors.push(format!(
                                    "{name}: {who:?} is pinned twice in slot {:?} (also meeting {other:?})",
                                    pin.slot
                                ));
                            }
                        }
                        pinned = Some((s, pin.table));
                    }
                }
            }
            if let (Some(a), Some(b)) = (a, b) {
                meetings.push(Meeting { a, b, weight, pinned });
            }
        }
        if errors.is_empty() {
            let labels = Labels {
                slots: slot_ids,
                participants: input.participants.iter().map(|p| p.id.clone()).collect(),
                meetings: input.meetings.iter().map(|m| m.id.clone()).collect(),
            };
            let layout = input.layout.unwrap_or_default();
            Ok((Instance { slots, participants, meetings, available, day, half_day, layout }, labels))
        } else {
            Err(InstanceErrors(errors))
        }
    }
}

/// The contract's ids of an instance read from JSON, by index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Labels {
    pub slots: Vec<String>,
    pub participants: Vec<String>,
    pub meetings: Vec<String>,
}

/// Everything wrong with an instance, one line per problem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstanceErrors(pub Vec<String>);

impl fmt::Display for InstanceErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.join("\n"))
    }
}

impl std::error::Error for InstanceErrors {}

/// Where a meeting was placed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Assignment {
    pub meeting: usize,
    pub slot: usize,
    pub table: u32,
}

/// A meeting left out, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unscheduled {
    pub meeting: usize,
    pub reason: Reason,
}

/// Why a meeting is left out, in terms an organiser can act on; participants by index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// The two sides have no slot they can both attend.
    NoCommonSlot { a: usize, b: usize },
    /// A side has more accepted meetings than slots it can attend.
    Overbooked { participant: usize, meetings: usize, slots: usize },
    /// Every slot both can attend holds another meeting of theirs, or has no table left
    /// (`full` of them).
    CommonSlotsTaken { a: usize, b: usize, common: usize, full: usize },
}

impl Reason {
    /// The reason with its participants named by `name`.
    pub fn named(&self, name: impl Fn(usize) -> String) -> NamedReason {
        match *self {
            Reason::NoCommonSlot { a, b } => NamedReason::NoCommonSlot { a: name(a), b: name(b) },
            Reason::Overbooked { participant, meetings, slots } => {
                NamedReason::Overbooked { participant: name(participant), meetings, slots }
            }
            Reason::CommonSlotsTaken { a, b, common, full } => {
                NamedReason::CommonSlotsTaken { a: name(a), b: name(b), common, full }
            }
        }
    }
}

/// A [`Reason`] with its participants' names, written by each language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "code", rename_all = "kebab-case")]
pub enum NamedReason {
    NoCommonSlot {
        a: String,
        b: String,
    },
    Overbooked {
        participant: String,
        meetings: usize,
        slots: usize,
    },
    CommonSlotsTaken {
        a: String,
        b: String,
        common: usize,
        full: usize,
    },
    /// Not a solver's reason: the meeting was not placed because no run has been made since
    /// it was accepted.
    NotScheduledYet,
    /// Not a solver's reason: a place is free for it now; a run would place it.
    PlaceFree,
}

impl NamedReason {
    /// One reason of each kind, for tests that every language writes every reason.
    pub fn samples() -> Vec<NamedReason> {
        let (a, b) = ("Sen and Lotus Ventures".to_owned(), "Cảng Số".to_owned());
        vec![
            NamedReason::NoCommonSlot { a: a.clone(), b: b.clone() },
            NamedReason::Overbooked { participant: a.clone(), meetings: 47, slots: 36 },
            NamedReason::CommonSlotsTaken { a: a.clone(), b: b.clone(), common: 3, full: 0 },
            NamedReason::CommonSlotsTaken { a, b, common: 3, full: 2 },
            NamedReason::NotScheduledYet,
            NamedReason::PlaceFree,
        ]
    }

    /// The stable code: `no-common-slot`.
    pub fn code(&self) -> &'static str {
        match self {
            NamedReason::NoCommonSlot { .. } => "no-common-slot",
            NamedReason::Overbooked { .. } => "overbooked",
            NamedReason::CommonSlotsTaken { .. } => "common-slots-taken",
            NamedReason::NotScheduledYet => "not-scheduled-yet",
            NamedReason::PlaceFree => "place-free",
        }
    }
}

impl crate::i18n::Message for NamedReason {
    fn namespace(&self) -> &'static str {
        "reason"
    }

    fn key(&self) -> &'static str {
        match self {
            NamedReason::CommonSlotsTaken { full, .. } if *full > 0 => "common-slots-taken.full",
            other => other.code(),
        }
    }

    fn args(&self, _language: crate::i18n::Language) -> crate::i18n::Args {
        match self {
            NamedReason::NoCommonSlot { a, b } => vec![("a", a.clone()), ("b", b.clone())],
            NamedReason::Overbooked { participant, meetings, slots } => {
                vec![
                    ("participant", participant.clone()),
                    ("meetings", meetings.to_string()),
                    ("slots", slots.to_string()),
                ]
            }
            NamedReason::CommonSlotsTaken { a, b, common, full } => {
                vec![("a", a.clone()), ("b", b.clone()), ("common", common.to_string()), ("full", full.to_string())]
            }
            NamedReason::NotScheduledYet | NamedReason::PlaceFree => Vec::new(),
        }
    }
}

/// A schedule and its figures.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// By meeting index.
    pub assignments: Vec<Assignment>,
    pub unscheduled: Vec<Unscheduled>,
    pub weight: f64,
    /// A proven upper bound on the meetings any valid schedule places.
    pub upper_bound: usize,
    /// A proven upper bound on the weight any valid schedule places (see the solver's
    /// `weight_bound`: the least of the `upper_bound` heaviest meetings and, on each side, each
    /// participant's heaviest meetings, as many as its slots).
    pub weight_bound: f64,
    /// Free slots a participant can attend between its first and last meeting, summed.
    pub gaps: usize,
    /// The days, half-days and idle slots of the day the schedule asks of its participants.
    pub attendance: Attendance,
}

/// Whether a schedule is known to be the best there is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// No valid schedule places more meetings or more weight: it reaches both bounds.
    Optimal,
    /// Valid, and below a bound by its gap: a better schedule may exist.
    #[default]
    Feasible,
}

/// How far a schedule is below the bounds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Gap {
    /// The upper bound on meetings less the meetings placed.
    pub meetings: usize,
    /// The upper bound on weight less the weight placed (to three decimals).
    pub weight: f64,
}

impl Outcome {
    /// `Optimal` when the schedule reaches both bounds, else `Feasible` with its gap.
    pub fn status(&self) -> (Status, Gap) {
        let placed = self.assignments.len();
        let gap = Gap {
            meetings: self.upper_bound.saturating_sub(placed),
            weight: round3((self.weight_bound - self.weight).max(0.0)),
        };
        let status = if gap.meetings == 0 && gap.weight == 0.0 { Status::Optimal } else { Status::Feasible };
        (status, gap)
    }
}

/// `value` to three decimals, as the contract reports weights.
pub fn round3(value: f64) -> f64 {
    (value * 1000.0).round() / 1000.0
}

/// The contract's output.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Output {
    pub assignments: Vec<AssignmentOutput>,
    pub unscheduled: Vec<UnscheduledOutput>,
    pub stats: Stats,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AssignmentOutput {
    pub meeting: String,
    pub slot: String,
    pub table: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnscheduledOutput {
    pub meeting: String,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Stats {
    pub scheduled: usize,
    pub weight: f64,
    pub upper_bound: usize,
    /// A proven upper bound on the weight any valid schedule places.
    #[serde(default)]
    pub weight_bound: f64,
    /// `optimal`: no valid schedule does better; `feasible`: below a bound by `gap`.
    #[serde(default)]
    pub status: Status,
    #[serde(default)]
    pub gap: Gap,
    /// The time the run took, in milliseconds.
    pub millis: u64,
    /// Idle slots between participants' first and last meetings (an extension).
    pub gaps: usize,
    /// Days a participant must come, over the participants with a meeting.
    #[serde(default)]
    pub attendance_days: Measure,
    /// Half-days a participant must come, over the participants with a meeting.
    #[serde(default)]
    pub attendance_half_days: Measure,
    /// Free slots a participant can attend between its first and last meeting of a day, over
    /// the participants with a meeting.
    #[serde(default)]
    pub idle_slots: Measure,
    /// Meetings placed on each day, in time order.
    #[serde(default)]
    pub meetings_per_day: Vec<usize>,
}

/// A figure summed over participants, and its mean per participant (to three decimals).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Measure {
    pub total: usize,
    pub mean: f64,
}

impl Measure {
    fn over(total: usize, participants: usize) -> Self {
        let mean = if participants == 0 { 0.0 } else { total as f64 / participants as f64 };
        Measure { total, mean: (mean * 1000.0).round() / 1000.0 }
    }
}

impl Outcome {
    /// The contract's output, ids from `labels`, reasons in English; `millis` is measured by
    /// the caller (the domain reads no clock).
    pub fn output(&self, labels: &Labels, millis: u64) -> Output {
        use crate::i18n::Message;
        let (status, gap) = self.status();
        Output {
            assignments: self
                .assignments
                .iter()
                .map(|a| AssignmentOutput {
                    meeting: labels.meetings[a.meeting].clone(),
                    slot: labels.slots[a.slot].clone(),
                    table: a.table,
                })
                .collect(),
            unscheduled: self
                .unscheduled
                .iter()
                .map(|u| UnscheduledOutput {
                    meeting: labels.meetings[u.meeting].clone(),
                    reason: u.reason.named(|p| labels.participants[p].clone()).text(crate::i18n::Language::En),
                })
                .collect(),
            stats: Stats {
                scheduled: self.assignments.len(),
                weight: round3(self.weight),
                upper_bound: self.upper_bound,
                weight_bound: round3(self.weight_bound),
                status,
                gap,
                millis,
                gaps: self.gaps,
                attendance_days: Measure::over(self.attendance.days, self.attendance.participants),
                attendance_half_days: Measure::over(self.attendance.half_days, self.attendance.participants),
                idle_slots: Measure::over(self.attendance.idle_slots, self.attendance.participants),
                meetings_per_day: self.attendance.meetings_per_day.clone(),
            },
        }
    }

    /// Every rule a schedule must keep, checked; the problems found, empty when valid.
    pub fn violations(&self, instance: &Instance) -> Vec<String> {
        let mut problems = Vec::new();
        let mut busy = HashSet::new();
        let mut tables = HashSet::new();
        let mut placed = HashSet::new();
        for a in &self.assignments {
            let (id, m) = (a.meeting, &instance.meetings[a.meeting]);
            if !placed.insert(a.meeting) {
                problems.push(format!("meeting {id} placed twice"));
            }
            if a.table == 0 || a.table > instance.slots[a.slot].tables {
                problems.push(format!("meeting {id}: table {} out of range", a.table));
            }
            if !tables.insert((a.slot, a.table)) {
                problems.push(format!("meeting {id}: table {} of slot {} used twice", a.table, a.slot));
            }
            for p in [m.a, m.b] {
                if !instance.available(p, a.slot) {
                    problems.push(format!("meeting {id}: participant {p} cannot attend slot {}", a.slot));
                }
                if !busy.insert((p, a.slot)) {
                    problems.push(format!("meeting {id}: participant {p} twice in slot {}", a.slot));
                }
            }
            if let Some((slot, table)) = m.pinned
                && (slot, table) != (a.slot, a.table)
            {
                problems.push(format!("meeting {id}: pinned meeting moved"));
            }
        }
        for (index, m) in instance.meetings.iter().enumerate() {
            if m.pinned.is_some() && !placed.contains(&index) {
                problems.push(format!("meeting {index}: pinned meeting not placed"));
            }
        }
        let reported: HashSet<usize> = self.unscheduled.iter().map(|u| u.meeting).collect();
        if placed.len() + reported.len() != instance.meetings.len() || placed.iter().any(|m| reported.contains(m)) {
            problems.push("a meeting is neither placed nor reported, or both".to_owned());
        }
        if self.assignments.len() > self.upper_bound {
            problems.push(format!("{} placed above the upper bound {}", self.assignments.len(), self.upper_bound));
        }
        problems
    }
}
