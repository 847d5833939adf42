//! Volume indicators: the money flow index, on-balance volume, the rolling volume-weighted average
//! price.

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

use crate::error::{IndicatorError, check_period};
use crate::moving_average::WindowSum;

/// The typical price `(high + low + close) / 3`.
fn typical_price(high: f64, low: f64, close: f64) -> f64 {
    (high + low + close) / 3.0
}

/// Money Flow Index (Quong & Soudack 1989, *Volume-Weighted RSI: Money Flow*; TA-Lib `MFI`), 0 to
/// 100: a volume-weighted RSI of the typical price `tp = (high + low + close) / 3`.
///
/// From the second bar, a bar's money flow `tp * volume` is positive when `tp` rose from the
/// previous bar's, negative when it fell, and neither when it did not move (a change within 1e-14
/// of the two prices' magnitude counts as no move, TA-Lib 0.8's `TA_IS_ZERO_SCALED`).
/// `MFI = 100 * positive / (positive + negative)` over the last `period` flows, maintained as TA-Lib
/// does (running sums; set to exactly 0 once `period` bars in a row brought no flow) and 0 when the
/// window holds no flow at all (flat prices or no volume: TA-Lib's choice). The first value is at bar
/// `period` (zero-based).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Mfi {
    #[serde(deserialize_with = "crate::error::period_at_least::<_, 2>")]
    period: usize,
    previous_typical: Option<f64>,
    flows: VecDeque<(f64, f64)>,
    positive_sum: f64,
    negative_sum: f64,
    bars_without_flow: usize,
}

impl Mfi {
    /// An MFI over `period` bars (14 classically).
    ///
    /// # Errors
    /// [`IndicatorError::InvalidPeriod`] when `period` is below 2 (TA-Lib's bound).
    pub fn new(period: usize) -> Result<Self, IndicatorError> {
        check_period("MFI", period, 2)?;
        Ok(Self {
            period,
            previous_typical: None,
            flows: VecDeque::new(),
            positive_sum: 0.0,
            negative_sum: 0.0,
            bars_without_flow: 0,
        })
    }

    /// Feeds the next bar's high, low, close and volume.
    pub fn update(&mut self, high: f64, low: f64, close: f64, volume: f64) -> Option<f64> {
        let typical = typical_price(high, low, close);
        let previous = self.previous_typical.replace(typical)?;
        let change = typical - previous;
        let unmoved = change.abs() <= 1e-14 * (typical.abs() + previous.abs());
        let money_flow = if unmoved { 0.0 } else { typical * volume };
        let flow = if change < 0.0 {
            (0.0, money_flow)
        } else {
            (money_flow, 0.0)
        };
        while self.flows.len() >= self.period {
            let Some((positive, negative)) = self.flows.pop_front() else {
                break;
            };
            self.positive_sum -= positive;
            self.negative_sum -= negative;
        }
        self.flows.push_back(flow);
        self.positive_sum += flow.0;
        self.negative_sum += flow.1;
        self.bars_without_flow = if money_flow == 0.0 {
            self.bars_without_flow.saturating_add(1)
        } else {
            0
        };
        if self.bars_without_flow >= self.period {
            self.bars_without_flow = self.period;
            self.positive_sum = 0.0;
            self.negative_sum = 0.0;
        }
        if self.flows.len() < self.period {
            return None;
        }
        let total = self.positive_sum + self.negative_sum;
        if total <= 0.0 {
            return Some(0.0);
        }
        // The running sums drift by a few ulp; TA-Lib clamps the positive one into [0, total].
        // (Comparisons, not `clamp`: that panics on a NaN bound.)
        let positive = if self.positive_sum < 0.0 {
            0.0
        } else if self.positive_sum > total {
            total
        } else {
            self.positive_sum
        };
        Some(100.0 * (positive / total))
    }
}

/// On-Balance Volume (Granville 1963; TA-Lib `OBV`), in volume units: a running total that adds the
/// bar's volume when the close rose, subtracts it when it fell, and leaves it when unchanged. As in
/// TA-Lib it starts at the first bar's volume, so it has a value from the first bar. Only its changes
/// carry meaning: its level depends on where the series starts.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Obv {
    previous_close: Option<f64>,
    value: f64,
}

impl Obv {
    /// An OBV with no bar seen yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Feeds the next bar's close and volume; returns the running total (from the first bar on).
    pub fn update(&mut self, close: f64, volume: f64) -> f64 {
        match self.previous_close.replace(close) {
            None => self.value = volume,
            Some(previous) if close > previous => self.value += volume,
            Some(previous) if close < previous => self.value -= volume,
            Some(_) => {}
        }
        self.value
    }
}

/// Rolling volume-weighted average price over the last `period` bars, the current one included, in
/// price units: `sum(tp * volume) / sum(volume)` with the typical price `tp = (high + low + close) /
/// 3` (pandas-ta `vwma(hlc3, volume, period)`, computed as it does: `SMA(tp * volume) /
/// SMA(volume)` with TA-Lib's SMA; unlike a session VWAP it never resets). No value for the first
/// `period - 1` bars, nor while the window holds no volume at all (0 / 0).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RollingVwap {
    weighted: WindowSum,
    volume: WindowSum,
    volumes: VecDeque<f64>,
    bars_with_volume: usize,
}

impl RollingVwap {
    /// A VWAP over `period` bars.
    ///
    /// # Errors
    /// [`IndicatorError::InvalidPeriod`] when `period` is 0.
    pub fn new(period: usize) -> Result<Self, IndicatorError> {
        check_period("rolling VWAP", period, 1)?;
        Ok(Self {
            weighted: WindowSum::new(period),
            volume: WindowSum::new(period),
            volumes: VecDeque::new(),
            bars_with_volume: 0,
        })
    }

    /// Feeds the next bar's high, low, close and volume.
    pub fn update(&mut self, high: f64, low: f64, close: f64, volume: f64) -> Option<f64> {
        let period = self.volume.period();
        let weighted_sum = self
            .weighted
            .update(typical_price(high, low, close) * volume);
        let volume_sum = self.volume.update(volume);
        self.bars_with_volume = self
            .bars_with_volume
            .saturating_add(usize::from(volume > 0.0));
        self.volumes.push_back(volume);
        if self.volumes.len() > period {
            let leaving = self.volumes.pop_front().expect("the window is not empty");
            self.bars_with_volume = self
                .bars_with_volume
                .saturating_sub(usize::from(leaving > 0.0));
        }
        if self.bars_with_volume == 0 {
            // No volume in the window: drop the rounding residue the running sums keep.
            self.weighted.clear_residue();
            self.volume.clear_residue();
            return None;
        }
        let period = period as f64;
        Some((weighted_sum? / period) / (volume_sum? / period))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mfi_by_hand() {
        // Typical prices 10, 11, 10.5, 12 with volumes 1, 2, 3, 4: flows +22, -31.5, +48.
        let mut mfi = Mfi::new(3).unwrap();
        let bars = [(10.0, 1.0), (11.0, 2.0), (10.5, 3.0), (12.0, 4.0)];
        let values: Vec<_> = bars
            .iter()
            .map(|&(price, volume)| mfi.update(price, price, price, volume))
            .collect();
        assert_eq!(values[..3], [None, None, None]);
        let expected = 100.0 * (70.0 / (70.0 + 31.5));
        assert!((values[3].unwrap() - expected).abs() < 1e-12);
    }

    #[test]
    fn obv_and_vwap_by_hand() {
        let mut obv = Obv::new();
        let totals: Vec<_> = [(1.0, 10.0), (2.0, 20.0), (2.0, 30.0), (1.0, 40.0)]
            .iter()
            .map(|&(close, volume)| obv.update(close, volume))
            .collect();
        assert_eq!(totals, [10.0, 30.0, 30.0, -10.0]);

        let mut vwap = RollingVwap::new(2).unwrap();
        assert_eq!(vwap.update(3.0, 3.0, 3.0, 1.0), None);
        assert_eq!(vwap.update(6.0, 6.0, 6.0, 2.0), Some((3.0 + 12.0) / 3.0));
        assert_eq!(vwap.update(9.0, 9.0, 9.0, 0.0), Some(6.0));
        assert_eq!(
            vwap.update(9.0, 9.0, 9.0, 0.0),
            None,
            "no volume in the window"
        );
        assert_eq!(vwap.update(4.0, 4.0, 4.0, 5.0), Some(4.0));
    }

    #[test]
    fn mfi_without_volume_or_movement_is_zero() {
        let mut mfi = Mfi::new(2).unwrap();
        for _ in 0..4 {
            assert!(matches!(mfi.update(3.0, 1.0, 2.0, 100.0), None | Some(0.0)));
        }
        assert!(Mfi::new(1).is_err() && RollingVwap::new(0).is_err());
    }
}
