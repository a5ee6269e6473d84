//! `users`: accounts. An organiser runs `event_id`; a member belongs to `organization_id`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub email: String,
    pub password_hash: String,
    pub display_name: String,
    /// `organiser` or `member`.
    pub role: String,
    pub organization_id: Option<i64>,
    pub event_id: Option<i64>,
    pub disabled: bool,
    /// The language of the user's messages: `vi`, `en`.
    pub language: String,
    /// When the user agreed to receive e-mail (none: never asked, or declined).
    pub email_consent_at: Option<i64>,
    /// When the user proved the address is theirs (none: not yet).
    pub email_confirmed_at: Option<i64>,
    /// The generation of the calendar feed's address; 0 for none.
    pub calendar_feed: i32,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::organizations::Entity",
        from = "Column::OrganizationId",
        to = "super::organizations::Column::Id",
        on_delete = "Cascade"
    )]
    Organization,
    #[sea_orm(
        belongs_to = "super::events::Entity",
        from = "Column::EventId",
        to = "super::events::Column::Id",
        on_delete = "Cascade"
    )]
    Event,
}

impl Related<super::organizations::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Organization.def()
    }
}

impl Related<super::events::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Event.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
