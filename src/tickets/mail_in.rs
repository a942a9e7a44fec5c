//! Mail apidesk receives, as the store records it: what was done with each
//! message, and the addresses mail to which came back undeliverable.

use time::OffsetDateTime;

use super::NewTicket;
use super::workflow::Request;

/// What was done with one received mail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InboundOutcome {
    /// Added to its ticket as the requester's information.
    Added,
    /// Kept on its ticket as a note for staff only.
    Noted,
    /// Automatic mail, or nothing left once quotes were trimmed.
    Ignored,
    /// A report that mail apidesk sent could not be delivered.
    Bounce,
    /// It answers no ticket apidesk knows.
    Unmatched,
    /// Its ticket took as much mail this hour as it may, or its sender
    /// opened as many tickets by mail as they may.
    Held,
    /// It opened a new ticket, whose missing details were asked for.
    Opened,
}

impl InboundOutcome {
    pub const ALL: [Self; 7] = [
        Self::Added,
        Self::Noted,
        Self::Ignored,
        Self::Bounce,
        Self::Unmatched,
        Self::Held,
        Self::Opened,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Added => "added",
            Self::Noted => "noted",
            Self::Ignored => "ignored",
            Self::Bounce => "bounce",
            Self::Unmatched => "unmatched",
            Self::Held => "held",
            Self::Opened => "opened",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|outcome| outcome.as_str() == text)
    }

    /// In staff's words.
    pub fn label(self) -> &'static str {
        match self {
            Self::Added => "added to the ticket",
            Self::Noted => "kept as a note for staff",
            Self::Ignored => "ignored",
            Self::Bounce => "delivery failure report",
            Self::Unmatched => "matched no ticket",
            Self::Held => "held back",
            Self::Opened => "opened a new ticket",
        }
    }
}

/// A received mail, as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboundMail {
    /// The Message-ID, or a hash of the message when it has none.
    pub message_id: String,
    /// The From address ('' when there is none).
    pub sender: String,
    pub subject: String,
    pub received_at: OffsetDateTime,
}

/// What to do with a received mail, decided before the store is asked.
#[derive(Debug, Clone, PartialEq)]
pub enum InboundPlan {
    /// File it on its ticket through the workflow (`Command::MailReply`).
    File(Request),
    /// Record it and do nothing more.
    Ignore {
        ticket_id: Option<i64>,
        reason: String,
    },
    /// A delivery failure report: mark each address as failing.
    Bounce {
        ticket_id: Option<i64>,
        failures: Vec<Bounce>,
    },
    /// It answers no ticket.
    Unmatched { reason: String },
    /// Recorded as held back and nothing more: its sender is over the
    /// `mail` rate limit. Not filed, not answered.
    Hold { reason: String },
    /// It answers no ticket, and opens one (`--mail-new-tickets`), unless
    /// its sender already opened [`MAX_TICKETS_OPENED_BY_MAIL_PER_HOUR`].
    Open(Box<NewTicket>),
}

/// How many tickets one address may open by mail in an hour. A person
/// writing in about several failures stays under it; a loop with another
/// system's acknowledgements, or someone using apidesk to mail a victim
/// confirmation after confirmation, stops here.
pub const MAX_TICKETS_OPENED_BY_MAIL_PER_HOUR: usize = 3;

/// Whether a sender who opened `opened_this_hour` tickets by mail may open
/// another.
pub fn may_open_by_mail(opened_this_hour: usize) -> bool {
    opened_this_hour < MAX_TICKETS_OPENED_BY_MAIL_PER_HOUR
}

/// One address a delivery status report says mail could not reach.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bounce {
    pub address: String,
    /// The enhanced status code, e.g. `5.1.1`.
    pub status: String,
    /// The receiving server's words, when the report gives them.
    pub detail: String,
}

/// An address mail to which came back undeliverable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BouncedAddress {
    pub address: String,
    pub status: String,
    pub detail: String,
    pub bounced_at: OffsetDateTime,
}

/// A received mail, as staff see it listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboundRecord {
    pub id: i64,
    /// The ticket it was filed on or is about, if any.
    pub ticket_id: Option<i64>,
    pub sender: String,
    pub subject: String,
    pub received_at: OffsetDateTime,
    pub outcome: InboundOutcome,
    pub reason: String,
}

/// Where a received mail's thread leads: the ticket named by the mail of
/// apidesk's it answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailThread {
    pub ticket_id: i64,
    /// The ticket's requester, to tell their answer from anyone else's.
    pub requester_email: String,
}
