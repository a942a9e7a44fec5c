//! Mail: what apidesk tells requesters and staff, rendered from the outbox
//! (`render`), delivered in the background (`delivery`) over SMTP
//! (`Mailer::send`, one attempt, saying whether a failure is worth retrying).

pub mod delivery;
pub mod imap;
mod message;
mod outcome;
pub mod render;
pub mod retry;
mod smtp;

pub use message::{MessageError, OutgoingMessage};
pub use outcome::{SendError, Sent};
pub use smtp::{DEFAULT_TIMEOUT, Mailer};
