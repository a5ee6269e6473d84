//! The `ketnoi` command's building blocks, shared by the binary, its tests and its benchmarks:
//! where the data lives, opening the store, importing CSV files and the demo event.

pub mod demo;
pub mod import;

use std::path::PathBuf;

use ketnoi_store::Store;

/// Why a command could not start or finish; shown to the user as is.
#[derive(Debug, thiserror::Error)]
pub enum CommandError {
    #[error("data directory {path}: {reason}")]
    DataDir { path: PathBuf, reason: String },
    #[error("{0}")]
    Store(#[from] ketnoi_store::StoreError),
    #[error("{0}")]
    Usage(String),
    #[error("{what} {path}: {source}")]
    File { what: &'static str, path: PathBuf, source: std::io::Error },
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("{0}")]
    Index(#[from] ketnoi_server::indexer::IndexerError),
}

/// Where the data lives: the data directory and, unless a URL is given, the SQLite file in it.
#[derive(Debug, Clone)]
pub struct DataLocation {
    pub data_dir: PathBuf,
    pub database_url: Option<String>,
}

/// The search index's directory inside the data directory.
pub const INDEX_DIR: &str = "index";

/// The SQLite file used when no database URL is given.
pub const SQLITE_FILE: &str = "ketnoi.db";

impl DataLocation {
    /// Creates the data directory if needed and checks that it is writable.
    pub fn prepare(&self) -> Result<(), CommandError> {
        let fail = |reason: String| CommandError::DataDir { path: self.data_dir.clone(), reason };
        std::fs::create_dir_all(&self.data_dir).map_err(|e| fail(format!("cannot create it: {e}")))?;
        let probe = self.data_dir.join(".ketnoi-write-check");
        std::fs::write(&probe, b"ok").map_err(|e| fail(format!("is not writable: {e}")))?;
        std::fs::remove_file(&probe).map_err(|e| fail(format!("is not writable: {e}")))?;
        Ok(())
    }

    /// The database URL: the one given, or the SQLite file in the data directory.
    pub fn url(&self) -> String {
        match &self.database_url {
            Some(url) => url.clone(),
            None => ketnoi_store::sqlite_file_url(&self.data_dir.join(SQLITE_FILE)),
        }
    }

    /// Where this data directory keeps its search index.
    pub fn index_dir(&self) -> PathBuf {
        self.data_dir.join(INDEX_DIR)
    }

    /// Prepares the directory, connects and migrates.
    pub async fn open(&self) -> Result<Store, CommandError> {
        self.prepare()?;
        let store = Store::connect(&self.url()).await?;
        store.migrate().await?;
        Ok(store)
    }
}

pub use ketnoi_server::current_year;

/// An event's participant named by `name_or_id`: an id, or a name compared without case or
/// diacritics. An unknown name is an error that suggests the closest participant.
pub async fn find_participant(store: &Store, event_id: i64, name_or_id: &str) -> Result<i64, CommandError> {
    let participants = store.event_participants(event_id).await?;
    if let Ok(id) = name_or_id.trim().parse::<i64>()
        && participants.iter().any(|o| o.id == id)
    {
        return Ok(id);
    }
    let key = ketnoi_domain::text::fold(name_or_id);
    if let Some(found) = participants.iter().find(|o| ketnoi_domain::text::fold(&o.profile.name) == key) {
        return Ok(found.id);
    }
    let hint = ketnoi_domain::text::nearest(name_or_id, participants.iter().map(|o| o.profile.name.as_str()))
        .map(|name| format!(" (did you mean {name:?}?)"))
        .unwrap_or_default();
    Err(CommandError::Usage(format!("--org: no participant of this event is named or numbered {name_or_id:?}{hint}")))
}
