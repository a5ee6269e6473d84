//! `meeting_requests`: one organization asking another for a meeting at an event.
//! `pair_low`/`pair_high` are the smaller and larger of the two organization ids.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "meeting_requests")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub event_id: i64,
    pub requester_id: i64,
    pub recipient_id: i64,
    pub pair_low: i64,
    pub pair_high: i64,
    pub message: String,
    pub note: String,
    /// `pending|accepted|declined|cancelled|expired`.
    pub status: String,
    pub priority: i32,
    pub expires_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
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
        belongs_to = "super::organizations::Entity",
        from = "Column::RequesterId",
        to = "super::organizations::Column::Id",
        on_delete = "Cascade"
    )]
    Requester,
    #[sea_orm(
        belongs_to = "super::organizations::Entity",
        from = "Column::RecipientId",
        to = "super::organizations::Column::Id",
        on_delete = "Cascade"
    )]
    Recipient,
}

impl Related<super::events::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Event.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
