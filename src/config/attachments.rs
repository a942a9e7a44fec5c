//! `--max-file-size`, `--max-ticket-files-size`, `--max-ticket-files`: how
//! much people may attach.

use std::fmt;
use std::str::FromStr;

use clap::Args;

use crate::attachments::Limits;

#[derive(Debug, Clone, Args)]
pub struct AttachmentSettings {
    /// The largest file that may be attached, as sent ("10MB", "512KB").
    #[arg(
        long,
        global = true,
        env = "APIDESK_MAX_FILE_SIZE",
        default_value = "10MB"
    )]
    pub max_file_size: ByteSize,

    /// The most one ticket's files may hold together ("25MB").
    #[arg(
        long,
        global = true,
        env = "APIDESK_MAX_TICKET_FILES_SIZE",
        default_value = "25MB"
    )]
    pub max_ticket_files_size: ByteSize,

    /// How many files one ticket may hold.
    #[arg(long, global = true, env = "APIDESK_MAX_TICKET_FILES", default_value_t = 20,
          value_parser = clap::value_parser!(u16).range(1..=1000))]
    pub max_ticket_files: u16,
}

impl AttachmentSettings {
    pub fn limits(&self) -> Limits {
        Limits {
            max_file_bytes: usize::try_from(self.max_file_size.0).unwrap_or(usize::MAX),
            max_ticket_bytes: self.max_ticket_files_size.0,
            max_ticket_files: usize::from(self.max_ticket_files),
        }
    }
}

impl Default for AttachmentSettings {
    fn default() -> Self {
        let limits = Limits::default();
        Self {
            max_file_size: ByteSize(limits.max_file_bytes as u64),
            max_ticket_files_size: ByteSize(limits.max_ticket_bytes),
            max_ticket_files: u16::try_from(limits.max_ticket_files).unwrap_or(20),
        }
    }
}

/// A size in bytes, written as `25MB`, `512KB` or a plain number of bytes
/// (KB and MB are 1,024 and 1,048,576 bytes), from 1 KB to 1 GB.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ByteSize(pub u64);

const KB: u64 = 1024;
const MB: u64 = 1024 * KB;

impl FromStr for ByteSize {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || format!("{s:?} is not a size like 10MB, 512KB or 1048576");
        let text = s.trim();
        let upper = text.to_ascii_uppercase();
        let (digits, unit) = if let Some(n) = upper.strip_suffix("MB") {
            (n, MB)
        } else if let Some(n) = upper.strip_suffix("KB") {
            (n, KB)
        } else if let Some(n) = upper.strip_suffix('B') {
            (n, 1)
        } else {
            (upper.as_str(), 1)
        };
        let n: u64 = digits.trim().parse().map_err(|_| bad())?;
        let bytes = n.checked_mul(unit).ok_or_else(bad)?;
        if !(KB..=1024 * MB).contains(&bytes) {
            return Err(format!("{s:?} must be between 1KB and 1024MB"));
        }
        Ok(Self(bytes))
    }
}

impl fmt::Display for ByteSize {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_multiple_of(MB) {
            write!(f, "{}MB", self.0 / MB)
        } else if self.0.is_multiple_of(KB) {
            write!(f, "{}KB", self.0 / KB)
        } else {
            write!(f, "{}", self.0)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse_in_the_units_people_write() {
        assert_eq!("10MB".parse(), Ok(ByteSize(10 * MB)));
        assert_eq!("512kb".parse(), Ok(ByteSize(512 * KB)));
        assert_eq!(" 2048 ".parse(), Ok(ByteSize(2048)));
        assert_eq!("4096B".parse(), Ok(ByteSize(4096)));
        assert!("ten".parse::<ByteSize>().is_err());
        assert!("0".parse::<ByteSize>().is_err());
        assert!("2000MB".parse::<ByteSize>().is_err());
        assert!("99999999999999999999MB".parse::<ByteSize>().is_err());
        assert_eq!(ByteSize(25 * MB).to_string(), "25MB");
    }

    #[test]
    fn the_defaults_are_the_documented_ones() {
        let limits = AttachmentSettings::default().limits();
        assert_eq!(limits, Limits::default());
        assert_eq!(limits.max_file_bytes, 10 * 1024 * 1024);
        assert_eq!(limits.max_ticket_bytes, 25 * 1024 * 1024);
        assert_eq!(limits.max_ticket_files, 20);
    }
}
