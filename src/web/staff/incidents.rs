//! Known incidents, for staff: declare one (what is affected, which codes,
//! since when), see the tickets filed while it lasts, and end it, answering
//! them all at once with one reply that reaches each ticket on its own.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use time::OffsetDateTime;

use super::session::CurrentStaff;
use crate::domain::{ErrorCode, human_time_in};
use crate::error::{AppError, Result};
use crate::staff::StaffMember;
use crate::tickets::incident::{Incident, IncidentInput};
use crate::tickets::workflow::{AfterReply, Command, Request};
use crate::tickets::{EventBody, FieldErrors, reference_for};
use crate::web::AppState;
use crate::web::actions::{apply, staff_actor};
use crate::web::csrf::CsrfToken;
use crate::web::form_pairs::FormPairs;
use crate::web::render::render;

/// Ended incidents listed below the open ones.
const ENDED_SHOWN: u32 = 20;
/// Linked tickets listed per incident, and answered at its end.
const TICKETS_SHOWN: u32 = 500;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/staff/incidents", get(page).post(declare))
        .route("/staff/incidents/{id}/end", post(end))
}

/// One incident as the page lists it.
struct IncidentRow {
    incident: Incident,
    started: String,
    ended: Option<String>,
    /// Linked tickets: (id, reference), and how many in all.
    tickets: Vec<(i64, String)>,
    ticket_count: i64,
}

#[derive(Template)]
#[template(path = "staff/incidents.html")]
struct IncidentsPage {
    me: StaffMember,
    csrf: CsrfToken,
    rows: Vec<IncidentRow>,
    codes: [ErrorCode; 21],
    /// The declaration form as typed, and its mistakes.
    title: String,
    affected: String,
    ticked: Vec<String>,
    started_at: String,
    errors: FieldErrors,
    flash: Option<String>,
    /// An end's reply that was refused, kept for the incident it was for.
    reply: Option<(i64, String)>,
}

impl IncidentsPage {
    fn error(&self, field: &str) -> Option<&str> {
        self.errors.get(field)
    }

    fn is_ticked(&self, code: &ErrorCode) -> bool {
        self.ticked.iter().any(|t| t == code.as_str())
    }

    /// The reply typed for ending `id`, when it came back refused.
    fn reply_for(&self, id: &i64) -> &str {
        match &self.reply {
            Some((for_id, text)) if for_id == id => text,
            _ => "",
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct PageQuery {
    declared: Option<String>,
    ended: Option<String>,
    replied: Option<u32>,
}

async fn view(
    state: &AppState,
    me: StaffMember,
    csrf: CsrfToken,
    form: IncidentInput,
    errors: FieldErrors,
) -> Result<IncidentsPage> {
    let mut rows = Vec::new();
    for incident in state.store.recent_incidents(ENDED_SHOWN).await? {
        let (ids, ticket_count) = state.store.incident_tickets(incident.id, 50).await?;
        rows.push(IncidentRow {
            started: human_time_in(incident.started_at, &me.time_zone),
            ended: incident.ended_at.map(|at| human_time_in(at, &me.time_zone)),
            tickets: ids.into_iter().map(|id| (id, reference_for(id))).collect(),
            ticket_count,
            incident,
        });
    }
    Ok(IncidentsPage {
        rows,
        codes: ErrorCode::ALL,
        title: form.title,
        affected: form.affected,
        ticked: form.codes,
        started_at: form.started_at,
        errors,
        flash: None,
        reply: None,
        me,
        csrf,
    })
}

async fn page(
    State(state): State<AppState>,
    CurrentStaff(me): CurrentStaff,
    csrf: CsrfToken,
    Query(query): Query<PageQuery>,
) -> Result<Response> {
    let mut page = view(
        &state,
        me,
        csrf,
        IncidentInput::default(),
        FieldErrors::default(),
    )
    .await?;
    page.flash = if query.declared.is_some() {
        Some("Incident declared: the start page and the affected checks now say so first.".into())
    } else if query.ended.is_some() {
        Some(match query.replied {
            Some(n) if n > 0 => format!("Incident ended; your reply went to {n} tickets."),
            _ => "Incident ended.".into(),
        })
    } else {
        None
    };
    Ok(render(&page)?.into_response())
}

/// The declaration form, read by hand: each ticked code is its own `codes`
/// pair, which a struct cannot collect.
fn incident_input(body: &str, me: &StaffMember) -> IncidentInput {
    let form = FormPairs::parse(body);
    IncidentInput {
        title: form.first("title").to_string(),
        affected: form.first("affected").to_string(),
        codes: form.all("codes", ErrorCode::ALL.len()),
        started_at: form.first("started_at").to_string(),
        time_zone: me.time_zone.name().to_string(),
    }
}

async fn declare(
    State(state): State<AppState>,
    CurrentStaff(me): CurrentStaff,
    csrf: CsrfToken,
    body: String,
) -> Result<Response> {
    let form = incident_input(&body, &me);
    let now = OffsetDateTime::now_utc();
    match form.validate(now) {
        Ok(incident) => {
            let id = state.store.declare_incident(&incident, me.id, now).await?;
            tracing::info!(incident = id, by = me.id, "incident declared");
            Ok(Redirect::to("/staff/incidents?declared=1").into_response())
        }
        Err(errors) => {
            let page = view(&state, me, csrf, form, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct EndForm {
    /// One reply for every ticket filed during the incident; may be empty.
    reply: String,
}

/// Ends the incident, then answers its tickets: the same reply, given to
/// each ticket through the workflow on its own (its requester sees only
/// their own ticket and this reply, nothing of the others).
async fn end(
    State(state): State<AppState>,
    CurrentStaff(me): CurrentStaff,
    csrf: CsrfToken,
    Path(id): Path<i64>,
    axum::Form(form): axum::Form<EndForm>,
) -> Result<Response> {
    let reply = if form.reply.trim().is_empty() {
        None
    } else {
        match EventBody::parse(&form.reply) {
            Ok(body) => Some(body),
            Err(problem) => {
                let mut errors = FieldErrors::default();
                errors.add("reply", problem);
                let mut page = view(&state, me, csrf, IncidentInput::default(), errors).await?;
                page.reply = Some((id, form.reply));
                return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response());
            }
        }
    };
    let now = OffsetDateTime::now_utc();
    if !state.store.end_incident(id, me.id, now).await? {
        return Err(AppError::NotFound);
    }
    tracing::info!(incident = id, by = me.id, "incident ended");
    let mut replied = 0_u32;
    if let Some(body) = reply {
        let (tickets, _) = state.store.incident_tickets(id, TICKETS_SHOWN).await?;
        for ticket in tickets {
            let request = Request {
                ticket,
                actor: staff_actor(&me),
                command: Command::Reply {
                    body: body.clone(),
                    then: AfterReply::Stay,
                },
                at: OffsetDateTime::now_utc(),
            };
            // A ticket closed or merged meanwhile is left as it is.
            if let Ok(outcome) = apply(&state, request).await? {
                replied += u32::from(outcome.changed());
            }
        }
    }
    Ok(Redirect::to(&format!("/staff/incidents?ended={id}&replied={replied}")).into_response())
}
