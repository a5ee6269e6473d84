//! `event_log`: the domain events, each written in the transaction of its change. A row's
//! position is (`tx`, `id`): `tx` is the writing transaction's id on PostgreSQL, 0 on SQLite.
//! No foreign keys: the log outlives what it tells of.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "event_log")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub tx: i64,
    pub event_id: Option<i64>,
    pub kind: String,
    /// The change as JSON (`ketnoi_domain::log::Change`).
    pub payload: String,
    pub created_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
