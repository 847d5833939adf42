//! Trend strength and direction: the average directional index with its directional indicators, and
//! Aroon.

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

use crate::error::{IndicatorError, check_period};

/// One [`Adx`] output: the directional indicators, and the ADX once it exists. All three are 0 to
/// 100.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct AdxValue {
    /// +DI: `100 * smoothed +DM / smoothed true range` (TA-Lib `PLUS_DI`).
    pub plus_di: f64,
    /// -DI: `100 * smoothed -DM / smoothed true range` (TA-Lib `MINUS_DI`).
    pub minus_di: f64,
    /// The ADX (TA-Lib `ADX`), from bar `2 * period - 1` (zero-based) on.
    pub adx: Option<f64>,
}

/// Average Directional Index with the directional indicators +DI and -DI (Wilder 1978, *New Concepts
/// in Technical Trading Systems*), exactly as TA-Lib's `ADX`, `PLUS_DI` and `MINUS_DI` (unstable
/// period 0).
///
/// From the second bar, with `up = high - previous high` and `down = previous low - low`: +DM = `up`
/// when `up > 0` and `up > down`, else 0; -DM = `down` when `down > 0` and `down > up`, else 0 (both
/// 0 on a tie); the true range is `max(high - low, |high - previous close|, |low - previous close|)`.
/// Smoothing is Wilder's running *sum* as TA-Lib seeds it: the sums of the first `period - 1` values,
/// then `S = S - S / period + x` from the `period`-th on. +DI and -DI are `100 * S(DM) / S(TR)` from
/// bar `period` (zero-based), and 0 while `S(TR)` is 0 (a run of flat, unchanged bars: TA-Lib's
/// choice). `DX = 100 * |+DI - -DI| / (+DI + -DI)`; the first ADX (bar `2 * period - 1`) is the mean
/// of the first `period` DX values, then `ADX = (ADX * (period - 1) + DX) / period`. A bar with no DX
/// (`S(TR)` = 0, or +DI + -DI within 1e-14 of 0) adds 0 to the first mean and leaves a later ADX
/// unchanged, as in TA-Lib.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Adx {
    #[serde(deserialize_with = "crate::error::period_at_least::<_, 2>")]
    period: usize,
    previous: Option<(f64, f64, f64)>,
    steps: usize,
    plus_dm: f64,
    minus_dm: f64,
    true_range: f64,
    dx_sum: f64,
    adx: Option<f64>,
}

impl Adx {
    /// An ADX over `period` bars (14 classically).
    ///
    /// # Errors
    /// [`IndicatorError::InvalidPeriod`] when `period` is below 2 (TA-Lib's bound).
    pub fn new(period: usize) -> Result<Self, IndicatorError> {
        check_period("ADX", period, 2)?;
        Ok(Self {
            period,
            previous: None,
            steps: 0,
            plus_dm: 0.0,
            minus_dm: 0.0,
            true_range: 0.0,
            dx_sum: 0.0,
            adx: None,
        })
    }

    /// Feeds the next bar's high, low and close; returns the DIs from bar `period` (zero-based) on.
    pub fn update(&mut self, high: f64, low: f64, close: f64) -> Option<AdxValue> {
        let (previous_high, previous_low, previous_close) =
            self.previous.replace((high, low, close))?;
        let up = high - previous_high;
        let down = previous_low - low;
        let (plus, minus) = if down > 0.0 && up < down {
            (0.0, down)
        } else if up > 0.0 && up > down {
            (up, 0.0)
        } else {
            (0.0, 0.0)
        };
        let mut range = high - low;
        let to_high = (high - previous_close).abs();
        if to_high > range {
            range = to_high;
        }
        let to_low = (low - previous_close).abs();
        if to_low > range {
            range = to_low;
        }
        let period = self.period as f64;
        self.steps = self.steps.saturating_add(1);
        if self.steps < self.period {
            self.plus_dm += plus;
            self.minus_dm += minus;
            self.true_range += range;
            return None;
        }
        self.minus_dm -= self.minus_dm / period;
        self.plus_dm -= self.plus_dm / period;
        self.minus_dm += minus;
        self.plus_dm += plus;
        self.true_range = self.true_range - self.true_range / period + range;
        let (plus_di, minus_di, dx) = if self.true_range > 0.0 {
            let minus_di = 100.0 * (self.minus_dm / self.true_range);
            let plus_di = 100.0 * (self.plus_dm / self.true_range);
            let sum = minus_di + plus_di;
            let dx = (sum.abs() >= 1e-14).then(|| 100.0 * ((minus_di - plus_di).abs() / sum));
            (plus_di, minus_di, dx)
        } else {
            (0.0, 0.0, None)
        };
        let first_adx_step = self.period.saturating_mul(2) - 1;
        match self.adx {
            None => {
                self.dx_sum += dx.unwrap_or(0.0);
                if self.steps == first_adx_step {
                    self.adx = Some(self.dx_sum / period);
                }
            }
            Some(adx) => {
                if let Some(dx) = dx {
                    self.adx = Some((adx * (period - 1.0) + dx) / period);
                }
            }
        }
        Some(AdxValue {
            plus_di,
            minus_di,
            adx: self.adx,
        })
    }
}

/// One [`Aroon`] output, 0 to 100 (the oscillator -100 to 100).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct AroonValue {
    /// Aroon up: `100 * (period - bars since the highest high) / period`.
    pub up: f64,
    /// Aroon down: `100 * (period - bars since the lowest low) / period`.
    pub down: f64,
    /// `up - down`, computed as TA-Lib's `AROONOSC`: `100 / period * (index of the highest high -
    /// index of the lowest low)`.
    pub oscillator: f64,
}

/// Aroon (Chande 1995; TA-Lib `AROON` and `AROONOSC`): how many bars ago the highest high and the
/// lowest low of the last `period + 1` bars (the current one included) were. On a tie the most
/// recent bar counts, as in TA-Lib. The first value is at bar `period` (zero-based).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Aroon {
    #[serde(deserialize_with = "crate::error::period_at_least::<_, 2>")]
    period: usize,
    seen: usize,
    highs: VecDeque<(usize, f64)>,
    lows: VecDeque<(usize, f64)>,
}

impl Aroon {
    /// An Aroon over `period` bars (14 or 25 classically).
    ///
    /// # Errors
    /// [`IndicatorError::InvalidPeriod`] when `period` is below 2 (TA-Lib's bound).
    pub fn new(period: usize) -> Result<Self, IndicatorError> {
        check_period("Aroon", period, 2)?;
        Ok(Self {
            period,
            seen: 0,
            highs: VecDeque::new(),
            lows: VecDeque::new(),
        })
    }

    /// Feeds the next bar's high and low.
    pub fn update(&mut self, high: f64, low: f64) -> Option<AroonValue> {
        let index = self.seen;
        self.seen = self.seen.saturating_add(1);
        // Popping equal values too keeps the most recent of tied extremes in front.
        while self.highs.back().is_some_and(|&(_, kept)| kept <= high) {
            self.highs.pop_back();
        }
        self.highs.push_back((index, high));
        while self.lows.back().is_some_and(|&(_, kept)| kept >= low) {
            self.lows.pop_back();
        }
        self.lows.push_back((index, low));
        let oldest = index.saturating_sub(self.period);
        while self.highs.front().is_some_and(|&(at, _)| at < oldest) {
            self.highs.pop_front();
        }
        while self.lows.front().is_some_and(|&(at, _)| at < oldest) {
            self.lows.pop_front();
        }
        if index < self.period {
            return None;
        }
        let highest_at = self.highs.front().expect("holds the current bar").0;
        let lowest_at = self.lows.front().expect("holds the current bar").0;
        let factor = 100.0 / self.period as f64;
        // Saturating: a corrupted saved state may hold indices past the current bar.
        let recency = |at: usize| self.period.saturating_sub(index.saturating_sub(at)) as f64;
        Some(AroonValue {
            up: factor * recency(highest_at),
            down: factor * recency(lowest_at),
            oscillator: factor * (highest_at as f64 - lowest_at as f64),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aroon_by_hand_with_ties_going_to_the_latest_bar() {
        // Period 3: windows of 4 bars.
        let highs = [5.0, 7.0, 6.0, 7.0, 4.0, 3.0];
        let lows = [2.0, 1.0, 3.0, 2.0, 2.5, 2.0];
        let mut aroon = Aroon::new(3).unwrap();
        let values: Vec<_> = highs
            .iter()
            .zip(&lows)
            .map(|(&h, &l)| aroon.update(h, l))
            .collect();
        assert!(values[..3].iter().all(Option::is_none));
        // Bar 3: highest 7 at bars 1 and 3, the latest (3) counts: up 100; lowest 1 at bar 1: down
        // 100 * (3 - 2) / 3.
        let bar3 = values[3].unwrap();
        assert_eq!(bar3.up, 100.0 / 3.0 * 3.0);
        assert_eq!(bar3.down, 100.0 / 3.0 * 1.0);
        // Bar 5 (window 2..=5): highest 7 at bar 3 (2 bars ago), lowest 2 at bars 3 and 5 -> bar 5.
        let bar5 = values[5].unwrap();
        assert_eq!(bar5.up, 100.0 / 3.0 * 1.0);
        assert_eq!(bar5.down, 100.0 / 3.0 * 3.0);
        assert_eq!(bar5.oscillator, 100.0 / 3.0 * (3.0 - 5.0));
    }

    #[test]
    fn adx_refuses_a_period_below_two() {
        assert_eq!(
            Adx::new(1).unwrap_err().to_string(),
            "ADX: the period must be at least 2, got 1"
        );
        assert!(Aroon::new(1).is_err());
    }
}
