//! The web app: pages rendered on the server over the use cases of `ketnoi-app`, as the JSON
//! API is, so that access rules, validation and problems live in one place; each problem is
//! written in the visitor's language from its typed value. Every page works without JavaScript;
//! `app.js` only makes search instant and stops a form from being sent twice. Nothing is
//! loaded from elsewhere: the styles and the script are served by ketnoi itself.

mod account;
mod desk;
pub mod i18n;
mod member;
mod organiser;
mod public;
mod report;
mod views;

use std::sync::OnceLock;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Path, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use ketnoi_app::{AppError, Caller, ProblemKind};
use ketnoi_domain::access::Actor;
use ketnoi_domain::i18n::Message;
use ketnoi_domain::rules::Resource;
use ketnoi_domain::taxonomy::Language;
use minijinja::{Environment, Value, context};
use serde::Serialize;

use crate::AppState;
use crate::auth::{Auth, SESSION_COOKIE, cookie};

/// Every page of the web app.
pub fn routes(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/", get(public::home))
        .route("/static/{file}", get(asset))
        .route("/lang", post(account::language))
        .route("/sign-in", get(account::sign_in_page).post(account::sign_in))
        .route("/sign-out", post(account::sign_out))
        .route("/register", get(account::register_page).post(account::register))
        .route("/join", get(account::join_page).post(account::join))
        .route("/account", get(account::page))
        .route("/account/invite", post(account::invite))
        .route("/account/delete", post(account::delete))
        .route("/account/mail", post(account::save_mail_preferences))
        .route("/account/calendar-feed", post(account::calendar_feed))
        .route("/forgot-password", get(account::forgot_password_page).post(account::forgot_password))
        .route("/reset-password", get(account::reset_password_page).post(account::reset_password))
        .route("/confirm-email", get(account::confirm_email_page).post(account::confirm_email))
        .route("/unsubscribe/{user}/{kind}/{mac}", get(account::unsubscribe_page).post(account::unsubscribe))
        .route("/e/{slug}", get(public::event))
        .route("/e/{slug}/report", get(report::page))
        .route("/e/{slug}/report/follow-up", post(report::open_follow_up))
        .route("/e/{slug}/search", get(public::search))
        .route("/e/{slug}/o/{id}", get(public::profile))
        .route("/e/{slug}/o/{id}/request", post(member::request))
        .route("/e/{slug}/recommended", get(member::recommended))
        .route("/e/{slug}/requests", get(member::requests))
        .route("/e/{slug}/requests/{id}", post(member::answer))
        .route("/e/{slug}/agenda", get(member::agenda))
        .route("/e/{slug}/agenda/print", get(member::agenda_print))
        .route("/e/{slug}/agenda/{id}/outcome", post(member::record_outcome))
        .route("/e/{slug}/meet-now/free", post(member::mark_free))
        .route("/e/{slug}/meet-now/{id}", post(member::answer_proposal))
        .route("/e/{slug}/profile", get(member::my_profile_page).post(member::save_profile))
        .route("/e/{slug}/availability", get(member::availability).post(member::save_availability))
        .route("/e/{slug}/organise", get(organiser::dashboard))
        .route("/e/{slug}/organise/import", post(organiser::import))
        .route("/e/{slug}/organise/sessions", post(organiser::sessions))
        .route("/e/{slug}/organise/schedule", get(organiser::schedule).post(organiser::run))
        .route("/e/{slug}/organise/publish", post(organiser::publish))
        .route("/e/{slug}/organise/move", post(organiser::move_meeting))
        .route("/e/{slug}/organise/checkin", get(organiser::checkin).post(organiser::check_in))
        .route("/e/{slug}/organise/board", get(organiser::board))
        .route("/e/{slug}/organise/tables", get(organiser::table_sheets))
        .route("/e/{slug}/organise/export/{file}", get(organiser::export))
        .route("/import-template/{file}", get(organiser::import_template))
        .route("/e/{slug}/organise/mail", get(organiser::mail))
        .route("/e/{slug}/organise/mail/{id}/retry", post(organiser::retry_mail))
        .route("/e/{slug}/organise/settings", get(desk::settings).post(desk::save_settings))
        .route("/e/{slug}/organise/participants", get(desk::participants))
        .route(
            "/e/{slug}/organise/participants/{id}/availability",
            get(desk::availability).post(desk::save_availability),
        )
        .route("/admin", get(desk::admin))
        .route("/admin/events", post(desk::create_event))
        .route("/admin/events/{slug}", get(desk::admin_event))
        .route("/admin/events/{slug}/organisers", post(desk::name_organiser))
        .layer(axum::middleware::from_fn_with_state(state, error_pages))
}

/// The templates, compiled into the binary.
const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../../templates/base.html")),
    ("macros.html", include_str!("../../templates/macros.html")),
    ("error.html", include_str!("../../templates/error.html")),
    ("home.html", include_str!("../../templates/home.html")),
    ("event.html", include_str!("../../templates/event.html")),
    ("report.html", include_str!("../../templates/report.html")),
    ("search.html", include_str!("../../templates/search.html")),
    ("results.html", include_str!("../../templates/results.html")),
    ("profile.html", include_str!("../../templates/profile.html")),
    ("recommended.html", include_str!("../../templates/recommended.html")),
    ("requests.html", include_str!("../../templates/requests.html")),
    ("agenda.html", include_str!("../../templates/agenda.html")),
    ("agenda_print.html", include_str!("../../templates/agenda_print.html")),
    ("confirm.html", include_str!("../../templates/confirm.html")),
    ("board.html", include_str!("../../templates/board.html")),
    ("my_profile.html", include_str!("../../templates/my_profile.html")),
    ("availability.html", include_str!("../../templates/availability.html")),
    ("organise.html", include_str!("../../templates/organise.html")),
    ("schedule.html", include_str!("../../templates/schedule.html")),
    ("checkin.html", include_str!("../../templates/checkin.html")),
    ("tables_print.html", include_str!("../../templates/tables_print.html")),
    ("sign_in.html", include_str!("../../templates/sign_in.html")),
    ("register.html", include_str!("../../templates/register.html")),
    ("join.html", include_str!("../../templates/join.html")),
    ("account.html", include_str!("../../templates/account.html")),
    ("check_mail.html", include_str!("../../templates/check_mail.html")),
    ("forgot_password.html", include_str!("../../templates/forgot_password.html")),
    ("reset_password.html", include_str!("../../templates/reset_password.html")),
    ("confirm_email.html", include_str!("../../templates/confirm_email.html")),
    ("unsubscribe.html", include_str!("../../templates/unsubscribe.html")),
    ("organise_mail.html", include_str!("../../templates/organise_mail.html")),
    ("organise_settings.html", include_str!("../../templates/organise_settings.html")),
    ("organise_participants.html", include_str!("../../templates/organise_participants.html")),
    ("organise_participant.html", include_str!("../../templates/organise_participant.html")),
    ("admin.html", include_str!("../../templates/admin.html")),
    ("admin_event.html", include_str!("../../templates/admin_event.html")),
];

const STYLES: &str = include_str!("../../static/app.css");
const SCRIPT: &str = include_str!("../../static/app.js");

fn environment() -> &'static Environment<'static> {
    static ENVIRONMENT: OnceLock<Environment<'static>> = OnceLock::new();
    ENVIRONMENT.get_or_init(|| {
        let mut environment = Environment::new();
        for (name, source) in TEMPLATES {
            if let Err(error) = environment.add_template(name, source) {
                tracing::error!(%error, template = name, "template does not compile");
            }
        }
        // `t("key")`: the message in the page's language.
        environment.add_function("t", |state: &minijinja::State, key: &str| -> String {
            let language = state.lookup("lang").and_then(|v| v.as_str().and_then(i18n::parse_language));
            i18n::text(language.unwrap_or_default(), key).to_owned()
        });
        // `label("founded")`: a form field's label, for the list of errors above a form.
        environment.add_function("label", |state: &minijinja::State, field: &str| -> String {
            let language = state.lookup("lang").and_then(|v| v.as_str().and_then(i18n::parse_language));
            i18n::field_label(language.unwrap_or_default(), field)
        });
        environment
    })
}

/// `GET /static/{file}`: the style sheet and the script.
async fn asset(Path(file): Path<String>) -> Response {
    let (body, kind) = match file.as_str() {
        "app.css" => (STYLES, "text/css; charset=utf-8"),
        "app.js" => (SCRIPT, "text/javascript; charset=utf-8"),
        _ => return StatusCode::NOT_FOUND.into_response(),
    };
    let cache = HeaderValue::from_static("public, max-age=3600");
    ([(header::CONTENT_TYPE, HeaderValue::from_static(kind)), (header::CACHE_CONTROL, cache)], body).into_response()
}

/// What every page knows of its request: who asks, in which language, from where.
#[derive(Debug, Clone)]
pub struct Ctx {
    pub caller: Caller,
    pub lang: Language,
    /// This page's path and query, to come back to after signing in or switching language.
    pub here: String,
    /// Whether the browser sent a session cookie: without a session, it has expired.
    pub had_session: bool,
}

impl Ctx {
    fn from_parts(parts: &Parts) -> Ctx {
        let caller = parts.extensions.get::<Auth>().map_or(Caller::ANONYMOUS, |Auth(caller)| caller.clone());
        Ctx {
            caller,
            // The language chosen with the switch; on a first visit, the browser's.
            lang: cookie(&parts.headers, i18n::LANG_COOKIE)
                .and_then(i18n::parse_language)
                .or_else(|| {
                    let accepted = parts.headers.get(header::ACCEPT_LANGUAGE)?.to_str().ok()?;
                    Language::from_accept_language(accepted)
                })
                .unwrap_or_default(),
            // A page answering a form shows another page's content: the handler says which
            // (`showing`), so that the language switch and sign-in links lead back to a page.
            here: match parts.method {
                axum::http::Method::GET | axum::http::Method::HEAD => {
                    parts.uri.path_and_query().map_or_else(|| "/".to_owned(), |p| p.as_str().to_owned())
                }
                _ => "/".to_owned(),
            },
            had_session: cookie(&parts.headers, SESSION_COOKIE).is_some_and(|value| !value.is_empty()),
        }
    }

    /// The same request, showing the page at `page` (a form's page, after a POST).
    pub fn showing(mut self, page: &str) -> Ctx {
        local_path(page).clone_into(&mut self.here);
        self
    }

    pub fn t(&self, key: &str) -> &'static str {
        i18n::text(self.lang, key)
    }

    /// The signed-in member's organization.
    pub fn organization(&self) -> Option<i64> {
        match self.caller.actor {
            Actor::Member { organization, .. } => Some(organization),
            _ => None,
        }
    }

    /// Sends an anonymous visitor to sign in, and back to `next` afterwards.
    pub fn require_sign_in(&self, next: &str) -> Result<(), WebError> {
        match self.caller.actor {
            Actor::Anonymous => Err(WebError::SignIn { next: next.to_owned() }),
            _ => Ok(()),
        }
    }

    /// A problem in the page's language; invalid fields are named by their labels.
    pub fn problem(&self, error: &AppError) -> String {
        let fields = error.fields();
        if fields.is_empty() || !matches!(error, AppError::Invalid(_)) {
            return error.text(self.lang);
        }
        let described: Vec<String> = fields
            .iter()
            .map(|problem| format!("{}: {}", i18n::field_label(self.lang, &problem.field), problem.text(self.lang)))
            .collect();
        described.join("; ")
    }

    /// Renders `template` with the page's values and what every page shows.
    pub async fn render(&self, state: &AppState, template: &str, page: Value) -> WebResult {
        Ok(Html(self.render_html(state, template, page).await?).into_response())
    }

    /// The page [`Ctx::render`] answers with, as text.
    pub async fn render_html(&self, state: &AppState, template: &str, page: Value) -> Result<String, AppError> {
        let me = match &self.caller.user {
            Some(user) => {
                let (kind, event) = state.app.whereabouts(&self.caller).await?;
                Some(Me {
                    name: user.display_name.clone(),
                    email: user.email.clone(),
                    organiser: self.caller.is_organiser(),
                    admin: self.caller.is_admin(),
                    organization: user.organization_id,
                    kind: kind.map(|k| k.as_str()),
                    event,
                })
            }
            None => None,
        };
        let other_languages: Vec<Value> = Language::ALL
            .into_iter()
            .filter(|language| *language != self.lang)
            .map(|language| context! { code => language.code(), name => language.name() })
            .collect();
        let done = query(self.here.split_once('?').map(|(_, q)| q)).remove("done").map(|key| format!("done.{key}"));
        let notice = done.filter(|key| i18n::has(key)).map(|key| self.t(&key));
        let values = context! {
            lang => i18n::code(self.lang),
            notice => notice,
            other_languages => other_languages,
            here => &self.here,
            here_encoded => encode(&self.here),
            me => me,
            version => env!("CARGO_PKG_VERSION"),
            ..page
        };
        environment().get_template(template).and_then(|t| t.render(values)).map_err(|error| {
            tracing::error!(%error, template, "template failed");
            AppError::Internal
        })
    }

    /// Asks before an action that cannot be taken back: unless the form says `confirmed=yes`,
    /// a page that says what will happen, with the form's fields and a button that sends them
    /// again confirmed (no script needed), and a way back to `back`.
    pub async fn confirm_first(
        &self,
        state: &AppState,
        form: &Form,
        action: &str,
        question: String,
        button: &str,
        back: &str,
    ) -> Option<WebResult> {
        if form.get("confirmed") == "yes" {
            return None;
        }
        let fields: Vec<(&str, &str)> =
            form.0.iter().filter(|(name, _)| name != "confirmed").map(|(n, v)| (n.as_str(), v.as_str())).collect();
        let page = context! {
            question => question, button => self.t(button), back => local_path(back), action => action,
            fields => fields,
        };
        Some(self.render(state, "confirm.html", page).await)
    }

    /// Where to go after a form: `to` with the notice `done` to show there.
    pub fn done(&self, to: &str, done: &str) -> Response {
        Redirect::to(&with_notice(to, done)).into_response()
    }
}

impl FromRequestParts<AppState> for Ctx {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &AppState) -> Result<Self, Self::Rejection> {
        Ok(Ctx::from_parts(parts))
    }
}

/// The signed-in user, as the navigation shows them.
#[derive(Debug, Serialize)]
struct Me {
    name: String,
    email: String,
    organiser: bool,
    /// The instance's administrator.
    admin: bool,
    organization: Option<i64>,
    /// `startup` or `investor`, for a member.
    kind: Option<&'static str>,
    /// The slug of the user's event: the organiser's, or the organization's latest.
    event: Option<String>,
}

/// `to` with `done=…` in its query, before any `#fragment`.
fn with_notice(to: &str, done: &str) -> String {
    let (path, fragment) = to.split_once('#').map_or((to, String::new()), |(p, f)| (p, format!("#{f}")));
    let separator = if path.contains('?') { '&' } else { '?' };
    format!("{path}{separator}done={done}{fragment}")
}

/// A query string's parameters by name (the last of a repeated one); nothing when it is not
/// valid URL encoding.
pub fn query(raw: Option<&str>) -> std::collections::BTreeMap<String, String> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(raw.unwrap_or_default()).unwrap_or_default();
    pairs.into_iter().collect()
}

/// A path and query as a query-string value.
pub fn encode(text: &str) -> String {
    serde_urlencoded::to_string([("", text)]).map(|pair| pair[1..].to_owned()).unwrap_or_default()
}

/// A local path to come back to, never another site (`//elsewhere`, `https://…`).
/// Browsers drop tabs and line breaks from an address and read `\` as `/`, so `/\t/evil`
/// would become `//evil`: any of them, anywhere, makes the path unsafe.
pub fn local_path(next: &str) -> &str {
    let safe = next.starts_with('/')
        && !next.starts_with("//")
        && !next.chars().any(|c| c.is_control() || c == '\\' || c.is_whitespace());
    if safe { next } else { "/" }
}

/// A page that could not be shown: a use case's problem, or a visitor who must sign in first.
#[derive(Debug)]
pub enum WebError {
    App(AppError),
    SignIn { next: String },
}

impl From<AppError> for WebError {
    fn from(error: AppError) -> Self {
        WebError::App(error)
    }
}

impl WebError {
    pub fn not_found() -> WebError {
        WebError::App(AppError::NotFound(Resource::Page))
    }
}

/// Whether a use case refused the input (shown on the form, 4xx but not "sign in"), rather
/// than failed or asked for a sign-in.
pub fn refusal(error: &AppError) -> bool {
    !matches!(
        error.kind(),
        ProblemKind::Unauthenticated
            | ProblemKind::NotFound
            | ProblemKind::Unavailable
            | ProblemKind::StorageFull
            | ProblemKind::Internal
    )
}

pub type WebResult = Result<Response, WebError>;

/// A form shown again because its input was refused: 422, so that scripts and tests can tell.
pub fn refused(page: WebResult) -> WebResult {
    page.map(|mut response| {
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
        response
    })
}

/// A failure on its way out: [`error_pages`] turns it into a page in the visitor's language.
#[derive(Debug, Clone)]
struct Failure {
    status: StatusCode,
    problem: Option<AppError>,
    next: Option<String>,
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let failure = match self {
            WebError::App(error) => {
                let status = crate::ApiError::App(error.clone()).status();
                if status == StatusCode::UNAUTHORIZED {
                    Failure { status, problem: None, next: None }
                } else {
                    Failure { status, problem: Some(error), next: None }
                }
            }
            WebError::SignIn { next } => Failure { status: StatusCode::UNAUTHORIZED, problem: None, next: Some(next) },
        };
        let mut response = failure.status.into_response();
        response.extensions_mut().insert(failure);
        response
    }
}

/// Turns failures into pages: a visitor who must sign in goes to the sign-in page and comes
/// back; anything else is an error page in the visitor's language.
async fn error_pages(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let (parts, body) = request.into_parts();
    let ctx = Ctx::from_parts(&parts);
    let response = next.run(Request::from_parts(parts, body)).await;
    let Some(failure) = response.extensions().get::<Failure>().cloned() else { return response };
    failure_page(&state, &ctx, failure).await
}

/// The page for a failure: the sign-in page for a visitor who must sign in (and back to where
/// they were), else an error page in the visitor's language.
async fn failure_page(state: &AppState, ctx: &Ctx, failure: Failure) -> Response {
    if failure.status == StatusCode::UNAUTHORIZED {
        let next = failure.next.unwrap_or_else(|| ctx.here.clone());
        let expired = if ctx.had_session { "&expired=1" } else { "" };
        return Redirect::to(&format!("/sign-in?next={}{expired}", encode(local_path(&next)))).into_response();
    }
    let title = match failure.status {
        StatusCode::NOT_FOUND => ctx.t("error.not_found"),
        StatusCode::TOO_MANY_REQUESTS => ctx.t("error.too_many"),
        status if status.is_server_error() => ctx.t("error.server"),
        _ => ctx.t("error.refused"),
    };
    // A 404 says nothing more than its title ("event not found" would only repeat it).
    let plain = failure.status.is_server_error() || failure.status == StatusCode::NOT_FOUND;
    let detail = match &failure.problem {
        Some(problem) if !plain => ctx.problem(problem),
        _ => String::new(),
    };
    let page = context! { title => title, detail => detail, status => failure.status.as_u16() };
    match ctx.render(state, "error.html", page).await {
        Ok(mut page) => {
            *page.status_mut() = failure.status;
            page
        }
        Err(_) => failure.status.into_response(),
    }
}

/// A path that is no page, for a browser: a 404 page in the visitor's language.
pub async fn not_found(state: &AppState, request: Request) -> Response {
    let (parts, _) = request.into_parts();
    let failure = Failure { status: StatusCode::NOT_FOUND, problem: None, next: None };
    failure_page(state, &Ctx::from_parts(&parts), failure).await
}

/// A form as sent by a browser (`application/x-www-form-urlencoded`): every pair, in order.
#[derive(Debug, Default)]
pub struct Form(Vec<(String, String)>);

impl<S: Send + Sync> FromRequest<S> for Form {
    type Rejection = WebError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        // A form over the body limit, or not URL encoding, was not sent by one of our pages.
        let bytes = Bytes::from_request(request, state).await.map_err(|_| WebError::not_found())?;
        let pairs = serde_urlencoded::from_bytes(&bytes).map_err(|_| WebError::not_found())?;
        Ok(Form(pairs))
    }
}

impl Form {
    /// The last value of `name`, as typed (empty when absent).
    pub fn get(&self, name: &str) -> &str {
        self.0.iter().rev().find(|(key, _)| key == name).map_or("", |(_, value)| value.as_str())
    }

    /// The value of `name`, trimmed, or none when empty.
    pub fn optional(&self, name: &str) -> Option<String> {
        Some(self.get(name).trim().to_owned()).filter(|value| !value.is_empty())
    }

    /// Every value of `name` (checkboxes, multiple selects).
    pub fn all(&self, name: &str) -> Vec<String> {
        self.0.iter().filter(|(key, _)| key == name).map(|(_, value)| value.clone()).collect()
    }

    /// Every pair, for re-displaying the form as it was sent.
    pub fn values(&self) -> std::collections::HashMap<&str, &str> {
        self.0.iter().map(|(key, value)| (key.as_str(), value.as_str())).collect()
    }
}

/// The problems of a refused form by field, in the page's language: `rename` maps a field of
/// the use case to the form's (`email` to `account_email`); a problem that names no field of
/// the form goes under `_form`, with the field's label.
pub fn field_errors(
    ctx: &Ctx,
    error: &AppError,
    fields: &[&str],
    rename: &dyn Fn(&str) -> Option<&'static str>,
) -> std::collections::BTreeMap<String, String> {
    let mut errors = std::collections::BTreeMap::new();
    for problem in error.fields() {
        let field = problem.field.strip_prefix("organization.").unwrap_or(&problem.field);
        let field = rename(&problem.field).unwrap_or(field);
        let key = if fields.contains(&field) { field.to_owned() } else { "_form".to_owned() };
        let message = problem.text(ctx.lang);
        let message = if key == "_form" {
            format!("{}: {message}", i18n::field_label(ctx.lang, &problem.field))
        } else {
            message
        };
        errors.entry(key).and_modify(|m: &mut String| m.push_str(&format!("; {message}"))).or_insert(message);
    }
    if errors.is_empty() {
        errors.insert("_form".to_owned(), ctx.problem(error));
    }
    errors
}

/// A refused form's problem as one line: its first field's label and what is wrong, or the
/// problem itself.
pub fn one_line(ctx: &Ctx, error: &AppError) -> String {
    match error.fields().first() {
        Some(problem) => format!("{}: {}", i18n::field_label(ctx.lang, &problem.field), problem.text(ctx.lang)),
        None => ctx.problem(error),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_compiles() {
        let mut environment = Environment::new();
        for (name, source) in TEMPLATES {
            environment.add_template(name, source).unwrap_or_else(|e| panic!("{name}: {e}"));
        }
    }

    #[test]
    fn every_message_a_template_uses_exists_in_both_languages() {
        let mut missing = Vec::new();
        for (name, source) in TEMPLATES {
            for (at, _) in source.match_indices("t(\"") {
                // `t(` itself, not the end of `select(` or `format(`.
                if source[..at].chars().next_back().is_some_and(|c| c.is_alphanumeric() || c == '_') {
                    continue;
                }
                let key = source[at + 3..].split('"').next().unwrap_or_default();
                // A key built in the template (`"priority." ~ p`) is checked below.
                if !key.ends_with('.') && !i18n::has(key) {
                    missing.push(format!("{name}: {key}"));
                }
            }
        }
        let built = [
            "priority.1",
            "priority.2",
            "priority.3",
            "kind.startup",
            "kind.investor",
            "figures.startups",
            "figures.investors",
            "figures.requests",
            "figures.accepted",
            "figures.placed",
            "figures.held",
            "figures.no_show",
            "figures.outcomes",
        ];
        let statuses =
            ["pending", "accepted", "declined", "cancelled", "expired", "scheduled", "checked-in", "held", "no-show"];
        let done = [
            "request_sent",
            "accepted",
            "declined",
            "cancelled",
            "saved",
            "registered",
            "joined",
            "deleted",
            "password_reset",
            "feed_renewed",
            "feed_revoked",
        ];
        let done_organiser = ["scheduled", "published", "moved", "checked", "retried"];
        let mail = ["mail.queued", "mail.sent", "mail.failed"]
            .into_iter()
            .map(str::to_owned)
            .chain(ketnoi_app::MailKind::preferences().map(|kind| format!("mail_kind.{}", kind.as_str())))
            .chain(ketnoi_app::Mode::ALL.iter().map(|mode| format!("mode.{}", mode.as_str())));
        let outcomes = ketnoi_domain::rules::Outcome::ALL.iter().map(|o| format!("outcome.{o}"));
        let keys = built
            .iter()
            .map(|k| (*k).to_owned())
            .chain(statuses.iter().map(|s| format!("status.{s}")))
            .chain(done.iter().chain(&done_organiser).map(|d| format!("done.{d}")))
            .chain(outcomes)
            .chain(mail);
        missing.extend(keys.filter(|key| !i18n::has(key)));
        assert!(missing.is_empty(), "messages missing from the catalogue: {missing:#?}");
    }

    #[test]
    fn every_form_field_has_a_label_for_the_error_list() {
        let others = [
            "display_name",
            "account_email",
            "password",
            "new_password",
            "code",
            "message",
            "priority",
            "invite_email",
            "event",
            "language",
        ];
        let missing: Vec<&str> = views::PROFILE_FIELDS
            .iter()
            .chain(&others)
            .copied()
            .filter(|f| !i18n::has(&format!("field.{f}")))
            .collect();
        assert!(missing.is_empty(), "fields without a label: {missing:?}");
    }

    /// Every problem a page can show, in Vietnamese: values (names, codes as typed) are quoted
    /// and may be in any language; no English is left around them.
    #[test]
    fn every_problem_reads_in_vietnamese_with_no_english_left() {
        use ketnoi_domain::i18n::english_words;
        use ketnoi_domain::validate::Issue;
        let unquoted = |text: &str| {
            let mut out = String::new();
            let mut inside = false;
            for c in text.chars() {
                match c {
                    '"' => inside = !inside,
                    _ if !inside => out.push(c),
                    _ => {}
                }
            }
            out
        };
        let ctx = |lang| Ctx { caller: Caller::ANONYMOUS, lang, here: "/".to_owned(), had_session: false };
        let vietnamese = ctx(Language::Vi);
        let english = ctx(Language::En);
        let mut problems = AppError::samples();
        problems.extend(Issue::samples().into_iter().map(|issue| AppError::invalid("name", issue)));
        for problem in &problems {
            let text = vietnamese.problem(problem);
            let words = english_words(&unquoted(&text));
            assert!(words.is_empty(), "{}: {text:?} has {words:?}", problem.code());
            assert_ne!(text, english.problem(problem), "{} is not translated", problem.code());
        }
        for reason in ketnoi_domain::schedule::NamedReason::samples() {
            // Names are not quoted in a reason: they are the samples' own.
            let text = reason.text(Language::Vi).replace("Sen and Lotus Ventures", "");
            assert!(english_words(&text).is_empty(), "{text:?}");
        }
    }

    #[test]
    fn only_local_paths_are_followed() {
        assert_eq!(local_path("/e/x/search?q=a"), "/e/x/search?q=a");
        for outside in [
            "//evil.example",
            "https://evil.example",
            "/\\evil.example",
            "evil",
            "/\t/evil.example",
            "/\n/evil",
            "/a\r\nb",
        ] {
            assert_eq!(local_path(outside), "/", "{outside}");
        }
        assert_eq!(encode("/e/x?q=a b&c=1"), "%2Fe%2Fx%3Fq%3Da+b%26c%3D1");
        assert_eq!(with_notice("/a?slot=d1#meeting-5", "checked"), "/a?slot=d1&done=checked#meeting-5");
        assert_eq!(with_notice("/a", "saved"), "/a?done=saved");
    }
}
