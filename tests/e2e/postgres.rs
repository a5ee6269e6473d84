//! Faults of PostgreSQL itself, on a server of the test's own (initdb in a temporary directory,
//! on a free port), so that restarting it touches no other test. They run with the PostgreSQL
//! suite (`KETNOI_TEST_DATABASE_URL` set), whose machine has PostgreSQL's programs installed.

use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use ketnoi_domain::validate::Email;
use ketnoi_store::testing::TEST_DATABASE_URL;
use ketnoi_store::{NewUser, Role, Store};

use crate::support::{PASSWORD, fixture, start_server};

/// A PostgreSQL server of the test's own, stopped and deleted when dropped.
struct OwnPostgres {
    dir: tempfile::TempDir,
    bin: PathBuf,
    port: u16,
}

impl OwnPostgres {
    /// Creates and starts one, or says why it cannot (outside the PostgreSQL suite).
    fn start() -> Result<OwnPostgres, String> {
        if std::env::var(TEST_DATABASE_URL).is_err() {
            return Err(format!("{TEST_DATABASE_URL} is not set: this runs with the PostgreSQL suite"));
        }
        // The newest installed: /usr/lib/postgresql/<version>/bin on Debian.
        let bin = std::fs::read_dir("/usr/lib/postgresql")
            .map_err(|e| format!("PostgreSQL's programs are not installed: {e}"))?
            .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse::<u32>().ok())
            .max()
            .map(|version| PathBuf::from(format!("/usr/lib/postgresql/{version}/bin")))
            .ok_or("no PostgreSQL version in /usr/lib/postgresql")?;
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let port =
            std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map_err(|e| e.to_string())?;
        let postgres = OwnPostgres { dir, bin, port: port.port() };
        if running_as_root() {
            // PostgreSQL will not run as root: its files belong to the postgres user.
            let owner = Command::new("chown").arg("postgres:postgres").arg(postgres.dir.path()).output();
            owner.map_err(|e| e.to_string())?;
        }
        let data = postgres.data();
        let made = postgres.run("initdb", &["-D", &data, "-U", "postgres", "-A", "trust", "--no-sync"])?;
        if !made.status.success() {
            return Err(format!("initdb: {}", String::from_utf8_lossy(&made.stderr)));
        }
        postgres.up()?;
        Ok(postgres)
    }

    fn data(&self) -> String {
        self.dir.path().join("data").display().to_string()
    }

    fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    /// Runs one of PostgreSQL's programs, as the postgres user when this is root.
    fn run(&self, program: &str, args: &[&str]) -> Result<Output, String> {
        let path = self.bin.join(program);
        let mut command = if running_as_root() {
            let mut command = Command::new("runuser");
            command.args(["-u", "postgres", "--"]).arg(path);
            command
        } else {
            Command::new(path)
        };
        command.args(args).stdin(Stdio::null()).output().map_err(|e| format!("{program}: {e}"))
    }

    /// Starts the server and waits until it accepts connections.
    fn up(&self) -> Result<(), String> {
        let options = format!(
            "-p {} -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c fsync=off -c max_connections=50",
            self.port
        );
        let log = self.dir.path().join("log").display().to_string();
        let started = self.run("pg_ctl", &["-D", &self.data(), "-o", &options, "-l", &log, "-w", "start"])?;
        if !started.status.success() {
            let log = std::fs::read_to_string(&log).unwrap_or_default();
            return Err(format!("pg_ctl start: {}{log}", String::from_utf8_lossy(&started.stderr)));
        }
        Ok(())
    }

    /// Stops the server as an operator would for a restart: sessions are ended at once.
    fn down(&self) {
        let stopped = self.run("pg_ctl", &["-D", &self.data(), "-m", "fast", "-w", "stop"]).expect("pg_ctl stop");
        assert!(stopped.status.success(), "pg_ctl stop: {}", String::from_utf8_lossy(&stopped.stderr));
    }
}

impl Drop for OwnPostgres {
    fn drop(&mut self) {
        self.run("pg_ctl", &["-D", &self.data(), "-m", "immediate", "-w", "stop"]).ok();
    }
}

fn running_as_root() -> bool {
    Command::new("id").arg("-u").output().is_ok_and(|out| out.stdout.starts_with(b"0\n"))
}

/// A `ketnoi serve` process, killed when dropped.
struct Serving(std::process::Child);

impl Drop for Serving {
    fn drop(&mut self) {
        self.0.kill().ok();
        self.0.wait().ok();
    }
}

/// The fixture event imported into the database at `url`, an administrator's account, and a server on
/// it: the server and its address.
async fn served_on(url: &str, data: &std::path::Path) -> (Serving, String) {
    let imported = Command::new(env!("CARGO_BIN_EXE_ketnoi"))
        .args(["--database-url", url, "--data-dir"])
        .arg(data)
        .args(["import", "--event", "techfest-test", "--startups"])
        .arg(fixture("startups.csv"))
        .arg("--investors")
        .arg(fixture("investors.csv"))
        .env("KETNOI_LOG", "warn")
        .output()
        .expect("ketnoi import");
    assert!(imported.status.success(), "{}", String::from_utf8_lossy(&imported.stderr));
    let store = Store::connect(url).await.expect("connect");
    let user = NewUser {
        email: Email::parse("lan@cangso.vn").expect("email"),
        display_name: "Lan".to_owned(),
        password: PASSWORD.to_owned(),
        role: Role::Admin,
        organization_id: None,
        event_id: None,
        email_consent: true,
    };
    store.upsert_user(&user).await.expect("user");
    store.close().await.expect("close");
    let (child, base) = start_server(
        Command::new(env!("CARGO_BIN_EXE_ketnoi"))
            .args(["--database-url", url, "--data-dir"])
            .arg(data)
            .args(["serve", "--listen", "127.0.0.1:0"])
            .env("KETNOI_LOG", "off")
            .stderr(Stdio::null()),
    );
    (Serving(child), base)
}

/// One answer under load: when it was asked (since the start), how long it took, its status
/// (0: no answer within the client's bound) and whether it said when to retry.
#[derive(Debug, Clone, Copy)]
struct Answered {
    asked: Duration,
    took: Duration,
    status: u16,
    retry_after: bool,
}

/// PostgreSQL stopped for seven seconds and started again while eight clients keep asking for
/// their account (a read of the session and the user in the database on every request): a
/// request waits for a connection up to five seconds (served if PostgreSQL is back by then),
/// then is answered 503 with `Retry-After`; none waits much past that, and five seconds after
/// PostgreSQL is back every answer is 200 again, the server never restarted.
#[tokio::test]
async fn postgresql_stopped_under_load_answers_503_with_retry_after_then_serves_again_within_5_s() {
    let postgres = match OwnPostgres::start() {
        Ok(postgres) => postgres,
        Err(why) => {
            eprintln!("skipped: {why}");
            return;
        }
    };
    let data = tempfile::tempdir().expect("dir");
    let (_server, base) = served_on(&postgres.url(), data.path()).await;
    let client = reqwest::Client::builder().timeout(Duration::from_secs(30)).build().expect("client");
    let login = client
        .post(format!("{base}/api/v1/auth/login"))
        .json(&serde_json::json!({"email": "lan@cangso.vn", "password": PASSWORD}))
        .send()
        .await
        .expect("login");
    assert_eq!(login.status(), 200);
    let cookie = login.headers()["set-cookie"].to_str().expect("cookie").split(';').next().expect("pair").to_owned();
    let me = client.get(format!("{base}/api/v1/me")).header("cookie", &cookie).send().await.expect("me");
    assert_eq!(me.status(), 200, "{:?}", me.text().await);

    let start = Instant::now();
    let stop = Arc::new(AtomicBool::new(false));
    let clients: Vec<_> = (0..8)
        .map(|_| {
            let (client, cookie, base, stop) = (client.clone(), cookie.clone(), base.clone(), Arc::clone(&stop));
            tokio::spawn(async move {
                let mut answers = Vec::new();
                while !stop.load(Ordering::Relaxed) {
                    let asked = start.elapsed();
                    let answer = client.get(format!("{base}/api/v1/me")).header("cookie", &cookie).send().await;
                    let (status, retry_after) = match &answer {
                        Ok(answer) => (answer.status().as_u16(), answer.headers().contains_key("retry-after")),
                        Err(_) => (0, false),
                    };
                    answers.push(Answered { asked, took: start.elapsed() - asked, status, retry_after });
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
                answers
            })
        })
        .collect();

    tokio::time::sleep(Duration::from_millis(1_500)).await;
    let postgres = tokio::task::spawn_blocking(move || {
        let down = start.elapsed();
        postgres.down();
        // Longer than a request waits for a connection (5 s): some must give up.
        std::thread::sleep(Duration::from_secs(7));
        postgres.up().expect("start PostgreSQL again");
        (postgres, down, start.elapsed())
    });
    let (_postgres, down, back) = postgres.await.expect("restart");
    tokio::time::sleep(Duration::from_secs(7)).await;
    stop.store(true, Ordering::Relaxed);
    let mut answers = Vec::new();
    for client in clients {
        answers.extend(client.await.expect("client"));
    }

    let unexpected: Vec<&Answered> = answers.iter().filter(|a| !matches!(a.status, 200 | 503)).collect();
    assert!(unexpected.is_empty(), "only 200 and 503: {} others, first {:?}", unexpected.len(), unexpected.first());
    let unavailable: Vec<&Answered> = answers.iter().filter(|a| a.status == 503).collect();
    assert!(!unavailable.is_empty(), "the restart was not seen: {} answers", answers.len());
    assert!(unavailable.iter().all(|a| a.retry_after), "503 without Retry-After");
    let slowest = answers.iter().map(|a| a.took).max().expect("answers");
    assert!(slowest < Duration::from_secs(8), "a request waited {slowest:?}");
    let late: Vec<&Answered> =
        answers.iter().filter(|a| a.asked > back + Duration::from_secs(5) && a.status != 200).collect();
    assert!(late.is_empty(), "not served 5 s after PostgreSQL was back ({back:?}): {late:?}");
    let before = answers.iter().filter(|a| a.asked + a.took < down).all(|a| a.status == 200);
    assert!(before, "failures before the restart");
    let last_failed = unavailable.iter().map(|a| a.asked + a.took).max().unwrap_or_default();
    eprintln!(
        "{} answers, {} of them 503 (the last at {last_failed:?}), the slowest {slowest:?}; PostgreSQL down at \
         {down:?}, back at {back:?}",
        answers.len(),
        unavailable.len()
    );
}
