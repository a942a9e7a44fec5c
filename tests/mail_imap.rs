//! IMAP polling against a real IMAP server (Dovecot, over TLS with a test
//! CA), started by `.ci/imap`. Every test is `#[ignore]`d so that `cargo
//! test` alone passes without a server; `.ci/imap` runs them with
//! `--ignored`. Without the server they say SKIPPED, or fail under CI=true.

mod common;
#[path = "common/imap.rs"]
mod imap;
#[path = "common/server.rs"]
mod server;
#[path = "common/smtp.rs"]
mod smtp;

use std::sync::{Arc, Mutex};

use apidesk::mail::imap::{
    ImapError, MAX_INBOUND_BYTES, PollSummary, Take, TakeLater, poll_once, run,
};
use async_trait::async_trait;
use imap::ImapServer;
use tokio::sync::{mpsc, watch};

/// Keeps every message it is handed, or answers "later" while `later`.
#[derive(Default)]
struct Keep {
    taken: Mutex<Vec<Vec<u8>>>,
    later: bool,
}

impl Keep {
    fn later() -> Self {
        Self {
            later: true,
            ..Self::default()
        }
    }

    fn taken(&self) -> Vec<Vec<u8>> {
        self.taken.lock().unwrap().clone()
    }
}

#[async_trait]
impl Take for Keep {
    async fn take(&self, raw: &[u8]) -> Result<(), TakeLater> {
        self.taken.lock().unwrap().push(raw.to_vec());
        if self.later {
            return Err(TakeLater("the database is busy".into()));
        }
        Ok(())
    }
}

/// A reply as a mail client sends it: CRLF lines, an 8-bit Latin-1 body.
fn message(subject: &str, body: &[u8]) -> Vec<u8> {
    let mut raw = format!(
        "From: Dana Requester <dana@example.com>\r\n\
         To: support@example.com\r\n\
         Subject: {subject}\r\n\
         Message-ID: <{}@mail.example.com>\r\n\
         In-Reply-To: <t1@help.example.com>\r\n\
         Date: Sat, 28 Nov 2026 15:00:00 +0000\r\n\
         MIME-Version: 1.0\r\n\
         Content-Type: text/plain; charset=ISO-8859-1\r\n\
         Content-Transfer-Encoding: 8bit\r\n\r\n",
        subject.replace(' ', "-")
    )
    .into_bytes();
    raw.extend_from_slice(body);
    raw
}

const LATIN1: &[u8] =
    b"Caf\xe9 au lait: it still fails.\r\n\r\n> On Friday, support wrote:\r\n> Try again.\r\n";

#[tokio::test]
#[ignore = "needs an IMAP server: run with .ci/imap"]
async fn taken_messages_arrive_byte_exact_and_are_marked_seen() {
    let Some(server) = ImapServer::from_env() else {
        return;
    };
    let (config, mut mailbox) = server.fresh_mailbox("taken").await;
    let first = message("Re: ticket one", LATIN1);
    let second = message("Re: ticket two", b"Thanks, that fixed it.\r\n");
    mailbox.append(&first).await;
    mailbox.append(&second).await;
    assert_eq!(mailbox.uids("UNSEEN").await.len(), 2);

    let keep = Keep::default();
    let summary = poll_once(&config, &keep).await.expect("polled");
    assert_eq!(
        summary,
        PollSummary {
            taken: 2,
            ..PollSummary::default()
        }
    );
    assert_eq!(
        keep.taken(),
        vec![first, second],
        "oldest first, byte for byte"
    );
    assert!(mailbox.uids("UNSEEN").await.is_empty());
    assert_eq!(mailbox.uids("SEEN").await.len(), 2);

    // Nothing is handed over twice.
    let again = Keep::default();
    assert_eq!(
        poll_once(&config, &again).await.unwrap(),
        PollSummary::default()
    );
    assert!(again.taken().is_empty());
}

#[tokio::test]
#[ignore = "needs an IMAP server: run with .ci/imap"]
async fn a_message_taken_later_stays_unseen_and_comes_again() {
    let Some(server) = ImapServer::from_env() else {
        return;
    };
    let (config, mut mailbox) = server.fresh_mailbox("later").await;
    let raw = message("Re: busy", LATIN1);
    mailbox.append(&raw).await;

    let busy = Keep::later();
    let summary = poll_once(&config, &busy).await.expect("polled");
    assert_eq!((summary.taken, summary.left_for_later), (0, 1));
    assert_eq!(busy.taken(), vec![raw.clone()]);
    assert_eq!(mailbox.uids("UNSEEN").await.len(), 1, "left unseen");

    let keep = Keep::default();
    let summary = poll_once(&config, &keep).await.expect("polled");
    assert_eq!((summary.taken, summary.left_for_later), (1, 0));
    assert_eq!(keep.taken(), vec![raw]);
    assert!(mailbox.uids("UNSEEN").await.is_empty());
}

#[tokio::test]
#[ignore = "needs an IMAP server: run with .ci/imap"]
async fn an_oversized_message_is_marked_seen_and_not_handed_over() {
    let Some(server) = ImapServer::from_env() else {
        return;
    };
    let (config, mut mailbox) = server.fresh_mailbox("oversized").await;
    let line = [b'x'; 998];
    let mut body = Vec::with_capacity(MAX_INBOUND_BYTES + 2_000);
    while body.len() <= MAX_INBOUND_BYTES {
        body.extend_from_slice(&line);
        body.extend_from_slice(b"\r\n");
    }
    mailbox.append(&message("Huge attachment", &body)).await;
    let small = message("Re: small", b"Small and fine.\r\n");
    mailbox.append(&small).await;

    let keep = Keep::default();
    let summary = poll_once(&config, &keep).await.expect("polled");
    assert_eq!(
        summary,
        PollSummary {
            taken: 1,
            too_large: 1,
            ..PollSummary::default()
        }
    );
    assert_eq!(
        keep.taken(),
        vec![small],
        "only the small one is handed over"
    );
    assert!(mailbox.uids("UNSEEN").await.is_empty(), "both marked seen");
}

#[tokio::test]
#[ignore = "needs an IMAP server: run with .ci/imap"]
async fn a_certificate_from_another_ca_is_refused() {
    let Some(server) = ImapServer::from_env() else {
        return;
    };
    let (_, mut mailbox) = server.fresh_mailbox("wrong-ca").await;
    mailbox.append(&message("Re: never read", LATIN1)).await;

    let dir = tempfile::tempdir().unwrap();
    let other_ca = dir.path().join("other-ca.pem");
    std::fs::write(&other_ca, other_ca_pem()).unwrap();
    // Given a CA file, only it is trusted; without one, the system's roots:
    // neither signed Dovecot's certificate.
    for ca in [Some(other_ca), None] {
        let config = server.config(&mailbox.name, &server.password(), ca.clone());
        let keep = Keep::default();
        let err = poll_once(&config, &keep).await.expect_err("refused");
        assert!(
            matches!(err, ImapError::Certificate { .. }),
            "{ca:?}: {err:?}"
        );
        let text = err.to_string();
        assert!(text.starts_with("certificate not trusted"), "{text}");
        assert!(!text.contains(&server.password()), "{text}");
        assert!(keep.taken().is_empty());
    }
    assert_eq!(mailbox.uids("UNSEEN").await.len(), 1, "nothing was taken");
}

/// A CA of the test's own, which signed nothing the server shows.
fn other_ca_pem() -> String {
    use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair};
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params
        .distinguished_name
        .push(DnType::CommonName, "not the IMAP server's CA");
    params
        .self_signed(&KeyPair::generate().unwrap())
        .unwrap()
        .pem()
}

#[tokio::test]
#[ignore = "needs an IMAP server: run with .ci/imap"]
async fn a_wrong_password_is_a_refused_login_that_never_shows_it() {
    let Some(server) = ImapServer::from_env() else {
        return;
    };
    let (_, mailbox) = server.fresh_mailbox("wrong-password").await;
    let wrong = "Wrong-Pa55-Never-Shown";
    let config = server.config(&mailbox.name, wrong, Some(server.ca.clone()));

    let err = poll_once(&config, &Keep::default())
        .await
        .expect_err("refused");
    assert!(matches!(err, ImapError::LoginRefused { .. }), "{err:?}");
    let shown = format!("{err} {err:?}");
    assert!(shown.starts_with("login refused by 127.0.0.1:"), "{shown}");
    assert!(shown.contains(&server.user()), "names the user: {shown}");
    assert!(!shown.contains(wrong), "{shown}");
    assert!(!shown.contains(&server.password()), "{shown}");
}

#[tokio::test]
#[ignore = "needs an IMAP server: run with .ci/imap"]
async fn a_missing_mailbox_is_named() {
    let Some(server) = ImapServer::from_env() else {
        return;
    };
    let config = server.config(
        "No-Such-Mailbox",
        &server.password(),
        Some(server.ca.clone()),
    );
    let err = poll_once(&config, &Keep::default())
        .await
        .expect_err("no mailbox");
    assert!(matches!(err, ImapError::MailboxMissing { .. }), "{err:?}");
    assert!(err.to_string().contains("\"No-Such-Mailbox\""), "{err}");
}

#[tokio::test]
#[ignore = "needs an IMAP server: run with .ci/imap"]
async fn imap_urls_upgrade_with_starttls_before_logging_in() {
    let Some(server) = ImapServer::from_env() else {
        return;
    };
    let (_, mut mailbox) = server.fresh_mailbox("starttls").await;
    let raw = message("Re: over STARTTLS", LATIN1);
    mailbox.append(&raw).await;

    // Dovecot (ssl = required) refuses LOGIN before STARTTLS: a taken
    // message shows that the upgrade happened first.
    let config = server.starttls_config(&mailbox.name);
    let keep = Keep::default();
    let summary = poll_once(&config, &keep)
        .await
        .expect("polled over STARTTLS");
    assert_eq!(summary.taken, 1);
    assert_eq!(keep.taken(), vec![raw]);
    assert!(mailbox.uids("UNSEEN").await.is_empty());
}

/// Hands each message on to the test, which waits for it.
struct Forward(mpsc::UnboundedSender<Vec<u8>>);

#[async_trait]
impl Take for Forward {
    async fn take(&self, raw: &[u8]) -> Result<(), TakeLater> {
        self.0
            .send(raw.to_vec())
            .map_err(|_| TakeLater("the test ended".into()))
    }
}

#[tokio::test]
#[ignore = "needs an IMAP server: run with .ci/imap"]
async fn the_poller_takes_mail_in_the_background_and_stops_when_told() {
    let Some(server) = ImapServer::from_env() else {
        return;
    };
    let (config, mut mailbox) = server.fresh_mailbox("run").await;
    let raw = message("Re: in the background", LATIN1);
    mailbox.append(&raw).await;

    let (sent, mut received) = mpsc::unbounded_channel();
    let (stop, stopped) = watch::channel(false);
    let poller = tokio::spawn(run(config, Arc::new(Forward(sent)), stopped));
    assert_eq!(
        received.recv().await,
        Some(raw),
        "the first poll is at once"
    );
    stop.send(true).unwrap();
    poller.await.expect("the poller stopped");
    assert!(mailbox.uids("UNSEEN").await.is_empty());
}

/// The whole way, as a requester lives it: the confirmation arrives by
/// SMTP; their answer to it lands in the mailbox apidesk polls, and a
/// minute later it is on their ticket, which is back with support. An
/// out-of-office answer to the same mail changes nothing.
#[tokio::test]
#[ignore = "needs an IMAP server: run with .ci/imap"]
async fn a_reply_in_the_polled_mailbox_joins_its_ticket_and_an_auto_reply_does_not() {
    let Some(imap) = ImapServer::from_env() else {
        return;
    };
    let (_, mut mailbox) = imap.fresh_mailbox("journey").await;
    let smtp = smtp::SmtpServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let mut config = common::test_config(&dir);
    config.public_url = Some("https://help.example.com".into());
    config.mail.smtp_url = Some(smtp.url(None));
    config.mail.mail_from = Some("apidesk support <support@example.com>".into());
    config.imap.imap_url = Some(imap.url_for(&mailbox.name));
    config.imap.imap_ca_file = Some(imap.ca.clone());
    config.imap.imap_poll_seconds = 5;
    let app = server::Server::start_with(config).await;
    let fields = common::valid_ticket();
    let filed = app
        .browser()
        .post("/tickets/new", "/tickets", &common::as_pairs(&fields))
        .await;
    assert_eq!(filed.status, 303);
    let confirmation = smtp.wait_for_messages(1).await.remove(0);
    let text = String::from_utf8_lossy(&confirmation.data).to_string();
    assert!(
        text.contains("Reply to this email"),
        "IMAP on: mail invites a reply"
    );
    let id = text
        .lines()
        .find_map(|line| line.strip_prefix("Message-ID: "))
        .expect("a Message-ID")
        .trim()
        .to_string();

    let reply = |from_id: &str, extra: &str, body: &str| {
        format!(
            "From: Dana <dana@example.com>\r\nTo: support@example.com\r\n\
             Subject: Re: [APD-000001]\r\nMessage-ID: <{from_id}@mail.example.com>\r\n\
             In-Reply-To: {id}\r\nReferences: {id}\r\n{extra}\r\n{body}\r\n"
        )
        .into_bytes()
    };
    mailbox
        .append(&reply(
            "ooo",
            "Auto-Submitted: auto-replied\r\n",
            "Out until Monday.",
        ))
        .await;
    mailbox
        .append(&reply(
            "answer",
            "",
            "The key ends in 9f3a.\r\n\r\n> quoted",
        ))
        .await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while !mailbox.uids("UNSEEN").await.is_empty() {
        assert!(
            std::time::Instant::now() < deadline,
            "not polled within a minute"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    let timeline = app.store.ticket_timeline(1).await.unwrap();
    let bodies: Vec<&str> = timeline
        .iter()
        .filter(|e| !e.body.is_empty())
        .map(|e| e.body.as_str())
        .collect();
    assert_eq!(
        bodies,
        ["The key ends in 9f3a."],
        "the answer, not the auto-reply"
    );
    let inbound = app.store.ticket_inbound(1).await.unwrap();
    assert_eq!(inbound.len(), 2, "both recorded on the ticket");
    assert_eq!(smtp.messages().len(), 1, "nothing mailed back to either");
    app.shut_down().await;
}
