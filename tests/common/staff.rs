//! Helpers for tests of the staff side over the router: staff accounts,
//! signing in through the real form, and filing tickets to work on.
//! Declared from a test file as `#[path = "common/staff.rs"] mod staff_helpers;`
//! next to `mod common;`.

#![allow(dead_code)]

use apidesk::staff::{NewStaffMember, Role};
use apidesk::tickets::Ticket;
use axum::http::StatusCode;
use uuid::Uuid;

use crate::common::{TestApp, as_pairs, valid_ticket};

pub const PASSWORD: &str = "a long password for tests";

/// Adds an active staff member and returns their id.
pub async fn add_staff(app: &TestApp, email: &str, name: &str, role: Role) -> i64 {
    let new = NewStaffMember::check(email, name, role, PASSWORD.to_string())
        .await
        .expect("a valid staff member");
    app.state
        .store
        .add_staff_member(new, time::OffsetDateTime::now_utc())
        .await
        .expect("the staff member is added")
        .id
}

/// Signs in through `POST /staff/login`, as a browser would (CSRF token and
/// all); the session cookie stays in the app's cookie jar.
pub async fn sign_in(app: &mut TestApp, email: &str) {
    let res = app
        .post_form(
            "/staff/login",
            &[
                ("email", email),
                ("password", PASSWORD),
                ("next", "/staff/queue"),
            ],
        )
        .await;
    assert_eq!(
        res.status,
        StatusCode::SEE_OTHER,
        "sign-in failed:\n{}",
        res.body
    );
    assert_eq!(res.location(), "/staff/queue");
}

/// Adds an agent and signs in as them; returns their id.
pub async fn signed_in_agent(app: &mut TestApp, email: &str, name: &str) -> i64 {
    let id = add_staff(app, email, name, Role::Agent).await;
    sign_in(app, email).await;
    id
}

/// Files a ticket through the public form, with some fields replaced, and
/// returns it as stored.
pub async fn file_ticket_with(app: &mut TestApp, changes: &[(&str, &str)]) -> Ticket {
    let mut fields = valid_ticket();
    for (name, value) in changes {
        fields
            .iter_mut()
            .find(|(k, _)| k == name)
            .unwrap_or_else(|| panic!("unknown ticket field {name}"))
            .1 = value.to_string();
    }
    let res = app.post_form("/tickets", &as_pairs(&fields)).await;
    assert_eq!(
        res.status,
        StatusCode::SEE_OTHER,
        "filing failed:\n{}",
        res.body
    );
    let token = res
        .location()
        .strip_prefix("/tickets/")
        .and_then(|rest| rest.split('?').next())
        .and_then(|t| Uuid::parse_str(t).ok())
        .expect("redirected to the status page");
    app.state
        .store
        .ticket_by_token(token)
        .await
        .unwrap()
        .expect("the ticket is stored")
}

pub async fn file_ticket(app: &mut TestApp) -> Ticket {
    file_ticket_with(app, &[]).await
}

/// The ticket as stored now.
pub async fn reload(app: &TestApp, id: i64) -> Ticket {
    app.state
        .store
        .ticket_by_id(id)
        .await
        .unwrap()
        .expect("the ticket exists")
}

/// The kinds of the ticket's events, oldest first.
pub async fn event_kinds(app: &TestApp, id: i64) -> Vec<String> {
    use apidesk::tickets::EventKind as K;
    app.state
        .store
        .ticket_timeline(id)
        .await
        .unwrap()
        .into_iter()
        .map(|e| {
            match e.kind {
                K::Created { .. } => "created",
                K::DetailsGiven { .. } => "details_given",
                K::Assigned { .. } => "assigned",
                K::Priority { .. } => "priority",
                K::Status { .. } => "status",
                K::Note => "note",
                K::Reply { .. } => "reply",
                K::RequesterReply { .. } => "requester_reply",
                K::MailNote { .. } => "mail_note",
                K::Merged { .. } => "merged",
                K::MergedFrom { .. } => "merged_from",
                K::SplitOut { .. } => "split_out",
                K::Other(_) => "other",
            }
            .to_string()
        })
        .collect()
}

/// The requester's status page URL for a ticket.
pub fn status_url(ticket: &Ticket) -> String {
    format!("/tickets/{}", ticket.token)
}

pub fn staff_url(ticket: &Ticket) -> String {
    format!("/staff/tickets/{}", ticket.id)
}

/// An API token with `scopes` for the admin `admin` (a staff id), stored
/// as an admin would create it; returns its value, shown this once.
pub async fn api_token(
    store: &apidesk::store::Store,
    admin: i64,
    scopes: &[apidesk::tokens::Scope],
) -> String {
    let secret = apidesk::tokens::TokenSecret::generate();
    let new = apidesk::tokens::NewToken {
        name: "Workato error handler".into(),
        scopes: scopes.to_vec(),
    };
    store
        .create_token(
            &new,
            &secret.hash(),
            &secret.prefix(),
            admin,
            time::OffsetDateTime::now_utc(),
        )
        .await
        .expect("the token is stored");
    secret.reveal().to_string()
}
