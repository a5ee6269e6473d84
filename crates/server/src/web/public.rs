//! Pages anyone may open: the events, an event's home with its figures, search, profiles.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::response::{Html, IntoResponse, Redirect};
use ketnoi_app::organizations::{SEARCH_OFFSET_MAX, SearchParams};
use ketnoi_domain::profile::OrgKind;
use ketnoi_domain::rules::Resource;
use minijinja::context;
use serde::Serialize;
use serde_json::Value as Json_;

use super::views::{self, CURRENCIES, Choice, EventInfo};
use super::{Ctx, Form, WebError, WebResult, i18n, one_line, refusal};
use crate::AppState;

/// `GET /`: the events; straight to the event when there is only one (with the notice, if any).
pub async fn home(State(state): State<AppState>, ctx: Ctx, RawQuery(raw): RawQuery) -> WebResult {
    let events = state.app.events().await?;
    if let [only] = events.as_slice() {
        let query = raw.map(|q| format!("?{q}")).unwrap_or_default();
        return Ok(Redirect::to(&format!("/e/{}{query}", only.slug)).into_response());
    }
    let mut cards = Vec::new();
    for event in &events {
        let view = state.app.public_event_view(event.slug.as_str()).await?;
        cards.push(context! { slug => view.slug, name => view.name, venue => view.venue,
        startups => view.startups, investors => view.investors });
    }
    ctx.render(&state, "home.html", context! { events => cards }).await
}

/// `GET /e/{slug}`: the event, its figures, links in.
pub async fn event(State(state): State<AppState>, ctx: Ctx, Path(slug): Path<String>) -> WebResult {
    let event = state.app.public_event(&slug).await?;
    let figures = state.app.public_figures(&slug).await?;
    let view = state.app.public_event_view(&slug).await?;
    let mut days: Vec<String> = Vec::new();
    for slot in &view.slots {
        let day = i18n::date_of(ctx.lang, &slot.start);
        if !days.contains(&day) {
            days.push(day);
        }
    }
    let outcomes: u64 = figures.outcomes.values().sum();
    let mut info = serde_json::to_value(EventInfo::of(&event, ctx.lang)).unwrap_or_default();
    info["days"] = Json_::from(days.join(" – "));
    let figures = context! {
        startups => figures.startups, investors => figures.investors, requests => figures.requests,
        accepted => figures.accepted, placed => figures.placed, held => figures.held, outcomes => outcomes,
    };
    ctx.render(&state, "event.html", context! { event => info, figures => figures }).await
}

/// Results on one page of the search.
const PER_PAGE: u64 = 10;

#[derive(Debug, Serialize)]
struct ResultItem {
    id: i64,
    name: String,
    kind_label: &'static str,
    facts: String,
    /// From the index: HTML-escaped, matched words in `<b>`.
    snippet: Option<String>,
    description: String,
}

/// The search as asked: every parameter's text, for the form and the paging links.
fn search_query(raw: Option<&str>) -> BTreeMap<String, String> {
    let mut query = super::query(raw);
    query.entry("currency".to_owned()).or_insert_with(|| "VND".to_owned());
    query
}

fn page_link(slug: &str, query: &BTreeMap<String, String>, page: u64) -> String {
    let mut pairs: Vec<(&str, String)> = query
        .iter()
        .filter(|(k, v)| !v.is_empty() && !matches!(k.as_str(), "page" | "fragment"))
        .map(|(k, v)| (k.as_str(), v.clone()))
        .collect();
    pairs.push(("page", page.to_string()));
    format!("/e/{slug}/search?{}", serde_urlencoded::to_string(&pairs).unwrap_or_default())
}

/// `GET /e/{slug}/search`: one box and filters over the event's startups and investors, with
/// `fragment=1` only the results (what the instant search fetches as the user types).
pub async fn search(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    RawQuery(raw): RawQuery,
) -> WebResult {
    // Everyone who is not signed in gets the same page for the same address and language.
    let key = ctx.caller.user.is_none().then(|| format!("{} {}", i18n::code(ctx.lang), ctx.here));
    let stamp = match key.as_deref().map(|key| state.app.public_page(key)) {
        Some(Ok(html)) => return Ok(Html(Bytes::from_owner(Kept(html))).into_response()),
        Some(Err(stamp)) => Some(stamp),
        None => None,
    };
    let html = search_page(&state, &ctx, slug, raw.as_deref()).await?;
    if let (Some(key), Some(stamp)) = (key, stamp) {
        state.app.keep_public_page(key, stamp, Arc::from(html.as_str()));
    }
    Ok(Html(html).into_response())
}

/// A page kept for everyone, as a response body.
struct Kept(Arc<str>);

impl AsRef<[u8]> for Kept {
    fn as_ref(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

/// The search page, or with `fragment=1` its results only.
async fn search_page(state: &AppState, ctx: &Ctx, slug: String, raw: Option<&str>) -> Result<String, WebError> {
    let event = state.app.public_event(&slug).await?;
    let query = search_query(raw);
    let get = |name: &str| query.get(name).map(String::as_str).unwrap_or_default();
    let text = |name: &str| Some(get(name).to_owned());
    let page = get("page").parse::<u64>().unwrap_or(1).clamp(1, SEARCH_OFFSET_MAX / PER_PAGE);
    // An amount as typed, with its thousands separators (`500.000.000`, `500,000`); one that
    // cannot be read is passed on as typed, to be refused by name.
    let ticket = i18n::amount(get("ticket")).map_or_else(|| get("ticket").to_owned(), |n| n.to_string());
    let params = SearchParams {
        q: text("q"),
        kind: text("kind"),
        sector: text("sector"),
        stage: text("stage"),
        country: text("country"),
        event: Some(slug.clone()),
        investor_type: text("investor_type"),
        currency: if ticket.is_empty() { None } else { text("currency") },
        ticket: Some(ticket),
        limit: Some(PER_PAGE.to_string()),
        offset: Some(((page - 1) * PER_PAGE).to_string()),
    };
    let searched = match params.parse() {
        Ok(search) => state.app.search(&search).await,
        Err(invalid) => Err(invalid.into()),
    };
    let (listing, error) = match searched {
        Ok(listing) => (Some(listing), None),
        Err(error) if refusal(&error) => (None, Some(one_line(ctx, &error))),
        Err(error) => return Err(error.into()),
    };
    let (items, total) = match listing {
        Some(listing) => {
            let items: Vec<ResultItem> = listing
                .items
                .iter()
                .map(|item| {
                    let view = &item.organization;
                    let text = if view.description.is_empty() { &view.thesis } else { &view.description };
                    ResultItem {
                        id: view.id,
                        name: view.name.clone(),
                        kind_label: views::kind_label(ctx.lang, view.kind),
                        facts: views::facts(ctx.lang, view),
                        snippet: item.snippet.clone(),
                        description: text.chars().take(180).collect(),
                    }
                })
                .collect();
            (items, listing.total)
        }
        None => (Vec::new(), 0),
    };
    let pages = total.div_ceil(PER_PAGE).min(SEARCH_OFFSET_MAX / PER_PAGE);
    let results = context! {
        items => items,
        summary => i18n::fill(ctx.lang, "search.count", &[("n", total.to_string())]),
        page => page, pages => pages,
        previous => (page > 1).then(|| page_link(&slug, &query, page - 1)),
        next => (page < pages).then(|| page_link(&slug, &query, page + 1)),
    };
    let info = EventInfo::of(&event, ctx.lang);
    if get("fragment") == "1" {
        let page = context! { event => info, results => results, error => error };
        return Ok(ctx.render_html(state, "results.html", page).await?);
    }
    let countries = state.app.public_countries(&slug).await?;
    let options = views::options(ctx.lang);
    let filtered = ["kind", "sector", "stage", "country", "investor_type", "ticket"].iter().any(|f| !get(f).is_empty());
    let page = context! {
        event => info, query => query, results => results, error => error, filtered => filtered,
        kinds => views::kind_choices(ctx),
        sectors => options["sectors"], stages => options["stages"], investor_types => options["investor_types"],
        countries => countries
            .into_iter()
            .map(|c| Choice { label: super::views::country_name(ctx.lang, &c), value: c })
            .collect::<Vec<_>>(),
        currencies => CURRENCIES,
    };
    Ok(ctx.render_html(state, "search.html", page).await?)
}

/// `GET /e/{slug}/o/{id}`: a profile; for the signed-in counterpart, the match and a request form.
pub async fn profile(State(state): State<AppState>, ctx: Ctx, Path((slug, id)): Path<(String, String)>) -> WebResult {
    profile_page(&state, &ctx, &slug, &id, None, BTreeMap::new()).await
}

/// A matcher's reason in the page's language.
pub fn reason_text(lang: ketnoi_domain::taxonomy::Language, reason: &ketnoi_domain::matching::Reason) -> String {
    reason.text(lang)
}

/// An organization's id from the path: anything else is a page that does not exist.
pub fn id(text: &str) -> Result<i64, WebError> {
    text.parse().map_err(|_| WebError::App(ketnoi_app::AppError::NotFound(Resource::Organization)))
}

/// The profile page; after a refused request, with the form as sent and its errors.
pub async fn profile_page(
    state: &AppState,
    ctx: &Ctx,
    slug: &str,
    id: &str,
    form: Option<&Form>,
    errors: BTreeMap<String, String>,
) -> WebResult {
    let event = state.app.event(slug).await?;
    let outlook = state.app.outlook(&ctx.caller, slug, self::id(id)?).await?;
    let (can_request, open_request) = (outlook.can_request, outlook.open_request);
    let matched = can_request.then(|| match &outlook.fit {
        Some(pair) => context! {
            score => format!("{:.0}%", pair.score * 100.0),
            reasons => pair.reasons.iter().map(|r| reason_text(ctx.lang, r)).collect::<Vec<_>>(),
        },
        None => context! { score => "0%", reasons => [ctx.t("profile.no_fit")] },
    });
    let view = outlook.organization;
    let form: HashMap<&str, &str> = form.map(Form::values).unwrap_or_default();
    let org = context! {
        id => view.id, name => &view.name,
        kind_label => views::kind_label(ctx.lang, view.kind),
        facts => views::facts(ctx.lang, &view),
        rows => views::rows(ctx.lang, &view),
        description => &view.description,
        thesis => if view.kind == OrgKind::Investor { view.thesis.as_str() } else { "" },
    };
    let page = context! {
        event => EventInfo::of(&event, ctx.lang), org => org, fit => matched,
        can_request => can_request, open_request => open_request, form => form, errors => errors,
    };
    ctx.render(state, "profile.html", page).await
}
