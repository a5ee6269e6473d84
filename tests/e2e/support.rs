//! A running service on a fresh database, and helpers to run the `ketnoi` binary.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use std::sync::Arc;

use ketnoi_server::indexer::Indexer;
use ketnoi_store::Store;
use ketnoi_store::testing::TestDatabase;
use tokio::sync::oneshot;

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/e2e/fixtures").join(name)
}

/// Runs `ketnoi ARGS` on the test database.
pub fn ketnoi(db: &TestDatabase, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ketnoi"))
        .args(args)
        .arg("--data-dir")
        .arg(db.dir())
        .arg("--database-url")
        .arg(db.url())
        .env("KETNOI_LOG", "warn")
        .output()
        .expect("run the ketnoi binary")
}

/// The names of a listing's items, in order.
pub fn names(listing: &serde_json::Value) -> Vec<&str> {
    listing["items"].as_array().expect("items").iter().map(|item| item["name"].as_str().expect("name")).collect()
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Imports the fixture event `techfest-test` with the `ketnoi import` command.
pub fn import_fixtures(db: &TestDatabase) {
    let output = ketnoi(
        db,
        &[
            "import",
            "--event",
            "techfest-test",
            "--startups",
            fixture("startups.csv").to_str().expect("utf-8 path"),
            "--investors",
            fixture("investors.csv").to_str().expect("utf-8 path"),
        ],
    );
    assert!(output.status.success(), "import failed: {}", stderr(&output));
}

/// The service, serving on a port of its own until dropped.
pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub indexer: Arc<Indexer>,
    shutdown: Option<oneshot::Sender<()>>,
    // Dropped last: the database outlives the server.
    db: TestDatabase,
}

impl TestApp {
    /// A server over the fixture event.
    pub async fn with_fixtures() -> TestApp {
        let db = TestDatabase::new().await;
        import_fixtures(&db);
        TestApp::serve(db).await
    }

    pub async fn serve(db: TestDatabase) -> TestApp {
        let store = Store::connect(db.url()).await.expect("connect");
        store.migrate().await.expect("migrate");
        let indexer = Indexer::open(store.clone(), &db.dir().join("index"), &|_| {}).await.expect("index");
        let indexer = Arc::new(indexer);
        let state = ketnoi_server::AppState::new(store, Arc::clone(&indexer));
        let server = ketnoi_server::Server::bind("127.0.0.1:0".parse().expect("address"), state).await.expect("bind");
        let base = format!("http://{}", server.local_addr().expect("local address"));
        let (shutdown, stopped) = oneshot::channel::<()>();
        tokio::spawn(server.run(async move {
            stopped.await.ok();
        }));
        TestApp { base, client: reqwest::Client::new(), indexer, shutdown: Some(shutdown), db }
    }

    pub fn database(&self) -> &TestDatabase {
        &self.db
    }

    pub fn dir(&self) -> &Path {
        self.db.dir()
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(format!("{}{path}", self.base)).send().await.expect("request")
    }

    /// GETs `path`, checks the status and returns the JSON body.
    pub async fn json(&self, path: &str, status: u16) -> serde_json::Value {
        let response = self.get(path).await;
        let actual = response.status().as_u16();
        let content_type =
            response.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
        let body = response.text().await.expect("body");
        assert_eq!(actual, status, "GET {path}: {body}");
        if status >= 400 {
            assert_eq!(content_type, "application/problem+json", "GET {path}");
        }
        serde_json::from_str(&body).unwrap_or_else(|e| panic!("GET {path}: not JSON ({e}): {body}"))
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            shutdown.send(()).ok();
        }
    }
}
