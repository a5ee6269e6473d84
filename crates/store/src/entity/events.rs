//! `events`: an event and its life cycle (`draft|open|scheduled|published|closed`).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "events")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub slug: String,
    pub name: String,
    pub venue: String,
    /// IANA time zone name.
    pub time_zone: String,
    pub status: String,
    pub base_currency: String,
    /// JSON object: currency -> units per one base unit.
    pub currency_rates: String,
    /// JSON object of matching weights, `''` for the defaults.
    pub matching_weights: String,
    /// Requests a startup may have open or accepted; no limit when NULL.
    pub request_quota: Option<i32>,
    /// Meetings an investor will take; no limit when NULL.
    pub meeting_quota: Option<i32>,
    /// Hours until a pending request expires; never when NULL.
    pub request_ttl_hours: Option<i32>,
    /// Hours between two digests of waiting requests (none: 24).
    pub digest_hours: Option<i32>,
    /// Minutes before a meeting its reminder is sent (none: 15).
    pub reminder_minutes: Option<i32>,
    /// When the organisers opened the follow-up round, asking each pair for its outcome.
    pub follow_up_opened_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::event_sessions::Entity")]
    Sessions,
    #[sea_orm(has_many = "super::slots::Entity")]
    Slots,
    #[sea_orm(has_many = "super::participations::Entity")]
    Participations,
}

impl Related<super::event_sessions::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Sessions.def()
    }
}

impl Related<super::slots::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Slots.def()
    }
}

impl Related<super::participations::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Participations.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
