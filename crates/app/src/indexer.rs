//! The search index as a consumer of the event log: rebuilt whole when it is missing, corrupt
//! or outdated, and otherwise brought up to date from the log position its last commit
//! recorded. A crash loses nothing: the next start re-applies what was not committed.
//!
//! An index lost while the server runs (its directory deleted, or a commit to it failing) is
//! rebuilt from the database in a fresh directory in the background; searches go on answering
//! from the index as it was opened until the new one replaces it, and `/readyz` says that the
//! index is being rebuilt. An index damaged in place (a segment's file written over, which
//! tantivy never does, or a search failing on it) is not searched again: until its
//! replacement is built, searches match names in the database.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex as StdMutex, RwLock};
use std::time::Duration;

use ketnoi_search::{Change, Document, Opened, SearchIndex};
use ketnoi_store::{LogPosition, Organization, Store};
use tokio::sync::Mutex;

/// Log rows applied per index commit.
const BATCH: u64 = 1_000;
/// How often the running service looks for new rows of the log.
pub const POLL_INTERVAL: Duration = Duration::from_millis(250);
/// The wait after a failed rebuild of a lost index, doubled after each failure up to the max.
const REPLACE_BACKOFF_FIRST: Duration = Duration::from_secs(1);
const REPLACE_BACKOFF_MAX: Duration = Duration::from_secs(60);

#[derive(Debug, thiserror::Error)]
pub enum IndexerError {
    #[error(transparent)]
    Store(#[from] ketnoi_store::StoreError),
    #[error(transparent)]
    Search(#[from] ketnoi_search::SearchError),
    #[error("the index task stopped: {0}")]
    Task(#[from] tokio::task::JoinError),
}

/// The index and the log position it reflects.
#[derive(Debug)]
pub struct Indexer {
    store: Store,
    index: RwLock<Arc<SearchIndex>>,
    /// Where the index lives, when it was opened from a directory: watched while serving.
    dir: Option<PathBuf>,
    position: StdMutex<LogPosition>,
    /// One catch-up or rebuild at a time.
    running: Mutex<()>,
    /// Whether opening found the index unusable and rebuilt it.
    rebuilt_at_open: bool,
    /// Whether the index was lost while serving and a new one is being built.
    rebuilding: AtomicBool,
    /// Why the index searches would read is damaged (its files written over, a search failing
    /// on it), until a new one replaces it: meanwhile it is not searched.
    damaged: StdMutex<Option<String>>,
}

impl Indexer {
    /// Opens the index in `dir`, rebuilding it from the database when needed, then applies the
    /// rows of the log it has not seen.
    pub async fn open(store: Store, dir: &Path, progress: &(dyn Fn(u64) + Sync)) -> Result<Indexer, IndexerError> {
        let dir = dir.to_owned();
        let opening = dir.clone();
        let (index, opened) = tokio::task::spawn_blocking(move || SearchIndex::open(&opening)).await??;
        let mut indexer = Indexer::new(store, Arc::new(index), LogPosition::START);
        indexer.dir = Some(dir);
        let resumed = match opened {
            Opened::Resumed { position } => match position.parse::<LogPosition>() {
                Ok(position) => Ok(position),
                Err(reason) => Err(reason),
            },
            Opened::NeedsRebuild { reason } => Err(reason),
        };
        match resumed {
            Ok(position) => {
                indexer.set_position(position);
                let applied = indexer.catch_up().await?;
                tracing::info!(%position, applied, documents = indexer.index().len(), "search index resumed");
            }
            Err(reason) => {
                tracing::info!(%reason, "building the search index from the database");
                let count = indexer.rebuild(progress).await?;
                indexer.rebuilt_at_open = true;
                tracing::info!(documents = count, "search index built");
            }
        }
        Ok(indexer)
    }

    /// An indexer over an index already at `position`.
    pub fn new(store: Store, index: Arc<SearchIndex>, position: LogPosition) -> Indexer {
        Indexer {
            store,
            index: RwLock::new(index),
            dir: None,
            position: StdMutex::new(position),
            running: Mutex::new(()),
            rebuilt_at_open: false,
            rebuilding: AtomicBool::new(false),
            damaged: StdMutex::new(None),
        }
    }

    /// Whether [`Indexer::open`] had to rebuild the index from the database.
    pub fn rebuilt_at_open(&self) -> bool {
        self.rebuilt_at_open
    }

    /// The index searches read now.
    pub fn index(&self) -> Arc<SearchIndex> {
        Arc::clone(&self.index.read().unwrap_or_else(std::sync::PoisonError::into_inner))
    }

    /// Whether the index was lost while serving and its replacement is being built.
    pub fn rebuilding(&self) -> bool {
        self.rebuilding.load(Ordering::SeqCst)
    }

    /// The index to search, unless it is damaged: then none until its replacement is built.
    pub fn usable(&self) -> Option<Arc<SearchIndex>> {
        self.damage().is_none().then(|| self.index())
    }

    /// Why the index is damaged, while it is.
    pub fn damage(&self) -> Option<String> {
        self.damaged.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone()
    }

    /// Marks the index damaged (a search failed on it): it is not searched again, and the
    /// running service builds a new one.
    pub fn damaged(&self, why: String) {
        let mut damaged = self.damaged.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if damaged.is_none() {
            tracing::error!(why, "search index damaged: searching names in the database until it is rebuilt");
            *damaged = Some(why);
        }
    }

    /// The log position the index reflects.
    pub fn position(&self) -> LogPosition {
        *self.position.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn set_position(&self, position: LogPosition) {
        *self.position.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = position;
    }

    async fn documents(&self, organizations: Vec<Organization>) -> Result<Vec<Document>, IndexerError> {
        let ids: Vec<i64> = organizations.iter().map(|o| o.id).collect();
        let mut events = self.store.events_of(&ids).await?;
        Ok(organizations
            .into_iter()
            .map(|o| {
                let document = Document::from_profile(o.id, &o.profile, events.remove(&o.id).unwrap_or_default());
                if o.funding_private { document.without_funding() } else { document }
            })
            .collect())
    }

    /// Replaces the index with every organization in the database. The log's head is read
    /// first, so a change made during the rebuild is applied again afterwards, never lost.
    pub async fn rebuild(&self, progress: &(dyn Fn(u64) + Sync)) -> Result<u64, IndexerError> {
        let _running = self.running.lock().await;
        self.rebuild_into(self.index(), progress).await
    }

    /// Fills `index` with every organization in the database and makes it the one searched,
    /// at the log's head as it was before reading.
    async fn rebuild_into(
        &self,
        index: Arc<SearchIndex>,
        progress: &(dyn Fn(u64) + Sync),
    ) -> Result<u64, IndexerError> {
        let position = self.store.log_head().await?;
        let mut documents = Vec::new();
        let mut after = 0;
        loop {
            let page = self.store.organizations_after(after, BATCH).await?;
            let Some(last) = page.last() else { break };
            after = last.id;
            documents.extend(self.documents(page).await?);
            progress(documents.len() as u64);
        }
        let text = position.to_string();
        let filling = Arc::clone(&index);
        let count = tokio::task::spawn_blocking(move || filling.rebuild(documents, &text, &|_| {})).await??;
        *self.index.write().unwrap_or_else(std::sync::PoisonError::into_inner) = index;
        self.set_position(position);
        Ok(count)
    }

    /// Whether the index's directory has lost its index (deleted while serving).
    fn lost(&self) -> bool {
        self.dir.as_ref().is_some_and(|dir| !dir.join("meta.json").exists())
    }

    /// Builds a new index in place of one lost or failing: the directory is emptied (an index
    /// in memory is made afresh) and the database indexed again, while searches read the index
    /// as it was opened.
    async fn replace(&self, why: &str) -> Result<u64, IndexerError> {
        let _running = self.running.lock().await;
        self.rebuilding.store(true, Ordering::SeqCst);
        tracing::warn!(dir = ?self.dir, why, "search index lost or damaged while serving: rebuilding it from the database");
        let result = async {
            let index = match self.dir.clone() {
                None => SearchIndex::in_memory()?,
                Some(dir) => {
                    tokio::task::spawn_blocking(move || {
                        // Whatever is left of it is the lost index's: it can always be deleted.
                        if dir.exists() {
                            std::fs::remove_dir_all(&dir).map_err(|source| ketnoi_search::SearchError::Directory {
                                path: dir.display().to_string(),
                                source,
                            })?;
                        }
                        SearchIndex::open(&dir)
                    })
                    .await??
                    .0
                }
            };
            self.rebuild_into(Arc::new(index), &|_| {}).await
        }
        .await;
        self.rebuilding.store(false, Ordering::SeqCst);
        if let Ok(count) = &result {
            *self.damaged.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = None;
            tracing::info!(documents = count, "search index rebuilt");
        }
        result
    }

    /// Applies every settled row of the log after the index's position; returns how many
    /// rows were read.
    pub async fn catch_up(&self) -> Result<usize, IndexerError> {
        let _running = self.running.lock().await;
        let mut read = 0;
        loop {
            let entries = self.store.log_after(self.position(), BATCH).await?;
            let Some(last) = entries.last().map(|entry| entry.position) else { break };
            let ids: Vec<i64> = entries
                .iter()
                .filter_map(|entry| entry.change.profile_changed())
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect();
            let found = self.store.organizations_by_ids(&ids).await?;
            let present: BTreeSet<i64> = found.iter().map(|o| o.id).collect();
            let mut changes: Vec<Change> = self.documents(found).await?.into_iter().map(Change::Upsert).collect();
            changes.extend(ids.iter().filter(|id| !present.contains(id)).map(|id| Change::Delete(*id)));
            // Rows that change no profile move the position without a commit: after a restart
            // they are read again, and change nothing again.
            if !changes.is_empty() {
                let index = self.index();
                let text = last.to_string();
                tokio::task::spawn_blocking(move || index.apply(changes, &text)).await??;
            }
            self.set_position(last);
            read += entries.len();
        }
        Ok(read)
    }

    /// Applies every row of the log committed before the call, waiting (up to `patience`) for
    /// rows held back by an older transaction still open; returns how many rows were read.
    /// For tests and for a caller that must see its own writes in the index.
    pub async fn sync(&self, patience: Duration) -> Result<usize, IndexerError> {
        let tail = self.store.log_tail().await?;
        let deadline = tokio::time::Instant::now() + patience;
        let mut read = self.catch_up().await?;
        while self.position() < tail && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(10)).await;
            read += self.catch_up().await?;
        }
        Ok(read)
    }

    /// Catches up every [`POLL_INTERVAL`] until the process ends; failures are logged and retried.
    pub fn spawn(self: &Arc<Self>) -> tokio::task::JoinHandle<()> {
        let indexer = Arc::clone(self);
        tokio::spawn(async move {
            let mut interval = tokio::time::interval(POLL_INTERVAL);
            interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            // After a rebuild that failed (a full disk, say), the next waits longer, doubling up
            // to a minute: each reads every organization.
            let mut backoff = REPLACE_BACKOFF_FIRST;
            let mut not_before = tokio::time::Instant::now();
            loop {
                interval.tick().await;
                let failed = match indexer.catch_up().await {
                    Ok(_) => None,
                    Err(IndexerError::Search(error)) => Some(error.to_string()),
                    Err(error) => {
                        // The database, most likely: the index is not at fault.
                        tracing::warn!(%error, "search indexing failed, retrying");
                        None
                    }
                };
                let why = match failed {
                    Some(error) => error,
                    None if indexer.lost() => "its directory is gone".to_owned(),
                    None => match (indexer.index().changed_file(), indexer.damage()) {
                        (Some(file), _) => {
                            let why = format!("{} was written over", file.display());
                            indexer.damaged(why.clone());
                            why
                        }
                        (None, Some(why)) => why,
                        (None, None) => continue,
                    },
                };
                if tokio::time::Instant::now() < not_before {
                    continue;
                }
                match indexer.replace(&why).await {
                    Ok(_) => backoff = REPLACE_BACKOFF_FIRST,
                    Err(error) => {
                        tracing::warn!(%error, retry_in = ?backoff, "rebuilding the lost search index failed");
                        not_before = tokio::time::Instant::now() + backoff;
                        backoff = (backoff * 2).min(REPLACE_BACKOFF_MAX);
                    }
                }
            }
        })
    }
}
