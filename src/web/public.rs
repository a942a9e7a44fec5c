//! The start page: pick an error code, or paste the message and let apidesk
//! recognise it.

use std::sync::Arc;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};

use super::client_addr::ClientAddr;
use super::csrf::CsrfToken;
use super::links::{self, Carry};
use super::rate_limit::{Level, RateLimits};
use super::render::render;
use crate::domain::ErrorCode;
use crate::error::Result;
use crate::kb::{KnowledgeBase, diagnose_off_thread};
use crate::tickets::MAX_MESSAGE_CHARS;
use crate::web::AppState;
use crate::web::incident_notice::{IncidentNotice, open_notices};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(start))
        .route("/diagnose", get(recognise).post(recognise_posted))
}

struct CodeChoice {
    href: String,
    label: String,
    summary: String,
}

#[derive(Template)]
#[template(path = "public/start.html")]
struct StartPage {
    /// The five errors most integrations meet, as large cards.
    common: Vec<CodeChoice>,
    /// "More errors": the other HTTP statuses with a tree of their own.
    more_statuses: Vec<CodeChoice>,
    /// "More errors": failures that never got a status, or a reply that could not be read.
    more_failures: Vec<CodeChoice>,
    something_else: CodeChoice,
    message: String,
    message_error: Option<&'static str>,
    /// Known incidents, said first.
    incidents: Vec<IncidentNotice>,
    csrf: CsrfToken,
}

impl StartPage {
    fn new(
        kb: &KnowledgeBase,
        message: String,
        message_error: Option<&'static str>,
        csrf: CsrfToken,
    ) -> Self {
        let choice = |code: ErrorCode| CodeChoice {
            href: links::troubleshoot(code, &[], &Carry::default()),
            label: code.label(),
            summary: kb.article_for(code).summary.clone(),
        };
        let more = || {
            ErrorCode::ALL
                .into_iter()
                .filter(|c| !c.is_common() && *c != ErrorCode::Other)
        };
        Self {
            common: ErrorCode::COMMON.into_iter().map(choice).collect(),
            more_statuses: more()
                .filter(|c| c.http_status().is_some())
                .map(choice)
                .collect(),
            more_failures: more()
                .filter(|c| c.http_status().is_none())
                .map(choice)
                .collect(),
            something_else: choice(ErrorCode::Other),
            message,
            message_error,
            incidents: Vec::new(),
            csrf,
        }
    }
}

async fn start(State(state): State<AppState>, csrf: CsrfToken) -> Result<Response> {
    let mut page = StartPage::new(&state.kb.get(), String::new(), None, csrf);
    page.incidents = open_notices(&state, None).await;
    Ok(render(&page)?.into_response())
}

/// The start page's paste form: posted, so that what was pasted (often a
/// stack trace, sometimes with a credential in it) stays out of the URL and
/// the browser's history; the tree it leads to carries it redacted.
async fn recognise_posted(
    State(kb): State<Arc<KnowledgeBase>>,
    State(limits): State<RateLimits>,
    client: ClientAddr,
    csrf: CsrfToken,
    Form(carry): Form<Carry>,
) -> Result<Response> {
    recognised(&kb, &limits, &client, csrf, &carry).await
}

/// Reads the pasted message and sends the person to the matching tree,
/// carrying the message (and the method, if it names one) along. Kept for
/// links that put the message in the query string.
async fn recognise(
    State(kb): State<Arc<KnowledgeBase>>,
    State(limits): State<RateLimits>,
    client: ClientAddr,
    csrf: CsrfToken,
    Query(carry): Query<Carry>,
) -> Result<Response> {
    recognised(&kb, &limits, &client, csrf, &carry).await
}

async fn recognised(
    kb: &KnowledgeBase,
    limits: &RateLimits,
    client: &ClientAddr,
    csrf: CsrfToken,
    carry: &Carry,
) -> Result<Response> {
    let message = carry.message.trim();
    let problem = if message.is_empty() {
        Some("Paste the error message first, or pick the error code below.")
    } else if message.chars().count() > MAX_MESSAGE_CHARS {
        // A ticket takes no more, and every link on the way carries the message.
        Some(
            "That is longer than 10,000 characters, the most a ticket takes. \
             Keep the part that names the error (usually the first lines) and try again.",
        )
    } else {
        None
    };
    if let Some(problem) = problem {
        let page = StartPage::new(kb, message.to_string(), Some(problem), csrf);
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response());
    }
    limits.check(Level::Diagnose, &client.rate_key(), false)?;
    let diagnosis = diagnose_off_thread(message.to_string()).await;
    // Every page on the way carries the message in its links: never a
    // credential pasted with it.
    let carry = Carry {
        message: crate::tickets::redact::redact(message).text,
        method: diagnosis
            .method
            .map(|m| m.as_str().to_string())
            .unwrap_or_default(),
    };
    let code = diagnosis.code.unwrap_or(ErrorCode::Other);
    Ok(Redirect::to(&links::troubleshoot(code, &[], &carry)).into_response())
}
