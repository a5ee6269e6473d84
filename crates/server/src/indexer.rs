//! Keeps the search index in step with the database: rebuilds it whole when it is missing,
//! corrupt or outdated, and otherwise applies the search outbox from the position the index
//! last committed. A crash loses nothing: the next start re-applies what was not committed.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use ketnoi_search::{Change, Document, Opened, SearchIndex};
use ketnoi_store::{Organization, Store};
use tokio::sync::Mutex;

/// Outbox rows applied per index commit.
const BATCH: u64 = 1_000;
/// How often the running service looks for new outbox rows.
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

/// The index and the outbox position it reflects.
#[derive(Debug)]
pub struct Indexer {
    store: Store,
    index: Arc<SearchIndex>,
    position: AtomicI64,
    /// One catch-up or rebuild at a time.
    running: Mutex<()>,
    /// Whether opening found the index unusable and rebuilt it.
    rebuilt_at_open: bool,
}

impl Indexer {
    /// Opens the index in `dir`, rebuilding it from the database when needed, then applies the
    /// outbox rows it has not seen.
    pub async fn open(store: Store, dir: &Path, progress: &(dyn Fn(u64) + Sync)) -> Result<Indexer, IndexerError> {
        let dir = dir.to_owned();
        let (index, opened) = tokio::task::spawn_blocking(move || SearchIndex::open(&dir)).await??;
        let mut indexer = Indexer::new(store, Arc::new(index), 0);
        match opened {
            Opened::Resumed { position } => {
                indexer.position.store(position, Ordering::SeqCst);
                let applied = indexer.catch_up().await?;
                tracing::info!(position, applied, documents = indexer.index.len(), "search index resumed");
            }
            Opened::NeedsRebuild { reason } => {
                tracing::info!(%reason, "building the search index from the database");
                let count = indexer.rebuild(progress).await?;
                indexer.rebuilt_at_open = true;
                tracing::info!(documents = count, "search index built");
            }
        }
        Ok(indexer)
    }

    /// An indexer over an index already at `position`.
    pub fn new(store: Store, index: Arc<SearchIndex>, position: i64) -> Indexer {
        Indexer { store, index, position: AtomicI64::new(position), running: Mutex::new(()), rebuilt_at_open: false }
    }

    /// Whether [`Indexer::open`] had to rebuild the index from the database.
    pub fn rebuilt_at_open(&self) -> bool {
        self.rebuilt_at_open
    }

    pub fn index(&self) -> &Arc<SearchIndex> {
        &self.index
    }

    pub fn position(&self) -> i64 {
        self.position.load(Ordering::SeqCst)
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

    /// Replaces the index with every organization in the database. The outbox position is read
    /// first, so a change made during the rebuild is applied again afterwards, never lost.
    pub async fn rebuild(&self, progress: &(dyn Fn(u64) + Sync)) -> Result<u64, IndexerError> {
        let _running = self.running.lock().await;
        let position = self.store.outbox_position().await?;
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
        let count = tokio::task::spawn_blocking(move || index.rebuild(documents, position, &|_| {})).await??;
        self.position.store(position, Ordering::SeqCst);
        Ok(count)
    }

    /// Applies every outbox row after the index's position; returns how many were applied.
    pub async fn catch_up(&self) -> Result<usize, IndexerError> {
        let _running = self.running.lock().await;
        let mut applied = 0;
        loop {
            let entries = self.store.outbox_after(self.position(), BATCH).await?;
            let Some(last) = entries.last().map(|entry| entry.position) else { break };
            let ids: Vec<i64> =
                entries.iter().map(|e| e.organization_id).collect::<BTreeSet<_>>().into_iter().collect();
            let found = self.store.organizations_by_ids(&ids).await?;
            let present: BTreeSet<i64> = found.iter().map(|o| o.id).collect();
            let mut changes: Vec<Change> = self.documents(found).await?.into_iter().map(Change::Upsert).collect();
            changes.extend(ids.iter().filter(|id| !present.contains(id)).map(|id| Change::Delete(*id)));
            let index = Arc::clone(&self.index);
            tokio::task::spawn_blocking(move || index.apply(changes, last)).await??;
            self.position.store(last, Ordering::SeqCst);
            applied += entries.len();
        }
        Ok(applied)
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
