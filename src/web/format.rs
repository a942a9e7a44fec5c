//! How values read on a page.

use time::OffsetDateTime;

pub use crate::domain::human_time_in;

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

/// A count with thousands separated: "2,069".
pub fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
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
    fn thousands_are_separated() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(2_069), "2,069");
        assert_eq!(thousands(1_000_000), "1,000,000");
        assert_eq!(thousands(-12_345), "-12,345");
    }

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
