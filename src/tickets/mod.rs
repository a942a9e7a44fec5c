//! The ticket domain: what a ticket holds and the rules its values obey.
//! Every rule about ticket input lives here, so the HTML form and the
//! future JSON API share them.

mod errors;
mod fields;
mod input;
mod occurred_at;
mod priority;
mod similar;
mod ticket;

pub use errors::FieldErrors;
pub use fields::{Environment, TicketStatus, Tool};
pub use input::{MAX_MESSAGE_CHARS, TicketInput, split_path};
pub use occurred_at::{UTC_OFFSETS, format_offset, parse_occurred_at, split_for_form};
pub use priority::{Priority, ResponseTargets};
pub use similar::{endpoint_shape, similar_key};
pub use ticket::{NewTicket, Ticket, Triage, reference_for};
