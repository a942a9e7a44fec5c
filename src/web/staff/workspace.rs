//! The ticket page as a workspace: its composer (a reply or a note with the
//! status, priority and assignee, applied together by one submit), the
//! queue view it was opened from and the next ticket in it, the canned
//! replies it offers, the requester's other tickets, and who else has it
//! open. `ticket::page` shows what this file gathers.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use serde::Deserialize;
use time::{Duration, OffsetDateTime};

use super::queue::view_url;
use super::session::CurrentStaff;
use super::ticket::{Kept, Shown, page, ticket_id};
use crate::attachments::{Held, Via};
use crate::error::{AppError, Result};
use crate::staff::StaffMember;
use crate::store::{BudgetError, SeenUpTo, Together};
use crate::tickets::composer::{self, Fields, Kind, cursor_after};
use crate::tickets::macros::{Macro, Placeholders, StepMacro, step_macros};
use crate::tickets::queue::QueueQuery;
use crate::tickets::workflow::{Command, Request};
use crate::tickets::{FieldErrors, Priority, Refusal, Ticket, TicketStatus};
use crate::web::AppState;
use crate::web::actions::staff_actor;
use crate::web::csrf::CsrfToken;
use crate::web::links::with_query;
use crate::web::uploads::{FilesForm, Sender, take_files};

pub(super) fn router() -> Router<AppState> {
    Router::new().route("/staff/tickets/{id}/compose", post(compose))
}

/// Others who opened a ticket this recently are named on it.
pub(super) const VIEWERS_WITHIN: Duration = Duration::minutes(10);
/// How many of the requester's other tickets the page lists.
pub(super) const OTHER_TICKETS_SHOWN: u32 = 10;

/// The queue view a ticket page was opened from: its filters and sort,
/// without a page cursor (the ticket itself says where it stands).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct InView {
    pub(super) query: QueueQuery,
    /// The view's own address, `/staff/queue?…`: what the `view` parameter
    /// carries, and where "back to the view" goes.
    pub(super) url: String,
}

impl InView {
    /// Reads a `view` parameter: the view's address or only its query
    /// string, cleaned as the queue cleans it. `None` when there is none.
    pub(super) fn read(param: &str) -> Option<Self> {
        let param = param.trim();
        if param.is_empty() {
            return None;
        }
        let raw = param.strip_prefix("/staff/queue").unwrap_or(param);
        let raw = raw.strip_prefix('?').unwrap_or(raw);
        let (mut query, _) = QueueQuery::read(raw);
        query.after.clear();
        query.bulk.clear();
        Some(Self {
            url: view_url(&query),
            query,
        })
    }

    /// A ticket's page opened from this view.
    pub(super) fn ticket_url(&self, id: i64) -> String {
        with_query(&format!("/staff/tickets/{id}"), &[("view", &self.url)])
    }

    /// Back to the view, saying the last ticket in it was just worked.
    fn ended_url(&self) -> String {
        let joiner = if self.url.contains('?') { '&' } else { '?' };
        format!("{}{joiner}bulk=last", self.url)
    }
}

/// The ticket after this one in the view, skipping the ticket itself (it
/// may have moved further down the view by what was just done to it).
/// `ticket` is as it stood when its page was shown. `None` when it is the
/// last, or the view is too broad to read within the budget.
pub(super) async fn next_in_view(
    state: &AppState,
    me: &StaffMember,
    ticket: &Ticket,
    view: &InView,
    now: OffsetDateTime,
) -> Result<Option<i64>> {
    let mut filter = view.query.filter();
    filter.after = Some(cursor_after(ticket, filter.sort, now));
    let budget = state.config.staff_query_budget.0;
    match state.store.queue_page(&filter, me.id, now, 2, budget).await {
        Ok(page) => Ok(page.rows.iter().map(|r| r.id).find(|id| *id != ticket.id)),
        Err(BudgetError::OverBudget) => Ok(None),
        Err(BudgetError::Database(e)) => Err(e.into()),
    }
}

/// What the composer sent.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ComposeForm {
    text: String,
    /// `reply` or `note`.
    kind: String,
    status: String,
    priority: String,
    /// `none` or a staff id.
    assignee: String,
    /// The status, priority and assignee the form was loaded with.
    was_status: String,
    was_priority: String,
    was_assignee: String,
    /// The newest event the page showed: anything newer by someone else
    /// stops the submit (`Together::Stale`).
    seen: String,
    /// The view the page was opened from.
    view: String,
    /// `next`: go on to the next ticket in the view.
    go: String,
}

fn parse_assignee(value: &str) -> Option<Option<i64>> {
    match value.trim() {
        "none" | "" => Some(None),
        id => id.parse::<i64>().ok().filter(|id| *id > 0).map(Some),
    }
}

/// Applies the composer's commands together, then 303 back to the page (or
/// on to the next ticket in the view); or the page again with what was
/// typed and chosen, and a message beside the field: 422 when refused, 409
/// when someone else acted on the ticket since the form was loaded.
async fn compose(
    State(state): State<AppState>,
    CurrentStaff(me): CurrentStaff,
    csrf: CsrfToken,
    Path(id): Path<String>,
    mut sent: FilesForm,
) -> Result<Response> {
    let id = ticket_id(&id)?;
    let ticket = state
        .store
        .ticket_by_id(id)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut form: ComposeForm = sent.form();
    let held = Held::of(&state.store.ticket_files(id, false).await?);
    let attached = take_files(&state, &mut sent, Via::Staff, Sender::Staff, held).await?;
    form.text = attached.text_or_names(&form.text);
    let view = InView::read(&form.view);
    let kind = Kind::parse(&form.kind);
    let status = TicketStatus::parse(form.status.trim());
    let priority = Priority::parse(&form.priority);
    let assignee = parse_assignee(&form.assignee);
    let current = Fields::of(&ticket);
    let loaded = Fields {
        status: TicketStatus::parse(form.was_status.trim()).unwrap_or(current.status),
        priority: Priority::parse(&form.was_priority).unwrap_or(current.priority),
        assignee: parse_assignee(&form.was_assignee).unwrap_or(current.assignee),
    };
    let mut kept = Kept {
        text: form.text.clone(),
        kind,
        status: Some(form.status.trim().to_string()),
        priority: Some(form.priority.trim().to_string()),
        assignee: Some(form.assignee.trim().to_string()),
        files: attached.kept.clone(),
        ..Kept::default()
    };
    let mut errors = FieldErrors::default();
    if let Some(error) = attached.error() {
        errors.add("files", error);
        return again(&state, me, csrf, id, kept, errors, view, Vec::new()).await;
    }
    if kind.is_none() {
        errors.add("kind", "Choose a public reply or an internal note.");
    }
    if status.is_none() {
        errors.add("status", "Choose a status from the list.");
    }
    if priority.is_none() {
        errors.add("priority", "Choose urgent, high, normal or low.");
    }
    if assignee.is_none() {
        errors.add("assignee", Refusal::UnknownAssignee.message());
    }
    let (Some(kind), Some(status), Some(priority), Some(assignee)) =
        (kind, status, priority, assignee)
    else {
        return again(&state, me, csrf, id, kept, errors, view, Vec::new()).await;
    };
    let chosen = Fields {
        status,
        priority,
        assignee,
    };
    let commands = match composer::plan(&form.text, kind, &loaded, &chosen) {
        Ok(commands) => commands,
        Err(problem) => {
            errors.add(problem.field, problem.message);
            return again(&state, me, csrf, id, kept, errors, view, Vec::new()).await;
        }
    };
    let actor = staff_actor(&me);
    let now = OffsetDateTime::now_utc();
    let requests: Vec<Request> = commands
        .iter()
        .map(|command| Request {
            ticket: id,
            actor,
            command: command.clone(),
            at: now,
        })
        .collect();
    let seen = form
        .seen
        .trim()
        .parse::<i64>()
        .ok()
        .map(|event_id| SeenUpTo {
            staff_id: me.id,
            event_id,
        });
    let together = state
        .store
        .apply_together(
            &requests,
            &state.config.response_targets,
            seen,
            &attached.ids(),
            &state.config.attachments.limits(),
        )
        .await?;
    match together {
        Together::Applied(outcomes) => {
            let changed = outcomes.iter().any(|o| o.changed());
            tracing::info!(
                ticket = id,
                by = me.id,
                commands = commands.len(),
                changed,
                "composer applied"
            );
            let done = if !changed {
                "unchanged"
            } else if commands.iter().any(|c| matches!(c, Command::Reply { .. })) {
                "reply"
            } else if commands.iter().any(|c| matches!(c, Command::Note { .. })) {
                "note"
            } else {
                "updated"
            };
            let to = match (&view, form.go.as_str()) {
                (Some(view), "next") => {
                    match next_in_view(&state, &me, &ticket, view, now).await? {
                        Some(next) => with_query(
                            &format!("/staff/tickets/{next}"),
                            &[("view", &view.url), ("done", "next")],
                        ),
                        None => view.ended_url(),
                    }
                }
                (Some(view), _) => with_query(
                    &format!("/staff/tickets/{id}"),
                    &[("view", &view.url), ("done", done)],
                ),
                (None, _) => format!("/staff/tickets/{id}?done={done}"),
            };
            Ok(Redirect::to(&to).into_response())
        }
        Together::Refused { index, refusal } => {
            let field = match &refusal {
                Refusal::TicketNotFound => return Err(AppError::NotFound),
                Refusal::NotAllowed => return Err(AppError::Forbidden),
                Refusal::StatusChange { .. } | Refusal::Merged { .. } => "status",
                Refusal::UnknownAssignee => "assignee",
                Refusal::FilesFull { .. } => "files",
                _ => commands.get(index).map_or("text", composer::field_of),
            };
            errors.add(field, refusal.message());
            again(&state, me, csrf, id, kept, errors, view, Vec::new()).await
        }
        Together::Stale(newer) => {
            // What the writer left alone follows the ticket as it is now;
            // what they changed, and their text, are kept.
            if chosen.status == loaded.status {
                kept.status = None;
            }
            if chosen.priority == loaded.priority {
                kept.priority = None;
            }
            if chosen.assignee == loaded.assignee {
                kept.assignee = None;
            }
            again(&state, me, csrf, id, kept, errors, view, newer).await
        }
    }
}

/// The page again with what was typed: 409 after someone else's change,
/// 422 for a refusal.
#[allow(clippy::too_many_arguments)]
async fn again(
    state: &AppState,
    me: StaffMember,
    csrf: CsrfToken,
    id: i64,
    kept: Kept,
    errors: FieldErrors,
    view: Option<InView>,
    conflict: Vec<i64>,
) -> Result<Response> {
    let status = if conflict.is_empty() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::CONFLICT
    };
    let shown = Shown {
        kept,
        errors,
        view,
        conflict,
        ..Shown::default()
    };
    let html = page(state, me, csrf, id, shown).await?;
    Ok((status, html).into_response())
}

/// One choice in the canned-reply picker: its text already filled in for
/// this ticket, and what it sets (empty: nothing).
pub(super) struct MacroChoice {
    /// `12` for a shared macro, `step:<id>` for one built from a tree step.
    pub(super) value: String,
    pub(super) title: String,
    pub(super) body: String,
    pub(super) status: String,
    pub(super) priority: String,
}

/// The picker's choices: shared macros, then one per step of the ticket's
/// code, each filled in for this ticket.
pub(super) fn macro_choices(
    shared: &[Macro],
    steps: &[StepMacro],
    values: &Placeholders,
) -> (Vec<MacroChoice>, Vec<MacroChoice>) {
    let shared = shared
        .iter()
        .map(|m| MacroChoice {
            value: m.id.to_string(),
            title: m.title.clone(),
            body: values.fill(&m.body),
            status: m.set_status.map(|s| s.as_str()).unwrap_or_default().into(),
            priority: m
                .set_priority
                .map(|p| p.as_str())
                .unwrap_or_default()
                .into(),
        })
        .collect();
    let steps = steps
        .iter()
        .map(|s| MacroChoice {
            value: format!("step:{}", s.step_id),
            title: if s.tried {
                format!("{} (they tried this)", s.title)
            } else {
                s.title.clone()
            },
            body: values.fill(&s.body),
            status: String::new(),
            priority: String::new(),
        })
        .collect();
    (shared, steps)
}

/// The step macros for a ticket: its code's tree, the path it walked.
pub(super) fn steps_for(state: &AppState, ticket: &Ticket) -> Vec<StepMacro> {
    let kb = state.kb.get();
    let base = state.config.public_url.as_deref().unwrap_or_default();
    step_macros(
        kb.tree(ticket.details.error_code),
        &ticket.details.path,
        base,
    )
}

/// "Sam opened this ticket 2 minutes ago."
pub(super) fn viewer_sentence(name: &str, seen: OffsetDateTime, now: OffsetDateTime) -> String {
    let minutes = (now - seen).whole_minutes().max(0);
    let when = match minutes {
        0 => "just now".to_string(),
        1 => "a minute ago".to_string(),
        n => format!("{n} minutes ago"),
    };
    format!("{name} opened this ticket {when}.")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_view_is_read_from_its_address_or_its_query() {
        let a = InView::read("/staff/queue?status=waiting&sort=age&after=1.2.x.3").unwrap();
        let b = InView::read("status=waiting&sort=age").unwrap();
        assert_eq!(a, b);
        assert_eq!(a.url, "/staff/queue?status=waiting&sort=age");
        assert_eq!(
            a.ticket_url(7),
            "/staff/tickets/7?view=%2Fstaff%2Fqueue%3Fstatus%3Dwaiting%26sort%3Dage"
        );
        assert_eq!(InView::read("/staff/queue").unwrap().url, "/staff/queue");
        assert_eq!(InView::read(" "), None);
        assert_eq!(
            InView::read("/staff/queue").unwrap().ended_url(),
            "/staff/queue?bulk=last"
        );
    }

    #[test]
    fn viewers_are_told_in_minutes() {
        let now = OffsetDateTime::now_utc();
        assert_eq!(
            viewer_sentence("Sam", now - Duration::seconds(20), now),
            "Sam opened this ticket just now."
        );
        assert_eq!(
            viewer_sentence("Sam", now - Duration::seconds(130), now),
            "Sam opened this ticket 2 minutes ago."
        );
    }
}
