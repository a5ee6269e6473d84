//! The API document and the answers to malformed requests.

use serde_json::json;

use crate::support::{TestApp, Who};

#[tokio::test]
async fn the_api_document_lists_every_route_and_matches_its_snapshot() {
    let app = TestApp::with_fixtures().await;
    let doc = app.json("/api/openapi.json", 200).await;
    assert_eq!(doc["openapi"], "3.1.0");
    let paths: Vec<&String> = doc["paths"].as_object().expect("paths").keys().collect();
    for path in [
        "/api/v1/organizations",
        "/api/v1/organizations/{id}",
        "/api/v1/organizations/{id}/recommendations",
        "/api/v1/organizations/{id}/invitations",
        "/api/v1/events/{slug}",
        "/api/v1/events/{slug}/participants",
        "/api/v1/events/{slug}/weights",
        "/api/v1/auth/register",
        "/api/v1/auth/login",
        "/api/v1/auth/logout",
        "/api/v1/auth/invitations/accept",
        "/api/v1/me",
        "/api/v1/me/password",
        "/api/v1/me/export",
        "/api/v1/me/tokens",
        "/api/v1/me/tokens/{id}",
        "/api/v1/auth/confirm-email",
        "/api/v1/auth/password-reset",
        "/api/v1/auth/password-reset/confirm",
        "/api/v1/me/mail-preferences",
        "/api/v1/me/calendar-feed",
        "/api/v1/events/{slug}/mail",
        "/api/v1/events/{slug}/mail/{id}/retry",
    ] {
        assert!(paths.iter().any(|p| *p == path), "{path} is not documented");
    }
    // Every operation documents its problem answers.
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("item") {
            let responses = operation["responses"].as_object().expect("responses");
            for status in ["401", "404", "503"] {
                assert!(responses.contains_key(status), "{method} {path} lacks {status}");
            }
        }
    }
    insta::assert_json_snapshot!("openapi", doc);
}

#[tokio::test]
async fn malformed_bodies_are_problems_that_name_what_is_wrong() {
    let app = TestApp::with_fixtures().await;
    let post = |body: &'static str, content_type: &'static str| {
        let request =
            app.client.post(format!("{}/api/v1/auth/login", app.base)).header("content-type", content_type).body(body);
        async move {
            let response = request.send().await.expect("request");
            let status = response.status().as_u16();
            let content_type = response.headers()["content-type"].to_str().expect("ct").to_owned();
            let body: serde_json::Value = response.json().await.expect("json");
            (status, content_type, body)
        }
    };
    let (status, content_type, body) = post("{\"email\": \"a@b.vn\",", "application/json").await;
    assert_eq!((status, content_type.as_str()), (400, "application/problem+json"));
    assert!(body["detail"].as_str().expect("detail").starts_with("the body is not valid JSON"), "{body}");
    let (status, _, body) = post("{\"email\": \"a@b.vn\"}", "application/json").await;
    assert_eq!(status, 400);
    assert_eq!(body["errors"][0]["field"], "password");
    let (status, _, body) = post("{\"email\": 5, \"password\": \"x\"}", "application/json").await;
    assert_eq!(status, 400);
    assert_eq!(body["errors"][0]["field"], "email");
    let (status, _, body) =
        post("{\"email\": \"a@b.vn\", \"password\": \"x\", \"admin\": true}", "application/json").await;
    assert_eq!(status, 400);
    assert_eq!(body["errors"][0]["field"], "admin");
    let (status, _, _) = post("email=a@b.vn&password=x", "application/x-www-form-urlencoded").await;
    assert_eq!(status, 415);
    let (status, _, _) = post("{} trailing", "application/json").await;
    assert_eq!(status, 400);

    // A nested field is named by its path.
    let register = json!({"event": "techfest-test", "email": "x@y.vn", "password": "long enough pass",
        "display_name": "X", "organization": {"kind": "startup", "name": "X", "sectors": "agritech", "stage": "seed"}});
    let answer = app.send("POST", "/api/v1/auth/register", &Who::Anonymous, Some(&register)).await;
    assert_eq!(answer.status, 400);
    assert_eq!(answer.body["errors"][0]["field"], "organization.sectors", "{}", answer.body);

    // Over the limit: 413, before anything is parsed.
    let huge = format!("{{\"email\": \"{}\", \"password\": \"x\"}}", "a".repeat(2 * 1024 * 1024));
    let response = app
        .client
        .post(format!("{}/api/v1/auth/login", app.base))
        .header("content-type", "application/json")
        .body(huge)
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 413);
    assert_eq!(response.headers()["content-type"], "application/problem+json");
}
