//! The background task that delivers the outbox: every pending mail that is
//! due is rendered, handed to the transport, and its attempt recorded.
//!
//! A mail is recorded as sent only after the server accepted it, so a crash
//! between the two sends it again on restart: at worst twice, never not at
//! all.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use time::OffsetDateTime;
use tokio::sync::watch;

use super::render::{MailInput, render, render_links};
use super::retry::{MAX_ATTEMPTS, jitter, wait_after};
use super::{OutgoingMessage, SendError};
use crate::kb::SharedKb;
use crate::store::{Store, StoreError};
use crate::tickets::{Delivery, MailAbout, MailRecord};

/// Mail due at once is taken in batches of this many.
const BATCH: u32 = 50;
/// How often the outbox is looked at when nothing is due sooner.
const POLL: Duration = Duration::from_secs(1);

/// Whatever carries a message to the mail server (SMTP in production).
#[async_trait]
pub trait Transport: Send + Sync {
    /// Sends `message`; on success, the server's answer.
    async fn send(&self, message: &OutgoingMessage) -> Result<String, SendError>;
}

#[async_trait]
impl Transport for super::Mailer {
    async fn send(&self, message: &OutgoingMessage) -> Result<String, SendError> {
        super::Mailer::send(self, message)
            .await
            .map(|sent| sent.reply)
    }
}

/// What the delivery task needs.
#[derive(Clone)]
pub struct Deliverer {
    pub store: Store,
    /// The content being served, for the checks a ticket names.
    pub kb: SharedKb,
    pub transport: Arc<dyn Transport>,
    /// Where requesters reach apidesk, for the links in mail.
    pub public_url: String,
    /// The right-hand side of Message-IDs: the sender's domain.
    pub domain: String,
    /// Whether answers to apidesk's mail reach it (`--mail-replies`).
    pub replies: bool,
}

impl Deliverer {
    /// Delivers until `stop` turns true, then returns after the mail in
    /// hand (a send is never cut off halfway).
    pub async fn run(self, mut stop: watch::Receiver<bool>) {
        tracing::info!("mail delivery started");
        while !*stop.borrow() {
            let full = match self.deliver_due(OffsetDateTime::now_utc()).await {
                Ok(done) => done == BATCH as usize,
                Err(err) => {
                    tracing::error!(%err, "cannot read the mail outbox");
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
        tracing::info!("mail delivery stopped");
    }

    /// One pass: every mail due at `now` (up to a batch) is tried once.
    /// Returns how many were tried.
    pub async fn deliver_due(&self, now: OffsetDateTime) -> Result<usize, StoreError> {
        let due = self.store.due_mail(now, BATCH).await?;
        for mail in &due {
            let delivery = self.attempt(mail).await;
            match &delivery {
                Delivery::Sent { .. } => {
                    tracing::info!(
                        mail = mail.id,
                        ticket = mail.ticket_id(),
                        kind = mail.kind.as_str(),
                        "mail sent"
                    );
                }
                Delivery::Retry { detail, .. } | Delivery::GaveUp { detail, .. } => {
                    crate::metrics::delivery_failed("mail");
                    tracing::warn!(mail = mail.id, ticket = mail.ticket_id(), %detail, "mail not sent");
                }
            }
            self.store
                .record_delivery(mail.id, OffsetDateTime::now_utc(), &delivery)
                .await?;
        }
        Ok(due.len())
    }

    /// One attempt at `mail`, and what follows from it.
    async fn attempt(&self, mail: &MailRecord) -> Delivery {
        let message = match self.message(mail).await {
            Ok(message) => message,
            Err(problem) => {
                return Delivery::GaveUp {
                    detail: problem,
                    permanent: true,
                };
            }
        };
        match self.transport.send(&message).await {
            Ok(answer) => Delivery::Sent { detail: answer },
            Err(SendError::Permanent(detail)) => Delivery::GaveUp {
                detail,
                permanent: true,
            },
            Err(SendError::Temporary(detail)) => {
                let failures = mail.attempts + 1;
                if failures >= MAX_ATTEMPTS {
                    Delivery::GaveUp {
                        detail: format!("{detail} (gave up after {failures} attempts)"),
                        permanent: false,
                    }
                } else {
                    Delivery::Retry {
                        detail,
                        next_at: OffsetDateTime::now_utc() + wait_after(failures, jitter()),
                    }
                }
            }
        }
    }

    /// The message for `mail`: about an event, threaded after the ticket's
    /// earlier mail to the same person; or the links to several tickets.
    async fn message(&self, mail: &MailRecord) -> Result<OutgoingMessage, String> {
        let unreadable = |err: StoreError| format!("a ticket could not be read: {err}");
        let (ticket_id, event_id) = match &mail.about {
            MailAbout::Event {
                ticket_id,
                event_id,
            } => (*ticket_id, *event_id),
            MailAbout::Tickets(ids) => {
                let mut tickets = Vec::with_capacity(ids.len());
                for id in ids {
                    if let Some(ticket) = self.store.ticket_by_id(*id).await.map_err(unreadable)? {
                        tickets.push(ticket);
                    }
                }
                let rendered = render_links(&tickets, &self.public_url)
                    .map_err(|err| format!("the mail could not be written: {err}"))?;
                return Ok(OutgoingMessage {
                    to: mail.recipient.clone(),
                    subject: rendered.subject,
                    message_id: format!("{}@{}", mail.message_key, self.domain),
                    in_reply_to: None,
                    references: Vec::new(),
                    text: rendered.text,
                    html: rendered.html,
                });
            }
        };
        let ticket = self
            .store
            .ticket_by_id(ticket_id)
            .await
            .map_err(unreadable)?
            .ok_or("the ticket no longer exists")?;
        let event = self
            .store
            .ticket_timeline(ticket_id)
            .await
            .map_err(unreadable)?
            .into_iter()
            .find(|event| event.id == event_id);
        let earlier: Vec<MailRecord> = self
            .store
            .ticket_mail(ticket_id)
            .await
            .map_err(unreadable)?
            .into_iter()
            // One thread per recipient: staff mail is not in the requester's.
            .filter(|other| {
                other.id < mail.id && other.resend_of.is_none() && other.recipient == mail.recipient
            })
            .collect();
        let input = MailInput {
            mail,
            ticket: &ticket,
            event: event.as_ref(),
            checks: self
                .kb
                .get()
                .checks_made(Some(ticket.details.error_code), &ticket.details.path),
            public_url: self.public_url.clone(),
            replies: self.replies,
        };
        let rendered =
            render(&input).map_err(|err| format!("the mail could not be written: {err}"))?;
        let id = |key: &str| format!("{key}@{}", self.domain);
        Ok(OutgoingMessage {
            to: mail.recipient.clone(),
            subject: rendered.subject,
            message_id: id(&mail.message_key),
            in_reply_to: earlier.last().map(|m| id(&m.message_key)),
            references: earlier.iter().map(|m| id(&m.message_key)).collect(),
            text: rendered.text,
            html: rendered.html,
        })
    }
}

#[cfg(test)]
mod tests;
