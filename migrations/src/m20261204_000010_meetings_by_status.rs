//! Meetings by slot and status: who was at the venue on a day (a meeting of theirs checked in
//! or held in one of its slots) is read for each meet-now round, from this index alone rather
//! than from every meeting of the day.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Meetings {
    Table,
    SlotId,
    Status,
    StartupId,
    InvestorId,
}

const NAME: &str = "meetings_slot_status";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name(NAME)
                    .table(Meetings::Table)
                    .col(Meetings::SlotId)
                    .col(Meetings::Status)
                    .col(Meetings::StartupId)
                    .col(Meetings::InvestorId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_index(Index::drop().name(NAME).table(Meetings::Table).to_owned()).await
    }
}
