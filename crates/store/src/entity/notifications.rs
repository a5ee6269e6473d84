//! `notifications`: the mail outbox. One row per message, rendered when it is decided, sent by
//! whichever server claims it first; `dedup_key` makes deciding it twice harmless.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "notifications")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub user_id: Option<i64>,
    pub event_id: Option<i64>,
    /// `queued`, `sent` or `failed`.
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: i64,
    /// While a server sends it: until when no other takes it.
    pub lease_until: Option<i64>,
    pub sent_at: Option<i64>,
    pub created_at: i64,
    pub language: String,
    pub kind: String,
    pub recipient: String,
    pub last_error: String,
    #[sea_orm(unique)]
    pub dedup_key: String,
    /// The one-click unsubscribe address; empty for security messages.
    pub unsubscribe: String,
    pub subject: String,
    pub text_body: String,
    pub html_body: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
