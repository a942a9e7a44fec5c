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
    page.assert_contains("Mail with the requester")
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

#[tokio::test]
async fn staff_choose_their_mail_under_my_settings() {
    let mut app = TestApp::spawn().await;
    let id = signed_in_agent(&mut app, "ana@example.com", "Ana Agent").await;
    let page = app.get("/staff/settings").await;
    page.assert_contains("When a ticket needs attention fast")
        .assert_contains("Email is not configured on this apidesk")
        .assert_lacks("checked");

    let saved = app
        .post_form(
            "/staff/settings",
            &[("time_zone", "Europe/Berlin"), ("notify_assigned", "on")],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    let me = app.state.store.staff_by_id(id).await.unwrap().unwrap();
    assert_eq!((me.notices.urgent, me.notices.assigned), (false, true));
    let page = app.get("/staff/settings").await;
    assert_eq!(page.body.matches(" checked").count(), 1);

    // Unticking both, with a mistake elsewhere: the page keeps the choice.
    let refused = app
        .post_form("/staff/settings", &[("time_zone", "Mars/Olympus")])
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    refused.assert_lacks(" checked");
    let me = app.state.store.staff_by_id(id).await.unwrap().unwrap();
    assert!(me.notices.assigned, "nothing saved from a refused form");
}

#[tokio::test]
async fn email_me_my_tickets_says_the_same_whoever_asks_and_mails_only_real_requesters() {
    let mut app = TestApp::spawn_configured(|config| {
        config.public_url = Some("https://help.example.com".into());
        config.mail.smtp_url = Some("smtp://127.0.0.1:1".into());
        config.mail.mail_from = Some("apidesk <support@example.com>".into());
    })
    .await;
    let ticket = file_ticket(&mut app).await;
    let page = app.get("/tickets/lost").await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains("Email me my links");

    let mut answers = Vec::new();
    for email in [ticket.details.email.as_str(), "nobody@example.com"] {
        let res = app.post_form("/tickets/lost", &[("email", email)]).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER);
        answers.push(res.location().to_string());
    }
    assert_eq!(answers[0], answers[1], "the same answer either way");
    let page = app.get(&answers[0]).await;
    page.assert_contains("Check your mailbox");

    let due = app
        .state
        .store
        .due_mail(time::OffsetDateTime::now_utc(), 50)
        .await
        .unwrap();
    let links: Vec<_> = due.iter().filter(|m| m.kind == MailKind::Links).collect();
    assert_eq!(links.len(), 1, "only the address with a ticket gets mail");
    assert_eq!(links[0].recipient, ticket.details.email);

    // A mistake comes back with what was typed and a message beside it.
    let res = app
        .post_form("/tickets/lost", &[("email", "not-an-address")])
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    res.assert_contains("value=\"not-an-address\"")
        .assert_contains("Enter an email address like name@example.com.");
}

#[tokio::test]
async fn without_smtp_the_links_page_says_it_cannot_mail() {
    let mut app = TestApp::spawn().await;
    let page = app.get("/tickets/lost").await;
    page.assert_contains("does not send email")
        .assert_lacks("Email me my links");
}
