//! `event_sessions`: a day's block of meetings in an event; it yields the event's slots.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "event_sessions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub event_id: i64,
    pub name: String,
    pub starts_at: i64,
    pub ends_at: i64,
    pub slot_minutes: i32,
    pub tables: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::events::Entity",
        from = "Column::EventId",
        to = "super::events::Column::Id",
        on_delete = "Cascade"
    )]
    Event,
    #[sea_orm(has_many = "super::slots::Entity")]
    Slots,
}

impl Related<super::events::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Event.def()
    }
}

impl Related<super::slots::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Slots.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
