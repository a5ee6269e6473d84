//! Meet now and the follow-up round.
//!
//! - `meet_now_proposals`: an instant meeting proposed to a pair present at the venue and free
//!   in a slot, at a free table, until both accept (`met`, with its meeting), one declines
//!   (`declined`) or another pair takes the table or a side first (`gone`).
//! - `meet_now_free`: a participant at the venue that marked itself free for a slot.
//! - `meetings.rematched`: the meeting came from a proposal; `startup_amount`/`investor_amount`:
//!   the private amount a side gives with its outcome (term sheet, invested), in the event's
//!   base currency.
//! - `events.follow_up_opened_at`: when the organisers asked each pair for its outcome.
//! - A no-show frees its slot and table: the indexes against double booking now leave out
//!   no-show meetings as well as cancelled ones, so that a re-matched meeting can take the
//!   table and the side that came.

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261127_000001_initial::{cascade, reference};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum MeetNowProposals {
    Table,
    Id,
    EventId,
    SlotId,
    TableNo,
    StartupId,
    InvestorId,
    Score,
    StartupAnswer,
    InvestorAnswer,
    Status,
    MeetingId,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum MeetNowFree {
    Table,
    EventId,
    SlotId,
    OrganizationId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Meetings {
    Table,
    EventId,
    SlotId,
    StartupId,
    InvestorId,
    TableNo,
    Status,
    Rematched,
    StartupAmount,
    InvestorAmount,
}

#[derive(DeriveIden)]
enum Events {
    Table,
    FollowUpOpenedAt,
}

#[derive(DeriveIden)]
enum Slots {
    Table,
}

#[derive(DeriveIden)]
enum Organizations {
    Table,
}

/// The three indexes against double booking, on the meetings whose status is not one of
/// `freed`.
async fn live_unique(manager: &SchemaManager<'_>, freed: &[&str]) -> Result<(), DbErr> {
    for (name, column) in [
        ("meetings_slot_startup", Meetings::StartupId),
        ("meetings_slot_investor", Meetings::InvestorId),
        ("meetings_slot_table", Meetings::TableNo),
    ] {
        manager.drop_index(Index::drop().name(name).table(Meetings::Table).to_owned()).await?;
        manager
            .create_index(
                Index::create()
                    .name(name)
                    .table(Meetings::Table)
                    .col(Meetings::EventId)
                    .col(Meetings::SlotId)
                    .col(column)
                    .unique()
                    .and_where(Expr::col(Meetings::Status).is_not_in(freed.iter().copied()))
                    .to_owned(),
            )
            .await?;
    }
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(MeetNowProposals::Table)
                    .col(big_pk_auto(MeetNowProposals::Id))
                    .col(big_integer(MeetNowProposals::EventId))
                    .col(big_integer(MeetNowProposals::SlotId))
                    .col(integer(MeetNowProposals::TableNo))
                    .col(big_integer(MeetNowProposals::StartupId))
                    .col(big_integer(MeetNowProposals::InvestorId))
                    .col(integer(MeetNowProposals::Score))
                    .col(text_null(MeetNowProposals::StartupAnswer))
                    .col(text_null(MeetNowProposals::InvestorAnswer))
                    .col(text(MeetNowProposals::Status))
                    .col(big_integer_null(MeetNowProposals::MeetingId))
                    .col(big_integer(MeetNowProposals::CreatedAt))
                    .col(big_integer(MeetNowProposals::UpdatedAt))
                    .foreign_key(&mut cascade(
                        "fk_meet_now_proposals_event_id",
                        MeetNowProposals::Table,
                        MeetNowProposals::EventId,
                        Events::Table,
                    ))
                    .foreign_key(&mut cascade(
                        "fk_meet_now_proposals_slot_id",
                        MeetNowProposals::Table,
                        MeetNowProposals::SlotId,
                        Slots::Table,
                    ))
                    .foreign_key(&mut cascade(
                        "fk_meet_now_proposals_startup_id",
                        MeetNowProposals::Table,
                        MeetNowProposals::StartupId,
                        Organizations::Table,
                    ))
                    .foreign_key(&mut cascade(
                        "fk_meet_now_proposals_investor_id",
                        MeetNowProposals::Table,
                        MeetNowProposals::InvestorId,
                        Organizations::Table,
                    ))
                    .foreign_key(&mut reference(
                        "fk_meet_now_proposals_meeting_id",
                        MeetNowProposals::Table,
                        MeetNowProposals::MeetingId,
                        Meetings::Table,
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        // A pair is proposed once per slot.
        manager
            .create_index(
                Index::create()
                    .name("meet_now_proposals_slot_pair")
                    .table(MeetNowProposals::Table)
                    .col(MeetNowProposals::SlotId)
                    .col(MeetNowProposals::StartupId)
                    .col(MeetNowProposals::InvestorId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("meet_now_proposals_event_status")
                    .table(MeetNowProposals::Table)
                    .col(MeetNowProposals::EventId)
                    .col(MeetNowProposals::Status)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(MeetNowFree::Table)
                    .col(big_integer(MeetNowFree::EventId))
                    .col(big_integer(MeetNowFree::SlotId))
                    .col(big_integer(MeetNowFree::OrganizationId))
                    .col(big_integer(MeetNowFree::CreatedAt))
                    .primary_key(Index::create().col(MeetNowFree::SlotId).col(MeetNowFree::OrganizationId))
                    .foreign_key(&mut cascade(
                        "fk_meet_now_free_event_id",
                        MeetNowFree::Table,
                        MeetNowFree::EventId,
                        Events::Table,
                    ))
                    .foreign_key(&mut cascade(
                        "fk_meet_now_free_slot_id",
                        MeetNowFree::Table,
                        MeetNowFree::SlotId,
                        Slots::Table,
                    ))
                    .foreign_key(&mut cascade(
                        "fk_meet_now_free_organization_id",
                        MeetNowFree::Table,
                        MeetNowFree::OrganizationId,
                        Organizations::Table,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Meetings::Table)
                    .add_column(ColumnDef::new(Meetings::Rematched).boolean().not_null().default(false))
                    .to_owned(),
            )
            .await?;
        for column in [Meetings::StartupAmount, Meetings::InvestorAmount] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Meetings::Table)
                        .add_column(ColumnDef::new(column).big_integer().null())
                        .to_owned(),
                )
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Events::Table)
                    .add_column(ColumnDef::new(Events::FollowUpOpenedAt).big_integer().null())
                    .to_owned(),
            )
            .await?;
        live_unique(manager, &["cancelled", "no-show"]).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        live_unique(manager, &["cancelled"]).await?;
        manager
            .alter_table(Table::alter().table(Events::Table).drop_column(Events::FollowUpOpenedAt).to_owned())
            .await?;
        for column in [Meetings::InvestorAmount, Meetings::StartupAmount, Meetings::Rematched] {
            manager.alter_table(Table::alter().table(Meetings::Table).drop_column(column).to_owned()).await?;
        }
        manager.drop_table(Table::drop().table(MeetNowFree::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(MeetNowProposals::Table).to_owned()).await
    }
}
