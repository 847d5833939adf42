//! Summary statistics of a dataset: size, range, gaps, stale and flat bars, zero volume, big moves.

use gauntlet_core::{BarInterval, BarSeries, PriceFields, Timestamp};
use serde::Serialize;

/// How many of the largest one-bar moves a summary lists.
pub const LARGEST_MOVES_LISTED: usize = 5;

/// A stretch of time between two consecutive bars longer than the gap threshold.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Gap {
    /// Open time of the bar before the gap.
    pub after: Timestamp,
    /// Open time of the bar after the gap.
    pub before: Timestamp,
    /// The distance between the two opens, in bar intervals (nominal length).
    pub intervals: f64,
}

/// One bar's close-to-close move.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Move {
    /// Open time of the bar whose close moved.
    pub timestamp: Timestamp,
    /// The previous bar's close.
    pub from_close: f64,
    /// This bar's close.
    pub to_close: f64,
    /// `to_close / from_close - 1`, a fraction (-0.2 is a 20% fall).
    pub change: f64,
}

/// Summary statistics of a series.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DatasetSummary {
    /// Number of bars.
    pub rows: usize,
    /// Open time of the first bar.
    pub first: Option<Timestamp>,
    /// Open time of the last bar.
    pub last: Option<Timestamp>,
    /// Real OHLC or close-only.
    pub price_fields: PriceFields,
    /// Whether the source had volumes.
    pub has_volume: bool,
    /// Lowest close.
    pub min_close: Option<f64>,
    /// Highest close.
    pub max_close: Option<f64>,
    /// A gap is a distance between consecutive bar opens of more than this many intervals.
    pub gap_threshold_intervals: f64,
    /// Number of gaps.
    pub gap_count: usize,
    /// The longest distance between consecutive bars (reported even when under the threshold).
    pub longest_gap: Option<Gap>,
    /// Bars whose close equals the previous bar's close.
    pub stale_rows: usize,
    /// Bars with open = high = low = close (`None` for close-only data, where every bar looks flat).
    pub flat_bars: Option<usize>,
    /// Bars with zero volume (`None` when the source has no volume).
    pub zero_volume_rows: Option<usize>,
    /// The largest one-bar close-to-close moves by size, largest first.
    pub largest_moves: Vec<Move>,
}

/// Summarises `series`, whose bars are `interval` long; a gap is a distance between consecutive opens
/// of more than `gap_threshold_intervals` intervals (4 on daily data counts the 2001-09-11 closure
/// but not a long weekend).
pub fn summarize(
    series: &BarSeries,
    interval: BarInterval,
    gap_threshold_intervals: f64,
) -> DatasetSummary {
    let interval_ms = interval.nominal_millis() as f64;
    let times = series.timestamps();
    let closes = series.close();
    let mut gap_count = 0;
    let mut longest_gap: Option<Gap> = None;
    let mut stale_rows = 0;
    let mut moves: Vec<Move> = Vec::with_capacity(series.len().saturating_sub(1));
    for index in 1..series.len() {
        let intervals = (times[index].millis() - times[index - 1].millis()) as f64 / interval_ms;
        if intervals > gap_threshold_intervals {
            gap_count += 1;
        }
        if longest_gap.is_none_or(|gap| intervals > gap.intervals) {
            longest_gap = Some(Gap {
                after: times[index - 1],
                before: times[index],
                intervals,
            });
        }
        if closes[index] == closes[index - 1] {
            stale_rows += 1;
        }
        moves.push(Move {
            timestamp: times[index],
            from_close: closes[index - 1],
            to_close: closes[index],
            change: closes[index] / closes[index - 1] - 1.0,
        });
    }
    moves.sort_by(|a, b| {
        b.change
            .abs()
            .total_cmp(&a.change.abs())
            .then(a.timestamp.cmp(&b.timestamp))
    });
    moves.truncate(LARGEST_MOVES_LISTED);
    let flat_bars = (series.price_fields() == PriceFields::Ohlc).then(|| {
        (0..series.len())
            .filter(|&index| {
                let close = closes[index];
                series.open()[index] == close
                    && series.high()[index] == close
                    && series.low()[index] == close
            })
            .count()
    });
    let zero_volume_rows = series.has_volume().then(|| {
        series
            .volume()
            .iter()
            .filter(|&&volume| volume == 0.0)
            .count()
    });
    DatasetSummary {
        rows: series.len(),
        first: series.first_timestamp(),
        last: series.last_timestamp(),
        price_fields: series.price_fields(),
        has_volume: series.has_volume(),
        min_close: closes.iter().copied().reduce(f64::min),
        max_close: closes.iter().copied().reduce(f64::max),
        gap_threshold_intervals,
        gap_count,
        longest_gap,
        stale_rows,
        flat_bars,
        zero_volume_rows,
        largest_moves: moves,
    }
}

/// A spacing in milliseconds in its largest whole unit (`1d`, `4h`, `15m`, `30s`; else
/// milliseconds).
pub(crate) fn spacing_text(spacing: i64) -> String {
    for (unit, name) in [
        (86_400_000, "d"),
        (3_600_000, "h"),
        (60_000, "m"),
        (1_000, "s"),
    ] {
        if spacing > 0 && spacing % unit == 0 {
            return format!("{}{name}", spacing / unit);
        }
    }
    format!("{spacing} ms")
}

/// The bar interval of a series, inferred as the most common distance between consecutive opens
/// (ties go to the shorter distance), expressed in the largest whole unit (days, hours, minutes;
/// 28 to 31 days as a month, 89 to 92 as a quarter, whole weeks as weeks).
/// Weekends and holidays do not fool it as long as most bars are consecutive. `None` for fewer than two
/// bars or a most common distance that is not a whole number of minutes.
pub fn infer_interval(series: &BarSeries) -> Option<BarInterval> {
    const MINUTE: i64 = 60_000;
    const HOUR: i64 = 60 * MINUTE;
    const DAY: i64 = 24 * HOUR;
    let times = series.timestamps();
    let mut distances: Vec<i64> = times
        .windows(2)
        .map(|pair| pair[1].millis() - pair[0].millis())
        .collect();
    distances.sort_unstable();
    let mut best: Option<(i64, usize)> = None;
    for run in distances.chunk_by(|a, b| a == b) {
        if best.is_none_or(|(_, count)| run.len() > count) {
            best = Some((run[0], run.len()));
        }
    }
    let (distance, _) = best?;
    let whole = |unit: i64| {
        (distance % unit == 0)
            .then(|| u32::try_from(distance / unit).ok())
            .flatten()
    };
    if let Some(days) = whole(DAY) {
        Some(match days {
            // Calendar months are 28 to 31 days long; quarters 89 to 92.
            28..=31 => BarInterval::Months(1),
            89..=92 => BarInterval::Months(3),
            _ if days % 7 == 0 => BarInterval::Weeks(days / 7),
            _ => BarInterval::Days(days),
        })
    } else if let Some(hours) = whole(HOUR) {
        Some(BarInterval::Hours(hours))
    } else {
        whole(MINUTE).map(BarInterval::Minutes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use gauntlet_core::{Bar, BarColumns};

    const DAY: i64 = 86_400_000;

    #[test]
    fn counts_gaps_stale_flat_and_zero_volume_bars() {
        // Days 0, 1, 2, 9 (a 7-day gap), 10. Closes 100, 100 (stale), 110 (+10%), 55 (-50%), 55 (stale).
        let rows = [
            (0, 100.0, 100.0, 100.0, 100.0, 0.0),
            (1, 100.0, 101.0, 99.0, 100.0, 10.0),
            (2, 100.0, 111.0, 100.0, 110.0, 0.0),
            (9, 60.0, 60.0, 50.0, 55.0, 5.0),
            (10, 55.0, 55.0, 55.0, 55.0, 5.0),
        ];
        let mut columns = BarColumns::default();
        for (day, open, high, low, close, volume) in rows {
            columns.push(Bar {
                timestamp: Timestamp(day * DAY),
                open,
                high,
                low,
                close,
                volume,
            });
        }
        let series = BarSeries::new(columns, true).unwrap();
        let summary = summarize(&series, BarInterval::DAILY, 4.0);
        assert_eq!(summary.rows, 5);
        assert_eq!(summary.gap_count, 1);
        let gap = summary.longest_gap.unwrap();
        assert_eq!(
            (gap.after, gap.before, gap.intervals),
            (Timestamp(2 * DAY), Timestamp(9 * DAY), 7.0)
        );
        assert_eq!(summary.stale_rows, 2);
        assert_eq!(summary.flat_bars, Some(2));
        assert_eq!(summary.zero_volume_rows, Some(2));
        assert_eq!(summary.largest_moves[0].change, -0.5);
        assert_eq!(summary.largest_moves[1].timestamp, Timestamp(2 * DAY));
        assert!((summary.largest_moves[1].change - 0.1).abs() < 1e-15);
        assert_eq!(
            (summary.min_close, summary.max_close),
            (Some(55.0), Some(110.0))
        );
        // Distances 1, 1, 7, 1 days: the most common is one day.
        assert_eq!(infer_interval(&series), Some(BarInterval::DAILY));
    }

    #[test]
    fn infers_intraday_intervals() {
        let hour = 3_600_000;
        let times = [0, 1, 2, 50, 51]
            .map(|hours| Timestamp(hours * hour))
            .to_vec();
        let series = BarSeries::close_only(times, vec![1.0; 5], None).unwrap();
        assert_eq!(infer_interval(&series), Some(BarInterval::Hours(1)));
        let single = BarSeries::close_only(vec![Timestamp(0)], vec![1.0], None).unwrap();
        assert_eq!(infer_interval(&single), None);
    }
}
