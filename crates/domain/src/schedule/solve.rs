//! The solver: construction, repair, kicks, weight and fairness trades, idle-gap closing,
//! tables, and the weight bound.

use super::{Assignment, Instance, Outcome, Reason, Unscheduled, bound, layout};

/// No meeting, no slot.
pub(super) const NONE: u32 = u32::MAX;
/// How deep an ejection chain goes: a blocker moves, and the blocker of its new place moves.
const EJECTION_DEPTH: usize = 2;
/// Capacity victims tried per slot in an ejection.
const CAPACITY_VICTIMS: usize = 4;
/// Rounds of the improvement loop.
const ROUNDS: usize = 4;
/// Rounds of idle-gap closing.
const GAP_ROUNDS: usize = 3;
/// Kicks at most per meeting, once repairs stop below the bounds: each forces a left-out
/// meeting into a slot and re-places what it pushed out. A cap, so that a run that ends
/// before its time limit is the same on every machine.
const KICKS_PER_MEETING: usize = 300;
/// How deep a meeting pushed out by a kick may push others to find a place.
const KICK_DEPTH: usize = 1;
/// Kicks in a row that could force nothing, after which kicking stops.
const STUCK_KICKS: usize = 1_000;

#[derive(Debug, Clone, Copy)]
enum Change {
    Placed(u32),
    Removed(u32, u32),
}

/// The slot of every meeting and what it occupies, with an undo log for tentative moves.
struct State<'a> {
    instance: &'a Instance,
    slots: usize,
    /// `busy[p * slots + s]`: the meeting participant `p` has in slot `s`.
    busy: Vec<u32>,
    used: Vec<u32>,
    slot_of: Vec<u32>,
    /// The meetings of each slot, and each meeting's position in its slot's list.
    members: Vec<Vec<u32>>,
    position: Vec<u32>,
    placed: Vec<u32>,
    /// Meetings that must not move: pinned, or being inserted further up an ejection chain.
    locked: Vec<bool>,
    log: Vec<Change>,
}

impl<'a> State<'a> {
    fn new(instance: &'a Instance) -> Self {
        let slots = instance.slots.len();
        let meetings = instance.meetings.len();
        State {
            instance,
            slots,
            busy: vec![NONE; instance.participants.len() * slots],
            used: vec![0; slots],
            slot_of: vec![NONE; meetings],
            members: vec![Vec::new(); slots],
            position: vec![NONE; meetings],
            placed: vec![0; instance.participants.len()],
            locked: instance.meetings.iter().map(|m| m.pinned.is_some()).collect(),
            log: Vec::new(),
        }
    }

    fn ends(&self, m: usize) -> (usize, usize) {
        let meeting = &self.instance.meetings[m];
        (meeting.a, meeting.b)
    }

    fn busy(&self, p: usize, s: usize) -> u32 {
        self.busy[p * self.slots + s]
    }

    fn free(&self, p: usize, s: usize) -> bool {
        self.busy(p, s) == NONE
    }

    fn room(&self, s: usize) -> bool {
        self.used[s] < self.instance.slots[s].tables
    }

    fn fits(&self, m: usize, s: usize) -> bool {
        let (a, b) = self.ends(m);
        self.instance.both_available(m, s) && self.free(a, s) && self.free(b, s) && self.room(s)
    }

    /// How many meetings are placed.
    fn count(&self) -> usize {
        self.used.iter().map(|&u| u as usize).sum()
    }

    fn is_placed(&self, m: usize) -> bool {
        self.slot_of[m] != NONE
    }

    fn put(&mut self, m: usize, s: usize) {
        let (a, b) = self.ends(m);
        self.busy[a * self.slots + s] = m as u32;
        self.busy[b * self.slots + s] = m as u32;
        self.used[s] += 1;
        self.slot_of[m] = s as u32;
        self.position[m] = self.members[s].len() as u32;
        self.members[s].push(m as u32);
        self.placed[a] += 1;
        self.placed[b] += 1;
    }

    fn take(&mut self, m: usize) -> usize {
        let s = self.slot_of[m] as usize;
        let (a, b) = self.ends(m);
        self.busy[a * self.slots + s] = NONE;
        self.busy[b * self.slots + s] = NONE;
        self.used[s] -= 1;
        self.slot_of[m] = NONE;
        let at = self.position[m] as usize;
        self.members[s].swap_remove(at);
        if let Some(&moved) = self.members[s].get(at) {
            self.position[moved as usize] = at as u32;
        }
        self.position[m] = NONE;
        self.placed[a] -= 1;
        self.placed[b] -= 1;
        s
    }

    fn place(&mut self, m: usize, s: usize) {
        self.put(m, s);
        self.log.push(Change::Placed(m as u32));
    }

    fn remove(&mut self, m: usize) {
        let s = self.take(m);
        self.log.push(Change::Removed(m as u32, s as u32));
    }

    fn mark(&self) -> usize {
        self.log.len()
    }

    fn undo_to(&mut self, mark: usize) {
        while self.log.len() > mark {
            match self.log.pop() {
                Some(Change::Placed(m)) => {
                    self.take(m as usize);
                }
                Some(Change::Removed(m, s)) => self.put(m as usize, s as usize),
                None => break,
            }
        }
    }

    /// Whether `p` has a meeting next to slot `s` (placing there leaves no gap).
    fn adjacent(&self, p: usize, s: usize) -> bool {
        (s > 0 && !self.free(p, s - 1)) || (s + 1 < self.slots && !self.free(p, s + 1))
    }

    /// The slot `m` fits best: next to its participants' meetings, else the earliest.
    fn best_fit(&self, m: usize) -> Option<usize> {
        let (a, b) = self.ends(m);
        (0..self.slots).filter(|&s| self.fits(m, s)).max_by_key(|&s| {
            (usize::from(self.adjacent(a, s)) + usize::from(self.adjacent(b, s)), std::cmp::Reverse(s))
        })
    }

    /// Places `m` by flipping an alternating chain of slots α/β (a Kempe chain): α is free at
    /// one side `x` and β at the other side `y`; flipping the chain that starts at `y` frees α
    /// at `y`. On a bipartite graph the chain never reaches `x`, which is König's argument.
    fn kempe(&mut self, m: usize) -> bool {
        let (a, b) = self.ends(m);
        let mut chain = Vec::new();
        for (x, y) in [(a, b), (b, a)] {
            for alpha in 0..self.slots {
                if !self.instance.both_available(m, alpha) || !self.free(x, alpha) || self.free(y, alpha) {
                    continue;
                }
                for beta in 0..self.slots {
                    if beta == alpha || !self.instance.available(y, beta) || !self.free(y, beta) {
                        continue;
                    }
                    if self.try_flip(m, x, y, alpha, beta, &mut chain) {
                        return true;
                    }
                }
            }
        }
        false
    }

    fn try_flip(&mut self, m: usize, x: usize, y: usize, alpha: usize, beta: usize, chain: &mut Vec<usize>) -> bool {
        chain.clear();
        let (mut at, mut colour, mut other) = (y, alpha, beta);
        let mut moves = [0i64; 2];
        loop {
            let e = self.busy(at, colour);
            if e == NONE {
                break;
            }
            let e = e as usize;
            if self.locked[e] || chain.len() > self.instance.participants.len() {
                return false;
            }
            let (p, q) = self.ends(e);
            let next = if p == at { q } else { p };
            if next == x || !self.instance.both_available(e, other) {
                return false;
            }
            moves[usize::from(colour == beta)] += 1;
            chain.push(e);
            at = next;
            std::mem::swap(&mut colour, &mut other);
        }
        // Net change of each slot's count: α loses its chain edges and gains β's and `m`.
        let [at_alpha, at_beta] = moves;
        let alpha_after = i64::from(self.used[alpha]) - at_alpha + at_beta + 1;
        let beta_after = i64::from(self.used[beta]) - at_beta + at_alpha;
        if alpha_after > i64::from(self.instance.slots[alpha].tables)
            || beta_after > i64::from(self.instance.slots[beta].tables)
        {
            return false;
        }
        let mark = self.mark();
        for &e in chain.iter() {
            self.remove(e);
        }
        // The chain alternates α, β, α…: even places move to β, odd ones to α.
        for (index, &e) in chain.iter().enumerate() {
            let to = if index % 2 == 0 { beta } else { alpha };
            let (p, q) = self.ends(e);
            if !self.free(p, to) || !self.free(q, to) {
                self.undo_to(mark);
                return false;
            }
            self.place(e, to);
        }
        if !self.fits(m, alpha) {
            self.undo_to(mark);
            return false;
        }
        self.place(m, alpha);
        true
    }

    /// Places `m`, moving the meetings in its way when they can go elsewhere, `depth` levels
    /// deep. Undoes everything when it fails.
    fn insert(&mut self, m: usize, depth: usize) -> bool {
        if let Some(s) = self.best_fit(m) {
            self.place(m, s);
            return true;
        }
        if depth == 0 {
            return false;
        }
        let (a, b) = self.ends(m);
        self.locked[m] = true;
        let mut done = false;
        'slots: for s in 0..self.slots {
            if !self.instance.both_available(m, s) {
                continue;
            }
            let mut blockers = Vec::with_capacity(3);
            for p in [a, b] {
                let e = self.busy(p, s);
                if e != NONE && !blockers.contains(&(e as usize)) {
                    if self.locked[e as usize] {
                        continue 'slots;
                    }
                    blockers.push(e as usize);
                }
            }
            let mark = self.mark();
            for &e in &blockers {
                self.remove(e);
            }
            let victims: Vec<Option<usize>> = if self.room(s) {
                vec![None]
            } else {
                self.members[s]
                    .iter()
                    .map(|&e| e as usize)
                    .filter(|&e| !self.locked[e])
                    .take(CAPACITY_VICTIMS)
                    .map(Some)
                    .collect()
            };
            for victim in victims {
                let inner = self.mark();
                if let Some(v) = victim {
                    self.remove(v);
                }
                self.place(m, s);
                let moved: Vec<usize> = blockers.iter().copied().chain(victim).collect();
                if moved.iter().all(|&e| self.insert(e, depth - 1)) {
                    done = true;
                    break 'slots;
                }
                self.undo_to(inner);
            }
            self.undo_to(mark);
        }
        self.locked[m] = false;
        done
    }

    /// Forces `m` into a random slot both sides can attend, pushing out what is in the way (its
    /// sides' meetings there and, when the slot is full, one meeting at random), then places
    /// those elsewhere where it can. Changes are logged for the caller to keep or undo; false
    /// when nothing could be forced.
    fn kick(&mut self, m: usize, rng: &mut crate::demo::Rng) -> bool {
        let (a, b) = self.ends(m);
        let common: Vec<usize> = (0..self.slots).filter(|&s| self.instance.both_available(m, s)).collect();
        if common.is_empty() {
            return false;
        }
        let s = common[rng.below(common.len())];
        let mut pushed = Vec::with_capacity(3);
        for p in [a, b] {
            let e = self.busy(p, s);
            if e != NONE && !pushed.contains(&(e as usize)) {
                if self.locked[e as usize] {
                    return false;
                }
                pushed.push(e as usize);
            }
        }
        for &e in &pushed {
            self.remove(e);
        }
        if !self.room(s) {
            let movable: Vec<usize> =
                self.members[s].iter().map(|&e| e as usize).filter(|&e| !self.locked[e]).collect();
            if movable.is_empty() {
                return false;
            }
            let victim = movable[rng.below(movable.len())];
            self.remove(victim);
            pushed.push(victim);
        }
        self.place(m, s);
        for e in pushed {
            if !self.insert(e, KICK_DEPTH) {
                self.kempe(e);
            }
        }
        true
    }

    /// The weight the logged changes add (negative when they lose some).
    fn logged_weight(&self) -> f64 {
        self.log
            .iter()
            .map(|change| match *change {
                Change::Placed(m) => self.instance.meetings[m as usize].weight,
                Change::Removed(m, _) => -self.instance.meetings[m as usize].weight,
            })
            .sum()
    }

    /// Places `m` in exchange for what blocks it, when that raises the placed weight, or keeps
    /// it and gives a participant with no meeting its first one.
    fn trade(&mut self, m: usize) -> bool {
        let (a, b) = self.ends(m);
        let weight = self.instance.meetings[m].weight;
        let gives_first = self.placed[a] == 0 || self.placed[b] == 0;
        for s in 0..self.slots {
            if !self.instance.both_available(m, s) {
                continue;
            }
            let mut out = Vec::with_capacity(3);
            let mut blocked = false;
            for p in [a, b] {
                let e = self.busy(p, s);
                if e != NONE && !out.contains(&(e as usize)) {
                    blocked |= self.locked[e as usize];
                    out.push(e as usize);
                }
            }
            if blocked {
                continue;
            }
            if self.used[s] as usize - out.len() >= self.instance.slots[s].tables as usize {
                let lightest = self.members[s]
                    .iter()
                    .map(|&e| e as usize)
                    .filter(|e| !self.locked[*e] && !out.contains(e))
                    .min_by(|x, y| self.instance.meetings[*x].weight.total_cmp(&self.instance.meetings[*y].weight));
                match lightest {
                    Some(e) => out.push(e),
                    None => continue,
                }
            }
            let lost: f64 = out.iter().map(|&e| self.instance.meetings[e].weight).sum();
            let heavier = lost < weight - 1e-9;
            let fairer = out.len() == 1
                && (lost - weight).abs() <= 1e-9
                && gives_first
                && out.iter().all(|&e| {
                    // Nobody loses their only meeting, unless `m` gives them another.
                    let (p, q) = self.ends(e);
                    [p, q].iter().all(|&x| x == a || x == b || self.placed[x] >= 2)
                });
            if heavier || fairer {
                for &e in &out {
                    self.remove(e);
                }
                self.place(m, s);
                for e in out {
                    self.insert(e, 1);
                }
                return true;
            }
        }
        false
    }

    /// Idle slots `p` could attend between its first and last meeting.
    fn gaps(&self, p: usize) -> usize {
        let row = &self.busy[p * self.slots..(p + 1) * self.slots];
        let (Some(first), Some(last)) = (row.iter().position(|&e| e != NONE), row.iter().rposition(|&e| e != NONE))
        else {
            return 0;
        };
        (first..=last).filter(|&s| row[s] == NONE && self.instance.available(p, s)).count()
    }

    /// Moves single meetings to free slots where their participants wait less.
    fn close_gaps(&mut self) {
        for _ in 0..GAP_ROUNDS {
            let mut improved = false;
            for m in 0..self.instance.meetings.len() {
                if !self.is_placed(m) || self.locked[m] {
                    continue;
                }
                let (a, b) = self.ends(m);
                let before = self.gaps(a) + self.gaps(b);
                if before == 0 {
                    continue;
                }
                let from = self.take(m);
                let mut best = (before, from);
                let mut near = Vec::new();
                for p in [a, b] {
                    for s in 0..self.slots {
                        if !self.free(p, s) {
                            near.extend(
                                [s.wrapping_sub(1), s + 1].into_iter().filter(|&t| t < self.slots && t != from),
                            );
                        }
                    }
                }
                for t in near {
                    if self.fits(m, t) {
                        self.put(m, t);
                        let after = self.gaps(a) + self.gaps(b);
                        self.take(m);
                        if after < best.0 {
                            best = (after, t);
                        }
                    }
                }
                self.put(m, best.1);
                improved |= best.1 != from;
            }
            if !improved {
                break;
            }
        }
    }

    /// The outcome as it stands, with the proven bounds on meetings and weight.
    fn outcome(&self, (upper_bound, weight_bound): (usize, f64)) -> Outcome {
        let instance = self.instance;
        let mut assignments = Vec::new();
        let mut unscheduled = Vec::new();
        let mut weight = 0.0;
        for s in 0..self.slots {
            let mut taken: Vec<bool> = vec![false; instance.slots[s].tables as usize + 1];
            let mut members: Vec<usize> = self.members[s].iter().map(|&m| m as usize).collect();
            members.sort_unstable();
            for &m in &members {
                if let Some((_, table)) = instance.meetings[m].pinned {
                    taken[table as usize] = true;
                    assignments.push(Assignment { meeting: m, slot: s, table });
                }
            }
            let mut next = 1;
            for &m in &members {
                if instance.meetings[m].pinned.is_some() {
                    continue;
                }
                while taken[next] {
                    next += 1;
                }
                taken[next] = true;
                assignments.push(Assignment { meeting: m, slot: s, table: next as u32 });
            }
        }
        assignments.sort_by_key(|a| a.meeting);
        for a in &assignments {
            weight += instance.meetings[a.meeting].weight;
        }
        let mut degree = vec![0; instance.participants.len()];
        for meeting in &instance.meetings {
            degree[meeting.a] += 1;
            degree[meeting.b] += 1;
        }
        for m in 0..instance.meetings.len() {
            if !self.is_placed(m) {
                unscheduled.push(Unscheduled { meeting: m, reason: reason(self, m, &degree) });
            }
        }
        let gaps = (0..instance.participants.len()).map(|p| self.gaps(p)).sum();
        let attendance = layout::attendance(instance, &self.slot_of);
        Outcome { assignments, unscheduled, weight, upper_bound, weight_bound, gaps, attendance }
    }
}

/// A proven upper bound on the weight any valid schedule places, the least of three: no
/// schedule places a meeting whose sides share no slot, more than `upper_bound` meetings, or
/// more meetings of a participant than the slots it can attend — so neither more than the
/// `upper_bound` heaviest meetings, nor, on either side, more than each participant's
/// heaviest meetings, as many as its slots.
fn weight_bound(instance: &Instance, upper_bound: usize) -> f64 {
    let slots = instance.slots.len();
    let placeable: Vec<usize> =
        (0..instance.meetings.len()).filter(|&m| (0..slots).any(|s| instance.both_available(m, s))).collect();
    let heaviest = |mut weights: Vec<f64>, count: usize| -> f64 {
        weights.sort_unstable_by(|a, b| b.total_cmp(a));
        weights.iter().take(count).sum()
    };
    let overall = heaviest(placeable.iter().map(|&m| instance.meetings[m].weight).collect(), upper_bound);
    let side = |end: fn(&super::Meeting) -> usize| -> f64 {
        let mut by_participant: Vec<Vec<f64>> = vec![Vec::new(); instance.participants.len()];
        for &m in &placeable {
            let meeting = &instance.meetings[m];
            by_participant[end(meeting)].push(meeting.weight);
        }
        by_participant
            .into_iter()
            .enumerate()
            .map(|(p, weights)| heaviest(weights, (0..slots).filter(|&s| instance.available(p, s)).count()))
            .sum()
    };
    overall.min(side(|m| m.a)).min(side(|m| m.b))
}

/// Why `m` is not placed, in terms an organiser can act on; `degree` gives each participant's
/// accepted meetings.
fn reason(state: &State<'_>, m: usize, degree: &[usize]) -> Reason {
    let instance = state.instance;
    let (a, b) = state.ends(m);
    let common: Vec<usize> = (0..state.slots).filter(|&s| instance.both_available(m, s)).collect();
    if common.is_empty() {
        return Reason::NoCommonSlot { a, b };
    }
    for participant in [a, b] {
        let meetings = degree[participant];
        let slots = (0..state.slots).filter(|&s| instance.available(participant, s)).count();
        if meetings > slots {
            return Reason::Overbooked { participant, meetings, slots };
        }
    }
    let full = common.iter().filter(|&&s| !state.room(s)).count();
    Reason::CommonSlotsTaken { a, b, common: common.len(), full }
}

/// The order meetings are placed in: heavier first, then those with fewer possible slots,
/// then those of busier participants; by index to break ties, so the result is deterministic.
fn order(instance: &Instance) -> Vec<usize> {
    let mut degree = vec![0usize; instance.participants.len()];
    for m in &instance.meetings {
        degree[m.a] += 1;
        degree[m.b] += 1;
    }
    let options: Vec<usize> = (0..instance.meetings.len())
        .map(|m| (0..instance.slots.len()).filter(|&s| instance.both_available(m, s)).count())
        .collect();
    let mut order: Vec<usize> =
        (0..instance.meetings.len()).filter(|&m| instance.meetings[m].pinned.is_none()).collect();
    order.sort_by(|&x, &y| {
        let (mx, my) = (&instance.meetings[x], &instance.meetings[y]);
        my.weight
            .total_cmp(&mx.weight)
            .then(options[x].cmp(&options[y]))
            .then((degree[my.a] + degree[my.b]).cmp(&(degree[mx.a] + degree[mx.b])))
            .then(x.cmp(&y))
    });
    order
}

/// Schedules `instance`: as many meetings (by weight) as it can, then laid out as the instance
/// asks ([`layout`]) without changing which meetings are placed.
pub fn schedule(instance: &Instance) -> Outcome {
    schedule_within(instance, &|| false)
}

/// [`schedule`], its repairs stopped once `out_of_time` says so (the caller's clock: the
/// domain reads none). What is placed by then stays placed, and laid out; the same input gives
/// the same schedule whenever the run ends before its time.
pub fn schedule_within(instance: &Instance, out_of_time: &dyn Fn() -> bool) -> Outcome {
    let (state, bounds) = place(instance, out_of_time);
    let mut slot_of = state.slot_of;
    layout::arrange(instance, &mut slot_of);
    let mut state = State::new(instance);
    for (m, &s) in slot_of.iter().enumerate() {
        if s != NONE {
            state.put(m, s as usize);
        }
    }
    state.outcome(bounds)
}

/// The schedule as it was before layouts: placed as by [`schedule`], then only idle gaps over
/// the whole event closed, one meeting at a time. For the bench to compare.
pub fn schedule_without_layout(instance: &Instance) -> Outcome {
    let (mut state, bounds) = place(instance, &|| false);
    state.close_gaps();
    state.outcome(bounds)
}

/// Chooses the meetings to place and places them, with the bounds it worked towards (meetings,
/// weight); repairs, kicks and trades stop when `out_of_time`.
fn place<'a>(instance: &'a Instance, out_of_time: &dyn Fn() -> bool) -> (State<'a>, (usize, f64)) {
    let mut state = State::new(instance);
    for (m, meeting) in instance.meetings.iter().enumerate() {
        if let Some((s, _)) = meeting.pinned {
            state.put(m, s);
        }
    }
    let order = order(instance);
    for &m in &order {
        state.log.clear();
        if !state.insert(m, 0) {
            state.kempe(m);
        }
    }
    // The bound tells when no repair can place more: then only trades for weight and fairness
    // remain worth trying.
    let total = instance.meetings.len();
    let upper_bound = if state.count() == total { total } else { bound::upper_bound(instance) };
    'repairs: for _ in 0..ROUNDS {
        let mut changed = false;
        for &m in &order {
            if state.count() >= upper_bound {
                break;
            }
            if !state.is_placed(m) {
                if out_of_time() {
                    break 'repairs;
                }
                state.log.clear();
                changed |= state.kempe(m) || state.insert(m, EJECTION_DEPTH);
            }
        }
        if !changed {
            break;
        }
    }
    // Still below the bound: kick left-out meetings in, keeping each kick that places more
    // weight, or as much (to move on from where repairs stopped), undoing the others.
    let bound_weight = weight_bound(instance, upper_bound);
    let mut placed_weight: f64 =
        (0..instance.meetings.len()).filter(|&m| state.is_placed(m)).map(|m| instance.meetings[m].weight).sum();
    let mut rng = crate::demo::Rng::new(0x6b69_636b, instance.meetings.len() as u64);
    let mut left_out: Vec<usize> = order.iter().copied().filter(|&m| !state.is_placed(m)).collect();
    // Kicks that could force nothing in a row: when everything in the way is pinned, none can.
    let mut stuck = 0;
    for _ in 0..KICKS_PER_MEETING * instance.meetings.len() {
        let at_bounds = state.count() >= upper_bound && placed_weight >= bound_weight - 1e-9;
        if at_bounds || left_out.is_empty() || stuck >= STUCK_KICKS || out_of_time() {
            break;
        }
        let m = left_out[rng.below(left_out.len())];
        let count = state.count();
        state.log.clear();
        if !state.kick(m, &mut rng) {
            state.undo_to(0);
            stuck += 1;
            continue;
        }
        stuck = 0;
        let gained = state.logged_weight();
        if gained > 1e-9 || (gained > -1e-9 && state.count() >= count) {
            placed_weight += gained;
            let pushed_out: Vec<usize> = state
                .log
                .iter()
                .filter_map(|change| match *change {
                    Change::Removed(e, _) if !state.is_placed(e as usize) => Some(e as usize),
                    _ => None,
                })
                .collect();
            left_out.retain(|&e| !state.is_placed(e));
            for e in pushed_out {
                if !left_out.contains(&e) {
                    left_out.push(e);
                }
            }
        } else {
            state.undo_to(0);
        }
    }
    state.log.clear();
    'trades: for _ in 0..ROUNDS {
        let mut changed = false;
        for &m in &order {
            if !state.is_placed(m) {
                if out_of_time() {
                    break 'trades;
                }
                state.log.clear();
                changed |= state.trade(m);
            }
        }
        if !changed {
            break;
        }
    }
    state.log.clear();
    (state, (upper_bound, bound_weight))
}

/// The baseline: each meeting in the order given, into the first slot (in time order) where
/// both sides are free and a table is left. Pinned meetings are placed first.
pub fn greedy(instance: &Instance) -> Outcome {
    let mut state = State::new(instance);
    for (m, meeting) in instance.meetings.iter().enumerate() {
        if let Some((s, _)) = meeting.pinned {
            state.put(m, s);
        }
    }
    for m in 0..instance.meetings.len() {
        if instance.meetings[m].pinned.is_none()
            && let Some(s) = (0..state.slots).find(|&s| state.fits(m, s))
        {
            state.put(m, s);
        }
    }
    let placed = (0..instance.meetings.len()).filter(|&m| state.is_placed(m)).count();
    let upper_bound = if placed == instance.meetings.len() { placed } else { bound::upper_bound(instance) };
    state.outcome((upper_bound, weight_bound(instance, upper_bound)))
}
