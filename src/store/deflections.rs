use time::OffsetDateTime;

use super::{Store, time_text};
use crate::domain::ErrorCode;

impl Store {
    /// Counts one "yes, that fixed it" for a step of a code's tree.
    pub async fn record_deflection(
        &self,
        code: ErrorCode,
        step_id: &str,
        at: OffsetDateTime,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO deflections (error_code, step_id, count, last_at) VALUES (?, ?, 1, ?)
             ON CONFLICT (error_code, step_id) DO UPDATE SET count = count + 1, last_at = excluded.last_at",
        )
        .bind(code.as_str())
        .bind(step_id)
        .bind(time_text::to_text(at))
        .execute(&self.pool)
        .await?;
        Ok(())
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
