//! A ticket's files for staff: every file, internal notes' too.

use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::get;

use super::ticket::ticket_id;
use crate::error::Result;
use crate::web::AppState;
use crate::web::files::{Reader, Want, serve};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/staff/tickets/{id}/files/{file}", get(download))
        .route("/staff/tickets/{id}/files/{file}/thumbnail", get(thumbnail))
        .route("/staff/tickets/{id}/files/{file}/preview", get(preview))
}

async fn download(
    State(state): State<AppState>,
    Path((id, file)): Path<(String, String)>,
) -> Result<Response> {
    staff_file(&state, &id, &file, Want::Download).await
}

async fn thumbnail(
    State(state): State<AppState>,
    Path((id, file)): Path<(String, String)>,
) -> Result<Response> {
    staff_file(&state, &id, &file, Want::Thumbnail).await
}

async fn preview(
    State(state): State<AppState>,
    Path((id, file)): Path<(String, String)>,
) -> Result<Response> {
    staff_file(&state, &id, &file, Want::Preview).await
}

async fn staff_file(state: &AppState, id: &str, file: &str, want: Want) -> Result<Response> {
    let id = ticket_id(id)?;
    let back = format!("/staff/tickets/{id}");
    let base = format!("{back}/files");
    let reader = Reader {
        ticket: id,
        public_only: false,
        back: &back,
        files_base: &base,
    };
    serve(&state.store, reader, file, want).await
}
