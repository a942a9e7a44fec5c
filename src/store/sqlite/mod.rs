//! The SQLite backend: every SQL statement apidesk runs, one file per
//! aggregate, each implementing its part of the seam (`store::backend`).
//! SQLite's types, its timestamp text and its full-text syntax stay under
//! this module; its errors leave it only as the opaque cause of a
//! `StoreError`.

mod attachments;
mod backup;
mod budget;
mod bulk;
mod decode;
mod deflections;
mod durability;
mod inbox;
mod incidents;
mod insights;
mod macros;
mod migrate;
mod outbox;
mod problems;
mod queue;
mod saved_views;
mod scrub;
mod search_index;
mod second_factors;
mod seed;
mod seed_schema;
mod sessions;
mod settings;
mod staff;
mod ticket_actions;
mod tickets;
mod time_text;
mod timeline;
mod tokens;
mod webhooks;
mod workspace;
mod writer;

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use anyhow::Context;
use async_trait::async_trait;
use sqlx::query::Query;
use sqlx::sqlite::{SqliteArguments, SqliteConnectOptions, SqlitePoolOptions, SqliteQueryResult};
use sqlx::{Sqlite, SqliteConnection, SqlitePool};

use super::{BudgetError, Health, OutboxDepth, PoolLoad, StoreError};
use crate::tickets::OutgoingMail;
pub use backup::{Copied, restore};

/// The SQLite backend on one database file: a pool of connections that
/// read, and the writer that owns the one that writes (`writer`). In WAL
/// mode readers never wait for the writer, nor it for them.
#[derive(Clone, Debug)]
pub struct SqliteStore {
    /// For reads. Writes go through `writer` (tests may write here).
    pool: SqlitePool,
    writer: writer::Writer,
    /// Whether mail written to the outbox is to be sent.
    outgoing: OutgoingMail,
}

impl SqliteStore {
    /// Opens (creating if needed) the database and brings its schema up to
    /// date; mail written to the outbox is sent or not as `outgoing` says.
    pub async fn connect(database_url: &str, outgoing: OutgoingMail) -> anyhow::Result<Self> {
        let options = SqliteConnectOptions::from_str(database_url)
            .with_context(|| format!("invalid database URL {database_url:?}"))?;
        // WAL and synchronous=FULL: an acknowledged ticket survives a power cut.
        let options = durability::durable(options)
            .create_if_missing(true)
            .foreign_keys(true)
            // Deleted and rewritten content is overwritten, not left in free
            // pages: what redaction or a later deletion removes is gone.
            .pragma("secure_delete", "on")
            .busy_timeout(Duration::from_secs(5));
        if let Some(parent) = Path::new(options.get_filename()).parent()
            && !parent.as_os_str().is_empty()
        {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("cannot create the folder {}", parent.display()))?;
        }
        create_private_file(options.get_filename())?;
        migrate::apply(&options)
            .await
            .with_context(|| format!("cannot prepare the database {database_url}"))?;
        scrub::scrub(&options)
            .await
            .with_context(|| format!("cannot prepare the database {database_url}"))?;
        let writer = writer::Writer::start(options.clone())
            .await
            .with_context(|| format!("cannot open the database {database_url}"))?;
        let pool = pool_options()
            .max_connections(READERS)
            .acquire_timeout(READ_WAIT)
            .after_connect(|conn, _| Box::pin(read_only(conn)))
            .connect_with(options)
            .await
            .with_context(|| format!("cannot open the database {database_url}"))?;
        Ok(Self {
            pool,
            writer,
            outgoing,
        })
    }

    /// Runs `work` in the next group commit (see `writer`): kept if it
    /// returns `Ok`, rolled back otherwise, answered once durable. The wait
    /// from asking to the answer is what `/metrics` reports as
    /// `apidesk_db_write_wait_seconds`.
    async fn write<F, T, E>(&self, work: F) -> Result<T, E>
    where
        F: for<'c> FnOnce(&'c mut SqliteConnection) -> writer::Work<'c, Result<T, E>>
            + Send
            + 'static,
        T: Send + 'static,
        E: From<sqlx::Error> + Send + 'static,
    {
        self.writer.write(work).await
    }

    /// One statement on its own, in the next group commit.
    async fn execute(
        &self,
        statement: Query<'static, Sqlite, SqliteArguments<'static>>,
    ) -> Result<SqliteQueryResult, sqlx::Error> {
        self.write(move |tx| Box::pin(statement.execute(tx))).await
    }

    /// As [`SqliteStore::write`], kept only when `keep` says so of the
    /// result.
    async fn write_keeping<F, T, E>(&self, work: F, keep: fn(&Result<T, E>) -> bool) -> Result<T, E>
    where
        F: for<'c> FnOnce(&'c mut SqliteConnection) -> writer::Work<'c, Result<T, E>>
            + Send
            + 'static,
        T: Send + 'static,
        E: From<sqlx::Error> + Send + 'static,
    {
        self.writer.write_keeping(work, keep).await
    }
}

/// A read connection refuses writes: every write goes through the writer,
/// and one that slipped past it would queue on SQLite's lock instead.
async fn read_only(conn: &mut SqliteConnection) -> Result<(), sqlx::Error> {
    durability::require(conn).await?;
    sqlx::query("PRAGMA query_only = ON").execute(conn).await?;
    Ok(())
}

/// Connections for reads: pages, the queue, search and insights run side by
/// side while the writer commits (WAL readers take no lock), so a handful
/// per core keeps both cores busy without holding much memory each.
const READERS: u32 = 8;

/// How long a read waits for a free connection before its request fails
/// with an error page rather than hanging.
const READ_WAIT: Duration = Duration::from_secs(10);

/// The read pool's settings but its size. A connection given back with a
/// transaction still counted open (its caller dropped mid-way) is closed
/// rather than reused: sqlx would refuse to begin another on it.
fn pool_options() -> SqlitePoolOptions {
    SqlitePoolOptions::new().after_release(|conn, _| {
        Box::pin(async move {
            use sqlx::{Database, TransactionManager};
            Ok(<Sqlite as Database>::TransactionManager::get_transaction_depth(conn) == 0)
        })
    })
}

#[async_trait]
impl Health for SqliteStore {
    async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    async fn close(&self) {
        self.writer.close().await;
        self.pool.close().await;
    }

    fn pool_load(&self) -> PoolLoad {
        PoolLoad {
            open: self.pool.size(),
            idle: u32::try_from(self.pool.num_idle()).unwrap_or(u32::MAX),
        }
    }

    async fn outbox_depth(&self) -> Result<OutboxDepth, StoreError> {
        let (mail, webhooks): (i64, i64) = sqlx::query_as(
            "SELECT (SELECT COUNT(*) FROM mail_outbox WHERE state = 'pending'), \
                    (SELECT COUNT(*) FROM webhook_deliveries WHERE state = 'pending')",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(OutboxDepth {
            mail: u64::try_from(mail).unwrap_or_default(),
            webhooks: u64::try_from(webhooks).unwrap_or_default(),
        })
    }
}

/// SQLite's errors leave the backend only as an opaque cause.
impl From<sqlx::Error> for StoreError {
    fn from(err: sqlx::Error) -> Self {
        StoreError::new(err)
    }
}

impl From<sqlx::Error> for BudgetError {
    fn from(err: sqlx::Error) -> Self {
        BudgetError::Database(err.into())
    }
}

impl From<sqlx::Error> for super::ActionError {
    fn from(err: sqlx::Error) -> Self {
        super::ActionError::Database(err.into())
    }
}

impl From<sqlx::Error> for super::SaveViewError {
    fn from(err: sqlx::Error) -> Self {
        super::SaveViewError::Database(err.into())
    }
}

impl From<sqlx::Error> for super::AddStaffError {
    fn from(err: sqlx::Error) -> Self {
        super::AddStaffError::Database(err.into())
    }
}

impl From<sqlx::Error> for super::AccountChangeError {
    fn from(err: sqlx::Error) -> Self {
        super::AccountChangeError::Database(err.into())
    }
}

/// Creates the database file readable by its owner only, before SQLite
/// does with the process's umask (usually 0644): it holds the CSRF key and
/// session hashes. SQLite gives the `-wal` and `-shm` files the same mode.
fn create_private_file(path: &Path) -> anyhow::Result<()> {
    if path.as_os_str().is_empty() || path.as_os_str() == ":memory:" || path.exists() {
        return Ok(());
    }
    match backup::create_owner_only(path) {
        Ok(_) => Ok(()),
        // Another process created it first: fine, it is theirs to have made.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e).with_context(|| format!("cannot create {}", path.display())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{Queue, Tickets};
    use crate::tickets::{ResponseTargets, TicketInput};
    use time::OffsetDateTime;

    async fn store_with_a_ticket() -> (SqliteStore, tempfile::TempDir) {
        store_with_tickets(1).await
    }

    /// As [`store_with_tickets`], with an admin, Ada, as staff member 1.
    pub(super) async fn with_admin(count: usize) -> (SqliteStore, tempfile::TempDir) {
        let (store, dir) = store_with_tickets(count).await;
        store
            .execute(sqlx::query(
                "INSERT INTO staff (email, name, role, password_hash, created_at) \
             VALUES ('ada@example.com', 'Ada', 'admin', 'x', '2026-01-01T00:00:00Z')",
            ))
            .await
            .unwrap();
        (store, dir)
    }

    /// A fresh database holding `count` tickets, with ids from 1.
    pub(super) async fn store_with_tickets(count: usize) -> (SqliteStore, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}/t.db", dir.path().display());
        let store = SqliteStore::connect(&url, OutgoingMail::On).await.unwrap();
        let now = OffsetDateTime::now_utc();
        for _ in 0..count {
            let ticket = TicketInput::example("req@example.com")
                .validate(now)
                .unwrap();
            let triage = ticket.triage(now, &ResponseTargets::default());
            store.insert_ticket(&ticket, &triage, now).await.unwrap();
        }
        (store, dir)
    }

    #[tokio::test]
    async fn the_timeline_refuses_edits_and_deletions() {
        let (store, _dir) = store_with_a_ticket().await;
        for sql in [
            "UPDATE ticket_events SET body = 'rewritten'",
            "DELETE FROM ticket_events",
        ] {
            let err = store.execute(sqlx::query(sql)).await.unwrap_err();
            assert!(err.to_string().contains("append-only"), "{sql}: {err}");
        }
        let events: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM ticket_events")
            .fetch_one(&store.pool)
            .await
            .unwrap();
        assert_eq!(events, 1);
    }

    #[tokio::test]
    async fn status_counters_follow_the_tickets() {
        let (store, _dir) = store_with_a_ticket().await;
        let counts = store.status_counts().await.unwrap();
        assert_eq!(counts[0], (crate::tickets::TicketStatus::New, 1));
        assert!(counts[1..].iter().all(|(_, n)| *n == 0));
        store
            .execute(sqlx::query("UPDATE tickets SET status = 'closed'"))
            .await
            .unwrap();
        let counts = store.status_counts().await.unwrap();
        assert_eq!(counts[0].1, 0);
        assert_eq!(counts[4], (crate::tickets::TicketStatus::Closed, 1));
    }
}
