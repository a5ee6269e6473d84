//! Notifications: the mail outbox (one row per message, written in the transaction that decides
//! it), each consumer's position in the event log, mail preferences, single-use tokens (password
//! reset, address confirmation), the instance's link secret, each user's language and consent,
//! the organisers' mail settings, and where the published schedule last put each meeting.

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261127_000001_initial::{cascade, id, text_empty};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    Language,
    EmailConsentAt,
    EmailConfirmedAt,
    CalendarFeed,
}

#[derive(DeriveIden)]
enum Events {
    Table,
    DigestHours,
    ReminderMinutes,
}

/// Where the published schedule last put a meeting, for the calendar feed: a meeting the
/// organisers unplace or cancel after publishing stays in the feed, cancelled, at that time.
#[derive(DeriveIden)]
enum Meetings {
    Table,
    AnnouncedStart,
    AnnouncedEnd,
    AnnouncedTable,
}

#[derive(DeriveIden)]
enum Notifications {
    Table,
    Id,
    DedupKey,
    UserId,
    EventId,
    Recipient,
    Language,
    Kind,
    Subject,
    TextBody,
    HtmlBody,
    Unsubscribe,
    Status,
    Attempts,
    NextAttemptAt,
    LeaseUntil,
    SentAt,
    LastError,
    CreatedAt,
}

#[derive(DeriveIden)]
enum ConsumerPositions {
    Table,
    Consumer,
    Tx,
    Position,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum MailPreferences {
    Table,
    UserId,
    Kind,
    Mode,
}

#[derive(DeriveIden)]
enum UserTokens {
    Table,
    Id,
    UserId,
    Purpose,
    TokenHash,
    CreatedAt,
    ExpiresAt,
    UsedAt,
}

#[derive(DeriveIden)]
enum InstanceSettings {
    Table,
    Key,
    Value,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            ColumnDef::new(Users::Language).text().not_null().default("vi").to_owned(),
            ColumnDef::new(Users::EmailConsentAt).big_integer().null().to_owned(),
            ColumnDef::new(Users::EmailConfirmedAt).big_integer().null().to_owned(),
            // The generation of the user's calendar feed address; 0: none.
            ColumnDef::new(Users::CalendarFeed).integer().not_null().default(0).to_owned(),
        ] {
            manager.alter_table(Table::alter().table(Users::Table).add_column(column).to_owned()).await?;
        }
        // Accounts made before addresses were confirmed keep working.
        manager
            .exec_stmt(
                Query::update()
                    .table(Users::Table)
                    .value(Users::EmailConfirmedAt, Expr::col(Alias::new("created_at")))
                    .to_owned(),
            )
            .await?;
        for column in [Events::DigestHours, Events::ReminderMinutes] {
            manager
                .alter_table(
                    Table::alter().table(Events::Table).add_column(ColumnDef::new(column).integer().null()).to_owned(),
                )
                .await?;
        }
        for column in [Meetings::AnnouncedStart, Meetings::AnnouncedEnd] {
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
                    .table(Meetings::Table)
                    .add_column(ColumnDef::new(Meetings::AnnouncedTable).integer().null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Notifications::Table)
                    // The small columns first and the bodies last: SQLite reads a row's columns
                    // in order, so a count by status or a claim never reads a message's text.
                    .col(id(Notifications::Id))
                    .col(big_integer_null(Notifications::UserId))
                    .col(big_integer_null(Notifications::EventId))
                    .col(text(Notifications::Status))
                    .col(integer(Notifications::Attempts).default(0))
                    .col(big_integer(Notifications::NextAttemptAt))
                    .col(big_integer_null(Notifications::LeaseUntil))
                    .col(big_integer_null(Notifications::SentAt))
                    .col(big_integer(Notifications::CreatedAt))
                    .col(text(Notifications::Language))
                    .col(text(Notifications::Kind))
                    .col(text(Notifications::Recipient))
                    .col(text_empty(Notifications::LastError))
                    .col(text_uniq(Notifications::DedupKey))
                    .col(text_empty(Notifications::Unsubscribe))
                    .col(text(Notifications::Subject))
                    .col(text(Notifications::TextBody))
                    .col(text(Notifications::HtmlBody))
                    .foreign_key(&mut cascade(
                        "fk_notifications_user_id",
                        Notifications::Table,
                        Notifications::UserId,
                        Users::Table,
                    ))
                    .foreign_key(&mut cascade(
                        "fk_notifications_event_id",
                        Notifications::Table,
                        Notifications::EventId,
                        Events::Table,
                    ))
                    .to_owned(),
            )
            .await?;
        for (name, columns) in [
            ("notifications_due", vec![Notifications::Status, Notifications::NextAttemptAt]),
            // Counts by event and status from the index alone.
            ("notifications_event_status", vec![Notifications::EventId, Notifications::Status]),
            ("notifications_user_id", vec![Notifications::UserId]),
        ] {
            let mut index = Index::create().name(name).table(Notifications::Table).to_owned();
            for column in columns {
                index.col(column);
            }
            manager.create_index(index).await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(ConsumerPositions::Table)
                    .col(text(ConsumerPositions::Consumer).primary_key())
                    .col(big_integer(ConsumerPositions::Tx))
                    .col(big_integer(ConsumerPositions::Position))
                    .col(big_integer(ConsumerPositions::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(MailPreferences::Table)
                    .col(big_integer(MailPreferences::UserId))
                    .col(text(MailPreferences::Kind))
                    .col(text(MailPreferences::Mode))
                    .primary_key(Index::create().col(MailPreferences::UserId).col(MailPreferences::Kind))
                    .foreign_key(&mut cascade(
                        "fk_mail_preferences_user_id",
                        MailPreferences::Table,
                        MailPreferences::UserId,
                        Users::Table,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(UserTokens::Table)
                    .col(id(UserTokens::Id))
                    .col(big_integer(UserTokens::UserId))
                    .col(text(UserTokens::Purpose))
                    .col(text_uniq(UserTokens::TokenHash))
                    .col(big_integer(UserTokens::CreatedAt))
                    .col(big_integer(UserTokens::ExpiresAt))
                    .col(big_integer_null(UserTokens::UsedAt))
                    .foreign_key(&mut cascade(
                        "fk_user_tokens_user_id",
                        UserTokens::Table,
                        UserTokens::UserId,
                        Users::Table,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(InstanceSettings::Table)
                    .col(text(InstanceSettings::Key).primary_key())
                    .col(text(InstanceSettings::Value))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            InstanceSettings::Table.into_iden(),
            UserTokens::Table.into_iden(),
            MailPreferences::Table.into_iden(),
            ConsumerPositions::Table.into_iden(),
            Notifications::Table.into_iden(),
        ] {
            manager.drop_table(Table::drop().table(table).if_exists().to_owned()).await?;
        }
        for column in [Meetings::AnnouncedTable, Meetings::AnnouncedEnd, Meetings::AnnouncedStart] {
            manager.alter_table(Table::alter().table(Meetings::Table).drop_column(column).to_owned()).await?;
        }
        for column in [Events::ReminderMinutes, Events::DigestHours] {
            manager.alter_table(Table::alter().table(Events::Table).drop_column(column).to_owned()).await?;
        }
        for column in [Users::CalendarFeed, Users::EmailConfirmedAt, Users::EmailConsentAt, Users::Language] {
            manager.alter_table(Table::alter().table(Users::Table).drop_column(column).to_owned()).await?;
        }
        Ok(())
    }
}
