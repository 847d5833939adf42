//! [`TournamentError`]: the errors of gauntlet-tournament.

use std::path::PathBuf;

use gauntlet_backtest::BacktestError;
use gauntlet_data::DataError;
use gauntlet_evolve::EvolveError;
use gauntlet_genome::GenomeError;

/// What can stop an experiment.
#[derive(Debug, thiserror::Error)]
pub enum TournamentError {
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
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The ranks of a cluster job disagree (a rank's results could not be decoded).
    #[error("cluster: {message}")]
    Cluster {
        /// What went wrong, naming the rank.
        message: String,
    },
    /// A run folder's files are missing or unreadable (resume, export).
    #[error("{path}: {message}")]
    RunFolder {
        /// The file or folder.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
}
