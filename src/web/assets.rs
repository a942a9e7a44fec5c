//! The stylesheet, the small script and the icons, embedded in the binary so
//! a single file is all there is to deploy. Only the `static/` folder is
//! served.
//!
//! Pages link each file by a name that carries a digest of its content
//! (`/static/app.1f2e3d4c5b6a7980.css`, through [`url`]), served with a year's
//! `immutable` caching: a browser never asks again, and a new release, whose
//! files have new names, is picked up at once. The plain name
//! (`/static/app.css`) still answers, to be revalidated on every use. Both
//! carry an `ETag` and answer `If-None-Match` with 304.

use std::collections::HashMap;
use std::sync::LazyLock;

use axum::Router;
use axum::extract::Path;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, ETAG, IF_NONE_MATCH};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use rust_embed::RustEmbed;
use sha2::{Digest, Sha256};

use crate::error::AppError;
use crate::web::AppState;

#[derive(RustEmbed)]
#[folder = "static/"]
struct Assets;

/// A year: the longest lifetime caches honour. Only for content-named URLs.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// Plain names may change content under the same URL: ask every time (a
/// 304 when unchanged costs no body).
const REVALIDATE: &str = "public, no-cache";

struct Asset {
    /// `app.1f2e3d4c5b6a7980.css`
    hashed_name: String,
    /// Weak: the compression layer may send the same content gzipped, and
    /// a strong validator must change with the bytes on the wire. Weak
    /// comparison is what `If-None-Match` uses anyway.
    etag: HeaderValue,
    content_type: &'static str,
    data: Vec<u8>,
}

/// Every embedded file by its plain name, digested once.
static TABLE: LazyLock<HashMap<String, Asset>> = LazyLock::new(|| {
    Assets::iter()
        .filter_map(|path| {
            let file = Assets::get(&path)?;
            let data = match path.as_ref() {
                "staff.js" => with_app_js(&file.data),
                _ => file.data.into_owned(),
            };
            let digest = fingerprint(&data);
            let asset = Asset {
                hashed_name: hashed_name(&path, &digest),
                etag: HeaderValue::from_str(&format!("W/\"{digest}\""))
                    .expect("hex digits make a valid header value"),
                content_type: content_type(&path),
                data,
            };
            Some((path.into_owned(), asset))
        })
        .collect()
});

/// Staff pages load one script, not two: what they serve as `staff.js` is
/// `app.js` followed by `static/staff.js` (each wraps itself in a function
/// of its own, so one after the other is the same as two files in order).
fn with_app_js(staff: &[u8]) -> Vec<u8> {
    let app = Assets::get("app.js")
        .map(|f| f.data.into_owned())
        .unwrap_or_default();
    [app.as_slice(), b"\n", staff].concat()
}

/// Maps a content-named path back to its plain name.
static BY_HASHED_NAME: LazyLock<HashMap<&'static str, &'static str>> = LazyLock::new(|| {
    TABLE
        .iter()
        .map(|(plain, asset)| (asset.hashed_name.as_str(), plain.as_str()))
        .collect()
});

/// The URL pages use for a static file: `url("app.css")` is
/// `/static/app.<digest>.css`. Every template links static files through
/// this, so a changed file is never served stale from a cache. A name that
/// is not embedded gets its plain URL (and a 404), never a panic.
pub fn url(path: &str) -> String {
    match TABLE.get(path) {
        Some(asset) => format!("/static/{}", asset.hashed_name),
        None => format!("/static/{path}"),
    }
}

/// The first 16 hex digits of the content's SHA-256: 64 bits, plenty to
/// tell one release's file from another's.
fn fingerprint(data: &[u8]) -> String {
    let digest = Sha256::digest(data);
    hex::encode(&digest[..8])
}

/// `dir/app.css` + digest → `dir/app.<digest>.css`.
fn hashed_name(path: &str, digest: &str) -> String {
    let (dir, file) = path.rsplit_once('/').map_or(("", path), |(d, f)| (d, f));
    let named = match file.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => format!("{stem}.{digest}.{ext}"),
        _ => format!("{file}.{digest}"),
    };
    if dir.is_empty() {
        named
    } else {
        format!("{dir}/{named}")
    }
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next() {
        Some("css") => "text/css; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("ico") => "image/x-icon",
        Some("png") => "image/png",
        _ => "application/octet-stream",
    }
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/static/{*path}", get(asset))
        // Browsers ask for it on their own, whatever the page links.
        .route("/favicon.ico", get(favicon))
}

async fn asset(Path(path): Path<String>, headers: HeaderMap) -> Result<Response, AppError> {
    if let Some(plain) = BY_HASHED_NAME.get(path.as_str()) {
        return Ok(respond(&TABLE[*plain], IMMUTABLE, &headers));
    }
    let asset = TABLE.get(&path).ok_or(AppError::NotFound)?;
    Ok(respond(asset, REVALIDATE, &headers))
}

async fn favicon(headers: HeaderMap) -> Result<Response, AppError> {
    let asset = TABLE.get("favicon.ico").ok_or(AppError::NotFound)?;
    // A fixed URL, so not immutable; a day keeps it from being asked for on
    // every first visit of the day while a new icon still shows up soon.
    Ok(respond(asset, "public, max-age=86400", &headers))
}

fn respond(asset: &'static Asset, cache_control: &'static str, headers: &HeaderMap) -> Response {
    let validators = [
        (ETAG, asset.etag.clone()),
        (CACHE_CONTROL, HeaderValue::from_static(cache_control)),
    ];
    if matches_etag(headers, &asset.etag) {
        return (StatusCode::NOT_MODIFIED, validators).into_response();
    }
    (
        validators,
        [(CONTENT_TYPE, HeaderValue::from_static(asset.content_type))],
        asset.data.as_slice(),
    )
        .into_response()
}

/// `If-None-Match` by weak comparison (RFC 9110 §13.1.2): `*`, or any listed
/// tag equal to ours once `W/` is set aside.
fn matches_etag(headers: &HeaderMap, etag: &HeaderValue) -> bool {
    let ours = etag.to_str().unwrap_or_default().trim_start_matches("W/");
    headers
        .get_all(IF_NONE_MATCH)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(str::trim)
        .any(|tag| tag == "*" || tag.trim_start_matches("W/") == ours)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_files_url_changes_with_its_content() {
        let a = hashed_name("app.css", &fingerprint(b"body { color: red }"));
        let b = hashed_name("app.css", &fingerprint(b"body { color: blue }"));
        assert_ne!(a, b);
        assert!(a.starts_with("app.") && a.ends_with(".css"), "{a}");
        assert_eq!(a.len(), "app..css".len() + 16, "{a}");
        assert_eq!(hashed_name("icons/logo.svg", "0123"), "icons/logo.0123.svg");
        assert_eq!(hashed_name("LICENSE", "0123"), "LICENSE.0123");
    }

    #[test]
    fn pages_link_the_embedded_files_by_their_digest() {
        let css = Assets::get("app.css").expect("embedded");
        assert_eq!(
            url("app.css"),
            format!("/static/app.{}.css", fingerprint(&css.data))
        );
        assert_eq!(url("nope.css"), "/static/nope.css");
    }

    #[test]
    fn if_none_match_uses_weak_comparison() {
        let etag = HeaderValue::from_static("W/\"abc\"");
        let with = |value: &'static str| {
            let mut headers = HeaderMap::new();
            headers.insert(IF_NONE_MATCH, HeaderValue::from_static(value));
            matches_etag(&headers, &etag)
        };
        assert!(with("W/\"abc\""));
        assert!(with("\"abc\""));
        assert!(with("\"x\", W/\"abc\""));
        assert!(with("*"));
        assert!(!with("\"abcd\""));
        assert!(!matches_etag(&HeaderMap::new(), &etag));
    }
}
