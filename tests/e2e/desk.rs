//! Organisers at the desk and the instance's administrator, in a real browser and over HTTP:
//! the event's settings (quotas, request expiry, matching weights) changed from the web and read
//! back by the API, bad values shown all at once and nothing saved, a participant's
//! availability marked by an organiser, and an administrator made with the command line who
//! creates an event and names its organiser, who signs in and organises it.

use serde_json::json;

use crate::support::{PASSWORD, TestApp, Who};
use crate::webdriver::Browser;

const EVENT: &str = "/e/techfest-test";
const ORGANISER: &str = "organiser@techfest.vn";
const STARTUP: &str = "founder@nongsanxanh.vn";
const ADMIN: &str = "admin@ketnoi.vn";

/// The fixture event with one session (three 20-minute slots, two tables), its organiser and a
/// startup member (Nông Sản Xanh).
async fn event() -> (TestApp, Who) {
    let app = TestApp::with_fixtures().await;
    let event = app.event_id("techfest-test").await;
    let organiser = app.account(ORGANISER, None, Some(event)).await;
    let sessions = json!({"sessions": [
        {"name": "Sáng", "date": "2023-11-24", "start": "09:00", "end": "10:00", "slot_minutes": 20, "tables": 2},
    ]});
    let answer = app.send("PUT", "/api/v1/events/techfest-test/sessions", &organiser, Some(&sessions)).await;
    assert_eq!(answer.status, 200, "{:?}", answer.body);
    app.account(STARTUP, Some(app.id_of("Nông Sản Xanh").await), None).await;
    (app, organiser)
}

/// Runs `ketnoi user add-admin` on the app's database, the password in `KETNOI_PASSWORD`.
fn add_admin(app: &TestApp, email: &str, password: &str) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_ketnoi"))
        .args(["user", "add-admin", "--email", email, "--name", "Quản trị viên"])
        .arg("--data-dir")
        .arg(app.dir())
        .arg("--database-url")
        .arg(app.database().url())
        .env("KETNOI_PASSWORD", password)
        .env("KETNOI_LOG", "warn")
        .output()
        .expect("run ketnoi")
}

async fn sign_in(browser: &Browser, app: &TestApp, email: &str, password: &str, next: &str) {
    browser.sign_in(&app.base, email, password, next).await;
}

async fn sign_out(browser: &Browser) {
    browser.sign_out().await;
}

async fn check_accessible(browser: &Browser) {
    browser.check_accessible().await;
}

/// The value of a field now.
async fn value(browser: &Browser, css: &str) -> serde_json::Value {
    browser.property(&browser.find(css).await, "value").await
}

#[tokio::test]
async fn an_organiser_changes_the_quota_expiry_and_a_weight_on_the_web_and_the_api_reads_them() {
    let (app, organiser) = event().await;
    let browser = Browser::start(1280, 900).await;
    sign_in(&browser, &app, ORGANISER, PASSWORD, &format!("{EVENT}/organise")).await;
    browser.click(&browser.find(&format!("a[href='{EVENT}/organise/settings']")).await).await;
    browser.wait_for_url("/organise/settings").await;
    browser.wait_for_text("Cài đặt sự kiện").await;
    browser.wait_for_text("Số đề nghị mỗi startup").await;
    check_accessible(&browser).await;
    // The weights in force, and the quotas none.
    assert_eq!(value(&browser, "#f-weight_sector").await, json!("3"));
    assert_eq!(value(&browser, "#f-request_quota").await, json!(""));

    browser.type_into(&browser.find("#f-request_quota").await, "2").await;
    browser.type_into(&browser.find("#f-request_ttl_hours").await, "48").await;
    browser.type_into(&browser.find("#f-weight_sector").await, "4,5").await;
    browser.click(&browser.find("main form button.primary").await).await;
    browser.wait_for_text("Đã lưu.").await;
    browser.wait_for_url("/organise/settings?done=saved").await;
    assert_eq!(value(&browser, "#f-request_quota").await, json!("2"));
    assert_eq!(value(&browser, "#f-weight_sector").await, json!("4.5"));

    let rules = app.send("GET", "/api/v1/events/techfest-test/rules", &organiser, None).await;
    assert_eq!(rules.status, 200, "{:?}", rules.body);
    assert_eq!(rules.body["request_quota"], 2);
    assert_eq!(rules.body["request_ttl_hours"], 48);
    assert_eq!(rules.body["meeting_quota"], serde_json::Value::Null);
    let weights = app.send("GET", "/api/v1/events/techfest-test/weights", &organiser, None).await;
    assert_eq!(weights.status, 200, "{:?}", weights.body);
    assert_eq!(weights.body, json!({"sector": 4.5, "stage": 2.0, "ticket": 2.0, "geography": 1.0, "text": 1.0}));

    // The quota is in force: the third request of the startup is refused.
    let startup = Who::Browser(app.login(STARTUP, PASSWORD).await.session().expect("session"));
    let investors = ["Sông Hồng Angels", "Han River Ventures", "Rotterdam Port Ventures"];
    let mut statuses = Vec::new();
    for name in investors {
        let body = json!({"to": app.id_of(name).await});
        statuses.push(app.send("POST", "/api/v1/events/techfest-test/requests", &startup, Some(&body)).await.status);
    }
    assert_eq!(statuses, [201, 201, 409], "the quota of 2 holds");
}

#[tokio::test]
async fn bad_settings_are_shown_all_at_once_in_words_and_nothing_is_saved() {
    let (app, organiser) = event().await;
    let browser = Browser::start_in(1280, 900, "en-GB,en").await;
    sign_in(&browser, &app, ORGANISER, PASSWORD, &format!("{EVENT}/organise/settings")).await;
    browser.wait_for_text("Event settings").await;
    browser.type_into(&browser.find("#f-request_quota").await, "-1").await;
    browser.type_into(&browser.find("#f-reminder_minutes").await, "ten").await;
    browser.type_into(&browser.find("#f-weight_sector").await, "abc").await;
    browser.type_into(&browser.find("#f-weight_stage").await, "11").await;
    browser.click(&browser.find("main form button.primary").await).await;
    browser.wait_for_text("Please correct the errors marked below.").await;
    browser.check_fits_a_phone().await;
    check_accessible(&browser).await;
    let error = |field: &'static str| {
        let browser = &browser;
        async move { browser.text(&browser.find(&format!("#e-{field}")).await).await }
    };
    assert_eq!(error("request_quota").await, "must be greater than 0, got -1");
    assert_eq!(error("reminder_minutes").await, "\"ten\" is not a whole number");
    assert_eq!(error("weight_sector").await, "\"abc\" is not a number (such as 1.5)");
    assert_eq!(error("weight_stage").await, "must be a number from 0 to 10, got 11");
    // The list at the top names each field by its label.
    let listed: Vec<String> = {
        let mut texts = Vec::new();
        for item in browser.all(".errors li").await {
            texts.push(browser.text(&item).await);
        }
        texts
    };
    assert_eq!(listed.len(), 4, "{listed:?}");
    assert!(listed.iter().any(|l| l.starts_with("Requests per startup: ")), "{listed:?}");
    assert!(listed.iter().any(|l| l.starts_with("Sector: ")), "{listed:?}");
    // Kept as typed.
    assert_eq!(value(&browser, "#f-request_quota").await, json!("-1"));
    assert_eq!(value(&browser, "#f-weight_sector").await, json!("abc"));
    assert_eq!(value(&browser, "#f-weight_ticket").await, json!("2"));

    let rules = app.send("GET", "/api/v1/events/techfest-test/rules", &organiser, None).await;
    assert_eq!(rules.body["request_quota"], serde_json::Value::Null, "nothing saved");
    let weights = app.send("GET", "/api/v1/events/techfest-test/weights", &organiser, None).await;
    assert_eq!(weights.body["stage"], 2.0, "nothing saved");

    // Both sides without weight: said once, on the form.
    for (field, typed) in [("#f-weight_stage", "0"), ("#f-weight_sector", "0"), ("#f-weight_ticket", "0")] {
        browser.type_into(&browser.find(field).await, typed).await;
    }
    browser.type_into(&browser.find("#f-request_quota").await, "").await;
    browser.type_into(&browser.find("#f-reminder_minutes").await, "").await;
    browser.click(&browser.find("main form button.primary").await).await;
    browser.wait_for_text("the startup's side needs some weight").await;
    let weights = app.send("GET", "/api/v1/events/techfest-test/weights", &organiser, None).await;
    assert_eq!(weights.body["sector"], 3.0, "nothing saved");
}

#[tokio::test]
async fn an_organiser_marks_a_participant_unavailable_in_a_slot() {
    let (app, organiser) = event().await;
    let browser = Browser::start(390, 844).await;
    sign_in(&browser, &app, ORGANISER, PASSWORD, &format!("{EVENT}/organise")).await;
    browser.click(&browser.find(&format!("a[href='{EVENT}/organise/participants']")).await).await;
    browser.wait_for_url("/organise/participants").await;
    check_accessible(&browser).await;
    // Typed without diacritics, as on a phone.
    browser.type_into(&browser.find("#f-q").await, "nong san").await;
    browser.click(&browser.find("main form[role='search'] button").await).await;
    browser.wait_for_url("participants?q=nong+san").await;
    let rows = browser.all("table.participants tbody tr").await;
    assert_eq!(rows.len(), 1, "{}", browser.body_text().await);
    assert!(browser.text(&rows[0]).await.contains("Nông Sản Xanh"));
    let startup = app.id_of("Nông Sản Xanh").await;
    browser.click(&browser.find(&format!("#participant-{startup} a")).await).await;
    browser.wait_for_url(&format!("/organise/participants/{startup}/availability")).await;
    browser.wait_for_text("Thời gian bận: Nông Sản Xanh").await;
    check_accessible(&browser).await;

    let slots = app.json("/api/v1/events/techfest-test", 200).await["slots"].clone();
    let second = slots[1]["code"].as_str().expect("slot code").to_owned();
    browser.click(&browser.find(&format!("input[name='unavailable'][value='{second}']")).await).await;
    browser.click(&browser.find("main form button.primary").await).await;
    browser.wait_for_text("Đã lưu.").await;
    let ticked = browser.property(&browser.find(&format!("input[value='{second}']")).await, "checked").await;
    assert_eq!(ticked, json!(true));

    // The app's availability of the participant reads it: for the organiser, and for the member.
    let path = format!("/api/v1/events/techfest-test/availability?organization={startup}");
    let read = app.send("GET", &path, &organiser, None).await;
    assert_eq!(read.status, 200, "{:?}", read.body);
    assert_eq!(read.body["unavailable"], json!([second]));
    let member = Who::Browser(app.login(STARTUP, PASSWORD).await.session().expect("session"));
    let own = app.send("GET", "/api/v1/events/techfest-test/availability", &member, None).await;
    assert_eq!(own.body["unavailable"], json!([second]));

    // Another event's organiser finds neither the page nor the participant.
    let slug = ketnoi_domain::event::EventSlug::parse("other-fair").expect("slug");
    let fair = app.store.create_event(&ketnoi_store::NewEvent::from_slug(slug)).await.expect("event");
    let other = app.account("other@fair.vn", None, Some(fair.id)).await;
    let here = format!("{EVENT}/organise/participants/{startup}/availability");
    assert_eq!(page(&app, &here, &other, "vi").await.0, 404);
    let foreign = format!("/e/other-fair/organise/participants/{startup}/availability");
    assert_eq!(page(&app, &foreign, &other, "vi").await.0, 404);
    let (status, _) = post_form(&app, &foreign, &other, &format!("unavailable={second}")).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn an_administrator_made_on_the_command_line_creates_an_event_and_names_its_organiser() {
    let (app, _) = event().await;
    let weak = add_admin(&app, ADMIN, "12345678");
    assert!(!weak.status.success(), "a common password is refused");
    let added = add_admin(&app, ADMIN, PASSWORD);
    assert!(added.status.success(), "{}", String::from_utf8_lossy(&added.stderr));
    assert!(String::from_utf8_lossy(&added.stdout).contains("administrator admin@ketnoi.vn is ready"));

    let browser = Browser::start(1280, 900).await;
    sign_in(&browser, &app, ADMIN, PASSWORD, "/admin").await;
    browser.wait_for_text("Quản trị").await;
    browser.find("header a[href='/admin']").await;
    check_accessible(&browser).await;
    // The fixture event is listed.
    browser.find("#event-techfest-test").await;

    // A bad slug and no name: both said at once, the venue kept.
    browser.type_into(&browser.find("#f-slug").await, "Hội chợ 2025").await;
    browser.type_into(&browser.find("#f-venue").await, "Cung Văn hóa Hữu nghị, Hà Nội").await;
    browser.click(&browser.find("form[action='/admin/events'] button").await).await;
    browser.wait_for_text("Vui lòng sửa các lỗi được đánh dấu bên dưới.").await;
    let slug_error = browser.text(&browser.find("#e-slug").await).await;
    assert!(slug_error.contains("không phải mã sự kiện"), "{slug_error}");
    let name_error = browser.text(&browser.find("#e-event_name").await).await;
    assert_eq!(name_error, "không được để trống");
    assert_eq!(value(&browser, "#f-venue").await, json!("Cung Văn hóa Hữu nghị, Hà Nội"));
    browser.check_fits_a_phone().await;

    // A slug taken: said by the slug.
    browser.type_into(&browser.find("#f-slug").await, "techfest-test").await;
    browser.type_into(&browser.find("#f-event_name").await, "Hội chợ Đổi mới 2025").await;
    browser.click(&browser.find("form[action='/admin/events'] button").await).await;
    browser.wait_for_text("đã có sự kiện mang mã techfest-test").await;
    browser.find("#e-slug").await;

    browser.type_into(&browser.find("#f-slug").await, "hoi-cho-2025").await;
    browser.click(&browser.find("form[action='/admin/events'] button").await).await;
    browser.wait_for_url("/admin/events/hoi-cho-2025?done=event_created").await;
    browser.wait_for_text("Đã tạo sự kiện.").await;
    browser.wait_for_text("Chưa có ai trong ban tổ chức.").await;
    check_accessible(&browser).await;
    let created = app.json("/api/v1/events/hoi-cho-2025", 200).await;
    assert_eq!(created["name"], "Hội chợ Đổi mới 2025");
    assert_eq!(created["venue"], "Cung Văn hóa Hữu nghị, Hà Nội");
    assert_eq!(created["time_zone"], "Asia/Ho_Chi_Minh");

    // An address with an account is refused by its field; a new one is named.
    browser.type_into(&browser.find("#f-organiser_email").await, STARTUP).await;
    browser.type_into(&browser.find("#f-organiser_name").await, "Trần Minh").await;
    browser.click(&browser.find("form[action$='/organisers'] button").await).await;
    browser.wait_for_text("đã có tài khoản").await;
    browser.find("#e-organiser_email").await;
    assert_eq!(value(&browser, "#f-organiser_name").await, json!("Trần Minh"));
    browser.type_into(&browser.find("#f-organiser_email").await, "minh@hoicho.vn").await;
    browser.click(&browser.find("form[action$='/organisers'] button").await).await;
    browser.wait_for_text("Đã chỉ định: liên kết chọn mật khẩu đã được gửi qua email.").await;
    browser.wait_for_text("Chưa chọn mật khẩu").await;
    assert_eq!(app.login("minh@hoicho.vn", PASSWORD).await.status, 401, "no password anyone knows");

    // The administrator manages no event and reads no participant's private data.
    let admin = Who::Browser(app.login(ADMIN, PASSWORD).await.session().expect("session"));
    for path in ["/api/v1/events/techfest-test/participants", "/api/v1/events/techfest-test/rules"] {
        assert_eq!(app.send("GET", path, &admin, None).await.status, 404, "{path}");
    }
    assert_eq!(page(&app, "/e/techfest-test/organise", &admin, "vi").await.0, 404);
    sign_out(&browser).await;

    // The organiser opens the mailed link, chooses a password, signs in and organises.
    let token = app.mailed_token("minh@hoicho.vn", "organiser-invitation").await;
    browser.goto(&format!("{}/reset-password?token={token}", app.base)).await;
    browser.type_into(&browser.find("#f-new_password").await, "hồ gươm lúc bình minh").await;
    browser.click(&browser.find("main form button.primary").await).await;
    browser.wait_for_url("/sign-in?done=password_reset").await;
    sign_in(&browser, &app, "minh@hoicho.vn", "hồ gươm lúc bình minh", "/e/hoi-cho-2025/organise").await;
    browser.wait_for_text("Ban tổ chức: Hội chợ Đổi mới 2025").await;
    browser.find("a[href='/e/hoi-cho-2025/organise/settings']").await;
    assert!(browser.all("header a[href='/admin']").await.is_empty(), "no Admin link for an organiser");

    // Not an administrator: refused at /admin, as if it were not there.
    browser.goto(&format!("{}/admin", app.base)).await;
    browser.wait_for_text("Không tìm thấy trang này").await;
    let organiser =
        Who::Browser(app.login("minh@hoicho.vn", "hồ gươm lúc bình minh").await.session().expect("session"));
    assert_eq!(page(&app, "/admin", &organiser, "vi").await.0, 404);
    assert_eq!(page(&app, "/admin/events/hoi-cho-2025", &organiser, "vi").await.0, 404);

    // The administrator's page lists the organiser as active now.
    sign_out(&browser).await;
    sign_in(&browser, &app, ADMIN, PASSWORD, "/admin/events/hoi-cho-2025").await;
    browser.wait_for_text("Đang hoạt động").await;
}

/// A form POST from a browser of this site, as `who`; the status and the page.
pub(crate) async fn post_form(app: &TestApp, path: &str, who: &Who, body: &str) -> (u16, String) {
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
    let mut request = client
        .post(format!("{}{path}", app.base))
        .header("sec-fetch-site", "same-origin")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body.to_owned());
    if let Who::Browser(secret) = who {
        request = request.header("cookie", format!("ketnoi_session={secret}"));
    }
    let response = request.send().await.expect("post");
    (response.status().as_u16(), response.text().await.expect("page"))
}

/// A page in a language, as `who`: the status and the HTML.
pub(crate) async fn page(app: &TestApp, path: &str, who: &Who, language: &str) -> (u16, String) {
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
    let cookie = match who {
        Who::Browser(secret) => format!("ketnoi_lang={language}; ketnoi_session={secret}"),
        _ => format!("ketnoi_lang={language}"),
    };
    let response = client.get(format!("{}{path}", app.base)).header("cookie", cookie).send().await.expect("get");
    (response.status().as_u16(), response.text().await.expect("page"))
}

#[tokio::test]
async fn only_an_administrator_creates_events_and_names_organisers_and_every_page_speaks_three_languages() {
    let (app, organiser) = event().await;
    let added = add_admin(&app, ADMIN, PASSWORD);
    assert!(added.status.success(), "{}", String::from_utf8_lossy(&added.stderr));
    let user = app.store.user_by_email(&ketnoi_domain::validate::Email::parse(ADMIN).expect("email")).await;
    let user = user.expect("user").expect("account");
    assert_eq!((user.role, user.event_id, user.organization_id), (ketnoi_store::Role::Admin, None, None));
    let login = app.login(ADMIN, PASSWORD).await;
    assert_eq!(login.body["role"], "admin", "{:?}", login.body);
    let admin = Who::Browser(login.session().expect("session"));
    let member = Who::Browser(app.login(STARTUP, PASSWORD).await.session().expect("session"));

    // Anyone else is refused, and nothing is written.
    let new_event = "slug=not-by-you&event_name=Nope&venue=&time_zone=Asia%2FHo_Chi_Minh";
    for who in [&organiser, &member] {
        assert_eq!(post_form(&app, "/admin/events", who, new_event).await.0, 404);
        let name = "organiser_email=sneaky%40example.vn&organiser_name=Sneaky";
        assert_eq!(post_form(&app, "/admin/events/techfest-test/organisers", who, name).await.0, 404);
        assert_eq!(page(&app, "/admin", who, "vi").await.0, 404);
    }
    let (status, _) = post_form(&app, "/admin/events", &Who::Anonymous, new_event).await;
    assert_eq!(status, 303, "to the sign-in page");
    let (status, _) = page(&app, "/admin", &Who::Anonymous, "vi").await;
    assert_eq!(status, 303, "to the sign-in page");
    assert_eq!(app.json("/api/v1/events/not-by-you", 404).await["code"], "not-found");
    let sneaky = ketnoi_domain::validate::Email::parse("sneaky@example.vn").expect("email");
    assert!(app.store.user_by_email(&sneaky).await.expect("user").is_none());
    // An organiser's own settings are refused to a member and to the administrator.
    for who in [&member, &admin] {
        assert_eq!(page(&app, "/e/techfest-test/organise/settings", who, "vi").await.0, 404);
        assert_eq!(post_form(&app, "/e/techfest-test/organise/settings", who, "request_quota=1").await.0, 404);
    }

    // An organiser named twice: refused the second time, one account, one message.
    let name = "organiser_email=lan%40techfest.vn&organiser_name=L%C3%AA%20Lan";
    assert_eq!(post_form(&app, "/admin/events/techfest-test/organisers", &admin, name).await.0, 303);
    let (status, html) = post_form(&app, "/admin/events/techfest-test/organisers", &admin, name).await;
    assert_eq!(status, 422);
    assert!(html.contains("đã có tài khoản"), "{html}");
    assert_eq!(app.mail_kinds("lan@techfest.vn").await, ["organiser-invitation"]);
    let lan = ketnoi_domain::validate::Email::parse("lan@techfest.vn").expect("email");
    let lan = app.store.user_by_email(&lan).await.expect("user").expect("account");
    assert_eq!((lan.role, lan.event_id), (ketnoi_store::Role::Organiser, Some(app.event_id("techfest-test").await)));
    assert!(!lan.email_confirmed, "proven by the link");

    // Every new page, in Vietnamese, English and Korean, with one h1.
    let startup = app.id_of("Nông Sản Xanh").await;
    let availability = format!("/e/techfest-test/organise/participants/{startup}/availability");
    let pages: [(&str, &Who, [&str; 3]); 5] = [
        ("/e/techfest-test/organise/settings", &organiser, ["Cài đặt sự kiện", "Event settings", "행사 설정"]),
        ("/e/techfest-test/organise/participants?q=", &organiser, ["Người tham gia", "Participants", "참가자"]),
        (
            &availability,
            &organiser,
            ["Thời gian bận: Nông Sản Xanh", "Availability: Nông Sản Xanh", "참석 불가 시간: Nông Sản Xanh"],
        ),
        ("/admin", &admin, ["Quản trị", "Administration", "관리"]),
        ("/admin/events/techfest-test", &admin, ["Ban tổ chức: ", "Organisers: ", "주최 측: "]),
    ];
    for (path, who, titles) in pages {
        for (language, title) in ["vi", "en", "ko"].into_iter().zip(titles) {
            let (status, html) = page(&app, path, who, language).await;
            assert_eq!(status, 200, "{path} in {language}");
            assert_eq!(html.matches("<h1").count(), 1, "{path}");
            let h1 = html.split("<h1>").nth(1).and_then(|rest| rest.split("</h1>").next()).unwrap_or_default();
            assert!(h1.starts_with(title), "{path} in {language}: {h1}");
            assert!(html.contains(&format!("<html lang=\"{language}\">")), "{path}");
        }
    }
    // The organiser's dashboard links to both desk pages; the administrator's navigation to /admin.
    let (_, dashboard) = page(&app, "/e/techfest-test/organise", &organiser, "en").await;
    assert!(dashboard.contains("href=\"/e/techfest-test/organise/settings\""));
    assert!(dashboard.contains("href=\"/e/techfest-test/organise/participants\""));
    let (_, home) = page(&app, "/e/techfest-test", &admin, "ko").await;
    assert!(home.contains("<a href=\"/admin\">관리</a>"), "{home}");
}
