//! Reading a ticket's surroundings for its pages: its timeline (for staff,
//! or only what the requester may see) and the tickets like it.

use async_trait::async_trait;
use sqlx::Row;
use sqlx::sqlite::SqliteRow;

use super::{SqliteStore, decode};
use crate::store::{SimilarTicket, StoreError, Timelines};
use crate::tickets::{EventActor, EventKind, Ticket, TicketStatus, TimelineEvent, reference_for};

#[async_trait]
impl Timelines for SqliteStore {
    /// The most recent tickets sharing this one's similar key, itself and
    /// its problem's members (listed with the problem) left out.
    async fn similar_tickets(
        &self,
        ticket: &Ticket,
        limit: i64,
    ) -> Result<Vec<SimilarTicket>, StoreError> {
        if ticket.similar_key.is_empty() {
            return Ok(Vec::new());
        }
        let rows = sqlx::query(
            "SELECT id, status, created_at, substr(message, 1, 200) AS message_start, endpoint \
             FROM tickets WHERE similar_key = ?1 AND id <> ?2 \
             AND (?3 IS NULL OR problem_id IS NOT ?3) \
             ORDER BY created_at DESC, id DESC LIMIT ?4",
        )
        .bind(&ticket.similar_key)
        .bind(ticket.id)
        .bind(ticket.problem_id)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let id: i64 = row.try_get("id")?;
                Ok(SimilarTicket {
                    id,
                    reference: reference_for(id),
                    status: decode::parsed(row, "status", TicketStatus::parse)?,
                    created_at: decode::time(row, "created_at")?,
                    message_start: row.try_get("message_start")?,
                    endpoint: row.try_get("endpoint")?,
                })
            })
            .collect()
    }

    /// Every event of the ticket, oldest first, for staff.
    async fn ticket_timeline(&self, id: i64) -> Result<Vec<TimelineEvent>, StoreError> {
        Ok(self.timeline(id, false).await?)
    }

    /// Only the events the requester may see (`public = 1`), oldest first.
    /// Internal notes never leave the database for the requester's page.
    async fn public_timeline(&self, id: i64) -> Result<Vec<TimelineEvent>, StoreError> {
        Ok(self.timeline(id, true).await?)
    }
}

impl SqliteStore {
    async fn timeline(
        &self,
        id: i64,
        public_only: bool,
    ) -> Result<Vec<TimelineEvent>, sqlx::Error> {
        // Assignment events name staff by id; their names are joined in. CASE
        // keeps json_extract away from anything but well-formed JSON. Staff
        // see which token acted for its admin; requesters see the admin.
        let actor_name = if public_only {
            "s.name"
        } else {
            "CASE WHEN tk.name IS NULL THEN s.name \
             ELSE s.name || ' (token “' || tk.name || '”)' END"
        };
        let sql = format!(
            "SELECT e.id, e.at, e.actor, e.actor_staff_id, {actor_name} AS actor_name, e.kind, \
             e.public, e.body, e.data, sf.name AS from_name, st.name AS to_name \
             FROM ticket_events e \
             LEFT JOIN staff s ON s.id = e.actor_staff_id \
             LEFT JOIN event_tokens et ON et.event_id = e.id \
             LEFT JOIN api_tokens tk ON tk.id = et.token_id \
             LEFT JOIN staff sf ON sf.id = CASE WHEN e.kind = 'assigned' AND json_valid(e.data) \
                 THEN json_extract(e.data, '$.from') END \
             LEFT JOIN staff st ON st.id = CASE WHEN e.kind = 'assigned' AND json_valid(e.data) \
                 THEN json_extract(e.data, '$.to') END \
             WHERE e.ticket_id = ?{} ORDER BY e.id",
            if public_only { " AND e.public = 1" } else { "" }
        );
        sqlx::query(&sql)
            .bind(id)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(timeline_event)
            .collect()
    }
}

fn timeline_event(row: &SqliteRow) -> Result<TimelineEvent, sqlx::Error> {
    let actor: String = row.try_get("actor")?;
    let actor = match actor.as_str() {
        "staff" => EventActor::Staff {
            id: row
                .try_get::<Option<i64>, _>("actor_staff_id")?
                .unwrap_or(0),
            name: row
                .try_get::<Option<String>, _>("actor_name")?
                .unwrap_or_else(|| "A staff member".into()),
        },
        "requester" => EventActor::Requester,
        _ => EventActor::System,
    };
    let kind: String = row.try_get("kind")?;
    let data: String = row.try_get("data")?;
    let kind = EventKind::read(&kind, &data)
        .with_staff_names(row.try_get("from_name")?, row.try_get("to_name")?);
    Ok(TimelineEvent {
        id: row.try_get("id")?,
        at: decode::time(row, "at")?,
        actor,
        kind,
        public: row.try_get::<i64, _>("public")? != 0,
        body: row.try_get("body")?,
    })
}
