//! [`JobError`]: the errors of gauntlet-jobs.

use std::path::PathBuf;

use gauntlet_backtest::BacktestError;
use gauntlet_data::DataError;
use gauntlet_run::RunError;
use gauntlet_tournament::TournamentError;

/// What can stop a job over many runs (a walk-forward, a comparison, a study).
#[derive(Debug, thiserror::Error)]
pub enum JobError {
    /// A setting is invalid; `field` is its dotted path in the experiment file.
    #[error("invalid experiment setting {field}: {message}")]
    Config {
        /// The setting.
        field: String,
        /// What is wrong and what is allowed.
        message: String,
    },
    /// A command-line value is invalid; `flag` names it as the user typed it (`--max-correlation`,
    /// `--seeds`, `RUN_DIR`), never as an experiment setting.
    #[error("invalid {flag}: {message}")]
    Flag {
        /// The flag (`--seeds`) or argument (`RUN_DIR`).
        flag: String,
        /// What is wrong and what is allowed.
        message: String,
    },
    /// A job folder's files are missing, unfinished or another job's.
    #[error("{path}: {message}")]
    RunFolder {
        /// The file or folder.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// One of the job's runs failed.
    #[error(transparent)]
    Run(#[from] RunError),
    /// Scoring or the cluster failed.
    #[error(transparent)]
    Tournament(#[from] TournamentError),
    /// A dataset could not be loaded.
    #[error(transparent)]
    Data(#[from] DataError),
    /// A backtest could not run.
    #[error(transparent)]
    Backtest(#[from] BacktestError),
    /// A paper session's feed could not be opened.
    #[error(transparent)]
    Paper(#[from] gauntlet_paper::PaperError),
}
