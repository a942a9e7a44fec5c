use super::*;
use time::macros::{datetime, offset};

#[test]
fn names_are_canonical_and_case_insensitive() {
    assert_eq!(
        Zone::parse("europe/BERLIN").unwrap().name(),
        "Europe/Berlin"
    );
    assert_eq!(Zone::parse(" utc ").unwrap().name(), "UTC");
    assert_eq!(Zone::parse("Z").unwrap(), Zone::utc());
    assert!(Zone::parse("Mars/Olympus_Mons").is_none());
    assert!(Zone::parse("../../etc/passwd").is_none());
    assert!(Zone::parse(&"A".repeat(500)).is_none());
    assert!(Zone::parse("").is_none());
}

#[test]
fn fixed_offsets_read_both_ways_and_stay_on_earth() {
    assert_eq!(Zone::parse("+05:30").unwrap().name(), "UTC+05:30");
    assert_eq!(Zone::parse("UTC-03:30").unwrap().name(), "UTC-03:30");
    assert_eq!(Zone::parse("+00:00").unwrap(), Zone::utc());
    for text in FIXED_OFFSETS {
        assert_eq!(Zone::parse(text).unwrap().name(), text);
    }
    for bad in [
        "+14:30", "-12:30", "+99:00", "+23:59", "+1:00", "+01:60", "UTC+", "--01:00",
    ] {
        assert!(Zone::parse(bad).is_none(), "{bad}");
    }
}

#[test]
fn resolves_ordinary_skipped_and_repeated_times() {
    let berlin = Zone::parse("Europe/Berlin").unwrap();
    assert_eq!(
        berlin.resolve(datetime!(2026-01-15 10:00)),
        LocalTime::Exact(datetime!(2026-01-15 09:00 UTC))
    );
    assert_eq!(
        berlin.resolve(datetime!(2026-03-29 02:30)),
        LocalTime::Skipped {
            before: offset!(+1),
            after: offset!(+2)
        }
    );
    assert_eq!(
        berlin.resolve(datetime!(2026-10-25 02:30)),
        LocalTime::Repeated {
            first: offset!(+2),
            second: offset!(+1)
        }
    );
}

#[test]
fn extreme_dates_are_out_of_range_not_a_panic() {
    let west = Zone::parse("UTC-12:00").unwrap();
    let east = Zone::parse("UTC+14:00").unwrap();
    let kiritimati = Zone::parse("Pacific/Kiritimati").unwrap();
    let late = datetime!(9999-12-31 23:59);
    assert_eq!(west.resolve(late), LocalTime::OutOfRange);
    assert!(matches!(east.resolve(late), LocalTime::Exact(_)));
    assert!(matches!(
        kiritimati.resolve(datetime!(-9999-01-01 00:00)),
        LocalTime::OutOfRange | LocalTime::Exact(_)
    ));
    assert!(east.wall_clock(datetime!(9999-12-31 23:59 UTC)).is_none());
}

#[test]
fn labels_read_as_a_place() {
    let label = |name| Zone::parse(name).unwrap().label();
    assert_eq!(
        label("America/New_York"),
        "New York time (America/New_York)"
    );
    assert_eq!(label("UTC+05:30"), "UTC+05:30");
    assert_eq!(label("utc"), "UTC");
}

#[test]
fn wall_clock_names_the_zone_abbreviation() {
    let berlin = Zone::parse("Europe/Berlin").unwrap();
    let (local, label) = berlin.wall_clock(datetime!(2026-07-01 10:00 UTC)).unwrap();
    assert_eq!(local, datetime!(2026-07-01 12:00));
    assert_eq!(label, "CEST");
    let kathmandu = Zone::parse("Asia/Kathmandu").unwrap();
    let (local, label) = kathmandu
        .wall_clock(datetime!(2026-07-01 10:00 UTC))
        .unwrap();
    assert_eq!(local, datetime!(2026-07-01 15:45));
    assert_eq!(label, "UTC+05:45");
    let fixed = Zone::parse("UTC-03:30").unwrap();
    assert_eq!(
        fixed.wall_clock(datetime!(2026-07-01 10:00 UTC)).unwrap().1,
        "UTC-03:30"
    );
}

#[test]
fn the_list_is_grouped_sorted_and_knows_old_names() {
    let groups = zone_groups();
    assert_eq!(groups.first().unwrap().label, "Africa");
    let europe = groups.iter().find(|g| g.label == "Europe").unwrap();
    let labels: Vec<&str> = europe.zones.iter().map(|z| z.label.as_str()).collect();
    let mut sorted = labels.clone();
    sorted.sort_unstable();
    assert_eq!(labels, sorted);
    assert!(
        europe
            .zones
            .iter()
            .any(|z| z.name == "Europe/Berlin" && z.label == "Berlin")
    );
    let asia = groups.iter().find(|g| g.label == "Asia").unwrap();
    let kolkata = asia
        .zones
        .iter()
        .find(|z| z.name == "Asia/Kolkata")
        .unwrap();
    assert!(kolkata.aliases.split(' ').any(|a| a == "Asia/Calcutta"));
    // Old names are not listed twice.
    assert!(!asia.zones.iter().any(|z| z.name == "Asia/Calcutta"));
    let americas = groups.iter().find(|g| g.label == "Americas").unwrap();
    assert!(
        americas
            .zones
            .iter()
            .any(|z| z.label == "Buenos Aires (Argentina)")
    );
}
