//! The event log: each change writes its domain events ([`Change`]) in its own transaction,
//! and each consumer reads the log from its own position.
//!
//! Positions must never be passed by a row that commits later. Ids come from a sequence,
//! handed out at insert, so on PostgreSQL a transaction that began writing early may commit
//! after a later one, with a lower id. Instead of one global lock that would make every
//! writer wait for every other, each row records its transaction's id (`tx`, from
//! `pg_current_xact_id()`) and readers see only rows whose transaction is older than the
//! oldest one still running (`pg_snapshot_xmin(pg_current_snapshot())`): those are settled,
//! committed or rolled back, and no row can join them. Rows are read in (`tx`, `id`) order.
//! A long transaction holds readers back until it ends; it never makes them skip a row.
//! SQLite has one writer at a time: there `tx` is 0 and `id` order is commit order.

use std::collections::HashSet;
use std::fmt;
use std::str::FromStr;

use ketnoi_domain::log::Change;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbBackend, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Set, Statement,
};

use crate::entity::event_log;
use crate::{Result, Store, StoreError, now};

/// A place in the log: every row after it is yet to be read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LogPosition {
    pub tx: i64,
    pub id: i64,
}

impl LogPosition {
    /// Before the first row.
    pub const START: LogPosition = LogPosition { tx: 0, id: 0 };
}

impl fmt::Display for LogPosition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.tx, self.id)
    }
}

impl FromStr for LogPosition {
    type Err = String;

    /// `tx.id`, as [`fmt::Display`] writes it.
    fn from_str(text: &str) -> Result<Self, String> {
        let (tx, id) = text.split_once('.').ok_or_else(|| format!("{text:?} is not a log position"))?;
        let number = |part: &str| part.parse::<i64>().map_err(|_| format!("{text:?} is not a log position"));
        Ok(LogPosition { tx: number(tx)?, id: number(id)? })
    }
}

/// One row of the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogEntry {
    pub position: LogPosition,
    /// The event (fair) the change belongs to, when it belongs to one.
    pub event_id: Option<i64>,
    pub change: Change,
    /// Unix seconds.
    pub at: i64,
}

/// The writing transaction's id on PostgreSQL (0 on SQLite): the first half of a position.
async fn transaction_id(db: &impl ConnectionTrait) -> Result<i64> {
    if db.get_database_backend() != DbBackend::Postgres {
        return Ok(0);
    }
    let row = db
        .query_one_raw(Statement::from_string(DbBackend::Postgres, "SELECT pg_current_xact_id()::text::bigint AS tx"))
        .await?
        .ok_or_else(|| StoreError::Corrupt("no transaction id".to_owned()))?;
    Ok(row.try_get("", "tx")?)
}

/// Records `changes` of `event_id` (if any) in the transaction `db` is.
pub(crate) async fn record(db: &impl ConnectionTrait, event_id: Option<i64>, changes: &[Change]) -> Result<()> {
    if changes.is_empty() {
        return Ok(());
    }
    let tx = transaction_id(db).await?;
    let at = now();
    let mut rows = Vec::with_capacity(changes.len());
    for change in changes {
        let payload = serde_json::to_string(change).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        rows.push(event_log::ActiveModel {
            tx: Set(tx),
            event_id: Set(event_id),
            kind: Set(change.kind().to_owned()),
            payload: Set(payload),
            created_at: Set(at),
            ..Default::default()
        });
    }
    for chunk in rows.chunks(500) {
        event_log::Entity::insert_many(chunk.to_vec()).exec(db).await?;
    }
    Ok(())
}

/// Only settled rows: on PostgreSQL, those of transactions older than every running one.
fn settled(backend: DbBackend) -> Condition {
    match backend {
        DbBackend::Postgres => {
            Condition::all().add(Expr::cust("tx < pg_snapshot_xmin(pg_current_snapshot())::text::bigint"))
        }
        _ => Condition::all(),
    }
}

fn after(position: LogPosition) -> Condition {
    Condition::any()
        .add(event_log::Column::Tx.gt(position.tx))
        .add(Condition::all().add(event_log::Column::Tx.eq(position.tx)).add(event_log::Column::Id.gt(position.id)))
}

fn entry(row: event_log::Model) -> Result<LogEntry> {
    let change =
        serde_json::from_str(&row.payload).map_err(|e| StoreError::Corrupt(format!("event_log {}: {e}", row.id)))?;
    Ok(LogEntry {
        position: LogPosition { tx: row.tx, id: row.id },
        event_id: row.event_id,
        change,
        at: row.created_at,
    })
}

impl Store {
    /// The last settled position of the log ([`LogPosition::START`] when it is empty): a reader
    /// that starts there reads everything that commits from now on.
    pub async fn log_head(&self) -> Result<LogPosition> {
        let last = event_log::Entity::find()
            .filter(settled(self.db.get_database_backend()))
            .order_by_desc(event_log::Column::Tx)
            .order_by_desc(event_log::Column::Id)
            .one(&self.db)
            .await?;
        Ok(last.map_or(LogPosition::START, |row| LogPosition { tx: row.tx, id: row.id }))
    }

    /// The last row committed so far, settled or not ([`LogPosition::START`] when there is
    /// none): a reader that has read up to it has read everything committed before the call.
    /// On PostgreSQL the transaction ids of every database of the cluster count, so a row may
    /// stay unsettled while any older transaction of the cluster is open.
    pub async fn log_tail(&self) -> Result<LogPosition> {
        let last = event_log::Entity::find()
            .order_by_desc(event_log::Column::Tx)
            .order_by_desc(event_log::Column::Id)
            .one(&self.db)
            .await?;
        Ok(last.map_or(LogPosition::START, |row| LogPosition { tx: row.tx, id: row.id }))
    }

    /// How many settled rows follow `position`, counted up to `cap`: how far a reader at
    /// `position` is behind.
    pub async fn log_rows_after(&self, position: LogPosition, cap: u64) -> Result<u64> {
        // Counted by the database, up to `cap`: `count` wraps the limited query.
        Ok(event_log::Entity::find()
            .select_only()
            .column(event_log::Column::Id)
            .filter(settled(self.db.get_database_backend()))
            .filter(after(position))
            .limit(cap)
            .count(&self.db)
            .await?)
    }

    /// The organizations whose profile was created, changed or deleted in the rows after
    /// `position` committed so far, and the settled position to read from next time: for what
    /// is kept of profiles in memory. Rows committed but not settled yet (on PostgreSQL) are
    /// told now, and again until they settle, so that a change is seen as soon as it commits
    /// and none is passed over.
    pub async fn profiles_changed_after(&self, position: LogPosition) -> Result<(LogPosition, HashSet<i64>)> {
        // First: a row that commits between the two reads is either in the second or after
        // the head.
        let head = self.log_head().await?.max(position);
        let kinds = [
            Change::OrganizationCreated { organization: 0 },
            Change::OrganizationChanged { organization: 0 },
            Change::OrganizationDeleted { organization: 0 },
        ]
        .map(|change| change.kind());
        let payloads: Vec<String> = event_log::Entity::find()
            .select_only()
            .column(event_log::Column::Payload)
            .filter(after(position))
            .filter(event_log::Column::Kind.is_in(kinds))
            .into_tuple()
            .all(&self.db)
            .await?;
        let mut changed = HashSet::new();
        for payload in payloads {
            let change: Change = serde_json::from_str(&payload).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            changed.extend(change.profile_changed());
        }
        Ok((head, changed))
    }

    /// The settled rows after `position`, in log order, at most `limit`.
    pub async fn log_after(&self, position: LogPosition, limit: u64) -> Result<Vec<LogEntry>> {
        let rows = event_log::Entity::find()
            .filter(settled(self.db.get_database_backend()))
            .filter(after(position))
            .order_by_asc(event_log::Column::Tx)
            .order_by_asc(event_log::Column::Id)
            .limit(limit)
            .all(&self.db)
            .await?;
        rows.into_iter().map(entry).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_order_by_transaction_then_id_and_round_trip() {
        let early = LogPosition { tx: 7, id: 90 };
        let late = LogPosition { tx: 8, id: 3 };
        assert!(early < late);
        assert_eq!("8.3".parse::<LogPosition>(), Ok(late));
        assert_eq!(late.to_string(), "8.3");
        assert!("8".parse::<LogPosition>().is_err());
    }
}
