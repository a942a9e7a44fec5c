//! Filing a ticket and the requester's status page.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;
use time::OffsetDateTime;
use uuid::Uuid;

use super::actions::{apply, apply_with_files};
use super::client_addr::ClientAddr;
use super::csrf::CsrfToken;
use super::files::{Reader, Want};
use super::format::{human_time_in, iso_time};
use super::links;
use super::rate_limit::Level;
use super::render::render;
use super::time_zones::ZoneSelect;
use super::uploads::{Attached, FilesField, FilesForm, Sender, take_files};
use crate::attachments::{Attachment, Held, Limits, Via};
use crate::domain::{ErrorCode, HttpMethod};
use crate::error::{AppError, Result};
use crate::kb::{Article, KnowledgeBase};
use crate::store::ActionError;
use crate::tickets::hints;
use crate::tickets::redact::{SecretKind, marker_kinds};
use crate::tickets::workflow::{Actor, Command, Request};
use crate::tickets::{
    Detail, Environment, EventActor, EventBody, EventKind, FieldErrors,
    MAX_ADDITION_CHARS_PER_TICKET, MAX_ADDITIONS_PER_TICKET, MAX_MESSAGE_TEXT, Refusal, Ticket,
    TicketInput, TicketStatus, Tool, addition_room, prefill, reference_for,
};
use crate::web::AppState;
use crate::web::incident_notice::{IncidentNotice, open_notices};

pub fn router() -> Router<AppState> {
    // A status page is the requester's private view, reached by a secret
    // link: never kept by a shared computer's browser or a proxy.
    let private = Router::new()
        .route("/tickets/{token}", get(status_page))
        .route("/tickets/{token}/replies", post(add_information))
        .route("/tickets/{token}/details", post(give_details))
        .route("/tickets/{token}/files/{file}", get(file_download))
        .route(
            "/tickets/{token}/files/{file}/thumbnail",
            get(file_thumbnail),
        )
        .route("/tickets/{token}/files/{file}/preview", get(file_preview))
        .layer(super::no_store());
    Router::new()
        .route("/tickets/new", get(new_form))
        .route("/tickets", post(create))
        .merge(private)
}

#[derive(Template)]
#[template(path = "tickets/new.html")]
struct FormPage<'a> {
    input: TicketInput,
    errors: FieldErrors,
    csrf: CsrfToken,
    checked: Vec<String>,
    /// The code's article, linked with what the form already holds.
    article: Option<(&'a Article, String)>,
    environments: [Environment; 3],
    zones: ZoneSelect,
    max_message: &'static str,
    /// Credentials found in what was typed, as (kind, where), to be taken
    /// out before the ticket is stored.
    secrets: Vec<(&'static str, &'static str)>,
    /// What is worth checking before sending (`tickets::hints`).
    hints: Vec<String>,
    /// Known incidents that cause the chosen code, said first.
    incidents: Vec<IncidentNotice>,
    files: FilesField,
}

impl<'a> FormPage<'a> {
    fn new(
        kb: &'a KnowledgeBase,
        input: TicketInput,
        errors: FieldErrors,
        csrf: CsrfToken,
        limits: Limits,
    ) -> Self {
        let code = ErrorCode::parse(&input.error_code);
        let path = crate::tickets::split_path(&input.path);
        let walked: Vec<&str> = path.iter().map(String::as_str).collect();
        let carry = links::Carry {
            message: input.message.clone(),
            method: input.method.clone(),
        };
        Self {
            zones: ZoneSelect::new(&input.time_zone),
            checked: kb.checks_made(code, &path),
            article: code.map(|code| {
                let article = kb.article_for(code);
                let url = links::article(&article.slug, code, &walked, &carry);
                (article, url)
            }),
            input,
            errors,
            csrf,
            environments: Environment::ALL,
            max_message: MAX_MESSAGE_TEXT,
            secrets: Vec::new(),
            hints: Vec::new(),
            incidents: Vec::new(),
            files: FilesField::new("Screenshots, logs or a HAR file", &limits),
        }
    }

    /// Lists the files kept so far, and says beside the field which were
    /// refused.
    fn with_files(mut self, attached: Attached) -> Self {
        if let Some(error) = attached.error() {
            self.errors.add("files", error);
        }
        self.files = self.files.with_kept(attached.kept);
        self
    }

    /// Says which credentials the form holds and where.
    fn with_secrets(mut self, found: &[(&'static str, SecretKind)]) -> Self {
        self.secrets = found
            .iter()
            .map(|(field, kind)| (kind.name(), field_words(field)))
            .collect();
        self
    }

    fn error(&self, field: &str) -> Option<&str> {
        self.errors.get(field)
    }
}

/// The form, pre-filled from the query string: deep links from integrations
/// and the decision tree both land here.
async fn new_form(
    State(state): State<AppState>,
    Query(mut input): Query<TicketInput>,
    csrf: CsrfToken,
) -> Result<Response> {
    // Deep links may name a place (`time_zone`) or only an offset
    // (`utc_offset`); the form shows either as one choice in one list.
    let (local, zone) = prefill(&input.occurred_at, &input.time_zone, &input.utc_offset);
    input.occurred_at = local;
    input.time_zone = zone;
    input.utc_offset = String::new();
    if let Some(method) = HttpMethod::parse(&input.method) {
        input.method = method.as_str().to_string();
    }
    if let Some(code) = ErrorCode::parse(&input.error_code) {
        input.error_code = code.as_str().to_string();
    }
    // A fresh id per rendering: a second submit of this same page is spotted.
    input.submission_id = Uuid::new_v4().to_string();
    let code = ErrorCode::parse(&input.error_code);
    let kb = state.kb.get();
    let limits = state.config.attachments.limits();
    let mut page = FormPage::new(&kb, input, FieldErrors::default(), csrf, limits);
    if let Some(code) = code {
        page.incidents = open_notices(&state, Some(code)).await;
    }
    Ok(render(&page)?.into_response())
}

async fn create(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    client: ClientAddr,
    csrf: CsrfToken,
    mut form: FilesForm,
) -> Result<Response> {
    let input: TicketInput = form.form();
    let limits = state.config.attachments.limits();
    let rate_key = client.rate_key();
    let attached = take_files(
        &state,
        &mut form,
        Via::Form,
        Sender::Visitor(&rate_key),
        Held::default(),
    )
    .await?;
    let (shown, secrets) = input.clone().redacted();
    match input.validate(OffsetDateTime::now_utc()) {
        Ok(mut ticket) => {
            let kb = state.kb.get();
            let hints = hints::for_requester(&ticket, kb.site());
            // Before filing, the requester sees the form as it will be
            // stored, credentials taken out, with what is worth checking;
            // sent again (no credentials left, hints seen), it is filed.
            // A refused file is said beside its field first, too.
            if !secrets.is_empty()
                || !attached.refused.is_empty()
                || (!hints.is_empty() && input.reviewed.is_empty())
            {
                let refused = !attached.refused.is_empty();
                let mut shown = shown;
                shown.reviewed = if hints.is_empty() { "" } else { "1" }.into();
                let mut page = FormPage::new(&kb, shown, FieldErrors::default(), csrf, limits)
                    .with_secrets(&secrets)
                    .with_files(attached);
                page.hints = hints;
                let status = if refused {
                    StatusCode::UNPROCESSABLE_ENTITY
                } else {
                    StatusCode::OK
                };
                return Ok((status, render(&page)?).into_response());
            }
            state.limits.check(Level::Filing, &rate_key, true)?;
            // A resubmit finds the ticket it filed only from the same
            // browser: the id in the form is public (it is in the page and
            // any copy of it), the CSRF cookie is not.
            ticket.submission_id = state
                .csrf
                .submission_key(&headers, state.config.cookie_secure, ticket.submission_id)
                .ok_or(AppError::Csrf)?;
            let now = OffsetDateTime::now_utc();
            let triage = ticket.triage(now, &state.config.response_targets);
            let outcome = match state
                .store
                .insert_ticket_with_files(&ticket, &triage, now, &attached.ids(), &limits)
                .await
            {
                Ok(outcome) => outcome,
                Err(ActionError::Database(e)) => return Err(e.into()),
                Err(ActionError::Refused(refusal)) => {
                    let mut errors = FieldErrors::default();
                    errors.add("files", refusal.message());
                    let page =
                        FormPage::new(&kb, input, errors, csrf, limits).with_files(Attached {
                            kept: attached.kept,
                            refused: Vec::new(),
                        });
                    return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response());
                }
            };
            if let crate::store::InsertOutcome::Created(_) = outcome {
                crate::metrics::ticket_filed(crate::metrics::Via::Form);
            }
            let token = outcome.token();
            tracing::info!(code = %ticket.error_code, files = attached.kept.len(), "ticket filed");
            Ok(Redirect::to(&format!("/tickets/{token}?filed=1")).into_response())
        }
        Err(errors) => {
            let kb = state.kb.get();
            let page = FormPage::new(&kb, input, errors, csrf, limits)
                .with_secrets(&secrets)
                .with_files(attached);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct StatusQuery {
    filed: Option<String>,
    added: Option<String>,
    completed: Option<String>,
}

/// One public event as the requester reads it.
struct Update {
    when: String,
    at: String,
    what: String,
    /// A staff reply or the requester's own addition, as written.
    body: Option<String>,
    /// When a reply also moved the ticket, that move in plain words.
    then: Option<&'static str>,
    /// "requester", "staff" or "system", for styling.
    by: &'static str,
    /// The files that came with it.
    files: Vec<Attachment>,
}

#[derive(Template)]
#[template(path = "tickets/status.html")]
struct StatusPage<'a> {
    ticket: Ticket,
    reference: String,
    just_filed: bool,
    /// The full address of this page, shown once so the requester can keep it.
    private_link: Option<String>,
    checked: Vec<String>,
    article: &'a Article,
    occurred_at: String,
    created_at: String,
    /// The zone the times on this page are shown in, the requester's choice.
    time_zone: String,
    tree_url: String,
    csrf: CsrfToken,
    updates: Vec<Update>,
    /// The reference of the ticket this one was merged into. Only the
    /// reference: an email address is typed, never verified, so the same
    /// address on both tickets does not make their requesters one person,
    /// and this page never leads to the other ticket's page or content.
    merged_into: Option<String>,
    /// Whether the "Add information" form is offered (not once closed,
    /// merged, or full).
    can_add: bool,
    /// The ticket is open but holds as many additions as it can take.
    full: bool,
    max_additions: usize,
    max_addition_chars: String,
    just_added: bool,
    /// Whether mail to the requester is sent and invites replies.
    replies_by_mail: bool,
    addition: String,
    addition_error: Option<String>,
    max_addition: usize,
    max_addition_text: String,
    /// The kinds of credential taken out of what the requester sent (the
    /// ticket and their additions), one per credential.
    removed: Vec<String>,
    /// The known incident the ticket was filed during: its title, and
    /// whether it still lasts.
    incident: Option<(String, bool)>,
    /// Whether the ticket (opened by mail) still lacks details, and the
    /// form for them is shown.
    asks_details: bool,
    just_completed: bool,
    /// The details form as typed, its mistakes, and its zone list.
    input: TicketInput,
    errors: FieldErrors,
    zones: ZoneSelect,
    /// The "Add information" form's file field, and where files are served.
    files: FilesField,
    files_base: String,
}

impl StatusPage<'_> {
    fn error(&self, field: &str) -> Option<&str> {
        self.errors.get(field)
    }

    /// Shows the details form again as it was typed, with its mistakes.
    fn with_details(mut self, input: TicketInput, errors: FieldErrors) -> Self {
        self.zones = ZoneSelect::new(&input.time_zone);
        self.input = input;
        self.errors = errors;
        self
    }
}

async fn status_page(
    State(state): State<AppState>,
    Path(token): Path<String>,
    Query(query): Query<StatusQuery>,
    csrf: CsrfToken,
) -> Result<Response> {
    let ticket = ticket_for_token(&state, &token).await?;
    let kb = state.kb.get();
    let mut page = status_view(&state, &kb, ticket, csrf).await?;
    page.just_filed = query.filed.is_some();
    if page.just_filed {
        page.private_link = Some(private_link(state.config.public_url.as_deref(), &token));
    }
    page.just_added = query.added.is_some();
    page.just_completed = query.completed.is_some();
    Ok(render(&page)?.into_response())
}

async fn file_download(
    State(state): State<AppState>,
    Path((token, file)): Path<(String, String)>,
) -> Result<Response> {
    requester_file(&state, &token, &file, Want::Download).await
}

async fn file_thumbnail(
    State(state): State<AppState>,
    Path((token, file)): Path<(String, String)>,
) -> Result<Response> {
    requester_file(&state, &token, &file, Want::Thumbnail).await
}

async fn file_preview(
    State(state): State<AppState>,
    Path((token, file)): Path<(String, String)>,
) -> Result<Response> {
    requester_file(&state, &token, &file, Want::Preview).await
}

/// One of the ticket's files, as its requester may see them: only those
/// that came with what the requester sees (never an internal note's).
async fn requester_file(state: &AppState, token: &str, file: &str, want: Want) -> Result<Response> {
    let ticket = ticket_for_token(state, token).await?;
    let back = format!("/tickets/{}", ticket.token);
    let base = format!("{back}/files");
    let reader = Reader {
        ticket: ticket.id,
        public_only: true,
        back: &back,
        files_base: &base,
    };
    super::files::serve(&state.store, reader, file, want).await
}

/// The status page's address to keep: absolute under `--public-url`, else
/// the path alone. Never built from the request's `Host`, which whoever
/// sends the request chooses.
fn private_link(public_url: Option<&str>, token: &str) -> String {
    format!("{}/tickets/{token}", public_url.unwrap_or_default())
}

async fn ticket_for_token(state: &AppState, token: &str) -> Result<Ticket> {
    let token = Uuid::parse_str(token).map_err(|_| AppError::NotFound)?;
    state
        .store
        .ticket_by_token(token)
        .await?
        .ok_or(AppError::NotFound)
}

/// The status page for `ticket`, in the words of `kb` (the content taken
/// once for the request).
async fn status_view<'a>(
    state: &AppState,
    kb: &'a KnowledgeBase,
    ticket: Ticket,
    csrf: CsrfToken,
) -> Result<StatusPage<'a>> {
    let code = ticket.details.error_code;
    let zone = ticket.details.time_zone.clone();
    let timeline = state.store.public_timeline(ticket.id).await?;
    let mut files = state.store.ticket_files(ticket.id, true).await?;
    let additions = timeline
        .iter()
        .filter(|event| matches!(event.kind, EventKind::RequesterReply { .. }));
    let open = ticket.merged_into_id.is_none() && ticket.status != TicketStatus::Closed;
    let room = addition_room(
        additions.clone().count(),
        additions.map(|event| event.body.chars().count()).sum(),
    );
    let updates = timeline
        .iter()
        .filter_map(|event| {
            Some(Update {
                what: event.summary_for_requester()?,
                when: human_time_in(event.at, &zone),
                at: iso_time(event.at),
                body: event.body_for_requester().map(str::to_string),
                then: event.reply_status_for_requester(),
                by: match event.actor {
                    EventActor::Requester => "requester",
                    EventActor::Staff { .. } => "staff",
                    EventActor::System => "system",
                },
                files: files
                    .extract_if(.., |file| file.event_id == Some(event.id))
                    .collect(),
            })
        })
        .collect();
    let merged_into = ticket.merged_into_id.map(reference_for);
    let input = details_input(&ticket);
    let d = &ticket.details;
    let tool_other = d.tool.as_ref().map_or("", Tool::other_text);
    let sent = [&*d.message, &*d.endpoint, &*d.recent_changes, tool_other];
    let added = timeline
        .iter()
        .filter(|event| matches!(event.kind, EventKind::RequesterReply { .. }))
        .map(|event| event.body.as_str());
    let removed = sent
        .into_iter()
        .chain(added)
        .flat_map(marker_kinds)
        .map(str::to_string)
        .collect();
    let incident = match ticket.incident_id {
        Some(id) => state
            .store
            .incident(id)
            .await?
            .map(|i| (i.title.clone(), i.is_open())),
        None => None,
    };
    Ok(StatusPage {
        incident,
        reference: ticket.reference(),
        just_filed: false,
        private_link: None,
        checked: kb.checks_made(Some(code), &ticket.details.path),
        article: kb.article_for(code),
        occurred_at: ticket
            .details
            .occurred_at
            .map(|at| human_time_in(at, &zone))
            .unwrap_or_default(),
        created_at: human_time_in(ticket.created_at, &zone),
        time_zone: zone.label(),
        tree_url: links::troubleshoot(code, &[], &links::Carry::default()),
        csrf,
        updates,
        can_add: open && room.is_some(),
        full: open && room.is_none(),
        max_additions: MAX_ADDITIONS_PER_TICKET,
        max_addition_chars: crate::tickets::group_thousands(MAX_ADDITION_CHARS_PER_TICKET),
        merged_into,
        just_added: false,
        replies_by_mail: state.outgoing_mail == crate::tickets::OutgoingMail::On
            && state.config.mail_replies(),
        addition: String::new(),
        addition_error: None,
        max_addition: room.unwrap_or_default(),
        max_addition_text: crate::tickets::group_thousands(room.unwrap_or_default()),
        removed,
        asks_details: open && !ticket.details.wanted.is_empty(),
        just_completed: false,
        zones: ZoneSelect::new(&input.time_zone),
        input,
        errors: FieldErrors::default(),
        files: FilesField::new(
            "Screenshots, logs or a HAR file",
            &state.config.attachments.limits(),
        ),
        files_base: format!("/tickets/{}/files", ticket.token),
        ticket,
    })
}

/// Where on the form a field's text is, in a sentence.
fn field_words(field: &str) -> &'static str {
    match field {
        "message" => "the error message",
        "endpoint" => "the endpoint",
        "tool_other" => "the tool's name",
        _ => "the recent changes",
    }
}

/// The details form of a ticket opened by mail, holding what the mail
/// said (a code or method it named, a URL in it) for the requester to
/// check; what it did not say is left for them to fill in.
fn details_input(ticket: &Ticket) -> TicketInput {
    let details = &ticket.details;
    TicketInput {
        error_code: if details.wanted.contains(Detail::ErrorCode) {
            String::new()
        } else {
            details.error_code.as_str().to_string()
        },
        endpoint: details.endpoint.clone(),
        method: details
            .method
            .map(|m| m.as_str().to_string())
            .unwrap_or_default(),
        tool: details
            .tool
            .as_ref()
            .map(|t| t.as_str().to_string())
            .unwrap_or_default(),
        tool_other: details
            .tool
            .as_ref()
            .map(|t| t.other_text().to_string())
            .unwrap_or_default(),
        ..TicketInput::default()
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct AdditionForm {
    body: String,
}

/// The details a ticket opened by mail lacked, from its status page: the
/// same rules as the ticket form's fields; a mistake shows the form again
/// as typed.
async fn give_details(
    State(state): State<AppState>,
    Path(token): Path<String>,
    client: ClientAddr,
    csrf: CsrfToken,
    Form(input): Form<TicketInput>,
) -> Result<Response> {
    let ticket = ticket_for_token(&state, &token).await?;
    let now = OffsetDateTime::now_utc();
    let details = match input.validate_details(now) {
        Ok(details) => details,
        Err(errors) => {
            let kb = state.kb.get();
            let page = status_view(&state, &kb, ticket, csrf).await?;
            let page = page.with_details(input, errors);
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response());
        }
    };
    state
        .limits
        .check(Level::Additions, &client.rate_key(), true)?;
    let request = Request {
        ticket: ticket.id,
        actor: Actor::Requester,
        command: Command::GiveDetails { details },
        at: now,
    };
    let refusal = match apply(&state, request).await? {
        Ok(_) => {
            tracing::info!(ticket = ticket.id, "requester gave the missing details");
            let to = format!("/tickets/{}?completed=1", ticket.token);
            return Ok(Redirect::to(&to).into_response());
        }
        Err(refusal) => refusal,
    };
    let kb = state.kb.get();
    let mut page = status_view(&state, &kb, ticket, csrf).await?;
    page.addition_error = Some(refusal_message(refusal));
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
}

/// Why the requester's addition was refused, in their words.
fn refusal_message(refusal: Refusal) -> String {
    match refusal {
        Refusal::Merged { into } => format!(
            "This ticket was merged into another one ({0}), so it takes no more information here: file a new ticket and mention {0}.",
            reference_for(into)
        ),
        refusal => refusal.message(),
    }
}

/// "Add information" from the status page: appended to the timeline; a
/// ticket waiting on the requester (or resolved) goes back to support.
/// Files may come with the text, or alone.
async fn add_information(
    State(state): State<AppState>,
    Path(token): Path<String>,
    client: ClientAddr,
    csrf: CsrfToken,
    mut form: FilesForm,
) -> Result<Response> {
    let ticket = ticket_for_token(&state, &token).await?;
    let addition: AdditionForm = form.form();
    let held = Held::of(&state.store.ticket_files(ticket.id, false).await?);
    let rate_key = client.rate_key();
    let attached = take_files(
        &state,
        &mut form,
        Via::StatusPage,
        Sender::Visitor(&rate_key),
        held,
    )
    .await?;
    let text = attached.text_or_names(&addition.body);
    let mut files_full = None;
    let problem = match EventBody::parse(&text) {
        Ok(body) if attached.refused.is_empty() => {
            let limits = &state.limits;
            limits.check(Level::Additions, &rate_key, true)?;
            limits.check(Level::TicketAdditions, &ticket.id.to_string(), true)?;
            let request = Request {
                ticket: ticket.id,
                actor: Actor::Requester,
                command: Command::RequesterAddition { body },
                at: OffsetDateTime::now_utc(),
            };
            match apply_with_files(&state, request, &attached.ids()).await? {
                Ok(_) => {
                    tracing::info!(
                        ticket = ticket.id,
                        files = attached.kept.len(),
                        "requester added information"
                    );
                    let to = format!("/tickets/{}?added=1#updates", ticket.token);
                    return Ok(Redirect::to(&to).into_response());
                }
                Err(refusal @ Refusal::FilesFull { .. }) => {
                    files_full = Some(refusal.message());
                    None
                }
                Err(refusal) => Some(refusal_message(refusal)),
            }
        }
        Ok(_) => None,
        Err(message) => Some(message),
    };
    let kb = state.kb.get();
    let mut page = status_view(&state, &kb, ticket, csrf).await?;
    page.addition = addition.body;
    page.addition_error = problem;
    if let Some(error) = attached.error().or(files_full) {
        page.errors.add("files", error);
    }
    page.files = page.files.with_kept(attached.kept);
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
}
