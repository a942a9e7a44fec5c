//! Staff sessions: a random id in an HttpOnly cookie, its SHA-256 in the
//! database, and a guard that every /staff route (but sign-in) sits behind.

use std::fmt;

use axum::extract::{FromRequestParts, Request, State};
use axum::http::header::SET_COOKIE;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use sha2::{Digest, Sha256};
use time::{Duration, OffsetDateTime};

use crate::error::AppError;
use crate::staff::StaffMember;
use crate::web::AppState;
use crate::web::cookies::{cookie_name, random_token, token_cookie};
use crate::web::links::with_query;

pub const COOKIE_NAME: &str = "apidesk_session";
/// The name with `--cookie-secure` (see `cookies::cookie_name`).
pub const SECURE_COOKIE_NAME: &str = "__Host-apidesk_session";

/// The session cookie's name, plain or `__Host-` prefixed.
pub fn name(secure: bool) -> &'static str {
    cookie_name(COOKIE_NAME, SECURE_COOKIE_NAME, secure)
}
/// Signed out after this long without a request...
pub const IDLE_TIMEOUT: Duration = Duration::hours(2);
/// ...and after this long in any case.
pub const ABSOLUTE_TIMEOUT: Duration = Duration::hours(12);

/// The value in the cookie. Never logged.
pub struct SessionId(String);

impl fmt::Debug for SessionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SessionId(<redacted>)")
    }
}

impl SessionId {
    pub fn generate() -> Self {
        Self(random_token())
    }

    /// The session cookie under the name `secure` gives it, and no other:
    /// with `--cookie-secure` a plain-named one may have been planted.
    pub fn from_headers(headers: &HeaderMap, secure: bool) -> Option<Self> {
        token_cookie(headers, name(secure)).map(Self)
    }

    /// What the database keeps: a copy of the table gives no one a session.
    pub fn hash(&self) -> String {
        hex::encode(Sha256::digest(self.0.as_bytes()))
    }

    pub fn cookie(&self, secure: bool) -> HeaderValue {
        let name = name(secure);
        let secure = if secure { "; Secure" } else { "" };
        HeaderValue::from_str(&format!(
            "{name}={}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{secure}",
            self.0,
            ABSOLUTE_TIMEOUT.whole_seconds()
        ))
        .expect("hex is a valid header value")
    }
}

pub fn clear_cookie(secure: bool) -> (axum::http::HeaderName, HeaderValue) {
    let name = name(secure);
    let secure = if secure { "; Secure" } else { "" };
    let value = format!("{name}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}");
    (
        SET_COOKIE,
        HeaderValue::from_str(&value).expect("a valid header value"),
    )
}

/// The signed-in staff member, put in place by `require_staff`.
#[derive(Debug, Clone)]
pub struct CurrentStaff(pub StaffMember);

impl<S: Send + Sync> FromRequestParts<S> for CurrentStaff {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<CurrentStaff>()
            .cloned()
            .ok_or_else(|| AppError::Internal(anyhow::anyhow!("the staff guard is not installed")))
    }
}

/// Lets a request through only with a valid session; otherwise sends the
/// browser to sign in, remembering where it was going.
pub async fn require_staff(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let staff = match SessionId::from_headers(request.headers(), state.config.cookie_secure) {
        Some(id) => {
            state
                .store
                .session_staff(
                    &id.hash(),
                    OffsetDateTime::now_utc(),
                    IDLE_TIMEOUT,
                    ABSOLUTE_TIMEOUT,
                )
                .await
        }
        None => Ok(None),
    };
    match staff {
        Ok(Some(staff)) => {
            // A temporary password is replaced before anything else.
            if staff.must_change_password && !open_with_temporary_password(request.uri().path()) {
                return Redirect::to(super::password::PAGE).into_response();
            }
            request.extensions_mut().insert(CurrentStaff(staff));
            next.run(request).await
        }
        Ok(None) => {
            // After a POST, come back to the page rather than replaying the action.
            let back = if request.method() == Method::GET {
                request
                    .uri()
                    .path_and_query()
                    .map_or("/staff/queue", |pq| pq.as_str())
                    .to_string()
            } else {
                "/staff/queue".to_string()
            };
            Redirect::to(&with_query("/staff/login", &[("next", &back)])).into_response()
        }
        Err(err) => AppError::from(err).into_response(),
    }
}

/// What someone signed in with a temporary password may reach: the page
/// that replaces it, and signing out.
fn open_with_temporary_password(path: &str) -> bool {
    path == super::password::PAGE || path == "/staff/logout"
}

/// Only a path on this site: `/x`, never `//host` or `/\host`, which browsers
/// treat as another site.
pub fn safe_next(next: &str) -> &str {
    let local = next.starts_with('/')
        && !next.starts_with("//")
        && !next.starts_with("/\\")
        && !next.chars().any(|c| c.is_control());
    if local { next } else { "/staff/queue" }
}

/// Refuses (403) unless the signed-in member is an admin: what acts with an
/// admin's authority (API tokens) or sends ticket details elsewhere
/// (webhooks) is theirs to manage.
pub(super) fn require_admin(me: &StaffMember) -> Result<(), AppError> {
    if me.role.is_admin() {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_followed() {
        assert_eq!(safe_next("/staff/tickets/4?x=1"), "/staff/tickets/4?x=1");
        for bad in [
            "https://evil.example",
            "//evil.example",
            "/\\evil.example",
            "",
            "javascript:x",
            "/a\nb",
        ] {
            assert_eq!(safe_next(bad), "/staff/queue", "{bad:?}");
        }
    }

    #[test]
    fn cookies_are_http_only_same_site_and_optionally_secure() {
        let id = SessionId::generate();
        let plain = id.cookie(false);
        let plain = plain.to_str().unwrap();
        assert!(plain.contains("HttpOnly") && plain.contains("SameSite=Lax"));
        assert!(!plain.contains("Secure"));
        assert!(plain.starts_with("apidesk_session="));
        let secure = id.cookie(true);
        let secure = secure.to_str().unwrap();
        assert!(secure.starts_with("__Host-apidesk_session=") && secure.ends_with("; Secure"));
        assert!(secure.contains("; Path=/;") && !secure.contains("Domain"));
    }

    #[test]
    fn the_stored_hash_is_not_the_cookie() {
        let id = SessionId::generate();
        assert_ne!(id.hash(), id.0);
        assert_eq!(id.hash().len(), 64);
        assert_eq!(format!("{id:?}"), "SessionId(<redacted>)");
    }
}
