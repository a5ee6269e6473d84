//! The HTTP API over a real socket.

use crate::support::{TestApp, Who, names};

#[tokio::test]
async fn healthz_and_readyz_answer_on_a_served_event() {
    let app = TestApp::with_fixtures().await;
    let response = app.get("/healthz").await;
    assert_eq!(response.status().as_u16(), 200);
    app.indexer.sync(std::time::Duration::from_secs(5)).await.expect("sync");
    assert_eq!(app.json("/readyz", 200).await["status"], "ready");
}

#[tokio::test]
async fn lists_organizations_by_name_with_total_and_filters() {
    let app = TestApp::with_fixtures().await;
    let all = app.json("/api/v1/organizations", 200).await;
    assert_eq!(all["total"], 8);
    assert_eq!(names(&all)[..3], ["Cảng Số", "Đồng Xanh Agri", "EduBridge"]);

    let startups = app.json("/api/v1/organizations?kind=startup&limit=2&offset=1", 200).await;
    assert_eq!(startups["total"], 5);
    assert_eq!(names(&startups), ["Đồng Xanh Agri", "EduBridge"]);

    let logistics = app.json("/api/v1/organizations?sector=logistics&kind=investor", 200).await;
    assert_eq!(names(&logistics), ["Han River Ventures", "Rotterdam Port Ventures"]);

    // Labels and diacritic-free input are accepted for filters.
    let agri = app.json("/api/v1/organizations?sector=nong%20nghiep", 200).await;
    assert_eq!(names(&agri), ["Đồng Xanh Agri", "Nông Sản Xanh", "Sông Hồng Angels"]);

    let seed = app.json("/api/v1/organizations?stage=seed", 200).await;
    assert_eq!(names(&seed), ["Cảng Số", "Đồng Xanh Agri", "Han River Ventures", "Sông Hồng Angels"]);

    let korea = app.json("/api/v1/organizations?country=kr", 200).await;
    assert_eq!(names(&korea), ["Han River Ventures"]);

    let by_name = app.json("/api/v1/organizations?q=cang%20so", 200).await;
    assert_eq!(names(&by_name)[0], "Cảng Số");
    let no_words = app.json("/api/v1/organizations?q=%25%20%3F", 200).await;
    assert_eq!(no_words["total"], 8, "a query without words lists everything by name");

    let in_event = app.json("/api/v1/organizations?event=techfest-test&kind=investor", 200).await;
    assert_eq!(in_event["total"], 3);
}

/// What GET returns, PUT accepts: each profile of the fixtures, sent back unchanged by an
/// organiser of its event, is accepted and stays the same profile.
#[tokio::test]
async fn profiles_round_trip_from_get_to_put() {
    let app = TestApp::with_fixtures().await;
    let event = app.event_id("techfest-test").await;
    let organiser = app.account("organiser@roundtrip.vn", None, Some(event)).await;
    let all = app.json("/api/v1/organizations?limit=100", 200).await;
    let ids: Vec<i64> = all["items"].as_array().expect("items").iter().map(|o| o["id"].as_i64().expect("id")).collect();
    assert_eq!(ids.len(), 8);
    let mut kinds = std::collections::BTreeSet::new();
    for id in ids {
        let path = format!("/api/v1/organizations/{id}");
        let fetched = app.send("GET", &path, &organiser, None).await;
        assert_eq!(fetched.status, 200);
        assert!(fetched.body.get("phone").is_some(), "the organiser sees the private profile: {}", fetched.body);
        let sent = app.send("PUT", &path, &organiser, Some(&fetched.body)).await;
        assert_eq!(sent.status, 200, "{} refused {}", fetched.body, sent.body);
        assert_eq!(sent.body, fetched.body, "a profile sent back unchanged stays the same");
        kinds.insert(fetched.body["kind"].as_str().expect("kind").to_owned());
    }
    assert_eq!(kinds.len(), 2, "startups and investors");
    // The id of another organization is refused, naming the field.
    let first = all["items"][0]["id"].as_i64().expect("id");
    let second = all["items"][1]["id"].as_i64().expect("id");
    let mut other = app.send("GET", &format!("/api/v1/organizations/{first}"), &organiser, None).await.body;
    other["id"] = serde_json::json!(second);
    let refused = app.send("PUT", &format!("/api/v1/organizations/{first}"), &organiser, Some(&other)).await;
    assert_eq!((refused.status, &refused.body["errors"][0]["field"]), (400, &serde_json::json!("id")));
    assert!(Who::Anonymous != organiser);
}

#[tokio::test]
async fn profile_shows_public_fields_only() {
    let app = TestApp::with_fixtures().await;
    let listing = app.json("/api/v1/organizations?q=cang", 200).await;
    let id = listing["items"][0]["id"].as_i64().expect("id");
    let profile = app.json(&format!("/api/v1/organizations/{id}"), 200).await;
    assert_eq!(profile["name"], "Cảng Số");
    assert_eq!(profile["kind"], "startup");
    assert_eq!(profile["sectors"], serde_json::json!(["logistics", "maritime"]));
    assert_eq!(profile["stage"], "seed");
    assert_eq!(profile["funding_ask"], serde_json::json!({"amount": 5_000_000_000i64, "currency": "VND"}));
    assert_eq!(profile["website"], "https://cangso.vn");
    assert!(profile.get("email").is_none(), "contact e-mail is private: {profile}");
}

#[tokio::test]
async fn bad_parameters_are_named_in_problem_json() {
    let app = TestApp::with_fixtures().await;
    let problem = app.json("/api/v1/organizations?limit=100000", 400).await;
    assert_eq!(problem["status"], 400);
    assert_eq!(problem["errors"][0]["field"], "limit");
    assert_eq!(problem["errors"][0]["message"], "must be at most 100, got 100000");

    let problem = app.json("/api/v1/organizations?offset=-1", 400).await;
    assert_eq!(problem["errors"][0]["field"], "offset");
    assert_eq!(problem["errors"][0]["message"], "must not be negative, got -1");

    let problem = app.json("/api/v1/organizations?limit=ten", 400).await;
    assert_eq!(problem["errors"][0]["field"], "limit");

    let problem = app.json("/api/v1/organizations?sector=fintek", 400).await;
    assert_eq!(problem["errors"][0]["message"], "unknown sector \"fintek\" (did you mean \"fintech\"?)");

    let problem = app.json("/api/v1/organizations?kind=bank", 400).await;
    assert_eq!(problem["errors"][0]["field"], "kind");

    let problem = app.json("/api/v1/organizations?sort=name", 400).await;
    assert!(problem["detail"].as_str().expect("detail").contains("unknown parameter \"sort\""));

    app.json("/api/v1/organizations?event=no-such-event", 404).await;
}

#[tokio::test]
async fn unknown_ids_and_paths_are_404_problems() {
    let app = TestApp::with_fixtures().await;
    let problem = app.json("/api/v1/organizations/999999", 404).await;
    assert_eq!(problem["detail"], "organization not found");
    app.json("/api/v1/organizations/not-a-number", 404).await;
    app.json("/api/v1/events/no-such-event", 404).await;
    app.json("/api/v1/nothing-here", 404).await;
    // A write needs a caller before anything else; a signed-in one gets 405 for a wrong method.
    let response = app.client.delete(format!("{}/api/v1/organizations", app.base)).send().await.expect("request");
    assert_eq!(response.status().as_u16(), 401);
    let a = app.id_of("Cảng Số").await;
    let member = app.account("member@cangso.vn", Some(a), None).await;
    assert_eq!(app.send("DELETE", "/api/v1/organizations", &member, None).await.status, 405);
}

#[tokio::test]
async fn event_lists_slots_in_local_time() {
    let db = ketnoi_store::testing::TestDatabase::new().await;
    let store = ketnoi_store::Store::connect(db.url()).await.expect("connect");
    store.migrate().await.expect("migrate");
    let new_event = ketnoi::demo::demo_event().expect("demo event");
    store.create_event(&new_event).await.expect("create");
    let app = TestApp::serve(db).await;
    let event = app.json("/api/v1/events/techfest-haiphong-2023", 200).await;
    assert_eq!(event["name"], "Techfest Hải Phòng 2023");
    assert_eq!(event["time_zone"], "Asia/Ho_Chi_Minh");
    let slots = event["slots"].as_array().expect("slots");
    assert_eq!(slots.len(), 36);
    assert_eq!(
        slots[0],
        serde_json::json!({"code": "d1-0900", "start": "2023-11-23T09:00:00+07:00", "minutes": 20, "tables": 20})
    );
}

#[tokio::test]
async fn every_response_carries_security_headers() {
    let app = TestApp::with_fixtures().await;
    for path in ["/", "/healthz", "/api/v1/organizations", "/api/v1/nothing-here"] {
        let response = app.get(path).await;
        let header =
            |name: &str| response.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
        assert!(header("content-security-policy").contains("frame-ancestors 'none'"), "{path}");
        assert_eq!(header("x-content-type-options"), "nosniff", "{path}");
        assert_eq!(header("referrer-policy"), "no-referrer", "{path}");
    }
}

#[tokio::test]
async fn a_body_over_the_limit_is_a_413_problem() {
    let app = TestApp::with_fixtures().await;
    let body = vec![b'x'; ketnoi_server::BODY_LIMIT_BYTES + 1];
    let response =
        app.client.post(format!("{}/api/v1/organizations", app.base)).body(body).send().await.expect("request");
    assert_eq!(response.status().as_u16(), 413);
    assert_eq!(response.headers()["content-type"], "application/problem+json");
    let problem: serde_json::Value = response.json().await.expect("json");
    assert_eq!(problem["detail"], "the request body is larger than the limit of 1048576 bytes");
}

#[tokio::test]
async fn an_organiser_previews_then_imports_csv_over_http() {
    let app = TestApp::with_fixtures().await;
    let event = app.event_id("techfest-test").await;
    let organiser = app.account("organiser@techfest-test.vn", None, Some(event)).await;
    let count =
        || async { app.store.organizations(&ketnoi_store::OrganizationQuery::default()).await.expect("count").total };
    let before = count().await;
    let header =
        "name,sectors,stage,country,province,funding_ask,currency,founded,team_size,website,email,description\n";
    let good = format!("{header}Tàu Xanh,maritime,seed,VN,Hải Phòng,,,,,,,Đóng tàu điện\n");
    let body = serde_json::json!({"startups": good, "dry_run": true});
    let preview = app.send("POST", "/api/v1/events/techfest-test/import", &organiser, Some(&body)).await;
    assert_eq!(preview.status, 200, "{}", preview.body);
    assert_eq!((preview.body["dry_run"].as_bool(), preview.body["created"].as_u64()), (Some(true), Some(1)));
    assert_eq!(count().await, before, "a preview wrote");

    let bad = format!("{header}Tàu Xanh,maritime,seed,VN,,,,,,,,\nSai Ngành,fintek,seed,VN,,,,,,,,\n");
    let refused = app
        .send("POST", "/api/v1/events/techfest-test/import", &organiser, Some(&serde_json::json!({"startups": bad})))
        .await;
    assert_eq!(refused.status, 400);
    assert_eq!(refused.body["errors"][0]["field"], "startups:3:sectors", "{}", refused.body);
    assert!(refused.body["errors"][0]["message"].as_str().expect("m").contains("did you mean \"fintech\"?"));
    assert_eq!(count().await, before, "a refused import wrote");

    let done = app
        .send("POST", "/api/v1/events/techfest-test/import", &organiser, Some(&serde_json::json!({"startups": good})))
        .await;
    assert_eq!(done.body["created"], 1);
    assert_eq!(count().await, before + 1);
    let nothing =
        app.send("POST", "/api/v1/events/techfest-test/import", &organiser, Some(&serde_json::json!({}))).await;
    assert_eq!(nothing.body["errors"][0]["field"], "startups");
}
