//! [`EvolveError`]: the errors of gauntlet-evolve.

/// A genetic-algorithm setting that cannot work.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum EvolveError {
    /// A setting is out of range; `field` is its name in [`crate::GaConfig`].
    #[error("invalid genetic-algorithm setting {field}: {message}")]
    Config {
        /// The setting (`population_size`, `tournament_size`, ...).
        field: &'static str,
        /// What is wrong and what is allowed.
        message: String,
    },
    /// The problem returned a different number of fitness values than genomes it was given.
    #[error("the fitness function returned {returned} values for {asked} genomes")]
    FitnessCount {
        /// Genomes passed in.
        asked: usize,
        /// Values returned.
        returned: usize,
    },
    /// The problem returned objective lists of different lengths.
    #[error(
        "the objectives function returned {returned} objectives where {expected} were returned before"
    )]
    ObjectiveCount {
        /// The length of the first list seen.
        expected: usize,
        /// The length of the offending list.
        returned: usize,
    },
}
