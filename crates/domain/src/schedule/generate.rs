//! Seeded scheduling instances for tests and benchmarks: startups meet investors, popular
//! investors get more requests, each participant can be made unavailable in a share of the
//! slots, and d-regular instances (every participant has exactly d meetings in d slots) where
//! greedy placement is known to leave meetings out; and one shaped like the demo event.

use std::collections::HashSet;

use super::{InstanceInput, MeetingInput, ParticipantInput, SlotInput};
use crate::demo::Rng;

/// The shape of an instance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spec {
    pub startups: usize,
    pub investors: usize,
    pub meetings: usize,
    pub slots: usize,
    pub tables: u32,
    /// The share of each participant's slots it cannot attend, in percent.
    pub blocked_percent: usize,
    /// When set, every participant has exactly this many meetings (startups and investors
    /// equal in number; `meetings` is ignored).
    pub regular: Option<usize>,
    /// Priorities 1, 2 or 3 at random instead of all 1.
    pub weighted: bool,
    /// Unavailability in runs of consecutive slots, each of `min..=max` slots (a morning, a
    /// pitch session, an afternoon at the booth) instead of scattered slots: runs are blocked
    /// until `blocked_percent` of the slots are.
    pub runs: Option<(usize, usize)>,
    /// Investor popularity falling off steeply (like 1/rank from the first) instead of gently
    /// (like 1/(rank + 8)): a few investors are asked by everyone.
    pub steep: bool,
}

fn slots(count: usize, tables: u32) -> Vec<SlotInput> {
    // Two days of 20-minute slots from 09:00 in Hải Phòng, 12 a morning and 12 an afternoon.
    (0..count)
        .map(|i| {
            let (day, within) = (i / 24, i % 24);
            let minutes = if within < 12 { 9 * 60 + within * 20 } else { 14 * 60 + (within - 12) * 20 };
            SlotInput {
                id: format!("d{}-{:02}{:02}", day + 1, minutes / 60, minutes % 60),
                start: Some(format!("2023-11-{:02}T{:02}:{:02}:00+07:00", 24 + day, minutes / 60, minutes % 60)),
                minutes: Some(20),
                tables,
            }
        })
        .collect()
}

fn participants(spec: &Spec, slots: &[SlotInput], rng: &mut Rng) -> Vec<ParticipantInput> {
    let names = (0..spec.startups).map(|i| format!("s{i}")).chain((0..spec.investors).map(|i| format!("i{i}")));
    names
        .map(|id| {
            let available = (spec.blocked_percent > 0).then(|| {
                let blocked = slots.len() * spec.blocked_percent / 100;
                let keep: Vec<usize> = match spec.runs {
                    None => {
                        let mut order: Vec<usize> = (0..slots.len()).collect();
                        for i in (1..order.len()).rev() {
                            order.swap(i, rng.below(i + 1));
                        }
                        let mut keep = order[blocked..].to_vec();
                        keep.sort_unstable();
                        keep
                    }
                    Some((shortest, longest)) => {
                        let mut away = vec![false; slots.len()];
                        let mut count = 0;
                        while count < blocked {
                            let length = shortest + rng.below(longest - shortest + 1);
                            let start = rng.below(slots.len());
                            for slot in away.iter_mut().skip(start).take(length) {
                                if !*slot && count < blocked {
                                    *slot = true;
                                    count += 1;
                                }
                            }
                        }
                        (0..slots.len()).filter(|&s| !away[s]).collect()
                    }
                };
                keep.into_iter().map(|s| slots[s].id.clone()).collect()
            });
            ParticipantInput { id, available }
        })
        .collect()
}

/// A seeded instance of the given shape.
pub fn instance(spec: &Spec, seed: u64) -> InstanceInput {
    let mut rng = Rng::new(seed, 0x5c4e_d01e);
    let slots = slots(spec.slots, spec.tables);
    let participants = participants(spec, &slots, &mut rng);
    let mut pairs: Vec<(usize, usize)> = Vec::new();
    match spec.regular {
        Some(d) => {
            // A union of d random perfect matchings: every startup and investor has d meetings.
            let n = spec.startups.min(spec.investors);
            for _ in 0..d {
                let mut investors: Vec<usize> = (0..n).collect();
                for i in (1..n).rev() {
                    investors.swap(i, rng.below(i + 1));
                }
                pairs.extend(investors.into_iter().enumerate());
            }
            // Requests arrive in no particular order.
            for i in (1..pairs.len()).rev() {
                pairs.swap(i, rng.below(i + 1));
            }
        }
        None => {
            // Investor popularity falls off like 1/rank; nobody gets more meetings than there are
            // slots, but a popular investor may get more than the slots it can attend.
            let offset = if spec.steep { 1 } else { 8 };
            let weights: Vec<u64> = (0..spec.investors).map(|rank| 1_000_000 / (rank as u64 + offset)).collect();
            let total: u64 = weights.iter().sum();
            let mut degree = vec![0usize; spec.startups + spec.investors];
            let mut seen = HashSet::new();
            let cap = spec.slots;
            let mut attempts = 0;
            while pairs.len() < spec.meetings && attempts < spec.meetings * 50 {
                attempts += 1;
                let startup = rng.below(spec.startups);
                let mut ticket = rng.next_u64() % total;
                let mut investor = 0;
                while ticket >= weights[investor] {
                    ticket -= weights[investor];
                    investor += 1;
                }
                if degree[startup] >= cap
                    || degree[spec.startups + investor] >= cap
                    || !seen.insert((startup, investor))
                {
                    continue;
                }
                degree[startup] += 1;
                degree[spec.startups + investor] += 1;
                pairs.push((startup, investor));
            }
        }
    }
    let meetings = pairs
        .into_iter()
        .enumerate()
        .map(|(i, (s, v))| MeetingInput {
            id: format!("m{i}"),
            a: format!("s{s}"),
            b: format!("i{v}"),
            weight: spec.weighted.then(|| 1.0 + rng.below(3) as f64),
            pinned: None,
        })
        .collect();
    InstanceInput { slots, participants, meetings, layout: None }
}

/// An instance shaped like the demo event, Techfest Hải Phòng 2023: two days of two sessions,
/// 09:00–12:00 and 14:00–17:00, in 20-minute slots of 20 tables; each of 320 startups asks two
/// of 72 investors, picked by popularity as in [`instance`]; two requests in three are
/// accepted, a startup's first with priority 2.
pub fn techfest_like(seed: u64) -> InstanceInput {
    let mut rng = Rng::new(seed, 0x7ec4_f357);
    let mut slots = Vec::new();
    for day in 0..2 {
        for start in [9 * 60, 14 * 60] {
            for minutes in (start..start + 180).step_by(20) {
                slots.push(SlotInput {
                    id: format!("d{}-{:02}{:02}", day + 1, minutes / 60, minutes % 60),
                    start: Some(format!("2023-11-{:02}T{:02}:{:02}:00+07:00", 23 + day, minutes / 60, minutes % 60)),
                    minutes: Some(20),
                    tables: 20,
                });
            }
        }
    }
    let (startups, investors) = (320, 72);
    let participants = (0..startups)
        .map(|i| format!("s{i}"))
        .chain((0..investors).map(|i| format!("i{i}")))
        .map(|id| ParticipantInput { id, available: None })
        .collect();
    let weights: Vec<u64> = (0..investors).map(|rank| 1_000_000 / (rank as u64 + 8)).collect();
    let total: u64 = weights.iter().sum();
    let mut meetings = Vec::new();
    for startup in 0..startups {
        let mut asked: Vec<usize> = Vec::new();
        while asked.len() < 2 {
            let mut ticket = rng.next_u64() % total;
            let mut investor = 0;
            while ticket >= weights[investor] {
                ticket -= weights[investor];
                investor += 1;
            }
            if !asked.contains(&investor) {
                asked.push(investor);
            }
        }
        for (rank, investor) in asked.into_iter().enumerate() {
            if rng.below(3) > 0 {
                meetings.push(MeetingInput {
                    id: format!("m{}", meetings.len()),
                    a: format!("s{startup}"),
                    b: format!("i{investor}"),
                    weight: Some(if rank == 0 { 2.0 } else { 1.0 }),
                    pinned: None,
                });
            }
        }
    }
    InstanceInput { slots, participants, meetings, layout: None }
}
