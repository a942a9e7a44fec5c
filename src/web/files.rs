//! Serving attached files, to the ticket's requester (by its token) and to
//! staff. A file is always a download from this origin, never a page: its
//! own `Content-Type` from what inspection found, `nosniff`, and a policy
//! that lets nothing in it run even if a browser shows it. Images get a
//! thumbnail for the ticket page; text gets a preview page, escaped.

use askama::Template;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use uuid::Uuid;

use super::render::render;
use crate::attachments::Attachment;
use crate::error::{AppError, Result};
use crate::store::Store;

/// What a file's response may do: nothing.
const FILE_POLICY: &str = "default-src 'none'; sandbox";

/// How much of a text file its preview shows.
const PREVIEW_BYTES: usize = 256 * 1024;

/// What is asked of a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Want {
    Download,
    Thumbnail,
    Preview,
}

/// Whose page a file is served to.
pub struct Reader<'a> {
    pub ticket: i64,
    /// Requesters see only files that came with what they may see.
    pub public_only: bool,
    /// The ticket page, for the preview's way back, and its files' base.
    pub back: &'a str,
    pub files_base: &'a str,
}

/// The answer for one of a ticket's files.
pub async fn serve(store: &Store, reader: Reader<'_>, file: &str, want: Want) -> Result<Response> {
    let file = Uuid::parse_str(file).map_err(|_| AppError::NotFound)?;
    let (attachment, bytes) = store
        .ticket_file(
            reader.ticket,
            file,
            reader.public_only,
            want == Want::Thumbnail,
        )
        .await?
        .ok_or(AppError::NotFound)?;
    match want {
        Want::Download => Ok(download(&attachment, bytes)),
        Want::Thumbnail => Ok(thumbnail(bytes)),
        Want::Preview if attachment.kind.is_text() => {
            let page = PreviewPage::new(&attachment, &bytes, &reader);
            Ok(render(&page)?.into_response())
        }
        Want::Preview => Err(AppError::NotFound),
    }
}

/// A file as a download, with the headers every file response carries.
pub(crate) fn download(file: &Attachment, bytes: Vec<u8>) -> Response {
    let mut response = (StatusCode::OK, bytes).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(file.kind.media_type()),
    );
    if let Ok(value) = HeaderValue::from_str(&content_disposition(&file.name)) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    guard(headers);
    response
}

fn thumbnail(bytes: Vec<u8>) -> Response {
    let mut response = (StatusCode::OK, bytes).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("image/png"));
    guard(headers);
    response
}

/// Headers every file response carries.
fn guard(headers: &mut axum::http::HeaderMap) {
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(FILE_POLICY),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        "cross-origin-resource-policy",
        HeaderValue::from_static("same-origin"),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
}

/// Characters kept as they are in `filename*` (RFC 8187's attr-char).
const ATTR_CHAR: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'!')
    .remove(b'#')
    .remove(b'$')
    .remove(b'&')
    .remove(b'+')
    .remove(b'-')
    .remove(b'.')
    .remove(b'^')
    .remove(b'_')
    .remove(b'`')
    .remove(b'|')
    .remove(b'~');

/// `attachment`, with the name for old clients (ASCII, quotes and
/// backslashes replaced) and in full for the rest (`filename*`, UTF-8).
pub fn content_disposition(name: &str) -> String {
    let fallback: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!(
        "attachment; filename=\"{fallback}\"; filename*=UTF-8''{}",
        utf8_percent_encode(name, ATTR_CHAR)
    )
}

#[derive(Template)]
#[template(path = "files/preview.html")]
struct PreviewPage {
    name: String,
    size: String,
    removed: String,
    text: String,
    truncated: bool,
    download: String,
    back: String,
}

impl PreviewPage {
    fn new(file: &Attachment, bytes: &[u8], reader: &Reader<'_>) -> Self {
        let shown = &bytes[..bytes.len().min(PREVIEW_BYTES)];
        Self {
            name: file.name.clone(),
            size: file.size_text(),
            removed: file.removed_text(),
            // A cut may fall inside a character: it shows as one mark.
            text: String::from_utf8_lossy(shown).into_owned(),
            truncated: bytes.len() > PREVIEW_BYTES,
            download: format!("{}/{}", reader.files_base, file.id),
            back: reader.back.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_given_safely_in_both_forms() {
        assert_eq!(
            content_disposition("run log.har"),
            "attachment; filename=\"run log.har\"; filename*=UTF-8''run%20log.har"
        );
        assert_eq!(
            content_disposition("a\"b\\c.txt"),
            "attachment; filename=\"a_b_c.txt\"; filename*=UTF-8''a%22b%5Cc.txt"
        );
        assert_eq!(
            content_disposition("Überweisung \"März\".log"),
            "attachment; filename=\"_berweisung _M_rz_.log\"; \
             filename*=UTF-8''%C3%9Cberweisung%20%22M%C3%A4rz%22.log"
        );
        assert_eq!(
            content_disposition("übersicht.png"),
            "attachment; filename=\"_bersicht.png\"; filename*=UTF-8''%C3%BCbersicht.png"
        );
    }
}
