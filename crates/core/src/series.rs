//! [`BarSeries`]: a checked, columnar series of bars (one `Vec` per field).

use std::ops::Range;

use serde::{Deserialize, Serialize};

use crate::{Bar, CoreError, Timestamp, check_bar_values};

/// Which price fields of a series are real.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PriceFields {
    /// Open, high, low and close all come from the source.
    #[default]
    Ohlc,
    /// The source has closes only. The series stores the close in `open`, `high` and `low` too, so code
    /// that reads them keeps working, but there is no intrabar information: stops and fills can only be
    /// evaluated on closes, and range-based measures (ATR, flat bars) mean nothing.
    CloseOnly,
}

impl PriceFields {
    /// `ohlc` or `close_only`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Ohlc => "ohlc",
            Self::CloseOnly => "close_only",
        }
    }
}

/// The raw columns of a series, before checking; every column has one entry per bar.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BarColumns {
    /// Bar open times, milliseconds since the epoch, UTC.
    pub timestamps: Vec<Timestamp>,
    /// Open prices.
    pub open: Vec<f64>,
    /// High prices.
    pub high: Vec<f64>,
    /// Low prices.
    pub low: Vec<f64>,
    /// Close prices.
    pub close: Vec<f64>,
    /// Volumes (units of the instrument).
    pub volume: Vec<f64>,
}

impl BarColumns {
    /// Empty columns with room for `capacity` bars.
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            timestamps: Vec::with_capacity(capacity),
            open: Vec::with_capacity(capacity),
            high: Vec::with_capacity(capacity),
            low: Vec::with_capacity(capacity),
            close: Vec::with_capacity(capacity),
            volume: Vec::with_capacity(capacity),
        }
    }

    /// Appends one bar (unchecked; [`BarSeries::new`] checks).
    pub fn push(&mut self, bar: Bar) {
        self.timestamps.push(bar.timestamp);
        self.open.push(bar.open);
        self.high.push(bar.high);
        self.low.push(bar.low);
        self.close.push(bar.close);
        self.volume.push(bar.volume);
    }

    /// Number of bars (the length of the timestamp column).
    pub fn len(&self) -> usize {
        self.timestamps.len()
    }

    /// Whether there are no bars.
    pub fn is_empty(&self) -> bool {
        self.timestamps.is_empty()
    }
}

/// A checked series of bars of one instrument, stored column by column for fast scans.
///
/// Invariants (checked on construction, so holders never re-check): all columns have the same length;
/// every bar passes [`Bar::check`]; timestamps are strictly increasing (no duplicates). A series may be
/// empty. For a [`PriceFields::CloseOnly`] series, `open`, `high` and `low` equal `close` bar for bar.
#[derive(Debug, Clone, PartialEq)]
pub struct BarSeries {
    columns: BarColumns,
    price_fields: PriceFields,
    has_volume: bool,
}

impl BarSeries {
    /// Checks `columns` and wraps them as a series with real OHLC prices.
    ///
    /// `has_volume` says whether the volume column comes from the source (`false`: it is all zeros
    /// because the source had none).
    ///
    /// # Errors
    /// - [`CoreError::LengthMismatch`] when a column's length differs from the timestamps'.
    /// - [`CoreError::InvalidBar`] naming the first bar (index and time) that fails [`Bar::check`].
    /// - [`CoreError::NotIncreasing`] at the first timestamp that is not after its predecessor.
    pub fn new(columns: BarColumns, has_volume: bool) -> Result<Self, CoreError> {
        Self::checked(columns, PriceFields::Ohlc, has_volume)
    }

    /// A close-only series: `open`, `high` and `low` are set to the close.
    ///
    /// `volume` is `None` when the source has none (the column is then all zeros).
    ///
    /// # Errors
    /// As [`BarSeries::new`].
    pub fn close_only(
        timestamps: Vec<Timestamp>,
        close: Vec<f64>,
        volume: Option<Vec<f64>>,
    ) -> Result<Self, CoreError> {
        let has_volume = volume.is_some();
        let volume = volume.unwrap_or_else(|| vec![0.0; close.len()]);
        let columns = BarColumns {
            timestamps,
            open: close.clone(),
            high: close.clone(),
            low: close.clone(),
            close,
            volume,
        };
        Self::checked(columns, PriceFields::CloseOnly, has_volume)
    }

    /// Checks columns that declare their own [`PriceFields`]; for `CloseOnly`, `open`, `high` and `low`
    /// must already equal `close`.
    ///
    /// # Errors
    /// As [`BarSeries::new`], plus [`CoreError::CloseOnlyMismatch`] when a close-only series has an
    /// open, high or low that differs from its close.
    pub fn from_parts(
        columns: BarColumns,
        price_fields: PriceFields,
        has_volume: bool,
    ) -> Result<Self, CoreError> {
        Self::checked(columns, price_fields, has_volume)
    }

    fn checked(
        columns: BarColumns,
        price_fields: PriceFields,
        has_volume: bool,
    ) -> Result<Self, CoreError> {
        let length = columns.timestamps.len();
        for (field, column_length) in [
            ("open", columns.open.len()),
            ("high", columns.high.len()),
            ("low", columns.low.len()),
            ("close", columns.close.len()),
            ("volume", columns.volume.len()),
        ] {
            if column_length != length {
                return Err(CoreError::LengthMismatch {
                    field,
                    expected: length,
                    found: column_length,
                });
            }
        }
        for index in 0..length {
            let timestamp = columns.timestamps[index];
            check_bar_values(
                columns.open[index],
                columns.high[index],
                columns.low[index],
                columns.close[index],
                columns.volume[index],
            )
            .map_err(|problem| CoreError::InvalidBar {
                index,
                timestamp,
                problem,
            })?;
            if price_fields == PriceFields::CloseOnly {
                let close = columns.close[index];
                if columns.open[index] != close
                    || columns.high[index] != close
                    || columns.low[index] != close
                {
                    return Err(CoreError::CloseOnlyMismatch { index, timestamp });
                }
            }
            if index > 0 && columns.timestamps[index - 1] >= timestamp {
                return Err(CoreError::NotIncreasing {
                    index,
                    previous: columns.timestamps[index - 1],
                    current: timestamp,
                });
            }
        }
        Ok(Self {
            columns,
            price_fields,
            has_volume,
        })
    }

    /// Number of bars.
    pub fn len(&self) -> usize {
        self.columns.timestamps.len()
    }

    /// Whether the series has no bars.
    pub fn is_empty(&self) -> bool {
        self.columns.timestamps.is_empty()
    }

    /// Which price fields are real.
    pub fn price_fields(&self) -> PriceFields {
        self.price_fields
    }

    /// Whether the volume column comes from the source (`false`: all zeros, the source had none).
    pub fn has_volume(&self) -> bool {
        self.has_volume
    }

    /// Bar open times (strictly increasing).
    pub fn timestamps(&self) -> &[Timestamp] {
        &self.columns.timestamps
    }

    /// Open prices.
    pub fn open(&self) -> &[f64] {
        &self.columns.open
    }

    /// High prices.
    pub fn high(&self) -> &[f64] {
        &self.columns.high
    }

    /// Low prices.
    pub fn low(&self) -> &[f64] {
        &self.columns.low
    }

    /// Close prices.
    pub fn close(&self) -> &[f64] {
        &self.columns.close
    }

    /// Volumes.
    pub fn volume(&self) -> &[f64] {
        &self.columns.volume
    }

    /// The bar at `index`, or `None` past the end.
    pub fn bar(&self, index: usize) -> Option<Bar> {
        (index < self.len()).then(|| Bar {
            timestamp: self.columns.timestamps[index],
            open: self.columns.open[index],
            high: self.columns.high[index],
            low: self.columns.low[index],
            close: self.columns.close[index],
            volume: self.columns.volume[index],
        })
    }

    /// The bars in order.
    pub fn bars(&self) -> impl ExactSizeIterator<Item = Bar> + '_ {
        (0..self.len()).map(|index| self.bar(index).expect("index is in range"))
    }

    /// Open time of the first bar, or `None` when empty.
    pub fn first_timestamp(&self) -> Option<Timestamp> {
        self.columns.timestamps.first().copied()
    }

    /// Open time of the last bar, or `None` when empty.
    pub fn last_timestamp(&self) -> Option<Timestamp> {
        self.columns.timestamps.last().copied()
    }

    /// A copy of the bars in `range` (bar indices), clamped to the series.
    pub fn slice(&self, range: Range<usize>) -> BarSeries {
        let end = range.end.min(self.len());
        let start = range.start.min(end);
        let columns = &self.columns;
        BarSeries {
            columns: BarColumns {
                timestamps: columns.timestamps[start..end].to_vec(),
                open: columns.open[start..end].to_vec(),
                high: columns.high[start..end].to_vec(),
                low: columns.low[start..end].to_vec(),
                close: columns.close[start..end].to_vec(),
                volume: columns.volume[start..end].to_vec(),
            },
            price_fields: self.price_fields,
            has_volume: self.has_volume,
        }
    }

    /// A copy of the bars that open on or after the UTC day `from` and on or before the whole UTC day
    /// `to` (both 00:00 UTC of a date, as [`Timestamp::parse_date`] gives; `None` = unbounded):
    /// `--from 2005-01-01 --to 2015-06-30` keeps every bar of those days, intraday ones too.
    pub fn between_dates(&self, from: Option<Timestamp>, to: Option<Timestamp>) -> BarSeries {
        let start = from.map_or(0, |time| self.index_at_or_after(time));
        let end = to.map_or(self.len(), |time| {
            self.index_at_or_after(Timestamp(time.millis() + crate::MILLIS_PER_DAY))
        });
        self.slice(start..end)
    }

    /// The index of the first bar whose open time is at or after `timestamp` (`len()` if none).
    pub fn index_at_or_after(&self, timestamp: Timestamp) -> usize {
        self.columns
            .timestamps
            .partition_point(|&bar_time| bar_time < timestamp)
    }

    /// The columns, giving up the checked wrapper.
    pub fn into_columns(self) -> BarColumns {
        self.columns
    }

    /// The columns, borrowed.
    pub fn columns(&self) -> &BarColumns {
        &self.columns
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn between_dates_keeps_whole_days_at_both_ends() {
        let hour = 3_600_000;
        let mut columns = BarColumns::default();
        // Hourly bars from 1970-01-01 00:00 to 1970-01-04 23:00 (96 bars).
        for index in 0..96 {
            columns.push(Bar {
                timestamp: Timestamp(index * hour),
                open: 1.0,
                high: 1.0,
                low: 1.0,
                close: 1.0,
                volume: 0.0,
            });
        }
        let series = BarSeries::new(columns, true).expect("valid bars");
        let day = |text| Timestamp::parse_date(text).expect("a date");
        // 1970-01-02 and 1970-01-03: 48 hourly bars, the first at 24:00 and the last at 71:00.
        let kept = series.between_dates(Some(day("1970-01-02")), Some(day("1970-01-03")));
        assert_eq!(kept.len(), 48);
        assert_eq!(kept.first_timestamp(), Some(Timestamp(24 * hour)));
        assert_eq!(kept.last_timestamp(), Some(Timestamp(71 * hour)));
        assert_eq!(series.between_dates(None, None).len(), 96);
        assert!(Timestamp::parse_date("1970-13-01").is_err());
        assert!(Timestamp::parse_date("01/02/1970").is_err());
    }
    use super::*;
    use crate::BarProblem;

    fn columns(timestamps: &[i64], closes: &[f64]) -> BarColumns {
        let mut columns = BarColumns::with_capacity(closes.len());
        for (&timestamp, &close) in timestamps.iter().zip(closes) {
            columns.push(Bar {
                timestamp: Timestamp(timestamp),
                open: close,
                high: close + 1.0,
                low: close - 1.0,
                close,
                volume: 10.0,
            });
        }
        columns
    }

    #[test]
    fn accepts_increasing_valid_bars() {
        let series = BarSeries::new(columns(&[1, 2, 3], &[10.0, 11.0, 12.0]), true).unwrap();
        assert_eq!(series.len(), 3);
        assert_eq!(series.close(), &[10.0, 11.0, 12.0]);
        assert_eq!(series.bar(1).unwrap().high, 12.0);
        assert_eq!(series.slice(1..10).len(), 2);
        assert_eq!(series.index_at_or_after(Timestamp(2)), 1);
        assert_eq!(series.index_at_or_after(Timestamp(9)), 3);
    }

    #[test]
    fn rejects_duplicates_and_disorder_with_the_index() {
        let error = BarSeries::new(columns(&[1, 2, 2], &[10.0, 11.0, 12.0]), true).unwrap_err();
        assert!(
            matches!(error, CoreError::NotIncreasing { index: 2, .. }),
            "{error}"
        );
        let error = BarSeries::new(columns(&[1, 3, 2], &[10.0, 11.0, 12.0]), true).unwrap_err();
        assert!(
            matches!(error, CoreError::NotIncreasing { index: 2, .. }),
            "{error}"
        );
    }

    #[test]
    fn rejects_invalid_bars_with_the_index() {
        let mut bad = columns(&[1, 2], &[10.0, 11.0]);
        bad.low[1] = 50.0;
        let error = BarSeries::new(bad, true).unwrap_err();
        assert!(
            matches!(
                error,
                CoreError::InvalidBar {
                    index: 1,
                    problem: BarProblem::HighBelowLow { .. },
                    ..
                }
            ),
            "{error}"
        );
        let mut short = columns(&[1, 2], &[10.0, 11.0]);
        short.volume.pop();
        assert!(matches!(
            BarSeries::new(short, true).unwrap_err(),
            CoreError::LengthMismatch {
                field: "volume",
                ..
            }
        ));
    }

    #[test]
    fn close_only_series_mirror_the_close() {
        let series =
            BarSeries::close_only(vec![Timestamp(1), Timestamp(2)], vec![5.0, 6.0], None).unwrap();
        assert_eq!(series.price_fields(), PriceFields::CloseOnly);
        assert!(!series.has_volume());
        assert_eq!(series.high(), series.close());
        assert_eq!(series.volume(), &[0.0, 0.0]);
        let mut parts = series.into_columns();
        parts.high[0] = 7.0;
        assert!(matches!(
            BarSeries::from_parts(parts, PriceFields::CloseOnly, false).unwrap_err(),
            CoreError::CloseOnlyMismatch { index: 0, .. }
        ));
    }
}
