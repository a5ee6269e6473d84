//! The web app in a real browser (headless Chromium over WebDriver), on a server started on a
//! free port with a fresh database: the whole meeting flow in Vietnamese and in English, the
//! search page on a 360-px phone, and bad input. The screenshots in docs/screenshots come from
//! here (`KETNOI_SCREENSHOTS=1`, see the justfile's `screenshots`).

use serde_json::json;

use crate::support::{PASSWORD, TestApp, Who};
use crate::webdriver::Browser;

const EVENT: &str = "/e/techfest-test";
const STARTUP: &str = "founder@nongsanxanh.vn";
const INVESTOR: &str = "partner@songhong.vn";
const ORGANISER: &str = "organiser@techfest.vn";

/// The fixture event with one session (three 20-minute slots, two tables) and an account for
/// a startup (Nông Sản Xanh), an investor (Sông Hồng Angels) and the organiser.
async fn event() -> TestApp {
    let app = TestApp::with_fixtures().await;
    let event = app.event_id("techfest-test").await;
    let organiser = app.account(ORGANISER, None, Some(event)).await;
    let sessions = json!({"sessions": [
        {"name": "Sáng", "date": "2023-11-24", "start": "09:00", "end": "10:00", "slot_minutes": 20, "tables": 2},
    ]});
    let answer = app.send("PUT", "/api/v1/events/techfest-test/sessions", &organiser, Some(&sessions)).await;
    assert_eq!(answer.status, 200, "{:?}", answer.body);
    app.account(STARTUP, Some(app.id_of("Nông Sản Xanh").await), None).await;
    app.account(INVESTOR, Some(app.id_of("Sông Hồng Angels").await), None).await;
    app
}

/// Saves a screenshot: into docs/screenshots with `KETNOI_SCREENSHOTS` set, else under target.
pub(crate) async fn shoot(browser: &Browser, name: &str) {
    check_accessible(browser).await;
    let png = browser.screenshot().await;
    assert!(png.starts_with(b"\x89PNG"), "a PNG");
    let dir = if std::env::var_os("KETNOI_SCREENSHOTS").is_some() {
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/screenshots")
    } else {
        std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("screenshots")
    };
    std::fs::create_dir_all(&dir).expect("screenshot dir");
    std::fs::write(dir.join(format!("{name}.png")), png).expect("write screenshot");
}

async fn check_accessible(browser: &Browser) {
    browser.check_accessible().await;
}

async fn sign_in(browser: &Browser, app: &TestApp, email: &str, next: &str) {
    sign_in_as(browser, app, email, PASSWORD, next).await;
}

async fn sign_in_as(browser: &Browser, app: &TestApp, email: &str, password: &str, next: &str) {
    browser.sign_in(&app.base, email, password, next).await;
}

async fn sign_out(browser: &Browser) {
    browser.sign_out().await;
}

/// The words a page shows, in one language.
struct Words {
    notice_sent: &'static str,
    notice_accepted: &'static str,
    matched: &'static str,
    table: &'static str,
    summary: &'static str,
    confirm_publish: &'static str,
    moved: &'static str,
    asker: &'static [&'static str],
}

const VIETNAMESE: Words = Words {
    notice_sent: "Đã gửi đề nghị gặp.",
    notice_accepted: "Đã chấp nhận",
    matched: "Mức độ phù hợp",
    table: "Bàn",
    summary: "Đã xếp 1 / 1 cuộc gặp",
    confirm_publish: "Công bố lịch? 1 cuộc gặp",
    moved: "Đã đổi giờ hoặc bàn",
    asker: &["Nông nghiệp", "Tiền hạt giống", "Việt Nam", "800.000.000 ₫"],
};

const ENGLISH: Words = Words {
    notice_sent: "Your request is sent.",
    notice_accepted: "Accepted: the organisers",
    matched: "Match",
    table: "Table",
    summary: "1 of 1 meetings placed",
    confirm_publish: "Publish the schedule (meetings placed: 1)?",
    moved: "Moved to a new time or table",
    asker: &["Agriculture", "Pre-seed", "Vietnam", "₫800,000,000"],
};

/// The whole flow: search, request (clicked twice), accept, schedule, publish, agenda, `.ics`.
async fn meeting_flow(english: bool) {
    let app = event().await;
    let words = if english { &ENGLISH } else { &VIETNAMESE };
    let name = |page: &str| format!("{page}{}", if english { "-en" } else { "" });
    let browser = Browser::start(1280, 900).await;
    browser.goto(&format!("{}{EVENT}", app.base)).await;
    if english {
        // The switch is remembered: every later page, signed in or out, is in English.
        browser.click(&browser.find("form[action='/lang'] button").await).await;
        browser.wait_for_text("Figures").await;
    } else {
        browser.wait_for_text("Số liệu").await;
    }
    shoot(&browser, &name("event")).await;

    // A startup member signs in, searches without diacritics, opens a profile, asks to meet.
    sign_in(&browser, &app, STARTUP, &format!("{EVENT}/search")).await;
    let investor = app.id_of("Sông Hồng Angels").await;
    browser.type_into(&browser.find("#f-q").await, "nong nghiep").await;
    // No submit: the results and the address follow the typing.
    browser.wait_for_url("q=nong+nghiep").await;
    browser.find("#results .snippet b").await;
    browser.find(&format!("#results a[href='{EVENT}/o/{investor}']")).await;
    shoot(&browser, &name("search")).await;
    browser.click(&browser.find(&format!("#results a[href='{EVENT}/o/{investor}']")).await).await;
    browser.wait_for_text(words.matched).await;
    shoot(&browser, &name("profile")).await;
    browser.type_into(&browser.find("#f-message").await, "Xin chào, chúng tôi làm nông sản OCOP.").await;
    // A double click: the second click must not send a second request.
    browser
        .run("const b = document.querySelector('form[action$=\"/request\"] button'); b.click(); b.click();", json!([]))
        .await;
    browser.wait_for_url("requests?box=outbox").await;
    browser.wait_for_text(words.notice_sent).await;
    let event_id = app.event_id("techfest-test").await;
    let startup = app.id_of("Nông Sản Xanh").await;
    let sent = app.store.requests(event_id, startup, ketnoi_store::Mailbox::Outbox).await.expect("requests");
    assert_eq!(sent.len(), 1, "one request, however many clicks");
    // Nothing received, one sent: the requests page opens on the sent ones.
    browser.goto(&format!("{}{EVENT}/requests", app.base)).await;
    let current = browser.find("nav.tabs a[aria-current='page']").await;
    assert!(browser.property(&current, "href").await.as_str().unwrap_or_default().ends_with("box=outbox"));

    // The investor sees it and accepts it.
    sign_out(&browser).await;
    sign_in(&browser, &app, INVESTOR, &format!("{EVENT}/requests")).await;
    browser.wait_for_text("Nông Sản Xanh").await;
    browser.wait_for_text("chúng tôi làm nông sản OCOP").await;
    // What the investor needs to decide: the asker's sectors, stage, ask, country, the match.
    let card = browser.text(&browser.find("ul.requests li.card").await).await;
    for fact in words.asker {
        assert!(card.contains(fact), "{fact:?} on the request: {card}");
    }
    browser.find("ul.requests .fit .score").await;
    assert!(!browser.all("ul.requests .fit .reasons li").await.is_empty(), "the match's reasons");
    shoot(&browser, &name("requests")).await;
    browser.type_into(&browser.find("textarea[name='note']").await, "Hẹn gặp tại Techfest!").await;
    browser.click(&browser.find("button[value='accept']").await).await;
    browser.wait_for_text(words.notice_accepted).await;

    // The organiser runs the scheduler and publishes.
    sign_out(&browser).await;
    sign_in(&browser, &app, ORGANISER, &format!("{EVENT}/organise/schedule")).await;
    browser.click(&browser.find("#run").await).await;
    browser.wait_for_url("done=scheduled").await;
    browser.wait_for_text(words.summary).await;
    shoot(&browser, &name("schedule")).await;
    browser.click(&browser.find("#publish").await).await;
    // Publishing asks first, on a page of its own (no script needed).
    browser.wait_for_text(words.confirm_publish).await;
    browser.check_fits_a_phone().await;
    shoot(&browser, &name("confirm-publish")).await;
    browser.click(&browser.find("#confirm").await).await;
    browser.wait_for_url("done=published").await;

    // The startup sees the meeting on its agenda, with slot and table, and gets the .ics.
    sign_out(&browser).await;
    sign_in(&browser, &app, STARTUP, &format!("{EVENT}/agenda")).await;
    browser.wait_for_text("Sông Hồng Angels").await;
    let card = browser.text(&browser.find("ol.agenda li.meeting").await).await;
    assert!(card.starts_with("09:00–09:20"), "slot: {card}");
    assert!(card.contains("Sông Hồng Angels"), "counterpart: {card}");
    let table = browser.text(&browser.find("ol.agenda .table-no").await).await;
    assert_eq!(table, "1");
    assert!(browser.body_text().await.contains(words.table), "the table column is labelled");
    shoot(&browser, &name("agenda")).await;
    let link = browser.find("a[href$='agenda.ics']").await;
    let href = browser.property(&link, "href").await;
    let ics = browser.run_async("fetch(arguments[0]).then(r => r.text()).then(arguments[1]);", json!([href])).await;
    let ics = ics.as_str().unwrap_or_default();
    assert!(ics.starts_with("BEGIN:VCALENDAR"), "{ics}");
    assert!(ics.contains("DTSTART;TZID=Asia/Ho_Chi_Minh:20231124T090000"), "{ics}");
    assert!(ics.contains("Sông Hồng Angels"), "{ics}");

    // The organisers move the published meeting: the agenda marks it until it has been seen.
    let organiser = Who::Browser(app.login(ORGANISER, PASSWORD).await.session().expect("session"));
    let meeting = app.store.meetings(event_id).await.expect("meetings")[0].id;
    let second = app.store.slots(event_id).await.expect("slots")[1].code.clone();
    let moved = app
        .send(
            "PUT",
            &format!("/api/v1/events/techfest-test/meetings/{meeting}"),
            &organiser,
            Some(&json!({"slot": second, "table": 2})),
        )
        .await;
    assert_eq!(moved.status, 200, "{:?}", moved.body);
    browser.goto(&format!("{}{EVENT}/agenda", app.base)).await;
    let card = browser.text(&browser.find("ol.agenda li.meeting.changed").await).await;
    assert!(card.starts_with("09:20–09:40") && card.contains(words.moved), "marked as moved: {card}");
    shoot(&browser, &name("agenda-changed")).await;
    browser.goto(&format!("{}{EVENT}/agenda", app.base)).await;
    browser.find("ol.agenda li.meeting").await;
    assert!(browser.all("li.changed, .changed-note").await.is_empty(), "seen once, no longer marked");

    // The printable agenda has no navigation.
    browser.goto(&format!("{}{EVENT}/agenda/print", app.base)).await;
    browser.wait_for_text("Nông Sản Xanh").await;
    assert!(browser.all("header.top").await.is_empty(), "no navigation on the printed page");
}

#[tokio::test]
async fn meeting_flow_in_vietnamese() {
    meeting_flow(false).await;
}

#[tokio::test]
async fn meeting_flow_in_english() {
    meeting_flow(true).await;
}

#[tokio::test]
async fn search_fits_a_360_pixel_phone() {
    let app = event().await;
    let browser = Browser::start(360, 780).await;
    browser.goto(&format!("{}{EVENT}/search?q=nong+nghiep", app.base)).await;
    browser.find("#results .card").await;
    let width = browser.run("return window.innerWidth;", json!([])).await;
    assert_eq!(width, json!(360), "the window is a phone's");
    // Filters open, as a user would open them.
    browser.click(&browser.find("details.filters summary").await).await;
    let scroll = browser.run("return document.documentElement.scrollWidth;", json!([])).await;
    assert!(scroll.as_u64().unwrap_or(u64::MAX) <= 360, "no horizontal scroll: {scroll} px wide");
    shoot(&browser, "search-phone").await;
    for page in ["", "/sign-in"] {
        let path = if page.is_empty() { EVENT.to_owned() } else { page.to_owned() };
        browser.goto(&format!("{}{path}", app.base)).await;
        browser.find("main h1").await;
        let scroll = browser.run("return document.documentElement.scrollWidth;", json!([])).await;
        assert!(scroll.as_u64().unwrap_or(u64::MAX) <= 360, "{path}: {scroll} px wide");
    }
}

#[tokio::test]
async fn bad_input_is_shown_by_its_field_and_kept() {
    let app = event().await;
    let browser = Browser::start(1280, 900).await;

    // A wrong password: the e-mail stays, the error is in Vietnamese.
    browser.goto(&format!("{}/sign-in", app.base)).await;
    browser.type_into(&browser.find("#f-email").await, STARTUP).await;
    browser.type_into(&browser.find("#f-password").await, "not the password").await;
    browser.click(&browser.find("form[action='/sign-in'] button").await).await;
    browser.wait_for_text("Sai email hoặc mật khẩu.").await;
    assert_eq!(browser.property(&browser.find("#f-email").await, "value").await, json!(STARTUP));

    // A profile with four mistakes: every one is shown at once, each next to its field in
    // words, and the form comes back as typed.
    sign_in(&browser, &app, STARTUP, &format!("{EVENT}/profile")).await;
    browser.type_into(&browser.find("#f-founded").await, "năm ngoái").await;
    browser.type_into(&browser.find("#f-funding_ask").await, "-50000").await;
    browser.type_into(&browser.find("#f-province").await, "Tiên Lãng, Hải Phòng").await;
    browser.type_into(&browser.find("#f-website").await, "not a web address").await;
    for checkbox in browser.all("input[name='sectors']:checked").await {
        browser.click(&checkbox).await;
    }
    browser.click(&browser.find("main form button.primary").await).await;
    let error = browser.text(&browser.find("#e-founded").await).await;
    assert!(error.contains("phải là một số nguyên"), "{error}");
    let ask = browser.text(&browser.find("#e-funding_ask").await).await;
    assert!(ask.contains("phải lớn hơn 0"), "{ask}");
    let sectors = browser.text(&browser.find("#e-sectors").await).await;
    assert!(sectors.contains("phải chọn ít nhất một lĩnh vực"), "{sectors}");
    browser.find("#e-website").await;
    assert_eq!(browser.property(&browser.find("#f-founded").await, "value").await, json!("năm ngoái"));
    assert_eq!(browser.property(&browser.find("#f-province").await, "value").await, json!("Tiên Lãng, Hải Phòng"));
    assert_eq!(browser.property(&browser.find("#f-website").await, "value").await, json!("not a web address"));
    shoot(&browser, "profile-errors").await;
    let stored = app.store.organization(app.id_of("Nông Sản Xanh").await).await.expect("organization");
    assert_eq!(stored.profile.province, "Hải Phòng", "nothing was saved");

    // An expired session: to the sign-in page, then back where the user was.
    app.execute("DELETE FROM sessions").await;
    browser.goto(&format!("{}{EVENT}/agenda", app.base)).await;
    browser.wait_for_url("/sign-in?next=").await;
    browser.wait_for_text("Phiên đăng nhập đã hết hạn").await;
    browser.type_into(&browser.find("#f-email").await, STARTUP).await;
    browser.type_into(&browser.find("#f-password").await, PASSWORD).await;
    browser.click(&browser.find("form[action='/sign-in'] button").await).await;
    browser.wait_for_url(&format!("{EVENT}/agenda")).await;
    browser.find("main h1").await;

    // A request form sent twice without the script (a slow network, a reload): one request.
    let cookie = browser.run("return document.cookie;", json!([])).await;
    assert_eq!(cookie, json!(""), "the session cookie is HttpOnly");
    let login = app.login(STARTUP, PASSWORD).await;
    let secret = login.session().expect("session");
    let investor = app.id_of("Han River Ventures").await;
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
    for _ in 0..2 {
        let response = client
            .post(format!("{}{EVENT}/o/{investor}/request", app.base))
            .header("cookie", format!("ketnoi_session={secret}"))
            .header("sec-fetch-site", "same-origin")
            .header("content-type", "application/x-www-form-urlencoded")
            .body("message=Hello&priority=1")
            .send()
            .await
            .expect("post");
        assert_eq!(response.status().as_u16(), 303);
        let location = response.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
        assert!(location.contains("requests?box=outbox"), "{location}");
    }
    let event_id = app.event_id("techfest-test").await;
    let startup = app.id_of("Nông Sản Xanh").await;
    let sent = app.store.requests(event_id, startup, ketnoi_store::Mailbox::Outbox).await.expect("requests");
    assert_eq!(sent.iter().filter(|r| r.recipient_id == investor).count(), 1);

    // Withdrawing it asks first, on a page of its own; going back changes nothing.
    browser.goto(&format!("{}{EVENT}/requests?box=outbox", app.base)).await;
    browser.click(&browser.find("button[value='cancel']").await).await;
    browser.wait_for_text("Rút lại đề nghị gặp gửi Han River Ventures?").await;
    browser.check_fits_a_phone().await;
    browser.click(&browser.find("main a.button").await).await;
    browser.wait_for_url("requests?box=outbox").await;
    let pending = app.store.requests(event_id, startup, ketnoi_store::Mailbox::Outbox).await.expect("requests");
    assert!(pending.iter().all(|r| r.status == ketnoi_domain::rules::RequestStatus::Pending), "nothing changed");
    browser.click(&browser.find("button[value='cancel']").await).await;
    browser.click(&browser.find("#confirm").await).await;
    browser.wait_for_url("done=cancelled").await;
    let after = app.store.requests(event_id, startup, ketnoi_store::Mailbox::Outbox).await.expect("requests");
    assert!(after.iter().any(|r| r.status == ketnoi_domain::rules::RequestStatus::Cancelled), "withdrawn");
}

/// The organiser runs the scheduler and publishes through the API; its session, for more.
async fn scheduled_and_published(app: &TestApp) -> Who {
    let organiser = Who::Browser(app.login(ORGANISER, PASSWORD).await.session().expect("session"));
    for path in ["schedule", "publish"] {
        let done =
            app.send("POST", &format!("/api/v1/events/techfest-test/{path}"), &organiser, Some(&json!({}))).await;
        assert_eq!(done.status, 200, "{path}: {:?}", done.body);
    }
    organiser
}

/// Accepted meetings made through the API: each startup asks, each investor accepts.
async fn accepted_meetings(app: &TestApp, pairs: &[(&str, &str)]) {
    for (startup, investor) in pairs {
        let asker =
            app.account(&format!("ask@{}.test", app.id_of(startup).await), Some(app.id_of(startup).await), None).await;
        let body = json!({"to": app.id_of(investor).await});
        let asked = app.send("POST", "/api/v1/events/techfest-test/requests", &asker, Some(&body)).await;
        assert_eq!(asked.status, 201, "{:?}", asked.body);
        let answerer = app
            .account(&format!("answer@{}.test", app.id_of(investor).await), Some(app.id_of(investor).await), None)
            .await;
        let path = format!("/api/v1/events/techfest-test/requests/{}/accept", asked.body["id"]);
        assert_eq!(app.send("POST", &path, &answerer, Some(&json!({}))).await.status, 200);
    }
}

#[tokio::test]
async fn organiser_imports_with_a_preview_and_checks_in_from_a_phone() {
    let app = event().await;
    let event_id = app.event_id("techfest-test").await;
    let participants = || async { app.store.event_participants(event_id).await.expect("participants").len() };
    let before = participants().await;
    let files = tempfile::tempdir().expect("dir");
    let header =
        "name,sectors,stage,country,province,funding_ask,currency,founded,team_size,website,email,description\n";
    let bad = files.path().join("bad.csv");
    std::fs::write(&bad, format!("{header}Cá Biển,maritime,seed,VN,,,,,,,,\nRau Sạch,nong nghep,seed,VN,,,,,,,,\n"))
        .expect("csv");
    let good = files.path().join("good.csv");
    std::fs::write(&good, format!("{header}Rau Sạch,nong nghiep,seed,VN,Hải Phòng,,,,,,,Rau sạch Tiên Lãng\n"))
        .expect("csv");

    let browser = Browser::start(1280, 900).await;
    sign_in(&browser, &app, ORGANISER, &format!("{EVENT}/organise")).await;
    // A preview of a file with a mistake: the problem by line and column, nothing written.
    browser.attach(&browser.find("#f-startups").await, &bad).await;
    browser.click(&browser.find("button[value='preview']").await).await;
    browser.wait_for_text("Có lỗi: chưa ghi gì").await;
    let problem = browser.text(&browser.find("#import-result table tbody tr").await).await;
    assert!(problem.contains("startups") && problem.contains('3') && problem.contains("sectors"), "{problem}");
    assert!(problem.contains("có phải là \"agritech\""), "the suggestion, in Vietnamese: {problem}");
    shoot(&browser, "organise-import").await;
    assert_eq!(participants().await, before, "a preview writes nothing");
    // The corrected file: previewed, then imported.
    browser.attach(&browser.find("#f-startups").await, &good).await;
    browser.click(&browser.find("button[value='preview']").await).await;
    browser.wait_for_text("Sẽ tạo 1").await;
    assert_eq!(participants().await, before);
    // Imported as previewed, without choosing the file again.
    browser.click(&browser.find("#import-previewed").await).await;
    browser.wait_for_text("Đã tạo 1").await;
    assert_eq!(participants().await, before + 1);

    // A file of its own making: columns in another order, optional ones left out, one the
    // contract does not know. The preview names the record it would update and the change.
    let own = files.path().join("own.csv");
    std::fs::write(&own, "Ghi chú,stage,name,sectors,province\ngọi lại,seed,Rau Sạch,agritech,Tiên Lãng\n")
        .expect("csv");
    browser.attach(&browser.find("#f-startups").await, &own).await;
    browser.click(&browser.find("button[value='preview']").await).await;
    browser.wait_for_text("Sẽ cập nhật").await;
    let change = browser.text(&browser.find("#import-result ul.changes li").await).await;
    assert_eq!(change, "Rau Sạch: Tỉnh / thành phố Hải Phòng → Tiên Lãng", "left-out columns are kept");
    shoot(&browser, "organise-import-changes").await;
    // The templates: the columns and one example row, which imports as it is.
    let template = browser
        .run_async(
            "fetch(arguments[0]).then(r => r.text()).then(arguments[1]);",
            json!([browser.property(&browser.find("#template-startups").await, "href").await]),
        )
        .await;
    let template = template.as_str().unwrap_or_default();
    assert!(template.trim_start_matches('\u{feff}').starts_with("name,sectors,stage,country,"), "{template}");
    assert_eq!(template.lines().count(), 2, "headers and one example row: {template}");

    // A second session in the empty row of the sessions table.
    let rows = browser.all("table.sessions tbody tr").await;
    assert_eq!(rows.len(), 3, "one session and two empty rows");
    for (name, value) in [("name", "Chiều"), ("slot_minutes", "30"), ("tables", "3")] {
        let fields = browser.all(&format!("table.sessions input[name='{name}']")).await;
        browser.type_into(&fields[1], value).await;
    }
    for (name, value) in [("date", "2023-11-24"), ("start", "14:00"), ("end", "15:00")] {
        let fields = browser.all(&format!("table.sessions input[name='{name}']")).await;
        browser
            .run(
                "arguments[0].value = arguments[1];",
                json!([{ "element-6066-11e4-a52e-4f735466cecf": fields[1].id() }, value]),
            )
            .await;
    }
    browser.click(&browser.find("form[action$='/sessions'] button").await).await;
    browser.wait_for_url("done=saved").await;
    assert_eq!(app.store.slots(event_id).await.expect("slots").len(), 5, "three morning slots and two afternoon ones");

    // Meetings placed and published; the check-in from a phone at the tables.
    accepted_meetings(&app, &[("Nông Sản Xanh", "Sông Hồng Angels"), ("Cảng Số", "Han River Ventures")]).await;
    browser.goto(&format!("{}{EVENT}/organise/schedule", app.base)).await;
    browser.click(&browser.find("#run").await).await;
    browser.wait_for_url("done=scheduled").await;
    browser.wait_for_text("Đã xếp 2 / 2 cuộc gặp").await;
    // At the bound: said in words.
    browser.wait_for_text("đây là lịch tốt nhất có thể").await;
    browser.find("#grid tr.meeting").await;
    browser.click(&browser.find("#publish").await).await;
    browser.click(&browser.find("#confirm").await).await;
    browser.wait_for_url("done=published").await;
    let startup = app.id_of("Nông Sản Xanh").await;
    let mut phone = browser;
    phone.resize(360, 780).await;
    let ours = app.store.meetings(event_id).await.expect("meetings");
    let ours = ours.iter().find(|m| m.startup_id == startup).expect("Nông Sản Xanh's meeting");
    let slots = app.store.slots(event_id).await.expect("slots");
    let slot = slots.iter().find(|s| Some(s.id) == ours.slot_id).expect("placed");
    phone.goto(&format!("{}{EVENT}/organise/checkin?slot={}", app.base, slot.code)).await;
    let card = phone.find("ul.checkin li").await;
    assert!(phone.text(&card).await.contains(&format!("{} 1", "Bàn")));
    let script = "const card = [...document.querySelectorAll('ul.checkin li')].find(li => li.textContent.includes(arguments[0]));
        card.querySelector(\"button[value='held']\").click();";
    phone.run(script, json!(["Nông Sản Xanh"])).await;
    phone.wait_for_url("done=checked").await;
    phone.wait_for_text("Đã ghi nhận.").await;
    phone.wait_for_text("Đã gặp").await;
    let scroll = phone.run("return document.documentElement.scrollWidth;", json!([])).await;
    assert!(scroll.as_u64().unwrap_or(u64::MAX) <= 360, "check-in fits a phone: {scroll} px");
    shoot(&phone, "checkin-phone").await;
    let held = app.store.meetings(event_id).await.expect("meetings");
    assert_eq!(held.iter().filter(|m| m.status == ketnoi_domain::rules::MeetingStatus::Held).count(), 1);

    // The startup records what came of it, on its agenda.
    sign_out(&phone).await;
    sign_in(&phone, &app, STARTUP, &format!("{EVENT}/agenda")).await;
    phone.run("document.querySelector('form.outcome select').value = 'term-sheet';", json!([])).await;
    phone.click(&phone.find("form.outcome input[name='rating'][value='4']").await).await;
    phone.click(&phone.find("form.outcome input[name='follow_up']").await).await;
    phone.click(&phone.find("form.outcome button").await).await;
    phone.wait_for_url("done=saved").await;
    let meetings = app.store.meetings(event_id).await.expect("meetings");
    let ours = meetings.iter().find(|m| m.startup_outcome.is_some()).expect("the outcome is recorded");
    assert_eq!(ours.startup_outcome.map(|o| o.as_str()), Some("term-sheet"));
    assert_eq!(ours.startup_feedback, ketnoi_store::Feedback { rating: Some(4), follow_up: Some(true) }, "rated");
    assert_eq!(ours.investor_feedback, ketnoi_store::Feedback::default(), "the other side has not said");
    // Shown again as saved.
    assert_eq!(
        phone.property(&phone.find("form.outcome input[name='rating'][value='4']").await, "checked").await,
        json!(true)
    );
    sign_out(&phone).await;
    sign_in(&phone, &app, ORGANISER, &format!("{EVENT}/organise")).await;

    // Table sheets to print, and the exports.
    phone.resize(1280, 900).await;
    phone.goto(&format!("{}{EVENT}/organise/tables", app.base)).await;
    phone.wait_for_text("Sông Hồng Angels").await;
    assert!(phone.all("header.top").await.is_empty(), "a clean page to print");
    let csv = phone
        .run_async(
            "fetch(arguments[0]).then(r => r.text()).then(arguments[1]);",
            json!([format!("{EVENT}/organise/export/meetings.csv")]),
        )
        .await;
    let csv = csv.as_str().unwrap_or_default();
    assert!(csv.starts_with("id,slot,start,table,startup,investor,status"), "{csv}");
    assert!(csv.contains(",Nông Sản Xanh,Sông Hồng Angels,held,true,"), "{csv}");
}

#[tokio::test]
async fn register_invite_join_download_and_delete() {
    let app = event().await;
    let browser = Browser::start(1280, 900).await;
    browser.goto(&format!("{}/register?event=techfest-test", app.base)).await;
    for (field, value) in [
        ("#f-display_name", "Trần Thị Mai"),
        ("#f-account_email", "mai@caphe.vn"),
        ("#f-password", "cà phê sữa đá mỗi sáng"),
        ("#f-name", "Cà Phê Xanh"),
        ("#f-funding_ask", "1.500.000.000"),
    ] {
        browser.type_into(&browser.find(field).await, value).await;
    }
    browser.click(&browser.find("input[name='sectors'][value='food']").await).await;
    browser.run("document.getElementById('f-stage').value = 'seed';", json!([])).await;
    shoot(&browser, "register").await;
    browser.click(&browser.find("main form button.primary").await).await;
    // The address is confirmed by the link mailed to it, with a button (mail scanners open links).
    browser.wait_for_text("Hãy kiểm tra hộp thư").await;
    let token = app.mailed_token("mai@caphe.vn", "confirm-email").await;
    browser.goto(&format!("{}/confirm-email?token={token}&event=techfest-test", app.base)).await;
    browser.click(&browser.find("main form button.primary").await).await;
    browser.wait_for_url("/e/techfest-test/profile?done=registered").await;
    browser.wait_for_text("Tổ chức của bạn đã được đăng ký").await;
    assert_eq!(browser.property(&browser.find("#f-funding_ask").await, "value").await, json!("1500000000"));

    // A colleague is invited and joins with the code.
    browser.goto(&format!("{}/account", app.base)).await;
    browser.type_into(&browser.find("#f-invite_email").await, "nam@caphe.vn").await;
    browser.click(&browser.find("form[action='/account/invite'] button").await).await;
    let code = browser.text(&browser.find("code.code").await).await;
    assert!(code.len() >= 16, "an invitation code: {code}");
    let data = browser.run_async("fetch('/api/v1/me/export').then(r => r.json()).then(arguments[0]);", json!([])).await;
    assert_eq!(data["account"]["email"], json!("mai@caphe.vn"), "{data}");
    sign_out(&browser).await;
    // The invitation's link fills the code in.
    browser.goto(&format!("{}/join?code={code}", app.base)).await;
    assert_eq!(browser.property(&browser.find("#f-code").await, "value").await, json!(code));
    browser.type_into(&browser.find("#f-display_name").await, "Lê Văn Nam").await;
    browser.type_into(&browser.find("#f-password").await, "trà đá vỉa hè buổi chiều").await;
    browser.click(&browser.find("main form button.primary").await).await;
    browser.wait_for_text("Tài khoản của bạn đã sẵn sàng").await;
    browser.wait_for_text("Lê Văn Nam").await;

    // Deleting the account needs the password.
    browser.goto(&format!("{}/account", app.base)).await;
    browser.type_into(&browser.find("form[action='/account/delete'] input[type='password']").await, "wrong").await;
    browser.click(&browser.find("form[action='/account/delete'] button").await).await;
    browser.wait_for_text("không đúng mật khẩu").await;
    browser
        .type_into(
            &browser.find("form[action='/account/delete'] input[type='password']").await,
            "trà đá vỉa hè buổi chiều",
        )
        .await;
    browser.click(&browser.find("form[action='/account/delete'] button").await).await;
    browser.wait_for_text("Tài khoản đã được xóa.").await;
    assert_eq!(app.login("nam@caphe.vn", "trà đá vỉa hè buổi chiều").await.status, 401);
}

#[tokio::test]
async fn a_forgotten_password_is_reset_by_mail_and_mail_preferences_are_saved() {
    let app = event().await;
    let browser = Browser::start(390, 844).await;
    browser.goto(&format!("{}/sign-in", app.base)).await;
    browser.click(&browser.find("a[href='/forgot-password']").await).await;
    browser.type_into(&browser.find("#f-email").await, STARTUP).await;
    browser.click(&browser.find("main form button.primary").await).await;
    browser.wait_for_text("Hãy kiểm tra hộp thư").await;
    shoot(&browser, "check-mail").await;

    // The link from the message: a new password, then signing in with it.
    let token = app.mailed_token(STARTUP, "password-reset").await;
    browser.goto(&format!("{}/reset-password?token={token}", app.base)).await;
    browser.type_into(&browser.find("#f-new_password").await, "sương mù trên vịnh Hạ Long").await;
    browser.click(&browser.find("main form button.primary").await).await;
    browser.wait_for_text("Đã đặt mật khẩu mới").await;
    // The same link again: refused, on the form.
    browser.goto(&format!("{}/reset-password?token={token}", app.base)).await;
    browser.type_into(&browser.find("#f-new_password").await, "một mật khẩu khác hẳn").await;
    browser.click(&browser.find("main form button.primary").await).await;
    browser.wait_for_text("liên kết không hợp lệ, đã được dùng hoặc đã hết hạn").await;
    browser.goto(&format!("{}/sign-in?next=%2Faccount", app.base)).await;
    browser.type_into(&browser.find("#f-email").await, STARTUP).await;
    browser.type_into(&browser.find("#f-password").await, "sương mù trên vịnh Hạ Long").await;
    browser.click(&browser.find("form[action='/sign-in'] button").await).await;
    browser.wait_for_url("/account").await;

    // Mail preferences: English, no reminders; the calendar feed to subscribe to.
    browser.run("document.getElementById('f-language').value = 'en';", json!([])).await;
    browser.run("document.getElementById('f-mode-reminder').value = 'off';", json!([])).await;
    let webcal = browser.find("a[href^='webcal://']").await;
    assert!(browser.property(&webcal, "href").await.as_str().expect("href").contains("/feed/"));
    shoot(&browser, "account-mail").await;
    browser.click(&browser.find("form[action='/account/mail'] button").await).await;
    browser.wait_for_text("Đã lưu").await;
    let user = app.user_id(STARTUP).await;
    let preferences = app.store.mail_preferences(user).await.expect("preferences");
    assert_eq!(preferences.get("reminder").map(String::as_str), Some("off"));
    assert_eq!(app.store.user(user).await.expect("user").language, ketnoi_domain::i18n::Language::En);
    // The agenda offers the subscription beside the download.
    browser.goto(&format!("{}{EVENT}/agenda", app.base)).await;
    browser.find("a[href^='webcal://']").await;
}

/// The demo event (320 startups, 72 investors, 36 slots, 20 tables), scheduled: its table
/// sheets print on one A4 page per table, each with the table number and the event, and the
/// organiser's pages fit a phone.
#[tokio::test]
async fn the_demo_table_sheets_print_one_a4_page_per_table() {
    let app = TestApp::serve(ketnoi_store::testing::TestDatabase::new().await).await;
    let (event, _, _) = ketnoi::demo::load(&app.store, &()).await.expect("demo");
    let organiser = Who::Browser(
        app.login("organiser@techfest.ketnoi.demo", ketnoi::demo::DEMO_PASSWORD).await.session().expect("session"),
    );
    let path = format!("/api/v1/events/{}/schedule", event.slug);
    let run = app.send("POST", &path, &organiser, Some(&json!({}))).await;
    assert_eq!(run.status, 200, "{:?}", run.body);
    let tables: std::collections::BTreeSet<u64> = run.body["slots"]
        .as_array()
        .expect("slots")
        .iter()
        .flat_map(|slot| {
            slot["meetings"].as_array().expect("meetings").iter().map(|m| m["table"].as_u64().expect("table"))
        })
        .collect();
    assert_eq!(tables.len(), 20, "meetings at each of the 20 tables");

    let browser = Browser::start(1280, 900).await;
    let demo = format!("/e/{}", event.slug);
    let (organiser, password) = ("organiser@techfest.ketnoi.demo", ketnoi::demo::DEMO_PASSWORD);
    sign_in_as(&browser, &app, organiser, password, &format!("{demo}/organise/tables")).await;
    browser.wait_for_text("Techfest Hải Phòng 2023").await;
    let pdf = browser.print_pdf().await;
    assert!(pdf.starts_with(b"%PDF-"), "a PDF");
    let text = String::from_utf8_lossy(&pdf);
    let pages = text.match_indices("/Type /Page").filter(|(at, _)| !text[at + 11..].starts_with('s')).count();
    assert_eq!(pages, 20, "one A4 page for each of the 20 tables");
    let sheets = browser.all(".sheet").await;
    assert_eq!(sheets.len(), 20);
    // Each printed page carries its table number and the event, in its repeated header.
    let headers = browser
        .run("return [...document.querySelectorAll('.sheet-repeat th')].map(th => th.textContent.trim());", json!([]))
        .await;
    let headers: Vec<String> = serde_json::from_value(headers).expect("headers");
    for (i, header) in headers.iter().enumerate() {
        assert_eq!(header, &format!("Bàn {} · Techfest Hải Phòng 2023", i + 1));
    }
    std::fs::create_dir_all(env!("CARGO_TARGET_TMPDIR")).ok();
    std::fs::write(std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("table-sheets.pdf"), &pdf).expect("pdf");
    // The demo's schedule at the organiser's desk: 428 meetings by slot, in a box of its own.
    browser.goto(&format!("{}{demo}/organise/schedule", app.base)).await;
    browser.find("#grid tr.meeting").await;
    shoot(&browser, "schedule-demo").await;
    browser.goto(&format!("{}{demo}/organise/schedule?view=table&org=an+khang", app.base)).await;
    browser.find("main h1").await;
}

/// The schedule by slot and by table, filtered by a name; a meeting found by typing a name is
/// moved: a clash is refused in words and keeps the choice, the free places both sides can
/// attend are offered, and a side that cannot attend is named with why.
#[tokio::test]
async fn organiser_moves_a_meeting_found_by_name() {
    let app = event().await;
    let event_id = app.event_id("techfest-test").await;
    accepted_meetings(
        &app,
        &[
            ("Nông Sản Xanh", "Sông Hồng Angels"),
            ("Nông Sản Xanh", "Han River Ventures"),
            ("Cảng Số", "Sông Hồng Angels"),
        ],
    )
    .await;
    let browser = Browser::start(1280, 900).await;
    sign_in(&browser, &app, ORGANISER, &format!("{EVENT}/organise/schedule")).await;
    browser.click(&browser.find("#run").await).await;
    browser.wait_for_url("done=scheduled").await;
    let slots = app.store.slots(event_id).await.expect("slots");
    let meetings = app.store.meetings(event_id).await.expect("meetings");
    let (nong_san, han_river, song_hong, cang_so) = (
        app.id_of("Nông Sản Xanh").await,
        app.id_of("Han River Ventures").await,
        app.id_of("Sông Hồng Angels").await,
        app.id_of("Cảng Số").await,
    );
    let find = |startup: i64, investor: i64| {
        meetings.iter().find(|m| m.startup_id == startup && m.investor_id == investor).expect("meeting").clone()
    };
    let (first, second) = (find(nong_san, song_hong), find(nong_san, han_river));
    let slot_of = |m: &ketnoi_store::Meeting| slots.iter().find(|s| Some(s.id) == m.slot_id).expect("placed").clone();

    // Found by typing part of a name without diacritics; moved where the startup meets
    // Sông Hồng Angels: refused, saying who meets whom, when and where; the choice stays.
    browser.type_into(&browser.find("#f-meeting").await, "han river").await;
    let taken = slot_of(&first);
    browser.run("document.getElementById('f-slot').value = arguments[0];", json!([taken.code])).await;
    browser.click(&browser.find("#move-button").await).await;
    let error = browser.text(&browser.find("#move-error").await).await;
    let time = ketnoi_app::schedule::slot_label(&taken, &jiff::tz::TimeZone::get("Asia/Ho_Chi_Minh").expect("zone"));
    assert!(
        error.contains("\"Nông Sản Xanh\" đã có cuộc gặp lúc")
            && error.contains(&time)
            && error.contains(&format!("tại bàn {}", first.table.expect("table")))
            && error.contains("\"Sông Hồng Angels\""),
        "the clash in words: {error}"
    );
    assert!(!error.contains(&taken.code), "no slot code: {error}");
    assert_eq!(browser.property(&browser.find("#f-meeting").await, "value").await, json!("han river"), "kept");
    assert_eq!(browser.property(&browser.find("#f-slot").await, "value").await, json!(taken.code), "kept");
    // The nearest free places for both sides: one click moves it there.
    let offered = browser.all("ul.free-places button").await;
    assert!(!offered.is_empty(), "free places offered");
    shoot(&browser, "schedule-move-refused").await;
    browser.click(&offered[0]).await;
    browser.wait_for_url("done=moved").await;
    let moved = app.store.meeting(second.id).await.expect("meeting");
    assert_ne!(moved.slot_id, second.slot_id, "moved");
    assert!(moved.pinned);

    // A slot Cảng Số cannot attend: refused, naming the side and why; nothing changes.
    let organiser = Who::Browser(app.login(ORGANISER, PASSWORD).await.session().expect("session"));
    let theirs = find(cang_so, song_hong);
    let elsewhere = slots.iter().find(|s| Some(s.id) != theirs.slot_id).expect("another slot").clone();
    let path = format!("/api/v1/events/techfest-test/availability?organization={cang_so}");
    let blocked = app.send("PUT", &path, &organiser, Some(&json!({"unavailable": [elsewhere.code]}))).await;
    assert_eq!(blocked.status, 200, "{:?}", blocked.body);
    browser.goto(&format!("{}{EVENT}/organise/schedule?move={}", app.base, theirs.id)).await;
    let chosen = browser.property(&browser.find("#f-meeting").await, "value").await;
    assert!(chosen.as_str().unwrap_or_default().starts_with("Cảng Số – Sông Hồng Angels"), "{chosen}");
    browser.run("document.getElementById('f-slot').value = arguments[0];", json!([elsewhere.code])).await;
    browser.click(&browser.find("#move-button").await).await;
    let error = browser.text(&browser.find("#move-error").await).await;
    assert!(error.contains("\"Cảng Số\" không dự được lúc") && error.contains("đánh dấu giờ này là bận"), "{error}");
    assert_eq!(app.store.meeting(theirs.id).await.expect("meeting").slot_id, theirs.slot_id, "nothing changed");

    // By table, filtered by a name: only that organization's meetings.
    browser.goto(&format!("{}{EVENT}/organise/schedule?view=table&org=cang+so", app.base)).await;
    let rows = browser.all("#grid tr.meeting").await;
    assert_eq!(rows.len(), 1);
    assert!(browser.text(&rows[0]).await.contains("Cảng Số"));
    assert!(!browser.all("#grid tr.group").await.is_empty(), "grouped by table");
}

/// A Korean delegate's phone: the browser asks for Korean (`Accept-Language: ko-KR`), and every
/// page comes in Korean, with dates in Korean form and words instead of codes.
#[tokio::test]
async fn korean_pages_on_a_phone() {
    let app = event().await;
    accepted_meetings(&app, &[("Nông Sản Xanh", "Sông Hồng Angels")]).await;
    scheduled_and_published(&app).await;
    let browser = Browser::start_in(360, 780, "ko-KR,ko").await;
    browser.goto(&format!("{}{EVENT}", app.base)).await;
    assert_eq!(browser.run("return document.documentElement.lang;", json!([])).await, json!("ko"));
    browser.wait_for_text("검색").await;
    shoot(&browser, "event-ko").await;
    browser.goto(&format!("{}{EVENT}/search?q=nong+nghiep", app.base)).await;
    browser.wait_for_text("스타트업과 투자자 검색").await;
    browser.find("#results .card").await;
    let results = browser.text(&browser.find("#results").await).await;
    assert!(results.contains("농업") && results.contains("베트남"), "sectors and countries in Korean: {results}");
    shoot(&browser, "search-ko").await;
    sign_in(&browser, &app, STARTUP, &format!("{EVENT}/agenda")).await;
    browser.wait_for_text("내 일정").await;
    browser.wait_for_text("2023년 11월 24일").await;
    let card = browser.text(&browser.find("ol.agenda li.meeting").await).await;
    assert!(card.contains("Sông Hồng Angels") && card.contains("테이블"), "{card}");
    shoot(&browser, "agenda-ko-phone").await;
    let investor = app.id_of("Sông Hồng Angels").await;
    browser.goto(&format!("{}{EVENT}/o/{investor}", app.base)).await;
    let page = browser.body_text().await;
    assert!(page.contains("분야") || page.contains("농업"), "the profile in Korean: {page}");
    // The switch goes back to Vietnamese, and is remembered.
    browser.goto(&format!("{}{EVENT}", app.base)).await;
    browser.click(&browser.find("form[action='/lang'] button[value='vi']").await).await;
    browser.wait_for_text("Tìm kiếm").await;
    browser.goto(&format!("{}{EVENT}/agenda", app.base)).await;
    browser.wait_for_text("Thứ Sáu, 24/11/2023").await;
    shoot(&browser, "agenda-phone").await;
}

/// Every page of every role on a 360-px phone (each `goto` checks that nothing scrolls
/// sideways), in Vietnamese, whose words are the longest.
#[tokio::test]
async fn every_page_of_every_role_fits_a_phone() {
    let app = event().await;
    accepted_meetings(&app, &[("Nông Sản Xanh", "Sông Hồng Angels"), ("Cảng Số", "Han River Ventures")]).await;
    scheduled_and_published(&app).await;
    let investor = app.id_of("Sông Hồng Angels").await;
    let startup = app.id_of("Nông Sản Xanh").await;
    let browser = Browser::start(360, 780).await;
    let visit = async |paths: &[String]| {
        for path in paths {
            browser.goto(&format!("{}{path}", app.base)).await;
            browser.find("main h1").await;
            check_accessible(&browser).await;
        }
    };
    let anyone: Vec<String> = ["/", EVENT, &format!("{EVENT}/search?q=nong+nghiep"), &format!("{EVENT}/o/{investor}")]
        .iter()
        .map(|p| p.to_string())
        .chain(["/sign-in", "/register?event=techfest-test", "/forgot-password", "/join"].map(str::to_owned))
        .collect();
    visit(&anyone).await;
    let member_pages = |other: i64| -> Vec<String> {
        [
            "recommended",
            "requests?box=inbox",
            "requests?box=outbox",
            "agenda",
            "agenda/print",
            "profile",
            "availability",
        ]
        .iter()
        .map(|page| format!("{EVENT}/{page}"))
        .chain([format!("{EVENT}/o/{other}"), "/account".to_owned()])
        .collect()
    };
    sign_in(&browser, &app, STARTUP, &format!("{EVENT}/agenda")).await;
    visit(&member_pages(investor)).await;
    sign_out(&browser).await;
    sign_in(&browser, &app, INVESTOR, &format!("{EVENT}/agenda")).await;
    visit(&member_pages(startup)).await;
    sign_out(&browser).await;
    sign_in(&browser, &app, ORGANISER, &format!("{EVENT}/organise")).await;
    let organiser_pages: Vec<String> = [
        "organise",
        "organise/schedule",
        "organise/schedule?view=table",
        "organise/schedule?org=cang+so",
        "organise/checkin",
        "organise/tables",
        "organise/mail",
    ]
    .iter()
    .map(|page| format!("{EVENT}/{page}"))
    .collect();
    visit(&organiser_pages).await;
    let meeting = app.store.meetings(app.event_id("techfest-test").await).await.expect("meetings")[0].id;
    visit(&[format!("{EVENT}/organise/schedule?move={meeting}")]).await;
}

/// Live pages: the investor's inbox shows a new request without a reload (the one script
/// listens to /api/v1/me/stream and puts the page's new content in place).
#[tokio::test]
async fn the_inbox_follows_new_requests_without_a_reload() {
    let app = event().await;
    let browser = Browser::start(1280, 900).await;
    sign_in(&browser, &app, INVESTOR, &format!("{EVENT}/requests?box=inbox")).await;
    browser.wait_for_text("Chưa có").await;
    // Another startup asks, through the API, from elsewhere.
    let asker = app.account("ask@cangso.vn", Some(app.id_of("Cảng Số").await), None).await;
    let body = json!({"to": app.id_of("Sông Hồng Angels").await, "message": "Gặp nhau ở bàn số 5 nhé?"});
    let asked = app.send("POST", "/api/v1/events/techfest-test/requests", &asker, Some(&body)).await;
    assert_eq!(asked.status, 201, "{:?}", asked.body);
    browser.wait_for_text("Gặp nhau ở bàn số 5 nhé?").await;
    assert!(browser.url().await.ends_with("/requests?box=inbox"), "no navigation");
    let updated = browser.run("return document.querySelector('main').dataset.updated || '';", json!([])).await;
    assert_ne!(updated, json!(""), "put in place, not reloaded");
    browser.find("ul.requests li.card .fit .score").await;
}

/// The organiser's live board: figures and charts drawn on the server, following a meeting
/// marked held from another session without a reload.
#[tokio::test]
async fn the_live_board_follows_the_check_in_without_a_reload() {
    let app = event().await;
    accepted_meetings(&app, &[("Nông Sản Xanh", "Sông Hồng Angels"), ("Cảng Số", "Han River Ventures")]).await;
    let organiser = scheduled_and_published(&app).await;
    let browser = Browser::start(1024, 900).await;
    sign_in(&browser, &app, ORGANISER, &format!("{EVENT}/organise/board")).await;
    // Read in one script call: the board is replaced in place, so an element found in one call
    // may be gone by the next (a stale element).
    let held = async || {
        let script = "const dd = document.querySelector('#board-day div:nth-child(2) dd'); return dd ? dd.textContent.trim() : '';";
        browser.run(script, json!([])).await.as_str().unwrap_or_default().to_owned()
    };
    assert_eq!(held().await, "0");
    browser.find("figure.chart svg title").await;
    // Held, marked at the tables on another device.
    let meeting = app.store.meetings(app.event_id("techfest-test").await).await.expect("meetings")[0].id;
    for status in ["checked-in", "held"] {
        let path = format!("/api/v1/events/techfest-test/meetings/{meeting}/status");
        let marked = app.send("PUT", &path, &organiser, Some(&json!({"status": status}))).await;
        assert_eq!(marked.status, 200, "{:?}", marked.body);
    }
    let started = std::time::Instant::now();
    while held().await != "1" {
        assert!(started.elapsed() < std::time::Duration::from_secs(10), "the board never showed the meeting held");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let updated = browser.run("return document.querySelector('main').dataset.updated || '';", json!([])).await;
    assert_ne!(updated, json!(""), "put in place, not reloaded");
    assert!(browser.url().await.ends_with("/organise/board"));
    let title = browser.run("return document.querySelector('figure.chart svg title').textContent;", json!([])).await;
    assert!(title.as_str().unwrap_or_default().contains("Đã gặp 1"), "{title}");
    shoot(&browser, "board").await;
}
