//! The decision tree: one check at a time, "did that fix it?", until it is
//! fixed (a deflection) or the checks run out (the article and the form).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;
use sha2::Digest;
use time::OffsetDateTime;

use super::client_addr::ClientAddr;
use super::csrf::CsrfToken;
use super::links::{self, Carry};
use super::rate_limit::Level;
use super::render::render;
use crate::domain::ErrorCode;
use crate::error::{AppError, Result};
use crate::insights::WalkMark;
use crate::kb::{Article, Step, diagnose_off_thread};
use crate::web::AppState;
use crate::web::incident_notice::{IncidentNotice, open_notices};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/troubleshoot/{code}", get(step_page))
        .route(
            "/troubleshoot/{code}/fixed",
            post(record_fix).get(fixed_page),
        )
}

fn parse_code(code: &str) -> Result<ErrorCode> {
    ErrorCode::parse(code).ok_or(AppError::NotFound)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct TreeQuery {
    /// Step ids already answered "still failing", comma-separated.
    path: String,
    #[serde(flatten)]
    carry: Carry,
}

#[derive(Template)]
#[template(path = "troubleshoot/step.html")]
struct StepPage<'a> {
    code: ErrorCode,
    article: &'a Article,
    done: Vec<&'a Step>,
    current: Option<&'a Step>,
    number: usize,
    total: usize,
    csrf: CsrfToken,
    notice: Option<String>,
    carry: Carry,
    /// The steps already answered "still failing", comma-separated, posted
    /// with "Yes, fixed" so the thank-you page can lead back in.
    path: String,
    /// "No, still failing" on the last check leads to support, not a check.
    last: bool,
    no_url: String,
    back_url: Option<String>,
    restart_url: String,
    article_url: String,
    ticket_url: String,
    /// On the 429 checks: the rate-limit calculator, keeping the way back.
    calculator_url: Option<String>,
    /// Known incidents that cause this code, said first.
    incidents: Vec<IncidentNotice>,
}

async fn step_page(
    State(state): State<AppState>,
    Path(code): Path<String>,
    Query(query): Query<TreeQuery>,
    csrf: CsrfToken,
) -> Result<Response> {
    let code = parse_code(&code)?;
    let kb = state.kb.get();
    let tree = kb.tree(code);
    let given = split_path(&query.path);
    // A link from before a step was renamed or split names the earlier id:
    // it stands for its successor, so the walk goes on instead of stopping.
    let path = tree.current_path(&given);
    let walk = match tree.walk(&path) {
        Ok(walk) if path == given => walk,
        Ok(_) => {
            let url = links::troubleshoot(code, &path, &query.carry);
            return Ok(Redirect::to(&url).into_response());
        }
        // An edited link: keep the part that still makes sense.
        Err(valid) => {
            let url = links::troubleshoot(code, &path[..valid], &query.carry);
            return Ok(Redirect::to(&url).into_response());
        }
    };
    let carry = query.carry;
    let next_path: Vec<&str> = path
        .iter()
        .copied()
        .chain(walk.current.map(|s| s.id.as_str()))
        .collect();
    if let Some(step) = walk.current {
        let first = path.is_empty();
        count_walk(&state, code, &step.id, WalkMark::Reached { first }, &csrf);
    }
    let article = kb.article_for(code);
    let page = StepPage {
        code,
        article,
        number: walk.done.len() + 1,
        total: tree.steps.len(),
        current: walk.current,
        notice: notice(code, &carry.message).await,
        path: path.join(","),
        last: walk.done.len() + 1 == tree.steps.len(),
        no_url: links::troubleshoot(code, &next_path, &carry),
        back_url: (!path.is_empty())
            .then(|| links::troubleshoot(code, &path[..path.len() - 1], &carry)),
        restart_url: links::troubleshoot(code, &[], &carry),
        article_url: links::article(&article.slug, code, &path, &carry),
        ticket_url: links::ticket_form(code, &path, &carry),
        calculator_url: (code == ErrorCode::TooManyRequests)
            .then(|| links::calculator(&path, &carry)),
        incidents: open_notices(&state, Some(code)).await,
        done: walk.done,
        csrf,
        carry,
    };
    Ok(render(&page)?.into_response())
}

/// What we understood from a pasted message, said plainly.
async fn notice(code: ErrorCode, message: &str) -> Option<String> {
    if message.trim().is_empty() {
        return None;
    }
    let diagnosis = diagnose_off_thread(message.to_string()).await;
    let method = diagnosis
        .method
        .map(|m| format!(" on a {m} request"))
        .unwrap_or_default();
    Some(match (code, diagnosis.status) {
        (ErrorCode::Other, Some(status)) => format!(
            "Your message shows HTTP {status}{method}. apidesk has no guide for that code yet, \
             so these are the general checks that solve most API failures."
        ),
        (ErrorCode::Other, None) => "We could not tell which error this is, and that is fine: \
             these general checks solve most API failures. If you later see a status code, a \
             timeout or a certificate error, the start page has checks for each."
            .to_string(),
        (code, Some(status)) if code.http_status() == Some(status) => {
            format!("Your message shows {}{method}.", code.label())
        }
        (code, _) => format!("Your message reads like {}{method}.", kind_of_failure(code)),
    })
}

/// An error in the words of "Your message reads like …": an HTTP status by
/// its number and name, a failure without one in plain words.
fn kind_of_failure(code: ErrorCode) -> String {
    match code {
        ErrorCode::Timeout => "a timeout: the call waited too long for an answer".into(),
        ErrorCode::Connection => "a connection that was refused or cut off".into(),
        ErrorCode::Dns => "a host name that could not be found (DNS)".into(),
        ErrorCode::Tls => "a certificate or TLS problem on the secure connection".into(),
        ErrorCode::InvalidJson => "a reply that is not the JSON your tool expected".into(),
        ErrorCode::Pagination => "records missing or repeated across pages".into(),
        code => code.label(),
    }
}

#[derive(Deserialize)]
struct FixForm {
    step: String,
    #[serde(default)]
    path: String,
    #[serde(flatten)]
    carry: Carry,
}

/// "Yes, fixed": counted once per visitor and step, then
/// redirected so that a reload of the thank-you page does not count again.
/// The visitor is the browser's form token (a hash of it is stored); the
/// per-address limit stops floods from fresh browsers.
async fn record_fix(
    State(state): State<AppState>,
    Path(code): Path<String>,
    client: ClientAddr,
    csrf: CsrfToken,
    Form(form): Form<FixForm>,
) -> Result<Redirect> {
    let code = parse_code(&code)?;
    let kb = state.kb.get();
    let tree = kb.tree(code);
    // A page opened before a step was renamed posts the earlier id.
    let step = tree
        .current_id(&form.step)
        .and_then(|id| tree.step(id))
        .ok_or(AppError::NotFound)?;
    state
        .limits
        .check(Level::Fixed, &client.rate_key(), false)?;
    state
        .store
        .record_deflection(
            tree,
            &step.id,
            &visitor_hash(&csrf),
            OffsetDateTime::now_utc(),
        )
        .await?;
    crate::metrics::deflected(code.as_str());
    count_walk(&state, code, &step.id, WalkMark::Fixed, &csrf);
    let path = split_path(&form.path);
    Ok(Redirect::to(&links::fixed(
        code,
        &step.id,
        &path,
        &form.carry,
    )))
}

/// Who the visitor is, for counting them once: a hash of their form token
/// (itself a keyed hash of a random cookie), never the token.
fn visitor_hash(csrf: &CsrfToken) -> String {
    hex::encode(sha2::Sha256::digest(csrf.as_str().as_bytes()))
}

/// Counts a step of a walk for the team lead's insights, once per visitor,
/// step and day, without the page waiting for it (`web::walk_counts`).
fn count_walk(state: &AppState, code: ErrorCode, step_id: &str, mark: WalkMark, csrf: &CsrfToken) {
    state
        .walks
        .count(&state.store, code, step_id, mark, visitor_hash(csrf));
}

fn split_path(path: &str) -> Vec<&str> {
    path.split(',').filter(|s| !s.is_empty()).collect()
}

#[derive(Deserialize)]
struct FixedQuery {
    step: String,
    #[serde(default)]
    path: String,
    #[serde(flatten)]
    carry: Carry,
}

#[derive(Template)]
#[template(path = "troubleshoot/fixed.html")]
struct FixedPage<'a> {
    code: ErrorCode,
    step: &'a Step,
    article: &'a Article,
    /// "Not fixed after all?": the check after this one, context kept.
    continue_url: String,
}

async fn fixed_page(
    State(state): State<AppState>,
    Path(code): Path<String>,
    Query(query): Query<FixedQuery>,
) -> Result<Response> {
    let code = parse_code(&code)?;
    let kb = state.kb.get();
    let tree = kb.tree(code);
    let step = tree
        .current_id(&query.step)
        .and_then(|id| tree.step(id))
        .ok_or(AppError::NotFound)?;
    // The path walked before this step, then this step: where "No, still
    // failing" would have led. A stale path is trimmed by the tree page.
    let mut onward = split_path(&query.path);
    onward.push(&step.id);
    let page = FixedPage {
        code,
        step,
        article: kb.article_for(code),
        continue_url: links::troubleshoot(code, &onward, &query.carry),
    };
    Ok(render(&page)?.into_response())
}
