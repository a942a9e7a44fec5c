//! Canned replies staff share.

use async_trait::async_trait;
use sqlx::Row;
use sqlx::sqlite::SqliteRow;
use time::OffsetDateTime;

use super::{SqliteStore, decode, time_text};
use crate::store::{Macros, StoreError};
use crate::tickets::macros::{Macro, NewMacro};
use crate::tickets::{Priority, TicketStatus};

const MACRO_COLUMNS: &str = "m.id, m.title, m.body, m.set_status, m.set_priority, \
     m.created_by, s.name AS creator";

#[async_trait]
impl Macros for SqliteStore {
    async fn macros(&self) -> Result<Vec<Macro>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {MACRO_COLUMNS} FROM macros m JOIN staff s ON s.id = m.created_by \
             ORDER BY m.title COLLATE NOCASE, m.id"
        ))
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(macro_from_row)
            .collect::<Result<_, sqlx::Error>>()?)
    }

    async fn macro_by_id(&self, id: i64) -> Result<Option<Macro>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {MACRO_COLUMNS} FROM macros m JOIN staff s ON s.id = m.created_by \
             WHERE m.id = ?"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.as_ref().map(macro_from_row).transpose()?)
    }

    async fn add_macro(
        &self,
        new: &NewMacro,
        by: i64,
        now: OffsetDateTime,
    ) -> Result<i64, StoreError> {
        let now = time_text::to_text(now);
        let new = new.to_owned();
        self.write(move |tx| {
            Box::pin(async move {
                let new = &new;
                let id = sqlx::query(
                    "INSERT INTO macros (title, body, set_status, set_priority, created_by, \
                     created_at, \
                     updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                )
                .bind(&new.title)
                .bind(&new.body)
                .bind(new.set_status.map(TicketStatus::as_str))
                .bind(new.set_priority.map(Priority::rank))
                .bind(by)
                .bind(&now)
                .bind(&now)
                .execute(&mut *tx)
                .await?
                .last_insert_rowid();
                Ok(id)
            })
        })
        .await
    }

    async fn update_macro(
        &self,
        id: i64,
        new: &NewMacro,
        now: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        let new = new.to_owned();
        self.write(move |tx| {
            Box::pin(async move {
                let new = &new;
                let changed = sqlx::query(
                    "UPDATE macros SET title = ?, body = ?, set_status = ?, set_priority = ?, \
                     updated_at = ? WHERE id = ?",
                )
                .bind(&new.title)
                .bind(&new.body)
                .bind(new.set_status.map(TicketStatus::as_str))
                .bind(new.set_priority.map(Priority::rank))
                .bind(time_text::to_text(now))
                .bind(id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                Ok(changed > 0)
            })
        })
        .await
    }

    async fn delete_macro(&self, id: i64) -> Result<bool, StoreError> {
        self.write(move |tx| {
            Box::pin(async move {
                let deleted = sqlx::query("DELETE FROM macros WHERE id = ?")
                    .bind(id)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                Ok(deleted > 0)
            })
        })
        .await
    }
}

fn macro_from_row(row: &SqliteRow) -> Result<Macro, sqlx::Error> {
    Ok(Macro {
        id: row.try_get("id")?,
        title: row.try_get("title")?,
        body: row.try_get("body")?,
        set_status: decode::optional_parsed(row, "set_status", TicketStatus::parse)?,
        set_priority: row
            .try_get::<Option<i64>, _>("set_priority")?
            .map(|rank| {
                Priority::from_rank(rank)
                    .ok_or_else(|| decode::invalid("set_priority", &rank.to_string()))
            })
            .transpose()?,
        created_by: row.try_get("created_by")?,
        creator: row.try_get("creator")?,
    })
}
