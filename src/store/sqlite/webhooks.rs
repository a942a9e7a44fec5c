//! Webhook endpoints, and the deliveries written with the events that cause
//! them: each enqueue function runs inside the event's write transaction,
//! so a delivery commits with its event or not at all.

use async_trait::async_trait;
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqliteConnection};
use time::OffsetDateTime;
use uuid::Uuid;

use super::decode::{self, optional_time, parsed};
use super::incidents::{COLUMNS as INCIDENT_COLUMNS, incident_from_row};
use super::tickets::{TICKET_COLUMNS, ticket_from_row};
use super::{SqliteStore, time_text};
use crate::store::{StoreError, Webhooks};
use crate::tickets::NewEvent;
use crate::webhooks::{
    Attempt, DeliveryRecord, DeliveryState, DueDelivery, Endpoint, Format, IncidentFacts,
    NewEndpoint, Next, ProblemFacts, Secret, Subject, TicketFacts, WebhookEvent, events_from_text,
    events_to_text, for_ticket_event,
};

/// An endpoint's columns, from `webhook_endpoints e` joined to the staff
/// member who registered it as `s`; prefixed, so they can sit beside a
/// delivery's.
const ENDPOINT_COLUMNS: &str = "e.id AS e_id, e.url AS e_url, e.format AS e_format, \
     e.events AS e_events, e.problem_threshold AS e_problem_threshold, e.secret AS e_secret, \
     e.created_at AS e_created_at, e.disabled_at AS e_disabled_at, \
     COALESCE(s.name, '') AS e_created_by";

const DELIVERY_COLUMNS: &str = "d.id, d.uuid, d.endpoint_id, d.event, d.payload, d.state, \
     d.attempts, d.next_attempt_at, d.last_status, d.last_response, d.last_error, d.created_at, \
     d.sent_at";

/// Writes the deliveries a ticket's event causes (`webhooks::for_ticket_event`:
/// filed, replied, resolved), one per active endpoint subscribed to each;
/// the ticket is read as the event left it. Nothing is read when no
/// endpoint listens, which is the usual case.
pub(super) async fn enqueue_for_ticket_event(
    conn: &mut SqliteConnection,
    event: &NewEvent,
    at: OffsetDateTime,
) -> Result<(), sqlx::Error> {
    let mut subject = None;
    for kind in for_ticket_event(&event.kind) {
        let endpoints = subscribers(conn, kind, None).await?;
        if endpoints.is_empty() {
            continue;
        }
        if subject.is_none() {
            let sql = format!("SELECT {TICKET_COLUMNS} FROM tickets WHERE id = ?");
            let row = sqlx::query(&sql)
                .bind(event.ticket_id)
                .fetch_one(&mut *conn)
                .await?;
            subject = Some(Subject::Ticket(TicketFacts::of(&ticket_from_row(&row)?)));
        }
        if let Some(subject) = &subject {
            let about = format!("ticket:{}", event.ticket_id);
            insert_all(conn, &endpoints, kind, &about, subject, at).await?;
        }
    }
    Ok(())
}

/// Writes `problem.grown` to the endpoints whose threshold problem
/// `problem` has just reached (called each time a ticket joins one). Once
/// per problem and endpoint: a unique index drops a second.
pub(super) async fn enqueue_for_problem(
    conn: &mut SqliteConnection,
    problem: i64,
    at: OffsetDateTime,
) -> Result<(), sqlx::Error> {
    let found: Option<(i64, i64)> =
        sqlx::query_as("SELECT lead_ticket_id, occurrences FROM problems WHERE id = ?")
            .bind(problem)
            .fetch_optional(&mut *conn)
            .await?;
    let Some((lead, occurrences)) = found else {
        return Ok(());
    };
    let event = WebhookEvent::ProblemGrown;
    let endpoints = subscribers(conn, event, Some(occurrences)).await?;
    if endpoints.is_empty() {
        return Ok(());
    }
    let subject = Subject::Problem(ProblemFacts::new(problem, lead, occurrences));
    insert_all(
        conn,
        &endpoints,
        event,
        &format!("problem:{problem}"),
        &subject,
        at,
    )
    .await
}

/// Writes `incident.opened` or `incident.ended` for incident `id`, as it
/// now stands.
pub(super) async fn enqueue_for_incident(
    conn: &mut SqliteConnection,
    event: WebhookEvent,
    id: i64,
    at: OffsetDateTime,
) -> Result<(), sqlx::Error> {
    let endpoints = subscribers(conn, event, None).await?;
    if endpoints.is_empty() {
        return Ok(());
    }
    let sql = format!(
        "SELECT {INCIDENT_COLUMNS} FROM incidents i LEFT JOIN staff s ON s.id = i.declared_by \
         WHERE i.id = ?"
    );
    let row = sqlx::query(&sql).bind(id).fetch_one(&mut *conn).await?;
    let subject = Subject::Incident(IncidentFacts::of(&incident_from_row(&row)?));
    insert_all(
        conn,
        &endpoints,
        event,
        &format!("incident:{id}"),
        &subject,
        at,
    )
    .await
}

/// The active endpoints subscribed to `event` (with `threshold`, only those
/// whose problem threshold it is).
async fn subscribers(
    conn: &mut SqliteConnection,
    event: WebhookEvent,
    threshold: Option<i64>,
) -> Result<Vec<i64>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT id FROM webhook_endpoints WHERE disabled_at IS NULL \
         AND instr(',' || events || ',', ',' || ?1 || ',') > 0 \
         AND (?2 IS NULL OR problem_threshold = ?2) ORDER BY id",
    )
    .bind(event.as_str())
    .bind(threshold)
    .fetch_all(&mut *conn)
    .await
}

/// One pending delivery per endpoint, due at once.
async fn insert_all(
    conn: &mut SqliteConnection,
    endpoints: &[i64],
    event: WebhookEvent,
    about: &str,
    subject: &Subject,
    at: OffsetDateTime,
) -> Result<(), sqlx::Error> {
    let payload =
        serde_json::to_string(subject).map_err(|err| sqlx::Error::Encode(Box::new(err)))?;
    let at = time_text::to_text(at);
    for endpoint in endpoints {
        // DO NOTHING: the index that lets a problem reach a threshold once.
        sqlx::query(
            "INSERT INTO webhook_deliveries (uuid, endpoint_id, event, subject, payload, state, \
             next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?, 'pending', ?, ?) \
             ON CONFLICT DO NOTHING",
        )
        .bind(Uuid::new_v4().to_string())
        .bind(endpoint)
        .bind(event.as_str())
        .bind(about)
        .bind(&payload)
        .bind(&at)
        .bind(&at)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

fn endpoint_from_row(row: &SqliteRow) -> Result<Endpoint, sqlx::Error> {
    Ok(Endpoint {
        id: row.try_get("e_id")?,
        url: row.try_get("e_url")?,
        format: parsed(row, "e_format", Format::parse)?,
        events: events_from_text(&row.try_get::<String, _>("e_events")?),
        problem_threshold: row.try_get("e_problem_threshold")?,
        secret: Secret::from_stored(row.try_get("e_secret")?),
        created_by: row.try_get("e_created_by")?,
        created_at: decode::time(row, "e_created_at")?,
        disabled_at: optional_time(row, "e_disabled_at")?,
    })
}

fn delivery_from_row(row: &SqliteRow) -> Result<DeliveryRecord, sqlx::Error> {
    let attempts: i64 = row.try_get("attempts")?;
    let status: Option<i64> = row.try_get("last_status")?;
    Ok(DeliveryRecord {
        id: row.try_get("id")?,
        uuid: decode::uuid(&row.try_get::<String, _>("uuid")?)?,
        endpoint_id: row.try_get("endpoint_id")?,
        event: parsed(row, "event", WebhookEvent::parse)?,
        payload: row.try_get("payload")?,
        state: parsed(row, "state", DeliveryState::parse)?,
        attempts: u32::try_from(attempts).unwrap_or(u32::MAX),
        next_attempt_at: optional_time(row, "next_attempt_at")?,
        last_status: status.and_then(|s| u16::try_from(s).ok()),
        last_response: row.try_get("last_response")?,
        last_error: row.try_get("last_error")?,
        created_at: decode::time(row, "created_at")?,
        sent_at: optional_time(row, "sent_at")?,
    })
}

#[async_trait]
impl Webhooks for SqliteStore {
    async fn add_webhook_endpoint(
        &self,
        endpoint: &NewEndpoint,
        by: i64,
        now: OffsetDateTime,
    ) -> Result<i64, StoreError> {
        let endpoint = endpoint.clone();
        self.write(move |tx| {
            Box::pin(async move {
                let id = sqlx::query_scalar(
                    "INSERT INTO webhook_endpoints (url, format, events, problem_threshold, \
                     secret, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
                )
                .bind(&endpoint.url)
                .bind(endpoint.format.as_str())
                .bind(events_to_text(&endpoint.events))
                .bind(endpoint.problem_threshold)
                .bind(endpoint.secret.expose())
                .bind(by)
                .bind(time_text::to_text(now))
                .fetch_one(tx)
                .await?;
                Ok(id)
            })
        })
        .await
    }

    async fn webhook_endpoints(&self) -> Result<Vec<Endpoint>, StoreError> {
        let sql = format!(
            "SELECT {ENDPOINT_COLUMNS} FROM webhook_endpoints e \
             LEFT JOIN staff s ON s.id = e.created_by \
             ORDER BY e.disabled_at IS NOT NULL, e.id DESC"
        );
        let rows = sqlx::query(&sql).fetch_all(&self.pool).await?;
        Ok(rows
            .iter()
            .map(endpoint_from_row)
            .collect::<Result<_, _>>()?)
    }

    async fn reveal_webhook_secret(&self, id: i64) -> Result<Option<Secret>, StoreError> {
        // One statement: two pages loading at once cannot both get it.
        let secret: Option<String> = self
            .write(move |tx| {
                Box::pin(
                    sqlx::query_scalar(
                        "UPDATE webhook_endpoints SET secret_shown = 1 \
                         WHERE id = ? AND secret_shown = 0 RETURNING secret",
                    )
                    .bind(id)
                    .fetch_optional(tx),
                )
            })
            .await?;
        Ok(secret.map(Secret::from_stored))
    }

    async fn disable_webhook_endpoint(
        &self,
        id: i64,
        now: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        self.write(move |tx| {
            Box::pin(async move {
                let done = sqlx::query(
                    "UPDATE webhook_endpoints SET disabled_at = ? WHERE id = ? AND disabled_at \
                     IS NULL",
                )
                .bind(time_text::to_text(now))
                .bind(id)
                .execute(&mut *tx)
                .await?;
                if done.rows_affected() != 1 {
                    return Ok(false);
                }
                sqlx::query(
                    "UPDATE webhook_deliveries SET state = 'failed', next_attempt_at = NULL, \
                     last_error = 'not sent: the endpoint was disabled' \
                     WHERE endpoint_id = ? AND state = 'pending'",
                )
                .bind(id)
                .execute(&mut *tx)
                .await?;
                Ok(true)
            })
        })
        .await
    }

    async fn due_webhook_deliveries(
        &self,
        now: OffsetDateTime,
        limit: u32,
        per_endpoint: u32,
    ) -> Result<Vec<DueDelivery>, StoreError> {
        // Numbered within each endpoint in the order they are due, from the
        // partial index of pending deliveries.
        let sql = format!(
            "SELECT {DELIVERY_COLUMNS}, {ENDPOINT_COLUMNS} FROM \
             (SELECT *, ROW_NUMBER() OVER (PARTITION BY endpoint_id \
                 ORDER BY next_attempt_at, id) AS place \
              FROM webhook_deliveries WHERE state = 'pending' AND next_attempt_at <= ?1) d \
             JOIN webhook_endpoints e ON e.id = d.endpoint_id \
             LEFT JOIN staff s ON s.id = e.created_by \
             WHERE d.place <= ?2 ORDER BY d.next_attempt_at, d.id LIMIT ?3"
        );
        let rows = sqlx::query(&sql)
            .bind(time_text::to_text(now))
            .bind(i64::from(per_endpoint))
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await?;
        let mut due = Vec::with_capacity(rows.len());
        for row in &rows {
            due.push(DueDelivery {
                delivery: delivery_from_row(row)?,
                endpoint: endpoint_from_row(row)?,
            });
        }
        Ok(due)
    }

    async fn record_webhook_attempt(
        &self,
        id: i64,
        at: OffsetDateTime,
        attempt: &Attempt,
    ) -> Result<(), StoreError> {
        let at = time_text::to_text(at);
        let (state, next, sent_at) = match attempt.next {
            Next::Sent => (DeliveryState::Sent, None, Some(at)),
            Next::RetryAt(next) => (DeliveryState::Pending, Some(time_text::to_text(next)), None),
            Next::GiveUp => (DeliveryState::Failed, None, None),
        };
        self.execute(
            sqlx::query(
                "UPDATE webhook_deliveries SET state = ?, attempts = attempts + 1, \
             next_attempt_at = ?, last_status = ?, last_response = ?, last_error = ?, \
             sent_at = COALESCE(?, sent_at) WHERE id = ?",
            )
            .bind(state.as_str())
            .bind(next)
            .bind(attempt.status)
            .bind(attempt.response.clone())
            .bind(attempt.error.clone())
            .bind(sent_at)
            .bind(id),
        )
        .await?;
        Ok(())
    }

    async fn recent_webhook_deliveries(
        &self,
        limit: u32,
    ) -> Result<Vec<DeliveryRecord>, StoreError> {
        let sql = format!(
            "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries d ORDER BY d.id DESC LIMIT ?"
        );
        let rows = sqlx::query(&sql)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await?;
        Ok(rows
            .iter()
            .map(delivery_from_row)
            .collect::<Result<_, _>>()?)
    }
}

#[cfg(test)]
mod tests;
