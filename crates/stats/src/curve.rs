//! Every return metric of an equity curve in one pass: [`CurveAccumulator`] is fed one bar's
//! equity at a time and yields what [`crate::returns`] and [`crate::monthly_returns`] compute
//! separately (CAGR, volatility, Sharpe, Sortino, maximum drawdown and its duration, Calmar,
//! Omega, tail ratio, stability, the share of positive months).
//!
//! The definitions are empyrical's, exactly as [`crate::returns`] documents them, and the
//! arithmetic is done in the same order as there, so every value is **bit-identical** to the
//! separate functions (tests compare the bits on random curves). What one pass saves: the
//! separate functions build about a dozen vectors per curve (returns, excess returns, squared
//! downside, three drawdown series, cumulative logs, two percentile copies) and walk the curve as
//! many times; here the drawdown, its duration, the Omega sums, the downside squares and the
//! compounded growth are updated as each bar arrives, a flat bar (return exactly 0) skips the
//! logarithm, and calendar months are found with integer arithmetic on the bar's milliseconds
//! (Hinnant's `civil_from_days`) instead of a calendar library. Two buffers remain, the returns
//! (for the standard deviation and the tail-ratio percentiles, found by selection) and the
//! cumulative log returns (for the stability regression), so the results match the two-pass
//! formulas to the bit. Both come from a small per-thread pool ([`recycle_returns`] gives the
//! returns back), so scoring thousands of genomes does not allocate and fault in fresh pages for
//! each. The sums of the returns and of the cumulative logs are kept as they arrive (in bar order,
//! as the means' sums), so the squared deviations and the stability regression's sums share one
//! loop at the end: each sum keeps its order, so the bits do not change.

use gauntlet_core::{MILLIS_PER_DAY, Timestamp};

use std::cell::RefCell;

use crate::returns::{r_squared_from_sums, tail_ratio_sparse};

/// Buffers the pool keeps per thread.
const POOLED_BUFFERS: usize = 4;

/// The largest buffer the pool keeps, elements (8 MiB of `f64`): longer series allocate anew.
const POOLED_CAPACITY: usize = 1 << 20;

thread_local! {
    static POOL: RefCell<Vec<Vec<f64>>> = const { RefCell::new(Vec::new()) };
}

/// An empty buffer with room for `capacity` values, from this thread's pool when it has one.
fn take_buffer(capacity: usize) -> Vec<f64> {
    let mut buffer = POOL.with_borrow_mut(Vec::pop).unwrap_or_default();
    buffer.clear();
    buffer.reserve(capacity);
    buffer
}

/// Gives `buffer` (the returns of [`CurveAccumulator::finish_with_returns`], once read) back to
/// this thread's pool, for the next accumulator's buffers; dropped when the pool is full or the
/// buffer is over 2^20 values. Only saves allocations: results never depend on it.
pub fn recycle_returns(buffer: Vec<f64>) {
    if buffer.capacity() <= POOLED_CAPACITY {
        POOL.with_borrow_mut(|pool| {
            if pool.len() < POOLED_BUFFERS {
                pool.push(buffer);
            }
        });
    }
}

/// The return metrics of one equity curve (fractions; annualised with the bars per year given to
/// [`CurveAccumulator::finish`]; `NaN` where undefined, as in [`crate::returns`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CurveMetrics {
    /// Compounded total return of the bar returns.
    pub total_return: f64,
    /// [`crate::returns::annual_return`].
    pub cagr: f64,
    /// [`crate::returns::annual_volatility`].
    pub annual_volatility: f64,
    /// [`crate::returns::sharpe_ratio`] with a risk-free rate of 0.
    pub sharpe: f64,
    /// [`crate::returns::sortino_ratio`] with a required return of 0.
    pub sortino: f64,
    /// [`crate::returns::max_drawdown`], <= 0.
    pub max_drawdown: f64,
    /// [`crate::returns::max_drawdown_duration`], bars.
    pub max_drawdown_bars: usize,
    /// [`crate::returns::calmar_ratio`].
    pub calmar: f64,
    /// [`crate::returns::omega_ratio`] at a 0 threshold.
    pub omega: f64,
    /// [`crate::returns::tail_ratio`].
    pub tail_ratio: f64,
    /// [`crate::returns::stability_of_timeseries`].
    pub stability: f64,
    /// [`crate::positive_month_share`] of [`crate::monthly_returns`] (UTC calendar months).
    pub positive_months: f64,
}

/// One pass over an equity curve (see the module). Feed every bar with [`CurveAccumulator::push`]
/// in time order, then [`CurveAccumulator::finish`].
#[derive(Debug, Clone)]
pub struct CurveAccumulator {
    previous_equity: f64,
    returns: Vec<f64>,
    return_sum: f64,
    cumulative_log: Vec<f64>,
    log_total: f64,
    log_sum: f64,
    downside_squares: f64,
    value: f64,
    peak: f64,
    max_drawdown: f64,
    underwater: usize,
    longest_underwater: usize,
    omega_above: f64,
    omega_below: f64,
    month: Option<MonthSpan>,
    month_start_equity: f64,
    last_equity: f64,
    months: usize,
    positive_months: usize,
}

/// The calendar month a bar falls in: its first millisecond, the next month's first millisecond,
/// and the next month itself (year, month 1-12), so that moving on to it needs no calendar
/// arithmetic beyond its length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct MonthSpan {
    start: i64,
    end: i64,
    next_year: i64,
    next_month: i64,
}

impl MonthSpan {
    /// The span of the month that holds `millis`: the month after this one when `millis` falls in
    /// it (the common case, found from that month's length alone), else [`month_span`]. The same
    /// span either way.
    fn moved_to(self, millis: i64) -> MonthSpan {
        let (year, month) = (self.next_year, self.next_month);
        let end = self
            .end
            .saturating_add(days_in_month(year, month).saturating_mul(MILLIS_PER_DAY));
        if (self.end..end).contains(&millis) {
            let (next_year, next_month) = if month == 12 {
                (year + 1, 1)
            } else {
                (year, month + 1)
            };
            MonthSpan {
                start: self.end,
                end,
                next_year,
                next_month,
            }
        } else {
            month_span(millis)
        }
    }
}

/// Days in `month` (1-12) of the proleptic Gregorian `year`.
fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

impl CurveAccumulator {
    /// An accumulator for a curve that starts at `initial_equity` before its first bar, with room
    /// for `bars` bars.
    pub fn new(initial_equity: f64, bars: usize) -> Self {
        Self {
            previous_equity: initial_equity,
            returns: take_buffer(bars),
            return_sum: 0.0,
            cumulative_log: take_buffer(bars),
            log_total: 0.0,
            log_sum: 0.0,
            downside_squares: 0.0,
            value: 1.0,
            peak: 1.0,
            max_drawdown: 0.0,
            underwater: 0,
            longest_underwater: 0,
            omega_above: 0.0,
            omega_below: 0.0,
            month: None,
            month_start_equity: initial_equity,
            last_equity: initial_equity,
            months: 0,
            positive_months: 0,
        }
    }

    /// Adds the bar opening at `open_millis` (milliseconds since the epoch, UTC) whose close left
    /// the equity at `equity`.
    #[inline]
    pub fn push(&mut self, open_millis: i64, equity: f64) {
        self.add_return(equity);
        // Calendar months, closed when a bar of another month arrives.
        let in_month = self
            .month
            .is_some_and(|span| (span.start..span.end).contains(&open_millis));
        if !in_month {
            self.enter_month(open_millis);
        }
        self.last_equity = equity;
    }

    /// Adds the bars opening at `open_times` whose closes left the equity at `cash + quantity *
    /// close` for each of `closes` (an open position marked to market; the same length as
    /// `open_times`): the same state as [`CurveAccumulator::push`] bar by bar, with the calendar
    /// months found a month at a time instead of a check per bar.
    pub fn push_marked(
        &mut self,
        open_times: &[Timestamp],
        closes: &[f64],
        cash: f64,
        quantity: f64,
    ) {
        let count = open_times.len().min(closes.len());
        let mut at = 0;
        while at < count {
            // The first bar of a stretch goes through `push`, which opens its month if needed.
            let first = cash + quantity * closes[at];
            self.push(open_times[at].millis(), first);
            at += 1;
            let Some(span) = self.month else {
                break;
            };
            // The bars before the month ends stay in it.
            let stay = at + open_times[at..count].partition_point(|time| time.millis() < span.end);
            let mut equity = first;
            for &close in &closes[at..stay] {
                equity = cash + quantity * close;
                self.add_return(equity);
            }
            if stay > at {
                self.last_equity = equity;
            }
            at = stay;
        }
    }

    /// Every figure of [`CurveAccumulator::push`] but the calendar month and the last equity.
    #[inline(always)]
    fn add_return(&mut self, equity: f64) {
        let ret = equity / self.previous_equity - 1.0;
        self.previous_equity = equity;
        self.returns.push(ret);
        self.return_sum += ret;
        // Sortino's downside deviation: (r - 0).min(0)^2, summed in bar order.
        self.downside_squares += (ret - 0.0).min(0.0).powi(2);
        // Drawdown from the running peak of the curve that starts at 1; the curve's value is also
        // the compounded growth of the returns (the total return).
        self.value *= 1.0 + ret;
        self.peak = self.peak.max(self.value);
        let drawdown = (self.value - self.peak) / self.peak;
        self.max_drawdown = self.max_drawdown.min(drawdown);
        if drawdown < 0.0 {
            self.underwater += 1;
            self.longest_underwater = self.longest_underwater.max(self.underwater);
        } else {
            self.underwater = 0;
        }
        // Omega at a 0 threshold: r - 0 - 0.
        let excess = ret - 0.0 - 0.0;
        if excess > 0.0 {
            self.omega_above += excess;
        } else {
            self.omega_below -= excess;
        }
        // A flat bar adds ln(1 + 0) = 0 exactly.
        if ret != 0.0 {
            self.log_total += ret.ln_1p();
        }
        self.cumulative_log.push(self.log_total);
        // The cumulative logs' sum for their mean, in bar order as `sum()` adds them.
        self.log_sum += self.log_total;
    }

    /// Moves to the month of the bar opening at `open_millis`, closing the current one if any.
    fn enter_month(&mut self, open_millis: i64) {
        self.month = Some(match self.month {
            Some(span) => {
                self.close_month();
                span.moved_to(open_millis)
            }
            None => month_span(open_millis),
        });
    }

    /// Adds bars that all close at `equity` (a flat stretch: no position, or nothing marked), the
    /// bars opening at `open_millis` (increasing). The first bar is a full [`CurveAccumulator::push`]
    /// (its return may not be 0); the others have a return of exactly 0 and are accounted in bulk:
    /// the same state as pushing them one by one, without the per-bar arithmetic.
    pub fn push_flat(&mut self, open_times: &[Timestamp], equity: f64) {
        let Some((first, rest)) = open_times.split_first() else {
            return;
        };
        self.push(first.millis(), equity);
        if rest.is_empty() {
            return;
        }
        if equity / self.previous_equity - 1.0 != 0.0 {
            // Not flat after all (a value that does not divide to exactly 1): bar by bar.
            for time in rest {
                self.push(time.millis(), equity);
            }
            return;
        }
        let count = rest.len();
        // r = 0: downside squares, the curve's value and peak, the Omega sums and the
        // cumulative log all stay as they are; the drawdown stays at its last value.
        self.returns.resize(self.returns.len() + count, 0.0);
        self.cumulative_log
            .resize(self.cumulative_log.len() + count, self.log_total);
        // One addition per bar, as bar by bar (a sum never -0.0 is unchanged by adding 0).
        if self.log_total != 0.0 {
            for _ in 0..count {
                self.log_sum += self.log_total;
            }
        }
        if (self.value - self.peak) / self.peak < 0.0 {
            self.underwater += count;
            self.longest_underwater = self.longest_underwater.max(self.underwater);
        } else {
            self.underwater = 0;
        }
        // Months: jump from boundary to boundary; the equity is the same at every bar.
        let mut at = 0;
        while at < count {
            // The first bar's push opened a month.
            let Some(span) = self.month else {
                break;
            };
            let leaving = at + rest[at..].partition_point(|time| time.millis() < span.end);
            if leaving >= count {
                break;
            }
            self.close_month();
            self.month = Some(span.moved_to(rest[leaving].millis()));
            at = leaving + 1;
        }
        self.last_equity = equity;
    }

    fn close_month(&mut self) {
        self.months += 1;
        if self.last_equity / self.month_start_equity - 1.0 > 0.0 {
            self.positive_months += 1;
        }
        self.month_start_equity = self.last_equity;
    }

    /// The metrics, annualised with `bars_per_year`.
    pub fn finish(self, bars_per_year: f64) -> CurveMetrics {
        self.finish_with_returns(bars_per_year).0
    }

    /// The metrics and the bar returns (`equity[t] / equity[t - 1] - 1`, the initial equity before
    /// bar 0), for a caller that needs the returns too.
    pub fn finish_with_returns(mut self, bars_per_year: f64) -> (CurveMetrics, Vec<f64>) {
        if self.month.is_some() {
            self.close_month();
        }
        let count = self.returns.len();
        let bars = count as f64;
        let total_return = self.value - 1.0;
        let cagr = if count == 0 {
            f64::NAN
        } else {
            (1.0 + total_return).powf(1.0 / (bars / bars_per_year)) - 1.0
        };
        // The mean of the returns from their running sum: `returns.iter().sum() / n`, the same
        // additions in the same order (a flat stretch's zeros add nothing to a sum that is never
        // -0.0).
        let mean = if count == 0 {
            f64::NAN
        } else {
            self.return_sum / bars
        };
        // `sample_std(returns)` (ddof = 1) and the stability regression's sums
        // (`returns::r_squared_about` about the cumulative logs' mean, their sum kept as they
        // arrived), in one loop: each sum in its own order, as the separate passes add them.
        let (mean_x, mean_y) = ((bars - 1.0) / 2.0, self.log_sum / bars);
        let (mut squares, mut sxx, mut syy, mut sxy) = (0.0, 0.0, 0.0, 0.0);
        for (index, (value, log)) in self.returns.iter().zip(&self.cumulative_log).enumerate() {
            squares += (value - mean).powi(2);
            let dx = index as f64 - mean_x;
            let dy = log - mean_y;
            sxx += dx * dx;
            syy += dy * dy;
            sxy += dx * dy;
        }
        let deviation = if count < 2 {
            f64::NAN
        } else {
            (squares / (count - 1) as f64).sqrt()
        };
        let downside = if count == 0 {
            f64::NAN
        } else {
            (self.downside_squares / bars).sqrt() * bars_per_year.sqrt()
        };
        let stability = if count < 2 {
            f64::NAN
        } else {
            r_squared_from_sums(sxx, syy, sxy)
        };
        recycle_returns(std::mem::take(&mut self.cumulative_log));
        let calmar = if self.max_drawdown < 0.0 {
            cagr / self.max_drawdown.abs()
        } else {
            f64::NAN
        };
        let tail_ratio = tail_ratio_sparse(&self.returns);
        let metrics = CurveMetrics {
            total_return,
            cagr,
            annual_volatility: deviation * bars_per_year.sqrt(),
            sharpe: mean / deviation * bars_per_year.sqrt(),
            sortino: mean * bars_per_year / downside,
            max_drawdown: self.max_drawdown,
            max_drawdown_bars: self.longest_underwater,
            calmar,
            omega: if self.omega_below > 0.0 {
                self.omega_above / self.omega_below
            } else {
                f64::NAN
            },
            tail_ratio,
            stability,
            positive_months: if self.months == 0 {
                f64::NAN
            } else {
                self.positive_months as f64 / self.months as f64
            },
        };
        (metrics, self.returns)
    }
}

/// Every metric of the curve `equity` (the equity at the close of the bar opening at
/// `timestamps[t]`; `initial_equity` before the first bar), annualised with `bars_per_year`.
pub fn curve_metrics(
    timestamps: &[Timestamp],
    equity: &[f64],
    initial_equity: f64,
    bars_per_year: f64,
) -> CurveMetrics {
    accumulate(timestamps, equity, initial_equity).finish(bars_per_year)
}

/// [`curve_metrics`] and the bar returns of the curve.
pub fn curve_metrics_with_returns(
    timestamps: &[Timestamp],
    equity: &[f64],
    initial_equity: f64,
    bars_per_year: f64,
) -> (CurveMetrics, Vec<f64>) {
    accumulate(timestamps, equity, initial_equity).finish_with_returns(bars_per_year)
}

fn accumulate(timestamps: &[Timestamp], equity: &[f64], initial_equity: f64) -> CurveAccumulator {
    let mut accumulator = CurveAccumulator::new(initial_equity, equity.len());
    for (time, value) in timestamps.iter().zip(equity) {
        accumulator.push(time.millis(), *value);
    }
    accumulator
}

/// The calendar month (UTC) of the millisecond `millis`: its first millisecond and the next
/// month's.
fn month_span(millis: i64) -> MonthSpan {
    let (year, month) = civil_year_month(millis.div_euclid(MILLIS_PER_DAY));
    let (next_year, next_month) = if month == 12 {
        (year + 1, 1)
    } else {
        (year, month + 1)
    };
    MonthSpan {
        start: days_from_civil(year, month, 1).saturating_mul(MILLIS_PER_DAY),
        end: days_from_civil(next_year, next_month, 1).saturating_mul(MILLIS_PER_DAY),
        next_year,
        next_month,
    }
}

/// The proleptic Gregorian (year, month) of a day counted from 1970-01-01 (Howard Hinnant,
/// "chrono-Compatible Low-Level Date Algorithms", `civil_from_days`).
fn civil_year_month(days: i64) -> (i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153;
    let month = if shifted_month < 10 {
        shifted_month + 3
    } else {
        shifted_month - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month)
}

/// Days from 1970-01-01 to a proleptic Gregorian date (Hinnant's `days_from_civil`).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let shifted_month = if month > 2 { month - 3 } else { month + 9 };
    let day_of_year = (153 * shifted_month + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

#[cfg(test)]
mod tests {
    use chrono::{Datelike, NaiveDate};
    use proptest::prelude::*;

    use super::*;
    use crate::returns;
    use crate::{monthly_returns, positive_month_share};

    /// The separate functions, as `BacktestResult::metrics` called them before.
    fn separate(times: &[Timestamp], equity: &[f64], initial: f64, per_year: f64) -> CurveMetrics {
        let mut previous = initial;
        let r: Vec<f64> = equity
            .iter()
            .map(|value| {
                let change = value / previous - 1.0;
                previous = *value;
                change
            })
            .collect();
        CurveMetrics {
            total_return: returns::total_return(&r),
            cagr: returns::annual_return(&r, per_year),
            annual_volatility: returns::annual_volatility(&r, per_year),
            sharpe: returns::sharpe_ratio(&r, 0.0, per_year),
            sortino: returns::sortino_ratio(&r, 0.0, per_year),
            max_drawdown: returns::max_drawdown(&r),
            max_drawdown_bars: returns::max_drawdown_duration(&r),
            calmar: returns::calmar_ratio(&r, per_year),
            omega: returns::omega_ratio(&r, 0.0, 0.0, per_year),
            tail_ratio: returns::tail_ratio(&r),
            stability: returns::stability_of_timeseries(&r),
            positive_months: positive_month_share(&monthly_returns(times, equity, initial)),
        }
    }

    fn bits(metrics: &CurveMetrics) -> [u64; 12] {
        [
            metrics.total_return.to_bits(),
            metrics.cagr.to_bits(),
            metrics.annual_volatility.to_bits(),
            metrics.sharpe.to_bits(),
            metrics.sortino.to_bits(),
            metrics.max_drawdown.to_bits(),
            metrics.max_drawdown_bars as u64,
            metrics.calmar.to_bits(),
            metrics.omega.to_bits(),
            metrics.tail_ratio.to_bits(),
            metrics.stability.to_bits(),
            metrics.positive_months.to_bits(),
        ]
    }

    #[test]
    fn moving_to_the_next_month_gives_the_calendar_s_span() {
        // Every month from 1599 to 2401 (leap years by 4, 100 and 400 included): the span after a
        // month's span, for the next month's first and last millisecond, is the calendar's; a
        // millisecond further on (a gap of months) falls back to the calendar.
        let mut day = days_from_civil(1599, 1, 1);
        while day < days_from_civil(2401, 12, 1) {
            let span = month_span(day * MILLIS_PER_DAY);
            let next = month_span(span.end);
            for millis in [span.end, next.end - 1] {
                assert_eq!(span.moved_to(millis), next, "{millis}");
            }
            let later = next.end + 40 * MILLIS_PER_DAY;
            assert_eq!(span.moved_to(later), month_span(later));
            assert_eq!(
                next.end - next.start,
                days_in_month(span.next_year, span.next_month) * MILLIS_PER_DAY
            );
            day = span.end / MILLIS_PER_DAY;
        }
    }

    #[test]
    fn months_by_integer_arithmetic_agree_with_the_calendar() {
        for (year, month, day) in [
            (1970, 1, 1),
            (1969, 12, 31),
            (2000, 2, 29),
            (1900, 3, 1),
            (2024, 12, 31),
            (1600, 1, 1),
            (2400, 2, 29),
        ] {
            let date = NaiveDate::from_ymd_opt(year, month, day).expect("a date");
            let days = date
                .signed_duration_since(NaiveDate::from_ymd_opt(1970, 1, 1).expect("epoch"))
                .num_days();
            assert_eq!(days_from_civil(year.into(), month.into(), day.into()), days);
            assert_eq!(
                civil_year_month(days),
                (i64::from(date.year()), i64::from(date.month()))
            );
        }
    }

    #[test]
    fn a_hand_built_curve() {
        // Start 100; Jan 2 105, Jan 31 110 (+10% in January), Feb 3 99 (-10%), Mar 2 99 (0%).
        let times: Vec<Timestamp> = [(2020, 1, 2), (2020, 1, 31), (2020, 2, 3), (2020, 3, 2)]
            .iter()
            .map(|&(y, m, d)| Timestamp::from_ymd(y, m, d).expect("a date"))
            .collect();
        let metrics = curve_metrics(&times, &[105.0, 110.0, 99.0, 99.0], 100.0, 252.0);
        // One positive month of three; the fall from 110 to 99 is the maximum drawdown, -10%,
        // under water for the last two bars.
        assert!((metrics.positive_months - 1.0 / 3.0).abs() < 1e-15);
        assert!((metrics.max_drawdown + 0.1).abs() < 1e-12);
        assert_eq!(metrics.max_drawdown_bars, 2);
        assert!((metrics.total_return + 0.01).abs() < 1e-12);
    }

    proptest! {
        /// Every metric has the same bits as the separate functions, on random curves with flat
        /// stretches, hourly or daily bars and gaps across months and years.
        #[test]
        fn one_pass_equals_the_separate_functions_to_the_bit(
            steps in proptest::collection::vec((-0.05f64..0.05, 0u8..4, 1i64..200), 0..400),
            start_day in -20_000i64..30_000,
            hourly in proptest::bool::ANY,
            per_year in 100.0f64..9_000.0,
        ) {
            let spacing = if hourly { 3_600_000 } else { MILLIS_PER_DAY };
            let mut millis = start_day * MILLIS_PER_DAY;
            let mut equity = Vec::new();
            let mut times = Vec::new();
            let mut value = 10_000.0f64;
            for &(change, flat, gap) in &steps {
                // A quarter of the bars are flat (no position): the return is exactly 0.
                if flat != 0 {
                    value *= 1.0 + change;
                }
                millis += spacing * gap;
                times.push(Timestamp(millis));
                equity.push(value);
            }
            let expected = separate(&times, &equity, 10_000.0, per_year);
            let actual = curve_metrics(&times, &equity, 10_000.0, per_year);
            prop_assert_eq!(bits(&actual), bits(&expected));
            // The same curve with every run of equal equity given to push_flat in one call.
            let mut bulk = CurveAccumulator::new(10_000.0, equity.len());
            let mut start = 0;
            while start < equity.len() {
                let mut end = start + 1;
                while end < equity.len() && equity[end] == equity[start] {
                    end += 1;
                }
                bulk.push_flat(&times[start..end], equity[start]);
                start = end;
            }
            prop_assert_eq!(bits(&bulk.finish(per_year)), bits(&expected));
        }

        /// Marked stretches (an open position: `cash + quantity * close`) given to push_marked in
        /// one call have the same bits as pushing each bar, whatever the stretch lengths, across
        /// months, hourly or daily, long or short.
        #[test]
        fn marked_stretches_equal_bar_by_bar_to_the_bit(
            steps in proptest::collection::vec((-0.04f64..0.04, 1i64..90, 1usize..40), 1..60),
            start_day in -20_000i64..30_000,
            hourly in proptest::bool::ANY,
            quantity in -50.0f64..50.0,
        ) {
            let spacing = if hourly { 3_600_000 } else { MILLIS_PER_DAY };
            let (cash, per_year) = (20_000.0, 252.0);
            let mut millis = start_day * MILLIS_PER_DAY;
            let (mut times, mut closes, mut stretches) = (Vec::new(), Vec::new(), Vec::new());
            let mut close = 100.0f64;
            for &(change, gap, length) in &steps {
                let start = closes.len();
                for _ in 0..length {
                    close *= 1.0 + change;
                    millis += spacing * gap;
                    times.push(Timestamp(millis));
                    closes.push(close);
                }
                stretches.push(start..closes.len());
            }
            let mut bar_by_bar = CurveAccumulator::new(cash, closes.len());
            for (time, close) in times.iter().zip(&closes) {
                bar_by_bar.push(time.millis(), cash + quantity * close);
            }
            let mut marked = CurveAccumulator::new(cash, closes.len());
            for stretch in stretches {
                marked.push_marked(&times[stretch.clone()], &closes[stretch], cash, quantity);
            }
            let (expected, expected_returns) = bar_by_bar.finish_with_returns(per_year);
            let (actual, actual_returns) = marked.finish_with_returns(per_year);
            prop_assert_eq!(bits(&actual), bits(&expected));
            prop_assert_eq!(actual_returns, expected_returns);
            prop_assert!(expected.positive_months.is_finite());
        }
    }
}
