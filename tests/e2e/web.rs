//! The web app over plain HTTP: who may open which page, search filters and paging, the
//! language switch, amounts per language, static files, unknown paths. The browser tests
//! (browser.rs) cover what needs a real browser.

use reqwest::header::HeaderMap;
use serde_json::json;

use crate::support::{SETTLE, TestApp, Who};

const EVENT: &str = "/e/techfest-test";

/// A page: status, headers, HTML.
struct Page {
    status: u16,
    headers: HeaderMap,
    html: String,
}

impl Page {
    fn location(&self) -> &str {
        self.headers.get("location").and_then(|v| v.to_str().ok()).unwrap_or_default()
    }
}

/// A request as a browser on this site would send it (no redirects followed), with these
/// cookies: a GET, or with `form` a POST of that URL-encoded form.
async fn request(app: &TestApp, path: &str, cookies: &str, form: Option<&str>) -> Page {
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
    let url = format!("{}{path}", app.base);
    let mut request = match form {
        Some(body) => client
            .post(url)
            .header("sec-fetch-site", "same-origin")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body.to_owned()),
        None => client.get(url).header("accept", "text/html"),
    };
    if !cookies.is_empty() {
        request = request.header("cookie", cookies);
    }
    let response = request.send().await.expect("request");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    Page { status, headers, html: response.text().await.expect("body") }
}

async fn page(app: &TestApp, path: &str, cookies: &str) -> Page {
    request(app, path, cookies, None).await
}

async fn post_form(app: &TestApp, path: &str, cookies: &str, form: &str) -> Page {
    request(app, path, cookies, Some(form)).await
}

fn session(who: &Who) -> String {
    match who {
        Who::Browser(secret) => format!("ketnoi_session={secret}"),
        _ => String::new(),
    }
}

#[tokio::test]
async fn pages_open_for_the_right_people_only() {
    let app = TestApp::with_fixtures().await;
    let event = app.event_id("techfest-test").await;
    let member = session(&app.account("web@cangso.vn", Some(app.id_of("Cảng Số").await), None).await);
    let organiser = session(&app.account("web@techfest.vn", None, Some(event)).await);

    for path in ["/agenda", "/requests", "/recommended", "/profile", "/availability", "/organise", "/organise/schedule"]
    {
        let anonymous = page(&app, &format!("{EVENT}{path}"), "").await;
        assert_eq!(anonymous.status, 303, "{path}");
        let next = format!("/sign-in?next=%2Fe%2Ftechfest-test{}", path.replace('/', "%2F"));
        assert_eq!(anonymous.location(), next, "{path}: to sign in, then back");
    }
    // An expired session (a cookie the server no longer knows) says so on the way.
    let stale = page(&app, &format!("{EVENT}/agenda"), "ketnoi_session=gone").await;
    assert!(stale.location().ends_with("&expired=1"), "{}", stale.location());

    for path in ["/organise", "/organise/schedule", "/organise/checkin", "/organise/export/meetings.csv"] {
        let refused = page(&app, &format!("{EVENT}{path}"), &member).await;
        assert_eq!(refused.status, 404, "a member may not open {path}");
        assert!(refused.html.contains("Không tìm thấy trang này"), "{path}: a page in Vietnamese");
    }
    for path in ["/agenda", "/requests", "/recommended"] {
        assert_eq!(page(&app, &format!("{EVENT}{path}"), &organiser).await.status, 404, "an organiser has no {path}");
    }
    assert_eq!(page(&app, &format!("{EVENT}/agenda"), &member).await.status, 200);
    assert_eq!(page(&app, &format!("{EVENT}/organise"), &organiser).await.status, 200);
    assert_eq!(page(&app, "/e/no-such-event", "").await.status, 404);

    // An unknown path: a page for a browser, problem+json for a script.
    let unknown = page(&app, "/no/such/page", "ketnoi_lang=en").await;
    assert_eq!(unknown.status, 404);
    assert!(unknown.html.contains("This page was not found"), "{}", unknown.html);
    let script = app.get("/no/such/page").await;
    assert_eq!(script.headers()["content-type"], "application/problem+json");
}

#[tokio::test]
async fn search_filters_by_investor_type_and_ticket_and_pages() {
    let app = TestApp::with_fixtures().await;
    let organiser = app.account("pages@techfest.vn", None, Some(app.event_id("techfest-test").await)).await;
    let names = |html: &str| -> Vec<String> {
        html.split("<h2><a href=\"/e/techfest-test/o/")
            .skip(1)
            .filter_map(|rest| Some(rest.split_once("\">")?.1.split_once("</a>")?.0.to_owned()))
            .collect()
    };

    let angels = page(&app, &format!("{EVENT}/search?kind=investor&investor_type=angel"), "").await;
    assert_eq!(names(&angels.html), ["Sông Hồng Angels"]);
    // 500.000.000 ₫ is inside Sông Hồng's ticket (200M–2B VND) only: Han River starts at
    // $100,000 and Rotterdam at €500,000. Separators are allowed as typed.
    for query in ["ticket=500.000.000&currency=VND", "ticket=20000&currency=USD", "q=nong+nghiep&ticket=500000000"] {
        let covered = page(&app, &format!("{EVENT}/search?kind=investor&{query}"), "").await;
        assert_eq!(names(&covered.html), ["Sông Hồng Angels"], "{query}");
    }
    let api = app.json("/api/v1/organizations?event=techfest-test&ticket=150000&currency=USD", 200).await;
    assert_eq!(crate::support::names(&api), ["Han River Ventures"]);
    let api = app.json("/api/v1/organizations?q=logistics&ticket=150000&currency=USD", 200).await;
    assert_eq!(crate::support::names(&api), ["Han River Ventures"]);
    let refused = app.json("/api/v1/organizations?ticket=5&currency=THB", 400).await;
    assert_eq!(refused["errors"][0]["field"], "currency");

    // A bad filter is said on the page, not thrown.
    let bad = page(&app, &format!("{EVENT}/search?country=Vietnam"), "").await;
    assert_eq!(bad.status, 200);
    assert!(bad.html.contains("Quốc gia: "), "the problem names the filter by its label");

    // Paging: 25 more startups make three pages of ten.
    let mut csv = String::from(
        "name,sectors,stage,country,province,funding_ask,currency,founded,team_size,website,email,description\n",
    );
    for n in 1..=25 {
        csv.push_str(&format!("Trang Trại Số {n:02},agritech,seed,VN,,,,,,,,\n"));
    }
    let import = json!({"startups": csv});
    let answer = app.send("POST", "/api/v1/events/techfest-test/import", &organiser, Some(&import)).await;
    assert_eq!(answer.status, 200, "{:?}", answer.body);
    app.indexer.sync(SETTLE).await.expect("index");
    let first = page(&app, &format!("{EVENT}/search?q=trang+trai"), "").await;
    assert_eq!(names(&first.html).len(), 10);
    assert!(first.html.contains("25 kết quả") && first.html.contains("Trang 1 / 3"), "{}", first.html);
    let next =
        first.html.split("rel=\"next\" href=\"").nth(1).and_then(|rest| rest.split('"').next()).unwrap_or_default();
    assert_eq!(
        next.replace("&#x2f;", "/").replace("&amp;", "&"),
        "/e/techfest-test/search?currency=VND&q=trang+trai&page=2"
    );
    let third = page(&app, &format!("{EVENT}/search?q=trang+trai&page=3"), "").await;
    assert_eq!(names(&third.html).len(), 5);
    // What the instant search fetches: the results only.
    let fragment = page(&app, &format!("{EVENT}/search?q=trang+trai&fragment=1"), "").await;
    assert!(!fragment.html.contains("<html") && fragment.html.contains("25 kết quả"));
}

#[tokio::test]
async fn language_is_remembered_and_amounts_follow_it() {
    let app = TestApp::with_fixtures().await;
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
    let switch = |back: &'static str| {
        client
            .post(format!("{}/lang", app.base))
            .header("sec-fetch-site", "same-origin")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(format!("lang=en&back={}", back.replace('/', "%2F").replace('?', "%3F").replace('=', "%3D")))
            .send()
    };
    let answer = switch("/e/techfest-test/search?q=port").await.expect("switch");
    assert_eq!(answer.status().as_u16(), 303);
    assert_eq!(answer.headers()["location"], "/e/techfest-test/search?q=port");
    let cookie = answer.headers()["set-cookie"].to_str().expect("cookie").to_owned();
    assert!(cookie.starts_with("ketnoi_lang=en;") && cookie.contains("Max-Age=31536000"), "{cookie}");
    let elsewhere = switch("//evil.example/").await.expect("switch");
    assert_eq!(elsewhere.headers()["location"], "/", "never back to another site");
    let cross_site = client
        .post(format!("{}/lang", app.base))
        .header("sec-fetch-site", "cross-site")
        .header("content-type", "application/x-www-form-urlencoded")
        .body("lang=en&back=%2F")
        .send()
        .await
        .expect("post");
    assert_eq!(cross_site.status().as_u16(), 403);

    let investor = app.id_of("Sông Hồng Angels").await;
    let vietnamese = page(&app, &format!("{EVENT}/o/{investor}"), "").await;
    assert!(vietnamese.html.contains("<html lang=\"vi\">"));
    assert!(vietnamese.html.contains("200.000.000 ₫ – 2.000.000.000 ₫"), "{}", vietnamese.html);
    assert!(vietnamese.html.contains("Nông nghiệp, Thực phẩm"));
    let english = page(&app, &format!("{EVENT}/o/{investor}"), "ketnoi_lang=en").await;
    assert!(english.html.contains("<html lang=\"en\">"));
    assert!(english.html.contains("₫200,000,000 – ₫2,000,000,000"), "{}", english.html);
    assert!(english.html.contains("Agriculture, Food"));
    let han = app.id_of("Han River Ventures").await;
    assert!(page(&app, &format!("{EVENT}/o/{han}"), "ketnoi_lang=en").await.html.contains("$100,000 – $1,000,000"));

    let styles = app.get("/static/app.css").await;
    assert_eq!(styles.headers()["content-type"], "text/css; charset=utf-8");
    assert_eq!(styles.headers()["cache-control"], "public, max-age=3600");
    let script = app.get("/static/app.js").await;
    assert_eq!(script.headers()["content-type"], "text/javascript; charset=utf-8");
    assert_eq!(app.get("/static/other.js").await.status().as_u16(), 404);
    // Gzipped for a browser that accepts it (a venue's Wi-Fi is slow).
    let zipped = client.get(format!("{}{EVENT}/search", app.base)).header("accept-encoding", "gzip").send().await;
    assert_eq!(zipped.expect("get").headers()["content-encoding"], "gzip");
    // Nothing comes from elsewhere: the policy says so and the pages link only to this site.
    let home = page(&app, EVENT, "").await;
    assert!(home.headers["content-security-policy"].to_str().unwrap_or_default().starts_with("default-src 'self'"));
    assert!(!home.html.contains("http://") && !home.html.contains("https://"), "no outside address in a page");
}

#[tokio::test]
async fn refused_forms_come_back_as_typed_and_lead_nowhere_else() {
    let app = TestApp::with_fixtures().await;
    let event = app.event_id("techfest-test").await;
    let member = session(&app.account("form@cangso.vn", Some(app.id_of("Cảng Số").await), None).await);
    let organiser = session(&app.account("form@techfest.vn", None, Some(event)).await);

    // Sign-in never leads to another site, however the address is dressed up.
    for next in ["%2F%09%2Fevil.example", "%2F%2Fevil.example", "https%3A%2F%2Fevil.example", "%2F%5Cevil.example"] {
        let form = page(&app, &format!("/sign-in?next={next}"), "").await;
        assert!(form.html.contains("name=\"next\" value=\"&#x2f;\""), "{next}: the form goes back home");
        let body = format!("email=form%40cangso.vn&password=correct+horse+battery+staple&next={next}");
        let signed_in = post_form(&app, "/sign-in", "", &body).await;
        assert_eq!((signed_in.status, signed_in.location()), (303, "/"), "{next}");
    }

    // A refused profile: 422, the values as typed, and the page's own links lead to the page.
    let body = "kind=startup&name=C%E1%BA%A3ng+S%E1%BB%91&sectors=logistics&stage=seed&founded=n%C4%83m+ngo%C3%A1i&currency=VND";
    let refused = post_form(&app, &format!("{EVENT}/profile"), &member, body).await;
    assert_eq!(refused.status, 422);
    assert!(refused.html.contains("value=\"năm ngoái\""), "the year as typed");
    assert!(refused.html.contains("<a href=\"#f-founded\">Năm thành lập: "), "the error list names the field");
    assert!(
        refused.html.contains("name=\"back\" value=\"&#x2f;e&#x2f;techfest-test&#x2f;profile\""),
        "the language switch goes back to the form's page, not to the POST"
    );

    // A refused sessions table: the rows come back as typed, the problem named by row and column.
    let body = "name=S%C3%A1ng&date=2023-11-24&start=09%3A00&end=10%3A00&slot_minutes=20&tables=hai";
    let refused = post_form(&app, &format!("{EVENT}/organise/sessions"), &organiser, body).await;
    assert_eq!(refused.status, 422);
    assert!(refused.html.contains("value=\"hai\""), "the table count as typed");
    assert!(refused.html.contains("Dòng 1, Số bàn: phải là một số nguyên"), "{}", refused.html);
    assert!(app.store.slots(event).await.expect("slots").is_empty(), "nothing saved");

    // The style sheet stays cacheable for a signed-in browser.
    let styles = page(&app, "/static/app.css", &member).await;
    assert_eq!(styles.headers["cache-control"], "public, max-age=3600");
    let personal = page(&app, &format!("{EVENT}/agenda"), &member).await;
    assert_eq!(personal.headers["cache-control"], "no-store");
}

/// The language: the switch's cookie first, else the browser's `Accept-Language`, else
/// Vietnamese; a language ketnoi does not have falls back to Vietnamese without an error.
#[tokio::test]
async fn the_language_comes_from_the_cookie_then_the_browser_then_vietnamese() {
    let app = TestApp::with_fixtures().await;
    let lang_of = async |cookie: Option<&str>, accept: Option<&str>| {
        let mut request = app.client.get(format!("{}{EVENT}", app.base));
        if let Some(cookie) = cookie {
            request = request.header("cookie", cookie);
        }
        if let Some(accept) = accept {
            request = request.header("accept-language", accept);
        }
        let response = request.send().await.expect("request");
        assert_eq!(response.status().as_u16(), 200);
        let html = response.text().await.expect("html");
        let at = html.find("<html lang=\"").expect("lang") + "<html lang=\"".len();
        html[at..at + 2].to_owned()
    };
    assert_eq!(lang_of(None, None).await, "vi");
    assert_eq!(lang_of(None, Some("ko-KR,ko;q=0.9,en-US;q=0.8")).await, "ko");
    assert_eq!(lang_of(None, Some("fr-FR,fr;q=0.9,en;q=0.5")).await, "en", "the first language it has");
    assert_eq!(lang_of(None, Some("fr-FR,de;q=0.5")).await, "vi", "none it has: Vietnamese");
    assert_eq!(lang_of(None, Some("garbage;;;q=x")).await, "vi");
    assert_eq!(lang_of(Some("ketnoi_lang=en"), Some("ko-KR")).await, "en", "the switch wins");
    assert_eq!(lang_of(Some("ketnoi_lang=xx"), None).await, "vi", "an unknown cookie is Vietnamese");
    // Switching to a language the catalogue lacks is no error either.
    let switched = post_form(&app, "/lang", "", "lang=fr&next=%2F").await;
    assert!(switched.status < 400, "{}", switched.status);
}
