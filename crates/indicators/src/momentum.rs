//! Momentum indicators: RSI, rate of change, MACD.

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

use crate::error::{IndicatorError, check_period};
use crate::moving_average::Ema;

/// Relative Strength Index with Wilder's smoothing (Wilder 1978; TA-Lib `RSI`), 0 to 100.
///
/// The first value comes after `period` price changes (input `period`, zero-based): the averages of
/// gains and losses over those changes; then `avg = (avg * (period - 1) + current) / period`.
/// `RSI = 100 * avg_gain / (avg_gain + avg_loss)`, and 0 when both averages are 0 (TA-Lib's choice).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Rsi {
    period: usize,
    previous: Option<f64>,
    changes: usize,
    average_gain: f64,
    average_loss: f64,
}

impl Rsi {
    /// An RSI over `period` changes.
    ///
    /// # Errors
    /// [`IndicatorError::InvalidPeriod`] when `period` is 0.
    pub fn new(period: usize) -> Result<Self, IndicatorError> {
        check_period("RSI", period, 1)?;
        Ok(Self {
            period,
            previous: None,
            changes: 0,
            average_gain: 0.0,
            average_loss: 0.0,
        })
    }

    /// Feeds the next close; returns the RSI once `period` changes have been seen.
    pub fn update(&mut self, value: f64) -> Option<f64> {
        let previous = self.previous.replace(value)?;
        let change = value - previous;
        let (gain, loss) = if change > 0.0 {
            (change, 0.0)
        } else {
            (0.0, -change)
        };
        let period = self.period as f64;
        self.changes += 1;
        if self.changes <= self.period {
            self.average_gain += gain;
            self.average_loss += loss;
            if self.changes < self.period {
                return None;
            }
            self.average_gain /= period;
            self.average_loss /= period;
        } else {
            self.average_gain = (self.average_gain * (period - 1.0) + gain) / period;
            self.average_loss = (self.average_loss * (period - 1.0) + loss) / period;
        }
        let total = self.average_gain + self.average_loss;
        Some(if total == 0.0 {
            0.0
        } else {
            100.0 * self.average_gain / total
        })
    }
}

/// Rate of change as a fraction: `x[t] / x[t - period] - 1` (TA-Lib `ROCP`; 0.05 is +5%).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Roc {
    period: usize,
    window: VecDeque<f64>,
}

impl Roc {
    /// A rate of change over `period` bars.
    ///
    /// # Errors
    /// [`IndicatorError::InvalidPeriod`] when `period` is 0.
    pub fn new(period: usize) -> Result<Self, IndicatorError> {
        check_period("ROC", period, 1)?;
        Ok(Self {
            period,
            window: VecDeque::with_capacity(period + 1),
        })
    }

    /// Feeds the next value; returns the change once `period + 1` values have been seen.
    pub fn update(&mut self, value: f64) -> Option<f64> {
        self.window.push_back(value);
        if self.window.len() <= self.period {
            return None;
        }
        let past = self.window.pop_front().expect("the window is not empty");
        Some(value / past - 1.0)
    }
}

/// One MACD output.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct MacdValue {
    /// `EMA(fast) - EMA(slow)`, in price units.
    pub line: f64,
    /// The EMA(`signal`) of the line, once `signal` line values exist.
    pub signal: Option<f64>,
    /// `line - signal`.
    pub histogram: Option<f64>,
}

/// Moving Average Convergence/Divergence (Appel): line = EMA(fast) - EMA(slow), signal = EMA(signal)
/// of the line, histogram = line - signal. Each EMA is the standard one ([`Ema`]) seeded on its own
/// first values, so the line starts at input `slow - 1` and the signal at `slow + signal - 2`. (TA-Lib's
/// `MACD` function instead seeds the fast EMA late; its `EMA` building blocks match this.)
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Macd {
    fast: Ema,
    slow: Ema,
    signal: Ema,
}

impl Macd {
    /// A MACD with the given periods (12, 26, 9 classically).
    ///
    /// # Errors
    /// [`IndicatorError::InvalidPeriod`] for a zero period; [`IndicatorError::InvalidParameter`] when
    /// `fast >= slow`.
    pub fn new(fast: usize, slow: usize, signal: usize) -> Result<Self, IndicatorError> {
        if fast >= slow {
            return Err(IndicatorError::InvalidParameter {
                indicator: "MACD",
                message: format!("the fast period ({fast}) must be shorter than the slow ({slow})"),
            });
        }
        Ok(Self {
            fast: Ema::new(fast)?,
            slow: Ema::new(slow)?,
            signal: Ema::new(signal)?,
        })
    }

    /// Feeds the next close.
    pub fn update(&mut self, value: f64) -> Option<MacdValue> {
        let fast = self.fast.update(value);
        let slow = self.slow.update(value)?;
        let line = fast? - slow;
        let signal = self.signal.update(line);
        Some(MacdValue {
            line,
            signal,
            histogram: signal.map(|signal| line - signal),
        })
    }
}
