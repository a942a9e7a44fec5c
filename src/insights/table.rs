//! Every figure of the page as a table: the page renders these beside its
//! charts, and the CSV download of each is the same table, so the two can
//! never disagree.

use time::OffsetDateTime;

use super::range::{day_label, day_text};
use super::{AGE_LABELS, BusyProblem, CodeFunnel, Histogram, ResponseTimes, Weekly};
use crate::tickets::export::csv_line;
use crate::tickets::{Priority, ResponseTargets, grouped, reference_for};

/// One cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell {
    Text(String),
    /// A link on the page; its text in the CSV.
    Link {
        text: String,
        href: String,
    },
    /// A count: grouped by thousands on the page, plain in the CSV.
    Count(i64),
    /// A whole percentage; `None` where there is nothing to divide.
    Percent(Option<i64>),
    /// No figure (a median of nothing): a dash on the page, empty in the CSV.
    Missing,
}

impl Cell {
    /// As the page shows it.
    pub fn display(&self) -> String {
        match self {
            Self::Text(text) | Self::Link { text, .. } => text.clone(),
            Self::Count(n) if *n < 0 => format!("−{}", grouped(n.unsigned_abs().into())),
            Self::Count(n) => grouped(n.unsigned_abs().into()),
            Self::Percent(Some(p)) => format!("{p}%"),
            Self::Percent(None) | Self::Missing => "–".into(),
        }
    }

    /// As the CSV holds it: plain digits, an empty cell for "none".
    pub fn csv(&self) -> String {
        match self {
            Self::Text(text) | Self::Link { text, .. } => text.clone(),
            Self::Count(n) => n.to_string(),
            Self::Percent(Some(p)) => p.to_string(),
            Self::Percent(None) | Self::Missing => String::new(),
        }
    }

    pub fn href(&self) -> Option<&str> {
        match self {
            Self::Link { href, .. } => Some(href),
            _ => None,
        }
    }

    /// Numbers are right-aligned.
    pub fn is_number(&self) -> bool {
        matches!(self, Self::Count(_) | Self::Percent(_))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    /// The CSV's name: `/staff/insights/{name}.csv`.
    pub name: &'static str,
    pub caption: String,
    pub headers: Vec<String>,
    /// Each row's first cell names it (a row header on the page).
    pub rows: Vec<Vec<Cell>>,
}

impl Table {
    /// The whole table as CSV (RFC 4180, every cell quoted, formulas
    /// neutralised as the ticket export does).
    pub fn to_csv(&self) -> String {
        let mut out = csv_line(&self.headers);
        for row in &self.rows {
            let cells: Vec<String> = row.iter().map(Cell::csv).collect();
            out.push_str(&csv_line(&cells));
        }
        out
    }
}

fn text(s: impl Into<String>) -> Cell {
    Cell::Text(s.into())
}

fn headers(names: &[&str]) -> Vec<String> {
    names.iter().map(|s| s.to_string()).collect()
}

/// The funnel per code.
pub fn funnel(funnels: &[CodeFunnel]) -> Table {
    Table {
        name: "funnel",
        caption: "Walks through the checks, per error code".into(),
        headers: headers(&[
            "Error code",
            "Walks started",
            "Fixed by a check",
            "Ticket filed after the checks",
            "Fixed, of walks started",
        ]),
        rows: funnels
            .iter()
            .map(|f| {
                vec![
                    text(f.code.label()),
                    Cell::Count(f.started),
                    Cell::Count(f.fixed),
                    Cell::Count(f.filed),
                    Cell::Percent(f.fixed_percent()),
                ]
            })
            .collect(),
    }
}

/// The funnel per step.
pub fn steps(funnels: &[CodeFunnel]) -> Table {
    Table {
        name: "steps",
        caption: "Each check: shown, fixed there, or a ticket filed after it".into(),
        headers: headers(&[
            "Error code",
            "Check",
            "Shown",
            "Fixed here",
            "Ticket filed after it",
        ]),
        rows: funnels
            .iter()
            .flat_map(|f| {
                f.steps.iter().map(|s| {
                    let check = match s.number {
                        0 => s.check.clone(),
                        n => format!("{n}. {}", s.check),
                    };
                    vec![
                        text(f.code.label()),
                        text(check),
                        Cell::Count(s.reached),
                        Cell::Count(s.fixed),
                        Cell::Count(s.filed),
                    ]
                })
            })
            .collect(),
    }
}

/// Tickets per code per week, a column a week.
pub fn weekly(weekly: &Weekly) -> Table {
    let mut names = vec!["Error code".to_string()];
    names.extend(
        weekly
            .weeks
            .iter()
            .map(|w| format!("Week of {}", day_label(*w))),
    );
    names.push("Total".into());
    let mut rows: Vec<Vec<Cell>> = weekly
        .codes
        .iter()
        .zip(&weekly.counts)
        .map(|(code, counts)| {
            let mut row = vec![text(code.label())];
            row.extend(counts.iter().map(|n| Cell::Count(*n)));
            row.push(Cell::Count(counts.iter().sum()));
            row
        })
        .collect();
    let mut total = vec![text("All codes")];
    total.extend((0..weekly.weeks.len()).map(|w| Cell::Count(weekly.week_total(w))));
    total.push(Cell::Count(weekly.total()));
    rows.push(total);
    Table {
        name: "weekly",
        caption: "Tickets filed per error code and week".into(),
        headers: names,
        rows,
    }
}

fn band_cell(h: &Histogram, percent: u32) -> Cell {
    h.percentile(percent)
        .map_or(Cell::Missing, |band| text(band.label()))
}

/// First responses per priority, against the targets.
pub fn first_response(times: &ResponseTimes, targets: &ResponseTargets) -> Table {
    Table {
        name: "first-response",
        caption: "Time to first response, per priority".into(),
        headers: headers(&[
            "Priority",
            "Target",
            "Tickets answered",
            "Answered within target",
            "Median",
            "90th percentile",
        ]),
        rows: Priority::ALL
            .iter()
            .map(|p| {
                let h = &times.first_response[p.rank() as usize];
                vec![
                    text(p.label()),
                    text(target_text(targets.for_priority(*p))),
                    Cell::Count(h.total()),
                    Cell::Percent(h.met_percent()),
                    band_cell(h, 50),
                    band_cell(h, 90),
                ]
            })
            .collect(),
    }
}

/// Resolutions per priority.
pub fn resolution(times: &ResponseTimes) -> Table {
    Table {
        name: "resolution",
        caption: "Time to resolution, per priority".into(),
        headers: headers(&["Priority", "Tickets resolved", "Median", "90th percentile"]),
        rows: Priority::ALL
            .iter()
            .map(|p| {
                let h = &times.resolution[p.rank() as usize];
                vec![
                    text(p.label()),
                    Cell::Count(h.total()),
                    band_cell(h, 50),
                    band_cell(h, 90),
                ]
            })
            .collect(),
    }
}

/// "1 h", "90 min", "3 days": a target as configured.
pub fn target_text(target: time::Duration) -> String {
    let minutes = target.whole_minutes();
    if minutes % (24 * 60) == 0 {
        let days = minutes / (24 * 60);
        format!("{days} {}", if days == 1 { "day" } else { "days" })
    } else if minutes % 60 == 0 {
        format!("{} h", minutes / 60)
    } else {
        format!("{minutes} min")
    }
}

/// Open tickets by age, now.
pub fn open(counts: &[i64]) -> Table {
    Table {
        name: "open",
        caption: "Open tickets by age".into(),
        headers: headers(&["Age", "Open tickets"]),
        rows: AGE_LABELS
            .iter()
            .zip(counts)
            .map(|(label, n)| vec![text(*label), Cell::Count(*n)])
            .collect(),
    }
}

/// The busiest problems of the range.
pub fn problems(problems: &[BusyProblem]) -> Table {
    Table {
        name: "problems",
        caption: "Busiest problems".into(),
        headers: headers(&[
            "Lead ticket",
            "Error code",
            "Request",
            "Tickets in range",
            "Tickets in all",
            "Last seen (UTC)",
        ]),
        rows: problems
            .iter()
            .map(|p| {
                let request = match &p.method {
                    Some(method) => format!("{method} {}", p.endpoint),
                    None => p.endpoint.clone(),
                };
                vec![
                    Cell::Link {
                        text: reference_for(p.lead_ticket_id),
                        href: format!("/staff/tickets/{}", p.lead_ticket_id),
                    },
                    text(p.code.label()),
                    text(request),
                    Cell::Count(p.in_range),
                    Cell::Count(p.occurrences),
                    text(time_text(p.last_seen)),
                ]
            })
            .collect(),
    }
}

/// "2026-03-02 14:05", UTC.
fn time_text(at: OffsetDateTime) -> String {
    let at = at.to_offset(time::UtcOffset::UTC);
    format!(
        "{} {:02}:{:02}",
        day_text(at.date()),
        at.hour(),
        at.minute()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::Duration;

    #[test]
    fn cells_show_grouped_counts_and_export_plain_ones() {
        assert_eq!(Cell::Count(1_234_567).display(), "1,234,567");
        assert_eq!(Cell::Count(1_234_567).csv(), "1234567");
        assert_eq!(Cell::Count(-3).display(), "−3");
        assert_eq!(Cell::Percent(Some(5)).display(), "5%");
        assert_eq!(Cell::Percent(None).display(), "–");
        assert_eq!(Cell::Percent(None).csv(), "");
    }

    #[test]
    fn csv_cells_that_look_like_formulas_are_made_text() {
        let table = Table {
            name: "problems",
            caption: String::new(),
            headers: headers(&["Request", "Tickets"]),
            rows: vec![vec![
                text("=HYPERLINK(\"http://evil.example\")"),
                Cell::Count(2),
            ]],
        };
        assert_eq!(
            table.to_csv(),
            "\"Request\",\"Tickets\"\r\n\"'=HYPERLINK(\"\"http://evil.example\"\")\",\"2\"\r\n"
        );
    }

    #[test]
    fn targets_read_in_their_largest_whole_unit() {
        assert_eq!(target_text(Duration::hours(1)), "1 h");
        assert_eq!(target_text(Duration::minutes(90)), "90 min");
        assert_eq!(target_text(Duration::days(1)), "1 day");
        assert_eq!(target_text(Duration::days(3)), "3 days");
    }
}
