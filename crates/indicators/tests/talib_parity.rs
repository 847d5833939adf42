//! Every indicator, streaming and batch (through the cache), against the values TA-Lib 0.8.2 (pandas
//! for realised volatility) computed on bundled real data: `tests/reference/talib_vectors.json`, made by
//! `tests/reference/generate_talib.py`. Warm-up positions must match exactly (no value where TA-Lib has
//! none) and values to 1e-9 relative.

use std::collections::BTreeMap;
use std::sync::Arc;

use gauntlet_core::{BarColumns, BarSeries, Timestamp};
use gauntlet_indicators::{
    Atr, Bollinger, Donchian, Ema, IndicatorCache, IndicatorColumn, Macd, Roc, RollingStdDev, Rsi,
    Sma, Volatility, ZScore,
};
use serde_json::Value;

const TOLERANCE: f64 = 1e-9;

struct Case {
    name: String,
    series: BarSeries,
    expected: BTreeMap<String, Vec<Option<f64>>>,
}

fn column(value: &Value) -> Vec<Option<f64>> {
    value
        .as_array()
        .unwrap()
        .iter()
        .map(Value::as_f64)
        .collect()
}

fn cases() -> Vec<Case> {
    let text = include_str!("reference/talib_vectors.json");
    let document: Value = serde_json::from_str(text).unwrap();
    let mut cases = Vec::new();
    for (name, case) in document["series"].as_object().unwrap() {
        let inputs = &case["inputs"];
        let prices = |field: &str| -> Vec<f64> {
            column(&inputs[field])
                .into_iter()
                .map(Option::unwrap)
                .collect()
        };
        let close = prices("close");
        let columns = BarColumns {
            timestamps: (0..close.len() as i64)
                .map(|day| Timestamp(day * 86_400_000))
                .collect(),
            open: prices("open"),
            high: prices("high"),
            low: prices("low"),
            volume: vec![0.0; close.len()],
            close,
        };
        let expected = case["outputs"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(key, values)| (key.clone(), column(values)))
            .collect();
        cases.push(Case {
            name: name.clone(),
            series: BarSeries::new(columns, false).unwrap(),
            expected,
        });
    }
    cases
}

fn assert_matches(case: &Case, output: &str, actual: &[Option<f64>]) {
    let expected = &case.expected[output];
    assert_eq!(actual.len(), expected.len(), "{} {output}", case.name);
    for (index, (got, want)) in actual.iter().zip(expected).enumerate() {
        match (got, want) {
            (None, None) => {}
            (Some(got), Some(want)) => assert!(
                (got - want).abs() <= TOLERANCE * want.abs().max(1.0),
                "{} {output}[{index}]: {got} vs TA-Lib {want}",
                case.name
            ),
            _ => panic!(
                "{} {output}[{index}]: {got:?} vs TA-Lib {want:?}",
                case.name
            ),
        }
    }
}

fn streaming_closes(case: &Case, mut step: impl FnMut(f64) -> Option<f64>) -> Vec<Option<f64>> {
    case.series
        .close()
        .iter()
        .map(|&close| step(close))
        .collect()
}

#[test]
fn streaming_forms_match_talib() {
    for case in cases() {
        for period in [2, 5, 20, 50] {
            let mut sma = Sma::new(period).unwrap();
            assert_matches(
                &case,
                &format!("sma_{period}"),
                &streaming_closes(&case, |c| sma.update(c)),
            );
        }
        for period in [5, 20] {
            let mut ema = Ema::new(period).unwrap();
            assert_matches(
                &case,
                &format!("ema_{period}"),
                &streaming_closes(&case, |c| ema.update(c)),
            );
        }
        for period in [2, 14] {
            let mut rsi = Rsi::new(period).unwrap();
            assert_matches(
                &case,
                &format!("rsi_{period}"),
                &streaming_closes(&case, |c| rsi.update(c)),
            );
        }
        let mut roc = Roc::new(10).unwrap();
        assert_matches(&case, "roc_10", &streaming_closes(&case, |c| roc.update(c)));
        let mut stddev = RollingStdDev::new(20).unwrap();
        assert_matches(
            &case,
            "stddev_20",
            &streaming_closes(&case, |c| stddev.update(c)),
        );
        let mut zscore = ZScore::new(20).unwrap();
        assert_matches(
            &case,
            "zscore_20",
            &streaming_closes(&case, |c| zscore.update(c)),
        );
        let mut volatility = Volatility::new(20).unwrap();
        assert_matches(
            &case,
            "volatility_20",
            &streaming_closes(&case, |c| volatility.update(c)),
        );

        let mut bollinger = Bollinger::new(20, 2.0).unwrap();
        let bands: Vec<_> = case
            .series
            .close()
            .iter()
            .map(|&c| bollinger.update(c))
            .collect();
        assert_matches(
            &case,
            "bollinger_20_2_upper",
            &bands.iter().map(|b| b.map(|b| b.upper)).collect::<Vec<_>>(),
        );
        assert_matches(
            &case,
            "bollinger_20_2_middle",
            &bands
                .iter()
                .map(|b| b.map(|b| b.middle))
                .collect::<Vec<_>>(),
        );
        assert_matches(
            &case,
            "bollinger_20_2_lower",
            &bands.iter().map(|b| b.map(|b| b.lower)).collect::<Vec<_>>(),
        );

        let mut macd = Macd::new(12, 26, 9).unwrap();
        let outputs: Vec<_> = case
            .series
            .close()
            .iter()
            .map(|&c| macd.update(c))
            .collect();
        assert_matches(
            &case,
            "macd_12_26_9_line",
            &outputs
                .iter()
                .map(|m| m.map(|m| m.line))
                .collect::<Vec<_>>(),
        );
        assert_matches(
            &case,
            "macd_12_26_9_signal",
            &outputs
                .iter()
                .map(|m| m.and_then(|m| m.signal))
                .collect::<Vec<_>>(),
        );
        assert_matches(
            &case,
            "macd_12_26_9_histogram",
            &outputs
                .iter()
                .map(|m| m.and_then(|m| m.histogram))
                .collect::<Vec<_>>(),
        );

        let series = &case.series;
        let mut atr = Atr::new(14).unwrap();
        let values: Vec<_> = (0..series.len())
            .map(|i| atr.update(series.high()[i], series.low()[i], series.close()[i]))
            .collect();
        assert_matches(&case, "atr_14", &values);
        let mut donchian = Donchian::new(20).unwrap();
        let channels: Vec<_> = (0..series.len())
            .map(|i| donchian.update(series.high()[i], series.low()[i]))
            .collect();
        assert_matches(
            &case,
            "donchian_20_upper",
            &channels
                .iter()
                .map(|c| c.map(|c| c.upper))
                .collect::<Vec<_>>(),
        );
        assert_matches(
            &case,
            "donchian_20_lower",
            &channels
                .iter()
                .map(|c| c.map(|c| c.lower))
                .collect::<Vec<_>>(),
        );
    }
}

#[test]
fn batch_forms_through_the_cache_match_talib() {
    for case in cases() {
        let cache = IndicatorCache::new(Arc::new(case.series.clone()));
        let columns = [
            (IndicatorColumn::Sma { period: 50 }, "sma_50"),
            (IndicatorColumn::Ema { period: 20 }, "ema_20"),
            (IndicatorColumn::Rsi { period: 14 }, "rsi_14"),
            (IndicatorColumn::Atr { period: 14 }, "atr_14"),
            (
                IndicatorColumn::BollingerUpper {
                    period: 20,
                    width_hundredths: 200,
                },
                "bollinger_20_2_upper",
            ),
            (
                IndicatorColumn::BollingerLower {
                    period: 20,
                    width_hundredths: 200,
                },
                "bollinger_20_2_lower",
            ),
            (
                IndicatorColumn::MacdLine {
                    fast: 12,
                    slow: 26,
                    signal: 9,
                },
                "macd_12_26_9_line",
            ),
            (
                IndicatorColumn::MacdSignal {
                    fast: 12,
                    slow: 26,
                    signal: 9,
                },
                "macd_12_26_9_signal",
            ),
            (
                IndicatorColumn::DonchianUpper { period: 20 },
                "donchian_20_upper",
            ),
            (
                IndicatorColumn::DonchianLower { period: 20 },
                "donchian_20_lower",
            ),
            (IndicatorColumn::Roc { period: 10 }, "roc_10"),
            (IndicatorColumn::StdDev { period: 20 }, "stddev_20"),
            (IndicatorColumn::ZScore { period: 20 }, "zscore_20"),
            (IndicatorColumn::Volatility { period: 20 }, "volatility_20"),
        ];
        for (column, output) in columns {
            let values = cache.get(column).unwrap();
            let as_options: Vec<Option<f64>> =
                values.iter().map(|v| (!v.is_nan()).then_some(*v)).collect();
            assert_matches(&case, output, &as_options);
            // A second request returns the very same shared column.
            assert!(Arc::ptr_eq(&values, &cache.get(column).unwrap()));
        }
        assert_eq!(cache.len(), columns.len());
    }
}

#[test]
fn columns_over_the_budget_are_computed_but_not_retained() {
    let case = cases().remove(0);
    let bars = case.series.len();
    // Room for exactly two columns of 8 bytes per bar.
    let cache = IndicatorCache::with_budget(Arc::new(case.series.clone()), 2 * 8 * bars);
    let first = cache.get(IndicatorColumn::Sma { period: 5 }).unwrap();
    cache.get(IndicatorColumn::Sma { period: 20 }).unwrap();
    let third = cache.get(IndicatorColumn::Sma { period: 50 }).unwrap();
    assert_eq!(cache.len(), 2);
    assert_eq!(cache.retained_bytes(), 2 * 8 * bars);
    assert!(Arc::ptr_eq(
        &first,
        &cache.get(IndicatorColumn::Sma { period: 5 }).unwrap()
    ));
    let again = cache.get(IndicatorColumn::Sma { period: 50 }).unwrap();
    assert!(!Arc::ptr_eq(&third, &again), "not retained");
    let as_options: Vec<Option<f64>> = again.iter().map(|v| (!v.is_nan()).then_some(*v)).collect();
    assert_matches(&case, "sma_50", &as_options);
}
