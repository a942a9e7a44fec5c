//! A sort by last update within a creation-date range that ended a while
//! ago, read a month of creation at a time.
//!
//! Neither single index answers it: walking the most recently updated
//! tickets first reaches the range only after every ticket created since,
//! and reading the range by creation date collects all of it to sort it.
//! Tickets are updated after they are created, in no bounded time, so no
//! bound on one date gives the other. Migration 0020's index orders each
//! (status, folding, month of creation) by last update: an arm per month
//! walks its month newest-updated first and SQLite merges the arms, so a
//! page reads about a page per arm, however large the range.

use time::{Date, Month};

/// The expression migration 0020 indexes; a query must spell it the same
/// way for SQLite to use that index.
pub(super) const CREATED_MONTH: &str = "substr(t.created_at, 1, 7)";

/// Arms one compound SELECT may hold here, well under SQLite's limit of 500
/// (`SQLITE_MAX_COMPOUND_SELECT`); a longer range is read the other way.
const MAX_ARMS: usize = 240;

/// The months (`YYYY-MM`) from `first`'s to `last`'s, when there are some
/// and at most `MAX_ARMS / arms_per_month` of them.
pub(super) fn months(first: Date, last: Date, arms_per_month: usize) -> Option<Vec<String>> {
    let mut out = Vec::new();
    let (mut year, mut month) = (first.year(), first.month());
    while (year, month as u8) <= (last.year(), last.month() as u8) {
        out.push(format!("{year:04}-{:02}", month as u8));
        if out.len() * arms_per_month.max(1) > MAX_ARMS {
            return None;
        }
        if month == Month::December {
            year += 1;
        }
        month = month.next();
    }
    // A range that ends before it starts has no month (and no ticket).
    (!out.is_empty()).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn months_cover_both_ends_across_a_new_year() {
        assert_eq!(
            months(date!(2025 - 11 - 30), date!(2026 - 02 - 01), 1).unwrap(),
            ["2025-11", "2025-12", "2026-01", "2026-02"]
        );
        assert_eq!(
            months(date!(2026 - 03 - 05), date!(2026 - 03 - 09), 10).unwrap(),
            ["2026-03"]
        );
    }

    #[test]
    fn too_many_arms_are_refused() {
        assert!(months(date!(2020 - 01 - 01), date!(2026 - 12 - 31), 5).is_none());
        assert!(months(date!(2026 - 01 - 01), date!(2026 - 12 - 31), 10).is_some());
        assert!(months(date!(2026 - 02 - 01), date!(2026 - 01 - 31), 1).is_none());
    }
}
