//! In-sample / validation / holdout splits, by fraction of bars or by date.
//!
//! The three parts are consecutive and in time order: in-sample (breeding) first, then validation
//! (choosing champions), then holdout (reported once, never used to choose).

use std::ops::Range;

use gauntlet_core::{BarSeries, Timestamp};
use serde::{Deserialize, Serialize};

use crate::error::DataError;

/// How to split a series.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum SplitSpec {
    /// By share of bars: the last `holdout` fraction is holdout, the `validation` fraction before it is
    /// validation, the rest in-sample. Fractions are in [0, 1) and `validation + holdout < 1`.
    Fractions {
        /// Share of bars for validation (0.2 = 20%).
        validation: f64,
        /// Share of bars for holdout.
        holdout: f64,
    },
    /// By date: bars opening before `validation_start` are in-sample, bars from `validation_start` to
    /// before `holdout_start` validation, the rest holdout.
    Dates {
        /// First time of the validation part.
        validation_start: Timestamp,
        /// First time of the holdout part.
        holdout_start: Timestamp,
    },
}

/// The bar-index ranges of the three parts of a split.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SplitRanges {
    /// Bars used for breeding.
    pub in_sample: Range<usize>,
    /// Bars used to choose champions.
    pub validation: Range<usize>,
    /// Bars reported once at the end, never used to choose.
    pub holdout: Range<usize>,
}

impl SplitRanges {
    /// The three parts as series: `[in_sample, validation, holdout]`.
    pub fn apply(&self, series: &BarSeries) -> [BarSeries; 3] {
        [
            series.slice(self.in_sample.clone()),
            series.slice(self.validation.clone()),
            series.slice(self.holdout.clone()),
        ]
    }
}

/// Splits `series` as `spec` says.
///
/// With fractions, part sizes are `floor(n * share)` bar counts taken from the end (holdout, then
/// validation); in-sample gets the rest.
///
/// # Errors
/// [`DataError::InvalidSplit`] when a fraction is out of range, dates are out of order, or a part with a
/// non-zero share (or, for dates, any part) would be empty; the message names the part and the data's
/// range.
pub fn split(series: &BarSeries, spec: SplitSpec) -> Result<SplitRanges, DataError> {
    let bars = series.len();
    let span = || match (series.first_timestamp(), series.last_timestamp()) {
        (Some(first), Some(last)) => format!("the data has {bars} bars from {first} to {last}"),
        _ => "the data has no bars".to_string(),
    };
    let ranges = match spec {
        SplitSpec::Fractions {
            validation,
            holdout,
        } => {
            for (name, share) in [("validation", validation), ("holdout", holdout)] {
                if !(0.0..1.0).contains(&share) {
                    return Err(DataError::InvalidSplit(format!(
                        "the {name} fraction must be in [0, 1), got {share}"
                    )));
                }
            }
            if validation + holdout >= 1.0 {
                return Err(DataError::InvalidSplit(format!(
                    "validation ({validation}) + holdout ({holdout}) must leave some in-sample bars"
                )));
            }
            let holdout_bars = (bars as f64 * holdout).floor() as usize;
            let validation_bars = (bars as f64 * validation).floor() as usize;
            let holdout_start = bars - holdout_bars;
            let validation_start = holdout_start.saturating_sub(validation_bars);
            for (name, share, count) in [
                ("validation", validation, validation_bars),
                ("holdout", holdout, holdout_bars),
            ] {
                if share > 0.0 && count == 0 {
                    return Err(DataError::InvalidSplit(format!(
                        "the {name} part would be empty ({share} of {bars} bars); {}",
                        span()
                    )));
                }
            }
            SplitRanges {
                in_sample: 0..validation_start,
                validation: validation_start..holdout_start,
                holdout: holdout_start..bars,
            }
        }
        SplitSpec::Dates {
            validation_start,
            holdout_start,
        } => {
            if validation_start >= holdout_start {
                return Err(DataError::InvalidSplit(format!(
                    "validation_start {validation_start} must be before holdout_start {holdout_start}"
                )));
            }
            let validation_index = series.index_at_or_after(validation_start);
            let holdout_index = series.index_at_or_after(holdout_start);
            let ranges = SplitRanges {
                in_sample: 0..validation_index,
                validation: validation_index..holdout_index,
                holdout: holdout_index..bars,
            };
            for (name, range) in [
                ("validation", &ranges.validation),
                ("holdout", &ranges.holdout),
            ] {
                if range.is_empty() {
                    return Err(DataError::InvalidSplit(format!(
                        "the {name} part would be empty; {}",
                        span()
                    )));
                }
            }
            ranges
        }
    };
    if ranges.in_sample.is_empty() {
        return Err(DataError::InvalidSplit(format!(
            "the in-sample part would be empty; {}",
            span()
        )));
    }
    Ok(ranges)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = 86_400_000;

    fn series(bars: usize) -> BarSeries {
        let times = (0..bars as i64).map(|day| Timestamp(day * DAY)).collect();
        BarSeries::close_only(times, vec![1.0; bars], None).unwrap()
    }

    #[test]
    fn fractions_take_whole_bars_from_the_end() {
        // 10 bars, 20% validation, 30% holdout: holdout = floor(3.0) = 3 bars (7..10),
        // validation = floor(2.0) = 2 bars (5..7), in-sample 0..5.
        let ranges = split(
            &series(10),
            SplitSpec::Fractions {
                validation: 0.2,
                holdout: 0.3,
            },
        )
        .unwrap();
        assert_eq!(ranges.in_sample, 0..5);
        assert_eq!(ranges.validation, 5..7);
        assert_eq!(ranges.holdout, 7..10);
        let [in_sample, validation, holdout] = ranges.apply(&series(10));
        assert_eq!(
            (in_sample.len(), validation.len(), holdout.len()),
            (5, 2, 3)
        );
    }

    #[test]
    fn dates_split_at_the_first_bar_on_or_after() {
        let ranges = split(
            &series(10),
            SplitSpec::Dates {
                validation_start: Timestamp(4 * DAY + 1),
                holdout_start: Timestamp(8 * DAY),
            },
        )
        .unwrap();
        assert_eq!(ranges.in_sample, 0..5);
        assert_eq!(ranges.validation, 5..8);
        assert_eq!(ranges.holdout, 8..10);
    }

    #[test]
    fn refuses_empty_parts_and_bad_fractions() {
        let spec = SplitSpec::Fractions {
            validation: 0.05,
            holdout: 0.2,
        };
        let error = split(&series(10), spec).unwrap_err().to_string();
        assert!(error.contains("validation part would be empty"), "{error}");
        let error = split(
            &series(10),
            SplitSpec::Dates {
                validation_start: Timestamp(20 * DAY),
                holdout_start: Timestamp(30 * DAY),
            },
        )
        .unwrap_err()
        .to_string();
        assert!(error.contains("validation part would be empty"), "{error}");
        assert!(
            split(
                &series(10),
                SplitSpec::Fractions {
                    validation: 0.6,
                    holdout: 0.4
                }
            )
            .is_err()
        );
        assert!(
            split(
                &series(10),
                SplitSpec::Fractions {
                    validation: -0.1,
                    holdout: 0.2
                }
            )
            .is_err()
        );
    }
}
