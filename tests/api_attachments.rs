//! Files over the API: uploaded then named by a ticket, sent in one
//! multipart request with a ticket or a message, refused with why, listed
//! with a ticket and downloaded with headers that keep a browser from
//! running them; credentials in a HAR file never stored.

mod common;
#[path = "common/staff.rs"]
mod staff_helpers;

use apidesk::staff::Role;
use apidesk::tokens::Scope;
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use common::TestApp;
use serde_json::{Value, json};
use staff_helpers::{add_staff, api_token};

const BOUNDARY: &str = "----apideskTestBoundary7MA4YWxkTrZu0gW";

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

/// A part: (name, file name if a file, bytes).
type Part<'a> = (&'a str, Option<&'a str>, Vec<u8>);

fn multipart(parts: &[Part<'_>]) -> Vec<u8> {
    let mut body = Vec::new();
    for (name, file, bytes) in parts {
        body.extend_from_slice(format!("--{BOUNDARY}\r\n").as_bytes());
        match file {
            Some(file) => body.extend_from_slice(
                format!(
                    "Content-Disposition: form-data; name=\"{name}\"; filename=\"{file}\"\r\n\
                     Content-Type: application/octet-stream\r\n\r\n"
                )
                .as_bytes(),
            ),
            None => body.extend_from_slice(
                format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes(),
            ),
        }
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    body
}

async fn send(
    app: &mut TestApp,
    method: &str,
    uri: &str,
    token: &str,
    content_type: Option<String>,
    body: Vec<u8>,
) -> (StatusCode, HeaderMap, String) {
    let mut builder = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::AUTHORIZATION, format!("Bearer {token}"));
    if let Some(content_type) = content_type {
        builder = builder.header(header::CONTENT_TYPE, content_type);
    }
    let res = app.request(builder.body(Body::from(body)).unwrap()).await;
    (res.status, res.headers, res.body)
}

async fn post_parts(
    app: &mut TestApp,
    uri: &str,
    token: &str,
    parts: &[Part<'_>],
) -> (StatusCode, Value) {
    let content_type = format!("multipart/form-data; boundary={BOUNDARY}");
    let (status, _, body) = send(
        app,
        "POST",
        uri,
        token,
        Some(content_type),
        multipart(parts),
    )
    .await;
    (status, serde_json::from_str(&body).unwrap_or(Value::Null))
}

async fn post_json(app: &mut TestApp, uri: &str, token: &str, body: &Value) -> (StatusCode, Value) {
    let (status, _, body) = send(
        app,
        "POST",
        uri,
        token,
        Some("application/json".into()),
        body.to_string().into_bytes(),
    )
    .await;
    (status, serde_json::from_str(&body).unwrap_or(Value::Null))
}

fn ticket() -> Value {
    json!({
        "error_code": 401,
        "message": "HTTP GET failed: unauthorized (401)",
        "endpoint": "https://api.example.com/v1/apps",
        "method": "GET",
        "occurred_at": "2026-01-15T09:30:00Z",
        "tool": "script",
        "environment": "production",
        "email": "dana@example.com"
    })
}

fn log() -> Vec<u8> {
    b"09:30:01 GET /v1/apps\n09:30:02 401 Unauthorized: token expired\n".to_vec()
}

fn har() -> Vec<u8> {
    std::fs::read(format!(
        "{}/tests/fixtures/attachments/chromium.har",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

const HAR_TOKEN: &str = "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6IjIwMjQtMDktYSJ9";

fn holds(bytes: &[u8], needle: &str) -> bool {
    bytes.windows(needle.len()).any(|w| w == needle.as_bytes())
}

#[tokio::test]
async fn an_upload_is_named_by_the_ticket_it_is_filed_with_and_downloaded_as_stored() {
    let mut app = TestApp::spawn().await;
    let all = token(&app, &Scope::ALL).await;
    let (status, uploaded) = post_parts(
        &mut app,
        "/api/v1/uploads",
        &all,
        &[("file", Some("run.log"), log())],
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{uploaded}");
    let file = &uploaded["files"][0];
    assert_eq!(file["name"], "run.log");
    assert_eq!(file["kind"], "text");
    assert_eq!(uploaded["refused"], json!([]));
    let id = file["id"].as_str().unwrap().to_string();

    let mut body = ticket();
    body["attachments"] = json!([id]);
    let (status, filed) = post_json(&mut app, "/api/v1/tickets", &all, &body).await;
    assert_eq!(status, StatusCode::CREATED, "{filed}");
    assert_eq!(filed["files"][0]["id"], id.as_str());
    let ticket_id = filed["id"].as_i64().unwrap();

    // Named again: it went with the first ticket.
    let (status, again) = post_json(&mut app, "/api/v1/tickets", &all, &body).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{again}");
    assert_eq!(again["errors"][0]["field"], "attachments");

    let (status, shown) = {
        let (s, _, b) = send(
            &mut app,
            "GET",
            &format!("/api/v1/tickets/{ticket_id}"),
            &all,
            None,
            vec![],
        )
        .await;
        (s, serde_json::from_str::<Value>(&b).unwrap())
    };
    assert_eq!(status, StatusCode::OK);
    let listed = &shown["files"][0];
    assert_eq!(listed["name"], "run.log");
    assert!(listed["event_id"].as_i64().is_some());
    assert!(listed["created_at"].as_str().is_some());
    let url = listed["url"].as_str().unwrap().to_string();

    let (status, headers, bytes) = send(&mut app, "GET", &url, &all, None, vec![]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(bytes.as_bytes(), log());
    assert_eq!(headers[header::CONTENT_TYPE], "text/plain; charset=utf-8");
    assert_eq!(
        headers[header::CONTENT_DISPOSITION],
        "attachment; filename=\"run.log\"; filename*=UTF-8''run.log"
    );
    assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    assert_eq!(
        headers[header::CONTENT_SECURITY_POLICY],
        "default-src 'none'; sandbox"
    );

    // A token that only files may neither download nor read.
    let create = token(&app, &[Scope::TicketsCreate]).await;
    let (status, _, _) = send(&mut app, "GET", &url, &create, None, vec![]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // A token that only reads may not upload.
    let read = token(&app, &[Scope::TicketsRead]).await;
    let (status, refused) = post_parts(
        &mut app,
        "/api/v1/uploads",
        &read,
        &[("file", Some("run.log"), log())],
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{refused}");

    // Another ticket's address for the file: not found.
    let (status, other) = post_json(&mut app, "/api/v1/tickets", &all, &ticket()).await;
    assert_eq!(status, StatusCode::CREATED, "{other}");
    let other_url = url.replace(
        &format!("/tickets/{ticket_id}/"),
        &format!("/tickets/{}/", other["id"]),
    );
    let (status, _, body) = send(&mut app, "GET", &other_url, &all, None, vec![]).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
}

#[tokio::test]
async fn a_ticket_and_its_files_in_one_multipart_request() {
    let mut app = TestApp::spawn().await;
    let create = token(&app, &[Scope::TicketsCreate]).await;
    let (status, filed) = post_parts(
        &mut app,
        "/api/v1/tickets",
        &create,
        &[
            ("ticket", None, ticket().to_string().into_bytes()),
            ("file", Some("run.log"), log()),
            ("file", Some("run.har"), har()),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{filed}");
    let names: Vec<&str> = filed["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["run.log", "run.har"]);
    let har = &filed["files"][1];
    assert_eq!(har["kind"], "har");
    assert!(
        har["removed"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["what"].as_str().unwrap().contains("Authorization")),
        "{har}"
    );
    assert!(
        !holds(&app.database_bytes(), HAR_TOKEN),
        "the HAR's bearer token reached the database files"
    );
}

#[tokio::test]
async fn a_refused_file_comes_back_with_why() {
    let mut app = TestApp::spawn().await;
    let all = token(&app, &Scope::ALL).await;
    let page = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>".to_vec();
    // Alone: nothing kept, 422.
    let (status, problem) = post_parts(
        &mut app,
        "/api/v1/uploads",
        &all,
        &[("file", Some("page.html"), page.clone())],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    let message = problem["errors"][0]["message"].as_str().unwrap();
    assert!(message.starts_with("page.html: it looks like"), "{message}");
    // With a good one: the good one kept, the page listed.
    let (status, uploaded) = post_parts(
        &mut app,
        "/api/v1/uploads",
        &all,
        &[
            ("file", Some("page.html"), page.clone()),
            ("file", Some("run.log"), log()),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{uploaded}");
    assert_eq!(uploaded["files"].as_array().unwrap().len(), 1);
    assert_eq!(uploaded["refused"][0]["name"], "page.html");
    assert!(
        uploaded["refused"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("does not accept"),
        "{uploaded}"
    );
    // With a ticket: nothing filed.
    let (status, problem) = post_parts(
        &mut app,
        "/api/v1/tickets",
        &all,
        &[
            ("ticket", None, ticket().to_string().into_bytes()),
            ("file", Some("page.html"), page),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(problem["errors"][0]["field"], "file");
    assert_eq!(app.count_tickets().await, 0);
}

#[tokio::test]
async fn notes_and_replies_carry_files_by_id_or_multipart() {
    let mut app = TestApp::spawn().await;
    let all = token(&app, &Scope::ALL).await;
    let (_, filed) = post_json(&mut app, "/api/v1/tickets", &all, &ticket()).await;
    let id = filed["id"].as_i64().unwrap();

    let (_, uploaded) = post_parts(
        &mut app,
        "/api/v1/uploads",
        &all,
        &[("file", Some("trace.log"), log())],
    )
    .await;
    let upload = uploaded["files"][0]["id"].as_str().unwrap().to_string();
    let (status, noted) = post_json(
        &mut app,
        &format!("/api/v1/tickets/{id}/notes"),
        &all,
        &json!({"body": "The trace, from our side.", "attachments": [upload]}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{noted}");
    assert_eq!(noted["files"][0]["name"], "trace.log");

    let (status, replied) = post_parts(
        &mut app,
        &format!("/api/v1/tickets/{id}/replies"),
        &all,
        &[
            (
                "message",
                None,
                json!({"body": "Here is what we saw."})
                    .to_string()
                    .into_bytes(),
            ),
            ("file", Some("ours.har"), har()),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{replied}");
    let files = replied["files"].as_array().unwrap();
    assert_eq!(files.len(), 2);
    assert_ne!(files[0]["event_id"], files[1]["event_id"]);
    // The reply's file is the requester's to see; the note's is not.
    let public = app.state.store.ticket_files(id, true).await.unwrap();
    assert_eq!(public.len(), 1);
    assert_eq!(public[0].name, "ours.har");
    assert!(!holds(&app.database_bytes(), HAR_TOKEN));

    // A ticket that is not there keeps nothing.
    let (status, _) = post_parts(
        &mut app,
        "/api/v1/tickets/99/notes",
        &all,
        &[
            (
                "message",
                None,
                json!({"body": "x"}).to_string().into_bytes(),
            ),
            ("file", Some("x.log"), log()),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
