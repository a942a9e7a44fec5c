use time::{Duration, OffsetDateTime};

use super::*;
use crate::staff::Role;
use crate::store::sqlite::tests::with_admin;
use crate::store::{Actions, Incidents, Tickets};
use crate::tickets::incident::NewIncident;
use crate::tickets::workflow::{Actor, AfterReply, Command, Request};
use crate::tickets::{EventBody, ResponseTargets, TicketInput, TicketStatus};
use crate::webhooks::{AllowList, EndpointInput};

const ADMIN: Actor = Actor::Staff {
    id: 1,
    role: Role::Admin,
};

async fn endpoint(store: &SqliteStore, events: &[&str], threshold: &str) -> i64 {
    let new = EndpointInput {
        url: "https://hooks.example.com/apidesk".into(),
        format: "json".into(),
        events: events.iter().map(|e| e.to_string()).collect(),
        problem_threshold: threshold.into(),
    }
    .validate(&AllowList::default())
    .unwrap();
    store
        .add_webhook_endpoint(&new, 1, OffsetDateTime::now_utc())
        .await
        .unwrap()
}

async fn file(store: &SqliteStore, email: &str) -> i64 {
    let now = OffsetDateTime::now_utc();
    let ticket = TicketInput::example(email).validate(now).unwrap();
    let triage = ticket.triage(now, &ResponseTargets::default());
    store.insert_ticket(&ticket, &triage, now).await.unwrap();
    store.count_tickets().await.unwrap()
}

/// Every delivery as (endpoint, event, subject), oldest first.
async fn written(store: &SqliteStore) -> Vec<(i64, String, String)> {
    sqlx::query_as("SELECT endpoint_id, event, subject FROM webhook_deliveries ORDER BY id")
        .fetch_all(&store.pool)
        .await
        .unwrap()
}

fn row(endpoint: i64, event: &str, subject: &str) -> (i64, String, String) {
    (endpoint, event.into(), subject.into())
}

async fn apply(store: &SqliteStore, ticket: i64, command: Command) {
    let request = Request {
        ticket,
        actor: ADMIN,
        command,
        at: OffsetDateTime::now_utc(),
    };
    let outcome = store
        .apply(&request, &ResponseTargets::default())
        .await
        .unwrap();
    assert_eq!(outcome, crate::tickets::Outcome::Changed);
}

#[tokio::test]
async fn a_filed_ticket_is_written_once_per_active_subscribed_endpoint() {
    let (store, _dir) = with_admin(0).await;
    let filed = endpoint(&store, &["ticket.filed"], "").await;
    endpoint(&store, &["ticket.resolved"], "").await;
    let disabled = endpoint(&store, &["ticket.filed", "ticket.resolved"], "").await;
    store
        .disable_webhook_endpoint(disabled, OffsetDateTime::now_utc())
        .await
        .unwrap();
    let id = file(&store, "req@example.com").await;
    assert_eq!(
        written(&store).await,
        [row(filed, "ticket.filed", "ticket:1")]
    );

    let delivery = &store.recent_webhook_deliveries(10).await.unwrap()[0];
    assert_eq!(delivery.state, DeliveryState::Pending);
    let Subject::Ticket(facts) = serde_json::from_str(&delivery.payload).unwrap() else {
        panic!("a ticket's facts: {}", delivery.payload);
    };
    assert_eq!((facts.id, facts.reference.as_str()), (id, "APD-000001"));
    assert_eq!(facts.status, "new");
    // Never the requester's private link, nor who they are.
    let token = store.ticket_by_id(id).await.unwrap().unwrap().token;
    for private in [token.to_string(), "req@example.com".into()] {
        assert!(!delivery.payload.contains(&private), "{}", delivery.payload);
    }
}

#[tokio::test]
async fn replies_and_resolutions_are_written_with_their_events() {
    let (store, _dir) = with_admin(2).await;
    let all = endpoint(&store, &["ticket.replied", "ticket.resolved"], "").await;
    let body = EventBody::parse("Rotate the key, then run the job again.").unwrap();
    apply(&store, 1, Command::Note { body: body.clone() }).await;
    apply(
        &store,
        1,
        Command::Reply {
            body: body.clone(),
            then: AfterReply::Stay,
        },
    )
    .await;
    apply(
        &store,
        1,
        Command::SetStatus {
            to: TicketStatus::Resolved,
        },
    )
    .await;
    // One reply that resolves is both.
    apply(
        &store,
        2,
        Command::Reply {
            body,
            then: AfterReply::Resolve,
        },
    )
    .await;
    assert_eq!(
        written(&store).await,
        [
            row(all, "ticket.replied", "ticket:1"),
            row(all, "ticket.resolved", "ticket:1"),
            row(all, "ticket.replied", "ticket:2"),
            row(all, "ticket.resolved", "ticket:2"),
        ]
    );
    // The ticket as the event left it.
    let last = &store.recent_webhook_deliveries(1).await.unwrap()[0];
    assert!(
        last.payload.contains(r#""status":"resolved""#),
        "{}",
        last.payload
    );
}

#[tokio::test]
async fn a_problem_is_told_once_when_it_reaches_each_threshold() {
    let (store, _dir) = with_admin(0).await;
    let at_two = endpoint(&store, &["problem.grown"], "2").await;
    let at_three = endpoint(&store, &["problem.grown", "ticket.resolved"], "3").await;
    for _ in 0..4 {
        file(&store, "same@example.com").await;
    }
    assert_eq!(
        written(&store).await,
        [
            row(at_two, "problem.grown", "problem:1"),
            row(at_three, "problem.grown", "problem:1"),
        ]
    );
    let Subject::Problem(facts) =
        serde_json::from_str(&store.recent_webhook_deliveries(1).await.unwrap()[0].payload)
            .unwrap()
    else {
        panic!("a problem's facts");
    };
    assert_eq!((facts.lead_id, facts.occurrences), (1, 3));
    // Reaching a threshold again (after shrinking) tells no one twice.
    store
        .write(|tx| {
            Box::pin(async move {
                sqlx::query("UPDATE problems SET occurrences = 3")
                    .execute(&mut *tx)
                    .await?;
                enqueue_for_problem(tx, 1, OffsetDateTime::now_utc()).await
            })
        })
        .await
        .unwrap();
    assert_eq!(written(&store).await.len(), 2);
}

#[tokio::test]
async fn incidents_are_written_when_declared_and_ended() {
    let (store, _dir) = with_admin(0).await;
    let hooks = endpoint(&store, &["incident.opened", "incident.ended"], "").await;
    let now = OffsetDateTime::now_utc();
    let incident = NewIncident {
        title: "Record updates failing".into(),
        affected: String::new(),
        codes: Vec::new(),
        started_at: now,
    };
    let id = store.declare_incident(&incident, 1, now).await.unwrap();
    // A second submit finds the first: nothing more is written.
    assert_eq!(store.declare_incident(&incident, 1, now).await.unwrap(), id);
    assert!(store.end_incident(id, 1, now).await.unwrap());
    assert!(!store.end_incident(id, 1, now).await.unwrap());
    assert_eq!(
        written(&store).await,
        [
            row(hooks, "incident.opened", "incident:1"),
            row(hooks, "incident.ended", "incident:1"),
        ]
    );
    let ended = &store.recent_webhook_deliveries(1).await.unwrap()[0];
    let Subject::Incident(facts) = serde_json::from_str(&ended.payload).unwrap() else {
        panic!("an incident's facts");
    };
    assert!(facts.ended_at.is_some());
}

#[tokio::test]
async fn attempts_move_a_delivery_on_and_disabling_gives_up_the_rest() {
    let (store, _dir) = with_admin(0).await;
    let id = endpoint(&store, &["ticket.filed"], "").await;
    file(&store, "a@example.com").await;
    file(&store, "b@example.com").await;
    let now = OffsetDateTime::now_utc() + Duration::seconds(1);
    let due = store.due_webhook_deliveries(now, 10, 10).await.unwrap();
    assert_eq!(due.len(), 2);
    // At most so many to one endpoint in a batch.
    let capped = store.due_webhook_deliveries(now, 10, 1).await.unwrap();
    assert_eq!(capped.len(), 1);
    assert_eq!(capped[0].delivery.id, due[0].delivery.id);
    assert_eq!(due[0].endpoint.id, id);
    assert_eq!(due[0].endpoint.created_by, "Ada");
    let retry = Attempt {
        status: Some(503),
        response: "busy".into(),
        error: "answered 503".into(),
        next: Next::RetryAt(now + Duration::seconds(30)),
    };
    store
        .record_webhook_attempt(due[0].delivery.id, now, &retry)
        .await
        .unwrap();
    let sent = Attempt {
        status: Some(204),
        response: String::new(),
        error: String::new(),
        next: Next::Sent,
    };
    store
        .record_webhook_attempt(due[1].delivery.id, now, &sent)
        .await
        .unwrap();
    assert!(
        store
            .due_webhook_deliveries(now, 10, 10)
            .await
            .unwrap()
            .is_empty()
    );
    let later = store
        .due_webhook_deliveries(now + Duration::seconds(30), 10, 10)
        .await
        .unwrap();
    assert_eq!(later.len(), 1);
    let waiting = &later[0].delivery;
    assert_eq!((waiting.attempts, waiting.last_status), (1, Some(503)));
    assert_eq!(
        (waiting.last_response.as_str(), waiting.last_error.as_str()),
        ("busy", "answered 503")
    );

    // The secret is revealed once.
    assert!(store.reveal_webhook_secret(id).await.unwrap().is_some());
    assert!(store.reveal_webhook_secret(id).await.unwrap().is_none());

    assert!(store.disable_webhook_endpoint(id, now).await.unwrap());
    assert!(!store.disable_webhook_endpoint(id, now).await.unwrap());
    assert!(
        store
            .due_webhook_deliveries(now + Duration::days(1), 10, 10)
            .await
            .unwrap()
            .is_empty()
    );
    let states: Vec<(DeliveryState, Option<OffsetDateTime>)> = store
        .recent_webhook_deliveries(10)
        .await
        .unwrap()
        .into_iter()
        .map(|d| (d.state, d.sent_at))
        .collect();
    assert_eq!(states[0].0, DeliveryState::Sent);
    assert!(states[0].1.is_some());
    assert_eq!(states[1].0, DeliveryState::Failed);
    let endpoints = store.webhook_endpoints().await.unwrap();
    assert!(!endpoints[0].is_active());
}
