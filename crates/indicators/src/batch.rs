//! Batch forms: a whole series in, one `Vec<f64>` per output out, `NaN` where the indicator has no
//! value yet (warm-up). Each runs the streaming form over the series, so the two agree exactly.

use gauntlet_core::BarSeries;

use crate::channel::{Donchian, Keltner};
use crate::error::IndicatorError;
use crate::momentum::{Macd, Roc, Rsi};
use crate::moving_average::{Ema, Sma};
use crate::oscillator::{Cci, Stochastic, WilliamsR};
use crate::trend::{Adx, Aroon};
use crate::volatility::{Atr, Bollinger, RollingStdDev, Volatility, ZScore};
use crate::volume::{Mfi, Obv, RollingVwap};
use crate::window::{Highest, Lag, Lowest};

fn over_values(values: &[f64], mut step: impl FnMut(f64) -> Option<f64>) -> Vec<f64> {
    values
        .iter()
        .map(|&value| step(value).unwrap_or(f64::NAN))
        .collect()
}

/// [`Sma`] over `values`.
///
/// # Errors
/// As [`Sma::new`].
pub fn sma(values: &[f64], period: usize) -> Result<Vec<f64>, IndicatorError> {
    let mut indicator = Sma::new(period)?;
    Ok(over_values(values, |value| indicator.update(value)))
}

/// [`Ema`] over `values`.
///
/// # Errors
/// As [`Ema::new`].
pub fn ema(values: &[f64], period: usize) -> Result<Vec<f64>, IndicatorError> {
    let mut indicator = Ema::new(period)?;
    Ok(over_values(values, |value| indicator.update(value)))
}

/// [`Rsi`] over `values` (0 to 100).
///
/// # Errors
/// As [`Rsi::new`].
pub fn rsi(values: &[f64], period: usize) -> Result<Vec<f64>, IndicatorError> {
    let mut indicator = Rsi::new(period)?;
    Ok(over_values(values, |value| indicator.update(value)))
}

/// [`Roc`] over `values` (a fraction).
///
/// # Errors
/// As [`Roc::new`].
pub fn roc(values: &[f64], period: usize) -> Result<Vec<f64>, IndicatorError> {
    let mut indicator = Roc::new(period)?;
    Ok(over_values(values, |value| indicator.update(value)))
}

/// [`RollingStdDev`] over `values`.
///
/// # Errors
/// As [`RollingStdDev::new`].
pub fn stddev(values: &[f64], period: usize) -> Result<Vec<f64>, IndicatorError> {
    let mut indicator = RollingStdDev::new(period)?;
    Ok(over_values(values, |value| indicator.update(value)))
}

/// [`ZScore`] over `values`.
///
/// # Errors
/// As [`ZScore::new`].
pub fn zscore(values: &[f64], period: usize) -> Result<Vec<f64>, IndicatorError> {
    let mut indicator = ZScore::new(period)?;
    Ok(over_values(values, |value| indicator.update(value)))
}

/// [`Volatility`] over `closes` (per bar, a fraction).
///
/// # Errors
/// As [`Volatility::new`].
pub fn volatility(closes: &[f64], period: usize) -> Result<Vec<f64>, IndicatorError> {
    let mut indicator = Volatility::new(period)?;
    Ok(over_values(closes, |value| indicator.update(value)))
}

/// [`Bollinger`] over `values`: `[upper, middle, lower]`.
///
/// # Errors
/// As [`Bollinger::new`].
pub fn bollinger(
    values: &[f64],
    period: usize,
    width: f64,
) -> Result<[Vec<f64>; 3], IndicatorError> {
    let mut indicator = Bollinger::new(period, width)?;
    let mut bands = [
        Vec::with_capacity(values.len()),
        Vec::with_capacity(values.len()),
        Vec::with_capacity(values.len()),
    ];
    for &value in values {
        let output = indicator.update(value);
        bands[0].push(output.map_or(f64::NAN, |band| band.upper));
        bands[1].push(output.map_or(f64::NAN, |band| band.middle));
        bands[2].push(output.map_or(f64::NAN, |band| band.lower));
    }
    Ok(bands)
}

/// [`Macd`] over `values`: `[line, signal, histogram]`.
///
/// # Errors
/// As [`Macd::new`].
pub fn macd(
    values: &[f64],
    fast: usize,
    slow: usize,
    signal: usize,
) -> Result<[Vec<f64>; 3], IndicatorError> {
    let mut indicator = Macd::new(fast, slow, signal)?;
    let mut outputs = [
        Vec::with_capacity(values.len()),
        Vec::with_capacity(values.len()),
        Vec::with_capacity(values.len()),
    ];
    for &value in values {
        let output = indicator.update(value);
        outputs[0].push(output.map_or(f64::NAN, |macd| macd.line));
        outputs[1].push(output.and_then(|macd| macd.signal).unwrap_or(f64::NAN));
        outputs[2].push(output.and_then(|macd| macd.histogram).unwrap_or(f64::NAN));
    }
    Ok(outputs)
}

/// [`Atr`] over a series (price units).
///
/// # Errors
/// As [`Atr::new`].
pub fn atr(series: &BarSeries, period: usize) -> Result<Vec<f64>, IndicatorError> {
    let mut indicator = Atr::new(period)?;
    Ok((0..series.len())
        .map(|index| {
            indicator
                .update(
                    series.high()[index],
                    series.low()[index],
                    series.close()[index],
                )
                .unwrap_or(f64::NAN)
        })
        .collect())
}

/// [`Donchian`] over a series: `[upper, lower]`.
///
/// # Errors
/// As [`Donchian::new`].
pub fn donchian(series: &BarSeries, period: usize) -> Result<[Vec<f64>; 2], IndicatorError> {
    let mut indicator = Donchian::new(period)?;
    let mut outputs = [
        Vec::with_capacity(series.len()),
        Vec::with_capacity(series.len()),
    ];
    for index in 0..series.len() {
        let channel = indicator.update(series.high()[index], series.low()[index]);
        outputs[0].push(channel.map_or(f64::NAN, |channel| channel.upper));
        outputs[1].push(channel.map_or(f64::NAN, |channel| channel.lower));
    }
    Ok(outputs)
}

/// `N` columns of `bars` values each, filled from one output per bar (`NaN` where it is `None`).
fn columns<const N: usize>(
    bars: usize,
    mut output: impl FnMut(usize) -> Option<[f64; N]>,
) -> [Vec<f64>; N] {
    let mut columns: [Vec<f64>; N] = std::array::from_fn(|_| Vec::with_capacity(bars));
    for index in 0..bars {
        let values = output(index).unwrap_or([f64::NAN; N]);
        for (column, value) in columns.iter_mut().zip(values) {
            column.push(value);
        }
    }
    columns
}

/// One column of `bars` values from one output per bar (`NaN` where it is `None`).
fn column(bars: usize, mut output: impl FnMut(usize) -> Option<f64>) -> Vec<f64> {
    (0..bars)
        .map(|index| output(index).unwrap_or(f64::NAN))
        .collect()
}

/// [`Adx`] over a series: `[adx, plus_di, minus_di]`, each 0 to 100. The DIs start at bar `period`
/// (zero-based), the ADX at bar `2 * period - 1`.
///
/// # Errors
/// As [`Adx::new`].
pub fn adx(series: &BarSeries, period: usize) -> Result<[Vec<f64>; 3], IndicatorError> {
    let mut indicator = Adx::new(period)?;
    let (high, low, close) = (series.high(), series.low(), series.close());
    Ok(columns(series.len(), |index| {
        let value = indicator.update(high[index], low[index], close[index])?;
        Some([value.adx.unwrap_or(f64::NAN), value.plus_di, value.minus_di])
    }))
}

/// [`Aroon`] over a series: `[up, down, oscillator]` (0 to 100; the oscillator -100 to 100), from bar
/// `period` (zero-based).
///
/// # Errors
/// As [`Aroon::new`].
pub fn aroon(series: &BarSeries, period: usize) -> Result<[Vec<f64>; 3], IndicatorError> {
    let mut indicator = Aroon::new(period)?;
    let (high, low) = (series.high(), series.low());
    Ok(columns(series.len(), |index| {
        let value = indicator.update(high[index], low[index])?;
        Some([value.up, value.down, value.oscillator])
    }))
}

/// [`Stochastic`] over a series: `[k, d]` (slow %K and slow %D, 0 to 100), from bar
/// `period + k_smoothing + d_period - 3` (zero-based).
///
/// # Errors
/// As [`Stochastic::new`].
pub fn stochastic(
    series: &BarSeries,
    period: usize,
    k_smoothing: usize,
    d_period: usize,
) -> Result<[Vec<f64>; 2], IndicatorError> {
    let mut indicator = Stochastic::new(period, k_smoothing, d_period)?;
    let (high, low, close) = (series.high(), series.low(), series.close());
    Ok(columns(series.len(), |index| {
        let value = indicator.update(high[index], low[index], close[index])?;
        Some([value.k, value.d])
    }))
}

/// [`Cci`] over a series, from bar `period - 1` (zero-based).
///
/// # Errors
/// As [`Cci::new`].
pub fn cci(series: &BarSeries, period: usize) -> Result<Vec<f64>, IndicatorError> {
    let mut indicator = Cci::new(period)?;
    let (high, low, close) = (series.high(), series.low(), series.close());
    Ok(column(series.len(), |index| {
        indicator.update(high[index], low[index], close[index])
    }))
}

/// [`WilliamsR`] over a series (-100 to 0), from bar `period - 1` (zero-based).
///
/// # Errors
/// As [`WilliamsR::new`].
pub fn williams_r(series: &BarSeries, period: usize) -> Result<Vec<f64>, IndicatorError> {
    let mut indicator = WilliamsR::new(period)?;
    let (high, low, close) = (series.high(), series.low(), series.close());
    Ok(column(series.len(), |index| {
        indicator.update(high[index], low[index], close[index])
    }))
}

/// [`Mfi`] over a series (0 to 100), from bar `period` (zero-based). A series without volume gives
/// 0 throughout (no money flow).
///
/// # Errors
/// As [`Mfi::new`].
pub fn mfi(series: &BarSeries, period: usize) -> Result<Vec<f64>, IndicatorError> {
    let mut indicator = Mfi::new(period)?;
    let (high, low, close, volume) = (series.high(), series.low(), series.close(), series.volume());
    Ok(column(series.len(), |index| {
        indicator.update(high[index], low[index], close[index], volume[index])
    }))
}

/// [`Obv`] over a series, in volume units, from the first bar (it starts at that bar's volume).
pub fn obv(series: &BarSeries) -> Vec<f64> {
    let mut indicator = Obv::new();
    let (close, volume) = (series.close(), series.volume());
    (0..series.len())
        .map(|index| indicator.update(close[index], volume[index]))
        .collect()
}

/// [`RollingVwap`] over a series, in price units, from bar `period - 1` (zero-based); `NaN` where
/// the window holds no volume.
///
/// # Errors
/// As [`RollingVwap::new`].
pub fn rolling_vwap(series: &BarSeries, period: usize) -> Result<Vec<f64>, IndicatorError> {
    let mut indicator = RollingVwap::new(period)?;
    let (high, low, close, volume) = (series.high(), series.low(), series.close(), series.volume());
    Ok(column(series.len(), |index| {
        indicator.update(high[index], low[index], close[index], volume[index])
    }))
}

/// [`Keltner`] over a series: `[upper, middle, lower]`, in price units, from bar `period`
/// (zero-based).
///
/// # Errors
/// As [`Keltner::new`].
pub fn keltner(
    series: &BarSeries,
    period: usize,
    multiplier: f64,
) -> Result<[Vec<f64>; 3], IndicatorError> {
    let mut indicator = Keltner::new(period, multiplier)?;
    let (high, low, close) = (series.high(), series.low(), series.close());
    Ok(columns(series.len(), |index| {
        let channel = indicator.update(high[index], low[index], close[index])?;
        Some([channel.upper, channel.middle, channel.lower])
    }))
}

/// [`Highest`] over `values` (any column: `series.high()` for the highest high), from index
/// `period - 1`.
///
/// # Errors
/// As [`Highest::new`].
pub fn highest(values: &[f64], period: usize) -> Result<Vec<f64>, IndicatorError> {
    let mut indicator = Highest::new(period)?;
    Ok(over_values(values, |value| indicator.update(value)))
}

/// [`Lowest`] over `values` (`series.low()` for the lowest low), from index `period - 1`.
///
/// # Errors
/// As [`Lowest::new`].
pub fn lowest(values: &[f64], period: usize) -> Result<Vec<f64>, IndicatorError> {
    let mut indicator = Lowest::new(period)?;
    Ok(over_values(values, |value| indicator.update(value)))
}

/// [`Lag`] over `values`: the value `bars` bars ago, from index `bars`.
///
/// # Errors
/// As [`Lag::new`].
pub fn lag(values: &[f64], bars: usize) -> Result<Vec<f64>, IndicatorError> {
    let mut indicator = Lag::new(bars)?;
    Ok(over_values(values, |value| indicator.update(value)))
}
