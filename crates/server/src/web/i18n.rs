//! The web app's two languages: Vietnamese (the default) and English. The messages of the
//! pages, the API's English error messages put into Vietnamese phrase by phrase, and dates and
//! amounts written as each language writes them.

use std::collections::HashMap;
use std::sync::OnceLock;

use ketnoi_domain::taxonomy::Language;

/// The cookie that remembers the chosen language.
pub const LANG_COOKIE: &str = "ketnoi_lang";

mod catalogue;

use catalogue::{MESSAGES, PHRASES};

pub fn parse_language(code: &str) -> Option<Language> {
    match code {
        "vi" => Some(Language::Vi),
        "en" => Some(Language::En),
        _ => None,
    }
}

pub fn code(language: Language) -> &'static str {
    match language {
        Language::Vi => "vi",
        Language::En => "en",
    }
}

fn messages() -> &'static HashMap<&'static str, (&'static str, &'static str)> {
    static INDEX: OnceLock<HashMap<&'static str, (&'static str, &'static str)>> = OnceLock::new();
    INDEX.get_or_init(|| MESSAGES.iter().map(|(key, vi, en)| (*key, (*vi, *en))).collect())
}

/// Whether the catalogue has `key`.
pub fn has(key: &str) -> bool {
    messages().contains_key(key)
}

/// The message `key` in `language`; the key itself when the catalogue lacks it (a test
/// checks that every key the templates use is there).
pub fn text(language: Language, key: &str) -> &'static str {
    match (messages().get(key), language) {
        (Some((vi, _)), Language::Vi) => vi,
        (Some((_, en)), Language::En) => en,
        (None, _) => {
            tracing::warn!(key, "message missing from the catalogue");
            "…"
        }
    }
}

/// A message with `{name}` placeholders filled in.
pub fn fill(language: Language, key: &str, values: &[(&str, String)]) -> String {
    let mut message = text(language, key).to_owned();
    for (name, value) in values {
        message = message.replace(&format!("{{{name}}}"), value);
    }
    message
}

/// An error message of the API (English) in `language`: phrase by phrase into Vietnamese.
/// Names, numbers and values in it stay as they are.
pub fn error(language: Language, message: &str) -> String {
    match language {
        Language::En => message.to_owned(),
        Language::Vi => {
            let mut out = message.to_owned();
            for (english, vietnamese) in PHRASES {
                out = out.replace(english, vietnamese);
            }
            out
        }
    }
}

/// A field's label for a message: `organization.ticket_min` is "Khoản đầu tư tối thiểu",
/// `sessions[1].date` is "Dòng 2, Ngày"; a field the catalogue lacks keeps its name.
pub fn field_label(language: Language, field: &str) -> String {
    let field = field.strip_prefix("organization.").unwrap_or(field);
    if let Some((row, column)) = field.strip_prefix("sessions[").and_then(|rest| rest.split_once("].")) {
        let row = row.parse::<usize>().map_or_else(|_| row.to_owned(), |r| (r + 1).to_string());
        let column =
            if has(&format!("session.{column}")) { text(language, &format!("session.{column}")) } else { column };
        return format!("{} {row}, {column}", text(language, "session.row"));
    }
    let key = format!("field.{field}");
    if has(&key) { text(language, &key).to_owned() } else { field.to_owned() }
}

/// A reason the scheduler gives for a meeting it could not place, in `language`.
pub fn reason(language: Language, reason: &str) -> String {
    match language {
        Language::En => reason.to_owned(),
        Language::Vi => error(language, reason).replace(" and ", " và ").replace(" has ", " có "),
    }
}

/// A whole amount as typed: plain digits, or groups of three after the first separated by one
/// of `.` `,` space (`500.000.000`, `500,000`); anything else (`1,5`, `1.000,50`) is none.
pub fn amount(typed: &str) -> Option<i64> {
    let typed = typed.trim();
    if !typed.is_empty() && typed.chars().all(|c| c.is_ascii_digit()) {
        return typed.parse().ok();
    }
    let separator = typed.chars().find(|c| !c.is_ascii_digit())?;
    if !matches!(separator, '.' | ',' | ' ' | '\u{a0}' | '_') {
        return None;
    }
    let groups: Vec<&str> = typed.split(separator).collect();
    let first = groups.first()?;
    let well_formed = (1..=3).contains(&first.len())
        && groups.iter().all(|g| g.chars().all(|c| c.is_ascii_digit()))
        && groups[1..].iter().all(|g| g.len() == 3);
    if well_formed { groups.concat().parse().ok() } else { None }
}

/// Digits grouped by threes with `separator`: `500.000.000`, `500,000`.
pub fn group(amount: i64, separator: char) -> String {
    let digits = amount.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if amount < 0 {
        out.push('-');
    }
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            out.push(separator);
        }
        out.push(digit);
    }
    out
}

/// An amount as the language writes it: `500.000.000 ₫` in Vietnamese, `$500,000` in English;
/// a currency without a symbol is written by its code.
pub fn money(language: Language, amount: i64, currency: &str) -> String {
    match language {
        Language::Vi => {
            let symbol = match currency {
                "VND" => "₫",
                "USD" => "US$",
                "EUR" => "€",
                other => other,
            };
            format!("{} {symbol}", group(amount, '.'))
        }
        Language::En => match currency {
            "USD" => format!("${}", group(amount, ',')),
            "VND" => format!("₫{}", group(amount, ',')),
            "EUR" => format!("€{}", group(amount, ',')),
            other => format!("{other} {}", group(amount, ',')),
        },
    }
}

const WEEKDAYS_VI: [&str; 7] = ["Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật"];
const WEEKDAYS_EN: [&str; 7] = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// A local date as the language writes it: `Thứ Sáu, 24/11/2023`, `Friday 24 November 2023`.
pub fn date(language: Language, date: jiff::civil::Date) -> String {
    let weekday = date.weekday().to_monday_zero_offset() as usize;
    match language {
        Language::Vi => format!("{}, {:02}/{:02}/{}", WEEKDAYS_VI[weekday], date.day(), date.month(), date.year()),
        Language::En => {
            format!("{} {} {} {}", WEEKDAYS_EN[weekday], date.day(), MONTHS_EN[date.month() as usize - 1], date.year())
        }
    }
}

/// The date part of an RFC 3339 local time (`2023-11-24T09:00:00+07:00`), as the language
/// writes it; the text as is when it is not one.
pub fn date_of(language: Language, rfc3339: &str) -> String {
    match rfc3339.get(..10).and_then(|d| d.parse::<jiff::civil::Date>().ok()) {
        Some(day) => date(language, day),
        None => rfc3339.to_owned(),
    }
}

/// The `09:00` of an RFC 3339 local time.
pub fn time_of(rfc3339: &str) -> &str {
    rfc3339.get(11..16).unwrap_or(rfc3339)
}

/// A moment in the event's time zone: `24/11/2023 09:00` or `24 November 2023, 09:00`.
pub fn moment(language: Language, at: jiff::Timestamp, zone: &jiff::tz::TimeZone) -> String {
    let local = at.to_zoned_datetime(zone.clone());
    let (day, clock) = (local.date(), local.strftime("%H:%M"));
    match language {
        Language::Vi => format!("{:02}/{:02}/{} {clock}", day.day(), day.month(), day.year()),
        Language::En => format!("{} {} {}, {clock}", day.day(), MONTHS_EN[day.month() as usize - 1], day.year()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_written_per_language() {
        assert_eq!(money(Language::Vi, 500_000_000, "VND"), "500.000.000 ₫");
        assert_eq!(money(Language::En, 500_000, "USD"), "$500,000");
        assert_eq!(money(Language::En, 500_000_000, "VND"), "₫500,000,000");
        assert_eq!(money(Language::Vi, 20_000, "USD"), "20.000 US$");
        assert_eq!(money(Language::En, 1_000, "KRW"), "KRW 1,000");
        assert_eq!(group(-1_234_567, ','), "-1,234,567");
        assert_eq!(group(999, '.'), "999");
    }

    #[test]
    fn amounts_are_read_with_separators_between_groups_of_three_only() {
        assert_eq!(amount("500000000"), Some(500_000_000));
        assert_eq!(amount("500.000.000"), Some(500_000_000));
        assert_eq!(amount("500,000"), Some(500_000));
        assert_eq!(amount(" 1 500 000 "), Some(1_500_000));
        for wrong in ["1,5", "1.000,50", "1,000.50", "12.34.567", "abc", "", "-5", "1..000"] {
            assert_eq!(amount(wrong), None, "{wrong}");
        }
    }

    #[test]
    fn fields_are_named_by_their_labels() {
        assert_eq!(field_label(Language::Vi, "organization.ticket_min"), "Khoản đầu tư tối thiểu");
        assert_eq!(field_label(Language::En, "sessions[1].date"), "Row 2, Date");
        assert_eq!(field_label(Language::En, "no_such_field"), "no_such_field");
    }

    #[test]
    fn dates_are_written_per_language() {
        let day = jiff::civil::date(2023, 11, 24);
        assert_eq!(date(Language::Vi, day), "Thứ Sáu, 24/11/2023");
        assert_eq!(date(Language::En, day), "Friday 24 November 2023");
        assert_eq!(date_of(Language::En, "2023-11-24T09:00:00+07:00"), "Friday 24 November 2023");
        assert_eq!(time_of("2023-11-24T09:00:00+07:00"), "09:00");
        let zone = jiff::tz::TimeZone::get("Asia/Ho_Chi_Minh").unwrap();
        let at: jiff::Timestamp = "2023-11-24T02:00:00Z".parse().unwrap();
        assert_eq!(moment(Language::Vi, at, &zone), "24/11/2023 09:00");
        assert_eq!(moment(Language::En, at, &zone), "24 November 2023, 09:00");
    }

    #[test]
    fn api_errors_read_in_vietnamese() {
        assert_eq!(error(Language::Vi, "must not be empty"), "không được để trống");
        assert_eq!(
            error(Language::Vi, "must have at least 8 characters, got 3"),
            "phải có ít nhất 8 ký tự, nhận được 3"
        );
        assert_eq!(error(Language::En, "must not be empty"), "must not be empty");
    }

    /// Messages as the API and the store write them: none keeps an English phrase in Vietnamese.
    #[test]
    fn the_apis_messages_read_in_vietnamese() {
        let messages = [
            "must not be empty",
            "must have at least 8 characters, got 3",
            "must be at most 120 characters, got 130",
            "must name at most 5 sectors, got 6",
            "must not exceed ticket_max (2000000 > 1000000)",
            "must be given with an amount (VND, USD…)",
            "\"x\" is not a web address (http or https)",
            "\"x\" is not an e-mail address",
            "\"x\" is not a whole number",
            "\"Vietnam\" is not an ISO 3166 alpha-2 country code (such as VN, KR, SG)",
            "unknown sector \"fintek\" (did you mean \"fintech\"?)",
            "is one of the most common passwords; choose another",
            "these two already have an open request",
            "these two already have a pending request (id 4)",
            "the request is accepted, no longer pending",
            "the quota of 3 requests per startup at this event is used up",
            "the investor's quota of 10 meetings at this event is reached",
            "that slot is taken: a participant already meets someone then, or the table is in use",
            "a side of this meeting cannot attend slot d1-0900",
            "the meeting has no slot yet",
            "must be from 1 to 20 in slot d1-0900",
        ];
        for message in messages {
            let vietnamese = error(Language::Vi, message);
            for english in [
                "must", " is ", "the ", " not ", " got", "already", "request", "unknown", " has ", "accepted",
                "pending",
            ] {
                assert!(!vietnamese.contains(english), "{message:?} became {vietnamese:?}");
            }
        }
    }

    #[test]
    fn the_schedulers_reasons_read_in_vietnamese() {
        let reasons = [
            "Hạ Long Angel Club has 47 accepted meetings but can attend only 36 slots",
            "Cảng Số and Han River have no slot they can both attend",
            "each of the 3 slots Cảng Số and Han River can both attend is taken by one of their other meetings or has no free table (2 full)",
        ];
        for text in reasons {
            let vietnamese = reason(Language::Vi, text);
            for english in [" and ", " has ", "slots", "meetings", "accepted", "attend", "table", "full"] {
                assert!(!vietnamese.contains(english), "{text:?} became {vietnamese:?}");
            }
        }
        assert_eq!(reason(Language::En, reasons[0]), reasons[0]);
    }

    #[test]
    fn every_message_has_both_languages_and_no_key_twice() {
        let mut seen = std::collections::HashSet::new();
        for (key, vi, en) in MESSAGES {
            assert!(seen.insert(key), "{key} is in the catalogue twice");
            assert!(!vi.is_empty() && !en.is_empty(), "{key} lacks a language");
        }
    }
}
