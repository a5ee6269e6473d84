//! The `ketnoi` command's building blocks, shared by the binary, its tests and its benchmarks:
//! where the data lives, opening the store, importing CSV files and the demo event. Commands go
//! through the use cases of `ketnoi-app`; only `serve` and `demo` need the server.

pub mod backup;
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
    App(#[from] ketnoi_app::AppError),
    #[error("{0}")]
    Usage(String),
    #[error("{what} {path}: {source}")]
    File { what: &'static str, path: PathBuf, source: std::io::Error },
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("{0}")]
    Index(#[from] ketnoi_app::IndexerError),
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

/// An event's participant named by `name_or_id`: an id, or a name compared without case or
/// diacritics. An unknown name is an error that suggests the closest participant.
pub async fn find_participant(app: &ketnoi_app::App, slug: &str, name_or_id: &str) -> Result<i64, CommandError> {
    match app.find_participant(slug, name_or_id).await? {
        Ok(id) => Ok(id),
        Err(nearest) => {
            let hint = nearest.map(|name| format!(" (did you mean {name:?}?)")).unwrap_or_default();
            Err(CommandError::Usage(format!(
                "--org: no participant of this event is named or numbered {name_or_id:?}{hint}"
            )))
        }
    }
}
