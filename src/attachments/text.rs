//! Text-like files: logs, plain text, CSV, JSON and HAR. Their credentials
//! are removed as a ticket's are; what comes out is UTF-8.

use super::FileKind;
use super::har::{is_har, redact_har};
use super::json::redact_node;
use super::removals::Tally;
use super::tree::Node;
use crate::tickets::redact::redact;

/// Redacts `text` and says what it turned out to be. JSON is told by
/// parsing, once; a file that looks like JSON but does not parse is kept
/// as text, whose redaction reads `"name": "value"` pairs as well.
pub(super) fn inspect_text(text: &str, name: &str, tally: &mut Tally) -> (FileKind, Vec<u8>) {
    if let Some(mut node) = Node::parse(text) {
        let kind = if is_har(&node) {
            redact_har(&mut node, tally);
            FileKind::Har
        } else {
            redact_node(&mut node, tally);
            FileKind::Json
        };
        return (kind, node.to_pretty());
    }
    let redacted = redact(text);
    tally.add_kinds(&redacted.removed);
    // CSV by name only: a comma-count heuristic would also call half of
    // all logs CSV, and both are served as text either way.
    let csv = name
        .rsplit_once('.')
        .is_some_and(|(_, ext)| ext.eq_ignore_ascii_case("csv"));
    let kind = if csv { FileKind::Csv } else { FileKind::Text };
    (kind, redacted.text.into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str, name: &str) -> (FileKind, String, Vec<(String, usize)>) {
        let mut tally = Tally::default();
        let (kind, bytes) = inspect_text(text, name, &mut tally);
        let removed = tally
            .into_vec()
            .into_iter()
            .map(|r| (r.what, r.count))
            .collect();
        (kind, String::from_utf8(bytes).expect("utf-8"), removed)
    }

    const LOG: &str = include_str!("../../tests/fixtures/attachments/integration.log");
    const LOG_SECRETS: [&str; 5] = [
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9",
        "sk_live_51HqLyjWDarjtT1zdp7dcXyQ2mBv",
        "9f8e7d6c5b4a39281706f5e4d3c2b1a0",
        "Tr0ub4dor_3x",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    ];

    #[test]
    fn a_job_log_loses_every_credential() {
        for secret in LOG_SECRETS {
            assert!(LOG.contains(secret), "fixture holds {secret}");
        }
        let (kind, out, removed) = run(LOG, "workato-job-4412.log");
        assert_eq!(kind, FileKind::Text);
        for secret in LOG_SECRETS {
            assert!(!out.contains(secret), "{secret} left in:\n{out}");
        }
        assert!(
            out.contains("GET https://api.example-saas.com/v2/customers"),
            "{out}"
        );
        let total: usize = removed.iter().map(|(_, n)| n).sum();
        assert!(total >= LOG_SECRETS.len(), "{removed:?}");
        assert!(
            removed.iter().any(|(what, _)| what == "password"),
            "{removed:?}"
        );
        let (_, again, removed_again) = run(&out, "workato-job-4412.log");
        assert_eq!(again, out);
        assert!(removed_again.is_empty(), "{removed_again:?}");
    }

    #[test]
    fn csv_by_name_json_and_har_by_parsing() {
        assert_eq!(run("a,b\n1,2\n", "Export.CSV").0, FileKind::Csv);
        assert_eq!(run("a,b\n1,2\n", "export.txt").0, FileKind::Text);
        assert_eq!(run(r#"{"a":1}"#, "x.txt").0, FileKind::Json);
        assert_eq!(run(r#"{"log":{"entries":[]}}"#, "x.json").0, FileKind::Har);
        assert_eq!(run(r#"{"log":{"entries":{}}}"#, "x.har").0, FileKind::Json);
        assert_eq!(run("{ not json", "x.json").0, FileKind::Text);
    }

    #[test]
    fn json_is_written_back_pretty_in_its_own_order() {
        let (_, out, removed) = run(r#"{"z":1,"password":"p4ss","a":2}"#, "x.json");
        assert_eq!(
            out,
            "{\n  \"z\": 1,\n  \"password\": \"[redacted password]\",\n  \"a\": 2\n}"
        );
        assert_eq!(removed, [("password".to_owned(), 1)]);
    }
}
