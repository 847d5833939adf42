//! Data-snooping tests: does the best of many candidates beat a benchmark once the search over all
//! of them is accounted for? White's Reality Check ("A Reality Check for Data Snooping",
//! Econometrica 68(5), 2000) and Hansen's test of Superior Predictive Ability ("A Test for Superior
//! Predictive Ability", Journal of Business & Economic Statistics 23(4), 2005), both with the
//! stationary bootstrap ([`crate::stationary_bootstrap`]).
//!
//! The input is a matrix of per-bar relative performance `d[t][k]` (T bars × K candidates): how
//! much better candidate `k` did than the benchmark at bar `t` (a return difference, or the
//! benchmark's loss minus the candidate's), so that positive is better. The null hypothesis is that
//! no candidate's expected `d` is positive. With `d̄ₖ` the mean of column `k` (per bar), the
//! definitions are arch 8.0.0's `SPA` class (`arch.bootstrap.SPA`, whose losses give
//! `d = benchmark − model`):
//! - the variance `ω̂²ₖ` of `√T d̄ₖ`: the stationary bootstrap's closed form
//!   ([`crate::stationary_bootstrap::stationary_bootstrap_variance`]);
//! - a candidate is *relevant* to the consistent p-value when `d̄ₖ ≥ −√(ω̂²ₖ / T · 2 ln ln T)`
//!   (Hansen 2005, eq. 11: a candidate far below the benchmark cannot be the best under the null);
//! - each bootstrap draw `b` resamples the bars (the same resample for every candidate, so their
//!   correlation stays), takes each column's mean `d̄*ₖ` and recentres it three ways:
//!   `d̄*ₖ − max(d̄ₖ, 0)` (lower), `d̄*ₖ − d̄ₖ` for a relevant candidate and `d̄*ₖ` otherwise
//!   (consistent), `d̄*ₖ − d̄ₖ` (upper, the least favourable null);
//! - the p-value is the share of draws whose largest recentred value is at least the statistic.
//!   arch counts only draws strictly above it; the two differ only where a draw ties the statistic
//!   exactly, which continuous data never does, but a candidate identical to the benchmark
//!   (`d = 0` at every bar, a strategy always in the market against buy-and-hold) ties at every
//!   draw: counting ties gives it the p-value 1 (no evidence), where arch's count gives 0.
//!
//! Two statistics are reported:
//! - **unstudentised**: the statistic is `maxₖ d̄ₖ` (per bar, in the unit of `d`) against the
//!   largest recentred mean. Its upper p-value is White's Reality Check. This is exactly what arch
//!   8.0.0's `SPA` computes (its `studentize` flag names the method but does not change the
//!   statistic; `SPA.compute` compares raw means), and `tests/data_snooping.rs` agrees with arch;
//! - **studentised** (Hansen's SPA): each candidate's mean is divided by its standard error,
//!   `tₖ = √T d̄ₖ / ω̂ₖ`, and each draw by the same `ω̂ₖ`, so a candidate with erratic performance
//!   cannot dominate the maximum (Hansen 2005, section 2.3). A candidate with `ω̂ₖ = 0` (its
//!   difference from the benchmark is one constant) has no standard error and is left out of the
//!   studentised maximum; when every candidate is, the studentised statistic and p-values are
//!   undefined (`NaN`, `null` in JSON).
//!
//! Hansen also floors the statistic at zero (`max(T, 0)`); arch does not, and neither does this
//! module: with the floor, a set of candidates all below the benchmark would get the p-value
//! `P(T* > 0)`, which is small exactly when every candidate is clearly worse. Without it, such a
//! set gets a large p-value, and wherever the best candidate's mean is positive the two agree.
//!
//! Randomness comes from the caller: [`DataSnooping::test`] draws every resample from one seeded
//! stream, in draw order; the draws' means are computed in parallel and only counted, so the result
//! is the same on any number of threads.

use rand::Rng;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::StatsError;
use crate::stationary_bootstrap::{
    Block, check_block_length, stationary_bootstrap_blocks, stationary_bootstrap_variances,
};

/// Most bootstrap draws a test may ask for: a million pins a p-value to about ±0.001.
pub const MAX_BOOTSTRAP_DRAWS: usize = 1_000_000;
/// Most candidates a test may compare with the benchmark.
pub const MAX_CANDIDATES: usize = 100_000;
/// Most bars a test may cover (a million: four centuries of daily bars, a century of hourly ones).
pub const MAX_BARS: usize = 1_000_000;
/// Most cells (bars × candidates) a test may hold: the matrix and its prefix sums take 16 bytes a
/// cell, so 50 million cells are 800 MB.
pub const MAX_CELLS: usize = 50_000_000;
/// Fewest bars a test needs: the consistent p-value's threshold uses `ln ln T`, positive from 3.
pub const MIN_BARS: usize = 3;

/// Candidates whose prefix sums are stored together: 64 columns of 2,500 bars are 1.3 MB, so a
/// task's block sums read from a core's cache instead of memory.
const CANDIDATES_PER_CHUNK: usize = 64;
/// Draws one parallel task takes through one chunk of candidates.
const DRAWS_PER_TASK: usize = 64;
/// Block entries drawn from the caller's stream at a time (about 64 MB) before their means are
/// computed in parallel; at most [`MOST_DRAWS_AT_A_TIME`] draws.
const BLOCKS_AT_A_TIME: usize = 1 << 22;
const MOST_DRAWS_AT_A_TIME: usize = 1_024;

/// The per-bar relative performance of K candidates against one benchmark over T bars: positive
/// where the candidate did better. Stored candidate by candidate.
#[derive(Debug, Clone, PartialEq)]
pub struct RelativePerformance {
    bars: usize,
    candidates: usize,
    /// Candidate `k`'s differences at `values[k * bars..(k + 1) * bars]`.
    values: Vec<f64>,
}

impl RelativePerformance {
    /// `d = candidate − benchmark` from per-bar returns (fractions per bar; higher is better), for
    /// example each candidate's strategy returns against buy-and-hold of the same bars.
    ///
    /// # Errors
    /// As [`RelativePerformance::from_differences`], and [`StatsError::Invalid`] when a candidate
    /// covers a different number of bars than the benchmark.
    pub fn from_returns<C: AsRef<[f64]>>(
        benchmark: &[f64],
        candidates: &[C],
    ) -> Result<Self, StatsError> {
        Self::relative(benchmark, candidates, |candidate, benchmark| {
            candidate - benchmark
        })
    }

    /// `d = benchmark − candidate` from per-bar losses (lower is better), arch's convention.
    ///
    /// # Errors
    /// As [`RelativePerformance::from_returns`].
    pub fn from_losses<C: AsRef<[f64]>>(
        benchmark: &[f64],
        candidates: &[C],
    ) -> Result<Self, StatsError> {
        Self::relative(benchmark, candidates, |candidate, benchmark| {
            benchmark - candidate
        })
    }

    /// Differences already taken, one series per candidate (positive: the candidate did better).
    ///
    /// # Errors
    /// - [`StatsError::OverLimit`] when there are more than [`MAX_CANDIDATES`] candidates, more
    ///   than [`MAX_BARS`] bars or more than [`MAX_CELLS`] cells;
    /// - [`StatsError::Invalid`] when there is no candidate, fewer than [`MIN_BARS`] bars, series
    ///   of different lengths, or a value that is not finite (naming the candidate and bar).
    pub fn from_differences<C: AsRef<[f64]>>(candidates: &[C]) -> Result<Self, StatsError> {
        let bars = candidates.first().map_or(0, |first| first.as_ref().len());
        check_sizes(bars, candidates.len())?;
        let mut values = Vec::with_capacity(bars * candidates.len());
        for (index, candidate) in candidates.iter().enumerate() {
            let candidate = candidate.as_ref();
            check_length(index, candidate.len(), bars, "the first candidate")?;
            values.extend_from_slice(candidate);
        }
        Self::checked(bars, candidates.len(), values)
    }

    fn relative<C: AsRef<[f64]>>(
        benchmark: &[f64],
        candidates: &[C],
        difference: impl Fn(f64, f64) -> f64,
    ) -> Result<Self, StatsError> {
        let bars = benchmark.len();
        check_sizes(bars, candidates.len())?;
        if let Some(bar) = benchmark.iter().position(|value| !value.is_finite()) {
            return Err(StatsError::Invalid(format!(
                "the benchmark's value at bar {bar} is not finite ({})",
                benchmark[bar]
            )));
        }
        let mut values = Vec::with_capacity(bars * candidates.len());
        for (index, candidate) in candidates.iter().enumerate() {
            let candidate = candidate.as_ref();
            check_length(index, candidate.len(), bars, "the benchmark")?;
            values.extend(
                candidate
                    .iter()
                    .zip(benchmark)
                    .map(|(&value, &benchmark)| difference(value, benchmark)),
            );
        }
        Self::checked(bars, candidates.len(), values)
    }

    fn checked(bars: usize, candidates: usize, values: Vec<f64>) -> Result<Self, StatsError> {
        if let Some(position) = values.iter().position(|value| !value.is_finite()) {
            return Err(StatsError::Invalid(format!(
                "candidate {} at bar {}: the relative performance is not finite ({})",
                position / bars,
                position % bars,
                values[position]
            )));
        }
        Ok(Self {
            bars,
            candidates,
            values,
        })
    }

    /// The number of bars T.
    pub fn bars(&self) -> usize {
        self.bars
    }

    /// The number of candidates K.
    pub fn candidates(&self) -> usize {
        self.candidates
    }

    /// Candidate `k`'s per-bar differences (T values). Panics when `k` is not below K.
    pub fn candidate(&self, k: usize) -> &[f64] {
        &self.values[k * self.bars..(k + 1) * self.bars]
    }
}

fn check_sizes(bars: usize, candidates: usize) -> Result<(), StatsError> {
    let over = |quantity, value, maximum| StatsError::OverLimit {
        quantity,
        value,
        maximum,
    };
    if candidates > MAX_CANDIDATES {
        return Err(over("candidates", candidates, MAX_CANDIDATES));
    }
    if bars > MAX_BARS {
        return Err(over("bars", bars, MAX_BARS));
    }
    let cells = bars.saturating_mul(candidates);
    if cells > MAX_CELLS {
        return Err(over("bars × candidates", cells, MAX_CELLS));
    }
    if candidates == 0 {
        return Err(StatsError::Invalid(
            "a data-snooping test needs at least one candidate".into(),
        ));
    }
    if bars < MIN_BARS {
        return Err(StatsError::Invalid(format!(
            "a data-snooping test needs at least {MIN_BARS} bars, got {bars}"
        )));
    }
    Ok(())
}

fn check_length(
    index: usize,
    found: usize,
    bars: usize,
    reference: &str,
) -> Result<(), StatsError> {
    if found == bars {
        Ok(())
    } else {
        Err(StatsError::Invalid(format!(
            "candidate {index} has {found} bars and {reference} {bars}: they must cover the same bars"
        )))
    }
}

/// The stationary bootstrap's settings for a test.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BootstrapSettings {
    /// Bootstrap draws (1 to [`MAX_BOOTSTRAP_DRAWS`]); 10,000 pins a p-value near 0.05 to about
    /// ±0.004.
    pub draws: usize,
    /// The mean block length in bars (from 1, the i.i.d. bootstrap, to the number of bars).
    pub mean_block_length: f64,
}

impl BootstrapSettings {
    /// `draws` draws with arch's default mean block length for `bars` bars,
    /// [`default_mean_block_length`].
    pub fn with_default_block_length(draws: usize, bars: usize) -> Self {
        Self {
            draws,
            mean_block_length: default_mean_block_length(bars),
        }
    }
}

/// arch's default block length, `⌊√T⌋` (at least 1).
pub fn default_mean_block_length(bars: usize) -> f64 {
    (bars as f64).sqrt().floor().max(1.0)
}

/// One bootstrap draw's largest recentred mean, each way of recentring: lower, consistent, upper.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DrawMaxima {
    /// `maxₖ (d̄*ₖ − μₖ)`, per bar (arch's `SPA._simulated_vals` maximised over models).
    pub unstudentized: [f64; 3],
    /// `maxₖ √T (d̄*ₖ − μₖ) / ω̂ₖ` over the candidates with a standard error (`NaN` when none has).
    pub studentized: [f64; 3],
}

/// White's Reality Check.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RealityCheck {
    /// `maxₖ d̄ₖ`: the best candidate's mean relative performance per bar.
    pub statistic: f64,
    /// The candidate with the highest mean (the first of equals).
    pub best_candidate: usize,
    /// The share of draws whose largest `d̄*ₖ − d̄ₖ` is at least the statistic.
    pub p_value: f64,
}

/// A test of Superior Predictive Ability: the statistic and its three p-values.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SpaTest {
    /// `maxₖ d̄ₖ` (unstudentised, per bar) or `maxₖ √T d̄ₖ / ω̂ₖ` (studentised; `NaN` when no
    /// candidate has a standard error).
    #[serde(deserialize_with = "gauntlet_core::json_float::nan_if_null")]
    pub statistic: f64,
    /// The candidate that attains the statistic (`None` when it is undefined).
    pub best_candidate: Option<usize>,
    /// The lower p-value: candidates below the benchmark keep their mean under the null (too
    /// liberal in finite samples).
    #[serde(deserialize_with = "gauntlet_core::json_float::nan_if_null")]
    pub lower: f64,
    /// The consistent p-value (Hansen's SPA p-value): only relevant candidates are recentred.
    #[serde(deserialize_with = "gauntlet_core::json_float::nan_if_null")]
    pub consistent: f64,
    /// The upper p-value: every candidate recentred to the least favourable null (mean 0).
    #[serde(deserialize_with = "gauntlet_core::json_float::nan_if_null")]
    pub upper: f64,
}

/// The outcome of [`DataSnooping::test`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct DataSnoopingReport {
    /// Bars T.
    pub bars: usize,
    /// Candidates K.
    pub candidates: usize,
    /// Bootstrap draws B.
    pub draws: usize,
    /// The stationary bootstrap's mean block length, bars.
    pub mean_block_length: f64,
    /// White's Reality Check (the unstudentised upper p-value).
    pub reality_check: RealityCheck,
    /// Hansen's SPA, studentised: `spa.consistent` is the SPA p-value.
    pub spa: SpaTest,
    /// The same test without studentisation: arch 8.0.0's `SPA.pvalues`.
    pub spa_unstudentized: SpaTest,
}

/// A data-snooping test prepared on one matrix: everything that does not depend on the bootstrap
/// draws (means, variances, relevance, statistics, the recentring means and the matrix's prefix
/// sums), then any number of draws.
#[derive(Debug, Clone)]
pub struct DataSnooping {
    bars: usize,
    candidates: usize,
    mean_block_length: f64,
    means: Vec<f64>,
    variances: Vec<f64>,
    relevant: Vec<bool>,
    /// `√T / ω̂ₖ`, or 0 for a candidate without a standard error (left out of studentised maxima).
    scales: Vec<f64>,
    /// The recentring means μ: lower, consistent, upper.
    recentring: [Vec<f64>; 3],
    /// Prefix sums `Σ_{u < t} d[u][k]`, t = 0..=T, so a block's sum is two rows apart; stored
    /// chunk by chunk of [`CANDIDATES_PER_CHUNK`] candidates, each chunk row by row.
    prefix: Vec<f64>,
}

impl DataSnooping {
    /// Prepares the test of `performance` with a stationary bootstrap of mean block length
    /// `mean_block_length` bars.
    ///
    /// # Errors
    /// [`StatsError::Invalid`] when the mean block length is not in `[1, T]`.
    pub fn new(
        performance: &RelativePerformance,
        mean_block_length: f64,
    ) -> Result<Self, StatsError> {
        let (bars, candidates) = (performance.bars, performance.candidates);
        check_block_length(bars, mean_block_length)?;
        let size = bars as f64;
        let means: Vec<f64> = performance
            .values
            .chunks(bars)
            .map(|series| series.iter().sum::<f64>() / size)
            .collect();
        let variances =
            stationary_bootstrap_variances(&performance.values, bars, mean_block_length)?;
        let log_log = size.ln().ln();
        let relevant: Vec<bool> = means
            .iter()
            .zip(&variances)
            .map(|(&mean, &variance)| mean >= -(variance / size * 2.0 * log_log).sqrt())
            .collect();
        let scales = variances
            .iter()
            .map(|&variance| {
                if variance > 0.0 {
                    size.sqrt() / variance.sqrt()
                } else {
                    0.0
                }
            })
            .collect();
        let lower = means.iter().map(|&mean| mean.max(0.0)).collect();
        let consistent = means
            .iter()
            .zip(&relevant)
            .map(|(&mean, &relevant)| if relevant { mean } else { 0.0 })
            .collect();
        let mut prefix = vec![0.0; (bars + 1) * candidates];
        for chunk in 0..candidates.div_ceil(CANDIDATES_PER_CHUNK) {
            let first = chunk * CANDIDATES_PER_CHUNK;
            let width = CANDIDATES_PER_CHUNK.min(candidates - first);
            let block = &mut prefix[first * (bars + 1)..(first + width) * (bars + 1)];
            for bar in 0..bars {
                let (done, next) = block.split_at_mut((bar + 1) * width);
                let previous = &done[bar * width..];
                for (column, cell) in next[..width].iter_mut().enumerate() {
                    *cell = previous[column] + performance.values[(first + column) * bars + bar];
                }
            }
        }
        Ok(Self {
            bars,
            candidates,
            mean_block_length,
            recentring: [lower, consistent, means.clone()],
            means,
            variances,
            relevant,
            scales,
            prefix,
        })
    }

    /// Each candidate's mean relative performance `d̄ₖ`, per bar.
    pub fn means(&self) -> &[f64] {
        &self.means
    }

    /// Each candidate's `ω̂²ₖ`, the variance of `√T d̄ₖ` (0 for a constant difference).
    pub fn variances(&self) -> &[f64] {
        &self.variances
    }

    /// Whether each candidate is relevant to the consistent p-value (`d̄ₖ ≥ −√(ω̂²ₖ/T · 2 ln ln T)`).
    pub fn relevant(&self) -> &[bool] {
        &self.relevant
    }

    /// The unstudentised statistic `maxₖ d̄ₖ` and its candidate (the first of equals).
    pub fn unstudentized_statistic(&self) -> (f64, usize) {
        let mut best = (f64::NEG_INFINITY, 0);
        for (k, &mean) in self.means.iter().enumerate() {
            if mean > best.0 {
                best = (mean, k);
            }
        }
        best
    }

    /// The studentised statistic `maxₖ √T d̄ₖ / ω̂ₖ` and its candidate, over the candidates with a
    /// standard error; `None` when no candidate has one.
    pub fn studentized_statistic(&self) -> Option<(f64, usize)> {
        let mut best: Option<(f64, usize)> = None;
        for (k, (&mean, &scale)) in self.means.iter().zip(&self.scales).enumerate() {
            if scale > 0.0 {
                let value = mean * scale;
                if best.is_none_or(|(top, _)| value > top) {
                    best = Some((value, k));
                }
            }
        }
        best
    }

    /// One draw's maxima, the draw given as blocks of bars (lengths adding up to T).
    ///
    /// # Errors
    /// [`StatsError::Invalid`] when a block starts at or beyond T, is empty or longer than T, or
    /// the lengths do not add up to T.
    pub fn draw_maxima(&self, blocks: &[Block]) -> Result<DrawMaxima, StatsError> {
        let total: usize = blocks.iter().map(|block| block.length).sum();
        if total != self.bars
            || blocks.iter().any(|block| {
                block.start >= self.bars || block.length == 0 || block.length > self.bars
            })
        {
            return Err(StatsError::Invalid(format!(
                "a resample's blocks must start below {} bars, hold 1 to {} bars each and {} in all",
                self.bars, self.bars, self.bars
            )));
        }
        Ok(self.maxima(blocks, &mut Scratch::new()))
    }

    /// A draw's maxima over every candidate: each chunk's, combined (a maximum does not depend on
    /// the order it is taken in).
    fn maxima(&self, blocks: &[Block], scratch: &mut Scratch) -> DrawMaxima {
        let mut whole = self.chunk_maxima(0, blocks, scratch);
        for chunk in 1..self.candidates.div_ceil(CANDIDATES_PER_CHUNK) {
            whole = self.combine(whole, self.chunk_maxima(chunk, blocks, scratch));
        }
        whole
    }

    fn combine(&self, first: DrawMaxima, second: DrawMaxima) -> DrawMaxima {
        let mut both = first;
        for way in 0..3 {
            both.unstudentized[way] = both.unstudentized[way].max(second.unstudentized[way]);
            both.studentized[way] = both.studentized[way].max(second.studentized[way]);
        }
        both
    }

    /// A draw's maxima over one chunk of candidates (studentised: `-∞` when none in the chunk has
    /// a standard error, `NaN` when no candidate at all has).
    fn chunk_maxima(&self, chunk: usize, blocks: &[Block], scratch: &mut Scratch) -> DrawMaxima {
        let first = chunk * CANDIDATES_PER_CHUNK;
        let width = CANDIDATES_PER_CHUNK.min(self.candidates - first);
        let stored = &self.prefix[first * (self.bars + 1)..(first + width) * (self.bars + 1)];
        let row = |bar: usize| &stored[bar * width..(bar + 1) * width];
        // Each block as runs that do not wrap, [start, end): a wrapped block is two.
        let segments = &mut scratch.segments;
        segments.clear();
        for block in blocks {
            let end = block.start + block.length;
            if end <= self.bars {
                segments.push((block.start, end));
            } else {
                segments.push((block.start, self.bars));
                segments.push((0, end - self.bars));
            }
        }
        let sums = &mut scratch.sums[..width];
        sums.fill(0.0);
        // Four runs a pass: a quarter of the loads and stores of the sums.
        let mut groups = segments.chunks_exact(4);
        for group in &mut groups {
            let [(s0, e0), (s1, e1), (s2, e2), (s3, e3)] = [group[0], group[1], group[2], group[3]];
            let (h0, l0, h1, l1) = (row(e0), row(s0), row(e1), row(s1));
            let (h2, l2, h3, l3) = (row(e2), row(s2), row(e3), row(s3));
            for k in 0..width {
                sums[k] +=
                    ((h0[k] - l0[k]) + (h1[k] - l1[k])) + ((h2[k] - l2[k]) + (h3[k] - l3[k]));
            }
        }
        for &(start, end) in groups.remainder() {
            for ((sum, high), low) in sums.iter_mut().zip(row(end)).zip(row(start)) {
                *sum += high - low;
            }
        }
        let size = self.bars as f64;
        let mut unstudentized = [f64::NEG_INFINITY; 3];
        let mut studentized = [f64::NEG_INFINITY; 3];
        for (column, sum) in sums.iter().enumerate() {
            let k = first + column;
            let mean = sum / size;
            let scale = self.scales[k];
            for way in 0..3 {
                let centred = mean - self.recentring[way][k];
                unstudentized[way] = unstudentized[way].max(centred);
                if scale > 0.0 {
                    studentized[way] = studentized[way].max(centred * scale);
                }
            }
        }
        if self.scales.iter().all(|&scale| scale == 0.0) {
            studentized = [f64::NAN; 3];
        }
        DrawMaxima {
            unstudentized,
            studentized,
        }
    }

    /// Runs `draws` stationary bootstrap draws from `rng` (the caller's seeded stream: every
    /// resample is drawn from it in draw order, [`stationary_bootstrap_blocks`]) and returns both
    /// tests' p-values. The draws' means are computed in parallel, up to 1,024 draws at a time (fewer
    /// when their blocks would exceed about 4 million), each task one chunk of 64 candidates
    /// through 64 draws.
    ///
    /// # Errors
    /// [`StatsError::OverLimit`] when `draws` is above [`MAX_BOOTSTRAP_DRAWS`];
    /// [`StatsError::Invalid`] when it is 0.
    pub fn test<R: Rng + ?Sized>(
        &self,
        draws: usize,
        rng: &mut R,
    ) -> Result<DataSnoopingReport, StatsError> {
        check_draws(draws)?;
        let mut tally = Tally::default();
        let blocks_per_draw = (self.bars as f64 / self.mean_block_length).ceil() as usize + 1;
        let at_a_time = (BLOCKS_AT_A_TIME / blocks_per_draw).clamp(1, MOST_DRAWS_AT_A_TIME);
        let mut resamples: Vec<Vec<Block>> = Vec::with_capacity(at_a_time);
        let mut done = 0;
        while done < draws {
            let chunk = at_a_time.min(draws - done);
            resamples.resize_with(chunk, Vec::new);
            for blocks in &mut resamples {
                stationary_bootstrap_blocks(self.bars, self.mean_block_length, rng, blocks)?;
            }
            self.count(&resamples, &mut tally);
            done += chunk;
        }
        Ok(self.report(&tally))
    }

    /// Both tests' p-values over given resamples (each a list of blocks adding up to T bars): to
    /// replay draws made elsewhere, for example arch's index arrays through
    /// [`crate::stationary_bootstrap::blocks_of_indices`].
    ///
    /// # Errors
    /// As [`DataSnooping::draw_maxima`] for a malformed resample, and as [`DataSnooping::test`]
    /// for the number of resamples.
    pub fn test_resamples(
        &self,
        resamples: &[Vec<Block>],
    ) -> Result<DataSnoopingReport, StatsError> {
        check_draws(resamples.len())?;
        for blocks in resamples {
            self.draw_maxima(blocks)?;
        }
        let mut tally = Tally::default();
        for chunk in resamples.chunks(MOST_DRAWS_AT_A_TIME) {
            self.count(chunk, &mut tally);
        }
        Ok(self.report(&tally))
    }

    fn count(&self, resamples: &[Vec<Block>], tally: &mut Tally) {
        // Tasks: (group of draws, chunk of candidates); each returns its draws' chunk maxima.
        let chunks = self.candidates.div_ceil(CANDIDATES_PER_CHUNK);
        let groups = resamples.len().div_ceil(DRAWS_PER_TASK);
        let partial: Vec<Vec<DrawMaxima>> = (0..groups * chunks)
            .into_par_iter()
            .map_init(Scratch::new, |scratch, task| {
                let (group, chunk) = (task / chunks, task % chunks);
                let end = ((group + 1) * DRAWS_PER_TASK).min(resamples.len());
                resamples[group * DRAWS_PER_TASK..end]
                    .iter()
                    .map(|blocks| self.chunk_maxima(chunk, blocks, scratch))
                    .collect()
            })
            .collect();
        let mut maxima: Vec<DrawMaxima> = Vec::with_capacity(resamples.len());
        for group in partial.chunks(chunks) {
            for draw in 0..group[0].len() {
                let mut whole = group[0][draw];
                for chunk in &group[1..] {
                    whole = self.combine(whole, chunk[draw]);
                }
                maxima.push(whole);
            }
        }
        let unstudentized = self.unstudentized_statistic().0;
        let studentized = self.studentized_statistic().map(|(value, _)| value);
        for draw in &maxima {
            tally.draws += 1;
            for way in 0..3 {
                tally.unstudentized[way] += usize::from(draw.unstudentized[way] >= unstudentized);
                if let Some(statistic) = studentized {
                    tally.studentized[way] += usize::from(draw.studentized[way] >= statistic);
                }
            }
        }
    }

    fn report(&self, tally: &Tally) -> DataSnoopingReport {
        let draws = tally.draws as f64;
        let (statistic, best) = self.unstudentized_statistic();
        let share = |count: usize| count as f64 / draws;
        let spa_unstudentized = SpaTest {
            statistic,
            best_candidate: Some(best),
            lower: share(tally.unstudentized[0]),
            consistent: share(tally.unstudentized[1]),
            upper: share(tally.unstudentized[2]),
        };
        let spa = match self.studentized_statistic() {
            Some((statistic, best)) => SpaTest {
                statistic,
                best_candidate: Some(best),
                lower: share(tally.studentized[0]),
                consistent: share(tally.studentized[1]),
                upper: share(tally.studentized[2]),
            },
            None => SpaTest {
                statistic: f64::NAN,
                best_candidate: None,
                lower: f64::NAN,
                consistent: f64::NAN,
                upper: f64::NAN,
            },
        };
        DataSnoopingReport {
            bars: self.bars,
            candidates: self.candidates,
            draws: tally.draws,
            mean_block_length: self.mean_block_length,
            reality_check: RealityCheck {
                statistic,
                best_candidate: best,
                p_value: spa_unstudentized.upper,
            },
            spa,
            spa_unstudentized,
        }
    }
}

fn check_draws(draws: usize) -> Result<(), StatsError> {
    if draws > MAX_BOOTSTRAP_DRAWS {
        return Err(StatsError::OverLimit {
            quantity: "bootstrap draws",
            value: draws,
            maximum: MAX_BOOTSTRAP_DRAWS,
        });
    }
    if draws == 0 {
        return Err(StatsError::Invalid(
            "a data-snooping test needs at least one bootstrap draw".into(),
        ));
    }
    Ok(())
}

/// A task's working space: one chunk's sums and a draw's runs of bars.
struct Scratch {
    sums: Vec<f64>,
    segments: Vec<(usize, usize)>,
}

impl Scratch {
    fn new() -> Self {
        Self {
            sums: vec![0.0; CANDIDATES_PER_CHUNK],
            segments: Vec::new(),
        }
    }
}

/// How many draws exceeded each statistic.
#[derive(Default)]
struct Tally {
    draws: usize,
    unstudentized: [usize; 3],
    studentized: [usize; 3],
}

/// White's Reality Check and Hansen's SPA of `performance` in one call: [`DataSnooping::new`] then
/// [`DataSnooping::test`] with `settings`, the draws from `rng`.
///
/// # Errors
/// As [`DataSnooping::new`] and [`DataSnooping::test`].
pub fn data_snooping_tests<R: Rng + ?Sized>(
    performance: &RelativePerformance,
    settings: BootstrapSettings,
    rng: &mut R,
) -> Result<DataSnoopingReport, StatsError> {
    check_draws(settings.draws)?;
    DataSnooping::new(performance, settings.mean_block_length)?.test(settings.draws, rng)
}

#[cfg(test)]
mod tests;
