//! A participant's pages: recommendations, requests, agenda, profile and availability.

use std::collections::{BTreeMap, HashMap};

use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use ketnoi_domain::event::EventSlug;
use ketnoi_store::{Mailbox, RequestStatus};
use minijinja::context;
use serde::Serialize;

use super::public::{profile_page, reason_text};
use super::views::{self, EventInfo, PROFILE_FIELDS};
use super::{Ctx, Form, WebError, WebResult, field_errors, i18n, query, refused};
use crate::error::ApiError;
use crate::events::by_slug;
use crate::json::Body;
use crate::meetings::{self, AnswerBody, Availability, MeetingView, NewRequest, OrgRef, OutcomeBody};
use crate::params::Params;
use crate::{AppState, organizations, recommendations};

/// The signed-in member's organization, or the sign-in page (then back to `next`).
fn own(ctx: &Ctx, next: &str) -> Result<i64, WebError> {
    ctx.require_sign_in(next)?;
    ctx.organization().ok_or_else(|| WebError::Api(ApiError::not_found("page")))
}

/// `POST /e/{slug}/o/{id}/request`: asks for a meeting. Sent twice (a double click), the second
/// finds the first and goes where the first went.
pub async fn request(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, id)): Path<(String, String)>,
    form: Form,
) -> WebResult {
    let back = format!("/e/{slug}/o/{id}");
    let ctx = ctx.showing(&back);
    let from = own(&ctx, &back)?;
    let to = organizations::parse_id(&id, "organization")?;
    let priority = match form.get("priority") {
        "" => None,
        typed => match typed.parse::<u8>() {
            Ok(p) => Some(p),
            Err(_) => {
                let errors = BTreeMap::from([("priority".to_owned(), ctx.t("form.priority").to_owned())]);
                return refused(profile_page(&state, &ctx, &slug, &id, Some(&form), errors).await);
            }
        },
    };
    let body = NewRequest { to, message: form.optional("message"), priority };
    let sent = format!("/e/{slug}/requests?box=outbox");
    match meetings::create_request(State(state.clone()), ctx.caller.clone(), Path(slug.clone()), Body(body)).await {
        Ok(_) => Ok(ctx.done(&sent, "request_sent")),
        Err(error) if error.status() == StatusCode::CONFLICT => {
            let event = by_slug(&state, &slug).await?;
            let twice = state.store.requests(event.id, from, Mailbox::Outbox).await?.iter().any(|r| {
                r.recipient_id == to && r.status == RequestStatus::Pending && r.message == form.get("message").trim()
            });
            if twice {
                return Ok(ctx.done(&sent, "request_sent"));
            }
            let errors = field_errors(&ctx, &error, &["message", "priority"]);
            refused(profile_page(&state, &ctx, &slug, &id, Some(&form), errors).await)
        }
        Err(error) if error.status() == StatusCode::BAD_REQUEST => {
            let errors = field_errors(&ctx, &error, &["message", "priority"]);
            refused(profile_page(&state, &ctx, &slug, &id, Some(&form), errors).await)
        }
        Err(error) => Err(error.into()),
    }
}

/// `GET /e/{slug}/recommended`: the matcher's best counterparts, with reasons.
pub async fn recommended(State(state): State<AppState>, ctx: Ctx, Path(slug): Path<String>) -> WebResult {
    let organization = own(&ctx, &ctx.here)?;
    let event = by_slug(&state, &slug).await?;
    let slug = EventSlug::parse(&slug).map_err(|_| ApiError::not_found("event"))?;
    let found = recommendations::for_organization(&state.store, organization, Some(&slug), 20).await?;
    let items: Vec<_> = found
        .items
        .iter()
        .map(|item| {
            context! {
                id => item.id, name => &item.name,
                score => format!("{:.0}%", item.score * 100.0),
                reasons => item.reasons.iter().map(|r| reason_text(ctx.lang, r)).collect::<Vec<_>>(),
            }
        })
        .collect();
    ctx.render(&state, "recommended.html", context! { event => EventInfo::of(&event), items => items }).await
}

#[derive(Debug, Serialize)]
struct RequestItem {
    id: i64,
    counterpart: OrgRef,
    message: String,
    note: String,
    status: String,
    status_label: &'static str,
    priority_label: &'static str,
    when: String,
}

fn mailbox(raw: Option<&str>) -> &'static str {
    if query(raw).get("box").is_some_and(|b| b == "outbox") { "outbox" } else { "inbox" }
}

/// `GET /e/{slug}/requests?box=inbox|outbox`: requests with their status.
pub async fn requests(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    RawQuery(raw): RawQuery,
) -> WebResult {
    own(&ctx, &ctx.here)?;
    requests_page(&state, &ctx, &slug, mailbox(raw.as_deref()), None).await
}

async fn requests_page(
    state: &AppState,
    ctx: &Ctx,
    slug: &str,
    box_: &'static str,
    error: Option<String>,
) -> WebResult {
    let event = by_slug(state, slug).await?;
    let zone = crate::events::zone(&event);
    let mut boxes = HashMap::new();
    for name in ["inbox", "outbox"] {
        let params = Params::from_pairs([("box", name)]);
        let Json(list) =
            meetings::requests(State(state.clone()), ctx.caller.clone(), Path(slug.to_owned()), params).await?;
        boxes.insert(name, list.items);
    }
    let counts = context! { inbox => boxes["inbox"].len(), outbox => boxes["outbox"].len() };
    let items: Vec<RequestItem> = boxes
        .remove(box_)
        .unwrap_or_default()
        .into_iter()
        .map(|r| RequestItem {
            id: r.id,
            counterpart: if box_ == "inbox" { r.from } else { r.to },
            message: r.message,
            note: r.note,
            status_label: i18n::text(ctx.lang, &format!("status.{}", r.status)),
            status: r.status,
            priority_label: i18n::text(ctx.lang, &format!("priority.{}", r.priority)),
            when: jiff::Timestamp::from_second(r.created_at)
                .map(|at| i18n::moment(ctx.lang, at, &zone))
                .unwrap_or_default(),
        })
        .collect();
    let page =
        context! { event => EventInfo::of(&event), mailbox => box_, items => items, counts => counts, error => error };
    ctx.render(state, "requests.html", page).await
}

/// `POST /e/{slug}/requests/{id}`: accept or decline (with a note), or cancel.
pub async fn answer(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, id)): Path<(String, String)>,
    form: Form,
) -> WebResult {
    let action = form.get("action");
    let box_ = if action == "cancel" { "outbox" } else { "inbox" };
    let back = format!("/e/{slug}/requests?box={box_}");
    let ctx = ctx.showing(&back);
    own(&ctx, &back)?;
    let path = Path((slug.clone(), id));
    let (caller, note) = (ctx.caller.clone(), form.optional("note"));
    let answered = match action {
        "accept" => {
            meetings::accept(State(state.clone()), caller, path, Body(AnswerBody { note })).await.map(|_| "accepted")
        }
        "decline" => {
            meetings::decline(State(state.clone()), caller, path, Body(AnswerBody { note })).await.map(|_| "declined")
        }
        "cancel" => meetings::cancel(State(state.clone()), caller, path).await.map(|_| "cancelled"),
        _ => Err(ApiError::invalid("action", "must be accept, decline or cancel")),
    };
    match answered {
        Ok(done) => Ok(ctx.done(&back, done)),
        Err(error) if error.status().is_client_error() && error.status() != StatusCode::UNAUTHORIZED => {
            let message = i18n::error(ctx.lang, error.detail());
            refused(requests_page(&state, &ctx, &slug, box_, Some(message)).await)
        }
        Err(error) => Err(error.into()),
    }
}

#[derive(Debug, Serialize)]
struct AgendaItem {
    id: i64,
    /// Whether the meeting has taken place, so that its outcome can be recorded.
    happened: bool,
    /// This side's recorded outcome.
    outcome: Option<String>,
    time: String,
    table: String,
    counterpart: OrgRef,
    status_label: &'static str,
}

#[derive(Debug, Serialize)]
struct AgendaDay {
    date: String,
    meetings: Vec<AgendaItem>,
}

/// The member's meetings by day, and those accepted but not placed (or not published) yet.
async fn agenda_days(state: &AppState, ctx: &Ctx, slug: &str) -> Result<(Vec<AgendaDay>, Vec<AgendaItem>), WebError> {
    let organization = own(ctx, &ctx.here)?;
    let Json(agenda) =
        meetings::agenda(State(state.clone()), ctx.caller.clone(), Path(slug.to_owned()), Params::default()).await?;
    let counterpart =
        |m: &MeetingView| if m.startup.id == organization { m.investor.clone() } else { m.startup.clone() };
    let mut days: Vec<AgendaDay> = Vec::new();
    let mut waiting = Vec::new();
    for m in agenda.items.iter().filter(|m| m.status != "cancelled") {
        let mine = if m.startup.id == organization { &m.startup_outcome } else { &m.investor_outcome };
        let item = AgendaItem {
            id: m.id,
            happened: matches!(m.status.as_str(), "held" | "checked-in"),
            outcome: mine.clone(),
            time: match (&m.start, &m.end) {
                (Some(start), Some(end)) => format!("{}–{}", i18n::time_of(start), i18n::time_of(end)),
                _ => String::new(),
            },
            table: m.table.map(|t| t.to_string()).unwrap_or_default(),
            counterpart: counterpart(m),
            status_label: i18n::text(ctx.lang, &format!("status.{}", m.status)),
        };
        match &m.start {
            Some(start) => {
                let date = i18n::date_of(ctx.lang, start);
                match days.last_mut() {
                    Some(day) if day.date == date => day.meetings.push(item),
                    _ => days.push(AgendaDay { date, meetings: vec![item] }),
                }
            }
            None => waiting.push(item),
        }
    }
    Ok((days, waiting))
}

/// `GET /e/{slug}/agenda`: my meetings by slot with their tables; `.ics` and print links.
pub async fn agenda(State(state): State<AppState>, ctx: Ctx, Path(slug): Path<String>) -> WebResult {
    let event = by_slug(&state, &slug).await?;
    let (days, waiting) = agenda_days(&state, &ctx, &slug).await?;
    let outcomes: Vec<_> = ketnoi_store::OUTCOMES
        .iter()
        .map(|o| views::Choice { value: (*o).to_owned(), label: ctx.t(&format!("outcome.{o}")).to_owned() })
        .collect();
    let page = context! { event => EventInfo::of(&event), days => days, waiting => waiting, outcomes => outcomes };
    ctx.render(&state, "agenda.html", page).await
}

/// `POST /e/{slug}/agenda/{id}/outcome`: what came of a meeting, for my side.
pub async fn record_outcome(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, id)): Path<(String, String)>,
    form: Form,
) -> WebResult {
    let back = format!("/e/{slug}/agenda");
    own(&ctx, &back)?;
    if form.get("outcome").is_empty() {
        return Ok(axum::response::Redirect::to(&back).into_response());
    }
    let body = Body(OutcomeBody { outcome: form.get("outcome").to_owned() });
    let Json(_recorded) = meetings::outcome(State(state.clone()), ctx.caller.clone(), Path((slug, id)), body).await?;
    Ok(ctx.done(&back, "saved"))
}

/// `GET /e/{slug}/agenda/print`: the agenda on a clean A4 page.
pub async fn agenda_print(State(state): State<AppState>, ctx: Ctx, Path(slug): Path<String>) -> WebResult {
    let event = by_slug(&state, &slug).await?;
    let (days, _) = agenda_days(&state, &ctx, &slug).await?;
    let organization = state.store.organization(own(&ctx, &ctx.here)?).await?.profile.name;
    let page = context! { event => EventInfo::of(&event), days => days, organization => organization };
    ctx.render(&state, "agenda_print.html", page).await
}

/// `GET /e/{slug}/profile`: my organization's profile, to edit.
pub async fn my_profile_page(State(state): State<AppState>, ctx: Ctx, Path(slug): Path<String>) -> WebResult {
    let organization = own(&ctx, &ctx.here)?;
    let Json(view) =
        organizations::get(State(state.clone()), ctx.caller.clone(), Path(organization.to_string())).await?;
    let values = views::profile_values(&view);
    my_profile(&state, &ctx, &slug, organization, view.kind.as_str(), values, BTreeMap::new()).await
}

async fn my_profile(
    state: &AppState,
    ctx: &Ctx,
    slug: &str,
    organization: i64,
    kind: &str,
    form: serde_json::Value,
    errors: BTreeMap<String, String>,
) -> WebResult {
    let event = by_slug(state, slug).await?;
    let page = context! {
        event => EventInfo::of(&event), organization => organization, kind => kind, form => form,
        errors => errors, options => views::options(ctx.lang),
    };
    ctx.render(state, "my_profile.html", page).await
}

/// `POST /e/{slug}/profile`: saves the profile, or shows the form again with each error by
/// its field.
pub async fn save_profile(State(state): State<AppState>, ctx: Ctx, Path(slug): Path<String>, form: Form) -> WebResult {
    let back = format!("/e/{slug}/profile");
    let ctx = ctx.showing(&back);
    let organization = own(&ctx, &back)?;
    let kind = state.store.organization(organization).await?.profile.kind();
    let values = views::form_values(&form);
    let body = match views::profile_body(&ctx, kind, &form) {
        Ok(body) => body,
        Err(errors) => {
            return refused(my_profile(&state, &ctx, &slug, organization, kind.as_str(), values, errors).await);
        }
    };
    let path = Path(organization.to_string());
    match organizations::update(State(state.clone()), ctx.caller.clone(), path, Body(body)).await {
        Ok(_) => Ok(ctx.done(&back, "saved")),
        Err(error) if error.status() == StatusCode::BAD_REQUEST => {
            let errors = field_errors(&ctx, &error, &PROFILE_FIELDS);
            refused(my_profile(&state, &ctx, &slug, organization, kind.as_str(), values, errors).await)
        }
        Err(error) => Err(error.into()),
    }
}

/// `GET /e/{slug}/availability`: the slots as a grid; a ticked slot is one I cannot attend.
pub async fn availability(State(state): State<AppState>, ctx: Ctx, Path(slug): Path<String>) -> WebResult {
    own(&ctx, &ctx.here)?;
    let event = by_slug(&state, &slug).await?;
    let Json(current) =
        meetings::availability(State(state.clone()), ctx.caller.clone(), Path(slug.clone()), Params::default()).await?;
    let zone = crate::events::zone(&event);
    let slots = state.store.slots(event.id).await?;
    let mut days: Vec<(String, Vec<minijinja::Value>)> = Vec::new();
    for slot in &slots {
        let local = slot.starts_at.to_zoned_datetime(zone.clone());
        let date = i18n::date(ctx.lang, local.date());
        let cell = context! {
            code => &slot.code, time => local.strftime("%H:%M").to_string(),
            unavailable => current.unavailable.contains(&slot.code),
        };
        match days.last_mut() {
            Some((day, cells)) if *day == date => cells.push(cell),
            _ => days.push((date, vec![cell])),
        }
    }
    let days: Vec<_> = days.into_iter().map(|(date, slots)| context! { date => date, slots => slots }).collect();
    let page = context! { event => EventInfo::of(&event), days => days, slots => !slots.is_empty() };
    ctx.render(&state, "availability.html", page).await
}

/// `POST /e/{slug}/availability`: saves the slots I cannot attend.
pub async fn save_availability(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    form: Form,
) -> WebResult {
    let back = format!("/e/{slug}/availability");
    own(&ctx, &back)?;
    let body = Availability { unavailable: form.all("unavailable") };
    let Json(_saved) =
        meetings::set_availability(State(state.clone()), ctx.caller.clone(), Path(slug), Params::default(), Body(body))
            .await?;
    Ok(ctx.done(&back, "saved"))
}
