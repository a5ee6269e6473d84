//! Whether this server can take requests: the database answers, its schema is the one this
//! build expects, and the search index is not far behind the event log. Load balancers ask
//! it (`/readyz`) to send traffic only where it will be served well; liveness asks nothing.

use serde::Serialize;
use utoipa::ToSchema;

use crate::App;

/// How many log rows the search index may have left to apply and still count as current: a
/// burst of changes is applied within a poll or two, an import of thousands is not.
pub const INDEX_LAG_READY: u64 = 100;

/// What the readiness check found.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Readiness {
    /// The database answered.
    pub database: bool,
    /// Migrations this build knows that the database has not applied.
    pub pending_migrations: Vec<String>,
    /// Log rows the search index has not applied yet, counted up to a little over
    /// [`INDEX_LAG_READY`]; none when it could not be told.
    pub index_lag: Option<u64>,
    /// Why the server is not ready, one line each; empty when it is.
    pub reasons: Vec<String>,
}

impl Readiness {
    pub fn ready(&self) -> bool {
        self.reasons.is_empty()
    }
}

impl App {
    /// Whether the database answered its last probe ([`ketnoi_store::Store::watch`]): while it
    /// does not, requests that would wait on it are answered 503 at once.
    pub fn database_reachable(&self) -> bool {
        self.store.reachable()
    }

    /// Checks the database, the migrations and the search index's place in the log.
    pub async fn readiness(&self) -> Readiness {
        let mut readiness =
            Readiness { database: true, pending_migrations: Vec::new(), index_lag: None, reasons: Vec::new() };
        if !self.store.reachable() {
            readiness.database = false;
            readiness.reasons.push("database: it does not answer".to_owned());
            return readiness;
        }
        if let Err(error) = self.store.ping().await {
            tracing::warn!(%error, "not ready: the database does not answer");
            readiness.database = false;
            readiness.reasons.push("database: it does not answer".to_owned());
            return readiness;
        }
        match self.store.pending_migrations().await {
            Ok(pending) if pending.is_empty() => {}
            Ok(pending) => {
                readiness.reasons.push(format!(
                    "migrations: {} not applied ({}); run `ketnoi migrate`",
                    pending.len(),
                    pending.join(", ")
                ));
                readiness.pending_migrations = pending;
            }
            Err(error) => {
                tracing::warn!(%error, "not ready: the migrations cannot be read");
                readiness.reasons.push("migrations: they cannot be read".to_owned());
            }
        }
        match &self.indexer {
            None => readiness.reasons.push("search index: none is open".to_owned()),
            Some(indexer) if let Some(why) = indexer.damage() => readiness.reasons.push(format!(
                "search index: damaged ({why}), being rebuilt from the database; searches match names meanwhile"
            )),
            Some(indexer) if indexer.rebuilding() => {
                readiness.reasons.push("search index: lost while serving, being rebuilt from the database".to_owned())
            }
            Some(indexer) => match self.store.log_rows_after(indexer.position(), INDEX_LAG_READY + 1).await {
                Ok(lag) => {
                    readiness.index_lag = Some(lag);
                    if lag > INDEX_LAG_READY {
                        readiness.reasons.push(format!(
                            "search index: more than {INDEX_LAG_READY} changes behind the event log, catching up"
                        ));
                    }
                }
                Err(error) => {
                    tracing::warn!(%error, "not ready: the search index's lag cannot be read");
                    readiness.reasons.push("search index: its place in the event log cannot be read".to_owned());
                }
            },
        }
        readiness
    }
}
