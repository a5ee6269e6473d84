//! Import speed: 10,000 startups and 1,000 investors through `ketnoi import`'s code path into a
//! fresh database, then the same files again (nothing changes). Prints rows per second.
//!
//! cargo bench --bench import                      # SQLite file in a temp directory
//! KETNOI_BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench cargo bench --bench import
//! KETNOI_BENCH_STARTUPS=50000 cargo bench --bench import

use std::time::Instant;

use ketnoi::import::{ImportSources, event_for};
use ketnoi::{DataLocation, import};
use ketnoi_domain::event::EventSlug;

fn count(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    if std::env::args().any(|arg| arg == "--list") {
        return Ok(());
    }
    let startups = count("KETNOI_BENCH_STARTUPS", 10_000);
    let investors = count("KETNOI_BENCH_INVESTORS", 1_000);
    let generated = Instant::now();
    let csv = ketnoi_domain::demo::generate(2026, startups, investors);
    let sources = ImportSources {
        startups: Some(("startups.csv".to_owned(), csv.startups.into_bytes())),
        investors: Some(("investors.csv".to_owned(), csv.investors.into_bytes())),
    };
    eprintln!("generated {startups} startups and {investors} investors in {:.2?}", generated.elapsed());
    let dir = tempfile::tempdir()?;
    let location =
        DataLocation { data_dir: dir.path().to_owned(), database_url: std::env::var("KETNOI_BENCH_DATABASE_URL").ok() };
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(async {
        let app = ketnoi_app::App::new(location.open().await?, ketnoi_app::Settings::default());
        let event = event_for(EventSlug::parse("bench-import")?, None);
        for pass in ["first import (all created)", "re-import (all unchanged)"] {
            let started = Instant::now();
            let summary = import::run(&app, &event, &sources, &()).await?;
            let seconds = started.elapsed().as_secs_f64();
            let rows = summary.created + summary.updated + summary.unchanged;
            println!(
                "{pass}: {rows} rows in {seconds:.2} s = {:.0} rows/s (created {}, updated {}, unchanged {})",
                rows as f64 / seconds,
                summary.created,
                summary.updated,
                summary.unchanged
            );
        }
        Ok::<_, Box<dyn std::error::Error>>(())
    })
}
