//! The files a person's mail carries: its attachments, and the images it
//! shows inline (parts with a Content-ID that the HTML body points at), as
//! they arrived. `Ingest` has each inspected as a file from the ticket form
//! would be, and keeps what passes with the event the mail writes.
//!
//! Inline images under `MIN_INLINE_IMAGE_BYTES` are left out unread: at
//! that size they are signature logos, social icons and tracking pixels,
//! never the screenshot someone meant to send, and keeping them would fill
//! a ticket's file limit with the same logo on every reply.

use mail_parser::{Message, MessagePart, MimeHeaders};

use crate::attachments::Upload;

/// The smallest inline image kept.
pub const MIN_INLINE_IMAGE_BYTES: usize = 2 * 1024;

/// The files of `message`, in the order it holds them.
pub(super) fn files(message: &Message<'_>) -> Vec<Upload> {
    message
        .attachments()
        .enumerate()
        .filter(|(_, part)| !part.is_multipart() && !is_decoration(part))
        .map(|(n, part)| Upload {
            name: name(part, n + 1),
            bytes: part.contents().to_vec(),
        })
        .collect()
}

/// A small image shown in the body rather than attached.
fn is_decoration(part: &MessagePart<'_>) -> bool {
    let image = part
        .content_type()
        .is_some_and(|ct| ct.ctype().eq_ignore_ascii_case("image"));
    let attached = part
        .content_disposition()
        .is_some_and(|disposition| disposition.is_attachment());
    image && !attached && part.len() < MIN_INLINE_IMAGE_BYTES
}

/// The name the sender gave; an unnamed inline image or forwarded mail is
/// named by its place, since its Content-ID means nothing to a reader.
fn name(part: &MessagePart<'_>, n: usize) -> String {
    if let Some(name) = part.attachment_name().filter(|n| !n.trim().is_empty()) {
        return name.to_string();
    }
    if part.is_message() {
        return format!("forwarded-mail-{n}.eml");
    }
    let sub = part
        .content_type()
        .and_then(|ct| ct.subtype())
        .unwrap_or("bin")
        .to_ascii_lowercase();
    format!("attachment-{n}.{sub}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use mail_parser::MessageParser;

    #[test]
    fn attachments_and_inline_images_are_taken_but_not_tiny_logos() {
        let big = "A".repeat(4000);
        let raw = format!(
            "From: pat@example.com\r\nSubject: x\r\nMIME-Version: 1.0\r\n\
             Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n\
             --b1\r\nContent-Type: multipart/related; boundary=\"b2\"\r\n\r\n\
             --b2\r\nContent-Type: text/html\r\n\r\n<p>see <img src=\"cid:shot\"><img src=\"cid:logo\"></p>\r\n\
             --b2\r\nContent-Type: image/png\r\nContent-ID: <shot>\r\nContent-Transfer-Encoding: base64\r\n\r\n{big}\r\n\
             --b2\r\nContent-Type: image/gif\r\nContent-ID: <logo>\r\nContent-Transfer-Encoding: base64\r\n\r\nR0lGODlhAQABAAAAACw=\r\n\
             --b2--\r\n\
             --b1\r\nContent-Type: text/plain; name=\"run.log\"\r\nContent-Disposition: attachment; filename=\"run.log\"\r\n\r\nline one\r\n\
             --b1--\r\n"
        );
        let message = MessageParser::default().parse(raw.as_bytes()).unwrap();
        let names: Vec<String> = files(&message).into_iter().map(|f| f.name).collect();
        assert_eq!(names, ["attachment-1.png", "run.log"]);
    }
}
