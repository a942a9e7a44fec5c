//! Delivery status reports (RFC 3464 bounces): which addresses mail could
//! not reach, and which of apidesk's mails it was.

use mail_parser::{Message, MessageParser, MimeHeaders};

use crate::tickets::Bounce;

/// What a report says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// The addresses it says failed for good (a delay is not a failure).
    pub failures: Vec<Bounce>,
    /// The Message-IDs of the mail it reports on, from the copy it carries.
    pub about: Vec<String>,
}

/// The report `message` is, if it is one (`multipart/report` with a
/// `message/delivery-status` part).
pub fn read(message: &Message<'_>) -> Option<Report> {
    let status = message.parts.iter().find(|part| {
        part.content_type().is_some_and(|t| {
            t.ctype().eq_ignore_ascii_case("message")
                && t.subtype().is_some_and(|s| {
                    s.eq_ignore_ascii_case("delivery-status")
                        || s.eq_ignore_ascii_case("global-delivery-status")
                })
        })
    })?;
    let failures = failures(&String::from_utf8_lossy(status.contents()));
    let mut about = Vec::new();
    for part in &message.parts {
        let Some(kind) = part.content_type() else {
            continue;
        };
        let subtype = kind.subtype().unwrap_or_default().to_ascii_lowercase();
        match (kind.ctype().to_ascii_lowercase().as_str(), subtype.as_str()) {
            ("message", "rfc822" | "global") => {
                if let Some(id) = part.message().and_then(Message::message_id) {
                    about.push(id.to_string());
                }
            }
            ("text", "rfc822-headers") => {
                let headers = MessageParser::default().parse_headers(part.contents());
                if let Some(id) = headers.as_ref().and_then(Message::message_id) {
                    about.push(id.to_string());
                }
            }
            _ => {}
        }
    }
    Some(Report { failures, about })
}

/// The per-recipient groups of a `message/delivery-status` body whose
/// action is `failed`.
fn failures(text: &str) -> Vec<Bounce> {
    let mut found = Vec::new();
    for group in groups(text) {
        let field = |name: &str| {
            group
                .iter()
                .find(|(field, _)| field.eq_ignore_ascii_case(name))
                .map(|(_, value)| value.as_str())
        };
        if !field("Action").is_some_and(|a| a.trim().eq_ignore_ascii_case("failed")) {
            continue;
        }
        let Some(address) = field("Final-Recipient")
            .or_else(|| field("Original-Recipient"))
            .map(address_of)
            .filter(|a| a.contains('@'))
        else {
            continue;
        };
        found.push(Bounce {
            address,
            status: field("Status").unwrap_or_default().trim().to_string(),
            detail: field("Diagnostic-Code")
                .map(|d| after_type(d).to_string())
                .unwrap_or_default(),
        });
    }
    found
}

/// The field groups (separated by blank lines), each field's folded lines
/// joined.
fn groups(text: &str) -> Vec<Vec<(String, String)>> {
    let mut groups: Vec<Vec<(String, String)>> = vec![Vec::new()];
    for line in text.lines() {
        if line.trim().is_empty() {
            groups.push(Vec::new());
            continue;
        }
        let Some(group) = groups.last_mut() else {
            continue;
        };
        if line.starts_with([' ', '\t']) {
            if let Some((_, value)) = group.last_mut() {
                value.push(' ');
                value.push_str(line.trim());
            }
        } else if let Some((name, value)) = line.split_once(':') {
            group.push((name.trim().to_string(), value.trim().to_string()));
        }
    }
    groups.retain(|group: &Vec<(String, String)>| !group.is_empty());
    groups
}

/// `rfc822; pat@example.com` → `pat@example.com`.
fn address_of(value: &str) -> String {
    after_type(value).trim_matches(['<', '>', ' ']).to_string()
}

/// A typed field's value without its type (`smtp; 550 …` → `550 …`).
fn after_type(value: &str) -> &str {
    value.split_once(';').map_or(value, |(_, rest)| rest).trim()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_recipients_that_failed_are_failures() {
        let body = "Reporting-MTA: dns; mx.example.net\n\n\
                    Final-Recipient: rfc822; pat@example.com\nAction: failed\nStatus: 5.1.1\n\
                    Diagnostic-Code: smtp; 550 5.1.1 <pat@example.com>:\n  user unknown\n\n\
                    Final-Recipient: rfc822; sam@example.com\nAction: delayed\nStatus: 4.4.1\n";
        assert_eq!(
            failures(body),
            [Bounce {
                address: "pat@example.com".into(),
                status: "5.1.1".into(),
                detail: "550 5.1.1 <pat@example.com>: user unknown".into(),
            }]
        );
    }

    #[test]
    fn a_group_without_an_address_is_skipped() {
        assert!(failures("Action: failed\nStatus: 5.0.0\n").is_empty());
        assert!(failures("").is_empty());
    }
}
