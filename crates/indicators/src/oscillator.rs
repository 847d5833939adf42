//! Range oscillators: the stochastic oscillator, the Commodity Channel Index, Williams %R.

use serde::{Deserialize, Serialize};

use crate::error::{IndicatorError, check_period};
use crate::moving_average::WindowSum;
use crate::window::{Extreme, RollingExtreme};

/// TA-Lib's flatness test for a window's range (`TA_IS_ZERO_SCALED`, TA-Lib 0.8): `highest - lowest`
/// counts as zero within 1e-14 of the extremes' magnitude (about 90 ulp), so a window of equal
/// prices never divides rounding noise, at any price level.
fn is_flat(highest: f64, lowest: f64) -> bool {
    (highest - lowest).abs() <= 1e-14 * (highest.abs() + lowest.abs())
}

/// One [`Stochastic`] output, 0 to 100.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct StochasticValue {
    /// Slow %K: the SMA over `k_smoothing` bars of the fast %K.
    pub k: f64,
    /// Slow %D: the SMA over `d_period` bars of the slow %K.
    pub d: f64,
}

/// Slow stochastic oscillator (Lane; TA-Lib `STOCH` with SMA smoothing for both lines).
///
/// Fast %K = `(close - lowest low) / (highest high - lowest low) * 100` over the last `period` bars,
/// the current one included, and 0 when the window is flat (its range within 1e-14 of the prices'
/// magnitude: TA-Lib's choice, as `TA_IS_ZERO_SCALED`). Slow %K is the SMA of fast %K over
/// `k_smoothing` bars, slow %D the SMA of slow %K over `d_period` bars (summed in TA-Lib's order, so
/// the values are TA-Lib's to the bit on the bundled data). As TA-Lib gives both lines
/// from the same bar, the first value is at bar `period + k_smoothing + d_period - 3` (zero-based).
/// Classic settings: 14, 3, 3.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Stochastic {
    highest: RollingExtreme,
    lowest: RollingExtreme,
    k: WindowSum,
    d: WindowSum,
}

impl Stochastic {
    /// A stochastic over `period` bars, its %K smoothed over `k_smoothing` and %D over `d_period`.
    ///
    /// # Errors
    /// [`IndicatorError::InvalidPeriod`] when any of them is 0.
    pub fn new(period: usize, k_smoothing: usize, d_period: usize) -> Result<Self, IndicatorError> {
        check_period("stochastic", period, 1)?;
        check_period("stochastic %K smoothing", k_smoothing, 1)?;
        check_period("stochastic %D", d_period, 1)?;
        Ok(Self {
            highest: RollingExtreme::new(Extreme::Highest, period),
            lowest: RollingExtreme::new(Extreme::Lowest, period),
            k: WindowSum::new(k_smoothing),
            d: WindowSum::new(d_period),
        })
    }

    /// Feeds the next bar's high, low and close.
    pub fn update(&mut self, high: f64, low: f64, close: f64) -> Option<StochasticValue> {
        let highest = self.highest.update(high);
        let lowest = self.lowest.update(low)?;
        let highest = highest?;
        let fast_k = if is_flat(highest, lowest) {
            0.0
        } else {
            (close - lowest) / (highest - lowest) * 100.0
        };
        let k = self.k.update(fast_k)? / self.k.period() as f64;
        let d = self.d.update(k)? / self.d.period() as f64;
        Some(StochasticValue { k, d })
    }
}

/// Commodity Channel Index (Lambert 1980; TA-Lib `CCI`), unbounded, usually within +-100 to +-300.
///
/// With the typical price `tp = (high + low + close) / 3` and, over the last `period` bars, its mean
/// `m` and mean absolute deviation `md`: `CCI = (tp - m) / (0.015 * md)`. It is 0 when `tp - m` or
/// `md` is within 1e-14 of `|m|` (a flat window: TA-Lib 0.8's `TA_IS_ZERO_SCALED` test). The sums run
/// over a ring buffer in TA-Lib's order. The first value is at bar `period - 1` (zero-based).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Cci {
    #[serde(deserialize_with = "crate::error::period_at_least::<_, 2>")]
    period: usize,
    typical_prices: Vec<f64>,
    next: usize,
}

impl Cci {
    /// A CCI over `period` bars (20 classically).
    ///
    /// # Errors
    /// [`IndicatorError::InvalidPeriod`] when `period` is below 2 (TA-Lib's bound).
    pub fn new(period: usize) -> Result<Self, IndicatorError> {
        check_period("CCI", period, 2)?;
        Ok(Self {
            period,
            typical_prices: Vec::new(),
            next: 0,
        })
    }

    /// Feeds the next bar's high, low and close.
    pub fn update(&mut self, high: f64, low: f64, close: f64) -> Option<f64> {
        let typical = (high + low + close) / 3.0;
        if self.typical_prices.len() < self.period {
            self.typical_prices.push(typical);
        } else if let Some(slot) = self.typical_prices.get_mut(self.next % self.period) {
            *slot = typical;
        }
        self.next = (self.next % self.period + 1) % self.period;
        if self.typical_prices.len() < self.period {
            return None;
        }
        let period = self.period as f64;
        let average = self.typical_prices.iter().sum::<f64>() / period;
        let deviation = self
            .typical_prices
            .iter()
            .map(|price| (price - average).abs())
            .sum::<f64>()
            / period;
        let distance = typical - average;
        let scale = 1e-14 * average.abs();
        Some(if distance.abs() > scale && deviation.abs() > scale {
            distance / (0.015 * deviation)
        } else {
            0.0
        })
    }
}

/// Williams %R (Williams; TA-Lib `WILLR`), -100 (close on the lowest low) to 0 (on the highest high):
/// `(highest high - close) / (highest high - lowest low) * -100` over the last `period` bars, the
/// current one included, clamped into [-100, 0]. It is 0 when the window is flat (TA-Lib's choice,
/// the same test as [`Stochastic`]). The first value is at bar `period - 1` (zero-based).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct WilliamsR {
    highest: RollingExtreme,
    lowest: RollingExtreme,
}

impl WilliamsR {
    /// A Williams %R over `period` bars (14 classically).
    ///
    /// # Errors
    /// [`IndicatorError::InvalidPeriod`] when `period` is below 2 (TA-Lib's bound).
    pub fn new(period: usize) -> Result<Self, IndicatorError> {
        check_period("Williams %R", period, 2)?;
        Ok(Self {
            highest: RollingExtreme::new(Extreme::Highest, period),
            lowest: RollingExtreme::new(Extreme::Lowest, period),
        })
    }

    /// Feeds the next bar's high, low and close.
    pub fn update(&mut self, high: f64, low: f64, close: f64) -> Option<f64> {
        let highest = self.highest.update(high);
        let lowest = self.lowest.update(low)?;
        let highest = highest?;
        if is_flat(highest, lowest) {
            return Some(0.0);
        }
        let value = (highest - close) / (highest - lowest) * -100.0;
        Some(value.clamp(-100.0, 0.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn williams_r_and_fast_stochastic_by_hand() {
        // Window of 3: highs 10, 12, 11 -> 12; lows 8, 9, 7 -> 7; close 9.5.
        let bars = [(10.0, 8.0, 9.0), (12.0, 9.0, 11.0), (11.0, 7.0, 9.5)];
        let mut williams = WilliamsR::new(3).unwrap();
        let mut stochastic = Stochastic::new(3, 1, 1).unwrap();
        let mut last = (None, None);
        for (high, low, close) in bars {
            last = (
                williams.update(high, low, close),
                stochastic.update(high, low, close),
            );
        }
        assert_eq!(last.0, Some((12.0 - 9.5) / 5.0 * -100.0));
        let value = last.1.unwrap();
        assert_eq!(value.k, (9.5 - 7.0) / 5.0 * 100.0);
        assert_eq!(value.d, value.k);
    }

    #[test]
    fn cci_by_hand() {
        // Typical prices 1, 2, 3 (flat bars): mean 2, mean deviation 2/3, last 3.
        let mut cci = Cci::new(3).unwrap();
        assert_eq!(cci.update(1.0, 1.0, 1.0), None);
        assert_eq!(cci.update(2.0, 2.0, 2.0), None);
        let value = cci.update(3.0, 3.0, 3.0).unwrap();
        assert!(
            (value - 1.0 / (0.015 * (2.0 / 3.0))).abs() < 1e-12,
            "{value}"
        );
        // Three equal typical prices: a flat window gives 0.
        for _ in 0..3 {
            cci.update(0.1, 0.1, 0.1);
        }
        assert_eq!(cci.update(0.1, 0.1, 0.1), Some(0.0));
    }

    #[test]
    fn flat_windows_give_talib_values() {
        let mut williams = WilliamsR::new(2).unwrap();
        let mut stochastic = Stochastic::new(2, 2, 2).unwrap();
        for _ in 0..5 {
            assert!(matches!(williams.update(5.0, 5.0, 5.0), None | Some(0.0)));
            if let Some(value) = stochastic.update(5.0, 5.0, 5.0) {
                assert_eq!((value.k, value.d), (0.0, 0.0));
            }
        }
        assert!(Stochastic::new(14, 0, 3).is_err());
        assert!(Cci::new(1).is_err() && WilliamsR::new(1).is_err());
    }
}
