//! Rate limits on what anonymous visitors can do many times: filing tickets,
//! adding information, "yes, fixed", and reading a pasted message.
//!
//! Handlers ask `RateLimits::check(level, key)`; the counting itself sits
//! behind the small `Limiter` trait so that a limiter shared by several
//! instances (through the database) can later replace the in-memory one.

use std::collections::HashMap;
use std::sync::{Arc, RwLock, Weak};
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

pub use crate::config::{Level, Rate, RateLimitSettings};
use crate::error::AppError;

/// How often idle keys are forgotten, and how many keys a limiter holds
/// before it forgets idle ones at once rather than waiting.
const CLEANUP_EVERY: Duration = Duration::from_secs(60);
const MAX_KEYS: usize = 100_000;

/// Up to `count` at once, then one more each `per / count`.
fn quota(rate: Rate) -> Quota {
    let interval = (rate.per() / rate.count().get()).max(Duration::from_nanos(1));
    Quota::with_period(interval)
        .expect("the interval is positive")
        .allow_burst(rate.count())
}

/// How long to wait before the next attempt is allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryAfter(pub Duration);

/// Counts attempts per key. The in-memory one is per process; a shared one
/// (several instances, one database) can implement the same.
pub trait Limiter: Send + Sync {
    fn check(&self, key: &str, rate: Rate) -> Result<(), RetryAfter>;
    /// Forgets keys whose allowance is full again, so memory stays bounded.
    fn forget_idle(&self);
}

/// `governor`'s keyed GCRA limiters, one per distinct rate.
#[derive(Default)]
pub struct MemoryLimiter {
    by_rate: RwLock<HashMap<Rate, Arc<DefaultKeyedRateLimiter<String>>>>,
}

impl MemoryLimiter {
    fn limiter(&self, rate: Rate) -> Arc<DefaultKeyedRateLimiter<String>> {
        if let Some(limiter) = self.by_rate.read().expect("not poisoned").get(&rate) {
            return limiter.clone();
        }
        self.by_rate
            .write()
            .expect("not poisoned")
            .entry(rate)
            .or_insert_with(|| Arc::new(RateLimiter::keyed(quota(rate))))
            .clone()
    }
}

impl Limiter for MemoryLimiter {
    fn check(&self, key: &str, rate: Rate) -> Result<(), RetryAfter> {
        let limiter = self.limiter(rate);
        if limiter.len() >= MAX_KEYS {
            limiter.retain_recent();
        }
        limiter.check_key(&key.to_string()).map_err(|not_until| {
            RetryAfter(not_until.wait_time_from(DefaultClock::default().now()))
        })
    }

    fn forget_idle(&self) {
        for limiter in self.by_rate.read().expect("not poisoned").values() {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
    }
}

/// The limits in force and the limiter that counts them; cheap to clone.
#[derive(Clone)]
pub struct RateLimits {
    settings: Arc<RateLimitSettings>,
    limiter: Arc<dyn Limiter>,
}

impl RateLimits {
    pub fn new(settings: RateLimitSettings, limiter: Arc<dyn Limiter>) -> Self {
        Self {
            settings: Arc::new(settings),
            limiter,
        }
    }

    /// The in-memory limiter, with a task that forgets idle keys every
    /// minute for as long as the limits are in use. Needs a Tokio runtime.
    pub fn in_memory(settings: RateLimitSettings) -> Self {
        if !settings.enabled() {
            tracing::warn!(
                "RATE LIMITS ARE OFF (--rate-limits off): anyone can file tickets, add \
                 information and count fixes without limit. Use this only for load tests."
            );
        }
        let limiter = Arc::new(MemoryLimiter::default());
        let weak: Weak<MemoryLimiter> = Arc::downgrade(&limiter);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(CLEANUP_EVERY);
            tick.tick().await;
            loop {
                tick.tick().await;
                match weak.upgrade() {
                    Some(limiter) => limiter.forget_idle(),
                    None => break,
                }
            }
        });
        Self::new(settings, limiter)
    }

    /// Counts one attempt at `level` for `key`; over the limit it is the
    /// 429 page. `form` says the request carried typed text, so the page
    /// tells the person it was not saved.
    pub fn check(&self, level: Level, key: &str, form: bool) -> Result<(), AppError> {
        let Some(rate) = self.settings.rate(level) else {
            return Ok(());
        };
        self.limiter
            .check(&format!("{}:{key}", level.name()), rate)
            .map_err(|RetryAfter(wait)| {
                tracing::info!(limit = level.name(), "rate limit reached");
                crate::metrics::rate_limit_refused(level.name());
                AppError::TooManyRequests {
                    retry_after: wait,
                    form,
                }
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_memory_limiter_allows_the_burst_then_says_how_long_to_wait() {
        let limiter = MemoryLimiter::default();
        let rate = Rate::new(3, Duration::from_secs(3600));
        for _ in 0..3 {
            assert!(limiter.check("a", rate).is_ok());
        }
        let RetryAfter(wait) = limiter.check("a", rate).unwrap_err();
        // One more every 20 minutes.
        assert!(wait > Duration::from_secs(19 * 60) && wait <= Duration::from_secs(20 * 60));
        assert!(limiter.check("b", rate).is_ok(), "keys are counted apart");
    }
}
