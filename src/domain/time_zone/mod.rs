//! A time zone as people choose it: by place (an IANA name such as
//! `Europe/Berlin`) or, when all they know is what a log printed, by a fixed
//! offset such as `UTC+05:30`.
//!
//! The time-zone rules come from the IANA database compiled into the binary
//! (jiff's bundled copy), never from the host's `/usr/share/zoneinfo`: the
//! same ticket reads the same on every machine, containers without tzdata
//! included. The rest of the app speaks `time`; conversion happens here.

use std::sync::LazyLock;

use jiff::Timestamp;
use jiff::civil::DateTime;
use jiff::tz::{AmbiguousOffset, Offset, TimeZone, TimeZoneDatabase};
use time::{OffsetDateTime, PrimitiveDateTime, UtcOffset};

/// The embedded database, opened once.
static DATABASE: LazyLock<TimeZoneDatabase> = LazyLock::new(TimeZoneDatabase::bundled);

/// Offsets in use anywhere on Earth run from UTC−12 to UTC+14; anything
/// beyond is a typing mistake, not a place.
const MIN_OFFSET_SECONDS: i32 = -12 * 3600;
const MAX_OFFSET_SECONDS: i32 = 14 * 3600;

/// Names longer than this are not in the database; checked before lookup.
const MAX_NAME_LEN: usize = 64;

#[derive(Debug, Clone)]
pub struct Zone {
    /// What is stored and sent back in forms: an IANA name, `UTC`, or
    /// `UTC+05:30`.
    name: String,
    tz: TimeZone,
}

impl PartialEq for Zone {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

impl Eq for Zone {}

/// How a local date and time reads in a zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LocalTime {
    /// Exactly one instant.
    Exact(OffsetDateTime),
    /// The clocks skipped this time (spring forward): it never happened.
    Skipped { before: UtcOffset, after: UtcOffset },
    /// The clocks went back over this time (fall back): it happened twice.
    Repeated { first: UtcOffset, second: UtcOffset },
    /// Outside the range of dates the app can represent.
    OutOfRange,
}

impl Zone {
    pub fn utc() -> Self {
        Self {
            name: "UTC".into(),
            tz: TimeZone::UTC,
        }
    }

    /// An IANA name (any case, canonical spelling kept), `UTC`/`Z`, or a
    /// fixed offset written `UTC+05:30` or `+05:30` (the deep links'
    /// `utc_offset`).
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        if text.is_empty() || text.len() > MAX_NAME_LEN {
            return None;
        }
        if text.eq_ignore_ascii_case("utc") || text.eq_ignore_ascii_case("z") {
            return Some(Self::utc());
        }
        let bare = text
            .strip_prefix("UTC")
            .or_else(|| text.strip_prefix("utc"))
            .unwrap_or(text);
        if bare.starts_with('+') || bare.starts_with('-') {
            return parse_offset(bare).and_then(Self::fixed);
        }
        let named = text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"/_-+".contains(&b));
        if !named {
            return None;
        }
        let tz = DATABASE.get(text).ok()?;
        // Old names (`Asia/Calcutta`) are stored under today's name.
        let name = tz.primary_iana_name().or(tz.iana_name())?.to_string();
        Some(Self { name, tz })
    }

    /// A fixed offset, if it is one in use somewhere (−12:00 to +14:00).
    pub fn fixed(offset: UtcOffset) -> Option<Self> {
        let seconds = offset.whole_seconds();
        if !(MIN_OFFSET_SECONDS..=MAX_OFFSET_SECONDS).contains(&seconds) {
            return None;
        }
        if seconds == 0 {
            return Some(Self::utc());
        }
        let tz = TimeZone::fixed(Offset::from_seconds(seconds).ok()?);
        Some(Self {
            name: format!("UTC{}", format_offset(offset)),
            tz,
        })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// How a sentence names the zone: "New York time (America/New_York)",
    /// "UTC+05:30", "UTC".
    pub fn label(&self) -> String {
        if self.is_fixed() {
            return self.name.clone();
        }
        match self.name.rsplit_once('/') {
            Some((_, city)) => format!("{} time ({})", city.replace('_', " "), self.name),
            None => self.name.clone(),
        }
    }

    /// Whether this is a fixed offset rather than a place.
    pub fn is_fixed(&self) -> bool {
        self.name.starts_with("UTC")
    }

    /// The instant a local date and time names in this zone; a time the
    /// clocks skipped or repeated is reported, never guessed.
    pub fn resolve(&self, local: PrimitiveDateTime) -> LocalTime {
        let Some(civil) = to_civil(local) else {
            return LocalTime::OutOfRange;
        };
        let ambiguous = self.tz.to_ambiguous_timestamp(civil);
        match ambiguous.offset() {
            AmbiguousOffset::Unambiguous { offset } => {
                let Some(offset) = to_utc_offset(offset) else {
                    return LocalTime::OutOfRange;
                };
                local
                    .assume_offset(offset)
                    .checked_to_offset(UtcOffset::UTC)
                    .map_or(LocalTime::OutOfRange, LocalTime::Exact)
            }
            AmbiguousOffset::Gap { before, after } => {
                match (to_utc_offset(before), to_utc_offset(after)) {
                    (Some(before), Some(after)) => LocalTime::Skipped { before, after },
                    _ => LocalTime::OutOfRange,
                }
            }
            AmbiguousOffset::Fold { before, after } => {
                match (to_utc_offset(before), to_utc_offset(after)) {
                    (Some(first), Some(second)) => LocalTime::Repeated { first, second },
                    _ => LocalTime::OutOfRange,
                }
            }
        }
    }

    /// The wall-clock time of an instant in this zone and the zone's
    /// abbreviation then ("CET", "UTC", or "UTC+05:45" where the database
    /// has no letters for it). `None` only for instants outside the range.
    pub fn wall_clock(&self, at: OffsetDateTime) -> Option<(PrimitiveDateTime, String)> {
        let timestamp = Timestamp::from_second(at.unix_timestamp()).ok()?;
        let info = self.tz.to_offset_info(timestamp);
        let offset = to_utc_offset(info.offset())?;
        let local = at.checked_to_offset(offset)?;
        let abbreviation = info.abbreviation();
        let label = if self.is_fixed() {
            self.name.clone()
        } else if abbreviation.starts_with(['+', '-']) || abbreviation.is_empty() {
            format!("UTC{}", format_offset(offset))
        } else {
            abbreviation.to_string()
        };
        Some((PrimitiveDateTime::new(local.date(), local.time()), label))
    }
}

impl std::fmt::Display for Zone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.name)
    }
}

fn to_civil(local: PrimitiveDateTime) -> Option<DateTime> {
    DateTime::new(
        i16::try_from(local.year()).ok()?,
        i8::try_from(u8::from(local.month())).ok()?,
        i8::try_from(local.day()).ok()?,
        i8::try_from(local.hour()).ok()?,
        i8::try_from(local.minute()).ok()?,
        i8::try_from(local.second()).ok()?,
        0,
    )
    .ok()
}

fn to_utc_offset(offset: Offset) -> Option<UtcOffset> {
    UtcOffset::from_whole_seconds(offset.seconds()).ok()
}

/// `+01:00`, `-05:30`.
pub fn parse_offset(text: &str) -> Option<UtcOffset> {
    let text = text.trim();
    let sign = match text.as_bytes().first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let (hours, minutes) = text[1..].split_once(':')?;
    let two_digits = |s: &str| s.len() == 2 && s.bytes().all(|b| b.is_ascii_digit());
    if !two_digits(hours) || !two_digits(minutes) {
        return None;
    }
    let hours: i32 = hours.parse().ok()?;
    let minutes: i32 = minutes.parse().ok()?;
    if minutes >= 60 {
        return None;
    }
    let seconds = sign * (hours * 3600 + minutes * 60);
    if !(MIN_OFFSET_SECONDS..=MAX_OFFSET_SECONDS).contains(&seconds) {
        return None;
    }
    UtcOffset::from_whole_seconds(seconds).ok()
}

/// `+01:00`, `-05:30`, `+00:00`.
pub fn format_offset(offset: UtcOffset) -> String {
    let (h, m, _) = offset.as_hms();
    let sign = if h < 0 || m < 0 { '-' } else { '+' };
    format!("{sign}{:02}:{:02}", h.abs(), m.abs())
}

/// One place in the time-zone list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZoneChoice {
    /// The primary IANA name, the value the form sends.
    pub name: String,
    /// "Buenos Aires (Argentina)": what people look for first.
    pub label: String,
    /// Older names for the same place that browsers may still report
    /// (`Asia/Calcutta` for `Asia/Kolkata`), space-separated.
    pub aliases: String,
}

/// A region of the list, as one `<optgroup>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZoneGroup {
    pub label: &'static str,
    pub zones: Vec<ZoneChoice>,
}

/// The regions in the order they are listed, with the label people read.
const REGIONS: [(&str, &str); 10] = [
    ("Africa", "Africa"),
    ("America", "Americas"),
    ("Antarctica", "Antarctica"),
    ("Arctic", "Arctic"),
    ("Asia", "Asia"),
    ("Atlantic", "Atlantic Ocean"),
    ("Australia", "Australia"),
    ("Europe", "Europe"),
    ("Indian", "Indian Ocean"),
    ("Pacific", "Pacific Ocean"),
];

/// Every place in the embedded database, grouped by region and sorted by
/// city, each under its current (primary) name only; built once.
pub fn zone_groups() -> &'static [ZoneGroup] {
    static GROUPS: LazyLock<Vec<ZoneGroup>> = LazyLock::new(build_groups);
    &GROUPS
}

fn build_groups() -> Vec<ZoneGroup> {
    let mut names: Vec<String> = DATABASE
        .available()
        .map(|name| name.as_str().to_string())
        .collect();
    names.sort();
    let mut groups: Vec<ZoneGroup> = REGIONS
        .iter()
        .map(|(_, label)| ZoneGroup {
            label,
            zones: Vec::new(),
        })
        .collect();
    let mut aliases: Vec<(String, String)> = Vec::new();
    for name in &names {
        let Ok(tz) = DATABASE.get(name) else { continue };
        let Some(primary) = tz.primary_iana_name() else {
            continue;
        };
        if primary != name {
            aliases.push((primary.to_string(), name.clone()));
            continue;
        }
        let Some((region, place)) = primary.split_once('/') else {
            continue;
        };
        let Some(index) = REGIONS.iter().position(|(r, _)| *r == region) else {
            continue;
        };
        groups[index].zones.push(ZoneChoice {
            name: primary.to_string(),
            label: place_label(place),
            aliases: String::new(),
        });
    }
    for group in &mut groups {
        for zone in &mut group.zones {
            let mut own: Vec<&str> = aliases
                .iter()
                .filter(|(primary, _)| *primary == zone.name)
                .map(|(_, alias)| alias.as_str())
                .collect();
            own.sort_unstable();
            zone.aliases = own.join(" ");
        }
        group.zones.sort_by(|a, b| a.label.cmp(&b.label));
    }
    groups.retain(|g| !g.zones.is_empty());
    groups
}

/// `Argentina/Buenos_Aires` → "Buenos Aires (Argentina)".
fn place_label(place: &str) -> String {
    let mut parts: Vec<String> = place.split('/').map(|p| p.replace('_', " ")).collect();
    let city = parts.pop().unwrap_or_default();
    if parts.is_empty() {
        city
    } else {
        format!("{city} ({})", parts.join(", "))
    }
}

/// Fixed offsets offered after the places, for a log that printed only an
/// offset and for choosing between the two readings of a repeated hour.
pub const FIXED_OFFSETS: [&str; 38] = [
    "UTC-12:00",
    "UTC-11:00",
    "UTC-10:00",
    "UTC-09:30",
    "UTC-09:00",
    "UTC-08:00",
    "UTC-07:00",
    "UTC-06:00",
    "UTC-05:00",
    "UTC-04:00",
    "UTC-03:30",
    "UTC-03:00",
    "UTC-02:00",
    "UTC-01:00",
    "UTC",
    "UTC+01:00",
    "UTC+02:00",
    "UTC+03:00",
    "UTC+03:30",
    "UTC+04:00",
    "UTC+04:30",
    "UTC+05:00",
    "UTC+05:30",
    "UTC+05:45",
    "UTC+06:00",
    "UTC+06:30",
    "UTC+07:00",
    "UTC+08:00",
    "UTC+08:45",
    "UTC+09:00",
    "UTC+09:30",
    "UTC+10:00",
    "UTC+10:30",
    "UTC+11:00",
    "UTC+12:00",
    "UTC+12:45",
    "UTC+13:00",
    "UTC+14:00",
];

#[cfg(test)]
mod tests;
