//! Deciding what a file is and making it safe to keep.

use super::{Inspected, Limits, Refused, Upload};

/// Checks one file against `limits` and the allow-list, and returns what
/// may be stored: CPU work, to run off the async workers.
pub fn inspect(upload: Upload, limits: &Limits) -> Result<Inspected, Refused> {
    let _ = (upload, limits);
    Err(Refused::NotAllowed { looks_like: None })
}

/// The name to show for a file named `name` by its sender.
pub fn display_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let clean: String = base.chars().filter(|c| !c.is_control()).take(super::MAX_NAME_CHARS).collect();
    let clean = clean.trim().trim_start_matches('.');
    if clean.is_empty() { "attachment".into() } else { clean.to_string() }
}
