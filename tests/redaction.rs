//! Credentials never reach the database: tickets carrying known secrets
//! come in through every way in (the form, the details form, additions,
//! staff replies and notes, a mail reply, a mail that opens a ticket), and
//! then the raw database files (database, WAL, shared memory) hold none of
//! them. The requester is told before filing and on the status page.

mod common;
#[path = "common/staff.rs"]
mod staff_helpers;

use apidesk::mail::inbound::{Ingest, Ingested};
use apidesk::tickets::InboundOutcome;
use axum::http::StatusCode;
use common::{TestApp, as_pairs, valid_ticket};
use staff_helpers::{reload, signed_in_agent};

/// One secret per way in, each of a shape people paste.
const FORM_ENDPOINT: &str = "S1atok9f8e7d6c5b4a3x";
const FORM_MESSAGE_JWT: &str = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJmb3JtIn0.c2lnbmF0dXJlZm9ybTE";
const FORM_TOOL: &str = "ghp_Z9y8X7w6V5u4T3s2R1q0P9o8N7m6L5k4J3i2";
const FORM_CHANGES: &str = "AKIAQWERTYUIOPASDF34";
const ADDITION: &str = "hunter2SECRETpw5";
const STAFF_REPLY: &str = "xoxb-2401234567-8765432109876-AbCdEfGhIjKlMnOpQrStUvWx";
const STAFF_NOTE: &str = "sk_live_4eC39HqLyjWDarjtT1zdp7dc";
const MAIL_BODY: &str = "glpat-xY7zK2pQ9rT4vB6nM1wL";
const MAIL_SUBJECT: &str = "Qm9vdHN0cmFwU2VjcmV0U3ViamVjdA9";
const OPENED_BODY: &str = "AIzaSyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q";
const OPENED_URL: &str = "u5erK3yL0ngRand0mV4lu3";
const DETAILS_ENDPOINT: &str = "D3tailsApiK3yRand0m991";

const ALL: [&str; 12] = [
    FORM_ENDPOINT,
    FORM_MESSAGE_JWT,
    FORM_TOOL,
    FORM_CHANGES,
    ADDITION,
    STAFF_REPLY,
    STAFF_NOTE,
    MAIL_BODY,
    MAIL_SUBJECT,
    OPENED_BODY,
    OPENED_URL,
    DETAILS_ENDPOINT,
];

fn holds(bytes: &[u8], needle: &str) -> bool {
    bytes.windows(needle.len()).any(|w| w == needle.as_bytes())
}

/// The ticket form with a credential in each of its free-text fields.
fn secret_ticket() -> Vec<(&'static str, String)> {
    let mut fields = valid_ticket();
    for (name, value) in [
        (
            "endpoint",
            format!("/openapi/apps?access_token={FORM_ENDPOINT}"),
        ),
        (
            "message",
            format!(
                "HTTP GET failed: unauthorized (401)\nAuthorization: Bearer {FORM_MESSAGE_JWT}"
            ),
        ),
        ("tool", "other".into()),
        ("tool_other", format!("my tool, token {FORM_TOOL}")),
        (
            "recent_changes",
            format!("new key {FORM_CHANGES} since Monday"),
        ),
    ] {
        fields.iter_mut().find(|(k, _)| *k == name).unwrap().1 = value;
    }
    fields
}

#[tokio::test]
async fn the_form_shows_what_it_takes_out_before_filing_and_files_it_redacted() {
    let mut app = TestApp::spawn().await;
    let fields = secret_ticket();
    let first = app.post_form("/tickets", &as_pairs(&fields)).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    assert_eq!(app.count_tickets().await, 0, "nothing is stored yet");
    first
        .assert_contains("We took out 4 credentials")
        .assert_contains("<code>access_token</code> in the endpoint")
        .assert_contains("<code>bearer_token</code> in the error message")
        .assert_contains("<code>github_token</code> in the tool&#39;s name")
        .assert_contains("<code>aws_access_key</code> in the recent changes")
        .assert_contains("Rotate them")
        .assert_contains("value=\"/openapi/apps?access_token=[redacted access_token]\"");
    for secret in [FORM_ENDPOINT, FORM_MESSAGE_JWT, FORM_TOOL, FORM_CHANGES] {
        first.assert_lacks(secret);
    }
    // Sent again as shown, it is filed.
    let shown: Vec<(&str, String)> = fields
        .iter()
        .map(|(name, _)| {
            let value = match *name {
                "message" | "recent_changes" => common::textarea_value(&first.body, name),
                "endpoint" | "tool_other" => input_value(&first.body, name),
                "submission_id" => common::hidden_value(&first.body, name),
                // Choices and the rest come back as they were sent.
                _ => None,
            };
            (*name, value.unwrap_or_else(|| field(&fields, name)))
        })
        .collect();
    let second = app.post_form("/tickets", &as_pairs(&shown)).await;
    assert_eq!(second.status, StatusCode::SEE_OTHER, "{}", second.body);
    let ticket = reload(&app, 1).await;
    assert_eq!(
        ticket.details.endpoint,
        "/openapi/apps?access_token=[redacted access_token]"
    );
    let status = app.get(second.location()).await;
    status
        .assert_contains("We took 4 credentials out of what you sent")
        .assert_contains("Rotate them anyway");
}

fn field(fields: &[(&'static str, String)], name: &str) -> String {
    fields.iter().find(|(k, _)| *k == name).unwrap().1.clone()
}

/// The value of the text input named `name`.
fn input_value(html: &str, name: &str) -> Option<String> {
    let at = html.find(&format!("name=\"{name}\" type=\"text\""))?;
    let rest = &html[at..];
    let v = rest.find("value=\"")? + 7;
    Some(common::unescape(&rest[v..v + rest[v..].find('"')?]))
}

#[tokio::test]
async fn no_credential_reaches_the_database_files_by_any_way_in() {
    let mut app = TestApp::spawn().await;
    // The form, sent straight (as a script would, skipping the preview's
    // second look): stored redacted all the same.
    let fields = secret_ticket();
    let shown = app.post_form("/tickets", &as_pairs(&fields)).await;
    assert_eq!(shown.status, StatusCode::OK);
    let mut direct = fields.clone();
    for (_, value) in direct.iter_mut() {
        *value = apidesk::tickets::redact::redact(value).text;
    }
    let filed = app.post_form("/tickets", &as_pairs(&direct)).await;
    assert_eq!(filed.status, StatusCode::SEE_OTHER, "{}", filed.body);
    let ticket = reload(&app, 1).await;
    let status_url = format!("/tickets/{}", ticket.token);

    // The requester adds information.
    let added = app
        .post_form(
            &format!("{status_url}/replies"),
            &[("body", &format!("I reset it; my password: {ADDITION}"))],
        )
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER);

    // Staff reply and note.
    signed_in_agent(&mut app, "ana@example.com", "Ana Agent").await;
    let staff_url = "/staff/tickets/1";
    let reply = format!("Please revoke the Slack token {STAFF_REPLY} you pasted.");
    let res = app
        .post_form(&format!("{staff_url}/replies"), &[("reply", &reply)])
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let note = format!("Their Stripe key {STAFF_NOTE} is in the log.");
    let res = app
        .post_form(&format!("{staff_url}/notes"), &[("note", &note)])
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);

    // A mail reply to the ticket's confirmation, and a mail opening a new one.
    let key = app.state.store.ticket_mail(1).await.unwrap()[0]
        .message_key
        .clone();
    let ingest = Ingest {
        store: app.state.store.clone(),
        targets: app.state.config.response_targets,
        open_tickets: true,
        sender_limit: None,
        rules: Default::default(),
    };
    let reply_mail = format!(
        "From: {}\r\nMessage-ID: <r1@mail.example.com>\r\nIn-Reply-To: <{key}@x.example>\r\n\
         Subject: Re: api_key={MAIL_SUBJECT}\r\n\r\nHere is the token {MAIL_BODY} we use.\r\n",
        ticket.details.email
    );
    let taken = ingest.take(reply_mail.into_bytes()).await.unwrap();
    assert_eq!(taken, Ingested::Taken(InboundOutcome::Added));
    let new_mail = format!(
        "From: Kim <kim@example.org>\r\nMessage-ID: <n1@mail.example.org>\r\n\
         Subject: 403 on our sync\r\n\r\nHTTP GET failed: forbidden (403)\r\n\
         https://api.example.com/openapi/apps?user_key={OPENED_URL}\r\n\
         our key is {OPENED_BODY}\r\n"
    );
    let taken = ingest.take(new_mail.into_bytes()).await.unwrap();
    assert_eq!(taken, Ingested::Taken(InboundOutcome::Opened));

    // The opened ticket's details, given with a credential in the endpoint.
    let opened = reload(&app, 2).await;
    let details = app
        .post_form(
            &format!("/tickets/{}/details", opened.token),
            &[
                ("error_code", "403"),
                (
                    "endpoint",
                    &format!("/openapi/apps?api_key={DETAILS_ENDPOINT}"),
                ),
                ("method", "GET"),
                ("occurred_at", "2026-11-03T10:00"),
                ("time_zone", "UTC"),
                ("tool", "script"),
            ],
        )
        .await;
    assert_eq!(details.status, StatusCode::SEE_OTHER, "{}", details.body);

    // What was taken out left its marker, and nothing else.
    let timeline = app.state.store.ticket_timeline(1).await.unwrap();
    let bodies: String = timeline.iter().map(|e| e.body.as_str()).collect();
    for marker in [
        "[redacted password]",
        "[redacted slack_token]",
        "[redacted stripe_key]",
    ] {
        assert!(bodies.contains(marker), "{marker} in {bodies}");
    }
    let bytes = app.database_bytes();
    assert!(
        holds(&bytes, "[redacted access_token]"),
        "the files are read"
    );
    for secret in ALL {
        assert!(
            !holds(&bytes, secret),
            "{secret} reached the database files"
        );
    }
}

#[tokio::test]
async fn a_pasted_message_is_carried_through_the_checks_without_its_credentials() {
    let mut app = TestApp::spawn().await;
    let message =
        format!("HTTP GET failed: unauthorized (401) Authorization: Bearer {FORM_MESSAGE_JWT}");
    let query = serde_urlencoded::to_string([("message", message.as_str())]).unwrap();
    let res = app.get(&format!("/diagnose?{query}")).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert!(res.location().starts_with("/troubleshoot/401?"));
    assert!(!res.location().contains("eyJhbGci"), "{}", res.location());
    assert!(res.location().contains("redacted"), "{}", res.location());
}

#[tokio::test]
async fn the_start_pages_paste_form_is_posted_so_the_url_never_holds_the_paste() {
    let mut app = TestApp::spawn().await;
    let start = app.get("/").await;
    start.assert_contains("<form method=\"post\" action=\"/diagnose\"");
    let message =
        format!("HTTP GET failed: unauthorized (401)\nAuthorization: Bearer {FORM_MESSAGE_JWT}");
    let res = app.post_form("/diagnose", &[("message", &message)]).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert!(
        res.location().starts_with("/troubleshoot/401?"),
        "{}",
        res.location()
    );
    assert!(!res.location().contains("eyJhbGci"), "{}", res.location());
    // Like every form, it needs its CSRF token.
    let bare = serde_urlencoded::to_string([("message", "HTTP GET failed (401)")]).unwrap();
    assert_eq!(
        app.post_raw("/diagnose", &bare).await.status,
        StatusCode::FORBIDDEN
    );
    // A mistake comes back on the start page with what was typed.
    let empty = app.post_form("/diagnose", &[("message", "  ")]).await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    empty.assert_contains("Paste the error message first");
}
