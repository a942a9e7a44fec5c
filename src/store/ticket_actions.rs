//! Work on one ticket: assignment, priority, status, notes, replies, merges,
//! requester additions, and the timeline they leave.
//!
//! Each action is one `BEGIN IMMEDIATE` transaction over one ticket id: it
//! reads the ticket under the write lock, applies the rules from
//! `tickets::actions`, updates the row and `updated_at`, and appends exactly
//! one `ticket_events` row, or changes nothing and says so. Bulk actions call
//! the same functions once per id. `ticket_events` is only ever appended to.

use serde_json::{Value, json};
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, Sqlite, Transaction};
use time::OffsetDateTime;

use super::tickets::{TICKET_COLUMNS, ticket_from_row};
use super::{Store, decode, time_text};
use crate::staff::StaffMember;
use crate::tickets::{
    EventActor, EventBody, EventKind, Outcome, Priority, Refusal, ResponseTargets, StaffRef,
    Ticket, TicketStatus, TimelineEvent, check_staff_move, reference_for,
    status_after_requester_reply, status_after_staff_reply,
};

/// Why an action did not happen: the rules refused it, or the database failed.
#[derive(Debug, thiserror::Error)]
pub enum ActionError {
    #[error("refused: {0}")]
    Refused(#[from] Refusal),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// Another ticket with the same similar key, for the "similar tickets" list.
#[derive(Debug, Clone)]
pub struct SimilarTicket {
    pub id: i64,
    pub reference: String,
    pub status: TicketStatus,
    pub created_at: OffsetDateTime,
    /// The start of the message (two hundred characters at most).
    pub message_start: String,
    pub endpoint: String,
}

/// The columns an action needs, read under the write lock.
struct Current {
    status: TicketStatus,
    priority: Priority,
    assignee_id: Option<i64>,
    merged_into_id: Option<i64>,
    first_response_at: Option<String>,
    created_at: OffsetDateTime,
}

/// Who an event is by, as stored.
#[derive(Clone, Copy)]
enum By<'a> {
    Staff(&'a StaffMember),
    Requester,
    System,
}

struct NewEvent<'a> {
    ticket_id: i64,
    at: &'a str,
    by: By<'a>,
    kind: &'static str,
    public: bool,
    body: &'a str,
    data: Value,
}

impl Store {
    /// Assigns the ticket to an active staff member, or unassigns it (`None`).
    /// Event `assigned`, internal, `{"from": id|null, "to": id|null}`.
    pub async fn assign_ticket(
        &self,
        id: i64,
        to: Option<i64>,
        actor: &StaffMember,
        now: OffsetDateTime,
    ) -> Result<Outcome, ActionError> {
        let mut tx = self.begin_write().await?;
        let current = current(&mut tx, id).await?;
        if current.assignee_id == to {
            return Ok(Outcome::Unchanged);
        }
        if let Some(to) = to {
            let active: Option<i64> =
                sqlx::query_scalar("SELECT id FROM staff WHERE id = ? AND disabled_at IS NULL")
                    .bind(to)
                    .fetch_optional(&mut *tx)
                    .await?;
            if active.is_none() {
                return Err(Refusal::UnknownAssignee.into());
            }
        }
        let now = time_text::to_text(now);
        sqlx::query("UPDATE tickets SET assignee_id = ?, updated_at = ? WHERE id = ?")
            .bind(to)
            .bind(&now)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        insert_event(
            &mut tx,
            NewEvent {
                ticket_id: id,
                at: &now,
                by: By::Staff(actor),
                kind: "assigned",
                public: false,
                body: "",
                data: json!({ "from": current.assignee_id, "to": to }),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(Outcome::Changed)
    }

    /// Sets the priority. While the ticket has had no first response, its due
    /// time becomes `created_at` plus the new priority's target.
    /// Event `priority`, internal, `{"from": "normal", "to": "urgent"}`.
    pub async fn set_ticket_priority(
        &self,
        id: i64,
        to: Priority,
        actor: &StaffMember,
        now: OffsetDateTime,
        targets: &ResponseTargets,
    ) -> Result<Outcome, ActionError> {
        let mut tx = self.begin_write().await?;
        let current = current(&mut tx, id).await?;
        if current.priority == to {
            return Ok(Outcome::Unchanged);
        }
        let due_at = current
            .first_response_at
            .is_none()
            .then(|| time_text::to_text(current.created_at + targets.for_priority(to)));
        let now = time_text::to_text(now);
        sqlx::query(
            "UPDATE tickets SET priority = ?, due_at = COALESCE(?, due_at), updated_at = ? \
             WHERE id = ?",
        )
        .bind(to.rank())
        .bind(due_at)
        .bind(&now)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        insert_event(
            &mut tx,
            NewEvent {
                ticket_id: id,
                at: &now,
                by: By::Staff(actor),
                kind: "priority",
                public: false,
                body: "",
                data: json!({ "from": current.priority.as_str(), "to": to.as_str() }),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(Outcome::Changed)
    }

    /// Moves the ticket to another status, if the staff rules allow it
    /// (`tickets::staff_may_move`); a merged ticket stays closed.
    /// Event `status`, public, `{"from": "open", "to": "waiting"}`.
    pub async fn set_ticket_status(
        &self,
        id: i64,
        to: TicketStatus,
        actor: &StaffMember,
        now: OffsetDateTime,
    ) -> Result<Outcome, ActionError> {
        let mut tx = self.begin_write().await?;
        let current = current(&mut tx, id).await?;
        if let Some(into) = current.merged_into_id
            && to != current.status
        {
            return Err(Refusal::Merged { into }.into());
        }
        if !check_staff_move(current.status, to)? {
            return Ok(Outcome::Unchanged);
        }
        let now = time_text::to_text(now);
        sqlx::query("UPDATE tickets SET status = ?, updated_at = ? WHERE id = ?")
            .bind(to.as_str())
            .bind(&now)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        insert_event(
            &mut tx,
            NewEvent {
                ticket_id: id,
                at: &now,
                by: By::Staff(actor),
                kind: "status",
                public: true,
                body: "",
                data: json!({ "from": current.status.as_str(), "to": to.as_str() }),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(Outcome::Changed)
    }

    /// Adds an internal note: staff only, never shown to the requester.
    /// Event `note`, internal.
    pub async fn add_ticket_note(
        &self,
        id: i64,
        body: &EventBody,
        actor: &StaffMember,
        now: OffsetDateTime,
    ) -> Result<Outcome, ActionError> {
        let mut tx = self.begin_write().await?;
        current(&mut tx, id).await?;
        let now = time_text::to_text(now);
        touch(&mut tx, id, &now).await?;
        insert_event(
            &mut tx,
            NewEvent {
                ticket_id: id,
                at: &now,
                by: By::Staff(actor),
                kind: "note",
                public: false,
                body: body.as_str(),
                data: json!({}),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(Outcome::Changed)
    }

    /// Replies to the requester. The first reply sets `first_response_at`;
    /// the status moves as `tickets::status_after_staff_reply` says (a new
    /// ticket opens; "waiting on requester" makes it wait). One event,
    /// `reply`, public, with `{"status": {"from", "to"}}` when it moved.
    pub async fn add_ticket_reply(
        &self,
        id: i64,
        body: &EventBody,
        waiting_on_requester: bool,
        actor: &StaffMember,
        now: OffsetDateTime,
    ) -> Result<Outcome, ActionError> {
        let mut tx = self.begin_write().await?;
        let current = current(&mut tx, id).await?;
        let moved = status_after_staff_reply(current.status, waiting_on_requester)?;
        if let (Some(into), Some(_)) = (current.merged_into_id, moved) {
            return Err(Refusal::Merged { into }.into());
        }
        let now = time_text::to_text(now);
        let status = moved.unwrap_or(current.status);
        sqlx::query(
            "UPDATE tickets SET status = ?, first_response_at = COALESCE(first_response_at, ?), \
             updated_at = ? WHERE id = ?",
        )
        .bind(status.as_str())
        .bind(&now)
        .bind(&now)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        let data = match moved {
            Some(to) => json!({ "status": { "from": current.status.as_str(), "to": to.as_str() } }),
            None => json!({}),
        };
        insert_event(
            &mut tx,
            NewEvent {
                ticket_id: id,
                at: &now,
                by: By::Staff(actor),
                kind: "reply",
                public: true,
                body: body.as_str(),
                data,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(Outcome::Changed)
    }

    /// Merges ticket `id` into ticket `into` (the survivor): `id` is closed
    /// and points at `into`. Refused for a ticket into itself, into a missing
    /// ticket, or into one that is itself merged. Events: `merged` on `id`
    /// (public, `{"into": into, "status_from": …}`) and `merged_from` on the
    /// survivor (internal, `{"from": id}`).
    pub async fn merge_ticket(
        &self,
        id: i64,
        into: i64,
        actor: &StaffMember,
        now: OffsetDateTime,
    ) -> Result<Outcome, ActionError> {
        let mut tx = self.begin_write().await?;
        let source = current(&mut tx, id).await?;
        match source.merged_into_id {
            Some(already) if already == into => return Ok(Outcome::Unchanged),
            Some(already) => return Err(Refusal::Merged { into: already }.into()),
            None => {}
        }
        if id == into {
            return Err(Refusal::MergeIntoItself.into());
        }
        let target = match current(&mut tx, into).await {
            Ok(target) => target,
            Err(ActionError::Refused(Refusal::TicketNotFound)) => {
                return Err(Refusal::MergeTargetMissing.into());
            }
            Err(e) => return Err(e),
        };
        if let Some(further) = target.merged_into_id {
            return Err(Refusal::MergeTargetMerged {
                target: into,
                into: further,
            }
            .into());
        }
        let now = time_text::to_text(now);
        sqlx::query(
            "UPDATE tickets SET status = 'closed', merged_into_id = ?, updated_at = ? WHERE id = ?",
        )
        .bind(into)
        .bind(&now)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        touch(&mut tx, into, &now).await?;
        insert_event(
            &mut tx,
            NewEvent {
                ticket_id: id,
                at: &now,
                by: By::Staff(actor),
                kind: "merged",
                public: true,
                body: "",
                data: json!({ "into": into, "status_from": source.status.as_str() }),
            },
        )
        .await?;
        insert_event(
            &mut tx,
            NewEvent {
                ticket_id: into,
                at: &now,
                by: By::Staff(actor),
                kind: "merged_from",
                public: false,
                body: "",
                data: json!({ "from": id }),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(Outcome::Changed)
    }

    /// The requester adds information from their status page. A waiting or
    /// resolved ticket goes back to open, recorded as a public `status` event
    /// by the system; a closed or merged ticket takes no additions.
    /// Event `requester_reply`, public.
    pub async fn add_requester_reply(
        &self,
        id: i64,
        body: &EventBody,
        now: OffsetDateTime,
    ) -> Result<Outcome, ActionError> {
        let mut tx = self.begin_write().await?;
        let current = current(&mut tx, id).await?;
        if let Some(into) = current.merged_into_id {
            return Err(Refusal::Merged { into }.into());
        }
        let moved = status_after_requester_reply(current.status)?;
        // Characters as the form counts them; LENGTH counts characters of TEXT.
        let (count, chars): (i64, i64) = sqlx::query_as(
            "SELECT COUNT(*), COALESCE(SUM(LENGTH(body)), 0) FROM ticket_events
             WHERE ticket_id = ? AND kind = 'requester_reply'",
        )
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
        crate::tickets::check_addition_room(
            usize::try_from(count).unwrap_or(usize::MAX),
            usize::try_from(chars).unwrap_or(usize::MAX),
            body.as_str().chars().count(),
        )?;
        let now = time_text::to_text(now);
        touch(&mut tx, id, &now).await?;
        insert_event(
            &mut tx,
            NewEvent {
                ticket_id: id,
                at: &now,
                by: By::Requester,
                kind: "requester_reply",
                public: true,
                body: body.as_str(),
                data: json!({}),
            },
        )
        .await?;
        if let Some(to) = moved {
            sqlx::query("UPDATE tickets SET status = ? WHERE id = ?")
                .bind(to.as_str())
                .bind(id)
                .execute(&mut *tx)
                .await?;
            insert_event(
                &mut tx,
                NewEvent {
                    ticket_id: id,
                    at: &now,
                    by: By::System,
                    kind: "status",
                    public: true,
                    body: "",
                    data: json!({ "from": current.status.as_str(), "to": to.as_str() }),
                },
            )
            .await?;
        }
        tx.commit().await?;
        Ok(Outcome::Changed)
    }

    pub async fn ticket_by_id(&self, id: i64) -> Result<Option<Ticket>, sqlx::Error> {
        let sql = format!("SELECT {TICKET_COLUMNS} FROM tickets WHERE id = ?");
        sqlx::query(&sql)
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .map(|row| ticket_from_row(&row))
            .transpose()
    }

    /// The most recent tickets sharing this one's similar key, itself left out.
    pub async fn similar_tickets(
        &self,
        ticket: &Ticket,
        limit: i64,
    ) -> Result<Vec<SimilarTicket>, sqlx::Error> {
        if ticket.similar_key.is_empty() {
            return Ok(Vec::new());
        }
        let rows = sqlx::query(
            "SELECT id, status, created_at, substr(message, 1, 200) AS message_start, endpoint \
             FROM tickets WHERE similar_key = ? AND id <> ? \
             ORDER BY created_at DESC, id DESC LIMIT ?",
        )
        .bind(&ticket.similar_key)
        .bind(ticket.id)
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
    pub async fn ticket_timeline(&self, id: i64) -> Result<Vec<TimelineEvent>, sqlx::Error> {
        self.timeline(id, false).await
    }

    /// Only the events the requester may see (`public = 1`), oldest first.
    /// Internal notes never leave the database for the requester's page.
    pub async fn public_timeline(&self, id: i64) -> Result<Vec<TimelineEvent>, sqlx::Error> {
        self.timeline(id, true).await
    }

    async fn timeline(
        &self,
        id: i64,
        public_only: bool,
    ) -> Result<Vec<TimelineEvent>, sqlx::Error> {
        // Assignment events name staff by id; their names are joined in. CASE
        // keeps json_extract away from anything but well-formed JSON.
        let sql = format!(
            "SELECT e.id, e.at, e.actor, e.actor_staff_id, s.name AS actor_name, e.kind, \
             e.public, e.body, e.data, sf.name AS from_name, st.name AS to_name \
             FROM ticket_events e \
             LEFT JOIN staff s ON s.id = e.actor_staff_id \
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

async fn current(tx: &mut Transaction<'static, Sqlite>, id: i64) -> Result<Current, ActionError> {
    let row = sqlx::query(
        "SELECT status, priority, assignee_id, merged_into_id, first_response_at, created_at \
         FROM tickets WHERE id = ?",
    )
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or(Refusal::TicketNotFound)?;
    Ok(Current {
        status: decode::parsed(&row, "status", TicketStatus::parse)?,
        priority: decode::priority(&row)?,
        assignee_id: row.try_get("assignee_id")?,
        merged_into_id: row.try_get("merged_into_id")?,
        first_response_at: row.try_get("first_response_at")?,
        created_at: decode::time(&row, "created_at")?,
    })
}

async fn touch(
    tx: &mut Transaction<'static, Sqlite>,
    id: i64,
    now: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE tickets SET updated_at = ? WHERE id = ?")
        .bind(now)
        .bind(id)
        .execute(&mut **tx)
        .await
        .map(|_| ())
}

async fn insert_event(
    tx: &mut Transaction<'static, Sqlite>,
    event: NewEvent<'_>,
) -> Result<(), sqlx::Error> {
    let (actor, staff_id) = match event.by {
        By::Staff(member) => ("staff", Some(member.id)),
        By::Requester => ("requester", None),
        By::System => ("system", None),
    };
    sqlx::query(
        "INSERT INTO ticket_events (ticket_id, at, actor, actor_staff_id, kind, public, body, data) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(event.ticket_id)
    .bind(event.at)
    .bind(actor)
    .bind(staff_id)
    .bind(event.kind)
    .bind(i64::from(event.public))
    .bind(event.body)
    .bind(event.data.to_string())
    .execute(&mut **tx)
    .await
    .map(|_| ())
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
    let data: Value =
        serde_json::from_str(&row.try_get::<String, _>("data")?).unwrap_or(Value::Null);
    let from_name: Option<String> = row.try_get("from_name")?;
    let to_name: Option<String> = row.try_get("to_name")?;
    Ok(TimelineEvent {
        id: row.try_get("id")?,
        at: decode::time(row, "at")?,
        actor,
        kind: event_kind(&kind, &data, from_name, to_name),
        public: row.try_get::<i64, _>("public")? != 0,
        body: row.try_get("body")?,
    })
}

/// Reads an event's details leniently: a value this version does not
/// understand shows as unknown rather than failing the whole timeline.
fn event_kind(
    kind: &str,
    data: &Value,
    from_name: Option<String>,
    to_name: Option<String>,
) -> EventKind {
    let priority = |v: &Value| {
        v.as_str()
            .and_then(Priority::parse)
            .or_else(|| v.as_i64().and_then(Priority::from_rank))
    };
    let status = |v: &Value| v.as_str().and_then(TicketStatus::parse);
    match kind {
        "created" => EventKind::Created,
        "assigned" => EventKind::Assigned {
            from: data["from"].as_i64().map(|id| StaffRef {
                id,
                name: from_name,
            }),
            to: data["to"].as_i64().map(|id| StaffRef { id, name: to_name }),
        },
        "priority" => EventKind::Priority {
            from: priority(&data["from"]),
            to: priority(&data["to"]),
        },
        "status" => EventKind::Status {
            from: status(&data["from"]),
            to: status(&data["to"]),
        },
        "note" => EventKind::Note,
        "reply" => EventKind::Reply {
            status: status(&data["status"]["from"]).zip(status(&data["status"]["to"])),
        },
        "requester_reply" => EventKind::RequesterReply,
        "merged" => EventKind::Merged {
            into: data["into"].as_i64(),
        },
        "merged_from" => EventKind::MergedFrom {
            from: data["from"].as_i64(),
        },
        other => EventKind::Other(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_details_are_read_leniently() {
        assert_eq!(
            event_kind("priority", &json!({"from": 2, "to": "urgent"}), None, None),
            EventKind::Priority {
                from: Some(Priority::Normal),
                to: Some(Priority::Urgent)
            }
        );
        assert_eq!(
            event_kind("status", &Value::Null, None, None),
            EventKind::Status {
                from: None,
                to: None
            }
        );
        assert_eq!(
            event_kind(
                "reply",
                &json!({"status": {"from": "new", "to": "open"}}),
                None,
                None
            ),
            EventKind::Reply {
                status: Some((TicketStatus::New, TicketStatus::Open))
            }
        );
        assert_eq!(
            event_kind(
                "assigned",
                &json!({"from": null, "to": 3}),
                None,
                Some("Ann".into())
            ),
            EventKind::Assigned {
                from: None,
                to: Some(StaffRef {
                    id: 3,
                    name: Some("Ann".into())
                })
            }
        );
        assert_eq!(
            event_kind("escalated", &json!({}), None, None),
            EventKind::Other("escalated".into())
        );
    }
}
