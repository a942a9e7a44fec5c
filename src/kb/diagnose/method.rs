//! Finds the HTTP method a message names, if any.

use super::words::starts_word;
use crate::domain::HttpMethod;
use crate::work;

/// An uppercase method anywhere (`POST /v1/orders`), or any case right after
/// "http " ("http get failed"). Lowercase "get" in prose is just a verb.
pub(super) fn method(text: &str) -> Option<HttpMethod> {
    let bytes = text.as_bytes();
    let mut at = 0;
    while at < bytes.len() {
        if !bytes[at].is_ascii_alphanumeric() {
            at += 1;
            continue;
        }
        let start = at;
        at += bytes[at..]
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric())
            .count();
        let word = &text[start..at];
        work::step(at - start);
        let uppercase = word.bytes().all(|b| b.is_ascii_uppercase());
        let after_http = start >= 5
            && bytes[start - 5..start].eq_ignore_ascii_case(b"http ")
            && starts_word(bytes, start - 5);
        if (uppercase || after_http)
            && let Some(method) = HttpMethod::parse(word)
        {
            return Some(method);
        }
    }
    None
}
