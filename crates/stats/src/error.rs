//! [`StatsError`]: the errors of gauntlet-stats.

/// Input a statistic cannot be computed from.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StatsError {
    /// A matrix's rows differ in length.
    #[error("row {row} has {found} values; the first row has {expected}")]
    RaggedMatrix {
        /// The row (0-based).
        row: usize,
        /// Its length.
        found: usize,
        /// The first row's length.
        expected: usize,
    },
    /// A size the caller controls (bootstrap draws, candidates, bars) is above its documented
    /// maximum; checked before any work starts.
    #[error("{quantity}: {value} is more than the maximum of {maximum}")]
    OverLimit {
        /// What was counted (`bootstrap draws`, `candidates`, ...).
        quantity: &'static str,
        /// The size asked for.
        value: usize,
        /// Its maximum.
        maximum: usize,
    },
    /// A setting or the input's size is out of range.
    #[error("{0}")]
    Invalid(String),
}
