//! Shifted bars: the same market re-built with other bar boundaries, for the "Vs Shifted" test of
//! strategy builders (Build Alpha's robustness guide, <https://www.buildalpha.com/category/uncategorized/>,
//! trains and tests "on noise-adjusted, Monte Carlo permutated, and Vs Shifted" series). A strategy
//! whose edge lives in where the calendar happens to cut the bars, rather than in the market, loses
//! it when the cut moves.
//!
//! What "shifted" means depends on what the bars can be re-built from:
//!
//! - **From finer bars** (the run trades `target` bars made from a `source` series of a shorter
//!   interval: 4h bars from 1h bars, daily bars from hourly bars, weekly bars from daily bars): the
//!   bucket boundaries move by an offset that is a whole number of source bars
//!   ([`BarShift::Offset`], [`resample_with_offset`]). 4h bars from 1h bars shifted by one hour run
//!   01:00-05:00, 05:00-09:00, ... UTC; daily bars from hourly bars shifted by 6 hours run 06:00 to
//!   06:00 (another session close); weekly bars from daily bars shifted by one day run Tuesday to
//!   Monday; monthly bars from daily bars shifted by k days start on day k + 1 of each month. Every
//!   open, high, low, close and volume is re-aggregated, so prices change, not just labels.
//! - **From bars of the same interval** (a daily dataset with no finer data): boundaries cannot move,
//!   so the series starts 1..k bars later ([`BarShift::LaterStart`]). The bars themselves are the
//!   same; what moves is everything counted from the first bar: indicator warm-up and recursive
//!   indicators (EMA, Wilder's RSI and ATR start from other values), and the path of positions (a
//!   trade open at the new first bar is not, so the following entries and exits can differ).
//!
//! [`shift_plan`] picks the shifts for a test of `variants` shifted series.

use gauntlet_core::{BarInterval, BarSeries};
use serde::{Deserialize, Serialize};

use crate::error::DataError;
use crate::resample::{resample, resample_with_offset, shortest_bucket_millis};

/// Most shifted series one test may ask for ([`shift_plan`]): 1,439 one-minute offsets of a day
/// fit, and a test of more series than this costs more backtests than it can tell apart.
pub const MAX_SHIFTED_VARIANTS: usize = 1_440;

/// How one shifted series is made from the source bars.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum BarShift {
    /// Re-aggregate the finer source bars with every bucket boundary moved this many milliseconds
    /// later ([`resample_with_offset`]): a whole number of source bars, shorter than a target bar.
    Offset {
        /// The offset, milliseconds.
        millis: i64,
    },
    /// Drop the first `bars` bars of the target series (after resampling, when the source is finer).
    LaterStart {
        /// Bars dropped from the start, at least 1.
        bars: usize,
    },
}

/// The shifts of a test of `variants` shifted series of `target` bars made from `source` bars:
///
/// - `source` finer than `target` (`source` divides `target`, [`BarInterval::divides`]): `variants`
///   offsets spread evenly over one target bar, offset `j` (1-based) being
///   `floor(j * steps / (variants + 1))` source bars, where `steps` is the number of source bars in
///   the shortest target bar (1h into 4h: `steps = 4`, 3 variants give offsets of 1, 2 and 3 hours, 1
///   variant an offset of 2 hours). The offsets are distinct, at least one source bar and shorter
///   than a target bar.
/// - `source` equal to `target`: later starts of 1, 2, ..., `variants` bars.
///
/// # Errors
/// [`DataError::InvalidField`] (field `variants`) when `variants` is 0, above
/// [`MAX_SHIFTED_VARIANTS`], or (finer source) not below `steps`: there are only `steps - 1` distinct
/// offsets. [`DataError::Resample`] when `target` cannot be made from `source` (coarser source, or
/// not a whole multiple; a monthly source, whose bars have no fixed length to offset by).
pub fn shift_plan(
    source: BarInterval,
    target: BarInterval,
    variants: usize,
) -> Result<Vec<BarShift>, DataError> {
    if variants == 0 || variants > MAX_SHIFTED_VARIANTS {
        return Err(DataError::InvalidField {
            field: "variants".to_string(),
            message: format!(
                "a shifted-bars test needs 1 to {MAX_SHIFTED_VARIANTS} shifted series, got \
                 {variants}"
            ),
        });
    }
    if source == target {
        return Ok((1..=variants)
            .map(|bars| BarShift::LaterStart { bars })
            .collect());
    }
    if !source.divides(target) || matches!(source, BarInterval::Months(_)) {
        return Err(DataError::Resample(format!(
            "{target} bars cannot be re-built with shifted boundaries from {source} bars (the \
             source must be a finer interval that divides the target)"
        )));
    }
    let step = source.nominal_millis();
    let steps = shortest_bucket_millis(target) / step;
    let variants_i64 = variants as i64;
    if variants_i64 >= steps {
        return Err(DataError::InvalidField {
            field: "variants".to_string(),
            message: format!(
                "{target} bars made from {source} bars have {} distinct shifted boundaries, asked \
                 for {variants}",
                steps - 1
            ),
        });
    }
    Ok((1..=variants_i64)
        .map(|j| BarShift::Offset {
            millis: j * steps / (variants_i64 + 1) * step,
        })
        .collect())
}

/// The `target` bars of `source` (bars of `source_interval`) shifted as `shift` says (module
/// documentation): an offset re-aggregates with [`resample_with_offset`]; a later start resamples
/// (when the intervals differ) and drops the first `bars` bars.
///
/// # Errors
/// [`DataError::Resample`] as [`resample_with_offset`] says, and [`DataError::InvalidField`] (field
/// `shift`) when a later start is 0 bars or leaves no bar.
pub fn shifted_bars(
    source: &BarSeries,
    source_interval: BarInterval,
    target_interval: BarInterval,
    shift: BarShift,
) -> Result<BarSeries, DataError> {
    match shift {
        BarShift::Offset { millis } => {
            resample_with_offset(source, source_interval, target_interval, millis)
        }
        BarShift::LaterStart { bars } => {
            let target = if source_interval == target_interval {
                source.clone()
            } else {
                resample(source, source_interval, target_interval)?
            };
            if bars == 0 || bars >= target.len() {
                return Err(DataError::InvalidField {
                    field: "shift".to_string(),
                    message: format!(
                        "a later start must drop at least 1 bar and leave at least 1 of the {} \
                         {target_interval} bars, got {bars}",
                        target.len()
                    ),
                });
            }
            Ok(target.slice(bars..target.len()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use gauntlet_core::{Bar, BarColumns, Timestamp};

    const HOUR: i64 = 3_600_000;

    #[test]
    fn plans_spread_offsets_over_one_target_bar() {
        let (hour, four, day) = (
            BarInterval::Hours(1),
            BarInterval::Hours(4),
            BarInterval::DAILY,
        );
        let offsets = |source, target, variants| {
            shift_plan(source, target, variants)
                .unwrap()
                .into_iter()
                .map(|shift| match shift {
                    BarShift::Offset { millis } => millis,
                    BarShift::LaterStart { .. } => panic!("an offset was expected"),
                })
                .collect::<Vec<_>>()
        };
        // 4 hours in a 4h bar: 3 variants take every hour, 1 variant the middle.
        assert_eq!(offsets(hour, four, 3), [HOUR, 2 * HOUR, 3 * HOUR]);
        assert_eq!(offsets(hour, four, 1), [2 * HOUR]);
        // 24 hours in a day: floor(24 j / 4) = 6, 12, 18 hours.
        assert_eq!(offsets(hour, day, 3), [6 * HOUR, 12 * HOUR, 18 * HOUR]);
        // 7 days in a week, 2 variants: floor(7/3) = 2 and floor(14/3) = 4 days.
        assert_eq!(
            offsets(day, BarInterval::Weeks(1), 2),
            [2 * 24 * HOUR, 4 * 24 * HOUR]
        );
        // Months count 28 days: 1 variant starts them on day 15.
        assert_eq!(offsets(day, BarInterval::Months(1), 1), [14 * 24 * HOUR]);
        assert_eq!(
            shift_plan(day, day, 3).unwrap(),
            [1, 2, 3].map(|bars| BarShift::LaterStart { bars })
        );
        assert!(
            shift_plan(hour, four, 4).is_err(),
            "only 3 distinct offsets"
        );
        assert!(shift_plan(hour, four, 0).is_err());
        assert!(shift_plan(day, day, MAX_SHIFTED_VARIANTS + 1).is_err());
        assert!(shift_plan(four, hour, 1).is_err(), "a coarser source");
        assert!(shift_plan(BarInterval::Months(1), BarInterval::Months(3), 1).is_err());
    }

    #[test]
    fn a_later_start_drops_bars_from_the_target_series() {
        let mut columns = BarColumns::default();
        for hour in 0..8 {
            let price = 10.0 + hour as f64;
            columns.push(Bar {
                timestamp: Timestamp(hour * HOUR),
                open: price,
                high: price + 0.5,
                low: price - 0.5,
                close: price + 0.25,
                volume: 1.0,
            });
        }
        let hourly = BarSeries::new(columns, true).unwrap();
        let (hour, four) = (BarInterval::Hours(1), BarInterval::Hours(4));
        let later = shifted_bars(&hourly, hour, hour, BarShift::LaterStart { bars: 3 }).unwrap();
        assert_eq!(later.first_timestamp(), Some(Timestamp(3 * HOUR)));
        assert_eq!(later.len(), 5);
        // Two 4h bars (00:00 and 04:00); a later start of 1 keeps the 04:00 bar: open 14, close
        // 17.25, high 17.5, low 13.5, volume 4.
        let later = shifted_bars(&hourly, hour, four, BarShift::LaterStart { bars: 1 }).unwrap();
        assert_eq!(later.timestamps(), &[Timestamp(4 * HOUR)]);
        assert_eq!(
            (
                later.open()[0],
                later.high()[0],
                later.low()[0],
                later.close()[0]
            ),
            (14.0, 17.5, 13.5, 17.25)
        );
        assert_eq!(later.volume(), &[4.0]);
        assert!(shifted_bars(&hourly, hour, four, BarShift::LaterStart { bars: 2 }).is_err());
        assert!(shifted_bars(&hourly, hour, hour, BarShift::LaterStart { bars: 0 }).is_err());
        // An offset of 2 hours: buckets at -2h (hours 0-1), 2h (hours 2-5), 6h (hours 6-7).
        let offset =
            shifted_bars(&hourly, hour, four, BarShift::Offset { millis: 2 * HOUR }).unwrap();
        assert_eq!(
            offset.timestamps(),
            &[
                Timestamp(-2 * HOUR),
                Timestamp(2 * HOUR),
                Timestamp(6 * HOUR)
            ]
        );
        assert_eq!(offset.open(), &[10.0, 12.0, 16.0]);
        assert_eq!(offset.close(), &[11.25, 15.25, 17.25]);
    }
}
