//! `/api/v1/organizations`: the public showcase of an event's startups and investors.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, State};
use ketnoi_domain::event::EventSlug;
use ketnoi_domain::profile::{Details, OrgKind};
use ketnoi_domain::taxonomy::{Sector, Stage};
use ketnoi_domain::validate::Country;
use ketnoi_search::{SearchIndex, SearchQuery};
use ketnoi_store::{Organization, OrganizationQuery};
use serde::Serialize;

use crate::AppState;
use crate::error::ApiError;
use crate::params::Params;

/// The most items one page may hold, and the default page size.
pub const LIMIT_MAX: u64 = 100;
pub const LIMIT_DEFAULT: u64 = 20;
/// The furthest offset a listing accepts.
pub const OFFSET_MAX: u64 = 1_000_000;
/// The furthest offset a text search accepts: the index ranks offset + limit hits to page, so a
/// deep page costs memory and time on every request.
pub const SEARCH_OFFSET_MAX: u64 = 10_000;

#[derive(Debug, Serialize)]
pub struct Amount {
    pub amount: i64,
    pub currency: String,
}

#[derive(Debug, Serialize)]
pub struct TicketView {
    pub min: i64,
    pub max: i64,
    pub currency: String,
}

/// An organization's public profile: everything but contacts and private figures.
#[derive(Debug, Serialize)]
pub struct OrganizationView {
    pub id: i64,
    pub kind: OrgKind,
    pub name: String,
    pub sectors: Vec<Sector>,
    #[serde(skip_serializing_if = "Option::is_none")]
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
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub stages: Vec<Stage>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ticket: Option<TicketView>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub countries: Vec<String>,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub thesis: String,
}

impl OrganizationView {
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
#[derive(Debug, Serialize)]
pub struct ListItem {
    #[serde(flatten)]
    pub organization: OrganizationView,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub snippet: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct Listing {
    pub items: Vec<ListItem>,
    pub total: u64,
}

/// `GET /api/v1/organizations?q=&kind=&sector=&stage=&country=&event=&limit=&offset=`
pub async fn list(State(state): State<AppState>, params: Params) -> Result<Json<Listing>, ApiError> {
    params.allow(&["q", "kind", "sector", "stage", "country", "event", "limit", "offset"])?;
    let event_id = match params.parse("event", EventSlug::parse)? {
        Some(slug) => Some(state.store.find_event(&slug).await?.ok_or_else(|| ApiError::not_found("event"))?.id),
        None => None,
    };
    let kind = params.parse("kind", OrgKind::parse)?;
    let sector = params.parse("sector", Sector::parse)?;
    let stage = params.parse("stage", Stage::parse)?;
    let country = params.parse("country", Country::parse)?;
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
        let query = OrganizationQuery { event_id, kind, sector, stage, country, name: None, limit, offset };
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

/// `GET /api/v1/organizations/{id}`
pub async fn get(State(state): State<AppState>, Path(id): Path<String>) -> Result<Json<OrganizationView>, ApiError> {
    let id: i64 = id.parse().map_err(|_| ApiError::not_found("organization"))?;
    Ok(Json(OrganizationView::public(state.store.organization(id).await?)))
}
