//! A requester's mail with files: its attachments and inline images go
//! through the same inspection as the ticket form's, and are kept with the
//! event the mail writes; what is refused is listed in that event.

mod common;
#[path = "common/staff.rs"]
mod staff_helpers;

use apidesk::attachments::{FileKind, Limits};
use apidesk::mail::inbound::{Ingest, Ingested};
use apidesk::tickets::{EventKind, InboundOutcome};
use base64::Engine;
use common::TestApp;
use staff_helpers::file_ticket_with;

const REQUESTER: &str = "pat@example.com";
const BEARER: &str =
    "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJwYXQtc3luYyJ9.Qm9zY2hfc2lnbmF0dXJlX3Rlc3Rfb25seV9rZXk";

fn b64(bytes: &[u8]) -> String {
    let text = base64::engine::general_purpose::STANDARD.encode(bytes);
    text.as_bytes()
        .chunks(76)
        .map(|line| String::from_utf8_lossy(line).into_owned())
        .collect::<Vec<_>>()
        .join("\r\n")
}

/// A noisy screenshot-sized PNG (well over the inline-logo threshold).
fn screenshot() -> Vec<u8> {
    let img = image::RgbImage::from_fn(96, 64, |x, y| {
        image::Rgb([
            (x * 7 % 251) as u8,
            (y * 13 % 241) as u8,
            ((x * y) % 239) as u8,
        ])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

/// A program, as Windows builds them: "MZ", then the DOS stub.
fn program() -> Vec<u8> {
    let mut exe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00".to_vec();
    exe.extend_from_slice(&[0u8; 48]);
    exe.extend_from_slice(b"This program cannot be run in DOS mode.\r\r\n$");
    exe.extend(std::iter::repeat_n(0x90u8, 512));
    exe
}

/// Thunderbird's shape for a reply with a pasted screenshot and two
/// attachments: mixed( alternative( plain, related( html, png ) ), log, exe ).
fn reply_with_files(key: &str) -> Vec<u8> {
    let log = format!(
        "2025-03-14T09:12:03Z INFO sync started\n\
         2025-03-14T09:12:04Z DEBUG request headers: Authorization: Bearer {BEARER}\n\
         2025-03-14T09:12:04Z ERROR GET /v2/customers -> 401 Unauthorized\n"
    );
    format!(
        "From: Pat Doe <{REQUESTER}>\r\n\
         To: support@apidesk.example\r\n\
         Subject: Re: [APD-000001] We received your request\r\n\
         Message-ID: <files.1@example.com>\r\n\
         In-Reply-To: <{key}@apidesk.example>\r\n\
         References: <{key}@apidesk.example>\r\n\
         Date: Fri, 14 Mar 2025 10:02:11 +0100\r\n\
         MIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=\"------------mixed\"\r\n\
         \r\n\
         This is a multi-part message in MIME format.\r\n\
         --------------mixed\r\n\
         Content-Type: multipart/alternative; boundary=\"------------alt\"\r\n\
         \r\n\
         --------------alt\r\n\
         Content-Type: text/plain; charset=UTF-8; format=flowed\r\n\
         \r\n\
         Here is the job log and a screenshot of the error. The installer\r\n\
         of our agent is attached too.\r\n\
         \r\n\
         --------------alt\r\n\
         Content-Type: multipart/related; boundary=\"------------rel\"\r\n\
         \r\n\
         --------------rel\r\n\
         Content-Type: text/html; charset=UTF-8\r\n\
         \r\n\
         <html><body><p>Here is the job log and a screenshot of the error.\r\n\
         The installer of our agent is attached too.</p>\r\n\
         <img src=\"cid:part1.shot@example.com\" alt=\"\"></body></html>\r\n\
         --------------rel\r\n\
         Content-Type: image/png; name=\"Screenshot 2025-03-14.png\"\r\n\
         Content-Disposition: inline; filename=\"Screenshot 2025-03-14.png\"\r\n\
         Content-ID: <part1.shot@example.com>\r\n\
         Content-Transfer-Encoding: base64\r\n\
         \r\n\
         {png}\r\n\
         --------------rel--\r\n\
         \r\n\
         --------------alt--\r\n\
         --------------mixed\r\n\
         Content-Type: text/plain; charset=UTF-8; name=\"job-4412.log\"\r\n\
         Content-Disposition: attachment; filename=\"job-4412.log\"\r\n\
         Content-Transfer-Encoding: base64\r\n\
         \r\n\
         {log}\r\n\
         --------------mixed\r\n\
         Content-Type: application/x-msdownload; name=\"agent-setup.exe\"\r\n\
         Content-Disposition: attachment; filename=\"agent-setup.exe\"\r\n\
         Content-Transfer-Encoding: base64\r\n\
         \r\n\
         {exe}\r\n\
         --------------mixed--\r\n",
        png = b64(&screenshot()),
        log = b64(log.as_bytes()),
        exe = b64(&program()),
    )
    .into_bytes()
}

fn ingest(app: &TestApp, limits: Limits) -> Ingest {
    Ingest {
        store: app.state.store.clone(),
        targets: app.state.config.response_targets,
        open_tickets: true,
        sender_limit: None,
        rules: apidesk::attachments::Rules::new(limits, None),
    }
}

async fn ticket_and_key(app: &mut TestApp) -> (i64, String) {
    let ticket = file_ticket_with(app, &[("email", REQUESTER)]).await;
    let key = app.state.store.ticket_mail(ticket.id).await.unwrap()[0]
        .message_key
        .clone();
    (ticket.id, key)
}

fn holds(bytes: &[u8], needle: &str) -> bool {
    bytes.windows(needle.len()).any(|w| w == needle.as_bytes())
}

#[tokio::test]
async fn a_replys_log_and_screenshot_are_kept_with_it_and_the_program_is_listed() {
    let mut app = TestApp::spawn().await;
    let (ticket, key) = ticket_and_key(&mut app).await;
    let taken = ingest(&app, Limits::default())
        .take(reply_with_files(&key))
        .await
        .unwrap();
    assert_eq!(taken, Ingested::Taken(InboundOutcome::Added));

    let timeline = app.state.store.ticket_timeline(ticket).await.unwrap();
    let added = timeline
        .iter()
        .find(|e| matches!(e.kind, EventKind::RequesterReply { .. }))
        .expect("the reply is added");
    assert!(
        added.body.starts_with("Here is the job log"),
        "{}",
        added.body
    );
    assert!(
        added
            .body
            .contains("Not attached: agent-setup.exe: it looks like"),
        "{}",
        added.body
    );

    let files = app.state.store.ticket_files(ticket, false).await.unwrap();
    let kinds: Vec<(&str, FileKind)> = files.iter().map(|f| (f.name.as_str(), f.kind)).collect();
    assert_eq!(
        kinds,
        [
            ("Screenshot 2025-03-14.png", FileKind::Png),
            ("job-4412.log", FileKind::Text)
        ]
    );
    assert!(files.iter().all(|f| f.event_id == Some(added.id)));
    assert!(
        files
            .iter()
            .all(|f| f.via == apidesk::attachments::Via::Mail)
    );
    // The requester's own files: on their page too.
    assert_eq!(
        app.state
            .store
            .ticket_files(ticket, true)
            .await
            .unwrap()
            .len(),
        2
    );

    let log = &files[1];
    assert!(!log.removed.is_empty(), "the bearer token is taken out");
    let (_, bytes) = app
        .state
        .store
        .ticket_file(ticket, log.id, false, false)
        .await
        .unwrap()
        .unwrap();
    let text = String::from_utf8(bytes).unwrap();
    assert!(text.contains("ERROR GET /v2/customers -> 401"), "{text}");
    assert!(!text.contains(BEARER), "{text}");
    assert!(
        !holds(&app.database_bytes(), BEARER),
        "the token reached the database files"
    );
}

#[tokio::test]
async fn a_mail_past_the_tickets_limits_is_attached_in_order_and_the_rest_listed() {
    let mut app = TestApp::spawn().await;
    let (ticket, key) = ticket_and_key(&mut app).await;
    let limits = Limits {
        max_ticket_files: 1,
        ..Limits::default()
    };
    let taken = ingest(&app, limits)
        .take(reply_with_files(&key))
        .await
        .unwrap();
    assert_eq!(taken, Ingested::Taken(InboundOutcome::Added));
    let files = app.state.store.ticket_files(ticket, false).await.unwrap();
    assert_eq!(files.len(), 1);
    assert_eq!(files[0].kind, FileKind::Png);
    let timeline = app.state.store.ticket_timeline(ticket).await.unwrap();
    let body = &timeline
        .iter()
        .find(|e| matches!(e.kind, EventKind::RequesterReply { .. }))
        .unwrap()
        .body;
    assert!(
        body.contains("Not attached: job-4412.log: a ticket holds at most 1 files."),
        "{body}"
    );
    assert!(body.contains("Not attached: agent-setup.exe:"), "{body}");
}

#[tokio::test]
async fn a_mail_that_opens_a_ticket_brings_its_files_with_the_created_event() {
    let app = TestApp::spawn().await;
    // Answers nothing apidesk sent: a new request.
    let raw = String::from_utf8(reply_with_files("apidesk.unknown"))
        .unwrap()
        .replace(
            "Subject: Re: [APD-000001] We received your request",
            "Subject: Sync fails with 401",
        );
    let taken = ingest(&app, Limits::default())
        .take(raw.into_bytes())
        .await
        .unwrap();
    assert_eq!(taken, Ingested::Taken(InboundOutcome::Opened));
    let timeline = app.state.store.ticket_timeline(1).await.unwrap();
    let created = timeline
        .iter()
        .find(|e| matches!(e.kind, EventKind::Created { .. }))
        .unwrap();
    let files = app.state.store.ticket_files(1, false).await.unwrap();
    assert_eq!(files.len(), 2);
    assert!(files.iter().all(|f| f.event_id == Some(created.id)));
    let ticket = app.state.store.ticket_by_id(1).await.unwrap().unwrap();
    assert!(
        ticket
            .details
            .message
            .contains("Not attached: agent-setup.exe: it looks like"),
        "{}",
        ticket.details.message
    );
}
