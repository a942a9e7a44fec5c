//! Outgoing mail against a real SMTP server over TCP (tests/common/smtp.rs).

#[path = "common/smtp.rs"]
mod smtp;

use std::time::Duration;

use apidesk::config::{MailConfig, MailSettings, SmtpSecurity};
use apidesk::mail::{Mailer, OutgoingMessage, SendError};
use mail_parser::{HeaderValue, MessageParser, MimeHeaders};
use smtp::SmtpServer;

const USER: &str = "apidesk";
const PASSWORD: &str = "Pa55-Never-Shown";
const FROM: &str = "apidesk support <support@example.com>";
const PUBLIC_URL: &str = "https://help.example.com";

fn config(url: &str) -> MailConfig {
    MailSettings {
        smtp_url: Some(url.to_string()),
        mail_from: Some(FROM.to_string()),
        smtp_ca_file: None,
        mail_replies: None,
        mail_new_tickets: false,
    }
    .check(Some(PUBLIC_URL))
    .expect("valid settings")
    .expect("mail is on")
}

async fn server_and_mailer() -> (SmtpServer, Mailer) {
    let server = SmtpServer::start_with_auth(USER, PASSWORD).await;
    let mailer = Mailer::new(&config(&server.url(Some((USER, PASSWORD))))).unwrap();
    (server, mailer)
}

fn reply() -> OutgoingMessage {
    OutgoingMessage {
        to: "Dana Développeuse <dana@example.com>".into(),
        subject: "Re: [#42] Réponse à votre demande — 401 ✓".into(),
        message_id: "r2.t42@help.example.com".into(),
        in_reply_to: Some("r1.t42@help.example.com".into()),
        references: vec![
            "t42@help.example.com".into(),
            "r1.t42@help.example.com".into(),
        ],
        text: "Bonjour Dana,\n\nLe jeton a expiré — créez-en un nouveau.\n.\n..a line starting with dots\n\nhttps://help.example.com/tickets/abc\n".into(),
        html: "<p>Bonjour Dana,</p><p>Le jeton a expiré — créez-en un nouveau.</p>\
               <p><a href=\"https://help.example.com/tickets/abc\">Your ticket</a></p>"
            .into(),
    }
}

fn text_header<'a>(message: &'a mail_parser::Message<'a>, name: &'a str) -> Option<&'a str> {
    message.header_raw(name).map(str::trim)
}

#[tokio::test]
async fn a_message_arrives_whole_with_its_thread_headers() {
    let (server, mailer) = server_and_mailer().await;
    let sent = mailer.send(&reply()).await.expect("sent");
    assert!(sent.reply.starts_with("250 "), "{}", sent.reply);

    let received = server.wait_for_messages(1).await.remove(0);
    assert_eq!(received.mail_from, "support@example.com");
    assert_eq!(received.rcpt_to, ["dana@example.com"]);
    assert_eq!(
        received.user.as_deref(),
        Some(USER),
        "signed in with the URL's user"
    );

    let parsed = MessageParser::default()
        .parse(&received.data)
        .expect("a parsable message");
    let from = parsed.from().and_then(|a| a.first()).expect("From");
    assert_eq!(from.address(), Some("support@example.com"));
    assert_eq!(from.name(), Some("apidesk support"));
    let to = parsed.to().and_then(|a| a.first()).expect("To");
    assert_eq!(to.address(), Some("dana@example.com"));
    assert_eq!(to.name(), Some("Dana Développeuse"));
    assert_eq!(
        parsed.subject(),
        Some("Re: [#42] Réponse à votre demande — 401 ✓")
    );
    assert_eq!(parsed.message_id(), Some("r2.t42@help.example.com"));
    assert_eq!(
        parsed.in_reply_to().as_text(),
        Some("r1.t42@help.example.com")
    );
    match parsed.references() {
        HeaderValue::TextList(ids) => {
            assert_eq!(ids, &["t42@help.example.com", "r1.t42@help.example.com"])
        }
        other => panic!("References: {other:?}"),
    }
    assert_eq!(
        text_header(&parsed, "Auto-Submitted"),
        Some("auto-generated")
    );
    assert!(parsed.date().is_some(), "a Date header");

    let content_type = parsed.content_type().expect("Content-Type");
    assert_eq!(
        (content_type.ctype(), content_type.subtype()),
        ("multipart", Some("alternative"))
    );
    // Text first, then HTML: clients show the last part they can read.
    let parts: Vec<_> = parsed.parts[1..]
        .iter()
        .map(|part| {
            let ct = part.content_type().expect("each part has a type");
            format!("{}/{}", ct.ctype(), ct.subtype().unwrap_or_default())
        })
        .collect();
    assert_eq!(parts, ["text/plain", "text/html"]);
    assert_eq!(
        parsed.body_text(0).unwrap().replace("\r\n", "\n"),
        reply().text,
        "the text part, accents and dotted lines intact"
    );
    assert_eq!(parsed.body_html(0).unwrap(), reply().html);
}

#[tokio::test]
async fn a_wrong_password_is_a_permanent_refusal_that_does_not_quote_it() {
    let server = SmtpServer::start_with_auth(USER, "the-real-one").await;
    let mailer = Mailer::new(&config(&server.url(Some((USER, PASSWORD))))).unwrap();
    let err = mailer.send(&reply()).await.unwrap_err();
    assert!(matches!(err, SendError::Permanent(_)), "{err:?}");
    assert!(err.reason().contains("sign-in"), "{err}");
    assert!(err.reason().contains("535"), "{err}");
    assert!(!format!("{err} {err:?} {mailer:?}").contains(PASSWORD));
    assert!(server.messages().is_empty());
}

#[tokio::test]
async fn a_deferral_is_temporary_and_the_next_attempt_goes_through() {
    let (server, mailer) = server_and_mailer().await;
    server.fail_next(1, "451 4.3.0 Try again later");
    let err = mailer.send(&reply()).await.unwrap_err();
    assert_eq!(
        err,
        SendError::Temporary("the server deferred the message (451 4.3.0 Try again later)".into())
    );
    mailer.send(&reply()).await.expect("the retry is taken");
    assert_eq!(server.wait_for_messages(1).await.len(), 1);
}

#[tokio::test]
async fn a_refused_recipient_is_permanent() {
    let (server, mailer) = server_and_mailer().await;
    server.refuse_recipients("550 5.1.1 <dana@example.com>: Recipient address rejected");
    let err = mailer.send(&reply()).await.unwrap_err();
    let SendError::Permanent(reason) = &err else {
        panic!("expected a permanent failure, got {err:?}");
    };
    assert!(
        reason.starts_with("the server refused the recipient dana@example.com (550 5.1.1"),
        "{reason}"
    );
    // The connection ended with QUIT after the refusal, not in mid-air.
    assert_eq!(server.transcript().last().map(String::as_str), Some("QUIT"));
}

#[tokio::test]
async fn a_server_that_is_down_is_temporary_until_it_is_back() {
    let (mut server, mailer) = server_and_mailer().await;
    server.stop().await;
    let err = mailer.send(&reply()).await.unwrap_err();
    assert!(err.is_temporary(), "{err:?}");
    assert!(err.reason().starts_with("cannot reach 127.0.0.1:"), "{err}");

    server.restart().await;
    mailer
        .send(&reply())
        .await
        .expect("sent once the server is back");
    assert_eq!(server.wait_for_messages(1).await.len(), 1);
}

#[tokio::test]
async fn a_server_that_never_answers_times_out_as_temporary() {
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("smtp://{}", silent.local_addr().unwrap());
    // Accepts and then says nothing, holding the connection open.
    let holder = tokio::spawn(async move {
        let (stream, _) = silent.accept().await.unwrap();
        std::future::pending::<()>().await;
        drop(stream);
    });
    let mailer = Mailer::new(&config(&url))
        .unwrap()
        .with_timeout(Duration::from_millis(300));
    let err = mailer.send(&reply()).await.unwrap_err();
    assert!(err.is_temporary(), "{err:?}");
    assert!(
        err.reason().starts_with("no answer from 127.0.0.1:"),
        "{err}"
    );
    holder.abort();
}

#[tokio::test]
async fn starttls_is_required_when_asked_for() {
    let (server, _) = server_and_mailer().await;
    let mut settings = config(&server.url(Some((USER, PASSWORD))));
    // As for a remote host: the test server offers no STARTTLS, so the
    // credentials must not be sent in the clear.
    settings.security = SmtpSecurity::StartTls;
    let err = Mailer::new(&settings)
        .unwrap()
        .send(&reply())
        .await
        .unwrap_err();
    assert!(err.is_temporary(), "{err:?}");
    assert!(err.reason().contains("does not offer STARTTLS"), "{err}");
    assert!(
        !server
            .transcript()
            .iter()
            .any(|line| line.starts_with("AUTH")),
        "no sign-in without TLS: {:?}",
        server.transcript()
    );
}

#[tokio::test]
async fn a_message_id_that_could_inject_headers_is_refused_before_connecting() {
    let (server, mailer) = server_and_mailer().await;
    let mut message = reply();
    message.message_id = "x@y>\r\nBcc: <z@example.com".into();
    let err = mailer.send(&message).await.unwrap_err();
    assert!(matches!(err, SendError::Permanent(_)), "{err:?}");
    assert!(server.transcript().is_empty(), "{:?}", server.transcript());
}

/// `apidesk mail test`: what it prints, or the error `main` prints before
/// exiting with a failure status. In-process, because the binary in a
/// target directory shared with other builds may be another build's.
async fn mail_test(url: Option<&str>, to: &str) -> Result<String, String> {
    let config = apidesk::config::Config {
        public_url: Some(PUBLIC_URL.into()),
        mail: MailSettings {
            smtp_url: url.map(str::to_string),
            mail_from: Some(FROM.into()),
            smtp_ca_file: None,
            mail_replies: None,
            mail_new_tickets: false,
        },
        ..Default::default()
    };
    let outcome = apidesk::cli::mail_test(to, &config)
        .await
        .map_err(|err| format!("error: {err:#}"));
    let shown = format!("{outcome:?}");
    assert!(!shown.contains(PASSWORD), "the password was shown: {shown}");
    outcome
}

#[tokio::test]
async fn mail_test_reports_a_delivery_in_plain_words() {
    let server = SmtpServer::start_with_auth(USER, PASSWORD).await;
    let url = server.url(Some((USER, PASSWORD)));
    let line = mail_test(Some(&url), "dana@example.com").await.unwrap();
    let expected = format!(
        "Sent to dana@example.com via {} (plain SMTP, loopback only): 250 2.0.0 Ok: queued as 1",
        server.addr()
    );
    assert_eq!(line, expected);
    let received = server.wait_for_messages(1).await.remove(0);
    assert_eq!(received.rcpt_to, ["dana@example.com"]);
    let parsed = MessageParser::default().parse(&received.data).unwrap();
    assert_eq!(parsed.subject(), Some("apidesk mail test"));
    assert_eq!(
        text_header(&parsed, "Auto-Submitted"),
        Some("auto-generated")
    );
}

#[tokio::test]
async fn mail_test_explains_a_refused_sign_in_and_fails() {
    let server = SmtpServer::start_with_auth(USER, "the-real-one").await;
    let url = server.url(Some((USER, PASSWORD)));
    let error = mail_test(Some(&url), "dana@example.com").await.unwrap_err();
    assert_eq!(
        error,
        "error: Not sent: the server refused the sign-in (535 5.7.8 Authentication \
         credentials invalid). Check the user and password in --smtp-url."
    );
    assert!(server.messages().is_empty());
}

#[tokio::test]
async fn mail_test_says_when_the_server_is_down_or_mail_is_off() {
    let mut server = SmtpServer::start().await;
    let url = server.url(Some((USER, PASSWORD)));
    server.stop().await;
    let error = mail_test(Some(&url), "dana@example.com").await.unwrap_err();
    assert!(
        error.starts_with("error: Not sent: cannot reach 127.0.0.1:"),
        "{error}"
    );
    assert!(error.ends_with("try again later."), "{error}");

    let error = mail_test(None, "dana@example.com").await.unwrap_err();
    assert!(
        error.starts_with("error: email is not configured: set --smtp-url"),
        "{error}"
    );
}
