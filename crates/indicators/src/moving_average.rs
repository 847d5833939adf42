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

/// The mean of the last `period` values summed in TA-Lib's order (its internal SMA: the sum of the
/// `period - 1` newest values kept between calls, the new value added, then the oldest removed),
/// for the indicators that smooth with TA-Lib's SMA inside (the stochastic oscillator) or divide
/// two such means (the rolling VWAP), so that they give TA-Lib's bits. [`Sma`] keeps its own order.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct WindowSum {
    #[serde(deserialize_with = "crate::error::period_at_least::<_, 1>")]
    period: usize,
    window: VecDeque<f64>,
    sum_of_newer: f64,
}

impl WindowSum {
    /// `period` must be at least 1 (checked by the caller).
    pub(crate) fn new(period: usize) -> Self {
        Self {
            period,
            window: VecDeque::new(),
            sum_of_newer: 0.0,
        }
    }

    /// Adds a value; returns the sum of the last `period` values once that many were seen.
    pub(crate) fn update(&mut self, value: f64) -> Option<f64> {
        self.window.push_back(value);
        if self.window.len() < self.period {
            self.sum_of_newer += value;
            return None;
        }
        let total = self.sum_of_newer + value;
        let oldest = self.window.pop_front().unwrap_or(0.0);
        self.sum_of_newer = total - oldest;
        Some(total)
    }

    /// Sets the kept sum to exactly 0 (when the caller knows the newer values are all 0).
    pub(crate) fn clear_residue(&mut self) {
        self.sum_of_newer = 0.0;
    }

    /// The period.
    pub(crate) fn period(&self) -> usize {
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
                // Saturating: a saved state's counter is only as sound as its file.
                self.seen = self.seen.saturating_add(1);
                self.seed_sum += value;
                (self.seen == self.period).then(|| self.seed_sum / self.period as f64)
            }
        };
        self.value
    }
}
