//! What leaves apidesk for other programs: the insights tables as CSV and
//! the webhook bodies (JSON and Slack). Hostile words filed in a ticket
//! arrive there as data: no formula a spreadsheet runs, JSON that parses
//! to the words as stored, and no Slack link or mention made from them.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use apidesk::staff::Role;
use apidesk::webhooks::AllowList;
use apidesk::webhooks::delivery::Deliverer;
use axum::http::StatusCode;
use serde_json::Value;

use crate::payloads::{assert_csv_neutral, hostile_text};
use crate::staff_helpers::{add_staff, file_ticket_with, reload, sign_in};

/// A receiver on 127.0.0.1 that answers 200 and keeps every body.
async fn receiver() -> (SocketAddr, Arc<Mutex<Vec<Vec<u8>>>>) {
    let got: Arc<Mutex<Vec<Vec<u8>>>> = Arc::default();
    let kept = got.clone();
    let app = axum::Router::new().fallback(move |body: axum::body::Bytes| {
        let kept = kept.clone();
        async move {
            kept.lock().unwrap().push(body.to_vec());
            StatusCode::OK
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (addr, got)
}

#[tokio::test]
async fn webhook_bodies_and_insights_csv_carry_hostile_words_as_data() {
    let (addr, got) = receiver().await;
    let mut app = crate::TestApp::spawn_configured(|config| {
        config.rate_limits = apidesk::web::rate_limit::RateLimitSettings::off();
        config.public_url = Some("https://help.example.com".into());
        config.webhook_allow_hosts = AllowList::parse("127.0.0.1").unwrap();
    })
    .await;
    add_staff(&app, "ada@example.com", "Ada Admin", Role::Admin).await;
    sign_in(&mut app, "ada@example.com").await;
    for format in ["json", "slack"] {
        let url = format!("http://127.0.0.1:{}/{format}", addr.port());
        let res = app
            .post_form(
                "/staff/webhooks",
                &[
                    ("url", &url),
                    ("format", format),
                    ("events", "ticket.filed"),
                ],
            )
            .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    }
    let mut ids = Vec::new();
    for (n, payload) in hostile_text().into_iter().enumerate() {
        // Two tickets failing alike from one organisation: a problem, whose
        // lead is listed in the insights' busiest problems.
        for m in 0..2 {
            let email = format!("req{m}@org{n}.example");
            let endpoint = format!("/v1/{}", payload.value.replace(char::is_whitespace, ""));
            let endpoint = if endpoint.len() > 4 {
                endpoint
            } else {
                "/v1/x".into()
            };
            let ticket = file_ticket_with(
                &mut app,
                &[
                    ("email", &email),
                    ("message", &payload.value),
                    ("endpoint", &endpoint),
                ],
            )
            .await;
            ids.push(ticket.id);
        }
    }

    let deliverer = Deliverer::new(
        app.state.store.clone(),
        Some("https://help.example.com".into()),
        app.state.config.webhook_allow_hosts.clone(),
    )
    .unwrap();
    let mut later = time::OffsetDateTime::now_utc();
    while got.lock().unwrap().len() < ids.len() * 2 {
        later += time::Duration::minutes(1);
        assert!(
            deliverer.deliver_due(later).await.unwrap() > 0,
            "deliveries stopped at {} of {}",
            got.lock().unwrap().len(),
            ids.len() * 2
        );
    }
    let bodies = got.lock().unwrap().clone();
    let mut messages = Vec::new();
    for body in &bodies {
        let value: Value = serde_json::from_slice(body).expect("the body is JSON");
        if let Some(text) = value["text"].as_str() {
            // Slack: the only link is apidesk's own; nothing typed makes one.
            assert_eq!(text.matches('<').count(), 1, "{text}");
            assert!(
                text.contains("<https://help.example.com/staff/tickets/"),
                "{text}"
            );
            assert!(!text.contains("<!"), "a mention: {text}");
        } else {
            let ticket = &value["ticket"];
            messages.push((ticket["id"].as_i64().unwrap(), ticket["message"].clone()));
        }
    }
    assert_eq!(messages.len(), ids.len());
    for (id, message) in messages {
        let stored = reload(&app, id).await.details.message;
        let expected: String = stored.chars().take(500).collect();
        assert_eq!(message.as_str(), Some(expected.as_str()), "ticket {id}");
    }

    for table in [
        "funnel",
        "steps",
        "weekly",
        "first-response",
        "resolution",
        "open",
        "problems",
    ] {
        let csv = app.get(&format!("/staff/insights/{table}.csv")).await;
        assert_eq!(csv.status, StatusCode::OK, "{table}");
        assert_csv_neutral(&csv.body, table);
    }
    let problems = app.get("/staff/insights/problems.csv").await;
    assert!(
        problems.body.matches("APD-").count() >= 10,
        "the busiest problems are listed:\n{}",
        problems.body
    );
}
