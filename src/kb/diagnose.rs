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
//! for them ([`FAILURES`](phrases::FAILURES)): `ECONNREFUSED`, `Read timed out`, `Could not
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
//!
//! This file holds the decision; the word tables are in `phrases`, finding
//! them in a message in `words`, finding a status number in `status`, and
//! the HTTP method in `method`.

mod method;
mod phrases;
mod status;
mod words;

use crate::domain::{ErrorCode, HttpMethod};

use method::method;
use status::{lone_status, status_in_context};
use words::Words;

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

use crate::work;

/// Real messages from common clients, each with the tree it must reach.
#[cfg(test)]
mod cases;

#[cfg(test)]
mod properties;

#[cfg(test)]
mod tests;
