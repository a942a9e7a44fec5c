//! Every command, allowed and refused, and every role rule; the shared
//! fixtures are here.

use time::Duration;
use time::macros::datetime;

use super::*;
use TicketStatus::*;

const AT: OffsetDateTime = datetime!(2026-11-20 12:00 UTC);
const CREATED: OffsetDateTime = datetime!(2026-11-20 09:00 UTC);
const AGENT: Actor = Actor::Staff {
    id: 7,
    role: Role::Agent,
};
const ADMIN: Actor = Actor::Staff {
    id: 8,
    role: Role::Admin,
};

fn ticket(id: i64, status: TicketStatus) -> TicketState {
    TicketState {
        id,
        status,
        priority: Priority::Normal,
        assignee: None,
        merged_into: None,
        first_response_at: None,
        created_at: CREATED,
        due_at: Some(CREATED + Duration::hours(24)),
        additions: AdditionTally::default(),
        wanted: Wanted::default(),
        problem: None,
        ungrouped: false,
    }
}

/// Ticket 1, merged into ticket 2.
fn merged_into_2(status: TicketStatus) -> TicketState {
    TicketState {
        merged_into: Some(2),
        ..ticket(1, status)
    }
}

fn body(text: &str) -> EventBody {
    EventBody::parse(text).unwrap()
}

fn run(
    actor: Actor,
    command: Command,
    ticket: &TicketState,
    facts: &Facts,
) -> Result<Decision, Refusal> {
    let request = Request {
        ticket: ticket.id,
        actor,
        command,
        at: AT,
    };
    decide(&request, ticket, facts, &ResponseTargets::default())
}

/// The change a command makes, failing the test if it makes none.
fn change(actor: Actor, command: Command, ticket: &TicketState, facts: &Facts) -> Change {
    match run(actor, command.clone(), ticket, facts) {
        Ok(Decision::Changed(change)) => change,
        other => panic!("{command:?} on {ticket:?}: {other:?}"),
    }
}

fn event(ticket_id: i64, by: Author, kind: EventKind, body: &str) -> NewEvent {
    NewEvent {
        ticket_id,
        by,
        kind,
        body: body.into(),
    }
}

fn active() -> Facts {
    Facts {
        staff_active: true,
        ..Facts::default()
    }
}

fn survivor(id: i64) -> Facts {
    Facts {
        other_ticket: Some(ticket(id, Open)),
        ..Facts::default()
    }
}

mod details;
mod mail;
mod merges_and_additions;
mod problems;
mod roles_and_rules;
mod staff_work;
mod undo;
