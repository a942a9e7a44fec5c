//! The integration API (`/api/v1`): tokens (none, wrong, revoked, wrong
//! scope), filing with the form's own rules and field errors, safe retries
//! with an Idempotency-Key, the queue a page at a time while tickets
//! arrive, staff actions as the token, the rate limit, and no CSRF check
//! for a token where every form keeps it.

mod common;
#[path = "common/staff.rs"]
mod staff_helpers;

use apidesk::staff::Role;
use apidesk::tokens::Scope;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::{TestApp, as_pairs, valid_ticket};
use serde_json::{Value, json};
use staff_helpers::{add_staff, api_token, event_kinds, reload, signed_in_agent};

/// A token with `scopes`, created for the admin Ada; returns its value.
async fn token(app: &TestApp, scopes: &[Scope]) -> String {
    let admin = match app
        .state
        .store
        .staff_credentials("ada@example.com")
        .await
        .unwrap()
    {
        Some((admin, _)) => admin.id,
        None => add_staff(app, "ada@example.com", "Ada Admin", Role::Admin).await,
    };
    api_token(&app.state.store, admin, scopes).await
}

/// A request to the API with this token (if any), JSON in and out.
async fn call(
    app: &mut TestApp,
    method: &str,
    uri: &str,
    token: Option<&str>,
    body: Option<&str>,
    key: Option<&str>,
) -> (StatusCode, axum::http::HeaderMap, Value) {
    let mut builder = Request::builder().method(method).uri(uri);
    if let Some(token) = token {
        builder = builder.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    if body.is_some() {
        builder = builder.header(header::CONTENT_TYPE, "application/json");
    }
    if let Some(key) = key {
        builder = builder.header("Idempotency-Key", key);
    }
    let res = app
        .request(
            builder
                .body(Body::from(body.unwrap_or_default().to_string()))
                .unwrap(),
        )
        .await;
    let value = serde_json::from_str(&res.body).unwrap_or(Value::Null);
    (res.status, res.headers, value)
}

fn ticket_json() -> Value {
    json!({
        "error_code": 429,
        "message": "HTTP GET failed: too many requests (429)",
        "endpoint": "https://go.trackvia.com/openapi/views/12/records?access_token=Zq8Lm3Rv7Xw2Ke9Pd4Hs6Ja",
        "method": "GET",
        "occurred_at": "2026-01-15T09:30:00Z",
        "tool": "workato",
        "recent_changes": "Doubled the recipe's schedule.",
        "environment": "production",
        "name": "Dana Developer",
        "email": "dana@example.com",
        "path": []
    })
}

fn is_problem(headers: &axum::http::HeaderMap) -> bool {
    headers[header::CONTENT_TYPE] == "application/problem+json"
}

#[tokio::test]
async fn a_token_files_a_ticket_with_the_forms_rules_and_redaction() {
    let mut app = TestApp::spawn().await;
    let create = token(&app, &[Scope::TicketsCreate]).await;
    let body = ticket_json().to_string();
    let (status, headers, filed) = call(
        &mut app,
        "POST",
        "/api/v1/tickets",
        Some(&create),
        Some(&body),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{filed}");
    assert_eq!(headers[header::LOCATION], "/api/v1/tickets/1");
    assert_eq!(filed["reference"], "APD-000001");
    assert_eq!(filed["status"], "new");
    assert_eq!(filed["error_code"], "429");
    assert_eq!(
        filed["endpoint"],
        "https://go.trackvia.com/openapi/views/12/records?access_token=[redacted access_token]"
    );
    assert_eq!(
        filed["redacted"],
        json!([{"field": "endpoint", "kind": "access_token"}])
    );
    let stored = reload(&app, 1).await;
    assert_eq!(
        filed["status_url"],
        format!("/tickets/{}", stored.token),
        "the caller files for the requester and gets their link"
    );
    // A token that only files learns nothing of other tickets.
    assert!(filed.get("problem").is_none());
    assert_eq!(event_kinds(&app, 1).await, ["created"]);

    // Staff see it came through the API, as that token.
    signed_in_agent(&mut app, "ana@example.com", "Ana Agent").await;
    app.get("/staff/tickets/1")
        .await
        .assert_contains("filed the ticket through the API");
    // It is in the queue.
    app.get("/staff/queue").await.assert_contains("APD-000001");
}

#[tokio::test]
async fn no_token_a_wrong_one_a_revoked_one_and_the_wrong_scope_are_refused() {
    let mut app = TestApp::spawn().await;
    let create = token(&app, &[Scope::TicketsCreate]).await;
    let body = ticket_json().to_string();
    for bad in [None, Some("apd_not-a-token"), Some("")] {
        let (status, headers, problem) =
            call(&mut app, "POST", "/api/v1/tickets", bad, Some(&body), None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{bad:?}");
        assert!(is_problem(&headers));
        assert_eq!(
            headers[header::WWW_AUTHENTICATE],
            "Bearer realm=\"apidesk\""
        );
        assert_eq!(problem["status"], 401);
    }
    // Filing only: reading is another scope.
    let (status, headers, problem) = call(
        &mut app,
        "GET",
        "/api/v1/tickets",
        Some(&create),
        None,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(is_problem(&headers));
    assert!(problem["detail"].as_str().unwrap().contains("tickets:read"));

    // Revoked: refused at once.
    let id = app.state.store.tokens().await.unwrap()[0].id;
    assert!(
        app.state
            .store
            .revoke_token(id, time::OffsetDateTime::now_utc())
            .await
            .unwrap()
    );
    let (status, _, _) = call(
        &mut app,
        "POST",
        "/api/v1/tickets",
        Some(&create),
        Some(&body),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(app.count_tickets().await, 0);
}

#[tokio::test]
async fn the_same_bad_input_gives_the_same_field_errors_as_the_form() {
    let mut app = TestApp::spawn().await;
    let create = token(&app, &[Scope::TicketsCreate]).await;
    let cases: [&[(&str, &str)]; 3] = [
        &[("error_code", "999"), ("email", "not-an-email")],
        &[("message", ""), ("method", "FETCH"), ("environment", "")],
        &[
            ("endpoint", "ftp://x"),
            ("occurred_at", "yesterday-ish"),
            ("tool", ""),
        ],
    ];
    for changes in cases {
        // Through the form.
        let mut fields = valid_ticket();
        for (name, value) in changes {
            fields.iter_mut().find(|(k, _)| k == name).unwrap().1 = value.to_string();
        }
        let page = app.post_form("/tickets", &as_pairs(&fields)).await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
        // Through the API.
        let mut body = ticket_json();
        for (name, value) in changes {
            body[*name] = json!(value);
        }
        let (status, headers, problem) = call(
            &mut app,
            "POST",
            "/api/v1/tickets",
            Some(&create),
            Some(&body.to_string()),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
        assert!(is_problem(&headers));
        let errors = problem["errors"].as_array().unwrap();
        assert!(!errors.is_empty());
        for error in errors {
            let message = error["message"].as_str().unwrap();
            // The form shows the same sentence beside the same field.
            page.assert_contains(&format!(
                "id=\"{}-error\"",
                error["field"].as_str().unwrap()
            ))
            .assert_contains(&common::escape(message));
        }
        let fields: Vec<&str> = errors
            .iter()
            .map(|e| e["field"].as_str().unwrap())
            .collect();
        for (name, _) in changes {
            assert!(fields.contains(name), "{name} in {fields:?}");
        }
    }
    assert_eq!(app.count_tickets().await, 0);
    // Not JSON, or a misspelt field: a 400 that says so.
    let (status, _, problem) = call(
        &mut app,
        "POST",
        "/api/v1/tickets",
        Some(&create),
        Some(r#"{"eror_code": "401"}"#),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(problem["detail"].as_str().unwrap().contains("eror_code"));
}

#[tokio::test]
async fn an_idempotency_key_makes_a_retry_safe() {
    let mut app = TestApp::spawn().await;
    let create = token(&app, &[Scope::TicketsCreate]).await;
    let body = ticket_json().to_string();
    let key = Some("9f1c2b7e-1d2a-4c3b-8e9f-0a1b2c3d4e5f");
    let (first, _, filed) = call(
        &mut app,
        "POST",
        "/api/v1/tickets",
        Some(&create),
        Some(&body),
        key,
    )
    .await;
    assert_eq!(first, StatusCode::CREATED);
    let (again, headers, replayed) = call(
        &mut app,
        "POST",
        "/api/v1/tickets",
        Some(&create),
        Some(&body),
        key,
    )
    .await;
    assert_eq!(again, StatusCode::CREATED);
    assert_eq!(headers["idempotent-replayed"], "true");
    assert_eq!(replayed["id"], filed["id"]);
    assert_eq!(replayed["status_url"], filed["status_url"]);
    assert_eq!(app.count_tickets().await, 1);

    // The same key with another body: refused, nothing filed.
    let mut other = ticket_json();
    other["error_code"] = json!(404);
    let (status, headers, problem) = call(
        &mut app,
        "POST",
        "/api/v1/tickets",
        Some(&create),
        Some(&other.to_string()),
        key,
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(is_problem(&headers));
    assert!(
        problem["type"]
            .as_str()
            .unwrap()
            .ends_with("idempotency-key-reused")
    );
    assert_eq!(app.count_tickets().await, 1);

    // Keys belong to their token: another token's same key files anew.
    let second = token(&app, &[Scope::TicketsCreate]).await;
    let (status, _, _) = call(
        &mut app,
        "POST",
        "/api/v1/tickets",
        Some(&second),
        Some(&body),
        key,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(app.count_tickets().await, 2);

    // A day later the key is free again.
    sqlx::query("UPDATE api_idempotency SET created_at = '2000-01-01T00:00:00Z'")
        .execute(
            &sqlx::SqlitePool::connect(&app.state.config.database_url)
                .await
                .unwrap(),
        )
        .await
        .unwrap();
    let (status, headers, later) = call(
        &mut app,
        "POST",
        "/api/v1/tickets",
        Some(&create),
        Some(&body),
        key,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    assert!(headers.get("idempotent-replayed").is_none());
    assert_ne!(later["id"], filed["id"]);
    assert_eq!(app.count_tickets().await, 3);
}

#[tokio::test]
async fn the_list_pages_by_keyset_while_tickets_arrive() {
    let mut app = TestApp::spawn().await;
    let create = token(&app, &[Scope::TicketsCreate]).await;
    let read = token(&app, &[Scope::TicketsRead]).await;
    for n in 0..60 {
        let mut body = ticket_json();
        // Each from its own organisation: sixty tickets, no problem.
        body["email"] = json!(format!("dev@org{n}.example"));
        let (status, _, _) = call(
            &mut app,
            "POST",
            "/api/v1/tickets",
            Some(&create),
            Some(&body.to_string()),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::CREATED);
    }
    let (status, _, first) = call(
        &mut app,
        "GET",
        "/api/v1/tickets?sort=newest&status=all",
        Some(&read),
        None,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{first}");
    let ids = |page: &Value| -> Vec<i64> {
        page["tickets"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["id"].as_i64().unwrap())
            .collect()
    };
    assert_eq!(ids(&first), (11..=60).rev().collect::<Vec<_>>());
    // Five more arrive before the next page is read: it still continues
    // where the first stopped.
    for _ in 0..5 {
        let (status, _, _) = call(
            &mut app,
            "POST",
            "/api/v1/tickets",
            Some(&create),
            Some(&ticket_json().to_string()),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::CREATED);
    }
    let next = first["next"].as_str().unwrap().to_string();
    assert!(next.starts_with("/api/v1/tickets?"), "{next}");
    let (_, _, second) = call(&mut app, "GET", &next, Some(&read), None, None).await;
    assert_eq!(ids(&second), (1..=10).rev().collect::<Vec<_>>());
    assert!(second["next"].is_null());
    // A reading token sees a ticket's problem; the five identical ones
    // from dana@example.com are one.
    let (_, _, one) = call(
        &mut app,
        "GET",
        "/api/v1/tickets/65",
        Some(&read),
        None,
        None,
    )
    .await;
    assert_eq!(one["problem"]["occurrences"], 5);
    assert!(one.get("status_url").is_none(), "never the private link");
    let (status, headers, _) = call(
        &mut app,
        "GET",
        "/api/v1/tickets/999",
        Some(&read),
        None,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(is_problem(&headers));
}

#[tokio::test]
async fn a_token_works_tickets_through_the_workflow_as_itself() {
    let mut app = TestApp::spawn().await;
    let create = token(&app, &[Scope::TicketsCreate]).await;
    let act = token(&app, &[Scope::TicketsAct]).await;
    let (_, _, filed) = call(
        &mut app,
        "POST",
        "/api/v1/tickets",
        Some(&create),
        Some(&ticket_json().to_string()),
        None,
    )
    .await;
    let id = filed["id"].as_i64().unwrap();
    let reply = json!({"body": "Your limit is raised; retry now.", "then": "resolve"}).to_string();
    let (status, _, after) = call(
        &mut app,
        "POST",
        &format!("/api/v1/tickets/{id}/replies"),
        Some(&act),
        Some(&reply),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{after}");
    assert_eq!(after["status"], "resolved");
    let (status, _, after) = call(
        &mut app,
        "POST",
        &format!("/api/v1/tickets/{id}/priority"),
        Some(&act),
        Some(r#"{"priority": "urgent"}"#),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(after["priority"], "urgent");
    // The workflow's rules hold: a resolved ticket cannot go back to new.
    let (status, headers, problem) = call(
        &mut app,
        "POST",
        &format!("/api/v1/tickets/{id}/status"),
        Some(&act),
        Some(r#"{"status": "new"}"#),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(is_problem(&headers));
    assert_eq!(problem["errors"][0]["field"], "status");
    // A bad body names its field.
    let (status, _, problem) = call(
        &mut app,
        "POST",
        &format!("/api/v1/tickets/{id}/notes"),
        Some(&act),
        Some(r#"{"body": ""}"#),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["errors"][0]["field"], "body");
    // Filing-only tokens may not act.
    let (status, _, _) = call(
        &mut app,
        "POST",
        &format!("/api/v1/tickets/{id}/notes"),
        Some(&create),
        Some(r#"{"body": "hi"}"#),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Staff see the token acted, in its admin's name; the requester sees
    // the admin's reply.
    signed_in_agent(&mut app, "ana@example.com", "Ana Agent").await;
    app.get(&format!("/staff/tickets/{id}"))
        .await
        .assert_contains("Ada Admin (token “Workato error handler”)");
    app.forget_cookie("apidesk_session");
    let ticket = reload(&app, id).await;
    app.get(&format!("/tickets/{}", ticket.token))
        .await
        .assert_contains("Your limit is raised")
        .assert_lacks("token “");
}

#[tokio::test]
async fn a_token_past_its_rate_gets_429_with_retry_after() {
    let mut app = TestApp::spawn_configured(|config| {
        config.rate_limits = "api=3/m".parse().unwrap();
    })
    .await;
    let read = token(&app, &[Scope::TicketsRead]).await;
    for _ in 0..3 {
        let (status, _, _) =
            call(&mut app, "GET", "/api/v1/tickets", Some(&read), None, None).await;
        assert_eq!(status, StatusCode::OK);
    }
    let (status, headers, problem) =
        call(&mut app, "GET", "/api/v1/tickets", Some(&read), None, None).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(is_problem(&headers));
    let wait: u64 = headers[header::RETRY_AFTER]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&wait));
    assert_eq!(problem["status"], 429);
    // Another token has its own allowance.
    let other = token(&app, &[Scope::TicketsRead]).await;
    let (status, _, _) = call(&mut app, "GET", "/api/v1/tickets", Some(&other), None, None).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn only_token_routes_skip_the_csrf_check() {
    let mut app = TestApp::spawn().await;
    let create = token(&app, &[Scope::TicketsCreate]).await;
    // The API takes a token and no CSRF field (above, every call).
    let (status, _, _) = call(
        &mut app,
        "POST",
        "/api/v1/tickets",
        Some(&create),
        Some(&ticket_json().to_string()),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    // The form still needs its CSRF token, bearer header or not.
    let fields = valid_ticket();
    let body = serde_urlencoded::to_string(as_pairs(&fields)).unwrap();
    let res = app
        .request(
            Request::post("/tickets")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(header::AUTHORIZATION, format!("Bearer {create}"))
                .body(Body::from(body))
                .unwrap(),
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    assert_eq!(app.count_tickets().await, 1);
    // Unknown API paths and methods answer as problem documents.
    let (status, headers, _) = call(
        &mut app,
        "GET",
        "/api/v1/nothing",
        Some(&create),
        None,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(is_problem(&headers));
    let (status, headers, _) = call(
        &mut app,
        "DELETE",
        "/api/v1/tickets",
        Some(&create),
        None,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert!(is_problem(&headers));
    assert!(headers[header::ALLOW].to_str().unwrap().contains("POST"));
}

#[tokio::test]
async fn admins_create_tokens_on_a_page_that_shows_them_once() {
    let mut app = TestApp::spawn().await;
    add_staff(&app, "ada@example.com", "Ada Admin", Role::Admin).await;
    staff_helpers::sign_in(&mut app, "ada@example.com").await;
    let empty = app
        .post_form("/staff/tokens", &[("name", ""), ("scopes", "tickets:read")])
        .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    empty
        .assert_contains("id=\"name-error\"")
        .assert_contains("value=\"tickets:read\" checked");
    let made = app
        .post_form(
            "/staff/tokens",
            &[
                ("name", "Ops bot"),
                ("scopes", "tickets:read"),
                ("scopes", "tickets:act"),
            ],
        )
        .await;
    assert_eq!(made.status, StatusCode::OK);
    let at = made.body.find("id=\"token-value\">").unwrap() + "id=\"token-value\">".len();
    let value = made.body[at..at + 68].to_string();
    assert!(value.starts_with("apd_"));
    // Shown once: the list shows its first characters only.
    let list = app.get("/staff/tokens").await;
    list.assert_contains("Ops bot").assert_lacks(&value[10..]);
    // It works, as what it was given.
    let (status, _, _) = call(&mut app, "GET", "/api/v1/tickets", Some(&value), None, None).await;
    assert_eq!(status, StatusCode::OK);
    app.get("/staff/tokens").await.assert_lacks("Never");
    // Revoked from the page: refused at once.
    let id = app.state.store.tokens().await.unwrap()[0].id;
    let revoked = app
        .post_form(&format!("/staff/tokens/{id}/revoke"), &[])
        .await;
    assert_eq!(revoked.status, StatusCode::SEE_OTHER);
    let (status, _, _) = call(&mut app, "GET", "/api/v1/tickets", Some(&value), None, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // Agents cannot see or make tokens.
    add_staff(&app, "bo@example.com", "Bo Agent", Role::Agent).await;
    staff_helpers::sign_in(&mut app, "bo@example.com").await;
    assert_eq!(app.get("/staff/tokens").await.status, StatusCode::FORBIDDEN);
    let tried = app.post_form("/staff/tokens", &[("name", "Mine")]).await;
    assert_eq!(tried.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn an_oversized_body_is_refused_as_a_problem_document() {
    let mut app = TestApp::spawn().await;
    let create = token(&app, &[Scope::TicketsCreate]).await;
    let body = format!(r#"{{"message": "{}"}}"#, "x".repeat(400 * 1024));
    let res = app
        .request(
            Request::post("/api/v1/tickets")
                .header(header::AUTHORIZATION, format!("Bearer {create}"))
                .header(header::CONTENT_TYPE, "application/json")
                .header(header::CONTENT_LENGTH, body.len())
                .body(Body::from(body))
                .unwrap(),
        )
        .await;
    assert_eq!(res.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(is_problem(&res.headers), "{:?}", res.headers);
    assert_eq!(app.count_tickets().await, 0);
}
