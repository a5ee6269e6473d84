//! Search through the index, and the index kept equal to the database through changes,
//! crashes and corruption.

use std::sync::Arc;

use ketnoi_app::Indexer;
use ketnoi_store::Store;
use ketnoi_store::testing::TestDatabase;

use crate::support::{SETTLE, TestApp, fixture, import_fixtures, ketnoi, names, stderr};

/// (id, name) of every organization in the database, by id.
async fn database_contents(store: &Store) -> Vec<(i64, String)> {
    let all = store.organizations_after(0, 100_000).await.expect("organizations");
    all.into_iter().map(|o| (o.id, o.profile.name)).collect()
}

#[tokio::test]
async fn text_search_ranks_folds_and_forgives() {
    let app = TestApp::with_fixtures().await;
    let found = app.json("/api/v1/organizations?q=cang%20hai%20phong", 200).await;
    assert_eq!(names(&found)[0], "Cảng Số");
    let snippet = found["items"][0]["snippet"].as_str().expect("snippet");
    assert!(snippet.contains("<b>cảng</b> <b>Hải</b> <b>Phòng</b>"), "{snippet}");

    let agri = app.json("/api/v1/organizations?q=nong%20nghiep&kind=startup", 200).await;
    assert_eq!(agri["total"], 2);
    assert_eq!(names(&agri).len(), 2);
    assert!(names(&agri).contains(&"Đồng Xanh Agri") && names(&agri).contains(&"Nông Sản Xanh"), "{agri}");

    let typo = app.json("/api/v1/organizations?q=logistcs", 200).await;
    assert!(names(&typo).contains(&"PortLink"), "{typo}");

    let page = app.json("/api/v1/organizations?q=xanh&limit=1&offset=1", 200).await;
    assert_eq!((page["total"].as_u64(), names(&page).len()), (Some(2), 1));

    for weird in ["name%3A%28", "%F0%9F%9A%80", "%00%07", "%22%5B%2A", "%20%20", &"phong%20".repeat(1500)] {
        app.json(&format!("/api/v1/organizations?q={weird}"), 200).await;
    }
    let problem = app.json("/api/v1/organizations?q=cang&limit=101", 400).await;
    assert_eq!(problem["errors"][0]["field"], "limit");
    let problem = app.json("/api/v1/organizations?q=cang&offset=10001", 400).await;
    assert_eq!(problem["errors"][0]["field"], "offset");
    app.json("/api/v1/organizations?offset=10001", 200).await;
}

#[tokio::test]
async fn a_changed_profile_is_found_by_its_new_text_only() {
    let app = TestApp::with_fixtures().await;
    // The index opened while another test's transaction may have held the log back: take in
    // the fixtures first, so that what follows counts the edit alone.
    app.indexer.sync(SETTLE).await.expect("catch up");
    app.json("/api/v1/organizations?q=vi%20sinh", 200).await;
    // The search page too, as anyone sees it: kept for the crowd, not past the index's commit.
    let page = || async { app.get("/e/techfest-test/search?q=vi+sinh").await.text().await.expect("page") };
    assert!(!page().await.contains("Đồng Xanh Agri"));
    let edited = std::fs::read_to_string(fixture("startups.csv"))
        .expect("fixture")
        .replace("Cảm biến độ ẩm đất cho ruộng lúa.", "Chế phẩm vi sinh cho ruộng lúa.");
    let path = app.dir().join("edited.csv");
    std::fs::write(&path, edited).expect("write");
    let output =
        ketnoi(app.database(), &["import", "--event", "techfest-test", "--startups", path.to_str().expect("path")]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(app.indexer.sync(SETTLE).await.expect("catch up"), 1);
    assert_eq!(names(&app.json("/api/v1/organizations?q=vi%20sinh", 200).await), ["Đồng Xanh Agri"]);
    assert!(page().await.contains("Đồng Xanh Agri"));
    assert_eq!(app.json("/api/v1/organizations?q=cam%20bien%20do%20am", 200).await["total"], 0);
}

/// The indexer stops after committing part of the event log (a crash); on restart it resumes
/// from the committed position and ends equal to the database.
#[tokio::test]
async fn a_crash_mid_way_loses_nothing() {
    let db = TestDatabase::new().await;
    import_fixtures(&db);
    let store = Store::connect(db.url()).await.expect("connect");
    let index_dir = db.dir().join("index");
    {
        let indexer = Indexer::open(store.clone(), &index_dir, &|_| {}).await.expect("open");
        assert_eq!(indexer.index().stored().expect("stored"), database_contents(&store).await);
        // More changes arrive; the process dies after applying only the first of them.
        let renamed =
            std::fs::read_to_string(fixture("startups.csv")).expect("fixture").replace("PortLink", "PortLink Asia");
        let path = db.dir().join("renamed.csv");
        std::fs::write(&path, renamed.replace("Cảng Số,", "Cảng Số Mới,")).expect("write");
        let output = ketnoi(&db, &["import", "--event", "techfest-test", "--startups", path.to_str().expect("path")]);
        assert!(output.status.success(), "{}", stderr(&output));
        // Another test's transaction on the same PostgreSQL server (dropping its database,
        // say) may hold the log's horizon back for a moment, at the index's opening too: wait
        // until the import's two changes (its own transaction, the last) can be read.
        let deadline = std::time::Instant::now() + SETTLE;
        let pending = loop {
            let pending = store.log_after(indexer.position(), 100).await.expect("log");
            let last = pending.last().map(|entry| entry.position.tx);
            let imported = pending.iter().filter(|entry| Some(entry.position.tx) == last).count();
            if imported == 2 || std::time::Instant::now() > deadline {
                break pending;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        };
        assert!(pending.len() >= 2, "{pending:?}");
        let changed = pending[0].change.profile_changed().expect("a profile changed");
        let first = store.organization(changed).await.expect("organization");
        let document = ketnoi_search::Document::from_profile(first.id, &first.profile, vec![1]);
        let position = pending[0].position.to_string();
        indexer.index().apply([ketnoi_search::Change::Upsert(document)], &position).expect("apply");
    }
    let restarted = Indexer::open(store.clone(), &index_dir, &|_| {}).await.expect("reopen");
    assert_eq!(restarted.index().stored().expect("stored"), database_contents(&store).await);
    assert_eq!(restarted.position(), store.log_head().await.expect("position"));
}

#[tokio::test]
async fn a_corrupt_index_is_rebuilt_at_start() {
    let db = TestDatabase::new().await;
    import_fixtures(&db);
    let store = Store::connect(db.url()).await.expect("connect");
    let index_dir = db.dir().join("index");
    drop(Indexer::open(store.clone(), &index_dir, &|_| {}).await.expect("open"));
    std::fs::write(index_dir.join("meta.json"), b"{ not json").expect("corrupt");
    let indexer = Arc::new(Indexer::open(store.clone(), &index_dir, &|_| {}).await.expect("rebuilt"));
    assert_eq!(indexer.index().stored().expect("stored").len(), 8);
    assert_eq!(indexer.index().stored().expect("stored"), database_contents(&store).await);

    // `ketnoi reindex` rebuilds on demand.
    let output = ketnoi(&db, &["reindex"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(String::from_utf8_lossy(&output.stdout).contains("search index rebuilt: 8 organizations"));
}
