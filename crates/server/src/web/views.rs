//! What several pages show alike: the event, taxonomy choices, an organization's facts, a
//! profile form and its values.

use std::collections::BTreeMap;

use ketnoi_domain::profile::OrgKind;
use ketnoi_domain::taxonomy::{InvestorType, Language, Sector, Stage};
use ketnoi_store::Event;
use serde::Serialize;
use serde_json::{Value as Json, json};

use super::i18n;
use super::{Ctx, Form};
use ketnoi_app::organizations::{AmountInput, OrganizationView, ProfileInput};

/// The event, as pages show it.
#[derive(Debug, Serialize)]
pub struct EventInfo {
    pub slug: String,
    pub name: String,
    pub venue: String,
    /// The tz database name, `Asia/Ho_Chi_Minh`.
    pub time_zone: String,
    /// The zone as people read it: `giờ Việt Nam (UTC+07:00)`.
    pub zone: String,
    /// The currency amounts are given in: `VND`.
    pub base_currency: String,
}

impl EventInfo {
    /// The event as its pages show it, in `lang`.
    pub fn of(event: &Event, lang: Language) -> EventInfo {
        EventInfo {
            slug: event.slug.to_string(),
            name: event.name.clone(),
            venue: event.venue.clone(),
            time_zone: event.time_zone.clone(),
            zone: ketnoi_domain::i18n::zone_label(lang, &event.time_zone, jiff::Timestamp::now()),
            base_currency: event.rates.base().to_string(),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct Choice {
    pub value: String,
    pub label: String,
}

fn choices<T: Copy>(all: &[T], code: fn(T) -> &'static str, label: impl Fn(T) -> &'static str) -> Vec<Choice> {
    all.iter().map(|v| Choice { value: code(*v).to_owned(), label: label(*v).to_owned() }).collect()
}

/// The currencies a form offers.
pub const CURRENCIES: [&str; 2] = ["VND", "USD"];

/// The taxonomy's choices, labelled in the page's language.
pub fn options(lang: Language) -> Json {
    json!({
        "sectors": choices(Sector::ALL, Sector::code, |s| s.label(lang)),
        "stages": choices(Stage::ALL, Stage::code, |s| s.label(lang)),
        "investor_types": choices(InvestorType::ALL, InvestorType::code, |t| t.label(lang)),
        "currencies": CURRENCIES.iter().map(|c| Choice { value: (*c).to_owned(), label: (*c).to_owned() }).collect::<Vec<_>>(),
    })
}

pub fn kind_choices(ctx: &Ctx) -> Vec<Choice> {
    [OrgKind::Startup, OrgKind::Investor]
        .iter()
        .map(|k| Choice { value: k.as_str().to_owned(), label: kind_label(ctx.lang, *k).to_owned() })
        .collect()
}

pub fn kind_label(lang: Language, kind: OrgKind) -> &'static str {
    i18n::text(lang, if kind == OrgKind::Startup { "kind.startup" } else { "kind.investor" })
}

fn investor_type_label(lang: Language, code: &str) -> String {
    InvestorType::parse(code).map(|t| t.label(lang).to_owned()).unwrap_or_else(|_| code.to_owned())
}

/// A country's name in the page's language (`VN`: Việt Nam).
pub fn country_name(lang: Language, code: &str) -> String {
    ketnoi_domain::i18n::country_name(lang, code)
}

/// One line of facts: sectors, then stage or investor type, then country.
pub fn facts(lang: Language, view: &OrganizationView) -> String {
    let mut parts: Vec<String> = vec![view.sectors.iter().map(|s| s.label(lang)).collect::<Vec<_>>().join(", ")];
    if let Some(stage) = view.stage {
        parts.push(stage.label(lang).to_owned());
    }
    if let Some(code) = &view.investor_type {
        parts.push(investor_type_label(lang, code));
    }
    if let Some(country) = &view.country {
        parts.push(country_name(lang, country));
    }
    parts.retain(|p| !p.is_empty());
    parts.join(" · ")
}

/// An investor's ticket, `500.000.000 ₫ – 2.000.000.000 ₫`; empty for none.
pub fn ticket(lang: Language, view: &OrganizationView) -> String {
    view.ticket
        .as_ref()
        .map(|r| format!("{} – {}", i18n::money(lang, r.min, &r.currency), i18n::money(lang, r.max, &r.currency)))
        .unwrap_or_default()
}

/// What money the organization brings to a meeting, labelled: a startup's ask or an
/// investor's ticket; none when the profile does not say.
pub fn money_line(lang: Language, view: &OrganizationView) -> Option<Choice> {
    let (label, value) = match &view.funding_ask {
        Some(ask) => ("field.funding_ask", i18n::money(lang, ask.amount, &ask.currency)),
        None => ("field.ticket", ticket(lang, view)),
    };
    (!value.is_empty()).then(|| Choice { value, label: i18n::text(lang, label).to_owned() })
}

/// Every public fact of a profile, labelled, for the profile page.
pub fn rows(lang: Language, view: &OrganizationView) -> Vec<Choice> {
    let t = |key| i18n::text(lang, key).to_owned();
    let mut rows = Vec::new();
    let mut push = |label: String, value: String| {
        if !value.is_empty() {
            rows.push(Choice { value, label });
        }
    };
    push(t("field.sectors"), view.sectors.iter().map(|s| s.label(lang)).collect::<Vec<_>>().join(", "));
    push(t("field.stage"), view.stage.map(|s| s.label(lang).to_owned()).unwrap_or_default());
    push(
        t("field.funding_ask"),
        view.funding_ask.as_ref().map(|a| i18n::money(lang, a.amount, &a.currency)).unwrap_or_default(),
    );
    push(t("field.founded"), view.founded.map(|y| y.to_string()).unwrap_or_default());
    push(t("field.team_size"), view.team_size.map(|n| n.to_string()).unwrap_or_default());
    push(
        t("field.investor_type"),
        view.investor_type.as_deref().map(|c| investor_type_label(lang, c)).unwrap_or_default(),
    );
    push(t("field.stages"), view.stages.iter().map(|s| s.label(lang)).collect::<Vec<_>>().join(", "));
    push(t("field.ticket"), ticket(lang, view));
    push(t("field.countries"), view.countries.iter().map(|c| country_name(lang, c)).collect::<Vec<_>>().join(", "));
    push(t("field.country"), view.country.as_deref().map(|c| country_name(lang, c)).unwrap_or_default());
    push(t("field.province"), view.province.clone());
    push(t("field.website"), view.website.clone().unwrap_or_default());
    push(t("field.org_email"), view.email.clone().unwrap_or_default());
    push(t("field.phone"), view.phone.clone().unwrap_or_default());
    rows
}

/// The fields of the profile form that take several values.
const MULTI: [&str; 2] = ["sectors", "stages"];

/// The profile form's values as sent, to show it again.
pub fn form_values(form: &Form) -> Json {
    let mut values: serde_json::Map<String, Json> =
        form.values().into_iter().map(|(k, v)| (k.to_owned(), Json::from(v))).collect();
    for name in MULTI {
        values.insert(name.to_owned(), json!(form.all(name)));
    }
    Json::Object(values)
}

/// The profile form's values from a stored profile.
pub fn profile_values(view: &OrganizationView) -> Json {
    let number = |n: Option<i64>| n.map(|n| n.to_string()).unwrap_or_default();
    let currency = view
        .funding_ask
        .as_ref()
        .map(|a| a.currency.clone())
        .or_else(|| view.ticket.as_ref().map(|t| t.currency.clone()))
        .unwrap_or_else(|| "VND".to_owned());
    json!({
        "kind": view.kind.as_str(),
        "name": view.name,
        "sectors": view.sectors.iter().map(|s| s.code()).collect::<Vec<_>>(),
        "country": view.country.clone().unwrap_or_default(),
        "province": view.province,
        "website": view.website.clone().unwrap_or_default(),
        "email": view.email.clone().unwrap_or_default(),
        "phone": view.phone.clone().unwrap_or_default(),
        "description": view.description,
        "stage": view.stage.map(|s| s.code()).unwrap_or_default(),
        "funding_ask": number(view.funding_ask.as_ref().map(|a| a.amount)),
        "founded": number(view.founded.map(i64::from)),
        "team_size": number(view.team_size.map(i64::from)),
        "investor_type": view.investor_type.clone().unwrap_or_default(),
        "stages": view.stages.iter().map(|s| s.code()).collect::<Vec<_>>(),
        "ticket_min": number(view.ticket.as_ref().map(|t| t.min)),
        "ticket_max": number(view.ticket.as_ref().map(|t| t.max)),
        "countries": view.countries.join(", "),
        "thesis": view.thesis,
        "currency": currency,
        "funding_private": view.funding_private.unwrap_or(false),
    })
}

/// A whole amount as typed, with or without thousands separators (`500.000.000`, `500,000`).
fn whole(form: &Form, name: &'static str, ctx: &Ctx, errors: &mut BTreeMap<String, String>) -> Option<i64> {
    let typed = form.get(name).trim();
    if typed.is_empty() {
        return None;
    }
    match i18n::amount(typed) {
        Some(n) => Some(n),
        None => {
            errors.insert(name.to_owned(), i18n::fill(ctx.lang, "form.whole_number", &[("value", typed.to_owned())]));
            None
        }
    }
}

/// The profile form as the use case's input, and the fields that are not numbers where numbers
/// are asked for (left out of the input); fields of the other kind are left out.
pub fn profile_body(ctx: &Ctx, kind: OrgKind, form: &Form) -> (ProfileInput, BTreeMap<String, String>) {
    let mut errors = BTreeMap::new();
    let mut body = ProfileInput {
        kind: Some(kind.as_str().to_owned()),
        name: form.get("name").to_owned(),
        sectors: form.all("sectors"),
        country: form.optional("country"),
        province: form.optional("province"),
        website: form.optional("website"),
        email: form.optional("email"),
        phone: form.optional("phone"),
        currency: form.optional("currency"),
        funding_private: form.get("funding_private") == "true",
        ..ProfileInput::default()
    };
    match kind {
        OrgKind::Startup => {
            body.description = form.optional("description");
            body.stage = Some(form.get("stage").to_owned());
            body.funding_ask = whole(form, "funding_ask", ctx, &mut errors).map(AmountInput::Number);
            body.founded = whole(form, "founded", ctx, &mut errors);
            body.team_size = whole(form, "team_size", ctx, &mut errors);
        }
        OrgKind::Investor => {
            body.investor_type = Some(form.get("investor_type").to_owned());
            body.stages = Some(form.all("stages"));
            body.ticket_min = whole(form, "ticket_min", ctx, &mut errors);
            body.ticket_max = whole(form, "ticket_max", ctx, &mut errors);
            let countries = form.get("countries").split([',', ';', ' ']).filter(|c| !c.is_empty());
            body.countries = Some(countries.map(str::to_owned).collect());
            body.thesis = form.optional("thesis");
        }
    }
    (body, errors)
}

/// The fields of the profile form, for placing each error next to its field.
pub const PROFILE_FIELDS: [&str; 20] = [
    "kind",
    "name",
    "sectors",
    "country",
    "province",
    "website",
    "email",
    "phone",
    "description",
    "currency",
    "stage",
    "funding_ask",
    "founded",
    "team_size",
    "investor_type",
    "stages",
    "ticket_min",
    "ticket_max",
    "countries",
    "thesis",
];

/// The event's slots by day, each ticked when it is among `unavailable` (slot codes): the grid
/// where a participant, or an organiser for one, marks the slots it cannot attend.
pub fn availability_days(
    lang: Language,
    slots: &[ketnoi_app::events::SlotView],
    unavailable: &[String],
) -> Vec<minijinja::Value> {
    let mut days: Vec<(String, Vec<minijinja::Value>)> = Vec::new();
    for slot in slots {
        let date = i18n::date_of(lang, &slot.start);
        let cell = minijinja::context! {
            code => &slot.code, time => i18n::time_of(&slot.start), unavailable => unavailable.contains(&slot.code),
        };
        match days.last_mut() {
            Some((day, cells)) if *day == date => cells.push(cell),
            _ => days.push((date, vec![cell])),
        }
    }
    days.into_iter().map(|(date, slots)| minijinja::context! { date => date, slots => slots }).collect()
}
