//! How large a request body apidesk reads, by the family of route it is
//! for: the smallest that still fits what that family legitimately sends,
//! so a client cannot make the server buffer or parse more than that.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::uploads;
use crate::config::Config;

/// A plain form: a 10,000-character message, percent-encoded, and the rest.
pub(crate) const FORM_BYTES: usize = 256 * 1024;
/// The sign-in forms: an address, a password and a code.
pub(crate) const SIGN_IN_BYTES: usize = 8 * 1024;
/// A JSON document sent to the API: a ticket, an action, a reply. Its
/// longest text (a 10,000-character message, or a reply) fits even were
/// every character escaped as `\uXXXX`.
pub(crate) const API_JSON_BYTES: usize = 256 * 1024;
/// Reads (GET, HEAD) carry no body.
pub(crate) const READ_BYTES: usize = 0;

/// The largest body accepted for a request with this method, path and
/// headers.
pub(crate) fn limit_for(
    method: &Method,
    path: &str,
    headers: &HeaderMap,
    config: &Config,
) -> usize {
    if method == Method::GET || method == Method::HEAD {
        READ_BYTES
    } else if uploads::is_multipart(headers) {
        uploads::max_request_bytes(&config.attachments.limits())
    } else if path.starts_with("/api/") {
        API_JSON_BYTES
    } else if path == "/staff/login" || path.starts_with("/staff/login/") {
        SIGN_IN_BYTES
    } else {
        FORM_BYTES
    }
}

/// Bounds a request's body by `limit_for`. A declared length over the
/// bound is refused before anything is read; a body that runs past it
/// fails while it is read (413 either way).
pub(crate) async fn limit_body(
    State(config): State<Arc<Config>>,
    request: Request,
    next: Next,
) -> Response {
    let limit = limit_for(
        request.method(),
        request.uri().path(),
        request.headers(),
        &config,
    );
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return StatusCode::PAYLOAD_TOO_LARGE.into_response();
    }
    let (parts, body) = request.into_parts();
    let body = axum::body::Body::new(http_body_util::Limited::new(body, limit));
    next.run(Request::from_parts(parts, body)).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn limit(method: Method, path: &str, content_type: &str) -> usize {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_str(content_type).unwrap(),
        );
        limit_for(&method, path, &headers, &Config::default())
    }

    #[test]
    fn each_family_has_its_own_bound() {
        let form = "application/x-www-form-urlencoded";
        let files = "multipart/form-data; boundary=x";
        assert_eq!(limit(Method::GET, "/staff/queue", ""), READ_BYTES);
        assert_eq!(limit(Method::POST, "/tickets", form), FORM_BYTES);
        assert_eq!(limit(Method::POST, "/staff/login", form), SIGN_IN_BYTES);
        assert_eq!(
            limit(Method::POST, "/api/v1/tickets", "application/json"),
            API_JSON_BYTES
        );
        let with_files = limit(Method::POST, "/tickets", files);
        assert!(with_files > FORM_BYTES, "{with_files}");
        assert_eq!(limit(Method::POST, "/api/v1/uploads", files), with_files);
    }
}
