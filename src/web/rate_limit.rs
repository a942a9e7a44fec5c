//! Rate limits on what anonymous visitors can do many times: filing tickets,
//! adding information, "yes, fixed", and reading a pasted message.
//!
//! Handlers ask `RateLimits::check(level, key)`; the counting itself sits
//! behind the small `Limiter` trait so that a limiter shared by several
//! instances (through the database) can later replace the in-memory one.

use std::collections::HashMap;
use std::fmt;
use std::num::NonZeroU32;
use std::str::FromStr;
use std::sync::{Arc, RwLock, Weak};
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::domain::parse_span;
use crate::error::AppError;

/// How often idle keys are forgotten, and how many keys a limiter holds
/// before it forgets idle ones at once rather than waiting.
const CLEANUP_EVERY: Duration = Duration::from_secs(60);
const MAX_KEYS: usize = 100_000;

/// What is limited.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Level {
    /// Tickets filed (`POST /tickets`), per client address.
    Filing,
    /// Requester additions (`POST /tickets/{token}/replies`), per client address.
    Additions,
    /// Requester additions per ticket, whoever sends them.
    TicketAdditions,
    /// "Yes, fixed" (`POST /troubleshoot/{code}/fixed`), per client address.
    Fixed,
    /// Reading a pasted error message (`GET /diagnose`), per client address.
    Diagnose,
}

impl Level {
    pub const ALL: [Level; 5] = [
        Level::Filing,
        Level::Additions,
        Level::TicketAdditions,
        Level::Fixed,
        Level::Diagnose,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Self::Filing => "filing",
            Self::Additions => "additions",
            Self::TicketAdditions => "ticket_additions",
            Self::Fixed => "fixed",
            Self::Diagnose => "diagnose",
        }
    }

    /// The defaults: well above what a person does, well below a script.
    fn default_rate(self) -> Rate {
        match self {
            Self::Filing => Rate::new(20, Duration::from_secs(3600)),
            Self::Additions => Rate::new(60, Duration::from_secs(3600)),
            Self::TicketAdditions => Rate::new(20, Duration::from_secs(3600)),
            Self::Fixed => Rate::new(60, Duration::from_secs(3600)),
            Self::Diagnose => Rate::new(120, Duration::from_secs(3600)),
        }
    }
}

/// Up to `count` within `per`, refilled evenly: `20/h` allows 20 at once,
/// then one more every three minutes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Rate {
    count: NonZeroU32,
    per: Duration,
}

impl Rate {
    fn new(count: u32, per: Duration) -> Self {
        Self {
            count: NonZeroU32::new(count).expect("a rate allows at least one"),
            per,
        }
    }

    fn quota(self) -> Quota {
        let interval = (self.per / self.count.get()).max(Duration::from_nanos(1));
        Quota::with_period(interval)
            .expect("the interval is positive")
            .allow_burst(self.count)
    }
}

impl fmt::Display for Rate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let secs = self.per.as_secs();
        let (n, unit) = if secs.is_multiple_of(86_400) {
            (secs / 86_400, "d")
        } else if secs.is_multiple_of(3600) {
            (secs / 3600, "h")
        } else if secs.is_multiple_of(60) {
            (secs / 60, "m")
        } else {
            (secs, "s")
        };
        if n == 1 {
            write!(f, "{}/{unit}", self.count)
        } else {
            write!(f, "{}/{n}{unit}", self.count)
        }
    }
}

impl FromStr for Rate {
    type Err = String;

    /// `10/m`, `30/h`, `5/10m`, `100/d`, `2/s`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || format!("{s:?} is not a rate like 10/m, 30/h or 5/10m");
        let (count, per) = s.trim().split_once('/').ok_or_else(bad)?;
        let count: u32 = count.trim().parse().map_err(|_| bad())?;
        // "/h" is "/1h".
        let per = per.trim();
        let per = if per.starts_with(|c: char| c.is_ascii_digit()) {
            per.to_string()
        } else {
            format!("1{per}")
        };
        let units = [("s", 1), ("m", 60), ("h", 3_600), ("d", 86_400)];
        let secs = parse_span(&per, &units, None)
            .filter(|&s| s > 0)
            .ok_or_else(bad)?;
        if count == 0 {
            return Err(format!(
                "{s:?} allows nothing; use \"off\" to turn limits off"
            ));
        }
        Ok(Self::new(count, Duration::from_secs(secs)))
    }
}

/// `--rate-limits`: `off`, or levels to change from their defaults, e.g.
/// `filing=10/m,additions=30/h`. Levels left out keep their default.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateLimitSettings {
    rates: Option<HashMap<Level, Rate>>,
}

impl RateLimitSettings {
    pub fn off() -> Self {
        Self { rates: None }
    }

    pub fn enabled(&self) -> bool {
        self.rates.is_some()
    }

    pub fn rate(&self, level: Level) -> Option<Rate> {
        self.rates.as_ref().map(|rates| rates[&level])
    }
}

impl Default for RateLimitSettings {
    fn default() -> Self {
        Self {
            rates: Some(
                Level::ALL
                    .map(|l| (l, l.default_rate()))
                    .into_iter()
                    .collect(),
            ),
        }
    }
}

impl fmt::Display for RateLimitSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.rates {
            None => f.write_str("off"),
            Some(rates) => {
                let parts: Vec<String> = Level::ALL
                    .iter()
                    .map(|l| format!("{}={}", l.name(), rates[l]))
                    .collect();
                f.write_str(&parts.join(","))
            }
        }
    }
}

impl FromStr for RateLimitSettings {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.trim().eq_ignore_ascii_case("off") {
            return Ok(Self::off());
        }
        let mut settings = Self::default();
        let rates = settings.rates.as_mut().expect("the default is enabled");
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (name, rate) = part
                .split_once('=')
                .ok_or_else(|| format!("{part:?} should look like filing=10/m"))?;
            let level = Level::ALL
                .into_iter()
                .find(|l| l.name() == name.trim())
                .ok_or_else(|| {
                    let names: Vec<&str> = Level::ALL.iter().map(|l| l.name()).collect();
                    format!("unknown limit {name:?}; known: {}", names.join(", "))
                })?;
            rates.insert(level, rate.parse()?);
        }
        Ok(settings)
    }
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
            .or_insert_with(|| Arc::new(RateLimiter::keyed(rate.quota())))
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
    fn settings_parse_keep_defaults_and_print_back() {
        let s: RateLimitSettings = "filing=10/m, additions=5/10m".parse().unwrap();
        assert_eq!(
            s.rate(Level::Filing),
            Some(Rate::new(10, Duration::from_secs(60)))
        );
        assert_eq!(
            s.rate(Level::Additions),
            Some(Rate::new(5, Duration::from_secs(600)))
        );
        assert_eq!(s.rate(Level::Fixed), Some(Level::Fixed.default_rate()));
        assert_eq!(s.to_string().parse::<RateLimitSettings>().unwrap(), s);
        let default = RateLimitSettings::default();
        assert_eq!(
            default.to_string().parse::<RateLimitSettings>().unwrap(),
            default
        );

        let off: RateLimitSettings = " OFF ".parse().unwrap();
        assert!(!off.enabled());
        assert_eq!(off.rate(Level::Filing), None);
        assert_eq!(off.to_string(), "off");
    }

    #[test]
    fn bad_settings_say_what_is_wrong() {
        for bad in [
            "filing",
            "filing=10",
            "filing=0/m",
            "nope=1/m",
            "filing=1/x",
            "filing=1/0m",
        ] {
            assert!(bad.parse::<RateLimitSettings>().is_err(), "{bad}");
        }
    }

    #[test]
    fn a_unit_that_is_not_ascii_is_an_error_not_a_panic() {
        assert!("filing=10/é".parse::<RateLimitSettings>().is_err());
        assert_eq!(
            "10/h".parse::<Rate>().unwrap(),
            Rate::new(10, Duration::from_secs(3_600))
        );
    }

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
