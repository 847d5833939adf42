//! `gauntlet paper` end to end through the real binary: the same trades and final equity as
//! `gauntlet backtest` for every seed genome, the quickstart's exported champion and a freshly
//! evolved one (every bundled dataset is covered in-process by gauntlet-backtest's live_parity); a session killed with SIGKILL
//! and restarted from its state ends exactly like an uninterrupted one; bad feed lines are
//! journalled as rejected and change nothing else; bars piped on standard input.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

mod common;
use common::{command, ok, repository, small_experiment};

fn gauntlet(arguments: &[&str]) -> String {
    ok(&command(arguments).output().expect("the binary runs"))
}

fn journal(path: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

/// A closed trade as both tools print it: side, entry and exit time, entry and exit price and
/// quantity (the numbers exactly as written).
type TradeKey = (String, String, String, String, String, String);

fn journal_trades(lines: &[serde_json::Value]) -> Vec<TradeKey> {
    lines
        .iter()
        .filter(|line| line["type"] == "trade")
        .map(|line| {
            (
                line["side"].as_str().unwrap().to_string(),
                line["entry_time"].as_str().unwrap().to_string(),
                line["exit_time"].as_str().unwrap().to_string(),
                line["entry_price"].as_f64().unwrap().to_string(),
                line["exit_price"].as_f64().unwrap().to_string(),
                line["quantity"].as_f64().unwrap().to_string(),
            )
        })
        .collect()
}

fn backtest_trades(path: &Path) -> Vec<TradeKey> {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let headers = reader.headers().unwrap().clone();
    if headers.is_empty() {
        // No trades: the backtest writes an empty file.
        return Vec::new();
    }
    let column = |name: &str| headers.iter().position(|header| header == name).unwrap();
    let (side, entry_time, exit_time, entry_price, exit_price, quantity) = (
        column("side"),
        column("entry_time"),
        column("exit_time"),
        column("entry_price"),
        column("exit_price"),
        column("quantity"),
    );
    reader
        .records()
        .map(|record| {
            let record = record.unwrap();
            let number = |index: usize| record[index].parse::<f64>().unwrap().to_string();
            (
                record[side].to_string(),
                record[entry_time].to_string(),
                record[exit_time].to_string(),
                number(entry_price),
                number(exit_price),
                number(quantity),
            )
        })
        .collect()
}

fn final_equity(lines: &[serde_json::Value]) -> f64 {
    lines
        .iter()
        .rev()
        .find(|line| line["type"] == "equity")
        .unwrap()["equity"]
        .as_f64()
        .unwrap()
}

/// Paper-trades `genome` on `dataset` and backtests it; asserts the same trades and final equity.
fn assert_parity(folder: &Path, genome: &Path, dataset: &str) -> usize {
    let trades_csv = folder.join(format!("{dataset}-trades.csv"));
    let backtest: serde_json::Value = serde_json::from_str(&gauntlet(&[
        "backtest",
        "--genome",
        genome.to_str().unwrap(),
        "--dataset",
        dataset,
        "--trades-out",
        trades_csv.to_str().unwrap(),
        "--force",
        "--json",
    ]))
    .unwrap();
    let journal_path = folder.join(format!("{dataset}.jsonl"));
    let _ = std::fs::remove_file(&journal_path);
    gauntlet(&[
        "paper",
        "--genome",
        genome.to_str().unwrap(),
        "--feed",
        dataset,
        "--flatten-on-exit",
        "--journal",
        journal_path.to_str().unwrap(),
    ]);
    let lines = journal(&journal_path);
    let expected = backtest_trades(&trades_csv);
    assert_eq!(
        journal_trades(&lines),
        expected,
        "{} on {dataset}",
        genome.display()
    );
    let equity = backtest["datasets"][0]["metrics"]["final_equity"]
        .as_f64()
        .unwrap();
    assert_eq!(
        final_equity(&lines),
        equity,
        "{} on {dataset}",
        genome.display()
    );
    expected.len()
}

#[test]
fn paper_trades_exactly_like_the_backtest() {
    let folder = tempfile::tempdir().unwrap();
    let mut genomes: Vec<PathBuf> = std::fs::read_dir(repository().join("genomes"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| {
            path.extension()
                .is_some_and(|extension| extension == "json")
        })
        .collect();
    genomes.sort();
    // The quickstart's exported champion (a champion file, read by both commands).
    genomes.push(repository().join("genomes/champions/quickstart-monthly_performance.json"));
    // An evolved champion too: a small run, exported even though it fails the gate.
    let config = small_experiment(
        folder.path(),
        "paper-champion",
        3,
        2,
        24,
        &["sp500-1d", "wti-1d"],
    );
    let run = folder.path().join("run");
    gauntlet(&[
        "evolve",
        "--quiet",
        "--config",
        config.to_str().unwrap(),
        "--out",
        run.to_str().unwrap(),
    ]);
    let exported = gauntlet(&[
        "export",
        run.to_str().unwrap(),
        "--category",
        "monthly_performance",
        "--to",
        folder.path().to_str().unwrap(),
        "--force",
    ]);
    let champion = PathBuf::from(exported.trim().trim_start_matches("Wrote ").trim());
    assert!(champion.is_file(), "{exported}");
    genomes.push(champion);
    let mut trades = 0;
    // One dataset of every asset class and bar interval, and a close-only series.
    for dataset in [
        "sp500-1d",
        "msft-1d",
        "eurusd-1h",
        "wti-1d",
        "btcusd-1d-2021",
        "usdjpy-1d-2021",
        "msft-close-1d",
    ] {
        for genome in &genomes {
            trades += assert_parity(folder.path(), genome, dataset);
        }
    }
    assert!(trades > 500, "only {trades} trades compared");
}

#[test]
fn a_killed_session_resumes_to_the_same_journal_and_equity() {
    let folder = tempfile::tempdir().unwrap();
    let genome = repository().join("genomes/rsi-2-mean-reversion.json");
    let args = |journal: &Path| {
        vec![
            "paper".to_string(),
            "--genome".into(),
            genome.to_str().unwrap().into(),
            "--feed".into(),
            "sp500-1d".into(),
            "--flatten-on-exit".into(),
            "--journal".into(),
            journal.to_str().unwrap().into(),
        ]
    };
    // Uninterrupted.
    let whole = folder.path().join("whole.jsonl");
    let arguments = args(&whole);
    let references: Vec<&str> = arguments.iter().map(String::as_str).collect();
    gauntlet(&references);

    // Killed mid-feed (paced so that it is still running), then restarted with its state.
    let state = folder.path().join("state");
    let resumed = folder.path().join("resumed.jsonl");
    let mut first = args(&resumed);
    first.extend([
        "--state".into(),
        state.to_str().unwrap().into(),
        // 5105 daily bars at ~1.3 s of real time in all.
        "--speed".into(),
        "340000000".into(),
    ]);
    let references: Vec<&str> = first.iter().map(String::as_str).collect();
    let mut child = command(&references)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(600));
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let partial = journal(&resumed);
    let bars_before = partial.iter().filter(|line| line["type"] == "bar").count();
    assert!(
        bars_before > 10 && bars_before < 5000,
        "{bars_before} bars before the kill"
    );
    let mut second = args(&resumed);
    second.extend(["--state".into(), state.to_str().unwrap().into()]);
    let references: Vec<&str> = second.iter().map(String::as_str).collect();
    let stdout = gauntlet(&references);
    assert!(stdout.contains("resumed after bar"), "{stdout}");
    assert_eq!(
        std::fs::read_to_string(&resumed).unwrap(),
        std::fs::read_to_string(&whole).unwrap(),
        "the resumed journal differs from the uninterrupted one"
    );
    assert_eq!(
        final_equity(&journal(&resumed)),
        final_equity(&journal(&whole))
    );
}

#[test]
fn bad_feed_lines_are_rejected_and_change_nothing_else() {
    let folder = tempfile::tempdir().unwrap();
    let exported = folder.path().join("msft.csv");
    gauntlet(&[
        "data",
        "export",
        "msft-1d",
        "--to",
        exported.to_str().unwrap(),
    ]);
    let text = std::fs::read_to_string(&exported).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    let rows: Vec<&str> = lines.collect();
    // The clean feed, with a symbol column.
    let clean_path = folder.path().join("clean.csv");
    let mut clean = format!("symbol,{header}\n");
    for row in &rows {
        clean.push_str(&format!("MSFT,{row}\n"));
    }
    std::fs::write(&clean_path, &clean).unwrap();
    // The same with bad lines injected after bars 100, 200, ...
    let dirty_path = folder.path().join("dirty.csv");
    let mut dirty = format!("symbol,{header}\n");
    let bad = [
        "MSFT,not-a-date,1,2,0.5,1.5,0".to_string(),
        "MSFT,2001-01-01T00:00:00Z,1,2".to_string(),
        format!("MSFT,{}", rows[50]), // out of order
        "AAPL,2030-01-01T00:00:00Z,1,2,0.5,1.5,0".to_string(), // another symbol
        "MSFT,2030-01-02T00:00:00Z,NaN,2,0.5,1.5,0".to_string(), // fails the bar checks
        "MSFT,2030-01-03T00:00:00Z,1,0.5,2,1.5,0".to_string(), // high below low
        "{\"garbage\": true}".to_string(),
    ];
    let mut injected = 0;
    for (index, row) in rows.iter().enumerate() {
        dirty.push_str(&format!("MSFT,{row}\n"));
        if index % 100 == 99 && injected < bad.len() {
            dirty.push_str(&bad[injected]);
            dirty.push('\n');
            // A duplicate of the bar just fed.
            dirty.push_str(&format!("MSFT,{row}\n"));
            injected += 1;
        }
    }
    assert_eq!(injected, bad.len());
    std::fs::write(&dirty_path, &dirty).unwrap();
    let genome = repository().join("genomes/donchian-20-10-breakout.json");
    let run = |feed: &Path, journal_path: &Path| {
        gauntlet(&[
            "paper",
            "--genome",
            genome.to_str().unwrap(),
            "--feed",
            feed.to_str().unwrap(),
            "--flatten-on-exit",
            "--journal",
            journal_path.to_str().unwrap(),
        ])
    };
    let (clean_journal, dirty_journal) = (
        folder.path().join("clean.jsonl"),
        folder.path().join("dirty.jsonl"),
    );
    run(&clean_path, &clean_journal);
    let stdout = run(&dirty_path, &dirty_journal);
    assert!(
        stdout.contains(&format!("{} lines rejected", 2 * bad.len())),
        "{stdout}"
    );
    let (clean_lines, dirty_lines) = (journal(&clean_journal), journal(&dirty_journal));
    let rejected: Vec<&serde_json::Value> = dirty_lines
        .iter()
        .filter(|line| line["type"] == "rejected")
        .collect();
    assert_eq!(rejected.len(), 2 * bad.len());
    let reasons: Vec<String> = rejected
        .iter()
        .map(|line| line["reason"].as_str().unwrap().to_string())
        .collect();
    for expected in [
        "not a timestamp",
        "no close field",
        "out of order",
        "duplicate",
        "unknown symbol AAPL",
        "open",
        "high",
    ] {
        assert!(
            reasons.iter().any(|reason| reason.contains(expected)),
            "no rejection mentions {expected}: {reasons:?}"
        );
    }
    // Line numbers point into the file: the first bad line follows the header and 100 bars.
    assert_eq!(rejected[0]["line"], 102);
    assert!(!journal_trades(&clean_lines).is_empty());
    assert_eq!(journal_trades(&dirty_lines), journal_trades(&clean_lines));
    assert_eq!(final_equity(&dirty_lines), final_equity(&clean_lines));
}

#[test]
fn bars_piped_on_standard_input_are_traded_as_they_come() {
    let genome = repository().join("genomes/sma-50-200-crossover.json");
    let mut child = command(&[
        "paper",
        "--genome",
        genome.to_str().unwrap(),
        "--stdin",
        "jsonl",
    ])
    .stdin(Stdio::piped())
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .unwrap();
    {
        let stdin = child.stdin.as_mut().unwrap();
        for day in 0..300 {
            // A steady rise with a dip: the 50-bar SMA crosses above the 200-bar one once.
            let close = if day < 150 {
                200.0 - day as f64 * 0.5
            } else {
                125.0 + (day - 150) as f64
            };
            writeln!(
                stdin,
                "{{\"symbol\":\"DEMO\",\"timestamp\":{},\"close\":{close}}}",
                1_577_836_800_000i64 + day * 86_400_000
            )
            .unwrap();
        }
        writeln!(stdin, "not json").unwrap();
    }
    let output = child.wait_with_output().unwrap();
    let stdout = ok(&output);
    let lines: Vec<serde_json::Value> = stdout
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(lines[0]["type"], "start");
    assert_eq!(lines[0]["symbol"], "DEMO");
    assert_eq!(
        lines.iter().filter(|line| line["type"] == "bar").count(),
        300
    );
    let signal = lines
        .iter()
        .find(|line| line["type"] == "signal")
        .expect("a signal");
    assert_eq!(signal["action"], "BUY");
    assert_eq!(signal["reason"][0], "SMA(50) crosses above SMA(200)");
    let order = lines
        .iter()
        .find(|line| line["type"] == "order")
        .expect("an order");
    for field in [
        "symbol",
        "side",
        "qty",
        "type",
        "time_in_force",
        "client_order_id",
    ] {
        assert!(
            !order["order"][field].is_null(),
            "order without {field}: {order}"
        );
    }
    assert_eq!(order["order"]["side"], "buy");
    let fill = lines
        .iter()
        .find(|line| line["type"] == "fill")
        .expect("a fill");
    // Filled at the open of the bar after the signal, never on the signal's bar.
    assert_eq!(
        fill["bar"].as_u64().unwrap(),
        signal["bar"].as_u64().unwrap() + 1
    );
    assert!(lines.iter().any(|line| line["type"] == "rejected"));
    assert!(String::from_utf8_lossy(&output.stderr).contains("1 lines rejected"));
}

#[test]
fn sigterm_finishes_the_bar_saves_and_resumes() {
    let folder = tempfile::tempdir().unwrap();
    let genome = repository().join("genomes/donchian-20-10-breakout.json");
    let arguments = |journal: &Path, state: Option<&Path>, paced: bool| {
        let mut list = vec![
            "paper".to_string(),
            "--genome".into(),
            genome.to_str().unwrap().into(),
            "--feed".into(),
            "msft-1d".into(),
            "--journal".into(),
            journal.to_str().unwrap().into(),
        ];
        if let Some(state) = state {
            list.extend(["--state".into(), state.to_str().unwrap().into()]);
        }
        if paced {
            // 7983 daily bars in ~2 s of real time.
            list.extend(["--speed".into(), "350000000".into()]);
        }
        list
    };
    let whole = folder.path().join("whole.jsonl");
    let list = arguments(&whole, None, false);
    gauntlet(&list.iter().map(String::as_str).collect::<Vec<_>>());

    let state = folder.path().join("state");
    let stopped = folder.path().join("stopped.jsonl");
    let list = arguments(&stopped, Some(&state), true);
    let child = command(&list.iter().map(String::as_str).collect::<Vec<_>>())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(700));
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let output = child.wait_with_output().unwrap();
    // Stopped by SIGTERM: 128 + 15, as `evolve` exits (the bar in progress finished and saved).
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert_eq!(output.status.code(), Some(143), "{stdout}");
    assert!(
        stdout.contains("stopped on a signal, state saved"),
        "{stdout}"
    );
    let lines = journal(&stopped);
    let last = lines.last().unwrap();
    assert_eq!(last["type"], "stop");
    assert_eq!(last["reason"], "signal");
    // The bar in progress was finished: the last bar has its equity line.
    let last_bar = lines
        .iter()
        .rev()
        .find(|line| line["type"] == "bar")
        .unwrap()["bar"]
        .clone();
    let last_equity = lines
        .iter()
        .rev()
        .find(|line| line["type"] == "equity")
        .unwrap()["bar"]
        .clone();
    assert_eq!(last_bar, last_equity);
    assert!(state.join("state.json").is_file());
    // Restarted, it ends as if never stopped (the stop line is cut off on resume).
    let list = arguments(&stopped, Some(&state), false);
    gauntlet(&list.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(
        std::fs::read_to_string(&stopped).unwrap(),
        std::fs::read_to_string(&whole).unwrap()
    );
}

#[test]
fn a_champion_trades_with_the_costs_and_fill_it_was_bred_with_unless_a_flag_says_otherwise() {
    let folder = tempfile::tempdir().unwrap();
    // The bundled champion file records commission 5, spread 2, slippage 1 bps and next_open
    // fills (its provenance), where Gauntlet's defaults are 10, 0 and 5 bps.
    let champion = repository().join("genomes/champions/quickstart-monthly_performance.json");
    let champion = champion.to_str().unwrap();
    let paper = |extra: &[&str], name: &str| {
        let journal_path = folder.path().join(format!("{name}.jsonl"));
        let mut arguments = vec![
            "paper",
            "--genome",
            champion,
            "--feed",
            "sp500-1d",
            "--flatten-on-exit",
            "--journal",
            journal_path.to_str().unwrap(),
        ];
        arguments.extend_from_slice(extra);
        let output = command(&arguments).output().unwrap();
        let stdout = ok(&output);
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        (final_equity(&journal(&journal_path)), stdout, stderr)
    };
    let backtest_equity = |costs: [&str; 3]| {
        let output: serde_json::Value = serde_json::from_str(&gauntlet(&[
            "backtest",
            "--genome",
            champion,
            "--dataset",
            "sp500-1d",
            "--commission-bps",
            costs[0],
            "--spread-bps",
            costs[1],
            "--slippage-bps",
            costs[2],
            "--json",
        ]))
        .unwrap();
        output["datasets"][0]["metrics"]["final_equity"]
            .as_f64()
            .unwrap()
    };
    let (own, _, said) = paper(&[], "own");
    assert!(
        said.contains("commission 5 bps, spread 2 bps, slippage 1 bps, fills at next_open"),
        "{said}"
    );
    assert_eq!(own, backtest_equity(["5", "2", "1"]));
    let defaults = backtest_equity(["10", "0", "5"]);
    assert_ne!(own, defaults, "the costs must matter on this champion");
    let (overridden, _, said) = paper(
        &[
            "--commission-bps",
            "10",
            "--spread-bps",
            "0",
            "--slippage-bps",
            "5",
        ],
        "overridden",
    );
    assert!(
        said.contains("--commission-bps 10 overrides the champion's 5"),
        "{said}"
    );
    assert_eq!(overridden, defaults);
}

#[test]
fn paper_trades_formula_genomes_exactly_like_the_backtest() {
    let folder = tempfile::tempdir().unwrap();
    let seed = repository().join("genomes/formulas/rsi-2-formula.json");
    // Both directions with exit formulas.
    let both = folder.path().join("both.json");
    let text = std::fs::read_to_string(&seed)
        .unwrap()
        .replace(r#""direction": "long","#, r#""direction": "both","#);
    let text = text.replace(
        r#""long": "rsi(close, 2) < 10 and close > sma(close, 200)""#,
        r#""long": "rsi(close, 2) < 10 and close > sma(close, 200)",
      "short": "rsi(close, 2) > 90 and close < sma(close, 200)",
      "exit_long": "crosses_above(rsi(close, 2), 70)",
      "exit_short": "rsi(close, 2) < 30""#,
    );
    assert!(text.contains("exit_short"), "{text}");
    std::fs::write(&both, text).unwrap();
    let mut trades = 0;
    for dataset in ["sp500-1d", "eurusd-1h"] {
        for genome in [&seed, &both] {
            trades += assert_parity(folder.path(), genome, dataset);
        }
    }
    assert!(trades > 300, "only {trades} trades compared");
    // A daily trend filter on hourly bars (#29): tf("1d", ...) from completed days only.
    let tf = repository().join("genomes/formulas/daily-trend-pullback.json");
    let tf_trades = assert_parity(folder.path(), &tf, "eurusd-1h");
    assert!(tf_trades > 100, "only {tf_trades} tf trades compared");
}
