//! ketnoi's persistence: the only crate that knows sea-orm. SQLite (embedded, the default) and
//! PostgreSQL behind one API, with the data model's invariants kept by the database.

mod attempts;
mod backup;
pub mod entity;
mod error;
mod events;
mod import;
mod invitations;
mod lists;
mod log;
mod meet_now;
mod meetings;
mod notifications;
mod organizations;
mod report;
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

pub use backup::BackupFacts;
pub use error::{ErrorKind, Result, StoreError};
pub use events::{DEFAULT_TIME_ZONE, Event, NewEvent, Slot};
pub use import::{CHANGES_LISTED, ImportFile, ImportProgress, ImportSummary, RecordChange};
pub use invitations::{INVITATION_SECONDS, Invitation};
pub use ketnoi_domain::rules::RequestRules;
pub use log::{LogEntry, LogPosition};
pub use meet_now::{Answered, NewProposal, Proposal, ProposalStatus, SlotFacts, pair};
pub use meetings::{Announced, Feedback, Figures, Mailbox, Meeting, MeetingRequest, Placement};
pub use notifications::{Mail, MailCounts, MailHead, MailStatus, NewMail, TokenPurpose};
pub use organizations::{Member, Organization, OrganizationQuery, Page, ProfileEdit};
pub use report::ReportCounts;
pub use sessions::{ApiToken, Session, SessionInfo, SessionLifetime, TOKEN_PREFIX};
pub use users::{
    CONFIRM_SECONDS, NewOrganiser, NewUser, ORGANISER_LINK_SECONDS, RESET_SECONDS, Registration, Role, User,
};

/// How long a SQLite writer waits for another before giving up.
const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(5);
/// How long to wait for a database connection.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// How often [`Store::watch`] probes PostgreSQL, and how long a probe may take.
pub const PROBE_EVERY: Duration = Duration::from_millis(500);
pub const PROBE_TIMEOUT: Duration = Duration::from_secs(2);
/// How often [`Store::checkpoints`] copies SQLite's write-ahead log into the database.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(500);
/// The longest a statement may run on PostgreSQL (its `statement_timeout`).
const STATEMENT_TIMEOUT: &str = "30s";

/// A handle on the database; cheap to clone.
#[derive(Debug, Clone)]
pub struct Store {
    db: DatabaseConnection,
    /// One scheduler run at a time in this process (see [`Store::lock_scheduling`]).
    scheduling: std::sync::Arc<tokio::sync::Mutex<()>>,
    /// Write transactions begun through this store (and its clones): see [`Store::writes`].
    writes: std::sync::Arc<std::sync::atomic::AtomicU64>,
    /// The PostgreSQL server's URL, which [`Store::watch`] probes on connections of its own.
    postgres: Option<std::sync::Arc<str>>,
    /// Whether the last probe was answered in time (always, until one is not).
    reachable: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

/// Held while a scheduler runs: other runs wait. On PostgreSQL a transaction holds an advisory
/// lock, so one replica runs at a time; it ends, releasing the lock, when this is dropped.
#[derive(Debug)]
pub struct SchedulingLock {
    _local: tokio::sync::OwnedMutexGuard<()>,
    _shared: Option<DatabaseTransaction>,
}

/// The first half of the PostgreSQL advisory lock key of a scheduler run (the event id is the
/// second).
const SCHEDULING_LOCK: i32 = 0x6b74_7363;

impl Store {
    /// Connects to `url` (`sqlite://PATH?mode=rwc` or `postgres://…`). SQLite is opened in WAL
    /// mode with foreign keys on, synchronous NORMAL and a busy timeout.
    pub async fn connect(url: &str) -> Result<Store> {
        let mut options = ConnectOptions::new(url.to_owned());
        options
            .connect_timeout(CONNECT_TIMEOUT)
            .acquire_timeout(CONNECT_TIMEOUT)
            .sqlx_logging(false)
            // A statement never runs past this on PostgreSQL: a request waits for the pool
            // (`acquire_timeout`) and for its statements, each for a bounded time.
            .map_sqlx_postgres_opts(|postgres| postgres.options([("statement_timeout", STATEMENT_TIMEOUT)]))
            .map_sqlx_sqlite_opts(|sqlite| {
                sqlite
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .foreign_keys(true)
                    .busy_timeout(SQLITE_BUSY_TIMEOUT)
            });
        // SQLite gets sea-orm's one connection: tried with four, reads by id doubled under load
        // (wrk: 5k -> 10k requests/s) but meet-now's largest wave went from 35-45 to 48-56 ms,
        // and mmap did not win it back (docs/benchmarks.md, Pages under load).
        let db = Database::connect(options).await.map_err(|error| StoreError::Unavailable(redact(url, &error)))?;
        let postgres = (db.get_database_backend() == sea_orm::DbBackend::Postgres).then(|| url.into());
        let store = Store {
            db,
            scheduling: std::sync::Arc::default(),
            writes: std::sync::Arc::default(),
            postgres,
            reachable: std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true)),
        };
        store.ping().await?;
        Ok(store)
    }

    /// Brings the schema up to date.
    pub async fn migrate(&self) -> Result<()> {
        if self.db.get_database_backend() == sea_orm::DbBackend::Sqlite {
            // In one transaction: all of it or none, and on one connection should the pool
            // hold several (a migration that drops and re-creates an index fails across them).
            let txn = self.db.begin().await?;
            Migrator::up(&txn, None).await?;
            txn.commit().await?;
        } else {
            Migrator::up(&self.db, None).await?;
        }
        Ok(())
    }

    /// The migrations this build knows that the database has not applied, oldest first: none
    /// when the schema is current.
    pub async fn pending_migrations(&self) -> Result<Vec<String>> {
        let pending = Migrator::get_pending_migrations(&self.db).await?;
        Ok(pending.iter().map(|migration| migration.name().to_owned()).collect())
    }

    /// The connections of the pool: (in use, idle).
    pub fn pool_connections(&self) -> (u64, u64) {
        let (size, idle) = match self.db.get_database_backend() {
            sea_orm::DbBackend::Postgres => {
                let pool = self.db.get_postgres_connection_pool();
                (pool.size(), pool.num_idle())
            }
            _ => {
                let pool = self.db.get_sqlite_connection_pool();
                (pool.size(), pool.num_idle())
            }
        };
        let idle = idle as u64;
        (u64::from(size).saturating_sub(idle), idle)
    }

    /// Checks that the database answers.
    pub async fn ping(&self) -> Result<()> {
        self.db.ping().await.map_err(|error| StoreError::Unavailable(error.to_string()))
    }

    /// On SQLite: copies the write-ahead log into the database every [`CHECKPOINT_EVERY`], on a
    /// connection of its own and without waiting for readers or writers (a passive checkpoint).
    /// Otherwise the commit that grows the log past SQLite's threshold (1,000 pages) copies it
    /// itself: ~10 ms more for whichever request made that commit, such as a wave of meet-now
    /// proposals. Runs until the handle is aborted; `None` on PostgreSQL.
    pub fn checkpoints(&self) -> Option<tokio::task::JoinHandle<()>> {
        use sea_orm::sqlx::{ConnectOptions as _, Executor as _};
        if self.db.get_database_backend() != sea_orm::DbBackend::Sqlite {
            return None;
        }
        let options = (*self.db.get_sqlite_connection_pool().connect_options()).clone();
        Some(tokio::spawn(async move {
            let mut connection = None;
            let mut interval = tokio::time::interval(CHECKPOINT_EVERY);
            interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                interval.tick().await;
                if connection.is_none() {
                    connection = options.connect().await.ok();
                }
                let Some(open) = connection.as_mut() else { continue };
                if let Err(error) = open.execute("PRAGMA wal_checkpoint(PASSIVE)").await {
                    // The commits' own checkpoints go on meanwhile; the next tick reconnects.
                    tracing::debug!(%error, "checkpoint failed");
                    connection = None;
                }
            }
        }))
    }

    /// Whether the database answered the last probe of [`Store::watch`] in time; always true
    /// for SQLite, and until the first probe that fails.
    pub fn reachable(&self) -> bool {
        self.reachable.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// On PostgreSQL, which the network can cut off: probes the server every [`PROBE_EVERY`],
    /// each probe on a fresh connection after one that failed and bounded by [`PROBE_TIMEOUT`],
    /// so that [`Store::reachable`] turns false within about two seconds of a cut and true
    /// again within half a second of its end. Probes run until the handle is aborted.
    pub fn watch(&self) -> Option<tokio::task::JoinHandle<()>> {
        let url = self.postgres.clone()?;
        let reachable = std::sync::Arc::clone(&self.reachable);
        let probe_pool = move || {
            let mut options = ConnectOptions::new(url.to_string());
            options
                .max_connections(1)
                .connect_timeout(PROBE_TIMEOUT)
                .acquire_timeout(PROBE_TIMEOUT)
                .connect_lazy(true)
                .sqlx_logging(false);
            options
        };
        Some(tokio::spawn(async move {
            let mut probe: Option<DatabaseConnection> = None;
            let mut interval = tokio::time::interval(PROBE_EVERY);
            interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                interval.tick().await;
                let connection = match probe.take() {
                    Some(connection) => Ok(connection),
                    None => Database::connect(probe_pool()).await,
                };
                let answered = match connection {
                    Ok(connection) => match tokio::time::timeout(PROBE_TIMEOUT, connection.ping()).await {
                        Ok(Ok(())) => {
                            probe = Some(connection);
                            true
                        }
                        // Its connection may be stuck on a cut link: the next probe opens another.
                        _ => false,
                    },
                    Err(_) => false,
                };
                if reachable.swap(answered, std::sync::atomic::Ordering::SeqCst) != answered {
                    if answered {
                        tracing::warn!("the database answers again");
                    } else {
                        tracing::error!(
                            timeout = ?PROBE_TIMEOUT,
                            "the database does not answer: requests are answered 503 at once until it does"
                        );
                    }
                }
            }
        }))
    }

    /// The underlying connection, for tests and tools.
    pub fn connection(&self) -> &DatabaseConnection {
        &self.db
    }

    /// Begins a write transaction: IMMEDIATE on SQLite, so that a read-then-write transaction
    /// waits for the busy timeout instead of failing when another writer holds the lock.
    pub(crate) async fn begin_write(&self) -> Result<DatabaseTransaction> {
        self.wrote();
        let options = TransactionOptions {
            sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
            ..Default::default()
        };
        Ok(self.db.begin_with_options(options).await?)
    }

    /// How many write transactions have begun through this store so far: an answer made
    /// from the database while it stays the same has seen every change made here, but for one
    /// whose transaction was still open then.
    pub fn writes(&self) -> u64 {
        self.writes.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Counts a write about to be made (see [`Store::writes`]); writes outside
    /// [`Store::begin_write`] say so themselves.
    pub(crate) fn wrote(&self) {
        self.writes.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    }

    /// Waits until no other scheduler runs for this event (in this process, and on PostgreSQL
    /// in any replica), and holds that until the lock is dropped.
    pub async fn lock_scheduling(&self, event_id: i64) -> Result<SchedulingLock> {
        let local = std::sync::Arc::clone(&self.scheduling).lock_owned().await;
        let shared = if self.db.get_database_backend() == sea_orm::DbBackend::Postgres {
            use sea_orm::ConnectionTrait;
            let txn = self.db.begin().await?;
            txn.execute_raw(sea_orm::Statement::from_sql_and_values(
                sea_orm::DbBackend::Postgres,
                "SELECT pg_advisory_xact_lock($1, $2)",
                [SCHEDULING_LOCK.into(), (event_id as i32).into()],
            ))
            .await?;
            Some(txn)
        } else {
            None
        };
        Ok(SchedulingLock { _local: local, _shared: shared })
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
