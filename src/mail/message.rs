//! One outgoing mail as the caller describes it, and its MIME form.

use lettre::message::header::{self, Header, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};

/// A mail to send: the caller has rendered both bodies and chosen the ids.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingMessage {
    pub to: String,
    pub subject: String,
    /// Without the angle brackets: `abc123@help.example.com`.
    pub message_id: String,
    /// The message this one answers, without angle brackets.
    pub in_reply_to: Option<String>,
    /// The thread so far, oldest first, without angle brackets.
    pub references: Vec<String>,
    pub text: String,
    pub html: String,
}

/// Why a message cannot be built; retrying never helps.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum MessageError {
    #[error("the recipient {0:?} is not a mail address")]
    BadRecipient(String),
    #[error("{0:?} is not a message id like abc@example.com (no angle brackets or spaces)")]
    BadMessageId(String),
    #[error("the message cannot be put together: {0}")]
    Build(String),
}

/// `Auto-Submitted: auto-generated` (RFC 3834) on every mail apidesk sends,
/// so that well-behaved auto-responders do not answer it.
#[derive(Clone)]
struct AutoSubmitted;

impl Header for AutoSubmitted {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("Auto-Submitted")
    }

    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Self)
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "auto-generated".to_string())
    }
}

/// The recipient's mailbox, and the message as it goes on the wire: a
/// `multipart/alternative` of the text part, then the HTML part (clients
/// show the last one they can read).
pub(crate) fn build(
    from: &Mailbox,
    message: &OutgoingMessage,
) -> Result<(Mailbox, Vec<u8>), MessageError> {
    let to: Mailbox = message
        .to
        .trim()
        .parse()
        .map_err(|_| MessageError::BadRecipient(message.to.clone()))?;
    let mut builder = lettre::Message::builder()
        .from(from.clone())
        .to(to.clone())
        .subject(one_line(&message.subject))
        .message_id(Some(angle(&message.message_id)?))
        .date_now()
        .header(AutoSubmitted);
    if let Some(parent) = &message.in_reply_to {
        builder = builder.in_reply_to(angle(parent)?);
    }
    if !message.references.is_empty() {
        let ids = message
            .references
            .iter()
            .map(|id| angle(id))
            .collect::<Result<Vec<_>, _>>()?;
        // One header: setting it again would replace, not append.
        builder = builder.header(header::References::from(ids.join(" ")));
    }
    let body = MultiPart::alternative_plain_html(message.text.clone(), message.html.clone());
    let built = builder
        .multipart(body)
        .map_err(|err| MessageError::Build(err.to_string()))?;
    Ok((to, built.formatted()))
}

/// `<id>`, after checking the id could not break out of its header.
fn angle(id: &str) -> Result<String, MessageError> {
    let id = id.trim();
    let plausible = !id.is_empty()
        && id.len() <= 250
        && id.contains('@')
        && id
            .bytes()
            .all(|b| b.is_ascii_graphic() && b != b'<' && b != b'>');
    if plausible {
        Ok(format!("<{id}>"))
    } else {
        Err(MessageError::BadMessageId(id.to_string()))
    }
}

/// A subject is one line whatever the caller passed.
fn one_line(text: &str) -> String {
    text.split(char::is_control)
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message() -> OutgoingMessage {
        OutgoingMessage {
            to: "Dana <dana@example.com>".into(),
            subject: "Re: [#42] 401 from\r\nBcc: evil@example.com".into(),
            message_id: "m2.t42@help.example.com".into(),
            in_reply_to: Some("m1.t42@help.example.com".into()),
            references: vec![
                "m0.t42@help.example.com".into(),
                "m1.t42@help.example.com".into(),
            ],
            text: "Hello".into(),
            html: "<p>Hello</p>".into(),
        }
    }

    fn from() -> Mailbox {
        "apidesk <support@example.com>".parse().unwrap()
    }

    #[test]
    fn threading_headers_are_written_once_with_brackets() {
        let (to, raw) = build(&from(), &message()).unwrap();
        assert_eq!(to.email.to_string(), "dana@example.com");
        let raw = String::from_utf8(raw).unwrap();
        assert!(
            raw.contains("Message-ID: <m2.t42@help.example.com>\r\n"),
            "{raw}"
        );
        assert!(
            raw.contains("In-Reply-To: <m1.t42@help.example.com>\r\n"),
            "{raw}"
        );
        assert!(
            raw.contains("References: <m0.t42@help.example.com> <m1.t42@help.example.com>\r\n"),
            "{raw}"
        );
        assert!(raw.contains("Auto-Submitted: auto-generated\r\n"), "{raw}");
        // The subject's line break did not start a header of its own.
        assert!(!raw.contains("\r\nBcc:"), "{raw}");
    }

    #[test]
    fn ids_and_recipients_that_could_inject_are_refused() {
        for bad in ["", "no-at-sign", "<a@b>", "a@b\r\nBcc: x@y", "a b@c"] {
            let mut m = message();
            m.message_id = bad.into();
            assert_eq!(
                build(&from(), &m).unwrap_err(),
                MessageError::BadMessageId(bad.trim().into()),
                "{bad:?}"
            );
        }
        let mut m = message();
        m.to = "dana@example.com\r\nBcc: x@example.com".into();
        assert!(matches!(
            build(&from(), &m),
            Err(MessageError::BadRecipient(_))
        ));
    }
}
