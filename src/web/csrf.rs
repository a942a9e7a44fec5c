//! CSRF protection for every form, with or without a signed-in session.
//!
//! Each browser gets a random value in an HttpOnly cookie; forms carry an
//! HMAC of that value under a server key. A POST is accepted only when its
//! `csrf_token` field matches the HMAC of its cookie. A site that can plant a
//! cookie cannot compute the matching token, and one that cannot read our
//! pages cannot learn it. The check runs as middleware on every POST, so a
//! new form cannot forget it.

use std::fmt;
use std::sync::Arc;

use axum::body::{Body, to_bytes};
use axum::extract::{FromRequestParts, Request, State};
use axum::http::header::{CONTENT_TYPE, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use uuid::Uuid;

use crate::config::Config;
use crate::error::AppError;
use crate::store::Store;
use crate::web::cookies::{random_token, token_cookie};

pub const COOKIE_NAME: &str = "apidesk_csrf";
pub const FIELD: &str = "csrf_token";
const SETTING_KEY: &str = "csrf_key";
/// Forms are small; this only bounds what the check itself buffers.
const MAX_FORM_BYTES: usize = 256 * 1024;

/// The server's signing key, generated on first start and kept in the
/// database so that forms stay valid across restarts.
#[derive(Clone)]
pub struct CsrfKey(Arc<Vec<u8>>);

impl fmt::Debug for CsrfKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CsrfKey(<redacted>)")
    }
}

impl CsrfKey {
    pub async fn load_or_create(store: &Store) -> anyhow::Result<Self> {
        let hex_key = store.setting_or_insert(SETTING_KEY, random_token).await?;
        Ok(Self(Arc::new(hex::decode(hex_key)?)))
    }

    fn mac(&self, cookie: &str) -> Hmac<Sha256> {
        let mut mac =
            Hmac::<Sha256>::new_from_slice(&self.0).expect("HMAC accepts keys of any length");
        mac.update(cookie.as_bytes());
        mac
    }

    fn token_for(&self, cookie: &str) -> String {
        hex::encode(self.mac(cookie).finalize().into_bytes())
    }

    /// The key under which a filed form is remembered: its submission id
    /// bound to this browser's CSRF cookie, so that only the browser that
    /// filed a ticket is sent back to it when it submits the same id again.
    /// `None` without a cookie (the CSRF check refuses such posts anyway).
    pub fn submission_key(&self, headers: &HeaderMap, submitted: Uuid) -> Option<Uuid> {
        let cookie = token_cookie(headers, COOKIE_NAME)?;
        let digest = self
            .mac(&format!("submission:{cookie}:{submitted}"))
            .finalize()
            .into_bytes();
        let mut bytes = [0u8; 16];
        bytes.copy_from_slice(&digest[..16]);
        Some(uuid::Builder::from_random_bytes(bytes).into_uuid())
    }

    fn verify(&self, cookie: &str, token: &str) -> bool {
        match hex::decode(token) {
            // `verify_slice` compares in constant time.
            Ok(bytes) => self.mac(cookie).verify_slice(&bytes).is_ok(),
            Err(_) => false,
        }
    }
}

/// The token to put in this visitor's forms.
#[derive(Clone)]
pub struct CsrfToken(String);

impl CsrfToken {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for CsrfToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CsrfToken(<redacted>)")
    }
}

impl<S: Send + Sync> FromRequestParts<S> for CsrfToken {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<CsrfToken>()
            .cloned()
            .ok_or_else(|| AppError::Internal(anyhow::anyhow!("the CSRF layer is not installed")))
    }
}

fn is_form(headers: &HeaderMap) -> bool {
    headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"))
}

/// Gives every request its form token and refuses state-changing requests
/// whose token does not match.
pub async fn protect(
    State(key): State<CsrfKey>,
    State(config): State<Arc<Config>>,
    request: Request,
    next: Next,
) -> Response {
    let (mut parts, body) = request.into_parts();
    let existing = token_cookie(&parts.headers, COOKIE_NAME);
    let cookie = existing.clone().unwrap_or_else(random_token);

    let body = if parts.method == Method::GET || parts.method == Method::HEAD {
        body
    } else {
        let Some(sent_cookie) = existing.as_deref() else {
            return AppError::Csrf.into_response();
        };
        if !is_form(&parts.headers) {
            return AppError::Csrf.into_response();
        }
        let Ok(bytes) = to_bytes(body, MAX_FORM_BYTES).await else {
            return crate::error::error_page(axum::http::StatusCode::PAYLOAD_TOO_LARGE);
        };
        let token = form_urlencoded_field(&bytes, FIELD);
        if !token.is_some_and(|t| key.verify(sent_cookie, &t)) {
            return AppError::Csrf.into_response();
        }
        Body::from(bytes)
    };

    parts.extensions.insert(CsrfToken(key.token_for(&cookie)));
    let mut response = next.run(Request::from_parts(parts, body)).await;
    if existing.is_none() {
        response
            .headers_mut()
            .append(SET_COOKIE, set_cookie(&cookie, config.cookie_secure));
    }
    response
}

/// A new CSRF value for this browser, as a `Set-Cookie` header. Given at
/// sign-in, so a value planted or seen before it is worth nothing after.
pub fn renewed_cookie(secure: bool) -> HeaderValue {
    set_cookie(&random_token(), secure)
}

fn set_cookie(value: &str, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{COOKIE_NAME}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age=31536000{secure}"
    ))
    .expect("a hex value and fixed attributes make a valid header")
}

fn form_urlencoded_field(body: &[u8], name: &str) -> Option<String> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(body)
        .ok()?
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> CsrfKey {
        CsrfKey(Arc::new(vec![7; 32]))
    }

    #[test]
    fn a_token_verifies_only_for_its_own_cookie() {
        let token = key().token_for("cookie-a");
        assert!(key().verify("cookie-a", &token));
        assert!(!key().verify("cookie-b", &token));
        assert!(!key().verify("cookie-a", "not hex"));
        assert!(!key().verify("cookie-a", ""));
    }

    #[test]
    fn submission_keys_are_per_browser() {
        let headers = |cookie: &str| {
            let mut headers = HeaderMap::new();
            let value = format!("{COOKIE_NAME}={cookie}");
            headers.insert("cookie", HeaderValue::from_str(&value).unwrap());
            headers
        };
        let (a, b) = (random_token(), random_token());
        let id = Uuid::new_v4();
        let key_a = key().submission_key(&headers(&a), id).unwrap();
        assert_eq!(key().submission_key(&headers(&a), id), Some(key_a));
        assert_ne!(key().submission_key(&headers(&b), id), Some(key_a));
        assert_ne!(key_a, id);
        assert_eq!(key().submission_key(&HeaderMap::new(), id), None);
    }

    #[test]
    fn another_key_gives_other_tokens() {
        let other = CsrfKey(Arc::new(vec![8; 32]));
        assert!(!other.verify("cookie-a", &key().token_for("cookie-a")));
    }

    #[test]
    fn finds_the_token_field_in_a_form_body() {
        assert_eq!(
            form_urlencoded_field(b"a=1&csrf_token=ab%20c&b=2", FIELD).as_deref(),
            Some("ab c")
        );
        assert_eq!(form_urlencoded_field(b"a=1", FIELD), None);
    }

    #[test]
    fn debug_never_shows_secrets() {
        assert_eq!(format!("{:?}", key()), "CsrfKey(<redacted>)");
        assert_eq!(
            format!("{:?}", CsrfToken("secret".into())),
            "CsrfToken(<redacted>)"
        );
    }
}
