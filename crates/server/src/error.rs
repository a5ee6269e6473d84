//! Errors as RFC 9457 problem+json: the one place where problems become HTTP statuses. Each
//! answer has the problem's stable `code` (also the end of its `type`), an English `detail`,
//! the problem's data as members, and for invalid input the offending fields. The real cause
//! of a failure of ours is logged where it happened; the client never sees it.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use ketnoi_app::health::Readiness;
use ketnoi_app::{AppError, ProblemKind};
use ketnoi_domain::i18n::{Language, Message};
use ketnoi_domain::rules::Resource;
use ketnoi_domain::validate::{Issue, ValidationErrors};
use serde::Serialize;
use serde_json::{Map, Value, json};
use utoipa::ToSchema;

/// An error the API answers with: a use case's problem, or one of the request itself found
/// before any use case ran (its body, its media type, its method).
#[derive(Debug)]
pub enum ApiError {
    App(AppError),
    Request(RequestProblem),
    /// The server cannot take requests now (`/readyz`), and why.
    NotReady(Readiness),
}

/// What is wrong with the request as HTTP: not a use case's business.
#[derive(Debug)]
pub enum RequestProblem {
    /// The body is not JSON (or not said to be).
    UnsupportedMediaType,
    BodyTooLarge {
        limit: usize,
    },
    /// The body is not valid JSON.
    InvalidJson {
        detail: String,
    },
    /// The JSON does not fit the route's body: `field` (a path into it) and serde's message.
    InvalidBody {
        field: String,
        detail: String,
    },
    /// The query string is not URL encoding.
    InvalidQuery,
    MethodNotAllowed,
    /// A write from another site, with the browser's cookie.
    CrossSite,
}

/// One invalid field of a request: its name (a JSON key, a path into the body, or a query
/// parameter), the issue's code and what is wrong, in English.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FieldProblem {
    pub field: String,
    pub code: String,
    pub message: String,
}

/// An error, as RFC 9457 problem details. Beside these members, a problem carries its own
/// data (the quota reached, the slot, who is busy…), named in docs/api.md.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// `https://ketnoi.dev/problems/{code}`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The problem's stable code.
    pub code: String,
    pub title: String,
    pub status: u16,
    /// What went wrong, for a person to read (in English).
    pub detail: String,
    /// For invalid input: each offending field.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldProblem>,
    /// The request's id, as in its `x-request-id` header and in the server's log lines.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

/// Seconds a client is asked to wait after a 503.
const RETRY_UNAVAILABLE: u32 = 2;

impl From<AppError> for ApiError {
    fn from(error: AppError) -> Self {
        ApiError::App(error)
    }
}

impl From<RequestProblem> for ApiError {
    fn from(problem: RequestProblem) -> Self {
        ApiError::Request(problem)
    }
}

impl From<ValidationErrors> for ApiError {
    fn from(errors: ValidationErrors) -> Self {
        ApiError::App(AppError::Invalid(errors))
    }
}

impl ApiError {
    pub fn not_found(resource: Resource) -> Self {
        ApiError::App(AppError::NotFound(resource))
    }

    pub fn invalid(field: &str, issue: Issue) -> Self {
        ApiError::App(AppError::invalid(field, issue))
    }

    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::App(error) => match error.kind() {
                ProblemKind::NotFound => StatusCode::NOT_FOUND,
                ProblemKind::Unauthenticated => StatusCode::UNAUTHORIZED,
                ProblemKind::Invalid => StatusCode::BAD_REQUEST,
                ProblemKind::Conflict => StatusCode::CONFLICT,
                ProblemKind::TooMany => StatusCode::TOO_MANY_REQUESTS,
                ProblemKind::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
                ProblemKind::StorageFull => StatusCode::INSUFFICIENT_STORAGE,
                ProblemKind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
            },
            ApiError::Request(problem) => match problem {
                RequestProblem::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
                RequestProblem::BodyTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
                RequestProblem::InvalidJson { .. }
                | RequestProblem::InvalidBody { .. }
                | RequestProblem::InvalidQuery => StatusCode::BAD_REQUEST,
                RequestProblem::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
                RequestProblem::CrossSite => StatusCode::FORBIDDEN,
            },
            ApiError::NotReady(_) => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            ApiError::App(error) => error.code(),
            ApiError::Request(problem) => match problem {
                RequestProblem::UnsupportedMediaType => "unsupported-media-type",
                RequestProblem::BodyTooLarge { .. } => "body-too-large",
                RequestProblem::InvalidJson { .. } => "invalid-json",
                RequestProblem::InvalidBody { .. } => "invalid-body",
                RequestProblem::InvalidQuery => "invalid-query",
                RequestProblem::MethodNotAllowed => "method-not-allowed",
                RequestProblem::CrossSite => "cross-site",
            },
            ApiError::NotReady(_) => "not-ready",
        }
    }

    /// What went wrong, in English.
    pub fn detail(&self) -> String {
        match self {
            ApiError::App(error) => error.text(Language::En),
            ApiError::Request(problem) => match problem {
                RequestProblem::UnsupportedMediaType => {
                    "send the body as JSON, with Content-Type: application/json".to_owned()
                }
                RequestProblem::BodyTooLarge { limit } => {
                    format!("the request body is larger than the limit of {limit} bytes")
                }
                RequestProblem::InvalidJson { detail } => format!("the body is not valid JSON: {detail}"),
                RequestProblem::InvalidBody { field, detail } => format!("{field}: {detail}"),
                RequestProblem::InvalidQuery => "the query string is not valid URL encoding".to_owned(),
                RequestProblem::MethodNotAllowed => "this method is not allowed on this path".to_owned(),
                RequestProblem::CrossSite => "cross-site requests may not change anything here".to_owned(),
            },
            ApiError::NotReady(readiness) => format!("not ready: {}", readiness.reasons.join("; ")),
        }
    }

    /// Every code a problem may have, for the API document.
    pub fn codes() -> Vec<&'static str> {
        let mut codes: Vec<&'static str> = AppError::samples().iter().map(AppError::code).collect();
        codes.extend([
            "unsupported-media-type",
            "body-too-large",
            "invalid-json",
            "invalid-body",
            "invalid-query",
            "method-not-allowed",
            "cross-site",
            "not-ready",
        ]);
        codes.sort_unstable();
        codes.dedup();
        codes
    }

    /// The fields of the request that are wrong.
    fn errors(&self) -> Vec<FieldProblem> {
        match self {
            ApiError::App(AppError::Import(import)) => import
                .issues
                .iter()
                .map(|issue| {
                    let line = issue.line.map(|l| format!(":{l}")).unwrap_or_default();
                    let column = issue.column.as_ref().map(|c| format!(":{c}")).unwrap_or_default();
                    let value = issue.value.as_ref().map(|v| format!("{v:?}: ")).unwrap_or_default();
                    FieldProblem {
                        field: format!("{}{line}{column}", issue.file),
                        code: issue.issue.code().to_owned(),
                        message: format!("{value}{}", issue.issue.text(Language::En)),
                    }
                })
                .collect(),
            ApiError::App(error) => error
                .fields()
                .iter()
                .map(|problem| FieldProblem {
                    field: problem.field.clone(),
                    code: problem.code().to_owned(),
                    message: problem.text(Language::En),
                })
                .collect(),
            ApiError::Request(RequestProblem::InvalidBody { field, detail }) => {
                vec![FieldProblem { field: field.clone(), code: "invalid-body".to_owned(), message: detail.clone() }]
            }
            ApiError::Request(_) | ApiError::NotReady(_) => Vec::new(),
        }
    }

    /// The problem's own members: its data.
    fn data(&self) -> Map<String, Value> {
        let mut data = Map::new();
        match self {
            ApiError::App(AppError::NotFound(resource)) => {
                data.insert("resource".to_owned(), json!(resource.as_str()));
            }
            ApiError::App(AppError::TooManyAttempts { retry_after, .. }) => {
                data.insert("retry_after".to_owned(), json!(retry_after));
            }
            ApiError::App(AppError::Refused(refusal)) => {
                if let Ok(Value::Object(members)) = serde_json::to_value(refusal) {
                    data.extend(members.into_iter().filter(|(key, _)| key != "code"));
                }
            }
            ApiError::App(AppError::Import(import)) => {
                let problems: Vec<Value> = import
                    .issues
                    .iter()
                    .map(|issue| {
                        let mut problem = serde_json::to_value(issue).unwrap_or_default();
                        problem["message"] = json!(issue.issue.text(Language::En));
                        problem
                    })
                    .collect();
                data.insert("problems".to_owned(), Value::Array(problems));
                data.insert("total".to_owned(), json!(import.total));
            }
            ApiError::NotReady(readiness) => {
                if let Ok(Value::Object(members)) = serde_json::to_value(readiness) {
                    data.extend(members);
                }
            }
            ApiError::App(_) | ApiError::Request(_) => {}
        }
        data
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let code = self.code();
        let problem = Problem {
            kind: format!("https://ketnoi.dev/problems/{code}"),
            code: code.to_owned(),
            title: status.canonical_reason().unwrap_or("Error").to_owned(),
            status: status.as_u16(),
            detail: self.detail(),
            errors: self.errors(),
            request_id: crate::observe::request_id().map(|id| id.to_string()),
        };
        let mut body = match serde_json::to_value(&problem) {
            Ok(Value::Object(members)) => members,
            _ => Map::new(),
        };
        for (key, value) in self.data() {
            body.entry(key).or_insert(value);
        }
        let mut response = (status, Json(Value::Object(body))).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
        match &self {
            ApiError::App(AppError::Unauthenticated | AppError::InvalidToken | AppError::WrongCredentials) => {
                headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer realm=\"ketnoi\""));
            }
            ApiError::App(AppError::TooManyAttempts { retry_after, .. }) => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from((*retry_after).max(1)));
            }
            // The database or the index is away for now: a client may try again shortly.
            _ if status == StatusCode::SERVICE_UNAVAILABLE => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from(RETRY_UNAVAILABLE));
            }
            _ => {}
        }
        response
    }
}
