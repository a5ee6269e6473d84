//! What each side thought of a meeting once it took place: a rating from 1 to 5 and whether it
//! wants to follow up. Private to the pair and the organisers; only counts are published.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Meetings {
    Table,
    StartupRating,
    InvestorRating,
    StartupFollowUp,
    InvestorFollowUp,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [Meetings::StartupRating, Meetings::InvestorRating] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Meetings::Table)
                        .add_column(ColumnDef::new(column).small_integer().null())
                        .to_owned(),
                )
                .await?;
        }
        for column in [Meetings::StartupFollowUp, Meetings::InvestorFollowUp] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Meetings::Table)
                        .add_column(ColumnDef::new(column).boolean().null())
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in
            [Meetings::InvestorFollowUp, Meetings::StartupFollowUp, Meetings::InvestorRating, Meetings::StartupRating]
        {
            manager.alter_table(Table::alter().table(Meetings::Table).drop_column(column).to_owned()).await?;
        }
        Ok(())
    }
}
