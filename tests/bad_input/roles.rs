//! Who may do what: every staff route sends the signed-out to sign in,
//! every admin route refuses an agent with 403, and what the public sees
//! of a ticket (its private link) is neither sequential nor guessable
//! from another one.

use apidesk::staff::Role;
use axum::http::StatusCode;

use crate::staff_helpers::{add_staff, file_ticket_with, sign_in};

/// Every staff page and action, with ids that exist once the test has
/// filed a ticket (1), added Ada (1) and made a token, a view, a macro,
/// an incident and a webhook for her.
const STAFF_GETS: [&str; 22] = [
    "/staff",
    "/staff/queue",
    "/staff/queue.csv",
    "/staff/queue/count",
    "/staff/tickets/1",
    "/staff/tickets/1/files/00000000-0000-0000-0000-000000000000",
    "/staff/settings",
    "/staff/password",
    "/staff/mail",
    "/staff/views",
    "/staff/macros",
    "/staff/macros/1",
    "/staff/incidents",
    "/staff/insights",
    "/staff/insights/funnel.csv",
    "/staff/webhooks",
    "/staff/accounts",
    "/staff/accounts/1",
    "/staff/tokens",
    "/staff/queue?status=all",
    "/staff/tickets/1?view=%2Fstaff%2Fqueue",
    "/staff/insights/problems.csv",
];

const STAFF_POSTS: [&str; 30] = [
    "/staff/queue/bulk",
    "/staff/queue/bulk/1/undo",
    "/staff/views",
    "/staff/views/1/default",
    "/staff/views/default/clear",
    "/staff/views/1/delete",
    "/staff/tickets/1/assign",
    "/staff/tickets/1/priority",
    "/staff/tickets/1/status",
    "/staff/tickets/1/notes",
    "/staff/tickets/1/replies",
    "/staff/tickets/1/merge",
    "/staff/tickets/1/split",
    "/staff/tickets/1/problem-answer",
    "/staff/tickets/1/compose",
    "/staff/tickets/1/mail/1/resend",
    "/staff/settings",
    "/staff/password",
    "/staff/incidents",
    "/staff/incidents/1/end",
    "/staff/macros",
    "/staff/macros/1",
    "/staff/macros/1/delete",
    "/staff/webhooks",
    "/staff/webhooks/1/disable",
    "/staff/accounts",
    "/staff/accounts/1/role",
    "/staff/accounts/1/disable",
    "/staff/tokens",
    "/staff/tokens/1/revoke",
];

/// What only admins may open or do.
const ADMIN_ONLY: [(&str, &str); 13] = [
    ("GET", "/staff/webhooks"),
    ("POST", "/staff/webhooks"),
    ("POST", "/staff/webhooks/1/disable"),
    ("GET", "/staff/accounts"),
    ("POST", "/staff/accounts"),
    ("GET", "/staff/accounts/1"),
    ("POST", "/staff/accounts/1/role"),
    ("POST", "/staff/accounts/1/disable"),
    ("POST", "/staff/accounts/1/enable"),
    ("POST", "/staff/accounts/1/reset-password"),
    ("GET", "/staff/tokens"),
    ("POST", "/staff/tokens"),
    ("POST", "/staff/tokens/1/revoke"),
];

#[tokio::test]
async fn signed_out_visitors_are_sent_to_sign_in_from_every_staff_route() {
    let mut app = crate::app().await;
    file_ticket_with(&mut app, &[]).await;
    add_staff(&app, "ada@example.com", "Ada Admin", Role::Admin).await;
    for uri in STAFF_GETS {
        let res = app.get(uri).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "GET {uri}");
        assert!(
            res.location().starts_with("/staff/login"),
            "GET {uri} went to {}",
            res.location()
        );
        res.assert_lacks("APD-000001");
    }
    for uri in STAFF_POSTS {
        let res = app.post_form(uri, &[("note", "x"), ("reply", "x")]).await;
        assert!(
            res.status == StatusCode::SEE_OTHER && res.location().starts_with("/staff/login")
                || res.status == StatusCode::FORBIDDEN,
            "POST {uri}: {} {:?}",
            res.status,
            res.headers.get("location")
        );
    }
    assert_eq!(
        crate::staff_helpers::event_kinds(&app, 1).await,
        ["created"],
        "nothing was done to the ticket"
    );
}

#[tokio::test]
async fn agents_get_403_on_every_admin_route() {
    let mut app = crate::app().await;
    file_ticket_with(&mut app, &[]).await;
    let admin = add_staff(&app, "ada@example.com", "Ada Admin", Role::Admin).await;
    crate::staff_helpers::api_token(
        &app.state.store,
        admin,
        &[apidesk::tokens::Scope::TicketsRead],
    )
    .await;
    add_staff(&app, "ana@example.com", "Ana Agent", Role::Agent).await;
    sign_in(&mut app, "ana@example.com").await;
    for (method, uri) in ADMIN_ONLY {
        let res = if method == "GET" {
            app.get(uri).await
        } else {
            app.post_form(
                uri,
                &[
                    ("role", "admin"),
                    ("name", "Eve"),
                    ("email", "eve@example.com"),
                    ("url", "https://hooks.example.com/x"),
                    ("format", "json"),
                    ("events", "ticket.filed"),
                    ("scopes", "tickets:act"),
                ],
            )
            .await
        };
        assert_eq!(res.status, StatusCode::FORBIDDEN, "{method} {uri}");
    }
    // Merging is an admin's too.
    file_ticket_with(&mut app, &[]).await;
    let res = app
        .post_form("/staff/tickets/2/merge", &[("into", "APD-000001")])
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    // Nothing an agent tried took effect.
    let ana = app
        .state
        .store
        .staff_credentials("ana@example.com")
        .await
        .unwrap()
        .unwrap()
        .0;
    assert_eq!(
        ana.role,
        Role::Agent,
        "the agent did not make themselves admin"
    );
    assert!(
        app.state
            .store
            .staff_credentials("eve@example.com")
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(app.state.store.tokens().await.unwrap().len(), 1);
    assert!(
        app.state.store.tokens().await.unwrap()[0]
            .revoked_at
            .is_none()
    );
}

#[tokio::test]
async fn what_the_public_sees_of_a_ticket_is_not_guessable() {
    let mut app = crate::app().await;
    let mut tokens = Vec::new();
    for n in 0..8 {
        let email = format!("req{n}@org{n}.example");
        let ticket = file_ticket_with(&mut app, &[("email", &email)]).await;
        tokens.push(ticket.token);
    }
    for pair in tokens.windows(2) {
        let (a, b) = (pair[0].as_u128(), pair[1].as_u128());
        assert_ne!(a.abs_diff(b), 1, "tokens are not sequential");
        assert_eq!(pair[1].get_version_num(), 4, "random (v4) tokens");
    }
    // A token differs from the next in about half of its 122 random bits.
    let differing: u32 = tokens
        .windows(2)
        .map(|pair| (pair[0].as_u128() ^ pair[1].as_u128()).count_ones())
        .sum();
    assert!(
        differing > 7 * 30,
        "tokens share too many bits: {differing}"
    );
    // The status page shows no staff link, id or other ticket's token.
    let page = app.get(&format!("/tickets/{}", tokens[3])).await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_lacks("/staff/tickets/");
    for other in tokens.iter().filter(|t| **t != tokens[3]) {
        page.assert_lacks(&other.to_string());
    }
    // A token with one digit changed finds nothing.
    let mut near = tokens[3].to_string();
    let last = near.pop().unwrap();
    near.push(if last == '0' { '1' } else { '0' });
    assert_eq!(
        app.get(&format!("/tickets/{near}")).await.status,
        StatusCode::NOT_FOUND
    );
}
