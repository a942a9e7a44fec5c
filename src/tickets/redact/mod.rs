//! Removes credentials from ticket text before it is stored.
//!
//! Tickets carry pasted API errors, URLs, HTTP headers and mail bodies, and
//! any of them may hold something that lets a stranger act as the customer.
//! Each finding becomes `[redacted <kind>]`. Every scanner steps over such
//! markers, so redacting already redacted text changes nothing.
//!
//! Scanners only report byte ranges, and run in stages: each stage reads
//! the text as the stages before it left it, markers included, which is
//! what a second run would see. Ranges found in one stage are merged, so a
//! value found twice (a JWT inside `access_token=`) gets one marker, named
//! by the finder that knows most about it.

mod context;
mod fields;
mod shapes;

use std::borrow::Cow;

use context::scan_context;
use fields::{scan_cookies, scan_fields};
use shapes::{scan_private_keys, scan_shapes, scan_url_passwords};

/// What kind of secret was removed; its marker is `[redacted <name>]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SecretKind {
    AccessToken,
    RefreshToken,
    IdToken,
    /// `token=`, `X-Auth-Token:`, `Authorization: Token …`, or a random word
    /// right after the word "token".
    Token,
    ApiKey,
    UserKey,
    /// A `?key=` query parameter, or a random word right after the word "key".
    Key,
    Secret,
    ClientSecret,
    Password,
    Signature,
    Credential,
    Session,
    Cookie,
    /// An `Authorization` value whose scheme is unknown or missing.
    Authorization,
    BearerToken,
    BasicAuth,
    UrlPassword,
    Jwt,
    AwsAccessKey,
    AwsSecretKey,
    GithubToken,
    GitlabToken,
    SlackToken,
    StripeKey,
    GoogleApiKey,
    PrivateKey,
    /// An apidesk API token (`apd_` and 64 hex digits).
    ApideskToken,
}

impl SecretKind {
    /// Every kind, in declaration order.
    pub const ALL: [Self; 28] = [
        Self::AccessToken,
        Self::RefreshToken,
        Self::IdToken,
        Self::Token,
        Self::ApiKey,
        Self::UserKey,
        Self::Key,
        Self::Secret,
        Self::ClientSecret,
        Self::Password,
        Self::Signature,
        Self::Credential,
        Self::Session,
        Self::Cookie,
        Self::Authorization,
        Self::BearerToken,
        Self::BasicAuth,
        Self::UrlPassword,
        Self::Jwt,
        Self::AwsAccessKey,
        Self::AwsSecretKey,
        Self::GithubToken,
        Self::GitlabToken,
        Self::SlackToken,
        Self::StripeKey,
        Self::GoogleApiKey,
        Self::PrivateKey,
        Self::ApideskToken,
    ];

    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::AccessToken => "access_token",
            Self::RefreshToken => "refresh_token",
            Self::IdToken => "id_token",
            Self::Token => "token",
            Self::ApiKey => "api_key",
            Self::UserKey => "user_key",
            Self::Key => "key",
            Self::Secret => "secret",
            Self::ClientSecret => "client_secret",
            Self::Password => "password",
            Self::Signature => "signature",
            Self::Credential => "credential",
            Self::Session => "session",
            Self::Cookie => "cookie",
            Self::Authorization => "authorization",
            Self::BearerToken => "bearer_token",
            Self::BasicAuth => "basic_auth",
            Self::UrlPassword => "url_password",
            Self::Jwt => "jwt",
            Self::AwsAccessKey => "aws_access_key",
            Self::AwsSecretKey => "aws_secret_key",
            Self::GithubToken => "github_token",
            Self::GitlabToken => "gitlab_token",
            Self::SlackToken => "slack_token",
            Self::StripeKey => "stripe_key",
            Self::GoogleApiKey => "google_api_key",
            Self::PrivateKey => "private_key",
            Self::ApideskToken => "apidesk_token",
        }
    }

    /// Breaks ties between findings that start on the same byte: the name
    /// the author gave a value says most, a recognised shape says less, a
    /// generic word least.
    fn rank(self) -> u8 {
        match self {
            Self::Token | Self::Key | Self::Secret | Self::Authorization => 2,
            Self::Jwt
            | Self::AwsAccessKey
            | Self::GithubToken
            | Self::GitlabToken
            | Self::SlackToken
            | Self::StripeKey
            | Self::GoogleApiKey => 1,
            _ => 0,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redacted {
    pub text: String,
    /// One entry per value replaced, in order of appearance.
    pub removed: Vec<SecretKind>,
}

impl Redacted {
    #[must_use]
    pub fn count(&self) -> usize {
        self.removed.len()
    }

    #[must_use]
    pub fn is_clean(&self) -> bool {
        self.removed.is_empty()
    }
}

/// Replaces every credential in `input` with `[redacted <kind>]`.
///
/// Runs in O(n) on n input bytes, plus sorting what was found. Each of the
/// four stages walks the text once, left to right, without backtracking: a
/// value is measured once, then scanning resumes past it, or right after
/// its name if it is kept; regions that run to the end of a line are
/// measured only once something on them is removed or once per header
/// line; and a shape's body never contains another shape's start. So each
/// byte is read a bounded number of times, whatever the input.
#[must_use]
pub fn redact(input: &str) -> Redacted {
    type Scanner = fn(&str, &mut Vec<Finding>);
    // Each stage reads the text as the earlier stages left it, markers and
    // all, which is what a second run will see: that keeps redaction
    // idempotent. Private keys go first as they span lines; field names and
    // shapes share a stage so a field name can outrank a shape; the `;` and
    // `=` framing cookies must be read with other values already markers;
    // keywords and random words are judged last, by their neighbours.
    const STAGES: [&[Scanner]; 4] = [
        &[scan_private_keys, scan_url_passwords],
        &[scan_fields, scan_shapes],
        &[scan_cookies],
        &[scan_context],
    ];
    let mut text = Cow::Borrowed(input);
    let mut placed = Vec::new();
    for stage in STAGES {
        let mut found = Vec::new();
        for scan in stage {
            scan(&text, &mut found);
        }
        if !found.is_empty() {
            let (next, next_placed) = apply(&text, &placed, found);
            text = Cow::Owned(next);
            placed = next_placed;
        }
    }
    Redacted {
        text: text.into_owned(),
        removed: placed.into_iter().map(|(_, kind)| kind).collect(),
    }
}

/// Writes a marker over each finding. `placed` holds the offsets and kinds
/// of markers written by earlier stages; they are carried over to the new
/// text, or dropped when a finding swallowed them.
fn apply(
    text: &str,
    placed: &[(usize, SecretKind)],
    found: Vec<Finding>,
) -> (String, Vec<(usize, SecretKind)>) {
    let spans = merge(found, &existing_markers(text));
    let mut out = String::with_capacity(text.len());
    let mut now_placed = Vec::with_capacity(placed.len() + spans.len());
    let mut earlier = placed.iter().peekable();
    let mut cursor = 0;
    for span in &spans {
        while let Some(&(at, kind)) = earlier.next_if(|&&(at, _)| at < span.start) {
            now_placed.push((out.len() + at - cursor, kind));
        }
        while earlier.next_if(|&&(at, _)| at < span.end).is_some() {}
        out.push_str(text.get(cursor..span.start).unwrap_or_default());
        now_placed.push((out.len(), span.kind));
        out.push_str(MARKER_OPEN);
        out.push_str(span.kind.name());
        out.push(']');
        cursor = span.end;
    }
    now_placed.extend(earlier.map(|&(at, kind)| (out.len() + at - cursor, kind)));
    out.push_str(text.get(cursor..).unwrap_or_default());
    (out, now_placed)
}

/// Where a field name was read: a query parameter's name says more than an
/// object member's (`key` is an issue or object key in JSON).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldPlace {
    Member,
    Query,
    Header,
}

/// The kind of credential a field called `name` holds, by the same rules
/// `redact` applies to `name=value` and `"name": value` in text: for
/// callers that walk structured data (JSON members, HAR headers) and so
/// know names and values apart.
#[must_use]
pub fn secret_field(name: &str, place: FieldPlace) -> Option<SecretKind> {
    if name.len() > MAX_NAME_LEN {
        return None;
    }
    match fields::classify(name)? {
        fields::Role::Value(kind) => Some(kind),
        fields::Role::QueryKey => (place == FieldPlace::Query).then_some(SecretKind::Key),
        fields::Role::Authorization => Some(SecretKind::Authorization),
        fields::Role::Cookie { .. } => Some(SecretKind::Cookie),
        fields::Role::Bearer => Some(SecretKind::BearerToken),
    }
}

/// Whether `text` is one marker and nothing else: a value redacted before.
#[must_use]
pub fn is_marker(text: &str) -> bool {
    marker_len(text.as_bytes(), 0) == Some(text.len())
}

/// The marker that stands for a removed value of `kind`.
#[must_use]
pub fn marker(kind: SecretKind) -> String {
    format!("{MARKER_OPEN}{}]", kind.name())
}

/// The kind names of the markers in `text` ("access_token", …), in order:
/// what was removed from text stored earlier, told again from the text
/// alone.
pub fn marker_kinds(text: &str) -> impl Iterator<Item = &str> {
    existing_markers(text)
        .into_iter()
        .filter_map(|(start, end)| text.get(start + MARKER_OPEN.len()..end - 1))
}

/// `text` with each marker as one word (`REDACTED`), for rules that check
/// the shape of a value a marker sits in (an endpoint has no spaces; a
/// marker has one).
pub fn mask_markers(text: &str) -> Cow<'_, str> {
    let markers = existing_markers(text);
    if markers.is_empty() {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut cursor = 0;
    for (start, end) in markers {
        out.push_str(&text[cursor..start]);
        out.push_str("REDACTED");
        cursor = end;
    }
    out.push_str(&text[cursor..]);
    Cow::Owned(out)
}

fn existing_markers(text: &str) -> Vec<(usize, usize)> {
    let b = text.as_bytes();
    text.match_indices(MARKER_OPEN)
        .filter_map(|(i, _)| marker_len(b, i).map(|len| (i, i + len)))
        .collect()
}

/// Sorts findings and joins overlapping ones; the first to start (and on a
/// tie the best ranked) names the result. A finding also swallows any
/// marker it cuts into, or the marker's remains would read as plain text
/// next time.
fn merge(mut found: Vec<Finding>, markers: &[(usize, usize)]) -> Vec<Finding> {
    found.sort_by_key(|f| (f.start, f.kind.rank()));
    let mut merged: Vec<Finding> = Vec::with_capacity(found.len());
    let mut next_marker = 0;
    for f in found {
        match merged.last_mut() {
            Some(last) if f.start < last.end => last.end = last.end.max(f.end),
            _ => merged.push(f),
        }
        let Some(last) = merged.last_mut() else {
            continue;
        };
        while let Some(&(start, end)) = markers.get(next_marker) {
            if start >= last.end {
                break;
            }
            if end > last.start {
                last.start = last.start.min(start);
                last.end = last.end.max(end);
            }
            next_marker += 1;
        }
    }
    merged
}

const MARKER_OPEN: &str = "[redacted ";
/// Runs longer than this are data, not field names.
const MAX_NAME_LEN: usize = 48;
/// Shorter words carry too little to call random, and short real secrets
/// are caught by the field rules instead.
const MIN_RANDOM_LEN: usize = 20;
/// Filler words ("is", "the") allowed between a keyword and its value.
const MAX_FILLERS: u8 = 3;

struct Finding {
    start: usize,
    end: usize,
    kind: SecretKind,
}

/// Every scanner reports through here, so a range can never split a UTF-8
/// character even if a scanner's arithmetic is off.
fn push(out: &mut Vec<Finding>, text: &str, start: usize, end: usize, kind: SecretKind) {
    let mut start = start.min(text.len());
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    let mut end = end.min(text.len());
    while !text.is_char_boundary(end) {
        end += 1;
    }
    if start < end {
        out.push(Finding { start, end, kind });
    }
}

fn marker_len(b: &[u8], at: usize) -> Option<usize> {
    let rest = b.get(at..)?.strip_prefix(MARKER_OPEN.as_bytes())?;
    let name = rest
        .iter()
        .take(32)
        .take_while(|c| c.is_ascii_lowercase() || **c == b'_')
        .count();
    (name > 0 && rest.get(name) == Some(&b']')).then_some(MARKER_OPEN.len() + name + 1)
}

fn run_end(b: &[u8], from: usize, keep: impl Fn(u8) -> bool) -> usize {
    let run = b
        .get(from..)
        .map_or(0, |rest| rest.iter().take_while(|&&c| keep(c)).count());
    work::step(run + 1);
    from + run
}

fn skip_blanks(b: &[u8], from: usize) -> usize {
    run_end(b, from, |c| c == b' ' || c == b'\t')
}

fn trim_end(b: &[u8], start: usize, mut end: usize) -> usize {
    while end > start && b.get(end - 1).is_some_and(u8::is_ascii_whitespace) {
        work::step(1);
        end -= 1;
    }
    end
}

fn prev_byte(b: &[u8], at: usize) -> Option<u8> {
    at.checked_sub(1).and_then(|i| b.get(i)).copied()
}

fn eq_any(word: &[u8], list: &[&str]) -> bool {
    list.iter().any(|w| word.eq_ignore_ascii_case(w.as_bytes()))
}

fn is_plain_word(v: &[u8]) -> bool {
    !v.is_empty() && v.iter().all(u8::is_ascii_alphabetic)
}

fn is_alnum(c: u8) -> bool {
    c.is_ascii_alphanumeric()
}

fn is_upper_alnum(c: u8) -> bool {
    c.is_ascii_uppercase() || c.is_ascii_digit()
}

fn is_alnum_underscore(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

fn is_alnum_dash(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'-'
}

fn is_lower_hex(c: u8) -> bool {
    c.is_ascii_digit() || (b'a'..=b'f').contains(&c)
}

fn is_base64url(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'-'
}

#[cfg(test)]
mod tests;

use crate::work;

#[cfg(test)]
mod properties;
