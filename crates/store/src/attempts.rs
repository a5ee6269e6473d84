//! Attempts counted for the rate limits, in the database: every server on it counts the same
//! failures, so a limit holds whichever replica a request reaches. Keys are kept hashed.

use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QuerySelect, Set};

use crate::entity::attempts;
use crate::{Result, Store};

/// Rows older than this are swept whatever their scope: longer than any limit's window.
const KEPT_MS: i64 = 24 * 3600 * 1000;

fn key_hash(scope: &str, key: &str) -> String {
    crate::secrets::hash_secret(&format!("{scope}\n{key}"))
}

impl Store {
    /// How many attempts of `key` in `scope` were recorded after `since_ms`, and the oldest of
    /// them.
    pub async fn attempts_since(&self, scope: &str, key: &str, since_ms: i64) -> Result<(u64, Option<i64>)> {
        let times: Vec<i64> = attempts::Entity::find()
            .select_only()
            .column(attempts::Column::AtMs)
            .filter(attempts::Column::Scope.eq(scope))
            .filter(attempts::Column::KeyHash.eq(key_hash(scope, key)))
            .filter(attempts::Column::AtMs.gt(since_ms))
            .into_tuple()
            .all(&self.db)
            .await?;
        Ok((times.len() as u64, times.iter().min().copied()))
    }

    /// Records an attempt of `key` in `scope` at `at_ms`, and sweeps that key's attempts from
    /// before `forget_before_ms` and everyone's older than a day.
    pub async fn record_attempt(&self, scope: &str, key: &str, at_ms: i64, forget_before_ms: i64) -> Result<()> {
        let hash = key_hash(scope, key);
        attempts::Entity::delete_many()
            .filter(attempts::Column::Scope.eq(scope))
            .filter(attempts::Column::KeyHash.eq(hash.clone()))
            .filter(attempts::Column::AtMs.lt(forget_before_ms))
            .exec(&self.db)
            .await?;
        attempts::Entity::delete_many().filter(attempts::Column::AtMs.lt(at_ms - KEPT_MS)).exec(&self.db).await?;
        attempts::ActiveModel {
            scope: Set(scope.to_owned()),
            key_hash: Set(hash),
            at_ms: Set(at_ms),
            ..Default::default()
        }
        .insert(&self.db)
        .await?;
        Ok(())
    }

    /// Forgets the attempts of `key` in `scope` (a sign-in that succeeded).
    pub async fn clear_attempts(&self, scope: &str, key: &str) -> Result<()> {
        attempts::Entity::delete_many()
            .filter(attempts::Column::Scope.eq(scope))
            .filter(attempts::Column::KeyHash.eq(key_hash(scope, key)))
            .exec(&self.db)
            .await?;
        Ok(())
    }
}
