//! The web app's languages: Vietnamese (the default), English and Korean. The messages of the
//! pages come from the catalogue files (`locales/`), as every text does; here are the labels of
//! form fields, and dates and amounts written as each language writes them.

use ketnoi_domain::taxonomy::Language;

/// The cookie that remembers the chosen language.
pub const LANG_COOKIE: &str = "ketnoi_lang";

pub fn parse_language(code: &str) -> Option<Language> {
    Language::parse(code)
}

pub fn code(language: Language) -> &'static str {
    language.code()
}

/// Whether the catalogue has `key`.
pub fn has(key: &str) -> bool {
    ketnoi_domain::i18n::has(key)
}

/// The message `key` in `language`; `…` when the catalogue lacks it (a test checks that every
/// key the templates use is there).
pub fn text(language: Language, key: &str) -> &'static str {
    ketnoi_domain::i18n::text(language, key).unwrap_or_else(|| {
        tracing::warn!(key, "message missing from the catalogue");
        "…"
    })
}

/// A message with `{name}` placeholders filled in.
pub fn fill(language: Language, key: &str, values: &[(&str, String)]) -> String {
    let mut message = text(language, key).to_owned();
    for (name, value) in values {
        message = message.replace(&format!("{{{name}}}"), value);
    }
    message
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

/// A whole amount as typed: plain digits, or groups of three after the first separated by one
/// of `.` `,` space (`500.000.000`, `500,000`); anything else (`1,5`, `1.000,50`) is none.
pub fn amount(typed: &str) -> Option<i64> {
    let typed = typed.trim();
    // A sign is read, so that the rules can say what is wrong with a negative amount.
    if let Some(rest) = typed.strip_prefix(['-', '\u{2212}']) {
        return if rest.starts_with(['-', '\u{2212}', ' ']) { None } else { amount(rest).map(|n| -n) };
    }
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

/// An amount as the language writes it: `500.000.000 ₫` in Vietnamese, `$500,000` in English,
/// `₫500,000,000` or `1,000원` in Korean; a currency without a symbol is written by its code.
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
        Language::Ko => match currency {
            "KRW" => format!("{}원", group(amount, ',')),
            "USD" => format!("US${}", group(amount, ',')),
            "VND" => format!("₫{}", group(amount, ',')),
            "EUR" => format!("€{}", group(amount, ',')),
            other => format!("{other} {}", group(amount, ',')),
        },
    }
}

/// A local date as the language writes it: `Thứ Sáu, 24/11/2023`, `Friday 24 November 2023`.
pub fn date(language: Language, date: jiff::civil::Date) -> String {
    ketnoi_domain::i18n::date(language, date)
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
    ketnoi_domain::i18n::moment(language, local.date(), &local.strftime("%H:%M").to_string())
}

/// [`moment`] of an RFC 3339 local time (`2023-11-24T09:00:00+07:00`); the text as is when it
/// is not one.
pub fn moment_of(language: Language, rfc3339: &str) -> String {
    match rfc3339.get(..10).and_then(|d| d.parse::<jiff::civil::Date>().ok()) {
        Some(day) => ketnoi_domain::i18n::moment(language, day, time_of(rfc3339)),
        None => rfc3339.to_owned(),
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
        assert_eq!(amount("-50000"), Some(-50_000));
        assert_eq!(amount("-50.000"), Some(-50_000));
        for wrong in ["1,5", "1.000,50", "1,000.50", "12.34.567", "abc", "", "-", "--5", "1..000"] {
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
    fn moments_from_local_times() {
        assert_eq!(moment_of(Language::Vi, "2023-11-24T09:00:00+07:00"), "24/11/2023 09:00");
        assert_eq!(moment_of(Language::En, "2023-11-24T09:00:00+07:00"), "24 November 2023, 09:00");
    }

    #[test]
    fn every_key_the_templates_use_is_in_the_catalogue() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
        let mut missing = Vec::new();
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let source = std::fs::read_to_string(&path).unwrap();
            for (at, _) in source.match_indices("t(\"") {
                if source[..at].ends_with(|c: char| c.is_alphanumeric() || c == '_') {
                    continue;
                }
                let rest = &source[at + 3..];
                let end = rest.find('"').unwrap();
                let key = &rest[..end];
                // `t("priority." ~ p)` names a family of keys: one of them must be there.
                let found = if rest[end + 1..].trim_start().starts_with('~') {
                    ketnoi_domain::i18n::keys().any(|k| k.starts_with(key))
                } else {
                    has(key)
                };
                if !found {
                    missing.push(format!("{}: {key}", path.display()));
                }
            }
        }
        assert_eq!(missing, Vec::<String>::new());
    }
}
