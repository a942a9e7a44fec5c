//! The days a page of insights covers: from and to, both included, UTC
//! days, as typed (`YYYY-MM-DD`) or from a preset.

use time::macros::format_description;
use time::{Date, Duration};

use crate::tickets::FieldErrors;

/// The longest range: a year and a day, so a leap year fits.
pub const MAX_DAYS: i64 = 366;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateRange {
    pub from: Date,
    pub to: Date,
}

/// The ranges offered as links.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Preset {
    /// Today and the six days before it.
    Last7Days,
    /// Monday to Sunday of the week before this one.
    LastWeek,
    /// Today and the 29 days before it.
    Last30Days,
}

impl Preset {
    pub const ALL: [Preset; 3] = [Self::Last7Days, Self::LastWeek, Self::Last30Days];

    /// What the page shows when no range is asked for.
    pub const DEFAULT: Preset = Self::Last30Days;

    pub fn label(self) -> &'static str {
        match self {
            Self::Last7Days => "Last 7 days",
            Self::LastWeek => "Last week",
            Self::Last30Days => "Last 30 days",
        }
    }

    pub fn range(self, today: Date) -> DateRange {
        match self {
            Self::Last7Days => DateRange {
                from: today - Duration::days(6),
                to: today,
            },
            Self::LastWeek => {
                let this_monday = super::week_start(today);
                DateRange {
                    from: this_monday - Duration::weeks(1),
                    to: this_monday - Duration::days(1),
                }
            }
            Self::Last30Days => DateRange {
                from: today - Duration::days(29),
                to: today,
            },
        }
    }
}

impl DateRange {
    /// Reads a range as typed: both empty is the default preset; an empty
    /// `to` is today; an empty `from` is 29 days before `to`. Mistakes are
    /// named per field, with the text kept by the caller.
    pub fn read(from: &str, to: &str, today: Date) -> Result<Self, FieldErrors> {
        let (from, to) = (from.trim(), to.trim());
        if from.is_empty() && to.is_empty() {
            return Ok(Preset::DEFAULT.range(today));
        }
        let mut errors = FieldErrors::default();
        let to_date = match to {
            "" => Some(today),
            text => parse_day(text).or_else(|| {
                errors.add("to", "Enter the end date as YYYY-MM-DD, e.g. 2026-03-31.");
                None
            }),
        };
        let from_date = match from {
            "" => to_date.map(|to| to - Duration::days(29)),
            text => parse_day(text).or_else(|| {
                errors.add(
                    "from",
                    "Enter the start date as YYYY-MM-DD, e.g. 2026-03-01.",
                );
                None
            }),
        };
        if let (Some(from), Some(to)) = (from_date, to_date) {
            let range = Self { from, to };
            if to < from {
                errors.add("to", "The end date is before the start date.");
            } else if range.days() > MAX_DAYS {
                errors.add(
                    "to",
                    format!(
                        "Choose at most {MAX_DAYS} days; this range has {}.",
                        range.days()
                    ),
                );
            } else {
                return Ok(range);
            }
        }
        Err(errors)
    }

    /// How many days it covers.
    pub fn days(&self) -> i64 {
        (self.to - self.from).whole_days() + 1
    }

    pub fn contains(&self, day: Date) -> bool {
        self.from <= day && day <= self.to
    }

    /// The preset it is, if any (for marking the preset's link).
    pub fn preset(&self, today: Date) -> Option<Preset> {
        Preset::ALL.into_iter().find(|p| p.range(today) == *self)
    }
}

/// `YYYY-MM-DD`, as the stored tallies' days and the date inputs write it.
pub fn day_text(day: Date) -> String {
    day.format(format_description!("[year]-[month]-[day]"))
        .expect("a date formats")
}

pub fn parse_day(text: &str) -> Option<Date> {
    Date::parse(text, format_description!("[year]-[month]-[day]")).ok()
}

/// "2 Mar 2026", for headings and captions.
pub fn day_label(day: Date) -> String {
    day.format(format_description!(
        "[day padding:none] [month repr:short] [year]"
    ))
    .expect("a date formats")
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    // A Wednesday.
    const TODAY: Date = date!(2026 - 03 - 18);

    #[test]
    fn presets_end_today_or_cover_last_week() {
        let range = |p: Preset| p.range(TODAY);
        assert_eq!(
            range(Preset::Last7Days),
            DateRange {
                from: date!(2026 - 03 - 12),
                to: TODAY
            }
        );
        assert_eq!(
            range(Preset::LastWeek),
            DateRange {
                from: date!(2026 - 03 - 09),
                to: date!(2026 - 03 - 15)
            }
        );
        assert_eq!(range(Preset::Last30Days).days(), 30);
        assert_eq!(range(Preset::LastWeek).days(), 7);
        assert_eq!(
            range(Preset::LastWeek).preset(TODAY),
            Some(Preset::LastWeek)
        );
    }

    #[test]
    fn a_typed_range_is_read_with_its_gaps_filled() {
        assert_eq!(
            DateRange::read("", "", TODAY).unwrap(),
            Preset::Last30Days.range(TODAY)
        );
        assert_eq!(
            DateRange::read("2026-03-01", "", TODAY).unwrap(),
            DateRange {
                from: date!(2026 - 03 - 01),
                to: TODAY
            }
        );
        assert_eq!(
            DateRange::read(" ", "2026-02-28", TODAY).unwrap(),
            DateRange {
                from: date!(2026 - 01 - 30),
                to: date!(2026 - 02 - 28)
            }
        );
        assert_eq!(
            DateRange::read("2026-03-05", "2026-03-05", TODAY)
                .unwrap()
                .days(),
            1
        );
    }

    #[test]
    fn mistakes_are_named_per_field() {
        let errors = DateRange::read("March", "2026-13-01", TODAY).unwrap_err();
        assert!(errors.get("from").unwrap().contains("YYYY-MM-DD"));
        assert!(errors.get("to").unwrap().contains("YYYY-MM-DD"));
        let errors = DateRange::read("2026-03-05", "2026-03-04", TODAY).unwrap_err();
        assert_eq!(
            errors.get("to"),
            Some("The end date is before the start date.")
        );
        let errors = DateRange::read("2024-01-01", "2026-01-01", TODAY).unwrap_err();
        assert_eq!(
            errors.get("to"),
            Some("Choose at most 366 days; this range has 732.")
        );
    }

    #[test]
    fn days_read_and_write_as_iso_dates() {
        assert_eq!(day_text(date!(2026 - 03 - 02)), "2026-03-02");
        assert_eq!(parse_day("2026-03-02"), Some(date!(2026 - 03 - 02)));
        assert_eq!(day_label(date!(2026 - 03 - 02)), "2 Mar 2026");
    }
}
