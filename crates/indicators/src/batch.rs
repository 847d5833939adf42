//! Batch forms: a whole series in, one `Vec<f64>` per output out, `NaN` where the indicator has no
//! value yet (warm-up). Each runs the streaming form over the series, so the two agree exactly.

use gauntlet_core::BarSeries;

use crate::channel::Donchian;
use crate::error::IndicatorError;
use crate::momentum::{Macd, Roc, Rsi};
use crate::moving_average::{Ema, Sma};
use crate::volatility::{Atr, Bollinger, RollingStdDev, Volatility, ZScore};

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
