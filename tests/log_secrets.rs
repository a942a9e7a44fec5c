//! What the log holds after a run that handles every kind of secret: a
//! staff password (right and wrong), the session cookie, an API token, the
//! metrics token, the SMTP password, credentials pasted into a ticket (and
//! redacted), the status page's link, and mail bodies out and in. Logged at
//! TRACE, in both formats, through the same layers `--log-format` builds;
//! none of them may appear. Also: JSON lines parse and carry the request
//! id, and sign-ins and staff actions leave audit lines.
//!
//! The only test in this file: it installs the process's log subscriber.

mod common;
#[path = "common/server.rs"]
mod server;
#[path = "common/smtp.rs"]
mod smtp;
#[path = "common/staff.rs"]
mod staff_helpers;

use std::io::Write;
use std::sync::{Arc, Mutex};

use apidesk::config::LogFormat;
use apidesk::mail::inbound::Ingest;
use apidesk::staff::Role;
use apidesk::tokens::Scope;
use server::Server;
use smtp::SmtpServer;
use tracing_subscriber::layer::SubscriberExt;

const SMTP_USER: &str = "mailer";
const SMTP_PASSWORD: &str = "smtp-Pa55w0rd-never-logged";
const METRICS_TOKEN: &str = "metrics-token-never-logged-42";
const WRONG_PASSWORD: &str = "wrong-guess-never-logged-77";
const STRIPE_KEY: &str = "sk_live_51HxQm2eZvKYlo2CLogTest9x8y7z";
const QUERY_KEY: &str = "qk_9f8e7d6c5b4a3928LogTest";
const REPLY_BODY: &str = "Reply-body-phrase-never-logged";
const NOTE_BODY: &str = "Note-body-phrase-never-logged";
const API_NOTE_BODY: &str = "Api-note-phrase-never-logged";
const INBOUND_BODY: &str = "Inbound-mail-phrase-never-logged";

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_full_of_secrets_logs_none_of_them_in_either_format() {
    let (text, json) = (Captured::default(), Captured::default());
    let (to_text, to_json) = (text.clone(), json.clone());
    let subscriber = tracing_subscriber::registry()
        .with(tracing_subscriber::EnvFilter::new("trace"))
        .with(apidesk::telemetry::layer(
            LogFormat::Text,
            move || to_text.clone(),
            false,
        ))
        .with(apidesk::telemetry::layer(
            LogFormat::Json,
            move || to_json.clone(),
            false,
        ));
    tracing::subscriber::set_global_default(subscriber).expect("the only subscriber");

    let smtp = SmtpServer::start_with_auth(SMTP_USER, SMTP_PASSWORD).await;
    let dir = tempfile::tempdir().unwrap();
    let mut config = common::test_config(&dir);
    config.public_url = Some("https://help.example.com".into());
    config.mail.smtp_url = Some(smtp.url(Some((SMTP_USER, SMTP_PASSWORD))));
    config.mail.mail_from = Some("support@example.com".into());
    config.metrics.metrics_token = Some(METRICS_TOKEN.parse().unwrap());
    let app = Server::start_with(config).await;
    app.add_staff("ana@example.com", "Ana Admin", Role::Admin)
        .await;
    let browser = app.browser();

    // A ticket whose message holds credentials, redacted when stored.
    let mut fields = common::valid_ticket();
    for (name, value) in &mut fields {
        if *name == "message" {
            *value = format!(
                "HTTP GET failed (401). Authorization: Bearer {STRIPE_KEY}\n\
                 GET https://api.example.com/v1/records?api_key={QUERY_KEY}"
            );
        }
    }
    // Shown back with them taken out; sent again as shown, it is filed.
    let shown = browser
        .post("/tickets/new", "/tickets", &common::as_pairs(&fields))
        .await;
    assert_eq!(shown.status, 200, "{}", shown.body);
    let redacted = common::unescape(&common::textarea_value(&shown.body, "message").unwrap());
    assert!(!redacted.contains(STRIPE_KEY) && !redacted.contains(QUERY_KEY));
    for (name, value) in &mut fields {
        if *name == "message" {
            *value = redacted.clone();
        }
    }
    fields.push(("reviewed", "1".into()));
    let filed = browser
        .post("/tickets/new", "/tickets", &common::as_pairs(&fields))
        .await;
    assert_eq!(filed.status, 303, "{}", filed.body);
    let status_link = filed.location.clone().unwrap();
    let status_token = status_link
        .trim_start_matches("/tickets/")
        .split('?')
        .next()
        .unwrap()
        .to_string();
    assert_eq!(browser.get(&status_link).await.status, 200);

    // Sign-ins: a wrong password, then the right one; staff work.
    let refused = browser.sign_in("ana@example.com", WRONG_PASSWORD).await;
    assert_eq!(refused.status, 401);
    let signed_in = browser.sign_in("ana@example.com", server::PASSWORD).await;
    assert_eq!(signed_in.status, 303, "{}", signed_in.body);
    let cookies = browser.cookie_headers();
    let session = cookies["cookie"]
        .to_str()
        .unwrap()
        .split("; ")
        .find_map(|pair| pair.strip_prefix("apidesk_session="))
        .expect("a session cookie")
        .to_string();
    let note = browser
        .post(
            "/staff/tickets/1",
            "/staff/tickets/1/notes",
            &[("note", NOTE_BODY)],
        )
        .await;
    assert_eq!(note.status, 303, "{}", note.body);
    let reply = browser
        .post(
            "/staff/tickets/1",
            "/staff/tickets/1/replies",
            &[("reply", REPLY_BODY)],
        )
        .await;
    assert_eq!(reply.status, 303, "{}", reply.body);
    // The confirmation and the reply go out by mail, with their bodies.
    let sent = smtp.wait_for_messages(2).await;
    assert!(
        sent.iter()
            .any(|m| String::from_utf8_lossy(&m.data).contains(REPLY_BODY))
    );

    // The API, with a token.
    let token =
        staff_helpers::api_token(&app.store, 1, &[Scope::TicketsRead, Scope::TicketsAct]).await;
    let client = reqwest::Client::new();
    let read = client
        .get(format!("{}/api/v1/tickets/1", app.base))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(read.status(), 200);
    let noted = client
        .post(format!("{}/api/v1/tickets/1/notes", app.base))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body(serde_json::json!({ "body": API_NOTE_BODY }).to_string())
        .send()
        .await
        .unwrap();
    assert!(
        noted.status().is_success(),
        "{}",
        noted.text().await.unwrap()
    );
    let scraped = client
        .get(format!("{}/metrics", app.base))
        .bearer_auth(METRICS_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(scraped.status(), 200);

    // A mail in, opening a ticket.
    let ingest = Ingest {
        store: app.store.clone(),
        targets: Default::default(),
        open_tickets: true,
        rules: Default::default(),
        sender_limit: None,
    };
    let raw = format!(
        "From: Rae Requester <rae@example.com>\r\nTo: support@example.com\r\n\
         Subject: Our sync fails\r\nMessage-ID: <in.1@mail.example.com>\r\n\
         Date: Mon, 7 Dec 2026 10:00:00 +0000\r\n\r\n{INBOUND_BODY}\r\n\
         Our key is {STRIPE_KEY}\r\n"
    );
    ingest.take(raw.into_bytes()).await.unwrap();

    browser.post("/staff/queue", "/staff/logout", &[]).await;
    app.shut_down().await;

    let secrets = [
        server::PASSWORD,
        WRONG_PASSWORD,
        &session,
        &token,
        METRICS_TOKEN,
        SMTP_PASSWORD,
        STRIPE_KEY,
        QUERY_KEY,
        &status_token,
        REPLY_BODY,
        NOTE_BODY,
        API_NOTE_BODY,
        INBOUND_BODY,
    ];
    let (text, json) = (text.text(), json.text());
    for (format, log) in [("text", &text), ("json", &json)] {
        assert!(log.lines().count() > 50, "{format}: too little was logged");
        for secret in secrets {
            assert!(!log.contains(secret), "{format} log holds {secret:?}");
        }
    }

    // The audit lines are there: sign-ins, staff actions (pages and API).
    let audit: Vec<serde_json::Value> = json
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
        .filter(|line: &serde_json::Value| line["target"] == "apidesk::audit")
        .collect();
    let has = |check: &dyn Fn(&serde_json::Value) -> bool| audit.iter().any(check);
    assert!(has(&|l| l["fields"]["outcome"] == "wrong_credentials"));
    assert!(has(&|l| l["fields"]["outcome"] == "signed_in"));
    assert!(has(&|l| {
        l["fields"]["action"] == "POST /staff/tickets/{id}/replies"
            && l["fields"]["staff_id"] == 1
            && l["fields"]["which"] == "id=1"
    }));
    assert!(has(&|l| {
        l["fields"]["action"] == "POST /api/v1/tickets/{id}/notes"
            && l["fields"]["token_id"].is_number()
    }));
    assert!(has(&|l| l["fields"]["action"] == "POST /staff/logout"));
    // Each audit line names its request, as the request span does.
    for line in &audit {
        let id = line["fields"]["request_id"].as_str().unwrap_or_default();
        assert!(uuid::Uuid::parse_str(id).is_ok(), "{line}");
        assert_eq!(line["span"]["request_id"], id, "{line}");
        assert!(line["timestamp"].is_string() && line["level"] == "INFO");
    }
    // Every line of a request carries its id; text lines show it too.
    let served: Vec<serde_json::Value> = json
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .filter(|l: &serde_json::Value| l["span"]["name"] == "request")
        .collect();
    assert!(served.len() > 10);
    for line in &served {
        assert!(line["span"]["request_id"].is_string(), "{line}");
        assert!(line["span"]["route"].is_string(), "{line}");
        assert!(line["span"]["method"].is_string(), "{line}");
    }
    assert!(
        text.lines()
            .any(|line| line.contains("request{request_id=") && line.contains("staff action")),
        "{text}"
    );
}
