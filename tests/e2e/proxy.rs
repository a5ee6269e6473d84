//! Two replicas behind Debian's nginx, configured as docs/deployment.md says: `--trust-proxy`
//! takes the client's address from `X-Forwarded-For` (for the sign-in limits) and TLS from
//! `X-Forwarded-Proto` (for the Secure cookie), and event streams and large imports pass
//! through the proxy.

use std::net::IpAddr;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use ketnoi_domain::event::EventSlug;
use ketnoi_domain::validate::Email;
use ketnoi_store::testing::TestDatabase;
use ketnoi_store::{NewUser, Role};
use serde_json::{Value, json};

use crate::live::Stream;
use crate::mail::{Served, members_of};
use crate::support::{PASSWORD, sample};

/// nginx in the foreground as one process, killed when dropped.
struct Nginx {
    child: std::process::Child,
    http: u16,
    https: u16,
}

impl Drop for Nginx {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a free port").port()
}

impl Nginx {
    /// nginx in front of `upstreams`, over HTTP and over HTTPS with a certificate made for the
    /// test, with its files in `dir`; or why it cannot run here.
    fn start(dir: &Path, upstreams: &[&str]) -> Result<Nginx, String> {
        let nginx = ["/usr/sbin/nginx", "/usr/bin/nginx"].into_iter().find(|p| Path::new(p).exists());
        let Some(nginx) = nginx else { return Err("nginx is not installed (.ci/install-test-tools)".to_owned()) };
        let made = Command::new("openssl")
            .args(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost"])
            .arg("-keyout")
            .arg(dir.join("key.pem"))
            .arg("-out")
            .arg(dir.join("cert.pem"))
            .output()
            .map_err(|e| format!("openssl: {e}"))?;
        if !made.status.success() {
            return Err(format!("openssl: {}", String::from_utf8_lossy(&made.stderr)));
        }
        let (http, https) = (free_port(), free_port());
        let servers: String =
            upstreams.iter().map(|base| format!("server {};", base.trim_start_matches("http://"))).collect();
        // The proxy part is docs/deployment.md's; the rest keeps nginx's files in `dir`.
        let config = format!(
            r#"daemon off;
master_process off;
pid {dir}/nginx.pid;
error_log {dir}/error.log;
events {{ worker_connections 512; }}
http {{
    access_log off;
    client_body_temp_path {dir}/body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    upstream ketnoi {{ {servers} }}
    server {{
        listen 127.0.0.1:{http};
        listen 127.0.0.1:{https} ssl;
        ssl_certificate {dir}/cert.pem;
        ssl_certificate_key {dir}/key.pem;
        client_max_body_size 2m;
        location / {{
            proxy_pass http://ketnoi;
            proxy_http_version 1.1;
            proxy_set_header Host $host;
            proxy_set_header Connection "";
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_set_header X-Request-Id $request_id;
            proxy_buffering off;
            proxy_read_timeout 1h;
        }}
    }}
}}
"#,
            dir = dir.display()
        );
        let path = dir.join("nginx.conf");
        std::fs::write(&path, config).map_err(|e| e.to_string())?;
        let child = Command::new(nginx)
            .arg("-p")
            .arg(dir)
            .arg("-c")
            .arg(&path)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("nginx: {e}"))?;
        let nginx = Nginx { child, http, https };
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", http)).is_err() {
            if Instant::now() > deadline {
                let log = std::fs::read_to_string(dir.join("error.log")).unwrap_or_default();
                return Err(format!("nginx did not start: {log}"));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Ok(nginx)
    }

    fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.http)
    }
}

/// A client whose connections come from `address` (any 127.0.0.0/8 address is this machine).
fn client_from(address: &str) -> reqwest::Client {
    let address: IpAddr = address.parse().expect("address");
    reqwest::Client::builder().local_address(address).build().expect("client")
}

async fn login(client: &reqwest::Client, base: &str, email: &str, password: &str) -> reqwest::Response {
    let body = json!({"email": email, "password": password});
    client.post(format!("{base}/api/v1/auth/login")).json(&body).send().await.expect("login")
}

fn cookie_of(answer: &reqwest::Response) -> String {
    answer.headers()["set-cookie"].to_str().expect("cookie").split(';').next().expect("pair").to_owned()
}

#[tokio::test]
async fn behind_nginx_two_replicas_see_the_client_and_tls_and_pass_streams_and_large_imports() {
    let db = TestDatabase::new().await;
    let (store, members) = members_of(&db).await;
    let event = store.event(&EventSlug::parse("techfest-test").expect("slug")).await.expect("event");
    let organiser = NewUser {
        email: Email::parse("btc@techfest.vn").expect("email"),
        display_name: "Ban tổ chức".to_owned(),
        password: PASSWORD.to_owned(),
        role: Role::Organiser,
        organization_id: None,
        event_id: Some(event.id),
        email_consent: true,
    };
    store.upsert_user(&organiser).await.expect("organiser");
    let replicas = ["one", "two"].map(|name| Served::spawn(&db, &db.dir().join(name), &["--trust-proxy"]));
    let dir = tempfile::tempdir().expect("dir");
    let nginx = match Nginx::start(dir.path(), &[&replicas[0].base, &replicas[1].base]) {
        Ok(nginx) => nginx,
        Err(why) => panic!("{why}"),
    };
    let base = nginx.base();
    let client = reqwest::Client::new();

    // The Secure cookie over TLS (nginx terminates it, `X-Forwarded-Proto: https`), not over
    // plain HTTP. curl, for reqwest is built here without TLS.
    let body = json!({"email": "lan@cangso.vn", "password": PASSWORD}).to_string();
    let over_tls = Command::new("curl")
        .args(["-sk", "-o", "/dev/null", "-D", "-", "-H", "content-type: application/json", "--data", &body])
        .arg(format!("https://127.0.0.1:{}/api/v1/auth/login", nginx.https))
        .output()
        .expect("curl");
    let headers = String::from_utf8_lossy(&over_tls.stdout).to_lowercase();
    let cookie_line = headers.lines().find(|l| l.starts_with("set-cookie: ketnoi_session=")).unwrap_or_default();
    assert!(cookie_line.contains("; secure"), "{headers}");
    let signed_in = login(&client, &base, "lan@cangso.vn", PASSWORD).await;
    assert_eq!(signed_in.status(), 200);
    assert!(!signed_in.headers()["set-cookie"].to_str().expect("cookie").contains("Secure"));
    let lan = cookie_of(&signed_in);

    // Both replicas serve behind it, each with the request id nginx made.
    let mut ids = std::collections::HashSet::new();
    for _ in 0..10 {
        let me = client.get(format!("{base}/api/v1/me")).header("cookie", &lan).send().await.expect("me");
        assert_eq!(me.status(), 200);
        let id = me.headers()["x-request-id"].to_str().expect("id").to_owned();
        assert_eq!(id.len(), 32, "nginx's $request_id: {id}");
        ids.insert(id);
    }
    assert_eq!(ids.len(), 10);
    for replica in &replicas {
        let metrics = reqwest::get(format!("{}/metrics", replica.base)).await.expect("metrics");
        let text = metrics.text().await.expect("text");
        let served = sample(&text, r#"ketnoi_http_requests_total{method="GET",route="/api/v1/me",status="200"}"#);
        assert!(served.is_some_and(|n| n >= 1.0), "{} served none: {text}", replica.base);
    }

    // The sign-in limit counts the client's address, not nginx's: fifty failures from
    // 127.0.0.2 (claiming another address in a forged header, which nginx's own entry follows)
    // hold 127.0.0.2 back, not 127.0.0.3.
    let (held, other) = (client_from("127.0.0.2"), client_from("127.0.0.3"));
    for attempt in 0..50 {
        let email = format!("nobody{attempt}@example.test");
        let body = json!({"email": email, "password": "not the password"});
        let answer = held
            .post(format!("{base}/api/v1/auth/login"))
            .header("x-forwarded-for", "203.0.113.7")
            .json(&body)
            .send()
            .await
            .expect("login");
        assert_eq!(answer.status(), 401, "attempt {}", attempt + 1);
    }
    assert_eq!(login(&held, &base, "nobody@example.test", "not the password").await.status(), 429);
    assert_eq!(login(&other, &base, "nobody@example.test", "not the password").await.status(), 401);

    // An event stream through the proxy: a request sent through it reaches Han River's open
    // stream, whichever replica each went to.
    let han_river = login(&client, &base, "minh@hanriver.kr", PASSWORD).await;
    assert_eq!(han_river.status(), 200);
    let mut stream = Stream::open_at(&base, &cookie_of(&han_river), None).await;
    let han_river_id = members[3].1;
    let sent = client
        .post(format!("{base}/api/v1/events/techfest-test/requests"))
        .header("cookie", &lan)
        .json(&json!({"to": han_river_id}))
        .send()
        .await
        .expect("request");
    assert_eq!(sent.status(), 201);
    let sent: Value = sent.json().await.expect("json");
    let arrived = stream.next_of("request-sent", Duration::from_secs(5)).await;
    assert_eq!(arrived.data["change"]["request"], sent["id"], "{arrived:?}");

    // A large import through the proxy: near ketnoi's own 1 MiB limit, over nginx's default.
    let csv = ketnoi_domain::demo::generate(5, 3_000, 0).startups;
    let cut = csv.char_indices().filter(|(_, c)| *c == '\n').map(|(i, _)| i + 1).take_while(|&i| i < 1_000_000).last();
    let startups = &csv[..cut.expect("rows")];
    assert!(startups.len() > 900_000, "{}", startups.len());
    let organiser = cookie_of(&login(&client, &base, "btc@techfest.vn", PASSWORD).await);
    let imported = client
        .post(format!("{base}/api/v1/events/techfest-test/import"))
        .header("cookie", &organiser)
        .json(&json!({"startups": startups, "dry_run": true}))
        .send()
        .await
        .expect("import");
    let status = imported.status();
    let result: Value = imported.json().await.expect("json");
    assert_eq!(status, 200, "{result}");
    assert!(result["created"].as_u64().is_some_and(|n| n > 1_000), "{result}");
}
