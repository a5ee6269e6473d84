//! Faults a real deployment meets, each shown on the real binary: a process killed with
//! `kill -9` in the middle of its work leaves nothing half-written.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use ketnoi_store::Store;
use ketnoi_store::testing::TestDatabase;
use sea_orm::{ConnectionTrait, DbBackend, Statement};

use crate::support::{PASSWORD, import_fixtures_into, ketnoi_embedded, start_server};

/// Whether the import has begun writing, seen from outside: on PostgreSQL its transaction has a
/// transaction id (it wrote); on SQLite its uncommitted pages spill into the write-ahead log.
async fn writing(db: &TestDatabase, store: &Store) -> bool {
    let connection = store.connection();
    if connection.get_database_backend() == DbBackend::Postgres {
        let sql = "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() \
                   AND backend_xid IS NOT NULL AND pid <> pg_backend_pid()";
        let row = connection.query_one_raw(Statement::from_string(DbBackend::Postgres, sql)).await.expect("query");
        row.and_then(|row| row.try_get_by_index::<i64>(0).ok()).unwrap_or(0) > 0
    } else {
        std::fs::metadata(db.dir().join("test.db-wal")).map(|m| m.len() > 256 * 1024).unwrap_or(false)
    }
}

#[tokio::test]
async fn kill_9_during_an_import_of_10_000_rows_writes_nothing() {
    let db = TestDatabase::new().await;
    let migrated = crate::support::ketnoi(&db, &["migrate"]);
    assert!(migrated.status.success());
    let csv = ketnoi_domain::demo::generate(11, 8_000, 2_000);
    let (startups, investors) = (db.dir().join("startups.csv"), db.dir().join("investors.csv"));
    std::fs::write(&startups, csv.startups).expect("write");
    std::fs::write(&investors, csv.investors).expect("write");
    let store = Store::connect(db.url()).await.expect("connect");
    let mut child = Command::new(env!("CARGO_BIN_EXE_ketnoi"))
        .args(["import", "--event", "national-2026", "--startups"])
        .arg(&startups)
        .arg("--investors")
        .arg(&investors)
        .arg("--data-dir")
        .arg(db.dir())
        .args(["--database-url", db.url()])
        .env("KETNOI_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start ketnoi import");
    let started = Instant::now();
    while !writing(&db, &store).await {
        assert!(child.try_wait().expect("wait").is_none(), "the import ended before it was seen writing");
        assert!(started.elapsed() < Duration::from_secs(120), "the import never started writing");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert!(child.try_wait().expect("wait").is_none(), "still importing when killed");
    child.kill().expect("kill -9");
    child.wait().expect("wait");

    let count = |sql: &'static str| {
        let store = store.clone();
        async move {
            let backend = store.connection().get_database_backend();
            let row = store.connection().query_one_raw(Statement::from_string(backend, sql)).await.expect("count");
            row.and_then(|row| row.try_get_by_index::<i64>(0).ok()).expect("a count")
        }
    };
    assert_eq!(count("SELECT count(*) FROM organizations").await, 0, "no organization of the killed import");
    assert_eq!(count("SELECT count(*) FROM events").await, 0, "nor its event");
    assert_eq!(count("SELECT count(*) FROM event_log").await, 0, "nor a row of the log");
    // The database is whole and takes the same import again.
    let again = crate::support::ketnoi(
        &db,
        &[
            "import",
            "--event",
            "national-2026",
            "--startups",
            startups.to_str().expect("path"),
            "--investors",
            investors.to_str().expect("path"),
        ],
    );
    assert!(again.status.success(), "{}", crate::support::stderr(&again));
    assert_eq!(count("SELECT count(*) FROM organizations").await, 10_000);
}

#[path = "../../benches/support/mod.rs"]
pub(crate) mod bulk;

/// The CPU time a process has used, in clock ticks (user and system).
fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // The fields after the command name, which is in parentheses and may hold spaces.
    let fields: Vec<&str> =
        stat.rsplit_once(')').map(|(_, rest)| rest.split_whitespace().collect()).unwrap_or_default();
    let field = |n: usize| fields.get(n).and_then(|f| f.parse::<u64>().ok()).unwrap_or(0);
    // utime and stime: fields 14 and 15 of the line, 12 and 13 after the name.
    field(11) + field(12)
}

/// Where each meeting of the event is placed: (meeting, slot, table), in id order.
async fn placements(store: &Store, event_id: i64) -> Vec<(i64, Option<i64>, Option<u32>)> {
    let mut placed: Vec<_> =
        store.meetings(event_id).await.expect("meetings").into_iter().map(|m| (m.id, m.slot_id, m.table)).collect();
    placed.sort_unstable();
    placed
}

#[tokio::test]
async fn kill_9_during_a_scheduler_run_leaves_the_previous_schedule_intact() {
    use ketnoi_app::events::{SessionBody, SessionsBody};
    use ketnoi_app::schedule::RunBody;
    use ketnoi_app::{App, Credential, Settings};

    let db = TestDatabase::new().await;
    let csv = ketnoi_domain::demo::generate(5, 900, 300);
    let (startups, investors) = (db.dir().join("startups.csv"), db.dir().join("investors.csv"));
    std::fs::write(&startups, csv.startups).expect("write");
    std::fs::write(&investors, csv.investors).expect("write");
    let paths = [startups.to_str().expect("path"), investors.to_str().expect("path")];
    let imported = crate::support::ketnoi(
        &db,
        &["import", "--event", "expo-2026", "--startups", paths[0], "--investors", paths[1]],
    );
    assert!(imported.status.success(), "{}", crate::support::stderr(&imported));
    let store = Store::connect(db.url()).await.expect("connect");
    let app = App::new(store.clone(), Settings::default());
    let (organiser, _) = app
        .add_organiser("expo-2026", "organiser@expo.vn", "Ban tổ chức", "organiser password 2026")
        .await
        .expect("organiser");
    let (_, secret) = store.create_token(organiser.id, "run", None).await.expect("token");
    let caller = app.identify(Some(Credential::Token(&secret))).await.expect("caller");
    let session = |name: &str, start: &str, end: &str| SessionBody {
        name: name.to_owned(),
        date: "2036-06-10".to_owned(),
        start: start.to_owned(),
        end: end.to_owned(),
        slot_minutes: 20,
        tables: 120,
    };
    let sessions =
        SessionsBody { sessions: vec![session("Sáng", "08:00", "12:00"), session("Chiều", "13:00", "17:00")] };
    app.set_sessions(&caller, "expo-2026", &sessions).await.expect("sessions");
    let event = app.event("expo-2026").await.expect("event");
    let (mut startup_ids, mut investor_ids) = (Vec::new(), Vec::new());
    for participant in store.event_participants(event.id).await.expect("participants") {
        match participant.profile.kind() {
            ketnoi_domain::profile::OrgKind::Startup => startup_ids.push(participant.id),
            ketnoi_domain::profile::OrgKind::Investor => investor_ids.push(participant.id),
        }
    }
    bulk::accepted_meetings(&store, event.id, &startup_ids, &investor_ids, 2_500).await.expect("meetings");
    app.run_scheduler(&caller, "expo-2026", &RunBody::default()).await.expect("first run");
    let before = placements(&store, event.id).await;
    assert!(before.iter().filter(|(_, slot, _)| slot.is_some()).count() > 1_000, "a schedule to keep");

    // The same run laid out the other way, on a server of its own, killed while it runs.
    let (server, base) = start_server(
        Command::new(env!("CARGO_BIN_EXE_ketnoi"))
            .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
            .arg(db.dir().join("server"))
            .args(["--database-url", db.url()])
            .env("KETNOI_LOG", "error"),
    );
    let mut server = Killed(server);
    let idle = cpu_ticks(server.0.id());
    let run = tokio::spawn(
        reqwest::Client::new()
            .post(format!("{base}/api/v1/events/expo-2026/schedule"))
            .bearer_auth(&secret)
            .json(&serde_json::json!({"layout": "spread"}))
            .send(),
    );
    if store.connection().get_database_backend() == DbBackend::Postgres {
        // Running: it holds the event's scheduling lock.
        let sql = "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid \
                   WHERE l.locktype = 'advisory' AND l.granted AND a.datname = current_database()";
        let started = Instant::now();
        loop {
            let row = store.connection().query_one_raw(Statement::from_string(DbBackend::Postgres, sql)).await;
            if row.expect("query").and_then(|row| row.try_get_by_index::<i64>(0).ok()).unwrap_or(0) > 0 {
                break;
            }
            assert!(!run.is_finished(), "the run ended before it was seen running");
            assert!(started.elapsed() < Duration::from_secs(60), "the run never started");
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    } else {
        // Running: the server, idle before, has spent a tenth of a second of CPU on it (the
        // whole run takes seconds here).
        let started = Instant::now();
        while cpu_ticks(server.0.id()) < idle + 10 {
            assert!(!run.is_finished(), "the run ended before it was seen running");
            assert!(started.elapsed() < Duration::from_secs(60), "the run never started");
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
    }
    assert!(!run.is_finished(), "the run was still going when the server was killed");
    server.0.kill().expect("kill -9");
    server.0.wait().expect("wait");
    assert!(run.await.expect("task").is_err(), "no answer from a killed server");

    let after = placements(&store, event.id).await;
    let moved = before.iter().zip(&after).filter(|(a, b)| a != b).count();
    assert_eq!((after.len(), moved), (before.len(), 0), "the previous schedule, untouched");
    // Nothing was left held: the next run goes ahead.
    app.run_scheduler(&caller, "expo-2026", &RunBody::default()).await.expect("a run after the kill");
}

/// `ketnoi serve` on the embedded SQLite database of `data`, quiet, killed when dropped: its
/// handle and base URL.
fn serve_embedded(data: &std::path::Path) -> (Killed, String) {
    let (server, base) = start_server(
        Command::new(env!("CARGO_BIN_EXE_ketnoi"))
            .arg("--data-dir")
            .arg(data)
            .args(["serve", "--listen", "127.0.0.1:0"])
            .env("KETNOI_LOG", "off")
            .env_remove("KETNOI_DATABASE_URL")
            .stderr(Stdio::null()),
    );
    (Killed(server), base)
}

/// A small tmpfs, unmounted when dropped.
struct Tmpfs(tempfile::TempDir);

impl Tmpfs {
    /// Mounts one of `size`, or says why it cannot be.
    fn mount(size: &str) -> Result<Tmpfs, String> {
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let mounted = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir.path())
            .output()
            .map_err(|e| e.to_string())?;
        if !mounted.status.success() {
            return Err(String::from_utf8_lossy(&mounted.stderr).trim().to_owned());
        }
        Ok(Tmpfs(dir))
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        Command::new("umount").arg("-l").arg(self.0.path()).status().ok();
    }
}

/// A child process killed when dropped, test failed or not.
struct Killed(std::process::Child);

impl Drop for Killed {
    fn drop(&mut self) {
        self.0.kill().ok();
        self.0.wait().ok();
    }
}

/// Fills the file system of `dir` with one file, until it refuses.
fn fill(dir: &std::path::Path) -> std::path::PathBuf {
    use std::io::Write;
    let path = dir.join("filler");
    let mut file = std::fs::File::create(&path).expect("filler");
    let chunk = vec![0u8; 16 * 1024];
    while file.write_all(&chunk).is_ok() {}
    file.flush().ok();
    path
}

/// The SQLite database of a data directory on a full disk: a write is refused with 507 and
/// nothing of it kept, nothing is corrupted, reads go on; with room again, it succeeds.
#[tokio::test]
async fn a_full_disk_refuses_writes_with_507_and_service_resumes_when_space_returns() {
    let disk = match Tmpfs::mount("16m") {
        Ok(disk) => disk,
        Err(why) => {
            eprintln!("skipped: a tmpfs cannot be mounted here ({why})");
            return;
        }
    };
    let data = disk.0.path().join("data");
    import_fixtures_into(&data);
    let organiser = ketnoi_embedded(
        &data,
        &["user", "add-organiser", "--event", "techfest-test", "--email", "organiser@techfest.test"],
    );
    assert!(organiser.status.success(), "{}", String::from_utf8_lossy(&organiser.stderr));
    let (server, base) = serve_embedded(&data);
    let client = reqwest::Client::new();
    let signed_in = client
        .post(format!("{base}/api/v1/auth/login"))
        .json(&serde_json::json!({"email": "organiser@techfest.test", "password": PASSWORD}))
        .send()
        .await
        .expect("sign in");
    assert_eq!(signed_in.status().as_u16(), 200);
    let cookie =
        signed_in.headers()["set-cookie"].to_str().expect("cookie").split(';').next().expect("pair").to_owned();
    let csv = ketnoi_domain::demo::generate(3, 1_200, 0);
    let import = || {
        client
            .post(format!("{base}/api/v1/events/techfest-test/import"))
            .header("cookie", &cookie)
            .json(&serde_json::json!({"startups": csv.startups}))
            .send()
    };
    let total = || async {
        let listed = client.get(format!("{base}/api/v1/organizations?limit=1")).send().await.expect("list");
        assert_eq!(listed.status().as_u16(), 200, "reading goes on");
        listed.json::<serde_json::Value>().await.expect("json")["total"].as_u64().expect("total")
    };
    let before = total().await;

    let filler = fill(disk.0.path());
    // A large write: refused, said plainly, and nothing of it kept.
    let refused = import().await.expect("import");
    assert_eq!(refused.status().as_u16(), 507);
    let problem: serde_json::Value = refused.json().await.expect("json");
    assert_eq!(problem["code"], "storage-full", "{problem}");
    assert_eq!(total().await, before);

    std::fs::remove_file(filler).expect("room again");
    let imported = import().await.expect("import");
    assert_eq!(imported.status().as_u16(), 200, "{:?}", imported.text().await);
    assert_eq!(total().await, before + 1_200);
    drop(server);
    let check = Command::new("python3")
        .args([
            "-c",
            "import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute('pragma integrity_check').fetchone()[0])",
        ])
        .arg(data.join("ketnoi.db"))
        .output()
        .expect("python3");
    assert_eq!(String::from_utf8_lossy(&check.stdout).trim(), "ok", "{}", String::from_utf8_lossy(&check.stderr));
}

/// The fixtures and 3,400 more organizations in `data`, served: enough that rebuilding the
/// index takes long enough to be seen. With a search for Cảng Số (by name) answering its status
/// and whether it found it, and `/readyz` answering its status and body.
async fn serving_an_index(data: &std::path::Path) -> (Killed, String) {
    import_fixtures_into(data);
    let csv = ketnoi_domain::demo::generate(11, 3_000, 400);
    let dir = data.parent().expect("parent");
    let (startups, investors) = (dir.join("startups.csv"), dir.join("investors.csv"));
    std::fs::write(&startups, csv.startups).expect("write");
    std::fs::write(&investors, csv.investors).expect("write");
    let args = ["import", "--event", "expo-2026", "--startups", startups.to_str().expect("path")];
    let imported = ketnoi_embedded(data, &[&args[..], &["--investors", investors.to_str().expect("path")]].concat());
    assert!(imported.status.success(), "{}", String::from_utf8_lossy(&imported.stderr));
    serve_embedded(data)
}

/// `q` searched through the API: its status and the names found.
async fn search_names(base: &str, q: &str) -> (u16, Vec<String>) {
    let answer = reqwest::get(format!("{base}/api/v1/organizations?q={q}&limit=5")).await.expect("search");
    let status = answer.status().as_u16();
    let body: serde_json::Value = answer.json().await.expect("json");
    let names = body["items"].as_array().into_iter().flatten();
    (status, names.map(|item| item["name"].as_str().unwrap_or_default().to_owned()).collect())
}

/// `/readyz`: its status and body.
async fn readiness(base: &str) -> (u16, String) {
    let answer = reqwest::get(format!("{base}/readyz")).await.expect("readyz");
    (answer.status().as_u16(), answer.text().await.expect("body"))
}

/// The search index's segment files written over in place under a serving server (as a
/// failing disk or a stray process would, the inodes kept, so the server's maps see it): the
/// damage is noticed, the index is not searched again, searches keep answering by name from
/// the database, `/readyz` says so, and a new index replaces it by itself.
#[tokio::test]
async fn an_index_written_over_while_serving_is_set_aside_searched_by_name_and_rebuilt() {
    use std::io::Write;
    let dir = tempfile::tempdir().expect("dir");
    let data = dir.path().join("data");
    let (_server, base) = serving_an_index(&data).await;
    let cang_so = || async { search_names(&base, "cang%20so").await };
    let found = |answer: (u16, Vec<String>)| answer.0 == 200 && answer.1.iter().any(|name| name == "Cảng Số");
    // Found by its description, which only the index knows.
    let by_description = || async {
        let (status, names) = search_names(&base, "cam%20bien%20do%20am%20ruong%20lua").await;
        (status, names.iter().any(|name| name == "Đồng Xanh Agri"))
    };
    assert!(found(cang_so().await));
    assert_eq!(by_description().await, (200, true));
    assert_eq!(readiness(&base).await.0, 200);

    let index = data.join("index");
    let mut written = 0;
    for entry in std::fs::read_dir(&index).expect("index") {
        let path = entry.expect("entry").path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_owned();
        if name.ends_with(".json") || name.ends_with(".lock") {
            continue;
        }
        let len = std::fs::metadata(&path).expect("stat").len() as usize;
        let mut file = std::fs::OpenOptions::new().write(true).open(&path).expect("open");
        file.write_all(&vec![0xA5; len]).expect("write over");
        written += 1;
    }
    assert!(written > 0, "no segment file in {}", index.display());
    let started = Instant::now();
    let mut seen_damaged = false;
    loop {
        assert!(found(cang_so().await), "searches answer, by name at least, while the index is rebuilt");
        let (status, body) = readiness(&base).await;
        if status == 503 {
            // Noticed by its files (`… was written over`), or by a search failing on it first.
            assert!(body.contains("search index: damaged"), "{body}");
            seen_damaged = true;
        } else if seen_damaged {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(60), "not rebuilt within a minute (last: {status} {body})");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    // The new index serves, descriptions included.
    assert!(found(cang_so().await));
    assert_eq!(by_description().await, (200, true));
}

/// The search index deleted under a serving server: searches keep answering from the index as
/// it was opened, `/readyz` says it is being rebuilt, and the server builds a new one from the
/// database by itself.
#[tokio::test]
async fn an_index_deleted_while_serving_is_rebuilt_while_searches_keep_answering() {
    let dir = tempfile::tempdir().expect("dir");
    let data = dir.path().join("data");
    let (_server, base) = serving_an_index(&data).await;
    let search = || async {
        let (status, names) = search_names(&base, "cang%20so").await;
        (status, names.iter().any(|name| name == "Cảng Số"))
    };
    let ready = || async { readiness(&base).await };
    assert_eq!(search().await, (200, true));
    assert_eq!(ready().await.0, 200);

    let index = data.join("index");
    std::fs::remove_dir_all(&index).expect("delete the index");
    let started = Instant::now();
    let mut seen_rebuilding = false;
    loop {
        assert_eq!(search().await, (200, true), "searches answer while the index is rebuilt");
        let (status, body) = ready().await;
        if status == 503 {
            assert!(body.contains("being rebuilt"), "{body}");
            seen_rebuilding = true;
        } else if seen_rebuilding && index.join("meta.json").exists() {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(60), "not rebuilt within a minute (last: {status} {body})");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    // The new index serves.
    assert_eq!(search().await, (200, true));
    assert_eq!(ready().await.0, 200);
}
