//! The second step of signing in, for staff with a second factor: the
//! right password leads here instead of to a session. The browser holds a
//! random cookie (5 minutes, this path only) whose hash the database keeps
//! with the account; the code typed here is counted against the same
//! limits as passwords, and only a right one creates the session.

use std::fmt;

use askama::Template;
use axum::extract::State;
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{AppendHeaders, IntoResponse, Redirect, Response};
use axum::{Form, Router, routing::get};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use time::{Duration, OffsetDateTime};

use super::auth::start_session;
use super::second_factor::{Accept, Proof, check_proof};
use crate::error::Result;
use crate::tickets::FieldErrors;
use crate::web::AppState;
use crate::web::client_addr::ClientAddr;
use crate::web::cookies::{random_token, token_cookie};
use crate::web::csrf::CsrfToken;
use crate::web::render::render;

pub(super) const PAGE: &str = "/staff/login/code";
const COOKIE_NAME: &str = "apidesk_sign_in";
/// Long enough to open the app and type; short enough that a browser left
/// at this step is soon back to needing the password.
const LIFETIME: Duration = Duration::minutes(5);
const EXPIRED: &str = "/staff/login?expired=1";

const ENTER_CODE: &str =
    "Enter the 6-digit code your authenticator app shows now, or one of your recovery codes.";
const WRONG_CODE: &str = "That code is not right, or was already used. Wait for the app to show a new code and type it, or use a recovery code.";

pub(super) fn router() -> Router<AppState> {
    Router::new().route(PAGE, get(page).post(submit))
}

/// The cookie's value. Never logged.
struct ChallengeId(String);

impl fmt::Debug for ChallengeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ChallengeId(<redacted>)")
    }
}

impl ChallengeId {
    fn from_headers(headers: &HeaderMap) -> Option<Self> {
        token_cookie(headers, COOKIE_NAME).map(Self)
    }

    fn hash(&self) -> String {
        hex::encode(Sha256::digest(self.0.as_bytes()))
    }
}

fn cookie(value: &str, max_age: i64, secure: bool) -> (HeaderName, HeaderValue) {
    let secure = if secure { "; Secure" } else { "" };
    let value = format!(
        "{COOKIE_NAME}={value}; Path=/staff/login; HttpOnly; SameSite=Strict; Max-Age={max_age}{secure}"
    );
    (
        SET_COOKIE,
        HeaderValue::from_str(&value).expect("hex is a valid header value"),
    )
}

/// After the right password: records the waiting sign-in and sends the
/// browser to type its code.
pub(super) async fn challenge(state: &AppState, staff_id: i64, next: &str) -> Result<Response> {
    let id = ChallengeId(random_token());
    state
        .store
        .create_sign_in_challenge(
            &id.hash(),
            staff_id,
            next,
            OffsetDateTime::now_utc() + LIFETIME,
        )
        .await?;
    tracing::info!(staff_id, "password right; waiting for the second factor");
    Ok((
        [cookie(
            &id.0,
            LIFETIME.whole_seconds(),
            state.config.cookie_secure,
        )],
        Redirect::to(PAGE),
    )
        .into_response())
}

#[derive(Template)]
#[template(path = "staff/login_code.html")]
struct CodePage {
    csrf: CsrfToken,
    /// The code field's mistake; a code typed is never shown back.
    errors: FieldErrors,
}

impl CodePage {
    fn error(&self, field: &str) -> Option<&str> {
        self.errors.get(field)
    }
}

#[derive(Template)]
#[template(path = "staff/login_recovery.html")]
struct RecoveryUsedPage {
    left: i64,
    next: String,
}

/// The waiting sign-in this browser's cookie names: its staff member (still
/// active) and where they were going.
async fn waiting(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<Option<(ChallengeId, crate::staff::StaffMember, String)>> {
    let Some(id) = ChallengeId::from_headers(headers) else {
        return Ok(None);
    };
    let Some((staff_id, next)) = state
        .store
        .sign_in_challenge(&id.hash(), OffsetDateTime::now_utc())
        .await?
    else {
        return Ok(None);
    };
    Ok(state
        .store
        .staff_by_id(staff_id)
        .await?
        .filter(|staff| !staff.disabled)
        .map(|staff| (id, staff, next)))
}

fn expired(state: &AppState) -> Response {
    (
        [cookie("", 0, state.config.cookie_secure)],
        Redirect::to(EXPIRED),
    )
        .into_response()
}

async fn page(
    State(state): State<AppState>,
    headers: HeaderMap,
    csrf: CsrfToken,
) -> Result<Response> {
    if waiting(&state, &headers).await?.is_none() {
        return Ok(expired(&state));
    }
    let page = CodePage {
        csrf,
        errors: FieldErrors::default(),
    };
    Ok(render(&page)?.into_response())
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct CodeForm {
    code: String,
}

impl fmt::Debug for CodeForm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CodeForm(<redacted>)")
    }
}

async fn submit(
    State(state): State<AppState>,
    ClientAddr(ip): ClientAddr,
    headers: HeaderMap,
    csrf: CsrfToken,
    Form(form): Form<CodeForm>,
) -> Result<Response> {
    let Some((id, staff, next)) = waiting(&state, &headers).await? else {
        return Ok(expired(&state));
    };
    let refuse = |status: StatusCode, message: &str| -> Result<Response> {
        let mut errors = FieldErrors::default();
        errors.add("code", message);
        let page = CodePage {
            csrf: csrf.clone(),
            errors,
        };
        Ok((status, render(&page)?).into_response())
    };
    if form.code.trim().is_empty() {
        return refuse(StatusCode::UNPROCESSABLE_ENTITY, ENTER_CODE);
    }
    let left = match check_proof(&state, &staff, ip, &form.code, Accept::Codes).await? {
        Proof::Code => None,
        Proof::Recovery { left } => Some(left),
        Proof::TooMany(wait) => {
            tracing::warn!(
                staff_id = staff.id,
                "second sign-in step refused: too many recent failures"
            );
            let page = refuse(StatusCode::TOO_MANY_REQUESTS, &wait.message("sign-ins"))?;
            return Ok(([wait.header()], page).into_response());
        }
        Proof::Wrong | Proof::Password | Proof::Busy => {
            tracing::info!(staff_id = staff.id, "second sign-in step failed");
            return refuse(StatusCode::UNAUTHORIZED, WRONG_CODE);
        }
    };
    state.store.end_sign_in_challenge(&id.hash()).await?;
    let [session, csrf_cookie] = start_session(&state, &headers, &staff).await?;
    let cookies = [
        session,
        csrf_cookie,
        cookie("", 0, state.config.cookie_secure),
    ];
    match left {
        None => Ok((AppendHeaders(cookies), Redirect::to(&next)).into_response()),
        Some(left) => {
            tracing::info!(
                target: "apidesk::audit",
                staff_id = staff.id,
                by = staff.id,
                action = "recovery_code_used",
                recovery_codes_left = left,
                "staff account changed"
            );
            let page = RecoveryUsedPage { left, next };
            Ok((AppendHeaders(cookies), render(&page)?).into_response())
        }
    }
}
