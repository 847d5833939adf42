//! # gauntlet-core
//!
//! The vocabulary every other Gauntlet crate shares (layer L0 of `DESIGN.md`):
//!
//! - [`Timestamp`]: milliseconds since the Unix epoch, UTC, at a bar's **open**;
//! - [`BarInterval`]: the length of one bar (`1h`, `1d`, ...), with calendar-aware bucketing;
//! - [`Bar`] and [`BarSeries`]: OHLCV bars, the series stored column by column and checked once on
//!   construction (finite prices > 0, `low <= min(open, close)`, `max(open, close) <= high`,
//!   volume >= 0, strictly increasing timestamps);
//! - [`PriceFields`]: whether a series has real high/low prices or closes only;
//! - [`AssetClass`] and [`Instrument`]: what a series describes;
//! - [`CoreError`]: what goes wrong, naming the bar index, time and field.
//!
//! ```
//! use gauntlet_core::{Bar, BarColumns, BarSeries, CoreError, Timestamp};
//!
//! let day = 86_400_000; // milliseconds
//! let mut columns = BarColumns::default();
//! for (index, close) in [100.0, 101.5, 99.0].into_iter().enumerate() {
//!     columns.push(Bar {
//!         timestamp: Timestamp(index as i64 * day),
//!         open: close,
//!         high: close + 1.0,
//!         low: close - 1.0,
//!         close,
//!         volume: 1_000.0,
//!     });
//! }
//! let series = BarSeries::new(columns.clone(), true)?;
//! assert_eq!(series.close(), &[100.0, 101.5, 99.0]);
//! assert_eq!(series.last_timestamp().unwrap().to_string(), "1970-01-03T00:00:00Z");
//!
//! columns.low[1] = 200.0; // now high < low on bar 1
//! assert!(matches!(BarSeries::new(columns, true), Err(CoreError::InvalidBar { index: 1, .. })));
//! # Ok::<(), CoreError>(())
//! ```
#![warn(missing_docs)]

mod bar;
mod error;
mod instrument;
pub mod json_float;
mod series;
mod time;

pub use bar::{Bar, BarField, BarProblem, MAX_PRICE, MAX_VOLUME, check_bar_values};
pub use error::{CoreError, error_text, is_broken_pipe};
pub use instrument::{AssetClass, Instrument};
pub use series::{BarColumns, BarSeries, PriceFields};
pub use time::{BarInterval, MILLIS_PER_DAY, Timestamp};

/// A value that must be a positive, finite number, from text (a command-line flag: clap's
/// `value_parser`).
///
/// # Errors
/// `must be a positive number, got TEXT` for anything else (0, negative, `NaN`, `inf`, not a
/// number).
pub fn positive_number(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(value) if value.is_finite() && value > 0.0 => Ok(value),
        _ => Err(format!("must be a positive number, got {text}")),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_positive_number_is_finite_and_above_zero() {
        assert_eq!(super::positive_number("2.5"), Ok(2.5));
        for text in ["0", "-1", "NaN", "inf", "four", ""] {
            let message = super::positive_number(text).unwrap_err();
            assert_eq!(message, format!("must be a positive number, got {text}"));
        }
    }
}
