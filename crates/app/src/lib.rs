//! ketnoi's use cases. Each takes who asks (a [`Caller`]) and typed input, authorizes through
//! [`ketnoi_domain::access`], applies the domain's rules, runs the store's transaction, and
//! returns typed output or an [`AppError`]. The JSON API, the web pages and the command line
//! are adapters over these: none calls another, none reads another's answers.
//!
//! - [`accounts`]: sign-in, registration, invitations, passwords, API tokens, personal data;
//! - [`organizations`]: search, profiles, their changes and deletion;
//! - [`recommendations`]: an organization's best counterparts, and the fit of a pair;
//! - [`events`]: events, sessions, weights, quotas, imports, figures;
//! - [`desk`]: the organisers' settings form and their finder of participants;
//! - [`admin`]: the instance's administrator: events and their organisers;
//! - [`meetings`]: requests, availability, agendas, outcomes;
//! - [`schedule`]: the organisers' scheduler, the grid, moves, publication, check-in;
//! - [`exports`]: CSV for spreadsheets;
//! - [`indexer`]: the search index, a consumer of the event log.

pub mod accounts;
pub mod admin;
pub mod board;
pub mod calendar;
pub mod desk;
mod error;
pub mod events;
pub mod exports;
pub mod health;
pub mod indexer;
mod letters;
pub mod limits;
pub mod live;
pub mod meet_now;
pub mod meetings;
pub mod metrics;
pub mod notify;
pub mod organizations;
pub mod outbox;
pub mod public;
pub mod recommendations;
pub mod report;
pub mod schedule;

use std::sync::Arc;

use ketnoi_domain::access::{Action, Actor, Denied, OrgScope, authorize};
use ketnoi_domain::event::EventSlug;
use ketnoi_domain::rules::Resource;
use ketnoi_store::{Event, SessionLifetime, Store, User};

pub use error::{AppError, AppResult, Attempt, FieldProblem, FieldWhat, ProblemKind, issue_text};
pub use indexer::{Indexer, IndexerError};
pub use letters::{MailKind, Mode};
pub use limits::{Limit, Limiters, RateLimits};

/// How sign-in works: how long sessions last, and the rate limits.
#[derive(Debug, Clone, Copy, Default)]
pub struct Settings {
    pub sessions: SessionLifetime,
    pub limits: RateLimits,
}

/// The use cases over one database and search index.
#[derive(Debug)]
pub struct App {
    store: Store,
    /// The search index: the server keeps one; the command line has none.
    indexer: Option<Arc<Indexer>>,
    limiters: Limiters,
    settings: Settings,
    /// Where the links in messages point.
    mail: notify::MailSettings,
    /// The fan-out of live updates to open streams.
    live: live::LiveHub,
    /// What matching needs of each participant, kept between meet-now rounds.
    candidates: meet_now::CandidateCache,
    /// The public answers everyone reads at once, kept for a second.
    public: public::PublicCache,
    /// What is counted for `/metrics`.
    metrics: metrics::Metrics,
}

/// Who asks, as the adapters worked it out: an actor for the access rules, the user when
/// signed in, and the session a browser signed in with.
#[derive(Debug, Clone)]
pub struct Caller {
    pub actor: Actor,
    pub user: Option<User>,
    /// The session's id, when the caller came with a session cookie.
    pub session: Option<i64>,
}

/// What a caller proves who it is with.
#[derive(Debug, Clone, Copy)]
pub enum Credential<'a> {
    /// A browser's session secret.
    Session(&'a str),
    /// A script's API token.
    Token(&'a str),
}

impl Caller {
    pub const ANONYMOUS: Caller = Caller { actor: Actor::Anonymous, user: None, session: None };

    fn signed_in(user: User, session: Option<i64>) -> AppResult<Caller> {
        let actor = match (user.role, user.organization_id, user.event_id) {
            (ketnoi_store::Role::Member, Some(organization), _) => Actor::Member { user: user.id, organization },
            (ketnoi_store::Role::Organiser, _, Some(event)) => Actor::Organiser { user: user.id, event },
            (ketnoi_store::Role::Admin, None, None) => Actor::Admin { user: user.id },
            _ => return Err(error::internal(format!("user {} has a role without its scope", user.id))),
        };
        Ok(Caller { actor, user: Some(user), session })
    }

    /// An unauthenticated caller is refused before anything is looked up, so that it learns
    /// nothing about which objects exist.
    pub fn require_sign_in(&self) -> AppResult<()> {
        match self.actor {
            Actor::Anonymous => Err(AppError::Unauthenticated),
            _ => Ok(()),
        }
    }

    /// The signed-in user.
    pub fn user(&self) -> AppResult<&User> {
        self.user.as_ref().ok_or(AppError::Unauthenticated)
    }

    /// The organization a member acts for; none for organisers and anonymous callers.
    pub fn organization(&self) -> Option<i64> {
        match self.actor {
            Actor::Member { organization, .. } => Some(organization),
            Actor::Organiser { .. } | Actor::Admin { .. } | Actor::Anonymous => None,
        }
    }

    /// Whether the caller organises an event.
    pub fn is_organiser(&self) -> bool {
        matches!(self.actor, Actor::Organiser { .. })
    }

    /// Whether the caller is the instance's administrator.
    pub fn is_admin(&self) -> bool {
        matches!(self.actor, Actor::Admin { .. })
    }

    /// Authorizes `action`; a refusal to a signed-in caller is "`resource` not found".
    pub fn may(&self, action: &Action, resource: Resource) -> AppResult<()> {
        authorize(&self.actor, action).map_err(|denied| match denied {
            Denied::Unauthenticated => AppError::Unauthenticated,
            Denied::NotFound => AppError::NotFound(resource),
        })
    }
}

impl App {
    /// The use cases over `store`, without a search index: the command line's.
    pub fn new(store: Store, settings: Settings) -> App {
        let limiters = Limiters::new(&settings.limits);
        App {
            store,
            indexer: None,
            limiters,
            settings,
            mail: notify::MailSettings::default(),
            live: live::LiveHub::default(),
            candidates: meet_now::CandidateCache::default(),
            public: public::PublicCache::default(),
            metrics: metrics::Metrics::default(),
        }
    }

    /// The same use cases, their messages linking to `mail`'s address.
    pub fn with_mail(self, mail: notify::MailSettings) -> App {
        App { mail, ..self }
    }

    /// The use cases over `store` and the search index `indexer` keeps: the server's.
    pub fn with_index(store: Store, indexer: Arc<Indexer>, settings: Settings) -> App {
        App { indexer: Some(indexer), ..App::new(store, settings) }
    }

    /// The search index and its place in the event log, when there is one.
    pub fn indexer(&self) -> Option<&Arc<Indexer>> {
        self.indexer.as_ref()
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Who comes with `credential`: a live session's or token's user, or nobody. A token that
    /// is not live is refused (a bad credential is never silently ignored); a stale session
    /// is just no session.
    pub async fn identify(&self, credential: Option<Credential<'_>>) -> AppResult<Caller> {
        match credential {
            None => Ok(Caller::ANONYMOUS),
            Some(Credential::Token(secret)) => {
                let user = self.store.token_user(secret).await?.ok_or(AppError::InvalidToken)?;
                Caller::signed_in(user, None)
            }
            Some(Credential::Session(secret)) => match self.store.session(secret, self.settings.sessions).await? {
                Some(session) => Caller::signed_in(session.user, Some(session.id)),
                None => Ok(Caller::ANONYMOUS),
            },
        }
    }

    /// The event of a slug; an unknown or malformed slug is "event not found".
    pub async fn event(&self, slug: &str) -> AppResult<Event> {
        let slug = EventSlug::parse(slug).map_err(|_| AppError::NotFound(Resource::Event))?;
        Ok(self.store.event(&slug).await?)
    }

    /// Every event, newest first.
    pub async fn events(&self) -> AppResult<Vec<Event>> {
        Ok(self.store.events().await?)
    }

    /// The event, for its organiser only: everyone else is told it is not there.
    pub async fn managed(&self, caller: &Caller, slug: &str) -> AppResult<Event> {
        caller.require_sign_in()?;
        let event = self.event(slug).await?;
        caller.may(&Action::ManageEvent { event: event.id }, Resource::Event)?;
        Ok(event)
    }

    /// The events an organization takes part in: the facts its access rules need.
    pub(crate) async fn scope(&self, id: i64) -> AppResult<OrgScope> {
        let events = self.store.events_of(&[id]).await?.remove(&id).unwrap_or_default();
        Ok(OrgScope { id, events })
    }

    /// Authorizes `action` on organization `id` for a signed-in caller.
    pub(crate) async fn authorize_on(&self, caller: &Caller, id: i64, action: fn(OrgScope) -> Action) -> AppResult<()> {
        caller.require_sign_in()?;
        caller.may(&action(self.scope(id).await?), Resource::Organization)
    }
}

/// The current year, for validating founding years.
pub fn current_year() -> i16 {
    jiff::Timestamp::now().to_zoned_datetime(jiff::tz::TimeZone::UTC).year()
}

/// An event's time zone (UTC if its name is no longer known).
pub fn zone(event: &Event) -> jiff::tz::TimeZone {
    ketnoi_domain::event::time_zone(&event.time_zone).unwrap_or(jiff::tz::TimeZone::UTC)
}

/// RFC 3339 in `zone`: `2023-11-24T09:00:00+07:00`.
pub fn local(at: jiff::Timestamp, zone: &jiff::tz::TimeZone) -> String {
    at.to_zoned_datetime(zone.clone()).strftime("%Y-%m-%dT%H:%M:%S%:z").to_string()
}
