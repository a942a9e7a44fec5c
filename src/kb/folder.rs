//! Content read from a folder (`--content DIR`, `apidesk content check`):
//! the same files as the embedded content, under the same rules, so a
//! support team can edit it without building apidesk. Bounded, because the
//! folder is whatever someone put there: a file over [`MAX_FILE_BYTES`] or
//! more than [`MAX_FILES`] content files is a problem, not a long stall.

use std::fs;
use std::io::{self, Read};
use std::path::Path;

use super::content_error::Problems;
use super::{in_folder, site};

/// The largest content file read; the biggest article is a few kilobytes.
pub const MAX_FILE_BYTES: u64 = 1024 * 1024;
/// The most content files (`site.toml`, articles, trees) read from a folder.
pub const MAX_FILES: usize = 1_000;

/// The folders content files live in, with their extension.
const FOLDERS: [(&str, &str); 2] = [("articles", ".md"), ("trees", ".toml")];

/// `(path relative to dir, contents)` for every content file in `dir`; what
/// cannot be read is added to `problems`, naming the file. `None` when the
/// folder itself is the problem (unreadable, empty, too many files).
pub(super) fn read(dir: &Path, problems: &mut Problems) -> Option<Vec<(String, String)>> {
    let paths = content_paths(dir, problems)?;
    let mut files = Vec::with_capacity(paths.len());
    for path in paths {
        match read_bounded(&dir.join(&path)) {
            Ok(Some(bytes)) => files.extend(decode(&path, bytes, problems).map(|t| (path, t))),
            Ok(None) => problems.add(
                &path,
                format!(
                    "is larger than {} KiB; a content file is a few KiB",
                    MAX_FILE_BYTES / 1024
                ),
            ),
            Err(err) => problems.add(&path, format!("cannot be read: {err}")),
        }
    }
    Some(files)
}

/// The content files in `dir`, relative to it and sorted; `None` when
/// there is nothing to read (the reason is in `problems`).
fn content_paths(dir: &Path, problems: &mut Problems) -> Option<Vec<String>> {
    if let Err(err) = fs::read_dir(dir) {
        problems.add("", format!("is not a folder apidesk can read: {err}"));
        return None;
    }
    let mut paths = Vec::new();
    if dir.join(site::PATH).is_file() {
        paths.push(site::PATH.to_string());
    }
    let mut folders_found = 0;
    for (folder, extension) in FOLDERS {
        let entries = match fs::read_dir(dir.join(folder)) {
            Ok(entries) => entries,
            // Reported once below, or as the files it should hold.
            Err(err) if err.kind() == io::ErrorKind::NotFound => continue,
            Err(err) => {
                problems.add(&format!("{folder}/"), format!("cannot be read: {err}"));
                continue;
            }
        };
        folders_found += 1;
        for entry in entries {
            let entry = match entry {
                Ok(entry) => entry,
                Err(err) => {
                    problems.add(&format!("{folder}/"), format!("cannot be read: {err}"));
                    break;
                }
            };
            let name = entry.file_name();
            let path = format!("{folder}/{}", name.to_string_lossy());
            // A folder named like a file is not content; a link to a file is.
            if !in_folder(&path, &format!("{folder}/"), extension) || !entry.path().is_file() {
                continue;
            }
            if name.to_str().is_none() {
                problems.add(&path, "has a name that is not valid UTF-8; rename it");
                continue;
            }
            if paths.len() == MAX_FILES {
                problems.add(
                    "",
                    format!(
                        "holds more than {MAX_FILES} content files; apidesk reads at most {MAX_FILES}"
                    ),
                );
                return None;
            }
            paths.push(path);
        }
    }
    if paths.is_empty() && folders_found == 0 {
        problems.add(
            "",
            "holds no content: expected site.toml, articles/ and trees/ \
             (`apidesk content export DIR` writes the built-in content as a start)",
        );
        return None;
    }
    paths.sort();
    Some(paths)
}

/// The file's bytes, or `None` when it is over [`MAX_FILE_BYTES`] (read up
/// to one byte past the limit, however large the file claims to be).
fn read_bounded(path: &Path) -> io::Result<Option<Vec<u8>>> {
    let mut bytes = Vec::new();
    fs::File::open(path)?
        .take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)?;
    Ok((bytes.len() as u64 <= MAX_FILE_BYTES).then_some(bytes))
}

/// The text of a content file, or a problem naming the line where it stops
/// being UTF-8. A leading byte order mark (some Windows editors write one)
/// is dropped.
pub(super) fn decode(path: &str, bytes: Vec<u8>, problems: &mut Problems) -> Option<String> {
    match String::from_utf8(bytes) {
        Ok(text) => Some(match text.strip_prefix('\u{feff}') {
            Some(rest) => rest.to_string(),
            None => text,
        }),
        Err(err) => {
            let valid = &err.as_bytes()[..err.utf8_error().valid_up_to()];
            let line = 1 + valid.iter().filter(|b| **b == b'\n').count();
            problems.add_at(path, Some(line), "is not valid UTF-8; save it as UTF-8");
            None
        }
    }
}

#[cfg(test)]
mod tests;
