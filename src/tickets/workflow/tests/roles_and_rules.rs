//! Who may give which command, and the status rules on their own.

use super::*;

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
        MailReply,
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
    assert_eq!(allowed(Actor::System), [SetStatus, MailReply]);
    assert_eq!(allowed(Actor::Requester), [RequesterAddition]);
    assert!(may_merge(Role::Admin) && !may_merge(Role::Agent));
}

#[test]
fn decide_refuses_what_the_actor_may_not_do_before_anything_else() {
    // Even a merge that would change nothing is refused to an agent.
    let merged = merged_into_2(Closed);
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
    use AfterReply::*;
    assert_eq!(status_after_staff_reply(New, Stay), Ok(Some(Open)));
    assert_eq!(status_after_staff_reply(Open, Stay), Ok(None));
    assert_eq!(status_after_staff_reply(Resolved, Stay), Ok(None));
    assert_eq!(
        status_after_staff_reply(Open, WaitOnRequester),
        Ok(Some(Waiting))
    );
    assert_eq!(
        status_after_staff_reply(New, WaitOnRequester),
        Ok(Some(Waiting))
    );
    assert_eq!(status_after_staff_reply(Waiting, WaitOnRequester), Ok(None));
    assert!(status_after_staff_reply(Closed, WaitOnRequester).is_err());
    // One answer to a whole problem resolves each ticket it reaches.
    assert_eq!(status_after_staff_reply(New, Resolve), Ok(Some(Resolved)));
    assert_eq!(
        status_after_staff_reply(Waiting, Resolve),
        Ok(Some(Resolved))
    );
    assert_eq!(status_after_staff_reply(Resolved, Resolve), Ok(None));
    assert!(status_after_staff_reply(Closed, Resolve).is_err());

    assert_eq!(status_after_requester_reply(Waiting), Ok(Some(Open)));
    assert_eq!(status_after_requester_reply(Resolved), Ok(Some(Open)));
    assert_eq!(status_after_requester_reply(New), Ok(None));
    assert_eq!(status_after_requester_reply(Open), Ok(None));
    assert_eq!(
        status_after_requester_reply(Closed),
        Err(Refusal::ClosedToRequester)
    );
}
