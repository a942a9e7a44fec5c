//! The outbox delivered to a real SMTP server over TCP: a ticket filed
//! through the form is confirmed by mail, a staff reply follows in the same
//! thread, and mail waits out an SMTP server that is down, across a restart.

mod common;
#[path = "common/server.rs"]
mod server;
#[path = "common/smtp.rs"]
mod smtp;

use std::sync::Arc;

use apidesk::config::MailSettings;
use apidesk::kb::{KnowledgeBase, SharedKb};
use apidesk::mail::Mailer;
use apidesk::mail::delivery::Deliverer;
use apidesk::mail::inbound::{Ingest, Ingested};
use apidesk::staff::Role;
use apidesk::store::Store;
use apidesk::tickets::workflow::{Actor, AfterReply, Command, Request};
use apidesk::tickets::{
    EventBody, EventKind, InboundOutcome, MailState, OutgoingMail, ResponseTargets, TicketInput,
    TicketStatus,
};
use mail_parser::{HeaderValue, Message, MessageParser};
use server::Server;
use smtp::SmtpServer;
use time::OffsetDateTime;

const FROM: &str = "apidesk support <support@example.com>";
const PUBLIC_URL: &str = "https://help.example.com";

fn parse(data: &[u8]) -> Message<'_> {
    MessageParser::default()
        .parse(data)
        .expect("a parsable message")
}

fn header<'a>(message: &'a Message<'_>, name: &'a str) -> Option<&'a str> {
    message.header(name).and_then(|value| value.as_text())
}

#[tokio::test]
async fn a_filed_ticket_is_confirmed_and_a_reply_follows_in_one_thread() {
    let smtp = SmtpServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let mut config = common::test_config(&dir);
    config.public_url = Some(PUBLIC_URL.into());
    config.mail.smtp_url = Some(smtp.url(None));
    config.mail.mail_from = Some(FROM.into());
    config.mail.mail_replies = Some(true);
    let app = Server::start_with(config).await;

    let browser = app.browser();
    let fields = common::valid_ticket();
    let filed = browser
        .post("/tickets/new", "/tickets", &common::as_pairs(&fields))
        .await;
    assert_eq!(filed.status, 303);
    let token = filed.location.clone().unwrap();
    let token = token
        .trim_start_matches("/tickets/")
        .split('?')
        .next()
        .unwrap()
        .to_string();

    let first = smtp.wait_for_messages(1).await.remove(0);
    assert_eq!(first.mail_from, "support@example.com");
    assert_eq!(first.rcpt_to, ["dana@example.com"]);
    let confirmation = parse(&first.data);
    assert_eq!(
        confirmation.subject(),
        Some("[APD-000001] 401 Unauthorized on GET")
    );
    assert_eq!(
        header(&confirmation, "Auto-Submitted"),
        Some("auto-generated")
    );
    let first_id = confirmation.message_id().expect("a Message-ID").to_string();
    assert!(first_id.ends_with("@example.com"), "{first_id}");
    let link = format!("{PUBLIC_URL}/tickets/{token}");
    let text = confirmation.body_text(0).unwrap();
    assert!(text.contains(&link), "{text}");
    assert!(
        !text.contains("Rotated the API user"),
        "nothing typed is quoted"
    );
    assert!(
        confirmation
            .body_html(0)
            .unwrap()
            .contains(&format!("href=\"{link}\""))
    );

    // The outbox records it as sent once the server has taken it.
    let mail = sent_mail(&app.store).await;
    assert_eq!(first_id, format!("{}@example.com", mail[0].message_key));

    // A public reply from staff: the same thread, the reply's words.
    app.add_staff("sam@example.com", "Sam Support", Role::Agent)
        .await;
    let reply = Request {
        ticket: 1,
        actor: Actor::Staff {
            id: 1,
            role: Role::Agent,
        },
        command: Command::Reply {
            body: EventBody::parse("Please send the key's last 4 characters.").unwrap(),
            then: AfterReply::WaitOnRequester,
        },
        at: OffsetDateTime::now_utc(),
    };
    let outcome = app
        .store
        .apply(&reply, &ResponseTargets::default())
        .await
        .unwrap();
    assert!(outcome.changed());
    let second = smtp.wait_for_messages(2).await.remove(1);
    let answer = parse(&second.data);
    assert_eq!(
        answer.subject(),
        Some("Re: [APD-000001] 401 Unauthorized on GET")
    );
    assert_eq!(answer.in_reply_to().as_text(), Some(first_id.as_str()));
    match answer.references() {
        HeaderValue::Text(id) => assert_eq!(id, &first_id),
        HeaderValue::TextList(ids) => assert_eq!(ids, std::slice::from_ref(&first_id)),
        other => panic!("References: {other:?}"),
    }
    let text = answer.body_text(0).unwrap();
    assert!(
        text.contains("> Please send the key's last 4 characters."),
        "{text}"
    );
    assert!(text.contains("Support needs something from you"), "{text}");
    assert!(text.contains(&link));
    assert!(
        text.starts_with("## Write your reply above this line"),
        "{text}"
    );

    // The requester answers from their mail client, quoting it all: the
    // answer joins the ticket without the quote, and the ticket, waiting on
    // them, is back with support.
    let reply_id = answer.message_id().unwrap().to_string();
    let quoted: String = text.lines().map(|line| format!("> {line}\r\n")).collect();
    let from_requester = format!(
        "From: Dana <dana@example.com>\r\nTo: {FROM}\r\nSubject: Re: {}\r\n\
         Message-ID: <answer.1@mail.example.com>\r\nIn-Reply-To: <{reply_id}>\r\n\
         References: <{first_id}> <{reply_id}>\r\n\r\n\
         The last 4 characters are 9f3a.\r\n\r\nOn Tue, Sam Support wrote:\r\n{quoted}",
        answer.subject().unwrap()
    );
    let ingest = Ingest {
        store: app.store.clone(),
        targets: ResponseTargets::default(),
        open_tickets: false,
        sender_limit: None,
        rules: Default::default(),
    };
    let taken = ingest.take(from_requester.into_bytes()).await.unwrap();
    assert_eq!(taken, Ingested::Taken(InboundOutcome::Added));
    let ticket = app.store.ticket_by_id(1).await.unwrap().unwrap();
    assert_eq!(ticket.status, TicketStatus::Open);
    let timeline = app.store.public_timeline(1).await.unwrap();
    let added = timeline.last().unwrap();
    assert_eq!(
        timeline[timeline.len() - 2].body,
        "The last 4 characters are 9f3a."
    );
    assert!(
        matches!(added.kind, EventKind::Status { .. }),
        "reopened by apidesk"
    );
    app.shut_down().await;
}

/// Ticket 1's mail, once its first mail is recorded as sent (within 10 s).
async fn sent_mail(store: &Store) -> Vec<apidesk::tickets::MailRecord> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let mail = store.ticket_mail(1).await.unwrap();
        if mail[0].state == MailState::Sent {
            return mail;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "not recorded as sent: {mail:?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

/// A ticket filed straight into the store, as the form would.
async fn file(store: &Store) {
    let now = OffsetDateTime::now_utc();
    let ticket = TicketInput {
        error_code: "503".into(),
        message: "HTTP POST failed: service unavailable (503)".into(),
        endpoint: "/openapi/views/3/records".into(),
        method: "POST".into(),
        occurred_at: "2026-01-15T09:30:00Z".into(),
        tool: "script".into(),
        environment: "sandbox".into(),
        email: "lin@example.com".into(),
        ..Default::default()
    }
    .validate(now)
    .unwrap();
    let triage = ticket.triage(now, &ResponseTargets::default());
    store.insert_ticket(&ticket, &triage, now).await.unwrap();
}

async fn deliverer(database_url: &str, smtp: &SmtpServer) -> Deliverer {
    let mail = MailSettings {
        smtp_url: Some(smtp.url(None)),
        mail_from: Some(FROM.into()),
        ..MailSettings::default()
    }
    .check(Some(PUBLIC_URL))
    .unwrap()
    .unwrap();
    Deliverer {
        store: Store::connect_with(database_url, OutgoingMail::On)
            .await
            .unwrap(),
        kb: SharedKb::new(KnowledgeBase::load_embedded().unwrap()),
        transport: Arc::new(Mailer::new(&mail).unwrap()),
        public_url: PUBLIC_URL.into(),
        domain: "example.com".into(),
        replies: true,
    }
}

#[tokio::test]
async fn mail_waits_out_a_server_that_is_down_or_busy_across_a_restart() {
    let mut smtp = SmtpServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/mail.db", dir.path().display());
    // The server is down: the attempt fails for now, and the mail waits.
    smtp.stop().await;
    let first_run = deliverer(&url, &smtp).await;
    file(&first_run.store).await;
    // Taken after filing: the mail is due from the moment it was written.
    let now = OffsetDateTime::now_utc();
    assert_eq!(first_run.deliver_due(now).await.unwrap(), 1);
    let mail = first_run.store.ticket_mail(1).await.unwrap().remove(0);
    assert_eq!((mail.state, mail.attempts), (MailState::Pending, 1));
    assert!(!mail.reason.is_empty());
    first_run.store.close().await;

    // apidesk restarts while the server is back but busy (451), then free.
    smtp.restart().await;
    smtp.fail_next(1, "451 4.3.0 try again later");
    let second_run = deliverer(&url, &smtp).await;
    let later = now + time::Duration::hours(1);
    assert_eq!(second_run.deliver_due(later).await.unwrap(), 1);
    let mail = second_run.store.ticket_mail(1).await.unwrap().remove(0);
    assert_eq!((mail.state, mail.attempts), (MailState::Pending, 2));
    assert!(mail.reason.contains("451"), "{}", mail.reason);

    let much_later = now + time::Duration::hours(3);
    assert_eq!(second_run.deliver_due(much_later).await.unwrap(), 1);
    let mail = second_run.store.ticket_mail(1).await.unwrap().remove(0);
    assert_eq!((mail.state, mail.attempts), (MailState::Sent, 3));
    let received = smtp.wait_for_messages(1).await;
    assert_eq!(received.len(), 1, "sent once, not lost and not twice");
    assert_eq!(received[0].rcpt_to, ["lin@example.com"]);
}
