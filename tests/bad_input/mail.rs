//! Mail both ways. In: every header a reader looks at (From, Subject,
//! Message-ID, In-Reply-To, References, Content-Type and its charset,
//! encoded words) and the body carry each payload through the ingest path;
//! each is taken or set aside, never an error or a panic, and staff pages
//! show it inert. Out: hostile names, messages and staff replies reach an
//! SMTP server with no header added and the HTML part inert.

use std::sync::Arc;

use apidesk::config::MailSettings;
use apidesk::kb::{KnowledgeBase, SharedKb};
use apidesk::mail::Mailer;
use apidesk::mail::delivery::Deliverer;
use apidesk::mail::inbound::{Ingest, Ingested};
use apidesk::staff::Role;
use axum::http::StatusCode;
use base64::Engine;
use mail_parser::MessageParser;

use crate::common::TestApp;
use crate::payloads::{
    assert_all_inert, assert_escaped, assert_no_live_markup, hostile, hostile_text,
};
use crate::staff_helpers::{add_staff, file_ticket_with, sign_in, staff_url};

#[path = "../common/smtp.rs"]
mod smtp;

fn encoded_word(text: &str) -> String {
    format!(
        "=?utf-8?B?{}?=",
        base64::engine::general_purpose::STANDARD.encode(text)
    )
}

/// A mail from `from` answering `parent`, with `header` lines first.
fn message(from: &str, subject: &str, id: &str, parent: &str, extra: &str, body: &str) -> Vec<u8> {
    format!(
        "From: {from}\r\nTo: support@example.com\r\nSubject: {subject}\r\n\
         Message-ID: {id}\r\nIn-Reply-To: {parent}\r\nReferences: {parent}\r\n\
         Date: Mon, 7 Dec 2026 10:00:00 +0000\r\n{extra}\r\n{body}\r\n"
    )
    .into_bytes()
}

#[tokio::test]
async fn hostile_headers_and_bodies_are_taken_and_shown_inert() {
    let mut app = crate::app().await;
    let ticket = file_ticket_with(&mut app, &[("email", "pat@example.com")]).await;
    let key = app.state.store.ticket_mail(ticket.id).await.unwrap()[0]
        .message_key
        .clone();
    let parent = format!("<{key}@example.com>");
    let ingest = Ingest {
        store: app.state.store.clone(),
        targets: app.state.config.response_targets,
        open_tickets: true,
        rules: Default::default(),
        sender_limit: None,
    };
    let mut taken = 0;
    for (n, payload) in hostile().into_iter().enumerate() {
        let v = payload.value.as_str();
        let one_line: String = v.replace(['\r', '\n'], " ");
        let id = |what: &str| format!("<{what}-{n}@client.example>");
        let cases = [
            // From: the name, then the address.
            message(
                &format!("\"{one_line}\" <pat@example.com>"),
                "Re: your ticket",
                &id("name"),
                &parent,
                "",
                "The key ends in 9f3a.",
            ),
            message(
                &format!("{v} <pat@example.com>"),
                "Re: your ticket",
                &id("raw-name"),
                &parent,
                "",
                "Raw name.",
            ),
            message(&one_line, "Re: x", &id("address"), &parent, "", "Address."),
            message(
                &format!("{} <stranger{n}@example.org>", encoded_word(v)),
                v,
                &id("new"),
                "<nothing@example.org>",
                "",
                v,
            ),
            // The subject, raw and as an encoded word, on a new ticket.
            message(
                &format!("Lin <lin{n}@example.org>"),
                &encoded_word(v),
                &id("subject"),
                "<nothing@example.org>",
                "",
                "HTTP GET failed: unauthorized (401)",
            ),
            // Ids and the thread.
            message("Pat <pat@example.com>", "Re: x", v, &parent, "", "An id."),
            message(
                "Pat <pat@example.com>",
                "Re: x",
                &id("parent"),
                v,
                "",
                "A parent.",
            ),
            message(
                "Pat <pat@example.com>",
                "Re: x",
                &id("refs"),
                &format!("{parent} {v}"),
                "",
                "References.",
            ),
            // Content-Type, its charset, the transfer encoding.
            message(
                "Pat <pat@example.com>",
                "Re: x",
                &id("type"),
                &parent,
                &format!("Content-Type: {one_line}\r\n"),
                "A type.",
            ),
            message(
                "Pat <pat@example.com>",
                "Re: x",
                &id("charset"),
                &parent,
                &format!("Content-Type: text/plain; charset=\"{one_line}\"\r\n"),
                "Caf\u{e9}",
            ),
            message(
                "Pat <pat@example.com>",
                "Re: x",
                &id("encoding"),
                &parent,
                &format!("Content-Transfer-Encoding: {one_line}\r\n"),
                "=41=42 YWJj",
            ),
            message(
                "Pat <pat@example.com>",
                "Re: x",
                &id("html"),
                &parent,
                "Content-Type: text/html; charset=utf-8\r\n",
                &format!(
                    "<p>{v}</p><a href=\"javascript:alert(1)\">x</a><script>alert(9)</script>"
                ),
            ),
            message(
                "Pat <pat@example.com>",
                "Re: x",
                &id("body"),
                &parent,
                "",
                v,
            ),
        ];
        for raw in cases {
            match ingest.take(raw.clone()).await {
                Ok(Ingested::Taken(_)) => taken += 1,
                Ok(_) => {}
                Err(err) => panic!(
                    "{}: an error: {err}\n{}",
                    payload.name,
                    String::from_utf8_lossy(&raw)
                ),
            }
        }
    }
    // Not mail at all, and mail cut short.
    for raw in [
        &b""[..],
        b"\0\0\0",
        b"\xff\xfe\xfd",
        b"From:",
        b"Subject: =?utf-8?B?////?=\r\n\r\n",
        b"Subject: =?x-unknown?Q?=FF?=\r\nFrom: a@b.example\r\n\r\nx",
        b"Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\n--b\r\n--b--",
    ] {
        let taken = ingest.take(raw.to_vec()).await;
        assert!(
            taken.is_ok(),
            "{:?}: {taken:?}",
            String::from_utf8_lossy(raw)
        );
    }
    assert!(taken > 0, "some of the mail was taken");

    add_staff(&app, "ada@example.com", "Ada Admin", Role::Admin).await;
    sign_in(&mut app, "ada@example.com").await;
    let mail_page = app.get("/staff/mail").await;
    assert_eq!(mail_page.status, StatusCode::OK);
    let queue = app.get("/staff/queue?status=all").await;
    assert_eq!(queue.status, StatusCode::OK);
    let mut pages = vec![mail_page.body, queue.body];
    for id in 1..=app.count_tickets().await {
        let page = app.get(&format!("/staff/tickets/{id}")).await;
        assert_eq!(page.status, StatusCode::OK, "ticket {id}");
        let token = crate::staff_helpers::reload(&app, id).await.token;
        pages.push(page.body);
        pages.push(app.get(&format!("/tickets/{token}")).await.body);
    }
    let payloads = hostile_text();
    for page in &pages {
        assert_all_inert(page, &payloads, "mail in");
        assert!(
            !page.contains("<script>alert(9)"),
            "the mail's script is live"
        );
    }
}

#[tokio::test]
async fn mail_out_carries_hostile_words_with_no_header_added_and_html_inert() {
    let server = smtp::SmtpServer::start().await;
    let mut app = TestApp::spawn_configured(|config| {
        config.rate_limits = apidesk::web::rate_limit::RateLimitSettings::off();
        config.public_url = Some("https://help.example.com".into());
        config.mail.smtp_url = Some(server.url(None));
        config.mail.mail_from = Some("apidesk support <support@example.com>".into());
        config.mail.mail_replies = Some(true);
    })
    .await;
    add_staff(&app, "ada@example.com", "Ada Admin", Role::Admin).await;
    let mut tickets = Vec::new();
    for (n, payload) in hostile_text().into_iter().enumerate() {
        let email = format!("req{n}@org{n}.example");
        let name = payload.value.replace(['\r', '\n', '\0'], " ");
        let ticket = file_ticket_with(
            &mut app,
            &[
                ("email", &email),
                ("name", &name),
                ("message", &payload.value),
            ],
        )
        .await;
        tickets.push((ticket, payload));
    }
    sign_in(&mut app, "ada@example.com").await;
    for (ticket, payload) in &tickets {
        let res = app
            .post_form(
                &format!("{}/replies", staff_url(ticket)),
                &[("reply", &payload.value)],
            )
            .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", payload.name);
    }
    let mail = MailSettings {
        smtp_url: Some(server.url(None)),
        mail_from: Some("apidesk support <support@example.com>".into()),
        ..MailSettings::default()
    }
    .check(Some("https://help.example.com"))
    .unwrap()
    .unwrap();
    let deliverer = Deliverer {
        store: app.state.store.clone(),
        kb: SharedKb::new(KnowledgeBase::load_embedded().unwrap()),
        transport: Arc::new(Mailer::new(&mail).unwrap()),
        public_url: "https://help.example.com".into(),
        domain: "example.com".into(),
        replies: true,
    };
    let due = time::OffsetDateTime::now_utc() + time::Duration::minutes(1);
    let mut sent = 0;
    while sent < tickets.len() * 2 {
        let now = deliverer.deliver_due(due).await.unwrap();
        if now == 0 {
            break;
        }
        sent += now;
    }
    let received = server.wait_for_messages(tickets.len() * 2).await;
    let expected = [
        "from",
        "to",
        "subject",
        "message-id",
        "date",
        "auto-submitted",
        "in-reply-to",
        "references",
        "mime-version",
        "content-type",
        "content-transfer-encoding",
    ];
    for got in &received {
        assert_eq!(got.rcpt_to.len(), 1, "one recipient");
        let data = String::from_utf8_lossy(&got.data);
        let head = &data[..data.find("\r\n\r\n").expect("a header block")];
        assert!(
            !head.to_ascii_lowercase().contains("victim@"),
            "a header was added:\n{head}"
        );
        let parsed = MessageParser::default()
            .parse(&got.data)
            .expect("parsable mail");
        for header in parsed.headers() {
            assert!(
                expected.contains(&header.name().to_ascii_lowercase().as_str()),
                "an unexpected header {:?}:\n{head}",
                header.name()
            );
        }
        let html = parsed.body_html(0).expect("an HTML part");
        for (_, payload) in &tickets {
            assert_escaped(
                &html,
                &payload.value,
                &format!("mail HTML: {}", payload.name),
            );
        }
        assert_no_live_markup(&html, "mail HTML");
    }
}
