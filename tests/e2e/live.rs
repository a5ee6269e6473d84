//! Live updates over server-sent events (`GET /api/v1/me/stream`), read as a browser's
//! EventSource reads them, over a real socket: what concerns a member reaches its open stream
//! within a second, a reconnect with `Last-Event-ID` replays what it missed, and nothing reaches
//! a stream it does not concern.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::support::{TestApp, Who};

const BASE: &str = "/api/v1/events/techfest-test";
/// How long a test waits for an event. Delivery takes a fraction of a second (the tailer reads
/// the log every 150 ms); on PostgreSQL another test's open transaction can hold the log's
/// horizon back for a moment. Tests do not time it: the benchmark does.
const SOON: Duration = Duration::from_secs(5);

/// One server-sent event.
#[derive(Debug, Clone)]
pub(crate) struct Sent {
    pub(crate) id: String,
    pub(crate) event: String,
    pub(crate) data: Value,
}

/// An open stream, read event by event.
pub(crate) struct Stream {
    response: reqwest::Response,
    buffer: String,
}

impl Stream {
    async fn open(app: &TestApp, who: &Who, last_event_id: Option<&str>) -> Stream {
        let Who::Browser(secret) = who else { panic!("a browser session") };
        Stream::open_at(&app.base, &format!("ketnoi_session={secret}"), last_event_id).await
    }

    /// A stream of the server at `base`, for the session in `cookie`.
    pub(crate) async fn open_at(base: &str, cookie: &str, last_event_id: Option<&str>) -> Stream {
        let mut request = reqwest::Client::new()
            .get(format!("{base}/api/v1/me/stream"))
            .header("cookie", cookie)
            .header("accept", "text/event-stream")
            .header("accept-encoding", "gzip");
        if let Some(id) = last_event_id {
            request = request.header("last-event-id", id);
        }
        let response = request.send().await.expect("stream");
        assert_eq!(response.status().as_u16(), 200);
        assert_eq!(response.headers()["content-type"], "text/event-stream");
        assert!(response.headers().get("content-encoding").is_none(), "events are not held back to compress");
        Stream { response, buffer: String::new() }
    }

    /// The next event (comments skipped), or none within `patience`.
    async fn next(&mut self, patience: Duration) -> Option<Sent> {
        let deadline = Instant::now() + patience;
        loop {
            while let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                let (mut id, mut event, mut data) = (String::new(), String::new(), String::new());
                for line in block.lines() {
                    if let Some(value) = line.strip_prefix("id:") {
                        id = value.trim().to_owned();
                    } else if let Some(value) = line.strip_prefix("event:") {
                        event = value.trim().to_owned();
                    } else if let Some(value) = line.strip_prefix("data:") {
                        data.push_str(value.trim());
                    }
                }
                if !event.is_empty() {
                    return Some(Sent { id, event, data: serde_json::from_str(&data).expect("JSON data") });
                }
            }
            let left = deadline.checked_duration_since(Instant::now())?;
            match tokio::time::timeout(left, self.response.chunk()).await {
                Ok(Ok(Some(bytes))) => self.buffer.push_str(&String::from_utf8_lossy(&bytes)),
                Ok(_) => return None,
                Err(_) => return None,
            }
        }
    }

    /// The next event of type `event`, skipping others, within `patience`.
    pub(crate) async fn next_of(&mut self, event: &str, patience: Duration) -> Sent {
        let deadline = Instant::now() + patience;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let sent = self.next(left).await.unwrap_or_else(|| panic!("no {event} within {patience:?}"));
            if sent.event == event {
                return sent;
            }
        }
    }
}

async fn request(app: &TestApp, from: &Who, to: &str) -> Value {
    let body = json!({"to": app.id_of(to).await, "message": "Xin được gặp."});
    let answer = app.send("POST", &format!("{BASE}/requests"), from, Some(&body)).await;
    assert_eq!(answer.status, 201, "{}", answer.body);
    answer.body
}

#[tokio::test]
async fn what_concerns_me_reaches_my_stream_and_a_reconnect_replays_what_i_missed() {
    let app = TestApp::with_fixtures().await;
    let han_river = app.account("minh@hanriver.kr", Some(app.id_of("Han River Ventures").await), None).await;
    let cang_so = app.account("lan@cangso.vn", Some(app.id_of("Cảng Số").await), None).await;
    let nong_san = app.account("ha@nongsanxanh.vn", Some(app.id_of("Nông Sản Xanh").await), None).await;
    let song_hong = app.account("thu@songhong.vn", Some(app.id_of("Sông Hồng Angels").await), None).await;

    let mut investor = Stream::open(&app, &han_river, None).await;
    let ready = investor.next(SOON).await.expect("ready");
    assert_eq!(ready.event, "ready");
    let mut bystander = Stream::open(&app, &song_hong, None).await;
    assert_eq!(bystander.next(SOON).await.expect("ready").event, "ready");

    // A request to me reaches my open stream within a second.
    let first = request(&app, &cang_so, "Han River Ventures").await;
    let arrived = investor.next_of("request-sent", SOON).await;
    assert_eq!(arrived.data["change"]["request"], first["id"]);
    assert_eq!(arrived.data["change"]["to"], json!(app.id_of("Han River Ventures").await));
    assert!(arrived.data["event_id"].is_number());
    // Not to someone it does not concern.
    assert!(bystander.next(Duration::from_millis(700)).await.is_none(), "Sông Hồng Angels hears nothing of it");

    // Away: a second request comes, and the first is withdrawn.
    drop(investor);
    let second = request(&app, &nong_san, "Han River Ventures").await;
    let path = format!("{BASE}/requests/{}/cancel", first["id"]);
    let cancelled = app.send("POST", &path, &cang_so, Some(&json!({}))).await;
    assert_eq!(cancelled.status, 200, "{}", cancelled.body);
    // Back with the last id seen: what was missed first, in order, then what comes next.
    let mut investor = Stream::open(&app, &han_river, Some(&arrived.id)).await;
    let mut replayed = Vec::new();
    for _ in 0..3 {
        let sent = investor.next(SOON).await.expect("an event");
        if sent.event != "ready" {
            replayed.push(sent);
        }
    }
    let kinds: Vec<&str> = replayed.iter().map(|s| s.event.as_str()).collect();
    assert_eq!(kinds, ["request-sent", "request-cancelled"], "{replayed:?}");
    assert_eq!(replayed[0].data["change"]["request"], second["id"]);
    let position = |id: &str| -> (i64, i64) {
        let (tx, row) = id.split_once('.').expect("tx.id");
        (tx.parse().expect("tx"), row.parse().expect("id"))
    };
    assert!(replayed.windows(2).all(|w| position(&w[0].id) < position(&w[1].id)), "in log order");
    assert!(position(&arrived.id) < position(&replayed[0].id));
    let path = format!("{BASE}/requests/{}/accept", second["id"]);
    assert_eq!(app.send("POST", &path, &han_river, Some(&json!({}))).await.status, 200);
    let accepted = investor.next_of("request-accepted", SOON).await;
    assert_eq!(accepted.data["change"]["request"], second["id"]);
    // The startup hears of the answer too; an organiser hears of everything at its event.
    let mut startup = Stream::open(&app, &nong_san, Some(&ready.id)).await;
    startup.next_of("request-accepted", SOON).await;
    let organiser = app.account("organiser@techfest-test.vn", None, Some(app.event_id("techfest-test").await)).await;
    let mut desk = Stream::open(&app, &organiser, Some(&ready.id)).await;
    desk.next_of("request-cancelled", SOON).await;
}

#[tokio::test]
async fn a_stream_needs_a_session() {
    let app = TestApp::with_fixtures().await;
    let response = app.client.get(format!("{}/api/v1/me/stream", app.base)).send().await.expect("stream");
    assert_eq!(response.status().as_u16(), 401);
    assert_eq!(response.headers()["content-type"], "application/problem+json");
}

/// Two `ketnoi serve` processes on one database: a change made through one reaches a stream
/// open on the other (each tails the shared event log).
#[tokio::test]
async fn a_stream_on_one_replica_hears_of_a_change_made_on_another() {
    let db = ketnoi_store::testing::TestDatabase::new().await;
    let (_store, members) = crate::mail::members_of(&db).await;
    let no_mail = std::net::TcpListener::bind("127.0.0.1:0").expect("port").local_addr().expect("port").port();
    let one = crate::mail::Served::start(&db, &db.dir().join("one"), no_mail);
    let two = crate::mail::Served::start(&db, &db.dir().join("two"), no_mail);
    let han_river = members.iter().find(|(email, _)| email == "minh@hanriver.kr").expect("Han River").1;
    let listening = one.sign_in("minh@hanriver.kr").await;
    let mut stream = Stream::open_at(&one.base, &listening, None).await;
    assert_eq!(stream.next(SOON).await.expect("ready").event, "ready");
    let asking = two.sign_in("lan@cangso.vn").await;
    two.request(&asking, han_river).await;
    let arrived = stream.next_of("request-sent", SOON).await;
    assert_eq!(arrived.data["change"]["to"], json!(han_river));
}
