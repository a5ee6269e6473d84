//! Layouts: once the solver has chosen which meetings to place, where each one sits in time.
//! `compact` (the default) has each participant come on as few days and half-days as it can,
//! then wait as few idle slots as it can between its meetings of a day; `spread` gives each
//! day a share of the meetings in proportion to its tables, then evens out the slots of a day
//! against idle slots. Either way exactly the same meetings stay placed: only unpinned meetings
//! move, and only to a slot both sides can attend, where both are free and a table is left.
//!
//! Days and half-days come from the slots' times ([`calendar`]): a day is a date where the
//! event takes place, and a new half-day starts with each day and after every break of
//! [`HALF_DAY_BREAK`] or more between one slot's end and the next one's start.

use serde::{Deserialize, Serialize};

use super::Instance;
use super::solve::NONE;

/// How a schedule is laid out over the event's days.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Layout {
    /// Each participant on as few days, then half-days, as it can, with few idle slots between
    /// its meetings of a day. The default.
    #[default]
    Compact,
    /// Every day a share of the meetings in proportion to its tables; then about as many
    /// meetings in every slot of a day, traded against idle slots between a participant's
    /// meetings of a day.
    Spread,
}

/// When a slot takes place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SlotTime {
    pub start: jiff::Timestamp,
    pub end: jiff::Timestamp,
    /// The date of the start where the event takes place.
    pub date: jiff::civil::Date,
}

/// A break this long or longer between two slots of a day starts a new half-day: a lunch
/// break of an hour does, a coffee break does not.
pub const HALF_DAY_BREAK: jiff::SignedDuration = jiff::SignedDuration::from_mins(60);

/// The day and the half-day of each slot, both numbered from 0 in slot order, from the slots'
/// times in slot order. A slot without a time is in the day and half-day of the slot before it.
pub fn calendar(times: &[Option<SlotTime>]) -> (Vec<u32>, Vec<u32>) {
    let mut days = Vec::with_capacity(times.len());
    let mut half_days = Vec::with_capacity(times.len());
    let (mut day, mut half_day) = (0, 0);
    let mut previous: Option<SlotTime> = None;
    for time in times {
        if let (Some(time), Some(before)) = (time, previous) {
            if time.date != before.date {
                day += 1;
                half_day += 1;
            } else if time.start.duration_since(before.end) >= HALF_DAY_BREAK {
                half_day += 1;
            }
        }
        if time.is_some() {
            previous = *time;
        }
        days.push(day);
        half_days.push(half_day);
    }
    (days, half_days)
}

/// How much a schedule asks of its participants, counted over those with at least one meeting.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Attendance {
    /// Participants with at least one meeting placed.
    pub participants: usize,
    /// Days a participant must come, summed over participants.
    pub days: usize,
    /// Half-days a participant must come, summed over participants.
    pub half_days: usize,
    /// Free slots a participant can attend between its first and last meeting of a day, summed
    /// over days and participants.
    pub idle_slots: usize,
    /// Meetings placed on each day.
    pub meetings_per_day: Vec<usize>,
}

/// The attendance a placement asks for; `slot_of` gives each meeting's slot, [`NONE`] when it
/// is not placed.
pub(super) fn attendance(instance: &Instance, slot_of: &[u32]) -> Attendance {
    let slots = instance.slots.len();
    let mut busy = vec![false; instance.participants.len() * slots];
    let mut meetings_per_day = vec![0; instance.days()];
    for (m, &s) in slot_of.iter().enumerate() {
        if s != NONE {
            let meeting = &instance.meetings[m];
            busy[meeting.a * slots + s as usize] = true;
            busy[meeting.b * slots + s as usize] = true;
            meetings_per_day[instance.day(s as usize)] += 1;
        }
    }
    let mut attendance = Attendance { meetings_per_day, ..Attendance::default() };
    for p in 0..instance.participants.len() {
        let row = &busy[p * slots..(p + 1) * slots];
        let mut seen = false;
        let (mut last_day, mut last_half_day) = (usize::MAX, usize::MAX);
        // The slot after the participant's last meeting of the day so far, and the free slots
        // it can attend since then.
        let mut waiting = 0;
        for s in (0..slots).filter(|&s| row[s]) {
            let (day, half_day) = (instance.day(s), instance.half_day(s));
            if day != last_day {
                attendance.days += 1;
            } else {
                attendance.idle_slots += waiting;
            }
            if half_day != last_half_day {
                attendance.half_days += 1;
            }
            seen = true;
            (last_day, last_half_day) = (day, half_day);
            let mut next = s + 1;
            waiting = 0;
            while next < slots && instance.day(next) == day && !row[next] {
                waiting += usize::from(instance.available(p, next));
                next += 1;
            }
        }
        attendance.participants += usize::from(seen);
    }
    attendance
}

/// What a layout's cost counts, and how much. The cost of a placement is, for each
/// participant, `day` for each day it comes, `half_day` for each half-day and `idle` for each
/// idle slot, less `concentration` times the squares of its meetings per day and per half-day;
/// plus `day_balance` times the square of each day's meetings over the day's tables, and
/// `slot_balance` times the square of each slot's meetings over the slot's tables.
#[derive(Debug, Clone, Copy, Default)]
struct Weights {
    day: f64,
    half_day: f64,
    idle: f64,
    concentration: f64,
    day_balance: f64,
    slot_balance: f64,
}

/// A participant's day with one of its meetings taken away ([`Board::lift`]).
#[derive(Debug, Clone, Copy)]
struct Lifted {
    /// The day and half-day of the meeting's slot.
    day: usize,
    half_day: usize,
    /// The meetings left that day, the first and the last of them, when there are any.
    left: u32,
    first: usize,
    last: usize,
    /// The day's cost before and after, half-days aside, and the meetings of the half-day
    /// before.
    before: f64,
    after: f64,
    in_half_day: f64,
}

/// Rounds of each local search; each stops sooner when a round moves nothing.
const ROUNDS: usize = 4;
/// Meetings of a full slot tried for an exchange.
const EXCHANGE_PARTNERS: usize = 32;
/// Below this, a change of cost is rounding.
const EPSILON: f64 = 1e-9;

/// Lays the placed meetings out as the instance's layout asks, moving meetings between slots
/// while that lowers the layout's cost. `slot_of` gives each meeting's slot, [`NONE`] when it
/// is not placed; the same meetings stay placed and pinned ones stay where they are.
pub(super) fn arrange(instance: &Instance, slot_of: &mut [u32]) {
    let before: Vec<bool> = slot_of.iter().map(|&s| s != NONE).collect();
    let mut board = Board::new(instance, slot_of);
    // A move changes idle slots by less than `step`: whatever is weighted `step` or more
    // comes first.
    let step = 4.0 * instance.slots.len() as f64 + 1.0;
    match instance.layout() {
        Layout::Compact => {
            // The squares of a participant's meetings per day and half-day lead its meetings
            // towards the days it mostly comes on, where one move at a time would rarely empty
            // a day; then idle slots are closed without giving any day or half-day back.
            let concentration = step;
            let half_day = 4.0 * step * concentration;
            let day = 4.0 * half_day;
            board.search(Weights { day, half_day, idle: 1.0, concentration, ..Weights::default() });
            board.search(Weights { day: 4.0 * step, half_day: step, idle: 1.0, ..Weights::default() });
        }
        Layout::Spread => {
            // Each day's share of the meetings, in proportion to its tables, weighs far above
            // the rest; then each slot's share against idle slots: in slots of the usual size,
            // a meeting moved to a slot with two fewer meetings than its own weighs as much as
            // two idle slots.
            let largest_day = board.day_tables.iter().copied().fold(0.0, f64::max);
            let tables: f64 = instance.slots.iter().map(|s| f64::from(s.tables)).sum();
            board.search(Weights {
                idle: 1.0,
                day_balance: step * largest_day,
                slot_balance: (tables / instance.slots.len().max(1) as f64).max(1.0),
                ..Weights::default()
            });
        }
    }
    slot_of.copy_from_slice(&board.slot_of);
    debug_assert!(
        slot_of.iter().zip(&before).all(|(&s, &placed)| (s != NONE) == placed),
        "arranging changed which meetings are placed"
    );
    debug_assert!(
        instance.meetings.iter().zip(slot_of.iter()).all(|(m, &s)| m.pinned.is_none_or(|(p, _)| p as u32 == s)),
        "arranging moved a pinned meeting"
    );
}

/// A placement being arranged, with what each participant has on each day and half-day.
struct Board<'a> {
    instance: &'a Instance,
    /// Each meeting's two sides, and whether it is pinned.
    ends: Vec<(u32, u32)>,
    pinned: Vec<bool>,
    slots: usize,
    days: usize,
    half_days: usize,
    weights: Weights,
    slot_of: Vec<u32>,
    /// `busy[p * slots + s]`: the meeting participant `p` has in slot `s`.
    busy: Vec<u32>,
    used: Vec<u32>,
    /// The meetings of each slot, and each meeting's position in its slot's list.
    members: Vec<Vec<u32>>,
    position: Vec<u32>,
    /// By `p * days + d`: how many meetings `p` has on day `d`, the first and the last slot.
    day_count: Vec<u32>,
    first: Vec<u32>,
    last: Vec<u32>,
    /// By `p * half_days + h`.
    half_day_count: Vec<u32>,
    /// `open_before[p * (slots + 1) + s]`: the slots before `s` that `p` can attend.
    open_before: Vec<u32>,
    /// The first slot of each day and of each half-day, and one past the last slot.
    day_starts: Vec<usize>,
    half_day_starts: Vec<usize>,
    /// Each day's meetings, and its tables over all its slots.
    day_used: Vec<u32>,
    day_tables: Vec<f64>,
    /// Participants whose meetings moved in this round, and in the round before.
    moved: Vec<bool>,
    moved_before: Vec<bool>,
    /// In tests, the cost as the changes made so far say it is.
    #[cfg(test)]
    expected: f64,
}

impl<'a> Board<'a> {
    fn new(instance: &'a Instance, slot_of: &[u32]) -> Self {
        let slots = instance.slots.len();
        let people = instance.participants.len();
        let (days, half_days) = (instance.days(), instance.half_days());
        let mut open_before = vec![0; people * (slots + 1)];
        for p in 0..people {
            for s in 0..slots {
                open_before[p * (slots + 1) + s + 1] =
                    open_before[p * (slots + 1) + s] + u32::from(instance.available(p, s));
            }
        }
        let starts = |of: &dyn Fn(usize) -> usize, count: usize| {
            let mut starts = vec![slots; count + 1];
            for s in (0..slots).rev() {
                starts[of(s)] = s;
            }
            for i in (0..count).rev() {
                starts[i] = starts[i].min(starts[i + 1]);
            }
            starts
        };
        let mut day_tables = vec![0.0; days];
        for (s, slot) in instance.slots.iter().enumerate() {
            day_tables[instance.day(s)] += f64::from(slot.tables);
        }
        let mut board = Board {
            instance,
            ends: instance.meetings.iter().map(|m| (m.a as u32, m.b as u32)).collect(),
            pinned: instance.meetings.iter().map(|m| m.pinned.is_some()).collect(),
            slots,
            days,
            half_days,
            weights: Weights::default(),
            slot_of: vec![NONE; slot_of.len()],
            busy: vec![NONE; people * slots],
            used: vec![0; slots],
            members: vec![Vec::new(); slots],
            position: vec![NONE; slot_of.len()],
            day_count: vec![0; people * days],
            first: vec![NONE; people * days],
            last: vec![NONE; people * days],
            half_day_count: vec![0; people * half_days],
            open_before,
            day_starts: starts(&|s| instance.day(s), days),
            half_day_starts: starts(&|s| instance.half_day(s), half_days),
            day_used: vec![0; days],
            day_tables,
            moved: vec![false; people],
            moved_before: vec![true; people],
            #[cfg(test)]
            expected: 0.0,
        };
        for (m, &s) in slot_of.iter().enumerate() {
            if s != NONE {
                board.put(m, s as usize);
            }
        }
        board
    }

    fn ends(&self, m: usize) -> (usize, usize) {
        let (a, b) = self.ends[m];
        (a as usize, b as usize)
    }

    fn both_available(&self, m: usize, s: usize) -> bool {
        let (a, b) = self.ends(m);
        self.instance.available(a, s) && self.instance.available(b, s)
    }

    fn busy(&self, p: usize, s: usize) -> u32 {
        self.busy[p * self.slots + s]
    }

    /// The tables of slot `s`, at least one, to share its meetings over.
    fn tables(&self, s: usize) -> f64 {
        f64::from(self.instance.slots[s].tables.max(1))
    }

    fn room(&self, s: usize) -> bool {
        self.used[s] < self.instance.slots[s].tables
    }

    fn put(&mut self, m: usize, s: usize) {
        let (a, b) = self.ends(m);
        let (day, half_day) = (self.instance.day(s), self.instance.half_day(s));
        for p in [a, b] {
            self.busy[p * self.slots + s] = m as u32;
            let at = p * self.days + day;
            self.day_count[at] += 1;
            self.half_day_count[p * self.half_days + half_day] += 1;
            if self.first[at] == NONE || self.first[at] > s as u32 {
                self.first[at] = s as u32;
            }
            if self.last[at] == NONE || self.last[at] < s as u32 {
                self.last[at] = s as u32;
            }
        }
        self.used[s] += 1;
        self.day_used[day] += 1;
        self.slot_of[m] = s as u32;
        self.position[m] = self.members[s].len() as u32;
        self.members[s].push(m as u32);
    }

    fn take(&mut self, m: usize) -> usize {
        let s = self.slot_of[m] as usize;
        let (a, b) = self.ends(m);
        let (day, half_day) = (self.instance.day(s), self.instance.half_day(s));
        let (start, end) = (self.day_starts[day], self.day_starts[day + 1]);
        for p in [a, b] {
            self.busy[p * self.slots + s] = NONE;
            let at = p * self.days + day;
            self.day_count[at] -= 1;
            self.half_day_count[p * self.half_days + half_day] -= 1;
            if self.day_count[at] == 0 {
                self.first[at] = NONE;
                self.last[at] = NONE;
            } else {
                let row = &self.busy[p * self.slots..(p + 1) * self.slots];
                if self.first[at] == s as u32 {
                    self.first[at] = (s + 1..end).find(|&t| row[t] != NONE).unwrap_or(s) as u32;
                }
                if self.last[at] == s as u32 {
                    self.last[at] = (start..s).rev().find(|&t| row[t] != NONE).unwrap_or(s) as u32;
                }
            }
        }
        self.used[s] -= 1;
        self.day_used[day] -= 1;
        self.slot_of[m] = NONE;
        let at = self.position[m] as usize;
        self.members[s].swap_remove(at);
        if let Some(&other) = self.members[s].get(at) {
            self.position[other as usize] = at as u32;
        }
        self.position[m] = NONE;
        s
    }

    /// Moves `m` to `s` for good: its participants' other meetings are looked at again.
    fn commit(&mut self, m: usize, s: usize) {
        self.take(m);
        self.put(m, s);
        let (a, b) = self.ends(m);
        self.moved[a] = true;
        self.moved[b] = true;
    }

    /// Slots `p` can attend from `from` to `to`, both included.
    fn open(&self, p: usize, from: usize, to: usize) -> f64 {
        let row = p * (self.slots + 1);
        f64::from(self.open_before[row + to + 1]) - f64::from(self.open_before[row + from])
    }

    /// What `p`'s cost goes up by when it gets a meeting in slot `s`, where it is free.
    fn added(&self, p: usize, s: usize) -> f64 {
        let w = self.weights;
        let (day, half_day) = (self.instance.day(s), self.instance.half_day(s));
        let at = p * self.days + day;
        let on_day = f64::from(self.day_count[at]);
        let in_half_day = f64::from(self.half_day_count[p * self.half_days + half_day]);
        let mut cost = -w.concentration * (2.0 * on_day + 1.0 + 2.0 * in_half_day + 1.0);
        if on_day == 0.0 {
            cost += w.day;
        }
        if in_half_day == 0.0 {
            cost += w.half_day;
        }
        if on_day > 0.0 {
            let (first, last) = (self.first[at] as usize, self.last[at] as usize);
            let before = self.open(p, first, last) - on_day;
            let after = self.open(p, first.min(s), last.max(s)) - on_day - 1.0;
            cost += w.idle * (after - before);
        }
        cost
    }

    /// `p`'s cost on a day where it has `count` meetings from slot `first` to slot `last`,
    /// its half-days aside.
    fn day_part(&self, p: usize, count: u32, first: usize, last: usize) -> f64 {
        if count == 0 {
            return 0.0;
        }
        let w = self.weights;
        let count = f64::from(count);
        w.day - w.concentration * count * count + w.idle * (self.open(p, first, last) - count)
    }

    fn half_day_cost(w: Weights, meetings: f64) -> f64 {
        if meetings > 0.0 { w.half_day - w.concentration * meetings * meetings } else { 0.0 }
    }

    /// `p`'s day with its meeting in slot `from` taken away, for [`Board::shifted`]. Looks only
    /// at the ends of `p`'s day, and past them only when `from` is one.
    fn lift(&self, p: usize, from: usize) -> Lifted {
        let day = self.instance.day(from);
        let at = p * self.days + day;
        let (count, first, last) = (self.day_count[at], self.first[at] as usize, self.last[at] as usize);
        let before = self.day_part(p, count, first, last);
        let row = &self.busy[p * self.slots..(p + 1) * self.slots];
        let left = count - 1;
        let (first, last) = if left == 0 {
            (from, from)
        } else {
            let first = if first == from { (from + 1..=last).find(|&t| row[t] != NONE).unwrap_or(last) } else { first };
            let last = if last == from { (first..from).rev().find(|&t| row[t] != NONE).unwrap_or(first) } else { last };
            (first, last)
        };
        let half_day = self.instance.half_day(from);
        Lifted {
            day,
            half_day,
            left,
            first,
            last,
            before,
            after: self.day_part(p, left, first, last),
            in_half_day: f64::from(self.half_day_count[p * self.half_days + half_day]),
        }
    }

    /// What `p`'s cost goes up by when its meeting `lifted` from its slot goes to slot `to`,
    /// where `p` is free.
    fn shifted(&self, p: usize, lifted: &Lifted, to: usize) -> f64 {
        let w = self.weights;
        let to_day = self.instance.day(to);
        let mut change = if to_day == lifted.day {
            let (first, last) = if lifted.left == 0 { (to, to) } else { (lifted.first.min(to), lifted.last.max(to)) };
            self.day_part(p, lifted.left + 1, first, last) - lifted.before
        } else {
            let there = p * self.days + to_day;
            let (count, first, last) = (self.day_count[there], self.first[there] as usize, self.last[there] as usize);
            let (first_after, last_after) = if count == 0 { (to, to) } else { (first.min(to), last.max(to)) };
            lifted.after - lifted.before + self.day_part(p, count + 1, first_after, last_after)
                - self.day_part(p, count, first, last)
        };
        let to_half_day = self.instance.half_day(to);
        if lifted.half_day != to_half_day {
            let (there, here) = (lifted.in_half_day, f64::from(self.half_day_count[p * self.half_days + to_half_day]));
            change += Self::half_day_cost(w, there - 1.0) - Self::half_day_cost(w, there)
                + Self::half_day_cost(w, here + 1.0)
                - Self::half_day_cost(w, here);
        }
        change
    }

    /// What the cost goes up by when meeting `m`, placed nowhere, goes to slot `s`.
    fn cost_at(&self, m: usize, s: usize) -> f64 {
        let (a, b) = self.ends(m);
        let w = self.weights;
        let day = self.instance.day(s);
        self.added(a, s)
            + self.added(b, s)
            + w.day_balance * (2.0 * f64::from(self.day_used[day]) + 1.0) / self.day_tables[day].max(1.0)
            + w.slot_balance * (2.0 * f64::from(self.used[s]) + 1.0) / self.tables(s)
    }

    /// The cheapest slot for `m`, placed nowhere, other than in `skip_half_day`, and its cost:
    /// [`Board::cost_at`] with what stays the same over a day or a half-day worked out once.
    fn cheapest(&self, m: usize, skip_half_day: Option<usize>) -> Option<(f64, usize)> {
        let w = self.weights;
        let (a, b) = self.ends(m);
        let slots = self.slots;
        // Each side's rows, read once.
        let busy = [a, b].map(|p| &self.busy[p * slots..(p + 1) * slots]);
        let available = [a, b].map(|p| &self.instance.available[p * slots..(p + 1) * slots]);
        let open_before = [a, b].map(|p| &self.open_before[p * (slots + 1)..(p + 1) * (slots + 1)]);
        let mut best: Option<(f64, usize)> = None;
        for day in 0..self.days {
            let (start, end) = (self.day_starts[day], self.day_starts[day + 1]);
            if start == end {
                continue;
            }
            // Each side's meetings that day, and their span.
            let span = |p: usize| {
                let at = p * self.days + day;
                let count = self.day_count[at];
                let (first, last) = (self.first[at] as usize, self.last[at] as usize);
                let open = if count > 0 { self.open(p, first, last) } else { 0.0 };
                (count, first, last, open)
            };
            let spans = [span(a), span(b)];
            let mut on_day =
                w.day_balance * (2.0 * f64::from(self.day_used[day]) + 1.0) / self.day_tables[day].max(1.0);
            for &(count, ..) in &spans {
                let count = f64::from(count);
                on_day += -w.concentration * (2.0 * count + 1.0) + if count == 0.0 { w.day } else { 0.0 };
            }
            for half_day in self.instance.half_day(start)..=self.instance.half_day(end - 1) {
                if skip_half_day == Some(half_day) {
                    continue;
                }
                let mut in_half_day = on_day;
                for p in [a, b] {
                    let count = f64::from(self.half_day_count[p * self.half_days + half_day]);
                    in_half_day += -w.concentration * (2.0 * count + 1.0) + if count == 0.0 { w.half_day } else { 0.0 };
                }
                for s in self.half_day_starts[half_day]..self.half_day_starts[half_day + 1] {
                    if busy[0][s] != NONE || busy[1][s] != NONE || !available[0][s] || !available[1][s] || !self.room(s)
                    {
                        continue;
                    }
                    let mut idle = 0.0;
                    for (side, &(count, first, last, open)) in spans.iter().enumerate() {
                        if count > 0 {
                            let before = &open_before[side];
                            idle += f64::from(before[last.max(s) + 1]) - f64::from(before[first.min(s)]) - open - 1.0;
                        }
                    }
                    let balance = w.slot_balance * (2.0 * f64::from(self.used[s]) + 1.0) / self.tables(s);
                    let cost = in_half_day + w.idle * idle + balance;
                    debug_assert!((cost - self.cost_at(m, s)).abs() <= 1e-6 * (1.0 + cost.abs()));
                    if best.is_none_or(|(lowest, _)| cost < lowest) {
                        best = Some((cost, s));
                    }
                }
            }
        }
        best
    }

    /// Moves `m` to its cheapest slot when that lowers the cost.
    fn improve(&mut self, m: usize) -> bool {
        let from = self.take(m);
        let stay = self.cost_at(m, from);
        let better = self.cheapest(m, None).filter(|&(cost, _)| cost < stay - EPSILON);
        self.put(m, from);
        let Some((cost, to)) = better else {
            return false;
        };
        self.commit(m, to);
        self.account(cost - stay);
        true
    }

    /// Whether `p`, moving from slot `from` to `to`, would still come only on half-days it
    /// comes on now; an exchange is tried only then (days are gathered by moves).
    fn stays_within(&self, p: usize, from: usize, to: usize) -> bool {
        let half_day = self.instance.half_day(to);
        half_day == self.instance.half_day(from) || self.half_day_count[p * self.half_days + half_day] > 0
    }

    /// Exchanges the slots of `m` and of a meeting in the way of its move, when that lowers
    /// the cost: the meeting of one of its sides in that slot, or any meeting of a full slot.
    /// Each slot keeps its number of meetings.
    fn exchange(&mut self, m: usize) -> bool {
        let from = self.slot_of[m] as usize;
        let (a, b) = self.ends(m);
        let mut best: Option<(f64, usize)> = None;
        let from_half_day = self.instance.half_day(from);
        let lifted = [self.lift(a, from), self.lift(b, from)];
        for half_day in 0..self.half_days {
            let attended = |p: usize| self.half_day_count[p * self.half_days + half_day] > 0;
            if half_day != from_half_day && !(attended(a) && attended(b)) {
                continue;
            }
            self.exchange_within(m, half_day, &lifted, &mut best);
        }
        let Some((change, other)) = best else {
            return false;
        };
        let to = self.slot_of[other] as usize;
        self.take(other);
        self.commit(m, to);
        self.put(other, from);
        let (c, d) = self.ends(other);
        self.moved[c] = true;
        self.moved[d] = true;
        self.account(change);
        true
    }

    /// The best exchange for `m` with a meeting in `half_day`, if better than `best`.
    fn exchange_within(&self, m: usize, half_day: usize, lifted: &[Lifted; 2], best: &mut Option<(f64, usize)>) {
        let from = self.slot_of[m] as usize;
        let (a, b) = self.ends(m);
        for to in self.half_day_starts[half_day]..self.half_day_starts[half_day + 1] {
            if to == from || !self.both_available(m, to) {
                continue;
            }
            let (x, y) = (self.busy(a, to), self.busy(b, to));
            let partners: &[u32] = match (x, y) {
                (NONE, NONE) if self.room(to) => continue,
                (NONE, NONE) => &self.members[to][..self.members[to].len().min(EXCHANGE_PARTNERS)],
                (NONE, one) | (one, NONE) => &[one][..],
                (one, other) if one == other => &[one][..],
                _ => continue,
            };
            for &other in partners {
                let other = other as usize;
                if self.pinned[other] || !self.both_available(other, from) {
                    continue;
                }
                let (c, d) = self.ends(other);
                let mut change = 0.0;
                let mut possible = true;
                for (p, lifted) in [a, b].into_iter().zip(lifted) {
                    if p != c && p != d {
                        change += self.shifted(p, lifted, to);
                    }
                }
                for p in [c, d] {
                    if p != a && p != b {
                        possible &= self.busy(p, from) == NONE && self.stays_within(p, to, from);
                        if possible {
                            change += self.shifted(p, &self.lift(p, to), from);
                        }
                    }
                }
                if possible && change < -EPSILON && best.is_none_or(|(lowest, _)| change < lowest) {
                    *best = Some((change, other));
                }
            }
        }
    }

    /// Moves every meeting `p` has in half-day `half_day` to another half-day when that lowers
    /// the cost in all: one move at a time would rarely pay, as only the last one saves the
    /// half-day.
    fn vacate(&mut self, p: usize, half_day: usize) -> bool {
        let (start, end) = (self.half_day_starts[half_day], self.half_day_starts[half_day + 1]);
        // Not when `p` has fewer free slots elsewhere than meetings to move.
        let row = &self.half_day_count[p * self.half_days..(p + 1) * self.half_days];
        let (here, all) = (row[half_day], row.iter().sum::<u32>());
        let elsewhere = self.open(p, 0, self.slots - 1) - self.open(p, start, end - 1);
        if elsewhere - f64::from(all - here) < f64::from(here) {
            return false;
        }
        let mut moved = Vec::new();
        let mut change = 0.0;
        for s in start..end {
            let m = self.busy(p, s);
            if m == NONE {
                continue;
            }
            let m = m as usize;
            if self.pinned[m] {
                self.undo(&moved);
                return false;
            }
            self.take(m);
            let stay = self.cost_at(m, s);
            let Some((cost, to)) = self.cheapest(m, Some(half_day)) else {
                self.put(m, s);
                self.undo(&moved);
                return false;
            };
            self.put(m, to);
            moved.push((m, s));
            change += cost - stay;
        }
        if change < -EPSILON {
            for &(m, _) in &moved {
                let (a, b) = self.ends(m);
                self.moved[a] = true;
                self.moved[b] = true;
            }
            self.account(change);
            true
        } else {
            self.undo(&moved);
            false
        }
    }

    /// In tests, checks that a change made changed the cost by `change`, as worked out
    /// incrementally, against the cost worked out from scratch.
    fn account(&mut self, change: f64) {
        #[cfg(test)]
        {
            let (expected, actual) = (self.expected + change, self.total_cost());
            assert!(
                (expected - actual).abs() <= 1e-6 * (1.0 + actual.abs()),
                "the cost went to {actual}, {expected} was expected"
            );
            self.expected = actual;
        }
        #[cfg(not(test))]
        let _ = change;
    }

    /// The cost of the placement under the current weights, from each meeting's slot alone.
    #[cfg(test)]
    fn total_cost(&self) -> f64 {
        let w = self.weights;
        let people = self.instance.participants.len();
        let mut mine = vec![Vec::new(); people];
        let mut used = vec![0.0; self.slots];
        let mut day_used = vec![0.0; self.days];
        for (m, &s) in self.slot_of.iter().enumerate() {
            if s != NONE {
                let (a, b) = self.ends(m);
                mine[a].push(s as usize);
                mine[b].push(s as usize);
                used[s as usize] += 1.0;
                day_used[self.instance.day(s as usize)] += 1.0;
            }
        }
        let mut cost = 0.0;
        for (p, slots) in mine.iter_mut().enumerate() {
            slots.sort_unstable();
            for day in 0..self.days {
                let on_day: Vec<usize> = slots.iter().copied().filter(|&s| self.instance.day(s) == day).collect();
                if let (Some(&first), Some(&last)) = (on_day.first(), on_day.last()) {
                    let count = on_day.len() as f64;
                    cost += w.day - w.concentration * count * count + w.idle * (self.open(p, first, last) - count);
                }
            }
            for half_day in 0..self.half_days {
                let count = slots.iter().filter(|&&s| self.instance.half_day(s) == half_day).count();
                cost += Self::half_day_cost(w, count as f64);
            }
        }
        for (meetings, tables) in day_used.iter().zip(&self.day_tables) {
            cost += w.day_balance * meetings * meetings / tables.max(1.0);
        }
        cost + w.slot_balance * used.iter().enumerate().map(|(s, u)| u * u / self.tables(s)).sum::<f64>()
    }

    fn undo(&mut self, moved: &[(usize, usize)]) {
        for &(m, from) in moved.iter().rev() {
            self.take(m);
            self.put(m, from);
        }
    }

    /// Moves and exchanges meetings, and empties participants' half-days, while the cost
    /// under `weights` goes down. After the first round only the meetings of participants
    /// whose meetings moved are looked at again.
    fn search(&mut self, weights: Weights) {
        self.weights = weights;
        self.moved_before.fill(true);
        let movable: Vec<usize> =
            (0..self.slot_of.len()).filter(|&m| self.slot_of[m] != NONE && !self.pinned[m]).collect();
        #[cfg(test)]
        {
            self.expected = self.total_cost();
        }
        for _ in 0..ROUNDS {
            self.moved.fill(false);
            for &m in &movable {
                let (a, b) = self.ends(m);
                if (self.moved_before[a] || self.moved_before[b]) && !self.improve(m) {
                    self.exchange(m);
                }
            }
            if weights.half_day > 0.0 {
                for p in 0..self.instance.participants.len() {
                    let row = p * self.half_days;
                    let attended = self.half_day_count[row..row + self.half_days].iter().filter(|&&n| n > 0).count();
                    if !self.moved_before[p] || attended < 2 {
                        continue;
                    }
                    for half_day in 0..self.half_days {
                        if self.half_day_count[row + half_day] > 0 {
                            self.vacate(p, half_day);
                        }
                    }
                }
            }
            if !self.moved.contains(&true) {
                break;
            }
            std::mem::swap(&mut self.moved, &mut self.moved_before);
        }
    }
}
