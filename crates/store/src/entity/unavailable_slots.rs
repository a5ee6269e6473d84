//! `unavailable_slots`: the slots in which a participant cannot meet.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "unavailable_slots")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub participation_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub slot_id: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::participations::Entity",
        from = "Column::ParticipationId",
        to = "super::participations::Column::Id",
        on_delete = "Cascade"
    )]
    Participation,
    #[sea_orm(
        belongs_to = "super::slots::Entity",
        from = "Column::SlotId",
        to = "super::slots::Column::Id",
        on_delete = "Cascade"
    )]
    Slot,
}

impl Related<super::participations::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Participation.def()
    }
}

impl Related<super::slots::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Slot.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
