use time::{Duration, OffsetDateTime};

use async_trait::async_trait;

use super::{SqliteStore, time_text};
use crate::kb::Tree;
use crate::store::{Deflections, StoreError};

/// A visitor's "fixed" for a step is remembered this long: pressing it again
/// within the window does not count again.
pub const DEFLECTION_VISITOR_WINDOW: Duration = Duration::days(30);

#[async_trait]
impl Deflections for SqliteStore {
    /// Counts one "yes, fixed" for a step of a code's tree, at most
    /// once per visitor (a hash of something only their browser holds) and
    /// step within `DEFLECTION_VISITOR_WINDOW`. Returns whether it counted.
    /// An earlier step id counts for the step that replaced it; an id the
    /// tree does not know is not counted.
    async fn record_deflection(
        &self,
        tree: &Tree,
        step_id: &str,
        visitor_hash: &str,
        at: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        let Some(step_id) = tree.current_id(step_id) else {
            return Ok(false);
        };
        let (code, step_id) = (tree.code, step_id.to_string());
        let visitor_hash = visitor_hash.to_owned();
        self.write(move |tx| {
            Box::pin(async move {
                let visitor_hash = &visitor_hash;
                sqlx::query("DELETE FROM deflection_visitors WHERE at < ?")
                    .bind(time_text::to_text(at - DEFLECTION_VISITOR_WINDOW))
                    .execute(&mut *tx)
                    .await?;
                let first = sqlx::query(
                    "INSERT INTO deflection_visitors (error_code, step_id, visitor_hash, at) \
                     VALUES (?, ?, ?, ?)
                     ON CONFLICT DO NOTHING",
                )
                .bind(code.as_str())
                .bind(&step_id)
                .bind(visitor_hash)
                .bind(time_text::to_text(at))
                .execute(&mut *tx)
                .await?
                .rows_affected()
                    == 1;
                if first {
                    sqlx::query(
                        "INSERT INTO deflections (error_code, step_id, count, last_at) \
                         VALUES (?, ?, 1, ?) ON CONFLICT (error_code, step_id) \
                         DO UPDATE SET count = count + 1, last_at = excluded.last_at",
                    )
                    .bind(code.as_str())
                    .bind(&step_id)
                    .bind(time_text::to_text(at))
                    .execute(&mut *tx)
                    .await?;
                }
                Ok(first)
            })
        })
        .await
    }

    /// The "yes, fixed" count of a step: its own, plus what was counted
    /// under the earlier ids it `replaces` before they were retired. An
    /// earlier id reads as its successor's count; an unknown id is 0.
    async fn deflection_count(&self, tree: &Tree, step_id: &str) -> Result<i64, StoreError> {
        let Some(step) = tree.current_id(step_id).and_then(|id| tree.step(id)) else {
            return Ok(0);
        };
        let mut total = 0;
        for id in std::iter::once(&step.id).chain(&step.replaces) {
            let count: Option<i64> = sqlx::query_scalar(
                "SELECT count FROM deflections WHERE error_code = ? AND step_id = ?",
            )
            .bind(tree.code.as_str())
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
            total += count.unwrap_or(0);
        }
        Ok(total)
    }
}
