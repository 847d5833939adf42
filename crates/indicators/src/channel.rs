//! The Donchian channel.

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

use crate::error::{IndicatorError, check_period};

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
