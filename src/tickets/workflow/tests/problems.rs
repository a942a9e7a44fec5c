//! A ticket's place in a problem: split out by staff, unfolded when its
//! requester writes again.

use super::*;

/// Ticket `id`, folded into problem 40 led by ticket 1.
fn member(id: i64, status: TicketStatus) -> TicketState {
    TicketState {
        problem: Some(Grouping {
            problem: 40,
            lead: 1,
            folded: true,
        }),
        ..ticket(id, status)
    }
}

#[test]
fn staff_split_a_ticket_out_and_it_stays_out() {
    let t = member(5, New);
    let c = change(AGENT, Command::SplitOut, &t, &Facts::default());
    assert_eq!(
        c.tickets,
        [TicketState {
            problem: None,
            ungrouped: true,
            ..t.clone()
        }]
    );
    assert_eq!(
        c.events,
        [event(
            5,
            Author::Staff(7),
            EventKind::SplitOut { lead: Some(1) },
            ""
        )]
    );
    assert!(
        !c.events[0].kind.is_public(),
        "requesters never hear of problems"
    );
    // A second submit finds it out already; a lone ticket has nothing to leave.
    let out = &c.tickets[0];
    assert_eq!(
        run(AGENT, Command::SplitOut, out, &Facts::default()),
        Ok(Decision::Unchanged)
    );
    assert_eq!(
        run(
            AGENT,
            Command::SplitOut,
            &ticket(6, Open),
            &Facts::default()
        ),
        Ok(Decision::Unchanged)
    );
}

#[test]
fn the_lead_split_out_of_its_own_problem_names_no_lead() {
    let c = change(
        AGENT,
        Command::SplitOut,
        &member(1, Open),
        &Facts::default(),
    );
    assert_eq!(c.events[0].kind, EventKind::SplitOut { lead: None });
}

#[test]
fn only_staff_split_tickets() {
    for actor in [Actor::Requester, Actor::System] {
        assert_eq!(
            run(actor, Command::SplitOut, &member(5, New), &Facts::default()),
            Err(Refusal::NotAllowed)
        );
    }
}

#[test]
fn a_requester_writing_again_unfolds_their_ticket_but_keeps_it_in_the_problem() {
    let t = member(5, Waiting);
    let c = change(
        Actor::Requester,
        Command::RequesterAddition {
            body: body("Still failing after the fix."),
        },
        &t,
        &Facts::default(),
    );
    let after = &c.tickets[0];
    assert_eq!(after.status, Open);
    assert_eq!(
        after.problem,
        Some(Grouping {
            problem: 40,
            lead: 1,
            folded: false
        })
    );
}

#[test]
fn staff_work_leaves_the_grouping_alone() {
    let t = member(5, New);
    let c = change(
        AGENT,
        Command::Reply {
            body: body("Fixed on our side."),
            then: AfterReply::Resolve,
        },
        &t,
        &Facts::default(),
    );
    assert_eq!(c.tickets[0].problem, t.problem);
    assert_eq!(c.tickets[0].status, Resolved);
    assert_eq!(
        c.events[0].kind,
        EventKind::Reply {
            status: Some(StatusMove {
                from: New,
                to: Resolved
            })
        }
    );
}
