//! Tickets over JSON: filing one (the form's fields, rules, redaction and
//! grouping: the same `TicketInput::validate`), reading one or a page of the
//! queue, and the staff actions, through the same workflow as the pages.

use std::time::Duration;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Json, Router};
use serde::Deserialize;
use time::OffsetDateTime;

use super::auth::Caller;
use super::problem::ApiError;
use super::views::{Filed, TicketOut, TicketPage};
use crate::store::ApiFiled;
use crate::tickets::hints::{Reading, hints};
use crate::tickets::queue::{PAGE_SIZE, QueueQuery};
use crate::tickets::workflow::{AfterReply, Command, Request};
use crate::tickets::{EventBody, Priority, Ticket, TicketInput, TicketStatus};
use crate::tokens::{IdempotencyKey, Scope};
use crate::web::AppState;
use crate::web::staff::queue::view_url_at;

/// Database time one page of the list may take (as the queue page's).
const LIST_BUDGET: Duration = Duration::from_secs(2);

pub(super) fn router() -> Router<AppState> {
    use axum::routing::{get, post};
    Router::new()
        .route("/tickets", post(file).get(list))
        .route("/tickets/{id}", get(show))
        .route("/tickets/{id}/assign", post(act::<AssignBody>))
        .route("/tickets/{id}/status", post(act::<StatusBody>))
        .route("/tickets/{id}/priority", post(act::<PriorityBody>))
        .route("/tickets/{id}/notes", post(act::<NoteBody>))
        .route("/tickets/{id}/replies", post(act::<ReplyBody>))
}

/// A new ticket as JSON: the form's fields by the same names, every one a
/// string except `path` (the checks already made, a list of step ids).
/// Unknown fields are refused, so a misspelt one is not silently lost.
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NewTicketBody {
    #[serde(deserialize_with = "text_or_number")]
    pub error_code: String,
    pub message: String,
    pub endpoint: String,
    pub method: String,
    pub occurred_at: String,
    pub time_zone: String,
    pub tool: String,
    pub tool_other: String,
    pub recent_changes: String,
    pub environment: String,
    pub name: String,
    pub email: String,
    pub path: Vec<String>,
}

impl From<NewTicketBody> for TicketInput {
    fn from(body: NewTicketBody) -> Self {
        TicketInput {
            error_code: body.error_code,
            message: body.message,
            endpoint: body.endpoint,
            method: body.method,
            occurred_at: body.occurred_at,
            time_zone: body.time_zone,
            tool: body.tool,
            tool_other: body.tool_other,
            recent_changes: body.recent_changes,
            environment: body.environment,
            name: body.name,
            email: body.email,
            path: body.path.join(","),
            ..TicketInput::default()
        }
    }
}

/// `"429"` or `429`: a code is a number to most callers.
fn text_or_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Either {
        Text(String),
        Number(u64),
    }
    Ok(match Either::deserialize(d)? {
        Either::Text(text) => text,
        Either::Number(n) => n.to_string(),
    })
}

/// Reads a JSON body, as problem documents when it is not one.
fn json_body<T: serde::de::DeserializeOwned>(
    headers: &HeaderMap,
    body: &Bytes,
) -> Result<T, ApiError> {
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .is_some_and(|v| v == "application/json" || v.ends_with("+json"));
    if !is_json {
        return Err(ApiError::BadRequest(
            "Send the body as JSON, with Content-Type: application/json.".into(),
        ));
    }
    serde_json::from_slice(body)
        .map_err(|err| ApiError::BadRequest(format!("The body is not the JSON expected: {err}.")))
}

/// `POST /tickets`: files a ticket for the token (scope `tickets:create`).
/// Credentials are taken out as the form does and listed in `redacted`;
/// what is worth checking first comes back in `hints`. With an
/// `Idempotency-Key`, a retry gets the same ticket.
async fn file(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    caller.require(Scope::TicketsCreate)?;
    let body = body.map_err(|_| ApiError::TooLarge)?;
    let key = match headers.get("idempotency-key") {
        Some(value) => Some(
            value
                .to_str()
                .map_err(|_| ApiError::BadRequest("Idempotency-Key must be ASCII.".into()))
                .and_then(|key| {
                    IdempotencyKey::new(caller.0.id, key.trim(), &body)
                        .map_err(|why| ApiError::BadRequest(why.into()))
                })?,
        ),
        None => None,
    };
    let input = TicketInput::from(json_body::<NewTicketBody>(&headers, &body)?);
    let (_, secrets) = input.clone().redacted();
    let now = OffsetDateTime::now_utc();
    let ticket = input.validate(now).map_err(ApiError::Invalid)?;
    let kb = state.kb.get();
    let site = kb.site();
    let reading = Reading {
        code: ticket.error_code,
        environment: ticket.environment,
        endpoint: &ticket.endpoint,
        message: &ticket.message,
        usage: ticket.usage,
    };
    let hints: Vec<String> = hints(&reading, site)
        .iter()
        .map(|hint| hint.for_requester(site))
        .collect();
    let triage = ticket.triage(now, &state.config.response_targets);
    let filed = state
        .store
        .file_with_token(&ticket, &triage, now, caller.0.id, key.as_ref())
        .await?;
    let (id, replayed) = match filed {
        ApiFiled::Filed(id) => (id, false),
        ApiFiled::Replayed(id) => (id, true),
        ApiFiled::KeyReused => return Err(ApiError::KeyReused),
    };
    if !replayed {
        tracing::info!(code = %ticket.error_code, token = caller.0.id, "ticket filed through the API");
    }
    let stored = load(&state, id).await?;
    let out = Filed {
        ticket: ticket_out(&state, &caller, &stored).await?,
        status_url: format!(
            "{}/tickets/{}",
            state.config.public_url.as_deref().unwrap_or_default(),
            stored.token
        ),
        redacted: secrets
            .iter()
            .map(|(field, kind)| super::views::Redacted {
                field,
                kind: kind.name(),
            })
            .collect(),
        hints,
    };
    let mut response = (StatusCode::CREATED, Json(out)).into_response();
    let headers = response.headers_mut();
    if let Ok(location) = HeaderValue::from_str(&format!("/api/v1/tickets/{id}")) {
        headers.insert(header::LOCATION, location);
    }
    if replayed {
        headers.insert("idempotent-replayed", HeaderValue::from_static("true"));
    }
    Ok(response)
}

/// `GET /tickets/{id}` (scope `tickets:read`).
async fn show(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<TicketOut>, ApiError> {
    caller.require(Scope::TicketsRead)?;
    let ticket = load(&state, ticket_id(&id)?).await?;
    Ok(Json(ticket_out(&state, &caller, &ticket).await?))
}

/// `GET /tickets` (scope `tickets:read`): the queue's filters, as the
/// queue page reads them, every ticket on its own (problems unfolded),
/// a page at a time by keyset; `next` is the following page's link.
async fn list(
    State(state): State<AppState>,
    caller: Caller,
    RawQuery(raw): RawQuery,
) -> Result<Json<TicketPage>, ApiError> {
    caller.require(Scope::TicketsRead)?;
    let (query, ignored) = QueueQuery::read(raw.as_deref().unwrap_or_default());
    let filter = query.filter();
    let (batch, next) = state
        .store
        .export_batch(
            &filter,
            caller.0.created_by,
            OffsetDateTime::now_utc(),
            PAGE_SIZE,
            LIST_BUDGET,
        )
        .await
        .map_err(|err| match err {
            crate::store::BudgetError::OverBudget => ApiError::BadRequest(
                "That view is too broad to read in time: narrow it with a status, a code or dates."
                    .into(),
            ),
            crate::store::BudgetError::Database(err) => err.into(),
        })?;
    let mut tickets = Vec::with_capacity(batch.len());
    for (ticket, _) in &batch {
        tickets.push(ticket_out(&state, &caller, ticket).await?);
    }
    Ok(Json(TicketPage {
        tickets,
        next: next.map(|cursor| {
            view_url_at(
                "/api/v1/tickets",
                &QueueQuery {
                    after: cursor.encode(),
                    ..query
                },
            )
        }),
        ignored,
    }))
}

/// One staff action's JSON body.
trait ActionBody: serde::de::DeserializeOwned + Send {
    fn command(self) -> Result<Command, ApiError>;
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AssignBody {
    /// A staff member's id, or null to unassign.
    assignee_id: Option<i64>,
}

impl ActionBody for AssignBody {
    fn command(self) -> Result<Command, ApiError> {
        Ok(Command::Assign {
            to: self.assignee_id,
        })
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StatusBody {
    status: String,
}

impl ActionBody for StatusBody {
    fn command(self) -> Result<Command, ApiError> {
        TicketStatus::parse(&self.status)
            .map(|to| Command::SetStatus { to })
            .ok_or_else(|| one_field("status", "Use new, open, waiting, resolved or closed."))
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PriorityBody {
    priority: String,
}

impl ActionBody for PriorityBody {
    fn command(self) -> Result<Command, ApiError> {
        Priority::parse(&self.priority)
            .map(|to| Command::SetPriority { to })
            .ok_or_else(|| one_field("priority", "Use urgent, high, normal or low."))
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NoteBody {
    body: String,
}

impl ActionBody for NoteBody {
    fn command(self) -> Result<Command, ApiError> {
        EventBody::parse(&self.body)
            .map(|body| Command::Note { body })
            .map_err(|why| one_field("body", &why))
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReplyBody {
    body: String,
    /// `stay` (the default), `wait` (on the requester) or `resolve`.
    #[serde(default)]
    then: String,
}

impl ActionBody for ReplyBody {
    fn command(self) -> Result<Command, ApiError> {
        let then = match self.then.as_str() {
            "" | "stay" => AfterReply::Stay,
            "wait" => AfterReply::WaitOnRequester,
            "resolve" => AfterReply::Resolve,
            _ => return Err(one_field("then", "Use stay, wait or resolve.")),
        };
        EventBody::parse(&self.body)
            .map(|body| Command::Reply { body, then })
            .map_err(|why| one_field("body", &why))
    }
}

fn one_field(field: &'static str, message: &str) -> ApiError {
    let mut errors = crate::tickets::FieldErrors::default();
    errors.add(field, message.to_string());
    ApiError::Invalid(errors)
}

/// `POST /tickets/{id}/…` (scope `tickets:act`): one staff action through
/// the workflow, as the token's; answers with the ticket as it now is.
async fn act<B: ActionBody>(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<TicketOut>, ApiError> {
    caller.require(Scope::TicketsAct)?;
    let body = body.map_err(|_| ApiError::TooLarge)?;
    let id = ticket_id(&id)?;
    let command = json_body::<B>(&headers, &body)?.command()?;
    let request = Request {
        ticket: id,
        actor: caller.actor(),
        command,
        at: OffsetDateTime::now_utc(),
    };
    match state
        .store
        .apply(&request, &state.config.response_targets)
        .await
    {
        Ok(_) => {}
        Err(crate::store::ActionError::Refused(crate::tickets::Refusal::TicketNotFound)) => {
            return Err(ApiError::NotFound);
        }
        Err(crate::store::ActionError::Refused(refusal)) => return Err(ApiError::Refused(refusal)),
        Err(crate::store::ActionError::Database(err)) => return Err(err.into()),
    }
    let ticket = load(&state, id).await?;
    Ok(Json(ticket_out(&state, &caller, &ticket).await?))
}

fn ticket_id(raw: &str) -> Result<i64, ApiError> {
    raw.parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or(ApiError::NotFound)
}

async fn load(state: &AppState, id: i64) -> Result<Ticket, ApiError> {
    state
        .store
        .ticket_by_id(id)
        .await?
        .ok_or(ApiError::NotFound)
}

/// A ticket for this caller: its problem only for a token that may read
/// the queue anyway (one that only files must learn nothing of others).
async fn ticket_out(
    state: &AppState,
    caller: &Caller,
    ticket: &Ticket,
) -> Result<TicketOut, ApiError> {
    let problem = match ticket.problem_id {
        Some(id) if caller.0.allows(Scope::TicketsRead) => state.store.problem(id).await?,
        _ => None,
    };
    Ok(TicketOut::new(ticket, problem.as_ref()))
}
