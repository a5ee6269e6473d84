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
    /// Its `listen_addresses`.
    listen: String,
}

impl OwnPostgres {
    /// Creates and starts one, or says why it cannot (outside the PostgreSQL suite).
    fn start() -> Result<OwnPostgres, String> {
        OwnPostgres::start_on(None)
    }

    /// [`OwnPostgres::start`], listening and trusting clients on `address` as well.
    fn start_on(address: Option<&str>) -> Result<OwnPostgres, String> {
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
        let listen = address.map_or("127.0.0.1".to_owned(), |address| format!("127.0.0.1,{address}"));
        let postgres = OwnPostgres { dir, bin, port: port.port(), listen };
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
        if address.is_some() {
            let hba = postgres.dir.path().join("data/pg_hba.conf");
            let mut rules = std::fs::read_to_string(&hba).map_err(|e| e.to_string())?;
            // Clients on the networks it is on: the namespace's side of the link.
            rules.push_str("host all all samenet trust\n");
            std::fs::write(&hba, rules).map_err(|e| e.to_string())?;
        }
        postgres.up()?;
        Ok(postgres)
    }

    fn data(&self) -> String {
        self.dir.path().join("data").display().to_string()
    }

    fn url(&self) -> String {
        self.url_at("127.0.0.1")
    }

    fn url_at(&self, address: &str) -> String {
        format!("postgres://postgres@{address}:{}/postgres", self.port)
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
            "-p {} -c listen_addresses={} -c unix_socket_directories='' -c fsync=off -c max_connections=50",
            self.port, self.listen
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

/// The fixture event imported into the database at `url`, an administrator's account, and a
/// server on it: the server and its address.
async fn served_on(url: &str, data: &std::path::Path) -> (Serving, String) {
    prepare(url, data).await;
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

/// The fixture event imported into the database at `url`, and an administrator's account.
async fn prepare(url: &str, data: &std::path::Path) {
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
}

/// Signs the administrator in at `base`: the session cookie.
async fn sign_in(client: &reqwest::Client, base: &str) -> String {
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
    cookie
}

/// `clients` clients asking for their account at `base` every 10 ms until `stop`: every answer.
fn load(
    clients: usize,
    client: &reqwest::Client,
    base: &str,
    cookie: &str,
    start: Instant,
    stop: &Arc<AtomicBool>,
) -> Vec<tokio::task::JoinHandle<Vec<Answered>>> {
    (0..clients)
        .map(|_| {
            let (client, cookie, base, stop) = (client.clone(), cookie.to_owned(), base.to_owned(), Arc::clone(stop));
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
        .collect()
}

/// What every fault under load must show: each request answered, 200 or 503; some 503 (the
/// `fault` was seen), each with `Retry-After`; none slower than `bound`. The 503s and the
/// slowest answer's time.
fn answered_200_or_503<'a>(answers: &'a [Answered], fault: &str, bound: Duration) -> (Vec<&'a Answered>, Duration) {
    let unexpected: Vec<&Answered> = answers.iter().filter(|a| !matches!(a.status, 200 | 503)).collect();
    assert!(unexpected.is_empty(), "only 200 and 503: {} others, first {:?}", unexpected.len(), unexpected.first());
    let unavailable: Vec<&Answered> = answers.iter().filter(|a| a.status == 503).collect();
    assert!(!unavailable.is_empty(), "{fault} was not seen: {} answers", answers.len());
    assert!(unavailable.iter().all(|a| a.retry_after), "503 without Retry-After");
    let slowest = answers.iter().map(|a| a.took).max().expect("answers");
    assert!(slowest < bound, "a request waited {slowest:?}");
    (unavailable, slowest)
}

/// Stops `clients` and gathers their answers.
async fn gather(stop: &AtomicBool, clients: Vec<tokio::task::JoinHandle<Vec<Answered>>>) -> Vec<Answered> {
    stop.store(true, Ordering::Relaxed);
    let mut answers = Vec::new();
    for client in clients {
        answers.extend(client.await.expect("client"));
    }
    answers
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
    let cookie = sign_in(&client, &base).await;
    let start = Instant::now();
    let stop = Arc::new(AtomicBool::new(false));
    let clients = load(8, &client, &base, &cookie, start, &stop);
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
    let answers = gather(&stop, clients).await;

    let (unavailable, slowest) = answered_200_or_503(&answers, "the restart", Duration::from_secs(8));
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

/// A network namespace with two links to this machine: one its clients reach it by, one it
/// reaches PostgreSQL by, which can be dropped. Deleted, with its links, when dropped.
struct Netns {
    name: String,
    clients: String,
    database: String,
    /// The third byte of its addresses: 10.254.N.1 and .2 for clients (here, there), .5 and .6
    /// for the database.
    net: u32,
}

impl Netns {
    /// Makes one, or says why it cannot be here.
    fn make() -> Result<Netns, String> {
        let tag = std::process::id() % 10_000;
        let netns = Netns {
            name: format!("ketnoi-{tag}"),
            clients: format!("kn{tag}c"),
            database: format!("kn{tag}d"),
            net: tag % 250 + 1,
        };
        netns.ip(&["netns", "add", &netns.name])?;
        for (link, here, there) in [(&netns.clients, 1, 2), (&netns.database, 5, 6)] {
            let peer = format!("{link}n");
            netns.ip(&["link", "add", link, "type", "veth", "peer", "name", &peer])?;
            netns.ip(&["link", "set", &peer, "netns", &netns.name])?;
            netns.ip(&["addr", "add", &format!("{}/30", netns.address(here)), "dev", link])?;
            netns.ip(&["link", "set", link, "up"])?;
            let inside = |args: &[&str]| {
                let mut all = vec!["netns", "exec", &netns.name, "ip"];
                all.extend_from_slice(args);
                netns.ip(&all)
            };
            inside(&["addr", "add", &format!("{}/30", netns.address(there)), "dev", &peer])?;
            inside(&["link", "set", &peer, "up"])?;
        }
        Ok(netns)
    }

    fn address(&self, last: u32) -> String {
        format!("10.254.{}.{last}", self.net)
    }

    fn ip(&self, args: &[&str]) -> Result<(), String> {
        let out = Command::new("ip").args(args).output().map_err(|e| format!("ip: {e}"))?;
        if out.status.success() {
            Ok(())
        } else {
            Err(format!("ip {}: {}", args.join(" "), String::from_utf8_lossy(&out.stderr).trim()))
        }
    }

    /// Drops or restores the link to PostgreSQL, as a cable pulled and plugged back.
    fn database_link(&self, up: bool) {
        self.ip(&["link", "set", &self.database, if up { "up" } else { "down" }]).expect("ip link set");
    }
}

impl Drop for Netns {
    fn drop(&mut self) {
        self.ip(&["netns", "del", &self.name]).ok();
        self.ip(&["link", "del", &self.clients]).ok();
        self.ip(&["link", "del", &self.database]).ok();
    }
}

/// A replica in a network namespace of its own, whose link to PostgreSQL is dropped for ten
/// seconds under four clients: once its probe has gone unanswered (2.5 s at most), what it is
/// asked is answered 503 with `Retry-After` at once; what was running when the link dropped
/// ends within the request bound (here eight seconds) with the same 503; once the link is
/// back it serves again by itself.
#[tokio::test]
async fn a_replica_cut_off_from_postgresql_answers_503_and_rejoins_by_itself() {
    if std::env::var(TEST_DATABASE_URL).is_err() {
        eprintln!("skipped: {TEST_DATABASE_URL} is not set: this runs with the PostgreSQL suite");
        return;
    }
    let netns = match Netns::make() {
        Ok(netns) => netns,
        Err(why) => {
            eprintln!("skipped: this machine gives no network namespace: {why}");
            return;
        }
    };
    let postgres = OwnPostgres::start_on(Some(&netns.address(5))).expect("PostgreSQL");
    let data = tempfile::tempdir().expect("dir");
    prepare(&postgres.url(), data.path()).await;
    let (child, base) = start_server(
        Command::new("ip")
            .args(["netns", "exec", &netns.name, env!("CARGO_BIN_EXE_ketnoi")])
            .args(["--database-url", &postgres.url_at(&netns.address(5)), "--data-dir"])
            .arg(data.path())
            .args(["serve", "--listen", &format!("{}:0", netns.address(2)), "--request-timeout-seconds", "8"])
            .env("KETNOI_LOG", "off")
            .stderr(Stdio::null()),
    );
    let _server = Serving(child);
    let client = reqwest::Client::builder().timeout(Duration::from_secs(30)).build().expect("client");
    let cookie = sign_in(&client, &base).await;
    let start = Instant::now();
    let stop = Arc::new(AtomicBool::new(false));
    let clients = load(4, &client, &base, &cookie, start, &stop);
    tokio::time::sleep(Duration::from_secs(1)).await;
    let cut = start.elapsed();
    netns.database_link(false);
    tokio::time::sleep(Duration::from_secs(10)).await;
    let back = start.elapsed();
    netns.database_link(true);
    tokio::time::sleep(Duration::from_secs(12)).await;
    let answers = gather(&stop, clients).await;

    let (unavailable, slowest) = answered_200_or_503(&answers, "the cut", Duration::from_millis(9_500));
    // Asked once the probe has noticed (half a second between probes, two to give up on one):
    // answered 503 at once.
    let cut_off: Vec<&Answered> =
        answers.iter().filter(|a| a.asked > cut + Duration::from_secs(3) && a.asked + a.took < back).collect();
    assert!(cut_off.len() > 10, "too few asked while cut off: {cut_off:?}");
    assert!(cut_off.iter().all(|a| a.status == 503), "{cut_off:?}");
    let slowest_cut_off = cut_off.iter().map(|a| a.took).max().unwrap_or_default();
    assert!(slowest_cut_off < Duration::from_millis(500), "asked while cut off, waited {slowest_cut_off:?}");
    let late: Vec<&Answered> =
        answers.iter().filter(|a| a.asked > back + Duration::from_secs(10) && a.status != 200).collect();
    assert!(late.is_empty(), "not rejoined 10 s after the link was back ({back:?}): {late:?}");
    let first_served = answers.iter().filter(|a| a.asked > back && a.status == 200).map(|a| a.asked).min();
    eprintln!(
        "{} answers, {} of them 503; asked while cut off: {} (slowest {slowest_cut_off:?}); slowest {slowest:?}; \
         cut at {cut:?}, back at {back:?}, served again from {first_served:?}",
        answers.len(),
        unavailable.len(),
        cut_off.len()
    );
}
