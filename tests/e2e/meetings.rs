//! Meeting requests to a printed table plan, over HTTP: request, accept, schedule, publish,
//! agenda and iCalendar, moves and conflicts, and concurrent conflicting writes.

use serde_json::{Value, json};

use crate::support::{TestApp, Who};

/// The fixture event with two half-day sessions of six 20-minute slots and 2 tables, its
/// organiser, and members of Cảng Số (startup), PortLink (startup) and Han River (investor).
struct Event {
    app: TestApp,
    organiser: Who,
    cang_so: (i64, Who),
    portlink: (i64, Who),
    han_river: (i64, Who),
    rotterdam: i64,
}

async fn event() -> Event {
    let app = TestApp::with_fixtures().await;
    let event_id = app.event_id("techfest-test").await;
    let organiser = app.account("organiser@techfest-test.vn", None, Some(event_id)).await;
    let sessions = json!({"sessions": [
        {"name": "Sáng", "date": "2023-11-24", "start": "09:00", "end": "11:00", "slot_minutes": 20, "tables": 2},
    ]});
    let answer = app.send("PUT", "/api/v1/events/techfest-test/sessions", &organiser, Some(&sessions)).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(answer.body["slots"].as_array().expect("slots").len(), 6);
    let member = |name: &'static str, email: &'static str| {
        let app = &app;
        async move {
            let id = app.id_of(name).await;
            (id, app.account(email, Some(id), None).await)
        }
    };
    let cang_so = member("Cảng Số", "member@cangso.vn").await;
    let portlink = member("PortLink", "member@portlink.sg").await;
    let han_river = member("Han River Ventures", "member@hanriver.kr").await;
    let rotterdam = app.id_of("Rotterdam Port Ventures").await;
    Event { app, organiser, cang_so, portlink, han_river, rotterdam }
}

const BASE: &str = "/api/v1/events/techfest-test";

async fn request(e: &Event, from: &Who, to: i64) -> Value {
    let answer =
        e.app.send("POST", &format!("{BASE}/requests"), from, Some(&json!({"to": to, "message": "Xin chào!"}))).await;
    assert_eq!(answer.status, 201, "{}", answer.body);
    answer.body
}

async fn accept(e: &Event, who: &Who, id: &Value) -> Value {
    let answer =
        e.app.send("POST", &format!("{BASE}/requests/{id}/accept"), who, Some(&json!({"note": "Hẹn gặp"}))).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    answer.body
}

#[tokio::test]
async fn from_a_request_to_a_published_table_plan_and_a_calendar() {
    let e = event().await;
    let (han_river, investor) = (&e.han_river.0, &e.han_river.1);
    let sent = request(&e, &e.cang_so.1, *han_river).await;
    assert_eq!(sent["status"], "pending");
    assert_eq!(sent["to"]["name"], "Han River Ventures");
    let inbox = e.app.send("GET", &format!("{BASE}/requests?box=inbox"), investor, None).await;
    assert_eq!(inbox.body["items"][0]["from"]["name"], "Cảng Số");
    let outbox = e.app.send("GET", &format!("{BASE}/requests?box=outbox"), &e.cang_so.1, None).await;
    assert_eq!(outbox.body["items"][0]["status"], "pending");

    let answered = accept(&e, investor, &sent["id"]).await;
    assert_eq!(answered["request"]["status"], "accepted");
    assert_eq!(answered["meeting"]["slot"], Value::Null);
    let second = request(&e, &e.portlink.1, *han_river).await;
    accept(&e, investor, &second["id"]).await;

    // Cảng Số cannot make the first two slots.
    let busy = json!({"unavailable": ["d1-0900", "d1-0920"]});
    let set = e.app.send("PUT", &format!("{BASE}/availability"), &e.cang_so.1, Some(&busy)).await;
    assert_eq!(set.status, 200, "{}", set.body);

    // A time budget of zero or below is refused by name, and nothing is placed.
    for limit in [json!(0), json!(-1.5), json!(21)] {
        let body = json!({"time_limit_seconds": limit});
        let refused = e.app.send("POST", &format!("{BASE}/schedule"), &e.organiser, Some(&body)).await;
        assert_eq!(refused.status, 400, "{}", refused.body);
        assert_eq!(refused.body["errors"][0]["field"], "time_limit_seconds", "{}", refused.body);
    }
    let grid = e.app.send("GET", &format!("{BASE}/schedule"), &e.organiser, None).await;
    assert_eq!(grid.body["placed"], 0, "{}", grid.body);
    let body = json!({"time_limit_seconds": 1.5});
    let grid = e.app.send("POST", &format!("{BASE}/schedule"), &e.organiser, Some(&body)).await;
    assert_eq!(grid.status, 200, "{}", grid.body);
    assert_eq!(grid.body["placed"], 2);
    assert_eq!(grid.body["upper_bound"], 2);
    assert_eq!(grid.body["unplaced"], json!([]));
    // Every meeting placed: nothing could do better.
    assert_eq!(grid.body["run"]["status"], "optimal", "{}", grid.body);
    assert_eq!(grid.body["run"]["gap"], json!({"meetings": 0, "weight": 0.0}));
    // Until published, the placement is the organisers' preview.
    let preview = e.app.send("GET", &format!("{BASE}/agenda"), &e.cang_so.1, None).await;
    assert_eq!(preview.body["items"][0]["slot"], Value::Null);
    let organisers_view =
        e.app.send("GET", &format!("{BASE}/agenda?organization={}", e.cang_so.0), &e.organiser, None).await;
    assert!(organisers_view.body["items"][0]["slot"].is_string());
    let published = e.app.send("POST", &format!("{BASE}/publish"), &e.organiser, None).await;
    assert_eq!(published.body["published"], 2);

    let agenda = e.app.send("GET", &format!("{BASE}/agenda"), &e.cang_so.1, None).await;
    let item = &agenda.body["items"][0];
    assert_eq!(item["investor"]["name"], "Han River Ventures");
    let slot = item["slot"].as_str().expect("placed").to_owned();
    assert!(!["d1-0900", "d1-0920"].contains(&slot.as_str()), "placed in a slot Cảng Số cannot attend");
    assert!(item["start"].as_str().expect("start").ends_with("+07:00"));
    assert!(item["table"].as_u64().is_some());
    assert_eq!(item["published"], true);

    let calendar = e
        .app
        .client
        .get(format!("{}{BASE}/agenda.ics", e.app.base))
        .header("cookie", cookie(&e.cang_so.1))
        .send()
        .await
        .expect("ics");
    assert_eq!(calendar.headers()["content-type"], "text/calendar; charset=utf-8");
    let text = calendar.text().await.expect("body");
    let (uid, sequence, start) = first_event(&text);
    assert_eq!(uid, format!("meeting-{}@techfest-test.ketnoi", item["id"]));
    assert_eq!(sequence, "0");
    assert!(start.0.contains("TZID=Asia/Ho_Chi_Minh") || start.1.starts_with("20231124T"), "{start:?}");

    // The organiser moves it: the same UID comes with SEQUENCE 1.
    let to = if slot == "d1-1040" { "d1-1020" } else { "d1-1040" };
    let moved = e
        .app
        .send("PUT", &format!("{BASE}/meetings/{}", item["id"]), &e.organiser, Some(&json!({"slot": to, "table": 2})))
        .await;
    assert_eq!(moved.status, 200, "{}", moved.body);
    assert_eq!(moved.body["sequence"], 1);
    assert_eq!(moved.body["pinned"], true);
    let text = e
        .app
        .client
        .get(format!("{}{BASE}/agenda.ics", e.app.base))
        .header("cookie", cookie(&e.cang_so.1))
        .send()
        .await
        .expect("ics")
        .text()
        .await
        .expect("body");
    let (uid_after, sequence, _) = first_event(&text);
    assert_eq!((uid_after, sequence.as_str()), (uid, "1"));

    // A re-run leaves published and pinned meetings where they are.
    let rerun = e.app.send("POST", &format!("{BASE}/schedule"), &e.organiser, Some(&json!({}))).await;
    let slots = rerun.body["slots"].as_array().expect("slots");
    let at = slots.iter().find(|s| s["code"] == to).expect("slot");
    assert_eq!(at["meetings"][0]["id"], item["id"]);

    // Check-in, outcome, figures and the table sheet.
    let status = e
        .app
        .send("PUT", &format!("{BASE}/meetings/{}/status", item["id"]), &e.organiser, Some(&json!({"status": "held"})))
        .await;
    assert_eq!(status.body["status"], "held");
    let outcome = e
        .app
        .send(
            "PUT",
            &format!("{BASE}/meetings/{}/outcome", item["id"]),
            &e.cang_so.1,
            Some(&json!({"outcome": "follow-up"})),
        )
        .await;
    assert_eq!(outcome.body["startup_outcome"], "follow-up");
    let figures = e.app.json(&format!("{BASE}/figures"), 200).await;
    assert_eq!(
        (figures["requests"].as_u64(), figures["held"].as_u64(), figures["placed"].as_u64()),
        (Some(2), Some(1), Some(2))
    );
    assert_eq!(figures["acceptance_rate"], 1.0);
    assert_eq!(figures["outcomes"]["follow-up"], 1);
    let sheet = e
        .app
        .client
        .get(format!("{}{BASE}/tables.csv?slot={to}", e.app.base))
        .header("cookie", cookie(&e.organiser))
        .send()
        .await
        .expect("csv")
        .text()
        .await
        .expect("body");
    // UTF-8 with a byte-order mark, so that a spreadsheet reads the names.
    assert!(sheet.starts_with("\u{feff}slot,start,table,startup,investor,status\n"), "{sheet}");
    assert!(
        sheet.contains(&format!("{to},2023-11-24T")) && sheet.contains(",Cảng Số,Han River Ventures,held\n"),
        "{sheet}"
    );

    // The personal data download holds the requests and meetings too.
    let export = e.app.send("GET", "/api/v1/me/export", &e.cang_so.1, None).await;
    assert_eq!(export.body["meeting_requests"][0]["status"], "accepted");
    assert_eq!(export.body["meetings"][0]["status"], "held");
    assert_eq!(export.body["meetings"][0]["startup_outcome"], "follow-up");
}

async fn post(app: &TestApp, who: &Who, to: i64) -> crate::support::Answer {
    app.send("POST", &format!("{BASE}/requests"), who, Some(&json!({"to": to}))).await
}

async fn put(e: &Event, id: &Value, slot: &str, table: u32) -> crate::support::Answer {
    let body = json!({"slot": slot, "table": table});
    e.app.send("PUT", &format!("{BASE}/meetings/{id}"), &e.organiser, Some(&body)).await
}

fn cookie(who: &Who) -> String {
    match who {
        Who::Browser(secret) => format!("ketnoi_session={secret}"),
        _ => String::new(),
    }
}

/// The UID, SEQUENCE and DTSTART (parameters, value) of the first VEVENT, read by a calendar
/// parser.
fn first_event(text: &str) -> (String, String, (String, String)) {
    let mut calendars = ical::IcalParser::new(std::io::BufReader::new(text.as_bytes()));
    let calendar = calendars.next().expect("a calendar").expect("parsed");
    assert_eq!(calendar.timezones.len(), 1, "one VTIMEZONE");
    let event = calendar.events.first().expect("an event");
    let value =
        |name: &str| event.properties.iter().find(|p| p.name == name).and_then(|p| p.value.clone()).unwrap_or_default();
    let start = event.properties.iter().find(|p| p.name == "DTSTART").expect("DTSTART");
    let params = format!("{:?}", start.params);
    (value("UID"), value("SEQUENCE"), (params, start.value.clone().unwrap_or_default()))
}

#[tokio::test]
async fn bad_requests_and_moves_are_refused_and_change_nothing() {
    let e = event().await;
    let app = &e.app;
    let to_self = post(app, &e.cang_so.1, e.cang_so.0).await;
    assert_eq!(to_self.body["errors"][0]["field"], "to");
    assert_eq!((to_self.status, &to_self.body["code"]), (400, &json!("request-to-self")));
    assert_eq!(to_self.body["type"], "https://ketnoi.dev/problems/request-to-self");
    let two_startups = post(app, &e.cang_so.1, e.portlink.0).await;
    assert_eq!(two_startups.status, 400);
    assert!(two_startups.body["detail"].as_str().expect("d").contains("between a startup and an investor"));
    assert_eq!((&two_startups.body["code"], &two_startups.body["kind"]), (&json!("same-kind"), &json!("startup")));
    let stranger = post(app, &e.cang_so.1, 999_999).await;
    assert_eq!((stranger.status, &stranger.body["code"]), (400, &json!("not-a-participant")));
    assert_eq!(stranger.body["organization"], 999_999);
    let first = request(&e, &e.cang_so.1, e.han_river.0).await;
    let twice = post(app, &e.cang_so.1, e.han_river.0).await;
    assert_eq!(twice.status, 409, "twice");
    assert_eq!((&twice.body["code"], &twice.body["request"]), (&json!("request-exists"), &first["id"]));
    assert_eq!(twice.body["request_status"], "pending");
    assert_eq!(post(app, &e.han_river.1, e.cang_so.0).await.status, 409, "the other way round");
    assert_eq!(post(app, &e.organiser, e.han_river.0).await.status, 404, "organisers do not request");

    // Past the quota.
    let rules = json!({"request_quota": 1});
    assert_eq!(app.send("PUT", &format!("{BASE}/rules"), &e.organiser, Some(&rules)).await.status, 200);
    let over = post(app, &e.cang_so.1, e.rotterdam).await;
    assert_eq!(over.status, 409);
    assert!(over.body["detail"].as_str().expect("d").contains("quota of 1"));
    assert_eq!((&over.body["code"], &over.body["quota"]), (&json!("request-quota-reached"), &json!(1)));

    // Only the recipient accepts; the requester can cancel; then nobody can accept.
    let id = &first["id"];
    let by_requester = app.send("POST", &format!("{BASE}/requests/{id}/accept"), &e.cang_so.1, Some(&json!({}))).await;
    assert_eq!(by_requester.status, 404);
    let by_other = app.send("POST", &format!("{BASE}/requests/{id}/accept"), &e.portlink.1, Some(&json!({}))).await;
    assert_eq!(by_other.status, 404);
    let cancelled = app.send("POST", &format!("{BASE}/requests/{id}/cancel"), &e.cang_so.1, None).await;
    assert_eq!(cancelled.body["status"], "cancelled");
    let late = app.send("POST", &format!("{BASE}/requests/{id}/accept"), &e.han_river.1, Some(&json!({}))).await;
    assert_eq!(late.status, 409);
    assert!(late.body["detail"].as_str().expect("d").contains("no longer pending"));
    assert_eq!(
        (&late.body["code"], &late.body["request_status"]),
        (&json!("request-not-pending"), &json!("cancelled"))
    );

    // Two meetings; moving one onto the other's table, or into a slot a side cannot attend.
    app.send("PUT", &format!("{BASE}/rules"), &e.organiser, Some(&json!({}))).await;
    let a = request(&e, &e.cang_so.1, e.han_river.0).await;
    let a = accept(&e, &e.han_river.1, &a["id"]).await["meeting"]["id"].clone();
    let b = request(&e, &e.portlink.1, e.han_river.0).await;
    let b = accept(&e, &e.han_river.1, &b["id"]).await["meeting"]["id"].clone();
    assert_eq!(put(&e, &a, "d1-0900", 1).await.status, 200);
    let same_table = put(&e, &b, "d1-0900", 1).await;
    assert_eq!(same_table.status, 409, "{}", same_table.body);
    let same_investor = put(&e, &b, "d1-0900", 2).await;
    assert_eq!(same_investor.status, 409, "Han River meets Cảng Số then");
    // Who is in the way, named.
    assert_eq!(same_investor.body["code"], "participant-busy", "{}", same_investor.body);
    assert_eq!(same_investor.body["organization"]["name"], "Han River Ventures");
    assert_eq!((&same_investor.body["meeting"], &same_investor.body["slot"]), (&a, &json!("d1-0900")));
    // The slot in words beside its code; the detail says who meets whom, when and where.
    assert_eq!(same_investor.body["at"], "09:00 24/11", "{}", same_investor.body);
    assert_eq!((&same_investor.body["table"], &same_investor.body["with"]), (&json!(1), &json!("Cảng Số")));
    let detail = same_investor.body["detail"].as_str().unwrap_or_default();
    assert!(detail.contains("at 09:00 24/11 at table 1 with \"Cảng Số\""), "{detail}");
    let wrong_table = put(&e, &b, "d1-0900", 3).await;
    assert_eq!(wrong_table.body["errors"][0]["field"], "table");
    assert_eq!((&wrong_table.body["code"], &wrong_table.body["tables"]), (&json!("unknown-table"), &json!(2)));
    let wrong_slot = put(&e, &b, "d9-0900", 1).await;
    assert_eq!(wrong_slot.body["errors"][0]["field"], "slot");
    assert_eq!(wrong_slot.body["code"], "unknown-slot");
    let busy = json!({"unavailable": ["d1-0920"]});
    app.send("PUT", &format!("{BASE}/availability"), &e.portlink.1, Some(&busy)).await;
    let unavailable = put(&e, &b, "d1-0920", 1).await;
    assert_eq!(unavailable.status, 409);
    assert!(unavailable.body["detail"].as_str().expect("d").contains("cannot attend"));
    assert_eq!(
        (&unavailable.body["code"], &unavailable.body["organization"]["name"]),
        (&json!("slot-unavailable"), &json!("PortLink"))
    );
    // A meeting of two others at a table in use: the table is taken, by which meeting.
    let c = request(&e, &e.portlink.1, e.rotterdam).await;
    let rotterdam_member = app.account("member@rotterdam-moves.nl", Some(e.rotterdam), None).await;
    let c = accept(&e, &rotterdam_member, &c["id"]).await["meeting"]["id"].clone();
    let taken = put(&e, &c, "d1-0900", 1).await;
    assert_eq!((taken.status, &taken.body["code"], &taken.body["meeting"]), (409, &json!("table-taken"), &a));
    let grid = app.send("GET", &format!("{BASE}/schedule"), &e.organiser, None).await;
    assert_eq!(grid.body["placed"], 1, "a refused move moved something");
    assert_eq!(grid.body["unplaced"][0]["reason"], "a place is free for it: run the scheduler");
    let bad_slot = json!({"unavailable": ["d7-0700"]});
    let refused = app.send("PUT", &format!("{BASE}/availability"), &e.portlink.1, Some(&bad_slot)).await;
    assert_eq!(refused.body["errors"][0]["field"], "unavailable");
    assert_eq!(
        (&refused.body["code"], &refused.body["errors"][0]["code"]),
        (&json!("invalid-field"), &json!("not-slot"))
    );
}

#[tokio::test]
async fn fifty_conflicting_writes_at_once_have_one_winner() {
    let e = event().await;
    let app = &e.app;
    // 50 identical requests for one pair: one is created, 49 conflict.
    let body = json!({"to": e.han_river.0});
    let who = &e.cang_so.1;
    let sends = (0..50).map(|_| {
        let body = body.clone();
        async move { app.send("POST", &format!("{BASE}/requests"), who, Some(&body)).await }
    });
    let statuses: Vec<u16> = futures_join(sends).await.into_iter().map(|a| a.status).collect();
    assert_eq!(statuses.iter().filter(|s| **s == 201).count(), 1, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 409).count(), 49, "{statuses:?}");
    let outbox = app.send("GET", &format!("{BASE}/requests?box=outbox"), &e.cang_so.1, None).await;
    assert_eq!(outbox.body["items"].as_array().expect("items").len(), 1);

    // 50 accepts of that request at once: one meeting.
    let id = outbox.body["items"][0]["id"].clone();
    let who = &e.han_river.1;
    let accepts = (0..50).map(|_| {
        let path = format!("{BASE}/requests/{id}/accept");
        async move { app.send("POST", &path, who, Some(&json!({}))).await }
    });
    let statuses: Vec<u16> = futures_join(accepts).await.into_iter().map(|a| a.status).collect();
    assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 1, "{statuses:?}");
    assert!(statuses.iter().all(|s| *s == 200 || *s == 409), "{statuses:?}");
    assert_eq!(app.store.meetings(app.event_id("techfest-test").await).await.expect("meetings").len(), 1);

    // Two meetings moved 25 times each onto one table at once: one meeting gets it.
    let other = request(&e, &e.portlink.1, e.rotterdam).await;
    let rotterdam_member = app.account("member@rotterdam.nl", Some(e.rotterdam), None).await;
    accept(&e, &rotterdam_member, &other["id"]).await;
    let meetings = app.store.meetings(app.event_id("techfest-test").await).await.expect("meetings");
    let organiser = &e.organiser;
    let moves = (0..50).map(|i| {
        let path = format!("{BASE}/meetings/{}", meetings[i % 2].id);
        async move { app.send("PUT", &path, organiser, Some(&json!({"slot": "d1-1000", "table": 1}))).await }
    });
    let answers = futures_join(moves).await;
    assert!(
        answers.iter().all(|a| a.status == 200 || a.status == 409),
        "{:?}",
        answers.iter().map(|a| a.status).collect::<Vec<_>>()
    );
    let winners: std::collections::HashSet<i64> =
        answers.iter().filter(|a| a.status == 200).map(|a| a.body["id"].as_i64().expect("id")).collect();
    assert_eq!(winners.len(), 1, "two meetings got one table");
    let at_table = app
        .store
        .meetings(app.event_id("techfest-test").await)
        .await
        .expect("meetings")
        .into_iter()
        .filter(|m| m.table == Some(1) && m.slot_id.is_some())
        .count();
    assert_eq!(at_table, 1);
}

/// Runs the futures at once and collects their answers in order.
pub(crate) async fn futures_join<F: std::future::Future<Output = crate::support::Answer>>(
    futures: impl Iterator<Item = F>,
) -> Vec<crate::support::Answer> {
    let handles: Vec<_> = futures.map(|f| Box::pin(f)).collect();
    let mut answers = Vec::with_capacity(handles.len());
    let results = join_all(handles).await;
    answers.extend(results);
    answers
}

async fn join_all<F: std::future::Future + Unpin>(mut futures: Vec<F>) -> Vec<F::Output> {
    use std::task::Poll;
    let mut outputs: Vec<Option<F::Output>> = futures.iter().map(|_| None).collect();
    std::future::poll_fn(move |cx| {
        let mut pending = false;
        for (index, future) in futures.iter_mut().enumerate() {
            if outputs[index].is_none() {
                match std::pin::Pin::new(future).poll(cx) {
                    Poll::Ready(value) => outputs[index] = Some(value),
                    Poll::Pending => pending = true,
                }
            }
        }
        if pending { Poll::Pending } else { Poll::Ready(outputs.drain(..).map(|o| o.expect("done")).collect()) }
    })
    .await
}

#[tokio::test]
async fn a_pending_request_expires_after_the_organisers_hours() {
    let e = event().await;
    let rules = json!({"request_ttl_hours": 48});
    assert_eq!(e.app.send("PUT", &format!("{BASE}/rules"), &e.organiser, Some(&rules)).await.status, 200);
    let sent = request(&e, &e.cang_so.1, e.han_river.0).await;
    let expires = sent["expires_at"].as_i64().expect("an expiry");
    assert!((expires - sent["created_at"].as_i64().expect("created") - 48 * 3600).abs() <= 1);
    // Two days later:
    e.app
        .execute(&format!(
            "UPDATE meeting_requests SET expires_at = {} WHERE id = {}",
            expires - 48 * 3600 - 1,
            sent["id"]
        ))
        .await;
    let inbox = e.app.send("GET", &format!("{BASE}/requests?box=inbox"), &e.han_river.1, None).await;
    assert_eq!(inbox.body["items"][0]["status"], "expired");
    let late =
        e.app.send("POST", &format!("{BASE}/requests/{}/accept", sent["id"]), &e.han_river.1, Some(&json!({}))).await;
    assert_eq!(late.status, 409);
    // The pair may ask again.
    request(&e, &e.cang_so.1, e.han_river.0).await;
}

#[tokio::test]
async fn when_not_every_meeting_fits_higher_priorities_are_placed() {
    let e = event().await;
    let one = json!({"sessions": [
        {"name": "Một bàn", "date": "2023-11-24", "start": "09:00", "end": "09:20", "slot_minutes": 20, "tables": 1},
    ]});
    assert_eq!(e.app.send("PUT", &format!("{BASE}/sessions"), &e.organiser, Some(&one)).await.status, 200);
    let wrong = json!({"to": e.han_river.0, "priority": 4});
    let refused = e.app.send("POST", &format!("{BASE}/requests"), &e.cang_so.1, Some(&wrong)).await;
    assert_eq!(refused.body["errors"][0]["field"], "priority");
    // Cảng Số asks first, at the default priority; PortLink asks later, at priority 3.
    let first = request(&e, &e.cang_so.1, e.han_river.0).await;
    assert_eq!(first["priority"], 1);
    let body = json!({"to": e.han_river.0, "priority": 3});
    let second = e.app.send("POST", &format!("{BASE}/requests"), &e.portlink.1, Some(&body)).await;
    assert_eq!(second.body["priority"], 3);
    accept(&e, &e.han_river.1, &first["id"]).await;
    accept(&e, &e.han_river.1, &second.body["id"]).await;
    let grid = e.app.send("POST", &format!("{BASE}/schedule"), &e.organiser, Some(&json!({}))).await;
    assert_eq!((grid.body["placed"].as_u64(), grid.body["upper_bound"].as_u64()), (Some(1), Some(1)));
    assert_eq!(grid.body["slots"][0]["meetings"][0]["startup"]["name"], "PortLink");
    assert_eq!(grid.body["unplaced"][0]["startup"]["name"], "Cảng Số");
    assert!(
        grid.body["unplaced"][0]["reason"].as_str().expect("reason").contains("Han River Ventures"),
        "{}",
        grid.body
    );
    // Read back later, the grid still says why, with the same bound.
    let shown = e.app.send("GET", &format!("{BASE}/schedule"), &e.organiser, None).await;
    assert_eq!(shown.body["upper_bound"], 1);
    assert_eq!(shown.body["unplaced"][0]["reason"], grid.body["unplaced"][0]["reason"]);
}

/// After a meeting, each side rates it from 1 to 5 and says whether it wants to follow up; a
/// rating outside 1–5 is refused by its field, and someone not in the meeting cannot rate it.
#[tokio::test]
async fn each_side_rates_a_meeting_from_one_to_five() {
    let app = TestApp::with_fixtures().await;
    let startup = app.account("rate@cangso.vn", Some(app.id_of("Cảng Số").await), None).await;
    let investor = app.account("rate@hanriver.kr", Some(app.id_of("Han River Ventures").await), None).await;
    let outsider = app.account("rate@songhong.vn", Some(app.id_of("Sông Hồng Angels").await), None).await;
    let body = json!({"to": app.id_of("Han River Ventures").await});
    let asked = app.send("POST", &format!("{BASE}/requests"), &startup, Some(&body)).await;
    let path = format!("{BASE}/requests/{}/accept", asked.body["id"]);
    let accepted = app.send("POST", &path, &investor, Some(&json!({}))).await;
    let meeting = accepted.body["meeting"]["id"].clone();
    let path = format!("{BASE}/meetings/{meeting}/feedback");
    for bad in [0, 6, -1] {
        let refused = app.send("PUT", &path, &startup, Some(&json!({"rating": bad}))).await;
        assert_eq!(refused.status, 400, "{bad}: {}", refused.body);
        assert_eq!(refused.body["errors"][0]["field"], "rating");
        assert_eq!(refused.body["errors"][0]["code"], "out-of-range");
    }
    let refused = app.send("PUT", &path, &outsider, Some(&json!({"rating": 5}))).await;
    assert_eq!(refused.status, 404, "{}", refused.body);
    let rated = app.send("PUT", &path, &startup, Some(&json!({"rating": 4, "follow_up": true}))).await;
    assert_eq!(rated.status, 200, "{}", rated.body);
    assert_eq!(rated.body["startup_feedback"], json!({"rating": 4, "follow_up": true}));
    assert_eq!(rated.body["investor_feedback"], json!({"rating": null, "follow_up": null}));
    let rated = app.send("PUT", &path, &investor, Some(&json!({"rating": 2}))).await;
    assert_eq!(rated.body["investor_feedback"], json!({"rating": 2, "follow_up": false}));
    let stored = app.store.meeting(meeting.as_i64().expect("id")).await.expect("meeting");
    assert_eq!(stored.startup_feedback.rating, Some(4));
    assert_eq!(stored.investor_feedback, ketnoi_store::Feedback { rating: Some(2), follow_up: Some(false) });
}
