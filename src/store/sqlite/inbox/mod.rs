//! Received mail: each message recorded once, in the transaction of what it
//! did to its ticket.

use async_trait::async_trait;
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqliteConnection};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use super::attachments::{bind_within, created_event};
use super::ticket_actions::apply_events;
use super::tickets::insert_in;
use super::{SqliteStore, decode, time_text};
use crate::attachments::Limits;
use crate::store::{ActionError, Inbox, StoreError};
use crate::tickets::{
    Bounce, BouncedAddress, Channel, EventKind, InboundMail, InboundOutcome, InboundPlan,
    InboundRecord, MAX_TICKETS_OPENED_BY_MAIL_PER_HOUR, MailThread, NewTicket, Refusal,
    ResponseTargets, may_open_by_mail,
};

/// The columns `inbound_from_row` reads.
const INBOUND_COLUMNS: &str = "id, ticket_id, sender, subject, received_at, outcome, reason";

/// How many mails a ticket took in the hour before `at` (the workflow's
/// cap counts them).
pub(super) async fn mail_this_hour(
    conn: &mut SqliteConnection,
    ticket_id: i64,
    at: OffsetDateTime,
) -> Result<usize, sqlx::Error> {
    let count: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM mail_inbound \
         WHERE ticket_id = ? AND received_at > ? AND outcome IN ('added', 'noted')",
    )
    .bind(ticket_id)
    .bind(time_text::to_text(at - Duration::hours(1)))
    .fetch_one(&mut *conn)
    .await?;
    Ok(usize::try_from(count).unwrap_or(usize::MAX))
}

/// What filing a mail on its ticket came to.
struct Filed {
    outcome: InboundOutcome,
    ticket_id: Option<i64>,
    event_id: Option<i64>,
    reason: String,
}

async fn file(
    conn: &mut SqliteConnection,
    store: &SqliteStore,
    mail: &InboundMail,
    plan: &InboundPlan,
    targets: &ResponseTargets,
    files: &[Uuid],
    limits: &Limits,
) -> Result<Filed, StoreError> {
    let filed = |outcome, ticket_id, reason: &str| Filed {
        outcome,
        ticket_id,
        event_id: None,
        reason: reason.to_string(),
    };
    match plan {
        InboundPlan::Ignore { ticket_id, reason } => {
            Ok(filed(InboundOutcome::Ignored, *ticket_id, reason))
        }
        InboundPlan::Unmatched { reason } => Ok(filed(InboundOutcome::Unmatched, None, reason)),
        InboundPlan::Hold { reason } => Ok(filed(InboundOutcome::Held, None, reason)),
        InboundPlan::Open(ticket) => {
            let opened = open(conn, store, mail, ticket, targets).await?;
            if let (InboundOutcome::Opened, Some(ticket_id)) = (opened.outcome, opened.ticket_id) {
                let created = created_event(conn, ticket_id).await?;
                keep_files(conn, ticket_id, created, files, limits).await?;
            }
            Ok(opened)
        }
        InboundPlan::Bounce {
            ticket_id,
            failures,
        } => {
            for failure in failures {
                mark_bounced(conn, failure, mail.received_at).await?;
            }
            let addresses: Vec<&str> = failures.iter().map(|f| f.address.as_str()).collect();
            let reason = format!("undeliverable: {}", addresses.join(", "));
            Ok(filed(InboundOutcome::Bounce, *ticket_id, &reason))
        }
        InboundPlan::File(request) => {
            let ticket_id = request.ticket;
            match apply_events(conn, request, targets, store.outgoing).await {
                Ok(written) => {
                    // The mail's words: the requester's addition, or a note.
                    let words = written.into_iter().find_map(|(id, kind)| match kind {
                        EventKind::RequesterReply { .. } => Some((id, InboundOutcome::Added)),
                        EventKind::MailNote { .. } => Some((id, InboundOutcome::Noted)),
                        _ => None,
                    });
                    Ok(match words {
                        Some((event_id, outcome)) => {
                            keep_files(conn, ticket_id, event_id, files, limits).await?;
                            Filed {
                                outcome,
                                ticket_id: Some(ticket_id),
                                event_id: Some(event_id),
                                reason: String::new(),
                            }
                        }
                        // The workflow always keeps a mail's words; were it
                        // ever to write none, that is what is recorded.
                        None => filed(
                            InboundOutcome::Ignored,
                            Some(ticket_id),
                            "nothing to add to the ticket",
                        ),
                    })
                }
                Err(ActionError::Refused(Refusal::TooMuchMail)) => Ok(filed(
                    InboundOutcome::Held,
                    Some(ticket_id),
                    &Refusal::TooMuchMail.message(),
                )),
                Err(ActionError::Refused(refusal)) => {
                    Ok(filed(InboundOutcome::Unmatched, None, &refusal.message()))
                }
                Err(ActionError::Database(err)) => Err(err),
            }
        }
    }
}

/// A mail's files, with the event it wrote. The reader already left out
/// what would not fit; a ticket that filled up since is logged, not failed.
async fn keep_files(
    conn: &mut SqliteConnection,
    ticket: i64,
    event: i64,
    files: &[Uuid],
    limits: &Limits,
) -> Result<(), StoreError> {
    let left_out = bind_within(conn, ticket, event, files, limits).await?;
    if left_out > 0 {
        tracing::warn!(ticket, left_out, "a mail's files no longer fit its ticket");
    }
    Ok(())
}

/// Opens a ticket from a mail that answers none, unless its sender has
/// opened as many as they may this hour (then it is held, kept for staff
/// on the received-mail page).
async fn open(
    conn: &mut SqliteConnection,
    store: &SqliteStore,
    mail: &InboundMail,
    ticket: &NewTicket,
    targets: &ResponseTargets,
) -> Result<Filed, StoreError> {
    let opened: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM mail_inbound \
         WHERE sender = ? COLLATE NOCASE AND outcome = 'opened' AND received_at > ?",
    )
    .bind(&mail.sender)
    .bind(time_text::to_text(mail.received_at - Duration::hours(1)))
    .fetch_one(&mut *conn)
    .await?;
    if !may_open_by_mail(usize::try_from(opened).unwrap_or(usize::MAX)) {
        return Ok(Filed {
            outcome: InboundOutcome::Held,
            ticket_id: None,
            event_id: None,
            reason: format!(
                "this address opened {MAX_TICKETS_OPENED_BY_MAIL_PER_HOUR} tickets by email in \
                 the last hour"
            ),
        });
    }
    let triage = ticket.triage(mail.received_at, targets);
    let via = Some(Channel::Email);
    let (ticket_id, _) =
        insert_in(conn, store.outgoing, ticket, &triage, mail.received_at, via).await?;
    Ok(Filed {
        outcome: InboundOutcome::Opened,
        ticket_id: Some(ticket_id),
        event_id: None,
        reason: String::new(),
    })
}

async fn mark_bounced(
    conn: &mut SqliteConnection,
    failure: &Bounce,
    at: OffsetDateTime,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO mail_bounces (address, status, detail, bounced_at) VALUES (?, ?, ?, ?) \
         ON CONFLICT (address) DO UPDATE SET status = excluded.status, \
         detail = excluded.detail, bounced_at = excluded.bounced_at",
    )
    .bind(&failure.address)
    .bind(&failure.status)
    .bind(&failure.detail)
    .bind(time_text::to_text(at))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

fn inbound_from_row(row: &SqliteRow) -> Result<InboundRecord, sqlx::Error> {
    Ok(InboundRecord {
        id: row.try_get("id")?,
        ticket_id: row.try_get("ticket_id")?,
        sender: row.try_get("sender")?,
        subject: row.try_get("subject")?,
        received_at: decode::time(row, "received_at")?,
        outcome: decode::parsed(row, "outcome", InboundOutcome::parse)?,
        reason: row.try_get("reason")?,
    })
}

/// `Inbox::take_mail`, the staged `files` bound with what the mail wrote.
pub(super) async fn take(
    store: &SqliteStore,
    mail: &InboundMail,
    plan: &InboundPlan,
    targets: &ResponseTargets,
    files: &[Uuid],
    limits: &Limits,
) -> Result<Option<InboundOutcome>, StoreError> {
    let (store, mail, plan, targets, files, limits) = (
        store.clone(),
        mail.clone(),
        plan.clone(),
        *targets,
        files.to_vec(),
        *limits,
    );
    store
        .clone()
        .write(move |tx| {
            Box::pin(async move {
                // Recorded first (as ignored, on no ticket), so that a second copy of
                // the message stops here and the hourly count does not see this one.
                let id: Option<i64> = sqlx::query_scalar(
                    "INSERT INTO mail_inbound (message_id, sender, subject, received_at, outcome) \
                 VALUES (?, ?, ?, ?, 'ignored') ON CONFLICT (message_id) DO NOTHING RETURNING id",
                )
                .bind(&mail.message_id)
                .bind(&mail.sender)
                .bind(&mail.subject)
                .bind(time_text::to_text(mail.received_at))
                .fetch_optional(&mut *tx)
                .await?;
                let Some(id) = id else {
                    return Ok(None);
                };
                let filed = file(&mut *tx, &store, &mail, &plan, &targets, &files, &limits).await?;
                sqlx::query(
                    "UPDATE mail_inbound SET outcome = ?, reason = ?, ticket_id = ?, event_id = ? \
                 WHERE id = ?",
                )
                .bind(filed.outcome.as_str())
                .bind(&filed.reason)
                .bind(filed.ticket_id)
                .bind(filed.event_id)
                .bind(id)
                .execute(&mut *tx)
                .await?;
                if filed.outcome == InboundOutcome::Added {
                    // The requester's own mail arrived: their address works again.
                    sqlx::query("DELETE FROM mail_bounces WHERE address = ?")
                        .bind(&mail.sender)
                        .execute(&mut *tx)
                        .await?;
                }
                Ok(Some(filed.outcome))
            })
        })
        .await
}

#[async_trait]
impl Inbox for SqliteStore {
    async fn mail_thread(&self, message_keys: &[String]) -> Result<Option<MailThread>, StoreError> {
        if message_keys.is_empty() {
            return Ok(None);
        }
        // One statement for every key (the reader keeps at most 20): the
        // keys as one JSON array parameter.
        let keys = serde_json::to_string(message_keys).map_err(StoreError::new)?;
        let found: Option<(i64, String)> = sqlx::query_as(
            "SELECT t.id, t.requester_email FROM mail_outbox m \
             JOIN tickets t ON t.id = m.ticket_id \
             WHERE m.message_key IN (SELECT value FROM json_each(?)) \
             ORDER BY m.id DESC LIMIT 1",
        )
        .bind(keys)
        .fetch_optional(&self.pool)
        .await?;
        Ok(found.map(|(ticket_id, requester_email)| MailThread {
            ticket_id,
            requester_email,
        }))
    }

    async fn take_mail(
        &self,
        mail: &InboundMail,
        plan: &InboundPlan,
        targets: &ResponseTargets,
    ) -> Result<Option<InboundOutcome>, StoreError> {
        take(self, mail, plan, targets, &[], &Limits::default()).await
    }

    async fn ticket_inbound(&self, ticket_id: i64) -> Result<Vec<InboundRecord>, StoreError> {
        let sql = format!(
            "SELECT {INBOUND_COLUMNS} FROM mail_inbound WHERE ticket_id = ? \
             ORDER BY received_at, id"
        );
        let rows = sqlx::query(&sql)
            .bind(ticket_id)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows
            .iter()
            .map(inbound_from_row)
            .collect::<Result<_, _>>()?)
    }

    async fn recent_inbound(&self, limit: u32) -> Result<Vec<InboundRecord>, StoreError> {
        // Ids grow with arrival: the newest first, by the primary key.
        let sql = format!("SELECT {INBOUND_COLUMNS} FROM mail_inbound ORDER BY id DESC LIMIT ?");
        let rows = sqlx::query(&sql).bind(limit).fetch_all(&self.pool).await?;
        Ok(rows
            .iter()
            .map(inbound_from_row)
            .collect::<Result<_, _>>()?)
    }

    async fn bounced_address(&self, address: &str) -> Result<Option<BouncedAddress>, StoreError> {
        let row = sqlx::query(
            "SELECT address, status, detail, bounced_at FROM mail_bounces WHERE address = ?",
        )
        .bind(address)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        Ok(Some(BouncedAddress {
            address: row.try_get("address")?,
            status: row.try_get("status")?,
            detail: row.try_get("detail")?,
            bounced_at: decode::time(&row, "bounced_at")?,
        }))
    }

    async fn mail_from_sender_since(
        &self,
        sender: &str,
        since: OffsetDateTime,
    ) -> Result<u64, StoreError> {
        let count: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM mail_inbound WHERE sender = ? COLLATE NOCASE AND received_at > ?",
        )
        .bind(sender)
        .bind(time_text::to_text(since))
        .fetch_one(&self.pool)
        .await?;
        Ok(u64::try_from(count).unwrap_or_default())
    }
}

#[cfg(test)]
mod tests;
