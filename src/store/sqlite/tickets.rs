use async_trait::async_trait;
use sqlx::Row;
use sqlx::sqlite::SqliteRow;
use time::OffsetDateTime;
use uuid::Uuid;

use super::decode::{self, optional_time, parsed};
use super::ticket_actions::insert_event;
use super::{SqliteStore, outbox, time_text};
use crate::domain::{ErrorCode, HttpMethod};
use crate::store::{InsertOutcome, StoreError, Tickets};
use crate::tickets::{
    Author, Environment, EventKind, NewEvent, NewTicket, Ticket, TicketStatus, Tool, Triage,
};

pub(super) const TICKET_COLUMNS: &str = "id, token, submission_id, error_code, message, endpoint, \
     method, occurred_at, tool, tool_other, recent_changes, environment, requester_name, \
     requester_email, tree_path, status, priority, assignee_id, merged_into_id, \
     first_response_at, due_at, similar_key, created_at, updated_at, time_zone";

#[async_trait]
impl Tickets for SqliteStore {
    /// Stores a new ticket in one transaction. The commit is durable before
    /// this returns, so the caller may acknowledge the ticket.
    async fn insert_ticket(
        &self,
        ticket: &NewTicket,
        triage: &Triage,
        now: OffsetDateTime,
    ) -> Result<InsertOutcome, StoreError> {
        let mut tx = self.begin_write().await?;
        let existing: Option<String> =
            sqlx::query_scalar("SELECT token FROM tickets WHERE submission_id = ?")
                .bind(ticket.submission_id.to_string())
                .fetch_optional(&mut *tx)
                .await?;
        if let Some(token) = existing {
            return Ok(InsertOutcome::AlreadyFiled(decode::uuid(&token)?));
        }
        let token = Uuid::new_v4();
        let at = now;
        let now = time_text::to_text(now);
        let id = sqlx::query(
            "INSERT INTO tickets (token, submission_id, error_code, message, endpoint, method, \
             occurred_at, tool, tool_other, recent_changes, environment, requester_name, \
             requester_email, tree_path, status, priority, due_at, similar_key, created_at, \
             updated_at, time_zone) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'new', ?, ?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(token.to_string())
        .bind(ticket.submission_id.to_string())
        .bind(ticket.error_code.as_str())
        .bind(&ticket.message)
        .bind(&ticket.endpoint)
        .bind(ticket.method.as_str())
        .bind(time_text::to_text(ticket.occurred_at))
        .bind(ticket.tool.as_str())
        .bind(ticket.tool.other_text())
        .bind(&ticket.recent_changes)
        .bind(ticket.environment.as_str())
        .bind(&ticket.name)
        .bind(&ticket.email)
        .bind(ticket.path.join(","))
        .bind(triage.priority.rank())
        .bind(time_text::to_text(triage.due_at))
        .bind(&triage.similar_key)
        .bind(&now)
        .bind(&now)
        .bind(ticket.time_zone.name())
        .fetch_one(&mut *tx)
        .await?;
        let id: i64 = sqlx::Row::try_get(&id, 0)?;
        let created = NewEvent {
            ticket_id: id,
            by: Author::Requester,
            kind: EventKind::Created,
            body: String::new(),
        };
        let event_id = insert_event(&mut tx, &created, &now).await?;
        outbox::enqueue_for_event(
            &mut tx,
            self.outgoing,
            event_id,
            &created,
            triage.priority,
            at,
        )
        .await?;
        tx.commit().await?;
        Ok(InsertOutcome::Created(token))
    }

    async fn count_tickets(&self) -> Result<i64, StoreError> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM tickets")
            .fetch_one(&self.pool)
            .await?)
    }

    async fn ticket_by_id(&self, id: i64) -> Result<Option<Ticket>, StoreError> {
        let sql = format!("SELECT {TICKET_COLUMNS} FROM tickets WHERE id = ?");
        Ok(sqlx::query(&sql)
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .map(|row| ticket_from_row(&row))
            .transpose()?)
    }

    async fn ticket_by_token(&self, token: Uuid) -> Result<Option<Ticket>, StoreError> {
        let sql = format!("SELECT {TICKET_COLUMNS} FROM tickets WHERE token = ?");
        Ok(sqlx::query(&sql)
            .bind(token.to_string())
            .fetch_optional(&self.pool)
            .await?
            .map(|row| ticket_from_row(&row))
            .transpose()?)
    }
}

pub(super) fn ticket_from_row(row: &SqliteRow) -> Result<Ticket, sqlx::Error> {
    let text = |column: &str| row.try_get::<String, _>(column);
    let tool_other = text("tool_other")?;
    Ok(Ticket {
        id: row.try_get("id")?,
        token: decode::uuid(&text("token")?)?,
        status: parsed(row, "status", TicketStatus::parse)?,
        priority: decode::priority(row)?,
        assignee_id: row.try_get("assignee_id")?,
        merged_into_id: row.try_get("merged_into_id")?,
        first_response_at: optional_time(row, "first_response_at")?,
        due_at: optional_time(row, "due_at")?,
        similar_key: text("similar_key")?,
        created_at: decode::time(row, "created_at")?,
        updated_at: decode::time(row, "updated_at")?,
        details: NewTicket {
            submission_id: decode::uuid(&text("submission_id")?)?,
            error_code: parsed(row, "error_code", ErrorCode::parse)?,
            message: text("message")?,
            endpoint: text("endpoint")?,
            method: parsed(row, "method", HttpMethod::parse)?,
            occurred_at: decode::time(row, "occurred_at")?,
            time_zone: decode::time_zone(row, "time_zone")?,
            tool: parsed(row, "tool", |tool| Tool::parse(tool, &tool_other))?,
            recent_changes: text("recent_changes")?,
            environment: parsed(row, "environment", Environment::parse)?,
            name: text("requester_name")?,
            email: text("requester_email")?,
            path: text("tree_path")?
                .split(',')
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect(),
        },
    })
}
