//! The JSON body extractor: every way a body can be wrong answers problem+json naming what is
//! wrong — the content type (415), the size (413), the syntax (400), or the field (400).

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{StatusCode, header};
use serde::de::DeserializeOwned;

use crate::error::{ApiError, RequestProblem};

/// A JSON request body of type `T`.
#[derive(Debug)]
pub struct Body<T>(pub T);

fn is_json(request: &Request) -> bool {
    let Some(value) = request.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()) else { return false };
    let essence = value.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    essence == "application/json" || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// The name serde's message gives between backticks: "missing field `password`".
fn quoted_field(message: &str) -> Option<&str> {
    let start = message.find('`')? + 1;
    let len = message[start..].find('`')?;
    Some(&message[start..start + len])
}

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Body<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        if !is_json(&request) {
            return Err(RequestProblem::UnsupportedMediaType.into());
        }
        let bytes = Bytes::from_request(request, state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                RequestProblem::BodyTooLarge { limit: crate::BODY_LIMIT_BYTES }
            } else {
                RequestProblem::InvalidJson { detail: "the request body could not be read".to_owned() }
            }
        })?;
        let mut deserializer = serde_json::Deserializer::from_slice(&bytes);
        let value = serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
            let path = error.path().to_string();
            let inner = error.into_inner();
            if inner.is_syntax() || inner.is_eof() {
                return RequestProblem::InvalidJson { detail: inner.to_string() };
            }
            let message = inner.to_string();
            let detail = message.split(" at line ").next().unwrap_or_default().to_owned();
            // A missing field is not on the path (serde stops at its parent): add its name.
            let field = match quoted_field(&detail) {
                Some(name) if detail.starts_with("missing field") && path == "." => name.to_owned(),
                Some(name) if detail.starts_with("missing field") => format!("{path}.{name}"),
                _ if path == "." => "body".to_owned(),
                _ => path,
            };
            RequestProblem::InvalidBody { field, detail }
        })?;
        deserializer.end().map_err(|error| RequestProblem::InvalidJson { detail: error.to_string() })?;
        Ok(Body(value))
    }
}
