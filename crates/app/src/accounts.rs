//! Accounts: registration, sign-in and sign-out, invitations, the password, API tokens, the
//! personal data download and account deletion; and the operator's accounts of the command line.

use ketnoi_domain::access::Action;
use ketnoi_domain::event::EventSlug;
use ketnoi_domain::i18n::Language;
use ketnoi_domain::password;
use ketnoi_domain::profile::ValidationContext;
use ketnoi_domain::rules::{Refusal, RequestStatus, Resource};
use ketnoi_domain::validate::{self, Email, Issue, ValidationErrors};
use ketnoi_store::{ApiToken, Mailbox, NewMail, NewUser, Registration, Role, User};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::letters::{Letter, MailKind, Mode};
use crate::organizations::{OrganizationView, ProfileInput};
use crate::{App, AppError, AppResult, Attempt, Caller, current_year};

/// The longest display name.
pub(crate) const DISPLAY_NAME_MAX: usize = 100;
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
    /// `member` (of an organization), `organiser` (of an event) or `admin` (of the instance).
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
    /// The language of the account's messages: `vi` (the default) or `en`.
    pub language: Option<String>,
    /// Whether the person agrees to receive e-mail about requests, the schedule and reminders
    /// (recorded with its time). Messages about the account itself are sent regardless.
    #[serde(default)]
    pub email_consent: bool,
}

/// The answer to a registration, the same whether or not the address had an account: the
/// address is mailed either way, a confirmation link or a warning.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Registered {
    pub email: String,
    /// Always `confirmation-sent`.
    pub status: &'static str,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AcceptInvitationBody {
    /// The invitation code.
    pub code: String,
    pub display_name: String,
    pub password: String,
    /// The language of the account's messages: `vi` (the default) or `en`.
    pub language: Option<String>,
    /// Whether the person agrees to receive e-mail (recorded with its time).
    #[serde(default)]
    pub email_consent: bool,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordResetBody {
    pub email: String,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordResetConfirmBody {
    /// The token of the link in the message.
    pub token: String,
    /// 8 to 128 characters, not one of the 3,000 most common passwords.
    pub new_password: String,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfirmEmailBody {
    /// The token of the link in the message.
    pub token: String,
}

/// How a person wants one kind of message.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct KindPreference {
    /// `request-received`, `request-answered`, `request-cancelled`, `request-expired`,
    /// `digest`, `schedule`, `reminder`.
    pub kind: String,
    /// `immediate`, `digest` (requests received only: in the digest instead) or `off`.
    pub mode: String,
}

/// A person's mail settings.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MailPreferences {
    /// `vi` or `en`.
    pub language: String,
    /// Whether the person agreed to receive e-mail; without it only messages about the account
    /// itself are sent.
    pub email_consent: bool,
    pub kinds: Vec<KindPreference>,
}

/// A secret address serving the caller's published meetings as a calendar, no sign-in needed.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CalendarFeed {
    pub url: String,
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
    /// The account's mail settings, with when consent to e-mail was given.
    pub mail_preferences: MailPreferences,
    /// RFC 3339; none when no consent was given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email_consent_at: Option<String>,
    /// The messages ketnoi queued or sent to the account, newest first.
    pub messages: Vec<crate::outbox::MailView>,
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

/// The language a body asks for, Vietnamese when it does not.
fn language(code: Option<&str>) -> AppResult<Language> {
    match code.map(str::trim).filter(|c| !c.is_empty()) {
        None => Ok(Language::default()),
        Some(code) => Language::parse(code).ok_or_else(|| {
            let allowed = Language::ALL.iter().map(|l| l.code().to_owned()).collect();
            AppError::invalid("language", Issue::NotOneOf { value: code.to_owned(), allowed })
        }),
    }
}

/// A message about the account itself: no unsubscribe link, sent whatever the preferences.
pub(crate) fn security_mail(
    dedup_key: String,
    user_id: Option<i64>,
    event_id: Option<i64>,
    recipient: &str,
    letter: Letter,
    kind: MailKind,
) -> NewMail {
    NewMail {
        dedup_key,
        user_id,
        event_id,
        recipient: recipient.to_owned(),
        language: letter.language,
        kind: kind.as_str().to_owned(),
        subject: letter.subject.clone(),
        text_body: letter.plain(),
        html_body: letter.html(),
        unsubscribe: String::new(),
    }
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
        let (limiters, store) = (&self.limiters, &self.store);
        limiters.login_address.allow(store, client, Attempt::SignIn).await?;
        limiters.login_account.allow(store, &account, Attempt::SignIn).await?;
        let Some(user) = self.store.verify_login(&body.email, &body.password).await? else {
            limiters.login_address.record(store, client).await?;
            limiters.login_account.record(store, &account).await?;
            tracing::info!("sign-in refused");
            return Err(AppError::WrongCredentials);
        };
        limiters.login_account.clear(store, &account).await?;
        // Only someone who knows the password learns that the address is not confirmed yet.
        if !user.email_confirmed {
            return Err(Refusal::EmailNotConfirmed.into());
        }
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

    /// Registers an organization for an event with its first member, whose address is
    /// confirmed by a link mailed to it. The answer is the same whether or not the address had
    /// an account: its owner is told someone tried instead.
    pub async fn register(&self, body: &RegisterBody, client: &str) -> AppResult<Registered> {
        self.limiters.register_address.allow(&self.store, client, Attempt::Registration).await?;
        let language = language(body.language.as_deref())?;
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
        self.limiters.register_address.record(&self.store, client).await?;
        let registered = Registered { email: email.as_str().to_owned(), status: "confirmation-sent" };
        let organization = edit.profile.name.clone();
        let registration = Registration {
            event_id: event.id,
            profile: edit.profile,
            phone: edit.phone,
            funding_private: edit.funding_private,
            email: email.clone(),
            display_name: display_name.clone(),
            password: body.password.clone(),
            language,
            consent: body.email_consent,
        };
        let confirm = |token: &str| {
            let args = [
                ("organization", organization.clone()),
                ("event", event.name.clone()),
                ("email", email.as_str().to_owned()),
            ];
            let letter = Letter::new(language, "confirm-email.subject", Some(&display_name), &args)
                .line("confirm-email.body", &args)
                .action(
                    "confirm-email.action",
                    self.mail.link(&format!("/confirm-email?token={token}&event={}", event.slug)),
                )
                .signed(&event.name);
            security_mail(
                format!("confirm-email:{token}"),
                None,
                Some(event.id),
                email.as_str(),
                letter,
                MailKind::ConfirmEmail,
            )
        };
        // A taken address is told to its owner, not to whoever asked (checked first: the
        // organization the form names may exist too, and that is no one's secret).
        let taken = match self.store.user_by_email(&email).await? {
            Some(_) => {
                self.store.spend_like_registration(&body.password).await?;
                Err(Refusal::EmailTaken.into())
            }
            None => self.store.register(&registration, &confirm).await,
        };
        match taken {
            Ok(user) => tracing::info!(user = user.id, organization = ?user.organization_id, "registered"),
            Err(ketnoi_store::StoreError::Refused(refusal)) if *refusal == Refusal::EmailTaken => {
                if let Some(owner) = self.store.user_by_email(&email).await? {
                    let args = [("email", email.as_str().to_owned())];
                    let letter =
                        Letter::new(owner.language, "registration-attempt.subject", Some(&owner.display_name), &args)
                            .line("registration-attempt.body", &args)
                            .action("registration-attempt.action", self.mail.link("/forgot-password"))
                            .signed(&event.name);
                    let hour = jiff::Timestamp::now().as_second() / 3600;
                    let mail = security_mail(
                        format!("registration-attempt:{}:{hour}", owner.id),
                        Some(owner.id),
                        Some(event.id),
                        &owner.email,
                        letter,
                        MailKind::RegistrationAttempt,
                    );
                    self.store.enqueue_mail(&[mail]).await?;
                }
                tracing::info!("registration with an address that has an account");
            }
            Err(error) => return Err(error.into()),
        }
        Ok(registered)
    }

    /// Confirms an account's address by the link's token, and signs it in.
    pub async fn confirm_email(&self, body: &ConfirmEmailBody) -> AppResult<SignedIn> {
        let user = self.store.confirm_email(body.token.trim()).await?.ok_or(Refusal::TokenInvalid)?;
        tracing::info!(user = user.id, "address confirmed");
        self.session_for(&user).await
    }

    /// Mails a single-use link to choose a new password, valid an hour, when the address has
    /// an account; answers the same either way.
    pub async fn request_password_reset(&self, body: &PasswordResetBody, client: &str) -> AppResult<()> {
        self.limiters.register_address.allow(&self.store, client, Attempt::Password).await?;
        self.limiters.register_address.record(&self.store, client).await?;
        let Ok(email) = Email::parse(&body.email) else { return Ok(()) };
        let mail = |user: &User, token: &str| {
            let args = [("email", user.email.clone())];
            let letter = Letter::new(user.language, "password-reset.subject", Some(&user.display_name), &args)
                .line("password-reset.body", &args)
                .action("password-reset.action", self.mail.link(&format!("/reset-password?token={token}")))
                .signed("ketnoi");
            security_mail(
                format!("password-reset:{token}"),
                Some(user.id),
                None,
                &user.email,
                letter,
                MailKind::PasswordReset,
            )
        };
        if self.store.password_reset(&email, &mail).await? {
            tracing::info!("password reset mailed");
        }
        Ok(())
    }

    /// Sets a new password by the reset link's token; every session of the account ends.
    pub async fn reset_password(&self, body: &PasswordResetConfirmBody) -> AppResult<()> {
        let token = body.token.trim();
        let owner = self.store.mailed_token_user(ketnoi_store::TokenPurpose::PasswordReset, token).await?;
        let owner = self.store.user(owner.ok_or(Refusal::TokenInvalid)?).await?;
        password::check(&body.new_password, &owner.email).map_err(|issue| AppError::invalid("new_password", issue))?;
        let user = self.store.reset_password(token, &body.new_password).await?.ok_or(Refusal::TokenInvalid)?;
        tracing::info!(user = user.id, "password reset");
        Ok(())
    }

    /// Accepts an invitation: creates the member's account and signs it in.
    pub async fn accept_invitation(&self, body: &AcceptInvitationBody, client: &str) -> AppResult<SignedIn> {
        self.limiters.register_address.allow(&self.store, client, Attempt::Invitation).await?;
        let language = language(body.language.as_deref())?;
        let code = body.code.trim();
        let Some(email) = self.store.invitation_email(code).await? else {
            self.limiters.register_address.record(&self.store, client).await?;
            return Err(AppError::NotFound(Resource::Invitation));
        };
        let mut errors = ValidationErrors::default();
        let display_name = display_name(&mut errors, &body.display_name);
        errors.check("password", password::check(&body.password, &email));
        if !errors.is_empty() {
            return Err(errors.into());
        }
        let user =
            self.store.accept_invitation(code, &display_name, &body.password, language, body.email_consent).await?;
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
        self.limiters.login_account.allow(&self.store, &account, Attempt::Password).await?;
        password::check(&body.new_password, &user.email).map_err(|issue| AppError::invalid("new_password", issue))?;
        if !self.store.change_password(user.id, &body.current_password, &body.new_password, caller.session).await? {
            self.limiters.login_account.record(&self.store, &account).await?;
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
        self.limiters.login_account.allow(&self.store, &account, Attempt::Password).await?;
        if !self.store.check_password(user.id, &body.password).await? {
            self.limiters.login_account.record(&self.store, &account).await?;
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
        let name = self.store.organization(organization).await?.profile.name;
        let mail = |invitation: &ketnoi_store::Invitation, code: &str| {
            let args = [("inviter", user.display_name.clone()), ("organization", name.clone())];
            let letter = Letter::new(user.language, "invitation.subject", None, &args)
                .line("invitation.body", &args)
                .action("invitation.action", self.mail.link(&format!("/join?code={code}")))
                .line("invitation.code", &[("code", code.to_owned())])
                .signed("ketnoi");
            let dedup = format!("invitation:{}", invitation.id);
            security_mail(dedup, None, None, &invitation.email, letter, MailKind::Invitation)
        };
        let (invitation, code) = self.store.invite(organization, &email, user.id, &mail).await?;
        Ok(InvitationView {
            id: invitation.id,
            organization_id: invitation.organization_id,
            email: invitation.email,
            expires_at: invitation.expires_at,
            code,
        })
    }

    /// The caller's mail settings: language, consent, and how each kind of message comes.
    pub async fn mail_preferences(&self, caller: &Caller) -> AppResult<MailPreferences> {
        caller.may(&Action::ManageOwnAccount, Resource::User)?;
        let user = self.store.user(caller.user()?.id).await?;
        let chosen = self.store.mail_preferences(user.id).await?;
        let kinds = MailKind::preferences()
            .map(|kind| KindPreference {
                kind: kind.as_str().to_owned(),
                mode: chosen.get(kind.as_str()).cloned().unwrap_or_else(|| Mode::Immediate.as_str().to_owned()),
            })
            .collect();
        Ok(MailPreferences {
            language: user.language.code().to_owned(),
            email_consent: user.email_consent_at.is_some(),
            kinds,
        })
    }

    /// Changes the caller's mail settings; kinds left out keep theirs.
    pub async fn set_mail_preferences(&self, caller: &Caller, input: &MailPreferences) -> AppResult<MailPreferences> {
        caller.may(&Action::ManageOwnAccount, Resource::User)?;
        let user = caller.user()?;
        let language = language(Some(&input.language))?;
        let mut errors = ValidationErrors::default();
        let mut chosen = Vec::new();
        for (index, preference) in input.kinds.iter().enumerate() {
            let field = format!("kinds[{index}]");
            let allowed = |kind: MailKind| kind.modes().iter().map(|m| m.as_str().to_owned()).collect::<Vec<_>>();
            match MailKind::parse(&preference.kind).filter(|kind| !kind.is_security()) {
                None => errors.add(
                    format!("{field}.kind"),
                    Issue::NotOneOf {
                        value: preference.kind.clone(),
                        allowed: MailKind::preferences().map(|k| k.as_str().to_owned()).collect(),
                    },
                ),
                Some(kind) => match Mode::parse(&preference.mode).filter(|mode| kind.modes().contains(mode)) {
                    None => errors.add(
                        format!("{field}.mode"),
                        Issue::NotOneOf { value: preference.mode.clone(), allowed: allowed(kind) },
                    ),
                    Some(mode) => chosen.push((kind, mode)),
                },
            }
        }
        if !errors.is_empty() {
            return Err(errors.into());
        }
        self.store.set_user_language(user.id, language).await?;
        self.store.set_email_consent(user.id, input.email_consent).await?;
        for (kind, mode) in chosen {
            self.store.set_mail_preference(user.id, kind.as_str(), mode.as_str()).await?;
        }
        self.mail_preferences(caller).await
    }

    /// Turns one kind of message off for a user, by the signed link of a message: no sign-in,
    /// and only for the user and kind the link was made for.
    pub async fn unsubscribe(&self, user: i64, kind: &str, mac: &str) -> AppResult<MailKind> {
        let key = self.store.link_key().await?;
        let kind =
            MailKind::parse(kind).filter(|kind| !kind.is_security()).ok_or(AppError::NotFound(Resource::Page))?;
        if !crate::notify::unsubscribe_signed(&key, user, kind, mac) {
            return Err(AppError::NotFound(Resource::Page));
        }
        self.store.set_mail_preference(user, kind.as_str(), Mode::Off.as_str()).await?;
        tracing::info!(user, kind = kind.as_str(), "unsubscribed");
        Ok(kind)
    }

    /// The secret address of the caller's calendar feed; with `renew`, a new one (the old one
    /// stops working). One is made the first time.
    pub async fn calendar_feed(&self, caller: &Caller, renew: bool) -> AppResult<CalendarFeed> {
        caller.may(&Action::ManageOwnAccount, Resource::User)?;
        let user = self.store.user(caller.user()?.id).await?;
        let generation = if renew || user.calendar_feed == 0 {
            self.store.set_calendar_feed(user.id, true).await?
        } else {
            user.calendar_feed
        };
        let key = self.store.link_key().await?;
        Ok(CalendarFeed { url: self.mail.link(&crate::notify::feed_path(&key, user.id, generation)) })
    }

    /// Revokes the caller's calendar feed address.
    pub async fn revoke_calendar_feed(&self, caller: &Caller) -> AppResult<()> {
        caller.may(&Action::ManageOwnAccount, Resource::User)?;
        self.store.set_calendar_feed(caller.user()?.id, false).await?;
        Ok(())
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
            mail_preferences: self.mail_preferences(caller).await?,
            email_consent_at: store
                .user(user.id)
                .await?
                .email_consent_at
                .and_then(|at| jiff::Timestamp::from_second(at).ok())
                .map(|at| at.to_string()),
            messages: self.own_mail(user.id).await?,
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
        let user = self.operator_account(email, name, password, Role::Organiser, Some(event.id)).await?;
        Ok((user, event.slug.to_string()))
    }

    /// Creates an administrator of the instance (no event, no organization), or resets its
    /// password, name and role: for the command line, which acts as the operator.
    pub async fn add_admin(&self, email: &str, name: &str, password: &str) -> AppResult<User> {
        self.operator_account(email, name, password, Role::Admin, None).await
    }

    /// Creates (or resets) an account the command line makes: no organization, the name the
    /// address when none is given, the password checked as any other.
    async fn operator_account(
        &self,
        email: &str,
        name: &str,
        password: &str,
        role: Role,
        event_id: Option<i64>,
    ) -> AppResult<User> {
        let email = App::email("email", email)?;
        password::check(password, email.as_str()).map_err(|issue| AppError::invalid("password", issue))?;
        let name = if name.trim().is_empty() { email.as_str().to_owned() } else { name.trim().to_owned() };
        let new = NewUser {
            email,
            display_name: name,
            password: password.to_owned(),
            role,
            organization_id: None,
            event_id,
            email_consent: false,
        };
        Ok(self.store.upsert_user(&new).await?)
    }

    /// Disables an account (its sessions end and its API tokens are revoked at once) or enables
    /// it again: for the command line, which acts as the operator.
    pub async fn set_disabled(&self, email: &str, disabled: bool) -> AppResult<User> {
        let email = App::email("email", email)?;
        Ok(self.store.set_disabled(&email, disabled).await?)
    }
}
