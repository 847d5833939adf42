//! [`HonestError`]: the errors of gauntlet-honest.

use gauntlet_data::DataError;

/// What can stop a validation.
#[derive(Debug, thiserror::Error)]
pub enum HonestError {
    /// A setting is invalid, or a dataset's backtest failed; `field` names it (`dataset <name>`).
    #[error("invalid experiment setting {field}: {message}")]
    Config {
        /// The setting or dataset.
        field: String,
        /// What is wrong.
        message: String,
    },
    /// A dataset could not be loaded.
    #[error(transparent)]
    Data(#[from] DataError),
}
