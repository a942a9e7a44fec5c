//! Saved views: named queue views the whole team shares, each a query
//! string in the form `QueueQuery` reads.

use time::OffsetDateTime;

use super::QueueQuery;

/// Longest name a view may have: it sits in a narrow sidebar.
pub const MAX_VIEW_NAME_CHARS: usize = 40;

/// Most views a team may keep: the sidebar counts each on every queue page.
pub const MAX_SAVED_VIEWS: usize = 30;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedView {
    pub id: i64,
    pub name: String,
    /// The view's query string, without `?`.
    pub query: String,
    /// `None` for the views apidesk starts with.
    pub created_by: Option<i64>,
    pub created_at: OffsetDateTime,
}

impl SavedView {
    /// The view as the queue reads it, without a page (`view_only`).
    pub fn queue_query(&self) -> QueueQuery {
        QueueQuery::read(&self.query).0.view_only()
    }

    /// Whether `query` shows what this view shows (its page aside).
    pub fn shows(&self, query: &QueueQuery) -> bool {
        self.queue_query().filter() == query.view_only().filter()
    }
}

/// A view's name as typed: trimmed, single spaces, not empty, not too long.
pub fn parse_view_name(typed: &str) -> Result<String, String> {
    let name = typed
        .split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    if name.is_empty() {
        return Err("Give the view a name, such as “Urgent 500s in production”.".into());
    }
    if name.chars().count() > MAX_VIEW_NAME_CHARS {
        return Err(format!(
            "Use at most {MAX_VIEW_NAME_CHARS} characters: the name sits in a narrow list."
        ));
    }
    Ok(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view(query: &str) -> SavedView {
        SavedView {
            id: 1,
            name: "v".into(),
            query: query.into(),
            created_by: None,
            created_at: OffsetDateTime::UNIX_EPOCH,
        }
    }

    #[test]
    fn names_are_tidied_and_bounded() {
        assert_eq!(
            parse_view_name("  Mine,\twaiting \n").unwrap(),
            "Mine, waiting"
        );
        assert!(parse_view_name(" \t ").is_err());
        assert!(parse_view_name(&"x".repeat(MAX_VIEW_NAME_CHARS)).is_ok());
        assert!(parse_view_name(&"x".repeat(MAX_VIEW_NAME_CHARS + 1)).is_err());
    }

    #[test]
    fn a_view_shows_the_same_filters_whatever_the_page_or_spelling() {
        let needs_a_human = view("status=new,open");
        assert!(needs_a_human.shows(&QueueQuery::default()));
        assert!(
            needs_a_human.shows(
                &QueueQuery::read("status=open,new&after=0.1.2026-01-02T03:04:05Z.9&at=51").0
            )
        );
        assert!(!needs_a_human.shows(&QueueQuery::read("status=open").0));
        let urgent = view("code=500&priority=urgent");
        assert!(urgent.shows(&QueueQuery::read("priority=urgent&code=500&bulk=3").0));
        assert!(!urgent.shows(&QueueQuery::read("priority=urgent&code=500&q=timeout").0));
    }
}
