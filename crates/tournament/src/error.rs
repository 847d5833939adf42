//! [`TournamentError`]: the errors of gauntlet-tournament.

use std::path::PathBuf;

use gauntlet_backtest::BacktestError;
use gauntlet_data::DataError;
use gauntlet_genome::GenomeError;

/// What can stop scoring: invalid settings, data, a backtest, a genome, a file, or a cluster job.
#[derive(Debug, thiserror::Error)]
pub enum TournamentError {
    /// A setting is invalid; `field` is its dotted path in the experiment file (`split`,
    /// `capital.<rule>`) or the flag (`threads`).
    #[error("invalid experiment setting {field}: {message}")]
    Config {
        /// The setting (`population.size`, `datasets[2]`, `category`...).
        field: String,
        /// What is wrong and what is allowed.
        message: String,
    },
    /// A dataset could not be loaded or split.
    #[error(transparent)]
    Data(#[from] DataError),
    /// A backtest could not run.
    #[error(transparent)]
    Backtest(#[from] BacktestError),
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
}
