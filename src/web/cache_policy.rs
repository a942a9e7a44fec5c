//! `Cache-Control: no-store` on everything private, decided in one place so
//! that a new route is private unless it is listed here as public.
//!
//! Private means: what one person typed or may see (status pages and their
//! files, every staff page and export, every API answer, sign-in pages, a
//! form re-shown with its values, a deep link's pre-filled form, a pasted
//! message's diagnosis), and every answer to a POST or with an error
//! status (a 429 says when *this* client may try again). Public means the
//! same for everyone: the start page, the decision trees, articles, static
//! files, the rate-limit calculator and the API's description.

use axum::extract::Request;
use axum::http::{HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::Response;

/// Paths whose successful GETs are the same for everyone.
fn is_public(path: &str) -> bool {
    const EXACT: [&str; 5] = [
        "/",
        "/articles",
        "/favicon.ico",
        "/rate-limits",
        "/api/v1/openapi.json",
    ];
    const UNDER: [&str; 3] = ["/troubleshoot/", "/articles/", "/static/"];
    EXACT.contains(&path) || path == "/api/v1/docs" || UNDER.iter().any(|p| path.starts_with(p))
}

/// Adds `no-store` to every private answer that does not already say how
/// it may be kept (files set `private, no-store` themselves; static files
/// their own caching).
pub(crate) async fn no_store_unless_public(request: Request, next: Next) -> Response {
    let read = request.method() == Method::GET || request.method() == Method::HEAD;
    let public_path = is_public(request.uri().path());
    let mut response = next.run(request).await;
    let public = read && public_path && response.status().as_u16() < 400;
    if !public && !response.headers().contains_key(header::CACHE_CONTROL) {
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::is_public;

    #[test]
    fn only_listed_paths_are_public() {
        for public in [
            "/",
            "/troubleshoot/401",
            "/articles/401-unauthorized",
            "/static/app.css",
            "/api/v1/openapi.json",
        ] {
            assert!(is_public(public), "{public}");
        }
        for private in [
            "/tickets/new",
            "/tickets/abc",
            "/staff/login",
            "/diagnose",
            "/api/v1/tickets",
            "/healthz",
            "/staffx",
            "/troubleshoot",
        ] {
            assert!(!is_public(private), "{private}");
        }
    }
}
