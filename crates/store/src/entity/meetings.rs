//! `meetings`: an accepted request, placed at a slot and table (both NULL until scheduled).
//! Status `scheduled|checked_in|held|no_show|cancelled`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "meetings")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub event_id: i64,
    #[sea_orm(unique)]
    pub request_id: i64,
    pub startup_id: i64,
    pub investor_id: i64,
    pub slot_id: Option<i64>,
    pub table_no: Option<i32>,
    pub pinned: bool,
    pub status: String,
    pub startup_outcome: Option<String>,
    pub investor_outcome: Option<String>,
    /// Part of the published schedule: a re-run leaves it where it is.
    pub published: bool,
    /// The revision of its calendar entry, raised when a published meeting moves.
    pub sequence: i32,
    /// Where the published schedule last put it (start, end, table): kept when it is
    /// unplaced or cancelled afterwards, so that calendars subscribed to it remove it.
    pub announced_start: Option<i64>,
    pub announced_end: Option<i64>,
    pub announced_table: Option<i32>,
    /// The revision each side's agenda last showed: below `sequence`, the change is new to it.
    pub startup_seen: i32,
    pub investor_seen: i32,
    /// Each side's rating of the meeting, 1 to 5, and whether it wants to follow up.
    pub startup_rating: Option<i16>,
    pub investor_rating: Option<i16>,
    pub startup_follow_up: Option<bool>,
    pub investor_follow_up: Option<bool>,
    /// It came from a meet-now proposal, on the day.
    pub rematched: bool,
    /// The private amount each side gave with its outcome, in the event's base currency.
    pub startup_amount: Option<i64>,
    pub investor_amount: Option<i64>,
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
        belongs_to = "super::meeting_requests::Entity",
        from = "Column::RequestId",
        to = "super::meeting_requests::Column::Id",
        on_delete = "Cascade"
    )]
    Request,
    #[sea_orm(
        belongs_to = "super::organizations::Entity",
        from = "Column::StartupId",
        to = "super::organizations::Column::Id",
        on_delete = "Cascade"
    )]
    Startup,
    #[sea_orm(
        belongs_to = "super::organizations::Entity",
        from = "Column::InvestorId",
        to = "super::organizations::Column::Id",
        on_delete = "Cascade"
    )]
    Investor,
    #[sea_orm(
        belongs_to = "super::slots::Entity",
        from = "Column::SlotId",
        to = "super::slots::Column::Id",
        on_delete = "SetNull"
    )]
    Slot,
}

impl Related<super::events::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Event.def()
    }
}

impl Related<super::meeting_requests::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Request.def()
    }
}

impl Related<super::slots::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Slot.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
