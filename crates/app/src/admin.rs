//! The instance's administrator: lists and creates events, and names their organisers. It
//! manages no event and reads nothing of the participants beyond what anyone reads (the rules
//! are [`ketnoi_domain::access`]'s).
//!
//! A named organiser's account is made with a password nobody knows, and a link to choose one
//! (a password-reset token valid a week) is mailed through the outbox, in the language of the
//! administrator's page: no password is ever shown or sent in clear.

use ketnoi_domain::access::Action;
use ketnoi_domain::event::{self, EventSlug};
use ketnoi_domain::i18n::Language;
use ketnoi_domain::money::Rates;
use ketnoi_domain::rules::Resource;
use ketnoi_domain::validate::{self, Email, ValidationErrors};
use ketnoi_store::{DEFAULT_TIME_ZONE, Event, NewEvent, NewOrganiser, User};
use serde::Serialize;

use crate::accounts::{DISPLAY_NAME_MAX, security_mail};
use crate::events::EventView;
use crate::letters::{Letter, MailKind};
use crate::{App, AppResult, Caller};

/// The longest event name and venue.
const EVENT_TEXT_MAX: usize = 200;

/// A new event as the administrator's form types it; its sessions are left to its organisers.
#[derive(Debug, Clone)]
pub struct NewEventInput {
    pub slug: String,
    pub name: String,
    pub venue: String,
    /// An IANA time zone; empty is Vietnam's.
    pub time_zone: String,
}

/// An organiser to name: the link to choose a password is mailed in `language`.
#[derive(Debug, Clone)]
pub struct NewOrganiserInput {
    pub email: String,
    pub display_name: String,
    pub language: Language,
}

/// An event's organiser, as the administrator sees them.
#[derive(Debug, Clone, Serialize)]
pub struct OrganiserView {
    pub id: i64,
    pub email: String,
    pub display_name: String,
    /// Whether they chose a password (and so proved the address) already.
    pub active: bool,
    pub disabled: bool,
}

impl From<User> for OrganiserView {
    fn from(user: User) -> Self {
        OrganiserView {
            id: user.id,
            email: user.email,
            display_name: user.display_name,
            active: user.email_confirmed,
            disabled: user.disabled,
        }
    }
}

impl App {
    /// Every event, newest first: for the administrator.
    pub async fn admin_events(&self, caller: &Caller) -> AppResult<Vec<EventView>> {
        caller.require_sign_in()?;
        caller.may(&Action::CreateEvent, Resource::Page)?;
        let mut views = Vec::new();
        for event in self.store.events().await? {
            views.push(self.describe(&event).await?);
        }
        Ok(views)
    }

    /// Creates an event without sessions (its organisers set them), in Vietnam's time zone
    /// unless another is given. Every problem of the input is named at once; a slug taken is
    /// `event-exists`.
    pub async fn create_event(&self, caller: &Caller, input: &NewEventInput) -> AppResult<EventView> {
        caller.require_sign_in()?;
        caller.may(&Action::CreateEvent, Resource::Page)?;
        let mut errors = ValidationErrors::default();
        let slug = errors.check("slug", EventSlug::parse(input.slug.trim()));
        let name = errors.check("name", validate::text(&input.name, 1, EVENT_TEXT_MAX));
        let venue = errors.check("venue", validate::text(&input.venue, 0, EVENT_TEXT_MAX));
        let time_zone = match input.time_zone.trim() {
            "" => DEFAULT_TIME_ZONE.to_owned(),
            typed => typed.to_owned(),
        };
        errors.check("time_zone", event::time_zone(&time_zone));
        let (Some(slug), Some(name), Some(venue)) = (slug, name, venue) else { return Err(errors.into()) };
        if !errors.is_empty() {
            return Err(errors.into());
        }
        let new = NewEvent { slug, name, venue, time_zone, rates: Rates::vietnam_default(), sessions: Vec::new() };
        let event = self.store.create_event(&new).await?;
        tracing::info!(event = %event.slug, user = ?caller.actor.user(), "event created");
        self.describe(&event).await
    }

    /// An event and its organisers: for the administrator.
    pub async fn event_organisers(&self, caller: &Caller, slug: &str) -> AppResult<(Event, Vec<OrganiserView>)> {
        let event = self.administered(caller, slug).await?;
        let organisers = self.store.organisers(event.id).await?.into_iter().map(OrganiserView::from).collect();
        Ok((event, organisers))
    }

    /// Names an organiser of the event: an account without a password, and a message with
    /// the link to choose one. An address that has an account is `account-exists`.
    pub async fn name_organiser(
        &self,
        caller: &Caller,
        slug: &str,
        input: &NewOrganiserInput,
    ) -> AppResult<OrganiserView> {
        let event = self.administered(caller, slug).await?;
        let mut errors = ValidationErrors::default();
        let email = errors.check("email", Email::parse(&input.email));
        let display_name = errors.check("display_name", validate::text(&input.display_name, 1, DISPLAY_NAME_MAX));
        let (Some(email), Some(display_name)) = (email, display_name) else { return Err(errors.into()) };
        let admin = caller.user()?.display_name.clone();
        let new = NewOrganiser { email, display_name, event_id: event.id, language: input.language };
        let mail = |user: &User, token: &str| {
            let args = [("admin", admin.clone()), ("event", event.name.clone()), ("email", user.email.clone())];
            let letter = Letter::new(new.language, "organiser-invitation.subject", Some(&user.display_name), &args)
                .line("organiser-invitation.body", &args)
                .action("organiser-invitation.action", self.mail.link(&format!("/reset-password?token={token}")))
                .signed(&event.name);
            security_mail(
                format!("organiser-invitation:{}", user.id),
                Some(user.id),
                Some(event.id),
                &user.email,
                letter,
                MailKind::OrganiserInvitation,
            )
        };
        let user = self.store.add_named_organiser(&new, &mail).await?;
        tracing::info!(event = %event.slug, user = user.id, "organiser named");
        Ok(user.into())
    }

    /// The event, for the administrator only: everyone else is told it is not there.
    async fn administered(&self, caller: &Caller, slug: &str) -> AppResult<Event> {
        caller.require_sign_in()?;
        let event = self.event(slug).await?;
        caller.may(&Action::NameOrganisers { event: event.id }, Resource::Event)?;
        Ok(event)
    }
}
