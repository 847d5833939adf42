//! Alpha, beta, information ratio and tracking error against empyrical-reloaded 0.7.1, to 1e-9: the
//! values of `tests/reference/benchmark_vectors.json`, written by
//! `scripts/reference/benchmark_vectors.py` (a `null` there is an undefined value, `NaN` here).

use gauntlet_stats::BenchmarkRelative;
use gauntlet_stats::benchmark::{alpha, beta, information_ratio, tracking_error};
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Deserialize)]
struct Document {
    cases: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    name: String,
    returns: Vec<f64>,
    benchmark: Vec<f64>,
    expected: BTreeMap<String, BTreeMap<String, Option<f64>>>,
}

fn check(case: &str, name: &str, got: f64, want: Option<f64>) {
    match want {
        None => assert!(!got.is_finite(), "{case} {name}: {got}, want undefined"),
        Some(want) => {
            let scale = want.abs().max(1.0);
            assert!(
                (got - want).abs() <= 1e-9 * scale,
                "{case} {name}: {got}, want {want}"
            );
        }
    }
}

#[test]
fn benchmark_metrics_match_empyrical() {
    let document: Document =
        serde_json::from_str(include_str!("reference/benchmark_vectors.json")).unwrap();
    let mut checked = 0;
    for case in &document.cases {
        for (settings, expected) in &case.expected {
            let (annualization, risk_free) = settings
                .split_once(", ")
                .map(|(first, second)| {
                    let value =
                        |text: &str| text.split('=').nth(1).unwrap().parse::<f64>().unwrap();
                    (value(first), value(second))
                })
                .unwrap();
            let (r, b) = (&case.returns[..], &case.benchmark[..]);
            let label = format!("{} ({settings})", case.name);
            let figures = BenchmarkRelative::of(r, b, risk_free, annualization).unwrap();
            for (name, want) in expected {
                let got = match name.as_str() {
                    "alpha" => figures.alpha,
                    "alpha()" => alpha(r, b, risk_free, annualization).unwrap(),
                    "beta" => figures.beta,
                    "beta()" => beta(r, b).unwrap(),
                    "information_ratio" => information_ratio(r, b, annualization).unwrap(),
                    "tracking_error" => tracking_error(r, b, annualization).unwrap(),
                    other => panic!("unknown reference value {other}"),
                };
                check(&label, name, got, *want);
                checked += 1;
            }
            for (name, value) in figures.named_values() {
                if let Some(want) = expected.get(name) {
                    check(&label, name, value, *want);
                }
            }
        }
    }
    assert_eq!(checked, 6 * 4 * 6, "every reference value checked");
}
