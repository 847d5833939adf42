//! Data import against hostile and careless files (#30): epoch units and dates outside 1900-2200,
//! JSON candles streamed with the keys exchanges use, users' layouts (column flags, `;` and the
//! decimal comma), files named by their encoding or separator, a declared interval checked against
//! the timestamps, named pipes and devices refused before opening, and an import outside a
//! checkout. Each test failed on the code before #30.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use gauntlet_core::Timestamp;

/// 2021-01-04T00:00:00Z (a Monday), milliseconds.
const MONDAY: i64 = 1_609_718_400_000;
const DAY: i64 = 86_400_000;
const HOUR: i64 = 3_600_000;

fn import(path: &Path) -> Result<gauntlet_data::ImportedCsv, gauntlet_data::DataError> {
    gauntlet_data::import_csv(path, &gauntlet_data::ImportOptions::default())
}

fn write(folder: &Path, name: &str, text: impl AsRef<[u8]>) -> PathBuf {
    let path = folder.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// The binary with `arguments`, a datasets folder of its own, and no `$GAUNTLET_DATASETS`.
fn gauntlet(arguments: &[&str], datasets: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_gauntlet"))
        .args(arguments)
        .arg("--datasets-dir")
        .arg(datasets)
        .env_remove("GAUNTLET_DATASETS")
        .output()
        .unwrap()
}

/// A user error: exit code 2 and one line on standard error holding `needle`.
fn assert_refused(output: &Output, needle: &str) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains(needle), "'{needle}' not in: {stderr}");
}

fn ok(output: &Output) -> String {
    common::ok(output)
}

/// An empty datasets folder (a catalog without datasets) in `folder`.
fn datasets(folder: &Path) -> PathBuf {
    let path = folder.join("datasets");
    std::fs::create_dir_all(&path).unwrap();
    std::fs::write(path.join("catalog.toml"), "").unwrap();
    path
}

fn import_arguments<'a>(file: &'a Path, name: &'a str) -> Vec<&'a str> {
    vec![
        "data",
        "import",
        file.to_str().unwrap(),
        "--name",
        name,
        "--symbol",
        "X",
        "--asset-class",
        "stock",
    ]
}

/// The first bar's open time of dataset `name` (`data inspect --json`).
fn first_time(datasets: &Path, name: &str) -> String {
    let text = ok(&gauntlet(&["data", "inspect", name, "--json"], datasets));
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    value["summary"]["first"].to_string()
}

#[test]
fn epoch_units_are_told_by_magnitude_and_dates_outside_1900_to_2200_are_refused() {
    let folder = tempfile::tempdir().unwrap();
    // 2017-01-02 and 2017-01-03 in microseconds and nanoseconds (by hand: 1,483,315,200 s).
    let expected = [
        Timestamp::from_ymd(2017, 1, 2).unwrap(),
        Timestamp::from_ymd(2017, 1, 3).unwrap(),
    ];
    for (name, scale) in [("micros.csv", 1_000_000i64), ("nanos.csv", 1_000_000_000)] {
        let text = format!(
            "timestamp,close\n{},10\n{},11\n",
            1_483_315_200 * scale,
            1_483_401_600 * scale
        );
        let imported = import(&write(folder.path(), name, text)).unwrap();
        assert_eq!(imported.series.timestamps(), &expected, "{name}");
    }
    // 1969-12-01 and 1969-12-02 in milliseconds: before the epoch, not seconds of 1885.
    let text = "timestamp,close\n-2678400000,10\n-2592000000,11\n";
    let imported = import(&write(folder.path(), "before-1970.csv", text)).unwrap();
    assert_eq!(
        imported.series.timestamps()[0],
        Timestamp::from_ymd(1969, 12, 1).unwrap()
    );
    // A placeholder date is refused with its row, in any format.
    for (name, text, line) in [
        (
            "placeholder.csv",
            "timestamp,close\n2021-01-04,10\n9999-12-31,11\n",
            3,
        ),
        (
            "year-48970.csv",
            "timestamp,close\n1483315200000,10\n1483401600000000,11\n",
            3,
        ),
        (
            "year-1800.csv",
            "date,close\n1800-01-02,10\n1800-01-03,11\n",
            2,
        ),
    ] {
        let error = import(&write(folder.path(), name, text))
            .unwrap_err()
            .to_string();
        assert!(
            error.contains(&format!("line {line}")) && error.contains("1900-2200")
                || error.contains("epoch microseconds but earlier rows are epoch milliseconds"),
            "{name}: {error}"
        );
    }
    // --time-unit settles an ambiguous file: 1e9 is 2001-09-09 in seconds, 1970-01-12 in ms.
    let datasets = datasets(folder.path());
    let file = write(
        folder.path(),
        "ambiguous.csv",
        "timestamp,close\n1000000000,10\n1000086400,11\n",
    );
    ok(&gauntlet(&import_arguments(&file, "seconds"), &datasets));
    assert_eq!(first_time(&datasets, "seconds"), "1000000000000");
    let mut arguments = import_arguments(&file, "millis");
    arguments.extend(["--time-unit", "ms", "--interval", "1m"]);
    ok(&gauntlet(&arguments, &datasets));
    assert_eq!(first_time(&datasets, "millis"), "1000000000");
}

#[test]
fn json_candles_with_camel_case_time_keys_and_column_flags() {
    let folder = tempfile::tempdir().unwrap();
    let candle = |key: &str, time: i64, close: f64| {
        format!("{{\"{key}\": {time}, \"open\": 10, \"high\": 12, \"low\": 9, \"close\": {close}}}")
    };
    for key in ["openTime", "openTimeInMillis", "OpenTime"] {
        let text = format!(
            "[{}, {}]",
            candle(key, MONDAY, 11.0),
            candle(key, MONDAY + DAY, 11.5)
        );
        let imported = import(&write(folder.path(), "camel.json", text)).unwrap();
        assert_eq!(imported.series.close(), &[11.0, 11.5], "{key}");
        assert_eq!(imported.series.timestamps()[0], Timestamp(MONDAY), "{key}");
    }
    // Only a close time (Binance's last millisecond of the bar): each bar stamped at its open.
    let text: Vec<String> = (1..=5)
        .map(|day| candle("closeTime", MONDAY + day * DAY - 1, 11.0))
        .collect();
    let imported = import(&write(folder.path(), "close-time.jsonl", text.join("\n"))).unwrap();
    assert_eq!(imported.series.timestamps()[0], Timestamp(MONDAY));
    // Column flags name other keys and columns.
    let datasets = datasets(folder.path());
    let file = write(
        folder.path(),
        "odd.csv",
        "when,first,top,bottom,px,qty\n2021-01-04,10,12,9,11,5\n2021-01-05,11,13,10,12,6\n",
    );
    let mut arguments = import_arguments(&file, "odd");
    arguments.extend([
        "--time-column",
        "when",
        "--open-column",
        "first",
        "--high-column",
        "top",
        "--low-column",
        "bottom",
        "--close-column",
        "px",
        "--volume-column",
        "qty",
    ]);
    let text = ok(&gauntlet(&arguments, &datasets));
    assert!(text.contains("Imported 2 bars"), "{text}");
    let json = write(
        folder.path(),
        "odd.json",
        r#"[{"when": "2021-01-04", "first": 10, "top": 12, "bottom": 9, "px": 11, "qty": 5},
            {"when": "2021-01-05", "first": 11, "top": 13, "bottom": 10, "px": 12, "qty": 6}]"#,
    );
    arguments[2] = json.to_str().unwrap();
    arguments[4] = "odd-json";
    ok(&gauntlet(&arguments, &datasets));
}

#[test]
fn european_and_utf16_csv_files_are_read_or_named() {
    let folder = tempfile::tempdir().unwrap();
    let datasets = datasets(folder.path());
    let european = write(
        folder.path(),
        "european.csv",
        "Datum;Open;High;Low;Close\n04.01.2021;10,5;12,25;9,75;11,5\n05.01.2021;11,5;13;10;12,75\n",
    );
    // Without the flags the error names the separator.
    assert_refused(
        &gauntlet(&import_arguments(&european, "eu"), &datasets),
        "--sep ';'",
    );
    let mut arguments = import_arguments(&european, "eu");
    arguments.extend(["--sep", ";", "--decimal-comma", "--time-column", "Datum"]);
    ok(&gauntlet(&arguments, &datasets));
    let catalog = gauntlet_data::Catalog::open(&datasets).unwrap();
    let (_, series) = catalog.load("eu").unwrap();
    assert_eq!(series.close(), &[11.5, 12.75]);
    assert_eq!(series.high(), &[12.25, 13.0]);
    // A '.' with --decimal-comma would be a thousands separator: refused with its line.
    let thousands = write(
        folder.path(),
        "thousands.csv",
        "Datum;Close\n04.01.2021;1.234,5\n05.01.2021;1.240,0\n",
    );
    let mut arguments = import_arguments(&thousands, "thousands");
    arguments.extend(["--sep", ";", "--decimal-comma", "--time-column", "Datum"]);
    assert_refused(&gauntlet(&arguments, &datasets), "line 2");
    // Excel's "Unicode text": UTF-16 little-endian with a byte-order mark.
    let mut utf16 = vec![0xff, 0xfe];
    for unit in "timestamp,close\n2021-01-04,10\n".encode_utf16() {
        utf16.extend(unit.to_le_bytes());
    }
    let file = write(folder.path(), "utf16.csv", utf16);
    let error = import(&file).unwrap_err().to_string();
    assert!(error.contains("UTF-16"), "{error}");
}

#[test]
fn the_declared_interval_is_checked_and_bars_per_year_bounded() {
    let folder = tempfile::tempdir().unwrap();
    let datasets = datasets(folder.path());
    let daily: String = (0..60)
        .map(|day| {
            let time = Timestamp(MONDAY + day * DAY);
            format!("{},{}\n", time, 10.0 + day as f64 * 0.1)
        })
        .collect();
    let file = write(
        folder.path(),
        "daily.csv",
        format!("timestamp,close\n{daily}"),
    );
    for (flag, value, needle) in [
        ("--interval", "1h", "mostly 1d apart"),
        ("--interval", "7m", "mostly 1d apart"),
        ("--bars-per-year", "100000", "a year holds at most 366"),
    ] {
        let mut arguments = import_arguments(&file, "daily");
        arguments.extend([flag, value]);
        assert_refused(&gauntlet(&arguments, &datasets), needle);
    }
    // Refused by the flag's parser (clap's message, exit code 2).
    let mut arguments = import_arguments(&file, "daily");
    arguments.extend(["--bars-per-year", "1e300"]);
    let output = gauntlet(&arguments, &datasets);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("bars per year must be from 1 to 527040")
    );
    ok(&gauntlet(&import_arguments(&file, "daily"), &datasets));
    // 100 daily bars, then 100 hourly ones: imported, with a warning.
    let mut text = String::from("timestamp,close\n");
    for day in 0..100 {
        text.push_str(&format!("{},10\n", Timestamp(MONDAY + day * DAY)));
    }
    for hour in 1..=100 {
        text.push_str(&format!(
            "{},10\n",
            Timestamp(MONDAY + 100 * DAY + hour * HOUR)
        ));
    }
    let mixed = write(folder.path(), "mixed.csv", text);
    let output = ok(&gauntlet(&import_arguments(&mixed, "mixed"), &datasets));
    assert!(output.contains("mixes intervals"), "{output}");
    assert!(output.contains("1d apart from 2021-01-04"), "{output}");
}

/// Runs `command` and waits at most 20 seconds (a command blocked on a named pipe is killed and
/// reported as `None`).
fn within_20_seconds(mut command: Command) -> Option<Output> {
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(20) {
        if child.try_wait().unwrap().is_some() {
            return Some(child.wait_with_output().unwrap());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    None
}

#[cfg(unix)]
#[test]
fn named_pipes_and_devices_are_refused_before_opening() {
    let folder = tempfile::tempdir().unwrap();
    let fifo = folder.path().join("genome.fifo");
    let status = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(status.success());
    let fifo = fifo.to_str().unwrap();
    let genome = common::repository().join("genomes/sma-50-200-crossover.json");
    let genome = genome.to_str().unwrap();
    let experiment = common::small_experiment(folder.path(), "seeded", 1, 1, 12, &["sp500-1d"]);
    let text = std::fs::read_to_string(&experiment).unwrap().replace(
        "output_dir",
        &format!("seed_genomes = [\"{fifo}\"]\noutput_dir"),
    );
    std::fs::write(&experiment, text).unwrap();
    let private = datasets(folder.path());
    for arguments in [
        vec!["backtest", "--genome", fifo, "--dataset", "sp500-1d"],
        vec!["backtest", "--genome", genome, "--data", fifo],
        vec!["stats", "metrics", "--returns", fifo],
        vec!["stats", "pbo", "--matrix", fifo],
        vec!["paper", "--genome", genome, "--feed", fifo],
        vec!["evolve", "--config", fifo, "--quiet"],
        vec![
            "evolve",
            "--config",
            experiment.to_str().unwrap(),
            "--quiet",
        ],
        vec![
            "data",
            "import",
            fifo,
            "--name",
            "x",
            "--symbol",
            "X",
            "--asset-class",
            "stock",
        ],
    ] {
        let mut command = Command::new(env!("CARGO_BIN_EXE_gauntlet"));
        command.args(&arguments).arg("--datasets-dir");
        if arguments[0] == "data" {
            command.arg(&private);
        } else {
            command.arg(common::repository().join("datasets"));
        }
        let output = within_20_seconds(command)
            .unwrap_or_else(|| panic!("{arguments:?} blocked on the named pipe"));
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{arguments:?}: {stderr}");
        assert!(
            stderr.contains("not a regular file"),
            "{arguments:?}: {stderr}"
        );
    }
}

#[test]
fn an_import_outside_a_checkout_never_writes_into_the_build_checkout() {
    let folder = tempfile::tempdir().unwrap();
    let file = write(
        folder.path(),
        "prices.csv",
        "timestamp,close\n2021-01-04,10\n2021-01-05,11\n",
    );
    let catalog = common::repository().join("datasets/catalog.toml");
    let before = std::fs::read(&catalog).unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_gauntlet"))
        .args(import_arguments(&file, "hostile-30-stray"))
        .current_dir(folder.path())
        .env_remove("GAUNTLET_DATASETS")
        .output()
        .unwrap();
    let after = std::fs::read(&catalog).unwrap();
    let stray = common::repository().join("datasets/hostile-30-stray.parquet");
    let wrote = after != before || stray.exists();
    let _ = std::fs::remove_file(&stray);
    if wrote {
        std::fs::write(&catalog, &before).unwrap();
    }
    assert!(!wrote, "the import wrote into the checkout's datasets/");
    assert_refused(&output, "--datasets-dir");
    // Named, the folder is made.
    let mut arguments = import_arguments(&file, "mine");
    let made = folder.path().join("new-datasets");
    arguments.extend(["--datasets-dir", made.to_str().unwrap()]);
    let output = Command::new(env!("CARGO_BIN_EXE_gauntlet"))
        .args(&arguments)
        .env_remove("GAUNTLET_DATASETS")
        .output()
        .unwrap();
    ok(&output);
    assert!(made.join("mine.parquet").is_file());
}

#[test]
fn data_export_replaces_a_file_only_with_force() {
    let folder = tempfile::tempdir().unwrap();
    let mine = write(folder.path(), "mine.csv", "my own work\n");
    let arguments = ["data", "export", "wti-1d", "--to", mine.to_str().unwrap()];
    let output = common::command(&arguments).output().unwrap();
    assert_refused(&output, "already exists");
    assert_eq!(std::fs::read_to_string(&mine).unwrap(), "my own work\n");
    let mut forced = arguments.to_vec();
    forced.push("--force");
    common::ok(&common::command(&forced).output().unwrap());
    assert!(
        std::fs::read_to_string(&mine)
            .unwrap()
            .starts_with("timestamp,close\n")
    );
}

/// Peak resident memory in KiB of the binary with `arguments`, by `/usr/bin/time -f %M`.
fn peak_kib(arguments: &[&str], datasets: &Path) -> Option<u64> {
    let time = Path::new("/usr/bin/time");
    if !time.is_file() {
        return None;
    }
    let output = Command::new(time)
        .args(["-f", "peak %M"])
        .arg(env!("CARGO_BIN_EXE_gauntlet"))
        .args(arguments)
        .arg("--datasets-dir")
        .arg(datasets)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    stderr
        .lines()
        .find_map(|line| line.strip_prefix("peak "))
        .and_then(|kib| kib.trim().parse().ok())
}

#[test]
fn json_candles_import_in_about_the_memory_of_the_same_bars_as_csv() {
    // 300,000 hourly candles, as ccxt writes them, and the same bars as CSV. Before #30 the JSON
    // was parsed into a document tree and copied to CSV text: about 19 bytes per byte of JSON.
    let folder = tempfile::tempdir().unwrap();
    let datasets = datasets(folder.path());
    let count = 300_000;
    let mut json = String::with_capacity(count * 60);
    let mut csv = String::with_capacity(count * 50);
    json.push('[');
    csv.push_str("timestamp,open,high,low,close,volume\n");
    for index in 0..count {
        let time = MONDAY + index as i64 * HOUR;
        let close = 100.0 + (index % 1000) as f64 * 0.01;
        if index > 0 {
            json.push(',');
        }
        json.push_str(&format!(
            "[{time},{close},{},{},{close},{}]",
            close + 0.5,
            close - 0.5,
            index % 97
        ));
        csv.push_str(&format!(
            "{time},{close},{},{},{close},{}\n",
            close + 0.5,
            close - 0.5,
            index % 97
        ));
    }
    json.push(']');
    let json = write(folder.path(), "candles.json", json);
    let csv = write(folder.path(), "candles.csv", csv);
    let (Some(from_csv), Some(from_json)) = (
        peak_kib(&import_arguments(&csv, "csv"), &datasets),
        peak_kib(&import_arguments(&json, "json"), &datasets),
    ) else {
        eprintln!("skipped: no /usr/bin/time to measure peak memory with");
        return;
    };
    assert!(
        from_json <= 2 * from_csv,
        "JSON {from_json} KiB against CSV {from_csv} KiB"
    );
}
