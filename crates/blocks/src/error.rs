//! [`BlocksError`]: what can go wrong parsing, checking and evaluating a formula.

use gauntlet_indicators::IndicatorError;

/// An error of the blocks or the formula language.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum BlocksError {
    /// A formula that does not parse or type-check, with the 1-based line and column of the
    /// offending place: `formula 1:17: expected a number, found a condition`.
    #[error("formula {line}:{column}: {message}")]
    Formula {
        /// 1-based line.
        line: usize,
        /// 1-based column (in characters).
        column: usize,
        /// What is wrong there.
        message: String,
    },
    /// A formula longer than [`crate::MAX_FORMULA_BYTES`], refused before parsing.
    #[error("formula is {bytes} bytes long, more than the {max} allowed")]
    TooLong {
        /// The formula's length in bytes.
        bytes: usize,
        /// The maximum.
        max: usize,
    },
    /// A formula with a placeholder not yet filled, asked to evaluate.
    #[error("formula {formula}: placeholder ?{name} is not filled")]
    Unfilled {
        /// The formula's canonical text.
        formula: String,
        /// The placeholder's name.
        name: String,
    },
    /// A condition family (`[template.conditions]`) that cannot be drawn from: an unknown block,
    /// a depth or a period bound out of range.
    #[error("condition family: {message}")]
    Family {
        /// What is wrong.
        message: String,
    },
    /// A `tf(...)` the data cannot serve: its timeframe is not longer than the data's bars (the
    /// shortest gap between two consecutive bars), or the Pine export, which does not write `tf`.
    /// `tf("1h", close > 1): the timeframe 1h is not longer than this data's bars (1h apart): ...`
    #[error("{expression}: {message}")]
    Timeframe {
        /// The `tf(...)` call's canonical text.
        expression: String,
        /// What is wrong with it.
        message: String,
    },
    /// An indicator refused its parameters (the formula's checks keep them within each block's
    /// bounds, so this means a block's bounds are wider than its indicator accepts).
    #[error(transparent)]
    Indicator(#[from] IndicatorError),
}
