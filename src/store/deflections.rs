use time::{Duration, OffsetDateTime};

use super::{Store, time_text};
use crate::domain::ErrorCode;

/// A visitor's "fixed" for a step is remembered this long: pressing it again
/// within the window does not count again.
pub const DEFLECTION_VISITOR_WINDOW: Duration = Duration::days(30);

impl Store {
    /// Counts one "yes, fixed" for a step of a code's tree, at most
    /// once per visitor (a hash of something only their browser holds) and
    /// step within `DEFLECTION_VISITOR_WINDOW`. Returns whether it counted.
    pub async fn record_deflection(
        &self,
        code: ErrorCode,
        step_id: &str,
        visitor_hash: &str,
        at: OffsetDateTime,
    ) -> Result<bool, sqlx::Error> {
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM deflection_visitors WHERE at < ?")
            .bind(time_text::to_text(at - DEFLECTION_VISITOR_WINDOW))
            .execute(&mut *tx)
            .await?;
        let first = sqlx::query(
            "INSERT INTO deflection_visitors (error_code, step_id, visitor_hash, at) VALUES (?, ?, ?, ?)
             ON CONFLICT DO NOTHING",
        )
        .bind(code.as_str())
        .bind(step_id)
        .bind(visitor_hash)
        .bind(time_text::to_text(at))
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        if first {
            sqlx::query(
                "INSERT INTO deflections (error_code, step_id, count, last_at) VALUES (?, ?, 1, ?)
                 ON CONFLICT (error_code, step_id) DO UPDATE SET count = count + 1, last_at = excluded.last_at",
            )
            .bind(code.as_str())
            .bind(step_id)
            .bind(time_text::to_text(at))
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(first)
    }

    pub async fn deflection_count(
        &self,
        code: ErrorCode,
        step_id: &str,
    ) -> Result<i64, sqlx::Error> {
        let count: Option<i64> = sqlx::query_scalar(
            "SELECT count FROM deflections WHERE error_code = ? AND step_id = ?",
        )
        .bind(code.as_str())
        .bind(step_id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(count.unwrap_or(0))
    }
}
