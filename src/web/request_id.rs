//! The request id: one per request, in the `x-request-id` response header,
//! in the request's log span (so on every log line it causes) and on error
//! pages and problem documents, for a person to quote to support.
//!
//! An id sent by the client is kept only behind a trusted proxy
//! (`--trust-proxy`), which may have logged it already, and only if it is
//! short and plain (letters, digits, `-`, `_`, `.`, at most 64): anyone else
//! could choose ids that collide with others' or forge log text. Otherwise
//! every request gets a fresh UUID.

use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;

use crate::web::AppState;

const HEADER: &str = "x-request-id";
const LONGEST: usize = 64;

/// Gives the request its id before anything else sees it, and the response
/// the same id, whatever answered it (a page, a refusal, a panic's 500).
pub async fn assign(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let offered = request
        .headers()
        .get(HEADER)
        .and_then(|value| value.to_str().ok())
        .filter(|_| state.config.trust_proxy)
        .filter(|id| acceptable(id))
        .map(str::to_string);
    let id = offered.unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    let value = HeaderValue::from_str(&id).expect("a plain id is a valid header value");
    request
        .headers_mut()
        .insert(HeaderName::from_static(HEADER), value.clone());
    let mut response = crate::telemetry::with_request_id(id, next.run(request)).await;
    response
        .headers_mut()
        .insert(HeaderName::from_static(HEADER), value);
    response
}

/// The id as the request span records it (set by `assign`).
pub fn of(request: &axum::http::Request<axum::body::Body>) -> &str {
    request
        .headers()
        .get(HEADER)
        .and_then(|value| value.to_str().ok())
        .unwrap_or("-")
}

fn acceptable(id: &str) -> bool {
    (1..=LONGEST).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_short_plain_ids_are_acceptable() {
        assert!(acceptable("3f2b0c1e-9d7a-4e55-8a0b-1c2d3e4f5a6b"));
        assert!(acceptable("edge.01_A"));
        for bad in ["", "a b", "x\"y", "id=1;drop", &"a".repeat(65), "ü"] {
            assert!(!acceptable(bad), "{bad:?}");
        }
    }
}
