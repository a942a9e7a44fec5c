//! Bulk edits from the queue: the change asked for, what the page says of
//! its outcome, and undoing it for a short while.
//!
//! An edit is one command per changed field given to each selected ticket
//! through the workflow, like the ticket page's. Its mail and webhook
//! deliveries wait out `UNDO_WINDOW`; an undo within it drops them and
//! puts each field back where nobody has changed it since.

use time::{Duration, OffsetDateTime};

use super::workflow::Command;
use super::{Priority, Refusal, TicketStatus, reference_for, staff_label};

/// How long the author of a bulk edit may undo it. What it sends (mail,
/// webhooks) waits this long.
pub const UNDO_WINDOW: Duration = Duration::seconds(30);

/// Tickets named in one line of an edit's summary before "and N more".
const NAMED_PER_LINE: usize = 8;

/// What a bulk edit changes: each field is left alone unless chosen.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BulkChange {
    /// `Some(None)`: unassign.
    pub assignee: Option<Option<i64>>,
    pub priority: Option<Priority>,
    pub status: Option<TicketStatus>,
}

impl BulkChange {
    pub fn is_empty(&self) -> bool {
        self.assignee.is_none() && self.priority.is_none() && self.status.is_none()
    }

    /// The commands to give each ticket, in this order: assigning a new
    /// ticket opens it, and the status chosen then has the last word.
    pub fn commands(&self) -> Vec<Command> {
        let mut commands = Vec::new();
        if let Some(to) = self.assignee {
            commands.push(Command::Assign { to });
        }
        if let Some(to) = self.priority {
            commands.push(Command::SetPriority { to });
        }
        if let Some(to) = self.status {
            commands.push(Command::SetStatus { to });
        }
        commands
    }
}

/// The fields a bulk edit can change, as a ticket has them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Snapshot {
    pub status: TicketStatus,
    pub priority: Priority,
    pub assignee: Option<i64>,
    /// Shown in the queue only through its problem's lead: resolving a lead
    /// brings its members out, and undoing that folds them back.
    pub folded: bool,
}

/// What undoing an edit asks of one ticket: each field the edit changed
/// goes back from `left` to `before`, unless it has changed since.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Restore {
    pub before: Snapshot,
    pub left: Snapshot,
}

/// A stored bulk edit, as its author sees it afterwards.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BulkEdit {
    pub id: i64,
    pub staff_id: i64,
    pub created_at: OffsetDateTime,
    pub undo_until: OffsetDateTime,
    pub undone_at: Option<OffsetDateTime>,
    /// What changed and what did not, a sentence per line.
    pub summary: Vec<String>,
    /// The tickets it changed.
    pub changed: usize,
    /// What undoing it did, once undone.
    pub undo_note: String,
}

impl BulkEdit {
    pub fn undoable(&self, now: OffsetDateTime) -> bool {
        self.undone_at.is_none() && self.changed > 0 && now < self.undo_until
    }
}

/// What an undo did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Undo {
    /// Put back: the tickets restored, and those left as they are because
    /// someone changed them since.
    Done {
        restored: Vec<i64>,
        kept: Vec<i64>,
    },
    AlreadyUndone,
    /// The window has passed: what the edit sent is on its way.
    TooLate,
    /// No such edit by this person.
    NotFound,
}

/// What the page says once an edit is undone.
pub fn undo_note(restored: &[i64], kept: &[i64]) -> String {
    let mut note = if restored.is_empty() {
        "Undone: no ticket needed putting back.".to_string()
    } else {
        format!(
            "Undone: {} put back as {} were. Nothing was sent about the edit.",
            references(restored),
            if restored.len() == 1 { "it" } else { "they" }
        )
    };
    if !kept.is_empty() {
        note.push_str(&format!(
            " Left as they are, because someone changed them since: {}.",
            references(kept)
        ));
    }
    note
}

/// How one command of the edit went for one ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldOutcome {
    Changed,
    Unchanged,
    Refused(Refusal),
}

/// The page's account of an edit: for each field chosen, the tickets it
/// changed, those already like that, and those the rules kept as they were,
/// with why. `outcomes` holds, per ticket, one result per command of
/// `change.commands()`, in order.
pub fn summary(
    change: &BulkChange,
    staff_name: impl Fn(i64) -> String,
    outcomes: &[(i64, Vec<FieldOutcome>)],
) -> Vec<String> {
    let commands = change.commands();
    let mut lines = Vec::new();
    for (i, command) in commands.iter().enumerate() {
        let (done, already) = match command {
            Command::Assign { to: Some(id) } => {
                (format!("Assigned to {}", staff_name(*id)), "Already theirs")
            }
            Command::Assign { to: None } => ("Unassigned".to_string(), "Already unassigned"),
            Command::SetPriority { to } => (
                format!("Priority set to {}", to.label()),
                "Already that priority",
            ),
            Command::SetStatus { to } => (
                format!("Status set to {}", staff_label(*to)),
                "Already that status",
            ),
            _ => continue,
        };
        let mut changed = Vec::new();
        let mut unchanged = Vec::new();
        let mut refused: Vec<(i64, String)> = Vec::new();
        for (ticket, results) in outcomes {
            match results.get(i) {
                Some(FieldOutcome::Changed) => changed.push(*ticket),
                Some(FieldOutcome::Unchanged) => unchanged.push(*ticket),
                Some(FieldOutcome::Refused(refusal)) => refused.push((*ticket, refusal.message())),
                None => {}
            }
        }
        if !changed.is_empty() {
            lines.push(format!("{done}: {}.", references(&changed)));
        }
        if !unchanged.is_empty() {
            lines.push(format!("{already}: {}.", references(&unchanged)));
        }
        // One line per reason, so twenty closed tickets read as one.
        let mut reasons: Vec<&str> = refused.iter().map(|(_, why)| why.as_str()).collect();
        reasons.dedup();
        reasons.sort_unstable();
        reasons.dedup();
        for reason in reasons {
            let tickets: Vec<i64> = refused
                .iter()
                .filter(|(_, why)| why == reason)
                .map(|(t, _)| *t)
                .collect();
            lines.push(format!("Not changed: {}. {reason}", references(&tickets)));
        }
    }
    lines
}

/// "T-0012, T-0013 and 4 more".
fn references(ids: &[i64]) -> String {
    let named: Vec<String> = ids
        .iter()
        .take(NAMED_PER_LINE)
        .map(|id| reference_for(*id))
        .collect();
    let mut text = named.join(", ");
    if ids.len() > NAMED_PER_LINE {
        text.push_str(&format!(" and {} more", ids.len() - NAMED_PER_LINE));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change() -> BulkChange {
        BulkChange {
            assignee: Some(Some(7)),
            priority: None,
            status: Some(TicketStatus::Waiting),
        }
    }

    #[test]
    fn only_the_chosen_fields_become_commands_assignee_first() {
        assert!(BulkChange::default().is_empty());
        assert!(BulkChange::default().commands().is_empty());
        assert_eq!(
            change().commands(),
            vec![
                Command::Assign { to: Some(7) },
                Command::SetStatus {
                    to: TicketStatus::Waiting
                }
            ]
        );
    }

    #[test]
    fn the_summary_says_which_tickets_changed_and_why_others_did_not() {
        let outcomes = vec![
            (12, vec![FieldOutcome::Changed, FieldOutcome::Changed]),
            (13, vec![FieldOutcome::Unchanged, FieldOutcome::Changed]),
            (
                14,
                vec![
                    FieldOutcome::Changed,
                    FieldOutcome::Refused(Refusal::StatusChange {
                        from: TicketStatus::Closed,
                        to: TicketStatus::Waiting,
                    }),
                ],
            ),
        ];
        let lines = summary(&change(), |_| "Sam".into(), &outcomes);
        assert_eq!(
            lines[0],
            format!(
                "Assigned to Sam: {}, {}.",
                reference_for(12),
                reference_for(14)
            )
        );
        assert_eq!(lines[1], format!("Already theirs: {}.", reference_for(13)));
        assert_eq!(
            lines[2],
            format!(
                "Status set to Waiting on requester: {}, {}.",
                reference_for(12),
                reference_for(13)
            )
        );
        assert!(
            lines[3].starts_with(&format!(
                "Not changed: {}. A ticket cannot go from Closed",
                reference_for(14)
            )),
            "{}",
            lines[3]
        );
        assert_eq!(lines.len(), 4);
    }

    #[test]
    fn long_lists_name_the_first_few() {
        let ids: Vec<i64> = (1..=11).collect();
        assert!(references(&ids).ends_with(" and 3 more"));
        assert_eq!(references(&ids).matches(", ").count(), NAMED_PER_LINE - 1);
    }

    #[test]
    fn an_edit_is_undoable_only_in_its_window_once_and_if_it_changed_something() {
        let at = OffsetDateTime::UNIX_EPOCH;
        let edit = BulkEdit {
            id: 1,
            staff_id: 1,
            created_at: at,
            undo_until: at + UNDO_WINDOW,
            undone_at: None,
            summary: Vec::new(),
            changed: 2,
            undo_note: String::new(),
        };
        assert!(edit.undoable(at + Duration::seconds(29)));
        assert!(!edit.undoable(at + UNDO_WINDOW));
        assert!(
            !BulkEdit {
                undone_at: Some(at),
                ..edit.clone()
            }
            .undoable(at)
        );
        assert!(!BulkEdit { changed: 0, ..edit }.undoable(at));
    }
}
