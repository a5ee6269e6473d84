//! The initial schema. Built with the schema builder so that the same statements run on SQLite
//! and PostgreSQL. Timestamps are BIGINT Unix seconds (UTC); ids are BIGINT auto-increment keys;
//! text lists are `;`-separated with a leading and trailing `;` (`''` when empty).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        create_events(manager).await?;
        create_event_sessions(manager).await?;
        create_slots(manager).await?;
        create_organizations(manager).await?;
        create_users(manager).await?;
        create_participations(manager).await?;
        create_unavailable_slots(manager).await?;
        create_meeting_requests(manager).await?;
        create_meetings(manager).await?;
        create_search_outbox(manager).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Reverse order of creation: children before parents. Indexes go with their tables.
        let tables = [
            SearchOutbox::Table.into_iden(),
            Meetings::Table.into_iden(),
            MeetingRequests::Table.into_iden(),
            UnavailableSlots::Table.into_iden(),
            Participations::Table.into_iden(),
            Users::Table.into_iden(),
            Organizations::Table.into_iden(),
            Slots::Table.into_iden(),
            EventSessions::Table.into_iden(),
            Events::Table.into_iden(),
        ];
        for table in tables {
            manager.drop_table(Table::drop().table(table).if_exists().to_owned()).await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Events {
    Table,
    Id,
    Slug,
    Name,
    Venue,
    TimeZone,
    Status,
    BaseCurrency,
    CurrencyRates,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum EventSessions {
    Table,
    Id,
    EventId,
    Name,
    StartsAt,
    EndsAt,
    SlotMinutes,
    Tables,
}

#[derive(DeriveIden)]
enum Slots {
    Table,
    Id,
    EventId,
    SessionId,
    Code,
    StartsAt,
    EndsAt,
    Tables,
}

#[derive(DeriveIden)]
enum Organizations {
    Table,
    Id,
    Kind,
    Name,
    NameKey,
    Sectors,
    Country,
    Province,
    Website,
    Email,
    Phone,
    Description,
    Stage,
    FundingAsk,
    FundingCurrency,
    Founded,
    TeamSize,
    InvestorType,
    Stages,
    TicketMin,
    TicketMax,
    TicketCurrency,
    Countries,
    Thesis,
    FundingPrivate,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    Email,
    PasswordHash,
    DisplayName,
    Role,
    OrganizationId,
    EventId,
    Disabled,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Participations {
    Table,
    Id,
    EventId,
    OrganizationId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum UnavailableSlots {
    Table,
    ParticipationId,
    SlotId,
}

#[derive(DeriveIden)]
enum MeetingRequests {
    Table,
    Id,
    EventId,
    RequesterId,
    RecipientId,
    PairLow,
    PairHigh,
    Message,
    Note,
    Status,
    Priority,
    ExpiresAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Meetings {
    Table,
    Id,
    EventId,
    RequestId,
    StartupId,
    InvestorId,
    SlotId,
    TableNo,
    Pinned,
    Status,
    StartupOutcome,
    InvestorOutcome,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum SearchOutbox {
    Table,
    Id,
    OrganizationId,
    Op,
    CreatedAt,
}

/// A BIGINT auto-increment primary key.
pub(crate) fn id<T: IntoIden>(column: T) -> ColumnDef {
    big_pk_auto(column)
}

/// `TEXT NOT NULL DEFAULT ''`: free text and `;`-lists.
pub(crate) fn text_empty<T: IntoIden>(column: T) -> ColumnDef {
    text(column).default("").take()
}

/// `BOOLEAN NOT NULL DEFAULT false`.
fn flag<T: IntoIden>(column: T) -> ColumnDef {
    boolean(column).default(false).take()
}

/// A foreign key from `from.column` to `to.id`, named `fk_<from>_<column>`.
pub(crate) fn reference<F, C, T>(
    name: &str,
    from: F,
    column: C,
    to: T,
    on_delete: ForeignKeyAction,
) -> ForeignKeyCreateStatement
where
    F: IntoIden,
    C: IntoIden,
    T: IntoIden,
{
    ForeignKey::create()
        .name(name)
        .from(from, column)
        .to(to, Alias::new("id"))
        .on_delete(on_delete)
        .on_update(ForeignKeyAction::NoAction)
        .take()
}

pub(crate) fn cascade<F, C, T>(name: &str, from: F, column: C, to: T) -> ForeignKeyCreateStatement
where
    F: IntoIden,
    C: IntoIden,
    T: IntoIden,
{
    reference(name, from, column, to, ForeignKeyAction::Cascade)
}

async fn create_events(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .create_table(
            Table::create()
                .table(Events::Table)
                .col(id(Events::Id))
                .col(text_uniq(Events::Slug))
                .col(text(Events::Name))
                .col(text_empty(Events::Venue))
                .col(text(Events::TimeZone))
                .col(text(Events::Status))
                .col(text(Events::BaseCurrency).default("USD"))
                .col(text(Events::CurrencyRates).default("{}"))
                .col(big_integer(Events::CreatedAt))
                .col(big_integer(Events::UpdatedAt))
                .to_owned(),
        )
        .await
}

async fn create_event_sessions(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .create_table(
            Table::create()
                .table(EventSessions::Table)
                .col(id(EventSessions::Id))
                .col(big_integer(EventSessions::EventId))
                .col(text(EventSessions::Name))
                .col(big_integer(EventSessions::StartsAt))
                .col(big_integer(EventSessions::EndsAt))
                .col(integer(EventSessions::SlotMinutes))
                .col(integer(EventSessions::Tables))
                .foreign_key(&mut cascade(
                    "fk_event_sessions_event_id",
                    EventSessions::Table,
                    EventSessions::EventId,
                    Events::Table,
                ))
                .to_owned(),
        )
        .await?;
    manager
        .create_index(
            Index::create()
                .name("event_sessions_event_id")
                .table(EventSessions::Table)
                .col(EventSessions::EventId)
                .to_owned(),
        )
        .await
}

async fn create_slots(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .create_table(
            Table::create()
                .table(Slots::Table)
                .col(id(Slots::Id))
                .col(big_integer(Slots::EventId))
                .col(big_integer(Slots::SessionId))
                .col(text(Slots::Code))
                .col(big_integer(Slots::StartsAt))
                .col(big_integer(Slots::EndsAt))
                .col(integer(Slots::Tables))
                .foreign_key(&mut cascade("fk_slots_event_id", Slots::Table, Slots::EventId, Events::Table))
                .foreign_key(&mut cascade("fk_slots_session_id", Slots::Table, Slots::SessionId, EventSessions::Table))
                .to_owned(),
        )
        .await?;
    manager
        .create_index(
            Index::create()
                .name("slots_event_code")
                .table(Slots::Table)
                .col(Slots::EventId)
                .col(Slots::Code)
                .unique()
                .to_owned(),
        )
        .await?;
    manager
        .create_index(
            Index::create()
                .name("slots_event_starts_at")
                .table(Slots::Table)
                .col(Slots::EventId)
                .col(Slots::StartsAt)
                .to_owned(),
        )
        .await?;
    manager
        .create_index(Index::create().name("slots_session_id").table(Slots::Table).col(Slots::SessionId).to_owned())
        .await
}

async fn create_organizations(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .create_table(
            Table::create()
                .table(Organizations::Table)
                .col(id(Organizations::Id))
                .col(text(Organizations::Kind))
                .col(text(Organizations::Name))
                .col(text(Organizations::NameKey))
                .col(text_empty(Organizations::Sectors))
                .col(text_empty(Organizations::Country))
                .col(text_empty(Organizations::Province))
                .col(text_empty(Organizations::Website))
                .col(text_null(Organizations::Email).unique_key())
                .col(text_empty(Organizations::Phone))
                .col(text_empty(Organizations::Description))
                // Startup profile.
                .col(text_null(Organizations::Stage))
                .col(big_integer_null(Organizations::FundingAsk))
                .col(text_null(Organizations::FundingCurrency))
                .col(integer_null(Organizations::Founded))
                .col(integer_null(Organizations::TeamSize))
                // Investor profile.
                .col(text_null(Organizations::InvestorType))
                .col(text_empty(Organizations::Stages))
                .col(big_integer_null(Organizations::TicketMin))
                .col(big_integer_null(Organizations::TicketMax))
                .col(text_null(Organizations::TicketCurrency))
                .col(text_empty(Organizations::Countries))
                .col(text_empty(Organizations::Thesis))
                .col(flag(Organizations::FundingPrivate))
                .col(big_integer(Organizations::CreatedAt))
                .col(big_integer(Organizations::UpdatedAt))
                .to_owned(),
        )
        .await?;
    manager
        .create_index(
            Index::create()
                .name("organizations_kind_name_key")
                .table(Organizations::Table)
                .col(Organizations::Kind)
                .col(Organizations::NameKey)
                .to_owned(),
        )
        .await?;
    manager
        .create_index(
            Index::create()
                .name("organizations_name_key")
                .table(Organizations::Table)
                .col(Organizations::NameKey)
                .to_owned(),
        )
        .await
}

async fn create_users(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .create_table(
            Table::create()
                .table(Users::Table)
                .col(id(Users::Id))
                .col(text_uniq(Users::Email))
                .col(text(Users::PasswordHash))
                .col(text_empty(Users::DisplayName))
                .col(text(Users::Role))
                .col(big_integer_null(Users::OrganizationId))
                .col(big_integer_null(Users::EventId))
                .col(flag(Users::Disabled))
                .col(big_integer(Users::CreatedAt))
                .col(big_integer(Users::UpdatedAt))
                .foreign_key(&mut cascade(
                    "fk_users_organization_id",
                    Users::Table,
                    Users::OrganizationId,
                    Organizations::Table,
                ))
                .foreign_key(&mut cascade("fk_users_event_id", Users::Table, Users::EventId, Events::Table))
                .to_owned(),
        )
        .await?;
    // Foreign-key columns are indexed so that cascading deletes need no table scan.
    manager
        .create_index(
            Index::create().name("users_organization_id").table(Users::Table).col(Users::OrganizationId).to_owned(),
        )
        .await?;
    manager
        .create_index(Index::create().name("users_event_id").table(Users::Table).col(Users::EventId).to_owned())
        .await
}

async fn create_participations(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .create_table(
            Table::create()
                .table(Participations::Table)
                .col(id(Participations::Id))
                .col(big_integer(Participations::EventId))
                .col(big_integer(Participations::OrganizationId))
                .col(big_integer(Participations::CreatedAt))
                .foreign_key(&mut cascade(
                    "fk_participations_event_id",
                    Participations::Table,
                    Participations::EventId,
                    Events::Table,
                ))
                .foreign_key(&mut cascade(
                    "fk_participations_organization_id",
                    Participations::Table,
                    Participations::OrganizationId,
                    Organizations::Table,
                ))
                .to_owned(),
        )
        .await?;
    manager
        .create_index(
            Index::create()
                .name("participations_event_organization")
                .table(Participations::Table)
                .col(Participations::EventId)
                .col(Participations::OrganizationId)
                .unique()
                .to_owned(),
        )
        .await?;
    manager
        .create_index(
            Index::create()
                .name("participations_organization_id")
                .table(Participations::Table)
                .col(Participations::OrganizationId)
                .to_owned(),
        )
        .await
}

async fn create_unavailable_slots(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .create_table(
            Table::create()
                .table(UnavailableSlots::Table)
                .col(big_integer(UnavailableSlots::ParticipationId))
                .col(big_integer(UnavailableSlots::SlotId))
                .primary_key(Index::create().col(UnavailableSlots::ParticipationId).col(UnavailableSlots::SlotId))
                .foreign_key(&mut cascade(
                    "fk_unavailable_slots_participation_id",
                    UnavailableSlots::Table,
                    UnavailableSlots::ParticipationId,
                    Participations::Table,
                ))
                .foreign_key(&mut cascade(
                    "fk_unavailable_slots_slot_id",
                    UnavailableSlots::Table,
                    UnavailableSlots::SlotId,
                    Slots::Table,
                ))
                .to_owned(),
        )
        .await?;
    manager
        .create_index(
            Index::create()
                .name("unavailable_slots_slot_id")
                .table(UnavailableSlots::Table)
                .col(UnavailableSlots::SlotId)
                .to_owned(),
        )
        .await
}

async fn create_meeting_requests(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .create_table(
            Table::create()
                .table(MeetingRequests::Table)
                .col(id(MeetingRequests::Id))
                .col(big_integer(MeetingRequests::EventId))
                .col(big_integer(MeetingRequests::RequesterId))
                .col(big_integer(MeetingRequests::RecipientId))
                .col(big_integer(MeetingRequests::PairLow))
                .col(big_integer(MeetingRequests::PairHigh))
                .col(text_empty(MeetingRequests::Message))
                .col(text_empty(MeetingRequests::Note))
                .col(text(MeetingRequests::Status))
                .col(integer(MeetingRequests::Priority).default(0))
                .col(big_integer_null(MeetingRequests::ExpiresAt))
                .col(big_integer(MeetingRequests::CreatedAt))
                .col(big_integer(MeetingRequests::UpdatedAt))
                .check(Check::named(
                    "meeting_requests_not_self",
                    Expr::col(MeetingRequests::RequesterId).ne(Expr::col(MeetingRequests::RecipientId)),
                ))
                .foreign_key(&mut cascade(
                    "fk_meeting_requests_event_id",
                    MeetingRequests::Table,
                    MeetingRequests::EventId,
                    Events::Table,
                ))
                .foreign_key(&mut cascade(
                    "fk_meeting_requests_requester_id",
                    MeetingRequests::Table,
                    MeetingRequests::RequesterId,
                    Organizations::Table,
                ))
                .foreign_key(&mut cascade(
                    "fk_meeting_requests_recipient_id",
                    MeetingRequests::Table,
                    MeetingRequests::RecipientId,
                    Organizations::Table,
                ))
                .to_owned(),
        )
        .await?;
    // At most one pending request per pair of organizations in an event, whoever asked.
    manager
        .create_index(
            Index::create()
                .name("meeting_requests_one_pending_per_pair")
                .table(MeetingRequests::Table)
                .col(MeetingRequests::EventId)
                .col(MeetingRequests::PairLow)
                .col(MeetingRequests::PairHigh)
                .unique()
                .and_where(Expr::col(MeetingRequests::Status).eq("pending"))
                .to_owned(),
        )
        .await?;
    manager
        .create_index(
            Index::create()
                .name("meeting_requests_event_requester")
                .table(MeetingRequests::Table)
                .col(MeetingRequests::EventId)
                .col(MeetingRequests::RequesterId)
                .to_owned(),
        )
        .await?;
    manager
        .create_index(
            Index::create()
                .name("meeting_requests_event_recipient")
                .table(MeetingRequests::Table)
                .col(MeetingRequests::EventId)
                .col(MeetingRequests::RecipientId)
                .to_owned(),
        )
        .await
}

async fn create_meetings(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .create_table(
            Table::create()
                .table(Meetings::Table)
                .col(id(Meetings::Id))
                .col(big_integer(Meetings::EventId))
                .col(big_integer_uniq(Meetings::RequestId))
                .col(big_integer(Meetings::StartupId))
                .col(big_integer(Meetings::InvestorId))
                .col(big_integer_null(Meetings::SlotId))
                .col(integer_null(Meetings::TableNo))
                .col(flag(Meetings::Pinned))
                .col(text(Meetings::Status))
                .col(text_null(Meetings::StartupOutcome))
                .col(text_null(Meetings::InvestorOutcome))
                .col(big_integer(Meetings::CreatedAt))
                .col(big_integer(Meetings::UpdatedAt))
                .check(Check::named(
                    "meetings_table_no_positive",
                    Expr::col(Meetings::TableNo).is_null().or(Expr::col(Meetings::TableNo).gte(1)),
                ))
                .foreign_key(&mut cascade("fk_meetings_event_id", Meetings::Table, Meetings::EventId, Events::Table))
                .foreign_key(&mut cascade(
                    "fk_meetings_request_id",
                    Meetings::Table,
                    Meetings::RequestId,
                    MeetingRequests::Table,
                ))
                .foreign_key(&mut cascade(
                    "fk_meetings_startup_id",
                    Meetings::Table,
                    Meetings::StartupId,
                    Organizations::Table,
                ))
                .foreign_key(&mut cascade(
                    "fk_meetings_investor_id",
                    Meetings::Table,
                    Meetings::InvestorId,
                    Organizations::Table,
                ))
                .foreign_key(&mut reference(
                    "fk_meetings_slot_id",
                    Meetings::Table,
                    Meetings::SlotId,
                    Slots::Table,
                    ForeignKeyAction::SetNull,
                ))
                .to_owned(),
        )
        .await?;
    // No double booking among live meetings. Rows without a slot (NULL) never collide: NULLs
    // are distinct in unique indexes on both databases.
    let live_unique = |name: &str, participant: Meetings| {
        Index::create()
            .name(name)
            .table(Meetings::Table)
            .col(Meetings::EventId)
            .col(Meetings::SlotId)
            .col(participant)
            .unique()
            .and_where(Expr::col(Meetings::Status).ne("cancelled"))
            .to_owned()
    };
    manager.create_index(live_unique("meetings_slot_startup", Meetings::StartupId)).await?;
    manager.create_index(live_unique("meetings_slot_investor", Meetings::InvestorId)).await?;
    manager.create_index(live_unique("meetings_slot_table", Meetings::TableNo)).await?;
    manager
        .create_index(Index::create().name("meetings_slot_id").table(Meetings::Table).col(Meetings::SlotId).to_owned())
        .await?;
    manager
        .create_index(
            Index::create().name("meetings_startup_id").table(Meetings::Table).col(Meetings::StartupId).to_owned(),
        )
        .await?;
    manager
        .create_index(
            Index::create().name("meetings_investor_id").table(Meetings::Table).col(Meetings::InvestorId).to_owned(),
        )
        .await
}

async fn create_search_outbox(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    // No foreign key on organization_id: a deletion must outlive the organization.
    manager
        .create_table(
            Table::create()
                .table(SearchOutbox::Table)
                .col(id(SearchOutbox::Id))
                .col(big_integer(SearchOutbox::OrganizationId))
                .col(text(SearchOutbox::Op))
                .col(big_integer(SearchOutbox::CreatedAt))
                .to_owned(),
        )
        .await
}
