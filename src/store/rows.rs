//! What the store hands back besides the domain's own types: rows shaped
//! for one page (the queue, the similar tickets) and receipts of a write.

use time::OffsetDateTime;
use uuid::Uuid;

use crate::domain::ErrorCode;
use crate::tickets::queue::Cursor;
use crate::tickets::{Environment, Priority, TicketStatus, Tool};

/// What storing a ticket did: created it, or found the one an earlier submit
/// of the same form had already created.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InsertOutcome {
    Created(Uuid),
    AlreadyFiled(Uuid),
}

impl InsertOutcome {
    pub fn token(self) -> Uuid {
        match self {
            Self::Created(token) | Self::AlreadyFiled(token) => token,
        }
    }
}

/// What filing through the API did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApiFiled {
    /// A new ticket, by id.
    Filed(i64),
    /// The key was used with the same body: the ticket it filed.
    Replayed(i64),
    /// The key was used with another body: nothing filed.
    KeyReused,
}

/// One row of the queue: what a person scanning the list needs.
#[derive(Debug, Clone)]
pub struct QueueRow {
    pub id: i64,
    pub reference: String,
    pub error_code: ErrorCode,
    /// The start of the message (a few hundred characters at most).
    pub message_start: String,
    pub endpoint: String,
    /// `None` until the requester of a ticket opened by mail names it.
    pub tool: Option<Tool>,
    pub environment: Environment,
    pub requester_name: String,
    pub requester_email: String,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    pub priority: Priority,
    pub status: TicketStatus,
    pub due_at: Option<OffsetDateTime>,
    pub first_response_at: Option<OffsetDateTime>,
    pub assignee_name: Option<String>,
    /// The problem the ticket belongs to, if it is grouped.
    pub problem: Option<RowProblem>,
    pub(in crate::store) cursor: Cursor,
}

/// A queue row's problem: the row stands for it when the ticket leads it.
#[derive(Debug, Clone)]
pub struct RowProblem {
    pub lead_id: i64,
    pub occurrences: i64,
    pub first_seen: OffsetDateTime,
    pub last_seen: OffsetDateTime,
}

#[derive(Debug, Clone)]
pub struct QueuePage {
    pub rows: Vec<QueueRow>,
    /// Where the next page starts, if there is one.
    pub next: Option<Cursor>,
}

/// Another ticket with the same similar key, for the "similar tickets" list.
#[derive(Debug, Clone)]
pub struct SimilarTicket {
    pub id: i64,
    pub reference: String,
    pub status: TicketStatus,
    pub created_at: OffsetDateTime,
    /// The start of the message (two hundred characters at most).
    pub message_start: String,
    pub endpoint: String,
}

/// A sign-in attempt recorded before the password is checked.
#[derive(Debug)]
#[must_use = "a reserved attempt counts as a failure until released"]
pub struct LoginAttempt(pub(in crate::store) Vec<i64>);

/// What applying a composer's commands together did: all of them, or none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Together {
    /// Every command applied, in one transaction; each one's outcome.
    Applied(Vec<crate::tickets::Outcome>),
    /// The command at `index` was refused, so none was applied.
    Refused {
        index: usize,
        refusal: crate::tickets::Refusal,
    },
    /// Someone else acted on the ticket after the form was loaded: nothing
    /// was applied. The ids of their events.
    Stale(Vec<i64>),
}

/// The form's view of the ticket: who submits it, and the newest event it
/// showed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeenUpTo {
    pub staff_id: i64,
    pub event_id: i64,
}

/// Another staff member who has a ticket open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Viewer {
    pub staff_id: i64,
    pub name: String,
    pub seen_at: OffsetDateTime,
}

/// One of a requester's tickets, for the list beside another of theirs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequesterTicket {
    pub id: i64,
    pub status: TicketStatus,
    pub error_code: ErrorCode,
    pub created_at: OffsetDateTime,
    /// The start of the message (two hundred characters at most).
    pub message_start: String,
}

/// The connection pool at one moment: connections open, and of those idle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolLoad {
    pub open: u32,
    pub idle: u32,
}

/// Deliveries waiting in the outbox (pending, sent neither yet nor given up).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutboxDepth {
    pub mail: u64,
    pub webhooks: u64,
}
