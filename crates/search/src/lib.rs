//! ketnoi's search index of organizations: the only crate that knows tantivy.
//!
//! Text is analyzed twice: folded to ASCII, so that `nong nghiep` finds `Nông nghiệp`, and with
//! its diacritics, so that a query typed with accents ranks exact-accent matches first. Queries
//! are built term by term from the user's words — never parsed as query syntax — with typo
//! tolerance for longer words and prefix matching for the last one. The database is the source
//! of truth: each commit carries the position in the database's event log it reflects.

mod analyzer;
mod index;
mod query;

pub use index::{Change, Document, Opened, SCHEMA_VERSION, SearchIndex};
pub use query::{Hit, MAX_QUERY_WORDS, SearchQuery, SearchResults};

/// What went wrong in the index.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("search index: {0}")]
    Index(#[from] tantivy::TantivyError),
    #[error("search index directory {path}: {source}")]
    Directory { path: String, source: std::io::Error },
    #[error("search index: {0}")]
    Other(String),
}

pub type Result<T, E = SearchError> = std::result::Result<T, E>;
