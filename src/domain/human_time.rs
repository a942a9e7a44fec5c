//! Instants as people read them, in their own time zone.

use time::OffsetDateTime;
use time::macros::format_description;

use super::Zone;

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
