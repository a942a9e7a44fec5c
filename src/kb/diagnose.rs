//! Reads a pasted error message and guesses which guide fits.
//!
//! Numbers are only trusted where an HTTP status is named (`status: 404`,
//! `(404)`, `HTTP 404`, `404 Not Found`, `404 Client Error`): pasted
//! messages are full of ids, URLs, dates, ports and durations, and a wrong
//! guess sends the person down the wrong tree. Reason phrases alone
//! (`Forbidden`) are the fallback, except a "not found" that names a field
//! (validation, so the 400 tree) or a host (DNS).
//!
//! Failures that never got a status are known by the words clients print
//! for them ([`FAILURES`]): `ECONNREFUSED`, `Read timed out`, `Could not
//! resolve host`, `certificate verify failed`, `Unexpected token < in JSON`.
//!
//! When a message names both, what happened decides ([`decide`]):
//!
//! 1. A status with a tree of its own wins. The server (or a gateway in
//!    front of it) answered, so the request did reach it; the network words
//!    beside it are the client's follow-on error (`Unexpected token <` when
//!    it tried to read the HTML of a 502 page), a retry's summary (`Max
//!    retries exceeded … too many 503 error responses`) or the server's own
//!    text (a 500 whose body says `Read timed out`).
//!    Except a bare "not found" with no number: it has too many other
//!    meanings (OkHttp's `EOFException: \n not found` after a dropped
//!    connection) to outweigh a failure word, and is then not named.
//! 2. A proxy's answer to the tunnel: `Tunnel connection failed: 403
//!    Forbidden` is the company proxy refusing, not the API, so the
//!    connection tree (which covers proxies) wins.
//! 3. Otherwise the failure words decide, the most specific first: TLS,
//!    then DNS, then timeout, then connection, then unreadable JSON (and,
//!    last, a field that was not found, which goes to the 400 tree). A
//!    certificate or name-lookup failure is often reported inside a
//!    connection error (`Failed to establish a new connection: … Name or
//!    service not known`), a timeout is often a timed-out connection
//!    (`connect ETIMEDOUT`), and an unreadable reply after a reset
//!    connection is the reset's fault.
//! 4. A status with no tree of its own (200, 407, 522) is still reported,
//!    so the `other` page can name it.
//!
//! Pagination problems print no message of their own (records are just
//! missing or repeated), so that tree is reached by choosing it.

use std::sync::LazyLock;

use crate::domain::{ErrorCode, HttpMethod};

/// Only this much of a pasted message is read: the status is near the top
/// of any real error, and the bound keeps the cost of one request small.
pub const MAX_EXAMINED_BYTES: usize = 16 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Diagnosis {
    /// The tree that fits: an HTTP status with a tree of its own (408 goes
    /// to `Timeout`), or a failure without a status (`Timeout`,
    /// `Connection`, `Dns`, `Tls`, `InvalidJson`). Never `ErrorCode::Other`
    /// (that is `None`) nor `Pagination` (nothing prints it).
    pub code: Option<ErrorCode>,
    /// Any status 200–599 seen, so the page can say "we saw 407, which has
    /// no guide of its own".
    pub status: Option<u16>,
    pub method: Option<HttpMethod>,
}

/// Reads at most the first `MAX_EXAMINED_BYTES` of `text`, in time linear
/// in that prefix. Still CPU work: handlers call [`diagnose_off_thread`].
pub fn diagnose(text: &str) -> Diagnosis {
    let text = examined_prefix(text);
    let words = Words::scan(text);
    let numbered = status_in_context(text).or_else(|| lone_status(text));
    let (code, status) = decide(numbered, &words);
    Diagnosis {
        code,
        status,
        method: method(text),
    }
}

/// The tree for a status, when it has one of its own: a 408 is the
/// client's request timing out, so it shares the timeout tree.
fn code_for_status(status: u16) -> Option<ErrorCode> {
    match status {
        408 => Some(ErrorCode::Timeout),
        _ => ErrorCode::parse(&status.to_string()).filter(|c| c.http_status() == Some(status)),
    }
}

/// Failure codes from the most specific to the least; see the module
/// comment. `BadRequest` here is a named field that was not found.
const PRECEDENCE: [ErrorCode; 6] = [
    ErrorCode::Tls,
    ErrorCode::Dns,
    ErrorCode::Timeout,
    ErrorCode::Connection,
    ErrorCode::InvalidJson,
    ErrorCode::BadRequest,
];

/// The rule in the module comment, in code: the tree and the status to
/// name, from the status seen beside a number (`numbered`) and the words.
fn decide(numbered: Option<u16>, words: &Words) -> (Option<ErrorCode>, Option<u16>) {
    let failure = PRECEDENCE
        .into_iter()
        .find(|&code| words.failures & bit(code) != 0);
    let status = numbered.or(words.status);
    if words.proxy_refused {
        return (Some(ErrorCode::Connection), status);
    }
    if numbered.is_none() && words.status == Some(404) && failure.is_some() {
        return (failure, None);
    }
    (status.and_then(code_for_status).or(failure), status)
}

fn bit(code: ErrorCode) -> u32 {
    1 << code as u32
}

/// [`diagnose`] on a blocking thread, so a long message never holds up the
/// async workers that serve every other request.
pub async fn diagnose_off_thread(text: String) -> Diagnosis {
    tokio::task::spawn_blocking(move || diagnose(&text))
        .await
        .unwrap_or_else(|err| {
            // Only a panic gets here; diagnosis is a hint, so carry on without one.
            tracing::error!(%err, "diagnosis failed");
            Diagnosis::default()
        })
}

/// The start of `text` that is read, cut on a character boundary.
fn examined_prefix(text: &str) -> &str {
    let mut end = text.len().min(MAX_EXAMINED_BYTES);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// Reason phrases, lowercase, words separated by one space (which matches
/// any run of ` `, `_`, `-`, or a camelCase join). `alone` says whether the
/// phrase is distinctive enough to count without a number beside it.
const PHRASES: &[(u16, &str, bool)] = &[
    (400, "bad request", true),
    (401, "unauthorized", true),
    (401, "unauthorised", true),
    (401, "unauthenticated", true),
    // Bodies that name no number: OAuth's `invalid_token` (RFC 6750) and
    // a rejected user key.
    (401, "invalid token", true),
    (401, "invalid user key", true),
    (401, "invalid userkey", true),
    // nginx's spelling of 401.
    (401, "authorization required", true),
    (402, "payment required", true),
    (403, "forbidden", true),
    (403, "access denied", true),
    (404, "not found", true),
    (405, "method not allowed", true),
    (408, "request timeout", true),
    // nginx's spelling.
    (408, "request time out", true),
    // Zapier's list of status codes.
    (408, "request timed out", false),
    (409, "conflict", false),
    (410, "gone", false),
    (413, "payload too large", true),
    (413, "request entity too large", true),
    // RFC 9110's name for 413.
    (413, "content too large", true),
    (415, "unsupported media type", true),
    (422, "unprocessable entity", true),
    (422, "unprocessable content", true),
    (429, "too many requests", true),
    (429, "rate limit exceeded", true),
    (429, "rate limited", true),
    (429, "quota exceeded", true),
    (429, "throttled", true),
    // Make's name for an app's rate limit error.
    (429, "rate limit error", true),
    (500, "internal server error", true),
    (501, "not implemented", false),
    (502, "bad gateway", true),
    (503, "service unavailable", true),
    // nginx's spelling.
    (503, "service temporarily unavailable", true),
    // The body Envoy (Istio's proxy) sends with its 503.
    (503, "upstream connect error", true),
    (504, "gateway timeout", true),
    // nginx's spelling: "504 Gateway Time-out".
    (504, "gateway time out", true),
];

/// Words clients print for a failure that got no status, in the phrase
/// syntax of [`PHRASES`]. Where each comes from is in `diagnose/cases.rs`.
const FAILURES: &[(ErrorCode, &str)] = &[
    // Certificates and the TLS handshake.
    (ErrorCode::Tls, "certificate verify failed"),
    (ErrorCode::Tls, "certificate problem"),
    (ErrorCode::Tls, "certificate has expired"),
    (ErrorCode::Tls, "cert has expired"),
    (ErrorCode::Tls, "unable to get local issuer certificate"),
    (ErrorCode::Tls, "unable to verify the first certificate"),
    (ErrorCode::Tls, "self signed"),
    (ErrorCode::Tls, "selfsigned"),
    (ErrorCode::Tls, "certificate signed by unknown authority"),
    (ErrorCode::Tls, "does not match certificate"),
    (ErrorCode::Tls, "x509"),
    (ErrorCode::Tls, "pkix"),
    (ErrorCode::Tls, "valid certification path"),
    (ErrorCode::Tls, "certificate exception"),
    (ErrorCode::Tls, "no subject alternative"),
    (ErrorCode::Tls, "ssl handshake"),
    (ErrorCode::Tls, "handshake failure"),
    (ErrorCode::Tls, "ssl error"),
    (ErrorCode::Tls, "ssl exception"),
    (ErrorCode::Tls, "ssl routines"),
    (ErrorCode::Tls, "ssl connect"),
    (ErrorCode::Tls, "ssl connection could not be established"),
    (ErrorCode::Tls, "trust relationship"),
    (ErrorCode::Tls, "remote certificate is invalid"),
    (ErrorCode::Tls, "unable to verify leaf signature"),
    (ErrorCode::Tls, "wrong version number"),
    (ErrorCode::Tls, "violation of protocol"),
    // Names that did not resolve.
    (ErrorCode::Dns, "enotfound"),
    (ErrorCode::Dns, "eai again"),
    (ErrorCode::Dns, "could not resolve"),
    (ErrorCode::Dns, "couldn't resolve"),
    (ErrorCode::Dns, "failed to resolve"),
    (ErrorCode::Dns, "resolving timed out"),
    (ErrorCode::Dns, "name or service not known"),
    (ErrorCode::Dns, "nodename nor servname provided"),
    (ErrorCode::Dns, "no such host"),
    (ErrorCode::Dns, "unknown host"),
    (ErrorCode::Dns, "temporary failure in name resolution"),
    (ErrorCode::Dns, "name resolution"),
    (ErrorCode::Dns, "getaddrinfo failed"),
    (ErrorCode::Dns, "name not resolved"),
    // Timeouts, the client's own or a 408.
    (ErrorCode::Timeout, "timeout"),
    (ErrorCode::Timeout, "timed out"),
    (ErrorCode::Timeout, "etimedout"),
    (ErrorCode::Timeout, "esockettimedout"),
    (ErrorCode::Timeout, "deadline exceeded"),
    (ErrorCode::Timeout, "execution expired"),
    (ErrorCode::Timeout, "task canceled exception"),
    (ErrorCode::Timeout, "did not respond in time"),
    (ErrorCode::Timeout, "retry exhausted"),
    // Connections refused, reset or closed early.
    (ErrorCode::Connection, "econnrefused"),
    (ErrorCode::Connection, "econnreset"),
    (ErrorCode::Connection, "econnaborted"),
    (ErrorCode::Connection, "epipe"),
    (ErrorCode::Connection, "ehostunreach"),
    (ErrorCode::Connection, "enetunreach"),
    (ErrorCode::Connection, "connection refused"),
    (ErrorCode::Connection, "actively refused"),
    (ErrorCode::Connection, "connection reset"),
    (ErrorCode::Connection, "connection aborted"),
    (ErrorCode::Connection, "connection closed"),
    (ErrorCode::Connection, "prematurely closed"),
    (ErrorCode::Connection, "closed connection without response"),
    (ErrorCode::Connection, "connection was closed"),
    (ErrorCode::Connection, "other side closed"),
    (ErrorCode::Connection, "socket hang up"),
    (ErrorCode::Connection, "broken pipe"),
    (ErrorCode::Connection, "failed to connect"),
    (ErrorCode::Connection, "failed connect to"),
    (ErrorCode::Connection, "couldn't connect"),
    (ErrorCode::Connection, "could not connect"),
    (
        ErrorCode::Connection,
        "failed to establish a new connection",
    ),
    (ErrorCode::Connection, "failed to open tcp connection"),
    (ErrorCode::Connection, "connection failed"),
    (ErrorCode::Connection, "connect exception"),
    (ErrorCode::Connection, "empty reply from server"),
    (ErrorCode::Connection, "recv failure"),
    (ErrorCode::Connection, "send failure"),
    (ErrorCode::Connection, "failed to respond"),
    (ErrorCode::Connection, "unexpected end of file from server"),
    (ErrorCode::Connection, "unexpected end of stream"),
    (ErrorCode::Connection, "network is unreachable"),
    (ErrorCode::Connection, "no route to host"),
    (ErrorCode::Connection, "remote disconnected"),
    (ErrorCode::Connection, "eof"),
    // The least specific: Make's ConnectionError (an app that did not
    // answer), Python's ConnectionError, axios's "Network Error".
    (ErrorCode::Connection, "connection error"),
    (ErrorCode::Connection, "network error"),
    // A reply that is not the JSON the client expected.
    (ErrorCode::InvalidJson, "in json at position"),
    (ErrorCode::InvalidJson, "is not valid json"),
    (ErrorCode::InvalidJson, "end of json input"),
    (ErrorCode::InvalidJson, "invalid json"),
    (ErrorCode::InvalidJson, "json decode"),
    (ErrorCode::InvalidJson, "json parse"),
    (ErrorCode::InvalidJson, "json syntax"),
    (ErrorCode::InvalidJson, "malformed json"),
    (ErrorCode::InvalidJson, "of the json data"),
    (ErrorCode::InvalidJson, "expecting value"),
    (ErrorCode::InvalidJson, "looking for beginning of value"),
    (ErrorCode::InvalidJson, "unexpected token at"),
    (ErrorCode::InvalidJson, "invalid start of a value"),
    (
        ErrorCode::InvalidJson,
        "unexpected character encountered while parsing",
    ),
    (ErrorCode::InvalidJson, "no suitable http message converter"),
];

/// Words that say a proxy, not the API, refused the tunnel: its status is
/// about the proxy (rule 2 in the module comment).
const PROXY_REFUSED: &[&str] = &[
    "tunnel connection failed",
    "cannot connect to proxy",
    "from proxy after connect",
    "connect tunnel failed",
];

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
struct Words {
    /// The first reason phrase that is distinctive on its own.
    status: Option<u16>,
    /// The failure codes named anywhere, one bit each ([`bit`]).
    failures: u32,
    /// A proxy refused the tunnel.
    proxy_refused: bool,
}

impl Words {
    fn scan(text: &str) -> Self {
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
fn is_setting(bytes: &[u8], end: usize, numbers_too: bool) -> bool {
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

/// Words after which a number is a status. Matched case-insensitively,
/// ignoring `:`, `=`, quotes and spaces between them and the number. Bare
/// `code` is left out: "exit code 137" is not HTTP.
const STATUS_WORDS: &[&str] = &[
    "status",
    "status code",
    "statuscode",
    "status_code",
    "error code",
    "response code",
    "response",
    "http code",
    "http",
    "http/1.0",
    "http/1.1",
    "http/2",
    "http/3",
    "error",
    "returned",
    "returned a",
    "returned an",
    "returns",
    "responded with",
    "responded with a",
];

/// Words right after a number that make it a status whatever its reason
/// phrase: Python requests' "409 Client Error: Conflict", urllib3's "too
/// many 503 error responses".
const STATUS_SUFFIXES: &[&str] = &["client error", "server error", "error responses"];

fn status_in_context(text: &str) -> Option<u16> {
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
fn lone_status(text: &str) -> Option<u16> {
    let text = text.trim();
    status_numbers(text)
        .next()
        .filter(|&(start, end, _)| start == 0 && end == text.len())
        .map(|(_, _, status)| status)
}

/// How far back [`not_found_is_about`] looks: a constant, so the scan
/// stays linear however many times "not found" appears.
const NOT_FOUND_LOOK_BACK: usize = 48;

/// Words that, just before "not found", say a name did not resolve.
const HOST_WORDS: &[&str] = &["host", "hostname", "server", "domain"];

/// Words that, a few words before "not found", say a field is missing.
const FIELD_WORDS: &[&str] = &["field", "column", "property", "attribute"];

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

/// Where `phrase` ends if it appears at `at` as whole words.
fn phrase_at(text: &str, at: usize, phrase: &str) -> Option<usize> {
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
fn starts_word(bytes: &[u8], at: usize) -> bool {
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

/// An uppercase method anywhere (`POST /v1/orders`), or any case right after
/// "http " ("http get failed"). Lowercase "get" in prose is just a verb.
fn method(text: &str) -> Option<HttpMethod> {
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

/// Counts the bytes the scan looks at, so a test can prove the work is
/// bounded without timing anything. Free outside tests.
mod work {
    #[cfg(test)]
    thread_local! {
        static STEPS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
    }

    #[inline]
    pub(super) fn step(_n: usize) {
        #[cfg(test)]
        STEPS.with(|s| s.set(s.get() + _n));
    }

    /// Runs `f` and returns what it returned with the steps it took.
    #[cfg(test)]
    pub(super) fn counted<T>(f: impl FnOnce() -> T) -> (T, usize) {
        STEPS.with(|s| s.set(0));
        let out = f();
        (out, STEPS.with(std::cell::Cell::get))
    }
}

/// Real messages from common clients, each with the tree it must reach.
#[cfg(test)]
mod cases;

#[cfg(test)]
mod tests {
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

    /// (message, expected code, expected status)
    const STATUS_CASES: &[(&str, Option<ErrorCode>, Option<u16>)] = &[
        // The formats the brief names.
        (
            "HTTP GET failed: unauthorized (401)",
            Some(Unauthorized),
            Some(401),
        ),
        (
            "HTTP POST failed: internal server error (500)",
            Some(InternalServerError),
            Some(500),
        ),
        ("401 Unauthorized", Some(Unauthorized), Some(401)),
        ("403 Forbidden", Some(Forbidden), Some(403)),
        (
            "Request failed with status code 429",
            Some(TooManyRequests),
            Some(429),
        ),
        ("Too Many Requests", Some(TooManyRequests), Some(429)),
        ("Not Found", Some(NotFound), Some(404)),
        (
            "Internal Server Error",
            Some(InternalServerError),
            Some(500),
        ),
        ("unauthorized", Some(Unauthorized), Some(401)),
        ("forbidden", Some(Forbidden), Some(403)),
        (
            "Rate limit exceeded. Retry in 30 seconds.",
            Some(TooManyRequests),
            Some(429),
        ),
        ("lookup failed (404)", Some(NotFound), Some(404)),
        ("status: 404", Some(NotFound), Some(404)),
        ("HTTP 404", Some(NotFound), Some(404)),
        (
            "{\"statusCode\":429,\"message\":\"slow down\"}",
            Some(TooManyRequests),
            Some(429),
        ),
        ("statusCode=429", Some(TooManyRequests), Some(429)),
        ("error 403 while syncing", Some(Forbidden), Some(403)),
        (
            "the server returned 500",
            Some(InternalServerError),
            Some(500),
        ),
        // Case and surrounding text.
        (
            "job 17 step 3: HTTP GET FAILED: UNAUTHORIZED (401) at 09:12",
            Some(Unauthorized),
            Some(401),
        ),
        ("not found", Some(NotFound), Some(404)),
        ("NOT FOUND", Some(NotFound), Some(404)),
        ("Error: 500", Some(InternalServerError), Some(500)),
        ("HTTP/1.1 403 Forbidden", Some(Forbidden), Some(403)),
        ("404 - not found", Some(NotFound), Some(404)),
        ("status_code: 401", Some(Unauthorized), Some(401)),
        ("\"status\": 500", Some(InternalServerError), Some(500)),
        (
            "the API returned a 404 for that id",
            Some(NotFound),
            Some(404),
        ),
        ("401", Some(Unauthorized), Some(401)),
        ("  429  ", Some(TooManyRequests), Some(429)),
        ("[403]", Some(Forbidden), Some(403)),
        // Identifier styles.
        (
            "UnauthorizedException: token expired",
            Some(Unauthorized),
            Some(401),
        ),
        ("RecordNotFound", Some(NotFound), Some(404)),
        ("TOO_MANY_REQUESTS", Some(TooManyRequests), Some(429)),
        ("error: unauthorized_client", Some(Unauthorized), Some(401)),
        ("rate-limited by upstream", Some(TooManyRequests), Some(429)),
        // A status context beats a phrase, wherever each appears.
        ("Unauthorized (status 403)", Some(Forbidden), Some(403)),
        (
            "Forbidden: HTTP 404 returned for /tables/401",
            Some(NotFound),
            Some(404),
        ),
        (
            "not found, status: 500",
            Some(InternalServerError),
            Some(500),
        ),
        // The first strong match wins.
        ("status 401 then status 403", Some(Unauthorized), Some(401)),
        ("(429) after (500)", Some(TooManyRequests), Some(429)),
        // Statuses with a guide of their own since issue 7, and one without.
        ("HTTP 502 Bad Gateway", Some(BadGateway), Some(502)),
        (
            "upstream said 503 Service Unavailable",
            Some(ServiceUnavailable),
            Some(503),
        ),
        ("bad gateway", Some(BadGateway), Some(502)),
        ("status: 200", None, Some(200)),
        (
            "HTTP 502 but the body says Unauthorized",
            Some(BadGateway),
            Some(502),
        ),
        // Numbers that are not statuses.
        ("GET /tables/401/records", None, None),
        ("record 4041 is missing", None, None),
        ("took 500ms", None, None),
        ("on 2024-04-01 at noon", None, None),
        ("fetched 500 rows", None, None),
        ("https://api.example.com/v1/items?status=404", None, None),
        ("version 1.500", None, None),
        ("1,404 records", None, None),
        ("process exited with code 137", None, None),
        ("connect ECONNREFUSED 127.0.0.1:443", Some(Connection), None),
        ("error 999", None, None),
        ("(042)", None, None),
        ("/tables/401/records not found", Some(NotFound), Some(404)),
        // Not HTTP at all.
        ("connection timed out", Some(Timeout), None),
        (
            "SSL certificate problem: unable to get local issuer certificate",
            Some(Tls),
            None,
        ),
        ("", None, None),
        ("everything is fine", None, None),
        ("the foundation is gone", None, None),
        ("forbiddenness", None, None),
    ];

    #[test]
    fn recognises_status_and_code() {
        let mut failures = Vec::new();
        for &(text, code, status) in STATUS_CASES {
            let found = diagnose(text);
            if (found.code, found.status) != (code, status) {
                failures.push(format!(
                    "{text:?}: expected {code:?}/{status:?}, got {:?}/{:?}",
                    found.code, found.status
                ));
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    /// The misroutes issue 7 names: (message, expected code, expected status).
    const MISROUTES: &[(&str, Option<ErrorCode>, Option<u16>)] = &[
        // A field that is missing is a validation problem, not a 404.
        ("Field 'Status' not found", Some(BadRequest), None),
        ("Field \"Status\" not found", Some(BadRequest), None),
        ("Field Status not found", Some(BadRequest), None),
        ("column `email` not found", Some(BadRequest), None),
        // A quoted reason phrase is still one.
        ("404 \"Not Found\"", Some(NotFound), Some(404)),
        ("\"Not Found\"", Some(NotFound), Some(404)),
        // A name that did not resolve is DNS, not a 404.
        ("Host not found", Some(Dns), None),
        ("Server not found", Some(Dns), None),
        ("getaddrinfo ENOTFOUND api.example.com", Some(Dns), None),
        ("Name or service not known", Some(Dns), None),
        ("No such host is known", Some(Dns), None),
        // A missing resource still is.
        ("Resource not found", Some(NotFound), Some(404)),
        ("/tables/401/records not found", Some(NotFound), Some(404)),
        // nginx's spelling of 504, and the other gateway errors.
        ("504 Gateway Time-out", Some(GatewayTimeout), Some(504)),
        ("Gateway Time-out", Some(GatewayTimeout), Some(504)),
        ("502 Bad Gateway", Some(BadGateway), Some(502)),
        (
            "503 Service Unavailable",
            Some(ServiceUnavailable),
            Some(503),
        ),
        ("504 Gateway Timeout", Some(GatewayTimeout), Some(504)),
        (
            "503 Service Temporarily Unavailable",
            Some(ServiceUnavailable),
            Some(503),
        ),
        ("408 Request Time-out", Some(Timeout), Some(408)),
        ("401 Authorization Required", Some(Unauthorized), Some(401)),
        // "response" before a number.
        ("Got response 404 from server", Some(NotFound), Some(404)),
        // Bodies with no number.
        ("invalid_token", Some(Unauthorized), Some(401)),
        (
            "{\"error\":\"invalid_token\"}",
            Some(Unauthorized),
            Some(401),
        ),
        ("Invalid user key", Some(Unauthorized), Some(401)),
        ("invalid userkey", Some(Unauthorized), Some(401)),
        ("Invalid UserKey", Some(Unauthorized), Some(401)),
        ("Access denied", Some(Forbidden), Some(403)),
        ("AccessDenied", Some(Forbidden), Some(403)),
        ("Quota exceeded", Some(TooManyRequests), Some(429)),
        ("throttled", Some(TooManyRequests), Some(429)),
        ("Throttled", Some(TooManyRequests), Some(429)),
        ("Request was throttled.", Some(TooManyRequests), Some(429)),
        ("RateLimitError", Some(TooManyRequests), Some(429)),
        // Lookalikes that stay unrecognised.
        ("unthrottled", None, None),
        ("access denied-ish", Some(Forbidden), Some(403)),
    ];

    #[test]
    fn fixes_the_misroutes_of_issue_7() {
        let mut failures = Vec::new();
        for &(text, code, status) in MISROUTES {
            let found = diagnose(text);
            if (found.code, found.status) != (code, status) {
                failures.push(format!(
                    "{text:?}: expected {code:?}/{status:?}, got {:?}/{:?}",
                    found.code, found.status
                ));
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
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
    fn never_reports_other_or_pagination() {
        for &(text, _, _) in STATUS_CASES.iter().chain(MISROUTES).chain(DECISIONS) {
            let code = diagnose(text).code;
            assert!(!matches!(code, Some(Other | Pagination)), "{text}");
        }
    }

    /// When a message names both a status and a failure, or several
    /// failures, what happened decides (the rules in the module comment):
    /// (message, expected code, expected status).
    const DECISIONS: &[(&str, Option<ErrorCode>, Option<u16>)] = &[
        // 1. A status with a tree beats the words beside it.
        (
            "SyntaxError: Unexpected token < in JSON: <title>502 Bad Gateway</title>",
            Some(BadGateway),
            Some(502),
        ),
        (
            "HTTP 500: java.net.SocketTimeoutException: Read timed out",
            Some(InternalServerError),
            Some(500),
        ),
        (
            "Max retries exceeded (Caused by ResponseError('too many 429 error responses'))",
            Some(TooManyRequests),
            Some(429),
        ),
        ("Gateway Timeout", Some(GatewayTimeout), Some(504)),
        ("408 Request Timeout", Some(Timeout), Some(408)),
        ("Request Timeout", Some(Timeout), Some(408)),
        // 2. A proxy refusing the tunnel is about the proxy, whatever it
        // answered.
        (
            "ProxyError('Cannot connect to proxy.', OSError('Tunnel connection failed: 403 Forbidden'))",
            Some(Connection),
            Some(403),
        ),
        (
            "curl: (56) Received HTTP code 407 from proxy after CONNECT",
            Some(Connection),
            Some(407),
        ),
        // 3. The most specific failure: TLS, DNS, timeout, connection, JSON.
        (
            "Failed to establish a new connection: [SSL: CERTIFICATE_VERIFY_FAILED]",
            Some(Tls),
            None,
        ),
        (
            "Failed to establish a new connection: [Errno -2] Name or service not known",
            Some(Dns),
            None,
        ),
        (
            "curl: (28) Resolving timed out after 5000 milliseconds",
            Some(Dns),
            None,
        ),
        ("Connection timed out", Some(Timeout), None),
        (
            "socket hang up, then Unexpected end of JSON input",
            Some(Connection),
            None,
        ),
        ("Unexpected end of JSON input", Some(InvalidJson), None),
        // A bare "not found" loses to any failure, and is not named.
        (
            "unexpected end of stream\nCaused by: java.io.EOFException: \\n not found: size=0",
            Some(Connection),
            None,
        ),
        ("Not Found", Some(NotFound), Some(404)),
        ("HTTP 404: socket hang up", Some(NotFound), Some(404)),
        // After a reason phrase, a number is its status, not a setting.
        ("Unauthorized: 401", Some(Unauthorized), Some(401)),
        // A field that is missing loses to any failure.
        (
            "Field 'Status' not found: connection reset",
            Some(Connection),
            None,
        ),
        // 4. A status with no tree yields to the words, and is still named.
        (
            "HTTP/1.1 200 Connection established\ncurl: (60) SSL certificate problem",
            Some(Tls),
            Some(200),
        ),
        ("Error 522: Connection timed out", Some(Timeout), Some(522)),
        ("HTTP 418", None, Some(418)),
        // Settings are not events: the request's config printed after it.
        (
            "Error: socket hang up { timeout: 0, clarifyTimeoutError: false }",
            Some(Connection),
            None,
        ),
        (
            "{ rejectUnauthorized: false } Error: read ECONNRESET",
            Some(Connection),
            None,
        ),
        ("timeout: 30000", None, None),
        ("Read timed out. (read timeout=30)", Some(Timeout), None),
        // No client fails with a 1xx; an errno in brackets is not a status.
        (
            "SocketException (111): Connection refused",
            Some(Connection),
            None,
        ),
        ("HTTP 100", None, None),
        // A number followed by "Client Error" is a status whatever the reason.
        (
            "409 Client Error: Conflict for url: https://api.example.com/x",
            Some(Conflict),
            Some(409),
        ),
    ];

    #[test]
    fn decides_by_what_happened() {
        let mut failures = Vec::new();
        for &(text, code, status) in DECISIONS {
            let found = diagnose(text);
            if (found.code, found.status) != (code, status) {
                failures.push(format!(
                    "{text:?}: expected {code:?}/{status:?}, got {:?}/{:?}",
                    found.code, found.status
                ));
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
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
}
