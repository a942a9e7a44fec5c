//! Saved queue views and each staff member's default.

use async_trait::async_trait;
use sqlx::Row;
use sqlx::sqlite::SqliteRow;
use time::OffsetDateTime;

use super::decode;
use super::{SqliteStore, time_text};
use crate::store::{SaveViewError, SavedViews, StoreError};
use crate::tickets::queue::views::{MAX_SAVED_VIEWS, SavedView};

fn view_from_row(row: &SqliteRow) -> Result<SavedView, sqlx::Error> {
    Ok(SavedView {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        query: row.try_get("query")?,
        created_by: row.try_get("created_by")?,
        created_at: decode::time(row, "created_at")?,
    })
}

#[async_trait]
impl SavedViews for SqliteStore {
    /// Every view, the ones apidesk starts with first, then by name.
    async fn saved_views(&self) -> Result<Vec<SavedView>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, name, query, created_by, created_at FROM saved_views \
             ORDER BY created_by IS NOT NULL, CASE WHEN created_by IS NULL THEN id END, \
             name COLLATE NOCASE",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.iter().map(view_from_row).collect::<Result<_, _>>()?)
    }

    async fn save_view(
        &self,
        name: &str,
        query: &str,
        by: i64,
        at: OffsetDateTime,
    ) -> Result<i64, SaveViewError> {
        let (name, query) = (name.to_owned(), query.to_owned());
        self.write(move |tx| {
            Box::pin(async move {
                let (name, query) = (&name, &query);
                let (count,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM saved_views")
                    .fetch_one(&mut *tx)
                    .await?;
                if count >= MAX_SAVED_VIEWS as i64 {
                    return Err(SaveViewError::TooMany);
                }
                let inserted = sqlx::query(
                    "INSERT INTO saved_views (name, query, created_by, created_at) VALUES (?, \
                     ?, ?, ?) \
                     ON CONFLICT DO NOTHING RETURNING id",
                )
                .bind(name)
                .bind(query)
                .bind(by)
                .bind(time_text::to_text(at))
                .fetch_optional(&mut *tx)
                .await?;
                let Some(row) = inserted else {
                    return Err(SaveViewError::NameTaken);
                };
                let id: i64 = row.try_get("id")?;
                Ok(id)
            })
        })
        .await
    }

    async fn saved_view(&self, id: i64) -> Result<Option<SavedView>, StoreError> {
        let row = sqlx::query(
            "SELECT id, name, query, created_by, created_at FROM saved_views WHERE id = ?",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.as_ref().map(view_from_row).transpose()?)
    }

    /// Removes the view, and with it anyone's default that named it.
    async fn delete_view(&self, id: i64) -> Result<bool, StoreError> {
        self.write(move |tx| {
            Box::pin(async move {
                sqlx::query("DELETE FROM staff_default_view WHERE view_id = ?")
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                let deleted = sqlx::query("DELETE FROM saved_views WHERE id = ?")
                    .bind(id)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected()
                    == 1;
                Ok(deleted)
            })
        })
        .await
    }

    async fn default_view(&self, staff_id: i64) -> Result<Option<SavedView>, StoreError> {
        let row = sqlx::query(
            "SELECT v.id, v.name, v.query, v.created_by, v.created_at \
             FROM staff_default_view d JOIN saved_views v ON v.id = d.view_id \
             WHERE d.staff_id = ?",
        )
        .bind(staff_id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.as_ref().map(view_from_row).transpose()?)
    }

    /// Makes `view` the person's default, or clears it (`None`). A view
    /// deleted meanwhile is not set: returns false.
    async fn set_default_view(&self, staff_id: i64, view: Option<i64>) -> Result<bool, StoreError> {
        self.write(move |tx| {
            Box::pin(async move {
                sqlx::query("DELETE FROM staff_default_view WHERE staff_id = ?")
                    .bind(staff_id)
                    .execute(&mut *tx)
                    .await?;
                let set = match view {
                    None => true,
                    Some(view) => {
                        sqlx::query(
                            "INSERT INTO staff_default_view (staff_id, view_id) \
                             SELECT ?, id FROM saved_views WHERE id = ?",
                        )
                        .bind(staff_id)
                        .bind(view)
                        .execute(&mut *tx)
                        .await?
                        .rows_affected()
                            == 1
                    }
                };
                Ok(set)
            })
        })
        .await
    }
}
