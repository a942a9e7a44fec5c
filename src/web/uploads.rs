//! Forms that carry files: the ticket form, "add information" and the
//! staff composer. A form is read whole (its text fields and its files,
//! each file bounded as it streams in), its files inspected off the async
//! workers and kept staged; a form that comes back with a mistake lists
//! the files already kept, so nothing has to be chosen again.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{FromRequest, Multipart, Request};
use axum::http::HeaderMap;
use axum::http::header::CONTENT_TYPE;
use time::OffsetDateTime;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use uuid::Uuid;

use super::AppState;
use super::form_pairs::FormPairs;
use crate::attachments::{Attachment, Held, Limits, NotKept, Refused, Upload, Via, admit};
use crate::config::Level;
use crate::error::{AppError, Result};

/// The file input's name.
pub const FILES_FIELD: &str = "files";
/// Files kept from an earlier submit of the same form, by id.
pub const KEPT_FIELD: &str = "files_kept";
/// What a form's text fields may hold in all; as for forms without files.
pub const MAX_TEXT_BYTES: usize = super::body_limits::FORM_BYTES;
/// How long a file nobody files with a ticket or message is kept.
const STAGED_FOR: time::Duration = time::Duration::days(1);
/// How long a form with files waits for its turn before the server says
/// it is busy.
const WAIT_FOR_TURN: Duration = Duration::from_secs(10);
/// The file types the file input offers (the content decides, not this).
pub const ACCEPT: &str = "image/png,image/jpeg,image/gif,image/webp,application/pdf,\
     text/plain,.txt,.log,application/json,.json,.har,text/csv,.csv,application/zip,.zip";

/// Forms with files read and inspected at once: each holds up to a
/// ticket's worth of files in memory, and inspecting is CPU work.
#[derive(Clone)]
pub struct UploadPermits(Arc<Semaphore>);

impl Default for UploadPermits {
    fn default() -> Self {
        Self(Arc::new(Semaphore::new(4)))
    }
}

impl UploadPermits {
    /// A turn, waiting a little for one; `AppError::Busy` after that.
    pub async fn turn(&self) -> Result<OwnedSemaphorePermit> {
        match tokio::time::timeout(WAIT_FOR_TURN, self.0.clone().acquire_owned()).await {
            Ok(Ok(permit)) => Ok(permit),
            _ => Err(AppError::Busy),
        }
    }
}

pub fn is_multipart(headers: &HeaderMap) -> bool {
    headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.trim_start()
                .to_ascii_lowercase()
                .starts_with("multipart/form-data")
        })
}

/// The most a form with files may send: a ticket's worth of files, and
/// the text fields around them.
pub fn max_request_bytes(limits: &Limits) -> usize {
    let files = usize::try_from(limits.max_ticket_bytes).unwrap_or(usize::MAX);
    files
        .max(limits.max_file_bytes)
        .saturating_add(MAX_TEXT_BYTES)
}

/// A form as sent: its text fields, and the files chosen in it.
pub struct FilesForm {
    pub pairs: FormPairs,
    pub uploads: Vec<Upload>,
    /// Files not read, with why (too large, too many).
    pub refused: Vec<String>,
    /// Held while the form's files are read and inspected.
    _turn: Option<OwnedSemaphorePermit>,
}

impl FilesForm {
    /// The text fields as `T`, as `Form<T>` would read them.
    pub fn form<T: serde::de::DeserializeOwned + Default>(&self) -> T {
        self.pairs.deserialize()
    }
}

impl FromRequest<AppState> for FilesForm {
    type Rejection = AppError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self> {
        if !is_multipart(request.headers()) {
            let body = axum::body::to_bytes(request.into_body(), MAX_TEXT_BYTES)
                .await
                .map_err(|_| AppError::TooLarge)?;
            return Ok(Self {
                pairs: FormPairs::parse(&String::from_utf8_lossy(&body)),
                uploads: Vec::new(),
                refused: Vec::new(),
                _turn: None,
            });
        }
        let turn = state.uploads.turn().await?;
        let limits = state.config.attachments.limits();
        let multipart = Multipart::from_request(request, state)
            .await
            .map_err(|_| AppError::TooLarge)?;
        read_multipart(multipart, &limits, turn).await
    }
}

async fn read_multipart(
    mut multipart: Multipart,
    limits: &Limits,
    turn: OwnedSemaphorePermit,
) -> Result<FilesForm> {
    let mut pairs = Vec::new();
    let mut text_bytes = 0usize;
    let mut uploads = Vec::new();
    let mut refused = Vec::new();
    // A part that cannot be read ends the form: one past the request's
    // size is refused whole; anything else (a cut-off body, a header no
    // parser accepts) is said beside the file field, so the form comes
    // back rather than being filed without what was in it.
    loop {
        let mut field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(err) if err.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE => {
                return Err(AppError::TooLarge);
            }
            Err(err) => {
                tracing::info!(%err, "a form with files could not be read to its end");
                refused.push(
                    "part of the form could not be read (was the upload interrupted?), so some \
                     files may be missing."
                        .to_string(),
                );
                break;
            }
        };
        let name = field.name().unwrap_or_default().to_string();
        match field.file_name().map(str::to_string) {
            Some(file_name) => {
                let mut bytes = Vec::new();
                let mut over = false;
                while let Ok(Some(chunk)) = field.chunk().await {
                    if over || bytes.len() + chunk.len() > limits.max_file_bytes {
                        over = true;
                        bytes = Vec::new();
                        continue;
                    }
                    bytes.extend_from_slice(&chunk);
                }
                // An input left empty sends a part with no name and no bytes.
                if name != FILES_FIELD || (file_name.is_empty() && bytes.is_empty() && !over) {
                    continue;
                }
                if over {
                    let why = Refused::TooLarge {
                        limit: limits.max_file_bytes,
                    };
                    refused.push(NotKept::new(&file_name, why).to_string());
                } else if uploads.len() >= limits.max_ticket_files {
                    let why = format!("a ticket holds at most {} files", limits.max_ticket_files);
                    refused.push(NotKept::new(&file_name, why).to_string());
                } else {
                    uploads.push(Upload {
                        name: file_name,
                        bytes,
                    });
                }
            }
            None => {
                let mut value = Vec::new();
                while let Ok(Some(chunk)) = field.chunk().await {
                    text_bytes += chunk.len();
                    if text_bytes > MAX_TEXT_BYTES {
                        return Err(AppError::TooLarge);
                    }
                    value.extend_from_slice(&chunk);
                }
                pairs.push((name, String::from_utf8_lossy(&value).into_owned()));
            }
        }
    }
    Ok(FilesForm {
        pairs: FormPairs::from_pairs(pairs),
        uploads,
        refused,
        _turn: Some(turn),
    })
}

/// The files a form holds once read: kept (inspected and staged, to go
/// with what is filed) and refused, with why.
#[derive(Debug, Clone, Default)]
pub struct Attached {
    pub kept: Vec<Attachment>,
    pub refused: Vec<String>,
}

impl Attached {
    pub fn ids(&self) -> Vec<Uuid> {
        self.kept.iter().map(|file| file.id).collect()
    }

    /// The message's text; files sent without one make their own ("Attached:
    /// run.har, shot.png").
    pub fn text_or_names(&self, text: &str) -> String {
        if !text.trim().is_empty() || self.kept.is_empty() {
            return text.to_string();
        }
        let names: Vec<&str> = self.kept.iter().map(|f| f.name.as_str()).collect();
        format!("Attached: {}", names.join(", "))
    }

    /// One line for the field's error: every file refused, and why.
    pub fn error(&self) -> Option<String> {
        (!self.refused.is_empty()).then(|| {
            format!(
                "Not attached: {} Choose {} again once changed; the rest are kept.",
                self.refused.join(" "),
                if self.refused.len() == 1 {
                    "it"
                } else {
                    "them"
                }
            )
        })
    }
}

/// Who sent a form, for the upload rate limit.
#[derive(Debug, Clone, Copy)]
pub enum Sender<'a> {
    /// A visitor, by client address: counted against `uploads`.
    Visitor(&'a str),
    Staff,
}

/// Reads the files of `form`: those kept from an earlier submit, and the
/// new ones, each inspected and, when accepted, staged. `held` is what the
/// ticket holds already; files past its limits are refused.
pub async fn take_files(
    state: &AppState,
    form: &mut FilesForm,
    via: Via,
    sender: Sender<'_>,
    held: Held,
) -> Result<Attached> {
    let limits = state.config.attachments.limits();
    let kept_ids: Vec<Uuid> = form
        .pairs
        .all(KEPT_FIELD, limits.max_ticket_files)
        .iter()
        .filter_map(|id| Uuid::parse_str(id.trim()).ok())
        .collect();
    let mut attached = Attached {
        kept: state.store.staged_files(&kept_ids).await?,
        refused: std::mem::take(&mut form.refused),
    };
    let mut held = held;
    held.files += attached.kept.len();
    held.bytes += attached.kept.iter().map(|f| f.size).sum::<u64>();
    let mut uploads = Vec::new();
    for upload in std::mem::take(&mut form.uploads) {
        if let Sender::Visitor(key) = sender
            && state.limits.check(Level::Uploads, key, true).is_err()
        {
            attached.refused.push(
                NotKept::new(
                    &upload.name,
                    "many files came from your address in a short time; try again in an hour",
                )
                .to_string(),
            );
            continue;
        }
        uploads.push(upload);
    }
    let (accepted, refused) = admit(uploads, &state.config.file_rules(), held).await;
    attached
        .refused
        .extend(refused.iter().map(ToString::to_string));
    if !accepted.is_empty() {
        let now = OffsetDateTime::now_utc();
        let staged = state
            .store
            .stage_files(&accepted, via, now, now + STAGED_FOR)
            .await?;
        tracing::info!(files = staged.len(), via = via.name(), "files kept");
        attached.kept.extend(staged);
    }
    Ok(attached)
}

/// What a form's file field shows (`partials/fields/files.html`).
#[derive(Debug, Clone)]
pub struct FilesField {
    pub label: &'static str,
    pub hint: String,
    pub accept: &'static str,
    /// The largest file, for the page's script to warn before sending.
    pub max_bytes: usize,
    /// Files kept from an earlier submit of the form.
    pub kept: Vec<Attachment>,
}

impl FilesField {
    pub fn new(label: &'static str, limits: &Limits) -> Self {
        Self {
            label,
            hint: format!(
                "Screenshots, PDF, logs, JSON, HAR or CSV files, or a zip of those: up to {} each, \
                 {} files and {} in all. Passwords, tokens and cookies in text files are taken \
                 out, and photos lose their location data, before anything is kept.",
                crate::attachments::size_text(limits.max_file_bytes as u64),
                limits.max_ticket_files,
                crate::attachments::size_text(limits.max_ticket_bytes),
            ),
            accept: ACCEPT,
            max_bytes: limits.max_file_bytes,
            kept: Vec::new(),
        }
    }

    pub fn with_kept(mut self, kept: Vec<Attachment>) -> Self {
        self.kept = kept;
        self
    }
}
