//! How values read on a page.

use time::OffsetDateTime;
use time::macros::format_description;

use crate::domain::Zone;

/// "26 Nov 2026, 09:15 UTC": unambiguous for readers in any country.
pub fn human_time(t: OffsetDateTime) -> String {
    t.checked_to_offset(time::UtcOffset::UTC)
        .unwrap_or(t)
        .format(format_description!(
            "[day padding:none] [month repr:short] [year], [hour]:[minute] UTC"
        ))
        .unwrap_or_else(|_| t.to_string())
}

/// "26 Nov 2026, 10:15 CET": the wall-clock time in the reader's zone, with
/// the zone's abbreviation then (or its offset where the zone has none).
/// Falls back to UTC for an instant the zone cannot show.
pub fn human_time_in(t: OffsetDateTime, zone: &Zone) -> String {
    let Some((local, label)) = zone.wall_clock(t) else {
        return human_time(t);
    };
    local
        .format(format_description!(
            "[day padding:none] [month repr:short] [year], [hour]:[minute]"
        ))
        .map_or_else(|_| human_time(t), |text| format!("{text} {label}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn shows_the_readers_zone() {
        let t = datetime!(2026-03-04 10:05 +01:00);
        let zone = |name| Zone::parse(name).unwrap();
        assert_eq!(human_time_in(t, &zone("UTC")), "4 Mar 2026, 09:05 UTC");
        assert_eq!(
            human_time_in(t, &zone("Europe/Berlin")),
            "4 Mar 2026, 10:05 CET"
        );
        assert_eq!(
            human_time_in(t, &zone("America/New_York")),
            "4 Mar 2026, 04:05 EST"
        );
        assert_eq!(
            human_time_in(t, &zone("Asia/Kathmandu")),
            "4 Mar 2026, 14:50 UTC+05:45"
        );
        assert_eq!(
            human_time_in(t, &zone("UTC-03:30")),
            "4 Mar 2026, 05:35 UTC-03:30"
        );
        // Beyond what the zone can show: UTC rather than a panic.
        let late = datetime!(9999-12-31 23:59 UTC);
        assert_eq!(
            human_time_in(late, &zone("Pacific/Kiritimati")),
            human_time(late)
        );
    }

    #[test]
    fn shows_utc_with_a_short_month() {
        assert_eq!(
            human_time(datetime!(2026-03-04 10:05 +01:00)),
            "4 Mar 2026, 09:05 UTC"
        );
    }
}

/// The first non-blank line of a message, shortened to 100 characters, for
/// lists where the whole message would not fit.
pub fn first_line(message: &str) -> String {
    let line = message
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .trim();
    if line.chars().count() > 100 {
        let cut: String = line.chars().take(99).collect();
        format!("{cut}…")
    } else {
        line.to_string()
    }
}

/// RFC 3339 in UTC, for `<time datetime=…>`.
pub fn iso_time(t: OffsetDateTime) -> String {
    t.checked_to_offset(time::UtcOffset::UTC)
        .unwrap_or(t)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// A compact age: "45 min", "3 h", "12 d".
pub fn age(since: OffsetDateTime, now: OffsetDateTime) -> String {
    span((now - since).max(time::Duration::ZERO))
}

fn span(d: time::Duration) -> String {
    if d < time::Duration::hours(1) {
        format!("{} min", d.whole_minutes())
    } else if d < time::Duration::days(2) {
        format!("{} h", d.whole_hours())
    } else {
        format!("{} d", d.whole_days())
    }
}

/// "due in 3 h" or "overdue 2 d", and whether it is overdue.
pub fn due(at: OffsetDateTime, now: OffsetDateTime) -> (String, bool) {
    if at <= now {
        (format!("overdue {}", span(now - at)), true)
    } else {
        (format!("due in {}", span(at - now)), false)
    }
}

#[cfg(test)]
mod span_tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn first_line_skips_blank_lines_and_shortens() {
        assert_eq!(
            first_line("\n  HTTP GET failed (401)\nmore"),
            "HTTP GET failed (401)"
        );
        assert_eq!(first_line(&"x".repeat(150)).chars().count(), 100);
    }

    #[test]
    fn ages_and_due_times_read_compactly() {
        let now = datetime!(2026-11-26 12:00 UTC);
        assert_eq!(age(datetime!(2026-11-26 11:15 UTC), now), "45 min");
        assert_eq!(age(datetime!(2026-11-25 09:00 UTC), now), "27 h");
        assert_eq!(age(datetime!(2026-11-14 12:00 UTC), now), "12 d");
        assert_eq!(
            due(datetime!(2026-11-26 15:00 UTC), now),
            ("due in 3 h".into(), false)
        );
        assert_eq!(
            due(datetime!(2026-11-24 12:00 UTC), now),
            ("overdue 2 d".into(), true)
        );
    }
}
