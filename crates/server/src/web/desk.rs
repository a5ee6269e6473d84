//! The organisers at the desk and the instance's administrator: an event's settings (quotas,
//! request expiry, matching weights), finding a participant and marking the slots they cannot
//! attend; the administrator's events, a new event, and naming its organisers. Every page works
//! on the use cases of `ketnoi-app` (`desk`, `admin`, `meetings`), as the API does.

use std::collections::BTreeMap;

use axum::extract::{Path, RawQuery, State};
use ketnoi_app::AppError;
use ketnoi_app::admin::{NewEventInput, NewOrganiserInput};
use ketnoi_app::desk::SettingsInput;
use ketnoi_app::meetings::Availability;
use ketnoi_domain::matching::Weights;
use ketnoi_domain::rules::Resource;
use ketnoi_store::{DEFAULT_TIME_ZONE, Event};
use minijinja::{Value, context};
use serde::Serialize;

use super::views::{Choice, EventInfo};
use super::{Ctx, Form, WebError, WebResult, field_errors, i18n, one_line, query, refusal, refused};
use crate::AppState;

/// The event, for its organiser only: others are sent to sign in, or told it is not there.
async fn organised(state: &AppState, ctx: &Ctx, slug: &str, next: &str) -> Result<Event, WebError> {
    ctx.require_sign_in(next)?;
    Ok(state.app.managed(&ctx.caller, slug).await?)
}

fn settings_path(slug: &str) -> String {
    format!("/e/{slug}/organise/settings")
}

fn participants_path(slug: &str) -> String {
    format!("/e/{slug}/organise/participants")
}

fn availability_path(slug: &str, id: i64) -> String {
    format!("/e/{slug}/organise/participants/{id}/availability")
}

/// The settings form's fields, in order: the rules, then the weights.
const SETTINGS_FIELDS: [&str; 10] = [
    "request_quota",
    "meeting_quota",
    "request_ttl_hours",
    "digest_hours",
    "reminder_minutes",
    "weight_sector",
    "weight_stage",
    "weight_ticket",
    "weight_geography",
    "weight_text",
];

/// A weight's form field for the use case's field (`sector` is `weight_sector`).
fn weight_field(field: &str) -> Option<&'static str> {
    match field {
        "sector" => Some("weight_sector"),
        "stage" => Some("weight_stage"),
        "ticket" => Some("weight_ticket"),
        "geography" => Some("weight_geography"),
        "text" => Some("weight_text"),
        _ => None,
    }
}

/// The settings as the form shows them, by the form's field names.
fn settings_values(input: &SettingsInput) -> BTreeMap<&'static str, String> {
    BTreeMap::from([
        ("request_quota", input.request_quota.clone()),
        ("meeting_quota", input.meeting_quota.clone()),
        ("request_ttl_hours", input.request_ttl_hours.clone()),
        ("digest_hours", input.digest_hours.clone()),
        ("reminder_minutes", input.reminder_minutes.clone()),
        ("weight_sector", input.sector.clone()),
        ("weight_stage", input.stage.clone()),
        ("weight_ticket", input.ticket.clone()),
        ("weight_geography", input.geography.clone()),
        ("weight_text", input.text.clone()),
    ])
}

/// The settings a form sent, as typed.
fn settings_input(form: &Form) -> SettingsInput {
    let typed = |name: &str| form.get(name).to_owned();
    SettingsInput {
        request_quota: typed("request_quota"),
        meeting_quota: typed("meeting_quota"),
        request_ttl_hours: typed("request_ttl_hours"),
        digest_hours: typed("digest_hours"),
        reminder_minutes: typed("reminder_minutes"),
        sector: typed("weight_sector"),
        stage: typed("weight_stage"),
        ticket: typed("weight_ticket"),
        geography: typed("weight_geography"),
        text: typed("weight_text"),
    }
}

/// `GET /e/{slug}/organise/settings`: the quotas, the request expiry and the matching weights
/// in force, in words.
pub async fn settings(State(state): State<AppState>, ctx: Ctx, Path(slug): Path<String>) -> WebResult {
    let event = organised(&state, &ctx, &slug, &ctx.here).await?;
    let current = state.app.event_settings(&ctx.caller, &slug).await?;
    settings_page(&state, &ctx, &event, &SettingsInput::of(&current), BTreeMap::new()).await
}

async fn settings_page(
    state: &AppState,
    ctx: &Ctx,
    event: &Event,
    input: &SettingsInput,
    errors: BTreeMap<String, String>,
) -> WebResult {
    let defaults = Weights::default();
    let default = |value: f64| i18n::fill(ctx.lang, "settings.default", &[("value", value.to_string())]);
    let weights: Vec<Value> = [
        ("weight_sector", defaults.sector),
        ("weight_stage", defaults.stage),
        ("weight_ticket", defaults.ticket),
        ("weight_geography", defaults.geography),
        ("weight_text", defaults.text),
    ]
    .into_iter()
    .map(|(name, value)| context! { name => name, hint => default(value) })
    .collect();
    let rules: Vec<Value> = [
        ("request_quota", "settings.request_quota_hint"),
        ("meeting_quota", "settings.meeting_quota_hint"),
        ("request_ttl_hours", "settings.request_ttl_hint"),
        ("digest_hours", "settings.digest_hint"),
        ("reminder_minutes", "settings.reminder_hint"),
    ]
    .into_iter()
    .map(|(name, hint)| context! { name => name, hint => ctx.t(hint) })
    .collect();
    let page = context! {
        event => EventInfo::of(event, ctx.lang), form => settings_values(input), errors => errors,
        rules => rules, weights => weights,
    };
    ctx.render(state, "organise_settings.html", page).await
}

/// `POST /e/{slug}/organise/settings`: saves the quotas, expiry and weights, all or nothing;
/// refused, the form comes back as typed with every problem next to its field.
pub async fn save_settings(State(state): State<AppState>, ctx: Ctx, Path(slug): Path<String>, form: Form) -> WebResult {
    let back = settings_path(&slug);
    let ctx = ctx.showing(&back);
    let event = organised(&state, &ctx, &slug, &back).await?;
    let input = settings_input(&form);
    match state.app.save_settings(&ctx.caller, &slug, &input).await {
        Ok(_) => Ok(ctx.done(&back, "saved")),
        Err(error) if refusal(&error) => {
            let errors = field_errors(&ctx, &error, &SETTINGS_FIELDS, &weight_field);
            refused(settings_page(&state, &ctx, &event, &input, errors).await)
        }
        Err(error) => Err(error.into()),
    }
}

#[derive(Debug, Serialize)]
struct Found {
    id: i64,
    name: String,
    kind: &'static str,
    link: String,
}

/// `GET /e/{slug}/organise/participants?q=`: the participants whose name holds the words
/// typed (case and diacritics ignored), each leading to their availability.
pub async fn participants(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    RawQuery(raw): RawQuery,
) -> WebResult {
    let event = organised(&state, &ctx, &slug, &ctx.here).await?;
    let typed = query(raw.as_deref()).remove("q").unwrap_or_default();
    let found = state.app.find_participants(&ctx.caller, &slug, &typed).await?;
    let items: Vec<Found> = found
        .items
        .into_iter()
        .map(|p| Found {
            link: availability_path(&slug, p.id),
            kind: i18n::text(ctx.lang, &format!("kind.{}", p.kind)),
            id: p.id,
            name: p.name,
        })
        .collect();
    let count = i18n::fill(ctx.lang, "participants.found", &[("n", found.total.to_string())]);
    let more = (found.total > items.len() as u64)
        .then(|| i18n::fill(ctx.lang, "participants.first", &[("shown", items.len().to_string())]));
    let page = context! {
        event => EventInfo::of(&event, ctx.lang), q => typed, items => items, count => count, more => more,
    };
    ctx.render(&state, "organise_participants.html", page).await
}

/// A participant's id from a path: anything else is not there.
fn participant_id(text: &str) -> Result<i64, WebError> {
    text.trim().parse().map_err(|_| WebError::App(AppError::NotFound(Resource::Participation)))
}

/// `GET /e/{slug}/organise/participants/{id}/availability`: the participant's slots as a
/// grid; a ticked slot is one they cannot attend.
pub async fn availability(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, id)): Path<(String, String)>,
) -> WebResult {
    let event = organised(&state, &ctx, &slug, &ctx.here).await?;
    let id = participant_id(&id)?;
    availability_page(&state, &ctx, &event, id, None).await
}

async fn availability_page(state: &AppState, ctx: &Ctx, event: &Event, id: i64, error: Option<String>) -> WebResult {
    let slug = event.slug.as_str();
    // Read first: a participant of another event is not there.
    let current = state.app.availability(&ctx.caller, slug, Some(id)).await?;
    let name = state.app.organization(&ctx.caller, id).await?.name;
    let slots = state.app.event_view(slug).await?.slots;
    let days = super::views::availability_days(ctx.lang, &slots, &current.unavailable);
    let page = context! {
        event => EventInfo::of(event, ctx.lang), days => days, slots => !slots.is_empty(),
        title => i18n::fill(ctx.lang, "participant.title", &[("name", name.clone())]),
        lead => i18n::fill(ctx.lang, "participant.lead", &[("name", name)]),
        action => availability_path(slug, id), back => participants_path(slug), error => error,
    };
    ctx.render(state, "organise_participant.html", page).await
}

/// `POST /e/{slug}/organise/participants/{id}/availability`: saves the slots the participant
/// cannot attend.
pub async fn save_availability(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, id)): Path<(String, String)>,
    form: Form,
) -> WebResult {
    let id = participant_id(&id)?;
    let back = availability_path(&slug, id);
    let ctx = ctx.showing(&back);
    let event = organised(&state, &ctx, &slug, &back).await?;
    let body = Availability { unavailable: form.all("unavailable") };
    match state.app.set_availability(&ctx.caller, &slug, Some(id), &body).await {
        Ok(_) => Ok(ctx.done(&back, "saved")),
        Err(error) if refusal(&error) => {
            refused(availability_page(&state, &ctx, &event, id, Some(one_line(&ctx, &error))).await)
        }
        Err(error) => Err(error.into()),
    }
}

/// The time zones the new event form offers, Vietnam's first.
const ZONES: [&str; 14] = [
    DEFAULT_TIME_ZONE,
    "Asia/Bangkok",
    "Asia/Singapore",
    "Asia/Shanghai",
    "Asia/Seoul",
    "Asia/Tokyo",
    "Australia/Sydney",
    "Europe/London",
    "Europe/Paris",
    "Europe/Berlin",
    "Europe/Amsterdam",
    "America/New_York",
    "America/Los_Angeles",
    "UTC",
];

/// The new event form's fields.
const EVENT_FIELDS: [&str; 4] = ["slug", "event_name", "venue", "time_zone"];

/// The administrator's page must not be shown to anyone else: they are sent to sign in, or
/// told it is not there (by the use case).
fn signed_in(ctx: &Ctx, next: &str) -> Result<(), WebError> {
    ctx.require_sign_in(next)
}

/// `GET /admin`: the instance's events, and a form to create one.
pub async fn admin(State(state): State<AppState>, ctx: Ctx) -> WebResult {
    signed_in(&ctx, &ctx.here)?;
    let form = BTreeMap::from([("time_zone", DEFAULT_TIME_ZONE.to_owned())]);
    admin_page(&state, &ctx, form, BTreeMap::new()).await
}

async fn admin_page(
    state: &AppState,
    ctx: &Ctx,
    form: BTreeMap<&'static str, String>,
    errors: BTreeMap<String, String>,
) -> WebResult {
    let events: Vec<Value> = state
        .app
        .admin_events(&ctx.caller)
        .await?
        .into_iter()
        .map(|e| {
            let status = i18n::text(ctx.lang, &format!("event-status.{}", e.status));
            context! {
                slug => e.slug, name => e.name, venue => e.venue, status => status,
                participants => e.startups + e.investors,
            }
        })
        .collect();
    let now = jiff::Timestamp::now();
    let zones: Vec<Choice> = ZONES
        .iter()
        .map(|zone| Choice { value: (*zone).to_owned(), label: ketnoi_domain::i18n::zone_label(ctx.lang, zone, now) })
        .collect();
    let page = context! { events => events, zones => zones, form => form, errors => errors };
    ctx.render(state, "admin.html", page).await
}

/// `POST /admin/events`: creates an event, then to its page to name its organisers; refused,
/// the form comes back as typed with every problem next to its field.
pub async fn create_event(State(state): State<AppState>, ctx: Ctx, form: Form) -> WebResult {
    let ctx = ctx.showing("/admin");
    signed_in(&ctx, "/admin")?;
    let input = NewEventInput {
        slug: form.get("slug").to_owned(),
        name: form.get("event_name").to_owned(),
        venue: form.get("venue").to_owned(),
        time_zone: form.get("time_zone").to_owned(),
    };
    match state.app.create_event(&ctx.caller, &input).await {
        Ok(event) => Ok(ctx.done(&format!("/admin/events/{}", event.slug), "event_created")),
        Err(error) if refusal(&error) => {
            let rename = |field: &str| (field == "name").then_some("event_name");
            let errors = field_errors(&ctx, &error, &EVENT_FIELDS, &rename);
            let typed = BTreeMap::from([
                ("slug", input.slug),
                ("event_name", input.name),
                ("venue", input.venue),
                ("time_zone", input.time_zone),
            ]);
            refused(admin_page(&state, &ctx, typed, errors).await)
        }
        Err(error) => Err(error.into()),
    }
}

/// The organiser form's fields.
const ORGANISER_FIELDS: [&str; 2] = ["organiser_email", "organiser_name"];

fn admin_event_path(slug: &str) -> String {
    format!("/admin/events/{slug}")
}

/// `GET /admin/events/{slug}`: the event, its organisers, and a form to name one.
pub async fn admin_event(State(state): State<AppState>, ctx: Ctx, Path(slug): Path<String>) -> WebResult {
    signed_in(&ctx, &ctx.here)?;
    admin_event_page(&state, &ctx, &slug, BTreeMap::new(), BTreeMap::new()).await
}

async fn admin_event_page(
    state: &AppState,
    ctx: &Ctx,
    slug: &str,
    form: BTreeMap<&'static str, String>,
    errors: BTreeMap<String, String>,
) -> WebResult {
    let (event, organisers) = state.app.event_organisers(&ctx.caller, slug).await?;
    let status = i18n::text(ctx.lang, &format!("event-status.{}", event.status.as_str()));
    let page = context! {
        event => EventInfo::of(&event, ctx.lang), status => status, organisers => organisers, form => form,
        errors => errors,
    };
    ctx.render(state, "admin_event.html", page).await
}

/// `POST /admin/events/{slug}/organisers`: names an organiser, who is mailed a link to choose
/// a password in the language of this page.
pub async fn name_organiser(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    form: Form,
) -> WebResult {
    let back = admin_event_path(&slug);
    let ctx = ctx.showing(&back);
    signed_in(&ctx, &back)?;
    let input = NewOrganiserInput {
        email: form.get("organiser_email").to_owned(),
        display_name: form.get("organiser_name").to_owned(),
        language: ctx.lang,
    };
    match state.app.name_organiser(&ctx.caller, &slug, &input).await {
        Ok(_) => Ok(ctx.done(&back, "organiser_named")),
        Err(error) if refusal(&error) => {
            let rename = |field: &str| match field {
                "email" => Some("organiser_email"),
                "display_name" => Some("organiser_name"),
                _ => None,
            };
            let errors = field_errors(&ctx, &error, &ORGANISER_FIELDS, &rename);
            let typed = BTreeMap::from([("organiser_email", input.email), ("organiser_name", input.display_name)]);
            refused(admin_event_page(&state, &ctx, &slug, typed, errors).await)
        }
        Err(error) => Err(error.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every notice and label these pages build exists in the catalogue.
    #[test]
    fn every_message_the_desk_builds_is_in_the_catalogue() {
        let mut keys: Vec<String> = ["done.event_created", "done.organiser_named", "settings.default"]
            .iter()
            .map(|k| (*k).to_owned())
            .collect();
        keys.extend(SETTINGS_FIELDS.iter().chain(&EVENT_FIELDS).chain(&ORGANISER_FIELDS).map(|f| format!("field.{f}")));
        keys.extend(["draft", "open", "scheduled", "published", "closed"].iter().map(|s| format!("event-status.{s}")));
        keys.extend(
            ["participants.found", "participants.first", "participant.title", "participant.lead"].map(str::to_owned),
        );
        let missing: Vec<&String> = keys.iter().filter(|k| !i18n::has(k)).collect();
        assert!(missing.is_empty(), "missing from the catalogue: {missing:?}");
        for zone in ZONES {
            assert!(i18n::has(&format!("zone.{zone}")), "{zone} has no name");
        }
    }

    #[test]
    fn every_weight_is_a_field_of_the_form() {
        for field in ["sector", "stage", "ticket", "geography", "text"] {
            let renamed = weight_field(field).unwrap_or_default();
            assert!(SETTINGS_FIELDS.contains(&renamed), "{field}");
        }
        assert_eq!(weight_field("request_quota"), None);
    }
}
