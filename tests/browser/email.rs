//! Mail in the browser journeys: the confirmation a filed ticket sends, and
//! a requester who lost the link getting it back by email.

use mail_parser::MessageParser;

use crate::forms::{choose, fill, pick, set_date_time};
use crate::harness::{Browser, PHONE, free_port};
use crate::server::Server;
use crate::smtp::SmtpServer;

/// The first link in a mail's plain text that starts with `prefix`.
fn link_in(data: &[u8], prefix: &str) -> String {
    let message = MessageParser::default().parse(data).expect("a mail");
    let text = message.body_text(0).expect("a text part").to_string();
    text.split_whitespace()
        .find(|word| word.starts_with(prefix))
        .unwrap_or_else(|| panic!("no link starting {prefix:?} in:\n{text}"))
        .to_string()
}

#[tokio::test]
#[ignore = "browser test: cargo test --test browser -- --ignored"]
async fn a_requester_who_lost_the_link_gets_it_back_by_email() {
    let Some(mut b) = Browser::start(PHONE).await else {
        return;
    };
    // An apidesk that mails through a real SMTP server; its public address
    // is known before it starts, for the links in mail.
    let smtp = SmtpServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let public = format!("http://127.0.0.1:{port}");
    let mut config = crate::common::test_config(&dir);
    config.bind = format!("127.0.0.1:{port}").parse().unwrap();
    config.public_url = Some(public.clone());
    config.mail.smtp_url = Some(smtp.url(None));
    config.mail.mail_from = Some("apidesk support <support@example.com>".into());
    let default = std::mem::replace(&mut b.app, Server::start_with(config).await);
    default.shut_down().await;

    // Filed through the form; the confirmation carries the private link.
    b.visit("/tickets/new").await;
    choose(&b, "Error code", "401 Unauthorized").await;
    fill(
        &b,
        "Full error message",
        "HTTP GET failed: unauthorized (401)",
    )
    .await;
    fill(&b, "API endpoint", "/openapi/views/12/records").await;
    pick(&b, "HTTP method", "GET").await;
    set_date_time(&b, "Date and time", "2026-11-27T09:15").await;
    choose(&b, "Integration tool", "Workato").await;
    pick(&b, "Environment", "Production").await;
    fill(&b, "Email", "robin@example.com").await;
    b.follow_text("Send to support").await;
    let status_page = b.path().await;
    let status_page = status_page.split('?').next().unwrap().to_string();
    let confirmation = smtp.wait_for_messages(1).await.remove(0);
    assert_eq!(
        link_in(&confirmation.data, &public),
        format!("{public}{status_page}")
    );

    // The link is lost: from any page's footer to the links by email.
    b.client.delete_all_cookies().await.unwrap();
    b.visit("/").await;
    b.follow_text("Get your links by email").await;
    assert_eq!(b.text("h1").await, "Get the links to your tickets");
    fill(&b, "Email", "Robin@Example.com").await;
    b.follow_text("Email me my links").await;
    assert!(b.text("[role=status]").await.contains("Check your mailbox"));

    let links = smtp.wait_for_messages(2).await.remove(1);
    assert_eq!(links.rcpt_to, ["robin@example.com"]);
    let link = link_in(&links.data, &format!("{public}/tickets/"));
    b.client.goto(&link).await.unwrap();
    assert_eq!(b.text("h1").await, "401 Unauthorized on GET");
    assert_eq!(b.path().await, status_page, "the same ticket");
    b.finish().await;
}
