//! Recommendations: an organization's best counterparts at an event, with the reasons.

use axum::Json;
use axum::extract::{Path, State};
use ketnoi_domain::access::Action;
use ketnoi_domain::event::EventSlug;
use ketnoi_domain::matching::{Candidate, Reason, combine, factors, reasons, recommend};
use ketnoi_domain::profile::{OrgKind, Profile};
use ketnoi_store::{Organization, Store, StoreError};
use serde::Serialize;

use crate::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, Problem};
use crate::organizations::{authorize_on, parse_id};
use crate::params::Params;

pub const LIMIT_MAX: u64 = 50;
pub const LIMIT_DEFAULT: u64 = 10;

/// One recommended counterpart.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Recommendation {
    pub id: i64,
    pub name: String,
    #[schema(value_type = String)]
    pub kind: OrgKind,
    pub score: f64,
    #[schema(value_type = Vec<Object>)]
    pub reasons: Vec<Reason>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Recommendations {
    pub event: String,
    pub items: Vec<Recommendation>,
}

/// The best `limit` counterparts of `organization_id` at `event` (default: its latest event),
/// leaving out those it is already in contact with.
pub async fn for_organization(
    store: &Store,
    organization_id: i64,
    event: Option<&EventSlug>,
    limit: usize,
) -> Result<Recommendations, StoreError> {
    let subject = store.organization(organization_id).await?;
    let events = store.events_of_organization(organization_id).await?;
    let event = match event {
        Some(slug) => events.into_iter().find(|e| &e.slug == slug).ok_or(StoreError::NotFound { what: "event" })?,
        None => events.into_iter().next().ok_or(StoreError::NotFound { what: "event of this organization" })?,
    };
    let participants = store.event_participants(event.id).await?;
    let exclude = store.counterparts_in_contact(event.id, organization_id).await?;
    let subject_kind = subject.profile.kind();
    let candidates: Vec<Candidate> = participants
        .iter()
        .filter(|o| o.profile.kind() != subject_kind)
        .map(|o| Candidate::new(o.id, &o.profile, &event.rates))
        .collect();
    let me = Candidate::new(subject.id, &subject.profile, &event.rates);
    let top = recommend(&me, &candidates, &exclude, limit, &event.weights);
    let by_id: std::collections::HashMap<i64, &Organization> = participants.iter().map(|o| (o.id, o)).collect();
    let mut items = Vec::with_capacity(top.len());
    for (id, score) in top {
        let (Some(other), Some(candidate)) = (by_id.get(&id), candidates.iter().find(|c| c.id == id)) else { continue };
        let (startup, investor, s, i): (&Profile, &Profile, &Candidate, &Candidate) = match subject_kind {
            OrgKind::Startup => (&subject.profile, &other.profile, &me, candidate),
            OrgKind::Investor => (&other.profile, &subject.profile, candidate, &me),
        };
        let why = factors(s, i).map(|f| reasons(startup, investor, &f, &event.weights)).unwrap_or_default();
        items.push(Recommendation {
            id,
            name: other.profile.name.clone(),
            kind: other.profile.kind(),
            score: (score * 1000.0).round() / 1000.0,
            reasons: why,
        });
    }
    Ok(Recommendations { event: event.slug.to_string(), items })
}

/// How well two organizations of an event fit, with the reasons; none for two of a kind.
pub async fn pair(
    store: &Store,
    event: &ketnoi_store::Event,
    subject_id: i64,
    other_id: i64,
) -> Result<Option<Recommendation>, StoreError> {
    let (subject, other) = (store.organization(subject_id).await?, store.organization(other_id).await?);
    let me = Candidate::new(subject.id, &subject.profile, &event.rates);
    let them = Candidate::new(other.id, &other.profile, &event.rates);
    let (startup, investor, s, i) = match (subject.profile.kind(), other.profile.kind()) {
        (OrgKind::Startup, OrgKind::Investor) => (&subject.profile, &other.profile, &me, &them),
        (OrgKind::Investor, OrgKind::Startup) => (&other.profile, &subject.profile, &them, &me),
        _ => return Ok(None),
    };
    Ok(factors(s, i).map(|f| Recommendation {
        id: other.id,
        name: other.profile.name.clone(),
        kind: other.profile.kind(),
        score: (combine(&f, &event.weights) * 1000.0).round() / 1000.0,
        reasons: reasons(startup, investor, &f, &event.weights),
    }))
}

/// The query of the recommendations route, for the API document (parsed by [`Params`]).
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[expect(dead_code, reason = "documents the query string; the handler parses it with Params")]
pub struct RecommendationsQuery {
    /// 0 to 50 (default 10); empty means the default.
    #[param(pattern = "^(|[0-9]{1,2})$", example = "10")]
    limit: Option<String>,
    /// An event's slug; the organization's latest event when absent.
    event: Option<String>,
}

/// An organization's best counterparts at an event, with scores and reasons: for its members
/// and its events' organisers, since the scores use private figures.
#[utoipa::path(get, path = "/organizations/{id}/recommendations", tag = "organizations",
    params(("id" = i64, Path), RecommendationsQuery),
    responses((status = 200, description = "Best first", body = Recommendations),
        (status = 404, description = "No such organization or event, or not yours", body = Problem, content_type = "application/problem+json")))]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    params: Params,
) -> Result<Json<Recommendations>, ApiError> {
    params.allow(&["limit", "event"])?;
    let id = parse_id(&id, "organization")?;
    authorize_on(&state, &caller, id, Action::ReadRecommendations).await?;
    let limit = params.bounded("limit", LIMIT_DEFAULT, LIMIT_MAX)?;
    let event = params.parse("event", EventSlug::parse)?;
    Ok(Json(for_organization(&state.store, id, event.as_ref(), limit as usize).await?))
}
