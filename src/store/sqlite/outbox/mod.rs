//! The mail outbox: mail written in the transaction of the event that
//! causes it, then delivered and its attempts recorded.

use async_trait::async_trait;
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqliteConnection};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use super::{SqliteStore, decode, time_text};
use crate::store::{Outbox, StoreError};
use crate::tickets::{
    Delivery, MAX_FILED_MAILS_PER_ADDRESS_PER_HOUR, MAX_LINK_MAILS_PER_ADDRESS_PER_HOUR,
    MAX_MAILS_PER_TICKET_PER_HOUR, MailAbout, MailKind, MailRecord, MailState, NewEvent,
    OutgoingMail, Priority, StaffNotice, requester_mail, staff_notice,
};

/// The reason recorded for mail written while mail is off.
const NOT_CONFIGURED: &str = "Email was not configured at the time.";

const MAIL_COLUMNS: &str = "id, ticket_id, event_id, ticket_ids, kind, recipient, message_key, state, \
     reason, attempts, next_attempt_at, created_at, sent_at, resend_of";

/// Writes the mail `event` (just stored as `event_id`) causes: to the
/// ticket's requester, and to staff who asked for it. Each is pending, or
/// not sent with the reason when mail is off or a cap holds it back. Runs in
/// the event's transaction; `priority` is the ticket's once the event is
/// written.
pub(super) async fn enqueue_for_event(
    conn: &mut SqliteConnection,
    outgoing: OutgoingMail,
    event_id: i64,
    event: &NewEvent,
    priority: Priority,
    now: OffsetDateTime,
) -> Result<(), sqlx::Error> {
    enqueue_for_requester(conn, outgoing, event_id, event, now).await?;
    enqueue_for_staff(conn, outgoing, event_id, event, priority, now).await
}

async fn enqueue_for_requester(
    conn: &mut SqliteConnection,
    outgoing: OutgoingMail,
    event_id: i64,
    event: &NewEvent,
    now: OffsetDateTime,
) -> Result<(), sqlx::Error> {
    let ticket_id = event.ticket_id;
    let Some(kind) = requester_mail(&event.kind) else {
        return Ok(());
    };
    let recipient: Option<String> =
        sqlx::query_scalar("SELECT requester_email FROM tickets WHERE id = ?")
            .bind(ticket_id)
            .fetch_optional(&mut *conn)
            .await?;
    let Some(recipient) = recipient.filter(|r| !r.is_empty()) else {
        return Ok(());
    };
    let held_back = match off_reason(outgoing) {
        Some(off) => Some(off),
        None => cap_reached(conn, ticket_id, kind, &recipient, now).await?,
    };
    let mail = NewMail {
        about: MailAbout::Event {
            ticket_id,
            event_id,
        },
        kind,
        recipient: &recipient,
        held_back,
        resend_of: None,
    };
    insert_mail(conn, mail, now).await?;
    Ok(())
}

/// Mail to the staff who chose to hear of this event.
async fn enqueue_for_staff(
    conn: &mut SqliteConnection,
    outgoing: OutgoingMail,
    event_id: i64,
    event: &NewEvent,
    priority: Priority,
    now: OffsetDateTime,
) -> Result<(), sqlx::Error> {
    let Some(notice) = staff_notice(&event.kind, event.by, priority) else {
        return Ok(());
    };
    let (kind, recipients): (MailKind, Vec<String>) = match notice {
        StaffNotice::Urgent { except } => (
            MailKind::StaffUrgent,
            sqlx::query_scalar(
                "SELECT email FROM staff WHERE notify_urgent = 1 AND disabled_at IS NULL \
                 AND id IS NOT ? ORDER BY id",
            )
            .bind(except)
            .fetch_all(&mut *conn)
            .await?,
        ),
        StaffNotice::Assigned(id) => (
            MailKind::StaffAssigned,
            sqlx::query_scalar(
                "SELECT email FROM staff WHERE id = ? AND notify_assigned = 1 AND disabled_at \
                 IS NULL",
            )
            .bind(id)
            .fetch_all(&mut *conn)
            .await?,
        ),
    };
    for recipient in &recipients {
        let mail = NewMail {
            about: MailAbout::Event {
                ticket_id: event.ticket_id,
                event_id,
            },
            kind,
            recipient,
            held_back: off_reason(outgoing),
            resend_of: None,
        };
        insert_mail(conn, mail, now).await?;
    }
    Ok(())
}

/// Why mail is not sent when mail is off; `None` when it is on.
fn off_reason(outgoing: OutgoingMail) -> Option<String> {
    match outgoing {
        OutgoingMail::Off => Some(NOT_CONFIGURED.to_string()),
        OutgoingMail::On => None,
    }
}

/// How many mails of `kind` went (or are going) to the mailbox `recipient`,
/// whatever the case of its letters, in the hour before `now`.
async fn sent_this_hour(
    conn: &mut SqliteConnection,
    recipient: &str,
    kind: MailKind,
    now: OffsetDateTime,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM mail_outbox WHERE recipient = ? COLLATE NOCASE AND kind = ? \
         AND created_at > ? AND state <> 'not_sent'",
    )
    .bind(recipient)
    .bind(kind.as_str())
    .bind(time_text::to_text(now - Duration::HOUR))
    .fetch_one(&mut *conn)
    .await
}

/// Why a cap holds this mail back, if one does.
async fn cap_reached(
    conn: &mut SqliteConnection,
    ticket_id: i64,
    kind: MailKind,
    recipient: &str,
    now: OffsetDateTime,
) -> Result<Option<String>, sqlx::Error> {
    let hour_ago = time_text::to_text(now - Duration::HOUR);
    let about_ticket: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM mail_outbox WHERE ticket_id = ? AND created_at > ? \
         AND state <> 'not_sent'",
    )
    .bind(ticket_id)
    .bind(&hour_ago)
    .fetch_one(&mut *conn)
    .await?;
    if about_ticket >= MAX_MAILS_PER_TICKET_PER_HOUR {
        return Ok(Some(format!(
            "Held back: {MAX_MAILS_PER_TICKET_PER_HOUR} mails about this ticket went out in the \
             last hour."
        )));
    }
    if kind == MailKind::Filed {
        let to_address = sent_this_hour(conn, recipient, kind, now).await?;
        if to_address >= MAX_FILED_MAILS_PER_ADDRESS_PER_HOUR {
            return Ok(Some(format!(
                "Held back: {MAX_FILED_MAILS_PER_ADDRESS_PER_HOUR} confirmations went to this \
                 address in the last hour."
            )));
        }
    }
    Ok(None)
}

/// A mail about to join the outbox.
struct NewMail<'a> {
    about: MailAbout,
    kind: MailKind,
    recipient: &'a str,
    /// Why it is not to be sent; `None` sends it.
    held_back: Option<String>,
    resend_of: Option<i64>,
}

impl NewMail<'_> {
    fn about_ticket(&self) -> Option<i64> {
        match self.about {
            MailAbout::Event { ticket_id, .. } => Some(ticket_id),
            MailAbout::Tickets(_) => None,
        }
    }

    fn about_event(&self) -> Option<i64> {
        match self.about {
            MailAbout::Event { event_id, .. } => Some(event_id),
            MailAbout::Tickets(_) => None,
        }
    }

    fn ticket_ids(&self) -> String {
        match &self.about {
            MailAbout::Event { .. } => String::new(),
            MailAbout::Tickets(ids) => ids.iter().map(i64::to_string).collect::<Vec<_>>().join(","),
        }
    }
}

/// One row of the outbox: pending from `now`, or not sent when held back.
/// Returns it as written.
async fn insert_mail(
    conn: &mut SqliteConnection,
    mail: NewMail<'_>,
    now: OffsetDateTime,
) -> Result<MailRecord, sqlx::Error> {
    let now = time_text::to_text(now);
    let (state, reason, next) = match mail.held_back.clone() {
        Some(reason) => (MailState::NotSent, reason, None),
        None => (MailState::Pending, String::new(), Some(now.clone())),
    };
    let sql = format!(
        "INSERT INTO mail_outbox (ticket_id, event_id, ticket_ids, kind, recipient, message_key, \
         state, reason, next_attempt_at, created_at, resend_of) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING {MAIL_COLUMNS}"
    );
    let row = sqlx::query(&sql)
        .bind(mail.about_ticket())
        .bind(mail.about_event())
        .bind(mail.ticket_ids())
        .bind(mail.kind.as_str())
        .bind(mail.recipient)
        .bind(format!("apidesk.{}", Uuid::new_v4().simple()))
        .bind(state.as_str())
        .bind(reason)
        .bind(next)
        .bind(&now)
        .bind(mail.resend_of)
        .fetch_one(&mut *conn)
        .await?;
    mail_from_row(&row)
}

fn mail_from_row(row: &SqliteRow) -> Result<MailRecord, sqlx::Error> {
    let attempts: i64 = row.try_get("attempts")?;
    Ok(MailRecord {
        id: row.try_get("id")?,
        about: match (row.try_get("ticket_id")?, row.try_get("event_id")?) {
            (Some(ticket_id), Some(event_id)) => MailAbout::Event {
                ticket_id,
                event_id,
            },
            _ => {
                let ids: String = row.try_get("ticket_ids")?;
                MailAbout::Tickets(
                    ids.split(',')
                        .filter(|id| !id.is_empty())
                        .map(|id| id.parse().map_err(|_| decode::invalid("ticket_ids", &ids)))
                        .collect::<Result<_, _>>()?,
                )
            }
        },
        kind: decode::parsed(row, "kind", MailKind::parse)?,
        recipient: row.try_get("recipient")?,
        message_key: row.try_get("message_key")?,
        state: decode::parsed(row, "state", MailState::parse)?,
        reason: row.try_get("reason")?,
        attempts: u32::try_from(attempts).unwrap_or(u32::MAX),
        next_attempt_at: decode::optional_time(row, "next_attempt_at")?,
        created_at: decode::time(row, "created_at")?,
        sent_at: decode::optional_time(row, "sent_at")?,
        resend_of: row.try_get("resend_of")?,
    })
}

#[async_trait]
impl Outbox for SqliteStore {
    async fn due_mail(
        &self,
        now: OffsetDateTime,
        limit: u32,
    ) -> Result<Vec<MailRecord>, StoreError> {
        let sql = format!(
            "SELECT {MAIL_COLUMNS} FROM mail_outbox \
             WHERE state = 'pending' AND next_attempt_at <= ? \
             ORDER BY next_attempt_at, id LIMIT ?"
        );
        let rows = sqlx::query(&sql)
            .bind(time_text::to_text(now))
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.iter().map(mail_from_row).collect::<Result<_, _>>()?)
    }

    async fn next_mail_due(&self) -> Result<Option<OffsetDateTime>, StoreError> {
        let next: Option<String> = sqlx::query_scalar(
            "SELECT MIN(next_attempt_at) FROM mail_outbox WHERE state = 'pending'",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(next.map(|t| time_text::from_text(&t)).transpose()?)
    }

    async fn ticket_mail(&self, ticket_id: i64) -> Result<Vec<MailRecord>, StoreError> {
        let sql = format!("SELECT {MAIL_COLUMNS} FROM mail_outbox WHERE ticket_id = ? ORDER BY id");
        let rows = sqlx::query(&sql)
            .bind(ticket_id)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.iter().map(mail_from_row).collect::<Result<_, _>>()?)
    }

    async fn mail_by_id(&self, mail_id: i64) -> Result<Option<MailRecord>, StoreError> {
        let sql = format!("SELECT {MAIL_COLUMNS} FROM mail_outbox WHERE id = ?");
        let row = sqlx::query(&sql)
            .bind(mail_id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.as_ref().map(mail_from_row).transpose()?)
    }

    async fn record_delivery(
        &self,
        mail_id: i64,
        at: OffsetDateTime,
        delivery: &Delivery,
    ) -> Result<(), StoreError> {
        let delivery = delivery.to_owned();
        self.write(move |tx| {
            Box::pin(async move {
                let delivery = &delivery;
                let at = time_text::to_text(at);
                let (outcome, detail, state, next, sent_at) = match delivery {
                    Delivery::Sent { detail } => ("sent", detail, MailState::Sent, None, Some(&at)),
                    Delivery::Retry { detail, next_at } => (
                        "temporary",
                        detail,
                        MailState::Pending,
                        Some(time_text::to_text(*next_at)),
                        None,
                    ),
                    Delivery::GaveUp { detail, permanent } => (
                        if *permanent { "permanent" } else { "temporary" },
                        detail,
                        MailState::Failed,
                        None,
                        None,
                    ),
                };
                sqlx::query(
                    "INSERT INTO mail_attempts (mail_id, at, outcome, detail) VALUES (?, ?, ?, ?)",
                )
                .bind(mail_id)
                .bind(&at)
                .bind(outcome)
                .bind(detail)
                .execute(&mut *tx)
                .await?;
                let reason = if state == MailState::Sent {
                    ""
                } else {
                    detail.as_str()
                };
                sqlx::query(
                    "UPDATE mail_outbox SET state = ?, reason = ?, attempts = attempts + 1, \
                     next_attempt_at = ?, sent_at = COALESCE(?, sent_at) WHERE id = ?",
                )
                .bind(state.as_str())
                .bind(reason)
                .bind(next)
                .bind(sent_at)
                .bind(mail_id)
                .execute(&mut *tx)
                .await?;
                Ok(())
            })
        })
        .await
    }

    async fn mail_ticket_links(
        &self,
        email: &str,
        now: OffsetDateTime,
    ) -> Result<Option<MailRecord>, StoreError> {
        let outgoing = self.outgoing;
        let email = email.to_owned();
        self.write(move |tx| {
            Box::pin(async move {
                let email = &email;
                let found: Vec<(i64, String)> = sqlx::query_as(
                    "SELECT id, requester_email FROM tickets \
                     WHERE requester_email = ? COLLATE NOCASE AND merged_into_id IS NULL \
                     AND status IN ('new', 'open', 'waiting') ORDER BY id DESC LIMIT 50",
                )
                .bind(email.trim())
                .fetch_all(&mut *tx)
                .await?;
                // Sent to the address as the latest ticket has it, not as typed.
                let Some((_, recipient)) = found.first().cloned() else {
                    return Ok(None);
                };
                let held_back = match off_reason(outgoing) {
                    Some(off) => Some(off),
                    None => {
                        let sent =
                            sent_this_hour(&mut *tx, &recipient, MailKind::Links, now).await?;
                        (sent >= MAX_LINK_MAILS_PER_ADDRESS_PER_HOUR).then(|| {
                            format!(
                                "Held back: {MAX_LINK_MAILS_PER_ADDRESS_PER_HOUR} mails of \
                                 links went to this address in the last hour."
                            )
                        })
                    }
                };
                let mail = NewMail {
                    about: MailAbout::Tickets(found.iter().map(|(id, _)| *id).collect()),
                    kind: MailKind::Links,
                    recipient: &recipient,
                    held_back,
                    resend_of: None,
                };
                let written = insert_mail(&mut *tx, mail, now).await?;
                Ok(Some(written))
            })
        })
        .await
    }

    async fn resend_mail(
        &self,
        ticket_id: i64,
        mail_id: i64,
        now: OffsetDateTime,
    ) -> Result<Option<MailRecord>, StoreError> {
        let outgoing = self.outgoing;
        self.write(move |tx| {
            Box::pin(async move {
                let sql = format!(
                    "SELECT {MAIL_COLUMNS} FROM mail_outbox WHERE id = ? AND ticket_id = ?"
                );
                let Some(row) = sqlx::query(&sql)
                    .bind(mail_id)
                    .bind(ticket_id)
                    .fetch_optional(&mut *tx)
                    .await?
                else {
                    return Ok(None);
                };
                let original = mail_from_row(&row)?;
                // The caps hold for a copy too: "Send again" pressed a hundred times
                // must not mail the requester a hundred times.
                let held_back = match off_reason(outgoing) {
                    Some(off) => Some(off),
                    None => {
                        cap_reached(&mut *tx, ticket_id, original.kind, &original.recipient, now)
                            .await?
                    }
                };
                let copy = NewMail {
                    about: original.about.clone(),
                    kind: original.kind,
                    recipient: &original.recipient,
                    held_back,
                    resend_of: Some(original.id),
                };
                let copy = insert_mail(&mut *tx, copy, now).await?;
                Ok(Some(copy))
            })
        })
        .await
    }
}

#[cfg(test)]
mod tests;
