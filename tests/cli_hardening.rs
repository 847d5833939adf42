//! Hostile and careless use through the real binary (#18): closed pipes, odd files, bad sizes.

mod common;

use std::process::Stdio;

use common::command;

/// Runs `arguments` with standard output a pipe whose reading end is closed at once, as `| head
/// -0` does: the command must end quietly (exit 0, nothing on standard error), like ripgrep.
fn with_closed_stdout(arguments: &[&str]) -> std::process::Output {
    let mut child = command(arguments)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    drop(child.stdout.take());
    child.wait_with_output().expect("the binary ends")
}

#[test]
fn a_closed_pipe_ends_output_quietly() {
    let repository = gauntlet_testkit::repository();
    let genome = repository.join("genomes/sma-50-200-crossover.json");
    let genome = genome.to_str().unwrap();
    for arguments in [
        vec!["data", "list"],
        vec!["data", "inspect", "sp500-1d", "--json"],
        vec![
            "backtest",
            "--genome",
            genome,
            "--dataset",
            "sp500-1d",
            "--json",
        ],
        vec!["validate", "--genome", genome, "--dataset", "sp500-1d"],
    ] {
        let output = with_closed_stdout(&arguments);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(0), "{arguments:?}: {stderr}");
        assert!(stderr.is_empty(), "{arguments:?}: {stderr}");
    }
}

#[test]
fn an_empty_trade_list_still_has_its_header() {
    let folder = tempfile::tempdir().unwrap();
    let trades = folder.path().join("trades.csv");
    let genome = gauntlet_testkit::repository().join("genomes/sma-50-200-crossover.json");
    // SMA(50/200) on 150 bars: no trade.
    let output = command(&[
        "backtest",
        "--genome",
        genome.to_str().unwrap(),
        "--dataset",
        "sp500-1d",
        "--from",
        "2020-01-01",
        "--to",
        "2020-08-01",
        "--trades-out",
        trades.to_str().unwrap(),
    ])
    .output()
    .unwrap();
    common::ok(&output);
    let text = std::fs::read_to_string(&trades).unwrap();
    assert_eq!(
        text,
        "symbol,side,entry_time,entry_price,exit_time,exit_price,quantity,gross_pnl,commission,net_pnl,pnl_pct,bars_held,exit_reason\n"
    );
}

#[test]
fn a_genome_saved_with_a_byte_order_mark_reads() {
    let folder = tempfile::tempdir().unwrap();
    let repository = gauntlet_testkit::repository();
    let text =
        std::fs::read_to_string(repository.join("genomes/sma-50-200-crossover.json")).unwrap();
    let genome = folder.path().join("bom.json");
    std::fs::write(&genome, format!("\u{feff}{text}")).unwrap();
    let output = command(&[
        "backtest",
        "--genome",
        genome.to_str().unwrap(),
        "--dataset",
        "sp500-1d",
    ])
    .output()
    .unwrap();
    assert!(common::ok(&output).contains("SMA(50) crosses above SMA(200)"));
}

fn import_text(text: &str) -> Result<gauntlet_data::ImportedCsv, gauntlet_data::DataError> {
    let folder = tempfile::tempdir().unwrap();
    let path = folder.path().join("prices.csv");
    std::fs::write(&path, text).unwrap();
    gauntlet_data::import_csv(&path, &gauntlet_data::ImportOptions::default())
}

#[test]
fn a_pandas_index_column_is_the_timestamp() {
    // `DataFrame.to_csv()` with a date index writes an empty first header field.
    let imported = import_text(
        ",Open,High,Low,Close,Volume\n2024-01-02,10,11,9,10.5,100\n2024-01-03,10.5,12,10,11,200\n",
    )
    .unwrap();
    assert_eq!(imported.series.len(), 2);
    assert_eq!(imported.series.close(), &[10.5, 11.0]);
    assert_eq!(
        imported.series.timestamps()[1],
        gauntlet_core::Timestamp::from_ymd(2024, 1, 3).unwrap()
    );
}

#[test]
fn a_column_named_twice_is_refused_naming_both() {
    let error = import_text("timestamp,close,close\n2024-01-02,10,11\n")
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("columns 2 and 3") && error.contains("'close'"),
        "{error}"
    );
}

/// Asserts a user error: exit code 2 and one line on standard error containing `needle`.
fn assert_refused(output: &std::process::Output, needle: &str) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains(needle), "'{needle}' not in {stderr}");
}

#[test]
fn hostile_sizes_are_refused_before_any_work() {
    let folder = tempfile::tempdir().unwrap();
    // 40 blocks would enumerate C(40, 20) = 1.4e11 splits.
    let matrix = folder.path().join("matrix.csv");
    let mut text = String::from("a,b\n");
    for row in 0..200 {
        text.push_str(&format!(
            "{},{}\n",
            (row % 7) as f64 / 100.0,
            (row % 5) as f64 / 100.0
        ));
    }
    std::fs::write(&matrix, text).unwrap();
    let pbo = command(&[
        "stats",
        "pbo",
        "--matrix",
        matrix.to_str().unwrap(),
        "--blocks",
        "40",
    ])
    .output()
    .unwrap();
    assert_refused(&pbo, "2 to 20, got 40");
    let trades = folder.path().join("trades.csv");
    std::fs::write(&trades, "returns\n0.01\n-0.02\n").unwrap();
    let paths = command(&[
        "stats",
        "monte-carlo",
        "--trades",
        trades.to_str().unwrap(),
        "--paths",
        "1000000000000",
    ])
    .output()
    .unwrap();
    assert_eq!(paths.status.code(), Some(2));
    // Returns in percent, not fractions: -512% is refused, not compounded into nonsense.
    let returns = folder.path().join("returns.csv");
    std::fs::write(&returns, "returns\n1.5\n-5.12\n0.3\n").unwrap();
    let metrics = command(&["stats", "metrics", "--returns", returns.to_str().unwrap()])
        .output()
        .unwrap();
    assert_refused(&metrics, "return 2 is -5.12");
    // Experiments: each bad size names its field, before any data is loaded.
    for (setting, field) in [
        ("[gate]\npbo_blocks = 40\n", "gate.pbo_blocks"),
        (
            "[gate]\nmonte_carlo_paths = 1000000000000\n",
            "gate.monte_carlo_paths",
        ),
        ("[gate]\npbo_trials = 100000000\n", "gate.pbo_trials"),
        (
            "[gate]\ndata_snooping_draws = 1000001\n",
            "gate.data_snooping_draws",
        ),
        ("[plateau]\nneighbours = 100000\n", "plateau.neighbours"),
    ] {
        let config = common::small_experiment(folder.path(), "sizes", 1, 2, 24, &["sp500-1d"]);
        let text = std::fs::read_to_string(&config).unwrap() + setting;
        std::fs::write(&config, text).unwrap();
        let output = command(&["evolve", "--config", config.to_str().unwrap(), "--quiet"])
            .output()
            .unwrap();
        assert_refused(&output, field);
    }
    let config = common::small_experiment(folder.path(), "tournament", 1, 2, 24, &["sp500-1d"]);
    let text = std::fs::read_to_string(&config)
        .unwrap()
        .replace("islands = 2\n", "islands = 2\ntournament_size = 50\n");
    std::fs::write(&config, text).unwrap();
    let output = command(&["evolve", "--config", config.to_str().unwrap(), "--quiet"])
        .output()
        .unwrap();
    assert_refused(&output, "tournament_size");
}

#[test]
fn evolve_never_writes_into_a_users_folder() {
    let folder = tempfile::tempdir().unwrap();
    let config = common::small_experiment(folder.path(), "mine", 1, 1, 12, &["sp500-1d"]);
    let users = folder.path().join("my-project");
    std::fs::create_dir_all(&users).unwrap();
    std::fs::write(users.join("config.toml"), "my own settings\n").unwrap();
    let output = command(&[
        "evolve",
        "--config",
        config.to_str().unwrap(),
        "--out",
        users.to_str().unwrap(),
        "--quiet",
    ])
    .output()
    .unwrap();
    assert_refused(&output, "is not empty");
    assert_eq!(
        std::fs::read_to_string(users.join("config.toml")).unwrap(),
        "my own settings\n"
    );
    assert_eq!(std::fs::read_dir(&users).unwrap().count(), 1);
}

#[cfg(unix)]
#[test]
fn outputs_honour_the_umask_write_through_links_and_dash_is_standard_output() {
    use std::os::unix::fs::PermissionsExt;
    let folder = tempfile::tempdir().unwrap();
    let exported = folder.path().join("wti.csv");
    // Through a shell, to set the umask the way a user's session does.
    let binary = env!("CARGO_BIN_EXE_gauntlet");
    let datasets = gauntlet_testkit::repository().join("datasets");
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!(
            "umask 022; '{binary}' data export wti-1d --to '{}' --datasets-dir '{}'",
            exported.display(),
            datasets.display()
        ))
        .status()
        .unwrap();
    assert!(status.success());
    let mode = std::fs::metadata(&exported).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o644, "{mode:o}");
    // Written through a link: the link stays, its target gets the data.
    let real = folder.path().join("real.csv");
    std::fs::write(&real, "old").unwrap();
    let link = folder.path().join("link.csv");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    let output = command(&[
        "data",
        "export",
        "wti-1d",
        "--to",
        link.to_str().unwrap(),
        "--force",
    ])
    .output()
    .unwrap();
    assert!(output.status.success());
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert!(
        std::fs::read_to_string(&real)
            .unwrap()
            .starts_with("timestamp,close\n")
    );
    // `-`: the data on standard output, the confirmation on standard error.
    let output = command(&["data", "export", "wti-1d", "--to", "-"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.starts_with("timestamp,close\n1986-01-02T00:00:00Z,25.56\n"),
        "{stdout:.80}"
    );
    assert!(String::from_utf8_lossy(&output.stderr).starts_with("Exported 8321 bars"));
    // An OS error is said once.
    let output = command(&[
        "backtest",
        "--genome",
        "/no/such/genome.json",
        "--dataset",
        "sp500-1d",
    ])
    .output()
    .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(stderr.matches("os error 2").count(), 1, "{stderr}");
}

#[test]
fn nonsense_settings_are_refused() {
    let genome = gauntlet_testkit::repository().join("genomes/sma-50-200-crossover.json");
    let genome = genome.to_str().unwrap();
    let twice = command(&[
        "backtest",
        "--genome",
        genome,
        "--dataset",
        "sp500-1d,sp500-1d",
    ])
    .output()
    .unwrap();
    assert_refused(&twice, "'sp500-1d' is listed twice");
    let capital = command(&[
        "backtest",
        "--genome",
        genome,
        "--dataset",
        "sp500-1d",
        "--capital",
        "1e308",
    ])
    .output()
    .unwrap();
    assert_refused(&capital, "initial_capital");
    let folder = tempfile::tempdir().unwrap();
    std::fs::write(folder.path().join("catalog.toml"), "").unwrap();
    let prices = folder.path().join("prices.csv");
    std::fs::write(&prices, "timestamp,close\n2024-01-02,10\n2024-01-03,11\n").unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_gauntlet"))
        .args([
            "data",
            "import",
            prices.to_str().unwrap(),
            "--name",
            "x",
            "--symbol",
            "",
            "--asset-class",
            "stock",
        ])
        .arg("--datasets-dir")
        .arg(folder.path())
        .output()
        .unwrap();
    assert_refused(&output, "symbol");
}

#[test]
fn a_placeholder_price_is_a_bad_row_not_a_bar() {
    // Interactive Brokers sends DBL_MAX (1.7976931348623157e308) for "unset".
    let error = import_text(
        "timestamp,open,high,low,close\n2024-01-02,10,11,9,10.5\n2024-01-03,10.5,1.7976931348623157e308,10,11\n",
    )
    .unwrap_err()
    .to_string();
    assert!(
        error.contains("line 3") && error.contains("placeholder"),
        "{error}"
    );
}

#[test]
fn monte_carlo_reads_the_backtests_trades_and_labels_its_percentiles() {
    let folder = tempfile::tempdir().unwrap();
    let trades = folder.path().join("trades.csv");
    let genome = gauntlet_testkit::repository().join("genomes/rsi-2-mean-reversion.json");
    common::ok(
        &command(&[
            "backtest",
            "--genome",
            genome.to_str().unwrap(),
            "--dataset",
            "sp500-1d",
            "--trades-out",
            trades.to_str().unwrap(),
        ])
        .output()
        .unwrap(),
    );
    let text = common::ok(
        &command(&[
            "stats",
            "monte-carlo",
            "--trades",
            trades.to_str().unwrap(),
            "--paths",
            "200",
        ])
        .output()
        .unwrap(),
    );
    assert!(text.contains("resampling.method: bootstrap"), "{text}");
    assert!(text.contains("total_return_percentiles: p5 "), "{text}");
    assert!(!text.contains('{') && !text.contains('['), "{text}");
}

#[test]
fn an_endless_line_is_an_error_not_exhausted_memory() {
    let mut text = String::from("timestamp,close\n2024-01-02,10\n");
    text.push_str(&"9".repeat(2 << 20));
    let error = import_text(&text).unwrap_err().to_string();
    assert!(
        error.contains("line 3 is longer than 1048576 bytes"),
        "{error}"
    );
}

#[test]
fn an_unknown_dataset_gets_a_suggestion_not_a_list_of_every_name() {
    let genome = gauntlet_testkit::repository().join("genomes/sma-50-200-crossover.json");
    let output = command(&[
        "backtest",
        "--genome",
        genome.to_str().unwrap(),
        "--dataset",
        "sp500",
    ])
    .output()
    .unwrap();
    assert_refused(&output, "did you mean sp500-1d?");
    assert!(!String::from_utf8_lossy(&output.stderr).contains("msft-1d"));
}

#[test]
fn a_mixed_interval_portfolio_is_annualised_by_its_own_timeline() {
    // Daily S&P 500 with hourly EUR/USD: the shared account steps once per bar of the merged
    // timeline, so it is annualised with that timeline's bars per year, not the hourly rate.
    let catalog =
        gauntlet_data::Catalog::open(&gauntlet_testkit::repository().join("datasets")).unwrap();
    let mut times: Vec<i64> = ["sp500-1d", "eurusd-1h"]
        .iter()
        .flat_map(|name| {
            let (_, series) = catalog.load(name).unwrap();
            series
                .timestamps()
                .iter()
                .map(|time| time.millis())
                .collect::<Vec<_>>()
        })
        .collect();
    times.sort_unstable();
    times.dedup();
    let years = (times[times.len() - 1] - times[0]) as f64 / (365.25 * 86_400_000.0);
    let expected = (times.len() - 1) as f64 / years;
    let genome = gauntlet_testkit::repository().join("genomes/sma-50-200-crossover.json");
    let text = common::ok(
        &command(&[
            "backtest",
            "--genome",
            genome.to_str().unwrap(),
            "--dataset",
            "sp500-1d,eurusd-1h",
            "--portfolio",
        ])
        .output()
        .unwrap(),
    );
    assert!(
        text.contains(&format!("annualised with {expected:.1} bars per year")),
        "{expected:.1}: {text}"
    );
}

/// Runs the binary with `arguments` under a 2 GiB address-space limit (`ulimit -v`), as a user
/// on a shared machine might.
#[cfg(unix)]
fn under_two_gigabytes(arguments: &[&str]) -> std::process::Output {
    let quoted: Vec<String> = arguments
        .iter()
        .map(|argument| format!("'{argument}'"))
        .collect();
    std::process::Command::new("sh")
        .arg("-c")
        .arg(format!(
            "ulimit -v 2097152; exec '{}' {}",
            env!("CARGO_BIN_EXE_gauntlet"),
            quoted.join(" ")
        ))
        .output()
        .unwrap()
}

#[cfg(unix)]
#[test]
fn hostile_sizes_end_in_a_user_error_within_two_gigabytes() {
    let folder = tempfile::tempdir().unwrap();
    std::fs::write(folder.path().join("catalog.toml"), "").unwrap();
    let datasets = folder.path().to_str().unwrap();
    // One endless line: a device, refused before it is read.
    let output = under_two_gigabytes(&[
        "data",
        "import",
        "/dev/zero",
        "--name",
        "zero",
        "--symbol",
        "Z",
        "--asset-class",
        "stock",
        "--datasets-dir",
        datasets,
    ]);
    assert_refused(&output, "is a character device, not a regular file");
    // C(40, 20) splits.
    let matrix = folder.path().join("matrix.csv");
    std::fs::write(&matrix, "a,b\n0.01,0.02\n0.0,-0.01\n").unwrap();
    let output = under_two_gigabytes(&[
        "stats",
        "pbo",
        "--matrix",
        matrix.to_str().unwrap(),
        "--blocks",
        "40",
    ]);
    assert_refused(&output, "2 to 20");
}

#[test]
fn a_paper_session_resumed_with_other_costs_is_refused() {
    let folder = tempfile::tempdir().unwrap();
    let genome = gauntlet_testkit::repository().join("genomes/sma-50-200-crossover.json");
    let state = folder.path().join("state");
    let session = |capital: &str| {
        command(&[
            "paper",
            "--genome",
            genome.to_str().unwrap(),
            "--feed",
            "wti-1d",
            "--journal",
            folder.path().join("journal.jsonl").to_str().unwrap(),
            "--state",
            state.to_str().unwrap(),
            "--capital",
            capital,
        ])
        .output()
        .unwrap()
    };
    common::ok(&session("100000"));
    assert_refused(&session("50000"), "saved with capital 100000");
}

#[test]
fn both_split_tables_get_a_message_a_user_understands() {
    let folder = tempfile::tempdir().unwrap();
    let config = common::small_experiment(folder.path(), "split", 1, 1, 12, &["sp500-1d"]);
    let text = std::fs::read_to_string(&config).unwrap().replace(
        "[split.fractions]",
        "[split.dates]\nvalidation_start = 1\nholdout_start = 2\n\n[split.fractions]",
    );
    std::fs::write(&config, text).unwrap();
    let output = command(&["evolve", "--config", config.to_str().unwrap(), "--quiet"])
        .output()
        .unwrap();
    assert_refused(&output, "[split.fractions] or [split.dates]), not several");
}

#[test]
fn impossible_eligibility_and_data_too_short_for_the_genome_are_said() {
    let folder = tempfile::tempdir().unwrap();
    let config = common::small_experiment(folder.path(), "eligible", 1, 1, 12, &["sp500-1d"]);
    let text = std::fs::read_to_string(&config)
        .unwrap()
        .replace("min_trades = 2\n", "min_trades = 1000000\n");
    std::fs::write(&config, text).unwrap();
    let output = command(&["evolve", "--config", config.to_str().unwrap(), "--quiet"])
        .output()
        .unwrap();
    assert_refused(&output, "eligibility.min_trades");
    // SMA(200) on 74 bars: never a trade, and the report says why.
    let genome = gauntlet_testkit::repository().join("genomes/sma-50-200-crossover.json");
    let text = common::ok(
        &command(&[
            "backtest",
            "--genome",
            genome.to_str().unwrap(),
            "--dataset",
            "sp500-1d",
            "--from",
            "2020-01-01",
        ])
        .output()
        .unwrap(),
    );
    assert!(
        text.contains("warning: the genome's longest indicator needs 200 bars and the data has 74"),
        "{text}"
    );
}

fn fifteen_minute_bars(count: usize) -> Vec<String> {
    (0..count)
        .map(|index| {
            let minutes = 9 * 60 + 30 + 15 * index;
            format!(
                "2024-01-02T{:02}:{:02}:00Z,10,11,9,10.5",
                minutes / 60,
                minutes % 60
            )
        })
        .collect()
}

#[test]
fn off_grid_rows_and_overlapping_downloads_are_named() {
    let header = "timestamp,open,high,low,close\n";
    // A live snapshot at 13:46:02 among 15-minute bars.
    let mut lines = fifteen_minute_bars(20);
    lines.insert(18, "2024-01-02T13:46:02Z,10,11,9,10.5".into());
    let text = format!("{header}{}\n", lines.join("\n"));
    let error = import_text(&text).unwrap_err().to_string();
    assert!(
        error.contains("line 20") && error.contains("off the 15-minute grid"),
        "{error}"
    );
    let folder = tempfile::tempdir().unwrap();
    let path = folder.path().join("bars.csv");
    std::fs::write(&path, &text).unwrap();
    let options = gauntlet_data::ImportOptions {
        skip_bad_rows: true,
        ..gauntlet_data::ImportOptions::default()
    };
    let imported = gauntlet_data::import_csv(&path, &options).unwrap();
    assert_eq!(imported.series.len(), 20);
    let skipped = &imported.report.skipped[&gauntlet_data::BadRowKind::OffGrid];
    assert_eq!((skipped.count, skipped.first_lines.clone()), (1, vec![20]));
    // Two downloads stitched: bars 0..12, then bars 8..20 again.
    let bars = fifteen_minute_bars(20);
    let stitched = [&bars[..12], &bars[8..]].concat();
    std::fs::write(&path, format!("{header}{}\n", stitched.join("\n"))).unwrap();
    let imported = gauntlet_data::import_csv(&path, &options).unwrap();
    assert_eq!(imported.series.len(), 20);
    let skipped = &imported.report.skipped;
    assert_eq!(skipped[&gauntlet_data::BadRowKind::Overlap].count, 4);
    assert!(!skipped.contains_key(&gauntlet_data::BadRowKind::OutOfOrder));
}

#[test]
fn json_candles_import_as_exchanges_and_ccxt_return_them() {
    // ccxt's fetch_ohlcv: [ms, open, high, low, close, volume].
    let ccxt = "[[1609459200000, 29000, 29600, 28800, 29300, 12.5],\n [1609545600000, 29300, 33000, 29000, 32200, 20]]";
    let imported = import_text(ccxt).unwrap();
    assert_eq!(imported.series.close(), &[29300.0, 32200.0]);
    assert_eq!(
        imported.series.timestamps()[1],
        gauntlet_core::Timestamp::from_ymd(2021, 1, 2).unwrap()
    );
    assert!(imported.report.notices[0].starts_with("read 2 JSON candles"));
    // JSON lines of objects with ISO dates; a bad candle is named by its line.
    let lines = "{\"date\": \"2021-01-01\", \"open\": 1, \"high\": 2, \"low\": 0.5, \"close\": 1.5}\n\
                 {\"date\": \"2021-01-02\", \"open\": 1.5, \"high\": 1.0, \"low\": 0.5, \"close\": 1.8}\n";
    let error = import_text(lines).unwrap_err().to_string();
    assert!(
        error.contains("line 3") && error.contains("high"),
        "{error}"
    );
}

#[test]
fn stats_metrics_on_a_backtests_equity_file_agree_with_the_backtest() {
    // The backtest's Sharpe counts bar 0's return from the initial capital (vectorbt's
    // convention); the equity file carries those returns, so `stats metrics` agrees to the bit.
    let folder = tempfile::tempdir().unwrap();
    let equity = folder.path().join("equity.csv");
    let genome = gauntlet_testkit::repository().join("genomes/sma-50-200-crossover.json");
    let backtest: serde_json::Value = serde_json::from_str(&common::ok(
        &command(&[
            "backtest",
            "--genome",
            genome.to_str().unwrap(),
            "--dataset",
            "sp500-1d",
            "--equity-out",
            equity.to_str().unwrap(),
            "--json",
        ])
        .output()
        .unwrap(),
    ))
    .unwrap();
    let stats: serde_json::Value = serde_json::from_str(&common::ok(
        &command(&[
            "stats",
            "metrics",
            "--returns",
            equity.to_str().unwrap(),
            "--json",
        ])
        .output()
        .unwrap(),
    ))
    .unwrap();
    let sharpe = backtest["datasets"][0]["metrics"]["sharpe"]
        .as_f64()
        .unwrap();
    assert_eq!(stats["sharpe"].as_f64().unwrap(), sharpe);
}

#[test]
fn a_study_whose_reader_has_gone_still_finishes_its_runs() {
    let folder = tempfile::tempdir().unwrap();
    let study = folder.path().join("study");
    let output = with_closed_stdout(&[
        "study",
        "--seeds",
        "2",
        "--generations",
        "1",
        "--population",
        "24",
        "--out",
        study.to_str().unwrap(),
    ]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(study.join("study.json").is_file() && study.join("index.html").is_file());
}

#[test]
fn a_second_evolve_into_a_folder_being_written_is_refused_naming_the_writer() {
    let folder = tempfile::tempdir().unwrap();
    // Long enough (many generations) that the first run is still writing when the second starts.
    let config = common::small_experiment(folder.path(), "long", 1, 400, 64, &["sp500-1d"]);
    let out = folder.path().join("shared-out");
    let out_text = out.to_str().unwrap();
    let first = command(&[
        "evolve",
        "--config",
        config.to_str().unwrap(),
        "--out",
        out_text,
        "--quiet",
    ])
    .stdout(Stdio::null())
    .stderr(Stdio::null())
    .spawn()
    .unwrap();
    /// Kills the first run when the test ends, passing or not.
    struct KillOnDrop(std::process::Child);
    impl Drop for KillOnDrop {
        fn drop(&mut self) {
            self.0.kill().ok();
            self.0.wait().ok();
        }
    }
    let first_id = first.id();
    let mut first = KillOnDrop(first);
    let lock = out.join(".gauntlet.lock");
    let holder = first_id.to_string();
    let started = std::time::Instant::now();
    // Wait for the lock and for the run's first file besides it: a folder holding only a lock counts as
    // empty, so on a loaded machine the last check below would otherwise race the first run's start.
    let config_copy = out.join("config.toml");
    while std::fs::read_to_string(&lock).map_or(true, |text| text.trim() != holder)
        || !config_copy.is_file()
    {
        assert!(
            started.elapsed().as_secs() < 120,
            "the first run never took its lock"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let second = command(&[
        "evolve",
        "--config",
        config.to_str().unwrap(),
        "--out",
        out_text,
        "--seed",
        "2",
        "--quiet",
    ])
    .output()
    .unwrap();
    let resume = command(&["evolve", "--resume", out_text, "--quiet"])
        .output()
        .unwrap();
    let still_running = first.0.try_wait().unwrap().is_none();
    drop(first);
    assert!(
        still_running,
        "the first run ended before the others were tried"
    );
    for output in [&second, &resume] {
        assert_refused(
            output,
            &format!("another Gauntlet process (process {holder})"),
        );
    }
    // Once the writer is gone the lock goes with it: the folder is refused for what it holds,
    // not for a stale lock.
    let after = command(&[
        "evolve",
        "--config",
        config.to_str().unwrap(),
        "--out",
        out_text,
        "--quiet",
    ])
    .output()
    .unwrap();
    let stderr = String::from_utf8_lossy(&after.stderr);
    assert_eq!(after.status.code(), Some(2), "{stderr}");
    assert!(!stderr.contains("another Gauntlet process"), "{stderr}");
    assert!(stderr.contains(out_text), "{stderr}");
}

#[test]
fn two_datasets_with_identical_bars_are_warned_about() {
    // One CSV imported under two names: two Parquet files (their metadata name differs) with the
    // same bars, which a universe would count twice; a third name holds other bars.
    let folder = tempfile::tempdir().unwrap();
    let datasets = folder.path().join("datasets");
    std::fs::create_dir(&datasets).unwrap();
    std::fs::write(datasets.join("catalog.toml"), "").unwrap();
    let exported = common::ok(
        &command(&["data", "export", "wti-1d", "--to", "-"])
            .output()
            .unwrap(),
    );
    let lines: Vec<&str> = exported.lines().collect();
    let (first, later) = (
        folder.path().join("first.csv"),
        folder.path().join("later.csv"),
    );
    std::fs::write(&first, lines[..401].join("\n")).unwrap();
    std::fs::write(&later, [&lines[..1], &lines[401..801]].concat().join("\n")).unwrap();
    // `common::command` names the bundled datasets folder: these commands name this one.
    let in_folder = |arguments: &[&str]| {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_gauntlet"));
        command.args(arguments).arg("--datasets-dir").arg(&datasets);
        command
    };
    for (name, csv) in [
        ("oil-a-1d", &first),
        ("oil-b-1d", &first),
        ("oil-c-1d", &later),
    ] {
        common::ok(
            &in_folder(&[
                "data",
                "import",
                csv.to_str().unwrap(),
                "--name",
                name,
                "--symbol",
                "WTI",
                "--asset-class",
                "commodity",
            ])
            .output()
            .unwrap(),
        );
    }
    let evolve = |name: &str, names: &[&str]| {
        let config = common::small_experiment(folder.path(), name, 1, 1, 12, names);
        let output = in_folder(&["evolve", "--config", config.to_str().unwrap(), "--quiet"])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr).to_string();
        assert!(output.status.success(), "{stderr}");
        stderr
    };
    let stderr = evolve("twice", &["oil-a-1d", "oil-b-1d"]);
    assert!(
        stderr.contains("warning: datasets oil-a-1d and oil-b-1d hold identical bars (400 bars"),
        "{stderr}"
    );
    let stderr = evolve("distinct", &["oil-a-1d", "oil-c-1d"]);
    assert!(!stderr.contains("identical bars"), "{stderr}");
}
