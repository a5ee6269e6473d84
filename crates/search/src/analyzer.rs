//! The Vietnamese-aware analyzers: text is normalised to NFC first (decomposed input would
//! otherwise split at its combining marks), split into words, lower-cased, and — for the
//! folded analyzer — folded to ASCII (`Đổi mới` → `doi moi`).

use tantivy::tokenizer::{
    AsciiFoldingFilter, LowerCaser, RemoveLongFilter, SimpleTokenizer, TextAnalyzer, Token, TokenStream, Tokenizer,
};
use unicode_normalization::UnicodeNormalization;

/// Registered name of the analyzer that folds diacritics.
pub const FOLDED: &str = "ketnoi_folded";
/// Registered name of the analyzer that keeps diacritics (for ranking exact accents first).
pub const ACCENTED: &str = "ketnoi_accented";

/// Words longer than this are dropped (they are not words).
const LONGEST_WORD: usize = 40;

/// Runs the inner tokenizer over the NFC form of the text.
#[derive(Clone, Debug)]
pub struct Nfc<T> {
    inner: T,
    buffer: String,
}

impl<T: Tokenizer> Tokenizer for Nfc<T> {
    type TokenStream<'a> = T::TokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        let Nfc { inner, buffer } = self;
        buffer.clear();
        buffer.extend(text.nfc());
        inner.token_stream(buffer)
    }
}

pub fn folded() -> TextAnalyzer {
    TextAnalyzer::builder(Nfc { inner: SimpleTokenizer::default(), buffer: String::new() })
        .filter(RemoveLongFilter::limit(LONGEST_WORD))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build()
}

pub fn accented() -> TextAnalyzer {
    TextAnalyzer::builder(Nfc { inner: SimpleTokenizer::default(), buffer: String::new() })
        .filter(RemoveLongFilter::limit(LONGEST_WORD))
        .filter(LowerCaser)
        .build()
}

/// The tokens an analyzer makes of `text`.
pub fn tokens(analyzer: &mut TextAnalyzer, text: &str) -> Vec<String> {
    let mut stream = analyzer.token_stream(text);
    let mut tokens = Vec::new();
    stream.process(&mut |token: &Token| tokens.push(token.text.clone()));
    tokens
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_every_vietnamese_letter_and_tone() {
        let mut analyzer = folded();
        assert_eq!(tokens(&mut analyzer, "Đổi mới sáng tạo"), ["doi", "moi", "sang", "tao"]);
        assert_eq!(tokens(&mut analyzer, "ĐỔI MỚI SÁNG TẠO"), ["doi", "moi", "sang", "tao"]);
        assert_eq!(tokens(&mut analyzer, "ơ ư ă â ê ô đ Đ"), ["o", "u", "a", "a", "e", "o", "d", "d"]);
        assert_eq!(tokens(&mut analyzer, "à á ả ã ạ"), ["a", "a", "a", "a", "a"]);
    }

    #[test]
    fn decomposed_input_gives_the_same_tokens() {
        let decomposed: String = "Nông nghiệp Hải Phòng".nfd().collect();
        assert_ne!(decomposed, "Nông nghiệp Hải Phòng");
        assert_eq!(tokens(&mut folded(), &decomposed), ["nong", "nghiep", "hai", "phong"]);
        assert_eq!(tokens(&mut accented(), &decomposed), ["nông", "nghiệp", "hải", "phòng"]);
    }

    #[test]
    fn accented_keeps_the_marks() {
        assert_eq!(tokens(&mut accented(), "Bàn BÁN"), ["bàn", "bán"]);
    }
}
