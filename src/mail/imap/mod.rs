//! Incoming mail over IMAP: every `config.poll` the mailbox's unseen
//! messages are fetched (over TLS, certificates verified), handed to a
//! [`Take`] (the ingest), and marked seen once taken. A message the ingest
//! cannot take now stays unseen and comes again at the next poll.

use std::sync::Arc;

use async_trait::async_trait;
use tokio::sync::watch;

use crate::config::ImapConfig;

mod connect;
mod error;
mod poll;

pub use connect::{COMMAND_TIMEOUT, CONNECT_TIMEOUT};
pub use error::ImapError;
pub use poll::poll_once;

/// Messages larger than this are not downloaded: marked seen, logged and
/// counted as too large.
pub use crate::mail::inbound::MAX_INBOUND_BYTES;
/// Unseen messages handed over in one poll, oldest first; the rest wait
/// for the next.
pub const MAX_PER_POLL: usize = 100;

/// What the poller hands each message to (the ingest implements it).
#[async_trait]
pub trait Take: Send + Sync {
    /// Ok: the message was dealt with (taken, or deliberately ignored):
    /// mark it seen. Err: a temporary problem (database busy): leave it
    /// unseen, try at the next poll.
    async fn take(&self, raw: &[u8]) -> Result<(), TakeLater>;
}

/// Why a message could not be taken now; logged, never shown to people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TakeLater(pub String);

/// What one poll did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct PollSummary {
    /// Handed over and marked seen.
    pub taken: usize,
    /// Handed over, answered [`TakeLater`]: still unseen.
    pub left_for_later: usize,
    /// Over [`MAX_INBOUND_BYTES`]: marked seen, not handed over.
    pub too_large: usize,
}

/// Polls every `config.poll` until `stop` turns true. A poll that fails is
/// logged (the error never holds the password) and the next one still
/// happens. Stopping ends a poll after the message in hand.
pub async fn run(config: ImapConfig, take: Arc<dyn Take>, mut stop: watch::Receiver<bool>) {
    let server = config.server();
    let mailbox = config.mailbox.as_str();
    tracing::info!(%server, mailbox, every = ?config.poll, "IMAP polling started");
    while !*stop.borrow() {
        match poll::poll(&config, take.as_ref(), Some(stop.clone())).await {
            Ok(summary) if summary == PollSummary::default() => {
                tracing::debug!(%server, mailbox, "no new mail");
            }
            Ok(summary) => tracing::info!(
                %server,
                mailbox,
                taken = summary.taken,
                left_for_later = summary.left_for_later,
                too_large = summary.too_large,
                "incoming mail polled"
            ),
            Err(err) => tracing::warn!(%err, "IMAP poll failed; trying again at the next poll"),
        }
        tokio::select! {
            () = tokio::time::sleep(config.poll) => {}
            changed = stop.changed() => {
                // The sender is gone: nobody can ask to stop any more, so
                // the server is going away.
                if changed.is_err() {
                    break;
                }
            }
        }
    }
    tracing::info!(%server, mailbox, "IMAP polling stopped");
}

#[cfg(test)]
mod tests;
