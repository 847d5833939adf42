//! `gauntlet stats psr|dsr|pbo|monte-carlo` end to end, on the reference vectors of
//! `crates/stats/tests/reference` (values computed by scipy, pypbo and numpy).

use gauntlet_testkit::repository;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn gauntlet(arguments: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_gauntlet"))
        .args(arguments)
        .output()
        .expect("the binary runs")
}

fn json(output: &Output) -> serde_json::Value {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

fn vectors(name: &str) -> serde_json::Value {
    let path = repository().join("crates/stats/tests/reference").join(name);
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn write_column(folder: &Path, name: &str, header: &str, values: &[f64]) -> PathBuf {
    let path = folder.join(name);
    let mut text = format!("{header}\n");
    for value in values {
        text.push_str(&format!("{value}\n"));
    }
    std::fs::write(&path, text).unwrap();
    path
}

fn close(actual: &serde_json::Value, expected: f64, tolerance: f64) {
    let actual = actual.as_f64().unwrap();
    assert!(
        (actual - expected).abs() <= tolerance,
        "{actual} vs {expected}"
    );
}

#[test]
fn psr_and_dsr_of_a_returns_file() {
    let folder = tempfile::tempdir().unwrap();
    let series: Vec<f64> = vectors("empyrical_vectors.json")["series"]["A"]["returns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|value| value.as_f64().unwrap())
        .collect();
    let file = write_column(folder.path(), "a.csv", "returns", &series);
    let expected = &vectors("psr_dsr_vectors.json")["from_returns_single"];
    let psr = json(&gauntlet(&[
        "stats",
        "psr",
        "--returns",
        file.to_str().unwrap(),
        "--benchmark",
        "0.1",
        "--json",
    ]));
    close(
        &psr["probabilistic_sharpe_ratio"],
        expected["PSR(SR*=0.1) biased moments"].as_f64().unwrap(),
        1e-10,
    );
    close(
        &psr["sharpe_per_period"],
        expected["SR_per_period (mean/std ddof=1)"]
            .as_f64()
            .unwrap(),
        1e-12,
    );
    let mintrl = json(&gauntlet(&[
        "stats",
        "mintrl",
        "--returns",
        file.to_str().unwrap(),
        "--json",
    ]));
    close(
        &mintrl["minimum_track_record_periods"],
        expected["MinTRL(SR*=0, p=0.95) biased moments"]
            .as_f64()
            .unwrap(),
        1e-8,
    );
    assert_eq!(mintrl["long_enough"], false);
    // DSR of the same series with 100 trials whose Sharpe ratios spread 0.05: by the formula,
    // SR0 = 0.05 x E[max_100] = 0.05 x 2.5306028932 (pypbo's expected maximum).
    let dsr = json(&gauntlet(&[
        "stats",
        "dsr",
        "--returns",
        file.to_str().unwrap(),
        "--trials",
        "100",
        "--trial-sharpe-std",
        "0.05",
        "--json",
    ]));
    close(
        &dsr["deflated_benchmark_per_period"],
        0.05 * 2.5306028932016846,
        1e-10,
    );
    assert!(
        dsr["deflated_sharpe_ratio"].as_f64().unwrap()
            < psr["probabilistic_sharpe_ratio"].as_f64().unwrap()
    );
    let bad = gauntlet(&[
        "stats",
        "dsr",
        "--returns",
        file.to_str().unwrap(),
        "--trials",
        "1",
        "--trial-sharpe-std",
        "0.05",
    ]);
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn pbo_of_a_matrix_file() {
    let folder = tempfile::tempdir().unwrap();
    let case = &vectors("pbo_vectors.json")["cases"]["case2_full_overfit_zero_mean_columns"];
    let rows = case["M"].as_array().unwrap();
    let columns = rows[0].as_array().unwrap().len();
    let mut text = (0..columns)
        .map(|column| format!("trial_{column}"))
        .collect::<Vec<_>>()
        .join(",");
    text.push('\n');
    for row in rows {
        let cells: Vec<String> = row
            .as_array()
            .unwrap()
            .iter()
            .map(|value| value.to_string())
            .collect();
        text.push_str(&cells.join(","));
        text.push('\n');
    }
    let path = folder.path().join("matrix.csv");
    std::fs::write(&path, &text).unwrap();
    let result = json(&gauntlet(&[
        "stats",
        "pbo",
        "--matrix",
        path.to_str().unwrap(),
        "--blocks",
        "8",
        "--json",
    ]));
    close(
        &result["probability_of_overfitting"],
        case["pypbo.pbo"].as_f64().unwrap(),
        1e-12,
    );
    assert_eq!(result["splits"].as_array().unwrap().len(), 70);
    // A bad cell is named by line and column.
    let broken = folder.path().join("broken.csv");
    std::fs::write(&broken, "a,b\n0.1,0.2\n0.3,oops\n").unwrap();
    let output = gauntlet(&[
        "stats",
        "pbo",
        "--matrix",
        broken.to_str().unwrap(),
        "--blocks",
        "2",
    ]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr.contains("line 3, column 'b'"), "{stderr}");
}

#[test]
fn monte_carlo_of_a_trade_list() {
    let folder = tempfile::tempdir().unwrap();
    let reference = vectors("montecarlo_vectors.json");
    let trades: Vec<f64> = reference["explicit_sims"]["original"]["trades"]
        .as_array()
        .unwrap()
        .iter()
        .map(|value| value.as_f64().unwrap())
        .collect();
    let file = write_column(folder.path(), "trades.csv", "returns", &trades);
    let summary = json(&gauntlet(&[
        "stats",
        "monte-carlo",
        "--trades",
        file.to_str().unwrap(),
        "--method",
        "bootstrap",
        "--paths",
        "10000",
        "--json",
    ]));
    let expected = &reference["large_run_summaries_rng2024"]["bootstrap"];
    close(
        &summary["probability_of_profit"],
        expected["prob_profit (total_return>0)"].as_f64().unwrap(),
        0.02,
    );
    close(
        &summary["total_return_percentiles"][0],
        expected["p5_total_return"].as_f64().unwrap(),
        0.015,
    );
    let bad = gauntlet(&[
        "stats",
        "monte-carlo",
        "--trades",
        file.to_str().unwrap(),
        "--method",
        "skip:2",
    ]);
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn validate_reports_inference_monte_carlo_gate_crashes_and_regimes() {
    let genome = repository().join("genomes/sma-50-200-crossover.json");
    let output = Command::new(env!("CARGO_BIN_EXE_gauntlet"))
        .args([
            "validate",
            "--genome",
            genome.to_str().unwrap(),
            "--dataset",
            "sp500-1d",
            "--trials",
            "500",
            "--trial-sharpe-std",
            "0.02",
            "--json",
        ])
        .arg("--datasets-dir")
        .arg(repository().join("datasets"))
        .output()
        .unwrap();
    let report = &json(&output)["sp500-1d"];
    assert_eq!(report["gate"].as_array().unwrap().len(), 7);
    assert_eq!(report["monte_carlo"].as_array().unwrap().len(), 2);
    // The S&P 500 series (2000-2020) covers the dot-com bust, 2008 and 2020, not 1987 or 2022.
    let windows: Vec<&str> = report["crash_windows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|window| window["window"].as_str().unwrap())
        .collect();
    assert_eq!(
        windows,
        [
            "dot-com bust 2000-2002",
            "global financial crisis 2008-2009",
            "covid crash 2020"
        ]
    );
    assert_eq!(report["regimes"].as_array().unwrap().len(), 6);
    let shocks = report["shocks"].as_array().unwrap();
    assert_eq!(shocks.len(), 2);
    // A permanent 10% gap down halfway leaves buy-and-hold 10% lower at the end: the S&P 500 series
    // runs from a close of 1455.219971 (2000-01-03) to 2874.560059 (2020-04-17).
    assert!(
        shocks[0]["shock"]
            .as_str()
            .unwrap()
            .starts_with("flash crash")
    );
    let crashed = shocks[0]["buy_and_hold_return"].as_f64().unwrap();
    assert!(
        (crashed - (2874.560059 * 0.9 / 1455.219971 - 1.0)).abs() < 1e-6,
        "{crashed}"
    );
    assert!(
        shocks[1]["shock"]
            .as_str()
            .unwrap()
            .starts_with("volatility x2")
    );
    // 500 trials deflate more than none: the DSR is below the PSR.
    assert!(
        report["deflated_sharpe_ratio"].as_f64().unwrap()
            < report["probabilistic_sharpe_ratio"].as_f64().unwrap()
    );
}
