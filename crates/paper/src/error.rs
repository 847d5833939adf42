//! The paper trader's errors.

use std::path::PathBuf;

/// What stops a paper trading session (a bad feed line does not: it is journalled and skipped).
#[derive(Debug, thiserror::Error)]
pub enum PaperError {
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// Reading the feed failed (not a bad line: the stream itself).
    #[error("feed {feed}: {message}")]
    Feed {
        /// The feed (file or `stdin`).
        feed: String,
        /// What went wrong.
        message: String,
    },
    /// A dataset file could not be read.
    #[error(transparent)]
    Data(#[from] gauntlet_data::DataError),
    /// The genome or the settings are invalid.
    #[error(transparent)]
    Backtest(#[from] gauntlet_backtest::BacktestError),
    /// Another paper session (process `holder`, when its lock file names it) is using the state
    /// folder.
    #[error(
        "state {path}: in use by another paper session{}; stop it first or use another --state folder",
        holder.map_or(String::new(), |pid| format!(" (process {pid})"))
    )]
    StateLocked {
        /// The state folder.
        path: PathBuf,
        /// The holder's process id, when known.
        holder: Option<u32>,
    },
    /// The saved state cannot be used: unreadable, from another genome or another format.
    #[error("state {path}: {message}")]
    State {
        /// The state file.
        path: PathBuf,
        /// Why.
        message: String,
    },
}
