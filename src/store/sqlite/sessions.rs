//! Staff sessions and sign-in throttling.

use time::{Duration, OffsetDateTime};

use async_trait::async_trait;

use super::{SqliteStore, time_text};
use crate::staff::StaffMember;
use crate::store::{LoginAttempt, Sessions, StaffAccounts, StoreError};

#[async_trait]
impl Sessions for SqliteStore {
    async fn create_session(
        &self,
        id_hash: &str,
        staff_id: i64,
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        let now = time_text::to_text(now);
        // A new session is a sign-in: the admin pages show the latest.
        let id_hash = id_hash.to_string();
        self.write(move |tx| {
            Box::pin(async move {
                sqlx::query(
                    "INSERT INTO staff_sessions (id_hash, staff_id, created_at, last_seen_at) \
                     VALUES (?, ?, ?, ?)",
                )
                .bind(id_hash)
                .bind(staff_id)
                .bind(&now)
                .bind(&now)
                .execute(&mut *tx)
                .await?;
                sqlx::query("UPDATE staff SET last_sign_in_at = ? WHERE id = ?")
                    .bind(&now)
                    .bind(staff_id)
                    .execute(&mut *tx)
                    .await?;
                Ok(())
            })
        })
        .await
    }

    /// The signed-in staff member for a session that is still valid: not idle
    /// longer than `idle`, not older than `absolute`, account not disabled.
    /// A valid session's last-seen time is refreshed at most once a minute,
    /// so browsing does not turn every page view into a write.
    async fn session_staff(
        &self,
        id_hash: &str,
        now: OffsetDateTime,
        idle: Duration,
        absolute: Duration,
    ) -> Result<Option<StaffMember>, StoreError> {
        let row: Option<(i64, String, String)> = sqlx::query_as(
            "SELECT s.staff_id, s.created_at, s.last_seen_at FROM staff_sessions s \
             JOIN staff ON staff.id = s.staff_id \
             WHERE s.id_hash = ? AND staff.disabled_at IS NULL",
        )
        .bind(id_hash)
        .fetch_optional(&self.pool)
        .await?;
        let Some((staff_id, created_at, last_seen_at)) = row else {
            return Ok(None);
        };
        let created_at = time_text::from_text(&created_at)?;
        let last_seen_at = time_text::from_text(&last_seen_at)?;
        if now - last_seen_at > idle || now - created_at > absolute {
            self.end_session(id_hash).await?;
            return Ok(None);
        }
        if now - last_seen_at > Duration::minutes(1) {
            self.execute(
                sqlx::query("UPDATE staff_sessions SET last_seen_at = ? WHERE id_hash = ?")
                    .bind(time_text::to_text(now))
                    .bind(id_hash.to_string()),
            )
            .await?;
        }
        self.staff_by_id(staff_id).await
    }

    async fn end_session(&self, id_hash: &str) -> Result<(), StoreError> {
        self.execute(
            sqlx::query("DELETE FROM staff_sessions WHERE id_hash = ?").bind(id_hash.to_string()),
        )
        .await?;
        Ok(())
    }

    /// Reserves one sign-in attempt against every scope, or refuses it when
    /// any scope already has its limit of attempts since `since`. The count
    /// and the insert happen in one write transaction, so parallel attempts
    /// queue on the write lock instead of all passing the check before any
    /// failure is recorded. A reserved attempt counts as a failure until
    /// [`SqliteStore::release_login_attempt`] takes it back.
    async fn reserve_login_attempt(
        &self,
        limits: &[(&str, i64)],
        since: OffsetDateTime,
        now: OffsetDateTime,
    ) -> Result<Option<LoginAttempt>, StoreError> {
        let limits: Vec<(String, i64)> = limits
            .iter()
            .map(|(scope, limit)| ((*scope).to_string(), *limit))
            .collect();
        self.write(move |tx| {
            Box::pin(async move {
                for (scope, limit) in &limits {
                    let recent: i64 = sqlx::query_scalar(
                        "SELECT COUNT(*) FROM login_failures WHERE scope = ? AND failed_at >= ?",
                    )
                    .bind(scope)
                    .bind(time_text::to_text(since))
                    .fetch_one(&mut *tx)
                    .await?;
                    if recent >= *limit {
                        return Ok(None);
                    }
                }
                let mut ids = Vec::with_capacity(limits.len());
                for (scope, _) in &limits {
                    let done =
                        sqlx::query("INSERT INTO login_failures (scope, failed_at) VALUES (?, ?)")
                            .bind(scope)
                            .bind(time_text::to_text(now))
                            .execute(&mut *tx)
                            .await?;
                    ids.push(done.last_insert_rowid());
                }
                // Old failures no longer matter; keep the table small.
                sqlx::query("DELETE FROM login_failures WHERE failed_at < ?")
                    .bind(time_text::to_text(now - Duration::days(1)))
                    .execute(&mut *tx)
                    .await?;
                Ok(Some(LoginAttempt(ids)))
            })
        })
        .await
    }

    /// Takes back a reserved attempt: it succeeded, or was never evaluated.
    async fn release_login_attempt(&self, attempt: LoginAttempt) -> Result<(), StoreError> {
        self.write(move |tx| {
            Box::pin(async move {
                for id in attempt.0 {
                    sqlx::query("DELETE FROM login_failures WHERE id = ?")
                        .bind(id)
                        .execute(&mut *tx)
                        .await?;
                }
                Ok(())
            })
        })
        .await
    }

    async fn login_retry_at(
        &self,
        limits: &[(&str, i64)],
        since: OffsetDateTime,
        window: Duration,
    ) -> Result<Option<OffsetDateTime>, StoreError> {
        let mut latest = None;
        for (scope, limit) in limits {
            let Ok(offset) = u32::try_from(limit - 1) else {
                continue;
            };
            let at: Option<String> = sqlx::query_scalar(
                "SELECT failed_at FROM login_failures WHERE scope = ? AND failed_at >= ? \
                 ORDER BY failed_at DESC LIMIT 1 OFFSET ?",
            )
            .bind(scope)
            .bind(time_text::to_text(since))
            .bind(offset)
            .fetch_optional(&self.pool)
            .await?;
            if let Some(at) = at {
                let free = time_text::from_text(&at)? + window;
                latest = latest.max(Some(free));
            }
        }
        Ok(latest)
    }

    async fn login_failures_since(
        &self,
        scope: &str,
        since: OffsetDateTime,
    ) -> Result<i64, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT COUNT(*) FROM login_failures WHERE scope = ? AND failed_at >= ?",
        )
        .bind(scope)
        .bind(time_text::to_text(since))
        .fetch_one(&self.pool)
        .await?)
    }

    async fn clear_login_failures(&self, scope: &str) -> Result<(), StoreError> {
        self.execute(
            sqlx::query("DELETE FROM login_failures WHERE scope = ?").bind(scope.to_string()),
        )
        .await?;
        Ok(())
    }
}
