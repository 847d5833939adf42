//! Atomic file writes: write to a temporary file beside the target, flush it to disk, then rename.
//!
//! A reader never sees a half-written file, and a failure (or a crash) leaves the old file in place.
//! Links are written through, `-` is standard output, and modes follow the umask (see
//! [`write_atomically`]).

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::DataError;

/// Most symbolic links followed to find the file a path names (as Linux's `MAXSYMLINKS`).
const MAX_LINKS: usize = 40;

/// The file `path` finally names: each symbolic link replaced by its target (relative targets
/// taken from the link's folder), so a write through a link updates what it points to and keeps the
/// link. A path that is not a link (or does not exist) is itself.
fn through_links(path: &Path) -> std::io::Result<PathBuf> {
    let mut current = path.to_path_buf();
    for _ in 0..MAX_LINKS {
        match std::fs::symlink_metadata(&current) {
            Ok(metadata) if metadata.file_type().is_symlink() => {
                let target = std::fs::read_link(&current)?;
                current = match current.parent() {
                    Some(folder) if target.is_relative() => folder.join(target),
                    _ => target,
                };
            }
            _ => return Ok(current),
        }
    }
    Err(std::io::Error::other(format!(
        "more than {MAX_LINKS} symbolic links (a loop?)"
    )))
}

/// Writes `path` atomically: `write` fills a temporary file in the same folder, which is synced and
/// renamed over `path` only when `write` succeeds. Missing parent folders are created.
///
/// - `-` is standard output (written directly);
/// - a symbolic link is followed and the file it points to is replaced, the link kept;
/// - a path that names something other than a regular file (`/dev/stdout`, a named pipe) is
///   written directly, since a device cannot be replaced by a rename;
/// - a new file gets mode `0o666` less the process's umask (as `touch` would), a replaced file
///   keeps its mode.
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
    let direct = |target: &Path, write: F| -> Result<(), DataError> {
        let mut file = OpenOptions::new()
            .write(true)
            .truncate(true)
            .open(target)
            .map_err(io_error)?;
        write(&mut file)?;
        file.flush().map_err(io_error)
    };
    if path == Path::new("-") {
        return direct(Path::new("/dev/stdout"), write);
    }
    let target = through_links(path).map_err(io_error)?;
    let existing = std::fs::metadata(&target).ok();
    if existing
        .as_ref()
        .is_some_and(|metadata| !metadata.is_file())
    {
        return direct(&target, write);
    }
    let folder = match target.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    // `a-file/x.csv`: say which part is no folder (create_dir_all says only "File exists").
    if let Some(file) = folder
        .ancestors()
        .find(|ancestor| ancestor.exists())
        .filter(|ancestor| !ancestor.is_dir())
    {
        return Err(io_error(std::io::Error::new(
            std::io::ErrorKind::NotADirectory,
            format!("{} is a file, not a folder", file.display()),
        )));
    }
    std::fs::create_dir_all(folder).map_err(io_error)?;
    let file_name = target
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    let prefix = format!(".{file_name}.");
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(".tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let mut temporary = builder.tempfile_in(folder).map_err(io_error)?;
    if let Some(metadata) = &existing {
        std::fs::set_permissions(temporary.path(), metadata.permissions()).map_err(io_error)?;
    }
    write(temporary.as_file_mut())?;
    temporary.as_file_mut().flush().map_err(io_error)?;
    temporary.as_file().sync_all().map_err(io_error)?;
    temporary
        .persist(&target)
        .map_err(|error| io_error(error.error))?;
    Ok(())
}

/// Checks, before any work, that writing `path` replaces nothing the user owns: `-` (standard
/// output), a new file and a device (`/dev/null`) pass; an existing file passes only with
/// `force`; a folder never does (a file is needed: writing would fail with "Is a directory").
/// Links are followed, as [`write_atomically`] follows them.
///
/// # Errors
/// [`DataError::Io`] naming `path`: `AlreadyExists` ("already exists; choose another file, or
/// replace it with --force"), or `IsADirectory`.
pub fn check_output_file(path: &Path, force: bool) -> Result<(), DataError> {
    if path == Path::new("-") {
        return Ok(());
    }
    let io_error = |source| DataError::Io {
        path: path.to_path_buf(),
        source,
    };
    let target = through_links(path).map_err(io_error)?;
    match std::fs::metadata(&target) {
        Ok(metadata) if metadata.is_dir() => Err(io_error(std::io::Error::new(
            std::io::ErrorKind::IsADirectory,
            "is a folder; name a file in it",
        ))),
        Ok(metadata) if metadata.is_file() && !force => Err(io_error(std::io::Error::new(
            std::io::ErrorKind::AlreadyExists,
            "already exists; choose another file, or replace it with --force",
        ))),
        _ => Ok(()),
    }
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

    #[cfg(unix)]
    #[test]
    fn links_are_written_through_and_modes_kept() {
        use std::os::unix::fs::PermissionsExt;
        let folder = tempfile::tempdir().unwrap();
        let real = folder.path().join("real.csv");
        write_bytes_atomically(&real, b"old").unwrap();
        std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o640)).unwrap();
        let link = folder.path().join("link.csv");
        std::os::unix::fs::symlink("real.csv", &link).unwrap();
        write_bytes_atomically(&link, b"new").unwrap();
        assert!(
            std::fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(std::fs::read(&real).unwrap(), b"new");
        let mode = std::fs::metadata(&real).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o640);
    }

    #[test]
    fn an_existing_file_is_replaced_only_with_force() {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("trades.csv");
        check_output_file(&path, false).unwrap();
        write_bytes_atomically(&path, b"mine").unwrap();
        let error = check_output_file(&path, false).unwrap_err().to_string();
        assert!(
            error.ends_with(
                "trades.csv: already exists; choose another file, or replace it with --force"
            ),
            "{error}"
        );
        check_output_file(&path, true).unwrap();
        let error = check_output_file(folder.path(), true)
            .unwrap_err()
            .to_string();
        assert!(error.ends_with("is a folder; name a file in it"), "{error}");
        check_output_file(Path::new("-"), false).unwrap();
        #[cfg(unix)]
        check_output_file(Path::new("/dev/null"), false).unwrap();
    }

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
