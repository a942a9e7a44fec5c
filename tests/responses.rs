//! What every response and cookie carries: a strict Content-Security-Policy
//! (and no inline script or style for it to allow), HSTS and `__Host-`
//! cookies under `--cookie-secure`, `no-store` on everything private, a
//! body limit per family of routes, and a request timeout that leaves
//! nothing half-written.
//!
//! For the CSP, every template a browser is sent and every static file is
//! read for inline `<script>`, `<style>`, `style=` and `on…=` handlers, and
//! so are pages as rendered (which include what Rust code writes into
//! them). Mail templates are not served to browsers.

mod common;
#[path = "common/staff.rs"]
mod staff_helpers;

use std::path::{Path, PathBuf};

use apidesk::staff::Role;
use apidesk::tokens::Scope;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::{TestApp, TestResponse, as_pairs, valid_ticket};

/// Every inline script, style block, style attribute and event handler in
/// `html`, as the tag it is in.
fn inline_code(html: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        rest = &rest[start + 1..];
        let end = rest.find('>').unwrap_or(rest.len());
        let tag = rest[..end].to_ascii_lowercase();
        rest = &rest[end..];
        let name: String = tag
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        let attributes: Vec<&str> = tag
            .split(|c: char| c.is_ascii_whitespace())
            .skip(1)
            .collect();
        let has = |attr: &str| {
            attributes
                .iter()
                .any(|a| a.starts_with(&format!("{attr}=")))
        };
        let handler = attributes.iter().any(|a| {
            a.split_once('=').is_some_and(|(name, _)| {
                name.len() > 2
                    && name.starts_with("on")
                    && name.bytes().all(|b| b.is_ascii_lowercase())
            })
        });
        if (name == "script" && !has("src")) || name == "style" || has("style") || handler {
            found.push(format!("<{tag}>"));
        }
    }
    found
}

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files_under(&path, out);
        } else {
            out.push(path);
        }
    }
}

#[test]
fn the_scanner_finds_each_kind_of_inline_code() {
    assert_eq!(inline_code("<script>alert(1)</script>").len(), 1);
    assert_eq!(inline_code("<STYLE>p{}</STYLE>").len(), 1);
    assert_eq!(inline_code(r#"<p style="color:red">"#).len(), 1);
    assert_eq!(inline_code(r#"<a href="/" onclick="x()">"#).len(), 1);
    assert_eq!(inline_code(r#"<img src=x onerror=y>"#).len(), 1);
    assert!(inline_code(r#"<script src="/static/app.js" defer></script>"#).is_empty());
    assert!(inline_code(r#"<p class="online">Pick one = fine</p>"#).is_empty());
}

#[test]
fn no_template_or_static_file_has_inline_script_or_style() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    files_under(&root.join("templates"), &mut files);
    files_under(&root.join("static"), &mut files);
    let mail = root.join("templates").join("mail");
    let mut problems = Vec::new();
    let mut read = 0;
    for file in files.iter().filter(|f| !f.starts_with(&mail)) {
        let Ok(text) = std::fs::read_to_string(file) else {
            continue; // an icon
        };
        read += 1;
        for tag in inline_code(&text) {
            problems.push(format!("{}: {tag}", file.display()));
        }
    }
    assert!(read > 20, "only {read} files read");
    assert!(problems.is_empty(), "inline code:\n{}", problems.join("\n"));
}

#[tokio::test]
async fn pages_as_rendered_have_no_inline_script_or_style() {
    let mut app = TestApp::spawn().await;
    let filed = app.post_form("/tickets", &as_pairs(&valid_ticket())).await;
    let status_page = filed.location().to_string();
    let mut pages = vec![
        "/".to_string(),
        "/troubleshoot/401".into(),
        "/articles".into(),
        "/tickets/new".into(),
        "/tickets/lost".into(),
        "/diagnose?message=401+Unauthorized".into(),
        "/rate-limits".into(),
        "/api/v1/docs".into(),
        "/staff/login".into(),
        "/no/such/page".into(),
        status_page,
    ];
    let articles = app.get("/articles").await;
    pages.extend(
        articles
            .body
            .split("href=\"/articles/")
            .skip(1)
            .filter_map(|rest| rest.split('"').next())
            .map(|slug| format!("/articles/{slug}")),
    );
    staff_helpers::signed_in_agent(&mut app, "ana@example.com", "Ana").await;
    pages.extend(["/staff/queue".to_string(), "/staff/tickets/1".into()]);
    for page in pages {
        let res = app.get(&page).await;
        let found = inline_code(&res.body);
        assert!(found.is_empty(), "{page} ({}): {found:?}", res.status);
    }
}

#[tokio::test]
async fn the_policy_allows_no_inline_code_or_eval() {
    let mut app = TestApp::spawn().await;
    for page in ["/", "/api/v1/tickets", "/static/app.css"] {
        let res = app.get(page).await;
        let csp = res.headers["content-security-policy"].to_str().unwrap();
        assert!(!csp.contains("unsafe-inline"), "{csp}");
        assert!(!csp.contains("unsafe-eval"), "{csp}");
        for directive in [
            "script-src 'self'",
            "style-src 'self'",
            "default-src 'self'",
        ] {
            assert!(csp.contains(directive), "{page}: {csp}");
        }
    }
}

const HSTS: &str = "max-age=63072000; includeSubDomains";

/// The `Set-Cookie` headers of a response, as text.
fn set_cookies(res: &TestResponse) -> Vec<String> {
    res.headers
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn with_cookie_secure_cookies_are_host_only_and_hsts_is_on_every_response() {
    let mut app = TestApp::spawn_configured(|config| config.cookie_secure = true).await;
    let start = app.get("/").await;
    let csrf = set_cookies(&start);
    assert_eq!(csrf.len(), 1, "{csrf:?}");
    let csrf = &csrf[0];
    assert!(csrf.starts_with("__Host-apidesk_csrf="), "{csrf}");
    assert!(
        csrf.contains("; Path=/;") && csrf.contains("; Secure"),
        "{csrf}"
    );
    assert!(!csrf.to_ascii_lowercase().contains("domain"), "{csrf}");

    // Signing in reads the CSRF cookie back under its prefixed name, and
    // the session it sets is prefixed too.
    staff_helpers::add_staff(&app, "ana@example.com", "Ana", Role::Agent).await;
    let signed_in = app
        .post_form(
            "/staff/login",
            &[
                ("email", "ana@example.com"),
                ("password", staff_helpers::PASSWORD),
                ("next", "/staff/queue"),
            ],
        )
        .await;
    assert_eq!(
        signed_in.status,
        StatusCode::SEE_OTHER,
        "{}",
        signed_in.body
    );
    let cookies = set_cookies(&signed_in);
    let session = cookies
        .iter()
        .find(|c| c.starts_with("__Host-apidesk_session="))
        .unwrap_or_else(|| panic!("{cookies:?}"));
    assert!(session.contains("; Path=/;") && session.contains("; Secure"));
    assert!(!session.to_ascii_lowercase().contains("domain"));
    assert!(
        cookies.iter().all(|c| c.starts_with("__Host-")),
        "{cookies:?}"
    );
    let queue = app.get("/staff/queue").await;
    assert_eq!(queue.status, StatusCode::OK);

    // A plain-named session cookie (planted by a sibling subdomain or over
    // plain http) is not read.
    let value = app.cookie("__Host-apidesk_session").unwrap();
    app.forget_cookie("__Host-apidesk_session");
    app.set_cookie("apidesk_session", &value);
    assert_eq!(app.get("/staff/queue").await.status, StatusCode::SEE_OTHER);

    let filed = app.post_form("/tickets", &as_pairs(&valid_ticket())).await;
    assert_eq!(filed.status, StatusCode::SEE_OTHER, "{}", filed.body);
    for res in [
        start,
        filed,
        app.get("/static/app.css").await,
        app.get("/no/such/page").await,
        app.get("/api/v1/tickets").await,
    ] {
        assert_eq!(
            res.headers
                .get(header::STRICT_TRANSPORT_SECURITY)
                .map(|v| v.to_str().unwrap()),
            Some(HSTS),
            "{}",
            res.status
        );
    }
}

#[tokio::test]
async fn without_cookie_secure_cookies_are_plain_and_there_is_no_hsts() {
    let mut app = TestApp::spawn().await;
    let start = app.get("/").await;
    assert!(
        !start
            .headers
            .contains_key(header::STRICT_TRANSPORT_SECURITY)
    );
    let csrf = set_cookies(&start);
    assert!(csrf[0].starts_with("apidesk_csrf="), "{csrf:?}");
    assert!(!csrf[0].contains("Secure"), "{csrf:?}");
    staff_helpers::signed_in_agent(&mut app, "ana@example.com", "Ana").await;
    assert!(app.cookie("apidesk_session").is_some());
    assert!(app.cookie("__Host-apidesk_session").is_none());
    let queue = app.get("/staff/queue").await;
    assert_eq!(queue.status, StatusCode::OK);
    assert!(
        !queue
            .headers
            .contains_key(header::STRICT_TRANSPORT_SECURITY)
    );
}

fn cache_control(res: &TestResponse) -> Option<&str> {
    res.headers
        .get(header::CACHE_CONTROL)
        .map(|v| v.to_str().unwrap())
}

/// A request to the API, JSON in and out, with this token.
fn api(method: &str, uri: &str, token: Option<&str>, body: &str) -> Request<Body> {
    let mut builder = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::CONTENT_TYPE, "application/json");
    if let Some(token) = token {
        builder = builder.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    builder.body(Body::from(body.to_string())).unwrap()
}

#[tokio::test]
async fn everything_private_is_no_store_and_public_pages_may_be_kept() {
    let mut app = TestApp::spawn().await;
    let filed = app.post_form("/tickets", &as_pairs(&valid_ticket())).await;
    let status_page = filed.location().to_string();
    assert_eq!(cache_control(&filed), Some("no-store"), "the 303");
    let mut invalid = valid_ticket();
    invalid.retain(|(name, _)| *name != "email");
    let refilled = app.post_form("/tickets", &as_pairs(&invalid)).await;
    assert_eq!(refilled.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(cache_control(&refilled), Some("no-store"), "the 422");

    let mut private = vec![
        status_page.clone(),
        "/tickets/new?error_code=401&message=my+secret+error".into(),
        "/diagnose?message=401+Unauthorized".into(),
        "/tickets/lost".into(),
        "/staff/login".into(),
        "/healthz".into(),
        "/no/such/page".into(),
    ];
    for uri in &private {
        let res = app.get(uri).await;
        assert_eq!(
            cache_control(&res),
            Some("no-store"),
            "{uri} ({})",
            res.status
        );
    }

    let admin = staff_helpers::add_staff(&app, "ada@example.com", "Ada", Role::Admin).await;
    staff_helpers::sign_in(&mut app, "ada@example.com").await;
    private = [
        "/staff/queue",
        "/staff/queue.csv",
        "/staff/queue/count",
        "/staff/tickets/1",
        "/staff/accounts",
        "/staff/tokens",
        "/staff/webhooks",
        "/staff/settings",
        "/staff/insights",
        "/staff/mail",
        "/staff/views",
        "/staff/macros",
        "/staff/incidents",
    ]
    .map(String::from)
    .to_vec();
    for uri in &private {
        let res = app.get(uri).await;
        assert_eq!(res.status, StatusCode::OK, "{uri}");
        assert_eq!(cache_control(&res), Some("no-store"), "{uri}");
    }

    let token = staff_helpers::api_token(
        &app.state.store,
        admin,
        &[Scope::TicketsRead, Scope::TicketsCreate],
    )
    .await;
    for (method, uri, token) in [
        ("GET", "/api/v1/tickets", Some(token.as_str())),
        ("GET", "/api/v1/tickets/1", Some(&token)),
        ("GET", "/api/v1/tickets", None),
        ("POST", "/api/v1/tickets", Some(&token)),
    ] {
        let res = app.request(api(method, uri, token, "{}")).await;
        assert_eq!(
            cache_control(&res),
            Some("no-store"),
            "{method} {uri} ({})",
            res.status
        );
    }

    for uri in ["/", "/troubleshoot/401", "/articles"] {
        let res = app.get(uri).await;
        assert_eq!(res.status, StatusCode::OK, "{uri}");
        assert_eq!(cache_control(&res), None, "{uri}");
    }
    let css = app.get("/static/app.css").await;
    // Static files say how they may be kept themselves.
    let kept = cache_control(&css).unwrap();
    assert!(kept.starts_with("public"), "{kept}");
}

fn is_page(res: &TestResponse) -> bool {
    res.headers[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("text/html")
}

fn is_problem(res: &TestResponse) -> bool {
    res.headers[header::CONTENT_TYPE] == "application/problem+json"
}

/// A request with `len` bytes of body, its length declared or not.
fn sized(method: &str, uri: &str, content_type: &str, len: usize, declared: bool) -> Request<Body> {
    let mut builder = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::CONTENT_TYPE, content_type);
    if declared {
        builder = builder.header(header::CONTENT_LENGTH, len);
    }
    builder.body(Body::from("a".repeat(len))).unwrap()
}

#[tokio::test]
async fn each_family_of_routes_has_its_body_limit() {
    let mut app = TestApp::spawn().await;
    let form = "application/x-www-form-urlencoded";
    let token = app.csrf_token().await;

    // The sign-in form: a few KB, where another form takes 256 KB.
    let body = format!(
        "csrf_token={token}&email=a%40b.c&password={}",
        "x".repeat(9 * 1024)
    );
    let res = app.post_raw("/staff/login", &body).await;
    assert_eq!(res.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(is_page(&res));
    res.assert_contains("That was too much to send");
    let res = app.post_raw("/tickets", &body).await;
    assert_ne!(
        res.status,
        StatusCode::PAYLOAD_TOO_LARGE,
        "a plain form takes it"
    );

    // A plain form past 256 KB.
    let res = app
        .request(sized("POST", "/tickets", form, 300 * 1024, true))
        .await;
    assert_eq!(res.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(is_page(&res));

    // A form with files past the ticket's file limits.
    let limits = app.state.config.attachments.limits();
    let past = limits.max_ticket_bytes * 2;
    let res = app
        .request(
            Request::post("/tickets")
                .header(header::CONTENT_TYPE, "multipart/form-data; boundary=x")
                .header(header::CONTENT_LENGTH, past)
                .body(Body::from("--x--"))
                .unwrap(),
        )
        .await;
    assert_eq!(res.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(is_page(&res));

    // The API's JSON: up to 256 KB, then a problem document.
    let json = "application/json";
    let res = app
        .request(sized("POST", "/api/v1/tickets", json, 200 * 1024, true))
        .await;
    assert_eq!(
        res.status,
        StatusCode::UNAUTHORIZED,
        "read, then refused for its token"
    );
    let res = app
        .request(sized("POST", "/api/v1/tickets", json, 256 * 1024 + 1, true))
        .await;
    assert_eq!(res.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(is_problem(&res), "{:?}", res.headers);

    // Reads take no body at all.
    let res = app
        .request(sized("GET", "/staff/login", form, 10, true))
        .await;
    assert_eq!(res.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(is_page(&res));
    let res = app
        .request(sized("GET", "/api/v1/tickets", json, 10, true))
        .await;
    assert_eq!(res.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(is_problem(&res));
    assert_eq!(app.get("/staff/login").await.status, StatusCode::OK);
}

/// While another connection holds the database's write lock, a filing
/// waits for it past `--request-timeout`: the visitor gets the 408 page
/// (the API its problem document). Its write had not started, so the
/// writer drops it from its queue: once the lock is free nothing of it is
/// written, and the next filing goes through.
#[tokio::test]
async fn a_request_past_its_timeout_gets_408_and_leaves_nothing_written() {
    use sqlx::Connection;
    let mut app = TestApp::spawn_configured(|config| {
        config.request_timeout = std::time::Duration::from_millis(300);
    })
    .await;
    let admin = staff_helpers::add_staff(&app, "ada@example.com", "Ada", Role::Admin).await;
    let token = staff_helpers::api_token(&app.state.store, admin, &[Scope::TicketsCreate]).await;
    let mut holder = sqlx::SqliteConnection::connect(&app.state.config.database_url)
        .await
        .unwrap();
    sqlx::query("BEGIN IMMEDIATE")
        .execute(&mut holder)
        .await
        .unwrap();

    let res = app.post_form("/tickets", &as_pairs(&valid_ticket())).await;
    assert_eq!(res.status, StatusCode::REQUEST_TIMEOUT, "{}", res.body);
    assert!(is_page(&res));
    res.assert_contains("That took too long");
    let ticket = serde_json::json!({
        "error_code": 429,
        "message": "HTTP GET failed: too many requests (429)",
        "endpoint": "https://go.trackvia.com/openapi/views/12/records",
        "method": "GET",
        "occurred_at": "2026-01-15T09:30:00Z",
        "tool": "workato",
        "recent_changes": "Doubled the recipe's schedule.",
        "environment": "production",
        "name": "Dana Developer",
        "email": "dana@example.com",
        "path": []
    });
    let res = app
        .request(api(
            "POST",
            "/api/v1/tickets",
            Some(&token),
            &ticket.to_string(),
        ))
        .await;
    assert_eq!(res.status, StatusCode::REQUEST_TIMEOUT, "{}", res.body);
    assert!(is_problem(&res));
    assert!(res.body.contains("timed-out"), "{}", res.body);

    sqlx::query("ROLLBACK").execute(&mut holder).await.unwrap();
    assert_eq!(app.count_tickets().await, 0);
    let filed = app.post_form("/tickets", &as_pairs(&valid_ticket())).await;
    assert_eq!(filed.status, StatusCode::SEE_OTHER, "{}", filed.body);
    assert_eq!(app.count_tickets().await, 1);
}
