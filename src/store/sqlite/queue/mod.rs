//! The triage queue: one page of a filtered, sorted view, by keyset.

mod conditions;
mod count;
mod months;
mod search;

use std::time::Duration;

use async_trait::async_trait;
use sqlx::sqlite::SqliteRow;
use sqlx::{QueryBuilder, Row, Sqlite};
use time::OffsetDateTime;

use self::conditions::{by_month, order_by, push_merged_arms, view_ticket_columns};
use self::search::search_rows;
use super::budget::Budgeted;
use super::decode::{self, optional_parsed, optional_time, parsed};
use super::search_index::fts_terms;
use super::tickets::ticket_from_row;
use super::{SqliteStore, time_text};
use crate::domain::ErrorCode;
use crate::store::{BudgetError, Queue, QueuePage, QueueRow, RowProblem, StoreError};
use crate::tickets::queue::{Cursor, QueueFilter, Sort, ViewCount};
use crate::tickets::{Environment, STATUSES, Ticket, TicketStatus, Tool, reference_for};

/// What the queue page shows of each ticket, from the view `v`.
const QUEUE_COLUMNS: &str = "v.id, v.error_code, substr(v.message, 1, 300) AS message_start, \
     v.endpoint, v.tool, v.tool_other, v.environment, v.requester_name, v.requester_email, \
     v.created_at, v.updated_at, v.priority, v.status, v.due_at, v.first_response_at, \
     s.name AS assignee_name, p.lead_ticket_id AS problem_lead, p.occurrences AS problem_size, \
     p.first_seen AS problem_first_seen, p.last_seen AS problem_last_seen";

/// The joins `QUEUE_COLUMNS` reads from, after the view `v`.
pub(super) const QUEUE_JOINS: &str = "LEFT JOIN staff s ON s.id = v.assignee_id \
     LEFT JOIN problems p ON p.id = v.problem_id";

#[async_trait]
impl Queue for SqliteStore {
    /// One page of the queue. `me` is the signed-in staff member (for
    /// "assigned to me"); `now` decides what is overdue. A view that needs
    /// more than `budget` to read is stopped: `BudgetError::OverBudget`.
    async fn queue_page(
        &self,
        filter: &QueueFilter,
        me: i64,
        now: OffsetDateTime,
        limit: i64,
        budget: Duration,
    ) -> Result<QueuePage, BudgetError> {
        let raw = self
            .view_rows(
                Shape {
                    columns: QUEUE_COLUMNS,
                    folding: Folding::Fold,
                },
                filter,
                me,
                now,
                limit,
                budget,
            )
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
    async fn export_batch(
        &self,
        filter: &QueueFilter,
        me: i64,
        now: OffsetDateTime,
        limit: i64,
        budget: Duration,
    ) -> Result<(Vec<(Ticket, Option<String>)>, Option<Cursor>), BudgetError> {
        let columns = format!("{}, s.name AS assignee_name", view_ticket_columns());
        let raw = self
            .view_rows(
                Shape {
                    columns: &columns,
                    folding: Folding::Every,
                },
                filter,
                me,
                now,
                limit,
                budget,
            )
            .await?;
        let mut tickets = Vec::with_capacity(raw.len());
        let mut cursor = None;
        for (row, segment) in raw.iter().take(limit as usize) {
            let ticket = ticket_from_row(row)?;
            cursor = Some(Cursor {
                segment: *segment,
                priority: ticket.priority.rank(),
                time: if filter.sort == Sort::Updated {
                    ticket.updated_at
                } else {
                    ticket.created_at
                },
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

    /// How many tickets the view holds (see `count` for how it stays fast):
    /// at least some for a search with too many matches to count within
    /// `budget`, `ViewCount::Unknown` for another view that needs more.
    async fn count_view(
        &self,
        filter: &QueueFilter,
        me: i64,
        budget: Duration,
    ) -> Result<ViewCount, StoreError> {
        // A search stops itself at `budget` with what it counted; the
        // connection's own limit, later, only guards against a batch that
        // runs away.
        let until = std::time::Instant::now() + budget;
        let hard = if filter.search.is_empty() {
            budget
        } else {
            budget * 4
        };
        let mut read = self.budgeted(hard).await?;
        let counted = self.count_in(&mut read, filter, me, until).await;
        let counted = read.check(counted);
        read.finish().await;
        count::count_or_unknown(counted)
    }

    /// Tickets per status, from the counters the triggers keep.
    async fn status_counts(&self) -> Result<Vec<(TicketStatus, i64)>, StoreError> {
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

/// Whether a view shows a problem's folded members.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Folding {
    /// Through their lead's row only: the queue people read.
    Fold,
    /// Every ticket on its own row: an export, where each one counts.
    Every,
}

/// What a read of a view returns: which columns, and whether folded.
#[derive(Debug, Clone, Copy)]
struct Shape<'a> {
    columns: &'a str,
    folding: Folding,
}

impl SqliteStore {
    /// Up to `limit + 1` rows of the view after its cursor, each with the
    /// urgency segment it came from; the extra row says whether more follow.
    /// Read on one connection within `budget`.
    async fn view_rows(
        &self,
        shape: Shape<'_>,
        filter: &QueueFilter,
        me: i64,
        now: OffsetDateTime,
        limit: i64,
        budget: Duration,
    ) -> Result<Vec<(SqliteRow, i64)>, BudgetError> {
        let mut read = self.budgeted(budget).await?;
        let rows = self
            .read_view_rows(&mut read, shape, filter, me, now, limit)
            .await;
        let rows = read.check(rows);
        read.finish().await;
        rows
    }

    async fn read_view_rows(
        &self,
        read: &mut Budgeted,
        Shape { columns, folding }: Shape<'_>,
        filter: &QueueFilter,
        me: i64,
        now: OffsetDateTime,
        limit: i64,
    ) -> Result<Vec<(SqliteRow, i64)>, sqlx::Error> {
        let terms = fts_terms(&filter.search_words());
        if !terms.is_empty() {
            return search_rows(read, columns, &terms, filter, me, limit).await;
        }
        let months = self.created_months(read, filter, folding).await?;
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
            push_merged_arms(
                &mut qb,
                filter,
                me,
                &now,
                segment,
                want,
                folding,
                months.as_deref(),
            );
            qb.push(") v ")
                .push(QUEUE_JOINS)
                .push(" ORDER BY ")
                .push(order_by(filter.sort, "v."));
            for row in qb.build().fetch_all(read.conn()).await? {
                rows.push((row, segment));
            }
        }
        Ok(rows)
    }
}

impl SqliteStore {
    /// The months of creation to read the view by (see `months`), when it
    /// is read that way. The range starts no earlier than the oldest
    /// ticket (one seek in the creation-date index): a range open at its
    /// start, or one from years before the first ticket, has no empty arms.
    async fn created_months(
        &self,
        read: &mut Budgeted,
        filter: &QueueFilter,
        folding: Folding,
    ) -> Result<Option<Vec<String>>, sqlx::Error> {
        let Some(last) = filter.created_to.filter(|_| by_month(filter)) else {
            return Ok(None);
        };
        let oldest: Option<String> = sqlx::query_scalar("SELECT MIN(created_at) FROM tickets")
            .fetch_one(read.conn())
            .await?;
        let oldest = oldest
            .and_then(|t| time_text::from_text(&t).ok())
            .map(|t| t.date());
        let first = match (filter.created_from, oldest) {
            (Some(from), Some(oldest)) => Some(from.max(oldest)),
            (from, oldest) => from.or(oldest),
        };
        let statuses = if filter.statuses.is_empty() {
            STATUSES.len()
        } else {
            filter.statuses.len()
        };
        let foldings = match folding {
            Folding::Fold => 1,
            Folding::Every => 2,
        };
        Ok(first.and_then(|first| months::months(first, last, statuses * foldings)))
    }
}

fn queue_row(row: &SqliteRow, sort: Sort, segment: i64) -> Result<QueueRow, sqlx::Error> {
    let text = |column: &str| row.try_get::<String, _>(column);
    let id: i64 = row.try_get("id")?;
    let priority = decode::priority(row)?;
    let tool_other = text("tool_other")?;
    let cursor = Cursor {
        segment,
        priority: priority.rank(),
        time: decode::time(
            row,
            if sort == Sort::Updated {
                "updated_at"
            } else {
                "created_at"
            },
        )?,
        id,
    };
    Ok(QueueRow {
        id,
        reference: reference_for(id),
        error_code: parsed(row, "error_code", ErrorCode::parse)?,
        message_start: text("message_start")?,
        endpoint: text("endpoint")?,
        tool: optional_parsed(row, "tool", |tool| Tool::parse(tool, &tool_other))?,
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
        problem: match row.try_get::<Option<i64>, _>("problem_lead")? {
            Some(lead_id) => Some(RowProblem {
                lead_id,
                occurrences: row.try_get("problem_size")?,
                first_seen: decode::time(row, "problem_first_seen")?,
                last_seen: decode::time(row, "problem_last_seen")?,
            }),
            None => None,
        },
        cursor,
    })
}
