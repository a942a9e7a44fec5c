//! What the triage queue shows: filters, sort orders and the keyset cursor,
//! parsed from the query string so that every view is a bookmark.

use serde::Deserialize;
use time::Date;
use time::macros::format_description;

use super::{Environment, Priority, TicketStatus};
use crate::domain::ErrorCode;

pub const PAGE_SIZE: i64 = 50;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    /// Overdue first, then priority, then oldest: what to work on next.
    #[default]
    Urgency,
    /// Oldest first.
    Age,
    /// Newest first.
    Newest,
    /// Most recently updated first.
    Updated,
}

impl Sort {
    pub const ALL: [Sort; 4] = [Self::Urgency, Self::Age, Self::Newest, Self::Updated];

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "urgency" | "priority" => Some(Self::Urgency),
            "age" => Some(Self::Age),
            "newest" => Some(Self::Newest),
            "updated" => Some(Self::Updated),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Urgency => "urgency",
            Self::Age => "age",
            Self::Newest => "newest",
            Self::Updated => "updated",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Urgency => "Most urgent first",
            Self::Age => "Oldest first",
            Self::Newest => "Newest first",
            Self::Updated => "Last updated first",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum AssigneeFilter {
    #[default]
    Anyone,
    Me,
    Unassigned,
    Person(i64),
}

/// The view as the query string gives it (see `QueueQuery::read`); unknown
/// values are ignored rather than refused, so an old bookmark still opens.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct QueueQuery {
    pub status: String,
    pub code: String,
    pub priority: String,
    pub assignee: String,
    pub environment: String,
    pub tool: String,
    pub from: String,
    pub to: String,
    pub q: String,
    pub sort: String,
    pub after: String,
    /// The outcome of a bulk action, shown once: "changed,skipped".
    pub bulk: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueFilter {
    /// Empty means every status.
    pub statuses: Vec<TicketStatus>,
    pub code: Option<ErrorCode>,
    pub priority: Option<Priority>,
    pub assignee: AssigneeFilter,
    pub environment: Option<Environment>,
    pub tool: Option<String>,
    pub created_from: Option<Date>,
    /// Inclusive: the whole day.
    pub created_to: Option<Date>,
    pub search: String,
    pub sort: Sort,
    pub after: Option<Cursor>,
}

/// What needs a human: the default view.
pub const NEEDS_A_HUMAN: [TicketStatus; 2] = [TicketStatus::New, TicketStatus::Open];

/// Bounds on what one view may ask for. A query string is typed by anyone
/// who can send a signed-in agent a link, so every value is cut to size
/// before it reaches the database.
pub const MAX_SEARCH_TERMS: usize = 8;
/// Longer words are cut: no error message or identifier needs more to be found.
pub const MAX_TERM_CHARS: usize = 40;
pub const MAX_SEARCH_CHARS: usize = 200;
/// Every other value is a short keyword, a date, an id or a cursor.
const MAX_VALUE_CHARS: usize = 64;
/// Pairs read from one query string; the page's own links use a dozen.
const MAX_PAIRS: usize = 64;

impl QueueQuery {
    /// Reads a view from a raw query string, never failing: repeated keys
    /// (`status` may also be repeated, like a comma list) and unknown keys
    /// are tolerated, control characters are removed, values are cut to
    /// size, duplicates dropped, and values that mean nothing here are left
    /// out. Returns the cleaned view, whose links are then canonical, and a
    /// sentence for each thing that was changed or left out.
    pub fn read(raw: &str) -> (Self, Vec<String>) {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(raw).unwrap_or_default();
        let mut query = Self::default();
        let mut statuses: Vec<String> = Vec::new();
        let mut notes = Vec::new();
        for (key, value) in pairs.into_iter().take(MAX_PAIRS) {
            let slot = match key.as_str() {
                "status" => {
                    statuses.extend(
                        without_controls(&value)
                            .split(',')
                            .map(|s| s.trim().to_string())
                            .filter(|s| !s.is_empty()),
                    );
                    continue;
                }
                "q" => {
                    if query.q.is_empty() {
                        query.q = value;
                    }
                    continue;
                }
                "code" => &mut query.code,
                "priority" => &mut query.priority,
                "assignee" => &mut query.assignee,
                "environment" => &mut query.environment,
                "tool" => &mut query.tool,
                "from" => &mut query.from,
                "to" => &mut query.to,
                "sort" => &mut query.sort,
                "after" => &mut query.after,
                "bulk" => &mut query.bulk,
                _ => continue,
            };
            // The first value wins, as with a single form field.
            if slot.is_empty() {
                *slot = cut(without_controls(&value).trim(), MAX_VALUE_CHARS);
            }
        }
        query.status = status_value(&statuses, &mut notes);
        let search = Search::clean(&query.q);
        notes.extend(search.notes());
        query.q = search.text;
        query.drop_unknown_values(&mut notes);
        (query, notes)
    }

    /// Leaves out values no filter understands, each with a note, so the
    /// page's links never carry them on.
    fn drop_unknown_values(&mut self, notes: &mut Vec<String>) {
        let date = "a date such as 2026-01-31";
        keep_if(
            notes,
            "code",
            &mut self.code,
            "401, 403, 404, 429, 500 or other",
            |v| ErrorCode::parse(v).is_some(),
        );
        keep_if(
            notes,
            "priority",
            &mut self.priority,
            "urgent, high, normal or low",
            |v| Priority::parse(v).is_some(),
        );
        keep_if(
            notes,
            "assignee",
            &mut self.assignee,
            "me, none or a staff member",
            |v| matches!(v, "me" | "none") || v.parse::<i64>().is_ok_and(|id| id > 0),
        );
        keep_if(
            notes,
            "environment",
            &mut self.environment,
            "production, sandbox or unsure",
            |v| Environment::parse(v).is_some(),
        );
        keep_if(
            notes,
            "tool",
            &mut self.tool,
            "one of the tools on the ticket form",
            |v| super::Tool::CHOICES.iter().any(|(tool, _)| *tool == v),
        );
        keep_if(notes, "from", &mut self.from, date, |v| {
            parse_date(v).is_some()
        });
        keep_if(notes, "to", &mut self.to, date, |v| parse_date(v).is_some());
        keep_if(
            notes,
            "sort",
            &mut self.sort,
            "urgency, age, newest or updated",
            |v| Sort::parse(v).is_some(),
        );
        let sort = Sort::parse(&self.sort).unwrap_or_default();
        if !self.after.is_empty() && Cursor::decode(&self.after, sort).is_none() {
            notes.push(
                "Ignored a page link that was not one of ours: showing the first page.".into(),
            );
            self.after.clear();
        }
    }

    pub fn filter(&self) -> QueueFilter {
        let statuses = match self.status.as_str() {
            "" => NEEDS_A_HUMAN.to_vec(),
            "all" => Vec::new(),
            list => {
                let listed: Vec<TicketStatus> =
                    list.split(',').filter_map(TicketStatus::parse).collect();
                // In workflow order, each once: a status listed twice must
                // not show (or export) its tickets twice.
                let statuses: Vec<TicketStatus> = super::STATUSES
                    .into_iter()
                    .filter(|s| listed.contains(s))
                    .collect();
                if statuses.is_empty() {
                    NEEDS_A_HUMAN.to_vec()
                } else {
                    statuses
                }
            }
        };
        let assignee = match self.assignee.as_str() {
            "me" => AssigneeFilter::Me,
            "none" => AssigneeFilter::Unassigned,
            id => id
                .parse()
                .ok()
                .filter(|id| *id > 0)
                .map_or(AssigneeFilter::Anyone, AssigneeFilter::Person),
        };
        let tool = super::Tool::CHOICES
            .iter()
            .find(|(value, _)| *value == self.tool)
            .map(|(value, _)| (*value).to_string());
        let sort = Sort::parse(&self.sort).unwrap_or_default();
        QueueFilter {
            statuses,
            code: ErrorCode::parse(&self.code),
            priority: Priority::parse(&self.priority),
            assignee,
            environment: Environment::parse(&self.environment),
            tool,
            created_from: parse_date(&self.from),
            created_to: parse_date(&self.to),
            search: Search::clean(&self.q).text,
            sort,
            after: Cursor::decode(&self.after, sort),
        }
    }
}

/// Clears a value its filter does not know, and says so.
fn keep_if(
    notes: &mut Vec<String>,
    key: &str,
    value: &mut String,
    expected: &str,
    known: impl Fn(&str) -> bool,
) {
    if !value.is_empty() && !known(value) {
        notes.push(format!("Ignored {key} “{value}”: use {expected}."));
        value.clear();
    }
}

/// The `status` value of a cleaned view: empty (the default), `all`, or
/// known statuses in workflow order, each once.
fn status_value(listed: &[String], notes: &mut Vec<String>) -> String {
    if listed.is_empty() {
        return String::new();
    }
    if listed.iter().any(|s| s == "all") {
        return "all".into();
    }
    let mut unknown: Vec<&str> = listed
        .iter()
        .map(String::as_str)
        .filter(|s| TicketStatus::parse(s).is_none())
        .collect();
    unknown.sort_unstable();
    unknown.dedup();
    if let Some(first) = unknown.first() {
        let first = cut(first, MAX_VALUE_CHARS);
        let more = match unknown.len() {
            1 => String::new(),
            n => format!(" and {} more", n - 1),
        };
        notes.push(format!(
            "Ignored status “{first}”{more}: use new, open, waiting, resolved, closed or all."
        ));
    }
    super::STATUSES
        .into_iter()
        .filter(|s| listed.iter().any(|l| l == s.as_str()))
        .map(TicketStatus::as_str)
        .collect::<Vec<_>>()
        .join(",")
}

/// Control characters (a NUL, a newline) never belong in a filter; they
/// become spaces so that the words on either side stay apart.
fn without_controls(value: &str) -> String {
    value
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

fn cut(value: &str, chars: usize) -> String {
    value.chars().take(chars).collect()
}

/// A search as it is run: words separated by single spaces, control
/// characters removed, and within the bounds above.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Search {
    pub text: String,
    /// Words were left out past `MAX_SEARCH_TERMS` or `MAX_SEARCH_CHARS`.
    pub words_dropped: bool,
    /// Words were cut to `MAX_TERM_CHARS`.
    pub words_cut: bool,
}

impl Search {
    pub fn clean(typed: &str) -> Self {
        let mut search = Self::default();
        let cleaned = without_controls(typed);
        for (kept, word) in cleaned.split_whitespace().enumerate() {
            let mut word = word.to_string();
            if word.chars().count() > MAX_TERM_CHARS {
                word = cut(&word, MAX_TERM_CHARS);
                search.words_cut = true;
            }
            let separator = usize::from(!search.text.is_empty());
            let length = search.text.chars().count() + separator + word.chars().count();
            if kept == MAX_SEARCH_TERMS || length > MAX_SEARCH_CHARS {
                search.words_dropped = true;
                break;
            }
            if separator == 1 {
                search.text.push(' ');
            }
            search.text.push_str(&word);
        }
        search
    }

    /// What the agent is told about how their search was trimmed.
    pub fn notes(&self) -> Vec<String> {
        let mut notes = Vec::new();
        if self.words_dropped {
            notes.push(format!(
                "Searched for the first {MAX_SEARCH_TERMS} words only (at most {MAX_SEARCH_CHARS} characters): fewer, rarer words find tickets faster."
            ));
        }
        if self.words_cut {
            notes.push(format!(
                "Shortened words longer than {MAX_TERM_CHARS} characters."
            ));
        }
        notes
    }
}

/// Years a creation-date filter may name. Outside them the filter is
/// ignored (and the page shows it empty): no ticket was filed before 2000,
/// and a four-digit year keeps the stored text comparison meaningful.
const FILTER_YEARS: std::ops::RangeInclusive<i32> = 2000..=9999;

/// A `YYYY-MM-DD` date as an `<input type=date>` sends it; anything else,
/// including signed or five-digit years, is no date.
pub fn parse_date(s: &str) -> Option<Date> {
    let s = s.trim();
    if s.len() != 10 || !s.as_bytes()[0].is_ascii_digit() {
        return None;
    }
    Date::parse(s, format_description!("[year]-[month]-[day]"))
        .ok()
        .filter(|d| FILTER_YEARS.contains(&d.year()))
}

/// Where the next page starts: the sort key of the last row shown. Keyset
/// pages stay stable while new tickets arrive, unlike offsets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    /// Urgency only: 0 while in the overdue segment, 1 after it.
    pub segment: i64,
    pub priority: i64,
    /// `created_at`, or `updated_at` for the Updated sort.
    pub time: String,
    pub id: i64,
}

impl Cursor {
    pub fn encode(&self) -> String {
        format!(
            "{}.{}.{}.{}",
            self.segment, self.priority, self.time, self.id
        )
    }

    fn decode(s: &str, _sort: Sort) -> Option<Self> {
        let mut parts = s.splitn(4, '.');
        let segment = parts.next()?.parse().ok().filter(|s| (0..=1).contains(s))?;
        let priority = parts.next()?.parse().ok().filter(|p| (0..=3).contains(p))?;
        let time = parts.next()?.to_string();
        let id = parts.next()?.parse().ok()?;
        // Our own timestamps only: fixed-width RFC 3339 in UTC.
        let well_formed = time.len() == 20
            && time.ends_with('Z')
            && time
                .bytes()
                .all(|b| b.is_ascii_digit() || b"-:TZ".contains(&b));
        well_formed.then_some(Self {
            segment,
            priority,
            time,
            id,
        })
    }
}

/// A user's words as FTS5 terms, one by one: each word a quoted phrase, so
/// that FTS operators typed by accident (`-`, `*`, `OR`, quotes) are searched
/// for rather than obeyed. A ticket's text is indexed in pieces, so the store
/// matches each word against the ticket's pieces.
pub fn fts_terms(search: &str) -> Vec<String> {
    search
        .split_whitespace()
        .take(MAX_SEARCH_TERMS)
        .map(|word| format!("\"{}\"", word.replace('"', "\"\"")))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(pairs: &str) -> QueueFilter {
        serde_urlencoded::from_str::<QueueQuery>(pairs)
            .unwrap()
            .filter()
    }

    #[test]
    fn the_default_view_is_what_needs_a_human_most_urgent_first() {
        let f = query("");
        assert_eq!(f.statuses, NEEDS_A_HUMAN);
        assert_eq!(f.sort, Sort::Urgency);
        assert_eq!(f.assignee, AssigneeFilter::Anyone);
        assert!(f.after.is_none());
    }

    #[test]
    fn filters_parse_and_unknown_values_are_ignored() {
        let f = query(
            "status=waiting,closed&code=429&priority=high&assignee=me&environment=sandbox&tool=workato&from=2026-01-01&to=2026-01-31&q=+rate+limit+&sort=updated",
        );
        assert_eq!(f.statuses, [TicketStatus::Waiting, TicketStatus::Closed]);
        assert_eq!(f.code, Some(ErrorCode::TooManyRequests));
        assert_eq!(f.priority, Some(Priority::High));
        assert_eq!(f.assignee, AssigneeFilter::Me);
        assert_eq!(f.environment, Some(Environment::Sandbox));
        assert_eq!(f.tool.as_deref(), Some("workato"));
        assert_eq!(f.created_from.unwrap().to_string(), "2026-01-01");
        assert_eq!(f.search, "rate limit");
        assert_eq!(f.sort, Sort::Updated);

        let f = query(
            "status=all&code=999&priority=max&assignee=x&tool=excel&from=yesterday&sort=random",
        );
        assert!(f.statuses.is_empty());
        assert_eq!(
            (f.code, f.priority, f.tool, f.created_from),
            (None, None, None, None)
        );
        assert_eq!(f.assignee, AssigneeFilter::Anyone);
        assert_eq!(f.sort, Sort::Urgency);
        assert_eq!(query("assignee=none").assignee, AssigneeFilter::Unassigned);
        assert_eq!(query("assignee=7").assignee, AssigneeFilter::Person(7));
    }

    /// Issue 6, item 11: extreme dates are no filter, never a crash.
    #[test]
    fn extreme_dates_are_ignored() {
        for bad in [
            "0000-01-01",
            "-0001-01-01",
            "-9999-12-31",
            "+10000-01-01",
            "1999-12-31",
            "9999-13-01",
            "2026-02-30",
            "2026-1-1",
        ] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
        assert_eq!(parse_date("9999-12-31").unwrap().year(), 9999);
        assert_eq!(
            parse_date(" 2026-01-31 ").unwrap().to_string(),
            "2026-01-31"
        );
    }

    #[test]
    fn cursors_round_trip_and_reject_tampering() {
        let c = Cursor {
            segment: 1,
            priority: 2,
            time: "2026-01-02T03:04:05Z".into(),
            id: 42,
        };
        assert_eq!(Cursor::decode(&c.encode(), Sort::Urgency), Some(c));
        for bad in [
            "",
            "1.2.3",
            "2.0.2026-01-02T03:04:05Z.1",
            "0.9.2026-01-02T03:04:05Z.1",
            "0.0.2026-01-02 03:04:05'.1",
            "0.0.2026-01-02T03:04:05Z.x",
        ] {
            assert_eq!(Cursor::decode(bad, Sort::Urgency), None, "{bad:?}");
        }
    }

    #[test]
    fn reading_a_query_string_dedupes_bounds_and_explains() {
        let many = vec!["open,new"; 300].join(",");
        let (q, notes) = QueueQuery::read(&format!("status={many}&status=new&status=closed"));
        assert_eq!(q.status, "new,open,closed");
        assert!(notes.is_empty(), "{notes:?}");
        assert_eq!(
            q.filter().statuses,
            [TicketStatus::New, TicketStatus::Open, TicketStatus::Closed]
        );

        let (q, notes) = QueueQuery::read("status=bogus,%00&code=401&code=500&q=a%00b%0Ac");
        assert_eq!(q.status, "");
        assert_eq!(q.filter().statuses, NEEDS_A_HUMAN);
        assert_eq!(q.code, "401", "the first value wins");
        assert_eq!(q.q, "a b c");
        assert_eq!(notes.len(), 1, "{notes:?}");
        assert!(notes[0].starts_with("Ignored status “bogus”"));

        let (q, _) = QueueQuery::read("status=all,new");
        assert_eq!(q.status, "all");
        let (q, notes) = QueueQuery::read(&format!("tool={}&after=1.2.x.4", "w".repeat(500)));
        assert_eq!(q.tool, "");
        assert_eq!(q.after, "");
        assert_eq!(notes.len(), 2, "{notes:?}");
        assert!(notes[0].contains(&"w".repeat(MAX_VALUE_CHARS)));
        assert!(!notes[0].contains(&"w".repeat(MAX_VALUE_CHARS + 1)));
        // Pairs past the bound are not read at all.
        let (q, _) = QueueQuery::read(&format!("{}&code=401", vec!["x=1"; MAX_PAIRS].join("&")));
        assert_eq!(q.code, "");
    }

    #[test]
    fn searches_are_bounded_in_words_and_length() {
        let s = Search::clean("  rate\u{0}limit\t  exceeded ");
        assert_eq!(s.text, "rate limit exceeded");
        assert!(s.notes().is_empty());

        let s = Search::clean(&"word ".repeat(50));
        assert_eq!(s.text.split(' ').count(), MAX_SEARCH_TERMS);
        assert!(s.words_dropped && !s.words_cut);

        let s = Search::clean(&format!("{} b", "é".repeat(100)));
        assert_eq!(s.text, format!("{} b", "é".repeat(MAX_TERM_CHARS)));
        assert!(s.words_cut && !s.words_dropped);

        let long = vec!["x".repeat(39); MAX_SEARCH_TERMS].join(" ");
        let s = Search::clean(&long);
        assert!(s.text.chars().count() <= MAX_SEARCH_CHARS);
        assert!(s.words_dropped);
        assert_eq!(s.notes().len(), 1);
    }

    #[test]
    fn search_words_are_quoted_for_fts() {
        assert_eq!(fts_terms("rate limit").join(" "), "\"rate\" \"limit\"");
        assert_eq!(
            fts_terms("say \"hi\" OR -x*").join(" "),
            "\"say\" \"\"\"hi\"\"\" \"OR\" \"-x*\""
        );
        assert!(fts_terms("   ").is_empty());
    }
}
