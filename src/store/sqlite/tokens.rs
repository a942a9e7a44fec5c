//! API tokens (their hashes only) and the Idempotency-Keys of what they file.

use async_trait::async_trait;
use sqlx::Row;
use sqlx::sqlite::SqliteRow;
use time::OffsetDateTime;

use super::decode::{self, optional_time};
use super::tickets::insert_in;
use super::{SqliteStore, time_text};
use crate::store::{ApiFiled, ApiTokens, InsertOutcome, StoreError};
use crate::tickets::{Channel, NewTicket, OutgoingMail, Triage};
use crate::tokens::{
    ApiToken, IDEMPOTENCY_WINDOW, IdempotencyKey, NewToken, TOUCH_EVERY, scopes_from_text,
    scopes_to_text,
};

/// `tokens t` with the admin who created it as `s`.
const COLUMNS: &str = "t.id, t.name, t.scopes, t.prefix, t.created_by, \
     COALESCE(s.name, '') AS created_by_name, t.created_at, t.last_used_at, t.revoked_at";
const FROM: &str = "api_tokens t LEFT JOIN staff s ON s.id = t.created_by";

fn token_from_row(row: &SqliteRow) -> Result<ApiToken, sqlx::Error> {
    Ok(ApiToken {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        scopes: scopes_from_text(&row.try_get::<String, _>("scopes")?),
        prefix: row.try_get("prefix")?,
        created_by: row.try_get("created_by")?,
        created_by_name: row.try_get("created_by_name")?,
        created_at: decode::time(row, "created_at")?,
        last_used_at: optional_time(row, "last_used_at")?,
        revoked_at: optional_time(row, "revoked_at")?,
    })
}

#[async_trait]
impl ApiTokens for SqliteStore {
    async fn create_token(
        &self,
        new: &NewToken,
        hash: &str,
        prefix: &str,
        by: i64,
        now: OffsetDateTime,
    ) -> Result<ApiToken, StoreError> {
        let (name, scopes, hash, prefix, at) = (
            new.name.clone(),
            scopes_to_text(&new.scopes),
            hash.to_string(),
            prefix.to_string(),
            time_text::to_text(now),
        );
        let id: i64 = self
            .write(move |tx| {
                Box::pin(async move {
                    sqlx::query_scalar(
                        "INSERT INTO api_tokens (name, scopes, token_hash, prefix, created_by, \
                         created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                    )
                    .bind(name)
                    .bind(scopes)
                    .bind(hash)
                    .bind(prefix)
                    .bind(by)
                    .bind(at)
                    .fetch_one(tx)
                    .await
                })
            })
            .await?;
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM {FROM} WHERE t.id = ?"))
            .bind(id)
            .fetch_one(&self.pool)
            .await?;
        Ok(token_from_row(&row)?)
    }

    async fn token_by_hash(&self, hash: &str) -> Result<Option<ApiToken>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM {FROM} WHERE t.token_hash = ?"
        ))
        .bind(hash)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.as_ref().map(token_from_row).transpose()?)
    }

    async fn tokens(&self) -> Result<Vec<ApiToken>, StoreError> {
        let rows = sqlx::query(&format!("SELECT {COLUMNS} FROM {FROM} ORDER BY t.id DESC"))
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.iter().map(token_from_row).collect::<Result<_, _>>()?)
    }

    async fn revoke_token(&self, id: i64, now: OffsetDateTime) -> Result<bool, StoreError> {
        let at = time_text::to_text(now);
        let done = self
            .write(move |tx| {
                Box::pin(
                    sqlx::query(
                        "UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
                    )
                    .bind(at)
                    .bind(id)
                    .execute(tx),
                )
            })
            .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn touch_token(&self, id: i64, now: OffsetDateTime) -> Result<(), StoreError> {
        let (at, before) = (
            time_text::to_text(now),
            time_text::to_text(now - TOUCH_EVERY),
        );
        self.write(move |tx| {
            Box::pin(
                sqlx::query(
                    "UPDATE api_tokens SET last_used_at = ?1 WHERE id = ?2 \
                     AND (last_used_at IS NULL OR last_used_at < ?3)",
                )
                .bind(at)
                .bind(id)
                .bind(before)
                .execute(tx),
            )
        })
        .await?;
        Ok(())
    }

    async fn file_with_token(
        &self,
        ticket: &NewTicket,
        triage: &Triage,
        now: OffsetDateTime,
        token: i64,
        key: Option<&IdempotencyKey>,
    ) -> Result<ApiFiled, StoreError> {
        let (ticket, triage, key) = (ticket.clone(), triage.clone(), key.cloned());
        let outgoing = self.outgoing;
        self.write_keeping(
            move |tx| {
                Box::pin(async move {
                    file_with_token_in(tx, outgoing, &ticket, &triage, now, token, key.as_ref())
                        .await
                })
            },
            |filed| matches!(filed, Ok(ApiFiled::Filed(_))),
        )
        .await
    }
}

/// Files `ticket` for `token` inside the caller's transaction, as
/// `ApiTokens::file_with_token` does; the caller commits only when it
/// comes back `Filed` (a replay or a reused key wrote nothing).
#[allow(clippy::too_many_arguments)]
pub(super) async fn file_with_token_in(
    conn: &mut sqlx::SqliteConnection,
    outgoing: OutgoingMail,
    ticket: &NewTicket,
    triage: &Triage,
    now: OffsetDateTime,
    token: i64,
    key: Option<&IdempotencyKey>,
) -> Result<ApiFiled, StoreError> {
    if let Some(key) = key {
        let since = time_text::to_text(now - IDEMPOTENCY_WINDOW);
        let used: Option<(String, i64)> = sqlx::query_as(
            "SELECT body_hash, ticket_id FROM api_idempotency \
             WHERE token_id = ? AND key = ? AND created_at >= ?",
        )
        .bind(key.token_id)
        .bind(&key.key)
        .bind(&since)
        .fetch_optional(&mut *conn)
        .await?;
        if let Some((body_hash, ticket_id)) = used {
            return Ok(if body_hash == key.body_hash {
                ApiFiled::Replayed(ticket_id)
            } else {
                ApiFiled::KeyReused
            });
        }
    }
    let (id, outcome) = insert_in(
        &mut *conn,
        outgoing,
        ticket,
        triage,
        now,
        Some(Channel::Api),
    )
    .await?;
    if let InsertOutcome::AlreadyFiled(_) = outcome {
        // A submission id the API never sets: nothing was written.
        return Ok(ApiFiled::Replayed(id));
    }
    sqlx::query(
        "INSERT INTO event_tokens (event_id, token_id) \
         SELECT id, ? FROM ticket_events WHERE ticket_id = ? AND kind = 'created'",
    )
    .bind(token)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    if let Some(key) = key {
        // A key last used more than a window ago is free again.
        sqlx::query(
            "INSERT INTO api_idempotency (token_id, key, body_hash, ticket_id, created_at) \
             VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (token_id, key) DO UPDATE \
             SET body_hash = ?3, ticket_id = ?4, created_at = ?5",
        )
        .bind(key.token_id)
        .bind(&key.key)
        .bind(&key.body_hash)
        .bind(id)
        .bind(time_text::to_text(now))
        .execute(&mut *conn)
        .await?;
    }
    Ok(ApiFiled::Filed(id))
}
