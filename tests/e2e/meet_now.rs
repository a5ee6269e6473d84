//! Meet now, over HTTP on both databases: a no-show proposes instant meetings to the right
//! pairs only (present that day, free then, never met nor declined), an accepted proposal
//! becomes a re-matched meeting at a free table, a declined one is gone (409, nothing made), a
//! participant free for a slot is proposed at once, and fifty pairs completing at once for one
//! table give one meeting.

use sea_orm::{ConnectionTrait, EntityTrait, Set, Statement};
use serde_json::{Value, json};

use crate::support::{TestApp, Who};

const SLUG: &str = "techfest-test";
const BASE: &str = "/api/v1/events/techfest-test";

async fn count(app: &TestApp, sql: &str) -> i64 {
    let db = app.store.connection();
    let row = db
        .query_one_raw(Statement::from_string(db.get_database_backend(), sql.to_owned()))
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .expect("a row");
    row.try_get("", "n").expect("n")
}

async fn member(app: &TestApp, name: &str) -> (i64, Who) {
    let id = app.id_of(name).await;
    (id, app.account(&format!("member{id}@meetnow.test"), Some(id), None).await)
}

/// A request from `from` to `to`, accepted: the meeting's id.
async fn meeting(app: &TestApp, from: &Who, to: (i64, &Who)) -> Value {
    let sent = app.send("POST", &format!("{BASE}/requests"), from, Some(&json!({"to": to.0}))).await;
    assert_eq!(sent.status, 201, "{}", sent.body);
    let accepted =
        app.send("POST", &format!("{BASE}/requests/{}/accept", sent.body["id"]), to.1, Some(&json!({}))).await;
    assert_eq!(accepted.status, 200, "{}", accepted.body);
    accepted.body["meeting"]["id"].clone()
}

async fn place(app: &TestApp, organiser: &Who, meeting: &Value, slot: &str, table: u32) {
    let body = json!({"slot": slot, "table": table});
    let moved = app.send("PUT", &format!("{BASE}/meetings/{meeting}"), organiser, Some(&body)).await;
    assert_eq!(moved.status, 200, "{}", moved.body);
}

async fn set_status(app: &TestApp, organiser: &Who, meeting: &Value, status: &str) {
    let path = format!("{BASE}/meetings/{meeting}/status");
    let answer = app.send("PUT", &path, organiser, Some(&json!({"status": status}))).await;
    assert_eq!(answer.status, 200, "{status}: {}", answer.body);
}

/// Sessions on a day still to come, so that its slots are not over: the slots' codes.
async fn sessions(app: &TestApp, organiser: &Who, tables: u32) -> Vec<String> {
    let sessions = json!({"sessions": [
        {"name": "Sáng", "date": "2031-03-11", "start": "09:00", "end": "10:00", "slot_minutes": 20, "tables": tables},
    ]});
    let set = app.send("PUT", &format!("{BASE}/sessions"), organiser, Some(&sessions)).await;
    assert_eq!(set.status, 200, "{}", set.body);
    let grid = app.send("GET", &format!("{BASE}/schedule"), organiser, None).await;
    assert_eq!(grid.status, 200, "{}", grid.body);
    grid.body["slots"].as_array().expect("slots").iter().map(|s| s["code"].as_str().expect("code").to_owned()).collect()
}

fn pairs(list: &Value) -> Vec<(String, String)> {
    list["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|p| {
            (
                p["startup"]["name"].as_str().expect("a name").to_owned(),
                p["investor"]["name"].as_str().expect("a name").to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn a_no_show_proposes_the_right_pairs_and_an_accepted_proposal_is_a_meeting_at_a_free_table() {
    let app = TestApp::with_fixtures().await;
    let event = app.event_id(SLUG).await;
    let organiser = app.account("organiser@meetnow.test", None, Some(event)).await;
    let slots = sessions(&app, &organiser, 3).await;
    let (first, second) = (&slots[0], &slots[1]);

    let (_, cang_so) = member(&app, "Cảng Số").await;
    let (_, nong_san) = member(&app, "Nông Sản Xanh").await;
    let (_, portlink) = member(&app, "PortLink").await;
    let (_, dong_xanh) = member(&app, "Đồng Xanh Agri").await;
    let (han_river_id, han_river) = member(&app, "Han River Ventures").await;
    let (song_hong_id, song_hong) = member(&app, "Sông Hồng Angels").await;
    let (rotterdam_id, rotterdam) = member(&app, "Rotterdam Port Ventures").await;

    // The first slot: three meetings checked in, so their six sides are at the venue that day.
    let met = meeting(&app, &cang_so, (han_river_id, &han_river)).await;
    let nong_san_song_hong = meeting(&app, &nong_san, (song_hong_id, &song_hong)).await;
    let portlink_rotterdam = meeting(&app, &portlink, (rotterdam_id, &rotterdam)).await;
    for (m, table) in [(&met, 1), (&nong_san_song_hong, 2), (&portlink_rotterdam, 3)] {
        place(&app, &organiser, m, first, table).await;
        set_status(&app, &organiser, m, "checked-in").await;
    }
    // The second slot: Đồng Xanh (never checked in) and Han River at table 1; PortLink and Sông
    // Hồng at table 2, busy.
    let no_show = meeting(&app, &dong_xanh, (han_river_id, &han_river)).await;
    place(&app, &organiser, &no_show, second, 1).await;
    let busy = meeting(&app, &portlink, (song_hong_id, &song_hong)).await;
    place(&app, &organiser, &busy, second, 2).await;
    // Cảng Số asked Rotterdam and was declined.
    let sent = app.send("POST", &format!("{BASE}/requests"), &cang_so, Some(&json!({"to": rotterdam_id}))).await;
    let declined =
        app.send("POST", &format!("{BASE}/requests/{}/decline", sent.body["id"]), &rotterdam, Some(&json!({}))).await;
    assert_eq!(declined.status, 200, "{}", declined.body);
    assert!(pairs(&app.send("GET", &format!("{BASE}/meet-now"), &organiser, None).await.body).is_empty());

    // Nông Sản asked Han River; no answer yet.
    let asked = app.send("POST", &format!("{BASE}/requests"), &nong_san, Some(&json!({"to": han_river_id}))).await;
    assert_eq!(asked.status, 201, "{}", asked.body);

    set_status(&app, &organiser, &no_show, "no-show").await;
    // Present and free in the second slot: Cảng Số and Nông Sản, Han River and Rotterdam. Cảng
    // Số met Han River and was declined by Rotterdam; Nông Sản (pre-seed) is two stages from
    // Rotterdam's: one pair is left. Đồng Xanh never checked in; PortLink is busy.
    let all = app.send("GET", &format!("{BASE}/meet-now"), &organiser, None).await;
    assert_eq!(all.status, 200, "{}", all.body);
    assert_eq!(pairs(&all.body), vec![("Nông Sản Xanh".to_owned(), "Han River Ventures".to_owned())], "{}", all.body);
    let proposal = &all.body["items"][0];
    assert_eq!((proposal["slot"].as_str(), &proposal["table"]), (Some(second.as_str()), &json!(1)), "the freed table");
    assert_eq!(proposal["status"], "open");
    let id = proposal["id"].clone();
    for (who, expected) in [(&nong_san, 1), (&han_river, 1), (&rotterdam, 0), (&dong_xanh, 0)] {
        let mine = app.send("GET", &format!("{BASE}/meet-now"), who, None).await;
        assert_eq!(mine.body["items"].as_array().map(Vec::len), Some(expected), "{}", mine.body);
    }
    let anonymous = app.send("GET", &format!("{BASE}/meet-now"), &Who::Anonymous, None).await;
    assert_eq!(anonymous.status, 401);
    let stranger = app.send("POST", &format!("{BASE}/meet-now/{id}/accept"), &cang_so, None).await;
    assert_eq!((stranger.status, stranger.body["code"].as_str()), (404, Some("not-found")), "{}", stranger.body);

    // Both accept: a meeting at the freed table, published and marked re-matched.
    let half = app.send("POST", &format!("{BASE}/meet-now/{id}/accept"), &nong_san, None).await;
    assert_eq!((half.status, half.body["status"].as_str()), (200, Some("open")), "{}", half.body);
    assert_eq!((&half.body["startup_accepted"], &half.body["investor_accepted"]), (&json!(true), &json!(false)));
    let done = app.send("POST", &format!("{BASE}/meet-now/{id}/accept"), &han_river, None).await;
    assert_eq!((done.status, done.body["status"].as_str()), (200, Some("met")), "{}", done.body);
    let meeting_id = done.body["meeting"].as_i64().expect("a meeting");
    // The meeting answers the request Nông Sản had sent: accepted, not left pending.
    let outbox = app.send("GET", &format!("{BASE}/requests?box=outbox"), &nong_san, None).await;
    let request = outbox.body["items"].as_array().expect("a list").iter().find(|r| r["id"] == asked.body["id"]);
    assert_eq!(request.map(|r| r["status"].clone()), Some(json!("accepted")), "{}", outbox.body);
    let agenda = app.send("GET", &format!("{BASE}/agenda"), &nong_san, None).await;
    let placed =
        agenda.body["items"].as_array().expect("a list").iter().find(|m| m["id"] == meeting_id).expect("on the agenda");
    assert_eq!((placed["slot"].as_str(), &placed["table"]), (Some(second.as_str()), &json!(1)), "{placed}");
    assert_eq!(
        (&placed["rematched"], &placed["published"], placed["status"].as_str()),
        (&json!(true), &json!(true), Some("scheduled"))
    );
    let grid = app.send("GET", &format!("{BASE}/schedule"), &organiser, None).await;
    let in_grid: Vec<&Value> = grid.body["slots"]
        .as_array()
        .expect("a list")
        .iter()
        .flat_map(|s| s["meetings"].as_array().expect("a list"))
        .collect();
    assert!(in_grid.iter().any(|m| m["id"] == meeting_id && m["rematched"] == true), "marked on the grid");
    assert_eq!(count(&app, "SELECT COUNT(*) AS n FROM meetings WHERE rematched").await, 1);
    let report = app.send("GET", &format!("{BASE}/report"), &Who::Anonymous, None).await;
    assert_eq!(report.body["meetings"]["rematched"], 1, "{}", report.body);
    // Đồng Xanh turns up late: its place went to the re-matched pair, so the organisers are
    // told who is there instead, and nothing changes.
    let path = format!("{BASE}/meetings/{no_show}/status");
    let late = app.send("PUT", &path, &organiser, Some(&json!({"status": "checked-in"}))).await;
    assert_eq!((late.status, late.body["code"].as_str()), (409, Some("participant-busy")), "{}", late.body);
    assert_eq!((late.body["with"].as_str(), late.body["meeting"].as_i64()), (Some("Nông Sản Xanh"), Some(meeting_id)));
    assert!(!late.body["at"].as_str().unwrap_or_default().is_empty(), "the slot in words: {}", late.body);
    // The day is still to come: no follow-up round yet.
    let early = app.send("POST", &format!("{BASE}/follow-up"), &organiser, None).await;
    assert_eq!((early.status, early.body["code"].as_str()), (409, Some("event-not-over")), "{}", early.body);
    let again = app.send("POST", &format!("{BASE}/meet-now/{id}/accept"), &han_river, None).await;
    assert_eq!((again.status, again.body["code"].as_str()), (409, Some("proposal-gone")), "{}", again.body);

    // Đồng Xanh, whose meeting fell through, says it is here and free: Rotterdam is proposed, at
    // the table nobody uses (1 is re-matched, 2 is busy).
    let free = app.send("POST", &format!("{BASE}/meet-now/free"), &dong_xanh, Some(&json!({"slot": second}))).await;
    assert_eq!(free.status, 200, "{}", free.body);
    assert_eq!(pairs(&free.body), vec![("Đồng Xanh Agri".to_owned(), "Rotterdam Port Ventures".to_owned())]);
    assert_eq!(free.body["items"][0]["table"], 3);
    let second_id = free.body["items"][0]["id"].clone();
    // On Rotterdam's agenda page, with its two buttons.
    let (status, html) = crate::desk::page(&app, "/e/techfest-test/agenda", &rotterdam, "en").await;
    assert_eq!(status, 200);
    assert!(html.contains(&format!("id=\"proposal-{second_id}\"")) && html.contains("Meet now"), "{html}");
    assert!(html.contains("Đồng Xanh Agri"), "the counterpart named");
    let no = app.send("POST", &format!("{BASE}/meet-now/{second_id}/decline"), &rotterdam, None).await;
    assert_eq!((no.status, no.body["status"].as_str()), (200, Some("declined")), "{}", no.body);
    let meetings_before = count(&app, "SELECT COUNT(*) AS n FROM meetings").await;
    let gone = app.send("POST", &format!("{BASE}/meet-now/{second_id}/accept"), &dong_xanh, None).await;
    assert_eq!((gone.status, gone.body["code"].as_str()), (409, Some("proposal-gone")), "{}", gone.body);
    assert_eq!(count(&app, "SELECT COUNT(*) AS n FROM meetings").await, meetings_before, "nothing created");
    // Declined once, never proposed again in any slot.
    let free = app.send("POST", &format!("{BASE}/meet-now/free"), &dong_xanh, Some(&json!({"slot": slots[2]}))).await;
    assert_eq!(free.status, 200, "{}", free.body);
    assert!(!pairs(&free.body).contains(&("Đồng Xanh Agri".to_owned(), "Rotterdam Port Ventures".to_owned())));

    // Bad input: a slot the event lacks, a slot with a meeting of one's own.
    let unknown =
        app.send("POST", &format!("{BASE}/meet-now/free"), &dong_xanh, Some(&json!({"slot": "zz-9999"}))).await;
    assert_eq!((unknown.status, unknown.body["errors"][0]["field"].as_str()), (400, Some("slot")), "{}", unknown.body);
    let taken = app.send("POST", &format!("{BASE}/meet-now/free"), &portlink, Some(&json!({"slot": second}))).await;
    assert_eq!((taken.status, taken.body["code"].as_str()), (409, Some("participant-busy")), "{}", taken.body);
    // On the web: refusals come back on the agenda, in words.
    let path = "/e/techfest-test/meet-now/free";
    let (status, html) = crate::desk::post_form(&app, path, &portlink, &format!("slot={second}")).await;
    assert_eq!(status, 422, "{html}");
    assert!(html.contains("PortLink") && html.contains("Sông Hồng Angels"), "who is busy, with whom: {html}");
    let path = format!("/e/techfest-test/agenda/{met}/outcome");
    let (status, html) = crate::desk::post_form(&app, &path, &cang_so, "outcome=invested&amount=lots").await;
    assert_eq!(status, 422, "{html}");
    assert!(html.contains("lots"), "the value named: {html}");
    // Outcome: an amount only with a deal, and above zero; private to the pair.
    let path = format!("{BASE}/meetings/{met}/outcome");
    let wrong = app.send("PUT", &path, &cang_so, Some(&json!({"outcome": "met-again", "amount": 5000}))).await;
    assert_eq!((wrong.status, wrong.body["errors"][0]["field"].as_str()), (400, Some("amount")), "{}", wrong.body);
    let negative = app.send("PUT", &path, &cang_so, Some(&json!({"outcome": "invested", "amount": -5}))).await;
    assert_eq!((negative.status, negative.body["errors"][0]["code"].as_str()), (400, Some("not-positive")));
    let deal = app.send("PUT", &path, &cang_so, Some(&json!({"outcome": "invested", "amount": 300000}))).await;
    assert_eq!((deal.status, &deal.body["startup_amount"]), (200, &json!(300000)), "{}", deal.body);
}

#[tokio::test]
async fn fifty_pairs_completing_at_once_for_one_table_give_one_meeting() {
    let app = TestApp::with_fixtures().await;
    let event = app.event_id(SLUG).await;
    let organiser = app.account("organiser@race.test", None, Some(event)).await;
    let slots = sessions(&app, &organiser, 1).await;
    // Fifty startups and fifty investors alike: every pair fits as well as every other.
    let mut startups = String::from("name,sectors,stage,country,funding_ask,currency,description\n");
    let mut investors =
        String::from("name,investor_type,sectors,stages,ticket_min,ticket_max,currency,countries,thesis\n");
    for n in 0..50 {
        startups.push_str(&format!("Race Startup {n:02},logistics,seed,VN,5000000000,VND,Port trucks\n"));
        investors.push_str(&format!("Race Fund {n:02},vc,logistics,seed,100000,1000000,USD,VN,Port logistics\n"));
    }
    let import = json!({"startups": startups, "investors": investors});
    let imported = app.send("POST", &format!("{BASE}/import"), &organiser, Some(&import)).await;
    assert_eq!((imported.status, &imported.body["created"]), (200, &json!(100)), "{}", imported.body);

    // One member each with an API token, written in bulk (one password hash for all).
    let hash = ketnoi_store::entity::users::Entity::find_by_id(app.user_id("organiser@race.test").await)
        .one(app.store.connection())
        .await
        .expect("user")
        .expect("template")
        .password_hash;
    let mut racers: Vec<(String, Who)> = Vec::new();
    for (prefix, kind) in [("Race Startup", "s"), ("Race Fund", "i")] {
        for n in 0..50 {
            let name = format!("{prefix} {n:02}");
            let organization = app.id_of(&name).await;
            let now = jiff::Timestamp::now().as_second();
            let user = ketnoi_store::entity::users::ActiveModel {
                email: Set(format!("{kind}{n}@race.test")),
                password_hash: Set(hash.clone()),
                display_name: Set(name.clone()),
                role: Set("member".to_owned()),
                organization_id: Set(Some(organization)),
                event_id: Set(None),
                disabled: Set(false),
                language: Set("vi".to_owned()),
                email_consent_at: Set(None),
                email_confirmed_at: Set(Some(now)),
                calendar_feed: Set(0),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            };
            let user = ketnoi_store::entity::users::Entity::insert(user)
                .exec(app.store.connection())
                .await
                .expect("insert user")
                .last_insert_id;
            let (_, secret) = app.store.create_token(user, "race", None).await.expect("token");
            racers.push((name, Who::Script(secret)));
        }
    }
    let (startups, investors) = racers.split_at(50);
    // Each says it is at the venue and free in the first slot, startups first: each investor
    // then forms a pair with a startup still free, all at the one table.
    for (_, who) in startups.iter().chain(investors) {
        let free = app.send("POST", &format!("{BASE}/meet-now/free"), who, Some(&json!({"slot": slots[0]}))).await;
        assert_eq!(free.status, 200, "{}", free.body);
    }
    let open = app.send("GET", &format!("{BASE}/meet-now"), &organiser, None).await;
    let items = open.body["items"].as_array().expect("items");
    assert_eq!(items.len(), 50, "{}", open.body);
    assert!(items.iter().all(|p| p["table"] == 1));
    let ids: std::collections::HashMap<String, Value> =
        items.iter().map(|p| (p["investor"]["name"].as_str().expect("a name").to_owned(), p["id"].clone())).collect();
    let startup_of: std::collections::HashMap<Value, String> =
        items.iter().map(|p| (p["id"].clone(), p["startup"]["name"].as_str().expect("a name").to_owned())).collect();
    for (name, who) in investors {
        let id = &ids[name];
        let half = app.send("POST", &format!("{BASE}/meet-now/{id}/accept"), who, None).await;
        assert_eq!((half.status, half.body["status"].as_str()), (200, Some("open")), "{}", half.body);
    }
    // The fifty startups complete at once.
    let by_name: std::collections::HashMap<&str, &Who> = startups.iter().map(|(n, w)| (n.as_str(), w)).collect();
    let app = &app;
    let answers = crate::meetings::futures_join(ids.values().map(|id| {
        let who = by_name[startup_of[id].as_str()];
        let path = format!("{BASE}/meet-now/{id}/accept");
        async move { app.send("POST", &path, who, None).await }
    }))
    .await;
    let won: Vec<_> = answers.iter().filter(|a| a.status == 200).collect();
    assert_eq!(won.len(), 1, "{:?}", answers.iter().map(|a| (a.status, a.body.clone())).collect::<Vec<_>>());
    assert_eq!(won[0].body["status"], "met");
    for lost in answers.iter().filter(|a| a.status != 200) {
        assert_eq!((lost.status, lost.body["code"].as_str()), (409, Some("proposal-gone")), "{}", lost.body);
    }
    assert_eq!(count(app, "SELECT COUNT(*) AS n FROM meetings WHERE rematched").await, 1);
    assert_eq!(count(app, "SELECT COUNT(*) AS n FROM meet_now_proposals WHERE status = 'met'").await, 1);
    assert_eq!(count(app, "SELECT COUNT(*) AS n FROM meet_now_proposals WHERE status = 'gone'").await, 49);
    assert_eq!(count(app, "SELECT COUNT(*) AS n FROM meet_now_proposals WHERE status = 'open'").await, 0);
}

#[tokio::test]
async fn a_profile_changed_between_rounds_is_ranked_as_it_is_now() {
    let app = TestApp::with_fixtures().await;
    let event = app.event_id(SLUG).await;
    let organiser = app.account("organiser@meetnow.test", None, Some(event)).await;
    let slots = sessions(&app, &organiser, 3).await;
    let (_, nong_san) = member(&app, "Nông Sản Xanh").await;
    let (_, portlink) = member(&app, "PortLink").await;
    let (song_hong_id, song_hong) = member(&app, "Sông Hồng Angels").await;
    let (rotterdam_id, rotterdam) = member(&app, "Rotterdam Port Ventures").await;
    for (from, to) in [(&nong_san, (song_hong_id, &song_hong)), (&portlink, (rotterdam_id, &rotterdam))] {
        let m = meeting(&app, from, to).await;
        place(&app, &organiser, &m, &slots[0], if to.0 == song_hong_id { 1 } else { 2 }).await;
        set_status(&app, &organiser, &m, "checked-in").await;
    }
    let nong_san_rotterdam = ("Nông Sản Xanh".to_owned(), "Rotterdam Port Ventures".to_owned());
    // Rotterdam invests from series A, in tickets of 500k EUR and up: never with Nông Sản
    // (pre-seed, asking 800 million VND).
    let free = app.send("POST", &format!("{BASE}/meet-now/free"), &nong_san, Some(&json!({"slot": slots[1]}))).await;
    assert_eq!(free.status, 200, "{}", free.body);
    let all = app.send("GET", &format!("{BASE}/meet-now"), &organiser, None).await;
    assert!(!pairs(&all.body).contains(&nong_san_rotterdam), "{}", all.body);
    // Rotterdam opens a pre-seed programme with small tickets: the next round proposes the pair.
    let path = format!("/api/v1/organizations/{rotterdam_id}");
    let mut profile = app.send("GET", &path, &rotterdam, None).await.body;
    let fields = profile.as_object_mut().expect("an object");
    fields.remove("ticket");
    fields.insert("stages".to_owned(), json!(["pre-seed", "seed", "series-a"]));
    fields.extend([("ticket_min".to_owned(), json!(10_000)), ("ticket_max".to_owned(), json!(2_000_000))]);
    fields.insert("currency".to_owned(), json!("USD"));
    let changed = app.send("PUT", &path, &rotterdam, Some(&profile)).await;
    assert_eq!(changed.status, 200, "{}", changed.body);
    let free = app.send("POST", &format!("{BASE}/meet-now/free"), &nong_san, Some(&json!({"slot": slots[2]}))).await;
    assert_eq!(free.status, 200, "{}", free.body);
    assert!(pairs(&free.body).contains(&nong_san_rotterdam), "{}", free.body);
}
