//! What happens to a ticket, as one enum: the workflow produces it, the store
//! and the seed write it, the timeline reads it back.
//!
//! Stored as two columns: `kind` (the variant's name) and `data` (the rest as
//! a JSON object, `{}` when there is nothing more). Rows written by earlier
//! versions are read leniently: a value this version does not understand
//! reads as missing, an unknown kind as `Other`, and JSON that does not parse
//! as no details at all, so one odd row never hides a whole timeline.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

use super::{Detail, Priority, TicketStatus, Wanted};

/// What happened, with the details its kind records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EventKind {
    /// `{}` through the form; `{"via": "email"}` when opened from a mail.
    Created {
        #[serde(
            default,
            deserialize_with = "lenient",
            skip_serializing_if = "Option::is_none"
        )]
        via: Option<Channel>,
    },
    /// `{"from": id|null, "to": id|null}`
    Assigned {
        #[serde(default, deserialize_with = "lenient")]
        from: Option<StaffRef>,
        #[serde(default, deserialize_with = "lenient")]
        to: Option<StaffRef>,
    },
    /// `{"from": "normal", "to": "urgent"}`; early rows hold ranks.
    Priority {
        #[serde(default, deserialize_with = "lenient")]
        from: Option<Priority>,
        #[serde(default, deserialize_with = "lenient")]
        to: Option<Priority>,
    },
    /// `{"from": "open", "to": "waiting"}`
    Status {
        #[serde(default, deserialize_with = "lenient")]
        from: Option<TicketStatus>,
        #[serde(default, deserialize_with = "lenient")]
        to: Option<TicketStatus>,
    },
    Note,
    /// A public reply; `{"status": {"from", "to"}}` when it also moved the
    /// ticket, `{}` when it did not.
    Reply {
        #[serde(
            default,
            deserialize_with = "lenient",
            skip_serializing_if = "Option::is_none"
        )]
        status: Option<StatusMove>,
    },
    /// Information the requester added: from their status page (`{}`), or
    /// by answering a mail (`{"via": "email"}`).
    RequesterReply {
        #[serde(
            default,
            deserialize_with = "lenient",
            skip_serializing_if = "Option::is_none"
        )]
        via: Option<Channel>,
    },
    /// Mail received for the ticket that is not taken as the requester's
    /// word, kept for staff only: `{"from": "a@b.example", "why": "not_requester"}`.
    MailNote {
        #[serde(default, deserialize_with = "lenient")]
        from: Option<String>,
        #[serde(default, deserialize_with = "lenient")]
        why: Option<MailNoteReason>,
    },
    /// The requester completed a ticket opened from a mail:
    /// `{"wanted": ["method", "tool"]}`, the details it had lacked.
    DetailsGiven {
        #[serde(default, deserialize_with = "lenient")]
        wanted: Option<Wanted>,
    },
    /// On the ticket merged away: `{"into": id, "status_from": "open"}`.
    Merged {
        #[serde(default, deserialize_with = "lenient")]
        into: Option<i64>,
        #[serde(
            default,
            deserialize_with = "lenient",
            skip_serializing_if = "Option::is_none"
        )]
        status_from: Option<TicketStatus>,
    },
    /// On the survivor: `{"from": id}`.
    MergedFrom {
        #[serde(default, deserialize_with = "lenient")]
        from: Option<i64>,
    },
    /// Staff split the ticket out of the problem this ticket led:
    /// `{"lead": id}`. For staff only: a requester never learns of problems.
    SplitOut {
        #[serde(default, deserialize_with = "lenient")]
        lead: Option<i64>,
    },
    /// A kind this version does not know, by its stored name. Only ever
    /// read, never written.
    #[serde(skip)]
    Other(String),
}

/// How something reached apidesk, when not through its own pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Email,
    /// The JSON API (`/api/v1`), through a token.
    Api,
}

/// Why received mail became a staff-only note instead of the requester's
/// addition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MailNoteReason {
    /// The sender is not the ticket's requester (a colleague it was
    /// forwarded to, or someone pretending): unverified.
    NotRequester,
    /// The ticket is closed (or merged) and takes no more from the requester.
    Closed,
    /// The ticket holds as many requester additions as it may.
    Full,
}

impl MailNoteReason {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NotRequester => "not_requester",
            Self::Closed => "closed",
            Self::Full => "full",
        }
    }

    fn parse(text: &str) -> Option<Self> {
        [Self::NotRequester, Self::Closed, Self::Full]
            .into_iter()
            .find(|reason| reason.as_str() == text)
    }
}

/// A status change a reply made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct StatusMove {
    pub from: TicketStatus,
    pub to: TicketStatus,
}

/// A staff member named in an event's details, stored as the id alone; the
/// name is filled in when the timeline is read, and stays missing only if the
/// stored id matches no one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffRef {
    pub id: i64,
    pub name: Option<String>,
}

impl StaffRef {
    pub fn id(id: i64) -> Self {
        Self { id, name: None }
    }

    pub(super) fn label(&self) -> String {
        self.name
            .clone()
            .unwrap_or_else(|| format!("staff member #{}", self.id))
    }
}

/// Who an event is by, as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Author {
    Requester,
    Staff(i64),
    System,
    /// An API token, acting in the name of the admin who created it: stored
    /// as that staff member's, with the token beside it.
    Token {
        token: i64,
        staff: i64,
    },
}

impl Author {
    /// The stored name of the actor's kind.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Requester => "requester",
            Self::Staff(_) | Self::Token { .. } => "staff",
            Self::System => "system",
        }
    }

    pub fn staff_id(self) -> Option<i64> {
        match self {
            Self::Staff(id) | Self::Token { staff: id, .. } => Some(id),
            Self::Requester | Self::System => None,
        }
    }

    /// The API token the event came through, if any.
    pub fn token_id(self) -> Option<i64> {
        match self {
            Self::Token { token, .. } => Some(token),
            _ => None,
        }
    }
}

/// An event to append to a ticket's timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEvent {
    pub ticket_id: i64,
    pub by: Author,
    pub kind: EventKind,
    /// What was written (notes, replies, additions); empty otherwise.
    pub body: String,
}

impl EventKind {
    /// The stored `kind`.
    pub fn name(&self) -> &str {
        match self {
            Self::Created { .. } => "created",
            Self::Assigned { .. } => "assigned",
            Self::Priority { .. } => "priority",
            Self::Status { .. } => "status",
            Self::Note => "note",
            Self::Reply { .. } => "reply",
            Self::RequesterReply { .. } => "requester_reply",
            Self::MailNote { .. } => "mail_note",
            Self::DetailsGiven { .. } => "details_given",
            Self::Merged { .. } => "merged",
            Self::MergedFrom { .. } => "merged_from",
            Self::SplitOut { .. } => "split_out",
            Self::Other(kind) => kind,
        }
    }

    /// The stored `data`: the details as a JSON object.
    pub fn data(&self) -> String {
        match serde_json::to_value(self) {
            Ok(Value::Object(mut details)) => {
                details.remove("kind");
                Value::Object(details).to_string()
            }
            // `Other` is never written; it has no details to keep.
            _ => "{}".into(),
        }
    }

    /// Whether the requester may see an event of this kind: what happened to
    /// their ticket's status and what was said to them, never assignment,
    /// priority or internal notes.
    pub fn is_public(&self) -> bool {
        match self {
            Self::Created { .. }
            | Self::DetailsGiven { .. }
            | Self::Status { .. }
            | Self::Reply { .. }
            | Self::RequesterReply { .. }
            | Self::Merged { .. } => true,
            Self::Assigned { .. }
            | Self::Priority { .. }
            | Self::Note
            | Self::MailNote { .. }
            | Self::MergedFrom { .. }
            | Self::SplitOut { .. }
            | Self::Other(_) => false,
        }
    }

    /// Reads a stored `kind` and `data` leniently (see the module notes).
    pub fn read(kind: &str, data: &str) -> Self {
        let mut details = match serde_json::from_str(data) {
            Ok(Value::Object(details)) => details,
            _ => serde_json::Map::new(),
        };
        details.insert("kind".into(), Value::String(kind.into()));
        Self::deserialize(Value::Object(details)).unwrap_or_else(|_| Self::Other(kind.into()))
    }

    /// Fills in the names of the staff an assignment names.
    pub fn with_staff_names(mut self, from: Option<String>, to: Option<String>) -> Self {
        if let Self::Assigned {
            from: from_ref,
            to: to_ref,
        } = &mut self
        {
            if let Some(staff) = from_ref {
                staff.name = from;
            }
            if let Some(staff) = to_ref {
                staff.name = to;
            }
        }
        self
    }
}

impl Serialize for StaffRef {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_i64(self.id)
    }
}

/// A detail read from stored JSON: `None` for anything not understood.
trait Lenient: Sized {
    fn from_json(value: &Value) -> Option<Self>;
}

fn lenient<'de, D: Deserializer<'de>, T: Lenient>(deserializer: D) -> Result<Option<T>, D::Error> {
    Ok(T::from_json(&Value::deserialize(deserializer)?))
}

impl Lenient for i64 {
    fn from_json(value: &Value) -> Option<Self> {
        value.as_i64()
    }
}

impl Lenient for StaffRef {
    fn from_json(value: &Value) -> Option<Self> {
        value.as_i64().map(Self::id)
    }
}

impl Lenient for TicketStatus {
    fn from_json(value: &Value) -> Option<Self> {
        value.as_str().and_then(TicketStatus::parse)
    }
}

impl Lenient for Priority {
    fn from_json(value: &Value) -> Option<Self> {
        value
            .as_str()
            .and_then(Priority::parse)
            .or_else(|| value.as_i64().and_then(Priority::from_rank))
    }
}

impl Lenient for String {
    fn from_json(value: &Value) -> Option<Self> {
        value.as_str().map(str::to_string)
    }
}

impl Lenient for Channel {
    fn from_json(value: &Value) -> Option<Self> {
        match value.as_str()? {
            "email" => Some(Self::Email),
            "api" => Some(Self::Api),
            _ => None,
        }
    }
}

impl Serialize for Wanted {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter().map(Detail::as_str))
    }
}

impl Lenient for Wanted {
    fn from_json(value: &Value) -> Option<Self> {
        let names = value.as_array()?;
        Some(Self::new(
            names
                .iter()
                .filter_map(|name| name.as_str().and_then(Detail::parse)),
        ))
    }
}

impl Lenient for MailNoteReason {
    fn from_json(value: &Value) -> Option<Self> {
        value.as_str().and_then(Self::parse)
    }
}

impl Lenient for StatusMove {
    fn from_json(value: &Value) -> Option<Self> {
        Some(Self {
            from: TicketStatus::from_json(&value["from"])?,
            to: TicketStatus::from_json(&value["to"])?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use TicketStatus::*;

    /// Every kind with its stored name and data, byte for byte as earlier
    /// versions wrote them.
    fn stored() -> Vec<(EventKind, &'static str, &'static str)> {
        vec![
            (EventKind::Created { via: None }, "created", "{}"),
            (
                EventKind::Created {
                    via: Some(Channel::Email),
                },
                "created",
                r#"{"via":"email"}"#,
            ),
            (
                EventKind::DetailsGiven {
                    wanted: Some(Wanted::new([Detail::Method, Detail::Tool])),
                },
                "details_given",
                r#"{"wanted":["method","tool"]}"#,
            ),
            (
                EventKind::Assigned {
                    from: None,
                    to: Some(StaffRef::id(3)),
                },
                "assigned",
                r#"{"from":null,"to":3}"#,
            ),
            (
                EventKind::Priority {
                    from: Some(Priority::Normal),
                    to: Some(Priority::Urgent),
                },
                "priority",
                r#"{"from":"normal","to":"urgent"}"#,
            ),
            (
                EventKind::Status {
                    from: Some(Open),
                    to: Some(Waiting),
                },
                "status",
                r#"{"from":"open","to":"waiting"}"#,
            ),
            (EventKind::Note, "note", "{}"),
            (EventKind::Reply { status: None }, "reply", "{}"),
            (
                EventKind::Reply {
                    status: Some(StatusMove {
                        from: New,
                        to: Open,
                    }),
                },
                "reply",
                r#"{"status":{"from":"new","to":"open"}}"#,
            ),
            (
                EventKind::RequesterReply { via: None },
                "requester_reply",
                "{}",
            ),
            (
                EventKind::RequesterReply {
                    via: Some(Channel::Email),
                },
                "requester_reply",
                r#"{"via":"email"}"#,
            ),
            (
                EventKind::MailNote {
                    from: Some("a@b.example".into()),
                    why: Some(MailNoteReason::NotRequester),
                },
                "mail_note",
                r#"{"from":"a@b.example","why":"not_requester"}"#,
            ),
            (
                EventKind::Merged {
                    into: Some(7),
                    status_from: Some(Open),
                },
                "merged",
                r#"{"into":7,"status_from":"open"}"#,
            ),
            (
                EventKind::MergedFrom { from: Some(4) },
                "merged_from",
                r#"{"from":4}"#,
            ),
            (
                EventKind::SplitOut { lead: Some(3) },
                "split_out",
                r#"{"lead":3}"#,
            ),
        ]
    }

    #[test]
    fn kinds_are_written_as_before_and_read_back() {
        for (kind, name, data) in stored() {
            assert_eq!(kind.name(), name);
            assert_eq!(kind.data(), data, "{name}");
            assert_eq!(EventKind::read(name, data), kind, "{name}");
        }
    }

    #[test]
    fn only_what_the_requester_may_see_is_public() {
        let public: Vec<&str> = stored()
            .iter()
            .filter(|(kind, _, _)| kind.is_public())
            .map(|(_, name, _)| *name)
            .collect();
        assert_eq!(
            public,
            [
                "created",
                "created",
                "details_given",
                "status",
                "reply",
                "reply",
                "requester_reply",
                "requester_reply",
                "merged"
            ]
        );
        assert!(!EventKind::Other("x".into()).is_public());
    }

    #[test]
    fn details_are_read_leniently() {
        assert_eq!(
            EventKind::read("priority", r#"{"from": 2, "to": "urgent"}"#),
            EventKind::Priority {
                from: Some(Priority::Normal),
                to: Some(Priority::Urgent)
            }
        );
        for data in ["not json", "null", "[1]", r#"{"from": 1, "to": "later"}"#] {
            assert_eq!(
                EventKind::read("status", data),
                EventKind::Status {
                    from: None,
                    to: None
                },
                "{data}"
            );
        }
        assert_eq!(
            EventKind::read("reply", r#"{"status": {"from": "new", "to": "?"}}"#),
            EventKind::Reply { status: None }
        );
        assert_eq!(
            EventKind::read("note", r#"{"extra": true}"#),
            EventKind::Note
        );
        assert_eq!(
            EventKind::read("merged", r#"{"into": 9}"#),
            EventKind::Merged {
                into: Some(9),
                status_from: None
            }
        );
        assert_eq!(
            EventKind::read("escalated", "{}"),
            EventKind::Other("escalated".into())
        );
        // The stored kind wins over a "kind" inside the details.
        assert_eq!(
            EventKind::read("note", r#"{"kind": "created"}"#),
            EventKind::Note
        );
    }

    #[test]
    fn assignments_take_the_names_read_beside_them() {
        let read = EventKind::read("assigned", r#"{"from": null, "to": 3}"#)
            .with_staff_names(None, Some("Ann".into()));
        assert_eq!(
            read,
            EventKind::Assigned {
                from: None,
                to: Some(StaffRef {
                    id: 3,
                    name: Some("Ann".into())
                })
            }
        );
    }
}
