//! Values of credential-like named fields: query parameters, JSON keys,
//! header lines (`Authorization`, `Cookie`) and `Bearer …` in prose.

use super::context::QUALIFIERS;
use super::*;

/// What a credential-like field name tells us about its value.
pub(super) enum Role {
    Value(SecretKind),
    /// `key` is too common a word (Jira issue keys, object keys) to trust
    /// anywhere but a query string.
    QueryKey,
    Authorization,
    Cookie {
        first_only: bool,
    },
    Bearer,
}

/// How a field name is tied to its value: `name=`, `"name": "`, `Name: `.
pub(super) struct Sep {
    op: u8,
    quoted_name: bool,
    /// The quote opened before the name (`-H "Authorization: …"`) ends the
    /// header value.
    enclosing: Option<u8>,
    value: usize,
    quote: Option<Quote>,
}

#[derive(Clone, Copy)]
pub(super) struct Quote {
    byte: u8,
    /// `\"` inside an already quoted JSON string.
    escaped: bool,
}

/// Calls `on_name` with each run of name bytes and resumes where it says.
pub(super) fn walk_names(text: &str, mut on_name: impl FnMut(usize, usize) -> Option<usize>) {
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        crate::work::step(1);
        if let Some(len) = marker_len(b, i) {
            // A name glued to a marker was part of a word that was no name.
            i = run_end(b, i + len, is_name_byte);
            continue;
        }
        if !is_name_byte(b[i]) {
            i += 1;
            continue;
        }
        let start = i;
        i = run_end(b, i, is_name_byte);
        if i - start <= MAX_NAME_LEN
            && let Some(resume) = on_name(start, i)
        {
            i = i.max(resume);
        }
    }
}

pub(super) fn scan_fields(text: &str, out: &mut Vec<Finding>) {
    walk_names(text, |start, end| on_field_name(text, start, end, out));
}

/// Returns where scanning resumes: past a value that was removed, which a
/// second run will see as a marker. Anything kept is scanned on as usual,
/// since skipping it could hide a field that a second run would then find.
pub(super) fn on_field_name(
    text: &str,
    start: usize,
    end: usize,
    out: &mut Vec<Finding>,
) -> Option<usize> {
    let b = text.as_bytes();
    let raw = text.get(start..end)?;
    let role = classify(raw)?;
    if let Role::Bearer = role {
        return bearer_alone(text, end, out);
    }
    let sep = separator(b, start, end)?;
    // In prose ("invalid token: signature mismatch") a bare word before a
    // colon is no field; in a header line, JSON or a query string it is.
    let strong =
        sep.op == b'=' || sep.quoted_name || is_identifier(raw) || at_field_start(b, start);
    // A header's value is the rest of its line: `Password: correct horse`.
    let header = sep.op == b':'
        && sep.quote.is_none()
        && (sep.enclosing.is_some() || at_line_start(b, start));
    match role {
        Role::Value(kind) => value(text, &sep, strong, header, kind, out),
        Role::QueryKey
            if b.get(end) == Some(&b'=') && matches!(prev_byte(b, start), Some(b'?' | b'&')) =>
        {
            value(text, &sep, true, false, SecretKind::Key, out)
        }
        Role::Authorization => authorization(text, &sep, strong, out),
        Role::QueryKey | Role::Bearer | Role::Cookie { .. } => None,
    }
}

/// Folds `X-Amz-Security-Token`, `securityToken` and `security_token` into
/// one spelling: vendor prefixes and separators don't change what a value
/// is. Works in a stack buffer, as every word of the input passes here.
pub(super) fn normalise<'a>(raw: &str, buf: &'a mut [u8; MAX_NAME_LEN]) -> &'a str {
    let mut segments = raw.split(['-', '_']).filter(|s| !s.is_empty()).peekable();
    let mut in_prefix = true;
    let mut len = 0;
    while let Some(segment) = segments.next() {
        in_prefix &= segments.peek().is_some() && eq_any(segment.as_bytes(), &["x", "amz", "goog"]);
        if in_prefix {
            continue;
        }
        for c in segment.bytes() {
            if let Some(slot) = buf.get_mut(len) {
                *slot = c.to_ascii_lowercase();
                len += 1;
            }
        }
    }
    std::str::from_utf8(&buf[..len]).unwrap_or_default()
}

pub(super) fn classify(raw: &str) -> Option<Role> {
    let mut buf = [0; MAX_NAME_LEN];
    let kind = match normalise(raw, &mut buf) {
        "key" => return Some(Role::QueryKey),
        "authorization" | "proxyauthorization" => return Some(Role::Authorization),
        "cookie" => return Some(Role::Cookie { first_only: false }),
        "setcookie" => return Some(Role::Cookie { first_only: true }),
        "bearer" => return Some(Role::Bearer),
        "accesstoken" => SecretKind::AccessToken,
        "refreshtoken" => SecretKind::RefreshToken,
        "idtoken" => SecretKind::IdToken,
        "userkey" => SecretKind::UserKey,
        "clientsecret" => SecretKind::ClientSecret,
        "signature" | "sig" => SecretKind::Signature,
        "credential" | "credentials" => SecretKind::Credential,
        "session" | "sessionid" | "jsessionid" | "phpsessid" => SecretKind::Session,
        "awssecretaccesskey" | "secretaccesskey" => SecretKind::AwsSecretKey,
        "passwd" | "pwd" | "pass" | "passphrase" => SecretKind::Password,
        // Suffixes catch `db_password`, `webhook_secret`, `stripe_api_key`.
        n if n.ends_with("password") => SecretKind::Password,
        n if n.ends_with("secret") => SecretKind::Secret,
        n if n.ends_with("apikey") => SecretKind::ApiKey,
        n if n.ends_with("privatekey") => SecretKind::PrivateKey,
        n if n.ends_with("secretkey") => SecretKind::Secret,
        n if n.ends_with("signature") => SecretKind::Signature,
        // `GITHUB_TOKEN`, `slackBotToken`; but a page or sync token is a cursor.
        n if n
            .strip_suffix("token")
            .is_some_and(|q| !QUALIFIERS.iter().any(|w| q.ends_with(w))) =>
        {
            SecretKind::Token
        }
        // `DB_PASS`, but not `bypass`.
        _ if raw.len() > 5
            && raw
                .get(raw.len() - 5..)
                .is_some_and(|end| eq_any(end.as_bytes(), &["_pass", "-pass"])) =>
        {
            SecretKind::Password
        }
        _ => return None,
    };
    Some(Role::Value(kind))
}

pub(super) fn separator(b: &[u8], start: usize, end: usize) -> Option<Sep> {
    let mut i = end;
    if b.get(i) == Some(&b'\\') && matches!(b.get(i + 1), Some(b'"' | b'\'')) {
        i += 1;
    }
    let opening = prev_byte(b, start).filter(|&c| c == b'"' || c == b'\'');
    let mut quoted_name = false;
    if let Some(&q @ (b'"' | b'\'')) = b.get(i) {
        quoted_name = opening == Some(q);
        i += 1;
    }
    i = skip_blanks(b, i);
    let op = *b.get(i).filter(|&&c| c == b':' || c == b'=')?;
    if op == b':' && b.get(i + 1) == Some(&b'/') {
        return None; // `session://…` is a URL scheme
    }
    i = skip_blanks(b, i + 1);
    let quote = match (b.get(i), b.get(i + 1)) {
        (Some(b'\\'), Some(&byte @ (b'"' | b'\''))) => Some(Quote {
            byte,
            escaped: true,
        }),
        (Some(&byte @ (b'"' | b'\'')), _) => Some(Quote {
            byte,
            escaped: false,
        }),
        _ => None,
    };
    let value = i + quote.map_or(0, |q| if q.escaped { 2 } else { 1 });
    let enclosing = opening.filter(|_| !quoted_name);
    Some(Sep {
        op,
        quoted_name,
        enclosing,
        value,
        quote,
    })
}

pub(super) fn is_identifier(raw: &str) -> bool {
    let b = raw.trim_matches(['-', '_']).as_bytes();
    b.contains(&b'_')
        || b.contains(&b'-')
        || b.windows(2)
            .any(|w| w[0].is_ascii_lowercase() && w[1].is_ascii_uppercase())
}

/// Header lines, list items, JSON members and query parameters start a line
/// or follow one of these bytes; words in a sentence don't.
pub(super) fn at_field_start(b: &[u8], start: usize) -> bool {
    let mut i = start;
    while matches!(prev_byte(b, i), Some(b' ' | b'\t')) {
        crate::work::step(1);
        i -= 1;
    }
    prev_byte(b, i).is_none_or(|c| b"\n\r{,;?&([|*>-\"'".contains(&c))
}

pub(super) fn at_line_start(b: &[u8], start: usize) -> bool {
    let mut i = start;
    while matches!(prev_byte(b, i), Some(b' ' | b'\t')) {
        crate::work::step(1);
        i -= 1;
    }
    matches!(prev_byte(b, i), None | Some(b'\n' | b'\r'))
}

/// The value's bytes and where scanning resumes (past a closing quote).
pub(super) fn extent(text: &str, sep: &Sep) -> (usize, usize, usize) {
    let b = text.as_bytes();
    let start = sep.value;
    let Some(q) = sep.quote else {
        let end = value_end(text, start, ends_value);
        return (start, end, end);
    };
    let mut i = start;
    while let Some(&c) = b.get(i) {
        crate::work::step(1);
        match c {
            b'\n' | b'\r' => break,
            b'\\' if q.escaped && b.get(i + 1) == Some(&q.byte) => return (start, i, i + 2),
            b'\\' => i += 1,
            c if c == q.byte => return (start, i, i + 1),
            _ => {}
        }
        i += 1;
    }
    // An unclosed quote: the rest of the line is the value.
    let end = i.min(b.len());
    (start, end, end)
}

/// Header values run to the end of the line unless quoted.
pub(super) fn region(text: &str, sep: &Sep) -> (usize, usize, usize) {
    let b = text.as_bytes();
    if sep.quote.is_some() || sep.op == b'=' {
        return extent(text, sep);
    }
    let eol = run_end(b, sep.value, |c| {
        c != b'\n' && c != b'\r' && Some(c) != sep.enclosing
    });
    (sep.value, trim_end(b, sep.value, eol), eol)
}

pub(super) fn value(
    text: &str,
    sep: &Sep,
    strong: bool,
    header: bool,
    kind: SecretKind,
    out: &mut Vec<Finding>,
) -> Option<usize> {
    let b = text.as_bytes();
    // Already redacted: resuming at the name lets the main loop step over
    // the marker exactly as it will on the next run. A nested object's own
    // fields are scanned next. Both are told by the first byte, before the
    // value is measured, so that `token={token={…` stays linear.
    if marker_len(b, sep.value).is_some()
        || (sep.quote.is_none() && matches!(b.get(sep.value), Some(b'{' | b'[' | b'(')))
    {
        return None;
    }
    let (start, end, resume) = if header {
        region(text, sep)
    } else {
        extent(text, sep)
    };
    let v = b.get(start..end).filter(|v| !v.is_empty())?;
    if sep.quote.is_none() && eq_any(v, &["null", "nil", "none", "true", "false", "undefined"]) {
        return None;
    }
    // Already masked (`***`), or an ordinary word after a word in prose.
    if v.iter().all(|&c| c == b'*') || (!strong && is_plain_word(v)) {
        return None;
    }
    push(out, text, start, end, kind);
    Some(resume)
}

pub(super) const AUTH_SCHEMES: &[&str] = &[
    "bearer",
    "basic",
    "token",
    "digest",
    "negotiate",
    "ntlm",
    "oauth",
    "hoba",
    "mutual",
    "aws4-hmac-sha256",
    "apikey",
    "sharedkey",
    "sso-key",
    "dpop",
    "hawk",
    "ssws",
];

/// Judged on its first two words; the rest of the line is measured only
/// once something is removed, so a line of repeated prose stays linear.
pub(super) fn authorization(
    text: &str,
    sep: &Sep,
    strong: bool,
    out: &mut Vec<Finding>,
) -> Option<usize> {
    let b = text.as_bytes();
    let start = sep.value;
    if marker_len(b, start).is_some() {
        return None;
    }
    let scheme_end = run_end(b, start, |c| c.is_ascii_alphanumeric() || c == b'-');
    let scheme = b.get(start..scheme_end)?;
    let cred = skip_blanks(b, scheme_end);
    let cred_end = value_end(text, cred, ends_credential);
    let first = b.get(cred..cred_end)?;
    let is_scheme = is_plain_word(scheme) || eq_any(scheme, AUTH_SCHEMES);
    if !is_scheme || cred == scheme_end || first.is_empty() {
        // No scheme: the whole value is the credential, unless it is a word.
        let (start, end, resume) = region(text, sep);
        if start >= end || b.get(start..end).is_some_and(is_plain_word) {
            return None;
        }
        push(out, text, start, end, SecretKind::Authorization);
        return Some(resume);
    }
    if marker_len(b, cred).is_some() {
        return None;
    }
    let single = [
        ("bearer", SecretKind::BearerToken),
        ("basic", SecretKind::BasicAuth),
        ("token", SecretKind::Token),
    ];
    if let Some(&(_, kind)) = single
        .iter()
        .find(|(s, _)| scheme.eq_ignore_ascii_case(s.as_bytes()))
    {
        // "the Authorization: Bearer header is missing"
        if !strong && is_plain_word(first) {
            return None;
        }
        push(out, text, cred, cred_end, kind);
        return Some(cred_end);
    }
    // "Authorization: failed for user 42" is prose, not a scheme and its data.
    if !eq_any(scheme, AUTH_SCHEMES) && (!strong || is_plain_word(first)) {
        return None;
    }
    let (_, end, resume) = region(text, sep);
    push(out, text, cred, end, SecretKind::Authorization);
    Some(resume)
}

/// Every `name=value` pair on a `Cookie:` line holds a cookie; on a
/// `Set-Cookie:` line only the first does, attributes (Path, Expires) follow.
pub(super) fn scan_cookies(text: &str, out: &mut Vec<Finding>) {
    let b = text.as_bytes();
    walk_names(text, |start, end| {
        let Some(Role::Cookie { first_only }) = text.get(start..end).and_then(classify) else {
            return None;
        };
        let sep = separator(b, start, end)?;
        let (line, line_end, resume) = region(text, &sep);
        let mut part = line;
        while part < line_end {
            let part_end = b
                .get(part..line_end)?
                .iter()
                .position(|&c| c == b';')
                .map_or(line_end, |p| part + p);
            crate::work::step(part_end - part + 1);
            cookie_value(text, part, part_end, out);
            if first_only {
                break;
            }
            part = part_end + 1;
        }
        Some(resume)
    });
}

pub(super) fn cookie_value(text: &str, start: usize, end: usize, out: &mut Vec<Finding>) {
    let b = text.as_bytes();
    let Some(eq) = b
        .get(start..end)
        .and_then(|p| p.iter().position(|&c| c == b'='))
    else {
        return;
    };
    let value = skip_blanks(b, start + eq + 1).min(end);
    let value_end = trim_end(b, value, end);
    if value < value_end && marker_len(b, value).is_none() {
        push(out, text, value, value_end, SecretKind::Cookie);
    }
}

/// `Bearer <token>` outside a header. The length and the lower-case test
/// keep "bearer authentication" and the like out.
pub(super) fn bearer_alone(text: &str, name_end: usize, out: &mut Vec<Finding>) -> Option<usize> {
    let b = text.as_bytes();
    let start = skip_blanks(b, name_end);
    if start == name_end || marker_len(b, start).is_some() {
        return None;
    }
    let end = run_end(b, start, |c| {
        c.is_ascii_alphanumeric() || b"-._~+/=".contains(&c)
    });
    let token = b.get(start..end)?;
    let wordish = token
        .iter()
        .all(|&c| c.is_ascii_lowercase() || c == b'_' || c == b'-');
    if token.len() < 16 || wordish {
        return None;
    }
    push(out, text, start, end, SecretKind::BearerToken);
    Some(end)
}

/// Where an unquoted value stops. Beyond ASCII, letters (`pässwort`) belong
/// to the value while emoji, bidi marks, curly quotes and other symbols
/// around it do not.
pub(super) fn value_end(text: &str, from: usize, stop: fn(u8) -> bool) -> usize {
    let rest = text.get(from..).unwrap_or_default();
    let stops = |c: char| {
        if c.is_ascii() {
            stop(c as u8)
        } else {
            !c.is_alphanumeric()
        }
    };
    let end = rest
        .char_indices()
        .find(|&(_, c)| stops(c))
        .map_or(text.len(), |(i, _)| from + i);
    crate::work::step(end - from.min(end) + 1);
    end
}

pub(super) fn is_name_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'-'
}

pub(super) fn ends_value(c: u8) -> bool {
    c.is_ascii_whitespace() || b"&#\"'<>,;)]}\\`".contains(&c)
}

pub(super) fn ends_credential(c: u8) -> bool {
    c.is_ascii_whitespace() || b"\"',;<>\\`".contains(&c)
}
