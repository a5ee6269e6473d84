//! The sign-in and registration limits: at most so many failures (or registrations) in a
//! sliding window, counted in the database, so that every replica on it counts the same.

use std::time::Duration;

use ketnoi_store::Store;

use crate::error::{AppError, Attempt};

/// At most `max` events in `window`.
#[derive(Debug, Clone, Copy)]
pub struct Limit {
    pub max: usize,
    pub window: Duration,
}

/// The limits of one server.
#[derive(Debug, Clone, Copy)]
pub struct RateLimits {
    pub login_per_account: Limit,
    pub login_per_address: Limit,
    pub register_per_address: Limit,
}

impl Default for RateLimits {
    /// Five wrong passwords for one account in 15 minutes; fifty failed sign-ins from one
    /// address in 15 minutes (a venue's Wi-Fi puts hundreds of people behind one address);
    /// ten registrations from one address an hour.
    fn default() -> Self {
        let quarter = Duration::from_secs(15 * 60);
        RateLimits {
            login_per_account: Limit { max: 5, window: quarter },
            login_per_address: Limit { max: 50, window: quarter },
            register_per_address: Limit { max: 10, window: Duration::from_secs(3600) },
        }
    }
}

/// Counts events per key in a sliding window, in the database: every server on it counts the
/// same events. Two servers checking at the same instant may each let one more through; a
/// limit holds within that.
#[derive(Debug)]
pub struct RateLimiter {
    /// The name its events are counted under.
    scope: &'static str,
    limit: Limit,
}

fn now_ms() -> i64 {
    jiff::Timestamp::now().as_millisecond()
}

impl RateLimiter {
    pub fn new(scope: &'static str, limit: Limit) -> Self {
        RateLimiter { scope, limit }
    }

    fn window_ms(&self) -> i64 {
        i64::try_from(self.limit.window.as_millis()).unwrap_or(i64::MAX)
    }

    /// [`AppError::TooManyAttempts`], with the seconds to wait, when `key` has used its
    /// allowance.
    pub async fn allow(&self, store: &Store, key: &str, what: Attempt) -> Result<(), AppError> {
        let now = now_ms();
        let (count, oldest) = store.attempts_since(self.scope, key, now - self.window_ms()).await?;
        match oldest {
            Some(oldest) if count >= self.limit.max as u64 => {
                let wait_ms = (oldest + self.window_ms() - now).max(0);
                Err(AppError::TooManyAttempts { what, retry_after: u64::try_from(wait_ms / 1000).unwrap_or(0) + 1 })
            }
            _ => Ok(()),
        }
    }

    pub async fn record(&self, store: &Store, key: &str) -> Result<(), AppError> {
        let now = now_ms();
        store.record_attempt(self.scope, key, now, now - self.window_ms()).await?;
        Ok(())
    }

    pub async fn clear(&self, store: &Store, key: &str) -> Result<(), AppError> {
        store.clear_attempts(self.scope, key).await?;
        Ok(())
    }
}

/// The rate limiters of the service.
#[derive(Debug)]
pub struct Limiters {
    pub login_account: RateLimiter,
    pub login_address: RateLimiter,
    pub register_address: RateLimiter,
}

impl Limiters {
    pub fn new(limits: &RateLimits) -> Self {
        Limiters {
            login_account: RateLimiter::new("login-account", limits.login_per_account),
            login_address: RateLimiter::new("login-address", limits.login_per_address),
            register_address: RateLimiter::new("register-address", limits.register_per_address),
        }
    }
}
