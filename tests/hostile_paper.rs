//! `gauntlet paper` against hostile feeds and restarts (#30): a stream split in two at any line
//! and fed to two sessions with `--state` journals as one session on the whole stream (before,
//! the second session skipped as many lines of its new stream as the first had read); a state
//! resumed on another feed or symbol is refused; `--speed` is bounded; a bar implausibly far past
//! the previous one is rejected, and a thousandfold jump in the close is journalled as a warning;
//! SIGTERM says what it saved and exits as `evolve` does. Each test failed on the code before #30.

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use rand::{RngExt, SeedableRng};

const DAY: i64 = 86_400_000;
/// 2021-01-04T00:00:00Z, milliseconds.
const START: i64 = 1_609_718_400_000;

/// A genome that trades within a few bars: RSI(2) below 30 goes long, out after 3 bars or 5%.
fn quick_genome(folder: &Path) -> PathBuf {
    let path = folder.join("quick.json");
    std::fs::write(
        &path,
        r#"{
  "schema": 1,
  "name": "quick-rsi",
  "entry": {
    "direction": "long",
    "logic": {
      "kind": "rules",
      "rules": [{ "rule": "rsi_threshold", "period": 2, "lower": 30.0, "upper": 70.0, "crossing": false }],
      "combine": { "mode": "all" }
    }
  },
  "exit": { "stop_loss_pct": 5.0, "max_holding_bars": 3 },
  "sizing": {
    "method": { "method": "fixed_fraction", "fraction_pct": 100.0 },
    "max_position_pct": 100.0,
    "leverage_cap": 1.0,
    "max_positions": 1
  },
  "lineage": { "generation": 0, "operators": ["seed"] }
}"#,
    )
    .unwrap();
    path
}

/// A feed of `count` lines in `format` (`jsonl` or `csv`, without its header): mostly daily bars
/// of DEMO on a random walk, with malformed lines, duplicates, bars out of order and bars of
/// another symbol mixed in.
fn stream(seed: u64, count: usize, format: &str) -> Vec<String> {
    let mut random = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let mut close = 100.0f64;
    let mut day = 0i64;
    let mut previous: Option<String> = None;
    let bar = |symbol: &str, time: i64, close: f64| {
        let (open, high, low) = (close * 1.001, close * 1.02, close * 0.98);
        let time = gauntlet_core::Timestamp(time);
        match format {
            "csv" => format!("{symbol},{time},{open},{high},{low},{close}"),
            _ => format!(
                "{{\"symbol\":\"{symbol}\",\"timestamp\":\"{time}\",\"open\":{open},\"high\":{high},\"low\":{low},\"close\":{close}}}"
            ),
        }
    };
    (0..count)
        .map(|index| {
            let draw: f64 = random.random();
            if draw < 0.05 {
                format!("not a bar {index}")
            } else if let Some(line) = previous.as_ref().filter(|_| draw < 0.10) {
                line.clone()
            } else if draw < 0.15 && day > 3 {
                bar("DEMO", START + (day - 3) * DAY, close)
            } else if draw < 0.20 {
                bar("OTHER", START + (day + 1) * DAY, 5.0)
            } else {
                day += 1;
                close *= 1.0 + (random.random::<f64>() - 0.5) * 0.08;
                let line = bar("DEMO", START + day * DAY, close);
                previous = Some(line.clone());
                line
            }
        })
        .collect()
}

/// One `paper` session on `lines` piped to standard input, with the state and journal given.
fn session(genome: &Path, format: &str, lines: &[String], state: &Path, journal: &Path) {
    let mut child = common::command(&[
        "paper",
        "--genome",
        genome.to_str().unwrap(),
        "--stdin",
        format,
        "--symbol",
        "DEMO",
        "--state",
        state.to_str().unwrap(),
        "--journal",
        journal.to_str().unwrap(),
    ])
    .stdin(Stdio::piped())
    .stdout(Stdio::null())
    .stderr(Stdio::piped())
    .spawn()
    .unwrap();
    {
        let mut stdin = child.stdin.take().unwrap();
        if format == "csv" {
            writeln!(stdin, "symbol,timestamp,open,high,low,close").unwrap();
        }
        for line in lines {
            writeln!(stdin, "{line}").unwrap();
        }
    }
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn a_stream_split_at_any_line_journals_as_one_session() {
    let folder = tempfile::tempdir().unwrap();
    let genome = quick_genome(folder.path());
    for (seed, format, count, step) in [(1, "jsonl", 36, 1), (2, "jsonl", 30, 1), (3, "csv", 30, 3)]
    {
        let lines = stream(seed, count, format);
        let whole = folder.path().join(format!("whole-{seed}.jsonl"));
        session(
            &genome,
            format,
            &lines,
            &folder.path().join(format!("whole-state-{seed}")),
            &whole,
        );
        let expected = std::fs::read_to_string(&whole).unwrap();
        let bars = expected.matches("\"type\":\"bar\"").count();
        assert!(bars > 15, "seed {seed}: {bars} bars");
        assert!(
            expected.contains("\"type\":\"trade\""),
            "seed {seed}: no trade"
        );
        for split in (0..=count).step_by(step) {
            let state = folder.path().join(format!("state-{seed}-{split}"));
            let journal = folder.path().join(format!("split-{seed}-{split}.jsonl"));
            session(&genome, format, &lines[..split], &state, &journal);
            session(&genome, format, &lines[split..], &state, &journal);
            assert_eq!(
                std::fs::read_to_string(&journal).unwrap(),
                expected,
                "{format} stream {seed} split after line {split}"
            );
        }
    }
}

fn paper(arguments: &[&str]) -> Output {
    common::command(arguments).output().unwrap()
}

#[test]
fn a_state_resumed_on_another_feed_or_symbol_is_refused() {
    let folder = tempfile::tempdir().unwrap();
    let genome = common::repository().join("genomes/sma-50-200-crossover.json");
    let state = folder.path().join("state");
    let journal = folder.path().join("journal.jsonl");
    let session = |feed: &str, symbol: Option<&str>| {
        let mut arguments = vec![
            "paper",
            "--genome",
            genome.to_str().unwrap(),
            "--feed",
            feed,
            "--journal",
            journal.to_str().unwrap(),
            "--state",
            state.to_str().unwrap(),
        ];
        if let Some(symbol) = symbol {
            arguments.extend(["--symbol", symbol]);
        }
        paper(&arguments)
    };
    common::ok(&session("sp500-1d", None));
    let refused = |output: Output, needle: &str| {
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains(needle), "'{needle}' not in {stderr}");
    };
    // MSFT's prices on the S&P 500's indicators: another symbol.
    refused(
        session("msft-1d", None),
        "saved trading ^GSPC but this session trades MSFT",
    );
    // The same symbol said, another feed.
    refused(
        session("msft-1d", Some("^GSPC")),
        "saved reading dataset sp500-1d",
    );
    common::ok(&session("sp500-1d", None));
}

#[test]
fn speed_is_bounded_and_implausible_bars_are_rejected_not_traded() {
    let genome = common::repository().join("genomes/buy-and-hold.json");
    let genome = genome.to_str().unwrap();
    // 1e-15 times real time once panicked computing the pause.
    for speed in ["1e-15", "1e300", "NaN"] {
        let output = paper(&[
            "paper", "--genome", genome, "--feed", "wti-1d", "--speed", speed,
        ]);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{speed}: {stderr}");
        assert!(stderr.contains("--speed"), "{stderr}");
    }
    let mut child = common::command(&["paper", "--genome", genome, "--stdin", "jsonl"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    {
        let mut stdin = child.stdin.take().unwrap();
        let mut write = |time: &str, close: f64| {
            writeln!(stdin, "{{\"timestamp\":\"{time}\",\"close\":{close}}}").unwrap();
        };
        for day in 0..30 {
            write(
                &gauntlet_core::Timestamp(START + day * DAY).to_string(),
                100.0,
            );
        }
        write("9999-12-31", 100.0); // a placeholder date
        write("2023-06-01", 100.0); // two years after the last bar
        for day in 30..40 {
            write(
                &gauntlet_core::Timestamp(START + day * DAY).to_string(),
                100.0,
            );
        }
        write(
            &gauntlet_core::Timestamp(START + 40 * DAY).to_string(),
            100_000.0,
        );
    }
    let output = child.wait_with_output().unwrap();
    let stdout = common::ok(&output);
    let lines: Vec<serde_json::Value> = stdout
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    let of_type = |kind: &str| {
        lines
            .iter()
            .filter(|line| line["type"] == kind)
            .collect::<Vec<_>>()
    };
    // Every real bar traded; the two implausible ones rejected, naming why.
    assert_eq!(of_type("bar").len(), 41);
    let rejected = of_type("rejected");
    assert_eq!(rejected.len(), 2, "{rejected:?}");
    assert!(
        rejected[0]["reason"]
            .as_str()
            .unwrap()
            .contains("outside the years 1900-2200")
    );
    assert!(
        rejected[1]["reason"]
            .as_str()
            .unwrap()
            .contains("days after the previous bar")
    );
    // A thousandfold close: traded, with a warning.
    let warnings = of_type("warning");
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0]["message"]
            .as_str()
            .unwrap()
            .contains("1000.0000x")
    );
    assert_eq!(warnings[0]["bar"], 40);
}

#[cfg(unix)]
#[test]
fn sigterm_without_state_says_nothing_was_saved_and_exits_as_evolve_does() {
    let folder = tempfile::tempdir().unwrap();
    let genome = common::repository().join("genomes/donchian-20-10-breakout.json");
    let journal = folder.path().join("journal.jsonl");
    let child = common::command(&[
        "paper",
        "--genome",
        genome.to_str().unwrap(),
        "--feed",
        "msft-1d",
        "--journal",
        journal.to_str().unwrap(),
        // 7983 daily bars in about 2 s of real time.
        "--speed",
        "350000000",
    ])
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
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(143), "{stdout}");
    assert!(!stdout.contains("state saved"), "{stdout}");
    assert!(stdout.contains("no --state: nothing saved"), "{stdout}");
}
