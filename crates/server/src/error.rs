//! Errors as RFC 9457 problem+json. The one place where error kinds become HTTP statuses; the
//! real cause is logged, the client gets a safe message.

use axum::Json;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use ketnoi_domain::validate::{FieldError, ValidationErrors};
use ketnoi_store::{ErrorKind, StoreError};
use serde::Serialize;

/// An error the API answers with.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    detail: String,
    errors: Vec<FieldError>,
}

#[derive(Serialize)]
struct Problem<'a> {
    #[serde(rename = "type")]
    kind: String,
    title: &'a str,
    status: u16,
    detail: &'a str,
    #[serde(skip_serializing_if = "<[FieldError]>::is_empty")]
    errors: &'a [FieldError],
}

impl ApiError {
    pub fn not_found(what: &str) -> Self {
        ApiError { status: StatusCode::NOT_FOUND, detail: format!("{what} not found"), errors: Vec::new() }
    }

    /// A bad parameter or field, named.
    pub fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        Self::validation(ValidationErrors::single(field, message))
    }

    pub fn validation(errors: ValidationErrors) -> Self {
        ApiError { status: StatusCode::BAD_REQUEST, detail: errors.to_string(), errors: errors.0 }
    }

    pub fn bad_request(detail: impl Into<String>) -> Self {
        ApiError { status: StatusCode::BAD_REQUEST, detail: detail.into(), errors: Vec::new() }
    }

    pub fn too_large(limit: usize) -> Self {
        ApiError {
            status: StatusCode::PAYLOAD_TOO_LARGE,
            detail: format!("the request body is larger than the limit of {limit} bytes"),
            errors: Vec::new(),
        }
    }

    pub fn unavailable(detail: impl Into<String>) -> Self {
        ApiError { status: StatusCode::SERVICE_UNAVAILABLE, detail: detail.into(), errors: Vec::new() }
    }

    /// A failure of ours: logged, and answered without details.
    pub fn internal(error: &dyn std::fmt::Display) -> Self {
        tracing::error!(%error, "internal error");
        ApiError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            detail: "something went wrong on our side".to_owned(),
            errors: Vec::new(),
        }
    }

    pub fn status(&self) -> StatusCode {
        self.status
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        let (status, detail) = match error.kind() {
            ErrorKind::NotFound => (StatusCode::NOT_FOUND, error.to_string()),
            ErrorKind::Conflict => (StatusCode::CONFLICT, error.to_string()),
            ErrorKind::Invalid => match error {
                StoreError::Invalid(errors) => return ApiError::validation(errors),
                other => (StatusCode::BAD_REQUEST, other.to_string()),
            },
            ErrorKind::Unavailable => {
                tracing::error!(%error, "database unavailable");
                (StatusCode::SERVICE_UNAVAILABLE, "the database is not available, try again shortly".to_owned())
            }
            ErrorKind::Internal => {
                tracing::error!(%error, "internal error");
                (StatusCode::INTERNAL_SERVER_ERROR, "something went wrong on our side".to_owned())
            }
        };
        ApiError { status, detail, errors: Vec::new() }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let title = self.status.canonical_reason().unwrap_or("Error");
        let problem = Problem {
            kind: format!("https://ketnoi.dev/problems/{}", self.status.as_u16()),
            title,
            status: self.status.as_u16(),
            detail: &self.detail,
            errors: &self.errors,
        };
        let mut response = (self.status, Json(problem)).into_response();
        response
            .headers_mut()
            .insert(header::CONTENT_TYPE, header::HeaderValue::from_static("application/problem+json"));
        response
    }
}
