//! `gauntlet data ...` end to end, through the real binary.

use gauntlet_testkit::repository;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn gauntlet(arguments: &[&str], datasets_dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_gauntlet"))
        .args(arguments)
        .arg("--datasets-dir")
        .arg(datasets_dir)
        .env_remove("GAUNTLET_DATASETS")
        .output()
        .expect("the binary runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Asserts a user error: exit code 2 and exactly one line on stderr, starting `error:`.
fn assert_user_error(output: &Output, needle: &str) {
    let text = stderr(output);
    assert_eq!(output.status.code(), Some(2), "stderr: {text}");
    assert_eq!(text.lines().count(), 1, "one line: {text}");
    assert!(text.starts_with("error: "), "{text}");
    assert!(text.contains(needle), "'{needle}' not in: {text}");
    assert!(
        !text.contains("panicked") && !text.contains("internal error"),
        "{text}"
    );
}

fn listing(datasets_dir: &Path) -> Vec<serde_json::Value> {
    let output = gauntlet(&["data", "list", "--json"], datasets_dir);
    assert!(output.status.success(), "{}", stderr(&output));
    serde_json::from_str(&stdout(&output)).expect("list --json is JSON")
}

#[test]
fn bundled_data_spans_asset_classes_and_intervals() {
    let datasets = listing(&repository().join("datasets"));
    assert!(datasets.len() >= 15, "{} datasets", datasets.len());
    let field = |name: &str| -> Vec<String> {
        datasets
            .iter()
            .map(|dataset| dataset[name].as_str().unwrap().to_string())
            .collect()
    };
    for class in ["stock", "index", "forex", "commodity", "crypto"] {
        assert!(
            field("asset_class").iter().any(|value| value == class),
            "{class}"
        );
    }
    for interval in ["1h", "1d"] {
        assert!(
            field("interval").iter().any(|value| value == interval),
            "{interval}"
        );
    }
    for dataset in &datasets {
        assert!(dataset["rows"].as_u64().unwrap() > 50, "{dataset}");
        assert!(
            !dataset["licence"].as_str().unwrap().is_empty(),
            "{dataset}"
        );
        assert!(
            !dataset["source"]["package"].as_str().unwrap().is_empty(),
            "{dataset}"
        );
    }
    let table = gauntlet(&["data", "list"], &repository().join("datasets"));
    assert!(stdout(&table).contains("sp500-1d"));
    // The table fits a 120-column terminal; --wide adds the price fields and the licence.
    let widest = |text: &str| text.lines().map(|line| line.chars().count()).max().unwrap();
    assert!(widest(&stdout(&table)) <= 120, "{}", stdout(&table));
    assert!(!stdout(&table).contains("BSD-3-Clause"));
    let wide = stdout(&gauntlet(
        &["data", "list", "--wide"],
        &repository().join("datasets"),
    ));
    assert!(wide.contains("BSD-3-Clause") && wide.contains("OHLCV"));
    assert!(widest(&wide) > 120);
}

#[test]
fn inspect_finds_the_september_2001_closure() {
    let output = gauntlet(
        &["data", "inspect", "sp500-1d", "--json"],
        &repository().join("datasets"),
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let inspection: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    let summary = &inspection["summary"];
    // The shared data's README: 5,105 bars; the 2001-09-11 closure is a 7-day gap ending 2001-09-17.
    assert_eq!(summary["rows"], 5_105);
    // 2001-09-10 and 2001-09-17 00:00 UTC in ms: 11575 and 11582 days after the epoch.
    assert_eq!(summary["longest_gap"]["after"], 11_575i64 * 86_400_000);
    assert_eq!(summary["longest_gap"]["before"], 11_582i64 * 86_400_000);
    assert_eq!(summary["longest_gap"]["intervals"], 7.0);
    assert_eq!(inspection["dataset"]["licence"], "BSD-3-Clause");
}

#[test]
fn import_export_round_trip_and_overwrite_protection() {
    let folder = tempfile::tempdir().unwrap();
    let datasets = folder.path().join("datasets");
    std::fs::create_dir(&datasets).unwrap();
    let raw = repository().join("tests/data/raw/gym-anytrading-2.0.0/STOCKS_GOOGL.csv");
    let raw_text = raw.to_str().unwrap();
    let import = |extra: &[&str]| {
        let mut arguments = vec![
            "data",
            "import",
            raw_text,
            "--name",
            "googl",
            "--symbol",
            "GOOGL",
            "--asset-class",
            "stock",
        ];
        arguments.extend_from_slice(extra);
        gauntlet(&arguments, &datasets)
    };
    let first = import(&[]);
    assert!(first.status.success(), "{}", stderr(&first));
    assert!(
        stdout(&first).contains("Imported 2335 bars"),
        "{}",
        stdout(&first)
    );
    let listed = listing(&datasets);
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["interval"], "1d", "inferred from the timestamps");
    assert_eq!(listed[0]["bars_per_year"], 252.0);

    assert_user_error(&import(&[]), "use --force");
    assert!(import(&["--force"]).status.success());

    let exported = folder.path().join("googl.csv");
    let export = gauntlet(
        &[
            "data",
            "export",
            "googl",
            "--to",
            exported.to_str().unwrap(),
        ],
        &datasets,
    );
    assert!(export.status.success(), "{}", stderr(&export));
    let again = gauntlet(
        &[
            "data",
            "import",
            exported.to_str().unwrap(),
            "--name",
            "googl-again",
            "--symbol",
            "GOOGL",
            "--asset-class",
            "stock",
        ],
        &datasets,
    );
    assert!(again.status.success(), "{}", stderr(&again));
    let first_bars = gauntlet_data::read_parquet(&datasets.join("googl.parquet"))
        .unwrap()
        .0;
    let again_bars = gauntlet_data::read_parquet(&datasets.join("googl-again.parquet"))
        .unwrap()
        .0;
    assert_eq!(first_bars, again_bars, "CSV export then import is exact");
}

#[test]
fn a_bad_file_fails_with_one_line_and_leaves_nothing_behind() {
    let folder = tempfile::tempdir().unwrap();
    let datasets = folder.path().join("datasets");
    std::fs::create_dir(&datasets).unwrap();
    let bad_folder = repository().join("tests/data/bad");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&bad_folder)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .collect();
    files.sort();
    for file in &files {
        let output = gauntlet(
            &[
                "data",
                "import",
                file.to_str().unwrap(),
                "--name",
                "bad",
                "--symbol",
                "BAD",
                "--asset-class",
                "stock",
                "--interval",
                "1d",
            ],
            &datasets,
        );
        let name = file.file_name().unwrap().to_str().unwrap();
        assert_user_error(&output, name);
        let left: Vec<_> = std::fs::read_dir(&datasets).unwrap().collect();
        assert!(left.is_empty(), "{name} left {left:?}");
    }
}

#[test]
fn skip_bad_rows_reports_what_it_skipped() {
    let folder = tempfile::tempdir().unwrap();
    let file = repository().join("tests/data/bad/duplicate_timestamp.csv");
    let output = gauntlet(
        &[
            "data",
            "import",
            file.to_str().unwrap(),
            "--name",
            "skipped",
            "--symbol",
            "X",
            "--asset-class",
            "stock",
            "--skip-bad-rows",
        ],
        folder.path(),
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.contains("Imported 2 bars"), "{text}");
    assert!(text.contains("duplicate_timestamp: 1 (lines 4)"), "{text}");
}

#[test]
fn user_errors_exit_with_code_2() {
    let datasets = repository().join("datasets");
    assert_user_error(
        &gauntlet(&["data", "inspect", "no-such-set"], &datasets),
        "no-such-set",
    );
    assert_user_error(
        &gauntlet(&["data", "list"], Path::new("/nonexistent/datasets")),
        "cannot open the datasets folder",
    );
    let missing = gauntlet(
        &[
            "data",
            "import",
            "/nonexistent/file.csv",
            "--name",
            "x",
            "--symbol",
            "X",
            "--asset-class",
            "stock",
        ],
        &datasets,
    );
    assert_user_error(&missing, "/nonexistent/file.csv");
    let bad_class = gauntlet(
        &[
            "data",
            "import",
            "x.csv",
            "--name",
            "x",
            "--symbol",
            "X",
            "--asset-class",
            "bonds",
        ],
        &datasets,
    );
    assert_eq!(bad_class.status.code(), Some(2));
    assert!(stderr(&bad_class).contains("invalid asset class 'bonds'"));
}
