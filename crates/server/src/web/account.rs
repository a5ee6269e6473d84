//! Signing in and out, registering, joining by invitation, the account page (invite a
//! colleague, download my data, delete my account) and the language switch.

use std::collections::BTreeMap;

use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use ketnoi_domain::profile::OrgKind;
use minijinja::context;

use super::views::{self, Choice, PROFILE_FIELDS};
use super::{Ctx, Form, WebResult, field_errors, i18n, local_path, query, refused};
use crate::AppState;
use crate::accounts::{self, AcceptInvitationBody, DeleteAccountBody, LoginBody, RegisterBody};
use crate::auth::ClientAddress;
use crate::error::ApiError;
use crate::json::Body;
use crate::organizations::{self, InviteBody};

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

/// A redirect to `to` that keeps the cookies an API answer set (the session).
fn redirect_with_cookies(answer: &Response, to: &str) -> Response {
    let mut response = Redirect::to(local_path(to)).into_response();
    for cookie in answer.headers().get_all(header::SET_COOKIE) {
        response.headers_mut().append(header::SET_COOKIE, cookie.clone());
    }
    response
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
    address: ClientAddress,
    headers: HeaderMap,
    form: Form,
) -> WebResult {
    let body = LoginBody { email: form.get("email").to_owned(), password: form.get("password").to_owned() };
    let next = local_path(form.get("next")).to_owned();
    let ctx = ctx.showing("/sign-in");
    match accounts::login(State(state.clone()), address, headers, Body(body)).await {
        Ok(answer) => Ok(redirect_with_cookies(&answer, &next)),
        Err(error) if error.status().is_client_error() => {
            // Too many attempts: the API's message says how long to wait.
            let message = if error.status() == StatusCode::TOO_MANY_REQUESTS {
                i18n::error(ctx.lang, error.detail())
            } else {
                ctx.t("sign_in.wrong").to_owned()
            };
            let errors = BTreeMap::from([("_form".to_owned(), message)]);
            let page = context! { next => next, expired => false, form => form.values(), errors => errors };
            let mut response = ctx.render(&state, "sign_in.html", page).await?;
            *response.status_mut() = error.status();
            Ok(response)
        }
        Err(error) => Err(error.into()),
    }
}

/// `POST /sign-out`.
pub async fn sign_out(State(state): State<AppState>, headers: HeaderMap) -> WebResult {
    let answer = accounts::logout(State(state), headers).await?;
    Ok(redirect_with_cookies(&answer, "/"))
}

async fn register_form(
    state: &AppState,
    ctx: &Ctx,
    form: serde_json::Value,
    errors: BTreeMap<String, String>,
) -> WebResult {
    let events: Vec<Choice> =
        state.store.events().await?.into_iter().map(|e| Choice { value: e.slug.to_string(), label: e.name }).collect();
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
    address: ClientAddress,
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
    match accounts::register(State(state.clone()), address, headers, Body(body)).await {
        Ok(answer) => Ok(redirect_with_cookies(&answer, &format!("/e/{event}/profile?done=registered"))),
        Err(error) if error.status().is_client_error() => {
            let errors = register_errors(&ctx, &error);
            refused(register_form(&state, &ctx, values, errors).await)
        }
        Err(error) => Err(error.into()),
    }
}

/// The registration's problems by form field: the account's `email` is the form's
/// `account_email`, the organization's fields are the profile form's.
fn register_errors(ctx: &Ctx, error: &ApiError) -> BTreeMap<String, String> {
    let mut errors = BTreeMap::new();
    for problem in error.field_problems() {
        let field = match problem.field.as_str() {
            "email" => "account_email".to_owned(),
            other => other.strip_prefix("organization.").unwrap_or(other).to_owned(),
        };
        let known = ["event", "display_name", "account_email", "password"].contains(&field.as_str())
            || PROFILE_FIELDS.contains(&field.as_str());
        let key = if known { field } else { "_form".to_owned() };
        let message = i18n::error(ctx.lang, &problem.message);
        errors.entry(key).and_modify(|m: &mut String| m.push_str(&format!("; {message}"))).or_insert(message);
    }
    if errors.is_empty() {
        let field = if error.status() == StatusCode::CONFLICT { "account_email" } else { "_form" };
        errors.insert(field.to_owned(), i18n::error(ctx.lang, error.detail()));
    }
    errors
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
    address: ClientAddress,
    headers: HeaderMap,
    form: Form,
) -> WebResult {
    let ctx = ctx.showing("/join");
    let body = AcceptInvitationBody {
        code: form.get("code").trim().to_owned(),
        display_name: form.get("display_name").to_owned(),
        password: form.get("password").to_owned(),
    };
    match accounts::accept_invitation(State(state.clone()), address, headers, Body(body)).await {
        Ok(answer) => Ok(redirect_with_cookies(&answer, "/?done=joined")),
        Err(error) if error.status().is_client_error() => {
            let mut errors = field_errors(&ctx, &error, &["code", "display_name", "password"]);
            if error.status() == StatusCode::NOT_FOUND {
                errors = BTreeMap::from([("code".to_owned(), ctx.t("join.bad_code").to_owned())]);
            }
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
        Some(id) => Some(state.store.organization(id).await?.profile.name),
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
    let Some(organization) = ctx.organization() else { return Err(ApiError::not_found("organization").into()) };
    let body = InviteBody { email: form.get("invite_email").to_owned() };
    let path = axum::extract::Path(organization.to_string());
    match organizations::invite(State(state.clone()), ctx.caller.clone(), path, Body(body)).await {
        Ok((_, axum::Json(invitation))) => {
            account_page(&state, &ctx, AccountPage { code: Some(invitation.code), ..AccountPage::default() }).await
        }
        Err(error) if error.status().is_client_error() && error.status() != StatusCode::UNAUTHORIZED => {
            let message = match error.field_problems().first() {
                Some(problem) => i18n::error(ctx.lang, &problem.message),
                None => i18n::error(ctx.lang, error.detail()),
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
    match accounts::delete_me(State(state.clone()), ctx.caller.clone(), headers, Body(body)).await {
        Ok(answer) => Ok(redirect_with_cookies(&answer, "/?done=deleted")),
        Err(error) if error.status().is_client_error() && error.status() != StatusCode::UNAUTHORIZED => {
            let errors = field_errors(&ctx, &error, &["password"]);
            refused(account_page(&state, &ctx, AccountPage { delete_errors: errors, ..AccountPage::default() }).await)
        }
        Err(error) => Err(error.into()),
    }
}
