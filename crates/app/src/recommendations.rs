//! Recommendations: an organization's best counterparts at an event, and how well two fit.

use ketnoi_domain::access::Action;
use ketnoi_domain::event::EventSlug;
use ketnoi_domain::matching::{Candidate, Reason, combine, factors, reasons, recommend};
use ketnoi_domain::profile::{OrgKind, Profile};
use ketnoi_domain::rules::Resource;
use ketnoi_domain::validate::ValidationErrors;
use ketnoi_store::{Event, Organization};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::organizations::{bounded, given};
use crate::{App, AppError, AppResult, Caller};

pub const LIMIT_MAX: u64 = 50;
pub const LIMIT_DEFAULT: u64 = 10;

/// One recommended counterpart.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Recommendation {
    pub id: i64,
    pub name: String,
    #[schema(value_type = String)]
    pub kind: OrgKind,
    pub score: f64,
    #[schema(value_type = Vec<Object>)]
    pub reasons: Vec<Reason>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Recommendations {
    pub event: String,
    pub items: Vec<Recommendation>,
}

/// The query of the recommendations route.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct RecommendationParams {
    /// 0 to 50 (default 10); empty means the default.
    #[param(pattern = "^(|[0-9]{1,2})$", example = "10")]
    pub limit: Option<String>,
    /// An event's slug; the organization's latest event when absent.
    pub event: Option<String>,
}

impl RecommendationParams {
    /// The event asked for (if any) and how many.
    pub fn parse(&self) -> Result<(Option<EventSlug>, usize), ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let limit = bounded(&mut errors, "limit", &self.limit, LIMIT_DEFAULT, LIMIT_MAX);
        let event = given(&self.event).and_then(|slug| errors.check("event", EventSlug::parse(slug)));
        errors.into_result(|| (event, limit as usize))
    }
}

fn rounded(score: f64) -> f64 {
    (score * 1000.0).round() / 1000.0
}

impl App {
    /// The best `limit` counterparts of `organization` at `event` (default: its latest event),
    /// leaving out those it is already in contact with: for its members and its events'
    /// organisers, since the scores use private figures.
    pub async fn recommendations(
        &self,
        caller: &Caller,
        organization: i64,
        event: Option<&EventSlug>,
        limit: usize,
    ) -> AppResult<Recommendations> {
        self.authorize_on(caller, organization, Action::ReadRecommendations).await?;
        self.recommend(organization, event, limit).await
    }

    /// [`App::recommendations`] for the command line, which acts for the operator.
    pub async fn recommend(
        &self,
        organization: i64,
        event: Option<&EventSlug>,
        limit: usize,
    ) -> AppResult<Recommendations> {
        let subject = self.store.organization(organization).await?;
        let events = self.store.events_of_organization(organization).await?;
        let event = match event {
            Some(slug) => events.into_iter().find(|e| &e.slug == slug),
            None => events.into_iter().next(),
        }
        .ok_or(AppError::NotFound(Resource::Event))?;
        let participants = self.store.event_participants(event.id).await?;
        let exclude = self.store.counterparts_in_contact(event.id, organization).await?;
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
            let (Some(other), Some(candidate)) = (by_id.get(&id), candidates.iter().find(|c| c.id == id)) else {
                continue;
            };
            let (startup, investor, s, i): (&Profile, &Profile, &Candidate, &Candidate) = match subject_kind {
                OrgKind::Startup => (&subject.profile, &other.profile, &me, candidate),
                OrgKind::Investor => (&other.profile, &subject.profile, candidate, &me),
            };
            let why = factors(s, i).map(|f| reasons(startup, investor, &f, &event.weights)).unwrap_or_default();
            items.push(Recommendation {
                id,
                name: other.profile.name.clone(),
                kind: other.profile.kind(),
                score: rounded(score),
                reasons: why,
            });
        }
        Ok(Recommendations { event: event.slug.to_string(), items })
    }

    /// How well two organizations of an event fit, with the reasons; none for two of a kind.
    pub(crate) async fn fit(
        &self,
        event: &Event,
        subject: &Organization,
        other: &Organization,
    ) -> Option<Recommendation> {
        let me = Candidate::new(subject.id, &subject.profile, &event.rates);
        let them = Candidate::new(other.id, &other.profile, &event.rates);
        let (startup, investor, s, i) = match (subject.profile.kind(), other.profile.kind()) {
            (OrgKind::Startup, OrgKind::Investor) => (&subject.profile, &other.profile, &me, &them),
            (OrgKind::Investor, OrgKind::Startup) => (&other.profile, &subject.profile, &them, &me),
            _ => return None,
        };
        factors(s, i).map(|f| Recommendation {
            id: other.id,
            name: other.profile.name.clone(),
            kind: other.profile.kind(),
            score: rounded(combine(&f, &event.weights)),
            reasons: reasons(startup, investor, &f, &event.weights),
        })
    }

    /// An event's participant named by `name_or_id`: an id, or a name compared without case
    /// or diacritics; an unknown one is the closest name there is, if any, as `Err(Some)`.
    pub async fn find_participant(&self, slug: &str, name_or_id: &str) -> AppResult<Result<i64, Option<String>>> {
        let event = self.event(slug).await?;
        let participants = self.store.event_participants(event.id).await?;
        if let Ok(id) = name_or_id.trim().parse::<i64>()
            && participants.iter().any(|o| o.id == id)
        {
            return Ok(Ok(id));
        }
        let key = ketnoi_domain::text::fold(name_or_id);
        if let Some(found) = participants.iter().find(|o| ketnoi_domain::text::fold(&o.profile.name) == key) {
            return Ok(Ok(found.id));
        }
        let nearest = ketnoi_domain::text::nearest(name_or_id, participants.iter().map(|o| o.profile.name.as_str()));
        Ok(Err(nearest.map(str::to_owned)))
    }
}
