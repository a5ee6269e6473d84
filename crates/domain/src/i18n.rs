//! The languages ketnoi speaks and the few pieces every message needs: the catalogue of texts
//! by key, one file per language in `locales/` (`vi.txt`, `en.txt`, `ko.txt`, edited by
//! translators without touching Rust and compiled into the binary), and placeholders filled in
//! one pass.
//!
//! What goes wrong is never a sentence in the code: problems are typed values (a field's
//! [`crate::validate::Issue`], a rule's [`crate::rules::Refusal`]) with a key and named values,
//! and each language writes them from its own text. A value filled in is never read again, so
//! an organization called "Sen and Lotus Ventures" keeps its name in every language.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

/// A language ketnoi speaks: Vietnamese by default, English and Korean on request.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    #[default]
    Vi,
    En,
    Ko,
}

impl Language {
    /// Every language, the default first.
    pub const ALL: [Language; 3] = [Language::Vi, Language::En, Language::Ko];

    /// The language's code: `vi`, `en`, `ko`.
    pub fn code(self) -> &'static str {
        match self {
            Language::Vi => "vi",
            Language::En => "en",
            Language::Ko => "ko",
        }
    }

    /// The language's name in itself: `Tiếng Việt`, `English`, `한국어`.
    pub fn name(self) -> &'static str {
        match self {
            Language::Vi => "Tiếng Việt",
            Language::En => "English",
            Language::Ko => "한국어",
        }
    }

    /// The language of a code (`vi`, `en`, `ko`, also `ko-KR`), if ketnoi speaks it.
    pub fn parse(code: &str) -> Option<Language> {
        let primary = code.trim().split(['-', '_']).next().unwrap_or_default().to_ascii_lowercase();
        Language::ALL.into_iter().find(|language| language.code() == primary)
    }

    /// The first language of an `Accept-Language` header that ketnoi speaks, by preference.
    pub fn from_accept_language(header: &str) -> Option<Language> {
        let mut choices: Vec<(f32, usize, Language)> = header
            .split(',')
            .enumerate()
            .filter_map(|(order, part)| {
                let mut pieces = part.split(';');
                let language = Language::parse(pieces.next()?)?;
                let weight = pieces
                    .find_map(|p| p.trim().strip_prefix("q=").and_then(|q| q.trim().parse::<f32>().ok()))
                    .unwrap_or(1.0);
                (weight > 0.0).then_some((weight, order, language))
            })
            .collect();
        choices.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        choices.first().map(|(_, _, language)| *language)
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// The catalogue files, one per language in [`Language::ALL`]'s order.
const FILES: [&str; 3] = [
    include_str!("../../../locales/vi.txt"),
    include_str!("../../../locales/en.txt"),
    include_str!("../../../locales/ko.txt"),
];

/// Every text by key, in each language (none where a file lacks the key).
struct Catalogue {
    texts: HashMap<&'static str, [Option<&'static str>; 3]>,
    /// Lines of the files that are neither texts nor comments: `file:line`.
    malformed: Vec<String>,
}

fn catalogue() -> &'static Catalogue {
    static CATALOGUE: OnceLock<Catalogue> = OnceLock::new();
    CATALOGUE.get_or_init(|| {
        let mut texts: HashMap<&'static str, [Option<&'static str>; 3]> = HashMap::new();
        let mut malformed = Vec::new();
        for (language, file) in Language::ALL.into_iter().zip(FILES) {
            for (number, line) in file.lines().enumerate() {
                let line = line.trim();
                if line.is_empty() || line.starts_with('#') {
                    continue;
                }
                match line.split_once('=') {
                    Some((key, text)) if !key.trim().is_empty() => {
                        texts.entry(key.trim()).or_default()[language.index()] = Some(text.trim());
                    }
                    _ => malformed.push(format!("{}.txt:{}", language.code(), number + 1)),
                }
            }
        }
        Catalogue { texts, malformed }
    })
}

/// The text `key` in `language`, or in Vietnamese when that language lacks it; none when no
/// file has it.
pub fn text(language: Language, key: &str) -> Option<&'static str> {
    let texts = catalogue().texts.get(key)?;
    texts[language.index()].or(texts[Language::Vi.index()])
}

/// Whether the catalogue has `key`.
pub fn has(key: &str) -> bool {
    catalogue().texts.contains_key(key)
}

/// Every key of the catalogue, in no order.
pub fn keys() -> impl Iterator<Item = &'static str> {
    catalogue().texts.keys().copied()
}

/// The text `key` in `language` with `args` filled, or the key itself when no file has it.
pub fn message(language: Language, key: &str, args: &[(&str, String)]) -> String {
    match text(language, key) {
        Some(text) => fill(text, args),
        None => key.to_owned(),
    }
}

/// Named values for a message's placeholders.
pub type Args = Vec<(&'static str, String)>;

/// Fills `{name}` placeholders from `args` in one pass over `template`: a value filled in is
/// never searched for placeholders again. A placeholder without a value stays as it is.
pub fn fill(template: &str, args: &[(&str, String)]) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) => {
                let name = &after[..close];
                match args.iter().find(|(key, _)| *key == name) {
                    Some((_, value)) => out.push_str(value),
                    None => out.push_str(&rest[open..open + close + 2]),
                }
                rest = &after[close + 1..];
            }
            None => {
                out.push_str(&rest[open..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// The values a date pattern (`date.day`, `date.moment`, `date.day-moment`) may use.
fn date_args(language: Language, date: jiff::civil::Date, time: &str) -> Vec<(&'static str, String)> {
    let weekday = date.weekday().to_monday_one_offset();
    let name = |key: String| text(language, &key).unwrap_or_default().to_owned();
    vec![
        ("weekday", name(format!("date.weekday.{weekday}"))),
        ("day", date.day().to_string()),
        ("dd", format!("{:02}", date.day())),
        ("month", name(format!("date.month.{}", date.month()))),
        ("m", date.month().to_string()),
        ("mm", format!("{:02}", date.month())),
        ("year", date.year().to_string()),
        ("time", time.to_owned()),
    ]
}

/// A day as `language` writes it: `Thứ Sáu, 24/11/2023`, `Friday 24 November 2023`,
/// `2023년 11월 24일 금요일`.
pub fn date(language: Language, date: jiff::civil::Date) -> String {
    message(language, "date.day", &date_args(language, date, ""))
}

/// A day and a time (`09:00`): `24/11/2023 09:00`, `24 November 2023, 09:00`.
pub fn moment(language: Language, date: jiff::civil::Date, time: &str) -> String {
    message(language, "date.moment", &date_args(language, date, time))
}

/// A day with its weekday and a time, as letters write it: `Thứ Sáu 24/11/2023 09:00`.
pub fn day_moment(language: Language, date: jiff::civil::Date, time: &str) -> String {
    message(language, "date.day-moment", &date_args(language, date, time))
}

/// A country's name in `language` (`VN`: Việt Nam, Vietnam, 베트남); the code for a country
/// the catalogue does not name.
pub fn country_name(language: Language, code: &str) -> String {
    text(language, &format!("country.{code}")).map_or_else(|| code.to_owned(), str::to_owned)
}

/// A time zone as people read it: its city or country and its offset from UTC at `at`
/// (`giờ Việt Nam (UTC+07:00)`, `Amsterdam time (UTC+01:00)`).
pub fn zone_label(language: Language, zone: &str, at: jiff::Timestamp) -> String {
    let city = text(language, &format!("zone.{zone}"))
        .map_or_else(|| zone.rsplit('/').next().unwrap_or(zone).replace('_', " "), str::to_owned);
    let offset = jiff::tz::TimeZone::get(zone).map(|tz| tz.to_offset(at)).unwrap_or(jiff::tz::Offset::UTC);
    let seconds = offset.seconds();
    let sign = if seconds < 0 { '-' } else { '+' };
    let minutes = seconds.unsigned_abs() / 60;
    let offset = format!("{sign}{:02}:{:02}", minutes / 60, minutes % 60);
    message(language, "zone.label", &[("city", city), ("offset", offset)])
}

/// Something that has a message in each language: a key into the catalogue and named values.
pub trait Message {
    /// The part of the catalogue its key is in: `issue`, `refusal`, `reason`, `problem`.
    fn namespace(&self) -> &'static str;
    /// The key of the message's text, within its namespace.
    fn key(&self) -> &'static str;
    /// The values of its placeholders, written for `language` (a kind or a term has a label
    /// per language; names and numbers are as they are).
    fn args(&self, language: Language) -> Args;

    /// The message in `language`; its key if the catalogue lacks it (a test checks that it
    /// never does).
    fn text(&self, language: Language) -> String {
        message(language, &format!("{}.{}", self.namespace(), self.key()), &self.args(language))
    }
}

/// A list as `language` writes it: `a, b and c`, `a, b và c`.
pub fn list(language: Language, items: &[String]) -> String {
    let and = match language {
        Language::Vi => " và ",
        Language::En => " and ",
        Language::Ko => ", ",
    };
    match items {
        [] => String::new(),
        [only] => only.clone(),
        [init @ .., last] => format!("{}{and}{last}", init.join(", ")),
    }
}

/// A value as quoted in a message: `"fintek"`, the way every language shows what was typed.
pub fn quoted(value: &str) -> String {
    format!("{value:?}")
}

/// Common English words found in `text` once its `{placeholders}` are taken out: a check, for
/// tests, that a Vietnamese text is written in Vietnamese (names and codes may be English).
pub fn english_words(text: &str) -> Vec<String> {
    const ENGLISH: &[&str] = &[
        "a", "an", "and", "the", "is", "are", "be", "has", "have", "not", "must", "got", "of", "or", "to", "in", "at",
        "for", "from", "with", "this", "that", "these", "your", "which", "only", "already", "least", "most", "cannot",
        "request", "requests", "meeting", "meetings", "slot", "slots", "table", "tables", "unknown", "accepted",
        "pending", "attend", "full", "field", "column", "line", "file", "header", "value", "sign", "password",
    ];
    let mut plain = String::with_capacity(text.len());
    let mut depth = 0usize;
    for c in text.chars() {
        match c {
            '{' => depth += 1,
            '}' => depth = depth.saturating_sub(1),
            _ if depth == 0 => plain.push(c),
            _ => {}
        }
    }
    plain
        .split(|c: char| !c.is_alphanumeric() && c != '\'')
        .map(str::to_lowercase)
        .filter(|word| ENGLISH.contains(&word.as_str()))
        .collect()
}

/// The values a date pattern may use.
const DATE_VALUES: &[&str] = &["weekday", "day", "dd", "month", "m", "mm", "year", "time"];

/// The `{placeholders}` of a text, sorted.
/// The placeholders a text must keep: `{detail}`, a library's own words in English, may be left
/// out.
fn values(text: &str) -> Vec<&str> {
    let mut names = placeholders(text);
    names.retain(|name| *name != "detail");
    names
}

fn placeholders(text: &str) -> Vec<&str> {
    let mut names: Vec<&str> = text
        .split('{')
        .skip(1)
        .filter_map(|rest| rest.split_once('}').map(|(name, _)| name))
        .filter(|name| !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
        .collect();
    names.sort_unstable();
    names.dedup();
    names
}

/// What is wrong with the catalogue files: a malformed line, a key a language lacks or has
/// alone, an empty text, a text whose `{placeholders}` differ from the Vietnamese one's, or
/// English words left in a Vietnamese text.
pub fn catalogue_problems() -> Vec<String> {
    let catalogue = catalogue();
    let mut problems: Vec<String> = catalogue.malformed.iter().map(|at| format!("{at}: not `key = text`")).collect();
    let mut keys: Vec<&&str> = catalogue.texts.keys().collect();
    keys.sort();
    for key in keys {
        let texts = &catalogue.texts[*key];
        let Some(vi) = texts[Language::Vi.index()] else {
            problems.push(format!("{key}: not in vi.txt"));
            continue;
        };
        for language in Language::ALL {
            match texts[language.index()] {
                None => problems.push(format!("{key}: no text in {}.txt", language.code())),
                Some("") => problems.push(format!("{key}: empty in {}.txt", language.code())),
                // A date pattern writes the date its language's way, from the same values.
                Some(text)
                    if key.starts_with("date.")
                        && !placeholders(text).iter().all(|name| DATE_VALUES.contains(name)) =>
                {
                    problems.push(format!("{key}: {}.txt uses a value dates do not have", language.code()));
                }
                Some(_) if key.starts_with("date.") => {}
                Some(text) if values(text) != values(vi) => problems.push(format!(
                    "{key}: {}.txt has {:?}, vi.txt has {:?}",
                    language.code(),
                    values(text),
                    values(vi)
                )),
                Some(_) => {}
            }
        }
        // Problems and letters are checked for English left in Vietnamese; page texts may name
        // products and commands (`ketnoi import`, `webcal`).
        let strict = ["issue.", "refusal.", "reason.", "problem.", "letter."].iter().any(|ns| key.starts_with(ns));
        let english = english_words(vi);
        if strict && !english.is_empty() {
            problems.push(format!("{key}: English in the Vietnamese text: {english:?}"));
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_filled_once() {
        let args = [("name", "{other} and {name}".to_owned()), ("other", "X".to_owned())];
        assert_eq!(fill("{name} meets {other}", &args), "{other} and {name} meets X");
        assert_eq!(fill("no {unknown} here {", &args), "no {unknown} here {");
        assert_eq!(fill("", &args), "");
    }

    #[test]
    fn languages_round_trip_through_their_codes() {
        for language in Language::ALL {
            assert_eq!(Language::parse(language.code()), Some(language));
        }
        assert_eq!(Language::parse("fr"), None);
    }

    #[test]
    fn every_key_has_a_text_in_every_language_with_the_same_placeholders() {
        assert_eq!(catalogue_problems(), Vec::<String>::new());
        assert!(has("nav.search") && has("issue.empty") && !has("no.such.key"));
        assert_eq!(text(Language::Ko, "nav.search"), Some("검색"));
        assert_eq!(message(Language::En, "no.such.key", &[]), "no.such.key");
    }

    #[test]
    fn dates_are_written_each_language_s_way() {
        let day = jiff::civil::date(2023, 11, 24);
        assert_eq!(date(Language::Vi, day), "Thứ Sáu, 24/11/2023");
        assert_eq!(date(Language::En, day), "Friday 24 November 2023");
        assert_eq!(date(Language::Ko, day), "2023년 11월 24일 금요일");
        assert_eq!(moment(Language::Ko, day, "09:00"), "2023년 11월 24일 09:00");
        assert_eq!(day_moment(Language::Vi, day, "09:00"), "Thứ Sáu 24/11/2023 09:00");
        assert_eq!(day_moment(Language::En, day, "09:00"), "Friday 24 November 2023, 09:00");
    }

    #[test]
    fn countries_and_zones_are_named() {
        assert_eq!(country_name(Language::Ko, "VN"), "베트남");
        assert_eq!(country_name(Language::Vi, "ZZ"), "ZZ");
        let winter = "2024-01-10T00:00:00Z".parse().expect("timestamp");
        assert_eq!(zone_label(Language::Vi, "Asia/Ho_Chi_Minh", winter), "giờ Việt Nam (UTC+07:00)");
        assert_eq!(zone_label(Language::En, "Europe/Amsterdam", winter), "Amsterdam time (UTC+01:00)");
        assert_eq!(zone_label(Language::En, "America/Argentina/Buenos_Aires", winter), "Buenos Aires (UTC-03:00)");
    }

    #[test]
    fn accept_language_picks_the_first_language_spoken_by_weight() {
        assert_eq!(Language::from_accept_language("ko-KR,ko;q=0.9,en-US;q=0.8"), Some(Language::Ko));
        assert_eq!(Language::from_accept_language("fr-FR, en;q=0.5, vi;q=0.7"), Some(Language::Vi));
        assert_eq!(Language::from_accept_language("de, fr;q=0.9"), None);
        assert_eq!(Language::from_accept_language("ko;q=0, en"), Some(Language::En));
        assert_eq!(Language::from_accept_language(""), None);
    }

    #[test]
    fn lists_are_joined_per_language() {
        let items = ["a".to_owned(), "b".to_owned(), "c".to_owned()];
        assert_eq!(list(Language::En, &items), "a, b and c");
        assert_eq!(list(Language::Vi, &items[..1]), "a");
    }
}
