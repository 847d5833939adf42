//! The trend, oscillator, volume, channel and window indicators against the values TA-Lib 0.8.2
//! (its C library 0.8.1) and pandas-ta 0.4.71b0 computed: `tests/reference/indicator_vectors.json`,
//! made by `scripts/reference/indicator_vectors.py` from two windows of bundled real data
//! (`sp500-1d`, `eurusd-1h`) and a synthetic series of flat and zero-volume bars.
//!
//! Warm-up positions must match exactly (no value where the library has none, and a value wherever
//! it has one), and values to 1e-9 relative to `max(|reference|, 1)`: relative for the large
//! magnitudes (OBV near 1e11 volume units, S&P 500 prices near 1,000), absolute 1e-9 near zero,
//! where oscillators cross 0 (CCI, Aroon's oscillator) and a relative bound would demand more than
//! the last bit. (In fact 20,572 of the 20,643 values are the reference's to the bit, the rest within
//! 3e-15: see the script.) The batch forms are checked here; `tests/streaming.rs` checks that the
//! streaming forms give the same bits.

use std::collections::BTreeMap;

use gauntlet_core::{BarColumns, BarSeries, Timestamp};
use gauntlet_indicators::batch;
use serde_json::Value;

const TOLERANCE: f64 = 1e-9;

struct Case {
    name: String,
    series: BarSeries,
    expected: BTreeMap<String, Vec<Option<f64>>>,
}

fn options(value: &Value) -> Vec<Option<f64>> {
    value
        .as_array()
        .unwrap()
        .iter()
        .map(Value::as_f64)
        .collect()
}

fn cases() -> Vec<Case> {
    let document: Value =
        serde_json::from_str(include_str!("reference/indicator_vectors.json")).unwrap();
    let mut cases = Vec::new();
    for (name, case) in document["cases"].as_object().unwrap() {
        let field = |name: &str| -> Vec<f64> {
            options(&case["inputs"][name])
                .into_iter()
                .map(Option::unwrap)
                .collect()
        };
        let close = field("close");
        let columns = BarColumns {
            timestamps: (0..close.len() as i64)
                .map(|bar| Timestamp(bar * 3_600_000))
                .collect(),
            open: field("open"),
            high: field("high"),
            low: field("low"),
            volume: field("volume"),
            close,
        };
        let expected = case["outputs"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(key, output)| (key.clone(), options(&output["values"])))
            .collect();
        cases.push(Case {
            name: name.clone(),
            series: BarSeries::new(columns, true).unwrap(),
            expected,
        });
    }
    assert_eq!(cases.len(), 3, "two real windows and the synthetic series");
    cases
}

/// Every output the Rust side computes for a case, under the names the vectors use.
fn computed(series: &BarSeries) -> BTreeMap<String, Vec<f64>> {
    let mut out = BTreeMap::new();
    for period in [5, 14] {
        let [adx, plus, minus] = batch::adx(series, period).unwrap();
        out.insert(format!("adx_{period}"), adx);
        out.insert(format!("plus_di_{period}"), plus);
        out.insert(format!("minus_di_{period}"), minus);
    }
    for (period, k_smoothing, d_period) in [(14, 3, 3), (5, 3, 4)] {
        let [k, d] = batch::stochastic(series, period, k_smoothing, d_period).unwrap();
        let name = format!("stochastic_{period}_{k_smoothing}_{d_period}");
        out.insert(format!("{name}_k"), k);
        out.insert(format!("{name}_d"), d);
    }
    for period in [14, 20] {
        out.insert(format!("cci_{period}"), batch::cci(series, period).unwrap());
    }
    out.insert(
        "williams_r_14".into(),
        batch::williams_r(series, 14).unwrap(),
    );
    out.insert("mfi_14".into(), batch::mfi(series, 14).unwrap());
    out.insert("obv".into(), batch::obv(series));
    let [up, down, oscillator] = batch::aroon(series, 14).unwrap();
    out.insert("aroon_14_up".into(), up);
    out.insert("aroon_14_down".into(), down);
    out.insert("aroon_14_oscillator".into(), oscillator);
    out.insert(
        "highest_high_20".into(),
        batch::highest(series.high(), 20).unwrap(),
    );
    out.insert(
        "lowest_low_20".into(),
        batch::lowest(series.low(), 20).unwrap(),
    );
    out.insert(
        "highest_close_10".into(),
        batch::highest(series.close(), 10).unwrap(),
    );
    out.insert(
        "lowest_close_10".into(),
        batch::lowest(series.close(), 10).unwrap(),
    );
    out.insert(
        "close_5_bars_ago".into(),
        batch::lag(series.close(), 5).unwrap(),
    );
    for (period, multiplier) in [(20, 2.0), (10, 1.5)] {
        let [upper, middle, lower] = batch::keltner(series, period, multiplier).unwrap();
        let name = format!("keltner_{period}_{multiplier:?}");
        out.insert(format!("{name}_upper"), upper);
        out.insert(format!("{name}_middle"), middle);
        out.insert(format!("{name}_lower"), lower);
    }
    out.insert(
        "rolling_vwap_20".into(),
        batch::rolling_vwap(series, 20).unwrap(),
    );
    out
}

#[test]
fn batch_forms_match_talib_and_pandas_ta() {
    for case in cases() {
        let computed = computed(&case.series);
        assert_eq!(
            computed.keys().collect::<Vec<_>>(),
            case.expected.keys().collect::<Vec<_>>(),
            "{}: every reference output is checked",
            case.name
        );
        for (output, values) in &computed {
            let expected = &case.expected[output];
            assert_eq!(values.len(), expected.len(), "{} {output}", case.name);
            let mut compared = 0;
            for (index, (&got, want)) in values.iter().zip(expected).enumerate() {
                match want {
                    None => assert!(
                        got.is_nan(),
                        "{} {output}[{index}]: {got}, the reference has no value",
                        case.name
                    ),
                    Some(want) => {
                        assert!(
                            (got - want).abs() <= TOLERANCE * want.abs().max(1.0),
                            "{} {output}[{index}]: {got} against the reference's {want}",
                            case.name
                        );
                        compared += 1;
                    }
                }
            }
            assert!(
                compared >= 40,
                "{} {output}: only {compared} values",
                case.name
            );
        }
    }
}
