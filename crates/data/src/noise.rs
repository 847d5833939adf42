//! Noise-test bars: copies of a series with a share of the opens, highs, lows and closes moved by
//! random amounts up to a fraction of the average true range, for the Noise Test of strategy
//! builders. Build Alpha's description (<https://www.buildalpha.com/noise-test/> and
//! <https://www.buildalpha.com/free-friday-12-noise-test/>): the user picks how much of the data to
//! change, separately for the opens, highs, lows and closes (its example: up to 40% of the opens,
//! 60% of the highs, 50% of the lows and 75% of the closes), and by how much, "adding or subtracting
//! up to 25% of the average true range"; hundreds of such series are built and the strategy is
//! re-traded on each. A strategy fitted to the noise of the one historical path loses its edge on
//! them.
//!
//! Each copy, bar by bar, field by field (open, high, low, close), draws two numbers from the
//! caller's random stream, `u` and `v`, uniform on [0, 1) (rand's `StandardUniform` for `f64`: the
//! top 53 bits of one `u64`, times 2^-53): the field moves when `u < share` (its share of moved
//! prices), by `(2v - 1) * max_move_atr_fraction * atr[bar]`, a move uniform on [-x, x) ATR. Every
//! bar takes exactly 8 draws, whatever the shares and even where it does not move, so the draws of
//! one bar never depend on another bar's settings, and with the same stream a larger share moves a
//! superset of the prices a smaller one moves, by the same amounts.
//!
//! **Validity.** The moved prices are made a valid bar again (`low <= min(open, close)`,
//! `max(open, close) <= high`, every price finite and above 0):
//! 1. a move that would take a price to 0 or below is not made (the price keeps its value);
//! 2. the high is widened to cover the moved open and close, the low likewise:
//!    `high = max(high', open', close')`, `low = min(low', open', close')`. The open and close are
//!    never clamped into the old range, so a moved close can make a new high: the noise is in the
//!    prices a strategy reads, not squeezed back into the original bar.
//!
//! Timestamps and volumes are kept. A bar whose ATR is `NaN` (an indicator's warm-up) is not moved
//! (its 8 draws are still taken). A close-only series moves its closes only (by the close share) and
//! stays close-only. The ATR is the caller's (gauntlet-data cannot depend on gauntlet-indicators,
//! which sits in the same layer): any column in price units, one value per bar, usually Wilder's
//! ATR of the original bars; it only scales the noise and takes no decision, so using bar `t`'s own
//! range to scale bar `t`'s noise looks at nothing ahead.
//!
//! Copies are independent: copy `k` reads only its own stream (the caller's `stream(k)`, e.g.
//! ChaCha8 keyed by the run's seed on the noise test's stream `k`), so [`noise_copies`] gives the
//! same bytes on any number of threads.

use gauntlet_core::{BarColumns, BarSeries, PriceFields};
use rand::{Rng, RngExt};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::DataError;

/// Most copies one noise test may ask for. Build Alpha builds 100 by default and "hundreds" in its
/// examples; 10,000 pins the 5th percentile of a fitness to well under a percentile point.
pub const MAX_NOISE_COPIES: usize = 10_000;

/// The largest move a noise test may ask for, a fraction of the ATR (1.0: one whole ATR). Build
/// Alpha's examples move by 25% and 33%; a move of more than one ATR is no longer noise on the
/// same market.
pub const MAX_NOISE_ATR_FRACTION: f64 = 1.0;

/// Most bars [`noise_copies`] holds in memory at once (copies times bars: 20 million bars are about
/// 1 GB); a larger test makes its copies one at a time with [`noise_bars`] and drops each after use.
pub const MAX_NOISE_BARS_IN_MEMORY: usize = 20_000_000;

/// The share of each price field a noise copy moves, fractions in [0, 1]: each bar's open moves
/// with probability `open` (0.4: about 40% of the opens move), and so on.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldShares {
    /// Share of opens moved.
    pub open: f64,
    /// Share of highs moved.
    pub high: f64,
    /// Share of lows moved.
    pub low: f64,
    /// Share of closes moved.
    pub close: f64,
}

impl FieldShares {
    /// The same share for all four fields.
    pub fn all(share: f64) -> Self {
        Self {
            open: share,
            high: share,
            low: share,
            close: share,
        }
    }

    fn as_array(self) -> [f64; 4] {
        [self.open, self.high, self.low, self.close]
    }
}

/// What a noise copy changes (module documentation).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoiseSettings {
    /// The largest move, a fraction of the bar's ATR in (0, [`MAX_NOISE_ATR_FRACTION`]] (0.25: up
    /// to a quarter of the ATR up or down).
    pub max_move_atr_fraction: f64,
    /// The share of each field's prices moved.
    pub shares: FieldShares,
}

impl NoiseSettings {
    /// Checks the settings against their ranges.
    ///
    /// # Errors
    /// [`DataError::InvalidField`] naming the field (`max_move_atr_fraction`, `shares.open`, ...)
    /// when a value is out of range or not a number.
    pub fn validate(&self) -> Result<(), DataError> {
        let fraction = self.max_move_atr_fraction;
        if !(fraction > 0.0 && fraction <= MAX_NOISE_ATR_FRACTION) {
            return Err(DataError::InvalidField {
                field: "max_move_atr_fraction".to_string(),
                message: format!(
                    "the largest move must be above 0 and at most {MAX_NOISE_ATR_FRACTION} ATR, \
                     got {fraction}"
                ),
            });
        }
        for (name, share) in ["open", "high", "low", "close"]
            .into_iter()
            .zip(self.shares.as_array())
        {
            if !(0.0..=1.0).contains(&share) {
                return Err(DataError::InvalidField {
                    field: format!("shares.{name}"),
                    message: format!("a share of prices moved must be in [0, 1], got {share}"),
                });
            }
        }
        Ok(())
    }
}

/// Checks the ATR column against the series: one value per bar, each `NaN` (not moved) or finite
/// and at least 0.
fn check_atr(series: &BarSeries, atr: &[f64]) -> Result<(), DataError> {
    if atr.len() != series.len() {
        return Err(DataError::InvalidField {
            field: "atr".to_string(),
            message: format!(
                "the ATR column has {} values for {} bars",
                atr.len(),
                series.len()
            ),
        });
    }
    if let Some(bar) = atr
        .iter()
        .position(|value| !(value.is_nan() || value.is_finite() && *value >= 0.0))
    {
        return Err(DataError::InvalidField {
            field: "atr".to_string(),
            message: format!(
                "the ATR at bar {bar} is {}; it must be finite and at least 0 (NaN: bar not moved)",
                atr[bar]
            ),
        });
    }
    Ok(())
}

/// One noise copy of `series` (module documentation), drawing 8 numbers per bar from `rng`.
///
/// Needs from the caller: `atr`, one value per bar in price units (`NaN` leaves the bar alone),
/// the settings, and the copy's own seeded stream.
///
/// # Errors
/// [`DataError::InvalidField`] when the settings or the ATR column are out of range (checked before
/// any draw); [`DataError::Core`] when a moved price leaves the range a bar may hold (above
/// [`gauntlet_core::MAX_PRICE`]).
pub fn noise_bars<R: Rng + ?Sized>(
    series: &BarSeries,
    atr: &[f64],
    settings: &NoiseSettings,
    rng: &mut R,
) -> Result<BarSeries, DataError> {
    settings.validate()?;
    check_atr(series, atr)?;
    perturb(series, atr, settings, rng)
}

/// [`noise_bars`] after the checks.
fn perturb<R: Rng + ?Sized>(
    series: &BarSeries,
    atr: &[f64],
    settings: &NoiseSettings,
    rng: &mut R,
) -> Result<BarSeries, DataError> {
    let shares = settings.shares.as_array();
    let close_only = series.price_fields() == PriceFields::CloseOnly;
    let mut columns: BarColumns = series.columns().clone();
    for (bar, &bar_atr) in atr.iter().enumerate() {
        let mut prices = [
            columns.open[bar],
            columns.high[bar],
            columns.low[bar],
            columns.close[bar],
        ];
        let scale = settings.max_move_atr_fraction * bar_atr;
        for (field, price) in prices.iter_mut().enumerate() {
            let selector: f64 = rng.random();
            let amount: f64 = rng.random();
            let moves = selector < shares[field] && !scale.is_nan() && (!close_only || field == 3);
            if moves {
                let moved = *price + (2.0 * amount - 1.0) * scale;
                if moved > 0.0 {
                    *price = moved;
                }
            }
        }
        let [open, high, low, close] = prices;
        if close_only {
            columns.open[bar] = close;
            columns.high[bar] = close;
            columns.low[bar] = close;
        } else {
            columns.open[bar] = open;
            columns.high[bar] = high.max(open).max(close);
            columns.low[bar] = low.min(open).min(close);
        }
        columns.close[bar] = close;
    }
    BarSeries::from_parts(columns, series.price_fields(), series.has_volume()).map_err(|source| {
        DataError::Core {
            context: "building a noise-test copy".to_string(),
            source,
        }
    })
}

/// `copies` noise copies of `series`, copy `k` drawn from `stream(k)` alone, made in parallel with
/// rayon and returned in copy order: the same bytes on any number of threads.
///
/// # Errors
/// [`DataError::InvalidField`] (field `copies`) when `copies` is 0 or above [`MAX_NOISE_COPIES`],
/// or when `copies` times the series' bars is above [`MAX_NOISE_BARS_IN_MEMORY`]; the errors of
/// [`noise_bars`] (the settings and the ATR column are checked once, before any copy).
pub fn noise_copies<R, F>(
    series: &BarSeries,
    atr: &[f64],
    settings: &NoiseSettings,
    copies: usize,
    stream: F,
) -> Result<Vec<BarSeries>, DataError>
where
    R: Rng,
    F: Fn(usize) -> R + Sync,
{
    if copies == 0 || copies > MAX_NOISE_COPIES {
        return Err(DataError::InvalidField {
            field: "copies".to_string(),
            message: format!("a noise test needs 1 to {MAX_NOISE_COPIES} copies, got {copies}"),
        });
    }
    let bars = copies.saturating_mul(series.len());
    if bars > MAX_NOISE_BARS_IN_MEMORY {
        return Err(DataError::InvalidField {
            field: "copies".to_string(),
            message: format!(
                "{copies} copies of {} bars are {bars} bars, above the {MAX_NOISE_BARS_IN_MEMORY} \
                 held at once; make them one at a time with noise_bars",
                series.len()
            ),
        });
    }
    settings.validate()?;
    check_atr(series, atr)?;
    (0..copies)
        .into_par_iter()
        .map(|copy| perturb(series, atr, settings, &mut stream(copy)))
        .collect()
}

#[cfg(test)]
mod tests;
