//! A queue view's conditions and order as SQL: the filters, the cursor, the
//! urgency segments, and which index a date range should use.

use sqlx::{QueryBuilder, Sqlite};
use time::OffsetDateTime;

use super::Folding;
use super::months::CREATED_MONTH;
use crate::store::sqlite::tickets::TICKET_COLUMNS;
use crate::store::sqlite::time_text;
use crate::tickets::queue::{AssigneeFilter, QueueFilter, Sort};
use crate::tickets::{STATUSES, TicketStatus};

/// Overdue: needs a human, no first response yet, and past its due time.
const OVERDUE: &str = "(t.status IN ('new', 'open') AND t.first_response_at IS NULL \
     AND IFNULL(t.due_at, '9999-12-31T00:00:00Z') <= ";

/// The view's tickets after the cursor, `limit` of them, as one compound
/// SELECT with an arm per status (and, in a view showing folded tickets, per
/// folding). Each arm walks an index in the sort's order and SQLite merges
/// the arms, so a page reads about as many rows as it shows instead of
/// sorting every ticket with those statuses, and a storm of folded tickets
/// is stepped over in one seek.
///
/// With `months` (see `months`), each arm is also one month of creation.
#[allow(clippy::too_many_arguments)]
pub(super) fn push_merged_arms(
    qb: &mut QueryBuilder<'_, Sqlite>,
    filter: &QueueFilter,
    me: i64,
    now: &str,
    segment: i64,
    limit: i64,
    folding: Folding,
    months: Option<&[String]>,
) {
    // "Any status" is an arm for each: every index leads with the status.
    let statuses: &[TicketStatus] = if filter.statuses.is_empty() {
        &STATUSES
    } else {
        &filter.statuses
    };
    let foldings: &[i64] = match folding {
        Folding::Fold => &[0],
        Folding::Every => &[0, 1],
    };
    let months: Vec<Option<&String>> = match months {
        Some(months) => months.iter().map(Some).collect(),
        None => vec![None],
    };
    let mut arms = Vec::new();
    for status in statuses {
        for &folded in foldings {
            arms.extend(months.iter().map(|&month| (status, folded, month)));
        }
    }
    for (i, (status, folded, month)) in arms.into_iter().enumerate() {
        if i > 0 {
            qb.push(" UNION ALL ");
        }
        qb.push("SELECT t.* FROM tickets t WHERE t.status = ")
            .push_bind(status.as_str())
            .push(" AND t.folded = ")
            .push_bind(folded);
        match month {
            Some(month) => {
                qb.push(format_args!(" AND {CREATED_MONTH} = "))
                    .push_bind(month.clone());
                // Every other condition is checked row by row, so that no
                // other index (by assignee, by code) is preferred to the
                // month's: each arm stops after a page.
                push_conditions(qb, filter, me, "t.", true);
            }
            None => push_filters(qb, filter, me, "t."),
        }
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
                        .push_bind(time_text::to_text(c.time))
                        .push(", ")
                        .push_bind(c.id)
                        .push(")");
                }
                Sort::Age => {
                    qb.push(" AND (t.created_at, t.id) > (")
                        .push_bind(time_text::to_text(c.time))
                        .push(", ")
                        .push_bind(c.id)
                        .push(")");
                }
                Sort::Newest => {
                    qb.push(" AND (t.created_at, t.id) < (")
                        .push_bind(time_text::to_text(c.time))
                        .push(", ")
                        .push_bind(c.id)
                        .push(")");
                }
                Sort::Updated => {
                    qb.push(" AND (t.updated_at, t.id) < (")
                        .push_bind(time_text::to_text(c.time))
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

pub(super) fn order_by(sort: Sort, prefix: &str) -> String {
    let p = prefix;
    match sort {
        Sort::Urgency => format!("{p}priority, {p}created_at, {p}id"),
        Sort::Age => format!("{p}created_at, {p}id"),
        Sort::Newest => format!("{p}created_at DESC, {p}id DESC"),
        Sort::Updated => format!("{p}updated_at DESC, {p}id DESC"),
    }
}

/// The ticket columns, qualified with the `v` alias of the queue's view.
pub(super) fn view_ticket_columns() -> String {
    TICKET_COLUMNS
        .split(',')
        .map(|c| format!("v.{}", c.trim()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The filters other than status, for a table aliased `t.` or `v.`.
pub(super) fn push_filters(
    qb: &mut QueryBuilder<'_, Sqlite>,
    filter: &QueueFilter,
    me: i64,
    t: &str,
) {
    push_conditions(qb, filter, me, t, false);
}

/// The filters; `row_by_row` puts a unary `+` before every column, so that
/// SQLite reads none of them through an index of its own.
fn push_conditions(
    qb: &mut QueryBuilder<'_, Sqlite>,
    filter: &QueueFilter,
    me: i64,
    t: &str,
    row_by_row: bool,
) {
    let plus = if row_by_row { "+" } else { "" };
    if let Some(code) = filter.code {
        qb.push(format_args!(" AND {plus}{t}error_code = "))
            .push_bind(code.as_str());
    }
    if let Some(priority) = filter.priority {
        qb.push(format_args!(" AND {plus}{t}priority = "))
            .push_bind(priority.rank());
    }
    match filter.assignee {
        AssigneeFilter::Anyone => {}
        AssigneeFilter::Me => {
            qb.push(format_args!(" AND {plus}{t}assignee_id = "))
                .push_bind(me);
        }
        AssigneeFilter::Unassigned => {
            qb.push(format_args!(" AND {plus}{t}assignee_id IS NULL"));
        }
        AssigneeFilter::Person(id) => {
            qb.push(format_args!(" AND {plus}{t}assignee_id = "))
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
    let date = if row_by_row || !date_index_helps(filter) {
        "+"
    } else {
        ""
    };
    if let Some(from) = filter.created_from {
        qb.push(format_args!(" AND {date}{t}created_at >= "))
            .push_bind(format!("{from}T00:00:00Z"));
    }
    if let Some(to) = filter.created_to {
        qb.push(format_args!(" AND {date}{t}created_at <= "))
            .push_bind(format!("{to}T23:59:59Z"));
    }
}

/// Whether the view is read a month of creation at a time (see `months`):
/// a sort by last update within a range that ended a while ago, the views
/// `date_index_helps` would otherwise answer by sorting the whole range.
pub(super) fn by_month(filter: &QueueFilter) -> bool {
    filter.sort == Sort::Updated && date_index_helps(filter)
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
pub(super) fn push_status_filter(qb: &mut QueryBuilder<'_, Sqlite>, filter: &QueueFilter, t: &str) {
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
