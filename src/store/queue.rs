//! The triage queue: one page of a filtered, sorted view, by keyset.

use sqlx::sqlite::SqliteRow;
use sqlx::{QueryBuilder, Row, Sqlite};
use time::OffsetDateTime;

use super::tickets::{TICKET_COLUMNS, ticket_from_row};
use super::{Store, time_text};
use crate::domain::ErrorCode;
use crate::tickets::queue::{AssigneeFilter, Cursor, QueueFilter, Sort, fts_query};
use crate::tickets::{Environment, Priority, STATUSES, Ticket, TicketStatus, Tool, reference_for};

/// One row of the queue: what a person scanning the list needs.
#[derive(Debug, Clone)]
pub struct QueueRow {
    pub id: i64,
    pub reference: String,
    pub error_code: ErrorCode,
    /// The start of the message (a few hundred characters at most).
    pub message_start: String,
    pub endpoint: String,
    pub tool: Tool,
    pub environment: Environment,
    pub requester_name: String,
    pub requester_email: String,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    pub priority: Priority,
    pub status: TicketStatus,
    pub due_at: Option<OffsetDateTime>,
    pub first_response_at: Option<OffsetDateTime>,
    pub assignee_name: Option<String>,
    /// Tickets sharing this one's code, method, endpoint shape and tool (itself included).
    pub similar: i64,
    cursor: Cursor,
}

#[derive(Debug, Clone)]
pub struct QueuePage {
    pub rows: Vec<QueueRow>,
    /// Where the next page starts, if there is one.
    pub next: Option<Cursor>,
}

const SELECT: &str = "SELECT t.id, t.error_code, substr(t.message, 1, 300) AS message_start, \
     t.endpoint, t.tool, t.tool_other, t.environment, t.requester_name, t.requester_email, \
     t.created_at, t.updated_at, t.priority, t.status, t.due_at, t.first_response_at, \
     s.name AS assignee_name, COALESCE(c.count, 1) AS similar \
     FROM tickets t \
     LEFT JOIN staff s ON s.id = t.assignee_id \
     LEFT JOIN similar_counts c ON c.similar_key = t.similar_key \
     WHERE 1 = 1";

/// Overdue: needs a human, no first response yet, and past its due time.
const OVERDUE: &str = "(t.status IN ('new', 'open') AND t.first_response_at IS NULL \
     AND IFNULL(t.due_at, '9999-12-31T00:00:00Z') <= ";

impl Store {
    /// One page of the queue. `me` is the signed-in staff member (for
    /// "assigned to me"); `now` decides what is overdue.
    pub async fn queue_page(
        &self,
        filter: &QueueFilter,
        me: i64,
        now: OffsetDateTime,
        limit: i64,
    ) -> Result<QueuePage, sqlx::Error> {
        let raw = self.view_rows(SELECT, filter, me, now, limit).await?;
        let mut rows = raw
            .iter()
            .map(|(row, segment)| queue_row(row, filter.sort, *segment))
            .collect::<Result<Vec<_>, _>>()?;
        let next = (rows.len() as i64 > limit).then(|| {
            rows.truncate(limit as usize);
            rows.last().map(|r| r.cursor.clone())
        });
        Ok(QueuePage {
            rows,
            next: next.flatten(),
        })
    }

    /// Whole tickets in the queue's order, for exporting a view. Returns the
    /// tickets with their assignee's name, and where the next batch starts.
    pub async fn export_batch(
        &self,
        filter: &QueueFilter,
        me: i64,
        now: OffsetDateTime,
        limit: i64,
    ) -> Result<(Vec<(Ticket, Option<String>)>, Option<Cursor>), sqlx::Error> {
        let select = format!(
            "SELECT {}, s.name AS assignee_name FROM tickets t \
             LEFT JOIN staff s ON s.id = t.assignee_id WHERE 1 = 1",
            prefixed_ticket_columns()
        );
        let raw = self.view_rows(&select, filter, me, now, limit).await?;
        let mut tickets = Vec::with_capacity(raw.len());
        let mut cursor = None;
        for (row, segment) in raw.iter().take(limit as usize) {
            let ticket = ticket_from_row(row)?;
            cursor = Some(Cursor {
                segment: *segment,
                priority: ticket.priority.rank(),
                time: time_text::to_text(if filter.sort == Sort::Updated {
                    ticket.updated_at
                } else {
                    ticket.created_at
                }),
                id: ticket.id,
            });
            tickets.push((ticket, row.try_get("assignee_name")?));
        }
        let next = if raw.len() as i64 > limit {
            cursor
        } else {
            None
        };
        Ok((tickets, next))
    }

    /// Up to `limit + 1` rows of the view after its cursor, each with the
    /// urgency segment it came from; the extra row says whether more follow.
    async fn view_rows(
        &self,
        select: &str,
        filter: &QueueFilter,
        me: i64,
        now: OffsetDateTime,
        limit: i64,
    ) -> Result<Vec<(SqliteRow, i64)>, sqlx::Error> {
        let now_text = time_text::to_text(now);
        let mut rows = Vec::new();
        match filter.sort {
            Sort::Urgency => {
                // Two segments, each in index order: overdue first, then the rest.
                let start_segment = filter.after.as_ref().map_or(0, |c| c.segment);
                for segment in start_segment..=1 {
                    let want = limit + 1 - rows.len() as i64;
                    if want <= 0 {
                        break;
                    }
                    let after = filter.after.as_ref().filter(|c| c.segment == segment);
                    let mut qb = QueryBuilder::<Sqlite>::new(select);
                    push_filters(&mut qb, filter, me);
                    qb.push(if segment == 0 { " AND " } else { " AND NOT " });
                    qb.push(OVERDUE).push_bind(now_text.clone()).push(")");
                    if let Some(c) = after {
                        qb.push(" AND (t.priority, t.created_at, t.id) > (")
                            .push_bind(c.priority)
                            .push(", ")
                            .push_bind(c.time.clone())
                            .push(", ")
                            .push_bind(c.id)
                            .push(")");
                    }
                    qb.push(" ORDER BY t.priority, t.created_at, t.id LIMIT ")
                        .push_bind(want);
                    for row in qb.build().fetch_all(&self.pool).await? {
                        rows.push((row, segment));
                    }
                }
            }
            Sort::Age | Sort::Newest | Sort::Updated => {
                let (column, direction, compare) = match filter.sort {
                    Sort::Age => ("t.created_at", "ASC", ">"),
                    Sort::Newest => ("t.created_at", "DESC", "<"),
                    _ => ("t.updated_at", "DESC", "<"),
                };
                let mut qb = QueryBuilder::<Sqlite>::new(select);
                push_filters(&mut qb, filter, me);
                if let Some(c) = &filter.after {
                    qb.push(format_args!(" AND ({column}, t.id) {compare} ("))
                        .push_bind(c.time.clone())
                        .push(", ")
                        .push_bind(c.id)
                        .push(")");
                }
                qb.push(format_args!(
                    " ORDER BY {column} {direction}, t.id {direction} LIMIT "
                ))
                .push_bind(limit + 1);
                for row in qb.build().fetch_all(&self.pool).await? {
                    rows.push((row, 0));
                }
            }
        }
        Ok(rows)
    }

    /// Tickets per status, from the counters the triggers keep.
    pub async fn status_counts(&self) -> Result<Vec<(TicketStatus, i64)>, sqlx::Error> {
        let rows: Vec<(String, i64)> = sqlx::query_as("SELECT status, count FROM ticket_counts")
            .fetch_all(&self.pool)
            .await?;
        let mut counts: Vec<(TicketStatus, i64)> = rows
            .into_iter()
            .filter_map(|(status, count)| TicketStatus::parse(&status).map(|s| (s, count)))
            .collect();
        // Workflow order: new, open, waiting, resolved, closed.
        counts.sort_by_key(|(status, _)| STATUSES.iter().position(|s| s == status));
        Ok(counts)
    }
}

/// The ticket columns, qualified with the `t` alias used by the queue.
fn prefixed_ticket_columns() -> String {
    TICKET_COLUMNS
        .split(',')
        .map(|c| format!("t.{}", c.trim()))
        .collect::<Vec<_>>()
        .join(", ")
}

fn push_filters(qb: &mut QueryBuilder<'_, Sqlite>, filter: &QueueFilter, me: i64) {
    if !filter.statuses.is_empty() {
        // Statuses come from a closed enum, so they are written as literals:
        // the planner can only use the partial index for the default view
        // when the query spells out the same `IN ('new', 'open')`.
        let list: Vec<String> = filter
            .statuses
            .iter()
            .map(|s| format!("'{}'", s.as_str()))
            .collect();
        qb.push(format_args!(" AND t.status IN ({})", list.join(", ")));
    }
    if let Some(code) = filter.code {
        qb.push(" AND t.error_code = ").push_bind(code.as_str());
    }
    if let Some(priority) = filter.priority {
        qb.push(" AND t.priority = ").push_bind(priority.rank());
    }
    match filter.assignee {
        AssigneeFilter::Anyone => {}
        AssigneeFilter::Me => {
            qb.push(" AND t.assignee_id = ").push_bind(me);
        }
        AssigneeFilter::Unassigned => {
            qb.push(" AND t.assignee_id IS NULL");
        }
        AssigneeFilter::Person(id) => {
            qb.push(" AND t.assignee_id = ").push_bind(id);
        }
    }
    if let Some(environment) = filter.environment {
        qb.push(" AND t.environment = ")
            .push_bind(environment.as_str());
    }
    if let Some(tool) = &filter.tool {
        qb.push(" AND t.tool = ").push_bind(tool.clone());
    }
    if let Some(from) = filter.created_from {
        qb.push(" AND t.created_at >= ")
            .push_bind(format!("{from}T00:00:00Z"));
    }
    if let Some(to) = filter.created_to {
        qb.push(" AND t.created_at <= ")
            .push_bind(format!("{to}T23:59:59Z"));
    }
    if let Some(query) = fts_query(&filter.search) {
        qb.push(" AND t.id IN (SELECT ticket_id FROM ticket_search WHERE ticket_search MATCH ")
            .push_bind(query)
            .push(")");
    }
}

fn queue_row(row: &SqliteRow, sort: Sort, segment: i64) -> Result<QueueRow, sqlx::Error> {
    let text = |column: &str| row.try_get::<String, _>(column);
    let invalid = |column: &str, value: String| sqlx::Error::ColumnDecode {
        index: column.to_string(),
        source: format!("unexpected value {value:?}").into(),
    };
    let optional_time = |column: &str| -> Result<Option<OffsetDateTime>, sqlx::Error> {
        row.try_get::<Option<String>, _>(column)?
            .map(|t| time_text::from_text(&t))
            .transpose()
    };
    let id: i64 = row.try_get("id")?;
    let (code, tool, environment, status) = (
        text("error_code")?,
        text("tool")?,
        text("environment")?,
        text("status")?,
    );
    let priority: i64 = row.try_get("priority")?;
    let created_text = text("created_at")?;
    let updated_text = text("updated_at")?;
    let cursor = Cursor {
        segment,
        priority,
        time: if sort == Sort::Updated {
            updated_text.clone()
        } else {
            created_text.clone()
        },
        id,
    };
    Ok(QueueRow {
        id,
        reference: reference_for(id),
        error_code: ErrorCode::parse(&code).ok_or_else(|| invalid("error_code", code.clone()))?,
        message_start: text("message_start")?,
        endpoint: text("endpoint")?,
        tool: Tool::parse(&tool, &text("tool_other")?)
            .ok_or_else(|| invalid("tool", tool.clone()))?,
        environment: Environment::parse(&environment)
            .ok_or_else(|| invalid("environment", environment.clone()))?,
        requester_name: text("requester_name")?,
        requester_email: text("requester_email")?,
        created_at: time_text::from_text(&created_text)?,
        updated_at: time_text::from_text(&updated_text)?,
        priority: Priority::from_rank(priority)
            .ok_or_else(|| invalid("priority", priority.to_string()))?,
        status: TicketStatus::parse(&status).ok_or_else(|| invalid("status", status.clone()))?,
        due_at: optional_time("due_at")?,
        first_response_at: optional_time("first_response_at")?,
        assignee_name: row.try_get("assignee_name")?,
        similar: row.try_get("similar")?,
        cursor,
    })
}
