//! Meeting requests and scheduling: per-event quotas and request expiry; per meeting whether
//! it is published and the revision of its calendar entry (iCalendar SEQUENCE).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Events {
    Table,
    RequestQuota,
    MeetingQuota,
    RequestTtlHours,
}

#[derive(DeriveIden)]
enum Meetings {
    Table,
    Published,
    Sequence,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [Events::RequestQuota, Events::MeetingQuota, Events::RequestTtlHours] {
            manager
                .alter_table(
                    Table::alter().table(Events::Table).add_column(ColumnDef::new(column).integer().null()).to_owned(),
                )
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Meetings::Table)
                    .add_column(ColumnDef::new(Meetings::Published).boolean().not_null().default(false))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Meetings::Table)
                    .add_column(ColumnDef::new(Meetings::Sequence).integer().not_null().default(0))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [Meetings::Sequence, Meetings::Published] {
            manager.alter_table(Table::alter().table(Meetings::Table).drop_column(column).to_owned()).await?;
        }
        for column in [Events::RequestTtlHours, Events::MeetingQuota, Events::RequestQuota] {
            manager.alter_table(Table::alter().table(Events::Table).drop_column(column).to_owned()).await?;
        }
        Ok(())
    }
}
