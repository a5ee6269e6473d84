//! Importing an event's participants: all rows in one transaction, keyed by e-mail when there
//! is one and by name within the event otherwise, so that re-importing a file never duplicates.

use std::collections::{HashMap, HashSet};

use ketnoi_domain::import::{ImportErrors, ImportIssue, ImportRow};
use ketnoi_domain::log::Change;
use ketnoi_domain::text::fold;
use ketnoi_domain::validate::Issue;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};

use crate::entity::{organizations, participations};
use crate::events::{self, NewEvent};
use crate::organizations::{from_model, profile_columns};
use crate::{Result, Store, StoreError, log, now};

/// One validated file: its name for messages and its rows.
#[derive(Debug, Clone)]
pub struct ImportFile {
    pub label: String,
    pub rows: Vec<ImportRow>,
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportSummary {
    pub event_created: bool,
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    /// The records updated, with what changes, up to [`CHANGES_LISTED`] of them.
    pub changes: Vec<RecordChange>,
}

/// A record an import updates: its name, and each field it changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordChange {
    pub name: String,
    pub fields: Vec<ketnoi_domain::profile::FieldChange>,
}

/// How many updated records an import's summary lists with their changes.
pub const CHANGES_LISTED: usize = 200;

/// Told how many rows are done, every so often, so a caller can show progress.
pub trait ImportProgress: Sync {
    fn rows_done(&self, done: usize);
}

impl ImportProgress for () {
    fn rows_done(&self, _done: usize) {}
}

/// How many organizations one `INSERT` writes: about 25 bind parameters each, well below the
/// limits of SQLite (32,766) and PostgreSQL (65,535).
const INSERT_CHUNK: usize = 500;

/// How many e-mail addresses go in one `IN (…)` look-up.
const EMAIL_LOOKUP_CHUNK: usize = 500;

impl Store {
    /// Imports `files` into the event `new_event.slug`, creating the event from `new_event` when
    /// the slug is new. All or nothing: on any error no row is written.
    pub async fn import(
        &self,
        new_event: &NewEvent,
        files: &[ImportFile],
        progress: &dyn ImportProgress,
    ) -> Result<ImportSummary> {
        self.import_with(new_event, files, progress, true).await
    }

    /// Parses and validates CSV files (startups, investors, or both) against the event's rates,
    /// then imports them — or, without `commit`, does everything but commit: a preview that
    /// reports what an import would do, or every problem by file, line and column.
    pub async fn import_csv(
        &self,
        new_event: &NewEvent,
        startups: Option<(&str, &[u8])>,
        investors: Option<(&str, &[u8])>,
        current_year: i16,
        progress: &dyn ImportProgress,
        commit: bool,
    ) -> Result<ImportSummary> {
        use ketnoi_domain::import::{parse_investors, parse_startups};
        let existing = self.find_event(&new_event.slug).await?;
        let rates = existing.as_ref().map_or(&new_event.rates, |event| &event.rates);
        let context = ketnoi_domain::profile::ValidationContext { current_year, rates: Some(rates) };
        let startups = startups.map(|(label, bytes)| (label, parse_startups(label, bytes, &context)));
        let investors = investors.map(|(label, bytes)| (label, parse_investors(label, bytes, &context)));
        let mut files = Vec::new();
        let mut problems: Option<ImportErrors> = None;
        for (label, parsed) in [startups, investors].into_iter().flatten() {
            match parsed {
                Ok(rows) => files.push(ImportFile { label: label.to_owned(), rows }),
                Err(errors) => problems = Some(problems.map_or(errors.clone(), |earlier| earlier.merge(errors))),
            }
        }
        if let Some(problems) = problems {
            return Err(StoreError::Import(problems));
        }
        self.import_with(new_event, &files, progress, commit).await
    }

    async fn import_with(
        &self,
        new_event: &NewEvent,
        files: &[ImportFile],
        progress: &dyn ImportProgress,
        commit: bool,
    ) -> Result<ImportSummary> {
        let txn = self.begin_write().await?;
        lock_import(&txn, &new_event.slug).await?;
        let mut summary = ImportSummary::default();
        let event = match events::find_by_slug(&txn, &new_event.slug).await? {
            Some(event) => event,
            None => {
                summary.event_created = true;
                events::insert(&txn, new_event).await?
            }
        };

        let existing = organizations::Entity::find()
            .inner_join(participations::Entity)
            .filter(participations::Column::EventId.eq(event.id))
            .all(&txn)
            .await?;
        let mut participants: HashSet<i64> = existing.iter().map(|row| row.id).collect();
        let mut by_name: HashMap<String, organizations::Model> = HashMap::new();
        let mut by_email: HashMap<String, organizations::Model> = HashMap::new();
        for row in existing {
            if let Some(email) = &row.email {
                by_email.insert(email.clone(), row.clone());
            }
            by_name.insert(row.name_key.clone(), row);
        }
        let unknown_emails: Vec<String> = files
            .iter()
            .flat_map(|file| &file.rows)
            .filter_map(|row| row.profile.email.as_ref().map(|e| e.as_str().to_owned()))
            .filter(|email| !by_email.contains_key(email))
            .collect();
        for chunk in unknown_emails.chunks(EMAIL_LOOKUP_CHUNK) {
            let rows = organizations::Entity::find()
                .filter(organizations::Column::Email.is_in(chunk.iter().cloned()))
                .all(&txn)
                .await?;
            for row in rows {
                if let Some(email) = &row.email {
                    by_email.insert(email.clone(), row.clone());
                }
            }
        }

        let mut errors = Vec::new();
        let mut claimed: HashMap<i64, (String, u64)> = HashMap::new();
        let mut pending_names: HashMap<String, (String, u64)> = HashMap::new();
        let mut pending_emails: HashMap<String, (String, u64)> = HashMap::new();
        let mut to_create = Vec::new();
        let mut done = 0;
        for file in files {
            for row in &file.rows {
                let profile = &row.profile;
                let issue = |column: &str, value: &str, issue: Issue| ImportIssue {
                    file: file.label.clone(),
                    line: Some(row.line),
                    column: Some(column.to_owned()),
                    value: Some(value.to_owned()),
                    issue,
                };
                let email = profile.email.as_ref().map(|e| e.as_str());
                let name_key = fold(&profile.name);
                let (matched, key_column, key) = match email.and_then(|email| by_email.get(email)) {
                    Some(found) => (Some(found), "email", email.unwrap_or_default()),
                    None => (by_name.get(&name_key), "name", profile.name.as_str()),
                };
                let Some(current) = matched else {
                    // New: written in batches below, once no row can be refused any more.
                    let here = (file.label.clone(), row.line);
                    let earlier =
                        pending_names.insert(name_key, here.clone()).map(|at| ("name", profile.name.as_str(), at));
                    let earlier = earlier.or_else(|| {
                        email.and_then(|e| pending_emails.insert(e.to_owned(), here).map(|at| ("email", e, at)))
                    });
                    match earlier {
                        Some((column, value, (label, line))) => {
                            let same = Issue::SameAs { column: column.to_owned(), file: label, line };
                            errors.push(issue(column, value, same));
                        }
                        None => to_create.push(profile),
                    }
                    continue;
                };
                if current.kind != profile.kind().as_str() {
                    let other = Issue::OtherKind {
                        kind: profile.kind().counterpart(),
                        name: current.name.clone(),
                        file_kind: profile.kind(),
                    };
                    errors.push(issue(key_column, key, other));
                    continue;
                }
                if let Some((label, line)) = claimed.insert(current.id, (file.label.clone(), row.line)) {
                    let twice = Issue::UpdatedTwice { name: current.name.clone(), file: label, line };
                    errors.push(issue(key_column, key, twice));
                    continue;
                }
                if !errors.is_empty() {
                    continue;
                }
                let timestamp = now();
                let joined = participants.insert(current.id);
                if joined {
                    participations::Entity::insert(participation(event.id, current.id, timestamp)).exec(&txn).await?;
                }
                let before = from_model(current.clone())?.profile;
                // The columns the file leaves out keep what the record has.
                let profile = &profile.clone().keeping(&before, &row.absent);
                let changed = before != *profile;
                if changed && summary.changes.len() < CHANGES_LISTED {
                    summary.changes.push(RecordChange { name: current.name.clone(), fields: before.changes(profile) });
                }
                if changed {
                    let mut update = profile_columns(profile);
                    update.id = Set(current.id);
                    update.updated_at = Set(timestamp);
                    update.update(&txn).await?;
                }
                if changed || joined {
                    // A new event is a change too: the index filters by event.
                    let change = Change::OrganizationChanged { organization: current.id };
                    log::record(&txn, Some(event.id), &[change]).await?;
                    summary.updated += 1;
                } else {
                    summary.unchanged += 1;
                }
                done += 1;
                if done % 250 == 0 {
                    progress.rows_done(done);
                }
            }
        }
        if errors.is_empty() {
            for chunk in to_create.chunks(INSERT_CHUNK) {
                let timestamp = now();
                let rows = chunk.iter().map(|profile| {
                    let mut insert = profile_columns(profile);
                    insert.created_at = Set(timestamp);
                    insert.updated_at = Set(timestamp);
                    insert
                });
                let created = organizations::Entity::insert_many(rows).exec_with_returning(&txn).await?;
                debug_assert_eq!(created.len(), chunk.len());
                let ids: Vec<i64> = created.iter().map(|row| row.id).collect();
                participations::Entity::insert_many(ids.iter().map(|id| participation(event.id, *id, timestamp)))
                    .exec(&txn)
                    .await?;
                let changes: Vec<Change> =
                    ids.iter().map(|id| Change::OrganizationCreated { organization: *id }).collect();
                log::record(&txn, Some(event.id), &changes).await?;
                summary.created += created.len();
                done += created.len();
                progress.rows_done(done);
            }
        }
        progress.rows_done(done);
        if !errors.is_empty() {
            txn.rollback().await?;
            let total = errors.len();
            errors.truncate(ketnoi_domain::import::MAX_REPORTED_ISSUES);
            return Err(StoreError::Import(ImportErrors { issues: errors, total }));
        }
        if !commit {
            txn.rollback().await?;
            return Ok(summary);
        }
        txn.commit().await?;
        tracing::info!(event = %event.slug, created = summary.created, updated = summary.updated, unchanged = summary.unchanged, "import committed");
        Ok(summary)
    }
}

/// The first half of the PostgreSQL advisory lock of an event's imports (a hash of the slug is
/// the second: the event may not exist yet). Two imports into one event wait for each other,
/// so that neither creates what the other does; imports into other events go on.
const IMPORT_LOCK: i32 = 0x6b69_6d70; // "kimp"

async fn lock_import(db: &impl sea_orm::ConnectionTrait, slug: &ketnoi_domain::event::EventSlug) -> Result<()> {
    use sea_orm::{DbBackend, Statement};
    if db.get_database_backend() == DbBackend::Postgres {
        // FNV-1a: stable across builds and platforms.
        let hash = slug
            .as_str()
            .bytes()
            .fold(0x811c_9dc5_u32, |hash, byte| (hash ^ u32::from(byte)).wrapping_mul(0x0100_0193));
        db.execute_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT pg_advisory_xact_lock($1, $2)",
            [IMPORT_LOCK.into(), (hash as i32).into()],
        ))
        .await?;
    }
    Ok(())
}

fn participation(event_id: i64, organization_id: i64, at: i64) -> participations::ActiveModel {
    participations::ActiveModel {
        event_id: Set(event_id),
        organization_id: Set(organization_id),
        created_at: Set(at),
        ..Default::default()
    }
}
