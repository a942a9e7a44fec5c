//! Finds a number that is an HTTP status: beside words that name one
//! (`status: 404`, `(404)`, `404 Not Found`, `404 Client Error`), or alone
//! as the whole message, and never inside a URL, a path or a longer number.

use super::phrases::{PHRASES, STATUS_SUFFIXES, STATUS_WORDS};
use super::words::{phrase_at, starts_word};
use crate::work;

pub(super) fn status_in_context(text: &str) -> Option<u16> {
    status_numbers(text)
        .find(|&(start, end, status)| {
            in_brackets(text, start, end)
                || after_status_word(text, start)
                || before_own_reason(text, end, status)
                || before_status_suffix(text, end)
        })
        .map(|(_, _, status)| status)
}

/// The whole message is just a status: "404".
pub(super) fn lone_status(text: &str) -> Option<u16> {
    let text = text.trim();
    status_numbers(text)
        .next()
        .filter(|&(start, end, _)| start == 0 && end == text.len())
        .map(|(_, _, status)| status)
}

/// Three-digit numbers 200–599 that stand on their own: not part of a
/// longer number, a word (`500ms`), a decimal, a path (`/tables/401/`) or a
/// URL. Yields `(start, end, value)` in order of appearance.
fn status_numbers(text: &str) -> impl Iterator<Item = (usize, usize, u16)> + '_ {
    let mut tokens = Tokens::new(text.as_bytes());
    digit_runs(text).filter_map(move |(start, end)| {
        if end - start != 3 {
            return None;
        }
        let value: u16 = text[start..end].parse().ok()?;
        // No client fails with a 1xx, and the errno in `[Errno 111]` or
        // `SocketException (111)` is below 200.
        let plausible = (200..=599).contains(&value);
        (plausible && stands_alone(text, start, end) && !tokens.in_url(start))
            .then_some((start, end, value))
    })
}

/// `(start, end)` of each maximal run of ASCII digits.
fn digit_runs(text: &str) -> impl Iterator<Item = (usize, usize)> + '_ {
    let bytes = text.as_bytes();
    let mut at = 0;
    std::iter::from_fn(move || {
        let start = at + bytes[at..].iter().position(u8::is_ascii_digit)?;
        let end = start
            + bytes[start..]
                .iter()
                .take_while(|b| b.is_ascii_digit())
                .count();
        work::step(end - at);
        at = end;
        Some((start, end))
    })
}

fn stands_alone(text: &str, start: usize, end: usize) -> bool {
    let bytes = text.as_bytes();
    let joined_before = start
        .checked_sub(1)
        .is_some_and(|i| bytes[i].is_ascii_alphanumeric() || b"/.,-_".contains(&bytes[i]));
    let joined_after = match bytes.get(end) {
        Some(b'.' | b',') => bytes.get(end + 1).is_some_and(u8::is_ascii_digit),
        Some(b) => b.is_ascii_alphanumeric() || b"/_".contains(b),
        None => false,
    };
    !joined_before && !joined_after
}

/// Walks the text once, left to right, remembering where the current token
/// (a run between spaces, quotes and brackets) began and whether it looks
/// like a URL or path so far. Looking back from each number instead made a
/// long token full of numbers cost the square of its length.
struct Tokens<'a> {
    bytes: &'a [u8],
    at: usize,
    token_start: usize,
    has_scheme: bool,
}

impl<'a> Tokens<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Self {
            bytes,
            at: 0,
            token_start: 0,
            has_scheme: false,
        }
    }

    /// Whether the token before `at` is a URL or path, where a number is an
    /// id or a query parameter, not the response status. `at` never goes
    /// backwards between calls.
    fn in_url(&mut self, at: usize) -> bool {
        work::step(at.saturating_sub(self.at));
        while self.at < at {
            let b = self.bytes[self.at];
            if b.is_ascii_whitespace() || b"\"'<>()[]{},;".contains(&b) {
                self.token_start = self.at + 1;
                self.has_scheme = false;
            } else if b == b'/'
                && self.at >= self.token_start + 2
                && &self.bytes[self.at - 2..self.at] == b":/"
            {
                self.has_scheme = true;
            }
            self.at += 1;
        }
        let starts_with_slash = self.token_start < at && self.bytes[self.token_start] == b'/';
        starts_with_slash || self.has_scheme
    }
}

fn in_brackets(text: &str, start: usize, end: usize) -> bool {
    let bytes = text.as_bytes();
    let before = start.checked_sub(1).map(|i| bytes[i]);
    matches!(
        (before, bytes.get(end)),
        (Some(b'('), Some(b')')) | (Some(b'['), Some(b']'))
    )
}

fn after_status_word(text: &str, start: usize) -> bool {
    let before = text[..start].trim_end_matches([' ', '\t', ':', '=', '"', '\'', '#']);
    work::step(start - before.len() + STATUS_WORDS.len());
    STATUS_WORDS.iter().any(|word| {
        before.len() >= word.len()
            && before.as_bytes()[before.len() - word.len()..].eq_ignore_ascii_case(word.as_bytes())
            && starts_word(before.as_bytes(), before.len() - word.len())
    })
}

/// What may stand between a status and the words after it: "404: Not
/// Found", "429 - Too Many Requests", "409 (Conflict)", `404 "Not Found"`.
fn gap_after(text: &str, end: usize) -> usize {
    let gap = text[end..]
        .bytes()
        .take_while(|b| matches!(b, b' ' | b'\t' | b':' | b'-' | b'(' | b'"' | b'\''))
        .count();
    work::step(gap + 1);
    gap
}

/// "401 Unauthorized", "404: Not Found", "409 (Conflict)".
fn before_own_reason(text: &str, end: usize, status: u16) -> bool {
    let gap = gap_after(text, end);
    PHRASES
        .iter()
        .filter(|(s, _, _)| *s == status)
        .any(|(_, phrase, _)| phrase_at(text, end + gap, phrase).is_some())
}

/// "409 Client Error", "too many 503 error responses".
fn before_status_suffix(text: &str, end: usize) -> bool {
    let gap = gap_after(text, end);
    STATUS_SUFFIXES
        .iter()
        .any(|phrase| phrase_at(text, end + gap, phrase).is_some())
}
