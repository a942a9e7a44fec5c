//! Clients filing tickets with unique markers through the form and the API,
//! recording what each request came to (in the manner of Jepsen's set
//! test), and the check of a database against that record: every
//! acknowledged ticket there with the fields it was sent with, its mail and
//! its webhook delivery beside it, nothing refused there, nothing unknown.

#![allow(dead_code)]

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection};

/// Every marker is in the message after this, so a stored ticket names the
/// request that filed it.
const MARKER: &str = "durability marker ";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    Form,
    Api,
}

/// What one request sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sent {
    pub marker: String,
    pub via: Via,
    pub error_code: String,
    pub message: String,
    pub endpoint: String,
    pub method: String,
    pub environment: String,
    pub email: String,
    pub tool: String,
}

impl Sent {
    /// A ticket carrying `marker`; `n` varies its error code.
    pub fn new(marker: String, via: Via, n: usize) -> Self {
        let codes = ["401", "403", "404", "429", "500"];
        Self {
            error_code: codes[n % codes.len()].to_string(),
            message: format!("HTTP GET failed: {MARKER}{marker}"),
            endpoint: format!("https://api.example.com/v1/records/{marker}"),
            method: "GET".into(),
            environment: "production".into(),
            email: format!("{marker}@example.com"),
            tool: match via {
                Via::Form => "workato".into(),
                Via::Api => "script".into(),
            },
            marker,
            via,
        }
    }
}

impl Sent {
    /// The API's JSON for this ticket.
    pub fn api_body(&self) -> String {
        serde_json::json!({
            "error_code": self.error_code,
            "message": self.message,
            "endpoint": self.endpoint,
            "method": self.method,
            "occurred_at": "2026-12-07T09:30:00Z",
            "tool": self.tool,
            "environment": self.environment,
            "email": self.email,
        })
        .to_string()
    }
}

/// What a request came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// 303 with the private link's token, or 201 with the ticket's id.
    Acknowledged(Receipt),
    /// A clear refusal: an answer other than the acknowledgement, or no
    /// connection at all. Nothing was stored.
    Failed(String),
    /// No answer (reset, timeout): stored or not.
    Maybe(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Receipt {
    Token(String),
    Id(i64),
}

#[derive(Debug, Clone)]
pub struct Attempt {
    pub sent: Sent,
    pub outcome: Outcome,
}

impl Attempt {
    pub fn acknowledged(&self) -> bool {
        matches!(self.outcome, Outcome::Acknowledged(_))
    }
}

pub type Ledger = Arc<Mutex<Vec<Attempt>>>;

/// Client tasks filing until stopped, or until the server stops answering.
pub struct Clients {
    stop: Arc<AtomicBool>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Clients {
    /// `per_kind` form clients and as many API clients, each on its own
    /// connections; markers start with `prefix`.
    pub fn start(base: &str, token: &str, prefix: &str, per_kind: usize, ledger: &Ledger) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let mut tasks = Vec::new();
        for n in 0..per_kind * 2 {
            let via = if n % 2 == 0 { Via::Form } else { Via::Api };
            let client = Client {
                http: reqwest::Client::builder()
                    .cookie_store(true)
                    .redirect(reqwest::redirect::Policy::none())
                    .timeout(Duration::from_secs(10))
                    .build()
                    .unwrap(),
                base: base.to_string(),
                token: token.to_string(),
            };
            let prefix = format!("{prefix}c{n}");
            let (stop, ledger) = (stop.clone(), ledger.clone());
            tasks.push(tokio::spawn(async move {
                client.file_until(via, &prefix, &stop, &ledger).await;
            }));
        }
        Self { stop, tasks }
    }

    /// Stops filing and waits for every request in hand to end.
    pub async fn stop(self) {
        self.stop.store(true, Ordering::SeqCst);
        for task in self.tasks {
            task.await.unwrap();
        }
    }
}

struct Client {
    http: reqwest::Client,
    base: String,
    token: String,
}

impl Client {
    async fn file_until(&self, via: Via, prefix: &str, stop: &AtomicBool, ledger: &Ledger) {
        let mut n = 0;
        while !stop.load(Ordering::SeqCst) {
            n += 1;
            let sent = Sent::new(format!("{prefix}s{n}"), via, n);
            let outcome = match via {
                Via::Form => match self.form_token().await {
                    Some(csrf) => self.file_form(&sent, &csrf).await,
                    // The form page did not come: nothing was sent.
                    None => break,
                },
                Via::Api => self.file_api(&sent).await,
            };
            let answered = matches!(outcome, Outcome::Acknowledged(_))
                || matches!(&outcome, Outcome::Failed(why) if why.starts_with("status"));
            ledger.lock().unwrap().push(Attempt { sent, outcome });
            if !answered {
                // The server is gone: the test restarts it.
                break;
            }
        }
    }

    async fn form_token(&self) -> Option<String> {
        let page = self
            .http
            .get(format!("{}/tickets/new", self.base))
            .send()
            .await
            .ok()?;
        crate::common::hidden_value(&page.text().await.ok()?, "csrf_token")
    }

    async fn file_form(&self, sent: &Sent, csrf: &str) -> Outcome {
        let mut fields = crate::common::valid_ticket();
        for (name, value) in fields.iter_mut() {
            match *name {
                "error_code" => *value = sent.error_code.clone(),
                "message" => *value = sent.message.clone(),
                "endpoint" => *value = sent.endpoint.clone(),
                "method" => *value = sent.method.clone(),
                "environment" => *value = sent.environment.clone(),
                "email" => *value = sent.email.clone(),
                "tool" => *value = sent.tool.clone(),
                _ => {}
            }
        }
        // The hints shown before filing count as read: one POST files it.
        fields.push(("reviewed", "1".to_string()));
        fields.push(("csrf_token", csrf.to_string()));
        let answer = self
            .http
            .post(format!("{}/tickets", self.base))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(serde_urlencoded::to_string(&fields).unwrap())
            .send()
            .await;
        match answer {
            Ok(res) if res.status() == 303 => {
                let location = res.headers()["location"].to_str().unwrap();
                let token = location
                    .trim_start_matches("/tickets/")
                    .split(['?', '#'])
                    .next()
                    .unwrap();
                Outcome::Acknowledged(Receipt::Token(token.to_string()))
            }
            Ok(res) => Outcome::Failed(format!("status {}", res.status())),
            Err(err) => unanswered(err),
        }
    }

    async fn file_api(&self, sent: &Sent) -> Outcome {
        let body = sent.api_body();
        let answer = self
            .http
            .post(format!("{}/api/v1/tickets", self.base))
            .bearer_auth(&self.token)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await;
        match answer {
            Ok(res) if res.status() == 201 => match res.text().await {
                Ok(text) => {
                    let ticket: serde_json::Value = serde_json::from_str(&text).unwrap();
                    Outcome::Acknowledged(Receipt::Id(ticket["id"].as_i64().unwrap()))
                }
                // The answer was cut off after its status line.
                Err(err) => Outcome::Maybe(format!("201 without a whole body: {err}")),
            },
            Ok(res) => Outcome::Failed(format!("status {}", res.status())),
            Err(err) => unanswered(err),
        }
    }
}

/// A request that got no answer: refused before it was sent, or maybe.
fn unanswered(err: reqwest::Error) -> Outcome {
    if err.is_connect() {
        Outcome::Failed(format!("connection refused: {err}"))
    } else if err.is_timeout() {
        Outcome::Maybe(format!("timed out: {err}"))
    } else {
        Outcome::Maybe(format!("{err:?}"))
    }
}

/// One stored ticket, with the rows filing it wrote beside it.
#[derive(Debug, Clone)]
pub struct Stored {
    pub id: i64,
    pub token: String,
    pub fields: Sent,
    pub mails: i64,
    pub webhooks: i64,
}

/// `PRAGMA integrity_check`'s answer and every ticket, read from the
/// database file on a read-only connection of the test's own.
pub async fn read_database(file: &Path) -> (String, Vec<Stored>) {
    let mut conn = SqliteConnectOptions::new()
        .filename(file)
        .read_only(true)
        .connect()
        .await
        .unwrap();
    let integrity: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_all(&mut conn)
        .await
        .unwrap();
    type Row = (
        i64,
        String,
        String,
        String,
        String,
        String,
        String,
        String,
        String,
        i64,
        i64,
    );
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT t.id, t.token, t.error_code, t.message, t.endpoint, IFNULL(t.method, ''), \
         t.environment, t.requester_email, IFNULL(t.tool, ''), \
         (SELECT COUNT(*) FROM mail_outbox m WHERE m.ticket_id = t.id AND m.kind = 'filed'), \
         (SELECT COUNT(*) FROM webhook_deliveries w \
          WHERE w.subject = 'ticket:' || t.id AND w.event = 'ticket.filed') \
         FROM tickets t ORDER BY t.id",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    conn.close().await.unwrap();
    let stored = rows
        .into_iter()
        .map(|r| {
            let marker =
                r.3.split_once(MARKER)
                    .map(|(_, m)| m.to_string())
                    .unwrap_or_default();
            Stored {
                id: r.0,
                token: r.1,
                fields: Sent {
                    marker,
                    // Not stored; compared apart from the fields.
                    via: Via::Form,
                    error_code: r.2,
                    message: r.3,
                    endpoint: r.4,
                    method: r.5,
                    environment: r.6,
                    email: r.7,
                    tool: r.8,
                },
                mails: r.9,
                webhooks: r.10,
            }
        })
        .collect();
    (integrity.join("; "), stored)
}

/// How the requests came out, and how many tickets the database holds.
#[derive(Debug, Default, Clone, Copy)]
pub struct Tally {
    pub acknowledged: usize,
    pub maybe: usize,
    pub maybe_stored: usize,
    pub failed: usize,
    pub stored: usize,
}

/// Checks `stored` against what was sent: every ticket acknowledged in
/// `must_hold` is there with its receipt and the fields it was sent with;
/// every stored ticket is one `known` sent, is no refused one, holds what
/// was sent and has its mail and its webhook delivery.
pub fn check(stored: &[Stored], known: &[Attempt], must_hold: &[Attempt]) -> Tally {
    let mut by_marker: HashMap<&str, &Stored> = HashMap::new();
    for ticket in stored {
        let earlier = by_marker.insert(ticket.fields.marker.as_str(), ticket);
        assert!(
            earlier.is_none(),
            "two tickets carry the marker {:?}",
            ticket.fields.marker
        );
    }
    let sent: HashMap<&str, &Attempt> = known.iter().map(|a| (a.sent.marker.as_str(), a)).collect();
    let mut tally = Tally {
        stored: stored.len(),
        ..Tally::default()
    };
    for ticket in stored {
        let attempt = sent.get(ticket.fields.marker.as_str()).unwrap_or_else(|| {
            panic!(
                "ticket {} was never sent (message {:?})",
                ticket.id, ticket.fields.message
            )
        });
        let mut expected = attempt.sent.clone();
        expected.via = Via::Form;
        assert_eq!(ticket.fields, expected, "ticket {} as stored", ticket.id);
        assert!(
            matches!(
                attempt.outcome,
                Outcome::Acknowledged(_) | Outcome::Maybe(_)
            ),
            "ticket {} was stored though its request was refused: {:?}",
            ticket.id,
            attempt.outcome
        );
        assert_eq!(
            (ticket.mails, ticket.webhooks),
            (1, 1),
            "ticket {} ({}): its confirmation mail and webhook delivery",
            ticket.id,
            ticket.fields.marker
        );
    }
    let required: HashSet<&str> = must_hold
        .iter()
        .filter(|a| a.acknowledged())
        .map(|a| a.sent.marker.as_str())
        .collect();
    for attempt in known {
        let found = by_marker.get(attempt.sent.marker.as_str());
        match &attempt.outcome {
            Outcome::Acknowledged(receipt) => {
                tally.acknowledged += 1;
                if !required.contains(attempt.sent.marker.as_str()) {
                    continue;
                }
                let ticket = found.unwrap_or_else(|| {
                    panic!(
                        "acknowledged ticket {} ({:?}, {receipt:?}) is missing",
                        attempt.sent.marker, attempt.sent.via
                    )
                });
                match receipt {
                    Receipt::Token(token) => assert_eq!(&ticket.token, token),
                    Receipt::Id(id) => assert_eq!(&ticket.id, id),
                }
            }
            Outcome::Maybe(_) => {
                tally.maybe += 1;
                tally.maybe_stored += usize::from(found.is_some());
            }
            Outcome::Failed(_) => tally.failed += 1,
        }
    }
    tally
}
