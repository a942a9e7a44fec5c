//! The details of a failure that a ticket may still lack. A ticket filed
//! through the form has them all; one opened from an email (when that is
//! switched on) has only what the mail said, and its requester is asked
//! for the rest through their ticket's page. What is missing is stored as
//! missing, never guessed: a made-up method or time would send support down
//! the wrong path.

use time::OffsetDateTime;

use super::{Tool, similar_key};
use crate::domain::{ErrorCode, HttpMethod, Zone};

/// One detail the requester may still have to give. The names are the
/// form's field names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Detail {
    ErrorCode,
    Endpoint,
    Method,
    OccurredAt,
    Tool,
}

impl Detail {
    pub const ALL: [Self; 5] = [
        Self::ErrorCode,
        Self::Endpoint,
        Self::Method,
        Self::OccurredAt,
        Self::Tool,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::ErrorCode => "error_code",
            Self::Endpoint => "endpoint",
            Self::Method => "method",
            Self::OccurredAt => "occurred_at",
            Self::Tool => "tool",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|detail| detail.as_str() == text)
    }

    /// As a sentence names it: "support needs the HTTP method".
    pub fn label(self) -> &'static str {
        match self {
            Self::ErrorCode => "the error code",
            Self::Endpoint => "the API endpoint",
            Self::Method => "the HTTP method",
            Self::OccurredAt => "when it failed",
            Self::Tool => "the tool that made the call",
        }
    }
}

/// The details a ticket still lacks, each once, in form order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Wanted(Vec<Detail>);

impl Wanted {
    pub fn new(details: impl IntoIterator<Item = Detail>) -> Self {
        let mut details: Vec<Detail> = details.into_iter().collect();
        details.sort_unstable();
        details.dedup();
        Self(details)
    }

    /// Read back from storage: names this version does not know are
    /// dropped, so an odd value never hides a ticket.
    pub fn parse(text: &str) -> Self {
        Self::new(
            text.split(',')
                .filter_map(|name| Detail::parse(name.trim())),
        )
    }

    /// As stored: comma-separated names, '' when nothing is wanted.
    pub fn to_text(&self) -> String {
        self.0
            .iter()
            .map(|detail| detail.as_str())
            .collect::<Vec<_>>()
            .join(",")
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn contains(&self, detail: Detail) -> bool {
        self.0.contains(&detail)
    }

    pub fn iter(&self) -> impl Iterator<Item = Detail> + '_ {
        self.0.iter().copied()
    }

    /// "the HTTP method, when it failed and the tool that made the call".
    pub fn sentence(&self) -> String {
        let labels: Vec<&str> = self.iter().map(Detail::label).collect();
        match labels.split_last() {
            None => String::new(),
            Some((last, [])) => (*last).to_string(),
            Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
        }
    }
}

/// The details of a failure as the requester gives them to complete a
/// ticket: every one, so the ticket is whole afterwards (what the mail
/// already told is shown in the form to confirm or correct).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GivenDetails {
    pub error_code: ErrorCode,
    pub endpoint: String,
    pub method: HttpMethod,
    /// Always UTC.
    pub occurred_at: OffsetDateTime,
    pub time_zone: Zone,
    pub tool: Tool,
}

impl GivenDetails {
    /// The key that groups the ticket with others failing the same way.
    pub fn similar_key(&self) -> String {
        similar_key(self.error_code, self.method, &self.endpoint, &self.tool)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wanted_details_are_stored_once_each_in_form_order() {
        let wanted = Wanted::new([Detail::Tool, Detail::Method, Detail::Tool]);
        assert_eq!(wanted.to_text(), "method,tool");
        assert_eq!(Wanted::parse("method,tool"), wanted);
        assert_eq!(Wanted::parse(""), Wanted::default());
    }

    #[test]
    fn unknown_stored_names_are_dropped() {
        assert_eq!(
            Wanted::parse("tool, colour ,,error_code").to_text(),
            "error_code,tool"
        );
    }

    #[test]
    fn the_sentence_joins_labels_as_people_write_them() {
        assert_eq!(Wanted::default().sentence(), "");
        assert_eq!(Wanted::new([Detail::Method]).sentence(), "the HTTP method");
        assert_eq!(
            Wanted::new([Detail::Tool, Detail::Method, Detail::OccurredAt]).sentence(),
            "the HTTP method, when it failed and the tool that made the call"
        );
    }
}
