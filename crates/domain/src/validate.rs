//! Validation of what users send: every error names the field it is about.

use std::fmt;

use serde::{Deserialize, Serialize};

/// One invalid field: its name as the user sent it (CSV column or JSON key) and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: &'static str,
    pub message: String,
}

/// All the invalid fields of one input, in the order the fields were checked.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(transparent)]
pub struct ValidationErrors(pub Vec<FieldError>);

impl fmt::Display for ValidationErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, error) in self.0.iter().enumerate() {
            if index > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{}: {}", error.field, error.message)?;
        }
        Ok(())
    }
}

impl ValidationErrors {
    pub fn single(field: &'static str, message: impl Into<String>) -> Self {
        ValidationErrors(vec![FieldError { field, message: message.into() }])
    }

    pub fn add(&mut self, field: &'static str, message: impl Into<String>) {
        self.0.push(FieldError { field, message: message.into() });
    }

    /// Keeps the value when it is valid, records the error under `field` otherwise.
    pub fn check<T, E: fmt::Display>(&mut self, field: &'static str, result: Result<T, E>) -> Option<T> {
        result.map_err(|error| self.add(field, error.to_string())).ok()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `Ok(value)` when nothing was recorded.
    pub fn into_result<T>(self, value: impl FnOnce() -> T) -> Result<T, ValidationErrors> {
        if self.0.is_empty() { Ok(value()) } else { Err(self) }
    }
}

/// Trims `input` and checks its length in characters is within `min..=max`.
pub fn text(input: &str, min: usize, max: usize) -> Result<String, String> {
    let trimmed = input.trim();
    let length = trimmed.chars().count();
    if length < min {
        return Err(if min == 1 {
            "must not be empty".to_owned()
        } else {
            format!("must be at least {min} characters")
        });
    }
    if length > max {
        return Err(format!("must be at most {max} characters, got {length}"));
    }
    if trimmed.chars().any(|c| c.is_control() && c != '\n' && c != '\t' && c != '\r') {
        return Err("must not contain control characters".to_owned());
    }
    Ok(trimmed.to_owned())
}

/// Parses a whole number within `min..=max`, naming what was wrong with the text.
pub fn whole_number(input: &str, min: i64, max: i64) -> Result<i64, String> {
    let trimmed = input.trim();
    let number: i64 = trimmed.parse().map_err(|_| {
        if trimmed.is_empty() { "must not be empty".to_owned() } else { format!("{trimmed:?} is not a whole number") }
    })?;
    if number < min {
        return Err(if min == 0 {
            format!("must not be negative, got {number}")
        } else {
            format!("must be at least {min}, got {number}")
        });
    }
    if number > max {
        return Err(format!("must be at most {max}, got {number}"));
    }
    Ok(number)
}

/// A plausible e-mail address, stored lower-cased.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

impl Email {
    pub fn parse(input: &str) -> Result<Self, String> {
        let trimmed = input.trim();
        let invalid = || format!("{trimmed:?} is not an e-mail address");
        if trimmed.len() > 254 {
            return Err("must be at most 254 characters".to_owned());
        }
        let (local, domain) = trimmed.rsplit_once('@').ok_or_else(invalid)?;
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && local.chars().all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+-/=?^_`{|}~.".contains(c))
            && !local.starts_with('.')
            && !local.ends_with('.')
            && !local.contains("..");
        if !local_ok || !is_domain_name(domain) {
            return Err(invalid());
        }
        Ok(Email(trimmed.to_ascii_lowercase()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn is_domain_name(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    labels.len() >= 2
        && domain.len() <= 253
        && labels.iter().all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        })
        && labels.last().is_some_and(|tld| tld.len() >= 2 && tld.chars().all(|c| c.is_ascii_alphabetic()))
}

impl TryFrom<String> for Email {
    type Error = String;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Email::parse(&value)
    }
}

impl From<Email> for String {
    fn from(value: Email) -> Self {
        value.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A web address: `http` or `https` with a host name; `example.vn` is read as `https://example.vn`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct WebUrl(String);

impl WebUrl {
    pub fn parse(input: &str) -> Result<Self, String> {
        let trimmed = input.trim();
        let invalid = || format!("{trimmed:?} is not a web address (http or https)");
        if trimmed.len() > 300 {
            return Err("must be at most 300 characters".to_owned());
        }
        let lower = trimmed.to_ascii_lowercase();
        let (url, rest) = if let Some(rest) = lower.strip_prefix("https://") {
            (trimmed.to_owned(), rest)
        } else if let Some(rest) = lower.strip_prefix("http://") {
            (trimmed.to_owned(), rest)
        } else if lower.contains("://") {
            return Err(invalid());
        } else {
            (format!("https://{trimmed}"), lower.as_str())
        };
        let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
        let host = authority.rsplit_once('@').map_or(authority, |(_, host)| host);
        let host = host.split(':').next().unwrap_or_default();
        if !is_domain_name(host) || url.chars().any(char::is_whitespace) {
            return Err(invalid());
        }
        Ok(WebUrl(url))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for WebUrl {
    type Error = String;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        WebUrl::parse(&value)
    }
}

impl From<WebUrl> for String {
    fn from(value: WebUrl) -> Self {
        value.0
    }
}

/// An ISO 3166-1 alpha-2 country code, upper-case (`VN`, `KR`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Country([u8; 2]);

const ISO_3166_ALPHA_2: &str = "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ \
BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ \
FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM \
JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT \
MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB \
SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ \
VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW";

impl Country {
    pub const VN: Country = Country(*b"VN");

    pub fn parse(input: &str) -> Result<Self, String> {
        let code = input.trim().to_ascii_uppercase();
        match code.as_bytes() {
            [a, b] if ISO_3166_ALPHA_2.split(' ').any(|known| known == code) => Ok(Country([*a, *b])),
            _ => Err(format!("{:?} is not an ISO 3166 alpha-2 country code (such as VN, KR, SG)", input.trim())),
        }
    }

    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or("??")
    }
}

impl TryFrom<String> for Country {
    type Error = String;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Country::parse(&value)
    }
}

impl From<Country> for String {
    fn from(value: Country) -> Self {
        value.as_str().to_owned()
    }
}

impl fmt::Display for Country {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Splits a `;`-separated list cell, dropping empty items.
pub fn list_items(cell: &str) -> impl Iterator<Item = &str> {
    cell.split(';').map(str::trim).filter(|item| !item.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn emails() {
        assert_eq!(Email::parse(" Contact@PortLink.VN ").unwrap().as_str(), "contact@portlink.vn");
        for bad in ["", "no-at-sign", "a@b", "a@@b.vn", "a b@c.vn", "@c.vn", "a@-c.vn", "a@c.v1", "a..b@c.vn"] {
            assert!(Email::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn web_urls() {
        assert_eq!(WebUrl::parse("portlink.vn").unwrap().as_str(), "https://portlink.vn");
        assert_eq!(WebUrl::parse("http://a.vn/x?y=1").unwrap().as_str(), "http://a.vn/x?y=1");
        for bad in ["ftp://a.vn", "https://", "not a url", "https://localhost", "javascript:alert(1)"] {
            assert!(WebUrl::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn countries() {
        assert_eq!(Country::parse("vn"), Ok(Country::VN));
        assert!(Country::parse("XX").is_err());
        assert!(Country::parse("VNM").is_err());
        assert_eq!(ISO_3166_ALPHA_2.split(' ').count(), 249);
    }

    #[test]
    fn numbers_name_the_problem() {
        assert_eq!(whole_number("-5", 0, 10), Err("must not be negative, got -5".to_owned()));
        assert_eq!(whole_number("abc", 0, 10), Err("\"abc\" is not a whole number".to_owned()));
        assert_eq!(whole_number("1.5", 0, 10), Err("\"1.5\" is not a whole number".to_owned()));
        assert_eq!(whole_number("11", 0, 10), Err("must be at most 10, got 11".to_owned()));
        assert_eq!(whole_number(" 7 ", 0, 10), Ok(7));
    }

    #[test]
    fn text_lengths() {
        assert_eq!(text("  ", 1, 5), Err("must not be empty".to_owned()));
        assert_eq!(text("Cảng Số", 1, 7), Ok("Cảng Số".to_owned()));
        assert!(text("Cảng Số!", 1, 7).is_err());
        assert!(text("a\u{0}b", 1, 7).is_err());
    }

    proptest! {
        #[test]
        fn valid_emails_parse(local in "[a-z0-9]{1,20}", domain in "[a-z]{1,20}", tld in "[a-z]{2,6}") {
            let email = format!("{local}@{domain}.{tld}");
            prop_assert_eq!(Email::parse(&email).map(|e| e.as_str().to_owned()), Ok(email));
        }

        #[test]
        fn email_parse_never_panics(input in "\\PC{0,80}") {
            let _ = Email::parse(&input);
            let _ = WebUrl::parse(&input);
            let _ = Country::parse(&input);
        }

        #[test]
        fn whole_numbers_in_range_round_trip(n in 0i64..1_000_000_000_000_000) {
            prop_assert_eq!(whole_number(&n.to_string(), 0, i64::MAX), Ok(n));
        }
    }
}
