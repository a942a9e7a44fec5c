//! What the triage queue shows: filters, sort orders and the keyset cursor,
//! parsed from the query string so that every view is a bookmark.

use serde::Deserialize;
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Date, OffsetDateTime, UtcOffset};

use super::{Environment, Priority, TicketStatus};
use crate::domain::ErrorCode;

pub const PAGE_SIZE: i64 = 50;

/// The furthest place a page link may name: well past any real queue.
const MAX_ROW_PLACE: i64 = 1_000_000_000;

/// How many tickets a view holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ViewCount {
    Exact(i64),
    /// A search with more matches than could be counted in time: at least
    /// this many.
    AtLeast(i64),
    /// Counting would have taken longer than the page may: the view is
    /// shown without its total.
    Unknown,
}

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
    /// The place of the page's first row in the view (1 on the first page),
    /// carried by the page links so the page can say "51–100 of 2,069".
    pub at: String,
    /// The bulk edit whose outcome to show once (its id), or `last` after
    /// the last ticket of the view was worked from the ticket page.
    pub bulk: String,
    /// `all`: count the view however long it takes, within the query
    /// budget, rather than only as long as a page may wait.
    pub count: String,
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
                "at" => &mut query.at,
                "bulk" => &mut query.bulk,
                "count" => &mut query.count,
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
            "one of the codes in the Code filter",
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
        // A place only means something past the first page; one that is not
        // a plain number is dropped quietly, as the page works without it.
        if self.after.is_empty() || self.first_row().is_none() {
            self.at.clear();
        }
        // A bulk edit's id, or `last`: the ticket page's "then next" found
        // no ticket after the one just worked.
        if self.bulk != "last" && !self.bulk.bytes().all(|b| b.is_ascii_digit()) {
            self.bulk.clear();
        }
        if self.count != "all" {
            self.count.clear();
        }
    }

    /// The place of the page's first row in the view, counting from 1.
    pub fn first_row(&self) -> Option<i64> {
        if self.after.is_empty() {
            return Some(1);
        }
        self.at
            .parse()
            .ok()
            .filter(|at| (2..=MAX_ROW_PLACE).contains(at))
    }

    /// The view itself, without where its page starts or what was just
    /// done in it: what a saved view stores and compares.
    pub fn view_only(&self) -> Self {
        Self {
            after: String::new(),
            at: String::new(),
            bulk: String::new(),
            count: String::new(),
            ..self.clone()
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
    /// `created_at`, or `updated_at` for the Updated sort, to the second.
    pub time: OffsetDateTime,
    pub id: i64,
}

impl Cursor {
    /// `segment.priority.time.id`, the time as fixed-width RFC 3339 in UTC
    /// (`2026-01-02T03:04:05Z`): bookmarked page links keep working.
    pub fn encode(&self) -> String {
        format!(
            "{}.{}.{}.{}",
            self.segment,
            self.priority,
            cursor_time(self.time).unwrap_or_default(),
            self.id
        )
    }

    fn decode(s: &str, _sort: Sort) -> Option<Self> {
        let mut parts = s.splitn(4, '.');
        let segment = parts.next()?.parse().ok().filter(|s| (0..=1).contains(s))?;
        let priority = parts.next()?.parse().ok().filter(|p| (0..=3).contains(p))?;
        let time = parts.next()?;
        let id = parts.next()?.parse().ok()?;
        // Our own form only: fixed-width, in UTC, whole seconds.
        let well_formed = time.len() == 20
            && time.ends_with('Z')
            && time
                .bytes()
                .all(|b| b.is_ascii_digit() || b"-:TZ".contains(&b));
        let time = OffsetDateTime::parse(time, &Rfc3339)
            .ok()
            .filter(|_| well_formed)?;
        Some(Self {
            segment,
            priority,
            time,
            id,
        })
    }
}

/// A cursor's time as its link writes it; `None` for a year RFC 3339
/// cannot write (no ticket has one).
fn cursor_time(time: OffsetDateTime) -> Option<String> {
    time.to_offset(UtcOffset::UTC)
        .replace_nanosecond(0)
        .ok()?
        .format(&Rfc3339)
        .ok()
}

impl QueueFilter {
    /// Whether it narrows by a ticket's fields (code, priority, assignee,
    /// environment or tool), beyond its status, dates and words.
    pub fn narrows_fields(&self) -> bool {
        self.code.is_some()
            || self.priority.is_some()
            || self.assignee != AssigneeFilter::Anyone
            || self.environment.is_some()
            || self.tool.is_some()
    }

    /// The words to search for, at most `MAX_SEARCH_TERMS` of them, as the
    /// person typed them: how they are matched is the store's business.
    pub fn search_words(&self) -> Vec<&str> {
        self.search
            .split_whitespace()
            .take(MAX_SEARCH_TERMS)
            .collect()
    }
}

pub mod views;

#[cfg(test)]
mod tests;
