//! One paper session per state folder: an exclusive advisory lock (gauntlet-data's
//! `ExclusiveLock`, as gauntlet-run locks a run folder) on a lock file inside the `--state` folder, held for
//! the whole session.
//!
//! Two `gauntlet paper --state SAME` at once would each trade the saved account and overwrite each
//! other's `state.json` after every line, so that a restart resumed from a mix of both. The second
//! session now fails at once with [`PaperError::StateLocked`], naming the process that holds the
//! folder. The lock goes with the process (a killed session leaves no stale lock).

use std::path::Path;

use gauntlet_data::{DataError, ExclusiveLock};

use crate::error::PaperError;

/// The lock file's name inside a state folder (hidden: not part of the saved state).
pub const STATE_LOCK_FILE: &str = ".paper.lock";

/// An exclusive lock on a state folder ([`gauntlet_data::ExclusiveLock`] on
/// [`STATE_LOCK_FILE`]), released when dropped (or when the process ends).
/// [`crate::run_session`] holds one for the whole session; a caller that waits before the
/// session starts (for the first line of a stream on standard input) may take one early to
/// refuse a second session at once, and drops it just before calling `run_session`.
#[derive(Debug)]
pub struct StateLock {
    _lock: ExclusiveLock,
}

impl StateLock {
    /// Creates `folder` if needed and takes its lock without waiting; writes this process's id
    /// into the lock file so that a second session can name the holder.
    ///
    /// # Errors
    /// [`PaperError::StateLocked`] when another process (or another handle in this one) holds the
    /// folder; [`PaperError::Io`] when the folder or the lock file cannot be made or written.
    pub fn acquire(folder: &Path) -> Result<Self, PaperError> {
        let lock =
            ExclusiveLock::acquire(folder, STATE_LOCK_FILE).map_err(|error| match error {
                DataError::Locked { path, holder } => PaperError::StateLocked { path, holder },
                DataError::Io { path, source } => PaperError::Io { path, source },
                other => PaperError::Io {
                    path: folder.to_path_buf(),
                    source: std::io::Error::other(other.to_string()),
                },
            })?;
        Ok(Self { _lock: lock })
    }
}

#[cfg(test)]
mod tests {
    use super::StateLock;
    use crate::error::PaperError;

    #[test]
    fn a_second_session_is_refused_naming_the_holder_until_the_first_ends() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("state");
        let first = StateLock::acquire(&folder).unwrap();
        // flock locks belong to open file descriptions: a second open in this process contends
        // exactly as another process would.
        let error = StateLock::acquire(&folder).unwrap_err();
        assert!(
            matches!(&error, PaperError::StateLocked { holder: Some(pid), .. } if *pid == std::process::id()),
            "{error:?}"
        );
        let message = error.to_string();
        assert!(
            message.contains(&format!("process {}", std::process::id())),
            "{message}"
        );
        drop(first);
        StateLock::acquire(&folder).unwrap();
    }
}
