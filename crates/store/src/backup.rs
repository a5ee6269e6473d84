//! Backups of an SQLite database: a consistent copy taken while servers use it, and the check
//! that a file is a backup this build can restore. (PostgreSQL has pg_dump and pg_restore.)

use std::collections::HashSet;
use std::path::Path;

use sea_orm::{ConnectionTrait, Database, DbBackend, Statement};
use sea_orm_migration::MigratorTrait;

use crate::{Result, Store, StoreError};
use ketnoi_migrations::Migrator;

/// What a backup holds, as far as restoring needs to know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupFacts {
    /// The migrations applied to it.
    pub migrations: usize,
    pub events: u64,
    pub organizations: u64,
}

/// The first bytes of every SQLite database file.
const SQLITE_HEADER: &[u8; 16] = b"SQLite format 3\0";

fn not_a_backup(path: &Path, why: impl std::fmt::Display) -> StoreError {
    StoreError::Unavailable(format!("{} is not a ketnoi backup: {why}", path.display()))
}

impl Store {
    /// Writes a consistent copy of this SQLite database to `path`, which must not exist
    /// (SQLite's `VACUUM INTO`: one read transaction, so writers carry on meanwhile).
    pub async fn backup_into(&self, path: &Path) -> Result<()> {
        if self.db.get_database_backend() != DbBackend::Sqlite {
            return Err(StoreError::Unavailable("only an SQLite database is backed up this way".to_owned()));
        }
        let target =
            path.to_str().ok_or_else(|| StoreError::Unavailable(format!("{} is not UTF-8", path.display())))?;
        self.db
            .execute_raw(Statement::from_sql_and_values(DbBackend::Sqlite, "VACUUM INTO ?", [target.into()]))
            .await?;
        Ok(())
    }

    /// Checks that `path` is an SQLite database whole (its integrity check passes), made by
    /// ketnoi (its migrations table and tables), and not by a newer version than this one
    /// (every migration in it known here). Reads it only.
    pub async fn inspect_backup(path: &Path) -> Result<BackupFacts> {
        let mut header = [0u8; 16];
        let read = std::fs::File::open(path).and_then(|mut file| std::io::Read::read_exact(&mut file, &mut header));
        if let Err(error) = read {
            return Err(not_a_backup(path, format!("cannot read it ({error})")));
        }
        if &header != SQLITE_HEADER {
            return Err(not_a_backup(path, "it is not an SQLite database"));
        }
        let url = format!("sqlite://{}?mode=ro", path.display());
        let db = Database::connect(&url).await.map_err(|error| not_a_backup(path, error))?;
        let facts = async {
            let one = |sql: &str| db.query_one_raw(Statement::from_string(DbBackend::Sqlite, sql.to_owned()));
            let check = one("PRAGMA integrity_check").await.map_err(|error| not_a_backup(path, error))?;
            let verdict: String = check.and_then(|row| row.try_get_by_index(0).ok()).unwrap_or_default();
            if verdict != "ok" {
                return Err(not_a_backup(path, format!("its integrity check says {verdict:?}")));
            }
            let rows = db
                .query_all_raw(Statement::from_string(DbBackend::Sqlite, "SELECT version FROM seaql_migrations"))
                .await
                .map_err(|_| not_a_backup(path, "it has no ketnoi migrations table"))?;
            let applied: Vec<String> = rows.iter().filter_map(|row| row.try_get_by_index(0).ok()).collect();
            let known: HashSet<String> = Migrator::migrations().iter().map(|m| m.name().to_owned()).collect();
            if let Some(newer) = applied.iter().find(|name| !known.contains(*name)) {
                return Err(not_a_backup(path, format!("it was made by a newer ketnoi (migration {newer})")));
            }
            let count = |table: &'static str| {
                let db = &db;
                async move {
                    let sql = format!("SELECT COUNT(*) FROM {table}");
                    let row = db
                        .query_one_raw(Statement::from_string(DbBackend::Sqlite, sql))
                        .await
                        .map_err(|_| not_a_backup(path, format!("it has no {table} table")))?;
                    let count: i64 = row.and_then(|row| row.try_get_by_index(0).ok()).unwrap_or(0);
                    Ok::<u64, StoreError>(u64::try_from(count).unwrap_or(0))
                }
            };
            Ok(BackupFacts {
                migrations: applied.len(),
                events: count("events").await?,
                organizations: count("organizations").await?,
            })
        }
        .await;
        db.close().await.ok();
        facts
    }
}
