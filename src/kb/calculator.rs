//! The rate-limit arithmetic on the 429 path: from how an integration runs,
//! the calls it makes in its busiest minute and in a month, against the
//! platform's limits (`site.toml`), which one is crossed and by how much,
//! and how to back off.
//!
//! Assumptions, said on the page too: a run's calls are spread evenly over
//! the run; runs of the same schedule overlap when a run takes longer than
//! the time between two starts; a month is 30 days.

use super::RateLimits;

const MINUTES_A_MONTH: u128 = 30 * 24 * 60;

/// How an integration calls the API. Every figure is at least 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Usage {
    /// Minutes between two starts of a run.
    pub every_minutes: u64,
    pub calls_per_run: u64,
    /// Schedules running side by side (recipes, workers) on the same account.
    pub at_once: u64,
    /// Minutes one run takes.
    pub run_minutes: u64,
}

/// Bounds on what the form takes: a year between runs, ten million calls a
/// run, a thousand side by side, a day a run. The arithmetic is done in
/// `u128`, so even the largest answer cannot overflow.
pub const MAX_EVERY_MINUTES: u64 = 366 * 24 * 60;
pub const MAX_CALLS_PER_RUN: u64 = 10_000_000;
pub const MAX_AT_ONCE: u64 = 1_000;
pub const MAX_RUN_MINUTES: u64 = 24 * 60;

/// One limit and what the integration does against it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Load {
    pub calls: u128,
    pub limit: u64,
}

impl Load {
    /// By how many calls the limit is crossed, if it is.
    pub fn over_by(&self) -> Option<u128> {
        self.calls
            .checked_sub(u128::from(self.limit))
            .filter(|over| *over > 0)
    }

    /// Calls as a share of the limit, in whole percent, rounded up.
    pub fn percent(&self) -> u128 {
        (self.calls * 100).div_ceil(u128::from(self.limit.max(1)))
    }

    /// Within the limit but at 80 % of it or more: one busy day from a 429.
    pub fn close(&self) -> bool {
        self.over_by().is_none() && self.percent() >= 80
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    pub minute: Load,
    pub month: Load,
    /// The fewest minutes a run must take to stay within the minute limit
    /// with everything else unchanged.
    pub min_run_minutes: u128,
    /// The most runs side by side within the minute limit, everything else
    /// unchanged (0: one run alone is too fast).
    pub max_at_once: u128,
    /// The shortest time between runs, in minutes, within the month limit.
    pub min_every_minutes: u128,
    /// The day of a 30-day month the month's calls run out, when they do.
    pub runs_out_on_day: Option<u128>,
}

impl Usage {
    /// As stored with a ticket and carried in a link: `15,600,3,1` (minutes
    /// between runs, calls a run, runs side by side, minutes a run takes).
    pub fn to_text(&self) -> String {
        format!(
            "{},{},{},{}",
            self.every_minutes, self.calls_per_run, self.at_once, self.run_minutes
        )
    }

    /// Reads [`to_text`](Self::to_text) back; `None` for anything else or
    /// out of bounds.
    pub fn parse(text: &str) -> Option<Self> {
        let mut parts = text
            .trim()
            .split(',')
            .map(|part| part.trim().parse::<u64>().ok());
        let mut next = |max: u64| parts.next().flatten().filter(|n| (1..=max).contains(n));
        let usage = Self {
            every_minutes: next(MAX_EVERY_MINUTES)?,
            calls_per_run: next(MAX_CALLS_PER_RUN)?,
            at_once: next(MAX_AT_ONCE)?,
            run_minutes: next(MAX_RUN_MINUTES)?,
        };
        parts.next().is_none().then_some(usage)
    }

    pub fn verdict(&self, limits: RateLimits) -> Verdict {
        let every = u128::from(self.every_minutes.max(1));
        let calls = u128::from(self.calls_per_run.max(1));
        let at_once = u128::from(self.at_once.max(1));
        let run = u128::from(self.run_minutes.max(1));
        // Runs of one schedule that are going at the same moment.
        let overlapping = run.div_ceil(every);
        let busiest_minute = (at_once * overlapping * calls).div_ceil(run);
        let runs_a_month = at_once * (MINUTES_A_MONTH / every).max(1);
        let month = runs_a_month * calls;
        let per_minute = u128::from(limits.per_minute);
        let per_month = u128::from(limits.per_month);
        let calls_a_day = month.div_ceil(30);
        Verdict {
            minute: Load {
                calls: busiest_minute,
                limit: limits.per_minute,
            },
            month: Load {
                calls: month,
                limit: limits.per_month,
            },
            min_run_minutes: (at_once * overlapping * calls).div_ceil(per_minute),
            max_at_once: (per_minute * run) / (overlapping * calls),
            min_every_minutes: (at_once * calls * MINUTES_A_MONTH).div_ceil(per_month),
            runs_out_on_day: (month > per_month).then(|| per_month.div_ceil(calls_a_day.max(1))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: RateLimits = RateLimits {
        per_minute: 1_200,
        per_month: 11_000_000,
    };

    fn usage(every_minutes: u64, calls_per_run: u64, at_once: u64, run_minutes: u64) -> Verdict {
        Usage {
            every_minutes,
            calls_per_run,
            at_once,
            run_minutes,
        }
        .verdict(LIMITS)
    }

    #[test]
    fn exactly_at_the_minute_limit_is_within_it_and_one_more_call_crosses_it() {
        let at = usage(60, 1_200, 1, 1);
        assert_eq!(at.minute.calls, 1_200);
        assert_eq!(at.minute.over_by(), None);
        assert_eq!(at.minute.percent(), 100);
        let over = usage(60, 1_201, 1, 1);
        assert_eq!(over.minute.over_by(), Some(1));
        assert_eq!(over.min_run_minutes, 2);
        assert_eq!(over.max_at_once, 0);
    }

    #[test]
    fn side_by_side_runs_add_up_and_long_runs_spread_the_calls() {
        // Three recipes, 600 calls each, every 15 minutes, each run 1 minute.
        let v = usage(15, 600, 3, 1);
        assert_eq!(v.minute.calls, 1_800);
        assert_eq!(v.minute.over_by(), Some(600));
        assert_eq!(v.max_at_once, 2);
        assert_eq!(v.min_run_minutes, 2);
        // The same calls spread over 2 minutes fit.
        assert_eq!(usage(15, 600, 3, 2).minute.calls, 900);
    }

    #[test]
    fn runs_longer_than_the_gap_between_them_overlap() {
        // A 10-minute run started every 5 minutes: two are always going.
        let v = usage(5, 1_000, 1, 10);
        assert_eq!(v.minute.calls, 200);
    }

    #[test]
    fn the_month_limit_is_reached_at_and_around_eleven_million() {
        // Every minute, 254 calls: 254 × 43,200 = 10,972,800, under.
        let under = usage(1, 254, 1, 1);
        assert_eq!(under.month.calls, 10_972_800);
        assert_eq!(under.month.over_by(), None);
        assert!(under.month.close());
        assert_eq!(under.runs_out_on_day, None);
        // 255 a minute: 11,016,000, over by 16,000; runs out on day 30.
        let over = usage(1, 255, 1, 1);
        assert_eq!(over.month.over_by(), Some(16_000));
        assert_eq!(over.runs_out_on_day, Some(30));
        assert_eq!(over.min_every_minutes, 2);
        // No schedule lands on 11,000,000 exactly (it is not a multiple of
        // 43,200 minutes), so the boundary is checked on the load itself.
        let exact = Load {
            calls: 11_000_000,
            limit: 11_000_000,
        };
        assert_eq!((exact.over_by(), exact.percent()), (None, 100));
    }

    #[test]
    fn a_quiet_integration_is_far_from_both_limits() {
        let v = usage(60, 100, 1, 1);
        assert_eq!(v.minute.calls, 100);
        assert_eq!(v.month.calls, 72_000);
        assert!(!v.minute.close() && !v.month.close());
        assert_eq!(v.max_at_once, 12);
    }

    #[test]
    fn usage_is_written_and_read_back_within_bounds() {
        let usage = Usage {
            every_minutes: 15,
            calls_per_run: 600,
            at_once: 3,
            run_minutes: 1,
        };
        assert_eq!(usage.to_text(), "15,600,3,1");
        assert_eq!(Usage::parse(" 15, 600,3,1 "), Some(usage));
        for bad in [
            "",
            "15,600,3",
            "15,600,3,1,9",
            "0,600,3,1",
            "15,x,3,1",
            "15,600,1001,1",
        ] {
            assert_eq!(Usage::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_largest_inputs_do_not_overflow() {
        let v = usage(1, MAX_CALLS_PER_RUN, MAX_AT_ONCE, 1);
        assert_eq!(v.minute.calls, 10_000_000_000);
        let v = usage(MAX_EVERY_MINUTES, 1, 1, MAX_RUN_MINUTES);
        assert_eq!(v.month.calls, 1);
        assert_eq!(v.minute.calls, 1);
    }
}
