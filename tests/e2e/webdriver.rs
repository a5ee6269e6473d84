//! A small W3C WebDriver client over reqwest, driving Debian's headless Chromium through its
//! chromedriver: what the browser tests need and nothing more.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine as _;
use serde_json::{Value, json};

/// Where Debian puts them; `KETNOI_CHROMIUM` and `KETNOI_CHROMEDRIVER` override.
const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// How long to wait for an element or a page.
const PATIENCE: Duration = Duration::from_secs(10);
/// The width of the phone every page must fit.
const PHONE_WIDTH: u64 = 360;
/// The key of an element reference in the protocol.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

fn binary(variable: &str, default: &str) -> String {
    let path = std::env::var(variable).unwrap_or_else(|_| default.to_owned());
    assert!(
        std::path::Path::new(&path).exists(),
        "{path} is missing: the browser tests need Debian's chromium and chromium-driver \
         (install them with `bash .ci/install-test-tools`, or set {variable})"
    );
    path
}

/// A headless Chromium, driven by its own chromedriver; both end when this is dropped.
pub struct Browser {
    client: reqwest::Client,
    session: String,
    driver: Child,
    _profile: tempfile::TempDir,
}

/// An element of the page.
#[derive(Debug, Clone)]
pub struct Element(String);

impl Element {
    /// The element's reference, to pass to a script as `{ELEMENT: id}`.
    pub fn id(&self) -> &str {
        &self.0
    }
}

impl Browser {
    /// A new browser window of `width` × `height` CSS pixels, set to Vietnamese, as the
    /// fair's visitors' phones mostly are.
    pub async fn start(width: u32, height: u32) -> Browser {
        Browser::start_in(width, height, "vi-VN,vi").await
    }

    /// A new browser window whose `Accept-Language` is `languages`.
    pub async fn start_in(width: u32, height: u32, languages: &str) -> Browser {
        let port = TcpListener::bind("127.0.0.1:0").expect("free port").local_addr().expect("port").port();
        let driver = Command::new(binary("KETNOI_CHROMEDRIVER", CHROMEDRIVER))
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let client = reqwest::Client::new();
        let base = format!("http://127.0.0.1:{port}");
        let started = Instant::now();
        while client.get(format!("{base}/status")).send().await.is_err() {
            assert!(started.elapsed() < PATIENCE, "chromedriver did not start");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let profile = tempfile::tempdir().expect("profile dir");
        let args = [
            "--headless=new".to_owned(),
            "--no-sandbox".to_owned(),
            "--disable-gpu".to_owned(),
            "--disable-dev-shm-usage".to_owned(),
            "--no-first-run".to_owned(),
            "--disable-background-networking".to_owned(),
            "--disable-component-update".to_owned(),
            "--disable-sync".to_owned(),
            "--hide-scrollbars".to_owned(),
            format!("--window-size={width},{height}"),
            format!("--user-data-dir={}", profile.path().display()),
        ];
        let capabilities = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": binary("KETNOI_CHROMIUM", CHROMIUM),
                "args": args,
                "prefs": {"intl.accept_languages": languages},
            },
        }}});
        let answer: Value = client
            .post(format!("{base}/session"))
            .json(&capabilities)
            .send()
            .await
            .expect("new session")
            .json()
            .await
            .expect("session JSON");
        let session = answer["value"]["sessionId"].as_str().unwrap_or_else(|| panic!("no session: {answer}"));
        let mut browser = Browser { client, session: format!("{base}/session/{session}"), driver, _profile: profile };
        browser.resize(width, height).await;
        browser
    }

    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let mut request = self.client.request(method.clone(), format!("{}{path}", self.session));
        if let Some(body) = body {
            request = request.json(&body);
        }
        let answer: Value = request.send().await.expect("webdriver call").json().await.expect("webdriver JSON");
        if let Some(error) = answer["value"]["error"].as_str() {
            panic!("{method} {path}: {error}: {}", answer["value"]["message"]);
        }
        answer["value"].clone()
    }

    async fn post(&self, path: &str, body: Value) -> Value {
        self.call(reqwest::Method::POST, path, Some(body)).await
    }

    async fn get(&self, path: &str) -> Value {
        self.call(reqwest::Method::GET, path, None).await
    }

    pub async fn resize(&mut self, width: u32, height: u32) {
        self.post("/window/rect", json!({"width": width, "height": height})).await;
    }

    /// Opens `url`, and checks that the page fits a phone ([`Browser::check_fits_a_phone`]).
    pub async fn goto(&self, url: &str) {
        self.post("/url", json!({"url": url})).await;
        self.check_fits_a_phone().await;
    }

    /// Checks that the page, laid out 360 px wide, does not scroll sideways
    /// (`document.documentElement.scrollWidth <= window.innerWidth`): wide tables scroll
    /// inside their own box. The window is narrowed for the check and given its size back.
    pub async fn check_fits_a_phone(&self) {
        let rect = self.get("/window/rect").await;
        let (width, height) = (rect["width"].as_u64().unwrap_or(0), rect["height"].as_u64().unwrap_or(0));
        if width != PHONE_WIDTH {
            self.post("/window/rect", json!({"width": PHONE_WIDTH, "height": 780})).await;
        }
        let measured = self
            .run(
                r#"const inner = window.innerWidth;
                const wide = [...document.body.querySelectorAll('*')]
                    .filter(e => e.getBoundingClientRect().right > inner + 1)
                    .filter(e => {
                        for (let a = e.parentElement; a && a !== document.body; a = a.parentElement) {
                            if (getComputedStyle(a).overflowX !== 'visible') return false;
                        }
                        return true;
                    })
                    .slice(0, 5)
                    .map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : '') + ' ' + Math.round(e.getBoundingClientRect().right) + 'px')
                    .concat([...document.body.querySelectorAll('*')].filter(e => e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX === 'visible').slice(0, 5).map(e => 'content of ' + e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.className ? '.' + e.className : '') + ' ' + e.scrollWidth + 'px'));
                return [document.documentElement.scrollWidth, inner, wide];"#,
                json!([]),
            )
            .await;
        if width != PHONE_WIDTH {
            self.post("/window/rect", json!({"width": width, "height": height})).await;
        }
        let (scroll, inner) = (measured[0].as_u64().unwrap_or(u64::MAX), measured[1].as_u64().unwrap_or(0));
        assert_eq!(inner, PHONE_WIDTH, "the window narrows to a phone's");
        assert!(
            scroll <= inner,
            "{} scrolls sideways on a {PHONE_WIDTH}-px phone: {scroll} px wide; too wide: {}",
            self.url().await,
            measured[2]
        );
    }

    pub async fn url(&self) -> String {
        self.get("/url").await.as_str().unwrap_or_default().to_owned()
    }

    /// Runs `script` in the page (its `arguments` are `args`) and returns its value.
    pub async fn run(&self, script: &str, args: Value) -> Value {
        self.post("/execute/sync", json!({"script": script, "args": args})).await
    }

    /// Runs an asynchronous `script` that ends by calling its last argument.
    pub async fn run_async(&self, script: &str, args: Value) -> Value {
        self.post("/execute/async", json!({"script": script, "args": args})).await
    }

    /// The elements matching `css` now.
    pub async fn all(&self, css: &str) -> Vec<Element> {
        let found = self.post("/elements", json!({"using": "css selector", "value": css})).await;
        found
            .as_array()
            .map(|items| items.iter().filter_map(|e| e[ELEMENT].as_str()).map(|id| Element(id.to_owned())).collect())
            .unwrap_or_default()
    }

    /// The first element matching `css`, waiting for it to appear.
    pub async fn find(&self, css: &str) -> Element {
        let started = Instant::now();
        loop {
            if let Some(element) = self.all(css).await.into_iter().next() {
                return element;
            }
            assert!(started.elapsed() < PATIENCE, "no {css} on {}: {}", self.url().await, self.body_text().await);
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits until `done` holds for the page, failing with `what` and the page's text.
    async fn wait_until(&self, what: &str, done: impl AsyncFn(&Browser) -> bool) {
        let started = Instant::now();
        while !done(self).await {
            assert!(started.elapsed() < PATIENCE, "{what}; at {}: {}", self.url().await, self.body_text().await);
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits until the page's text contains `text`.
    pub async fn wait_for_text(&self, text: &str) {
        self.wait_until(&format!("{text:?} never showed"), async |b: &Browser| b.body_text().await.contains(text))
            .await;
    }

    /// Waits until the address contains `part`, and checks that the page reached fits a phone.
    pub async fn wait_for_url(&self, part: &str) {
        self.wait_until(&format!("never reached {part}"), async |b: &Browser| b.url().await.contains(part)).await;
        self.find("main h1").await;
        self.check_fits_a_phone().await;
    }

    pub async fn body_text(&self) -> String {
        self.run("return document.body ? document.body.innerText : '';", json!([]))
            .await
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    pub async fn click(&self, element: &Element) {
        self.post(&format!("/element/{}/click", element.0), json!({})).await;
    }

    /// Clears a field and types `text` into it, key by key as a person would.
    pub async fn type_into(&self, element: &Element, text: &str) {
        self.post(&format!("/element/{}/clear", element.0), json!({})).await;
        self.post(&format!("/element/{}/value", element.0), json!({"text": text})).await;
    }

    /// Chooses a local file in a file input.
    pub async fn attach(&self, element: &Element, path: &std::path::Path) {
        self.post(&format!("/element/{}/value", element.0), json!({"text": path.display().to_string()})).await;
    }

    pub async fn text(&self, element: &Element) -> String {
        self.get(&format!("/element/{}/text", element.0)).await.as_str().unwrap_or_default().to_owned()
    }

    pub async fn property(&self, element: &Element, name: &str) -> Value {
        self.get(&format!("/element/{}/property/{name}", element.0)).await
    }

    /// Signs in on the sign-in page of the server at `base`, then waits to be at `next`.
    pub async fn sign_in(&self, base: &str, email: &str, password: &str, next: &str) {
        let encoded = next.replace('/', "%2F").replace('?', "%3F").replace('=', "%3D");
        self.goto(&format!("{base}/sign-in?next={encoded}")).await;
        self.type_into(&self.find("#f-email").await, email).await;
        self.type_into(&self.find("#f-password").await, password).await;
        self.click(&self.find("form[action='/sign-in'] button").await).await;
        self.wait_for_url(next).await;
    }

    pub async fn sign_out(&self) {
        self.click(&self.find("form[action='/sign-out'] button").await).await;
        self.find("a[href^='/sign-in']").await;
    }

    /// Checks what every page must have for a screen reader and a keyboard: a language,
    /// landmarks, one heading 1, a label on every field and a name on every button and link.
    pub async fn check_accessible(&self) {
        let problems = self
            .run(
                r#"const problems = [];
                if (!document.documentElement.lang) problems.push('no lang on <html>');
                if (document.querySelectorAll('main').length !== 1) problems.push('not one <main>');
                if (document.querySelectorAll('h1').length !== 1) problems.push('not one <h1>');
                for (const field of document.querySelectorAll('input, select, textarea')) {
                    if (field.type === 'hidden') continue;
                    const named = field.labels.length > 0 || field.getAttribute('aria-label');
                    if (!named) problems.push('no label: ' + (field.name || field.id));
                }
                for (const control of document.querySelectorAll('a, button')) {
                    if (!control.textContent.trim() && !control.getAttribute('aria-label')) problems.push('unnamed ' + control.outerHTML);
                }
                return problems;"#,
                json!([]),
            )
            .await;
        assert_eq!(problems, json!([]), "on {}", self.url().await);
    }

    /// The page printed to PDF on A4, as Chromium prints it.
    pub async fn print_pdf(&self) -> Vec<u8> {
        let page = json!({"page": {"width": 21.0, "height": 29.7}, "background": false});
        let encoded = self.post("/print", page).await;
        base64::engine::general_purpose::STANDARD.decode(encoded.as_str().unwrap_or_default()).expect("PDF base64")
    }

    /// A PNG of the window.
    pub async fn screenshot(&self) -> Vec<u8> {
        let encoded = self.get("/screenshot").await;
        base64::engine::general_purpose::STANDARD.decode(encoded.as_str().unwrap_or_default()).expect("PNG base64")
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // Ending the session closes Chromium; chromedriver goes with the child.
        let session = self.session.clone();
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build();
            if let Ok(runtime) = runtime {
                runtime.block_on(async { reqwest::Client::new().delete(session).send().await.ok() });
            }
        })
        .join()
        .ok();
        self.driver.kill().ok();
        self.driver.wait().ok();
    }
}
