//! Simple and exponential moving averages.

use serde::{Deserialize, Serialize};
use std::collections::VecDeque;

use crate::error::{IndicatorError, check_period};

/// Simple moving average over the last `period` values (TA-Lib `SMA`).
///
/// Computed as a running sum in plain f64, adding the new value before removing the one that leaves
/// the window (`s += x[i]; if i >= n { s -= x[i - n] }; sma = s / n`), exactly the summation of
/// TA-Lib and of vectorbt's reference W1 workload, so crossovers on near-ties agree with them.
/// No value for the first `period - 1` inputs.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Sma {
    period: usize,
    window: VecDeque<f64>,
    sum: f64,
}

impl Sma {
    /// An SMA of `period` values.
    ///
    /// # Errors
    /// [`IndicatorError::InvalidPeriod`] when `period` is 0.
    pub fn new(period: usize) -> Result<Self, IndicatorError> {
        check_period("SMA", period, 1)?;
        Ok(Self {
            period,
            window: VecDeque::with_capacity(period + 1),
            sum: 0.0,
        })
    }

    /// Feeds the next value; returns the average once `period` values have been seen.
    pub fn update(&mut self, value: f64) -> Option<f64> {
        self.sum += value;
        self.window.push_back(value);
        if self.window.len() > self.period {
            let leaving = self.window.pop_front().expect("the window is not empty");
            self.sum -= leaving;
        }
        (self.window.len() == self.period).then(|| self.sum / self.period as f64)
    }

    /// The period.
    pub fn period(&self) -> usize {
        self.period
    }
}

/// Exponential moving average (TA-Lib `EMA`): seeded with the SMA of the first `period` values, then
/// `ema = (x - ema) * k + ema` with `k = 2 / (period + 1)`. No value for the first `period - 1` inputs.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Ema {
    period: usize,
    smoothing: f64,
    seen: usize,
    seed_sum: f64,
    value: Option<f64>,
}

impl Ema {
    /// An EMA of `period` values.
    ///
    /// # Errors
    /// [`IndicatorError::InvalidPeriod`] when `period` is 0.
    pub fn new(period: usize) -> Result<Self, IndicatorError> {
        check_period("EMA", period, 1)?;
        Ok(Self {
            period,
            smoothing: 2.0 / (period as f64 + 1.0),
            seen: 0,
            seed_sum: 0.0,
            value: None,
        })
    }

    /// Feeds the next value; returns the average once `period` values have been seen.
    pub fn update(&mut self, value: f64) -> Option<f64> {
        self.value = match self.value {
            Some(previous) => Some((value - previous) * self.smoothing + previous),
            None => {
                self.seen += 1;
                self.seed_sum += value;
                (self.seen == self.period).then(|| self.seed_sum / self.period as f64)
            }
        };
        self.value
    }
}
