//! No lookahead: an indicator's value at bar t depends only on bars up to t, so computing it on the
//! series cut after bar k gives exactly the same values for bars 0..k as on the whole series.

use gauntlet_core::BarSeries;
use gauntlet_indicators::IndicatorColumn;
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
