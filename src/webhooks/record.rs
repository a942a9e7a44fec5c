//! Deliveries as stored, and what one attempt at sending one came to.

use time::OffsetDateTime;
use uuid::Uuid;

use super::endpoint::Endpoint;
use super::event::WebhookEvent;

/// The part of a receiver's answer kept with the delivery, in characters.
pub const MAX_RESPONSE_CHARS: usize = 500;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryState {
    /// To be sent at `next_attempt_at`.
    Pending,
    /// A receiver answered 2xx.
    Sent,
    /// Given up: refused by the address rules, the endpoint disabled, or
    /// failing through every attempt.
    Failed,
}

impl DeliveryState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Sent => "sent",
            Self::Failed => "failed",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [Self::Pending, Self::Sent, Self::Failed]
            .into_iter()
            .find(|s| s.as_str() == text)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Pending => "Waiting",
            Self::Sent => "Sent",
            Self::Failed => "Failed",
        }
    }
}

/// One delivery to one endpoint.
#[derive(Debug, Clone)]
pub struct DeliveryRecord {
    pub id: i64,
    /// Its id for the receiver (`id` in the body, `Apidesk-Delivery`).
    pub uuid: Uuid,
    pub endpoint_id: i64,
    pub event: WebhookEvent,
    /// The stored `Subject`, as JSON.
    pub payload: String,
    pub state: DeliveryState,
    pub attempts: u32,
    pub next_attempt_at: Option<OffsetDateTime>,
    /// The HTTP status of the last answer, if there was one.
    pub last_status: Option<u16>,
    /// The start of the last answer's body.
    pub last_response: String,
    /// Why the last attempt failed; empty once sent.
    pub last_error: String,
    pub created_at: OffsetDateTime,
    pub sent_at: Option<OffsetDateTime>,
}

/// A delivery that is due, with the endpoint it goes to.
#[derive(Debug, Clone)]
pub struct DueDelivery {
    pub delivery: DeliveryRecord,
    pub endpoint: Endpoint,
}

/// What became of one attempt, and what follows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    pub status: Option<u16>,
    pub response: String,
    /// Empty when sent.
    pub error: String,
    pub next: Next,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    Sent,
    RetryAt(OffsetDateTime),
    GiveUp,
}

/// The first `MAX_RESPONSE_CHARS` characters of an answer.
pub fn excerpt(text: &str) -> String {
    text.chars().take(MAX_RESPONSE_CHARS).collect()
}
