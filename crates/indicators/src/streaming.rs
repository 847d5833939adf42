//! One [`IndicatorColumn`] computed bar by bar: the streaming form the live engine feeds one bar at a
//! time. Its values are those of [`IndicatorColumn::compute`] over the same bars (both run the same
//! streaming indicator), and its state serialises, so a paper trader can save and resume it.

use gauntlet_core::Bar;
use serde::{Deserialize, Serialize};

use crate::cache::IndicatorColumn;
use crate::channel::Donchian;
use crate::error::IndicatorError;
use crate::momentum::{Macd, Roc, Rsi};
use crate::moving_average::{Ema, Sma};
use crate::volatility::{Atr, Bollinger, RollingStdDev, Volatility, ZScore};

/// The streaming indicator behind a column (a band or line picks one output).
#[derive(Debug, Clone, Serialize, Deserialize)]
enum Indicator {
    Sma(Sma),
    Ema(Ema),
    Rsi(Rsi),
    Atr(Atr),
    Bollinger { indicator: Bollinger, upper: bool },
    Macd { indicator: Macd, line: bool },
    Donchian { indicator: Donchian, upper: bool },
    Roc(Roc),
    StdDev(RollingStdDev),
    ZScore(ZScore),
    Volatility(Volatility),
}

/// An indicator column fed one bar at a time.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StreamingColumn {
    column: IndicatorColumn,
    indicator: Indicator,
}

impl StreamingColumn {
    /// A column with no bar seen yet.
    ///
    /// # Errors
    /// The indicator's construction error for invalid parameters (as
    /// [`IndicatorColumn::compute`]).
    pub fn new(column: IndicatorColumn) -> Result<Self, IndicatorError> {
        let bars = |period: u32| period as usize;
        let width = |hundredths: u32| f64::from(hundredths) / 100.0;
        let indicator = match column {
            IndicatorColumn::Sma { period } => Indicator::Sma(Sma::new(bars(period))?),
            IndicatorColumn::Ema { period } => Indicator::Ema(Ema::new(bars(period))?),
            IndicatorColumn::Rsi { period } => Indicator::Rsi(Rsi::new(bars(period))?),
            IndicatorColumn::Atr { period } => Indicator::Atr(Atr::new(bars(period))?),
            IndicatorColumn::BollingerUpper {
                period,
                width_hundredths,
            } => Indicator::Bollinger {
                indicator: Bollinger::new(bars(period), width(width_hundredths))?,
                upper: true,
            },
            IndicatorColumn::BollingerLower {
                period,
                width_hundredths,
            } => Indicator::Bollinger {
                indicator: Bollinger::new(bars(period), width(width_hundredths))?,
                upper: false,
            },
            IndicatorColumn::MacdLine { fast, slow, signal } => Indicator::Macd {
                indicator: Macd::new(bars(fast), bars(slow), bars(signal))?,
                line: true,
            },
            IndicatorColumn::MacdSignal { fast, slow, signal } => Indicator::Macd {
                indicator: Macd::new(bars(fast), bars(slow), bars(signal))?,
                line: false,
            },
            IndicatorColumn::DonchianUpper { period } => Indicator::Donchian {
                indicator: Donchian::new(bars(period))?,
                upper: true,
            },
            IndicatorColumn::DonchianLower { period } => Indicator::Donchian {
                indicator: Donchian::new(bars(period))?,
                upper: false,
            },
            IndicatorColumn::Roc { period } => Indicator::Roc(Roc::new(bars(period))?),
            IndicatorColumn::StdDev { period } => {
                Indicator::StdDev(RollingStdDev::new(bars(period))?)
            }
            IndicatorColumn::ZScore { period } => Indicator::ZScore(ZScore::new(bars(period))?),
            IndicatorColumn::Volatility { period } => {
                Indicator::Volatility(Volatility::new(bars(period))?)
            }
        };
        Ok(Self { column, indicator })
    }

    /// The column it computes.
    pub fn column(&self) -> IndicatorColumn {
        self.column
    }

    /// Feeds the next bar; returns the column's value at it (`NaN` during warm-up, as in
    /// [`IndicatorColumn::compute`]).
    pub fn update(&mut self, bar: &Bar) -> f64 {
        let close = bar.close;
        let value = match &mut self.indicator {
            Indicator::Sma(indicator) => indicator.update(close),
            Indicator::Ema(indicator) => indicator.update(close),
            Indicator::Rsi(indicator) => indicator.update(close),
            Indicator::Atr(indicator) => indicator.update(bar.high, bar.low, close),
            Indicator::Bollinger { indicator, upper } => indicator
                .update(close)
                .map(|bands| if *upper { bands.upper } else { bands.lower }),
            Indicator::Macd { indicator, line } => {
                let value = indicator.update(close);
                if *line {
                    value.map(|value| value.line)
                } else {
                    value.and_then(|value| value.signal)
                }
            }
            Indicator::Donchian { indicator, upper } => indicator
                .update(bar.high, bar.low)
                .map(|channel| if *upper { channel.upper } else { channel.lower }),
            Indicator::Roc(indicator) => indicator.update(close),
            Indicator::StdDev(indicator) => indicator.update(close),
            Indicator::ZScore(indicator) => indicator.update(close),
            Indicator::Volatility(indicator) => indicator.update(close),
        };
        value.unwrap_or(f64::NAN)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use gauntlet_core::{BarColumns, BarSeries, Timestamp};

    /// A wavy OHLC series with distinct highs and lows.
    fn series(bars: usize) -> BarSeries {
        let mut columns = BarColumns::with_capacity(bars);
        for index in 0..bars {
            let x = index as f64;
            let close = 100.0 + 10.0 * (x / 7.0).sin() + x / 50.0;
            let open = close - (x / 3.0).cos();
            columns
                .timestamps
                .push(Timestamp(index as i64 * 86_400_000));
            columns.open.push(open);
            columns
                .high
                .push(open.max(close) + 0.5 + (x / 5.0).sin().abs());
            columns
                .low
                .push(open.min(close) - 0.5 - (x / 11.0).cos().abs());
            columns.close.push(close);
            columns.volume.push(1.0);
        }
        BarSeries::new(columns, false).unwrap()
    }

    #[test]
    fn every_column_streams_the_batch_values_and_resumes_from_json() {
        let series = series(300);
        let columns = [
            IndicatorColumn::Sma { period: 20 },
            IndicatorColumn::Ema { period: 12 },
            IndicatorColumn::Rsi { period: 14 },
            IndicatorColumn::Atr { period: 14 },
            IndicatorColumn::BollingerUpper {
                period: 20,
                width_hundredths: 200,
            },
            IndicatorColumn::BollingerLower {
                period: 20,
                width_hundredths: 125,
            },
            IndicatorColumn::MacdLine {
                fast: 12,
                slow: 26,
                signal: 9,
            },
            IndicatorColumn::MacdSignal {
                fast: 12,
                slow: 26,
                signal: 9,
            },
            IndicatorColumn::DonchianUpper { period: 20 },
            IndicatorColumn::DonchianLower { period: 10 },
            IndicatorColumn::Roc { period: 10 },
            IndicatorColumn::StdDev { period: 20 },
            IndicatorColumn::ZScore { period: 20 },
            IndicatorColumn::Volatility { period: 20 },
        ];
        for column in columns {
            let batch = column.compute(&series).unwrap();
            let mut streaming = StreamingColumn::new(column).unwrap();
            for (index, bar) in series.bars().enumerate() {
                // Halfway, save and restore the state as a paper trader's state file does.
                if index == 150 {
                    let text = serde_json::to_string(&streaming).unwrap();
                    streaming = serde_json::from_str(&text).unwrap();
                }
                let value = streaming.update(&bar);
                let expected = batch[index];
                assert!(
                    value.to_bits() == expected.to_bits() || (value.is_nan() && expected.is_nan()),
                    "{column:?} at bar {index}: {value} against {expected}"
                );
            }
        }
    }
}
