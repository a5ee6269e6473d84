//! Queries built from the user's words, term by term: any text is safe to search.

use std::ops::Bound;
use tantivy::collector::{Count, TopDocs};

use tantivy::query::{BooleanQuery, BoostQuery, FuzzyTermQuery, Occur, Query, RangeQuery, TermQuery};
use tantivy::schema::{Field, IndexRecordOption, Value};
use tantivy::snippet::SnippetGenerator;
use tantivy::{TantivyDocument, Term};

use crate::analyzer::{accented, folded, tokens};
use crate::{Result, SearchIndex};

/// Only the first words of a query are used, so that a 10 kB query costs what a sentence does.
pub const MAX_QUERY_WORDS: usize = 16;
/// Words the index does not know, of at least this many letters, tolerate one typo (two from
/// ten letters on). Most Vietnamese syllables have five letters or fewer, so a typo that drops
/// one (`phng` for `phòng`) must still be caught.
const FUZZY_MIN_LETTERS: usize = 4;
/// The last word is also matched as a prefix (the user is typing it) from this length.
const PREFIX_MIN_LETTERS: usize = 2;
/// Longest snippet, in characters.
const SNIPPET_CHARS: usize = 180;

/// A search: free text, filters and a page.
#[derive(Debug, Clone, Default)]
pub struct SearchQuery<'a> {
    pub text: &'a str,
    pub kind: Option<&'a str>,
    pub sector: Option<&'a str>,
    pub stage: Option<&'a str>,
    pub country: Option<&'a str>,
    pub event: Option<i64>,
    pub investor_type: Option<&'a str>,
    /// An amount in whole US dollars: only investors whose public ticket range covers it.
    pub ticket_usd: Option<i64>,
    pub limit: usize,
    pub offset: usize,
}

/// One result: the organization, its score and a snippet of its description with the matched
/// words in `<b>…</b>` (the rest HTML-escaped).
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub id: i64,
    pub score: f32,
    pub snippet: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SearchResults {
    pub hits: Vec<Hit>,
    pub total: usize,
}

fn boosted(query: impl Query, boost: f32) -> Box<dyn Query> {
    Box::new(BoostQuery::new(Box::new(query), boost))
}

fn term(field: Field, text: &str) -> Term {
    Term::from_field_text(field, text)
}

impl SearchIndex {
    /// Whether `text` has any word to search for; a query without one lists by name instead.
    pub fn has_words(text: &str) -> bool {
        !tokens(&mut folded(), text).is_empty()
    }

    /// Searches the index. Text without any word matches nothing (see [`SearchIndex::has_words`]).
    pub fn search(&self, query: &SearchQuery<'_>) -> Result<SearchResults> {
        let f = self.fields;
        let folded_words: Vec<String> = tokens(&mut folded(), query.text).into_iter().take(MAX_QUERY_WORDS).collect();
        let accented_words: Vec<String> =
            tokens(&mut accented(), query.text).into_iter().take(MAX_QUERY_WORDS).collect();
        if folded_words.is_empty() {
            return Ok(SearchResults { hits: Vec::new(), total: 0 });
        }
        let searcher = self.reader.searcher();
        // Typo tolerance is for words the index does not know: matching every near spelling of a
        // common word (`phong` ~ `phuong`) costs much and ranks nothing better.
        let known = |word: &str| {
            [f.name, f.labels, f.body].into_iter().any(|field| searcher.doc_freq(&term(field, word)).unwrap_or(0) > 0)
        };
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let last = folded_words.len() - 1;
        for (index, word) in folded_words.iter().enumerate() {
            let mut alternatives: Vec<(Occur, Box<dyn Query>)> = vec![
                (Occur::Should, boosted(TermQuery::new(term(f.name, word), IndexRecordOption::WithFreqs), 3.0)),
                (Occur::Should, boosted(TermQuery::new(term(f.labels, word), IndexRecordOption::WithFreqs), 1.5)),
                (Occur::Should, Box::new(TermQuery::new(term(f.body, word), IndexRecordOption::WithFreqs))),
            ];
            if let Some(accented_word) = accented_words.get(index) {
                // Exact accents rank first: `bàn` above `bán`.
                alternatives.push((
                    Occur::Should,
                    boosted(TermQuery::new(term(f.name_accent, accented_word), IndexRecordOption::Basic), 4.0),
                ));
                alternatives.push((
                    Occur::Should,
                    boosted(TermQuery::new(term(f.body_accent, accented_word), IndexRecordOption::Basic), 2.0),
                ));
            }
            let letters = word.chars().count();
            let unknown = letters >= FUZZY_MIN_LETTERS && !known(word);
            if unknown {
                let distance = if letters >= 10 { 2 } else { 1 };
                for (field, boost) in [(f.name, 1.5), (f.labels, 0.75), (f.body, 0.5)] {
                    alternatives
                        .push((Occur::Should, boosted(FuzzyTermQuery::new(term(field, word), distance, true), boost)));
                }
            }
            if index == last && letters >= PREFIX_MIN_LETTERS {
                // The word being typed: a prefix, forgiving a typo once it is long enough
                // (`fintek` finds `fintech`).
                for (field, boost) in [(f.name, 2.0), (f.labels, 0.75), (f.body, 0.5)] {
                    let prefix = FuzzyTermQuery::new_prefix(term(field, word), 0, false);
                    alternatives.push((Occur::Should, boosted(prefix, boost)));
                    if unknown {
                        let near = FuzzyTermQuery::new_prefix(term(field, word), 1, true);
                        alternatives.push((Occur::Should, boosted(near, boost / 4.0)));
                    }
                }
            }
            clauses.push((Occur::Must, Box::new(BooleanQuery::new(alternatives))));
        }
        for (field, value) in [
            (f.kind, query.kind),
            (f.sector, query.sector),
            (f.stage, query.stage),
            (f.country, query.country),
            (f.investor_type, query.investor_type),
        ] {
            if let Some(value) = value {
                clauses.push((Occur::Must, Box::new(TermQuery::new(term(field, value), IndexRecordOption::Basic))));
            }
        }
        if let Some(event) = query.event {
            clauses.push((
                Occur::Must,
                Box::new(TermQuery::new(Term::from_field_i64(f.event, event), IndexRecordOption::Basic)),
            ));
        }
        if let Some(amount) = query.ticket_usd {
            let at_most =
                RangeQuery::new(Bound::Unbounded, Bound::Included(Term::from_field_i64(f.ticket_min, amount)));
            let at_least =
                RangeQuery::new(Bound::Included(Term::from_field_i64(f.ticket_max, amount)), Bound::Unbounded);
            clauses.push((Occur::Must, Box::new(at_most)));
            clauses.push((Occur::Must, Box::new(at_least)));
        }
        let query_tree = BooleanQuery::new(clauses);
        let top = TopDocs::with_limit(query.limit.max(1)).and_offset(query.offset).order_by_score();
        let (top, total) = searcher.search(&query_tree, &(top, Count))?;
        let mut snippets = SnippetGenerator::create(&searcher, &query_tree, f.body)?;
        snippets.set_max_num_chars(SNIPPET_CHARS);
        let mut hits = Vec::with_capacity(top.len());
        for (score, address) in top.into_iter().take(query.limit) {
            let doc: TantivyDocument = searcher.doc(address)?;
            let Some(id) = self.stored_id(&doc) else { continue };
            let snippet = snippets.snippet_from_doc(&doc);
            let snippet = if snippet.is_empty() {
                let body = doc.get_first(f.body).and_then(|v| v.as_str()).unwrap_or_default();
                escape(&body.chars().take(SNIPPET_CHARS).collect::<String>())
            } else {
                snippet.to_html()
            };
            hits.push(Hit { id, score, snippet });
        }
        Ok(SearchResults { hits, total })
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Change, Document};
    use unicode_normalization::UnicodeNormalization;

    fn document(id: i64, kind: &str, name: &str, sector: &str, body: &str) -> Document {
        Document {
            id,
            kind: kind.to_owned(),
            name: name.to_owned(),
            sectors: vec![sector.to_owned()],
            stages: vec!["seed".to_owned()],
            countries: vec!["VN".to_owned()],
            events: vec![1],
            investor_type: (kind == "investor").then(|| "vc".to_owned()),
            ticket_usd: (kind == "investor").then_some((50_000, 500_000)),
            labels: match sector {
                "agritech" => "Nông nghiệp Agriculture agritech",
                "fintech" => "Tài chính Fintech fintech",
                "logistics" => "Logistics Logistics logistics",
                "manufacturing" => "Sản xuất Manufacturing manufacturing",
                _ => "Bán lẻ Retail retail",
            }
            .to_owned(),
            body: body.to_owned(),
        }
    }

    fn index() -> SearchIndex {
        let index = SearchIndex::in_memory().unwrap();
        let documents = vec![
            document(1, "startup", "Cảng Số", "logistics", "Nền tảng kết nối chủ hàng và nhà xe tại cảng Hải Phòng."),
            document(2, "startup", "Nông Sản Xanh", "agritech", "Giải pháp nông nghiệp thông minh cho hợp tác xã."),
            document(3, "startup", "VietPay", "fintech", "Ví điện tử cho người bán hàng nhỏ."),
            document(4, "startup", "Gỗ Việt", "manufacturing", "Bàn ghế gỗ thủ công."),
            document(5, "startup", "Chợ Số", "retail", "Bán lẻ trực tuyến cho tiểu thương."),
            document(6, "investor", "Khởi Nghiệp Hub", "agritech", "Hỗ trợ khởi nghiệp đổi mới sáng tạo ở Hải Phòng."),
        ];
        index.rebuild(documents, "0.6", &|_| {}).unwrap();
        index
    }

    fn ids(index: &SearchIndex, text: &str) -> Vec<i64> {
        let query = SearchQuery { text, limit: 10, ..Default::default() };
        index.search(&query).unwrap().hits.iter().map(|hit| hit.id).collect()
    }

    #[test]
    fn finds_accented_text_without_diacritics() {
        let index = index();
        assert_eq!(ids(&index, "cang so"), [1]);
        assert_eq!(ids(&index, "khoi nghiep"), [6]);
        assert_eq!(ids(&index, "doi moi sang tao"), [6]);
        assert_eq!(ids(&index, "ĐỔI MỚI SÁNG TẠO"), [6]);
        assert_eq!(ids(&index, "hai phong")[..].len(), 2);
        assert_eq!(ids(&index, "nong nghiep thong minh")[0], 2);
    }

    #[test]
    fn filters_by_investor_type_and_ticket() {
        let index = index();
        let search = |investor_type, ticket_usd| {
            let query = SearchQuery { text: "khoi nghiep", investor_type, ticket_usd, limit: 10, ..Default::default() };
            index.search(&query).unwrap().hits.iter().map(|hit| hit.id).collect::<Vec<_>>()
        };
        assert_eq!(search(Some("vc"), None), [6]);
        assert_eq!(search(Some("angel"), None), Vec::<i64>::new());
        assert_eq!(search(None, Some(50_000)), [6], "the range includes its ends");
        assert_eq!(search(None, Some(500_000)), [6]);
        assert_eq!(search(None, Some(49_999)), Vec::<i64>::new());
        assert_eq!(search(None, Some(500_001)), Vec::<i64>::new());
    }

    #[test]
    fn decomposed_query_finds_precomposed_text() {
        let decomposed: String = "Cảng Hải Phòng".nfd().collect();
        assert_eq!(ids(&index(), &decomposed), [1]);
    }

    #[test]
    fn forgives_typos_and_completes_the_last_word() {
        let index = index();
        assert_eq!(ids(&index, "fintek"), [3]);
        assert_eq!(ids(&index, "nong nghiep thogn minh")[0], 2, "a typo in a longer word");
        assert_eq!(ids(&index, "cang hai phng"), [1], "a dropped letter in a short syllable");
        assert_eq!(ids(&index, "vietp")[0], 3, "prefix of the word being typed");
    }

    #[test]
    fn exact_accents_rank_first() {
        let index = index();
        // "Bàn ghế" (4) against "Bán lẻ" (5) and "người bán hàng" (3).
        assert_eq!(ids(&index, "bàn")[0], 4);
        assert_eq!(ids(&index, "bán").last(), Some(&4));
        assert_eq!(ids(&index, "ban").len(), 3);
    }

    #[test]
    fn filters_pages_and_counts() {
        let index = index();
        let query = SearchQuery { text: "hai phong", kind: Some("investor"), limit: 10, ..Default::default() };
        let results = index.search(&query).unwrap();
        assert_eq!((results.total, results.hits[0].id), (1, 6));
        let query = SearchQuery { text: "ban", sector: Some("fintech"), limit: 1, offset: 0, ..Default::default() };
        let results = index.search(&query).unwrap();
        assert_eq!((results.total, results.hits[0].id), (1, 3));
        let query = SearchQuery { text: "ban", limit: 2, offset: 1, ..Default::default() };
        let results = index.search(&query).unwrap();
        assert_eq!((results.total, results.hits.len()), (3, 2));
        let query = SearchQuery { text: "hai phong", event: Some(2), limit: 10, ..Default::default() };
        assert_eq!(index.search(&query).unwrap().total, 0);
    }

    #[test]
    fn snippets_highlight_the_match() {
        let query = SearchQuery { text: "hop tac xa", limit: 10, ..Default::default() };
        let results = index().search(&query).unwrap();
        assert!(results.hits[0].snippet.contains("<b>hợp</b> <b>tác</b> <b>xã</b>"), "{}", results.hits[0].snippet);
    }

    #[test]
    fn any_text_is_safe() {
        let index = index();
        let long = "phong ".repeat(2_000);
        for text in
            ["", "   ", "name:(", "\"unclosed", "*?~^", "🚀🚀", "\u{0}\u{7}ctrl", "+-&&||!(){}[]", long.as_str()]
        {
            let query = SearchQuery { text, limit: 10, ..Default::default() };
            assert!(index.search(&query).is_ok(), "{text:?}");
        }
        assert!(!SearchIndex::has_words("?!…"));
        assert!(SearchIndex::has_words("a"));
    }

    #[test]
    fn changes_replace_and_delete() {
        let index = index();
        let mut renamed = document(3, "startup", "VietWallet", "fintech", "Ví điện tử.");
        renamed.body = "Thanh toán QR".to_owned();
        index.apply([Change::Upsert(renamed), Change::Delete(5)], "0.8").unwrap();
        assert_eq!(ids(&index, "vietwallet"), [3]);
        assert!(ids(&index, "vietpay").is_empty());
        assert!(ids(&index, "cho so").is_empty());
        assert_eq!(index.position().as_deref(), Some("0.8"));
        assert_eq!(index.len(), 5);
    }
}
