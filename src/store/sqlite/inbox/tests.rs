use time::OffsetDateTime;

use super::*;
use crate::store::sqlite::tests::store_with_tickets;
use crate::store::{Outbox, Tickets, Timelines};
use crate::tickets::workflow::{Actor, Command, Request};
use crate::tickets::{EventBody, TicketStatus};

fn received(message_id: &str, sender: &str) -> InboundMail {
    InboundMail {
        message_id: message_id.into(),
        sender: sender.into(),
        subject: "Re: your ticket".into(),
        received_at: OffsetDateTime::now_utc(),
    }
}

fn answer(ticket: i64, from: &str, text: &str) -> InboundPlan {
    InboundPlan::File(Request {
        ticket,
        actor: Actor::System,
        command: Command::MailReply {
            from: from.into(),
            from_requester: from == "req@example.com",
            body: EventBody::parse(text).unwrap(),
        },
        at: OffsetDateTime::now_utc(),
    })
}

async fn take(
    store: &SqliteStore,
    mail: &InboundMail,
    plan: &InboundPlan,
) -> Option<InboundOutcome> {
    store
        .take_mail(mail, plan, &ResponseTargets::default())
        .await
        .unwrap()
}

async fn set_status(store: &SqliteStore, status: TicketStatus) {
    store
        .execute(sqlx::query("UPDATE tickets SET status = ?").bind(status.as_str()))
        .await
        .unwrap();
}

#[tokio::test]
async fn a_reply_to_apidesks_mail_leads_to_its_ticket() {
    let (store, _dir) = store_with_tickets(2).await;
    let key = store.ticket_mail(2).await.unwrap()[0].message_key.clone();
    let thread = store
        .mail_thread(&["someone.else@example.org".into(), key])
        .await
        .unwrap();
    assert_eq!(
        thread,
        Some(MailThread {
            ticket_id: 2,
            requester_email: "req@example.com".into()
        })
    );
    assert_eq!(
        store.mail_thread(&["apidesk.guess".into()]).await.unwrap(),
        None
    );
    assert_eq!(store.mail_thread(&[]).await.unwrap(), None);
}

#[tokio::test]
async fn the_requesters_answer_is_added_once_and_reopens_the_ticket() {
    let (store, _dir) = store_with_tickets(1).await;
    set_status(&store, TicketStatus::Waiting).await;
    let mail = received("<a1@mail.example>", "req@example.com");
    let plan = answer(1, "req@example.com", "Still failing after the new key.");
    assert_eq!(
        take(&store, &mail, &plan).await,
        Some(InboundOutcome::Added)
    );
    // The same message again (an MTA retrying): nothing more happens.
    assert_eq!(take(&store, &mail, &plan).await, None);
    let ticket = store.ticket_by_id(1).await.unwrap().unwrap();
    assert_eq!(ticket.status, TicketStatus::Open);
    let timeline = store.ticket_timeline(1).await.unwrap();
    let added: Vec<&str> = timeline
        .iter()
        .filter(|e| matches!(e.kind, EventKind::RequesterReply { .. }))
        .map(|e| e.body.as_str())
        .collect();
    assert_eq!(added, ["Still failing after the new key."]);
    let inbound = store.ticket_inbound(1).await.unwrap();
    assert_eq!(inbound.len(), 1);
    assert_eq!(inbound[0].outcome, InboundOutcome::Added);
    assert_eq!(inbound[0].sender, "req@example.com");
}

#[tokio::test]
async fn someone_elses_mail_is_a_note_and_the_requester_never_sees_it() {
    let (store, _dir) = store_with_tickets(1).await;
    let mail = received("<b1@mail.example>", "colleague@example.com");
    let plan = answer(1, "colleague@example.com", "Forwarded: please look");
    assert_eq!(
        take(&store, &mail, &plan).await,
        Some(InboundOutcome::Noted)
    );
    let public = store.public_timeline(1).await.unwrap();
    assert!(public.iter().all(|e| !e.body.contains("Forwarded")));
    let timeline = store.ticket_timeline(1).await.unwrap();
    assert!(
        timeline
            .iter()
            .any(|e| matches!(e.kind, EventKind::MailNote { .. }) && e.body.contains("Forwarded"))
    );
}

#[tokio::test]
async fn a_ticket_takes_ten_mails_an_hour_and_holds_the_rest() {
    let (store, _dir) = store_with_tickets(1).await;
    let mut outcomes = Vec::new();
    for n in 0..12 {
        let mail = received(&format!("<loop{n}@mail.example>"), "req@example.com");
        let plan = answer(1, "req@example.com", &format!("message {n}"));
        outcomes.push(take(&store, &mail, &plan).await.unwrap());
    }
    assert!(outcomes[..10].iter().all(|o| *o == InboundOutcome::Added));
    assert_eq!(outcomes[10..], [InboundOutcome::Held, InboundOutcome::Held]);
    let held = store.ticket_inbound(1).await.unwrap().pop().unwrap();
    assert!(held.reason.contains("10 mails"), "{}", held.reason);
}

#[tokio::test]
async fn a_bounce_marks_the_address_until_its_owner_mails_in() {
    let (store, _dir) = store_with_tickets(1).await;
    let bounce = InboundPlan::Bounce {
        ticket_id: Some(1),
        failures: vec![Bounce {
            address: "REQ@example.com".into(),
            status: "5.1.1".into(),
            detail: "550 5.1.1 user unknown".into(),
        }],
    };
    let report = received("<dsn1@mx.example>", "MAILER-DAEMON@mx.example");
    assert_eq!(
        take(&store, &report, &bounce).await,
        Some(InboundOutcome::Bounce)
    );
    let bounced = store
        .bounced_address("req@example.com")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(bounced.status, "5.1.1");
    assert!(bounced.detail.contains("user unknown"));
    // Nothing on the timeline: a report is not a message.
    assert_eq!(store.ticket_timeline(1).await.unwrap().len(), 1);

    let back = received("<c1@mail.example>", "req@example.com");
    take(
        &store,
        &back,
        &answer(1, "req@example.com", "new address works"),
    )
    .await;
    assert_eq!(
        store.bounced_address("req@example.com").await.unwrap(),
        None
    );
}

#[tokio::test]
async fn ignored_and_unmatched_mail_is_recorded_and_changes_nothing() {
    let (store, _dir) = store_with_tickets(1).await;
    let auto = InboundPlan::Ignore {
        ticket_id: Some(1),
        reason: "automatic reply".into(),
    };
    let ooo = received("<ooo@mail.example>", "req@example.com");
    assert_eq!(
        take(&store, &ooo, &auto).await,
        Some(InboundOutcome::Ignored)
    );
    let stray = InboundPlan::Unmatched {
        reason: "answers no ticket".into(),
    };
    let other = received("<x@mail.example>", "who@example.com");
    assert_eq!(
        take(&store, &other, &stray).await,
        Some(InboundOutcome::Unmatched)
    );
    assert_eq!(store.ticket_timeline(1).await.unwrap().len(), 1);
    let inbound = store.ticket_inbound(1).await.unwrap();
    assert_eq!(inbound.len(), 1);
    assert_eq!(inbound[0].reason, "automatic reply");
}
