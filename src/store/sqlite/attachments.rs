//! Attached files: contents in `blobs`, once each by their SHA-256, and one
//! `attachments` row per file, staged until its ticket or message is stored.

use async_trait::async_trait;
use sha2::{Digest, Sha256};
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqliteConnection};
use time::OffsetDateTime;
use uuid::Uuid;

use super::{SqliteStore, decode, inbox, ticket_actions, tickets, time_text, tokens};
use crate::attachments::{Attachment, FileKind, Inspected, Limits, Removal, Via};
use crate::store::{ActionError, ApiFiled, Attachments, InsertOutcome, StoreError};
use crate::tickets::workflow::Request;
use crate::tickets::{
    EventKind, InboundMail, InboundOutcome, InboundPlan, NewTicket, Outcome, Refusal,
    ResponseTargets, Triage,
};
use crate::tokens::IdempotencyKey;

const COLUMNS: &str = "a.public_id, a.name, a.kind, a.size, a.removed, \
     a.thumb_blob_id IS NOT NULL AS has_thumbnail, a.event_id, a.via, a.created_at";

#[async_trait]
impl Attachments for SqliteStore {
    async fn stage_files(
        &self,
        files: &[Inspected],
        via: Via,
        now: OffsetDateTime,
        until: OffsetDateTime,
    ) -> Result<Vec<Attachment>, StoreError> {
        // Hashing is CPU work over up to a ticket's worth of bytes: done
        // before the write lock is taken, off the async workers.
        let owned: Vec<Inspected> = files.to_vec();
        let hashed = tokio::task::spawn_blocking(move || {
            owned
                .into_iter()
                .map(|file| {
                    let sha = hex::encode(Sha256::digest(&file.bytes));
                    let thumb = file
                        .thumbnail
                        .as_ref()
                        .map(|t| hex::encode(Sha256::digest(t)));
                    (file, sha, thumb)
                })
                .collect::<Vec<_>>()
        })
        .await
        .map_err(StoreError::new)?;
        let at = time_text::to_text(now);
        let until = time_text::to_text(until);
        self.write(move |tx| {
            Box::pin(async move {
                let mut staged = Vec::with_capacity(hashed.len());
                for (file, sha, thumb_sha) in &hashed {
                    let blob = keep_blob(&mut *tx, sha, &file.bytes).await?;
                    let thumb = match (&file.thumbnail, thumb_sha) {
                        (Some(bytes), Some(sha)) => Some(keep_blob(&mut *tx, sha, bytes).await?),
                        _ => None,
                    };
                    let id = Uuid::new_v4();
                    sqlx::query(
                "INSERT INTO attachments (public_id, name, kind, size, blob_id, thumb_blob_id, \
                 removed, via, created_at, staged_until) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(id.to_string())
            .bind(&file.name)
            .bind(file.kind.name())
            .bind(file.bytes.len() as i64)
            .bind(blob)
            .bind(thumb)
            .bind(removed_json(&file.removed))
            .bind(via.name())
            .bind(&at)
            .bind(&until)
            .execute(&mut *tx)
            .await?;
                    staged.push(Attachment {
                        id,
                        name: file.name.clone(),
                        kind: file.kind,
                        size: file.bytes.len() as u64,
                        removed: file.removed.clone(),
                        has_thumbnail: thumb.is_some(),
                        event_id: None,
                        via,
                        created_at: time_text::from_text(&at)?,
                    });
                }
                Ok(staged)
            })
        })
        .await
    }

    async fn staged_files(&self, ids: &[Uuid]) -> Result<Vec<Attachment>, StoreError> {
        let mut found = Vec::with_capacity(ids.len());
        for id in ids {
            let sql = format!(
                "SELECT {COLUMNS} FROM attachments a \
                 WHERE a.public_id = ? AND a.ticket_id IS NULL"
            );
            if let Some(row) = sqlx::query(&sql)
                .bind(id.to_string())
                .fetch_optional(&self.pool)
                .await?
            {
                found.push(attachment_from_row(&row)?);
            }
        }
        Ok(found)
    }

    async fn ticket_files(
        &self,
        ticket: i64,
        public_only: bool,
    ) -> Result<Vec<Attachment>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM attachments a JOIN ticket_events e ON e.id = a.event_id \
             WHERE a.ticket_id = ? AND (e.public = 1 OR NOT ?) ORDER BY a.id"
        );
        let rows = sqlx::query(&sql)
            .bind(ticket)
            .bind(public_only)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows
            .iter()
            .map(attachment_from_row)
            .collect::<Result<_, _>>()?)
    }

    async fn ticket_file(
        &self,
        ticket: i64,
        file: Uuid,
        public_only: bool,
        thumbnail: bool,
    ) -> Result<Option<(Attachment, Vec<u8>)>, StoreError> {
        let blob = if thumbnail {
            "a.thumb_blob_id"
        } else {
            "a.blob_id"
        };
        let sql = format!(
            "SELECT {COLUMNS}, b.bytes FROM attachments a \
             JOIN ticket_events e ON e.id = a.event_id JOIN blobs b ON b.id = {blob} \
             WHERE a.ticket_id = ? AND a.public_id = ? AND (e.public = 1 OR NOT ?)"
        );
        let row = sqlx::query(&sql)
            .bind(ticket)
            .bind(file.to_string())
            .bind(public_only)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row
            .map(|row| Ok::<_, sqlx::Error>((attachment_from_row(&row)?, row.try_get("bytes")?)))
            .transpose()?)
    }

    async fn insert_ticket_with_files(
        &self,
        ticket: &NewTicket,
        triage: &Triage,
        now: OffsetDateTime,
        files: &[Uuid],
        limits: &Limits,
    ) -> Result<InsertOutcome, ActionError> {
        let (ticket, triage, files, limits) =
            (ticket.clone(), triage.clone(), files.to_vec(), *limits);
        let outgoing = self.outgoing;
        self.write_keeping(
            move |tx| {
                Box::pin(async move {
                    let (id, outcome) =
                        tickets::insert_in(tx, outgoing, &ticket, &triage, now, None).await?;
                    if let InsertOutcome::Created(_) = outcome {
                        bind_to_created(tx, id, &files, &limits).await?;
                    }
                    Ok(outcome)
                })
            },
            |outcome| matches!(outcome, Ok(InsertOutcome::Created(_))),
        )
        .await
    }

    async fn apply_with_files(
        &self,
        request: &Request,
        targets: &ResponseTargets,
        files: &[Uuid],
        limits: &Limits,
    ) -> Result<Outcome, ActionError> {
        let (request, targets, files, limits) =
            (request.clone(), *targets, files.to_vec(), *limits);
        let outgoing = self.outgoing;
        self.write(move |tx| {
            Box::pin(async move {
                let written =
                    ticket_actions::apply_events(tx, &request, &targets, outgoing).await?;
                if written.is_empty() {
                    return Ok(Outcome::Unchanged);
                }
                let written: Vec<_> = written
                    .into_iter()
                    .map(|(id, kind)| (request.ticket, id, kind))
                    .collect();
                bind_to_message(tx, &written, &files, &limits).await?;
                Ok(Outcome::Changed)
            })
        })
        .await
    }

    async fn file_with_token_and_files(
        &self,
        ticket: &NewTicket,
        triage: &Triage,
        now: OffsetDateTime,
        token: i64,
        key: Option<&IdempotencyKey>,
        files: &[Uuid],
        limits: &Limits,
    ) -> Result<ApiFiled, ActionError> {
        let (ticket, triage, key, files, limits) = (
            ticket.clone(),
            triage.clone(),
            key.cloned(),
            files.to_vec(),
            *limits,
        );
        let outgoing = self.outgoing;
        self.write_keeping(
            move |tx| {
                Box::pin(async move {
                    let filed = tokens::file_with_token_in(
                        tx,
                        outgoing,
                        &ticket,
                        &triage,
                        now,
                        token,
                        key.as_ref(),
                    )
                    .await?;
                    if let ApiFiled::Filed(id) = filed {
                        bind_to_created(tx, id, &files, &limits).await?;
                    }
                    Ok(filed)
                })
            },
            |filed| matches!(filed, Ok(ApiFiled::Filed(_))),
        )
        .await
    }

    async fn take_mail_with_files(
        &self,
        mail: &InboundMail,
        plan: &InboundPlan,
        targets: &ResponseTargets,
        files: &[Uuid],
        limits: &Limits,
    ) -> Result<Option<InboundOutcome>, StoreError> {
        inbox::take(self, mail, plan, targets, files, limits).await
    }

    async fn drop_unclaimed_files(&self, now: OffsetDateTime) -> Result<u64, StoreError> {
        let now = time_text::to_text(now);
        self.write(move |tx| {
            Box::pin(async move {
                let done = sqlx::query(
                    "DELETE FROM attachments WHERE staged_until IS NOT NULL AND staged_until <= ?",
                )
                .bind(now)
                .execute(tx)
                .await?;
                Ok(done.rows_affected())
            })
        })
        .await
    }
}

fn carries_files(kind: &EventKind) -> bool {
    matches!(
        kind,
        EventKind::Note
            | EventKind::Reply { .. }
            | EventKind::RequesterReply { .. }
            | EventKind::MailNote { .. }
            | EventKind::Created { .. }
    )
}

/// Binds staged `files` to the message among the `written` events (ticket,
/// event, kind): a reply, note or addition, not a status move that came
/// with it.
pub(super) async fn bind_to_message(
    conn: &mut SqliteConnection,
    written: &[(i64, i64, EventKind)],
    files: &[Uuid],
    limits: &Limits,
) -> Result<(), ActionError> {
    let message = written
        .iter()
        .find(|(_, _, kind)| carries_files(kind))
        .or(written.first());
    match message {
        Some((ticket, event, _)) => bind(conn, *ticket, *event, files, limits).await,
        None => Ok(()),
    }
}

/// Makes staged `files` part of `ticket`, with `event`; refused when the
/// ticket would then hold more than `limits` allow. A file no longer
/// staged (claimed by an earlier submit, or dropped) is skipped.
pub(super) async fn bind(
    conn: &mut SqliteConnection,
    ticket: i64,
    event: i64,
    files: &[Uuid],
    limits: &Limits,
) -> Result<(), ActionError> {
    if files.is_empty() {
        return Ok(());
    }
    for file in files {
        sqlx::query(
            "UPDATE attachments SET ticket_id = ?, event_id = ?, staged_until = NULL \
             WHERE public_id = ? AND ticket_id IS NULL",
        )
        .bind(ticket)
        .bind(event)
        .bind(file.to_string())
        .execute(&mut *conn)
        .await
        .map_err(StoreError::from)?;
    }
    let (count, bytes): (i64, i64) = sqlx::query_as(
        "SELECT COUNT(*), IFNULL(SUM(size), 0) FROM attachments WHERE ticket_id = ?",
    )
    .bind(ticket)
    .fetch_one(&mut *conn)
    .await
    .map_err(StoreError::from)?;
    if count as usize > limits.max_ticket_files || bytes as u64 > limits.max_ticket_bytes {
        return Err(Refusal::FilesFull {
            max_files: limits.max_ticket_files,
            max_bytes: limits.max_ticket_bytes,
        }
        .into());
    }
    Ok(())
}

/// Binds staged `files` to a ticket just inserted, with its `created`
/// event; a ticket without files costs no query.
async fn bind_to_created(
    conn: &mut SqliteConnection,
    ticket: i64,
    files: &[Uuid],
    limits: &Limits,
) -> Result<(), ActionError> {
    if files.is_empty() {
        return Ok(());
    }
    let created = created_event(conn, ticket).await?;
    bind(conn, ticket, created, files, limits).await
}

/// The `created` event of a ticket just inserted: what its first files
/// come with.
pub(super) async fn created_event(
    conn: &mut SqliteConnection,
    ticket: i64,
) -> Result<i64, StoreError> {
    Ok(
        sqlx::query_scalar("SELECT id FROM ticket_events WHERE ticket_id = ? AND kind = 'created'")
            .bind(ticket)
            .fetch_one(&mut *conn)
            .await?,
    )
}

/// Binds staged `files` to `ticket` and `event` in order while the ticket
/// stays within `limits`; those past them stay staged (and are dropped
/// with unclaimed files). For mail, which is never refused for its files:
/// how many were left out.
pub(super) async fn bind_within(
    conn: &mut SqliteConnection,
    ticket: i64,
    event: i64,
    files: &[Uuid],
    limits: &Limits,
) -> Result<usize, StoreError> {
    let (mut count, mut bytes): (i64, i64) = sqlx::query_as(
        "SELECT COUNT(*), IFNULL(SUM(size), 0) FROM attachments WHERE ticket_id = ?",
    )
    .bind(ticket)
    .fetch_one(&mut *conn)
    .await?;
    let mut left_out = 0;
    for file in files {
        let size: Option<i64> = sqlx::query_scalar(
            "SELECT size FROM attachments WHERE public_id = ? AND ticket_id IS NULL",
        )
        .bind(file.to_string())
        .fetch_optional(&mut *conn)
        .await?;
        let Some(size) = size else { continue };
        if count as usize >= limits.max_ticket_files
            || (bytes + size) as u64 > limits.max_ticket_bytes
        {
            left_out += 1;
            continue;
        }
        sqlx::query(
            "UPDATE attachments SET ticket_id = ?, event_id = ?, staged_until = NULL \
             WHERE public_id = ? AND ticket_id IS NULL",
        )
        .bind(ticket)
        .bind(event)
        .bind(file.to_string())
        .execute(&mut *conn)
        .await?;
        count += 1;
        bytes += size;
    }
    Ok(left_out)
}

/// The id of the blob holding `bytes`, stored now if no file holds it yet.
async fn keep_blob(
    conn: &mut SqliteConnection,
    sha: &str,
    bytes: &[u8],
) -> Result<i64, sqlx::Error> {
    sqlx::query("INSERT INTO blobs (sha256, size, bytes) VALUES (?, ?, ?) ON CONFLICT DO NOTHING")
        .bind(sha)
        .bind(bytes.len() as i64)
        .bind(bytes)
        .execute(&mut *conn)
        .await?;
    sqlx::query_scalar("SELECT id FROM blobs WHERE sha256 = ?")
        .bind(sha)
        .fetch_one(&mut *conn)
        .await
}

fn removed_json(removed: &[Removal]) -> String {
    let list: Vec<serde_json::Value> = removed
        .iter()
        .map(|r| serde_json::json!({ "what": r.what, "count": r.count }))
        .collect();
    serde_json::Value::Array(list).to_string()
}

fn removed_from_json(text: &str) -> Vec<Removal> {
    let Ok(serde_json::Value::Array(list)) = serde_json::from_str(text) else {
        return Vec::new();
    };
    list.iter()
        .filter_map(|item| {
            Some(Removal {
                what: item.get("what")?.as_str()?.to_string(),
                count: usize::try_from(item.get("count")?.as_u64()?).ok()?,
            })
        })
        .collect()
}

fn attachment_from_row(row: &SqliteRow) -> Result<Attachment, sqlx::Error> {
    Ok(Attachment {
        id: decode::uuid(&row.try_get::<String, _>("public_id")?)?,
        name: row.try_get("name")?,
        kind: decode::parsed(row, "kind", FileKind::parse)?,
        size: u64::try_from(row.try_get::<i64, _>("size")?).unwrap_or_default(),
        removed: removed_from_json(&row.try_get::<String, _>("removed")?),
        has_thumbnail: row.try_get("has_thumbnail")?,
        event_id: row.try_get("event_id")?,
        via: decode::parsed(row, "via", Via::parse)?,
        created_at: decode::time(row, "created_at")?,
    })
}

#[cfg(test)]
mod tests {
    use time::{Duration, OffsetDateTime};

    use super::*;
    use crate::store::sqlite::tests::with_admin;
    use crate::tickets::EventBody;
    use crate::tickets::workflow::{Actor, Command};

    fn file(name: &str, text: &str) -> Inspected {
        Inspected {
            name: name.into(),
            kind: FileKind::Text,
            bytes: text.as_bytes().to_vec(),
            thumbnail: None,
            removed: vec![Removal {
                what: "access_token".into(),
                count: 1,
            }],
        }
    }

    async fn blobs(store: &SqliteStore) -> i64 {
        sqlx::query_scalar("SELECT COUNT(*) FROM blobs")
            .fetch_one(&store.pool)
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn one_content_is_kept_once_and_goes_with_the_last_file_that_holds_it() {
        let (store, _dir) = with_admin(1).await;
        let now = OffsetDateTime::now_utc();
        let until = now + Duration::days(1);
        let same = [file("a.log", "same bytes"), file("b.log", "same bytes")];
        let staged = store
            .stage_files(&same, Via::Form, now, until)
            .await
            .unwrap();
        assert_eq!(blobs(&store).await, 1);
        assert_eq!(staged[0].removed, same[0].removed);
        let other = store
            .stage_files(&[file("c.log", "other bytes")], Via::Form, now, until)
            .await
            .unwrap();
        assert_eq!(blobs(&store).await, 2);

        // One of the two is claimed by a note; the rest are dropped unclaimed.
        let request = Request {
            ticket: 1,
            actor: Actor::Staff {
                id: 1,
                role: crate::staff::Role::Admin,
            },
            command: Command::Note {
                body: EventBody::parse("the log").unwrap(),
            },
            at: now,
        };
        let limits = Limits::default();
        let outcome = store
            .apply_with_files(
                &request,
                &ResponseTargets::default(),
                &[staged[0].id],
                &limits,
            )
            .await
            .unwrap();
        assert_eq!(outcome, Outcome::Changed);
        assert_eq!(store.drop_unclaimed_files(until).await.unwrap(), 2);
        // The claimed file still holds the shared content; "other" is gone.
        assert_eq!(blobs(&store).await, 1);
        assert!(store.staged_files(&[other[0].id]).await.unwrap().is_empty());
        let kept = store.ticket_files(1, false).await.unwrap();
        assert_eq!(kept.len(), 1);
        assert_eq!(kept[0].name, "a.log");
        // A note is staff's: the requester's list leaves it out.
        assert!(store.ticket_files(1, true).await.unwrap().is_empty());
    }

    #[tokio::test]
    async fn a_ticket_is_refused_files_past_its_limits_and_keeps_nothing_of_that_message() {
        let (store, _dir) = with_admin(1).await;
        let now = OffsetDateTime::now_utc();
        let staged = store
            .stage_files(
                &[
                    file("a.log", "one"),
                    file("b.log", "two"),
                    file("c.log", "three"),
                ],
                Via::Form,
                now,
                now + Duration::days(1),
            )
            .await
            .unwrap();
        let ids: Vec<Uuid> = staged.iter().map(|f| f.id).collect();
        let limits = Limits {
            max_ticket_files: 2,
            ..Limits::default()
        };
        let request = Request {
            ticket: 1,
            actor: Actor::Requester,
            command: Command::RequesterAddition {
                body: EventBody::parse("three logs").unwrap(),
            },
            at: now,
        };
        let refused = store
            .apply_with_files(&request, &ResponseTargets::default(), &ids, &limits)
            .await;
        assert!(matches!(
            refused,
            Err(ActionError::Refused(Refusal::FilesFull {
                max_files: 2,
                ..
            }))
        ));
        // Rolled back whole: no addition, the files still staged.
        assert_eq!(store.staged_files(&ids).await.unwrap().len(), 3);
        assert!(store.ticket_files(1, false).await.unwrap().is_empty());
    }
}
