//! Secrets known by their shape wherever they stand: private key blocks,
//! passwords inside URLs, cloud and code-host keys, JWTs.

use super::*;

pub(super) const PEM_BEGIN: &str = "-----BEGIN ";
pub(super) const PEM_END: &str = "-----END ";

/// A truncated paste still holds most of the key, so an unterminated block
/// is removed to the end of the input.
pub(super) fn scan_private_keys(text: &str, out: &mut Vec<Finding>) {
    let mut from = 0;
    while let Some(at) = find_from(text, from, PEM_BEGIN) {
        let label = at + PEM_BEGIN.len();
        let Some(header_end) = private_key_label_end(text.as_bytes(), label) else {
            from = label;
            continue;
        };
        let end = private_key_end(text, header_end).unwrap_or(text.len());
        push(out, text, at, end, SecretKind::PrivateKey);
        from = end;
    }
}

pub(super) fn private_key_end(text: &str, from: usize) -> Option<usize> {
    let mut at = from;
    while let Some(pos) = find_from(text, at, PEM_END) {
        let label = pos + PEM_END.len();
        if let Some(end) = private_key_label_end(text.as_bytes(), label) {
            return Some(end);
        }
        at = label;
    }
    None
}

/// Certificates and public keys share the armour but are not secret, so
/// only labels ending in `PRIVATE KEY` (RSA, EC, OPENSSH, ENCRYPTED…) count.
pub(super) fn private_key_label_end(b: &[u8], label: usize) -> Option<usize> {
    let end = run_end(b, label, |c| {
        c.is_ascii_uppercase() || c.is_ascii_digit() || c == b' '
    });
    let is_private = b.get(label..end)?.ends_with(b"PRIVATE KEY");
    (is_private && b.get(end..)?.starts_with(b"-----")).then_some(end + 5)
}

pub(super) fn find_from(text: &str, from: usize, needle: &str) -> Option<usize> {
    let rest = text.get(from..)?;
    let found = rest.find(needle);
    crate::work::step(found.map_or(rest.len(), |i| i + needle.len()) + 1);
    found.map(|i| from + i)
}

pub(super) fn scan_url_passwords(text: &str, out: &mut Vec<Finding>) {
    let b = text.as_bytes();
    crate::work::step(text.len());
    for (at, _) in text.match_indices("://") {
        let host = at + 3;
        let end = run_end(b, host, |c| !ends_authority(c));
        let Some(authority) = b.get(host..end) else {
            continue;
        };
        // The last '@' ends the userinfo: passwords may hold a raw '@'.
        let Some(at_sign) = authority.iter().rposition(|&c| c == b'@') else {
            continue;
        };
        let Some(colon) = authority[..at_sign].iter().position(|&c| c == b':') else {
            continue;
        };
        let start = host + colon + 1;
        if start < host + at_sign && marker_len(b, start).is_none() {
            push(out, text, start, host + at_sign, SecretKind::UrlPassword);
        }
    }
}

pub(super) fn ends_authority(c: u8) -> bool {
    c.is_ascii_whitespace()
        || matches!(
            c,
            b'/' | b'?' | b'#' | b'"' | b'\'' | b'<' | b'>' | b'`' | b'\\'
        )
}

pub(super) struct Shape {
    prefixes: &'static [&'static str],
    body: fn(u8) -> bool,
    min: usize,
    max: usize,
    kind: SecretKind,
}

pub(super) const SHAPES: &[Shape] = &[
    Shape {
        prefixes: &["AKIA", "ASIA"],
        body: is_upper_alnum,
        min: 16,
        max: 16,
        kind: SecretKind::AwsAccessKey,
    },
    Shape {
        prefixes: &["ghp_", "gho_", "ghu_", "ghs_", "ghr_"],
        body: is_alnum,
        min: 36,
        max: usize::MAX,
        kind: SecretKind::GithubToken,
    },
    Shape {
        prefixes: &["github_pat_"],
        body: is_alnum_underscore,
        min: 22,
        max: usize::MAX,
        kind: SecretKind::GithubToken,
    },
    Shape {
        prefixes: &["glpat-"],
        body: is_base64url,
        min: 20,
        max: usize::MAX,
        kind: SecretKind::GitlabToken,
    },
    Shape {
        prefixes: &["xoxb-", "xoxp-", "xoxa-", "xoxr-", "xoxs-"],
        body: is_alnum_dash,
        min: 10,
        max: usize::MAX,
        kind: SecretKind::SlackToken,
    },
    Shape {
        prefixes: &["sk_live_", "rk_live_", "sk_test_", "rk_test_"],
        body: is_alnum,
        min: 24,
        max: usize::MAX,
        kind: SecretKind::StripeKey,
    },
    Shape {
        prefixes: &["apd_"],
        body: is_lower_hex,
        min: 64,
        max: 64,
        kind: SecretKind::ApideskToken,
    },
    Shape {
        prefixes: &["AIza"],
        body: is_base64url,
        min: 35,
        max: 35,
        kind: SecretKind::GoogleApiKey,
    },
];

pub(super) fn scan_shapes(text: &str, out: &mut Vec<Finding>) {
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        crate::work::step(1);
        if let Some(len) = marker_len(b, i) {
            i += len;
            continue;
        }
        if is_shape_start(b, i)
            && let Some((end, kind)) = match_shape(b, i)
        {
            push(out, text, i, end, kind);
            i = end;
            continue;
        }
        i += 1;
    }
}

/// Shape bodies consist of these same bytes, so no shape starts inside
/// another; that keeps the scan linear and stops `xAKIA…` from matching.
pub(super) fn is_shape_start(b: &[u8], i: usize) -> bool {
    b.get(i).is_some_and(u8::is_ascii_alphanumeric)
        && !prev_byte(b, i)
            .is_some_and(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.' | b']'))
}

pub(super) fn match_shape(b: &[u8], i: usize) -> Option<(usize, SecretKind)> {
    let rest = b.get(i..)?;
    if rest.starts_with(b"eyJ") {
        return jwt_end(b, i).map(|end| (end, SecretKind::Jwt));
    }
    SHAPES.iter().find_map(|shape| {
        let prefix = shape
            .prefixes
            .iter()
            .find(|p| rest.starts_with(p.as_bytes()))?;
        let body = i + prefix.len();
        let end = run_end(b, body, shape.body);
        let bounded = !b
            .get(end)
            .is_some_and(|&c| c.is_ascii_alphanumeric() || c == b'_');
        ((shape.min..=shape.max).contains(&(end - body)) && bounded).then_some((end, shape.kind))
    })
}

pub(super) fn jwt_end(b: &[u8], start: usize) -> Option<usize> {
    let mut end = run_end(b, start, |c| is_base64url(c) || c == b'.');
    // A JWT at the end of a sentence is followed by a full stop.
    while end > start && b.get(end - 1) == Some(&b'.') {
        end -= 1;
    }
    let mut parts = b.get(start..end)?.split(|&c| c == b'.');
    let (header, payload, signature) = (parts.next()?, parts.next()?, parts.next()?);
    let three = parts.next().is_none() && header.len() >= 10;
    (three && !payload.is_empty() && !signature.is_empty()).then_some(end)
}
