//! Who is calling: the bearer token of an API request, checked against the
//! stored hashes, revocation and the token's rate, before any handler runs.

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use time::OffsetDateTime;

use super::problem::ApiError;
use crate::config::Level;
use crate::tickets::workflow::Actor;
use crate::tokens::{ApiToken, Scope, token_hash};
use crate::web::AppState;
use crate::web::client_addr::ClientAddr;

/// The token an API request came with, valid and in force.
#[derive(Debug, Clone)]
pub struct Caller(pub ApiToken);

impl Caller {
    /// Refuses (403) unless the token has `scope`.
    pub fn require(&self, scope: Scope) -> Result<(), ApiError> {
        if self.0.allows(scope) {
            Ok(())
        } else {
            Err(ApiError::Forbidden(scope))
        }
    }

    /// The workflow's actor for the token.
    pub fn actor(&self) -> Actor {
        Actor::Token {
            id: self.0.id,
            by: self.0.created_by,
        }
    }
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        match token_in_force(parts, state).await? {
            Some(token) => {
                if let Some(slot) = parts.extensions.get::<crate::web::audit::TokenSlot>() {
                    slot.fill(token.id, token.created_by);
                }
                state
                    .limits
                    .check(Level::Api, &format!("token:{}", token.id), false)?;
                // Most requests skip the write: only the first of each
                // minute waits for one (the store's own check settles a race).
                let now = OffsetDateTime::now_utc();
                if token.due_for_touch(now) {
                    state.store.touch_token(token.id, now).await?;
                }
                Ok(Self(token))
            }
            None => {
                // Guessing tokens is counted per address, on the API's own
                // level: a caller past it is told to wait, not which guess
                // was wrong.
                let Ok(client) = ClientAddr::from_request_parts(parts, state).await;
                state.limits.check(
                    Level::Api,
                    &format!("no-token:{}", client.rate_key()),
                    false,
                )?;
                Err(ApiError::Unauthorized)
            }
        }
    }
}

/// The request's bearer token, when it is one apidesk issued and has not
/// revoked.
async fn token_in_force(parts: &Parts, state: &AppState) -> Result<Option<ApiToken>, ApiError> {
    let Some(presented) = parts
        .headers
        .get(AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| {
            let (scheme, token) = value.trim().split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
        })
        .filter(|token| !token.is_empty())
    else {
        return Ok(None);
    };
    Ok(state
        .store
        .token_by_hash(&token_hash(presented))
        .await?
        .filter(|token| !token.is_revoked()))
}
