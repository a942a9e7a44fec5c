//! Zip files: opened, bounded, each member inspected as a file of its own,
//! and packed again from what inspection kept. Nothing of the original
//! archive's layout, comments or extra fields is carried over.

use std::collections::HashSet;
use std::io::{Cursor, Read, Write};

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipArchive, ZipWriter};

use super::inspect::inspect_member;
use super::name::member_name;
use super::removals::Tally;
use super::{Limits, Refused};

pub(super) const MAX_MEMBERS: usize = 100;
/// A zip may hold a zip (an export of exports), but no deeper.
pub(super) const MAX_DEPTH: u8 = 2;
/// How many times a zip may unpack larger than the file as sent, summed
/// over all members at every depth. Declared sizes are not trusted: the
/// bytes are counted as they are read.
pub(super) const UNPACKED_FACTOR: usize = 4;
/// A member may expand this many times its compressed size, once it is
/// larger than `BOMB_FLOOR`. Logs compress 10–20×; a zip bomb compresses
/// ~1000×.
const BOMB_RATIO: u64 = 200;
const BOMB_FLOOR: u64 = 1024 * 1024;

const DAMAGED: Refused = Refused::BadZip {
    why: "is damaged or uses a compression apidesk cannot open",
};
const TOO_BIG: Refused = Refused::BadZip {
    why: "unpacks larger than allowed",
};
const BOMB: Refused = Refused::BadZip {
    why: "expands far more than any real file (a zip bomb)",
};

/// What is left of the unpacked-size allowance, shared by nested zips.
#[derive(Debug)]
pub(super) struct Budget(pub u64);

impl Budget {
    pub(super) fn for_file(limits: &Limits) -> Self {
        Self(limits.max_file_bytes.saturating_mul(UNPACKED_FACTOR) as u64)
    }
}

/// Opens the zip in `bytes`, found at `depth` (1 for a zip sent as is),
/// and returns a new one holding its inspected members.
pub(super) fn repack(
    bytes: &[u8],
    limits: &Limits,
    depth: u8,
    budget: &mut Budget,
    tally: &mut Tally,
) -> Result<Vec<u8>, Refused> {
    if depth > MAX_DEPTH {
        return Err(Refused::BadZip {
            why: "holds zip files inside zip files more than two deep",
        });
    }
    let mut archive = ZipArchive::new(Cursor::new(bytes)).map_err(|_| DAMAGED)?;
    if archive.len() > MAX_MEMBERS {
        return Err(Refused::BadZip {
            why: "holds more than 100 files",
        });
    }
    let mut writer = ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
    let mut names = HashSet::new();
    for index in 0..archive.len() {
        let Some((name, data)) = read_member(&mut archive, index, budget)? else {
            continue;
        };
        let (name, data) = if data.is_empty() {
            // An empty file (a `.gitkeep`) holds nothing to inspect.
            (name, data)
        } else {
            let inspected = inspect_member(&name, data, limits, depth, budget).map_err(|why| {
                Refused::InZip {
                    member: name.clone(),
                    why: Box::new(why),
                }
            })?;
            tally.merge(inspected.removed);
            (inspected.name, inspected.bytes)
        };
        let name = unique(&mut names, name);
        writer.start_file(name, options).map_err(|_| DAMAGED)?;
        writer.write_all(&data).map_err(|_| DAMAGED)?;
    }
    writer.finish().map(Cursor::into_inner).map_err(|_| DAMAGED)
}

/// A member's cleaned name and bytes, or `None` for a folder.
fn read_member(
    archive: &mut ZipArchive<Cursor<&[u8]>>,
    index: usize,
    budget: &mut Budget,
) -> Result<Option<(String, Vec<u8>)>, Refused> {
    let (name, compressed) = {
        let raw = archive.by_index_raw(index).map_err(|_| DAMAGED)?;
        if raw.encrypted() {
            return Err(Refused::BadZip {
                why: "is protected by a password",
            });
        }
        if raw.is_dir() {
            return Ok(None);
        }
        let name = raw
            .name()
            .map(|n| member_name(&n))
            .unwrap_or_else(|_| member_name(""));
        (name, raw.compressed_size())
    };
    let file = archive.by_index(index).map_err(|_| DAMAGED)?;
    let bomb_limit = compressed.saturating_mul(BOMB_RATIO).max(BOMB_FLOOR);
    let cap = budget.0.min(bomb_limit);
    let mut data = Vec::new();
    file.take(cap.saturating_add(1))
        .read_to_end(&mut data)
        .map_err(|_| DAMAGED)?;
    let read = data.len() as u64;
    if read > bomb_limit {
        return Err(BOMB);
    }
    if read > budget.0 {
        return Err(TOO_BIG);
    }
    budget.0 -= read;
    Ok(Some((name, data)))
}

/// Two members may clean to one name (`a/../x` and `x`); a zip may not
/// hold both, so the later one is numbered.
fn unique(names: &mut HashSet<String>, name: String) -> String {
    if names.insert(name.clone()) {
        return name;
    }
    let (stem, ext) = match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() && !ext.contains('/') => (stem, format!(".{ext}")),
        _ => (name.as_str(), String::new()),
    };
    // At most `MAX_MEMBERS` names are taken, so this ends soon.
    let numbered = (2..)
        .map(|n| format!("{stem} ({n}){ext}"))
        .find(|candidate| !names.contains(candidate))
        .unwrap_or_default();
    names.insert(numbered.clone());
    numbered
}

#[cfg(test)]
pub(crate) mod tests;
