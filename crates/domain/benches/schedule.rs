//! The scheduler against the greedy baseline and the proven upper bound, on seeded instances
//! from event scale to national scale, with full availability and with 30% of each
//! participant's slots blocked, and on d-regular instances. Prints one row per instance and
//! writes each instance and both results to target/schedule-bench/ for the exact reference
//! (benches/schedule_exact.py, an ILP solved by HiGHS).
//!
//! cargo bench -p ketnoi-domain --bench schedule
//! KETNOI_BENCH_ONLY=national cargo bench -p ketnoi-domain --bench schedule

use std::time::{Duration, Instant};

use ketnoi_domain::schedule::generate::{Spec, instance};
use ketnoi_domain::schedule::{Instance, Outcome, bound, greedy, schedule};

fn spec(startups: usize, investors: usize, meetings: usize, slots: usize, tables: u32, blocked_percent: usize) -> Spec {
    Spec { startups, investors, meetings, slots, tables, blocked_percent, regular: None, weighted: false }
}

fn weighted(spec: Spec) -> Spec {
    Spec { weighted: true, ..spec }
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

fn main() -> Result<(), Box<dyn std::error::Error>> {
    if std::env::args().any(|arg| arg == "--list") {
        return Ok(());
    }
    let only = std::env::var("KETNOI_BENCH_ONLY").ok();
    let cases = [
        ("event", spec(40, 20, 200, 24, 20, 0)),
        ("event-30%-blocked", spec(40, 20, 200, 24, 20, 30)),
        ("large", spec(400, 200, 2_000, 36, 100, 0)),
        ("large-30%-blocked", spec(400, 200, 2_000, 36, 100, 30)),
        ("national", spec(3_000, 1_000, 20_000, 48, 1_000, 0)),
        ("national-30%-blocked", spec(3_000, 1_000, 20_000, 48, 1_000, 30)),
        ("event-6-tables-weighted", weighted(spec(40, 20, 200, 24, 6, 30))),
        ("large-30%-blocked-weighted", weighted(spec(400, 200, 2_000, 36, 100, 30))),
        ("regular-d6-200", regular(200, 6)),
        ("regular-d12-300", regular(300, 12)),
        ("regular-d24-1000", regular(1_000, 24)),
    ];
    let out = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/schedule-bench");
    std::fs::create_dir_all(&out)?;
    println!(
        "| instance | meetings | Δ | slots | placed | upper bound | placed / bound | weight | time | greedy placed | greedy / bound | greedy weight | greedy time | bound time |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    for (name, spec) in cases {
        if only.as_deref().is_some_and(|o| !name.contains(o)) {
            continue;
        }
        let input = instance(&spec, 2023);
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
        println!(
            "| {name} | {} | {} | {} | {} | {bound} | {:.2}% | {} | {:.1} ms | {} | {:.2}% | {} | {:.1} ms | {:.1} ms |",
            problem.meetings.len(),
            problem.max_degree(),
            problem.slots.len(),
            ours.assignments.len(),
            ratio(ours.assignments.len()),
            ours.weight,
            took.as_secs_f64() * 1000.0,
            base.assignments.len(),
            ratio(base.assignments.len()),
            base.weight,
            base_took.as_secs_f64() * 1000.0,
            bound_took.as_secs_f64() * 1000.0,
        );
        std::fs::write(out.join(format!("{name}.json")), serde_json::to_string(&input)?)?;
        let summary = serde_json::json!({
            "ketnoi": {"placed": ours.assignments.len(), "weight": ours.weight, "millis": took.as_millis() as u64},
            "greedy": {"placed": base.assignments.len(), "weight": base.weight},
            "upper_bound": bound,
        });
        std::fs::write(out.join(format!("{name}.result.json")), summary.to_string())?;
    }
    Ok(())
}
