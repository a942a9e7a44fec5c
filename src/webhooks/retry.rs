//! When to try a delivery again after a failure (no answer, or not 2xx).

use time::Duration;

/// Attempts before a delivery is given up: with the waits below, about
/// fifteen hours of trying, long enough to outlast a receiver's bad night.
pub const MAX_ATTEMPTS: u32 = 8;

/// The wait after each failed attempt, the first first. No jitter, unlike
/// mail: deliveries to one receiver are already spread by when their events
/// happened, and one receiver is not a shared mail server to spare.
const WAITS: [Duration; 7] = [
    Duration::seconds(30),
    Duration::minutes(2),
    Duration::minutes(10),
    Duration::hours(1),
    Duration::hours(2),
    Duration::hours(4),
    Duration::hours(8),
];

/// The wait after the `failures`-th failed attempt (1 for the first), or
/// `None` once it is time to give up.
pub fn wait_after(failures: u32) -> Option<Duration> {
    if failures >= MAX_ATTEMPTS {
        return None;
    }
    let index = usize::try_from(failures.max(1) - 1).unwrap_or(usize::MAX);
    WAITS.get(index).copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_grow_then_the_delivery_is_given_up() {
        let waits: Vec<i64> = (1..MAX_ATTEMPTS)
            .map(|n| wait_after(n).unwrap().whole_seconds())
            .collect();
        assert_eq!(waits, [30, 120, 600, 3_600, 7_200, 14_400, 28_800]);
        assert_eq!(wait_after(MAX_ATTEMPTS), None);
        assert_eq!(wait_after(MAX_ATTEMPTS + 5), None);
        let total: i64 = waits.iter().sum();
        assert!(total > 12 * 3_600, "{total}");
    }
}
