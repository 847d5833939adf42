//! Resampling to a coarser bar interval with standard OHLCV aggregation, with the bucket boundaries
//! where the calendar puts them or moved by an offset (the shifted-bars test, #33).

use gauntlet_core::{BarColumns, BarInterval, BarSeries, MILLIS_PER_DAY, PriceFields, Timestamp};

use crate::error::DataError;

/// Aggregates `series` (bars of `from`) into bars of `to`.
///
/// Each output bar covers one `to` bucket ([`BarInterval::floor`]: UTC-aligned hours and days, weeks
/// from Monday, calendar months) and is stamped with the bucket's start (bar open convention): open =
/// first open, high = highest high, low = lowest low, close = last close, volume = sum of volumes (added
/// in time order). Buckets without any input bar produce no output bar; a bucket only partly covered
/// (the first and last, or around a gap) is kept as it is. A close-only series stays close-only (the
/// output close is the bucket's last close). This is pandas' `resample(...).agg({open: first, high:
/// max, low: min, close: last, volume: sum})` with `label="left", closed="left"`.
///
/// The same as [`resample_with_offset`] with an offset of 0.
///
/// # Errors
/// [`DataError::Resample`] when `to` is not a whole multiple of `from` (see [`BarInterval::divides`]).
pub fn resample(
    series: &BarSeries,
    from: BarInterval,
    to: BarInterval,
) -> Result<BarSeries, DataError> {
    resample_with_offset(series, from, to, 0)
}

/// Aggregates `series` (bars of `from`) into bars of `to` whose boundaries are moved
/// `offset_millis` milliseconds later than [`resample`]'s: the bucket of a bar opening at `t` starts
/// at `to.floor(t - offset) + offset`. With hourly bars, `to = 4h` and an offset of one hour, the
/// buckets are 01:00-05:00, 05:00-09:00, ... UTC instead of 00:00-04:00, ...; with `to = 1d` and an
/// offset of 6 hours, each day runs from 06:00 UTC to 06:00 the next day; with daily bars, `to = 1w`
/// and an offset of one day, weeks start on Tuesday. Every output bar is stamped with its bucket's
/// start, so a bar may be stamped before the first input bar (the bucket that holds it began
/// earlier). Aggregation is [`resample`]'s. This is pandas' `resample(rule, offset=offset,
/// label="left", closed="left")` where the rule divides a day (pandas' default origin, the first
/// day's midnight, then falls on the same grid as the epoch) and Zorro's `BarOffset`.
///
/// The offset must be a whole number of `from` intervals, so that every input bar lies inside one
/// bucket, and must be shorter than the shortest `to` bucket (28 days a month for month buckets); a
/// `from` of months takes no offset.
///
/// # Errors
/// [`DataError::Resample`] when `to` is not a whole multiple of `from` or the offset is negative, not
/// a whole number of `from` intervals, or not shorter than a `to` bucket.
pub fn resample_with_offset(
    series: &BarSeries,
    from: BarInterval,
    to: BarInterval,
    offset_millis: i64,
) -> Result<BarSeries, DataError> {
    if !from.divides(to) {
        return Err(DataError::Resample(format!(
            "{to} bars cannot be made exactly from {from} bars (the target must be a coarser whole \
             multiple)"
        )));
    }
    check_offset(from, to, offset_millis)?;
    let mut output = BarColumns::with_capacity(series.len());
    let mut current: Option<Timestamp> = None;
    for bar in series.bars() {
        let shifted = Timestamp(bar.timestamp.millis() - offset_millis);
        let bucket = Timestamp(to.floor(shifted).millis() + offset_millis);
        if current == Some(bucket) {
            let last = output.len() - 1;
            output.high[last] = output.high[last].max(bar.high);
            output.low[last] = output.low[last].min(bar.low);
            output.close[last] = bar.close;
            output.volume[last] += bar.volume;
        } else {
            current = Some(bucket);
            output.push(bar);
            let last = output.len() - 1;
            output.timestamps[last] = bucket;
        }
    }
    let result = match series.price_fields() {
        PriceFields::Ohlc => BarSeries::new(output, series.has_volume()),
        PriceFields::CloseOnly => {
            let volume = series.has_volume().then_some(output.volume);
            BarSeries::close_only(output.timestamps, output.close, volume)
        }
    };
    result.map_err(|source| DataError::Core {
        context: format!("resampling {from} to {to} with an offset of {offset_millis} ms"),
        source,
    })
}

/// The length of the shortest bucket of `interval`, in milliseconds (a month counts 28 days).
pub(crate) fn shortest_bucket_millis(interval: BarInterval) -> i64 {
    match interval {
        BarInterval::Months(n) => i64::from(n) * 28 * MILLIS_PER_DAY,
        other => other.nominal_millis(),
    }
}

/// Checks an offset for [`resample_with_offset`].
fn check_offset(from: BarInterval, to: BarInterval, offset_millis: i64) -> Result<(), DataError> {
    let bucket = shortest_bucket_millis(to);
    if !(0..bucket).contains(&offset_millis) {
        return Err(DataError::Resample(format!(
            "the offset of {offset_millis} ms must be at least 0 and shorter than a {to} bar \
             ({bucket} ms)"
        )));
    }
    if offset_millis != 0 {
        let whole = match from {
            BarInterval::Months(_) => false,
            other => offset_millis % other.nominal_millis() == 0,
        };
        if !whole {
            return Err(DataError::Resample(format!(
                "the offset of {offset_millis} ms is not a whole number of {from} bars (each {from} \
                 bar must fall inside one {to} bar)"
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use gauntlet_core::Bar;

    const HOUR: i64 = 3_600_000;

    fn hourly(bars: &[(i64, f64, f64, f64, f64, f64)]) -> BarSeries {
        let mut columns = BarColumns::default();
        for &(hour, open, high, low, close, volume) in bars {
            columns.push(Bar {
                timestamp: Timestamp(hour * HOUR),
                open,
                high,
                low,
                close,
                volume,
            });
        }
        BarSeries::new(columns, true).unwrap()
    }

    #[test]
    fn aggregates_ohlcv_into_left_labelled_buckets() {
        // Hours 0-3 fall in the 00:00 4h bucket, hours 5 and 6 in the 04:00 bucket (hour 4 is missing).
        let series = hourly(&[
            (0, 10.0, 12.0, 9.0, 11.0, 100.0),
            (1, 11.0, 15.0, 10.0, 14.0, 50.0),
            (2, 14.0, 14.5, 8.0, 9.0, 25.0),
            (3, 9.0, 10.0, 8.5, 9.5, 5.0),
            (5, 9.5, 11.0, 9.0, 10.0, 1.0),
            (6, 10.0, 10.5, 7.0, 8.0, 2.0),
        ]);
        let four_hourly = resample(&series, BarInterval::Hours(1), BarInterval::Hours(4)).unwrap();
        assert_eq!(
            four_hourly.timestamps(),
            &[Timestamp(0), Timestamp(4 * HOUR)]
        );
        assert_eq!(four_hourly.open(), &[10.0, 9.5]);
        assert_eq!(four_hourly.high(), &[15.0, 11.0]);
        assert_eq!(four_hourly.low(), &[8.0, 7.0]);
        assert_eq!(four_hourly.close(), &[9.5, 8.0]);
        assert_eq!(four_hourly.volume(), &[180.0, 3.0]);
        let daily = resample(&series, BarInterval::Hours(1), BarInterval::DAILY).unwrap();
        assert_eq!(daily.len(), 1);
        assert_eq!((daily.open()[0], daily.close()[0]), (10.0, 8.0));
    }

    #[test]
    fn refuses_a_target_that_is_not_a_coarser_multiple() {
        let series = hourly(&[(0, 1.0, 1.0, 1.0, 1.0, 0.0)]);
        assert!(resample(&series, BarInterval::Hours(4), BarInterval::Hours(6)).is_err());
        assert!(resample(&series, BarInterval::DAILY, BarInterval::Hours(1)).is_err());
    }
    #[test]
    fn an_offset_moves_every_bucket_boundary_by_hand() {
        // Hours 24-30 (1970-01-02 00:00 to 06:00).
        let series = hourly(&[
            (24, 10.0, 12.0, 9.0, 11.0, 100.0),
            (25, 11.0, 15.0, 10.0, 14.0, 50.0),
            (26, 14.0, 14.5, 8.0, 9.0, 25.0),
            (27, 9.0, 10.0, 8.5, 9.5, 5.0),
            (28, 9.5, 11.0, 9.0, 10.0, 1.0),
            (29, 10.0, 10.5, 7.0, 8.0, 2.0),
            (30, 8.0, 9.0, 7.5, 8.5, 3.0),
        ]);
        let four = |offset_hours: i64| {
            resample_with_offset(
                &series,
                BarInterval::Hours(1),
                BarInterval::Hours(4),
                offset_hours * HOUR,
            )
            .unwrap()
        };
        // No offset: 00:00-04:00 holds hours 24-27, 04:00-08:00 hours 28-30.
        let plain = four(0);
        assert_eq!(
            plain,
            resample(&series, BarInterval::Hours(1), BarInterval::Hours(4)).unwrap()
        );
        assert_eq!(
            plain.timestamps(),
            &[Timestamp(24 * HOUR), Timestamp(28 * HOUR)]
        );
        assert_eq!(plain.open(), &[10.0, 9.5]);
        assert_eq!(plain.high(), &[15.0, 11.0]);
        assert_eq!(plain.low(), &[8.0, 7.0]);
        assert_eq!(plain.close(), &[9.5, 8.5]);
        assert_eq!(plain.volume(), &[180.0, 6.0]);
        // One hour: buckets 21:00 (hour 24 alone), 01:00 (hours 25-28), 05:00 (hours 29-30).
        let one = four(1);
        assert_eq!(
            one.timestamps(),
            &[
                Timestamp(21 * HOUR),
                Timestamp(25 * HOUR),
                Timestamp(29 * HOUR)
            ]
        );
        assert_eq!(one.open(), &[10.0, 11.0, 10.0]);
        assert_eq!(one.high(), &[12.0, 15.0, 10.5]);
        assert_eq!(one.low(), &[9.0, 8.0, 7.0]);
        assert_eq!(one.close(), &[11.0, 10.0, 8.5]);
        assert_eq!(one.volume(), &[100.0, 81.0, 5.0]);
        // Two hours: buckets 22:00 (hours 24-25), 02:00 (hours 26-29), 06:00 (hour 30).
        let two = four(2);
        assert_eq!(
            two.timestamps(),
            &[
                Timestamp(22 * HOUR),
                Timestamp(26 * HOUR),
                Timestamp(30 * HOUR)
            ]
        );
        assert_eq!(two.open(), &[10.0, 14.0, 8.0]);
        assert_eq!(two.high(), &[15.0, 14.5, 9.0]);
        assert_eq!(two.low(), &[9.0, 7.0, 7.5]);
        assert_eq!(two.close(), &[14.0, 8.0, 8.5]);
        assert_eq!(two.volume(), &[150.0, 33.0, 3.0]);
    }

    #[test]
    fn a_one_day_offset_starts_weeks_on_tuesday() {
        // Daily closes 4.0 ... 13.0 on days 4-13: 1970-01-05 (a Monday) to 1970-01-14.
        let timestamps: Vec<Timestamp> = (4..14).map(|day| Timestamp(day * 24 * HOUR)).collect();
        let closes: Vec<f64> = (4..14).map(|day| day as f64).collect();
        let series = BarSeries::close_only(timestamps, closes, None).unwrap();
        let weekly = resample_with_offset(
            &series,
            BarInterval::DAILY,
            BarInterval::Weeks(1),
            24 * HOUR,
        )
        .unwrap();
        // Monday the 5th belongs to the week from Tuesday 1969-12-30 (day -2); Tuesday the 6th to
        // Monday the 12th form the next week; the 13th and 14th open the one after.
        assert_eq!(
            weekly.timestamps(),
            &[
                Timestamp(-2 * 24 * HOUR),
                Timestamp(5 * 24 * HOUR),
                Timestamp(12 * 24 * HOUR)
            ]
        );
        assert_eq!(weekly.close(), &[4.0, 11.0, 13.0]);
        assert_eq!(weekly.price_fields(), PriceFields::CloseOnly);
        assert!(!weekly.has_volume());
    }

    #[test]
    fn refuses_an_offset_that_splits_a_bar_or_spans_a_bucket() {
        let series = hourly(&[(0, 1.0, 1.0, 1.0, 1.0, 0.0)]);
        let with = |from, to, offset| resample_with_offset(&series, from, to, offset);
        let (hour, four, day) = (
            BarInterval::Hours(1),
            BarInterval::Hours(4),
            BarInterval::DAILY,
        );
        assert!(
            with(hour, four, HOUR / 2).is_err(),
            "half an hour splits hourly bars"
        );
        assert!(
            with(hour, four, 4 * HOUR).is_err(),
            "a whole bucket is no offset"
        );
        assert!(with(hour, four, -HOUR).is_err());
        assert!(with(day, BarInterval::Months(1), 28 * 24 * HOUR).is_err());
        assert!(with(day, BarInterval::Months(1), 27 * 24 * HOUR).is_ok());
        assert!(with(BarInterval::Months(1), BarInterval::Months(3), 24 * HOUR).is_err());
        let message = with(hour, four, HOUR / 2).unwrap_err().to_string();
        assert!(
            message.contains("not a whole number of 1h bars"),
            "{message}"
        );
    }
}
