use proptest::prelude::*;

use super::generate::{self, Spec, instance};
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

/// The most meetings and the most weight any valid schedule places (each the best of its
/// own), by trying every assignment (tiny instances).
fn optimum(instance: &Instance) -> (usize, f64) {
    fn go(
        instance: &Instance,
        m: usize,
        busy: &mut Vec<(usize, usize)>,
        used: &mut Vec<u32>,
        (count, weight): (usize, f64),
    ) -> (usize, f64) {
        if m == instance.meetings.len() {
            return (count, weight);
        }
        let meeting = &instance.meetings[m];
        let mut best =
            if meeting.pinned.is_some() { (0, 0.0) } else { go(instance, m + 1, busy, used, (count, weight)) };
        for s in 0..instance.slots.len() {
            if meeting.pinned.is_some_and(|(p, _)| p != s) {
                continue;
            }
            let free = !busy.contains(&(meeting.a, s)) && !busy.contains(&(meeting.b, s));
            if free && instance.both_available(m, s) && used[s] < instance.slots[s].tables {
                busy.push((meeting.a, s));
                busy.push((meeting.b, s));
                used[s] += 1;
                let placed = go(instance, m + 1, busy, used, (count + 1, weight + meeting.weight));
                best = (best.0.max(placed.0), best.1.max(placed.1));
                used[s] -= 1;
                busy.truncate(busy.len() - 2);
            }
        }
        best
    }
    go(instance, 0, &mut Vec::new(), &mut vec![0; instance.slots.len()], (0, 0.0))
}

/// A random instance: participants 0..half are startups, the rest investors; availability
/// blocked at random; slots back to back or after a coffee break, a lunch break or a night,
/// laid out `compact` or `spread`; some meetings pinned where a first schedule put them, so
/// pins are valid.
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
            let mut start: jiff::Timestamp = "2023-11-24T09:00:00+07:00".parse().expect("time");
            let mut times = Vec::new();
            for s in 0..slot_count {
                if s > 0 {
                    // Back to back, a coffee break, a lunch break, or the next morning.
                    start += jiff::SignedDuration::from_mins([20, 40, 110, 24 * 60][rng.below(4)]);
                }
                let date = jiff::tz::offset(7).to_datetime(start).date();
                times.push(SlotTime { start, end: start + jiff::SignedDuration::from_mins(20), date });
            }
            let layout = [Layout::Compact, Layout::Spread][rng.below(2)];
            let plain = Instance::new(slots(slot_count, tables), people(half + investors), weighted, &unavailable)
                .with_times(&times)
                .with_layout(layout);
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
        let (status, gap) = outcome.status();
        prop_assert_eq!(gap.meetings, outcome.upper_bound - outcome.assignments.len());
        prop_assert!(outcome.weight <= outcome.weight_bound + 1e-9);
        if instance.meetings.len() <= 10 {
            let (best, best_weight) = optimum(&instance);
            prop_assert!(outcome.upper_bound >= best, "bound {} below the optimum {}", outcome.upper_bound, best);
            prop_assert!(outcome.assignments.len() <= best);
            prop_assert!(outcome.weight_bound + 1e-9 >= best_weight, "weight bound {} below {}", outcome.weight_bound, best_weight);
            if status == Status::Optimal {
                prop_assert_eq!(outcome.assignments.len(), best);
                prop_assert!((outcome.weight - best_weight).abs() < 1e-9, "optimal {} but {} exists", outcome.weight, best_weight);
            }
        }
        let baseline = greedy(&instance);
        prop_assert_eq!(baseline.violations(&instance), Vec::<String>::new());
        // The layout moves meetings only: the same are placed as without it.
        let before = schedule_without_layout(&instance);
        let placed = |o: &Outcome| o.assignments.iter().map(|a| a.meeting).collect::<Vec<_>>();
        prop_assert_eq!(placed(&outcome), placed(&before));
        prop_assert_eq!(outcome.weight, before.weight);
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
            runs: None,
            steep: false,
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
        runs: None,
        steep: false,
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
        layout: None,
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
    assert_eq!(crate::i18n::catalogue_problems(), Vec::<String>::new());
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

/// Seeded two-day instances (four half-days of 12 slots) for the layouts' tests: with 30% of
/// each participant's slots blocked, and with a share of the meetings pinned where a first
/// run put them, some of them on the second day.
fn two_day_instances() -> Vec<(String, InstanceInput)> {
    let spec = |tables, blocked_percent, weighted| Spec {
        startups: 60,
        investors: 20,
        meetings: 300,
        slots: 48,
        tables,
        blocked_percent,
        regular: None,
        weighted,
        runs: None,
        steep: false,
    };
    let mut instances = Vec::new();
    for seed in 0..3 {
        // Five or six tables a slot leave meetings out.
        let tables = [12, 5, 6][seed as usize];
        instances.push((format!("blocked seed {seed}"), instance(&spec(tables, 30, seed == 2), seed)));
        let mut pinned = instance(&spec(tables, if seed == 0 { 0 } else { 30 }, true), 100 + seed);
        let (first, labels) = Instance::from_input(&pinned).expect("valid");
        let placed = schedule_without_layout(&first).output(&labels, 0).assignments;
        for (index, a) in placed.iter().enumerate() {
            if index % 5 == 0 {
                let m = pinned.meetings.iter_mut().find(|m| m.id == a.meeting).expect("meeting");
                m.pinned = Some(PinInput { slot: a.slot.clone(), table: a.table });
            }
        }
        instances.push((format!("pinned seed {seed}"), pinned));
    }
    instances
}

/// The ids of the placed meetings with their slot and table, and the weight placed.
fn placed(outcome: &Outcome, labels: &Labels) -> (Vec<(String, String, u32)>, f64) {
    let output = outcome.output(labels, 0);
    let mut placed: Vec<(String, String, u32)> =
        output.assignments.into_iter().map(|a| (a.meeting, a.slot, a.table)).collect();
    placed.sort();
    (placed, output.stats.weight)
}

#[test]
fn layouts_place_the_same_meetings_as_before_and_keep_every_rule() {
    let mut instances = two_day_instances();
    instances.push(("techfest-like".to_owned(), generate::techfest_like(2023)));
    let mut left_out_somewhere = false;
    for (name, input) in instances {
        let (instance, labels) = Instance::from_input(&input).expect("valid");
        assert_eq!((instance.days(), instance.half_days()), (2, 4), "{name}");
        let before = schedule_without_layout(&instance);
        assert_eq!(before.violations(&instance), Vec::<String>::new(), "{name}");
        let (before_placed, before_weight) = placed(&before, &labels);
        left_out_somewhere |= !before.unscheduled.is_empty();
        let pins: Vec<(String, String, u32)> = input
            .meetings
            .iter()
            .filter_map(|m| m.pinned.as_ref().map(|pin| (m.id.clone(), pin.slot.clone(), pin.table)))
            .collect();
        assert_eq!(pins.is_empty(), name.starts_with("blocked") || name == "techfest-like", "{name}");
        for layout in [Layout::Compact, Layout::Spread] {
            let laid_out = instance.clone().with_layout(layout);
            let outcome = schedule(&laid_out);
            assert_eq!(outcome.violations(&laid_out), Vec::<String>::new(), "{name} {layout:?}");
            let (now_placed, weight) = placed(&outcome, &labels);
            assert_eq!(outcome.assignments.len(), before.assignments.len(), "{name} {layout:?}");
            assert_eq!(weight, before_weight, "{name} {layout:?}");
            let ids = |placed: &[(String, String, u32)]| placed.iter().map(|p| p.0.clone()).collect::<Vec<_>>();
            assert_eq!(ids(&now_placed), ids(&before_placed), "{name} {layout:?}: other meetings placed");
            assert_eq!(outcome.upper_bound, before.upper_bound, "{name} {layout:?}");
            for pin in &pins {
                assert!(now_placed.contains(pin), "{name} {layout:?}: pinned meeting {pin:?} moved");
            }
            let left_out = |o: &Outcome| o.unscheduled.iter().map(|u| u.meeting).collect::<Vec<_>>();
            assert_eq!(left_out(&outcome), left_out(&before), "{name} {layout:?}");
        }
    }
    // Some instances leave meetings out: the layouts place none of them either.
    assert!(left_out_somewhere);
}

/// Mean days, half-days and idle slots per participant with a meeting.
fn means(outcome: &Outcome) -> (f64, f64, f64) {
    let a = &outcome.attendance;
    let n = a.participants as f64;
    (a.days as f64 / n, a.half_days as f64 / n, a.idle_slots as f64 / n)
}

#[test]
fn compact_asks_fewer_days_and_half_days_than_before() {
    let mut instances = two_day_instances();
    instances.push(("techfest-like".to_owned(), generate::techfest_like(2023)));
    for (name, input) in instances {
        let (instance, _) = Instance::from_input(&input).expect("valid");
        let before = schedule_without_layout(&instance);
        let compact = schedule(&instance);
        let ((days, half_days, idle), (days_then, half_days_then, idle_then)) = (means(&compact), means(&before));
        let figures = format!(
            "{name}: days {days:.3} (before {days_then:.3}), half-days {half_days:.3} (before {half_days_then:.3}), \
             idle slots {idle:.3} (before {idle_then:.3})"
        );
        assert_eq!(compact.attendance.participants, before.attendance.participants, "{figures}");
        assert!(compact.attendance.days <= before.attendance.days, "{figures}");
        if name == "techfest-like" {
            assert!(compact.attendance.days < before.attendance.days, "{figures}");
        }
        assert!(compact.attendance.half_days < before.attendance.half_days, "{figures}");
        // The bound on idle slots: no more than before layouts, which closed idle gaps alone.
        assert!(compact.attendance.idle_slots <= before.attendance.idle_slots, "{figures}");
    }
}

/// The largest day's meetings over the smallest's.
fn day_ratio(outcome: &Outcome) -> f64 {
    let per_day = &outcome.attendance.meetings_per_day;
    let (most, least) = (per_day.iter().max().copied().unwrap_or(0), per_day.iter().min().copied().unwrap_or(0));
    most as f64 / least.max(1) as f64
}

#[test]
fn spread_uses_the_days_evenly_where_compact_fills_the_first() {
    let (instance, _) = Instance::from_input(&generate::techfest_like(2023)).expect("valid");
    let compact = schedule(&instance);
    let spread = schedule(&instance.clone().with_layout(Layout::Spread));
    let before = schedule_without_layout(&instance);
    let per_day = |o: &Outcome| o.attendance.meetings_per_day.clone();
    let figures =
        format!("compact {:?}, spread {:?}, before {:?}", per_day(&compact), per_day(&spread), per_day(&before));
    assert_eq!(per_day(&spread).iter().sum::<usize>(), spread.assignments.len(), "{figures}");
    assert!(day_ratio(&spread) <= 1.05, "{figures}");
    assert!(day_ratio(&compact) > 2.0 * day_ratio(&spread), "{figures}");
    assert!(day_ratio(&before) > day_ratio(&spread), "{figures}");
    // Every slot about as full.
    let mut per_slot = vec![0usize; instance.slots.len()];
    for a in &spread.assignments {
        per_slot[a.slot] += 1;
    }
    let (most, least) = (per_slot.iter().max().copied().unwrap_or(0), per_slot.iter().min().copied().unwrap_or(0));
    assert!(most - least <= 2, "meetings per slot {per_slot:?}");
}

/// A slot's time from its RFC 3339 start, its date the start's own.
fn time(start: &str, minutes: i64) -> Option<SlotTime> {
    let at: jiff::Timestamp = start.parse().expect("RFC 3339");
    let date = jiff::fmt::temporal::Pieces::parse(start).expect("RFC 3339").date();
    Some(SlotTime { start: at, end: at + jiff::SignedDuration::from_mins(minutes), date })
}

#[test]
fn a_lunch_break_starts_a_half_day_a_coffee_break_does_not_and_a_date_starts_a_day() {
    let times = [
        time("2023-11-24T09:00:00+07:00", 20),
        time("2023-11-24T09:20:00+07:00", 20),
        // A 20-minute coffee break.
        time("2023-11-24T10:00:00+07:00", 20),
        // An hour's lunch break.
        time("2023-11-24T11:20:00+07:00", 20),
        // 59 minutes.
        time("2023-11-24T12:39:00+07:00", 20),
        // No time: with the slot before.
        None,
        time("2023-11-25T09:00:00+07:00", 20),
        time("2023-11-25T14:00:00+07:00", 20),
        // A later date, whatever the dates between.
        time("2023-11-27T09:00:00+07:00", 20),
    ];
    let (days, half_days) = layout::calendar(&times);
    assert_eq!(days, [0, 0, 0, 0, 0, 0, 1, 1, 2]);
    assert_eq!(half_days, [0, 0, 0, 1, 1, 1, 2, 3, 4]);
    let timed: Vec<SlotTime> = times.iter().flatten().copied().collect();
    let instance = Instance::new(slots(timed.len(), 1), people(0), Vec::new(), &[]).with_times(&timed);
    assert_eq!((instance.days(), instance.half_days()), (3, 5));
    assert_eq!((0..timed.len()).map(|s| instance.day(s)).collect::<Vec<_>>(), [0, 0, 0, 0, 0, 1, 1, 2]);
    assert_eq!((0..timed.len()).map(|s| instance.half_day(s)).collect::<Vec<_>>(), [0, 0, 0, 1, 1, 2, 3, 4]);
    // Without times the event is one half-day.
    let untimed = Instance::new(slots(4, 1), people(0), Vec::new(), &[]);
    assert_eq!((untimed.days(), untimed.half_days()), (1, 1));
}

#[test]
fn a_slot_is_on_the_date_of_its_start_where_the_event_is() {
    let slot = |id: &str, start: &str| SlotInput {
        id: id.to_owned(),
        start: Some(start.to_owned()),
        minutes: Some(20),
        tables: 1,
    };
    let input = InstanceInput {
        slots: vec![
            // 09:00 UTC on the 24th.
            slot("afternoon", "2023-11-24T16:00:00+07:00"),
            // 23:30 UTC on the 24th, but the 25th where the event is.
            slot("next-morning", "2023-11-25T06:30:00+07:00"),
            // 23:00 UTC on the 23rd, but the 24th where the event is.
            slot("early", "2023-11-24T06:00:00+07:00"),
        ],
        participants: Vec::new(),
        meetings: Vec::new(),
        layout: None,
    };
    let (instance, labels) = Instance::from_input(&input).expect("valid");
    assert_eq!(labels.slots, ["early", "afternoon", "next-morning"]);
    assert_eq!((0..3).map(|s| instance.day(s)).collect::<Vec<_>>(), [0, 0, 1]);
    assert_eq!((0..3).map(|s| instance.half_day(s)).collect::<Vec<_>>(), [0, 1, 2]);
}

#[test]
fn attendance_counts_days_half_days_and_idle_slots_of_the_day() {
    // Day 1: slots 0–2 in the morning, 3–4 in the afternoon; day 2: slots 5–7.
    let starts = [
        "2023-11-24T09:00:00+07:00",
        "2023-11-24T09:20:00+07:00",
        "2023-11-24T09:40:00+07:00",
        "2023-11-24T13:00:00+07:00",
        "2023-11-24T13:20:00+07:00",
        "2023-11-25T09:00:00+07:00",
        "2023-11-25T09:20:00+07:00",
        "2023-11-25T09:40:00+07:00",
    ];
    let times: Vec<SlotTime> = starts.iter().filter_map(|s| time(s, 20)).collect();
    // Participant 0 cannot come in slot 1.
    let pairs = [(0, 1), (0, 2), (0, 3), (1, 2), (1, 3)];
    let instance = Instance::new(slots(8, 4), people(4), meetings(&pairs), &[(0, 1)]).with_times(&times);
    let none = super::solve::NONE;
    let attendance = layout::attendance(&instance, &[0, 2, 4, 6, none]);
    // 0: slots 0, 2 and 4 — one day, two half-days, slot 3 idle (not slot 1, which it cannot
    // attend); 1: slots 0 and 6, and 2: slots 2 and 6 — two days each, nothing idle across
    // days; 3: slot 4.
    assert_eq!(
        attendance,
        Attendance { participants: 4, days: 6, half_days: 7, idle_slots: 1, meetings_per_day: vec![3, 1] }
    );
    let nothing = layout::attendance(&instance, &[none; 5]);
    assert_eq!(nothing, Attendance { meetings_per_day: vec![0, 0], ..Attendance::default() });
}

#[test]
fn the_contract_reads_the_layout_and_reports_attendance() {
    let json = |layout: &str| {
        format!(
            r#"{{"slots": [{{"id": "d1a", "start": "2023-11-24T09:00:00+07:00", "minutes": 20, "tables": 2}},
                          {{"id": "d1b", "start": "2023-11-24T09:20:00+07:00", "minutes": 20, "tables": 2}},
                          {{"id": "d2a", "start": "2023-11-25T09:00:00+07:00", "minutes": 20, "tables": 2}},
                          {{"id": "d2b", "start": "2023-11-25T09:20:00+07:00", "minutes": 20, "tables": 2}}],
                "participants": [{{"id": "s1"}}, {{"id": "i1"}}, {{"id": "i2"}}],
                "meetings": [{{"id": "m1", "a": "s1", "b": "i1"}}, {{"id": "m2", "a": "s1", "b": "i2"}}]{layout}}}"#
        )
    };
    let spread: InstanceInput = serde_json::from_str(&json(r#", "layout": "spread""#)).expect("spread");
    assert_eq!(spread.layout, Some(Layout::Spread));
    assert_eq!(Instance::from_input(&spread).expect("valid").0.layout(), Layout::Spread);
    let compact: InstanceInput = serde_json::from_str(&json(r#", "layout": "compact""#)).expect("compact");
    assert_eq!(compact.layout, Some(Layout::Compact));
    let absent: InstanceInput = serde_json::from_str(&json("")).expect("no layout");
    assert_eq!(absent.layout, None);
    let (instance, labels) = Instance::from_input(&absent).expect("valid");
    assert_eq!(instance.layout(), Layout::Compact);
    assert!(!serde_json::to_string(&absent).expect("json").contains("layout"));
    assert!(serde_json::to_string(&spread).expect("json").contains(r#""layout":"spread""#));
    let error = serde_json::from_str::<InstanceInput>(&json(r#", "layout": "tight""#)).expect_err("unknown layout");
    assert!(error.to_string().contains("unknown variant `tight`, expected `compact` or `spread`"), "{error}");

    // s1 meets both investors: compact puts both meetings on one day, spread one on each.
    let compact = schedule(&instance);
    let stats = serde_json::to_value(compact.output(&labels, 7).stats).expect("json");
    assert_eq!(
        stats,
        serde_json::json!({
            "scheduled": 2, "weight": 2.0, "upper_bound": 2, "millis": 7, "gaps": 0,
            "weight_bound": 2.0, "status": "optimal", "gap": {"meetings": 0, "weight": 0.0},
            "attendance_days": {"total": 3, "mean": 1.0},
            "attendance_half_days": {"total": 3, "mean": 1.0},
            "idle_slots": {"total": 0, "mean": 0.0},
            "meetings_per_day": [2, 0]
        })
    );
    let spread = schedule(&instance.clone().with_layout(Layout::Spread));
    let stats = spread.output(&labels, 7).stats;
    assert_eq!(stats.meetings_per_day, [1, 1]);
    assert_eq!(stats.attendance_days, Measure { total: 4, mean: 1.333 });
    // Stats written before layouts still read.
    let old = r#"{"scheduled": 1, "weight": 1.0, "upper_bound": 1, "millis": 0, "gaps": 0}"#;
    let old: Stats = serde_json::from_str(old).expect("old stats");
    assert_eq!((old.attendance_days, old.meetings_per_day), (Measure::default(), Vec::new()));
}

#[test]
fn slots_with_and_without_a_start_sort_without_panicking() {
    // Timed slots out of order, every third without a start: a consistent order, timed slots in
    // time order, an untimed one right after the slot before it in the input.
    let slots: Vec<SlotInput> = (0..40)
        .map(|i| SlotInput {
            id: format!("s{i}"),
            start: (i % 3 != 0).then(|| format!("2023-11-24T{:02}:{:02}:00+07:00", 8 + (i * 7) % 10, (i * 13) % 60)),
            minutes: Some(20),
            tables: 2,
        })
        .collect();
    let input = InstanceInput { slots, participants: Vec::new(), meetings: Vec::new(), layout: None };
    let (instance, labels) = Instance::from_input(&input).expect("valid");
    assert_eq!(instance.slots.len(), 40);
    let start = |id: &str| input.slots.iter().find(|s| s.id == id).and_then(|s| s.start.clone());
    let timed: Vec<String> = labels.slots.iter().filter_map(|id| start(id)).collect();
    let mut sorted = timed.clone();
    sorted.sort();
    assert_eq!(timed, sorted, "timed slots in time order");
}

/// Out of time at once: only the construction runs; the schedule is still valid, no better
/// than a full run, and its status says how far below the bounds it may be.
#[test]
fn a_run_out_of_time_is_valid_and_says_how_far_it_may_be() {
    for seed in 0..4 {
        let spec = Spec {
            startups: 120,
            investors: 40,
            meetings: 700,
            slots: 24,
            tables: 30,
            blocked_percent: 60,
            regular: None,
            weighted: true,
            runs: Some((1, 6)),
            steep: true,
        };
        let (instance, _) = Instance::from_input(&instance(&spec, seed)).expect("valid");
        let hurried = schedule_within(&instance, &|| true);
        assert_eq!(hurried.violations(&instance), Vec::<String>::new());
        let full = schedule(&instance);
        assert!(hurried.weight <= full.weight + 1e-9, "seed {seed}");
        for outcome in [&hurried, &full] {
            let (status, gap) = outcome.status();
            assert_eq!(gap.meetings, outcome.upper_bound - outcome.assignments.len());
            assert_eq!(status == Status::Optimal, gap.meetings == 0 && gap.weight == 0.0, "seed {seed}");
        }
    }
}

/// Availability in runs: each participant away for runs of consecutive slots, as many slots
/// as asked in all.
#[test]
fn availability_in_runs_blocks_the_share_asked_in_consecutive_slots() {
    let spec = Spec {
        startups: 30,
        investors: 10,
        meetings: 100,
        slots: 24,
        tables: 10,
        blocked_percent: 50,
        regular: None,
        weighted: false,
        runs: Some((3, 6)),
        steep: false,
    };
    let input = instance(&spec, 7);
    let order: Vec<&str> = input.slots.iter().map(|s| s.id.as_str()).collect();
    let mut runs = 0;
    for participant in &input.participants {
        let available = participant.available.as_ref().expect("some slots away");
        assert_eq!(available.len(), 12, "{}", participant.id);
        let away: Vec<bool> = order.iter().map(|s| !available.iter().any(|a| a == s)).collect();
        runs += away.windows(2).filter(|w| w[1] && !w[0]).count() + usize::from(away[0]);
    }
    // 12 slots away in runs of 3 to 6 (some merge): at most 4 runs each, far fewer than
    // scattered slots would make.
    assert!(runs <= 4 * input.participants.len(), "{runs}");
}
