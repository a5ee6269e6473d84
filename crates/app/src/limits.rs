//! The sign-in and registration limits: at most so many failures (or registrations) in a
//! sliding window, counted in this process's memory (each replica counts its own).

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

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

/// Counts events per key in a sliding window.
#[derive(Debug)]
pub struct RateLimiter {
    limit: Limit,
    hits: Mutex<HashMap<String, VecDeque<Instant>>>,
}

/// Keys kept before old ones are swept, so a flood of addresses cannot grow memory for ever.
const SWEEP_ABOVE: usize = 10_000;

impl RateLimiter {
    pub fn new(limit: Limit) -> Self {
        RateLimiter { limit, hits: Mutex::new(HashMap::new()) }
    }

    fn with_hits<R>(&self, f: impl FnOnce(&mut HashMap<String, VecDeque<Instant>>) -> R) -> R {
        let mut hits = self.hits.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        f(&mut hits)
    }

    /// `Err(seconds to wait)` when `key` has used its allowance.
    pub fn check(&self, key: &str) -> Result<(), u64> {
        let now = Instant::now();
        self.with_hits(|hits| {
            let Some(times) = hits.get_mut(key) else { return Ok(()) };
            while times.front().is_some_and(|t| now.duration_since(*t) >= self.limit.window) {
                times.pop_front();
            }
            match times.front() {
                Some(oldest) if times.len() >= self.limit.max => {
                    Err((self.limit.window - now.duration_since(*oldest)).as_secs() + 1)
                }
                _ => Ok(()),
            }
        })
    }

    /// [`AppError::TooManyAttempts`] when `key` has used its allowance.
    pub fn allow(&self, key: &str, what: Attempt) -> Result<(), AppError> {
        self.check(key).map_err(|retry_after| AppError::TooManyAttempts { what, retry_after })
    }

    pub fn record(&self, key: &str) {
        let now = Instant::now();
        let window = self.limit.window;
        let max = self.limit.max;
        self.with_hits(|hits| {
            if hits.len() > SWEEP_ABOVE {
                hits.retain(|_, times| times.back().is_some_and(|t| now.duration_since(*t) < window));
            }
            let times = hits.entry(key.to_owned()).or_default();
            times.push_back(now);
            while times.len() > max {
                times.pop_front();
            }
        });
    }

    pub fn clear(&self, key: &str) {
        self.with_hits(|hits| hits.remove(key));
    }
}

/// The rate limiters of one server.
#[derive(Debug)]
pub struct Limiters {
    pub login_account: RateLimiter,
    pub login_address: RateLimiter,
    pub register_address: RateLimiter,
}

impl Limiters {
    pub fn new(limits: &RateLimits) -> Self {
        Limiters {
            login_account: RateLimiter::new(limits.login_per_account),
            login_address: RateLimiter::new(limits.login_per_address),
            register_address: RateLimiter::new(limits.register_per_address),
        }
    }
}
