//! The event's report: counts only, each taken by the database with `GROUP BY` (no row of a
//! participant, a request or a meeting is loaded), on SQLite and PostgreSQL alike.

use std::collections::{BTreeMap, HashMap};

use ketnoi_domain::rules::{MeetingStatus, Outcome, RequestStatus};
use ketnoi_domain::taxonomy::Sector;
use sea_orm::{ConnectionTrait, DbBackend, QueryResult, Statement, Value};

use crate::{Result, Store, now};

/// The event's counts, as the report shows them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReportCounts {
    /// Participants by kind (`startup`, `investor`).
    pub kinds: BTreeMap<String, u64>,
    /// Participants by country (ISO 3166-1 alpha-2; `""` when not given).
    pub countries: BTreeMap<String, u64>,
    /// Participants by sector code: an organization counts once in each of its sectors.
    pub sectors: BTreeMap<String, u64>,
    /// Requests by status, a pending request past its expiry counted as expired.
    pub requests: HashMap<RequestStatus, u64>,
    /// Meetings by status.
    pub meetings: HashMap<MeetingStatus, u64>,
    /// Meetings given a slot and a table, and not cancelled.
    pub placed: u64,
    /// Outcomes either side recorded, by outcome.
    pub outcomes: HashMap<Outcome, u64>,
    /// Meetings that took place (held or checked in), by the countries of the two sides: the
    /// smaller code first (`("KR", "VN")`).
    pub met_by_countries: BTreeMap<(String, String), u64>,
    /// The sides' ratings of their meetings, by rating (1 to 5), each side's answer once.
    pub ratings: BTreeMap<u8, u64>,
    /// The sides that want to follow up.
    pub follow_ups: u64,
    /// Meetings made on the day from a meet-now proposal, not cancelled.
    pub rematched: u64,
    /// Meetings of which a side reported a term sheet or an investment.
    pub deals: u64,
}

/// A statement with `?` placeholders, numbered (`$1`, `$2`, …) for PostgreSQL.
fn statement(backend: DbBackend, sql: &str, values: Vec<Value>) -> Statement {
    let sql = match backend {
        DbBackend::Postgres => {
            let mut numbered = String::with_capacity(sql.len() + 8);
            let mut n = 0;
            for c in sql.chars() {
                if c == '?' {
                    n += 1;
                    numbered.push_str(&format!("${n}"));
                } else {
                    numbered.push(c);
                }
            }
            numbered
        }
        _ => sql.to_owned(),
    };
    Statement::from_sql_and_values(backend, sql, values)
}

fn count(row: &QueryResult) -> Result<u64> {
    let n: i64 = row.try_get("", "n")?;
    Ok(u64::try_from(n).unwrap_or(0))
}

fn text(row: &QueryResult, column: &str) -> Result<String> {
    Ok(row.try_get::<Option<String>>("", column)?.unwrap_or_default())
}

/// The statuses the report counts a meeting that took place by: held, or checked in (both
/// sides at the table; the organiser may not mark it held afterwards).
const MET: [MeetingStatus; 2] = [MeetingStatus::Held, MeetingStatus::CheckedIn];

impl Store {
    async fn rows(&self, sql: &str, values: Vec<Value>) -> Result<Vec<QueryResult>> {
        let backend = self.db.get_database_backend();
        Ok(self.db.query_all_raw(statement(backend, sql, values)).await?)
    }

    /// Opens the event's follow-up round, once: the time it opened and whether it opened now,
    /// with the meetings that took place (checked in or held), whose sides are asked for their
    /// outcome. Logged (and so mailed) the first time only.
    pub async fn open_follow_up(&self, event_id: i64) -> Result<(i64, bool, u64)> {
        use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

        use crate::entity::{events, meetings};
        let txn = self.begin_write().await?;
        let event = events::Entity::find_by_id(event_id)
            .one(&txn)
            .await?
            .ok_or(crate::StoreError::not_found(ketnoi_domain::rules::Resource::Event))?;
        let took_place = meetings::Entity::find()
            .filter(meetings::Column::EventId.eq(event_id))
            .filter(meetings::Column::Status.is_in([MeetingStatus::CheckedIn.as_str(), MeetingStatus::Held.as_str()]))
            .count(&txn)
            .await?;
        if let Some(opened) = event.follow_up_opened_at {
            return Ok((opened, false, took_place));
        }
        let at = now();
        // Only where it is not open yet: of two at once (replicas, a double click), one opens it.
        let opened = events::Entity::update_many()
            .col_expr(events::Column::FollowUpOpenedAt, sea_orm::sea_query::Expr::value(at))
            .filter(events::Column::Id.eq(event_id))
            .filter(events::Column::FollowUpOpenedAt.is_null())
            .exec(&txn)
            .await?;
        if opened.rows_affected == 0 {
            drop(txn);
            let event = events::Entity::find_by_id(event_id).one(&self.db).await?;
            return Ok((event.and_then(|e| e.follow_up_opened_at).unwrap_or(at), false, took_place));
        }
        crate::log::record(
            &txn,
            Some(event_id),
            &[ketnoi_domain::log::Change::FollowUpOpened { meetings: took_place }],
        )
        .await?;
        txn.commit().await?;
        Ok((at, true, took_place))
    }

    /// The event's report: participants by kind, country and sector; requests and meetings
    /// by status; outcomes; meetings that took place by the two sides' countries.
    pub async fn report_counts(&self, event_id: i64) -> Result<ReportCounts> {
        let mut counts = ReportCounts::default();

        let sql = "SELECT o.kind AS kind, o.country AS country, COUNT(*) AS n FROM participations p \
                   JOIN organizations o ON o.id = p.organization_id WHERE p.event_id = ? \
                   GROUP BY o.kind, o.country";
        for row in self.rows(sql, vec![event_id.into()]).await? {
            let n = count(&row)?;
            *counts.kinds.entry(text(&row, "kind")?).or_default() += n;
            *counts.countries.entry(text(&row, "country")?).or_default() += n;
        }

        // Sectors are kept as `;agritech;food;`: each known code is matched in the list.
        let codes: Vec<&str> = Sector::ALL.iter().map(|s| s.code()).collect();
        let union = vec!["SELECT ? AS code"; codes.len()].join(" UNION ALL ");
        let sql = format!(
            "SELECT s.code AS code, COUNT(*) AS n FROM ({union}) s \
             JOIN organizations o ON o.sectors LIKE '%;' || s.code || ';%' \
             JOIN participations p ON p.organization_id = o.id \
             WHERE p.event_id = ? GROUP BY s.code"
        );
        let mut values: Vec<Value> = codes.iter().map(|c| (*c).into()).collect();
        values.push(event_id.into());
        for row in self.rows(&sql, values).await? {
            counts.sectors.insert(text(&row, "code")?, count(&row)?);
        }

        let sql = "SELECT status AS status, COUNT(*) AS n, \
                   COUNT(CASE WHEN status = ? AND expires_at IS NOT NULL AND expires_at <= ? THEN 1 END) AS lapsed \
                   FROM meeting_requests WHERE event_id = ? GROUP BY status";
        let values = vec![RequestStatus::Pending.as_str().into(), now().into(), event_id.into()];
        for row in self.rows(sql, values).await? {
            let status = text(&row, "status")?;
            let status = RequestStatus::parse(&status)
                .ok_or_else(|| crate::StoreError::Corrupt(format!("meeting_requests.status: {status:?}")))?;
            let lapsed = u64::try_from(row.try_get::<i64>("", "lapsed")?).unwrap_or(0);
            *counts.requests.entry(status).or_default() += count(&row)? - lapsed;
            if lapsed > 0 {
                *counts.requests.entry(RequestStatus::Expired).or_default() += lapsed;
            }
        }

        let sql = "SELECT status AS status, COUNT(*) AS n, COUNT(slot_id) AS placed \
                   FROM meetings WHERE event_id = ? GROUP BY status";
        for row in self.rows(sql, vec![event_id.into()]).await? {
            let status = text(&row, "status")?;
            let status = MeetingStatus::parse(&status)
                .map_err(|_| crate::StoreError::Corrupt(format!("meetings.status: {status:?}")))?;
            counts.meetings.insert(status, count(&row)?);
            if status != MeetingStatus::Cancelled {
                counts.placed += u64::try_from(row.try_get::<i64>("", "placed")?).unwrap_or(0);
            }
        }

        let sql = "SELECT startup_outcome AS outcome, COUNT(*) AS n FROM meetings \
                   WHERE event_id = ? AND startup_outcome IS NOT NULL GROUP BY startup_outcome \
                   UNION ALL \
                   SELECT investor_outcome AS outcome, COUNT(*) AS n FROM meetings \
                   WHERE event_id = ? AND investor_outcome IS NOT NULL GROUP BY investor_outcome";
        for row in self.rows(sql, vec![event_id.into(), event_id.into()]).await? {
            let code = text(&row, "outcome")?;
            let outcome =
                Outcome::parse(&code).map_err(|_| crate::StoreError::Corrupt(format!("meetings.outcome: {code:?}")))?;
            *counts.outcomes.entry(outcome).or_default() += count(&row)?;
        }

        let sql = "SELECT s.country AS a, i.country AS b, COUNT(*) AS n FROM meetings m \
                   JOIN organizations s ON s.id = m.startup_id JOIN organizations i ON i.id = m.investor_id \
                   WHERE m.event_id = ? AND m.status IN (?, ?) GROUP BY s.country, i.country";
        let values = vec![event_id.into(), MET[0].as_str().into(), MET[1].as_str().into()];
        for row in self.rows(sql, values).await? {
            let (a, b) = (text(&row, "a")?, text(&row, "b")?);
            let pair = if a <= b { (a, b) } else { (b, a) };
            *counts.met_by_countries.entry(pair).or_default() += count(&row)?;
        }
        // Read as a BIGINT on both databases: the column is a SMALLINT.
        let sql = "SELECT CAST(startup_rating AS BIGINT) AS rating, COUNT(*) AS n FROM meetings \
                   WHERE event_id = ? AND startup_rating IS NOT NULL GROUP BY startup_rating \
                   UNION ALL \
                   SELECT CAST(investor_rating AS BIGINT) AS rating, COUNT(*) AS n FROM meetings \
                   WHERE event_id = ? AND investor_rating IS NOT NULL GROUP BY investor_rating";
        for row in self.rows(sql, vec![event_id.into(), event_id.into()]).await? {
            let rating: i64 = row.try_get::<Option<i64>>("", "rating")?.unwrap_or_default();
            if let Ok(rating @ 1..=5) = u8::try_from(rating) {
                *counts.ratings.entry(rating).or_default() += count(&row)?;
            }
        }
        let sql = "SELECT COUNT(CASE WHEN startup_follow_up THEN 1 END) + COUNT(CASE WHEN investor_follow_up THEN 1 END) AS n \
                   FROM meetings WHERE event_id = ?";
        if let Some(row) = self.rows(sql, vec![event_id.into()]).await?.first() {
            counts.follow_ups = count(row)?;
        }
        let sql = "SELECT COUNT(*) AS n FROM meetings WHERE event_id = ? AND rematched AND status <> 'cancelled'";
        if let Some(row) = self.rows(sql, vec![event_id.into()]).await?.first() {
            counts.rematched = count(row)?;
        }
        let sql = "SELECT COUNT(*) AS n FROM meetings WHERE event_id = ? \
                   AND (startup_outcome IN ('term-sheet', 'invested') OR investor_outcome IN ('term-sheet', 'invested'))";
        if let Some(row) = self.rows(sql, vec![event_id.into()]).await?.first() {
            counts.deals = count(row)?;
        }
        Ok(counts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_numbered_for_postgres() {
        let sql = "SELECT ? AS a WHERE x = ?";
        assert_eq!(statement(DbBackend::Postgres, sql, vec![1.into(), 2.into()]).sql, "SELECT $1 AS a WHERE x = $2");
        assert_eq!(statement(DbBackend::Sqlite, sql, vec![1.into(), 2.into()]).sql, sql);
    }
}
