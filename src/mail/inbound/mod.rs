//! Mail coming in: a requester's answer to apidesk's mail becomes part of
//! their ticket. One reader for every way in (`apidesk mail ingest` on
//! standard input, IMAP polling): it reads the message (`read`), tells a
//! person's mail from a machine's (`automatic`, `report`), trims what was
//! quoted (`trim`), and `Ingest` has the store record it and file it on its
//! ticket through the workflow.
//!
//! A reply is matched only by the Message-ID of apidesk's mail it answers
//! (In-Reply-To, References): random, so never guessed, and never the
//! subject, which anyone can type.

mod automatic;
mod open;
mod read;
mod report;
mod trim;

use time::OffsetDateTime;

pub use read::{Kind, MAX_INBOUND_BYTES, Received, Unreadable, read};
pub use trim::REPLY_ABOVE;

use crate::store::{Store, StoreError};
use crate::tickets::redact::redact;
use crate::tickets::workflow::{Actor, Command, Request};
use crate::tickets::{EventBody, InboundMail, InboundOutcome, InboundPlan, ResponseTargets};

/// What became of one message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ingested {
    Taken(InboundOutcome),
    /// The same message was taken before; nothing was done again.
    AlreadyTaken,
    Unreadable(Unreadable),
}

impl Ingested {
    /// In plain words, for `apidesk mail ingest` and the log.
    pub fn describe(&self) -> String {
        match self {
            Self::Taken(outcome) => outcome.label().to_string(),
            Self::AlreadyTaken => "taken before; nothing done again".into(),
            Self::Unreadable(why) => format!("not read: {why}"),
        }
    }
}

/// Takes received mail into the store.
#[derive(Clone)]
pub struct Ingest {
    pub store: Store,
    pub targets: ResponseTargets,
    /// Whether a person's mail that answers no ticket opens one
    /// (`--mail-new-tickets`).
    pub open_tickets: bool,
}

impl Ingest {
    /// Reads `raw` (off the async workers), decides what it is for, and
    /// records it with what it did. Only a database failure is an error:
    /// the message should then be offered again later.
    pub async fn take(&self, raw: Vec<u8>) -> Result<Ingested, StoreError> {
        let received = match tokio::task::spawn_blocking(move || read(&raw)).await {
            Ok(Ok(received)) => received,
            Ok(Err(why)) => return Ok(Ingested::Unreadable(why)),
            Err(panicked) => std::panic::resume_unwind(panicked.into_panic()),
        };
        let now = OffsetDateTime::now_utc();
        let plan = self.plan(&received, now).await?;
        let mail = InboundMail {
            message_id: received.message_id,
            sender: received.sender,
            // Listed for staff: as free a text as the body.
            subject: redact(&received.subject).text,
            received_at: now,
        };
        let taken = self.store.take_mail(&mail, &plan, &self.targets).await?;
        Ok(taken.map_or(Ingested::AlreadyTaken, Ingested::Taken))
    }

    async fn plan(
        &self,
        received: &Received,
        now: OffsetDateTime,
    ) -> Result<InboundPlan, StoreError> {
        let thread = self.store.mail_thread(&received.answers).await?;
        let ticket_id = thread.as_ref().map(|t| t.ticket_id);
        let words = match &received.kind {
            Kind::Report(report) if report.failures.is_empty() => {
                return Ok(InboundPlan::Ignore {
                    ticket_id,
                    reason: "a delivery report naming no failed address".into(),
                });
            }
            Kind::Report(report) => {
                return Ok(InboundPlan::Bounce {
                    ticket_id,
                    failures: report.failures.clone(),
                });
            }
            Kind::Automatic(reason) => {
                return Ok(InboundPlan::Ignore {
                    ticket_id,
                    reason: reason.clone(),
                });
            }
            Kind::Person { words } => words,
        };
        let Some(thread) = thread else {
            return Ok(self.unmatched(received).await);
        };
        let Ok(body) = EventBody::parse(words) else {
            return Ok(InboundPlan::Ignore {
                ticket_id,
                reason: "nothing new once the quoted mail was removed".into(),
            });
        };
        let from_requester = !thread.requester_email.is_empty()
            && thread
                .requester_email
                .eq_ignore_ascii_case(&received.sender);
        Ok(InboundPlan::File(Request {
            ticket: thread.ticket_id,
            actor: Actor::System,
            command: Command::MailReply {
                from: received.sender.clone(),
                from_requester,
                body,
            },
            at: now,
        }))
    }

    /// A person's mail that answers no ticket: left alone, or (when new
    /// tickets by mail are on) the ticket it opens, read off the async
    /// workers.
    async fn unmatched(&self, received: &Received) -> InboundPlan {
        let unmatched = |why: &str| InboundPlan::Unmatched {
            reason: format!("it answers no mail apidesk sent{why}"),
        };
        let Kind::Person { words } = &received.kind else {
            return unmatched("");
        };
        if !self.open_tickets {
            return unmatched("");
        }
        let (sender, name, subject, words) = (
            received.sender.clone(),
            received.sender_name.clone(),
            received.subject.clone(),
            words.clone(),
        );
        let opened = tokio::task::spawn_blocking(move || {
            open::ticket_from_mail(&sender, &name, &subject, &words)
        })
        .await;
        match opened {
            Ok(Ok(ticket)) => InboundPlan::Open(Box::new(ticket)),
            Ok(Err(why)) => unmatched(&format!(", and {why}")),
            Err(panicked) => std::panic::resume_unwind(panicked.into_panic()),
        }
    }
}

/// IMAP polling hands each message here: dealt with (whatever became of
/// it) means marked seen; only a database failure leaves it for the next
/// poll.
#[async_trait::async_trait]
impl super::imap::Take for Ingest {
    async fn take(&self, raw: &[u8]) -> Result<(), super::imap::TakeLater> {
        match Ingest::take(self, raw.to_vec()).await {
            Ok(ingested) => {
                tracing::info!(outcome = %ingested.describe(), "mail taken from IMAP");
                Ok(())
            }
            Err(err) => {
                tracing::warn!(cause = %err.cause(), "cannot store received mail; it stays unseen");
                Err(super::imap::TakeLater(err.to_string()))
            }
        }
    }
}
