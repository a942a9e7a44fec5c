//! SIGHUP: read the `--content` folder again while serving. Valid content
//! is swapped in for the requests that follow; invalid content is logged
//! problem by problem, and the content being served stays.

use std::path::PathBuf;

use anyhow::Context;
use tokio::signal::unix::{Signal, SignalKind, signal};
use tokio::sync::watch;

use crate::kb::{KnowledgeBase, SharedKb};

pub(super) struct Reloader {
    hangups: Signal,
    /// `--content`; without it there is nothing to read again.
    folder: Option<PathBuf>,
    kb: SharedKb,
}

impl Reloader {
    /// Listens from now on. Set up before the server says it is listening,
    /// so that a SIGHUP sent once it has said so never meets the signal's
    /// default action, which ends the process.
    pub(super) fn listen(folder: Option<PathBuf>, kb: SharedKb) -> anyhow::Result<Self> {
        let hangups = signal(SignalKind::hangup()).context("cannot listen for SIGHUP")?;
        Ok(Self {
            hangups,
            folder,
            kb,
        })
    }

    /// Reloads on each SIGHUP until `stop` turns true; a reload under way
    /// is finished first.
    pub(super) async fn run(mut self, mut stop: watch::Receiver<bool>) {
        while !*stop.borrow() {
            tokio::select! {
                received = self.hangups.recv() => match received {
                    Some(()) => self.reload().await,
                    None => break,
                },
                changed = stop.changed() => {
                    // The sender is gone: nobody can ask to stop any more.
                    if changed.is_err() {
                        break;
                    }
                }
            }
        }
    }

    async fn reload(&self) {
        let Some(folder) = self.folder.clone() else {
            tracing::info!(
                "SIGHUP: nothing to reload; apidesk serves its built-in content \
                 (start it with --content DIR to serve content it can reload)"
            );
            return;
        };
        let shown = folder.display().to_string();
        // Reading and checking every file is blocking work.
        let loaded = tokio::task::spawn_blocking(move || KnowledgeBase::load_folder(&folder));
        match loaded.await {
            Ok(Ok(kb)) => {
                let loaded = kb.describe();
                self.kb.replace(kb);
                tracing::info!(folder = %shown, "content reloaded: {loaded}");
            }
            Ok(Err(error)) => {
                for problem in &error.problems {
                    tracing::warn!(folder = %shown, "content not reloaded: {problem}");
                }
                let count = error.problems.len();
                let plural = if count == 1 { "" } else { "s" };
                tracing::warn!(
                    folder = %shown,
                    "content not reloaded: {count} problem{plural}; still serving the content loaded before"
                );
            }
            Err(err) => tracing::error!(%err, "the content reload failed"),
        }
    }
}
