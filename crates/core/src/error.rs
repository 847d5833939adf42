//! [`CoreError`]: the errors of gauntlet-core.

use crate::{BarProblem, Timestamp};

/// Everything that can go wrong when building core values.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CoreError {
    /// A bar of a series fails [`crate::Bar::check`].
    #[error("bar {index} ({timestamp}): {problem}")]
    InvalidBar {
        /// Zero-based index of the bar in the series.
        index: usize,
        /// Its open time.
        timestamp: Timestamp,
        /// What is wrong with it.
        problem: BarProblem,
    },
    /// A timestamp is not strictly after the one before it (a duplicate or out of order).
    #[error("bar {index}: timestamp {current} is not after the previous bar's {previous}")]
    NotIncreasing {
        /// Zero-based index of the offending bar.
        index: usize,
        /// The previous bar's open time.
        previous: Timestamp,
        /// This bar's open time.
        current: Timestamp,
    },
    /// A column's length differs from the timestamp column's.
    #[error("column {field} has {found} values but there are {expected} timestamps")]
    LengthMismatch {
        /// The column.
        field: &'static str,
        /// The number of timestamps.
        expected: usize,
        /// The column's length.
        found: usize,
    },
    /// A close-only series has an open, high or low that differs from its close.
    #[error("bar {index} ({timestamp}): a close-only series must have open = high = low = close")]
    CloseOnlyMismatch {
        /// Zero-based index of the bar.
        index: usize,
        /// Its open time.
        timestamp: Timestamp,
    },
    /// A bar interval could not be parsed.
    #[error(
        "invalid bar interval '{0}': expected a count and a unit such as 30m, 1h, 4h, 1d, 1w or 1mo"
    )]
    InvalidInterval(String),
    /// An asset class could not be parsed.
    #[error("invalid asset class '{0}': expected one of stock, index, forex, commodity, crypto")]
    InvalidAssetClass(String),
    /// A date given as text is not `YYYY-MM-DD`.
    #[error("'{0}' is not a date (YYYY-MM-DD)")]
    InvalidDateText(String),
    /// A calendar date does not exist.
    #[error("invalid date {year:04}-{month:02}-{day:02}")]
    InvalidDate {
        /// The year.
        year: i32,
        /// The month (1-12).
        month: u32,
        /// The day of the month.
        day: u32,
    },
}

/// Whether `error`, or any error in its chain of sources, is an I/O error of kind `BrokenPipe`:
/// output written to a pipe whose reader has gone (`gauntlet data list | head -1`), which a
/// command treats as the end of its output, not a failure.
pub fn is_broken_pipe(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut cause = Some(error);
    while let Some(current) = cause {
        if current
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
        {
            return true;
        }
        cause = current.source();
    }
    false
}

/// `error` and its chain of sources as one line, `: `-separated, leaving out a cause whose text the
/// line already holds (an error that shows its source in its own message, as `path: No such file
/// or directory (os error 2)` does, would otherwise print it twice).
pub fn error_text(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut cause = error.source();
    while let Some(current) = cause {
        let part = current.to_string();
        if !text.contains(&part) {
            text.push_str(": ");
            text.push_str(&part);
        }
        cause = current.source();
    }
    text
}

#[cfg(test)]
mod broken_pipe_tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("writing the journal")]
    struct Wrapper(#[source] std::io::Error);

    #[test]
    fn a_cause_already_in_the_message_is_said_once() {
        #[derive(Debug, thiserror::Error)]
        #[error("data.csv: {0}")]
        struct Shows(#[source] std::io::Error);
        let missing = || std::io::Error::from(std::io::ErrorKind::NotFound);
        assert_eq!(error_text(&Shows(missing())), "data.csv: entity not found");
        assert_eq!(
            error_text(&Wrapper(missing())),
            "writing the journal: entity not found"
        );
    }

    #[test]
    fn a_broken_pipe_is_found_anywhere_in_the_chain() {
        let pipe = std::io::Error::from(std::io::ErrorKind::BrokenPipe);
        assert!(is_broken_pipe(&Wrapper(pipe)));
        let missing = std::io::Error::from(std::io::ErrorKind::NotFound);
        assert!(!is_broken_pipe(&Wrapper(missing)));
    }
}
