//! Assigning, priority, status, notes and replies.

use super::*;

#[test]
fn assigning_to_an_active_staff_member() {
    let t = ticket(1, Open);
    let c = change(AGENT, Command::Assign { to: Some(9) }, &t, &active());
    assert_eq!(
        c.tickets,
        [TicketState {
            assignee: Some(9),
            ..t.clone()
        }]
    );
    assert_eq!(
        c.events,
        [event(
            1,
            Author::Staff(7),
            EventKind::Assigned {
                from: None,
                to: Some(StaffRef::id(9))
            },
            ""
        )]
    );
    // Unassigning needs no one to be active.
    let mine = TicketState {
        assignee: Some(7),
        ..t.clone()
    };
    let c = change(
        AGENT,
        Command::Assign { to: None },
        &mine,
        &Facts::default(),
    );
    assert_eq!(c.tickets[0].assignee, None);
    assert_eq!(
        c.events[0].kind,
        EventKind::Assigned {
            from: Some(StaffRef::id(7)),
            to: None
        }
    );
}

#[test]
fn assigning_is_refused_for_someone_not_active_and_unchanged_when_already_so() {
    let t = ticket(1, Open);
    assert_eq!(
        run(
            AGENT,
            Command::Assign { to: Some(9) },
            &t,
            &Facts::default()
        ),
        Err(Refusal::UnknownAssignee)
    );
    let theirs = TicketState {
        assignee: Some(9),
        ..t
    };
    for facts in [active(), Facts::default()] {
        assert_eq!(
            run(AGENT, Command::Assign { to: Some(9) }, &theirs, &facts),
            Ok(Decision::Unchanged)
        );
    }
    assert_eq!(
        run(
            AGENT,
            Command::Assign { to: None },
            &ticket(1, New),
            &active()
        ),
        Ok(Decision::Unchanged)
    );
}

#[test]
fn a_new_priority_moves_the_due_time_until_someone_answers() {
    let t = ticket(1, New);
    let c = change(
        AGENT,
        Command::SetPriority {
            to: Priority::Urgent,
        },
        &t,
        &Facts::default(),
    );
    assert_eq!(c.tickets[0].priority, Priority::Urgent);
    assert_eq!(c.tickets[0].due_at, Some(CREATED + Duration::hours(1)));
    assert_eq!(
        c.events,
        [event(
            1,
            Author::Staff(7),
            EventKind::Priority {
                from: Some(Priority::Normal),
                to: Some(Priority::Urgent)
            },
            ""
        )]
    );
    // Once answered, the due time stays where it was.
    let answered = TicketState {
        first_response_at: Some(CREATED + Duration::minutes(5)),
        ..t.clone()
    };
    let c = change(
        AGENT,
        Command::SetPriority { to: Priority::Low },
        &answered,
        &Facts::default(),
    );
    assert_eq!(c.tickets[0].due_at, t.due_at);
    assert_eq!(
        run(
            AGENT,
            Command::SetPriority {
                to: Priority::Normal
            },
            &t,
            &Facts::default()
        ),
        Ok(Decision::Unchanged)
    );
}

#[test]
fn status_moves_follow_the_staff_rules() {
    for from in STATUSES {
        for to in STATUSES {
            let t = ticket(1, from);
            let result = run(AGENT, Command::SetStatus { to }, &t, &Facts::default());
            if from == to {
                assert_eq!(result, Ok(Decision::Unchanged), "{from} → {to}");
            } else if staff_may_move(from, to) {
                let Ok(Decision::Changed(c)) = result else {
                    panic!("{from} → {to}: {result:?}")
                };
                assert_eq!(c.tickets[0].status, to);
                assert_eq!(
                    c.events,
                    [event(
                        1,
                        Author::Staff(7),
                        EventKind::Status {
                            from: Some(from),
                            to: Some(to)
                        },
                        ""
                    )]
                );
            } else {
                assert_eq!(result, Err(Refusal::StatusChange { from, to }));
            }
        }
    }
}

#[test]
fn a_merged_ticket_keeps_its_status() {
    let merged = merged_into_2(Closed);
    assert_eq!(
        run(
            AGENT,
            Command::SetStatus { to: Open },
            &merged,
            &Facts::default()
        ),
        Err(Refusal::Merged { into: 2 })
    );
    assert_eq!(
        run(
            AGENT,
            Command::SetStatus { to: Closed },
            &merged,
            &Facts::default()
        ),
        Ok(Decision::Unchanged)
    );
}

#[test]
fn notes_are_taken_on_any_ticket_and_change_nothing_else() {
    let merged = merged_into_2(Closed);
    for t in [ticket(1, New), ticket(1, Closed), merged] {
        let c = change(
            AGENT,
            Command::Note {
                body: body("checked the logs"),
            },
            &t,
            &Facts::default(),
        );
        assert_eq!(c.tickets, std::slice::from_ref(&t));
        assert_eq!(
            c.events,
            [event(
                1,
                Author::Staff(7),
                EventKind::Note,
                "checked the logs"
            )]
        );
    }
}

#[test]
fn a_reply_opens_a_new_ticket_and_counts_as_the_first_response() {
    let reply = |waiting| Command::Reply {
        body: body("try a new key"),
        then: if waiting {
            AfterReply::WaitOnRequester
        } else {
            AfterReply::Stay
        },
    };
    let c = change(AGENT, reply(false), &ticket(1, New), &Facts::default());
    assert_eq!(c.tickets[0].status, Open);
    assert_eq!(c.tickets[0].first_response_at, Some(AT));
    assert_eq!(
        c.events,
        [event(
            1,
            Author::Staff(7),
            EventKind::Reply {
                status: Some(StatusMove {
                    from: New,
                    to: Open
                })
            },
            "try a new key"
        )]
    );
    // Later replies leave the first response and an open status alone.
    let answered = TicketState {
        first_response_at: Some(CREATED),
        ..ticket(1, Open)
    };
    let c = change(AGENT, reply(false), &answered, &Facts::default());
    assert_eq!(c.tickets, std::slice::from_ref(&answered));
    assert_eq!(c.events[0].kind, EventKind::Reply { status: None });
    // Waiting on the requester.
    let c = change(AGENT, reply(true), &answered, &Facts::default());
    assert_eq!(c.tickets[0].status, Waiting);
}

#[test]
fn a_reply_that_would_move_a_ticket_against_the_rules_is_refused() {
    let reply = |waiting| Command::Reply {
        body: body("hello"),
        then: if waiting {
            AfterReply::WaitOnRequester
        } else {
            AfterReply::Stay
        },
    };
    for from in [Resolved, Closed] {
        assert_eq!(
            run(AGENT, reply(true), &ticket(1, from), &Facts::default()),
            Err(Refusal::StatusChange { from, to: Waiting })
        );
    }
    // A merged ticket takes a reply that leaves its status alone, no other.
    let merged = merged_into_2(Closed);
    assert!(matches!(
        run(AGENT, reply(false), &merged, &Facts::default()),
        Ok(Decision::Changed(_))
    ));
    let merged_new = merged_into_2(New);
    assert_eq!(
        run(AGENT, reply(false), &merged_new, &Facts::default()),
        Err(Refusal::Merged { into: 2 })
    );
}

#[test]
fn assigning_a_new_ticket_opens_it() {
    let t = ticket(1, New);
    let c = change(AGENT, Command::Assign { to: Some(9) }, &t, &active());
    assert_eq!(
        c.tickets,
        [TicketState {
            assignee: Some(9),
            status: Open,
            ..t.clone()
        }]
    );
    assert_eq!(
        c.events,
        [
            event(
                1,
                Author::Staff(7),
                EventKind::Assigned {
                    from: None,
                    to: Some(StaffRef::id(9))
                },
                ""
            ),
            event(
                1,
                Author::Staff(7),
                EventKind::Status {
                    from: Some(New),
                    to: Some(Open)
                },
                ""
            ),
        ]
    );
    // Unassigning a new ticket leaves it new; other statuses stay put.
    let mine = TicketState {
        assignee: Some(7),
        ..ticket(1, New)
    };
    let c = change(
        AGENT,
        Command::Assign { to: None },
        &mine,
        &Facts::default(),
    );
    assert_eq!((c.tickets[0].status, c.events.len()), (New, 1));
    for status in [Open, Waiting, Resolved, Closed] {
        let c = change(
            AGENT,
            Command::Assign { to: Some(9) },
            &ticket(1, status),
            &active(),
        );
        assert_eq!((c.tickets[0].status, c.events.len()), (status, 1));
    }
}

#[test]
fn a_reply_to_a_closed_ticket_is_refused_until_it_is_reopened() {
    let reply = Command::Reply {
        body: body("hello"),
        then: AfterReply::Stay,
    };
    assert_eq!(
        run(AGENT, reply.clone(), &ticket(1, Closed), &Facts::default()),
        Err(Refusal::ReplyToClosed)
    );
    assert!(matches!(
        run(AGENT, reply, &ticket(1, Open), &Facts::default()),
        Ok(Decision::Changed(_))
    ));
    // A note is still taken.
    assert!(matches!(
        run(
            AGENT,
            Command::Note {
                body: body("for us")
            },
            &ticket(1, Closed),
            &Facts::default()
        ),
        Ok(Decision::Changed(_))
    ));
}
