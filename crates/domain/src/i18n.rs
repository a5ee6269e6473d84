//! The languages ketnoi speaks and the few pieces every message needs: a catalogue of texts
//! by key, one text per language, and placeholders filled in one pass.
//!
//! What goes wrong is never a sentence in the code: problems are typed values (a field's
//! [`crate::validate::Issue`], a rule's [`crate::rules::Refusal`]) with a key and named values,
//! and each language writes them from its own text. A value filled in is never read again, so
//! an organization called "Sen and Lotus Ventures" keeps its name in every language.

use serde::{Deserialize, Serialize};

/// A language ketnoi speaks: Vietnamese by default, English on request.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    #[default]
    Vi,
    En,
}

impl Language {
    /// Every language, the default first.
    pub const ALL: [Language; 2] = [Language::Vi, Language::En];

    /// The language's code: `vi`, `en`.
    pub fn code(self) -> &'static str {
        match self {
            Language::Vi => "vi",
            Language::En => "en",
        }
    }

    /// The language's name in itself: `Tiếng Việt`, `English`.
    pub fn name(self) -> &'static str {
        match self {
            Language::Vi => "Tiếng Việt",
            Language::En => "English",
        }
    }

    /// The language of a code (`vi`, `en`), if ketnoi speaks it.
    pub fn parse(code: &str) -> Option<Language> {
        Language::ALL.into_iter().find(|language| language.code() == code)
    }
}

/// One entry of a catalogue: a key and its text in each language, with `{name}` placeholders.
#[derive(Debug, Clone, Copy)]
pub struct Text {
    pub key: &'static str,
    pub vi: &'static str,
    pub en: &'static str,
}

impl Text {
    /// The text in `language`.
    pub fn get(&self, language: Language) -> &'static str {
        match language {
            Language::Vi => self.vi,
            Language::En => self.en,
        }
    }
}

/// The entry `key` of `catalogue`.
pub fn find(catalogue: &'static [Text], key: &str) -> Option<&'static Text> {
    catalogue.iter().find(|text| text.key == key)
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

/// Something that has a message in each language: a key into a catalogue and named values.
pub trait Message {
    /// The catalogue the key is in.
    fn catalogue(&self) -> &'static [Text];
    /// The key of the message's text.
    fn key(&self) -> &'static str;
    /// The values of its placeholders, written for `language` (a kind or a term has a label
    /// per language; names and numbers are as they are).
    fn args(&self, language: Language) -> Args;

    /// The message in `language`; the key itself if the catalogue lacks it (a test of each
    /// catalogue checks that it never does).
    fn text(&self, language: Language) -> String {
        match find(self.catalogue(), self.key()) {
            Some(text) => fill(text.get(language), &self.args(language)),
            None => self.key().to_owned(),
        }
    }
}

/// A list as `language` writes it: `a, b and c`, `a, b và c`.
pub fn list(language: Language, items: &[String]) -> String {
    let and = match language {
        Language::Vi => " và ",
        Language::En => " and ",
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

/// Checks that every entry of `catalogue` has a text in each language, and that the
/// Vietnamese ones have no English words: the problems found.
pub fn catalogue_problems(catalogue: &[Text]) -> Vec<String> {
    let mut problems = Vec::new();
    for text in catalogue {
        for language in Language::ALL {
            if text.get(language).trim().is_empty() {
                problems.push(format!("{}: no {} text", text.key, language.code()));
            }
        }
        let english = english_words(text.vi);
        if !english.is_empty() {
            problems.push(format!("{}: English in the Vietnamese text: {english:?}", text.key));
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
    fn lists_are_joined_per_language() {
        let items = ["a".to_owned(), "b".to_owned(), "c".to_owned()];
        assert_eq!(list(Language::En, &items), "a, b and c");
        assert_eq!(list(Language::Vi, &items[..1]), "a");
    }
}
