//! Bulk edits from the queue, and undoing one.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use time::OffsetDateTime;

use super::queue::{BulkRetry, Retries, show_view};
use super::session::CurrentStaff;
use crate::error::Result;
use crate::tickets::bulk::{BulkChange, Undo};
use crate::tickets::queue::QueueQuery;
use crate::tickets::{Priority, TicketStatus};
use crate::web::AppState;
use crate::web::actions::staff_actor;
use crate::web::csrf::CsrfToken;
use crate::web::form_pairs::FormPairs;

/// At most this many tickets change in one bulk edit (two queue pages).
const MAX_BULK: usize = 100;

/// The queue view a bulk form came from, if it is one: only our own page.
fn back_to(form: &FormPairs) -> &str {
    let back = form.first("back");
    if back.starts_with("/staff/queue") && !back.starts_with("/staff/queue.") {
        back
    } else {
        "/staff/queue"
    }
}

fn with_bulk(back: &str, id: i64) -> String {
    let separator = if back.contains('?') { '&' } else { '?' };
    format!("{back}{separator}bulk={id}")
}

/// Gives the chosen changes to each selected ticket (and each ticket folded
/// under a selected problem's row), through the same rules as the ticket
/// page, then returns to the view, which says what changed. A form with no
/// ticket or no change chosen comes back with the choices kept.
pub(super) async fn bulk(
    State(state): State<AppState>,
    CurrentStaff(me): CurrentStaff,
    csrf: CsrfToken,
    body: String,
) -> Result<Response> {
    let form = FormPairs::parse(&body);
    let field = |name: &str| form.first(name);
    let picked: Vec<String> = if field("all_on_page") == "1" {
        field("page_ids").split(',').map(str::to_string).collect()
    } else {
        form.all("ids", MAX_BULK * 2)
    };
    let mut ids: Vec<i64> = picked
        .iter()
        .filter_map(|v| v.trim().parse().ok())
        .collect();
    ids.sort_unstable();
    ids.dedup();
    ids.truncate(MAX_BULK);
    let change = BulkChange {
        assignee: match field("assign_to") {
            "" => None,
            "me" => Some(Some(me.id)),
            "none" => Some(None),
            id => id.parse().ok().map(Some),
        },
        priority: Priority::parse(field("priority_to")),
        status: TicketStatus::parse(field("status_to")),
    };
    let back = back_to(&form);
    let message = if ids.is_empty() {
        "Tick the tickets to edit first (or “Every ticket on this page”)."
    } else if change.is_empty() {
        "Choose what to change: an assignee, a priority or a status."
    } else {
        ""
    };
    if !message.is_empty() {
        let raw = back.split_once('?').map_or("", |(_, q)| q);
        let (query, notes) = QueueQuery::read(raw);
        let retries = Retries {
            bulk: BulkRetry {
                message: message.into(),
                selected: ids,
                assign_to: field("assign_to").into(),
                priority_to: field("priority_to").into(),
                status_to: field("status_to").into(),
            },
            ..Retries::default()
        };
        return show_view(&state, me, csrf, query, notes, retries).await;
    }
    // A problem's row stands for the problem: what is done to it is done
    // to its folded members too.
    let members = state.store.folded_members(&ids, false).await?;
    ids.extend(members);
    let names: Vec<(i64, String)> = state
        .store
        .active_staff()
        .await?
        .into_iter()
        .map(|s| (s.id, s.name))
        .collect();
    let id = state
        .store
        .apply_bulk(
            staff_actor(&me),
            me.id,
            &ids,
            &change,
            &names,
            &state.config.response_targets,
            OffsetDateTime::now_utc(),
        )
        .await?;
    Ok(Redirect::to(&with_bulk(back, id)).into_response())
}

/// Undoes the person's own bulk edit while its window lasts; the view then
/// says what was put back (or that it was too late).
pub(super) async fn undo(
    State(state): State<AppState>,
    CurrentStaff(me): CurrentStaff,
    Path(id): Path<i64>,
    body: String,
) -> Result<Response> {
    let form = FormPairs::parse(&body);
    let back = back_to(&form);
    let outcome = state
        .store
        .undo_bulk(
            id,
            staff_actor(&me),
            me.id,
            &state.config.response_targets,
            OffsetDateTime::now_utc(),
        )
        .await?;
    match outcome {
        Undo::NotFound => Err(crate::error::AppError::NotFound),
        Undo::Done { .. } | Undo::AlreadyUndone | Undo::TooLate => {
            Ok(Redirect::to(&with_bulk(back, id)).into_response())
        }
    }
}
