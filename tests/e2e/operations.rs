//! What operators rely on: liveness that touches nothing, readiness that names what is wrong,
//! a request id on every answer, in its problem and in the logs, and slow requests warned of.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use ketnoi_app::health::INDEX_LAG_READY;
use ketnoi_server::auth::AuthConfig;
use ketnoi_store::{OrganizationQuery, ProfileEdit};
use sea_orm::{ConnectionTrait, Statement};

use ketnoi_store::testing::TestDatabase;

use crate::support::{TestApp, import_fixtures};

fn header(response: &reqwest::Response, name: &str) -> String {
    response.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned()
}

#[tokio::test]
async fn readiness_names_the_index_lag_the_migrations_and_the_database() {
    let app = TestApp::with_fixtures().await;
    app.indexer.sync(Duration::from_secs(5)).await.expect("sync");
    let ready = app.json("/readyz", 200).await;
    assert_eq!(ready["status"], "ready");
    assert_eq!(ready["index_lag"], 0);

    // More profile changes than the index may lag behind, not applied yet.
    let first = app
        .store
        .organizations(&OrganizationQuery { limit: 1, ..OrganizationQuery::default() })
        .await
        .expect("list")
        .items
        .remove(0);
    let edit = ProfileEdit { profile: first.profile.clone(), phone: first.phone.clone(), funding_private: false };
    for _ in 0..=INDEX_LAG_READY {
        app.store.update_organization(first.id, &edit).await.expect("update");
    }
    // On PostgreSQL a row counts once older than every transaction of the cluster still open
    // (other tests run beside this one): the lag shows within moments, not always at once.
    let mut response = app.get("/readyz").await;
    for _ in 0..100 {
        if response.status().as_u16() == 503 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        response = app.get("/readyz").await;
    }
    assert_eq!(response.status().as_u16(), 503);
    assert_eq!(header(&response, "retry-after"), "2");
    let problem: serde_json::Value = response.json().await.expect("json");
    assert_eq!(problem["code"], "not-ready");
    assert_eq!(problem["index_lag"], INDEX_LAG_READY + 1);
    assert!(problem["reasons"][0].as_str().unwrap_or_default().starts_with("search index:"), "{problem}");
    assert!(problem["detail"].as_str().unwrap_or_default().contains("behind the event log"), "{problem}");
    app.indexer.sync(Duration::from_secs(5)).await.expect("sync");
    assert_eq!(app.json("/readyz", 200).await["index_lag"], 0);

    // The newest migration forgotten by the database: not ready, naming it.
    let db = app.store.connection();
    let backend = db.get_database_backend();
    let newest = db
        .query_one_raw(Statement::from_string(
            backend,
            "SELECT version FROM seaql_migrations ORDER BY version DESC LIMIT 1",
        ))
        .await
        .expect("query")
        .expect("a migration");
    let version: String = newest.try_get("", "version").expect("version");
    db.execute_raw(Statement::from_sql_and_values(
        backend,
        if backend == sea_orm::DbBackend::Postgres {
            "DELETE FROM seaql_migrations WHERE version = $1"
        } else {
            "DELETE FROM seaql_migrations WHERE version = ?"
        },
        [version.clone().into()],
    ))
    .await
    .expect("forget");
    let problem = app.json("/readyz", 503).await;
    assert_eq!(problem["pending_migrations"], serde_json::json!([version]));
    assert!(problem["reasons"][0].as_str().unwrap_or_default().contains("ketnoi migrate"), "{problem}");

    // The database gone: not ready; liveness still answers, having asked nothing.
    db.close_by_ref().await.expect("close");
    let problem = app.json("/readyz", 503).await;
    assert_eq!(problem["database"], false);
    assert_eq!(problem["reasons"], serde_json::json!(["database: it does not answer"]));
    let live = app.get("/healthz").await;
    assert_eq!(live.status().as_u16(), 200);
    assert_eq!(live.text().await.expect("body"), "ok\n");
}

#[tokio::test]
async fn every_answer_has_a_request_id_and_a_problem_carries_it() {
    let app = TestApp::with_fixtures().await;
    let (a, b) = (app.get("/api/v1/organizations").await, app.get("/e/techfest-test").await);
    let (id_a, id_b) = (header(&a, "x-request-id"), header(&b, "x-request-id"));
    assert_eq!(id_a.len(), 32, "{id_a:?}");
    assert_ne!(id_a, id_b);

    let missing = app.get("/api/v1/nothing-here").await;
    let id = header(&missing, "x-request-id");
    let problem: serde_json::Value = missing.json().await.expect("json");
    assert_eq!(problem["request_id"], id.as_str());

    // Without --trust-proxy a client's own id is not taken: it could forge another's.
    let forged =
        app.client.get(format!("{}/api/v1/nothing-here", app.base)).header("x-request-id", "mine").send().await;
    assert_ne!(header(&forged.expect("request"), "x-request-id"), "mine");

    // Behind a trusted proxy its id is kept, on the answer and in the problem.
    let proxied = TestApp::with_auth(AuthConfig { trust_proxy: true, ..AuthConfig::default() }).await;
    let answer = proxied
        .client
        .get(format!("{}/api/v1/nothing-here", proxied.base))
        .header("x-request-id", "edge-7f3a")
        .send()
        .await
        .expect("request");
    assert_eq!(header(&answer, "x-request-id"), "edge-7f3a");
    let problem: serde_json::Value = answer.json().await.expect("json");
    assert_eq!(problem["request_id"], "edge-7f3a");
}

/// `--log-format json`: each line an object; a request slower than `--slow-request-ms` is a
/// warning carrying its route, status and request id, the one on the answer.
#[tokio::test]
async fn json_logs_warn_of_slow_requests_with_their_id() {
    let db = TestDatabase::new().await;
    import_fixtures(&db);
    let mut child = Command::new(env!("CARGO_BIN_EXE_ketnoi"))
        .args(["serve", "--listen", "127.0.0.1:0", "--log-format", "json", "--slow-request-ms", "0", "--data-dir"])
        .arg(db.dir())
        .args(["--database-url", db.url()])
        .env("KETNOI_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start ketnoi serve");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut line).expect("read");
    let url = line.trim().strip_prefix("ketnoi is listening on ").expect("url line").to_owned();
    let answer = reqwest::get(format!("{url}api/v1/events/techfest-test")).await.expect("get");
    let id = header(&answer, "x-request-id");
    let stderr = child.stderr.take().expect("stderr");
    let (found, wanted) = (std::sync::mpsc::channel(), id.clone());
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let Ok(entry) = serde_json::from_str::<serde_json::Value>(&line) else {
                found.0.send(Err(line)).ok();
                return;
            };
            if entry["span"]["request_id"] == wanted.as_str() {
                found.0.send(Ok(entry)).ok();
                return;
            }
        }
    });
    let entry = found.1.recv_timeout(Duration::from_secs(10)).expect("a log line for the request");
    Command::new("kill").args(["-TERM", &child.id().to_string()]).status().expect("kill");
    child.wait().expect("wait");
    let entry = entry.unwrap_or_else(|line| panic!("not a JSON line: {line}"));
    assert_eq!(entry["level"], "WARN");
    assert_eq!(entry["fields"]["message"], "slow request");
    assert_eq!(entry["fields"]["status"], 200);
    assert_eq!(entry["span"]["route"], "/api/v1/events/{slug}");
    assert_eq!(entry["span"]["method"], "GET");
}
