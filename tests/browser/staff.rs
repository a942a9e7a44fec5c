//! The staff side in the browser (journey 3, and the staff half of journey
//! 5): a ticket filed through the public form is found in the queue,
//! answered and resolved, and the requester reads the answer; the same work
//! without JavaScript. The queue's bulk actions and CSV export are in
//! `staff/queue.rs`, signing out and back in in `staff/session.rs`.

mod queue;
mod session;
mod shortcuts;

use std::collections::BTreeMap;

use apidesk::domain::ErrorCode;
use apidesk::staff::Role;
use apidesk::store::Store;
use apidesk::tickets::{
    EventActor, EventKind, ResponseTargets, Ticket, TicketInput, TicketStatus, TimelineEvent,
};
use time::OffsetDateTime;

use crate::forms::{choose, chosen, field, fill, pick, set_date_time};
use crate::harness::{Browser, DESKTOP, Options, PHONE, Size};

const STAFF_EMAIL: &str = "sam@example.com";
const STAFF_NAME: &str = "Sam Support";

/// The staff answer, over two lines, as typed into the reply box.
const REPLY: &str = "Your API user's token was rotated on Monday, so the old one is refused.\n\
                     Create a new token under Account settings, API access, then run the sync again.";

/// What the requester types into the ticket form.
pub struct Report<'a> {
    pub code: ErrorCode,
    pub message: &'a str,
    pub name: &'a str,
    pub email: &'a str,
}

/// Opens the public ticket form and fills it in with `report`, as a
/// requester does, without sending it.
pub async fn fill_ticket_form(b: &Browser, report: &Report<'_>) {
    b.visit("/tickets/new").await;
    choose(b, "Error code", &report.code.label()).await;
    fill(b, "Full error message", report.message).await;
    fill(
        b,
        "API endpoint",
        "https://go.trackvia.com/openapi/views/12/records",
    )
    .await;
    pick(b, "HTTP method", "GET").await;
    set_date_time(b, "Date and time", "2026-01-15T09:30").await;
    choose(b, "Integration tool", "Workato").await;
    pick(b, "Environment", "Production").await;
    fill(b, "Your name (optional)", report.name).await;
    fill(b, "Email", report.email).await;
}

/// Files `report` through the public ticket form, as a requester does, and
/// returns the private link the filed page gives them (a path).
async fn file_through_form(b: &Browser, report: &Report<'_>) -> String {
    fill_ticket_form(b, report).await;
    b.follow_text("Send to support").await;
    assert!(
        b.text("main [role=status]")
            .await
            .contains("Your ticket is filed."),
        "not filed: {}",
        b.path().await
    );
    let link = b
        .find(".private-link a")
        .await
        .attr("href")
        .await
        .unwrap()
        .expect("the private link is a link");
    assert!(link.starts_with("/tickets/"), "{link}");
    link
}

/// Stores a new ticket directly (for tests whose subject is not filing),
/// each from an organisation of its own, so none are grouped into a problem.
pub async fn seed_ticket(store: &Store, code: &str, message: &str) -> Ticket {
    static ORGANISATIONS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let organisation = ORGANISATIONS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let now = OffsetDateTime::now_utc();
    let details = TicketInput {
        error_code: code.into(),
        message: message.into(),
        endpoint: "https://go.trackvia.com/openapi/views/12/records/7".into(),
        method: "GET".into(),
        occurred_at: "2026-01-15T09:30:00Z".into(),
        tool: "workato".into(),
        environment: "production".into(),
        name: "Dana Developer".into(),
        email: format!("dana@org{organisation}.example"),
        ..Default::default()
    }
    .validate(now)
    .expect("a valid ticket");
    let triage = details.triage(now, &ResponseTargets::default());
    let token = store
        .insert_ticket(&details, &triage, now)
        .await
        .unwrap()
        .token();
    store.ticket_by_token(token).await.unwrap().unwrap()
}

/// The signed-in staff member's id, as stored.
pub async fn staff_id(store: &Store, email: &str) -> i64 {
    store
        .staff_credentials(email)
        .await
        .unwrap()
        .expect("the staff member exists")
        .0
        .id
}

/// The queue table's rows, each cell under its column heading.
pub async fn queue_rows(b: &Browser) -> Vec<BTreeMap<String, String>> {
    let rows = b
        .script(
            "const table = document.querySelector('table.queue'); \
             if (!table) { return []; } \
             const heads = Array.from(table.tHead.rows[0].cells, c => c.textContent.trim()); \
             return Array.from(table.tBodies[0].rows, r => \
               Object.fromEntries(heads.map((h, i) => [h, r.cells[i].textContent.trim()])));",
        )
        .await;
    serde_json::from_value(rows).unwrap()
}

/// The references the queue shows, sorted.
pub async fn queue_references(b: &Browser) -> Vec<String> {
    let mut refs: Vec<String> = queue_rows(b)
        .await
        .into_iter()
        .map(|row| row["Ticket"].clone())
        .collect();
    refs.sort();
    refs
}

/// `text` with each run of white space made one space, as a person reads
/// it whatever the layout breaks.
pub fn words(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The confirmation the page shows after an action.
async fn flash(b: &Browser) -> String {
    b.text("main .notice-success").await
}

/// Public replies in the ticket's timeline, as stored.
fn replies(timeline: &[TimelineEvent]) -> Vec<&TimelineEvent> {
    timeline
        .iter()
        .filter(|e| matches!(e.kind, EventKind::Reply { .. }))
        .collect()
}

/// On the staff ticket page: assign to me, then reply and move to
/// `status` in one submit of the composer, whose button reads `label`.
async fn assign_reply_and_move(b: &Browser, status: &str, label: &str) {
    b.follow_text("Assign to me").await;
    assert_eq!(flash(b).await, "Assignment saved.");
    assert!(
        b.text(".ticket-facts").await.contains(STAFF_NAME),
        "the assignee is shown"
    );

    fill(b, "Message", REPLY).await;
    choose(b, "Status", status).await;
    assert_eq!(b.text("#composer-send").await, label);
    b.follow("#composer-send").await;
    assert_eq!(
        flash(b).await,
        "Reply sent: the requester sees it on their status page."
    );
    assert!(
        b.text("#timeline").await.contains(REPLY),
        "reply in timeline"
    );
    let facts = words(&b.text(".ticket-facts").await);
    assert!(facts.contains(&format!("Status {status}")), "{facts}");
}

/// What the requester's status page says: the status heading, and the body
/// of each staff reply.
async fn requester_sees(b: &Browser, status_path: &str) -> (String, Vec<String>) {
    b.visit(status_path).await;
    let heading = words(&b.text("#status-heading").await);
    let bodies = b
        .client
        .find_all(fantoccini::Locator::Css(
            "#updates .update-staff .update-body",
        ))
        .await
        .unwrap();
    let mut texts = Vec::new();
    for body in bodies {
        texts.push(body.text().await.unwrap());
    }
    (heading, texts)
}

/// Journey 3 at `size`: two reports filed through the form, and one that
/// shares the code of the first; staff narrow the queue to the first by
/// code and a word from its message, answer and resolve it; the requester's
/// page shows the reply and the status, whoever else the browser is signed
/// in as.
async fn filed_ticket_is_found_answered_and_resolved(size: Size) {
    let Some(b) = Browser::start(size).await else {
        return;
    };
    let wanted = file_through_form(
        &b,
        &Report {
            code: ErrorCode::Unauthorized,
            message: "HTTP GET failed: unauthorized (401) while syncing Orders",
            name: "Dana Developer",
            email: "dana@example.com",
        },
    )
    .await;
    let same_code = file_through_form(
        &b,
        &Report {
            code: ErrorCode::Unauthorized,
            message: "HTTP GET failed: unauthorized (401) while syncing Invoices",
            name: "Lee Integrator",
            // Another organisation: the same failure from the same one would
            // be folded into one problem with Dana's.
            email: "lee@integrators.example",
        },
    )
    .await;
    let other_code = file_through_form(
        &b,
        &Report {
            code: ErrorCode::TooManyRequests,
            message: "HTTP GET failed: too many requests (429) while syncing Orders",
            name: "Kim Builder",
            email: "kim@builders.example",
        },
    )
    .await;
    let store = b.app.store.clone();
    let token = |path: &str| uuid::Uuid::parse_str(&path["/tickets/".len()..]).unwrap();
    let mut filed = Vec::new();
    for path in [&wanted, &same_code, &other_code] {
        let ticket = store.ticket_by_token(token(path)).await.unwrap().unwrap();
        filed.push(ticket);
    }
    let [ticket, same_code_ticket, other_code_ticket] = &filed[..] else {
        unreachable!()
    };
    assert_eq!(
        ticket.details.message,
        "HTTP GET failed: unauthorized (401) while syncing Orders"
    );
    assert_eq!(ticket.status, TicketStatus::New);

    b.sign_in_staff(STAFF_EMAIL, STAFF_NAME, Role::Agent).await;
    assert_eq!(b.path().await, "/staff/queue");
    assert_eq!(b.text("h1").await, "Needs a human", "the view it opens on");
    let mut all: Vec<String> = filed.iter().map(Ticket::reference).collect();
    all.sort();
    assert_eq!(queue_references(&b).await, all, "every new ticket");
    b.assert_no_horizontal_scroll().await;

    choose(&b, "Code", &ErrorCode::Unauthorized.label()).await;
    b.follow_text("Apply").await;
    assert_eq!(chosen(&b, "Code").await, ErrorCode::Unauthorized.label());
    let mut by_code = vec![ticket.reference(), same_code_ticket.reference()];
    by_code.sort();
    assert_eq!(queue_references(&b).await, by_code, "only the 401s");

    fill(&b, "Search", "Orders").await;
    b.follow_text("Apply").await;
    assert_eq!(
        queue_references(&b).await,
        vec![ticket.reference()],
        "only the 401 about Orders (not {})",
        other_code_ticket.reference()
    );
    assert_eq!(
        field(&b, "Search").await.prop("value").await.unwrap(),
        Some("Orders".into()),
        "the search is kept"
    );

    b.follow_text(&ticket.reference()).await;
    // Opened from the view, which the page carries on.
    assert_eq!(
        b.path().await,
        format!(
            "/staff/tickets/{}?view=%2Fstaff%2Fqueue%3Fcode%3D401%26q%3DOrders%26sort%3Durgency",
            ticket.id
        )
    );
    assert_eq!(
        words(&b.text(".ticket-head .eyebrow").await).to_lowercase(),
        format!("ticket {}", ticket.reference()).to_lowercase(),
        "the eyebrow is shown in capitals"
    );
    assert!(b.text("main").await.contains(&ticket.details.message));
    b.assert_no_horizontal_scroll().await;
    assign_reply_and_move(&b, "Resolved", "Send and resolve").await;

    // Resolved, it leaves the default view ("needs a human"), and the
    // status filter finds it alone.
    b.follow_text("Queue").await;
    let mut waiting = vec![same_code_ticket.reference(), other_code_ticket.reference()];
    waiting.sort();
    assert_eq!(queue_references(&b).await, waiting);
    choose(&b, "Status", "Resolved").await;
    b.follow_text("Apply").await;
    assert_eq!(queue_references(&b).await, vec![ticket.reference()]);

    let stored = store.ticket_by_id(ticket.id).await.unwrap().unwrap();
    assert_eq!(stored.status, TicketStatus::Resolved);
    assert_eq!(
        stored.assignee_id,
        Some(staff_id(&store, STAFF_EMAIL).await)
    );
    assert!(
        stored.first_response_at.is_some(),
        "the reply was a response"
    );
    let timeline = store.ticket_timeline(ticket.id).await.unwrap();
    let sent = replies(&timeline);
    assert_eq!(sent.len(), 1, "{timeline:?}");
    assert_eq!(sent[0].body, REPLY);
    assert!(sent[0].public);
    assert!(matches!(&sent[0].actor, EventActor::Staff { name, .. } if name == STAFF_NAME));
    for untouched in [same_code_ticket, other_code_ticket] {
        let now = store.ticket_by_id(untouched.id).await.unwrap().unwrap();
        assert_eq!((now.status, now.assignee_id), (TicketStatus::New, None));
    }

    // Still signed in as staff: the requester's link shows the same page.
    let (heading, bodies) = requester_sees(&b, &wanted).await;
    assert_eq!(heading, "Status: Resolved");
    assert_eq!(bodies, vec![REPLY.to_string()]);
    assert!(
        b.text("#updates")
            .await
            .contains(&format!("{STAFF_NAME} replied:"))
    );
    b.client.delete_all_cookies().await.unwrap();
    assert_eq!(
        requester_sees(&b, &wanted).await,
        (heading, bodies),
        "without any cookie"
    );
    let (heading, bodies) = requester_sees(&b, &same_code).await;
    assert_eq!((heading.as_str(), bodies.len()), ("Status: New", 0));
    b.finish().await;
}

/// Journey 3 on a desktop screen.
#[tokio::test]
#[ignore = "browser test: cargo test --test browser -- --ignored"]
async fn staff_find_answer_and_resolve_a_filed_ticket_on_a_desktop() {
    filed_ticket_is_found_answered_and_resolved(DESKTOP).await;
}

/// Journey 3 on a phone.
#[tokio::test]
#[ignore = "browser test: cargo test --test browser -- --ignored"]
async fn staff_find_answer_and_resolve_a_filed_ticket_on_a_phone() {
    filed_ticket_is_found_answered_and_resolved(PHONE).await;
}

/// The staff half of journey 5: with JavaScript off, signing in, assigning,
/// replying and changing the status are plain forms that all work, and the
/// requester's page shows the reply.
#[tokio::test]
#[ignore = "browser test: cargo test --test browser -- --ignored"]
async fn staff_answer_a_ticket_without_javascript() {
    let Some(b) = Browser::start_with(Options::at(DESKTOP).without_javascript()).await else {
        return;
    };
    // app.js marks the tool list as controlling the "which one?" field:
    // without that mark, the page's own scripts did not run.
    b.visit("/tickets/new").await;
    let tool = field(&b, "Integration tool").await;
    assert_eq!(
        tool.attr("aria-controls").await.unwrap(),
        None,
        "JavaScript is off"
    );
    let ticket = seed_ticket(&b.app.store, "403", "HTTP GET failed: forbidden (403)").await;
    b.sign_in_staff(STAFF_EMAIL, STAFF_NAME, Role::Agent).await;
    assert_eq!(b.path().await, "/staff/queue");
    b.follow_text(&ticket.reference()).await;
    assert_eq!(
        b.path().await,
        format!("/staff/tickets/{}?view=%2Fstaff%2Fqueue", ticket.id)
    );
    // Without the script the button does not follow the choices.
    assign_reply_and_move(&b, "Waiting on requester", "Send").await;

    let stored = b.app.store.ticket_by_id(ticket.id).await.unwrap().unwrap();
    assert_eq!(stored.status, TicketStatus::Waiting);
    assert_eq!(
        stored.assignee_id,
        Some(staff_id(&b.app.store, STAFF_EMAIL).await)
    );
    let timeline = b.app.store.ticket_timeline(ticket.id).await.unwrap();
    assert_eq!(
        replies(&timeline)
            .iter()
            .map(|e| e.body.as_str())
            .collect::<Vec<_>>(),
        vec![REPLY]
    );

    let (heading, bodies) = requester_sees(&b, &format!("/tickets/{}", ticket.token)).await;
    assert_eq!(heading, "Status: Waiting on you");
    assert_eq!(bodies, vec![REPLY.to_string()]);
    b.finish().await;
}
