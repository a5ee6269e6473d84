//! Organizations' profiles: startups and investors, built only from validated input.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::money::{Currency, Money, Rates};
use crate::taxonomy::{InvestorType, Sector, Stage};
use crate::validate::{self, Country, Email, Issue, ValidationErrors, WebUrl, list_items};

/// Whether an organization raises money or invests it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OrgKind {
    Startup,
    Investor,
}

impl OrgKind {
    pub fn as_str(self) -> &'static str {
        match self {
            OrgKind::Startup => "startup",
            OrgKind::Investor => "investor",
        }
    }

    pub fn parse(input: &str) -> Result<Self, Issue> {
        match input.trim().to_ascii_lowercase().as_str() {
            "startup" => Ok(OrgKind::Startup),
            "investor" => Ok(OrgKind::Investor),
            other => Err(Issue::NotKind { value: other.to_owned() }),
        }
    }

    /// The kind an organization of this kind meets.
    pub fn counterpart(self) -> OrgKind {
        match self {
            OrgKind::Startup => OrgKind::Investor,
            OrgKind::Investor => OrgKind::Startup,
        }
    }
}

impl fmt::Display for OrgKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Limits on profile fields, shared by validation and documentation.
pub mod limits {
    pub const NAME_MAX: usize = 120;
    pub const PROVINCE_MAX: usize = 100;
    pub const LONG_TEXT_MAX: usize = 5_000;
    pub const SECTORS_MAX: usize = 5;
    pub const AMOUNT_MAX: i64 = 1_000_000_000_000_000;
    pub const TEAM_SIZE_MAX: i64 = 1_000_000;
    pub const FOUNDED_MIN: i64 = 1900;
}

/// An investor's ticket: the range of one investment, in one currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ticket {
    pub min: i64,
    pub max: i64,
    pub currency: Currency,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StartupDetails {
    pub stage: Stage,
    pub funding_ask: Option<Money>,
    pub founded: Option<i16>,
    pub team_size: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvestorDetails {
    pub investor_type: InvestorType,
    pub stages: Vec<Stage>,
    pub ticket: Option<Ticket>,
    pub countries: Vec<Country>,
    pub thesis: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Details {
    Startup(StartupDetails),
    Investor(InvestorDetails),
}

/// A validated organization profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    pub name: String,
    pub sectors: Vec<Sector>,
    pub country: Option<Country>,
    pub province: String,
    pub website: Option<WebUrl>,
    pub email: Option<Email>,
    pub description: String,
    pub details: Details,
}

/// One field a new version of a profile changes, by its CSV column, with both values as a CSV
/// would hold them (empty for none).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldChange {
    pub field: &'static str,
    pub before: String,
    pub after: String,
}

impl Profile {
    /// The fields, by CSV column, with their values as a CSV would hold them.
    fn columns(&self) -> Vec<(&'static str, String)> {
        fn list<T>(items: &[T], code: impl Fn(&T) -> String) -> String {
            items.iter().map(code).collect::<Vec<_>>().join(";")
        }
        let money =
            |m: Option<&crate::money::Money>| m.map(|m| format!("{} {}", m.amount, m.currency)).unwrap_or_default();
        let mut columns = vec![
            ("name", self.name.clone()),
            ("sectors", list(&self.sectors, |s| s.code().to_owned())),
            ("country", self.country.as_ref().map(|c| c.to_string()).unwrap_or_default()),
            ("province", self.province.clone()),
            ("website", self.website.as_ref().map(|w| w.as_str().to_owned()).unwrap_or_default()),
            ("email", self.email.as_ref().map(|e| e.to_string()).unwrap_or_default()),
        ];
        match &self.details {
            Details::Startup(d) => columns.extend([
                ("description", self.description.clone()),
                ("stage", d.stage.code().to_owned()),
                ("funding_ask", money(d.funding_ask.as_ref())),
                ("founded", d.founded.map(|y| y.to_string()).unwrap_or_default()),
                ("team_size", d.team_size.map(|n| n.to_string()).unwrap_or_default()),
            ]),
            Details::Investor(d) => columns.extend([
                ("investor_type", d.investor_type.code().to_owned()),
                ("stages", list(&d.stages, |s| s.code().to_owned())),
                ("ticket", d.ticket.map(|t| format!("{}–{} {}", t.min, t.max, t.currency)).unwrap_or_default()),
                ("countries", list(&d.countries, |c| c.to_string())),
                ("thesis", d.thesis.clone()),
            ]),
        }
        columns
    }

    /// This profile with `current`'s values for the CSV columns in `absent`: what an import
    /// file that leaves those columns out means for a record that exists.
    pub fn keeping(mut self, current: &Profile, absent: &[&str]) -> Profile {
        for column in absent {
            match *column {
                "country" => self.country = current.country,
                "province" => self.province = current.province.clone(),
                "website" => self.website = current.website.clone(),
                "email" => self.email = current.email.clone(),
                "description" => self.description = current.description.clone(),
                _ => {}
            }
            match (&mut self.details, &current.details) {
                (Details::Startup(new), Details::Startup(old)) => match *column {
                    "funding_ask" | "currency" => new.funding_ask = old.funding_ask,
                    "founded" => new.founded = old.founded,
                    "team_size" => new.team_size = old.team_size,
                    _ => {}
                },
                (Details::Investor(new), Details::Investor(old)) => match *column {
                    "ticket_min" | "ticket_max" | "currency" => new.ticket = old.ticket,
                    "countries" => new.countries = old.countries.clone(),
                    "thesis" => new.thesis = old.thesis.clone(),
                    _ => {}
                },
                _ => {}
            }
        }
        self
    }

    /// What `new` changes of this profile, field by field, in CSV column order.
    pub fn changes(&self, new: &Profile) -> Vec<FieldChange> {
        let before = self.columns();
        new.columns()
            .into_iter()
            .filter_map(|(field, after)| {
                let old = before.iter().find(|(f, _)| *f == field).map(|(_, v)| v.clone()).unwrap_or_default();
                (old != after).then_some(FieldChange { field, before: old, after })
            })
            .collect()
    }

    pub fn kind(&self) -> OrgKind {
        match self.details {
            Details::Startup(_) => OrgKind::Startup,
            Details::Investor(_) => OrgKind::Investor,
        }
    }
}

/// What validation needs to know beyond the input: the current year (the domain reads no
/// clock) and, when known, the event's conversion rates, so that a currency the event cannot
/// convert is refused at input time rather than silently scored as zero later.
#[derive(Debug, Clone, Copy)]
pub struct ValidationContext<'a> {
    pub current_year: i16,
    pub rates: Option<&'a Rates>,
}

/// A startup as typed by a user or read from a CSV row: every field as text, named like the
/// CSV columns.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct StartupInput {
    pub name: String,
    pub sectors: String,
    pub stage: String,
    pub country: String,
    pub province: String,
    pub funding_ask: String,
    pub currency: String,
    pub founded: String,
    pub team_size: String,
    pub website: String,
    pub email: String,
    pub description: String,
}

/// An investor as typed by a user or read from a CSV row, named like the CSV columns.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct InvestorInput {
    pub name: String,
    pub investor_type: String,
    pub sectors: String,
    pub stages: String,
    pub ticket_min: String,
    pub ticket_max: String,
    pub currency: String,
    pub countries: String,
    pub website: String,
    pub email: String,
    pub thesis: String,
}

fn optional<T>(cell: &str, parse: impl FnOnce(&str) -> Result<T, Issue>) -> Result<Option<T>, Issue> {
    if cell.trim().is_empty() { Ok(None) } else { parse(cell).map(Some) }
}

/// Parses a `;`-separated cell, dropping repeated items and recording bad ones under `field`.
fn parse_list<T: PartialEq, E: Into<Issue>>(
    errors: &mut ValidationErrors,
    field: &'static str,
    cell: &str,
    parse: impl Fn(&str) -> Result<T, E>,
) -> Vec<T> {
    let mut parsed = Vec::new();
    for item in list_items(cell) {
        if let Some(value) = errors.check(field, parse(item))
            && !parsed.contains(&value)
        {
            parsed.push(value);
        }
    }
    parsed
}

fn sectors(errors: &mut ValidationErrors, cell: &str) -> Vec<Sector> {
    let parsed = parse_list(errors, "sectors", cell, Sector::parse);
    if parsed.is_empty() && !errors.has("sectors") {
        errors.add("sectors", Issue::NoSector);
    }
    if parsed.len() > limits::SECTORS_MAX {
        errors.add("sectors", Issue::TooManySectors { max: limits::SECTORS_MAX, got: parsed.len() });
    }
    parsed
}

fn currency(
    errors: &mut ValidationErrors,
    context: &ValidationContext<'_>,
    cell: &str,
    needed: bool,
) -> Option<Currency> {
    if cell.trim().is_empty() {
        if needed {
            errors.add("currency", Issue::CurrencyNeeded);
        }
        return None;
    }
    let currency = errors.check("currency", Currency::parse(cell))?;
    if let Some(rates) = context.rates
        && !rates.knows(currency)
    {
        let known: Vec<String> = rates.iter().map(|(c, _)| c.to_string()).collect();
        errors.add("currency", Issue::NoRate { currency: currency.to_string(), known });
        return None;
    }
    Some(currency)
}

fn common_text(errors: &mut ValidationErrors, field: &'static str, cell: &str, max: usize) -> String {
    errors.check(field, validate::text(cell, 0, max)).unwrap_or_default()
}

impl StartupInput {
    pub fn validate(&self, context: &ValidationContext<'_>) -> Result<Profile, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let name = errors.check("name", validate::text(&self.name, 1, limits::NAME_MAX));
        let sectors = sectors(&mut errors, &self.sectors);
        let stage = if self.stage.trim().is_empty() {
            errors.add("stage", Issue::Empty);
            None
        } else {
            errors.check("stage", Stage::parse(&self.stage))
        };
        let country = errors.check("country", optional(&self.country, Country::parse)).flatten();
        let province = common_text(&mut errors, "province", &self.province, limits::PROVINCE_MAX);
        let ask = errors
            .check("funding_ask", optional(&self.funding_ask, |c| validate::whole_number(c, 1, limits::AMOUNT_MAX)))
            .flatten();
        let currency = currency(&mut errors, context, &self.currency, ask.is_some());
        let year_now = i64::from(context.current_year);
        let founded = errors
            .check(
                "founded",
                optional(&self.founded, |c| {
                    validate::whole_number(c, limits::FOUNDED_MIN, year_now).map_err(|issue| match issue {
                        Issue::TooLarge { max, got } => Issue::InFuture { max, got },
                        other => other,
                    })
                }),
            )
            .flatten();
        let team_size = errors
            .check("team_size", optional(&self.team_size, |c| validate::whole_number(c, 1, limits::TEAM_SIZE_MAX)))
            .flatten();
        let website = errors.check("website", optional(&self.website, WebUrl::parse)).flatten();
        let email = errors.check("email", optional(&self.email, Email::parse)).flatten();
        let description = common_text(&mut errors, "description", &self.description, limits::LONG_TEXT_MAX);
        match (name, stage) {
            (Some(name), Some(stage)) if errors.is_empty() => Ok(Profile {
                name,
                sectors,
                country,
                province,
                website,
                email,
                description,
                details: Details::Startup(StartupDetails {
                    stage,
                    funding_ask: ask.zip(currency).map(|(amount, currency)| Money::new(amount, currency)),
                    founded: founded.and_then(|y| i16::try_from(y).ok()),
                    team_size: team_size.and_then(|t| u32::try_from(t).ok()),
                }),
            }),
            _ => Err(errors),
        }
    }
}

impl InvestorInput {
    pub fn validate(&self, context: &ValidationContext<'_>) -> Result<Profile, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let name = errors.check("name", validate::text(&self.name, 1, limits::NAME_MAX));
        let investor_type = if self.investor_type.trim().is_empty() {
            errors.add("investor_type", Issue::Empty);
            None
        } else {
            errors.check("investor_type", InvestorType::parse(&self.investor_type))
        };
        let sectors = sectors(&mut errors, &self.sectors);
        let mut stages = parse_list(&mut errors, "stages", &self.stages, Stage::parse);
        stages.sort();
        if stages.is_empty() && !errors.has("stages") {
            errors.add("stages", Issue::NoStage);
        }
        let amount = |c: &str| validate::whole_number(c, 1, limits::AMOUNT_MAX);
        let min = errors.check("ticket_min", optional(&self.ticket_min, amount)).flatten();
        let max = errors.check("ticket_max", optional(&self.ticket_max, amount)).flatten();
        match (min, max) {
            (Some(min), Some(max)) if min > max => {
                errors.add("ticket_min", Issue::ExceedsTicketMax { min, max });
            }
            (Some(_), None) if self.ticket_max.trim().is_empty() => errors.add("ticket_max", Issue::GivenWithTicketMin),
            (None, Some(_)) if self.ticket_min.trim().is_empty() => errors.add("ticket_min", Issue::GivenWithTicketMax),
            _ => {}
        }
        let currency = currency(&mut errors, context, &self.currency, min.is_some() || max.is_some());
        let countries = parse_list(&mut errors, "countries", &self.countries, Country::parse);
        let website = errors.check("website", optional(&self.website, WebUrl::parse)).flatten();
        let email = errors.check("email", optional(&self.email, Email::parse)).flatten();
        let thesis = common_text(&mut errors, "thesis", &self.thesis, limits::LONG_TEXT_MAX);
        match (name, investor_type) {
            (Some(name), Some(investor_type)) if errors.is_empty() => Ok(Profile {
                name,
                sectors,
                country: None,
                province: String::new(),
                website,
                email,
                description: String::new(),
                details: Details::Investor(InvestorDetails {
                    investor_type,
                    stages,
                    ticket: min.zip(max).zip(currency).map(|((min, max), currency)| Ticket { min, max, currency }),
                    countries,
                    thesis,
                }),
            }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn context(rates: &Rates) -> ValidationContext<'_> {
        ValidationContext { current_year: 2026, rates: Some(rates) }
    }

    fn startup() -> StartupInput {
        StartupInput {
            name: "Cảng Số".into(),
            sectors: "logistics; Kinh tế biển".into(),
            stage: "seed".into(),
            country: "vn".into(),
            province: "Hải Phòng".into(),
            funding_ask: "500000000".into(),
            currency: "VND".into(),
            founded: "2021".into(),
            team_size: "12".into(),
            website: "cangso.vn".into(),
            email: "contact@cangso.vn".into(),
            description: "Nền tảng số cho cảng Hải Phòng.".into(),
        }
    }

    fn investor() -> InvestorInput {
        InvestorInput {
            name: "Han River Ventures".into(),
            investor_type: "VC".into(),
            sectors: "logistics;ai".into(),
            stages: "series-a;seed".into(),
            ticket_min: "100000".into(),
            ticket_max: "1000000".into(),
            currency: "usd".into(),
            countries: "VN;KR".into(),
            website: "https://hanriver.example.kr".into(),
            email: "deals@hanriver.kr".into(),
            thesis: "Seed to series A logistics.".into(),
        }
    }

    fn fields(errors: ValidationErrors) -> Vec<String> {
        errors.0.into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn valid_startup() {
        let rates = Rates::vietnam_default();
        let profile = startup().validate(&context(&rates)).unwrap();
        assert_eq!(profile.kind(), OrgKind::Startup);
        assert_eq!(profile.sectors, vec![Sector::Logistics, Sector::Maritime]);
        assert_eq!(profile.country, Some(Country::VN));
        assert_eq!(profile.website.unwrap().as_str(), "https://cangso.vn");
        let Details::Startup(details) = profile.details else { panic!("startup") };
        assert_eq!(details.funding_ask, Some(Money::new(500_000_000, Currency::VND)));
    }

    #[test]
    fn valid_investor_sorts_stages() {
        let rates = Rates::vietnam_default();
        let profile = investor().validate(&context(&rates)).unwrap();
        let Details::Investor(details) = profile.details else { panic!("investor") };
        assert_eq!(details.stages, vec![Stage::Seed, Stage::SeriesA]);
        assert_eq!(details.ticket, Some(Ticket { min: 100_000, max: 1_000_000, currency: Currency::USD }));
    }

    #[test]
    fn each_startup_error_names_its_field() {
        let rates = Rates::vietnam_default();
        type Change = fn(&mut StartupInput);
        let cases: [(Change, &str); 11] = [
            (|s| s.name = " ".into(), "name"),
            (|s| s.sectors = "fintek".into(), "sectors"),
            (|s| s.sectors = "".into(), "sectors"),
            (|s| s.stage = "series z".into(), "stage"),
            (|s| s.country = "Vietnam".into(), "country"),
            (|s| s.funding_ask = "-5".into(), "funding_ask"),
            (|s| s.funding_ask = "lots".into(), "funding_ask"),
            (|s| s.currency = "THB".into(), "currency"),
            (|s| s.founded = "2030".into(), "founded"),
            (|s| s.email = "contact at cangso".into(), "email"),
            (|s| s.website = "ftp://x.vn".into(), "website"),
        ];
        for (change, field) in cases {
            let mut input = startup();
            change(&mut input);
            assert_eq!(fields(input.validate(&context(&rates)).unwrap_err()), vec![field], "{input:?}");
        }
    }

    #[test]
    fn future_founding_year_says_so() {
        let rates = Rates::vietnam_default();
        let mut input = startup();
        input.founded = "2099".into();
        let errors = input.validate(&context(&rates)).unwrap_err();
        assert_eq!(errors.0[0].issue, Issue::InFuture { max: 2026, got: 2099 }, "{errors}");
    }

    #[test]
    fn ticket_min_above_max_is_refused() {
        let rates = Rates::vietnam_default();
        let mut input = investor();
        input.ticket_min = "2000000".into();
        let errors = input.validate(&context(&rates)).unwrap_err();
        assert_eq!(fields(errors.clone()), vec!["ticket_min"]);
        assert_eq!(errors.0[0].issue.to_string(), "must not exceed ticket_max (2000000 > 1000000)");
    }

    #[test]
    fn amount_without_currency_is_refused() {
        let rates = Rates::vietnam_default();
        let mut input = investor();
        input.currency = String::new();
        assert_eq!(fields(input.validate(&context(&rates)).unwrap_err()), vec!["currency"]);
    }

    #[test]
    fn reports_every_bad_field_at_once() {
        let rates = Rates::vietnam_default();
        let mut input = investor();
        input.investor_type = "hedge".into();
        input.stages = "".into();
        input.countries = "VN;Korea".into();
        assert_eq!(fields(input.validate(&context(&rates)).unwrap_err()), vec!["investor_type", "stages", "countries"]);
    }

    proptest! {
        #[test]
        fn ticket_order_decides_validity(min in 0i64..10_000_000, max in 0i64..10_000_000) {
            let rates = Rates::vietnam_default();
            let mut input = investor();
            input.ticket_min = min.to_string();
            input.ticket_max = max.to_string();
            prop_assert_eq!(input.validate(&context(&rates)).is_ok(), min <= max);
        }

        #[test]
        fn founded_year_valid_only_up_to_now(year in 1800i64..2100) {
            let rates = Rates::vietnam_default();
            let mut input = startup();
            input.founded = year.to_string();
            prop_assert_eq!(input.validate(&context(&rates)).is_ok(), (1900..=2026).contains(&year));
        }

        #[test]
        fn validation_never_panics(name in "\\PC{0,200}", sectors in "\\PC{0,40}", ask in "\\PC{0,20}") {
            let rates = Rates::vietnam_default();
            let mut input = startup();
            input.name = name;
            input.sectors = sectors;
            input.funding_ask = ask;
            let _ = input.validate(&context(&rates));
        }
    }
}
