//! `ketnoi backup` while a server runs, and `ketnoi restore` into a fresh data directory that
//! then serves the same data; a file that is no backup changes nothing.

use std::path::Path;
use std::process::{Child, Command, Output};

use serde_json::Value;

use crate::support::{fixture, import_fixtures_into, ketnoi_embedded, start_server};

fn run(data_dir: &Path, args: &[&str]) -> Output {
    ketnoi_embedded(data_dir, args)
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// `ketnoi serve` on a data directory's own SQLite database, and its address.
struct Serving(Child, String);

impl Serving {
    fn start(data_dir: &Path) -> Serving {
        let (child, base) = start_server(
            Command::new(env!("CARGO_BIN_EXE_ketnoi"))
                .arg("--data-dir")
                .arg(data_dir)
                .args(["serve", "--listen", "127.0.0.1:0"])
                .env("KETNOI_LOG", "warn")
                .env_remove("KETNOI_DATABASE_URL"),
        );
        Serving(child, base)
    }

    async fn json(&self, path: &str) -> Value {
        reqwest::get(format!("{}{path}", self.1)).await.expect("get").json().await.expect("json")
    }
}

impl Drop for Serving {
    fn drop(&mut self) {
        self.0.kill().ok();
        self.0.wait().ok();
    }
}

/// Every file under `dir` with its size: what "unchanged" is checked against.
fn listing(dir: &Path) -> Vec<(String, u64)> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).expect("read dir").flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(listing(&path));
        } else {
            files.push((path.display().to_string(), entry.metadata().expect("metadata").len()));
        }
    }
    files.sort();
    files
}

#[tokio::test]
async fn a_backup_taken_while_serving_restores_into_a_fresh_directory_that_serves_the_same() {
    let root = tempfile::tempdir().expect("temp dir");
    let (live, saved, fresh) = (root.path().join("live"), root.path().join("backups"), root.path().join("fresh"));
    std::fs::create_dir_all(&saved).expect("backups dir");
    import_fixtures_into(&live);
    let serving = Serving::start(&live);
    let listing_path = "/api/v1/organizations?limit=100";
    let before = serving.json(listing_path).await;
    assert_eq!(before["total"], 8);

    let file = saved.join("ketnoi-backup.db");
    let backed_up = run(&live, &["backup", "--to", file.to_str().expect("path")]);
    assert!(backed_up.status.success(), "{}", text(&backed_up.stderr));
    assert!(text(&backed_up.stdout).contains("1 events, 8 organizations"), "{}", text(&backed_up.stdout));
    assert!(!saved.join("ketnoi-backup.db.partial").exists());
    let again = run(&live, &["backup", "--to", file.to_str().expect("path")]);
    assert!(!again.status.success());
    assert!(text(&again.stderr).contains("exists; a backup never overwrites a file"), "{}", text(&again.stderr));
    drop(serving);

    let restored = run(&fresh, &["restore", "--from", file.to_str().expect("path")]);
    assert!(restored.status.success(), "{}", text(&restored.stderr));
    let serving = Serving::start(&fresh);
    assert_eq!(serving.json(listing_path).await, before);
    // The index was built from the restored database: search finds its organizations.
    let found = serving.json("/api/v1/organizations?q=logistics").await;
    assert!(found["total"].as_u64().unwrap_or(0) >= 1, "{found}");
}

#[tokio::test]
async fn a_file_that_is_not_a_backup_is_refused_and_the_data_directory_is_left_as_it_was() {
    let root = tempfile::tempdir().expect("temp dir");
    let data = root.path().join("data");
    let migrated = run(&data, &["migrate"]);
    assert!(migrated.status.success(), "{}", text(&migrated.stderr));
    let unchanged = listing(&data);

    let csv = fixture("startups.csv");
    let refused = run(&data, &["restore", "--from", csv.to_str().expect("path")]);
    assert!(!refused.status.success());
    assert!(
        text(&refused.stderr).contains("is not a ketnoi backup: it is not an SQLite database"),
        "{}",
        text(&refused.stderr)
    );

    // An SQLite database, but not ketnoi's.
    let other = root.path().join("other.db");
    let made = Command::new("python3")
        .args([
            "-c",
            "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute('create table t (x)'); c.commit()",
        ])
        .arg(&other)
        .status()
        .expect("python3");
    assert!(made.success());
    let refused = run(&data, &["restore", "--from", other.to_str().expect("path")]);
    assert!(!refused.status.success());
    assert!(text(&refused.stderr).contains("it has no ketnoi migrations table"), "{}", text(&refused.stderr));

    let missing = run(&data, &["restore", "--from", root.path().join("nothing.db").to_str().expect("path")]);
    assert!(!missing.status.success());
    assert!(text(&missing.stderr).contains("cannot read it"), "{}", text(&missing.stderr));
    assert_eq!(listing(&data), unchanged, "nothing in the data directory changed");
}
