//! Outgoing mail: a rendered message in, the server's answer out.
//!
//! `Mailer::send` makes one SMTP delivery attempt and says whether a failure
//! is worth retrying (`SendError::Temporary`) or not (`Permanent`); retries,
//! the outbox and the templates live with the caller.

mod message;
mod outcome;
mod smtp;

pub use message::{MessageError, OutgoingMessage};
pub use outcome::{SendError, Sent};
pub use smtp::{DEFAULT_TIMEOUT, Mailer};
