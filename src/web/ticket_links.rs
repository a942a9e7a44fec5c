//! "Email me my tickets": a requester who lost the private link to a ticket
//! types their address and is mailed the links to its tickets still in
//! progress. The page says the same whether or not the address has tickets,
//! so it cannot be used to learn who filed one.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};
use serde::Deserialize;
use time::OffsetDateTime;

use super::AppState;
use super::client_addr::ClientAddr;
use super::csrf::CsrfToken;
use super::render::render;
use crate::config::Level;
use crate::error::Result;
use crate::tickets::{OutgoingMail, check_email};

pub fn router() -> Router<AppState> {
    Router::new().route("/tickets/lost", get(page).post(send))
}

#[derive(Template)]
#[template(path = "tickets/lost.html")]
struct LostPage {
    csrf: CsrfToken,
    mail_on: bool,
    sent: bool,
    email: String,
    error: Option<&'static str>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct LostQuery {
    sent: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct LostForm {
    email: String,
}

async fn page(
    State(state): State<AppState>,
    csrf: CsrfToken,
    Query(query): Query<LostQuery>,
) -> Result<Response> {
    let page = LostPage {
        csrf,
        mail_on: state.outgoing_mail == OutgoingMail::On,
        sent: query.sent.is_some(),
        email: String::new(),
        error: None,
    };
    Ok(render(&page)?.into_response())
}

async fn send(
    State(state): State<AppState>,
    client: ClientAddr,
    csrf: CsrfToken,
    Form(form): Form<LostForm>,
) -> Result<Response> {
    if let Err(problem) = check_email(&form.email) {
        let page = LostPage {
            csrf,
            mail_on: state.outgoing_mail == OutgoingMail::On,
            sent: false,
            email: form.email,
            error: Some(problem),
        };
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response());
    }
    state.limits.check(Level::Links, &client.rate_key(), true)?;
    let written = state
        .store
        .mail_ticket_links(&form.email, OffsetDateTime::now_utc())
        .await?;
    // Logged without the address: whether it has tickets is private.
    tracing::info!(written = written.is_some(), "links to tickets asked for");
    Ok(Redirect::to("/tickets/lost?sent=1").into_response())
}
