//! Query-string parameters, parsed by hand so that each error names the parameter and value.

use axum::extract::{FromRequestParts, RawQuery};
use axum::http::request::Parts;

use crate::error::ApiError;

/// The query string's pairs, checked against the names a route accepts.
#[derive(Debug, Default)]
pub struct Params(Vec<(String, String)>);

impl<S: Send + Sync> FromRequestParts<S> for Params {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let RawQuery(query) = RawQuery::from_request_parts(parts, state).await.unwrap_or(RawQuery(None));
        let pairs = serde_urlencoded::from_str(query.as_deref().unwrap_or_default())
            .map_err(|_| ApiError::bad_request("the query string is not valid URL encoding"))?;
        Ok(Params(pairs))
    }
}

impl Params {
    /// Parameters given by the web app's own handlers rather than read from a query string.
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Params {
        Params(pairs.into_iter().map(|(name, value)| (name.to_owned(), value.to_owned())).collect())
    }

    /// Refuses parameters the route does not know, and any given twice, naming them.
    pub fn allow(&self, known: &[&str]) -> Result<(), ApiError> {
        if let Some((name, _)) = self.0.iter().find(|(name, _)| !known.contains(&name.as_str())) {
            return Err(ApiError::bad_request(format!(
                "unknown parameter {name:?}; this route accepts {}",
                known.join(", ")
            )));
        }
        for (index, (name, _)) in self.0.iter().enumerate() {
            if self.0[..index].iter().any(|(earlier, _)| earlier == name) {
                return Err(ApiError::invalid(name.clone(), "is given more than once"));
            }
        }
        Ok(())
    }

    /// The last value given for `name`, if it is not empty.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.iter().rev().find(|(key, _)| key == name).map(|(_, value)| value.trim()).filter(|v| !v.is_empty())
    }

    /// Parses `name` with `parse`, naming the parameter in the error.
    pub fn parse<T, E: std::fmt::Display>(
        &self,
        name: &'static str,
        parse: impl FnOnce(&str) -> Result<T, E>,
    ) -> Result<Option<T>, ApiError> {
        self.get(name).map(|value| parse(value).map_err(|error| ApiError::invalid(name, error.to_string()))).transpose()
    }

    /// A whole number in `0..=max`, or `default` when absent.
    pub fn bounded(&self, name: &'static str, default: u64, max: u64) -> Result<u64, ApiError> {
        let value = self.parse(name, |value| {
            let number: i64 = value.parse().map_err(|_| format!("{value:?} is not a whole number"))?;
            if number < 0 {
                return Err(format!("must not be negative, got {number}"));
            }
            let number = number as u64;
            if number > max {
                return Err(format!("must be at most {max}, got {number}"));
            }
            Ok(number)
        })?;
        Ok(value.unwrap_or(default))
    }
}
