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
mod input_file;
mod instrument;
pub mod json_float;
mod series;
mod time;

pub use bar::{Bar, BarField, BarProblem, MAX_PRICE, MAX_VOLUME, check_bar_values};
pub use error::{CoreError, error_text, is_broken_pipe};
pub use input_file::{check_regular_file, open_regular_file, read_regular_file};
pub use instrument::{AssetClass, Instrument};
pub use series::{BarColumns, BarSeries, PriceFields};
pub use time::{
    BarInterval, EARLIEST_PLAUSIBLE, END_OF_PLAUSIBLE, MILLIS_PER_DAY, PLAUSIBLE_YEARS, Timestamp,
};

/// The most bars per year a series may be annualised with: one-minute bars around the clock in a
/// leap year (366 x 24 x 60 = 527,040). Gauntlet's finest interval is one minute, so more is a
/// mistake, and an absurd value (1e300) would turn every annualised figure into nonsense (a Sharpe
/// ratio of 1e150).
pub const MAX_BARS_PER_YEAR: f64 = 527_040.0;

/// Checks a bars-per-year figure: a finite number from 1 to [`MAX_BARS_PER_YEAR`].
///
/// # Errors
/// `bars per year must be from 1 to 527040 (one-minute bars around the clock), got VALUE`.
pub fn check_bars_per_year(value: f64) -> Result<f64, String> {
    if value.is_finite() && (1.0..=MAX_BARS_PER_YEAR).contains(&value) {
        Ok(value)
    } else {
        Err(format!(
            "bars per year must be from 1 to {MAX_BARS_PER_YEAR} (one-minute bars around the \
             clock), got {value}"
        ))
    }
}

/// A bars-per-year figure from text (a command-line flag: clap's `value_parser`), checked by
/// [`check_bars_per_year`].
///
/// # Errors
/// As [`check_bars_per_year`]; `must be a number, got TEXT` for text that is not one.
pub fn bars_per_year_number(text: &str) -> Result<f64, String> {
    text.parse::<f64>()
        .map_err(|_| format!("must be a number, got {text}"))
        .and_then(check_bars_per_year)
}

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
    fn bars_per_year_are_bounded() {
        assert_eq!(super::bars_per_year_number("252"), Ok(252.0));
        assert_eq!(super::bars_per_year_number("527040"), Ok(527_040.0));
        for text in ["1e300", "527041", "0.5", "NaN", "inf", "-252"] {
            let message = super::bars_per_year_number(text).unwrap_err();
            assert!(
                message.starts_with("bars per year must be from 1 to 527040"),
                "{message}"
            );
        }
        assert_eq!(
            super::bars_per_year_number("many").unwrap_err(),
            "must be a number, got many"
        );
    }

    #[test]
    fn a_positive_number_is_finite_and_above_zero() {
        assert_eq!(super::positive_number("2.5"), Ok(2.5));
        for text in ["0", "-1", "NaN", "inf", "four", ""] {
            let message = super::positive_number(text).unwrap_err();
            assert_eq!(message, format!("must be a positive number, got {text}"));
        }
    }
}
