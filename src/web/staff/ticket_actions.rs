//! The single actions on a staff ticket: one command each ("Assign to me",
//! merge, split, a problem's answer, and the older one-field posts the
//! page's composer replaced, still served for links and scripts). Each is
//! a form POST: its values become a workflow command, applied through the
//! store, answered with a 303 back to the page, or with the page again (422)
//! keeping what was typed, in the composer, and a message beside the field
//! when the form or the rules refuse it. The composer itself, several
//! commands in one submit, is `workspace`.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use axum::{Form, Router};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use time::OffsetDateTime;

use super::session::CurrentStaff;
use super::ticket::{Kept, Shown, page, ticket_id};
use crate::error::{AppError, Result};
use crate::staff::StaffMember;
use crate::tickets::composer::Kind;
use crate::tickets::workflow::{AfterReply, Command, CommandKind, Request, permitted};
use crate::tickets::{EventBody, FieldErrors, Priority, Refusal, TicketStatus, parse_reference};
use crate::web::AppState;
use crate::web::actions::{apply, staff_actor};
use crate::web::csrf::CsrfToken;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/staff/tickets/{id}/assign", post(act::<AssignForm>))
        .route("/staff/tickets/{id}/priority", post(act::<PriorityForm>))
        .route("/staff/tickets/{id}/status", post(act::<StatusForm>))
        .route("/staff/tickets/{id}/notes", post(act::<NoteForm>))
        .route("/staff/tickets/{id}/replies", post(act::<ReplyForm>))
        .route("/staff/tickets/{id}/merge", post(act::<MergeForm>))
        .route("/staff/tickets/{id}/split", post(act::<SplitForm>))
        .route("/staff/tickets/{id}/problem-answer", post(answer_problem))
}

/// One action's form.
trait ActionForm: DeserializeOwned + Send + 'static {
    /// Checked against the staff member's role before the form is read.
    const KIND: CommandKind;
    /// The confirmation the page shows after the 303 (`?done=`).
    const DONE: &'static str;
    /// The field a mistake or a refusal is shown beside.
    const FIELD: &'static str;

    /// What was typed, to show again if the action is refused.
    fn keep(&self) -> Kept;

    /// The command the form asks for, or why its values make none.
    fn command(self, me: &StaffMember) -> std::result::Result<Command, String>;
}

/// Parse the form, apply its command, then 303 back to the page, or the
/// page again (422) with the message beside the form's field.
async fn act<F: ActionForm>(
    State(state): State<AppState>,
    CurrentStaff(me): CurrentStaff,
    csrf: CsrfToken,
    Path(id): Path<String>,
    Form(form): Form<F>,
) -> Result<Response> {
    let id = ticket_id(&id)?;
    let actor = staff_actor(&me);
    permitted(actor, F::KIND).map_err(|_| AppError::Forbidden)?;
    let kept = form.keep();
    let problem = match form.command(&me) {
        Err(problem) => problem,
        Ok(command) => {
            let request = Request {
                ticket: id,
                actor,
                command,
                at: OffsetDateTime::now_utc(),
            };
            match apply(&state, request).await? {
                Ok(outcome) => {
                    let done = if outcome.changed() {
                        F::DONE
                    } else {
                        "unchanged"
                    };
                    let to = format!("/staff/tickets/{id}?done={done}");
                    return Ok(Redirect::to(&to).into_response());
                }
                Err(refusal) => refusal.message(),
            }
        }
    };
    let mut errors = FieldErrors::default();
    errors.add(F::FIELD, problem);
    let shown = Shown {
        kept,
        errors,
        ..Shown::default()
    };
    let html = page(&state, me, csrf, id, shown).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, html).into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct AssignForm {
    /// `me`, `none`, or a staff id.
    assignee: String,
}

impl ActionForm for AssignForm {
    const KIND: CommandKind = CommandKind::Assign;
    const DONE: &'static str = "assigned";
    const FIELD: &'static str = "assignee";

    fn keep(&self) -> Kept {
        Kept {
            assignee: Some(self.assignee.trim().to_string()),
            ..Kept::default()
        }
    }

    fn command(self, me: &StaffMember) -> std::result::Result<Command, String> {
        let to = match self.assignee.trim() {
            "me" => Some(me.id),
            "none" => None,
            other => Some(
                other
                    .parse::<i64>()
                    .map_err(|_| Refusal::UnknownAssignee.message())?,
            ),
        };
        Ok(Command::Assign { to })
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct PriorityForm {
    priority: String,
}

impl ActionForm for PriorityForm {
    const KIND: CommandKind = CommandKind::SetPriority;
    const DONE: &'static str = "priority";
    const FIELD: &'static str = "priority";

    fn keep(&self) -> Kept {
        Kept {
            priority: Some(self.priority.clone()),
            ..Kept::default()
        }
    }

    fn command(self, _: &StaffMember) -> std::result::Result<Command, String> {
        Priority::parse(&self.priority)
            .map(|to| Command::SetPriority { to })
            .ok_or_else(|| "Choose urgent, high, normal or low.".into())
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct StatusForm {
    status: String,
}

impl ActionForm for StatusForm {
    const KIND: CommandKind = CommandKind::SetStatus;
    const DONE: &'static str = "status";
    const FIELD: &'static str = "status";

    fn keep(&self) -> Kept {
        Kept {
            status: Some(self.status.clone()),
            ..Kept::default()
        }
    }

    fn command(self, _: &StaffMember) -> std::result::Result<Command, String> {
        TicketStatus::parse(self.status.trim())
            .map(|to| Command::SetStatus { to })
            .ok_or_else(|| "Choose a status from the list.".into())
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct NoteForm {
    note: String,
}

impl ActionForm for NoteForm {
    const KIND: CommandKind = CommandKind::Note;
    const DONE: &'static str = "note";
    const FIELD: &'static str = "text";

    fn keep(&self) -> Kept {
        Kept {
            text: self.note.clone(),
            kind: Some(Kind::Note),
            ..Kept::default()
        }
    }

    fn command(self, _: &StaffMember) -> std::result::Result<Command, String> {
        EventBody::parse(&self.note).map(|body| Command::Note { body })
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ReplyForm {
    reply: String,
    /// Present when "waiting on the requester" is ticked.
    waiting: Option<String>,
}

impl ActionForm for ReplyForm {
    const KIND: CommandKind = CommandKind::Reply;
    const DONE: &'static str = "reply";
    const FIELD: &'static str = "text";

    fn keep(&self) -> Kept {
        Kept {
            text: self.reply.clone(),
            kind: Some(Kind::Reply),
            status: self.waiting.is_some().then(|| "waiting".to_string()),
            ..Kept::default()
        }
    }

    fn command(self, _: &StaffMember) -> std::result::Result<Command, String> {
        EventBody::parse(&self.reply).map(|body| Command::Reply {
            body,
            then: if self.waiting.is_some() {
                AfterReply::WaitOnRequester
            } else {
                AfterReply::Stay
            },
        })
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct MergeForm {
    /// A reference (APD-000123) or an id.
    into: String,
}

impl ActionForm for MergeForm {
    const KIND: CommandKind = CommandKind::Merge;
    const DONE: &'static str = "merged";
    const FIELD: &'static str = "merge";

    fn keep(&self) -> Kept {
        Kept {
            merge: self.into.clone(),
            ..Kept::default()
        }
    }

    fn command(self, _: &StaffMember) -> std::result::Result<Command, String> {
        parse_reference(&self.into)
            .map(|into| Command::Merge { into })
            .ok_or_else(|| {
                "Give the ticket to merge into by its reference, e.g. APD-000123.".into()
            })
    }
}

/// "Split this ticket out of its problem": nothing to fill in.
#[derive(Debug, Default, Deserialize)]
struct SplitForm {}

impl ActionForm for SplitForm {
    const KIND: CommandKind = CommandKind::SplitOut;
    const DONE: &'static str = "split";
    const FIELD: &'static str = "problem";

    fn keep(&self) -> Kept {
        Kept::default()
    }

    fn command(self, _: &StaffMember) -> std::result::Result<Command, String> {
        Ok(Command::SplitOut)
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ProblemAnswerForm {
    problem_reply: String,
}

/// One answer to a whole problem, from its lead's page: the lead and each
/// folded member still unsettled get it as a reply that resolves them, each
/// through the workflow on its own (each requester sees their own ticket
/// and this reply, nothing of the others). A member on its own row is
/// left to be answered on its own: its requester wrote something since.
async fn answer_problem(
    State(state): State<AppState>,
    CurrentStaff(me): CurrentStaff,
    csrf: CsrfToken,
    Path(id): Path<String>,
    Form(form): Form<ProblemAnswerForm>,
) -> Result<Response> {
    let id = ticket_id(&id)?;
    let actor = staff_actor(&me);
    permitted(actor, CommandKind::Reply).map_err(|_| AppError::Forbidden)?;
    let ticket = state
        .store
        .ticket_by_id(id)
        .await?
        .ok_or(AppError::NotFound)?;
    let leads = match ticket.problem_id {
        Some(problem) => state
            .store
            .problem(problem)
            .await?
            .is_some_and(|p| p.lead_id == id),
        None => false,
    };
    let problem = if !leads {
        "This ticket no longer leads a problem: answer it with the reply form.".to_string()
    } else {
        match EventBody::parse(&form.problem_reply) {
            Err(problem) => problem,
            Ok(body) => {
                // Only tickets still unsettled: a second press (a double
                // click, a reload) answers no one twice.
                let mut tickets = Vec::new();
                if !matches!(ticket.status, TicketStatus::Resolved | TicketStatus::Closed)
                    && ticket.merged_into_id.is_none()
                {
                    tickets.push(id);
                }
                tickets.extend(state.store.folded_members(&[id], true).await?);
                let at = OffsetDateTime::now_utc();
                let requests: Vec<Request> = tickets
                    .into_iter()
                    .map(|ticket| Request {
                        ticket,
                        actor,
                        command: Command::Reply {
                            body: body.clone(),
                            then: AfterReply::Resolve,
                        },
                        at,
                    })
                    .collect();
                let outcomes = state
                    .store
                    .apply_each(&requests, &state.config.response_targets)
                    .await?;
                let answered = outcomes
                    .iter()
                    .filter(|o| o.as_ref().is_ok_and(|o| o.changed()))
                    .count();
                tracing::info!(ticket = id, answered, by = me.id, "problem answered");
                let to = format!("/staff/tickets/{id}?done=problem&answered={answered}");
                return Ok(Redirect::to(&to).into_response());
            }
        }
    };
    let mut errors = FieldErrors::default();
    errors.add("problem_reply", problem);
    let shown = Shown {
        kept: Kept {
            problem_reply: form.problem_reply,
            ..Kept::default()
        },
        errors,
        ..Shown::default()
    };
    let html = page(&state, me, csrf, id, shown).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, html).into_response())
}
