//! Writers, statistics and messages of the binary against careless use (#30): backtest outputs
//! replace a user's file only with `--force`; degenerate statistics are undefined, not numbers;
//! `export --to DIR/` writes into the folder; `compare --shard` says the whole merge command, and
//! `--merge` on a missing folder says so. Each test failed on the code before #30.

mod common;

use std::process::Output;

use common::{command, ok, repository};

/// A user error: exit code 2 and one line on standard error holding `needle`.
fn assert_refused(output: &Output, needle: &str) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains(needle), "'{needle}' not in: {stderr}");
}

#[test]
fn backtest_outputs_replace_a_users_file_only_with_force() {
    let folder = tempfile::tempdir().unwrap();
    let genome = repository().join("genomes/rsi-2-mean-reversion.json");
    let population = folder.path().join("population.jsonl");
    let text = std::fs::read_to_string(&genome).unwrap();
    let one_line: serde_json::Value = serde_json::from_str(&text).unwrap();
    std::fs::write(&population, format!("{one_line}\n")).unwrap();
    for flag in ["--trades-out", "--equity-out", "--summary-out"] {
        let mine = folder.path().join(format!("mine{flag}.csv"));
        std::fs::write(&mine, "my own work\n").unwrap();
        let mut arguments = vec![
            "backtest",
            "--dataset",
            "sp500-1d",
            flag,
            mine.to_str().unwrap(),
        ];
        if flag == "--summary-out" {
            arguments.extend(["--population", population.to_str().unwrap()]);
        } else {
            arguments.extend(["--genome", genome.to_str().unwrap()]);
        }
        assert_refused(&command(&arguments).output().unwrap(), "already exists");
        assert_eq!(
            std::fs::read_to_string(&mine).unwrap(),
            "my own work\n",
            "{flag}"
        );
        arguments.push("--force");
        ok(&command(&arguments).output().unwrap());
        assert_ne!(
            std::fs::read_to_string(&mine).unwrap(),
            "my own work\n",
            "{flag}"
        );
    }
}

fn stats_json(arguments: &[&str]) -> serde_json::Value {
    let mut arguments = arguments.to_vec();
    arguments.push("--json");
    serde_json::from_str(&ok(&command(&arguments).output().unwrap())).unwrap()
}

#[test]
fn degenerate_statistics_are_undefined_not_numbers() {
    let folder = tempfile::tempdir().unwrap();
    // 0.1% every period: no variance, so no Sharpe ratio (it printed 2.4e16, and a PSR of 1).
    let constant = folder.path().join("constant.csv");
    let rows: String = (0..250).map(|_| "0.001\n").collect();
    std::fs::write(&constant, format!("returns\n{rows}")).unwrap();
    let path = constant.to_str().unwrap();
    let metrics = stats_json(&["stats", "metrics", "--returns", path]);
    assert!(metrics["sharpe"].is_null(), "{metrics}");
    assert!(
        metrics["notes"][0]
            .as_str()
            .unwrap()
            .contains("zero variance")
    );
    // The total return is still defined: 1.001^250 - 1, by hand 0.28362...
    let total = metrics["total_return"].as_f64().unwrap();
    assert!(
        (total - (1.001f64.powi(250) - 1.0)).abs() < 1e-12,
        "{total}"
    );
    let psr = stats_json(&["stats", "psr", "--returns", path]);
    assert!(psr["probabilistic_sharpe_ratio"].is_null(), "{psr}");
    assert!(psr["sharpe_per_period"].is_null(), "{psr}");
    // Identical trials: which is best in-sample is arbitrary.
    let matrix = folder.path().join("identical.csv");
    let rows: String = (0..64)
        .map(|row| {
            let value = ((row * 7) % 11) as f64 / 1000.0 - 0.005;
            format!("{value},{value},{value}\n")
        })
        .collect();
    std::fs::write(&matrix, format!("a,b,c\n{rows}")).unwrap();
    let output = command(&[
        "stats",
        "pbo",
        "--matrix",
        matrix.to_str().unwrap(),
        "--blocks",
        "4",
    ])
    .output()
    .unwrap();
    assert_refused(&output, "identical returns");
    // Extra slippage of 1e300 per trade is no fraction of a position.
    let trades = folder.path().join("trades.csv");
    std::fs::write(&trades, "returns\n0.01\n-0.02\n0.03\n").unwrap();
    let output = command(&[
        "stats",
        "monte-carlo",
        "--trades",
        trades.to_str().unwrap(),
        "--method",
        "slippage:1e300",
    ])
    .output()
    .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("slippage:C needs C in (0, 1)"), "{stderr}");
}

#[test]
fn export_to_a_folder_writes_the_strategy_in_it() {
    let folder = tempfile::tempdir().unwrap();
    let genome = repository().join("genomes/sma-50-200-crossover.json");
    let to = format!("{}/", folder.path().display());
    let output = command(&[
        "export",
        "--genome",
        genome.to_str().unwrap(),
        "--format",
        "python",
        "--to",
        &to,
    ])
    .output()
    .unwrap();
    let stdout = ok(&output);
    let written = folder.path().join("sma-50-200-crossover.py");
    assert!(written.is_file(), "{stdout}");
    assert!(stdout.contains("sma-50-200-crossover.py"), "{stdout}");
}

#[test]
fn compare_shards_say_the_whole_merge_command_and_a_missing_folder_is_named() {
    let folder = tempfile::tempdir().unwrap();
    let config = common::small_experiment(folder.path(), "cmp", 1, 1, 12, &["sp500-1d"]);
    let out = folder.path().join("cmp");
    let text = ok(&command(&[
        "compare",
        "--config",
        config.to_str().unwrap(),
        "--categories",
        "monthly_performance,drawdown_resistance",
        "--shard",
        "0/2",
        "--out",
        out.to_str().unwrap(),
    ])
    .output()
    .unwrap());
    assert!(
        text.contains(&format!(
            "gauntlet compare --merge {} --categories monthly_performance,drawdown_resistance --datasets-dir {}",
            out.display(),
            repository().join("datasets").display()
        )),
        "{text}"
    );
    let missing = folder.path().join("no-such-folder");
    let output = command(&["compare", "--merge", missing.to_str().unwrap()])
        .output()
        .unwrap();
    assert_refused(&output, "no such folder");
}

#[test]
fn split_dates_read_as_iso_dates() {
    let folder = tempfile::tempdir().unwrap();
    let config = common::small_experiment(folder.path(), "dated", 1, 1, 12, &["sp500-1d"]);
    let text = std::fs::read_to_string(&config).unwrap().replace(
        "[split.fractions]\nvalidation = 0.2\nholdout = 0.2\n",
        "[split.dates]\nvalidation_start = \"2012-01-01\"\nholdout_start = 2016-01-01\n",
    );
    std::fs::write(&config, text).unwrap();
    let out = folder.path().join("run");
    ok(&command(&[
        "evolve",
        "--config",
        config.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ])
    .output()
    .unwrap());
    // The resolved experiment keeps the dates as milliseconds: 2012-01-01 is day 15,340.
    let resolved = std::fs::read_to_string(out.join("config.toml")).unwrap();
    assert!(
        resolved.contains(&format!("validation_start = {}", 15_340i64 * 86_400_000)),
        "{resolved}"
    );
}

#[test]
fn a_second_paper_session_on_a_state_folder_in_use_is_refused_naming_the_first() {
    let folder = tempfile::tempdir().unwrap();
    let state = folder.path().join("state");
    let genome = repository().join("genomes/rsi-2-mean-reversion.json");
    let arguments = [
        "paper",
        "--genome",
        genome.to_str().unwrap(),
        "--stdin",
        "jsonl",
        "--symbol",
        "X",
        "--state",
        state.to_str().unwrap(),
    ];
    // The first session waits for its stream's first line (none comes until it is killed).
    let mut first = command(&arguments)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let lock = state.join(".paper.lock");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while std::fs::read_to_string(&lock).unwrap_or_default().trim() != first.id().to_string() {
        assert!(
            std::time::Instant::now() < deadline,
            "the first never locked"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let second = command(&arguments)
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    first.kill().unwrap();
    first.wait().unwrap();
    assert_refused(
        &second,
        &format!("in use by another paper session (process {})", first.id()),
    );
}
