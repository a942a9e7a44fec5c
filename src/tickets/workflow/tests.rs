//! Every command, allowed and refused, and every role rule.

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
        other_ticket: None,
    }
}

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
    let merged = TicketState {
        merged_into: Some(2),
        ..ticket(1, Closed)
    };
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
    let merged = TicketState {
        merged_into: Some(2),
        ..ticket(1, Closed)
    };
    for t in [ticket(1, New), ticket(1, Closed), merged] {
        let c = change(
            AGENT,
            Command::Note {
                body: body("checked the logs"),
            },
            &t,
            &Facts::default(),
        );
        assert_eq!(c.tickets, [t.clone()]);
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
        waiting_on_requester: waiting,
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
    assert_eq!(c.tickets, [answered.clone()]);
    assert_eq!(c.events[0].kind, EventKind::Reply { status: None });
    // Waiting on the requester.
    let c = change(AGENT, reply(true), &answered, &Facts::default());
    assert_eq!(c.tickets[0].status, Waiting);
}

#[test]
fn a_reply_that_would_move_a_ticket_against_the_rules_is_refused() {
    let reply = |waiting| Command::Reply {
        body: body("hello"),
        waiting_on_requester: waiting,
    };
    for from in [Resolved, Closed] {
        assert_eq!(
            run(AGENT, reply(true), &ticket(1, from), &Facts::default()),
            Err(Refusal::StatusChange { from, to: Waiting })
        );
    }
    // A merged ticket takes a reply that leaves its status alone, no other.
    let merged = TicketState {
        merged_into: Some(2),
        ..ticket(1, Closed)
    };
    assert!(matches!(
        run(AGENT, reply(false), &merged, &Facts::default()),
        Ok(Decision::Changed(_))
    ));
    let merged_new = TicketState {
        merged_into: Some(2),
        ..ticket(1, New)
    };
    assert_eq!(
        run(AGENT, reply(false), &merged_new, &Facts::default()),
        Err(Refusal::Merged { into: 2 })
    );
}

fn survivor(id: i64) -> Facts {
    Facts {
        staff_active: false,
        other_ticket: Some(ticket(id, Open)),
    }
}

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
        staff_active: false,
        other_ticket: Some(TicketState {
            merged_into: Some(3),
            ..ticket(2, Closed)
        }),
    };
    assert_eq!(
        run(ADMIN, merge(2), &ticket(1, Open), &merged_on),
        Err(Refusal::MergeTargetMerged { target: 2, into: 3 })
    );
    let merged = TicketState {
        merged_into: Some(2),
        ..ticket(1, Closed)
    };
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
            EventKind::RequesterReply,
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
    let merged = TicketState {
        merged_into: Some(2),
        ..ticket(1, Closed)
    };
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

#[test]
fn who_may_give_which_command() {
    use CommandKind::*;
    let all = [
        Assign,
        SetPriority,
        SetStatus,
        Note,
        Reply,
        Merge,
        RequesterAddition,
    ];
    let allowed = |actor| -> Vec<CommandKind> {
        all.into_iter()
            .filter(|kind| permitted(actor, *kind).is_ok())
            .collect()
    };
    assert_eq!(
        allowed(AGENT),
        [Assign, SetPriority, SetStatus, Note, Reply]
    );
    assert_eq!(
        allowed(ADMIN),
        [Assign, SetPriority, SetStatus, Note, Reply, Merge]
    );
    assert_eq!(allowed(Actor::System), [SetStatus]);
    assert_eq!(allowed(Actor::Requester), [RequesterAddition]);
    assert!(may_merge(Role::Admin) && !may_merge(Role::Agent));
}

#[test]
fn decide_refuses_what_the_actor_may_not_do_before_anything_else() {
    // Even a merge that would change nothing is refused to an agent.
    let merged = TicketState {
        merged_into: Some(2),
        ..ticket(1, Closed)
    };
    let refused = Err(Refusal::NotAllowed);
    assert_eq!(
        run(AGENT, Command::Merge { into: 2 }, &merged, &survivor(2)),
        refused
    );
    let add = Command::RequesterAddition { body: body("x") };
    assert_eq!(
        run(AGENT, add.clone(), &ticket(1, Open), &active()),
        refused
    );
    assert_eq!(
        run(
            Actor::Requester,
            Command::SetStatus { to: Closed },
            &ticket(1, Open),
            &active()
        ),
        refused
    );
    // apidesk closes a resolved ticket, like staff would.
    let c = change(
        Actor::System,
        Command::SetStatus { to: Closed },
        &ticket(1, Resolved),
        &Facts::default(),
    );
    assert_eq!(c.events[0].by, Author::System);
    assert_eq!(
        run(Actor::System, add, &ticket(1, Open), &active()),
        refused
    );
}

#[test]
fn commands_name_what_they_need_to_know() {
    assert_eq!(Command::Assign { to: Some(3) }.staff_to_check(), Some(3));
    assert_eq!(Command::Assign { to: None }.staff_to_check(), None);
    assert_eq!(Command::Merge { into: 4 }.other_ticket(), Some(4));
    assert_eq!(Command::SetStatus { to: Open }.other_ticket(), None);
    assert_eq!(Command::SetStatus { to: Open }.staff_to_check(), None);
}

#[test]
fn the_staff_status_rules() {
    // The usual path, forward.
    for (from, to) in [
        (New, Open),
        (Open, Waiting),
        (Waiting, Resolved),
        (Resolved, Closed),
    ] {
        assert!(staff_may_move(from, to), "{from} → {to}");
    }
    // Shortcuts, reopening, and closing from anywhere.
    for (from, to) in [
        (Open, Resolved),
        (Waiting, Open),
        (New, Waiting),
        (New, Resolved),
        (Resolved, Open),
        (Closed, Open),
    ] {
        assert!(staff_may_move(from, to), "{from} → {to}");
    }
    for from in STATUSES {
        assert_eq!(staff_may_move(from, Closed), from != Closed);
        assert!(!staff_may_move(from, New), "nothing goes back to new");
        assert!(!staff_may_move(from, from));
    }
    for (from, to) in [(Resolved, Waiting), (Closed, Waiting), (Closed, Resolved)] {
        assert!(!staff_may_move(from, to), "{from} → {to}");
        let refusal = check_staff_move(from, to).unwrap_err();
        assert_eq!(refusal.field(), "status");
        assert!(refusal.message().contains("From"));
    }
    assert_eq!(check_staff_move(Open, Open), Ok(false));
    assert_eq!(staff_targets(Closed), vec![Open]);
}

#[test]
fn what_replies_do_to_the_status() {
    assert_eq!(status_after_staff_reply(New, false), Ok(Some(Open)));
    assert_eq!(status_after_staff_reply(Open, false), Ok(None));
    assert_eq!(status_after_staff_reply(Resolved, false), Ok(None));
    assert_eq!(status_after_staff_reply(Open, true), Ok(Some(Waiting)));
    assert_eq!(status_after_staff_reply(New, true), Ok(Some(Waiting)));
    assert_eq!(status_after_staff_reply(Waiting, true), Ok(None));
    assert!(status_after_staff_reply(Closed, true).is_err());

    assert_eq!(status_after_requester_reply(Waiting), Ok(Some(Open)));
    assert_eq!(status_after_requester_reply(Resolved), Ok(Some(Open)));
    assert_eq!(status_after_requester_reply(New), Ok(None));
    assert_eq!(status_after_requester_reply(Open), Ok(None));
    assert_eq!(
        status_after_requester_reply(Closed),
        Err(Refusal::ClosedToRequester)
    );
}
