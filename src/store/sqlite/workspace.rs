//! The ticket page as a workspace: a composer's commands applied together,
//! who has a ticket open, and a requester's other tickets.

use async_trait::async_trait;
use sqlx::Row;
use time::OffsetDateTime;

use super::attachments::bind_to_message;
use super::ticket_actions::apply_events;
use super::{SqliteStore, decode, time_text};
use crate::attachments::Limits;
use crate::domain::ErrorCode;
use crate::store::{
    ActionError, RequesterTicket, SeenUpTo, StoreError, Together, Viewer, Workspace,
};
use crate::tickets::workflow::Request;
use crate::tickets::{Outcome, ResponseTargets, TicketStatus};
use uuid::Uuid;

#[async_trait]
impl Workspace for SqliteStore {
    async fn apply_together(
        &self,
        requests: &[Request],
        targets: &ResponseTargets,
        seen: Option<SeenUpTo>,
        files: &[Uuid],
        limits: &Limits,
    ) -> Result<Together, StoreError> {
        let outgoing = self.outgoing;
        let (requests, targets, files, limits) = (
            requests.to_owned(),
            targets.to_owned(),
            files.to_owned(),
            limits.to_owned(),
        );
        self.write_keeping(
            move |tx| {
                Box::pin(async move {
                    let (requests, targets, files, limits) = (&requests, &targets, &files, &limits);
                    if let Some(seen) = seen {
                        let mut tickets: Vec<i64> = requests.iter().map(|r| r.ticket).collect();
                        tickets.dedup();
                        let mut newer = Vec::new();
                        for ticket in tickets {
                            let ids: Vec<i64> = sqlx::query_scalar(
                                "SELECT id FROM ticket_events WHERE ticket_id = ? AND id > ? \
                             AND (actor_staff_id IS NULL OR actor_staff_id <> ?) ORDER BY id",
                            )
                            .bind(ticket)
                            .bind(seen.event_id)
                            .bind(seen.staff_id)
                            .fetch_all(&mut *tx)
                            .await?;
                            newer.extend(ids);
                        }
                        if !newer.is_empty() {
                            return Ok(Together::Stale(newer));
                        }
                    }
                    let mut outcomes = Vec::with_capacity(requests.len());
                    let mut written = Vec::new();
                    for (index, request) in requests.iter().enumerate() {
                        match apply_events(&mut *tx, request, targets, outgoing).await {
                            Ok(events) => {
                                outcomes.push(if events.is_empty() {
                                    Outcome::Unchanged
                                } else {
                                    Outcome::Changed
                                });
                                written.extend(
                                    events
                                        .into_iter()
                                        .map(|(id, kind)| (request.ticket, id, kind)),
                                );
                            }
                            Err(ActionError::Refused(refusal)) => {
                                return Ok(Together::Refused { index, refusal });
                            }
                            Err(ActionError::Database(e)) => return Err(e),
                        }
                    }
                    match bind_to_message(&mut *tx, &written, files, limits).await {
                        Ok(()) => {}
                        Err(ActionError::Refused(refusal)) => {
                            let index = requests.len().saturating_sub(1);
                            return Ok(Together::Refused { index, refusal });
                        }
                        Err(ActionError::Database(e)) => return Err(e),
                    }
                    Ok(Together::Applied(outcomes))
                })
            },
            // A refused or stale form applies none of its commands.
            |together| {
                matches!(together, Ok(Together::Applied(outcomes))
                if outcomes.iter().any(|o| o.changed()))
            },
        )
        .await
    }

    async fn touch_viewer(
        &self,
        ticket_id: i64,
        staff_id: i64,
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        // One statement: atomic on its own, no transaction to upgrade.
        self.execute(
            sqlx::query(
                "INSERT INTO ticket_viewers (ticket_id, staff_id, seen_at) VALUES (?, ?, ?) \
             ON CONFLICT (ticket_id, staff_id) DO UPDATE SET seen_at = excluded.seen_at",
            )
            .bind(ticket_id)
            .bind(staff_id)
            .bind(time_text::to_text(now)),
        )
        .await?;
        Ok(())
    }

    async fn recent_viewers(
        &self,
        ticket_id: i64,
        except: i64,
        since: OffsetDateTime,
    ) -> Result<Vec<Viewer>, StoreError> {
        let rows = sqlx::query(
            "SELECT v.staff_id, s.name, v.seen_at FROM ticket_viewers v \
             JOIN staff s ON s.id = v.staff_id \
             WHERE v.ticket_id = ? AND v.staff_id <> ? AND v.seen_at >= ? \
             AND s.disabled_at IS NULL ORDER BY v.seen_at DESC, v.staff_id",
        )
        .bind(ticket_id)
        .bind(except)
        .bind(time_text::to_text(since))
        .fetch_all(&self.pool)
        .await?;
        let viewers = rows
            .iter()
            .map(|row| {
                Ok(Viewer {
                    staff_id: row.try_get("staff_id")?,
                    name: row.try_get("name")?,
                    seen_at: decode::time(row, "seen_at")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()?;
        Ok(viewers)
    }

    async fn requester_tickets(
        &self,
        email: &str,
        except: i64,
        limit: u32,
    ) -> Result<Vec<RequesterTicket>, StoreError> {
        // `tickets_by_email` (NOCASE) finds them; one requester's few are sorted.
        let rows = sqlx::query(
            "SELECT id, status, error_code, created_at, substr(message, 1, 200) AS message_start \
             FROM tickets WHERE requester_email = ? COLLATE NOCASE AND id <> ? \
             ORDER BY created_at DESC, id DESC LIMIT ?",
        )
        .bind(email)
        .bind(except)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        let tickets = rows
            .iter()
            .map(|row| {
                Ok(RequesterTicket {
                    id: row.try_get("id")?,
                    status: decode::parsed(row, "status", TicketStatus::parse)?,
                    error_code: decode::parsed(row, "error_code", ErrorCode::parse)?,
                    created_at: decode::time(row, "created_at")?,
                    message_start: row.try_get("message_start")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()?;
        Ok(tickets)
    }
}
