//! Bulk loading for `apidesk seed`: complete tickets, timelines included,
//! written in large batches by a writer the backend provides.

use time::OffsetDateTime;
use uuid::Uuid;

use super::StoreError;
use crate::tickets::{Author, EventKind, NewTicket, Priority, TicketStatus};

/// A complete ticket to store as it is: status, assignment and timeline
/// included. The store gives it the next free id.
#[derive(Debug, Clone)]
pub struct SeedTicket {
    pub token: Uuid,
    pub details: NewTicket,
    pub status: TicketStatus,
    pub priority: Priority,
    pub assignee_id: Option<i64>,
    pub first_response_at: Option<OffsetDateTime>,
    pub due_at: OffsetDateTime,
    pub similar_key: String,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    /// In time order; the first is normally the `created` event.
    pub events: Vec<SeedEvent>,
}

/// One entry of a ticket's timeline (`ticket_events`), public as its kind
/// says.
#[derive(Debug, Clone)]
pub struct SeedEvent {
    pub at: OffsetDateTime,
    pub by: Author,
    pub kind: EventKind,
    /// What was written (notes, replies, additions); empty otherwise.
    pub body: String,
}

/// What one batch stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeededBatch {
    /// The batch's tickets have the ids `first_id..first_id + tickets`.
    pub first_id: i64,
    pub tickets: usize,
    pub events: usize,
}

/// A backend's bulk writer: state of its own (a dedicated connection, say)
/// kept between batches.
#[async_trait::async_trait]
pub trait BatchWriter: Send {
    /// Stores a batch in one transaction; ids continue from the largest.
    async fn insert_batch(&mut self, batch: &[SeedTicket]) -> Result<SeededBatch, StoreError>;

    /// Makes the load durable and releases what the writer holds.
    async fn finish(self: Box<Self>) -> Result<(), StoreError>;
}

/// The seed command's handle on a backend's bulk writer.
pub struct SeedLoader(Box<dyn BatchWriter>);

impl std::fmt::Debug for SeedLoader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SeedLoader")
    }
}

impl SeedLoader {
    pub fn new(writer: Box<dyn BatchWriter>) -> Self {
        Self(writer)
    }

    /// Stores a batch of tickets and their events in one transaction; the
    /// batch's tickets get consecutive ids, reported in the result.
    pub async fn insert_batch(&mut self, batch: &[SeedTicket]) -> Result<SeededBatch, StoreError> {
        self.0.insert_batch(batch).await
    }

    /// Makes everything loaded durable; the command reports success after.
    pub async fn finish(self) -> Result<(), StoreError> {
        self.0.finish().await
    }
}
