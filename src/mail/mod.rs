//! Mail: what apidesk tells requesters, rendered from the outbox and
//! delivered over SMTP in the background.

pub mod delivery;
pub mod render;
pub mod retry;

/// One message, ready for the transport.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingMessage {
    pub to: String,
    pub subject: String,
    /// Without the angle brackets.
    pub message_id: String,
    pub in_reply_to: Option<String>,
    pub references: Vec<String>,
    pub text: String,
    pub html: String,
}

/// Why a message was not sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// Worth trying again later (a 4xx answer, no connection, a timeout).
    #[error("temporary failure: {0}")]
    Temporary(String),
    /// Refused for good (a 5xx answer, an unknown recipient).
    #[error("refused: {0}")]
    Permanent(String),
}
