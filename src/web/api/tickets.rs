//! Tickets over JSON: filing one (the form's fields, rules, redaction and
//! grouping: the same `TicketInput::validate`), reading one or a page of the
//! queue, and the staff actions, through the same workflow as the pages.

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, Request as HttpRequest, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Json, Router};
use serde::Deserialize;
use time::OffsetDateTime;
use utoipa::ToSchema;

use super::auth::Caller;
use super::files::{self, FileOut, read_parts};
use super::problem::{ApiError, Problem};
use super::views::{Filed, TicketOut, TicketPage};
use crate::attachments::Held;
use crate::store::ApiFiled;
use crate::tickets::hints;
use crate::tickets::queue::{PAGE_SIZE, QueueQuery};
use crate::tickets::workflow::{AfterReply, Command, Request};
use crate::tickets::{EventBody, Priority, Ticket, TicketInput, TicketStatus};
use crate::tokens::{IdempotencyKey, Scope};
use crate::web::AppState;
use crate::web::staff::queue::view_url_at;
use crate::web::uploads::is_multipart;

pub(super) fn router() -> Router<AppState> {
    use axum::routing::{get, post};
    Router::new()
        .route("/tickets", post(file).get(list))
        .route("/tickets/{id}", get(show))
        .route("/tickets/{id}/assign", post(assign))
        .route("/tickets/{id}/status", post(status))
        .route("/tickets/{id}/priority", post(priority))
        .route("/tickets/{id}/notes", post(note))
        .route("/tickets/{id}/replies", post(reply))
}

/// A new ticket as JSON: the form's fields by the same names, every one a
/// string except `path` (the checks already made, a list of step ids).
/// Unknown fields are refused, so a misspelt one is not silently lost.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct NewTicketBody {
    /// The HTTP status the call failed with (`401`, a string or a number),
    /// or one of `timeout`, `connection`, `dns`, `tls`, `invalid-json`,
    /// `pagination`, `other`.
    #[serde(deserialize_with = "text_or_number")]
    #[schema(example = "429")]
    pub error_code: String,
    /// The full error message, as the tool shows it (up to 10,000
    /// characters). Credentials in it are taken out before it is stored.
    #[schema(example = "HTTP GET failed: too many requests (429)")]
    pub message: String,
    /// The URL or path that was called.
    #[schema(example = "https://go.trackvia.com/openapi/views/12/records")]
    pub endpoint: String,
    /// `GET`, `POST`, `PUT`, `PATCH` or `DELETE`.
    #[schema(example = "GET")]
    pub method: String,
    /// When it failed: RFC 3339 with an offset, or a local time read in
    /// `time_zone`.
    #[schema(example = "2026-12-07T09:30:00Z")]
    pub occurred_at: String,
    /// A place (`Europe/Berlin`) or an offset (`UTC+01:00`); UTC if empty.
    pub time_zone: String,
    /// `workato`, `zapier`, `make`, `script`, `postman` or `other` (then `tool_other`).
    #[schema(example = "workato")]
    pub tool: String,
    /// The tool's name when `tool` is `other`.
    pub tool_other: String,
    /// What changed before it broke (roles, credentials, environment…).
    pub recent_changes: String,
    /// `production`, `sandbox` or `unsure`.
    #[schema(example = "production")]
    pub environment: String,
    /// The requester's name (optional).
    pub name: String,
    /// Where support replies.
    #[schema(example = "dana@example.com")]
    pub email: String,
    /// Ids of the checks already made (decision-tree steps), in order.
    pub path: Vec<String>,
    /// Ids from `POST /uploads`: files filed with the ticket.
    pub attachments: Vec<String>,
}

/// `POST /tickets` as multipart/form-data: the ticket and its files in one
/// request.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct NewTicketForm {
    /// The JSON body `POST /tickets` otherwise takes.
    ticket: NewTicketBody,
    /// A file; repeat the part for more. Every one must be kept, or nothing
    /// is filed (422, each with why).
    #[schema(value_type = Vec<String>, format = Binary)]
    file: Vec<Vec<u8>>,
}

/// A note or reply as multipart/form-data: the message and its files.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct MessageForm {
    /// The JSON body the endpoint otherwise takes.
    message: String,
    /// A file; repeat the part for more. Every one must be kept, or
    /// nothing is written (422, each with why).
    #[schema(value_type = Vec<String>, format = Binary)]
    file: Vec<Vec<u8>>,
}

/// A request's JSON body and the files sent with it, read as the
/// `Content-Type` says: JSON alone, or multipart with the JSON in the part
/// `json_part`.
struct Sent {
    json: Bytes,
    /// Multipart only; not yet inspected.
    files: Option<files::Parts>,
}

async fn sent(
    state: &AppState,
    request: HttpRequest,
    json_part: Option<&'static str>,
) -> Result<Sent, ApiError> {
    match json_part {
        Some(part) if is_multipart(request.headers()) => {
            let parts = read_parts(state, request, Some(part)).await?;
            let json = parts.json.clone().ok_or_else(|| {
                ApiError::BadRequest(format!("Send the JSON body in a part named `{part}`."))
            })?;
            Ok(Sent {
                json: Bytes::from(json),
                files: Some(parts),
            })
        }
        _ => {
            let is_json = request
                .headers()
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
            let json = axum::body::to_bytes(request.into_body(), usize::MAX)
                .await
                .map_err(|_| ApiError::TooLarge)?;
            Ok(Sent { json, files: None })
        }
    }
}

impl Sent {
    fn parse<T: serde::de::DeserializeOwned>(&self) -> Result<T, ApiError> {
        serde_json::from_slice(&self.json).map_err(|err| {
            ApiError::BadRequest(format!("The body is not the JSON expected: {err}."))
        })
    }

    /// What an Idempotency-Key is checked against: the JSON, and for
    /// multipart each file's name and bytes.
    fn fingerprint(&self) -> Vec<u8> {
        let mut all = self.json.to_vec();
        for upload in self.files.iter().flat_map(|parts| &parts.uploads) {
            all.extend_from_slice(upload.name.as_bytes());
            all.push(0);
            all.extend_from_slice(&upload.bytes);
        }
        all
    }

    /// The ids `attachments` names and the files sent with the request,
    /// staged: every one, or 422 with each refused file and why.
    async fn attachments(
        &mut self,
        state: &AppState,
        named: &[String],
        held: Held,
    ) -> Result<Vec<uuid::Uuid>, ApiError> {
        let mut ids = files::named_uploads(state, named).await?;
        if let Some(parts) = self.files.take() {
            let mut refused = parts.refused;
            let (kept, more) = files::keep(state, parts.uploads, held).await?;
            refused.extend(more);
            if !refused.is_empty() {
                return Err(files::refused_problem(&refused));
            }
            ids.extend(kept.iter().map(|file| file.id));
        }
        Ok(ids)
    }
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

/// File a ticket (scope `tickets:create`).
///
/// The form's fields and rules. Credentials are taken out as the form does
/// and listed in `redacted`; what is worth checking first comes back in
/// `hints`. With an `Idempotency-Key`, a retry within a day gets the same
/// ticket (`Idempotent-Replayed: true`); the same key with another body is
/// refused.
///
/// Files go with it either way: name uploads in `attachments`, or send
/// multipart/form-data with the JSON in a `ticket` part and `file` parts.
#[utoipa::path(
    post,
    path = "/api/v1/tickets",
    tag = "tickets",
    request_body(content(
        (NewTicketBody = "application/json"),
        (NewTicketForm = "multipart/form-data"),
    )),
    params(("Idempotency-Key" = Option<String>, Header, description = "Any unique value (a UUID) per ticket: a retry with it files nothing twice.")),
    responses(
        (status = 201, description = "Filed (or, with a key seen before, the ticket it filed).", body = Filed),
        (status = 400, description = "Not JSON, or a field this endpoint does not know.", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token may not file tickets.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The Idempotency-Key was used with another body.", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "More than a ticket's worth of files.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Mistakes, each beside its field (a refused file beside `file`, an unknown upload beside `attachments`).", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Past the token's rate; see Retry-After.", body = Problem, content_type = "application/problem+json"),
    ),
    security(("token" = []))
)]
pub(super) async fn file(
    State(state): State<AppState>,
    caller: Caller,
    request: HttpRequest,
) -> Result<Response, ApiError> {
    caller.require(Scope::TicketsCreate)?;
    let headers = request.headers().clone();
    let mut sent = sent(&state, request, Some("ticket")).await?;
    let body = sent.fingerprint();
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
    let mut new: NewTicketBody = sent.parse()?;
    let named = std::mem::take(&mut new.attachments);
    let input = TicketInput::from(new);
    let (_, secrets) = input.clone().redacted();
    let now = OffsetDateTime::now_utc();
    let ticket = input.validate(now).map_err(ApiError::Invalid)?;
    let hints = hints::for_requester(&ticket, state.kb.get().site());
    let triage = ticket.triage(now, &state.config.response_targets);
    let attachments = sent.attachments(&state, &named, Held::default()).await?;
    let limits = state.config.attachments.limits();
    let filed = state
        .store
        .file_with_token_and_files(
            &ticket,
            &triage,
            now,
            caller.0.id,
            key.as_ref(),
            &attachments,
            &limits,
        )
        .await
        .map_err(action_error)?;
    let (id, replayed) = match filed {
        ApiFiled::Filed(id) => (id, false),
        ApiFiled::Replayed(id) => (id, true),
        ApiFiled::KeyReused => return Err(ApiError::KeyReused),
    };
    if !replayed {
        crate::metrics::ticket_filed(crate::metrics::Via::Api);
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

/// Read a ticket (scope `tickets:read`).
#[utoipa::path(
    get,
    path = "/api/v1/tickets/{id}",
    tag = "tickets",
    params(("id" = i64, Path, description = "The ticket's id (APD-000012 is 12).")),
    responses(
        (status = 200, description = "The ticket.", body = TicketOut),
        (status = 401, description = "No valid token.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token may not read tickets.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such ticket.", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Past the token's rate; see Retry-After.", body = Problem, content_type = "application/problem+json"),
    ),
    security(("token" = []))
)]
pub(super) async fn show(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<TicketOut>, ApiError> {
    caller.require(Scope::TicketsRead)?;
    let ticket = load(&state, ticket_id(&id)?).await?;
    Ok(Json(ticket_out(&state, &caller, &ticket).await?))
}

/// List tickets (scope `tickets:read`).
///
/// The queue's filters, as the queue page reads them; every ticket on its
/// own (problems unfolded); 50 a page by keyset, so pages stay stable while
/// tickets arrive. `next` is the following page's link.
#[utoipa::path(
    get,
    path = "/api/v1/tickets",
    tag = "tickets",
    params(
        ("status" = Option<String>, Query, description = "new, open, waiting, resolved, closed, a comma list, or all (default: new and open)."),
        ("code" = Option<String>, Query, description = "An error code, as on the form."),
        ("priority" = Option<String>, Query, description = "urgent, high, normal or low."),
        ("assignee" = Option<String>, Query, description = "me (the token's admin), none, or a staff id."),
        ("environment" = Option<String>, Query, description = "production, sandbox or unsure."),
        ("tool" = Option<String>, Query, description = "A tool, as on the form."),
        ("from" = Option<String>, Query, description = "Created on or after this UTC day, YYYY-MM-DD."),
        ("to" = Option<String>, Query, description = "Created on or before this UTC day, YYYY-MM-DD."),
        ("q" = Option<String>, Query, description = "Words that must all appear (message, endpoint, notes, replies)."),
        ("sort" = Option<String>, Query, description = "urgency (default), age, newest or updated."),
        ("after" = Option<String>, Query, description = "The cursor in a `next` link."),
    ),
    responses(
        (status = 200, description = "A page of tickets.", body = TicketPage),
        (status = 400, description = "A view too broad to read in time.", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token may not read tickets.", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Past the token's rate; see Retry-After.", body = Problem, content_type = "application/problem+json"),
    ),
    security(("token" = []))
)]
pub(super) async fn list(
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
            // The queue page's budget: a view too broad is stopped, not run.
            state.config.staff_query_budget.0,
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
    // A page of a storm is many tickets of one problem: read each once.
    let mut problems = std::collections::HashMap::new();
    for (ticket, _) in &batch {
        if let Some(id) = ticket.problem_id
            && !problems.contains_key(&id)
        {
            problems.insert(id, state.store.problem(id).await?);
        }
        let problem = ticket.problem_id.and_then(|id| problems[&id].as_ref());
        tickets.push(TicketOut::new(ticket, problem));
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
    /// The multipart part holding the JSON, for actions that carry files.
    const JSON_PART: Option<&'static str> = None;

    /// The uploads the body names, taken out of it.
    fn attachments(&mut self) -> Vec<String> {
        Vec::new()
    }

    fn command(self) -> Result<Command, ApiError>;
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignBody {
    /// A staff member's id, or null to unassign.
    pub assignee_id: Option<i64>,
}

impl ActionBody for AssignBody {
    fn command(self) -> Result<Command, ApiError> {
        Ok(Command::Assign {
            to: self.assignee_id,
        })
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusBody {
    /// `open`, `waiting`, `resolved` or `closed` (as staff may move it).
    #[schema(example = "resolved")]
    pub status: String,
}

impl ActionBody for StatusBody {
    fn command(self) -> Result<Command, ApiError> {
        TicketStatus::parse(&self.status)
            .map(|to| Command::SetStatus { to })
            .ok_or_else(|| one_field("status", "Use new, open, waiting, resolved or closed."))
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PriorityBody {
    /// `urgent`, `high`, `normal` or `low`.
    #[schema(example = "high")]
    pub priority: String,
}

impl ActionBody for PriorityBody {
    fn command(self) -> Result<Command, ApiError> {
        Priority::parse(&self.priority)
            .map(|to| Command::SetPriority { to })
            .ok_or_else(|| one_field("priority", "Use urgent, high, normal or low."))
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoteBody {
    /// For staff only; the requester never sees it.
    pub body: String,
    /// Ids from `POST /uploads`: files that go with the note.
    #[serde(default)]
    pub attachments: Vec<String>,
}

impl ActionBody for NoteBody {
    const JSON_PART: Option<&'static str> = Some("message");

    fn attachments(&mut self) -> Vec<String> {
        std::mem::take(&mut self.attachments)
    }

    fn command(self) -> Result<Command, ApiError> {
        EventBody::parse(&self.body)
            .map(|body| Command::Note { body })
            .map_err(|why| one_field("body", &why))
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReplyBody {
    /// What the requester reads, on their page and by mail.
    pub body: String,
    /// `stay` (the default), `wait` (on the requester) or `resolve`.
    #[serde(default)]
    #[schema(example = "resolve")]
    pub then: String,
    /// Ids from `POST /uploads`: files that go with the reply.
    #[serde(default)]
    pub attachments: Vec<String>,
}

impl ActionBody for ReplyBody {
    const JSON_PART: Option<&'static str> = Some("message");

    fn attachments(&mut self) -> Vec<String> {
        std::mem::take(&mut self.attachments)
    }

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
    request: HttpRequest,
) -> Result<Json<TicketOut>, ApiError> {
    caller.require(Scope::TicketsAct)?;
    let id = ticket_id(&id)?;
    let mut sent = sent(&state, request, B::JSON_PART).await?;
    let mut body: B = sent.parse()?;
    let named = body.attachments();
    let command = body.command()?;
    let attachments = if named.is_empty() && sent.files.is_none() {
        Vec::new()
    } else {
        // Files of a ticket that is not there are not kept.
        load(&state, id).await?;
        let held = files::held(&state, id).await?;
        sent.attachments(&state, &named, held).await?
    };
    let request = Request {
        ticket: id,
        actor: caller.actor(),
        command,
        at: OffsetDateTime::now_utc(),
    };
    let targets = &state.config.response_targets;
    let applied = if attachments.is_empty() {
        state.store.apply(&request, targets).await
    } else {
        let limits = state.config.attachments.limits();
        state
            .store
            .apply_with_files(&request, targets, &attachments, &limits)
            .await
    };
    // Done, or already so: either way the ticket as it now is.
    let _outcome = applied.map_err(action_error)?;
    let ticket = load(&state, id).await?;
    Ok(Json(ticket_out(&state, &caller, &ticket).await?))
}

/// An action's handler and its entry in the document: the answers every
/// action gives, and those of its own (`$extra`).
macro_rules! action {
    ($name:ident, $body:ty, $path:literal, $summary:literal, $($extra:tt)*) => {
        #[doc = $summary]
        #[utoipa::path(
            post,
            path = $path,
            tag = "actions",
            request_body = $body,
            params(("id" = i64, Path, description = "The ticket's id.")),
            responses(
                (status = 200, description = "Done (or already so): the ticket as it now is.", body = TicketOut),
                (status = 400, description = "Not JSON, or a field this action does not know.", body = Problem, content_type = "application/problem+json"),
                (status = 401, description = "No valid token.", body = Problem, content_type = "application/problem+json"),
                (status = 403, description = "The token may not work tickets.", body = Problem, content_type = "application/problem+json"),
                (status = 404, description = "No such ticket.", body = Problem, content_type = "application/problem+json"),
                (status = 422, description = "A value that means nothing here, beside its field.", body = Problem, content_type = "application/problem+json"),
                (status = 429, description = "Past the token's rate; see Retry-After.", body = Problem, content_type = "application/problem+json"),
                $($extra)*
            ),
            security(("token" = []))
        )]
        pub(super) async fn $name(
            state: State<AppState>,
            caller: Caller,
            id: Path<String>,
            request: HttpRequest,
        ) -> Result<Json<TicketOut>, ApiError> {
            act::<$body>(state, caller, id, request).await
        }
    };
}

action!(
    assign,
    AssignBody,
    "/api/v1/tickets/{id}/assign",
    "Assign a ticket, or unassign it (scope `tickets:act`).",
);
action!(
    status,
    StatusBody,
    "/api/v1/tickets/{id}/status",
    "Move a ticket to another status (scope `tickets:act`).",
    (
        status = 409,
        description = "Not a move the ticket can make from its status (or it is merged).",
        body = Problem,
        content_type = "application/problem+json"
    ),
);
action!(
    priority,
    PriorityBody,
    "/api/v1/tickets/{id}/priority",
    "Set a ticket's priority (scope `tickets:act`).",
);
action!(
    note,
    NoteBody,
    "/api/v1/tickets/{id}/notes",
    "Add an internal note (scope `tickets:act`).",
);
action!(
    reply,
    ReplyBody,
    "/api/v1/tickets/{id}/replies",
    "Reply to the requester; it may also make the ticket wait or resolve it (scope `tickets:act`).",
    (
        status = 409,
        description = "The ticket cannot wait or be resolved from its status (a closed one), or it is merged.",
        body = Problem,
        content_type = "application/problem+json"
    ),
);

fn action_error(err: crate::store::ActionError) -> ApiError {
    use crate::store::ActionError;
    match err {
        ActionError::Refused(crate::tickets::Refusal::TicketNotFound) => ApiError::NotFound,
        ActionError::Refused(refusal) => ApiError::Refused(refusal),
        ActionError::Database(err) => err.into(),
    }
}

pub(super) fn ticket_id(raw: &str) -> Result<i64, ApiError> {
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
    let files = state.store.ticket_files(ticket.id, false).await?;
    let mut out = TicketOut::new(ticket, problem.as_ref());
    out.files = Some(files.iter().map(|f| FileOut::new(ticket.id, f)).collect());
    Ok(out)
}
