//! A person's mail that answers nothing apidesk sent, as a new ticket (only
//! when `--mail-new-tickets` is on). It holds what the mail says: its words
//! as the message, the code and method when the words name them as a pasted
//! error does, and the first http(s) URL as the endpoint. Nothing is made
//! up: what the mail does not say (always the time and the tool) is left
//! missing and asked for, by the confirmation mail, through the ticket's
//! page.

use uuid::Uuid;

use crate::domain::{ErrorCode, Zone};
use crate::kb::diagnose;
use crate::tickets::redact::redact;
use crate::tickets::{
    Detail, Environment, MAX_MESSAGE_CHARS, NewTicket, Wanted, check_email, check_endpoint,
};

/// The ticket a mail opens, or why it cannot open one.
pub(super) fn ticket_from_mail(
    sender: &str,
    sender_name: &str,
    subject: &str,
    words: &str,
) -> Result<NewTicket, &'static str> {
    if check_email(sender).is_err() {
        return Err("its sender's address cannot be answered");
    }
    // Credentials are taken out before anything is read or kept.
    let message = redact(&message(subject, words)).text;
    if message.is_empty() {
        return Err("it says nothing");
    }
    let diagnosis = diagnose(&message);
    let endpoint = first_url(words)
        .map(|url| redact(&url).text)
        .unwrap_or_default();
    let mut wanted = vec![Detail::OccurredAt, Detail::Tool];
    if diagnosis.code.is_none() {
        wanted.push(Detail::ErrorCode);
    }
    if diagnosis.method.is_none() {
        wanted.push(Detail::Method);
    }
    if endpoint.is_empty() {
        wanted.push(Detail::Endpoint);
    }
    Ok(NewTicket {
        submission_id: Uuid::new_v4(),
        error_code: diagnosis.code.unwrap_or(ErrorCode::Other),
        message,
        endpoint,
        method: diagnosis.method,
        occurred_at: None,
        time_zone: Zone::utc(),
        tool: None,
        recent_changes: String::new(),
        environment: Environment::Unsure,
        name: sender_name.to_string(),
        email: sender.to_string(),
        path: Vec::new(),
        wanted: Wanted::new(wanted),
        usage: None,
    })
}

/// The subject, then the words, within the form's limit for a message.
fn message(subject: &str, words: &str) -> String {
    let words = words.trim();
    let text = match subject.trim() {
        "" => words.to_string(),
        subject if words.is_empty() => subject.to_string(),
        subject => format!("{subject}\n\n{words}"),
    };
    match text.char_indices().nth(MAX_MESSAGE_CHARS) {
        Some((at, _)) => text[..at].trim_end().to_string(),
        None => text,
    }
}

/// The first whitespace-separated http(s) URL the endpoint rules accept,
/// without the punctuation prose puts around it ("<…>", "(…)", "….").
fn first_url(words: &str) -> Option<String> {
    words
        .split_whitespace()
        .filter_map(|word| {
            let start = word.to_ascii_lowercase().find("http")?;
            let url = word[start..].trim_end_matches(|c: char| {
                matches!(
                    c,
                    '>' | ')' | ']' | '"' | '\'' | ',' | '.' | ';' | ':' | '!' | '?'
                )
            });
            Some(url.to_string())
        })
        .find(|url| check_endpoint(url).is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::HttpMethod;

    #[test]
    fn a_pasted_error_fills_the_code_method_and_endpoint() {
        let ticket = ticket_from_mail(
            "pat@example.com",
            "Pat Doe",
            "Our sync is broken",
            "Since this morning every run stops with\n\
             HTTP GET failed: unauthorized (401)\n\
             calling <https://api.example.com/openapi/apps?page=2>.",
        )
        .unwrap();
        assert_eq!(ticket.error_code, ErrorCode::Unauthorized);
        assert_eq!(ticket.method, Some(HttpMethod::Get));
        assert_eq!(
            ticket.endpoint,
            "https://api.example.com/openapi/apps?page=2"
        );
        assert_eq!(ticket.wanted.to_text(), "occurred_at,tool");
        assert_eq!(ticket.occurred_at, None);
        assert_eq!(ticket.tool, None);
        assert_eq!(ticket.name, "Pat Doe");
        assert!(
            ticket
                .message
                .starts_with("Our sync is broken\n\nSince this morning")
        );
    }

    #[test]
    fn prose_without_an_error_asks_for_every_detail() {
        let ticket =
            ticket_from_mail("pat@example.com", "", "Help", "Nothing works since Monday.").unwrap();
        assert_eq!(ticket.error_code, ErrorCode::Other);
        assert_eq!(
            ticket.wanted.to_text(),
            "error_code,endpoint,method,occurred_at,tool"
        );
        assert_eq!(ticket.endpoint, "");
        assert_eq!(ticket.environment, Environment::Unsure);
    }

    #[test]
    fn senders_that_cannot_be_answered_open_nothing() {
        assert!(ticket_from_mail("", "", "Help", "words").is_err());
        assert!(ticket_from_mail("root@localhost", "", "Help", "words").is_err());
        assert!(ticket_from_mail("pat@example.com", "", " ", "\n").is_err());
    }

    #[test]
    fn the_message_keeps_to_the_form_limit() {
        let words = "x".repeat(MAX_MESSAGE_CHARS + 50);
        let ticket = ticket_from_mail("pat@example.com", "", "Subject", &words).unwrap();
        assert_eq!(ticket.message.chars().count(), MAX_MESSAGE_CHARS);
    }

    #[test]
    fn credentials_in_the_mail_are_taken_out_of_the_message_and_endpoint() {
        let ticket = ticket_from_mail(
            "pat@example.com",
            "",
            "401 again",
            "GET https://api.example.com/v1/apps?access_token=8f3kLq2ZxW9vT4mN7pR1sY6u failed\n\
             Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
        )
        .unwrap();
        assert_eq!(
            ticket.endpoint,
            "https://api.example.com/v1/apps?access_token=[redacted access_token]"
        );
        assert!(!ticket.message.contains("8f3kLq2"), "{}", ticket.message);
        assert!(!ticket.message.contains("eyJhbGci"), "{}", ticket.message);
        assert!(ticket.message.contains("Bearer [redacted bearer_token]"));
    }

    #[test]
    fn only_urls_the_endpoint_rules_accept_are_taken() {
        assert_eq!(
            first_url("see http:// and (https://a.example/x)."),
            Some("https://a.example/x".into())
        );
        assert_eq!(first_url("no links, only /paths/12 here"), None);
    }
}
