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

/// The view as the query string gives it; unknown values are ignored rather
/// than refused, so an old bookmark still opens.
#[derive(Debug, Clone, Default, Deserialize)]
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

impl QueueQuery {
    pub fn filter(&self) -> QueueFilter {
        let statuses = match self.status.as_str() {
            "" => NEEDS_A_HUMAN.to_vec(),
            "all" => Vec::new(),
            list => list.split(',').filter_map(TicketStatus::parse).collect(),
        };
        let assignee = match self.assignee.as_str() {
            "me" => AssigneeFilter::Me,
            "none" => AssigneeFilter::Unassigned,
            id => id
                .parse()
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
            search: self.q.trim().to_string(),
            sort,
            after: Cursor::decode(&self.after, sort),
        }
    }
}

fn parse_date(s: &str) -> Option<Date> {
    Date::parse(s.trim(), format_description!("[year]-[month]-[day]")).ok()
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

/// A user's words as an FTS5 query: each word a quoted phrase, all required,
/// so that FTS operators typed by accident (`-`, `*`, `OR`, quotes) are
/// searched for rather than obeyed.
pub fn fts_query(search: &str) -> Option<String> {
    let terms = fts_terms(search);
    (!terms.is_empty()).then(|| terms.join(" "))
}

/// The quoted words of a search one by one: a ticket's text is indexed in
/// pieces, so the store matches each word against the ticket's pieces.
pub fn fts_terms(search: &str) -> Vec<String> {
    search
        .split_whitespace()
        .take(16)
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
    fn search_words_are_quoted_for_fts() {
        assert_eq!(
            fts_query("rate limit").as_deref(),
            Some("\"rate\" \"limit\"")
        );
        assert_eq!(
            fts_query("say \"hi\" OR -x*").as_deref(),
            Some("\"say\" \"\"\"hi\"\"\" \"OR\" \"-x*\"")
        );
        assert_eq!(fts_query("   "), None);
    }
}
