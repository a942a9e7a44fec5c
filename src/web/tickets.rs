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

use super::csrf::CsrfToken;
use super::format::human_time;
use super::links;
use super::render::render;
use crate::domain::{ErrorCode, HttpMethod};
use crate::error::{AppError, Result};
use crate::kb::{Article, KnowledgeBase};
use crate::state::AppState;
use crate::tickets::{
    Environment, FieldErrors, MAX_MESSAGE_CHARS, Ticket, TicketInput, Tool, UTC_OFFSETS,
    split_for_form,
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/tickets/new", get(new_form))
        .route("/tickets", post(create))
        .route("/tickets/{token}", get(status_page))
}

/// The checks a path names, as the questions the person answered; steps
/// that no longer exist in the tree are shown by their id.
fn checks_made(kb: &KnowledgeBase, code: Option<ErrorCode>, path: &[String]) -> Vec<String> {
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
    max_message: usize,
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
            max_message: MAX_MESSAGE_CHARS,
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
    csrf: CsrfToken,
    Form(input): Form<TicketInput>,
) -> Result<Response> {
    match input.validate(OffsetDateTime::now_utc()) {
        Ok(ticket) => {
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
}

#[derive(Template)]
#[template(path = "tickets/status.html")]
struct StatusPage<'a> {
    ticket: Ticket,
    reference: String,
    just_filed: bool,
    checked: Vec<String>,
    article: &'a Article,
    occurred_at: String,
    created_at: String,
    tree_url: String,
}

async fn status_page(
    State(state): State<AppState>,
    Path(token): Path<String>,
    Query(query): Query<StatusQuery>,
) -> Result<Response> {
    let token = Uuid::parse_str(&token).map_err(|_| AppError::NotFound)?;
    let ticket = state
        .store
        .ticket_by_token(token)
        .await?
        .ok_or(AppError::NotFound)?;
    let code = ticket.details.error_code;
    let page = StatusPage {
        reference: ticket.reference(),
        just_filed: query.filed.is_some(),
        checked: checks_made(&state.kb, Some(code), &ticket.details.path),
        article: state.kb.article_for(code),
        occurred_at: human_time(ticket.details.occurred_at),
        created_at: human_time(ticket.created_at),
        tree_url: links::troubleshoot(code, &[], &links::Carry::default()),
        ticket,
    };
    Ok(render(&page)?.into_response())
}
