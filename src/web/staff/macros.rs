//! Canned replies (macros), shared by all staff: anyone writes one; the
//! person who wrote it or an admin changes or deletes it. The ticket page's
//! picker offers them (`workspace`).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;
use time::OffsetDateTime;

use super::session::CurrentStaff;
use crate::error::{AppError, Result};
use crate::staff::StaffMember;
use crate::tickets::macros::{MACRO_STATUSES, Macro, NewMacro, PLACEHOLDERS, may_edit};
use crate::tickets::{
    FieldErrors, MAX_EVENT_BODY_CHARS, Priority, TicketStatus, group_thousands, staff_label,
};
use crate::web::AppState;
use crate::web::csrf::CsrfToken;
use crate::web::render::render;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/staff/macros", get(list).post(create))
        .route("/staff/macros/{id}", get(edit_page).post(update))
        .route("/staff/macros/{id}/delete", post(delete))
}

/// The macro form as typed.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct MacroForm {
    title: String,
    body: String,
    set_status: String,
    set_priority: String,
}

impl MacroForm {
    fn of(item: &Macro) -> Self {
        Self {
            title: item.title.clone(),
            body: item.body.clone(),
            set_status: item
                .set_status
                .map(|s| s.as_str().to_string())
                .unwrap_or_default(),
            set_priority: item
                .set_priority
                .map(|p| p.as_str().to_string())
                .unwrap_or_default(),
        }
    }

    fn check(&self) -> std::result::Result<NewMacro, FieldErrors> {
        NewMacro::check(
            &self.title,
            &self.body,
            &self.set_status,
            &self.set_priority,
        )
    }
}

struct MacroRow {
    item: Macro,
    editable: bool,
}

/// What the form around a macro needs, on the list and the edit page.
struct FormParts {
    form: MacroForm,
    errors: FieldErrors,
    statuses: [TicketStatus; 4],
    priorities: [Priority; 4],
    placeholders: [(&'static str, &'static str); 4],
    max_body: usize,
    max_body_text: String,
}

impl FormParts {
    fn new(form: MacroForm, errors: FieldErrors) -> Self {
        Self {
            form,
            errors,
            statuses: MACRO_STATUSES,
            priorities: Priority::ALL,
            placeholders: PLACEHOLDERS,
            max_body: MAX_EVENT_BODY_CHARS,
            max_body_text: group_thousands(MAX_EVENT_BODY_CHARS),
        }
    }

    fn error(&self, field: &str) -> Option<&str> {
        self.errors.get(field)
    }

    fn status_name(&self, status: &TicketStatus) -> &'static str {
        staff_label(*status)
    }
}

#[derive(Template)]
#[template(path = "staff/macros.html")]
struct MacrosPage {
    me: StaffMember,
    csrf: CsrfToken,
    rows: Vec<MacroRow>,
    parts: FormParts,
    errors: FieldErrors,
    flash: Option<&'static str>,
}

#[derive(Template)]
#[template(path = "staff/macro_edit.html")]
struct EditPage {
    me: StaffMember,
    csrf: CsrfToken,
    id: i64,
    title: String,
    parts: FormParts,
    errors: FieldErrors,
}

/// What a macro sets, in a few words: "Sets Waiting on requester, High".
fn sets(item: &Macro) -> String {
    let mut parts = Vec::new();
    if let Some(status) = item.set_status {
        parts.push(staff_label(status).to_string());
    }
    if let Some(priority) = item.set_priority {
        parts.push(format!("{} priority", priority.label()));
    }
    parts.join(", ")
}

impl MacroRow {
    fn sets(&self) -> String {
        sets(&self.item)
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ListQuery {
    done: String,
}

fn flash_for(done: &str) -> Option<&'static str> {
    Some(match done {
        "created" => "Macro saved: everyone can use it from a ticket’s composer.",
        "updated" => "Macro changed.",
        "deleted" => "Macro deleted.",
        _ => return None,
    })
}

async fn list_page(
    state: &AppState,
    me: StaffMember,
    csrf: CsrfToken,
    form: MacroForm,
    errors: FieldErrors,
    flash: Option<&'static str>,
) -> Result<MacrosPage> {
    let rows = state
        .store
        .macros()
        .await?
        .into_iter()
        .map(|item| MacroRow {
            editable: may_edit(me.id, me.role, &item),
            item,
        })
        .collect();
    Ok(MacrosPage {
        me,
        csrf,
        rows,
        parts: FormParts::new(form, errors.clone()),
        errors,
        flash,
    })
}

async fn list(
    State(state): State<AppState>,
    CurrentStaff(me): CurrentStaff,
    csrf: CsrfToken,
    Query(query): Query<ListQuery>,
) -> Result<Response> {
    let page = list_page(
        &state,
        me,
        csrf,
        MacroForm::default(),
        FieldErrors::default(),
        flash_for(&query.done),
    )
    .await?;
    Ok(render(&page)?.into_response())
}

async fn create(
    State(state): State<AppState>,
    CurrentStaff(me): CurrentStaff,
    csrf: CsrfToken,
    Form(form): Form<MacroForm>,
) -> Result<Response> {
    match form.check() {
        Ok(new) => {
            let id = state
                .store
                .add_macro(&new, me.id, OffsetDateTime::now_utc())
                .await?;
            tracing::info!(macro_id = id, by = me.id, "macro created");
            Ok(Redirect::to("/staff/macros?done=created").into_response())
        }
        Err(errors) => {
            let page = list_page(&state, me, csrf, form, errors, None).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
    }
}

/// The macro, if the signed-in member may change it: 404 when there is no
/// such macro, 403 when it is someone else's and they are no admin.
async fn editable(state: &AppState, me: &StaffMember, id: &str) -> Result<Macro> {
    let id = id
        .parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or(AppError::NotFound)?;
    let item = state
        .store
        .macro_by_id(id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !may_edit(me.id, me.role, &item) {
        return Err(AppError::Forbidden);
    }
    Ok(item)
}

async fn edit_page(
    State(state): State<AppState>,
    CurrentStaff(me): CurrentStaff,
    csrf: CsrfToken,
    Path(id): Path<String>,
) -> Result<Response> {
    let item = editable(&state, &me, &id).await?;
    let page = EditPage {
        me,
        csrf,
        id: item.id,
        title: item.title.clone(),
        parts: FormParts::new(MacroForm::of(&item), FieldErrors::default()),
        errors: FieldErrors::default(),
    };
    Ok(render(&page)?.into_response())
}

async fn update(
    State(state): State<AppState>,
    CurrentStaff(me): CurrentStaff,
    csrf: CsrfToken,
    Path(id): Path<String>,
    Form(form): Form<MacroForm>,
) -> Result<Response> {
    let item = editable(&state, &me, &id).await?;
    match form.check() {
        Ok(new) => {
            if !state
                .store
                .update_macro(item.id, &new, OffsetDateTime::now_utc())
                .await?
            {
                return Err(AppError::NotFound);
            }
            tracing::info!(macro_id = item.id, by = me.id, "macro changed");
            Ok(Redirect::to("/staff/macros?done=updated").into_response())
        }
        Err(errors) => {
            let page = EditPage {
                me,
                csrf,
                id: item.id,
                title: item.title.clone(),
                parts: FormParts::new(form, errors.clone()),
                errors,
            };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
    }
}

async fn delete(
    State(state): State<AppState>,
    CurrentStaff(me): CurrentStaff,
    Path(id): Path<String>,
) -> Result<Response> {
    let item = editable(&state, &me, &id).await?;
    // Deleted already (a second press): the list says so either way.
    state.store.delete_macro(item.id).await?;
    tracing::info!(macro_id = item.id, by = me.id, "macro deleted");
    Ok(Redirect::to("/staff/macros?done=deleted").into_response())
}
