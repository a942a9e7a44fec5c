//! A ticket's timeline as people read it: each event in words for staff and,
//! when they may see it, for the requester. The one place that turns an
//! event into its wording.

use std::fmt;

use time::OffsetDateTime;

use super::{
    Channel, EventKind, MailNoteReason, Priority, StaffRef, TicketStatus, reference_for,
    staff_label,
};

/// Who did something to a ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventActor {
    Requester,
    Staff { id: i64, name: String },
    System,
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
            EventKind::Created { via: None } => "filed the ticket".into(),
            EventKind::Created {
                via: Some(Channel::Email),
            } => "opened the ticket by email".into(),
            EventKind::Created {
                via: Some(Channel::Api),
            } => "filed the ticket through the API".into(),
            EventKind::DetailsGiven { wanted } => match wanted {
                Some(wanted) if !wanted.is_empty() => {
                    format!("gave the missing details ({})", wanted.sentence())
                }
                _ => "gave the missing details".into(),
            },
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
                status: Some(moved),
            } => format!(
                "replied to the requester and moved the ticket from {} to {}",
                staff_label(moved.from),
                staff_label(moved.to)
            ),
            EventKind::RequesterReply { via: None } => "added information".into(),
            EventKind::RequesterReply { via: Some(_) } => "added information by email".into(),
            EventKind::MailNote { from, why } => {
                let from = from.as_deref().unwrap_or("an unknown sender");
                match why {
                    Some(MailNoteReason::NotRequester) | None => format!(
                        "received an email from {from}, who is not the requester (unverified)"
                    ),
                    Some(MailNoteReason::Closed) => {
                        format!("received an email from {from} after the ticket was closed")
                    }
                    Some(MailNoteReason::Full) => {
                        format!("received an email from {from}; the ticket takes no more additions")
                    }
                }
            }
            EventKind::Merged { into, .. } => match into {
                Some(into) => format!("merged this ticket into {}", reference_for(*into)),
                None => "merged this ticket into another".into(),
            },
            EventKind::MergedFrom { from } => match from {
                Some(from) => format!("merged {} into this ticket", reference_for(*from)),
                None => "merged another ticket into this one".into(),
            },
            EventKind::SplitOut { lead } => match lead {
                Some(lead) => format!(
                    "split this ticket out of the problem led by {}",
                    reference_for(*lead)
                ),
                None => "split this ticket out of its problem".into(),
            },
            EventKind::Other(kind) => format!("recorded “{kind}”"),
        }
    }

    /// The other ticket an event names (merges), for a link.
    pub fn linked_ticket(&self) -> Option<i64> {
        match self.kind {
            EventKind::Merged { into, .. } => into,
            EventKind::MergedFrom { from } => from,
            EventKind::SplitOut { lead } => lead,
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
            EventKind::Created { via: None } => Some("You filed this ticket.".into()),
            EventKind::Created {
                via: Some(Channel::Email),
            } => Some("Your email opened this ticket.".into()),
            EventKind::Created {
                via: Some(Channel::Api),
            } => Some("Your integration filed this ticket.".into()),
            EventKind::DetailsGiven { .. } => Some("You gave the missing details.".into()),
            EventKind::Status { to: Some(to), .. } => Some(requester_status_words(*to).into()),
            EventKind::Reply { .. } => Some(format!("{staff_name} replied:")),
            EventKind::RequesterReply { via: None } => Some("You added information:".into()),
            EventKind::RequesterReply { via: Some(_) } => {
                Some("You added information by email:".into())
            }
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
                status: Some(moved),
            } if self.public => Some(requester_status_words(moved.to)),
            _ => None,
        }
    }

    /// What was written, when the requester may read it: their own additions
    /// and public staff replies, never notes.
    pub fn body_for_requester(&self) -> Option<&str> {
        let readable = matches!(
            self.kind,
            EventKind::Reply { .. } | EventKind::RequesterReply { .. }
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
