//! Bulk edits: applied in one transaction with their deliveries held for
//! the undo window, recorded so their author can undo them within it.

use async_trait::async_trait;
use sqlx::{Row, SqliteConnection};
use time::OffsetDateTime;

use super::decode::{self, optional_time};
use super::ticket_actions::apply_in_savepoint;
use super::{SqliteStore, time_text};
use crate::store::{BulkEdits, StoreError};
use crate::tickets::bulk::{
    BulkChange, BulkEdit, FieldOutcome, Restore, Snapshot, UNDO_WINDOW, Undo, summary, undo_note,
};
use crate::tickets::workflow::{Actor, Command, Request};
use crate::tickets::{Priority, ResponseTargets, TicketStatus};

/// Bulk edits are kept this long after their window, then pruned.
const KEPT_FOR: time::Duration = time::Duration::days(1);

/// Why an undone edit's mail was not sent, for the outbox page.
const UNDONE: &str = "Not sent: the bulk edit that caused it was undone.";

#[async_trait]
impl BulkEdits for SqliteStore {
    /// Gives each ticket the commands of `change`, one savepoint per
    /// command, all in one transaction; holds what it sends until the undo
    /// window has passed; records the edit. Returns the edit's id.
    async fn apply_bulk(
        &self,
        actor: Actor,
        staff_id: i64,
        tickets: &[i64],
        change: &BulkChange,
        staff_names: &[(i64, String)],
        targets: &ResponseTargets,
        at: OffsetDateTime,
    ) -> Result<i64, StoreError> {
        let commands = change.commands();
        let hold = at + UNDO_WINDOW;
        let outgoing = self.outgoing;
        let (tickets, change, staff_names, targets) = (
            tickets.to_owned(),
            change.to_owned(),
            staff_names.to_owned(),
            targets.to_owned(),
        );
        self.write(move |tx| {
            Box::pin(async move {
                let (tickets, change, staff_names, targets) =
                    (&tickets, &change, &staff_names, &targets);
                let (mail_after, hooks_after) = outbox_heads(&mut *tx).await?;
                // Every ticket as it was before any of them changed: settling a
                // problem's lead changes its members too (they come out from under it).
                let mut befores = Vec::with_capacity(tickets.len());
                for &ticket in tickets {
                    if let Some(before) = snapshot(&mut *tx, ticket).await? {
                        befores.push((ticket, before));
                    }
                }
                let mut outcomes = Vec::with_capacity(befores.len());
                let mut changed = Vec::new();
                for (ticket, before) in befores {
                    let mut results = Vec::with_capacity(commands.len());
                    for command in &commands {
                        let request = Request {
                            ticket,
                            actor,
                            command: command.clone(),
                            at,
                        };
                        let outcome =
                            apply_in_savepoint(&mut *tx, &request, targets, outgoing).await?;
                        results.push(match outcome {
                            Ok(outcome) if outcome.changed() => FieldOutcome::Changed,
                            Ok(_) => FieldOutcome::Unchanged,
                            Err(refusal) => FieldOutcome::Refused(refusal),
                        });
                    }
                    if let Some(left) = snapshot(&mut *tx, ticket).await?
                        && left != before
                    {
                        changed.push((ticket, before, left));
                    }
                    outcomes.push((ticket, results));
                }
                let (mail_upto, hooks_upto) = outbox_heads(&mut *tx).await?;
                hold_deliveries(
                    &mut *tx,
                    (mail_after, mail_upto),
                    (hooks_after, hooks_upto),
                    hold,
                )
                .await?;
                let name_of = |id: i64| {
                    staff_names
                        .iter()
                        .find(|(staff, _)| *staff == id)
                        .map_or_else(|| "them".to_string(), |(_, name)| name.clone())
                };
                let lines = summary(change, name_of, &outcomes);
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO bulk_edits (staff_id, created_at, undo_until, summary, \
                     mail_after, mail_upto, hooks_after, hooks_upto) \
                     VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                )
                .bind(staff_id)
                .bind(time_text::to_text(at))
                .bind(time_text::to_text(hold))
                .bind(serde_json::to_string(&lines).map_err(StoreError::new)?)
                .bind(mail_after)
                .bind(mail_upto)
                .bind(hooks_after)
                .bind(hooks_upto)
                .fetch_one(&mut *tx)
                .await?;
                for (ticket, before, left) in changed {
                    sqlx::query(
                        "INSERT INTO bulk_edit_tickets (bulk_id, ticket_id, status_before, \
                         priority_before, assignee_before, status_after, priority_after, \
                         assignee_after, folded_before, folded_after) \
                         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    )
                    .bind(id)
                    .bind(ticket)
                    .bind(before.status.as_str())
                    .bind(before.priority.rank())
                    .bind(before.assignee)
                    .bind(left.status.as_str())
                    .bind(left.priority.rank())
                    .bind(left.assignee)
                    .bind(before.folded)
                    .bind(left.folded)
                    .execute(&mut *tx)
                    .await?;
                }
                prune(&mut *tx, at).await?;
                Ok(id)
            })
        })
        .await
    }

    async fn bulk_edit(&self, id: i64, staff_id: i64) -> Result<Option<BulkEdit>, StoreError> {
        let row = sqlx::query(
            "SELECT b.id, b.staff_id, b.created_at, b.undo_until, b.undone_at, b.summary, \
             b.undo_note, \
             (SELECT COUNT(*) FROM bulk_edit_tickets t WHERE t.bulk_id = b.id) AS changed \
             FROM bulk_edits b WHERE b.id = ? AND b.staff_id = ?",
        )
        .bind(id)
        .bind(staff_id)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let summary: String = row.try_get("summary")?;
        Ok(Some(BulkEdit {
            id: row.try_get("id")?,
            staff_id: row.try_get("staff_id")?,
            created_at: decode::time(&row, "created_at")?,
            undo_until: decode::time(&row, "undo_until")?,
            undone_at: optional_time(&row, "undone_at")?,
            summary: serde_json::from_str(&summary).map_err(StoreError::new)?,
            changed: usize::try_from(row.try_get::<i64, _>("changed")?).unwrap_or(0),
            undo_note: row.try_get("undo_note")?,
        }))
    }

    /// Undoes the edit if its author asks within its window: drops the mail
    /// and webhook deliveries it held, and puts each ticket's fields back
    /// through the workflow (whose own deliveries are dropped too: from the
    /// outside, nothing happened).
    async fn undo_bulk(
        &self,
        id: i64,
        actor: Actor,
        staff_id: i64,
        targets: &ResponseTargets,
        now: OffsetDateTime,
    ) -> Result<Undo, StoreError> {
        let outgoing = self.outgoing;
        let targets = targets.to_owned();
        self.write(move |tx| {
            Box::pin(async move {
                let targets = &targets;
                let edit = sqlx::query(
                    "SELECT undo_until, undone_at, mail_after, mail_upto, hooks_after, hooks_upto \
                     FROM bulk_edits WHERE id = ? AND staff_id = ?",
                )
                .bind(id)
                .bind(staff_id)
                .fetch_optional(&mut *tx)
                .await?;
                let Some(edit) = edit else {
                    return Ok(Undo::NotFound);
                };
                if optional_time(&edit, "undone_at")?.is_some() {
                    return Ok(Undo::AlreadyUndone);
                }
                if now >= decode::time(&edit, "undo_until")? {
                    return Ok(Undo::TooLate);
                }
                let range = |after: &str, upto: &str| -> Result<(i64, i64), sqlx::Error> {
                    Ok((edit.try_get(after)?, edit.try_get(upto)?))
                };
                drop_deliveries(
                    &mut *tx,
                    range("mail_after", "mail_upto")?,
                    range("hooks_after", "hooks_upto")?,
                )
                .await?;
                let items = sqlx::query(
                    "SELECT ticket_id, status_before, priority_before, assignee_before, \
                     folded_before, status_after, priority_after, assignee_after, \
                     folded_after FROM bulk_edit_tickets WHERE bulk_id = ? ORDER BY ticket_id",
                )
                .bind(id)
                .fetch_all(&mut *tx)
                .await?;
                let (mail_after, hooks_after) = outbox_heads(&mut *tx).await?;
                let (mut restored, mut kept) = (Vec::new(), Vec::new());
                for item in &items {
                    let ticket: i64 = item.try_get("ticket_id")?;
                    let restore = Restore {
                        before: read_snapshot(item, "before")?,
                        left: read_snapshot(item, "after")?,
                    };
                    let request = Request {
                        ticket,
                        actor,
                        command: Command::Undo { restore },
                        at: now,
                    };
                    match apply_in_savepoint(&mut *tx, &request, targets, outgoing).await? {
                        Ok(outcome) if outcome.changed() => restored.push(ticket),
                        Ok(_) | Err(_) => kept.push(ticket),
                    }
                }
                let (mail_upto, hooks_upto) = outbox_heads(&mut *tx).await?;
                drop_deliveries(&mut *tx, (mail_after, mail_upto), (hooks_after, hooks_upto))
                    .await?;
                sqlx::query("UPDATE bulk_edits SET undone_at = ?, undo_note = ? WHERE id = ?")
                    .bind(time_text::to_text(now))
                    .bind(undo_note(&restored, &kept))
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                Ok(Undo::Done { restored, kept })
            })
        })
        .await
    }
}

/// The last mail and webhook delivery ids: rows written after them, in the
/// same write transaction, are the ones its commands caused.
async fn outbox_heads(conn: &mut SqliteConnection) -> Result<(i64, i64), sqlx::Error> {
    sqlx::query_as(
        "SELECT (SELECT IFNULL(MAX(id), 0) FROM mail_outbox), \
         (SELECT IFNULL(MAX(id), 0) FROM webhook_deliveries)",
    )
    .fetch_one(conn)
    .await
}

async fn hold_deliveries(
    conn: &mut SqliteConnection,
    mail: (i64, i64),
    hooks: (i64, i64),
    until: OffsetDateTime,
) -> Result<(), sqlx::Error> {
    let until = time_text::to_text(until);
    sqlx::query(
        "UPDATE mail_outbox SET next_attempt_at = MAX(IFNULL(next_attempt_at, ''), ?) \
         WHERE id > ? AND id <= ? AND state = 'pending'",
    )
    .bind(&until)
    .bind(mail.0)
    .bind(mail.1)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "UPDATE webhook_deliveries SET next_attempt_at = MAX(IFNULL(next_attempt_at, ''), ?) \
         WHERE id > ? AND id <= ? AND state = 'pending'",
    )
    .bind(&until)
    .bind(hooks.0)
    .bind(hooks.1)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Mail that waited is marked not sent, with why; webhook deliveries that
/// waited are removed: their receiver never hears of the change.
async fn drop_deliveries(
    conn: &mut SqliteConnection,
    mail: (i64, i64),
    hooks: (i64, i64),
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE mail_outbox SET state = 'not_sent', reason = ?, next_attempt_at = NULL \
         WHERE id > ? AND id <= ? AND state = 'pending'",
    )
    .bind(UNDONE)
    .bind(mail.0)
    .bind(mail.1)
    .execute(&mut *conn)
    .await?;
    sqlx::query("DELETE FROM webhook_deliveries WHERE id > ? AND id <= ? AND state = 'pending'")
        .bind(hooks.0)
        .bind(hooks.1)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

async fn snapshot(
    conn: &mut SqliteConnection,
    ticket: i64,
) -> Result<Option<Snapshot>, sqlx::Error> {
    let row = sqlx::query("SELECT status, priority, assignee_id, folded FROM tickets WHERE id = ?")
        .bind(ticket)
        .fetch_optional(conn)
        .await?;
    row.map(|row| {
        Ok(Snapshot {
            status: decode::parsed(&row, "status", TicketStatus::parse)?,
            priority: decode::priority(&row)?,
            assignee: row.try_get("assignee_id")?,
            folded: row.try_get("folded")?,
        })
    })
    .transpose()
}

fn read_snapshot(row: &sqlx::sqlite::SqliteRow, when: &str) -> Result<Snapshot, sqlx::Error> {
    let priority: i64 = row.try_get(format!("priority_{when}").as_str())?;
    Ok(Snapshot {
        status: decode::parsed(row, &format!("status_{when}"), TicketStatus::parse)?,
        priority: Priority::from_rank(priority)
            .ok_or_else(|| decode::invalid(&format!("priority_{when}"), &priority.to_string()))?,
        assignee: row.try_get(format!("assignee_{when}").as_str())?,
        folded: row.try_get(format!("folded_{when}").as_str())?,
    })
}

/// Edits whose window passed a day ago are of no more use to anyone.
async fn prune(conn: &mut SqliteConnection, now: OffsetDateTime) -> Result<(), sqlx::Error> {
    let before = time_text::to_text(now - UNDO_WINDOW - KEPT_FOR);
    sqlx::query(
        "DELETE FROM bulk_edit_tickets WHERE bulk_id IN \
         (SELECT id FROM bulk_edits WHERE created_at < ?)",
    )
    .bind(&before)
    .execute(&mut *conn)
    .await?;
    sqlx::query("DELETE FROM bulk_edits WHERE created_at < ?")
        .bind(&before)
        .execute(&mut *conn)
        .await?;
    Ok(())
}
