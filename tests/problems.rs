//! One problem, not a thousand tickets: a storm of identical failures filed
//! through the form is one row in the queue, answered in one action that
//! reaches each ticket on its own, and no requester learns of the others.

mod common;
#[path = "common/staff.rs"]
mod staff_helpers;

use apidesk::tickets::TicketStatus;
use axum::http::StatusCode;
use common::{TestApp, as_pairs, valid_ticket};
use staff_helpers::{event_kinds, reload, signed_in_agent, status_url};

/// The token each storm ticket carries in its endpoint.
fn token(n: usize) -> String {
    format!("tok{n:02}Zq8Lm3Rv7Xw2Ke9Pd4Hs6Ja")
}

/// A 429 from `email` whose endpoint carries an access token.
fn storm_ticket(n: usize, email: &str) -> Vec<(&'static str, String)> {
    let mut fields = valid_ticket();
    for (name, value) in [
        ("error_code", "429".to_string()),
        ("message", "HTTP GET failed: too many requests (429)".into()),
        (
            "endpoint",
            format!(
                "https://go.trackvia.com/openapi/views/{}/records?access_token={}",
                10 + n,
                token(n)
            ),
        ),
        ("email", email.into()),
        ("name", format!("Requester {n}")),
        ("submission_id", uuid::Uuid::new_v4().to_string()),
    ] {
        fields.iter_mut().find(|(k, _)| *k == name).unwrap().1 = value;
    }
    fields
}

/// Files through the form as a person does: the first send shows what will
/// be taken out; sending the form as shown files it. Returns the ticket id.
async fn file(app: &mut TestApp, mut fields: Vec<(&'static str, String)>) -> i64 {
    let first = app.post_form("/tickets", &as_pairs(&fields)).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    first.assert_contains("We took out a credential");
    let endpoint = fields.iter_mut().find(|(k, _)| *k == "endpoint").unwrap();
    let (before, _) = endpoint.1.split_once("access_token=").unwrap();
    endpoint.1 = format!("{before}access_token=[redacted access_token]");
    let filed = app.post_form("/tickets", &as_pairs(&fields)).await;
    assert_eq!(filed.status, StatusCode::SEE_OTHER, "{}", filed.body);
    app.count_tickets().await
}

/// Ticket references in the queue's ticket column, in order.
fn rows(html: &str) -> Vec<String> {
    html.match_indices("aria-label=\"Select APD-")
        .map(|(at, _)| html[at + 19..at + 29].to_string())
        .collect()
}

#[tokio::test]
async fn fifty_identical_429s_are_one_problem_answered_in_one_action() {
    let mut app = TestApp::spawn_configured(|config| {
        config.rate_limits = "filing=200/m".parse().unwrap();
    })
    .await;
    for n in 0..50 {
        let email = format!("dev{n}@acme.example");
        file(&mut app, storm_ticket(n, &email)).await;
    }
    // The same failure at another organisation is another problem.
    let elsewhere = file(&mut app, storm_ticket(50, "ops@globex.example")).await;

    // No token anywhere in the database's files.
    let bytes = app.database_bytes();
    let text = String::from_utf8_lossy(&bytes);
    for n in 0..=50 {
        assert!(!text.contains(&token(n)), "token {n} is stored");
    }

    signed_in_agent(&mut app, "ana@example.com", "Ana Agent").await;
    let queue = app.get("/staff/queue").await;
    assert_eq!(queue.status, StatusCode::OK);
    assert_eq!(
        rows(&queue.body),
        ["APD-000001", "APD-000051"],
        "one row each"
    );
    queue
        .assert_contains("<strong title=\"First 0 min ago, latest 0 min ago\">50 tickets</strong>");

    // The lead's page: the problem, its members, one answer for all.
    let lead = app.get("/staff/tickets/1").await;
    lead.assert_contains("Problem: 50 tickets failing the same way")
        .assert_contains("from acme.example")
        .assert_contains("dev19@acme.example")
        .assert_lacks("dev20@acme.example")
        .assert_contains("And 30 more.")
        .assert_contains("Send to 50 tickets and resolve them");
    // A member's page points at the lead.
    app.get("/staff/tickets/7")
        .await
        .assert_contains("which leads a problem of 50 tickets")
        .assert_contains("href=\"/staff/tickets/1\"");

    // An empty answer comes back with the message beside the field.
    let empty = app
        .post_form(
            "/staff/tickets/1/problem-answer",
            &[("problem_reply", "  ")],
        )
        .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    empty.assert_contains("id=\"problem_reply-error\"");

    let answer = "We raised your limit for the storm; retry with backoff now.";
    let sent = app
        .post_form(
            "/staff/tickets/1/problem-answer",
            &[("problem_reply", answer)],
        )
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    assert_eq!(sent.location(), "/staff/tickets/1?done=problem&answered=50");
    app.get(sent.location())
        .await
        .assert_contains("Answered and resolved 50 tickets, each on its own.");
    // Pressed again (a double click): no one is answered twice.
    let again = app
        .post_form(
            "/staff/tickets/1/problem-answer",
            &[("problem_reply", answer)],
        )
        .await;
    assert_eq!(again.location(), "/staff/tickets/1?done=problem&answered=0");
    app.get(again.location())
        .await
        .assert_contains("Nothing was sent: every ticket under this row was already resolved.");
    for id in 1..=50 {
        let ticket = reload(&app, id).await;
        assert_eq!(ticket.status, TicketStatus::Resolved, "ticket {id}");
        assert_eq!(event_kinds(&app, id).await, ["created", "reply"]);
    }
    assert_eq!(reload(&app, elsewhere).await.status, TicketStatus::New);

    // Each requester sees the answer on their own ticket, and nothing of
    // the others: not their addresses, names or references.
    app.forget_cookie("apidesk_session");
    let member = reload(&app, 20).await;
    let page = app.get(&status_url(&member)).await;
    page.assert_contains(answer)
        .assert_contains("APD-000020")
        .assert_lacks("APD-000001")
        .assert_lacks("dev0@acme.example")
        .assert_lacks("Requester 0")
        .assert_lacks("50 tickets")
        .assert_lacks("problem");
}

#[tokio::test]
async fn a_member_who_writes_again_or_is_split_out_stands_on_its_own() {
    let mut app = TestApp::spawn().await;
    for n in 0..3 {
        file(&mut app, storm_ticket(n, &format!("dev{n}@acme.example"))).await;
    }
    // The requester of APD-000002 adds something: it needs reading.
    let second = reload(&app, 2).await;
    let added = app
        .post_form(
            &format!("{}/replies", status_url(&second)),
            &[("body", "It fails only for the nightly sync.")],
        )
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER);

    signed_in_agent(&mut app, "ana@example.com", "Ana Agent").await;
    let queue = app.get("/staff/queue").await;
    assert_eq!(rows(&queue.body), ["APD-000001", "APD-000002"]);
    queue.assert_contains("Problem led by APD-000001");
    // The lead's answer leaves it to be answered on its own.
    app.get("/staff/tickets/1")
        .await
        .assert_contains("Send to 2 tickets and resolve them")
        .assert_contains("on its own row");

    // Split out: its own ticket for good, with a trail for staff only.
    let split = app.post_form("/staff/tickets/3/split", &[]).await;
    assert_eq!(split.status, StatusCode::SEE_OTHER, "{}", split.body);
    app.get(split.location())
        .await
        .assert_contains("Ticket split out of its problem")
        .assert_contains("split this ticket out of the problem led by");
    let third = reload(&app, 3).await;
    assert_eq!(third.problem_id, None);
    assert_eq!(event_kinds(&app, 3).await, ["created", "split_out"]);
    // Twice is once.
    let again = app.post_form("/staff/tickets/3/split", &[]).await;
    assert_eq!(again.location(), "/staff/tickets/3?done=unchanged");
    app.forget_cookie("apidesk_session");
    app.get(&status_url(&third)).await.assert_lacks("split");

    // A fourth identical one joins the problem, not the split ticket.
    file(&mut app, storm_ticket(3, "dev3@acme.example")).await;
    let fourth = reload(&app, 4).await;
    assert_eq!(fourth.problem_id, reload(&app, 1).await.problem_id);
    assert!(fourth.folded);
}

#[tokio::test]
async fn a_bulk_action_on_a_problem_row_acts_on_the_whole_problem() {
    let mut app = TestApp::spawn().await;
    for n in 0..4 {
        file(&mut app, storm_ticket(n, &format!("dev{n}@acme.example"))).await;
    }
    signed_in_agent(&mut app, "ana@example.com", "Ana Agent").await;
    let closed = app
        .post_form(
            "/staff/queue/bulk",
            &[
                ("ids", "1"),
                ("status_to", "closed"),
                ("back", "/staff/queue"),
            ],
        )
        .await;
    assert_eq!(closed.status, StatusCode::SEE_OTHER);
    assert!(closed.location().starts_with("/staff/queue?bulk="));
    app.get(closed.location())
        .await
        .assert_contains("Status set to Closed: APD-000001, APD-000002, APD-000003, APD-000004.");
    for id in 1..=4 {
        assert_eq!(reload(&app, id).await.status, TicketStatus::Closed);
    }
    // Settled: the next identical failure starts afresh, alone.
    file(&mut app, storm_ticket(4, "dev4@acme.example")).await;
    assert_eq!(reload(&app, 5).await.problem_id, None);
}
