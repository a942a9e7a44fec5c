//! Merges and the requester's additions.

use super::*;

#[test]
fn an_admin_merges_a_ticket_into_another() {
    let t = ticket(1, Waiting);
    let c = change(ADMIN, Command::Merge { into: 2 }, &t, &survivor(2));
    assert_eq!(
        c.tickets,
        [
            TicketState {
                status: Closed,
                merged_into: Some(2),
                ..t
            },
            ticket(2, Open)
        ]
    );
    assert_eq!(
        c.events,
        [
            event(
                1,
                Author::Staff(8),
                EventKind::Merged {
                    into: Some(2),
                    status_from: Some(Waiting)
                },
                ""
            ),
            event(
                2,
                Author::Staff(8),
                EventKind::MergedFrom { from: Some(1) },
                ""
            ),
        ]
    );
}

#[test]
fn merges_that_make_no_sense_are_refused() {
    let merge = |into| Command::Merge { into };
    assert_eq!(
        run(ADMIN, merge(1), &ticket(1, Open), &survivor(1)),
        Err(Refusal::MergeIntoItself)
    );
    assert_eq!(
        run(ADMIN, merge(2), &ticket(1, Open), &Facts::default()),
        Err(Refusal::MergeTargetMissing)
    );
    // Facts about another ticket are no facts about this one.
    assert_eq!(
        run(ADMIN, merge(2), &ticket(1, Open), &survivor(3)),
        Err(Refusal::MergeTargetMissing)
    );
    let merged_on = Facts {
        other_ticket: Some(TicketState {
            merged_into: Some(3),
            ..ticket(2, Closed)
        }),
        ..Facts::default()
    };
    assert_eq!(
        run(ADMIN, merge(2), &ticket(1, Open), &merged_on),
        Err(Refusal::MergeTargetMerged { target: 2, into: 3 })
    );
    let merged = merged_into_2(Closed);
    assert_eq!(
        run(ADMIN, merge(2), &merged, &survivor(2)),
        Ok(Decision::Unchanged)
    );
    assert_eq!(
        run(ADMIN, merge(4), &merged, &survivor(4)),
        Err(Refusal::Merged { into: 2 })
    );
}

#[test]
fn a_requester_addition_is_appended_and_brings_the_ticket_back() {
    let add = || Command::RequesterAddition {
        body: body("still failing"),
    };
    for (from, moved) in [
        (New, None),
        (Open, None),
        (Waiting, Some(Open)),
        (Resolved, Some(Open)),
    ] {
        let t = ticket(1, from);
        let c = change(Actor::Requester, add(), &t, &Facts::default());
        assert_eq!(c.tickets[0].status, moved.unwrap_or(from));
        let mut expected = vec![event(
            1,
            Author::Requester,
            EventKind::RequesterReply { via: None },
            "still failing",
        )];
        if let Some(to) = moved {
            expected.push(event(
                1,
                Author::System,
                EventKind::Status {
                    from: Some(from),
                    to: Some(to),
                },
                "",
            ));
        }
        assert_eq!(c.events, expected, "{from}");
    }
}

#[test]
fn a_closed_merged_or_full_ticket_takes_no_additions() {
    let add = |text: &str| Command::RequesterAddition { body: body(text) };
    let none = Facts::default();
    assert_eq!(
        run(Actor::Requester, add("x"), &ticket(1, Closed), &none),
        Err(Refusal::ClosedToRequester)
    );
    let merged = merged_into_2(Closed);
    assert_eq!(
        run(Actor::Requester, add("x"), &merged, &none),
        Err(Refusal::Merged { into: 2 })
    );
    let with = |count, chars| TicketState {
        additions: AdditionTally { count, chars },
        ..ticket(1, Open)
    };
    let full = Err(Refusal::AdditionsFull);
    assert_eq!(
        run(
            Actor::Requester,
            add("x"),
            &with(MAX_ADDITIONS_PER_TICKET, 10),
            &none
        ),
        full
    );
    assert_eq!(
        run(
            Actor::Requester,
            add("xy"),
            &with(3, MAX_ADDITION_CHARS_PER_TICKET - 1),
            &none
        ),
        full
    );
    assert!(
        run(
            Actor::Requester,
            add("x"),
            &with(
                MAX_ADDITIONS_PER_TICKET - 1,
                MAX_ADDITION_CHARS_PER_TICKET - 1
            ),
            &none
        )
        .is_ok()
    );
}

#[test]
fn room_for_additions() {
    assert_eq!(addition_room(0, 0), Some(MAX_EVENT_BODY_CHARS));
    assert_eq!(addition_room(3, MAX_ADDITION_CHARS_PER_TICKET - 5), Some(5));
    assert_eq!(addition_room(MAX_ADDITIONS_PER_TICKET, 0), None);
    assert_eq!(addition_room(1, MAX_ADDITION_CHARS_PER_TICKET), None);
    let tally = AdditionTally { count: 1, chars: 0 };
    assert_eq!(check_addition_room(tally, MAX_EVENT_BODY_CHARS), Ok(()));
    assert_eq!(
        check_addition_room(tally, MAX_EVENT_BODY_CHARS + 1),
        Err(Refusal::AdditionsFull)
    );
}
