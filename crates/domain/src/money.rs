//! Money as a whole amount in an ISO 4217 currency, and an event's conversion rates.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

/// An ISO 4217 currency code: three upper-case ASCII letters (`VND`, `USD`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Currency([u8; 3]);

/// Why a text is not a currency code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", crate::validate::Issue::from(self.clone()))]
pub struct InvalidCurrency(pub String);

impl From<InvalidCurrency> for crate::validate::Issue {
    fn from(invalid: InvalidCurrency) -> Self {
        crate::validate::Issue::NotCurrency { value: invalid.0 }
    }
}

impl Currency {
    pub const USD: Currency = Currency(*b"USD");
    pub const VND: Currency = Currency(*b"VND");

    /// Parses a three-letter code, in any case (`vnd` → `VND`).
    pub fn parse(input: &str) -> Result<Self, InvalidCurrency> {
        let trimmed = input.trim();
        match trimmed.as_bytes() {
            [a, b, c] if [a, b, c].iter().all(|byte| byte.is_ascii_alphabetic()) => {
                Ok(Currency([a.to_ascii_uppercase(), b.to_ascii_uppercase(), c.to_ascii_uppercase()]))
            }
            _ => Err(InvalidCurrency(trimmed.to_owned())),
        }
    }

    pub fn as_str(&self) -> &str {
        // Only ASCII letters are ever stored, so this cannot fail.
        std::str::from_utf8(&self.0).unwrap_or("???")
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl TryFrom<String> for Currency {
    type Error = InvalidCurrency;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Currency::parse(&value)
    }
}

impl From<Currency> for String {
    fn from(value: Currency) -> Self {
        value.as_str().to_owned()
    }
}

/// A whole, non-negative amount of a currency (`500000000 VND`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Money {
    pub amount: i64,
    pub currency: Currency,
}

impl Money {
    pub fn new(amount: i64, currency: Currency) -> Self {
        debug_assert!(amount >= 0, "amounts are validated non-negative");
        Money { amount, currency }
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.amount, self.currency)
    }
}

/// A conversion that cannot be made because the event has no rate for a currency.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the event has no conversion rate for {0}")]
pub struct MissingRate(pub Currency);

/// An event's conversion rates: how many units of each currency make one unit of the base.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rates {
    base: Currency,
    per_base: BTreeMap<Currency, f64>,
}

/// Why a set of rates is unusable.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("conversion rate for {currency} must be a positive number, got {rate}")]
pub struct InvalidRate {
    pub currency: Currency,
    pub rate: f64,
}

impl Rates {
    /// Rates relative to `base`; the base itself is always 1.
    pub fn new(base: Currency, per_base: impl IntoIterator<Item = (Currency, f64)>) -> Result<Self, InvalidRate> {
        let mut rates = BTreeMap::from([(base, 1.0)]);
        for (currency, rate) in per_base {
            if !(rate.is_finite() && rate > 0.0) {
                return Err(InvalidRate { currency, rate });
            }
            if currency != base {
                rates.insert(currency, rate);
            }
        }
        Ok(Rates { base, per_base: rates })
    }

    /// Indicative rates for a Vietnamese event, base USD: VND, EUR, KRW, SGD, JPY, ILS, CNY, AUD, GBP.
    pub fn vietnam_default() -> Self {
        let table = [
            ("VND", 25_000.0),
            ("EUR", 0.92),
            ("KRW", 1_350.0),
            ("SGD", 1.35),
            ("JPY", 150.0),
            ("ILS", 3.7),
            ("CNY", 7.2),
            ("AUD", 1.5),
            ("GBP", 0.79),
        ];
        Rates {
            base: Currency::USD,
            per_base: std::iter::once((Currency::USD, 1.0))
                .chain(table.into_iter().filter_map(|(code, rate)| Some((Currency::parse(code).ok()?, rate))))
                .collect(),
        }
    }

    pub fn base(&self) -> Currency {
        self.base
    }

    pub fn knows(&self, currency: Currency) -> bool {
        self.per_base.contains_key(&currency)
    }

    /// The currencies and their units per base unit, base included.
    pub fn iter(&self) -> impl Iterator<Item = (Currency, f64)> + '_ {
        self.per_base.iter().map(|(currency, rate)| (*currency, *rate))
    }

    /// Converts `money` into `to`, rounding to the nearest whole unit.
    pub fn convert(&self, money: Money, to: Currency) -> Result<Money, MissingRate> {
        if money.currency == to {
            return Ok(money);
        }
        let from_rate = self.per_base.get(&money.currency).ok_or(MissingRate(money.currency))?;
        let to_rate = self.per_base.get(&to).ok_or(MissingRate(to))?;
        let converted = (money.amount as f64 / from_rate * to_rate).round();
        Ok(Money::new(converted.min(i64::MAX as f64) as i64, to))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_currency_codes() {
        assert_eq!(Currency::parse("vnd"), Ok(Currency::VND));
        assert_eq!(Currency::parse(" USD "), Ok(Currency::USD));
        assert!(Currency::parse("US").is_err());
        assert!(Currency::parse("U$D").is_err());
        assert!(Currency::parse("đồng").is_err());
    }

    #[test]
    fn converts_through_the_base() {
        let rates = Rates::vietnam_default();
        let ask = Money::new(500_000_000, Currency::VND);
        assert_eq!(rates.convert(ask, Currency::USD), Ok(Money::new(20_000, Currency::USD)));
        let krw = Currency::parse("KRW").unwrap();
        assert_eq!(rates.convert(Money::new(20_000, Currency::USD), krw), Ok(Money::new(27_000_000, krw)));
    }

    #[test]
    fn missing_rate_is_an_error_not_zero() {
        let rates = Rates::new(Currency::USD, [(Currency::VND, 25_000.0)]).unwrap();
        let thb = Currency::parse("THB").unwrap();
        assert_eq!(rates.convert(Money::new(1, thb), Currency::USD), Err(MissingRate(thb)));
    }

    #[test]
    fn rejects_non_positive_rates() {
        assert!(Rates::new(Currency::USD, [(Currency::VND, 0.0)]).is_err());
        assert!(Rates::new(Currency::USD, [(Currency::VND, f64::NAN)]).is_err());
    }

    proptest! {
        #[test]
        fn round_trip_stays_close(amount in 0i64..1_000_000_000_000) {
            let rates = Rates::vietnam_default();
            let usd = rates.convert(Money::new(amount, Currency::VND), Currency::USD).unwrap();
            let back = rates.convert(usd, Currency::VND).unwrap();
            prop_assert!((back.amount - amount).abs() <= 12_500, "{amount} -> {usd} -> {back}");
        }
    }
}
