//! Journey 5, the requester's half: every page works with JavaScript
//! switched off (the staff half is in staff.rs).

use apidesk::domain::ErrorCode;
use apidesk::kb::KnowledgeBase;

use crate::forms::{choose, fill, pick, set_date_time};
use crate::harness::{Browser, Options, PHONE};

const NEXT_CHECK: &str = "No, still failing — next check";

/// Fails unless app.js really is off: it would have hidden "which one?".
async fn assert_javascript_is_off(b: &Browser) {
    let hidden = b
        .script("return document.getElementById('tool-other-group').hidden;")
        .await;
    assert_eq!(hidden, false, "app.js ran: JavaScript is on");
}

/// Paste, every check, the article, the form with a mistake and fixed, the
/// ticket, information added; and a fix found on a check is counted.
#[tokio::test]
#[ignore = "browser test: cargo test --test browser -- --ignored"]
async fn the_requester_journey_without_javascript() {
    let Some(b) = Browser::start_with(Options::at(PHONE).without_javascript()).await else {
        return;
    };
    let kb = KnowledgeBase::load_embedded().expect("the built-in content loads");
    let code = ErrorCode::parse("404").unwrap();
    let tree = kb.tree(code);

    // A fix on the second check, counted.
    b.visit("/troubleshoot/404").await;
    b.follow_text(NEXT_CHECK).await;
    b.follow_text("Yes, fixed — the call works now").await;
    assert_eq!(b.text("h1").await, "Glad that fixed it");
    assert_eq!(
        b.app
            .store
            .deflection_count(tree, &tree.steps[1].id)
            .await
            .unwrap(),
        1
    );

    // Paste, every check "No", the article, on to the form.
    b.visit("/").await;
    b.type_into("#field-message", "HTTP DELETE failed: not found (404)")
        .await;
    b.follow_text("Find the cause").await;
    assert_eq!(b.text("h1").await, code.label());
    for _ in 1..tree.steps.len() {
        b.follow_text(NEXT_CHECK).await;
    }
    b.follow_text("No, still failing — contact support").await;
    b.follow(".article-pointer a").await;
    assert_eq!(b.text("h1").await, kb.article_for(code).title);
    b.follow_text("Continue to your ticket").await;

    // The form: filled from the journey, "which one?" shown, a mistake.
    assert_javascript_is_off(&b).await;
    assert_eq!(b.value("#field-error_code").await, "404");
    assert_eq!(b.checked_value("method").await.as_deref(), Some("DELETE"));
    fill(&b, "API endpoint", "/openapi/views/12/records/991").await;
    set_date_time(&b, "Date and time", "2026-11-27T14:05").await;
    choose(&b, "Integration tool", "Something else").await;
    fill(&b, "If something else, which one?", "n8n").await;
    pick(&b, "Environment", "Sandbox").await;
    b.follow_text("Send to support").await;

    assert!(b.client.title().await.unwrap().starts_with("Error: "));
    assert_eq!(
        b.texts("#error-summary li").await,
        ["Enter your email address so support can reply."]
    );
    assert_eq!(b.value("#field-tool_other").await, "n8n");
    assert_eq!(
        b.value("#field-endpoint").await,
        "/openapi/views/12/records/991"
    );
    assert_eq!(b.value("#field-occurred_at").await, "2026-11-27T14:05");
    assert_eq!(
        b.checked_value("environment").await.as_deref(),
        Some("sandbox")
    );
    fill(&b, "Email", "lin@example.com").await;
    b.follow_text("Send to support").await;

    // The ticket, and information added to it.
    assert!(
        b.text(".notice-success")
            .await
            .contains("Your ticket is filed")
    );
    fill(
        &b,
        "What else should support know?",
        "It fails for record 991 only.",
    )
    .await;
    b.follow_text("Add to the ticket").await;
    assert!(b.text(".notice-success").await.contains("Added."));
    assert!(
        b.text("#updates")
            .await
            .contains("It fails for record 991 only."),
        "the addition shows on the timeline"
    );
    let stored = b.app.store.ticket_by_id(1).await.unwrap().expect("filed");
    assert_eq!(
        stored.details.tool.map(|t| t.label()).as_deref(),
        Some("n8n")
    );
    assert_eq!(stored.details.path.len(), tree.steps.len());
    b.finish().await;
}
