//! One writer per folder: an exclusive advisory lock (`flock` through the `fs4` crate) on a lock
//! file inside the folder, taken without waiting and held while the [`ExclusiveLock`] lives.
//!
//! gauntlet-run locks a run folder with it (`.gauntlet.lock`), gauntlet-paper a paper session's
//! state folder (`.paper.lock`). The lock is the operating system's: it goes with the process (a
//! killed writer leaves no stale lock), and the lock file, which stays behind holding the last
//! holder's process id, is how a refused second writer names the holder.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use crate::error::DataError;

/// An exclusive lock on a folder, released when dropped (or when the process ends).
#[derive(Debug)]
pub struct ExclusiveLock {
    /// The open lock file: the `flock` belongs to this open file description.
    _file: File,
    path: PathBuf,
}

impl ExclusiveLock {
    /// Creates `folder` if needed and locks its file `lock_file` without waiting; writes this
    /// process's id into the file so that a second writer can name the holder.
    ///
    /// # Errors
    /// [`DataError::Locked`] when another process (or another handle in this one: `flock` locks
    /// belong to open file descriptions) holds the lock, with the holder's process id when the
    /// lock file names one; [`DataError::Io`] when the folder or the lock file cannot be created,
    /// opened or written.
    pub fn acquire(folder: &Path, lock_file: &str) -> Result<Self, DataError> {
        let io_error = |path: &Path| {
            let path = path.to_path_buf();
            move |source| DataError::Io { path, source }
        };
        std::fs::create_dir_all(folder).map_err(io_error(folder))?;
        let path = folder.join(lock_file);
        let mut file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .read(true)
            .write(true)
            .open(&path)
            .map_err(io_error(&path))?;
        match fs4::FileExt::try_lock(&file) {
            Ok(()) => {}
            Err(fs4::TryLockError::WouldBlock) => {
                let mut holder = String::new();
                // Best effort: the holder may not have written its id yet.
                let _ = file.read_to_string(&mut holder);
                return Err(DataError::Locked {
                    path: folder.to_path_buf(),
                    holder: holder.trim().parse::<u32>().ok(),
                });
            }
            Err(fs4::TryLockError::Error(source)) => return Err(io_error(&path)(source)),
        }
        file.set_len(0).map_err(io_error(&path))?;
        file.seek(SeekFrom::Start(0)).map_err(io_error(&path))?;
        writeln!(file, "{}", std::process::id()).map_err(io_error(&path))?;
        file.flush().map_err(io_error(&path))?;
        Ok(Self { _file: file, path })
    }

    /// The lock file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

#[cfg(test)]
mod tests {
    use super::ExclusiveLock;
    use crate::error::DataError;

    #[test]
    fn a_second_holder_is_refused_naming_the_first_until_it_lets_go() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("run");
        let first = ExclusiveLock::acquire(&folder, ".lock").unwrap();
        assert_eq!(
            std::fs::read_to_string(folder.join(".lock")).unwrap(),
            format!("{}\n", std::process::id())
        );
        // A second open in this process contends exactly as another process would.
        match ExclusiveLock::acquire(&folder, ".lock") {
            Err(DataError::Locked { path, holder }) => {
                assert_eq!(path, folder);
                assert_eq!(holder, Some(std::process::id()));
            }
            other => panic!("expected Locked, got {other:?}"),
        }
        // Another lock file in the same folder is another lock.
        let _other = ExclusiveLock::acquire(&folder, ".other.lock").unwrap();
        drop(first);
        let again = ExclusiveLock::acquire(&folder, ".lock").unwrap();
        assert_eq!(again.path(), folder.join(".lock"));
    }
}
