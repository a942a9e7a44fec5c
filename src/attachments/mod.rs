//! Files people attach: screenshots, logs, HAR files, JSON payloads.
//!
//! Every file goes through [`inspect`] before anything keeps it: its type
//! is decided from its content (never its name or declared type) against
//! an allow-list; text-like files lose their credentials as ticket text
//! does, HAR files header by header; images are decoded and encoded again,
//! which leaves their metadata (EXIF, GPS) behind; zip files are opened,
//! bounded, and packed again from their inspected members. What comes out
//! is what is stored and served. `inspect` is CPU work: callers run it off
//! the async workers (`tokio::task::spawn_blocking`).

use std::fmt;

/// The most a person may attach, set by the deployment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The largest one file may be, as sent.
    pub max_file_bytes: usize,
    /// The most all of one ticket's files may hold together, as stored.
    pub max_ticket_bytes: u64,
    /// How many files one ticket may hold.
    pub max_ticket_files: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_file_bytes: 10 * 1024 * 1024,
            max_ticket_bytes: 25 * 1024 * 1024,
            max_ticket_files: 20,
        }
    }
}

/// A file as it arrived.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upload {
    /// The name the sender gave, untrusted (it may hold path separators or
    /// control characters).
    pub name: String,
    pub bytes: Vec<u8>,
}

/// What a file is, decided from its content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FileKind {
    Png,
    Jpeg,
    Gif,
    Webp,
    Pdf,
    /// Plain text or a log.
    Text,
    Csv,
    Json,
    Har,
    Zip,
}

impl FileKind {
    pub const ALL: [Self; 10] = [
        Self::Png,
        Self::Jpeg,
        Self::Gif,
        Self::Webp,
        Self::Pdf,
        Self::Text,
        Self::Csv,
        Self::Json,
        Self::Har,
        Self::Zip,
    ];

    /// Its name in the database and the API.
    pub fn name(self) -> &'static str {
        match self {
            Self::Png => "png",
            Self::Jpeg => "jpeg",
            Self::Gif => "gif",
            Self::Webp => "webp",
            Self::Pdf => "pdf",
            Self::Text => "text",
            Self::Csv => "csv",
            Self::Json => "json",
            Self::Har => "har",
            Self::Zip => "zip",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.name() == name)
    }

    /// The `Content-Type` it is served with.
    pub fn media_type(self) -> &'static str {
        match self {
            Self::Png => "image/png",
            Self::Jpeg => "image/jpeg",
            Self::Gif => "image/gif",
            Self::Webp => "image/webp",
            Self::Pdf => "application/pdf",
            Self::Text => "text/plain; charset=utf-8",
            Self::Csv => "text/csv; charset=utf-8",
            Self::Json | Self::Har => "application/json",
            Self::Zip => "application/zip",
        }
    }

    pub fn is_image(self) -> bool {
        matches!(self, Self::Png | Self::Jpeg | Self::Gif | Self::Webp)
    }

    /// Whether it is UTF-8 text that a page may show, escaped.
    pub fn is_text(self) -> bool {
        matches!(self, Self::Text | Self::Csv | Self::Json | Self::Har)
    }
}

/// One kind of thing taken out of a file, and how many.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Removal {
    /// In words: "Authorization header", "cookie", "token in a URL",
    /// "access_token", "image metadata (EXIF)".
    pub what: String,
    pub count: usize,
}

/// A file made safe to keep.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inspected {
    /// The name to show: the sender's, without any path, control or
    /// direction characters, never empty, at most `MAX_NAME_CHARS`.
    pub name: String,
    pub kind: FileKind,
    /// What is stored and served.
    pub bytes: Vec<u8>,
    /// For images: a small PNG for the ticket page.
    pub thumbnail: Option<Vec<u8>>,
    /// What was taken out, in the order first found.
    pub removed: Vec<Removal>,
}

/// Why a file is not kept, in words for the person who sent it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refused {
    Empty,
    TooLarge {
        limit: usize,
    },
    /// Content of a type outside the allow-list: what it looks like, if known.
    NotAllowed {
        looks_like: Option<&'static str>,
    },
    /// An image that does not decode, or is larger than may be decoded.
    BadImage,
    /// A zip that nests deeper, holds more, or unpacks larger than allowed,
    /// is encrypted, or is damaged.
    BadZip {
        why: &'static str,
    },
    /// A zip member that is refused itself.
    InZip {
        member: String,
        why: Box<Refused>,
    },
    /// The virus scanner could not be asked (`--clamav` is set, so a file
    /// it has not checked is not kept).
    NotChecked,
    /// The virus scanner found something.
    Infected {
        signature: String,
    },
}

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => f.write_str("the file is empty"),
            Self::TooLarge { limit } => {
                write!(f, "the file is larger than {}", size_text(*limit as u64))
            }
            Self::NotAllowed { looks_like: Some(what) } => write!(
                f,
                "it looks like {what}, which apidesk does not accept; attach images, PDF, text, logs, JSON, HAR, CSV or a zip of those"
            ),
            Self::NotAllowed { looks_like: None } => f.write_str(
                "apidesk accepts images, PDF, text, logs, JSON, HAR, CSV or a zip of those, and this is none of them",
            ),
            Self::BadImage => f.write_str("the image cannot be read, or is too large to open"),
            Self::BadZip { why } => write!(f, "the zip file {why}"),
            Self::InZip { member, why } => write!(f, "{member} inside the zip: {why}"),
            Self::NotChecked => f.write_str(NOT_CHECKED),
            Self::Infected { signature } => write!(f, "the virus scanner found {signature} in it"),
        }
    }
}

/// The longest a shown file name may be.
pub const MAX_NAME_CHARS: usize = 120;

mod admit;
mod archive;
mod har;
mod image;
mod inspect;
mod json;
mod name;
mod query;
mod removals;
mod scan;
mod sniff;
mod stored;
mod text;
mod tree;

pub use admit::{NotKept, Rules, admit};
pub use inspect::inspect;
pub use name::display_name;
pub use scan::{
    CHUNK_BYTES, ClamavAddress, DEFAULT_SCAN_TIMEOUT, NOT_CHECKED, ScanError, Scanner, Verdict,
};
pub use stored::{Attachment, Held, Via, removed_text, size_text};
