//! Problems: writing a ticket into one (or out of one) as
//! `tickets::problem` says, and reading them for staff. Joining happens
//! inside the write that gives a ticket its fingerprint (filing it, or its
//! requester completing it), so two identical tickets filed at once cannot
//! both start a problem.

use async_trait::async_trait;
use sqlx::{Row, SqliteConnection};
use time::OffsetDateTime;

use super::decode::{self, parsed};
use super::{SqliteStore, time_text, webhooks};
use crate::store::{Problems, StoreError};
use crate::tickets::TicketStatus;
use crate::tickets::problem::{Problem, ProblemMember, WINDOW};

/// Settled tickets: a problem whose lead is settled is resolved.
const SETTLED: &str = "('resolved', 'closed')";

/// Groups ticket `id`, just given `fingerprint` at `at`, with the tickets
/// failing the same way: into the unresolved problem last seen within the
/// window, or with an unresolved ticket standing alone into a new one.
/// Endpoints whose threshold the problem reaches hear of it.
pub(super) async fn join(
    conn: &mut SqliteConnection,
    id: i64,
    fingerprint: &str,
    at: OffsetDateTime,
) -> Result<(), sqlx::Error> {
    if fingerprint.is_empty() {
        return Ok(());
    }
    let now = time_text::to_text(at);
    let since = time_text::to_text(at - WINDOW);
    let open: Option<i64> = sqlx::query_scalar(&format!(
        "SELECT p.id FROM problems p JOIN tickets lead ON lead.id = p.lead_ticket_id \
         WHERE p.fingerprint = ?1 AND p.last_seen >= ?2 AND lead.status NOT IN {SETTLED} \
         ORDER BY p.last_seen DESC, p.id DESC LIMIT 1"
    ))
    .bind(fingerprint)
    .bind(&since)
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(problem) = open {
        sqlx::query("UPDATE tickets SET problem_id = ?, folded = 1 WHERE id = ?")
            .bind(problem)
            .bind(id)
            .execute(&mut *conn)
            .await?;
        sqlx::query(
            "UPDATE problems SET occurrences = occurrences + 1, last_seen = max(last_seen, ?) \
             WHERE id = ?",
        )
        .bind(&now)
        .bind(problem)
        .execute(&mut *conn)
        .await?;
        return webhooks::enqueue_for_problem(conn, problem, at).await;
    }
    // The newest such ticket; it leads, being the older of the two (a
    // ticket completed late joins one filed after it as a member all the
    // same: the lead is the ticket that was there).
    let alone: Option<(i64, String)> = sqlx::query_as(&format!(
        "SELECT id, created_at FROM tickets \
         WHERE fingerprint = ?1 AND created_at >= ?2 AND id <> ?3 AND problem_id IS NULL \
         AND ungrouped = 0 AND merged_into_id IS NULL AND status NOT IN {SETTLED} \
         ORDER BY created_at DESC, id DESC LIMIT 1"
    ))
    .bind(fingerprint)
    .bind(&since)
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some((lead, first_seen)) = alone else {
        return Ok(());
    };
    let problem: i64 = sqlx::query_scalar(
        "INSERT INTO problems (fingerprint, lead_ticket_id, occurrences, first_seen, last_seen) \
         VALUES (?, ?, 2, ?, max(?, ?)) RETURNING id",
    )
    .bind(fingerprint)
    .bind(lead)
    .bind(&first_seen)
    .bind(&first_seen)
    .bind(&now)
    .fetch_one(&mut *conn)
    .await?;
    sqlx::query("UPDATE tickets SET problem_id = ?1, folded = (id <> ?2) WHERE id IN (?2, ?3)")
        .bind(problem)
        .bind(lead)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    webhooks::enqueue_for_problem(conn, problem, at).await
}

/// Takes ticket `id` (already written out of it) out of `problem`: counted
/// one fewer; a lead split out is followed by the oldest unsettled member
/// left; a problem left with one ticket is dissolved.
pub(super) async fn leave(
    conn: &mut SqliteConnection,
    problem: i64,
    id: i64,
) -> Result<(), sqlx::Error> {
    let left: Vec<i64> = sqlx::query_scalar(&format!(
        "SELECT id FROM tickets WHERE problem_id = ? \
         ORDER BY status IN {SETTLED}, created_at, id LIMIT 2"
    ))
    .bind(problem)
    .fetch_all(&mut *conn)
    .await?;
    if left.len() < 2 {
        sqlx::query("UPDATE tickets SET problem_id = NULL, folded = 0 WHERE problem_id = ?")
            .bind(problem)
            .execute(&mut *conn)
            .await?;
        sqlx::query("DELETE FROM problems WHERE id = ?")
            .bind(problem)
            .execute(&mut *conn)
            .await?;
        return Ok(());
    }
    let led: bool = sqlx::query_scalar(
        "UPDATE problems SET occurrences = occurrences - 1 WHERE id = ? \
         RETURNING lead_ticket_id = ?",
    )
    .bind(problem)
    .bind(id)
    .fetch_one(&mut *conn)
    .await?;
    if led {
        sqlx::query("UPDATE problems SET lead_ticket_id = ? WHERE id = ?")
            .bind(left[0])
            .bind(problem)
            .execute(&mut *conn)
            .await?;
        sqlx::query("UPDATE tickets SET folded = 0 WHERE id = ?")
            .bind(left[0])
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

#[async_trait]
impl Problems for SqliteStore {
    async fn problem(&self, id: i64) -> Result<Option<Problem>, StoreError> {
        let row = sqlx::query(
            "SELECT id, lead_ticket_id, occurrences, first_seen, last_seen \
             FROM problems WHERE id = ?",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        Ok(Some(Problem {
            id: row.try_get("id")?,
            lead_id: row.try_get("lead_ticket_id")?,
            occurrences: row.try_get("occurrences")?,
            first_seen: decode::time(&row, "first_seen")?,
            last_seen: decode::time(&row, "last_seen")?,
        }))
    }

    async fn problem_members(&self, id: i64, limit: u32) -> Result<Vec<ProblemMember>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, status, created_at, requester_email, folded FROM tickets \
             WHERE problem_id = ? ORDER BY id LIMIT ?",
        )
        .bind(id)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        let mut members = Vec::with_capacity(rows.len());
        for row in &rows {
            members.push(ProblemMember {
                id: row.try_get("id")?,
                status: parsed(row, "status", TicketStatus::parse)?,
                created_at: decode::time(row, "created_at")?,
                requester_email: row.try_get("requester_email")?,
                folded: row.try_get("folded")?,
            });
        }
        Ok(members)
    }

    async fn folded_members(
        &self,
        leads: &[i64],
        unsettled_only: bool,
    ) -> Result<Vec<i64>, StoreError> {
        let mut ids = Vec::new();
        for &lead in leads {
            let settled = if unsettled_only {
                format!(" AND t.status NOT IN {SETTLED} AND t.merged_into_id IS NULL")
            } else {
                String::new()
            };
            let found: Vec<i64> = sqlx::query_scalar(&format!(
                "SELECT t.id FROM problems p JOIN tickets t ON t.problem_id = p.id \
                 WHERE p.lead_ticket_id = ? AND t.folded = 1{settled} ORDER BY t.id"
            ))
            .bind(lead)
            .fetch_all(&self.pool)
            .await?;
            ids.extend(found);
        }
        Ok(ids)
    }
}

#[cfg(test)]
mod tests;
