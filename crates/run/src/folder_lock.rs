//! One writer per run folder: an exclusive advisory lock (`flock` through the `fs4` crate) on a
//! lock file inside the folder, held while a run, a walk-forward or a resume writes it.
//!
//! Two `gauntlet evolve --out SAME` started together used to both succeed and leave one run's
//! results beside a checkpoint that mixed both (#30). The second writer now fails at once with
//! [`RunError::FolderLocked`], naming the process that holds the folder. The lock is the
//! operating system's: it goes with the process (a killed run leaves no stale lock to clean up),
//! and the file, which stays behind holding the last writer's process id, is ignored by every
//! reader of the folder. Taking the lock also removes the temporary files of atomic writes that a
//! writer killed mid-write left behind (`.<file>.<random>.tmp`).

use std::path::Path;

use gauntlet_data::{DataError, ExclusiveLock};

use crate::error::RunError;

/// The lock file's name inside a run or walk-forward folder (hidden: not part of the results).
pub const FOLDER_LOCK_FILE: &str = ".gauntlet.lock";

/// An exclusive lock on a run folder ([`gauntlet_data::ExclusiveLock`] on [`FOLDER_LOCK_FILE`]),
/// released when dropped (or when the process ends).
#[derive(Debug)]
pub struct FolderLock(ExclusiveLock);

impl FolderLock {
    /// Creates `folder` if needed and takes its lock without waiting; writes this process's id into
    /// the lock file so that a second writer can name the holder. Then removes the temporary
    /// files of atomic writes that a writer killed mid-write left in the folder.
    ///
    /// # Errors
    /// [`RunError::FolderLocked`] when another process (or another handle in this one) holds the
    /// folder's lock, with the holder's process id when the lock file names one;
    /// [`RunError::Io`] when the folder or the lock file cannot be created, opened or written.
    pub fn acquire(folder: &Path) -> Result<Self, RunError> {
        let lock =
            ExclusiveLock::acquire(folder, FOLDER_LOCK_FILE).map_err(|error| match error {
                DataError::Locked { path, holder } => RunError::FolderLocked { path, holder },
                DataError::Io { path, source } => RunError::Io { path, source },
                other => RunError::Io {
                    path: folder.to_path_buf(),
                    source: std::io::Error::other(other.to_string()),
                },
            })?;
        // The folder is this process's alone now: what a killed writer left half-written goes.
        remove_leftover_temporary_files(folder, LEFTOVER_DEPTH);
        Ok(Self(lock))
    }

    /// The lock file's path.
    pub fn path(&self) -> &Path {
        self.0.path()
    }
}

/// Folder levels searched for leftover temporary files: a walk-forward's
/// `window-00/checkpoint/` is three below its folder.
const LEFTOVER_DEPTH: usize = 3;

/// Whether `name` is a temporary file of an atomic write (`gauntlet_data::write_atomically`:
/// `.<file>.<random>.tmp`), which only a writer killed between its write and its rename leaves.
fn is_temporary_file(name: &str) -> bool {
    name.starts_with('.') && name.ends_with(".tmp") && name.len() > ".x.tmp".len()
}

/// Removes the temporary files of atomic writes that a writer killed mid-write (`kill -9`, a
/// power cut) left in `folder` and its subfolders, `depth` levels down; links are not followed.
/// Best effort: a file that cannot be removed stays (nothing reads it).
fn remove_leftover_temporary_files(folder: &Path, depth: usize) {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return;
    };
    for entry in entries.flatten() {
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() && depth > 0 {
            remove_leftover_temporary_files(&entry.path(), depth - 1);
        } else if kind.is_file() && entry.file_name().to_str().is_some_and(is_temporary_file) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// Whether `folder` holds nothing but (perhaps) its lock file: a folder a new run may fill.
///
/// # Errors
/// [`RunError::Io`] when `folder` exists but cannot be listed.
pub fn holds_nothing_but_its_lock(folder: &Path) -> Result<bool, RunError> {
    let entries = match std::fs::read_dir(folder) {
        Ok(entries) => entries,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(true),
        Err(source) => {
            return Err(RunError::Io {
                path: folder.to_path_buf(),
                source,
            });
        }
    };
    for entry in entries {
        let entry = entry.map_err(|source| RunError::Io {
            path: folder.to_path_buf(),
            source,
        })?;
        if entry.file_name() != FOLDER_LOCK_FILE {
            return Ok(false);
        }
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::{FOLDER_LOCK_FILE, FolderLock, holds_nothing_but_its_lock};
    use crate::error::RunError;

    #[test]
    fn a_second_writer_is_refused_naming_the_holder_and_may_write_once_it_is_gone() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("run");
        let first = FolderLock::acquire(&folder).unwrap();
        // flock locks belong to open file descriptions: a second open in this process contends
        // exactly as another process would.
        match FolderLock::acquire(&folder) {
            Err(RunError::FolderLocked { path, holder }) => {
                assert_eq!(path, folder);
                assert_eq!(holder, Some(std::process::id()));
            }
            other => panic!("expected FolderLocked, got {other:?}"),
        }
        let message = FolderLock::acquire(&folder).unwrap_err().to_string();
        assert!(
            message.contains(&format!("process {}", std::process::id())),
            "{message}"
        );
        drop(first);
        let again = FolderLock::acquire(&folder).unwrap();
        assert_eq!(again.path(), folder.join(FOLDER_LOCK_FILE));
    }

    #[test]
    fn a_folder_holding_only_its_lock_counts_as_empty() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("run");
        assert!(holds_nothing_but_its_lock(&folder).unwrap());
        let _lock = FolderLock::acquire(&folder).unwrap();
        assert!(holds_nothing_but_its_lock(&folder).unwrap());
        std::fs::write(folder.join("notes.txt"), "mine").unwrap();
        assert!(!holds_nothing_but_its_lock(&folder).unwrap());
    }

    #[test]
    fn the_next_writer_removes_what_a_killed_writer_left_half_written() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("run");
        // What `kill -9` between an atomic write and its rename leaves, at every depth of a
        // walk-forward folder, beside files that stay.
        let leftovers = [
            ".run.json.Xq3f9a.tmp",
            "checkpoint/.state.json.b8K2mz.tmp",
            "window-00/checkpoint/.leaderboard.jsonl.7hGq1w.tmp",
        ];
        let kept = ["run.json", "checkpoint/state.json", "notes.tmp", ".hidden"];
        for name in leftovers.iter().chain(&kept) {
            let path = folder.join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, "{\"trunc").unwrap();
        }
        let _lock = FolderLock::acquire(&folder).unwrap();
        for name in leftovers {
            assert!(!folder.join(name).exists(), "{name} left behind");
        }
        for name in kept {
            assert!(folder.join(name).exists(), "{name} removed");
        }
    }
}
