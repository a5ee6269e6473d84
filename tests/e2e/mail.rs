//! Messages that reach people, through a real SMTP server over TCP (`smtp.rs`): requests in
//! each member's language with working links, one-click unsubscribe, a server that is down or
//! refuses, password reset, the published schedule and its changes, digests and reminders, a
//! crash between sending and recording, `kill -9`, two replicas, and the calendar feed across a
//! daylight-saving change.

use std::io::BufReader;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use ketnoi_domain::validate::Email;
use ketnoi_store::testing::TestDatabase;
use ketnoi_store::{NewUser, Role, Store};
use serde_json::{Value, json};

use crate::smtp::{SmtpSink, free_port};
use crate::support::{PASSWORD, TestApp, Who, import_fixtures, sample, start_server, token_in};

/// How long a message may take to arrive: "within seconds".
const ARRIVES: Duration = Duration::from_secs(15);
const BASE: &str = "/api/v1/events/techfest-test";

/// A member of `organization` with the language of their messages.
async fn member(app: &TestApp, organization: &str, email: &str, language: &str) -> Who {
    let who = app.account(email, Some(app.id_of(organization).await), None).await;
    let body = json!({"language": language, "email_consent": true, "kinds": []});
    let answer = app.send("PUT", "/api/v1/me/mail-preferences", &who, Some(&body)).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    who
}

async fn request(app: &TestApp, from: &Who, to: &str) -> Value {
    let to = app.id_of(to).await;
    let body = json!({"to": to, "message": "Xin được gặp quý quỹ."});
    let answer = app.send("POST", &format!("{BASE}/requests"), from, Some(&body)).await;
    assert_eq!(answer.status, 201, "{}", answer.body);
    answer.body
}

/// Waits a little longer and checks nothing more came: each message arrives once.
async fn nothing_more(sink: &SmtpSink, count: usize) {
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let received = sink.received();
    assert_eq!(received.len(), count, "{:#?}", received.iter().map(|m| (&m.to, m.subject())).collect::<Vec<_>>());
    let mut ids: Vec<&str> = received.iter().map(|m| m.header("message-id")).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), count, "a Message-ID came twice");
}

#[tokio::test]
async fn a_request_reaches_every_member_in_their_language_with_links_that_work() {
    let sink = SmtpSink::start();
    let app = TestApp::with_mail(sink.port).await;
    let cang_so = member(&app, "Cảng Số", "lan@cangso.vn", "vi").await;
    let minh = member(&app, "Han River Ventures", "minh@hanriver.kr", "vi").await;
    member(&app, "Han River Ventures", "jisoo@hanriver.kr", "en").await;
    // A member who never agreed to e-mail gets none (silence is not consent).
    let silent = app.account("silent@hanriver.kr", Some(app.id_of("Han River Ventures").await), None).await;
    let body = json!({"language": "vi", "email_consent": false, "kinds": []});
    assert_eq!(app.send("PUT", "/api/v1/me/mail-preferences", &silent, Some(&body)).await.status, 200);

    let sent = request(&app, &cang_so, "Han River Ventures").await;
    let received = sink.wait_for(2, ARRIVES).await;
    let vi = &sink.to("minh@hanriver.kr")[0];
    let en = &sink.to("jisoo@hanriver.kr")[0];
    assert_eq!(vi.subject(), "Cảng Số đề nghị gặp bạn tại techfest-test");
    assert_eq!(en.subject(), "Cảng Số asks to meet you at techfest-test");
    assert!(vi.text.contains("Lời nhắn: Xin được gặp quý quỹ."), "{}", vi.text);
    assert!(en.text.starts_with("Hello jisoo@hanriver.kr,"), "{}", en.text);
    for message in &received {
        assert_eq!(message.header("from"), "Techfest <ketnoi@techfest.test>");
        assert!(message.header("message-id").starts_with("<ketnoi."), "{:?}", message.headers);
        let unsubscribe = message.header("list-unsubscribe");
        assert!(unsubscribe.starts_with(&format!("<{}/unsubscribe/", app.base)), "{unsubscribe}");
        assert_eq!(message.header("list-unsubscribe-post"), "List-Unsubscribe=One-Click");
        assert!(message.html.contains("<a href=") && !message.html.contains("<img"), "{}", message.html);
    }
    // The link opens the requests the member answers.
    let link = vi.link(&format!("{}/e/techfest-test/requests", app.base));
    let Who::Browser(cookie) = &minh else { unreachable!() };
    let page = app.client.get(&link).header("cookie", format!("ketnoi_session={cookie}")).send().await.expect("open");
    assert_eq!(page.status(), 200);
    assert!(page.text().await.expect("page").contains("Cảng Số"));

    // The answer, with its note, reaches the requester.
    let path = format!("{BASE}/requests/{}/accept", sent["id"]);
    let answer = app.send("POST", &path, &minh, Some(&json!({"note": "Hẹn gặp ở bàn số 3"}))).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    sink.wait_for(3, ARRIVES).await;
    let accepted = &sink.to("lan@cangso.vn")[0];
    assert_eq!(accepted.subject(), "Han River Ventures đã chấp nhận gặp bạn tại techfest-test");
    assert!(accepted.text.contains("Ghi chú: Hẹn gặp ở bàn số 3"), "{}", accepted.text);
    nothing_more(&sink, 3).await;

    // The organiser sees them sent, and the figures count them.
    let organiser = app.account("organiser@techfest-test.vn", None, Some(app.event_id("techfest-test").await)).await;
    let mail = app.send("GET", &format!("{BASE}/mail"), &organiser, None).await;
    assert_eq!(mail.body["counts"], json!({"queued": 0, "sent": 3, "failed": 0}), "{}", mail.body);
    assert!(
        mail.body["items"].as_array().expect("items").iter().all(|m| m["status"] == "sent" && m["sent_at"].is_string())
    );
    assert_eq!(app.json(&format!("{BASE}/figures"), 200).await["mail"]["sent"], 3);
    // Only organisers.
    assert_eq!(app.send("GET", &format!("{BASE}/mail"), &minh, None).await.status, 404);
    let page = app.send("GET", "/e/techfest-test/organise/mail?status=sent", &organiser, None).await;
    assert!(page.body.as_str().expect("page").contains("minh@hanriver.kr"));
}

#[tokio::test]
async fn an_invitation_and_a_withdrawn_request_are_mailed() {
    let sink = SmtpSink::start();
    let app = TestApp::with_mail(sink.port).await;
    let cang_so = member(&app, "Cảng Số", "lan@cangso.vn", "en").await;
    member(&app, "Han River Ventures", "minh@hanriver.kr", "vi").await;
    // A colleague is mailed a link that fills the invitation's code in.
    let organization = app.id_of("Cảng Số").await;
    let path = format!("/api/v1/organizations/{organization}/invitations");
    let invited = app.send("POST", &path, &cang_so, Some(&json!({"email": "tuan@cangso.vn"}))).await;
    assert_eq!(invited.status, 201, "{}", invited.body);
    let code = invited.body["code"].as_str().expect("code");
    sink.wait_for(1, ARRIVES).await;
    let invitation = &sink.to("tuan@cangso.vn")[0];
    assert_eq!(invitation.subject(), "lan@cangso.vn invites you to join Cảng Số on ketnoi");
    assert_eq!(invitation.link(&format!("{}/join?code=", app.base)), format!("{}/join?code={code}", app.base));
    assert_eq!(invitation.header("list-unsubscribe"), "");
    // A request sent, then withdrawn: the recipient hears of both.
    let sent = request(&app, &cang_so, "Han River Ventures").await;
    let answer = app.send("POST", &format!("{BASE}/requests/{}/cancel", sent["id"]), &cang_so, None).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    sink.wait_for(3, ARRIVES).await;
    let subjects: Vec<String> = sink.to("minh@hanriver.kr").iter().map(|m| m.subject().to_owned()).collect();
    assert_eq!(subjects, ["Cảng Số đề nghị gặp bạn tại techfest-test", "Cảng Số đã rút đề nghị gặp tại techfest-test"]);
    nothing_more(&sink, 3).await;
}

#[tokio::test]
async fn unsubscribe_works_without_a_session_for_its_own_user_and_kind_only() {
    let sink = SmtpSink::start();
    let app = TestApp::with_mail(sink.port).await;
    let cang_so = member(&app, "Cảng Số", "lan@cangso.vn", "vi").await;
    let portlink = member(&app, "PortLink", "wei@portlink.sg", "en").await;
    let minh = member(&app, "Han River Ventures", "minh@hanriver.kr", "vi").await;
    member(&app, "Han River Ventures", "jisoo@hanriver.kr", "en").await;
    request(&app, &cang_so, "Han River Ventures").await;
    sink.wait_for(2, ARRIVES).await;
    let link = sink.to("minh@hanriver.kr")[0].header("list-unsubscribe").trim_matches(['<', '>']).to_owned();
    let path = link.strip_prefix(&app.base).expect("a link to ketnoi").to_owned();
    let parts: Vec<&str> = path.split('/').collect();
    let (user, kind, mac) = (parts[2], parts[3], parts[4]);
    assert_eq!(kind, "request-received");

    // Opening the link changes nothing (mail scanners open links); it shows a button.
    let page = app.client.get(&link).send().await.expect("open");
    assert_eq!(page.status(), 200);
    assert!(page.text().await.expect("page").contains("Ngừng nhận"));
    // Another user's id, another kind, or a forged signature: not found, nothing changed.
    let other_user = (user.parse::<i64>().expect("user") + 1).to_string();
    for forged in [
        format!("/unsubscribe/{other_user}/{kind}/{mac}"),
        format!("/unsubscribe/{user}/reminder/{mac}"),
        format!("/unsubscribe/{user}/{kind}/{}", "0".repeat(mac.len())),
        format!("/unsubscribe/{user}/password-reset/{mac}"),
    ] {
        let answer = app.client.post(format!("{}{forged}", app.base)).send().await.expect("post");
        assert_eq!(answer.status(), 404, "{forged}");
    }
    // The one-click POST a mail client sends (RFC 8058), without a session or same-site headers.
    let answer = app
        .client
        .post(&link)
        .header("content-type", "application/x-www-form-urlencoded")
        .header("origin", "https://mail.example.com")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .expect("one click");
    assert_eq!(answer.status(), 200);
    let preferences = app.send("GET", "/api/v1/me/mail-preferences", &minh, None).await;
    let modes: Vec<(&str, &str)> = preferences.body["kinds"]
        .as_array()
        .expect("kinds")
        .iter()
        .map(|k| (k["kind"].as_str().expect("kind"), k["mode"].as_str().expect("mode")))
        .collect();
    assert!(
        modes.contains(&("request-received", "off")) && modes.contains(&("request-answered", "immediate")),
        "{modes:?}"
    );
    // The personal data download holds the preferences, the consent's time and the messages.
    let export = app.send("GET", "/api/v1/me/export", &minh, None).await;
    assert_eq!(export.body["mail_preferences"], preferences.body);
    assert!(export.body["email_consent_at"].is_string(), "{}", export.body);
    let messages = export.body["messages"].as_array().expect("messages");
    assert_eq!(messages.len(), 1);
    assert_eq!(
        (messages[0]["kind"].as_str(), messages[0]["status"].as_str()),
        (Some("request-received"), Some("sent"))
    );

    // The next request reaches the other member only.
    request(&app, &portlink, "Han River Ventures").await;
    sink.wait_for(3, ARRIVES).await;
    nothing_more(&sink, 3).await;
    assert_eq!(sink.to("minh@hanriver.kr").len(), 1);
    assert_eq!(sink.to("jisoo@hanriver.kr").len(), 2);
}

#[tokio::test]
async fn when_the_mail_server_is_down_messages_wait_and_each_arrives_once() {
    let mut sink = SmtpSink::start();
    sink.stop();
    let app = TestApp::with_mail(sink.port).await;
    let cang_so = member(&app, "Cảng Số", "lan@cangso.vn", "vi").await;
    member(&app, "Han River Ventures", "minh@hanriver.kr", "vi").await;
    member(&app, "Han River Ventures", "jisoo@hanriver.kr", "en").await;
    request(&app, &cang_so, "Han River Ventures").await;
    let event = app.event_id("techfest-test").await;
    // Tried, refused a connection, tried again: still queued, the reason kept.
    let deadline = std::time::Instant::now() + ARRIVES;
    loop {
        let mail = app.store.event_mail(event, None, 10).await.expect("mail");
        if mail.len() == 2 && mail.iter().all(|m| m.attempts >= 2) {
            assert!(mail.iter().all(|m| m.status == ketnoi_store::MailStatus::Queued && !m.last_error.is_empty()));
            break;
        }
        assert!(std::time::Instant::now() < deadline, "{mail:#?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    sink.resume();
    sink.wait_for(2, ARRIVES).await;
    nothing_more(&sink, 2).await;
    let mail = app.store.event_mail(event, None, 10).await.expect("mail");
    assert!(mail.iter().all(|m| m.status == ketnoi_store::MailStatus::Sent), "{mail:#?}");
}

#[tokio::test]
async fn a_refused_address_fails_at_once_and_the_organiser_sees_why() {
    let sink = SmtpSink::start();
    let app = TestApp::with_mail(sink.port).await;
    let cang_so = member(&app, "Cảng Số", "lan@cangso.vn", "vi").await;
    member(&app, "Han River Ventures", "refused@hanriver.kr", "en").await;
    member(&app, "Han River Ventures", "minh@hanriver.kr", "vi").await;
    request(&app, &cang_so, "Han River Ventures").await;
    sink.wait_for(1, ARRIVES).await;
    let organiser = app.account("organiser@techfest-test.vn", None, Some(app.event_id("techfest-test").await)).await;
    let failed = loop {
        let mail = app.send("GET", &format!("{BASE}/mail?status=failed"), &organiser, None).await;
        if let Some(item) = mail.body["items"].as_array().and_then(|items| items.first()) {
            break item.clone();
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(failed["recipient"], "refused@hanriver.kr");
    assert!(failed["last_error"].as_str().expect("reason").contains("550"), "{failed}");
    assert_eq!(failed["attempts"], 1);
    // Not retried on its own.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let mail = app.send("GET", &format!("{BASE}/mail"), &organiser, None).await;
    assert_eq!(mail.body["counts"], json!({"queued": 0, "sent": 1, "failed": 1}), "{}", mail.body);
    let metrics = app.get("/metrics").await.text().await.expect("metrics");
    assert_eq!(sample(&metrics, r#"ketnoi_mail_total{outcome="sent"}"#), Some(1.0), "{metrics}");
    assert_eq!(sample(&metrics, r#"ketnoi_mail_total{outcome="failed"}"#), Some(1.0), "{metrics}");
    let page = app.send("GET", "/e/techfest-test/organise/mail?status=failed", &organiser, None).await;
    assert!(page.body.as_str().expect("page").contains("550"));
    // The organiser retries it: queued again, refused again.
    let retried = app.send("POST", &format!("{BASE}/mail/{}/retry", failed["id"]), &organiser, None).await;
    assert_eq!((retried.status, retried.body["status"].as_str()), (200, Some("queued")), "{}", retried.body);
    let sent_id =
        mail.body["items"].as_array().expect("items").iter().find(|m| m["status"] == "sent").expect("sent")["id"]
            .clone();
    let again = app.send("POST", &format!("{BASE}/mail/{sent_id}/retry"), &organiser, None).await;
    assert_eq!((again.status, again.body["code"].as_str()), (409, Some("mail-not-failed")));
    let unknown = app.send("POST", &format!("{BASE}/mail/999999/retry"), &organiser, None).await;
    assert_eq!(unknown.status, 404);
    loop {
        let mail = app.send("GET", &format!("{BASE}/mail?status=failed"), &organiser, None).await;
        if mail.body["counts"]["failed"] == 1 && mail.body["items"][0]["attempts"] == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    nothing_more(&sink, 1).await;
}

#[tokio::test]
async fn a_password_reset_link_works_once_expires_and_ends_every_session() {
    let sink = SmtpSink::start();
    let app = TestApp::with_mail(sink.port).await;
    let lan = member(&app, "Cảng Số", "lan@cangso.vn", "vi").await;
    let other_session = Who::Browser(app.login("lan@cangso.vn", PASSWORD).await.session().expect("session"));
    let reset = |email: &str| {
        let body = json!({"email": email});
        let app = &app;
        async move { app.send("POST", "/api/v1/auth/password-reset", &Who::Anonymous, Some(&body)).await }
    };
    // An unknown address gets the same answer, and no mail.
    let unknown = reset("nobody@cangso.vn").await;
    let known = reset("lan@cangso.vn").await;
    assert_eq!((unknown.status, &unknown.body), (known.status, &known.body));
    assert_eq!(known.status, 202);
    let received = sink.wait_for(1, ARRIVES).await;
    let message = &received[0];
    assert_eq!(message.to, "lan@cangso.vn");
    assert_eq!(message.subject(), "Đặt lại mật khẩu ketnoi");
    assert_eq!(message.header("list-unsubscribe"), "", "a security message cannot be turned off");
    let link = message.link(&format!("{}/reset-password?token=", app.base));
    let token = token_in(&link);

    let confirm = |token: &str, password: &str| {
        let body = json!({"token": token, "new_password": password});
        let app = &app;
        async move { app.send("POST", "/api/v1/auth/password-reset/confirm", &Who::Anonymous, Some(&body)).await }
    };
    // A made-up token, or a refused password: 400 with a code, nothing changed.
    let made_up = confirm("ktn_made_up_token", "gió mùa đông bắc về").await;
    assert_eq!((made_up.status, made_up.body["code"].as_str()), (400, Some("token-invalid")), "{}", made_up.body);
    let weak = confirm(&token, "password1").await;
    assert_eq!((weak.status, weak.body["errors"][0]["field"].as_str()), (400, Some("new_password")), "{}", weak.body);
    assert_eq!(app.send("GET", "/api/v1/me", &lan, None).await.status, 200);
    // The link's page works without a session.
    assert_eq!(app.client.get(&link).send().await.expect("page").status(), 200);

    let done = confirm(&token, "gió mùa đông bắc về").await;
    assert_eq!(done.status, 204, "{}", done.body);
    for session in [&lan, &other_session] {
        assert_eq!(app.send("GET", "/api/v1/me", session, None).await.status, 401, "every session ended");
    }
    assert_eq!(app.login("lan@cangso.vn", PASSWORD).await.status, 401);
    assert_eq!(app.login("lan@cangso.vn", "gió mùa đông bắc về").await.status, 200);
    let reused = confirm(&token, "mưa phùn tháng hai").await;
    assert_eq!((reused.status, reused.body["code"].as_str()), (400, Some("token-invalid")));

    // A link older than an hour has expired.
    reset("lan@cangso.vn").await;
    let received = sink.wait_for(2, ARRIVES).await;
    let token = token_in(&received[1].link(&format!("{}/reset-password?token=", app.base)));
    app.execute("UPDATE user_tokens SET expires_at = expires_at - 3601").await;
    let expired = confirm(&token, "mưa phùn tháng hai").await;
    assert_eq!((expired.status, expired.body["code"].as_str()), (400, Some("token-invalid")));
    assert_eq!(app.login("lan@cangso.vn", "gió mùa đông bắc về").await.status, 200);
    nothing_more(&sink, 2).await;
}

/// A crash after the SMTP server took a message and before the outbox recorded it: once the
/// lease runs out, the message goes again, with the same Message-ID, so that a mailbox can
/// tell it is the same message. Nothing else is repeated.
#[tokio::test]
async fn a_crash_between_sending_and_recording_repeats_that_message_with_its_message_id() {
    use ketnoi_app::notify::Mailer;
    let sink = SmtpSink::start();
    let app = TestApp::with_fixtures().await;
    // The mail planner's first round starts at the end of the log (as `serve` does at start).
    assert_eq!(app.app.plan_mail().await.expect("plan"), 0);
    let cang_so = member(&app, "Cảng Số", "lan@cangso.vn", "vi").await;
    member(&app, "Han River Ventures", "minh@hanriver.kr", "vi").await;
    request(&app, &cang_so, "Han River Ventures").await;
    assert_eq!(app.plan_mail_until(1).await, 1);
    let sender = || {
        let url = ketnoi_mail::SmtpUrl::parse(&sink.url()).expect("url");
        ketnoi_mail::Sender::smtp(url, ketnoi_mail::parse_from("ketnoi@techfest.test").expect("from"), 1)
            .expect("sender")
    };
    // The first server claims it (for one second) and sends it, then dies before recording.
    let claimed = app.store.claim_mail(10, 1).await.expect("claim");
    assert_eq!(claimed.len(), 1);
    let outgoing = app.app.outgoing(&claimed[0]);
    sender().send(&outgoing).await.expect("sent");
    // While the lease holds, no one else takes it.
    let loops = crate::support::quick_loops();
    assert_eq!(app.app.send_mail(&sender(), 10, &loops).await.expect("round").claimed, 0);
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let round = app.app.send_mail(&sender(), 10, &loops).await.expect("round");
    assert_eq!((round.claimed, round.sent), (1, 1));
    let received = sink.wait_for(2, ARRIVES).await;
    assert_eq!(received[0].header("message-id"), received[1].header("message-id"));
    assert_eq!(received[0].header("message-id"), outgoing.message_id);
    let mail = app.store.mail(claimed[0].id).await.expect("mail");
    assert_eq!((mail.status, mail.attempts), (ketnoi_store::MailStatus::Sent, 2));
    assert_eq!(app.app.send_mail(&sender(), 10, &loops).await.expect("round").claimed, 0);
}

#[tokio::test]
async fn digests_gather_waiting_requests_and_reminders_carry_the_table() {
    let app = TestApp::with_fixtures().await;
    app.app.plan_mail().await.expect("plan");
    let cang_so = member(&app, "Cảng Số", "lan@cangso.vn", "vi").await;
    let portlink = member(&app, "PortLink", "wei@portlink.sg", "en").await;
    member(&app, "Han River Ventures", "minh@hanriver.kr", "vi").await;
    let jisoo = member(&app, "Han River Ventures", "jisoo@hanriver.kr", "en").await;
    // One member takes requests in the digest only.
    let body =
        json!({"language": "en", "email_consent": true, "kinds": [{"kind": "request-received", "mode": "digest"}]});
    assert_eq!(app.send("PUT", "/api/v1/me/mail-preferences", &jisoo, Some(&body)).await.status, 200);
    request(&app, &cang_so, "Han River Ventures").await;
    let sent = request(&app, &portlink, "Han River Ventures").await;
    app.plan_mail_until(2).await;
    assert_eq!(app.mail_kinds("minh@hanriver.kr").await, ["request-received", "request-received"]);
    assert!(app.mail_kinds("jisoo@hanriver.kr").await.is_empty(), "in the digest instead");

    // Fresh requests were mailed one by one: only the digest-only member gets a digest now.
    assert_eq!(app.app.queue_digests().await.expect("digests"), 1);
    let digest = app.store.user_mail(app.user_id("jisoo@hanriver.kr").await).await.expect("mail");
    assert_eq!(digest[0].subject, "2 requests wait for your answer at techfest-test");
    assert!(
        digest[0].text_body.contains("- Cảng Số, sent") && digest[0].text_body.contains("- PortLink, sent"),
        "{}",
        digest[0].text_body
    );
    // Once per period (24 hours by default), however often the clock ticks.
    assert_eq!(app.app.queue_digests().await.expect("digests"), 0);
    // A day on, the request still waiting a day reaches the other member in a digest too.
    app.execute("UPDATE meeting_requests SET created_at = created_at - 90000").await;
    app.execute("UPDATE notifications SET dedup_key = dedup_key || ':yesterday' WHERE kind = 'digest'").await;
    assert_eq!(app.app.queue_digests().await.expect("digests"), 2);
    let minh = app.store.user_mail(app.user_id("minh@hanriver.kr").await).await.expect("mail");
    assert_eq!(minh[0].subject, "2 đề nghị gặp đang chờ bạn trả lời tại techfest-test");

    // A meeting starting within the reminder time (15 minutes by default), published.
    let minh_who = Who::Browser(app.login("minh@hanriver.kr", PASSWORD).await.session().expect("session"));
    let path = format!("{BASE}/requests/{}/accept", sent["id"]);
    assert_eq!(app.send("POST", &path, &minh_who, Some(&json!({}))).await.status, 200);
    let organiser = app.account("organiser@techfest-test.vn", None, Some(app.event_id("techfest-test").await)).await;
    let soon = jiff::Timestamp::now().to_zoned_datetime(jiff::tz::TimeZone::get("Asia/Ho_Chi_Minh").expect("zone"))
        + jiff::SignedDuration::from_mins(10);
    let start = soon.strftime("%H:%M").to_string();
    let end = (&soon + jiff::SignedDuration::from_mins(20)).strftime("%H:%M").to_string();
    if end <= start {
        return; // Ten minutes before midnight: a session cannot cross it; nothing to remind.
    }
    let sessions = json!({"sessions": [{"name": "Now", "date": soon.strftime("%Y-%m-%d").to_string(), "start": start, "end": end, "slot_minutes": 20, "tables": 3}]});
    let answer = app.send("PUT", &format!("{BASE}/sessions"), &organiser, Some(&sessions)).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    let slot = answer.body["slots"][0]["code"].as_str().expect("slot").to_owned();
    let id = app.store.meetings(app.event_id("techfest-test").await).await.expect("meetings")[0].id;
    let moved =
        app.send("PUT", &format!("{BASE}/meetings/{id}"), &organiser, Some(&json!({"slot": slot, "table": 3}))).await;
    assert_eq!(moved.status, 200, "{}", moved.body);
    assert_eq!(app.send("POST", &format!("{BASE}/publish"), &organiser, None).await.status, 200);
    assert_eq!(app.app.queue_reminders().await.expect("reminders"), 3, "each member of both sides");
    assert_eq!(app.app.queue_reminders().await.expect("reminders"), 0, "once");
    let reminder = app.store.user_mail(app.user_id("wei@portlink.sg").await).await.expect("mail");
    assert!(
        reminder[0].subject.starts_with("Soon: Han River Ventures at ") && reminder[0].subject.ends_with(", table 3"),
        "{}",
        reminder[0].subject
    );
}

/// `ketnoi serve` as a process of its own: its URL, and the process.
pub(crate) struct Served {
    pub(crate) base: String,
    child: Child,
}

impl Served {
    pub(crate) fn start(db: &TestDatabase, data_dir: &std::path::Path, smtp_port: u16) -> Served {
        Served::spawn(db, data_dir, &["--smtp-url", &format!("smtp://127.0.0.1:{smtp_port}")])
    }

    /// A replica whose messages are written as files in its data directory.
    pub(crate) fn without_smtp(db: &TestDatabase, data_dir: &std::path::Path) -> Served {
        Served::spawn(db, data_dir, &[])
    }

    pub(crate) fn spawn(db: &TestDatabase, data_dir: &std::path::Path, more: &[&str]) -> Served {
        let (child, base) = start_server(
            Command::new(env!("CARGO_BIN_EXE_ketnoi"))
                .args(["serve", "--listen", "127.0.0.1:0", "--mail-retry-seconds", "1", "--data-dir"])
                .arg(data_dir)
                .args(["--database-url", db.url()])
                .args(more)
                .env("KETNOI_LOG", "warn")
                .stderr(Stdio::piped()),
        );
        Served { base, child }
    }

    /// Kills the process at once, as a power cut would.
    fn kill(mut self) -> String {
        self.child.kill().expect("kill -9");
        self.child.wait().expect("wait");
        let mut log = String::new();
        std::io::Read::read_to_string(&mut self.child.stderr.take().expect("stderr"), &mut log).ok();
        log
    }

    pub(crate) async fn sign_in(&self, email: &str) -> String {
        let response = reqwest::Client::new()
            .post(format!("{}/api/v1/auth/login", self.base))
            .json(&json!({"email": email, "password": PASSWORD}))
            .send()
            .await
            .expect("login");
        assert_eq!(response.status(), 200);
        let cookie = response.headers()["set-cookie"].to_str().expect("cookie");
        cookie.split(';').next().expect("cookie").to_owned()
    }

    pub(crate) async fn request(&self, cookie: &str, to: i64) {
        let response = reqwest::Client::new()
            .post(format!("{}{BASE}/requests", self.base))
            .header("cookie", cookie)
            .json(&json!({"to": to}))
            .send()
            .await
            .expect("request");
        assert_eq!(response.status(), 201, "{:?}", response.text().await);
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

/// The fixture event with consenting members of the startups and of the investors, for
/// servers run as processes.
pub(crate) async fn members_of(db: &TestDatabase) -> (Store, Vec<(String, i64)>) {
    import_fixtures(db);
    let store = Store::connect(db.url()).await.expect("connect");
    let mut members = Vec::new();
    for (name, email) in [
        ("Cảng Số", "lan@cangso.vn"),
        ("PortLink", "wei@portlink.sg"),
        ("Nông Sản Xanh", "ha@nongsanxanh.vn"),
        ("Han River Ventures", "minh@hanriver.kr"),
        ("Sông Hồng Angels", "thu@songhong.vn"),
    ] {
        let query = ketnoi_store::OrganizationQuery { name: Some(name.to_owned()), limit: 10, ..Default::default() };
        let id = store
            .organizations(&query)
            .await
            .expect("find")
            .items
            .iter()
            .find(|o| o.profile.name == name)
            .expect(name)
            .id;
        store
            .upsert_user(&NewUser {
                email: Email::parse(email).expect("email"),
                display_name: email.to_owned(),
                password: PASSWORD.to_owned(),
                role: Role::Member,
                organization_id: Some(id),
                event_id: None,
                email_consent: true,
            })
            .await
            .expect("member");
        members.push((email.to_owned(), id));
    }
    (store, members)
}

#[tokio::test]
async fn after_kill_9_with_messages_queued_none_is_lost() {
    let db = TestDatabase::new().await;
    let (store, members) = members_of(&db).await;
    let port = free_port();
    // The mail server is down: the server starts anyway, warns, and queues.
    let first = Served::start(&db, &db.dir().join("one"), port);
    let han_river = members[3].1;
    for email in ["lan@cangso.vn", "wei@portlink.sg"] {
        let cookie = first.sign_in(email).await;
        first.request(&cookie, han_river).await;
    }
    let event = store.events().await.expect("events")[0].id;
    let deadline = std::time::Instant::now() + ARRIVES;
    // Tried and failed, so not in flight: a message in flight when its server dies waits for
    // its lease to run out (the crash test covers that), one queued is sent at the next start.
    let failed = |m: &ketnoi_store::MailHead| m.attempts >= 1 && !m.last_error.is_empty();
    while store.event_mail(event, None, 10).await.expect("mail").iter().filter(|m| failed(m)).count() < 2 {
        assert!(std::time::Instant::now() < deadline, "the messages were not tried");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let log = first.kill();
    assert!(log.contains("cannot be reached"), "the start warns: {log}");
    let sink = SmtpSink::start_on(port);
    let _second = Served::start(&db, &db.dir().join("two"), port);
    let received = sink.wait_for(2, ARRIVES).await;
    assert!(received.iter().all(|m| m.to == "minh@hanriver.kr"));
    nothing_more(&sink, 2).await;
}

#[tokio::test]
async fn two_replicas_send_each_message_once() {
    let db = TestDatabase::new().await;
    let (_store, members) = members_of(&db).await;
    let sink = SmtpSink::start();
    let one = Served::start(&db, &db.dir().join("one"), sink.port);
    let two = Served::start(&db, &db.dir().join("two"), sink.port);
    let (han_river, song_hong) = (members[3].1, members[4].1);
    // Three startups ask both investors, through either replica: six requests, six messages.
    for (index, email) in ["lan@cangso.vn", "wei@portlink.sg", "ha@nongsanxanh.vn"].into_iter().enumerate() {
        let replica = if index % 2 == 0 { &one } else { &two };
        let cookie = replica.sign_in(email).await;
        replica.request(&cookie, han_river).await;
        let other = if index % 2 == 0 { &two } else { &one };
        let cookie = other.sign_in(email).await;
        other.request(&cookie, song_hong).await;
    }
    sink.wait_for(6, ARRIVES).await;
    nothing_more(&sink, 6).await;
    assert_eq!(sink.to("minh@hanriver.kr").len(), 3);
    assert_eq!(sink.to("thu@songhong.vn").len(), 3);
}

/// The local time of a `DTSTART;TZID=…` resolved with the calendar's own VTIMEZONE, as a
/// calendar app does: the observance in force is the last whose onset is not after it.
fn resolve(calendar: &ical::parser::ical::component::IcalCalendar, local: &str) -> jiff::Timestamp {
    let offset = |text: &str| {
        let sign = if text.starts_with('-') { -1 } else { 1 };
        let (hours, minutes): (i32, i32) = (text[1..3].parse().expect("hours"), text[3..5].parse().expect("minutes"));
        jiff::tz::Offset::from_seconds(sign * (hours * 3600 + minutes * 60)).expect("offset")
    };
    let civil = |text: &str| jiff::civil::DateTime::strptime("%Y%m%dT%H%M%S", text).expect("local time");
    let property = |properties: &[ical::property::Property], name: &str| {
        properties.iter().find(|p| p.name == name).and_then(|p| p.value.clone()).expect(name)
    };
    let mut observances: Vec<(jiff::Timestamp, jiff::tz::Offset)> = calendar.timezones[0]
        .transitions
        .iter()
        .map(|t| {
            let from = offset(&property(&t.properties, "TZOFFSETFROM"));
            let to = offset(&property(&t.properties, "TZOFFSETTO"));
            let onset = from.to_timestamp(civil(&property(&t.properties, "DTSTART"))).expect("onset");
            (onset, to)
        })
        .collect();
    observances.sort();
    let local = civil(local);
    let mut chosen = None;
    for (onset, to) in &observances {
        let instant = to.to_timestamp(local).expect("instant");
        if *onset <= instant {
            chosen = Some(instant);
        }
    }
    chosen.expect("an observance in force")
}

/// Every VEVENT of a feed: UID, SEQUENCE, STATUS and DTSTART's local time.
fn events(text: &str) -> (ical::parser::ical::component::IcalCalendar, Vec<[String; 4]>) {
    let calendar = ical::IcalParser::new(BufReader::new(text.as_bytes())).next().expect("a calendar").expect("parses");
    let events = calendar
        .events
        .iter()
        .map(|event| {
            let get = |name: &str| {
                event.properties.iter().find(|p| p.name == name).and_then(|p| p.value.clone()).unwrap_or_default()
            };
            assert_eq!(
                event.alarms.len(),
                usize::from(get("STATUS") == "CONFIRMED"),
                "a reminder on each live meeting"
            );
            [get("UID"), get("SEQUENCE"), get("STATUS"), get("DTSTART")]
        })
        .collect();
    (calendar, events)
}

#[tokio::test]
async fn the_calendar_feed_follows_moves_and_cancellations_across_daylight_saving() {
    let sink = SmtpSink::start();
    let app = TestApp::with_mail(sink.port).await;
    app.execute("UPDATE events SET time_zone = 'Europe/Amsterdam' WHERE slug = 'techfest-test'").await;
    let organiser = app.account("organiser@techfest-test.vn", None, Some(app.event_id("techfest-test").await)).await;
    // Amsterdam moved its clocks from +01:00 to +02:00 on Sunday 29 March 2026.
    let sessions = json!({"sessions": [
        {"name": "Saturday", "date": "2026-03-28", "start": "09:00", "end": "10:00", "slot_minutes": 20, "tables": 2},
        {"name": "Monday", "date": "2026-03-30", "start": "09:00", "end": "10:00", "slot_minutes": 20, "tables": 2},
    ]});
    let answer = app.send("PUT", &format!("{BASE}/sessions"), &organiser, Some(&sessions)).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    let cang_so = member(&app, "Cảng Số", "lan@cangso.vn", "en").await;
    let han_river = member(&app, "Han River Ventures", "minh@hanriver.kr", "vi").await;
    let rotterdam = member(&app, "Rotterdam Port Ventures", "daan@rotterdam.nl", "en").await;
    let mut meetings = Vec::new();
    for (investor, who) in [("Han River Ventures", &han_river), ("Rotterdam Port Ventures", &rotterdam)] {
        let sent = request(&app, &cang_so, investor).await;
        let path = format!("{BASE}/requests/{}/accept", sent["id"]);
        let accepted = app.send("POST", &path, who, Some(&json!({}))).await;
        meetings.push(accepted.body["meeting"]["id"].as_i64().unwrap_or_else(|| panic!("{}", accepted.body)));
    }
    // Two requests received, two accepted.
    sink.wait_for(4, ARRIVES).await;
    for (meeting, slot) in meetings.iter().zip(["d1-0900", "d2-0900"]) {
        let moved = app
            .send("PUT", &format!("{BASE}/meetings/{meeting}"), &organiser, Some(&json!({"slot": slot, "table": 1})))
            .await;
        assert_eq!(moved.status, 200, "{}", moved.body);
    }
    assert_eq!(app.send("POST", &format!("{BASE}/publish"), &organiser, None).await.status, 200);

    // Published: each side's members get their meetings with day, time, table and counterpart.
    let before = sink.received().len();
    sink.wait_for(before + 3, ARRIVES).await;
    let mine = sink.to("lan@cangso.vn");
    let schedule = mine
        .iter()
        .find(|m| m.subject() == "Your meetings at techfest-test")
        .unwrap_or_else(|| panic!("{:?}", mine.iter().map(|m| (m.subject(), &m.text)).collect::<Vec<_>>()));
    assert!(
        schedule.text.contains("- Saturday 28 March 2026, 09:00, table 1: Han River Ventures"),
        "{}",
        schedule.text
    );
    assert!(
        schedule.text.contains("- Monday 30 March 2026, 09:00, table 1: Rotterdam Port Ventures"),
        "{}",
        schedule.text
    );

    // The feed's address: no cookie needed to read it.
    let feed = app.send("GET", "/api/v1/me/calendar-feed", &cang_so, None).await;
    let url = feed.body["url"].as_str().expect("url").to_owned();
    assert!(url.starts_with(&format!("{}/feed/", app.base)), "{url}");
    let response = app.client.get(&url).send().await.expect("feed");
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "text/calendar; charset=utf-8");
    let etag = response.headers()["etag"].to_str().expect("etag").to_owned();
    let text = response.text().await.expect("body");
    let (calendar, entries) = events(&text);
    assert_eq!(entries.len(), 2, "{text}");
    assert_eq!(resolve(&calendar, &entries[0][3]).to_string(), "2026-03-28T08:00:00Z", "{text}");
    assert_eq!(resolve(&calendar, &entries[1][3]).to_string(), "2026-03-30T07:00:00Z", "{text}");
    assert!(text.contains("LOCATION:techfest-test\\, table 1"), "{text}");
    assert!(text.contains("DESCRIPTION:Business matching at techfest-test with Han River Ventures"), "{text}");
    let unchanged = app.client.get(&url).header("if-none-match", &etag).send().await.expect("feed");
    assert_eq!(unchanged.status(), 304);

    // Moved after publishing: the same UID, SEQUENCE raised, a message with both times.
    let (uid, sequence) = (entries[0][0].clone(), entries[0][1].parse::<u32>().expect("sequence"));
    let moved = app
        .send(
            "PUT",
            &format!("{BASE}/meetings/{}", meetings[0]),
            &organiser,
            Some(&json!({"slot": "d1-0920", "table": 2})),
        )
        .await;
    assert_eq!(moved.status, 200, "{}", moved.body);
    let changed = app.client.get(&url).header("if-none-match", &etag).send().await.expect("feed");
    assert_eq!(changed.status(), 200);
    let (calendar, entries) = events(&changed.text().await.expect("body"));
    let entry = entries.iter().find(|e| e[0] == uid).expect("the same UID");
    assert_eq!(entry[1].parse::<u32>().expect("sequence"), sequence + 1);
    assert_eq!(resolve(&calendar, &entry[3]).to_string(), "2026-03-28T08:20:00Z");
    let before = sink.received().len();
    sink.wait_for(before + 2, ARRIVES).await;
    let notice = sink
        .to("lan@cangso.vn")
        .into_iter()
        .find(|m| m.subject() == "Your meeting with Han River Ventures moved")
        .expect("moved");
    assert!(notice.text.contains("Before: Saturday 28 March 2026, 09:00, table 1"), "{}", notice.text);
    assert!(notice.text.contains("Now: Saturday 28 March 2026, 09:20, table 2"), "{}", notice.text);

    // Cancelled: kept in the feed as cancelled, so that calendars remove it.
    let path = format!("{BASE}/meetings/{}/status", meetings[1]);
    assert_eq!(app.send("PUT", &path, &organiser, Some(&json!({"status": "cancelled"}))).await.status, 200);
    let text = app.client.get(&url).send().await.expect("feed").text().await.expect("body");
    let (_, entries) = events(&text);
    let cancelled =
        entries.iter().find(|e| e[0] == format!("meeting-{}@techfest-test.ketnoi", meetings[1])).expect("kept");
    assert_eq!((cancelled[1].as_str(), cancelled[2].as_str()), ("1", "CANCELLED"));
    let before = sink.received().len();
    sink.wait_for(before + 2, ARRIVES).await;
    assert!(sink.to("daan@rotterdam.nl").iter().any(|m| m.subject() == "Your meeting with Cảng Số is cancelled"));

    // A new address: the old one is gone.
    let renewed = app.send("POST", "/api/v1/me/calendar-feed", &cang_so, None).await;
    assert_eq!(renewed.status, 201);
    assert_ne!(renewed.body["url"], url);
    assert_eq!(app.client.get(&url).send().await.expect("feed").status(), 404);
    assert_eq!(app.client.get(renewed.body["url"].as_str().expect("url")).send().await.expect("feed").status(), 200);
    assert_eq!(app.send("DELETE", "/api/v1/me/calendar-feed", &cang_so, None).await.status, 204);
    assert_eq!(app.client.get(renewed.body["url"].as_str().expect("url")).send().await.expect("feed").status(), 404);
    // A made-up address.
    let forged = format!("{}/feed/1/1/{}.ics", app.base, "0".repeat(32));
    assert_eq!(app.client.get(&forged).send().await.expect("feed").status(), 404);
}
