//! Resampling to a coarser bar interval with standard OHLCV aggregation.

use gauntlet_core::{BarColumns, BarInterval, BarSeries, PriceFields, Timestamp};

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
/// # Errors
/// [`DataError::Resample`] when `to` is not a whole multiple of `from` (see [`BarInterval::divides`]).
pub fn resample(
    series: &BarSeries,
    from: BarInterval,
    to: BarInterval,
) -> Result<BarSeries, DataError> {
    if !from.divides(to) {
        return Err(DataError::Resample(format!(
            "{to} bars cannot be made exactly from {from} bars (the target must be a coarser whole \
             multiple)"
        )));
    }
    let mut output = BarColumns::with_capacity(series.len());
    let mut current: Option<Timestamp> = None;
    for bar in series.bars() {
        let bucket = to.floor(bar.timestamp);
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
        context: format!("resampling {from} to {to}"),
        source,
    })
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
}
