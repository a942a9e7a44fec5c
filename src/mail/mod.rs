//! Mail: what apidesk tells requesters and staff, rendered from the outbox
//! (`render`), delivered in the background (`delivery`) over SMTP
//! (`Mailer::send`, one attempt, saying whether a failure is worth
//! retrying); and what comes back (`inbound`), fetched over IMAP (`imap`)
//! or handed over by `apidesk mail ingest`.

pub mod delivery;
pub mod imap;
pub mod inbound;
mod message;
mod outcome;
pub mod render;
pub mod retry;
mod smtp;

pub use message::{MessageError, OutgoingMessage};
pub use outcome::{SendError, Sent};
pub use smtp::{DEFAULT_TIMEOUT, Mailer};
