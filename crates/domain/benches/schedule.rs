//! The scheduler against the greedy baseline and the proven upper bound, on seeded instances
//! from event scale to national scale, with full availability and with 30% of each
//! participant's slots blocked, and on d-regular instances. Prints one row per instance and
//! writes each instance and both results to target/schedule-bench/ for the exact reference
//! (benches/schedule_exact.py, an ILP solved by HiGHS). A second table compares the layouts:
//! the schedule before layouts, `compact` and `spread`, with the days, half-days and idle slots
//! they ask of each participant.
//!
//! cargo bench -p ketnoi-domain --bench schedule
//! KETNOI_BENCH_ONLY=national cargo bench -p ketnoi-domain --bench schedule

use std::time::{Duration, Instant};

use ketnoi_domain::schedule::generate::{Spec, instance, techfest_like};
use ketnoi_domain::schedule::{Instance, Layout, Outcome, bound, greedy, schedule, schedule_without_layout};

fn spec(startups: usize, investors: usize, meetings: usize, slots: usize, tables: u32, blocked_percent: usize) -> Spec {
    Spec {
        startups,
        investors,
        meetings,
        slots,
        tables,
        blocked_percent,
        regular: None,
        weighted: false,
        runs: None,
        steep: false,
    }
}

fn weighted(spec: Spec) -> Spec {
    Spec { weighted: true, ..spec }
}

/// People away for hours: `blocked_percent` of each one's slots unavailable in runs of one to
/// six consecutive slots, investor popularity falling off steeply.
fn away_in_runs(spec: Spec) -> Spec {
    Spec { runs: Some((1, 6)), steep: true, ..spec }
}

fn regular(side: usize, d: usize) -> Spec {
    Spec {
        startups: side,
        investors: side,
        meetings: 0,
        slots: d,
        tables: side as u32,
        blocked_percent: 0,
        regular: Some(d),
        weighted: false,
        runs: None,
        steep: false,
    }
}

/// The fastest of `runs` runs, with its outcome.
fn timed(runs: usize, f: impl Fn() -> Outcome) -> (Outcome, Duration) {
    let mut best = None;
    for _ in 0..runs {
        let started = Instant::now();
        let outcome = f();
        let took = started.elapsed();
        if best.as_ref().is_none_or(|(_, t)| took < *t) {
            best = Some((outcome, took));
        }
    }
    best.expect("one run")
}

/// A row of the layouts' table.
fn layout_row(name: &str, layout: &str, outcome: &Outcome, took: Duration) -> String {
    let attendance = &outcome.attendance;
    let mean = |total: usize| total as f64 / attendance.participants.max(1) as f64;
    let per_day: Vec<String> = attendance.meetings_per_day.iter().map(|n| n.to_string()).collect();
    format!(
        "| {name} | {layout} | {} | {} | {:.3} | {:.3} | {:.3} | {} | {:.1} ms |",
        outcome.assignments.len(),
        outcome.weight,
        mean(attendance.days),
        mean(attendance.half_days),
        mean(attendance.idle_slots),
        per_day.join(" / "),
        took.as_secs_f64() * 1000.0,
    )
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    if std::env::args().any(|arg| arg == "--list") {
        return Ok(());
    }
    let only = std::env::var("KETNOI_BENCH_ONLY").ok();
    // The demo-like instance is not generated from a spec.
    let cases = [
        ("techfest-like", None),
        ("event", Some(spec(40, 20, 200, 24, 20, 0))),
        ("event-30%-blocked", Some(spec(40, 20, 200, 24, 20, 30))),
        ("large", Some(spec(400, 200, 2_000, 36, 100, 0))),
        ("large-30%-blocked", Some(spec(400, 200, 2_000, 36, 100, 30))),
        ("national", Some(spec(3_000, 1_000, 20_000, 48, 1_000, 0))),
        ("national-30%-blocked", Some(spec(3_000, 1_000, 20_000, 48, 1_000, 30))),
        ("event-6-tables-weighted", Some(weighted(spec(40, 20, 200, 24, 6, 30)))),
        ("large-30%-blocked-weighted", Some(weighted(spec(400, 200, 2_000, 36, 100, 30)))),
        ("regular-d6-200", Some(regular(200, 6))),
        ("regular-d12-300", Some(regular(300, 12))),
        ("regular-d24-1000", Some(regular(1_000, 24))),
        ("runs-120x40-60%", Some(away_in_runs(spec(120, 40, 700, 24, 30, 60)))),
        ("runs-120x40-60%-weighted", Some(weighted(away_in_runs(spec(120, 40, 700, 24, 30, 60))))),
        ("runs-200x60-45%", Some(away_in_runs(spec(200, 60, 1_500, 30, 45, 45)))),
        ("runs-200x60-45%-weighted", Some(weighted(away_in_runs(spec(200, 60, 1_500, 30, 45, 45))))),
        ("runs-300x90-50%", Some(away_in_runs(spec(300, 90, 2_000, 30, 60, 50)))),
        ("runs-600x200-50%-weighted", Some(weighted(away_in_runs(spec(600, 200, 5_000, 40, 150, 50))))),
        ("national-runs-50%", Some(away_in_runs(spec(3_000, 1_000, 20_000, 48, 1_000, 50)))),
    ];
    let out = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/schedule-bench");
    std::fs::create_dir_all(&out)?;
    println!(
        "| instance | meetings | Δ | slots | placed | upper bound | placed / bound | weight | weight bound | status | time | greedy placed | greedy / bound | greedy weight | greedy time | bound time |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    let mut layouts = Vec::new();
    for (name, spec) in cases {
        if only.as_deref().is_some_and(|o| !name.contains(o)) {
            continue;
        }
        let input = match spec {
            Some(spec) => instance(&spec, 2023),
            None => techfest_like(2023),
        };
        let (problem, _) = Instance::from_input(&input)?;
        let runs = if problem.meetings.len() > 5_000 { 3 } else { 5 };
        let (ours, took) = timed(runs, || schedule(&problem));
        // Greedy computes the bound too when it leaves meetings out: its time is shown without it.
        let (base, base_total) = timed(runs, || greedy(&problem));
        let bound_took = if base.assignments.len() < problem.meetings.len() {
            timed(runs, || {
                let mut outcome = base.clone();
                outcome.upper_bound = bound::upper_bound(&problem);
                outcome
            })
            .1
        } else {
            Duration::ZERO
        };
        let base_took = base_total.saturating_sub(bound_took);
        let violations = ours.violations(&problem);
        assert!(violations.is_empty(), "{name}: {violations:?}");
        assert!(base.violations(&problem).is_empty());
        let bound = ours.upper_bound.min(base.upper_bound);
        let ratio = |placed: usize| 100.0 * placed as f64 / bound.max(1) as f64;
        let (status, _) = ours.status();
        println!(
            "| {name} | {} | {} | {} | {} | {bound} | {:.2}% | {} | {} | {status:?} | {:.1} ms | {} | {:.2}% | {} | {:.1} ms | {:.1} ms |",
            problem.meetings.len(),
            problem.max_degree(),
            problem.slots.len(),
            ours.assignments.len(),
            ratio(ours.assignments.len()),
            ours.weight,
            ours.weight_bound,
            took.as_secs_f64() * 1000.0,
            base.assignments.len(),
            ratio(base.assignments.len()),
            base.weight,
            base_took.as_secs_f64() * 1000.0,
            bound_took.as_secs_f64() * 1000.0,
        );
        let (before, before_took) = timed(runs, || schedule_without_layout(&problem));
        let spread_problem = problem.clone().with_layout(Layout::Spread);
        let (spread, spread_took) = timed(runs, || schedule(&spread_problem));
        for (outcome, instance) in [(&before, &problem), (&spread, &spread_problem)] {
            let violations = outcome.violations(instance);
            assert!(violations.is_empty(), "{name}: {violations:?}");
            assert_eq!(outcome.assignments.len(), ours.assignments.len(), "{name}: a layout changed the count");
            assert_eq!(outcome.weight, ours.weight, "{name}: a layout changed the weight");
        }
        layouts.push(layout_row(name, "before", &before, before_took));
        layouts.push(layout_row(name, "compact", &ours, took));
        layouts.push(layout_row(name, "spread", &spread, spread_took));
        std::fs::write(out.join(format!("{name}.json")), serde_json::to_string(&input)?)?;
        let summary = serde_json::json!({
            "ketnoi": {"placed": ours.assignments.len(), "weight": ours.weight, "millis": took.as_millis() as u64,
                       "weight_bound": ours.weight_bound},
            "greedy": {"placed": base.assignments.len(), "weight": base.weight},
            "upper_bound": bound,
        });
        std::fs::write(out.join(format!("{name}.result.json")), summary.to_string())?;
    }
    println!();
    println!(
        "| instance | layout | placed | weight | days / participant | half-days / participant | idle slots / participant | meetings per day | time |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    for row in layouts {
        println!("{row}");
    }
    Ok(())
}
