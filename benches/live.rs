//! Live updates at scale: a `ketnoi demo` server in a process of its own (the Techfest demo:
//! 320 startups, 72 investors, 427 accepted meetings), 2,000 event streams open on it — one
//! investor member's, as a hall of phones and tablets would hold them — the server's memory
//! before and after they open, and the time one change (the organiser publishing the schedule,
//! which concerns every participant) takes to reach every stream.
//!
//! cargo bench --bench live
//! KETNOI_BENCH_STREAMS=500 cargo bench --bench live

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::{Barrier, mpsc};

type BenchResult<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

const SLUG: &str = "techfest-haiphong-2023";
const PASSWORD: &str = "ketnoi-demo-2023";

/// The resident memory of process `pid`, in kB.
fn rss_kb(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|status| {
            let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
            line.split_whitespace().nth(1)?.parse().ok()
        })
        .unwrap_or(0)
}

fn percentile(samples: &mut [Duration], p: f64) -> Duration {
    samples.sort();
    samples[((samples.len() as f64 - 1.0) * p).round() as usize]
}

async fn sign_in(client: &reqwest::Client, base: &str, email: &str) -> BenchResult<String> {
    let response = client
        .post(format!("{base}/api/v1/auth/login"))
        .json(&serde_json::json!({"email": email, "password": PASSWORD}))
        .send()
        .await?;
    let cookie = response.headers().get("set-cookie").ok_or("no session")?.to_str()?;
    Ok(cookie.split(';').next().unwrap_or_default().to_owned())
}

/// Opens a stream, waits for its `ready`, says so, then waits for `event` and sends when it came.
async fn listen(
    client: reqwest::Client,
    url: String,
    cookie: String,
    event: &'static str,
    ready: Arc<Barrier>,
    arrived: mpsc::UnboundedSender<Instant>,
) -> BenchResult<()> {
    let mut response = client.get(url).header("cookie", cookie).header("accept", "text/event-stream").send().await?;
    let mut buffer = String::new();
    let mut seen_ready = false;
    loop {
        let chunk = response.chunk().await?.ok_or("the stream ended")?;
        buffer.push_str(&String::from_utf8_lossy(&chunk));
        if !seen_ready && buffer.contains("event: ready") {
            seen_ready = true;
            ready.wait().await;
        }
        if buffer.contains(&format!("event: {event}")) {
            arrived.send(Instant::now()).ok();
            return Ok(());
        }
    }
}

#[tokio::main]
async fn main() -> BenchResult<()> {
    if std::env::args().any(|arg| arg == "--list") {
        return Ok(());
    }
    let streams: usize = std::env::var("KETNOI_BENCH_STREAMS").ok().and_then(|v| v.parse().ok()).unwrap_or(2_000);
    let dir = tempfile::tempdir()?;
    let started = Instant::now();
    let mut server = Command::new(env!("CARGO_BIN_EXE_ketnoi"))
        .args(["demo", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(dir.path())
        .env("KETNOI_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()?;
    let pid = server.id();
    let mut lines = BufReader::new(server.stdout.take().ok_or("no stdout")?).lines();
    let base = loop {
        let line = lines.next().ok_or("the demo ended")??;
        if let Some(url) = line.strip_prefix("ketnoi is listening on ") {
            break url.trim_end_matches('/').to_owned();
        }
    };
    // The demo prints its logins after: keep reading, or it writes into a closed pipe.
    std::thread::spawn(move || lines.for_each(drop));
    println!("demo server up in {:.1} s at {base}", started.elapsed().as_secs_f64());

    let client = reqwest::Client::builder().pool_max_idle_per_host(0).build()?;
    let investor = sign_in(&client, &base, "investor@techfest.ketnoi.demo").await?;
    let organiser = sign_in(&client, &base, "organiser@techfest.ketnoi.demo").await?;
    let run = client
        .post(format!("{base}/api/v1/events/{SLUG}/schedule"))
        .header("cookie", &organiser)
        .header("origin", &base)
        .json(&serde_json::json!({}))
        .send()
        .await?;
    assert!(run.status().is_success(), "the scheduler: {}", run.status());
    tokio::time::sleep(Duration::from_secs(2)).await;
    let before = rss_kb(pid);

    let ready = Arc::new(Barrier::new(streams + 1));
    let (sender, mut arrivals) = mpsc::unbounded_channel();
    let opening = Instant::now();
    let url = format!("{base}/api/v1/me/stream");
    let mut tasks = Vec::with_capacity(streams);
    for _ in 0..streams {
        let task = listen(
            client.clone(),
            url.clone(),
            investor.clone(),
            "schedule-published",
            Arc::clone(&ready),
            sender.clone(),
        );
        tasks.push(tokio::spawn(task));
    }
    drop(sender);
    tokio::time::timeout(Duration::from_secs(120), ready.wait()).await?;
    let opened = opening.elapsed();
    tokio::time::sleep(Duration::from_secs(1)).await;
    let after = rss_kb(pid);

    // One change that concerns every participant: the schedule published.
    let sent = Instant::now();
    let publish = client
        .post(format!("{base}/api/v1/events/{SLUG}/publish"))
        .header("cookie", &organiser)
        .header("origin", &base)
        .json(&serde_json::json!({}))
        .send()
        .await?;
    assert!(publish.status().is_success(), "publish: {}", publish.status());
    let answered = sent.elapsed();
    let mut delays = Vec::with_capacity(streams);
    while let Ok(Some(at)) = tokio::time::timeout(Duration::from_secs(30), arrivals.recv()).await {
        delays.push(at.duration_since(sent));
        if delays.len() == streams {
            break;
        }
    }
    let reached = delays.len();
    let ms = |d: Duration| format!("{:.0} ms", d.as_secs_f64() * 1000.0);
    println!();
    println!(
        "| streams | opened in | server RSS before | with the streams open | per stream | publish answered | reached | p50 | p99 | last |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|");
    println!(
        "| {streams} | {:.1} s | {:.1} MB | {:.1} MB | {:.1} kB | {} | {reached} | {} | {} | {} |",
        opened.as_secs_f64(),
        before as f64 / 1024.0,
        after as f64 / 1024.0,
        after.saturating_sub(before) as f64 / streams as f64,
        ms(answered),
        ms(percentile(&mut delays, 0.5)),
        ms(percentile(&mut delays, 0.99)),
        ms(percentile(&mut delays, 1.0)),
    );
    for task in tasks {
        task.abort();
    }
    server.kill().ok();
    server.wait().ok();
    assert_eq!(reached, streams, "every stream heard of the change");
    Ok(())
}
