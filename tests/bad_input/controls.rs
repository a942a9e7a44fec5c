//! Characters that act without being seen: NUL, the other control
//! characters (an escape sequence recolours the terminal that prints an
//! export; a page holding them is not valid HTML) and the bidirectional
//! overrides and isolates (Trojan Source: `exe.png` shown as `gnp.exe`, and
//! the rest of a line turned around). Whichever way they come in (the
//! form, the API, an addition, a staff note, a mail), none is stored or
//! reaches a page, an export or the API.

use apidesk::mail::inbound::{Ingest, Ingested};
use apidesk::staff::Role;
use axum::http::StatusCode;

use crate::staff_helpers::{add_staff, file_ticket_with, sign_in, staff_url, status_url};

const HIDDEN: [char; 9] = [
    '\0', '\u{7}', '\u{1b}', '\u{8}', '\u{85}', '\u{202A}', '\u{202E}', '\u{2066}', '\u{2069}',
];

/// `words` with every hidden character between its letters.
fn laced(words: &str) -> String {
    let mut out = String::new();
    for (n, c) in words.chars().enumerate() {
        out.push(c);
        out.push(HIDDEN[n % HIDDEN.len()]);
    }
    out
}

#[track_caller]
fn assert_clean(text: &str, place: &str) {
    for c in HIDDEN {
        assert!(!text.contains(c), "{place}: {c:?} is there");
    }
}

#[tokio::test]
async fn hidden_controls_are_taken_out_whichever_way_they_come_in() {
    let mut app = crate::app().await;
    let message = laced("HTTP GET failed: unauthorized (401)");
    let ticket = file_ticket_with(
        &mut app,
        &[
            ("message", &message),
            ("name", &laced("Dana Developer")),
            ("recent_changes", &laced("Rotated the key")),
            (
                "endpoint",
                &format!("https://go.trackvia.com/v1/{}", laced("records")),
            ),
            ("tool", "other"),
            ("tool_other", &laced("my tool")),
        ],
    )
    .await;
    let details = &ticket.details;
    for (field, value) in [
        ("message", &details.message),
        ("name", &details.name),
        ("recent_changes", &details.recent_changes),
        ("endpoint", &details.endpoint),
    ] {
        assert_clean(value, &format!("stored {field}"));
    }
    assert!(
        details.message.starts_with("HTTP GET failed"),
        "{:?}",
        details.message
    );
    assert_eq!(details.name, "Dana Developer");

    let res = app
        .post_form(
            &format!("{}/replies", status_url(&ticket)),
            &[("body", &laced("The key ends in 9f3a."))],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);

    let key = app.state.store.ticket_mail(ticket.id).await.unwrap()[0]
        .message_key
        .clone();
    let mail = format!(
        "From: {} <dana@example.com>\r\nTo: support@example.com\r\nSubject: {}\r\n\
         Message-ID: <controls-1@client.example>\r\nIn-Reply-To: <{key}@example.com>\r\n\
         \r\n{}\r\n",
        laced("Dana"),
        laced("Re: your ticket"),
        laced("Still failing.")
    );
    let ingest = Ingest {
        store: app.state.store.clone(),
        targets: app.state.config.response_targets,
        open_tickets: false,
        rules: Default::default(),
        sender_limit: None,
    };
    let taken = ingest.take(mail.into_bytes()).await.unwrap();
    assert!(matches!(taken, Ingested::Taken(_)), "{taken:?}");

    add_staff(&app, "ada@example.com", "Ada Admin", Role::Admin).await;
    sign_in(&mut app, "ada@example.com").await;
    let res = app
        .post_form(
            &format!("{}/notes", staff_url(&ticket)),
            &[("note", &laced("Checked the logs."))],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);

    for event in app.state.store.ticket_timeline(ticket.id).await.unwrap() {
        assert_clean(&event.body, "a timeline entry");
    }
    for uri in [
        status_url(&ticket),
        staff_url(&ticket),
        "/staff/queue".to_string(),
        "/staff/queue.csv".to_string(),
        "/staff/mail".to_string(),
    ] {
        let page = app.get(&uri).await;
        assert_eq!(page.status, StatusCode::OK, "{uri}");
        assert_clean(&page.body, &uri);
    }
}

/// An incident's title shows on the public start page, and a macro's on
/// every ticket's composer: staff typing (or pasting) a hidden control
/// must not turn those pages around either.
#[tokio::test]
async fn incident_and_macro_titles_are_kept_without_hidden_controls() {
    let mut app = crate::app().await;
    add_staff(&app, "ada@example.com", "Ada Admin", Role::Admin).await;
    sign_in(&mut app, "ada@example.com").await;
    let res = app
        .post_form(
            "/staff/incidents",
            &[
                ("title", &laced("Records API down")),
                ("affected", "Every account"),
                ("codes", "500"),
                ("started_at", ""),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let res = app
        .post_form(
            "/staff/macros",
            &[
                ("title", &laced("Ask for the key")),
                ("body", "Hi {{requester_name}}"),
                ("set_status", ""),
                ("set_priority", ""),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    for uri in [
        "/",
        "/troubleshoot/500",
        "/staff/incidents",
        "/staff/macros",
    ] {
        let page = app.get(uri).await;
        assert_eq!(page.status, StatusCode::OK, "{uri}");
        assert_clean(&page.body, uri);
    }
    app.get("/").await.assert_contains("Records API down");
}
