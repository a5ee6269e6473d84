//! `organizations`: startups and investors. Lists (`sectors`, `stages`, `countries`) are
//! `;`-separated with a leading and trailing `;`, or `''` when empty.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "organizations")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// `startup` or `investor`.
    pub kind: String,
    pub name: String,
    /// The folded name, for matching and sorting.
    pub name_key: String,
    pub sectors: String,
    /// ISO 3166-1 alpha-2, or `''`.
    pub country: String,
    pub province: String,
    pub website: String,
    #[sea_orm(unique)]
    pub email: Option<String>,
    pub phone: String,
    pub description: String,
    // Startup profile.
    pub stage: Option<String>,
    pub funding_ask: Option<i64>,
    pub funding_currency: Option<String>,
    pub founded: Option<i32>,
    pub team_size: Option<i32>,
    // Investor profile.
    pub investor_type: Option<String>,
    pub stages: String,
    pub ticket_min: Option<i64>,
    pub ticket_max: Option<i64>,
    pub ticket_currency: Option<String>,
    pub countries: String,
    pub thesis: String,
    pub funding_private: bool,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::participations::Entity")]
    Participations,
    #[sea_orm(has_many = "super::users::Entity")]
    Users,
}

impl Related<super::participations::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Participations.def()
    }
}

impl Related<super::users::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Users.def()
    }
}

/// The events an organization takes part in.
impl Related<super::events::Entity> for Entity {
    fn to() -> RelationDef {
        super::participations::Relation::Event.def()
    }

    fn via() -> Option<RelationDef> {
        Some(super::participations::Relation::Organization.def().rev())
    }
}

impl ActiveModelBehavior for ActiveModel {}
