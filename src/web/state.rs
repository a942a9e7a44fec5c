//! What every handler shares. The router's state, so it lives with the web
//! layer: handlers take the parts they need through `FromRef`.

use std::sync::Arc;

use axum::extract::FromRef;

use super::csrf::CsrfKey;
use super::rate_limit::RateLimits;
use crate::config::Config;
use crate::kb::{KnowledgeBase, SharedKb};
use crate::store::Store;
use crate::tickets::OutgoingMail;

/// Shared by every handler; cheap to clone (a pool handle and `Arc`s).
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub config: Arc<Config>,
    /// The content being served; `kb.get()` once per request.
    pub kb: SharedKb,
    pub csrf: CsrfKey,
    pub limits: RateLimits,
    /// Whether mail to requesters is sent (SMTP configured).
    pub outgoing_mail: OutgoingMail,
    /// Forms with files being read and inspected at once (`web::uploads`).
    pub uploads: super::UploadPermits,
    /// Walks through the checks being counted (`web::walk_counts`).
    pub walks: super::WalkCounts,
}

impl FromRef<AppState> for Store {
    fn from_ref(state: &AppState) -> Self {
        state.store.clone()
    }
}

impl FromRef<AppState> for Arc<Config> {
    fn from_ref(state: &AppState) -> Self {
        state.config.clone()
    }
}

/// The content as it is when the request is taken (see `SharedKb`).
impl FromRef<AppState> for Arc<KnowledgeBase> {
    fn from_ref(state: &AppState) -> Self {
        state.kb.get()
    }
}

impl FromRef<AppState> for CsrfKey {
    fn from_ref(state: &AppState) -> Self {
        state.csrf.clone()
    }
}

impl FromRef<AppState> for RateLimits {
    fn from_ref(state: &AppState) -> Self {
        state.limits.clone()
    }
}
