//! Matching at scale: top-10 investors for every startup of a 10,000-startup × 2,000-investor
//! event, on all cores, one organization's recommendations, and meet now's pairing of a slot
//! in which hundreds are free.
//!
//! cargo bench -p ketnoi-domain --bench matching
//! KETNOI_BENCH_STARTUPS=1000 KETNOI_BENCH_INVESTORS=200 cargo bench -p ketnoi-domain --bench matching

use std::collections::HashSet;
use std::time::Instant;

use ketnoi_domain::import::{parse_investors, parse_startups};
use ketnoi_domain::matching::{Candidate, Weights, disjoint_pairs, recommend};
use ketnoi_domain::money::Rates;
use ketnoi_domain::profile::ValidationContext;

fn count(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    if std::env::args().any(|arg| arg == "--list") {
        return Ok(());
    }
    let (startups, investors) = (count("KETNOI_BENCH_STARTUPS", 10_000), count("KETNOI_BENCH_INVESTORS", 2_000));
    let rates = Rates::vietnam_default();
    let context = ValidationContext { current_year: 2026, rates: Some(&rates) };
    let csv = ketnoi_domain::demo::generate(7, startups, investors);
    let startup_rows = parse_startups("startups", csv.startups.as_bytes(), &context).map_err(|e| e.to_string())?;
    let investor_rows = parse_investors("investors", csv.investors.as_bytes(), &context).map_err(|e| e.to_string())?;

    let started = Instant::now();
    let startup_candidates: Vec<Candidate> =
        startup_rows.iter().enumerate().map(|(n, row)| Candidate::new(n as i64 + 1, &row.profile, &rates)).collect();
    let investor_candidates: Vec<Candidate> = investor_rows
        .iter()
        .enumerate()
        .map(|(n, row)| Candidate::new(1_000_000 + n as i64, &row.profile, &rates))
        .collect();
    let prepared = started.elapsed();

    let weights = Weights::default();
    let none = HashSet::new();
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let started = Instant::now();
    let listed: usize = std::thread::scope(|scope| {
        let chunk = startup_candidates.len().div_ceil(threads).max(1);
        let handles: Vec<_> = startup_candidates
            .chunks(chunk)
            .map(|part| {
                let (investors, weights, none) = (&investor_candidates, &weights, &none);
                scope
                    .spawn(move || part.iter().map(|s| recommend(s, investors, none, 10, weights).len()).sum::<usize>())
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap_or(0)).sum()
    });
    let all = started.elapsed();

    let mut single = Vec::new();
    for subject in startup_candidates.iter().take(200) {
        let started = Instant::now();
        std::hint::black_box(recommend(subject, &investor_candidates, &none, 10, &weights));
        single.push(started.elapsed());
    }
    single.sort();
    let mut investor_side = Vec::new();
    for subject in investor_candidates.iter().take(50) {
        let started = Instant::now();
        std::hint::black_box(recommend(subject, &startup_candidates, &none, 10, &weights));
        investor_side.push(started.elapsed());
    }
    investor_side.sort();

    // Meet now's pairing in a slot with many at the venue free: 1,380 startups and 700
    // investors, each in at most one pair, ranking their top 8 in rounds (as meet now does).
    let free_startups = &startup_candidates[..1380.min(startups)];
    let free_investors = &investor_candidates[..700.min(investors)];
    let mut pairing = Vec::new();
    let mut paired = 0;
    for _ in 0..9 {
        let started = Instant::now();
        paired = disjoint_pairs(free_startups, free_investors, &none_pairs(), 8, &weights).len();
        pairing.push(started.elapsed());
    }
    pairing.sort();

    println!("{startups} startups × {investors} investors, {threads} threads");
    println!("preparing candidates: {prepared:.2?}");
    println!("top-10 for every startup: {all:.2?} ({listed} recommendations, {} pairs scored)", startups * investors);
    println!(
        "one startup's top-10 over {investors} investors: p50 {:.2?}, max {:.2?}",
        single[single.len() / 2],
        single[single.len() - 1]
    );
    println!(
        "one investor's top-10 over {startups} startups: p50 {:.2?}, max {:.2?}",
        investor_side[investor_side.len() / 2],
        investor_side[investor_side.len() - 1]
    );
    println!(
        "meet-now pairing of {} startups and {} investors: {paired} pairs, p50 {:.2?}, min {:.2?}",
        free_startups.len(),
        free_investors.len(),
        pairing[pairing.len() / 2],
        pairing[0]
    );
    Ok(())
}

fn none_pairs() -> HashSet<(i64, i64)> {
    HashSet::new()
}
