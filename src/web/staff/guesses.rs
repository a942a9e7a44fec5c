//! Counting guesses at a staff member's secrets (a password at sign-in or
//! when changing it, a code or a recovery code): each is reserved as a
//! failure before it is checked, per account and per address, so parallel
//! guesses cannot slip under the limit while the first is hashing. Past the
//! limit the answer says when the oldest counted failure leaves the window.

use std::net::IpAddr;

use axum::http::header::RETRY_AFTER;
use axum::http::{HeaderName, HeaderValue};
use time::{Duration, OffsetDateTime};

use crate::error::Result;
use crate::store::LoginAttempt;
use crate::web::AppState;

/// Failed guesses allowed per account, and per address, within the window.
pub(super) const MAX_FAILURES_PER_ACCOUNT: i64 = 5;
pub(super) const MAX_FAILURES_PER_ADDRESS: i64 = 20;
pub(super) const FAILURE_WINDOW: Duration = Duration::minutes(15);

/// The scope the account's failed guesses are counted under.
pub(super) fn account_scope(email: &str) -> String {
    format!("email:{}", email.trim().to_lowercase())
}

/// How long to wait before guessing again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Wait {
    secs: u64,
}

impl Wait {
    /// "Too many failed …. Try again in 12 minutes."
    pub(super) fn message(self, what: &str) -> String {
        format!(
            "Too many failed {what}. Try again in {}.",
            crate::error::wait_in_words(self.secs)
        )
    }

    pub(super) fn header(self) -> (HeaderName, HeaderValue) {
        (RETRY_AFTER, HeaderValue::from(self.secs))
    }
}

/// Reserves one guess for the account `email` from `ip`: the attempt, to be
/// released if the guess turns out right (or is never checked), or how long
/// to wait when the account or the address has used up its guesses.
pub(super) async fn reserve(
    state: &AppState,
    email: &str,
    ip: Option<IpAddr>,
) -> Result<std::result::Result<LoginAttempt, Wait>> {
    let now = OffsetDateTime::now_utc();
    let account = account_scope(email);
    let address = ip.map(|ip| format!("ip:{ip}"));
    let mut limits = vec![(account.as_str(), MAX_FAILURES_PER_ACCOUNT)];
    limits.extend(
        address
            .as_deref()
            .map(|scope| (scope, MAX_FAILURES_PER_ADDRESS)),
    );
    let since = now - FAILURE_WINDOW;
    if let Some(attempt) = state
        .store
        .reserve_login_attempt(&limits, since, now)
        .await?
    {
        return Ok(Ok(attempt));
    }
    let free_at = state
        .store
        .login_retry_at(&limits, since, FAILURE_WINDOW)
        .await?;
    let wait = free_at.map_or(FAILURE_WINDOW, |at| at - now);
    let secs = crate::error::retry_after_secs(wait.try_into().unwrap_or_default());
    Ok(Err(Wait { secs }))
}
