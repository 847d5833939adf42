//! Masters' permutation of bars: a series with the same bar-to-bar changes as the original in a
//! random order, for a Monte Carlo permutation test of a whole search (T. Masters, *Permutation and
//! Randomization Tests for Trading System Development*, 2020, the bar permutation of its
//! `PermuteMarket` routines).
//!
//! In log prices, every bar after the first is two pieces:
//! - the **gap**: `ln open[t] − ln close[t−1]`;
//! - the **shape**: `ln high[t] − ln open[t]`, `ln low[t] − ln open[t]`, `ln close[t] − ln open[t]`
//!   (the three together, with the bar's volume).
//!
//! The gaps are shuffled among themselves and the shapes among themselves, each as units, by two
//! independent uniform permutations; the first bar is kept, and the series is rebuilt forward from
//! it (`open = previous close × e^gap`, then `high`, `low` and `close` from the open and the
//! shape). The multisets of gaps and of shapes are the original's, so the drift (their sum: the last
//! close equals the original's up to rounding), the volatility and the bars' shapes stay; only
//! their order, and with it any pattern a strategy could exploit, is gone. Timestamps are kept.
//!
//! Several symbols that share a calendar (identical timestamps) get the same two permutations, so
//! their cross-correlation stays; a symbol with another calendar gets its own. A close-only series
//! (open = high = low = close) has zero shapes, its gaps are its close-to-close changes, and it
//! stays close-only.
//!
//! Randomness comes from the caller's seeded stream: each calendar's permutations are drawn from
//! it in the order of the calendars' first symbols, the gaps' permutation first (a Fisher-Yates
//! shuffle, `rand`'s `SliceRandom::shuffle`).

use gauntlet_core::{BarColumns, BarSeries, PriceFields};
use rand::Rng;
use rand::seq::SliceRandom;

use crate::error::DataError;

/// The permutations of one calendar: which original bar's gap and which bar's shape goes to each
/// bar after the first (indices into bars `1..len`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BarPermutation {
    /// `gaps[i]`: the bar whose gap bar `i + 1` takes.
    pub gaps: Vec<usize>,
    /// `shapes[i]`: the bar whose shape (and volume) bar `i + 1` takes.
    pub shapes: Vec<usize>,
}

impl BarPermutation {
    /// Draws the two permutations of a series of `bars` bars from `rng` (gaps first).
    pub fn draw<R: Rng + ?Sized>(bars: usize, rng: &mut R) -> Self {
        let changes = bars.saturating_sub(1);
        let mut gaps: Vec<usize> = (1..=changes).collect();
        gaps.shuffle(rng);
        let mut shapes: Vec<usize> = (1..=changes).collect();
        shapes.shuffle(rng);
        Self { gaps, shapes }
    }

    /// The identity: every bar keeps its own gap and shape.
    pub fn identity(bars: usize) -> Self {
        let order: Vec<usize> = (1..bars.max(1)).collect();
        Self {
            gaps: order.clone(),
            shapes: order,
        }
    }
}

/// Permutes each series of `universe` (Masters' bar permutation, module documentation): the series
/// that share a calendar get the same permutations, drawn from `rng` calendar by calendar in the
/// order of their first series. Returns the permuted series in the input's order.
///
/// # Errors
/// [`DataError::Core`] naming the series (its position in `universe`) when a rebuilt price leaves
/// the range a bar may hold (above [`gauntlet_core::MAX_PRICE`]: a permuted path can wander further
/// from the first bar than the original did).
pub fn permute_bars<R: Rng + ?Sized>(
    universe: &[&BarSeries],
    rng: &mut R,
) -> Result<Vec<BarSeries>, DataError> {
    let mut calendars: Vec<(usize, BarPermutation)> = Vec::new();
    let mut permuted = Vec::with_capacity(universe.len());
    for (index, series) in universe.iter().enumerate() {
        let shared = calendars
            .iter()
            .position(|(first, _)| universe[*first].timestamps() == series.timestamps());
        let calendar = match shared {
            Some(calendar) => calendar,
            None => {
                calendars.push((index, BarPermutation::draw(series.len(), rng)));
                calendars.len() - 1
            }
        };
        permuted.push(
            apply_permutation(series, &calendars[calendar].1).map_err(|source| {
                DataError::Core {
                    context: format!("permuting series {index} of the universe"),
                    source,
                }
            })?,
        );
    }
    Ok(permuted)
}

/// Rebuilds `series` with the gaps and shapes in the order `permutation` gives (module
/// documentation). The permutation must be of `1..series.len()` (as [`BarPermutation::draw`]
/// makes for the series' length).
///
/// # Errors
/// [`gauntlet_core::CoreError`] when a rebuilt bar fails the bar checks (a price above
/// [`gauntlet_core::MAX_PRICE`]).
///
/// # Panics
/// When the permutation's length is not the series' length minus one.
pub fn apply_permutation(
    series: &BarSeries,
    permutation: &BarPermutation,
) -> Result<BarSeries, gauntlet_core::CoreError> {
    let bars = series.len();
    assert!(
        permutation.gaps.len() == bars.saturating_sub(1)
            && permutation.shapes.len() == bars.saturating_sub(1),
        "a permutation of {} gaps for a series of {bars} bars",
        permutation.gaps.len()
    );
    let (open, high, low, close) = (series.open(), series.high(), series.low(), series.close());
    let ln = |values: &[f64]| -> Vec<f64> { values.iter().map(|value| value.ln()).collect() };
    let (log_open, log_high, log_low, log_close) = (ln(open), ln(high), ln(low), ln(close));
    let mut columns = BarColumns::with_capacity(bars);
    columns.timestamps = series.timestamps().to_vec();
    if let Some(first) = series.bar(0) {
        columns.open.push(first.open);
        columns.high.push(first.high);
        columns.low.push(first.low);
        columns.close.push(first.close);
        columns.volume.push(first.volume);
    }
    // The running log close, added up gap by gap and shape by shape.
    let mut previous_close = log_close.first().copied().unwrap_or(0.0);
    for (&gap_bar, &shape_bar) in permutation.gaps.iter().zip(&permutation.shapes) {
        let bar_open = previous_close + (log_open[gap_bar] - log_close[gap_bar - 1]);
        let base = log_open[shape_bar];
        let bar_close = bar_open + (log_close[shape_bar] - base);
        let (new_open, new_close) = (bar_open.exp(), bar_close.exp());
        let new_high = (bar_open + (log_high[shape_bar] - base)).exp();
        let new_low = (bar_open + (log_low[shape_bar] - base)).exp();
        // exp keeps the order of its arguments up to rounding; the clamp absorbs the rounding.
        columns.open.push(new_open);
        columns.close.push(new_close);
        columns.high.push(new_high.max(new_open).max(new_close));
        columns.low.push(new_low.min(new_open).min(new_close));
        columns.volume.push(series.volume()[shape_bar]);
        previous_close = bar_close;
    }
    match series.price_fields() {
        PriceFields::Ohlc => BarSeries::new(columns, series.has_volume()),
        PriceFields::CloseOnly => {
            let volume = series.has_volume().then_some(columns.volume);
            BarSeries::close_only(columns.timestamps, columns.close, volume)
        }
    }
}
