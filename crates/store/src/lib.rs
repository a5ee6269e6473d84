//! ketnoi's persistence: the only crate that knows sea-orm. SQLite (embedded, the default) and
//! PostgreSQL behind one API, with the data model's invariants kept by the database.

pub mod entity;
mod error;
mod events;
mod import;
mod invitations;
mod lists;
mod organizations;
mod outbox;
mod secrets;
mod sessions;
#[cfg(feature = "testing")]
pub mod testing;
mod users;

use std::time::Duration;

use ketnoi_migrations::Migrator;
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ConnectOptions, Database, DatabaseConnection, DatabaseTransaction, SqliteTransactionMode, TransactionOptions,
    TransactionTrait,
};
use sea_orm_migration::MigratorTrait;

pub use error::{ErrorKind, Result, StoreError};
pub use events::{Event, NewEvent, Slot};
pub use import::{ImportFile, ImportProgress, ImportSummary};
pub use invitations::{INVITATION_SECONDS, Invitation};
pub use organizations::{Member, Organization, OrganizationQuery, Page, ProfileEdit};
pub use outbox::OutboxEntry;
pub use sessions::{ApiToken, Session, SessionInfo, SessionLifetime, TOKEN_PREFIX};
pub use users::{NewUser, Registration, Role, User};

/// How long a SQLite writer waits for another before giving up.
const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(5);
/// How long to wait for a database connection.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// A handle on the database; cheap to clone.
#[derive(Debug, Clone)]
pub struct Store {
    db: DatabaseConnection,
}

impl Store {
    /// Connects to `url` (`sqlite://PATH?mode=rwc` or `postgres://…`). SQLite is opened in WAL
    /// mode with foreign keys on, synchronous NORMAL and a busy timeout.
    pub async fn connect(url: &str) -> Result<Store> {
        let mut options = ConnectOptions::new(url.to_owned());
        options
            .connect_timeout(CONNECT_TIMEOUT)
            .acquire_timeout(CONNECT_TIMEOUT)
            .sqlx_logging(false)
            .map_sqlx_sqlite_opts(|sqlite| {
                sqlite
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .foreign_keys(true)
                    .busy_timeout(SQLITE_BUSY_TIMEOUT)
            });
        let db = Database::connect(options).await.map_err(|error| StoreError::Unavailable(redact(url, &error)))?;
        let store = Store { db };
        store.ping().await?;
        Ok(store)
    }

    /// Brings the schema up to date.
    pub async fn migrate(&self) -> Result<()> {
        Migrator::up(&self.db, None).await?;
        Ok(())
    }

    /// Checks that the database answers.
    pub async fn ping(&self) -> Result<()> {
        self.db.ping().await.map_err(|error| StoreError::Unavailable(error.to_string()))
    }

    /// The underlying connection, for tests and tools.
    pub fn connection(&self) -> &DatabaseConnection {
        &self.db
    }

    /// Begins a write transaction: IMMEDIATE on SQLite, so that a read-then-write transaction
    /// waits for the busy timeout instead of failing when another writer holds the lock.
    pub(crate) async fn begin_write(&self) -> Result<DatabaseTransaction> {
        let options = TransactionOptions {
            sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
            ..Default::default()
        };
        Ok(self.db.begin_with_options(options).await?)
    }

    pub async fn close(self) -> Result<()> {
        Ok(self.db.close().await?)
    }
}

/// A connection error's message without the password the URL may hold.
fn redact(url: &str, error: &sea_orm::DbErr) -> String {
    let message = error.to_string();
    match url.split_once("://").and_then(|(_, rest)| rest.split_once('@')).map(|(credentials, _)| credentials) {
        Some(credentials) if !credentials.is_empty() => message.replace(credentials, "***"),
        _ => message,
    }
}

/// The sea-orm URL of a SQLite file, created if missing.
pub fn sqlite_file_url(path: &std::path::Path) -> String {
    format!("sqlite://{}?mode=rwc", path.display())
}

/// The current time as Unix seconds.
pub(crate) fn now() -> i64 {
    jiff::Timestamp::now().as_second()
}
