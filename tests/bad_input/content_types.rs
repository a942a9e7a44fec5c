//! The wrong content type: JSON or plain text to a form route, a form or
//! plain text to the API, bodies that are not UTF-8. Each is a 4xx and
//! nothing is filed.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};

use crate::common::{TestApp, as_pairs, valid_ticket};

async fn send(
    app: &mut TestApp,
    uri: &str,
    content_type: Option<&str>,
    body: Vec<u8>,
) -> StatusCode {
    let mut builder = Request::post(uri);
    if let Some(content_type) = content_type {
        builder = builder.header(header::CONTENT_TYPE, content_type);
    }
    if let Some(cookie) = app.cookie("apidesk_csrf") {
        builder = builder.header(header::COOKIE, format!("apidesk_csrf={cookie}"));
    }
    app.request(builder.body(Body::from(body)).unwrap())
        .await
        .status
}

#[tokio::test]
async fn form_routes_refuse_json_plain_text_and_broken_bodies() {
    let mut app = crate::app().await;
    let token = app.csrf_token().await;
    let mut fields = valid_ticket();
    fields.push(("csrf_token", token.clone()));
    let json = serde_json::to_vec(
        &fields
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect::<std::collections::BTreeMap<_, _>>(),
    )
    .unwrap();
    let form = serde_urlencoded::to_string(as_pairs(&fields)).unwrap();
    let cases: Vec<(Option<&str>, Vec<u8>)> = vec![
        (Some("application/json"), json.clone()),
        (Some("text/plain"), form.clone().into_bytes()),
        (Some("text/plain"), json.clone()),
        (Some("application/xml"), b"<ticket/>".to_vec()),
        (None, Vec::new()),
        (Some("multipart/form-data"), form.clone().into_bytes()),
        (
            Some("multipart/form-data; boundary=x"),
            b"--x\r\nbroken".to_vec(),
        ),
        (
            Some("application/x-www-form-urlencoded"),
            format!("csrf_token={token}&message=%FF%FE&email=%C3%28").into_bytes(),
        ),
        (
            Some("application/x-www-form-urlencoded"),
            [
                format!("csrf_token={token}&message=").as_bytes(),
                b"\xff\xfe\x00",
            ]
            .concat(),
        ),
    ];
    for uri in [
        "/tickets",
        "/tickets/lost",
        "/diagnose",
        "/staff/login",
        "/troubleshoot/401/fixed",
    ] {
        for (content_type, body) in &cases {
            let status = send(&mut app, uri, *content_type, body.clone()).await;
            assert!(
                status.is_client_error() || (status.is_redirection() && uri != "/tickets"),
                "POST {uri} as {content_type:?}: {status}"
            );
        }
    }
    assert_eq!(app.count_tickets().await, 0);
}

#[tokio::test]
async fn the_api_refuses_forms_plain_text_and_no_content_type() {
    let mut app = crate::app().await;
    let token = crate::api::all_scopes(&app).await;
    let json = r#"{"error_code": 401, "message": "HTTP GET failed: unauthorized (401)",
        "endpoint": "https://go.trackvia.com/openapi/views/12/records", "method": "GET",
        "occurred_at": "2026-01-15T09:30:00Z", "tool": "script", "environment": "production",
        "email": "dana@example.com"}"#;
    let form = serde_urlencoded::to_string(as_pairs(&valid_ticket())).unwrap();
    for (content_type, body) in [
        (Some("application/x-www-form-urlencoded"), form.as_str()),
        (Some("text/plain"), json),
        (None, json),
        (Some("application/xml"), "<ticket/>"),
        (Some("multipart/form-data; boundary=x"), "--x\r\nbroken"),
        (
            Some("application/json; charset=latin1"),
            "{\"message\": \"\u{e9}\"}",
        ),
    ] {
        for uri in [
            "/api/v1/tickets",
            "/api/v1/tickets/1/notes",
            "/api/v1/uploads",
        ] {
            let mut builder =
                Request::post(uri).header(header::AUTHORIZATION, format!("Bearer {token}"));
            if let Some(content_type) = content_type {
                builder = builder.header(header::CONTENT_TYPE, content_type);
            }
            let res = app
                .request(builder.body(Body::from(body.to_string())).unwrap())
                .await;
            assert!(
                res.status.is_client_error(),
                "POST {uri} as {content_type:?}: {}",
                res.status
            );
        }
    }
    assert_eq!(app.count_tickets().await, 0);
}
