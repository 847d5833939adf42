//! Atomic file writes: write to a temporary file beside the target, flush it to disk, then rename.
//!
//! A reader never sees a half-written file, and a failure (or a crash) leaves the old file in place.

use std::fs::File;
use std::io::Write;
use std::path::Path;

use crate::error::DataError;

/// Writes `path` atomically: `write` fills a temporary file in the same folder, which is synced and
/// renamed over `path` only when `write` succeeds. Missing parent folders are created.
///
/// # Errors
/// [`DataError::Io`] naming `path` when the folder, the temporary file or the rename fails; any error
/// `write` returns (the temporary file is then removed).
pub fn write_atomically<F>(path: &Path, write: F) -> Result<(), DataError>
where
    F: FnOnce(&mut File) -> Result<(), DataError>,
{
    let io_error = |source| DataError::Io {
        path: path.to_path_buf(),
        source,
    };
    let folder = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(folder).map_err(io_error)?;
    let file_name = path
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut temporary = tempfile::Builder::new()
        .prefix(&format!(".{file_name}."))
        .suffix(".tmp")
        .tempfile_in(folder)
        .map_err(io_error)?;
    write(temporary.as_file_mut())?;
    temporary.as_file_mut().flush().map_err(io_error)?;
    temporary.as_file().sync_all().map_err(io_error)?;
    temporary
        .persist(path)
        .map_err(|error| io_error(error.error))?;
    Ok(())
}

/// Writes `bytes` to `path` atomically (see [`write_atomically`]).
///
/// # Errors
/// As [`write_atomically`].
pub fn write_bytes_atomically(path: &Path, bytes: &[u8]) -> Result<(), DataError> {
    write_atomically(path, |file| {
        file.write_all(bytes).map_err(|source| DataError::Io {
            path: path.to_path_buf(),
            source,
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_write_keeps_the_old_file_and_leaves_no_temporary() {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("table.csv");
        write_bytes_atomically(&path, b"old").unwrap();
        let result = write_atomically(&path, |file| {
            file.write_all(b"half").unwrap();
            Err(DataError::InvalidSplit("simulated failure".into()))
        });
        assert!(result.is_err());
        assert_eq!(std::fs::read(&path).unwrap(), b"old");
        let entries: Vec<_> = std::fs::read_dir(folder.path()).unwrap().collect();
        assert_eq!(entries.len(), 1, "the temporary file was removed");
    }
}
