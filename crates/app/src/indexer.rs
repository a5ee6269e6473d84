//! The search index as a consumer of the event log: rebuilt whole when it is missing, corrupt
//! or outdated, and otherwise brought up to date from the log position its last commit
//! recorded. A crash loses nothing: the next start re-applies what was not committed.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::{Arc, Mutex as StdMutex};
use std::time::Duration;

use ketnoi_search::{Change, Document, Opened, SearchIndex};
use ketnoi_store::{LogPosition, Organization, Store};
use tokio::sync::Mutex;

/// Log rows applied per index commit.
const BATCH: u64 = 1_000;
/// How often the running service looks for new rows of the log.
pub const POLL_INTERVAL: Duration = Duration::from_millis(250);

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
    index: Arc<SearchIndex>,
    position: StdMutex<LogPosition>,
    /// One catch-up or rebuild at a time.
    running: Mutex<()>,
    /// Whether opening found the index unusable and rebuilt it.
    rebuilt_at_open: bool,
}

impl Indexer {
    /// Opens the index in `dir`, rebuilding it from the database when needed, then applies the
    /// rows of the log it has not seen.
    pub async fn open(store: Store, dir: &Path, progress: &(dyn Fn(u64) + Sync)) -> Result<Indexer, IndexerError> {
        let dir = dir.to_owned();
        let (index, opened) = tokio::task::spawn_blocking(move || SearchIndex::open(&dir)).await??;
        let mut indexer = Indexer::new(store, Arc::new(index), LogPosition::START);
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
                tracing::info!(%position, applied, documents = indexer.index.len(), "search index resumed");
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
        Indexer { store, index, position: StdMutex::new(position), running: Mutex::new(()), rebuilt_at_open: false }
    }

    /// Whether [`Indexer::open`] had to rebuild the index from the database.
    pub fn rebuilt_at_open(&self) -> bool {
        self.rebuilt_at_open
    }

    pub fn index(&self) -> &Arc<SearchIndex> {
        &self.index
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
        let index = Arc::clone(&self.index);
        let text = position.to_string();
        let count = tokio::task::spawn_blocking(move || index.rebuild(documents, &text, &|_| {})).await??;
        self.set_position(position);
        Ok(count)
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
                let index = Arc::clone(&self.index);
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
            loop {
                interval.tick().await;
                if let Err(error) = indexer.catch_up().await {
                    tracing::warn!(%error, "search indexing failed, retrying");
                }
            }
        })
    }
}
