//! Finds the phrases of [`super::phrases`] in a message in one pass, as
//! whole words, leaving out those that name a setting (`timeout: 0`) and
//! telling what a "not found" is about.

use std::sync::LazyLock;

use super::phrases::{FAILURES, FIELD_WORDS, HOST_WORDS, PHRASES, PROXY_REFUSED};
use super::{bit, work};
use crate::domain::ErrorCode;

/// One phrase of [`PHRASES`], [`FAILURES`] or [`PROXY_REFUSED`], and what
/// it says.
#[derive(Clone, Copy)]
enum Means {
    Status(u16),
    Failure(ErrorCode),
    ProxyRefused,
}

/// Every phrase distinctive on its own, by its first letter, so each word
/// of a message is compared only with the phrases that could start there.
static BY_FIRST_LETTER: LazyLock<Vec<Vec<(&'static str, Means)>>> = LazyLock::new(|| {
    let mut index = vec![Vec::new(); 128];
    let phrases = PHRASES
        .iter()
        .filter(|(_, _, alone)| *alone)
        .map(|&(status, phrase, _)| (phrase, Means::Status(status)))
        .chain(FAILURES.iter().map(|&(code, p)| (p, Means::Failure(code))))
        .chain(PROXY_REFUSED.iter().map(|&p| (p, Means::ProxyRefused)));
    for (phrase, means) in phrases {
        index[usize::from(phrase.as_bytes()[0].to_ascii_lowercase())].push((phrase, means));
    }
    index
});

/// What the words of a message say, found in one pass.
#[derive(Default)]
pub(super) struct Words {
    /// The first reason phrase that is distinctive on its own.
    pub(super) status: Option<u16>,
    /// The failure codes named anywhere, one bit each ([`bit`]).
    pub(super) failures: u32,
    /// A proxy refused the tunnel.
    pub(super) proxy_refused: bool,
}

impl Words {
    pub(super) fn scan(text: &str) -> Self {
        let bytes = text.as_bytes();
        let mut words = Words::default();
        for at in 0..bytes.len() {
            work::step(1);
            if !bytes[at].is_ascii_alphanumeric() || !starts_word(bytes, at) {
                continue;
            }
            let candidates = &BY_FIRST_LETTER[usize::from(bytes[at].to_ascii_lowercase())];
            for &(phrase, means) in candidates {
                let Some(end) = phrase_at(text, at, phrase) else {
                    continue;
                };
                // After a reason phrase a number is its status
                // ("Unauthorized: 401"), so only a literal makes it a key.
                let numbers_too = !matches!(means, Means::Status(_));
                if is_setting(bytes, end, numbers_too) {
                    continue;
                }
                match means {
                    Means::Status(404) => match not_found_is_about(text, at) {
                        NotFoundOf::Resource => words.note_status(404),
                        NotFoundOf::Host => words.failures |= bit(ErrorCode::Dns),
                        NotFoundOf::Field => words.failures |= bit(ErrorCode::BadRequest),
                    },
                    Means::Status(status) => words.note_status(status),
                    Means::Failure(code) => words.failures |= bit(code),
                    Means::ProxyRefused => words.proxy_refused = true,
                }
            }
        }
        words
    }

    fn note_status(&mut self, status: u16) {
        self.status.get_or_insert(status);
    }
}

/// How far past a phrase [`is_setting`] looks: a constant, so the scan
/// stays linear.
const SETTING_LOOK_AHEAD: usize = 48;

/// Whether the phrase that ends at `end` names a setting rather than an
/// event: `timeout: 0` and `clarifyTimeoutError: false` in the config that
/// axios prints with every error, `rejectUnauthorized: false` in an HTTPS
/// agent, `(read timeout=30)` after Python's "Read timed out". A key, then
/// `:` or `=`, then a literal or, if `numbers_too`, a number.
pub(super) fn is_setting(bytes: &[u8], end: usize, numbers_too: bool) -> bool {
    let ahead = &bytes[end..bytes.len().min(end + SETTING_LOOK_AHEAD)];
    work::step(ahead.len());
    let rest_of_key = ahead
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_')
        .count();
    let mut after = &ahead[rest_of_key..];
    after = after.strip_prefix(b"\"").unwrap_or(after);
    after = after.strip_prefix(b"'").unwrap_or(after);
    let Some(value) = after
        .trim_ascii_start()
        .strip_prefix(b":")
        .or_else(|| after.trim_ascii_start().strip_prefix(b"="))
    else {
        return false;
    };
    let value = value.trim_ascii_start();
    (numbers_too && value.first().is_some_and(u8::is_ascii_digit))
        || [&b"true"[..], b"false", b"null", b"undefined", b"None"]
            .iter()
            .any(|literal| value.starts_with(literal))
}

/// How far back [`not_found_is_about`] looks: a constant, so the scan
/// stays linear however many times "not found" appears.
const NOT_FOUND_LOOK_BACK: usize = 48;

/// What a "not found" is about.
enum NotFoundOf {
    /// The URL's resource: a 404.
    Resource,
    /// A host that did not resolve (`Host not found`, `Server not found`).
    Host,
    /// A named field (`Field 'Status' not found`, `'Status' not found`,
    /// `Field Status not found`): the request's data is wrong, so the 400
    /// tree, which teaches exact field names.
    Field,
}

/// What the "not found" at `at` is about. Reads at most
/// [`NOT_FOUND_LOOK_BACK`] bytes before it.
fn not_found_is_about(text: &str, at: usize) -> NotFoundOf {
    let bytes = text.as_bytes();
    let window = &bytes[at.saturating_sub(NOT_FOUND_LOOK_BACK)..at];
    work::step(window.len());
    let trimmed = window.trim_ascii_end();
    // A closing quote then a space: `'Status' not found`. An opening quote
    // right before the phrase is only quoting it: Ruby's `404 "Not Found"`.
    let spaced = trimmed.len() < window.len();
    if spaced
        && (trimmed
            .last()
            .is_some_and(|b| matches!(b, b'\'' | b'"' | b'`'))
            || trimmed.ends_with("’".as_bytes()))
    {
        return NotFoundOf::Field;
    }
    let mut words = trimmed
        .rsplit(|b| !b.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty());
    let last = words.next();
    let is =
        |word: &[u8], list: &[&str]| list.iter().any(|w| word.eq_ignore_ascii_case(w.as_bytes()));
    if last.is_some_and(|w| is(w, HOST_WORDS)) {
        return NotFoundOf::Host;
    }
    if last
        .into_iter()
        .chain(words.take(2))
        .any(|w| is(w, FIELD_WORDS))
    {
        return NotFoundOf::Field;
    }
    NotFoundOf::Resource
}

/// Where `phrase` ends if it appears at `at` as whole words.
pub(super) fn phrase_at(text: &str, at: usize, phrase: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    work::step(1);
    if at >= bytes.len() || !starts_word(bytes, at) {
        return None;
    }
    let mut i = at;
    for (n, word) in phrase.split(' ').enumerate() {
        if n > 0 {
            let gap = bytes[i..]
                .iter()
                .take_while(|b| matches!(b, b' ' | b'_' | b'-'))
                .count();
            if gap == 0 && !bytes.get(i).is_some_and(u8::is_ascii_uppercase) {
                return None;
            }
            i += gap;
            work::step(gap);
        }
        let end = i + word.len();
        // Compared byte by byte: most candidates differ within a byte or two.
        let same = bytes[i.min(bytes.len())..]
            .iter()
            .zip(word.bytes())
            .take_while(|(b, w)| b.eq_ignore_ascii_case(w))
            .count();
        work::step(same + 1);
        if same < word.len() {
            return None;
        }
        i = end;
    }
    ends_word(bytes, i).then_some(i)
}

/// A word starts after a non-alphanumeric, or at a camelCase hump.
pub(super) fn starts_word(bytes: &[u8], at: usize) -> bool {
    match at.checked_sub(1).map(|i| bytes[i]) {
        None => true,
        Some(prev) => {
            !prev.is_ascii_alphanumeric()
                || (prev.is_ascii_lowercase() && bytes.get(at).is_some_and(u8::is_ascii_uppercase))
        }
    }
}

fn ends_word(bytes: &[u8], end: usize) -> bool {
    bytes
        .get(end)
        .is_none_or(|next| !next.is_ascii_alphanumeric() || starts_word(bytes, end))
}
