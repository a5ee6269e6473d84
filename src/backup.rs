//! `ketnoi backup` and `ketnoi restore` for the embedded SQLite database. A backup is taken
//! while servers run; a restore checks the file before it touches the data directory, keeps
//! the database it replaces beside it, and leaves the search index to be rebuilt at the next
//! start. On PostgreSQL both point to pg_dump and pg_restore (docs/deployment.md).

use std::path::{Path, PathBuf};

use ketnoi_store::{BackupFacts, Store};

use crate::{CommandError, DataLocation, SQLITE_FILE};

/// What `backup` wrote.
#[derive(Debug)]
pub struct BackedUp {
    pub path: PathBuf,
    pub bytes: u64,
    pub facts: BackupFacts,
}

/// What `restore` put in place.
#[derive(Debug)]
pub struct Restored {
    pub facts: BackupFacts,
    /// Where the database it replaced was moved, if there was one.
    pub replaced: Option<PathBuf>,
}

fn sqlite_only(location: &DataLocation, what: &str, instead: &str) -> Result<(), CommandError> {
    match &location.database_url {
        Some(url) if !url.starts_with("sqlite:") => Err(CommandError::Usage(format!(
            "{what} works on the embedded SQLite database; for PostgreSQL use {instead} (docs/deployment.md, Backups)"
        ))),
        _ => Ok(()),
    }
}

/// Copies the database to `to`, which must not exist: first to `to.partial`, checked, then
/// renamed, so that `to` is a whole backup or nothing.
pub async fn backup(location: &DataLocation, to: &Path) -> Result<BackedUp, CommandError> {
    sqlite_only(location, "backup", "pg_dump")?;
    if to.exists() {
        return Err(CommandError::Usage(format!("--to: {} exists; a backup never overwrites a file", to.display())));
    }
    let database = location.data_dir.join(SQLITE_FILE);
    if location.database_url.is_none() && !database.exists() {
        return Err(CommandError::DataDir {
            path: location.data_dir.clone(),
            reason: format!("has no database ({SQLITE_FILE}) to back up"),
        });
    }
    // Written beside the file first: `FILE.partial`.
    let part = suffix_of(to, ".partial");
    std::fs::remove_file(&part).ok();
    let store = Store::connect(&location.url()).await?;
    let written = async {
        store.backup_into(&part).await?;
        let facts = Store::inspect_backup(&part).await?;
        let bytes = std::fs::metadata(&part)?.len();
        std::fs::rename(&part, to).map_err(|source| CommandError::File {
            what: "--to",
            path: to.to_owned(),
            source,
        })?;
        Ok::<_, CommandError>(BackedUp { path: to.to_owned(), bytes, facts })
    }
    .await;
    if written.is_err() {
        std::fs::remove_file(&part).ok();
    }
    written
}

/// Puts the backup `from` in place of the data directory's database, once it is known to be
/// a ketnoi backup this build can use; the database it replaces (with its journal) is kept as
/// `ketnoi.db.replaced-UNIX_SECONDS`, and the search index is removed to be rebuilt at the next
/// start. Stop the servers on this data directory first.
pub async fn restore(location: &DataLocation, from: &Path) -> Result<Restored, CommandError> {
    sqlite_only(location, "restore", "pg_restore")?;
    if location.database_url.is_some() {
        return Err(CommandError::Usage(
            "restore puts the backup in the data directory: give --data-dir, not --database-url".to_owned(),
        ));
    }
    // Nothing is touched before the file is known good.
    let facts = Store::inspect_backup(from).await?;
    location.prepare()?;
    let database = location.data_dir.join(SQLITE_FILE);
    let staging = location.data_dir.join(format!("{SQLITE_FILE}.restoring"));
    let copy = |source: std::io::Error| CommandError::File { what: "--from", path: from.to_owned(), source };
    std::fs::copy(from, &staging).map_err(copy)?;
    std::fs::File::open(&staging).and_then(|file| file.sync_all()).map_err(copy)?;
    let replaced = if database.exists() {
        let stamp = jiff::Timestamp::now().as_second();
        let kept = location.data_dir.join(format!("{SQLITE_FILE}.replaced-{stamp}"));
        for suffix in ["", "-wal", "-shm"] {
            let (current, aside) = (suffix_of(&database, suffix), suffix_of(&kept, suffix));
            if current.exists() {
                std::fs::rename(&current, &aside)?;
            }
        }
        Some(kept)
    } else {
        None
    };
    std::fs::rename(&staging, &database)?;
    let index = location.index_dir();
    if index.exists() {
        std::fs::remove_dir_all(&index)?;
    }
    // An older backup is brought up to this build's schema now rather than at the next start.
    location.open().await?;
    Ok(Restored { facts, replaced })
}

/// `path` with `suffix` added to its name.
fn suffix_of(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}
