//! Unit tests of the reader: its work stays bounded, only the start of a
//! message is read, and the phrase tables and matchers behave. The rules
//! are pinned down message by message in `tests/rules.rs`, and real
//! messages in `cases/`.

mod rules;

use super::phrases::{FAILURES, PHRASES, PROXY_REFUSED, STATUS_SUFFIXES};
use super::words::{is_setting, phrase_at};
use super::*;
use ErrorCode::*;

/// Shapes of 64 KB that made the old reader look back over the whole
/// text for every number, and ordinary long messages for comparison.
fn pathological_inputs(len: usize) -> Vec<(&'static str, String)> {
    let fill = |unit: &str| unit.repeat(len / unit.len());
    vec![
        ("numbers in one long token", fill("404:")),
        ("numbers after a URL", format!("http://x{}", fill("=404"))),
        ("colons before numbers", fill("::::::: 404")),
        ("gaps after phrase words", fill("not ------- ")),
        ("camel case humps", fill("notFoundX")),
        ("not found after a field", fill("Field 'x' not found ")),
        ("not found after a host", fill("Host not found ")),
        ("digits", fill("1234567890")),
        ("prose", fill("the request failed again today, ")),
        ("failure words", fill("ECONNRESET socket hang up ")),
        ("settings after phrases", fill("timeout: 1,")),
        (
            "long keys after phrases",
            fill("clarifyTimeoutErrorXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX: "),
        ),
        ("first letters of many phrases", fill("c t s e n u ")),
    ]
}

/// The work done per examined byte stays small whatever the shape, and
/// a longer text costs no more than the examined prefix.
#[test]
fn work_is_linear_and_bounded() {
    for len in [64 * 1024, 1024 * 1024] {
        for (shape, text) in pathological_inputs(len) {
            let (_, steps) = work::counted(|| diagnose(&text));
            println!("{shape} ({len} bytes): {steps} steps");
            assert!(
                steps <= 64 * MAX_EXAMINED_BYTES,
                "{shape} ({len} bytes): {steps} steps"
            );
        }
    }
}

#[test]
fn only_the_start_of_a_long_message_is_read() {
    let filler = "log line ".repeat(MAX_EXAMINED_BYTES / 9 + 1);
    assert_eq!(diagnose(&format!("HTTP 404 {filler}")).code, Some(NotFound));
    assert_eq!(diagnose(&format!("{filler} HTTP 404")).status, None);
    // The cut falls inside a character without splitting it.
    let text = format!("{}é HTTP 404", "a".repeat(MAX_EXAMINED_BYTES - 1));
    assert_eq!(diagnose(&text).status, None);
}

#[test]
fn settings_are_keys_with_a_number_or_a_literal() {
    let setting = |text: &str, phrase: &str| {
        let at = text.find(phrase).unwrap() + phrase.len();
        is_setting(text.as_bytes(), at, true)
    };
    assert!(setting("timeout: 0,", "timeout"));
    assert!(setting("\"timeout\": 30", "timeout"));
    assert!(setting("read timeout=None)", "timeout"));
    assert!(setting("clarifyTimeoutError: false", "Timeout"));
    assert!(!setting(
        "ReadTimeout: HTTPSConnectionPool(host='x')",
        "Timeout"
    ));
    assert!(!setting(
        "Connection refused: connect",
        "Connection refused"
    ));
    assert!(!setting("timeout of 5000ms exceeded", "timeout"));
    assert!(!setting("timeout", "timeout"));
    let at = "Unauthorized: 401".len() - ": 401".len();
    assert!(!is_setting(b"Unauthorized: 401", at, false));
    assert!(is_setting(b"rejectUnauthorized: false", 18, false));
}

#[test]
fn recognises_methods() {
    use HttpMethod::*;
    let cases: &[(&str, Option<HttpMethod>)] = &[
        ("HTTP GET failed: unauthorized (401)", Some(Get)),
        ("HTTP POST failed: internal server error (500)", Some(Post)),
        ("http get failed", Some(Get)),
        ("Http Patch failed", Some(Patch)),
        ("PUT /v1/records/7 returned 500", Some(Put)),
        ("request: DELETE https://api.example.com/x", Some(Delete)),
        ("[PATCH] 429", Some(Patch)),
        ("first POST, then GET", Some(Post)),
        // Prose and lookalikes.
        ("I get a 404 when I post the form", None),
        ("could not get token", None),
        ("GETS and POSTER are not methods", None),
        ("https get failed", None),
        ("http://get.example.com failed", None),
        ("HEAD request failed", None),
        ("", None),
    ];
    for &(text, method) in cases {
        assert_eq!(diagnose(text).method, method, "{text:?}");
    }
}

/// Every phrase is in the form `phrase_at` reads: lowercase ASCII words
/// separated by one space, starting with a letter or digit (the index
/// is by first letter), and listed once.
#[test]
fn phrases_are_lowercase_words_listed_once() {
    let all: Vec<&str> = PHRASES
        .iter()
        .map(|(_, phrase, _)| *phrase)
        .chain(FAILURES.iter().map(|(_, phrase)| *phrase))
        .chain(PROXY_REFUSED.iter().copied())
        .chain(STATUS_SUFFIXES.iter().copied())
        .collect();
    for (i, phrase) in all.iter().enumerate() {
        assert!(
            phrase
                .bytes()
                .all(|b| b.is_ascii() && !b.is_ascii_uppercase()),
            "{phrase:?}"
        );
        assert!(phrase.as_bytes()[0].is_ascii_alphanumeric(), "{phrase:?}");
        assert!(phrase.split(' ').all(|word| !word.is_empty()), "{phrase:?}");
        assert!(!all[..i].contains(phrase), "{phrase:?} twice");
    }
}

#[test]
fn phrases_need_word_boundaries() {
    assert_eq!(phrase_at("unauthorized", 0, "unauthorized"), Some(12));
    assert_eq!(phrase_at("xunauthorized", 1, "unauthorized"), None);
    assert_eq!(phrase_at("not  found", 0, "not found"), Some(10));
    assert_eq!(phrase_at("notfound", 0, "not found"), None);
    assert_eq!(phrase_at("NotFound", 0, "not found"), Some(8));
    assert_eq!(phrase_at("not foundation", 0, "not found"), None);
    assert_eq!(phrase_at("not", 0, "not found"), None);
}
