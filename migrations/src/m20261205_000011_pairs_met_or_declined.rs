//! Pairs that met or declined, read for each meet-now round among the participants free in a
//! slot: meetings by investor carry the event, the status and the startup, so that the pairs
//! are read from the index alone (it replaces the index on the investor alone, its prefix; the
//! startup last, or SQLite probes every pair of two lists of ids), and the declined requests of
//! an event have a partial index of their own.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Meetings {
    Table,
    EventId,
    Status,
    StartupId,
    InvestorId,
}

#[derive(DeriveIden)]
enum MeetingRequests {
    Table,
    EventId,
    Status,
    PairLow,
    PairHigh,
}

const INVESTOR: &str = "meetings_investor_id";
const INVESTOR_PAIR: &str = "meetings_investor_pair";
const DECLINED: &str = "meeting_requests_declined";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name(INVESTOR_PAIR)
                    .table(Meetings::Table)
                    .col(Meetings::InvestorId)
                    .col(Meetings::EventId)
                    .col(Meetings::Status)
                    .col(Meetings::StartupId)
                    .to_owned(),
            )
            .await?;
        manager.drop_index(Index::drop().name(INVESTOR).table(Meetings::Table).to_owned()).await?;
        manager
            .create_index(
                Index::create()
                    .name(DECLINED)
                    .table(MeetingRequests::Table)
                    .col(MeetingRequests::EventId)
                    .col(MeetingRequests::PairLow)
                    .col(MeetingRequests::PairHigh)
                    .and_where(Expr::col(MeetingRequests::Status).eq("declined"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_index(Index::drop().name(DECLINED).table(MeetingRequests::Table).to_owned()).await?;
        manager
            .create_index(Index::create().name(INVESTOR).table(Meetings::Table).col(Meetings::InvestorId).to_owned())
            .await?;
        manager.drop_index(Index::drop().name(INVESTOR_PAIR).table(Meetings::Table).to_owned()).await
    }
}
