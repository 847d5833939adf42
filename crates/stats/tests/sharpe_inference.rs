//! PSR, DSR, MinTRL and MinBTL against `tests/reference/psr_dsr_vectors.json`: the papers' worked
//! examples as pypbo's tests assert them, mlfinlab's unit tests recomputed, and values computed from
//! return series with scipy (generator and versions recorded in the file's `generated_by`).

use std::path::PathBuf;

use gauntlet_stats::sharpe_inference::*;
use gauntlet_testkit::{assert_close as close, read_json};
use serde_json::Value;

fn load(name: &str) -> Value {
    read_json(
        &PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/reference")
            .join(name),
    )
}

/// Values that pass through the normal CDF or its inverse: statrs's implementations (erfc-based)
/// agree with scipy's to a few 1e-12 here (observed at most 4e-12), so 1e-10 leaves room without
/// hiding a formula error, which would show at 1e-3 or more.
const NORMAL_TOLERANCE: f64 = 1e-10;

fn number(value: &Value) -> f64 {
    value
        .as_f64()
        .unwrap_or_else(|| panic!("not a number: {value}"))
}

#[test]
fn worked_examples_of_the_papers() {
    let vectors = load("psr_dsr_vectors.json");
    let examples = &vectors["worked_examples"];

    let expected_max = &examples["expected_max_N100 (pypbo test)"];
    close(
        expected_maximum_sharpe(100.0),
        number(&expected_max["pypbo.expected_max"]),
        NORMAL_TOLERANCE,
        "E[max_100]",
    );

    let psr = &examples["PSR_example_SR_efficient_frontier (per pypbo test_psr docstring)"];
    let inputs = &psr["inputs"];
    close(
        probabilistic_sharpe_ratio(
            number(&inputs["SR"]),
            number(&inputs["SR*"]),
            number(&inputs["T"]) as usize,
            number(&inputs["skew"]),
            number(&inputs["kurtosis"]),
        ),
        0.9132343,
        1e-7,
        "PSR worked example",
    );
    close(
        probabilistic_sharpe_ratio(
            number(&inputs["SR"]),
            number(&inputs["SR*"]),
            number(&inputs["T"]) as usize,
            number(&inputs["skew"]),
            number(&inputs["kurtosis"]),
        ),
        number(&psr["pypbo.psr"]),
        NORMAL_TOLERANCE,
        "PSR vs pypbo",
    );

    let dsr = &examples["DSR_example_Deflated_SR_paper (per pypbo test_dsr docstring)"];
    let inputs = &dsr["inputs"];
    let (sharpe, std) = (number(&inputs["SR_daily"]), number(&inputs["std_SR_daily"]));
    close(
        deflated_benchmark(std, number(&inputs["N"])),
        number(&dsr["SR0_daily"]),
        NORMAL_TOLERANCE,
        "SR0",
    );
    let value = deflated_sharpe_ratio(
        sharpe,
        std,
        number(&inputs["N"]),
        number(&inputs["T"]) as usize,
        number(&inputs["skew"]),
        number(&inputs["kurtosis"]),
    );
    close(
        value,
        0.9003968,
        1e-7,
        "DSR worked example (the paper's 0.9004)",
    );
    close(
        value,
        number(&dsr["pypbo.dsr"]),
        NORMAL_TOLERANCE,
        "DSR vs pypbo",
    );

    for (name, periods) in [("daily", 250.0), ("weekly", 52.0), ("monthly", 12.0)] {
        let case = &examples["MinTRL_examples (per pypbo test_minTRL, 'Figure 8 of SR Efficient Frontier')"]
            [name];
        let inputs = &case["inputs"];
        let observations = minimum_track_record_length(
            number(&inputs["SR"]),
            number(&inputs["SR*"]),
            number(&inputs["skew"]),
            number(&inputs["kurt"]),
            number(&inputs["p"]),
        );
        close(
            observations / periods,
            number(&case["years"]),
            NORMAL_TOLERANCE,
            name,
        );
    }

    let btl = &examples["MinBTL_example (per pypbo test_minBTL; Bailey et al. 2014 Notices AMS: N=45 -> ~5 years)"];
    let (years, bound) = minimum_backtest_length(45.0, 1.0);
    close(years, 4.99809, 1e-6, "MinBTL (the paper's 4.99809 years)");
    close(
        years,
        number(&btl["pypbo.minBTL"][0]),
        NORMAL_TOLERANCE,
        "MinBTL vs pypbo",
    );
    close(
        bound,
        number(&btl["pypbo.minBTL"][1]),
        NORMAL_TOLERANCE,
        "MinBTL bound vs pypbo",
    );

    let mlfinlab = &examples["mlfinlab_unit_tests (recomputed)"];
    close(
        probabilistic_sharpe_ratio(1.14, 1.0, 250, 0.0, 3.0),
        number(&mlfinlab["PSR(1.14, SR*=1, T=250, skew=0, kurt=3)"]["value"]),
        NORMAL_TOLERANCE,
        "mlfinlab PSR",
    );
    // DSR with the trials' Sharpe ratios [3.5, 1.01, 1.02]: their standard deviation with ddof 0.
    let trials = [3.5f64, 1.01, 1.02];
    let mean = trials.iter().sum::<f64>() / 3.0;
    let std = (trials
        .iter()
        .map(|value| (value - mean).powi(2))
        .sum::<f64>()
        / 3.0)
        .sqrt();
    let case = &mlfinlab["DSR(1.14, sr_estimates=[3.5,1.01,1.02], T=250) std ddof=0"];
    close(
        deflated_benchmark(std, 3.0),
        number(&case["SR0"]),
        NORMAL_TOLERANCE,
        "mlfinlab SR0",
    );
    close(
        deflated_sharpe_ratio(1.14, std, 3.0, 250, 0.0, 3.0),
        number(&case["value"]),
        NORMAL_TOLERANCE,
        "mlfinlab DSR",
    );
    close(
        minimum_track_record_length(1.14, 1.0, 0.0, 3.0, 0.95),
        number(&mlfinlab["MinTRL(1.14, SR*=1, skew=0, kurt=3, alpha=0.05)"]["value"]),
        NORMAL_TOLERANCE,
        "mlfinlab MinTRL",
    );
}

#[test]
fn the_expected_maximum_follows_the_table() {
    let vectors = load("psr_dsr_vectors.json");
    for row in vectors["expected_max_table"].as_array().unwrap() {
        let trials = number(&row["N"]);
        close(
            expected_maximum_sharpe(trials),
            number(&row["approx"]),
            NORMAL_TOLERANCE,
            "E[max_N]",
        );
        // The approximation is within 0.06 of the exact expectation from N = 2 on (the table's
        // numerical integral), and within 0.01 from N = 1000.
        let gap = (expected_maximum_sharpe(trials) - number(&row["exact_integral"])).abs();
        assert!(
            gap < if trials >= 1000.0 { 0.015 } else { 0.06 },
            "N={trials}: {gap}"
        );
    }
    assert!(expected_maximum_sharpe(1.0).is_nan());
}

#[test]
fn from_a_return_series() {
    let vectors = load("psr_dsr_vectors.json");
    let case = &vectors["from_returns_single"];
    let empyrical = load("empyrical_vectors.json");
    let returns: Vec<f64> = empyrical["series"]["A"]["returns"]
        .as_array()
        .unwrap()
        .iter()
        .map(number)
        .collect();
    let moments = SharpeMoments::of(&returns);
    assert_eq!(moments.observations, 30);
    close(
        moments.sharpe,
        number(&case["SR_per_period (mean/std ddof=1)"]),
        1e-12,
        "SR",
    );
    close(
        moments.skewness,
        number(&case["skew_biased (scipy.stats.skew)"]),
        1e-12,
        "skew",
    );
    close(
        moments.kurtosis,
        number(&case["kurt_biased_nonexcess (scipy kurtosis fisher=False)"]),
        1e-12,
        "kurtosis",
    );
    let psr = |benchmark| {
        probabilistic_sharpe_ratio(
            moments.sharpe,
            benchmark,
            30,
            moments.skewness,
            moments.kurtosis,
        )
    };
    close(
        psr(0.0),
        number(&case["PSR(SR*=0.0) biased moments"]),
        NORMAL_TOLERANCE,
        "PSR 0",
    );
    close(
        psr(0.1),
        number(&case["PSR(SR*=0.1) biased moments"]),
        NORMAL_TOLERANCE,
        "PSR 0.1",
    );
    close(
        minimum_track_record_length(
            moments.sharpe,
            0.0,
            moments.skewness,
            moments.kurtosis,
            0.95,
        ),
        number(&case["MinTRL(SR*=0, p=0.95) biased moments"]),
        NORMAL_TOLERANCE,
        "MinTRL",
    );
}

#[test]
fn deflating_the_best_of_a_trials_matrix() {
    let vectors = load("psr_dsr_vectors.json");
    let case = &vectors["dsr_from_trials_matrix"];
    let pbo = load("pbo_vectors.json");
    let matrix: Vec<Vec<f64>> = pbo["cases"]["case1_noise_plus_edge"]["M"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| row.as_array().unwrap().iter().map(number).collect())
        .collect();
    let trials = matrix[0].len();
    let columns: Vec<Vec<f64>> = (0..trials)
        .map(|column| matrix.iter().map(|row| row[column]).collect())
        .collect();
    let sharpes: Vec<f64> = columns
        .iter()
        .map(|column| SharpeMoments::of(column).sharpe)
        .collect();
    for (mine, theirs) in sharpes.iter().zip(
        case["trial_SRs (mean/std ddof=1, per period)"]
            .as_array()
            .unwrap(),
    ) {
        close(*mine, number(theirs), 1e-12, "trial SR");
    }
    let best = number(&case["best_index"]) as usize;
    let moments = SharpeMoments::of(&columns[best]);
    close(
        moments.skewness,
        number(&case["skew_best_biased"]),
        1e-12,
        "skew",
    );
    close(
        moments.kurtosis,
        number(&case["kurt_best_biased_nonexcess"]),
        1e-12,
        "kurtosis",
    );
    let mean = sharpes.iter().sum::<f64>() / trials as f64;
    for (ddof, key) in [(0.0, "ddof=0"), (1.0, "ddof=1")] {
        let std = (sharpes
            .iter()
            .map(|value| (value - mean).powi(2))
            .sum::<f64>()
            / (trials as f64 - ddof))
            .sqrt();
        close(std, number(&case[key]["std_SR"]), 1e-12, "std of trial SRs");
        close(
            deflated_benchmark(std, trials as f64),
            number(&case[key]["SR0"]),
            NORMAL_TOLERANCE,
            "SR0",
        );
        close(
            deflated_sharpe_ratio(
                moments.sharpe,
                std,
                trials as f64,
                moments.observations,
                moments.skewness,
                moments.kurtosis,
            ),
            number(&case[key]["DSR"]),
            NORMAL_TOLERANCE,
            key,
        );
    }
}
