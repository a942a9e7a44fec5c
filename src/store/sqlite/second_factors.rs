//! Staff members' second factor: authenticator secrets, recovery codes and
//! waiting sign-ins.

use async_trait::async_trait;
use sqlx::SqliteConnection;
use time::OffsetDateTime;

use super::{SqliteStore, time_text};
use crate::staff::{StoredTotp, TotpSecret};
use crate::store::{SecondFactors, StoreError};

/// Replaces the member's recovery codes inside `tx`.
async fn store_recovery_codes(
    tx: &mut SqliteConnection,
    staff_id: i64,
    hashes: &[String],
    now: OffsetDateTime,
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM staff_recovery_codes WHERE staff_id = ?")
        .bind(staff_id)
        .execute(&mut *tx)
        .await?;
    for hash in hashes {
        sqlx::query(
            "INSERT INTO staff_recovery_codes (staff_id, code_hash, created_at) VALUES (?, ?, ?)",
        )
        .bind(staff_id)
        .bind(hash)
        .bind(time_text::to_text(now))
        .execute(&mut *tx)
        .await?;
    }
    Ok(())
}

#[async_trait]
impl SecondFactors for SqliteStore {
    async fn staff_totp(&self, staff_id: i64) -> Result<Option<StoredTotp>, StoreError> {
        let row: Option<(Vec<u8>, Option<String>, Option<i64>)> = sqlx::query_as(
            "SELECT secret, enabled_at, last_used_step FROM staff_totp WHERE staff_id = ?",
        )
        .bind(staff_id)
        .fetch_optional(&self.pool)
        .await?;
        let Some((secret, enabled_at, last_used_step)) = row else {
            return Ok(None);
        };
        Ok(Some(StoredTotp {
            secret: TotpSecret::from_stored(secret),
            enabled_at: enabled_at
                .map(|text| time_text::from_text(&text))
                .transpose()?,
            last_used_step,
        }))
    }

    async fn begin_totp(
        &self,
        staff_id: i64,
        secret: &TotpSecret,
        now: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        let done = self
            .execute(
                sqlx::query(
                    "INSERT INTO staff_totp (staff_id, secret, created_at) VALUES (?, ?, ?) \
             ON CONFLICT (staff_id) DO UPDATE SET secret = excluded.secret, \
             created_at = excluded.created_at, last_used_step = NULL \
             WHERE staff_totp.enabled_at IS NULL",
                )
                .bind(staff_id)
                .bind(secret.as_bytes().to_vec())
                .bind(time_text::to_text(now)),
            )
            .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn enable_totp(
        &self,
        staff_id: i64,
        secret: &TotpSecret,
        step: i64,
        recovery_hashes: &[String],
        now: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        let (secret, recovery_hashes) = (secret.to_owned(), recovery_hashes.to_owned());
        self.write(move |tx| {
            Box::pin(async move {
                let (secret, recovery_hashes) = (&secret, &recovery_hashes);
                let done = sqlx::query(
                    "UPDATE staff_totp SET enabled_at = ?, last_used_step = ? \
                     WHERE staff_id = ? AND secret = ? AND enabled_at IS NULL",
                )
                .bind(time_text::to_text(now))
                .bind(step)
                .bind(staff_id)
                .bind(secret.as_bytes())
                .execute(&mut *tx)
                .await?;
                if done.rows_affected() != 1 {
                    return Ok(false);
                }
                store_recovery_codes(&mut *tx, staff_id, recovery_hashes, now).await?;
                Ok(true)
            })
        })
        .await
    }

    async fn take_totp_step(&self, staff_id: i64, step: i64) -> Result<bool, StoreError> {
        let done = self
            .execute(
                sqlx::query(
                    "UPDATE staff_totp SET last_used_step = ? \
             WHERE staff_id = ? AND enabled_at IS NOT NULL \
             AND (last_used_step IS NULL OR last_used_step < ?)",
                )
                .bind(step)
                .bind(staff_id)
                .bind(step),
            )
            .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn take_recovery_code(
        &self,
        staff_id: i64,
        hash: &str,
        now: OffsetDateTime,
    ) -> Result<Option<i64>, StoreError> {
        let hash = hash.to_owned();
        self.write(move |tx| {
            Box::pin(async move {
                let hash = &hash;
                let done = sqlx::query(
                    "UPDATE staff_recovery_codes SET used_at = ? \
                     WHERE staff_id = ? AND code_hash = ? AND used_at IS NULL",
                )
                .bind(time_text::to_text(now))
                .bind(staff_id)
                .bind(hash)
                .execute(&mut *tx)
                .await?;
                if done.rows_affected() != 1 {
                    return Ok(None);
                }
                let left: i64 = sqlx::query_scalar(
                    "SELECT COUNT(*) FROM staff_recovery_codes WHERE staff_id = ? AND used_at \
                     IS NULL",
                )
                .bind(staff_id)
                .fetch_one(&mut *tx)
                .await?;
                Ok(Some(left))
            })
        })
        .await
    }

    async fn recovery_codes_left(&self, staff_id: i64) -> Result<i64, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT COUNT(*) FROM staff_recovery_codes WHERE staff_id = ? AND used_at IS NULL",
        )
        .bind(staff_id)
        .fetch_one(&self.pool)
        .await?)
    }

    async fn replace_recovery_codes(
        &self,
        staff_id: i64,
        hashes: &[String],
        now: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        let hashes = hashes.to_owned();
        self.write(move |tx| {
            Box::pin(async move {
                let hashes = &hashes;
                let on: Option<i64> = sqlx::query_scalar(
                    "SELECT staff_id FROM staff_totp WHERE staff_id = ? AND enabled_at IS NOT NULL",
                )
                .bind(staff_id)
                .fetch_optional(&mut *tx)
                .await?;
                if on.is_none() {
                    return Ok(false);
                }
                store_recovery_codes(&mut *tx, staff_id, hashes, now).await?;
                Ok(true)
            })
        })
        .await
    }

    async fn remove_totp(&self, staff_id: i64) -> Result<bool, StoreError> {
        self.write(move |tx| {
            Box::pin(async move {
                let removed = sqlx::query("DELETE FROM staff_totp WHERE staff_id = ?")
                    .bind(staff_id)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                sqlx::query("DELETE FROM staff_recovery_codes WHERE staff_id = ?")
                    .bind(staff_id)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query("DELETE FROM staff_sign_in_challenges WHERE staff_id = ?")
                    .bind(staff_id)
                    .execute(&mut *tx)
                    .await?;
                Ok(removed == 1)
            })
        })
        .await
    }

    async fn create_sign_in_challenge(
        &self,
        id_hash: &str,
        staff_id: i64,
        next: &str,
        expires_at: OffsetDateTime,
    ) -> Result<(), StoreError> {
        let (id_hash, next) = (id_hash.to_owned(), next.to_owned());
        self.write(move |tx| {
            Box::pin(async move {
                let (id_hash, next) = (&id_hash, &next);
                sqlx::query("DELETE FROM staff_sign_in_challenges WHERE expires_at < ?")
                    .bind(time_text::to_text(OffsetDateTime::now_utc()))
                    .execute(&mut *tx)
                    .await?;
                sqlx::query(
                    "INSERT INTO staff_sign_in_challenges (id_hash, staff_id, next, expires_at) \
                     VALUES (?, ?, ?, ?)",
                )
                .bind(id_hash)
                .bind(staff_id)
                .bind(next)
                .bind(time_text::to_text(expires_at))
                .execute(&mut *tx)
                .await?;
                Ok(())
            })
        })
        .await
    }

    async fn sign_in_challenge(
        &self,
        id_hash: &str,
        now: OffsetDateTime,
    ) -> Result<Option<(i64, String)>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT staff_id, next FROM staff_sign_in_challenges \
             WHERE id_hash = ? AND expires_at > ?",
        )
        .bind(id_hash)
        .bind(time_text::to_text(now))
        .fetch_optional(&self.pool)
        .await?)
    }

    async fn end_sign_in_challenge(&self, id_hash: &str) -> Result<(), StoreError> {
        self.execute(
            sqlx::query("DELETE FROM staff_sign_in_challenges WHERE id_hash = ?")
                .bind(id_hash.to_string()),
        )
        .await?;
        Ok(())
    }
}
