//! Properties of the ticket form's rules over generated input: no form
//! makes validation panic, and what it accepts keeps every rule: a message
//! within its limit, an endpoint that is a web URL or a path, a failure
//! time from 2000 to five minutes ahead, an address with a dotted domain,
//! and no recognised credential left in what is stored.

use proptest::prelude::*;
use time::OffsetDateTime;
use time::macros::datetime;

use super::TicketInput;
use crate::tickets::redact::redact;

/// Junk for one field: a near-miss of a good value, or anything at all.
fn junk(good: &'static str) -> impl Strategy<Value = String> {
    prop_oneof![
        (any::<String>(), 0usize..4).prop_map(move |(junk, how)| match how {
            0 => format!("{good}{junk}"),
            1 => format!("{junk}{good}"),
            2 => good.to_uppercase(),
            _ => format!(" {good}\0"),
        }),
        any::<String>(),
    ]
}

/// The form's fields in order, each with the values it is drawn from
/// (mostly good ones, and a few each rule refuses).
const FIELDS: [(&str, &[&str]); 14] = [
    (
        "error_code",
        &["401", "404", "500", "timeout", "other", "dns"],
    ),
    (
        "message",
        &[
            "HTTP GET failed: unauthorized (401)",
            "<script>alert(1)</script>",
            "token=8f3kLq9ZpX2mN7vB4cR1tY6w",
            "=HYPERLINK(\"x\")",
        ],
    ),
    (
        "endpoint",
        &[
            "https://go.trackvia.com/openapi/views/12/records",
            "/openapi/views/12/records/7?access_token=8f3kLq9ZpX2mN7vB4cR1tY6w",
            "https://dana:Pw9ZqX2mN7vB4cR1@api.example.com/x",
            "/records",
            "javascript:alert(1)",
        ],
    ),
    ("method", &["GET", "POST", "DELETE"]),
    (
        "occurred_at",
        &[
            "2026-01-15T09:30",
            "2026-01-15T09:30:00Z",
            "2025-03-30T02:30",
            "2026-05-31T23:59:59+14:00",
            "9999-12-31T23:59",
        ],
    ),
    (
        "time_zone",
        &[
            "",
            "Europe/Berlin",
            "UTC+05:30",
            "America/New_York",
            "Mars/Olympus",
        ],
    ),
    ("utc_offset", &["", "+01:00", "-12:00", "+99:00"]),
    ("tool", &["workato", "script", "other", "zapier"]),
    ("tool_other", &["", "my tool", "<b>x</b>"]),
    (
        "recent_changes",
        &["", "Rotated the key", "password=Pw9ZqX2mN7vB4cR1"],
    ),
    ("environment", &["production", "sandbox", "unsure"]),
    ("name", &["", "Dana", "\u{202E}gpj.exe"]),
    (
        "email",
        &[
            "dana@example.com",
            "a@b.co",
            "x+y@example.org",
            "p@q.example",
            "ada@localhost",
        ],
    ),
    ("path", &["", "token-active,key-scope"]),
];

/// A form drawn from [`FIELDS`], with at most one field replaced by junk.
fn form() -> impl Strategy<Value = TicketInput> {
    let values: Vec<_> = FIELDS
        .iter()
        .map(|(_, good)| prop::sample::select(*good).prop_map(String::from))
        .collect();
    let spoilt = (0..FIELDS.len() + 4).prop_flat_map(|which| {
        let good = FIELDS.get(which).map_or("", |(_, good)| good[0]);
        (Just(which), junk(good))
    });
    (values, spoilt).prop_map(|(mut values, (which, junk))| {
        if let Some(value) = values.get_mut(which) {
            *value = junk;
        }
        let mut input = TicketInput::default();
        for ((name, _), value) in FIELDS.iter().zip(values) {
            let field = match *name {
                "error_code" => &mut input.error_code,
                "message" => &mut input.message,
                "endpoint" => &mut input.endpoint,
                "method" => &mut input.method,
                "occurred_at" => &mut input.occurred_at,
                "time_zone" => &mut input.time_zone,
                "utc_offset" => &mut input.utc_offset,
                "tool" => &mut input.tool,
                "tool_other" => &mut input.tool_other,
                "recent_changes" => &mut input.recent_changes,
                "environment" => &mut input.environment,
                "name" => &mut input.name,
                "email" => &mut input.email,
                _ => &mut input.path,
            };
            *field = value;
        }
        input
    })
}

/// The clock the rules are checked against.
const NOW: OffsetDateTime = datetime!(2026-06-01 12:00 UTC);

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn every_form_is_judged_without_a_panic_and_what_passes_keeps_the_rules(input in form()) {
        let redacted = input.clone().redacted();
        let _ = input.validate_details(NOW);
        let Ok(ticket) = input.validate(NOW) else {
            return Ok(());
        };
        prop_assert!(!ticket.message.trim().is_empty());
        prop_assert!(ticket.message.chars().count() <= super::MAX_MESSAGE_CHARS + 1_000);
        let endpoint = ticket.endpoint.to_ascii_lowercase();
        prop_assert!(
            endpoint.starts_with("https://")
                || endpoint.starts_with("http://")
                || (endpoint.starts_with('/') && !endpoint.starts_with("//")),
            "endpoint {:?}", ticket.endpoint
        );
        if let Some(at) = ticket.occurred_at {
            prop_assert!(at.year() >= 2000);
            prop_assert!(at <= NOW + time::Duration::minutes(5));
        }
        let (_, domain) = ticket.email.rsplit_once('@').expect("an address");
        prop_assert!(domain.contains('.'));
        for stored in [&ticket.message, &ticket.endpoint, &ticket.recent_changes] {
            prop_assert_eq!(&redact(stored).text, stored, "a credential is left");
        }
        // What the form showed back after redaction files the same.
        prop_assert!(redacted.0.validate(NOW).is_ok());
    }

    #[test]
    fn any_endpoint_is_checked_without_a_panic(endpoint in any::<String>()) {
        if super::check_endpoint(&endpoint).is_ok() {
            let lower = endpoint.to_ascii_lowercase();
            prop_assert!(!lower.starts_with("javascript:") && !lower.starts_with("data:"));
        }
    }
}

/// The property above is not vacuous: a good share of the generated forms
/// pass, and a good share do not.
#[test]
fn the_generated_forms_both_pass_and_fail() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let strategy = form();
    let passed = (0..256)
        .filter(|_| {
            let input = strategy.new_tree(&mut runner).unwrap().current();
            input.validate(NOW).is_ok()
        })
        .count();
    assert!((8..248).contains(&passed), "{passed} of 256 passed");
}
