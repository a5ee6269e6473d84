//! Importing an event's participants: all rows in one transaction, keyed by e-mail when there
//! is one and by name within the event otherwise, so that re-importing a file never duplicates.

use std::collections::{HashMap, HashSet};

use ketnoi_domain::import::{ImportErrors, ImportIssue, ImportRow};
use ketnoi_domain::text::fold;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};

use crate::entity::{organizations, participations};
use crate::events::{self, NewEvent};
use crate::organizations::{from_model, profile_columns};
use crate::outbox::{self, OutboxOp};
use crate::{Result, Store, StoreError, now};

/// One validated file: its name for messages and its rows.
#[derive(Debug, Clone)]
pub struct ImportFile {
    pub label: String,
    pub rows: Vec<ImportRow>,
}

/// What an import did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportSummary {
    pub event_created: bool,
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
}

/// Told how many rows are done, every so often, so a caller can show progress.
pub trait ImportProgress: Sync {
    fn rows_done(&self, done: usize);
}

impl ImportProgress for () {
    fn rows_done(&self, _done: usize) {}
}

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
        let txn = self.begin_write().await?;
        outbox::lock_writers(&txn).await?;
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
        let mut done = 0;
        for file in files {
            for row in &file.rows {
                let profile = &row.profile;
                let issue = |column: &str, value: &str, message: String| ImportIssue {
                    file: file.label.clone(),
                    line: Some(row.line),
                    column: Some(column.to_owned()),
                    value: Some(value.to_owned()),
                    message,
                };
                let email = profile.email.as_ref().map(|e| e.as_str());
                let (matched, key_column, key) = match email.and_then(|email| by_email.get(email)) {
                    Some(found) => (Some(found.clone()), "email", email.unwrap_or_default()),
                    None => (by_name.get(&fold(&profile.name)).cloned(), "name", profile.name.as_str()),
                };
                let timestamp = now();
                match matched {
                    Some(current) => {
                        if current.kind != profile.kind().as_str() {
                            errors.push(issue(
                                key_column,
                                key,
                                format!(
                                    "already belongs to the {} {:?}, this file holds {}s",
                                    current.kind,
                                    current.name,
                                    profile.kind()
                                ),
                            ));
                            continue;
                        }
                        if let Some((label, line)) = claimed.insert(current.id, (file.label.clone(), row.line)) {
                            errors.push(issue(
                                key_column,
                                key,
                                format!("matches {:?}, which {label}:{line} already updates", current.name),
                            ));
                            continue;
                        }
                        let joined = participants.insert(current.id);
                        if joined {
                            insert_participation(&txn, event.id, current.id, timestamp).await?;
                        }
                        if from_model(current.clone())?.profile == *profile {
                            if joined { summary.updated += 1 } else { summary.unchanged += 1 }
                        } else {
                            let mut update = profile_columns(profile);
                            update.id = Set(current.id);
                            update.updated_at = Set(timestamp);
                            update.update(&txn).await?;
                            outbox::record(&txn, current.id, OutboxOp::Upsert).await?;
                            summary.updated += 1;
                        }
                    }
                    None => {
                        let mut insert = profile_columns(profile);
                        insert.created_at = Set(timestamp);
                        insert.updated_at = Set(timestamp);
                        let created = insert.insert(&txn).await?;
                        insert_participation(&txn, event.id, created.id, timestamp).await?;
                        outbox::record(&txn, created.id, OutboxOp::Upsert).await?;
                        participants.insert(created.id);
                        claimed.insert(created.id, (file.label.clone(), row.line));
                        by_name.insert(created.name_key.clone(), created.clone());
                        if let Some(email) = &created.email {
                            by_email.insert(email.clone(), created);
                        }
                        summary.created += 1;
                    }
                }
                done += 1;
                if done % 250 == 0 {
                    progress.rows_done(done);
                }
            }
        }
        progress.rows_done(done);
        if !errors.is_empty() {
            txn.rollback().await?;
            let total = errors.len();
            errors.truncate(ketnoi_domain::import::MAX_REPORTED_ISSUES);
            return Err(StoreError::Import(ImportErrors { issues: errors, total }));
        }
        txn.commit().await?;
        tracing::info!(event = %event.slug, created = summary.created, updated = summary.updated, unchanged = summary.unchanged, "import committed");
        Ok(summary)
    }
}

async fn insert_participation(db: &impl ConnectionTrait, event_id: i64, organization_id: i64, at: i64) -> Result<()> {
    participations::ActiveModel {
        event_id: Set(event_id),
        organization_id: Set(organization_id),
        created_at: Set(at),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}
