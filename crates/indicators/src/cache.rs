//! [`IndicatorCache`]: indicator values computed once per series and shared read-only by every genome
//! and thread.

use std::any::Any;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Instant;

use gauntlet_core::BarSeries;
use serde::{Deserialize, Serialize};

use crate::batch;
use crate::error::IndicatorError;

/// One output column of one indicator with its parameters: the cache key.
///
/// Widths are in hundredths of a standard deviation (200 = 2.0) so keys compare exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "indicator")]
pub enum IndicatorColumn {
    /// [`crate::Sma`] of the close.
    Sma {
        /// Bars.
        period: u32,
    },
    /// [`crate::Ema`] of the close.
    Ema {
        /// Bars.
        period: u32,
    },
    /// [`crate::Rsi`] of the close.
    Rsi {
        /// Bars.
        period: u32,
    },
    /// [`crate::Atr`].
    Atr {
        /// Bars.
        period: u32,
    },
    /// Upper [`crate::Bollinger`] band of the close.
    BollingerUpper {
        /// Bars.
        period: u32,
        /// Hundredths of a standard deviation.
        width_hundredths: u32,
    },
    /// Lower [`crate::Bollinger`] band of the close.
    BollingerLower {
        /// Bars.
        period: u32,
        /// Hundredths of a standard deviation.
        width_hundredths: u32,
    },
    /// [`crate::Macd`] line.
    MacdLine {
        /// Fast EMA bars.
        fast: u32,
        /// Slow EMA bars.
        slow: u32,
        /// Signal EMA bars.
        signal: u32,
    },
    /// [`crate::Macd`] signal line.
    MacdSignal {
        /// Fast EMA bars.
        fast: u32,
        /// Slow EMA bars.
        slow: u32,
        /// Signal EMA bars.
        signal: u32,
    },
    /// Upper [`crate::Donchian`] channel (highest high).
    DonchianUpper {
        /// Bars.
        period: u32,
    },
    /// Lower [`crate::Donchian`] channel (lowest low).
    DonchianLower {
        /// Bars.
        period: u32,
    },
    /// [`crate::Roc`] of the close.
    Roc {
        /// Bars.
        period: u32,
    },
    /// [`crate::RollingStdDev`] of the close.
    StdDev {
        /// Bars.
        period: u32,
    },
    /// [`crate::ZScore`] of the close.
    ZScore {
        /// Bars.
        period: u32,
    },
    /// [`crate::Volatility`] of the close.
    Volatility {
        /// Bars.
        period: u32,
    },
}

impl IndicatorColumn {
    /// Computes this column over `series` (`NaN` during warm-up).
    ///
    /// # Errors
    /// The indicator's construction error for invalid parameters.
    pub fn compute(&self, series: &BarSeries) -> Result<Vec<f64>, IndicatorError> {
        let close = series.close();
        let bars = |period: u32| period as usize;
        let width = |hundredths: u32| f64::from(hundredths) / 100.0;
        Ok(match *self {
            Self::Sma { period } => batch::sma(close, bars(period))?,
            Self::Ema { period } => batch::ema(close, bars(period))?,
            Self::Rsi { period } => batch::rsi(close, bars(period))?,
            Self::Atr { period } => batch::atr(series, bars(period))?,
            Self::BollingerUpper {
                period,
                width_hundredths,
            } => {
                let [upper, _, _] = batch::bollinger(close, bars(period), width(width_hundredths))?;
                upper
            }
            Self::BollingerLower {
                period,
                width_hundredths,
            } => {
                let [_, _, lower] = batch::bollinger(close, bars(period), width(width_hundredths))?;
                lower
            }
            Self::MacdLine { fast, slow, signal } => {
                let [line, _, _] = batch::macd(close, bars(fast), bars(slow), bars(signal))?;
                line
            }
            Self::MacdSignal { fast, slow, signal } => {
                let [_, signal, _] = batch::macd(close, bars(fast), bars(slow), bars(signal))?;
                signal
            }
            Self::DonchianUpper { period } => {
                let [upper, _] = batch::donchian(series, bars(period))?;
                upper
            }
            Self::DonchianLower { period } => {
                let [_, lower] = batch::donchian(series, bars(period))?;
                lower
            }
            Self::Roc { period } => batch::roc(close, bars(period))?,
            Self::StdDev { period } => batch::stddev(close, bars(period))?,
            Self::ZScore { period } => batch::zscore(close, bars(period))?,
            Self::Volatility { period } => batch::volatility(close, bars(period))?,
        })
    }
}

/// Indicator columns of one series, each computed once and then shared (`Arc`) read-only, up to a
/// memory budget: a column that does not fit is computed for each request and not retained, so a
/// population needing more distinct columns than the budget holds (1000 genomes with 194 SMA windows
/// on 1M bars need 1.55 GB) runs in bounded memory. The values are the same either way.
///
/// Safe to share between threads: a column asked for by two threads at once may be computed twice,
/// but both computations give the same values and only the first is kept, so results never depend on
/// thread timing.
#[derive(Debug)]
pub struct IndicatorCache {
    series: Arc<BarSeries>,
    columns: Mutex<BTreeMap<IndicatorColumn, Arc<[f64]>>>,
    crossings: Mutex<BTreeMap<(IndicatorColumn, IndicatorColumn), Arc<Crossings>>>,
    budget: Arc<CacheBudget>,
    /// Nanoseconds spent computing columns and crossings, over every thread.
    computing_nanos: AtomicU64,
    /// A companion cache over the same series and budget, made on first use (see
    /// [`IndicatorCache::companion`]).
    companion: OnceLock<Arc<dyn Any + Send + Sync>>,
}

/// A memory budget for retained indicator values, shared by any number of caches (one per symbol
/// and split part of an experiment, say), so their total stays bounded.
#[derive(Debug)]
pub struct CacheBudget {
    limit_bytes: usize,
    used_bytes: AtomicUsize,
}

impl CacheBudget {
    /// A budget of `limit_bytes`.
    pub fn new(limit_bytes: usize) -> Self {
        Self {
            limit_bytes,
            used_bytes: AtomicUsize::new(0),
        }
    }

    /// Bytes reserved so far by the caches sharing it.
    pub fn used_bytes(&self) -> usize {
        self.used_bytes.load(Ordering::Relaxed)
    }

    /// Reserves `bytes` if they fit (for other caches sharing the budget, such as
    /// gauntlet-blocks' formula columns); whoever reserves releases with
    /// [`CacheBudget::release`].
    pub fn reserve(&self, bytes: usize) -> bool {
        self.used_bytes
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |used| {
                used.checked_add(bytes)
                    .filter(|&total| total <= self.limit_bytes)
            })
            .is_ok()
    }

    /// Gives back `bytes` reserved earlier.
    pub fn release(&self, bytes: usize) {
        self.used_bytes.fetch_sub(bytes, Ordering::AcqRel);
    }
}

/// The bars at which one column crosses another, in bar order: a sparse form of a crossover
/// signal, so a backtest waiting for the next crossing jumps to it instead of testing every bar.
///
/// Bar t (from 1) is a crossing above when `a[t] > b[t] && a[t-1] <= b[t-1]`, below when
/// `a[t] < b[t] && a[t-1] >= b[t-1]`; any comparison with `NaN` (warm-up) is false, so no crossing
/// involves a warm-up value. A bar is never both. Both directions share one list, so the next
/// crossing of either kind is the next element.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Crossings {
    /// Every crossing, ascending by bar.
    pub events: Vec<Crossing>,
}

/// One bar where column `a` crosses column `b` (see [`Crossings`]), packed in 8 bytes (the bar
/// number shifted left once, the direction in the low bit): a population's lists stay small enough
/// to share the cores' caches with the bars.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Crossing(u64);

impl Crossing {
    /// A crossing at bar number `bar` (below 2^63), above (`above`) or below.
    pub fn new(bar: usize, above: bool) -> Self {
        Self(((bar as u64) << 1) | u64::from(above))
    }

    /// The bar's number in the series (from 1).
    #[inline]
    pub fn bar(self) -> usize {
        (self.0 >> 1) as usize
    }

    /// Whether `a` crosses above `b` (`false`: below).
    #[inline]
    pub fn above(self) -> bool {
        self.0 & 1 == 1
    }
}

impl Crossings {
    /// The crossings of `a` over `b` (the shorter length bounds the bars examined).
    pub fn between(a: &[f64], b: &[f64]) -> Self {
        let bars = a.len().min(b.len());
        let mut crossings = Self::default();
        for t in 1..bars {
            let (now_a, now_b, before_a, before_b) = (a[t], b[t], a[t - 1], b[t - 1]);
            if now_a > now_b && before_a <= before_b {
                crossings.events.push(Crossing::new(t, true));
            } else if now_a < now_b && before_a >= before_b {
                crossings.events.push(Crossing::new(t, false));
            }
        }
        crossings
    }

    /// The bars where `a` crosses above `b` (`above`) or below it, ascending.
    pub fn bars(&self, above: bool) -> impl Iterator<Item = usize> + '_ {
        self.events
            .iter()
            .filter(move |crossing| crossing.above() == above)
            .map(|crossing| crossing.bar())
    }

    /// Bytes held by the list.
    pub fn bytes(&self) -> usize {
        self.events.len() * std::mem::size_of::<Crossing>()
    }
}

/// The default memory budget of an [`IndicatorCache`]: 512 MiB of retained columns.
pub const DEFAULT_CACHE_BUDGET_BYTES: usize = 512 * 1024 * 1024;

impl Drop for IndicatorCache {
    fn drop(&mut self) {
        // Give this cache's share of a shared budget back.
        self.budget.release(self.retained_bytes());
    }
}

impl IndicatorCache {
    /// An empty cache over `series` with the default budget ([`DEFAULT_CACHE_BUDGET_BYTES`]).
    pub fn new(series: Arc<BarSeries>) -> Self {
        Self::with_budget(series, DEFAULT_CACHE_BUDGET_BYTES)
    }

    /// An empty cache over `series` retaining at most `budget_bytes` of columns (8 bytes per bar).
    pub fn with_budget(series: Arc<BarSeries>, budget_bytes: usize) -> Self {
        Self::with_shared_budget(series, Arc::new(CacheBudget::new(budget_bytes)))
    }

    /// An empty cache over `series` drawing on a `budget` it shares with other caches.
    pub fn with_shared_budget(series: Arc<BarSeries>, budget: Arc<CacheBudget>) -> Self {
        Self {
            series,
            columns: Mutex::new(BTreeMap::new()),
            crossings: Mutex::new(BTreeMap::new()),
            budget,
            computing_nanos: AtomicU64::new(0),
            companion: OnceLock::new(),
        }
    }

    /// The budget this cache draws on.
    pub fn budget(&self) -> &Arc<CacheBudget> {
        &self.budget
    }

    /// A companion cache of type `T` over the same series and budget (gauntlet-blocks' formula
    /// columns, which this crate cannot name), made by `make` on the first call and shared by
    /// every later one, so every genome of a run reads one set of columns.
    ///
    /// Returns `None` when the companion already made is of another type (one type per cache).
    pub fn companion<T: Any + Send + Sync>(
        &self,
        make: impl FnOnce(Arc<BarSeries>, Arc<CacheBudget>) -> T,
    ) -> Option<Arc<T>> {
        let made = self
            .companion
            .get_or_init(|| Arc::new(make(Arc::clone(&self.series), Arc::clone(&self.budget))));
        Arc::clone(made).downcast::<T>().ok()
    }

    /// Seconds spent computing columns and crossings so far, summed over every thread that
    /// computed one (CPU time, not wall time): how much of a run went into indicators.
    pub fn computing_seconds(&self) -> f64 {
        self.computing_nanos.load(Ordering::Relaxed) as f64 / 1e9
    }

    fn count_time(&self, started: Instant) {
        let nanos = u64::try_from(started.elapsed().as_nanos()).unwrap_or(u64::MAX);
        self.computing_nanos.fetch_add(nanos, Ordering::Relaxed);
    }

    /// Bytes of columns and crossings retained.
    pub fn retained_bytes(&self) -> usize {
        let columns: usize = self
            .lock()
            .values()
            .map(|column| std::mem::size_of_val(&**column))
            .sum();
        columns + self.crossing_bytes()
    }

    fn crossing_bytes(&self) -> usize {
        lock(&self.crossings)
            .values()
            .map(|crossings| crossings.bytes())
            .sum()
    }

    /// The series the columns are computed on.
    pub fn series(&self) -> &BarSeries {
        &self.series
    }

    /// The values of `column`, computed on first use.
    ///
    /// # Errors
    /// As [`IndicatorColumn::compute`].
    pub fn get(&self, column: IndicatorColumn) -> Result<Arc<[f64]>, IndicatorError> {
        if let Some(values) = self.lock().get(&column) {
            return Ok(Arc::clone(values));
        }
        let started = Instant::now();
        let computed: Arc<[f64]> = column.compute(&self.series)?.into();
        self.count_time(started);
        let bytes = std::mem::size_of_val(&*computed);
        let mut columns = self.lock();
        if let Some(values) = columns.get(&column) {
            // Another thread computed it meanwhile: keep the first.
            return Ok(Arc::clone(values));
        }
        if !self.budget.reserve(bytes) {
            return Ok(computed);
        }
        Ok(Arc::clone(columns.entry(column).or_insert(computed)))
    }

    /// The bars where column `a` crosses column `b` ([`Crossings`]), computed on first use and
    /// retained within the same memory budget as the columns.
    ///
    /// # Errors
    /// As [`IndicatorColumn::compute`] for either column.
    pub fn crossings(
        &self,
        a: IndicatorColumn,
        b: IndicatorColumn,
    ) -> Result<Arc<Crossings>, IndicatorError> {
        if let Some(crossings) = lock(&self.crossings).get(&(a, b)) {
            return Ok(Arc::clone(crossings));
        }
        let (first, second) = (self.get(a)?, self.get(b)?);
        let started = Instant::now();
        let computed = Arc::new(Crossings::between(&first, &second));
        self.count_time(started);
        let mut crossings = lock(&self.crossings);
        if let Some(existing) = crossings.get(&(a, b)) {
            return Ok(Arc::clone(existing));
        }
        if !self.budget.reserve(computed.bytes()) {
            return Ok(computed);
        }
        Ok(Arc::clone(crossings.entry((a, b)).or_insert(computed)))
    }

    /// How many columns are cached.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// Whether no column is cached yet.
    pub fn is_empty(&self) -> bool {
        self.lock().is_empty()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<IndicatorColumn, Arc<[f64]>>> {
        lock(&self.columns)
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A poisoned lock only means another thread panicked while inserting a finished value.
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crossings_are_the_bars_where_the_order_flips() {
        // a - b by bar: NaN, -1, 0, 2, 2, -1, 0, 0, 1
        // Bar 1: before is NaN, no crossing. Bar 3: 2 > 0 after 0 <= 0: above. Bar 5: -1 < 0 after
        // 2 >= 0: below. Bar 8: 1 > 0 after a tie: above. Ties (bars 2, 6, 7) are not crossings.
        let b = [0.0; 9];
        let a = [f64::NAN, -1.0, 0.0, 2.0, 2.0, -1.0, 0.0, 0.0, 1.0];
        let crossings = Crossings::between(&a, &b);
        assert_eq!(crossings.bars(true).collect::<Vec<_>>(), [3, 8]);
        assert_eq!(crossings.bars(false).collect::<Vec<_>>(), [5]);
    }

    #[test]
    fn a_packed_crossing_keeps_its_bar_and_direction() {
        for bar in [1, 2, 5_105, 1 << 40, (1 << 62) + 3] {
            for above in [true, false] {
                let crossing = Crossing::new(bar, above);
                assert_eq!((crossing.bar(), crossing.above()), (bar, above));
            }
        }
        assert_eq!(std::mem::size_of::<Crossing>(), 8);
    }

    #[test]
    fn cached_crossings_match_the_columns() {
        let closes: Vec<f64> = (0..200)
            .map(|index| 100.0 + (f64::from(index) / 7.0).sin() * 10.0)
            .collect();
        let mut columns = gauntlet_core::BarColumns::with_capacity(closes.len());
        for (index, &close) in closes.iter().enumerate() {
            columns
                .timestamps
                .push(gauntlet_core::Timestamp(index as i64 * 60_000));
            columns.open.push(close);
            columns.high.push(close);
            columns.low.push(close);
            columns.close.push(close);
            columns.volume.push(0.0);
        }
        let cache = IndicatorCache::new(Arc::new(BarSeries::new(columns, false).unwrap()));
        let (fast, slow) = (
            IndicatorColumn::Sma { period: 3 },
            IndicatorColumn::Sma { period: 12 },
        );
        let crossings = cache.crossings(fast, slow).unwrap();
        let (a, b) = (cache.get(fast).unwrap(), cache.get(slow).unwrap());
        // A sine of period 44 bars crosses its smoothing about twice per period.
        let (above, below): (Vec<usize>, Vec<usize>) = (
            crossings.bars(true).collect(),
            crossings.bars(false).collect(),
        );
        assert!(above.len() >= 3 && below.len() >= 3);
        for t in 1..closes.len() {
            let crosses_above = a[t] > b[t] && a[t - 1] <= b[t - 1];
            let crosses_below = a[t] < b[t] && a[t - 1] >= b[t - 1];
            assert_eq!(above.contains(&t), crosses_above, "bar {t}");
            assert_eq!(below.contains(&t), crosses_below, "bar {t}");
        }
        assert!(Arc::ptr_eq(
            &crossings,
            &cache.crossings(fast, slow).unwrap()
        ));
    }
}

#[cfg(test)]
mod budget_tests {
    use super::*;

    fn series(bars: usize) -> Arc<BarSeries> {
        let mut columns = gauntlet_core::BarColumns::with_capacity(bars);
        for index in 0..bars {
            let close = 100.0 + (index as f64 / 5.0).sin();
            columns
                .timestamps
                .push(gauntlet_core::Timestamp(index as i64 * 60_000));
            columns.open.push(close);
            columns.high.push(close);
            columns.low.push(close);
            columns.close.push(close);
            columns.volume.push(0.0);
        }
        Arc::new(BarSeries::new(columns, false).unwrap())
    }

    #[test]
    fn caches_sharing_a_budget_retain_at_most_it_together() {
        // 100 bars = 800 bytes a column; room for three columns between two caches.
        let budget = Arc::new(CacheBudget::new(2_400));
        let first = IndicatorCache::with_shared_budget(series(100), Arc::clone(&budget));
        let second = IndicatorCache::with_shared_budget(series(100), Arc::clone(&budget));
        let plain = IndicatorCache::new(series(100));
        for period in [2, 3, 4] {
            for cache in [&first, &second] {
                let column = IndicatorColumn::Sma { period };
                let values = cache.get(column).unwrap();
                // Retained or not, the values are the same.
                let expected = plain.get(column).unwrap();
                assert_eq!(
                    values
                        .iter()
                        .map(|value| value.to_bits())
                        .collect::<Vec<_>>(),
                    expected
                        .iter()
                        .map(|value| value.to_bits())
                        .collect::<Vec<_>>()
                );
            }
        }
        assert_eq!(first.len() + second.len(), 3);
        assert_eq!(budget.used_bytes(), 2_400);
        drop(first);
        assert_eq!(budget.used_bytes(), second.retained_bytes());
    }
}
