//! The API document: generated from the handlers' `#[utoipa::path]` annotations, then every
//! operation gets the answers any route can give (401 for a dead token, 403 for a cross-site
//! write, 413/415 for bodies…) in one place, so no handler can forget one.

use utoipa::Modify;
use utoipa::openapi::path::Operation;
use utoipa::openapi::response::{Response, ResponseBuilder};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, Http, HttpAuthScheme, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{Content, OpenApi, Ref, RefOr};

use crate::auth::SESSION_COOKIE;

/// The document's skeleton; the routes fill in its paths.
#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "ketnoi",
        description = "Investor–startup matchmaking for innovation events. Public reads need no sign-in; \
            everything else takes the `ketnoi_session` cookie (browsers) or `Authorization: Bearer <API token>` \
            (scripts). Errors are RFC 9457 problem+json with a stable `code` and the problem's data. See docs/api.md.",
        license(name = "MIT OR Apache-2.0")
    ),
    components(schemas(crate::error::Problem)),
    tags(
        (name = "organizations", description = "Startups and investors: search, profiles, recommendations"),
        (name = "events", description = "Events and their organisers' routes"),
        (name = "accounts", description = "Registration, sign-in, API tokens, personal data"),
        (name = "meetings", description = "Meeting requests, availability, agendas, outcomes"),
        (name = "scheduling", description = "The organisers' scheduler, grid, publication and check-in"),
        (name = "meet-now", description = "Instant meetings on the day, after a no-show, a cancellation or a free slot"),
    )
)]
pub struct ApiDoc;

pub(crate) struct CommonAnswers;

fn problem(description: &str) -> RefOr<Response> {
    let content = Content::new(Some(Ref::from_schema_name("Problem")));
    RefOr::T(ResponseBuilder::new().description(description).content("application/problem+json", content).build())
}

fn add(operation: &mut Operation, status: &str, description: &str) {
    operation.responses.responses.entry(status.to_owned()).or_insert_with(|| problem(description));
}

impl Modify for CommonAnswers {
    fn modify(&self, openapi: &mut OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme("token", SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)));
        components
            .add_security_scheme("session", SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(SESSION_COOKIE))));
        let anyone = SecurityRequirement::default();
        let token = SecurityRequirement::new("token", Vec::<String>::new());
        let session = SecurityRequirement::new("session", Vec::<String>::new());
        // Every problem's code, in the schema of its `code`.
        if let Some(RefOr::T(utoipa::openapi::schema::Schema::Object(problem))) = components.schemas.get_mut("Problem")
            && let Some(RefOr::T(utoipa::openapi::schema::Schema::Object(code))) = problem.properties.get_mut("code")
        {
            code.enum_values = Some(crate::ApiError::codes().into_iter().map(serde_json::Value::from).collect());
        }
        for item in openapi.paths.paths.values_mut() {
            let writes = [&mut item.post, &mut item.put, &mut item.delete, &mut item.patch];
            for operation in writes.into_iter().flatten() {
                add(operation, "403", "`cross-site`: a cross-site write from a browser");
            }
            let all = [&mut item.get, &mut item.post, &mut item.put, &mut item.delete, &mut item.patch];
            for operation in all.into_iter().flatten() {
                operation.security = Some(vec![anyone.clone(), token.clone(), session.clone()]);
                let has_parameters = operation.parameters.as_ref().is_some_and(|p| !p.is_empty());
                if has_parameters || operation.request_body.is_some() {
                    add(
                        operation,
                        "400",
                        "`invalid-field`, `invalid-body`, `invalid-json`: a parameter or a field of the body is invalid; `errors` names it",
                    );
                }
                if operation.request_body.is_some() {
                    add(operation, "413", "`body-too-large`: the body is larger than 1 MiB");
                    add(operation, "415", "`unsupported-media-type`: the body is not JSON");
                }
                add(
                    operation,
                    "401",
                    "`unauthenticated`: not signed in; `invalid-token`: the API token is invalid, expired or revoked",
                );
                add(operation, "404", "`not-found`: not found, or not yours to see");
                add(operation, "503", "`unavailable`: the database is not available");
            }
        }
    }
}
