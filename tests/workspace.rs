//! The ticket page as a workspace: the one-submit composer and its
//! refusals, the next ticket in the view, canned replies (shared macros and
//! the ones built from the troubleshooting steps), the requester's other
//! tickets, and the notices about colleagues on the same ticket.

mod common;
#[path = "common/staff.rs"]
mod staff_helpers;

use apidesk::staff::Role;
use apidesk::tickets::workflow::{Actor, AfterReply, Command, Request};
use apidesk::tickets::{EventBody, Priority, Ticket, TicketStatus};
use axum::http::StatusCode;
use common::{TestApp, TestResponse, escape, hidden_value, is_checked, selected, textarea_value};
use staff_helpers::{
    add_staff, event_kinds, file_ticket, file_ticket_with, reload, sign_in, signed_in_agent,
    staff_url, status_url,
};
use time::OffsetDateTime;

/// Submits the composer as a browser would: the page is loaded first, its
/// hidden fields and current choices sent back, with `changes` on top.
async fn compose(app: &mut TestApp, page_url: &str, changes: &[(&str, &str)]) -> TestResponse {
    let page = app.get(page_url).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let fields = form_of(&page);
    submit(app, page_url, fields, changes).await
}

/// The composer's fields as the page holds them.
fn form_of(page: &TestResponse) -> Vec<(String, String)> {
    let mut fields = Vec::new();
    for name in ["seen", "was_status", "was_priority", "was_assignee", "view"] {
        if let Some(value) = hidden_value(&page.body, name) {
            fields.push((name.to_string(), value));
        }
    }
    for name in ["status", "priority", "assignee"] {
        let value = selected(&page.body, name).expect("a choice is made");
        fields.push((name.to_string(), value));
    }
    let kind = if is_checked(&page.body, "kind", "note") {
        "note"
    } else {
        "reply"
    };
    fields.push(("kind".into(), kind.into()));
    fields.push((
        "text".into(),
        textarea_value(&page.body, "text").unwrap_or_default(),
    ));
    fields
}

async fn submit(
    app: &mut TestApp,
    page_url: &str,
    mut fields: Vec<(String, String)>,
    changes: &[(&str, &str)],
) -> TestResponse {
    for (name, value) in changes {
        match fields.iter_mut().find(|(k, _)| k == name) {
            Some(field) => field.1 = value.to_string(),
            None => fields.push((name.to_string(), value.to_string())),
        }
    }
    let id = page_url
        .trim_start_matches("/staff/tickets/")
        .split('?')
        .next()
        .unwrap();
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    app.post_form(&format!("/staff/tickets/{id}/compose"), &pairs)
        .await
}

/// A ticket from an organisation of its own (never grouped with others).
async fn lone_ticket(app: &mut TestApp, n: usize) -> Ticket {
    let email = format!("dev{n}@org{n}.example");
    file_ticket_with(app, &[("email", &email)]).await
}

#[tokio::test]
async fn a_reply_that_sets_waiting_is_one_submit() {
    let mut app = TestApp::spawn().await;
    signed_in_agent(&mut app, "ana@example.com", "Ana Agent").await;
    let ticket = file_ticket(&mut app).await;
    let url = staff_url(&ticket);

    let res = compose(
        &mut app,
        &url,
        &[("text", "Which recipe is it?"), ("status", "waiting")],
    )
    .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    assert_eq!(res.location(), format!("{url}?done=reply"));
    let after = reload(&app, ticket.id).await;
    assert_eq!(after.status, TicketStatus::Waiting);
    assert!(after.first_response_at.is_some());
    assert_eq!(event_kinds(&app, ticket.id).await, ["created", "reply"]);
    app.get(&status_url(&ticket))
        .await
        .assert_contains("Which recipe is it?")
        .assert_contains("Support is waiting for more information from you.");
}

#[tokio::test]
async fn a_note_that_resolves_stays_internal() {
    let mut app = TestApp::spawn().await;
    signed_in_agent(&mut app, "ana@example.com", "Ana").await;
    let ticket = file_ticket(&mut app).await;
    let url = staff_url(&ticket);

    let note = "Known issue on their side; fixed by their admin.";
    let res = compose(
        &mut app,
        &url,
        &[("kind", "note"), ("text", note), ("status", "resolved")],
    )
    .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    assert_eq!(res.location(), format!("{url}?done=note"));
    assert_eq!(reload(&app, ticket.id).await.status, TicketStatus::Resolved);
    assert_eq!(
        event_kinds(&app, ticket.id).await,
        ["created", "status", "note"]
    );
    app.get(&status_url(&ticket)).await.assert_lacks(note);
}

#[tokio::test]
async fn fields_alone_assign_or_set_the_priority() {
    let mut app = TestApp::spawn().await;
    let me = signed_in_agent(&mut app, "ana@example.com", "Ana").await;
    let ticket = file_ticket(&mut app).await;
    let url = staff_url(&ticket);

    // Assigning a new ticket opens it.
    let res = compose(&mut app, &url, &[("assignee", &me.to_string())]).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    assert_eq!(res.location(), format!("{url}?done=updated"));
    let after = reload(&app, ticket.id).await;
    assert_eq!(
        (after.assignee_id, after.status),
        (Some(me), TicketStatus::Open)
    );
    assert_eq!(
        event_kinds(&app, ticket.id).await,
        ["created", "assigned", "status"]
    );
    app.get(res.location())
        .await
        .assert_contains("Ticket updated.");

    let res = compose(&mut app, &url, &[("priority", "urgent")]).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let after = reload(&app, ticket.id).await;
    assert_eq!(after.priority, Priority::Urgent);
    assert_eq!(
        event_kinds(&app, ticket.id).await,
        ["created", "assigned", "status", "priority"]
    );
    // The form now starts from the new values.
    let page = app.get(&url).await;
    assert_eq!(selected(&page.body, "priority").as_deref(), Some("urgent"));
    assert_eq!(selected(&page.body, "status").as_deref(), Some("open"));
    assert_eq!(
        selected(&page.body, "assignee").as_deref(),
        Some(me.to_string().as_str())
    );
}

#[tokio::test]
async fn nothing_written_and_nothing_changed_is_refused() {
    let mut app = TestApp::spawn().await;
    signed_in_agent(&mut app, "ana@example.com", "Ana").await;
    let ticket = file_ticket(&mut app).await;
    let url = staff_url(&ticket);

    let res = compose(&mut app, &url, &[("text", "   ")]).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    res.assert_contains("id=\"text-error\"")
        .assert_contains("Nothing to send: write a reply or a note");
    assert_eq!(event_kinds(&app, ticket.id).await, ["created"]);

    // Too long: refused with every character kept, escaped.
    let long = format!("{}<script>x</script>", "y".repeat(10_000));
    let res = compose(&mut app, &url, &[("text", &long), ("kind", "note")]).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    res.assert_contains("10,000 characters or fewer")
        .assert_lacks("<script>x</script>");
    assert_eq!(
        textarea_value(&res.body, "text").as_deref(),
        Some(long.as_str())
    );
    assert!(is_checked(&res.body, "kind", "note"));
    assert_eq!(event_kinds(&app, ticket.id).await, ["created"]);
}

#[tokio::test]
async fn a_reply_to_a_closed_ticket_is_refused_with_the_text_kept() {
    let mut app = TestApp::spawn().await;
    signed_in_agent(&mut app, "ana@example.com", "Ana").await;
    let ticket = file_ticket(&mut app).await;
    let url = staff_url(&ticket);
    let res = compose(&mut app, &url, &[("status", "closed")]).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);

    let reply = "Sorry for the wait: is it still failing?";
    let res = compose(&mut app, &url, &[("text", reply)]).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    res.assert_contains("id=\"text-error\"")
        .assert_contains("This ticket is closed, so its requester cannot answer a reply.");
    assert_eq!(textarea_value(&res.body, "text").as_deref(), Some(reply));
    assert!(is_checked(&res.body, "kind", "reply"));
    assert_eq!(event_kinds(&app, ticket.id).await, ["created", "status"]);

    // Reopening in the same submit lets it through.
    let res = compose(&mut app, &url, &[("text", reply), ("status", "open")]).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    assert_eq!(
        event_kinds(&app, ticket.id).await,
        ["created", "status", "status", "reply"]
    );
}

#[tokio::test]
async fn one_refused_command_applies_none_of_them() {
    let mut app = TestApp::spawn().await;
    signed_in_agent(&mut app, "ana@example.com", "Ana").await;
    let ticket = file_ticket(&mut app).await;
    let url = staff_url(&ticket);
    compose(&mut app, &url, &[("status", "resolved")]).await;

    // Resolved → waiting is no move staff can make: the priority and the
    // note that came with it are not applied either.
    let page = app.get(&url).await;
    let fields = form_of(&page);
    let res = submit(
        &mut app,
        &url,
        fields,
        &[
            ("kind", "note"),
            ("text", "Checked their logs."),
            ("priority", "high"),
            ("status", "waiting"),
        ],
    )
    .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    res.assert_contains("id=\"status-error\"")
        .assert_contains("A ticket cannot go from Resolved to Waiting on requester");
    assert_eq!(selected(&res.body, "priority").as_deref(), Some("high"));
    let after = reload(&app, ticket.id).await;
    assert_eq!(
        (after.status, after.priority),
        (TicketStatus::Resolved, Priority::Normal)
    );
    assert_eq!(event_kinds(&app, ticket.id).await, ["created", "status"]);

    // Someone who is not staff: no reply is sent without the assignment.
    let res = compose(
        &mut app,
        &url,
        &[("text", "On it."), ("assignee", "999"), ("status", "open")],
    )
    .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    res.assert_contains("id=\"assignee-error\"");
    assert_eq!(event_kinds(&app, ticket.id).await, ["created", "status"]);
}

#[tokio::test]
async fn submit_and_go_to_the_next_ticket_in_the_view() {
    let mut app = TestApp::spawn().await;
    signed_in_agent(&mut app, "ana@example.com", "Ana").await;
    let first = lone_ticket(&mut app, 1).await;
    let second = lone_ticket(&mut app, 2).await;
    let third = lone_ticket(&mut app, 3).await;

    // The queue's links carry the view.
    let queue = app.get("/staff/queue?status=new&sort=age").await;
    let view = "/staff/queue?status=new&sort=age";
    let link = format!(
        "/staff/tickets/{}?view=%2Fstaff%2Fqueue%3Fstatus%3Dnew%26sort%3Dage",
        first.id
    );
    queue.assert_contains(&format!("href=\"{}\"", link));

    // The page offers the next ticket; the first has no previous one to skip.
    let page = app.get(&link).await;
    page.assert_contains("← Back to the view")
        .assert_contains(&format!(
            "href=\"/staff/tickets/{}?view=%2Fstaff%2Fqueue%3Fstatus%3Dnew%26sort%3Dage\"",
            second.id
        ));
    assert_eq!(hidden_value(&page.body, "view").as_deref(), Some(view));

    // A reply opens the first ticket, so it leaves the view ("new"): the
    // next is still the one after it.
    let res = compose(&mut app, &link, &[("text", "Looking now."), ("go", "next")]).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    assert_eq!(
        res.location(),
        format!(
            "/staff/tickets/{}?view=%2Fstaff%2Fqueue%3Fstatus%3Dnew%26sort%3Dage&done=next",
            second.id
        )
    );
    assert_eq!(reload(&app, first.id).await.status, TicketStatus::Open);
    app.get(res.location())
        .await
        .assert_contains("Saved. This is the next ticket in your view.");

    // From the last ticket in the view: back to the view, saying so.
    let last = third.id.to_string();
    let res = compose(
        &mut app,
        &format!("/staff/tickets/{last}?view=%2Fstaff%2Fqueue%3Fstatus%3Dnew%26sort%3Dage"),
        &[("priority", "low"), ("go", "next")],
    )
    .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    assert_eq!(res.location(), format!("{view}&bulk=last"));
    app.get(res.location())
        .await
        .assert_contains("That was the last ticket in this view.");
    // A plain submit stays on the ticket, in the view.
    let res = compose(
        &mut app,
        &format!("/staff/tickets/{}?view=%2Fstaff%2Fqueue", second.id),
        &[("priority", "high")],
    )
    .await;
    assert_eq!(
        res.location(),
        format!(
            "/staff/tickets/{}?view=%2Fstaff%2Fqueue&done=updated",
            second.id
        )
    );
}

#[tokio::test]
async fn a_ticket_that_moves_down_the_view_is_not_its_own_next() {
    let mut app = TestApp::spawn().await;
    signed_in_agent(&mut app, "ana@example.com", "Ana").await;
    let first = lone_ticket(&mut app, 1).await;
    let second = lone_ticket(&mut app, 2).await;
    // Most urgent first: the second (high) comes before the first (normal).
    compose(&mut app, &staff_url(&second), &[("priority", "high")]).await;
    let url = format!("/staff/tickets/{}?view=%2Fstaff%2Fqueue", first.id);
    let page = app.get(&url).await;
    page.assert_contains("Last ticket in this view");

    // Lowered to low, the first would come right after where it was.
    let res = compose(&mut app, &url, &[("priority", "low"), ("go", "next")]).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    assert_eq!(res.location(), "/staff/queue?bulk=last");
    // From the second, the first is next.
    let page = app
        .get(&format!(
            "/staff/tickets/{}?view=%2Fstaff%2Fqueue",
            second.id
        ))
        .await;
    page.assert_contains(&format!(
        "href=\"/staff/tickets/{}?view=%2Fstaff%2Fqueue\"",
        first.id
    ));
}

#[tokio::test]
async fn macros_are_shared_and_changed_by_their_writer_or_an_admin() {
    let mut app = TestApp::spawn().await;
    signed_in_agent(&mut app, "ana@example.com", "Ana").await;
    add_staff(&app, "bo@example.com", "Bo", Role::Agent).await;
    add_staff(&app, "cy@example.com", "Cy", Role::Admin).await;

    let page = app.get("/staff/macros").await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains("No macros yet.");

    // Mistakes come back beside their fields, with the values kept.
    let res = app
        .post_form(
            "/staff/macros",
            &[
                ("title", ""),
                ("body", "Hello {{requester_name}}"),
                ("set_status", "new"),
                ("set_priority", ""),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    res.assert_contains("id=\"title-error\"")
        .assert_contains("id=\"set_status-error\"")
        .assert_contains("Hello {{requester_name}}");

    let res = app
        .post_form(
            "/staff/macros",
            &[
                ("title", "Ask for the request ID"),
                (
                    "body",
                    "Hello {{requester_name}},\nplease send the request ID for {{reference}}.",
                ),
                ("set_status", "waiting"),
                ("set_priority", ""),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(res.location(), "/staff/macros?done=created");
    let list = app.get(res.location()).await;
    list.assert_contains("Macro saved")
        .assert_contains("Ask for the request ID")
        .assert_contains("By Ana")
        .assert_contains("Sets Waiting on requester")
        .assert_contains("href=\"/staff/macros/1\"");

    // Another agent uses it but may not change it.
    sign_in(&mut app, "bo@example.com").await;
    let list = app.get("/staff/macros").await;
    list.assert_contains("Ask for the request ID")
        .assert_lacks("href=\"/staff/macros/1\"");
    assert_eq!(
        app.get("/staff/macros/1").await.status,
        StatusCode::FORBIDDEN
    );
    let edit = [
        ("title", "Changed by Bo"),
        ("body", "x"),
        ("set_status", ""),
        ("set_priority", ""),
    ];
    assert_eq!(
        app.post_form("/staff/macros/1", &edit).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.post_form("/staff/macros/1/delete", &[]).await.status,
        StatusCode::FORBIDDEN
    );

    // The writer changes it.
    sign_in(&mut app, "ana@example.com").await;
    let page = app.get("/staff/macros/1").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(
        selected(&page.body, "set_status").as_deref(),
        Some("waiting")
    );
    let res = app
        .post_form(
            "/staff/macros/1",
            &[
                ("title", "Ask for the request ID"),
                ("body", "Hello {{requester_name}}, which request ID?"),
                ("set_status", "waiting"),
                ("set_priority", "high"),
            ],
        )
        .await;
    assert_eq!(res.location(), "/staff/macros?done=updated");
    app.get("/staff/macros")
        .await
        .assert_contains("which request ID?")
        .assert_contains("High priority");

    // An admin deletes it.
    sign_in(&mut app, "cy@example.com").await;
    let res = app.post_form("/staff/macros/1/delete", &[]).await;
    assert_eq!(res.location(), "/staff/macros?done=deleted");
    app.get("/staff/macros")
        .await
        .assert_contains("No macros yet.");
    assert_eq!(
        app.get("/staff/macros/1").await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn a_macro_fills_the_composer_with_its_placeholders_and_settings() {
    let mut app = TestApp::spawn().await;
    signed_in_agent(&mut app, "ana@example.com", "Ana Agent").await;
    let ticket = file_ticket_with(&mut app, &[("name", "Dana <Dev>")]).await;
    app.post_form(
        "/staff/macros",
        &[
            ("title", "Ask for the request ID"),
            (
                "body",
                "Hello {{requester_name}},\nwhich request ID failed for {{reference}}? {{agent_name}}, {{error_code}}. {{unknown}}",
            ),
            ("set_status", "waiting"),
            ("set_priority", "high"),
        ],
    )
    .await;

    let url = staff_url(&ticket);
    let page = app.get(&format!("{url}?macro=1")).await;
    assert_eq!(page.status, StatusCode::OK);
    let filled = format!(
        "Hello Dana <Dev>,\nwhich request ID failed for {}? Ana Agent, 401 Unauthorized. {{{{unknown}}}}",
        ticket.reference()
    );
    assert_eq!(
        textarea_value(&page.body, "text").as_deref(),
        Some(filled.as_str())
    );
    // Escaped once in the page, never twice.
    page.assert_contains("Hello Dana &#60;Dev&#62;")
        .assert_lacks("&#38;#60;");
    assert_eq!(selected(&page.body, "status").as_deref(), Some("waiting"));
    assert_eq!(selected(&page.body, "priority").as_deref(), Some("high"));
    // The picker carries the filled text for the script to put in place.
    page.assert_contains("data-body=\"Hello Dana &#60;Dev&#62;,");

    // Sent as it stands: one submit replies, waits and raises the priority.
    let res = compose(&mut app, &format!("{url}?macro=1"), &[]).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let after = reload(&app, ticket.id).await;
    assert_eq!(
        (after.status, after.priority),
        (TicketStatus::Waiting, Priority::High)
    );
    app.get(&status_url(&ticket))
        .await
        .assert_contains(&escape("which request ID failed for"));
}

#[tokio::test]
async fn each_troubleshooting_step_is_a_reply_for_its_code() {
    let mut app = TestApp::spawn().await;
    signed_in_agent(&mut app, "ana@example.com", "Ana").await;
    let kb = app.state.kb.get();
    let tree = kb.tree(apidesk::domain::ErrorCode::Unauthorized);
    let first = tree.steps[0].clone();
    let second = tree.steps[1].clone();
    let steps = tree.steps.len();
    // The requester tried the first check before filing.
    let ticket = file_ticket_with(&mut app, &[("path", &first.id)]).await;
    let url = staff_url(&ticket);

    let page = app.get(&url).await;
    page.assert_contains("401 Unauthorized checks")
        .assert_contains(&format!("{} (they tried this)", escape(&first.check)));
    assert_eq!(page.body.matches("value=\"step:").count(), steps);

    let page = app.get(&format!("{url}?macro=step:{}", second.id)).await;
    let text = textarea_value(&page.body, "text").unwrap();
    assert!(text.starts_with("Hello Dana Developer,"), "{text}");
    let mut check = second.check.clone();
    check[..1].make_ascii_lowercase();
    assert!(
        text.contains(&format!("Please try this next: {check}.")),
        "{text}"
    );
    // The step's "what to do", as plain text: no Markdown, no HTML.
    let first_words: String = second.do_text.chars().take(60).collect();
    assert!(text.contains(&first_words), "{text}");
    assert!(!text.contains("<p>") && !text.contains("**"), "{text}");
    if let Some(place) = &second.where_to_look {
        assert!(text.contains(&format!("Where to look: {place}")), "{text}");
    }
    // A reply, status left as it is.
    assert!(is_checked(&page.body, "kind", "reply"));
    assert_eq!(selected(&page.body, "status").as_deref(), Some("new"));
    // A step the code's tree does not have fills in nothing.
    let page = app.get(&format!("{url}?macro=step:no-such-step")).await;
    assert_eq!(textarea_value(&page.body, "text").as_deref(), Some(""));
}

#[tokio::test]
async fn the_requesters_other_tickets_are_listed_newest_first() {
    let mut app = TestApp::spawn().await;
    signed_in_agent(&mut app, "ana@example.com", "Ana").await;
    let older = file_ticket_with(&mut app, &[("error_code", "404")]).await;
    let newer = file_ticket_with(&mut app, &[("email", "DANA@example.com")]).await;
    let stranger = file_ticket_with(&mut app, &[("email", "sam@elsewhere.example")]).await;
    let ticket = file_ticket(&mut app).await;

    let page = app.get(&staff_url(&ticket)).await;
    let section = &page.body[page.body.find("id=\"other-tickets\"").unwrap()..];
    let section = &section[..section.find("</section>").unwrap()];
    let link = |id: i64| format!("href=\"/staff/tickets/{id}\"");
    assert!(section.contains(&link(older.id)) && section.contains(&link(newer.id)));
    assert!(!section.contains(&link(ticket.id)));
    assert!(!section.contains(&link(stranger.id)));
    assert!(section.find(&link(newer.id)) < section.find(&link(older.id)));
    assert!(section.contains("404 Not Found"));
    let page = app.get(&staff_url(&stranger)).await;
    page.assert_contains("None: this is their only ticket.");
}

#[tokio::test]
async fn colleagues_on_the_same_ticket_are_named() {
    let mut app = TestApp::spawn().await;
    let sam = add_staff(&app, "sam@example.com", "Sam", Role::Agent).await;
    signed_in_agent(&mut app, "ana@example.com", "Ana").await;
    let ticket = file_ticket(&mut app).await;
    let url = staff_url(&ticket);

    app.get(&url).await.assert_lacks("opened this ticket");
    sign_in(&mut app, "sam@example.com").await;
    let page = app.get(&url).await;
    page.assert_contains("Ana opened this ticket just now.")
        .assert_lacks("Sam opened this ticket");
    sign_in(&mut app, "ana@example.com").await;
    app.get(&url)
        .await
        .assert_contains("Sam opened this ticket just now.");
    // Long ago does not count.
    app.state
        .store
        .touch_viewer(
            ticket.id,
            sam,
            OffsetDateTime::now_utc() - time::Duration::minutes(11),
        )
        .await
        .unwrap();
    app.get(&url).await.assert_lacks("Sam opened this ticket");
}

#[tokio::test]
async fn a_form_loaded_before_someone_else_acted_is_not_applied() {
    let mut app = TestApp::spawn().await;
    let sam = add_staff(&app, "sam@example.com", "Sam", Role::Agent).await;
    let ana = signed_in_agent(&mut app, "ana@example.com", "Ana").await;
    let ticket = file_ticket(&mut app).await;
    let url = staff_url(&ticket);

    // Ana's own earlier change does not count against her.
    compose(&mut app, &url, &[("priority", "high")]).await;
    let page = app.get(&url).await;
    let loaded = form_of(&page);

    // Sam replies and sets Waiting while Ana writes.
    let sam_actor = Actor::Staff {
        id: sam,
        role: Role::Agent,
    };
    let outcome = app
        .state
        .store
        .apply(
            &Request {
                ticket: ticket.id,
                actor: sam_actor,
                command: Command::Reply {
                    body: EventBody::parse("Please send the request ID.").unwrap(),
                    then: AfterReply::WaitOnRequester,
                },
                at: OffsetDateTime::now_utc(),
            },
            &app.state.config.response_targets,
        )
        .await
        .unwrap();
    assert!(outcome.changed());

    let mine = "Rotate the key, then try again.";
    let res = submit(
        &mut app,
        &url,
        loaded.clone(),
        &[("text", mine), ("assignee", &ana.to_string())],
    )
    .await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    res.assert_contains(
        "Sam replied to the requester and moved the ticket from New to Waiting on requester while you were writing — read it, then send again.",
    )
    .assert_contains("Please send the request ID.");
    assert_eq!(textarea_value(&res.body, "text").as_deref(), Some(mine));
    // Ana's own change is kept; the status follows Sam's.
    assert_eq!(
        selected(&res.body, "assignee").as_deref(),
        Some(ana.to_string().as_str())
    );
    assert_eq!(selected(&res.body, "status").as_deref(), Some("waiting"));
    assert_eq!(
        event_kinds(&app, ticket.id).await,
        ["created", "priority", "reply"]
    );

    // Sent again from the page that showed Sam's reply: applied.
    let again = form_of(&res);
    let res = submit(&mut app, &url, again, &[]).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    assert_eq!(
        event_kinds(&app, ticket.id).await,
        ["created", "priority", "reply", "assigned", "reply"]
    );
    let after = reload(&app, ticket.id).await;
    assert_eq!(
        (after.assignee_id, after.status),
        (Some(ana), TicketStatus::Waiting)
    );
}

#[tokio::test]
async fn the_composer_and_macros_need_a_session_and_a_real_ticket() {
    let mut app = TestApp::spawn().await;
    let res = app
        .post_form("/staff/tickets/1/compose", &[("text", "hi")])
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert!(res.location().starts_with("/staff/login"));
    let res = app.get("/staff/macros").await;
    assert!(res.location().starts_with("/staff/login"));

    signed_in_agent(&mut app, "ana@example.com", "Ana").await;
    let res = app
        .post_form(
            "/staff/tickets/999/compose",
            &[
                ("text", "hi"),
                ("kind", "reply"),
                ("status", "new"),
                ("priority", "normal"),
                ("assignee", "none"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    // Without the CSRF token nothing is applied.
    let ticket = file_ticket(&mut app).await;
    let res = app
        .post_raw(
            &format!("/staff/tickets/{}/compose", ticket.id),
            "text=hi&kind=reply&status=new&priority=normal&assignee=none",
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    assert_eq!(event_kinds(&app, ticket.id).await, ["created"]);
}
