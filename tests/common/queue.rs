//! Helpers for the queue's tests over real HTTP: tickets filed straight
//! into the store (each from an organisation of its own unless told), a
//! signed-in agent, and reading references and links off a queue page.
//! Declared from a test file as `#[path = "common/queue.rs"] mod queue_helpers;`
//! next to `mod common;` and `mod server;`.

#![allow(dead_code)]

use apidesk::staff::Role;
use apidesk::store::{SeedTicket, Store};
use apidesk::tickets::{ResponseTargets, TicketInput};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::server::{Browser, PASSWORD, Server};

pub struct Spec<'a> {
    pub code: &'a str,
    pub environment: &'a str,
    pub message: &'a str,
    pub name: &'a str,
    pub age: Duration,
}

/// Files a ticket as `spec` says, from an organisation of its own: tickets
/// here are looked at one by one, never grouped into a problem (that is
/// `tests/problems.rs`).
pub async fn file(store: &Store, spec: Spec<'_>) -> i64 {
    static ORGANISATIONS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let organisation = ORGANISATIONS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    file_from(store, spec, &format!("req@org{organisation}.example")).await
}

/// Files a ticket from `email`: tickets failing alike from one organisation
/// are grouped into a problem.
pub async fn file_from(store: &Store, spec: Spec<'_>, email: &str) -> i64 {
    let created = OffsetDateTime::now_utc() - spec.age;
    let input = TicketInput {
        error_code: spec.code.into(),
        message: spec.message.into(),
        endpoint: "https://go.trackvia.com/openapi/views/12/records/7".into(),
        method: "GET".into(),
        occurred_at: "2026-01-15T09:30:00Z".into(),
        tool: "workato".into(),
        environment: spec.environment.into(),
        name: spec.name.into(),
        email: email.into(),
        ..Default::default()
    };
    let ticket = input
        .validate(OffsetDateTime::now_utc())
        .expect("valid ticket");
    let triage = ticket.triage(created, &ResponseTargets::default());
    store
        .insert_ticket(&ticket, &triage, created)
        .await
        .unwrap();
    store.count_tickets().await.unwrap()
}

/// Stores `count` new tickets at once through the bulk loader (what
/// `apidesk seed` uses), the n-th (from 0) with `message(n)`; returns their
/// private tokens in id order.
pub async fn file_many(
    store: &Store,
    count: usize,
    message: impl Fn(usize) -> String,
) -> Vec<Uuid> {
    let now = OffsetDateTime::now_utc();
    let tickets: Vec<SeedTicket> = (0..count)
        .map(|n| {
            let created = now - Duration::minutes((count - n) as i64);
            let details = TicketInput {
                error_code: "401".into(),
                message: message(n),
                endpoint: "https://go.trackvia.com/openapi/views/12/records/7".into(),
                method: "GET".into(),
                occurred_at: "2026-01-15T09:30:00Z".into(),
                tool: "workato".into(),
                environment: "production".into(),
                email: "req@example.com".into(),
                ..Default::default()
            }
            .validate(now)
            .expect("valid ticket");
            crate::common::seed_ticket_filed(details, created)
        })
        .collect();
    let mut loader = store.seed_loader(false).await.unwrap();
    loader.insert_batch(&tickets).await.unwrap();
    loader.finish().await.unwrap();
    tickets.into_iter().map(|t| t.token).collect()
}

pub fn spec(code: &'static str, message: &'static str, age_hours: i64) -> Spec<'static> {
    Spec {
        code,
        environment: "production",
        message,
        name: "Requester",
        age: Duration::hours(age_hours),
    }
}

pub async fn signed_in(server: &Server) -> Browser {
    server
        .add_staff("ana@example.com", "Ana Agent", Role::Agent)
        .await;
    let browser = server.browser();
    assert_eq!(
        browser.sign_in("ana@example.com", PASSWORD).await.status,
        303
    );
    browser
}

/// Ticket references on a queue page, in order.
pub fn references(html: &str) -> Vec<String> {
    html.match_indices(">APD-")
        .map(|(at, _)| html[at + 1..at + 11].to_string())
        .collect()
}

pub fn next_link(html: &str) -> Option<String> {
    let end = html.find(">Next page")?;
    let start = html[..end].rfind("href=\"")? + 6;
    Some(crate::common::unescape(
        &html[start..html[start..].find('"')? + start],
    ))
}

/// What the page says of where it sits in its view: "1–50 of 2,069".
pub fn range(html: &str) -> String {
    let at = html
        .find("id=\"queue-range\"")
        .expect("the page says its range");
    let start = html[at..].find('>').unwrap() + at + 1;
    let end = html[start..].find("</p>").unwrap() + start;
    html[start..end].to_string()
}
