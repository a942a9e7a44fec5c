//! JSON payloads: a member named like a credential loses its value; every
//! other string is redacted as ticket text is.

use super::removals::Tally;
use super::tree::Node;
use crate::tickets::redact::{FieldPlace, is_marker, marker, redact, secret_field};

/// JSON held in a string (a logged request body, a HAR response) is
/// redacted as JSON to this depth, then as text. Each level escapes the
/// one inside it, so real documents never come near it.
const MAX_EMBEDDED: u8 = 3;

/// Redacts `node` in place, adding what went to `tally`.
pub(super) fn redact_node(node: &mut Node, tally: &mut Tally) {
    walk(node, tally, 0);
}

fn walk(node: &mut Node, tally: &mut Tally, embedded: u8) {
    match node {
        Node::Object(members) => {
            for (key, value) in members {
                match secret_field(key, FieldPlace::Member) {
                    Some(kind) => match value {
                        Node::String(s) if s.is_empty() || is_marker(s) => {}
                        Node::String(_) | Node::Number(_) => {
                            *value = Node::String(marker(kind));
                            tally.add(kind.name(), 1);
                        }
                        // `"session": {"id": …}`: its own members are judged
                        // by their names. A flag or null carries no secret.
                        _ => walk(value, tally, embedded),
                    },
                    None => walk(value, tally, embedded),
                }
            }
        }
        Node::Array(items) => {
            for item in items {
                walk(item, tally, embedded);
            }
        }
        Node::String(s) => redact_string(s, tally, embedded),
        Node::Null | Node::Bool(_) | Node::Number(_) => {}
    }
}

/// Redacts one string value: as JSON when it holds a document, else as
/// text. A string is rewritten only when something was found in it, so an
/// embedded document that was clean keeps its own layout.
pub(super) fn redact_string(s: &mut String, tally: &mut Tally, embedded: u8) {
    if embedded < MAX_EMBEDDED
        && let Some(mut inner) = Node::parse(s)
    {
        let mut found = Tally::default();
        walk(&mut inner, &mut found, embedded + 1);
        let found = found.into_vec();
        if !found.is_empty() {
            *s = inner.to_compact();
            tally.merge(found);
        }
        return;
    }
    let redacted = redact(s);
    if !redacted.is_clean() {
        tally.add_kinds(&redacted.removed);
        *s = redacted.text;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attachments::Removal;

    fn run(text: &str) -> (String, Vec<Removal>) {
        let mut node = Node::parse(text).expect("parses");
        let mut tally = Tally::default();
        redact_node(&mut node, &mut tally);
        (node.to_compact(), tally.into_vec())
    }

    #[test]
    fn credential_members_lose_their_values_whatever_the_spelling() {
        let (out, removed) = run(
            r#"{"Client-Secret":"cs_live_123","user":{"PASSWORD":"hunter2","name":"Ann"},"X-API-KEY":"k1","pin":1234,"apiKey":98765,"token":null,"cookie":""}"#,
        );
        assert_eq!(
            out,
            r#"{"Client-Secret":"[redacted client_secret]","user":{"PASSWORD":"[redacted password]","name":"Ann"},"X-API-KEY":"[redacted api_key]","pin":1234,"apiKey":"[redacted api_key]","token":null,"cookie":""}"#
        );
        assert_eq!(removed.len(), 3);
    }

    #[test]
    fn other_strings_go_through_text_redaction() {
        let (out, removed) = run(
            r#"["curl -H 'Authorization: Bearer abcdefghijklmnopqrstuvwxyz012345' https://x", "key is fine"]"#,
        );
        assert!(!out.contains("abcdefghijklmnopqrstuvwxyz012345"), "{out}");
        assert_eq!(removed[0].what, "bearer_token");
    }

    #[test]
    fn embedded_documents_are_redacted_as_json() {
        let (out, removed) = run(
            r#"{"body":"{\"client_secret\":\"s3cr3t-value\",\"n\":1}","plain":"{\"ok\": true}"}"#,
        );
        assert!(!out.contains("s3cr3t-value"));
        assert!(
            out.contains(r#""plain":"{\"ok\": true}""#),
            "a clean document keeps its layout: {out}"
        );
        assert_eq!(removed[0].what, "client_secret");
    }

    #[test]
    fn redacting_twice_finds_nothing_new() {
        let (once, _) = run(
            r#"{"password":"p","nested":{"refresh_token":"r"},"log":"token=abcdef0123456789abcdef"}"#,
        );
        let (twice, removed) = run(&once);
        assert_eq!(once, twice);
        assert!(removed.is_empty(), "{removed:?}");
    }
}
