//! The audit log: one line with the target `apidesk::audit` for every staff
//! action, whether from a staff page (a session) or the API (a token):
//! who (`staff_id`, or `token_id` and the admin it acts for), what
//! (`action`, the method and route pattern), which (the ids in the path),
//! the answer's status and the request id. Sign-ins are logged where they
//! are decided (`staff::auth`), account changes also with what changed.
//!
//! Only the route's pattern and its numeric ids are written: never the
//! form, the body, a header, the token or the session cookie.

use std::sync::{Arc, Mutex};

use axum::extract::{MatchedPath, RawPathParams, Request};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;

use super::staff_session::CurrentStaff;

/// Reads that export data in bulk are audited like changes.
const EXPORTS: [&str; 2] = ["/staff/queue.csv", "/staff/insights/{file}"];

/// Path parameters that name a record; any other (a requester's link
/// token, say) is left out of the line.
const RECORD_PARAMS: [&str; 3] = ["id", "file", "mail"];

/// Where the API's token check leaves the caller it found, for the audit
/// line written once the request is answered.
#[derive(Clone, Default)]
pub(crate) struct TokenSlot(Arc<Mutex<Option<(i64, i64)>>>);

impl TokenSlot {
    /// Records the token `id`, acting for the admin `by`.
    pub(crate) fn fill(&self, id: i64, by: i64) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = Some((id, by));
    }

    fn taken(&self) -> Option<(i64, i64)> {
        *self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A change to a staff account with nothing more to say than its name:
/// the account, who changed it and what the change was.
pub(crate) fn account_changed(staff_id: i64, by: i64, action: &str) {
    tracing::info!(
        target: "apidesk::audit",
        staff_id,
        by,
        action,
        "staff account changed"
    );
}

/// Wraps the staff routes (inside the session check) and the API.
pub(super) async fn record(
    params: Result<RawPathParams, axum::extract::rejection::RawPathParamsRejection>,
    mut request: Request,
    next: Next,
) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|path| path.as_str().to_string());
    let method = request.method().clone();
    let audited = match &route {
        Some(route) => is_action(&method, route),
        None => false,
    };
    if !audited {
        return next.run(request).await;
    }
    let staff_id = request
        .extensions()
        .get::<CurrentStaff>()
        .map(|CurrentStaff(staff)| staff.id);
    let slot = TokenSlot::default();
    request.extensions_mut().insert(slot.clone());
    let which = params
        .map(|params| {
            params
                .iter()
                .filter(|(name, _)| RECORD_PARAMS.contains(name))
                .map(|(name, value)| format!("{name}={value}"))
                .collect::<Vec<_>>()
                .join(",")
        })
        .unwrap_or_default();
    let response = next.run(request).await;
    let action = format!("{method} {}", route.unwrap_or_default());
    let status = response.status().as_u16();
    let request_id = crate::telemetry::request_id().unwrap_or_default();
    match (staff_id, slot.taken()) {
        (Some(staff_id), _) => tracing::info!(
            target: "apidesk::audit",
            staff_id,
            action,
            which,
            status,
            request_id,
            "staff action"
        ),
        (None, Some((token_id, by))) => tracing::info!(
            target: "apidesk::audit",
            token_id,
            by,
            action,
            which,
            status,
            request_id,
            "staff action"
        ),
        // No one was recognised: the request was refused before acting.
        (None, None) => tracing::info!(
            target: "apidesk::audit",
            action,
            which,
            status,
            request_id,
            "staff action refused: no valid credentials"
        ),
    }
    response
}

fn is_action(method: &Method, route: &str) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) || EXPORTS.contains(&route)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_and_exports_are_actions_and_reads_are_not() {
        assert!(is_action(&Method::POST, "/staff/tickets/{id}/assign"));
        assert!(is_action(&Method::GET, "/staff/queue.csv"));
        assert!(!is_action(&Method::GET, "/staff/queue"));
        assert!(!is_action(&Method::GET, "/api/v1/tickets/{id}"));
    }
}
