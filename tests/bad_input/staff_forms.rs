//! The staff side, signed in as an admin: every action form and every
//! query key of the queue, its export, the workspace and insights takes
//! every payload. Never a 5xx; what is kept is inert on the staff pages,
//! the requester's page (replies) and the CSV.

use apidesk::staff::Role;
use axum::http::StatusCode;

use crate::common::TestApp;
use crate::payloads::{
    absurd_dates, assert_csv_neutral, assert_inert_html, assert_not_5xx, hostile, hostile_text,
};
use crate::staff_helpers::{add_staff, file_ticket_with, sign_in, staff_url, status_url};

fn values() -> Vec<String> {
    let mut values: Vec<String> = hostile().into_iter().map(|p| p.value).collect();
    values.extend(absurd_dates().into_iter().map(String::from));
    values.push("x".repeat(30_000));
    values
}

fn short(value: &str) -> String {
    value.chars().take(40).collect()
}

async fn admin_app() -> TestApp {
    let mut app = crate::app().await;
    add_staff(&app, "ada@example.com", "Ada Admin", Role::Admin).await;
    sign_in(&mut app, "ada@example.com").await;
    app
}

/// Posts `fields` to `uri`: never a 5xx, and the page that answers (or
/// the one it sends the browser to) shows every value inert.
async fn post_inert(
    app: &mut TestApp,
    csrf: &str,
    uri: &str,
    fields: &[(&str, &str)],
    value: &str,
) {
    let place = format!("POST {uri} {:?}", short(value));
    let res = crate::post_with(app, csrf, uri, fields).await;
    assert_not_5xx(res.status, &place);
    assert_inert_html(&res.body, value, &place);
    if res.status.is_redirection() {
        let next = res.location().to_string();
        let page = app.get(&next).await;
        assert_not_5xx(page.status, &format!("{place} → {next}"));
        assert_inert_html(&page.body, value, &format!("{place} → {next}"));
    }
}

#[tokio::test]
async fn ticket_actions_take_payloads_and_show_them_inert() {
    let mut app = admin_app().await;
    let ticket = file_ticket_with(&mut app, &[]).await;
    let other = file_ticket_with(&mut app, &[("email", "lin@other.example")]).await;
    let base = staff_url(&ticket);
    let csrf = app.csrf_token().await;
    let mut kept = Vec::new();
    for payload in hostile_text() {
        let value = payload.value.as_str();
        post_inert(
            &mut app,
            &csrf,
            &format!("{base}/notes"),
            &[("note", value)],
            value,
        )
        .await;
        post_inert(
            &mut app,
            &csrf,
            &format!("{base}/replies"),
            &[("reply", value)],
            value,
        )
        .await;
        post_inert(
            &mut app,
            &csrf,
            &format!("{base}/compose"),
            &[("text", value), ("kind", "note")],
            value,
        )
        .await;
        kept.push(payload.value);
    }
    for value in values() {
        let v = value.as_str();
        for (action, field) in [
            ("assign", "assignee"),
            ("priority", "priority"),
            ("status", "status"),
            ("merge", "into"),
            ("problem-answer", "problem_reply"),
            ("split", "anything"),
        ] {
            post_inert(
                &mut app,
                &csrf,
                &format!("{base}/{action}"),
                &[(field, v)],
                v,
            )
            .await;
        }
        for field in [
            "kind",
            "status",
            "priority",
            "assignee",
            "was_status",
            "was_priority",
            "was_assignee",
            "seen",
            "view",
            "go",
        ] {
            post_inert(
                &mut app,
                &csrf,
                &format!("{base}/compose"),
                &[("text", "A note."), ("kind", "note"), (field, v)],
                v,
            )
            .await;
        }
        post_inert(
            &mut app,
            &csrf,
            &format!("{base}/replies"),
            &[("reply", "ok"), ("waiting", v)],
            v,
        )
        .await;
    }
    // Both pages show what was kept inert; the requester sees the replies.
    let page = app.get(&base).await;
    assert_eq!(page.status, StatusCode::OK);
    let status_page = app.get(&status_url(&ticket)).await;
    for value in &kept {
        crate::payloads::assert_escaped(&page.body, value, "staff ticket page");
        crate::payloads::assert_escaped(&status_page.body, value, "status page");
    }
    crate::payloads::assert_no_live_markup(&page.body, "staff ticket page");
    crate::payloads::assert_no_live_markup(&status_page.body, "status page");
    // The other ticket was never touched by a merge into a payload.
    let other_page = app.get(&staff_url(&other)).await;
    assert_eq!(other_page.status, StatusCode::OK);
}

#[tokio::test]
async fn the_queue_its_export_and_the_workspace_take_any_query() {
    let mut app = admin_app().await;
    for (n, payload) in hostile_text().into_iter().enumerate().take(8) {
        let email = format!("req{n}@org{n}.example");
        file_ticket_with(&mut app, &[("email", &email), ("message", &payload.value)]).await;
    }
    let ticket = file_ticket_with(&mut app, &[("email", "last@last.example")]).await;
    let keys = [
        "status",
        "code",
        "priority",
        "assignee",
        "environment",
        "tool",
        "from",
        "to",
        "q",
        "sort",
        "after",
        "at",
        "count",
        "bulk",
        "unknown",
    ];
    for key in keys {
        for value in values() {
            let query = serde_urlencoded::to_string([(key, value.as_str())]).unwrap();
            let place = format!("{key}={:?}", short(&value));
            let page = app.get(&format!("/staff/queue?{query}")).await;
            assert_not_5xx(page.status, &format!("queue {place}"));
            assert_inert_html(&page.body, &value, &format!("queue {place}"));
            let count = app.get(&format!("/staff/queue/count?{query}")).await;
            assert_not_5xx(count.status, &format!("count {place}"));
            let csv = app.get(&format!("/staff/queue.csv?{query}")).await;
            assert_not_5xx(csv.status, &format!("csv {place}"));
            if csv.status == StatusCode::OK
                && csv.headers["content-type"]
                    .to_str()
                    .unwrap()
                    .starts_with("text/csv")
            {
                assert_csv_neutral(&csv.body, &format!("csv {place}"));
            }
        }
        // Repeated hundreds of times, and not UTF-8.
        let many = vec![format!("{key}=new"); 500].join("&");
        let page = app.get(&format!("/staff/queue?{many}")).await;
        assert_eq!(page.status, StatusCode::OK, "{key} × 500");
        let page = app.get(&format!("/staff/queue?{key}=%FF%FE%00")).await;
        assert_not_5xx(page.status, &format!("{key} not UTF-8"));
    }
    for key in ["view", "macro"] {
        for value in values() {
            let query = serde_urlencoded::to_string([(key, value.as_str())]).unwrap();
            let place = format!("workspace {key}={:?}", short(&value));
            let page = app.get(&format!("{}?{query}", staff_url(&ticket))).await;
            assert_not_5xx(page.status, &place);
            assert_inert_html(&page.body, &value, &place);
        }
    }
    for id in [
        "abc",
        "-1",
        "0",
        "99999999999999999999",
        "1%00",
        "%3Cscript%3E",
    ] {
        let page = app.get(&format!("/staff/tickets/{id}")).await;
        assert!(
            page.status.is_client_error(),
            "/staff/tickets/{id}: {}",
            page.status
        );
    }
}

#[tokio::test]
async fn insights_and_the_admin_forms_take_payloads() {
    let mut app = admin_app().await;
    let csrf = app.csrf_token().await;
    for value in values() {
        let v = value.as_str();
        for key in ["from", "to"] {
            let query = serde_urlencoded::to_string([(key, v)]).unwrap();
            let page = app.get(&format!("/staff/insights?{query}")).await;
            assert_not_5xx(page.status, &format!("insights {key}={:?}", short(v)));
            assert_inert_html(&page.body, v, "insights");
            let csv = app
                .get(&format!("/staff/insights/funnel.csv?{query}"))
                .await;
            assert_not_5xx(csv.status, &format!("insights csv {key}={:?}", short(v)));
        }
        post_inert(
            &mut app,
            &csrf,
            "/staff/incidents",
            &[
                ("title", v),
                ("affected", v),
                ("codes", "500"),
                ("started_at", ""),
            ],
            v,
        )
        .await;
        post_inert(
            &mut app,
            &csrf,
            "/staff/incidents",
            &[
                ("title", "Outage"),
                ("affected", "All"),
                ("codes", v),
                ("started_at", v),
            ],
            v,
        )
        .await;
        for field in ["title", "body", "set_status", "set_priority"] {
            let mut fields = vec![
                ("title", "Ask for the key"),
                ("body", "Hi {{requester_name}}"),
                ("set_status", ""),
                ("set_priority", ""),
            ];
            fields.iter_mut().find(|(k, _)| *k == field).unwrap().1 = v;
            post_inert(&mut app, &csrf, "/staff/macros", &fields, v).await;
        }
        post_inert(
            &mut app,
            &csrf,
            "/staff/views",
            &[("name", v), ("query", "status=new")],
            v,
        )
        .await;
        post_inert(
            &mut app,
            &csrf,
            "/staff/views",
            &[("name", "Mine"), ("query", v)],
            v,
        )
        .await;
        post_inert(&mut app, &csrf, "/staff/settings", &[("time_zone", v)], v).await;
        post_inert(
            &mut app,
            &csrf,
            "/staff/webhooks",
            &[("url", v), ("format", "json"), ("events", "ticket.filed")],
            v,
        )
        .await;
        post_inert(
            &mut app,
            &csrf,
            "/staff/webhooks",
            &[
                ("url", "https://hooks.example.com/x"),
                ("format", v),
                ("events", v),
                ("problem_threshold", v),
            ],
            v,
        )
        .await;
        post_inert(
            &mut app,
            &csrf,
            "/staff/accounts",
            &[("name", v), ("email", "new@example.com"), ("role", "agent")],
            v,
        )
        .await;
        post_inert(
            &mut app,
            &csrf,
            "/staff/accounts",
            &[("name", "New"), ("email", v), ("role", v)],
            v,
        )
        .await;
        post_inert(
            &mut app,
            &csrf,
            "/staff/tokens",
            &[("name", v), ("scopes", "tickets:read")],
            v,
        )
        .await;
        post_inert(
            &mut app,
            &csrf,
            "/staff/tokens",
            &[("name", "T"), ("scopes", v)],
            v,
        )
        .await;
        post_inert(
            &mut app,
            &csrf,
            "/staff/queue/bulk",
            &[("ids", v), ("status_to", v), ("back", v)],
            v,
        )
        .await;
    }
    let payloads = hostile_text();
    for page in [
        "/staff/incidents",
        "/staff/macros",
        "/staff/views",
        "/staff/webhooks",
        "/staff/accounts",
        "/staff/tokens",
        "/staff/queue",
    ] {
        let res = app.get(page).await;
        assert_eq!(res.status, StatusCode::OK, "{page}");
        crate::payloads::assert_all_inert(&res.body, &payloads, page);
    }
    // No webhook was registered for a script, data or other non-web URL.
    let webhooks = app.get("/staff/webhooks").await;
    for scheme in ["javascript:", "data:", "vbscript:"] {
        assert!(
            !webhooks
                .body
                .to_ascii_lowercase()
                .contains(&format!(">{scheme}")),
            "a {scheme} webhook was registered"
        );
    }
}

#[tokio::test]
async fn sign_in_sends_back_only_to_a_path_on_this_site() {
    let mut app = crate::app().await;
    add_staff(&app, "ada@example.com", "Ada Admin", Role::Admin).await;
    for next in [
        "javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "//evil.example/",
        "/\\evil.example/",
        "\\\\evil.example",
        "https://evil.example/",
        "/%2F%2Fevil.example",
        "/\t/evil.example",
        "\r\nLocation: https://evil.example",
    ] {
        let query = serde_urlencoded::to_string([("next", next)]).unwrap();
        let page = app.get(&format!("/staff/login?{query}")).await;
        assert_eq!(page.status, StatusCode::OK, "{next:?}");
        assert_inert_html(&page.body, next, &format!("login next={next:?}"));
        app.forget_cookie("apidesk_session");
        let res = app
            .post_form(
                "/staff/login",
                &[
                    ("email", "ada@example.com"),
                    ("password", crate::staff_helpers::PASSWORD),
                    ("next", next),
                ],
            )
            .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{next:?}");
        let to = res.location();
        assert!(
            to.starts_with('/') && !to.starts_with("//") && !to.starts_with("/\\"),
            "next={next:?} sent the browser to {to:?}"
        );
        assert!(!to.contains(['\r', '\n', '\\']), "{to:?}");
    }
    // A wrong password with hostile text in every field.
    for payload in hostile() {
        let res = app
            .post_form(
                "/staff/login",
                &[
                    ("email", &payload.value),
                    ("password", &payload.value),
                    ("next", &payload.value),
                ],
            )
            .await;
        assert_not_5xx(res.status, payload.name);
        assert_inert_html(&res.body, &payload.value, payload.name);
    }
}

/// The second-factor forms (confirming a new authenticator, turning it
/// off, new recovery codes, the sign-in code step) take every payload:
/// never a 5xx, and whatever page answers shows it inert. Past the guess
/// limit the answer is a 429, which is as clear.
#[tokio::test]
async fn second_factor_forms_take_payloads_and_show_them_inert() {
    let mut app = admin_app().await;
    let csrf = app.csrf_token().await;
    // A pending authenticator, so that confirming it reads the code.
    let begun = crate::post_with(&mut app, &csrf, "/staff/security/totp", &[]).await;
    assert_not_5xx(begun.status, "POST /staff/security/totp");
    for value in values() {
        post_inert(
            &mut app,
            &csrf,
            "/staff/security/totp/confirm",
            &[("code", &value)],
            &value,
        )
        .await;
        for uri in ["/staff/security/totp/off", "/staff/security/recovery-codes"] {
            post_inert(&mut app, &csrf, uri, &[("proof", &value)], &value).await;
        }
        post_inert(
            &mut app,
            &csrf,
            "/staff/login/code",
            &[("code", &value)],
            &value,
        )
        .await;
    }
}
