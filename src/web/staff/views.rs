//! Saved views: save the queue's current view under a name for the whole
//! team, choose the one your queue opens on, and tidy them on one page.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use time::OffsetDateTime;

use super::queue::{Retries, SaveRetry, count_text, show_view, view_query_string, view_url};
use super::session::CurrentStaff;
use crate::error::{AppError, Result};
use crate::staff::StaffMember;
use crate::store::SaveViewError;
use crate::tickets::queue::QueueQuery;
use crate::tickets::queue::views::{MAX_SAVED_VIEWS, SavedView, parse_view_name};
use crate::web::AppState;
use crate::web::csrf::CsrfToken;
use crate::web::form_pairs::FormPairs;
use crate::web::render::render;

/// How long each view's count may take on this page.
const VIEW_COUNT_TIME: std::time::Duration = std::time::Duration::from_millis(50);

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/staff/views", get(page).post(save))
        .route("/staff/views/{id}/default", post(make_default))
        .route("/staff/views/default/clear", post(clear_default))
        .route("/staff/views/{id}/delete", post(delete))
}

/// Who may delete a view: its author, or an admin (the views apidesk
/// starts with belong to the admins).
fn may_delete(me: &StaffMember, view: &SavedView) -> bool {
    me.role.is_admin() || view.created_by == Some(me.id)
}

struct ViewRow {
    view: SavedView,
    url: String,
    count: String,
    author: String,
    deletable: bool,
    default: bool,
}

#[derive(Template)]
#[template(path = "staff/views.html")]
struct ViewsPage {
    me: StaffMember,
    csrf: CsrfToken,
    rows: Vec<ViewRow>,
    flash: Option<&'static str>,
    has_default: bool,
    max_views: usize,
}

#[derive(Deserialize)]
struct Flash {
    #[serde(default)]
    done: String,
}

async fn page(
    State(state): State<AppState>,
    CurrentStaff(me): CurrentStaff,
    csrf: CsrfToken,
    Query(flash): Query<Flash>,
) -> Result<Response> {
    let budget = state.config.staff_query_budget.0.min(VIEW_COUNT_TIME);
    let default = state.store.default_view(me.id).await?.map(|v| v.id);
    let staff = state.store.active_staff().await?;
    let mut rows = Vec::new();
    for view in state.store.saved_views().await? {
        let shown = view.queue_query();
        let count = count_text(
            state
                .store
                .count_view(&shown.filter(), me.id, budget)
                .await?,
        );
        let author = match view.created_by {
            None => "apidesk".to_string(),
            Some(id) => staff
                .iter()
                .find(|s| s.id == id)
                .map_or_else(|| "a former colleague".to_string(), |s| s.name.clone()),
        };
        rows.push(ViewRow {
            url: view_url(&shown),
            count,
            author,
            deletable: may_delete(&me, &view),
            default: default == Some(view.id),
            view,
        });
    }
    let flash = match flash.done.as_str() {
        "default" => Some("Your queue now opens on that view."),
        "cleared" => Some("Your queue now opens on “Needs a human”."),
        "deleted" => Some("View deleted."),
        _ => None,
    };
    let page = ViewsPage {
        me,
        csrf,
        rows,
        flash,
        has_default: default.is_some(),
        max_views: MAX_SAVED_VIEWS,
    };
    Ok(render(&page)?.into_response())
}

/// Saves the queue's view under the name typed; a mistake comes back on the
/// queue, with the name kept beside its message.
async fn save(
    State(state): State<AppState>,
    CurrentStaff(me): CurrentStaff,
    csrf: CsrfToken,
    body: String,
) -> Result<Response> {
    let form = FormPairs::parse(&body);
    let (query, notes) = QueueQuery::read(form.first("query"));
    let query = query.view_only();
    let typed = form.first("name");
    let refused = |error: String| SaveRetry {
        name: typed.chars().take(200).collect(),
        error,
    };
    let retry = match parse_view_name(typed) {
        Err(error) => refused(error),
        Ok(name) => {
            let stored = view_query_string(&query);
            match state
                .store
                .save_view(&name, &stored, me.id, OffsetDateTime::now_utc())
                .await
            {
                Ok(_) => return Ok(Redirect::to(&view_url(&query)).into_response()),
                Err(SaveViewError::NameTaken) => refused(format!(
                    "A view is already called “{name}”: choose another name."
                )),
                Err(SaveViewError::TooMany) => refused(format!(
                    "The team has {MAX_SAVED_VIEWS} views, as many as the list holds: delete one on Manage views first."
                )),
                Err(SaveViewError::Database(err)) => return Err(err.into()),
            }
        }
    };
    let retries = Retries {
        save: retry,
        ..Retries::default()
    };
    show_view(&state, me, csrf, query, notes, retries).await
}

async fn make_default(
    State(state): State<AppState>,
    CurrentStaff(me): CurrentStaff,
    Path(id): Path<i64>,
) -> Result<Response> {
    if !state.store.set_default_view(me.id, Some(id)).await? {
        return Err(AppError::NotFound);
    }
    Ok(Redirect::to("/staff/views?done=default").into_response())
}

async fn clear_default(
    State(state): State<AppState>,
    CurrentStaff(me): CurrentStaff,
) -> Result<Response> {
    state.store.set_default_view(me.id, None).await?;
    Ok(Redirect::to("/staff/views?done=cleared").into_response())
}

async fn delete(
    State(state): State<AppState>,
    CurrentStaff(me): CurrentStaff,
    Path(id): Path<i64>,
) -> Result<Response> {
    let Some(view) = state.store.saved_view(id).await? else {
        return Err(AppError::NotFound);
    };
    if !may_delete(&me, &view) {
        return Err(AppError::Forbidden);
    }
    state.store.delete_view(id).await?;
    Ok(Redirect::to("/staff/views?done=deleted").into_response())
}
