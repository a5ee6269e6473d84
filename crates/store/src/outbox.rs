//! The search outbox: one row per profile change, written in the change's transaction, so the
//! search index can be brought up to date from the database after any crash.

use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set, Statement,
};

use crate::entity::search_outbox;
use crate::{Result, Store, now};

/// What happened to an organization.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutboxOp {
    Upsert,
    Delete,
}

impl OutboxOp {
    fn as_str(self) -> &'static str {
        match self {
            OutboxOp::Upsert => "upsert",
            OutboxOp::Delete => "delete",
        }
    }
}

/// One outbox row: its position (strictly increasing), the organization and the operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxEntry {
    pub position: i64,
    pub organization_id: i64,
    pub delete: bool,
}

/// The PostgreSQL advisory lock that orders outbox writers.
const OUTBOX_LOCK: i64 = 0x6b65_746e_6f69; // "ketnoi"

/// Makes this transaction the only outbox writer until it ends (meeting requests take it too,
/// so that a quota is counted and used by one writer at a time). Positions come from an
/// auto-increment, handed out at insert; without this, on PostgreSQL a transaction could commit
/// a lower position after a reader has passed it. SQLite has one writer at a time already.
pub(crate) async fn lock_writers(db: &impl ConnectionTrait) -> Result<()> {
    if db.get_database_backend() == DbBackend::Postgres {
        db.execute_raw(Statement::from_string(
            DbBackend::Postgres,
            format!("SELECT pg_advisory_xact_lock({OUTBOX_LOCK})"),
        ))
        .await?;
    }
    Ok(())
}

/// Records a change of each organization, in order; call [`lock_writers`] first in the same
/// transaction.
pub(crate) async fn record(db: &impl ConnectionTrait, organization_ids: &[i64], op: OutboxOp) -> Result<()> {
    if organization_ids.is_empty() {
        return Ok(());
    }
    let at = now();
    let rows = organization_ids.iter().map(|id| search_outbox::ActiveModel {
        organization_id: Set(*id),
        op: Set(op.as_str().to_owned()),
        created_at: Set(at),
        ..Default::default()
    });
    search_outbox::Entity::insert_many(rows).exec(db).await?;
    Ok(())
}

impl Store {
    /// The position of the latest outbox row, 0 when there is none.
    pub async fn outbox_position(&self) -> Result<i64> {
        let latest = search_outbox::Entity::find().order_by_desc(search_outbox::Column::Id).one(&self.db).await?;
        Ok(latest.map_or(0, |row| row.id))
    }

    /// Outbox rows after `position`, oldest first, at most `limit`.
    pub async fn outbox_after(&self, position: i64, limit: u64) -> Result<Vec<OutboxEntry>> {
        let rows = search_outbox::Entity::find()
            .filter(search_outbox::Column::Id.gt(position))
            .order_by_asc(search_outbox::Column::Id)
            .limit(limit)
            .all(&self.db)
            .await?;
        Ok(rows
            .into_iter()
            .map(|row| OutboxEntry {
                position: row.id,
                organization_id: row.organization_id,
                delete: row.op == "delete",
            })
            .collect())
    }
}
