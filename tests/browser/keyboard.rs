//! Journey 4: the requester's journey by keyboard alone (Tab, Shift+Tab,
//! Enter, Space), with focus always visible and moving in reading order.

use apidesk::domain::ErrorCode;
use apidesk::kb::KnowledgeBase;
use fantoccini::key::Key;
use serde::Deserialize;

use crate::harness::{Browser, DESKTOP, PHONE};

/// Where focus is, as a person sees it.
#[derive(Debug, Deserialize)]
struct Focus {
    /// Tag, id or name, and text: enough to tell stops apart in a message.
    what: String,
    text: String,
    id: String,
    /// The element's box in page coordinates.
    top: f64,
    left: f64,
    right: f64,
    /// Whether a focus ring (outline or box shadow) is drawn.
    ring: bool,
}

const DESCRIBE_FOCUS: &str = r#"
const e = document.activeElement;
if (!e || e === document.body || e === document.documentElement) { return null; }
const r = e.getBoundingClientRect();
const s = getComputedStyle(e);
const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0;
const shadow = s.boxShadow !== '' && s.boxShadow !== 'none';
const text = (e.innerText || e.value || e.getAttribute('aria-label') || '').trim();
return {
  what: e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.name ? '[name=' + e.name + ']' : ''),
  text: text.slice(0, 80),
  id: e.id,
  top: r.top + window.scrollY,
  left: r.left + window.scrollX,
  right: r.right + window.scrollX,
  ring: outline || shadow,
};
"#;

/// Where focus is now, or `None` when nothing has it.
async fn focus(b: &Browser) -> Option<Focus> {
    let described = b.script(DESCRIBE_FOCUS).await;
    serde_json::from_value(described).expect("a description of the focus")
}

/// Presses Tab (or Shift+Tab) and returns where focus went, failing if
/// no focus ring shows there.
async fn tab(b: &Browser, backwards: bool) -> Focus {
    if backwards {
        let keys = format!("{}{}", char::from(Key::Shift), char::from(Key::Tab));
        b.press_keys(&keys).await;
        // Release Shift so the next key is not shifted.
        b.press(Key::Null).await;
    } else {
        b.press_on_keyboard(Key::Tab).await;
    }
    let at = focus(b).await.expect("Tab leaves focus on an element");
    assert!(
        at.ring,
        "no visible focus on {} ({:?}) at {} on {}",
        at.what,
        at.text,
        b.size.name,
        b.path().await
    );
    at
}

/// Tabs forward until focus is on an element whose text is `text`; fails
/// after `limit` stops.
async fn tab_to(b: &Browser, text: &str, limit: usize) -> Focus {
    tab_until(b, text, limit, |at| at.text == text).await
}

/// Tabs forward until focus is on the field with the id `id`.
async fn tab_to_field(b: &Browser, id: &str, limit: usize) -> Focus {
    tab_until(b, id, limit, |at| at.id == id).await
}

/// Tabs forward until `wanted` holds for the focused element, at most
/// `limit` times. Every stop on the way must come after the one before it
/// in reading order.
async fn tab_until(
    b: &Browser,
    what: &str,
    limit: usize,
    wanted: impl Fn(&Focus) -> bool,
) -> Focus {
    let mut before: Option<Focus> = focus(b).await;
    for _ in 0..limit {
        let at = tab(b, false).await;
        if let Some(prev) = &before {
            assert_reading_order(b, prev, &at).await;
        }
        if wanted(&at) {
            return at;
        }
        before = Some(at);
    }
    panic!(
        "{what:?} not reached within {limit} Tabs on {}",
        b.path().await
    );
}

/// `next` must read after `prev`: lower on the page, or beside it to the
/// right (the same row, or a column to the right on wide screens).
async fn assert_reading_order(b: &Browser, prev: &Focus, next: &Focus) {
    const SLACK: f64 = 4.0;
    let below = next.top >= prev.top - SLACK;
    let same_row = (next.top - prev.top).abs() <= SLACK;
    let to_the_right = next.left >= prev.left - SLACK;
    let next_column = next.left >= prev.right - SLACK;
    assert!(
        (below && (!same_row || to_the_right)) || next_column,
        "focus jumps back from {} ({:?}) to {} ({:?}) on {} at {}",
        prev.what,
        prev.text,
        next.what,
        next.text,
        b.path().await,
        b.size.name
    );
}

/// Puts focus at the start of the document, as a page load does.
async fn from_the_top(b: &Browser) {
    b.script("document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0); return null;")
        .await;
}

/// Tabs through a whole page: every stop visible and in reading order,
/// until focus leaves the page or `limit` stops.
async fn tab_through_page(b: &Browser, limit: usize) -> usize {
    from_the_top(b).await;
    let mut prev: Option<Focus> = None;
    let mut stops = 0;
    for _ in 0..limit {
        b.press(Key::Tab).await;
        let Some(at) = focus(b).await else { break };
        if prev
            .as_ref()
            .is_some_and(|p| p.what == at.what && p.text == at.text)
        {
            break;
        }
        assert!(
            at.ring,
            "no visible focus on {} ({:?}) on {} at {}",
            at.what,
            at.text,
            b.path().await,
            b.size.name
        );
        if let Some(p) = &prev {
            // The skip link sits over the header while focused; the order
            // that matters starts after it.
            if p.text != "Skip to content" {
                assert_reading_order(b, p, &at).await;
            }
        }
        stops += 1;
        prev = Some(at);
    }
    stops
}

/// The requester's whole journey on a phone without a mouse: skip link,
/// paste, every check, the article, the form with a mistake, the ticket.
#[tokio::test]
#[ignore = "browser test: cargo test --test browser -- --ignored"]
async fn the_requester_journey_by_keyboard_alone() {
    let Some(b) = Browser::start(PHONE).await else {
        return;
    };
    let kb = KnowledgeBase::load_embedded().expect("the built-in content loads");
    let code = ErrorCode::parse("429").unwrap();
    let steps = &kb.tree(code).steps;

    // The skip link comes first and takes focus past the header.
    b.visit("/").await;
    let first = tab(&b, false).await;
    assert_eq!(first.text, "Skip to content");
    b.press(Key::Enter).await;
    let main = focus(&b).await.expect("focus moves to the content");
    assert_eq!(main.id, "main");
    let field = tab(&b, false).await;
    assert_eq!(
        field.id, "field-message",
        "the paste box is first in the content"
    );
    b.press_keys("HTTP POST failed: too many requests (429)")
        .await;
    tab_to(&b, "Find the cause", 1).await;
    b.press_and_follow(Key::Enter).await;
    assert_eq!(b.text("h1").await, code.label());

    // Each check: Tab to "No", and Shift+Tab from "Yes" comes back to it.
    for (i, step) in steps.iter().enumerate() {
        assert_eq!(b.text("#step-heading").await, step.check, "check {i}");
        let last = i + 1 == steps.len();
        let no = if last {
            "No, still failing — contact support"
        } else {
            "No, still failing — next check"
        };
        from_the_top(&b).await;
        tab_to(&b, no, 40).await;
        let yes = tab(&b, false).await;
        assert_eq!(yes.text, "Yes, fixed — the call works now");
        let back = tab(&b, true).await;
        assert_eq!(back.text, no, "Shift+Tab goes back to “No”");
        b.press_and_follow(Key::Enter).await;
    }

    // The end of the checks, then the article and on to the ticket.
    assert_eq!(b.text("#end-heading").await, "Time to bring in support");
    let article = kb.article_for(code);
    from_the_top(&b).await;
    tab_to(&b, &article.title, 40).await;
    b.press_and_follow(Key::Enter).await;
    assert_eq!(b.text("h1").await, article.title);
    from_the_top(&b).await;
    tab_to(&b, "Continue to your ticket", 40).await;
    b.press_and_follow(Key::Enter).await;
    assert_eq!(b.text("h1").await, "Contact support");

    // The form by keyboard: the code, message and method come filled in.
    assert_eq!(b.value("#field-error_code").await, "429");
    assert_eq!(b.checked_value("method").await.as_deref(), Some("POST"));
    from_the_top(&b).await;
    tab_to_field(&b, "field-endpoint", 60).await;
    b.press_keys("/openapi/views/3/records").await;
    // The method's radio group is one stop; the date follows.
    let method = tab(&b, false).await;
    assert_eq!(method.what, "input[name=method]");
    let date = tab(&b, false).await;
    assert_eq!(date.id, "field-occurred_at");
    b.press_keys("11272026").await;
    b.press(Key::Right).await;
    b.press_keys("1030AM").await;
    // Tab goes through the date field's own calendar button on the way.
    let picker = tab(&b, false).await;
    assert_eq!(picker.id, "field-occurred_at");
    let zone = tab(&b, false).await;
    assert_eq!(zone.id, "field-time_zone");
    let tool = tab(&b, false).await;
    assert_eq!(tool.id, "field-tool");
    // A closed list picks the option whose label starts with the letter.
    b.press_keys("W").await;
    assert_eq!(b.value("#field-tool").await, "workato");
    // With Workato chosen, "which one?" is hidden and skipped.
    let environment = tab(&b, false).await;
    assert_eq!(environment.what, "input[name=environment]");
    b.press(Key::Space).await;
    assert_eq!(
        b.checked_value("environment").await.as_deref(),
        Some("production")
    );
    let changes = tab(&b, false).await;
    assert_eq!(changes.id, "field-recent_changes");
    // The file field is one stop: its button opens the file chooser.
    let files = tab(&b, false).await;
    assert_eq!(files.id, "field-files");
    let name = tab(&b, false).await;
    assert_eq!(name.id, "field-name");
    let email = tab(&b, false).await;
    assert_eq!(email.id, "field-email");
    b.press_keys("not an address").await;
    // Right after the last field comes the submit button, nothing else.
    let submit = tab(&b, false).await;
    assert_eq!(submit.text, "Send to support");
    b.press_and_follow(Key::Enter).await;

    // The mistake: focus on the summary, its link leads to the field.
    assert_eq!(b.focused_id().await, "error-summary");
    let link = tab(&b, false).await;
    assert!(link.text.contains("email address"), "{link:?}");
    b.press(Key::Enter).await;
    assert_eq!(b.focused_id().await, "field-email");
    let select_all = format!("{}a", char::from(Key::Control));
    b.press_keys(&select_all).await;
    b.press(Key::Null).await;
    b.press_keys("grace@example.com").await;
    let submit = tab(&b, false).await;
    assert_eq!(submit.text, "Send to support");
    // Space presses a button as Enter does.
    b.press_and_follow(Key::Space).await;
    assert!(
        b.text(".notice-success")
            .await
            .contains("Your ticket is filed")
    );
    let stored = b.app.store.count_tickets().await.unwrap();
    assert_eq!(stored, 1);
    b.finish().await;
}

/// Every page of the journey, tabbed through whole at both sizes: focus
/// always visible and in reading order.
#[tokio::test]
#[ignore = "browser test: cargo test --test browser -- --ignored"]
async fn every_requester_page_tabs_in_reading_order_with_visible_focus() {
    let kb = KnowledgeBase::load_embedded().expect("the built-in content loads");
    let code = ErrorCode::ALL[0];
    let pages = [
        "/".to_string(),
        format!("/troubleshoot/{code}"),
        format!("/articles/{}", kb.article_for(code).slug),
        "/articles".to_string(),
        "/tickets/new".to_string(),
    ];
    for size in [PHONE, DESKTOP] {
        let Some(b) = Browser::start(size).await else {
            return;
        };
        for page in &pages {
            b.visit(page).await;
            let stops = tab_through_page(&b, 200).await;
            assert!(stops >= 3, "{page}: only {stops} stops");
        }
        b.finish().await;
    }
}

/// Marks every element that scrolls at this size with the way it scrolls
/// ("x" sideways, "y" up and down) and returns how many there are.
const MARK_SCROLLERS: &str = r#"
let n = 0;
const scrolls = (overflow, inner, outer) => (overflow === 'auto' || overflow === 'scroll') && inner > outer + 1;
for (const e of document.querySelectorAll('main *')) {
  if (e.getClientRects().length === 0) { continue; }
  const s = getComputedStyle(e);
  const axis = scrolls(s.overflowX, e.scrollWidth, e.clientWidth) ? 'x'
    : scrolls(s.overflowY, e.scrollHeight, e.clientHeight) ? 'y' : null;
  if (axis) { e.dataset.scroller = String(n++); e.dataset.axis = axis; }
}
return n;
"#;

/// Tabs through the page; every scrolling region must take focus, and the
/// arrow keys must then scroll it. Returns how many there were.
async fn assert_scrollers_reachable(b: &Browser) -> usize {
    let count = b.script(MARK_SCROLLERS).await.as_u64().unwrap() as usize;
    if count == 0 {
        return 0;
    }
    let mut reached = vec![false; count];
    from_the_top(b).await;
    for _ in 0..300 {
        b.press(Key::Tab).await;
        let marked = b
            .script("const e = document.activeElement; return e && e.dataset ? (e.dataset.scroller || null) : null;")
            .await;
        let Some(index) = marked.as_str().and_then(|i| i.parse::<usize>().ok()) else {
            if focus(b).await.is_none() {
                break;
            }
            continue;
        };
        if reached[index] {
            break;
        }
        reached[index] = true;
        let sideways = b
            .script("return document.activeElement.dataset.axis === 'x';")
            .await
            == serde_json::Value::Bool(true);
        let (key, position) = if sideways {
            (Key::Right, "scrollLeft")
        } else {
            (Key::Down, "scrollTop")
        };
        let before = b
            .script(&format!("return document.activeElement.{position};"))
            .await
            .as_f64()
            .unwrap();
        for _ in 0..3 {
            b.press(key).await;
        }
        // Keyboard scrolling is animated: wait for it to move.
        let moved = b
            .wait_until(&format!(
                "return document.activeElement.{position} > {before};"
            ))
            .await;
        assert!(
            moved,
            "the arrow keys do not scroll region {index} on {}",
            b.path().await
        );
        if reached.iter().all(|r| *r) {
            break;
        }
    }
    let missed: Vec<usize> = (0..count).filter(|i| !reached[*i]).collect();
    assert!(
        missed.is_empty(),
        "{} scrolling regions on {} cannot be reached by Tab: {missed:?}",
        missed.len(),
        b.path().await
    );
    count
}

/// On a phone, code blocks scroll sideways and long messages up and down; a
/// keyboard must reach each of them and scroll it, on every article and on
/// the pages that show the pasted message.
#[tokio::test]
#[ignore = "browser test: cargo test --test browser -- --ignored"]
async fn every_scrolling_region_on_a_phone_takes_the_keyboard() {
    let Some(b) = Browser::start(PHONE).await else {
        return;
    };
    let kb = KnowledgeBase::load_embedded().expect("the built-in content loads");
    let mut regions = 0;
    for code in ErrorCode::ALL {
        b.visit(&format!("/articles/{}", kb.article_for(code).slug))
            .await;
        regions += assert_scrollers_reachable(&b).await;
    }
    assert!(
        regions > 0,
        "no article has a code block wider than a phone"
    );

    // A long message (a stack trace), shown folded on each check.
    let long = format!(
        "HTTP GET failed: unauthorized (401)\n{}",
        "    at Connector.request (connector.js:120:15)\n".repeat(60)
    );
    b.visit("/").await;
    b.type_into("#field-message", &long).await;
    b.follow_text("Find the cause").await;
    from_the_top(&b).await;
    tab_to(&b, "Your error message", 20).await;
    b.press(Key::Enter).await;
    assert_eq!(assert_scrollers_reachable(&b).await, 1, "the message");
    b.finish().await;
}
