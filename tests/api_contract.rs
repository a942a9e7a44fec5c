//! The OpenAPI document agrees with the API: every operation it lists, and
//! every status it promises, is called for real, and each response's body
//! is checked against the schema the document gives for that status
//! (types, required fields, and no field the document does not describe).
//! A response the document does not list fails too.

mod common;
#[path = "common/staff.rs"]
mod staff_helpers;

use std::collections::BTreeSet;

use apidesk::staff::Role;
use apidesk::tokens::Scope;
use axum::body::Body;
use axum::http::{Request, header};
use common::TestApp;
use serde_json::{Value, json};
use staff_helpers::add_staff;

/// Checks `value` against `schema` (resolving `$ref`s in `doc`); returns
/// every mismatch, with where it is.
fn check(doc: &Value, schema: &Value, value: &Value, at: &str, out: &mut Vec<String>) {
    if let Some(reference) = schema["$ref"].as_str() {
        let name = reference.trim_start_matches("#/components/schemas/");
        let target = &doc["components"]["schemas"][name];
        assert!(!target.is_null(), "dangling $ref {reference}");
        return check(doc, target, value, at, out);
    }
    if let Some(parts) = schema["allOf"].as_array() {
        // Each part checks the fields it describes; together they must
        // describe every field.
        let mut described = BTreeSet::new();
        for part in parts {
            let resolved = resolve(doc, part);
            check_fields(doc, resolved, value, at, out, false);
            described.extend(property_names(resolved));
        }
        for key in value.as_object().into_iter().flat_map(|o| o.keys()) {
            if !described.contains(key) {
                out.push(format!("{at}.{key}: not in the document"));
            }
        }
        return;
    }
    if let Some(options) = schema["oneOf"].as_array().or(schema["anyOf"].as_array()) {
        let fits = options.iter().any(|option| {
            let mut errors = Vec::new();
            check(doc, option, value, at, &mut errors);
            errors.is_empty()
        });
        if !fits {
            out.push(format!("{at}: {value} fits none of the options"));
        }
        return;
    }
    let kinds: Vec<&str> = match &schema["type"] {
        Value::String(kind) => vec![kind.as_str()],
        Value::Array(kinds) => kinds.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    if !kinds.is_empty() {
        let actual = match value {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::Array(_) => "array",
            Value::Object(_) => "object",
        };
        let fits = kinds.contains(&actual) || (actual == "integer" && kinds.contains(&"number"));
        if !fits {
            out.push(format!("{at}: {actual}, the document says {kinds:?}"));
            return;
        }
    }
    match value {
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                check(doc, &schema["items"], item, &format!("{at}[{i}]"), out);
            }
        }
        Value::Object(_) => check_fields(doc, schema, value, at, out, true),
        _ => {}
    }
}

fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    match schema["$ref"].as_str() {
        Some(reference) => {
            &doc["components"]["schemas"][reference.trim_start_matches("#/components/schemas/")]
        }
        None => schema,
    }
}

fn property_names(schema: &Value) -> Vec<String> {
    schema["properties"]
        .as_object()
        .map(|p| p.keys().cloned().collect())
        .unwrap_or_default()
}

fn check_fields(
    doc: &Value,
    schema: &Value,
    value: &Value,
    at: &str,
    out: &mut Vec<String>,
    closed: bool,
) {
    let Some(object) = value.as_object() else {
        out.push(format!("{at}: not an object"));
        return;
    };
    let properties = schema["properties"].as_object();
    for required in schema["required"].as_array().into_iter().flatten() {
        let name = required.as_str().unwrap();
        if !object.contains_key(name) {
            out.push(format!("{at}.{name}: required, missing"));
        }
    }
    for (key, field) in object {
        match properties.and_then(|p| p.get(key)) {
            Some(property) => check(doc, property, field, &format!("{at}.{key}"), out),
            None if closed => out.push(format!("{at}.{key}: not in the document")),
            None => {}
        }
    }
}

/// Calls the API and checks the answer against the document; records the
/// (operation, status) it covered.
struct Contract {
    app: TestApp,
    doc: Value,
    covered: BTreeSet<(String, String)>,
}

impl Contract {
    async fn call(
        &mut self,
        method: &str,
        path: &str,
        operation: &str,
        token: Option<&str>,
        body: Option<&str>,
        headers: &[(&str, &str)],
    ) -> Value {
        let mut builder = Request::builder().method(method).uri(path);
        if let Some(token) = token {
            builder = builder.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        let typed = headers
            .iter()
            .any(|(name, _)| name.eq_ignore_ascii_case("content-type"));
        if body.is_some() && !typed {
            builder = builder.header(header::CONTENT_TYPE, "application/json");
        }
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        let res = self
            .app
            .request(
                builder
                    .body(Body::from(body.unwrap_or_default().to_string()))
                    .unwrap(),
            )
            .await;
        let status = res.status.as_u16().to_string();
        let op = &self.doc["paths"][operation][method.to_lowercase()];
        assert!(!op.is_null(), "{method} {operation} is not in the document");
        let answer = &op["responses"][&status];
        assert!(
            !answer.is_null(),
            "{method} {path} answered {status}, which the document does not list: {}",
            res.body
        );
        let media = res.headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .to_string();
        let (documented_media, content) = answer["content"]
            .as_object()
            .and_then(|c| c.iter().next())
            .expect("a documented body");
        if documented_media == "application/octet-stream" {
            // A file, served as its kind: no JSON to check.
            self.covered
                .insert((format!("{method} {operation}"), status));
            return Value::Null;
        }
        assert_eq!(&media, documented_media, "{method} {path} {status}");
        let value: Value = serde_json::from_str(&res.body).expect("a JSON body");
        let mut errors = Vec::new();
        check(&self.doc, &content["schema"], &value, "body", &mut errors);
        assert!(
            errors.is_empty(),
            "{method} {path} {status} disagrees with the document:\n{}\n{value:#}",
            errors.join("\n")
        );
        self.covered
            .insert((format!("{method} {operation}"), status));
        value
    }
}

async fn token(app: &TestApp, admin: i64, scopes: &[Scope]) -> String {
    staff_helpers::api_token(&app.state.store, admin, scopes).await
}

#[tokio::test]
async fn every_documented_answer_is_what_the_api_sends() {
    let mut app = TestApp::spawn_configured(|config| {
        config.rate_limits = "api=100/m".parse().unwrap();
    })
    .await;
    let doc: Value = serde_json::from_str(&app.get("/api/v1/openapi.json").await.body).unwrap();
    let admin = add_staff(&app, "ada@example.com", "Ada Admin", Role::Admin).await;
    let all = token(&app, admin, &Scope::ALL).await;
    let create = token(&app, admin, &[Scope::TicketsCreate]).await;
    let limited = {
        // Its own rate: a token past it gets 429 (the others keep theirs).
        token(&app, admin, &[Scope::TicketsRead]).await
    };
    let mut c = Contract {
        app,
        doc,
        covered: BTreeSet::new(),
    };
    let ticket = json!({
        "error_code": 404,
        "message": "HTTP GET failed: not found (404)",
        "endpoint": "https://go.trackvia.com/openapi/views/12/records/R-1042?user_key=k3Yk3Yk3Yk3Yk3Yk3Yk3Y",
        "method": "GET",
        "occurred_at": "2026-01-15T09:30:00Z",
        "tool": "workato",
        "environment": "production",
        "email": "dana@example.com"
    })
    .to_string();
    let tickets = "/api/v1/tickets";
    let one = "/api/v1/tickets/{id}";

    // Filing: every answer.
    let filed = c
        .call(
            "POST",
            tickets,
            tickets,
            Some(&all),
            Some(&ticket),
            &[("Idempotency-Key", "k-1")],
        )
        .await;
    assert!(
        !filed["hints"].as_array().unwrap().is_empty(),
        "the Record ID hint"
    );
    c.call(
        "POST",
        tickets,
        tickets,
        Some(&all),
        Some(&ticket),
        &[("Idempotency-Key", "k-1")],
    )
    .await;
    let other = ticket.replace("404", "401");
    c.call(
        "POST",
        tickets,
        tickets,
        Some(&all),
        Some(&other),
        &[("Idempotency-Key", "k-1")],
    )
    .await;
    c.call(
        "POST",
        tickets,
        tickets,
        Some(&all),
        Some(r#"{"colour": "red"}"#),
        &[],
    )
    .await;
    c.call("POST", tickets, tickets, None, Some(&ticket), &[])
        .await;
    c.call(
        "POST",
        tickets,
        tickets,
        Some(&all),
        Some(r#"{"error_code": "999"}"#),
        &[],
    )
    .await;
    let read_only = token(&c.app, admin, &[Scope::TicketsRead]).await;
    c.call(
        "POST",
        tickets,
        tickets,
        Some(&read_only),
        Some(&ticket),
        &[],
    )
    .await;
    // A second ticket, filed by a filing-only token: no problem shown.
    c.call("POST", tickets, tickets, Some(&create), Some(&ticket), &[])
        .await;

    // Reading.
    c.call("GET", tickets, tickets, Some(&all), None, &[]).await;
    c.call(
        "GET",
        "/api/v1/tickets?status=all&sort=newest&code=404",
        tickets,
        Some(&all),
        None,
        &[],
    )
    .await;
    c.call("GET", tickets, tickets, None, None, &[]).await;
    c.call("GET", tickets, tickets, Some(&create), None, &[])
        .await;
    let shown = c
        .call("GET", "/api/v1/tickets/1", one, Some(&all), None, &[])
        .await;
    assert_eq!(
        shown["problem"]["occurrences"], 2,
        "grouped with the second"
    );
    c.call("GET", "/api/v1/tickets/99", one, Some(&all), None, &[])
        .await;
    c.call("GET", "/api/v1/tickets/1", one, None, None, &[])
        .await;
    c.call("GET", "/api/v1/tickets/1", one, Some(&create), None, &[])
        .await;

    // Actions: each documented answer.
    for (action, good, bad_type, bad_value) in [
        (
            "assign",
            json!({"assignee_id": admin}),
            json!({"assignee_id": "x"}),
            json!({"assignee_id": 9999}),
        ),
        (
            "status",
            json!({"status": "open"}),
            json!({"status": 1}),
            json!({"status": "sideways"}),
        ),
        (
            "priority",
            json!({"priority": "high"}),
            json!({"priority": 1}),
            json!({"priority": "soon"}),
        ),
        (
            "notes",
            json!({"body": "Checked the token."}),
            json!({"body": 1}),
            json!({"body": ""}),
        ),
        (
            "replies",
            json!({"body": "Use the internal id.", "then": "wait"}),
            json!({"text": "x"}),
            json!({"body": "x", "then": "later"}),
        ),
    ] {
        let operation = format!("/api/v1/tickets/{{id}}/{action}");
        let path = format!("/api/v1/tickets/1/{action}");
        c.call(
            "POST",
            &path,
            &operation,
            Some(&all),
            Some(&good.to_string()),
            &[],
        )
        .await;
        c.call(
            "POST",
            &path,
            &operation,
            Some(&all),
            Some(&bad_type.to_string()),
            &[],
        )
        .await;
        c.call(
            "POST",
            &path,
            &operation,
            Some(&all),
            Some(&bad_value.to_string()),
            &[],
        )
        .await;
        c.call(
            "POST",
            &path,
            &operation,
            None,
            Some(&good.to_string()),
            &[],
        )
        .await;
        c.call(
            "POST",
            &path,
            &operation,
            Some(&create),
            Some(&good.to_string()),
            &[],
        )
        .await;
        c.call(
            "POST",
            &format!("/api/v1/tickets/99/{action}"),
            &operation,
            Some(&all),
            Some(&good.to_string()),
            &[],
        )
        .await;
    }
    // 409: what the ticket's state refuses. A waiting ticket cannot go back
    // to new; a closed one cannot be made to wait.
    c.call(
        "POST",
        "/api/v1/tickets/1/status",
        "/api/v1/tickets/{id}/status",
        Some(&all),
        Some(r#"{"status": "new"}"#),
        &[],
    )
    .await;
    c.call(
        "POST",
        "/api/v1/tickets/2/status",
        "/api/v1/tickets/{id}/status",
        Some(&all),
        Some(r#"{"status": "closed"}"#),
        &[],
    )
    .await;
    c.call(
        "POST",
        "/api/v1/tickets/2/replies",
        "/api/v1/tickets/{id}/replies",
        Some(&all),
        Some(r#"{"body": "Are you still there?", "then": "wait"}"#),
        &[],
    )
    .await;
    // Files: uploads, a ticket that names one, a download.
    let boundary = "----contractBoundary";
    let multipart = format!("multipart/form-data; boundary={boundary}");
    let parts = |name: &str, file: &str, bytes: &str| {
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{file}\"\r\n\r\n{bytes}\r\n--{boundary}--\r\n"
        )
    };
    let uploads = "/api/v1/uploads";
    let log = parts("file", "run.log", "09:30 GET /v1/apps -> 401\n");
    let kept = c
        .call(
            "POST",
            uploads,
            uploads,
            Some(&all),
            Some(&log),
            &[("Content-Type", &multipart)],
        )
        .await;
    let upload = kept["files"][0]["id"].as_str().unwrap().to_string();
    let page = parts(
        "file",
        "page.html",
        "<!DOCTYPE html><html><body>hi</body></html>",
    );
    c.call(
        "POST",
        uploads,
        uploads,
        Some(&all),
        Some(&page),
        &[("Content-Type", &multipart)],
    )
    .await;
    c.call("POST", uploads, uploads, Some(&all), Some(&log), &[])
        .await;
    c.call(
        "POST",
        uploads,
        uploads,
        None,
        Some(&log),
        &[("Content-Type", &multipart)],
    )
    .await;
    c.call(
        "POST",
        uploads,
        uploads,
        Some(&read_only),
        Some(&log),
        &[("Content-Type", &multipart)],
    )
    .await;
    for operation in [uploads, tickets] {
        c.call(
            "POST",
            operation,
            operation,
            Some(&all),
            Some(&log),
            &[
                ("Content-Type", &multipart),
                ("Content-Length", "999999999999"),
            ],
        )
        .await;
    }
    let with_file = ticket.replacen('{', &format!("{{\"attachments\": [\"{upload}\"],"), 1);
    let filed = c
        .call("POST", tickets, tickets, Some(&all), Some(&with_file), &[])
        .await;
    let download = "/api/v1/tickets/{id}/files/{file}";
    let url = filed["files"][0]["url"].as_str().unwrap().to_string();
    c.call("GET", &url, download, Some(&all), None, &[]).await;
    c.call("GET", &url, download, None, None, &[]).await;
    c.call("GET", &url, download, Some(&create), None, &[])
        .await;
    c.call(
        "GET",
        &url.replace("/files/", "/files/0"),
        download,
        Some(&all),
        None,
        &[],
    )
    .await;

    // 429 everywhere, from a token past its rate.
    for _ in 0..100 {
        c.call("GET", tickets, tickets, Some(&limited), None, &[])
            .await;
    }
    let operations: Vec<(String, String)> = c.doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, item)| {
            item.as_object()
                .unwrap()
                .keys()
                .map(|method| (method.to_uppercase(), path.clone()))
                .collect::<Vec<_>>()
        })
        .collect();
    for (method, operation) in &operations {
        let path = operation.replace("{id}", "1").replace("{file}", "f");
        let body = (method == "POST").then_some("{}");
        let out = c
            .call(method, &path, operation, Some(&limited), body, &[])
            .await;
        assert_eq!(out["status"], 429, "{method} {path}");
    }

    // 400 on the list: a view too broad to read within the query budget.
    let mut strict = TestApp::spawn_configured(|config| {
        config.staff_query_budget = apidesk::config::QueryBudget(std::time::Duration::ZERO);
    })
    .await;
    let strict_admin = add_staff(&strict, "ada@example.com", "Ada Admin", Role::Admin).await;
    // Every ticket matches the words and none has the status: far more
    // work than a zero budget allows.
    let now = time::OffsetDateTime::now_utc();
    let many: Vec<apidesk::store::SeedTicket> = (0..1_500)
        .map(|n| {
            let details = apidesk::tickets::TicketInput {
                error_code: "401".into(),
                message: format!("HTTP GET failed: the request to the service timed out ({n})"),
                endpoint: "/openapi/apps".into(),
                method: "GET".into(),
                occurred_at: "2026-01-15T09:30:00Z".into(),
                tool: "workato".into(),
                environment: "production".into(),
                email: "req@example.com".into(),
                ..Default::default()
            }
            .validate(now)
            .unwrap();
            common::seed_ticket_filed(details, now)
        })
        .collect();
    let mut loader = strict.state.store.seed_loader(false).await.unwrap();
    loader.insert_batch(&many).await.unwrap();
    loader.finish().await.unwrap();
    let strict_token = token(&strict, strict_admin, &[Scope::TicketsRead]).await;
    std::mem::swap(&mut c.app, &mut strict);
    let too_broad = c
        .call(
            "GET",
            "/api/v1/tickets?status=closed&q=the+request+to+the+service+timed+out",
            tickets,
            Some(&strict_token),
            None,
            &[],
        )
        .await;
    assert_eq!(too_broad["status"], 400, "{too_broad}");
    std::mem::swap(&mut c.app, &mut strict);

    // Every documented answer was seen.
    let mut missing = Vec::new();
    for (path, item) in c.doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            for status in op["responses"].as_object().unwrap().keys() {
                let key = (format!("{} {path}", method.to_uppercase()), status.clone());
                if !c.covered.contains(&key) {
                    missing.push(format!("{} {}", key.0, key.1));
                }
            }
        }
    }
    assert!(missing.is_empty(), "never exercised: {missing:?}");
}

#[tokio::test]
async fn the_api_page_is_rendered_from_the_document() {
    let mut app = TestApp::spawn().await;
    let doc: Value = serde_json::from_str(&app.get("/api/v1/openapi.json").await.body).unwrap();
    let page = app.get("/api/v1/docs").await;
    assert_eq!(page.status, 200);
    assert!(
        page.headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            page.assert_contains(&format!("{} {}", method.to_uppercase(), path))
                .assert_contains(&format!("id=\"{}\"", op["operationId"].as_str().unwrap()));
        }
    }
    for name in doc["components"]["schemas"].as_object().unwrap().keys() {
        page.assert_contains(&format!("id=\"schema-{name}\""));
    }
    // Each problem's `type` leads to its entry.
    for kind in [
        "unauthorized",
        "invalid",
        "idempotency-key-reused",
        "rate-limited",
    ] {
        page.assert_contains(&format!("id=\"problem-{kind}\""));
    }
    page.assert_lacks("<script>").assert_lacks("cdn");
}
