//! What operators rely on: liveness that touches nothing, readiness that names what is wrong,
//! a request id on every answer, in its problem and in the logs, and slow requests warned of.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use ketnoi_app::health::INDEX_LAG_READY;
use ketnoi_server::auth::AuthConfig;
use ketnoi_server::observe::{MetricsToken, Operations};
use ketnoi_store::{OrganizationQuery, ProfileEdit};
use sea_orm::{ConnectionTrait, Statement};

use ketnoi_store::testing::TestDatabase;

use crate::support::{TestApp, Who, import_fixtures, sample, start_server};

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
    let (mut child, base) = start_server(
        Command::new(env!("CARGO_BIN_EXE_ketnoi"))
            .args(["serve", "--listen", "127.0.0.1:0", "--log-format", "json", "--slow-request-ms", "0", "--data-dir"])
            .arg(db.dir())
            .args(["--database-url", db.url()])
            .env("KETNOI_LOG", "warn")
            .stderr(Stdio::piped()),
    );
    let answer = reqwest::get(format!("{base}/api/v1/events/techfest-test")).await.expect("get");
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

#[tokio::test]
async fn metrics_count_requests_scheduler_runs_streams_and_read_the_pool_and_lags() {
    let app = TestApp::with_fixtures().await;
    for _ in 0..2 {
        assert_eq!(app.get("/api/v1/events/techfest-test").await.status().as_u16(), 200);
    }
    assert_eq!(app.get("/api/v1/events/no-such-event").await.status().as_u16(), 404);
    // A method of the client's own making is counted, as `other`: clients do not make series.
    let brew = reqwest::Method::from_bytes(b"BREW").expect("method");
    let brewed = app.client.request(brew, format!("{}/api/v1/events/techfest-test", app.base)).send().await;
    assert!(brewed.expect("request").status().is_client_error());
    let event = app.event_id("techfest-test").await;
    let organiser = app.account("organiser@techfest.test", None, Some(event)).await;
    let run = app.send("POST", "/api/v1/events/techfest-test/schedule", &organiser, Some(&serde_json::json!({}))).await;
    assert_eq!(run.status, 200, "{:?}", run.body);
    let Who::Browser(secret) = &organiser else { panic!("a browser") };
    let stream = app
        .client
        .get(format!("{}/api/v1/me/stream", app.base))
        .header("cookie", format!("ketnoi_session={secret}"))
        .send()
        .await
        .expect("stream");
    assert_eq!(stream.status().as_u16(), 200);

    let response = app.get("/metrics").await;
    assert_eq!(response.status().as_u16(), 200);
    assert!(header(&response, "content-type").starts_with("application/openmetrics-text"));
    let text = response.text().await.expect("body");
    let route = r#"method="GET",route="/api/v1/events/{slug}""#;
    assert_eq!(sample(&text, &format!("ketnoi_http_requests_total{{{route},status=\"200\"}}")), Some(2.0), "{text}");
    assert_eq!(sample(&text, &format!("ketnoi_http_requests_total{{{route},status=\"404\"}}")), Some(1.0), "{text}");
    assert_eq!(
        sample(&text, &format!("ketnoi_http_request_duration_seconds_count{{{route},status=\"200\"}}")),
        Some(2.0),
        "{text}"
    );
    assert!(!text.contains("BREW") && text.contains(r#"method="other""#), "{text}");
    assert_eq!(sample(&text, r#"ketnoi_scheduler_runs_total{outcome="ok"}"#), Some(1.0), "{text}");
    assert_eq!(sample(&text, "ketnoi_scheduler_duration_seconds_count"), Some(1.0), "{text}");
    assert_eq!(sample(&text, "ketnoi_open_event_streams"), Some(1.0), "{text}");
    assert!(sample(&text, r#"ketnoi_db_pool_connections{state="idle"}"#).is_some(), "{text}");
    assert!(sample(&text, r#"ketnoi_db_pool_connections{state="in_use"}"#).is_some(), "{text}");
    // The test's index is caught up by hand: the account and the run are still to apply (on
    // PostgreSQL once older than every transaction open on the server: within moments).
    let index_lag = |text: &str| sample(text, r#"ketnoi_event_log_consumer_lag{consumer="search-index"}"#);
    let mut text = text;
    for _ in 0..100 {
        if index_lag(&text).is_some_and(|lag| lag >= 1.0) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        text = app.get("/metrics").await.text().await.expect("body");
    }
    assert!(index_lag(&text).is_some_and(|lag| lag >= 1.0), "{text}");
    app.indexer.sync(Duration::from_secs(5)).await.expect("sync");
    let text = app.get("/metrics").await.text().await.expect("body");
    assert_eq!(index_lag(&text), Some(0.0), "{text}");
    drop(stream);
}

#[tokio::test]
async fn metrics_need_the_token_when_one_is_set_and_else_a_client_on_this_machine() {
    let token = "metrics-secret-0123456789";
    let operations =
        Operations { metrics_token: Some(MetricsToken::parse(token).expect("token")), ..Operations::default() };
    let app = TestApp::with_operations(AuthConfig::default(), operations).await;
    let url = format!("{}/metrics", app.base);
    let without = app.client.get(&url).send().await.expect("request");
    assert_eq!(without.status().as_u16(), 401);
    let wrong = app.client.get(&url).bearer_auth("metrics-secret-0123456780").send().await.expect("request");
    assert_eq!(wrong.status().as_u16(), 401);
    let right = app.client.get(&url).bearer_auth(token).send().await.expect("request");
    assert_eq!(right.status().as_u16(), 200);
    assert!(right.text().await.expect("body").contains("ketnoi_http_requests_total"));

    // No token, behind a trusted proxy: a client elsewhere does not get them.
    let proxied = TestApp::with_auth(AuthConfig { trust_proxy: true, ..AuthConfig::default() }).await;
    let url = format!("{}/metrics", proxied.base);
    let far = proxied.client.get(&url).header("x-forwarded-for", "203.0.113.7").send().await.expect("request");
    assert_eq!(far.status().as_u16(), 404);
    let near = proxied.client.get(&url).header("x-forwarded-for", "127.0.0.1").send().await.expect("request");
    assert_eq!(near.status().as_u16(), 200);
}

/// A request not answered within the bound is answered 503 `unavailable` with `Retry-After`,
/// its work dropped: here a sign-in while the test holds the accounts locked (SQLite's one
/// connection, or on PostgreSQL the users table), while `/healthz`, which touches nothing,
/// answers.
#[tokio::test]
async fn a_request_past_the_bound_is_answered_503() {
    use sea_orm::TransactionTrait;
    let operations = Operations { request_timeout: Duration::from_millis(300), ..Operations::default() };
    let app = TestApp::with_operations(AuthConfig::default(), operations).await;
    let db = app.store.connection();
    let lock = db.begin().await.expect("begin");
    if db.get_database_backend() == sea_orm::DbBackend::Postgres {
        lock.execute_unprepared("LOCK TABLE users IN ACCESS EXCLUSIVE MODE").await.expect("lock");
    }
    let body = serde_json::json!({"email": "lan@cangso.vn", "password": "not the password"});
    let answer = app.client.post(format!("{}/api/v1/auth/login", app.base)).json(&body).send().await.expect("login");
    assert_eq!(answer.status().as_u16(), 503);
    assert!(answer.headers().contains_key("retry-after"));
    assert!(answer.headers().contains_key("x-request-id"));
    let problem: serde_json::Value = answer.json().await.expect("json");
    assert_eq!(problem["code"], "unavailable", "{problem}");
    assert_eq!(app.get("/healthz").await.status().as_u16(), 200);
    lock.rollback().await.expect("rollback");
    let answer = app.client.post(format!("{}/api/v1/auth/login", app.base)).json(&body).send().await.expect("login");
    assert_eq!(answer.status().as_u16(), 401, "served again once the lock is gone");
}
