//! ketnoi's database schema: one migration set that runs unchanged on SQLite and PostgreSQL.

use sea_orm_migration::{MigrationTrait, MigratorTrait};

mod m20261127_000001_initial;
mod m20261127_000002_matching_weights;
mod m20261127_000003_accounts;
mod m20261127_000004_meetings;
mod m20261129_000005_event_log;
mod m20261130_000006_notifications;
mod m20261201_000007_seen;
mod m20261202_000008_feedback;
mod m20261203_000009_meet_now;
mod m20261204_000010_meetings_by_status;
mod m20261205_000011_pairs_met_or_declined;
mod m20261206_000012_attempts;

/// Every migration, oldest first.
#[derive(Debug)]
pub struct Migrator;

impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261127_000001_initial::Migration),
            Box::new(m20261127_000002_matching_weights::Migration),
            Box::new(m20261127_000003_accounts::Migration),
            Box::new(m20261127_000004_meetings::Migration),
            Box::new(m20261129_000005_event_log::Migration),
            Box::new(m20261130_000006_notifications::Migration),
            Box::new(m20261201_000007_seen::Migration),
            Box::new(m20261202_000008_feedback::Migration),
            Box::new(m20261203_000009_meet_now::Migration),
            Box::new(m20261204_000010_meetings_by_status::Migration),
            Box::new(m20261205_000011_pairs_met_or_declined::Migration),
            Box::new(m20261206_000012_attempts::Migration),
        ]
    }
}
