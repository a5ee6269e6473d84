//! Several `ketnoi serve` processes on one database, as behind a load balancer: what one
//! replica counts or ends, every replica honours at once.

use reqwest::StatusCode;
use serde_json::{Value, json};

use ketnoi_store::testing::TestDatabase;

use crate::mail::{Served, members_of};
use crate::support::PASSWORD;

async fn login(replica: &Served, email: &str, password: &str) -> reqwest::Response {
    reqwest::Client::new()
        .post(format!("{}/api/v1/auth/login", replica.base))
        .json(&json!({"email": email, "password": password}))
        .send()
        .await
        .expect("login")
}

async fn me(replica: &Served, credential: &Credential) -> StatusCode {
    credential.on(reqwest::Client::new().get(format!("{}/api/v1/me", replica.base))).send().await.expect("me").status()
}

enum Credential {
    Cookie(String),
    Token(String),
}

impl Credential {
    fn on(&self, request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match self {
            Credential::Cookie(cookie) => request.header("cookie", cookie),
            Credential::Token(token) => request.bearer_auth(token),
        }
    }
}

fn three(db: &TestDatabase) -> [Served; 3] {
    ["one", "two", "three"].map(|name| Served::without_smtp(db, &db.dir().join(name)))
}

#[tokio::test]
async fn the_sixth_failed_sign_in_is_refused_whichever_replica_the_five_went_to() {
    let db = TestDatabase::new().await;
    members_of(&db).await;
    let replicas = three(&db);
    for attempt in 0..5 {
        let answer = login(&replicas[attempt % 2], "lan@cangso.vn", "not the password").await;
        assert_eq!(answer.status(), StatusCode::UNAUTHORIZED, "attempt {}", attempt + 1);
    }
    let sixth = login(&replicas[2], "lan@cangso.vn", "not the password").await;
    assert_eq!(sixth.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = sixth.headers()["retry-after"].to_str().expect("retry-after").parse().expect("seconds");
    assert!((1..=900).contains(&wait), "{wait}");
    let problem: Value = sixth.json().await.expect("json");
    assert_eq!(problem["code"], "too-many-attempts", "{problem}");
    // The account is held on every replica, the right password included; another is not.
    for replica in &replicas {
        assert_eq!(login(replica, "lan@cangso.vn", PASSWORD).await.status(), StatusCode::TOO_MANY_REQUESTS);
    }
    assert_eq!(login(&replicas[0], "wei@portlink.sg", PASSWORD).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_sign_out_or_a_revoked_token_on_one_replica_holds_on_all_at_once() {
    let db = TestDatabase::new().await;
    members_of(&db).await;
    let replicas = three(&db);
    let signed_in = login(&replicas[0], "wei@portlink.sg", PASSWORD).await;
    assert_eq!(signed_in.status(), StatusCode::OK);
    let cookie =
        signed_in.headers()["set-cookie"].to_str().expect("cookie").split(';').next().expect("pair").to_owned();
    let session = Credential::Cookie(cookie.clone());
    for replica in &replicas {
        assert_eq!(me(replica, &session).await, StatusCode::OK);
    }
    let created = session
        .on(reqwest::Client::new().post(format!("{}/api/v1/me/tokens", replicas[1].base)))
        .json(&json!({"name": "script"}))
        .send()
        .await
        .expect("token");
    assert_eq!(created.status(), StatusCode::CREATED);
    let created: Value = created.json().await.expect("json");
    let token = Credential::Token(created["secret"].as_str().expect("secret").to_owned());
    assert_eq!(me(&replicas[2], &token).await, StatusCode::OK);

    let revoked = session
        .on(reqwest::Client::new().delete(format!("{}/api/v1/me/tokens/{}", replicas[2].base, created["token"]["id"])))
        .send()
        .await
        .expect("revoke");
    assert!(revoked.status().is_success(), "{}", revoked.status());
    for replica in &replicas {
        assert_eq!(me(replica, &token).await, StatusCode::UNAUTHORIZED, "the token on {}", replica.base);
    }
    let out = session
        .on(reqwest::Client::new().post(format!("{}/api/v1/auth/logout", replicas[1].base)))
        .send()
        .await
        .expect("logout");
    assert!(out.status().is_success(), "{}", out.status());
    for replica in &replicas {
        assert_eq!(me(replica, &session).await, StatusCode::UNAUTHORIZED, "the session on {}", replica.base);
    }
}

#[tokio::test]
async fn a_profile_changed_on_one_replica_is_found_by_search_and_read_on_the_others_within_a_second() {
    let db = TestDatabase::new().await;
    let (store, members) = members_of(&db).await;
    let replicas = three(&db);
    let signed_in = login(&replicas[0], "lan@cangso.vn", PASSWORD).await;
    let cookie =
        signed_in.headers()["set-cookie"].to_str().expect("cookie").split(';').next().expect("pair").to_owned();
    let session = Credential::Cookie(cookie);
    let cang_so = members[0].1;
    let url = format!("{}/api/v1/organizations/{cang_so}", replicas[0].base);
    let mut profile: Value =
        session.on(reqwest::Client::new().get(&url)).send().await.expect("get").json().await.expect("json");
    // What GET returns, PUT accepts: the same profile with a word no one else uses.
    let description = profile["description"].as_str().unwrap_or_default().to_owned();
    // Read by anyone on the others first: what they keep for the crowd must not outlive it.
    let public = |replica: &Served| {
        let url = format!("{}/api/v1/organizations/{cang_so}", replica.base);
        async move { reqwest::get(url).await.expect("get").json::<Value>().await.expect("json") }
    };
    for replica in &replicas[1..] {
        assert_eq!(public(replica).await["description"], json!(description));
    }
    profile["description"] = json!(format!("{description} Thử nghiệm cá ngựa vằn zebrafish."));
    let changed = session.on(reqwest::Client::new().put(&url)).json(&profile).send().await.expect("put");
    assert_eq!(changed.status(), StatusCode::OK, "{:?}", changed.text().await);
    // Replicas read the log only as far as every older transaction has settled: on PostgreSQL
    // one open elsewhere on the server (other tests run beside this one) holds it back. The
    // second counts from when the change is readable.
    let written = store.log_tail().await.expect("tail");
    while store.log_head().await.expect("head") < written {
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    let saved = std::time::Instant::now();
    for replica in &replicas[1..] {
        loop {
            let found: Value = reqwest::get(format!("{}/api/v1/organizations?q=zebrafish", replica.base))
                .await
                .expect("search")
                .json()
                .await
                .expect("json");
            // Read (and kept) each round: once the search finds the change, so does a read.
            let read = public(replica).await;
            if found["items"].as_array().is_some_and(|items| items.iter().any(|item| item["id"] == cang_so)) {
                assert_eq!(read["description"], profile["description"], "read on {} as found", replica.base);
                break;
            }
            assert!(
                saved.elapsed() < std::time::Duration::from_secs(1),
                "not found on {} within a second",
                replica.base
            );
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }
}

#[tokio::test]
async fn fifty_requests_for_one_pair_spread_over_three_replicas_make_one_and_no_5xx() {
    let db = TestDatabase::new().await;
    let (_store, members) = members_of(&db).await;
    let replicas = three(&db);
    let signed_in = login(&replicas[0], "lan@cangso.vn", PASSWORD).await;
    let cookie =
        signed_in.headers()["set-cookie"].to_str().expect("cookie").split(';').next().expect("pair").to_owned();
    let han_river = members[3].1;
    let client = reqwest::Client::new();
    let sent: Vec<_> = (0..50)
        .map(|n| {
            tokio::spawn(
                client
                    .post(format!("{}/api/v1/events/techfest-test/requests", replicas[n % 3].base))
                    .header("cookie", &cookie)
                    .json(&json!({"to": han_river}))
                    .send(),
            )
        })
        .collect();
    let mut statuses = Vec::new();
    for answer in sent {
        let answer = answer.await.expect("task").expect("request");
        let status = answer.status().as_u16();
        if status != 201 {
            let problem: Value = answer.json().await.expect("problem");
            assert_eq!((status, problem["code"].as_str()), (409, Some("request-exists")), "{problem}");
        }
        statuses.push(status);
    }
    assert_eq!(statuses.iter().filter(|s| **s == 201).count(), 1, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 409).count(), 49, "{statuses:?}");
}

/// Each meeting's place in a grid as the schedule's answer gives it: (meeting, slot, table).
fn grid_places(grid: &Value) -> Vec<(i64, String, i64)> {
    let mut places: Vec<(i64, String, i64)> = grid["slots"]
        .as_array()
        .expect("slots")
        .iter()
        .flat_map(|slot| {
            let code = slot["code"].as_str().expect("code").to_owned();
            slot["meetings"]
                .as_array()
                .expect("meetings")
                .iter()
                .map(move |m| (m["id"].as_i64().expect("id"), code.clone(), m["table"].as_i64().expect("table")))
        })
        .collect();
    places.sort();
    places
}

#[tokio::test]
async fn scheduler_runs_started_at_once_on_three_replicas_take_turns_and_leave_one_schedule() {
    use ketnoi_app::events::{SessionBody, SessionsBody};
    use ketnoi_app::{App, Credential, Settings};

    let db = TestDatabase::new().await;
    let (store, _) = members_of(&db).await;
    let app = App::new(store.clone(), Settings::default());
    let (organiser, _) = app
        .add_organiser("techfest-test", "organiser@techfest.test", "Ban tổ chức", PASSWORD)
        .await
        .expect("organiser");
    let (_, secret) = store.create_token(organiser.id, "runs", None).await.expect("token");
    let caller = app.identify(Some(Credential::Token(&secret))).await.expect("caller");
    let session = SessionBody {
        name: "Sáng".to_owned(),
        date: "2036-06-10".to_owned(),
        start: "08:00".to_owned(),
        end: "10:00".to_owned(),
        slot_minutes: 20,
        tables: 3,
    };
    app.set_sessions(&caller, "techfest-test", &SessionsBody { sessions: vec![session] }).await.expect("sessions");
    let event = app.event("techfest-test").await.expect("event");
    let (mut startups, mut investors) = (Vec::new(), Vec::new());
    for participant in store.event_participants(event.id).await.expect("participants") {
        match participant.profile.kind() {
            ketnoi_domain::profile::OrgKind::Startup => startups.push(participant.id),
            ketnoi_domain::profile::OrgKind::Investor => investors.push(participant.id),
        }
    }
    let written =
        crate::faults::bulk::accepted_meetings(&store, event.id, &startups, &investors, 12).await.expect("meetings");
    assert!(written >= 6, "meetings to place: {written}");

    let replicas = three(&db);
    let client = reqwest::Client::new();
    let runs: Vec<_> = replicas
        .iter()
        .map(|replica| {
            tokio::spawn(
                client
                    .post(format!("{}/api/v1/events/techfest-test/schedule", replica.base))
                    .bearer_auth(&secret)
                    .json(&json!({}))
                    .send(),
            )
        })
        .collect();
    let mut answers = Vec::new();
    for run in runs {
        let answer = run.await.expect("task").expect("run");
        assert_eq!(answer.status(), StatusCode::OK, "every run succeeds, one after another");
        answers.push(grid_places(&answer.json::<Value>().await.expect("grid")));
    }
    // The schedule left is one of the runs' whole (the last to finish), never a mix of two.
    let grid = client
        .get(format!("{}/api/v1/events/techfest-test/schedule", replicas[0].base))
        .bearer_auth(&secret)
        .send()
        .await
        .expect("grid");
    let left = grid_places(&grid.json::<Value>().await.expect("grid"));
    assert!(!left.is_empty(), "meetings placed");
    assert!(answers.contains(&left), "{left:?} is none of {answers:?}");
    // And it breaks no rule: a table and a participant once a slot.
    let meetings = store.meetings(event.id).await.expect("meetings");
    let mut tables = std::collections::HashSet::new();
    let mut sides = std::collections::HashSet::new();
    for m in meetings.iter().filter(|m| m.slot_id.is_some()) {
        assert!(tables.insert((m.slot_id, m.table)), "table {:?} twice in slot {:?}", m.table, m.slot_id);
        assert!(sides.insert((m.slot_id, m.startup_id)) && sides.insert((m.slot_id, m.investor_id)), "{m:?}");
    }
}
