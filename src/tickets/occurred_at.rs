//! "When did it fail?" A browser's date-time field has no time zone, so the
//! form sends the local date and time (`occurred_at`) and the time zone it was
//! read in (`time_zone`: a place such as `Europe/Berlin`, or a fixed offset).
//! Deep links and older scripts may send `utc_offset` instead, or one RFC 3339
//! value with its own offset, which then fixes the instant.
//!
//! Nothing here may panic, whatever the input: every conversion is checked,
//! and the plausibility of the year is judged before any arithmetic.

use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Duration, OffsetDateTime, PrimitiveDateTime, UtcOffset};

use crate::domain::{LocalTime, Zone, format_offset};

/// How far ahead of the server's clock a failure time may be; covers clocks
/// that disagree a little, not typing mistakes.
const FUTURE_TOLERANCE: Duration = Duration::minutes(5);

/// Earliest year accepted: the product is younger than this.
const EARLIEST_YEAR: i32 = 2000;

/// What is wrong with the failure time, and which of the two fields to
/// show the message beside.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeProblem {
    pub field: &'static str,
    pub message: String,
}

fn problem(field: &'static str, message: impl Into<String>) -> TimeProblem {
    TimeProblem {
        field,
        message: message.into(),
    }
}

fn in_the_future() -> TimeProblem {
    problem(
        "occurred_at",
        "That time is in the future. Check the date, the time and the time zone.",
    )
}

fn too_old() -> TimeProblem {
    problem(
        "occurred_at",
        "That date is too far in the past. Check the year.",
    )
}

/// The failure time as an instant, and the zone the requester reads times in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Occurred {
    /// Always UTC.
    pub at: OffsetDateTime,
    pub zone: Zone,
}

/// Parses the failure time and checks it is plausible. `time_zone` wins over
/// the older `utc_offset` when both are given.
pub fn parse_occurred_at(
    datetime: &str,
    time_zone: &str,
    utc_offset: &str,
    now: OffsetDateTime,
) -> Result<Occurred, TimeProblem> {
    let datetime = datetime.trim();
    if datetime.is_empty() {
        return Err(problem(
            "occurred_at",
            "Enter the date and time the call failed.",
        ));
    }
    let zone_text = if time_zone.trim().is_empty() {
        utc_offset
    } else {
        time_zone
    };
    let zone = match zone_text.trim() {
        "" => None,
        text => Some(Zone::parse(text).ok_or_else(|| {
            problem(
                "time_zone",
                "Choose the time zone from the list: a city in the same time zone, or a fixed offset from UTC.",
            )
        })?),
    };
    let latest_year = now.year().saturating_add(1);
    let plausible_year = |year: i32| {
        if year < EARLIEST_YEAR {
            Err(too_old())
        } else if year > latest_year {
            Err(in_the_future())
        } else {
            Ok(())
        }
    };
    let (at, zone) = if let Ok(at) = OffsetDateTime::parse(datetime, &Rfc3339) {
        plausible_year(at.year())?;
        let at = at
            .checked_to_offset(UtcOffset::UTC)
            .ok_or_else(in_the_future)?;
        // The value's own offset fixes the instant; without a zone chosen,
        // times are shown back at that offset.
        let zone = zone
            .or_else(|| Zone::fixed(datetime_offset(datetime)?))
            .unwrap_or_else(Zone::utc);
        (at, zone)
    } else {
        let local = parse_local(datetime).ok_or_else(|| {
            problem(
                "occurred_at",
                "Enter the date and time as YYYY-MM-DD HH:MM, for example 2026-03-14 09:26.",
            )
        })?;
        let zone = zone.ok_or_else(|| {
            problem(
                "time_zone",
                "Choose the time zone the date and time are in.",
            )
        })?;
        plausible_year(local.year())?;
        let at = match zone.resolve(local) {
            LocalTime::Exact(at) => at,
            LocalTime::Skipped { before, after } => {
                return Err(problem(
                    "occurred_at",
                    skipped_message(local, &zone, before, after),
                ));
            }
            LocalTime::Repeated { first, second } => {
                return Err(problem(
                    "occurred_at",
                    repeated_message(local, &zone, first, second),
                ));
            }
            LocalTime::OutOfRange => return Err(in_the_future()),
        };
        (at, zone)
    };
    if at > now.checked_add(FUTURE_TOLERANCE).unwrap_or(now) {
        return Err(in_the_future());
    }
    if at.year() < EARLIEST_YEAR {
        return Err(too_old());
    }
    Ok(Occurred { at, zone })
}

fn skipped_message(
    local: PrimitiveDateTime,
    zone: &Zone,
    before: UtcOffset,
    after: UtcOffset,
) -> String {
    format!(
        "{} did not happen in {zone}: the clocks jumped from UTC{} to UTC{} that night, \
         skipping it. Check the time in your log. If it really shows this time, choose its \
         offset under “Fixed offsets from UTC” instead (UTC{} or UTC{}).",
        local_text(local),
        format_offset(before),
        format_offset(after),
        format_offset(before),
        format_offset(after),
    )
}

fn repeated_message(
    local: PrimitiveDateTime,
    zone: &Zone,
    first: UtcOffset,
    second: UtcOffset,
) -> String {
    format!(
        "{} happened twice in {zone}: the clocks went back, so it came once at UTC{} and \
         again an hour later at UTC{}. Say which: choose UTC{} or UTC{} under \
         “Fixed offsets from UTC”.",
        local_text(local),
        format_offset(first),
        format_offset(second),
        format_offset(first),
        format_offset(second),
    )
}

/// "2026-03-29 02:30", as the person typed it.
fn local_text(local: PrimitiveDateTime) -> String {
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}",
        local.year(),
        u8::from(local.month()),
        local.day(),
        local.hour(),
        local.minute()
    )
}

/// The offset an RFC 3339 value was written with.
fn datetime_offset(datetime: &str) -> Option<UtcOffset> {
    OffsetDateTime::parse(datetime.trim(), &Rfc3339)
        .ok()
        .map(OffsetDateTime::offset)
}

fn parse_local(s: &str) -> Option<PrimitiveDateTime> {
    let s = s.replacen(' ', "T", 1);
    let with_seconds = format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]");
    let without = format_description!("[year]-[month]-[day]T[hour]:[minute]");
    PrimitiveDateTime::parse(&s, with_seconds)
        .or_else(|_| PrimitiveDateTime::parse(&s, without))
        .ok()
}

/// What the form's two fields show for a deep link: the local date and time
/// as `datetime-local` wants it, and the zone to select. An RFC 3339 value is
/// shown in the zone the link names, else at its own offset; a value the
/// form cannot show is left as it came, for the form's own checks to explain.
pub fn prefill(datetime: &str, time_zone: &str, utc_offset: &str) -> (String, String) {
    let zone_text = if time_zone.trim().is_empty() {
        utc_offset
    } else {
        time_zone
    };
    let zone = Zone::parse(zone_text);
    let zone_name = zone
        .as_ref()
        .map_or_else(String::new, |z| z.name().to_string());
    let Ok(at) = OffsetDateTime::parse(datetime.trim(), &Rfc3339) else {
        return (datetime.to_string(), zone_name);
    };
    if let Some(zone) = &zone
        && let Some((local, _)) = zone.wall_clock(at)
    {
        return (form_value(local), zone.name().to_string());
    }
    match Zone::fixed(at.offset()) {
        Some(own) => (
            form_value(PrimitiveDateTime::new(at.date(), at.time())),
            own.name().to_string(),
        ),
        None => (datetime.to_string(), zone_name),
    }
}

/// `2026-03-14T09:26`, the `datetime-local` format.
fn form_value(local: PrimitiveDateTime) -> String {
    local_text(local).replacen(' ', "T", 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2026-11-26 12:00 UTC);

    fn at(datetime: &str, zone: &str) -> Result<OffsetDateTime, TimeProblem> {
        parse_occurred_at(datetime, zone, "", NOW).map(|o| o.at)
    }

    #[test]
    fn local_time_in_a_place_is_stored_as_utc_with_the_zone() {
        let o = parse_occurred_at("2026-11-26T10:15", "Europe/Berlin", "", NOW).unwrap();
        assert_eq!(o.at, datetime!(2026-11-26 09:15 UTC));
        assert_eq!(o.zone.name(), "Europe/Berlin");
        // Summer time is the zone's business, not the person's.
        assert_eq!(
            at("2026-07-01T10:15", "Europe/Berlin").unwrap(),
            datetime!(2026-07-01 08:15 UTC)
        );
    }

    #[test]
    fn the_older_utc_offset_still_works() {
        let o = parse_occurred_at("2026-11-26T10:15", "", "+01:00", NOW).unwrap();
        assert_eq!(o.at, datetime!(2026-11-26 09:15 UTC));
        assert_eq!(o.zone.name(), "UTC+01:00");
        let o = parse_occurred_at("2026-11-26 04:15:30", "", "-05:30", NOW).unwrap();
        assert_eq!(o.at, datetime!(2026-11-26 09:45:30 UTC));
        // A named zone wins over the offset.
        let o = parse_occurred_at("2026-11-26T10:15", "Asia/Tokyo", "+01:00", NOW).unwrap();
        assert_eq!(o.at, datetime!(2026-11-26 01:15 UTC));
    }

    #[test]
    fn rfc3339_brings_its_own_offset() {
        let o = parse_occurred_at("2026-11-26T10:15:00+02:00", "", "", NOW).unwrap();
        assert_eq!(o.at, datetime!(2026-11-26 08:15 UTC));
        assert_eq!(o.zone.name(), "UTC+02:00");
        let o = parse_occurred_at("2026-11-26T10:15:00Z", "Europe/Paris", "", NOW).unwrap();
        assert_eq!(o.at, datetime!(2026-11-26 10:15 UTC));
        assert_eq!(o.zone.name(), "Europe/Paris");
    }

    #[test]
    fn required_and_well_formed() {
        assert!(
            at("  ", "UTC")
                .unwrap_err()
                .message
                .contains("Enter the date")
        );
        assert!(
            at("yesterday", "UTC")
                .unwrap_err()
                .message
                .contains("YYYY-MM-DD")
        );
        assert!(at("2026-02-30T10:00", "UTC").is_err());
    }

    #[test]
    fn local_time_needs_a_known_time_zone() {
        let err = at("2026-11-26T10:15", "").unwrap_err();
        assert_eq!(err.field, "time_zone");
        assert!(err.message.contains("time zone"));
        let err = at("2026-11-26T10:15", "Mars/Olympus").unwrap_err();
        assert_eq!(err.field, "time_zone");
        assert!(
            at("2026-11-26T10:15", "CET").is_ok(),
            "CET is in the database"
        );
        assert!(at("2026-11-26T10:15", "utc").is_ok());
        assert_eq!(
            parse_occurred_at("2026-11-26T10:15", "", "+99:00", NOW)
                .unwrap_err()
                .field,
            "time_zone"
        );
    }

    #[test]
    fn a_skipped_local_time_is_refused_naming_both_offsets() {
        let err = at("2026-03-29T02:30", "Europe/Berlin").unwrap_err();
        assert_eq!(err.field, "occurred_at");
        assert!(
            err.message
                .contains("2026-03-29 02:30 did not happen in Europe/Berlin")
        );
        assert!(err.message.contains("UTC+01:00") && err.message.contains("UTC+02:00"));
        // Choosing one of the offsets named resolves it.
        assert!(at("2026-03-29T02:30", "UTC+01:00").is_ok());
    }

    #[test]
    fn a_repeated_local_time_is_refused_naming_both_offsets() {
        let err = at("2026-11-01T01:30", "America/New_York").unwrap_err();
        assert_eq!(err.field, "occurred_at");
        assert!(err.message.contains("happened twice in America/New_York"));
        assert!(err.message.contains("UTC-04:00") && err.message.contains("UTC-05:00"));
        assert_eq!(
            at("2026-11-01T01:30", "UTC-04:00").unwrap(),
            datetime!(2026-11-01 05:30 UTC)
        );
    }

    #[test]
    fn at_most_five_minutes_ahead() {
        assert!(at("2026-11-26T12:05", "UTC").is_ok());
        let err = at("2026-11-26T12:06", "UTC").unwrap_err();
        assert_eq!(err.field, "occurred_at");
        assert!(err.message.contains("future"));
        // Right local time, wrong zone: 12:30 in New York is 17:30 UTC.
        assert!(at("2026-11-26T12:30", "America/New_York").is_err());
    }

    #[test]
    fn rejects_implausibly_old_dates() {
        assert!(
            at("1999-12-31T23:00", "UTC")
                .unwrap_err()
                .message
                .contains("year")
        );
    }

    /// Issue 6, item 11: the extremes of every input are a field error.
    #[test]
    fn extreme_values_are_field_errors_never_panics() {
        let future = [
            ("9999-12-31T23:59", "UTC-12:00"),
            ("9999-12-31T23:59", "UTC+14:00"),
            ("9999-12-31T23:59", "Pacific/Kiritimati"),
            ("9999-12-31T23:59", "Etc/GMT+12"),
            ("9999-12-31T23:59:59-12:00", ""),
            ("9999-12-31T23:59:59+23:59", ""),
            ("9999-12-31T23:59:59Z", "UTC-12:00"),
        ];
        for (datetime, zone) in future {
            let err = at(datetime, zone).unwrap_err();
            assert!(err.message.contains("future"), "{datetime} {zone}: {err:?}");
        }
        let past = [
            ("0000-01-01T00:00", "UTC+14:00"),
            ("0000-01-01T00:00", "UTC-12:00"),
            ("-0001-01-01T00:00", "UTC"),
            ("-9999-01-01T00:00", "UTC+14:00"),
            ("0000-01-01T00:00:00+14:00", ""),
            ("0000-01-01T00:00:00-23:59", ""),
        ];
        for (datetime, zone) in past {
            let result = at(datetime, zone);
            assert!(result.is_err(), "{datetime} {zone}: {result:?}");
        }
        for offset in ["+99:00", "-99:99", "+2147483647:00", "+14:01", "-12:01"] {
            let err = parse_occurred_at("2026-11-26T10:00", "", offset, NOW).unwrap_err();
            assert_eq!(err.field, "time_zone", "{offset}");
        }
        assert!(at("99999-01-01T00:00", "UTC").is_err());
        assert!(at("2026-11-26T10:00", &"Europe/".repeat(1000)).is_err());
    }

    #[test]
    fn prefill_shows_a_deep_link_in_the_zone_it_names() {
        assert_eq!(
            prefill("2026-03-14T09:26:00-03:30", "", ""),
            ("2026-03-14T09:26".into(), "UTC-03:30".into())
        );
        assert_eq!(
            prefill("2026-03-14T09:26:00Z", "Europe/Berlin", ""),
            ("2026-03-14T10:26".into(), "Europe/Berlin".into())
        );
        assert_eq!(
            prefill("2026-03-14T09:26", "", "+05:30"),
            ("2026-03-14T09:26".into(), "UTC+05:30".into())
        );
        assert_eq!(
            prefill("2026-03-14T09:26", "asia/calcutta", ""),
            ("2026-03-14T09:26".into(), "Asia/Kolkata".into())
        );
        assert_eq!(
            prefill("2026-03-14T09:26", "Nowhere/Special", ""),
            ("2026-03-14T09:26".into(), String::new())
        );
        // Extremes are handed on untouched, for the form's checks to explain.
        assert_eq!(
            prefill("9999-12-31T23:59:59-12:00", "Pacific/Kiritimati", ""),
            ("9999-12-31T23:59".into(), "UTC-12:00".into())
        );
        assert_eq!(
            prefill("9999-12-31T23:59:59+23:00", "", "").0,
            "9999-12-31T23:59:59+23:00"
        );
    }
}
