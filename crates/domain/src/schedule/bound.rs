//! A proven upper bound on the number of meetings any valid schedule can place.
//!
//! Pinned meetings are in every valid schedule. For the others, each of three relaxations of
//! the problem is solved exactly, and the smallest answer is the bound:
//! - *one side at a time*: keep only one side's "once per slot" rule and the table counts;
//!   what remains is a maximum flow (meeting → (participant, slot) → slot), which also
//!   enforces each participant's available slots;
//! - the same for the other side;
//! - *slot by slot*: a slot holds at most its tables and at most a maximum matching of the
//!   meetings that can take place in it.

use super::Instance;

/// Maximum flow by Dinic's algorithm, on the small unit-capacity networks built here.
struct Flow {
    head: Vec<u32>,
    next: Vec<u32>,
    to: Vec<u32>,
    cap: Vec<i32>,
    level: Vec<i32>,
    cursor: Vec<u32>,
}

const END: u32 = u32::MAX;

impl Flow {
    fn new(nodes: usize) -> Self {
        Flow {
            head: vec![END; nodes],
            next: Vec::new(),
            to: Vec::new(),
            cap: Vec::new(),
            level: vec![0; nodes],
            cursor: vec![0; nodes],
        }
    }

    fn edge(&mut self, from: usize, to: usize, cap: i32) {
        for (a, b, c) in [(from, to, cap), (to, from, 0)] {
            self.next.push(self.head[a]);
            self.to.push(b as u32);
            self.cap.push(c);
            self.head[a] = (self.to.len() - 1) as u32;
        }
    }

    fn levels(&mut self, source: usize, sink: usize) -> bool {
        self.level.fill(-1);
        self.level[source] = 0;
        let mut queue = std::collections::VecDeque::from([source]);
        while let Some(node) = queue.pop_front() {
            let mut e = self.head[node];
            while e != END {
                let target = self.to[e as usize] as usize;
                if self.cap[e as usize] > 0 && self.level[target] < 0 {
                    self.level[target] = self.level[node] + 1;
                    queue.push_back(target);
                }
                e = self.next[e as usize];
            }
        }
        self.level[sink] >= 0
    }

    fn push(&mut self, node: usize, sink: usize, limit: i32) -> i32 {
        if node == sink {
            return limit;
        }
        while self.cursor[node] != END {
            let e = self.cursor[node] as usize;
            let target = self.to[e] as usize;
            if self.cap[e] > 0 && self.level[target] == self.level[node] + 1 {
                let pushed = self.push(target, sink, limit.min(self.cap[e]));
                if pushed > 0 {
                    self.cap[e] -= pushed;
                    self.cap[e ^ 1] += pushed;
                    return pushed;
                }
            }
            self.cursor[node] = self.next[e];
        }
        0
    }

    fn max_flow(&mut self, source: usize, sink: usize) -> usize {
        let mut total = 0;
        while self.levels(source, sink) {
            self.cursor.clone_from(&self.head);
            loop {
                let pushed = self.push(source, sink, i32::MAX);
                if pushed == 0 {
                    break;
                }
                total += pushed as usize;
            }
        }
        total
    }
}

/// The two sides of the meeting graph when it is bipartite (startups and investors), so that
/// each meeting has one participant on each side; otherwise `a` and `b`.
fn sides(instance: &Instance) -> Vec<(usize, usize)> {
    let n = instance.participants.len();
    let mut neighbours = vec![Vec::new(); n];
    for m in &instance.meetings {
        neighbours[m.a].push(m.b);
        neighbours[m.b].push(m.a);
    }
    let mut colour = vec![u8::MAX; n];
    let mut bipartite = true;
    for start in 0..n {
        if colour[start] != u8::MAX {
            continue;
        }
        colour[start] = 0;
        let mut stack = vec![start];
        while let Some(p) = stack.pop() {
            for &q in &neighbours[p] {
                if colour[q] == u8::MAX {
                    colour[q] = 1 - colour[p];
                    stack.push(q);
                } else if colour[q] == colour[p] {
                    bipartite = false;
                }
            }
        }
    }
    instance.meetings.iter().map(|m| if !bipartite || colour[m.a] == 0 { (m.a, m.b) } else { (m.b, m.a) }).collect()
}

/// A proven upper bound on how many meetings of `instance` any valid schedule places.
pub fn upper_bound(instance: &Instance) -> usize {
    let slots = instance.slots.len();
    let participants = instance.participants.len();
    let mut taken = vec![false; participants * slots];
    let mut tables: Vec<usize> = instance.slots.iter().map(|s| s.tables as usize).collect();
    let mut pinned = 0;
    for m in &instance.meetings {
        if let Some((s, _)) = m.pinned {
            pinned += 1;
            taken[m.a * slots + s] = true;
            taken[m.b * slots + s] = true;
            tables[s] = tables[s].saturating_sub(1);
        }
    }
    let options: Vec<Vec<usize>> = instance
        .meetings
        .iter()
        .enumerate()
        .map(|(index, m)| {
            if m.pinned.is_some() {
                return Vec::new();
            }
            (0..slots)
                .filter(|&s| {
                    instance.both_available(index, s)
                        && !taken[m.a * slots + s]
                        && !taken[m.b * slots + s]
                        && tables[s] > 0
                })
                .collect()
        })
        .collect();
    let sides = sides(instance);
    let one_side = |pick: fn(&(usize, usize)) -> usize| {
        // source, meetings, slots, sink, then (participant, slot) pairs as they are needed.
        let meetings = instance.meetings.len();
        let (source, sink) = (0, 1 + meetings + slots);
        let mut pair = vec![u32::MAX; participants * slots];
        let mut nodes = sink + 1;
        let mut edges = Vec::new();
        for (m, slots_of) in options.iter().enumerate() {
            let p = pick(&sides[m]);
            for &s in slots_of {
                let key = p * slots + s;
                if pair[key] == u32::MAX {
                    pair[key] = nodes as u32;
                    nodes += 1;
                }
                edges.push((1 + m, pair[key] as usize));
            }
        }
        let mut flow = Flow::new(nodes);
        for (m, slots_of) in options.iter().enumerate() {
            if !slots_of.is_empty() {
                flow.edge(source, 1 + m, 1);
            }
        }
        for (from, to) in edges {
            flow.edge(from, to, 1);
        }
        for (key, &node) in pair.iter().enumerate() {
            if node != u32::MAX {
                flow.edge(node as usize, 1 + meetings + key % slots, 1);
            }
        }
        for (s, &count) in tables.iter().enumerate() {
            flow.edge(1 + meetings + s, sink, count as i32);
        }
        flow.max_flow(source, sink)
    };
    let first = one_side(|side| side.0);
    let second = one_side(|side| side.1);
    let per_slot: usize = (0..slots)
        .map(|s| {
            let (source, sink) = (0, 1 + 2 * participants);
            let mut flow = Flow::new(sink + 1);
            let mut any = false;
            let mut used = vec![false; participants];
            for (m, slots_of) in options.iter().enumerate() {
                if slots_of.contains(&s) {
                    let (x, y) = sides[m];
                    flow.edge(1 + x, 1 + participants + y, 1);
                    for p in [x, y] {
                        if !used[p] {
                            used[p] = true;
                            flow.edge(source, 1 + p, 1);
                            flow.edge(1 + participants + p, sink, 1);
                        }
                    }
                    any = true;
                }
            }
            if any { flow.max_flow(source, sink).min(tables[s]) } else { 0 }
        })
        .sum();
    pinned + first.min(second).min(per_slot)
}
