//! Accounts: registration and address confirmation, sign-in and sign-out, invitations, the
//! password and its reset, mail preferences, the calendar feed's address, API tokens, the
//! personal data download and account deletion. The session lives in a cookie.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{AppendHeaders, IntoResponse, Response};
use ketnoi_app::accounts::{
    AcceptInvitationBody, CalendarFeed, ConfirmEmailBody, DeleteAccountBody, LoginBody, MailPreferences, Me, NewToken,
    NewTokenBody, PasswordBody, PasswordResetBody, PasswordResetConfirmBody, PersonalData, RegisterBody, Registered,
    SignedIn, TokenList,
};
use ketnoi_domain::rules::Resource;

use crate::AppState;
use crate::auth::{Auth, ClientAddress, SESSION_COOKIE, cleared_cookie, cookie, session_cookie};
use crate::error::{ApiError, Problem};
use crate::json::Body;
use crate::organizations::id;

/// The answer to a new session: its cookie, and the signed-in user.
fn signed_in(state: &AppState, headers: &HeaderMap, signed: SignedIn, status: StatusCode) -> Response {
    let cookie = session_cookie(state, headers, &signed.secret);
    (status, AppendHeaders([(header::SET_COOKIE, cookie)]), Json(signed.me)).into_response()
}

/// Signs in: a new session cookie on every sign-in. A wrong password and an unknown e-mail get
/// the same answer in the same time; too many failures answer 429 (see docs/api.md).
#[utoipa::path(post, path = "/auth/login", tag = "accounts", request_body = LoginBody,
    responses((status = 200, description = "Signed in; the session is in the `ketnoi_session` cookie", body = Me),
        (status = 401, description = "`wrong-credentials`: wrong e-mail or password", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`email-not-confirmed`: the right password, but the address is not confirmed yet", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "`too-many-attempts`: too many failed attempts for this account or address", body = Problem, content_type = "application/problem+json")))]
pub async fn login(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    headers: HeaderMap,
    Body(body): Body<LoginBody>,
) -> Result<Response, ApiError> {
    let previous = cookie(&headers, SESSION_COOKIE);
    let signed = state.app.login(&body, &address, previous).await?;
    Ok(signed_in(&state, &headers, signed, StatusCode::OK))
}

/// Signs out: the session ends on the server, and the cookie is cleared.
#[utoipa::path(post, path = "/auth/logout", tag = "accounts",
    responses((status = 204, description = "Signed out (also when no one was signed in)")))]
pub async fn logout(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, ApiError> {
    state.app.logout(cookie(&headers, SESSION_COOKIE)).await?;
    Ok((StatusCode::NO_CONTENT, AppendHeaders([(header::SET_COOKIE, cleared_cookie(&state, &headers))]))
        .into_response())
}

/// Registers an organization for an event with its first member. The answer is the same
/// whether or not the address has an account: a new account's address is sent a link to
/// confirm it (signing in waits for it); the owner of a taken address is told someone tried.
#[utoipa::path(post, path = "/auth/register", tag = "accounts", request_body = RegisterBody,
    responses((status = 202, description = "A message is on its way to the address", body = Registered),
        (status = 400, description = "`invalid-field`: a field is invalid", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not-found`: no such event", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "`too-many-attempts`: too many registrations from this address", body = Problem, content_type = "application/problem+json")))]
pub async fn register(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    Body(body): Body<RegisterBody>,
) -> Result<(StatusCode, Json<Registered>), ApiError> {
    Ok((StatusCode::ACCEPTED, Json(state.app.register(&body, &address).await?)))
}

/// Accepts an invitation: creates the member's account and signs it in.
#[utoipa::path(post, path = "/auth/invitations/accept", tag = "accounts", request_body = AcceptInvitationBody,
    responses((status = 201, description = "Account created and signed in", body = Me),
        (status = 400, description = "`invalid-field`: a field is invalid", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not-found`: unknown, used or expired invitation", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`email-taken`: the e-mail has an account already", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "`too-many-attempts`: too many attempts from this address", body = Problem, content_type = "application/problem+json")))]
pub async fn accept_invitation(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    headers: HeaderMap,
    Body(body): Body<AcceptInvitationBody>,
) -> Result<Response, ApiError> {
    let signed = state.app.accept_invitation(&body, &address).await?;
    Ok(signed_in(&state, &headers, signed, StatusCode::CREATED))
}

/// The signed-in user.
#[utoipa::path(get, path = "/me", tag = "accounts",
    responses((status = 200, description = "The signed-in user", body = Me)))]
pub async fn me(State(state): State<AppState>, Auth(caller): Auth) -> Result<Json<Me>, ApiError> {
    Ok(Json(state.app.me(&caller).await?))
}

/// Changes the password; every other session of the account ends.
#[utoipa::path(put, path = "/me/password", tag = "accounts", request_body = PasswordBody,
    responses((status = 204, description = "Changed"),
        (status = 400, description = "`invalid-field`: the current password is wrong, or the new one is refused", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "`too-many-attempts`: too many wrong passwords", body = Problem, content_type = "application/problem+json")))]
pub async fn change_password(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Body(body): Body<PasswordBody>,
) -> Result<StatusCode, ApiError> {
    state.app.change_password(&caller, &body).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Deletes the signed-in account with its sessions and tokens. The organization stays; delete
/// it with `DELETE /organizations/{id}`.
#[utoipa::path(delete, path = "/me", tag = "accounts", request_body = DeleteAccountBody,
    responses((status = 204, description = "Deleted; the cookie is cleared"),
        (status = 400, description = "`invalid-field`: the password is wrong", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "`too-many-attempts`: too many wrong passwords", body = Problem, content_type = "application/problem+json")))]
pub async fn delete_me(
    State(state): State<AppState>,
    Auth(caller): Auth,
    headers: HeaderMap,
    Body(body): Body<DeleteAccountBody>,
) -> Result<Response, ApiError> {
    state.app.delete_account(&caller, &body).await?;
    Ok((StatusCode::NO_CONTENT, AppendHeaders([(header::SET_COOKIE, cleared_cookie(&state, &headers))]))
        .into_response())
}

/// The signed-in user's API tokens, newest first.
#[utoipa::path(get, path = "/me/tokens", tag = "accounts",
    responses((status = 200, description = "The tokens, revoked ones included", body = TokenList)))]
pub async fn tokens(State(state): State<AppState>, Auth(caller): Auth) -> Result<Json<TokenList>, ApiError> {
    Ok(Json(state.app.tokens(&caller).await?))
}

/// Creates an API token for scripts. The secret is shown once; ketnoi keeps only its hash.
#[utoipa::path(post, path = "/me/tokens", tag = "accounts", request_body = NewTokenBody,
    responses((status = 201, description = "The token and its secret", body = NewToken),
        (status = 400, description = "`invalid-field`: a field is invalid", body = Problem, content_type = "application/problem+json")))]
pub async fn create_token(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Body(body): Body<NewTokenBody>,
) -> Result<(StatusCode, Json<NewToken>), ApiError> {
    Ok((StatusCode::CREATED, Json(state.app.create_token(&caller, &body).await?)))
}

/// Revokes one of the signed-in user's API tokens, at once.
#[utoipa::path(delete, path = "/me/tokens/{id}", tag = "accounts", params(("id" = i64, Path)),
    responses((status = 204, description = "Revoked"),
        (status = 404, description = "`not-found`: no such token of yours", body = Problem, content_type = "application/problem+json")))]
pub async fn revoke_token(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Path(token): Path<String>,
) -> Result<StatusCode, ApiError> {
    caller.require_sign_in()?;
    state.app.revoke_token(&caller, id(&token, Resource::Token)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Downloads everything ketnoi holds about the signed-in user and their organization, as JSON.
#[utoipa::path(get, path = "/me/export", tag = "accounts",
    responses((status = 200, description = "The data, as an attachment", body = PersonalData)))]
pub async fn export(State(state): State<AppState>, Auth(caller): Auth) -> Result<Response, ApiError> {
    let data = state.app.personal_data(&caller).await?;
    let disposition = "attachment; filename=\"ketnoi-my-data.json\"";
    Ok((AppendHeaders([(header::CONTENT_DISPOSITION, disposition)]), Json(data)).into_response())
}

/// Confirms the address of a new account by the token of the link mailed to it, and signs the
/// account in.
#[utoipa::path(post, path = "/auth/confirm-email", tag = "accounts", request_body = ConfirmEmailBody,
    responses((status = 200, description = "Confirmed and signed in; the session is in the `ketnoi_session` cookie", body = Me),
        (status = 400, description = "`token-invalid`: the token is unknown, used or expired", body = Problem, content_type = "application/problem+json")))]
pub async fn confirm_email(
    State(state): State<AppState>,
    headers: HeaderMap,
    Body(body): Body<ConfirmEmailBody>,
) -> Result<Response, ApiError> {
    let signed = state.app.confirm_email(&body).await?;
    Ok(signed_in(&state, &headers, signed, StatusCode::OK))
}

/// Mails a single-use link to choose a new password, valid one hour, when the address has an
/// account. The answer is the same whether or not it has one.
#[utoipa::path(post, path = "/auth/password-reset", tag = "accounts", request_body = PasswordResetBody,
    responses((status = 202, description = "If the address has an account, a link is on its way"),
        (status = 429, description = "`too-many-attempts`: too many requests from this address", body = Problem, content_type = "application/problem+json")))]
pub async fn password_reset(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    Body(body): Body<PasswordResetBody>,
) -> Result<StatusCode, ApiError> {
    state.app.request_password_reset(&body, &address).await?;
    Ok(StatusCode::ACCEPTED)
}

/// Sets a new password by the token of the reset link; the token is used up and every session
/// of the account ends.
#[utoipa::path(post, path = "/auth/password-reset/confirm", tag = "accounts", request_body = PasswordResetConfirmBody,
    responses((status = 204, description = "The password is set; every session ended"),
        (status = 400, description = "`token-invalid`: the token is unknown, used or expired; `invalid-field`: the new password is refused", body = Problem, content_type = "application/problem+json")))]
pub async fn password_reset_confirm(
    State(state): State<AppState>,
    Body(body): Body<PasswordResetConfirmBody>,
) -> Result<StatusCode, ApiError> {
    state.app.reset_password(&body).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The signed-in user's mail settings: language, consent, and how each kind of message comes.
#[utoipa::path(get, path = "/me/mail-preferences", tag = "accounts",
    responses((status = 200, description = "The settings", body = MailPreferences)))]
pub async fn mail_preferences(
    State(state): State<AppState>,
    Auth(caller): Auth,
) -> Result<Json<MailPreferences>, ApiError> {
    Ok(Json(state.app.mail_preferences(&caller).await?))
}

/// Changes the signed-in user's mail settings. Kinds left out keep their mode; messages about
/// the account itself (password reset, invitations) cannot be turned off.
#[utoipa::path(put, path = "/me/mail-preferences", tag = "accounts", request_body = MailPreferences,
    responses((status = 200, description = "The settings now in force", body = MailPreferences),
        (status = 400, description = "`invalid-field`: an unknown language, kind or mode", body = Problem, content_type = "application/problem+json")))]
pub async fn set_mail_preferences(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Body(body): Body<MailPreferences>,
) -> Result<Json<MailPreferences>, ApiError> {
    Ok(Json(state.app.set_mail_preferences(&caller, &body).await?))
}

/// The secret address of the signed-in user's calendar feed (made the first time): every
/// published meeting of theirs, served as `text/calendar` without a cookie.
#[utoipa::path(get, path = "/me/calendar-feed", tag = "accounts",
    responses((status = 200, description = "The feed's address", body = CalendarFeed)))]
pub async fn calendar_feed(State(state): State<AppState>, Auth(caller): Auth) -> Result<Json<CalendarFeed>, ApiError> {
    Ok(Json(state.app.calendar_feed(&caller, false).await?))
}

/// A new secret address for the calendar feed; the old one answers 404 from now on.
#[utoipa::path(post, path = "/me/calendar-feed", tag = "accounts",
    responses((status = 201, description = "The new address", body = CalendarFeed)))]
pub async fn renew_calendar_feed(
    State(state): State<AppState>,
    Auth(caller): Auth,
) -> Result<(StatusCode, Json<CalendarFeed>), ApiError> {
    Ok((StatusCode::CREATED, Json(state.app.calendar_feed(&caller, true).await?)))
}

/// Revokes the calendar feed's address: it answers 404 until a new one is made.
#[utoipa::path(delete, path = "/me/calendar-feed", tag = "accounts",
    responses((status = 204, description = "Revoked")))]
pub async fn revoke_calendar_feed(State(state): State<AppState>, Auth(caller): Auth) -> Result<StatusCode, ApiError> {
    state.app.revoke_calendar_feed(&caller).await?;
    Ok(StatusCode::NO_CONTENT)
}
