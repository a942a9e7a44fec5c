//! The notice of a known incident on the public pages: the reference
//! article's first advice is to check whether the platform itself is down,
//! so while an incident lasts the start page and the checks (and form) of
//! the codes it causes say so before anything else.

use super::format::iso_time;
use crate::domain::{ErrorCode, human_time};
use crate::web::AppState;

/// One open incident as a requester reads it.
pub(crate) struct IncidentNotice {
    pub title: String,
    pub affected: String,
    /// "7 Dec 2026, 09:30 UTC", and as a machine-readable time.
    pub since: String,
    pub since_iso: String,
    pub product: String,
}

/// The open incidents covering `code` (every open one for `None`). A
/// failed lookup shows none, logged: the page itself must not fail for it.
pub(crate) async fn open_notices(state: &AppState, code: Option<ErrorCode>) -> Vec<IncidentNotice> {
    let open = match state.store.open_incidents().await {
        Ok(open) => open,
        Err(err) => {
            tracing::warn!(cause = %err.cause(), "cannot read the open incidents");
            return Vec::new();
        }
    };
    let product = state.kb.get().site().product.name.clone();
    open.into_iter()
        .filter(|incident| code.is_none_or(|code| incident.covers(code)))
        .map(|incident| IncidentNotice {
            since: human_time(incident.started_at),
            since_iso: iso_time(incident.started_at),
            title: incident.title,
            affected: incident.affected,
            product: product.clone(),
        })
        .collect()
}
