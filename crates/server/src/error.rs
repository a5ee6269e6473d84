//! Errors as RFC 9457 problem+json. The one place where error kinds become HTTP statuses; the
//! real cause is logged, the client gets a safe message.

use axum::Json;
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use ketnoi_domain::access::Denied;
use ketnoi_domain::validate::ValidationErrors;
use ketnoi_store::{ErrorKind, StoreError};
use serde::Serialize;
use utoipa::ToSchema;

/// An error the API answers with.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    detail: String,
    errors: Vec<FieldProblem>,
    header: Option<Box<(HeaderName, HeaderValue)>>,
}

/// One invalid field of a request: its name (a JSON key, a path into the body, or a query
/// parameter) and what is wrong with it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FieldProblem {
    pub field: String,
    pub message: String,
}

/// An error, as RFC 9457 problem details.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    /// What went wrong, for a person to read.
    pub detail: String,
    /// For invalid input: each offending field.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldProblem>,
}

impl ApiError {
    fn new(status: StatusCode, detail: impl Into<String>) -> Self {
        ApiError { status, detail: detail.into(), errors: Vec::new(), header: None }
    }

    /// What went wrong, for a person to read.
    pub fn detail(&self) -> &str {
        &self.detail
    }

    /// Each invalid field, for input that was refused.
    pub fn field_problems(&self) -> &[FieldProblem] {
        &self.errors
    }

    pub fn not_found(what: &str) -> Self {
        Self::new(StatusCode::NOT_FOUND, format!("{what} not found"))
    }

    /// A bad parameter or field, named.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        let (field, message) = (field.into(), message.into());
        let mut error = Self::new(StatusCode::BAD_REQUEST, format!("{field}: {message}"));
        error.errors.push(FieldProblem { field, message });
        error
    }

    pub fn validation(errors: ValidationErrors) -> Self {
        let mut error = Self::new(StatusCode::BAD_REQUEST, errors.to_string());
        error.errors =
            errors.0.into_iter().map(|e| FieldProblem { field: e.field.to_owned(), message: e.message }).collect();
        error
    }

    /// The errors of an object's own fields, then those of a nested object, named `prefix.field`.
    pub fn nested(outer: ValidationErrors, prefix: &str, inner: ValidationErrors) -> Self {
        let mut error = Self::validation(outer);
        let inner =
            inner.0.into_iter().map(|e| FieldProblem { field: format!("{prefix}.{}", e.field), message: e.message });
        error.errors.extend(inner);
        error.detail =
            error.errors.iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join("; ");
        error
    }

    pub fn bad_request(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, detail)
    }

    /// No valid credentials: sign in, or send a live API token.
    pub fn unauthenticated(detail: impl Into<String>) -> Self {
        let mut error = Self::new(StatusCode::UNAUTHORIZED, detail);
        error.header = Some(Box::new((header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer realm=\"ketnoi\""))));
        error
    }

    /// Refused whoever asks: a cross-site write.
    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, detail)
    }

    pub fn conflict(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, detail)
    }

    pub fn too_large(limit: usize) -> Self {
        Self::new(StatusCode::PAYLOAD_TOO_LARGE, format!("the request body is larger than the limit of {limit} bytes"))
    }

    pub fn unsupported_media_type(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, detail)
    }

    /// Too many attempts; `retry_after` seconds until the next is accepted.
    pub fn too_many(detail: impl Into<String>, retry_after: u64) -> Self {
        let mut error = Self::new(StatusCode::TOO_MANY_REQUESTS, detail);
        error.header = Some(Box::new((header::RETRY_AFTER, HeaderValue::from(retry_after.max(1)))));
        error
    }

    pub fn unavailable(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::SERVICE_UNAVAILABLE, detail)
    }

    /// A failure of ours: logged, and answered without details.
    pub fn internal(error: &dyn std::fmt::Display) -> Self {
        tracing::error!(%error, "internal error");
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "something went wrong on our side")
    }

    pub fn status(&self) -> StatusCode {
        self.status
    }
}

impl From<Denied> for ApiError {
    fn from(denied: Denied) -> Self {
        match denied {
            Denied::Unauthenticated => ApiError::unauthenticated("sign in, or send an API token, to do this"),
            Denied::NotFound => ApiError::not_found("resource"),
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        match error.kind() {
            ErrorKind::NotFound => Self::new(StatusCode::NOT_FOUND, error.to_string()),
            ErrorKind::Conflict => Self::new(StatusCode::CONFLICT, error.to_string()),
            ErrorKind::Invalid => match error {
                StoreError::Invalid(errors) => ApiError::validation(errors),
                StoreError::Import(import) => {
                    // Each problem named by file, line and column, as the command line names them.
                    let mut error = Self::new(StatusCode::BAD_REQUEST, import.to_string().trim_end().to_owned());
                    error.errors = import
                        .issues
                        .into_iter()
                        .map(|issue| {
                            let line = issue.line.map(|l| format!(":{l}")).unwrap_or_default();
                            let column = issue.column.map(|c| format!(":{c}")).unwrap_or_default();
                            let value = issue.value.map(|v| format!("{v:?}: ")).unwrap_or_default();
                            FieldProblem {
                                field: format!("{}{line}{column}", issue.file),
                                message: format!("{value}{}", issue.message),
                            }
                        })
                        .collect();
                    error
                }
                other => Self::new(StatusCode::BAD_REQUEST, other.to_string()),
            },
            ErrorKind::Unavailable => {
                tracing::error!(%error, "database unavailable");
                Self::new(StatusCode::SERVICE_UNAVAILABLE, "the database is not available, try again shortly")
            }
            ErrorKind::Internal => ApiError::internal(&error),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let problem = Problem {
            kind: format!("https://ketnoi.dev/problems/{}", self.status.as_u16()),
            title: self.status.canonical_reason().unwrap_or("Error").to_owned(),
            status: self.status.as_u16(),
            detail: self.detail,
            errors: self.errors,
        };
        let mut response = (self.status, Json(problem)).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
        if let Some(extra) = self.header {
            let (name, value) = *extra;
            headers.insert(name, value);
        }
        response
    }
}
