//! One bar (OHLCV) and the checks every bar must pass.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::Timestamp;

/// One OHLCV bar: prices in the quote currency, volume in units of the instrument.
///
/// `timestamp` marks the bar's open (milliseconds since the epoch, UTC).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Bar {
    /// Open time of the bar.
    pub timestamp: Timestamp,
    /// First traded price of the bar.
    pub open: f64,
    /// Highest price of the bar.
    pub high: f64,
    /// Lowest price of the bar.
    pub low: f64,
    /// Last traded price of the bar.
    pub close: f64,
    /// Volume traded during the bar, in units of the instrument (0 where the source has none).
    pub volume: f64,
}

/// A field of a bar, used to name the offending field in errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BarField {
    /// The bar's open time.
    Timestamp,
    /// The open price.
    Open,
    /// The high price.
    High,
    /// The low price.
    Low,
    /// The close price.
    Close,
    /// The volume.
    Volume,
}

impl BarField {
    /// The four price fields, in OHLC order.
    pub const PRICES: [BarField; 4] = [Self::Open, Self::High, Self::Low, Self::Close];

    /// The field's lower-case name (`open`, `high`, ...).
    pub fn name(self) -> &'static str {
        match self {
            Self::Timestamp => "timestamp",
            Self::Open => "open",
            Self::High => "high",
            Self::Low => "low",
            Self::Close => "close",
            Self::Volume => "volume",
        }
    }
}

impl fmt::Display for BarField {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.name())
    }
}

/// What is wrong with a bar that fails [`Bar::check`].
#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
pub enum BarProblem {
    /// A price or the volume is NaN or infinite.
    #[error("{field} is not a finite number ({value})")]
    NotFinite {
        /// The offending field.
        field: BarField,
        /// Its value.
        value: f64,
    },
    /// A price is zero or negative.
    #[error("{field} must be greater than 0, got {value}")]
    NotPositive {
        /// The offending field.
        field: BarField,
        /// Its value.
        value: f64,
    },
    /// A price above [`MAX_PRICE`] or a volume above [`MAX_VOLUME`]: no market trades there;
    /// usually a placeholder (Interactive Brokers' API sends `DBL_MAX`, 1.8e308, for "unset").
    #[error(
        "{field} {value:e} is beyond any real market (at most {limit:e}); a placeholder for a missing value?"
    )]
    Absurd {
        /// The offending field.
        field: BarField,
        /// Its value.
        value: f64,
        /// The limit it exceeds.
        limit: f64,
    },
    /// The volume is negative.
    #[error("volume must not be negative, got {value}")]
    NegativeVolume {
        /// The volume.
        value: f64,
    },
    /// `high` is below `low`.
    #[error("high {high} is below low {low}")]
    HighBelowLow {
        /// The high.
        high: f64,
        /// The low.
        low: f64,
    },
    /// `high` is below the open or the close.
    #[error("high {high} is below max(open, close) {body_top}")]
    HighBelowBody {
        /// The high.
        high: f64,
        /// `max(open, close)`.
        body_top: f64,
    },
    /// `low` is above the open or the close.
    #[error("low {low} is above min(open, close) {body_bottom}")]
    LowAboveBody {
        /// The low.
        low: f64,
        /// `min(open, close)`.
        body_bottom: f64,
    },
}

impl BarProblem {
    /// A short stable name of the kind of problem (`not_finite`, `high_below_low`, ...), used to count
    /// skipped rows by kind.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::NotFinite { .. } => "not_finite",
            Self::NotPositive { .. } => "not_positive",
            Self::NegativeVolume { .. } => "negative_volume",
            Self::Absurd { .. } => "absurd_value",
            Self::HighBelowLow { .. } => "high_below_low",
            Self::HighBelowBody { .. } => "high_below_open_or_close",
            Self::LowAboveBody { .. } => "low_above_open_or_close",
        }
    }

    /// The field the problem is reported against (for a relation between fields, the one that breaks it:
    /// `high` for the high checks, `low` for the low check).
    pub fn field(&self) -> BarField {
        match self {
            Self::NotFinite { field, .. }
            | Self::NotPositive { field, .. }
            | Self::Absurd { field, .. } => *field,
            Self::NegativeVolume { .. } => BarField::Volume,
            Self::HighBelowLow { .. } | Self::HighBelowBody { .. } => BarField::High,
            Self::LowAboveBody { .. } => BarField::Low,
        }
    }
}

impl Bar {
    /// Checks the bar conventions of DESIGN.md: all prices finite and > 0, volume finite and >= 0,
    /// prices at most [`MAX_PRICE`] and volume at most [`MAX_VOLUME`], `low <= min(open, close)`
    /// and `max(open, close) <= high` (which implies `low <= high`).
    ///
    /// # Errors
    /// The first [`BarProblem`] found, checking finiteness, then signs, then magnitudes, then the
    /// high/low relations.
    pub fn check(&self) -> Result<(), BarProblem> {
        check_bar_values(self.open, self.high, self.low, self.close, self.volume)
    }
}

/// The highest price a bar may have, quote currency (10^12: above any traded price, far below
/// where products of prices, quantities and costs overflow).
pub const MAX_PRICE: f64 = 1e12;
/// The highest volume a bar may have, units (10^18).
pub const MAX_VOLUME: f64 = 1e18;

/// [`Bar::check`] on loose values, for callers that hold columns rather than [`Bar`]s.
///
/// # Errors
/// As [`Bar::check`].
pub fn check_bar_values(
    open: f64,
    high: f64,
    low: f64,
    close: f64,
    volume: f64,
) -> Result<(), BarProblem> {
    let prices = [
        (BarField::Open, open),
        (BarField::High, high),
        (BarField::Low, low),
        (BarField::Close, close),
    ];
    for (field, value) in prices.into_iter().chain([(BarField::Volume, volume)]) {
        if !value.is_finite() {
            return Err(BarProblem::NotFinite { field, value });
        }
    }
    for (field, value) in prices {
        if value <= 0.0 {
            return Err(BarProblem::NotPositive { field, value });
        }
    }
    if volume < 0.0 {
        return Err(BarProblem::NegativeVolume { value: volume });
    }
    for (field, value, limit) in prices
        .into_iter()
        .map(|(field, value)| (field, value, MAX_PRICE))
        .chain([(BarField::Volume, volume, MAX_VOLUME)])
    {
        if value > limit {
            return Err(BarProblem::Absurd {
                field,
                value,
                limit,
            });
        }
    }
    if high < low {
        return Err(BarProblem::HighBelowLow { high, low });
    }
    let body_top = open.max(close);
    if high < body_top {
        return Err(BarProblem::HighBelowBody { high, body_top });
    }
    let body_bottom = open.min(close);
    if low > body_bottom {
        return Err(BarProblem::LowAboveBody { low, body_bottom });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholder_prices_are_refused() {
        // IB's DBL_MAX for "unset".
        let problem = check_bar_values(10.0, f64::MAX, 9.0, 10.0, 0.0).unwrap_err();
        assert!(matches!(
            problem,
            BarProblem::Absurd {
                field: BarField::High,
                ..
            }
        ));
        assert!(problem.to_string().contains("placeholder"), "{problem}");
        assert!(check_bar_values(10.0, 11.0, 9.0, 10.0, 1e19).is_err());
        assert!(check_bar_values(1e11, 1e11, 1e11, 1e11, 1e17).is_ok());
    }

    fn bar(open: f64, high: f64, low: f64, close: f64, volume: f64) -> Bar {
        Bar {
            timestamp: Timestamp(0),
            open,
            high,
            low,
            close,
            volume,
        }
    }

    #[test]
    fn accepts_valid_and_flat_bars() {
        assert_eq!(bar(10.0, 11.0, 9.0, 10.5, 100.0).check(), Ok(()));
        assert_eq!(bar(10.0, 10.0, 10.0, 10.0, 0.0).check(), Ok(()));
    }

    #[test]
    fn names_each_problem() {
        let cases = [
            (
                bar(f64::NAN, 11.0, 9.0, 10.0, 1.0),
                "not_finite",
                BarField::Open,
            ),
            (
                bar(10.0, 11.0, 9.0, f64::INFINITY, 1.0),
                "not_finite",
                BarField::Close,
            ),
            (
                bar(10.0, 11.0, 9.0, 10.0, f64::NAN),
                "not_finite",
                BarField::Volume,
            ),
            (
                bar(10.0, 11.0, 0.0, 10.0, 1.0),
                "not_positive",
                BarField::Low,
            ),
            (
                bar(-1.0, 11.0, 9.0, 10.0, 1.0),
                "not_positive",
                BarField::Open,
            ),
            (
                bar(10.0, 11.0, 9.0, 10.0, -5.0),
                "negative_volume",
                BarField::Volume,
            ),
            (
                bar(10.0, 9.0, 11.0, 10.0, 1.0),
                "high_below_low",
                BarField::High,
            ),
            (
                bar(10.0, 10.5, 9.0, 11.0, 1.0),
                "high_below_open_or_close",
                BarField::High,
            ),
            (
                bar(10.0, 11.0, 9.5, 9.0, 1.0),
                "low_above_open_or_close",
                BarField::Low,
            ),
        ];
        for (bar, kind, field) in cases {
            let problem = bar.check().unwrap_err();
            assert_eq!(problem.kind(), kind, "{bar:?}");
            assert_eq!(problem.field(), field, "{bar:?}");
        }
    }
}
