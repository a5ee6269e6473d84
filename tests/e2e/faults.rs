//! Faults a real deployment meets, each shown on the real binary: a process killed with
//! `kill -9` in the middle of its work leaves nothing half-written.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use ketnoi_store::Store;
use ketnoi_store::testing::TestDatabase;
use sea_orm::{ConnectionTrait, DbBackend, Statement};

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
