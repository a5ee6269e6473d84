//! `slots`: one meeting time of an event (`code` like `d1-0900`), with its number of tables.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "slots")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub event_id: i64,
    pub session_id: i64,
    pub code: String,
    pub starts_at: i64,
    pub ends_at: i64,
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
    #[sea_orm(
        belongs_to = "super::event_sessions::Entity",
        from = "Column::SessionId",
        to = "super::event_sessions::Column::Id",
        on_delete = "Cascade"
    )]
    Session,
    #[sea_orm(has_many = "super::unavailable_slots::Entity")]
    UnavailableSlots,
}

impl Related<super::events::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Event.def()
    }
}

impl Related<super::event_sessions::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Session.def()
    }
}

impl Related<super::unavailable_slots::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::UnavailableSlots.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
