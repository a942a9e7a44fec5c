//! What an endpoint can be told of, and which ticket events tell it.

use crate::tickets::{EventKind, StatusMove, TicketStatus};

/// An event an endpoint subscribes to. Its name (`as_str`) is what the
/// `event` field and the `Apidesk-Event` header carry, and what is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WebhookEvent {
    TicketFiled,
    /// A problem (identical failures grouped) reached the endpoint's threshold.
    ProblemGrown,
    /// Staff replied to the requester (a public reply, never a note).
    TicketReplied,
    TicketResolved,
    IncidentOpened,
    IncidentEnded,
}

impl WebhookEvent {
    pub const ALL: [Self; 6] = [
        Self::TicketFiled,
        Self::ProblemGrown,
        Self::TicketReplied,
        Self::TicketResolved,
        Self::IncidentOpened,
        Self::IncidentEnded,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::TicketFiled => "ticket.filed",
            Self::ProblemGrown => "problem.grown",
            Self::TicketReplied => "ticket.replied",
            Self::TicketResolved => "ticket.resolved",
            Self::IncidentOpened => "incident.opened",
            Self::IncidentEnded => "incident.ended",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|e| e.as_str() == text.trim())
    }

    /// How the admin page offers it.
    pub fn label(self) -> &'static str {
        match self {
            Self::TicketFiled => "A ticket is filed",
            Self::ProblemGrown => "A problem grows to a number of identical tickets",
            Self::TicketReplied => "Staff reply to a requester",
            Self::TicketResolved => "A ticket is resolved",
            Self::IncidentOpened => "An incident is declared",
            Self::IncidentEnded => "An incident ends",
        }
    }
}

impl std::fmt::Display for WebhookEvent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The webhook events a ticket event causes: its filing (through the form,
/// the API or a mail); a public staff reply; and its resolution, whether by
/// a status change or by a reply that resolves it (which is then both a
/// reply and a resolution, so an endpoint that hears only of resolutions
/// hears of it too).
pub fn for_ticket_event(kind: &EventKind) -> Vec<WebhookEvent> {
    let resolved = |to: Option<TicketStatus>| to == Some(TicketStatus::Resolved);
    match kind {
        EventKind::Created { .. } => vec![WebhookEvent::TicketFiled],
        EventKind::Reply { status } => {
            let mut events = vec![WebhookEvent::TicketReplied];
            if resolved(status.map(|StatusMove { to, .. }| to)) {
                events.push(WebhookEvent::TicketResolved);
            }
            events
        }
        EventKind::Status { to, .. } if resolved(*to) => vec![WebhookEvent::TicketResolved],
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for event in WebhookEvent::ALL {
            assert_eq!(WebhookEvent::parse(event.as_str()), Some(event));
        }
        assert_eq!(WebhookEvent::parse("ticket.deleted"), None);
    }

    #[test]
    fn ticket_events_map_to_webhook_events() {
        let moved = |to| StatusMove {
            from: TicketStatus::Open,
            to,
        };
        let cases = [
            (
                EventKind::Created { via: None },
                vec![WebhookEvent::TicketFiled],
            ),
            (
                EventKind::Reply { status: None },
                vec![WebhookEvent::TicketReplied],
            ),
            (
                EventKind::Reply {
                    status: Some(moved(TicketStatus::Waiting)),
                },
                vec![WebhookEvent::TicketReplied],
            ),
            (
                EventKind::Reply {
                    status: Some(moved(TicketStatus::Resolved)),
                },
                vec![WebhookEvent::TicketReplied, WebhookEvent::TicketResolved],
            ),
            (
                EventKind::Status {
                    from: Some(TicketStatus::Open),
                    to: Some(TicketStatus::Resolved),
                },
                vec![WebhookEvent::TicketResolved],
            ),
            (
                EventKind::Status {
                    from: Some(TicketStatus::Resolved),
                    to: Some(TicketStatus::Open),
                },
                vec![],
            ),
            // Notes are internal, and what requesters add is not a reply.
            (EventKind::Note, vec![]),
            (EventKind::RequesterReply { via: None }, vec![]),
        ];
        for (kind, expected) in cases {
            assert_eq!(for_ticket_event(&kind), expected, "{kind:?}");
        }
    }
}
