//! Signing in and out, registering and confirming the address, joining by invitation, a
//! forgotten password, the account page (invite a colleague, mail preferences, the calendar
//! feed, download my data, delete my account), one-click unsubscribe and the language switch.

use std::collections::BTreeMap;

use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use ketnoi_app::accounts::{
    AcceptInvitationBody, ConfirmEmailBody, DeleteAccountBody, InviteBody, KindPreference, LoginBody, MailPreferences,
    PasswordResetBody, PasswordResetConfirmBody, RegisterBody, SignedIn,
};
use ketnoi_app::{AppError, MailKind, ProblemKind};
use ketnoi_domain::profile::OrgKind;
use ketnoi_domain::rules::Refusal;
use minijinja::context;
use serde::Serialize;

use super::views::{self, Choice, PROFILE_FIELDS};
use super::{Ctx, Form, WebError, WebResult, field_errors, i18n, local_path, query, refusal, refused};
use crate::AppState;
use crate::auth::{ClientAddress, SESSION_COOKIE, cleared_cookie, cookie, session_cookie};

/// How long the language choice is remembered: a year.
const LANGUAGE_MAX_AGE: u32 = 365 * 24 * 3600;

/// `POST /lang`: switches the language and goes back to the page.
pub async fn language(form: Form) -> Response {
    let code = i18n::parse_language(form.get("lang")).map_or("vi", i18n::code);
    let cookie = format!("{}={code}; Path=/; Max-Age={LANGUAGE_MAX_AGE}; SameSite=Lax", i18n::LANG_COOKIE);
    let mut response = Redirect::to(local_path(form.get("back"))).into_response();
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

/// A redirect to `to` that sets `cookie` (a new session, or none).
fn redirect_with_cookie(cookie: HeaderValue, to: &str) -> Response {
    let mut response = Redirect::to(local_path(to)).into_response();
    response.headers_mut().append(header::SET_COOKIE, cookie);
    response
}

/// A redirect to `to`, signed in.
fn signed_in(state: &AppState, headers: &HeaderMap, signed: &SignedIn, to: &str) -> Response {
    redirect_with_cookie(session_cookie(state, headers, &signed.secret), to)
}

/// `GET /sign-in?next=`.
pub async fn sign_in_page(State(state): State<AppState>, ctx: Ctx, RawQuery(raw): RawQuery) -> WebResult {
    let query = query(raw.as_deref());
    let next = local_path(query.get("next").map_or("/", String::as_str)).to_owned();
    let page = context! { next => next, expired => query.contains_key("expired"), form => BTreeMap::<String, String>::new(),
    errors => BTreeMap::<String, String>::new() };
    ctx.render(&state, "sign_in.html", page).await
}

/// `POST /sign-in`: a new session, then back to where the visitor was going.
pub async fn sign_in(
    State(state): State<AppState>,
    ctx: Ctx,
    ClientAddress(address): ClientAddress,
    headers: HeaderMap,
    form: Form,
) -> WebResult {
    let body = LoginBody { email: form.get("email").to_owned(), password: form.get("password").to_owned() };
    let next = local_path(form.get("next")).to_owned();
    let ctx = ctx.showing("/sign-in");
    match state.app.login(&body, &address, cookie(&headers, SESSION_COOKIE)).await {
        Ok(signed) => Ok(signed_in(&state, &headers, &signed, &next)),
        Err(
            error @ (AppError::WrongCredentials
            | AppError::TooManyAttempts { .. }
            | AppError::Refused(Refusal::EmailNotConfirmed)),
        ) => {
            // Too many attempts: the message says how long to wait.
            let (message, status) = match &error {
                AppError::TooManyAttempts { .. } => (ctx.problem(&error), StatusCode::TOO_MANY_REQUESTS),
                AppError::Refused(_) => (ctx.problem(&error), StatusCode::CONFLICT),
                _ => (ctx.t("sign_in.wrong").to_owned(), StatusCode::UNAUTHORIZED),
            };
            let errors = BTreeMap::from([("_form".to_owned(), message)]);
            let page = context! { next => next, expired => false, form => form.values(), errors => errors };
            let mut response = ctx.render(&state, "sign_in.html", page).await?;
            *response.status_mut() = status;
            Ok(response)
        }
        Err(error) => Err(error.into()),
    }
}

/// `POST /sign-out`.
pub async fn sign_out(State(state): State<AppState>, headers: HeaderMap) -> WebResult {
    state.app.logout(cookie(&headers, SESSION_COOKIE)).await?;
    Ok(redirect_with_cookie(cleared_cookie(&state, &headers), "/"))
}

async fn register_form(
    state: &AppState,
    ctx: &Ctx,
    form: serde_json::Value,
    errors: BTreeMap<String, String>,
) -> WebResult {
    let events: Vec<Choice> =
        state.app.events().await?.into_iter().map(|e| Choice { value: e.slug.to_string(), label: e.name }).collect();
    let page = context! {
        events => events, kinds => views::kind_choices(ctx), form => form, errors => errors,
        options => views::options(ctx.lang), languages => languages(),
    };
    ctx.render(state, "register.html", page).await
}

/// `GET /register?event=`.
pub async fn register_page(State(state): State<AppState>, ctx: Ctx, RawQuery(raw): RawQuery) -> WebResult {
    let query = query(raw.as_deref());
    let form = serde_json::json!({
        "event": query.get("event"), "kind": "startup", "currency": "VND", "language": i18n::code(ctx.lang),
    });
    register_form(&state, &ctx, form, BTreeMap::new()).await
}

/// The languages a person may get messages in.
fn languages() -> Vec<Choice> {
    ketnoi_domain::i18n::Language::ALL
        .iter()
        .map(|l| Choice { value: l.code().to_owned(), label: l.name().to_owned() })
        .collect()
}

/// `POST /register`: the organization and its first member; the address is sent a link to
/// confirm it. The page that follows is the same whether or not the address had an account.
pub async fn register(
    State(state): State<AppState>,
    ctx: Ctx,
    ClientAddress(address): ClientAddress,
    form: Form,
) -> WebResult {
    let ctx = ctx.showing("/register");
    let values = views::form_values(&form);
    let kind = OrgKind::parse(form.get("kind")).unwrap_or(OrgKind::Startup);
    let (organization, mut errors) = views::profile_body(&ctx, kind, &form);
    if !errors.is_empty() {
        // Every problem of this submit at once: the rest of the profile is checked too.
        let context =
            ketnoi_domain::profile::ValidationContext { current_year: ketnoi_app::current_year(), rates: None };
        if let Err(invalid) = organization.validate(None, Some(kind), &context) {
            for (field, message) in register_errors(&ctx, &AppError::from(invalid)) {
                errors.entry(field).or_insert(message);
            }
        }
        return refused(register_form(&state, &ctx, values, errors).await);
    }
    let event = form.get("event").to_owned();
    let body = RegisterBody {
        event: event.clone(),
        email: form.get("account_email").to_owned(),
        password: form.get("password").to_owned(),
        display_name: form.get("display_name").to_owned(),
        organization,
        language: form.optional("language"),
        email_consent: form.get("email_consent") == "yes",
    };
    match state.app.register(&body, &address).await {
        Ok(registered) => check_mail(&state, &ctx, &registered.email, "check_mail.registered").await,
        Err(error) if refusal(&error) || matches!(error, AppError::NotFound(_)) => {
            let errors = register_errors(&ctx, &error);
            refused(register_form(&state, &ctx, values, errors).await)
        }
        Err(error) => Err(error.into()),
    }
}

/// The registration's problems by form field: the account's `email` is the form's
/// `account_email`, the organization's fields are the profile form's.
fn register_errors(ctx: &Ctx, error: &AppError) -> BTreeMap<String, String> {
    let mut fields = vec!["event", "display_name", "account_email", "password"];
    fields.extend(PROFILE_FIELDS);
    let rename = |field: &str| (field == "email").then_some("account_email");
    match error {
        AppError::Refused(Refusal::EmailTaken) => BTreeMap::from([("account_email".to_owned(), ctx.problem(error))]),
        AppError::NotFound(_) => BTreeMap::from([("event".to_owned(), ctx.problem(error))]),
        _ => field_errors(ctx, error, &fields, &rename),
    }
}

/// `GET /join?code=`: accept an invitation; the link in the invitation fills the code in.
pub async fn join_page(State(state): State<AppState>, ctx: Ctx, RawQuery(raw): RawQuery) -> WebResult {
    let query = query(raw.as_deref());
    let form = BTreeMap::from([
        ("code".to_owned(), query.get("code").cloned().unwrap_or_default()),
        ("language".to_owned(), i18n::code(ctx.lang).to_owned()),
    ]);
    let page = context! { form => form, errors => BTreeMap::<String, String>::new(), languages => languages() };
    ctx.render(&state, "join.html", page).await
}

/// `POST /join`: the account is created and signed in.
pub async fn join(
    State(state): State<AppState>,
    ctx: Ctx,
    ClientAddress(address): ClientAddress,
    headers: HeaderMap,
    form: Form,
) -> WebResult {
    let ctx = ctx.showing("/join");
    let body = AcceptInvitationBody {
        code: form.get("code").trim().to_owned(),
        display_name: form.get("display_name").to_owned(),
        password: form.get("password").to_owned(),
        language: form.optional("language"),
        email_consent: form.get("email_consent") == "yes",
    };
    match state.app.accept_invitation(&body, &address).await {
        Ok(signed) => Ok(signed_in(&state, &headers, &signed, "/?done=joined")),
        Err(error) if refusal(&error) || error.kind() == ProblemKind::NotFound => {
            let errors = match error {
                AppError::NotFound(_) => BTreeMap::from([("code".to_owned(), ctx.t("join.bad_code").to_owned())]),
                _ => field_errors(&ctx, &error, &["code", "display_name", "password", "language"], &|_| None),
            };
            let page = context! { form => form.values(), errors => errors, languages => languages() };
            refused(ctx.render(&state, "join.html", page).await)
        }
        Err(error) => Err(error.into()),
    }
}

/// `GET /account`.
pub async fn page(State(state): State<AppState>, ctx: Ctx) -> WebResult {
    ctx.require_sign_in(&ctx.here)?;
    account_page(&state, &ctx, AccountPage::default()).await
}

/// What the account page shows after a form: an invitation code, or errors.
#[derive(Debug, Default)]
struct AccountPage {
    code: Option<String>,
    invite_email: String,
    invite_errors: BTreeMap<String, String>,
    delete_errors: BTreeMap<String, String>,
}

async fn account_page(state: &AppState, ctx: &Ctx, shown: AccountPage) -> WebResult {
    let organization = match ctx.organization() {
        Some(id) => Some(state.app.organization(&ctx.caller, id).await?.name),
        None => None,
    };
    let preferences = state.app.mail_preferences(&ctx.caller).await?;
    let kinds: Vec<_> = preferences
        .kinds
        .iter()
        .filter_map(|preference| {
            let kind = MailKind::parse(&preference.kind)?;
            let modes: Vec<Choice> = kind
                .modes()
                .iter()
                .map(|mode| Choice { value: mode.as_str().to_owned(), label: ctx.t(&format!("mode.{}", mode.as_str())).to_owned() })
                .collect();
            Some(context! {
                kind => preference.kind, label => ctx.t(&format!("mail_kind.{}", preference.kind)), mode => preference.mode,
                modes => modes,
            })
        })
        .collect();
    let feed = match ctx.organization() {
        Some(_) => Some(state.app.calendar_feed(&ctx.caller, false).await?.url),
        None => None,
    };
    let page = context! {
        organization => organization, code => shown.code, form => context! { invite_email => shown.invite_email },
        invite_errors => shown.invite_errors, delete_errors => shown.delete_errors,
        preferences => context! { language => preferences.language, email_consent => preferences.email_consent, kinds => kinds },
        languages => languages(), feed => feed.as_deref().map(Subscription::of),
    };
    ctx.render(state, "account.html", page).await
}

/// A calendar feed's address, to open in a calendar app (`webcal://`) or to copy.
#[derive(Debug, Serialize)]
pub struct Subscription {
    pub https: String,
    pub webcal: String,
}

impl Subscription {
    pub fn of(url: &str) -> Subscription {
        let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
        Subscription { https: url.to_owned(), webcal: format!("webcal://{rest}") }
    }
}

/// `POST /account/mail`: the language of messages, consent, and each kind's mode.
pub async fn save_mail_preferences(State(state): State<AppState>, ctx: Ctx, form: Form) -> WebResult {
    let ctx = ctx.showing("/account");
    ctx.require_sign_in("/account")?;
    let kinds = MailKind::preferences()
        .filter_map(|kind| {
            let mode = form.optional(&format!("mode.{}", kind.as_str()))?;
            Some(KindPreference { kind: kind.as_str().to_owned(), mode })
        })
        .collect();
    let body = MailPreferences {
        language: form.get("language").to_owned(),
        email_consent: form.get("email_consent") == "yes",
        kinds,
    };
    // Every value comes from a list on the page: a refusal is shown on an error page.
    state.app.set_mail_preferences(&ctx.caller, &body).await?;
    Ok(ctx.done("/account#mail-h", "saved"))
}

/// `POST /account/calendar-feed`: a new feed address (`renew`), or none (`revoke`).
pub async fn calendar_feed(State(state): State<AppState>, ctx: Ctx, form: Form) -> WebResult {
    let ctx = ctx.showing("/account");
    ctx.require_sign_in("/account")?;
    if form.get("action") == "revoke" {
        state.app.revoke_calendar_feed(&ctx.caller).await?;
        return Ok(ctx.done("/account#feed-h", "feed_revoked"));
    }
    state.app.calendar_feed(&ctx.caller, true).await?;
    Ok(ctx.done("/account#feed-h", "feed_renewed"))
}

/// The page after a form that mails the visitor: the same whatever the address.
async fn check_mail(state: &AppState, ctx: &Ctx, email: &str, lead: &str) -> WebResult {
    let page = context! { email => email, lead => ctx.t(lead) };
    ctx.render(state, "check_mail.html", page).await
}

/// `GET /forgot-password`.
pub async fn forgot_password_page(State(state): State<AppState>, ctx: Ctx) -> WebResult {
    let page = context! { form => BTreeMap::<String, String>::new(), errors => BTreeMap::<String, String>::new() };
    ctx.render(&state, "forgot_password.html", page).await
}

/// `POST /forgot-password`: a reset link, if the address has an account; the same page either
/// way.
pub async fn forgot_password(
    State(state): State<AppState>,
    ctx: Ctx,
    ClientAddress(address): ClientAddress,
    form: Form,
) -> WebResult {
    let ctx = ctx.showing("/forgot-password");
    let body = PasswordResetBody { email: form.get("email").trim().to_owned() };
    state.app.request_password_reset(&body, &address).await?;
    check_mail(&state, &ctx, &body.email, "check_mail.reset").await
}

/// `GET /reset-password?token=`: choose a new password.
pub async fn reset_password_page(State(state): State<AppState>, ctx: Ctx, RawQuery(raw): RawQuery) -> WebResult {
    let token = query(raw.as_deref()).remove("token").unwrap_or_default();
    let page = context! { token => token, errors => BTreeMap::<String, String>::new() };
    ctx.render(&state, "reset_password.html", page).await
}

/// `POST /reset-password`: the new password; every session ends, and the visitor signs in.
pub async fn reset_password(State(state): State<AppState>, ctx: Ctx, form: Form) -> WebResult {
    let ctx = ctx.showing("/reset-password");
    let body = PasswordResetConfirmBody {
        token: form.get("token").to_owned(),
        new_password: form.get("new_password").to_owned(),
    };
    match state.app.reset_password(&body).await {
        Ok(()) => Ok(ctx.done("/sign-in", "password_reset")),
        Err(error) if refusal(&error) => {
            let errors = match &error {
                AppError::Refused(Refusal::TokenInvalid) => BTreeMap::from([("_form".to_owned(), ctx.problem(&error))]),
                _ => field_errors(&ctx, &error, &["new_password"], &|_| None),
            };
            let page = context! { token => body.token, errors => errors };
            refused(ctx.render(&state, "reset_password.html", page).await)
        }
        Err(error) => Err(error.into()),
    }
}

/// `GET /confirm-email?token=`: a button that confirms (a link alone must not: mail scanners
/// open links).
pub async fn confirm_email_page(State(state): State<AppState>, ctx: Ctx, RawQuery(raw): RawQuery) -> WebResult {
    let mut query = query(raw.as_deref());
    let (token, event) = (query.remove("token").unwrap_or_default(), query.remove("event").unwrap_or_default());
    let page = context! { token => token, event => event, errors => BTreeMap::<String, String>::new() };
    ctx.render(&state, "confirm_email.html", page).await
}

/// `POST /confirm-email`: the address is confirmed; signed in, to the organization's profile.
pub async fn confirm_email(State(state): State<AppState>, ctx: Ctx, headers: HeaderMap, form: Form) -> WebResult {
    let ctx = ctx.showing("/confirm-email");
    let body = ConfirmEmailBody { token: form.get("token").to_owned() };
    match state.app.confirm_email(&body).await {
        Ok(signed) => {
            // The event the organization registered for, named by the link.
            let to = match ketnoi_domain::event::EventSlug::parse(form.get("event")) {
                Ok(event) => format!("/e/{event}/profile?done=registered"),
                Err(_) => "/?done=registered".to_owned(),
            };
            Ok(signed_in(&state, &headers, &signed, &to))
        }
        Err(error) if refusal(&error) => {
            let errors = BTreeMap::from([("_form".to_owned(), ctx.problem(&error))]);
            let page = context! { token => body.token, event => form.get("event"), errors => errors };
            refused(ctx.render(&state, "confirm_email.html", page).await)
        }
        Err(error) => Err(error.into()),
    }
}

/// The kind an unsubscribe link is for, as its page names it.
fn unsubscribe_kind(ctx: &Ctx, kind: &str) -> Result<String, WebError> {
    match MailKind::parse(kind).filter(|kind| !kind.is_security()) {
        Some(kind) => Ok(ctx.t(&format!("mail_kind.{}", kind.as_str())).to_owned()),
        None => Err(WebError::not_found()),
    }
}

/// `GET /unsubscribe/{user}/{kind}/{mac}`: a button that turns the kind off (a link alone must
/// not: mail scanners open links).
pub async fn unsubscribe_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((user, kind, mac)): Path<(String, String, String)>,
) -> WebResult {
    let label = unsubscribe_kind(&ctx, &kind)?;
    let _: i64 = user.parse().map_err(|_| WebError::not_found())?;
    let page = context! { action => format!("/unsubscribe/{user}/{kind}/{mac}"), kind => label, done => false };
    ctx.render(&state, "unsubscribe.html", page).await
}

/// `POST /unsubscribe/{user}/{kind}/{mac}`: the kind is off for that user, without signing in;
/// also the one-click POST of RFC 8058 a mail client sends (`List-Unsubscribe=One-Click`).
pub async fn unsubscribe(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((user, kind, mac)): Path<(String, String, String)>,
) -> WebResult {
    let label = unsubscribe_kind(&ctx, &kind)?;
    let user: i64 = user.parse().map_err(|_| WebError::not_found())?;
    state.app.unsubscribe(user, &kind, &mac).await?;
    let page = context! { action => "", kind => label, done => true };
    ctx.render(&state, "unsubscribe.html", page).await
}

/// `POST /account/invite`: a code to pass on to a colleague.
pub async fn invite(State(state): State<AppState>, ctx: Ctx, form: Form) -> WebResult {
    let ctx = ctx.showing("/account");
    ctx.require_sign_in("/account")?;
    let Some(organization) = ctx.organization() else { return Err(WebError::not_found()) };
    let body = InviteBody { email: form.get("invite_email").to_owned() };
    match state.app.invite(&ctx.caller, organization, &body).await {
        Ok(invitation) => {
            account_page(&state, &ctx, AccountPage { code: Some(invitation.code), ..AccountPage::default() }).await
        }
        Err(error) if refusal(&error) => {
            let message = match error.fields().first() {
                Some(problem) => problem.text(ctx.lang),
                None => ctx.problem(&error),
            };
            let shown = AccountPage {
                invite_email: form.get("invite_email").to_owned(),
                invite_errors: BTreeMap::from([("invite_email".to_owned(), message)]),
                ..AccountPage::default()
            };
            refused(account_page(&state, &ctx, shown).await)
        }
        Err(error) => Err(error.into()),
    }
}

/// `POST /account/delete`: confirmed by the password; signed out, to the home page.
pub async fn delete(State(state): State<AppState>, ctx: Ctx, headers: HeaderMap, form: Form) -> WebResult {
    let ctx = ctx.showing("/account");
    ctx.require_sign_in("/account")?;
    let body = DeleteAccountBody { password: form.get("password").to_owned() };
    match state.app.delete_account(&ctx.caller, &body).await {
        Ok(()) => Ok(redirect_with_cookie(cleared_cookie(&state, &headers), "/?done=deleted")),
        Err(error) if refusal(&error) => {
            let errors = field_errors(&ctx, &error, &["password"], &|_| None);
            refused(account_page(&state, &ctx, AccountPage { delete_errors: errors, ..AccountPage::default() }).await)
        }
        Err(error) => Err(error.into()),
    }
}
