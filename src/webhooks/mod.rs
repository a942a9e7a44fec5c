//! Events out: webhooks. Admins register endpoints (`Endpoint`) for some
//! events (`WebhookEvent`). The store writes one delivery per subscribed
//! endpoint in the transaction of the event that causes it, holding the
//! event's facts (`Subject`); `delivery` sends what is due, signed (`sign`),
//! over a client that reaches only public addresses (`address`, `http`),
//! retries on failure (`retry`), and records each attempt.
//!
//! Everything here but `delivery` belongs with the domain, below the store:
//! the store builds what it writes with it, so it never names the store
//! (`.ci/layers` checks). `delivery` is the background task, which reads
//! the store as mail's does.

mod address;
pub mod delivery;
mod endpoint;
mod event;
mod http;
mod payload;
mod record;
mod retry;
mod sign;

pub use address::{AllowList, Refused, check_resolved, check_url, non_public};
pub use endpoint::{
    Endpoint, EndpointInput, Format, MAX_PROBLEM_THRESHOLD, MIN_PROBLEM_THRESHOLD, NewEndpoint,
    Secret, events_from_text, events_to_text,
};
pub use event::{WebhookEvent, for_ticket_event};
pub use http::{Answer, CONNECT_TIMEOUT, Lookup, Sender, SystemLookup, TIMEOUT, use_ring_for_tls};
pub use payload::{
    Delivery, IncidentFacts, MESSAGE_CHARS, ProblemFacts, Subject, TicketFacts, body, staff_url,
};
pub use record::{
    Attempt, DeliveryRecord, DeliveryState, DueDelivery, MAX_RESPONSE_CHARS, Next, excerpt,
};
pub use retry::{MAX_ATTEMPTS, wait_after};
pub use sign::{DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, signature, verify};
