//! The event's report: every figure of `/api/v1/events/{slug}/report` against counts taken
//! straight from the database, the same figures in its CSV and on the page `/e/{slug}/report`
//! (with its SVG charts), for an anonymous visitor, with no organization's name anywhere; and
//! the page on a 360-px phone in Chromium, printable.

use std::collections::BTreeMap;

use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};

use crate::support::{TestApp, Who};
use crate::webdriver::Browser;

const SLUG: &str = "techfest-test";
const BASE: &str = "/api/v1/events/techfest-test";

/// A member of the organization `name`, signed in.
async fn member(app: &TestApp, name: &str) -> (i64, Who) {
    let id = app.id_of(name).await;
    (id, app.account(&format!("member{id}@report.test"), Some(id), None).await)
}

/// The kind and de-duplication key of each message queued after the one of id `after`.
async fn mail_after(app: &TestApp, after: u64) -> Vec<String> {
    let db = app.store.connection();
    let sql = format!("SELECT kind, dedup_key FROM notifications WHERE id > {after} ORDER BY id");
    let rows = db.query_all_raw(Statement::from_string(db.get_database_backend(), sql)).await.expect("mail");
    rows.iter()
        .map(|row| {
            let (kind, key): (String, String) =
                (row.try_get("", "kind").expect("kind"), row.try_get("", "dedup_key").expect("key"));
            format!("{kind} {key}")
        })
        .collect()
}

/// `SELECT COUNT(*) AS n …` on the test database.
async fn count(app: &TestApp, sql: &str) -> u64 {
    let db = app.store.connection();
    let row = db
        .query_one_raw(Statement::from_string(db.get_database_backend(), sql.to_owned()))
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .expect("a row");
    let n: i64 = row.try_get("", "n").expect("n");
    u64::try_from(n).expect("a count")
}

async fn request(app: &TestApp, from: &Who, to: i64) -> Value {
    let answer = app.send("POST", &format!("{BASE}/requests"), from, Some(&json!({"to": to}))).await;
    assert_eq!(answer.status, 201, "{}", answer.body);
    answer.body
}

async fn answer(app: &TestApp, who: &Who, id: &Value, verb: &str) -> Value {
    let answer = app.send("POST", &format!("{BASE}/requests/{id}/{verb}"), who, Some(&json!({}))).await;
    assert_eq!(answer.status, 200, "{verb}: {}", answer.body);
    answer.body
}

async fn set_status(app: &TestApp, organiser: &Who, meeting: &Value, status: &str) {
    let path = format!("{BASE}/meetings/{meeting}/status");
    let answer = app.send("PUT", &path, organiser, Some(&json!({"status": status}))).await;
    assert_eq!(answer.status, 200, "{status}: {}", answer.body);
}

/// The fixture event after a fair: eight requests (four accepted, one declined, one cancelled,
/// one expired, one pending), a published schedule, meetings held, checked in, missed and
/// cancelled, two outcomes; Han River Ventures is Korean.
async fn after_the_fair() -> TestApp {
    let app = TestApp::with_fixtures().await;
    let event = app.event_id(SLUG).await;
    app.execute("UPDATE organizations SET country = 'KR' WHERE name = 'Han River Ventures'").await;
    let organiser = app.account("organiser@report.test", None, Some(event)).await;
    let sessions = json!({"sessions": [
        {"name": "Sáng", "date": "2023-11-24", "start": "09:00", "end": "10:00", "slot_minutes": 20, "tables": 2},
    ]});
    assert_eq!(app.send("PUT", &format!("{BASE}/sessions"), &organiser, Some(&sessions)).await.status, 200);

    let (_, cang_so_member) = member(&app, "Cảng Số").await;
    let (_, nong_san) = member(&app, "Nông Sản Xanh").await;
    let (_, portlink) = member(&app, "PortLink").await;
    let (_, dong_xanh) = member(&app, "Đồng Xanh Agri").await;
    let (han_river, han_river_member) = member(&app, "Han River Ventures").await;
    let (song_hong, song_hong_member) = member(&app, "Sông Hồng Angels").await;
    let (rotterdam, _) = member(&app, "Rotterdam Port Ventures").await;

    let mut meetings = Vec::new();
    for from in [&cang_so_member, &nong_san, &portlink] {
        let sent = request(&app, from, han_river).await;
        meetings.push(answer(&app, &han_river_member, &sent["id"], "accept").await["meeting"]["id"].clone());
    }
    let sent = request(&app, &dong_xanh, song_hong).await;
    meetings.push(answer(&app, &song_hong_member, &sent["id"], "accept").await["meeting"]["id"].clone());
    let sent = request(&app, &cang_so_member, song_hong).await;
    answer(&app, &song_hong_member, &sent["id"], "decline").await;
    let sent = request(&app, &nong_san, rotterdam).await;
    let cancelled = app.send("POST", &format!("{BASE}/requests/{}/cancel", sent["id"]), &nong_san, None).await;
    assert_eq!(cancelled.status, 200, "{}", cancelled.body);
    request(&app, &portlink, song_hong).await;
    let lapsed = request(&app, &dong_xanh, rotterdam).await;
    // Its deadline passed: still `pending` in the table, expired to everyone who reads it.
    app.execute(&format!("UPDATE meeting_requests SET expires_at = 1 WHERE id = {}", lapsed["id"])).await;

    let grid = app.send("POST", &format!("{BASE}/schedule"), &organiser, Some(&json!({}))).await;
    assert_eq!(grid.status, 200, "{}", grid.body);
    assert_eq!(grid.body["placed"], 4, "{}", grid.body);
    assert_eq!(app.send("POST", &format!("{BASE}/publish"), &organiser, None).await.status, 200);
    set_status(&app, &organiser, &meetings[0], "held").await; // Cảng Số (VN) and Han River (KR)
    set_status(&app, &organiser, &meetings[1], "no-show").await;
    set_status(&app, &organiser, &meetings[2], "checked-in").await; // PortLink (SG) and Han River
    set_status(&app, &organiser, &meetings[3], "cancelled").await;
    for (who, outcome) in [(&cang_so_member, "follow-up"), (&han_river_member, "term-sheet")] {
        let path = format!("{BASE}/meetings/{}/outcome", meetings[0]);
        let answer = app.send("PUT", &path, who, Some(&json!({"outcome": outcome}))).await;
        assert_eq!(answer.status, 200, "{}", answer.body);
    }
    // Both sides rate the meeting that was held; one wants to follow up.
    for (who, rating, follow_up) in [(&cang_so_member, 5, true), (&han_river_member, 3, false)] {
        let path = format!("{BASE}/meetings/{}/feedback", meetings[0]);
        let answer = app.send("PUT", &path, who, Some(&json!({"rating": rating, "follow_up": follow_up}))).await;
        assert_eq!(answer.status, 200, "{}", answer.body);
    }
    app
}

/// The report's figures as the CSV has them.
fn csv_figures(text: &str) -> BTreeMap<String, String> {
    let text = text.strip_prefix('\u{feff}').expect("a byte-order mark first");
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("figure,value"));
    lines
        .map(|line| {
            let (figure, value) = line.split_once(',').expect("figure,value");
            (figure.to_owned(), value.to_owned())
        })
        .collect()
}

#[tokio::test]
async fn every_figure_of_the_report_is_the_databases_count_for_anyone() {
    let app = after_the_fair().await;
    let event = app.event_id(SLUG).await;
    let report = app.json(&format!("{BASE}/report"), 200).await;
    let now = jiff::Timestamp::now().as_second();

    // Participants, by kind, country and sector.
    let joined =
        format!("FROM participations p JOIN organizations o ON o.id = p.organization_id WHERE p.event_id = {event}");
    let p = &report["participants"];
    assert_eq!(p["total"], count(&app, &format!("SELECT COUNT(*) AS n {joined}")).await);
    assert_eq!(p["startups"], count(&app, &format!("SELECT COUNT(*) AS n {joined} AND o.kind = 'startup'")).await);
    assert_eq!(p["investors"], count(&app, &format!("SELECT COUNT(*) AS n {joined} AND o.kind = 'investor'")).await);
    assert_eq!((p["total"].as_u64(), p["startups"].as_u64()), (Some(8), Some(5)));
    let countries = p["by_country"].as_array().expect("countries");
    let mut listed = 0;
    for c in countries {
        let code = c["code"].as_str().expect("code");
        assert_eq!(c["count"], count(&app, &format!("SELECT COUNT(*) AS n {joined} AND o.country = '{code}'")).await);
        listed += c["count"].as_u64().expect("count");
    }
    assert_eq!(listed, 8, "every participant in one country: {countries:?}");
    let counts: Vec<u64> = countries.iter().filter_map(|c| c["count"].as_u64()).collect();
    assert!(counts.windows(2).all(|w| w[0] >= w[1]), "the most first: {countries:?}");
    assert_eq!(countries[0], json!({"code": "VN", "count": 4}));
    assert!(countries.contains(&json!({"code": "KR", "count": 1})), "{countries:?}");
    let sectors = p["by_sector"].as_array().expect("sectors");
    assert!(!sectors.is_empty());
    for s in sectors {
        let code = s["code"].as_str().expect("code");
        let sql = format!("SELECT COUNT(*) AS n {joined} AND o.sectors LIKE '%;{code};%'");
        assert_eq!(s["count"], count(&app, &sql).await, "{code}");
    }
    // Cảng Số, PortLink, Han River Ventures, Rotterdam Port Ventures.
    assert!(sectors.contains(&json!({"code": "logistics", "count": 4})), "{sectors:?}");

    // Requests, a pending one past its deadline counted as expired.
    let requests = format!("SELECT COUNT(*) AS n FROM meeting_requests WHERE event_id = {event}");
    let r = &report["requests"];
    assert_eq!(r["sent"], count(&app, &requests).await);
    for status in ["accepted", "declined", "cancelled"] {
        assert_eq!(r[status], count(&app, &format!("{requests} AND status = '{status}'")).await, "{status}");
    }
    let lapsed = format!("status = 'pending' AND expires_at IS NOT NULL AND expires_at <= {now}");
    assert_eq!(r["expired"], count(&app, &format!("{requests} AND (status = 'expired' OR ({lapsed}))")).await);
    assert_eq!(r["pending"], count(&app, &format!("{requests} AND status = 'pending' AND NOT ({lapsed})")).await);
    let expected = json!({"sent": 8, "accepted": 4, "declined": 1, "cancelled": 1, "expired": 1, "pending": 1,
        "acceptance_rate": 0.8});
    assert_eq!(r, &expected);

    // Meetings by status.
    let meetings = format!("SELECT COUNT(*) AS n FROM meetings WHERE event_id = {event}");
    let m = &report["meetings"];
    assert_eq!(m["accepted"], count(&app, &meetings).await);
    let placed = count(&app, &format!("{meetings} AND slot_id IS NOT NULL AND status <> 'cancelled'")).await;
    assert_eq!(m["placed"], placed);
    for (field, status) in [
        ("scheduled", "scheduled"),
        ("checked_in", "checked-in"),
        ("held", "held"),
        ("no_show", "no-show"),
        ("cancelled", "cancelled"),
    ] {
        assert_eq!(m[field], count(&app, &format!("{meetings} AND status = '{status}'")).await, "{field}");
    }
    let rematched = count(&app, &format!("{meetings} AND rematched AND status <> 'cancelled'")).await;
    assert_eq!(m["rematched"], rematched);
    let expected = json!({"accepted": 4, "placed": 3, "scheduled": 0, "checked_in": 1, "held": 1, "no_show": 1,
        "cancelled": 1, "rematched": 0});
    assert_eq!(m, &expected);

    // The event's figures (the API and the event's home page), counted apart: the same counts.
    let f = app.json(&format!("{BASE}/figures"), 200).await;
    assert_eq!((&f["startups"], &f["investors"]), (&p["startups"], &p["investors"]), "{f}");
    assert_eq!(f["requests"], r["sent"]);
    for field in ["accepted", "declined", "pending"] {
        assert_eq!(f[field], r[field], "{field}");
    }
    assert_eq!(f["meetings"], count(&app, &format!("{meetings} AND status <> 'cancelled'")).await);
    assert_eq!(f["placed"], placed);
    for field in ["checked_in", "held", "no_show"] {
        assert_eq!(f[field], m[field], "{field}");
    }
    let outcomes = f["outcomes"].as_object().expect("outcomes");
    assert!(!outcomes.is_empty(), "{f}");
    for (code, n) in outcomes {
        let live = format!("{meetings} AND status <> 'cancelled'");
        let sides = count(&app, &format!("{live} AND startup_outcome = '{code}'")).await
            + count(&app, &format!("{live} AND investor_outcome = '{code}'")).await;
        assert_eq!(n.as_u64(), Some(sides), "{code}");
    }

    // Outcomes, each side's once.
    for (field, code) in [
        ("follow_up", "follow-up"),
        ("met_again", "met-again"),
        ("term_sheet", "term-sheet"),
        ("not_a_fit", "not-a-fit"),
        ("invested", "invested"),
    ] {
        let startups = count(&app, &format!("{meetings} AND startup_outcome = '{code}'")).await;
        let investors = count(&app, &format!("{meetings} AND investor_outcome = '{code}'")).await;
        assert_eq!(report["outcomes"][field], startups + investors, "{field}");
    }
    let deal = "IN ('term-sheet', 'invested')";
    let deals = count(&app, &format!("{meetings} AND (startup_outcome {deal} OR investor_outcome {deal})")).await;
    assert_eq!(report["outcomes"]["deals"], deals);
    assert_eq!(
        report["outcomes"],
        json!({"follow_up": 1, "met_again": 0, "term_sheet": 1, "not_a_fit": 0, "invested": 0, "deals": 1})
    );

    // Ratings, each side's once, and the wishes to follow up.
    let rated = count(&app, &format!("{meetings} AND startup_rating IS NOT NULL")).await
        + count(&app, &format!("{meetings} AND investor_rating IS NOT NULL")).await;
    let follow_ups = count(&app, &format!("{meetings} AND startup_follow_up")).await
        + count(&app, &format!("{meetings} AND investor_follow_up")).await;
    assert_eq!(
        (report["ratings"]["rated"].clone(), report["ratings"]["follow_ups"].clone()),
        (json!(rated), json!(follow_ups))
    );
    assert_eq!(report["ratings"], json!({"rated": 2, "mean": 4.0, "by_rating": [0, 0, 1, 0, 1], "follow_ups": 1}));

    // Connections: meetings that took place; those between a Vietnamese and a Korean side.
    let met = format!("{meetings} AND status IN ('held', 'checked-in')");
    assert_eq!(report["connections"]["total"], count(&app, &met).await);
    let sides = format!(
        "SELECT COUNT(*) AS n FROM meetings m JOIN organizations s ON s.id = m.startup_id \
         JOIN organizations i ON i.id = m.investor_id WHERE m.event_id = {event} AND m.status IN ('held', 'checked-in') \
         AND ((s.country = 'VN' AND i.country = 'KR') OR (s.country = 'KR' AND i.country = 'VN'))"
    );
    assert_eq!(report["connections"]["vietnam_korea"], count(&app, &sides).await);
    assert_eq!(report["connections"], json!({"total": 2, "vietnam_korea": 1}));

    // Nothing private: no name of an organization, no e-mail address, no amount.
    let names: Vec<String> = {
        let db = app.store.connection();
        let sql = "SELECT name FROM organizations".to_owned();
        let rows = db.query_all_raw(Statement::from_string(db.get_database_backend(), sql)).await.expect("names");
        rows.iter().map(|row| row.try_get::<String>("", "name").expect("name")).collect()
    };
    assert!(names.len() >= 8);
    let json_text = report.to_string();
    for name in &names {
        assert!(!json_text.contains(name.as_str()), "{name} in the report");
    }
    assert!(!json_text.contains('@'));

    // The CSV: the same figures.
    let csv = app.get(&format!("{BASE}/report.csv")).await;
    assert_eq!(csv.status(), 200);
    assert!(csv.headers()["content-type"].to_str().expect("type").starts_with("text/csv"));
    let figures = csv_figures(&csv.text().await.expect("csv"));
    let expected_csv = [
        ("participants", &p["total"]),
        ("participants.startup", &p["startups"]),
        ("participants.investor", &p["investors"]),
        ("participants.country.VN", &json!(4)),
        ("participants.sector.logistics", &json!(4)),
        ("requests.sent", &r["sent"]),
        ("requests.accepted", &r["accepted"]),
        ("requests.declined", &r["declined"]),
        ("requests.cancelled", &r["cancelled"]),
        ("requests.expired", &r["expired"]),
        ("requests.pending", &r["pending"]),
        ("requests.acceptance_rate", &r["acceptance_rate"]),
        ("meetings.accepted", &m["accepted"]),
        ("meetings.placed", &m["placed"]),
        ("meetings.scheduled", &m["scheduled"]),
        ("meetings.checked_in", &m["checked_in"]),
        ("meetings.held", &m["held"]),
        ("meetings.no_show", &m["no_show"]),
        ("meetings.cancelled", &m["cancelled"]),
        ("outcomes.follow_up", &report["outcomes"]["follow_up"]),
        ("outcomes.term_sheet", &report["outcomes"]["term_sheet"]),
        ("outcomes.not_a_fit", &report["outcomes"]["not_a_fit"]),
        ("outcomes.invested", &report["outcomes"]["invested"]),
        ("outcomes.deals", &report["outcomes"]["deals"]),
        ("meetings.rematched", &m["rematched"]),
        ("ratings.rated", &report["ratings"]["rated"]),
        ("ratings.5", &json!(1)),
        ("ratings.follow_ups", &report["ratings"]["follow_ups"]),
        ("connections", &report["connections"]["total"]),
        ("connections.vietnam_korea", &report["connections"]["vietnam_korea"]),
    ];
    for (figure, value) in expected_csv {
        assert_eq!(figures.get(figure).map(String::as_str), Some(value.to_string().as_str()), "{figure}");
    }
    let per_country: u64 = figures
        .iter()
        .filter(|(k, _)| k.starts_with("participants.country."))
        .map(|(_, v)| v.parse::<u64>().unwrap())
        .sum();
    assert_eq!(per_country, 8);

    // The page, for an anonymous visitor: the figures, the charts, no names.
    let page = app.get(&format!("/e/{SLUG}/report")).await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.expect("page");
    assert_eq!(html.matches("<svg").count(), 4, "four charts");
    assert_eq!(html.matches("<title id=\"chart-").count(), 4, "each chart titled");
    assert!(
        html.contains("2 kết nối kinh doanh và đầu tư, trong đó 1 kết nối giữa tổ chức Việt Nam và tổ chức Hàn Quốc"),
        "{html}"
    );
    assert!(html.contains("Hàn Quốc") && html.contains("Singapore"), "countries by name");
    assert!(html.contains(&format!("href=\"{BASE}/report.csv\"")), "a link to the CSV");
    assert!(html.contains("<dd>80%</dd>"), "the acceptance rate");
    for name in &names {
        assert!(!html.contains(name.as_str()), "{name} on the page");
    }
    // In English and Korean.
    for (language, sentence) in [
        ("en", "2 business and investment connections, 1 of them between a Vietnamese and a Korean organization."),
        ("ko", "비즈니스·투자 연결 2건, 그중 베트남 기관과 한국 기관 간 연결 1건."),
    ] {
        let page = app
            .client
            .get(format!("{}/e/{SLUG}/report", app.base))
            .header("accept-language", language)
            .send()
            .await
            .expect("page");
        assert!(page.text().await.expect("page").contains(sentence), "{language}");
    }
    // Linked from the event's page; an unknown event has no report.
    assert!(app.get(&format!("/e/{SLUG}")).await.text().await.expect("page").contains(&format!("/e/{SLUG}/report")));
    app.json("/api/v1/events/no-such-event/report", 404).await;
}

#[tokio::test]
async fn the_report_fits_a_phone_and_prints() {
    let app = after_the_fair().await;
    let browser = Browser::start(360, 780).await;
    // `goto` checks that nothing scrolls sideways at 360 px.
    browser.goto(&format!("{}/e/{SLUG}/report", app.base)).await;
    browser.check_accessible().await;
    assert_eq!(browser.all("figure svg title").await.len(), 4);
    let text = browser.body_text().await;
    assert!(text.contains("Kết nối Việt Nam – Hàn Quốc"), "{text}");
    crate::browser::shoot(&browser, "report-phone").await;
    let pdf = browser.print_pdf().await;
    assert!(pdf.starts_with(b"%PDF"), "prints");
}

#[tokio::test]
async fn the_follow_up_round_asks_each_pair_that_met_once_and_its_answers_stay_private() {
    let app = after_the_fair().await;
    let login = app.login("organiser@report.test", crate::support::PASSWORD).await;
    let organiser = Who::Browser(login.session().expect("session"));
    // The mail planner has read the log up to here: what follows is mailed.
    app.app.plan_mail().await.expect("plan");
    let queued = count(&app, "SELECT COALESCE(MAX(id), 0) AS n FROM notifications").await;
    let (_, cang_so) = member(&app, "Cảng Số").await;
    let refused = app.send("POST", &format!("{BASE}/follow-up"), &cang_so, None).await;
    assert_eq!(refused.status, 404, "{}", refused.body);

    let opened = app.send("POST", &format!("{BASE}/follow-up"), &organiser, None).await;
    assert_eq!(opened.status, 200, "{}", opened.body);
    assert_eq!((&opened.body["opened_now"], &opened.body["meetings"]), (&json!(true), &json!(2)), "{}", opened.body);
    // One message to each member of a side of the two meetings that took place: Cảng Số and
    // PortLink, and Han River (both its meetings in one).
    let planned = app.plan_mail_until(3).await;
    assert_eq!(planned, 3, "{:#?}", mail_after(&app, queued).await);
    let han_river = app.id_of("Han River Ventures").await;
    let mail = app.store.user_mail(app.user_id(&format!("member{han_river}@report.test")).await).await.expect("mail");
    let asked = mail.iter().find(|m| m.dedup_key.starts_with("follow-up:")).expect("asked");
    assert!(asked.subject.contains("Techfest") || asked.subject.contains("techfest"), "{}", asked.subject);
    for counterpart in ["Cảng Số", "PortLink"] {
        assert!(asked.text_body.contains(counterpart), "{counterpart} in {}", asked.text_body);
    }
    assert!(asked.text_body.contains("/e/techfest-test/agenda"), "{}", asked.text_body);
    let nong_san = app.id_of("Nông Sản Xanh").await;
    let missed = app.store.user_mail(app.user_id(&format!("member{nong_san}@report.test")).await).await.expect("mail");
    assert!(!missed.iter().any(|m| m.dedup_key.starts_with("follow-up:")), "no-show: not asked");

    // Opened once: again changes nothing and sends nothing.
    let again = app.send("POST", &format!("{BASE}/follow-up"), &organiser, None).await;
    assert_eq!((again.status, &again.body["opened_now"]), (200, &json!(false)), "{}", again.body);
    assert_eq!(again.body["opened_at"], opened.body["opened_at"]);
    assert_eq!(app.plan_mail_until(1).await, 0);

    // An answer with its amount: the pair and the organisers see the amount, the public report
    // counts the deal and never shows it.
    let meeting = count(&app, "SELECT MIN(id) AS n FROM meetings WHERE status = 'held'").await;
    let path = format!("{BASE}/meetings/{meeting}/outcome");
    let answer = app.send("PUT", &path, &cang_so, Some(&json!({"outcome": "invested", "amount": 250000}))).await;
    assert_eq!((answer.status, &answer.body["startup_amount"]), (200, &json!(250000)), "{}", answer.body);
    let grid = app.send("GET", &format!("{BASE}/schedule"), &organiser, None).await;
    assert!(grid.body.to_string().contains("250000"), "the organisers see it");
    let report = app.send("GET", &format!("{BASE}/report"), &Who::Anonymous, None).await;
    assert_eq!(report.body["outcomes"]["invested"], 1);
    assert!(!report.body.to_string().contains("250000"), "{}", report.body);
    let page = app.get("/e/techfest-test/report").await.text().await.expect("page");
    assert!(!page.contains("250000") && !page.contains("250.000"));
}
