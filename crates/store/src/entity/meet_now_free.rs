//! `meet_now_free`: a participant at the venue that marked itself free for a slot.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "meet_now_free")]
pub struct Model {
    pub event_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub slot_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub organization_id: i64,
    pub created_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
