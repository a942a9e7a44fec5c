//! Response times kept as histograms: a count per duration band, per day
//! and priority (migration 0013 keeps them with triggers as tickets are
//! answered and resolved). A percentile is read from the bands and is
//! exact to its band: "the median first response was 1–2 hours".
//!
//! Why bands and not the tickets themselves: the median of a range needs
//! every duration in it, and a year's range at a million tickets is a large
//! part of the table. A day's histogram is at most 16 rows per priority, so
//! a range of days reads a few thousand rows whatever the ticket count.

/// The bands' upper limits in seconds, each band holding durations from the
/// limit before it (0 for the first) up to, not including, its own; a last
/// band holds everything longer. Migration 0013 holds the same list in
/// `duration_bands`.
pub const BAND_LIMITS: [i64; 15] = [
    5 * MINUTE,
    15 * MINUTE,
    30 * MINUTE,
    HOUR,
    2 * HOUR,
    4 * HOUR,
    8 * HOUR,
    12 * HOUR,
    DAY,
    2 * DAY,
    3 * DAY,
    5 * DAY,
    7 * DAY,
    14 * DAY,
    30 * DAY,
];

/// How many bands there are: one more than limits.
pub const BANDS: usize = BAND_LIMITS.len() + 1;

const MINUTE: i64 = 60;
const HOUR: i64 = 60 * MINUTE;
const DAY: i64 = 24 * HOUR;

/// The band a duration of `seconds` falls in (a negative one in the first).
pub fn band_of(seconds: i64) -> usize {
    BAND_LIMITS
        .iter()
        .position(|limit| seconds < *limit)
        .unwrap_or(BAND_LIMITS.len())
}

/// One band, by its index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Band(pub usize);

impl Band {
    /// Its lower limit in seconds.
    pub fn from_seconds(self) -> i64 {
        match self.0 {
            0 => 0,
            i => BAND_LIMITS[i - 1],
        }
    }

    /// Its upper limit in seconds; `None` for the last band.
    pub fn below_seconds(self) -> Option<i64> {
        BAND_LIMITS.get(self.0).copied()
    }

    /// "Under 5 min", "1–2 h", "2–3 days", "Over 30 days".
    pub fn label(self) -> String {
        match (self.0, self.below_seconds()) {
            (0, Some(below)) => format!("Under {}", span(below)),
            (_, None) => format!("Over {}", span(self.from_seconds())),
            (_, Some(below)) => {
                let (from, to) = (span(self.from_seconds()), span(below));
                // "1–2 h" rather than "1 h–2 h" when both use the same unit.
                match (from.split_once(' '), to.split_once(' ')) {
                    (Some((n, unit)), Some((_, to_unit))) if unit == to_unit => {
                        format!("{n}–{to}")
                    }
                    _ => format!("{from} – {to}"),
                }
            }
        }
    }
}

/// A whole number of minutes, hours or days, as the band limits are.
fn span(seconds: i64) -> String {
    if seconds >= DAY && seconds % DAY == 0 {
        let days = seconds / DAY;
        format!("{days} {}", if days == 1 { "day" } else { "days" })
    } else if seconds >= HOUR && seconds % HOUR == 0 {
        format!("{} h", seconds / HOUR)
    } else {
        format!("{} min", seconds / MINUTE)
    }
}

/// Counts per band, and how many of them met their target.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Histogram {
    pub counts: [i64; BANDS],
    pub met: i64,
}

impl Histogram {
    /// Adds `count` durations in band `band` (a band past the last counts
    /// in the last), `met` of them within target.
    pub fn add(&mut self, band: usize, count: i64, met: i64) {
        self.counts[band.min(BANDS - 1)] += count;
        self.met += met;
    }

    pub fn total(&self) -> i64 {
        self.counts.iter().sum()
    }

    /// The band holding the `percent`-th percentile, by nearest rank: the
    /// smallest band at or below which at least `percent`% of the durations
    /// lie. `None` when there are none.
    pub fn percentile(&self, percent: u32) -> Option<Band> {
        let total = self.total();
        if total <= 0 {
            return None;
        }
        // ceil(percent/100 × total), at least 1.
        let rank = ((i64::from(percent) * total + 99) / 100).max(1);
        let mut seen = 0;
        for (i, count) in self.counts.iter().enumerate() {
            seen += count;
            if seen >= rank {
                return Some(Band(i));
            }
        }
        Some(Band(BANDS - 1))
    }

    /// The share within target, in whole percent (rounded down, so that
    /// 99.6% is never shown as all of them); `None` with no durations.
    pub fn met_percent(&self) -> Option<i64> {
        let total = self.total();
        (total > 0).then(|| self.met * 100 / total)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_fall_in_the_band_below_their_limit() {
        assert_eq!(band_of(-5), 0);
        assert_eq!(band_of(0), 0);
        assert_eq!(band_of(299), 0);
        assert_eq!(band_of(300), 1);
        assert_eq!(band_of(3599), 3);
        assert_eq!(band_of(3600), 4);
        assert_eq!(band_of(30 * DAY - 1), 14);
        assert_eq!(band_of(30 * DAY), 15);
        assert_eq!(band_of(i64::MAX), 15);
        assert!(BAND_LIMITS.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn bands_are_named_by_their_limits() {
        assert_eq!(Band(0).label(), "Under 5 min");
        assert_eq!(Band(1).label(), "5–15 min");
        assert_eq!(Band(3).label(), "30 min – 1 h");
        assert_eq!(Band(4).label(), "1–2 h");
        assert_eq!(Band(8).label(), "12 h – 1 day");
        assert_eq!(Band(9).label(), "1 day – 2 days");
        assert_eq!(Band(10).label(), "2–3 days");
        assert_eq!(Band(15).label(), "Over 30 days");
    }

    fn histogram(counts: &[(usize, i64)]) -> Histogram {
        let mut h = Histogram::default();
        for (band, count) in counts {
            h.add(*band, *count, 0);
        }
        h
    }

    #[test]
    fn percentiles_are_read_by_nearest_rank() {
        // Ten durations: 4 under 5 min, 5 in 1–2 h, 1 over 30 days.
        let h = histogram(&[(0, 4), (4, 5), (15, 1)]);
        assert_eq!(h.total(), 10);
        // Rank 5 of 10 is the first in 1–2 h.
        assert_eq!(h.percentile(50), Some(Band(4)));
        // Rank 4 is still under 5 min.
        assert_eq!(h.percentile(40), Some(Band(0)));
        // Rank 9 is in 1–2 h; rank 10 the longest.
        assert_eq!(h.percentile(90), Some(Band(4)));
        assert_eq!(h.percentile(91), Some(Band(15)));
        assert_eq!(h.percentile(100), Some(Band(15)));
        assert_eq!(h.percentile(0), Some(Band(0)));
    }

    #[test]
    fn one_duration_is_every_percentile_and_none_is_none() {
        let h = histogram(&[(7, 1)]);
        assert_eq!(h.percentile(50), Some(Band(7)));
        assert_eq!(h.percentile(90), Some(Band(7)));
        assert_eq!(Histogram::default().percentile(50), None);
        assert_eq!(Histogram::default().met_percent(), None);
    }

    #[test]
    fn the_share_within_target_rounds_down() {
        let mut h = Histogram::default();
        h.add(0, 2, 2);
        h.add(5, 1, 0);
        assert_eq!(h.met_percent(), Some(66));
        // A band past the last is counted in the last.
        h.add(99, 1, 0);
        assert_eq!(h.counts[BANDS - 1], 1);
    }
}
