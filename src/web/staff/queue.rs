//! The triage queue page.

use askama::Template;
use axum::Router;
use axum::body::Body;
use axum::extract::{RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use futures_util::StreamExt;
use time::OffsetDateTime;

use super::session::CurrentStaff;
use crate::domain::ErrorCode;
use crate::error::Result;
use crate::kb::KnowledgeBase;
use crate::staff::StaffMember;
use crate::store::{BudgetError, QueuePage as Page, QueueRow};
use crate::tickets::export::{CSV_HEADER, csv_line, ticket_csv_line};
use crate::tickets::queue::{MAX_SEARCH_CHARS, PAGE_SIZE, QueueFilter, QueueQuery, Sort};
use crate::tickets::workflow::{Command, Request};
use crate::tickets::{Environment, Priority, TicketStatus, Tool};
use crate::tickets::{Ticket, reference_for};
use crate::web::AppState;
use crate::web::actions::staff_actor;
use crate::web::csrf::CsrfToken;
use crate::web::form_pairs::FormPairs;
use crate::web::format::{age, due, first_line};
use crate::web::links::with_query;
use crate::web::render::render;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/staff/queue", get(queue))
        .route("/staff/queue.csv", get(export_csv))
        .route("/staff/queue/bulk", post(bulk))
}

/// At most this many tickets change in one bulk action (two queue pages).
const MAX_BULK: usize = 100;
/// Tickets read per database round trip while exporting.
const EXPORT_BATCH: i64 = 1_000;

/// A queue row as the page shows it.
struct Row {
    row: QueueRow,
    first_line: String,
    age: String,
    due: Option<(String, bool)>,
    grouped: Grouped,
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

#[derive(Template)]
#[template(path = "staff/queue.html")]
struct QueuePage {
    bulk_notice: Option<String>,
    /// What was changed or left out of the query string, for the agent.
    notes: Vec<String>,
    /// The view needed more than the query budget and was stopped.
    too_broad: bool,
    max_search: usize,
    export_url: String,
    /// This view, to come back to after a bulk action.
    back_url: String,
    me: StaffMember,
    csrf: CsrfToken,
    query: QueueQuery,
    rows: Vec<Row>,
    counts: Vec<(TicketStatus, i64, String)>,
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
    let (query, notes) = QueueQuery::read(raw.as_deref().unwrap_or_default());
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
    render_queue(&state, me, csrf, view, now).await
}

/// What a queue page shows: the view asked for, what in its address was
/// not understood, and what was read of it.
struct View {
    query: QueueQuery,
    notes: Vec<String>,
    page: Page,
    /// The read was stopped for its budget, so `page` is empty.
    too_broad: bool,
}

/// The queue page for a view and what was read of it. A view stopped for
/// its budget comes back 422, like a form with a mistake, with the view
/// kept so the agent can narrow it.
async fn render_queue(
    state: &AppState,
    me: StaffMember,
    csrf: CsrfToken,
    view: View,
    now: OffsetDateTime,
) -> Result<Response> {
    let View {
        query,
        notes,
        page,
        too_broad,
    } = view;
    let bulk_notice = bulk_notice(&query.bulk);
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
            (status, count, url)
        })
        .collect();
    let next_url = page.next.map(|cursor| {
        view_url(&QueueQuery {
            after: cursor.encode(),
            ..query.clone()
        })
    });
    let first_url = (!query.after.is_empty()).then(|| {
        view_url(&QueueQuery {
            after: String::new(),
            ..query.clone()
        })
    });
    let rows = page
        .rows
        .into_iter()
        .map(|row| Row {
            first_line: first_line(&row.message_start),
            age: age(row.created_at, now),
            due: (row.first_response_at.is_none()
                && matches!(row.status, TicketStatus::New | TicketStatus::Open))
            .then_some(row.due_at)
            .flatten()
            .map(|at| due(at, now)),
            grouped: Grouped::of(&row, now),
            row,
        })
        .collect();
    let export_url = view_url(&QueueQuery {
        after: String::new(),
        ..query.clone()
    })
    .replacen("/staff/queue", "/staff/queue.csv", 1);
    let back_url = view_url(&query);
    let page = QueuePage {
        bulk_notice,
        notes,
        too_broad,
        max_search: MAX_SEARCH_CHARS,
        export_url,
        back_url,
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
    let status = if too_broad {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok((status, render(&page)?).into_response())
}

/// "Updated 3 tickets; 1 could not change." from `bulk=3,1`.
fn bulk_notice(param: &str) -> Option<String> {
    // Not a bulk outcome: the ticket page's "then next ticket" found none.
    if param == "last" {
        return Some("That was the last ticket in this view.".into());
    }
    let (changed, skipped) = param.split_once(',')?;
    let (changed, skipped): (usize, usize) = (changed.parse().ok()?, skipped.parse().ok()?);
    if changed == 0 && skipped == 0 {
        return Some("Nothing changed: tick the boxes beside the tickets first.".into());
    }
    let plural = |n: usize| if n == 1 { "ticket" } else { "tickets" };
    let mut text = format!("Updated {changed} {}.", plural(changed));
    if skipped > 0 {
        text.push_str(&format!(
            " {skipped} {} did not change (already like that, or the status rules do not allow it).",
            plural(skipped)
        ));
    }
    Some(text)
}

/// Gives one command to each selected ticket (and each ticket folded under
/// a selected problem's row), each through the same path as the ticket
/// page, then returns to the view it came from.
async fn bulk(
    State(state): State<AppState>,
    CurrentStaff(me): CurrentStaff,
    body: String,
) -> Result<Response> {
    let form = FormPairs::parse(&body);
    let field = |name: &str| form.first(name);
    let mut ids: Vec<i64> = form
        .all("ids", usize::MAX)
        .iter()
        .filter_map(|v| v.parse().ok())
        .collect();
    ids.sort_unstable();
    ids.dedup();
    ids.truncate(MAX_BULK);
    let back = field("back");
    let back = if back.starts_with("/staff/queue") && !back.starts_with("/staff/queue.") {
        back
    } else {
        "/staff/queue"
    };
    let command = match field("action") {
        "assign" => match field("assign_to") {
            "me" => Some(Command::Assign { to: Some(me.id) }),
            "none" => Some(Command::Assign { to: None }),
            id => id.parse().ok().map(|id| Command::Assign { to: Some(id) }),
        },
        "status" => TicketStatus::parse(field("status_to")).map(|to| Command::SetStatus { to }),
        "priority" => Priority::parse(field("priority_to")).map(|to| Command::SetPriority { to }),
        _ => None,
    };
    let (mut changed, mut skipped) = (0, 0);
    if let Some(command) = command {
        // A problem's row stands for the problem: what is done to it is
        // done to its folded members too.
        let members = state.store.folded_members(&ids, false).await?;
        ids.extend(members);
        let at = OffsetDateTime::now_utc();
        let requests: Vec<Request> = ids
            .iter()
            .map(|&ticket| Request {
                ticket,
                actor: staff_actor(&me),
                command: command.clone(),
                at,
            })
            .collect();
        let outcomes = state
            .store
            .apply_each(&requests, &state.config.response_targets)
            .await?;
        for outcome in outcomes {
            match outcome {
                Ok(outcome) if outcome.changed() => changed += 1,
                // Refused here (a missing ticket included) is one left out,
                // counted in the notice, not a failed page.
                Ok(_) | Err(_) => skipped += 1,
            }
        }
    } else {
        skipped = ids.len();
    }
    let separator = if back.contains('?') { '&' } else { '?' };
    Ok(Redirect::to(&format!("{back}{separator}bulk={changed},{skipped}")).into_response())
}

/// The whole view (every page) as CSV, streamed in batches so a large export
/// never sits in memory. The first batch is read before answering, so a view
/// too broad to read gets the queue page saying so, not a broken download.
async fn export_csv(
    State(state): State<AppState>,
    CurrentStaff(me): CurrentStaff,
    csrf: CsrfToken,
    RawQuery(raw): RawQuery,
) -> Result<Response> {
    let (query, notes) = QueueQuery::read(raw.as_deref().unwrap_or_default());
    let mut filter = query.filter();
    filter.after = None;
    let now = OffsetDateTime::now_utc();
    let budget = state.config.staff_query_budget.0;
    let store = state.store.clone();
    let first = match store
        .export_batch(&filter, me.id, now, EXPORT_BATCH, budget)
        .await
    {
        Ok(batch) => batch,
        Err(BudgetError::OverBudget) => {
            let view = View {
                query: QueueQuery {
                    after: String::new(),
                    ..query
                },
                notes,
                page: Page {
                    rows: Vec::new(),
                    next: None,
                },
                too_broad: true,
            };
            return render_queue(&state, me, csrf, view, now).await;
        }
        Err(BudgetError::Database(err)) => return Err(err.into()),
    };
    let mut head = csv_line(&CSV_HEADER);
    // One version of the content for the whole export, however long it takes.
    let kb = state.kb.get();
    head.push_str(&csv_lines(&kb, &first.0));
    let me = me.id;
    let rest = futures_util::stream::unfold(next_batch(filter, first.1), move |filter| {
        let store = store.clone();
        let kb = kb.clone();
        async move {
            let filter = filter?;
            match store
                .export_batch(&filter, me, now, EXPORT_BATCH, budget)
                .await
            {
                Ok((tickets, next)) => {
                    Some((Ok(csv_lines(&kb, &tickets)), next_batch(filter, next)))
                }
                Err(err) => {
                    // Headers are gone: all that is left is to cut the
                    // download short, which the browser reports as failed.
                    tracing::error!(%err, "export failed part-way");
                    Some((Err(std::io::Error::other(err)), None))
                }
            }
        }
    });
    // Fused: the compression layer polls the body once more after its end
    // (for trailers), and an unfused `unfold` panics when polled again.
    let body = futures_util::stream::once(std::future::ready(Ok::<_, std::io::Error>(head)))
        .chain(rest)
        .fuse();
    let filename = format!(
        "attachment; filename=\"apidesk-tickets-{}.csv\"",
        now.date()
    );
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, filename),
        ],
        Body::from_stream(body),
    )
        .into_response())
}

/// The filter for the batch after `cursor`, if there is one.
fn next_batch(
    filter: QueueFilter,
    cursor: Option<crate::tickets::queue::Cursor>,
) -> Option<QueueFilter> {
    cursor.map(|cursor| QueueFilter {
        after: Some(cursor),
        ..filter
    })
}

fn csv_lines(kb: &KnowledgeBase, tickets: &[(Ticket, Option<String>)]) -> String {
    tickets
        .iter()
        .map(|(ticket, assignee)| {
            // Checks stored under an earlier step id are exported as the
            // step that replaced it, like on the ticket pages.
            let tree = kb.tree(ticket.details.error_code);
            let mut checks: Vec<&str> = Vec::new();
            for id in &ticket.details.path {
                let id = tree.current_id(id).unwrap_or(id);
                if !checks.contains(&id) {
                    checks.push(id);
                }
            }
            ticket_csv_line(ticket, assignee.as_deref(), &checks.join(","))
        })
        .collect()
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
        ],
    )
}
