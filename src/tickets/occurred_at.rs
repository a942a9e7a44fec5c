//! "When did it fail?" A browser's date-time field has no time zone, so the
//! form sends the local date and time (`occurred_at`) and a UTC offset
//! (`utc_offset`) beside it. Deep links and scripts may instead send one
//! RFC 3339 value with its own offset, which then wins.

use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Duration, OffsetDateTime, PrimitiveDateTime, UtcOffset};

/// How far ahead of the server's clock a failure time may be; covers clocks
/// that disagree a little, not typing mistakes.
const FUTURE_TOLERANCE: Duration = Duration::minutes(5);

/// The offsets offered on the form: every offset in use somewhere.
pub const UTC_OFFSETS: [&str; 38] = [
    "-12:00", "-11:00", "-10:00", "-09:30", "-09:00", "-08:00", "-07:00", "-06:00", "-05:00",
    "-04:00", "-03:30", "-03:00", "-02:00", "-01:00", "+00:00", "+01:00", "+02:00", "+03:00",
    "+03:30", "+04:00", "+04:30", "+05:00", "+05:30", "+05:45", "+06:00", "+06:30", "+07:00",
    "+08:00", "+08:45", "+09:00", "+09:30", "+10:00", "+10:30", "+11:00", "+12:00", "+12:45",
    "+13:00", "+14:00",
];

/// What is wrong with the failure time, and which of the two fields to
/// show the message beside.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeProblem {
    pub field: &'static str,
    pub message: &'static str,
}

const fn problem(field: &'static str, message: &'static str) -> TimeProblem {
    TimeProblem { field, message }
}

/// Parses the failure time and checks it is plausible. Returns the time in UTC,
/// or a message written for the person filling in the form.
pub fn parse_occurred_at(
    datetime: &str,
    utc_offset: &str,
    now: OffsetDateTime,
) -> Result<OffsetDateTime, TimeProblem> {
    let datetime = datetime.trim();
    if datetime.is_empty() {
        return Err(problem(
            "occurred_at",
            "Enter the date and time the call failed.",
        ));
    }
    let at = match OffsetDateTime::parse(datetime, &Rfc3339) {
        Ok(at) => at,
        Err(_) => {
            let local = parse_local(datetime).ok_or(problem(
                "occurred_at",
                "Enter the date and time as YYYY-MM-DD HH:MM, for example 2026-03-14 09:26.",
            ))?;
            let offset = parse_offset(utc_offset).ok_or(problem(
                "utc_offset",
                "Choose the time zone the date and time are in.",
            ))?;
            local.assume_offset(offset)
        }
    };
    let at = at.to_offset(UtcOffset::UTC);
    if at > now + FUTURE_TOLERANCE {
        return Err(problem(
            "occurred_at",
            "That time is in the future. Check the date, the time and the time zone.",
        ));
    }
    if at.year() < 2000 {
        return Err(problem(
            "occurred_at",
            "That date is too far in the past. Check the year.",
        ));
    }
    Ok(at)
}

fn parse_local(s: &str) -> Option<PrimitiveDateTime> {
    let s = s.replacen(' ', "T", 1);
    let with_seconds = format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]");
    let without = format_description!("[year]-[month]-[day]T[hour]:[minute]");
    PrimitiveDateTime::parse(&s, with_seconds)
        .or_else(|_| PrimitiveDateTime::parse(&s, without))
        .ok()
}

/// `+01:00`, `-05:30`, `Z` or `UTC`.
fn parse_offset(s: &str) -> Option<UtcOffset> {
    let s = s.trim();
    if s.eq_ignore_ascii_case("z") || s.eq_ignore_ascii_case("utc") {
        return Some(UtcOffset::UTC);
    }
    UtcOffset::parse(
        s,
        format_description!("[offset_hour sign:mandatory]:[offset_minute]"),
    )
    .ok()
}

pub fn format_offset(offset: UtcOffset) -> String {
    let (h, m, _) = offset.as_hms();
    let sign = if h < 0 || m < 0 { '-' } else { '+' };
    format!("{sign}{:02}:{:02}", h.abs(), m.abs())
}

/// Splits a full RFC 3339 value into what the form's two fields show, so a
/// deep link's `occurred_at=2026-03-14T09:26:00+01:00` pre-fills both.
pub fn split_for_form(datetime: &str) -> Option<(String, String)> {
    let at = OffsetDateTime::parse(datetime.trim(), &Rfc3339).ok()?;
    let local = format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute()
    );
    Some((local, format_offset(at.offset())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2026-11-26 12:00 UTC);

    #[test]
    fn local_time_with_offset_is_stored_as_utc() {
        let at = parse_occurred_at("2026-11-26T10:15", "+01:00", NOW).unwrap();
        assert_eq!(at, datetime!(2026-11-26 09:15 UTC));
        let at = parse_occurred_at("2026-11-26 04:15:30", "-05:30", NOW).unwrap();
        assert_eq!(at, datetime!(2026-11-26 09:45:30 UTC));
    }

    #[test]
    fn rfc3339_brings_its_own_offset() {
        let at = parse_occurred_at("2026-11-26T10:15:00+02:00", "", NOW).unwrap();
        assert_eq!(at, datetime!(2026-11-26 08:15 UTC));
        let at = parse_occurred_at("2026-11-26T10:15:00Z", "+09:00", NOW).unwrap();
        assert_eq!(at, datetime!(2026-11-26 10:15 UTC));
    }

    #[test]
    fn required_and_well_formed() {
        assert!(
            parse_occurred_at("  ", "+00:00", NOW)
                .unwrap_err()
                .message
                .contains("Enter the date")
        );
        assert!(
            parse_occurred_at("yesterday", "+00:00", NOW)
                .unwrap_err()
                .message
                .contains("YYYY-MM-DD")
        );
        assert!(parse_occurred_at("2026-02-30T10:00", "+00:00", NOW).is_err());
    }

    #[test]
    fn local_time_needs_a_time_zone() {
        let err = parse_occurred_at("2026-11-26T10:15", "", NOW).unwrap_err();
        assert_eq!(err.field, "utc_offset");
        assert!(err.message.contains("time zone"));
        assert!(parse_occurred_at("2026-11-26T10:15", "CET", NOW).is_err());
        assert!(parse_occurred_at("2026-11-26T10:15", "utc", NOW).is_ok());
    }

    #[test]
    fn at_most_five_minutes_ahead() {
        assert!(parse_occurred_at("2026-11-26T12:05", "+00:00", NOW).is_ok());
        let err = parse_occurred_at("2026-11-26T12:06", "+00:00", NOW).unwrap_err();
        assert_eq!(err.field, "occurred_at");
        assert!(err.message.contains("future"));
        // Right local time, wrong zone: 12:30 in New York is 17:30 UTC.
        assert!(parse_occurred_at("2026-11-26T12:30", "-05:00", NOW).is_err());
    }

    #[test]
    fn rejects_implausibly_old_dates() {
        assert!(
            parse_occurred_at("1999-12-31T23:00", "+00:00", NOW)
                .unwrap_err()
                .message
                .contains("year")
        );
    }

    #[test]
    fn offsets_format_both_ways() {
        for text in UTC_OFFSETS {
            assert_eq!(format_offset(parse_offset(text).unwrap()), text);
        }
    }

    #[test]
    fn splits_rfc3339_for_the_form() {
        assert_eq!(
            split_for_form("2026-03-14T09:26:00-03:30"),
            Some(("2026-03-14T09:26".into(), "-03:30".into()))
        );
        assert_eq!(split_for_form("2026-03-14T09:26"), None);
    }
}
