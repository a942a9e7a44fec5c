//! Figures for the team lead's page (`/staff/insights`), computed from the
//! tallies the store keeps per day (see migration 0013): pure functions over
//! what the store read, so that every figure can be checked without a
//! database.
//!
//! - [`range`]: the days asked for, and the presets.
//! - [`bands`]: response times as counts per duration band, and the
//!   percentiles read from them.
//! - [`funnel`]: decision-tree walks per code and step.
//! - [`table`]: every figure as a table, for the page and for CSV.

pub mod bands;
pub mod funnel;
pub mod range;
pub mod table;

use time::{Date, Duration, OffsetDateTime};

use crate::domain::ErrorCode;
use crate::tickets::Priority;

pub use bands::{BAND_LIMITS, Band, Histogram};
pub use funnel::{CodeFunnel, StepRow, WalkTally};
pub use range::{DateRange, Preset};

/// What a visitor did at a step of a decision tree, counted once per
/// visitor, step and day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WalkMark {
    /// Shown the step; `first` when it is the tree's first (a walk started).
    Reached { first: bool },
    /// Pressed "Yes, fixed" on it.
    Fixed,
}

/// The two durations measured per ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Measure {
    /// From filing to staff's first public reply.
    FirstResponse,
    /// From filing to the first time it was resolved.
    Resolution,
}

impl Measure {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::FirstResponse => "first_response",
            Self::Resolution => "resolution",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "first_response" => Some(Self::FirstResponse),
            "resolution" => Some(Self::Resolution),
            _ => None,
        }
    }
}

/// One row of the duration tallies: how many tickets of a priority had a
/// duration in `band`, over the days read; `met`, of those, were answered
/// by their due time (first response only).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DurationCount {
    pub measure: Measure,
    pub priority: Priority,
    pub band: usize,
    pub count: i64,
    pub met: i64,
}

/// Tickets filed on a day with a code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayCount {
    pub day: Date,
    pub code: ErrorCode,
    pub count: i64,
}

/// A problem among the busiest of a range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BusyProblem {
    pub id: i64,
    pub lead_ticket_id: i64,
    pub code: ErrorCode,
    /// The lead ticket's method and endpoint, as the requester gave them.
    pub method: Option<String>,
    pub endpoint: String,
    /// Its tickets filed in the range.
    pub in_range: i64,
    /// Its tickets in all.
    pub occurrences: i64,
    pub last_seen: OffsetDateTime,
}

/// How old open tickets are: the upper limit of each band but the last.
pub const AGE_LIMITS: [Duration; 5] = [
    Duration::hours(1),
    Duration::hours(4),
    Duration::hours(24),
    Duration::days(3),
    Duration::days(7),
];

/// The age bands' names, one more than `AGE_LIMITS`.
pub const AGE_LABELS: [&str; 6] = [
    "Under 1 hour",
    "1–4 hours",
    "4–24 hours",
    "1–3 days",
    "3–7 days",
    "Over 7 days",
];

/// Durations per measure and priority, summed over the days read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResponseTimes {
    pub first_response: [Histogram; 4],
    pub resolution: [Histogram; 4],
}

impl ResponseTimes {
    pub fn from_counts(counts: &[DurationCount]) -> Self {
        let mut times = Self::default();
        for c in counts {
            let slot = c.priority.rank() as usize;
            let histogram = match c.measure {
                Measure::FirstResponse => &mut times.first_response[slot],
                Measure::Resolution => &mut times.resolution[slot],
            };
            histogram.add(c.band, c.count, c.met);
        }
        times
    }
}

/// The Monday of a date's week (ISO weeks).
pub fn week_start(day: Date) -> Date {
    day - Duration::days(i64::from(day.weekday().number_days_from_monday()))
}

/// Tickets per code per week: the weeks of the range (each by its Monday;
/// the first and last may be cut by the range), the codes with any ticket
/// (most tickets first), and `counts[code][week]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Weekly {
    pub weeks: Vec<Date>,
    pub codes: Vec<ErrorCode>,
    pub counts: Vec<Vec<i64>>,
}

impl Weekly {
    pub fn build(range: DateRange, days: &[DayCount]) -> Self {
        let mut weeks = Vec::new();
        let mut week = week_start(range.from);
        while week <= range.to {
            weeks.push(week);
            week += Duration::weeks(1);
        }
        let mut per_code: Vec<(ErrorCode, Vec<i64>)> = Vec::new();
        for d in days.iter().filter(|d| range.contains(d.day)) {
            let Some(slot) = weeks.iter().position(|w| *w == week_start(d.day)) else {
                continue;
            };
            let row = match per_code.iter().position(|(c, _)| *c == d.code) {
                Some(i) => &mut per_code[i].1,
                None => {
                    per_code.push((d.code, vec![0; weeks.len()]));
                    &mut per_code.last_mut().expect("just pushed").1
                }
            };
            row[slot] += d.count;
        }
        per_code.retain(|(_, row)| row.iter().any(|n| *n != 0));
        // Most tickets first; equal totals in the codes' own order.
        per_code.sort_by_key(|(code, row)| {
            (
                -row.iter().sum::<i64>(),
                ErrorCode::ALL.iter().position(|c| c == code),
            )
        });
        let (codes, counts) = per_code.into_iter().unzip();
        Self {
            weeks,
            codes,
            counts,
        }
    }

    /// Every code's tickets in a week.
    pub fn week_total(&self, week: usize) -> i64 {
        self.counts.iter().map(|row| row[week]).sum()
    }

    pub fn total(&self) -> i64 {
        self.counts.iter().flatten().sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn weeks_start_on_monday() {
        // 2026-03-04 is a Wednesday.
        assert_eq!(week_start(date!(2026 - 03 - 04)), date!(2026 - 03 - 02));
        assert_eq!(week_start(date!(2026 - 03 - 02)), date!(2026 - 03 - 02));
        assert_eq!(week_start(date!(2026 - 03 - 08)), date!(2026 - 03 - 02));
    }

    #[test]
    fn weekly_groups_days_into_weeks_and_orders_codes_by_tickets() {
        let range = DateRange {
            from: date!(2026 - 03 - 04),
            to: date!(2026 - 03 - 10),
        };
        let day = |day, code, count| DayCount { day, code, count };
        let weekly = Weekly::build(
            range,
            &[
                day(date!(2026 - 03 - 04), ErrorCode::Unauthorized, 2),
                day(date!(2026 - 03 - 08), ErrorCode::Unauthorized, 1),
                day(date!(2026 - 03 - 09), ErrorCode::TooManyRequests, 5),
                // Outside the range: left out.
                day(date!(2026 - 03 - 03), ErrorCode::TooManyRequests, 9),
                day(date!(2026 - 03 - 11), ErrorCode::NotFound, 9),
            ],
        );
        assert_eq!(weekly.weeks, [date!(2026 - 03 - 02), date!(2026 - 03 - 09)]);
        assert_eq!(
            weekly.codes,
            [ErrorCode::TooManyRequests, ErrorCode::Unauthorized]
        );
        assert_eq!(weekly.counts, [vec![0, 5], vec![3, 0]]);
        assert_eq!(weekly.week_total(0), 3);
        assert_eq!(weekly.total(), 8);
    }
}
