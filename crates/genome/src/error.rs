//! [`GenomeError`]: the errors of gauntlet-genome, naming the offending field.

/// What can be wrong with a genome.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum GenomeError {
    /// A gene is outside its bounds.
    #[error("{field} = {value} is out of range: {allowed}")]
    OutOfRange {
        /// The field's path (`entry.logic.rules[1].slow`).
        field: String,
        /// The value found.
        value: String,
        /// The allowed range.
        allowed: String,
    },
    /// Genes that are fine alone do not fit together (a fast period not below the slow one, ...).
    #[error("{field}: {message}")]
    Inconsistent {
        /// The field's path.
        field: String,
        /// What does not fit.
        message: String,
    },
    /// A genome, champion or population file cannot be read.
    #[error("{path}: {message}")]
    File {
        /// The file.
        path: std::path::PathBuf,
        /// What is wrong (with the line, for a population).
        message: String,
    },
    /// The JSON is not a genome of a supported schema.
    #[error("not a valid genome: {0}")]
    Json(String),
}
