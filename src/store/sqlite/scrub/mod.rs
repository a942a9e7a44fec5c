//! The one sanctioned rewrite of stored text. Versions before redaction
//! stored credentials as typed: in tickets, in the timeline, in the search
//! index and in received mail's subjects. On the first start of a version
//! that redacts, every such text is redacted in place (the timeline's
//! append-only trigger is lifted for that one transaction and put back as it
//! was), the search entries of the tickets touched are written again, the
//! search index is merged so no deleted entry survives in it, and the file
//! is vacuumed: the pages that held the old bytes (and those freed by
//! earlier table rebuilds, which held copies) are gone from the file, and
//! the WAL is truncated. Done once; a setting records it.

use std::collections::BTreeSet;
use std::time::Instant;

use anyhow::Context;
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use sqlx::{Connection, Row};

use crate::tickets::redact::redact;

/// The setting that records the rewrite was done.
const DONE: &str = "stored_text_redacted";

/// Rows read per batch: the text of a batch is redacted off the async
/// workers at once.
const BATCH: i64 = 2_000;

/// A text column of one row, as redaction leaves it.
struct Rewrite {
    table: &'static str,
    column: &'static str,
    id: i64,
    /// The ticket whose search entries hold it.
    ticket_id: Option<i64>,
    text: String,
}

pub(super) async fn scrub(options: &SqliteConnectOptions) -> anyhow::Result<()> {
    let mut conn = SqliteConnection::connect_with(options).await?;
    super::durability::require(&mut conn).await?;
    let result = scrub_on(&mut conn).await;
    conn.close().await.ok();
    result.context("cannot redact the text stored by an earlier version")
}

async fn scrub_on(conn: &mut SqliteConnection) -> anyhow::Result<()> {
    let done: Option<String> = sqlx::query_scalar("SELECT value FROM settings WHERE key = ?")
        .bind(DONE)
        .fetch_optional(&mut *conn)
        .await?;
    if done.is_some() {
        return Ok(());
    }
    let stored: i64 = sqlx::query_scalar(
        "SELECT (SELECT COUNT(*) FROM tickets) + (SELECT COUNT(*) FROM mail_inbound)",
    )
    .fetch_one(&mut *conn)
    .await?;
    if stored > 0 {
        tracing::info!(
            "taking credentials out of the text stored by an earlier version, then compacting \
             the file; on a large database this can take a minute or more"
        );
    }
    let started = Instant::now();
    let mut rewrites = Vec::new();
    for (table, column, ticket_of, filter) in [
        ("tickets", "message", Some("id"), ""),
        ("tickets", "endpoint", Some("id"), ""),
        ("tickets", "recent_changes", Some("id"), ""),
        ("tickets", "tool_other", None, ""),
        ("ticket_events", "body", Some("ticket_id"), "AND body <> ''"),
        ("mail_inbound", "subject", None, ""),
    ] {
        rewrites.extend(changed(conn, table, column, ticket_of, filter).await?);
    }
    let touched: BTreeSet<i64> = rewrites.iter().filter_map(|r| r.ticket_id).collect();
    let mut tx = conn.begin().await?;
    let trigger: Option<String> = sqlx::query_scalar(
        "SELECT sql FROM sqlite_schema WHERE type = 'trigger' \
         AND name = 'ticket_events_append_only_update'",
    )
    .fetch_optional(&mut *tx)
    .await?;
    sqlx::query("DROP TRIGGER IF EXISTS ticket_events_append_only_update")
        .execute(&mut *tx)
        .await?;
    for rewrite in &rewrites {
        // Table and column come from the fixed list above, never from input.
        let sql = format!(
            "UPDATE {} SET {} = ? WHERE id = ?",
            rewrite.table, rewrite.column
        );
        sqlx::query(&sql)
            .bind(&rewrite.text)
            .bind(rewrite.id)
            .execute(&mut *tx)
            .await?;
    }
    if let Some(trigger) = trigger {
        sqlx::query(&trigger).execute(&mut *tx).await?;
    }
    for ticket in &touched {
        reindex(&mut tx, *ticket).await?;
    }
    sqlx::query("INSERT INTO settings (key, value) VALUES (?, ?)")
        .bind(DONE)
        .bind(rewrites.len().to_string())
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    if stored > 0 {
        // Deleted search entries live on in older segments until merged.
        sqlx::query("INSERT INTO ticket_search (ticket_search) VALUES ('optimize')")
            .execute(&mut *conn)
            .await?;
        sqlx::query("VACUUM").execute(&mut *conn).await?;
        sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(&mut *conn)
            .await?;
        tracing::info!(
            texts = rewrites.len(),
            tickets = touched.len(),
            seconds = started.elapsed().as_secs_f64(),
            "stored text redacted and the file compacted"
        );
    }
    Ok(())
}

/// Every value of `table.column` that redaction changes, read in batches.
async fn changed(
    conn: &mut SqliteConnection,
    table: &'static str,
    column: &'static str,
    ticket_of: Option<&'static str>,
    filter: &str,
) -> anyhow::Result<Vec<Rewrite>> {
    let ticket = ticket_of.unwrap_or("NULL");
    let sql = format!(
        "SELECT id, {ticket} AS ticket_id, {column} AS text FROM {table} \
         WHERE id > ? {filter} ORDER BY id LIMIT ?"
    );
    let mut out = Vec::new();
    let mut after = 0_i64;
    loop {
        let rows = sqlx::query(&sql)
            .bind(after)
            .bind(BATCH)
            .fetch_all(&mut *conn)
            .await?;
        let Some(last) = rows.last() else {
            break;
        };
        after = last.try_get("id")?;
        let batch = rows
            .iter()
            .map(|row| {
                Ok((
                    row.try_get::<i64, _>("id")?,
                    row.try_get::<Option<i64>, _>("ticket_id")?,
                    row.try_get::<String, _>("text")?,
                ))
            })
            .collect::<Result<Vec<_>, sqlx::Error>>()?;
        let redacted = tokio::task::spawn_blocking(move || {
            batch
                .into_iter()
                .filter_map(|(id, ticket_id, text)| {
                    let done = redact(&text);
                    (!done.is_clean()).then_some((id, ticket_id, done.text))
                })
                .collect::<Vec<_>>()
        })
        .await?;
        out.extend(redacted.into_iter().map(|(id, ticket_id, text)| Rewrite {
            table,
            column,
            id,
            ticket_id,
            text,
        }));
    }
    Ok(out)
}

/// Writes a ticket's search entries again from its stored text, as the
/// triggers of migrations 0004 and 0008 would have.
async fn reindex(conn: &mut SqliteConnection, ticket: i64) -> Result<(), sqlx::Error> {
    let first = ticket * 1_048_576;
    sqlx::query("DELETE FROM ticket_search WHERE rowid BETWEEN ? AND ?")
        .bind(first)
        .bind(first + 1_048_575)
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "INSERT INTO ticket_search (rowid, body) \
         SELECT id * 1048576, message || ' ' || endpoint || ' ' || recent_changes \
         FROM tickets WHERE id = ?1 \
         UNION ALL \
         SELECT ?1 * 1048576 + ROW_NUMBER() OVER (ORDER BY id), body FROM ticket_events \
         WHERE ticket_id = ?1 AND kind IN ('note', 'reply', 'requester_reply') AND body <> ''",
    )
    .bind(ticket)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests;
