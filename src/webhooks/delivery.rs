//! The background task that sends webhook deliveries: every pending one
//! that is due is signed, posted, and its attempt recorded, as the mail
//! outbox's task does for mail (`mail::delivery`).
//!
//! A delivery is marked sent only after its receiver answered 2xx, so a
//! crash in between sends it again after the restart: receivers see each
//! delivery at least once, and drop repeats by its id.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use time::OffsetDateTime;
use tokio::sync::watch;

use super::address::AllowList;
use super::http::{Answer, Lookup, Sender, SystemLookup};
use super::payload::{Delivery, Subject, body};
use super::record::{Attempt, DueDelivery, Next, excerpt};
use super::retry::{MAX_ATTEMPTS, wait_after};
use super::sign::{DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, signature};
use crate::store::{Store, StoreError};

/// Deliveries due at once are taken in batches of this many, at most
/// `PER_ENDPOINT` of them to one endpoint: a receiver that is down costs a
/// batch one timeout, not twenty, and the others are served meanwhile.
const BATCH: u32 = 20;
const PER_ENDPOINT: u32 = 5;
/// How often the deliveries are looked at when a batch did not fill.
const POLL: Duration = Duration::from_secs(2);

/// What the delivery task needs.
#[derive(Clone)]
pub struct Deliverer {
    store: Store,
    sender: Arc<Sender>,
    /// Where staff reach apidesk, for the links in bodies.
    public_url: Option<String>,
}

impl Deliverer {
    /// Sends through the system's resolver, to public addresses and the
    /// hosts in `allow`.
    pub fn new(store: Store, public_url: Option<String>, allow: AllowList) -> anyhow::Result<Self> {
        Self::with_lookup(store, public_url, allow, Arc::new(SystemLookup))
    }

    /// As `new`, with host names looked up by `lookup` (tests).
    pub fn with_lookup(
        store: Store,
        public_url: Option<String>,
        allow: AllowList,
        lookup: Arc<dyn Lookup>,
    ) -> anyhow::Result<Self> {
        Ok(Self {
            store,
            sender: Arc::new(Sender::new(allow, lookup)?),
            public_url,
        })
    }

    /// Delivers until `stop` turns true, then returns after the delivery in
    /// hand (each is bounded by the client's timeout).
    pub async fn run(self, mut stop: watch::Receiver<bool>) {
        tracing::info!("webhook delivery started");
        while !*stop.borrow() {
            let full = match self
                .deliver_due_until(OffsetDateTime::now_utc(), &stop)
                .await
            {
                Ok(done) => done == BATCH as usize,
                Err(err) => {
                    tracing::error!(%err, "cannot read the webhook deliveries");
                    false
                }
            };
            if full {
                continue;
            }
            tokio::select! {
                () = tokio::time::sleep(POLL) => {}
                _ = stop.changed() => {}
            }
        }
        tracing::info!("webhook delivery stopped");
    }

    /// One pass: every delivery due at `now` (up to a batch) is tried once,
    /// and retries are timed from `now`. Returns how many were tried.
    pub async fn deliver_due(&self, now: OffsetDateTime) -> Result<usize, StoreError> {
        let (_, never) = watch::channel(false);
        self.deliver_due_until(now, &never).await
    }

    async fn deliver_due_until(
        &self,
        now: OffsetDateTime,
        stop: &watch::Receiver<bool>,
    ) -> Result<usize, StoreError> {
        let due = self
            .store
            .due_webhook_deliveries(now, BATCH, PER_ENDPOINT)
            .await?;
        // Endpoints that did not answer this round: the rest of theirs wait
        // for a later round rather than each waiting out its own timeout.
        let mut unanswered = HashSet::new();
        let mut tried = 0;
        for due in &due {
            // Stopping waits for one delivery at most, not a whole batch.
            if *stop.borrow() {
                break;
            }
            if unanswered.contains(&due.endpoint.id) {
                continue;
            }
            let (attempt, answered) = self.attempt(due, now).await;
            if !answered {
                unanswered.insert(due.endpoint.id);
            }
            // The endpoint's id and the outcome only: its URL can itself be
            // a secret (Slack's are), and the signature is never logged.
            let (delivery, endpoint) = (due.delivery.id, due.endpoint.id);
            let event = due.delivery.event.as_str();
            match attempt.next {
                Next::Sent => {
                    tracing::info!(
                        delivery,
                        endpoint,
                        event,
                        status = attempt.status,
                        "webhook sent"
                    );
                }
                Next::RetryAt(_) | Next::GiveUp => {
                    crate::metrics::delivery_failed("webhook");
                    tracing::warn!(
                        delivery,
                        endpoint,
                        event,
                        status = attempt.status,
                        error = %attempt.error,
                        gave_up = attempt.next == Next::GiveUp,
                        "webhook not delivered"
                    );
                }
            }
            self.store
                .record_webhook_attempt(due.delivery.id, now, &attempt)
                .await?;
            tried += 1;
        }
        Ok(tried)
    }

    /// One attempt at `due`, what follows from it, and whether its receiver
    /// answered (or was never asked: a refusal costs no time).
    async fn attempt(&self, due: &DueDelivery, now: OffsetDateTime) -> (Attempt, bool) {
        let record = &due.delivery;
        let give_up = |error: String| Attempt {
            status: None,
            response: String::new(),
            error,
            next: Next::GiveUp,
        };
        if !due.endpoint.is_active() {
            return (give_up("the endpoint was disabled".into()), true);
        }
        let subject: Subject = match serde_json::from_str(&record.payload) {
            Ok(subject) => subject,
            Err(err) => {
                return (
                    give_up(format!("the stored payload cannot be read: {err}")),
                    true,
                );
            }
        };
        let delivery = Delivery {
            event: record.event,
            id: record.uuid,
            occurred_at: record.created_at,
            subject: &subject,
        };
        let body = body(due.endpoint.format, &delivery, self.public_url.as_deref());
        let headers = [
            (EVENT_HEADER, record.event.as_str().to_string()),
            (DELIVERY_HEADER, record.uuid.to_string()),
            (
                SIGNATURE_HEADER,
                signature(&due.endpoint.secret, now.unix_timestamp(), &body),
            ),
        ];
        let answer = self.sender.post(&due.endpoint.url, &headers, body).await;
        let answered = !matches!(answer, Answer::Failed(_));
        let (status, response, error) = match answer {
            Answer::Status { code, body, .. } if (200..300).contains(&code) => {
                let sent = Attempt {
                    status: Some(code),
                    response: body,
                    error: String::new(),
                    next: Next::Sent,
                };
                return (sent, true);
            }
            Answer::Status {
                code,
                body,
                location,
            } => {
                let error = match location {
                    Some(to) if (300..400).contains(&code) => excerpt(&format!(
                        "answered {code}, a redirect to {to}; redirects are not followed \
                         (register the URL it points to)"
                    )),
                    _ => format!("answered {code}; only a 2xx answer counts as delivered"),
                };
                (Some(code), body, error)
            }
            Answer::Failed(error) => (None, String::new(), error),
            // The rules will refuse it the next time too.
            Answer::Refused(why) => return (give_up(format!("not sent: {why}")), true),
        };
        let failures = record.attempts + 1;
        let next = match wait_after(failures) {
            Some(wait) => Next::RetryAt(now + wait),
            None => Next::GiveUp,
        };
        let error = if next == Next::GiveUp {
            format!("{error} (gave up after {MAX_ATTEMPTS} attempts)")
        } else {
            error
        };
        let attempt = Attempt {
            status,
            response,
            error,
            next,
        };
        (attempt, answered)
    }
}

#[cfg(test)]
mod tests;
