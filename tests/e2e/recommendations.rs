//! Recommendations over HTTP and on the command line.

use crate::support::{TestApp, Who, ketnoi, stderr, stdout};

async fn get(app: &TestApp, who: &Who, path: &str, status: u16) -> serde_json::Value {
    let answer = app.send("GET", path, who, None).await;
    assert_eq!(answer.status, status, "{path}: {}", answer.body);
    answer.body
}

#[tokio::test]
async fn a_startup_sees_fitting_investors_first_with_reasons() {
    let app = TestApp::with_fixtures().await;
    let cang_so = app.id_of("Cảng Số").await;
    let member = app.account("member@cangso.vn", Some(cang_so), None).await;
    let found = get(&app, &member, &format!("/api/v1/organizations/{cang_so}/recommendations?limit=5"), 200).await;
    assert_eq!(found["event"], "techfest-test");
    let items = found["items"].as_array().expect("items");
    // Seed logistics in Hải Phòng asking 5B VND (200k USD): Han River (logistics, seed–series A,
    // 100k–1M USD) fits; Rotterdam (series A–B) is a stage away; Sông Hồng (idea–seed agri, up to
    // 2B VND) is in another sector.
    assert_eq!(items[0]["name"], "Han River Ventures");
    assert!(items.iter().all(|item| item["kind"] == "investor"));
    let score = items[0]["score"].as_f64().expect("score");
    assert!((0.0..=1.0).contains(&score));
    let reasons: Vec<&str> =
        items[0]["reasons"].as_array().expect("reasons").iter().map(|r| r["en"].as_str().expect("en")).collect();
    // In words, in every language: labels and country names, not codes.
    assert!(reasons.contains(&"Sector: Logistics ✓"), "{reasons:?}");
    assert!(reasons.contains(&"Ticket 100k–1M USD covers the ask of 5B VND ✓"), "{reasons:?}");
    assert!(reasons.contains(&"Stage: Seed; invests at Seed–Series A ✓"), "{reasons:?}");
    assert!(reasons.contains(&"Geography: Vietnam; invests in Vietnam and South Korea ✓"), "{reasons:?}");
    assert_eq!(items[0]["reasons"][0]["vi"], "Lĩnh vực: Logistics ✓");
    assert_eq!(items[0]["reasons"][1]["vi"], "Giai đoạn: Hạt giống; nhà đầu tư rót vốn ở Hạt giống–Vòng A ✓");
    assert_eq!(items[0]["reasons"][0]["ko"], "분야: 물류 ✓");

    // An investor sees startups.
    let han_river = app.id_of("Han River Ventures").await;
    let member = app.account("member@hanriver.example.kr", Some(han_river), None).await;
    let found = get(&app, &member, &format!("/api/v1/organizations/{han_river}/recommendations"), 200).await;
    let first = &found["items"][0];
    assert_eq!(first["kind"], "startup");
    assert_eq!(first["name"], "Cảng Số");
}

#[tokio::test]
async fn bad_requests_are_named() {
    let app = TestApp::with_fixtures().await;
    let id = app.id_of("Cảng Số").await;
    let member = app.account("member@cangso.vn", Some(id), None).await;
    get(&app, &member, "/api/v1/organizations/999999/recommendations", 404).await;
    let problem = get(&app, &member, &format!("/api/v1/organizations/{id}/recommendations?limit=500"), 400).await;
    assert_eq!(problem["errors"][0]["field"], "limit");
    get(&app, &member, &format!("/api/v1/organizations/{id}/recommendations?event=other-event"), 404).await;
}

#[tokio::test]
async fn the_command_line_prints_and_emits_json() {
    let app = TestApp::with_fixtures().await;
    let output = ketnoi(app.database(), &["recommend", "--event", "techfest-test", "--org", "cang so", "--limit", "2"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stdout(&output).contains("best counterparts of Cảng Số at techfest-test:"), "{}", stdout(&output));
    assert!(stdout(&output).contains("1. Han River Ventures (investor)"), "{}", stdout(&output));

    let output = ketnoi(app.database(), &["recommend", "--event", "techfest-test", "--org", "Cảng Số", "--json"]);
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
    assert_eq!(json["items"][0]["name"], "Han River Ventures");
    assert!(json["items"][0]["reasons"].is_array());

    let output = ketnoi(app.database(), &["recommend", "--event", "techfest-test", "--org", "Cang Sooo"]);
    assert!(!output.status.success());
    assert!(stderr(&output).contains("did you mean \"Cảng Số\"?"), "{}", stderr(&output));

    let output = ketnoi(app.database(), &["weights", "--event", "techfest-test", "--geography", "11"]);
    assert!(stderr(&output).contains("geography: must be a number from 0 to 10, got 11"), "{}", stderr(&output));
    let output = ketnoi(app.database(), &["weights", "--event", "techfest-test", "--geography", "0"]);
    assert!(stdout(&output).contains("geography 0"), "{}", stdout(&output));
}
