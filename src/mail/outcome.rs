//! What became of one delivery attempt, in words a person can act on.

use std::io;

use lettre::transport::smtp::Error as SmtpError;

use super::message::MessageError;

/// The server took the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sent {
    /// The server's final reply, e.g. `250 2.0.0 Ok: queued as 4F2A1`.
    pub reply: String,
}

/// Why a message was not taken. The text is a short reason with the
/// server's reply code and words; it never holds credentials.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// Worth trying again later: a 4xx reply, or the server could not be
    /// reached, secured or heard from in time.
    #[error("not sent for now: {0}")]
    Temporary(String),
    /// Trying again will not help: a 5xx reply (a refused recipient,
    /// sender, sign-in or message), or a message that cannot be built.
    #[error("not sent: {0}")]
    Permanent(String),
}

impl SendError {
    pub fn reason(&self) -> &str {
        match self {
            Self::Temporary(reason) | Self::Permanent(reason) => reason,
        }
    }

    pub fn is_temporary(&self) -> bool {
        matches!(self, Self::Temporary(_))
    }
}

/// The step of the conversation that failed, for the wording and advice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stage {
    Build,
    Connect,
    Secure,
    SignIn,
    Sender,
    Recipient,
    Message,
}

#[derive(Debug)]
pub(crate) struct Failure {
    pub temporary: bool,
    pub stage: Stage,
    pub reason: String,
}

/// Longest reason kept: a server may answer with pages of text.
const MAX_REASON_CHARS: usize = 300;

impl Failure {
    pub fn build(err: MessageError) -> Self {
        Self {
            temporary: false,
            stage: Stage::Build,
            reason: err.to_string(),
        }
    }

    pub fn timeout(stage: Stage, server: &str, waited: std::time::Duration) -> Self {
        Self {
            temporary: true,
            stage,
            // Debug prints a duration as "30s" or "200ms".
            reason: format!(
                "no answer from {server} within {waited:?}, {}",
                doing(stage)
            ),
        }
    }

    pub fn no_starttls(server: &str) -> Self {
        Self {
            temporary: true,
            stage: Stage::Secure,
            reason: format!(
                "{server} does not offer STARTTLS, and apidesk sends mail to it only encrypted"
            ),
        }
    }

    /// Words for lettre's error at `stage`; `subject` names what was
    /// refused (the sender's or recipient's address).
    pub fn smtp(stage: Stage, err: &SmtpError, server: &str, subject: &str) -> Self {
        let (detail, io_kind) = innermost(err);
        if let Some(code) = err.status() {
            let temporary = err.is_transient();
            let reply = format!("{code} {detail}").trim().to_string();
            let verb = if temporary { "deferred" } else { "refused" };
            let reason = match stage {
                Stage::Connect => format!("{server} {verb} the connection ({reply})"),
                Stage::Secure => format!("{server} {verb} STARTTLS ({reply})"),
                Stage::SignIn => format!("the server {verb} the sign-in ({reply})"),
                Stage::Sender => format!("the server {verb} the sender {subject} ({reply})"),
                Stage::Recipient => format!("the server {verb} the recipient {subject} ({reply})"),
                Stage::Build | Stage::Message => format!("the server {verb} the message ({reply})"),
            };
            return Self {
                temporary,
                stage,
                reason,
            };
        }
        // tokio-rustls reports a failed handshake (an untrusted certificate,
        // say) as invalid data, which a plain TCP connection never gives.
        let tls_failed = err.is_tls()
            || (matches!(stage, Stage::Connect | Stage::Secure)
                && io_kind == Some(io::ErrorKind::InvalidData));
        let (temporary, stage, reason) = if err.is_timeout() {
            (
                true,
                stage,
                format!("no answer from {server} in time, {}", doing(stage)),
            )
        } else if tls_failed {
            let reason = format!("the secure connection to {server} failed: {detail}");
            (true, Stage::Secure, reason)
        } else if err.is_response() {
            let reason = format!("the answer from {server} could not be read: {detail}");
            (true, stage, reason)
        } else if err.is_client() && stage == Stage::SignIn {
            let reason = "the server offers no sign-in apidesk speaks (AUTH PLAIN or LOGIN)";
            (false, stage, reason.to_string())
        } else if err.is_client() {
            (false, stage, format!("apidesk cannot go on: {detail}"))
        } else {
            (true, stage, format!("cannot reach {server}: {detail}"))
        };
        Self {
            temporary,
            stage,
            reason,
        }
    }

    /// The reason with `secret` cut out, should a server ever echo it, and
    /// cut to a readable length.
    pub fn scrubbed(mut self, secret: Option<&str>) -> Self {
        if let Some(secret) = secret.filter(|s| !s.is_empty()) {
            self.reason = self.reason.replace(secret, "[redacted]");
        }
        if let Some((cut, _)) = self.reason.char_indices().nth(MAX_REASON_CHARS) {
            self.reason.truncate(cut);
            self.reason.push('…');
        }
        self
    }

    /// What to check, for a person running `apidesk mail test`.
    pub fn advice(&self) -> Option<&'static str> {
        Some(match self.stage {
            Stage::Connect => {
                "Check the host and port in --smtp-url, and that the mail server is running."
            }
            Stage::Secure => {
                "Check that the server offers TLS on that port; if its certificate comes \
                 from your own authority, give that authority's certificate with --smtp-ca-file."
            }
            Stage::SignIn => "Check the user and password in --smtp-url.",
            Stage::Sender => {
                "Check --mail-from: the server may not let this account send as that address."
            }
            Stage::Recipient => "Check the address given with --to.",
            Stage::Build | Stage::Message => return None,
        })
    }
}

impl From<Failure> for SendError {
    fn from(failure: Failure) -> Self {
        if failure.temporary {
            Self::Temporary(failure.reason)
        } else {
            Self::Permanent(failure.reason)
        }
    }
}

/// The words of the innermost error (lettre nests its own: "network error:
/// Connection error: …"), and the kind of the innermost I/O error.
fn innermost(err: &SmtpError) -> (String, Option<io::ErrorKind>) {
    let mut current: &dyn std::error::Error = err;
    let mut kind = None;
    while let Some(next) = current.source() {
        current = next;
        if let Some(io) = current.downcast_ref::<io::Error>() {
            kind = Some(io.kind());
        }
    }
    let words = if std::ptr::addr_eq(current, err) {
        String::new()
    } else {
        current.to_string()
    };
    (words, kind)
}

fn doing(stage: Stage) -> &'static str {
    match stage {
        Stage::Build | Stage::Connect => "while connecting",
        Stage::Secure => "while starting TLS",
        Stage::SignIn => "while signing in",
        Stage::Sender | Stage::Recipient => "while giving the addresses",
        Stage::Message => "while sending the message",
    }
}
