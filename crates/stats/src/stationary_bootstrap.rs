//! The stationary bootstrap of Politis & Romano ("The Stationary Bootstrap", Journal of the American
//! Statistical Association 89(428), 1994, pp. 1303-1313): a resample of a series of `bars`
//! observations is a run of blocks, each starting at a uniformly drawn bar and running on for a
//! geometrically distributed number of bars (mean `mean_block_length`, so a block ends after each
//! bar with probability `1 / mean_block_length`), wrapping from the last bar to the first, until
//! `bars` observations are drawn. Blocks keep the short-range dependence of the series; the random
//! lengths make the resample stationary.
//!
//! This is the law of `arch.bootstrap.StationaryBootstrap` (arch 8.0.0: each next index is the
//! previous one plus one, modulo the length, with probability `1 - 1/block_size`, else a fresh
//! uniform index), drawn block by block: a start from `random_range(0..bars)`, then a length of one
//! plus a `rand_distr::Geometric(1 / mean_block_length)` draw (the number of failures before the
//! first success), the last block cut to what is left.
//!
//! [`stationary_bootstrap_variance`] is the variance of the stationary bootstrap's sample mean
//! (times the number of bars) that Politis & Romano give in closed form (1994, Lemma 1) and that
//! Hansen ("A Test for Superior Predictive Ability", Journal of Business & Economic Statistics
//! 23(4), 2005, section 2.4) and arch's `SPA` use to studentise.

use rand::{Rng, RngExt};
use rand_distr::{Distribution, Geometric};
use rayon::prelude::*;

use crate::StatsError;

/// A run of consecutive bars in a resample: bars `start`, `start + 1`, ... (`length` of them),
/// wrapping from the last bar to bar 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Block {
    /// The first bar (0-based, below the series' length).
    pub start: usize,
    /// How many bars the block holds (at least 1, at most the series' length).
    pub length: usize,
}

/// Checks a stationary bootstrap's settings: at least one bar, and a finite mean block length in
/// `[1, bars]`.
///
/// # Errors
/// [`StatsError::Invalid`] naming the setting.
pub fn check_block_length(bars: usize, mean_block_length: f64) -> Result<(), StatsError> {
    if bars == 0 {
        return Err(StatsError::Invalid(
            "the stationary bootstrap needs at least one bar".into(),
        ));
    }
    if !mean_block_length.is_finite() || !(1.0..=bars as f64).contains(&mean_block_length) {
        return Err(StatsError::Invalid(format!(
            "the mean block length must be a number from 1 to the number of bars ({bars}), got \
             {mean_block_length}"
        )));
    }
    Ok(())
}

/// Draws one stationary bootstrap resample of a series of `bars` bars into `blocks` (cleared
/// first): blocks whose lengths add up to `bars`. Each block draws its start, then its length, from
/// `rng` (the caller's seeded stream).
///
/// # Errors
/// [`StatsError::Invalid`] as [`check_block_length`].
pub fn stationary_bootstrap_blocks<R: Rng + ?Sized>(
    bars: usize,
    mean_block_length: f64,
    rng: &mut R,
    blocks: &mut Vec<Block>,
) -> Result<(), StatsError> {
    check_block_length(bars, mean_block_length)?;
    let lengths = Geometric::new(1.0 / mean_block_length)
        .map_err(|error| StatsError::Invalid(format!("stationary bootstrap: {error}")))?;
    blocks.clear();
    let mut drawn = 0;
    while drawn < bars {
        let start = rng.random_range(0..bars);
        let extra = lengths.sample(rng);
        let left = bars - drawn;
        let length = usize::try_from(extra)
            .ok()
            .and_then(|extra| extra.checked_add(1))
            .map_or(left, |length| length.min(left));
        blocks.push(Block { start, length });
        drawn += length;
    }
    Ok(())
}

/// One stationary bootstrap resample of a series of `bars` bars as the bar index of each
/// observation (`bars` indices, each below `bars`), drawn as [`stationary_bootstrap_blocks`].
///
/// # Errors
/// [`StatsError::Invalid`] as [`check_block_length`].
pub fn stationary_bootstrap_indices<R: Rng + ?Sized>(
    bars: usize,
    mean_block_length: f64,
    rng: &mut R,
) -> Result<Vec<usize>, StatsError> {
    let mut blocks = Vec::new();
    stationary_bootstrap_blocks(bars, mean_block_length, rng, &mut blocks)?;
    Ok(indices_of_blocks(&blocks, bars))
}

/// The bar index of each observation of a resample given as blocks of a series of `bars` bars.
pub fn indices_of_blocks(blocks: &[Block], bars: usize) -> Vec<usize> {
    let mut indices = Vec::with_capacity(bars);
    for block in blocks {
        indices.extend((0..block.length).map(|offset| (block.start + offset) % bars));
    }
    indices
}

/// The blocks of a resample given as bar indices (for example one drawn by arch): a new block
/// starts wherever an index is not its predecessor plus one (modulo `bars`).
///
/// # Errors
/// [`StatsError::Invalid`] when `indices` is empty or an index is not below `bars`.
pub fn blocks_of_indices(indices: &[usize], bars: usize) -> Result<Vec<Block>, StatsError> {
    if indices.is_empty() {
        return Err(StatsError::Invalid(
            "a resample needs at least one index".into(),
        ));
    }
    if let Some((position, index)) = indices
        .iter()
        .enumerate()
        .find(|(_, index)| **index >= bars)
    {
        return Err(StatsError::Invalid(format!(
            "resample index {position} is {index}, not below the number of bars ({bars})"
        )));
    }
    let mut blocks: Vec<Block> = Vec::new();
    for (position, &index) in indices.iter().enumerate() {
        match blocks.last_mut() {
            Some(block)
                if position > 0
                    && index == (indices[position - 1] + 1) % bars
                    && block.length < bars =>
            {
                block.length += 1
            }
            _ => blocks.push(Block {
                start: index,
                length: 1,
            }),
        }
    }
    Ok(blocks)
}

/// Kernel weights below this are left out of [`stationary_bootstrap_variance`]: each left-out term
/// is at most `2 × 1e-24 × γ₀` (an autocovariance is at most the variance γ₀), so together they
/// change the estimate by less than `2e-18 γ₀` for up to a million bars.
pub const KERNEL_WEIGHT_CUTOFF: f64 = 1e-24;

/// The stationary bootstrap's variance of the sample mean of `series`, times its length:
/// `ω² = γ₀ + 2 Σ_{i=1}^{T-1} κ(T, i) γᵢ`, with `γᵢ = (1/T) Σ_t (x_t − x̄)(x_{t+i} − x̄)` and
/// `κ(T, i) = (1 − i/T)(1 − q)^i + (i/T)(1 − q)^(T−i)`, `q = 1 / mean_block_length` (Politis &
/// Romano 1994, Lemma 1; Hansen 2005, section 2.4; arch 8.0.0 `SPA._compute_variance`). Terms
/// whose kernel weight is below [`KERNEL_WEIGHT_CUTOFF`] are skipped. A constant series (every
/// value equal) has variance exactly 0.
///
/// # Errors
/// [`StatsError::Invalid`] as [`check_block_length`] (the series' length is the number of bars).
pub fn stationary_bootstrap_variance(
    series: &[f64],
    mean_block_length: f64,
) -> Result<f64, StatsError> {
    check_block_length(series.len(), mean_block_length)?;
    let lags = kernel_lags(series.len(), mean_block_length);
    Ok(variance_with_lags(series, &lags))
}

/// [`stationary_bootstrap_variance`] of each of `columns` series of `bars` values stored one after
/// the other in `values` (series `k` at `values[k * bars..(k + 1) * bars]`), the series in
/// parallel (each one's sums in a fixed order, so the result is the same on any number of threads).
///
/// # Errors
/// [`StatsError::Invalid`] as [`check_block_length`], or when `values` does not hold
/// `bars × columns` numbers.
pub fn stationary_bootstrap_variances(
    values: &[f64],
    bars: usize,
    mean_block_length: f64,
) -> Result<Vec<f64>, StatsError> {
    check_block_length(bars, mean_block_length)?;
    if !values.len().is_multiple_of(bars) {
        return Err(StatsError::Invalid(format!(
            "{} values are not whole series of {bars} bars",
            values.len()
        )));
    }
    let lags = kernel_lags(bars, mean_block_length);
    Ok(values
        .par_chunks(bars)
        .map(|series| variance_with_lags(series, &lags))
        .collect())
}

/// The lags `i` in `1..bars` whose kernel weight `κ(bars, i)` is at least
/// [`KERNEL_WEIGHT_CUTOFF`], with their weights.
fn kernel_lags(bars: usize, mean_block_length: f64) -> Vec<(usize, f64)> {
    let keep = 1.0 - 1.0 / mean_block_length;
    let size = bars as f64;
    (1..bars)
        .filter_map(|lag| {
            let share = lag as f64 / size;
            let weight =
                (1.0 - share) * keep.powi(lag as i32) + share * keep.powi((bars - lag) as i32);
            (weight >= KERNEL_WEIGHT_CUTOFF).then_some((lag, weight))
        })
        .collect()
}

fn variance_with_lags(series: &[f64], lags: &[(usize, f64)]) -> f64 {
    let first = series[0];
    if series.iter().all(|&value| value == first) {
        return 0.0;
    }
    let size = series.len() as f64;
    let mean = series.iter().sum::<f64>() / size;
    let centred: Vec<f64> = series.iter().map(|value| value - mean).collect();
    let mut variance = dot(&centred, &centred) / size;
    for &(lag, weight) in lags {
        let (head, tail) = (&centred[..centred.len() - lag], &centred[lag..]);
        variance += 2.0 * weight * dot(head, tail) / size;
    }
    variance
}

/// Σ aᵢ bᵢ over eight interleaved partial sums (so the compiler can use vector registers), added
/// in a fixed order.
fn dot(first: &[f64], second: &[f64]) -> f64 {
    let mut sums = [0.0f64; 8];
    let (first_chunks, second_chunks) = (first.chunks_exact(8), second.chunks_exact(8));
    let (first_rest, second_rest) = (first_chunks.remainder(), second_chunks.remainder());
    for (left, right) in first_chunks.zip(second_chunks) {
        for lane in 0..8 {
            sums[lane] += left[lane] * right[lane];
        }
    }
    let mut total =
        ((sums[0] + sums[4]) + (sums[1] + sums[5])) + ((sums[2] + sums[6]) + (sums[3] + sums[7]));
    for (left, right) in first_rest.iter().zip(second_rest) {
        total += left * right;
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    #[test]
    fn blocks_cover_the_series_and_replay_from_indices() {
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        let mut blocks = Vec::new();
        for mean in [1.0, 2.5, 10.0, 50.0] {
            stationary_bootstrap_blocks(50, mean, &mut rng, &mut blocks).unwrap();
            assert_eq!(blocks.iter().map(|block| block.length).sum::<usize>(), 50);
            assert!(
                blocks
                    .iter()
                    .all(|block| block.start < 50 && block.length >= 1)
            );
            let indices = indices_of_blocks(&blocks, 50);
            assert_eq!(indices.len(), 50);
            // Splitting into runs may merge two drawn blocks that happen to continue each other.
            let replayed = blocks_of_indices(&indices, 50).unwrap();
            assert_eq!(indices_of_blocks(&replayed, 50), indices);
        }
        // A mean block length of 1 is the i.i.d. bootstrap: every block one bar long.
        stationary_bootstrap_blocks(200, 1.0, &mut rng, &mut blocks).unwrap();
        assert_eq!(blocks.len(), 200);
    }

    #[test]
    fn wrapped_blocks_are_found_in_indices() {
        let blocks = blocks_of_indices(&[3, 4, 0, 1, 1, 2], 5).unwrap();
        assert_eq!(
            blocks,
            [
                Block {
                    start: 3,
                    length: 4
                },
                Block {
                    start: 1,
                    length: 2
                }
            ]
        );
        assert!(blocks_of_indices(&[0, 5], 5).is_err());
        assert!(blocks_of_indices(&[], 5).is_err());
    }

    /// The mean length of the blocks is the mean block length asked for (blocks not cut at the
    /// end: a long series and a short mean), within four standard errors.
    #[test]
    fn block_lengths_have_the_mean_asked_for() {
        let mut rng = ChaCha8Rng::seed_from_u64(5);
        let mut blocks = Vec::new();
        for mean in [1.5, 4.0, 12.0] {
            let mut lengths = Vec::new();
            for _ in 0..5 {
                stationary_bootstrap_blocks(100_000, mean, &mut rng, &mut blocks).unwrap();
                lengths.extend(
                    blocks[..blocks.len() - 1]
                        .iter()
                        .map(|block| block.length as f64),
                );
            }
            let count = lengths.len() as f64;
            let average = lengths.iter().sum::<f64>() / count;
            // Geometric on {1, 2, ...} with p = 1/mean: variance (1 - p) / p².
            let p = 1.0 / mean;
            let standard_error = ((1.0 - p) / (p * p) / count).sqrt();
            assert!(
                (average - mean).abs() < 4.0 * standard_error,
                "mean {mean}: average {average}"
            );
        }
    }

    #[test]
    fn settings_are_checked() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let mut blocks = Vec::new();
        assert!(stationary_bootstrap_blocks(0, 1.0, &mut rng, &mut blocks).is_err());
        for bad in [0.5, f64::NAN, f64::INFINITY, 11.0] {
            let error = stationary_bootstrap_blocks(10, bad, &mut rng, &mut blocks).unwrap_err();
            assert!(error.to_string().contains("mean block length"), "{error}");
        }
    }

    /// A hand computation: x = (1, -1, 1, -1), q = 1/2. γ₀ = 1, γ₁ = -3/4, γ₂ = 1/2, γ₃ = -1/4;
    /// κ(4,1) = 3/4·1/2 + 1/4·1/8 = 13/32, κ(4,2) = 1/2·1/4 + 1/2·1/4 = 1/4,
    /// κ(4,3) = 1/4·1/8 + 3/4·1/2 = 13/32. ω² = 1 + 2(−39/128 + 16/128 − 13/128) = 1 − 72/128.
    #[test]
    fn the_variance_matches_a_hand_computation() {
        let variance = stationary_bootstrap_variance(&[1.0, -1.0, 1.0, -1.0], 2.0).unwrap();
        assert!(
            (variance - (1.0 - 72.0 / 128.0)).abs() < 1e-15,
            "{variance}"
        );
        assert_eq!(stationary_bootstrap_variance(&[0.3; 7], 2.0).unwrap(), 0.0);
        let both =
            stationary_bootstrap_variances(&[1.0, -1.0, 1.0, -1.0, 2.0, 2.0, 2.0, 2.0], 4, 2.0)
                .unwrap();
        assert_eq!(both, vec![variance, 0.0]);
    }
}
