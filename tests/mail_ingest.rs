//! Incoming mail, message by message: real-shaped `.eml` files from the
//! clients and servers requesters use (tests/fixtures/mail/), each taken in
//! and checked for what it did to the ticket. `{{KEY}}` in a fixture stands
//! for the key of the confirmation apidesk sent for the ticket.

mod common;
#[path = "common/staff.rs"]
mod staff_helpers;

use std::io::Write;
use std::process::{Command as Process, Stdio};

use apidesk::mail::inbound::{Ingest, Ingested};
use apidesk::tickets::workflow::{Actor, Command, Request};
use apidesk::tickets::{EventKind, InboundOutcome, TicketStatus};
use common::TestApp;
use staff_helpers::{file_ticket_with, reload, signed_in_agent, staff_url};
use time::OffsetDateTime;

const REQUESTER: &str = "pat@example.com";

struct Case {
    app: TestApp,
    ticket: i64,
    key: String,
}

/// A ticket filed by Pat, then put in `status`, as a reply would find it.
async fn ticket_in(status: TicketStatus) -> Case {
    let mut app = TestApp::spawn().await;
    let ticket = file_ticket_with(&mut app, &[("email", REQUESTER)]).await;
    if status != TicketStatus::New {
        let request = Request {
            ticket: ticket.id,
            actor: Actor::System,
            command: Command::SetStatus { to: status },
            at: OffsetDateTime::now_utc(),
        };
        let targets = &app.state.config.response_targets;
        let outcome = app.state.store.apply(&request, targets).await.unwrap();
        assert!(outcome.changed());
    }
    let key = app.state.store.ticket_mail(ticket.id).await.unwrap()[0]
        .message_key
        .clone();
    Case {
        app,
        ticket: ticket.id,
        key,
    }
}

fn fixture(name: &str, key: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/mail/{name}", env!("CARGO_MANIFEST_DIR"));
    let raw = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    replace(&raw, b"{{KEY}}", key.as_bytes())
}

fn replace(raw: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(at) = rest.windows(from.len()).position(|w| w == from) {
        out.extend_from_slice(&rest[..at]);
        out.extend_from_slice(to);
        rest = &rest[at + from.len()..];
    }
    out.extend_from_slice(rest);
    out
}

impl Case {
    async fn take(&self, name: &str) -> Ingested {
        let ingest = Ingest {
            store: self.app.state.store.clone(),
            targets: self.app.state.config.response_targets,
            open_tickets: false,
            sender_limit: None,
            rules: Default::default(),
        };
        ingest.take(fixture(name, &self.key)).await.unwrap()
    }

    async fn inbound(&self) -> Vec<apidesk::tickets::InboundRecord> {
        let store = &self.app.state.store;
        store.ticket_inbound(self.ticket).await.unwrap()
    }

    async fn mailed(&self) -> Vec<apidesk::tickets::MailRecord> {
        self.app.state.store.ticket_mail(self.ticket).await.unwrap()
    }

    async fn status(&self) -> TicketStatus {
        reload(&self.app, self.ticket).await.status
    }

    /// The words of each addition and mail note on the ticket.
    async fn entries(&self) -> Vec<(String, String)> {
        let timeline = self
            .app
            .state
            .store
            .ticket_timeline(self.ticket)
            .await
            .unwrap();
        timeline
            .into_iter()
            .filter_map(|e| match e.kind {
                EventKind::RequesterReply { .. } => Some(("requester".into(), e.body)),
                EventKind::MailNote { .. } => Some(("note".into(), e.body)),
                _ => None,
            })
            .collect()
    }

    async fn only_entry(&self, who: &str) -> String {
        let entries = self.entries().await;
        assert_eq!(entries.len(), 1, "{entries:?}");
        assert_eq!(entries[0].0, who, "{entries:?}");
        entries[0].1.clone()
    }
}

#[tokio::test]
async fn a_plain_reply_is_added_without_the_quoted_mail_and_reopens_the_ticket() {
    let case = ticket_in(TicketStatus::Waiting).await;
    let taken = case.take("plain-reply.eml").await;
    assert_eq!(taken, Ingested::Taken(InboundOutcome::Added));
    assert_eq!(case.status().await, TicketStatus::Open);
    assert_eq!(
        case.only_entry("requester").await,
        "I rotated the key at 09:40 and the recipe still fails with 401.\n\
         The connection test in Workato passes, only the job fails."
    );
    // Handed over again (an MTA retrying): taken once.
    assert_eq!(case.take("plain-reply.eml").await, Ingested::AlreadyTaken);
    assert_eq!(case.entries().await.len(), 1);
}

#[tokio::test]
async fn an_html_only_reply_becomes_text() {
    let case = ticket_in(TicketStatus::Resolved).await;
    assert_eq!(
        case.take("html-only-reply.eml").await,
        Ingested::Taken(InboundOutcome::Added)
    );
    assert_eq!(case.status().await, TicketStatus::Open);
    let words = case.only_entry("requester").await;
    assert!(
        words.contains("The endpoint is /openapi/apps/42/tables & the method is GET."),
        "{words}"
    );
    assert!(words.contains("moved the recipe to production"), "{words}");
    assert!(!words.contains('<') && !words.contains("wrote:"), "{words}");
}

#[tokio::test]
async fn outlooks_windows_1252_quoted_printable_reply_is_decoded_and_trimmed() {
    let case = ticket_in(TicketStatus::Waiting).await;
    case.take("outlook-reply-windows-1252-qp.eml").await;
    assert_eq!(
        case.only_entry("requester").await,
        "The error still says “unauthorized” – café team changed the user’s role on Monday.\n\n\
         Regards,\nRené"
    );
}

#[tokio::test]
async fn a_base64_utf8_reply_and_an_iso_2022_jp_reply_are_decoded() {
    let case = ticket_in(TicketStatus::Waiting).await;
    case.take("apple-reply-base64.eml").await;
    assert_eq!(
        case.only_entry("requester").await,
        "Grüße aus München — here is the timestamp: 2026-11-03 09:30 CET.\n\
         Record ID 1234 works, internal ID 9f1c does not."
    );
    let case = ticket_in(TicketStatus::Waiting).await;
    case.take("reply-iso-2022-jp.eml").await;
    assert_eq!(
        case.only_entry("requester").await,
        "まだ401エラーが出ます。"
    );
}

#[tokio::test]
async fn automatic_and_list_mail_changes_nothing() {
    for name in [
        "out-of-office.eml",
        "vacation-x-autoreply.eml",
        "mailing-list.eml",
    ] {
        let case = ticket_in(TicketStatus::Waiting).await;
        let mailed_before = case.mailed().await.len();
        assert_eq!(
            case.take(name).await,
            Ingested::Taken(InboundOutcome::Ignored),
            "{name}"
        );
        assert_eq!(case.status().await, TicketStatus::Waiting, "{name}");
        assert!(case.entries().await.is_empty(), "{name}");
        let mail = case.mailed().await;
        assert_eq!(mail.len(), mailed_before, "{name}: no mail answers it");
        let inbound = case.inbound().await;
        assert_eq!(inbound.len(), 1, "{name}: recorded on the ticket");
    }
}

#[tokio::test]
async fn a_bounce_marks_the_requesters_address_and_changes_nothing_else() {
    let case = ticket_in(TicketStatus::Waiting).await;
    assert_eq!(
        case.take("dsn-bounce.eml").await,
        Ingested::Taken(InboundOutcome::Bounce)
    );
    assert_eq!(case.status().await, TicketStatus::Waiting);
    assert!(case.entries().await.is_empty());
    let bounced = case
        .app
        .state
        .store
        .bounced_address(REQUESTER)
        .await
        .unwrap()
        .expect("the address is marked");
    assert_eq!(bounced.status, "5.1.1");
    assert!(
        bounced.detail.contains("User unknown"),
        "{}",
        bounced.detail
    );
    let inbound = case.inbound().await;
    assert_eq!(
        inbound[0].outcome,
        InboundOutcome::Bounce,
        "found by the copy it carries"
    );
}

#[tokio::test]
async fn a_strangers_answer_is_an_unverified_note_for_staff() {
    let case = ticket_in(TicketStatus::Waiting).await;
    assert_eq!(
        case.take("stranger.eml").await,
        Ingested::Taken(InboundOutcome::Noted)
    );
    assert_eq!(case.status().await, TicketStatus::Waiting);
    assert_eq!(
        case.only_entry("note").await,
        "I am Pat's colleague: the key was revoked by our admin on Monday."
    );
    let public = case
        .app
        .state
        .store
        .public_timeline(case.ticket)
        .await
        .unwrap();
    assert!(public.iter().all(|e| !e.body.contains("colleague")));
}

#[tokio::test]
async fn a_ticket_named_only_in_the_subject_is_not_matched() {
    let case = ticket_in(TicketStatus::Waiting).await;
    assert_eq!(
        case.take("subject-only.eml").await,
        Ingested::Taken(InboundOutcome::Unmatched)
    );
    assert!(case.entries().await.is_empty());
}

#[tokio::test]
async fn a_reply_to_a_closed_ticket_is_kept_for_staff_and_does_not_reopen_it() {
    let case = ticket_in(TicketStatus::Closed).await;
    assert_eq!(
        case.take("plain-reply.eml").await,
        Ingested::Taken(InboundOutcome::Noted)
    );
    assert_eq!(case.status().await, TicketStatus::Closed);
    assert_eq!(case.entries().await[0].0, "note");
}

#[tokio::test]
async fn apidesk_mail_ingest_reads_standard_input() {
    let case = ticket_in(TicketStatus::Waiting).await;
    let database = case.app.state.config.database_url.clone();
    let run_on = |database: &str, raw: Vec<u8>| {
        let mut child = Process::new(env!("CARGO_BIN_EXE_apidesk"))
            .args(["mail", "ingest"])
            .env("APIDESK_DATABASE_URL", database)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(&raw).unwrap();
        child.wait_with_output().unwrap()
    };
    let run = |raw: Vec<u8>| run_on(&database, raw);
    let out = run(fixture("plain-reply.eml", &case.key));
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{said}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(said.contains("added to the ticket"), "{said}");
    assert_eq!(case.status().await, TicketStatus::Open);

    let again = run(fixture("plain-reply.eml", &case.key));
    assert!(again.status.success());
    assert!(String::from_utf8_lossy(&again.stdout).contains("taken before"));

    // Not mail at all: a data error (EX_DATAERR), so the MTA tells the sender.
    let junk = run(b"\x00\x01 not a message".to_vec());
    assert_eq!(junk.status.code(), Some(65), "{junk:?}");

    // No database to store it in: temporary (EX_TEMPFAIL), the MTA keeps it.
    let out = run_on(
        "sqlite:///proc/apidesk-nowhere/apidesk.db",
        fixture("plain-reply.eml", &case.key),
    );
    assert_eq!(out.status.code(), Some(75), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("try again later"));
}

#[tokio::test]
async fn staff_see_each_received_mail_and_a_bouncing_address_on_the_ticket() {
    let mut case = ticket_in(TicketStatus::Waiting).await;
    for name in ["stranger.eml", "out-of-office.eml", "dsn-bounce.eml"] {
        case.take(name).await;
    }
    signed_in_agent(&mut case.app, "ana@example.com", "Ana Agent").await;
    let ticket = reload(&case.app, case.ticket).await;
    let page = case.app.get(&staff_url(&ticket)).await;
    page.assert_contains("Mail received")
        .assert_contains("sam@example.org")
        .assert_contains("kept as a note for staff")
        .assert_contains("automatic mail (Auto-Submitted: auto-replied)")
        .assert_contains("delivery failure report")
        .assert_contains("comes back undeliverable")
        .assert_contains("5.1.1")
        .assert_contains("who is not the requester (unverified)")
        .assert_contains("revoked by our admin");
}

#[tokio::test]
async fn pages_invite_a_reply_by_mail_only_where_replies_reach_apidesk() {
    // The requester's page after filing, and the staff page's reply hint.
    let filed_page = |mut app: TestApp| async move {
        let ticket = file_ticket_with(&mut app, &[("email", REQUESTER)]).await;
        let page = app.get(&format!("/tickets/{}?filed=1", ticket.token)).await;
        signed_in_agent(&mut app, "ana@example.com", "Ana Agent").await;
        let staff = app.get(&staff_url(&ticket)).await;
        let hint = staff.body.contains("(status page and email);");
        (page.body, hint)
    };
    let with_replies = TestApp::spawn_configured(|config| {
        config.public_url = Some("https://help.example.com".into());
        config.mail.smtp_url = Some("smtp://127.0.0.1:1".into());
        config.mail.mail_from = Some("support@example.com".into());
        config.mail.mail_replies = Some(true);
    })
    .await;
    let (page, mailed) = filed_page(with_replies).await;
    assert!(
        page.contains("by replying to our emails about this ticket"),
        "{page}"
    );
    assert!(mailed, "staff are told their reply is mailed");
    assert!(page.contains("You can also reply to any email from us."));

    for (plain, mails) in [
        (TestApp::spawn().await, false),
        // Mail is sent, but nothing reads the answers.
        (
            TestApp::spawn_configured(|config| {
                config.public_url = Some("https://help.example.com".into());
                config.mail.smtp_url = Some("smtp://127.0.0.1:1".into());
                config.mail.mail_from = Some("support@example.com".into());
            })
            .await,
            true,
        ),
    ] {
        let (page, mailed) = filed_page(plain).await;
        assert!(!page.contains("by replying") && !page.contains("reply to any email"));
        assert_eq!(mailed, mails);
    }
}

#[tokio::test]
async fn staff_see_all_received_mail_even_what_matched_no_ticket() {
    let mut case = ticket_in(TicketStatus::Waiting).await;
    let signed_out = case.app.get("/staff/mail").await;
    assert_eq!(signed_out.status, axum::http::StatusCode::SEE_OTHER);
    for name in ["plain-reply.eml", "subject-only.eml", "out-of-office.eml"] {
        case.take(name).await;
    }
    signed_in_agent(&mut case.app, "ana@example.com", "Ana Agent").await;
    let page = case.app.get("/staff/mail").await;
    assert_eq!(page.status, axum::http::StatusCode::OK);
    page.assert_contains("Received mail")
        .assert_contains("matched no ticket")
        .assert_contains("it answers no mail apidesk sent")
        .assert_contains("added to the ticket")
        .assert_contains("Auto-Submitted: auto-replied")
        .assert_contains(&format!("/staff/tickets/{}#mail", case.ticket))
        .assert_contains("Replies by mail are not set up");
    // Newest first.
    let ooo = page.body.find("auto-replied").unwrap();
    let first = page.body.find("added to the ticket").unwrap();
    assert!(ooo < first);
}

/// Takes `raw` with new tickets by mail switched on.
async fn take_opening(app: &TestApp, raw: Vec<u8>) -> Ingested {
    let ingest = Ingest {
        store: app.state.store.clone(),
        targets: app.state.config.response_targets,
        open_tickets: true,
        sender_limit: None,
        rules: Default::default(),
    };
    ingest.take(raw).await.unwrap()
}

/// The new request, sent again under another Message-ID.
fn new_request(n: usize) -> Vec<u8> {
    let raw = fixture("new-request.eml", "");
    replace(
        &raw,
        b"new-request.1@",
        format!("new-request.{n}@").as_bytes(),
    )
}

#[tokio::test]
async fn mail_answering_nothing_opens_a_ticket_only_when_switched_on() {
    let mut app = TestApp::spawn().await;
    let off = Ingest {
        store: app.state.store.clone(),
        targets: app.state.config.response_targets,
        open_tickets: false,
        sender_limit: None,
        rules: Default::default(),
    };
    let taken = off.take(new_request(1)).await.unwrap();
    assert_eq!(taken, Ingested::Taken(InboundOutcome::Unmatched));
    assert_eq!(app.count_tickets().await, 0);

    let taken = take_opening(&app, new_request(2)).await;
    assert_eq!(taken, Ingested::Taken(InboundOutcome::Opened));
    assert_eq!(app.count_tickets().await, 1);
    let ticket = reload(&app, 1).await;
    let d = &ticket.details;
    // What the mail said is kept; what it did not say is asked for.
    assert_eq!(d.email, "robin@example.net");
    assert_eq!(d.name, "Robin Vale");
    assert_eq!(
        d.error_code,
        apidesk::domain::ErrorCode::UnprocessableEntity
    );
    assert_eq!(d.method, Some(apidesk::domain::HttpMethod::Post));
    assert_eq!(
        d.endpoint,
        "https://api.example.com/openapi/views/12/records"
    );
    assert!(d.message.starts_with("Records sync stopped\n\nHello,"));
    assert!(
        d.message.contains("token is [redacted token] if"),
        "{}",
        d.message
    );
    assert_eq!((d.occurred_at, d.tool.clone()), (None, None));
    assert_eq!(d.wanted.to_text(), "occurred_at,tool");
    assert_eq!(ticket.similar_key, "", "grouped only once complete");
    let timeline = app.state.store.ticket_timeline(1).await.unwrap();
    assert_eq!(
        timeline[0].kind,
        EventKind::Created {
            via: Some(apidesk::tickets::Channel::Email)
        }
    );
    // Its confirmation goes to the sender, asking for the rest.
    let mailed = app.state.store.ticket_mail(1).await.unwrap();
    assert_eq!(mailed.len(), 1);
    assert_eq!(mailed[0].recipient, "robin@example.net");
    assert_eq!(mailed[0].kind, apidesk::tickets::MailKind::Filed);

    // The same message again opens nothing more.
    let again = take_opening(&app, new_request(2)).await;
    assert_eq!(again, Ingested::AlreadyTaken);
    assert_eq!(app.count_tickets().await, 1);

    // Staff see it listed as the mail that opened the ticket.
    signed_in_agent(&mut app, "ana@example.com", "Ana Agent").await;
    let page = app.get("/staff/mail").await;
    page.assert_contains("opened a new ticket")
        .assert_contains("/staff/tickets/1#mail");
    let page = app.get("/staff/tickets/1").await;
    page.assert_contains("opened the ticket by email")
        .assert_contains("Not given yet");
}

#[tokio::test]
async fn automatic_mail_and_unanswerable_senders_open_nothing() {
    let app = TestApp::spawn().await;
    let unknown_key = "0123456789abcdef0123456789abcdef";
    for name in [
        "out-of-office.eml",
        "vacation-x-autoreply.eml",
        "mailing-list.eml",
    ] {
        let raw = fixture(name, &format!("apidesk.{unknown_key}"));
        let taken = take_opening(&app, raw).await;
        assert_eq!(taken, Ingested::Taken(InboundOutcome::Ignored), "{name}");
    }
    let raw = replace(&new_request(1), b"robin@example.net", b"robin@localhost");
    let taken = take_opening(&app, raw).await;
    assert_eq!(taken, Ingested::Taken(InboundOutcome::Unmatched));
    assert_eq!(app.count_tickets().await, 0);
    let recent = app.state.store.recent_inbound(10).await.unwrap();
    assert!(
        recent[0].reason.contains("cannot be answered"),
        "{recent:?}"
    );
}

#[tokio::test]
async fn one_sender_opens_at_most_three_tickets_an_hour() {
    let app = TestApp::spawn().await;
    let mut outcomes = Vec::new();
    for n in 1..=5 {
        outcomes.push(take_opening(&app, new_request(n)).await);
    }
    let opened = Ingested::Taken(InboundOutcome::Opened);
    let held = Ingested::Taken(InboundOutcome::Held);
    assert_eq!(
        outcomes,
        [opened.clone(), opened.clone(), opened, held.clone(), held]
    );
    assert_eq!(app.count_tickets().await, 3);
    // Another sender is not held back by Robin's mail.
    let other = replace(&new_request(9), b"robin@example.net", b"kim@example.org");
    assert_eq!(
        take_opening(&app, other).await,
        Ingested::Taken(InboundOutcome::Opened)
    );
}

#[tokio::test]
async fn the_requester_completes_a_ticket_opened_by_mail_on_its_page() {
    let mut app = TestApp::spawn().await;
    take_opening(&app, new_request(1)).await;
    let ticket = reload(&app, 1).await;
    let url = format!("/tickets/{}", ticket.token);
    let page = app.get(&url).await;
    page.assert_contains("Support needs a few more details")
        .assert_contains("when it failed and the tool that made the call")
        .assert_contains(&format!("action=\"{url}/details\""))
        .assert_contains("value=\"https://api.example.com/openapi/views/12/records\"");
    assert!(common::is_checked(&page.body, "method", "POST"));
    assert_eq!(
        common::selected(&page.body, "error_code").as_deref(),
        Some("422")
    );

    // A mistake comes back with every value as typed and the message beside it.
    let typed = [
        ("error_code", "422"),
        ("endpoint", "/openapi/tables/77/rows"),
        ("method", "POST"),
        ("occurred_at", "2026-11-03T23:55"),
        ("time_zone", "Europe/Berlin"),
        ("tool", ""),
    ];
    let wrong = app.post_form(&format!("{url}/details"), &typed).await;
    assert_eq!(wrong.status, axum::http::StatusCode::UNPROCESSABLE_ENTITY);
    wrong
        .assert_contains("Choose the tool or platform that made the call.")
        .assert_contains("value=\"/openapi/tables/77/rows\"")
        .assert_contains("value=\"2026-11-03T23:55\"");
    assert_eq!(
        common::selected(&wrong.body, "time_zone").as_deref(),
        Some("Europe/Berlin")
    );
    assert_eq!(
        reload(&app, 1).await.details.wanted.to_text(),
        "occurred_at,tool"
    );

    let mut given = typed.to_vec();
    given[5] = ("tool", "make");
    let done = app.post_form(&format!("{url}/details"), &given).await;
    assert_eq!(done.status, axum::http::StatusCode::SEE_OTHER);
    assert_eq!(done.location(), format!("{url}?completed=1"));
    let ticket = reload(&app, 1).await;
    let d = &ticket.details;
    assert!(d.wanted.is_empty());
    assert_eq!(d.tool, Some(apidesk::tickets::Tool::Make));
    assert_eq!(d.endpoint, "/openapi/tables/77/rows");
    assert_eq!(
        d.occurred_at.map(|at| at.to_string()),
        Some("2026-11-03 22:55:00.0 +00:00:00".to_string())
    );
    assert_ne!(ticket.similar_key, "", "grouped once complete");
    let page = app.get(&format!("{url}?completed=1")).await;
    page.assert_contains("every detail of the failure")
        .assert_contains("You gave the missing details.")
        .assert_lacks("Support needs a few more details");
    // A second submit changes nothing and writes no second event.
    let again = app.post_form(&format!("{url}/details"), &given).await;
    assert_eq!(again.status, axum::http::StatusCode::SEE_OTHER);
    let kinds = staff_helpers::event_kinds(&app, 1).await;
    assert_eq!(kinds, ["created", "details_given"]);
    // The completed endpoint is found by search.
    signed_in_agent(&mut app, "ana@example.com", "Ana Agent").await;
    let found = app.get("/staff/queue?q=tables").await;
    found.assert_contains("APD-000001");
}

/// A sender past the `mail` rate limit (an auto-responder in a loop, a
/// flood): each further message is recorded as held back with the reason,
/// opens or answers nothing, and is answered by nothing, so no loop can
/// form. The count is kept in the database, shared by every process.
#[tokio::test]
async fn mail_past_the_senders_limit_is_recorded_as_refused_and_nothing_more() {
    let app = TestApp::spawn().await;
    let ingest = Ingest {
        store: app.state.store.clone(),
        targets: app.state.config.response_targets,
        open_tickets: true,
        sender_limit: Some("2/h".parse().unwrap()),
        rules: Default::default(),
    };
    for n in 1..=2 {
        let taken = ingest.take(new_request(n)).await.unwrap();
        assert_eq!(taken, Ingested::Taken(InboundOutcome::Opened), "{n}");
    }
    let store = &app.state.store;
    let later = OffsetDateTime::now_utc() + time::Duration::days(1);
    let mail_before = store.due_mail(later, 100).await.unwrap().len();

    // The third would open a ticket (three an hour may), but its sender is
    // over the limit.
    let taken = ingest.take(new_request(3)).await.unwrap();
    assert_eq!(taken, Ingested::Refused);
    assert!(
        taken.describe().starts_with("refused"),
        "{}",
        taken.describe()
    );
    assert_eq!(app.count_tickets().await, 2);
    assert_eq!(store.due_mail(later, 100).await.unwrap().len(), mail_before);
    let newest = &store.recent_inbound(1).await.unwrap()[0];
    assert_eq!(newest.outcome, InboundOutcome::Held);
    assert_eq!(newest.ticket_id, None);
    assert!(newest.reason.contains("refused"), "{}", newest.reason);
    assert!(newest.reason.contains("2/h"), "{}", newest.reason);
    // The same message again is still taken only once.
    assert_eq!(
        ingest.take(new_request(3)).await.unwrap(),
        Ingested::AlreadyTaken
    );

    // With limits off, nothing is refused.
    let unlimited = Ingest {
        sender_limit: None,
        ..ingest
    };
    let taken = unlimited.take(new_request(4)).await.unwrap();
    assert_eq!(taken, Ingested::Taken(InboundOutcome::Opened));
}

/// `apidesk mail ingest` counts the sender's mail across processes (one
/// per message, as an MTA runs it) and says a refusal in its exit status
/// (EX_NOPERM, 77).
#[tokio::test]
async fn apidesk_mail_ingest_exits_77_for_a_sender_past_the_limit() {
    let app = TestApp::spawn().await;
    let run = |raw: Vec<u8>| {
        let mut child = Process::new(env!("CARGO_BIN_EXE_apidesk"))
            .args(["mail", "ingest"])
            .env("APIDESK_DATABASE_URL", &app.state.config.database_url)
            .env("APIDESK_RATE_LIMITS", "mail=1/h")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(&raw).unwrap();
        child.wait_with_output().unwrap()
    };
    let first = run(new_request(1));
    assert!(first.status.success(), "{first:?}");
    let second = run(new_request(2));
    assert_eq!(second.status.code(), Some(77), "{second:?}");
    assert!(String::from_utf8_lossy(&second.stdout).starts_with("refused"));
}
