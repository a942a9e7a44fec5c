//! The requester's journeys in the browser.

use apidesk::domain::ErrorCode;
use apidesk::kb::KnowledgeBase;
use fantoccini::key::Key;

use crate::harness::{Browser, DESKTOP, Options};

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
