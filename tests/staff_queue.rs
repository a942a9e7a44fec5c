//! The triage queue: default order, filters, search, counts, keyset pages
//! that stay stable while tickets arrive, and inert requester content.

mod common;
#[path = "common/server.rs"]
mod server;

use apidesk::staff::Role;
use apidesk::store::Store;
use apidesk::tickets::{ResponseTargets, TicketInput};
use server::{Browser, PASSWORD, Server};
use time::{Duration, OffsetDateTime};

struct Spec<'a> {
    code: &'a str,
    environment: &'a str,
    message: &'a str,
    name: &'a str,
    age: Duration,
}

async fn file(store: &Store, spec: Spec<'_>) -> i64 {
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
        email: "req@example.com".into(),
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

fn spec(code: &'static str, message: &'static str, age_hours: i64) -> Spec<'static> {
    Spec {
        code,
        environment: "production",
        message,
        name: "Requester",
        age: Duration::hours(age_hours),
    }
}

async fn signed_in(server: &Server) -> Browser {
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
fn references(html: &str) -> Vec<String> {
    html.match_indices(">APD-")
        .map(|(at, _)| html[at + 1..at + 11].to_string())
        .collect()
}

fn next_link(html: &str) -> Option<String> {
    let end = html.find(">Next page")?;
    let start = html[..end].rfind("href=\"")? + 6;
    Some(common::unescape(
        &html[start..html[start..].find('"')? + start],
    ))
}

#[tokio::test]
async fn the_default_view_puts_overdue_first_then_priority_then_oldest() {
    let server = Server::start().await;
    let store = &server.store;
    // 1: normal, 30 h old: overdue (normal target 24 h).
    file(store, spec("401", "one", 30)).await;
    // 2: high (500 in production), 1 h old: not yet due (4 h).
    file(store, spec("500", "two", 1)).await;
    // 3: normal, 2 h old: not due.
    file(store, spec("404", "three", 2)).await;
    // 4: high, 10 h old: overdue.
    file(store, spec("500", "four", 10)).await;
    // 5: normal, 5 h old: not due.
    file(store, spec("429", "five", 5)).await;

    let browser = signed_in(&server).await;
    let page = browser.get("/staff/queue").await;
    assert_eq!(page.status, 200);
    assert_eq!(
        references(&page.body),
        [
            "APD-000004",
            "APD-000001",
            "APD-000002",
            "APD-000005",
            "APD-000003"
        ]
    );
    page.assert_contains("overdue");
    server.shut_down().await;
}

#[tokio::test]
async fn filters_and_search_narrow_the_view_and_counts_show_every_status() {
    let server = Server::start().await;
    let store = &server.store;
    file(
        store,
        spec(
            "401",
            "HTTP GET failed: unauthorized (401) token expired",
            3,
        ),
    )
    .await;
    file(
        store,
        spec(
            "429",
            "HTTP GET failed: too many requests (429) polling loop",
            2,
        ),
    )
    .await;
    file(
        store,
        Spec {
            environment: "sandbox",
            ..spec("429", "rate limited during nightly sync", 1)
        },
    )
    .await;

    let browser = signed_in(&server).await;
    let only_429 = browser.get("/staff/queue?code=429").await;
    assert_eq!(references(&only_429.body), ["APD-000002", "APD-000003"]);
    let sandbox = browser
        .get("/staff/queue?code=429&environment=sandbox")
        .await;
    assert_eq!(references(&sandbox.body), ["APD-000003"]);
    let search = browser.get("/staff/queue?q=polling").await;
    assert_eq!(references(&search.body), ["APD-000002"]);
    let two_words = browser.get("/staff/queue?q=token+expired").await;
    assert_eq!(references(&two_words.body), ["APD-000001"]);
    let none = browser
        .get("/staff/queue?q=%22nothing+like+this%22+OR+*")
        .await;
    assert!(references(&none.body).is_empty());
    none.assert_contains("No tickets match this view.");
    let unassigned = browser.get("/staff/queue?assignee=none").await;
    assert_eq!(references(&unassigned.body).len(), 3);
    let mine = browser.get("/staff/queue?assignee=me").await;
    assert!(references(&mine.body).is_empty());
    let resolved = browser.get("/staff/queue?status=resolved").await;
    assert!(references(&resolved.body).is_empty());
    let newest = browser.get("/staff/queue?status=all&sort=newest").await;
    assert_eq!(
        references(&newest.body),
        ["APD-000003", "APD-000002", "APD-000001"]
    );
    let today = OffsetDateTime::now_utc().date();
    let dated = browser
        .get(&format!("/staff/queue?from={today}&to={today}&sort=age"))
        .await;
    assert!(!references(&dated.body).is_empty());
    let before = browser.get("/staff/queue?to=2020-01-01").await;
    assert!(references(&before.body).is_empty());

    // Counts per status, from the counters.
    only_429.assert_contains("New <span class=\"count\">3</span>");
    only_429.assert_contains("Resolved <span class=\"count\">0</span>");
    server.shut_down().await;
}

#[tokio::test]
async fn keyset_pages_stay_stable_while_tickets_arrive() {
    let server = Server::start().await;
    let store = &server.store;
    for i in 0..120 {
        // Oldest first by id; a mix of overdue and not.
        file(store, spec("401", "paged", 200 - i)).await;
    }
    let browser = signed_in(&server).await;
    for sort in [
        "",
        "&sort=age",
        "&sort=newest",
        "&sort=updated",
        "&q=paged",
        "&q=paged&sort=age",
    ] {
        let mut url = format!("/staff/queue?status=all{sort}");
        let mut seen = Vec::new();
        let mut pages = 0;
        loop {
            let page = browser.get(&url).await;
            let refs = references(&page.body);
            assert!(refs.len() <= 50);
            seen.extend(refs);
            pages += 1;
            // New tickets arriving between pages must not shift what follows.
            file(store, spec("403", "arrived later", 0)).await;
            match next_link(&page.body) {
                Some(next) => url = next,
                None => break,
            }
        }
        let mut unique = seen.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), seen.len(), "no ticket shown twice ({sort})");
        assert!(pages >= 3, "{sort}");
        for n in 1..=120 {
            let reference = format!("APD-{n:06}");
            assert!(
                seen.contains(&reference),
                "{reference} missing with {sort:?}"
            );
        }
    }
    server.shut_down().await;
}

#[tokio::test]
async fn requester_content_is_inert_in_the_queue() {
    let server = Server::start().await;
    file(
        &server.store,
        Spec {
            name: "<script>alert('name')</script>",
            ..spec("401", "<img src=x onerror=alert(1)> failed", 1)
        },
    )
    .await;
    let browser = signed_in(&server).await;
    let page = browser.get("/staff/queue").await;
    page.assert_lacks("<script>alert")
        .assert_lacks("<img src=x");
    page.assert_contains("&#60;img src=x");
    server.shut_down().await;
}

#[tokio::test]
async fn bulk_actions_change_the_selected_tickets_and_leave_a_trail() {
    let server = Server::start().await;
    let store = &server.store;
    for i in 0..3 {
        file(store, spec("401", "bulk", 3 - i)).await;
    }
    let browser = signed_in(&server).await;
    let back = "/staff/queue?code=401";
    let res = browser
        .post(
            back,
            "/staff/queue/bulk",
            &[
                ("ids", "1"),
                ("ids", "2"),
                ("action", "assign"),
                ("assign_to", "me"),
                ("back", back),
            ],
        )
        .await;
    assert_eq!(res.status, 303);
    assert_eq!(
        res.location.as_deref(),
        Some("/staff/queue?code=401&bulk=2,0")
    );
    let page = browser.get("/staff/queue?code=401&bulk=2,0").await;
    page.assert_contains("Updated 2 tickets.");
    let mine = browser.get("/staff/queue?assignee=me").await;
    assert_eq!(references(&mine.body), ["APD-000001", "APD-000002"]);

    let res = browser
        .post(
            back,
            "/staff/queue/bulk",
            &[
                ("ids", "1"),
                ("ids", "2"),
                ("ids", "3"),
                ("action", "priority"),
                ("priority_to", "urgent"),
                ("back", back),
            ],
        )
        .await;
    assert_eq!(
        res.location.as_deref(),
        Some("/staff/queue?code=401&bulk=3,0")
    );
    let urgent = browser.get("/staff/queue?priority=urgent").await;
    assert_eq!(references(&urgent.body).len(), 3);

    // Doing it again changes nothing and says so.
    let res = browser
        .post(
            back,
            "/staff/queue/bulk",
            &[
                ("ids", "1"),
                ("action", "priority"),
                ("priority_to", "urgent"),
                ("back", back),
            ],
        )
        .await;
    assert_eq!(
        res.location.as_deref(),
        Some("/staff/queue?code=401&bulk=0,1")
    );

    let res = browser
        .post(
            back,
            "/staff/queue/bulk",
            &[
                ("ids", "3"),
                ("action", "status"),
                ("status_to", "resolved"),
                ("back", "https://evil.example/"),
            ],
        )
        .await;
    assert_eq!(res.location.as_deref(), Some("/staff/queue?bulk=1,0"));
    let resolved = browser.get("/staff/queue?status=resolved").await;
    assert_eq!(references(&resolved.body), ["APD-000003"]);

    // Nothing ticked: nothing changes, and the page says why.
    let res = browser
        .post(
            back,
            "/staff/queue/bulk",
            &[
                ("action", "status"),
                ("status_to", "closed"),
                ("back", back),
            ],
        )
        .await;
    assert_eq!(
        res.location.as_deref(),
        Some("/staff/queue?code=401&bulk=0,0")
    );
    browser
        .get("/staff/queue?code=401&bulk=0,0")
        .await
        .assert_contains("tick the boxes beside the tickets first");

    for (id, kinds) in [
        (1, vec!["assigned", "priority"]),
        (3, vec!["priority", "status"]),
    ] {
        let timeline = store.ticket_timeline(id).await.unwrap();
        let text = format!("{timeline:?}");
        for kind in kinds {
            assert!(
                text.to_lowercase().contains(kind),
                "ticket {id} lacks a {kind} event: {text}"
            );
        }
    }
    server.shut_down().await;
}

#[tokio::test]
async fn the_csv_export_has_every_field_and_neutralises_formulas() {
    let server = Server::start().await;
    file(
        &server.store,
        Spec {
            name: "=HYPERLINK(\"http://evil.example\",\"click\")",
            ..spec("401", "+1 failed; -2 also", 2)
        },
    )
    .await;
    file(&server.store, spec("429", "@SUM(A1:A9)", 1)).await;
    file(&server.store, spec("500", "not in this view", 1)).await;
    let browser = signed_in(&server).await;
    let res = browser
        .client
        .get(format!(
            "{}/staff/queue.csv?status=all&sort=age&code=401",
            browser.base
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    assert!(
        res.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("attachment")
    );
    let csv = res.text().await.unwrap();
    let lines: Vec<&str> = csv.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(lines.len(), 2, "{csv}");
    assert!(lines[0].starts_with("\"reference\",\"id\",\"status\""));
    assert!(lines[1].contains("\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"click\"\")\""));
    assert!(lines[1].contains("\"'+1 failed; -2 also\""));
    assert!(lines[1].contains("\"req@example.com\""));

    let all = browser
        .client
        .get(format!("{}/staff/queue.csv?status=all", browser.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(all.contains("\"'@SUM(A1:A9)\""));
    assert_eq!(all.split("\r\n").filter(|l| !l.is_empty()).count(), 4);
    server.shut_down().await;
}
