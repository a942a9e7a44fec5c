use super::*;
use time::macros::datetime;

const NOW: OffsetDateTime = datetime!(2026-11-26 12:00 UTC);

fn valid() -> TicketInput {
    TicketInput {
        error_code: "401".into(),
        message: "HTTP GET failed: unauthorized (401)".into(),
        endpoint: "https://go.trackvia.com/openapi/views/12/records".into(),
        method: "GET".into(),
        occurred_at: "2026-11-26T10:15".into(),
        utc_offset: "+01:00".into(),
        tool: "workato".into(),
        environment: "production".into(),
        email: "dev@example.com".into(),
        submission_id: "6f1c1f04-6a31-4f1e-9a44-1b2d3c4e5f60".into(),
        path: "token-active,user-active".into(),
        ..Default::default()
    }
}

fn errors_for(change: impl FnOnce(&mut TicketInput)) -> FieldErrors {
    let mut input = valid();
    change(&mut input);
    input.validate(NOW).expect_err("should be refused")
}

#[test]
fn a_complete_form_becomes_a_ticket() {
    let ticket = valid().validate(NOW).unwrap();
    assert_eq!(ticket.error_code, ErrorCode::Unauthorized);
    assert_eq!(ticket.method, Some(HttpMethod::Get));
    assert_eq!(ticket.occurred_at, Some(datetime!(2026-11-26 09:15 UTC)));
    assert_eq!(ticket.tool, Some(Tool::Workato));
    assert!(ticket.wanted.is_empty());
    assert_eq!(ticket.environment, Environment::Production);
    assert_eq!(ticket.path, ["token-active", "user-active"]);
    assert_eq!(
        ticket.submission_id.to_string(),
        "6f1c1f04-6a31-4f1e-9a44-1b2d3c4e5f60"
    );
}

#[test]
fn an_empty_form_explains_every_required_field_in_form_order() {
    let errors = TicketInput::default().validate(NOW).unwrap_err();
    let fields: Vec<_> = errors.iter().map(|(f, _)| f).collect();
    assert_eq!(
        fields,
        [
            "error_code",
            "message",
            "endpoint",
            "method",
            "occurred_at",
            "tool",
            "environment",
            "email"
        ]
    );
}

#[test]
fn error_code_must_be_known() {
    assert!(
        errors_for(|i| i.error_code = "418".into())
            .get("error_code")
            .is_some()
    );
    assert!(valid_with(|i| i.error_code = "other".into()));
}

fn valid_with(change: impl FnOnce(&mut TicketInput)) -> bool {
    let mut input = valid();
    change(&mut input);
    input.validate(NOW).is_ok()
}

#[test]
fn message_is_required_and_bounded() {
    assert!(
        errors_for(|i| i.message = " \n ".into())
            .get("message")
            .is_some()
    );
    assert!(valid_with(|i| i.message = "é".repeat(MAX_MESSAGE_CHARS)));
    let errors = errors_for(|i| i.message = "x".repeat(MAX_MESSAGE_CHARS + 1));
    assert!(errors.get("message").unwrap().contains("10,000"));
}

#[test]
fn endpoint_is_an_absolute_url_or_a_path() {
    assert!(valid_with(
        |i| i.endpoint = "/openapi/views/12/records/7".into()
    ));
    assert!(valid_with(
        |i| i.endpoint = "http://localhost:8080/api".into()
    ));
    for bad in [
        "",
        "openapi/views",
        "ftp://example.com/x",
        "https://",
        "//evil.example/x",
        "/a b",
        "javascript:alert(1)",
    ] {
        assert!(
            errors_for(|i| i.endpoint = bad.into())
                .get("endpoint")
                .is_some(),
            "{bad:?} should be refused"
        );
    }
    assert!(
        errors_for(|i| i.endpoint = format!("/{}", "a".repeat(2048)))
            .get("endpoint")
            .is_some()
    );
}

#[test]
fn method_must_be_one_of_five() {
    assert!(valid_with(|i| i.method = "patch".into()));
    assert!(
        errors_for(|i| i.method = "HEAD".into())
            .get("method")
            .is_some()
    );
    assert!(
        errors_for(|i| i.method = String::new())
            .get("method")
            .is_some()
    );
}

#[test]
fn occurred_at_rules_apply() {
    assert!(
        errors_for(|i| i.occurred_at = "2026-11-27T10:00".into())
            .get("occurred_at")
            .unwrap()
            .contains("future")
    );
    assert!(
        errors_for(|i| i.utc_offset = String::new())
            .get("time_zone")
            .is_some()
    );
}

#[test]
fn other_tool_needs_a_name() {
    let errors = errors_for(|i| i.tool = "other".into());
    assert!(errors.get("tool_other").is_some());
    assert!(valid_with(|i| {
        i.tool = "other".into();
        i.tool_other = "n8n".into();
    }));
    assert!(
        errors_for(|i| {
            i.tool = "other".into();
            i.tool_other = "x".repeat(101);
        })
        .get("tool_other")
        .is_some()
    );
    assert!(
        errors_for(|i| i.tool = "excel".into())
            .get("tool")
            .is_some()
    );
}

#[test]
fn recent_changes_are_optional_but_bounded() {
    assert!(valid_with(|i| i.recent_changes = String::new()));
    assert!(
        errors_for(|i| i.recent_changes = "x".repeat(5_001))
            .get("recent_changes")
            .is_some()
    );
}

#[test]
fn environment_is_required() {
    assert!(valid_with(|i| i.environment = "unsure".into()));
    assert!(
        errors_for(|i| i.environment = "staging".into())
            .get("environment")
            .is_some()
    );
}

#[test]
fn name_is_optional_but_bounded() {
    assert!(valid_with(|i| i.name = String::new()));
    assert!(
        errors_for(|i| i.name = "n".repeat(201))
            .get("name")
            .is_some()
    );
}

#[test]
fn email_is_required_and_valid() {
    assert!(
        errors_for(|i| i.email = String::new())
            .get("email")
            .unwrap()
            .contains("Enter your email")
    );
    for bad in [
        "dev",
        "dev@",
        "@example.com",
        "dev example@example.com",
        "ada@example",
        "ada@localhost",
        "ada@.example",
    ] {
        assert!(
            errors_for(|i| i.email = bad.into()).get("email").is_some(),
            "{bad:?}"
        );
    }
}

#[test]
fn an_email_domain_needs_a_dot() {
    assert!(
        errors_for(|i| i.email = "ada@example".into())
            .get("email")
            .unwrap()
            .contains("full domain")
    );
    for good in ["ada@example.com", "a.b+c@mail.example.co.uk"] {
        let mut input = valid();
        input.email = good.into();
        assert!(input.validate(NOW).is_ok(), "{good:?}");
    }
}

#[test]
fn a_missing_submission_id_gets_a_fresh_one() {
    let mut input = valid();
    input.submission_id = "not-a-uuid".into();
    let a = input.validate(NOW).unwrap().submission_id;
    let b = input.validate(NOW).unwrap().submission_id;
    assert_ne!(a, b);
}

#[test]
fn path_keeps_only_step_ids() {
    assert_eq!(split_path("a-1, b ,,<script>,C"), ["a-1", "b"]);
    assert!(split_path("").is_empty());
}

#[test]
fn the_readable_limit_matches_the_limit() {
    assert_eq!(MAX_MESSAGE_TEXT, group_thousands(MAX_MESSAGE_CHARS));
}

#[test]
fn line_breaks_a_browser_sends_as_crlf_are_stored_as_newlines() {
    let mut input = valid();
    input.message = "HTTP GET failed\r\nbody: {}\r\n".into();
    input.recent_changes = "New key\r\nNew role".into();
    let ticket = input.validate(NOW).unwrap();
    assert_eq!(ticket.message, "HTTP GET failed\nbody: {}");
    assert_eq!(ticket.recent_changes, "New key\nNew role");
}
