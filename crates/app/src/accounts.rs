//! Accounts: registration, sign-in and sign-out, invitations, the password, API tokens, the
//! personal data download and account deletion; and the operator's accounts of the command line.

use ketnoi_domain::access::Action;
use ketnoi_domain::event::EventSlug;
use ketnoi_domain::password;
use ketnoi_domain::profile::ValidationContext;
use ketnoi_domain::rules::{RequestStatus, Resource};
use ketnoi_domain::validate::{self, Email, Issue, ValidationErrors};
use ketnoi_store::{ApiToken, Mailbox, NewUser, Registration, Role, User};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::organizations::{OrganizationView, ProfileInput};
use crate::{App, AppError, AppResult, Attempt, Caller, current_year};

/// The longest display name.
const DISPLAY_NAME_MAX: usize = 100;
/// The longest API token name.
const TOKEN_NAME_MAX: usize = 100;
/// The longest an API token may live: a year.
const TOKEN_DAYS_MAX: i64 = 366;

/// The signed-in user.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Me {
    pub id: i64,
    pub email: String,
    pub display_name: String,
    /// `member` (of an organization) or `organiser` (of an event).
    #[schema(example = "member")]
    pub role: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub organization_id: Option<i64>,
    /// The event an organiser runs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event: Option<String>,
}

/// A new session: who, and the secret of its cookie (shown once).
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub me: Me,
    pub secret: String,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginBody {
    pub email: String,
    pub password: String,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterBody {
    /// The event the organization registers for.
    #[schema(example = "techfest-haiphong-2023")]
    pub event: String,
    pub email: String,
    /// 8 to 128 characters, not one of the 3,000 most common passwords.
    pub password: String,
    pub display_name: String,
    pub organization: ProfileInput,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AcceptInvitationBody {
    /// The invitation code.
    pub code: String,
    pub display_name: String,
    pub password: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordBody {
    pub current_password: String,
    /// 8 to 128 characters, not one of the 3,000 most common passwords.
    pub new_password: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeleteAccountBody {
    /// The account's password, to confirm.
    pub password: String,
}

/// An API token, without its secret.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenView {
    pub id: i64,
    pub name: String,
    /// The start of the secret.
    pub prefix: String,
    /// Unix seconds, like every time below.
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub expires_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

impl From<ApiToken> for TokenView {
    fn from(token: ApiToken) -> Self {
        TokenView {
            id: token.id,
            name: token.name,
            prefix: token.prefix,
            created_at: token.created_at,
            last_used_at: token.last_used_at,
            expires_at: token.expires_at,
            revoked_at: token.revoked_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TokenList {
    pub items: Vec<TokenView>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTokenBody {
    /// What the token is for.
    #[schema(example = "import script")]
    pub name: String,
    /// Days until it expires (1–366); it never expires when absent.
    #[schema(minimum = 1, maximum = 366)]
    pub expires_in_days: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NewToken {
    pub token: TokenView,
    /// The secret, shown this once: send it as `Authorization: Bearer <secret>`.
    pub secret: String,
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

/// Everything ketnoi holds about a user and their organization.
#[derive(Debug, Serialize, ToSchema)]
pub struct PersonalData {
    /// When this file was made (RFC 3339).
    pub exported_at: String,
    pub account: Me,
    /// RFC 3339.
    pub account_created_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub organization: Option<OrganizationView>,
    /// The organization's members.
    pub members: Vec<MemberView>,
    /// Invitations to the organization (without their codes).
    pub invitations: Vec<InvitationRecord>,
    /// The events the organization takes part in (or the organiser runs).
    pub events: Vec<String>,
    pub sessions: Vec<SessionRecord>,
    pub api_tokens: Vec<TokenView>,
    /// Meeting requests the organization sent or received, at every event.
    pub meeting_requests: Vec<RequestRecord>,
    /// The organization's meetings, at every event.
    pub meetings: Vec<MeetingRecord>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RequestRecord {
    pub event: String,
    pub from: i64,
    pub to: i64,
    pub message: String,
    pub note: String,
    #[schema(value_type = String)]
    pub status: RequestStatus,
    pub created_at: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MeetingRecord {
    pub event: String,
    pub startup: i64,
    pub investor: i64,
    pub slot_id: Option<i64>,
    pub table: Option<u32>,
    pub status: String,
    pub startup_outcome: Option<String>,
    pub investor_outcome: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MemberView {
    pub email: String,
    pub display_name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InvitationRecord {
    pub email: String,
    pub created_at: i64,
    pub expires_at: i64,
    pub accepted_at: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SessionRecord {
    pub created_at: i64,
    pub last_seen_at: i64,
    pub expires_at: i64,
}

fn display_name(errors: &mut ValidationErrors, name: &str) -> String {
    errors.check("display_name", validate::text(name, 1, DISPLAY_NAME_MAX)).unwrap_or_default()
}

impl App {
    async fn me_of(&self, user: &User) -> AppResult<Me> {
        let event = match user.event_id {
            Some(id) => self.store.events().await?.into_iter().find(|e| e.id == id).map(|e| e.slug.to_string()),
            None => None,
        };
        Ok(Me {
            id: user.id,
            email: user.email.clone(),
            display_name: user.display_name.clone(),
            role: user.role.as_str().to_owned(),
            organization_id: user.organization_id,
            event,
        })
    }

    async fn session_for(&self, user: &User) -> AppResult<SignedIn> {
        let (_, secret) = self.store.create_session(user.id, self.settings.sessions).await?;
        Ok(SignedIn { me: self.me_of(user).await?, secret })
    }

    /// Signs in from `client` (its address, for the rate limits): a new session on every
    /// sign-in, the browser's `previous` one ended. A wrong password and an unknown e-mail
    /// get the same answer in the same time.
    pub async fn login(&self, body: &LoginBody, client: &str, previous: Option<&str>) -> AppResult<SignedIn> {
        let account = body.email.trim().to_lowercase();
        let limiters = &self.limiters;
        limiters.login_address.allow(client, Attempt::SignIn)?;
        limiters.login_account.allow(&account, Attempt::SignIn)?;
        let Some(user) = self.store.verify_login(&body.email, &body.password).await? else {
            limiters.login_address.record(client);
            limiters.login_account.record(&account);
            tracing::info!("sign-in refused");
            return Err(AppError::WrongCredentials);
        };
        limiters.login_account.clear(&account);
        if let Some(previous) = previous {
            self.store.end_session(previous).await?;
        }
        tracing::info!(user = user.id, "signed in");
        self.session_for(&user).await
    }

    /// Ends the session of `secret` (nothing when there is none).
    pub async fn logout(&self, secret: Option<&str>) -> AppResult<()> {
        if let Some(secret) = secret {
            self.store.end_session(secret).await?;
        }
        Ok(())
    }

    /// Registers an organization for an event with its first member, and signs the member in.
    pub async fn register(&self, body: &RegisterBody, client: &str) -> AppResult<SignedIn> {
        self.limiters.register_address.allow(client, Attempt::Registration)?;
        let slug = EventSlug::parse(&body.event).map_err(|issue| AppError::invalid("event", issue))?;
        let event = self.store.event(&slug).await?;
        let mut errors = ValidationErrors::default();
        let email = errors.check("email", Email::parse(&body.email));
        let display_name = display_name(&mut errors, &body.display_name);
        errors.check("password", password::check(&body.password, &body.email));
        let context = ValidationContext { current_year: current_year(), rates: Some(&event.rates) };
        let edit = match body.organization.validate(None, None, &context) {
            Ok(edit) => edit,
            Err(invalid) => return Err(errors.nested("organization", invalid).into()),
        };
        let Some(email) = email.filter(|_| errors.is_empty()) else { return Err(errors.into()) };
        self.limiters.register_address.record(client);
        let registration = Registration {
            event_id: event.id,
            profile: edit.profile,
            phone: edit.phone,
            funding_private: edit.funding_private,
            email,
            display_name,
            password: body.password.clone(),
        };
        let user = self.store.register(&registration).await?;
        tracing::info!(user = user.id, organization = ?user.organization_id, "registered");
        self.session_for(&user).await
    }

    /// Accepts an invitation: creates the member's account and signs it in.
    pub async fn accept_invitation(&self, body: &AcceptInvitationBody, client: &str) -> AppResult<SignedIn> {
        self.limiters.register_address.allow(client, Attempt::Invitation)?;
        let code = body.code.trim();
        let Some(email) = self.store.invitation_email(code).await? else {
            self.limiters.register_address.record(client);
            return Err(AppError::NotFound(Resource::Invitation));
        };
        let mut errors = ValidationErrors::default();
        let display_name = display_name(&mut errors, &body.display_name);
        errors.check("password", password::check(&body.password, &email));
        if !errors.is_empty() {
            return Err(errors.into());
        }
        let user = self.store.accept_invitation(code, &display_name, &body.password).await?;
        tracing::info!(user = user.id, "invitation accepted");
        self.session_for(&user).await
    }

    /// The signed-in user.
    pub async fn me(&self, caller: &Caller) -> AppResult<Me> {
        caller.may(&Action::ManageOwnAccount, Resource::User)?;
        self.me_of(caller.user()?).await
    }

    /// Whether the caller is a member, and of which kind of organization; the slug of the
    /// user's event (the organiser's, or the organization's latest). For the pages' navigation.
    pub async fn whereabouts(
        &self,
        caller: &Caller,
    ) -> AppResult<(Option<ketnoi_domain::profile::OrgKind>, Option<String>)> {
        let Some(user) = &caller.user else { return Ok((None, None)) };
        Ok(match (user.organization_id, user.event_id) {
            (Some(organization), _) => {
                let kind = self.store.organization(organization).await?.profile.kind();
                let events = self.store.events_of_organization(organization).await?;
                (Some(kind), events.into_iter().next().map(|e| e.slug.to_string()))
            }
            (None, Some(event)) => {
                let events = self.store.events().await?;
                (None, events.into_iter().find(|e| e.id == event).map(|e| e.slug.to_string()))
            }
            (None, None) => (None, None),
        })
    }

    /// Changes the password; every other session of the account ends.
    pub async fn change_password(&self, caller: &Caller, body: &PasswordBody) -> AppResult<()> {
        caller.may(&Action::ManageOwnAccount, Resource::User)?;
        let user = caller.user()?;
        let account = user.email.to_lowercase();
        self.limiters.login_account.allow(&account, Attempt::Password)?;
        password::check(&body.new_password, &user.email).map_err(|issue| AppError::invalid("new_password", issue))?;
        if !self.store.change_password(user.id, &body.current_password, &body.new_password, caller.session).await? {
            self.limiters.login_account.record(&account);
            return Err(AppError::invalid("current_password", Issue::NotYourCurrentPassword));
        }
        tracing::info!(user = user.id, "password changed");
        Ok(())
    }

    /// Deletes the signed-in account with its sessions and tokens, confirmed by its password.
    /// The organization stays.
    pub async fn delete_account(&self, caller: &Caller, body: &DeleteAccountBody) -> AppResult<()> {
        caller.may(&Action::ManageOwnAccount, Resource::User)?;
        let user = caller.user()?;
        let account = user.email.to_lowercase();
        self.limiters.login_account.allow(&account, Attempt::Password)?;
        if !self.store.check_password(user.id, &body.password).await? {
            self.limiters.login_account.record(&account);
            return Err(AppError::invalid("password", Issue::NotYourPassword));
        }
        self.store.delete_user(user.id).await?;
        tracing::info!(user = user.id, "account deleted");
        Ok(())
    }

    /// The signed-in user's API tokens, newest first.
    pub async fn tokens(&self, caller: &Caller) -> AppResult<TokenList> {
        caller.may(&Action::ManageOwnAccount, Resource::User)?;
        let items = self.store.tokens(caller.user()?.id).await?.into_iter().map(TokenView::from).collect();
        Ok(TokenList { items })
    }

    /// Creates an API token for scripts. The secret is shown once; ketnoi keeps only its hash.
    pub async fn create_token(&self, caller: &Caller, body: &NewTokenBody) -> AppResult<NewToken> {
        caller.may(&Action::ManageOwnAccount, Resource::User)?;
        let mut errors = ValidationErrors::default();
        let name = errors.check("name", validate::text(&body.name, 1, TOKEN_NAME_MAX));
        let days = body.expires_in_days;
        if let Some(days) = days {
            if days < 1 {
                errors.add("expires_in_days", Issue::TooSmall { min: 1, got: days });
            } else if days > TOKEN_DAYS_MAX {
                errors.add("expires_in_days", Issue::TooLarge { max: TOKEN_DAYS_MAX, got: days });
            }
        }
        let Some(name) = name.filter(|_| errors.is_empty()) else { return Err(errors.into()) };
        let expires_at = days.map(|d| jiff::Timestamp::now().as_second() + d * 86_400);
        let user = caller.user()?;
        let (token, secret) = self.store.create_token(user.id, &name, expires_at).await?;
        tracing::info!(user = user.id, token = token.id, "API token created");
        Ok(NewToken { token: token.into(), secret })
    }

    /// Revokes one of the signed-in user's API tokens, at once.
    pub async fn revoke_token(&self, caller: &Caller, id: i64) -> AppResult<()> {
        caller.may(&Action::ManageOwnAccount, Resource::User)?;
        let user = caller.user()?;
        self.store.revoke_token(user.id, id).await?;
        tracing::info!(user = user.id, token = id, "API token revoked");
        Ok(())
    }

    /// Invites a colleague to join an organization: the code to pass on.
    pub async fn invite(&self, caller: &Caller, organization: i64, body: &InviteBody) -> AppResult<InvitationView> {
        self.authorize_on(caller, organization, Action::EditOrganization).await?;
        let email = App::email("email", &body.email)?;
        let user = caller.user()?;
        let (invitation, code) = self.store.invite(organization, &email, user.id).await?;
        Ok(InvitationView {
            id: invitation.id,
            organization_id: invitation.organization_id,
            email: invitation.email,
            expires_at: invitation.expires_at,
            code,
        })
    }

    /// Everything ketnoi holds about the signed-in user and their organization.
    pub async fn personal_data(&self, caller: &Caller) -> AppResult<PersonalData> {
        caller.may(&Action::ManageOwnAccount, Resource::User)?;
        let user = caller.user()?;
        let store = &self.store;
        let (organization, members, invitations, events) = match user.organization_id {
            Some(id) => (
                Some(OrganizationView::private(store.organization(id).await?)),
                store.members(id).await?,
                store.invitations_of(id).await?,
                store.events_of_organization(id).await?,
            ),
            None => (None, Vec::new(), Vec::new(), Vec::new()),
        };
        let mut meeting_requests = Vec::new();
        let mut meetings = Vec::new();
        if let Some(id) = user.organization_id {
            for event in &events {
                for mailbox in [Mailbox::Outbox, Mailbox::Inbox] {
                    for r in store.requests(event.id, id, mailbox).await? {
                        meeting_requests.push(RequestRecord {
                            event: event.slug.to_string(),
                            from: r.requester_id,
                            to: r.recipient_id,
                            message: r.message,
                            note: r.note,
                            status: r.status,
                            created_at: r.created_at,
                        });
                    }
                }
                for m in store.meetings_of(event.id, id).await? {
                    let outcome = |o: Option<ketnoi_domain::rules::Outcome>| o.map(|o| o.as_str().to_owned());
                    meetings.push(MeetingRecord {
                        event: event.slug.to_string(),
                        startup: m.startup_id,
                        investor: m.investor_id,
                        slot_id: m.slot_id,
                        table: m.table,
                        status: m.status.as_str().to_owned(),
                        startup_outcome: outcome(m.startup_outcome),
                        investor_outcome: outcome(m.investor_outcome),
                    });
                }
            }
        }
        let account = self.me_of(user).await?;
        let events: Vec<String> = if user.organization_id.is_some() {
            events.into_iter().map(|e| e.slug.to_string()).collect()
        } else {
            account.event.iter().cloned().collect()
        };
        Ok(PersonalData {
            exported_at: jiff::Timestamp::now().to_string(),
            account,
            account_created_at: user.created_at.to_string(),
            organization,
            members: members.into_iter().map(|m| MemberView { email: m.email, display_name: m.display_name }).collect(),
            invitations: invitations
                .into_iter()
                .map(|i| InvitationRecord {
                    email: i.email,
                    created_at: i.created_at,
                    expires_at: i.expires_at,
                    accepted_at: i.accepted_at,
                })
                .collect(),
            events,
            sessions: store
                .sessions_of(user.id)
                .await?
                .into_iter()
                .map(|s| SessionRecord {
                    created_at: s.created_at,
                    last_seen_at: s.last_seen_at,
                    expires_at: s.expires_at,
                })
                .collect(),
            api_tokens: store.tokens(user.id).await?.into_iter().map(TokenView::from).collect(),
            meeting_requests,
            meetings,
        })
    }

    /// Creates an event's organiser, or resets its password and name: for the command line,
    /// which acts as the operator.
    pub async fn add_organiser(
        &self,
        slug: &str,
        email: &str,
        name: &str,
        password: &str,
    ) -> AppResult<(User, String)> {
        let event = self.event(slug).await?;
        let email = App::email("email", email)?;
        password::check(password, email.as_str()).map_err(|issue| AppError::invalid("password", issue))?;
        let name = if name.trim().is_empty() { email.as_str().to_owned() } else { name.trim().to_owned() };
        let new = NewUser {
            email,
            display_name: name,
            password: password.to_owned(),
            role: Role::Organiser,
            organization_id: None,
            event_id: Some(event.id),
        };
        Ok((self.store.upsert_user(&new).await?, event.slug.to_string()))
    }

    /// Disables an account (its sessions end and its API tokens are revoked at once) or enables
    /// it again: for the command line, which acts as the operator.
    pub async fn set_disabled(&self, email: &str, disabled: bool) -> AppResult<User> {
        let email = App::email("email", email)?;
        Ok(self.store.set_disabled(&email, disabled).await?)
    }
}
