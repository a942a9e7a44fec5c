//! Properties of the reader over generated text: it never panics, names
//! only statuses from 200 to 599, and its work is linear in what it
//! examines: at most [`STEPS_PER_BYTE`] steps per examined byte (plus one),
//! counted by `work::step` in every loop of the scan, for any text and for
//! the adversarial shapes that make naive matchers look back or retry.

use proptest::prelude::*;

use super::{MAX_EXAMINED_BYTES, diagnose, work};

/// The bound of `tests::work_is_linear_and_bounded`: each byte is compared
/// with the few phrases starting with its letter, and each look-around
/// reads a constant window.
const STEPS_PER_BYTE: usize = 64;

fn bound(text: &str) -> usize {
    STEPS_PER_BYTE * (text.len().min(MAX_EXAMINED_BYTES) + 1)
}

/// Pieces of phrases, statuses and settings: joined at random they make
/// near-matches of every kind.
fn near_matches() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop::sample::select(vec![
            "not",
            "found",
            "not found",
            "Not Found",
            "Field '",
            "' not found",
            "Host",
            "timeout",
            "timed out",
            "Timeout",
            ": ",
            "=",
            "==",
            ":",
            "404",
            "(404)",
            "HTTP/1.1 ",
            "status",
            "code",
            "camelCase",
            "notFound",
            "ECONN",
            "ECONNRESET",
            "Unexpected token",
            " ",
            "-",
            "_",
            "/",
            "::::",
            "certificate",
            "ssl",
            "proxy",
            "Tunnel connection failed",
            "true",
            "null",
            "'",
            "\"",
            "é",
            "1",
            "12345",
            "returned a",
            "too many 503 error",
        ]),
        0..200,
    )
    .prop_map(|parts| parts.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn any_text_is_read_in_linear_steps(text in any::<String>()) {
        let (diagnosis, steps) = work::counted(|| diagnose(&text));
        prop_assert!(steps <= bound(&text), "{} steps for {} bytes", steps, text.len());
        if let Some(status) = diagnosis.status {
            prop_assert!((200..=599).contains(&status));
        }
        prop_assert_ne!(diagnosis.code, Some(crate::domain::ErrorCode::Other));
        prop_assert_ne!(diagnosis.code, Some(crate::domain::ErrorCode::Pagination));
    }

    #[test]
    fn near_matches_are_read_in_linear_steps(text in near_matches(), repeat in 1usize..100) {
        let text = text.repeat(repeat);
        let (_, steps) = work::counted(|| diagnose(&text));
        prop_assert!(steps <= bound(&text), "{} steps for {} bytes", steps, text.len());
    }

    #[test]
    fn runs_of_one_piece_are_read_in_linear_steps(
        unit in "[ -~]{1,12}",
        len in 0usize..(2 * MAX_EXAMINED_BYTES),
    ) {
        let text = unit.repeat(len / unit.len() + 1);
        let (_, steps) = work::counted(|| diagnose(&text));
        prop_assert!(steps <= bound(&text), "{:?}: {} steps for {} bytes", unit, steps, text.len());
    }
}
