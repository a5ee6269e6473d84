//! `/api/v1/organizations`: the public showcase of an event's startups and investors.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use ketnoi_domain::access::{Action, OrgScope, authorize};
use ketnoi_domain::event::EventSlug;
use ketnoi_domain::money::{Currency, Money, Rates};
use ketnoi_domain::profile::limits::AMOUNT_MAX;
use ketnoi_domain::profile::{Details, OrgKind};
use ketnoi_domain::profile::{InvestorInput, StartupInput, ValidationContext};
use ketnoi_domain::taxonomy::{InvestorType, Sector, Stage};
use ketnoi_domain::validate::{Country, Email, ValidationErrors};
use ketnoi_search::{SearchIndex, SearchQuery};
use ketnoi_store::{Organization, OrganizationQuery, ProfileEdit};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, Problem};
use crate::json::Body;
use crate::params::Params;

/// The most items one page may hold, and the default page size.
pub const LIMIT_MAX: u64 = 100;
pub const LIMIT_DEFAULT: u64 = 20;
/// The furthest offset a listing accepts.
pub const OFFSET_MAX: u64 = 1_000_000;
/// The furthest offset a text search accepts: the index ranks offset + limit hits to page, so a
/// deep page costs memory and time on every request.
pub const SEARCH_OFFSET_MAX: u64 = 10_000;

#[derive(Debug, Serialize, ToSchema)]
pub struct Amount {
    pub amount: i64,
    pub currency: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TicketView {
    pub min: i64,
    pub max: i64,
    pub currency: String,
}

/// An organization's public profile: everything but contacts and private figures.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrganizationView {
    pub id: i64,
    #[schema(value_type = String, example = "startup")]
    pub kind: OrgKind,
    pub name: String,
    /// Sector codes.
    #[schema(value_type = Vec<String>, example = json!(["agritech"]))]
    pub sectors: Vec<Sector>,
    /// A startup's stage code.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, example = "seed")]
    pub stage: Option<Stage>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub province: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub website: Option<String>,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub description: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub funding_ask: Option<Amount>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub founded: Option<i16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub team_size: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub investor_type: Option<String>,
    /// An investor's stages of interest.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(value_type = Vec<String>)]
    pub stages: Vec<Stage>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ticket: Option<TicketView>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub countries: Vec<String>,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub thesis: String,
    /// Private: shown to the organization's members and its events' organisers only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Private, like `email`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// Whether the funding figures are hidden from the public; present in the private view.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub funding_private: Option<bool>,
}

impl OrganizationView {
    /// Everything: the public profile, contacts and private figures.
    pub fn private(organization: Organization) -> Self {
        let email = organization.profile.email.as_ref().map(|e| e.as_str().to_owned());
        let phone = organization.phone.clone();
        let private = organization.funding_private;
        let mut view = Self::public(Organization { funding_private: false, ..organization });
        view.email = email;
        view.phone = Some(phone);
        view.funding_private = Some(private);
        view
    }

    pub fn public(organization: Organization) -> Self {
        let profile = organization.profile;
        let private = organization.funding_private;
        let mut view = OrganizationView {
            id: organization.id,
            kind: match profile.details {
                Details::Startup(_) => OrgKind::Startup,
                Details::Investor(_) => OrgKind::Investor,
            },
            name: profile.name,
            sectors: profile.sectors,
            stage: None,
            country: profile.country.map(|c| c.to_string()),
            province: profile.province,
            website: profile.website.map(|w| w.as_str().to_owned()),
            description: profile.description,
            funding_ask: None,
            founded: None,
            team_size: None,
            investor_type: None,
            stages: Vec::new(),
            ticket: None,
            countries: Vec::new(),
            thesis: String::new(),
            email: None,
            phone: None,
            funding_private: None,
        };
        match profile.details {
            Details::Startup(startup) => {
                view.stage = Some(startup.stage);
                view.founded = startup.founded;
                view.team_size = startup.team_size;
                if !private {
                    view.funding_ask =
                        startup.funding_ask.map(|m| Amount { amount: m.amount, currency: m.currency.to_string() });
                }
            }
            Details::Investor(investor) => {
                view.investor_type = Some(investor.investor_type.code().to_owned());
                view.stages = investor.stages;
                view.countries = investor.countries.iter().map(ToString::to_string).collect();
                view.thesis = investor.thesis;
                if !private {
                    view.ticket = investor.ticket.map(|t| TicketView {
                        min: t.min,
                        max: t.max,
                        currency: t.currency.to_string(),
                    });
                }
            }
        }
        view
    }
}

/// A listing item: the public profile and, for a text search, a highlighted snippet.
#[derive(Debug, Serialize, ToSchema)]
pub struct ListItem {
    #[serde(flatten)]
    pub organization: OrganizationView,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub snippet: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Listing {
    pub items: Vec<ListItem>,
    pub total: u64,
}

/// The query of a listing or search, for the API document (parsed by [`Params`]).
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[expect(dead_code, reason = "documents the query string; the handler parses it with Params")]
pub struct ListQuery {
    /// Words to search for, with or without diacritics; only the first 16 words count.
    q: Option<String>,
    /// `startup` or `investor`.
    #[param(example = "startup")]
    kind: Option<String>,
    /// A sector code or label.
    sector: Option<String>,
    /// A stage code or label.
    stage: Option<String>,
    /// An ISO 3166 alpha-2 country code.
    country: Option<String>,
    /// An event's slug: only its participants.
    event: Option<String>,
    /// An investor type code or label (`vc`, `angel`…).
    investor_type: Option<String>,
    /// A whole amount: only investors whose public ticket range covers it.
    #[param(pattern = "^(|[0-9]{1,15})$", example = "500000000")]
    ticket: Option<String>,
    /// The currency of `ticket` (default VND).
    #[param(example = "VND")]
    currency: Option<String>,
    /// Page size, 0 to 100 (default 20); empty means the default, as an HTML form sends it.
    #[param(pattern = "^(|[0-9]{1,3})$", example = "20")]
    limit: Option<String>,
    /// At most 1,000,000, or 10,000 with `q`.
    #[param(pattern = "^(|[0-9]{1,7})$", example = "0")]
    offset: Option<String>,
}

/// Search or list organizations, best first for a search and by name otherwise.
#[utoipa::path(get, path = "/organizations", tag = "organizations", params(ListQuery),
    responses((status = 200, description = "One page of organizations and the total", body = Listing)))]
pub async fn list(State(state): State<AppState>, params: Params) -> Result<Json<Listing>, ApiError> {
    params.allow(&[
        "q",
        "kind",
        "sector",
        "stage",
        "country",
        "event",
        "investor_type",
        "ticket",
        "currency",
        "limit",
        "offset",
    ])?;
    let event_id = match params.parse("event", EventSlug::parse)? {
        Some(slug) => Some(state.store.find_event(&slug).await?.ok_or_else(|| ApiError::not_found("event"))?.id),
        None => None,
    };
    let kind = params.parse("kind", OrgKind::parse)?;
    let sector = params.parse("sector", Sector::parse)?;
    let stage = params.parse("stage", Stage::parse)?;
    let country = params.parse("country", Country::parse)?;
    let investor_type = params.parse("investor_type", InvestorType::parse)?;
    let currency = params.parse("currency", Currency::parse)?.unwrap_or(Currency::VND);
    if !Rates::vietnam_default().knows(currency) {
        return Err(ApiError::invalid("currency", format!("{currency} has no conversion rate here")));
    }
    let ticket = params
        .parse("ticket", |v| {
            v.parse::<i64>().ok().filter(|n| (0..=AMOUNT_MAX).contains(n)).ok_or("must be a whole amount")
        })?
        .map(|amount| Money::new(amount, currency));
    let limit = params.bounded("limit", LIMIT_DEFAULT, LIMIT_MAX)?;
    let offset = params.bounded("offset", 0, OFFSET_MAX)?;
    let text = params.get("q").unwrap_or_default().to_owned();
    let searching = SearchIndex::has_words(&text);
    if searching && offset > SEARCH_OFFSET_MAX {
        return Err(ApiError::invalid(
            "offset",
            format!("must be at most {SEARCH_OFFSET_MAX} for a text search, got {offset}: narrow the search instead"),
        ));
    }
    if !searching {
        let query = OrganizationQuery {
            event_id,
            kind,
            sector,
            stage,
            country,
            name: None,
            investor_type,
            ticket,
            limit,
            offset,
        };
        let page = state.store.organizations(&query).await?;
        let items =
            page.items.into_iter().map(|o| ListItem { organization: OrganizationView::public(o), snippet: None });
        return Ok(Json(Listing { items: items.collect(), total: page.total }));
    }
    let index = Arc::clone(state.indexer.index());
    let results = tokio::task::spawn_blocking(move || {
        index.search(&SearchQuery {
            text: &text,
            kind: kind.map(OrgKind::as_str),
            sector: sector.map(Sector::code),
            stage: stage.map(Stage::code),
            country: country.as_ref().map(Country::as_str),
            event: event_id,
            investor_type: investor_type.map(InvestorType::code),
            ticket_usd: ticket.and_then(|t| Rates::vietnam_default().convert(t, Currency::USD).ok()).map(|m| m.amount),
            limit: limit as usize,
            offset: offset as usize,
        })
    })
    .await
    .map_err(|e| ApiError::internal(&e))?
    .map_err(|e| ApiError::internal(&e))?;
    let ids: Vec<i64> = results.hits.iter().map(|hit| hit.id).collect();
    let mut found: HashMap<i64, Organization> =
        state.store.organizations_by_ids(&ids).await?.into_iter().map(|o| (o.id, o)).collect();
    // Best first, as the index ranked them; one deleted since its last commit is skipped.
    let items = results
        .hits
        .into_iter()
        .filter_map(|hit| {
            found
                .remove(&hit.id)
                .map(|o| ListItem { organization: OrganizationView::public(o), snippet: Some(hit.snippet) })
        })
        .collect();
    Ok(Json(Listing { items, total: results.total as u64 }))
}

/// Reads an organization's profile: the public fields for anyone, and the contacts and
/// private figures for its members and its events' organisers.
#[utoipa::path(get, path = "/organizations/{id}", tag = "organizations", params(("id" = i64, Path)),
    responses((status = 200, description = "The profile", body = OrganizationView),
        (status = 404, description = "No such organization", body = Problem, content_type = "application/problem+json")))]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<OrganizationView>, ApiError> {
    let id = parse_id(&id, "organization")?;
    let organization = state.store.organization(id).await?;
    let scope = OrgScope { id, events: event_ids(&state, id).await? };
    Ok(Json(match authorize(&caller.actor, &Action::ReadPrivate(scope)) {
        Ok(()) => OrganizationView::private(organization),
        Err(_) => OrganizationView::public(organization),
    }))
}

/// A numeric id from the path; anything else is "not found", like an unknown id.
pub fn parse_id(id: &str, what: &str) -> Result<i64, ApiError> {
    id.parse().map_err(|_| ApiError::not_found(what))
}

/// The events an organization takes part in: the facts its access rules need.
pub async fn event_ids(state: &AppState, id: i64) -> Result<Vec<i64>, ApiError> {
    Ok(state.store.events_of(&[id]).await?.remove(&id).unwrap_or_default())
}

/// Authorizes `action` on organization `id`, 404 when it does not exist.
pub async fn authorize_on(
    state: &AppState,
    caller: &Caller,
    id: i64,
    action: fn(OrgScope) -> Action,
) -> Result<(), ApiError> {
    caller.require_sign_in()?;
    let events = event_ids(state, id).await?;
    authorize(&caller.actor, &action(OrgScope { id, events }))?;
    Ok(())
}

/// A profile as a JSON body: lists as arrays, amounts as whole numbers in `currency`.
/// Validated by the same rules as a CSV row, so errors name the same fields. Startup fields
/// and investor fields are refused on the other kind.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProfileBody {
    /// `startup` or `investor`; it cannot change once registered.
    #[schema(example = "startup")]
    pub kind: String,
    #[schema(max_length = 200)]
    pub name: String,
    /// Sector codes or labels.
    #[schema(example = json!(["agritech"]))]
    pub sectors: Vec<String>,
    /// ISO 3166 alpha-2.
    pub country: Option<String>,
    pub province: Option<String>,
    pub website: Option<String>,
    /// Private: the organization's contact e-mail.
    pub email: Option<String>,
    /// Private: a phone number.
    pub phone: Option<String>,
    pub description: Option<String>,
    /// The currency of `funding_ask` or of the ticket.
    pub currency: Option<String>,
    /// Hide the funding ask or the ticket range from the public.
    #[serde(default)]
    pub funding_private: bool,
    /// Startups: the stage.
    #[schema(example = "seed")]
    pub stage: Option<String>,
    /// Startups: the amount sought.
    pub funding_ask: Option<i64>,
    /// Startups: the founding year.
    pub founded: Option<i64>,
    /// Startups: people in the team.
    pub team_size: Option<i64>,
    /// Investors: vc, angel, cvc, fund, accelerator, bank…
    pub investor_type: Option<String>,
    /// Investors: the stages invested in.
    pub stages: Option<Vec<String>>,
    /// Investors: the smallest ticket.
    pub ticket_min: Option<i64>,
    /// Investors: the largest ticket.
    pub ticket_max: Option<i64>,
    /// Investors: ISO 3166 alpha-2 codes of the countries invested in.
    pub countries: Option<Vec<String>>,
    /// Investors: the investment thesis.
    pub thesis: Option<String>,
}

/// The longest phone number accepted.
const PHONE_MAX: usize = 40;

fn phone(errors: &mut ValidationErrors, phone: Option<&str>) -> String {
    let phone = phone.unwrap_or_default().trim();
    let allowed = |c: char| c.is_ascii_digit() || " +-().".contains(c);
    if phone.chars().count() > PHONE_MAX || !phone.chars().all(allowed) {
        errors.add("phone", format!("must be at most {PHONE_MAX} digits, spaces and + - ( ) ."));
    }
    phone.to_owned()
}

fn number(value: Option<i64>) -> String {
    value.map(|n| n.to_string()).unwrap_or_default()
}

fn text(value: &Option<String>) -> String {
    value.clone().unwrap_or_default()
}

fn joined(value: &Option<Vec<String>>) -> String {
    value.as_deref().unwrap_or_default().join(";")
}

impl ProfileBody {
    /// The fields given that belong to the other kind.
    fn foreign_fields(&self, kind: OrgKind) -> Vec<&'static str> {
        let given = match kind {
            OrgKind::Startup => [
                ("investor_type", self.investor_type.is_some()),
                ("stages", self.stages.is_some()),
                ("ticket_min", self.ticket_min.is_some()),
                ("ticket_max", self.ticket_max.is_some()),
                ("countries", self.countries.is_some()),
                ("thesis", self.thesis.is_some()),
            ]
            .to_vec(),
            OrgKind::Investor => [
                ("stage", self.stage.is_some()),
                ("funding_ask", self.funding_ask.is_some()),
                ("founded", self.founded.is_some()),
                ("team_size", self.team_size.is_some()),
                ("description", self.description.is_some()),
            ]
            .to_vec(),
        };
        given.into_iter().filter(|(_, given)| *given).map(|(field, _)| field).collect()
    }

    /// The validated profile edit, every error naming its field.
    pub fn validate(&self, context: &ValidationContext<'_>) -> Result<ProfileEdit, ValidationErrors> {
        let kind = OrgKind::parse(&self.kind).map_err(|e| ValidationErrors::single("kind", e))?;
        let mut errors = ValidationErrors::default();
        for field in self.foreign_fields(kind) {
            errors.add(field, format!("is not a field of a {kind}"));
        }
        let profile = match kind {
            OrgKind::Startup => StartupInput {
                name: self.name.clone(),
                sectors: self.sectors.join(";"),
                stage: text(&self.stage),
                country: text(&self.country),
                province: text(&self.province),
                funding_ask: number(self.funding_ask),
                currency: text(&self.currency),
                founded: number(self.founded),
                team_size: number(self.team_size),
                website: text(&self.website),
                email: text(&self.email),
                description: text(&self.description),
            }
            .validate(context),
            OrgKind::Investor => InvestorInput {
                name: self.name.clone(),
                investor_type: text(&self.investor_type),
                sectors: self.sectors.join(";"),
                stages: joined(&self.stages),
                ticket_min: number(self.ticket_min),
                ticket_max: number(self.ticket_max),
                currency: text(&self.currency),
                countries: joined(&self.countries),
                website: text(&self.website),
                email: text(&self.email),
                thesis: text(&self.thesis),
            }
            .validate(context),
        };
        let phone = phone(&mut errors, self.phone.as_deref());
        match profile {
            Ok(profile) if errors.is_empty() => {
                Ok(ProfileEdit { profile, phone, funding_private: self.funding_private })
            }
            Ok(_) => Err(errors),
            Err(mut invalid) => {
                invalid.0.extend(errors.0);
                Err(invalid)
            }
        }
    }
}

/// Replaces an organization's profile. Members of the organization and organisers of its
/// events may; the kind cannot change.
#[utoipa::path(put, path = "/organizations/{id}", tag = "organizations", params(("id" = i64, Path)),
    request_body = ProfileBody,
    responses((status = 200, description = "The updated profile, private fields included", body = OrganizationView),
        (status = 400, description = "A field is invalid", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such organization, or not yours", body = Problem, content_type = "application/problem+json")))]
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Body(body): Body<ProfileBody>,
) -> Result<Json<OrganizationView>, ApiError> {
    let id = parse_id(&id, "organization")?;
    authorize_on(&state, &caller, id, Action::EditOrganization).await?;
    let rates = state.store.events_of_organization(id).await?.into_iter().next().map(|event| event.rates);
    let context = ValidationContext { current_year: crate::current_year(), rates: rates.as_ref() };
    let edit = body.validate(&context).map_err(ApiError::validation)?;
    Ok(Json(OrganizationView::private(state.store.update_organization(id, &edit).await?)))
}

/// Confirms the deletion of an organization.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeleteOrganization {
    /// The organization's name, exactly, as a guard against deleting the wrong one.
    pub confirm_name: String,
}

/// Deletes an organization with its members, requests and meetings; it leaves the search
/// index within a second. Members may, and an organiser when the organization takes part in
/// no other event.
#[utoipa::path(delete, path = "/organizations/{id}", tag = "organizations", params(("id" = i64, Path)),
    request_body = DeleteOrganization,
    responses((status = 204, description = "Deleted"),
        (status = 400, description = "The name does not match", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such organization, or not yours", body = Problem, content_type = "application/problem+json")))]
pub async fn delete(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Body(body): Body<DeleteOrganization>,
) -> Result<StatusCode, ApiError> {
    let id = parse_id(&id, "organization")?;
    authorize_on(&state, &caller, id, Action::DeleteOrganization).await?;
    let organization = state.store.organization(id).await?;
    if body.confirm_name.trim() != organization.profile.name {
        return Err(ApiError::invalid("confirm_name", "must be the organization's name, exactly"));
    }
    state.store.delete_organization(id).await?;
    tracing::info!(organization = id, "organization deleted");
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InviteBody {
    /// Who to invite.
    pub email: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InvitationView {
    pub id: i64,
    pub organization_id: i64,
    pub email: String,
    /// Unix seconds.
    pub expires_at: i64,
    /// The code to pass on to the invitee, shown once: they accept it at
    /// `POST /api/v1/auth/invitations/accept`.
    pub code: String,
}

/// Invites a colleague to join an organization. ketnoi sends no e-mail: pass the code on.
#[utoipa::path(post, path = "/organizations/{id}/invitations", tag = "accounts", params(("id" = i64, Path)),
    request_body = InviteBody,
    responses((status = 201, description = "The invitation and its code", body = InvitationView),
        (status = 400, description = "The e-mail is invalid", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such organization, or not yours", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The e-mail has an account", body = Problem, content_type = "application/problem+json")))]
pub async fn invite(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Body(body): Body<InviteBody>,
) -> Result<(StatusCode, Json<InvitationView>), ApiError> {
    let id = parse_id(&id, "organization")?;
    authorize_on(&state, &caller, id, Action::EditOrganization).await?;
    let email = Email::parse(&body.email).map_err(|e| ApiError::invalid("email", e))?;
    let user = caller.user()?;
    let (invitation, code) = state.store.invite(id, &email, user.id).await?;
    let view = InvitationView {
        id: invitation.id,
        organization_id: invitation.organization_id,
        email: invitation.email,
        expires_at: invitation.expires_at,
        code,
    };
    Ok((StatusCode::CREATED, Json(view)))
}
