//! Staff accounts, for admins: everyone with their role, whether they can
//! sign in and when they last did; adding someone (apidesk makes up a
//! temporary password, shown once, that they replace at their first
//! sign-in); and, on each person's page, changing their role, disabling
//! and enabling them, resetting their password, and turning off their
//! second factor when they lost it. Agents are refused
//! (403). Every change is an audit line in the log, never with a password.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;
use time::OffsetDateTime;

use super::session::{CurrentStaff, clear_cookie, require_admin};
use crate::domain::human_time_in;
use crate::error::{AppError, Result};
use crate::staff::{
    AccountChange, AccountChanged, AccountRefusal, EMAIL_TAKEN, HashingBusy, NewAccount,
    NewStaffError, NewStaffMember, Role, StaffAccount, StaffMember, TemporaryPassword,
    hash_password_off_thread,
};
use crate::store::{AccountChangeError, AddStaffError};
use crate::tickets::FieldErrors;
use crate::web::AppState;
use crate::web::csrf::CsrfToken;
use crate::web::links::with_query;
use crate::web::render::render;

const BUSY: &str = "The server is busy checking passwords. Try again in a minute.";
const OWN_SECOND_FACTOR: &str = "To change your own two-step sign-in, use “Sign-in security”: it asks for your password or a code.";

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/staff/accounts", get(list).post(add))
        .route("/staff/accounts/{id}", get(account))
        .route("/staff/accounts/{id}/role", post(set_role))
        .route("/staff/accounts/{id}/disable", post(disable))
        .route("/staff/accounts/{id}/enable", post(enable))
        .route("/staff/accounts/{id}/reset-password", post(reset_password))
        .route("/staff/accounts/{id}/reset-2fa", post(reset_second_factor))
}

/// A row of the list, its times in the reader's zone.
struct AccountRow {
    account: StaffAccount,
    last_sign_in: Option<String>,
}

#[derive(Template)]
#[template(path = "staff/accounts.html")]
struct AccountsPage {
    me: StaffMember,
    csrf: CsrfToken,
    rows: Vec<AccountRow>,
    /// The form to add someone, as typed, and its mistakes.
    name: String,
    email: String,
    role: String,
    errors: FieldErrors,
}

impl AccountsPage {
    fn error(&self, field: &str) -> Option<&str> {
        self.errors.get(field)
    }
}

#[derive(Template)]
#[template(path = "staff/account.html")]
struct AccountPage {
    me: StaffMember,
    csrf: CsrfToken,
    account: StaffAccount,
    created: String,
    last_sign_in: Option<String>,
    disabled_since: Option<String>,
    /// Tickets not yet resolved assigned to them, and the queue showing them.
    open_assigned: i64,
    queue_link: String,
    /// The page is the admin's own account.
    is_me: bool,
    /// They sign in with a second factor (set up, not only being set up).
    second_factor_on: bool,
    /// Refusals, beside the form that was sent: `role`, `access`, `password`.
    errors: FieldErrors,
    flash: Option<String>,
    /// A temporary password made just now, shown this once; `added` when it
    /// came with the new account rather than a reset.
    temporary: Option<String>,
    added: bool,
}

impl AccountPage {
    fn error(&self, field: &str) -> Option<&str> {
        self.errors.get(field)
    }
}

async fn list_view(state: &AppState, me: StaffMember, csrf: CsrfToken) -> Result<AccountsPage> {
    let rows = state
        .store
        .staff_accounts()
        .await?
        .into_iter()
        .map(|account| AccountRow {
            last_sign_in: account
                .last_sign_in_at
                .map(|at| human_time_in(at, &me.time_zone)),
            account,
        })
        .collect();
    Ok(AccountsPage {
        me,
        csrf,
        rows,
        name: String::new(),
        email: String::new(),
        role: Role::Agent.as_str().to_string(),
        errors: FieldErrors::default(),
    })
}

async fn account_view(
    state: &AppState,
    me: StaffMember,
    csrf: CsrfToken,
    id: i64,
) -> Result<AccountPage> {
    let account = state
        .store
        .staff_account(id)
        .await?
        .ok_or(AppError::NotFound)?;
    let zone = &me.time_zone;
    Ok(AccountPage {
        created: human_time_in(account.created_at, zone),
        last_sign_in: account.last_sign_in_at.map(|at| human_time_in(at, zone)),
        disabled_since: account.disabled_at.map(|at| human_time_in(at, zone)),
        open_assigned: state.store.open_tickets_assigned(id).await?,
        queue_link: with_query("/staff/queue", &[("assignee", &id.to_string())]),
        is_me: id == me.id,
        second_factor_on: state
            .store
            .staff_totp(id)
            .await?
            .is_some_and(|totp| totp.is_on()),
        account,
        me,
        csrf,
        errors: FieldErrors::default(),
        flash: None,
        temporary: None,
        added: false,
    })
}

async fn list(
    State(state): State<AppState>,
    CurrentStaff(me): CurrentStaff,
    csrf: CsrfToken,
) -> Result<Response> {
    require_admin(&me)?;
    Ok(render(&list_view(&state, me, csrf).await?)?.into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct AddForm {
    name: String,
    email: String,
    role: String,
}

/// Adds someone and answers with their page showing the temporary password
/// (200, never a redirect: the password must not sit in a URL or be shown
/// again).
async fn add(
    State(state): State<AppState>,
    CurrentStaff(me): CurrentStaff,
    csrf: CsrfToken,
    Form(form): Form<AddForm>,
) -> Result<Response> {
    require_admin(&me)?;
    let new = match NewAccount::check(&form.name, &form.email, &form.role) {
        Ok(new) => new,
        Err(errors) => {
            return add_refused(
                &state,
                me,
                csrf,
                form,
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    let temporary = TemporaryPassword::generate();
    let member = match NewStaffMember::check(
        &new.email,
        &new.name,
        new.role,
        temporary.reveal().to_string(),
    )
    .await
    {
        Ok(member) => member,
        Err(NewStaffError::Hashing(err)) if err.is::<HashingBusy>() => {
            let mut errors = FieldErrors::default();
            errors.add("email", BUSY);
            return add_refused(
                &state,
                me,
                csrf,
                form,
                errors,
                StatusCode::SERVICE_UNAVAILABLE,
            )
            .await;
        }
        Err(err) => return Err(AppError::Internal(err.into())),
    };
    let member = NewStaffMember {
        must_change_password: true,
        ..member
    };
    let added = match state
        .store
        .add_staff_member(member, OffsetDateTime::now_utc())
        .await
    {
        Ok(added) => added,
        Err(AddStaffError::EmailTaken) => {
            let mut errors = FieldErrors::default();
            errors.add("email", EMAIL_TAKEN);
            return add_refused(
                &state,
                me,
                csrf,
                form,
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
        Err(AddStaffError::Database(err)) => return Err(err.into()),
    };
    tracing::info!(
        target: "apidesk::audit",
        staff_id = added.id,
        by = me.id,
        action = "added",
        role = %added.role,
        "staff account changed"
    );
    let mut page = account_view(&state, me, csrf, added.id).await?;
    page.temporary = Some(temporary.reveal().to_string());
    page.added = true;
    Ok(render(&page)?.into_response())
}

/// The list again, the form as typed and its mistakes beside the fields.
async fn add_refused(
    state: &AppState,
    me: StaffMember,
    csrf: CsrfToken,
    form: AddForm,
    errors: FieldErrors,
    status: StatusCode,
) -> Result<Response> {
    let mut page = list_view(state, me, csrf).await?;
    page.name = form.name;
    page.email = form.email;
    page.role = form.role;
    page.errors = errors;
    Ok((status, render(&page)?).into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct AccountQuery {
    done: String,
}

async fn account(
    State(state): State<AppState>,
    CurrentStaff(me): CurrentStaff,
    csrf: CsrfToken,
    Path(id): Path<i64>,
    Query(query): Query<AccountQuery>,
) -> Result<Response> {
    require_admin(&me)?;
    let mut page = account_view(&state, me, csrf, id).await?;
    let name = &page.account.member.name;
    page.flash = match query.done.as_str() {
        "role" => Some(format!(
            "{name} is now an {}.",
            page.account.member.role.as_str()
        )),
        "disabled" if page.account.member.disabled => Some(format!(
            "{name} is disabled: they cannot sign in, and their sessions have ended."
        )),
        "enabled" if !page.account.member.disabled => Some(format!(
            "{name} can sign in again, with the password they had."
        )),
        "second_factor_reset" if !page.second_factor_on => Some(format!(
            "{name}'s two-step sign-in is off: their password alone signs them in, until they set it up again."
        )),
        _ => None,
    };
    Ok(render(&page)?.into_response())
}

/// Makes the change, or answers with the person's page saying why not
/// (422, beside the form `field` that sent it).
async fn apply(
    state: &AppState,
    me: &StaffMember,
    id: i64,
    change: &AccountChange,
) -> Result<Result<AccountChanged, AccountRefusal>> {
    match state
        .store
        .change_staff_account(me.id, id, change, OffsetDateTime::now_utc())
        .await
    {
        Ok(Some(changed)) => {
            tracing::info!(
                target: "apidesk::audit",
                staff_id = id,
                by = me.id,
                action = change.audit_name(),
                role = %match change {
                    AccountChange::SetRole(role) => *role,
                    _ => changed.before.role,
                },
                sessions_ended = changed.sessions_ended,
                "staff account changed"
            );
            Ok(Ok(changed))
        }
        Ok(None) => Err(AppError::NotFound),
        Err(AccountChangeError::Refused(refusal)) => {
            tracing::info!(
                target: "apidesk::audit",
                staff_id = id,
                by = me.id,
                action = change.audit_name(),
                refused = %refusal,
                "staff account change refused"
            );
            Ok(Err(refusal))
        }
        Err(AccountChangeError::Database(err)) => Err(err.into()),
    }
}

async fn refused(
    state: &AppState,
    me: StaffMember,
    csrf: CsrfToken,
    id: i64,
    field: &'static str,
    refusal: AccountRefusal,
) -> Result<Response> {
    let mut page = account_view(state, me, csrf, id).await?;
    page.errors.add(field, refusal.to_string());
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
}

fn done(id: i64, what: &str) -> Response {
    Redirect::to(&format!("/staff/accounts/{id}?done={what}")).into_response()
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RoleForm {
    role: String,
}

async fn set_role(
    State(state): State<AppState>,
    CurrentStaff(me): CurrentStaff,
    csrf: CsrfToken,
    Path(id): Path<i64>,
    Form(form): Form<RoleForm>,
) -> Result<Response> {
    require_admin(&me)?;
    let Some(role) = Role::parse(&form.role) else {
        let mut page = account_view(&state, me, csrf, id).await?;
        page.errors.add("role", "Choose agent or admin.");
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response());
    };
    match apply(&state, &me, id, &AccountChange::SetRole(role)).await? {
        // An admin who made themselves an agent can no longer see this page.
        Ok(_) if id == me.id && !role.is_admin() => {
            Ok(Redirect::to("/staff/queue").into_response())
        }
        Ok(_) => Ok(done(id, "role")),
        Err(refusal) => refused(&state, me, csrf, id, "role", refusal).await,
    }
}

async fn disable(
    State(state): State<AppState>,
    CurrentStaff(me): CurrentStaff,
    csrf: CsrfToken,
    Path(id): Path<i64>,
) -> Result<Response> {
    require_admin(&me)?;
    match apply(&state, &me, id, &AccountChange::Disable).await? {
        // Disabling oneself ended this session too.
        Ok(_) if id == me.id => Ok((
            [clear_cookie(state.config.cookie_secure)],
            Redirect::to("/staff/login?signed_out=1"),
        )
            .into_response()),
        Ok(_) => Ok(done(id, "disabled")),
        Err(refusal) => refused(&state, me, csrf, id, "access", refusal).await,
    }
}

async fn enable(
    State(state): State<AppState>,
    CurrentStaff(me): CurrentStaff,
    csrf: CsrfToken,
    Path(id): Path<i64>,
) -> Result<Response> {
    require_admin(&me)?;
    match apply(&state, &me, id, &AccountChange::Enable).await? {
        Ok(_) => Ok(done(id, "enabled")),
        Err(refusal) => refused(&state, me, csrf, id, "access", refusal).await,
    }
}

/// Gives them a temporary password, shown on the page that answers (200,
/// as for a new account), and ends their sessions.
async fn reset_password(
    State(state): State<AppState>,
    CurrentStaff(me): CurrentStaff,
    csrf: CsrfToken,
    Path(id): Path<i64>,
) -> Result<Response> {
    require_admin(&me)?;
    if id == me.id {
        return refused(
            &state,
            me,
            csrf,
            id,
            "password",
            AccountRefusal::OwnPasswordReset,
        )
        .await;
    }
    let temporary = TemporaryPassword::generate();
    let hash = match hash_password_off_thread(temporary.password()).await {
        Ok(hash) => hash,
        Err(err) if err.is::<HashingBusy>() => {
            let mut page = account_view(&state, me, csrf, id).await?;
            page.errors.add("password", BUSY);
            return Ok((StatusCode::SERVICE_UNAVAILABLE, render(&page)?).into_response());
        }
        Err(err) => return Err(err.into()),
    };
    match apply(&state, &me, id, &AccountChange::ResetPassword(hash)).await? {
        Ok(_) => {
            let mut page = account_view(&state, me, csrf, id).await?;
            page.temporary = Some(temporary.reveal().to_string());
            Ok(render(&page)?.into_response())
        }
        Err(refusal) => refused(&state, me, csrf, id, "password", refusal).await,
    }
}

/// Turns off someone else's second factor, for a person who lost their
/// phone and their recovery codes. Their own is changed on "Sign-in
/// security", with their password or a code.
async fn reset_second_factor(
    State(state): State<AppState>,
    CurrentStaff(me): CurrentStaff,
    csrf: CsrfToken,
    Path(id): Path<i64>,
) -> Result<Response> {
    require_admin(&me)?;
    if state.store.staff_account(id).await?.is_none() {
        return Err(AppError::NotFound);
    }
    if id == me.id {
        let mut page = account_view(&state, me, csrf, id).await?;
        page.errors.add("second_factor", OWN_SECOND_FACTOR);
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response());
    }
    let removed = state.store.remove_totp(id).await?;
    tracing::info!(
        target: "apidesk::audit",
        staff_id = id,
        by = me.id,
        action = "second_factor_reset",
        was_on = removed,
        "staff account changed"
    );
    Ok(done(id, "second_factor_reset"))
}
