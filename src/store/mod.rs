//! Storage: every SQL statement apidesk runs, behind a seam. Handlers, the
//! CLI and the seed command hold a `Store` and speak in domain types
//! (`backend` lists what they may ask); the only backend, SQLite, lives in
//! `sqlite/` with its SQL, its timestamp text and its full-text syntax, so
//! another backend can later be added beside it without touching `web/` or
//! `tickets/`.

mod backend;
mod error;
mod rows;
mod seed;
mod sqlite;

use std::ops::Deref;
use std::sync::Arc;

use crate::tickets::OutgoingMail;

pub use backend::Insights;
pub use backend::{
    Actions, ApiTokens, Attachments, Backend, Backups, BulkEdits, Deflections, Health, Inbox,
    Incidents, Outbox, Problems, Queue, SavedViews, SecondFactors, Seeding, Sessions, Settings,
    StaffAccounts, Tickets, Timelines, Webhooks,
};
pub use backend::{Macros, Workspace};
pub use error::{
    AccountChangeError, ActionError, AddStaffError, BudgetError, Cause, SaveViewError, StoreError,
};
pub use rows::{
    ApiFiled, InsertOutcome, LoginAttempt, OutboxDepth, PoolLoad, QueuePage, QueueRow, RowProblem,
    SimilarTicket,
};
pub use rows::{RequesterTicket, SeenUpTo, Together, Viewer};
pub use seed::{BatchWriter, SeedEvent, SeedLoader, SeedTicket, SeededBatch};
pub use sqlite::Copied;

/// A handle on the database; clones share one backend (and its pool).
///
/// It dereferences to the backend, so `store.ticket_by_id(id)` calls the
/// `Tickets` method of whichever backend `connect` chose.
#[derive(Clone)]
pub struct Store {
    backend: Arc<dyn Backend>,
}

impl Store {
    /// Opens (creating if needed) the database and brings its schema up to
    /// date, with outgoing mail off. SQLite is the only backend so far.
    pub async fn connect(database_url: &str) -> anyhow::Result<Self> {
        Self::connect_with(database_url, OutgoingMail::Off).await
    }

    /// As [`Store::connect`]; mail the outbox records is to be sent as
    /// `outgoing` says (on when SMTP is configured).
    pub async fn connect_with(database_url: &str, outgoing: OutgoingMail) -> anyhow::Result<Self> {
        let backend = sqlite::SqliteStore::connect(database_url, outgoing).await?;
        Ok(Self::new(backend))
    }

    /// Replaces the database at `database_url` with the backup `from`, for
    /// a deployment that is stopped (refused while anything has it open).
    pub async fn restore(database_url: &str, from: &std::path::Path) -> anyhow::Result<Copied> {
        sqlite::restore(database_url, from).await
    }

    pub fn new(backend: impl Backend + 'static) -> Self {
        Self {
            backend: Arc::new(backend),
        }
    }
}

impl Deref for Store {
    type Target = dyn Backend;

    fn deref(&self) -> &Self::Target {
        self.backend.as_ref()
    }
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Store")
    }
}
