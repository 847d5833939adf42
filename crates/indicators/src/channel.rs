//! Price channels: Donchian and Keltner.

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

use crate::error::{IndicatorError, check_period};
use crate::moving_average::Ema;

/// One Donchian channel output, in price units.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct DonchianChannel {
    /// Highest high of the last `period` bars, this one included (TA-Lib `MAX` of the highs).
    pub upper: f64,
    /// Lowest low of the last `period` bars, this one included (TA-Lib `MIN` of the lows).
    pub lower: f64,
}

impl DonchianChannel {
    /// `(upper + lower) / 2`.
    pub fn middle(&self) -> f64 {
        (self.upper + self.lower) / 2.0
    }
}

/// Donchian channel (Donchian; the Turtle breakout channel) over the last `period` bars, including the
/// current bar: a breakout rule compares the close with the *previous* bar's channel. Amortised O(1)
/// per bar with monotonic queues.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Donchian {
    period: usize,
    seen: usize,
    highs: VecDeque<(usize, f64)>,
    lows: VecDeque<(usize, f64)>,
}

impl Donchian {
    /// A channel over `period` bars.
    ///
    /// # Errors
    /// [`IndicatorError::InvalidPeriod`] when `period` is 0.
    pub fn new(period: usize) -> Result<Self, IndicatorError> {
        check_period("Donchian", period, 1)?;
        Ok(Self {
            period,
            seen: 0,
            highs: VecDeque::with_capacity(period),
            lows: VecDeque::with_capacity(period),
        })
    }

    /// Feeds the next bar's high and low.
    pub fn update(&mut self, high: f64, low: f64) -> Option<DonchianChannel> {
        let index = self.seen;
        self.seen += 1;
        while self.highs.back().is_some_and(|&(_, value)| value <= high) {
            self.highs.pop_back();
        }
        self.highs.push_back((index, high));
        while self.lows.back().is_some_and(|&(_, value)| value >= low) {
            self.lows.pop_back();
        }
        self.lows.push_back((index, low));
        let oldest = (index + 1).saturating_sub(self.period);
        while self.highs.front().is_some_and(|&(at, _)| at < oldest) {
            self.highs.pop_front();
        }
        while self.lows.front().is_some_and(|&(at, _)| at < oldest) {
            self.lows.pop_front();
        }
        (self.seen >= self.period).then(|| DonchianChannel {
            upper: self.highs.front().expect("holds the current bar").1,
            lower: self.lows.front().expect("holds the current bar").1,
        })
    }
}

/// One Keltner channel output, in price units.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct KeltnerChannel {
    /// `middle + multiplier * band`.
    pub upper: f64,
    /// The EMA of the close.
    pub middle: f64,
    /// `middle - multiplier * band`.
    pub lower: f64,
}

/// Keltner channel as pandas-ta's `kc` defines it (its defaults `mamode="ema"`, `tr=True`; the
/// TradingView definition, after Keltner 1960 and Raschke's true-range bands): `middle =
/// EMA(close, period)`, `band = EMA(true range, period)`, `upper/lower = middle +- multiplier *
/// band`. Both are the standard [`Ema`] (TA-Lib's, seeded with the SMA of its first `period`
/// inputs). The true range `max(high - low, |high - previous close|, |low - previous close|)` starts
/// at the second bar, so the first value is at bar `period` (zero-based), one bar after the middle
/// line alone would start. The band is an EMA of the true range, not Wilder's ATR. Classic settings:
/// 20 bars, 2.0.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Keltner {
    middle: Ema,
    band: Ema,
    multiplier: f64,
    previous_close: Option<f64>,
}

impl Keltner {
    /// A channel of `multiplier` band widths around an EMA of `period` closes.
    ///
    /// # Errors
    /// [`IndicatorError::InvalidPeriod`] for a zero period; [`IndicatorError::InvalidParameter`] for a
    /// multiplier that is not a positive finite number.
    pub fn new(period: usize, multiplier: f64) -> Result<Self, IndicatorError> {
        if !(multiplier.is_finite() && multiplier > 0.0) {
            return Err(IndicatorError::InvalidParameter {
                indicator: "Keltner",
                message: format!("the multiplier must be a positive number, got {multiplier}"),
            });
        }
        check_period("Keltner", period, 1)?;
        Ok(Self {
            middle: Ema::new(period)?,
            band: Ema::new(period)?,
            multiplier,
            previous_close: None,
        })
    }

    /// Feeds the next bar's high, low and close.
    pub fn update(&mut self, high: f64, low: f64, close: f64) -> Option<KeltnerChannel> {
        let middle = self.middle.update(close);
        let previous_close = self.previous_close.replace(close)?;
        let true_range = (high - low)
            .max((high - previous_close).abs())
            .max((low - previous_close).abs());
        let band = self.band.update(true_range)?;
        // The middle line starts a bar before the band (`?` only for a corrupted saved state).
        let middle = middle?;
        Some(KeltnerChannel {
            upper: middle + self.multiplier * band,
            middle,
            lower: middle - self.multiplier * band,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keltner_by_hand() {
        // Period 2: closes 10, 11, 13; true ranges (from bar 1) 2, 3.
        let bars = [(10.5, 9.5, 10.0), (11.5, 10.0, 11.0), (13.5, 11.0, 13.0)];
        let mut keltner = Keltner::new(2, 2.0).unwrap();
        let values: Vec<_> = bars
            .iter()
            .map(|&(high, low, close)| keltner.update(high, low, close))
            .collect();
        assert_eq!(values[..2], [None, None]);
        // EMA(2) of closes: seed (10 + 11) / 2 = 10.5, then (13 - 10.5) * 2/3 + 10.5; of the true
        // ranges 1.5 (bar 1: max(1.5, 1.5, 0)) and 2.5 (bar 2: max(2.5, 2.5, 0)): seed 2.0.
        let channel = values[2].unwrap();
        let middle = (13.0 - 10.5) * (2.0 / 3.0) + 10.5;
        assert_eq!(channel.middle, middle);
        assert_eq!(channel.upper, middle + 2.0 * 2.0);
        assert_eq!(channel.lower, middle - 2.0 * 2.0);
        assert!(Keltner::new(20, 0.0).is_err() && Keltner::new(0, 2.0).is_err());
    }
}
