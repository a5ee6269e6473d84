//! Lists stored in one text column as `;a;b;`, so that `LIKE '%;a;%'` filters on both databases.

use std::fmt::Display;

use crate::StoreError;

pub(crate) fn join<T: Display>(items: &[T]) -> String {
    if items.is_empty() {
        return String::new();
    }
    let mut joined = String::from(";");
    for item in items {
        joined.push_str(&item.to_string());
        joined.push(';');
    }
    joined
}

pub(crate) fn split<T, E: Display>(
    column: &str,
    stored: &str,
    parse: impl Fn(&str) -> Result<T, E>,
) -> Result<Vec<T>, StoreError> {
    stored
        .split(';')
        .filter(|item| !item.is_empty())
        .map(|item| parse(item).map_err(|error| StoreError::Corrupt(format!("{column}: {error}"))))
        .collect()
}

/// The `LIKE` pattern that finds `item` in a joined list.
pub(crate) fn contains_pattern(item: &str) -> String {
    format!("%;{item};%")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        assert_eq!(join(&["fintech", "ai"]), ";fintech;ai;");
        assert_eq!(join::<&str>(&[]), "");
        let parsed: Vec<String> = split("sectors", ";fintech;ai;", |s| Ok::<_, String>(s.to_owned())).unwrap();
        assert_eq!(parsed, ["fintech", "ai"]);
    }
}
