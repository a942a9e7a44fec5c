//! Keyboard shortcuts on the staff pages: moving through the queue and
//! opening a ticket without the mouse, announced to screen readers, and
//! never firing while typing in a field.

use apidesk::staff::Role;
use fantoccini::key::Key;

use super::{STAFF_EMAIL, STAFF_NAME, seed_ticket};
use crate::harness::{Browser, DESKTOP};

/// The reference of the row marked current, if any.
async fn current_row(b: &Browser) -> Option<String> {
    b.script(
        "const r = document.querySelector('#queue-table tr.is-current'); \
         return r ? r.querySelector('.cell-ref').textContent : null;",
    )
    .await
    .as_str()
    .map(str::to_string)
}

/// What the live region last said (after its short delay).
async fn announced(b: &Browser) -> String {
    b.wait_until("return document.getElementById('staff-live').textContent !== '';")
        .await;
    b.text("#staff-live").await
}

#[tokio::test]
#[ignore = "browser test: cargo test --test browser -- --ignored"]
async fn the_queue_moves_selects_and_opens_by_keyboard_but_not_while_typing() {
    let Some(b) = Browser::start(DESKTOP).await else {
        return;
    };
    let store = b.app.store.clone();
    let mut tickets = Vec::new();
    for n in 1..=3 {
        tickets.push(seed_ticket(&store, "401", &format!("unauthorized, run {n}")).await);
    }
    b.sign_in_staff(STAFF_EMAIL, STAFF_NAME, Role::Agent).await;
    b.visit("/staff/queue?sort=age").await;
    assert_eq!(current_row(&b).await, None);

    b.press_keys("j").await;
    assert_eq!(
        current_row(&b).await.as_deref(),
        Some(tickets[0].reference().as_str())
    );
    assert!(announced(&b).await.starts_with(&tickets[0].reference()));
    b.press_keys("jj").await;
    assert_eq!(
        current_row(&b).await.as_deref(),
        Some(tickets[2].reference().as_str())
    );
    b.press_keys("j").await;
    assert_eq!(
        current_row(&b).await.as_deref(),
        Some(tickets[2].reference().as_str()),
        "stays on the last row"
    );
    b.press_keys("k").await;
    assert_eq!(
        current_row(&b).await.as_deref(),
        Some(tickets[1].reference().as_str())
    );

    // x ticks it for a bulk edit, and the bar says so.
    b.press_keys("x").await;
    assert_eq!(b.text("#bulk-legend").await, "Edit 1 ticket");

    // Typed into the search box, the same letters are only letters.
    b.click("#f-q").await;
    b.press_keys("jkx").await;
    assert_eq!(b.value("#f-q").await, "jkx");
    assert_eq!(
        current_row(&b).await.as_deref(),
        Some(tickets[1].reference().as_str())
    );
    assert_eq!(b.text("#bulk-legend").await, "Edit 1 ticket");
    b.script("document.activeElement.blur(); return null;")
        .await;

    // ? lists the keys; / goes to the search.
    b.press_keys("?").await;
    assert_eq!(
        b.script("return document.getElementById('shortcuts').open;")
            .await,
        true
    );
    b.script("document.activeElement.blur(); return null;")
        .await;
    b.press_keys("/").await;
    assert_eq!(b.focused_id().await, "f-q");
    b.script("document.activeElement.blur(); return null;")
        .await;

    // o opens the current ticket, in the view it came from.
    b.press_keys("o").await;
    b.wait_until("return location.pathname.startsWith('/staff/tickets/');")
        .await;
    let path = b.path().await;
    assert!(
        path.starts_with(&format!(
            "/staff/tickets/{}?view=%2Fstaff%2Fqueue%3F",
            tickets[1].id
        )),
        "{path}"
    );
    b.finish().await;
}

/// Enter opens the current row too, as long as focus is not on a link or
/// button (where Enter already does what that says).
#[tokio::test]
#[ignore = "browser test: cargo test --test browser -- --ignored"]
async fn enter_opens_the_current_row() {
    let Some(b) = Browser::start(DESKTOP).await else {
        return;
    };
    let ticket = seed_ticket(&b.app.store, "403", "forbidden").await;
    b.sign_in_staff(STAFF_EMAIL, STAFF_NAME, Role::Agent).await;
    b.visit("/staff/queue").await;
    b.press_keys("j").await;
    b.press(Key::Enter).await;
    b.wait_until("return location.pathname.startsWith('/staff/tickets/');")
        .await;
    assert!(
        b.path()
            .await
            .starts_with(&format!("/staff/tickets/{}", ticket.id))
    );
    b.finish().await;
}

/// The agent's morning, by keyboard alone at 1280×800: from the default
/// view, ten tickets are each read, answered with a canned reply, set to
/// wait on the requester and left for the next, until the view is worked
/// through. No page scrolls sideways.
#[tokio::test]
#[ignore = "browser test: cargo test --test browser -- --ignored"]
async fn ten_tickets_are_worked_from_the_default_view_without_the_mouse() {
    let Some(b) = Browser::start(DESKTOP).await else {
        return;
    };
    let store = b.app.store.clone();
    let mut tickets = Vec::new();
    for n in 1..=10 {
        let message = format!("HTTP GET failed: unauthorized (401) on sync {n}");
        tickets.push(seed_ticket(&store, "401", &message).await);
    }
    b.sign_in_staff(STAFF_EMAIL, STAFF_NAME, Role::Agent).await;
    b.visit("/staff/queue?sort=age").await;
    b.press_keys("j").await;
    b.press_keys("o").await;
    for ticket in &tickets {
        b.wait_until(&format!(
            "return location.pathname === '/staff/tickets/{}';",
            ticket.id
        ))
        .await;
        b.assert_no_horizontal_scroll().await;
        // m: the canned replies; the first one; Tab to "Put in the reply".
        b.press_keys("m").await;
        assert_eq!(b.focused_id().await, "field-macro");
        b.press(Key::Down).await;
        b.press(Key::Tab).await;
        assert_eq!(b.focused_id().await, "macro-insert");
        b.press(Key::Enter).await;
        assert_eq!(
            b.focused_id().await,
            "field-text",
            "the reply is ready to edit"
        );
        assert!(!b.value("#field-text").await.trim().is_empty());
        // Esc leaves the text; w chooses Waiting and goes to Send.
        b.press(Key::Escape).await;
        b.press_keys("w").await;
        assert_eq!(b.value("#field-status").await, "waiting");
        assert_eq!(b.focused_id().await, "composer-send");
        b.press(Key::Tab).await;
        assert_eq!(b.focused_id().await, "composer-send-next");
        b.press_and_follow(Key::Enter).await;
    }
    let path = b.path().await;
    assert!(
        path.starts_with("/staff/queue") && path.contains("bulk=last"),
        "{path}"
    );
    assert!(
        b.text("main")
            .await
            .contains("That was the last ticket in this view.")
    );
    for ticket in &tickets {
        let stored = store.ticket_by_id(ticket.id).await.unwrap().unwrap();
        assert_eq!(stored.status.as_str(), "waiting", "{}", ticket.reference());
        let timeline = store.ticket_timeline(ticket.id).await.unwrap();
        assert!(
            timeline
                .iter()
                .any(|e| matches!(e.kind, apidesk::tickets::EventKind::Reply { .. })),
            "{} was answered",
            ticket.reference()
        );
    }
    b.finish().await;
}
