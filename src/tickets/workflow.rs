//! The ticket workflow: given a ticket's current state, who acts and what
//! they ask for, `decide` returns the change and the events it produces, or
//! why it is refused. Every rule about changing a filed ticket lives here;
//! nothing here does I/O. The store loads the state under its write lock,
//! asks `decide`, and writes what it is told (`store::ticket_actions`), so
//! the ticket page, the queue's bulk actions, requester additions and any
//! later caller obey the same rules.

use time::OffsetDateTime;

use super::bulk::Restore;
use super::{
    Author, Channel, EventBody, EventKind, GivenDetails, MAX_EVENT_BODY_CHARS, MailNoteReason,
    NewEvent, Priority, Refusal, ResponseTargets, STATUSES, StaffRef, StatusMove, TicketStatus,
    Wanted,
};
use crate::staff::Role;

/// What the rules need to know about one ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketState {
    pub id: i64,
    pub status: TicketStatus,
    pub priority: Priority,
    pub assignee: Option<i64>,
    pub merged_into: Option<i64>,
    pub first_response_at: Option<OffsetDateTime>,
    pub created_at: OffsetDateTime,
    pub due_at: Option<OffsetDateTime>,
    /// The requester's additions so far.
    pub additions: AdditionTally,
    /// The details a ticket opened from a mail still lacks.
    pub wanted: Wanted,
    /// Its problem, if it is grouped with others (`tickets::problem`).
    pub problem: Option<Grouping>,
    /// Split out of a problem by staff: never grouped again.
    pub ungrouped: bool,
}

/// A ticket's place in its problem.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Grouping {
    pub problem: i64,
    /// The ticket that leads it (perhaps this one).
    pub lead: i64,
    /// Shown in the queue only through the lead's row.
    pub folded: bool,
}

/// What a staff reply does to the ticket's status besides answering.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AfterReply {
    /// Nothing, except that a new ticket becomes open.
    #[default]
    Stay,
    /// The ticket waits on its requester.
    WaitOnRequester,
    /// The answer resolves it (as one answer to a whole problem does).
    Resolve,
}

/// How many additions a ticket holds from its requester, and how many
/// characters of them in all.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AdditionTally {
    pub count: usize,
    pub chars: usize,
}

/// Who acts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    Staff {
        id: i64,
        role: Role,
    },
    /// Whoever holds the ticket's status-page link.
    Requester,
    /// apidesk itself.
    System,
    /// An API token with the `tickets:act` scope, for the admin `by` who
    /// created it.
    Token {
        id: i64,
        by: i64,
    },
}

impl Actor {
    /// Who the events the actor causes are by.
    pub fn author(self) -> Author {
        match self {
            Self::Staff { id, .. } => Author::Staff(id),
            Self::Requester => Author::Requester,
            Self::System => Author::System,
            Self::Token { id, by } => Author::Token {
                token: id,
                staff: by,
            },
        }
    }
}

/// What someone asks to do to a ticket. A bulk action is the same command
/// given once per ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Assign to a staff member, or unassign (`None`).
    Assign {
        to: Option<i64>,
    },
    SetPriority {
        to: Priority,
    },
    SetStatus {
        to: TicketStatus,
    },
    /// An internal note, never shown to the requester.
    Note {
        body: EventBody,
    },
    /// A public reply; it may also make the ticket wait on its requester,
    /// or resolve it.
    Reply {
        body: EventBody,
        then: AfterReply,
    },
    /// Merge this ticket into the survivor `into`.
    Merge {
        into: i64,
    },
    /// The requester adds information from their status page.
    RequesterAddition {
        body: EventBody,
    },
    /// Mail received for the ticket, given by apidesk itself: the
    /// requester's own answer counts as their addition, anything else
    /// becomes a note for staff.
    MailReply {
        from: String,
        /// Whether the sender is the ticket's requester.
        from_requester: bool,
        body: EventBody,
    },
    /// The requester completes a ticket opened from a mail with the
    /// details it lacked.
    GiveDetails {
        details: GivenDetails,
    },
    /// Take the ticket out of its problem: it fails differently from the
    /// others, and is worked on its own from now on.
    SplitOut,
    /// Undo a bulk edit on this ticket: each field it changed goes back,
    /// unless someone has changed it since (`tickets::bulk`).
    Undo {
        restore: Restore,
    },
}

/// A command's kind, for checking roles before its form is even read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommandKind {
    Assign,
    SetPriority,
    SetStatus,
    Note,
    Reply,
    Merge,
    RequesterAddition,
    MailReply,
    GiveDetails,
    SplitOut,
    Undo,
}

impl Command {
    pub fn kind(&self) -> CommandKind {
        match self {
            Self::Assign { .. } => CommandKind::Assign,
            Self::SetPriority { .. } => CommandKind::SetPriority,
            Self::SetStatus { .. } => CommandKind::SetStatus,
            Self::Note { .. } => CommandKind::Note,
            Self::Reply { .. } => CommandKind::Reply,
            Self::Merge { .. } => CommandKind::Merge,
            Self::RequesterAddition { .. } => CommandKind::RequesterAddition,
            Self::MailReply { .. } => CommandKind::MailReply,
            Self::GiveDetails { .. } => CommandKind::GiveDetails,
            Self::SplitOut => CommandKind::SplitOut,
            Self::Undo { .. } => CommandKind::Undo,
        }
    }

    /// The staff member whose standing the command depends on (`Facts`).
    pub fn staff_to_check(&self) -> Option<i64> {
        match self {
            Self::Assign { to } => *to,
            Self::Undo { restore } if restore.before.assignee != restore.left.assignee => {
                restore.before.assignee
            }
            _ => None,
        }
    }

    /// The other ticket whose state the command depends on (`Facts`).
    pub fn other_ticket(&self) -> Option<i64> {
        match self {
            Self::Merge { into } => Some(*into),
            _ => None,
        }
    }
}

/// A command given to one ticket at one moment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub ticket: i64,
    pub actor: Actor,
    pub command: Command,
    pub at: OffsetDateTime,
}

/// What a command needs to know from outside its ticket, looked up by the
/// caller as `Command::staff_to_check` and `Command::other_ticket` say.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Facts {
    /// Whether the staff member to check is active.
    pub staff_active: bool,
    /// The other ticket (a merge's survivor), if it exists.
    pub other_ticket: Option<TicketState>,
    /// For mail: how many mails the ticket took in the last hour.
    pub mail_this_hour: usize,
}

/// What the workflow decided.
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub enum Decision {
    /// The ticket is already like that: nothing to write, no event.
    Unchanged,
    Changed(Change),
}

/// A change to write in one transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// Every ticket the change touches, as it is to be stored, with
    /// `updated_at` set to the request's time. A merge touches two.
    pub tickets: Vec<TicketState>,
    /// The events to append, in order.
    pub events: Vec<NewEvent>,
    /// The details given for the request's ticket, to store with it.
    pub details: Option<GivenDetails>,
}

/// Whether the actor may give a command of this kind at all:
/// - staff work tickets; merging closes one for good, so it is for admins;
/// - a token (scope `tickets:act`) assigns, moves, notes and replies;
/// - apidesk itself moves statuses and files the mail it receives;
/// - the requester only adds information, and completes what a ticket
///   opened from their mail lacks.
pub fn permitted(actor: Actor, kind: CommandKind) -> Result<(), Refusal> {
    use CommandKind::*;
    let allowed = match actor {
        Actor::Staff { role, .. } => match kind {
            Merge => may_merge(role),
            RequesterAddition | MailReply | GiveDetails => false,
            Assign | SetPriority | SetStatus | Note | Reply | SplitOut | Undo => true,
        },
        Actor::System => matches!(kind, SetStatus | MailReply),
        // A token does the day-to-day staff work an integration needs,
        // never what is kept for admins or needs a person's judgement.
        Actor::Token { .. } => matches!(kind, Assign | SetPriority | SetStatus | Note | Reply),
        Actor::Requester => matches!(kind, RequesterAddition | GiveDetails),
    };
    if allowed {
        Ok(())
    } else {
        Err(Refusal::NotAllowed)
    }
}

/// Agents ask an admin to merge. The merged ticket's requester is told the
/// survivor's reference and nothing more (see the status page).
pub fn may_merge(role: Role) -> bool {
    role.is_admin()
}

/// Decides what `request` does to `ticket` (its state read under the write
/// lock, with the `facts` the command needs).
pub fn decide(
    request: &Request,
    ticket: &TicketState,
    facts: &Facts,
    targets: &ResponseTargets,
) -> Result<Decision, Refusal> {
    permitted(request.actor, request.command.kind())?;
    let mut after = ticket.clone();
    let (kind, body) = match &request.command {
        Command::Assign { to } => {
            if ticket.assignee == *to {
                return Ok(Decision::Unchanged);
            }
            if to.is_some() && !facts.staff_active {
                return Err(Refusal::UnknownAssignee);
            }
            after.assignee = *to;
            let kind = EventKind::Assigned {
                from: ticket.assignee.map(StaffRef::id),
                to: to.map(StaffRef::id),
            };
            // Someone has taken a new ticket: it is being worked on now.
            if to.is_some() && ticket.status == TicketStatus::New {
                after.status = TicketStatus::Open;
                let by = request.actor.author();
                let event = |kind| NewEvent {
                    ticket_id: ticket.id,
                    by,
                    kind,
                    body: String::new(),
                };
                return Ok(Decision::Changed(Change {
                    tickets: vec![after],
                    events: vec![
                        event(kind),
                        event(EventKind::Status {
                            from: Some(TicketStatus::New),
                            to: Some(TicketStatus::Open),
                        }),
                    ],
                    details: None,
                }));
            }
            (kind, None)
        }
        Command::SetPriority { to } => {
            if ticket.priority == *to {
                return Ok(Decision::Unchanged);
            }
            after.priority = *to;
            // The due time follows the priority until someone has answered.
            if ticket.first_response_at.is_none() {
                after.due_at = Some(ticket.created_at + targets.for_priority(*to));
            }
            let kind = EventKind::Priority {
                from: Some(ticket.priority),
                to: Some(*to),
            };
            (kind, None)
        }
        Command::SetStatus { to } => {
            if let Some(into) = ticket.merged_into
                && *to != ticket.status
            {
                return Err(Refusal::Merged { into });
            }
            if !check_staff_move(ticket.status, *to)? {
                return Ok(Decision::Unchanged);
            }
            after.status = *to;
            let kind = EventKind::Status {
                from: Some(ticket.status),
                to: Some(*to),
            };
            (kind, None)
        }
        Command::Note { body } => (EventKind::Note, Some(body)),
        Command::Reply { body, then } => {
            let moved = status_after_staff_reply(ticket.status, *then)?;
            // Its requester cannot answer a closed ticket: reopen it first.
            // (A merged one is closed too; a reply there points at the
            // survivor, and is allowed.)
            if ticket.status == TicketStatus::Closed && ticket.merged_into.is_none() {
                return Err(Refusal::ReplyToClosed);
            }
            if let (Some(into), Some(_)) = (ticket.merged_into, moved) {
                return Err(Refusal::Merged { into });
            }
            after.status = moved.unwrap_or(ticket.status);
            after.first_response_at = ticket.first_response_at.or(Some(request.at));
            let kind = EventKind::Reply {
                status: moved.map(|to| StatusMove {
                    from: ticket.status,
                    to,
                }),
            };
            (kind, Some(body))
        }
        Command::Merge { into } => return merge(request, ticket, *into, facts),
        Command::RequesterAddition { body } => return requester_addition(ticket, body, None),
        Command::MailReply {
            from,
            from_requester,
            body,
        } => return mail_reply(ticket, facts, from, *from_requester, body),
        Command::GiveDetails { details } => return give_details(ticket, details),
        Command::Undo { restore } => return undo(request, ticket, restore, facts, targets),
        Command::SplitOut => {
            let Some(grouping) = ticket.problem else {
                // Split already (a second submit), or never grouped.
                return Ok(Decision::Unchanged);
            };
            after.problem = None;
            after.ungrouped = true;
            // The lead split out of its own problem names none.
            let kind = EventKind::SplitOut {
                lead: (grouping.lead != ticket.id).then_some(grouping.lead),
            };
            (kind, None)
        }
    };
    Ok(Decision::Changed(Change {
        tickets: vec![after],
        events: vec![NewEvent {
            ticket_id: ticket.id,
            by: request.actor.author(),
            kind,
            body: body
                .map(|body| body.as_str().to_string())
                .unwrap_or_default(),
        }],
        details: None,
    }))
}

/// Puts back each field a bulk edit changed, where the ticket still has the
/// value the edit left: a later change by anyone stands. The status goes
/// back even where staff could not move it by hand (to `New`, say), as the
/// edit is taken back rather than followed by another. An assignee who has
/// since left the team is not put back.
fn undo(
    request: &Request,
    ticket: &TicketState,
    restore: &Restore,
    facts: &Facts,
    targets: &ResponseTargets,
) -> Result<Decision, Refusal> {
    let Restore { before, left } = *restore;
    let mut after = ticket.clone();
    let mut kinds = Vec::new();
    if left.assignee != before.assignee
        && ticket.assignee == left.assignee
        && (before.assignee.is_none() || facts.staff_active)
    {
        after.assignee = before.assignee;
        kinds.push(EventKind::Assigned {
            from: ticket.assignee.map(StaffRef::id),
            to: before.assignee.map(StaffRef::id),
        });
    }
    if left.priority != before.priority && ticket.priority == left.priority {
        after.priority = before.priority;
        if ticket.first_response_at.is_none() {
            after.due_at = Some(ticket.created_at + targets.for_priority(before.priority));
        }
        kinds.push(EventKind::Priority {
            from: Some(ticket.priority),
            to: Some(before.priority),
        });
    }
    if left.status != before.status && ticket.status == left.status {
        if let Some(into) = ticket.merged_into {
            return Err(Refusal::Merged { into });
        }
        after.status = before.status;
        kinds.push(EventKind::Status {
            from: Some(ticket.status),
            to: Some(before.status),
        });
    }
    // A member the edit brought out of its problem (by settling the lead)
    // goes back under it, if it is still there; the queue's rows are no
    // event of the timeline.
    let mut refolded = false;
    if let Some(grouping) = ticket.problem
        && left.folded != before.folded
        && grouping.folded == left.folded
    {
        after.problem = Some(Grouping {
            folded: before.folded,
            ..grouping
        });
        refolded = true;
    }
    if kinds.is_empty() && !refolded {
        return Ok(Decision::Unchanged);
    }
    let events = kinds
        .into_iter()
        .map(|kind| NewEvent {
            ticket_id: ticket.id,
            by: request.actor.author(),
            kind,
            body: String::new(),
        })
        .collect();
    Ok(Decision::Changed(Change {
        tickets: vec![after],
        events,
        details: None,
    }))
}

/// The ticket is closed and points at the survivor, which is only touched.
/// Refused into itself, into a missing ticket, or into one itself merged.
fn merge(
    request: &Request,
    ticket: &TicketState,
    into: i64,
    facts: &Facts,
) -> Result<Decision, Refusal> {
    match ticket.merged_into {
        Some(already) if already == into => return Ok(Decision::Unchanged),
        Some(already) => return Err(Refusal::Merged { into: already }),
        None => {}
    }
    if ticket.id == into {
        return Err(Refusal::MergeIntoItself);
    }
    let survivor = match &facts.other_ticket {
        Some(survivor) if survivor.id == into => survivor,
        _ => return Err(Refusal::MergeTargetMissing),
    };
    if let Some(further) = survivor.merged_into {
        return Err(Refusal::MergeTargetMerged {
            target: into,
            into: further,
        });
    }
    let merged = TicketState {
        status: TicketStatus::Closed,
        merged_into: Some(into),
        ..ticket.clone()
    };
    let by = request.actor.author();
    Ok(Decision::Changed(Change {
        tickets: vec![merged, survivor.clone()],
        events: vec![
            NewEvent {
                ticket_id: ticket.id,
                by,
                kind: EventKind::Merged {
                    into: Some(into),
                    status_from: Some(ticket.status),
                },
                body: String::new(),
            },
            NewEvent {
                ticket_id: into,
                by,
                kind: EventKind::MergedFrom {
                    from: Some(ticket.id),
                },
                body: String::new(),
            },
        ],
        details: None,
    }))
}

/// The addition is appended; a waiting or resolved ticket goes back to open,
/// recorded as a status change by apidesk. A closed, merged or full ticket
/// takes no more.
fn requester_addition(
    ticket: &TicketState,
    body: &EventBody,
    via: Option<Channel>,
) -> Result<Decision, Refusal> {
    if let Some(into) = ticket.merged_into {
        return Err(Refusal::Merged { into });
    }
    let moved = status_after_requester_reply(ticket.status)?;
    check_addition_room(ticket.additions, body.as_str().chars().count())?;
    let kind = EventKind::RequesterReply { via };
    Ok(by_requester(
        ticket,
        moved,
        kind,
        body.as_str(),
        ticket.wanted.clone(),
        None,
    ))
}

/// The requester's event on `ticket`; when the ticket `moved` (waiting or
/// resolved back to open), that move too, recorded as apidesk's.
fn by_requester(
    ticket: &TicketState,
    moved: Option<TicketStatus>,
    kind: EventKind,
    body: &str,
    wanted: Wanted,
    details: Option<GivenDetails>,
) -> Decision {
    let mut events = vec![NewEvent {
        ticket_id: ticket.id,
        by: Author::Requester,
        kind,
        body: body.to_string(),
    }];
    if let Some(to) = moved {
        events.push(NewEvent {
            ticket_id: ticket.id,
            by: Author::System,
            kind: EventKind::Status {
                from: Some(ticket.status),
                to: Some(to),
            },
            body: String::new(),
        });
    }
    // Someone must read what they wrote: a folded member of a problem
    // stands on its own queue row again (still in the problem).
    let problem = ticket.problem.map(|grouping| Grouping {
        folded: false,
        ..grouping
    });
    Decision::Changed(Change {
        tickets: vec![TicketState {
            status: moved.unwrap_or(ticket.status),
            wanted,
            problem,
            ..ticket.clone()
        }],
        events,
        details,
    })
}

/// The requester's details complete the ticket: stored as given, and a
/// waiting or resolved ticket goes back to staff as an addition does. A
/// ticket that lacks nothing is left alone (a second submit of the form),
/// and a closed or merged one takes nothing more.
fn give_details(ticket: &TicketState, details: &GivenDetails) -> Result<Decision, Refusal> {
    if let Some(into) = ticket.merged_into {
        return Err(Refusal::Merged { into });
    }
    if ticket.wanted.is_empty() {
        return Ok(Decision::Unchanged);
    }
    let moved = status_after_requester_reply(ticket.status)?;
    let kind = EventKind::DetailsGiven {
        wanted: Some(ticket.wanted.clone()),
    };
    let complete = Wanted::default();
    Ok(by_requester(
        ticket,
        moved,
        kind,
        "",
        complete,
        Some(details.clone()),
    ))
}

/// How many mails one ticket takes in an hour. A human conversation never
/// comes near it; a mail loop that slipped past the automatic-mail checks
/// stops here instead of filling the timeline.
pub const MAX_MAILS_IN_PER_TICKET_PER_HOUR: usize = 10;

/// The requester's answer by mail is their addition, reopening the ticket
/// as one from the status page does; when the ticket takes no more from
/// them, or the sender is someone else, staff still get the words as a note
/// (nothing mailed in is lost, nothing unverified reaches the requester's
/// timeline).
fn mail_reply(
    ticket: &TicketState,
    facts: &Facts,
    from: &str,
    from_requester: bool,
    body: &EventBody,
) -> Result<Decision, Refusal> {
    if facts.mail_this_hour >= MAX_MAILS_IN_PER_TICKET_PER_HOUR {
        return Err(Refusal::TooMuchMail);
    }
    let why = if from_requester {
        match requester_addition(ticket, body, Some(Channel::Email)) {
            Ok(decision) => return Ok(decision),
            Err(Refusal::Merged { .. } | Refusal::ClosedToRequester) => MailNoteReason::Closed,
            Err(Refusal::AdditionsFull) => MailNoteReason::Full,
            Err(other) => return Err(other),
        }
    } else {
        MailNoteReason::NotRequester
    };
    Ok(Decision::Changed(Change {
        tickets: vec![ticket.clone()],
        events: vec![NewEvent {
            ticket_id: ticket.id,
            by: Author::System,
            kind: EventKind::MailNote {
                from: Some(from.to_string()),
                why: Some(why),
            },
            body: body.as_str().to_string(),
        }],
        details: None,
    }))
}

/// Whether staff may move a ticket from one status to another:
/// - forward along new → open → waiting → resolved → closed, where an open
///   ticket may be resolved without waiting on anyone;
/// - open ↔ waiting, and a new ticket straight to waiting or resolved;
/// - reopening: resolved or closed → open;
/// - anything → closed.
///
/// Nothing ever goes back to `new`, and staying put is not a move.
pub fn staff_may_move(from: TicketStatus, to: TicketStatus) -> bool {
    use TicketStatus::*;
    if from == to {
        return false;
    }
    matches!(
        (from, to),
        (_, Closed)
            | (New, Open | Waiting | Resolved)
            | (Open, Waiting | Resolved)
            | (Waiting, Open | Resolved)
            | (Resolved, Open)
            | (Closed, Open)
    )
}

/// Where staff may move a ticket from `from`, in the usual order.
pub fn staff_targets(from: TicketStatus) -> Vec<TicketStatus> {
    STATUSES
        .into_iter()
        .filter(|to| staff_may_move(from, *to))
        .collect()
}

/// Checks a status change staff asked for. `Ok(false)`: the ticket already
/// has that status, so nothing changes.
pub fn check_staff_move(from: TicketStatus, to: TicketStatus) -> Result<bool, Refusal> {
    if from == to {
        Ok(false)
    } else if staff_may_move(from, to) {
        Ok(true)
    } else {
        Err(Refusal::StatusChange { from, to })
    }
}

/// The status a public staff reply leaves the ticket in, if it changes:
/// waiting on the requester makes it `Waiting`, resolving it `Resolved`;
/// otherwise only a `New` ticket changes, to `Open` (someone is working on
/// it now).
pub fn status_after_staff_reply(
    from: TicketStatus,
    then: AfterReply,
) -> Result<Option<TicketStatus>, Refusal> {
    let to = match then {
        AfterReply::WaitOnRequester => TicketStatus::Waiting,
        AfterReply::Resolve => TicketStatus::Resolved,
        AfterReply::Stay if from == TicketStatus::New => return Ok(Some(TicketStatus::Open)),
        AfterReply::Stay => return Ok(None),
    };
    check_staff_move(from, to).map(|moves| moves.then_some(to))
}

/// The status a requester's addition leaves the ticket in, if it changes:
/// an answer to a waiting ticket, or a "still broken" on a resolved one,
/// puts it back in front of staff. A closed ticket takes no additions.
pub fn status_after_requester_reply(from: TicketStatus) -> Result<Option<TicketStatus>, Refusal> {
    match from {
        TicketStatus::Closed => Err(Refusal::ClosedToRequester),
        TicketStatus::Waiting | TicketStatus::Resolved => Ok(Some(TicketStatus::Open)),
        TicketStatus::New | TicketStatus::Open => Ok(None),
    }
}

/// How many additions a ticket takes from its requester, and how many
/// characters of them in all: keeps a status page (and the work of staff)
/// bounded whoever holds the link.
pub const MAX_ADDITIONS_PER_TICKET: usize = 50;
pub const MAX_ADDITION_CHARS_PER_TICKET: usize = 100_000;

/// How many characters one more addition may have on a ticket that already
/// holds `count` additions of `chars` characters in all; `None` when it
/// takes no more.
pub fn addition_room(count: usize, chars: usize) -> Option<usize> {
    let left = MAX_ADDITION_CHARS_PER_TICKET.saturating_sub(chars);
    (count < MAX_ADDITIONS_PER_TICKET && left > 0).then(|| left.min(MAX_EVENT_BODY_CHARS))
}

/// Whether a ticket holding `tally` takes one more addition of `adding`
/// characters.
pub fn check_addition_room(tally: AdditionTally, adding: usize) -> Result<(), Refusal> {
    match addition_room(tally.count, tally.chars) {
        Some(room) if adding <= room => Ok(()),
        _ => Err(Refusal::AdditionsFull),
    }
}

#[cfg(test)]
mod tests;
