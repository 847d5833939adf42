//! Price primitives over a window of bars: the highest and lowest value of the last n bars, and the
//! value n bars ago.

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

use crate::error::{IndicatorError, check_period};

/// Whether a [`RollingExtreme`] tracks the maximum or the minimum.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum Extreme {
    Highest,
    Lowest,
}

/// The maximum or minimum of the last `period` values, amortised O(1) per value with a monotonic
/// queue of (index, value) (the values that can still become the extreme, best first).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct RollingExtreme {
    extreme: Extreme,
    #[serde(deserialize_with = "crate::error::period_at_least::<_, 1>")]
    period: usize,
    seen: usize,
    candidates: VecDeque<(usize, f64)>,
}

impl RollingExtreme {
    pub(crate) fn new(extreme: Extreme, period: usize) -> Self {
        Self {
            extreme,
            period,
            seen: 0,
            candidates: VecDeque::new(),
        }
    }

    /// Adds a value; returns the extreme of the last `period` values once that many were seen.
    pub(crate) fn update(&mut self, value: f64) -> Option<f64> {
        let index = self.seen;
        // Saturating: a saved state's counter is only as sound as its file.
        self.seen = self.seen.saturating_add(1);
        let dominated = |kept: f64| match self.extreme {
            Extreme::Highest => kept <= value,
            Extreme::Lowest => kept >= value,
        };
        while self
            .candidates
            .back()
            .is_some_and(|&(_, kept)| dominated(kept))
        {
            self.candidates.pop_back();
        }
        self.candidates.push_back((index, value));
        let oldest = index.saturating_add(1).saturating_sub(self.period);
        while self.candidates.front().is_some_and(|&(at, _)| at < oldest) {
            self.candidates.pop_front();
        }
        (self.seen >= self.period)
            .then(|| self.candidates.front().expect("holds the current value").1)
    }
}

/// The highest of the last `period` values, the current one included (TA-Lib `MAX`; over highs it is
/// the Donchian upper band). No value for the first `period - 1` inputs; a period of 1 gives the
/// value itself. Compare a close with the *previous* bar's highest for a breakout.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Highest {
    window: RollingExtreme,
}

impl Highest {
    /// The highest of `period` values.
    ///
    /// # Errors
    /// [`IndicatorError::InvalidPeriod`] when `period` is 0.
    pub fn new(period: usize) -> Result<Self, IndicatorError> {
        check_period("highest", period, 1)?;
        Ok(Self {
            window: RollingExtreme::new(Extreme::Highest, period),
        })
    }

    /// Feeds the next value.
    pub fn update(&mut self, value: f64) -> Option<f64> {
        self.window.update(value)
    }
}

/// The lowest of the last `period` values, the current one included (TA-Lib `MIN`; over lows it is
/// the Donchian lower band). No value for the first `period - 1` inputs; a period of 1 gives the
/// value itself.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Lowest {
    window: RollingExtreme,
}

impl Lowest {
    /// The lowest of `period` values.
    ///
    /// # Errors
    /// [`IndicatorError::InvalidPeriod`] when `period` is 0.
    pub fn new(period: usize) -> Result<Self, IndicatorError> {
        check_period("lowest", period, 1)?;
        Ok(Self {
            window: RollingExtreme::new(Extreme::Lowest, period),
        })
    }

    /// Feeds the next value.
    pub fn update(&mut self, value: f64) -> Option<f64> {
        self.window.update(value)
    }
}

/// The value `bars` bars ago: `x[t - bars]` (pandas `Series.shift(bars)`). No value for the first
/// `bars` inputs.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Lag {
    #[serde(deserialize_with = "crate::error::period_at_least::<_, 1>")]
    bars: usize,
    window: VecDeque<f64>,
}

impl Lag {
    /// The value `bars` bars ago.
    ///
    /// # Errors
    /// [`IndicatorError::InvalidPeriod`] when `bars` is 0 (that is the value itself).
    pub fn new(bars: usize) -> Result<Self, IndicatorError> {
        check_period("lag", bars, 1)?;
        Ok(Self {
            bars,
            window: VecDeque::new(),
        })
    }

    /// Feeds the next value; returns the one `bars` bars before it once there is one.
    pub fn update(&mut self, value: f64) -> Option<f64> {
        self.window.push_back(value);
        if self.window.len() > self.bars {
            self.window.pop_front()
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extremes_and_lag_by_hand() {
        let values = [3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0];
        let mut highest = Highest::new(3).unwrap();
        let mut lowest = Lowest::new(3).unwrap();
        let mut lag = Lag::new(2).unwrap();
        let highs: Vec<_> = values.iter().map(|&x| highest.update(x)).collect();
        let lows: Vec<_> = values.iter().map(|&x| lowest.update(x)).collect();
        let lags: Vec<_> = values.iter().map(|&x| lag.update(x)).collect();
        let some = |xs: &[f64]| xs.iter().map(|&x| Some(x)).collect::<Vec<_>>();
        assert_eq!(highs[..2], [None, None]);
        assert_eq!(highs[2..], some(&[4.0, 4.0, 5.0, 9.0, 9.0, 9.0]));
        assert_eq!(lows[2..], some(&[1.0, 1.0, 1.0, 1.0, 2.0, 2.0]));
        assert_eq!(lags[..2], [None, None]);
        assert_eq!(lags[2..], some(&[3.0, 1.0, 4.0, 1.0, 5.0, 9.0]));
        let mut one = Highest::new(1).unwrap();
        assert_eq!(one.update(7.5), Some(7.5));
        assert!(Highest::new(0).is_err() && Lowest::new(0).is_err() && Lag::new(0).is_err());
    }
}
