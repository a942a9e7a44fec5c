//! Bulk loading for `apidesk seed`: synthetic tickets and their timelines,
//! written in large transactions on a connection of the loader's own.
//!
//! The loader's connection is *not* one of the pool's: it runs with a large
//! page cache, a setting that suits a bulk load and nothing else. It keeps
//! `synchronous = FULL`, as every write connection does: it may write beside
//! a running server, and with synchronous OFF its checkpoints would not
//! fsync the database before the WAL holding the server's acknowledged
//! tickets is reused. Each batch of thousands of tickets is one transaction,
//! so its fsyncs cost little. Closing it (`finish`) checkpoints the WAL.
//!
//! Into a database without tickets the whole load is one transaction,
//! without the secondary indexes and insert triggers (`seed_schema`): each
//! random-keyed index is then built once, sorted, instead of being updated
//! in random places a row at a time. A server writing to that database
//! waits for the seed; one with tickets gets the per-row path, batch by
//! batch, and keeps its indexes.

use sqlx::sqlite::SqliteConnection;
use sqlx::{ConnectOptions, Connection};

use async_trait::async_trait;

use super::seed_schema::{self, Dropped};
use super::{SqliteStore, time_text};
use crate::domain::HttpMethod;
use crate::store::{
    BatchWriter, SeedEvent, SeedLoader, SeedTicket, SeededBatch, Seeding, StoreError,
};
use crate::tickets::{Tool, problem};

/// Rows per multi-row INSERT. Tickets bind 24 values a row, events 8: both
/// stay under SQLite's limit of 32,766 bound values per statement.
const TICKET_ROWS: usize = 1_300;
const EVENT_ROWS: usize = 4_000;

/// Page cache for the loading connection, in KiB: the ticket indexes of a
/// million-row table fit, so index inserts rarely go to the file.
const LOADER_CACHE_KIB: i64 = 256 * 1024;

const TICKET_INSERT: &str = "INSERT INTO tickets (id, token, submission_id, error_code, message, \
     endpoint, method, occurred_at, tool, tool_other, recent_changes, environment, requester_name, \
     requester_email, tree_path, status, priority, assignee_id, first_response_at, due_at, \
     similar_key, created_at, updated_at, fingerprint) VALUES ";
const TICKET_PLACEHOLDERS: &str = "(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";

const EVENT_INSERT: &str = "INSERT INTO ticket_events (ticket_id, at, actor, actor_staff_id, kind, \
     public, body, data) VALUES ";
const EVENT_PLACEHOLDERS: &str = "(?,?,?,?,?,?,?,?)";

/// A dedicated connection for bulk loading; see the module documentation.
#[derive(Debug)]
pub(super) struct BulkConnection {
    conn: SqliteConnection,
    /// Set when the load into an empty database runs as one transaction,
    /// open since the loader started, with these indexes and triggers
    /// dropped.
    dropped: Option<Dropped>,
}

#[async_trait]
impl Seeding for SqliteStore {
    /// Opens a bulk-load connection to the same database as the pool.
    async fn seed_loader(&self, row_by_row: bool) -> Result<SeedLoader, StoreError> {
        let options = (*self.pool.connect_options())
            .clone()
            .pragma("cache_size", format!("-{LOADER_CACHE_KIB}"))
            .pragma("temp_store", "memory");
        let mut conn = options.connect().await?;
        super::durability::require(&mut conn).await?;
        let dropped = if row_by_row {
            None
        } else {
            sqlx::query("BEGIN IMMEDIATE").execute(&mut conn).await?;
            let dropped = seed_schema::drop_for_load(&mut conn).await?;
            if dropped.is_none() {
                sqlx::query("ROLLBACK").execute(&mut conn).await?;
            }
            dropped
        };
        Ok(SeedLoader::new(Box::new(BulkConnection { conn, dropped })))
    }
}

#[async_trait]
impl BatchWriter for BulkConnection {
    /// Stores a batch of tickets and their events in one `BEGIN IMMEDIATE`
    /// transaction, with multi-row INSERTs.
    /// In the fast path the batch joins the load's one transaction.
    async fn insert_batch(&mut self, batch: &[SeedTicket]) -> Result<SeededBatch, StoreError> {
        if self.dropped.is_some() {
            return insert_rows(&mut self.conn, batch).await;
        }
        let mut tx = self.conn.begin_with("BEGIN IMMEDIATE").await?;
        let stored = insert_rows(&mut tx, batch).await?;
        tx.commit().await?;
        Ok(stored)
    }

    /// Moves the load into the database file (a checkpoint, which also
    /// truncates the WAL the load grew) and closes the connection. The fast
    /// path first puts back its indexes and triggers and commits.
    async fn finish(mut self: Box<Self>) -> Result<(), StoreError> {
        if let Some(dropped) = self.dropped.take() {
            seed_schema::restore(&mut self.conn, dropped).await?;
            sqlx::query("COMMIT").execute(&mut self.conn).await?;
        }
        sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(&mut self.conn)
            .await?;
        Ok(self.conn.close().await?)
    }
}

/// Ids continue from the largest in the table, read under the write lock,
/// so concurrent writers (a running server) and earlier seeds are appended
/// to, never collided with.
async fn insert_rows(
    tx: &mut SqliteConnection,
    batch: &[SeedTicket],
) -> Result<SeededBatch, StoreError> {
    let max_id: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM tickets")
        .fetch_one(&mut *tx)
        .await?;
    let first_id = max_id + 1;

    for (chunk_index, chunk) in batch.chunks(TICKET_ROWS).enumerate() {
        let sql = values_sql(TICKET_INSERT, TICKET_PLACEHOLDERS, chunk.len());
        let mut query = sqlx::query(&sql);
        let chunk_first = first_id + (chunk_index * TICKET_ROWS) as i64;
        for (offset, t) in chunk.iter().enumerate() {
            let d = &t.details;
            query = query
                .bind(chunk_first + offset as i64)
                .bind(t.token.to_string())
                .bind(d.submission_id.to_string())
                .bind(d.error_code.as_str())
                .bind(d.message.as_str())
                .bind(d.endpoint.as_str())
                .bind(d.method.map(HttpMethod::as_str))
                .bind(d.occurred_at.map(time_text::to_text))
                .bind(d.tool.as_ref().map(Tool::as_str))
                .bind(d.tool.as_ref().map_or("", Tool::other_text))
                .bind(d.recent_changes.as_str())
                .bind(d.environment.as_str())
                .bind(d.name.as_str())
                .bind(d.email.as_str())
                .bind(d.path.join(","))
                .bind(t.status.as_str())
                .bind(t.priority.rank())
                .bind(t.assignee_id)
                .bind(t.first_response_at.map(time_text::to_text))
                .bind(time_text::to_text(t.due_at))
                .bind(t.similar_key.as_str())
                .bind(time_text::to_text(t.created_at))
                .bind(time_text::to_text(t.updated_at))
                .bind(problem::fingerprint(&t.similar_key, &d.email));
        }
        query.execute(&mut *tx).await?;
    }

    let events: Vec<(i64, &SeedEvent)> = batch
        .iter()
        .enumerate()
        .flat_map(|(offset, t)| {
            let id = first_id + offset as i64;
            t.events.iter().map(move |e| (id, e))
        })
        .collect();
    for chunk in events.chunks(EVENT_ROWS) {
        let sql = values_sql(EVENT_INSERT, EVENT_PLACEHOLDERS, chunk.len());
        let mut query = sqlx::query(&sql);
        for (ticket_id, e) in chunk {
            query = query
                .bind(*ticket_id)
                .bind(time_text::to_text(e.at))
                .bind(e.by.as_str())
                .bind(e.by.staff_id())
                .bind(e.kind.name())
                .bind(i64::from(e.kind.is_public()))
                .bind(e.body.as_str())
                .bind(e.kind.data());
        }
        query.execute(&mut *tx).await?;
    }

    Ok(SeededBatch {
        first_id,
        tickets: batch.len(),
        events: events.len(),
    })
}

/// `INSERT … VALUES (?,…),(?,…)` for `rows` rows. The text depends only on
/// the row count, so full chunks reuse one cached prepared statement.
fn values_sql(insert: &str, placeholders: &str, rows: usize) -> String {
    let mut sql = String::with_capacity(insert.len() + rows * (placeholders.len() + 1));
    sql.push_str(insert);
    for row in 0..rows {
        if row > 0 {
            sql.push(',');
        }
        sql.push_str(placeholders);
    }
    sql
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_sql_repeats_the_placeholders() {
        assert_eq!(
            values_sql("INSERT INTO t (a, b) VALUES ", "(?,?)", 3),
            "INSERT INTO t (a, b) VALUES (?,?),(?,?),(?,?)"
        );
    }
}
