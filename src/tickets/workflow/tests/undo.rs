//! Undoing a bulk edit: each field goes back where nobody changed it since,
//! the status even where staff could not move it by hand.

use super::*;
use crate::tickets::bulk::{Restore, Snapshot};

fn snapshot(status: TicketStatus, assignee: Option<i64>, folded: bool) -> Snapshot {
    Snapshot {
        status,
        priority: Priority::Normal,
        assignee,
        folded,
    }
}

fn undo(before: Snapshot, left: Snapshot) -> Command {
    Command::Undo {
        restore: Restore { before, left },
    }
}

#[test]
fn an_edit_is_taken_back_even_to_new() {
    let edited = TicketState {
        assignee: Some(3),
        ..ticket(1, Waiting)
    };
    let c = change(
        AGENT,
        undo(
            snapshot(New, None, false),
            snapshot(Waiting, Some(3), false),
        ),
        &edited,
        &active(),
    );
    assert_eq!(c.tickets[0].status, New);
    assert_eq!(c.tickets[0].assignee, None);
    let kinds: Vec<&str> = c.events.iter().map(|e| e.kind.name()).collect();
    assert_eq!(kinds, ["assigned", "status"]);
}

#[test]
fn a_field_someone_changed_since_stands() {
    // The edit set Waiting; a colleague then opened it.
    let since = ticket(1, Open);
    let decided = run(
        AGENT,
        undo(snapshot(New, None, false), snapshot(Waiting, None, false)),
        &since,
        &active(),
    );
    assert_eq!(decided, Ok(Decision::Unchanged));
}

#[test]
fn an_assignee_who_left_is_not_put_back() {
    let edited = ticket(1, New);
    let c = run(
        AGENT,
        undo(snapshot(New, Some(9), false), snapshot(New, None, false)),
        &edited,
        &Facts::default(),
    );
    assert_eq!(c, Ok(Decision::Unchanged));
}

#[test]
fn a_member_brought_out_by_settling_its_lead_goes_back_under_it() {
    let out = TicketState {
        problem: Some(Grouping {
            problem: 40,
            lead: 1,
            folded: false,
        }),
        ..ticket(5, Resolved)
    };
    let c = change(
        AGENT,
        undo(snapshot(New, None, true), snapshot(Resolved, None, false)),
        &out,
        &active(),
    );
    assert_eq!(c.tickets[0].status, New);
    assert_eq!(c.tickets[0].problem.map(|g| g.folded), Some(true));
}

#[test]
fn only_staff_undo() {
    let t = ticket(1, Waiting);
    let command = undo(snapshot(New, None, false), snapshot(Waiting, None, false));
    for actor in [
        Actor::Requester,
        Actor::System,
        Actor::Token { id: 1, by: 1 },
    ] {
        assert_eq!(
            run(actor, command.clone(), &t, &active()),
            Err(Refusal::NotAllowed)
        );
    }
}
