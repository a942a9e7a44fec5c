//! Applying the ticket workflow: every change to a filed ticket (staff
//! actions, bulk actions, requester additions) goes through one path. It
//! reads the ticket's state under the write lock, asks
//! `tickets::workflow::decide`, and writes the new state of each ticket the
//! decision touches and its events, all in one transaction. The rules live
//! in the workflow; this file only loads and writes.

use sqlx::{Row, SqliteConnection};
use time::OffsetDateTime;

use async_trait::async_trait;

use super::{SqliteStore, decode, inbox, outbox, problems, time_text, webhooks};
use crate::store::{ActionError, Actions, StoreError};
use crate::tickets::problem;
use crate::tickets::workflow::{
    AdditionTally, CommandKind, Decision, Facts, Grouping, Request, TicketState, decide,
};
use crate::tickets::{
    EventKind, GivenDetails, NewEvent, Outcome, OutgoingMail, Refusal, ResponseTargets,
    TicketStatus, Wanted,
};

#[async_trait]
impl Actions for SqliteStore {
    /// Applies one command in a `BEGIN IMMEDIATE` transaction of its own,
    /// committed only when the command changed something.
    async fn apply(
        &self,
        request: &Request,
        targets: &ResponseTargets,
    ) -> Result<Outcome, ActionError> {
        let outgoing = self.outgoing;
        let (request, targets) = (request.to_owned(), targets.to_owned());
        self.write_keeping(
            move |tx| {
                Box::pin(async move { apply_in(&mut *tx, &request, &targets, outgoing).await })
            },
            |outcome| matches!(outcome, Ok(o) if o.changed()),
        )
        .await
    }

    /// `APPLIED_PER_COMMIT` requests to a transaction, one savepoint each.
    async fn apply_each(
        &self,
        requests: &[Request],
        targets: &ResponseTargets,
    ) -> Result<Vec<Result<Outcome, Refusal>>, StoreError> {
        let mut outcomes = Vec::with_capacity(requests.len());
        for batch in requests.chunks(APPLIED_PER_COMMIT) {
            let (batch, targets, outgoing) = (batch.to_vec(), *targets, self.outgoing);
            let applied = self
                .write(move |tx| {
                    Box::pin(async move {
                        let mut applied = Vec::with_capacity(batch.len());
                        for request in &batch {
                            applied
                                .push(apply_in_savepoint(tx, request, &targets, outgoing).await?);
                        }
                        Ok::<_, StoreError>(applied)
                    })
                })
                .await?;
            outcomes.extend(applied);
        }
        Ok(outcomes)
    }
}

/// How many requests `apply_each` commits together: enough that a storm of
/// a thousand tickets is answered in a few commits, few enough that the
/// write lock is never held long.
const APPLIED_PER_COMMIT: usize = 200;

/// Applies one command in a savepoint of the caller's write transaction:
/// a refused one is rolled back to it and the transaction goes on.
pub(super) async fn apply_in_savepoint(
    conn: &mut SqliteConnection,
    request: &Request,
    targets: &ResponseTargets,
    outgoing: OutgoingMail,
) -> Result<Result<Outcome, Refusal>, StoreError> {
    sqlx::query("SAVEPOINT command").execute(&mut *conn).await?;
    let outcome = apply_in(conn, request, targets, outgoing).await;
    if outcome.is_err() {
        sqlx::query("ROLLBACK TO command")
            .execute(&mut *conn)
            .await?;
    }
    sqlx::query("RELEASE command").execute(&mut *conn).await?;
    match outcome {
        Ok(outcome) => Ok(Ok(outcome)),
        Err(ActionError::Refused(refusal)) => Ok(Err(refusal)),
        Err(ActionError::Database(err)) => Err(err),
    }
}

/// Applies one command inside a write transaction the caller owns and
/// commits, so that several commands can share one (one savepoint each).
/// A refused or unchanged command writes nothing; after a database error
/// the caller rolls back what was written.
pub(super) async fn apply_in(
    conn: &mut SqliteConnection,
    request: &Request,
    targets: &ResponseTargets,
    outgoing: OutgoingMail,
) -> Result<Outcome, ActionError> {
    let written = apply_events(conn, request, targets, outgoing).await?;
    Ok(if written.is_empty() {
        Outcome::Unchanged
    } else {
        Outcome::Changed
    })
}

/// As [`apply_in`], saying which events it wrote (by id), in order: none
/// when the command changed nothing.
pub(super) async fn apply_events(
    conn: &mut SqliteConnection,
    request: &Request,
    targets: &ResponseTargets,
    outgoing: OutgoingMail,
) -> Result<Vec<(i64, EventKind)>, ActionError> {
    let ticket = load_state(conn, request.ticket)
        .await?
        .ok_or(Refusal::TicketNotFound)?;
    let facts = load_facts(conn, request).await?;
    let change = match decide(request, &ticket, &facts, targets)? {
        Decision::Unchanged => return Ok(Vec::new()),
        Decision::Changed(change) => change,
    };
    let at = time_text::to_text(request.at);
    for after in &change.tickets {
        write_state(conn, after, &at).await?;
        if let Some(left) = ticket
            .problem
            .filter(|_| after.id == ticket.id && after.problem.is_none())
        {
            problems::leave(conn, left.problem, ticket.id).await?;
        }
    }
    if let Some(details) = &change.details {
        write_details(conn, request.ticket, details, request.at).await?;
    }
    let mut written = Vec::with_capacity(change.events.len());
    for event in change.events {
        let id = insert_event(conn, &event, &at).await?;
        // The priority the ticket has now decides which staff hear of it.
        let priority = change
            .tickets
            .iter()
            .find(|t| t.id == event.ticket_id)
            .map_or(ticket.priority, |t| t.priority);
        // Its mail and webhook deliveries commit with it, or none does.
        outbox::enqueue_for_event(conn, outgoing, id, &event, priority, request.at).await?;
        webhooks::enqueue_for_ticket_event(conn, &event, request.at).await?;
        written.push((id, event.kind));
    }
    Ok(written)
}

/// What the rules need of a ticket, or `None` if there is no such ticket.
async fn load_state(
    conn: &mut SqliteConnection,
    id: i64,
) -> Result<Option<TicketState>, sqlx::Error> {
    // Characters as the form counts them; LENGTH counts characters of TEXT.
    let row = sqlx::query(
        "SELECT t.id, t.status, t.priority, t.assignee_id, t.merged_into_id, \
         t.first_response_at, t.created_at, t.due_at, t.details_wanted, a.additions, \
         a.addition_chars, t.problem_id, t.folded, t.ungrouped, p.lead_ticket_id \
         FROM tickets t LEFT JOIN problems p ON p.id = t.problem_id, \
             (SELECT COUNT(*) AS additions, \
             COALESCE(SUM(LENGTH(body)), 0) AS addition_chars \
             FROM ticket_events WHERE ticket_id = ?1 AND kind = ?2) a \
         WHERE t.id = ?1",
    )
    .bind(id)
    .bind(EventKind::RequesterReply { via: None }.name())
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    let count = |column: &str| -> Result<usize, sqlx::Error> {
        Ok(usize::try_from(row.try_get::<i64, _>(column)?).unwrap_or(usize::MAX))
    };
    Ok(Some(TicketState {
        id: row.try_get("id")?,
        status: decode::parsed(&row, "status", TicketStatus::parse)?,
        priority: decode::priority(&row)?,
        assignee: row.try_get("assignee_id")?,
        merged_into: row.try_get("merged_into_id")?,
        first_response_at: decode::optional_time(&row, "first_response_at")?,
        created_at: decode::time(&row, "created_at")?,
        due_at: decode::optional_time(&row, "due_at")?,
        additions: AdditionTally {
            count: count("additions")?,
            chars: count("addition_chars")?,
        },
        wanted: Wanted::parse(&row.try_get::<String, _>("details_wanted")?),
        problem: match (row.try_get("problem_id")?, row.try_get("lead_ticket_id")?) {
            (Some(problem), Some(lead)) => Some(Grouping {
                problem,
                lead,
                folded: row.try_get("folded")?,
            }),
            _ => None,
        },
        ungrouped: row.try_get("ungrouped")?,
    }))
}

/// Looks up what the command needs from outside its ticket.
async fn load_facts(conn: &mut SqliteConnection, request: &Request) -> Result<Facts, sqlx::Error> {
    let mut facts = Facts::default();
    if let Some(staff_id) = request.command.staff_to_check() {
        let active: Option<i64> =
            sqlx::query_scalar("SELECT id FROM staff WHERE id = ? AND disabled_at IS NULL")
                .bind(staff_id)
                .fetch_optional(&mut *conn)
                .await?;
        facts.staff_active = active.is_some();
    }
    if let Some(other) = request.command.other_ticket() {
        facts.other_ticket = load_state(conn, other).await?;
    }
    if request.command.kind() == CommandKind::MailReply {
        facts.mail_this_hour = inbox::mail_this_hour(conn, request.ticket, request.at).await?;
    }
    Ok(facts)
}

/// Stores a ticket's state as the workflow left it, updated at `at`.
async fn write_state(
    conn: &mut SqliteConnection,
    ticket: &TicketState,
    at: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE tickets SET status = ?, priority = ?, assignee_id = ?, merged_into_id = ?, \
         first_response_at = ?, due_at = ?, updated_at = ?, details_wanted = ?, problem_id = ?, \
         folded = ?, ungrouped = ? WHERE id = ?",
    )
    .bind(ticket.status.as_str())
    .bind(ticket.priority.rank())
    .bind(ticket.assignee)
    .bind(ticket.merged_into)
    .bind(ticket.first_response_at.map(time_text::to_text))
    .bind(ticket.due_at.map(time_text::to_text))
    .bind(at)
    .bind(ticket.wanted.to_text())
    .bind(ticket.problem.map(|g| g.problem))
    .bind(ticket.problem.is_some_and(|g| g.folded))
    .bind(ticket.ungrouped)
    .bind(ticket.id)
    .execute(&mut *conn)
    .await
    .map(|_| ())
}

/// Stores the details that complete a ticket opened from a mail, the
/// similar key and fingerprint they make (a trigger of migration 0008
/// re-indexes the endpoint), and groups it with tickets failing the same
/// way, as a ticket filed complete is.
async fn write_details(
    conn: &mut SqliteConnection,
    id: i64,
    details: &GivenDetails,
    at: OffsetDateTime,
) -> Result<(), sqlx::Error> {
    let similar = details.similar_key();
    let email: String = sqlx::query_scalar("SELECT requester_email FROM tickets WHERE id = ?")
        .bind(id)
        .fetch_one(&mut *conn)
        .await?;
    let fingerprint = problem::fingerprint(&similar, &email);
    sqlx::query(
        "UPDATE tickets SET error_code = ?, endpoint = ?, method = ?, occurred_at = ?, \
         time_zone = ?, tool = ?, tool_other = ?, similar_key = ?, fingerprint = ? WHERE id = ?",
    )
    .bind(details.error_code.as_str())
    .bind(&details.endpoint)
    .bind(details.method.as_str())
    .bind(time_text::to_text(details.occurred_at))
    .bind(details.time_zone.name())
    .bind(details.tool.as_str())
    .bind(details.tool.other_text())
    .bind(&similar)
    .bind(&fingerprint)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    problems::join(conn, id, &fingerprint, at).await
}

/// Appends an event to its ticket's timeline (`ticket_events` is only ever
/// appended to), public as its kind says.
pub(super) async fn insert_event(
    conn: &mut SqliteConnection,
    event: &NewEvent,
    at: &str,
) -> Result<i64, sqlx::Error> {
    let id = sqlx::query(
        "INSERT INTO ticket_events (ticket_id, at, actor, actor_staff_id, kind, public, body, data) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(event.ticket_id)
    .bind(at)
    .bind(event.by.as_str())
    .bind(event.by.staff_id())
    .bind(event.kind.name())
    .bind(i64::from(event.kind.is_public()))
    .bind(&event.body)
    .bind(event.kind.data())
    .execute(&mut *conn)
    .await?
    .last_insert_rowid();
    if let Some(token) = event.by.token_id() {
        sqlx::query("INSERT INTO event_tokens (event_id, token_id) VALUES (?, ?)")
            .bind(id)
            .bind(token)
            .execute(&mut *conn)
            .await?;
    }
    Ok(id)
}

#[cfg(test)]
mod tests {
    use time::OffsetDateTime;

    use super::*;
    use crate::staff::Role;
    use crate::store::Tickets;
    use crate::store::sqlite::tests::with_admin;
    use crate::tickets::EventBody;
    use crate::tickets::workflow::{Actor, AfterReply, Command};

    const ADMIN: Actor = Actor::Staff {
        id: 1,
        role: Role::Admin,
    };

    fn request(ticket: i64, actor: Actor, command: Command) -> Request {
        Request {
            ticket,
            actor,
            command,
            at: OffsetDateTime::now_utc(),
        }
    }

    async fn stored_events(store: &SqliteStore) -> Vec<(i64, String, String, i64, String)> {
        sqlx::query_as("SELECT ticket_id, actor, kind, public, data FROM ticket_events ORDER BY id")
            .fetch_all(&store.pool)
            .await
            .unwrap()
    }

    /// Rows as earlier versions wrote them, so that they and the rows written
    /// now read the same.
    #[tokio::test]
    async fn events_are_stored_as_before() {
        let (store, _dir) = with_admin(2).await;
        let targets = ResponseTargets::default();
        let body = EventBody::parse("Rotate the key.").unwrap();
        for request in [
            request(
                1,
                ADMIN,
                Command::Reply {
                    body,
                    then: AfterReply::Stay,
                },
            ),
            request(2, ADMIN, Command::Merge { into: 1 }),
            request(1, ADMIN, Command::Assign { to: Some(1) }),
        ] {
            assert_eq!(
                store.apply(&request, &targets).await.unwrap(),
                Outcome::Changed
            );
        }
        let row = |ticket, actor: &str, kind: &str, public, data: &str| {
            (ticket, actor.into(), kind.into(), public, data.into())
        };
        assert_eq!(
            stored_events(&store).await,
            [
                row(1, "requester", "created", 1, "{}"),
                row(2, "requester", "created", 1, "{}"),
                row(
                    1,
                    "staff",
                    "reply",
                    1,
                    r#"{"status":{"from":"new","to":"open"}}"#
                ),
                row(2, "staff", "merged", 1, r#"{"into":1,"status_from":"new"}"#),
                row(1, "staff", "merged_from", 0, r#"{"from":2}"#),
                row(1, "staff", "assigned", 0, r#"{"from":null,"to":1}"#),
            ]
        );
    }

    /// How a writer that groups commands uses `apply_in`: one transaction,
    /// one savepoint per command, a refused command rolled back alone.
    #[tokio::test]
    async fn commands_share_a_transaction_one_savepoint_each() {
        let (store, _dir) = with_admin(1).await;
        let targets = ResponseTargets::default();
        let outcomes = store
            .write(move |tx| {
                Box::pin(async move {
                    let mut outcomes = Vec::new();
                    for command in [
                        Command::Assign { to: Some(1) },
                        Command::Merge { into: 1 },
                        Command::SetStatus {
                            to: TicketStatus::Waiting,
                        },
                    ] {
                        sqlx::query("SAVEPOINT command")
                            .execute(&mut *tx)
                            .await
                            .unwrap();
                        let outcome = apply_in(
                            &mut *tx,
                            &request(1, ADMIN, command),
                            &targets,
                            OutgoingMail::On,
                        )
                        .await;
                        if outcome.is_err() {
                            sqlx::query("ROLLBACK TO command")
                                .execute(&mut *tx)
                                .await
                                .unwrap();
                        }
                        sqlx::query("RELEASE command")
                            .execute(&mut *tx)
                            .await
                            .unwrap();
                        outcomes.push(outcome.map_err(|e| e.to_string()));
                    }
                    Ok::<_, sqlx::Error>(outcomes)
                })
            })
            .await
            .unwrap();
        assert_eq!(
            outcomes,
            [
                Ok(Outcome::Changed),
                Err("refused: a ticket cannot be merged into itself".into()),
                Ok(Outcome::Changed),
            ]
        );
        let kinds: Vec<String> = stored_events(&store)
            .await
            .into_iter()
            .map(|(_, _, kind, _, _)| kind)
            .collect();
        // Assigning the new ticket also opened it.
        assert_eq!(kinds, ["created", "assigned", "status", "status"]);
        let ticket = store.ticket_by_id(1).await.unwrap().unwrap();
        assert_eq!(ticket.status, TicketStatus::Waiting);
        assert_eq!(ticket.assignee_id, Some(1));
    }
}
