//! Accounts over HTTP: registration, invitations, the personal data download, deleting an
//! account and an organization; and bad input that writes nothing.

use serde_json::{Value, json};

use crate::support::{PASSWORD, SETTLE, TestApp, Who};

fn registration(email: &str, password: &str) -> Value {
    json!({
        "event": "techfest-test",
        "email": email,
        "password": password,
        "display_name": "Trần Minh Anh",
        "organization": {
            "kind": "startup", "name": "Cá Biển Tươi", "sectors": ["thủy sản", "food"], "stage": "seed",
            "country": "VN", "province": "Hải Phòng", "funding_ask": 3_000_000_000_i64, "currency": "VND",
            "email": "hello@cabientuoi.vn", "phone": "+84 912 345 678", "funding_private": true,
            "description": "Chuỗi lạnh cho hải sản đánh bắt ở Cát Bà."
        }
    })
}

async fn organization_count(app: &TestApp) -> u64 {
    app.store.organizations(&ketnoi_store::OrganizationQuery::default()).await.expect("count").total
}

#[tokio::test]
async fn a_startup_registers_signs_in_and_is_found() {
    let app = TestApp::with_fixtures().await;
    let before = organization_count(&app).await;
    let mut body = registration("anh@cabientuoi.vn", "lạnh sâu -18 độ C");
    // "thủy sản" is no sector: the error names the nested field, and nothing is written.
    let answer = app.send("POST", "/api/v1/auth/register", &Who::Anonymous, Some(&body)).await;
    assert_eq!(answer.status, 400);
    assert_eq!(answer.body["errors"][0]["field"], "organization.sectors");
    assert_eq!(organization_count(&app).await, before);

    body["organization"]["sectors"] = json!(["maritime", "food"]);
    body["password"] = json!("iloveyou1");
    let answer = app.send("POST", "/api/v1/auth/register", &Who::Anonymous, Some(&body)).await;
    assert_eq!(answer.status, 400);
    assert_eq!(answer.body["errors"][0]["field"], "password");
    assert!(answer.body["detail"].as_str().expect("detail").contains("most common"));
    assert_eq!(organization_count(&app).await, before);

    body["password"] = json!("lạnh sâu -18 độ C");
    let answer = app.send("POST", "/api/v1/auth/register", &Who::Anonymous, Some(&body)).await;
    assert_eq!(answer.status, 202, "{}", answer.body);
    assert_eq!(answer.body, json!({"email": "anh@cabientuoi.vn", "status": "confirmation-sent"}));
    assert!(answer.session().is_none(), "not signed in before the address is confirmed");
    assert_eq!(organization_count(&app).await, before + 1);
    // The right password, but the address is not confirmed yet.
    let early = app.login("anh@cabientuoi.vn", "lạnh sâu -18 độ C").await;
    assert_eq!((early.status, early.body["code"].as_str()), (409, Some("email-not-confirmed")), "{}", early.body);
    let token = app.mailed_token("anh@cabientuoi.vn", "confirm-email").await;
    let made_up =
        app.send("POST", "/api/v1/auth/confirm-email", &Who::Anonymous, Some(&json!({"token": "ktn_made_up"}))).await;
    assert_eq!((made_up.status, made_up.body["code"].as_str()), (400, Some("token-invalid")));
    let answer = app.send("POST", "/api/v1/auth/confirm-email", &Who::Anonymous, Some(&json!({"token": token}))).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(answer.body["role"], "member");
    let who = Who::Browser(answer.session().expect("signed in"));
    let id = answer.body["organization_id"].as_i64().expect("organization");
    let reused = app.send("POST", "/api/v1/auth/confirm-email", &Who::Anonymous, Some(&json!({"token": token}))).await;
    assert_eq!(reused.status, 400, "a confirmation link works once");

    // The public sees the profile without its contacts or private ask; the member sees all.
    let public = app.send("GET", &format!("/api/v1/organizations/{id}"), &Who::Anonymous, None).await;
    assert!(public.body.get("email").is_none() && public.body.get("funding_ask").is_none(), "{}", public.body);
    let private = app.send("GET", &format!("/api/v1/organizations/{id}"), &who, None).await;
    assert_eq!(private.body["phone"], "+84 912 345 678");
    assert_eq!(private.body["funding_ask"]["amount"], 3_000_000_000_i64);

    // Searchable, without diacritics, once the indexer has caught up.
    app.indexer.sync(SETTLE).await.expect("index");
    let found = app.json("/api/v1/organizations?q=ca%20bien%20tuoi", 200).await;
    assert_eq!(found["items"][0]["name"], "Cá Biển Tươi");

    // The same e-mail again: the same answer, nothing written; the address's owner is told.
    let again = app.send("POST", "/api/v1/auth/register", &Who::Anonymous, Some(&body)).await;
    assert_eq!(
        (again.status, &again.body),
        (202, &json!({"email": "anh@cabientuoi.vn", "status": "confirmation-sent"}))
    );
    assert_eq!(organization_count(&app).await, before + 1);
    assert_eq!(app.mail_kinds("anh@cabientuoi.vn").await, ["registration-attempt", "confirm-email"]);
    // An unknown event.
    body["event"] = json!("no-such-event");
    body["email"] = json!("other@cabientuoi.vn");
    let unknown = app.send("POST", "/api/v1/auth/register", &Who::Anonymous, Some(&body)).await;
    assert_eq!(unknown.status, 404);
}

#[tokio::test]
async fn a_member_invites_a_colleague_who_joins_once() {
    let app = TestApp::with_fixtures().await;
    let a = app.id_of("Cảng Số").await;
    let member = app.account("member@cangso.vn", Some(a), None).await;
    let invited = app
        .send(
            "POST",
            &format!("/api/v1/organizations/{a}/invitations"),
            &member,
            Some(&json!({"email": "lan@cangso.vn"})),
        )
        .await;
    assert_eq!(invited.status, 201, "{}", invited.body);
    let code = invited.body["code"].as_str().expect("code").to_owned();
    let taken = app
        .send(
            "POST",
            &format!("/api/v1/organizations/{a}/invitations"),
            &member,
            Some(&json!({"email": "member@cangso.vn"})),
        )
        .await;
    assert_eq!(taken.status, 409);

    let accept = json!({"code": code, "display_name": "Lan", "password": "lan@cangso.vn"});
    let refused = app.send("POST", "/api/v1/auth/invitations/accept", &Who::Anonymous, Some(&accept)).await;
    assert_eq!(refused.status, 400, "the e-mail as password is refused");
    let accept = json!({"code": code, "display_name": "Lan", "password": PASSWORD});
    let joined = app.send("POST", "/api/v1/auth/invitations/accept", &Who::Anonymous, Some(&accept)).await;
    assert_eq!(joined.status, 201, "{}", joined.body);
    assert_eq!(joined.body["organization_id"], a);
    assert_eq!(joined.body["email"], "lan@cangso.vn");
    let again = app.send("POST", "/api/v1/auth/invitations/accept", &Who::Anonymous, Some(&accept)).await;
    assert_eq!(again.status, 404, "an invitation is used once");
    assert_eq!(app.login("lan@cangso.vn", PASSWORD).await.status, 200);
}

#[tokio::test]
async fn a_member_downloads_their_data_and_deletes_their_account() {
    let app = TestApp::with_fixtures().await;
    let a = app.id_of("Cảng Số").await;
    let member = app.account("member@cangso.vn", Some(a), None).await;
    let Who::Script(secret) = app.token(&member).await else { unreachable!() };
    let export = app.send("GET", "/api/v1/me/export", &member, None).await;
    assert_eq!(export.status, 200);
    assert!(export.header("content-disposition").starts_with("attachment"));
    assert_eq!(export.header("cache-control"), "no-store");
    let data = &export.body;
    assert_eq!(data["account"]["email"], "member@cangso.vn");
    assert_eq!(data["organization"]["email"], "contact@cangso.vn");
    assert_eq!(data["members"][0]["email"], "member@cangso.vn");
    assert_eq!(data["events"], json!(["techfest-test"]));
    assert_eq!(data["sessions"].as_array().expect("sessions").len(), 1);
    assert_eq!(data["api_tokens"][0]["name"], "test");
    assert!(!data.to_string().contains(&secret), "the export shows a token's secret");
    let Who::Browser(session) = &member else { unreachable!() };
    assert!(!data.to_string().contains(session.as_str()), "the export shows the session's secret");

    let wrong = app.send("DELETE", "/api/v1/me", &member, Some(&json!({"password": "nope"}))).await;
    assert_eq!(wrong.status, 400);
    assert_eq!(wrong.body["errors"][0]["field"], "password");
    let deleted = app.send("DELETE", "/api/v1/me", &member, Some(&json!({"password": PASSWORD}))).await;
    assert_eq!(deleted.status, 204);
    assert_eq!(app.send("GET", "/api/v1/me", &member, None).await.status, 401);
    assert_eq!(app.login("member@cangso.vn", PASSWORD).await.status, 401);
    // The organization stays.
    assert_eq!(app.json(&format!("/api/v1/organizations/{a}"), 200).await["name"], "Cảng Số");
}

#[tokio::test]
async fn deleting_an_organization_removes_it_from_the_database_and_the_index() {
    let app = TestApp::with_fixtures().await;
    let a = app.id_of("Cảng Số").await;
    let member = app.account("member@cangso.vn", Some(a), None).await;
    let found = app.json("/api/v1/organizations?q=cang%20so", 200).await;
    assert_eq!(found["items"][0]["name"], "Cảng Số");
    let path = format!("/api/v1/organizations/{a}");
    let wrong = app.send("DELETE", &path, &member, Some(&json!({"confirm_name": "Cang So"}))).await;
    assert_eq!(wrong.status, 400);
    assert_eq!(wrong.body["errors"][0]["field"], "confirm_name");
    let deleted = app.send("DELETE", &path, &member, Some(&json!({"confirm_name": "Cảng Số"}))).await;
    assert_eq!(deleted.status, 204);
    app.json(&path, 404).await;
    // Its member went with it.
    assert_eq!(app.send("GET", "/api/v1/me", &member, None).await.status, 401);
    app.indexer.sync(SETTLE).await.expect("index");
    let found = app.json("/api/v1/organizations?q=cang%20so", 200).await;
    assert!(found["items"].as_array().expect("items").iter().all(|item| item["name"] != "Cảng Số"), "{found}");
    assert!(app.indexer.index().stored().expect("stored").iter().all(|(id, _)| *id != a), "still in the index");
}

#[tokio::test]
async fn a_member_edits_the_profile_with_errors_named_by_field() {
    let app = TestApp::with_fixtures().await;
    let a = app.id_of("Cảng Số").await;
    let member = app.account("member@cangso.vn", Some(a), None).await;
    let path = format!("/api/v1/organizations/{a}");
    let bad = json!({"kind": "startup", "name": "", "sectors": ["fintek"], "stage": "seed", "phone": "call me",
        "founded": 2999});
    let answer = app.send("PUT", &path, &member, Some(&bad)).await;
    assert_eq!(answer.status, 400);
    let fields: Vec<&str> =
        answer.body["errors"].as_array().expect("errors").iter().map(|e| e["field"].as_str().expect("f")).collect();
    assert_eq!(fields, ["name", "sectors", "founded", "phone"]);
    assert!(answer.body["detail"].as_str().expect("d").contains("did you mean \"fintech\"?"));
    let kind = json!({"kind": "investor", "name": "Cảng Số", "investor_type": "vc", "sectors": ["logistics"], "stages": ["seed"]});
    let answer = app.send("PUT", &path, &member, Some(&kind)).await;
    assert_eq!(answer.body["errors"][0]["field"], "kind");
    assert_eq!(app.store.organization(a).await.expect("a").profile.kind(), ketnoi_domain::profile::OrgKind::Startup);

    let good = json!({"kind": "startup", "name": "Cảng Số", "sectors": ["logistics"], "stage": "series-a",
        "description": "Cảng cạn số cho Đình Vũ."});
    let answer = app.send("PUT", &path, &member, Some(&good)).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(answer.body["stage"], "series-a");
    app.indexer.sync(SETTLE).await.expect("index");
    let found = app.json("/api/v1/organizations?q=dinh%20vu", 200).await;
    assert_eq!(found["items"][0]["name"], "Cảng Số");
}

#[tokio::test]
async fn an_operator_adds_an_organiser_from_the_command_line() {
    let app = TestApp::with_fixtures().await;
    let add = |password: &str| {
        std::process::Command::new(env!("CARGO_BIN_EXE_ketnoi"))
            .args(["user", "add-organiser", "--event", "techfest-test", "--email", "lan@techfest.vn"])
            .arg("--data-dir")
            .arg(app.dir())
            .arg("--database-url")
            .arg(app.database().url())
            .env("KETNOI_PASSWORD", password)
            .env("KETNOI_LOG", "warn")
            .output()
            .expect("run ketnoi")
    };
    let weak = add("12345678");
    assert!(!weak.status.success());
    assert!(String::from_utf8_lossy(&weak.stderr).contains("password: is one of the most common"));
    assert_eq!(app.login("lan@techfest.vn", "12345678").await.status, 401);

    let added = add(PASSWORD);
    assert!(added.status.success(), "{}", String::from_utf8_lossy(&added.stderr));
    let login = app.login("lan@techfest.vn", PASSWORD).await;
    assert_eq!(login.status, 200);
    assert_eq!(login.body["role"], "organiser");
    assert_eq!(login.body["event"], "techfest-test");
    let who = Who::Browser(login.session().expect("session"));
    let participants = app.send("GET", "/api/v1/events/techfest-test/participants", &who, None).await;
    assert_eq!(participants.status, 200);
    assert!(participants.body["items"].as_array().expect("items").iter().any(|o| o["email"] == "contact@cangso.vn"));
}
