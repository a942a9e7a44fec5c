//! Mail received for a ticket: the requester's answer, someone else's, and
//! the ones the ticket cannot take.

use super::*;

fn mail(from_requester: bool, text: &str) -> Command {
    Command::MailReply {
        from: "pat@example.com".into(),
        from_requester,
        body: body(text),
    }
}

fn note(why: MailNoteReason, text: &str) -> NewEvent {
    event(
        1,
        Author::System,
        EventKind::MailNote {
            from: Some("pat@example.com".into()),
            why: Some(why),
        },
        text,
    )
}

#[test]
fn the_requesters_answer_is_their_addition_by_email_and_reopens_the_ticket() {
    let c = change(
        Actor::System,
        mail(true, "still 401"),
        &ticket(1, Waiting),
        &Facts::default(),
    );
    assert_eq!(c.tickets[0].status, Open);
    assert_eq!(
        c.events,
        [
            event(
                1,
                Author::Requester,
                EventKind::RequesterReply {
                    via: Some(Channel::Email)
                },
                "still 401"
            ),
            event(
                1,
                Author::System,
                EventKind::Status {
                    from: Some(Waiting),
                    to: Some(Open)
                },
                ""
            ),
        ]
    );
}

#[test]
fn someone_elses_mail_is_a_note_for_staff_and_moves_nothing() {
    for status in [New, Open, Waiting, Resolved, Closed] {
        let t = ticket(1, status);
        let c = change(
            Actor::System,
            mail(false, "I see it too"),
            &t,
            &Facts::default(),
        );
        assert_eq!(c.tickets, [t], "{status}");
        assert_eq!(
            c.events,
            [note(MailNoteReason::NotRequester, "I see it too")]
        );
        assert!(!c.events[0].kind.is_public());
    }
}

#[test]
fn a_closed_merged_or_full_ticket_keeps_the_requesters_mail_as_a_note() {
    let full = TicketState {
        additions: AdditionTally {
            count: MAX_ADDITIONS_PER_TICKET,
            chars: 10,
        },
        ..ticket(1, Waiting)
    };
    for (t, why) in [
        (ticket(1, Closed), MailNoteReason::Closed),
        (merged_into_2(Closed), MailNoteReason::Closed),
        (full, MailNoteReason::Full),
    ] {
        let c = change(Actor::System, mail(true, "hello?"), &t, &Facts::default());
        assert_eq!(c.tickets, std::slice::from_ref(&t), "nothing reopens");
        assert_eq!(c.events, [note(why, "hello?")]);
    }
}

#[test]
fn a_ticket_takes_only_so_much_mail_an_hour() {
    let busy = |count| Facts {
        mail_this_hour: count,
        ..Facts::default()
    };
    let t = ticket(1, Waiting);
    let last = MAX_MAILS_IN_PER_TICKET_PER_HOUR - 1;
    assert!(run(Actor::System, mail(true, "x"), &t, &busy(last)).is_ok());
    for from_requester in [true, false] {
        assert_eq!(
            run(
                Actor::System,
                mail(from_requester, "x"),
                &t,
                &busy(last + 1)
            ),
            Err(Refusal::TooMuchMail)
        );
    }
}

#[test]
fn only_apidesk_itself_files_mail() {
    for actor in [AGENT, ADMIN, Actor::Requester] {
        assert_eq!(
            run(actor, mail(true, "x"), &ticket(1, Open), &active()),
            Err(Refusal::NotAllowed)
        );
    }
}
