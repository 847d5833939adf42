//! Files a user names as input: only regular files are opened. A named pipe (FIFO) blocks in
//! `open()` until a writer comes, so a path naming one hangs the command (and a first SIGTERM
//! cannot reach the handler waiting behind it); a device such as `/dev/zero` never ends; a folder
//! reads as an error from the middle of a parser. Each is refused by its kind, before opening.

use std::fs::File;
use std::io::{Error, ErrorKind};
use std::path::Path;

/// What a path that is not a regular file names, in words (`a named pipe (FIFO)`, `a folder`).
fn kind_of(metadata: &std::fs::Metadata) -> &'static str {
    let kind = metadata.file_type();
    if kind.is_dir() {
        return "a folder";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return "a named pipe (FIFO)";
        }
        if kind.is_char_device() {
            return "a character device";
        }
        if kind.is_block_device() {
            return "a block device";
        }
        if kind.is_socket() {
            return "a socket";
        }
    }
    "not a regular file"
}

/// Checks that `path` names a regular file (after following symbolic links), without opening it.
///
/// # Errors
/// The error of `stat` (a missing file: `NotFound`), or [`ErrorKind::InvalidInput`] saying what
/// the path names instead (`is a named pipe (FIFO), not a regular file`).
pub fn check_regular_file(path: &Path) -> std::io::Result<()> {
    let metadata = std::fs::metadata(path)?;
    if metadata.is_file() {
        return Ok(());
    }
    Err(Error::new(
        ErrorKind::InvalidInput,
        format!("is {}, not a regular file", kind_of(&metadata)),
    ))
}

/// Opens `path` for reading after [`check_regular_file`].
///
/// # Errors
/// As [`check_regular_file`], then as [`File::open`].
pub fn open_regular_file(path: &Path) -> std::io::Result<File> {
    check_regular_file(path)?;
    File::open(path)
}

/// Reads `path` as UTF-8 text after [`check_regular_file`].
///
/// # Errors
/// As [`check_regular_file`], then as [`std::fs::read_to_string`].
pub fn read_regular_file(path: &Path) -> std::io::Result<String> {
    check_regular_file(path)?;
    std::fs::read_to_string(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_regular_files_are_opened() {
        let folder =
            std::env::temp_dir().join(format!("gauntlet-core-input-{}", std::process::id()));
        std::fs::create_dir_all(&folder).unwrap();
        let file = folder.join("a.txt");
        std::fs::write(&file, "text").unwrap();
        assert_eq!(read_regular_file(&file).unwrap(), "text");
        let error = read_regular_file(&folder).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::InvalidInput);
        assert_eq!(error.to_string(), "is a folder, not a regular file");
        assert_eq!(
            check_regular_file(&folder.join("missing"))
                .unwrap_err()
                .kind(),
            ErrorKind::NotFound
        );
        #[cfg(unix)]
        {
            let error = open_regular_file(Path::new("/dev/zero")).unwrap_err();
            assert_eq!(
                error.to_string(),
                "is a character device, not a regular file"
            );
        }
        std::fs::remove_dir_all(&folder).unwrap();
    }
}
