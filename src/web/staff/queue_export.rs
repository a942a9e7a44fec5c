//! The queue's view as CSV: every page of it, streamed.

use axum::body::Body;
use axum::extract::{RawQuery, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use time::OffsetDateTime;

use super::queue::{Retries, View, render_queue};
use super::session::CurrentStaff;
use crate::error::Result;
use crate::kb::KnowledgeBase;
use crate::store::{BudgetError, QueuePage as Page};
use crate::tickets::Ticket;
use crate::tickets::export::{CSV_HEADER, csv_line, ticket_csv_line};
use crate::tickets::queue::{QueueFilter, QueueQuery};
use crate::web::AppState;
use crate::web::csrf::CsrfToken;

/// Tickets read per database round trip while exporting.
const EXPORT_BATCH: i64 = 1_000;

/// The whole view (every page) as CSV, streamed in batches so a large export
/// never sits in memory. The first batch is read before answering, so a view
/// too broad to read gets the queue page saying so, not a broken download.
pub(super) async fn export_csv(
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
            return render_queue(&state, me, csrf, view, Retries::default(), now).await;
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
