//! When to try a mail again after a temporary failure.

use time::Duration;

/// Attempts before a mail that keeps failing temporarily is given up:
/// with the waits below, about three hours of trying in all.
pub const MAX_ATTEMPTS: u32 = 10;

const FIRST_WAIT: Duration = Duration::seconds(30);
const LONGEST_WAIT: Duration = Duration::HOUR;

/// The wait after the `failures`-th failed attempt (1 for the first):
/// doubling from 30 s up to an hour, spread by `jitter` (0.0–1.0, giving
/// ±20 %) so that mails failing together do not all retry together.
pub fn wait_after(failures: u32, jitter: f64) -> Duration {
    let doublings = failures.saturating_sub(1).min(16);
    let base = (FIRST_WAIT * 2_i32.pow(doublings)).min(LONGEST_WAIT);
    base * (0.8 + 0.4 * jitter.clamp(0.0, 1.0))
}

/// A number in 0.0–1.0 from the system's random source (0.5 without one).
pub fn jitter() -> f64 {
    let mut bytes = [0_u8; 2];
    match getrandom::fill(&mut bytes) {
        Ok(()) => f64::from(u16::from_le_bytes(bytes)) / f64::from(u16::MAX),
        Err(_) => 0.5,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_double_from_thirty_seconds_to_an_hour() {
        let middle: Vec<i64> = (1..=10)
            .map(|n| wait_after(n, 0.5).whole_seconds())
            .collect();
        assert_eq!(middle, [30, 60, 120, 240, 480, 960, 1920, 3600, 3600, 3600]);
    }

    #[test]
    fn jitter_spreads_a_wait_by_a_fifth_either_way() {
        assert_eq!(wait_after(1, 0.0).whole_seconds(), 24);
        assert_eq!(wait_after(1, 1.0).whole_seconds(), 36);
        assert_eq!(wait_after(100, 1.0).whole_seconds(), 4320);
        let j = jitter();
        assert!((0.0..=1.0).contains(&j));
    }

    #[test]
    fn all_attempts_together_last_hours_not_minutes() {
        let total: i64 = (1..MAX_ATTEMPTS)
            .map(|n| wait_after(n, 0.0).whole_seconds())
            .sum();
        assert!(total > 2 * 3600, "{total}");
    }
}
