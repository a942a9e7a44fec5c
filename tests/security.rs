//! Protections every request gets: CSRF on every POST, error pages instead
//! of bare statuses, conservative headers.

mod common;
#[path = "common/staff.rs"]
mod staff_helpers;

use axum::http::{StatusCode, header};
use common::{TestApp, as_pairs, valid_ticket};

#[tokio::test]
async fn a_post_without_a_csrf_token_is_refused() {
    let mut app = TestApp::spawn().await;
    app.get("/").await; // the browser has its cookie
    let body = serde_urlencoded::to_string(as_pairs(&valid_ticket())).unwrap();
    let res = app.post_raw("/tickets", &body).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    res.assert_contains("This form has expired");
    assert_eq!(app.count_tickets().await, 0);

    let res = app
        .post_raw("/troubleshoot/401/fixed", "step=token-active")
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_token_from_another_browser_is_refused() {
    let mut app = TestApp::spawn().await;
    let token = app.csrf_token().await;
    app.clear_cookies();
    app.get("/").await; // a new cookie
    let mut fields = vec![("csrf_token", token.as_str())];
    let ticket = valid_ticket();
    fields.extend(as_pairs(&ticket));
    let res = app
        .post_raw("/tickets", &serde_urlencoded::to_string(&fields).unwrap())
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);

    // Without any cookie at all, also refused.
    app.clear_cookies();
    let res = app
        .post_raw("/tickets", &serde_urlencoded::to_string(&fields).unwrap())
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    assert_eq!(app.count_tickets().await, 0);
}

#[tokio::test]
async fn the_csrf_cookie_is_http_only_and_same_site() {
    let mut app = TestApp::spawn().await;
    let res = app.get("/").await;
    let cookie = res
        .headers
        .get(header::SET_COOKIE)
        .unwrap()
        .to_str()
        .unwrap();
    assert!(cookie.starts_with("apidesk_csrf="));
    assert!(cookie.contains("HttpOnly"));
    assert!(cookie.contains("SameSite=Lax"));
    // An existing cookie is kept, not replaced on every page.
    let again = app.get("/").await;
    assert!(again.headers.get(header::SET_COOKIE).is_none());
}

#[tokio::test]
async fn unknown_pages_get_the_html_error_page() {
    let mut app = TestApp::spawn().await;
    let res = app.get("/no/such/page").await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    assert!(
        res.headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    res.assert_contains("Page not found");
}

#[tokio::test]
async fn an_oversized_body_gets_an_error_page() {
    let mut app = TestApp::spawn().await;
    let token = app.csrf_token().await;
    let body = format!("csrf_token={token}&message={}", "x".repeat(400 * 1024));
    let res = app.post_raw("/tickets", &body).await;
    assert_eq!(res.status, StatusCode::PAYLOAD_TOO_LARGE);
    res.assert_contains("That was too much to send");
    // As a browser sends it, its length declared: refused before any route
    // runs, and still the page, not the layer's plain text.
    let res = app
        .request(
            axum::http::Request::post("/tickets")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(header::CONTENT_LENGTH, body.len())
                .body(axum::body::Body::from(body))
                .unwrap(),
        )
        .await;
    assert_eq!(res.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(
        res.headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    res.assert_contains("That was too much to send");
}

#[tokio::test]
async fn responses_carry_security_headers() {
    let mut app = TestApp::spawn().await;
    let res = app.get("/").await;
    for name in [
        "content-security-policy",
        "x-content-type-options",
        "referrer-policy",
        "x-frame-options",
        "x-xss-protection",
    ] {
        assert!(res.headers.contains_key(name), "missing {name}");
    }
    assert_eq!(res.headers["referrer-policy"], "no-referrer");
    assert_eq!(res.headers["x-xss-protection"], "1; mode=block");
    // Other origins may not read answers: no CORS header is ever sent.
    assert!(!res.headers.contains_key("access-control-allow-origin"));
}

#[tokio::test]
async fn health_and_assets_are_served() {
    let mut app = TestApp::spawn().await;
    let health = app.get("/healthz").await;
    assert_eq!(health.status, StatusCode::OK);
    let css = app.get("/static/app.css").await;
    assert_eq!(css.status, StatusCode::OK);
    assert!(
        css.headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/css")
    );
    assert_eq!(
        app.get("/static/../Cargo.toml").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get("/static/nope.css").await.status,
        StatusCode::NOT_FOUND
    );

    app.state.store.close().await;
    let down = app.get("/healthz").await;
    assert_eq!(down.status, StatusCode::SERVICE_UNAVAILABLE);
}

#[tokio::test]
async fn a_server_error_gets_a_page_that_leaks_nothing() {
    let mut app = TestApp::spawn().await;
    app.state.store.close().await;
    let res = app.get(&format!("/tickets/{}", uuid::Uuid::new_v4())).await;
    assert_eq!(res.status, StatusCode::INTERNAL_SERVER_ERROR);
    res.assert_contains("Something went wrong on our side")
        .assert_lacks("pool")
        .assert_lacks("sqlx");
}

#[tokio::test]
async fn private_pages_are_never_cached() {
    let mut app = TestApp::spawn().await;
    let filed = app.post_form("/tickets", &as_pairs(&valid_ticket())).await;
    let status_page = filed.location().to_string();
    staff_helpers::signed_in_agent(&mut app, "ana@example.com", "Ana").await;
    for uri in [
        status_page.as_str(),
        "/staff/login",
        "/staff/queue",
        "/staff/queue.csv",
    ] {
        let res = app.get(uri).await;
        assert_eq!(
            res.headers
                .get(header::CACHE_CONTROL)
                .map(|v| v.to_str().unwrap()),
            Some("no-store"),
            "{uri} ({})",
            res.status
        );
        assert_eq!(res.status, StatusCode::OK, "{uri}");
    }
    // Public pages may be cached as usual.
    assert!(
        !app.get("/")
            .await
            .headers
            .contains_key(header::CACHE_CONTROL)
    );
}

#[tokio::test]
async fn the_csrf_cookie_is_secure_when_configured() {
    let mut app = TestApp::spawn_configured(|config| config.cookie_secure = true).await;
    let res = app.get("/").await;
    let cookie = res.headers[header::SET_COOKIE].to_str().unwrap();
    assert!(cookie.starts_with("__Host-apidesk_csrf="), "{cookie}");
    assert!(cookie.contains("; Secure"), "{cookie}");
}
