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

use super::client_addr::ClientAddr;
use super::csrf::CsrfToken;
use super::format::{human_time, iso_time};
use super::links;
use super::rate_limit::Level;
use super::render::render;
use crate::domain::{ErrorCode, HttpMethod};
use crate::error::{AppError, Result};
use crate::kb::{Article, KnowledgeBase};
use crate::state::AppState;
use crate::store::ActionError;
use crate::tickets::{
    Environment, EventActor, EventBody, FieldErrors, MAX_EVENT_BODY_CHARS, MAX_MESSAGE_TEXT,
    Refusal, Ticket, TicketInput, TicketStatus, Tool, UTC_OFFSETS, reference_for, split_for_form,
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/tickets/new", get(new_form))
        .route("/tickets", post(create))
        .route("/tickets/{token}", get(status_page))
        .route("/tickets/{token}/replies", post(add_information))
}

/// The checks a path names, as the questions the person answered; steps
/// that no longer exist in the tree are shown by their id.
pub(crate) fn checks_made(
    kb: &KnowledgeBase,
    code: Option<ErrorCode>,
    path: &[String],
) -> Vec<String> {
    path.iter()
        .map(|id| {
            code.and_then(|code| kb.tree(code).step(id))
                .map_or_else(|| id.clone(), |step| step.check.clone())
        })
        .collect()
}

#[derive(Template)]
#[template(path = "tickets/new.html")]
struct FormPage<'a> {
    input: TicketInput,
    errors: FieldErrors,
    csrf: CsrfToken,
    checked: Vec<String>,
    article: Option<&'a Article>,
    codes: [ErrorCode; 6],
    methods: [HttpMethod; 5],
    tools: [(&'static str, &'static str); 6],
    environments: [Environment; 3],
    offsets: [&'static str; 38],
    max_message: &'static str,
}

impl<'a> FormPage<'a> {
    fn new(
        kb: &'a KnowledgeBase,
        input: TicketInput,
        errors: FieldErrors,
        csrf: CsrfToken,
    ) -> Self {
        let code = ErrorCode::parse(&input.error_code);
        let path = crate::tickets::split_path(&input.path);
        Self {
            checked: checks_made(kb, code, &path),
            article: code.map(|code| kb.article_for(code)),
            input,
            errors,
            csrf,
            codes: ErrorCode::ALL,
            methods: HttpMethod::ALL,
            tools: Tool::CHOICES,
            environments: Environment::ALL,
            offsets: UTC_OFFSETS,
            max_message: MAX_MESSAGE_TEXT,
        }
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
    if let Some((local, offset)) = split_for_form(&input.occurred_at) {
        input.occurred_at = local;
        input.utc_offset = offset;
    }
    if let Some(method) = HttpMethod::parse(&input.method) {
        input.method = method.as_str().to_string();
    }
    if let Some(code) = ErrorCode::parse(&input.error_code) {
        input.error_code = code.as_str().to_string();
    }
    // A fresh id per rendering: a second submit of this same page is spotted.
    input.submission_id = Uuid::new_v4().to_string();
    let page = FormPage::new(&state.kb, input, FieldErrors::default(), csrf);
    Ok(render(&page)?.into_response())
}

async fn create(
    State(state): State<AppState>,
    client: ClientAddr,
    csrf: CsrfToken,
    Form(input): Form<TicketInput>,
) -> Result<Response> {
    match input.validate(OffsetDateTime::now_utc()) {
        Ok(ticket) => {
            state
                .limits
                .check(Level::Filing, &client.rate_key(), true)?;
            let now = OffsetDateTime::now_utc();
            let triage = ticket.triage(now, &state.config.response_targets);
            let outcome = state.store.insert_ticket(&ticket, &triage, now).await?;
            let token = outcome.token();
            tracing::info!(code = %ticket.error_code, "ticket filed");
            Ok(Redirect::to(&format!("/tickets/{token}?filed=1")).into_response())
        }
        Err(errors) => {
            let page = FormPage::new(&state.kb, input, errors, csrf);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct StatusQuery {
    filed: Option<String>,
    added: Option<String>,
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
}

/// Where a merged ticket went, as far as this requester may follow it.
struct MergedInto {
    reference: String,
    /// The survivor's status page, only when the same person filed it: a
    /// status page shows its requester's message and contact details.
    url: Option<String>,
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
    tree_url: String,
    csrf: CsrfToken,
    updates: Vec<Update>,
    merged_into: Option<MergedInto>,
    /// Whether the "Add information" form is offered (not once closed).
    can_add: bool,
    just_added: bool,
    addition: String,
    addition_error: Option<String>,
    max_addition: usize,
    max_addition_text: String,
}

async fn status_page(
    State(state): State<AppState>,
    Path(token): Path<String>,
    Query(query): Query<StatusQuery>,
    headers: axum::http::HeaderMap,
    csrf: CsrfToken,
) -> Result<Response> {
    let ticket = ticket_for_token(&state, &token).await?;
    let mut page = status_view(&state, ticket, csrf).await?;
    page.just_filed = query.filed.is_some();
    if page.just_filed {
        page.private_link = private_link(&headers, state.config.cookie_secure, &token);
    }
    page.just_added = query.added.is_some();
    Ok(render(&page)?.into_response())
}

/// `http(s)://host/tickets/{token}`, from the Host the browser used. The
/// scheme follows `--cookie-secure`, which is set when serving over HTTPS.
fn private_link(headers: &axum::http::HeaderMap, https: bool, token: &str) -> Option<String> {
    let host = headers.get(axum::http::header::HOST)?.to_str().ok()?;
    let plausible = !host.is_empty()
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b));
    let scheme = if https { "https" } else { "http" };
    plausible.then(|| format!("{scheme}://{host}/tickets/{token}"))
}

async fn ticket_for_token(state: &AppState, token: &str) -> Result<Ticket> {
    let token = Uuid::parse_str(token).map_err(|_| AppError::NotFound)?;
    state
        .store
        .ticket_by_token(token)
        .await?
        .ok_or(AppError::NotFound)
}

async fn status_view(state: &AppState, ticket: Ticket, csrf: CsrfToken) -> Result<StatusPage<'_>> {
    let code = ticket.details.error_code;
    let updates = state
        .store
        .public_timeline(ticket.id)
        .await?
        .iter()
        .filter_map(|event| {
            Some(Update {
                what: event.summary_for_requester()?,
                when: human_time(event.at),
                at: iso_time(event.at),
                body: event.body_for_requester().map(str::to_string),
                then: event.reply_status_for_requester(),
                by: match event.actor {
                    EventActor::Requester => "requester",
                    EventActor::Staff { .. } => "staff",
                    EventActor::System => "system",
                },
            })
        })
        .collect();
    let merged_into = match ticket.merged_into_id {
        Some(into) => {
            let survivor = state.store.ticket_by_id(into).await?;
            let same_requester = survivor.as_ref().is_some_and(|s| {
                !s.details.email.is_empty()
                    && s.details.email.eq_ignore_ascii_case(&ticket.details.email)
            });
            Some(MergedInto {
                reference: reference_for(into),
                url: survivor
                    .filter(|_| same_requester)
                    .map(|s| format!("/tickets/{}", s.token)),
            })
        }
        None => None,
    };
    Ok(StatusPage {
        reference: ticket.reference(),
        just_filed: false,
        private_link: None,
        checked: checks_made(&state.kb, Some(code), &ticket.details.path),
        article: state.kb.article_for(code),
        occurred_at: human_time(ticket.details.occurred_at),
        created_at: human_time(ticket.created_at),
        tree_url: links::troubleshoot(code, &[], &links::Carry::default()),
        csrf,
        updates,
        can_add: ticket.merged_into_id.is_none() && ticket.status != TicketStatus::Closed,
        merged_into,
        just_added: false,
        addition: String::new(),
        addition_error: None,
        max_addition: MAX_EVENT_BODY_CHARS,
        max_addition_text: crate::tickets::group_thousands(MAX_EVENT_BODY_CHARS),
        ticket,
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct AdditionForm {
    body: String,
}

/// "Add information" from the status page: appended to the timeline; a
/// ticket waiting on the requester (or resolved) goes back to support.
async fn add_information(
    State(state): State<AppState>,
    Path(token): Path<String>,
    client: ClientAddr,
    csrf: CsrfToken,
    Form(form): Form<AdditionForm>,
) -> Result<Response> {
    let ticket = ticket_for_token(&state, &token).await?;
    let problem = match EventBody::parse(&form.body) {
        Ok(body) => {
            let limits = &state.limits;
            limits.check(Level::Additions, &client.rate_key(), true)?;
            limits.check(Level::TicketAdditions, &ticket.id.to_string(), true)?;
            match state
                .store
                .add_requester_reply(ticket.id, &body, OffsetDateTime::now_utc())
                .await
            {
                Ok(_) => {
                    tracing::info!(ticket = ticket.id, "requester added information");
                    let to = format!("/tickets/{}?added=1#updates", ticket.token);
                    return Ok(Redirect::to(&to).into_response());
                }
                Err(ActionError::Refused(Refusal::Merged { .. })) => {
                    "This ticket was merged into another one, so it takes no more information."
                        .to_string()
                }
                Err(ActionError::Refused(refusal)) => refusal.message(),
                Err(ActionError::Database(e)) => return Err(e.into()),
            }
        }
        Err(message) => message,
    };
    let mut page = status_view(&state, ticket, csrf).await?;
    page.addition = form.body;
    page.addition_error = Some(problem);
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
}
