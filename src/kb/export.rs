//! `apidesk content export DIR`: the embedded content written out as the
//! starting point of a team's own content folder. Every embedded file goes,
//! the format's README included, so the folder documents itself.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use super::EmbeddedContent;

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(
        "{} is not empty; export into a new or empty folder, or add --force to write over the files it exports (other files are kept)",
        .0.display()
    )]
    NotEmpty(PathBuf),
    #[error("cannot write {}: {source}", .path.display())]
    Write { path: PathBuf, source: io::Error },
}

/// Writes the embedded content into `dir`, creating it; returns how many
/// files were written. An existing non-empty `dir` is refused unless
/// `overwrite`, and then only the exported files are replaced, so nothing
/// the team added is lost.
pub fn export_embedded(dir: &Path, overwrite: bool) -> Result<usize, ExportError> {
    let write_error = |path: &Path| {
        let path = path.to_path_buf();
        move |source| ExportError::Write { path, source }
    };
    if !overwrite && has_entries(dir).map_err(write_error(dir))? {
        return Err(ExportError::NotEmpty(dir.to_path_buf()));
    }
    let mut written = 0;
    for name in EmbeddedContent::iter() {
        let Some(file) = EmbeddedContent::get(&name) else {
            continue;
        };
        let path = dir.join(name.as_ref());
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(write_error(parent))?;
        }
        fs::write(&path, &file.data).map_err(write_error(&path))?;
        written += 1;
    }
    Ok(written)
}

/// Whether `dir` exists and holds anything.
fn has_entries(dir: &Path) -> io::Result<bool> {
    match fs::read_dir(dir) {
        Ok(mut entries) => Ok(entries.next().is_some()),
        Err(err) if err.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(err) => Err(err),
    }
}
