//! A ticket opened from a mail, completed by its requester.

use super::*;
use crate::domain::{ErrorCode, HttpMethod, Zone};
use crate::tickets::{Detail, Tool};

fn lacking(status: TicketStatus) -> TicketState {
    TicketState {
        wanted: Wanted::new([Detail::OccurredAt, Detail::Tool]),
        ..ticket(1, status)
    }
}

fn given() -> Command {
    Command::GiveDetails {
        details: GivenDetails {
            error_code: ErrorCode::parse("422").unwrap(),
            endpoint: "/openapi/views/12/records".into(),
            method: HttpMethod::Post,
            occurred_at: CREATED,
            time_zone: Zone::utc(),
            tool: Tool::Make,
        },
    }
}

#[test]
fn the_requesters_details_complete_the_ticket_and_are_stored_with_it() {
    let c = change(Actor::Requester, given(), &lacking(New), &Facts::default());
    assert!(c.tickets[0].wanted.is_empty());
    assert_eq!(c.tickets[0].status, New);
    let Command::GiveDetails { details } = given() else {
        unreachable!()
    };
    assert_eq!(c.details, Some(details));
    assert_eq!(
        c.events,
        [event(
            1,
            Author::Requester,
            EventKind::DetailsGiven {
                wanted: Some(Wanted::new([Detail::OccurredAt, Detail::Tool]))
            },
            ""
        )]
    );
}

#[test]
fn completing_a_waiting_ticket_puts_it_back_in_front_of_staff() {
    let c = change(
        Actor::Requester,
        given(),
        &lacking(Waiting),
        &Facts::default(),
    );
    assert_eq!(c.tickets[0].status, Open);
    assert_eq!(c.events.len(), 2);
    assert_eq!(
        c.events[1].kind,
        EventKind::Status {
            from: Some(Waiting),
            to: Some(Open)
        }
    );
}

#[test]
fn a_complete_ticket_is_left_alone_and_a_closed_or_merged_one_refuses() {
    let complete = ticket(1, New);
    assert_eq!(
        run(Actor::Requester, given(), &complete, &Facts::default()),
        Ok(Decision::Unchanged)
    );
    assert_eq!(
        run(
            Actor::Requester,
            given(),
            &lacking(Closed),
            &Facts::default()
        ),
        Err(Refusal::ClosedToRequester)
    );
    let merged = TicketState {
        merged_into: Some(2),
        ..lacking(Open)
    };
    assert_eq!(
        run(Actor::Requester, given(), &merged, &Facts::default()),
        Err(Refusal::Merged { into: 2 })
    );
}

#[test]
fn only_the_requester_gives_details() {
    for actor in [AGENT, ADMIN, Actor::System] {
        assert_eq!(
            run(actor, given(), &lacking(New), &Facts::default()),
            Err(Refusal::NotAllowed),
            "{actor:?}"
        );
    }
}
