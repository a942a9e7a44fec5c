//! One received message, read once: who sent it, which of apidesk's mails it
//! answers, whether a machine sent it, and the new words in it.

use mail_parser::{HeaderValue, Message, MessageParser};
use sha2::{Digest, Sha256};

use super::automatic::automatic;
use super::files::files;
use super::report::{self, Report};
use super::trim::new_words;
use crate::attachments::Upload;
use crate::tickets::{MAX_EVENT_BODY_CHARS, clean_text, without_hidden_controls};

/// The largest message taken, whichever way it comes; anything larger is
/// refused unread.
pub const MAX_INBOUND_BYTES: usize = 10 * 1024 * 1024;

/// Bounds on what is kept of a message's headers, whatever a sender writes:
/// the longest address there can be, a subject a page can show, and an id
/// as long as a mail's line may be.
const MAX_ADDRESS_CHARS: usize = 254;
const MAX_SUBJECT_CHARS: usize = 300;
const MAX_NAME_CHARS: usize = 200;
const MAX_ID_BYTES: usize = 998;

/// `text`, cut to `max` characters with an ellipsis when longer.
fn clip(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        None => text.to_string(),
        Some((at, _)) => format!("{}…", &text[..at]),
    }
}

/// How many of apidesk's own Message-IDs a message's headers are searched
/// for, newest first.
const MAX_KEYS: usize = 20;

/// A received message, as far as apidesk cares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Received {
    /// Its Message-ID, or `sha256:` and a hash of the bytes when it has none.
    pub message_id: String,
    /// The From address, or '' when there is none.
    pub sender: String,
    /// The name the From header gives with the address, or ''.
    pub sender_name: String,
    pub subject: String,
    /// The keys of apidesk's own Message-IDs it answers, newest last.
    pub answers: Vec<String>,
    pub kind: Kind,
    /// What a person's mail attached or showed inline, not yet inspected;
    /// nothing for a machine's.
    pub files: Vec<Upload>,
}

/// What sort of mail it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// A delivery status report.
    Report(Report),
    /// Sent by a machine, for this reason.
    Automatic(String),
    /// Written by a person: their new words, quoted history and signature
    /// trimmed ('' when nothing new is left).
    Person { words: String },
}

/// Why a message could not be read at all.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum Unreadable {
    #[error("the message is larger than {} MiB", MAX_INBOUND_BYTES / 1024 / 1024)]
    TooLarge,
    #[error("the message has no headers")]
    NotMail,
}

/// Reads one RFC 5322 message. CPU-bound and linear in its size: callers on
/// the async runtime run it with `spawn_blocking`.
pub fn read(raw: &[u8]) -> Result<Received, Unreadable> {
    if raw.len() > MAX_INBOUND_BYTES {
        return Err(Unreadable::TooLarge);
    }
    let message = MessageParser::default()
        .parse(raw)
        // Lenient parsers find "headers" in anything: mail names its sender
        // or carries an id.
        .filter(|m| m.from().is_some() || m.message_id().is_some())
        .ok_or(Unreadable::NotMail)?;
    let report = report::read(&message);
    let mut answers = ids(message.references());
    answers.extend(ids(message.in_reply_to()));
    if let Some(report) = &report {
        answers.extend(report.about.iter().cloned());
    }
    // The newest few are enough (a thread's latest mail is last), and keep
    // the work bounded however many ids a sender lists.
    let mut keys: Vec<String> = Vec::new();
    for key in answers.iter().rev().filter_map(|id| our_key(id)) {
        if !keys.contains(&key) {
            keys.push(key);
        }
        if keys.len() == MAX_KEYS {
            break;
        }
    }
    keys.reverse();
    let kind = match report {
        Some(report) => Kind::Report(report),
        None => match automatic(&message) {
            Some(reason) => Kind::Automatic(reason),
            None => Kind::Person {
                words: words(&message),
            },
        },
    };
    let files = match kind {
        Kind::Person { .. } => files(&message),
        _ => Vec::new(),
    };
    let hashed = |bytes: &[u8]| format!("sha256:{}", hex::encode(Sha256::digest(bytes)));
    let from = message.from().and_then(|from| from.first());
    Ok(Received {
        // Kept as the key that makes a message count once: a header of any
        // length from anyone becomes a key of bounded size.
        message_id: match message.message_id() {
            Some(id) if id.len() <= MAX_ID_BYTES => id.to_string(),
            Some(id) => hashed(id.as_bytes()),
            None => hashed(raw),
        },
        sender: clip(
            without_hidden_controls(from.and_then(|addr| addr.address()).unwrap_or_default())
                .trim(),
            MAX_ADDRESS_CHARS,
        ),
        sender_name: clip(
            without_hidden_controls(from.and_then(|addr| addr.name()).unwrap_or_default()).trim(),
            MAX_NAME_CHARS,
        ),
        subject: clip(
            without_hidden_controls(message.subject().unwrap_or_default()).trim(),
            MAX_SUBJECT_CHARS,
        ),
        answers: keys,
        kind,
        files,
    })
}

/// The Message-IDs a header lists.
fn ids(value: &HeaderValue<'_>) -> Vec<String> {
    match value {
        HeaderValue::Text(id) => vec![id.to_string()],
        HeaderValue::TextList(ids) => ids.iter().map(ToString::to_string).collect(),
        _ => Vec::new(),
    }
}

/// The key of one of apidesk's own Message-IDs (`apidesk.` and 32 random hex
/// digits before the `@`): the only thing a reply is matched by.
fn our_key(id: &str) -> Option<String> {
    let id = id.trim().trim_matches(['<', '>']);
    let (key, _domain) = id.split_once('@')?;
    let random = key.strip_prefix("apidesk.")?;
    (random.len() == 32 && random.bytes().all(|b| b.is_ascii_hexdigit())).then(|| key.to_string())
}

/// The person's new words: the plain-text body (or the HTML one turned into
/// text), trimmed of history, and cut to what one timeline entry holds.
fn words(message: &Message<'_>) -> String {
    let body = message.body_text(0).unwrap_or_default();
    let words = new_words(&clean_text(&body));
    let total = words.chars().count();
    if total <= MAX_EVENT_BODY_CHARS {
        return words;
    }
    let note = format!("\n\n[… the rest of this mail was cut: {total} characters in all]");
    let keep = MAX_EVENT_BODY_CHARS - note.chars().count();
    let mut cut: String = words.chars().take(keep).collect();
    cut.push_str(&note);
    cut
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_apidesks_own_ids_are_keys() {
        let key = format!("apidesk.{}", "a1".repeat(16));
        assert_eq!(
            our_key(&format!("<{key}@support.example.com>")),
            Some(key.clone())
        );
        assert_eq!(our_key(&format!("{key}@other.example")), Some(key));
        for other in [
            "apidesk.guess@support.example.com",
            "CAF=abc@mail.gmail.com",
            "apidesk.zz1@x",
            "no-at-sign",
        ] {
            assert_eq!(our_key(other), None, "{other}");
        }
    }

    #[test]
    fn only_the_newest_of_many_keys_are_kept_in_their_order() {
        let key = |n: usize| format!("apidesk.{n:032x}");
        let references: Vec<String> = (0..50_000)
            .map(|n| format!("<{}@x.example>", key(n)))
            .collect();
        let raw = format!(
            "From: a@b.example\r\nMessage-ID: <m@b.example>\r\nReferences: {}\r\n\
             In-Reply-To: <{}@x.example>\r\n\r\nhi",
            references.join(" "),
            key(49_999)
        );
        let read = read(raw.as_bytes()).unwrap();
        let expected: Vec<String> = (49_980..50_000).map(key).collect();
        assert_eq!(read.answers, expected);
    }

    #[test]
    fn headers_of_any_length_are_kept_bounded() {
        let raw = format!(
            "From: {}@example.com\r\nSubject: {}\r\nMessage-ID: <{}@example.com>\r\n\r\nhi",
            "a".repeat(5_000),
            "é".repeat(5_000),
            "i".repeat(5_000)
        );
        let read = read(raw.as_bytes()).unwrap();
        assert_eq!(read.sender.chars().count(), MAX_ADDRESS_CHARS + 1);
        assert_eq!(read.subject.chars().count(), MAX_SUBJECT_CHARS + 1);
        assert!(read.subject.ends_with('…'));
        assert!(read.message_id.starts_with("sha256:") && read.message_id.len() == 71);
        let again = super::read(raw.as_bytes()).unwrap();
        assert_eq!(
            again.message_id, read.message_id,
            "the same message, the same key"
        );
    }

    #[test]
    fn too_large_or_headerless_input_is_not_read() {
        assert_eq!(
            read(&vec![b'a'; MAX_INBOUND_BYTES + 1]),
            Err(Unreadable::TooLarge)
        );
        assert_eq!(read(b""), Err(Unreadable::NotMail));
    }

    #[test]
    fn a_long_mail_is_cut_to_one_entry_and_says_so() {
        let raw = format!(
            "From: pat@example.com\r\nSubject: log\r\n\r\n{}",
            "x".repeat(MAX_EVENT_BODY_CHARS * 2)
        );
        let read = read(raw.as_bytes()).unwrap();
        let Kind::Person { words } = read.kind else {
            panic!("{:?}", read.kind)
        };
        assert_eq!(words.chars().count(), MAX_EVENT_BODY_CHARS);
        assert!(words.ends_with("characters in all]"));
    }
}
