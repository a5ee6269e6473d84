//! Accounts: registration, sign-in and sign-out, invitations, the password, API tokens, the
//! personal data download and account deletion.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{AppendHeaders, IntoResponse, Response};
use ketnoi_domain::access::{Action, authorize};
use ketnoi_domain::event::EventSlug;
use ketnoi_domain::password;
use ketnoi_domain::profile::ValidationContext;
use ketnoi_domain::validate::{Email, ValidationErrors};
use ketnoi_store::{ApiToken, Registration, User};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::auth::{Caller, ClientAddress, Via, cleared_cookie, session_cookie};
use crate::error::{ApiError, Problem};
use crate::json::Body;
use crate::organizations::{OrganizationView, ProfileBody, parse_id};

/// The longest display name.
const DISPLAY_NAME_MAX: usize = 100;
/// The longest API token name.
const TOKEN_NAME_MAX: usize = 100;
/// The longest an API token may live: a year.
const TOKEN_DAYS_MAX: i64 = 366;

/// The signed-in user.
#[derive(Debug, Serialize, ToSchema)]
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

async fn me_view(state: &AppState, user: &User) -> Result<Me, ApiError> {
    let event = match user.event_id {
        Some(id) => state.store.events().await?.into_iter().find(|e| e.id == id).map(|e| e.slug.to_string()),
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

/// A new session for `user`: the cookie and the signed-in user.
async fn signed_in(
    state: &AppState,
    headers: &HeaderMap,
    user: &User,
    status: StatusCode,
) -> Result<Response, ApiError> {
    let (_, secret) = state.store.create_session(user.id, state.auth.lifetime).await?;
    let cookie = session_cookie(state, headers, &secret);
    Ok((status, AppendHeaders([(header::SET_COOKIE, cookie)]), Json(me_view(state, user).await?)).into_response())
}

fn display_name(errors: &mut ValidationErrors, name: &str) -> String {
    errors.check("display_name", ketnoi_domain::validate::text(name, 1, DISPLAY_NAME_MAX)).unwrap_or_default()
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginBody {
    pub email: String,
    pub password: String,
}

/// Signs in: a new session cookie on every sign-in. A wrong password and an unknown e-mail get
/// the same answer in the same time; too many failures answer 429 (see docs/api.md).
#[utoipa::path(post, path = "/auth/login", tag = "accounts", request_body = LoginBody,
    responses((status = 200, description = "Signed in; the session is in the `ketnoi_session` cookie", body = Me),
        (status = 401, description = "Wrong e-mail or password", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many failed attempts for this account or address", body = Problem, content_type = "application/problem+json")))]
pub async fn login(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    headers: HeaderMap,
    Body(body): Body<LoginBody>,
) -> Result<Response, ApiError> {
    let account = body.email.trim().to_lowercase();
    let limiters = &state.limiters;
    limiters.login_address.allow(&address, "failed sign-ins")?;
    limiters.login_account.allow(&account, "failed sign-ins")?;
    let Some(user) = state.store.verify_login(&body.email, &body.password).await? else {
        limiters.login_address.record(&address);
        limiters.login_account.record(&account);
        tracing::info!("sign-in refused");
        return Err(ApiError::unauthenticated("wrong e-mail or password"));
    };
    limiters.login_account.clear(&account);
    // A session this browser held before is ended, not carried into the new sign-in.
    if let Some(previous) = crate::auth::cookie(&headers, crate::auth::SESSION_COOKIE) {
        state.store.end_session(previous).await?;
    }
    tracing::info!(user = user.id, "signed in");
    signed_in(&state, &headers, &user, StatusCode::OK).await
}

/// Signs out: the session ends on the server, and the cookie is cleared.
#[utoipa::path(post, path = "/auth/logout", tag = "accounts",
    responses((status = 204, description = "Signed out (also when no one was signed in)")))]
pub async fn logout(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, ApiError> {
    if let Some(secret) = crate::auth::cookie(&headers, crate::auth::SESSION_COOKIE) {
        state.store.end_session(secret).await?;
    }
    Ok((StatusCode::NO_CONTENT, AppendHeaders([(header::SET_COOKIE, cleared_cookie(&state, &headers))]))
        .into_response())
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterBody {
    /// The event the organization registers for.
    #[schema(example = "techfest-haiphong-2023")]
    pub event: String,
    pub email: String,
    /// 8 to 128 characters, not one of the 3,000 most common passwords.
    pub password: String,
    pub display_name: String,
    pub organization: ProfileBody,
}

/// Registers an organization for an event with its first member, and signs the member in.
#[utoipa::path(post, path = "/auth/register", tag = "accounts", request_body = RegisterBody,
    responses((status = 201, description = "Registered and signed in", body = Me),
        (status = 400, description = "A field is invalid", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such event", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The e-mail has an account already", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many registrations from this address", body = Problem, content_type = "application/problem+json")))]
pub async fn register(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    headers: HeaderMap,
    Body(body): Body<RegisterBody>,
) -> Result<Response, ApiError> {
    state.limiters.register_address.allow(&address, "registrations")?;
    let slug = EventSlug::parse(&body.event).map_err(|e| ApiError::invalid("event", e))?;
    let event = state.store.event(&slug).await?;
    let mut errors = ValidationErrors::default();
    let email = errors.check("email", Email::parse(&body.email));
    let display_name = display_name(&mut errors, &body.display_name);
    errors.check("password", password::check(&body.password, &body.email));
    let context = ValidationContext { current_year: crate::current_year(), rates: Some(&event.rates) };
    let edit = match body.organization.validate(&context) {
        Ok(edit) => edit,
        Err(invalid) => return Err(ApiError::nested(errors, "organization", invalid)),
    };
    let Some(email) = email.filter(|_| errors.is_empty()) else { return Err(ApiError::validation(errors)) };
    state.limiters.register_address.record(&address);
    let registration = Registration {
        event_id: event.id,
        profile: edit.profile,
        phone: edit.phone,
        funding_private: edit.funding_private,
        email,
        display_name,
        password: body.password,
    };
    let user = state.store.register(&registration).await?;
    tracing::info!(user = user.id, organization = ?user.organization_id, "registered");
    signed_in(&state, &headers, &user, StatusCode::CREATED).await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AcceptInvitationBody {
    /// The invitation code.
    pub code: String,
    pub display_name: String,
    pub password: String,
}

/// Accepts an invitation: creates the member's account and signs it in.
#[utoipa::path(post, path = "/auth/invitations/accept", tag = "accounts", request_body = AcceptInvitationBody,
    responses((status = 201, description = "Account created and signed in", body = Me),
        (status = 400, description = "A field is invalid", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Unknown, used or expired invitation", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The e-mail has an account already", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many attempts from this address", body = Problem, content_type = "application/problem+json")))]
pub async fn accept_invitation(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    headers: HeaderMap,
    Body(body): Body<AcceptInvitationBody>,
) -> Result<Response, ApiError> {
    state.limiters.register_address.allow(&address, "attempts")?;
    let Some(email) = state.store.invitation_email(&body.code).await? else {
        state.limiters.register_address.record(&address);
        return Err(ApiError::not_found("invitation"));
    };
    let mut errors = ValidationErrors::default();
    let display_name = display_name(&mut errors, &body.display_name);
    errors.check("password", password::check(&body.password, &email));
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    let user = state.store.accept_invitation(&body.code, &display_name, &body.password).await?;
    tracing::info!(user = user.id, "invitation accepted");
    signed_in(&state, &headers, &user, StatusCode::CREATED).await
}

/// The signed-in user.
#[utoipa::path(get, path = "/me", tag = "accounts",
    responses((status = 200, description = "The signed-in user", body = Me)))]
pub async fn me(State(state): State<AppState>, caller: Caller) -> Result<Json<Me>, ApiError> {
    authorize(&caller.actor, &Action::ManageOwnAccount)?;
    Ok(Json(me_view(&state, caller.user()?).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordBody {
    pub current_password: String,
    /// 8 to 128 characters, not one of the 3,000 most common passwords.
    pub new_password: String,
}

/// Changes the password; every other session of the account ends.
#[utoipa::path(put, path = "/me/password", tag = "accounts", request_body = PasswordBody,
    responses((status = 204, description = "Changed"),
        (status = 400, description = "The current password is wrong, or the new one is refused", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many wrong passwords", body = Problem, content_type = "application/problem+json")))]
pub async fn change_password(
    State(state): State<AppState>,
    caller: Caller,
    Body(body): Body<PasswordBody>,
) -> Result<StatusCode, ApiError> {
    authorize(&caller.actor, &Action::ManageOwnAccount)?;
    let user = caller.user()?;
    let account = user.email.to_lowercase();
    state.limiters.login_account.allow(&account, "wrong passwords")?;
    password::check(&body.new_password, &user.email).map_err(|e| ApiError::invalid("new_password", e))?;
    let keep = match caller.via {
        Via::Cookie { session } => Some(session),
        Via::Token | Via::Nothing => None,
    };
    if !state.store.change_password(user.id, &body.current_password, &body.new_password, keep).await? {
        state.limiters.login_account.record(&account);
        return Err(ApiError::invalid("current_password", "is not your current password"));
    }
    tracing::info!(user = user.id, "password changed");
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeleteAccountBody {
    /// The account's password, to confirm.
    pub password: String,
}

/// Deletes the signed-in account with its sessions and tokens. The organization stays; delete
/// it with `DELETE /organizations/{id}`.
#[utoipa::path(delete, path = "/me", tag = "accounts", request_body = DeleteAccountBody,
    responses((status = 204, description = "Deleted; the cookie is cleared"),
        (status = 400, description = "The password is wrong", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many wrong passwords", body = Problem, content_type = "application/problem+json")))]
pub async fn delete_me(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Body(body): Body<DeleteAccountBody>,
) -> Result<Response, ApiError> {
    authorize(&caller.actor, &Action::ManageOwnAccount)?;
    let user = caller.user()?;
    let account = user.email.to_lowercase();
    state.limiters.login_account.allow(&account, "wrong passwords")?;
    if !state.store.check_password(user.id, &body.password).await? {
        state.limiters.login_account.record(&account);
        return Err(ApiError::invalid("password", "is not your password"));
    }
    state.store.delete_user(user.id).await?;
    tracing::info!(user = user.id, "account deleted");
    Ok((StatusCode::NO_CONTENT, AppendHeaders([(header::SET_COOKIE, cleared_cookie(&state, &headers))]))
        .into_response())
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

/// The signed-in user's API tokens, newest first.
#[utoipa::path(get, path = "/me/tokens", tag = "accounts",
    responses((status = 200, description = "The tokens, revoked ones included", body = TokenList)))]
pub async fn tokens(State(state): State<AppState>, caller: Caller) -> Result<Json<TokenList>, ApiError> {
    authorize(&caller.actor, &Action::ManageOwnAccount)?;
    let items = state.store.tokens(caller.user()?.id).await?.into_iter().map(TokenView::from).collect();
    Ok(Json(TokenList { items }))
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

/// Creates an API token for scripts. The secret is shown once; ketnoi keeps only its hash.
#[utoipa::path(post, path = "/me/tokens", tag = "accounts", request_body = NewTokenBody,
    responses((status = 201, description = "The token and its secret", body = NewToken),
        (status = 400, description = "A field is invalid", body = Problem, content_type = "application/problem+json")))]
pub async fn create_token(
    State(state): State<AppState>,
    caller: Caller,
    Body(body): Body<NewTokenBody>,
) -> Result<(StatusCode, Json<NewToken>), ApiError> {
    authorize(&caller.actor, &Action::ManageOwnAccount)?;
    let mut errors = ValidationErrors::default();
    let name = errors.check("name", ketnoi_domain::validate::text(&body.name, 1, TOKEN_NAME_MAX));
    let days = body.expires_in_days;
    if days.is_some_and(|d| !(1..=TOKEN_DAYS_MAX).contains(&d)) {
        errors.add("expires_in_days", format!("must be from 1 to {TOKEN_DAYS_MAX}"));
    }
    let Some(name) = name.filter(|_| errors.is_empty()) else { return Err(ApiError::validation(errors)) };
    let expires_at = days.map(|d| jiff::Timestamp::now().as_second() + d * 86_400);
    let user = caller.user()?;
    let (token, secret) = state.store.create_token(user.id, &name, expires_at).await?;
    tracing::info!(user = user.id, token = token.id, "API token created");
    Ok((StatusCode::CREATED, Json(NewToken { token: token.into(), secret })))
}

/// Revokes one of the signed-in user's API tokens, at once.
#[utoipa::path(delete, path = "/me/tokens/{id}", tag = "accounts", params(("id" = i64, Path)),
    responses((status = 204, description = "Revoked"),
        (status = 404, description = "No such token of yours", body = Problem, content_type = "application/problem+json")))]
pub async fn revoke_token(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    authorize(&caller.actor, &Action::ManageOwnAccount)?;
    let id = parse_id(&id, "token")?;
    let user = caller.user()?;
    state.store.revoke_token(user.id, id).await?;
    tracing::info!(user = user.id, token = id, "API token revoked");
    Ok(StatusCode::NO_CONTENT)
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
    pub status: String,
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

/// Downloads everything ketnoi holds about the signed-in user and their organization, as JSON.
#[utoipa::path(get, path = "/me/export", tag = "accounts",
    responses((status = 200, description = "The data, as an attachment", body = PersonalData)))]
pub async fn export(State(state): State<AppState>, caller: Caller) -> Result<Response, ApiError> {
    authorize(&caller.actor, &Action::ManageOwnAccount)?;
    let user = caller.user()?;
    let store = &state.store;
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
            for mailbox in [ketnoi_store::Mailbox::Outbox, ketnoi_store::Mailbox::Inbox] {
                for r in store.requests(event.id, id, mailbox).await? {
                    meeting_requests.push(RequestRecord {
                        event: event.slug.to_string(),
                        from: r.requester_id,
                        to: r.recipient_id,
                        message: r.message,
                        note: r.note,
                        status: r.status.as_str().to_owned(),
                        created_at: r.created_at,
                    });
                }
            }
            for m in store.meetings_of(event.id, id).await? {
                meetings.push(MeetingRecord {
                    event: event.slug.to_string(),
                    startup: m.startup_id,
                    investor: m.investor_id,
                    slot_id: m.slot_id,
                    table: m.table,
                    status: m.status.as_str().to_owned(),
                    startup_outcome: m.startup_outcome,
                    investor_outcome: m.investor_outcome,
                });
            }
        }
    }
    let account = me_view(&state, user).await?;
    let events: Vec<String> = if user.organization_id.is_some() {
        events.into_iter().map(|e| e.slug.to_string()).collect()
    } else {
        account.event.iter().cloned().collect()
    };
    let data = PersonalData {
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
            .map(|s| SessionRecord { created_at: s.created_at, last_seen_at: s.last_seen_at, expires_at: s.expires_at })
            .collect(),
        api_tokens: store.tokens(user.id).await?.into_iter().map(TokenView::from).collect(),
        meeting_requests,
        meetings,
    };
    let disposition = "attachment; filename=\"ketnoi-my-data.json\"";
    Ok((AppendHeaders([(header::CONTENT_DISPOSITION, disposition)]), Json(data)).into_response())
}
