//! The queue's work on many tickets at once, in the browser: a bulk
//! assignment from ticked boxes, and the CSV export as the browser saves it.

use apidesk::staff::Role;
use apidesk::store::{SeedTicket, Store};
use apidesk::tickets::TicketInput;
use apidesk::tickets::export::CSV_HEADER;
use time::{Duration, OffsetDateTime};

use super::{STAFF_EMAIL, STAFF_NAME, queue_references, queue_rows, seed_ticket, staff_id};
use crate::forms::{choose, click_link, tick};
use crate::harness::{Browser, DESKTOP};

/// From the queue, three of five tickets ticked and assigned to a colleague:
/// the queue then shows her as their assignee, and the other two are as
/// they were (one of them already assigned to someone else).
#[tokio::test]
#[ignore = "browser test: cargo test --test browser -- --ignored"]
async fn bulk_assign_changes_exactly_the_ticked_tickets() {
    let Some(b) = Browser::start(DESKTOP).await else {
        return;
    };
    let store = b.app.store.clone();
    let mut tickets = Vec::new();
    for n in 1..=5 {
        let message = format!("HTTP GET failed: unauthorized (401), run {n}");
        tickets.push(seed_ticket(&store, "401", &message).await);
    }
    b.app
        .add_staff("bea@example.com", "Bea Agent", Role::Agent)
        .await;
    b.app
        .add_staff("cal@example.com", "Cal Agent", Role::Agent)
        .await;
    let (bea, cal) = (
        staff_id(&store, "bea@example.com").await,
        staff_id(&store, "cal@example.com").await,
    );
    b.sign_in_staff(STAFF_EMAIL, STAFF_NAME, Role::Agent).await;

    // One left out is already Cal's, assigned from its own page.
    let cals = &tickets[4];
    b.visit(&format!("/staff/tickets/{}", cals.id)).await;
    choose(&b, "Assignee", "Cal Agent").await;
    b.follow("#composer-send").await;

    b.follow_text("Queue").await;
    let chosen = [&tickets[0], &tickets[2], &tickets[3]];
    for ticket in chosen {
        tick(&b, &format!("Select {}", ticket.reference())).await;
    }
    assert_eq!(b.text("#bulk-legend").await, "Edit 3 tickets");
    choose(&b, "Assign to", "Bea Agent").await;
    b.follow("#bulk-apply").await;

    assert!(
        b.path().await.starts_with("/staff/queue"),
        "back to the queue"
    );
    let said = b.text("#bulk-result").await;
    assert!(
        said.starts_with(&format!(
            "Assigned to Bea Agent: {}, {}, {}.",
            tickets[0].reference(),
            tickets[2].reference(),
            tickets[3].reference()
        )),
        "{said}"
    );
    let rows = queue_rows(&b).await;
    assert_eq!(rows.len(), 5, "{rows:?}");
    for ticket in &tickets {
        let row = rows
            .iter()
            .find(|row| row["Ticket"] == ticket.reference())
            .unwrap_or_else(|| panic!("{} is in the queue", ticket.reference()));
        let stored = store.ticket_by_id(ticket.id).await.unwrap().unwrap();
        let (shown, id) = if chosen.iter().any(|c| c.id == ticket.id) {
            ("Bea Agent", Some(bea))
        } else if ticket.id == cals.id {
            ("Cal Agent", Some(cal))
        } else {
            ("Unassigned", None)
        };
        assert_eq!(row["Assignee"], shown, "{}", ticket.reference());
        assert_eq!(stored.assignee_id, id, "{}", ticket.reference());
    }
    b.finish().await;
}

/// A working day's queue at 1280×800: long messages, names and endpoints
/// stay on one line each, every column fits beside the views without a
/// sideways scroll, and the first screen holds at least 20 tickets.
#[tokio::test]
#[ignore = "browser test: cargo test --test browser -- --ignored"]
async fn a_busy_queue_fits_the_screen_one_line_per_ticket() {
    let Some(b) = Browser::start(DESKTOP).await else {
        return;
    };
    let store = b.app.store.clone();
    for n in 1..=60 {
        let message = format!(
            "HTTP POST failed: too many requests (429) while syncing record batch {n} of the nightly \
             export to the Purchase Orders table; Retry-After was 30 seconds and the job gave up"
        );
        seed_ticket(&store, if n % 3 == 0 { "500" } else { "429" }, &message).await;
    }
    b.sign_in_staff(STAFF_EMAIL, STAFF_NAME, Role::Agent).await;
    b.visit("/staff/queue").await;
    b.assert_no_horizontal_scroll().await;
    b.screenshot("staff-queue-busy").await;
    let fit = b
        .script(
            "const h = window.innerHeight, w = document.documentElement.clientWidth; \
             const rows = [...document.querySelectorAll('#queue-table tbody tr')]; \
             const heads = [...document.querySelectorAll('#queue-table thead th')]; \
             return { \
               onScreen: rows.filter(r => r.getBoundingClientRect().bottom <= h).length, \
               tallest: Math.max(...rows.map(r => r.getBoundingClientRect().height)), \
               headsInside: heads.every(th => th.getBoundingClientRect().right <= w), \
               range: document.getElementById('queue-range').textContent };",
        )
        .await;
    assert!(fit["onScreen"].as_u64().unwrap() >= 20, "{fit}");
    assert!(
        fit["tallest"].as_f64().unwrap() < 34.0,
        "one line per ticket: {fit}"
    );
    assert_eq!(fit["headsInside"], true, "{fit}");
    assert_eq!(fit["range"], "1–50 of 60");
    b.finish().await;
}

/// The bulk bar stays out of the way until a ticket is ticked, counts the
/// selection, ticks the whole page from the table's head, and an edit can
/// be undone from the message that says what it did.
#[tokio::test]
#[ignore = "browser test: cargo test --test browser -- --ignored"]
async fn the_bulk_bar_follows_the_selection_and_an_edit_is_undone() {
    let Some(b) = Browser::start(DESKTOP).await else {
        return;
    };
    let store = b.app.store.clone();
    let mut tickets = Vec::new();
    for n in 1..=4 {
        tickets.push(seed_ticket(&store, "404", &format!("record {n} not found")).await);
    }
    b.sign_in_staff(STAFF_EMAIL, STAFF_NAME, Role::Agent).await;
    b.visit("/staff/queue").await;
    let shown = "return getComputedStyle(document.getElementById('bulk-bar')).display !== 'none';";
    assert_eq!(b.script(shown).await, false, "hidden with nothing ticked");
    tick(&b, &format!("Select {}", tickets[1].reference())).await;
    assert_eq!(b.script(shown).await, true);
    assert_eq!(b.text("#bulk-legend").await, "Edit 1 ticket");
    b.click("#select-page").await;
    assert_eq!(b.text("#bulk-legend").await, "Edit 4 tickets");
    assert_eq!(b.text("#bulk-apply").await, "Apply to 4");
    assert_eq!(
        chosen_value(&b, "#b-status").await,
        "",
        "nothing preselected"
    );
    choose(&b, "Set status", "Waiting on requester").await;
    b.follow("#bulk-apply").await;
    assert!(
        b.text("#bulk-result")
            .await
            .contains("Status set to Waiting on requester")
    );
    for ticket in &tickets {
        let stored = store.ticket_by_id(ticket.id).await.unwrap().unwrap();
        assert_eq!(stored.status.as_str(), "waiting");
    }
    b.follow("#bulk-undo").await;
    let said = b.text("#bulk-result").await;
    assert!(said.starts_with("Undone:"), "{said}");
    for ticket in &tickets {
        let stored = store.ticket_by_id(ticket.id).await.unwrap().unwrap();
        assert_eq!(stored.status.as_str(), "new", "{}", ticket.reference());
    }
    b.finish().await;
}

async fn chosen_value(b: &Browser, selector: &str) -> String {
    b.script(&format!(
        "return document.querySelector('{selector}').value;"
    ))
    .await
    .as_str()
    .unwrap()
    .to_string()
}

/// Tickets in the export: enough that it is streamed in more than one batch
/// (of 1,000), with messages holding commas, quotes and line breaks.
const EXPORTED: usize = 1_234;
/// Every seventh of them is a 429, for the filtered export.
fn code_of(n: usize) -> &'static str {
    if n.is_multiple_of(7) { "429" } else { "401" }
}

fn message_of(n: usize) -> String {
    format!("Sync {n} failed, \"unauthorized\" (401)\nretried, then gave up")
}

/// Stores `EXPORTED` new tickets through the bulk loader (what `apidesk
/// seed` uses); returns them as seeded, in id order.
async fn seed_many(store: &Store) -> Vec<SeedTicket> {
    let now = OffsetDateTime::now_utc();
    let tickets: Vec<SeedTicket> = (0..EXPORTED)
        .map(|n| {
            let created = now - Duration::minutes((EXPORTED - n) as i64);
            let details = TicketInput {
                error_code: code_of(n).into(),
                message: message_of(n),
                endpoint: "https://go.trackvia.com/openapi/views/12/records/7".into(),
                method: "GET".into(),
                occurred_at: "2026-01-15T09:30:00Z".into(),
                tool: "workato".into(),
                environment: "production".into(),
                recent_changes: "Rotated the token, \"by hand\",\non Monday".into(),
                name: format!("Requester {n}"),
                email: "req@example.com".into(),
                ..Default::default()
            }
            .validate(now)
            .expect("a valid ticket");
            crate::common::seed_ticket_filed(details, created)
        })
        .collect();
    let mut loader = store.seed_loader(false).await.unwrap();
    let batch = loader.insert_batch(&tickets).await.unwrap();
    loader.finish().await.unwrap();
    assert_eq!(batch.first_id, 1, "a fresh database");
    tickets
}

/// RFC 4180 records, or why the text is not a whole file: it ends inside a
/// quoted field or without the last line's ending (cut short).
fn parse_csv(text: &str) -> Result<Vec<Vec<String>>, String> {
    let (mut records, mut record, mut cell) = (Vec::new(), Vec::new(), String::new());
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                cell.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => cell.push(c),
            (false, '"') => quoted = true,
            (false, ',') => record.push(std::mem::take(&mut cell)),
            (false, '\r') if chars.peek() == Some(&'\n') => {}
            (false, '\n') => {
                record.push(std::mem::take(&mut cell));
                records.push(std::mem::take(&mut record));
            }
            (false, c) => cell.push(c),
        }
    }
    if quoted {
        return Err("the file ends inside a quoted field: cut short".into());
    }
    if !(cell.is_empty() && record.is_empty()) {
        return Err(format!(
            "the last line has no ending: cut short after {cell:?}"
        ));
    }
    Ok(records)
}

/// Clicks the queue's export link and reads the CSV the browser saved,
/// whole; the file is then removed, so the next export is told apart.
async fn export_through_the_browser(b: &Browser) -> Vec<Vec<String>> {
    click_link(b, "Export this view as CSV").await;
    let file = b.downloaded(".csv").await;
    let name = file.file_name().unwrap().to_string_lossy().into_owned();
    assert!(name.starts_with("apidesk-tickets-"), "{name}");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::remove_file(&file).unwrap();
    let records = parse_csv(&text).unwrap_or_else(|why| panic!("{name}: {why}"));
    assert_eq!(
        records.first().map(Vec::as_slice),
        Some(&CSV_HEADER.map(String::from)[..])
    );
    records
}

/// Checks `records` hold the header and exactly the `expected` tickets (by
/// index into `seeded`), each row whole and its awkward fields intact.
fn assert_rows(records: &[Vec<String>], seeded: &[SeedTicket], expected: &[usize]) {
    let column = |name: &str| CSV_HEADER.iter().position(|h| *h == name).unwrap();
    let (reference, message, changes, name, code) = (
        column("reference"),
        column("message"),
        column("recent_changes"),
        column("requester_name"),
        column("error_code"),
    );
    let rows = &records[1..];
    assert_eq!(rows.len(), expected.len(), "one row per ticket in the view");
    let mut seen: Vec<&str> = rows.iter().map(|r| r[reference].as_str()).collect();
    seen.sort_unstable();
    seen.dedup();
    assert_eq!(seen.len(), expected.len(), "no ticket twice");
    for row in rows {
        assert_eq!(row.len(), CSV_HEADER.len(), "a whole row: {row:?}");
        let id: usize = row[reference]["APD-".len()..].parse().unwrap();
        let n = id - 1;
        assert!(
            expected.contains(&n),
            "{} is not in the view",
            row[reference]
        );
        let details = &seeded[n].details;
        assert_eq!(row[message], details.message, "{}", row[reference]);
        assert_eq!(row[changes], details.recent_changes, "{}", row[reference]);
        assert_eq!(row[name], details.name);
        assert_eq!(row[code], code_of(n));
    }
    let last = rows.last().unwrap();
    assert_eq!(
        last[column("similar_key")],
        seeded[last[reference]["APD-".len()..].parse::<usize>().unwrap() - 1].similar_key,
        "the last row is complete to its last field"
    );
}

/// The export link, clicked in Chromium, saves the whole view: a header and
/// one complete row per ticket, every reference, commas, quotes and line
/// breaks intact through two batches; a filtered view exports only its own
/// tickets.
#[tokio::test]
#[ignore = "browser test: cargo test --test browser -- --ignored"]
async fn the_csv_export_is_saved_whole_by_the_browser() {
    let Some(b) = Browser::start(DESKTOP).await else {
        return;
    };
    let seeded = seed_many(&b.app.store).await;
    let sample = &seeded[3].details;
    assert!(
        [&sample.message, &sample.recent_changes]
            .iter()
            .all(|text| text.contains(',') && text.contains('"') && text.contains('\n')),
        "the seeded text keeps what CSV must quote: {sample:?}"
    );
    b.sign_in_staff(STAFF_EMAIL, STAFF_NAME, Role::Agent).await;

    let records = export_through_the_browser(&b).await;
    let everything: Vec<usize> = (0..EXPORTED).collect();
    assert_rows(&records, &seeded, &everything);

    choose(&b, "Code", "429 Too Many Requests").await;
    b.follow_text("Apply").await;
    let in_view: Vec<usize> = everything
        .into_iter()
        .filter(|n| code_of(*n) == "429")
        .collect();
    let first_page = queue_references(&b).await;
    assert!(first_page.iter().all(|r| {
        let id: usize = r["APD-".len()..].parse().unwrap();
        code_of(id - 1) == "429"
    }));
    let records = export_through_the_browser(&b).await;
    assert_rows(&records, &seeded, &in_view);
    b.finish().await;
}

/// The parser itself, without a browser: quoted commas, quotes and line
/// breaks, and a file cut short in either way is refused.
#[test]
fn the_csv_parser_reads_quoted_fields_and_refuses_a_cut_file() {
    let whole = "\"a\",\"b\"\r\n\"1, \"\"x\"\"\nend\",\"\"\r\n";
    assert_eq!(
        parse_csv(whole).unwrap(),
        vec![vec!["a", "b"], vec!["1, \"x\"\nend", ""]]
    );
    for cut in [&whole[..whole.len() - 2], &whole[..12]] {
        assert!(parse_csv(cut).is_err(), "{cut:?} was accepted");
    }
}

/// Without JavaScript the bulk bar is simply there, "Every ticket on this
/// page" stands in for the table head's box, and an edit is undone the same.
#[tokio::test]
#[ignore = "browser test: cargo test --test browser -- --ignored"]
async fn bulk_edits_work_without_javascript() {
    use crate::harness::Options;
    let Some(b) = Browser::start_with(Options::at(DESKTOP).without_javascript()).await else {
        return;
    };
    let store = b.app.store.clone();
    let mut tickets = Vec::new();
    for n in 1..=3 {
        tickets.push(seed_ticket(&store, "409", &format!("conflict {n}")).await);
    }
    b.sign_in_staff(STAFF_EMAIL, STAFF_NAME, Role::Agent).await;
    b.visit("/staff/queue").await;
    let state = b
        .script(
            "return [getComputedStyle(document.getElementById('bulk-bar')).display, \
             document.getElementById('select-page').hidden, \
             document.getElementById('shortcuts').hidden];",
        )
        .await;
    assert_eq!(state[0], "flex", "the bar is shown: {state}");
    assert_eq!(state[1], true, "the head's box needs the script: {state}");
    assert_eq!(state[2], true, "so do the keys and their list: {state}");
    tick(&b, "Every ticket on this page").await;
    choose(&b, "Assign to", "Me").await;
    b.follow("#bulk-apply").await;
    let said = b.text("#bulk-result").await;
    let refs: Vec<String> = tickets.iter().map(|t| t.reference()).collect();
    assert!(
        said.starts_with(&format!("Assigned to {STAFF_NAME}: {}.", refs.join(", "))),
        "{said}"
    );
    b.follow("#bulk-undo").await;
    assert!(b.text("#bulk-result").await.starts_with("Undone:"));
    for ticket in &tickets {
        let stored = store.ticket_by_id(ticket.id).await.unwrap().unwrap();
        assert_eq!(stored.assignee_id, None, "{}", ticket.reference());
        assert_eq!(
            stored.status.as_str(),
            "new",
            "assigning opened it; undone, new again"
        );
    }
    b.finish().await;
}
