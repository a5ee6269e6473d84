//! Rate limits shared by every server: failed sign-ins and registrations are counted in the
//! database, not in each process's memory, so that N replicas do not give N times the limits.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::big_pk_auto;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Attempts {
    Table,
    Id,
    Scope,
    KeyHash,
    AtMs,
}

const BY_KEY: &str = "attempts_scope_key_at";
const BY_TIME: &str = "attempts_at";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Attempts::Table)
                    .col(big_pk_auto(Attempts::Id))
                    .col(ColumnDef::new(Attempts::Scope).string().not_null())
                    .col(ColumnDef::new(Attempts::KeyHash).string().not_null())
                    .col(ColumnDef::new(Attempts::AtMs).big_integer().not_null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name(BY_KEY)
                    .table(Attempts::Table)
                    .col(Attempts::Scope)
                    .col(Attempts::KeyHash)
                    .col(Attempts::AtMs)
                    .to_owned(),
            )
            .await?;
        manager.create_index(Index::create().name(BY_TIME).table(Attempts::Table).col(Attempts::AtMs).to_owned()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Attempts::Table).to_owned()).await
    }
}
