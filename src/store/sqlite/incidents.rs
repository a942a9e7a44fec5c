//! Known incidents, and the link from a ticket to the incident open when it
//! was filed (written with the ticket: `tickets::insert_in`).

use async_trait::async_trait;
use sqlx::Row;
use sqlx::sqlite::SqliteRow;
use time::OffsetDateTime;

use super::decode::{self, optional_time};
use super::{SqliteStore, time_text, webhooks};
use crate::store::{Incidents, StoreError};
use crate::tickets::incident::{Incident, NewIncident, codes_from_text, codes_to_text};
use crate::webhooks::WebhookEvent;

/// The columns `incident_from_row` reads, from `incidents i` joined to the
/// staff member who declared it as `s`.
pub(super) const COLUMNS: &str = "i.id, i.title, i.affected, i.codes, i.started_at, i.ended_at, \
     COALESCE(s.name, '') AS declared_by";

/// The open incident a ticket with this code, filed now, belongs to: the
/// latest begun that covers the code. Used inside the ticket's INSERT.
pub(super) const OPEN_INCIDENT_FOR_CODE: &str = "(SELECT id FROM incidents \
     WHERE ended_at IS NULL AND started_at <= ?1 \
     AND (codes = '' OR instr(',' || codes || ',', ',' || ?2 || ',') > 0) \
     ORDER BY started_at DESC, id DESC LIMIT 1)";

pub(super) fn incident_from_row(row: &SqliteRow) -> Result<Incident, sqlx::Error> {
    Ok(Incident {
        id: row.try_get("id")?,
        title: row.try_get("title")?,
        affected: row.try_get("affected")?,
        codes: codes_from_text(&row.try_get::<String, _>("codes")?),
        started_at: decode::time(row, "started_at")?,
        ended_at: optional_time(row, "ended_at")?,
        declared_by: row.try_get("declared_by")?,
    })
}

impl SqliteStore {
    async fn incidents_where(
        &self,
        tail: &str,
        bind: Option<i64>,
    ) -> Result<Vec<Incident>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM incidents i LEFT JOIN staff s ON s.id = i.declared_by {tail}"
        );
        let mut query = sqlx::query(&sql);
        if let Some(value) = bind {
            query = query.bind(value);
        }
        Ok(query
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(incident_from_row)
            .collect::<Result<_, _>>()?)
    }
}

#[async_trait]
impl Incidents for SqliteStore {
    async fn declare_incident(
        &self,
        incident: &NewIncident,
        by: i64,
        now: OffsetDateTime,
    ) -> Result<i64, StoreError> {
        // A second submit of the same declaration (a double click) finds
        // the incident the first one opened instead of opening another.
        let incident = incident.to_owned();
        self.write(move |tx| {
            Box::pin(async move {
                let incident = &incident;
                let open: Option<i64> = sqlx::query_scalar(
                    "SELECT id FROM incidents WHERE ended_at IS NULL AND title = ? COLLATE NOCASE",
                )
                .bind(&incident.title)
                .fetch_optional(&mut *tx)
                .await?;
                if let Some(id) = open {
                    return Ok(id);
                }
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO incidents (title, affected, codes, started_at, declared_by, \
                     created_at) \
                     VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                )
                .bind(&incident.title)
                .bind(&incident.affected)
                .bind(codes_to_text(&incident.codes))
                .bind(time_text::to_text(incident.started_at))
                .bind(by)
                .bind(time_text::to_text(now))
                .fetch_one(&mut *tx)
                .await?;
                webhooks::enqueue_for_incident(&mut *tx, WebhookEvent::IncidentOpened, id, now)
                    .await?;
                Ok(id)
            })
        })
        .await
    }

    async fn end_incident(
        &self,
        id: i64,
        by: i64,
        now: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        self.write(move |tx| {
            Box::pin(async move {
                let done = sqlx::query(
                    "UPDATE incidents SET ended_at = ?, ended_by = ? WHERE id = ? AND ended_at \
                     IS NULL",
                )
                .bind(time_text::to_text(now))
                .bind(by)
                .bind(id)
                .execute(&mut *tx)
                .await?;
                if done.rows_affected() != 1 {
                    return Ok(false);
                }
                webhooks::enqueue_for_incident(&mut *tx, WebhookEvent::IncidentEnded, id, now)
                    .await?;
                Ok(true)
            })
        })
        .await
    }

    async fn open_incidents(&self) -> Result<Vec<Incident>, StoreError> {
        self.incidents_where(
            "WHERE i.ended_at IS NULL ORDER BY i.started_at DESC, i.id DESC",
            None,
        )
        .await
    }

    async fn recent_incidents(&self, limit: u32) -> Result<Vec<Incident>, StoreError> {
        let mut all = self.open_incidents().await?;
        all.extend(
            self.incidents_where(
                "WHERE i.ended_at IS NOT NULL ORDER BY i.ended_at DESC, i.id DESC LIMIT ?",
                Some(i64::from(limit)),
            )
            .await?,
        );
        Ok(all)
    }

    async fn incident(&self, id: i64) -> Result<Option<Incident>, StoreError> {
        Ok(self
            .incidents_where("WHERE i.id = ?", Some(id))
            .await?
            .into_iter()
            .next())
    }

    async fn incident_tickets(&self, id: i64, limit: u32) -> Result<(Vec<i64>, i64), StoreError> {
        // The window counts every linked ticket before LIMIT applies: the
        // first page and the total in one statement.
        let rows: Vec<(i64, i64)> = sqlx::query_as(
            "SELECT id, COUNT(*) OVER () FROM tickets WHERE incident_id = ? ORDER BY id LIMIT ?",
        )
        .bind(id)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        let count = rows.first().map_or(0, |(_, count)| *count);
        Ok((rows.into_iter().map(|(id, _)| id).collect(), count))
    }
}
