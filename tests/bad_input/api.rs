//! The JSON API: every field of a ticket, a note, a reply and the other
//! actions gets every payload and every wrong JSON type; the list takes
//! payloads in each query key. Each is a 4xx problem document or stored
//! and given back exactly as stored; never a 5xx.

use apidesk::staff::Role;
use apidesk::tokens::Scope;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::{Value, json};

use crate::common::TestApp;
use crate::payloads::{absurd_dates, assert_not_5xx, hostile};
use crate::staff_helpers::{add_staff, api_token};

/// A request to the API as this token, JSON in and out.
pub async fn call(
    app: &mut TestApp,
    method: &str,
    uri: &str,
    token: &str,
    body: Option<&str>,
) -> (StatusCode, Value) {
    let mut builder = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::AUTHORIZATION, format!("Bearer {token}"));
    if body.is_some() {
        builder = builder.header(header::CONTENT_TYPE, "application/json");
    }
    let res = app
        .request(
            builder
                .body(Body::from(body.unwrap_or_default().to_string()))
                .unwrap(),
        )
        .await;
    if res.status.is_client_error() {
        assert_eq!(
            res.headers[header::CONTENT_TYPE],
            "application/problem+json",
            "{method} {uri}: a refusal is a problem document, got {}",
            res.body
        );
    }
    let value = serde_json::from_str(&res.body).unwrap_or(Value::Null);
    (res.status, value)
}

/// A token that may do everything a token may, for the admin Ada.
pub async fn all_scopes(app: &TestApp) -> String {
    let admin = add_staff(app, "ada@example.com", "Ada Admin", Role::Admin).await;
    api_token(
        &app.state.store,
        admin,
        &[Scope::TicketsCreate, Scope::TicketsRead, Scope::TicketsAct],
    )
    .await
}

fn ticket_json(n: usize) -> Value {
    json!({
        "error_code": 500,
        "message": "HTTP POST failed: internal server error (500)",
        "endpoint": "https://go.trackvia.com/openapi/views/12/records",
        "method": "POST",
        "occurred_at": "2026-01-15T09:30:00Z",
        "tool": "script",
        "recent_changes": "Nothing.",
        "environment": "production",
        "name": "Dana Developer",
        "email": format!("dana{n}@org{n}.example"),
        "path": []
    })
}

const FIELDS: [&str; 14] = [
    "error_code",
    "message",
    "endpoint",
    "method",
    "occurred_at",
    "time_zone",
    "tool",
    "tool_other",
    "recent_changes",
    "environment",
    "name",
    "email",
    "path",
    "attachments",
];

/// Wrong JSON types for any field.
fn wrong_types() -> Vec<Value> {
    vec![
        Value::Null,
        json!(true),
        json!(-1),
        json!(1e300),
        json!(18446744073709551615u64),
        json!([]),
        json!(["<script>alert(1)</script>"]),
        json!({"$ne": null}),
        json!("x".repeat(20_000)),
    ]
}

#[tokio::test]
async fn every_ticket_field_takes_payloads_and_wrong_types_without_a_5xx() {
    let mut app = crate::app().await;
    let token = all_scopes(&app).await;
    let mut n = 0;
    for field in FIELDS {
        let mut values: Vec<Value> = hostile().into_iter().map(|p| json!(p.value)).collect();
        values.extend(wrong_types());
        if field == "occurred_at" {
            values.extend(absurd_dates().into_iter().map(|d| json!(d)));
        }
        for value in values {
            n += 1;
            let mut body = ticket_json(n);
            body[field] = value.clone();
            if field == "tool_other" {
                body["tool"] = json!("other");
            }
            let place = format!("{field} = {}", short(&value));
            let (status, filed) = call(
                &mut app,
                "POST",
                "/api/v1/tickets",
                &token,
                Some(&body.to_string()),
            )
            .await;
            assert_not_5xx(status, &place);
            if status == StatusCode::CREATED {
                let id = filed["id"].as_i64().expect("a filed ticket has an id");
                let (status, shown) = call(
                    &mut app,
                    "GET",
                    &format!("/api/v1/tickets/{id}"),
                    &token,
                    None,
                )
                .await;
                assert_eq!(status, StatusCode::OK, "{place}");
                let stored = crate::staff_helpers::reload(&app, id).await;
                assert_eq!(
                    shown["message"].as_str(),
                    Some(stored.details.message.as_str())
                );
                assert_eq!(shown["name"], filed["name"], "{place}");
            } else {
                assert!(status.is_client_error(), "{place}: {status}");
            }
        }
        // The field left out.
        let mut body = ticket_json(n + 1000);
        body.as_object_mut().unwrap().remove(field);
        let (status, _) = call(
            &mut app,
            "POST",
            "/api/v1/tickets",
            &token,
            Some(&body.to_string()),
        )
        .await;
        assert_not_5xx(status, &format!("{field} left out"));
    }
}

#[tokio::test]
async fn broken_json_is_a_4xx() {
    let mut app = crate::app().await;
    let token = all_scopes(&app).await;
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let deep_object = format!("{}1{}", "{\"a\":".repeat(5_000), "}".repeat(5_000));
    let bodies = [
        "",
        "{",
        "[]",
        "\"a string\"",
        "null",
        "{\"message\": \"\\ud800\"}",
        "{\"message\": \"a\u{0}b\"}",
        "{\"unknown_field\": 1}",
        "{\"message\": 1, \"message\": 2}",
        deep.as_str(),
        deep_object.as_str(),
    ];
    for body in bodies {
        let (status, _) = call(&mut app, "POST", "/api/v1/tickets", &token, Some(body)).await;
        assert!(
            status.is_client_error(),
            "{}: answered {status}",
            short(&json!(body))
        );
    }
    // Not UTF-8 at all.
    let res = app
        .request(
            Request::post("/api/v1/tickets")
                .header(header::AUTHORIZATION, format!("Bearer {token}"))
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(b"{\"message\": \"\xff\xfe\"}".to_vec()))
                .unwrap(),
        )
        .await;
    assert!(res.status.is_client_error(), "{}", res.status);
    assert_eq!(app.count_tickets().await, 0);
}

#[tokio::test]
async fn actions_take_payloads_and_wrong_types_without_a_5xx() {
    let mut app = crate::app().await;
    let token = all_scopes(&app).await;
    let (status, filed) = call(
        &mut app,
        "POST",
        "/api/v1/tickets",
        &token,
        Some(&ticket_json(0).to_string()),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let id = filed["id"].as_i64().unwrap();
    let mut values: Vec<Value> = hostile().into_iter().map(|p| json!(p.value)).collect();
    values.extend(wrong_types());
    values.push(json!(i64::MAX));
    values.push(json!(i64::MIN));
    for (action, fields) in [
        ("notes", &["body", "attachments"][..]),
        ("replies", &["body", "then", "attachments"][..]),
        ("assign", &["assignee_id"][..]),
        ("status", &["status"][..]),
        ("priority", &["priority"][..]),
    ] {
        for field in fields {
            for value in &values {
                let mut body = match action {
                    "notes" => json!({"body": "A note."}),
                    "replies" => json!({"body": "A reply.", "then": "stay"}),
                    "assign" => json!({"assignee_id": 1}),
                    "status" => json!({"status": "open"}),
                    _ => json!({"priority": "high"}),
                };
                body[*field] = value.clone();
                let place = format!("{action}.{field} = {}", short(value));
                let (status, answer) = call(
                    &mut app,
                    "POST",
                    &format!("/api/v1/tickets/{id}/{action}"),
                    &token,
                    Some(&body.to_string()),
                )
                .await;
                assert_not_5xx(status, &place);
                if status.is_success() && matches!(action, "notes" | "replies") {
                    assert!(answer.is_object(), "{place}: {answer}");
                }
            }
        }
    }
    let (status, shown) = call(
        &mut app,
        "GET",
        &format!("/api/v1/tickets/{id}"),
        &token,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{shown}");
}

#[tokio::test]
async fn ids_in_paths_that_are_not_ids_are_a_4xx() {
    let mut app = crate::app().await;
    let token = all_scopes(&app).await;
    for id in [
        "abc",
        "-1",
        "0",
        "99999999999999999999",
        "1.5",
        "1%00",
        "%3Cscript%3E",
        "1%20OR%201=1",
    ] {
        for (method, tail, body) in [
            ("GET", "", None),
            ("POST", "/notes", Some("{\"body\": \"x\"}")),
            ("GET", "/files/not-a-uuid", None),
        ] {
            let uri = format!("/api/v1/tickets/{id}{tail}");
            let (status, _) = call(&mut app, method, &uri, &token, body).await;
            assert!(status.is_client_error(), "{method} {uri}: {status}");
        }
    }
}

#[tokio::test]
async fn list_query_keys_take_payloads_without_a_5xx() {
    let mut app = crate::app().await;
    let token = all_scopes(&app).await;
    call(
        &mut app,
        "POST",
        "/api/v1/tickets",
        &token,
        Some(&ticket_json(0).to_string()),
    )
    .await;
    let mut values: Vec<String> = hostile().into_iter().map(|p| p.value).collect();
    values.extend(absurd_dates().into_iter().map(String::from));
    values.push("x".repeat(30_000));
    for key in [
        "status",
        "code",
        "priority",
        "assignee",
        "environment",
        "tool",
        "from",
        "to",
        "q",
        "sort",
        "after",
        "at",
        "count",
        "unknown",
    ] {
        for value in &values {
            let query = serde_urlencoded::to_string([(key, value.as_str())]).unwrap();
            let uri = format!("/api/v1/tickets?{query}");
            let (status, list) = call(&mut app, "GET", &uri, &token, None).await;
            assert_not_5xx(status, &format!("list {key}={}", short(&json!(value))));
            if status == StatusCode::OK {
                assert!(list.is_object(), "{key}: {list}");
            }
        }
        let (status, _) = call(
            &mut app,
            "GET",
            &format!("/api/v1/tickets?{key}=%FF%FE"),
            &token,
            None,
        )
        .await;
        assert_not_5xx(status, &format!("list {key} not UTF-8"));
    }
}

fn short(value: &Value) -> String {
    let text = value.to_string();
    if text.len() > 60 {
        format!(
            "{}… ({} bytes)",
            text.chars().take(60).collect::<String>(),
            text.len()
        )
    } else {
        text
    }
}
