//! The index: schema, opening (or recreating) it on disk, applying changes with the position
//! in the database's event log they bring it to, and rebuilding it whole.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use ketnoi_domain::money::{Currency, Money, Rates};
use ketnoi_domain::profile::{Details, Profile};
use ketnoi_domain::taxonomy::Language;
use tantivy::directory::MmapDirectory;
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions, Value,
};
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};
use unicode_normalization::UnicodeNormalization;

use crate::analyzer::{self, ACCENTED, FOLDED};
use crate::{Result, SearchError};

/// Bumped whenever the schema, the analyzers or what documents hold change: an index of
/// another version is rebuilt.
pub const SCHEMA_VERSION: u32 = 4;

/// Memory the writer may buffer before flushing a segment.
const WRITER_MEMORY_BYTES: usize = 64 * 1024 * 1024;

/// An organization as the index sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    pub id: i64,
    /// `startup` or `investor`.
    pub kind: String,
    pub name: String,
    /// Sector codes.
    pub sectors: Vec<String>,
    /// Stage codes: a startup's stage, or the stages an investor invests at.
    pub stages: Vec<String>,
    /// Country codes: a startup's country, or an investor's countries of interest.
    pub countries: Vec<String>,
    /// The events the organization takes part in.
    pub events: Vec<i64>,
    /// An investor's type code.
    pub investor_type: Option<String>,
    /// An investor's ticket range in whole US dollars (indicative rates), when public.
    pub ticket_usd: Option<(i64, i64)>,
    /// Sector labels in every language, searchable but not shown.
    pub labels: String,
    /// The description or thesis: searched, and the source of snippets.
    pub body: String,
}

impl Document {
    pub fn from_profile(id: i64, profile: &Profile, events: Vec<i64>) -> Document {
        let mut labels = Vec::new();
        for sector in &profile.sectors {
            for language in Language::ALL {
                labels.push(sector.label(language));
            }
            labels.push(sector.code());
        }
        let mut investor_type = None;
        let mut ticket_usd = None;
        let (stages, countries, body) = match &profile.details {
            Details::Startup(startup) => (
                vec![startup.stage.code().to_owned()],
                profile.country.iter().map(ToString::to_string).collect(),
                [profile.description.as_str(), profile.province.as_str()].join("\n"),
            ),
            Details::Investor(investor) => {
                investor_type = Some(investor.investor_type.code().to_owned());
                ticket_usd = investor.ticket.and_then(|ticket| {
                    let rates = Rates::vietnam_default();
                    let usd = |amount| rates.convert(Money::new(amount, ticket.currency), Currency::USD).ok();
                    Some((usd(ticket.min)?.amount, usd(ticket.max)?.amount))
                });
                (
                    investor.stages.iter().map(|stage| stage.code().to_owned()).collect(),
                    investor.countries.iter().map(ToString::to_string).collect(),
                    [investor.thesis.as_str(), profile.description.as_str()].join("\n"),
                )
            }
        };
        Document {
            id,
            kind: profile.kind().as_str().to_owned(),
            name: profile.name.clone(),
            sectors: profile.sectors.iter().map(|sector| sector.code().to_owned()).collect(),
            stages,
            countries,
            events,
            investor_type,
            ticket_usd,
            labels: labels.join(" "),
            body: body.trim().to_owned(),
        }
    }
}

impl Document {
    /// The document of an organization whose funding figures are private: its ticket cannot
    /// be filtered on, so that a filter tells nothing about it.
    pub fn without_funding(self) -> Document {
        Document { ticket_usd: None, ..self }
    }
}

/// A change to apply.
#[derive(Debug, Clone)]
#[expect(
    clippy::large_enum_variant,
    reason = "changes move by value in batches; a box would add one allocation per document"
)]
pub enum Change {
    Upsert(Document),
    Delete(i64),
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct Fields {
    pub id: Field,
    pub kind: Field,
    pub sector: Field,
    pub stage: Field,
    pub country: Field,
    pub event: Field,
    pub investor_type: Field,
    pub ticket_min: Field,
    pub ticket_max: Field,
    pub name: Field,
    pub name_accent: Field,
    pub labels: Field,
    pub body: Field,
    pub body_accent: Field,
}

fn schema() -> (Schema, Fields) {
    let mut builder = Schema::builder();
    let text = |analyzer: &str, stored: bool| {
        let indexing = TextFieldIndexing::default()
            .set_tokenizer(analyzer)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions);
        let options = TextOptions::default().set_indexing_options(indexing);
        if stored { options.set_stored() } else { options }
    };
    let fields = Fields {
        id: builder.add_i64_field("id", INDEXED | STORED | FAST),
        kind: builder.add_text_field("kind", STRING),
        sector: builder.add_text_field("sector", STRING),
        stage: builder.add_text_field("stage", STRING),
        country: builder.add_text_field("country", STRING),
        event: builder.add_i64_field("event", INDEXED),
        investor_type: builder.add_text_field("investor_type", STRING),
        ticket_min: builder.add_i64_field("ticket_min", INDEXED | FAST),
        ticket_max: builder.add_i64_field("ticket_max", INDEXED | FAST),
        name: builder.add_text_field("name", text(FOLDED, true)),
        name_accent: builder.add_text_field("name_accent", text(ACCENTED, false)),
        labels: builder.add_text_field("labels", text(FOLDED, false)),
        body: builder.add_text_field("body", text(FOLDED, true)),
        body_accent: builder.add_text_field("body_accent", text(ACCENTED, false)),
    };
    (builder.build(), fields)
}

fn register_analyzers(index: &Index) {
    index.tokenizers().register(FOLDED, analyzer::folded());
    index.tokenizers().register(ACCENTED, analyzer::accented());
}

/// How an index on disk was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Opened {
    /// A current index: apply the log after this position (the caller's, as it wrote it).
    Resumed { position: String },
    /// A new, empty index: rebuild it from the database. Says why.
    NeedsRebuild { reason: String },
}

fn payload(position: &str) -> String {
    format!("ketnoi-search v{SCHEMA_VERSION} position {position}")
}

fn parse_payload(payload: &str) -> Option<(u32, String)> {
    let rest = payload.strip_prefix("ketnoi-search v")?;
    let (version, position) = rest.split_once(" position ")?;
    Some((version.parse().ok()?, position.to_owned()))
}

/// The last generation handed out, by any index of the process.
static GENERATIONS: AtomicU64 = AtomicU64::new(0);

/// A generation no index had before in this process.
fn next_generation() -> u64 {
    GENERATIONS.fetch_add(1, Ordering::Relaxed) + 1
}

/// The organizations index.
pub struct SearchIndex {
    pub(crate) index: Index,
    pub(crate) reader: IndexReader,
    writer: Mutex<IndexWriter>,
    pub(crate) fields: Fields,
    dir: Option<PathBuf>,
    /// Changes with each commit searches see, and differs between indexes.
    generation: AtomicU64,
    /// The files of the committed segments as the last commit left them (length, modified):
    /// tantivy writes a segment's files once, so one that changes later was damaged.
    files: Mutex<Vec<(PathBuf, u64, std::time::SystemTime)>>,
}

impl std::fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchIndex").field("dir", &self.dir).finish_non_exhaustive()
    }
}

impl SearchIndex {
    fn from_index(index: Index, fields: Fields, dir: Option<PathBuf>) -> Result<SearchIndex> {
        register_analyzers(&index);
        let writer = index.writer_with_num_threads(1, WRITER_MEMORY_BYTES)?;
        let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
        let index = SearchIndex {
            index,
            reader,
            writer: Mutex::new(writer),
            fields,
            dir,
            generation: AtomicU64::new(next_generation()),
            files: Mutex::default(),
        };
        index.note_files();
        Ok(index)
    }

    /// An index in memory, for tests and benchmarks.
    pub fn in_memory() -> Result<SearchIndex> {
        let (schema, fields) = schema();
        SearchIndex::from_index(Index::create_in_ram(schema), fields, None)
    }

    /// Opens the index in `dir`, or makes a new empty one there when it is missing, corrupt or of
    /// another schema version — the caller then rebuilds it from the database.
    pub fn open(dir: &Path) -> Result<(SearchIndex, Opened)> {
        let io = |source| SearchError::Directory { path: dir.display().to_string(), source };
        std::fs::create_dir_all(dir).map_err(io)?;
        let (schema, fields) = schema();
        let empty = std::fs::read_dir(dir).map_err(io)?.next().is_none();
        let reason = if empty {
            "there is no index yet".to_owned()
        } else {
            match Self::open_existing(dir, fields) {
                Ok((index, position)) => return Ok((index, Opened::Resumed { position })),
                Err(reason) => {
                    tracing::warn!(dir = %dir.display(), %reason, "search index unusable, rebuilding it");
                    std::fs::remove_dir_all(dir).map_err(io)?;
                    std::fs::create_dir_all(dir).map_err(io)?;
                    reason
                }
            }
        };
        let directory = MmapDirectory::open(dir).map_err(|e| SearchError::Other(e.to_string()))?;
        let index = Index::create(directory, schema, tantivy::IndexSettings::default())?;
        Ok((SearchIndex::from_index(index, fields, Some(dir.to_owned()))?, Opened::NeedsRebuild { reason }))
    }

    fn open_existing(dir: &Path, fields: Fields) -> std::result::Result<(SearchIndex, String), String> {
        let index = Index::open_in_dir(dir).map_err(|e| format!("cannot open it: {e}"))?;
        let metas = index.load_metas().map_err(|e| format!("cannot read its metadata: {e}"))?;
        let (version, position) = match metas.payload.as_deref().and_then(parse_payload) {
            Some(found) => found,
            None => return Err("it records no log position".to_owned()),
        };
        if version != SCHEMA_VERSION {
            return Err(format!("it has schema version {version}, this ketnoi uses {SCHEMA_VERSION}"));
        }
        if index.schema() != schema().0 {
            return Err("its schema differs from this ketnoi's".to_owned());
        }
        let opened = SearchIndex::from_index(index, fields, Some(dir.to_owned())).map_err(|e| e.to_string())?;
        // Reading every segment's documents proves the files are whole.
        let searcher = opened.reader.searcher();
        for segment in searcher.segment_readers() {
            let store = segment.get_store_reader(1).map_err(|e| format!("a segment is unreadable: {e}"))?;
            if segment.max_doc() > 0 {
                store.get::<TantivyDocument>(0).map_err(|e| format!("a segment is unreadable: {e}"))?;
            }
        }
        Ok((opened, position))
    }

    /// What searches read: the same number means the same answers, a new one that they may
    /// have changed (a commit, or another index). Unique within the process.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// The log position of the last commit, if any.
    pub fn position(&self) -> Option<String> {
        self.index.load_metas().ok()?.payload.as_deref().and_then(parse_payload).map(|(_, position)| position)
    }

    /// The number of documents visible to searches.
    pub fn len(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn to_tantivy(&self, document: &Document) -> TantivyDocument {
        let f = self.fields;
        let name: String = document.name.nfc().collect();
        let body: String = document.body.nfc().collect();
        let mut doc = TantivyDocument::default();
        doc.add_i64(f.id, document.id);
        doc.add_text(f.kind, &document.kind);
        for sector in &document.sectors {
            doc.add_text(f.sector, sector);
        }
        for stage in &document.stages {
            doc.add_text(f.stage, stage);
        }
        for country in &document.countries {
            doc.add_text(f.country, country);
        }
        for event in &document.events {
            doc.add_i64(f.event, *event);
        }
        if let Some(investor_type) = &document.investor_type {
            doc.add_text(f.investor_type, investor_type);
        }
        if let Some((min, max)) = document.ticket_usd {
            doc.add_i64(f.ticket_min, min);
            doc.add_i64(f.ticket_max, max);
        }
        doc.add_text(f.name, &name);
        doc.add_text(f.name_accent, &name);
        doc.add_text(f.labels, &document.labels);
        doc.add_text(f.body, &body);
        doc.add_text(f.body_accent, &body);
        doc
    }

    fn lock(&self) -> Result<std::sync::MutexGuard<'_, IndexWriter>> {
        self.writer.lock().map_err(|_| SearchError::Other("the index writer panicked earlier".to_owned()))
    }

    fn commit(&self, writer: &mut IndexWriter, position: &str) -> Result<()> {
        let mut prepared = writer.prepare_commit()?;
        prepared.set_payload(&payload(position));
        prepared.commit()?;
        self.reader.reload()?;
        self.generation.store(next_generation(), Ordering::Release);
        self.note_files();
        Ok(())
    }

    /// Notes the committed segments' files as they are now.
    fn note_files(&self) {
        let Some(dir) = &self.dir else { return };
        let mut files = Vec::new();
        use tantivy::index::SegmentComponent::{Delete, FastFields, FieldNorms, Positions, Postings, Store, Terms};
        for meta in self.index.searchable_segment_metas().unwrap_or_default() {
            let deletes = meta.has_deletes().then_some(Delete);
            for component in [Postings, Positions, Terms, Store, FastFields, FieldNorms].into_iter().chain(deletes) {
                let path = dir.join(meta.relative_path(component));
                if let Ok(stat) = std::fs::metadata(&path)
                    && let Ok(modified) = stat.modified()
                {
                    files.push((path, stat.len(), modified));
                }
            }
        }
        *self.files.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = files;
    }

    /// Whether the committed segments' files are as the last commit left them: the first one
    /// written over since, if not. One deleted since (merged away) is not a change.
    pub fn changed_file(&self) -> Option<PathBuf> {
        let files = self.files.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        files.iter().find_map(|(path, len, modified)| {
            let stat = std::fs::metadata(path).ok()?;
            (stat.len() != *len || stat.modified().ok()? != *modified).then(|| path.clone())
        })
    }

    /// Applies changes in order and commits them with `position`, the place in the caller's
    /// log they bring the index to (kept as text, given back by [`SearchIndex::open`]).
    pub fn apply(&self, changes: impl IntoIterator<Item = Change>, position: &str) -> Result<()> {
        let mut writer = self.lock()?;
        for change in changes {
            let id = match &change {
                Change::Upsert(document) => document.id,
                Change::Delete(id) => *id,
            };
            writer.delete_term(Term::from_field_i64(self.fields.id, id));
            if let Change::Upsert(document) = change {
                writer.add_document(self.to_tantivy(&document))?;
            }
        }
        self.commit(&mut writer, position)
    }

    /// Replaces the whole index with `documents`, reflecting the log up to `position`.
    /// `progress` is told how many documents are in, every thousand.
    pub fn rebuild(
        &self,
        documents: impl IntoIterator<Item = Document>,
        position: &str,
        progress: &dyn Fn(u64),
    ) -> Result<u64> {
        let mut writer = self.lock()?;
        writer.delete_all_documents()?;
        let mut count = 0;
        for document in documents {
            writer.add_document(self.to_tantivy(&document))?;
            count += 1;
            if count % 1000 == 0 {
                progress(count);
            }
        }
        self.commit(&mut writer, position)?;
        progress(count);
        Ok(count)
    }

    /// The directory the index lives in, when it is on disk.
    pub fn dir(&self) -> Option<&Path> {
        self.dir.as_deref()
    }

    pub(crate) fn stored_id(&self, doc: &TantivyDocument) -> Option<i64> {
        doc.get_first(self.fields.id).and_then(|value| value.as_i64())
    }
}

impl SearchIndex {
    /// Every indexed organization as (id, name), by id: for checking the index against the
    /// database.
    pub fn stored(&self) -> Result<Vec<(i64, String)>> {
        let searcher = self.reader.searcher();
        let mut stored = Vec::new();
        for (segment_ord, segment) in searcher.segment_readers().iter().enumerate() {
            let alive = segment.alive_bitset();
            for doc_id in 0..segment.max_doc() {
                if alive.is_some_and(|bits| !bits.is_alive(doc_id)) {
                    continue;
                }
                let doc: TantivyDocument = searcher.doc(tantivy::DocAddress::new(segment_ord as u32, doc_id))?;
                let name = doc.get_first(self.fields.name).and_then(|v| v.as_str()).unwrap_or_default().to_owned();
                if let Some(id) = self.stored_id(&doc) {
                    stored.push((id, name));
                }
            }
        }
        stored.sort();
        Ok(stored)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payload_round_trip() {
        assert_eq!(parse_payload(&payload("42.7")), Some((SCHEMA_VERSION, "42.7".to_owned())));
        assert_eq!(parse_payload("something else"), None);
    }

    #[test]
    fn reopens_current_and_rebuilds_outdated_or_corrupt() {
        let dir = tempfile::tempdir().unwrap();
        let (index, opened) = SearchIndex::open(dir.path()).unwrap();
        assert_eq!(opened, Opened::NeedsRebuild { reason: "there is no index yet".to_owned() });
        index.rebuild(Vec::new(), "7.1", &|_| {}).unwrap();
        drop(index);
        let (index, opened) = SearchIndex::open(dir.path()).unwrap();
        assert_eq!(opened, Opened::Resumed { position: "7.1".to_owned() });

        // An index written by another schema version is rebuilt.
        {
            let mut writer = index.lock().unwrap();
            let mut prepared = writer.prepare_commit().unwrap();
            prepared.set_payload("ketnoi-search v0 position 9");
            prepared.commit().unwrap();
        }
        drop(index);
        let (index, opened) = SearchIndex::open(dir.path()).unwrap();
        assert_eq!(
            opened,
            Opened::NeedsRebuild { reason: format!("it has schema version 0, this ketnoi uses {SCHEMA_VERSION}") }
        );
        index.rebuild(Vec::new(), "9.2", &|_| {}).unwrap();
        drop(index);

        std::fs::write(dir.path().join("meta.json"), b"garbage").unwrap();
        let (_, opened) = SearchIndex::open(dir.path()).unwrap();
        assert!(
            matches!(opened, Opened::NeedsRebuild { ref reason } if reason.starts_with("cannot open it")),
            "{opened:?}"
        );
    }
}
