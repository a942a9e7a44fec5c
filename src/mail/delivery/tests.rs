use std::collections::VecDeque;
use std::sync::Mutex;

use time::OffsetDateTime;

use super::*;
use crate::kb::KnowledgeBase;
use crate::tickets::{MailKind, MailState, OutgoingMail, ResponseTargets, TicketInput};

/// A transport that answers from a script and keeps what it was given.
#[derive(Default)]
struct Scripted {
    answers: Mutex<VecDeque<Result<String, SendError>>>,
    sent: Mutex<Vec<OutgoingMessage>>,
}

#[async_trait]
impl Transport for Scripted {
    async fn send(&self, message: &OutgoingMessage) -> Result<String, SendError> {
        self.sent.lock().unwrap().push(message.clone());
        self.answers
            .lock()
            .unwrap()
            .pop_front()
            .unwrap_or_else(|| Ok("250 OK".into()))
    }
}

async fn setup(
    answers: Vec<Result<String, SendError>>,
) -> (Deliverer, Arc<Scripted>, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/m.db", dir.path().display());
    let store = Store::connect_with(&url, OutgoingMail::On).await.unwrap();
    let now = OffsetDateTime::now_utc();
    let ticket = TicketInput {
        path: "token-active".into(),
        ..TicketInput::example("req@example.com")
    }
    .validate(now)
    .unwrap();
    let triage = ticket.triage(now, &ResponseTargets::default());
    store.insert_ticket(&ticket, &triage, now).await.unwrap();
    let transport = Arc::new(Scripted {
        answers: Mutex::new(answers.into()),
        ..Default::default()
    });
    let deliverer = Deliverer {
        store,
        kb: SharedKb::new(KnowledgeBase::load_embedded().unwrap()),
        transport: transport.clone(),
        public_url: "https://help.example.com".into(),
        domain: "example.com".into(),
        replies: false,
    };
    (deliverer, transport, dir)
}

async fn the_mail(d: &Deliverer) -> crate::tickets::MailRecord {
    d.store.ticket_mail(1).await.unwrap().remove(0)
}

#[tokio::test]
async fn a_due_mail_is_rendered_sent_and_recorded_as_sent() {
    let (d, transport, _dir) = setup(vec![]).await;
    assert_eq!(d.deliver_due(OffsetDateTime::now_utc()).await.unwrap(), 1);
    let sent = transport.sent.lock().unwrap().clone();
    assert_eq!(sent.len(), 1);
    let message = &sent[0];
    assert_eq!(message.to, "req@example.com");
    assert_eq!(message.subject, "[APD-000001] 401 Unauthorized on GET");
    let mail = the_mail(&d).await;
    assert_eq!(
        message.message_id,
        format!("{}@example.com", mail.message_key)
    );
    assert_eq!(message.in_reply_to, None);
    let token = d.store.ticket_by_id(1).await.unwrap().unwrap().token;
    assert!(
        message
            .text
            .contains(&format!("https://help.example.com/tickets/{token}"))
    );
    assert_eq!((mail.state, mail.attempts), (MailState::Sent, 1));
    // Nothing is due any more: a second pass sends nothing.
    assert_eq!(d.deliver_due(OffsetDateTime::now_utc()).await.unwrap(), 0);
}

#[tokio::test]
async fn a_temporary_failure_is_retried_later_and_a_refusal_is_final() {
    let (d, transport, _dir) = setup(vec![
        Err(SendError::Temporary("451 4.3.0 try later".into())),
        Err(SendError::Permanent("550 5.1.1 no such user".into())),
    ])
    .await;
    let now = OffsetDateTime::now_utc();
    d.deliver_due(now).await.unwrap();
    let mail = the_mail(&d).await;
    assert_eq!((mail.state, mail.attempts), (MailState::Pending, 1));
    assert_eq!(mail.reason, "451 4.3.0 try later");
    let next = mail.next_attempt_at.unwrap();
    assert!(next > now + time::Duration::seconds(20), "{next} waits");
    assert_eq!(d.deliver_due(now).await.unwrap(), 0, "not due yet");

    d.deliver_due(next).await.unwrap();
    let mail = the_mail(&d).await;
    assert_eq!((mail.state, mail.attempts), (MailState::Failed, 2));
    assert!(mail.reason.contains("550"));
    assert_eq!(transport.sent.lock().unwrap().len(), 2);
}

#[tokio::test]
async fn a_mail_that_keeps_failing_is_given_up_after_the_limit() {
    let failures = (0..MAX_ATTEMPTS)
        .map(|_| Err(SendError::Temporary("421 busy".into())))
        .collect();
    let (d, transport, _dir) = setup(failures).await;
    let far = OffsetDateTime::now_utc() + time::Duration::days(2);
    for _ in 0..MAX_ATTEMPTS {
        d.deliver_due(far).await.unwrap();
    }
    let mail = the_mail(&d).await;
    assert_eq!(
        (mail.state, mail.attempts),
        (MailState::Failed, MAX_ATTEMPTS)
    );
    assert!(
        mail.reason.contains("gave up after 10 attempts"),
        "{}",
        mail.reason
    );
    assert_eq!(transport.sent.lock().unwrap().len(), MAX_ATTEMPTS as usize);
    assert_eq!(d.deliver_due(far).await.unwrap(), 0);
}

#[tokio::test]
async fn later_mail_joins_the_thread_of_the_first() {
    let (d, transport, _dir) = setup(vec![]).await;
    let resend = d
        .store
        .resend_mail(1, 1, OffsetDateTime::now_utc())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(resend.kind, MailKind::Filed);
    d.deliver_due(OffsetDateTime::now_utc()).await.unwrap();
    let sent = transport.sent.lock().unwrap().clone();
    assert_eq!(sent.len(), 2);
    assert_eq!(
        sent[1].in_reply_to.as_deref(),
        Some(sent[0].message_id.as_str())
    );
    assert_eq!(sent[1].references, [sent[0].message_id.clone()]);
}

#[tokio::test]
async fn the_task_stops_when_told() {
    let (d, transport, _dir) = setup(vec![]).await;
    let (stop, stopped) = watch::channel(false);
    let task = tokio::spawn(d.clone().run(stopped));
    // Wait for the filing's mail to go out, then stop.
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while the_mail(&d).await.state != MailState::Sent {
        assert!(
            std::time::Instant::now() < deadline,
            "the mail was not sent"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    stop.send(true).unwrap();
    tokio::time::timeout(Duration::from_secs(5), task)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(transport.sent.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn the_links_mail_lists_each_ticket_with_its_private_link() {
    let (d, transport, _dir) = setup(vec![]).await;
    d.deliver_due(OffsetDateTime::now_utc()).await.unwrap();
    let links = d
        .store
        .mail_ticket_links("req@example.com", OffsetDateTime::now_utc())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(d.deliver_due(OffsetDateTime::now_utc()).await.unwrap(), 1);
    let sent = transport.sent.lock().unwrap().clone();
    let message = &sent[1];
    assert_eq!(message.subject, "Your apidesk tickets");
    assert_eq!(message.in_reply_to, None, "not part of a ticket's thread");
    let token = d.store.ticket_by_id(1).await.unwrap().unwrap().token;
    for part in [&message.text, &message.html] {
        assert!(
            part.contains("APD-000001: 401 Unauthorized on GET (new)"),
            "{part}"
        );
        assert!(part.contains(&format!("https://help.example.com/tickets/{token}")));
    }
    let mail = d.store.mail_by_id(links.id).await.unwrap().unwrap();
    assert_eq!(mail.state, MailState::Sent);
}
