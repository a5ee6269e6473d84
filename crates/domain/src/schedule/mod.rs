//! The scheduler: places accepted meetings at a table in a slot, as DESIGN.md's scheduling
//! contract says. Pure and deterministic: the same instance gives the same schedule.
//!
//! - [`Instance`]: slots with their table counts, participants with their available slots,
//!   meetings with weights and pins; read from the contract's JSON ([`InstanceInput`]) with every
//!   bad item named.
//! - [`schedule`]: the solver. It places meetings slot by slot like an edge colouring of the
//!   meeting graph, repairs conflicts with alternating-path (Kempe chain) swaps and bounded
//!   ejection chains, trades lower-weight meetings for higher ones, gives every participant a
//!   meeting where it can, then closes idle gaps. On a bipartite instance with full availability
//!   and enough tables it places every meeting within Δ slots (König).
//! - [`bound::upper_bound`]: a proven upper bound on what any valid schedule can place.
//! - [`greedy`]: the baseline: each meeting, in order, into the first slot that fits.
//! - [`generate`]: seeded instances for tests and benchmarks.

pub mod bound;
pub mod generate;
mod solve;
#[cfg(test)]
mod tests;

use std::collections::{HashMap, HashSet};
use std::fmt;

use serde::{Deserialize, Serialize};

pub use solve::{greedy, schedule};

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
}

#[derive(Debug, Clone, PartialEq)]
pub struct Slot {
    pub id: String,
    pub tables: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Participant {
    pub id: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Meeting {
    pub id: String,
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
}

impl Instance {
    pub fn available(&self, participant: usize, slot: usize) -> bool {
        self.available[participant * self.slots.len() + slot]
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
    /// `unavailable` says otherwise: for tests and generators that work by index.
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
        Instance { slots, participants, meetings, available }
    }

    /// Checks the contract's instance: unique ids, known references, no meeting of a
    /// participant with itself, weights that are positive numbers, pins in a possible place.
    /// Every problem is reported, naming the item.
    pub fn from_input(input: &InstanceInput) -> Result<Instance, InstanceErrors> {
        let mut errors = Vec::new();
        let mut order: Vec<(usize, Option<jiff::Timestamp>)> = Vec::new();
        let mut slot_ids = HashSet::new();
        for (index, slot) in input.slots.iter().enumerate() {
            if slot.id.is_empty() {
                errors.push(format!("slots[{index}]: the id is empty"));
            } else if !slot_ids.insert(slot.id.as_str()) {
                errors.push(format!("slot {:?}: the id is used twice", slot.id));
            }
            let start = match &slot.start {
                Some(text) => match text.parse::<jiff::Timestamp>() {
                    Ok(at) => Some(at),
                    Err(_) => {
                        errors
                            .push(format!("slot {:?}: start {text:?} is not an RFC 3339 time with an offset", slot.id));
                        None
                    }
                },
                None => None,
            };
            order.push((index, start));
        }
        // Time order; slots without a start keep their place among equals.
        order.sort_by(|x, y| match (x.1, y.1) {
            (Some(a), Some(b)) => a.cmp(&b).then(x.0.cmp(&y.0)),
            _ => x.0.cmp(&y.0),
        });
        let slots: Vec<Slot> = order
            .iter()
            .map(|(index, _)| Slot { id: input.slots[*index].id.clone(), tables: input.slots[*index].tables })
            .collect();
        let slot_index: HashMap<&str, usize> = slots.iter().enumerate().map(|(i, s)| (s.id.as_str(), i)).collect();

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
        let participants: Vec<Participant> =
            input.participants.iter().map(|p| Participant { id: p.id.clone() }).collect();

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
                meetings.push(Meeting { id: meeting.id.clone(), a, b, weight, pinned });
            }
        }
        if errors.is_empty() {
            Ok(Instance { slots, participants, meetings, available })
        } else {
            Err(InstanceErrors(errors))
        }
    }
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
    pub reason: String,
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
    /// Free slots a participant can attend between its first and last meeting, summed.
    pub gaps: usize,
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
    pub millis: u64,
    /// Idle slots between participants' first and last meetings (an extension).
    pub gaps: usize,
}

impl Outcome {
    /// The contract's output; `millis` is measured by the caller (the domain reads no clock).
    pub fn output(&self, instance: &Instance, millis: u64) -> Output {
        Output {
            assignments: self
                .assignments
                .iter()
                .map(|a| AssignmentOutput {
                    meeting: instance.meetings[a.meeting].id.clone(),
                    slot: instance.slots[a.slot].id.clone(),
                    table: a.table,
                })
                .collect(),
            unscheduled: self
                .unscheduled
                .iter()
                .map(|u| UnscheduledOutput {
                    meeting: instance.meetings[u.meeting].id.clone(),
                    reason: u.reason.clone(),
                })
                .collect(),
            stats: Stats {
                scheduled: self.assignments.len(),
                weight: (self.weight * 1000.0).round() / 1000.0,
                upper_bound: self.upper_bound,
                millis,
                gaps: self.gaps,
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
            let m = &instance.meetings[a.meeting];
            if !placed.insert(a.meeting) {
                problems.push(format!("{} placed twice", m.id));
            }
            if a.table == 0 || a.table > instance.slots[a.slot].tables {
                problems.push(format!("{}: table {} out of range", m.id, a.table));
            }
            if !tables.insert((a.slot, a.table)) {
                problems.push(format!("{}: table {} of slot {} used twice", m.id, a.table, a.slot));
            }
            for p in [m.a, m.b] {
                if !instance.available(p, a.slot) {
                    problems.push(format!("{}: participant {p} cannot attend slot {}", m.id, a.slot));
                }
                if !busy.insert((p, a.slot)) {
                    problems.push(format!("{}: participant {p} twice in slot {}", m.id, a.slot));
                }
            }
            if let Some((slot, table)) = m.pinned
                && (slot, table) != (a.slot, a.table)
            {
                problems.push(format!("{}: pinned meeting moved", m.id));
            }
        }
        for (index, m) in instance.meetings.iter().enumerate() {
            if m.pinned.is_some() && !placed.contains(&index) {
                problems.push(format!("{}: pinned meeting not placed", m.id));
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
