//! The event log replaces the search outbox: every domain event (a profile changed, a request
//! sent, a meeting moved…) is a row written in the transaction of the change, read by each
//! consumer from its own position.
//!
//! `tx` is the writing transaction's id on PostgreSQL (`pg_current_xact_id()`), 0 on SQLite.
//! Rows are read in (`tx`, `id`) order and only below the oldest transaction still running, so
//! that a row committed late never lands behind a position a reader has passed. SQLite has one
//! writer at a time: there `id` order is commit order.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum EventLog {
    Table,
    Id,
    Tx,
    EventId,
    Kind,
    Payload,
    CreatedAt,
}

#[derive(DeriveIden)]
enum SearchOutbox {
    Table,
    Id,
    OrganizationId,
    Op,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // No foreign keys: the log outlives what it tells of (a deleted organization, event).
        manager
            .create_table(
                Table::create()
                    .table(EventLog::Table)
                    .col(big_pk_auto(EventLog::Id))
                    .col(big_integer(EventLog::Tx).default(0))
                    .col(big_integer_null(EventLog::EventId))
                    .col(text(EventLog::Kind))
                    .col(text(EventLog::Payload))
                    .col(big_integer(EventLog::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("event_log_position")
                    .table(EventLog::Table)
                    .col(EventLog::Tx)
                    .col(EventLog::Id)
                    .to_owned(),
            )
            .await?;
        // A search index built from the outbox is rebuilt from the database at the next start:
        // its position names no row of the log.
        manager.drop_table(Table::drop().table(SearchOutbox::Table).if_exists().to_owned()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(SearchOutbox::Table)
                    .col(big_pk_auto(SearchOutbox::Id))
                    .col(big_integer(SearchOutbox::OrganizationId))
                    .col(text(SearchOutbox::Op))
                    .col(big_integer(SearchOutbox::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager.drop_table(Table::drop().table(EventLog::Table).if_exists().to_owned()).await
    }
}
