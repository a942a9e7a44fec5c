//! The triage queue: default order, filters, search, counts, keyset pages
//! that stay stable while tickets arrive, and inert requester content.

mod common;
#[path = "common/queue.rs"]
mod queue_helpers;
#[path = "common/server.rs"]
mod server;

use std::io::Read;

use queue_helpers::{Spec, file, file_many, next_link, references, signed_in, spec};
use server::{Browser, Server};
use time::OffsetDateTime;

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
    only_429.assert_contains("New</span> <span class=\"count\">3</span>");
    only_429.assert_contains("Resolved</span> <span class=\"count\">0</span>");
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
async fn bulk_edits_change_the_selected_tickets_say_how_and_leave_a_trail() {
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
                ("assign_to", "me"),
                ("priority_to", ""),
                ("status_to", ""),
                ("back", back),
            ],
        )
        .await;
    assert_eq!(res.status, 303);
    let location = res.location.clone().unwrap();
    assert!(
        location.starts_with("/staff/queue?code=401&bulk="),
        "{location}"
    );
    let page = browser.get(&location).await;
    page.assert_contains("Assigned to Ana Agent: APD-000001, APD-000002.");
    let mine = browser.get("/staff/queue?assignee=me").await;
    assert_eq!(references(&mine.body), ["APD-000001", "APD-000002"]);

    // Every ticket on the page, two fields at once.
    let res = browser
        .post(
            back,
            "/staff/queue/bulk",
            &[
                ("all_on_page", "1"),
                ("page_ids", "1,2,3"),
                ("priority_to", "urgent"),
                ("status_to", "waiting"),
                ("back", back),
            ],
        )
        .await;
    let page = browser.get(res.location.as_deref().unwrap()).await;
    page.assert_contains("Priority set to Urgent: APD-000001, APD-000002, APD-000003.")
        .assert_contains("Status set to Waiting on requester: APD-000001, APD-000002, APD-000003.");
    let urgent = browser
        .get("/staff/queue?priority=urgent&status=waiting")
        .await;
    assert_eq!(references(&urgent.body).len(), 3);

    // Doing it again changes nothing and says so; nothing to undo.
    let res = browser
        .post(
            back,
            "/staff/queue/bulk",
            &[("ids", "1"), ("priority_to", "urgent"), ("back", back)],
        )
        .await;
    let page = browser.get(res.location.as_deref().unwrap()).await;
    page.assert_contains("Already that priority: APD-000001.")
        .assert_lacks("id=\"bulk-undo\"");

    // A move the rules refuse is named, with why.
    let res = browser
        .post(
            back,
            "/staff/queue/bulk",
            &[
                ("ids", "3"),
                ("status_to", "closed"),
                ("back", "https://evil.example/"),
            ],
        )
        .await;
    let location = res.location.clone().unwrap();
    assert!(location.starts_with("/staff/queue?bulk="), "{location}");
    let res = browser
        .post(
            back,
            "/staff/queue/bulk",
            &[("ids", "3"), ("status_to", "new"), ("back", back)],
        )
        .await;
    browser
        .get(res.location.as_deref().unwrap())
        .await
        .assert_contains("Not changed: APD-000003. A ticket cannot go from Closed to New");

    // Nothing ticked, or nothing chosen: the view comes back, 422, with
    // the choices kept and the reason above the list.
    let back = "/staff/queue?status=all&code=401";
    let res = browser
        .post(
            back,
            "/staff/queue/bulk",
            &[("status_to", "closed"), ("back", back)],
        )
        .await;
    assert_eq!(res.status, 422);
    res.assert_contains("Tick the tickets to edit first")
        .assert_contains("<option value=\"closed\" selected>");
    let res = browser
        .post(back, "/staff/queue/bulk", &[("ids", "2"), ("back", back)])
        .await;
    assert_eq!(res.status, 422);
    res.assert_contains("Choose what to change")
        .assert_contains("value=\"2\" aria-label=\"Select APD-000002\" checked");

    for (id, kinds) in [
        (1, vec!["assigned", "priority", "status"]),
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
    assert!(lines[1].contains("@org") && lines[1].contains(".example\""));

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

/// Every browser asks for gzip. The export is streamed in batches of 1,000,
/// so this view spans two batches; it must arrive whole, and without the
/// requesters' private links.
#[tokio::test]
async fn the_csv_export_arrives_whole_with_gzip_and_without_private_links() {
    let server = Server::start().await;
    let count = 1_234;
    let tokens = file_many(&server.store, count, |n| format!("export row {n}")).await;
    let browser = signed_in(&server).await;
    let res = browser
        .client
        .get(format!(
            "{}/staff/queue.csv?status=all&sort=age",
            browser.base
        ))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-encoding"], "gzip");
    let compressed = res.bytes().await.expect("the whole body arrives");
    let mut csv = String::new();
    flate2::read::GzDecoder::new(&compressed[..])
        .read_to_string(&mut csv)
        .expect("a complete gzip stream");

    let lines: Vec<&str> = csv.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(lines.len(), count + 1, "a header and every ticket, once");
    assert!(lines[0].starts_with("\"reference\",\"id\",\"status\""));
    assert!(!lines[0].contains("token"), "{}", lines[0]);
    for (n, line) in lines[1..].iter().enumerate() {
        let reference = format!("\"APD-{:06}\"", n + 1);
        assert!(line.starts_with(&reference), "row {n}: {line}");
        assert!(
            line.contains(&format!("\"export row {n}\"")),
            "row {n}: {line}"
        );
    }
    for token in &tokens {
        assert!(!csv.contains(&token.to_string()), "a private link leaked");
    }
    server.shut_down().await;
}

/// Sorted references, for views whose order is not the point.
fn sorted_references(html: &str) -> Vec<String> {
    let mut refs = references(html);
    refs.sort();
    refs
}

/// CSV data lines (the header left out).
async fn csv_rows(browser: &Browser, query: &str) -> Vec<String> {
    let res = browser
        .client
        .get(format!("{}/staff/queue.csv?{query}", browser.base))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "{query}");
    let csv = res.text().await.expect("the whole export arrives");
    let mut lines = csv.split("\r\n").filter(|l| !l.is_empty());
    assert!(
        lines.next().unwrap().starts_with("\"reference\""),
        "{query}"
    );
    lines.map(str::to_string).collect()
}

#[tokio::test]
async fn repeated_or_excessive_filter_values_are_bounded_never_an_error() {
    let server = Server::start().await;
    let store = &server.store;
    file(store, spec("401", "HTTP GET failed: rate limit reached", 3)).await;
    file(store, spec("429", "too many requests: rate limit", 2)).await;
    file(store, spec("500", "server error", 1)).await;
    let browser = signed_in(&server).await;
    let all = ["APD-000001", "APD-000002", "APD-000003"];

    // A status listed hundreds of times, in one list or as repeated keys:
    // each ticket once, on the page and in the export.
    let listed = format!("status={}", vec!["new"; 600].join(","));
    let repeated = vec!["status=new"; 300].join("&");
    for query in [&listed, &repeated] {
        let page = browser.get(&format!("/staff/queue?{query}")).await;
        assert_eq!(page.status, 200, "{query:.40}");
        assert_eq!(sorted_references(&page.body), all);
        // The page's own links carry the cleaned view.
        page.assert_contains("href=\"/staff/queue.csv?status=new\"");
        assert_eq!(csv_rows(&browser, query).await.len(), 3);
    }
    let both = browser
        .get("/staff/queue?status=open&status=new,open")
        .await;
    assert_eq!(both.status, 200);
    assert_eq!(sorted_references(&both.body), all);

    // A NUL (or any control character) in the search separates words.
    let page = browser.get("/staff/queue?q=rate%00limit").await;
    assert_eq!(page.status, 200);
    assert_eq!(sorted_references(&page.body), ["APD-000001", "APD-000002"]);
    page.assert_contains("value=\"rate limit\"");
    assert_eq!(csv_rows(&browser, "q=rate%00limit").await.len(), 2);
    let page = browser.get("/staff/queue?q=%00%01%1F").await;
    assert_eq!(page.status, 200);
    assert_eq!(sorted_references(&page.body), all);

    // Values no filter knows are ignored, and the page says so.
    let page = browser
        .get("/staff/queue?status=bogus&code=999&sort=sideways&from=yesterday&assignee=-4")
        .await;
    assert_eq!(page.status, 200);
    assert_eq!(sorted_references(&page.body), all);
    page.assert_contains("Ignored status “bogus”")
        .assert_contains("Ignored code “999”")
        .assert_contains("Ignored sort “sideways”")
        .assert_contains("Ignored from “yesterday”")
        .assert_contains("Ignored assignee “-4”");
    assert_eq!(csv_rows(&browser, "status=bogus&code=999").await.len(), 3);

    // Oversized values are cut, not refused.
    let huge = "x".repeat(20_000);
    let page = browser
        .get(&format!(
            "/staff/queue?code={huge}&after={huge}&tool={huge}"
        ))
        .await;
    assert_eq!(page.status, 200);
    assert_eq!(sorted_references(&page.body), all);
    page.assert_lacks(&"x".repeat(65));
    server.shut_down().await;
}

#[tokio::test]
async fn a_long_search_is_trimmed_and_the_agent_told() {
    let server = Server::start().await;
    file(
        &server.store,
        spec("401", "one two three four five six seven eight nine ten", 1),
    )
    .await;
    let browser = signed_in(&server).await;
    let words = "one two three four five six seven eight nine ten eleven twelve";
    let page = browser
        .get(&format!("/staff/queue?q={}", words.replace(' ', "+")))
        .await;
    assert_eq!(page.status, 200);
    // Only the first eight words are searched: the ticket lacks the rest.
    assert_eq!(references(&page.body), ["APD-000001"]);
    page.assert_contains("Searched for the first 8 words only")
        .assert_contains("value=\"one two three four five six seven eight\"");
    let long_word = "a".repeat(300);
    let page = browser.get(&format!("/staff/queue?q={long_word}")).await;
    assert_eq!(page.status, 200);
    page.assert_contains("Shortened words longer than 40 characters")
        .assert_contains(&format!("value=\"{}\"", "a".repeat(40)));
    server.shut_down().await;
}

/// A view that needs more than the staff query budget is stopped inside
/// SQLite: the agent is told to narrow it, and every connection comes back.
/// The budget is zero here, so any real amount of work exceeds it.
#[tokio::test]
async fn a_view_over_its_budget_is_stopped_with_a_message_and_the_pool_stays_usable() {
    let dir = tempfile::tempdir().unwrap();
    let config = apidesk::config::Config {
        staff_query_budget: apidesk::config::QueryBudget(std::time::Duration::ZERO),
        ..common::test_config(&dir)
    };
    let server = Server::start_with(config).await;
    // Every ticket matches the words, none has the status: the search walks
    // every match and finds nothing, far more work than the budget allows.
    file_many(&server.store, 1_500, |n| {
        format!("HTTP GET failed: the request to the service timed out again ({n})")
    })
    .await;
    let browser = signed_in(&server).await;
    let view = "status=closed&q=the+request+to+the+service+timed+out";
    // More times than the pool has connections.
    for _ in 0..12 {
        let page = browser.get(&format!("/staff/queue?{view}")).await;
        assert_eq!(page.status, 422);
        page.assert_contains("This view is too broad to show quickly")
            .assert_contains("aria-invalid=\"true\"")
            .assert_contains("value=\"the request to the service timed out\"")
            .assert_lacks("No tickets match this view.");
        assert!(references(&page.body).is_empty());
        // The export of that view says the same rather than break off.
        let csv = browser.get(&format!("/staff/queue.csv?{view}")).await;
        assert_eq!(csv.status, 422);
        csv.assert_contains("This view is too broad to show quickly");
    }
    // The pool is whole: public pages and the database answer.
    for path in ["/", "/healthz", "/tickets/new", "/staff/tickets/1"] {
        assert_eq!(browser.get(path).await.status, 200, "{path}");
    }
    server.shut_down().await;
}

/// The errors that got trees in issue 7 are filed, filtered and prioritised
/// like the first five: a gateway failure in production starts high, a
/// timeout on the requester's side or anything in sandbox does not.
#[tokio::test]
async fn the_newer_error_codes_are_filtered_and_gateway_failures_start_high() {
    let server = Server::start().await;
    let store = &server.store;
    file(store, spec("504", "504 Gateway Time-out", 3)).await;
    file(
        store,
        Spec {
            environment: "sandbox",
            ..spec("504", "Request failed with status code 504", 2)
        },
    )
    .await;
    file(store, spec("timeout", "timeout of 30000ms exceeded", 1)).await;
    file(store, spec("invalid-json", "Unexpected token < in JSON", 1)).await;

    let browser = signed_in(&server).await;
    let gateway = browser.get("/staff/queue?code=504").await;
    assert_eq!(references(&gateway.body), ["APD-000001", "APD-000002"]);
    gateway.assert_contains("<option value=\"504\" selected>504 Gateway Timeout</option>");
    let high = browser.get("/staff/queue?priority=high").await;
    assert_eq!(references(&high.body), ["APD-000001"]);
    let json = browser.get("/staff/queue?code=invalid-json").await;
    assert_eq!(references(&json.body), ["APD-000004"]);
    json.assert_contains("Reply is not JSON");
    server.shut_down().await;
}
