//! The triage queue: one page of a filtered, sorted view, by keyset.

use std::time::Duration;

use sqlx::sqlite::SqliteRow;
use sqlx::{QueryBuilder, Row, Sqlite};
use time::OffsetDateTime;

use super::budget::{BudgetError, Budgeted};
use super::decode::{self, optional_time, parsed};
use super::search_index::Matches;
use super::tickets::{TICKET_COLUMNS, ticket_from_row};
use super::{Store, time_text};
use crate::domain::ErrorCode;
use crate::tickets::queue::{AssigneeFilter, Cursor, QueueFilter, Sort, fts_terms};
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

/// What the queue page shows of each ticket, from the view `v`.
const QUEUE_COLUMNS: &str = "v.id, v.error_code, substr(v.message, 1, 300) AS message_start, \
     v.endpoint, v.tool, v.tool_other, v.environment, v.requester_name, v.requester_email, \
     v.created_at, v.updated_at, v.priority, v.status, v.due_at, v.first_response_at, \
     s.name AS assignee_name, COALESCE(c.count, 1) AS similar";

/// Overdue: needs a human, no first response yet, and past its due time.
const OVERDUE: &str = "(t.status IN ('new', 'open') AND t.first_response_at IS NULL \
     AND IFNULL(t.due_at, '9999-12-31T00:00:00Z') <= ";

impl Store {
    /// One page of the queue. `me` is the signed-in staff member (for
    /// "assigned to me"); `now` decides what is overdue. A view that needs
    /// more than `budget` to read is stopped: `BudgetError::OverBudget`.
    pub async fn queue_page(
        &self,
        filter: &QueueFilter,
        me: i64,
        now: OffsetDateTime,
        limit: i64,
        budget: Duration,
    ) -> Result<QueuePage, BudgetError> {
        let raw = self
            .view_rows(QUEUE_COLUMNS, filter, me, now, limit, budget)
            .await?;
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
    /// Each batch has its own `budget`.
    #[allow(clippy::type_complexity)]
    pub async fn export_batch(
        &self,
        filter: &QueueFilter,
        me: i64,
        now: OffsetDateTime,
        limit: i64,
        budget: Duration,
    ) -> Result<(Vec<(Ticket, Option<String>)>, Option<Cursor>), BudgetError> {
        let columns = format!("{}, s.name AS assignee_name", view_ticket_columns());
        let raw = self
            .view_rows(&columns, filter, me, now, limit, budget)
            .await?;
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
    /// Read on one connection within `budget`.
    async fn view_rows(
        &self,
        columns: &str,
        filter: &QueueFilter,
        me: i64,
        now: OffsetDateTime,
        limit: i64,
        budget: Duration,
    ) -> Result<Vec<(SqliteRow, i64)>, BudgetError> {
        let mut read = self.budgeted(budget).await?;
        let rows = self
            .read_view_rows(&mut read, columns, filter, me, now, limit)
            .await;
        let rows = read.check(rows);
        read.finish().await;
        rows
    }

    async fn read_view_rows(
        &self,
        read: &mut Budgeted,
        columns: &str,
        filter: &QueueFilter,
        me: i64,
        now: OffsetDateTime,
        limit: i64,
    ) -> Result<Vec<(SqliteRow, i64)>, sqlx::Error> {
        let terms = fts_terms(&filter.search);
        if !terms.is_empty() {
            return search_rows(read, columns, &terms, filter, me, limit).await;
        }
        let now = time_text::to_text(now);
        let mut rows = Vec::new();
        let segments: &[i64] = match (filter.sort, &filter.after) {
            (Sort::Urgency, Some(after)) if after.segment == 1 => &[1],
            (Sort::Urgency, _) => &[0, 1],
            _ => &[0],
        };
        for &segment in segments {
            let want = limit + 1 - rows.len() as i64;
            if want <= 0 {
                break;
            }
            let mut qb = QueryBuilder::<Sqlite>::new(format!("SELECT {columns} FROM ("));
            push_merged_arms(&mut qb, filter, me, &now, segment, want);
            qb.push(
                ") v LEFT JOIN staff s ON s.id = v.assignee_id \
                 LEFT JOIN similar_counts c ON c.similar_key = v.similar_key ORDER BY ",
            )
            .push(order_by(filter.sort, "v."));
            for row in qb.build().fetch_all(read.conn()).await? {
                rows.push((row, segment));
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

/// A search: tickets holding every word, in ticket order (newest first,
/// or oldest first with the Age sort), walked from the full-text index
/// (see `search_index`) so the page stops as soon as it is full, however
/// many tickets match. The other filters apply to each batch found.
async fn search_rows(
    read: &mut Budgeted,
    columns: &str,
    terms: &[String],
    filter: &QueueFilter,
    me: i64,
    limit: i64,
) -> Result<Vec<(SqliteRow, i64)>, sqlx::Error> {
    let descending = filter.sort != Sort::Age;
    let want = usize::try_from(limit + 1).unwrap_or(1);
    let conn = read.conn();
    let mut matches = Matches::new(terms, descending, filter.after.as_ref().map(|a| a.id));
    let mut batch = want;
    let mut rows = Vec::new();
    while rows.len() < want {
        let ids = matches.next_batch(conn, batch).await?;
        if ids.is_empty() {
            break;
        }
        let mut qb = QueryBuilder::<Sqlite>::new(format!(
            "SELECT {columns} FROM tickets v \
             LEFT JOIN staff s ON s.id = v.assignee_id \
             LEFT JOIN similar_counts c ON c.similar_key = v.similar_key \
             WHERE v.id IN ("
        ));
        let mut list = qb.separated(", ");
        for id in &ids {
            list.push_bind(*id);
        }
        qb.push(")");
        push_status_filter(&mut qb, filter, "v.");
        push_filters(&mut qb, filter, me, "v.");
        qb.push(if descending {
            " ORDER BY v.id DESC"
        } else {
            " ORDER BY v.id ASC"
        });
        for row in qb.build().fetch_all(&mut *conn).await? {
            if rows.len() < want {
                rows.push((row, 0));
            }
        }
        if ids.len() < batch {
            break;
        }
        // Filters left some out: look further in larger steps.
        batch = (batch * 2).min(2_000);
    }
    Ok(rows)
}

/// The view's tickets after the cursor, `limit` of them, as one compound
/// SELECT with an arm per status. Each arm walks an index in the sort's order
/// and SQLite merges the arms, so a page reads about as many rows as it
/// shows instead of sorting every ticket with those statuses.
fn push_merged_arms(
    qb: &mut QueryBuilder<'_, Sqlite>,
    filter: &QueueFilter,
    me: i64,
    now: &str,
    segment: i64,
    limit: i64,
) {
    // "Any status" is an arm for each: every index leads with the status.
    let arms: &[TicketStatus] = if filter.statuses.is_empty() {
        &STATUSES
    } else {
        &filter.statuses
    };
    for (i, status) in arms.iter().enumerate() {
        if i > 0 {
            qb.push(" UNION ALL ");
        }
        qb.push("SELECT t.* FROM tickets t WHERE t.status = ")
            .push_bind(status.as_str());
        push_filters(qb, filter, me, "t.");
        if filter.sort == Sort::Urgency {
            qb.push(if segment == 0 { " AND " } else { " AND NOT " })
                .push(OVERDUE)
                .push_bind(now.to_string())
                .push(")");
        }
        if let Some(c) = filter.after.as_ref().filter(|c| c.segment == segment) {
            match filter.sort {
                Sort::Urgency => {
                    qb.push(" AND (t.priority, t.created_at, t.id) > (")
                        .push_bind(c.priority)
                        .push(", ")
                        .push_bind(c.time.clone())
                        .push(", ")
                        .push_bind(c.id)
                        .push(")");
                }
                Sort::Age => {
                    qb.push(" AND (t.created_at, t.id) > (")
                        .push_bind(c.time.clone())
                        .push(", ")
                        .push_bind(c.id)
                        .push(")");
                }
                Sort::Newest => {
                    qb.push(" AND (t.created_at, t.id) < (")
                        .push_bind(c.time.clone())
                        .push(", ")
                        .push_bind(c.id)
                        .push(")");
                }
                Sort::Updated => {
                    qb.push(" AND (t.updated_at, t.id) < (")
                        .push_bind(c.time.clone())
                        .push(", ")
                        .push_bind(c.id)
                        .push(")");
                }
            }
        }
    }
    qb.push(" ORDER BY ")
        .push(order_by(filter.sort, ""))
        .push(" LIMIT ")
        .push_bind(limit);
}

fn order_by(sort: Sort, prefix: &str) -> String {
    let p = prefix;
    match sort {
        Sort::Urgency => format!("{p}priority, {p}created_at, {p}id"),
        Sort::Age => format!("{p}created_at, {p}id"),
        Sort::Newest => format!("{p}created_at DESC, {p}id DESC"),
        Sort::Updated => format!("{p}updated_at DESC, {p}id DESC"),
    }
}

/// The ticket columns, qualified with the `v` alias of the queue's view.
fn view_ticket_columns() -> String {
    TICKET_COLUMNS
        .split(',')
        .map(|c| format!("v.{}", c.trim()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The filters other than status, for a table aliased `t.` or `v.`.
fn push_filters(qb: &mut QueryBuilder<'_, Sqlite>, filter: &QueueFilter, me: i64, t: &str) {
    if let Some(code) = filter.code {
        qb.push(format_args!(" AND {t}error_code = "))
            .push_bind(code.as_str());
    }
    if let Some(priority) = filter.priority {
        qb.push(format_args!(" AND {t}priority = "))
            .push_bind(priority.rank());
    }
    match filter.assignee {
        AssigneeFilter::Anyone => {}
        AssigneeFilter::Me => {
            qb.push(format_args!(" AND {t}assignee_id = "))
                .push_bind(me);
        }
        AssigneeFilter::Unassigned => {
            qb.push(format_args!(" AND {t}assignee_id IS NULL"));
        }
        AssigneeFilter::Person(id) => {
            qb.push(format_args!(" AND {t}assignee_id = "))
                .push_bind(id);
        }
    }
    if let Some(environment) = filter.environment {
        qb.push(format_args!(" AND {t}environment = "))
            .push_bind(environment.as_str());
    }
    if let Some(tool) = &filter.tool {
        qb.push(format_args!(" AND {t}tool = "))
            .push_bind(tool.clone());
    }
    // A unary `+` keeps SQLite from answering a wide date range through the
    // creation-date index (collect every ticket in the range, then sort):
    // walking the sort's own index and checking the date row by row stops
    // after one page. For a narrow range, or a sort by creation date, the
    // date index is the better path and is left available.
    let date = if date_index_helps(filter) { "" } else { "+" };
    if let Some(from) = filter.created_from {
        qb.push(format_args!(" AND {date}{t}created_at >= "))
            .push_bind(format!("{from}T00:00:00Z"));
    }
    if let Some(to) = filter.created_to {
        qb.push(format_args!(" AND {date}{t}created_at <= "))
            .push_bind(format!("{to}T23:59:59Z"));
    }
}

/// Ranges up to this many days are read through the creation-date index.
const NARROW_RANGE_DAYS: i64 = 7;

fn date_index_helps(filter: &QueueFilter) -> bool {
    let today = OffsetDateTime::now_utc().date();
    match filter.sort {
        Sort::Age | Sort::Newest => true,
        // Tickets are updated after they are created, so walking the most
        // recently updated first reaches an old range only after every newer
        // ticket: a range that ended a while ago is better read by date.
        Sort::Updated => filter
            .created_to
            .is_some_and(|to| (today - to).whole_days() > NARROW_RANGE_DAYS),
        Sort::Urgency => {
            let from = filter.created_from;
            let to = filter.created_to.unwrap_or(today);
            from.is_some_and(|from| (to - from).whole_days() <= NARROW_RANGE_DAYS)
        }
    }
}

/// The status filter in one condition (the merged arms have one per arm).
fn push_status_filter(qb: &mut QueryBuilder<'_, Sqlite>, filter: &QueueFilter, t: &str) {
    if filter.statuses.is_empty() {
        return;
    }
    qb.push(format_args!(" AND {t}status IN ("));
    let mut list = qb.separated(", ");
    for status in &filter.statuses {
        list.push_bind(status.as_str());
    }
    qb.push(")");
}

fn queue_row(row: &SqliteRow, sort: Sort, segment: i64) -> Result<QueueRow, sqlx::Error> {
    let text = |column: &str| row.try_get::<String, _>(column);
    let id: i64 = row.try_get("id")?;
    let priority = decode::priority(row)?;
    let tool_other = text("tool_other")?;
    let cursor = Cursor {
        segment,
        priority: priority.rank(),
        time: text(if sort == Sort::Updated {
            "updated_at"
        } else {
            "created_at"
        })?,
        id,
    };
    Ok(QueueRow {
        id,
        reference: reference_for(id),
        error_code: parsed(row, "error_code", ErrorCode::parse)?,
        message_start: text("message_start")?,
        endpoint: text("endpoint")?,
        tool: parsed(row, "tool", |tool| Tool::parse(tool, &tool_other))?,
        environment: parsed(row, "environment", Environment::parse)?,
        requester_name: text("requester_name")?,
        requester_email: text("requester_email")?,
        created_at: decode::time(row, "created_at")?,
        updated_at: decode::time(row, "updated_at")?,
        priority,
        status: parsed(row, "status", TicketStatus::parse)?,
        due_at: optional_time(row, "due_at")?,
        first_response_at: optional_time(row, "first_response_at")?,
        assignee_name: row.try_get("assignee_name")?,
        similar: row.try_get("similar")?,
        cursor,
    })
}
