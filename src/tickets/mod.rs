//! The ticket domain: what a ticket holds and the rules its values obey.
//! Every rule about ticket input lives here, so the HTML form and the
//! future JSON API share them.

mod actions;
pub mod bulk;
pub mod composer;
mod details;
mod endpoint;
mod errors;
mod event;
pub mod export;
mod fields;
pub mod hints;
pub mod incident;
mod input;
pub mod macros;
mod mail_in;
mod notify;
mod occurred_at;
mod priority;
pub mod problem;
pub mod queue;
pub mod redact;
mod similar;
mod text;
mod ticket;
mod timeline;
pub mod workflow;

pub use actions::{
    EventBody, MAX_EVENT_BODY_CHARS, Outcome, Refusal, STATUSES, parse_reference, staff_label,
};
pub use details::{Detail, GivenDetails, Wanted};
pub use endpoint::Endpoint;
pub use errors::FieldErrors;
pub use event::{Author, Channel, EventKind, MailNoteReason, NewEvent, StaffRef, StatusMove};
pub use fields::{Environment, TicketStatus, Tool};
pub use input::{
    MAX_MESSAGE_CHARS, MAX_MESSAGE_TEXT, TicketInput, check_email, check_endpoint, group_thousands,
    grouped, split_path,
};
pub use mail_in::{
    Bounce, BouncedAddress, InboundMail, InboundOutcome, InboundPlan, InboundRecord,
    MAX_TICKETS_OPENED_BY_MAIL_PER_HOUR, MailThread, may_open_by_mail,
};
pub use notify::{
    Delivery, MAX_FILED_MAILS_PER_ADDRESS_PER_HOUR, MAX_LINK_MAILS_PER_ADDRESS_PER_HOUR,
    MAX_MAILS_PER_TICKET_PER_HOUR, MailAbout, MailKind, MailRecord, MailState, OutgoingMail,
    StaffNotice, requester_mail, staff_notice,
};
pub use occurred_at::{Occurred, TimeProblem, parse_occurred_at, prefill};
pub use priority::{Priority, ResponseTargets};
pub use similar::{endpoint_shape, similar_key};
pub use text::{clean_text, normalise_line_breaks, without_hidden_controls};
pub use ticket::{NewTicket, Ticket, Triage, reference_for};
pub use timeline::{EventActor, TimelineEvent};
pub use workflow::{
    MAX_ADDITION_CHARS_PER_TICKET, MAX_ADDITIONS_PER_TICKET, addition_room, may_merge,
    staff_may_move, staff_targets,
};
