//! Meet-now proposals at national scale: 3,000 startups and 1,000 investors, 20,000 meetings
//! placed by the scheduler over 48 slots of 1,000 tables. The meetings of the first day's first
//! six slots are checked in (so whoever had one is at the venue that day); then, slot after
//! slot of the rest of that day, one scheduled meeting turns no-show through the organisers'
//! use case, which makes the slot's proposals before it answers. Measured: the time of that
//! call (status change and proposals) and of the proposals alone for a slot freed again, with
//! how many were present, free and proposed.
//!
//! cargo bench --bench meet_now                                    # SQLite file in a temp directory
//! KETNOI_BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench cargo bench --bench meet_now
//! KETNOI_BENCH_STARTUPS=600 KETNOI_BENCH_INVESTORS=200 KETNOI_BENCH_MEETINGS=4000 cargo bench --bench meet_now

#[path = "support/mod.rs"]
mod support;

use std::time::{Duration, Instant};

use ketnoi::import::{ImportSources, event_for};
use ketnoi::{DataLocation, import};
use ketnoi_app::events::{SessionBody, SessionsBody};
use ketnoi_app::schedule::{RunBody, StatusBody};
use ketnoi_app::{App, Caller, Credential, Settings};
use ketnoi_domain::event::EventSlug;
use ketnoi_store::Store;
use ketnoi_store::entity::meetings;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

type BenchResult<T> = Result<T, Box<dyn std::error::Error>>;

const SLUG: &str = "bench-meet-now";

fn count(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn millis(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

/// The event: participants imported, two days of sessions still to come, accepted requests
/// spread evenly and the scheduler's placement. Returns the organiser.
async fn prepare(app: &App, store: &Store, startups: usize, investors: usize, wanted: usize) -> BenchResult<Caller> {
    let started = Instant::now();
    let csv = ketnoi_domain::demo::generate(2026, startups, investors);
    let sources = ImportSources {
        startups: Some(("startups.csv".to_owned(), csv.startups.into_bytes())),
        investors: Some(("investors.csv".to_owned(), csv.investors.into_bytes())),
    };
    import::run(app, &event_for(EventSlug::parse(SLUG)?, Some("Techfest Quốc gia".to_owned())), &sources, &()).await?;
    let (organiser, _) =
        app.add_organiser(SLUG, "organiser@bench.vn", "Ban tổ chức", "organiser password 2026").await?;
    let (_, secret) = store.create_token(organiser.id, "bench", None).await?;
    let caller = app.identify(Some(Credential::Token(&secret))).await?;
    let session = |name: &str, date: &str, start: &str, end: &str| SessionBody {
        name: name.to_owned(),
        date: date.to_owned(),
        start: start.to_owned(),
        end: end.to_owned(),
        slot_minutes: 20,
        tables: 1000,
    };
    let sessions = SessionsBody {
        sessions: vec![
            session("Ngày 1 sáng", "2036-12-10", "08:00", "12:00"),
            session("Ngày 1 chiều", "2036-12-10", "13:00", "17:00"),
            session("Ngày 2 sáng", "2036-12-11", "08:00", "12:00"),
            session("Ngày 2 chiều", "2036-12-11", "13:00", "17:00"),
        ],
    };
    app.set_sessions(&caller, SLUG, &sessions).await?;
    let event_id = app.event(SLUG).await?.id;
    let participants = store.event_participants(event_id).await?;
    let (mut startup_ids, mut investor_ids) = (Vec::new(), Vec::new());
    for participant in &participants {
        match participant.profile.kind() {
            ketnoi_domain::profile::OrgKind::Startup => startup_ids.push(participant.id),
            ketnoi_domain::profile::OrgKind::Investor => investor_ids.push(participant.id),
        }
    }
    let written = support::accepted_meetings(store, event_id, &startup_ids, &investor_ids, wanted).await?;
    let grid = app.run_scheduler(&caller, SLUG, &RunBody::default()).await?;
    app.publish(&caller, SLUG).await?;
    println!(
        "prepared in {:.1} s: {} participants, {} meetings ({} placed)",
        started.elapsed().as_secs_f64(),
        participants.len(),
        written,
        written - grid.unplaced.len()
    );
    Ok(caller)
}

fn main() -> BenchResult<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(run())
}

async fn run() -> BenchResult<()> {
    let dir = tempfile::tempdir()?;
    let location =
        DataLocation { data_dir: dir.path().to_owned(), database_url: std::env::var("KETNOI_BENCH_DATABASE_URL").ok() };
    let store = location.open().await?;
    let app = App::new(store.clone(), Settings::default());
    let caller = prepare(
        &app,
        &store,
        count("KETNOI_BENCH_STARTUPS", 3000),
        count("KETNOI_BENCH_INVESTORS", 1000),
        count("KETNOI_BENCH_MEETINGS", 20_000),
    )
    .await?;
    // As `ketnoi serve` does when it starts: the log checkpointed beside (until the runtime
    // ends), the match data read and every participant's best counterparts ranked.
    let _checkpoints = store.checkpoints();
    let started = Instant::now();
    let prepared = app.prepare_meet_now().await?;
    println!("meet now prepared: {prepared} organizations ranked in {}", millis(started.elapsed()));
    let event = app.event(SLUG).await?;
    let slots = store.slots(event.id).await?;
    let day: Vec<_> = slots.iter().take(24).collect();
    // The morning's first six slots took place: their meetings checked in.
    let held: Vec<i64> = day.iter().take(6).map(|s| s.id).collect();
    meetings::Entity::update_many()
        .col_expr(meetings::Column::Status, sea_orm::sea_query::Expr::value("checked-in"))
        .filter(meetings::Column::SlotId.is_in(held))
        .exec(store.connection())
        .await?;
    let present = store.slot_facts(event.id, day[6].id, &day.iter().map(|s| s.id).collect::<Vec<_>>()).await?.present;
    println!("present that day: {} organizations", present.len());
    let mut calls = Vec::new();
    let mut again = Vec::new();
    for slot in &day[6..] {
        let in_slot = store.meetings_in(event.id, &[slot.id]).await?;
        let Some(missed) = in_slot.iter().find(|m| m.status == ketnoi_domain::rules::MeetingStatus::Scheduled) else {
            continue;
        };
        let before = store.open_proposals(event.id, None).await?.len();
        let started = Instant::now();
        app.set_meeting_status(&caller, SLUG, missed.id, &StatusBody { status: "no-show".to_owned() }).await?;
        let elapsed = started.elapsed();
        let made = store.open_proposals(event.id, None).await?.len() - before;
        let facts = store.slot_facts(event.id, slot.id, &day.iter().map(|s| s.id).collect::<Vec<_>>()).await?;
        // Freed again: only what is left to propose (usually nothing new) is made.
        let started = Instant::now();
        app.propose(&event, slot).await?;
        again.push(started.elapsed());
        println!(
            "{}: no-show and proposals {} — {made} proposals ({} tables used, {} busy or proposed)",
            slot.code,
            millis(elapsed),
            facts.tables_used.len(),
            facts.busy.len()
        );
        calls.push(elapsed);
    }
    calls.sort();
    again.sort();
    let p50 = calls[calls.len() / 2];
    println!(
        "no-show → proposals, {} slots: p50 {}, max {} (target < 50 ms); proposing again: p50 {}",
        calls.len(),
        millis(p50),
        millis(*calls.last().unwrap_or(&p50)),
        millis(again[again.len() / 2])
    );
    Ok(())
}
