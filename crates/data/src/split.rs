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
    /// before `holdout_start` validation, the rest holdout. In a file each is an ISO date
    /// (`"2018-01-01"`, 00:00 UTC), an RFC 3339 date-time, a TOML date (`2018-01-01`) or epoch
    /// milliseconds; written back as epoch milliseconds.
    Dates {
        /// First time of the validation part.
        #[serde(deserialize_with = "milliseconds_or_date")]
        validation_start: Timestamp,
        /// First time of the holdout part.
        #[serde(deserialize_with = "milliseconds_or_date")]
        holdout_start: Timestamp,
    },
}

/// A split date from a file: epoch milliseconds, or a date text (`2018-01-01`, RFC 3339), or a
/// TOML date literal (which the `toml` crate hands over as a one-entry map holding its text).
fn milliseconds_or_date<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Timestamp, D::Error> {
    struct DateVisitor;

    impl<'de> serde::de::Visitor<'de> for DateVisitor {
        type Value = Timestamp;

        fn expecting(&self, formatter: &mut std::fmt::Formatter) -> std::fmt::Result {
            formatter.write_str("a date (\"2018-01-01\") or epoch milliseconds")
        }
        fn visit_i64<E: serde::de::Error>(self, value: i64) -> Result<Timestamp, E> {
            Ok(Timestamp(value))
        }
        fn visit_u64<E: serde::de::Error>(self, value: u64) -> Result<Timestamp, E> {
            i64::try_from(value)
                .map(Timestamp)
                .map_err(|_| E::custom(format!("{value} is past any date")))
        }
        fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<Timestamp, E> {
            let text = text.trim();
            if let Ok(date) = Timestamp::parse_date(text) {
                return Ok(date);
            }
            chrono::DateTime::parse_from_rfc3339(text)
                .map(|time| Timestamp(time.timestamp_millis()))
                .map_err(|_| {
                    E::custom(format!(
                        "'{text}' is not a date (YYYY-MM-DD or RFC 3339) nor epoch milliseconds"
                    ))
                })
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(
            self,
            mut map: A,
        ) -> Result<Timestamp, A::Error> {
            match map.next_entry::<String, String>()? {
                Some((_, text)) => self.visit_str(&text),
                None => Err(serde::de::Error::custom("expected a date")),
            }
        }
    }

    deserializer.deserialize_any(DateVisitor)
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
    fn split_dates_read_as_iso_dates_toml_dates_or_milliseconds() {
        #[derive(Deserialize)]
        struct File {
            split: SplitSpec,
        }
        // 2018-01-01 and 2019-06-01 00:00 UTC: 17,532 and 18,048 days after the epoch.
        let expected = SplitSpec::Dates {
            validation_start: Timestamp(17_532 * DAY),
            holdout_start: Timestamp(18_048 * DAY),
        };
        for text in [
            "[split.dates]\nvalidation_start = \"2018-01-01\"\nholdout_start = \"2019-06-01T00:00:00Z\"\n",
            "[split.dates]\nvalidation_start = 2018-01-01\nholdout_start = 2019-06-01\n",
            "[split.dates]\nvalidation_start = 1514764800000\nholdout_start = 1559347200000\n",
        ] {
            let file: File = toml::from_str(text).unwrap_or_else(|error| panic!("{text}: {error}"));
            assert_eq!(file.split, expected, "{text}");
        }
        let error = toml::from_str::<File>(
            "[split.dates]\nvalidation_start = \"soon\"\nholdout_start = 1\n",
        )
        .err()
        .unwrap()
        .to_string();
        assert!(error.contains("'soon' is not a date"), "{error}");
        // Written back as milliseconds, as before.
        let written = toml::to_string(&expected).unwrap();
        assert!(written.contains("1514764800000"), "{written}");
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
