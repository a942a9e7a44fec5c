//! Issue 6, items 5 and 11: time zones chosen by place, times shown back in
//! the reader's zone, DST gaps and overlaps refused with a way out, and no
//! date or time input that can bring a handler down.

mod common;
#[path = "common/staff.rs"]
mod staff_helpers;

use apidesk::tickets::Ticket;
use axum::http::StatusCode;
use common::{TestApp, as_pairs, hidden_value, selected, valid_ticket};
use staff_helpers::{file_ticket_with, signed_in_agent, staff_url};
use time::macros::datetime;

fn ticket_with(changes: &[(&'static str, &str)]) -> Vec<(&'static str, String)> {
    let mut fields = valid_ticket();
    for (name, value) in changes {
        match fields.iter_mut().find(|(k, _)| k == name) {
            Some(field) => field.1 = value.to_string(),
            None => fields.push((name, value.to_string())),
        }
    }
    fields
}

/// Files a ticket through the form and returns it as stored.
async fn file(app: &mut TestApp, changes: &[(&'static str, &str)]) -> Ticket {
    let fields = ticket_with(changes);
    let res = app.post_form("/tickets", &as_pairs(&fields)).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let token = res
        .location()
        .trim_start_matches("/tickets/")
        .split('?')
        .next()
        .and_then(|t| uuid::Uuid::parse_str(t).ok())
        .expect("redirected to the status page");
    app.state
        .store
        .ticket_by_token(token)
        .await
        .unwrap()
        .expect("stored")
}

#[tokio::test]
async fn the_form_offers_places_grouped_by_region_with_utc_until_the_browser_says_otherwise() {
    let mut app = TestApp::spawn().await;
    let page = app.get("/tickets/new").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(selected(&page.body, "time_zone").as_deref(), Some("UTC"));
    page.assert_contains("<label for=\"field-time_zone\">Time zone</label>")
        .assert_contains("data-browser-default")
        .assert_contains("<optgroup label=\"Europe\">")
        .assert_contains("<option value=\"Europe/Berlin\">Berlin</option>")
        .assert_contains("data-aliases=\"Asia/Calcutta\"")
        .assert_contains("<optgroup label=\"Fixed offsets from UTC\">")
        .assert_contains("<option value=\"UTC+05:45\">UTC+05:45</option>")
        .assert_lacks("name=\"utc_offset\"");
    // The script that picks the browser's zone reads it from Intl.
    let script = app.get("/static/app.js").await;
    script.assert_contains("resolvedOptions().timeZone");
}

#[tokio::test]
async fn a_deep_link_may_name_a_place_or_an_offset() {
    let mut app = TestApp::spawn().await;
    let page = app
        .get("/tickets/new?occurred_at=2026-03-14T09%3A26%3A00Z&time_zone=Europe%2FBerlin")
        .await;
    assert_eq!(
        hidden_value(&page.body, "occurred_at").as_deref(),
        Some("2026-03-14T10:26")
    );
    assert_eq!(
        selected(&page.body, "time_zone").as_deref(),
        Some("Europe/Berlin")
    );
    page.assert_lacks("data-browser-default");

    let page = app
        .get("/tickets/new?occurred_at=2026-03-14T09%3A26&utc_offset=%2B05%3A30")
        .await;
    assert_eq!(
        hidden_value(&page.body, "occurred_at").as_deref(),
        Some("2026-03-14T09:26")
    );
    assert_eq!(
        selected(&page.body, "time_zone").as_deref(),
        Some("UTC+05:30")
    );
}

#[tokio::test]
async fn the_status_page_shows_times_in_the_zone_the_requester_chose() {
    let mut app = TestApp::spawn().await;
    // The older key alone still files, and its offset is the zone shown.
    let ticket = file_ticket_with(&mut app, &[("occurred_at", "2026-01-15T09:30")]).await;
    assert_eq!(ticket.details.time_zone.name(), "UTC+01:00");
    assert_eq!(
        ticket.details.occurred_at,
        Some(datetime!(2026-01-15 08:30 UTC))
    );

    let stored = file(
        &mut app,
        &[
            ("occurred_at", "2026-01-15T09:30"),
            ("utc_offset", ""),
            ("time_zone", "America/New_York"),
        ],
    )
    .await;
    assert_eq!(
        stored.details.occurred_at,
        Some(datetime!(2026-01-15 14:30 UTC))
    );
    assert_eq!(stored.details.time_zone.name(), "America/New_York");

    let page = app.get(&format!("/tickets/{}", stored.token)).await;
    page.assert_contains("15 Jan 2026, 09:30 EST")
        .assert_contains(
            "Times on this page are in <span class=\"time-zone\">New York time (America/New_York)</span>",
        )
        .assert_lacks("09:30 UTC")
        .assert_lacks("14:30");
    // The timeline's "filed" entry is in the same zone.
    assert!(
        page.body.matches(" EST</time>").count() >= 1,
        "{}",
        page.body
    );
}

#[tokio::test]
async fn a_local_time_the_clocks_skipped_is_a_field_error_naming_both_offsets() {
    let mut app = TestApp::spawn().await;
    let fields = ticket_with(&[
        ("occurred_at", "2026-03-29T02:30"),
        ("utc_offset", ""),
        ("time_zone", "Europe/Berlin"),
    ]);
    let res = app.post_form("/tickets", &as_pairs(&fields)).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    res.assert_contains("2026-03-29 02:30 did not happen in Europe/Berlin")
        .assert_contains("UTC+01:00 or UTC+02:00")
        .assert_contains("id=\"occurred_at-error\"");
    assert_eq!(
        selected(&res.body, "time_zone").as_deref(),
        Some("Europe/Berlin")
    );
    assert_eq!(
        hidden_value(&res.body, "occurred_at").as_deref(),
        Some("2026-03-29T02:30")
    );
    assert_eq!(app.count_tickets().await, 0);

    // Following the advice files it.
    let fields = ticket_with(&[
        ("occurred_at", "2026-03-29T02:30"),
        ("utc_offset", ""),
        ("time_zone", "UTC+01:00"),
    ]);
    let res = app.post_form("/tickets", &as_pairs(&fields)).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
}

#[tokio::test]
async fn a_local_time_that_happened_twice_is_a_field_error_naming_both_offsets() {
    let mut app = TestApp::spawn().await;
    let fields = ticket_with(&[
        ("occurred_at", "2025-11-02T01:30"),
        ("utc_offset", ""),
        ("time_zone", "America/New_York"),
    ]);
    let res = app.post_form("/tickets", &as_pairs(&fields)).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    res.assert_contains("2025-11-02 01:30 happened twice in America/New_York")
        .assert_contains("UTC-04:00 or UTC-05:00");
    assert_eq!(app.count_tickets().await, 0);
}

#[tokio::test]
async fn an_unknown_zone_is_a_field_error_beside_the_list() {
    let mut app = TestApp::spawn().await;
    let fields = ticket_with(&[("utc_offset", ""), ("time_zone", "Mars/Olympus_Mons")]);
    let res = app.post_form("/tickets", &as_pairs(&fields)).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    res.assert_contains("href=\"#field-time_zone\"")
        .assert_contains("id=\"time_zone-error\"")
        .assert_contains("Choose the time zone from the list");
}

/// Issue 6, item 11: `occurred_at=9999-12-31T23:59` at `-12:00` dropped the
/// connection. Every extreme is a field error on the form and a plain page
/// on a deep link.
#[tokio::test]
async fn extreme_dates_and_offsets_are_field_errors_never_a_dropped_connection() {
    let mut app = TestApp::spawn().await;
    let cases: [(&str, &str, &str); 12] = [
        ("9999-12-31T23:59", "", "-12:00"),
        ("9999-12-31T23:59", "", "+14:00"),
        ("9999-12-31T23:59", "UTC-12:00", ""),
        ("9999-12-31T23:59", "Pacific/Kiritimati", ""),
        ("9999-12-31T23:59:59-12:00", "", ""),
        ("9999-12-31T23:59:59+23:59", "", ""),
        ("0000-01-01T00:00", "UTC+14:00", ""),
        ("0000-01-01T00:00:00-23:59", "", ""),
        ("-0001-01-01T00:00", "", "-12:00"),
        ("+10000-01-01T00:00", "UTC", ""),
        ("2026-01-15T09:30", "", "+99:00"),
        ("2026-01-15T09:30", "", "-2147483648:00"),
    ];
    for (occurred_at, time_zone, utc_offset) in cases {
        let fields = ticket_with(&[
            ("occurred_at", occurred_at),
            ("time_zone", time_zone),
            ("utc_offset", utc_offset),
        ]);
        let res = app.post_form("/tickets", &as_pairs(&fields)).await;
        assert_eq!(
            res.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{occurred_at} {time_zone} {utc_offset}"
        );
        assert!(
            res.body.contains("id=\"occurred_at-error\"")
                || res.body.contains("id=\"time_zone-error\""),
            "{occurred_at} {time_zone} {utc_offset}: no field error"
        );
        let link = format!(
            "/tickets/new?occurred_at={}&time_zone={}&utc_offset={}",
            urlencoding(occurred_at),
            urlencoding(time_zone),
            urlencoding(utc_offset)
        );
        let page = app.get(&link).await;
        assert_eq!(page.status, StatusCode::OK, "{link}");
    }
    assert_eq!(app.count_tickets().await, 0);
}

#[tokio::test]
async fn extreme_queue_dates_are_ignored_not_a_crash() {
    let mut app = TestApp::spawn().await;
    signed_in_agent(&mut app, "agent@example.com", "Alex Agent").await;
    file_ticket_with(&mut app, &[]).await;
    for (from, to) in [
        ("9999-12-31", "9999-12-31"),
        ("-9999-01-01", "0000-01-01"),
        ("-0001-12-31", "+10000-01-01"),
        ("0000-00-00", "9999-99-99"),
        ("2026-01-01", "1999-12-31"),
    ] {
        for path in ["/staff/queue", "/staff/queue.csv"] {
            let url = format!(
                "{path}?status=all&sort=updated&from={}&to={}",
                urlencoding(from),
                urlencoding(to)
            );
            let res = app.get(&url).await;
            assert_eq!(res.status, StatusCode::OK, "{url}");
        }
    }
    // A date outside what the filter accepts is not shown as if applied.
    let res = app
        .get("/staff/queue?status=all&from=-0001-01-01&to=%2B10000-01-01")
        .await;
    res.assert_contains("name=\"from\" type=\"date\" value=\"\"")
        .assert_contains("name=\"to\" type=\"date\" value=\"\"")
        .assert_contains("APD-");
}

#[tokio::test]
async fn staff_choose_their_zone_and_staff_pages_show_times_in_it() {
    let mut app = TestApp::spawn().await;
    let ticket = file(
        &mut app,
        &[
            ("occurred_at", "2026-01-15T10:30"),
            ("utc_offset", ""),
            ("time_zone", "Europe/Berlin"),
        ],
    )
    .await;
    let me = signed_in_agent(&mut app, "agent@example.com", "Alex Agent").await;

    let queue = app.get("/staff/queue").await;
    queue.assert_contains("<a href=\"/staff/settings\">My settings</a>");
    let settings = app.get("/staff/settings").await;
    assert_eq!(settings.status, StatusCode::OK);
    settings.assert_contains("<label for=\"field-time_zone\">My time zone</label>");
    assert_eq!(
        selected(&settings.body, "time_zone").as_deref(),
        Some("UTC")
    );

    // UTC until chosen, with the requester's own clock beside it.
    let page = app.get(&staff_url(&ticket)).await;
    page.assert_contains(
        "15 Jan 2026, 09:30 UTC (15 Jan 2026, 10:30 CET on the requester’s clock, Europe/Berlin)",
    );

    let res = app
        .post_form("/staff/settings", &[("time_zone", "Asia/Tokyo")])
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(res.location(), "/staff/settings?saved=1");
    let saved = app.get("/staff/settings?saved=1").await;
    saved.assert_contains("Saved. Staff pages now show times in Tokyo time (Asia/Tokyo).");
    assert_eq!(
        selected(&saved.body, "time_zone").as_deref(),
        Some("Asia/Tokyo")
    );
    let stored = app.state.store.staff_by_id(me).await.unwrap().unwrap();
    assert_eq!(stored.time_zone.name(), "Asia/Tokyo");

    let page = app.get(&staff_url(&ticket)).await;
    page.assert_contains("15 Jan 2026, 18:30 JST (15 Jan 2026, 10:30 CET on the requester’s clock")
        .assert_contains("JST</time>");

    // A value not in the list is refused beside the field; nothing changes.
    let res = app
        .post_form("/staff/settings", &[("time_zone", "Mars/Olympus_Mons")])
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    res.assert_contains("id=\"time_zone-error\"");
    let stored = app.state.store.staff_by_id(me).await.unwrap().unwrap();
    assert_eq!(stored.time_zone.name(), "Asia/Tokyo");

    // The form is CSRF-protected like every other.
    let res = app.post_raw("/staff/settings", "time_zone=UTC").await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    let stored = app.state.store.staff_by_id(me).await.unwrap().unwrap();
    assert_eq!(stored.time_zone.name(), "Asia/Tokyo");
}

#[tokio::test]
async fn settings_need_a_signed_in_staff_member() {
    let mut app = TestApp::spawn().await;
    let res = app.get("/staff/settings").await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert!(res.location().starts_with("/staff/login"));
}

fn urlencoding(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
