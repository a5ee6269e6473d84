//! `attempts`: failed sign-ins and registrations by a hashed key (an account, a client address)
//! within the rate limits' windows, shared by every server on the database.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "attempts")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// Which limit counts it: `login-account`, `login-address`, `register-address`.
    pub scope: String,
    /// SHA-256 of the key, in hex: no address or e-mail is kept in the clear.
    pub key_hash: String,
    /// When, in milliseconds since the epoch.
    pub at_ms: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
