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
use crate::web::cookies::{cookie_name, random_token, token_cookie};

pub const COOKIE_NAME: &str = "apidesk_csrf";
/// The name with `--cookie-secure` (see `cookies::cookie_name`).
pub const SECURE_COOKIE_NAME: &str = "__Host-apidesk_csrf";
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
    pub fn submission_key(
        &self,
        headers: &HeaderMap,
        secure: bool,
        submitted: Uuid,
    ) -> Option<Uuid> {
        let cookie = token_cookie(headers, name(secure))?;
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
    let existing = token_cookie(&parts.headers, name(config.cookie_secure));
    let cookie = existing.clone().unwrap_or_else(random_token);

    let body = if parts.method == Method::GET || parts.method == Method::HEAD {
        body
    } else {
        let Some(sent_cookie) = existing.as_deref() else {
            return AppError::Csrf.into_response();
        };
        if let Some(boundary) = multipart_boundary(&parts.headers) {
            // A form with files is not read whole here: only its first
            // part, which must be the token (every form puts it first).
            let (token, body) = match first_part(body, &boundary).await {
                Ok(read) => read,
                Err(status) => return crate::error::error_page(status),
            };
            if !token.is_some_and(|t| key.verify(sent_cookie, &t)) {
                return AppError::Csrf.into_response();
            }
            body
        } else {
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
        }
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

/// The boundary of a `multipart/form-data` body, if that is what it is.
fn multipart_boundary(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(CONTENT_TYPE)?.to_str().ok()?;
    let (kind, params) = value.split_once(';')?;
    if !kind.trim().eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    params.split(';').find_map(|param| {
        let (name, value) = param.split_once('=')?;
        let value = value.trim().trim_matches('"');
        (name.trim().eq_ignore_ascii_case("boundary") && !value.is_empty() && value.len() <= 70)
            .then(|| value.to_string())
    })
}

/// The most read of a multipart body to find its first part.
const MAX_FIRST_PART: usize = 4096;

/// The value of a multipart body's first part when that part is the CSRF
/// token field, and the whole body again for the handler: what was read
/// to find it, then the rest as it streams in.
async fn first_part(
    body: Body,
    boundary: &str,
) -> Result<(Option<String>, Body), axum::http::StatusCode> {
    use futures_util::StreamExt;
    let mut stream = body.into_data_stream();
    let mut read = Vec::new();
    let delimiter = format!("\r\n--{boundary}");
    let token = loop {
        if let Some(token) = token_part(&read, boundary, &delimiter) {
            break token;
        }
        if read.len() > MAX_FIRST_PART {
            break None;
        }
        match stream.next().await {
            Some(Ok(chunk)) => read.extend_from_slice(&chunk),
            Some(Err(_)) => return Err(axum::http::StatusCode::PAYLOAD_TOO_LARGE),
            None => break token_part(&read, boundary, &delimiter).flatten(),
        }
    };
    let head =
        futures_util::stream::once(
            async move { Ok::<_, axum::Error>(axum::body::Bytes::from(read)) },
        );
    Ok((token, Body::from_stream(head.chain(stream))))
}

/// `Some(token)` once the first part is read whole and is the token field,
/// `Some(None)` once it is read and is something else; `None` while more
/// is needed.
fn token_part(read: &[u8], boundary: &str, delimiter: &str) -> Option<Option<String>> {
    let opening = format!("--{boundary}\r\n");
    if read.len() < opening.len() {
        return None;
    }
    if !read.starts_with(opening.as_bytes()) {
        return Some(None);
    }
    let rest = &read[opening.len()..];
    let end = find(rest, delimiter.as_bytes())?;
    let part = std::str::from_utf8(&rest[..end]).ok();
    Some(part.and_then(|part| {
        let (headers, value) = part.split_once("\r\n\r\n")?;
        let named = headers.lines().any(|line| {
            let lower = line.to_ascii_lowercase();
            lower.starts_with("content-disposition:")
                && lower.contains(&format!("name=\"{FIELD}\""))
                && !lower.contains("filename")
        });
        named.then(|| value.to_string())
    }))
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

/// A new CSRF value for this browser, as a `Set-Cookie` header. Given at
/// sign-in, so a value planted or seen before it is worth nothing after.
pub fn renewed_cookie(secure: bool) -> HeaderValue {
    set_cookie(&random_token(), secure)
}

/// The CSRF cookie's name, plain or `__Host-` prefixed.
pub fn name(secure: bool) -> &'static str {
    cookie_name(COOKIE_NAME, SECURE_COOKIE_NAME, secure)
}

fn set_cookie(value: &str, secure: bool) -> HeaderValue {
    let name = name(secure);
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age=31536000{secure}"
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
        let key_a = key().submission_key(&headers(&a), false, id).unwrap();
        assert_eq!(key().submission_key(&headers(&a), false, id), Some(key_a));
        assert_ne!(key().submission_key(&headers(&b), false, id), Some(key_a));
        assert_ne!(key_a, id);
        assert_eq!(key().submission_key(&HeaderMap::new(), false, id), None);
        // Under `--cookie-secure` only the `__Host-` cookie counts.
        assert_eq!(key().submission_key(&headers(&a), true, id), None);
    }

    #[test]
    fn finds_the_token_as_the_first_part_of_a_form_with_files() {
        let boundary = "XyZ";
        let delimiter = "\r\n--XyZ";
        let body =
            "--XyZ\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\nab12\r\n--XyZ\r\n";
        assert_eq!(
            token_part(body.as_bytes(), boundary, delimiter),
            Some(Some("ab12".into()))
        );
        // Not read whole yet.
        assert_eq!(
            token_part(&body.as_bytes()[..30], boundary, delimiter),
            None
        );
        let other = "--XyZ\r\nContent-Disposition: form-data; name=\"message\"\r\n\r\nhi\r\n--XyZ";
        assert_eq!(
            token_part(other.as_bytes(), boundary, delimiter),
            Some(None)
        );
        let file = "--XyZ\r\nContent-Disposition: form-data; name=\"csrf_token\"; filename=\"a\"\r\n\r\nab12\r\n--XyZ";
        assert_eq!(token_part(file.as_bytes(), boundary, delimiter), Some(None));
        assert_eq!(
            token_part(b"garbage that is long enough", boundary, delimiter),
            Some(None)
        );
    }

    #[test]
    fn reads_the_boundary_of_a_form_with_files() {
        let headers = |value: &str| {
            let mut headers = HeaderMap::new();
            headers.insert(CONTENT_TYPE, HeaderValue::from_str(value).unwrap());
            headers
        };
        assert_eq!(
            multipart_boundary(&headers("multipart/form-data; boundary=----Web123")).as_deref(),
            Some("----Web123")
        );
        assert_eq!(
            multipart_boundary(&headers("Multipart/Form-Data; boundary=\"a b\"")).as_deref(),
            Some("a b")
        );
        assert_eq!(
            multipart_boundary(&headers("application/x-www-form-urlencoded")),
            None
        );
        assert_eq!(multipart_boundary(&headers("multipart/form-data")), None);
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
