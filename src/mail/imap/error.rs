//! What went wrong talking to the IMAP server, in plain words. No variant
//! holds the password: the texts come from the server's answers, the
//! settings' host, user and mailbox, and I/O or TLS errors.

use std::io;
use std::time::Duration;

use tokio_rustls::rustls;

#[derive(Debug, thiserror::Error)]
pub enum ImapError {
    #[error("cannot connect to {server}: {reason}")]
    Connect { server: String, reason: String },
    #[error(
        "certificate not trusted: {server} presented a certificate apidesk does not trust \
         ({reason}); if a private CA signed it, give that CA with --imap-ca-file"
    )]
    Certificate { server: String, reason: String },
    #[error("the secure connection to {server} failed: {reason}")]
    Tls { server: String, reason: String },
    #[error(
        "{server} does not offer STARTTLS ({reason}): apidesk never sends the password \
         unencrypted; use imaps:// if the server speaks TLS from the start"
    )]
    NoStartTls { server: String, reason: String },
    #[error("login refused by {server} for the user {user:?}: {reason}")]
    LoginRefused {
        server: String,
        user: String,
        reason: String,
    },
    #[error("mailbox missing: {server} has no mailbox {mailbox:?} to select ({reason})")]
    MailboxMissing {
        server: String,
        mailbox: String,
        reason: String,
    },
    #[error("no answer from {server} within {}s while {doing}", .waited.as_secs())]
    Timeout {
        server: String,
        doing: &'static str,
        waited: Duration,
    },
    #[error("the IMAP conversation with {server} failed while {doing}: {reason}")]
    Protocol {
        server: String,
        doing: &'static str,
        reason: String,
    },
}

impl ImapError {
    /// A failed TCP connection or TLS handshake: an untrusted certificate
    /// is told apart from the rest, since its fix is a setting.
    pub(super) fn from_connect(server: &str, err: &io::Error, handshake: bool) -> Self {
        let server = server.to_string();
        let tls = err
            .get_ref()
            .and_then(|inner| inner.downcast_ref::<rustls::Error>());
        match tls {
            Some(rustls::Error::InvalidCertificate(why)) => Self::Certificate {
                server,
                reason: format!("{why:?}"),
            },
            Some(other) => Self::Tls {
                server,
                reason: other.to_string(),
            },
            None if handshake => Self::Tls {
                server,
                reason: err.to_string(),
            },
            None => Self::Connect {
                server,
                reason: err.to_string(),
            },
        }
    }

    /// A command that failed after the connection was made. The login's
    /// own errors go through [`ImapError::login`].
    pub(super) fn protocol(
        server: &str,
        doing: &'static str,
        err: &async_imap::error::Error,
    ) -> Self {
        Self::Protocol {
            server: server.to_string(),
            doing,
            reason: describe(err),
        }
    }

    pub(super) fn login(server: &str, user: &str, err: &async_imap::error::Error) -> Self {
        use async_imap::error::Error;
        match err {
            Error::No(_) | Error::Bad(_) => Self::LoginRefused {
                server: server.to_string(),
                user: user.to_string(),
                reason: describe(err),
            },
            _ => Self::protocol(server, "logging in", err),
        }
    }
}

/// The words of an async-imap error, never the command that was sent (the
/// LOGIN command holds the password). A validation error names the one
/// character IMAP could not carry, which may come from the password: it is
/// not repeated.
fn describe(err: &async_imap::error::Error) -> String {
    use async_imap::error::Error;
    match err {
        Error::No(text) | Error::Bad(text) if text.trim().is_empty() => {
            "the server said no, without a reason".to_string()
        }
        Error::No(text) | Error::Bad(text) => text.trim().to_string(),
        Error::Io(io) => io.to_string(),
        Error::ConnectionLost => "the server closed the connection".to_string(),
        Error::Validate(_) => "the user, password or mailbox holds a character IMAP cannot carry \
             (a line break or a quote)"
            .to_string(),
        Error::Parse(_) => "its answer could not be read".to_string(),
        Error::Append => "the server refused to store the message".to_string(),
        _ => "an unexpected error in the IMAP client".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use async_imap::error::{Error, ValidateError};

    #[test]
    fn refused_logins_say_so_and_never_show_the_password() {
        let err = ImapError::login(
            "imap.example.com:993",
            "support",
            &Error::No("[AUTHENTICATIONFAILED] Authentication failed.".into()),
        );
        assert!(matches!(err, ImapError::LoginRefused { .. }));
        let text = err.to_string();
        assert!(
            text.starts_with("login refused by imap.example.com:993"),
            "{text}"
        );
        assert!(text.contains("Authentication failed"), "{text}");

        // A character the LOGIN command cannot carry (from the password,
        // perhaps) is not echoed back.
        let err = ImapError::login("h:993", "support", &Error::Validate(ValidateError('\n')));
        let shown = format!("{err} {err:?}");
        assert!(shown.contains("cannot carry"), "{shown}");
        assert!(!shown.contains("invalid character"), "{shown}");
    }

    #[test]
    fn connection_failures_are_told_apart_from_untrusted_certificates() {
        let refused = io::Error::new(io::ErrorKind::ConnectionRefused, "connection refused");
        let err = ImapError::from_connect("127.0.0.1:1", &refused, false);
        assert!(
            err.to_string().starts_with("cannot connect to 127.0.0.1:1"),
            "{err}"
        );

        let untrusted = io::Error::new(
            io::ErrorKind::InvalidData,
            rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer),
        );
        let err = ImapError::from_connect("imap.example.com:993", &untrusted, true);
        assert!(matches!(err, ImapError::Certificate { .. }), "{err:?}");
        assert!(err.to_string().contains("certificate not trusted"), "{err}");
        assert!(err.to_string().contains("UnknownIssuer"), "{err}");

        let closed = io::Error::new(io::ErrorKind::UnexpectedEof, "tls handshake eof");
        let err = ImapError::from_connect("imap.example.com:993", &closed, true);
        assert!(matches!(err, ImapError::Tls { .. }), "{err:?}");
    }
}
