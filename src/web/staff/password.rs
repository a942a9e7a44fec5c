//! "Change my password", for every staff member: the current password, and
//! the new one twice, under the rules every new password follows
//! (`Password::new`). A wrong current password counts
//! as a failed sign-in (the same limits lock both), and a change ends every
//! other session of the account while this one stays. Someone signed in
//! with a temporary password an admin gave them is sent here first.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};
use serde::Deserialize;

use super::guesses;
use super::session::{CurrentStaff, SessionId};
use crate::error::{AppError, Result};
use crate::staff::{
    HashingBusy, Password, PasswordChangeInput, PasswordOwner, StaffMember,
    hash_password_off_thread, verify_password_off_thread,
};
use crate::tickets::FieldErrors;
use crate::web::AppState;
use crate::web::client_addr::ClientAddr;
use crate::web::csrf::CsrfToken;
use crate::web::render::render;

pub(super) const PAGE: &str = "/staff/password";

const WRONG_CURRENT: &str = "That is not your current password. Type the one you signed in with.";
const BUSY: &str = "The server is busy checking other passwords. Try again in a minute.";

pub(super) fn router() -> Router<AppState> {
    Router::new().route(PAGE, get(page).post(change))
}

#[derive(Template)]
#[template(path = "staff/password.html")]
struct PasswordPage {
    me: StaffMember,
    csrf: CsrfToken,
    /// Each field's mistake. What was typed is never shown back.
    errors: FieldErrors,
    flash: Option<String>,
}

impl PasswordPage {
    fn error(&self, field: &str) -> Option<&str> {
        self.errors.get(field)
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct PageQuery {
    /// After a change: how many other sessions it ended.
    changed: String,
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct ChangeForm {
    current_password: String,
    new_password: String,
    confirm_password: String,
}

impl std::fmt::Debug for ChangeForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ChangeForm(<redacted>)")
    }
}

/// The notice after a change, saying what became of the other sessions.
fn changed_notice(ended: u64) -> String {
    match ended {
        0 => "Password changed. You were not signed in anywhere else.".to_string(),
        1 => "Password changed. You stay signed in here; your other session was signed out."
            .to_string(),
        n => format!(
            "Password changed. You stay signed in here; your {n} other sessions were signed out."
        ),
    }
}

async fn page(
    CurrentStaff(me): CurrentStaff,
    csrf: CsrfToken,
    Query(query): Query<PageQuery>,
) -> Result<Response> {
    let page = PasswordPage {
        me,
        csrf,
        errors: FieldErrors::default(),
        flash: query.changed.parse().ok().map(changed_notice),
    };
    Ok(render(&page)?.into_response())
}

async fn change(
    State(state): State<AppState>,
    CurrentStaff(me): CurrentStaff,
    ClientAddr(ip): ClientAddr,
    headers: HeaderMap,
    csrf: CsrfToken,
    Form(form): Form<ChangeForm>,
) -> Result<Response> {
    let input = PasswordChangeInput {
        current: form.current_password,
        new: form.new_password,
        confirm: form.confirm_password,
    };
    // The strength estimate is CPU work: off the async workers.
    let owner = PasswordOwner::new(&me.email, &me.name);
    let (input, checked) = tokio::task::spawn_blocking(move || {
        let checked = input.check(&owner);
        (input, checked)
    })
    .await
    .map_err(anyhow::Error::from)?;
    let (new, errors) = match checked {
        Ok(new) => (Some(new), FieldErrors::default()),
        Err(errors) => (None, errors),
    };
    let refuse = |status: StatusCode, me: StaffMember, errors: FieldErrors| -> Result<Response> {
        let page = PasswordPage {
            me,
            csrf: csrf.clone(),
            errors,
            flash: None,
        };
        Ok((status, render(&page)?).into_response())
    };
    if input.current.is_empty() {
        return refuse(StatusCode::UNPROCESSABLE_ENTITY, me, errors);
    }

    // The current password is checked as a sign-in is: counted first, so
    // that guesses from a session left open meet the same limits.
    let attempt = match guesses::reserve(&state, &me.email, ip).await? {
        Ok(attempt) => attempt,
        Err(wait) => {
            tracing::warn!(
                staff_id = me.id,
                "password change refused: too many recent failures"
            );
            let mut errors = FieldErrors::default();
            errors.add(
                "current_password",
                wait.message("password checks for your account"),
            );
            let page = refuse(StatusCode::TOO_MANY_REQUESTS, me, errors)?;
            return Ok(([wait.header()], page).into_response());
        }
    };
    let hash = state
        .store
        .staff_credentials(&me.email)
        .await?
        .map(|(_, hash)| hash);
    let matches = match verify_password_off_thread(Password::offered(input.current), hash).await {
        Ok(matches) => matches,
        Err(err) if err.is::<HashingBusy>() => {
            state.store.release_login_attempt(attempt).await?;
            let mut errors = FieldErrors::default();
            errors.add("current_password", BUSY);
            return refuse(StatusCode::SERVICE_UNAVAILABLE, me, errors);
        }
        Err(err) => return Err(err.into()),
    };
    if !matches {
        // The reserved attempt stays, as the recorded failure.
        tracing::info!(
            staff_id = me.id,
            "password change refused: wrong current password"
        );
        // Listed first, as its field comes first.
        let mut ordered = FieldErrors::default();
        ordered.add("current_password", WRONG_CURRENT);
        for (field, message) in errors.iter() {
            ordered.add(field, message);
        }
        return refuse(StatusCode::UNPROCESSABLE_ENTITY, me, ordered);
    }
    state.store.release_login_attempt(attempt).await?;
    let Some(new) = new else {
        return refuse(StatusCode::UNPROCESSABLE_ENTITY, me, errors);
    };

    let hash = match hash_password_off_thread(new).await {
        Ok(hash) => hash,
        Err(err) if err.is::<HashingBusy>() => {
            let mut errors = FieldErrors::default();
            errors.add("new_password", BUSY);
            return refuse(StatusCode::SERVICE_UNAVAILABLE, me, errors);
        }
        Err(err) => return Err(err.into()),
    };
    let this_session = SessionId::from_headers(&headers, state.config.cookie_secure)
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("a signed-in request has no session")))?;
    let ended = state
        .store
        .change_own_password(me.id, &hash, &this_session.hash())
        .await?;
    state
        .store
        .clear_login_failures(&guesses::account_scope(&me.email))
        .await?;
    tracing::info!(
        target: "apidesk::audit",
        staff_id = me.id,
        by = me.id,
        action = "own_password_changed",
        sessions_ended = ended,
        "staff account changed"
    );
    Ok(Redirect::to(&format!("{PAGE}?changed={ended}")).into_response())
}

#[cfg(test)]
mod tests {
    use super::changed_notice;

    #[test]
    fn the_notice_counts_the_sessions_ended() {
        assert!(changed_notice(0).contains("not signed in anywhere else"));
        assert!(changed_notice(1).contains("your other session was"));
        assert!(changed_notice(3).contains("your 3 other sessions were"));
    }
}
