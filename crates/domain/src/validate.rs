//! Validation of what users send: every problem names the field it is about and says what is
//! wrong as a typed [`Issue`], which each language writes in its own words.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::i18n::{Args, Language, Message, quoted};
use crate::profile::OrgKind;
use crate::taxonomy::Term;

/// What is wrong with one value a user sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "code", rename_all = "kebab-case")]
pub enum Issue {
    Empty,
    TooShort {
        min: usize,
        got: usize,
    },
    TooLong {
        max: usize,
        got: usize,
    },
    ControlCharacters,
    OnlySpaces,
    NotWholeNumber {
        value: String,
    },
    /// Text that is not a number (a weight: `1.5`, `1,5`).
    NotNumber {
        value: String,
    },
    Negative {
        got: i64,
    },
    NotPositive {
        got: i64,
    },
    TooSmall {
        min: i64,
        got: i64,
    },
    TooLarge {
        max: i64,
        got: i64,
    },
    InFuture {
        max: i64,
        got: i64,
    },
    /// A number outside `min..=max` (weights: `0` to `10`, written as typed).
    OutOfRange {
        min: String,
        max: String,
        got: String,
    },
    NotEmail {
        value: String,
    },
    NotWebAddress {
        value: String,
    },
    NotCountry {
        value: String,
    },
    NotCurrency {
        value: String,
    },
    /// The event converts only the currencies it has rates for.
    NoRate {
        currency: String,
        known: Vec<String>,
    },
    /// An amount was given without its currency.
    CurrencyNeeded,
    NotKind {
        value: String,
    },
    UnknownTerm {
        term: Term,
        value: String,
        suggestion: Option<String>,
    },
    NoSector,
    TooManySectors {
        max: usize,
        got: usize,
    },
    NoStage,
    ExceedsTicketMax {
        min: i64,
        max: i64,
    },
    GivenWithTicketMin,
    GivenWithTicketMax,
    NotPhone {
        max: usize,
    },
    CommonPassword,
    PasswordIsEmail,
    NotYourPassword,
    NotYourCurrentPassword,
    NotTheOrganizationsName,
    /// A field of the other kind of organization.
    NotForKind {
        kind: OrgKind,
    },
    /// An organization's kind is set once.
    KindFixed {
        kind: OrgKind,
    },
    NotEventSlug {
        value: String,
    },
    NotTimeZone {
        value: String,
    },
    NotDate {
        value: String,
    },
    NotTime {
        value: String,
    },
    NotId {
        value: String,
    },
    EndsBeforeStart,
    /// An amount given with an outcome that is not a term sheet or an investment.
    AmountWithoutDeal,
    Overlaps {
        other: String,
    },
    NoSlot,
    NotPriority {
        got: String,
    },
    NotOneOf {
        value: String,
        allowed: Vec<String>,
    },
    NotSlot {
        value: String,
    },
    /// A limit of 0: at least 1, or none for no limit.
    ZeroLimit,
    /// The startup's side of the matching weights sums to nothing.
    StartupSideWeightless,
    /// The investor's side of the matching weights sums to nothing.
    InvestorSideWeightless,
    NoFile,
    UnknownParameter {
        name: String,
        allowed: Vec<String>,
    },
    Repeated,
    // The CSV import's own problems.
    EmptyFile {
        header: String,
    },
    UnreadableCsv {
        detail: String,
    },
    NoHeader,
    NotUtf8,
    ColumnTwice,
    UnknownColumn {
        suggestion: Option<String>,
        expected: String,
    },
    MissingColumn,
    CellCount {
        got: usize,
        expected: usize,
    },
    /// The same name or e-mail as an earlier line of the file.
    SameAsLine {
        column: String,
        line: u64,
    },
    /// The same name or e-mail as a row of another file of the import.
    SameAs {
        column: String,
        file: String,
        line: u64,
    },
    /// The organization matched belongs to the other kind.
    OtherKind {
        kind: OrgKind,
        name: String,
        file_kind: OrgKind,
    },
    /// The organization matched is updated by another row already.
    UpdatedTwice {
        name: String,
        file: String,
        line: u64,
    },
}

/// How many kinds of issue there are (a test checks that each has a sample).
#[cfg(test)]
const ISSUE_VARIANTS: usize = 65;

/// An organization's kind as a language names it.
pub fn kind_label(kind: OrgKind, language: Language) -> &'static str {
    crate::i18n::text(language, &format!("org-kind.{}", kind.as_str())).unwrap_or(kind.as_str())
}

impl Issue {
    /// The stable code: `too-long`, `unknown-term`.
    pub fn code(&self) -> &'static str {
        match self {
            Issue::Empty => "empty",
            Issue::TooShort { .. } => "too-short",
            Issue::TooLong { .. } => "too-long",
            Issue::ControlCharacters => "control-characters",
            Issue::OnlySpaces => "only-spaces",
            Issue::NotWholeNumber { .. } => "not-whole-number",
            Issue::NotNumber { .. } => "not-number",
            Issue::Negative { .. } => "negative",
            Issue::NotPositive { .. } => "not-positive",
            Issue::TooSmall { .. } => "too-small",
            Issue::TooLarge { .. } => "too-large",
            Issue::InFuture { .. } => "in-future",
            Issue::OutOfRange { .. } => "out-of-range",
            Issue::NotEmail { .. } => "not-email",
            Issue::NotWebAddress { .. } => "not-web-address",
            Issue::NotCountry { .. } => "not-country",
            Issue::NotCurrency { .. } => "not-currency",
            Issue::NoRate { .. } => "no-rate",
            Issue::CurrencyNeeded => "currency-needed",
            Issue::NotKind { .. } => "not-kind",
            Issue::UnknownTerm { .. } => "unknown-term",
            Issue::NoSector => "no-sector",
            Issue::TooManySectors { .. } => "too-many-sectors",
            Issue::NoStage => "no-stage",
            Issue::ExceedsTicketMax { .. } => "exceeds-ticket-max",
            Issue::GivenWithTicketMin => "given-with-ticket-min",
            Issue::GivenWithTicketMax => "given-with-ticket-max",
            Issue::NotPhone { .. } => "not-phone",
            Issue::CommonPassword => "common-password",
            Issue::PasswordIsEmail => "password-is-email",
            Issue::NotYourPassword => "not-your-password",
            Issue::NotYourCurrentPassword => "not-your-current-password",
            Issue::NotTheOrganizationsName => "not-the-organizations-name",
            Issue::NotForKind { .. } => "not-for-kind",
            Issue::KindFixed { .. } => "kind-fixed",
            Issue::NotEventSlug { .. } => "not-event-slug",
            Issue::NotTimeZone { .. } => "not-time-zone",
            Issue::NotDate { .. } => "not-date",
            Issue::NotTime { .. } => "not-time",
            Issue::NotId { .. } => "not-id",
            Issue::EndsBeforeStart => "ends-before-start",
            Issue::AmountWithoutDeal => "amount-without-deal",
            Issue::Overlaps { .. } => "overlaps",
            Issue::NoSlot => "no-slot",
            Issue::NotPriority { .. } => "not-priority",
            Issue::NotOneOf { .. } => "not-one-of",
            Issue::NotSlot { .. } => "not-slot",
            Issue::ZeroLimit => "zero-limit",
            Issue::StartupSideWeightless => "startup-side-weightless",
            Issue::InvestorSideWeightless => "investor-side-weightless",
            Issue::NoFile => "no-file",
            Issue::UnknownParameter { .. } => "unknown-parameter",
            Issue::Repeated => "repeated",
            Issue::EmptyFile { .. } => "empty-file",
            Issue::UnreadableCsv { .. } => "unreadable-csv",
            Issue::NoHeader => "no-header",
            Issue::NotUtf8 => "not-utf8",
            Issue::ColumnTwice => "column-twice",
            Issue::UnknownColumn { .. } => "unknown-column",
            Issue::MissingColumn => "missing-column",
            Issue::CellCount { .. } => "cell-count",
            Issue::SameAsLine { .. } => "same-as-line",
            Issue::SameAs { .. } => "same-as",
            Issue::OtherKind { .. } => "other-kind",
            Issue::UpdatedTwice { .. } => "updated-twice",
        }
    }

    /// One issue of each kind, for tests that every language writes every issue.
    pub fn samples() -> Vec<Issue> {
        let text = |value: &str| value.to_owned();
        vec![
            Issue::Empty,
            Issue::TooShort { min: 8, got: 3 },
            Issue::TooLong { max: 120, got: 130 },
            Issue::ControlCharacters,
            Issue::OnlySpaces,
            Issue::NotWholeNumber { value: text("lots") },
            Issue::NotNumber { value: text("abc") },
            Issue::Negative { got: -5 },
            Issue::NotPositive { got: -50_000 },
            Issue::TooSmall { min: 1, got: 0 },
            Issue::TooLarge { max: 100, got: 1000 },
            Issue::InFuture { max: 2026, got: 2999 },
            Issue::OutOfRange { min: text("0"), max: text("10"), got: text("11") },
            Issue::NotEmail { value: text("x") },
            Issue::NotWebAddress { value: text("x") },
            Issue::NotCountry { value: text("Vietnam") },
            Issue::NotCurrency { value: text("dong") },
            Issue::NoRate { currency: text("THB"), known: vec![text("USD"), text("VND")] },
            Issue::CurrencyNeeded,
            Issue::NotKind { value: text("bank") },
            Issue::UnknownTerm { term: Term::Sector, value: text("fintek"), suggestion: Some(text("fintech")) },
            Issue::UnknownTerm { term: Term::InvestorType, value: text("quantum"), suggestion: None },
            Issue::NoSector,
            Issue::TooManySectors { max: 5, got: 6 },
            Issue::NoStage,
            Issue::ExceedsTicketMax { min: 900, max: 100 },
            Issue::GivenWithTicketMin,
            Issue::GivenWithTicketMax,
            Issue::NotPhone { max: 40 },
            Issue::CommonPassword,
            Issue::PasswordIsEmail,
            Issue::NotYourPassword,
            Issue::NotYourCurrentPassword,
            Issue::NotTheOrganizationsName,
            Issue::NotForKind { kind: OrgKind::Investor },
            Issue::KindFixed { kind: OrgKind::Startup },
            Issue::NotEventSlug { value: text("Techfest 2023") },
            Issue::NotTimeZone { value: text("Hanoi") },
            Issue::NotDate { value: text("24/11") },
            Issue::NotTime { value: text("9h") },
            Issue::NotId { value: text("abc") },
            Issue::EndsBeforeStart,
            Issue::AmountWithoutDeal,
            Issue::Overlaps { other: text("Ngày 1 – sáng") },
            Issue::NoSlot,
            Issue::NotPriority { got: text("7") },
            Issue::NotOneOf { value: text("maybe"), allowed: vec![text("inbox"), text("outbox")] },
            Issue::NotSlot { value: text("d9-0900") },
            Issue::ZeroLimit,
            Issue::StartupSideWeightless,
            Issue::InvestorSideWeightless,
            Issue::NoFile,
            Issue::UnknownParameter { name: text("sort"), allowed: vec![text("q"), text("limit")] },
            Issue::Repeated,
            Issue::EmptyFile { header: text("name,sectors") },
            Issue::UnreadableCsv { detail: text("found record with 3 fields") },
            Issue::NoHeader,
            Issue::NotUtf8,
            Issue::ColumnTwice,
            Issue::UnknownColumn { suggestion: Some(text("sectors")), expected: text("name,sectors") },
            Issue::UnknownColumn { suggestion: None, expected: text("name,sectors") },
            Issue::MissingColumn,
            Issue::CellCount { got: 3, expected: 12 },
            Issue::SameAsLine { column: text("email"), line: 2 },
            Issue::SameAs { column: text("name"), file: text("startups.csv"), line: 4 },
            Issue::OtherKind {
                kind: OrgKind::Investor,
                name: text("Sen and Lotus Ventures"),
                file_kind: OrgKind::Startup,
            },
            Issue::UpdatedTwice { name: text("Cảng Số"), file: text("startups.csv"), line: 7 },
        ]
    }
}

impl Message for Issue {
    fn namespace(&self) -> &'static str {
        "issue"
    }

    fn key(&self) -> &'static str {
        match self {
            Issue::UnknownTerm { suggestion: Some(_), .. } => "unknown-term.suggestion",
            Issue::UnknownColumn { suggestion: Some(_), .. } => "unknown-column.suggestion",
            other => other.code(),
        }
    }

    fn args(&self, language: Language) -> Args {
        let join = |items: &[String]| items.join(", ");
        match self {
            Issue::Empty
            | Issue::ControlCharacters
            | Issue::OnlySpaces
            | Issue::CurrencyNeeded
            | Issue::NoSector
            | Issue::NoStage
            | Issue::GivenWithTicketMin
            | Issue::GivenWithTicketMax
            | Issue::CommonPassword
            | Issue::PasswordIsEmail
            | Issue::NotYourPassword
            | Issue::NotYourCurrentPassword
            | Issue::NotTheOrganizationsName
            | Issue::EndsBeforeStart
            | Issue::AmountWithoutDeal
            | Issue::NoSlot
            | Issue::ZeroLimit
            | Issue::StartupSideWeightless
            | Issue::InvestorSideWeightless
            | Issue::NoFile
            | Issue::Repeated
            | Issue::NoHeader
            | Issue::NotUtf8
            | Issue::ColumnTwice
            | Issue::MissingColumn => Vec::new(),
            Issue::TooShort { min, got } => vec![("min", min.to_string()), ("got", got.to_string())],
            Issue::TooLong { max, got } | Issue::TooManySectors { max, got } => {
                vec![("max", max.to_string()), ("got", got.to_string())]
            }
            Issue::NotWholeNumber { value }
            | Issue::NotNumber { value }
            | Issue::NotEmail { value }
            | Issue::NotWebAddress { value }
            | Issue::NotCountry { value }
            | Issue::NotCurrency { value }
            | Issue::NotKind { value }
            | Issue::NotEventSlug { value }
            | Issue::NotTimeZone { value }
            | Issue::NotDate { value }
            | Issue::NotTime { value }
            | Issue::NotId { value }
            | Issue::NotSlot { value } => vec![("value", quoted(value))],
            Issue::Negative { got } | Issue::NotPositive { got } => vec![("got", got.to_string())],
            Issue::TooSmall { min, got } => vec![("min", min.to_string()), ("got", got.to_string())],
            Issue::TooLarge { max, got } | Issue::InFuture { max, got } => {
                vec![("max", max.to_string()), ("got", got.to_string())]
            }
            Issue::OutOfRange { min, max, got } => {
                vec![("min", min.clone()), ("max", max.clone()), ("got", got.clone())]
            }
            Issue::NoRate { currency, known } => vec![("currency", currency.clone()), ("known", join(known))],
            Issue::UnknownTerm { term, value, suggestion } => vec![
                ("term", term.label(language).to_owned()),
                ("value", quoted(value)),
                ("suggestion", suggestion.as_deref().map(quoted).unwrap_or_default()),
            ],
            Issue::ExceedsTicketMax { min, max } => vec![("min", min.to_string()), ("max", max.to_string())],
            Issue::NotPhone { max } => vec![("max", max.to_string())],
            Issue::NotForKind { kind } | Issue::KindFixed { kind } => {
                vec![("kind", kind_label(*kind, language).to_owned())]
            }
            Issue::Overlaps { other } => vec![("other", quoted(other))],
            Issue::NotPriority { got } => vec![("got", got.clone())],
            Issue::NotOneOf { value, allowed } => vec![("value", quoted(value)), ("allowed", join(allowed))],
            Issue::UnknownParameter { name, allowed } => vec![("name", quoted(name)), ("allowed", join(allowed))],
            Issue::EmptyFile { header } => vec![("header", header.clone())],
            Issue::UnreadableCsv { detail } => vec![("detail", detail.clone())],
            Issue::UnknownColumn { suggestion, expected } => vec![
                ("suggestion", suggestion.as_deref().map(quoted).unwrap_or_default()),
                ("expected", expected.clone()),
            ],
            Issue::CellCount { got, expected } => vec![("got", got.to_string()), ("expected", expected.to_string())],
            Issue::SameAsLine { column, line } => vec![("column", column.clone()), ("line", line.to_string())],
            Issue::SameAs { column, file, line } => {
                vec![("column", column.clone()), ("file", file.clone()), ("line", line.to_string())]
            }
            Issue::OtherKind { kind, name, file_kind } => vec![
                ("kind", kind_label(*kind, language).to_owned()),
                ("name", quoted(name)),
                ("file_kind", kind_label(*file_kind, language).to_owned()),
            ],
            Issue::UpdatedTwice { name, file, line } => {
                vec![("name", quoted(name)), ("file", file.clone()), ("line", line.to_string())]
            }
        }
    }
}

impl fmt::Display for Issue {
    /// In English, for logs, the command line and the API's `detail`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text(Language::En))
    }
}

impl std::error::Error for Issue {}

/// One invalid field: its name as the user sent it (CSV column, JSON key or path such as
/// `sessions[1].date`, query parameter) and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: String,
    #[serde(flatten)]
    pub issue: Issue,
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
            write!(f, "{}: {}", error.field, error.issue)?;
        }
        Ok(())
    }
}

impl ValidationErrors {
    pub fn single(field: impl Into<String>, issue: Issue) -> Self {
        ValidationErrors(vec![FieldError { field: field.into(), issue }])
    }

    pub fn add(&mut self, field: impl Into<String>, issue: Issue) {
        self.0.push(FieldError { field: field.into(), issue });
    }

    /// Keeps the value when it is valid, records the issue under `field` otherwise.
    pub fn check<T, E: Into<Issue>>(&mut self, field: impl Into<String>, result: Result<T, E>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(issue) => {
                self.add(field, issue.into());
                None
            }
        }
    }

    /// Whether `field` has an issue already.
    pub fn has(&self, field: &str) -> bool {
        self.0.iter().any(|error| error.field == field)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// These errors, then `inner`'s with their fields named `prefix.field`.
    pub fn nested(mut self, prefix: &str, inner: ValidationErrors) -> Self {
        self.0
            .extend(inner.0.into_iter().map(|e| FieldError { field: format!("{prefix}.{}", e.field), issue: e.issue }));
        self
    }

    /// `Ok(value)` when nothing was recorded.
    pub fn into_result<T>(self, value: impl FnOnce() -> T) -> Result<T, ValidationErrors> {
        if self.0.is_empty() { Ok(value()) } else { Err(self) }
    }
}

/// Trims `input` and checks its length in characters is within `min..=max`.
pub fn text(input: &str, min: usize, max: usize) -> Result<String, Issue> {
    let trimmed = input.trim();
    let length = trimmed.chars().count();
    if length < min {
        return Err(if min == 1 { Issue::Empty } else { Issue::TooShort { min, got: length } });
    }
    if length > max {
        return Err(Issue::TooLong { max, got: length });
    }
    if trimmed.chars().any(|c| c.is_control() && c != '\n' && c != '\t' && c != '\r') {
        return Err(Issue::ControlCharacters);
    }
    Ok(trimmed.to_owned())
}

/// Parses a whole number within `min..=max`, naming what was wrong with the text.
pub fn whole_number(input: &str, min: i64, max: i64) -> Result<i64, Issue> {
    let trimmed = input.trim();
    let number: i64 = trimmed.parse().map_err(|_| {
        if trimmed.is_empty() { Issue::Empty } else { Issue::NotWholeNumber { value: trimmed.to_owned() } }
    })?;
    if number < min {
        return Err(match min {
            0 => Issue::Negative { got: number },
            1 => Issue::NotPositive { got: number },
            _ => Issue::TooSmall { min, got: number },
        });
    }
    if number > max {
        return Err(Issue::TooLarge { max, got: number });
    }
    Ok(number)
}

/// A plausible e-mail address, stored lower-cased.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

impl Email {
    pub fn parse(input: &str) -> Result<Self, Issue> {
        let trimmed = input.trim();
        let invalid = || Issue::NotEmail { value: trimmed.to_owned() };
        if trimmed.len() > 254 {
            return Err(Issue::TooLong { max: 254, got: trimmed.chars().count() });
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
    type Error = Issue;
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
    pub fn parse(input: &str) -> Result<Self, Issue> {
        let trimmed = input.trim();
        let invalid = || Issue::NotWebAddress { value: trimmed.to_owned() };
        if trimmed.len() > 300 {
            return Err(Issue::TooLong { max: 300, got: trimmed.chars().count() });
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
    type Error = Issue;
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

    pub fn parse(input: &str) -> Result<Self, Issue> {
        let code = input.trim().to_ascii_uppercase();
        match code.as_bytes() {
            [a, b] if ISO_3166_ALPHA_2.split(' ').any(|known| known == code) => Ok(Country([*a, *b])),
            _ => Err(Issue::NotCountry { value: input.trim().to_owned() }),
        }
    }

    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or("??")
    }
}

impl TryFrom<String> for Country {
    type Error = Issue;
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
    fn every_issue_reads_in_every_language() {
        let mut codes = std::collections::HashSet::new();
        for issue in Issue::samples() {
            codes.insert(issue.code());
            let key = issue.key();
            assert!(crate::i18n::has(&format!("issue.{key}")), "{key} is not in the catalogue");
            for language in Language::ALL {
                let text = issue.text(language);
                assert!(!text.contains('{'), "{key} in {language:?} leaves a placeholder: {text}");
            }
            let json = serde_json::to_value(&issue).expect("json");
            assert_eq!(json["code"], issue.code());
        }
        // Every variant has a sample: the count of codes matches the count of variants.
        assert_eq!(codes.len(), ISSUE_VARIANTS, "an issue has no sample");
        let sen = Issue::OtherKind {
            kind: OrgKind::Investor,
            name: "Sen and Lotus Ventures".into(),
            file_kind: OrgKind::Startup,
        };
        assert!(sen.text(Language::Vi).contains("\"Sen and Lotus Ventures\""), "{}", sen.text(Language::Vi));
    }

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
        let english = |result: Result<i64, Issue>| result.map_err(|issue| issue.to_string());
        assert_eq!(english(whole_number("-5", 0, 10)), Err("must not be negative, got -5".to_owned()));
        assert_eq!(english(whole_number("-50000", 1, 10)), Err("must be greater than 0, got -50000".to_owned()));
        assert_eq!(english(whole_number("abc", 0, 10)), Err("\"abc\" is not a whole number".to_owned()));
        assert_eq!(english(whole_number("1.5", 0, 10)), Err("\"1.5\" is not a whole number".to_owned()));
        assert_eq!(english(whole_number("11", 0, 10)), Err("must be at most 10, got 11".to_owned()));
        assert_eq!(whole_number(" 7 ", 0, 10), Ok(7));
    }

    #[test]
    fn text_lengths() {
        assert_eq!(text("  ", 1, 5), Err(Issue::Empty));
        assert_eq!(text("ab", 3, 5), Err(Issue::TooShort { min: 3, got: 2 }));
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
