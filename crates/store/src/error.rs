//! The store's one error type, with the kind the use cases map to a problem.

use ketnoi_domain::import::ImportErrors;
use ketnoi_domain::rules::{Refusal, Resource};
use ketnoi_domain::validate::ValidationErrors;
use sea_orm::{DbErr, RuntimeErr, SqlErr};

/// What kind of failure an error is, independent of how it is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    NotFound,
    Conflict,
    Invalid,
    Unavailable,
    /// The disk under the database is full.
    Full,
    Internal,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{} not found", what.as_str())]
    NotFound { what: Resource },
    /// A rule of the domain refused the change; nothing was written.
    #[error("{0}")]
    Refused(Box<Refusal>),
    /// A unique index refused the change: another writer got there first.
    #[error("this conflicts with an existing record")]
    Duplicate,
    #[error("invalid input: {0}")]
    Invalid(ValidationErrors),
    #[error("import rejected, nothing was written:\n{0}")]
    Import(ImportErrors),
    #[error("cannot use the database: {0}")]
    Unavailable(String),
    /// The disk under the database is full: nothing was written.
    #[error("the database's disk is full: {0}")]
    Full(String),
    #[error("stored data is inconsistent: {0}")]
    Corrupt(String),
    #[error("database error: {0}")]
    Database(DbErr),
}

impl StoreError {
    pub fn kind(&self) -> ErrorKind {
        match self {
            StoreError::NotFound { .. } => ErrorKind::NotFound,
            StoreError::Refused(refusal) if refusal.is_invalid_input() => ErrorKind::Invalid,
            StoreError::Refused(_) | StoreError::Duplicate => ErrorKind::Conflict,
            StoreError::Invalid(_) | StoreError::Import(_) => ErrorKind::Invalid,
            StoreError::Unavailable(_) => ErrorKind::Unavailable,
            StoreError::Full(_) => ErrorKind::Full,
            StoreError::Corrupt(_) | StoreError::Database(_) => ErrorKind::Internal,
        }
    }

    pub(crate) fn not_found(what: Resource) -> StoreError {
        StoreError::NotFound { what }
    }
}

impl From<Refusal> for StoreError {
    fn from(refusal: Refusal) -> Self {
        StoreError::Refused(Box::new(refusal))
    }
}

impl From<DbErr> for StoreError {
    /// Unique-constraint violations become [`StoreError::Duplicate`] on both SQLite and
    /// PostgreSQL; failures to reach the database become `Unavailable`.
    fn from(error: DbErr) -> Self {
        match error.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(detail)) => {
                tracing::debug!(%detail, "unique constraint violated");
                return StoreError::Duplicate;
            }
            Some(SqlErr::ForeignKeyConstraintViolation(detail)) => {
                // A row referred to was deleted meanwhile: another writer got there first.
                tracing::debug!(%detail, "foreign key violated");
                return StoreError::Duplicate;
            }
            _ => {}
        }
        let text = error.to_string();
        // SQLite's SQLITE_FULL, PostgreSQL's disk_full (53100) and a write refused by the disk.
        if ["database or disk is full", "No space left on device", "53100"].iter().any(|sign| text.contains(sign)) {
            return StoreError::Full(text);
        }
        match error {
            DbErr::Conn(_) | DbErr::ConnectionAcquire(_) => StoreError::Unavailable(error.to_string()),
            other if connection_lost(&other) => StoreError::Unavailable(other.to_string()),
            other => StoreError::Database(other),
        }
    }
}

/// Whether a statement failed because the database went away under it: its connection broke,
/// or PostgreSQL ended the session (shutting down, restarting, not accepting connections yet:
/// SQLSTATE class 57P) — not the statement's fault, and worth trying again shortly.
fn connection_lost(error: &DbErr) -> bool {
    use sea_orm::sqlx::Error;
    let (DbErr::Query(RuntimeErr::SqlxError(error)) | DbErr::Exec(RuntimeErr::SqlxError(error))) = error else {
        return false;
    };
    match error.as_ref() {
        Error::Io(_) | Error::Tls(_) | Error::PoolTimedOut | Error::PoolClosed | Error::WorkerCrashed => true,
        Error::Database(database) => {
            database.code().is_some_and(|code| code.starts_with("57P") || code.starts_with("08"))
        }
        _ => false,
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;
