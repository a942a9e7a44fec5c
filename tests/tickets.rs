//! Filing tickets: deep links, validation over HTTP, double submits, the
//! status page, and hostile input shown inert.

mod common;
#[path = "common/staff.rs"]
mod staff_helpers;

use axum::http::StatusCode;
use common::{
    TestApp, as_pairs, escape, hidden_value, is_checked, selected, textarea_value, valid_ticket,
};

fn with(
    mut fields: Vec<(&'static str, String)>,
    name: &str,
    value: &str,
) -> Vec<(&'static str, String)> {
    fields
        .iter_mut()
        .find(|(k, _)| *k == name)
        .expect("known field")
        .1 = value.to_string();
    fields
}

#[tokio::test]
async fn a_deep_link_prefills_every_field() {
    let mut app = TestApp::spawn().await;
    let page = app
        .get(
            "/tickets/new?error_code=404&message=Record+not+found&endpoint=%2Fopenapi%2Fviews%2F1%2Frecords%2F9\
             &method=delete&occurred_at=2026-03-14T09%3A26%3A00-03%3A30&tool=other&tool_other=n8n\
             &recent_changes=New+role&environment=sandbox&name=Sam&email=sam%40example.com",
        )
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(
        textarea_value(&page.body, "message").unwrap(),
        "Record not found"
    );
    assert_eq!(
        textarea_value(&page.body, "recent_changes").unwrap(),
        "New role"
    );
    assert_eq!(
        hidden_value(&page.body, "endpoint").unwrap(),
        "/openapi/views/1/records/9"
    );
    assert_eq!(
        hidden_value(&page.body, "occurred_at").unwrap(),
        "2026-03-14T09:26"
    );
    assert_eq!(hidden_value(&page.body, "tool_other").unwrap(), "n8n");
    assert_eq!(hidden_value(&page.body, "name").unwrap(), "Sam");
    assert_eq!(
        hidden_value(&page.body, "email").unwrap(),
        "sam@example.com"
    );
    assert_eq!(selected(&page.body, "error_code").as_deref(), Some("404"));
    assert_eq!(
        selected(&page.body, "time_zone").as_deref(),
        Some("UTC-03:30")
    );
    assert_eq!(selected(&page.body, "tool").as_deref(), Some("other"));
    assert!(is_checked(&page.body, "method", "DELETE"));
    assert!(is_checked(&page.body, "environment", "sandbox"));
    assert!(!is_checked(&page.body, "environment", "production"));
    // Each rendering gets its own submission id.
    let again = app.get("/tickets/new").await;
    assert_ne!(
        hidden_value(&page.body, "submission_id"),
        hidden_value(&again.body, "submission_id")
    );
}

#[tokio::test]
async fn an_empty_form_explains_every_required_field_and_stores_nothing() {
    let mut app = TestApp::spawn().await;
    let res = app.post_form("/tickets", &[]).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    res.assert_contains("8 things need fixing");
    for field in [
        "error_code",
        "message",
        "endpoint",
        "method",
        "occurred_at",
        "tool",
        "environment",
        "email",
    ] {
        res.assert_contains(&format!("href=\"#field-{field}\""))
            .assert_contains(&format!("id=\"{field}-error\""));
    }
    assert_eq!(app.count_tickets().await, 0);
}

#[tokio::test]
async fn each_mistake_is_named_beside_its_field_and_the_rest_is_kept() {
    let mut app = TestApp::spawn().await;
    let cases = [
        (
            "endpoint",
            "views/12",
            "Enter a full URL starting with https:// or a path starting with /.",
        ),
        (
            "method",
            "TRACE",
            "Choose the HTTP method of the call that failed.",
        ),
        (
            "occurred_at",
            "2099-01-01T10:00",
            "That time is in the future.",
        ),
        (
            "tool",
            "spreadsheet",
            "Choose the tool or platform that made the call.",
        ),
        (
            "environment",
            "staging",
            "Choose production, sandbox, or not sure.",
        ),
        (
            "email",
            "nobody",
            "Enter an email address like name@example.com.",
        ),
        ("error_code", "418", "Choose the error code you got"),
    ];
    for (field, bad, message) in cases {
        let fields = with(valid_ticket(), field, bad);
        let res = app.post_form("/tickets", &as_pairs(&fields)).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{field}");
        res.assert_contains("One thing needs fixing")
            .assert_contains(&escape(message))
            .assert_contains(&format!("id=\"{field}-error\""));
        // Everything else is shown back as typed.
        assert_eq!(
            textarea_value(&res.body, "message").unwrap(),
            "HTTP GET failed: unauthorized (401)"
        );
        if field != "email" {
            assert_eq!(
                hidden_value(&res.body, "email").unwrap(),
                "dana@example.com"
            );
        }
        if field != "endpoint" {
            assert_eq!(
                hidden_value(&res.body, "endpoint").unwrap(),
                "https://go.trackvia.com/openapi/views/12/records"
            );
        } else {
            assert_eq!(hidden_value(&res.body, "endpoint").unwrap(), "views/12");
        }
    }
    let too_long = with(valid_ticket(), "message", &"x".repeat(10_001));
    let res = app.post_form("/tickets", &as_pairs(&too_long)).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    res.assert_contains("10,000 characters");
    assert_eq!(textarea_value(&res.body, "message").unwrap().len(), 10_001);
    assert_eq!(app.count_tickets().await, 0);
}

#[tokio::test]
async fn submitting_the_same_form_twice_files_one_ticket() {
    let mut app = TestApp::spawn().await;
    let fields = valid_ticket();
    let first = app.post_form("/tickets", &as_pairs(&fields)).await;
    let second = app.post_form("/tickets", &as_pairs(&fields)).await;
    assert_eq!(first.status, StatusCode::SEE_OTHER);
    assert_eq!(second.status, StatusCode::SEE_OTHER);
    assert_eq!(first.location(), second.location());
    assert_eq!(app.count_tickets().await, 1);

    // A new rendering of the form is a new ticket.
    let other = with(
        valid_ticket(),
        "message",
        "HTTP GET failed: forbidden (403)",
    );
    let third = app.post_form("/tickets", &as_pairs(&other)).await;
    assert_ne!(third.location(), first.location());
    assert_eq!(app.count_tickets().await, 2);
}

#[tokio::test]
async fn the_status_page_shows_what_was_sent_stored_in_utc() {
    let mut app = TestApp::spawn().await;
    let fields = with(with(valid_ticket(), "tool", "other"), "tool_other", "n8n");
    let res = app.post_form("/tickets", &as_pairs(&fields)).await;
    let location = res.location().to_string();
    assert!(location.starts_with("/tickets/"));
    let token = location
        .trim_start_matches("/tickets/")
        .split('?')
        .next()
        .unwrap();
    assert_eq!(uuid::Uuid::parse_str(token).unwrap().get_version_num(), 4);

    let page = app.get(&location).await;
    page.assert_contains("APD-000001")
        .assert_contains("New")
        .assert_contains("https://go.trackvia.com/openapi/views/12/records")
        // Shown back at the offset the requester chose (stored as 08:30 UTC).
        .assert_contains("15 Jan 2026, 09:30 UTC+01:00")
        .assert_contains("n8n")
        .assert_contains("Production")
        .assert_contains("dana@example.com")
        .assert_contains("/articles/401-unauthorized");
    // Without the flash marker the page still works, without the banner.
    let plain = app.get(location.split('?').next().unwrap()).await;
    plain
        .assert_contains("APD-000001")
        .assert_lacks("Your ticket is filed");
}

#[tokio::test]
async fn unknown_and_malformed_tokens_get_a_proper_404_page() {
    let mut app = TestApp::spawn().await;
    for uri in [
        "/tickets/1",
        "/tickets/not-a-token",
        &format!("/tickets/{}", uuid::Uuid::new_v4()),
    ] {
        let res = app.get(uri).await;
        assert_eq!(res.status, StatusCode::NOT_FOUND, "{uri}");
        res.assert_contains("Page not found")
            .assert_contains("<html");
    }
}

#[tokio::test]
async fn html_in_every_requester_field_is_shown_inert() {
    let mut app = TestApp::spawn().await;
    let payload = "<script>alert(1)</script><img src=x onerror=alert(2)>";
    let mut fields = valid_ticket();
    for (name, value) in fields.iter_mut() {
        match *name {
            "message" | "recent_changes" | "name" => *value = format!("{payload} {name}"),
            "endpoint" => *value = "/x?<script>alert(3)</script>".into(),
            "tool" => *value = "other".into(),
            "tool_other" => *value = format!("{payload} tool"),
            _ => {}
        }
    }
    // Shown back on a refused form...
    let refused = app
        .post_form(
            "/tickets",
            &as_pairs(&with(fields.clone(), "email", payload)),
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    refused
        .assert_lacks("<script>alert")
        .assert_lacks("<img src=x");
    // ...and on the status page.
    let filed = app.post_form("/tickets", &as_pairs(&fields)).await;
    assert_eq!(filed.status, StatusCode::SEE_OTHER, "{}", filed.body);
    let page = app.get(filed.location()).await;
    page.assert_lacks("<script>alert")
        .assert_lacks("<img src=x")
        .assert_contains("&#60;script&#62;alert(1)&#60;/script&#62;");
    // ...and on the tree and form pages that carry a pasted message.
    let tree = app
        .get("/troubleshoot/other?message=%3Cscript%3Ealert(1)%3C%2Fscript%3E")
        .await;
    tree.assert_lacks("<script>alert");
    let form = app
        .get("/tickets/new?message=%3Cscript%3Ealert(1)%3C%2Fscript%3E&name=%22%3E%3Cscript%3E")
        .await;
    form.assert_lacks("<script>alert")
        .assert_lacks("\"><script>");
}

#[tokio::test]
async fn the_checks_already_made_are_stored_with_the_ticket() {
    let mut app = TestApp::spawn().await;
    let fields = with(valid_ticket(), "path", "token-active,user-active");
    let res = app.post_form("/tickets", &as_pairs(&fields)).await;
    let page = app.get(res.location()).await;
    page.assert_contains("Checks you already made")
        .assert_contains("Check that the access token has not expired or been revoked")
        .assert_contains("Check that the API user is active and enabled");
}

#[tokio::test]
async fn an_email_without_a_dot_in_its_domain_is_refused_and_kept() {
    let mut app = TestApp::spawn().await;
    let fields = with(valid_ticket(), "email", "ada@example");
    let res = app.post_form("/tickets", &as_pairs(&fields)).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    res.assert_contains("One thing needs fixing")
        .assert_contains("Check the part after @: it needs a full domain, like example.com.")
        .assert_contains("href=\"#field-email\"")
        .assert_contains("id=\"email-error\"");
    assert_eq!(hidden_value(&res.body, "email").unwrap(), "ada@example");
    assert_eq!(app.count_tickets().await, 0);
}

/// The tags a keyboard user reaches by Tab, in document order, with where
/// each starts: links, buttons and the fields a person fills in.
fn focusable_tags(html: &str) -> Vec<(usize, &str)> {
    let mut found = Vec::new();
    for (at, _) in html.match_indices('<') {
        let rest = &html[at..];
        let tag = &rest[..rest.find('>').unwrap_or(rest.len())];
        let focusable = tag.starts_with("<a ")
            || tag.starts_with("<button")
            || tag.starts_with("<select")
            || tag.starts_with("<textarea")
            || (tag.starts_with("<input") && !tag.contains("type=\"hidden\""));
        if focusable {
            found.push((at, tag));
        }
    }
    found
}

#[tokio::test]
async fn after_the_last_field_tab_reaches_send_before_any_link() {
    let mut app = TestApp::spawn().await;
    let prefilled = app
        .get("/tickets/new?error_code=401&message=HTTP+GET+failed&method=GET")
        .await;
    let refused = app
        .post_form(
            "/tickets",
            &as_pairs(&with(valid_ticket(), "email", "nobody")),
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    for page in [prefilled, refused] {
        // The article is still offered, and its link keeps what the form holds...
        let article = page
            .body
            .find(">401 Unauthorized</a>")
            .expect("article link");
        let form = page
            .body
            .find("<form method=\"post\" action=\"/tickets\"")
            .unwrap();
        let form_end = form + page.body[form..].find("</form>").unwrap();
        assert!(article < form, "the article link comes before the fields");
        // ...but after the last field, the next thing Tab reaches is "Send to support".
        let tags = focusable_tags(&page.body);
        let last_field = tags
            .iter()
            .rposition(|(at, tag)| {
                *at < form_end && !tag.starts_with("<a ") && !tag.starts_with("<button")
            })
            .unwrap();
        assert!(
            tags[last_field].1.contains("name=\"email\""),
            "{:?}",
            tags[last_field]
        );
        let (next_at, next) = tags[last_field + 1];
        assert!(
            next.starts_with("<button type=\"submit\""),
            "after the email field Tab reaches {next:?}, not the submit button"
        );
        assert!(page.body[next_at..].starts_with(&format!("{next}>Send to support</button>")));
        assert!(next_at < form_end);
    }
}

#[tokio::test]
async fn another_browser_reposting_a_submission_id_gets_its_own_ticket() {
    let mut app = TestApp::spawn().await;
    let fields = valid_ticket();
    let victim = app.post_form("/tickets", &as_pairs(&fields)).await;
    assert_eq!(victim.status, StatusCode::SEE_OTHER);

    // Someone who saw the form (and its submission id) posts it from
    // their own browser: never sent to the first ticket's private page.
    app.clear_cookies();
    let replay = app.post_form("/tickets", &as_pairs(&fields)).await;
    assert_eq!(replay.status, StatusCode::SEE_OTHER);
    assert_ne!(replay.location(), victim.location());
    assert_eq!(app.count_tickets().await, 2);
}

#[tokio::test]
async fn the_private_link_never_comes_from_the_host_header() {
    let mut app = TestApp::spawn().await;
    let filed = app.post_form("/tickets", &as_pairs(&valid_ticket())).await;
    let location = filed.location().to_string();
    let path = location.split('?').next().unwrap().to_string();
    let page = app
        .request(
            axum::http::Request::get(&location)
                .header(axum::http::header::HOST, "evil.example")
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_lacks("evil.example")
        .assert_contains(&format!("<code class=\"mono\">{path}</code>"));

    // With a public URL configured, the link is absolute under it.
    let mut app = TestApp::spawn_configured(|config| {
        config.public_url = Some("https://help.example.com".into());
    })
    .await;
    let filed = app.post_form("/tickets", &as_pairs(&valid_ticket())).await;
    let location = filed.location().to_string();
    let path = location.split('?').next().unwrap();
    app.get(&location)
        .await
        .assert_contains(&format!("https://help.example.com{path}"));
}

/// A long error message scrolls sideways inside its box; a keyboard (and a
/// phone's screen reader) must be able to reach that box to scroll it.
#[tokio::test]
async fn the_message_box_on_the_status_page_can_be_reached_by_keyboard() {
    let mut app = TestApp::spawn().await;
    let res = app.post_form("/tickets", &as_pairs(&valid_ticket())).await;
    let page = app.get(res.location()).await;
    let boxes: Vec<&str> = page.body.split("<pre").skip(1).collect();
    assert!(!boxes.is_empty(), "the message is shown in a <pre> box");
    for tag in boxes {
        let tag = &tag[..tag.find('>').expect("a closed tag")];
        assert!(
            tag.contains("tabindex=\"0\"") && tag.contains("aria-label=\""),
            "a scrollable box without keyboard access: <pre{tag}>"
        );
    }
}

/// The endpoint people paste may carry their key in its query string; the
/// form says apidesk takes it out before anything is stored.
#[tokio::test]
async fn the_endpoint_hint_says_keys_in_the_url_are_taken_out() {
    let mut app = TestApp::spawn().await;
    let page = app.get("/tickets/new").await;
    let hint = page
        .body
        .split("id=\"endpoint-hint\"")
        .nth(1)
        .and_then(|rest| rest.split("</p>").next())
        .expect("the endpoint field has a hint");
    assert!(
        hint.contains("Keys and tokens in it")
            && hint.contains("taken out before anything is stored"),
        "{hint}"
    );
}

/// A 404 on a Record ID, filed for production against a sandbox host: the
/// form points both out before filing, and files on the second send; staff
/// see them on the ticket with the endpoint taken apart.
#[tokio::test]
async fn hints_come_before_filing_and_stay_with_the_ticket_for_staff() {
    let mut app = TestApp::spawn().await;
    let mut fields = valid_ticket();
    for (name, value) in [
        ("error_code", "404"),
        ("message", "HTTP GET failed: not found (404)"),
        (
            "endpoint",
            "https://sandbox.trackvia.com/openapi/views/12/records/R-1042?page=2",
        ),
        ("environment", "production"),
    ] {
        fields.iter_mut().find(|(k, _)| *k == name).unwrap().1 = value.into();
    }
    let first = app.post_form("/tickets", &as_pairs(&fields)).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    assert_eq!(app.count_tickets().await, 0, "nothing is filed yet");
    first
        .assert_contains("Worth checking before you send")
        .assert_contains("“R-1042”, is not the shape of a TrackVia internal id")
        .assert_contains("“sandbox.trackvia.com” reads as a sandbox host")
        .assert_contains("<input type=\"hidden\" name=\"reviewed\" value=\"1\">");

    let mut again = fields.clone();
    again.push(("reviewed", "1".into()));
    let filed = app.post_form("/tickets", &as_pairs(&again)).await;
    assert_eq!(filed.status, StatusCode::SEE_OTHER, "{}", filed.body);

    staff_helpers::signed_in_agent(&mut app, "ana@example.com", "Ana Agent").await;
    let page = app.get("/staff/tickets/1").await;
    page.assert_contains("Worth checking first")
        .assert_contains("404 with record id “R-1042”, not an internal id")
        .assert_contains(
            "Filed as production, but the host “sandbox.trackvia.com” reads as a sandbox.",
        )
        .assert_contains("/openapi/views/{id}/records/r-1042")
        .assert_contains(">page<");
}
