//! The triage queue page.

use askama::Template;
use axum::Router;
use axum::extract::{RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use std::time::Duration;

use time::OffsetDateTime;

use super::session::CurrentStaff;
use crate::domain::ErrorCode;
use crate::error::Result;
use crate::staff::StaffMember;
use crate::store::{BudgetError, QueuePage as Page, QueueRow};
use crate::tickets::bulk::{BulkEdit, UNDO_WINDOW};
use crate::tickets::queue::views::MAX_VIEW_NAME_CHARS;
use crate::tickets::queue::{MAX_SEARCH_CHARS, PAGE_SIZE, QueueQuery, Sort, ViewCount};
use crate::tickets::reference_for;
use crate::tickets::{Environment, Priority, TicketStatus, Tool};
use crate::web::AppState;
use crate::web::csrf::CsrfToken;
use crate::web::format::{age, due, first_line, thousands};
use crate::web::highlight::{Piece, highlight};
use crate::web::links::with_query;
use crate::web::render::render;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/staff/queue", get(queue))
        .route("/staff/queue.csv", get(super::queue_export::export_csv))
        .route("/staff/queue/count", get(count_only))
        .route("/staff/queue/bulk", post(super::queue_bulk::bulk))
        .route("/staff/queue/bulk/{id}/undo", post(super::queue_bulk::undo))
}

/// How long the page may spend counting its view. Filters without dates
/// or words are summed from tallies in well under a millisecond; this
/// bounds the rest (see `store::sqlite::queue::count`): a date range with
/// other filters, and a search, which then says "at least".
const COUNT_TIME: Duration = Duration::from_millis(40);
const SEARCH_COUNT_TIME: Duration = Duration::from_millis(15);
/// The same for each saved view in the sidebar.
const SIDEBAR_COUNT_TIME: Duration = Duration::from_millis(10);

/// A queue row as the page shows it: one line, cut short with an ellipsis.
struct Row {
    row: QueueRow,
    /// The message's first line, search words marked.
    subject: Vec<Piece>,
    requester: Vec<Piece>,
    /// The requester in full, for the cell's tooltip.
    requester_full: String,
    age: String,
    due: Option<(String, bool)>,
    grouped: Grouped,
    /// The ticket, opened from this view (its next-ticket buttons follow it).
    link: String,
    /// Ticked again after a refused bulk edit.
    selected: bool,
}

/// What a row says of the ticket's problem.
enum Grouped {
    Alone,
    /// The row stands for the problem: how many tickets, since when, and
    /// how long since the latest.
    Lead {
        occurrences: i64,
        first_seen: String,
        last_seen: String,
    },
    /// A member on its own row (its requester wrote again, or its lead was
    /// settled without it).
    Member {
        lead_id: i64,
        lead: String,
    },
}

impl Grouped {
    fn of(row: &QueueRow, now: OffsetDateTime) -> Self {
        match &row.problem {
            None => Self::Alone,
            Some(p) if p.lead_id == row.id => Self::Lead {
                occurrences: p.occurrences,
                first_seen: age(p.first_seen, now),
                last_seen: age(p.last_seen, now),
            },
            Some(p) => Self::Member {
                lead_id: p.lead_id,
                lead: reference_for(p.lead_id),
            },
        }
    }
}

/// A saved view in the sidebar.
struct ViewLink {
    name: String,
    url: String,
    /// "2,069", or "many" when counting would take too long.
    count: String,
    current: bool,
}

/// Where to finish a count the page cut short, and the rows it shows.
struct CountMore {
    /// The page again, counted within the whole query budget.
    link: String,
    /// Just the count, as text ("2,069", "at least 250,000", "many").
    source: String,
    /// What the range says before the count.
    before: String,
}

/// The bulk edit just made (or undone), shown once above the list.
struct BulkNotice {
    summary: Vec<String>,
    /// Where to post an undo while it may still be undone.
    undo_url: Option<String>,
    undo_seconds: i64,
    undo_note: String,
}

/// A bulk edit refused before it reached any ticket, with what was chosen.
#[derive(Default)]
pub(super) struct BulkRetry {
    pub message: String,
    pub selected: Vec<i64>,
    pub assign_to: String,
    pub priority_to: String,
    pub status_to: String,
}

/// The "Save this view" form, when it comes back with a mistake.
#[derive(Default)]
pub(super) struct SaveRetry {
    pub name: String,
    pub error: String,
}

#[derive(Template)]
#[template(path = "staff/queue.html")]
struct QueuePage {
    /// The saved view this is, or "Queue".
    title: String,
    /// "1–50 of 2,069".
    range: String,
    /// The range's count was cut short: where to finish it.
    count_more: Option<CountMore>,
    views: Vec<ViewLink>,
    /// The view's query string, for saving it and for ticket links.
    view_query: String,
    bulk_notice: Option<BulkNotice>,
    /// The ticket page's "then next ticket" came back: none was left.
    view_ended: bool,
    bulk_retry: BulkRetry,
    save_retry: SaveRetry,
    /// What was changed or left out of the query string, for the agent.
    notes: Vec<String>,
    /// The view needed more than the query budget and was stopped.
    too_broad: bool,
    max_search: usize,
    max_view_name: usize,
    export_url: String,
    /// This view, to come back to after a bulk action.
    back_url: String,
    /// The ids of the rows shown, for "every ticket on this page".
    page_ids: String,
    /// Environment, tool or dates are set: the "More filters" part is open.
    more_filters: bool,
    me: StaffMember,
    csrf: CsrfToken,
    query: QueueQuery,
    rows: Vec<Row>,
    counts: Vec<(TicketStatus, String, String)>,
    staff: Vec<StaffMember>,
    next_url: Option<String>,
    first_url: Option<String>,
    codes: [ErrorCode; 21],
    priorities: [Priority; 4],
    environments: [Environment; 3],
    tools: [(&'static str, &'static str); 6],
    sorts: [Sort; 4],
    statuses: [TicketStatus; 5],
}

async fn queue(
    State(state): State<AppState>,
    CurrentStaff(me): CurrentStaff,
    csrf: CsrfToken,
    RawQuery(raw): RawQuery,
) -> Result<Response> {
    let raw = raw.unwrap_or_default();
    // The bare queue opens on the person's default view, if they chose one.
    let raw = match raw.is_empty() {
        true => match state.store.default_view(me.id).await? {
            Some(view) => view.query,
            None => raw,
        },
        false => raw,
    };
    let (query, notes) = QueueQuery::read(&raw);
    let page = Retries::default();
    show_view(&state, me, csrf, query, notes, page).await
}

/// What a page re-rendered after a refused form keeps of it.
#[derive(Default)]
pub(super) struct Retries {
    pub bulk: BulkRetry,
    pub save: SaveRetry,
}

/// Reads the view and renders it; a refused form (`retries`) comes back
/// 422 with what was typed.
pub(super) async fn show_view(
    state: &AppState,
    me: StaffMember,
    csrf: CsrfToken,
    query: QueueQuery,
    notes: Vec<String>,
    retries: Retries,
) -> Result<Response> {
    let now = OffsetDateTime::now_utc();
    let filter = query.filter();
    let budget = state.config.staff_query_budget.0;
    let (page, too_broad) = match state
        .store
        .queue_page(&filter, me.id, now, PAGE_SIZE, budget)
        .await
    {
        Ok(page) => (page, false),
        Err(BudgetError::OverBudget) => (
            Page {
                rows: Vec::new(),
                next: None,
            },
            true,
        ),
        Err(BudgetError::Database(err)) => return Err(err.into()),
    };
    let view = View {
        query,
        notes,
        page,
        too_broad,
    };
    render_queue(state, me, csrf, view, retries, now).await
}

/// What a queue page shows: the view asked for, what in its address was
/// not understood, and what was read of it.
pub(super) struct View {
    pub(super) query: QueueQuery,
    pub(super) notes: Vec<String>,
    pub(super) page: Page,
    /// The read was stopped for its budget, so `page` is empty.
    pub(super) too_broad: bool,
}

/// The queue page for a view and what was read of it. A view stopped for
/// its budget comes back 422, like a form with a mistake, with the view
/// kept so the agent can narrow it.
pub(super) async fn render_queue(
    state: &AppState,
    me: StaffMember,
    csrf: CsrfToken,
    view: View,
    retries: Retries,
    now: OffsetDateTime,
) -> Result<Response> {
    let View {
        query,
        notes,
        page,
        too_broad,
    } = view;
    let budget = state.config.staff_query_budget.0.min(COUNT_TIME);
    let bulk_notice = match query.bulk.parse::<i64>() {
        Ok(id) => state
            .store
            .bulk_edit(id, me.id)
            .await?
            .map(|edit| bulk_notice(edit, &query, now)),
        Err(_) => None,
    };
    let counts = state
        .store
        .status_counts()
        .await?
        .into_iter()
        .map(|(status, count)| {
            let url = view_url(&QueueQuery {
                status: status.as_str().into(),
                ..Default::default()
            });
            (status, thousands(count), url)
        })
        .collect();
    let mut views = Vec::new();
    let mut title = "Queue".to_string();
    for saved in state.store.saved_views().await? {
        let shown = saved.queue_query();
        // A slow sidebar count says "many" rather than hold the page up.
        let count = state
            .store
            .count_view(&shown.filter(), me.id, SIDEBAR_COUNT_TIME)
            .await?;
        let current = views.iter().all(|v: &ViewLink| !v.current) && saved.shows(&query);
        if current {
            title = saved.name.clone();
        }
        views.push(ViewLink {
            name: saved.name,
            url: view_url(&shown),
            count: count_text(count),
            current,
        });
    }
    // The view without its page: what is counted, linked and exported.
    let whole = query.view_only().filter();
    let address = view_url(&query.view_only());
    let total = if too_broad {
        ViewCount::Unknown
    } else {
        let time = if query.count == "all" {
            state.config.staff_query_budget.0
        } else if whole.search.is_empty() {
            budget
        } else {
            budget.min(SEARCH_COUNT_TIME)
        };
        state.store.count_view(&whole, me.id, time).await?
    };
    let first_row = query.first_row();
    let range = range_text(first_row, page.rows.len(), total);
    // A count cut short is finished on request: at once by staff.js (from
    // /staff/queue/count), or by following the link without it.
    let count_more = match total {
        ViewCount::Exact(_) => None,
        _ if too_broad || query.count == "all" => None,
        _ => Some(CountMore {
            link: view_url(&QueueQuery {
                count: "all".into(),
                ..query.clone()
            }),
            source: address.replacen("/staff/queue", "/staff/queue/count", 1),
            // "1–50 of " before the count; without a place, "N in this view".
            before: match first_row {
                Some(first) if !page.rows.is_empty() => format!(
                    "{}–{} of ",
                    thousands(first),
                    thousands(first + page.rows.len() as i64 - 1)
                ),
                _ => String::new(),
            },
        }),
    };
    let next_url = page.next.map(|cursor| {
        view_url(&QueueQuery {
            after: cursor.encode(),
            at: first_row
                .map(|first| (first + page.rows.len() as i64).to_string())
                .unwrap_or_default(),
            ..query.clone()
        })
    });
    let first_url = (!query.after.is_empty()).then(|| address.clone());
    let view_query = view_query_string(&query.view_only());
    // The ticket page offers the next ticket in this view (`workspace`).
    let ticket_suffix = with_query("", &[("view", address.as_str())]);
    let words = whole.search_words();
    let page_ids = page
        .rows
        .iter()
        .map(|r| r.id.to_string())
        .collect::<Vec<_>>()
        .join(",");
    let rows = page
        .rows
        .into_iter()
        .map(|row| {
            let requester_full = if row.requester_name.is_empty() {
                row.requester_email.clone()
            } else {
                format!("{} <{}>", row.requester_name, row.requester_email)
            };
            let requester = if row.requester_name.is_empty() {
                &row.requester_email
            } else {
                &row.requester_name
            };
            Row {
                subject: highlight(&first_line(&row.message_start), &words),
                requester: highlight(requester, &words),
                requester_full,
                age: age(row.created_at, now),
                due: (row.first_response_at.is_none()
                    && matches!(row.status, TicketStatus::New | TicketStatus::Open))
                .then_some(row.due_at)
                .flatten()
                .map(|at| due(at, now)),
                grouped: Grouped::of(&row, now),
                link: format!("/staff/tickets/{}{ticket_suffix}", row.id),
                selected: retries.bulk.selected.contains(&row.id),
                row,
            }
        })
        .collect();
    let export_url = address.replacen("/staff/queue", "/staff/queue.csv", 1);
    let back_url = address;
    let more_filters = !(query.environment.is_empty()
        && query.tool.is_empty()
        && query.from.is_empty()
        && query.to.is_empty());
    let refused = !retries.bulk.message.is_empty() || !retries.save.error.is_empty();
    let page = QueuePage {
        title,
        range,
        count_more,
        views,
        view_query,
        bulk_notice,
        view_ended: query.bulk == "last",
        bulk_retry: retries.bulk,
        save_retry: retries.save,
        notes,
        too_broad,
        max_search: MAX_SEARCH_CHARS,
        max_view_name: MAX_VIEW_NAME_CHARS,
        export_url,
        back_url,
        page_ids,
        more_filters,
        staff: state.store.active_staff().await?,
        me,
        csrf,
        query,
        rows,
        counts,
        next_url,
        first_url,
        codes: ErrorCode::ALL,
        priorities: Priority::ALL,
        environments: Environment::ALL,
        tools: Tool::CHOICES,
        sorts: Sort::ALL,
        statuses: [
            TicketStatus::New,
            TicketStatus::Open,
            TicketStatus::Waiting,
            TicketStatus::Resolved,
            TicketStatus::Closed,
        ],
    };
    let status = if too_broad || refused {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok((status, render(&page)?).into_response())
}

/// Just the view's count, as the range says it ("2,069", "at least
/// 250,000", "many"), counted within the whole query budget: what staff.js
/// puts in place of a count the page cut short.
async fn count_only(
    State(state): State<AppState>,
    CurrentStaff(me): CurrentStaff,
    RawQuery(raw): RawQuery,
) -> Result<Response> {
    let (query, _) = QueueQuery::read(raw.as_deref().unwrap_or_default());
    let budget = state.config.staff_query_budget.0;
    let filter = query.view_only().filter();
    let text = match state.store.count_view(&filter, me.id, budget).await? {
        ViewCount::Exact(n) => thousands(n),
        ViewCount::AtLeast(n) => format!("at least {}", thousands(n)),
        ViewCount::Unknown => "many".into(),
    };
    Ok(([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], text).into_response())
}

/// "1–50 of 2,069": where this page sits in the view. Past the first page
/// a link without its place says only the total.
fn range_text(first_row: Option<i64>, shown: usize, total: ViewCount) -> String {
    let shown = shown as i64;
    match (total, first_row) {
        (ViewCount::Exact(0), _) => "No tickets".into(),
        (ViewCount::Exact(n), Some(first)) if shown > 0 => format!(
            "{}–{} of {}",
            thousands(first),
            thousands(first + shown - 1),
            thousands(n)
        ),
        (ViewCount::Exact(n), _) => format!("{} in this view", thousands(n)),
        (ViewCount::Unknown, Some(first)) if shown > 0 => format!(
            "{}–{} of many (too many to count quickly)",
            thousands(first),
            thousands(first + shown - 1)
        ),
        (ViewCount::AtLeast(n), Some(first)) if shown > 0 => format!(
            "{}–{} of at least {}",
            thousands(first),
            thousands(first + shown - 1),
            thousands(n.max(first + shown - 1))
        ),
        (ViewCount::AtLeast(n), _) => format!("At least {} in this view", thousands(n)),
        (ViewCount::Unknown, _) => "Too many to count quickly".into(),
    }
}

/// A view's count in a list of views: "2,069", "12,000+" or "many".
pub(super) fn count_text(count: ViewCount) -> String {
    match count {
        ViewCount::Exact(n) => thousands(n),
        ViewCount::AtLeast(n) => format!("{}+", thousands(n)),
        ViewCount::Unknown => "many".into(),
    }
}

fn bulk_notice(edit: BulkEdit, query: &QueueQuery, now: OffsetDateTime) -> BulkNotice {
    let undoable = edit.undoable(now);
    BulkNotice {
        undo_url: undoable.then(|| format!("/staff/queue/bulk/{}/undo", edit.id)),
        undo_seconds: UNDO_WINDOW.whole_seconds(),
        undo_note: edit.undo_note,
        summary: if edit.summary.is_empty() {
            vec![format!(
                "Nothing changed{}.",
                if query.q.is_empty() {
                    ""
                } else {
                    " in this search"
                }
            )]
        } else {
            edit.summary
        },
    }
}

/// The view's query string without `?`: what a saved view stores.
pub(super) fn view_query_string(q: &QueueQuery) -> String {
    view_url(q)
        .strip_prefix("/staff/queue")
        .unwrap_or_default()
        .trim_start_matches('?')
        .to_string()
}

/// The queue URL for a view; empty values are left out.
pub fn view_url(q: &QueueQuery) -> String {
    view_url_at("/staff/queue", q)
}

/// The view's URL under another path (the API's list of tickets).
pub fn view_url_at(base: &str, q: &QueueQuery) -> String {
    with_query(
        base,
        &[
            ("status", &q.status),
            ("code", &q.code),
            ("priority", &q.priority),
            ("assignee", &q.assignee),
            ("environment", &q.environment),
            ("tool", &q.tool),
            ("from", &q.from),
            ("to", &q.to),
            ("q", &q.q),
            ("sort", &q.sort),
            ("after", &q.after),
            ("at", &q.at),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_range_says_where_the_page_sits_and_how_sure_the_total_is() {
        assert_eq!(
            range_text(Some(1), 50, ViewCount::Exact(2_069)),
            "1–50 of 2,069"
        );
        assert_eq!(
            range_text(Some(51), 19, ViewCount::Exact(69)),
            "51–69 of 69"
        );
        assert_eq!(range_text(Some(1), 0, ViewCount::Exact(0)), "No tickets");
        assert_eq!(
            range_text(None, 50, ViewCount::Exact(300)),
            "300 in this view"
        );
        assert_eq!(
            range_text(Some(1), 50, ViewCount::AtLeast(12_000)),
            "1–50 of at least 12,000"
        );
        assert_eq!(
            range_text(Some(1), 50, ViewCount::Unknown),
            "1–50 of many (too many to count quickly)"
        );
        assert_eq!(count_text(ViewCount::AtLeast(12_000)), "12,000+");
        assert_eq!(count_text(ViewCount::Unknown), "many");
    }
}
