//! Closed sets of values a ticket field can take. Each has one `parse` and
//! one `as_str`, which is also what the database stores.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Environment {
    Production,
    Sandbox,
    Unsure,
}

impl Environment {
    pub const ALL: [Environment; 3] = [Self::Production, Self::Sandbox, Self::Unsure];

    pub fn parse(s: &str) -> Option<Self> {
        match s.trim() {
            "production" => Some(Self::Production),
            "sandbox" => Some(Self::Sandbox),
            "unsure" => Some(Self::Unsure),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Production => "production",
            Self::Sandbox => "sandbox",
            Self::Unsure => "unsure",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Production => "Production",
            Self::Sandbox => "Sandbox",
            Self::Unsure => "Not sure",
        }
    }
}

/// The integration tool that made the failing call. `Other` carries the
/// requester's own description.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tool {
    Workato,
    Zapier,
    Make,
    Script,
    Postman,
    Other(String),
}

impl Tool {
    /// The choices offered on the form, as (value, label).
    pub const CHOICES: [(&'static str, &'static str); 6] = [
        ("workato", "Workato"),
        ("zapier", "Zapier"),
        ("make", "Make"),
        ("script", "Custom script or code"),
        ("postman", "Postman or curl"),
        ("other", "Something else"),
    ];

    /// `other` needs `other_text`; it is ignored for the named tools.
    pub fn parse(value: &str, other_text: &str) -> Option<Self> {
        match value.trim() {
            "workato" => Some(Self::Workato),
            "zapier" => Some(Self::Zapier),
            "make" => Some(Self::Make),
            "script" => Some(Self::Script),
            "postman" => Some(Self::Postman),
            "other" => Some(Self::Other(other_text.trim().to_string())),
            _ => None,
        }
    }

    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Workato => "workato",
            Self::Zapier => "zapier",
            Self::Make => "make",
            Self::Script => "script",
            Self::Postman => "postman",
            Self::Other(_) => "other",
        }
    }

    pub fn other_text(&self) -> &str {
        match self {
            Self::Other(text) => text,
            _ => "",
        }
    }

    pub fn label(&self) -> String {
        match self {
            Self::Other(text) if !text.is_empty() => text.clone(),
            _ => Self::CHOICES
                .iter()
                .find(|(v, _)| *v == self.as_str())
                .map(|(_, l)| (*l).to_string())
                .unwrap_or_default(),
        }
    }
}

/// Where a ticket is in its life. `Waiting` means waiting on the requester.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TicketStatus {
    New,
    Open,
    Waiting,
    Resolved,
    Closed,
}

impl TicketStatus {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "new" => Some(Self::New),
            "open" => Some(Self::Open),
            "waiting" => Some(Self::Waiting),
            "resolved" => Some(Self::Resolved),
            "closed" => Some(Self::Closed),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::New => "new",
            Self::Open => "open",
            Self::Waiting => "waiting",
            Self::Resolved => "resolved",
            Self::Closed => "closed",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::New => "New",
            Self::Open => "Open",
            Self::Waiting => "Waiting on you",
            Self::Resolved => "Resolved",
            Self::Closed => "Closed",
        }
    }

    /// What the requester should expect next, in one sentence.
    pub fn next_step(self) -> &'static str {
        match self {
            Self::New => {
                "Your ticket is in the support queue. Someone will read it and reply here."
            }
            Self::Open => "A support engineer is working on your ticket.",
            Self::Waiting => "Support has asked you for more information.",
            Self::Resolved => {
                "Support believes this is fixed. If it is not, reply and it will reopen."
            }
            Self::Closed => "This ticket is closed.",
        }
    }
}

/// In event details, by its stored name.
impl serde::Serialize for TicketStatus {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl fmt::Display for TicketStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn environments_round_trip() {
        for e in Environment::ALL {
            assert_eq!(Environment::parse(e.as_str()), Some(e));
        }
        assert_eq!(Environment::parse("staging"), None);
    }

    #[test]
    fn tools_round_trip_and_other_keeps_its_text() {
        for (value, _) in Tool::CHOICES {
            assert_eq!(Tool::parse(value, "n8n").unwrap().as_str(), value);
        }
        assert_eq!(Tool::parse("other", " n8n ").unwrap().label(), "n8n");
        assert_eq!(Tool::parse("workato", "ignored").unwrap().other_text(), "");
        assert_eq!(Tool::Postman.label(), "Postman or curl");
        assert_eq!(Tool::parse("excel", ""), None);
    }

    #[test]
    fn statuses_round_trip() {
        use TicketStatus::*;
        for s in [New, Open, Waiting, Resolved, Closed] {
            assert_eq!(TicketStatus::parse(s.as_str()), Some(s));
        }
        assert_eq!(TicketStatus::parse("pending"), None);
    }
}
