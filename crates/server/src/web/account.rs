//! Signing in and out, registering, joining by invitation, the account page (invite a
//! colleague, download my data, delete my account) and the language switch.

use std::collections::BTreeMap;

use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use ketnoi_app::accounts::{AcceptInvitationBody, DeleteAccountBody, InviteBody, LoginBody, RegisterBody, SignedIn};
use ketnoi_app::{AppError, ProblemKind};
use ketnoi_domain::profile::OrgKind;
use ketnoi_domain::rules::Refusal;
use minijinja::context;

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
        Err(error @ (AppError::WrongCredentials | AppError::TooManyAttempts { .. })) => {
            // Too many attempts: the message says how long to wait.
            let (message, status) = match &error {
                AppError::TooManyAttempts { .. } => (ctx.problem(&error), StatusCode::TOO_MANY_REQUESTS),
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
        options => views::options(ctx.lang),
    };
    ctx.render(state, "register.html", page).await
}

/// `GET /register?event=`.
pub async fn register_page(State(state): State<AppState>, ctx: Ctx, RawQuery(raw): RawQuery) -> WebResult {
    let query = query(raw.as_deref());
    let form = serde_json::json!({ "event": query.get("event"), "kind": "startup", "currency": "VND" });
    register_form(&state, &ctx, form, BTreeMap::new()).await
}

/// `POST /register`: the organization and its first member; signed in, to the profile.
pub async fn register(
    State(state): State<AppState>,
    ctx: Ctx,
    ClientAddress(address): ClientAddress,
    headers: HeaderMap,
    form: Form,
) -> WebResult {
    let ctx = ctx.showing("/register");
    let values = views::form_values(&form);
    let kind = OrgKind::parse(form.get("kind")).unwrap_or(OrgKind::Startup);
    let organization = match views::profile_body(&ctx, kind, &form) {
        Ok(body) => body,
        Err(errors) => return refused(register_form(&state, &ctx, values, errors).await),
    };
    let event = form.get("event").to_owned();
    let body = RegisterBody {
        event: event.clone(),
        email: form.get("account_email").to_owned(),
        password: form.get("password").to_owned(),
        display_name: form.get("display_name").to_owned(),
        organization,
    };
    match state.app.register(&body, &address).await {
        Ok(signed) => Ok(signed_in(&state, &headers, &signed, &format!("/e/{event}/profile?done=registered"))),
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

/// `GET /join`: accept an invitation code.
pub async fn join_page(State(state): State<AppState>, ctx: Ctx) -> WebResult {
    let page = context! { form => BTreeMap::<String, String>::new(), errors => BTreeMap::<String, String>::new() };
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
    };
    match state.app.accept_invitation(&body, &address).await {
        Ok(signed) => Ok(signed_in(&state, &headers, &signed, "/?done=joined")),
        Err(error) if refusal(&error) || error.kind() == ProblemKind::NotFound => {
            let errors = match error {
                AppError::NotFound(_) => BTreeMap::from([("code".to_owned(), ctx.t("join.bad_code").to_owned())]),
                _ => field_errors(&ctx, &error, &["code", "display_name", "password"], &|_| None),
            };
            let page = context! { form => form.values(), errors => errors };
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
    let page = context! {
        organization => organization, code => shown.code, form => context! { invite_email => shown.invite_email },
        invite_errors => shown.invite_errors, delete_errors => shown.delete_errors,
    };
    ctx.render(state, "account.html", page).await
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
