//! `meet_now_proposals`: an instant meeting proposed to a pair in a slot at a table. Status
//! `open|met|declined|gone`; each side's answer `accepted|declined` or NULL while it has none.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "meet_now_proposals")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub event_id: i64,
    pub slot_id: i64,
    pub table_no: i32,
    pub startup_id: i64,
    pub investor_id: i64,
    /// The pair's match score, in thousandths.
    pub score: i32,
    pub startup_answer: Option<String>,
    pub investor_answer: Option<String>,
    pub status: String,
    /// The meeting it became.
    pub meeting_id: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
