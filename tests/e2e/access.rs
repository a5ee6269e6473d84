//! Who may do what: every `/api/v1` route, called by every kind of caller, on its own objects
//! and on others', with the status each must get. One table, checked at a glance.
//!
//! The fixture event E (techfest-test) has startup A (Cảng Số), investor B (Han River
//! Ventures) and startup C (Nông Sản Xanh); another event F has its own organiser; the
//! instance's administrator creates events and names organisers, and is refused the rest. `{A}` is A's
//! id, `{T}` one of A's API tokens, `{E}` the event's slug; `{M}` a meeting of A and B, `{R}` a
//! request from C to B, `{R2}` one from A to Rotterdam Port Ventures.
//!
//! Refusals to a signed-in caller are 404, as if the object did not exist; anonymous callers
//! get 401. Columns run from the least to the most entitled caller, so that every refusal is
//! tried before the write that succeeds. Where a route would destroy its object, the body is
//! wrong on purpose (a wrong confirmation or password): 400 shows the caller got past the
//! access rules, and nothing is deleted.

use serde_json::{Value, json};

use crate::support::{TestApp, Who};

const ROLES: [&str; 7] = [
    "anonymous",
    "the instance's administrator",
    "member of investor B",
    "member of another organization (C)",
    "organiser of another event (F)",
    "organiser of this event (E)",
    "member of startup A",
];

#[rustfmt::skip]
const MATRIX: &[(&str, &str, [u16; 7])] = &[
    // method  path                                           anon admin  B     C    org F org E   A
    ("GET",    "/api/v1/organizations?event={E}",            [200,  200,  200,  200,  200,  200,  200]),
    ("GET",    "/api/v1/organizations/{A}",                  [200,  200,  200,  200,  200,  200,  200]),
    ("PUT",    "/api/v1/organizations/{A}",                  [401,  404,  404,  404,  404,  200,  200]),
    ("DELETE", "/api/v1/organizations/{A}",                  [401,  404,  404,  404,  404,  400,  400]),
    ("GET",    "/api/v1/organizations/{A}/recommendations",  [401,  404,  404,  404,  404,  200,  200]),
    ("POST",   "/api/v1/organizations/{A}/invitations",      [401,  404,  404,  404,  404,  201,  201]),
    ("GET",    "/api/v1/events/{E}",                         [200,  200,  200,  200,  200,  200,  200]),
    ("GET",    "/api/v1/events/{E}/report",                  [200,  200,  200,  200,  200,  200,  200]),
    ("GET",    "/api/v1/events/{E}/report.csv",              [200,  200,  200,  200,  200,  200,  200]),
    ("GET",    "/api/v1/events/{E}/participants",            [401,  404,  404,  404,  404,  200,  404]),
    ("GET",    "/api/v1/events/{E}/weights",                 [401,  404,  404,  404,  404,  200,  404]),
    ("PUT",    "/api/v1/events/{E}/weights",                 [401,  404,  404,  404,  404,  200,  404]),
    ("GET",    "/api/v1/me",                                 [401,  200,  200,  200,  200,  200,  200]),
    ("GET",    "/api/v1/me/export",                          [401,  200,  200,  200,  200,  200,  200]),
    ("GET",    "/api/v1/me/tokens",                          [401,  200,  200,  200,  200,  200,  200]),
    ("POST",   "/api/v1/me/tokens",                          [401,  201,  201,  201,  201,  201,  201]),
    ("DELETE", "/api/v1/me/tokens/{T}",                      [401,  404,  404,  404,  404,  404,  204]),
    ("PUT",    "/api/v1/me/password",                        [401,  400,  400,  400,  400,  400,  400]),
    ("DELETE", "/api/v1/me",                                 [401,  400,  400,  400,  400,  400,  400]),
    // Meetings: participants act for themselves, organisers run the event.
    ("POST",   "/api/v1/events/{E}/requests",                [401,  404,  400,  201,  404,  404,  201]),
    ("GET",    "/api/v1/events/{E}/requests",                [401,  404,  200,  200,  404,  404,  200]),
    ("POST",   "/api/v1/events/{E}/requests/{R}/accept",     [401,  404,  200,  404,  404,  404,  404]),
    ("POST",   "/api/v1/events/{E}/requests/{R2}/cancel",    [401,  404,  404,  404,  404,  404,  200]),
    ("GET",    "/api/v1/events/{E}/availability?organization={A}", [401, 404, 404, 404, 404, 200, 200]),
    ("PUT",    "/api/v1/events/{E}/availability?organization={A}", [401, 404, 404, 404, 404, 200, 200]),
    ("GET",    "/api/v1/events/{E}/agenda?organization={A}", [401,  404,  404,  404,  404,  200,  200]),
    ("GET",    "/api/v1/events/{E}/agenda.ics?organization={A}", [401, 404, 404, 404, 404, 200, 200]),
    ("PUT",    "/api/v1/events/{E}/meetings/{M}/outcome",    [401,  404,  200,  404,  404,  404,  200]),
    ("GET",    "/api/v1/events/{E}/rules",                   [401,  404,  404,  404,  404,  200,  404]),
    ("PUT",    "/api/v1/events/{E}/rules",                   [401,  404,  404,  404,  404,  200,  404]),
    ("PUT",    "/api/v1/events/{E}/sessions",                [401,  404,  404,  404,  404,  200,  404]),
    ("POST",   "/api/v1/events/{E}/import",                  [401,  404,  404,  404,  404,  200,  404]),
    ("POST",   "/api/v1/events/{E}/schedule",                [401,  404,  404,  404,  404,  200,  404]),
    ("GET",    "/api/v1/events/{E}/schedule",                [401,  404,  404,  404,  404,  200,  404]),
    ("PUT",    "/api/v1/events/{E}/meetings/{M}",            [401,  404,  404,  404,  404,  200,  404]),
    ("PUT",    "/api/v1/events/{E}/meetings/{M}/status",     [401,  404,  404,  404,  404,  200,  404]),
    ("POST",   "/api/v1/events/{E}/publish",                 [401,  404,  404,  404,  404,  200,  404]),
    ("GET",    "/api/v1/events/{E}/tables.csv",              [401,  404,  404,  404,  404,  200,  404]),
    ("GET",    "/api/v1/events/{E}/figures",                 [200,  200,  200,  200,  200,  200,  200]),
];

/// Who sees A's private fields (its contact e-mail) on `GET /api/v1/organizations/{A}`.
const SEES_A_PRIVATE: [bool; 7] = [false, false, false, false, false, true, true];

fn body(method: &str, path: &str) -> Option<Value> {
    let body = match (method, path) {
        ("PUT", "/api/v1/organizations/{A}") => json!({
            "kind": "startup", "name": "Cảng Số", "sectors": ["logistics", "maritime"], "stage": "seed",
            "country": "VN", "province": "Hải Phòng", "funding_ask": 5_000_000_000_i64, "currency": "VND",
            "founded": 2021, "team_size": 14, "website": "cangso.vn", "email": "contact@cangso.vn",
            "phone": "+84 225 123 456",
            "description": "Nền tảng kết nối chủ hàng với nhà xe và cảng cạn ở Hải Phòng."
        }),
        ("DELETE", "/api/v1/organizations/{A}") => json!({ "confirm_name": "not the name" }),
        ("POST", "/api/v1/organizations/{A}/invitations") => json!({ "email": "colleague@cangso.vn" }),
        ("PUT", "/api/v1/events/{E}/weights") => {
            json!({ "sector": 3, "stage": 2, "ticket": 2, "geography": 1, "text": 1 })
        }
        ("POST", "/api/v1/me/tokens") => json!({ "name": "matrix" }),
        ("PUT", "/api/v1/me/password") => {
            json!({ "current_password": "not my password", "new_password": "a new long passphrase" })
        }
        ("DELETE", "/api/v1/me") => json!({ "password": "not my password" }),
        ("POST", "/api/v1/events/{E}/requests") => json!({ "to": "{ANGELS}", "message": "matrix" }),
        ("POST", "/api/v1/events/{E}/requests/{R}/accept") => json!({}),
        ("PUT", "/api/v1/events/{E}/availability?organization={A}") => json!({ "unavailable": [] }),
        ("PUT", "/api/v1/events/{E}/meetings/{M}/outcome") => json!({ "outcome": "follow-up" }),
        ("PUT", "/api/v1/events/{E}/rules") => json!({}),
        ("PUT", "/api/v1/events/{E}/sessions") => json!({ "sessions": [
            {"name": "Sáng", "date": "2023-11-24", "start": "09:00", "end": "11:00", "slot_minutes": 20, "tables": 5}
        ]}),
        ("POST", "/api/v1/events/{E}/schedule") => json!({}),
        ("POST", "/api/v1/events/{E}/import") => json!({ "dry_run": true, "investors":
            "name,investor_type,sectors,stages,ticket_min,ticket_max,currency,countries,website,email,thesis\nQuỹ Mới,vc,ai,seed,,,,,,,\n" }),
        ("PUT", "/api/v1/events/{E}/meetings/{M}") => json!({ "slot": "d1-1040", "table": 2 }),
        ("PUT", "/api/v1/events/{E}/meetings/{M}/status") => json!({ "status": "checked-in" }),
        _ => return None,
    };
    Some(body)
}

#[tokio::test]
async fn every_route_answers_every_caller_as_the_table_says() {
    let app = TestApp::with_fixtures().await;
    let event = app.event_id("techfest-test").await;
    let other_event = app
        .store
        .create_event(&ketnoi_store::NewEvent::from_slug(
            ketnoi_domain::event::EventSlug::parse("other-fest").expect("slug"),
        ))
        .await
        .expect("other event")
        .id;
    let a = app.id_of("Cảng Số").await;
    let b = app.id_of("Han River Ventures").await;
    let c = app.id_of("Nông Sản Xanh").await;
    let admin = ketnoi_store::NewUser {
        email: ketnoi_domain::validate::Email::parse("admin@ketnoi.example").expect("email"),
        display_name: "Admin".to_owned(),
        password: crate::support::PASSWORD.to_owned(),
        role: ketnoi_store::Role::Admin,
        organization_id: None,
        event_id: None,
        email_consent: false,
    };
    app.store.upsert_user(&admin).await.expect("administrator");
    let admin = app.login("admin@ketnoi.example", crate::support::PASSWORD).await;
    let callers = [
        Who::Anonymous,
        Who::Browser(admin.session().expect("session")),
        app.account("member@hanriver.example.kr", Some(b), None).await,
        app.account("member@nongsanxanh.vn", Some(c), None).await,
        app.account("organiser@other-fest.vn", None, Some(other_event)).await,
        app.account("organiser@techfest-test.vn", None, Some(event)).await,
        app.account("member@cangso.vn", Some(a), None).await,
    ];
    let token_of_a = app.send("POST", "/api/v1/me/tokens", &callers[6], Some(&json!({"name": "a's"}))).await;
    let token_id = token_of_a.body["token"]["id"].as_i64().expect("token id");
    // A meeting of A and B; a request from C to B; one from A to Rotterdam.
    let ask = |who: usize, to: i64| {
        let (app, callers) = (&app, &callers);
        async move {
            let sent = app
                .send("POST", "/api/v1/events/techfest-test/requests", &callers[who], Some(&json!({"to": to})))
                .await;
            assert_eq!(sent.status, 201, "{}", sent.body);
            sent.body["id"].as_i64().expect("request id")
        }
    };
    let r0 = ask(6, b).await;
    let accepted = app
        .send("POST", &format!("/api/v1/events/techfest-test/requests/{r0}/accept"), &callers[2], Some(&json!({})))
        .await;
    let meeting = accepted.body["meeting"]["id"].as_i64().expect("meeting id");
    let r = ask(3, b).await;
    let r2 = ask(6, app.id_of("Rotterdam Port Ventures").await).await;
    let angels = app.id_of("Sông Hồng Angels").await;

    let mut mismatches = Vec::new();
    for (method, template, expected) in MATRIX {
        let path = template
            .replace("{A}", &a.to_string())
            .replace("{E}", "techfest-test")
            .replace("{T}", &token_id.to_string())
            .replace("{M}", &meeting.to_string())
            .replace("{R2}", &r2.to_string())
            .replace("{R}", &r.to_string());
        let body = body(method, template).map(|body| {
            let text = body.to_string().replace("\"{ANGELS}\"", &angels.to_string());
            serde_json::from_str::<Value>(&text).expect("json")
        });
        for (role, (who, want)) in callers.iter().zip(expected).enumerate() {
            let answer = app.send(method, &path, who, body.as_ref()).await;
            if answer.status != *want {
                mismatches.push(format!(
                    "{method} {template} as {}: {} (want {want}): {}",
                    ROLES[role], answer.status, answer.body
                ));
            }
            if *method == "GET" && *template == "/api/v1/organizations/{A}" {
                let sees = answer.body.get("email").is_some();
                if sees != SEES_A_PRIVATE[role] {
                    mismatches.push(format!("{} sees A's private fields: {sees}", ROLES[role]));
                }
            }
        }
    }
    assert!(mismatches.is_empty(), "{} mismatches:\n{}", mismatches.len(), mismatches.join("\n"));
    // Nothing the refused callers sent was written: A still exists, and its name is unchanged.
    assert_eq!(app.store.organization(a).await.expect("A is still there").profile.name, "Cảng Số");
}

#[tokio::test]
async fn scripts_with_a_token_get_the_same_answers_as_browsers() {
    let app = TestApp::with_fixtures().await;
    let a = app.id_of("Cảng Số").await;
    let b = app.id_of("Han River Ventures").await;
    let browser = app.account("member@cangso.vn", Some(a), None).await;
    let script = app.token(&browser).await;
    for who in [&browser, &script] {
        let own = app.send("GET", &format!("/api/v1/organizations/{a}/recommendations"), who, None).await;
        assert_eq!(own.status, 200);
        let other = app.send("GET", &format!("/api/v1/organizations/{b}/recommendations"), who, None).await;
        assert_eq!(other.status, 404);
        let private = app.send("GET", &format!("/api/v1/organizations/{a}"), who, None).await;
        assert_eq!(private.body["email"], "contact@cangso.vn");
    }
}
