use async_trait::async_trait;
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqliteConnection};
use time::OffsetDateTime;
use uuid::Uuid;

use super::decode::{self, optional_parsed, optional_time, parsed};
use super::incidents::OPEN_INCIDENT_FOR_CODE;
use super::ticket_actions::insert_event;
use super::{SqliteStore, insights, outbox, problems, time_text, webhooks};
use crate::domain::{ErrorCode, HttpMethod};
use crate::kb::calculator::Usage;
use crate::store::{InsertOutcome, StoreError, Tickets};
use crate::tickets::{
    Author, Channel, Environment, EventKind, NewEvent, NewTicket, OutgoingMail, Ticket,
    TicketStatus, Tool, Triage, Wanted,
};

pub(super) const TICKET_COLUMNS: &str = "id, token, submission_id, error_code, message, endpoint, \
     method, occurred_at, tool, tool_other, recent_changes, environment, requester_name, \
     requester_email, tree_path, status, priority, assignee_id, merged_into_id, \
     first_response_at, due_at, similar_key, created_at, updated_at, time_zone, details_wanted, usage, incident_id, \
     fingerprint, problem_id, folded";

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
        let (ticket, triage, outgoing) = (ticket.clone(), triage.clone(), self.outgoing);
        // A second submit that finds the first wrote nothing to keep.
        self.write_keeping(
            move |tx| {
                Box::pin(async move {
                    let (_, outcome) = insert_in(tx, outgoing, &ticket, &triage, now, None).await?;
                    Ok(outcome)
                })
            },
            |outcome| matches!(outcome, Ok(InsertOutcome::Created(_))),
        )
        .await
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

/// Stores a new ticket, its "created" event and that event's mail inside a
/// write transaction the caller owns; `via` says how it came, when not
/// through the form. A second submit of the same form finds the first.
/// Returns the ticket's id with the outcome.
pub(super) async fn insert_in(
    conn: &mut SqliteConnection,
    outgoing: OutgoingMail,
    ticket: &NewTicket,
    triage: &Triage,
    at: OffsetDateTime,
    via: Option<Channel>,
) -> Result<(i64, InsertOutcome), StoreError> {
    let existing: Option<(i64, String)> =
        sqlx::query_as("SELECT id, token FROM tickets WHERE submission_id = ?")
            .bind(ticket.submission_id.to_string())
            .fetch_optional(&mut *conn)
            .await?;
    if let Some((id, token)) = existing {
        return Ok((id, InsertOutcome::AlreadyFiled(decode::uuid(&token)?)));
    }
    let token = Uuid::new_v4();
    let now = time_text::to_text(at);
    // ?1 (now) and ?2 (the code) also find the incident the ticket is
    // filed during, if one is open that covers its code.
    let sql = format!(
        "INSERT INTO tickets (token, submission_id, error_code, message, endpoint, method, \
         occurred_at, tool, tool_other, recent_changes, environment, requester_name, \
         requester_email, tree_path, status, priority, due_at, similar_key, created_at, \
         updated_at, time_zone, details_wanted, usage, fingerprint, incident_id) \
         VALUES (?3, ?4, ?2, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, 'new', ?16, ?17, \
         ?18, ?1, ?1, ?19, ?20, ?21, ?22, {OPEN_INCIDENT_FOR_CODE}) RETURNING id"
    );
    let id: i64 = sqlx::query_scalar(&sql)
        .bind(&now)
        .bind(ticket.error_code.as_str())
        .bind(token.to_string())
        .bind(ticket.submission_id.to_string())
        .bind(&ticket.message)
        .bind(&ticket.endpoint)
        .bind(ticket.method.map(HttpMethod::as_str))
        .bind(ticket.occurred_at.map(time_text::to_text))
        .bind(ticket.tool.as_ref().map(Tool::as_str))
        .bind(ticket.tool.as_ref().map_or("", Tool::other_text))
        .bind(&ticket.recent_changes)
        .bind(ticket.environment.as_str())
        .bind(&ticket.name)
        .bind(&ticket.email)
        .bind(ticket.path.join(","))
        .bind(triage.priority.rank())
        .bind(time_text::to_text(triage.due_at))
        .bind(&triage.similar_key)
        .bind(ticket.time_zone.name())
        .bind(ticket.wanted.to_text())
        .bind(ticket.usage.map(|u| u.to_text()).unwrap_or_default())
        .bind(&triage.fingerprint)
        .fetch_one(&mut *conn)
        .await?;
    problems::join(conn, id, &triage.fingerprint, at).await?;
    insights::record_filed(conn, ticket, at).await?;
    let created = NewEvent {
        ticket_id: id,
        by: Author::Requester,
        kind: EventKind::Created { via },
        body: String::new(),
    };
    let event_id = insert_event(conn, &created, &now).await?;
    outbox::enqueue_for_event(conn, outgoing, event_id, &created, triage.priority, at).await?;
    webhooks::enqueue_for_ticket_event(conn, &created, at).await?;
    Ok((id, InsertOutcome::Created(token)))
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
        incident_id: row.try_get("incident_id")?,
        fingerprint: text("fingerprint")?,
        problem_id: row.try_get("problem_id")?,
        folded: row.try_get("folded")?,
        details: NewTicket {
            submission_id: decode::uuid(&text("submission_id")?)?,
            error_code: parsed(row, "error_code", ErrorCode::parse)?,
            message: text("message")?,
            endpoint: text("endpoint")?,
            method: optional_parsed(row, "method", HttpMethod::parse)?,
            occurred_at: optional_time(row, "occurred_at")?,
            time_zone: decode::time_zone(row, "time_zone")?,
            tool: optional_parsed(row, "tool", |tool| Tool::parse(tool, &tool_other))?,
            recent_changes: text("recent_changes")?,
            environment: parsed(row, "environment", Environment::parse)?,
            name: text("requester_name")?,
            email: text("requester_email")?,
            path: text("tree_path")?
                .split(',')
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect(),
            wanted: Wanted::parse(&text("details_wanted")?),
            usage: Usage::parse(&text("usage")?),
        },
    })
}
