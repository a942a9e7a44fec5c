//! What people type into a ticket's action forms and what they are told
//! back: the limits on written messages, ticket references as people type
//! them, status labels for staff, and why an action was refused. The rules
//! themselves live in `workflow`.

use super::{MAX_ADDITION_CHARS_PER_TICKET, MAX_ADDITIONS_PER_TICKET, TicketStatus};
use super::{group_thousands, reference_for, staff_targets};

/// The longest note, reply or requester addition, in characters.
pub const MAX_EVENT_BODY_CHARS: usize = 10_000;

/// The statuses in their usual order, for forms and filters.
pub const STATUSES: [TicketStatus; 5] = [
    TicketStatus::New,
    TicketStatus::Open,
    TicketStatus::Waiting,
    TicketStatus::Resolved,
    TicketStatus::Closed,
];

/// A status as staff read it (the requester's label for `Waiting` is
/// "Waiting on you").
pub fn staff_label(status: TicketStatus) -> &'static str {
    match status {
        TicketStatus::Waiting => "Waiting on requester",
        other => other.label(),
    }
}

/// A note, reply or requester addition that obeys the rules: not blank, at
/// most `MAX_EVENT_BODY_CHARS`. Line endings are normalised to `\n`, the
/// text is trimmed and credentials in it are redacted (`tickets::redact`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventBody(String);

impl EventBody {
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = super::text::clean_text(text);
        let text = text.trim();
        let chars = text.chars().count();
        if chars == 0 {
            Err("Write something first: this cannot be empty.".into())
        } else if chars > MAX_EVENT_BODY_CHARS {
            Err(format!(
                "Keep it to {} characters or fewer (this is {}).",
                group_thousands(MAX_EVENT_BODY_CHARS),
                group_thousands(chars)
            ))
        } else {
            // Whoever writes it (requester, staff, a mail), credentials in it
            // are never stored.
            Ok(Self(super::redact::redact(text).text))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A ticket as people type it: `APD-000123`, `apd-123`, `#123`, `123`, or a
/// link to the staff ticket page.
pub fn parse_reference(text: &str) -> Option<i64> {
    let text = text.trim().trim_end_matches('/');
    let text = text.rsplit("/staff/tickets/").next().unwrap_or(text);
    let text = text.strip_prefix('#').unwrap_or(text);
    let text = match text.get(..4) {
        Some(prefix) if prefix.eq_ignore_ascii_case("APD-") => &text[4..],
        _ => text,
    };
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok().filter(|id| *id > 0)
}

/// Why an action was refused. Each says which form field it belongs beside
/// and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("there is no such ticket")]
    TicketNotFound,
    #[error("the actor's role does not allow this action")]
    NotAllowed,
    #[error("that person is not an active staff member")]
    UnknownAssignee,
    #[error("a ticket cannot move from {from} to {to}")]
    StatusChange {
        from: TicketStatus,
        to: TicketStatus,
    },
    #[error("the ticket is merged into ticket {into}")]
    Merged { into: i64 },
    #[error("a ticket cannot be merged into itself")]
    MergeIntoItself,
    #[error("the ticket to merge into does not exist")]
    MergeTargetMissing,
    #[error("ticket {target} is itself merged into ticket {into}")]
    MergeTargetMerged { target: i64, into: i64 },
    #[error("the ticket is closed")]
    ClosedToRequester,
    #[error("the ticket holds as many requester additions as it may")]
    AdditionsFull,
    #[error("the ticket took as much mail this hour as it may")]
    TooMuchMail,
    #[error("staff cannot reply to a closed ticket")]
    ReplyToClosed,
    /// The files would take the ticket past its limits.
    #[error("the ticket holds as many files as it may")]
    FilesFull { max_files: usize, max_bytes: u64 },
}

impl Refusal {
    /// The form field the message belongs beside.
    pub fn field(&self) -> &'static str {
        match self {
            Self::TicketNotFound | Self::NotAllowed => "ticket",
            Self::UnknownAssignee => "assignee",
            Self::StatusChange { .. } | Self::Merged { .. } | Self::ReplyToClosed => "status",
            Self::MergeIntoItself | Self::MergeTargetMissing | Self::MergeTargetMerged { .. } => {
                "merge"
            }
            Self::ClosedToRequester | Self::AdditionsFull | Self::TooMuchMail => "body",
            Self::FilesFull { .. } => "files",
        }
    }

    /// A sentence for the person who tried.
    pub fn message(&self) -> String {
        match self {
            Self::TicketNotFound => "There is no such ticket.".into(),
            Self::NotAllowed => "Your role does not allow this action. Ask an admin.".into(),
            Self::UnknownAssignee => {
                "Choose someone from the list: that person is not an active staff member.".into()
            }
            Self::StatusChange { from, to } => {
                let targets: Vec<&str> =
                    staff_targets(*from).into_iter().map(staff_label).collect();
                format!(
                    "A ticket cannot go from {} to {}. From {} it can go to: {}.",
                    staff_label(*from),
                    staff_label(*to),
                    staff_label(*from),
                    targets.join(", ")
                )
            }
            Self::Merged { into } => format!(
                "This ticket is merged into {}: work on that one instead.",
                reference_for(*into)
            ),
            Self::MergeIntoItself => "A ticket cannot be merged into itself.".into(),
            Self::MergeTargetMissing => {
                "There is no ticket with that reference. Use e.g. APD-000123.".into()
            }
            Self::MergeTargetMerged { target, into } => format!(
                "{} is itself merged into {}: merge into {} instead.",
                reference_for(*target),
                reference_for(*into),
                reference_for(*into)
            ),
            Self::ClosedToRequester => {
                "This ticket is closed, so it takes no more information. File a new ticket if the problem is back.".into()
            }
            Self::AdditionsFull => format!(
                "This ticket already holds as much added information as it can take \
                 ({} additions or {} characters in all), so this was not added. \
                 Support will answer here; if you have a new problem, file a new ticket.",
                MAX_ADDITIONS_PER_TICKET,
                group_thousands(MAX_ADDITION_CHARS_PER_TICKET)
            ),
            Self::ReplyToClosed => {
                "This ticket is closed, so its requester cannot answer a reply. Set the status to Open to reply, or add an internal note.".into()
            }
            Self::TooMuchMail => format!(
                "This ticket took {} mails in the last hour, so this one was not added.",
                crate::tickets::workflow::MAX_MAILS_IN_PER_TICKET_PER_HOUR
            ),
            Self::FilesFull { max_files, max_bytes } => format!(
                "A ticket holds at most {max_files} files and {} in all, and these would take \
                 it past that, so nothing was added. Attach fewer or smaller files.",
                crate::attachments::size_text(*max_bytes)
            ),
        }
    }
}

/// Whether an action changed the ticket. Applying the same action twice (a
/// double click, a bulk action over tickets already in that state) changes
/// nothing and writes no event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use]
pub enum Outcome {
    Changed,
    Unchanged,
}

impl Outcome {
    pub fn changed(self) -> bool {
        self == Self::Changed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_are_required_and_bounded() {
        assert!(EventBody::parse("  \r\n ").is_err());
        assert_eq!(EventBody::parse(" a\r\nb ").unwrap().as_str(), "a\nb");
        assert!(EventBody::parse(&"x".repeat(MAX_EVENT_BODY_CHARS)).is_ok());
        let err = EventBody::parse(&"é".repeat(MAX_EVENT_BODY_CHARS + 1)).unwrap_err();
        assert!(err.contains("10,000") && err.contains("10,001"), "{err}");
    }

    #[test]
    fn references_as_people_type_them() {
        for text in [
            "APD-000123",
            "apd-123",
            "#123",
            " 123 ",
            "https://x/staff/tickets/123",
        ] {
            assert_eq!(parse_reference(text), Some(123), "{text:?}");
        }
        for text in ["", "APD-", "APD-12x", "-3", "0", "abc", "12 3"] {
            assert_eq!(parse_reference(text), None, "{text:?}");
        }
    }
}
