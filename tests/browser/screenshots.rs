//! Screenshots of the pages at the phone and desktop sizes, and no sideways
//! scrolling on the phone.

use apidesk::domain::ErrorCode;
use apidesk::kb::KnowledgeBase;

use crate::harness::{Browser, DESKTOP, PHONE, Size};

/// (screenshot name, path) of every page photographed so far.
fn pages() -> Vec<(&'static str, String)> {
    let kb = KnowledgeBase::load_embedded().expect("the built-in content loads");
    let article = &kb.article_for(ErrorCode::ALL[0]).slug;
    vec![
        ("start", "/".to_string()),
        ("tree-step", format!("/troubleshoot/{}", ErrorCode::ALL[0])),
        ("article", format!("/articles/{article}")),
        ("ticket-form", "/tickets/new".to_string()),
    ]
}

async fn photograph_every_page(size: Size) {
    let Some(b) = Browser::start(size).await else {
        return;
    };
    for (name, path) in pages() {
        b.visit(&path).await;
        assert!(!b.text("h1").await.is_empty(), "{path} has a heading");
        let file = b.screenshot(name).await;
        assert!(std::fs::metadata(&file).unwrap().len() > 1000, "{file:?}");
        if size.width <= PHONE.width {
            b.assert_no_horizontal_scroll().await;
        }
    }
    b.finish().await;
}

#[tokio::test]
#[ignore = "browser test: cargo test --test browser -- --ignored"]
async fn every_page_on_a_phone_fits_without_sideways_scrolling() {
    photograph_every_page(PHONE).await;
}

#[tokio::test]
#[ignore = "browser test: cargo test --test browser -- --ignored"]
async fn every_page_on_a_desktop() {
    photograph_every_page(DESKTOP).await;
}
