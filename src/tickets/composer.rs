//! The ticket page's composer: one form with a reply or an internal note
//! and the ticket's status, priority and assignee, sent with one button.
//! What it sent becomes the workflow commands to apply together (all or
//! none), in the order that makes them work: who and how urgent first, a
//! reopening before the words, a closing after them.

use time::OffsetDateTime;

use super::queue::{Cursor, Sort};
use super::workflow::{AfterReply, Command};
use super::{EventBody, Priority, Ticket, TicketStatus};

/// What the text is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Kind {
    /// A public reply: the requester sees it (and gets it by mail).
    #[default]
    Reply,
    /// An internal note: staff only.
    Note,
}

impl Kind {
    pub fn parse(value: &str) -> Option<Self> {
        match value.trim() {
            "reply" => Some(Self::Reply),
            "note" => Some(Self::Note),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Reply => "reply",
            Self::Note => "note",
        }
    }
}

/// A ticket's status, priority and assignee: as the form was loaded with
/// them, or as chosen in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fields {
    pub status: TicketStatus,
    pub priority: Priority,
    pub assignee: Option<i64>,
}

impl Fields {
    pub fn of(ticket: &Ticket) -> Self {
        Self {
            status: ticket.status,
            priority: ticket.priority,
            assignee: ticket.assignee_id,
        }
    }
}

/// Why the composer's values make no commands, and beside which field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub field: &'static str,
    pub message: String,
}

/// The refusal when nothing was written and nothing changed.
pub const NOTHING_TO_DO: &str =
    "Nothing to send: write a reply or a note, or change the status, priority or assignee.";

/// The commands the composer asks for. `loaded` is what the form showed
/// (a field the writer left alone asks for nothing); `text` is the typed
/// text, which may be blank when a field changed.
pub fn plan(
    text: &str,
    kind: Kind,
    loaded: &Fields,
    chosen: &Fields,
) -> Result<Vec<Command>, Problem> {
    let written = !text.trim().is_empty();
    let status = (chosen.status != loaded.status).then_some(chosen.status);
    let priority = (chosen.priority != loaded.priority).then_some(chosen.priority);
    let assignee = (chosen.assignee != loaded.assignee).then_some(chosen.assignee);
    if !written && status.is_none() && priority.is_none() && assignee.is_none() {
        return Err(Problem {
            field: "text",
            message: NOTHING_TO_DO.into(),
        });
    }
    let body = if written {
        Some(EventBody::parse(text).map_err(|message| Problem {
            field: "text",
            message,
        })?)
    } else {
        None
    };
    let mut commands = Vec::new();
    if let Some(to) = assignee {
        commands.push(Command::Assign { to });
    }
    if let Some(to) = priority {
        commands.push(Command::SetPriority { to });
    }
    // A reply that waits on the requester or resolves says so itself (one
    // event, one mail); any other move is its own command, a closing after
    // the words and anything else (a reopening) before them.
    let (reply_then, status) = match (body.is_some(), kind, status) {
        (true, Kind::Reply, Some(TicketStatus::Waiting)) => (AfterReply::WaitOnRequester, None),
        (true, Kind::Reply, Some(TicketStatus::Resolved)) => (AfterReply::Resolve, None),
        (_, _, status) => (AfterReply::Stay, status),
    };
    let (before, after) = match status {
        Some(TicketStatus::Closed) => (None, Some(TicketStatus::Closed)),
        other => (other, None),
    };
    if let Some(to) = before {
        commands.push(Command::SetStatus { to });
    }
    if let Some(body) = body {
        commands.push(match kind {
            Kind::Reply => Command::Reply {
                body,
                then: reply_then,
            },
            Kind::Note => Command::Note { body },
        });
    }
    if let Some(to) = after {
        commands.push(Command::SetStatus { to });
    }
    Ok(commands)
}

/// The field a refused command's message belongs beside.
pub fn field_of(command: &Command) -> &'static str {
    match command {
        Command::Assign { .. } => "assignee",
        Command::SetPriority { .. } => "priority",
        Command::SetStatus { .. } => "status",
        _ => "text",
    }
}

/// Whether the ticket is in the urgency sort's first segment (overdue): it
/// needs a human, has had no first response, and its due time has passed.
/// The same rule as the queue's.
pub fn overdue(ticket: &Ticket, now: OffsetDateTime) -> bool {
    matches!(ticket.status, TicketStatus::New | TicketStatus::Open)
        && ticket.first_response_at.is_none()
        && ticket.due_at.is_none_or(|due| due <= now)
}

/// Where a view's next ticket after this one starts: the ticket's own place
/// in the view's order, as it was when it was shown.
pub fn cursor_after(ticket: &Ticket, sort: Sort, now: OffsetDateTime) -> Cursor {
    Cursor {
        segment: if sort == Sort::Urgency && !overdue(ticket, now) {
            1
        } else {
            0
        },
        priority: ticket.priority.rank(),
        time: if sort == Sort::Updated {
            ticket.updated_at
        } else {
            ticket.created_at
        },
        id: ticket.id,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use TicketStatus::*;

    const LOADED: Fields = Fields {
        status: New,
        priority: Priority::Normal,
        assignee: None,
    };

    fn with(change: impl FnOnce(&mut Fields)) -> Fields {
        let mut fields = LOADED;
        change(&mut fields);
        fields
    }

    fn body(text: &str) -> EventBody {
        EventBody::parse(text).unwrap()
    }

    #[test]
    fn a_reply_that_waits_or_resolves_is_one_command() {
        let waiting = with(|f| f.status = Waiting);
        assert_eq!(
            plan("Which recipe?", Kind::Reply, &LOADED, &waiting).unwrap(),
            [Command::Reply {
                body: body("Which recipe?"),
                then: AfterReply::WaitOnRequester
            }]
        );
        let resolved = with(|f| f.status = Resolved);
        assert_eq!(
            plan("Fixed.", Kind::Reply, &LOADED, &resolved).unwrap(),
            [Command::Reply {
                body: body("Fixed."),
                then: AfterReply::Resolve
            }]
        );
    }

    #[test]
    fn a_note_with_a_move_and_the_order_of_the_commands() {
        let resolved = with(|f| {
            f.status = Resolved;
            f.priority = Priority::High;
            f.assignee = Some(3);
        });
        assert_eq!(
            plan("Known issue.", Kind::Note, &LOADED, &resolved).unwrap(),
            [
                Command::Assign { to: Some(3) },
                Command::SetPriority { to: Priority::High },
                Command::SetStatus { to: Resolved },
                Command::Note {
                    body: body("Known issue.")
                },
            ]
        );
        // Closing comes after the words; reopening before them.
        let closed = with(|f| f.status = Closed);
        assert_eq!(
            plan("Bye.", Kind::Reply, &LOADED, &closed).unwrap(),
            [
                Command::Reply {
                    body: body("Bye."),
                    then: AfterReply::Stay
                },
                Command::SetStatus { to: Closed },
            ]
        );
        let was_closed = with(|f| f.status = Closed);
        let reopened = with(|f| f.status = Open);
        assert_eq!(
            plan("Back.", Kind::Reply, &was_closed, &reopened).unwrap(),
            [
                Command::SetStatus { to: Open },
                Command::Reply {
                    body: body("Back."),
                    then: AfterReply::Stay
                },
            ]
        );
    }

    #[test]
    fn fields_alone_are_enough_and_nothing_is_refused() {
        let assigned = with(|f| f.assignee = Some(9));
        assert_eq!(
            plan(" \n ", Kind::Reply, &LOADED, &assigned).unwrap(),
            [Command::Assign { to: Some(9) }]
        );
        let low = with(|f| f.priority = Priority::Low);
        assert_eq!(
            plan("", Kind::Note, &LOADED, &low).unwrap(),
            [Command::SetPriority { to: Priority::Low }]
        );
        // A waiting move without words is a plain move.
        let waiting = with(|f| f.status = Waiting);
        assert_eq!(
            plan("", Kind::Reply, &LOADED, &waiting).unwrap(),
            [Command::SetStatus { to: Waiting }]
        );
        assert_eq!(
            plan("  ", Kind::Reply, &LOADED, &LOADED),
            Err(Problem {
                field: "text",
                message: NOTHING_TO_DO.into()
            })
        );
        let long = "x".repeat(crate::tickets::MAX_EVENT_BODY_CHARS + 1);
        let problem = plan(&long, Kind::Note, &LOADED, &LOADED).unwrap_err();
        assert_eq!(problem.field, "text");
        assert!(problem.message.contains("10,001"), "{}", problem.message);
    }
}
