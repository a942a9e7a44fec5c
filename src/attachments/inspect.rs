//! Deciding what a file is and making it safe to keep.

use super::archive::{self, Budget};
use super::image::{self, METADATA};
use super::name::display_name;
use super::removals::Tally;
use super::sniff::{Content, sniff};
use super::text::inspect_text;
use super::{FileKind, Inspected, Limits, Refused, Upload};

/// Checks one file against `limits` and the allow-list, and returns what
/// may be stored: CPU work, to run off the async workers.
pub fn inspect(upload: Upload, limits: &Limits) -> Result<Inspected, Refused> {
    let Upload { name, bytes } = upload;
    if bytes.is_empty() {
        return Err(Refused::Empty);
    }
    if bytes.len() > limits.max_file_bytes {
        return Err(Refused::TooLarge {
            limit: limits.max_file_bytes,
        });
    }
    let mut budget = Budget::for_file(limits);
    inspect_content(display_name(&name), bytes, limits, 0, &mut budget)
}

/// A member of a zip that `depth` zips enclose, under its cleaned path. Its
/// size is bounded by the zip's unpacked budget, not the per-file limit:
/// a zipped log is often larger than what may be sent as is.
pub(super) fn inspect_member(
    name: &str,
    bytes: Vec<u8>,
    limits: &Limits,
    depth: u8,
    budget: &mut Budget,
) -> Result<Inspected, Refused> {
    if bytes.is_empty() {
        return Err(Refused::Empty);
    }
    inspect_content(name.to_owned(), bytes, limits, depth, budget)
}

fn inspect_content(
    name: String,
    bytes: Vec<u8>,
    limits: &Limits,
    depth: u8,
    budget: &mut Budget,
) -> Result<Inspected, Refused> {
    let mut tally = Tally::default();
    let kind = match sniff(&bytes)? {
        Content::Binary(kind) => kind,
        Content::Text(text) => {
            let (kind, out) = inspect_text(&text, &name, &mut tally);
            return Ok(done(name, kind, out, None, tally));
        }
    };
    match kind {
        FileKind::Zip => {
            let out = archive::repack(&bytes, limits, depth + 1, budget, &mut tally)?;
            Ok(done(name, kind, out, None, tally))
        }
        kind if kind.is_image() => {
            let image = image::reencode(&bytes, kind)?;
            if image.had_metadata {
                tally.add(METADATA, 1);
            }
            Ok(done(
                name,
                image.kind,
                image.bytes,
                Some(image.thumbnail),
                tally,
            ))
        }
        // A PDF is kept as sent: it is served as a download, never shown
        // inline, and the virus scanner reads it before anyone can.
        _ => Ok(done(name, kind, bytes, None, tally)),
    }
}

fn done(
    name: String,
    kind: FileKind,
    bytes: Vec<u8>,
    thumbnail: Option<Vec<u8>>,
    tally: Tally,
) -> Inspected {
    Inspected {
        name: renamed(name, kind),
        kind,
        bytes,
        thumbnail,
        removed: tally.into_vec(),
    }
}

/// A GIF or WebP stored as PNG is named so, or a download would open in
/// the wrong program.
fn renamed(name: String, kind: FileKind) -> String {
    if kind != FileKind::Png {
        return name;
    }
    match name.rsplit_once('.') {
        Some((stem, ext))
            if !stem.is_empty()
                && (ext.eq_ignore_ascii_case("gif") || ext.eq_ignore_ascii_case("webp")) =>
        {
            format!("{stem}.png")
        }
        _ => name,
    }
}

#[cfg(test)]
mod tests;
