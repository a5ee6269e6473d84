//! Organizations: startups and investors, stored in one table with kind-specific columns.

use jiff::Timestamp;
use ketnoi_domain::money::{Currency, Money, Rates};
use ketnoi_domain::profile::{Details, InvestorDetails, OrgKind, Profile, StartupDetails, Ticket};
use ketnoi_domain::taxonomy::{InvestorType, Sector, Stage};
use ketnoi_domain::text::fold;
use ketnoi_domain::validate::{Country, Email, WebUrl};
use sea_orm::sea_query::{Expr, LikeExpr};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, EntityTrait, ExprTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};

use crate::entity::{events, organizations, participations, users};
use crate::log;
use crate::{Result, Store, StoreError, lists};
use ketnoi_domain::log::Change;
use ketnoi_domain::rules::Resource;
use ketnoi_domain::validate::{Issue, ValidationErrors};

/// A stored organization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Organization {
    pub id: i64,
    pub profile: Profile,
    pub phone: String,
    /// Whether the funding figures (ask, ticket) are shown only to signed-in counterparts.
    pub funding_private: bool,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// Filters and paging for listing organizations; the defaults list everything by name.
#[derive(Debug, Clone, Default)]
pub struct OrganizationQuery {
    pub event_id: Option<i64>,
    pub kind: Option<OrgKind>,
    pub sector: Option<Sector>,
    pub stage: Option<Stage>,
    pub country: Option<Country>,
    /// Part of the name, compared folded (case and diacritics ignored).
    pub name: Option<String>,
    pub investor_type: Option<InvestorType>,
    /// Investors whose public ticket range covers this amount, compared in its currency
    /// (converted with the indicative rates of [`Rates::vietnam_default`]).
    pub ticket: Option<Money>,
    pub limit: u64,
    pub offset: u64,
}

/// One page of a listing and the total number of matches.
#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: u64,
}

fn corrupt(column: &str, error: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("organizations.{column}: {error}"))
}

fn optional<T, E: std::fmt::Display>(
    column: &str,
    value: Option<&str>,
    parse: impl Fn(&str) -> Result<T, E>,
) -> Result<Option<T>> {
    value.filter(|v| !v.is_empty()).map(|v| parse(v).map_err(|e| corrupt(column, e))).transpose()
}

pub(crate) fn from_model(row: organizations::Model) -> Result<Organization> {
    let kind = OrgKind::parse(&row.kind).map_err(|e| corrupt("kind", e))?;
    let details = match kind {
        OrgKind::Startup => {
            let funding_currency = optional("funding_currency", row.funding_currency.as_deref(), Currency::parse)?;
            Details::Startup(StartupDetails {
                stage: optional("stage", row.stage.as_deref(), Stage::parse)?
                    .ok_or_else(|| corrupt("stage", "missing"))?,
                funding_ask: row
                    .funding_ask
                    .zip(funding_currency)
                    .map(|(amount, currency)| Money::new(amount, currency)),
                founded: row.founded.and_then(|year| i16::try_from(year).ok()),
                team_size: row.team_size.and_then(|size| u32::try_from(size).ok()),
            })
        }
        OrgKind::Investor => {
            let investor_type = optional("investor_type", row.investor_type.as_deref(), InvestorType::parse)?
                .ok_or_else(|| corrupt("investor_type", "missing"))?;
            let currency = optional("ticket_currency", row.ticket_currency.as_deref(), Currency::parse)?;
            Details::Investor(InvestorDetails {
                investor_type,
                stages: lists::split("stages", &row.stages, Stage::parse)?,
                ticket: row.ticket_min.zip(row.ticket_max).zip(currency).map(|((min, max), currency)| Ticket {
                    min,
                    max,
                    currency,
                }),
                countries: lists::split("countries", &row.countries, Country::parse)?,
                thesis: row.thesis,
            })
        }
    };
    Ok(Organization {
        id: row.id,
        profile: Profile {
            sectors: lists::split("sectors", &row.sectors, Sector::parse)?,
            country: optional("country", Some(&row.country), Country::parse)?,
            website: optional("website", Some(&row.website), WebUrl::parse)?,
            email: optional("email", row.email.as_deref(), Email::parse)?,
            name: row.name,
            province: row.province,
            description: row.description,
            details,
        },
        phone: row.phone,
        funding_private: row.funding_private,
        created_at: Timestamp::from_second(row.created_at).map_err(|e| corrupt("created_at", e))?,
        updated_at: Timestamp::from_second(row.updated_at).map_err(|e| corrupt("updated_at", e))?,
    })
}

/// The columns a profile determines, for insert or update; ids and timestamps are the caller's.
pub(crate) fn profile_columns(profile: &Profile) -> organizations::ActiveModel {
    let mut model = organizations::ActiveModel {
        kind: Set(profile.kind().as_str().to_owned()),
        name: Set(profile.name.clone()),
        name_key: Set(fold(&profile.name)),
        sectors: Set(lists::join(&profile.sectors)),
        country: Set(profile.country.map(|c| c.to_string()).unwrap_or_default()),
        province: Set(profile.province.clone()),
        website: Set(profile.website.as_ref().map(|w| w.as_str().to_owned()).unwrap_or_default()),
        email: Set(profile.email.as_ref().map(|e| e.as_str().to_owned())),
        description: Set(profile.description.clone()),
        stage: Set(None),
        funding_ask: Set(None),
        funding_currency: Set(None),
        founded: Set(None),
        team_size: Set(None),
        investor_type: Set(None),
        stages: Set(String::new()),
        ticket_min: Set(None),
        ticket_max: Set(None),
        ticket_currency: Set(None),
        countries: Set(String::new()),
        thesis: Set(String::new()),
        ..Default::default()
    };
    match &profile.details {
        Details::Startup(startup) => {
            model.stage = Set(Some(startup.stage.code().to_owned()));
            model.funding_ask = Set(startup.funding_ask.map(|m| m.amount));
            model.funding_currency = Set(startup.funding_ask.map(|m| m.currency.to_string()));
            model.founded = Set(startup.founded.map(i32::from));
            model.team_size = Set(startup.team_size.and_then(|t| i32::try_from(t).ok()));
        }
        Details::Investor(investor) => {
            model.investor_type = Set(Some(investor.investor_type.code().to_owned()));
            model.stages = Set(lists::join(&investor.stages));
            model.ticket_min = Set(investor.ticket.map(|t| t.min));
            model.ticket_max = Set(investor.ticket.map(|t| t.max));
            model.ticket_currency = Set(investor.ticket.map(|t| t.currency.to_string()));
            model.countries = Set(lists::join(&investor.countries));
            model.thesis = Set(investor.thesis.clone());
        }
    }
    model
}

/// `LIKE` pattern for a folded substring, with the wildcards in it escaped.
fn substring_pattern(text: &str) -> LikeExpr {
    let escaped = fold(text).replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
    LikeExpr::new(format!("%{escaped}%")).escape('\\')
}

impl Store {
    /// One organization by id.
    pub async fn organization(&self, id: i64) -> Result<Organization> {
        let row = organizations::Entity::find_by_id(id).one(&self.db).await?;
        from_model(row.ok_or(StoreError::not_found(Resource::Organization))?)
    }

    /// Organizations matching the query, ordered by name then id, with the total count.
    pub async fn organizations(&self, query: &OrganizationQuery) -> Result<Page<Organization>> {
        use organizations::Column;
        let mut select = organizations::Entity::find();
        if let Some(event_id) = query.event_id {
            select = select.filter(
                Column::Id.in_subquery(
                    sea_orm::sea_query::Query::select()
                        .column(participations::Column::OrganizationId)
                        .from(participations::Entity)
                        .and_where(participations::Column::EventId.eq(event_id))
                        .to_owned(),
                ),
            );
        }
        if let Some(kind) = query.kind {
            select = select.filter(Column::Kind.eq(kind.as_str()));
        }
        if let Some(sector) = query.sector {
            select = select.filter(Column::Sectors.like(lists::contains_pattern(sector.code())));
        }
        if let Some(stage) = query.stage {
            select = select.filter(
                Condition::any()
                    .add(Column::Stage.eq(stage.code()))
                    .add(Column::Stages.like(lists::contains_pattern(stage.code()))),
            );
        }
        if let Some(country) = query.country {
            select = select.filter(
                Condition::any()
                    .add(Column::Country.eq(country.as_str()))
                    .add(Column::Countries.like(lists::contains_pattern(country.as_str()))),
            );
        }
        if let Some(investor_type) = query.investor_type {
            select = select.filter(Column::InvestorType.eq(investor_type.code()));
        }
        if let Some(ticket) = query.ticket {
            let rates = Rates::vietnam_default();
            let mut covers = Condition::any();
            for (currency, _) in rates.iter() {
                let Ok(amount) = rates.convert(ticket, currency) else { continue };
                covers = covers.add(
                    Condition::all()
                        .add(Column::TicketCurrency.eq(currency.as_str()))
                        .add(Column::TicketMin.lte(amount.amount))
                        .add(Column::TicketMax.gte(amount.amount)),
                );
            }
            select = select.filter(covers).filter(Column::FundingPrivate.eq(false));
        }
        if let Some(name) = query.name.as_deref().filter(|n| !n.trim().is_empty()) {
            select = select.filter(Expr::col(Column::NameKey).like(substring_pattern(name)));
        }
        let total = select.clone().count(&self.db).await?;
        let rows = select
            .order_by_asc(Column::NameKey)
            .order_by_asc(Column::Id)
            .limit(query.limit)
            .offset(query.offset)
            .all(&self.db)
            .await?;
        let items = rows.into_iter().map(from_model).collect::<Result<Vec<_>>>()?;
        Ok(Page { items, total })
    }

    /// The number of events, for health and figures.
    pub async fn event_count(&self) -> Result<u64> {
        Ok(events::Entity::find().count(&self.db).await?)
    }
}

impl Store {
    /// The organizations with these ids that exist, in no particular order.
    pub async fn organizations_by_ids(&self, ids: &[i64]) -> Result<Vec<Organization>> {
        let mut found = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(500) {
            let rows = organizations::Entity::find()
                .filter(organizations::Column::Id.is_in(chunk.iter().copied()))
                .all(&self.db)
                .await?;
            for row in rows {
                found.push(from_model(row)?);
            }
        }
        Ok(found)
    }

    /// Organizations with an id above `after_id`, by id, at most `limit`: for walking them all.
    pub async fn organizations_after(&self, after_id: i64, limit: u64) -> Result<Vec<Organization>> {
        let rows = organizations::Entity::find()
            .filter(organizations::Column::Id.gt(after_id))
            .order_by_asc(organizations::Column::Id)
            .limit(limit)
            .all(&self.db)
            .await?;
        rows.into_iter().map(from_model).collect()
    }

    /// The events each of these organizations takes part in.
    pub async fn events_of(&self, organization_ids: &[i64]) -> Result<std::collections::HashMap<i64, Vec<i64>>> {
        let mut events: std::collections::HashMap<i64, Vec<i64>> = std::collections::HashMap::new();
        for chunk in organization_ids.chunks(500) {
            let rows = participations::Entity::find()
                .filter(participations::Column::OrganizationId.is_in(chunk.iter().copied()))
                .all(&self.db)
                .await?;
            for row in rows {
                events.entry(row.organization_id).or_default().push(row.event_id);
            }
        }
        Ok(events)
    }
}

/// The fields a profile edit sets besides the profile itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileEdit {
    pub profile: Profile,
    pub phone: String,
    pub funding_private: bool,
}

/// A member of an organization, as its colleagues see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub id: i64,
    pub email: String,
    pub display_name: String,
}

impl Store {
    /// Replaces an organization's profile; the search index follows through the event log.
    /// The kind (startup or investor) cannot change.
    pub async fn update_organization(&self, id: i64, edit: &ProfileEdit) -> Result<Organization> {
        let txn = self.begin_write().await?;
        let current = organizations::Entity::find_by_id(id)
            .one(&txn)
            .await?
            .ok_or(StoreError::not_found(Resource::Organization))?;
        let kind = from_model(current.clone())?.profile.kind();
        if kind != edit.profile.kind() {
            return Err(StoreError::Invalid(ValidationErrors::single("kind", Issue::KindFixed { kind })));
        }
        let mut update = profile_columns(&edit.profile);
        update.id = Set(id);
        update.phone = Set(edit.phone.clone());
        update.funding_private = Set(edit.funding_private);
        update.updated_at = Set(crate::now());
        let row = update.update(&txn).await?;
        log::record(&txn, None, &[Change::OrganizationChanged { organization: id }]).await?;
        txn.commit().await?;
        from_model(row)
    }

    /// Deletes an organization and everything it holds (members, participations, requests,
    /// meetings, invitations); its deletion in the event log takes it out of the search index.
    pub async fn delete_organization(&self, id: i64) -> Result<()> {
        let txn = self.begin_write().await?;
        let deleted = organizations::Entity::delete_by_id(id).exec(&txn).await?;
        if deleted.rows_affected == 0 {
            return Err(StoreError::not_found(Resource::Organization));
        }
        log::record(&txn, None, &[Change::OrganizationDeleted { organization: id }]).await?;
        txn.commit().await?;
        Ok(())
    }

    /// The members of an organization, by name.
    pub async fn members(&self, organization_id: i64) -> Result<Vec<Member>> {
        let rows = users::Entity::find()
            .filter(users::Column::OrganizationId.eq(organization_id))
            .order_by_asc(users::Column::DisplayName)
            .all(&self.db)
            .await?;
        Ok(rows
            .into_iter()
            .map(|row| Member { id: row.id, email: row.email, display_name: row.display_name })
            .collect())
    }
}
