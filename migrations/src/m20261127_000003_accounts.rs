//! Accounts: browser sessions, API tokens and invitations. Every secret is stored as the
//! SHA-256 of a 256-bit random value, so a copy of the database signs nobody in.

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261127_000001_initial::{cascade, id, reference, text_empty};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
}

#[derive(DeriveIden)]
enum Organizations {
    Table,
}

#[derive(DeriveIden)]
enum Sessions {
    Table,
    Id,
    UserId,
    TokenHash,
    CreatedAt,
    LastSeenAt,
    ExpiresAt,
}

#[derive(DeriveIden)]
enum ApiTokens {
    Table,
    Id,
    UserId,
    Name,
    TokenHash,
    Prefix,
    CreatedAt,
    LastUsedAt,
    ExpiresAt,
    RevokedAt,
}

#[derive(DeriveIden)]
enum Invitations {
    Table,
    Id,
    OrganizationId,
    Email,
    TokenHash,
    InvitedBy,
    CreatedAt,
    ExpiresAt,
    AcceptedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Sessions::Table)
                    .col(id(Sessions::Id))
                    .col(big_integer(Sessions::UserId))
                    .col(text_uniq(Sessions::TokenHash))
                    .col(big_integer(Sessions::CreatedAt))
                    .col(big_integer(Sessions::LastSeenAt))
                    .col(big_integer(Sessions::ExpiresAt))
                    .foreign_key(&mut cascade("fk_sessions_user_id", Sessions::Table, Sessions::UserId, Users::Table))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create().name("sessions_user_id").table(Sessions::Table).col(Sessions::UserId).to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ApiTokens::Table)
                    .col(id(ApiTokens::Id))
                    .col(big_integer(ApiTokens::UserId))
                    .col(text_empty(ApiTokens::Name))
                    .col(text_uniq(ApiTokens::TokenHash))
                    .col(text(ApiTokens::Prefix))
                    .col(big_integer(ApiTokens::CreatedAt))
                    .col(big_integer_null(ApiTokens::LastUsedAt))
                    .col(big_integer_null(ApiTokens::ExpiresAt))
                    .col(big_integer_null(ApiTokens::RevokedAt))
                    .foreign_key(&mut cascade(
                        "fk_api_tokens_user_id",
                        ApiTokens::Table,
                        ApiTokens::UserId,
                        Users::Table,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create().name("api_tokens_user_id").table(ApiTokens::Table).col(ApiTokens::UserId).to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Invitations::Table)
                    .col(id(Invitations::Id))
                    .col(big_integer(Invitations::OrganizationId))
                    .col(text(Invitations::Email))
                    .col(text_uniq(Invitations::TokenHash))
                    .col(big_integer_null(Invitations::InvitedBy))
                    .col(big_integer(Invitations::CreatedAt))
                    .col(big_integer(Invitations::ExpiresAt))
                    .col(big_integer_null(Invitations::AcceptedAt))
                    .foreign_key(&mut cascade(
                        "fk_invitations_organization_id",
                        Invitations::Table,
                        Invitations::OrganizationId,
                        Organizations::Table,
                    ))
                    .foreign_key(&mut reference(
                        "fk_invitations_invited_by",
                        Invitations::Table,
                        Invitations::InvitedBy,
                        Users::Table,
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("invitations_organization_id")
                    .table(Invitations::Table)
                    .col(Invitations::OrganizationId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("invitations_invited_by")
                    .table(Invitations::Table)
                    .col(Invitations::InvitedBy)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [Invitations::Table.into_iden(), ApiTokens::Table.into_iden(), Sessions::Table.into_iden()] {
            manager.drop_table(Table::drop().table(table).if_exists().to_owned()).await?;
        }
        Ok(())
    }
}
