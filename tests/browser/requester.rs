//! The requester's journeys in the browser.

use apidesk::domain::ErrorCode;
use apidesk::kb::KnowledgeBase;
use fantoccini::key::Key;

use crate::harness::{Browser, DESKTOP, Options, PHONE};

const NEXT_CHECK: &str = "No, still failing — next check";
const YES: &str = "Yes, fixed — the call works now";

/// Journey 1, for every code: the start page, the code's card, every check
/// ("No, still failing" until the last), "Yes, fixed" on the last, the
/// thank-you page; the fix is counted once, even after a reload.
#[tokio::test]
#[ignore = "browser test: cargo test --test browser -- --ignored"]
async fn every_code_from_the_start_page_to_fixed_is_counted_once() {
    let Some(b) = Browser::start(DESKTOP).await else {
        return;
    };
    let kb = KnowledgeBase::load_embedded().expect("the built-in content loads");
    for code in ErrorCode::ALL {
        let tree = kb.tree(code);
        b.visit("/").await;
        b.follow(&format!(
            "a.code-card[href='/troubleshoot/{code}'], a.code-card[href^='/troubleshoot/{code}?']"
        ))
        .await;
        assert_eq!(b.text("h1").await, code.label(), "{code}");

        let (last, before_last) = tree.steps.split_last().expect("a tree has steps");
        for (i, step) in before_last.iter().enumerate() {
            assert_eq!(b.text("#step-heading").await, step.check, "{code} step {i}");
            b.follow_text(NEXT_CHECK).await;
        }
        assert_eq!(
            b.text("#step-heading").await,
            last.check,
            "{code} last step"
        );
        b.follow_text(YES).await;

        assert_eq!(b.text("h1").await, "Glad that fixed it", "{code}");
        assert!(b.text(".success").await.contains(&last.check), "{code}");
        assert!(
            b.path()
                .await
                .starts_with(&format!("/troubleshoot/{code}/fixed"))
        );
        b.client.refresh().await.unwrap();
        assert_eq!(b.text("h1").await, "Glad that fixed it", "{code} reloaded");

        let store = &b.app.store;
        assert_eq!(
            store.deflection_count(tree, &last.id).await.unwrap(),
            1,
            "{code}: the fix is counted once"
        );
        for step in before_last {
            assert_eq!(
                store.deflection_count(tree, &step.id).await.unwrap(),
                0,
                "{code} {}: only the step that fixed it counts",
                step.id
            );
        }
    }
    b.finish().await;
}

/// The start of journey 2, by keyboard: paste a message, Tab to "Find the
/// cause", Enter: the recognised code's first check, message kept.
#[tokio::test]
#[ignore = "browser test: cargo test --test browser -- --ignored"]
async fn a_pasted_message_leads_to_its_code_by_keyboard() {
    let Some(b) = Browser::start(crate::harness::PHONE).await else {
        return;
    };
    b.visit("/").await;
    b.click("#field-message").await;
    b.type_into("#field-message", "HTTP GET failed: unauthorized (401)")
        .await;
    b.press(Key::Tab).await;
    let focused = b.client.active_element().await.unwrap();
    assert_eq!(focused.text().await.unwrap(), "Find the cause");
    b.press_and_follow(Key::Enter).await;
    assert!(
        b.path().await.starts_with("/troubleshoot/401"),
        "{}",
        b.path().await
    );
    assert!(b.text("#step-heading").await.len() > 10);
    b.finish().await;
}

/// The ticket form preselects the time zone the browser reports (here one
/// that is not the machine's, and that browsers may name by an older alias).
#[tokio::test]
#[ignore = "browser test: cargo test --test browser -- --ignored"]
async fn the_ticket_form_preselects_the_browsers_time_zone() {
    for (reported, listed) in [
        ("Asia/Kolkata", "Asia/Kolkata"),
        ("Asia/Calcutta", "Asia/Kolkata"),
        ("Europe/Kiev", "Europe/Kyiv"),
        ("America/Sao_Paulo", "America/Sao_Paulo"),
    ] {
        let options = Options::at(DESKTOP).in_time_zone(reported);
        let Some(b) = Browser::start_with(options).await else {
            return;
        };
        b.visit("/tickets/new").await;
        let chosen = b
            .script("return document.querySelector('select[data-browser-default]').value;")
            .await;
        assert_eq!(chosen, listed, "the browser reports {reported}");
        b.finish().await;
    }
}

/// A message as a script's log prints it: two lines, quotes and markup that
/// must come back exactly as typed.
const PASTED: &str =
    "HTTP GET failed: unauthorized (401)\nbody: {\"message\": \"Invalid <UserKey> & token\"}";

/// Journey 2: paste a message → its code's checks, each "still failing" →
/// the article, the journey kept → the form filled from it → a submit with
/// mistakes keeps every value and focuses the summary → fixed → the ticket.
#[tokio::test]
#[ignore = "browser test: cargo test --test browser -- --ignored"]
async fn a_pasted_message_through_every_check_to_a_filed_ticket() {
    let options = Options::at(PHONE).in_time_zone("Europe/Berlin");
    let Some(b) = Browser::start_with(options).await else {
        return;
    };
    let kb = KnowledgeBase::load_embedded().expect("the built-in content loads");
    let code = ErrorCode::parse("401").unwrap();
    let tree = kb.tree(code);
    let checks: Vec<&str> = tree.steps.iter().map(|s| s.check.as_str()).collect();

    b.visit("/").await;
    b.type_into("#field-message", PASTED).await;
    b.follow_text("Find the cause").await;
    assert_eq!(b.text("h1").await, code.label());
    assert!(
        b.text(".notice").await.contains("401"),
        "the notice names the status"
    );

    let (last, before_last) = checks.split_last().unwrap();
    for (i, check) in before_last.iter().enumerate() {
        assert_eq!(b.text("#step-heading").await, *check, "step {i}");
        b.follow_text(NEXT_CHECK).await;
    }
    assert_eq!(b.text("#step-heading").await, *last);
    b.follow_text("No, still failing — contact support").await;
    assert_eq!(b.text("#end-heading").await, "Time to bring in support");
    assert_eq!(b.texts(".done-list li").await, checks);

    // The article keeps the journey: its button leads on to the ticket.
    let article = kb.article_for(code);
    b.follow(".article-pointer a").await;
    assert_eq!(b.text("h1").await, article.title);
    assert!(
        b.text(".journey-notice")
            .await
            .contains("your ticket is ready")
    );
    b.follow_text("Continue to your ticket").await;

    // The form, filled from the journey.
    assert_eq!(b.text("h1").await, "Contact support");
    assert_eq!(b.value("#field-error_code").await, "401");
    assert_eq!(b.value("#field-message").await, PASTED);
    assert_eq!(b.checked_value("method").await.as_deref(), Some("GET"));
    assert_eq!(b.texts(".done-list li").await, checks);

    // A submit with mistakes: no endpoint, no tool, no environment, and an
    // address that is not one; what was typed must all come back.
    b.type_into("#field-name", "Ada Lovelace").await;
    b.type_into("#field-email", "ada-at-example").await;
    b.type_into("#field-recent_changes", "Rotated the user key on Monday.")
        .await;
    b.script("document.getElementById('field-occurred_at').focus(); return null;")
        .await;
    b.press_keys("11272026").await;
    b.press(Key::Right).await;
    // Typed as a person in the US would: month, day, year, then the time.
    b.press_keys("0915AM").await;
    b.follow_text("Send to support").await;

    assert!(b.client.title().await.unwrap().starts_with("Error: "));
    assert_eq!(
        b.focused_id().await,
        "error-summary",
        "focus is on the summary"
    );
    let problems = b.texts("#error-summary li").await;
    assert_eq!(problems.len(), 4, "{problems:?}");
    assert_eq!(b.value("#field-message").await, PASTED);
    assert_eq!(b.value("#field-error_code").await, "401");
    assert_eq!(b.checked_value("method").await.as_deref(), Some("GET"));
    assert_eq!(b.value("#field-name").await, "Ada Lovelace");
    assert_eq!(b.value("#field-email").await, "ada-at-example");
    assert_eq!(
        b.value("#field-recent_changes").await,
        "Rotated the user key on Monday."
    );
    assert_eq!(b.value("#field-occurred_at").await, "2026-11-27T09:15");
    assert_eq!(b.value("#field-time_zone").await, "Europe/Berlin");
    assert_eq!(
        b.texts(".done-list li").await,
        checks,
        "the checks are kept"
    );

    // Each summary entry leads to its field.
    b.click("#error-summary a[href='#field-endpoint']").await;
    assert_eq!(b.focused_id().await, "field-endpoint");
    b.type_into("#field-endpoint", "/openapi/views/12/records")
        .await;
    b.click("#field-tool option[value=workato]").await;
    b.click("input[name=environment][value=production]").await;
    b.find("#field-email").await.clear().await.unwrap();
    b.type_into("#field-email", "ada@example.com").await;
    b.follow_text("Send to support").await;

    // The status page, and what was stored.
    assert!(
        b.text(".notice-success")
            .await
            .contains("Your ticket is filed")
    );
    assert_eq!(b.text("h1").await, format!("{} on GET", code.label()));
    let address = b.path().await;
    let token = address
        .trim_start_matches("/tickets/")
        .split('?')
        .next()
        .unwrap();
    let ticket = b
        .app
        .store
        .ticket_by_token(
            token
                .parse()
                .expect("the status page's address holds the token"),
        )
        .await
        .unwrap()
        .expect("the ticket is stored");
    let stored = &ticket.details;
    assert_eq!(stored.error_code, code);
    assert_eq!(stored.message, PASTED);
    assert_eq!(stored.method.map(|m| m.as_str()), Some("GET"));
    assert_eq!(stored.endpoint, "/openapi/views/12/records");
    assert_eq!(stored.email, "ada@example.com");
    assert_eq!(stored.recent_changes, "Rotated the user key on Monday.");
    let steps: Vec<&str> = tree.steps.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(stored.path, steps, "the checks made go with the ticket");
    // 09:15 in Berlin in November is 08:15 UTC.
    assert_eq!(
        stored.occurred_at,
        Some(time::macros::datetime!(2026-11-27 08:15 UTC))
    );
    b.finish().await;
}
