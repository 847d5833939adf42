//! Volatility indicators: rolling standard deviation, Bollinger Bands, z-score, ATR, realised
//! volatility.

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

use crate::error::{IndicatorError, check_period};
use crate::moving_average::Sma;

/// Rolling sums over a window, of values shifted by the first value ever seen (the anchor), so the
/// variance `E[x^2] - E[x]^2` does not lose digits to large price levels.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct RollingMoments {
    period: usize,
    anchor: Option<f64>,
    window: VecDeque<f64>,
    sum: f64,
    sum_of_squares: f64,
}

impl RollingMoments {
    fn new(period: usize) -> Self {
        Self {
            period,
            anchor: None,
            window: VecDeque::with_capacity(period + 1),
            sum: 0.0,
            sum_of_squares: 0.0,
        }
    }

    /// Adds a value; returns `(n, sum, sum of squares)` of the shifted window once it is full.
    fn update(&mut self, value: f64) -> Option<(f64, f64, f64)> {
        let shifted = value - *self.anchor.get_or_insert(value);
        self.window.push_back(shifted);
        self.sum += shifted;
        self.sum_of_squares += shifted * shifted;
        if self.window.len() > self.period {
            let leaving = self.window.pop_front().expect("the window is not empty");
            self.sum -= leaving;
            self.sum_of_squares -= leaving * leaving;
        }
        (self.window.len() == self.period).then_some((
            self.period as f64,
            self.sum,
            self.sum_of_squares,
        ))
    }

    /// Population variance (divisor n), never negative.
    fn population_variance(count: f64, sum: f64, sum_of_squares: f64) -> f64 {
        let mean = sum / count;
        (sum_of_squares / count - mean * mean).max(0.0)
    }

    /// Sample variance (divisor n - 1), never negative.
    fn sample_variance(count: f64, sum: f64, sum_of_squares: f64) -> f64 {
        ((sum_of_squares - sum * sum / count) / (count - 1.0)).max(0.0)
    }
}

/// Rolling population standard deviation (divisor `period`) of the last `period` values (TA-Lib
/// `STDDEV` with one deviation). No value for the first `period - 1` inputs.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RollingStdDev {
    moments: RollingMoments,
}

impl RollingStdDev {
    /// A standard deviation over `period` values.
    ///
    /// # Errors
    /// [`IndicatorError::InvalidPeriod`] when `period` is 0.
    pub fn new(period: usize) -> Result<Self, IndicatorError> {
        check_period("STDDEV", period, 1)?;
        Ok(Self {
            moments: RollingMoments::new(period),
        })
    }

    /// Feeds the next value.
    pub fn update(&mut self, value: f64) -> Option<f64> {
        let (count, sum, squares) = self.moments.update(value)?;
        Some(RollingMoments::population_variance(count, sum, squares).sqrt())
    }
}

/// One Bollinger Bands output, in price units.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct BollingerBands {
    /// `middle + width * stddev`.
    pub upper: f64,
    /// The SMA.
    pub middle: f64,
    /// `middle - width * stddev`.
    pub lower: f64,
}

/// Bollinger Bands (Bollinger 2001; TA-Lib `BBANDS` with an SMA): SMA(`period`) plus and minus
/// `width` population standard deviations.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Bollinger {
    average: Sma,
    deviation: RollingStdDev,
    width: f64,
}

impl Bollinger {
    /// Bands of `width` deviations around an SMA of `period` values (20 and 2.0 classically).
    ///
    /// # Errors
    /// [`IndicatorError::InvalidPeriod`] for a zero period; [`IndicatorError::InvalidParameter`] for a
    /// width that is not a positive finite number.
    pub fn new(period: usize, width: f64) -> Result<Self, IndicatorError> {
        if !(width.is_finite() && width > 0.0) {
            return Err(IndicatorError::InvalidParameter {
                indicator: "Bollinger",
                message: format!("the width must be a positive number of deviations, got {width}"),
            });
        }
        Ok(Self {
            average: Sma::new(period)?,
            deviation: RollingStdDev::new(period)?,
            width,
        })
    }

    /// Feeds the next close.
    pub fn update(&mut self, value: f64) -> Option<BollingerBands> {
        let middle = self.average.update(value);
        let deviation = self.deviation.update(value)?;
        let middle = middle?;
        Some(BollingerBands {
            upper: middle + self.width * deviation,
            middle,
            lower: middle - self.width * deviation,
        })
    }
}

/// Z-score of the latest value against the last `period` values: `(x - SMA) / stddev` (population
/// standard deviation). No value while the window fills, nor when the deviation is 0.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ZScore {
    average: Sma,
    deviation: RollingStdDev,
}

impl ZScore {
    /// A z-score over `period` values.
    ///
    /// # Errors
    /// [`IndicatorError::InvalidPeriod`] when `period` is below 2.
    pub fn new(period: usize) -> Result<Self, IndicatorError> {
        check_period("z-score", period, 2)?;
        Ok(Self {
            average: Sma::new(period)?,
            deviation: RollingStdDev::new(period)?,
        })
    }

    /// Feeds the next value.
    pub fn update(&mut self, value: f64) -> Option<f64> {
        let average = self.average.update(value);
        let deviation = self.deviation.update(value)?;
        (deviation > 0.0).then(|| (value - average.expect("same window")) / deviation)
    }
}

/// Average True Range with Wilder's smoothing (Wilder 1978; TA-Lib `ATR`), in price units.
///
/// True range `max(high - low, |high - previous close|, |low - previous close|)` from the second bar;
/// the first ATR (at bar `period`, zero-based) is the mean of the first `period` true ranges, then
/// `atr = (atr * (period - 1) + tr) / period`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Atr {
    period: usize,
    previous_close: Option<f64>,
    ranges: usize,
    value: f64,
}

impl Atr {
    /// An ATR over `period` bars.
    ///
    /// # Errors
    /// [`IndicatorError::InvalidPeriod`] when `period` is 0.
    pub fn new(period: usize) -> Result<Self, IndicatorError> {
        check_period("ATR", period, 1)?;
        Ok(Self {
            period,
            previous_close: None,
            ranges: 0,
            value: 0.0,
        })
    }

    /// Feeds the next bar's high, low and close.
    pub fn update(&mut self, high: f64, low: f64, close: f64) -> Option<f64> {
        let previous_close = self.previous_close.replace(close)?;
        let true_range = (high - low)
            .max((high - previous_close).abs())
            .max((low - previous_close).abs());
        let period = self.period as f64;
        self.ranges += 1;
        if self.ranges <= self.period {
            self.value += true_range;
            if self.ranges < self.period {
                return None;
            }
            self.value /= period;
        } else {
            self.value = (self.value * (period - 1.0) + true_range) / period;
        }
        Some(self.value)
    }
}

/// Realised volatility: the sample standard deviation (divisor `period - 1`) of the last `period`
/// simple returns `close[t] / close[t-1] - 1`, per bar (multiply by `sqrt(bars_per_year)` to
/// annualise). Matches pandas `close.pct_change().rolling(period).std()`. The first value comes at
/// input `period` (zero-based).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Volatility {
    previous: Option<f64>,
    moments: RollingMoments,
}

impl Volatility {
    /// A volatility over `period` returns.
    ///
    /// # Errors
    /// [`IndicatorError::InvalidPeriod`] when `period` is below 2.
    pub fn new(period: usize) -> Result<Self, IndicatorError> {
        check_period("volatility", period, 2)?;
        Ok(Self {
            previous: None,
            moments: RollingMoments::new(period),
        })
    }

    /// Feeds the next close.
    pub fn update(&mut self, close: f64) -> Option<f64> {
        let previous = self.previous.replace(close)?;
        let (count, sum, squares) = self.moments.update(close / previous - 1.0)?;
        Some(RollingMoments::sample_variance(count, sum, squares).sqrt())
    }
}
