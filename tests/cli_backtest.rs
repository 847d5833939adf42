//! `gauntlet backtest` and `gauntlet stats metrics` end to end, through the real binary.

use gauntlet_testkit::repository;
use std::path::Path;
use std::process::{Command, Output};

fn gauntlet(arguments: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_gauntlet"))
        .args(arguments)
        .arg("--datasets-dir")
        .arg(repository().join("datasets"))
        .output()
        .expect("the binary runs")
}

fn ok(output: &Output) -> String {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn genome(name: &str) -> String {
    repository()
        .join("genomes")
        .join(format!("{name}.json"))
        .display()
        .to_string()
}

#[test]
fn a_backtest_prints_rules_metrics_and_buy_and_hold() {
    let folder = tempfile::tempdir().unwrap();
    let trades = folder.path().join("trades.csv");
    let equity = folder.path().join("equity.parquet");
    let text = ok(&gauntlet(&[
        "backtest",
        "--genome",
        &genome("sma-50-200-crossover"),
        "--dataset",
        "sp500-1d",
        "--trades-out",
        trades.to_str().unwrap(),
        "--equity-out",
        equity.to_str().unwrap(),
    ]));
    assert!(
        text.starts_with("Go long when SMA(50) crosses above SMA(200)"),
        "{text}"
    );
    assert!(
        text.contains("buy-and-hold") && text.contains("max drawdown"),
        "{text}"
    );
    let trade_lines = std::fs::read_to_string(&trades).unwrap();
    assert!(
        trade_lines.starts_with("symbol,side,entry_time,entry_price"),
        "{trade_lines}"
    );
    // The equity file is a Parquet table with ts, equity and buy_and_hold columns.
    let bytes = std::fs::read(&equity).unwrap();
    assert_eq!(&bytes[..4], b"PAR1");
    let text = String::from_utf8_lossy(&bytes);
    assert!(text.contains("buy_and_hold") && text.contains("equity"));
}

#[test]
fn json_output_has_every_metric_for_each_dataset() {
    let text = ok(&gauntlet(&[
        "backtest",
        "--genome",
        &genome("donchian-20-10-breakout"),
        "--dataset",
        "googl-1d,eurusd-1h",
        "--from",
        "2017-01-01",
        "--to",
        "2017-12-31",
        "--json",
    ]));
    let output: serde_json::Value = serde_json::from_str(&text).unwrap();
    let datasets = output["datasets"].as_array().unwrap();
    assert_eq!(datasets.len(), 2);
    // 2017 has 251 NYSE sessions (GOOGL daily bars in the bundled file for 2017).
    assert_eq!(datasets[0]["bars"], 251);
    assert!(
        datasets[0]["first"]
            .as_str()
            .unwrap()
            .starts_with("2017-01-03")
    );
    for key in [
        "sharpe",
        "sortino",
        "max_drawdown",
        "profit_factor",
        "expectancy",
        "exposure",
    ] {
        assert!(datasets[1]["metrics"].get(key).is_some(), "{key}");
    }
    assert_eq!(datasets[1]["buy_and_hold"]["trades"], 1);
}

/// W1 through the CLI: the first 40 genomes of the W1 population as JSON lines, scored with
/// `--population` in the comparison mode, against vectorbt's buys, sells and final equity.
#[test]
fn the_population_summary_matches_vectorbt_on_w1() {
    let w1 = repository().join("crates/backtest/tests/reference/w1");
    let folder = tempfile::tempdir().unwrap();
    let population = folder.path().join("w1.jsonl");
    let summary = folder.path().join("summary.csv");
    let mut lines = String::new();
    let mut reader = csv::Reader::from_path(w1.join("population.csv")).unwrap();
    for row in reader.records().take(40) {
        let row = row.unwrap();
        let genome = serde_json::json!({
            "schema": 1,
            "name": format!("w1-{}", &row[0]),
            "entry": { "direction": "long", "logic": { "kind": "rules", "combine": { "mode": "all" },
                "rules": [{ "rule": "moving_average_cross", "average": "sma",
                            "fast": row[1].parse::<u32>().unwrap(), "slow": row[2].parse::<u32>().unwrap() }] } },
            "exit": { "stop_loss_pct": row[3].parse::<f64>().unwrap() * 100.0,
                      "take_profit_pct": row[4].parse::<f64>().unwrap() * 100.0,
                      "exit_on_opposite_signal": true },
            "sizing": { "method": { "method": "all_in" }, "max_position_pct": 100.0, "leverage_cap": 1.0, "max_positions": 1 }
        });
        lines.push_str(&genome.to_string());
        lines.push('\n');
    }
    std::fs::write(&population, lines).unwrap();
    ok(&gauntlet(&[
        "backtest",
        "--population",
        population.to_str().unwrap(),
        "--summary-out",
        summary.to_str().unwrap(),
        "--dataset",
        "sp500-1d",
        "--fill",
        "close",
        "--commission-bps",
        "10",
        "--slippage-bps",
        "0",
        "--capital",
        "1e10",
        "--keep-open-at-end",
    ]));
    let mut expected = csv::Reader::from_path(w1.join("sp500_1d_expected_vectorbt.csv")).unwrap();
    let mut got = csv::Reader::from_path(&summary).unwrap();
    let headers = got.headers().unwrap().clone();
    let column = |name: &str| headers.iter().position(|header| header == name).unwrap();
    let mut compared = 0;
    for (want, row) in expected.records().zip(got.records()) {
        let (want, row) = (want.unwrap(), row.unwrap());
        assert_eq!(&row[column("id")], format!("w1-{}", &want[0]));
        assert_eq!(&row[column("buys")], &want[2]);
        assert_eq!(&row[column("sells")], &want[3]);
        let (mine, theirs): (f64, f64) = (
            row[column("final_equity")].parse().unwrap(),
            want[1].parse().unwrap(),
        );
        assert!((mine - theirs).abs() / theirs < 1e-9, "{mine} vs {theirs}");
        compared += 1;
    }
    assert_eq!(compared, 40);
}

#[test]
fn stats_metrics_of_a_returns_file_match_empyrical() {
    // Series A of the empyrical reference vectors (crates/stats/tests/reference).
    let reference: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(
            repository().join("crates/stats/tests/reference/empyrical_vectors.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let case = &reference["series"]["A"];
    let folder = tempfile::tempdir().unwrap();
    let file = folder.path().join("returns.csv");
    let mut text = String::from("date,returns\n");
    for (index, value) in case["returns"].as_array().unwrap().iter().enumerate() {
        text.push_str(&format!("{index},{value}\n"));
    }
    std::fs::write(&file, text).unwrap();
    let output: serde_json::Value = serde_json::from_str(&ok(&gauntlet(&[
        "stats",
        "metrics",
        "--returns",
        file.to_str().unwrap(),
        "--json",
    ])))
    .unwrap();
    let close = |got: &serde_json::Value, want: &serde_json::Value| {
        let (got, want) = (got.as_f64().unwrap(), want.as_f64().unwrap());
        assert!(
            (got - want).abs() < 1e-9 * want.abs().max(1.0),
            "{got} vs {want}"
        );
    };
    close(&output["sharpe"], &case["empyrical"]["sharpe_ratio()"]);
    close(
        &output["max_drawdown"],
        &case["empyrical"]["max_drawdown()"],
    );
    close(&output["cagr"], &case["empyrical"]["annual_return()"]);
    let missing = folder.path().join("nothing.csv");
    std::fs::write(&missing, "date,price\n1,2\n").unwrap();
    let error = gauntlet(&["stats", "metrics", "--returns", missing.to_str().unwrap()]);
    assert_eq!(error.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&error.stderr).contains("no returns or return or equity column")
    );
}

#[test]
fn a_bad_genome_is_a_one_line_user_error() {
    let folder = tempfile::tempdir().unwrap();
    let path: &Path = &folder.path().join("bad.json");
    let text = std::fs::read_to_string(genome("sma-50-200-crossover"))
        .unwrap()
        .replace("\"slow\": 200", "\"slow\": 5000");
    std::fs::write(path, text).unwrap();
    let output = gauntlet(&[
        "backtest",
        "--genome",
        path.to_str().unwrap(),
        "--dataset",
        "sp500-1d",
    ]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("entry.logic.rules[0].slow = 5000 is out of range"),
        "{stderr}"
    );
}

#[test]
fn a_portfolio_shares_one_account_across_datasets() {
    let text = ok(&gauntlet(&[
        "backtest",
        "--genome",
        &genome("sma-50-200-crossover"),
        "--dataset",
        "aapl-adj-1d,ibm-adj-1d,msft-adj-1d",
        "--portfolio",
        "--json",
    ]));
    let output: serde_json::Value = serde_json::from_str(&text).unwrap();
    let report = &output["datasets"][0];
    assert_eq!(
        report["dataset"],
        "portfolio of aapl-adj-1d, ibm-adj-1d, msft-adj-1d"
    );
    // The three bokeh series share one calendar: 3,270 bars each, so the merged timeline has 3,270.
    assert_eq!(report["bars"], 3_270);
    // The genome holds one position at a time (max_positions 1); buy-and-hold holds all three.
    assert_eq!(report["buy_and_hold"]["trades"], 3);
    assert!(report["metrics"]["trades"].as_u64().unwrap() > 0);
}

#[test]
fn a_formula_genome_backtests_like_its_rule_twin() {
    let run = |path: &str| -> serde_json::Value {
        let text = ok(&gauntlet(&[
            "backtest",
            "--genome",
            path,
            "--dataset",
            "sp500-1d",
            "--json",
        ]));
        let output: serde_json::Value = serde_json::from_str(&text).unwrap();
        output["datasets"][0].clone()
    };
    let formula = run(&genome("formulas/rsi-2-formula"));
    let rules = run(&genome("rsi-2-mean-reversion"));
    assert!(formula["bars"].as_u64().unwrap() > 5_000, "{formula}");
    // The same strategy written twice: every number agrees (the texts describing it may not).
    for key in ["buys", "sells", "stop_loss_exits", "metrics"] {
        assert_eq!(formula.get(key), rules.get(key), "{key}");
    }
}

#[test]
fn a_malformed_formula_is_a_one_line_user_error_with_its_position() {
    let folder = tempfile::tempdir().unwrap();
    let path: &Path = &folder.path().join("bad-formula.json");
    let text = std::fs::read_to_string(genome("formulas/rsi-2-formula"))
        .unwrap()
        .replace("rsi(close, 2) < 10", "rsi(close, 2) < < 10");
    std::fs::write(path, text).unwrap();
    let output = gauntlet(&[
        "backtest",
        "--genome",
        path.to_str().unwrap(),
        "--dataset",
        "sp500-1d",
    ]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    // Column 17 is the second `<`: `rsi(close, 2) < ` is 16 characters.
    assert!(stderr.contains("bad-formula.json"), "{stderr}");
    assert!(
        stderr.contains("entry.logic.long: formula 1:17: "),
        "{stderr}"
    );
}

#[test]
fn blocks_lists_every_block_with_its_bounds() {
    let text = ok(&gauntlet(&["blocks"]));
    // The RSI: one series argument, a period of 2 to 200 bars (its bounds in gauntlet-blocks).
    assert!(
        text.contains(
            "rsi(x, period)\n    period: whole 2..=200 bars\n    Wilder's relative strength index"
        ),
        "{text}"
    );
    for block in gauntlet_blocks::registry() {
        assert!(text.contains(block.summary()), "{}", block.name());
    }
}
