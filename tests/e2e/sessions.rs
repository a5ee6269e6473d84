//! Sessions, API tokens, cross-site writes and brute force, over real HTTP.

use std::time::Duration;

use ketnoi_server::auth::AuthConfig;
use serde_json::json;

use crate::support::{Answer, PASSWORD, TestApp, Who, ketnoi, stderr};

async fn member(app: &TestApp) -> (Who, i64) {
    let a = app.id_of("Cảng Số").await;
    (app.account("member@cangso.vn", Some(a), None).await, a)
}

async fn me(app: &TestApp, who: &Who) -> u16 {
    app.send("GET", "/api/v1/me", who, None).await.status
}

#[tokio::test]
async fn every_sign_in_gets_a_new_session_with_safe_cookie_flags() {
    let app = TestApp::with_fixtures().await;
    let (first, _) = member(&app).await;
    let answer = app.login("member@cangso.vn", PASSWORD).await;
    let cookie = answer.header("set-cookie").to_owned();
    for flag in ["HttpOnly", "SameSite=Lax", "Path=/", "Max-Age=604800"] {
        assert!(cookie.contains(flag), "{flag} missing: {cookie}");
    }
    assert!(!cookie.contains("Secure"), "plain HTTP cannot keep a Secure cookie: {cookie}");
    assert_eq!(answer.header("cache-control"), "no-store");
    let second = Who::Browser(answer.session().expect("session"));
    assert_ne!(first, second, "a sign-in reuses a session id");

    // A session id planted before sign-in is not kept: the server issues its own.
    let planted = app
        .client
        .post(format!("{}/api/v1/auth/login", app.base))
        .header("cookie", "ketnoi_session=planted-by-an-attacker")
        .json(&json!({"email": "member@cangso.vn", "password": PASSWORD}))
        .send()
        .await
        .expect("login");
    let set = planted.headers()["set-cookie"].to_str().expect("cookie").to_owned();
    assert!(!set.contains("planted-by-an-attacker"), "{set}");
    assert_eq!(me(&app, &Who::Browser("planted-by-an-attacker".to_owned())).await, 401);
    assert_eq!(me(&app, &first).await, 200);
    assert_eq!(me(&app, &second).await, 200);

    // Signing in again from a signed-in browser ends its previous session.
    let Who::Browser(old) = &second else { unreachable!() };
    let again = app
        .client
        .post(format!("{}/api/v1/auth/login", app.base))
        .header("cookie", format!("ketnoi_session={old}"))
        .json(&json!({"email": "member@cangso.vn", "password": PASSWORD}))
        .send()
        .await
        .expect("login");
    assert_eq!(again.status(), 200);
    assert_eq!(me(&app, &second).await, 401);
    assert_eq!(me(&app, &first).await, 200);
}

#[tokio::test]
async fn behind_a_tls_proxy_the_cookie_is_secure() {
    let app = TestApp::with_auth(AuthConfig { trust_proxy: true, ..AuthConfig::default() }).await;
    member(&app).await;
    let answer = app
        .client
        .post(format!("{}/api/v1/auth/login", app.base))
        .header("x-forwarded-proto", "https")
        .json(&json!({"email": "member@cangso.vn", "password": PASSWORD}))
        .send()
        .await
        .expect("login");
    let cookie = answer.headers()["set-cookie"].to_str().expect("cookie").to_owned();
    assert!(cookie.contains("; Secure"), "{cookie}");
}

#[tokio::test]
async fn logout_ends_the_session_on_the_server() {
    let app = TestApp::with_fixtures().await;
    let (who, _) = member(&app).await;
    let other_device = Who::Browser(app.login("member@cangso.vn", PASSWORD).await.session().expect("session"));
    let answer = app.send("POST", "/api/v1/auth/logout", &who, None).await;
    assert_eq!(answer.status, 204);
    assert!(answer.header("set-cookie").contains("Max-Age=0"), "the cookie is not cleared");
    // The old cookie, replayed, is worth nothing; the other device stays signed in.
    assert_eq!(me(&app, &who).await, 401);
    assert_eq!(me(&app, &other_device).await, 200);
}

#[tokio::test]
async fn sessions_expire_when_idle_and_at_their_absolute_end() {
    let app = TestApp::with_fixtures().await;
    let (idle, _) = member(&app).await;
    let old = Who::Browser(app.login("member@cangso.vn", PASSWORD).await.session().expect("session"));
    let lifetime = ketnoi_store::SessionLifetime::default();
    assert_eq!(me(&app, &idle).await, 200);
    let now = jiff::Timestamp::now().as_second();
    // One session unused for longer than the idle limit; another past its absolute end
    // although used a minute ago.
    let Who::Browser(idle_secret) = &idle else { unreachable!() };
    let Who::Browser(old_secret) = &old else { unreachable!() };
    let hash = |secret: &str| {
        use sha2::Digest;
        sha2::Sha256::digest(secret.as_bytes()).iter().map(|b| format!("{b:02x}")).collect::<String>()
    };
    app.execute(&format!(
        "UPDATE sessions SET last_seen_at = {} WHERE token_hash = '{}'",
        now - lifetime.idle - 1,
        hash(idle_secret)
    ))
    .await;
    app.execute(&format!(
        "UPDATE sessions SET last_seen_at = {}, expires_at = {} WHERE token_hash = '{}'",
        now - 60,
        now - 1,
        hash(old_secret)
    ))
    .await;
    assert_eq!(me(&app, &idle).await, 401);
    assert_eq!(me(&app, &old).await, 401);
    // An expired session is deleted, not just refused.
    use sea_orm::{EntityTrait, PaginatorTrait};
    let left = ketnoi_store::entity::sessions::Entity::find().count(app.store.connection()).await.expect("count");
    assert_eq!(left, 0);
}

#[tokio::test]
async fn a_password_change_ends_the_other_sessions_and_keeps_this_one() {
    let app = TestApp::with_fixtures().await;
    let (here, _) = member(&app).await;
    let elsewhere = Who::Browser(app.login("member@cangso.vn", PASSWORD).await.session().expect("session"));
    let weak = json!({"current_password": PASSWORD, "new_password": "password1"});
    let refused = app.send("PUT", "/api/v1/me/password", &here, Some(&weak)).await;
    assert_eq!(refused.status, 400);
    assert_eq!(refused.body["errors"][0]["field"], "new_password");
    let change = json!({"current_password": PASSWORD, "new_password": "Bến Nghé ở Hải Phòng 2023"});
    assert_eq!(app.send("PUT", "/api/v1/me/password", &here, Some(&change)).await.status, 204);
    assert_eq!(me(&app, &here).await, 200);
    assert_eq!(me(&app, &elsewhere).await, 401);
    assert_eq!(app.login("member@cangso.vn", PASSWORD).await.status, 401);
    assert_eq!(app.login("member@cangso.vn", "Bến Nghé ở Hải Phòng 2023").await.status, 200);
}

#[tokio::test]
async fn api_tokens_work_until_revoked_or_expired_and_are_stored_hashed() {
    let app = TestApp::with_fixtures().await;
    let (browser, _) = member(&app).await;
    let created = app.send("POST", "/api/v1/me/tokens", &browser, Some(&json!({"name": "import script"}))).await;
    assert_eq!(created.status, 201);
    let secret = created.body["secret"].as_str().expect("secret").to_owned();
    assert!(secret.starts_with("ktn_"));
    let id = created.body["token"]["id"].as_i64().expect("id");
    let script = Who::Script(secret.clone());
    assert_eq!(me(&app, &script).await, 200);
    // The database holds no secret.
    let dump = format!("{:?}", app.store.tokens(1).await.expect("tokens"));
    assert!(!dump.contains(&secret[4..]), "{dump}");
    use sea_orm::EntityTrait;
    let rows = ketnoi_store::entity::api_tokens::Entity::find().all(app.store.connection()).await.expect("rows");
    assert!(rows.iter().all(|row| row.token_hash != secret && row.token_hash.len() == 64));

    // Revoked: 401, on public routes too, since a bad credential is never ignored.
    let revoke = app.send("DELETE", &format!("/api/v1/me/tokens/{id}"), &browser, None).await;
    assert_eq!(revoke.status, 204);
    let answer = app.send("GET", "/api/v1/me", &script, None).await;
    assert_eq!(answer.status, 401);
    assert!(answer.header("www-authenticate").starts_with("Bearer"));
    assert_eq!(app.send("GET", "/api/v1/organizations", &script, None).await.status, 401);

    // Expired: 401.
    let expiring =
        app.send("POST", "/api/v1/me/tokens", &browser, Some(&json!({"name": "x", "expires_in_days": 1}))).await;
    let expiring_secret = Who::Script(expiring.body["secret"].as_str().expect("secret").to_owned());
    assert_eq!(me(&app, &expiring_secret).await, 200);
    app.execute(&format!(
        "UPDATE api_tokens SET expires_at = {} WHERE id = {}",
        jiff::Timestamp::now().as_second() - 1,
        expiring.body["token"]["id"]
    ))
    .await;
    assert_eq!(me(&app, &expiring_secret).await, 401);
    // Made up, or malformed: 401.
    assert_eq!(me(&app, &Who::Script("ktn_made-up".to_owned())).await, 401);
    let malformed =
        app.client.get(format!("{}/api/v1/me", app.base)).header("authorization", "Basic eDp5").send().await;
    assert_eq!(malformed.expect("request").status(), 401);
    let bad = app.send("POST", "/api/v1/me/tokens", &browser, Some(&json!({"name": "", "expires_in_days": 0}))).await;
    let fields: Vec<&str> =
        bad.body["errors"].as_array().expect("errors").iter().map(|e| e["field"].as_str().expect("f")).collect();
    assert_eq!(fields, ["name", "expires_in_days"]);
}

#[tokio::test]
async fn disabling_an_account_ends_its_sessions_and_tokens_at_once() {
    let app = TestApp::with_fixtures().await;
    let (browser, _) = member(&app).await;
    let script = app.token(&browser).await;
    let output = ketnoi(app.database(), &["user", "disable", "--email", "member@cangso.vn"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(me(&app, &browser).await, 401);
    assert_eq!(me(&app, &script).await, 401);
    let login = app.login("member@cangso.vn", PASSWORD).await;
    assert_eq!(login.status, 401);
    let output = ketnoi(app.database(), &["user", "enable", "--email", "member@cangso.vn"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(app.login("member@cangso.vn", PASSWORD).await.status, 200);
    // The revoked token stays revoked.
    assert_eq!(me(&app, &script).await, 401);
}

#[tokio::test]
async fn a_cross_site_write_is_refused_and_a_same_site_one_accepted() {
    let app = TestApp::with_fixtures().await;
    let (browser, _) = member(&app).await;
    let Who::Browser(secret) = &browser else { unreachable!() };
    let write = |site: Option<&'static str>, origin: Option<String>| {
        let mut request = app
            .client
            .post(format!("{}/api/v1/me/tokens", app.base))
            .header("cookie", format!("ketnoi_session={secret}"))
            .json(&json!({"name": "csrf"}));
        if let Some(site) = site {
            request = request.header("sec-fetch-site", site);
        }
        if let Some(origin) = origin {
            request = request.header("origin", origin);
        }
        async move { request.send().await.expect("request").status().as_u16() }
    };
    assert_eq!(write(Some("cross-site"), Some("https://evil.example".to_owned())).await, 403);
    assert_eq!(write(Some("same-site"), Some("https://sub.example".to_owned())).await, 403);
    assert_eq!(write(None, Some("https://evil.example".to_owned())).await, 403);
    assert_eq!(write(None, Some("null".to_owned())).await, 403);
    let tokens = app.send("GET", "/api/v1/me/tokens", &browser, None).await;
    assert_eq!(tokens.body["items"].as_array().expect("items").len(), 0, "a refused write wrote");
    assert_eq!(write(Some("same-origin"), Some(app.base.clone())).await, 201);
    assert_eq!(write(None, Some(app.base.clone())).await, 201);
    // A script sends no browser headers and no cookie-borne authority to abuse.
    assert_eq!(write(None, None).await, 201);
    // A cross-site form cannot set Authorization: a bearer write is not a browser's.
    let script = app.token(&browser).await;
    let Who::Script(token) = &script else { unreachable!() };
    let scripted = app
        .client
        .post(format!("{}/api/v1/me/tokens", app.base))
        .bearer_auth(token)
        .header("sec-fetch-site", "cross-site")
        .json(&json!({"name": "from a script"}))
        .send()
        .await
        .expect("request");
    assert_eq!(scripted.status(), 201);
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_email_get_the_same_answer() {
    let app = TestApp::with_fixtures().await;
    member(&app).await;
    // Alike but for each request's own id.
    let answer = |mut answer: Answer| {
        assert!(answer.body["request_id"].is_string(), "{}", answer.body);
        answer.body.as_object_mut().map(|members| members.remove("request_id"));
        answer
    };
    let wrong = answer(app.login("member@cangso.vn", "not the password").await);
    let unknown = answer(app.login("nobody@cangso.vn", "not the password").await);
    let malformed = answer(app.login("not an email", "not the password").await);
    assert_eq!(wrong.status, 401);
    assert_eq!(wrong.body, unknown.body);
    assert_eq!(wrong.body, malformed.body);
    assert_eq!(wrong.body["detail"], "wrong e-mail or password");
    assert!(wrong.session().is_none());
}

#[tokio::test]
async fn login_answers_429_from_the_sixth_failure_for_an_account() {
    let app = TestApp::with_fixtures().await;
    member(&app).await;
    let mut statuses = Vec::new();
    for _ in 0..6 {
        statuses.push(app.login("Member@CangSo.vn", "guess").await.status);
    }
    assert_eq!(statuses, [401, 401, 401, 401, 401, 429]);
    // Even the right password waits now, and the answer says how long.
    let blocked = app.login("member@cangso.vn", PASSWORD).await;
    assert_eq!(blocked.status, 429);
    let wait: u64 = blocked.header("retry-after").parse().expect("Retry-After seconds");
    assert!((1..=900).contains(&wait), "{wait}");
    // Another account from the same address is not blocked.
    let b = app.id_of("Han River Ventures").await;
    app.account("member@hanriver.example.kr", Some(b), None).await;
}

#[tokio::test]
async fn login_answers_429_from_the_51st_failure_from_one_address() {
    let app = TestApp::with_fixtures().await;
    let (_, _) = member(&app).await;
    let mut first_429 = None;
    for attempt in 1..=51 {
        let status = app.login(&format!("guess{attempt}@example.vn"), "guess").await.status;
        if status == 429 {
            first_429 = Some(attempt);
            break;
        }
        assert_eq!(status, 401);
    }
    assert_eq!(first_429, Some(51));
    // The address is blocked for every account, the real one included.
    assert_eq!(app.login("member@cangso.vn", PASSWORD).await.status, 429);
    tokio::time::sleep(Duration::from_millis(1)).await;
}
