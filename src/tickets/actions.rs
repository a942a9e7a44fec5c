//! What staff and requesters may do to a ticket once it is filed: the status
//! rules, what a reply does to the status, the limits on written messages,
//! ticket references typed by people, and the entries of a ticket's timeline.
//!
//! Everything here is pure; `store::ticket_actions` applies these rules inside
//! its transactions, so the ticket page, the queue's bulk actions and the
//! future JSON API all obey the same ones.

use std::fmt;

use time::OffsetDateTime;

use super::{Priority, TicketStatus, group_thousands, reference_for};
use crate::staff::Role;

/// The longest note, reply or requester addition, in characters.
pub const MAX_EVENT_BODY_CHARS: usize = 10_000;

/// The statuses in their usual order, for forms and filters.
pub const STATUSES: [TicketStatus; 5] = [
    TicketStatus::New,
    TicketStatus::Open,
    TicketStatus::Waiting,
    TicketStatus::Resolved,
    TicketStatus::Closed,
];

/// Merging closes a ticket for good, so it is for admins; agents work
/// tickets but ask an admin to merge. The merged ticket's requester is told
/// the survivor's reference and nothing more (see the status page).
pub fn may_merge(role: Role) -> bool {
    role.is_admin()
}

/// A status as staff read it (the requester's label for `Waiting` is
/// "Waiting on you").
pub fn staff_label(status: TicketStatus) -> &'static str {
    match status {
        TicketStatus::Waiting => "Waiting on requester",
        other => other.label(),
    }
}

/// Whether staff may move a ticket from one status to another:
/// - forward along new → open → waiting → resolved → closed, where an open
///   ticket may be resolved without waiting on anyone;
/// - open ↔ waiting, and a new ticket straight to waiting or resolved;
/// - reopening: resolved or closed → open;
/// - anything → closed.
///
/// Nothing ever goes back to `new`, and staying put is not a move.
pub fn staff_may_move(from: TicketStatus, to: TicketStatus) -> bool {
    use TicketStatus::*;
    if from == to {
        return false;
    }
    matches!(
        (from, to),
        (_, Closed)
            | (New, Open | Waiting | Resolved)
            | (Open, Waiting | Resolved)
            | (Waiting, Open | Resolved)
            | (Resolved, Open)
            | (Closed, Open)
    )
}

/// Where staff may move a ticket from `from`, in the usual order.
pub fn staff_targets(from: TicketStatus) -> Vec<TicketStatus> {
    STATUSES
        .into_iter()
        .filter(|to| staff_may_move(from, *to))
        .collect()
}

/// Checks a status change staff asked for. `Ok(false)`: the ticket already
/// has that status, so nothing changes.
pub fn check_staff_move(from: TicketStatus, to: TicketStatus) -> Result<bool, Refusal> {
    if from == to {
        Ok(false)
    } else if staff_may_move(from, to) {
        Ok(true)
    } else {
        Err(Refusal::StatusChange { from, to })
    }
}

/// The status a public staff reply leaves the ticket in, if it changes:
/// ticking "waiting on requester" makes it `Waiting`; otherwise only a `New`
/// ticket changes, to `Open` (someone is working on it now).
pub fn status_after_staff_reply(
    from: TicketStatus,
    waiting_on_requester: bool,
) -> Result<Option<TicketStatus>, Refusal> {
    if waiting_on_requester {
        check_staff_move(from, TicketStatus::Waiting)
            .map(|moves| moves.then_some(TicketStatus::Waiting))
    } else if from == TicketStatus::New {
        Ok(Some(TicketStatus::Open))
    } else {
        Ok(None)
    }
}

/// How many additions a ticket takes from its requester, and how many
/// characters of them in all: keeps a status page (and the work of staff)
/// bounded whoever holds the link.
pub const MAX_ADDITIONS_PER_TICKET: usize = 50;
pub const MAX_ADDITION_CHARS_PER_TICKET: usize = 100_000;

/// How many characters one more addition may have on a ticket that already
/// holds `count` additions of `chars` characters in all; `None` when it
/// takes no more.
pub fn addition_room(count: usize, chars: usize) -> Option<usize> {
    let left = MAX_ADDITION_CHARS_PER_TICKET.saturating_sub(chars);
    (count < MAX_ADDITIONS_PER_TICKET && left > 0).then(|| left.min(MAX_EVENT_BODY_CHARS))
}

/// Whether a ticket that already holds `count` additions of `chars`
/// characters in all takes one more of `adding` characters.
pub fn check_addition_room(count: usize, chars: usize, adding: usize) -> Result<(), Refusal> {
    match addition_room(count, chars) {
        Some(room) if adding <= room => Ok(()),
        _ => Err(Refusal::AdditionsFull),
    }
}

/// The status a requester's addition leaves the ticket in, if it changes:
/// an answer to a waiting ticket, or a "still broken" on a resolved one,
/// puts it back in front of staff. A closed ticket takes no additions.
pub fn status_after_requester_reply(from: TicketStatus) -> Result<Option<TicketStatus>, Refusal> {
    match from {
        TicketStatus::Closed => Err(Refusal::ClosedToRequester),
        TicketStatus::Waiting | TicketStatus::Resolved => Ok(Some(TicketStatus::Open)),
        TicketStatus::New | TicketStatus::Open => Ok(None),
    }
}

/// A note, reply or requester addition that obeys the rules: not blank, at
/// most `MAX_EVENT_BODY_CHARS`. Line endings are normalised to `\n` and the
/// text is trimmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventBody(String);

impl EventBody {
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.replace("\r\n", "\n").replace('\r', "\n");
        let text = text.trim();
        let chars = text.chars().count();
        if chars == 0 {
            Err("Write something first: this cannot be empty.".into())
        } else if chars > MAX_EVENT_BODY_CHARS {
            Err(format!(
                "Keep it to {} characters or fewer (this is {}).",
                group_thousands(MAX_EVENT_BODY_CHARS),
                group_thousands(chars)
            ))
        } else {
            Ok(Self(text.to_string()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A ticket as people type it: `APD-000123`, `apd-123`, `#123`, `123`, or a
/// link to the staff ticket page.
pub fn parse_reference(text: &str) -> Option<i64> {
    let text = text.trim().trim_end_matches('/');
    let text = text.rsplit("/staff/tickets/").next().unwrap_or(text);
    let text = text.strip_prefix('#').unwrap_or(text);
    let text = match text.get(..4) {
        Some(prefix) if prefix.eq_ignore_ascii_case("APD-") => &text[4..],
        _ => text,
    };
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok().filter(|id| *id > 0)
}

/// Why an action was refused. Each says which form field it belongs beside
/// and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("there is no such ticket")]
    TicketNotFound,
    #[error("that person is not an active staff member")]
    UnknownAssignee,
    #[error("a ticket cannot move from {from} to {to}")]
    StatusChange {
        from: TicketStatus,
        to: TicketStatus,
    },
    #[error("the ticket is merged into ticket {into}")]
    Merged { into: i64 },
    #[error("a ticket cannot be merged into itself")]
    MergeIntoItself,
    #[error("the ticket to merge into does not exist")]
    MergeTargetMissing,
    #[error("ticket {target} is itself merged into ticket {into}")]
    MergeTargetMerged { target: i64, into: i64 },
    #[error("the ticket is closed")]
    ClosedToRequester,
    #[error("the ticket holds as many requester additions as it may")]
    AdditionsFull,
}

impl Refusal {
    /// The form field the message belongs beside.
    pub fn field(&self) -> &'static str {
        match self {
            Self::TicketNotFound => "ticket",
            Self::UnknownAssignee => "assignee",
            Self::StatusChange { .. } | Self::Merged { .. } => "status",
            Self::MergeIntoItself | Self::MergeTargetMissing | Self::MergeTargetMerged { .. } => {
                "merge"
            }
            Self::ClosedToRequester | Self::AdditionsFull => "body",
        }
    }

    /// A sentence for the person who tried.
    pub fn message(&self) -> String {
        match self {
            Self::TicketNotFound => "There is no such ticket.".into(),
            Self::UnknownAssignee => {
                "Choose someone from the list: that person is not an active staff member.".into()
            }
            Self::StatusChange { from, to } => {
                let targets: Vec<&str> =
                    staff_targets(*from).into_iter().map(staff_label).collect();
                format!(
                    "A ticket cannot go from {} to {}. From {} it can go to: {}.",
                    staff_label(*from),
                    staff_label(*to),
                    staff_label(*from),
                    targets.join(", ")
                )
            }
            Self::Merged { into } => format!(
                "This ticket is merged into {}: work on that one instead.",
                reference_for(*into)
            ),
            Self::MergeIntoItself => "A ticket cannot be merged into itself.".into(),
            Self::MergeTargetMissing => {
                "There is no ticket with that reference. Use e.g. APD-000123.".into()
            }
            Self::MergeTargetMerged { target, into } => format!(
                "{} is itself merged into {}: merge into {} instead.",
                reference_for(*target),
                reference_for(*into),
                reference_for(*into)
            ),
            Self::ClosedToRequester => {
                "This ticket is closed, so it takes no more information. File a new ticket if the problem is back.".into()
            }
            Self::AdditionsFull => format!(
                "This ticket already holds as much added information as it can take \
                 ({} additions or {} characters in all), so this was not added. \
                 Support will answer here; if you have a new problem, file a new ticket.",
                MAX_ADDITIONS_PER_TICKET,
                group_thousands(MAX_ADDITION_CHARS_PER_TICKET)
            ),
        }
    }
}

/// Whether an action changed the ticket. Applying the same action twice (a
/// double click, a bulk action over tickets already in that state) changes
/// nothing and writes no event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use]
pub enum Outcome {
    Changed,
    Unchanged,
}

impl Outcome {
    pub fn changed(self) -> bool {
        self == Self::Changed
    }
}

/// Who did something to a ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventActor {
    Requester,
    Staff { id: i64, name: String },
    System,
}

/// A staff member named in an event's details; the name is missing only if
/// the stored id matches no one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffRef {
    pub id: i64,
    pub name: Option<String>,
}

impl StaffRef {
    fn label(&self) -> String {
        self.name
            .clone()
            .unwrap_or_else(|| format!("staff member #{}", self.id))
    }
}

/// What happened, with the details its kind records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventKind {
    Created,
    Assigned {
        from: Option<StaffRef>,
        to: Option<StaffRef>,
    },
    Priority {
        from: Option<Priority>,
        to: Option<Priority>,
    },
    Status {
        from: Option<TicketStatus>,
        to: Option<TicketStatus>,
    },
    Note,
    /// A public reply; `status` when the reply also moved the ticket.
    Reply {
        status: Option<(TicketStatus, TicketStatus)>,
    },
    RequesterReply,
    Merged {
        into: Option<i64>,
    },
    MergedFrom {
        from: Option<i64>,
    },
    /// A kind this version does not know, by its stored name.
    Other(String),
}

/// One entry in a ticket's timeline (`ticket_events`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimelineEvent {
    pub id: i64,
    pub at: OffsetDateTime,
    pub actor: EventActor,
    pub kind: EventKind,
    /// Whether the requester may see it.
    pub public: bool,
    /// What was written (notes and replies), as typed: escape it to show it.
    pub body: String,
}

impl TimelineEvent {
    /// Who, as staff read it.
    pub fn actor_for_staff(&self) -> String {
        match &self.actor {
            EventActor::Requester => "Requester".into(),
            EventActor::Staff { name, .. } => name.clone(),
            EventActor::System => "apidesk".into(),
        }
    }

    /// What happened, as staff read it.
    pub fn summary_for_staff(&self) -> String {
        match &self.kind {
            EventKind::Created => "filed the ticket".into(),
            EventKind::Assigned { from, to } => match (from, to) {
                (_, Some(to)) if self.is_self(to) => "took the ticket".into(),
                (None, Some(to)) => format!("assigned it to {}", to.label()),
                (Some(from), Some(to)) => {
                    format!("reassigned it from {} to {}", from.label(), to.label())
                }
                (Some(from), None) => format!("unassigned it (was {})", from.label()),
                (None, None) => "left it unassigned".into(),
            },
            EventKind::Priority { from, to } => format!(
                "changed the priority from {} to {}",
                from.map_or("?", Priority::label),
                to.map_or("?", Priority::label)
            ),
            EventKind::Status { from, to } => format!(
                "changed the status from {} to {}",
                from.map_or("?", staff_label),
                to.map_or("?", staff_label)
            ),
            EventKind::Note => "added an internal note".into(),
            EventKind::Reply { status: None } => "replied to the requester".into(),
            EventKind::Reply {
                status: Some((from, to)),
            } => format!(
                "replied to the requester and moved the ticket from {} to {}",
                staff_label(*from),
                staff_label(*to)
            ),
            EventKind::RequesterReply => "added information".into(),
            EventKind::Merged { into } => match into {
                Some(into) => format!("merged this ticket into {}", reference_for(*into)),
                None => "merged this ticket into another".into(),
            },
            EventKind::MergedFrom { from } => match from {
                Some(from) => format!("merged {} into this ticket", reference_for(*from)),
                None => "merged another ticket into this one".into(),
            },
            EventKind::Other(kind) => format!("recorded “{kind}”"),
        }
    }

    /// The other ticket an event names (merges), for a link.
    pub fn linked_ticket(&self) -> Option<i64> {
        match self.kind {
            EventKind::Merged { into } => into,
            EventKind::MergedFrom { from } => from,
            _ => None,
        }
    }

    /// What happened, in plain words for the requester; `None` for anything
    /// they must not or need not see (internal notes, assignment, priority,
    /// any event not marked public).
    pub fn summary_for_requester(&self) -> Option<String> {
        if !self.public {
            return None;
        }
        let staff_name = match &self.actor {
            EventActor::Staff { name, .. } => name.as_str(),
            _ => "Support",
        };
        match &self.kind {
            EventKind::Created => Some("You filed this ticket.".into()),
            EventKind::Status { to: Some(to), .. } => Some(requester_status_words(*to).into()),
            EventKind::Reply { .. } => Some(format!("{staff_name} replied:")),
            EventKind::RequesterReply => Some("You added information:".into()),
            EventKind::Merged { .. } => {
                Some("Support merged this ticket with another report of the same problem.".into())
            }
            _ => None,
        }
    }

    /// When a reply also moved the ticket, that move in the requester's words.
    pub fn reply_status_for_requester(&self) -> Option<&'static str> {
        match self.kind {
            EventKind::Reply {
                status: Some((_, to)),
            } if self.public => Some(requester_status_words(to)),
            _ => None,
        }
    }

    /// What was written, when the requester may read it: their own additions
    /// and public staff replies, never notes.
    pub fn body_for_requester(&self) -> Option<&str> {
        let readable = matches!(
            self.kind,
            EventKind::Reply { .. } | EventKind::RequesterReply
        );
        (self.public && readable && !self.body.is_empty()).then_some(self.body.as_str())
    }

    fn is_self(&self, to: &StaffRef) -> bool {
        matches!(&self.actor, EventActor::Staff { id, .. } if *id == to.id)
    }
}

fn requester_status_words(to: TicketStatus) -> &'static str {
    match to {
        TicketStatus::New => "Your ticket is back in the queue.",
        TicketStatus::Open => "A support engineer is working on your ticket.",
        TicketStatus::Waiting => "Support is waiting for more information from you.",
        TicketStatus::Resolved => "Support marked this ticket as resolved.",
        TicketStatus::Closed => "This ticket was closed.",
    }
}

impl fmt::Display for EventActor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Requester => f.write_str("requester"),
            Self::Staff { name, .. } => f.write_str(name),
            Self::System => f.write_str("system"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use TicketStatus::*;

    #[test]
    fn the_staff_status_rules() {
        // The usual path, forward.
        for (from, to) in [
            (New, Open),
            (Open, Waiting),
            (Waiting, Resolved),
            (Resolved, Closed),
        ] {
            assert!(staff_may_move(from, to), "{from} → {to}");
        }
        // Shortcuts, reopening, and closing from anywhere.
        for (from, to) in [
            (Open, Resolved),
            (Waiting, Open),
            (New, Waiting),
            (New, Resolved),
            (Resolved, Open),
            (Closed, Open),
        ] {
            assert!(staff_may_move(from, to), "{from} → {to}");
        }
        for from in STATUSES {
            assert_eq!(staff_may_move(from, Closed), from != Closed);
            assert!(!staff_may_move(from, New), "nothing goes back to new");
            assert!(!staff_may_move(from, from));
        }
        for (from, to) in [(Resolved, Waiting), (Closed, Waiting), (Closed, Resolved)] {
            assert!(!staff_may_move(from, to), "{from} → {to}");
            let refusal = check_staff_move(from, to).unwrap_err();
            assert_eq!(refusal.field(), "status");
            assert!(refusal.message().contains("From"));
        }
        assert_eq!(check_staff_move(Open, Open), Ok(false));
        assert_eq!(staff_targets(Closed), vec![Open]);
    }

    #[test]
    fn what_replies_do_to_the_status() {
        assert_eq!(status_after_staff_reply(New, false), Ok(Some(Open)));
        assert_eq!(status_after_staff_reply(Open, false), Ok(None));
        assert_eq!(status_after_staff_reply(Resolved, false), Ok(None));
        assert_eq!(status_after_staff_reply(Open, true), Ok(Some(Waiting)));
        assert_eq!(status_after_staff_reply(New, true), Ok(Some(Waiting)));
        assert_eq!(status_after_staff_reply(Waiting, true), Ok(None));
        assert!(status_after_staff_reply(Closed, true).is_err());

        assert_eq!(status_after_requester_reply(Waiting), Ok(Some(Open)));
        assert_eq!(status_after_requester_reply(Resolved), Ok(Some(Open)));
        assert_eq!(status_after_requester_reply(New), Ok(None));
        assert_eq!(status_after_requester_reply(Open), Ok(None));
        assert_eq!(
            status_after_requester_reply(Closed),
            Err(Refusal::ClosedToRequester)
        );
    }

    #[test]
    fn bodies_are_required_and_bounded() {
        assert!(EventBody::parse("  \r\n ").is_err());
        assert_eq!(EventBody::parse(" a\r\nb ").unwrap().as_str(), "a\nb");
        assert!(EventBody::parse(&"x".repeat(MAX_EVENT_BODY_CHARS)).is_ok());
        let err = EventBody::parse(&"é".repeat(MAX_EVENT_BODY_CHARS + 1)).unwrap_err();
        assert!(err.contains("10,000") && err.contains("10,001"), "{err}");
    }

    #[test]
    fn references_as_people_type_them() {
        for text in [
            "APD-000123",
            "apd-123",
            "#123",
            " 123 ",
            "https://x/staff/tickets/123",
        ] {
            assert_eq!(parse_reference(text), Some(123), "{text:?}");
        }
        for text in ["", "APD-", "APD-12x", "-3", "0", "abc", "12 3"] {
            assert_eq!(parse_reference(text), None, "{text:?}");
        }
    }

    #[test]
    fn requesters_never_see_private_events() {
        let event = |kind, public| TimelineEvent {
            id: 1,
            at: OffsetDateTime::UNIX_EPOCH,
            actor: EventActor::Staff {
                id: 1,
                name: "Alex".into(),
            },
            kind,
            public,
            body: String::new(),
        };
        assert_eq!(event(EventKind::Note, false).summary_for_requester(), None);
        // Even a note wrongly marked public is not shown as such.
        assert_eq!(event(EventKind::Note, true).summary_for_requester(), None);
        assert_eq!(
            event(EventKind::Reply { status: None }, true)
                .summary_for_requester()
                .as_deref(),
            Some("Alex replied:")
        );
        assert_eq!(
            event(EventKind::Reply { status: None }, false).summary_for_requester(),
            None
        );
        let took = event(
            EventKind::Assigned {
                from: None,
                to: Some(StaffRef {
                    id: 1,
                    name: Some("Alex".into()),
                }),
            },
            false,
        );
        assert_eq!(took.summary_for_staff(), "took the ticket");
    }
}
