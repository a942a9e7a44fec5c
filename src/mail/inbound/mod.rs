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
mod files;
mod open;
mod read;
mod report;
mod trim;

#[cfg(test)]
mod properties;

use time::OffsetDateTime;
use uuid::Uuid;

pub use files::MIN_INLINE_IMAGE_BYTES;
pub use read::{Kind, MAX_INBOUND_BYTES, Received, Unreadable, read};
pub use trim::REPLY_ABOVE;

use crate::attachments::{Held, Rules, Upload, Via, admit};
use crate::config::Rate;
use crate::store::{Store, StoreError};
use crate::tickets::redact::redact;
use crate::tickets::workflow::{Actor, Command, Request};
use crate::tickets::{
    EventBody, InboundMail, InboundOutcome, InboundPlan, MAX_EVENT_BODY_CHARS, MAX_MESSAGE_CHARS,
    ResponseTargets,
};

/// How long a mail's files stay staged should filing the mail not claim
/// them (a copy taken before, a ticket held): as for the forms.
const STAGED_FOR: time::Duration = time::Duration::days(1);

/// What became of one message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ingested {
    Taken(InboundOutcome),
    /// The same message was taken before; nothing was done again.
    AlreadyTaken,
    Unreadable(Unreadable),
    /// Its sender is over the `mail` rate limit: recorded as held back,
    /// not filed on any ticket and not answered.
    Refused,
}

impl Ingested {
    /// In plain words, for `apidesk mail ingest` and the log.
    pub fn describe(&self) -> String {
        match self {
            Self::Taken(outcome) => outcome.label().to_string(),
            Self::AlreadyTaken => "taken before; nothing done again".into(),
            Self::Unreadable(why) => format!("not read: {why}"),
            Self::Refused => "refused: its sender sent more mail than the mail rate limit allows; \
                 recorded, not filed, not answered"
                .into(),
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
    /// How a mail's files are judged (`--max-file-size` and the rest,
    /// `--clamav`): files past them are listed as not attached.
    pub rules: Rules,
    /// How much mail one sender may send (`--rate-limits mail=…`); `None`
    /// with rate limits off.
    pub sender_limit: Option<Rate>,
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
        if let Some(reason) = self.over_sender_limit(&received, now).await? {
            tracing::warn!(%reason, "mail refused");
            let mail = InboundMail {
                message_id: received.message_id,
                sender: received.sender,
                subject: redact(&received.subject).text,
                received_at: now,
            };
            let plan = InboundPlan::Hold { reason };
            let taken = self
                .store
                .take_mail_with_files(&mail, &plan, &self.targets, &[], &self.rules.limits)
                .await?;
            return Ok(taken.map_or(Ingested::AlreadyTaken, |_| Ingested::Refused));
        }
        let plan = self.plan(&received, now).await?;
        let (plan, files) = self.attach(plan, received.files, now).await?;
        let mail = InboundMail {
            message_id: received.message_id,
            sender: received.sender,
            // Listed for staff: as free a text as the body.
            subject: redact(&received.subject).text,
            received_at: now,
        };
        let taken = self
            .store
            .take_mail_with_files(&mail, &plan, &self.targets, &files, &self.rules.limits)
            .await?;
        if taken == Some(InboundOutcome::Opened) {
            crate::metrics::ticket_filed(crate::metrics::Via::Mail);
        }
        Ok(taken.map_or(Ingested::AlreadyTaken, Ingested::Taken))
    }

    /// Why this mail is refused, when its sender already sent as much as
    /// the `mail` limit allows within its window. Counted in the database,
    /// so that each `apidesk mail ingest` process sees the others' mail.
    /// Delivery reports are exempt: they file nothing, and are how apidesk
    /// learns which addresses fail.
    async fn over_sender_limit(
        &self,
        received: &Received,
        now: OffsetDateTime,
    ) -> Result<Option<String>, StoreError> {
        let Some(rate) = self.sender_limit else {
            return Ok(None);
        };
        if received.sender.is_empty() || matches!(received.kind, Kind::Report(_)) {
            return Ok(None);
        }
        let window = time::Duration::try_from(rate.per()).unwrap_or(time::Duration::HOUR);
        let sent = self
            .store
            .mail_from_sender_since(&received.sender, now - window)
            .await?;
        Ok((sent >= u64::from(rate.count().get())).then(|| {
            format!(
                "refused: this address sent more mail than apidesk takes ({rate}); \
                 not filed and not answered"
            )
        }))
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
            Kind::Person { words } => words_or_files(words, !received.files.is_empty()),
        };
        let Some(thread) = thread else {
            return Ok(self.unmatched(received).await);
        };
        let Ok(body) = EventBody::parse(&words) else {
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
            words_or_files(words, !received.files.is_empty()),
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

impl Ingest {
    /// The files of a mail that files something (an addition, a note, a
    /// new ticket): each inspected off the async workers, those that pass
    /// and fit the ticket's limits staged, in the mail's order; the rest
    /// listed at the end of what the mail writes, so staff see what did not
    /// come through. Staged here, in a transaction of their own, so that
    /// taking the mail is one short write.
    async fn attach(
        &self,
        mut plan: InboundPlan,
        uploads: Vec<Upload>,
        now: OffsetDateTime,
    ) -> Result<(InboundPlan, Vec<Uuid>), StoreError> {
        let held = match &plan {
            _ if uploads.is_empty() => return Ok((plan, Vec::new())),
            InboundPlan::File(request) => {
                Held::of(&self.store.ticket_files(request.ticket, false).await?)
            }
            InboundPlan::Open(_) => Held::default(),
            _ => return Ok((plan, Vec::new())),
        };
        let (kept, refused) = admit(uploads, &self.rules, held).await;
        let ids = if kept.is_empty() {
            Vec::new()
        } else {
            let staged = self
                .store
                .stage_files(&kept, Via::Mail, now, now + STAGED_FOR)
                .await?;
            tracing::info!(files = staged.len(), via = Via::Mail.name(), "files kept");
            staged.into_iter().map(|file| file.id).collect()
        };
        if !refused.is_empty() {
            let note = refused
                .iter()
                .map(|file| format!("Not attached: {file}"))
                .collect::<Vec<_>>()
                .join("\n");
            note_refused(&mut plan, &note);
        }
        Ok((plan, ids))
    }
}

/// A mail that says nothing but sends files still says something.
fn words_or_files(words: &str, has_files: bool) -> String {
    if words.trim().is_empty() && has_files {
        "(files sent by email, without a message)".to_string()
    } else {
        words.to_string()
    }
}

/// Adds `note` to the end of what the plan writes, cutting the mail's own
/// words if both would not fit in one entry.
fn note_refused(plan: &mut InboundPlan, note: &str) {
    // A file's name is the sender's: it may hold a credential too.
    let note = redact(note).text;
    match plan {
        InboundPlan::File(Request {
            command: Command::MailReply { body, .. },
            ..
        }) => {
            let text = with_note(body.as_str(), &note, MAX_EVENT_BODY_CHARS);
            if let Ok(noted) = EventBody::parse(&text) {
                *body = noted;
            }
        }
        InboundPlan::Open(ticket) => {
            ticket.message = with_note(&ticket.message, &note, MAX_MESSAGE_CHARS);
        }
        _ => {}
    }
}

fn with_note(text: &str, note: &str, max: usize) -> String {
    let room = max.saturating_sub(note.chars().count() + 2);
    let words: String = text.chars().take(room).collect();
    let joined = format!("{}\n\n{note}", words.trim_end());
    joined.chars().take(max).collect()
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
