//! The ticket form and its deep links: every field gets every payload.
//! What is filed is then read back on the status page, the staff ticket
//! page, the queue, the CSV export and the API, and must be inert on each.

use apidesk::staff::Role;
use apidesk::tokens::Scope;
use axum::http::StatusCode;
use uuid::Uuid;

use crate::common::{TestApp, as_pairs, valid_ticket};
use crate::payloads::{
    absurd_dates, assert_csv_neutral, assert_escaped, assert_inert_html, assert_no_live_markup,
    assert_not_5xx, hostile, hostile_text,
};
use crate::staff_helpers::{add_staff, api_token, sign_in};

/// The ticket form with `field` set to `value` and an address of its own,
/// so that no two tickets of the suite fold into one problem.
fn ticket_with(field: &str, value: &str, n: usize) -> Vec<(&'static str, String)> {
    let mut fields = valid_ticket();
    for (name, v) in fields.iter_mut() {
        if *name == "email" {
            *v = format!("req{n}@org{n}.example");
        }
        if *name == field {
            *v = value.to_string();
        }
    }
    if field == "tool_other" {
        fields.iter_mut().find(|(k, _)| *k == "tool").unwrap().1 = "other".into();
    }
    if !fields.iter().any(|(k, _)| *k == field) {
        fields.push((leak(field), value.to_string()));
    }
    fields.push(("reviewed", "1".into()));
    fields
}

fn leak(s: &str) -> &'static str {
    Box::leak(s.to_string().into_boxed_str())
}

/// Posts a ticket form; a form shown back without a mistake (credentials
/// taken out) is sent again once, as the requester would. Returns the
/// status and, when filed, its private token.
async fn file(
    app: &mut TestApp,
    csrf: &str,
    fields: &[(&'static str, String)],
    place: &str,
) -> Option<Uuid> {
    let res = crate::post_with(app, csrf, "/tickets", &as_pairs(fields)).await;
    assert_not_5xx(res.status, place);
    assert_inert_html(&res.body, &fields_value(fields, place), place);
    let res = if res.status == StatusCode::OK {
        let mut again = fields.to_vec();
        for (name, value) in again.iter_mut() {
            if let Some(shown) = crate::common::textarea_value(&res.body, name)
                .or_else(|| crate::common::hidden_value(&res.body, name))
            {
                *value = shown;
            }
        }
        let res = crate::post_with(app, csrf, "/tickets", &as_pairs(&again)).await;
        assert_not_5xx(res.status, place);
        res
    } else {
        res
    };
    match res.status {
        StatusCode::SEE_OTHER => Some(
            res.location()
                .strip_prefix("/tickets/")
                .and_then(|rest| rest.split('?').next())
                .and_then(|t| Uuid::parse_str(t).ok())
                .expect("redirected to the status page"),
        ),
        status => {
            assert!(status.is_client_error(), "{place}: answered {status}");
            None
        }
    }
}

/// The value under test, read back from the place's name ("field: payload").
fn fields_value(fields: &[(&'static str, String)], place: &str) -> String {
    let field = place.split(':').next().unwrap_or_default();
    fields
        .iter()
        .find(|(k, _)| *k == field)
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

const FREE_TEXT: [&str; 5] = [
    "message",
    "recent_changes",
    "name",
    "tool_other",
    "endpoint",
];

/// Every free-text field takes every payload: refused with a 4xx, or
/// stored and inert on every page that shows it, in the CSV and the API.
#[tokio::test]
async fn hostile_text_in_free_text_fields_is_refused_or_shown_inert() {
    let mut app = crate::app().await;
    let csrf = app.csrf_token().await;
    let mut filed = Vec::new();
    let mut n = 0;
    for field in FREE_TEXT {
        for payload in hostile() {
            n += 1;
            // The endpoint must be a URL or a path: the payload goes in its path.
            let value = if field == "endpoint" {
                format!("https://api.example.com/v1/{}", payload.value)
            } else {
                payload.value.clone()
            };
            let place = format!("{field}: {}", payload.name);
            if let Some(token) = file(&mut app, &csrf, &ticket_with(field, &value, n), &place).await
            {
                filed.push((place, token, value));
            }
        }
    }
    assert!(
        filed.len() >= FREE_TEXT.len() * hostile_text().len() / 2,
        "most payloads are text a ticket can hold; only {} were filed",
        filed.len()
    );

    for (place, token, value) in &filed {
        let page = app.get(&format!("/tickets/{token}")).await;
        assert_eq!(page.status, StatusCode::OK, "{place}: status page");
        assert_inert_html(&page.body, value, &format!("{place} (status page)"));
    }

    let admin = add_staff(&app, "ada@example.com", "Ada Admin", Role::Admin).await;
    sign_in(&mut app, "ada@example.com").await;
    for (place, token, value) in &filed {
        let ticket = app
            .state
            .store
            .ticket_by_token(*token)
            .await
            .unwrap()
            .unwrap();
        let page = app.get(&format!("/staff/tickets/{}", ticket.id)).await;
        assert_eq!(page.status, StatusCode::OK, "{place}: staff page");
        assert_inert_html(&page.body, value, &format!("{place} (staff page)"));
    }
    let mut url = "/staff/queue?status=all&sort=newest".to_string();
    let mut pages = 0;
    loop {
        let page = app.get(&url).await;
        assert_eq!(page.status, StatusCode::OK, "queue page");
        for (place, _, value) in &filed {
            assert_escaped(&page.body, value, &format!("{place} (queue)"));
        }
        assert_no_live_markup(&page.body, "queue");
        pages += 1;
        match next_link(&page.body) {
            Some(next) if pages < 10 => url = next,
            _ => break,
        }
    }

    let csv = app.get("/staff/queue.csv?status=all").await;
    assert_eq!(csv.status, StatusCode::OK);
    assert_csv_neutral(&csv.body, "queue.csv");
    assert_eq!(
        crate::payloads::csv_cells(&csv.body)
            .iter()
            .filter(|cell| cell.starts_with("APD-"))
            .count(),
        filed.len(),
        "every filed ticket is one row of the export"
    );

    let token = api_token(&app.state.store, admin, &[Scope::TicketsRead]).await;
    for (place, ticket_token, _) in &filed {
        let ticket = app
            .state
            .store
            .ticket_by_token(*ticket_token)
            .await
            .unwrap()
            .unwrap();
        let (status, json) = crate::api::call(
            &mut app,
            "GET",
            &format!("/api/v1/tickets/{}", ticket.id),
            &token,
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{place}: API");
        assert_eq!(
            json["message"].as_str(),
            Some(ticket.details.message.as_str()),
            "{place}: the API gives the message as stored"
        );
    }
}

/// Values that are not a URL or a path, `javascript:` and friends among
/// them, are refused as an endpoint; nothing is filed.
#[tokio::test]
async fn script_and_data_urls_are_refused_as_the_endpoint() {
    let mut app = crate::app().await;
    for (n, endpoint) in [
        "javascript:alert(1)",
        "JAVASCRIPT:alert(1)",
        " javascript:alert(1)",
        "java\tscript:alert(1)",
        "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
        "vbscript:msgbox(1)",
        "//evil.example/x",
        "file:///etc/passwd",
        "ftp://api.example.com/x",
    ]
    .into_iter()
    .enumerate()
    {
        let place = format!("endpoint: {endpoint:?}");
        let res = app
            .post_form("/tickets", &as_pairs(&ticket_with("endpoint", endpoint, n)))
            .await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{place}");
        assert_inert_html(&res.body, endpoint, &place);
    }
    assert_eq!(app.count_tickets().await, 0);
}

/// The fields with a fixed set of answers take no payload: each is a
/// 4xx with the form shown back inert, never a 5xx.
#[tokio::test]
async fn hostile_values_in_choice_fields_are_refused() {
    let mut app = crate::app().await;
    let csrf = app.csrf_token().await;
    let mut n = 0;
    for field in [
        "error_code",
        "method",
        "occurred_at",
        "time_zone",
        "utc_offset",
        "tool",
        "environment",
        "email",
        "path",
        "usage",
        "submission_id",
    ] {
        for payload in hostile() {
            n += 1;
            let place = format!("{field}: {}", payload.name);
            let fields = ticket_with(field, &payload.value, n);
            let res = crate::post_with(&mut app, &csrf, "/tickets", &as_pairs(&fields)).await;
            assert_not_5xx(res.status, &place);
            assert_inert_html(&res.body, &payload.value, &place);
        }
    }
}

/// A megabyte in any field is refused whole (413 or 422), never stored.
#[tokio::test]
async fn a_megabyte_in_any_field_is_refused() {
    let mut app = crate::app().await;
    let huge = "A".repeat(1024 * 1024);
    for (n, field) in [
        "message",
        "endpoint",
        "recent_changes",
        "name",
        "email",
        "tool_other",
        "occurred_at",
    ]
    .into_iter()
    .enumerate()
    {
        let res = app
            .post_form("/tickets", &as_pairs(&ticket_with(field, &huge, n)))
            .await;
        assert!(
            res.status == StatusCode::PAYLOAD_TOO_LARGE
                || res.status == StatusCode::UNPROCESSABLE_ENTITY,
            "{field}: answered {}",
            res.status
        );
    }
    // Just past each limit, within the body limit: a field error.
    for (n, (field, len)) in [
        ("message", 10_001),
        ("endpoint", 2_049),
        ("recent_changes", 5_001),
        ("name", 201),
        ("tool_other", 101),
        ("email", 255),
    ]
    .into_iter()
    .enumerate()
    {
        let value = match field {
            "endpoint" => format!("https://a.example/{}", "a".repeat(len)),
            "email" => format!("{}@example.com", "a".repeat(len)),
            _ => "a".repeat(len),
        };
        let res = app
            .post_form("/tickets", &as_pairs(&ticket_with(field, &value, n)))
            .await;
        assert_eq!(
            res.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{field} of {len}"
        );
    }
    assert_eq!(app.count_tickets().await, 0);
}

/// Each field left out, or sent empty: the required ones are 422, and
/// the form is never a 5xx.
#[tokio::test]
async fn missing_and_empty_fields_are_field_errors() {
    let mut app = crate::app().await;
    let required = [
        "error_code",
        "message",
        "endpoint",
        "method",
        "occurred_at",
        "tool",
        "environment",
        "email",
    ];
    for (n, (field, _)) in valid_ticket().into_iter().enumerate() {
        let mut fields = ticket_with("", "", n);
        fields.retain(|(k, _)| *k != field);
        let res = app.post_form("/tickets", &as_pairs(&fields)).await;
        assert_not_5xx(res.status, &format!("{field} left out"));
        if required.contains(&field) {
            assert_eq!(
                res.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{field} left out"
            );
        }
        let res = app
            .post_form("/tickets", &as_pairs(&ticket_with(field, "", n + 100)))
            .await;
        assert_not_5xx(res.status, &format!("{field} empty"));
        if required.contains(&field) {
            assert_eq!(
                res.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{field} empty"
            );
        }
    }
    // Nothing at all but the token.
    let res = app.post_form("/tickets", &[]).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    // The same field twice.
    let mut twice = ticket_with("", "", 999);
    twice.push(("message", "a second message".into()));
    let res = app.post_form("/tickets", &as_pairs(&twice)).await;
    assert_not_5xx(res.status, "message twice");
}

/// Absurd failure times are a field error or a sensible stored time;
/// never a 5xx, never a time outside 2000 to now.
#[tokio::test]
async fn absurd_dates_are_field_errors() {
    let mut app = crate::app().await;
    for (n, date) in absurd_dates().into_iter().enumerate() {
        for offset in ["+01:00", "-12:00", "+14:00", "+99:99", ""] {
            let mut fields = ticket_with("occurred_at", date, n);
            fields
                .iter_mut()
                .find(|(k, _)| *k == "utc_offset")
                .unwrap()
                .1 = offset.into();
            let place = format!("occurred_at {date:?} at {offset:?}");
            let res = app.post_form("/tickets", &as_pairs(&fields)).await;
            assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{place}");
        }
        for zone in [
            "Etc/GMT-14",
            "Pacific/Kiritimati",
            "Mars/Olympus",
            "UTC+25:00",
        ] {
            let mut fields = ticket_with("occurred_at", date, n);
            fields.push(("time_zone", zone.into()));
            let res = app.post_form("/tickets", &as_pairs(&fields)).await;
            assert_eq!(
                res.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "occurred_at {date:?} in {zone}"
            );
        }
    }
    assert_eq!(app.count_tickets().await, 0);
}

/// Every deep-link key takes every payload (and an absurd date) and the
/// form is shown with it inert.
#[tokio::test]
async fn deep_link_keys_show_hostile_values_inert() {
    let mut app = crate::app().await;
    let keys = [
        "error_code",
        "message",
        "endpoint",
        "method",
        "occurred_at",
        "time_zone",
        "utc_offset",
        "tool",
        "tool_other",
        "recent_changes",
        "environment",
        "name",
        "email",
        "path",
        "usage",
        "submission_id",
        "reviewed",
    ];
    let mut values: Vec<String> = hostile().into_iter().map(|p| p.value).collect();
    values.extend(absurd_dates().into_iter().map(String::from));
    // Every key at once: each field is filled on its own, and one page
    // per value keeps the suite quick.
    for value in &values {
        let query = serde_urlencoded::to_string(keys.map(|key| (key, value.as_str()))).unwrap();
        let place = format!("/tickets/new with every key {value:?}");
        let res = app.get(&format!("/tickets/new?{query}")).await;
        assert_eq!(res.status, StatusCode::OK, "{place}");
        assert_inert_html(&res.body, value, &place);
    }
    for key in keys {
        // Not UTF-8, a repeated key, a key without a value.
        for raw in [
            format!("{key}=%FF%FE%C3%28"),
            format!("{key}=a&{key}=b"),
            key.to_string(),
            format!("{key}=%"),
        ] {
            let res = app.get(&format!("/tickets/new?{raw}")).await;
            assert_not_5xx(res.status, &format!("/tickets/new?{raw}"));
        }
    }
}

/// The queue's "Next page" link, unescaped.
fn next_link(html: &str) -> Option<String> {
    let end = html.find(">Next page")?;
    let start = html[..end].rfind("href=\"")? + 6;
    Some(crate::common::unescape(
        &html[start..html[start..].find('"')? + start],
    ))
}
