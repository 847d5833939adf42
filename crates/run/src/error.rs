//! [`RunError`]: the errors of gauntlet-run.

use std::path::{Path, PathBuf};

use gauntlet_backtest::BacktestError;
use gauntlet_data::DataError;
use gauntlet_evolve::EvolveError;
use gauntlet_genome::GenomeError;
use gauntlet_honest::HonestError;
use gauntlet_tournament::TournamentError;

/// What can stop an experiment or a run, or make a run folder unreadable.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// An experiment setting is invalid; `field` is its dotted path in the TOML file.
    #[error("invalid experiment setting {field}: {message}")]
    Config {
        /// The setting (`population.size`, `datasets[2]`, `category`...).
        field: String,
        /// What is wrong and what is allowed.
        message: String,
    },
    /// The experiment file could not be parsed (unknown field, wrong type...).
    #[error("{path}: {message}")]
    ConfigFile {
        /// The file.
        path: PathBuf,
        /// The parser's message, naming the field and line.
        message: String,
    },
    /// A run folder's files are missing or unreadable (resume, export, a report).
    #[error("{path}: {message}")]
    RunFolder {
        /// The file or folder.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// Another writer holds the run folder's lock ([`crate::FolderLock`]): a second run, resume or
    /// walk-forward into the same folder at the same time; `holder` is its process id when known.
    #[error("{path}: another Gauntlet process{} is writing this folder; wait for it or choose another --out", holder.map(|pid| format!(" (process {pid})")).unwrap_or_default())]
    FolderLocked {
        /// The run folder.
        path: PathBuf,
        /// The process id written in the lock file by the holder, if it could be read.
        holder: Option<u32>,
    },
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// Scoring failed: a split, a cluster job's ranks, a setting of the tournament layer.
    #[error(transparent)]
    Tournament(#[from] TournamentError),
    /// Validating a genome failed.
    #[error(transparent)]
    Honest(#[from] HonestError),
    /// A dataset could not be loaded or split.
    #[error(transparent)]
    Data(#[from] DataError),
    /// A backtest could not run.
    #[error(transparent)]
    Backtest(#[from] BacktestError),
    /// The genetic algorithm refused its settings.
    #[error(transparent)]
    Evolve(#[from] EvolveError),
    /// A genome is invalid.
    #[error(transparent)]
    Genome(#[from] GenomeError),
}

/// An I/O error naming `path`.
pub(crate) fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> RunError + '_ {
    move |source| RunError::Io {
        path: path.to_path_buf(),
        source,
    }
}
