//! A running service on a fresh database, and helpers to run the `ketnoi` binary.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use std::sync::Arc;

use ketnoi_app::notify::{self, MailLoops, MailSettings};
use ketnoi_app::{App, Indexer};
use ketnoi_domain::validate::Email;
use ketnoi_server::auth::AuthConfig;
use ketnoi_server::observe::Operations;
use ketnoi_store::testing::TestDatabase;
use ketnoi_store::{NewUser, OrganizationQuery, Role, Store};
use reqwest::Method;
use serde_json::Value;
use tokio::sync::oneshot;

/// How long a test waits for the search index to take in what was committed: on PostgreSQL a
/// transaction of another test (of the same cluster) may hold the event log back meanwhile.
pub const SETTLE: std::time::Duration = std::time::Duration::from_secs(20);

/// Mail loops for tests: a tenth of a second between rounds, a second before a retry.
pub fn quick_loops() -> MailLoops {
    MailLoops {
        every: std::time::Duration::from_millis(100),
        clock: std::time::Duration::from_secs(1),
        concurrency: 4,
        retry: std::time::Duration::from_secs(1),
        rate: 1000,
    }
}

/// The password of every account the tests create.
pub const PASSWORD: &str = "correct horse battery staple";

/// Who a request is from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Who {
    Anonymous,
    /// A browser: the session cookie, and the same-origin headers a browser sends.
    Browser(String),
    /// A script: an API token.
    Script(String),
}

/// A response: status, headers and the body as JSON (`Null` when empty).
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

impl Answer {
    pub fn header(&self, name: &str) -> &str {
        self.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default()
    }

    /// The session secret a `Set-Cookie` header of this answer sets.
    pub fn session(&self) -> Option<String> {
        self.headers
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(|v| v.strip_prefix("ketnoi_session="))
            .map(|v| v.split(';').next().unwrap_or_default().to_owned())
            .filter(|v| !v.is_empty())
    }
}

/// The value of the first `token=` in a message's text.
pub fn token_in(text: &str) -> String {
    let start = text.find("token=").unwrap_or_else(|| panic!("no token in {text}")) + "token=".len();
    text[start..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-').collect()
}

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/e2e/fixtures").join(name)
}

/// Starts a `ketnoi` server (`command` has its arguments and settings) with its standard output
/// piped; returns the process and the address it printed, without a trailing slash.
pub fn start_server(command: &mut Command) -> (std::process::Child, String) {
    use std::io::BufRead;
    let mut child = command.stdout(std::process::Stdio::piped()).spawn().expect("start ketnoi");
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut line).expect("read");
    let base = line.trim().strip_prefix("ketnoi is listening on ").expect("url line").trim_end_matches('/').to_owned();
    (child, base)
}

/// Runs `ketnoi ARGS` on the embedded SQLite database of `data_dir`, whatever database the
/// suite runs on, with a password for the commands that read one.
pub fn ketnoi_embedded(data_dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ketnoi"))
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .env("KETNOI_LOG", "warn")
        .env("KETNOI_PASSWORD", PASSWORD)
        .env_remove("KETNOI_DATABASE_URL")
        .output()
        .expect("run ketnoi")
}

/// Imports the fixture event into the embedded database of `data_dir`.
pub fn import_fixtures_into(data_dir: &Path) {
    let (startups, investors) = (fixture("startups.csv"), fixture("investors.csv"));
    let (startups, investors) = (startups.to_str().expect("path"), investors.to_str().expect("path"));
    let args = ["import", "--event", "techfest-test", "--startups", startups, "--investors", investors];
    let imported = ketnoi_embedded(data_dir, &args);
    assert!(imported.status.success(), "import failed: {}", stderr(&imported));
}

/// Runs `ketnoi ARGS` on the test database.
pub fn ketnoi(db: &TestDatabase, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ketnoi"))
        .args(args)
        .arg("--data-dir")
        .arg(db.dir())
        .arg("--database-url")
        .arg(db.url())
        .env("KETNOI_LOG", "warn")
        .output()
        .expect("run the ketnoi binary")
}

/// The names of a listing's items, in order.
/// The value of the sample `name{labels}` in OpenMetrics text, if present.
pub fn sample(text: &str, series: &str) -> Option<f64> {
    text.lines().find_map(|line| line.strip_prefix(series)?.strip_prefix(' ')?.trim().parse().ok())
}

pub fn names(listing: &serde_json::Value) -> Vec<&str> {
    listing["items"].as_array().expect("items").iter().map(|item| item["name"].as_str().expect("name")).collect()
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Imports the fixture event `techfest-test` with the `ketnoi import` command.
pub fn import_fixtures(db: &TestDatabase) {
    let output = ketnoi(
        db,
        &[
            "import",
            "--event",
            "techfest-test",
            "--startups",
            fixture("startups.csv").to_str().expect("utf-8 path"),
            "--investors",
            fixture("investors.csv").to_str().expect("utf-8 path"),
        ],
    );
    assert!(output.status.success(), "import failed: {}", stderr(&output));
}

/// The service, serving on a port of its own until dropped.
pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub indexer: Arc<Indexer>,
    pub store: Store,
    /// The use cases the server runs.
    pub app: Arc<App>,
    _mail: Option<notify::MailTasks>,
    shutdown: Option<oneshot::Sender<()>>,
    // Dropped last: the database outlives the server.
    db: TestDatabase,
}

impl TestApp {
    /// A server over the fixture event.
    pub async fn with_fixtures() -> TestApp {
        let db = TestDatabase::new().await;
        import_fixtures(&db);
        TestApp::serve(db).await
    }

    pub async fn serve(db: TestDatabase) -> TestApp {
        TestApp::serve_with(db, AuthConfig::default()).await
    }

    /// The fixture event, served with these sign-in settings.
    pub async fn with_auth(auth: AuthConfig) -> TestApp {
        let db = TestDatabase::new().await;
        import_fixtures(&db);
        TestApp::serve_with(db, auth).await
    }

    pub async fn serve_with(db: TestDatabase, auth: AuthConfig) -> TestApp {
        TestApp::start(db, auth, Operations::default(), None).await
    }

    /// The fixture event, served with these sign-in settings and this reporting.
    pub async fn with_operations(auth: AuthConfig, operations: Operations) -> TestApp {
        let db = TestDatabase::new().await;
        import_fixtures(&db);
        TestApp::start(db, auth, operations, None).await
    }

    /// The fixture event, its messages sent over SMTP to 127.0.0.1:`smtp_port` by the mail
    /// loops (quick ones: a tenth of a second between rounds, a second before a retry).
    pub async fn with_mail(smtp_port: u16) -> TestApp {
        let db = TestDatabase::new().await;
        import_fixtures(&db);
        TestApp::start(db, AuthConfig::default(), Operations::default(), Some(smtp_port)).await
    }

    async fn start(db: TestDatabase, auth: AuthConfig, operations: Operations, smtp_port: Option<u16>) -> TestApp {
        let store = Store::connect(db.url()).await.expect("connect");
        store.migrate().await.expect("migrate");
        let indexer = Indexer::open(store.clone(), &db.dir().join("index"), &|_| {}).await.expect("index");
        let indexer = Arc::new(indexer);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("local address"));
        let mail = MailSettings { public_url: base.clone() };
        let app = Arc::new(App::with_index(store.clone(), Arc::clone(&indexer), auth.settings).with_mail(mail));
        let mail = smtp_port.map(|port| {
            let url = ketnoi_mail::SmtpUrl::parse(&format!("smtp://127.0.0.1:{port}")).expect("smtp url");
            let from = ketnoi_mail::parse_from("Techfest <ketnoi@techfest.test>").expect("from");
            let sender = ketnoi_mail::Sender::smtp(url, from, 4).expect("sender");
            notify::spawn(Arc::clone(&app), sender, quick_loops())
        });
        let server = ketnoi_server::Server::on(
            listener,
            ketnoi_server::AppState::with_operations(Arc::clone(&app), auth, operations),
        );
        let (shutdown, stopped) = oneshot::channel::<()>();
        tokio::spawn(server.run(async move {
            stopped.await.ok();
        }));
        TestApp { base, client: reqwest::Client::new(), indexer, store, app, _mail: mail, shutdown: Some(shutdown), db }
    }

    pub fn database(&self) -> &TestDatabase {
        &self.db
    }

    pub fn dir(&self) -> &Path {
        self.db.dir()
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(format!("{}{path}", self.base)).send().await.expect("request")
    }

    /// GETs `path`, checks the status and returns the JSON body.
    pub async fn json(&self, path: &str, status: u16) -> serde_json::Value {
        let response = self.get(path).await;
        let actual = response.status().as_u16();
        let content_type =
            response.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
        let body = response.text().await.expect("body");
        assert_eq!(actual, status, "GET {path}: {body}");
        if status >= 400 {
            assert_eq!(content_type, "application/problem+json", "GET {path}");
        }
        serde_json::from_str(&body).unwrap_or_else(|e| panic!("GET {path}: not JSON ({e}): {body}"))
    }
}

impl TestApp {
    /// A request as `who`, with a JSON body when given.
    pub async fn send(&self, method: &str, path: &str, who: &Who, body: Option<&Value>) -> Answer {
        let method = Method::from_bytes(method.as_bytes()).expect("method");
        let mut request = self.client.request(method.clone(), format!("{}{path}", self.base));
        match who {
            Who::Anonymous => {}
            Who::Browser(secret) => {
                request = request.header("cookie", format!("ketnoi_session={secret}"));
                if method != Method::GET {
                    request = request.header("origin", &self.base).header("sec-fetch-site", "same-origin");
                }
            }
            Who::Script(token) => request = request.bearer_auth(token),
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request.send().await.expect("request");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let text = response.text().await.expect("body");
        let json = headers.get("content-type").is_some_and(|v| v.to_str().unwrap_or_default().contains("json"));
        let body = if text.is_empty() {
            Value::Null
        } else if json {
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: not JSON ({e}): {text}"))
        } else {
            Value::String(text)
        };
        if status >= 400 {
            assert_eq!(headers.get("content-type").expect("content type"), "application/problem+json", "{path}");
        }
        Answer { status, headers, body }
    }

    /// Signs in by e-mail and password; the answer holds the cookie.
    pub async fn login(&self, email: &str, password: &str) -> Answer {
        let body = serde_json::json!({ "email": email, "password": password });
        self.send("POST", "/api/v1/auth/login", &Who::Anonymous, Some(&body)).await
    }

    /// Creates an account (an organiser of `event`, or a member of `organization`) with
    /// [`PASSWORD`] and signs it in as a browser.
    pub async fn account(&self, email: &str, organization: Option<i64>, event: Option<i64>) -> Who {
        let role = if event.is_some() { Role::Organiser } else { Role::Member };
        let user = NewUser {
            email: Email::parse(email).expect("email"),
            display_name: email.to_owned(),
            password: PASSWORD.to_owned(),
            role,
            organization_id: organization,
            event_id: event,
            email_consent: true,
        };
        self.store.upsert_user(&user).await.expect("create user");
        let answer = self.login(email, PASSWORD).await;
        assert_eq!(answer.status, 200, "{:?}", answer.body);
        Who::Browser(answer.session().expect("session cookie"))
    }

    /// The id of the account of `email`.
    pub async fn user_id(&self, email: &str) -> i64 {
        self.store.user_by_email(&Email::parse(email).expect("email")).await.expect("user").expect("account").id
    }

    /// Runs the mail planner until it has queued `count` messages in all, and returns how many
    /// it queued. On PostgreSQL the planner reads the event log up to the oldest transaction
    /// still open on the whole server, which another test's may be for a moment.
    pub async fn plan_mail_until(&self, count: u64) -> u64 {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        let mut planned = 0;
        loop {
            planned += self.app.plan_mail().await.expect("plan");
            if planned >= count || std::time::Instant::now() > deadline {
                return planned;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    }

    /// The kinds of the messages queued for the account of `email`, newest first.
    pub async fn mail_kinds(&self, email: &str) -> Vec<String> {
        let user =
            self.store.user_by_email(&Email::parse(email).expect("email")).await.expect("user").expect("account");
        self.store.user_mail(user.id).await.expect("mail").into_iter().map(|mail| mail.kind).collect()
    }

    /// The token in the link of the newest message of `kind` queued for the account of `email`.
    pub async fn mailed_token(&self, email: &str, kind: &str) -> String {
        let user =
            self.store.user_by_email(&Email::parse(email).expect("email")).await.expect("user").expect("account");
        let mail = self.store.user_mail(user.id).await.expect("mail");
        let mail = mail.iter().find(|mail| mail.kind == kind).unwrap_or_else(|| panic!("no {kind} message to {email}"));
        token_in(&mail.text_body)
    }

    /// An API token for a signed-in browser.
    pub async fn token(&self, who: &Who) -> Who {
        let answer = self.send("POST", "/api/v1/me/tokens", who, Some(&serde_json::json!({"name": "test"}))).await;
        assert_eq!(answer.status, 201, "{:?}", answer.body);
        Who::Script(answer.body["secret"].as_str().expect("secret").to_owned())
    }

    /// The id of the organization with this exact name.
    pub async fn id_of(&self, name: &str) -> i64 {
        let query = OrganizationQuery { name: Some(name.to_owned()), limit: 10, ..Default::default() };
        let page = self.store.organizations(&query).await.expect("organizations");
        page.items.iter().find(|o| o.profile.name == name).unwrap_or_else(|| panic!("no {name}")).id
    }

    /// The id of the fixture event.
    pub async fn event_id(&self, slug: &str) -> i64 {
        let slug = ketnoi_domain::event::EventSlug::parse(slug).expect("slug");
        self.store.event(&slug).await.expect("event").id
    }

    /// Runs SQL on the test database, for moving clocks: `?` is not used, values are inlined.
    pub async fn execute(&self, sql: &str) {
        use sea_orm::ConnectionTrait;
        let db = self.store.connection();
        db.execute_unprepared(sql).await.expect("sql");
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            shutdown.send(()).ok();
        }
    }
}
