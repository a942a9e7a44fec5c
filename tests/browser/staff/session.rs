//! Signing out and back in, in the browser: what a signed-out browser is
//! shown, and where signing in leads.

use apidesk::domain::ErrorCode;
use apidesk::staff::Role;

use super::{STAFF_EMAIL, STAFF_NAME, queue_references, seed_ticket, words};
use crate::forms::{chosen, fill};
use crate::harness::{Browser, DESKTOP};

/// Signs in through the sign-in page the browser is on.
async fn sign_in_here(b: &Browser) {
    assert_eq!(b.text("h1").await, "Staff sign-in");
    fill(b, "Email", STAFF_EMAIL).await;
    fill(b, "Password", crate::server::PASSWORD).await;
    b.follow_text("Sign in").await;
}

/// After signing out, a staff page (even the one just left, through Back)
/// sends the browser to sign-in; signing in there returns the person to
/// the page they asked for, a filtered view's address included.
#[tokio::test]
#[ignore = "browser test: cargo test --test browser -- --ignored"]
async fn signing_out_ends_access_and_signing_in_returns_to_the_page_asked_for() {
    let Some(b) = Browser::start(DESKTOP).await else {
        return;
    };
    let ticket = seed_ticket(&b.app.store, "404", "HTTP GET failed: not found (404)").await;
    let page = format!("/staff/tickets/{}", ticket.id);
    b.sign_in_staff(STAFF_EMAIL, STAFF_NAME, Role::Agent).await;
    b.visit(&page).await;
    assert!(b.text("main").await.contains(&ticket.details.message));
    b.follow_text("Sign out").await;
    assert_eq!(b.path().await, "/staff/login?signed_out=1");
    assert_eq!(b.text("main [role=status]").await, "You are signed out.");

    // Back, as someone at a shared computer would: not the ticket again.
    b.client.back().await.unwrap();
    assert!(
        b.path().await.starts_with("/staff/login?"),
        "Back after signing out shows {}",
        b.path().await
    );
    assert!(!b.text("main").await.contains(&ticket.details.message));
    assert_eq!(b.text("h1").await, "Staff sign-in");

    b.visit(&page).await;
    assert!(
        b.path().await.starts_with("/staff/login?"),
        "a signed-out browser is sent to sign-in, not shown {}",
        b.path().await
    );
    sign_in_here(&b).await;
    assert_eq!(b.path().await, page, "back to the page asked for");
    assert_eq!(
        words(&b.text(".ticket-head .eyebrow").await).to_lowercase(),
        format!("ticket {}", ticket.reference()).to_lowercase(),
        "the eyebrow is shown in capitals"
    );

    b.follow_text("Sign out").await;
    let view = "/staff/queue?status=all&code=404&q=found";
    b.visit(view).await;
    assert!(b.path().await.starts_with("/staff/login?"));
    sign_in_here(&b).await;
    assert_eq!(b.path().await, view, "the whole view, filters and all");
    assert_eq!(chosen(&b, "Code").await, ErrorCode::NotFound.label());
    assert_eq!(chosen(&b, "Status").await, "Any status");
    assert_eq!(queue_references(&b).await, vec![ticket.reference()]);
    b.finish().await;
}
