//! The mail outbox as staff see it on a ticket's page: what was mailed to
//! whom, how delivery went, and sending again.

mod common;
#[path = "common/staff.rs"]
mod staff_helpers;

use apidesk::tickets::{MailKind, MailState};
use axum::http::StatusCode;
use common::TestApp;
use staff_helpers::{file_ticket, signed_in_agent, staff_url};

#[tokio::test]
async fn without_smtp_the_page_says_so_once_and_the_mail_is_recorded_as_not_sent() {
    let mut app = TestApp::spawn().await;
    signed_in_agent(&mut app, "ana@example.com", "Ana Agent").await;
    let ticket = file_ticket(&mut app).await;
    let mail = app.state.store.ticket_mail(ticket.id).await.unwrap();
    assert_eq!(mail.len(), 1);
    assert_eq!(
        (mail[0].kind, mail[0].state),
        (MailKind::Filed, MailState::NotSent)
    );

    let page = app.get(&staff_url(&ticket)).await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains("Mail to the requester")
        .assert_contains("Ticket received")
        .assert_contains(&ticket.details.email)
        .assert_contains("Not sent")
        .assert_lacks("Send again");
    assert_eq!(
        page.body.matches("Email is not configured").count(),
        1,
        "said once, not once per mail"
    );
}
