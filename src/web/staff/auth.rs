//! Signing in and out.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::{AppendHeaders, IntoResponse, Redirect, Response};
use axum::{Form, http::HeaderMap};
use serde::Deserialize;
use time::OffsetDateTime;

use super::guesses;
use super::session::{CurrentStaff, SessionId, clear_cookie, safe_next};
use crate::error::Result;
use crate::staff::{HashingBusy, Password, StaffMember, verify_password_off_thread};
use crate::web::AppState;
use crate::web::csrf::CsrfToken;
use crate::web::render::render;

const WRONG_CREDENTIALS: &str = "That email and password do not match an active account.";
const BUSY: &str = "The server is busy signing other people in. Try again in a minute.";

#[derive(Template)]
#[template(path = "staff/login.html")]
struct LoginPage {
    email: String,
    next: String,
    error: Option<String>,
    signed_out: bool,
    /// Back from a second step that took too long.
    expired: bool,
    csrf: CsrfToken,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LoginQuery {
    next: String,
    signed_out: Option<String>,
    expired: Option<String>,
}

pub async fn login_page(Query(query): Query<LoginQuery>, csrf: CsrfToken) -> Result<Response> {
    let page = LoginPage {
        email: String::new(),
        next: safe_next(&query.next).to_string(),
        error: None,
        signed_out: query.signed_out.is_some(),
        expired: query.expired.is_some(),
        csrf,
    };
    Ok(render(&page)?.into_response())
}

#[derive(Default, Deserialize)]
#[serde(default)]
pub struct LoginForm {
    email: String,
    password: String,
    next: String,
}

impl std::fmt::Debug for LoginForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoginForm")
            .field("email", &self.email)
            .field("password", &"<redacted>")
            .finish()
    }
}

pub async fn login(
    State(state): State<AppState>,
    crate::web::client_addr::ClientAddr(ip): crate::web::client_addr::ClientAddr,
    headers: HeaderMap,
    csrf: CsrfToken,
    Form(form): Form<LoginForm>,
) -> Result<Response> {
    let email = form.email.trim().to_lowercase();
    let next = safe_next(&form.next).to_string();
    let refuse = |status: StatusCode, error: String| -> Result<Response> {
        let page = LoginPage {
            email: form.email.trim().to_string(),
            next: next.clone(),
            error: Some(error),
            signed_out: false,
            expired: false,
            csrf: csrf.clone(),
        };
        Ok((status, render(&page)?).into_response())
    };

    // The guess is counted before the password is checked.
    let attempt = match guesses::reserve(&state, &email, ip).await? {
        Ok(attempt) => attempt,
        Err(wait) => {
            crate::metrics::signin_failed("rate_limited");
            audit_sign_in("rate_limited", None);
            let page = refuse(StatusCode::TOO_MANY_REQUESTS, wait.message("sign-ins"))?;
            return Ok(([wait.header()], page).into_response());
        }
    };

    let credentials = state.store.staff_credentials(&email).await?;
    let password = Password::offered(form.password.clone());
    let hash = credentials.as_ref().map(|(_, hash)| hash.clone());
    let matches = match verify_password_off_thread(password, hash).await {
        Ok(matches) => matches,
        Err(err) if err.is::<HashingBusy>() => {
            // Not evaluated, so not counted against the account.
            state.store.release_login_attempt(attempt).await?;
            crate::metrics::signin_failed("busy");
            audit_sign_in("busy", None);
            return refuse(StatusCode::SERVICE_UNAVAILABLE, BUSY.into());
        }
        Err(err) => return Err(err.into()),
    };
    let staff = match credentials {
        Some((staff, _)) if matches && !staff.disabled => staff,
        other => {
            // The reserved attempt stays, as the recorded failure.
            let outcome = match other {
                Some((staff, _)) if matches => ("disabled", Some(staff.id)),
                Some((staff, _)) => ("wrong_credentials", Some(staff.id)),
                None => ("wrong_credentials", None),
            };
            crate::metrics::signin_failed(outcome.0);
            audit_sign_in(outcome.0, outcome.1);
            return refuse(StatusCode::UNAUTHORIZED, WRONG_CREDENTIALS.into());
        }
    };
    state.store.release_login_attempt(attempt).await?;

    // With a second factor on, the right password only leads to its step.
    if state
        .store
        .staff_totp(staff.id)
        .await?
        .is_some_and(|totp| totp.is_on())
    {
        audit_sign_in("code_required", Some(staff.id));
        return super::sign_in_code::challenge(&state, staff.id, &next).await;
    }
    let cookies = start_session(&state, &headers, &staff).await?;
    Ok((AppendHeaders(cookies), Redirect::to(&next)).into_response())
}

/// Signs `staff` in: a new session (any this browser had ends), their
/// failed sign-ins forgotten. Returns the cookies to set: the session's,
/// and a new CSRF value.
pub(super) async fn start_session(
    state: &AppState,
    headers: &HeaderMap,
    staff: &StaffMember,
) -> Result<[(HeaderName, HeaderValue); 2]> {
    if let Some(old) = SessionId::from_headers(headers, state.config.cookie_secure) {
        state.store.end_session(&old.hash()).await?;
    }
    let session = SessionId::generate();
    state
        .store
        .create_session(&session.hash(), staff.id, OffsetDateTime::now_utc())
        .await?;
    state
        .store
        .clear_login_failures(&guesses::account_scope(&staff.email))
        .await?;
    audit_sign_in("signed_in", Some(staff.id));
    let secure = state.config.cookie_secure;
    Ok([
        (SET_COOKIE, session.cookie(secure)),
        (SET_COOKIE, crate::web::csrf::renewed_cookie(secure)),
    ])
}

pub async fn logout(
    State(state): State<AppState>,
    CurrentStaff(staff): CurrentStaff,
    headers: HeaderMap,
) -> Result<Response> {
    if let Some(session) = SessionId::from_headers(&headers, state.config.cookie_secure) {
        state.store.end_session(&session.hash()).await?;
    }
    tracing::info!(staff_id = staff.id, "signed out");
    Ok((
        [clear_cookie(state.config.cookie_secure)],
        Redirect::to("/staff/login?signed_out=1"),
    )
        .into_response())
}

/// One audit line per sign-in attempt: its outcome, and the account when
/// the address names one. Never the address typed (a password pasted into
/// the wrong field would land in the log) nor the password.
fn audit_sign_in(outcome: &'static str, staff_id: Option<i64>) {
    let request_id = crate::telemetry::request_id().unwrap_or_default();
    match staff_id {
        Some(staff_id) => tracing::info!(
            target: "apidesk::audit",
            action = "sign_in",
            outcome,
            staff_id,
            request_id,
            "sign-in attempt"
        ),
        None => tracing::info!(
            target: "apidesk::audit",
            action = "sign_in",
            outcome,
            request_id,
            "sign-in attempt"
        ),
    }
}
