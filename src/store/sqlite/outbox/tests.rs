use time::OffsetDateTime;

use super::*;
use crate::staff::Role;
use crate::store::sqlite::tests::{store_with_tickets, with_admin};
use crate::store::{Actions, Tickets};
use crate::tickets::workflow::{Actor, AfterReply, Command, Request};
use crate::tickets::{EventBody, ResponseTargets, TicketInput, TicketStatus};

const ADMIN: Actor = Actor::Staff {
    id: 1,
    role: Role::Admin,
};

fn staff(ticket: i64, command: Command) -> Request {
    Request {
        ticket,
        actor: ADMIN,
        command,
        at: OffsetDateTime::now_utc(),
    }
}

fn reply(text: &str) -> Command {
    Command::Reply {
        body: EventBody::parse(text).unwrap(),
        then: AfterReply::Stay,
    }
}

async fn file(store: &SqliteStore, email: &str) -> i64 {
    let now = OffsetDateTime::now_utc();
    // At normal priority: no staff notice joins the requester's mail.
    let ticket = TicketInput {
        error_code: "429".into(),
        message: "HTTP GET failed: too many requests (429)".into(),
        environment: "sandbox".into(),
        ..TicketInput::example(email)
    }
    .validate(now)
    .unwrap();
    let triage = ticket.triage(now, &ResponseTargets::default());
    store.insert_ticket(&ticket, &triage, now).await.unwrap();
    sqlx::query_scalar("SELECT MAX(id) FROM tickets")
        .fetch_one(&store.pool)
        .await
        .unwrap()
}

fn kinds(mail: &[MailRecord]) -> Vec<(MailKind, MailState)> {
    mail.iter().map(|m| (m.kind, m.state)).collect()
}

#[tokio::test]
async fn filing_writes_its_confirmation_with_the_ticket() {
    let (store, _dir) = store_with_tickets(1).await;
    let mail = store.ticket_mail(1).await.unwrap();
    assert_eq!(kinds(&mail), [(MailKind::Filed, MailState::Pending)]);
    assert_eq!(mail[0].recipient, "req@example.com");
    assert!(mail[0].message_key.starts_with("apidesk."));
    let event: i64 = sqlx::query_scalar("SELECT id FROM ticket_events WHERE ticket_id = 1")
        .fetch_one(&store.pool)
        .await
        .unwrap();
    assert_eq!(
        mail[0].about,
        MailAbout::Event {
            ticket_id: 1,
            event_id: event
        }
    );
}

#[tokio::test]
async fn with_mail_off_the_mail_is_recorded_as_not_sent_and_stays_so() {
    let (mut store, _dir) = with_admin(0).await;
    store.outgoing = OutgoingMail::Off;
    let id = file(&store, "lin@example.com").await;
    let outcome = store
        .apply(
            &staff(id, reply("Try a new key.")),
            &ResponseTargets::default(),
        )
        .await
        .unwrap();
    assert!(outcome.changed());
    let mail = store.ticket_mail(id).await.unwrap();
    assert_eq!(
        kinds(&mail),
        [
            (MailKind::Filed, MailState::NotSent),
            (MailKind::Reply, MailState::NotSent)
        ]
    );
    assert!(
        mail[0].reason.contains("not configured"),
        "{}",
        mail[0].reason
    );
    // Switching mail on later sends none of it.
    store.outgoing = OutgoingMail::On;
    let later = OffsetDateTime::now_utc() + time::Duration::DAY;
    assert!(store.due_mail(later, 10).await.unwrap().is_empty());
}

#[tokio::test]
async fn replies_and_the_statuses_a_requester_acts_on_send_mail_and_nothing_else_does() {
    let (store, _dir) = with_admin(1).await;
    let targets = ResponseTargets::default();
    let to = |status| Command::SetStatus { to: status };
    for command in [
        Command::Note {
            body: EventBody::parse("Internal: key rotated?").unwrap(),
        },
        // Assigning the new ticket also opens it: no mail for that.
        Command::Assign { to: Some(1) },
        reply("Which key do you use?"),
        to(TicketStatus::Waiting),
        to(TicketStatus::Resolved),
    ] {
        let outcome = store.apply(&staff(1, command), &targets).await.unwrap();
        assert!(outcome.changed());
    }
    let mail = store.ticket_mail(1).await.unwrap();
    let sent: Vec<MailKind> = mail.iter().map(|m| m.kind).collect();
    assert_eq!(
        sent,
        [
            MailKind::Filed,
            MailKind::Reply,
            MailKind::Waiting,
            MailKind::Resolved
        ]
    );
}

#[tokio::test]
async fn mail_is_written_only_if_its_event_commits() {
    let (store, _dir) = with_admin(1).await;
    let targets = ResponseTargets::default();
    let request = staff(1, reply("Rolled back"));
    let outcome = store
        .write_keeping(
            move |tx| {
                Box::pin(async move {
                    super::super::ticket_actions::apply_in(tx, &request, &targets, OutgoingMail::On)
                        .await
                })
            },
            // Not kept: the job is rolled back to its savepoint.
            |_| false,
        )
        .await
        .unwrap();
    assert!(outcome.changed());
    // A refused command writes nothing either.
    let refused = store
        .apply(&staff(1, Command::Merge { into: 1 }), &targets)
        .await;
    assert!(refused.is_err());
    assert_eq!(
        kinds(&store.ticket_mail(1).await.unwrap()),
        [(MailKind::Filed, MailState::Pending)]
    );
    let events: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM ticket_events")
        .fetch_one(&store.pool)
        .await
        .unwrap();
    assert_eq!(events, 1, "only the filing");
}

#[tokio::test]
async fn one_address_gets_at_most_three_confirmations_an_hour() {
    let (store, _dir) = with_admin(0).await;
    let mut states = Vec::new();
    for email in [
        "Flood@Example.com",
        "flood@example.com",
        "FLOOD@example.com",
        "flood@example.com",
        "Flood@Example.com",
    ] {
        let id = file(&store, email).await;
        states.push(store.ticket_mail(id).await.unwrap()[0].state);
    }
    assert_eq!(
        states,
        [
            MailState::Pending,
            MailState::Pending,
            MailState::Pending,
            MailState::NotSent,
            MailState::NotSent
        ]
    );
    // Another address is not held back.
    let other = file(&store, "someone@example.com").await;
    assert_eq!(
        store.ticket_mail(other).await.unwrap()[0].state,
        MailState::Pending
    );
}

#[tokio::test]
async fn one_ticket_gets_at_most_ten_mails_an_hour() {
    let (store, _dir) = with_admin(1).await;
    let targets = ResponseTargets::default();
    for i in 0..12 {
        let outcome = store
            .apply(&staff(1, reply(&format!("Reply {i}"))), &targets)
            .await
            .unwrap();
        assert!(outcome.changed());
    }
    let mail = store.ticket_mail(1).await.unwrap();
    let pending = mail
        .iter()
        .filter(|m| m.state == MailState::Pending)
        .count();
    assert_eq!(pending, 10, "the filing and nine replies");
    let last = mail.last().unwrap();
    assert_eq!(last.state, MailState::NotSent);
    assert!(
        last.reason.contains("10 mails about this ticket"),
        "{}",
        last.reason
    );
}

#[tokio::test]
async fn attempts_move_a_mail_on_and_are_each_recorded() {
    let (store, _dir) = with_admin(2).await;
    let now = OffsetDateTime::now_utc();
    let due = store.due_mail(now, 10).await.unwrap();
    assert_eq!(
        due.iter()
            .map(|m| m.ticket_id().unwrap())
            .collect::<Vec<_>>(),
        [1, 2]
    );
    let (first, second) = (due[0].id, due[1].id);

    let later = now + time::Duration::minutes(1);
    store
        .record_delivery(
            first,
            now,
            &Delivery::Retry {
                detail: "451 try later".into(),
                next_at: later,
            },
        )
        .await
        .unwrap();
    let mail = store.mail_by_id(first).await.unwrap().unwrap();
    assert_eq!((mail.state, mail.attempts), (MailState::Pending, 1));
    assert_eq!(mail.reason, "451 try later");
    assert_eq!(
        store.due_mail(now, 10).await.unwrap().len(),
        1,
        "not due until later"
    );
    assert_eq!(
        store
            .next_mail_due()
            .await
            .unwrap()
            .map(|t| t.unix_timestamp()),
        Some(now.unix_timestamp())
    );

    store
        .record_delivery(
            second,
            now,
            &Delivery::GaveUp {
                detail: "550 no such user".into(),
                permanent: true,
            },
        )
        .await
        .unwrap();
    store
        .record_delivery(
            first,
            later,
            &Delivery::Sent {
                detail: "250 OK".into(),
            },
        )
        .await
        .unwrap();
    let mail = store.mail_by_id(first).await.unwrap().unwrap();
    assert_eq!(
        (mail.state, mail.attempts, mail.reason.as_str()),
        (MailState::Sent, 2, "")
    );
    assert!(mail.sent_at.is_some());
    assert_eq!(
        store.mail_by_id(second).await.unwrap().unwrap().state,
        MailState::Failed
    );
    assert_eq!(store.next_mail_due().await.unwrap(), None);
    let attempts: Vec<(i64, String)> =
        sqlx::query_as("SELECT mail_id, outcome FROM mail_attempts ORDER BY id")
            .fetch_all(&store.pool)
            .await
            .unwrap();
    assert_eq!(
        attempts,
        [
            (first, "temporary".into()),
            (second, "permanent".into()),
            (first, "sent".into())
        ]
    );
}

#[tokio::test]
async fn a_resend_is_a_new_pending_copy_of_that_tickets_mail() {
    let (store, _dir) = with_admin(2).await;
    let original = store.ticket_mail(1).await.unwrap().remove(0);
    let now = OffsetDateTime::now_utc();
    assert_eq!(
        store.resend_mail(2, original.id, now).await.unwrap(),
        None,
        "not ticket 2's"
    );
    let copy = store
        .resend_mail(1, original.id, now)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(copy.resend_of, Some(original.id));
    assert_eq!((copy.kind, copy.state), (original.kind, MailState::Pending));
    assert_ne!(copy.message_key, original.message_key);
    assert_eq!(store.ticket_mail(1).await.unwrap().len(), 2);
}

async fn add_staff(store: &SqliteStore, id: i64, email: &str, urgent: bool, assigned: bool) {
    store.execute(sqlx::query(
        "INSERT INTO staff (id, email, name, role, password_hash, created_at, notify_urgent, \
         notify_assigned) VALUES (?, ?, ?, 'agent', 'x', '2026-01-01T00:00:00Z', ?, ?)",
    )
    .bind(id)
    .bind(email.to_string())
    .bind(email.to_string())
    .bind(urgent)
    .bind(assigned)
    )
    .await
    .unwrap();
}

fn staff_mail(mail: &[MailRecord]) -> Vec<(MailKind, String)> {
    mail.iter()
        .filter(|m| m.kind.is_for_staff())
        .map(|m| (m.kind, m.recipient.clone()))
        .collect()
}

#[tokio::test]
async fn staff_who_chose_it_hear_of_urgent_tickets_and_of_tickets_others_assign_them() {
    let (store, _dir) = with_admin(0).await;
    add_staff(&store, 2, "bea@example.com", true, true).await;
    add_staff(&store, 3, "cal@example.com", false, false).await;
    add_staff(&store, 4, "dee@example.com", true, false).await;
    let targets = ResponseTargets::default();

    // A 429 in sandbox starts normal: nobody hears of it.
    let id = file(&store, "req@example.com").await;
    assert_eq!(staff_mail(&store.ticket_mail(id).await.unwrap()), []);

    // Ada (1) raises it to urgent: Bea and Dee chose to hear, Cal did not.
    let raise = Command::SetPriority {
        to: crate::tickets::Priority::Urgent,
    };
    assert!(
        store
            .apply(&staff(id, raise), &targets)
            .await
            .unwrap()
            .changed()
    );
    // Ada assigns it to Bea, then to Cal; Bea takes it back herself.
    for (actor, to) in [(1, 2), (1, 3), (2, 2)] {
        let request = Request {
            actor: Actor::Staff {
                id: actor,
                role: Role::Agent,
            },
            ..staff(id, Command::Assign { to: Some(to) })
        };
        assert!(store.apply(&request, &targets).await.unwrap().changed());
    }
    assert_eq!(
        staff_mail(&store.ticket_mail(id).await.unwrap()),
        [
            (MailKind::StaffUrgent, "bea@example.com".to_string()),
            (MailKind::StaffUrgent, "dee@example.com".to_string()),
            (MailKind::StaffAssigned, "bea@example.com".to_string()),
        ]
    );
}

#[tokio::test]
async fn links_mail_lists_the_tickets_still_in_progress_for_that_address() {
    let (store, _dir) = with_admin(0).await;
    let first = file(&store, "Lin@Example.com").await;
    let second = file(&store, "lin@example.com").await;
    let resolved = file(&store, "lin@example.com").await;
    let _other = file(&store, "someone@example.com").await;
    let targets = ResponseTargets::default();
    let done = Command::SetStatus {
        to: TicketStatus::Resolved,
    };
    assert!(
        store
            .apply(&staff(resolved, done), &targets)
            .await
            .unwrap()
            .changed()
    );

    let now = OffsetDateTime::now_utc();
    let mail = store
        .mail_ticket_links(" LIN@example.com ", now)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(mail.kind, MailKind::Links);
    assert_eq!(
        mail.about,
        MailAbout::Tickets(vec![second, first]),
        "newest first"
    );
    assert_eq!(
        mail.recipient, "lin@example.com",
        "as the latest ticket has it"
    );
    assert_eq!(mail.state, MailState::Pending);
    assert!(
        store
            .due_mail(now, 50)
            .await
            .unwrap()
            .iter()
            .any(|m| m.id == mail.id)
    );

    // Nobody's tickets: nothing written.
    assert_eq!(
        store
            .mail_ticket_links("nobody@example.com", now)
            .await
            .unwrap(),
        None
    );
    // Three an hour per address; the fourth is recorded, not sent.
    for _ in 0..2 {
        store
            .mail_ticket_links("lin@example.com", now)
            .await
            .unwrap()
            .unwrap();
    }
    let fourth = store
        .mail_ticket_links("lin@example.com", now)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(fourth.state, MailState::NotSent);
    assert!(
        fourth.reason.contains("3 mails of links"),
        "{}",
        fourth.reason
    );
}

#[tokio::test]
async fn sending_again_and_again_stops_at_the_tickets_cap() {
    let (store, _dir) = with_admin(1).await;
    let original = store.ticket_mail(1).await.unwrap().remove(0);
    let now = OffsetDateTime::now_utc();
    let mut states = Vec::new();
    for _ in 0..12 {
        let copy = store
            .resend_mail(1, original.id, now)
            .await
            .unwrap()
            .unwrap();
        states.push(copy.state);
    }
    // The filing's mail and the first copies fill the ticket's 10 an hour;
    // a confirmation also counts against the mailbox's 3.
    let pending = states.iter().filter(|s| **s == MailState::Pending).count();
    assert_eq!(pending, 2, "{states:?}");
    assert!(states[2..].iter().all(|s| *s == MailState::NotSent));
}
