//! Grouping as it is written: who joins, who does not, splitting out, and
//! no member left hidden under a settled problem.

use time::{Duration, OffsetDateTime};

use super::*;
use crate::staff::Role;
use crate::store::sqlite::tests::with_admin;
use crate::store::{Actions, Queue, Tickets};
use crate::tickets::queue::QueueQuery;
use crate::tickets::workflow::{Actor, AfterReply, Command, Request};
use crate::tickets::{EventBody, ResponseTargets, TicketInput};

const ADA: Actor = Actor::Staff {
    id: 1,
    role: Role::Admin,
};

/// Files a ticket from `email` for `endpoint` (GET, Workato, a 429) at `at`.
async fn file(store: &SqliteStore, email: &str, endpoint: &str, at: OffsetDateTime) -> i64 {
    let mut input = TicketInput::example(email);
    input.error_code = "429".into();
    input.endpoint = endpoint.into();
    let ticket = input.validate(at).unwrap();
    let triage = ticket.triage(at, &ResponseTargets::default());
    store.insert_ticket(&ticket, &triage, at).await.unwrap();
    store.count_tickets().await.unwrap()
}

/// (ticket id, problem id, folded) for every ticket after the admin's two.
async fn grouping(store: &SqliteStore) -> Vec<(i64, Option<i64>, bool)> {
    sqlx::query_as("SELECT id, problem_id, folded FROM tickets WHERE id > 0 ORDER BY id")
        .fetch_all(&store.pool)
        .await
        .unwrap()
}

async fn give(store: &SqliteStore, ticket: i64, command: Command) {
    let request = Request {
        ticket,
        actor: ADA,
        command,
        at: OffsetDateTime::now_utc(),
    };
    let _ = store
        .apply(&request, &ResponseTargets::default())
        .await
        .unwrap();
}

#[tokio::test]
async fn the_same_failure_from_the_same_organisation_joins_one_problem() {
    let (store, _dir) = with_admin(0).await;
    let now = OffsetDateTime::now_utc();
    let a = file(&store, "ana@acme.example", "/v1/records/12", now).await;
    assert_eq!(
        grouping(&store).await,
        [(a, None, false)],
        "alone until a second"
    );
    // Other ids, a host and a secret in the query: the same shape.
    let b = file(
        &store,
        "bob@ACME.example",
        "https://api.example.com/v1/records/99?access_token=abc",
        now,
    )
    .await;
    let c = file(
        &store,
        "cy@acme.example",
        "/v1/records/7",
        now + Duration::hours(1),
    )
    .await;
    let rows = grouping(&store).await;
    let problem = rows[0].1.expect("grouped");
    assert_eq!(
        rows,
        [
            (a, Some(problem), false),
            (b, Some(problem), true),
            (c, Some(problem), true)
        ]
    );
    let p = store.problem(problem).await.unwrap().unwrap();
    assert_eq!((p.lead_id, p.occurrences), (a, 3));
    assert!(p.last_seen > p.first_seen);
    // The queue shows the lead alone.
    let page = store
        .queue_page(
            &QueueQuery::default().filter(),
            1,
            now,
            50,
            std::time::Duration::from_secs(5),
        )
        .await
        .unwrap();
    assert_eq!(page.rows.iter().map(|r| r.id).collect::<Vec<_>>(), [a]);
    assert_eq!(
        page.rows[0].problem.as_ref().map(|p| p.occurrences),
        Some(3)
    );
    assert_eq!(store.folded_members(&[a], true).await.unwrap(), [b, c]);
    assert!(store.folded_members(&[b], true).await.unwrap().is_empty());
}

#[tokio::test]
async fn a_different_failure_or_organisation_or_a_day_later_does_not_join() {
    let (store, _dir) = with_admin(0).await;
    let now = OffsetDateTime::now_utc() - Duration::hours(30);
    file(&store, "ana@acme.example", "/v1/records/12", now).await;
    file(&store, "ana@other.example", "/v1/records/12", now).await;
    file(&store, "ana@acme.example", "/v1/tables/12", now).await;
    // A day and more after the first: too late to join it.
    file(
        &store,
        "bob@acme.example",
        "/v1/records/13",
        now + Duration::hours(25),
    )
    .await;
    assert!(
        grouping(&store)
            .await
            .iter()
            .all(|(_, problem, _)| problem.is_none())
    );
}

#[tokio::test]
async fn a_resolved_problem_takes_no_more_and_its_unsettled_members_come_back() {
    let (store, _dir) = with_admin(0).await;
    let now = OffsetDateTime::now_utc();
    let a = file(&store, "ana@acme.example", "/v1/records/1", now).await;
    let b = file(&store, "bob@acme.example", "/v1/records/2", now).await;
    // The lead alone resolved on its own page: b must not stay hidden.
    give(
        &store,
        a,
        Command::SetStatus {
            to: crate::tickets::TicketStatus::Resolved,
        },
    )
    .await;
    let rows = grouping(&store).await;
    assert_eq!(rows[1], (b, rows[0].1, false));
    // A new one starts afresh, with b (unresolved, but in a problem) left alone.
    let c = file(&store, "cy@acme.example", "/v1/records/3", now).await;
    assert_eq!(grouping(&store).await[2], (c, None, false));
}

#[tokio::test]
async fn a_requester_writing_again_unfolds_only_their_ticket() {
    let (store, _dir) = with_admin(0).await;
    let now = OffsetDateTime::now_utc();
    let a = file(&store, "ana@acme.example", "/v1/records/1", now).await;
    let b = file(&store, "bob@acme.example", "/v1/records/2", now).await;
    let c = file(&store, "cy@acme.example", "/v1/records/3", now).await;
    let request = Request {
        ticket: b,
        actor: Actor::Requester,
        command: Command::RequesterAddition {
            body: EventBody::parse("Here is the full response.").unwrap(),
        },
        at: now,
    };
    let _ = store
        .apply(&request, &ResponseTargets::default())
        .await
        .unwrap();
    let rows = grouping(&store).await;
    let problem = rows[0].1;
    assert_eq!(
        rows,
        [(a, problem, false), (b, problem, false), (c, problem, true)]
    );
    // The problem's answer reaches the lead and the folded one; b is worked on its own.
    assert_eq!(store.folded_members(&[a], true).await.unwrap(), [c]);
}

#[tokio::test]
async fn a_split_ticket_leaves_for_good_and_a_lead_is_followed() {
    let (store, _dir) = with_admin(0).await;
    let now = OffsetDateTime::now_utc();
    let a = file(&store, "ana@acme.example", "/v1/records/1", now).await;
    let b = file(&store, "bob@acme.example", "/v1/records/2", now).await;
    let c = file(&store, "cy@acme.example", "/v1/records/3", now).await;
    let problem = grouping(&store).await[0].1.unwrap();

    give(&store, a, Command::SplitOut).await;
    let p = store.problem(problem).await.unwrap().unwrap();
    assert_eq!((p.lead_id, p.occurrences), (b, 2));
    assert_eq!(
        grouping(&store).await,
        [
            (a, None, false),
            (b, Some(problem), false),
            (c, Some(problem), true)
        ]
    );
    let kinds: Vec<(i64, String)> =
        sqlx::query_as("SELECT ticket_id, data FROM ticket_events WHERE kind = 'split_out'")
            .fetch_all(&store.pool)
            .await
            .unwrap();
    assert_eq!(kinds, [(a, r#"{"lead":null}"#.to_string())], "it led");

    // A new one joins the problem, not the split ticket.
    let d = file(&store, "di@acme.example", "/v1/records/4", now).await;
    assert_eq!(grouping(&store).await[3], (d, Some(problem), true));

    // Split down to one: the problem is dissolved, the last ticket stands alone.
    give(&store, c, Command::SplitOut).await;
    let named: String = sqlx::query_scalar(
        "SELECT data FROM ticket_events WHERE kind = 'split_out' AND ticket_id = ?",
    )
    .bind(c)
    .fetch_one(&store.pool)
    .await
    .unwrap();
    assert_eq!(named, format!(r#"{{"lead":{b}}}"#));
    give(&store, d, Command::SplitOut).await;
    assert!(store.problem(problem).await.unwrap().is_none());
    assert_eq!(grouping(&store).await[1], (b, None, false));
}

#[tokio::test]
async fn one_answer_resolves_each_ticket_of_the_problem_on_its_own() {
    let (store, _dir) = with_admin(0).await;
    let now = OffsetDateTime::now_utc();
    let a = file(&store, "ana@acme.example", "/v1/records/1", now).await;
    let b = file(&store, "bob@acme.example", "/v1/records/2", now).await;
    let mut ids = vec![a];
    ids.extend(store.folded_members(&[a], true).await.unwrap());
    let body = EventBody::parse("The limit was raised; retry now.").unwrap();
    let requests: Vec<Request> = ids
        .iter()
        .map(|&ticket| Request {
            ticket,
            actor: ADA,
            command: Command::Reply {
                body: body.clone(),
                then: AfterReply::Resolve,
            },
            at: now,
        })
        .collect();
    let outcomes = store
        .apply_each(&requests, &ResponseTargets::default())
        .await
        .unwrap();
    assert!(
        outcomes
            .iter()
            .all(|o| o.as_ref().is_ok_and(|o| o.changed()))
    );
    for id in [a, b] {
        let ticket = store.ticket_by_id(id).await.unwrap().unwrap();
        assert_eq!(ticket.status, crate::tickets::TicketStatus::Resolved);
    }
    // One reply mail each, to each requester.
    let mails: Vec<(i64, String)> =
        sqlx::query_as("SELECT e.ticket_id, m.kind FROM mail_outbox m JOIN ticket_events e ON e.id = m.event_id WHERE e.kind = 'reply' ORDER BY 1")
            .fetch_all(&store.pool)
            .await
            .unwrap();
    assert_eq!(mails, [(a, "reply".into()), (b, "reply".into())]);
}
