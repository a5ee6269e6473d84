//! Text folding shared by parsing, matching keys and search: Vietnamese written with or
//! without diacritics, in any case, compares equal once folded.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Folds text to lower-case ASCII-ish form: Unicode-decomposed, combining marks removed,
/// `đ`/`Đ` mapped to `d`, lower-cased, runs of whitespace collapsed to one space and trimmed.
///
/// `"  Nông   nghiệp "` → `"nong nghiep"`, `"ĐỔI MỚI"` → `"doi moi"`.
pub fn fold(text: &str) -> String {
    let mut folded = String::with_capacity(text.len());
    let mut pending_space = false;
    for ch in text.nfd() {
        if is_combining_mark(ch) {
            continue;
        }
        if ch.is_whitespace() {
            pending_space = !folded.is_empty();
            continue;
        }
        if pending_space {
            folded.push(' ');
            pending_space = false;
        }
        match ch {
            'đ' | 'Đ' => folded.push('d'),
            _ => folded.extend(ch.to_lowercase()),
        }
    }
    folded
}

/// Levenshtein distance between two strings, counted in chars.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        current[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != *cb);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()]
}

/// The candidate closest to `input` (both folded), if it is close enough to be a plausible typo:
/// at most a third of the input's length away, and at least one edit allowed.
pub fn nearest<'a>(input: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let input = fold(input);
    let budget = (input.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .map(|candidate| (edit_distance(&input, &fold(candidate)), candidate))
        .filter(|(distance, _)| *distance <= budget)
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, candidate)| candidate)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn folds_vietnamese_to_ascii() {
        assert_eq!(fold("Nông nghiệp"), "nong nghiep");
        assert_eq!(fold("ĐỔI MỚI SÁNG TẠO"), "doi moi sang tao");
        assert_eq!(fold("Hải Phòng"), "hai phong");
        assert_eq!(fold("ư ơ ă â ê ô đ"), "u o a a e o d");
    }

    #[test]
    fn folds_decomposed_input_like_precomposed() {
        let decomposed: String = "Đổi mới".nfd().collect();
        assert_eq!(fold(&decomposed), fold("Đổi mới"));
    }

    #[test]
    fn collapses_whitespace() {
        assert_eq!(fold("  Kinh \t tế   biển "), "kinh te bien");
    }

    #[test]
    fn suggests_the_nearest_candidate() {
        assert_eq!(nearest("fintec", ["fintech", "edtech"]), Some("fintech"));
        assert_eq!(nearest("zzzzzz", ["fintech", "edtech"]), None);
    }

    proptest! {
        #[test]
        fn folding_is_idempotent(text in "\\PC{0,40}") {
            let once = fold(&text);
            prop_assert_eq!(fold(&once), once.clone());
        }

        #[test]
        fn folded_vietnamese_is_ascii(text in "[a-zA-ZàáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵĐ ]{0,40}") {
            prop_assert!(fold(&text).is_ascii());
        }

        #[test]
        fn edit_distance_is_symmetric(a in "[a-z]{0,12}", b in "[a-z]{0,12}") {
            prop_assert_eq!(edit_distance(&a, &b), edit_distance(&b, &a));
        }
    }
}
