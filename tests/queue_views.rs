//! The queue as a workspace: exact counts for every kind of view, while
//! tickets arrive; saved views shared by the team with per-person defaults;
//! bulk edits undone while what they would send still waits.

mod common;
#[path = "common/queue.rs"]
mod queue_helpers;
#[path = "common/server.rs"]
mod server;

use apidesk::config::Config;
use apidesk::staff::Role;
use apidesk::tickets::bulk::{UNDO_WINDOW, Undo};
use apidesk::tickets::workflow::Actor;
use apidesk::tickets::{MailKind, MailState, ResponseTargets, TicketStatus};
use queue_helpers::{Spec, file, file_from, next_link, range, references, signed_in, spec};
use server::{Browser, PASSWORD, Server};
use time::{Duration, OffsetDateTime};

/// Every reference the view lists, page after page.
async fn whole_view(browser: &Browser, url: &str) -> Vec<String> {
    let mut url = url.to_string();
    let mut seen = Vec::new();
    loop {
        let page = browser.get(&url).await;
        seen.extend(references(&page.body));
        match next_link(&page.body) {
            Some(next) => url = next,
            None => return seen,
        }
    }
}

/// The total the first page of a view gives, checked against what paging
/// through the whole view lists.
async fn assert_count(browser: &Browser, url: &str) -> usize {
    let listed = whole_view(browser, url).await.len();
    let said = range(&browser.get(url).await.body);
    let expected = match listed {
        0 => "No tickets".to_string(),
        n => format!("1–{} of {n}", n.min(50)),
    };
    assert_eq!(said, expected, "{url}");
    listed
}

#[tokio::test]
async fn every_view_says_exactly_how_many_tickets_it_holds_while_tickets_arrive() {
    let server = Server::start().await;
    let store = &server.store;
    for (code, environment, message) in [
        ("401", "production", "token expired on nightly sync"),
        ("401", "sandbox", "token expired in sandbox"),
        ("401", "production", "unauthorized"),
        ("429", "production", "too many requests in the nightly sync"),
        ("429", "sandbox", "rate limited"),
        ("500", "production", "server error"),
        ("500", "unsure", "internal error on nightly export"),
    ] {
        file(
            store,
            Spec {
                environment,
                ..spec(code, message, 1)
            },
        )
        .await;
    }
    // Three alike from one organisation: one problem, one row.
    for _ in 0..3 {
        file_from(
            store,
            spec("404", "record not found", 1),
            "ops@grouped.example",
        )
        .await;
    }
    let browser = signed_in(&server).await;
    let today = OffsetDateTime::now_utc().date();
    let views = [
        "/staff/queue?status=new,open".to_string(),
        "/staff/queue?code=401".into(),
        "/staff/queue?code=401&environment=sandbox".into(),
        "/staff/queue?status=all&code=500".into(),
        "/staff/queue?assignee=none&tool=workato".into(),
        "/staff/queue?q=nightly".into(),
        "/staff/queue?q=nightly+sync&code=429".into(),
        format!("/staff/queue?from={today}&to={today}"),
        format!("/staff/queue?from={today}&code=500"),
        "/staff/queue?to=2020-01-01".into(),
        "/staff/queue?status=resolved".into(),
    ];
    let first: Vec<usize> = {
        let mut counts = Vec::new();
        for url in &views {
            counts.push(assert_count(&browser, url).await);
        }
        counts
    };
    assert_eq!(first[0], 8, "ten tickets, three of them one problem's row");
    assert_eq!(&first[1..4], [3, 1, 2]);
    assert_eq!(first[5], 3, "searches count every match");
    assert_eq!(first[6], 1);
    assert_eq!(first[7], 8);
    assert_eq!(first[8], 2);
    assert_eq!((first[9], first[10]), (0, 0));

    // Tickets arrive and move: every count follows.
    file(store, spec("500", "nightly export failed again", 0)).await;
    let res = browser
        .post(
            "/staff/queue",
            "/staff/queue/bulk",
            &[
                ("ids", "1"),
                ("ids", "2"),
                ("status_to", "resolved"),
                ("back", "/staff/queue"),
            ],
        )
        .await;
    assert_eq!(res.status, 303);
    let mut after = Vec::new();
    for url in &views {
        after.push(assert_count(&browser, url).await);
    }
    assert_eq!(after[0], 7);
    assert_eq!(after[1], 1);
    assert_eq!(after[3], 3);
    assert_eq!(
        after[5], 3,
        "a search counts resolved tickets only if asked"
    );
    assert_eq!(after[7], 7);
    assert_eq!(after[10], 2);

    // The sidebar counts its views the same way.
    let page = browser.get("/staff/queue").await;
    page.assert_contains("Needs a human</span> <span class=\"count\">7</span>")
        .assert_contains("Unassigned</span> <span class=\"count\">7</span>");
    server.shut_down().await;
}

#[tokio::test]
async fn pages_past_the_first_say_where_they_are() {
    let server = Server::start().await;
    for i in 0..60 {
        file(&server.store, spec("403", "forbidden", 100 - i)).await;
    }
    let browser = signed_in(&server).await;
    let first = browser.get("/staff/queue?status=all&sort=age").await;
    assert_eq!(range(&first.body), "1–50 of 60");
    let second = browser.get(&next_link(&first.body).unwrap()).await;
    assert_eq!(range(&second.body), "51–60 of 60");
    assert_eq!(references(&second.body).len(), 10);
    // A page link with a made-up place is read without it.
    let odd = browser
        .get(&next_link(&first.body).unwrap().replace("at=51", "at=-4"))
        .await;
    assert_eq!(range(&odd.body), "60 in this view");
    server.shut_down().await;
}

#[tokio::test]
async fn search_words_are_marked_in_the_rows() {
    let server = Server::start().await;
    file(
        &server.store,
        spec("500", "Nightly <export> failed: NIGHTLY job", 1),
    )
    .await;
    let browser = signed_in(&server).await;
    let page = browser.get("/staff/queue?q=nightly").await;
    page.assert_contains("<mark>Nightly</mark> &#60;export&#62; failed: <mark>NIGHTLY</mark> job");
    server.shut_down().await;
}

/// A second person in the same team, signed in on their own browser.
async fn colleague(server: &Server, email: &str, name: &str, role: Role) -> Browser {
    server.add_staff(email, name, role).await;
    let browser = server.browser();
    assert_eq!(browser.sign_in(email, PASSWORD).await.status, 303);
    browser
}

#[tokio::test]
async fn saved_views_are_shared_named_and_open_by_default() {
    let server = Server::start().await;
    let store = &server.store;
    file(store, spec("429", "too many requests", 1)).await;
    file(store, spec("429", "rate limited", 1)).await;
    file(store, spec("401", "unauthorized", 1)).await;
    let ana = signed_in(&server).await;
    let ben = colleague(&server, "ben@example.com", "Ben Agent", Role::Agent).await;

    // Saved from the queue, under a name, by one agent...
    let res = ana
        .post(
            "/staff/queue?code=429",
            "/staff/views",
            &[
                ("name", "  Rate   limits "),
                ("query", "code=429&after=junk"),
            ],
        )
        .await;
    assert_eq!(res.status, 303);
    assert_eq!(res.location.as_deref(), Some("/staff/queue?code=429"));
    // ...seen, with its count, by the other.
    let page = ben.get("/staff/queue").await;
    page.assert_contains("Rate limits</span> <span class=\"count\">2</span>");
    let view = ben.get("/staff/queue?code=429").await;
    view.assert_contains("<title>Rate limits · apidesk</title>")
        .assert_contains("aria-current=\"page\"><span class=\"view-name\">Rate limits");

    // A name in use (whatever its case), or none: the queue comes back with
    // the name kept and the reason beside it.
    let taken = ben
        .post(
            "/staff/queue?code=401",
            "/staff/views",
            &[("name", "RATE LIMITS"), ("query", "code=401")],
        )
        .await;
    assert_eq!(taken.status, 422);
    taken
        .assert_contains("A view is already called “RATE LIMITS”")
        .assert_contains("value=\"RATE LIMITS\"")
        .assert_contains("aria-invalid=\"true\"");
    assert_eq!(
        references(&taken.body),
        ["APD-000003"],
        "still the view it was saved from"
    );
    let empty = ben
        .post(
            "/staff/queue",
            "/staff/views",
            &[("name", " "), ("query", "")],
        )
        .await;
    assert_eq!(empty.status, 422);
    empty.assert_contains("Give the view a name");

    // Ben opens his queue on it; Ana's still opens on "Needs a human".
    let views = ben.get("/staff/views").await;
    views
        .assert_contains("Rate limits")
        .assert_contains("Ana Agent");
    let rate_limits = store
        .saved_views()
        .await
        .unwrap()
        .into_iter()
        .find(|v| v.name == "Rate limits")
        .unwrap();
    let res = ben
        .post(
            "/staff/views",
            &format!("/staff/views/{}/default", rate_limits.id),
            &[],
        )
        .await;
    assert_eq!(res.location.as_deref(), Some("/staff/views?done=default"));
    let bens = ben.get("/staff/queue").await;
    assert_eq!(references(&bens.body), ["APD-000001", "APD-000002"]);
    bens.assert_contains("<title>Rate limits · apidesk</title>");
    let anas = ana.get("/staff/queue").await;
    assert_eq!(references(&anas.body).len(), 3);

    // Only its author (or an admin) deletes a view; the views apidesk
    // starts with are the admins'.
    let refused = ben
        .post(
            "/staff/views",
            &format!("/staff/views/{}/delete", rate_limits.id),
            &[],
        )
        .await;
    assert_eq!(refused.status, 403);
    let builtin = store.saved_views().await.unwrap()[0].clone();
    assert_eq!(builtin.name, "Needs a human");
    let refused = ana
        .post(
            "/staff/views",
            &format!("/staff/views/{}/delete", builtin.id),
            &[],
        )
        .await;
    assert_eq!(refused.status, 403);
    let res = ana
        .post(
            "/staff/views",
            &format!("/staff/views/{}/delete", rate_limits.id),
            &[],
        )
        .await;
    assert_eq!(res.location.as_deref(), Some("/staff/views?done=deleted"));
    // Ben's default went with it.
    let bens = ben.get("/staff/queue").await;
    assert_eq!(references(&bens.body).len(), 3);
    let admin = colleague(&server, "ada@example.com", "Ada Admin", Role::Admin).await;
    let res = admin
        .post(
            "/staff/views",
            &format!("/staff/views/{}/delete", builtin.id),
            &[],
        )
        .await;
    assert_eq!(res.status, 303);
    server.shut_down().await;
}

fn with_mail(config: &mut Config) {
    config.public_url = Some("https://help.example.com".into());
    config.mail.smtp_url = Some("smtp://127.0.0.1:1".into());
    config.mail.mail_from = Some("apidesk <support@example.com>".into());
}

#[tokio::test]
async fn a_bulk_edit_is_undone_within_its_window_and_nothing_is_sent() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = common::test_config(&dir);
    with_mail(&mut config);
    let server = Server::start_with(config).await;
    let store = &server.store;
    let first = file(store, spec("500", "server error", 2)).await;
    let second = file(store, spec("500", "server error again", 2)).await;
    let filed_priority = store.ticket_by_id(first).await.unwrap().unwrap().priority;
    let ana = signed_in(&server).await;
    let back = "/staff/queue?status=all&code=500";
    let res = ana
        .post(
            back,
            "/staff/queue/bulk",
            &[
                ("ids", &first.to_string()),
                ("ids", &second.to_string()),
                ("status_to", "waiting"),
                ("priority_to", "urgent"),
                ("back", back),
            ],
        )
        .await;
    let location = res.location.clone().unwrap();
    let page = ana.get(&location).await;
    page.assert_contains("id=\"bulk-undo\"")
        .assert_contains("You can undo for 30 seconds")
        .assert_contains("Status set to Waiting on requester");
    // The requester's "waiting" mail waits out the window.
    let now = OffsetDateTime::now_utc();
    let waiting = |mail: &[apidesk::tickets::MailRecord]| {
        mail.iter()
            .find(|m| m.kind == MailKind::Waiting)
            .cloned()
            .expect("a waiting mail")
    };
    let held = waiting(&store.ticket_mail(first).await.unwrap());
    assert_eq!(held.state, MailState::Pending);
    assert!(held.next_attempt_at.unwrap() >= now + UNDO_WINDOW - Duration::seconds(5));
    assert!(
        store
            .due_mail(now, 100)
            .await
            .unwrap()
            .iter()
            .all(|m| m.id != held.id)
    );

    // Someone else moves the second ticket meanwhile: theirs stands.
    let ben = colleague(&server, "ben@example.com", "Ben Agent", Role::Agent).await;
    let res = ben
        .post(
            back,
            "/staff/queue/bulk",
            &[
                ("ids", &second.to_string()),
                ("status_to", "open"),
                ("back", back),
            ],
        )
        .await;
    assert_eq!(res.status, 303);

    // Another person cannot undo Ana's edit.
    let undo_url = format!(
        "/staff/queue/bulk/{}/undo",
        location.rsplit_once("bulk=").unwrap().1
    );
    assert_eq!(
        ben.post(&location, &undo_url, &[("back", back)])
            .await
            .status,
        404
    );
    let res = ana.post(&location, &undo_url, &[("back", back)]).await;
    assert_eq!(res.location.as_deref(), Some(location.as_str()));
    let page = ana.get(&location).await;
    page.assert_contains(&format!(
        "Undone: APD-{first:06}, APD-{second:06} put back as they were. Nothing was sent about the edit."
    ))
    .assert_lacks("id=\"bulk-undo\"");

    let one = store.ticket_by_id(first).await.unwrap().unwrap();
    assert_eq!(
        one.status,
        TicketStatus::New,
        "back to new, as before the edit"
    );
    assert_eq!(one.priority, filed_priority);
    let two = store.ticket_by_id(second).await.unwrap().unwrap();
    assert_eq!(two.status, TicketStatus::Open, "Ben's change stands");
    assert_eq!(
        two.priority, filed_priority,
        "the priority nobody touched since goes back"
    );
    let dropped = waiting(&store.ticket_mail(first).await.unwrap());
    assert_eq!(dropped.state, MailState::NotSent);
    assert!(dropped.reason.contains("undone"), "{}", dropped.reason);

    // Undoing twice does nothing more.
    let again = ana.post(&location, &undo_url, &[("back", back)]).await;
    assert_eq!(again.status, 303);
    server.shut_down().await;
}

#[tokio::test]
async fn past_its_window_an_edit_stands_and_its_mail_goes() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = common::test_config(&dir);
    with_mail(&mut config);
    let server = Server::start_with(config).await;
    let store = &server.store;
    let ticket = file(store, spec("404", "not found", 2)).await;
    let me = signed_in(&server).await;
    let back = "/staff/queue?status=all";
    let res = me
        .post(
            back,
            "/staff/queue/bulk",
            &[
                ("ids", &ticket.to_string()),
                ("status_to", "waiting"),
                ("back", back),
            ],
        )
        .await;
    let id: i64 = res
        .location
        .unwrap()
        .rsplit_once("bulk=")
        .unwrap()
        .1
        .parse()
        .unwrap();
    let edit = store.bulk_edit(id, 1).await.unwrap().unwrap();
    let later = edit.undo_until + Duration::seconds(1);
    assert!(!edit.undoable(later));
    let staff = Actor::Staff {
        id: 1,
        role: Role::Agent,
    };
    let outcome = store
        .undo_bulk(id, staff, 1, &ResponseTargets::default(), later)
        .await
        .unwrap();
    assert_eq!(outcome, Undo::TooLate);
    let ticket = store.ticket_by_id(ticket).await.unwrap().unwrap();
    assert_eq!(ticket.status, TicketStatus::Waiting);
    let due = store.due_mail(later, 100).await.unwrap();
    assert!(
        due.iter().any(|m| m.kind == MailKind::Waiting),
        "the mail is due once the window has passed"
    );
    server.shut_down().await;
}

#[tokio::test]
async fn a_resolve_undone_never_reaches_a_webhook() {
    use apidesk::webhooks::{Format, NewEndpoint, Secret, WebhookEvent};
    let server = Server::start().await;
    let store = &server.store;
    let ticket = file(store, spec("429", "too many requests", 1)).await;
    let me = signed_in(&server).await;
    let endpoint = NewEndpoint {
        url: "https://hooks.example.com/apidesk".into(),
        format: Format::Json,
        events: vec![WebhookEvent::TicketResolved],
        problem_threshold: None,
        secret: Secret::generate(),
    };
    store
        .add_webhook_endpoint(&endpoint, 1, OffsetDateTime::now_utc())
        .await
        .unwrap();
    let back = "/staff/queue?status=all";
    let res = me
        .post(
            back,
            "/staff/queue/bulk",
            &[
                ("ids", &ticket.to_string()),
                ("status_to", "resolved"),
                ("back", back),
            ],
        )
        .await;
    let location = res.location.unwrap();
    let now = OffsetDateTime::now_utc();
    let resolved_due = |due: Vec<apidesk::webhooks::DueDelivery>| {
        due.iter()
            .filter(|d| d.delivery.event == WebhookEvent::TicketResolved)
            .count()
    };
    assert_eq!(
        resolved_due(store.due_webhook_deliveries(now, 100, 100).await.unwrap()),
        0,
        "held"
    );
    let after_window = now + UNDO_WINDOW + Duration::seconds(1);
    assert_eq!(
        resolved_due(
            store
                .due_webhook_deliveries(after_window, 100, 100)
                .await
                .unwrap()
        ),
        1,
        "sent once the window has passed"
    );
    let undo = format!(
        "/staff/queue/bulk/{}/undo",
        location.rsplit_once("bulk=").unwrap().1
    );
    assert_eq!(
        me.post(&location, &undo, &[("back", back)]).await.status,
        303
    );
    assert_eq!(
        resolved_due(
            store
                .due_webhook_deliveries(after_window, 100, 100)
                .await
                .unwrap()
        ),
        0,
        "an undone edit is never told"
    );
    let ticket = store.ticket_by_id(ticket).await.unwrap().unwrap();
    assert_eq!(ticket.status, TicketStatus::New);
    server.shut_down().await;
}

#[tokio::test]
async fn undoing_a_resolved_problem_folds_its_members_back_under_it() {
    let server = Server::start().await;
    let store = &server.store;
    for _ in 0..3 {
        file_from(
            store,
            spec("429", "too many requests", 1),
            "ops@storm.example",
        )
        .await;
    }
    let me = signed_in(&server).await;
    let before = me.get("/staff/queue").await;
    assert_eq!(
        references(&before.body),
        ["APD-000001"],
        "one row for the problem"
    );
    let back = "/staff/queue";
    let res = me
        .post(
            back,
            "/staff/queue/bulk",
            &[("ids", "1"), ("status_to", "resolved"), ("back", back)],
        )
        .await;
    let location = res.location.unwrap();
    me.get(&location)
        .await
        .assert_contains("Status set to Resolved: APD-000001, APD-000002, APD-000003.");
    let undo = format!(
        "/staff/queue/bulk/{}/undo",
        location.rsplit_once("bulk=").unwrap().1
    );
    me.post(&location, &undo, &[("back", back)]).await;
    let after = me.get("/staff/queue").await;
    assert_eq!(
        references(&after.body),
        ["APD-000001"],
        "the members are folded again"
    );
    after.assert_contains("3 tickets</strong>");
    assert_eq!(range(&after.body), "1–1 of 1");
    server.shut_down().await;
}

#[tokio::test]
async fn a_count_is_finished_on_request_within_the_query_budget() {
    let server = Server::start().await;
    let store = &server.store;
    for n in 0..4 {
        let message = if n % 2 == 0 {
            "nightly export failed"
        } else {
            "unauthorized"
        };
        file(store, spec("500", message, 1)).await;
    }
    let me = signed_in(&server).await;
    // Just the count, for staff.js to put in place of one cut short.
    let counted = me.get("/staff/queue/count?q=nightly&status=all").await;
    assert_eq!(counted.status, 200);
    assert_eq!(counted.body, "2");
    assert_eq!(me.get("/staff/queue/count?code=500").await.body, "4");
    assert_eq!(me.get("/staff/queue/count?code=401").await.body, "0");
    // The page asked to count everything says the exact count, and offers
    // no more counting.
    let page = me.get("/staff/queue?q=nightly&status=all&count=all").await;
    assert_eq!(range(&page.body), "1–2 of 2");
    page.assert_lacks("Count them all");
    // Staff only, like every other staff route.
    let stranger = server.browser();
    assert_eq!(
        stranger.get("/staff/queue/count?code=500").await.status,
        303
    );
    server.shut_down().await;
}
