//! Search at national scale: 100,000 organizations made by the demo generator, indexed by
//! ketnoi's search index (tantivy with the Vietnamese-aware analyzer) and, for comparison, by
//! SQLite FTS5 (`unicode61 remove_diacritics 2`) and PostgreSQL full-text search (`simple`,
//! with and without `unaccent`), then queried with the same few hundred queries.
//!
//! The queries come from the generated text itself: accented phrases of one to three words and
//! organization names, each also without diacritics and with one typo, half of them with
//! filters. For every engine the bench prints build time, size, latency (p50/p90/p99/max) and
//! recall@10 of the diacritic-free and typo variants against that engine's own top 10 for the
//! accented query.
//!
//! cargo bench --bench search                                   # ketnoi and SQLite FTS5
//! KETNOI_BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench cargo bench --bench search
//! KETNOI_BENCH_PROFILES=5000 cargo bench --bench search        # a quick run

use std::collections::{HashMap, HashSet};
use std::error::Error;
use std::fmt::Write as _;
use std::path::Path;
use std::time::{Duration, Instant};

use ketnoi_domain::import::{parse_investors, parse_startups};
use ketnoi_domain::money::Rates;
use ketnoi_domain::profile::ValidationContext;
use ketnoi_domain::text::fold;
use ketnoi_search::{Document, SearchIndex, SearchQuery};
use ketnoi_store::Store;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement, TransactionTrait, Value};

type BenchResult<T> = Result<T, Box<dyn Error>>;

const SEED: u64 = 2026;
/// Every document takes part in this event.
const EVENT: i64 = 1;
/// Results per query, as the API's first page.
const LIMIT: usize = 10;
/// Rows per INSERT statement when loading SQLite and PostgreSQL.
const BATCH: usize = 500;
/// Documents the vocabulary is sampled from.
const VOCABULARY_SAMPLE: usize = 20_000;
/// Phrases drawn from the vocabulary: accented of 1, 2 and 3 words, then ASCII of 1 and 2 words.
const ACCENTED_PICKS: [usize; 3] = [16, 24, 24];
const ASCII_PICKS: [usize; 2] = [4, 4];
/// Organization names looked up (accented ones).
const NAME_PICKS: usize = 12;
/// Phrases from the issue, used when the generated text has them.
const SEED_PHRASES: &[&str] =
    &["nông nghiệp", "cảng hải phòng", "đổi mới sáng tạo", "logistics", "ocop", "thực phẩm sạch"];
const STOPWORDS: &[&str] = &[
    "và", "cho", "của", "các", "với", "tại", "trong", "những", "là", "có", "được", "một", "để", "từ", "ra", "the",
    "and", "for", "of", "to", "in", "a", "an", "with", "at", "by", "on", "its", "our", "from", "into", "that",
];
const PG_TABLE: &str = "ketnoi_bench_search";

fn count(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

// ---------------------------------------------------------------------------------------------
// Queries

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Variant {
    Accented,
    Folded,
    Typo,
}

impl Variant {
    fn label(self) -> &'static str {
        match self {
            Variant::Accented => "accented",
            Variant::Folded => "no diacritics",
            Variant::Typo => "one typo",
        }
    }
}

#[derive(Debug, Clone, Default)]
struct Filters {
    kind: Option<String>,
    sector: Option<String>,
    stage: Option<String>,
    country: Option<String>,
    event: Option<i64>,
}

impl Filters {
    fn is_empty(&self) -> bool {
        self.kind.is_none()
            && self.sector.is_none()
            && self.stage.is_none()
            && self.country.is_none()
            && self.event.is_none()
    }

    fn describe(&self) -> String {
        let mut out = String::new();
        for (name, value) in [
            ("kind", self.kind.as_deref()),
            ("sector", self.sector.as_deref()),
            ("stage", self.stage.as_deref()),
            ("country", self.country.as_deref()),
        ] {
            if let Some(value) = value {
                let _ = write!(out, " {name}={value}");
            }
        }
        if let Some(event) = self.event {
            let _ = write!(out, " event={event}");
        }
        out
    }
}

#[derive(Debug, Clone)]
struct BenchQuery {
    /// The accented query this one is a variant of (an index into the query list).
    original: usize,
    variant: Variant,
    text: String,
    words: usize,
    /// For a name lookup, the organization looked up.
    target: Option<i64>,
    filters: Filters,
}

impl BenchQuery {
    fn describe(&self) -> String {
        format!("{:?}{} [{}]", self.text, self.filters.describe(), self.variant.label())
    }

    fn shapes(&self) -> Vec<&'static str> {
        let words = match self.words {
            1 => "1 word",
            2 => "2 words",
            _ => "3+ words",
        };
        let filtered = if self.filters.is_empty() { "no filter" } else { "with filters" };
        let source = if self.target.is_some() { "name lookup" } else { "phrase" };
        vec![self.variant.label(), words, filtered, source]
    }
}

/// Runs of lower-cased words between punctuation and line breaks, without words that hold
/// digits.
fn runs(text: &str) -> Vec<Vec<String>> {
    let mut runs = Vec::new();
    for clause in text.split(|c: char| !(c.is_alphanumeric() || c == ' ')) {
        let mut run = Vec::new();
        for word in clause.split_whitespace() {
            if word.chars().any(|c| c.is_numeric()) {
                if !run.is_empty() {
                    runs.push(std::mem::take(&mut run));
                }
            } else {
                run.push(word.to_lowercase());
            }
        }
        if !run.is_empty() {
            runs.push(run);
        }
    }
    runs
}

fn acceptable(words: &[String]) -> bool {
    let (Some(first), Some(last)) = (words.first(), words.last()) else { return false };
    !STOPWORDS.contains(&first.as_str())
        && !STOPWORDS.contains(&last.as_str())
        && (words.len() > 1 || first.chars().count() >= 3)
}

/// `count` items of `sorted` (most frequent first), denser among the frequent ones.
fn spread<T: Clone>(sorted: &[T], count: usize) -> Vec<T> {
    if sorted.is_empty() || count == 0 {
        return Vec::new();
    }
    let mut positions: Vec<usize> = (0..count)
        .map(|j| {
            let t = if count == 1 { 0.0 } else { j as f64 / (count - 1) as f64 };
            (t * t * (sorted.len() - 1) as f64).round() as usize
        })
        .collect();
    positions.dedup();
    positions.into_iter().map(|p| sorted[p].clone()).collect()
}

/// The letter next to `c` on a QWERTY keyboard (its base letter's neighbour when accented).
fn neighbour(c: char) -> char {
    let base = fold(&c.to_string()).chars().next().unwrap_or(c);
    let row = "qwertyuiopasdfghjklzxcvbnm";
    match row.find(base) {
        Some(at) => row[at + 1..].chars().next().unwrap_or('q'),
        None => 'x',
    }
}

/// One edit in the longest word of at least five letters: a substitution, a deletion, a
/// transposition or an insertion, in the middle of the word, chosen by `seed`.
fn typo(phrase: &str, seed: usize) -> Option<String> {
    let words: Vec<&str> = phrase.split(' ').collect();
    let (index, word) = words
        .iter()
        .enumerate()
        .filter(|(_, w)| w.chars().filter(|c| c.is_alphabetic()).count() >= 5)
        .max_by_key(|(i, w)| (w.chars().count(), std::cmp::Reverse(*i)))?;
    let chars: Vec<char> = word.chars().collect();
    let mid = chars.len() / 2;
    let substitute = |mut edited: Vec<char>| {
        edited[mid] = neighbour(chars[mid]);
        edited
    };
    let mut edited = chars.clone();
    match seed % 4 {
        0 => edited = substitute(edited),
        1 => {
            edited.remove(mid);
        }
        2 => edited.swap(mid, mid + 1),
        _ => edited.insert(mid, neighbour(chars[mid])),
    }
    let original: String = chars.iter().collect();
    if fold(&edited.iter().collect::<String>()) == fold(&original) {
        edited = substitute(chars.clone());
    }
    let mut words: Vec<String> = words.iter().map(|w| (*w).to_owned()).collect();
    words[index] = edited.into_iter().collect();
    Some(words.join(" "))
}

fn filters_for(shape: usize, doc: &Document) -> Filters {
    let kind = Some(doc.kind.clone());
    let sector = doc.sectors.first().cloned();
    let stage = doc.stages.first().cloned();
    let country = doc.countries.first().cloned();
    match shape % 5 {
        0 => Filters { kind, ..Filters::default() },
        1 => Filters { kind, sector, ..Filters::default() },
        2 => Filters { sector, stage, ..Filters::default() },
        3 => Filters { kind, country, ..Filters::default() },
        _ => Filters { kind, sector, stage, country, event: Some(EVENT) },
    }
}

/// The query set, built from the documents' own words: phrases at a spread of frequencies and
/// some names, each as typed with accents, without them and with one typo; each with no
/// filter and with filters matching a document that contains it.
fn build_queries(documents: &[Document]) -> Vec<BenchQuery> {
    // Document frequency of every 1- to 3-word phrase, and the first document holding it.
    let step = (documents.len() / VOCABULARY_SAMPLE).max(1);
    let mut frequency: HashMap<Vec<String>, (usize, usize)> = HashMap::new();
    for (at, doc) in documents.iter().enumerate().step_by(step) {
        let mut seen: HashSet<&[String]> = HashSet::new();
        let runs = runs(&format!("{}\n{}", doc.name, doc.body));
        for run in &runs {
            for n in 1..=3 {
                for window in run.windows(n) {
                    seen.insert(window);
                }
            }
        }
        for phrase in seen {
            frequency.entry(phrase.to_vec()).or_insert((0, at)).0 += 1;
        }
    }
    let mut candidates: Vec<(&Vec<String>, usize, usize)> = frequency
        .iter()
        .filter(|(words, (df, _))| *df >= 3 && acceptable(words))
        .map(|(words, (df, at))| (words, *df, *at))
        .collect();
    candidates.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));

    let mut phrases: Vec<(String, usize, bool)> = Vec::new();
    let push = |phrase: String, at: usize, name: bool, phrases: &mut Vec<(String, usize, bool)>| {
        if !phrases.iter().any(|(p, _, _)| *p == phrase) {
            phrases.push((phrase, at, name));
        }
    };
    for seed in SEED_PHRASES {
        let holder = documents
            .iter()
            .position(|doc| doc.name.to_lowercase().contains(seed) || doc.body.to_lowercase().contains(seed));
        match holder {
            Some(at) => push((*seed).to_owned(), at, false, &mut phrases),
            None => eprintln!("the phrase {seed:?} is not in the generated text; left out"),
        }
    }
    for (n, picks) in ACCENTED_PICKS.iter().enumerate() {
        let of_size: Vec<_> =
            candidates.iter().filter(|(w, _, _)| w.len() == n + 1 && w.iter().any(|w| !w.is_ascii())).collect();
        for (words, _, at) in spread(&of_size, *picks) {
            push(words.join(" "), *at, false, &mut phrases);
        }
    }
    for (n, picks) in ASCII_PICKS.iter().enumerate() {
        let of_size: Vec<_> =
            candidates.iter().filter(|(w, _, _)| w.len() == n + 1 && w.iter().all(|w| w.is_ascii())).collect();
        for (words, _, at) in spread(&of_size, *picks) {
            push(words.join(" "), *at, false, &mut phrases);
        }
    }
    for pick in 0..NAME_PICKS {
        let start = pick * documents.len() / NAME_PICKS;
        if let Some((at, doc)) = documents.iter().enumerate().skip(start).find(|(_, doc)| !doc.name.is_ascii()) {
            push(doc.name.clone(), at, true, &mut phrases);
        }
    }

    let mut queries = Vec::new();
    for (index, (phrase, at, name_lookup)) in phrases.iter().enumerate() {
        for filters in [Filters::default(), filters_for(index, &documents[*at])] {
            let original = queries.len();
            let words = phrase.split_whitespace().count();
            let query = |variant, text: String| BenchQuery {
                original,
                variant,
                text,
                words,
                target: name_lookup.then_some(documents[*at].id),
                filters: filters.clone(),
            };
            queries.push(query(Variant::Accented, phrase.clone()));
            let folded = fold(phrase);
            if folded != phrase.to_lowercase() {
                queries.push(query(Variant::Folded, folded));
            }
            if let Some(typo) = typo(phrase, index) {
                queries.push(query(Variant::Typo, typo));
            }
        }
    }
    queries
}

// ---------------------------------------------------------------------------------------------
// Measurements

/// One engine's figures.
#[derive(Debug)]
struct Run {
    engine: String,
    build: Option<Duration>,
    size_bytes: Option<u64>,
    size_note: String,
    latencies: Vec<Duration>,
    results: Vec<Vec<i64>>,
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1e3
}

#[derive(Debug, Default, Clone, Copy)]
struct Recall {
    mean: f64,
    counted: usize,
    empty: usize,
}

/// Recall@10 of `variant` against the accented query's own top 10, over the queries whose
/// accented top 10 is not empty (with `complete`, only those where it holds fewer than ten
/// results, i.e. every match, so that ties in ranking play no part); `empty` counts variants
/// that found nothing.
fn recall(queries: &[BenchQuery], results: &[Vec<i64>], variant: Variant, complete: bool) -> Recall {
    let mut recall = Recall::default();
    let mut sum = 0.0;
    for (query, found) in queries.iter().zip(results) {
        if query.variant != variant {
            continue;
        }
        let expected = &results[query.original];
        if expected.is_empty() || (complete && expected.len() >= LIMIT) {
            continue;
        }
        recall.counted += 1;
        if found.is_empty() {
            recall.empty += 1;
        }
        sum += found.iter().filter(|id| expected.contains(id)).count() as f64 / expected.len() as f64;
    }
    if recall.counted > 0 {
        recall.mean = sum / recall.counted as f64;
    }
    recall
}

fn status_kb(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with(field))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn rss_mb() -> f64 {
    status_kb("VmRSS:").unwrap_or(0) as f64 / 1024.0
}

fn dir_size(dir: &Path) -> std::io::Result<u64> {
    let mut total = 0;
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let meta = entry.metadata()?;
        total += if meta.is_dir() { dir_size(&entry.path())? } else { meta.len() };
    }
    Ok(total)
}

fn mb(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(str::trim)
                .map(String::from)
        })
        .unwrap_or_else(|| "unknown CPU".to_owned());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let memory = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|info| {
            info.lines().next().and_then(|l| l.split_whitespace().nth(1)).and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or_else(String::new, |kb| format!(", {:.0} GiB", kb / 1024.0 / 1024.0));
    format!("{cores} cores ({cpu}){memory}")
}

// ---------------------------------------------------------------------------------------------
// ketnoi's index

fn search_query(query: &BenchQuery) -> SearchQuery<'_> {
    SearchQuery {
        text: &query.text,
        kind: query.filters.kind.as_deref(),
        sector: query.filters.sector.as_deref(),
        stage: query.filters.stage.as_deref(),
        country: query.filters.country.as_deref(),
        event: query.filters.event,
        investor_type: None,
        ticket_usd: None,
        limit: LIMIT,
        offset: 0,
    }
}

struct KetnoiRun {
    run: Run,
    totals: Vec<usize>,
    rss_built_mb: f64,
    index: SearchIndex,
    _dir: tempfile::TempDir,
}

fn ketnoi(documents: &[Document], queries: &[BenchQuery]) -> BenchResult<KetnoiRun> {
    let dir = tempfile::tempdir()?;
    let copy = documents.to_vec();
    let started = Instant::now();
    let (index, _) = SearchIndex::open(dir.path())?;
    let indexed = index.rebuild(copy, "0.0", &|_n| {})?;
    let build = started.elapsed();
    let size = dir_size(dir.path())?;
    let segments = std::fs::read_dir(dir.path())?
        .filter_map(|e| e.ok())
        .filter(|e| e.path().extension().is_some_and(|ext| ext == "idx"))
        .count();
    let rss_built_mb = rss_mb();
    eprintln!("ketnoi: indexed {indexed} documents in {build:.2?}, {:.1} MB, {segments} segments", mb(size));

    for query in queries {
        index.search(&search_query(query))?;
    }
    let mut latencies = Vec::with_capacity(queries.len());
    let mut results = Vec::with_capacity(queries.len());
    let mut totals = Vec::with_capacity(queries.len());
    for query in queries {
        let started = Instant::now();
        let found = index.search(&search_query(query))?;
        latencies.push(started.elapsed());
        results.push(found.hits.iter().map(|hit| hit.id).collect());
        totals.push(found.total);
    }
    let run = Run {
        engine: "ketnoi (tantivy, in process)".to_owned(),
        build: Some(build),
        size_bytes: Some(size),
        size_note: format!("{segments} segments"),
        latencies,
        results,
    };
    Ok(KetnoiRun { run, totals, rss_built_mb, index, _dir: dir })
}

// ---------------------------------------------------------------------------------------------
// SQLite FTS5 and PostgreSQL

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sql {
    Fts5,
    Postgres,
    PostgresUnaccent,
}

/// An FTS5 query of the user's words, each quoted as a string (so no punctuation is syntax),
/// all required, the last one also as a prefix.
fn fts5_match(text: &str) -> Option<String> {
    let words: Vec<&str> = text.split_whitespace().filter(|w| w.chars().any(char::is_alphanumeric)).collect();
    let last = words.len().checked_sub(1)?;
    let quoted: Vec<String> = words
        .iter()
        .enumerate()
        .map(|(i, word)| {
            let quoted = format!("\"{}\"", word.replace('"', "\"\""));
            if i == last { quoted + "*" } else { quoted }
        })
        .collect();
    Some(quoted.join(" AND "))
}

/// ` a b ` for a list, so that one code is found with `' ' || code || ' '`.
fn padded(codes: &[String]) -> String {
    format!(" {} ", codes.join(" "))
}

fn sql_statement(engine: Sql, query: &BenchQuery) -> Option<Statement> {
    let f = &query.filters;
    let filters = [
        ("kind", f.kind.clone(), false),
        ("sectors", f.sector.as_ref().map(|s| format!(" {s} ")), true),
        ("stages", f.stage.as_ref().map(|s| format!(" {s} ")), true),
        ("countries", f.country.as_ref().map(|s| format!(" {s} ")), true),
    ];
    let mut values: Vec<Value> = Vec::new();
    let mut sql;
    match engine {
        Sql::Fts5 => {
            values.push(fts5_match(&query.text)?.into());
            if f.is_empty() {
                sql = "SELECT rowid FROM fts WHERE fts MATCH ?".to_owned();
            } else {
                sql = "SELECT fts.rowid FROM fts JOIN orgs ON orgs.id = fts.rowid WHERE fts MATCH ?".to_owned();
            }
            for (column, value, list) in filters {
                if let Some(value) = value {
                    if list {
                        let _ = write!(sql, " AND instr(orgs.{column}, ?) > 0");
                    } else {
                        let _ = write!(sql, " AND orgs.{column} = ?");
                    }
                    values.push(value.into());
                }
            }
            let _ = write!(sql, " ORDER BY bm25(fts) LIMIT {LIMIT}");
        }
        Sql::Postgres | Sql::PostgresUnaccent => {
            let (column, text) = if engine == Sql::Postgres { ("tsv", "$1") } else { ("tsv_u", "unaccent($1)") };
            values.push(query.text.clone().into());
            sql = format!("SELECT id FROM {PG_TABLE}, plainto_tsquery('simple', {text}) AS q WHERE {column} @@ q");
            for (name, value, list) in filters {
                if let Some(value) = value {
                    values.push(value.into());
                    let n = values.len();
                    if list {
                        let _ = write!(sql, " AND strpos({name}, ${n}) > 0");
                    } else {
                        let _ = write!(sql, " AND {name} = ${n}");
                    }
                }
            }
            let _ = write!(sql, " ORDER BY ts_rank({column}, q) DESC LIMIT {LIMIT}");
        }
    }
    let backend = if engine == Sql::Fts5 { DbBackend::Sqlite } else { DbBackend::Postgres };
    Some(Statement::from_sql_and_values(backend, sql, values))
}

async fn sql_search(db: &DatabaseConnection, engine: Sql, query: &BenchQuery) -> BenchResult<Vec<i64>> {
    let Some(statement) = sql_statement(engine, query) else { return Ok(Vec::new()) };
    let rows = db.query_all_raw(statement).await?;
    Ok(rows.iter().map(|row| row.try_get_by_index::<i64>(0)).collect::<Result<_, _>>()?)
}

async fn run_sql(
    db: &DatabaseConnection,
    engine: Sql,
    queries: &[BenchQuery],
) -> BenchResult<(Vec<Duration>, Vec<Vec<i64>>)> {
    let warmup = count("KETNOI_BENCH_WARMUP", queries.len());
    for query in queries.iter().take(warmup) {
        sql_search(db, engine, query).await?;
    }
    let mut latencies = Vec::with_capacity(queries.len());
    let mut results = Vec::with_capacity(queries.len());
    for query in queries {
        let started = Instant::now();
        let found = sql_search(db, engine, query).await?;
        latencies.push(started.elapsed());
        results.push(found);
    }
    Ok((latencies, results))
}

async fn scalar_text(db: &DatabaseConnection, backend: DbBackend, sql: &str) -> BenchResult<String> {
    let row = db.query_one_raw(Statement::from_string(backend, sql)).await?.ok_or("no row")?;
    Ok(row.try_get_by_index::<String>(0)?)
}

async fn scalar_i64(db: &DatabaseConnection, backend: DbBackend, sql: &str) -> BenchResult<i64> {
    let row = db.query_one_raw(Statement::from_string(backend, sql)).await?.ok_or("no row")?;
    Ok(row.try_get_by_index::<i64>(0)?)
}

/// `(?, ?, ?), (?, ?, ?)…` for SQLite.
fn sqlite_rows(rows: usize, columns: usize) -> String {
    let row = format!("({})", vec!["?"; columns].join(", "));
    vec![row; rows].join(", ")
}

async fn sqlite_fts5(documents: &[Document], queries: &[BenchQuery]) -> BenchResult<Option<Run>> {
    let dir = tempfile::tempdir()?;
    let store = Store::connect(&ketnoi_store::sqlite_file_url(&dir.path().join("fts.sqlite"))).await?;
    let db = store.connection();
    let sqlite = DbBackend::Sqlite;
    let version = scalar_text(db, sqlite, "SELECT sqlite_version()").await?;
    let has_fts5 = scalar_i64(db, sqlite, "SELECT sqlite_compileoption_used('ENABLE_FTS5')").await? == 1;
    println!("SQLite {version} (bundled by libsqlite3-sys through sqlx): FTS5 compiled in: {has_fts5}");
    if !has_fts5 {
        println!("SQLite FTS5 skipped: this SQLite lacks FTS5 (libsqlite3-sys's `bundled` feature enables it)");
        return Ok(None);
    }
    let started = Instant::now();
    db.execute_unprepared(
        "CREATE VIRTUAL TABLE fts USING fts5(name, body, tokenize = 'unicode61 remove_diacritics 2')",
    )
    .await?;
    db.execute_unprepared(
        "CREATE TABLE orgs (id INTEGER PRIMARY KEY, kind TEXT NOT NULL, sectors TEXT NOT NULL, \
         stages TEXT NOT NULL, countries TEXT NOT NULL)",
    )
    .await?;
    let transaction = db.begin().await?;
    for chunk in documents.chunks(BATCH) {
        let mut values: Vec<Value> = Vec::with_capacity(chunk.len() * 3);
        let mut meta: Vec<Value> = Vec::with_capacity(chunk.len() * 5);
        for doc in chunk {
            values.extend([doc.id.into(), doc.name.clone().into(), doc.body.clone().into()]);
            meta.extend([
                doc.id.into(),
                doc.kind.clone().into(),
                padded(&doc.sectors).into(),
                padded(&doc.stages).into(),
                padded(&doc.countries).into(),
            ]);
        }
        let sql = format!("INSERT INTO fts (rowid, name, body) VALUES {}", sqlite_rows(chunk.len(), 3));
        transaction.execute_raw(Statement::from_sql_and_values(sqlite, sql, values)).await?;
        let sql =
            format!("INSERT INTO orgs (id, kind, sectors, stages, countries) VALUES {}", sqlite_rows(chunk.len(), 5));
        transaction.execute_raw(Statement::from_sql_and_values(sqlite, sql, meta)).await?;
    }
    transaction.commit().await?;
    db.execute_unprepared("INSERT INTO fts(fts) VALUES ('optimize')").await?;
    let build = started.elapsed();
    db.execute_unprepared("PRAGMA wal_checkpoint(TRUNCATE)").await?;
    let size = dir_size(dir.path())?;
    eprintln!("SQLite FTS5: loaded in {build:.2?}, {:.1} MB", mb(size));
    let (latencies, results) = run_sql(db, Sql::Fts5, queries).await?;
    store.close().await?;
    Ok(Some(Run {
        engine: "SQLite FTS5 (unicode61 remove_diacritics 2)".to_owned(),
        build: Some(build),
        size_bytes: Some(size),
        size_note: "whole file, with a filter table".to_owned(),
        latencies,
        results,
    }))
}

async fn postgres(url: &str, documents: &[Document], queries: &[BenchQuery]) -> BenchResult<Vec<Run>> {
    let store = Store::connect(url).await?;
    let db = store.connection();
    let pg = DbBackend::Postgres;
    let version = scalar_text(db, pg, "SHOW server_version").await?;
    let unaccent = match db.execute_unprepared("CREATE EXTENSION IF NOT EXISTS unaccent").await {
        Ok(_) => {
            let sample = scalar_text(db, pg, "SELECT unaccent('Đổi mới sáng tạo, nông nghiệp, Hải Phòng')").await?;
            println!(
                "PostgreSQL {version}: unaccent available; unaccent('Đổi mới sáng tạo, nông nghiệp, Hải Phòng') = {sample:?}"
            );
            true
        }
        Err(error) => {
            println!("PostgreSQL {version}: unaccent NOT available ({error}); the unaccent variant is skipped");
            false
        }
    };
    db.execute_unprepared(&format!("DROP TABLE IF EXISTS {PG_TABLE}")).await?;
    let started = Instant::now();
    let unaccent_column = if unaccent { ", tsv_u tsvector" } else { "" };
    db.execute_unprepared(&format!(
        "CREATE TABLE {PG_TABLE} (id BIGINT PRIMARY KEY, kind TEXT NOT NULL, sectors TEXT NOT NULL, \
         stages TEXT NOT NULL, countries TEXT NOT NULL, name TEXT NOT NULL, body TEXT NOT NULL, \
         tsv tsvector GENERATED ALWAYS AS (to_tsvector('simple', name || ' ' || body)) STORED{unaccent_column})"
    ))
    .await?;
    let transaction = db.begin().await?;
    for chunk in documents.chunks(BATCH) {
        let mut values: Vec<Value> = Vec::with_capacity(chunk.len() * 7);
        let mut rows = Vec::with_capacity(chunk.len());
        for (i, doc) in chunk.iter().enumerate() {
            let n = i * 7;
            let p = |k: usize| format!("${}", n + k);
            let mut row = format!("({}, {}, {}, {}, {}, {}, {}", p(1), p(2), p(3), p(4), p(5), p(6), p(7));
            if unaccent {
                let _ = write!(row, ", to_tsvector('simple', unaccent({} || ' ' || {}))", p(6), p(7));
            }
            row.push(')');
            rows.push(row);
            values.extend([
                doc.id.into(),
                doc.kind.clone().into(),
                padded(&doc.sectors).into(),
                padded(&doc.stages).into(),
                padded(&doc.countries).into(),
                doc.name.clone().into(),
                doc.body.clone().into(),
            ]);
        }
        let columns = if unaccent { ", tsv_u" } else { "" };
        let sql = format!(
            "INSERT INTO {PG_TABLE} (id, kind, sectors, stages, countries, name, body{columns}) VALUES {}",
            rows.join(", ")
        );
        transaction.execute_raw(Statement::from_sql_and_values(pg, sql, values)).await?;
    }
    transaction.commit().await?;
    let loaded = started.elapsed();
    let index_started = Instant::now();
    db.execute_unprepared(&format!("CREATE INDEX {PG_TABLE}_tsv ON {PG_TABLE} USING gin (tsv)")).await?;
    let plain_index = index_started.elapsed();
    let unaccent_started = Instant::now();
    if unaccent {
        db.execute_unprepared(&format!("CREATE INDEX {PG_TABLE}_tsv_u ON {PG_TABLE} USING gin (tsv_u)")).await?;
    }
    let unaccent_index = unaccent_started.elapsed();
    db.execute_unprepared(&format!("VACUUM ANALYZE {PG_TABLE}")).await?;
    let table = scalar_i64(db, pg, &format!("SELECT pg_table_size('{PG_TABLE}')")).await? as u64;
    let gin = scalar_i64(db, pg, &format!("SELECT pg_relation_size('{PG_TABLE}_tsv')")).await? as u64;
    let gin_u = if unaccent {
        scalar_i64(db, pg, &format!("SELECT pg_relation_size('{PG_TABLE}_tsv_u')")).await? as u64
    } else {
        0
    };
    eprintln!(
        "PostgreSQL: loaded in {loaded:.2?} (both tsvector columns), GIN {plain_index:.2?} + {unaccent_index:.2?}, \
         table {:.1} MB, GIN {:.1} MB + {:.1} MB",
        mb(table),
        mb(gin),
        mb(gin_u)
    );
    let mut runs = Vec::new();
    let (latencies, results) = run_sql(db, Sql::Postgres, queries).await?;
    runs.push(Run {
        engine: format!("PostgreSQL {version} FTS ('simple', GIN)"),
        build: Some(loaded + plain_index),
        size_bytes: Some(table + gin),
        size_note: format!("table {:.0} MB (both tsvectors) + GIN {:.1} MB", mb(table), mb(gin)),
        latencies,
        results,
    });
    if unaccent {
        let (latencies, results) = run_sql(db, Sql::PostgresUnaccent, queries).await?;
        runs.push(Run {
            engine: format!("PostgreSQL {version} FTS + unaccent"),
            build: Some(loaded + unaccent_index),
            size_bytes: Some(table + gin_u),
            size_note: format!("table {:.0} MB (both tsvectors) + GIN {:.1} MB", mb(table), mb(gin_u)),
            latencies,
            results,
        });
    }
    db.execute_unprepared(&format!("DROP TABLE {PG_TABLE}")).await?;
    store.close().await?;
    Ok(runs)
}

// ---------------------------------------------------------------------------------------------
// Report

fn report(runs: &[Run], queries: &[BenchQuery]) {
    let Some(base) = runs.first() else { return };
    let base_sorted = sorted(&base.latencies);
    println!();
    println!(
        "| engine | build | size | p50 | p90 | p99 | max | recall@10 no diacritics | recall@10 one typo | \
         same, complete sets only | no result: no diacritics / typo |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for run in runs {
        let s = sorted(&run.latencies);
        let folded = recall(queries, &run.results, Variant::Folded, false);
        let typo = recall(queries, &run.results, Variant::Typo, false);
        let folded_complete = recall(queries, &run.results, Variant::Folded, true);
        let typo_complete = recall(queries, &run.results, Variant::Typo, true);
        println!(
            "| {} | {} | {} | {:.2} ms | {:.2} ms | {:.2} ms | {:.2} ms | {:.2} ({} q) | {:.2} ({} q) | \
             {:.2} ({} q) / {:.2} ({} q) | {} / {} |",
            run.engine,
            run.build.map_or_else(|| "—".to_owned(), |b| format!("{:.1} s", b.as_secs_f64())),
            run.size_bytes.map_or_else(|| "—".to_owned(), |b| format!("{:.0} MB", mb(b))),
            ms(percentile(&s, 0.5)),
            ms(percentile(&s, 0.9)),
            ms(percentile(&s, 0.99)),
            ms(percentile(&s, 1.0)),
            folded.mean,
            folded.counted,
            typo.mean,
            typo.counted,
            folded_complete.mean,
            folded_complete.counted,
            typo_complete.mean,
            typo_complete.counted,
            folded.empty,
            typo.empty,
        );
    }
    println!();
    println!("Sizes: {}", runs.iter().map(|r| format!("{}: {}", r.engine, r.size_note)).collect::<Vec<_>>().join("; "));
    println!();
    println!("| engine vs ketnoi | p50 ratio | p99 ratio |");
    println!("|---|---:|---:|");
    for run in &runs[1..] {
        let s = sorted(&run.latencies);
        println!(
            "| {} | {:.1}× | {:.1}× |",
            run.engine,
            ms(percentile(&s, 0.5)) / ms(percentile(&base_sorted, 0.5)),
            ms(percentile(&s, 0.99)) / ms(percentile(&base_sorted, 0.99)),
        );
    }

    // Latency by query shape, p50 / p99 in ms.
    let shapes = [
        "accented",
        "no diacritics",
        "one typo",
        "1 word",
        "2 words",
        "3+ words",
        "no filter",
        "with filters",
        "phrase",
        "name lookup",
    ];
    println!();
    let header: Vec<String> = runs.iter().map(|r| r.engine.clone()).collect();
    println!("| shape (queries) | {} |", header.join(" | "));
    println!("|---|{}", "---:|".repeat(runs.len()));
    for shape in shapes {
        let chosen: Vec<usize> = (0..queries.len()).filter(|i| queries[*i].shapes().contains(&shape)).collect();
        let cells: Vec<String> = runs
            .iter()
            .map(|run| {
                let s = sorted(&chosen.iter().map(|i| run.latencies[*i]).collect::<Vec<_>>());
                format!("{:.2} / {:.2}", ms(percentile(&s, 0.5)), ms(percentile(&s, 0.99)))
            })
            .collect();
        println!("| {shape} ({}) | {} |", chosen.len(), cells.join(" | "));
    }

    // Name lookups: is the organization found, and first?
    println!();
    println!("| engine | name looked up: in top 10 (accented / no diacritics / one typo) | at rank 1 (same) |");
    println!("|---|---:|---:|");
    for run in runs {
        let mut in_top = Vec::new();
        let mut first = Vec::new();
        for variant in [Variant::Accented, Variant::Folded, Variant::Typo] {
            let (mut asked, mut found_it, mut ranked_first) = (0, 0, 0);
            for (query, found) in queries.iter().zip(&run.results) {
                let Some(target) = query.target else { continue };
                if query.variant != variant {
                    continue;
                }
                asked += 1;
                found_it += usize::from(found.contains(&target));
                ranked_first += usize::from(found.first() == Some(&target));
            }
            in_top.push(format!("{found_it}/{asked}"));
            first.push(format!("{ranked_first}/{asked}"));
        }
        println!("| {} | {} | {} |", run.engine, in_top.join(" / "), first.join(" / "));
    }
}

/// Variants for which ketnoi found nothing although the accented query found something.
fn misses(run: &Run, queries: &[BenchQuery]) {
    let missed: Vec<&BenchQuery> = queries
        .iter()
        .zip(&run.results)
        .filter(|(query, found)| {
            query.variant != Variant::Accented && found.is_empty() && !run.results[query.original].is_empty()
        })
        .map(|(query, _)| query)
        .collect();
    println!();
    println!("ketnoi found nothing for {} variants whose accented query found something:", missed.len());
    for query in missed.iter().take(24) {
        println!("  {} (accented: {:?})", query.describe(), queries[query.original].text);
    }
}

fn sorted(latencies: &[Duration]) -> Vec<Duration> {
    let mut sorted = latencies.to_vec();
    sorted.sort();
    sorted
}

/// ketnoi's slowest queries, each re-timed (median of 5) to tell a slow shape from noise.
fn slowest(index: &SearchIndex, run: &Run, totals: &[usize], queries: &[BenchQuery]) -> BenchResult<()> {
    let mut order: Vec<usize> = (0..queries.len()).collect();
    order.sort_by(|a, b| run.latencies[*b].cmp(&run.latencies[*a]));
    println!();
    println!("ketnoi's 12 slowest queries (first timing; median of 5 re-runs; matching documents):");
    for i in order.into_iter().take(12) {
        let mut again = Vec::with_capacity(5);
        for _ in 0..5 {
            let started = Instant::now();
            index.search(&search_query(&queries[i]))?;
            again.push(started.elapsed());
        }
        let again = sorted(&again);
        println!(
            "  {:>7.2} ms  {:>7.2} ms  {:>6}  {}",
            ms(run.latencies[i]),
            ms(percentile(&again, 0.5)),
            totals[i],
            queries[i].describe()
        );
    }
    Ok(())
}

fn main() -> BenchResult<()> {
    if std::env::args().any(|arg| arg == "--list") {
        return Ok(());
    }
    let profiles = count("KETNOI_BENCH_PROFILES", 100_000);
    let investors = count("KETNOI_BENCH_INVESTORS", profiles / 10);
    let startups = profiles.saturating_sub(investors);
    println!("search bench: {startups} startups + {investors} investors, on {}", machine());

    let started = Instant::now();
    let csv = ketnoi_domain::demo::generate(SEED, startups, investors);
    let rates = Rates::vietnam_default();
    let context = ValidationContext { current_year: 2026, rates: Some(&rates) };
    let mut rows = parse_startups("startups.csv", csv.startups.as_bytes(), &context)?;
    rows.extend(parse_investors("investors.csv", csv.investors.as_bytes(), &context)?);
    drop(csv);
    let documents: Vec<Document> =
        rows.iter().zip(1..).map(|(row, id)| Document::from_profile(id, &row.profile, vec![EVENT])).collect();
    drop(rows);
    eprintln!("generated and parsed {} profiles in {:.2?}", documents.len(), started.elapsed());

    let queries = build_queries(&documents);
    let variants = |v| queries.iter().filter(|q| q.variant == v).count();
    println!(
        "{} queries: {} accented, {} without diacritics, {} with one typo; {} with filters",
        queries.len(),
        variants(Variant::Accented),
        variants(Variant::Folded),
        variants(Variant::Typo),
        queries.iter().filter(|q| !q.filters.is_empty()).count()
    );
    if std::env::var_os("KETNOI_BENCH_SHOW_QUERIES").is_some() {
        for query in &queries {
            println!("  {}", query.describe());
        }
    }

    let rss_before = rss_mb();
    let ketnoi = ketnoi(&documents, &queries)?;
    let rss_queried = rss_mb();
    let peak = status_kb("VmHWM:").unwrap_or(0) as f64 / 1024.0;
    println!(
        "bench process VmRSS: {rss_before:.0} MB with the documents in memory, {:.0} MB after the index build, \
         {rss_queried:.0} MB after the queries (index-level: +{:.0} MB); peak so far {peak:.0} MB",
        ketnoi.rss_built_mb,
        rss_queried - rss_before
    );
    slowest(&ketnoi.index, &ketnoi.run, &ketnoi.totals, &queries)?;
    misses(&ketnoi.run, &queries);
    let mut runs = vec![ketnoi.run];
    drop(ketnoi.index);

    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    runtime.block_on(async {
        if let Some(run) = sqlite_fts5(&documents, &queries).await? {
            runs.push(run);
        }
        match std::env::var("KETNOI_BENCH_DATABASE_URL") {
            Ok(url) => runs.extend(postgres(&url, &documents, &queries).await?),
            Err(_) => println!("PostgreSQL skipped: set KETNOI_BENCH_DATABASE_URL to include it"),
        }
        Ok::<_, Box<dyn Error>>(())
    })?;

    report(&runs, &queries);
    println!();
    println!("whole bench: {:.1} s", started.elapsed().as_secs_f64());
    Ok(())
}
