//! The store's one error type, with the kind the server maps to an HTTP status.

use ketnoi_domain::import::ImportErrors;
use ketnoi_domain::validate::ValidationErrors;
use sea_orm::{DbErr, SqlErr};

/// What kind of failure an error is, independent of how it is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    NotFound,
    Conflict,
    Invalid,
    Unavailable,
    Internal,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{what} not found")]
    NotFound { what: &'static str },
    #[error("{0}")]
    Conflict(String),
    #[error("invalid input: {0}")]
    Invalid(ValidationErrors),
    #[error("import rejected, nothing was written:\n{0}")]
    Import(ImportErrors),
    #[error("cannot use the database: {0}")]
    Unavailable(String),
    #[error("stored data is inconsistent: {0}")]
    Corrupt(String),
    #[error("database error: {0}")]
    Database(DbErr),
}

impl StoreError {
    pub fn kind(&self) -> ErrorKind {
        match self {
            StoreError::NotFound { .. } => ErrorKind::NotFound,
            StoreError::Conflict(_) => ErrorKind::Conflict,
            StoreError::Invalid(_) | StoreError::Import(_) => ErrorKind::Invalid,
            StoreError::Unavailable(_) => ErrorKind::Unavailable,
            StoreError::Corrupt(_) | StoreError::Database(_) => ErrorKind::Internal,
        }
    }
}

impl From<DbErr> for StoreError {
    /// Unique-constraint violations become conflicts on both SQLite and PostgreSQL; failures to
    /// reach the database become `Unavailable`.
    fn from(error: DbErr) -> Self {
        match error.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(detail)) => {
                tracing::debug!(%detail, "unique constraint violated");
                return StoreError::Conflict("this conflicts with an existing record".to_owned());
            }
            Some(SqlErr::ForeignKeyConstraintViolation(detail)) => {
                tracing::debug!(%detail, "foreign key violated");
                return StoreError::Conflict("this refers to a record that does not exist".to_owned());
            }
            _ => {}
        }
        match error {
            DbErr::Conn(_) | DbErr::ConnectionAcquire(_) => StoreError::Unavailable(error.to_string()),
            other => StoreError::Database(other),
        }
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;
