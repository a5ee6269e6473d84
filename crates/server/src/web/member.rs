//! A participant's pages: recommendations, requests, agenda, profile and availability.

use std::collections::{BTreeMap, HashMap};

use axum::extract::{Path, RawQuery, State};
use ketnoi_app::AppError;
use ketnoi_app::meetings::{AnswerBody, Availability, MeetingView, NewRequest, OrgRef, OutcomeBody};
use ketnoi_domain::event::EventSlug;
use ketnoi_domain::rules::{MeetingStatus, Refusal, Resource};
use ketnoi_store::Mailbox;
use minijinja::context;
use serde::Serialize;

use super::public::{id, profile_page, reason_text};
use super::views::{self, EventInfo, PROFILE_FIELDS};
use super::{Ctx, Form, WebError, WebResult, field_errors, i18n, query, refusal, refused};
use crate::AppState;

/// The signed-in member's organization, or the sign-in page (then back to `next`).
fn own(ctx: &Ctx, next: &str) -> Result<i64, WebError> {
    ctx.require_sign_in(next)?;
    ctx.organization().ok_or_else(WebError::not_found)
}

/// A request's or meeting's id from a path: anything else is not there.
fn numeric(text: &str, resource: Resource) -> Result<i64, WebError> {
    text.parse().map_err(|_| WebError::App(AppError::NotFound(resource)))
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
    own(&ctx, &back)?;
    let to = self::id(&id)?;
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
    match state.app.send_request(&ctx.caller, &slug, &body).await {
        Ok(_) => Ok(ctx.done(&sent, "request_sent")),
        // Sent twice (a double click): the second finds the first.
        Err(AppError::Refused(Refusal::RequestExists { .. }))
            if state.app.sent_already(&ctx.caller, &slug, &body).await? =>
        {
            Ok(ctx.done(&sent, "request_sent"))
        }
        Err(error) if refusal(&error) => {
            let errors = field_errors(&ctx, &error, &["message", "priority"], &|_| None);
            refused(profile_page(&state, &ctx, &slug, &id, Some(&form), errors).await)
        }
        Err(error) => Err(error.into()),
    }
}

/// `GET /e/{slug}/recommended`: the matcher's best counterparts, with reasons.
pub async fn recommended(State(state): State<AppState>, ctx: Ctx, Path(slug): Path<String>) -> WebResult {
    let organization = own(&ctx, &ctx.here)?;
    let event = state.app.event(&slug).await?;
    let slug = EventSlug::parse(&slug).map_err(|_| AppError::NotFound(Resource::Event))?;
    let found = state.app.recommendations(&ctx.caller, organization, Some(&slug), 20).await?;
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
    ctx.render(&state, "recommended.html", context! { event => EventInfo::of(&event, ctx.lang), items => items }).await
}

#[derive(Debug, Serialize)]
struct RequestItem {
    id: i64,
    counterpart: OrgRef,
    /// The counterpart's sectors, stage or investor type, and country.
    facts: String,
    /// Its funding ask or ticket.
    money: Option<views::Choice>,
    /// How well it fits, with the matcher's reasons.
    score: Option<String>,
    reasons: Vec<String>,
    message: String,
    note: String,
    status: String,
    status_label: &'static str,
    priority_label: &'static str,
    when: String,
}

/// The box asked for; none when the address does not say.
fn mailbox(raw: Option<&str>) -> Option<&'static str> {
    query(raw).get("box").map(|b| if b == "outbox" { "outbox" } else { "inbox" })
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
    asked: Option<&'static str>,
    error: Option<String>,
) -> WebResult {
    let event = state.app.event(slug).await?;
    let zone = ketnoi_app::zone(&event);
    let mut boxes = HashMap::new();
    for (name, mailbox) in [("inbox", Mailbox::Inbox), ("outbox", Mailbox::Outbox)] {
        boxes.insert(name, state.app.requests(&ctx.caller, slug, mailbox).await?.items);
    }
    let counts = context! { inbox => boxes["inbox"].len(), outbox => boxes["outbox"].len() };
    // Without a box asked for, the one that has requests: the received ones first.
    let box_ =
        asked.unwrap_or(if boxes["inbox"].is_empty() && !boxes["outbox"].is_empty() { "outbox" } else { "inbox" });
    let requests = boxes.remove(box_).unwrap_or_default();
    let side = |r: &ketnoi_app::meetings::RequestView| if box_ == "inbox" { r.from.id } else { r.to.id };
    let ids: Vec<i64> = requests.iter().map(side).collect();
    let counterparts = state.app.counterparts(&ctx.caller, slug, &ids).await?;
    let items: Vec<RequestItem> = requests
        .into_iter()
        .map(|r| {
            let counterpart = counterparts.get(&side(&r));
            RequestItem {
                facts: counterpart.map(|(view, _)| views::facts(ctx.lang, view)).unwrap_or_default(),
                money: counterpart.and_then(|(view, _)| views::money_line(ctx.lang, view)),
                score: counterpart.and_then(|(_, fit)| fit.as_ref()).map(|fit| format!("{:.0}%", fit.score * 100.0)),
                reasons: counterpart
                    .and_then(|(_, fit)| fit.as_ref())
                    .map(|fit| fit.reasons.iter().map(|reason| reason_text(ctx.lang, reason)).collect())
                    .unwrap_or_default(),
                id: r.id,
                counterpart: if box_ == "inbox" { r.from } else { r.to },
                message: r.message,
                note: r.note,
                status_label: i18n::text(ctx.lang, &format!("status.{}", r.status)),
                status: r.status.as_str().to_owned(),
                priority_label: i18n::text(ctx.lang, &format!("priority.{}", r.priority.get())),
                when: jiff::Timestamp::from_second(r.created_at)
                    .map(|at| i18n::moment(ctx.lang, at, &zone))
                    .unwrap_or_default(),
            }
        })
        .collect();
    let page = context! { event => EventInfo::of(&event, ctx.lang), mailbox => box_, items => items, counts => counts, error => error };
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
    let request = numeric(&id, Resource::Request)?;
    if matches!(action, "decline" | "cancel") {
        let name = form.get("counterpart").to_owned();
        let question = i18n::fill(ctx.lang, &format!("confirm.{action}"), &[("name", name)]);
        let path = format!("/e/{slug}/requests/{request}");
        let button = format!("confirm.{action}_yes");
        if let Some(page) = ctx.confirm_first(&state, &form, &path, question, &button, &back).await {
            return page;
        }
    }
    let (app, caller) = (&state.app, &ctx.caller);
    let answer = AnswerBody { note: form.optional("note") };
    let answered = match action {
        "accept" => app.answer_request(caller, &slug, request, true, &answer).await.map(|_| "accepted"),
        "decline" => app.answer_request(caller, &slug, request, false, &answer).await.map(|_| "declined"),
        "cancel" => app.cancel_request(caller, &slug, request).await.map(|_| "cancelled"),
        _ => return Err(WebError::not_found()),
    };
    match answered {
        Ok(done) => Ok(ctx.done(&back, done)),
        Err(error) if refusal(&error) => {
            let message = ctx.problem(&error);
            refused(requests_page(&state, &ctx, &slug, Some(box_), Some(message)).await)
        }
        Err(error) => Err(error.into()),
    }
}

#[derive(Debug, Serialize)]
struct AgendaItem {
    id: i64,
    /// Whether the meeting has taken place, so that its outcome can be recorded.
    happened: bool,
    /// This side's recorded outcome, rating (1–5) and wish to follow up.
    outcome: Option<String>,
    rating: Option<u8>,
    follow_up: bool,
    time: String,
    table: String,
    counterpart: OrgRef,
    status: String,
    status_label: &'static str,
    /// Moved or cancelled after publishing, and not yet seen on this agenda.
    changed: bool,
    /// It came from a meet-now proposal.
    rematched: bool,
    /// The amount this side gave with a deal.
    amount: Option<i64>,
}

#[derive(Debug, Serialize)]
struct AgendaDay {
    date: String,
    meetings: Vec<AgendaItem>,
}

/// The member's meetings by day, and those accepted but not placed (or not published) yet.
async fn agenda_days(state: &AppState, ctx: &Ctx, slug: &str) -> Result<(Vec<AgendaDay>, Vec<AgendaItem>), WebError> {
    let organization = own(ctx, &ctx.here)?;
    let agenda = state.app.agenda(&ctx.caller, slug, None).await?;
    let counterpart = |m: &MeetingView| m.counterpart(organization).clone();
    let mut days: Vec<AgendaDay> = Vec::new();
    let mut waiting = Vec::new();
    // A cancelled meeting stays on the agenda until its cancellation has been seen.
    for m in agenda.items.iter().filter(|m| m.status != MeetingStatus::Cancelled || m.changed) {
        let item = AgendaItem {
            id: m.id,
            happened: matches!(m.status, MeetingStatus::Held | MeetingStatus::CheckedIn),
            outcome: m.outcome_of(organization).map(|o| o.as_str().to_owned()),
            rating: if m.startup.id == organization { m.startup_feedback.rating } else { m.investor_feedback.rating },
            follow_up: if m.startup.id == organization {
                m.startup_feedback.follow_up.unwrap_or(false)
            } else {
                m.investor_feedback.follow_up.unwrap_or(false)
            },
            time: match (&m.start, &m.end) {
                (Some(start), Some(end)) => format!("{}–{}", i18n::time_of(start), i18n::time_of(end)),
                _ => String::new(),
            },
            table: m.table.map(|t| t.to_string()).unwrap_or_default(),
            counterpart: counterpart(m),
            status: m.status.to_string(),
            status_label: i18n::text(ctx.lang, &format!("status.{}", m.status)),
            changed: m.changed,
            rematched: m.rematched,
            amount: if m.startup.id == organization { m.startup_amount } else { m.investor_amount },
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

/// `GET /e/{slug}/agenda`: my meetings by slot with their tables; `.ics` and print links; my
/// meet-now proposals, and the slots I can say I am free in.
pub async fn agenda(State(state): State<AppState>, ctx: Ctx, Path(slug): Path<String>) -> WebResult {
    agenda_page(&state, &ctx, &slug, None).await
}

/// A meet-now proposal as my agenda shows it.
#[derive(Debug, Serialize)]
struct ProposalItem {
    id: i64,
    time: String,
    table: u32,
    counterpart: OrgRef,
    score: String,
    /// I accepted and wait for the other side.
    waiting: bool,
}

async fn agenda_page(state: &AppState, ctx: &Ctx, slug: &str, error: Option<String>) -> WebResult {
    let event = state.app.event(slug).await?;
    let (days, waiting) = agenda_days(state, ctx, slug).await?;
    let outcomes: Vec<_> = ketnoi_domain::rules::Outcome::ALL
        .iter()
        .map(|o| views::Choice { value: o.as_str().to_owned(), label: ctx.t(&format!("outcome.{o}")).to_owned() })
        .collect();
    // A member subscribes to their own meetings; an organiser looking on has no feed here.
    let (feed, proposals, free_slots) = match ctx.organization() {
        Some(organization) => {
            let feed = super::account::Subscription::of(&state.app.calendar_feed(&ctx.caller, false).await?.url);
            let proposals: Vec<ProposalItem> = state
                .app
                .meet_now(&ctx.caller, slug)
                .await?
                .items
                .into_iter()
                .map(|p| {
                    let mine_startup = p.startup.id == organization;
                    ProposalItem {
                        id: p.id,
                        time: format!("{}–{}", i18n::time_of(&p.start), i18n::time_of(&p.end)),
                        table: p.table,
                        counterpart: if mine_startup { p.investor } else { p.startup },
                        score: format!("{:.0}%", p.score * 100.0),
                        waiting: if mine_startup { p.startup_accepted } else { p.investor_accepted },
                    }
                })
                .collect();
            let free_slots: Vec<views::Choice> = state
                .app
                .open_slots(&ctx.caller, slug, 6)
                .await?
                .into_iter()
                .map(|s| views::Choice {
                    label: format!(
                        "{} {}–{}",
                        i18n::date_of(ctx.lang, &s.start),
                        i18n::time_of(&s.start),
                        i18n::time_of(&s.end)
                    ),
                    value: s.code,
                })
                .collect();
            (Some(feed), proposals, free_slots)
        }
        None => (None, Vec::new(), Vec::new()),
    };
    let changed = days.iter().flat_map(|d| &d.meetings).chain(&waiting).filter(|m| m.changed).count();
    let page = context! {
        event => EventInfo::of(&event, ctx.lang), days => days, waiting => waiting, outcomes => outcomes, feed => feed,
        changed => changed, proposals => proposals, free_slots => free_slots, error => error,
    };
    let page = ctx.render(state, "agenda.html", page).await;
    // Shown: the changes are marked this once.
    state.app.agenda_seen(&ctx.caller, slug).await?;
    page
}

/// The agenda again, with why the form's action was refused.
async fn agenda_refused(state: &AppState, ctx: &Ctx, slug: &str, error: &AppError) -> WebResult {
    refused(agenda_page(state, ctx, slug, Some(ctx.problem(error))).await)
}

/// `POST /e/{slug}/meet-now/{id}`: accept or decline a meet-now proposal for my side.
pub async fn answer_proposal(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, id)): Path<(String, String)>,
    form: Form,
) -> WebResult {
    let back = format!("/e/{slug}/agenda");
    let ctx = ctx.showing(&back);
    own(&ctx, &back)?;
    let proposal = numeric(&id, Resource::Proposal)?;
    let accept = match form.get("action") {
        "accept" => true,
        "decline" => false,
        _ => return Err(WebError::not_found()),
    };
    match state.app.answer_proposal(&ctx.caller, &slug, proposal, accept).await {
        Ok(view) if view.status == "met" => Ok(ctx.done(&back, "rematched")),
        Ok(_) if accept => Ok(ctx.done(&back, "proposal_accepted")),
        Ok(_) => Ok(ctx.done(&back, "declined")),
        Err(error) if refusal(&error) => agenda_refused(&state, &ctx, &slug, &error).await,
        Err(error) => Err(error.into()),
    }
}

/// `POST /e/{slug}/meet-now/free`: I am at the venue and free in a slot: propose meetings.
pub async fn mark_free(State(state): State<AppState>, ctx: Ctx, Path(slug): Path<String>, form: Form) -> WebResult {
    let back = format!("/e/{slug}/agenda");
    let ctx = ctx.showing(&back);
    own(&ctx, &back)?;
    let body = ketnoi_app::meet_now::FreeBody { slot: form.get("slot").to_owned() };
    match state.app.mark_free(&ctx.caller, &slug, &body).await {
        Ok(list) if list.items.is_empty() => Ok(ctx.done(&back, "free_none_yet")),
        Ok(_) => Ok(ctx.done(&back, "free_proposed")),
        Err(error) if refusal(&error) => agenda_refused(&state, &ctx, &slug, &error).await,
        Err(error) => Err(error.into()),
    }
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
    let meeting = numeric(&id, Resource::Meeting)?;
    if let Ok(rating) = form.get("rating").parse::<i64>() {
        let body = ketnoi_app::meetings::FeedbackBody { rating, follow_up: form.get("follow_up") == "yes" };
        state.app.record_feedback(&ctx.caller, &slug, meeting, &body).await?;
    }
    if !form.get("outcome").is_empty() {
        let amount = match form.get("amount").trim() {
            "" => Ok(None),
            text => text.replace(['.', ',', ' '], "").parse::<i64>().map(Some).map_err(|_| {
                AppError::invalid("amount", ketnoi_domain::validate::Issue::NotWholeNumber { value: text.to_owned() })
            }),
        };
        let recorded = match amount {
            Ok(amount) => {
                let body = OutcomeBody { outcome: form.get("outcome").to_owned(), amount };
                state.app.record_outcome(&ctx.caller, &slug, meeting, &body).await.map(|_| ())
            }
            Err(error) => Err(error),
        };
        match recorded {
            Ok(()) => {}
            Err(error) if refusal(&error) => return agenda_refused(&state, &ctx, &slug, &error).await,
            Err(error) => return Err(error.into()),
        }
    }
    Ok(ctx.done(&back, "saved"))
}

/// `GET /e/{slug}/agenda/print`: the agenda on a clean A4 page.
pub async fn agenda_print(State(state): State<AppState>, ctx: Ctx, Path(slug): Path<String>) -> WebResult {
    let event = state.app.event(&slug).await?;
    let (days, _) = agenda_days(&state, &ctx, &slug).await?;
    let organization = state.app.organization(&ctx.caller, own(&ctx, &ctx.here)?).await?.name;
    let page = context! { event => EventInfo::of(&event, ctx.lang), days => days, organization => organization };
    ctx.render(&state, "agenda_print.html", page).await
}

/// `GET /e/{slug}/profile`: my organization's profile, to edit.
pub async fn my_profile_page(State(state): State<AppState>, ctx: Ctx, Path(slug): Path<String>) -> WebResult {
    let organization = own(&ctx, &ctx.here)?;
    let view = state.app.organization(&ctx.caller, organization).await?;
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
    let event = state.app.event(slug).await?;
    let page = context! {
        event => EventInfo::of(&event, ctx.lang), organization => organization, kind => kind, form => form,
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
    let kind = state.app.organization(&ctx.caller, organization).await?.kind;
    let values = views::form_values(&form);
    let (body, mut errors) = views::profile_body(&ctx, kind, &form);
    if !errors.is_empty() {
        // Every problem of this submit at once: the rest of the form is checked too.
        if let Err(error) = state.app.check_organization(&ctx.caller, organization, &body).await {
            if !refusal(&error) {
                return Err(error.into());
            }
            for (field, message) in field_errors(&ctx, &error, &PROFILE_FIELDS, &|_| None) {
                errors.entry(field).or_insert(message);
            }
        }
        return refused(my_profile(&state, &ctx, &slug, organization, kind.as_str(), values, errors).await);
    }
    match state.app.update_organization(&ctx.caller, organization, &body).await {
        Ok(_) => Ok(ctx.done(&back, "saved")),
        Err(error) if refusal(&error) => {
            let errors = field_errors(&ctx, &error, &PROFILE_FIELDS, &|_| None);
            refused(my_profile(&state, &ctx, &slug, organization, kind.as_str(), values, errors).await)
        }
        Err(error) => Err(error.into()),
    }
}

/// `GET /e/{slug}/availability`: the slots as a grid; a ticked slot is one I cannot attend.
pub async fn availability(State(state): State<AppState>, ctx: Ctx, Path(slug): Path<String>) -> WebResult {
    own(&ctx, &ctx.here)?;
    let event = state.app.event(&slug).await?;
    let current = state.app.availability(&ctx.caller, &slug, None).await?;
    let slots = state.app.event_view(&slug).await?.slots;
    let days = views::availability_days(ctx.lang, &slots, &current.unavailable);
    let page = context! { event => EventInfo::of(&event, ctx.lang), days => days, slots => !slots.is_empty() };
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
    state.app.set_availability(&ctx.caller, &slug, None, &body).await?;
    Ok(ctx.done(&back, "saved"))
}
