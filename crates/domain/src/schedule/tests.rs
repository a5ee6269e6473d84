use proptest::prelude::*;

use super::generate::{Spec, instance};
use super::*;

fn slots(n: usize, tables: u32) -> Vec<Slot> {
    (0..n).map(|_| Slot { tables }).collect()
}

fn people(n: usize) -> Vec<Participant> {
    vec![Participant; n]
}

fn meetings(pairs: &[(usize, usize)]) -> Vec<Meeting> {
    pairs.iter().map(|&(a, b)| Meeting { a, b, weight: 1.0, pinned: None }).collect()
}

/// The most meetings any valid schedule places, by trying every assignment (tiny instances).
fn optimum(instance: &Instance) -> usize {
    fn go(instance: &Instance, m: usize, busy: &mut Vec<(usize, usize)>, used: &mut Vec<u32>, count: usize) -> usize {
        if m == instance.meetings.len() {
            return count;
        }
        let meeting = &instance.meetings[m];
        let mut best = if meeting.pinned.is_some() { 0 } else { go(instance, m + 1, busy, used, count) };
        for s in 0..instance.slots.len() {
            if meeting.pinned.is_some_and(|(p, _)| p != s) {
                continue;
            }
            let free = !busy.contains(&(meeting.a, s)) && !busy.contains(&(meeting.b, s));
            if free && instance.both_available(m, s) && used[s] < instance.slots[s].tables {
                busy.push((meeting.a, s));
                busy.push((meeting.b, s));
                used[s] += 1;
                best = best.max(go(instance, m + 1, busy, used, count + 1));
                used[s] -= 1;
                busy.truncate(busy.len() - 2);
            }
        }
        best
    }
    go(instance, 0, &mut Vec::new(), &mut vec![0; instance.slots.len()], 0)
}

/// A random instance: participants 0..half are startups, the rest investors; availability
/// blocked at random; some meetings pinned where a first schedule put them, so pins are valid.
fn arbitrary_instance() -> impl Strategy<Value = Instance> {
    (2usize..=8, 1u32..=4, 2usize..=10, 0usize..=24, any::<u64>()).prop_map(
        |(slot_count, tables, people_count, meeting_count, seed)| {
            let mut rng = crate::demo::Rng::new(seed, 7);
            let half = (people_count / 2).max(1);
            let investors = (people_count - half).max(1);
            let pairs: Vec<(usize, usize)> =
                (0..meeting_count).map(|_| (rng.below(half), half + rng.below(investors))).collect();
            let mut unavailable = Vec::new();
            for p in 0..half + investors {
                for s in 0..slot_count {
                    if rng.below(100) < 25 {
                        unavailable.push((p, s));
                    }
                }
            }
            let mut weighted = meetings(&pairs);
            for m in &mut weighted {
                m.weight = 1.0 + rng.below(3) as f64;
            }
            let plain = Instance::new(slots(slot_count, tables), people(half + investors), weighted, &unavailable);
            let first = schedule(&plain);
            let mut pinned = plain.clone();
            for a in &first.assignments {
                if rng.below(100) < 30 {
                    pinned.meetings[a.meeting].pinned = Some((a.slot, a.table));
                }
            }
            pinned
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// Any schedule returned keeps every rule, never moves a pinned meeting, reports every
    /// meeting, and stays within the bound; the bound is at least the true optimum.
    #[test]
    fn schedules_are_valid_and_the_bound_holds(instance in arbitrary_instance()) {
        let outcome = schedule(&instance);
        prop_assert_eq!(outcome.violations(&instance), Vec::<String>::new());
        if instance.meetings.len() <= 10 {
            let best = optimum(&instance);
            prop_assert!(outcome.upper_bound >= best, "bound {} below the optimum {}", outcome.upper_bound, best);
            prop_assert!(outcome.assignments.len() <= best);
        }
        let baseline = greedy(&instance);
        prop_assert_eq!(baseline.violations(&instance), Vec::<String>::new());
    }

    /// König: a bipartite multigraph of maximum degree Δ, everyone available, Δ slots and
    /// enough tables — every meeting is placed.
    #[test]
    fn bipartite_multigraphs_fit_in_delta_slots(
        startups in 1usize..=12, investors in 1usize..=12, count in 1usize..=60, seed in any::<u64>()
    ) {
        let mut rng = crate::demo::Rng::new(seed, 11);
        let pairs: Vec<(usize, usize)> = (0..count).map(|_| (rng.below(startups), startups + rng.below(investors))).collect();
        let shape = Instance::new(Vec::new(), people(startups + investors), meetings(&pairs), &[]);
        let delta = shape.max_degree();
        let instance = Instance::new(slots(delta, count as u32), people(startups + investors), meetings(&pairs), &[]);
        let outcome = schedule(&instance);
        prop_assert_eq!(outcome.violations(&instance), Vec::<String>::new());
        prop_assert_eq!(outcome.assignments.len(), count, "{:?}", outcome.unscheduled);
    }
}

#[test]
fn regular_instances_are_placed_in_full_where_greedy_is_not() {
    for seed in 0..5 {
        let spec = Spec {
            startups: 60,
            investors: 60,
            meetings: 0,
            slots: 8,
            tables: 60,
            blocked_percent: 0,
            regular: Some(8),
            weighted: false,
        };
        let (instance, _) = Instance::from_input(&instance(&spec, seed)).expect("valid");
        let outcome = schedule(&instance);
        assert_eq!(outcome.assignments.len(), 480, "seed {seed}: {:?}", outcome.unscheduled.first());
        assert_eq!(outcome.upper_bound, 480);
        assert!(greedy(&instance).assignments.len() < 480);
    }
}

#[test]
fn a_rerun_keeps_published_meetings_where_they_are() {
    let spec = Spec {
        startups: 30,
        investors: 12,
        meetings: 120,
        slots: 12,
        tables: 8,
        blocked_percent: 30,
        regular: None,
        weighted: false,
    };
    let input = instance(&spec, 3);
    let (first_instance, first_labels) = Instance::from_input(&input).expect("valid");
    let first = schedule(&first_instance);
    // Publish: every placed meeting is pinned where it is. Then one is cancelled and new
    // requests are accepted.
    let mut next = input.clone();
    let published: Vec<(String, String, u32)> =
        first.output(&first_labels, 0).assignments.into_iter().map(|a| (a.meeting, a.slot, a.table)).collect();
    for (meeting, slot, table) in &published {
        let m = next.meetings.iter_mut().find(|m| &m.id == meeting).expect("meeting");
        m.pinned = Some(PinInput { slot: slot.clone(), table: *table });
    }
    let cancelled = published[0].0.clone();
    let pair = next.meetings.iter().find(|m| m.id == cancelled).map(|m| (m.a.clone(), m.b.clone())).expect("pair");
    next.meetings.retain(|m| m.id != cancelled);
    for (i, (s, v)) in [(0, 5), (1, 6), (2, 7), (29, 11)].into_iter().enumerate() {
        next.meetings.push(MeetingInput {
            id: format!("new{i}"),
            a: format!("s{s}"),
            b: format!("i{v}"),
            weight: None,
            pinned: None,
        });
    }
    // The cancelled pair asks again, with priority: the slot it left is free for both.
    next.meetings.push(MeetingInput { id: "again".to_owned(), a: pair.0, b: pair.1, weight: Some(2.0), pinned: None });
    let (second_instance, second_labels) = Instance::from_input(&next).expect("valid");
    let outcome = schedule(&second_instance);
    assert_eq!(outcome.violations(&second_instance), Vec::<String>::new());
    let second = outcome.output(&second_labels, 0);
    for (meeting, slot, table) in published.iter().skip(1) {
        let placed = second.assignments.iter().find(|a| &a.meeting == meeting).expect("still placed");
        assert_eq!((&placed.slot, placed.table), (slot, *table), "{meeting} moved");
    }
    assert!(second.assignments.iter().any(|a| a.meeting == "again"), "{:?}", second.unscheduled);
    for new in ["new0", "new1", "new2", "new3"] {
        let placed = second.assignments.iter().any(|a| a.meeting == new);
        let reported = second.unscheduled.iter().any(|u| u.meeting == new && !u.reason.is_empty());
        assert!(placed ^ reported, "{new}");
    }
}

#[test]
fn bad_instances_are_refused_naming_the_item() {
    let input: InstanceInput = serde_json_like();
    let errors = Instance::from_input(&input).expect_err("invalid").0;
    let expected = [
        "slot \"d1\": the id is used twice",
        "participant \"s1\": available slot \"d9\" does not exist",
        "meeting \"m1\": b \"i9\" is not a participant",
        "meeting \"m2\": a participant cannot meet itself (\"s1\")",
        "meeting \"m1\": the id is used twice",
        "meeting \"m3\": pinned table 5 is not in 1..=2 of slot \"d1\"",
        "meeting \"m4\": pinned to slot \"d2\", which \"s1\" cannot attend",
        "meeting \"m5\": weight must be a positive number, got -1",
    ];
    for line in expected {
        assert!(errors.iter().any(|e| e == line), "missing {line:?} in {errors:#?}");
    }
}

fn serde_json_like() -> InstanceInput {
    let slot = |id: &str| SlotInput { id: id.to_owned(), start: None, minutes: None, tables: 2 };
    let meeting = |id: &str, a: &str, b: &str| MeetingInput {
        id: id.to_owned(),
        a: a.to_owned(),
        b: b.to_owned(),
        weight: None,
        pinned: None,
    };
    let mut meetings = vec![
        meeting("m1", "s1", "i9"),
        meeting("m2", "s1", "s1"),
        meeting("m1", "s1", "i1"),
        meeting("m3", "s1", "i1"),
        meeting("m4", "s1", "i1"),
        meeting("m5", "s1", "i1"),
    ];
    meetings[3].pinned = Some(PinInput { slot: "d1".to_owned(), table: 5 });
    meetings[4].pinned = Some(PinInput { slot: "d2".to_owned(), table: 1 });
    meetings[5].weight = Some(-1.0);
    InstanceInput {
        slots: vec![slot("d1"), slot("d2"), slot("d1")],
        participants: vec![
            ParticipantInput { id: "s1".to_owned(), available: Some(vec!["d1".to_owned(), "d9".to_owned()]) },
            ParticipantInput { id: "i1".to_owned(), available: None },
        ],
        meetings,
    }
}

#[test]
fn meetings_sit_next_to_each_other_when_they_can() {
    // s0 meets i0, i1 and i2; i1 can only come in slot 4 of 6. First-fit leaves s0 waiting two
    // slots; the scheduler puts the three meetings side by side.
    let unavailable: Vec<(usize, usize)> = [0, 1, 2, 3, 5].iter().map(|&s| (2, s)).collect();
    let instance = Instance::new(slots(6, 5), people(4), meetings(&[(0, 1), (0, 2), (0, 3)]), &unavailable);
    let outcome = schedule(&instance);
    assert_eq!(outcome.assignments.len(), 3);
    assert_eq!(outcome.gaps, 0, "{:?}", outcome.assignments);
    assert_eq!(greedy(&instance).gaps, 2);
}

#[test]
fn a_startup_with_no_meeting_gets_one_before_another_gets_a_second() {
    // Two slots of one table. s0 meets i0 (slot 0 only) and i1; s1 meets i1; s1 and i1 can
    // only come in slot 1. Two meetings fit either way; only one way gives s1 a meeting.
    let (s0, s1, i0, i1) = (0, 1, 2, 3);
    let unavailable = [(i0, 1), (s1, 0), (i1, 0)];
    let instance = Instance::new(slots(2, 1), people(4), meetings(&[(s0, i0), (s0, i1), (s1, i1)]), &unavailable);
    let outcome = schedule(&instance);
    assert_eq!(outcome.violations(&instance), Vec::<String>::new());
    let placed: Vec<usize> = outcome.assignments.iter().map(|a| a.meeting).collect();
    assert_eq!(placed, [0, 2], "{:?}", outcome.unscheduled);
}

#[test]
fn every_reason_reads_in_every_language() {
    use crate::i18n::{Language, Message};
    assert_eq!(crate::i18n::catalogue_problems(super::REASONS), Vec::<String>::new());
    for reason in NamedReason::samples() {
        for language in Language::ALL {
            let text = reason.text(language);
            assert!(!text.contains('{') && !text.is_empty(), "{text}");
        }
    }
    let named = Reason::NoCommonSlot { a: 0, b: 1 }.named(|p| ["Sen and Lotus Ventures", "Cảng Số"][p].to_owned());
    assert_eq!(
        named.text(Language::Vi),
        "Sen and Lotus Ventures và Cảng Số không có khung giờ nào cả hai cùng dự được"
    );
    assert_eq!(named.text(Language::En), "Sen and Lotus Ventures and Cảng Số have no slot they can both attend");
}
