//! Higher timeframes in formulas: `tf("1d", x)` reads `x` on bars of a coarser timeframe built
//! from the data's bars, from **completed** periods only.
//!
//! Semantics: the bars of the data are grouped into periods by [`BarInterval::floor`] of their
//! open time (UTC-aligned minutes and hours, UTC days, weeks from Monday 00:00 UTC), each period
//! aggregated into one bar as gauntlet-data's [`gauntlet_data::resample`] does (open of the first
//! bar, highest high, lowest low, close of the last, volumes added in time order, stamped with the
//! period's start). At a bar of period k, `tf(P, x)` is the value `x` has on period k-1's bar (so
//! `NaN`, or unknown for a condition, during the first period): a period counts as complete
//! once a bar of a later period has been seen. This never reads ahead, whatever the bars' length
//! or gaps: the value at bar t depends only on bars of periods before t's own, which all opened
//! (and closed) before t, so cutting the data after any bar leaves every earlier value unchanged.
//! It is Pine's non-repainting `request.security(syminfo.tickerid, "D", x[1], lookahead =
//! barmerge.lookahead_on)` with periods on UTC days. The price of this safety: on a period's
//! last bar the period's own bar, complete at that bar's close, is still not seen (it is from the
//! next bar on).
//!
//! `tf` takes numbers as well as conditions: `close > tf("1d", sma(close, 50))` compares each
//! hourly close with the last completed day's average, which a `tf` of conditions alone cannot
//! write; the inner expression is evaluated on the period bars either way.
//!
//! A close-only series is aggregated as the bars it is made of (open, high and low equal to the
//! close), so a week's high is its highest close, as the streaming form, which sees bars only, does.

use gauntlet_core::{Bar, BarInterval, BarSeries, MILLIS_PER_DAY, Timestamp};

use crate::error::BlocksError;

/// The timeframes `tf` accepts, in words (for errors and the catalogue).
pub const TIMEFRAMES_ACCEPTED: &str =
    "minutes or hours that divide a day (\"15m\", \"1h\", \"4h\", \"12h\"), \"1d\" or \"1w\"";

/// Whether `tf` accepts `timeframe`: minutes or hours whose length divides a day (so periods nest
/// in UTC days and the exports compute them with integer arithmetic), one day or one week.
pub(crate) fn accepts(timeframe: BarInterval) -> bool {
    match timeframe {
        BarInterval::Minutes(_) | BarInterval::Hours(_) => {
            MILLIS_PER_DAY % timeframe.nominal_millis() == 0
        }
        BarInterval::Days(days) => days == 1,
        BarInterval::Weeks(weeks) => weeks == 1,
        BarInterval::Months(_) => false,
    }
}

/// Parses `tf`'s timeframe text (`1d`, `4h`, `1w`; as gauntlet-core's [`BarInterval`] reads it).
///
/// # Errors
/// A message naming the text and what is accepted ([`TIMEFRAMES_ACCEPTED`]).
pub(crate) fn parse_timeframe(text: &str) -> Result<BarInterval, String> {
    match text.parse::<BarInterval>() {
        Ok(timeframe) if accepts(timeframe) => Ok(timeframe),
        _ => Err(format!(
            "unknown timeframe \"{text}\": tf takes {TIMEFRAMES_ACCEPTED}"
        )),
    }
}

/// Milliseconds since the epoch where `timeframe`'s periods are counted from: Monday 1970-01-05
/// for weeks, the epoch otherwise. Period of a bar opening at `t`: `(t - origin) div width`.
pub(crate) fn origin_millis(timeframe: BarInterval) -> i64 {
    match timeframe {
        BarInterval::Weeks(_) => 4 * MILLIS_PER_DAY,
        _ => 0,
    }
}

/// A length in milliseconds as people read it: `1h`, `30m`, `1d`, else `N ms`.
fn duration(millis: i64) -> String {
    const MINUTE: i64 = 60_000;
    const HOUR: i64 = 60 * MINUTE;
    if millis > 0 && millis % MILLIS_PER_DAY == 0 {
        format!("{}d", millis / MILLIS_PER_DAY)
    } else if millis > 0 && millis % HOUR == 0 {
        format!("{}h", millis / HOUR)
    } else if millis > 0 && millis % MINUTE == 0 {
        format!("{}m", millis / MINUTE)
    } else {
        format!("{millis} ms")
    }
}

/// The shortest gap between consecutive bars (the data's bar interval as far as the bars show
/// it), `None` for fewer than two bars.
pub(crate) fn spacing(timestamps: &[Timestamp]) -> Option<i64> {
    timestamps
        .windows(2)
        .map(|pair| pair[1].millis() - pair[0].millis())
        .min()
}

/// An error unless `timeframe` is longer than the data's bars (`spacing`, see [`spacing`]).
pub(crate) fn check_spacing(
    expression: &str,
    timeframe: BarInterval,
    spacing: Option<i64>,
) -> Result<(), BlocksError> {
    match spacing {
        Some(gap) if timeframe.nominal_millis() <= gap => Err(BlocksError::Timeframe {
            expression: expression.to_string(),
            message: format!(
                "the timeframe {timeframe} is not longer than this data's bars ({} apart): \
                 tf needs a coarser timeframe",
                duration(gap)
            ),
        }),
        _ => Ok(()),
    }
}

/// The bars of `series` aggregated into `timeframe` periods by gauntlet-data's resampling (a
/// close-only series as the bars it is made of), and the period of each bar of `series` (an index
/// into the aggregated bars).
///
/// # Errors
/// gauntlet-data's resampling error, as text (none is expected: every bar is valid).
pub(crate) fn periods(
    series: &BarSeries,
    timeframe: BarInterval,
) -> Result<(BarSeries, Vec<usize>), String> {
    let ohlc;
    let bars = match series.price_fields() {
        gauntlet_core::PriceFields::Ohlc => series,
        gauntlet_core::PriceFields::CloseOnly => {
            ohlc = BarSeries::new(series.columns().clone(), series.has_volume())
                .expect("a checked series' bars are valid bars");
            &ohlc
        }
    };
    // Every accepted timeframe is whole minutes, so one minute passes resample's check that the
    // target is a whole multiple of the source; resample buckets each bar by its open time alone.
    let resampled = gauntlet_data::resample(bars, BarInterval::Minutes(1), timeframe)
        .map_err(|error| error.to_string())?;
    let mut index = Vec::with_capacity(series.len());
    let mut period: Option<(usize, Timestamp)> = None;
    for &timestamp in series.timestamps() {
        let start = timeframe.floor(timestamp);
        let next = match period {
            Some((current, open)) if open == start => current,
            Some((current, _)) => current + 1,
            None => 0,
        };
        period = Some((next, start));
        index.push(next);
    }
    debug_assert_eq!(index.last().map_or(0, |last| last + 1), resampled.len());
    Ok((resampled, index))
}

/// The period bar being built from a stream of bars, as [`periods`] builds them in batch.
#[derive(Debug, Clone)]
pub(crate) struct PeriodBuilder {
    timeframe: BarInterval,
    current: Option<Bar>,
}

impl PeriodBuilder {
    /// No bar seen yet.
    pub(crate) fn new(timeframe: BarInterval) -> Self {
        Self {
            timeframe,
            current: None,
        }
    }

    /// Feeds the next bar; returns the previous period's bar when `bar` opens a later period
    /// (that period is then complete).
    pub(crate) fn push(&mut self, bar: &Bar) -> Option<Bar> {
        let start = self.timeframe.floor(bar.timestamp);
        match &mut self.current {
            Some(current) if current.timestamp == start => {
                current.high = current.high.max(bar.high);
                current.low = current.low.min(bar.low);
                current.close = bar.close;
                current.volume += bar.volume;
                None
            }
            _ => self.current.replace(Bar {
                timestamp: start,
                ..*bar
            }),
        }
    }
}

/// `values` of the periods mapped to the bars: at a bar of period k, the value of period k-1
/// (`missing` in the first period).
pub(crate) fn previous_period<T: Copy>(index: &[usize], values: &[T], missing: T) -> Vec<T> {
    index
        .iter()
        .map(|&period| {
            if period == 0 {
                missing
            } else {
                values[period - 1]
            }
        })
        .collect()
}
