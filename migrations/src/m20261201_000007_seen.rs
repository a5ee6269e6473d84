//! What each side of a meeting has seen of it: the calendar revision (`sequence`) its agenda
//! last showed, so that a meeting moved or cancelled after publishing is marked on the agenda
//! until its participants have seen the change.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Meetings {
    Table,
    StartupSeen,
    InvestorSeen,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [Meetings::StartupSeen, Meetings::InvestorSeen] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Meetings::Table)
                        .add_column(ColumnDef::new(column).integer().not_null().default(0))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [Meetings::InvestorSeen, Meetings::StartupSeen] {
            manager.alter_table(Table::alter().table(Meetings::Table).drop_column(column).to_owned()).await?;
        }
        Ok(())
    }
}
