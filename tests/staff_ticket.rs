//! The staff ticket page and its actions, and what the requester sees of
//! them on their status page.

mod common;
#[path = "common/staff.rs"]
mod staff_helpers;

use apidesk::domain::ErrorCode;
use apidesk::staff::Role;
use apidesk::tickets::workflow::{Actor, AfterReply, Command, Request};
use apidesk::tickets::{EventBody, Outcome, Priority, TicketStatus};
use axum::http::StatusCode;
use common::{TestApp, escape, selected, textarea_value};
use staff_helpers::{
    add_staff, event_kinds, file_ticket, file_ticket_with, reload, sign_in, signed_in_agent,
    staff_url, status_url,
};
use time::Duration;

const HOSTILE: &str = "<script>alert(1)</script><img src=x onerror=alert(2)>";

#[tokio::test]
async fn the_page_shows_everything_the_requester_sent() {
    let mut app = TestApp::spawn().await;
    signed_in_agent(&mut app, "ana@example.com", "Ana Agent").await;
    let kb = app.state.kb.get();
    let tree = kb.tree(ErrorCode::Unauthorized);
    let first_check = tree.start().check.clone();
    let path = tree.start().id.clone();
    let message = format!("HTTP GET failed (401)\n{HOSTILE}");
    let ticket = file_ticket_with(
        &mut app,
        &[
            ("message", &message),
            ("path", &path),
            ("name", "Dana <b>Dev</b>"),
        ],
    )
    .await;

    let page = app.get(&staff_url(&ticket)).await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains(&ticket.reference())
        .assert_contains(&escape(&message))
        .assert_lacks(HOSTILE)
        .assert_contains("<pre class=\"mono message\" tabindex=\"0\"")
        .assert_contains("https://go.trackvia.com/openapi/views/12/records")
        .assert_contains("GET")
        .assert_contains("Workato")
        .assert_contains("Production")
        .assert_contains(&escape("Rotated the API user's token on Monday."))
        .assert_contains("Dana &#60;b&#62;Dev&#60;/b&#62;")
        .assert_contains("dana@example.com")
        .assert_contains(&escape(&first_check))
        .assert_contains(&escape(
            &app.state
                .kb
                .get()
                .article_for(ErrorCode::Unauthorized)
                .title,
        ))
        .assert_contains(&escape(Priority::RULE))
        .assert_contains("First response due in")
        .assert_contains("filed the ticket")
        .assert_contains("Unassigned");
    // The signed-in layout.
    page.assert_contains("Ana Agent")
        .assert_contains("Sign out");
}

#[tokio::test]
async fn similar_tickets_are_listed_most_recent_first_without_the_ticket_itself() {
    let mut app = TestApp::spawn().await;
    signed_in_agent(&mut app, "ana@example.com", "Ana").await;
    let first = file_ticket(&mut app).await;
    // Same code, method, endpoint shape and tool: similar. From other
    // organisations, so not one problem (whose members its panel lists).
    let second = file_ticket_with(
        &mut app,
        &[
            (
                "endpoint",
                "https://go.trackvia.com/openapi/views/99/records",
            ),
            ("email", "sam@other.example"),
        ],
    )
    .await;
    let third = file_ticket_with(&mut app, &[("email", "tia@third.example")]).await;
    // Another requester: not listed among the requester's other tickets.
    let other = file_ticket_with(
        &mut app,
        &[("error_code", "404"), ("email", "uma@fourth.example")],
    )
    .await;

    let page = app.get(&staff_url(&first)).await;
    let link = |id: i64| format!("href=\"/staff/tickets/{id}\"");
    page.assert_contains(&link(second.id))
        .assert_contains(&link(third.id))
        .assert_lacks(&link(first.id))
        .assert_lacks(&link(other.id));
    let at = |id: i64| page.body.find(&link(id)).unwrap();
    assert!(at(third.id) < at(second.id), "the most recent first");
    let page = app.get(&staff_url(&other)).await;
    page.assert_contains("None with the same code");
}

#[tokio::test]
async fn assigning_to_me_to_someone_and_to_nobody() {
    let mut app = TestApp::spawn().await;
    let me = signed_in_agent(&mut app, "ana@example.com", "Ana Agent").await;
    let bo = add_staff(&app, "bo@example.com", "Bo Admin", Role::Admin).await;
    let ticket = file_ticket(&mut app).await;
    let url = staff_url(&ticket);

    let res = app
        .post_form(&format!("{url}/assign"), &[("assignee", "me")])
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(res.location(), format!("{url}?done=assigned"));
    assert_eq!(reload(&app, ticket.id).await.assignee_id, Some(me));

    let bo_text = bo.to_string();
    app.post_form(&format!("{url}/assign"), &[("assignee", &bo_text)])
        .await;
    assert_eq!(reload(&app, ticket.id).await.assignee_id, Some(bo));

    app.post_form(&format!("{url}/assign"), &[("assignee", "none")])
        .await;
    let after = reload(&app, ticket.id).await;
    assert_eq!(after.assignee_id, None);
    assert!(after.updated_at >= ticket.updated_at);

    // Taking a new ticket opened it.
    assert_eq!(
        event_kinds(&app, ticket.id).await,
        ["created", "assigned", "status", "assigned", "assigned"]
    );
    let page = app.get(&format!("{url}?done=assigned")).await;
    page.assert_contains("Assignment saved.")
        .assert_contains("took the ticket")
        .assert_contains("reassigned it from Ana Agent to Bo Admin")
        .assert_contains("unassigned it (was Bo Admin)");

    // The same choice again changes nothing and writes no event.
    let res = app
        .post_form(&format!("{url}/assign"), &[("assignee", "none")])
        .await;
    assert_eq!(res.location(), format!("{url}?done=unchanged"));
    assert_eq!(event_kinds(&app, ticket.id).await.len(), 5);

    // Unknown people are refused beside the field.
    for bad in ["9999", "someone"] {
        let res = app
            .post_form(&format!("{url}/assign"), &[("assignee", bad)])
            .await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        res.assert_contains("id=\"assignee-error\"")
            .assert_contains("not an active staff member");
    }
    assert_eq!(event_kinds(&app, ticket.id).await.len(), 5);
}

#[tokio::test]
async fn priority_changes_move_the_due_time_until_the_first_response() {
    let mut app = TestApp::spawn().await;
    signed_in_agent(&mut app, "ana@example.com", "Ana").await;
    let ticket = file_ticket(&mut app).await;
    let url = staff_url(&ticket);
    let targets = app.state.config.response_targets;

    let res = app
        .post_form(&format!("{url}/priority"), &[("priority", "urgent")])
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let after = reload(&app, ticket.id).await;
    assert_eq!(after.priority, Priority::Urgent);
    assert_eq!(after.due_at, Some(ticket.created_at + targets.urgent));
    app.get(&url)
        .await
        .assert_contains("changed the priority from Normal to Urgent");

    // After a first response the due time stays where it was.
    app.post_form(&format!("{url}/replies"), &[("reply", "Looking now.")])
        .await;
    app.post_form(&format!("{url}/priority"), &[("priority", "low")])
        .await;
    let later = reload(&app, ticket.id).await;
    assert_eq!(later.priority, Priority::Low);
    assert_eq!(later.due_at, after.due_at);
    assert_eq!(
        event_kinds(&app, ticket.id).await,
        ["created", "priority", "reply", "priority"]
    );

    let res = app
        .post_form(&format!("{url}/priority"), &[("priority", "panic")])
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    res.assert_contains("id=\"priority-error\"")
        .assert_contains("Choose urgent, high, normal or low.");
    assert_eq!(reload(&app, ticket.id).await.priority, Priority::Low);
}

#[tokio::test]
async fn status_changes_follow_the_rules_and_invalid_ones_are_refused() {
    let mut app = TestApp::spawn().await;
    signed_in_agent(&mut app, "ana@example.com", "Ana").await;
    let ticket = file_ticket(&mut app).await;
    let url = staff_url(&ticket);
    let status = |s: &'static str| [("status", s)];

    for (to, expected) in [
        ("open", TicketStatus::Open),
        ("waiting", TicketStatus::Waiting),
        ("open", TicketStatus::Open),
        ("resolved", TicketStatus::Resolved),
    ] {
        let res = app.post_form(&format!("{url}/status"), &status(to)).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "→ {to}: {}", res.body);
        assert_eq!(reload(&app, ticket.id).await.status, expected);
    }

    // Resolved → waiting is not a move staff can make; nor is anything → new.
    for to in ["waiting", "new"] {
        let res = app.post_form(&format!("{url}/status"), &status(to)).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "→ {to}");
        res.assert_contains("id=\"status-error\"")
            .assert_contains("A ticket cannot go from Resolved to");
        assert_eq!(reload(&app, ticket.id).await.status, TicketStatus::Resolved);
    }
    let res = app
        .post_form(&format!("{url}/status"), &status("pending"))
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);

    // Closing, then reopening.
    app.post_form(&format!("{url}/status"), &status("closed"))
        .await;
    app.post_form(&format!("{url}/status"), &status("open"))
        .await;
    assert_eq!(reload(&app, ticket.id).await.status, TicketStatus::Open);
    // The same status again is no change.
    let res = app
        .post_form(&format!("{url}/status"), &status("open"))
        .await;
    assert_eq!(res.location(), format!("{url}?done=unchanged"));

    assert_eq!(
        event_kinds(&app, ticket.id).await,
        [
            "created", "status", "status", "status", "status", "status", "status"
        ]
    );
    app.get(&url)
        .await
        .assert_contains("changed the status from Waiting on requester to Open")
        .assert_contains("changed the status from Closed to Open");
    // The requester reads status changes in plain words.
    app.get(&status_url(&ticket))
        .await
        .assert_contains("Support marked this ticket as resolved.")
        .assert_contains("This ticket was closed.");
}

#[tokio::test]
async fn an_internal_note_never_reaches_the_requester() {
    let mut app = TestApp::spawn().await;
    signed_in_agent(&mut app, "ana@example.com", "Ana").await;
    let ticket = file_ticket(&mut app).await;
    let url = staff_url(&ticket);
    let note = "Customer is on the legacy plan; token rotation broke their recipe.";

    let res = app
        .post_form(&format!("{url}/notes"), &[("note", note)])
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(event_kinds(&app, ticket.id).await, ["created", "note"]);
    app.get(&url)
        .await
        .assert_contains(&escape(note))
        .assert_contains("added an internal note")
        .assert_contains("Internal");

    let requester = app.get(&status_url(&ticket)).await;
    assert_eq!(requester.status, StatusCode::OK);
    requester
        .assert_lacks(&escape(note))
        .assert_lacks("legacy plan");
    // Notes do not change the status.
    assert_eq!(reload(&app, ticket.id).await.status, TicketStatus::New);
}

#[tokio::test]
async fn bad_notes_are_refused_with_the_text_kept() {
    let mut app = TestApp::spawn().await;
    signed_in_agent(&mut app, "ana@example.com", "Ana").await;
    let ticket = file_ticket(&mut app).await;
    let url = staff_url(&ticket);

    let res = app
        .post_form(&format!("{url}/notes"), &[("note", "   ")])
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    // Shown in the page's composer, as a note.
    res.assert_contains("id=\"text-error\"")
        .assert_contains("cannot be empty");

    let long = format!("{}{HOSTILE}", "x".repeat(10_000));
    let res = app
        .post_form(&format!("{url}/notes"), &[("note", &long)])
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    res.assert_contains("10,000 characters or fewer")
        .assert_lacks(HOSTILE);
    assert_eq!(
        textarea_value(&res.body, "text").as_deref(),
        Some(long.as_str())
    );
    // The page keeps its other parts.
    res.assert_contains("What the requester sent");
    assert_eq!(selected(&res.body, "priority").as_deref(), Some("normal"));

    let res = app
        .post_form(&format!("{url}/replies"), &[("reply", "")])
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    res.assert_contains("id=\"text-error\"");
    assert_eq!(event_kinds(&app, ticket.id).await, ["created"]);
}

#[tokio::test]
async fn a_reply_reaches_the_requester_and_is_the_first_response() {
    let mut app = TestApp::spawn().await;
    signed_in_agent(&mut app, "ana@example.com", "Ana Agent").await;
    let ticket = file_ticket(&mut app).await;
    let url = staff_url(&ticket);
    assert_eq!(ticket.first_response_at, None);

    let reply = "Your token was rotated: paste the new one into the connection.";
    let res = app
        .post_form(&format!("{url}/replies"), &[("reply", reply)])
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let after = reload(&app, ticket.id).await;
    assert!(after.first_response_at.is_some());
    // A reply to a new ticket opens it.
    assert_eq!(after.status, TicketStatus::Open);
    assert_eq!(event_kinds(&app, ticket.id).await, ["created", "reply"]);
    app.get(&url)
        .await
        .assert_contains("replied to the requester and moved the ticket from New to Open")
        .assert_contains("First response sent");

    let page = app.get(&status_url(&ticket)).await;
    page.assert_contains(&escape(reply))
        .assert_contains("Ana Agent replied:");

    // "Waiting on the requester" ticked: the ticket waits.
    app.post_form(
        &format!("{url}/replies"),
        &[("reply", "Which recipe is it?"), ("waiting", "1")],
    )
    .await;
    let waiting = reload(&app, ticket.id).await;
    assert_eq!(waiting.status, TicketStatus::Waiting);
    assert_eq!(waiting.first_response_at, after.first_response_at);
    app.get(&status_url(&ticket))
        .await
        .assert_contains("Support is waiting for more information from you.")
        .assert_contains("Which recipe is it?");
}

#[tokio::test]
async fn the_requesters_addition_reopens_a_waiting_ticket() {
    let mut app = TestApp::spawn().await;
    signed_in_agent(&mut app, "ana@example.com", "Ana").await;
    let ticket = file_ticket(&mut app).await;
    let url = staff_url(&ticket);
    app.post_form(
        &format!("{url}/replies"),
        &[("reply", "Which recipe?"), ("waiting", "1")],
    )
    .await;
    assert_eq!(reload(&app, ticket.id).await.status, TicketStatus::Waiting);

    // The requester (no staff session needed) answers on the status page.
    app.forget_cookie("apidesk_session");
    let page = app.get(&status_url(&ticket)).await;
    page.assert_contains("Add information");
    let res = app
        .post_form(
            &format!("{}/replies", status_url(&ticket)),
            &[("body", "The 'New orders' recipe.")],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    assert_eq!(
        res.location(),
        format!("{}?added=1#updates", status_url(&ticket))
    );
    assert_eq!(reload(&app, ticket.id).await.status, TicketStatus::Open);
    assert_eq!(
        event_kinds(&app, ticket.id).await,
        ["created", "reply", "requester_reply", "status"]
    );
    app.get(&format!("{}?added=1", status_url(&ticket)))
        .await
        .assert_contains("You added information:")
        .assert_contains(&escape("The 'New orders' recipe."))
        .assert_contains("A support engineer is working on your ticket.");

    // An empty addition is refused, beside the field.
    let res = app
        .post_form(
            &format!("{}/replies", status_url(&ticket)),
            &[("body", " ")],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    res.assert_contains("id=\"body-error\"");
    // A too-long one keeps what was typed.
    let long = "y".repeat(10_001);
    let res = app
        .post_form(
            &format!("{}/replies", status_url(&ticket)),
            &[("body", &long)],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        textarea_value(&res.body, "body").as_deref(),
        Some(long.as_str())
    );
    assert_eq!(event_kinds(&app, ticket.id).await.len(), 4);

    // Staff see the addition in the timeline.
    staff_helpers::sign_in(&mut app, "ana@example.com").await;
    app.get(&url)
        .await
        .assert_contains("Requester</strong> added information")
        .assert_contains("apidesk</strong> changed the status from Waiting on requester to Open");
}

#[tokio::test]
async fn merging_follows_its_rules() {
    let mut app = TestApp::spawn().await;
    add_staff(&app, "ada@example.com", "Ada Admin", Role::Admin).await;
    sign_in(&mut app, "ada@example.com").await;
    let survivor = file_ticket(&mut app).await;
    let duplicate = file_ticket(&mut app).await;
    let third = file_ticket_with(&mut app, &[("email", "someone.else@example.com")]).await;
    let merge = |t: &apidesk::tickets::Ticket| format!("{}/merge", staff_url(t));

    // Into itself, into nothing, or with no reference at all: refused.
    for (into, message) in [
        (duplicate.reference(), "cannot be merged into itself"),
        (
            "APD-999999".to_string(),
            "There is no ticket with that reference",
        ),
        ("soon".to_string(), "by its reference"),
    ] {
        let res = app.post_form(&merge(&duplicate), &[("into", &into)]).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{into}");
        res.assert_contains("id=\"merge-error\"")
            .assert_contains(message);
        assert_eq!(
            common::hidden_value(&res.body, "into").as_deref(),
            Some(into.as_str())
        );
    }

    let res = app
        .post_form(&merge(&duplicate), &[("into", &survivor.reference())])
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let merged = reload(&app, duplicate.id).await;
    assert_eq!(merged.status, TicketStatus::Closed);
    assert_eq!(merged.merged_into_id, Some(survivor.id));
    assert_eq!(event_kinds(&app, duplicate.id).await, ["created", "merged"]);
    assert_eq!(
        event_kinds(&app, survivor.id).await,
        ["created", "merged_from"]
    );
    app.get(&staff_url(&duplicate))
        .await
        .assert_contains(&format!(
            "merged this ticket into <a href=\"/staff/tickets/{}\">{}</a>",
            survivor.id,
            survivor.reference()
        ))
        .assert_contains(&format!("href=\"/staff/tickets/{}\"", survivor.id));
    app.get(&staff_url(&survivor))
        .await
        .assert_contains(&format!(
            "merged <a href=\"/staff/tickets/{}\">{}</a> into this ticket",
            duplicate.id,
            duplicate.reference()
        ));

    // Into a ticket that is itself merged: refused, naming where to go.
    let res = app
        .post_form(&merge(&third), &[("into", &duplicate.id.to_string())])
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    res.assert_contains(&format!(
        "{} is itself merged into {}",
        duplicate.reference(),
        survivor.reference()
    ));
    // A merged ticket is not reopened.
    let res = app
        .post_form(
            &format!("{}/status", staff_url(&duplicate)),
            &[("status", "open")],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        reload(&app, duplicate.id).await.status,
        TicketStatus::Closed
    );

    // The merged ticket's requester is told the survivor's reference, never
    // given its page (the same typed email proves nothing), and can add
    // nothing more.
    let page = app.get(&status_url(&duplicate)).await;
    page.assert_contains(&survivor.reference())
        .assert_lacks(&survivor.token.to_string())
        .assert_lacks("id=\"field-body\"");
    let res = app
        .post_form(
            &format!("{}/replies", status_url(&duplicate)),
            &[("body", "hello?")],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    res.assert_contains("merged into another one");

    // Someone else's ticket merged in: the same.
    app.post_form(&merge(&third), &[("into", &survivor.reference())])
        .await;
    let page = app.get(&status_url(&third)).await;
    page.assert_contains(&survivor.reference())
        .assert_lacks(&survivor.token.to_string());
}

/// Anyone can type a victim's email address. Filing with it and getting
/// merged into the victim's ticket must not open that ticket to them.
#[tokio::test]
async fn a_merge_never_opens_the_survivor_to_the_merged_ticket_s_requester() {
    let mut app = TestApp::spawn().await;
    add_staff(&app, "ada@example.com", "Ada Admin", Role::Admin).await;
    let victim_message = "HTTP GET failed (401): key sk_live_VICTIM_SECRET rejected";
    let victim = file_ticket_with(
        &mut app,
        &[
            ("email", "victim@example.com"),
            ("message", victim_message),
            (
                "recent_changes",
                "Moved the VICTIM integration to a new tenant.",
            ),
        ],
    )
    .await;
    // Support answers the victim, and the victim adds something.
    sign_in(&mut app, "ada@example.com").await;
    let reply = "Your account ACME-VICTIM-42 has the key disabled.";
    app.post_form(
        &format!("{}/replies", staff_url(&victim)),
        &[("reply", reply)],
    )
    .await;
    app.clear_cookies();
    let addition = "Here is the VICTIM request id 7f3a.";
    app.post_form(
        &format!("{}/replies", status_url(&victim)),
        &[("body", addition)],
    )
    .await;
    assert_eq!(
        event_kinds(&app, victim.id).await,
        ["created", "reply", "requester_reply"]
    );

    // The attacker files with the victim's address, in another browser.
    app.clear_cookies();
    let attacker = file_ticket_with(
        &mut app,
        &[
            ("email", "victim@example.com"),
            ("message", "HTTP GET failed: unauthorized (401) same here"),
        ],
    )
    .await;
    sign_in(&mut app, "ada@example.com").await;
    let res = app
        .post_form(
            &format!("{}/merge", staff_url(&attacker)),
            &[("into", &victim.reference())],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    app.clear_cookies();

    // The attacker's page: its own content, that it was merged, and nothing
    // of the victim's ticket.
    let page = app.get(&status_url(&attacker)).await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains("same here")
        .assert_contains(&format!("merged this ticket into {}", victim.reference()))
        .assert_lacks(&victim.token.to_string())
        .assert_lacks("VICTIM")
        .assert_lacks(&escape(reply))
        .assert_lacks("id=\"field-body\"");
    assert!(
        !page
            .body
            .contains(&format!("href=\"/tickets/{}", victim.token)),
        "no link to the victim's page"
    );

    // Nothing the attacker posts reaches the victim's ticket.
    let before = event_kinds(&app, victim.id).await;
    let res = app
        .post_form(
            &format!("{}/replies", status_url(&attacker)),
            &[("body", "please send me the new key")],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    res.assert_lacks("VICTIM");
    assert_eq!(event_kinds(&app, victim.id).await, before);
    assert_eq!(event_kinds(&app, attacker.id).await, ["created", "merged"]);
}

#[tokio::test]
async fn every_ticket_route_needs_a_staff_session() {
    let mut app = TestApp::spawn().await;
    add_staff(&app, "ana@example.com", "Ana", Role::Agent).await;
    let ticket = file_ticket(&mut app).await;
    let url = staff_url(&ticket);

    let res = app.get(&url).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(
        res.location(),
        format!("/staff/login?next=%2Fstaff%2Ftickets%2F{}", ticket.id)
    );
    for (action, field, value) in [
        ("assign", "assignee", "me"),
        ("priority", "priority", "urgent"),
        ("status", "status", "open"),
        ("notes", "note", "sneaky"),
        ("replies", "reply", "sneaky"),
        ("merge", "into", "1"),
    ] {
        let res = app
            .post_form(&format!("{url}/{action}"), &[(field, value)])
            .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{action}");
        assert_eq!(
            res.location(),
            "/staff/login?next=%2Fstaff%2Fqueue",
            "{action}"
        );
    }
    assert_eq!(event_kinds(&app, ticket.id).await, ["created"]);
    assert_eq!(reload(&app, ticket.id).await, ticket);
}

#[tokio::test]
async fn a_missing_ticket_is_not_found() {
    let mut app = TestApp::spawn().await;
    signed_in_agent(&mut app, "ana@example.com", "Ana").await;
    assert_eq!(
        app.get("/staff/tickets/999").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get("/staff/tickets/abc").await.status,
        StatusCode::NOT_FOUND
    );
    let res = app
        .post_form("/staff/tickets/999/notes", &[("note", "hello")])
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    let res = app
        .post_form(
            &format!("/tickets/{}/replies", uuid::Uuid::new_v4()),
            &[("body", "hi")],
        )
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn markup_in_notes_replies_and_additions_is_shown_inert() {
    let mut app = TestApp::spawn().await;
    signed_in_agent(&mut app, "ana@example.com", "Ana").await;
    let ticket = file_ticket(&mut app).await;
    let url = staff_url(&ticket);
    let note = format!("note {HOSTILE}");
    let reply = format!("reply {HOSTILE}");
    let addition = format!("addition {HOSTILE}");

    app.post_form(&format!("{url}/notes"), &[("note", &note)])
        .await;
    app.post_form(&format!("{url}/replies"), &[("reply", &reply)])
        .await;
    let res = app
        .post_form(
            &format!("{}/replies", status_url(&ticket)),
            &[("body", &addition)],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);

    let staff_page = app.get(&url).await;
    staff_page
        .assert_contains(&escape(&note))
        .assert_contains(&escape(&reply))
        .assert_contains(&escape(&addition))
        .assert_lacks(HOSTILE)
        .assert_lacks("<script>");
    let requester_page = app.get(&status_url(&ticket)).await;
    requester_page
        .assert_contains(&escape(&reply))
        .assert_contains(&escape(&addition))
        .assert_lacks(&escape(&note))
        .assert_lacks(HOSTILE)
        .assert_lacks("<script>");
}

/// The store's one apply path, as the queue's bulk actions use it: one id
/// each, one transaction each, exactly one event per change, `updated_at`
/// moved.
#[tokio::test]
async fn store_actions_report_changes_and_write_one_event_each() {
    let mut app = TestApp::spawn().await;
    let ana_id = add_staff(&app, "ana@example.com", "Ana", Role::Agent).await;
    let ana = Actor::Staff {
        id: ana_id,
        role: Role::Agent,
    };
    let ticket = file_ticket(&mut app).await;
    let store = app.state.store.clone();
    let targets = app.state.config.response_targets;
    let mut now = ticket.created_at;
    let mut events = 1;

    macro_rules! step {
        ($command:expr, $outcome:expr) => {{
            now += Duration::minutes(5);
            let request = Request {
                ticket: ticket.id,
                actor: ana,
                command: $command,
                at: now,
            };
            let outcome = store.apply(&request, &targets).await.unwrap();
            assert_eq!(outcome, $outcome);
            if outcome.changed() {
                events += 1;
                assert_eq!(reload(&app, ticket.id).await.updated_at, now);
            }
            assert_eq!(
                store.ticket_timeline(ticket.id).await.unwrap().len(),
                events
            );
        }};
    }
    // Open first: assigning a new ticket would also open it (two events).
    step!(
        Command::SetStatus {
            to: TicketStatus::Open
        },
        Outcome::Changed
    );
    step!(Command::Assign { to: Some(ana_id) }, Outcome::Changed);
    step!(Command::Assign { to: Some(ana_id) }, Outcome::Unchanged);
    step!(
        Command::SetPriority { to: Priority::High },
        Outcome::Changed
    );
    step!(
        Command::SetStatus {
            to: TicketStatus::Waiting
        },
        Outcome::Changed
    );
    let body = EventBody::parse("checked the logs").unwrap();
    step!(Command::Note { body: body.clone() }, Outcome::Changed);
    step!(
        Command::Reply {
            body,
            then: AfterReply::Stay,
        },
        Outcome::Changed
    );
    let after = reload(&app, ticket.id).await;
    assert_eq!(after.first_response_at, Some(now));
    assert_eq!(after.due_at, Some(ticket.created_at + targets.high));

    // A missing ticket is refused, not an error.
    let missing = Request {
        ticket: 424_242,
        actor: ana,
        command: Command::SetStatus {
            to: TicketStatus::Closed,
        },
        at: now,
    };
    assert!(matches!(
        store.apply(&missing, &targets).await,
        Err(apidesk::store::ActionError::Refused(
            apidesk::tickets::Refusal::TicketNotFound
        ))
    ));
}

#[tokio::test]
async fn only_admins_may_merge() {
    let mut app = TestApp::spawn().await;
    signed_in_agent(&mut app, "ana@example.com", "Ana").await;
    let survivor = file_ticket(&mut app).await;
    let duplicate = file_ticket(&mut app).await;

    let page = app.get(&staff_url(&duplicate)).await;
    page.assert_contains("Only admins can merge tickets")
        .assert_lacks(&format!("action=\"{}/merge\"", staff_url(&duplicate)));
    let res = app
        .post_form(
            &format!("{}/merge", staff_url(&duplicate)),
            &[("into", &survivor.reference())],
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    res.assert_contains("Your role does not allow this action");
    assert_eq!(reload(&app, duplicate.id).await.merged_into_id, None);
    assert_eq!(event_kinds(&app, duplicate.id).await, ["created"]);

    // The same request from an admin goes through.
    add_staff(&app, "ada@example.com", "Ada Admin", Role::Admin).await;
    sign_in(&mut app, "ada@example.com").await;
    let res = app
        .post_form(
            &format!("{}/merge", staff_url(&duplicate)),
            &[("into", &survivor.reference())],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(
        reload(&app, duplicate.id).await.merged_into_id,
        Some(survivor.id)
    );
}

#[tokio::test]
async fn markup_in_every_requester_field_is_inert_on_every_staff_page() {
    let mut app = TestApp::spawn().await;
    signed_in_agent(&mut app, "ana@example.com", "Ana").await;
    let payload = "<script>alert(1)</script><img src=x onerror=alert(2)>";
    let fields: Vec<(&str, String)> = vec![
        ("message", format!("{payload} message")),
        ("endpoint", "/x?<script>alert(3)</script>".to_string()),
        ("tool", "other".to_string()),
        ("tool_other", format!("{payload} tool")),
        ("recent_changes", format!("{payload} changes")),
        ("name", format!("{payload} name")),
    ];
    let changes: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let ticket = file_ticket_with(&mut app, &changes).await;
    // A second, similar ticket so the first shows up in "similar tickets" too.
    file_ticket_with(&mut app, &changes).await;

    for page in [
        app.get(&staff_url(&ticket)).await,
        app.get("/staff/queue").await,
        app.get("/staff/queue?q=message").await,
        app.get(&status_url(&ticket)).await,
    ] {
        assert_eq!(page.status, StatusCode::OK);
        page.assert_lacks("<script>alert")
            .assert_lacks("<img src=x");
    }
    app.get(&staff_url(&ticket))
        .await
        .assert_contains("&#60;script&#62;alert(1)&#60;/script&#62;");
}

#[tokio::test]
async fn every_queue_route_needs_a_staff_session() {
    let mut app = TestApp::spawn().await;
    for path in ["/staff/queue.csv", "/staff/queue?status=all"] {
        let res = app.get(path).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{path}");
        assert!(res.location().starts_with("/staff/login?next="), "{path}");
    }
    let ticket = file_ticket(&mut app).await;
    let res = app
        .post_form(
            "/staff/queue/bulk",
            &[
                ("ids", &ticket.id.to_string()),
                ("action", "status"),
                ("status_to", "closed"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert!(res.location().starts_with("/staff/login"));
    assert_eq!(reload(&app, ticket.id).await.status, TicketStatus::New);
}
