//! HAR files, as browsers' developer tools save them: every request's
//! headers, cookies and URL, and bodies, of a whole session. They are
//! redacted by structure first (a header is known to be a header, a cookie
//! a cookie) and then, like any JSON, string by string.

use super::json::redact_node;
use super::query::{param_kind, redact_url};
use super::removals::Tally;
use super::tree::Node;
use crate::tickets::redact::{FieldPlace, SecretKind, is_marker, marker, secret_field};

const IN_URL: &str = "token in a URL";

/// A HAR is JSON whose top object holds `log.entries`; `log.version` and
/// `log.creator` are required by the format but left out by some tools.
pub(super) fn is_har(node: &Node) -> bool {
    matches!(
        node.get("log").and_then(|log| log.get("entries")),
        Some(Node::Array(_))
    )
}

pub(super) fn redact_har(node: &mut Node, tally: &mut Tally) {
    if let Some(entries) = node
        .get_mut("log")
        .and_then(|log| log.get_mut("entries"))
        .and_then(Node::as_array_mut)
    {
        for entry in entries {
            if let Some(request) = entry.get_mut("request") {
                redact_request(request, tally);
            }
            if let Some(response) = entry.get_mut("response") {
                redact_response(response, tally);
            }
        }
    }
    // Whatever the structure did not name (bodies, initiator stacks, page
    // titles that are URLs) is redacted as any JSON is.
    redact_node(node, tally);
}

fn redact_request(request: &mut Node, tally: &mut Tally) {
    redact_headers(request.get_mut("headers"), tally);
    redact_cookies(request.get_mut("cookies"), tally);
    redact_url_member(request, "url", tally);
    for param in items(request.get_mut("queryString")) {
        redact_pair(param, param_kind, IN_URL, tally);
    }
    if let Some(post) = request.get_mut("postData") {
        for param in items(post.get_mut("params")) {
            redact_pair(
                param,
                |name| param_kind(name).or_else(|| secret_field(name, FieldPlace::Member)),
                "form field",
                tally,
            );
        }
    }
}

fn redact_response(response: &mut Node, tally: &mut Tally) {
    redact_headers(response.get_mut("headers"), tally);
    redact_cookies(response.get_mut("cookies"), tally);
    redact_url_member(response, "redirectURL", tally);
    let Some(Node::Object(content)) = response.get_mut("content") else {
        return;
    };
    let base64 = content
        .iter()
        .any(|(k, v)| k == "encoding" && v.as_str() == Some("base64"));
    if base64 && content.iter().any(|(k, _)| k == "text") {
        // An encoded body (an image, a compressed payload) cannot be read
        // for credentials, so it is not kept.
        content.retain(|(k, _)| k != "text" && k != "encoding");
        tally.add("encoded response body", 1);
    }
}

fn items(node: Option<&mut Node>) -> impl Iterator<Item = &mut Node> {
    node.and_then(Node::as_array_mut).into_iter().flatten()
}

fn redact_url_member(node: &mut Node, key: &str, tally: &mut Tally) {
    if let Some(Node::String(url)) = node.get_mut(key)
        && let Some((clean, count)) = redact_url(url)
    {
        *url = clean;
        tally.add(IN_URL, count);
    }
}

/// A `{name, value}` pair whose name says its value is a credential.
fn redact_pair(
    pair: &mut Node,
    kind_of: impl Fn(&str) -> Option<SecretKind>,
    label: &str,
    tally: &mut Tally,
) {
    let Some(kind) = pair.get("name").and_then(Node::as_str).and_then(kind_of) else {
        return;
    };
    if let Some(value) = pair.get_mut("value") {
        replace(value, marker(kind), label, tally);
    }
}

/// Replaces a string value unless it is empty or was redacted before.
fn replace(value: &mut Node, with: String, label: &str, tally: &mut Tally) {
    if let Node::String(s) = value
        && !s.is_empty()
        && !is_marker(s)
        && *s != with
    {
        *s = with;
        tally.add(label, 1);
    }
}

fn redact_cookies(cookies: Option<&mut Node>, tally: &mut Tally) {
    for cookie in items(cookies) {
        if let Some(value) = cookie.get_mut("value") {
            replace(value, marker(SecretKind::Cookie), "cookie", tally);
        }
    }
}

fn redact_headers(headers: Option<&mut Node>, tally: &mut Tally) {
    for header in items(headers) {
        let Some(name) = header.get("name").and_then(Node::as_str).map(str::to_owned) else {
            continue;
        };
        let Some(value) = header.get_mut("value") else {
            continue;
        };
        match header_rule(&name) {
            Rule::Keep => {}
            Rule::Url => {
                if let Node::String(url) = value
                    && let Some((clean, count)) = redact_url(url)
                {
                    *url = clean;
                    tally.add(IN_URL, count);
                }
            }
            Rule::Secret(kind) => {
                let label = format!("{} header", canonical(&name));
                if let Node::String(s) = value {
                    let with = if kind == SecretKind::Authorization {
                        authorization(s)
                    } else {
                        marker(kind)
                    };
                    replace(value, with, &label, tally);
                }
            }
        }
    }
}

enum Rule {
    Keep,
    /// The value is a URL or path whose query may carry credentials.
    Url,
    Secret(SecretKind),
}

fn header_rule(name: &str) -> Rule {
    let lower = name.to_ascii_lowercase();
    match lower.as_str() {
        ":path" | "referer" | "location" | "content-location" => return Rule::Url,
        // HTTP/2's pseudo-headers (`:authority` is the host), and a
        // server's challenge, which names what was wrong with a credential
        // and holds none: the clue a 401 is diagnosed by.
        n if n.starts_with(':') => return Rule::Keep,
        "www-authenticate" | "proxy-authenticate" => return Rule::Keep,
        _ => {}
    }
    if let Some(kind) = secret_field(name, FieldPlace::Header) {
        return Rule::Secret(kind);
    }
    const WORDS: [(&str, SecretKind); 7] = [
        ("token", SecretKind::Token),
        ("secret", SecretKind::Secret),
        ("password", SecretKind::Password),
        ("signature", SecretKind::Signature),
        ("session", SecretKind::Session),
        ("auth", SecretKind::Authorization),
        ("key", SecretKind::Key),
    ];
    WORDS
        .iter()
        .find(|(word, _)| lower.contains(word))
        .map_or(Rule::Keep, |&(_, kind)| Rule::Secret(kind))
}

/// `Bearer <token>` keeps its scheme: whether a client sent Bearer or
/// Basic is often the whole answer to its 401.
fn authorization(value: &str) -> String {
    let trimmed = value.trim();
    let Some((scheme, rest)) = trimmed.split_once(' ') else {
        return marker(SecretKind::Authorization);
    };
    let kind = match scheme.to_ascii_lowercase().as_str() {
        "bearer" => SecretKind::BearerToken,
        "basic" => SecretKind::BasicAuth,
        "token" => SecretKind::Token,
        _ => SecretKind::Authorization,
    };
    if is_marker(rest.trim()) {
        return value.to_owned();
    }
    if scheme
        .bytes()
        .all(|c| c.is_ascii_alphanumeric() || c == b'-')
    {
        format!("{scheme} {}", marker(kind))
    } else {
        marker(SecretKind::Authorization)
    }
}

/// `x-api-key` → `X-Api-Key`, so that HTTP/1 and HTTP/2 spellings of one
/// header are counted together.
fn canonical(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut upper = true;
    for c in name.chars() {
        out.extend(if upper {
            c.to_uppercase().collect::<Vec<_>>()
        } else {
            c.to_lowercase().collect()
        });
        upper = c == '-';
    }
    out
}

#[cfg(test)]
mod tests;
