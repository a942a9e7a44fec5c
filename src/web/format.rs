//! How values read on a page.

use time::OffsetDateTime;
use time::macros::format_description;

/// "26 Nov 2026, 09:15 UTC": unambiguous for readers in any country.
pub fn human_time(t: OffsetDateTime) -> String {
    t.to_offset(time::UtcOffset::UTC)
        .format(format_description!(
            "[day padding:none] [month repr:short] [year], [hour]:[minute] UTC"
        ))
        .unwrap_or_else(|_| t.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn shows_utc_with_a_short_month() {
        assert_eq!(
            human_time(datetime!(2026-03-04 10:05 +01:00)),
            "4 Mar 2026, 09:05 UTC"
        );
    }
}
