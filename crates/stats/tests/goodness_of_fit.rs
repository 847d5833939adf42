//! The one-sample Kolmogorov-Smirnov test against the uniform distribution against SciPy 1.17.1:
//! `tests/reference/kolmogorov_smirnov_vectors.json`, written by
//! `scripts/reference/kolmogorov_smirnov_vectors.py`. The statistic and `kstest(...,
//! method="approx")`'s p-value to 1e-9; SciPy's default exact p-value within 1e-5 wherever it is at
//! most 0.05 and within 1e-3 up to 0.2 (where a calibration check decides), never above ours.

use gauntlet_stats::goodness_of_fit::kolmogorov_smirnov_uniform;
use serde::Deserialize;

#[derive(Deserialize)]
struct Document {
    cases: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    name: String,
    sample: Vec<f64>,
    statistic: f64,
    pvalue_approx: f64,
    pvalue_exact: f64,
}

#[test]
fn statistic_and_p_value_match_scipy() {
    let document: Document =
        serde_json::from_str(include_str!("reference/kolmogorov_smirnov_vectors.json")).unwrap();
    assert_eq!(document.cases.len(), 9);
    for case in &document.cases {
        let (statistic, p_value) = kolmogorov_smirnov_uniform(&case.sample).unwrap();
        println!(
            "{}: D {statistic:.6} p {p_value:.6e} (SciPy approx {:.6e}, exact {:.6e})",
            case.name, case.pvalue_approx, case.pvalue_exact
        );
        assert!(
            (statistic - case.statistic).abs() < 1e-12,
            "{}: D {statistic}, SciPy {}",
            case.name,
            case.statistic
        );
        let tolerance = 1e-9 * case.pvalue_approx.max(1e-6);
        assert!(
            (p_value - case.pvalue_approx).abs() <= tolerance.max(1e-14),
            "{}: p {p_value}, SciPy approx {}",
            case.name,
            case.pvalue_approx
        );
        assert!(p_value >= case.pvalue_exact - 1e-12, "{}", case.name);
        let near = if case.pvalue_exact <= 0.05 {
            1e-5
        } else {
            1e-3
        };
        if case.pvalue_exact <= 0.2 {
            assert!(
                (p_value - case.pvalue_exact).abs() < near,
                "{}: p {p_value}, SciPy exact {}",
                case.name,
                case.pvalue_exact
            );
        }
    }
}
