//! One look into the mailbox: every unseen message (up to a batch), oldest
//! first, is fetched without being marked seen, handed to [`Take`], and
//! marked seen only once it was taken.

use std::collections::BTreeMap;

use futures_util::TryStreamExt;
use tokio::sync::watch;

use super::connect::{COMMAND_TIMEOUT, ImapSession, log_in, within};
use super::{ImapError, MAX_INBOUND_BYTES, MAX_PER_POLL, PollSummary, Take, TakeLater};
use crate::config::ImapConfig;

/// One poll: log in, hand over the unseen messages, log out.
pub async fn poll_once(config: &ImapConfig, take: &dyn Take) -> Result<PollSummary, ImapError> {
    poll(config, take, None).await
}

/// As [`poll_once`]; when `stop` turns true the poll ends after the message
/// in hand, or at once while still connecting.
pub(super) async fn poll(
    config: &ImapConfig,
    take: &dyn Take,
    mut stop: Option<watch::Receiver<bool>>,
) -> Result<PollSummary, ImapError> {
    let mut session = tokio::select! {
        session = log_in(config) => session?,
        () = stopped(stop.as_mut()) => return Ok(PollSummary::default()),
    };
    let server = config.server();
    let mut mailbox = Mailbox {
        session: &mut session,
        server: &server,
    };
    let summary = mailbox.hand_over(config, take, stop.as_ref()).await?;
    // After a failed step the conversation may be out of step: the
    // connection is just dropped. A failed log-out loses nothing either.
    let logout = within(COMMAND_TIMEOUT, &server, "logging out", async {
        session
            .logout()
            .await
            .map_err(|err| ImapError::protocol(&server, "logging out", &err))
    })
    .await;
    if let Err(err) = logout {
        tracing::debug!(%err, "IMAP log-out failed");
    }
    Ok(summary)
}

/// Resolves once `stop` turns true; never without one.
async fn stopped(stop: Option<&mut watch::Receiver<bool>>) {
    if let Some(stop) = stop
        && stop.wait_for(|stop| *stop).await.is_ok()
    {
        return;
    }
    std::future::pending().await
}

struct Mailbox<'s> {
    session: &'s mut ImapSession,
    server: &'s str,
}

impl Mailbox<'_> {
    async fn hand_over(
        &mut self,
        config: &ImapConfig,
        take: &dyn Take,
        stop: Option<&watch::Receiver<bool>>,
    ) -> Result<PollSummary, ImapError> {
        self.select(&config.mailbox).await?;
        let mut summary = PollSummary::default();
        let sizes = self.unseen_sizes().await?;
        for (uid, size) in sizes {
            if stop.is_some_and(|stop| *stop.borrow()) {
                break;
            }
            if size.is_some_and(|size| size > MAX_INBOUND_BYTES) {
                self.too_large(uid, size, &mut summary).await?;
                continue;
            }
            // Gone since the search (moved or deleted by someone else).
            let Some(raw) = self.body(uid).await? else {
                continue;
            };
            if raw.len() > MAX_INBOUND_BYTES {
                self.too_large(uid, Some(raw.len()), &mut summary).await?;
                continue;
            }
            match take.take(&raw).await {
                Ok(()) => {
                    self.mark_seen(uid).await?;
                    summary.taken += 1;
                }
                Err(TakeLater(reason)) => {
                    tracing::info!(uid, %reason, "incoming mail left for the next poll");
                    summary.left_for_later += 1;
                }
            }
        }
        Ok(summary)
    }

    async fn select(&mut self, mailbox: &str) -> Result<(), ImapError> {
        let server = self.server;
        let session = &mut *self.session;
        within(COMMAND_TIMEOUT, server, "selecting the mailbox", async {
            match session.select(mailbox).await {
                Ok(_) => Ok(()),
                Err(
                    async_imap::error::Error::No(reason) | async_imap::error::Error::Bad(reason),
                ) => Err(ImapError::MailboxMissing {
                    server: server.to_string(),
                    mailbox: mailbox.to_string(),
                    reason: reason.trim().to_string(),
                }),
                Err(err) => Err(ImapError::protocol(server, "selecting the mailbox", &err)),
            }
        })
        .await
    }

    /// The oldest unseen messages (up to a batch), by UID, with their sizes
    /// when the server gives them.
    async fn unseen_sizes(&mut self) -> Result<BTreeMap<u32, Option<usize>>, ImapError> {
        let server = self.server;
        let session = &mut *self.session;
        let doing = "looking for unseen messages";
        within(COMMAND_TIMEOUT, server, doing, async {
            let fail = |err| ImapError::protocol(server, doing, &err);
            let mut uids: Vec<u32> = session
                .uid_search("UNSEEN")
                .await
                .map_err(fail)?
                .into_iter()
                .collect();
            uids.sort_unstable();
            uids.truncate(MAX_PER_POLL);
            let mut sizes: BTreeMap<u32, Option<usize>> =
                uids.iter().map(|uid| (*uid, None)).collect();
            if uids.is_empty() {
                return Ok(sizes);
            }
            let set = uids
                .iter()
                .map(u32::to_string)
                .collect::<Vec<_>>()
                .join(",");
            let fetches: Vec<_> = session
                .uid_fetch(set, "(UID RFC822.SIZE)")
                .await
                .map_err(fail)?
                .try_collect()
                .await
                .map_err(fail)?;
            for fetch in fetches {
                if let (Some(uid), Some(size)) = (fetch.uid, fetch.size) {
                    sizes.insert(uid, usize::try_from(size).ok());
                }
            }
            Ok(sizes)
        })
        .await
    }

    /// The whole message, byte for byte; PEEK leaves it unseen.
    async fn body(&mut self, uid: u32) -> Result<Option<Vec<u8>>, ImapError> {
        let server = self.server;
        let session = &mut *self.session;
        let doing = "fetching a message";
        within(COMMAND_TIMEOUT, server, doing, async {
            let fail = |err| ImapError::protocol(server, doing, &err);
            let fetches: Vec<_> = session
                .uid_fetch(uid.to_string(), "(UID BODY.PEEK[])")
                .await
                .map_err(fail)?
                .try_collect()
                .await
                .map_err(fail)?;
            Ok(fetches
                .iter()
                .find(|fetch| fetch.uid == Some(uid))
                .and_then(|fetch| fetch.body())
                .map(<[u8]>::to_vec))
        })
        .await
    }

    async fn mark_seen(&mut self, uid: u32) -> Result<(), ImapError> {
        let server = self.server;
        let session = &mut *self.session;
        let doing = "marking a message seen";
        within(COMMAND_TIMEOUT, server, doing, async {
            let fail = |err| ImapError::protocol(server, doing, &err);
            let _updates: Vec<_> = session
                .uid_store(uid.to_string(), "+FLAGS (\\Seen)")
                .await
                .map_err(fail)?
                .try_collect()
                .await
                .map_err(fail)?;
            Ok(())
        })
        .await
    }

    /// Not downloaded, never handed over: marked seen so that it is not
    /// looked at again at every poll.
    async fn too_large(
        &mut self,
        uid: u32,
        size: Option<usize>,
        summary: &mut PollSummary,
    ) -> Result<(), ImapError> {
        tracing::warn!(
            uid,
            size,
            limit = MAX_INBOUND_BYTES,
            "incoming mail too large: marked seen and not taken"
        );
        self.mark_seen(uid).await?;
        summary.too_large += 1;
        Ok(())
    }
}
