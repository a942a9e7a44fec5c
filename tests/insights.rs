//! Insights for the team lead (/staff/insights): figures on a known data set
//! (tickets filed, answered and resolved at known times through the store;
//! walks through the checks over HTTP, as visitors make them), on the page
//! and in each table's CSV; the date range; staff-only access.

mod common;
#[path = "common/server.rs"]
mod server;

use apidesk::kb::KnowledgeBase;
use apidesk::staff::Role;
use apidesk::store::Store;
use apidesk::tickets::workflow::{Actor, AfterReply, Command, Request};
use apidesk::tickets::{EventBody, ResponseTargets, TicketInput, TicketStatus};
use server::{Browser, PASSWORD, Server};
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

/// Files a ticket at `created`, from `email` (tickets from one organisation
/// with the same failure within a day become one problem).
async fn file(
    store: &Store,
    code: &str,
    environment: &str,
    endpoint: &str,
    email: &str,
    created: OffsetDateTime,
) -> i64 {
    let input = TicketInput {
        error_code: code.into(),
        message: format!("HTTP GET failed ({code})"),
        endpoint: endpoint.into(),
        method: "GET".into(),
        occurred_at: "2026-01-15T09:30:00Z".into(),
        tool: "workato".into(),
        environment: environment.into(),
        name: "Requester".into(),
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

/// A ticket alone in its organisation: never grouped.
async fn file_alone(store: &Store, code: &str, environment: &str, created: OffsetDateTime) -> i64 {
    static ORGANISATIONS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = ORGANISATIONS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    file(
        store,
        code,
        environment,
        "https://go.trackvia.com/openapi/views/12/records/7",
        &format!("req@org{n}.example"),
        created,
    )
    .await
}

/// Carries out `command` on `ticket` as staff member `staff` at `at`.
async fn act(store: &Store, staff: i64, ticket: i64, command: Command, at: OffsetDateTime) {
    let request = Request {
        ticket,
        actor: Actor::Staff {
            id: staff,
            role: Role::Agent,
        },
        command,
        at,
    };
    let outcome = store
        .apply(&request, &ResponseTargets::default())
        .await
        .unwrap();
    assert!(outcome.changed(), "{request:?} changed nothing");
}

fn reply(then: AfterReply) -> Command {
    Command::Reply {
        body: EventBody::parse("Please try again with a fresh token.").unwrap(),
        then,
    }
}

fn set_status(to: TicketStatus) -> Command {
    Command::SetStatus { to }
}

/// A signed-in agent's browser, and the agent's id.
async fn signed_in(server: &Server) -> (Browser, i64) {
    server
        .add_staff("lena@example.com", "Lena Lead", Role::Agent)
        .await;
    let (me, _) = server
        .store
        .staff_credentials("lena@example.com")
        .await
        .unwrap()
        .unwrap();
    let browser = server.browser();
    assert_eq!(
        browser.sign_in("lena@example.com", PASSWORD).await.status,
        303
    );
    (browser, me.id)
}

/// The CSV lines of a download, each as its cells (quotes taken off).
fn csv_rows(body: &str) -> Vec<Vec<String>> {
    body.split("\r\n")
        .filter(|line| !line.is_empty())
        .map(|line| {
            let inner = line.strip_prefix('"').and_then(|l| l.strip_suffix('"'));
            inner
                .unwrap_or_else(|| panic!("an unquoted cell in {line:?}"))
                .split("\",\"")
                .map(|cell| cell.replace("\"\"", "\""))
                .collect()
        })
        .collect()
}

fn rows(lines: &[&[&str]]) -> Vec<Vec<String>> {
    lines
        .iter()
        .map(|line| line.iter().map(|s| s.to_string()).collect())
        .collect()
}

async fn csv(browser: &Browser, path: &str) -> Vec<Vec<String>> {
    let res = browser
        .client
        .get(format!("{}{path}", browser.base))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "{path}");
    assert_eq!(
        res.headers()["content-type"].to_str().unwrap(),
        "text/csv; charset=utf-8"
    );
    assert!(
        res.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment; filename=\"apidesk-")
    );
    let body = res.text().await.unwrap();
    // Every cell quoted, every line ended with CRLF.
    assert!(body.ends_with("\"\r\n"), "{body}");
    csv_rows(&body)
}

/// Two weeks of March 2026 (Monday 2 to Sunday 15), as the page's range.
const MARCH: &str = "from=2026-03-02&to=2026-03-15";

#[tokio::test]
async fn response_times_and_weekly_tickets_on_a_known_data_set() {
    let server = Server::start().await;
    let store = &server.store;
    let (browser, staff) = signed_in(&server).await;

    // 1: 401 (normal: target 1 day), answered after 30 min, resolved a day
    // after filing; reopened and resolved again, which counts once.
    let one = file_alone(store, "401", "production", datetime!(2026-03-02 09:00 UTC)).await;
    act(
        store,
        staff,
        one,
        reply(AfterReply::Stay),
        datetime!(2026-03-02 09:30 UTC),
    )
    .await;
    act(
        store,
        staff,
        one,
        set_status(TicketStatus::Resolved),
        datetime!(2026-03-03 09:00 UTC),
    )
    .await;
    act(
        store,
        staff,
        one,
        set_status(TicketStatus::Open),
        datetime!(2026-03-13 09:00 UTC),
    )
    .await;
    act(
        store,
        staff,
        one,
        set_status(TicketStatus::Resolved),
        datetime!(2026-03-14 09:00 UTC),
    )
    .await;
    // 2: 500 in production (high: target 4 h), answered after 6 h.
    let two = file_alone(store, "500", "production", datetime!(2026-03-03 10:00 UTC)).await;
    act(
        store,
        staff,
        two,
        reply(AfterReply::WaitOnRequester),
        datetime!(2026-03-03 16:00 UTC),
    )
    .await;
    // 3: 401, answered after 3 min; a reply that resolves it, 2 days after filing.
    let three = file_alone(store, "401", "production", datetime!(2026-03-10 08:00 UTC)).await;
    act(
        store,
        staff,
        three,
        reply(AfterReply::Stay),
        datetime!(2026-03-10 08:03 UTC),
    )
    .await;
    act(
        store,
        staff,
        three,
        reply(AfterReply::Resolve),
        datetime!(2026-03-12 08:00 UTC),
    )
    .await;
    // 4: 429, never answered.
    file_alone(store, "429", "production", datetime!(2026-03-11 12:00 UTC)).await;
    // 5: filed before the range, first answered in it, 12 days late.
    let five = file_alone(store, "401", "production", datetime!(2026-02-20 09:00 UTC)).await;
    act(
        store,
        staff,
        five,
        reply(AfterReply::Stay),
        datetime!(2026-03-04 12:00 UTC),
    )
    .await;
    // 6: after the range: in no figure below.
    let six = file_alone(store, "404", "production", datetime!(2026-03-16 09:00 UTC)).await;
    act(
        store,
        staff,
        six,
        reply(AfterReply::Resolve),
        datetime!(2026-03-16 09:10 UTC),
    )
    .await;

    let first_response = csv(
        &browser,
        &format!("/staff/insights/first-response.csv?{MARCH}"),
    )
    .await;
    assert_eq!(
        first_response,
        rows(&[
            &[
                "Priority",
                "Target",
                "Tickets answered",
                "Answered within target",
                "Median",
                "90th percentile"
            ],
            &["Urgent", "1 h", "0", "", "", ""],
            &["High", "4 h", "1", "0", "4–8 h", "4–8 h"],
            // Bands: under 5 min (3), 30 min – 1 h (1), 7–14 days (5): the
            // median is the second, the 90th percentile the third.
            &["Normal", "1 day", "3", "66", "30 min – 1 h", "7–14 days"],
            &["Low", "3 days", "0", "", "", ""],
        ])
    );
    let resolution = csv(&browser, &format!("/staff/insights/resolution.csv?{MARCH}")).await;
    assert_eq!(
        resolution,
        rows(&[
            &["Priority", "Tickets resolved", "Median", "90th percentile"],
            &["Urgent", "0", "", ""],
            &["High", "0", "", ""],
            &["Normal", "2", "1 day – 2 days", "2–3 days"],
            &["Low", "0", "", ""],
        ])
    );
    let weekly = csv(&browser, &format!("/staff/insights/weekly.csv?{MARCH}")).await;
    assert_eq!(
        weekly,
        rows(&[
            &[
                "Error code",
                "Week of 2 Mar 2026",
                "Week of 9 Mar 2026",
                "Total"
            ],
            &["401 Unauthorized", "1", "1", "2"],
            &["429 Too Many Requests", "0", "1", "1"],
            &["500 Internal Server Error", "1", "0", "1"],
            &["All codes", "2", "2", "4"],
        ])
    );

    // The page: the same figures, each chart an image with its table.
    let page = browser.get(&format!("/staff/insights?{MARCH}")).await;
    assert_eq!(page.status, 200);
    page.assert_contains("Figures for 2 Mar 2026 to 15 Mar 2026 (14 days).")
        .assert_contains("<th scope=\"row\">Normal</th><td>1 day</td><td class=\"num\">3</td><td class=\"num\">66%</td><td>30 min – 1 h</td><td>7–14 days</td>")
        .assert_contains("<th scope=\"row\">401 Unauthorized</th><td class=\"num\">1</td><td class=\"num\">1</td><td class=\"num\">2</td>")
        .assert_contains("<svg class=\"chart\" role=\"img\"")
        .assert_contains("aria-labelledby=\"weekly-chart-title weekly-chart-desc\"")
        .assert_contains("<title id=\"first-response-chart-title\">First responses within target, per priority</title>")
        .assert_contains("href=\"/staff/insights/weekly.csv?from=2026-03-02&#38;to=2026-03-15\"")
        // No walk was recorded on those days.
        .assert_contains("No walks through the checks in this range.");

    // A range with only ticket 6: the others are gone from every figure.
    let later = csv(
        &browser,
        "/staff/insights/weekly.csv?from=2026-03-16&to=2026-03-16",
    )
    .await;
    assert_eq!(
        later,
        rows(&[
            &["Error code", "Week of 16 Mar 2026", "Total"],
            &["404 Not Found", "1", "1"],
            &["All codes", "1", "1"],
        ])
    );
    let later = csv(
        &browser,
        "/staff/insights/first-response.csv?from=2026-03-16&to=2026-03-16",
    )
    .await;
    assert_eq!(
        later[3],
        ["Normal", "1 day", "1", "100", "5–15 min", "5–15 min"]
    );
    let empty = browser
        .get("/staff/insights?from=2025-01-01&to=2025-01-31")
        .await;
    empty
        .assert_contains("No tickets were filed in this range.")
        .assert_contains("No tickets were first answered in this range.")
        .assert_contains("No problems had tickets filed in this range.");
    server.shut_down().await;
}

#[tokio::test]
async fn walks_are_counted_once_per_visitor_with_the_tickets_filed_after_them() {
    let server = Server::start().await;
    let (lead, _) = signed_in(&server).await;
    let kb = KnowledgeBase::load_embedded().unwrap();
    let tree = kb.tree(apidesk::domain::ErrorCode::Unauthorized);
    let (first, second) = (tree.steps[0].id.as_str(), tree.steps[1].id.as_str());

    // Ana: the first check, reloaded (counted once), the second, fixed there.
    let ana = server.browser();
    ana.get("/").await;
    assert_eq!(ana.get("/troubleshoot/401").await.status, 200);
    assert_eq!(ana.get("/troubleshoot/401").await.status, 200);
    let second_page = format!("/troubleshoot/401?path={first}");
    assert_eq!(ana.get(&second_page).await.status, 200);
    let fixed = ana
        .post(
            &second_page,
            "/troubleshoot/401/fixed",
            &[("step", second), ("path", first)],
        )
        .await;
    assert_eq!(fixed.status, 303);
    // Pressing it again (back, then the button) counts nothing more.
    ana.post(
        &second_page,
        "/troubleshoot/401/fixed",
        &[("step", second), ("path", first)],
    )
    .await;

    // Ben: the first check, "still failing", then a ticket from the second.
    let ben = server.browser();
    ben.get("/").await;
    ben.get("/troubleshoot/401").await;
    ben.get(&second_page).await;
    let mut fields = common::valid_ticket();
    fields.iter_mut().find(|(k, _)| *k == "path").unwrap().1 = first.to_string();
    let form = format!("/tickets/new?error_code=401&path={first}");
    let filed = ben
        .post(&form, "/tickets", &common::as_pairs(&fields))
        .await;
    assert_eq!(filed.status, 303, "{}", filed.body);
    // A second send of the same form finds the ticket: not a second filing.
    let again = ben
        .post(&form, "/tickets", &common::as_pairs(&fields))
        .await;
    assert_eq!(again.status, 303);

    server.walks.settled().await;
    let funnel = csv(&lead, "/staff/insights/funnel.csv").await;
    assert_eq!(
        funnel,
        rows(&[
            &[
                "Error code",
                "Walks started",
                "Fixed by a check",
                "Ticket filed after the checks",
                "Fixed, of walks started"
            ],
            &["401 Unauthorized", "2", "1", "1", "50"],
        ])
    );
    let steps = csv(&lead, "/staff/insights/steps.csv").await;
    assert_eq!(
        steps[0],
        [
            "Error code",
            "Check",
            "Shown",
            "Fixed here",
            "Ticket filed after it"
        ]
    );
    assert_eq!(steps.len(), 1 + tree.steps.len());
    let check = |n: usize| format!("{}. {}", n + 1, tree.steps[n].check);
    assert_eq!(steps[1], ["401 Unauthorized", &check(0), "2", "0", "1"]);
    assert_eq!(steps[2], ["401 Unauthorized", &check(1), "2", "1", "0"]);
    for row in &steps[3..] {
        assert_eq!(row[2..], ["0", "0", "0"], "{row:?}");
    }

    let page = lead.get("/staff/insights").await;
    let today = OffsetDateTime::now_utc().date();
    page.assert_contains("Walks through the checks are counted from")
        .assert_contains("<title id=\"funnel-chart-title\">Walks through the checks, per error code</title>")
        .assert_contains("<th scope=\"row\">401 Unauthorized</th><td class=\"num\">2</td><td class=\"num\">1</td><td class=\"num\">1</td><td class=\"num\">50%</td>");
    // A range from before the first start says its walk figures are partial.
    let earlier = lead
        .get(&format!(
            "/staff/insights?from={}&to={}",
            today - Duration::days(3),
            today
        ))
        .await;
    earlier.assert_contains("This range starts before walks were counted");
    server.shut_down().await;
}

#[tokio::test]
async fn open_tickets_are_counted_by_age_now() {
    let server = Server::start().await;
    let store = &server.store;
    let (browser, staff) = signed_in(&server).await;
    let now = OffsetDateTime::now_utc();
    file_alone(store, "401", "production", now - Duration::minutes(30)).await;
    let waiting = file_alone(store, "401", "production", now - Duration::hours(2)).await;
    act(
        store,
        staff,
        waiting,
        reply(AfterReply::WaitOnRequester),
        now - Duration::hours(1),
    )
    .await;
    file_alone(store, "429", "sandbox", now - Duration::hours(30)).await;
    file_alone(store, "404", "production", now - Duration::days(10)).await;
    // Settled tickets are not open, however old.
    let resolved = file_alone(store, "401", "production", now - Duration::days(5)).await;
    act(
        store,
        staff,
        resolved,
        reply(AfterReply::Resolve),
        now - Duration::days(4),
    )
    .await;
    let closed = file_alone(store, "401", "production", now - Duration::minutes(5)).await;
    act(store, staff, closed, set_status(TicketStatus::Closed), now).await;

    let open = csv(&browser, "/staff/insights/open.csv").await;
    assert_eq!(
        open,
        rows(&[
            &["Age", "Open tickets"],
            &["Under 1 hour", "1"],
            &["1–4 hours", "1"],
            &["4–24 hours", "0"],
            &["1–3 days", "1"],
            &["3–7 days", "0"],
            &["Over 7 days", "1"],
        ])
    );
    browser
        .get("/staff/insights")
        .await
        .assert_contains("<title id=\"open-chart-title\">Open tickets by age</title>")
        .assert_contains("<th scope=\"row\">Over 7 days</th><td class=\"num\">1</td>");
    server.shut_down().await;
}

#[tokio::test]
async fn the_busiest_problems_count_their_tickets_in_the_range() {
    let server = Server::start().await;
    let store = &server.store;
    let (browser, _) = signed_in(&server).await;
    let endpoint = |n: u32| format!("https://go.trackvia.com/openapi/views/{n}/records");
    // Acme: one just before the range, one in it (within a day: one problem).
    let acme_lead = file(
        store,
        "429",
        "production",
        &endpoint(1),
        "a@acme.example",
        datetime!(2026-03-03 23:50 UTC),
    )
    .await;
    file(
        store,
        "429",
        "production",
        &endpoint(2),
        "b@acme.example",
        datetime!(2026-03-04 00:10 UTC),
    )
    .await;
    // Globex: three in the range, the busiest.
    let globex_lead = file(
        store,
        "500",
        "production",
        &endpoint(3),
        "a@globex.example",
        datetime!(2026-03-05 10:00 UTC),
    )
    .await;
    for minute in [5, 10] {
        file(
            store,
            "500",
            "production",
            &endpoint(4),
            "b@globex.example",
            datetime!(2026-03-05 10:00 UTC) + Duration::minutes(minute),
        )
        .await;
    }
    // A ticket alone is no problem.
    file_alone(store, "404", "production", datetime!(2026-03-06 10:00 UTC)).await;

    let problems = csv(
        &browser,
        "/staff/insights/problems.csv?from=2026-03-04&to=2026-03-10",
    )
    .await;
    assert_eq!(
        problems,
        rows(&[
            &[
                "Lead ticket",
                "Error code",
                "Request",
                "Tickets in range",
                "Tickets in all",
                "Last seen (UTC)"
            ],
            &[
                &format!("APD-{globex_lead:06}"),
                "500 Internal Server Error",
                "GET https://go.trackvia.com/openapi/views/3/records",
                "3",
                "3",
                "2026-03-05 10:10"
            ],
            &[
                &format!("APD-{acme_lead:06}"),
                "429 Too Many Requests",
                "GET https://go.trackvia.com/openapi/views/1/records",
                "1",
                "2",
                "2026-03-04 00:10"
            ],
        ])
    );
    browser
        .get("/staff/insights?from=2026-03-04&to=2026-03-10")
        .await
        .assert_contains(&format!(
            "<th scope=\"row\"><a href=\"/staff/tickets/{globex_lead}\">APD-{globex_lead:06}</a></th>"
        ));
    server.shut_down().await;
}

#[tokio::test]
async fn the_range_is_read_from_presets_or_as_typed_and_refused_when_wrong() {
    let server = Server::start().await;
    let (browser, _) = signed_in(&server).await;
    let today = OffsetDateTime::now_utc().date();

    // The default is the last 30 days, and its preset link says so.
    let page = browser.get("/staff/insights").await;
    assert_eq!(page.status, 200);
    let from = today - Duration::days(29);
    page.assert_contains(&format!("name=\"from\" type=\"date\" value=\"{from}\""))
        .assert_contains(&format!("name=\"to\" type=\"date\" value=\"{today}\""))
        .assert_contains(&format!(
            "<a href=\"/staff/insights?from={from}&#38;to={today}\" aria-current=\"true\">Last 30 days</a>"
        ))
        .assert_contains(">Last 7 days</a>")
        .assert_contains(">Last week</a>");

    // Wrong: the end before the start; kept as typed, said beside the field.
    let wrong = browser
        .get("/staff/insights?from=2026-03-10&to=2026-03-01")
        .await;
    assert_eq!(wrong.status, 422);
    wrong
        .assert_contains("The end date is before the start date.")
        .assert_contains("value=\"2026-03-10\"")
        .assert_contains("aria-invalid=\"true\"")
        .assert_lacks("Deflection funnel");
    let typo = browser.get("/staff/insights?from=March&to=").await;
    assert_eq!(typo.status, 422);
    typo.assert_contains("Enter the start date as YYYY-MM-DD")
        .assert_contains("value=\"March\"");
    let long = browser
        .get("/staff/insights?from=2024-01-01&to=2026-01-01")
        .await;
    assert_eq!(long.status, 422);
    long.assert_contains("Choose at most 366 days; this range has 732.");
    // A CSV of a wrong range is the page saying why; of no such table, 404.
    assert_eq!(
        browser
            .get("/staff/insights/weekly.csv?from=2026-03-10&to=2026-03-01")
            .await
            .status,
        422
    );
    assert_eq!(browser.get("/staff/insights/secrets.csv").await.status, 404);
    assert_eq!(browser.get("/staff/insights/weekly").await.status, 404);
    server.shut_down().await;
}

#[tokio::test]
async fn insights_are_for_signed_in_staff_only_and_linked_for_every_member() {
    let server = Server::start().await;
    let visitor = server.browser();
    for path in ["/staff/insights", "/staff/insights/weekly.csv"] {
        let page = visitor.get(path).await;
        assert_eq!(page.status, 303, "{path}");
        assert!(
            page.location
                .as_deref()
                .unwrap()
                .starts_with("/staff/login"),
            "{path}"
        );
    }
    // An agent, not only an admin, reaches it from the staff menu.
    let (agent, _) = signed_in(&server).await;
    agent
        .get("/staff/queue")
        .await
        .assert_contains("<a href=\"/staff/insights\">Insights</a>");
    assert_eq!(agent.get("/staff/insights").await.status, 200);
    server.shut_down().await;
}
