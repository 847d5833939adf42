//! No lookahead: an indicator's value at bar t depends only on bars up to t, so computing it on the
//! series cut after bar k gives exactly the same values for bars 0..k as on the whole series.

use gauntlet_core::{BarColumns, BarSeries};
use gauntlet_indicators::{IndicatorColumn, batch};
use proptest::prelude::*;

/// Bars from `(step, up, down)`: each bar opens at the previous close (no gap).
fn series(steps: &[(f64, f64, f64)]) -> BarSeries {
    let steps: Vec<_> = steps
        .iter()
        .map(|&(step, up, down)| (0.0, step, up, down))
        .collect();
    gauntlet_testkit::bars_from_steps(&steps)
}

const COLUMNS: [IndicatorColumn; 14] = [
    IndicatorColumn::Sma { period: 7 },
    IndicatorColumn::Ema { period: 7 },
    IndicatorColumn::Rsi { period: 5 },
    IndicatorColumn::Atr { period: 5 },
    IndicatorColumn::BollingerUpper {
        period: 6,
        width_hundredths: 150,
    },
    IndicatorColumn::BollingerLower {
        period: 6,
        width_hundredths: 150,
    },
    IndicatorColumn::MacdLine {
        fast: 3,
        slow: 8,
        signal: 4,
    },
    IndicatorColumn::MacdSignal {
        fast: 3,
        slow: 8,
        signal: 4,
    },
    IndicatorColumn::DonchianUpper { period: 6 },
    IndicatorColumn::DonchianLower { period: 6 },
    IndicatorColumn::Roc { period: 4 },
    IndicatorColumn::StdDev { period: 6 },
    IndicatorColumn::ZScore { period: 6 },
    IndicatorColumn::Volatility { period: 6 },
];

proptest! {
    #[test]
    fn truncating_the_future_changes_no_past_value(
        steps in prop::collection::vec((-0.05f64..0.05, 0.0f64..0.02, 0.0f64..0.02), 2..80),
        cut in 1usize..80,
    ) {
        let full = series(&steps);
        let cut = cut.min(full.len());
        let past = full.slice(0..cut);
        for column in COLUMNS {
            let on_full = column.compute(&full).unwrap();
            let on_past = column.compute(&past).unwrap();
            for (index, (a, b)) in on_past.iter().zip(&on_full).enumerate() {
                prop_assert!(a.to_bits() == b.to_bits(), "{:?}[{}]: {} vs {}", column, index, a, b);
            }
        }
    }
}

/// Every column of the trend, oscillator, volume, channel and window indicators, named.
fn block_columns(series: &BarSeries) -> Vec<(&'static str, Vec<f64>)> {
    let [adx, plus_di, minus_di] = batch::adx(series, 4).unwrap();
    let [up, down, oscillator] = batch::aroon(series, 5).unwrap();
    let [k, d] = batch::stochastic(series, 5, 3, 3).unwrap();
    let [upper, middle, lower] = batch::keltner(series, 5, 2.0).unwrap();
    vec![
        ("ADX", adx),
        ("+DI", plus_di),
        ("-DI", minus_di),
        ("Aroon up", up),
        ("Aroon down", down),
        ("Aroon oscillator", oscillator),
        ("stochastic %K", k),
        ("stochastic %D", d),
        ("CCI", batch::cci(series, 5).unwrap()),
        ("Williams %R", batch::williams_r(series, 5).unwrap()),
        ("MFI", batch::mfi(series, 4).unwrap()),
        ("OBV", batch::obv(series)),
        ("rolling VWAP", batch::rolling_vwap(series, 4).unwrap()),
        ("Keltner upper", upper),
        ("Keltner middle", middle),
        ("Keltner lower", lower),
        ("highest", batch::highest(series.high(), 6).unwrap()),
        ("lowest", batch::lowest(series.low(), 6).unwrap()),
        ("lag", batch::lag(series.close(), 3).unwrap()),
    ]
}

proptest! {
    #[test]
    fn truncating_the_future_changes_no_past_value_of_the_block_indicators(
        steps in prop::collection::vec((-0.05f64..0.05, 0.0f64..0.02, 0.0f64..0.02, 0.0f64..1e4), 2..80),
        cut in 1usize..80,
    ) {
        let prices: Vec<_> = steps.iter().map(|&(step, up, down, _)| (step, up, down)).collect();
        // The same bars with a volume each (zero for about one bar in ten).
        let mut columns: BarColumns = series(&prices).into_columns();
        columns.volume = steps
            .iter()
            .map(|&(_, _, _, volume)| if volume < 1e3 { 0.0 } else { volume })
            .collect();
        let full = BarSeries::new(columns, true).unwrap();
        let cut = cut.min(full.len());
        let past = full.slice(0..cut);
        for ((name, on_full), (_, on_past)) in block_columns(&full).into_iter().zip(block_columns(&past)) {
            prop_assert_eq!(on_past.len(), cut);
            for (index, (a, b)) in on_past.iter().zip(&on_full).enumerate() {
                prop_assert!(a.to_bits() == b.to_bits(), "{}[{}]: {} vs {}", name, index, a, b);
            }
        }
    }
}
