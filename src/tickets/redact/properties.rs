//! Properties of redaction over generated text: it never panics, a second
//! run changes nothing, a credential of a recognised shape set amid any
//! noise never survives, and the steps it counts (`work`) stay linear in
//! the text's length.

use proptest::prelude::*;

use super::redact;

/// Noise around a secret: words, punctuation and line breaks, some of them
/// near-misses of the names and shapes the scanners look for.
fn noise() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop::sample::select(vec![
            "the",
            "call",
            "failed",
            "token",
            "key",
            "secret",
            "password",
            "Bearer",
            "Basic",
            "=",
            ":",
            "&",
            "?",
            "/",
            "@",
            "\"",
            "'",
            "{",
            "}",
            ",",
            " ",
            " ",
            " ",
            "\n",
            "\t",
            "https://",
            "api.example.com",
            "[redacted",
            "]",
            "AKIA",
            "ghp_",
            "eyJ",
            "sk_",
            "xoxb-",
            "apd_",
            "-----BEGIN",
            "é",
            "👋",
        ]),
        0..40,
    )
    .prop_map(|parts| parts.concat())
}

/// A credential in context, and the value that must not survive. Each
/// value carries a digit and a capital, as generated secrets do, so it
/// cannot be spelled by the noise.
fn secret() -> impl Strategy<Value = (String, String)> {
    let alnum = |len: std::ops::RangeInclusive<usize>| {
        prop::collection::vec(
            prop::sample::select(
                "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789"
                    .chars()
                    .collect::<Vec<_>>(),
            ),
            len,
        )
        .prop_map(|chars| format!("Q7{}", chars.into_iter().collect::<String>()))
    };
    let upper = prop::collection::vec(
        prop::sample::select(
            "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
                .chars()
                .collect::<Vec<_>>(),
        ),
        16,
    )
    .prop_map(|c| c.into_iter().collect::<String>());
    let hex = prop::collection::vec(
        prop::sample::select("0123456789abcdef".chars().collect::<Vec<_>>()),
        64,
    )
    .prop_map(|c| c.into_iter().collect::<String>());
    prop_oneof![
        alnum(18..=40).prop_map(|v| (format!("?access_token={v}&page=2"), v)),
        alnum(18..=40).prop_map(|v| (format!("https://go.example.com/x?api_key={v}"), v)),
        alnum(18..=40).prop_map(|v| (format!("Authorization: Bearer {v}\n"), v)),
        alnum(18..=40).prop_map(|v| (format!(" sent Bearer {v} again"), v)),
        alnum(10..=30).prop_map(|v| (format!(" https://dana:{v}@api.example.com/v1 "), v)),
        alnum(10..=30).prop_map(|v| (format!("\npassword={v}\n"), v)),
        alnum(10..=30).prop_map(|v| (format!(r#"{{"client_secret": "{v}"}}"#), v)),
        alnum(10..=30).prop_map(|v| (format!("\nX-Api-Key: {v}\n"), v)),
        upper.prop_map(|v| (format!(" AKIA{v} "), format!("AKIA{v}"))),
        alnum(34..=34).prop_map(|v| (format!(" ghp_{v} "), format!("ghp_{v}"))),
        alnum(22..=30).prop_map(|v| (format!(" sk_live_{v} "), format!("sk_live_{v}"))),
        hex.prop_map(|v| (format!(" apd_{v} "), format!("apd_{v}"))),
        (alnum(20..=40), alnum(20..=40), alnum(30..=43)).prop_map(|(h, p, s)| {
            let jwt = format!("eyJ{h}.eyJ{p}.{s}");
            (format!(" {jwt} "), jwt)
        }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn any_text_is_redacted_once_for_all(text in any::<String>()) {
        let once = redact(&text);
        let twice = redact(&once.text);
        prop_assert_eq!(&twice.text, &once.text);
        prop_assert!(twice.removed.is_empty(), "a second run found {:?}", twice.removed);
    }

    #[test]
    fn near_misses_are_redacted_once_for_all(text in noise(), repeat in 1usize..20) {
        let text = text.repeat(repeat);
        let once = redact(&text);
        prop_assert_eq!(redact(&once.text).text, once.text);
    }

    #[test]
    fn a_recognised_secret_never_survives(
        before in noise(),
        (secret, value) in secret(),
        after in noise(),
    ) {
        let text = format!("{before} {secret} {after}");
        let once = redact(&text);
        prop_assert!(
            !once.text.contains(&value),
            "{:?} survived in {:?}", value, once.text
        );
        prop_assert!(!once.removed.is_empty());
        prop_assert_eq!(redact(&once.text).text, once.text);
    }

    #[test]
    fn several_secrets_in_a_row_never_survive(
        secrets in prop::collection::vec((noise(), secret()), 1..6),
    ) {
        let text: String = secrets
            .iter()
            .map(|(noise, (secret, _))| format!("{noise} {secret} "))
            .collect();
        let once = redact(&text);
        for (_, (_, value)) in &secrets {
            prop_assert!(!once.text.contains(value.as_str()), "{:?} survived", value);
        }
        prop_assert_eq!(redact(&once.text).text, once.text);
    }
}

/// Counted steps per byte of input that redaction stays within: each stage
/// walks the text once and looks ahead over a value or a line a bounded
/// number of times (see `redact`'s comment). The worst shapes below take
/// under 9; a scanner that read back over the text for each finding would
/// take thousands on the 200 KB runs.
const STEPS_PER_BYTE: usize = 32;

fn linear(text: &str) -> Result<(), TestCaseError> {
    let (_, steps) = crate::work::counted(|| redact(text));
    prop_assert!(
        steps <= STEPS_PER_BYTE * (text.len() + 1),
        "{} steps for {} bytes",
        steps,
        text.len()
    );
    Ok(())
}

/// Pieces that start a finding and then stop short of one, or restart it.
fn near_findings() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop::sample::select(vec![
            "token=",
            "token",
            "key ",
            "Bearer ",
            "Authorization: ",
            "password:",
            "\"api_key\": \"",
            "'secret': '",
            "://",
            "user:",
            "@",
            "-----BEGIN PRIVATE KEY-----",
            "-----END",
            "eyJ",
            "eyJa.",
            "AKIA",
            "ghp_",
            "xoxb-",
            "sk_live_",
            "apd_",
            "Cookie: a=b; ",
            ";",
            "=",
            "==",
            "&",
            "?",
            "\\\"",
            "\"",
            "'",
            " ",
            "\t",
            "\n",
            "x",
            "Q7kLq9ZpX2mN7vB4",
            "[redacted key]",
            "[redacted",
            "X-Amz-",
            "é",
        ]),
        0..200,
    )
    .prop_map(|parts| parts.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn any_text_is_redacted_in_linear_steps(text in any::<String>()) {
        linear(&text)?;
    }

    #[test]
    fn near_findings_are_redacted_in_linear_steps(text in near_findings(), repeat in 1usize..40) {
        linear(&text.repeat(repeat))?;
    }

    #[test]
    fn runs_of_one_piece_are_redacted_in_linear_steps(
        unit in "[ -~]{1,16}",
        len in 0usize..60_000,
    ) {
        linear(&unit.repeat(len / unit.len() + 1))?;
    }
}

/// The shapes that cost a naive scanner most: every position a start.
#[test]
fn adversarial_runs_are_redacted_in_linear_steps() {
    let mut worst = 0.0_f64;
    for unit in [
        "a",
        " ",
        "=",
        ":",
        "/",
        "token=",
        "token ",
        "Bearer ",
        "password: ",
        "https://a:",
        "://",
        "@",
        "user:pw",
        "\"key\": \"",
        "-----BEGIN PRIVATE KEY-----\n",
        "eyJ",
        "eyJa.eyJb.",
        "AKIA",
        "Cookie: a=b; ",
        "a=b&",
        "\\\"",
        "[redacted key]",
        "key=[redacted key]",
        "Q7kLq9Zp",
    ] {
        let text = unit.repeat(200_000 / unit.len());
        let (_, steps) = crate::work::counted(|| redact(&text));
        worst = worst.max(steps as f64 / text.len() as f64);
        assert!(
            steps <= STEPS_PER_BYTE * (text.len() + 1),
            "{unit:?}: {steps} steps for {} bytes",
            text.len()
        );
    }
    println!("worst: {worst:.1} steps per byte");
}
