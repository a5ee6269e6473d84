//! Mail at national scale: 3,000 startups and 1,000 investors (one member each), 20,000
//! meetings placed by the scheduler over 48 slots of 1,000 tables. Measures, in one run:
//!
//! 1. the search API's latency at rest (queries over HTTP, one at a time, 50 a second as
//!    `KETNOI_BENCH_SEARCH_RATE` sets; p50, p99);
//! 2. publishing the schedule: the time from the publish to every participant's "schedule
//!    published" message queued in the outbox;
//! 3. delivering those messages over SMTP to a local sink (Debian's python3-aiosmtpd, the
//!    tests' `smtp_sink.py`, counting only), 8 connections at once, paced as `serve` paces it
//!    (`--mail-rate`, 220 a second by default; `KETNOI_BENCH_MAIL_RATE` here): messages per second;
//! 4. the search API's latency while that delivery runs, and its ratio to (1).
//!
//! cargo bench --bench mail                                       # SQLite file in a temp directory
//! KETNOI_BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench cargo bench --bench mail
//! KETNOI_BENCH_STARTUPS=600 KETNOI_BENCH_INVESTORS=200 KETNOI_BENCH_MEETINGS=4000 cargo bench --bench mail
//! KETNOI_BENCH_MAIL_RATE=100000 KETNOI_BENCH_BUSY_SECONDS=10 cargo bench --bench mail   # unpaced, 10 s

#[path = "support/mod.rs"]
mod support;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use ketnoi::import::{ImportSources, event_for};
use ketnoi::{DataLocation, import};
use ketnoi_app::events::{SessionBody, SessionsBody};
use ketnoi_app::notify::{MailLoops, MailSettings};
use ketnoi_app::schedule::RunBody;
use ketnoi_app::{App, Caller, Credential, Indexer, Settings};
use ketnoi_domain::event::EventSlug;
use ketnoi_domain::validate::Email;
use ketnoi_server::auth::AuthConfig;
use ketnoi_server::{AppState, Server};
use ketnoi_store::entity::users;
use ketnoi_store::{MailStatus, NewUser, Role, Store};
use sea_orm::{EntityTrait, Set};

type BenchResult<T> = Result<T, Box<dyn std::error::Error>>;

const SLUG: &str = "bench-mail";
const QUERIES: &[&str] =
    &["nong nghiep", "logistics", "cang hai phong", "thuc pham sach", "fintech", "ai", "giáo dục", "năng lượng"];

fn count(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn percentile(samples: &mut [Duration], p: f64) -> Duration {
    samples.sort();
    samples[((samples.len() as f64 - 1.0) * p).round() as usize]
}

fn millis(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

/// The event: participants imported, sessions, one consenting member per organization
/// (languages alternating), accepted requests, and the scheduler's placement. Returns the
/// organiser and the number of members.
async fn prepare(
    app: &App,
    store: &Store,
    startups: usize,
    investors: usize,
    meetings: usize,
) -> BenchResult<(Caller, usize)> {
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
            session("Ngày 1 sáng", "2026-12-10", "08:00", "12:00"),
            session("Ngày 1 chiều", "2026-12-10", "13:00", "17:00"),
            session("Ngày 2 sáng", "2026-12-11", "08:00", "12:00"),
            session("Ngày 2 chiều", "2026-12-11", "13:00", "17:00"),
        ],
    };
    let event = app.set_sessions(&caller, SLUG, &sessions).await?;
    let participants = store.event_participants(app.event(SLUG).await?.id).await?;
    let (mut startup_ids, mut investor_ids) = (Vec::new(), Vec::new());
    for participant in &participants {
        match participant.profile.kind() {
            ketnoi_domain::profile::OrgKind::Startup => startup_ids.push(participant.id),
            ketnoi_domain::profile::OrgKind::Investor => investor_ids.push(participant.id),
        }
    }
    // One member per organization, with a real password hash, written in bulk.
    let template = store
        .upsert_user(&NewUser {
            email: Email::parse("template@bench.vn")?,
            display_name: "template".to_owned(),
            password: "member password 2026".to_owned(),
            role: Role::Member,
            organization_id: Some(participants[0].id),
            event_id: None,
            email_consent: true,
        })
        .await?;
    let hash =
        users::Entity::find_by_id(template.id).one(store.connection()).await?.ok_or("template user")?.password_hash;
    users::Entity::delete_by_id(template.id).exec(store.connection()).await?;
    let now = jiff::Timestamp::now().as_second();
    let rows: Vec<users::ActiveModel> = participants
        .iter()
        .enumerate()
        .map(|(index, organization)| users::ActiveModel {
            email: Set(format!("member{index}@bench.vn")),
            password_hash: Set(hash.clone()),
            display_name: Set(format!("Thành viên {index}")),
            role: Set("member".to_owned()),
            organization_id: Set(Some(organization.id)),
            event_id: Set(None),
            disabled: Set(false),
            language: Set(if index % 2 == 0 { "vi" } else { "en" }.to_owned()),
            email_consent_at: Set(Some(now)),
            email_confirmed_at: Set(Some(now)),
            calendar_feed: Set(0),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        })
        .collect();
    for chunk in rows.chunks(500) {
        users::Entity::insert_many(chunk.to_vec()).exec_without_returning(store.connection()).await?;
    }
    let event_id = app.event(SLUG).await?.id;
    let written = support::accepted_meetings(store, event_id, &startup_ids, &investor_ids, meetings).await?;
    let grid = app.run_scheduler(&caller, SLUG, &RunBody::default()).await?;
    println!(
        "prepared in {:.1} s: {} participants with a member each, {} slots, {} meetings ({} placed)",
        started.elapsed().as_secs_f64(),
        participants.len(),
        event.slots.len(),
        written,
        written - grid.unplaced.len()
    );
    Ok((caller, participants.len()))
}

/// Searches over HTTP at `rate` a second, one at a time (as people searching, not a load
/// test): `rounds` of them, or until `until` turns false. The client runs on a thread and a
/// runtime of its own, as a browser would be outside the server.
fn searches(
    base: &str,
    rate: u64,
    rounds: usize,
    until: Option<Arc<AtomicBool>>,
) -> std::thread::JoinHandle<Vec<Duration>> {
    let base = base.to_owned();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("client runtime");
        runtime.block_on(search_latencies(&base, rate, rounds, until.as_deref()))
    })
}

async fn search_latencies(base: &str, rate: u64, rounds: usize, until: Option<&AtomicBool>) -> Vec<Duration> {
    let client = reqwest::Client::new();
    let mut samples = Vec::with_capacity(rounds);
    let mut pace = tokio::time::interval(Duration::from_micros(1_000_000 / rate.max(1)));
    pace.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    for round in 0.. {
        if until.is_some_and(|running| !running.load(Ordering::Relaxed)) || (until.is_none() && round == rounds) {
            break;
        }
        pace.tick().await;
        let q = QUERIES[round % QUERIES.len()];
        let started = Instant::now();
        let response = client.get(format!("{base}/api/v1/organizations?q={q}&event={SLUG}")).send().await;
        if let Ok(response) = response {
            let _ = response.bytes().await;
        }
        samples.push(started.elapsed());
    }
    samples
}

fn main() -> BenchResult<()> {
    if std::env::args().any(|arg| arg == "--list") {
        return Ok(());
    }
    let startups = count("KETNOI_BENCH_STARTUPS", 3_000);
    let investors = count("KETNOI_BENCH_INVESTORS", 1_000);
    let meetings = count("KETNOI_BENCH_MEETINGS", 20_000);
    let rate = count("KETNOI_BENCH_SEARCH_RATE", 50) as u64;
    let dir = tempfile::tempdir()?;
    let location =
        DataLocation { data_dir: dir.path().to_owned(), database_url: std::env::var("KETNOI_BENCH_DATABASE_URL").ok() };
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(async {
        let store = location.open().await?;
        let setup = App::new(store.clone(), Settings::default());
        let (caller, members) = prepare(&setup, &store, startups, investors, meetings).await?;

        // The service, with its search index, on a real socket.
        let indexer = Arc::new(Indexer::open(store.clone(), &dir.path().join("index"), &|_| {}).await?);
        let _indexing = indexer.spawn();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let base = format!("http://{}", listener.local_addr()?);
        let mail = MailSettings { public_url: base.clone() };
        let app = Arc::new(App::with_index(store.clone(), indexer, AuthConfig::default().settings).with_mail(mail));
        let server = Server::on(listener, AppState::with_app(Arc::clone(&app), AuthConfig::default()));
        tokio::spawn(server.run(std::future::pending()));
        app.plan_mail().await?; // the planner's place: the log's end

        // 1. Search at rest.
        searches(&base, 1000, 50, None).join().map_err(|_| "search client")?; // warm up
        let mut idle = searches(&base, rate, 1000, None).join().map_err(|_| "search client")?;
        let (idle_p50, idle_p99) = (percentile(&mut idle, 0.5), percentile(&mut idle, 0.99));
        println!("search at rest: {} queries, p50 {}, p99 {}", idle.len(), millis(idle_p50), millis(idle_p99));

        // 2. Publish, and queue everyone's "schedule published" message.
        let event = app.event(SLUG).await?.id;
        let started = Instant::now();
        app.publish(&caller, SLUG).await?;
        let published = started.elapsed();
        let mut queued = 0;
        while queued < members as u64 {
            queued += app.plan_mail().await?;
        }
        let queued_in = started.elapsed();
        println!(
            "publish: {} ms; {queued} \"schedule published\" messages queued {:.2} s after the publish (target: 2 s)",
            published.as_millis(),
            queued_in.as_secs_f64()
        );

        // 3 and 4. Deliver to a local SMTP sink while searching.
        let sink_dir = dir.path().join("sink");
        let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let mut sink = Command::new("/usr/bin/python3")
            .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/e2e/fixtures/smtp_sink.py"))
            .arg(port.to_string())
            .arg(&sink_dir)
            .arg("--count-only")
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|e| format!("python3-aiosmtpd is needed (bash .ci/install-test-tools): {e}"))?;
        let mut ready = String::new();
        BufReader::new(sink.stdout.take().ok_or("sink stdout")?).read_line(&mut ready)?;
        let url = ketnoi_mail::SmtpUrl::parse(&format!("smtp://127.0.0.1:{port}"))?;
        let sender = ketnoi_mail::Sender::smtp(url, ketnoi_mail::parse_from("Techfest <ketnoi@bench.vn>")?, 8)?;
        let running = Arc::new(AtomicBool::new(true));
        let searching = searches(&base, rate, 0, Some(Arc::clone(&running)));
        // As `serve` sends: 8 connections, at most `--mail-rate` (220 by default) a second.
        let mail_rate = count("KETNOI_BENCH_MAIL_RATE", MailLoops::default().rate as usize) as u32;
        let loops = MailLoops { rate: mail_rate, ..MailLoops::default() };
        let started = Instant::now();
        let tasks = ketnoi_app::notify::spawn(Arc::clone(&app), sender, loops);
        let limit = std::env::var("KETNOI_BENCH_BUSY_SECONDS").ok().and_then(|v| v.parse::<u64>().ok());
        loop {
            let counts = store.mail_counts(event).await?;
            if counts.queued == 0 || limit.is_some_and(|l| started.elapsed().as_secs() >= l) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let delivery = started.elapsed();
        running.store(false, Ordering::Relaxed);
        drop(tasks);
        let mut busy = searching.join().map_err(|_| "search client")?;
        let counts = store.mail_counts(event).await?;
        let received = std::fs::read_to_string(sink_dir.join("count")).unwrap_or_default();
        println!(
            "delivery: {} sent ({} failed, {received} received by the sink) in {:.2} s = {:.0} messages/s (target: 200/s)",
            counts.sent,
            counts.failed,
            delivery.as_secs_f64(),
            counts.sent as f64 / delivery.as_secs_f64()
        );
        let (busy_p50, busy_p99) = (percentile(&mut busy, 0.5), percentile(&mut busy, 0.99));
        println!(
            "search while sending: {} queries, p50 {}, p95 {}, p99 {}, max {}; p99 ratio to rest {:.2} (target: at most 1.5)",
            busy.len(),
            millis(busy_p50),
            millis(percentile(&mut busy, 0.95)),
            millis(busy_p99),
            millis(percentile(&mut busy, 1.0)),
            busy_p99.as_secs_f64() / idle_p99.as_secs_f64()
        );
        if limit.is_none() {
            assert_eq!(store.event_mail(event, Some(MailStatus::Queued), 1).await?.len(), 0);
        }
        sink.kill().ok();
        sink.wait().ok();
        Ok::<_, Box<dyn std::error::Error>>(())
    })
}
