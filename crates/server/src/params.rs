//! Query-string parameters, read by serde into one struct per route — the struct the API
//! document shows. A parameter the route does not know, or one given twice, is refused by
//! name before the struct is read.

use axum::extract::{FromRequestParts, RawQuery};
use axum::http::request::Parts;
use ketnoi_domain::validate::{Issue, ValidationErrors};
use serde::de::{self, DeserializeOwned, Deserializer, Visitor};

use crate::error::{ApiError, RequestProblem};

/// A route's query parameters.
#[derive(Debug, Default)]
pub struct Query<T>(pub T);

/// The names of the fields of the struct `T` deserializes from, as serde sees them.
fn fields<T: DeserializeOwned>() -> &'static [&'static str] {
    /// A deserializer that only asks a struct for its field names.
    struct Probe<'a>(&'a mut &'static [&'static str]);

    impl<'de> Deserializer<'de> for Probe<'_> {
        type Error = de::value::Error;

        fn deserialize_any<V: Visitor<'de>>(self, _visitor: V) -> Result<V::Value, Self::Error> {
            Err(de::Error::custom("not a struct"))
        }

        fn deserialize_struct<V: Visitor<'de>>(
            self,
            _name: &'static str,
            fields: &'static [&'static str],
            _visitor: V,
        ) -> Result<V::Value, Self::Error> {
            *self.0 = fields;
            Err(de::Error::custom("probed"))
        }

        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf option unit
            unit_struct newtype_struct seq tuple tuple_struct map enum identifier ignored_any
        }
    }

    let mut fields: &'static [&'static str] = &[];
    let _ = T::deserialize(Probe(&mut fields));
    fields
}

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for Query<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let RawQuery(query) = RawQuery::from_request_parts(parts, state).await.unwrap_or(RawQuery(None));
        let query = query.unwrap_or_default();
        let pairs: Vec<(String, String)> =
            serde_urlencoded::from_str(&query).map_err(|_| RequestProblem::InvalidQuery)?;
        let known = fields::<T>();
        let mut errors = ValidationErrors::default();
        for (index, (name, _)) in pairs.iter().enumerate() {
            if !known.contains(&name.as_str()) {
                let allowed = known.iter().map(|f| (*f).to_owned()).collect();
                errors.add(name.clone(), Issue::UnknownParameter { name: name.clone(), allowed });
            } else if pairs[..index].iter().any(|(earlier, _)| earlier == name) && !errors.has(name) {
                errors.add(name.clone(), Issue::Repeated);
            }
        }
        if !errors.is_empty() {
            return Err(errors.into());
        }
        let parsed = serde_urlencoded::from_str::<T>(&query).map_err(|_| RequestProblem::InvalidQuery)?;
        Ok(Query(parsed))
    }
}
