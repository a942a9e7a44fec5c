//! A kept file as the pages and the API see it: never its bytes, which are
//! read only to be served.

use time::OffsetDateTime;
use uuid::Uuid;

use super::{FileKind, Removal};

/// How a file came in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    /// The ticket form.
    Form,
    /// "Add information" on the requester's status page.
    StatusPage,
    /// A staff reply or note.
    Staff,
    Mail,
    Api,
}

impl Via {
    pub const ALL: [Self; 5] = [
        Self::Form,
        Self::StatusPage,
        Self::Staff,
        Self::Mail,
        Self::Api,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Self::Form => "form",
            Self::StatusPage => "status_page",
            Self::Staff => "staff",
            Self::Mail => "mail",
            Self::Api => "api",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|via| via.name() == name)
    }
}

/// A kept file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    pub id: Uuid,
    pub name: String,
    pub kind: FileKind,
    pub size: u64,
    /// What inspection took out of it.
    pub removed: Vec<Removal>,
    pub has_thumbnail: bool,
    /// The timeline event it came with; `None` while staged.
    pub event_id: Option<i64>,
    pub via: Via,
    pub created_at: OffsetDateTime,
}

impl Attachment {
    /// "12 KB", "3.4 MB": the size as a person reads it.
    pub fn size_text(&self) -> String {
        size_text(self.size)
    }

    /// What was removed, in one line: "2 Authorization headers, 1 cookie".
    pub fn removed_text(&self) -> String {
        removed_text(&self.removed)
    }
}

pub fn size_text(bytes: u64) -> String {
    const KB: u64 = 1024;
    const MB: u64 = 1024 * KB;
    if bytes < KB {
        format!("{bytes} bytes")
    } else if bytes < MB {
        format!("{} KB", bytes.div_ceil(KB))
    } else {
        match (bytes % MB) * 10 / MB {
            0 => format!("{} MB", bytes / MB),
            tenths => format!("{}.{tenths} MB", bytes / MB),
        }
    }
}

pub fn removed_text(removed: &[Removal]) -> String {
    removed
        .iter()
        .map(|r| {
            if r.count == 1 {
                format!("1 {}", r.what)
            } else {
                format!("{} × {}", r.count, r.what)
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Files plus the totals a ticket's limits are checked against.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Held {
    pub files: usize,
    pub bytes: u64,
}

impl Held {
    /// What `files` hold together.
    pub fn of(files: &[Attachment]) -> Self {
        Self {
            files: files.len(),
            bytes: files.iter().map(|file| file.size).sum(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_as_people_write_them() {
        assert_eq!(size_text(0), "0 bytes");
        assert_eq!(size_text(1023), "1023 bytes");
        assert_eq!(size_text(1024), "1 KB");
        assert_eq!(size_text(1025), "2 KB");
        assert_eq!(size_text(3 * 1024 * 1024 + 400 * 1024), "3.3 MB");
        assert_eq!(size_text(25 * 1024 * 1024), "25 MB");
    }

    #[test]
    fn removals_in_one_line() {
        let removed = vec![
            Removal {
                what: "Authorization header".into(),
                count: 2,
            },
            Removal {
                what: "cookie".into(),
                count: 1,
            },
        ];
        assert_eq!(removed_text(&removed), "2 × Authorization header, 1 cookie");
        assert_eq!(removed_text(&[]), "");
    }
}
