//! [`BacktestError`]: the errors of gauntlet-backtest.

use gauntlet_genome::GenomeError;
use gauntlet_indicators::IndicatorError;

/// What can stop a backtest from running.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum BacktestError {
    /// The genome is invalid.
    #[error("invalid genome: {0}")]
    Genome(#[from] GenomeError),
    /// An indicator column could not be computed.
    #[error("indicator: {0}")]
    Indicator(#[from] IndicatorError),
    /// A configuration value is out of range.
    #[error("invalid backtest setting {field}: {message}")]
    Config {
        /// The setting (`initial_capital`, `commission_bps`, ...).
        field: &'static str,
        /// What is wrong.
        message: String,
    },
    /// The live engine refused a bar (it fails the bar checks, or does not come after the last
    /// bar); the engine is unchanged.
    #[error("bar at {timestamp} rejected: {reason}")]
    RejectedBar {
        /// The bar's open time.
        timestamp: gauntlet_core::Timestamp,
        /// Why.
        reason: String,
    },
    /// A formula of the genome could not be evaluated (its column could not be computed, or the
    /// engine does not trade formula genomes on this path yet).
    #[error("formula: {0}")]
    Formula(String),
    /// The series has too few bars.
    #[error("the series has {bars} bars; a backtest needs at least 2")]
    TooFewBars {
        /// How many it has.
        bars: usize,
    },
}
