//! Rate limits over real HTTP: per client address (the socket, or with
//! `--trust-proxy` the rightmost `X-Forwarded-For` entry), per ticket, the
//! 429 page, `off`, and "fixed" counted once per visitor and step.

mod common;
#[path = "common/server.rs"]
mod server;
#[path = "common/staff.rs"]
mod staff_helpers;

use apidesk::config::Config;
use apidesk::domain::ErrorCode;
use apidesk::tickets::MAX_ADDITIONS_PER_TICKET;
use common::{as_pairs, hidden_value, valid_ticket};
use server::{Browser, Server};

async fn start(limits: &str, trust_proxy: bool) -> (Server, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let config = Config {
        rate_limits: limits.parse().unwrap(),
        trust_proxy,
        ..common::test_config(&dir)
    };
    (Server::start_with(config).await, dir)
}

struct Answer {
    status: u16,
    retry_after: Option<u64>,
    location: Option<String>,
    body: String,
}

/// Opens the form and files a valid ticket, optionally through a proxy
/// that sent `X-Forwarded-For`.
async fn file(browser: &Browser, forwarded_for: Option<&str>) -> Answer {
    let form = browser.get("/tickets/new?error_code=401").await;
    let csrf = hidden_value(&form.body, "csrf_token").unwrap();
    let fields = valid_ticket();
    let mut pairs = as_pairs(&fields);
    pairs.push(("csrf_token", &csrf));
    post(browser, "/tickets", &pairs, forwarded_for).await
}

async fn post(
    browser: &Browser,
    action: &str,
    pairs: &[(&str, &str)],
    forwarded_for: Option<&str>,
) -> Answer {
    let mut request = browser
        .client
        .post(format!("{}{action}", browser.base))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(serde_urlencoded::to_string(pairs).unwrap());
    if let Some(xff) = forwarded_for {
        request = request.header("x-forwarded-for", xff);
    }
    let res = request.send().await.unwrap();
    let header = |name: &str| {
        res.headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_string())
    };
    Answer {
        status: res.status().as_u16(),
        retry_after: header("retry-after").map(|v| v.parse().expect("Retry-After in seconds")),
        location: header("location"),
        body: res.text().await.unwrap(),
    }
}

/// Adds information from the ticket's status page.
async fn add(browser: &Browser, status_page: &str, text: &str, xff: Option<&str>) -> Answer {
    // The token is the browser's, whichever form it is read from: a full
    // ticket's page has no form left to read it from.
    let page = browser.get("/tickets/new").await;
    let csrf = hidden_value(&page.body, "csrf_token").unwrap();
    let action = format!("{status_page}/replies");
    post(
        browser,
        &action,
        &[("csrf_token", &csrf), ("body", text)],
        xff,
    )
    .await
}

fn status_page_of(answer: &Answer) -> String {
    assert_eq!(answer.status, 303, "{}", answer.body);
    let location = answer.location.as_deref().unwrap();
    location.split('?').next().unwrap().to_string()
}

#[tokio::test]
async fn the_filing_over_the_limit_gets_429_with_retry_after_and_keeps_nothing() {
    let (server, _dir) = start("filing=3/h", false).await;
    let browser = server.browser();
    for _ in 0..3 {
        assert_eq!(file(&browser, None).await.status, 303);
    }
    let refused = file(&browser, None).await;
    assert_eq!(refused.status, 429, "{}", refused.body);
    // 3 an hour: the next one in 20 minutes.
    let wait = refused.retry_after.expect("a Retry-After header");
    assert!((1..=1200).contains(&wait), "{wait}");
    assert!(
        refused.body.contains("Please try again in 20 minutes"),
        "{}",
        refused.body
    );
    assert!(refused.body.contains("What you typed was not saved"));
    assert!(refused.body.contains("Back button"));
    assert_eq!(server.store.count_tickets().await.unwrap(), 3);
    server.shut_down().await;
}

#[tokio::test]
async fn behind_a_trusted_proxy_the_rightmost_forwarded_address_is_counted() {
    let (server, _dir) = start("filing=2/h", true).await;
    let browser = server.browser();
    for _ in 0..2 {
        let filed = file(&browser, Some("198.51.100.1, 203.0.113.1")).await;
        assert_eq!(filed.status, 303);
    }
    // The client controls the leftmost entry: changing it changes nothing.
    let spoofed = file(&browser, Some("192.0.2.77, 203.0.113.1")).await;
    assert_eq!(spoofed.status, 429);
    // Another client behind the same proxy has its own allowance.
    let other = file(&browser, Some("198.51.100.1, 203.0.113.2")).await;
    assert_eq!(other.status, 303);
    server.shut_down().await;
}

#[tokio::test]
async fn without_trust_proxy_forwarded_for_is_ignored() {
    let (server, _dir) = start("filing=2/h", false).await;
    let browser = server.browser();
    assert_eq!(file(&browser, Some("203.0.113.1")).await.status, 303);
    assert_eq!(file(&browser, Some("203.0.113.2")).await.status, 303);
    // Every request came from 127.0.0.1, whatever the header claims.
    assert_eq!(file(&browser, Some("203.0.113.3")).await.status, 429);
    server.shut_down().await;
}

#[tokio::test]
async fn off_disables_the_limits() {
    // The default allows 20 filings an hour from one address.
    let (server, _dir) = start("off", false).await;
    let browser = server.browser();
    for i in 0..25 {
        assert_eq!(file(&browser, None).await.status, 303, "filing {i}");
    }
    server.shut_down().await;
}

#[tokio::test]
async fn a_ticket_takes_a_limited_rate_of_additions_whoever_sends_them() {
    let (server, _dir) = start("ticket_additions=2/h,additions=100/h", true).await;
    let browser = server.browser();
    let status_page = status_page_of(&file(&browser, Some("203.0.113.1")).await);
    for i in 0..2 {
        let added = add(
            &browser,
            &status_page,
            &format!("More detail {i}"),
            Some("203.0.113.1"),
        )
        .await;
        assert_eq!(added.status, 303, "{}", added.body);
    }
    // A third addition, even from another address, waits.
    let refused = add(&browser, &status_page, "Third detail", Some("203.0.113.9")).await;
    assert_eq!(refused.status, 429);
    assert!(refused.retry_after.is_some());
    assert!(refused.body.contains("What you typed was not saved"));
    let page = browser.get(&status_page).await;
    page.assert_contains("More detail 1")
        .assert_lacks("Third detail");
    server.shut_down().await;
}

#[tokio::test]
async fn a_ticket_holds_a_bounded_number_of_additions() {
    let (server, _dir) = start("off", false).await;
    let browser = server.browser();
    let status_page = status_page_of(&file(&browser, None).await);
    for i in 0..MAX_ADDITIONS_PER_TICKET {
        let added = add(&browser, &status_page, &format!("Detail number {i}"), None).await;
        assert_eq!(added.status, 303, "addition {i}: {}", added.body);
    }
    let refused = add(&browser, &status_page, "One too many", None).await;
    assert_eq!(refused.status, 422);
    assert!(
        refused
            .body
            .contains("already holds as much added information as it can take"),
        "{}",
        refused.body
    );
    // The refused text stays on the page to copy.
    assert!(refused.body.contains("One too many"));
    // A full ticket no longer offers a form that can only refuse.
    let page = browser.get(&status_page).await;
    assert_eq!(page.status, 200);
    assert!(!page.body.contains("/replies\""), "{}", page.body);
    assert!(
        page.body
            .contains("holds as much added information as it can take"),
        "{}",
        page.body
    );
    server.shut_down().await;
}

#[tokio::test]
async fn the_same_visitor_pressing_fixed_twice_counts_once() {
    let (server, _dir) = start("", false).await;
    let fix = |browser: Browser| async move {
        let fixed = browser
            .post(
                "/troubleshoot/401",
                "/troubleshoot/401/fixed",
                &[("step", "token-active")],
            )
            .await;
        assert_eq!(fixed.status, 303, "{}", fixed.body);
        browser
    };
    let kb = apidesk::kb::KnowledgeBase::load_embedded().unwrap();
    let count = || {
        server
            .store
            .deflection_count(kb.tree(ErrorCode::Unauthorized), "token-active")
    };
    let first = fix(server.browser()).await;
    fix(first).await;
    assert_eq!(
        count().await.unwrap(),
        1,
        "twice from one browser counts once"
    );
    fix(server.browser()).await;
    assert_eq!(count().await.unwrap(), 2, "another browser counts");
    server.shut_down().await;
}

#[tokio::test]
async fn pressing_fixed_from_fresh_browsers_is_limited_per_address() {
    let (server, _dir) = start("fixed=3/h", false).await;
    for i in 0..3 {
        let fixed = server
            .browser()
            .post(
                "/troubleshoot/401",
                "/troubleshoot/401/fixed",
                &[("step", "token-active")],
            )
            .await;
        assert_eq!(fixed.status, 303, "press {i}");
    }
    let refused = server
        .browser()
        .post(
            "/troubleshoot/401",
            "/troubleshoot/401/fixed",
            &[("step", "token-active")],
        )
        .await;
    assert_eq!(refused.status, 429);
    server.shut_down().await;
}

#[tokio::test]
async fn reading_pasted_messages_is_limited_per_address() {
    let (server, _dir) = start("diagnose=2/m", false).await;
    let browser = server.browser();
    for _ in 0..2 {
        assert_eq!(browser.get("/diagnose?message=HTTP+401").await.status, 303);
    }
    let refused = browser.get("/diagnose?message=HTTP+401").await;
    assert_eq!(refused.status, 429);
    refused.assert_contains("Please try again in");
    server.shut_down().await;
}

/// Ticket references on a queue page, in order.
fn references(html: &str) -> Vec<String> {
    html.match_indices(">APD-")
        .map(|(at, _)| html[at + 1..at + 11].to_string())
        .collect()
}

#[tokio::test]
async fn an_addition_is_indexed_on_its_own_and_search_still_spans_the_ticket() {
    let (server, _dir) = start("off", false).await;
    let requester = server.browser();
    // APD-000001: "unauthorized" in its message, the other words in additions.
    let first = status_page_of(&file(&requester, None).await);
    assert_eq!(
        add(&requester, &first, "Seen from the quokka runner", None)
            .await
            .status,
        303
    );
    assert_eq!(
        add(&requester, &first, "quokka again, and zebu", None)
            .await
            .status,
        303
    );
    // APD-000002: every word in one addition.
    let second = status_page_of(&file(&requester, None).await);
    assert_eq!(
        add(&requester, &second, "quokka zebu", None).await.status,
        303
    );

    // Each addition is a search row of its own: the ticket's row is not rewritten.
    let sql = sqlx::SqlitePool::connect(&server.config.database_url)
        .await
        .unwrap();
    let rows: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM ticket_search WHERE rowid BETWEEN 1 * 1048576 AND 2 * 1048576 - 1",
    )
    .fetch_one(&sql)
    .await
    .unwrap();
    assert_eq!(rows, 3, "the ticket's text and its two additions");
    sql.close().await;

    server
        .add_staff("ana@example.com", "Ana Agent", apidesk::staff::Role::Agent)
        .await;
    let staff = server.browser();
    assert_eq!(
        staff
            .sign_in("ana@example.com", server::PASSWORD)
            .await
            .status,
        303
    );
    for (query, expected) in [
        // Words from the message and from two different additions.
        ("unauthorized+quokka+zebu", vec!["APD-000002", "APD-000001"]),
        ("quokka&sort=age", vec!["APD-000001", "APD-000002"]),
        ("zebu+runner", vec!["APD-000001"]),
        ("quokka+missingword", vec![]),
    ] {
        let page = staff
            .get(&format!("/staff/queue?status=all&q={query}"))
            .await;
        assert_eq!(page.status, 200, "{}", page.body);
        assert_eq!(references(&page.body), expected, "q={query}");
    }
    server.shut_down().await;
}

/// Every other way in is limited too, each with `Retry-After` and the
/// wait in words: "email me my tickets" per address, sign-in per account
/// and per address, the API per token (and, without a valid token, per
/// address).
#[tokio::test]
async fn email_me_my_tickets_is_limited_per_address() {
    let (server, _dir) = start("links=2/h", false).await;
    let browser = server.browser();
    // Mail is off here, so the page has no form: the browser's token is
    // read from another page (the limit is counted all the same).
    let page = browser.get("/tickets/new").await;
    let csrf = hidden_value(&page.body, "csrf_token").unwrap();
    let ask = |email: &'static str| {
        let csrf = csrf.clone();
        let browser = &browser;
        async move {
            post(
                browser,
                "/tickets/lost",
                &[("csrf_token", &csrf), ("email", email)],
                None,
            )
            .await
        }
    };
    assert_eq!(ask("a@example.com").await.status, 303);
    assert_eq!(ask("b@example.com").await.status, 303);
    let refused = ask("c@example.com").await;
    assert_eq!(refused.status, 429, "{}", refused.body);
    let wait = refused.retry_after.expect("a Retry-After header");
    assert!((1..=1800).contains(&wait), "{wait}");
    assert!(
        refused.body.contains("Please try again in 30 minutes"),
        "{}",
        refused.body
    );
    server.shut_down().await;
}

async fn sign_in(browser: &Browser, email: &str, password: &str) -> Answer {
    let page = browser.get("/staff/login").await;
    let csrf = hidden_value(&page.body, "csrf_token").unwrap();
    post(
        browser,
        "/staff/login",
        &[
            ("csrf_token", &csrf),
            ("email", email),
            ("password", password),
        ],
        None,
    )
    .await
}

#[tokio::test]
async fn sign_in_past_its_failures_says_when_to_try_again() {
    let (server, _dir) = start("", false).await;
    let browser = server.browser();
    // Per account: five failures in 15 minutes.
    for _ in 0..5 {
        let failed = sign_in(&browser, "ana@example.com", "wrong password here").await;
        assert_eq!(failed.status, 401);
        assert_eq!(failed.retry_after, None);
    }
    let refused = sign_in(&browser, "ana@example.com", "wrong password here").await;
    assert_eq!(refused.status, 429, "{}", refused.body);
    let wait = refused.retry_after.expect("a Retry-After header");
    assert!((1..=900).contains(&wait), "{wait}");
    assert!(
        refused.body.contains("Try again in 15 minutes"),
        "{}",
        refused.body
    );

    // Per address: twenty failures, whichever accounts they name.
    for n in 0..15 {
        let failed = sign_in(&browser, &format!("x{n}@example.com"), "wrong password").await;
        assert_eq!(failed.status, 401, "{n}");
    }
    let refused = sign_in(&browser, "someone@example.com", "wrong password").await;
    assert_eq!(refused.status, 429, "{}", refused.body);
    assert!(refused.retry_after.is_some_and(|w| (1..=900).contains(&w)));
    assert!(refused.body.contains("Try again in 15 minutes"));
    server.shut_down().await;
}

#[tokio::test]
async fn the_api_is_limited_per_token_and_guesses_per_address() {
    let (server, _dir) = start("api=2/m", false).await;
    let admin = {
        use apidesk::staff::{NewStaffMember, Role};
        let new = NewStaffMember::check(
            "ada@example.com",
            "Ada",
            Role::Admin,
            "a long password for tests".into(),
        )
        .await
        .unwrap();
        server
            .store
            .add_staff_member(new, time::OffsetDateTime::now_utc())
            .await
            .unwrap()
            .id
    };
    let token =
        staff_helpers::api_token(&server.store, admin, &[apidesk::tokens::Scope::TicketsRead])
            .await;
    let client = reqwest::Client::new();
    let list = |token: String| {
        let client = client.clone();
        let url = format!("{}/api/v1/tickets", server.base);
        async move { client.get(url).bearer_auth(token).send().await.unwrap() }
    };
    for _ in 0..2 {
        assert_eq!(list(token.clone()).await.status(), 200);
    }
    let refused = list(token.clone()).await;
    assert_eq!(refused.status(), 429);
    let wait: u64 = refused.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=30).contains(&wait), "{wait}");
    assert_eq!(
        refused.headers()["content-type"],
        "application/problem+json"
    );
    let problem: serde_json::Value = serde_json::from_str(&refused.text().await.unwrap()).unwrap();
    let detail = problem["detail"].as_str().unwrap();
    assert!(
        detail.contains("Try again in") && detail.contains("second"),
        "{detail}"
    );

    // Without a valid token, guesses are counted per address.
    for _ in 0..2 {
        assert_eq!(list("guess".into()).await.status(), 401);
    }
    let refused = list("guess".into()).await;
    assert_eq!(refused.status(), 429);
    assert!(refused.headers().contains_key("retry-after"));
    server.shut_down().await;
}
