//! The public forms and query strings beside the ticket form: "add
//! information" on a status page, "email me my tickets", the paste box,
//! the checks' query strings and "Yes, fixed", the calculator and the
//! articles. Every key takes every payload; the answer is never a 5xx and
//! shows the value inert.

use axum::http::StatusCode;

use crate::common::TestApp;
use crate::payloads::{absurd_dates, assert_inert_html, assert_not_5xx, hostile, hostile_text};
use crate::staff_helpers::{file_ticket_with, signed_in_agent, staff_url, status_url};

fn values() -> Vec<String> {
    let mut values: Vec<String> = hostile().into_iter().map(|p| p.value).collect();
    values.extend(absurd_dates().into_iter().map(String::from));
    values.push("x".repeat(30_000));
    values
}

/// GETs `path?key=value` for every value, and the same key not UTF-8;
/// a page that answers shows the value inert. Follows one redirect.
async fn get_each(app: &mut TestApp, path: &str, fixed: &str, key: &str) {
    for value in values() {
        let query = serde_urlencoded::to_string([(key, value.as_str())]).unwrap();
        let sep = if fixed.is_empty() { "" } else { "&" };
        let uri = format!("{path}?{fixed}{sep}{query}");
        let place = format!(
            "{path} {key}={:?}",
            value.chars().take(40).collect::<String>()
        );
        let res = app.get(&uri).await;
        assert_not_5xx(res.status, &place);
        assert_inert_html(&res.body, &value, &place);
        if res.status.is_redirection() {
            let next = res.location().to_string();
            let res = app.get(&next).await;
            assert_not_5xx(res.status, &format!("{place} → {next}"));
            assert_inert_html(&res.body, &value, &format!("{place} → {next}"));
        }
    }
    let res = app.get(&format!("{path}?{key}=%FF%FE%00")).await;
    assert_not_5xx(res.status, &format!("{path} {key} not UTF-8"));
}

#[tokio::test]
async fn additions_on_a_status_page_are_shown_inert_to_both_sides() {
    let mut app = crate::app().await;
    let mut filed = Vec::new();
    for (n, payload) in hostile_text().into_iter().enumerate() {
        // A ticket of its own for each, so no ticket runs out of room.
        let email = format!("req{n}@org{n}.example");
        let ticket = file_ticket_with(&mut app, &[("email", &email)]).await;
        let res = app
            .post_form(
                &format!("{}/replies", status_url(&ticket)),
                &[("body", &payload.value)],
            )
            .await;
        assert_not_5xx(res.status, payload.name);
        assert_inert_html(&res.body, &payload.value, payload.name);
        if res.status.is_redirection() {
            filed.push((ticket, payload));
        } else {
            assert!(
                res.status.is_client_error(),
                "{}: {}",
                payload.name,
                res.status
            );
        }
    }
    assert!(
        filed.len() > hostile_text().len() / 2,
        "most additions are kept"
    );
    for (ticket, payload) in &filed {
        let page = app.get(&status_url(ticket)).await;
        assert_inert_html(&page.body, &payload.value, payload.name);
    }
    signed_in_agent(&mut app, "ana@example.com", "Ana Agent").await;
    for (ticket, payload) in &filed {
        let page = app.get(&staff_url(ticket)).await;
        assert_eq!(page.status, StatusCode::OK);
        assert_inert_html(&page.body, &payload.value, payload.name);
    }
    // A megabyte, empty, and a token that is no ticket's.
    let ticket = &filed[0].0;
    let huge = "a".repeat(1024 * 1024);
    for body in [huge.as_str(), "", "   "] {
        let res = app
            .post_form(
                &format!("{}/replies", status_url(ticket)),
                &[("body", body)],
            )
            .await;
        assert!(
            res.status.is_client_error(),
            "{} bytes: {}",
            body.len(),
            res.status
        );
    }
}

#[tokio::test]
async fn status_page_tokens_that_are_not_tokens_are_not_found() {
    let mut app = crate::app().await;
    file_ticket_with(&mut app, &[]).await;
    for token in [
        "1",
        "APD-000001",
        "00000000-0000-0000-0000-000000000001",
        "not-a-uuid",
        "%00",
        "%3Cscript%3E",
        "..%2F..%2Fetc%2Fpasswd",
        "1%20OR%201=1",
    ] {
        for tail in [
            "",
            "/files/1",
            "/files/00000000-0000-0000-0000-000000000000/preview",
        ] {
            let uri = format!("/tickets/{token}{tail}");
            let res = app.get(&uri).await;
            assert_eq!(res.status, StatusCode::NOT_FOUND, "{uri}");
        }
        let res = app
            .post_form(&format!("/tickets/{token}/replies"), &[("body", "hello")])
            .await;
        assert!(res.status.is_client_error(), "{token}: {}", res.status);
    }
}

#[tokio::test]
async fn email_me_my_tickets_takes_any_address_text() {
    let mut app = crate::app().await;
    for value in values() {
        let place = format!(
            "lost email {:?}",
            value.chars().take(40).collect::<String>()
        );
        let res = app.post_form("/tickets/lost", &[("email", &value)]).await;
        assert_not_5xx(res.status, &place);
        assert_inert_html(&res.body, &value, &place);
    }
    get_each(&mut app, "/tickets/lost", "", "sent").await;
}

#[tokio::test]
async fn the_paste_box_takes_anything_and_carries_it_inert() {
    let mut app = crate::app().await;
    for value in values() {
        let place = format!("diagnose {:?}", value.chars().take(40).collect::<String>());
        let res = app.post_form("/diagnose", &[("message", &value)]).await;
        assert_not_5xx(res.status, &place);
        if res.status.is_redirection() {
            let next = res.location().to_string();
            let page = app.get(&next).await;
            assert_not_5xx(page.status, &place);
            assert_inert_html(&page.body, &value, &place);
        }
    }
    get_each(&mut app, "/diagnose", "", "message").await;
}

#[tokio::test]
async fn the_checks_query_strings_and_fixed_forms_take_anything() {
    let mut app = crate::app().await;
    for code in ["401", "429", "other", "tls"] {
        let path = format!("/troubleshoot/{code}");
        for key in ["path", "message", "method", "step"] {
            get_each(&mut app, &path, "", key).await;
        }
        get_each(&mut app, &format!("{path}/fixed"), "", "step").await;
        for value in values() {
            let place = format!(
                "{path}/fixed step {:?}",
                value.chars().take(40).collect::<String>()
            );
            for (key, other) in [("step", "path"), ("path", "step")] {
                let res = app
                    .post_form(
                        &format!("{path}/fixed"),
                        &[(key, value.as_str()), (other, ""), ("message", &value)],
                    )
                    .await;
                assert_not_5xx(res.status, &place);
                assert_inert_html(&res.body, &value, &place);
            }
        }
    }
    for code in ["%3Cscript%3E", "999", "401%00", "..", "401;DROP"] {
        let res = app.get(&format!("/troubleshoot/{code}")).await;
        assert_eq!(res.status, StatusCode::NOT_FOUND, "{code}");
    }
}

#[tokio::test]
async fn the_calculator_and_articles_take_anything() {
    let mut app = crate::app().await;
    let usual = "every=15&unit=minutes&calls=600&at_once=3&run_minutes=1";
    for key in [
        "every",
        "unit",
        "calls",
        "at_once",
        "run_minutes",
        "path",
        "message",
        "method",
    ] {
        get_each(&mut app, "/rate-limits", "", key).await;
        get_each(&mut app, "/rate-limits", usual, key).await;
    }
    for number in [
        "1e20",
        "-1",
        "0",
        "18446744073709551616",
        "NaN",
        "inf",
        "1.5",
    ] {
        for key in ["every", "calls", "at_once", "run_minutes"] {
            let query = usual
                .split('&')
                .map(|pair| match pair.split_once('=') {
                    Some((k, _)) if k == key => format!("{k}={number}"),
                    _ => pair.to_string(),
                })
                .collect::<Vec<_>>()
                .join("&");
            let res = app.get(&format!("/rate-limits?{query}")).await;
            assert_not_5xx(res.status, &format!("calculator {key}={number}"));
        }
    }
    for key in ["code", "path", "message", "method"] {
        get_each(&mut app, "/articles/401", "", key).await;
        get_each(&mut app, "/articles", "", key).await;
    }
    for slug in [
        "%3Cscript%3E",
        "..%2F..%2FCargo.toml",
        "401%00",
        "javascript:alert(1)",
    ] {
        let res = app.get(&format!("/articles/{slug}")).await;
        assert_eq!(res.status, StatusCode::NOT_FOUND, "{slug}");
    }
}
