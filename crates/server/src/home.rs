//! `GET /`: a plain page that says what this server is and links to its events and API, until
//! the web app replaces it.

use axum::extract::State;
use axum::response::Html;

use crate::AppState;
use crate::error::ApiError;

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

pub async fn page(State(state): State<AppState>) -> Result<Html<String>, ApiError> {
    let events = state.store.events().await?;
    let mut items = String::new();
    for event in &events {
        let slug = escape(event.slug.as_str());
        items.push_str(&format!(
            "<li><strong>{name}</strong> ({status}) — <a href=\"/api/v1/events/{slug}\">event</a> · \
             <a href=\"/api/v1/organizations?event={slug}&amp;kind=startup\">startups</a> · \
             <a href=\"/api/v1/organizations?event={slug}&amp;kind=investor\">investors</a></li>",
            name = escape(&event.name),
            status = event.status.as_str(),
        ));
    }
    if events.is_empty() {
        items.push_str("<li>No event yet: import one with <code>ketnoi import</code>.</li>");
    }
    Ok(Html(format!(
        "<!doctype html><html lang=\"vi\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>ketnoi</title></head>\
         <body><main><h1>ketnoi — kết nối nhà đầu tư và startup</h1><h2>Sự kiện / Events</h2><ul>{items}</ul>\
         <p><a href=\"/api/v1/organizations\">/api/v1/organizations</a> · <a href=\"/healthz\">/healthz</a></p>\
         </main></body></html>"
    )))
}
