//! Files over the API: uploaded first (`POST /uploads`, each inspected and
//! kept staged for a day) and named by id when a ticket or message is
//! filed, or sent in one multipart request with it; listed with a ticket
//! and downloaded one by one. Inspection is the forms': a file comes back
//! as it is stored, its credentials taken out, never as it was sent.

use axum::extract::{FromRequest, Multipart, Path, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Json, Router};
use serde::Serialize;
use time::OffsetDateTime;
use tokio::sync::OwnedSemaphorePermit;
use utoipa::ToSchema;
use uuid::Uuid;

use super::auth::Caller;
use super::problem::{ApiError, Problem};
use crate::attachments::{Attachment, Held, Refused, Removal, Upload, Via, admit, display_name};
use crate::tickets::FieldErrors;
use crate::tokens::Scope;
use crate::web::AppState;
use crate::web::format::iso_time;
use crate::web::uploads::{MAX_TEXT_BYTES, is_multipart};

/// The name of a multipart request's file parts.
pub const FILE_PART: &str = "file";
/// How long an upload waits to be named by a ticket or message.
const STAGED_FOR: time::Duration = time::Duration::days(1);

pub(super) fn router() -> Router<AppState> {
    use axum::routing::{get, post};
    Router::new()
        .route("/uploads", post(upload))
        .route("/tickets/{id}/files/{file}", get(download))
}

/// Something inspection took out of a file, and how many times.
#[derive(Debug, Serialize, ToSchema)]
pub struct RemovedOut {
    #[schema(example = "Authorization header")]
    pub what: String,
    pub count: usize,
}

fn removed_out(removed: &[Removal]) -> Vec<RemovedOut> {
    removed
        .iter()
        .map(|r| RemovedOut {
            what: r.what.clone(),
            count: r.count,
        })
        .collect()
}

/// A file kept, waiting to be named in `attachments`.
#[derive(Debug, Serialize, ToSchema)]
pub struct UploadedFile {
    /// What `attachments` names it by.
    #[schema(example = "6f1c2a9e-3b7d-4c1a-9a57-0d2e8b4f6c31")]
    pub id: String,
    /// The name as sent, without folders or control characters.
    #[schema(example = "run.har")]
    pub name: String,
    /// What its content is: `png`, `jpeg`, `gif`, `webp`, `pdf`, `text`,
    /// `csv`, `json`, `har` or `zip`.
    #[schema(example = "har")]
    pub kind: &'static str,
    /// Bytes, as stored.
    pub size: u64,
    /// What was taken out of it before it was kept.
    pub removed: Vec<RemovedOut>,
}

impl From<&Attachment> for UploadedFile {
    fn from(file: &Attachment) -> Self {
        Self {
            id: file.id.to_string(),
            name: file.name.clone(),
            kind: file.kind.name(),
            size: file.size,
            removed: removed_out(&file.removed),
        }
    }
}

/// A file not kept, and why, in words for the person who sent it.
#[derive(Debug, Serialize, ToSchema)]
pub struct RefusedFile {
    pub name: String,
    #[schema(example = "it looks like an HTML page, which apidesk does not accept; …")]
    pub reason: String,
}

/// What `POST /uploads` answers (201).
#[derive(Debug, Serialize, ToSchema)]
pub struct Uploaded {
    /// Kept for a day: name their ids in a ticket's or message's
    /// `attachments`.
    pub files: Vec<UploadedFile>,
    /// Those not kept.
    pub refused: Vec<RefusedFile>,
}

/// One of a ticket's files.
#[derive(Debug, Serialize, ToSchema)]
pub struct FileOut {
    pub id: String,
    pub name: String,
    #[schema(example = "png")]
    pub kind: &'static str,
    pub size: u64,
    pub removed: Vec<RemovedOut>,
    /// The timeline event it came with (the ticket's creation, a reply, a
    /// note, a mail).
    pub event_id: Option<i64>,
    pub created_at: String,
    /// Where to download it.
    #[schema(example = "/api/v1/tickets/12/files/6f1c2a9e-3b7d-4c1a-9a57-0d2e8b4f6c31")]
    pub url: String,
}

impl FileOut {
    pub fn new(ticket: i64, file: &Attachment) -> Self {
        Self {
            id: file.id.to_string(),
            name: file.name.clone(),
            kind: file.kind.name(),
            size: file.size,
            removed: removed_out(&file.removed),
            event_id: file.event_id,
            created_at: iso_time(file.created_at),
            url: format!("/api/v1/tickets/{ticket}/files/{}", file.id),
        }
    }
}

/// `POST /uploads`, as a form: one or more `file` parts.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct UploadForm {
    /// A file; repeat the part for more.
    #[schema(value_type = Vec<String>, format = Binary)]
    file: Vec<Vec<u8>>,
}

/// A multipart request to the API, read: its one JSON part, if any, and
/// its files, each bounded as it streams in.
pub(super) struct Parts {
    pub json: Option<Vec<u8>>,
    pub uploads: Vec<Upload>,
    /// Files not read (too large, too many), and why.
    pub refused: Vec<RefusedFile>,
    /// Held while the files are read and inspected.
    _turn: OwnedSemaphorePermit,
}

/// Reads a multipart request: `file` parts, and (when `json_part` is
/// named) one part holding the JSON body; any other part is a mistake.
pub(super) async fn read_parts(
    state: &AppState,
    request: Request,
    json_part: Option<&'static str>,
) -> Result<Parts, ApiError> {
    let turn = state.uploads.turn().await?;
    let limits = state.config.attachments.limits();
    let mut multipart = Multipart::from_request(request, state)
        .await
        .map_err(|err| {
            ApiError::BadRequest(format!("The multipart body cannot be read: {err}."))
        })?;
    let mut json = None;
    let mut uploads = Vec::new();
    let mut refused = Vec::new();
    loop {
        let mut field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            // Past the request's bound, or cut off.
            Err(err) if err.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                return Err(ApiError::TooLarge);
            }
            Err(err) => {
                return Err(ApiError::BadRequest(format!(
                    "The multipart body cannot be read: {err}."
                )));
            }
        };
        let name = field.name().unwrap_or_default().to_string();
        if name == FILE_PART {
            let sent_name = field.file_name().unwrap_or_default().to_string();
            let mut bytes = Vec::new();
            let mut over = false;
            while let Some(chunk) = field.chunk().await.map_err(|_| ApiError::TooLarge)? {
                // Read on to the part's end, keeping nothing, so the parts
                // after it are still read.
                if over || bytes.len() + chunk.len() > limits.max_file_bytes {
                    over = true;
                    bytes = Vec::new();
                    continue;
                }
                bytes.extend_from_slice(&chunk);
            }
            let shown = display_name(&sent_name);
            if over {
                let why = Refused::TooLarge {
                    limit: limits.max_file_bytes,
                };
                refused.push(refused_file(shown, why.to_string()));
            } else if uploads.len() >= limits.max_ticket_files {
                let why = format!("a ticket holds at most {} files", limits.max_ticket_files);
                refused.push(refused_file(shown, why));
            } else {
                uploads.push(Upload {
                    name: sent_name,
                    bytes,
                });
            }
        } else if Some(name.as_str()) == json_part && json.is_none() {
            let mut value = Vec::new();
            while let Some(chunk) = field.chunk().await.map_err(|_| ApiError::TooLarge)? {
                if value.len() + chunk.len() > MAX_TEXT_BYTES {
                    return Err(ApiError::TooLarge);
                }
                value.extend_from_slice(&chunk);
            }
            json = Some(value);
        } else {
            let expected = match json_part {
                Some(json) => format!("one `{json}` part and `{FILE_PART}` parts"),
                None => format!("`{FILE_PART}` parts"),
            };
            return Err(ApiError::BadRequest(format!(
                "A part named `{name}` means nothing here: send {expected}."
            )));
        }
    }
    Ok(Parts {
        json,
        uploads,
        refused,
        _turn: turn,
    })
}

fn refused_file(name: String, reason: String) -> RefusedFile {
    RefusedFile { name, reason }
}

/// Inspects `uploads` off the async workers and stages those that pass
/// and fit after `held`, in order; the rest are refused, with why.
pub(super) async fn keep(
    state: &AppState,
    uploads: Vec<Upload>,
    held: Held,
) -> Result<(Vec<Attachment>, Vec<RefusedFile>), ApiError> {
    let (kept, refused) = admit(uploads, &state.config.file_rules(), held).await;
    let refused: Vec<RefusedFile> = refused
        .into_iter()
        .map(|file| refused_file(file.name, file.why))
        .collect();
    if kept.is_empty() {
        return Ok((Vec::new(), refused));
    }
    let now = OffsetDateTime::now_utc();
    let staged = state
        .store
        .stage_files(&kept, Via::Api, now, now + STAGED_FOR)
        .await?;
    tracing::info!(files = staged.len(), via = Via::Api.name(), "files kept");
    Ok((staged, refused))
}

/// The 422 for files that were not kept: each beside the `file` field.
pub(super) fn refused_problem(refused: &[RefusedFile]) -> ApiError {
    let mut errors = FieldErrors::default();
    for file in refused {
        errors.add(FILE_PART, format!("{}: {}.", file.name, file.reason));
    }
    ApiError::Invalid(errors)
}

/// What a ticket holds now, against which new files are counted.
pub(super) async fn held(state: &AppState, ticket: i64) -> Result<Held, ApiError> {
    let files = state.store.ticket_files(ticket, false).await?;
    Ok(Held::of(&files))
}

/// The staged uploads `ids` name, all of them, or a mistake beside
/// `attachments`.
pub(super) async fn named_uploads(state: &AppState, ids: &[String]) -> Result<Vec<Uuid>, ApiError> {
    let limits = state.config.attachments.limits();
    let mut errors = FieldErrors::default();
    if ids.len() > limits.max_ticket_files {
        errors.add(
            "attachments",
            format!("A ticket holds at most {} files.", limits.max_ticket_files),
        );
        return Err(ApiError::Invalid(errors));
    }
    let mut parsed = Vec::with_capacity(ids.len());
    for id in ids {
        match Uuid::parse_str(id.trim()) {
            Ok(uuid) if !parsed.contains(&uuid) => parsed.push(uuid),
            Ok(_) => {}
            Err(_) => errors.add("attachments", format!("`{id}` is not an upload's id.")),
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::Invalid(errors));
    }
    let staged = state.store.staged_files(&parsed).await?;
    for id in &parsed {
        if !staged.iter().any(|file| file.id == *id) {
            errors.add(
                "attachments",
                format!(
                    "No upload {id} is waiting: uploads are kept a day, and go with one ticket or message."
                ),
            );
        }
    }
    if errors.is_empty() {
        Ok(parsed)
    } else {
        Err(ApiError::Invalid(errors))
    }
}

/// Upload files (scope `tickets:create` or `tickets:act`).
///
/// Each `file` part is inspected as the ticket form's files are (its type
/// decided from its content; credentials taken out of text, JSON and HAR
/// files; images encoded again without their metadata) and kept for a
/// day: name the ids in `attachments` when filing a ticket or a message.
/// Files refused are listed with why; when every file is refused the
/// answer is 422, and nothing is kept.
#[utoipa::path(
    post,
    path = "/api/v1/uploads",
    tag = "files",
    request_body(content = UploadForm, content_type = "multipart/form-data"),
    responses(
        (status = 201, description = "Kept (some may be refused, with why).", body = Uploaded),
        (status = 400, description = "Not multipart, no `file` part, or another part.", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token may neither file tickets nor work them.", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "More than a ticket's worth of files.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Every file was refused, each with why.", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Past the token's rate; see Retry-After.", body = Problem, content_type = "application/problem+json"),
    ),
    security(("token" = []))
)]
pub(super) async fn upload(
    State(state): State<AppState>,
    caller: Caller,
    request: Request,
) -> Result<Response, ApiError> {
    if !caller.0.allows(Scope::TicketsAct) {
        caller.require(Scope::TicketsCreate)?;
    }
    if !is_multipart(request.headers()) {
        return Err(ApiError::BadRequest(format!(
            "Send the files as multipart/form-data, each in a part named `{FILE_PART}`."
        )));
    }
    let parts = read_parts(&state, request, None).await?;
    if parts.uploads.is_empty() && parts.refused.is_empty() {
        return Err(ApiError::BadRequest(format!(
            "Send one or more parts named `{FILE_PART}`."
        )));
    }
    let mut refused = parts.refused;
    let (kept, more) = keep(&state, parts.uploads, Held::default()).await?;
    refused.extend(more);
    if kept.is_empty() {
        return Err(refused_problem(&refused));
    }
    let out = Uploaded {
        files: kept.iter().map(UploadedFile::from).collect(),
        refused,
    };
    Ok((StatusCode::CREATED, Json(out)).into_response())
}

/// Download one of a ticket's files (scope `tickets:read`).
///
/// As stored: after inspection, never as sent. Always as an attachment,
/// with its kind's media type.
#[utoipa::path(
    get,
    path = "/api/v1/tickets/{id}/files/{file}",
    tag = "files",
    params(
        ("id" = i64, Path, description = "The ticket's id."),
        ("file" = String, Path, description = "The file's id, as the ticket lists it."),
    ),
    responses(
        (status = 200, description = "The file.", content_type = "application/octet-stream", body = Vec<u8>),
        (status = 401, description = "No valid token.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token may not read tickets.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such ticket, or no such file on it.", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Past the token's rate; see Retry-After.", body = Problem, content_type = "application/problem+json"),
    ),
    security(("token" = []))
)]
pub(super) async fn download(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, file)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    caller.require(Scope::TicketsRead)?;
    let ticket = super::tickets::ticket_id(&id)?;
    let file = Uuid::parse_str(&file).map_err(|_| ApiError::NotFound)?;
    let (file, bytes) = state
        .store
        .ticket_file(ticket, file, false, false)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(crate::web::files::download(&file, bytes))
}
