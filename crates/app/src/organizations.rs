//! Startups and investors: the public showcase (search, profiles), and their members' and
//! organisers' changes to a profile.

use std::collections::HashMap;

use ketnoi_domain::access::Action;
use ketnoi_domain::event::EventSlug;
use ketnoi_domain::money::{Currency, Money, Rates};
use ketnoi_domain::profile::limits::AMOUNT_MAX;
use ketnoi_domain::profile::{Details, InvestorInput, OrgKind, StartupInput, ValidationContext};
use ketnoi_domain::rules::Resource;
use ketnoi_domain::taxonomy::{InvestorType, Sector, Stage};
use ketnoi_domain::validate::{self, Country, Email, Issue, ValidationErrors};
use ketnoi_search::{SearchIndex, SearchQuery};
use ketnoi_store::{Organization, OrganizationQuery, ProfileEdit};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::internal;
use crate::{App, AppError, AppResult, Caller, current_year};

/// The most items one page may hold, and the default page size.
pub const LIMIT_MAX: u64 = 100;
pub const LIMIT_DEFAULT: u64 = 20;
/// The furthest offset a listing accepts.
pub const OFFSET_MAX: u64 = 1_000_000;
/// The furthest offset a text search accepts: the index ranks offset + limit hits to page, so a
/// deep page costs memory and time on every request.
pub const SEARCH_OFFSET_MAX: u64 = 10_000;

/// An amount of money: a whole number in a currency. Every amount ketnoi reads or writes has
/// this shape.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = Money)]
pub struct MoneyView {
    #[schema(example = 500_000_000)]
    pub amount: i64,
    #[schema(example = "VND")]
    pub currency: String,
}

/// An investor's ticket: the range of one investment, in one currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = Ticket)]
pub struct TicketView {
    pub min: i64,
    pub max: i64,
    pub currency: String,
}

/// An organization's profile: the public fields for anyone; the contacts and private figures
/// for its members and its events' organisers. What GET returns, PUT accepts.
#[derive(Debug, Clone, Serialize, ToSchema)]
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
    pub funding_ask: Option<MoneyView>,
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
                        startup.funding_ask.map(|m| MoneyView { amount: m.amount, currency: m.currency.to_string() });
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
    /// HTML-escaped, the matched words in `<b>`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub snippet: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Listing {
    pub items: Vec<ListItem>,
    pub total: u64,
}

/// The query of a listing or a search, as a query string gives it: every parameter as text,
/// an empty one as if absent (as an HTML form sends it).
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SearchParams {
    /// Words to search for, with or without diacritics; only the first 16 words count.
    pub q: Option<String>,
    /// `startup` or `investor`.
    #[param(example = "startup")]
    pub kind: Option<String>,
    /// A sector code or label.
    pub sector: Option<String>,
    /// A stage code or label.
    pub stage: Option<String>,
    /// An ISO 3166 alpha-2 country code.
    pub country: Option<String>,
    /// An event's slug: only its participants.
    pub event: Option<String>,
    /// An investor type code or label (`vc`, `angel`…).
    pub investor_type: Option<String>,
    /// A whole amount: only investors whose public ticket range covers it.
    #[param(pattern = "^(|[0-9]{1,15})$", example = "500000000")]
    pub ticket: Option<String>,
    /// The currency of `ticket` (default VND).
    #[param(example = "VND")]
    pub currency: Option<String>,
    /// Page size, 0 to 100 (default 20); empty means the default, as an HTML form sends it.
    #[param(pattern = "^(|[0-9]{1,3})$", example = "20")]
    pub limit: Option<String>,
    /// At most 1,000,000, or 10,000 with `q`.
    #[param(pattern = "^(|[0-9]{1,7})$", example = "0")]
    pub offset: Option<String>,
}

/// A parameter's text, trimmed; none when absent or empty.
pub fn given(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

/// A whole number in `0..=max`, or `default` when not given.
pub fn bounded(
    errors: &mut ValidationErrors,
    field: &'static str,
    value: &Option<String>,
    default: u64,
    max: u64,
) -> u64 {
    match given(value) {
        None => default,
        Some(text) => errors.check(field, validate::whole_number(text, 0, max as i64)).map_or(default, |n| n as u64),
    }
}

/// A search or listing, checked.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Search {
    pub text: String,
    pub kind: Option<OrgKind>,
    pub sector: Option<Sector>,
    pub stage: Option<Stage>,
    pub country: Option<Country>,
    pub event: Option<EventSlug>,
    pub investor_type: Option<InvestorType>,
    pub ticket: Option<Money>,
    pub limit: u64,
    pub offset: u64,
}

impl SearchParams {
    /// The search these parameters ask for, or every parameter that is wrong.
    pub fn parse(&self) -> Result<Search, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let parsed = |field: &'static str, value: &Option<String>| given(value).map(|v| (field, v.to_owned()));
        let event = parsed("event", &self.event).and_then(|(f, v)| errors.check(f, EventSlug::parse(&v)));
        let kind = parsed("kind", &self.kind).and_then(|(f, v)| errors.check(f, OrgKind::parse(&v)));
        let sector = parsed("sector", &self.sector).and_then(|(f, v)| errors.check(f, Sector::parse(&v)));
        let stage = parsed("stage", &self.stage).and_then(|(f, v)| errors.check(f, Stage::parse(&v)));
        let country = parsed("country", &self.country).and_then(|(f, v)| errors.check(f, Country::parse(&v)));
        let investor_type =
            parsed("investor_type", &self.investor_type).and_then(|(f, v)| errors.check(f, InvestorType::parse(&v)));
        let currency = match given(&self.currency) {
            None => Some(Currency::VND),
            Some(text) => errors.check("currency", Currency::parse(text)),
        };
        let rates = Rates::vietnam_default();
        let currency = currency.filter(|currency| {
            let known = rates.knows(*currency);
            if !known {
                let known: Vec<String> = rates.iter().map(|(c, _)| c.to_string()).collect();
                errors.add("currency", Issue::NoRate { currency: currency.to_string(), known });
            }
            known
        });
        let ticket = given(&self.ticket)
            .and_then(|text| errors.check("ticket", validate::whole_number(text, 0, AMOUNT_MAX)))
            .zip(currency)
            .map(|(amount, currency)| Money::new(amount, currency));
        let limit = bounded(&mut errors, "limit", &self.limit, LIMIT_DEFAULT, LIMIT_MAX);
        let offset = bounded(&mut errors, "offset", &self.offset, 0, OFFSET_MAX);
        let text = given(&self.q).unwrap_or_default().to_owned();
        if SearchIndex::has_words(&text) && offset > SEARCH_OFFSET_MAX {
            errors.add("offset", Issue::TooLarge { max: SEARCH_OFFSET_MAX as i64, got: offset as i64 });
        }
        errors.into_result(|| Search {
            text,
            kind,
            sector,
            stage,
            country,
            event,
            investor_type,
            ticket,
            limit,
            offset,
        })
    }
}

/// A profile as a body of JSON: what GET returns can be sent back unchanged. Lists are
/// arrays; amounts have the shape of `Money` and `Ticket` (a plain whole number
/// in `currency` is read too). Validated by the same rules as a CSV row, so errors name the
/// same fields. Startup fields and investor fields are refused on the other kind.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProfileInput {
    /// The organization's id, as GET returns it; when given, it must be the one changed.
    pub id: Option<i64>,
    /// `startup` or `investor`: required to register; it cannot change afterwards.
    #[schema(example = "startup")]
    pub kind: Option<String>,
    #[schema(max_length = 120)]
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
    /// The currency of amounts given as plain numbers.
    pub currency: Option<String>,
    /// Hide the funding ask or the ticket range from the public.
    #[serde(default)]
    pub funding_private: bool,
    /// Startups: the stage.
    #[schema(example = "seed")]
    pub stage: Option<String>,
    /// Startups: the amount sought.
    pub funding_ask: Option<AmountInput>,
    /// Startups: the founding year.
    pub founded: Option<i64>,
    /// Startups: people in the team.
    pub team_size: Option<i64>,
    /// Investors: vc, angel, cvc, fund, accelerator, bank…
    pub investor_type: Option<String>,
    /// Investors: the stages invested in.
    pub stages: Option<Vec<String>>,
    /// Investors: the range of one investment.
    pub ticket: Option<TicketView>,
    /// Investors: the smallest ticket, in `currency` (or give `ticket`).
    pub ticket_min: Option<i64>,
    /// Investors: the largest ticket, in `currency` (or give `ticket`).
    pub ticket_max: Option<i64>,
    /// Investors: ISO 3166 alpha-2 codes of the countries invested in.
    pub countries: Option<Vec<String>>,
    /// Investors: the investment thesis.
    pub thesis: Option<String>,
}

/// An amount as given: `{"amount", "currency"}`, or a whole number in the profile's `currency`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum AmountInput {
    Money(MoneyView),
    Number(i64),
}

/// The longest phone number accepted.
const PHONE_MAX: usize = 40;

fn phone(errors: &mut ValidationErrors, phone: Option<&str>) -> String {
    let phone = phone.unwrap_or_default().trim();
    let allowed = |c: char| c.is_ascii_digit() || " +-().".contains(c);
    if phone.chars().count() > PHONE_MAX || !phone.chars().all(allowed) {
        errors.add("phone", Issue::NotPhone { max: PHONE_MAX });
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

impl ProfileInput {
    /// The fields given that belong to the other kind.
    fn foreign_fields(&self, kind: OrgKind) -> Vec<&'static str> {
        let given = match kind {
            OrgKind::Startup => [
                ("investor_type", self.investor_type.is_some()),
                ("stages", self.stages.is_some()),
                ("ticket", self.ticket.is_some()),
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

    /// The kind asked for: `known` (an existing organization's), which the input may repeat
    /// but not change, or the input's own when registering.
    fn kind(&self, known: Option<OrgKind>) -> Result<OrgKind, ValidationErrors> {
        let asked =
            given(&self.kind).map(OrgKind::parse).transpose().map_err(|i| ValidationErrors::single("kind", i))?;
        match (known, asked) {
            (Some(kind), Some(asked)) if asked != kind => {
                Err(ValidationErrors::single("kind", Issue::KindFixed { kind }))
            }
            (Some(kind), _) | (None, Some(kind)) => Ok(kind),
            (None, None) => Err(ValidationErrors::single("kind", Issue::Empty)),
        }
    }

    /// The validated profile edit for organization `id` (none when registering) of kind
    /// `known` (none when registering), every error naming its field.
    pub fn validate(
        &self,
        id: Option<i64>,
        known: Option<OrgKind>,
        context: &ValidationContext<'_>,
    ) -> Result<ProfileEdit, ValidationErrors> {
        let kind = self.kind(known)?;
        let mut errors = ValidationErrors::default();
        if let Some(given) = self.id
            && Some(given) != id
        {
            errors.add("id", Issue::NotId { value: given.to_string() });
        }
        for field in self.foreign_fields(kind) {
            errors.add(field, Issue::NotForKind { kind });
        }
        // An amount's own currency, else the profile's.
        let mut currency = text(&self.currency);
        let profile = match kind {
            OrgKind::Startup => {
                let ask = match &self.funding_ask {
                    Some(AmountInput::Money(money)) => {
                        currency.clone_from(&money.currency);
                        Some(money.amount)
                    }
                    Some(AmountInput::Number(amount)) => Some(*amount),
                    None => None,
                };
                StartupInput {
                    name: self.name.clone(),
                    sectors: self.sectors.join(";"),
                    stage: text(&self.stage),
                    country: text(&self.country),
                    province: text(&self.province),
                    funding_ask: number(ask),
                    currency,
                    founded: number(self.founded),
                    team_size: number(self.team_size),
                    website: text(&self.website),
                    email: text(&self.email),
                    description: text(&self.description),
                }
                .validate(context)
            }
            OrgKind::Investor => {
                let (min, max) = match &self.ticket {
                    Some(ticket) => {
                        currency.clone_from(&ticket.currency);
                        (Some(ticket.min), Some(ticket.max))
                    }
                    None => (self.ticket_min, self.ticket_max),
                };
                InvestorInput {
                    name: self.name.clone(),
                    investor_type: text(&self.investor_type),
                    sectors: self.sectors.join(";"),
                    stages: joined(&self.stages),
                    ticket_min: number(min),
                    ticket_max: number(max),
                    currency,
                    countries: joined(&self.countries),
                    website: text(&self.website),
                    email: text(&self.email),
                    thesis: text(&self.thesis),
                }
                .validate(context)
            }
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

/// Confirms the deletion of an organization.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeleteOrganization {
    /// The organization's name, exactly, as a guard against deleting the wrong one.
    pub confirm_name: String,
}

impl App {
    /// Searches or lists organizations: best first for words, by name otherwise. Read afresh:
    /// [`App::search`] keeps the answers for the crowd.
    pub(crate) async fn find(&self, search: &Search) -> AppResult<Listing> {
        let event_id = match &search.event {
            // The event as the public pages keep it: searched by everyone at once.
            Some(slug) => Some(self.public_event(slug.as_str()).await?.id),
            None => None,
        };
        if !SearchIndex::has_words(&search.text) {
            return self.listing(search, event_id, None).await;
        }
        let indexer = self.indexer.as_ref().ok_or_else(|| internal("no search index"))?;
        let Some(index) = indexer.usable() else {
            return self.listing(search, event_id, Some(search.text.clone())).await;
        };
        let asked = search.clone();
        let searched = tokio::task::spawn_blocking(move || {
            let search = asked;
            index.search(&SearchQuery {
                text: &search.text,
                kind: search.kind.map(OrgKind::as_str),
                sector: search.sector.map(Sector::code),
                stage: search.stage.map(Stage::code),
                country: search.country.as_ref().map(Country::as_str),
                event: event_id,
                investor_type: search.investor_type.map(InvestorType::code),
                ticket_usd: search
                    .ticket
                    .and_then(|t| Rates::vietnam_default().convert(t, Currency::USD).ok())
                    .map(|m| m.amount),
                limit: search.limit as usize,
                offset: search.offset as usize,
            })
        })
        .await;
        let results = match searched {
            Ok(Ok(results)) => results,
            // A failing or panicking search: the index is damaged, not the question.
            Ok(Err(error)) => {
                indexer.damaged(format!("a search failed: {error}"));
                return self.listing(search, event_id, Some(search.text.clone())).await;
            }
            Err(error) => {
                indexer.damaged(format!("a search panicked: {error}"));
                return self.listing(search, event_id, Some(search.text.clone())).await;
            }
        };
        let ids: Vec<i64> = results.hits.iter().map(|hit| hit.id).collect();
        let mut found: HashMap<i64, Organization> =
            self.store.organizations_by_ids(&ids).await?.into_iter().map(|o| (o.id, o)).collect();
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
        Ok(Listing { items, total: results.total as u64 })
    }

    /// The organizations `search` filters for, by name, those whose name holds `name` if given:
    /// a listing without words, and searches while the index is damaged.
    async fn listing(&self, search: &Search, event_id: Option<i64>, name: Option<String>) -> AppResult<Listing> {
        let query = OrganizationQuery {
            event_id,
            kind: search.kind,
            sector: search.sector,
            stage: search.stage,
            country: search.country,
            name,
            investor_type: search.investor_type,
            ticket: search.ticket,
            limit: search.limit,
            offset: search.offset,
        };
        let page = self.store.organizations(&query).await?;
        let items =
            page.items.into_iter().map(|o| ListItem { organization: OrganizationView::public(o), snippet: None });
        Ok(Listing { items: items.collect(), total: page.total })
    }

    /// The countries the event's participants are in, sorted: the search page's filter.
    pub async fn participant_countries(&self, slug: &str) -> AppResult<Vec<String>> {
        let event = self.event(slug).await?;
        Ok(self.store.participant_countries(event.id).await?)
    }

    /// An organization's profile: the public fields for anyone, and the contacts and private
    /// figures for its members and its events' organisers.
    pub async fn organization(&self, caller: &Caller, id: i64) -> AppResult<OrganizationView> {
        let organization = self.store.organization(id).await?;
        let scope = self.scope(id).await?;
        Ok(match caller.may(&Action::ReadPrivate(scope), Resource::Organization) {
            Ok(()) => OrganizationView::private(organization),
            Err(_) => OrganizationView::public(organization),
        })
    }

    /// Replaces an organization's profile. Members of the organization and organisers of its
    /// events may; the kind cannot change.
    pub async fn update_organization(
        &self,
        caller: &Caller,
        id: i64,
        input: &ProfileInput,
    ) -> AppResult<OrganizationView> {
        let edit = self.profile_edit(caller, id, input).await?;
        let updated = self.store.update_organization(id, &edit).await?;
        tracing::info!(organization = id, "profile changed");
        Ok(OrganizationView::private(updated))
    }

    /// Checks a profile as [`App::update_organization`] would, saving nothing: a form shows
    /// every problem of a submit at once, those it found itself and these.
    pub async fn check_organization(&self, caller: &Caller, id: i64, input: &ProfileInput) -> AppResult<()> {
        self.profile_edit(caller, id, input).await.map(|_| ())
    }

    async fn profile_edit(
        &self,
        caller: &Caller,
        id: i64,
        input: &ProfileInput,
    ) -> AppResult<ketnoi_store::ProfileEdit> {
        self.authorize_on(caller, id, Action::EditOrganization).await?;
        let kind = self.store.organization(id).await?.profile.kind();
        let rates = self.store.events_of_organization(id).await?.into_iter().next().map(|event| event.rates);
        let context = ValidationContext { current_year: current_year(), rates: rates.as_ref() };
        Ok(input.validate(Some(id), Some(kind), &context)?)
    }

    /// Deletes an organization with its members, requests and meetings; it leaves the search
    /// index within a second. Members may, and an organiser when the organization takes part in
    /// no other event. `confirm_name` must be its name, exactly.
    pub async fn delete_organization(&self, caller: &Caller, id: i64, confirm_name: &str) -> AppResult<()> {
        self.authorize_on(caller, id, Action::DeleteOrganization).await?;
        let organization = self.store.organization(id).await?;
        if confirm_name.trim() != organization.profile.name {
            return Err(AppError::invalid("confirm_name", Issue::NotTheOrganizationsName));
        }
        self.store.delete_organization(id).await?;
        tracing::info!(organization = id, "organization deleted");
        Ok(())
    }

    /// Parses an e-mail of an input field.
    pub(crate) fn email(field: &'static str, text: &str) -> AppResult<Email> {
        Email::parse(text).map_err(|issue| AppError::invalid(field, issue))
    }
}

/// A profile as a signed-in counterpart sees it: whether it may ask for a meeting, whether a
/// request is open between the two, and how well they fit.
#[derive(Debug, Clone)]
pub struct Outlook {
    pub organization: OrganizationView,
    /// Both take part in the event and are of opposite kinds.
    pub can_request: bool,
    /// A request between the two is pending or accepted.
    pub open_request: bool,
    /// The match, when the two can meet; none for two that cannot, or for no fit at all.
    pub fit: Option<crate::recommendations::Recommendation>,
}

impl App {
    /// Organization `id` at the event, as the caller sees it.
    pub async fn outlook(&self, caller: &Caller, slug: &str, id: i64) -> AppResult<Outlook> {
        let event = self.event(slug).await?;
        let organization = self.organization(caller, id).await?;
        let mut outlook = Outlook { organization, can_request: false, open_request: false, fit: None };
        let Some(own) = caller.organization() else { return Ok(outlook) };
        let takes_part = self.store.events_of(&[own, id]).await?;
        let both_here = [own, id].iter().all(|o| takes_part.get(o).is_some_and(|e| e.contains(&event.id)));
        let mine = self.store.organization(own).await?;
        if !both_here || mine.profile.kind() != outlook.organization.kind.counterpart() {
            return Ok(outlook);
        }
        outlook.can_request = true;
        let open =
            |r: &ketnoi_store::MeetingRequest| r.status.is_open() && [r.requester_id, r.recipient_id].contains(&id);
        outlook.open_request =
            self.store.requests(event.id, own, ketnoi_store::Mailbox::Outbox).await?.iter().any(open)
                || self.store.requests(event.id, own, ketnoi_store::Mailbox::Inbox).await?.iter().any(open);
        let other = self.store.organization(id).await?;
        outlook.fit = self.fit(&event, &mine, &other).await;
        Ok(outlook)
    }

    /// The organizations of the event the caller's organization deals with (`ids`: those
    /// asking it to meet, say), each as the caller sees its profile, with how well it fits the
    /// caller's organization: what an inbox shows to decide on a request.
    pub async fn counterparts(
        &self,
        caller: &Caller,
        slug: &str,
        ids: &[i64],
    ) -> AppResult<HashMap<i64, (OrganizationView, Option<crate::recommendations::Recommendation>)>> {
        let event = self.event(slug).await?;
        let Some(own) = caller.organization() else { return Ok(HashMap::new()) };
        let mine = self.store.organization(own).await?;
        let mut found = HashMap::with_capacity(ids.len());
        for organization in self.store.event_participants(event.id).await? {
            if !ids.contains(&organization.id) {
                continue;
            }
            let fit = self.fit(&event, &mine, &organization).await;
            found.insert(organization.id, (OrganizationView::public(organization), fit));
        }
        Ok(found)
    }
}
