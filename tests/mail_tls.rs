//! Outgoing mail over TLS: certificates are verified, against the CA file
//! when one is given, and the password only ever goes over TLS.

#[path = "common/smtp.rs"]
mod smtp;

use apidesk::config::{MailConfig, MailSettings, SmtpSecurity};
use apidesk::mail::{Mailer, OutgoingMessage};
use smtp::{SmtpServer, TestCa, TlsMode};
use tempfile::TempDir;

const USER: &str = "apidesk";
const PASSWORD: &str = "Tls-Pa55-Never-Shown";

/// The checked settings for `url`, trusting `ca` when given (written to a
/// file, as `--smtp-ca-file` reads it).
fn config(url: &str, ca: Option<&TestCa>, dir: &TempDir) -> MailConfig {
    let ca_file = ca.map(|ca| {
        let path = dir.path().join("ca.pem");
        std::fs::write(&path, &ca.ca_pem).unwrap();
        path
    });
    MailSettings {
        smtp_url: Some(url.to_string()),
        mail_from: Some("support@example.com".into()),
        smtp_ca_file: ca_file,
        mail_replies: None,
        mail_new_tickets: false,
    }
    .check(Some("https://help.example.com"))
    .expect("valid settings")
    .expect("mail is on")
}

/// `smtp://` to 127.0.0.1 is plain; a remote host's STARTTLS is what this
/// stands for, with the test server's certificate for 127.0.0.1.
fn starttls(mut config: MailConfig) -> MailConfig {
    assert_eq!(config.security, SmtpSecurity::Plain);
    config.security = SmtpSecurity::StartTls;
    config
}

fn message() -> OutgoingMessage {
    OutgoingMessage {
        to: "dana@example.com".into(),
        subject: "Your ticket".into(),
        message_id: "t1@help.example.com".into(),
        in_reply_to: None,
        references: Vec::new(),
        text: "Hello".into(),
        html: "<p>Hello</p>".into(),
    }
}

fn position(transcript: &[String], prefix: &str) -> Option<usize> {
    transcript.iter().position(|line| line.starts_with(prefix))
}

#[tokio::test]
async fn starttls_with_the_ca_file_signs_in_only_after_tls() {
    let ca = TestCa::new();
    let server = SmtpServer::start_tls(&ca, TlsMode::StartTls, USER, PASSWORD).await;
    let dir = tempfile::tempdir().unwrap();
    let url = server.url(Some((USER, PASSWORD)));
    let mailer = Mailer::new(&starttls(config(&url, Some(&ca), &dir))).unwrap();
    mailer.send(&message()).await.expect("sent over STARTTLS");

    let received = server.wait_for_messages(1).await.remove(0);
    assert!(received.secure, "the message came over TLS");
    assert_eq!(received.user.as_deref(), Some(USER));
    let transcript = server.transcript();
    let tls = position(&transcript, "STARTTLS").expect("STARTTLS was used");
    let auth = position(&transcript, "AUTH").expect("signed in");
    assert!(tls < auth, "AUTH before STARTTLS: {transcript:?}");
}

#[tokio::test]
async fn smtps_with_the_ca_file_is_tls_from_the_start() {
    let ca = TestCa::new();
    let server = SmtpServer::start_tls(&ca, TlsMode::Implicit, USER, PASSWORD).await;
    let dir = tempfile::tempdir().unwrap();
    let url = format!("smtps://{USER}:{PASSWORD}@{}", server.addr());
    let config = config(&url, Some(&ca), &dir);
    assert_eq!(config.security, SmtpSecurity::Tls);
    let mailer = Mailer::new(&config).unwrap();
    let sent = mailer.send(&message()).await.expect("sent over TLS");
    assert!(sent.reply.starts_with("250 "), "{}", sent.reply);
    assert!(server.wait_for_messages(1).await[0].secure);
}

#[tokio::test]
async fn a_certificate_from_an_unknown_authority_is_refused_before_signing_in() {
    let ca = TestCa::new();
    let server = SmtpServer::start_tls(&ca, TlsMode::StartTls, USER, PASSWORD).await;
    let dir = tempfile::tempdir().unwrap();
    let url = server.url(Some((USER, PASSWORD)));
    let other = TestCa::new();
    // The system's roots, then another authority's file: neither signed it.
    for trusted in [None, Some(&other)] {
        let mailer = Mailer::new(&starttls(config(&url, trusted, &dir))).unwrap();
        let err = mailer.send(&message()).await.unwrap_err();
        assert!(err.is_temporary(), "{err:?}");
        assert!(
            err.reason()
                .starts_with("the secure connection to 127.0.0.1:"),
            "{err}"
        );
        assert!(!err.to_string().contains(PASSWORD));
    }
    assert_eq!(position(&server.transcript(), "AUTH"), None);
    assert!(server.messages().is_empty());
}

#[tokio::test]
async fn smtps_to_an_unknown_authority_is_a_tls_failure_not_a_missing_server() {
    let ca = TestCa::new();
    let server = SmtpServer::start_tls(&ca, TlsMode::Implicit, USER, PASSWORD).await;
    let dir = tempfile::tempdir().unwrap();
    let url = format!("smtps://{USER}:{PASSWORD}@{}", server.addr());
    let mailer = Mailer::new(&config(&url, None, &dir)).unwrap();
    let err = mailer.send(&message()).await.unwrap_err();
    assert!(err.is_temporary(), "{err:?}");
    assert_eq!(
        err.reason(),
        format!(
            "the secure connection to {} (TLS) failed: invalid peer certificate: UnknownIssuer",
            server.addr()
        )
    );
    // `apidesk mail test` points at the CA file.
    let line = mailer
        .test_connection("dana@example.com")
        .await
        .unwrap_err();
    assert!(line.contains("--smtp-ca-file"), "{line}");
    assert!(server.messages().is_empty());
}
