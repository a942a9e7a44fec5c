//! Which events the requester hears about by mail, and the caps that keep
//! apidesk from mailing anyone too often.

use time::OffsetDateTime;

use super::{Author, EventKind, Priority, StaffRef, TicketStatus};

/// A mail to the requester, by what it tells them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MailKind {
    /// Their ticket is filed: its reference, what was received, the link.
    Filed,
    /// Support replied in public.
    Reply,
    /// Support is waiting for them.
    Waiting,
    /// Support resolved the ticket.
    Resolved,
    /// To staff who asked for it: a ticket that needs attention fast (filed
    /// at high priority, or raised to urgent).
    StaffUrgent,
    /// To a staff member who asked for it: someone assigned them a ticket.
    StaffAssigned,
    /// "Email me my tickets": the links to a requester's open tickets.
    Links,
}

/// At most this many "your ticket is filed" mails go to one address in an
/// hour: the address is not verified, so filing must not become a way to
/// flood someone else's mailbox.
pub const MAX_FILED_MAILS_PER_ADDRESS_PER_HOUR: i64 = 3;

/// At most this many mails about one ticket in an hour, whatever causes
/// them: the backstop against a loop with another system.
pub const MAX_MAILS_PER_TICKET_PER_HOUR: i64 = 10;

impl MailKind {
    pub const ALL: [MailKind; 7] = [
        Self::Filed,
        Self::Reply,
        Self::Waiting,
        Self::Resolved,
        Self::StaffUrgent,
        Self::StaffAssigned,
        Self::Links,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Filed => "filed",
            Self::Reply => "reply",
            Self::Waiting => "waiting",
            Self::Resolved => "resolved",
            Self::StaffUrgent => "staff_urgent",
            Self::StaffAssigned => "staff_assigned",
            Self::Links => "links",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == text)
    }

    /// How staff see it in the ticket's list of mails.
    pub fn label(self) -> &'static str {
        match self {
            Self::Filed => "Ticket received",
            Self::Reply => "Reply from support",
            Self::Waiting => "Waiting for you",
            Self::Resolved => "Resolved",
            Self::StaffUrgent => "Needs attention fast (to staff)",
            Self::StaffAssigned => "Assigned (to staff)",
            Self::Links => "Links to their tickets",
        }
    }

    /// Whether it goes to staff rather than the requester.
    pub fn is_for_staff(self) -> bool {
        matches!(self, Self::StaffUrgent | Self::StaffAssigned)
    }
}

/// Which staff hear of an event by mail (each only if they chose to).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StaffNotice {
    /// Everyone who asked to hear of tickets that need attention fast,
    /// except whoever caused it.
    Urgent { except: Option<i64> },
    /// The one staff member the ticket was assigned to.
    Assigned(i64),
}

/// The staff mail `event` (written by `by`) causes; `priority` is the
/// ticket's after the event. A ticket needs attention fast when it is filed
/// at high priority (the highest a new ticket starts at: a 5xx in
/// production) or raised to urgent. Nobody is told of what they did.
pub fn staff_notice(event: &EventKind, by: Author, priority: Priority) -> Option<StaffNotice> {
    let except = match by {
        Author::Staff(id) => Some(id),
        _ => None,
    };
    match event {
        EventKind::Created { .. } if priority.rank() <= Priority::High.rank() => {
            Some(StaffNotice::Urgent { except })
        }
        EventKind::Priority {
            to: Some(Priority::Urgent),
            ..
        } => Some(StaffNotice::Urgent { except }),
        EventKind::Assigned {
            to: Some(StaffRef { id, .. }),
            ..
        } if by != Author::Staff(*id) => Some(StaffNotice::Assigned(*id)),
        _ => None,
    }
}

/// Whether apidesk sends mail at all (SMTP configured). Mail that would have
/// gone out while it was off is recorded as not sent, and stays unsent when
/// mail is switched on later: no flood of stale news.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OutgoingMail {
    #[default]
    Off,
    On,
}

/// Where a mail is on its way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailState {
    /// Waiting for its (next) attempt.
    Pending,
    Sent,
    /// Given up: the server refused it, or kept failing past the limit.
    Failed,
    /// Never tried: mail was off, or a cap held it back.
    NotSent,
}

impl MailState {
    pub const ALL: [MailState; 4] = [Self::Pending, Self::Sent, Self::Failed, Self::NotSent];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Sent => "sent",
            Self::Failed => "failed",
            Self::NotSent => "not_sent",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|state| state.as_str() == text)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Pending => "Waiting to be sent",
            Self::Sent => "Sent",
            Self::Failed => "Not delivered",
            Self::NotSent => "Not sent",
        }
    }
}

/// What a mail is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MailAbout {
    /// An event on a ticket.
    Event { ticket_id: i64, event_id: i64 },
    /// The links to these tickets ("email me my tickets").
    Tickets(Vec<i64>),
}

/// At most this many "email me my tickets" mails go to one address in an
/// hour, however many people ask for it.
pub const MAX_LINK_MAILS_PER_ADDRESS_PER_HOUR: i64 = 3;

/// One mail in the outbox, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailRecord {
    pub id: i64,
    pub about: MailAbout,
    pub kind: MailKind,
    pub recipient: String,
    /// The Message-ID's left part; the domain is the sender's.
    pub message_key: String,
    pub state: MailState,
    /// Why it was not sent, or the last error.
    pub reason: String,
    pub attempts: u32,
    pub next_attempt_at: Option<OffsetDateTime>,
    pub created_at: OffsetDateTime,
    pub sent_at: Option<OffsetDateTime>,
    pub resend_of: Option<i64>,
}

impl MailRecord {
    /// The ticket it tells about, for mail about one ticket's event.
    pub fn ticket_id(&self) -> Option<i64> {
        match self.about {
            MailAbout::Event { ticket_id, .. } => Some(ticket_id),
            MailAbout::Tickets(_) => None,
        }
    }
}

/// How one delivery attempt ended, and what happens next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    Sent {
        detail: String,
    },
    /// A temporary failure: try again at `next_at`.
    Retry {
        detail: String,
        next_at: OffsetDateTime,
    },
    /// Refused for good, or too many temporary failures.
    GaveUp {
        detail: String,
        permanent: bool,
    },
}

/// The mail an event sends its requester, if any. A reply that also moves
/// the ticket is one mail (the reply says the new status), not two.
pub fn requester_mail(event: &EventKind) -> Option<MailKind> {
    match event {
        EventKind::Created { .. } => Some(MailKind::Filed),
        EventKind::Reply { .. } => Some(MailKind::Reply),
        EventKind::Status {
            to: Some(TicketStatus::Waiting),
            ..
        } => Some(MailKind::Waiting),
        EventKind::Status {
            to: Some(TicketStatus::Resolved),
            ..
        } => Some(MailKind::Resolved),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tickets::Priority;

    #[test]
    fn the_requester_hears_of_filing_replies_and_what_they_must_act_on() {
        assert_eq!(
            requester_mail(&EventKind::Created { via: None }),
            Some(MailKind::Filed)
        );
        assert_eq!(
            requester_mail(&EventKind::Reply { status: None }),
            Some(MailKind::Reply)
        );
        let moved = |to| EventKind::Status {
            from: Some(TicketStatus::Open),
            to: Some(to),
        };
        assert_eq!(
            requester_mail(&moved(TicketStatus::Waiting)),
            Some(MailKind::Waiting)
        );
        assert_eq!(
            requester_mail(&moved(TicketStatus::Resolved)),
            Some(MailKind::Resolved)
        );
        assert_eq!(requester_mail(&moved(TicketStatus::Open)), None);
        assert_eq!(requester_mail(&EventKind::Note), None);
        assert_eq!(
            requester_mail(&EventKind::RequesterReply { via: None }),
            None
        );
        let priority = EventKind::Priority {
            from: Some(Priority::Normal),
            to: Some(Priority::Urgent),
        };
        assert_eq!(requester_mail(&priority), None);
    }

    #[test]
    fn staff_hear_of_urgent_tickets_and_of_what_others_assign_them() {
        let created = EventKind::Created { via: None };
        assert_eq!(
            staff_notice(&created, Author::Requester, Priority::High),
            Some(StaffNotice::Urgent { except: None })
        );
        assert_eq!(
            staff_notice(&created, Author::Requester, Priority::Normal),
            None
        );
        let raised = EventKind::Priority {
            from: Some(Priority::Normal),
            to: Some(Priority::Urgent),
        };
        assert_eq!(
            staff_notice(&raised, Author::Staff(3), Priority::Urgent),
            Some(StaffNotice::Urgent { except: Some(3) })
        );
        let to_7 = EventKind::Assigned {
            from: None,
            to: Some(StaffRef::id(7)),
        };
        assert_eq!(
            staff_notice(&to_7, Author::Staff(3), Priority::Normal),
            Some(StaffNotice::Assigned(7))
        );
        assert_eq!(
            staff_notice(&to_7, Author::Staff(7), Priority::Normal),
            None,
            "took it themselves"
        );
        let unassigned = EventKind::Assigned {
            from: Some(StaffRef::id(7)),
            to: None,
        };
        assert_eq!(
            staff_notice(&unassigned, Author::Staff(3), Priority::Normal),
            None
        );
    }

    #[test]
    fn kinds_read_back_as_stored() {
        for kind in MailKind::ALL {
            assert_eq!(MailKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(MailKind::parse("other"), None);
    }
}
