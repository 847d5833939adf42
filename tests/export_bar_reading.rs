//! The exported backtesting.py module reads a bars file as Gauntlet does, or refuses it (#30):
//! the same bars, to the bit, from the layouts Gauntlet reads (a pandas `to_csv()` file with its
//! index first, epoch seconds and milliseconds, m/d/Y, d/m/Y and d.m.Y dates, a separate date and
//! time, a descending file, a close-only file), and an error from every file Gauntlet refuses.
//! Before #30 the module read a pandas index or epoch seconds as milliseconds (bars in 1970) and
//! refused m/d/Y and d.m.Y dates.
//!
//! Needs pandas from `scripts/export-requirements.txt` in `$GAUNTLET_PYTHON` (default `python3`);
//! skipped without it unless `GAUNTLET_REQUIRE_PYTHON` is set (as in CI).

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{command, ok, repository};

/// The interpreter with backtesting.py 0.6.6, or `None` (after checking that CI does not require it).
fn python() -> Option<PathBuf> {
    let interpreter = std::env::var_os("GAUNTLET_PYTHON").map_or("python3".into(), PathBuf::from);
    let found = Command::new(&interpreter)
        .args([
            "-c",
            "import backtesting, sys; sys.exit(backtesting.__version__ != '0.6.6')",
        ])
        .output()
        .is_ok_and(|output| output.status.success());
    if found {
        return Some(interpreter);
    }
    assert!(
        std::env::var_os("GAUNTLET_REQUIRE_PYTHON").is_none(),
        "GAUNTLET_REQUIRE_PYTHON is set but {} has no backtesting.py 0.6.6",
        interpreter.display()
    );
    eprintln!(
        "skipped: no backtesting.py 0.6.6 for {}",
        interpreter.display()
    );
    None
}

/// 30 daily bars from 2021-01-04 (every calendar day): `(days since 2021-01-04, o, h, l, c, v)`.
fn bars() -> Vec<(i64, f64, f64, f64, f64, f64)> {
    (0..30)
        .map(|day| {
            let open = 100.0 + day as f64 * 0.37 + 0.001;
            let close = open + if day % 3 == 0 { -0.25 } else { 0.5 };
            let high = open.max(close) + 0.125;
            let low = open.min(close) - 0.3;
            (day, open, high, low, close, (day * 10 + 5) as f64)
        })
        .collect()
}

/// The file `name` in `folder`: a header, then one row per bar written by `row`.
fn file(
    folder: &Path,
    name: &str,
    header: &str,
    row: impl Fn(usize, &(i64, f64, f64, f64, f64, f64)) -> String,
) -> PathBuf {
    let mut text = format!("{header}\n");
    for (index, bar) in bars().iter().enumerate() {
        text.push_str(&row(index, bar));
        text.push('\n');
    }
    let path = folder.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

const MONDAY_SECONDS: i64 = 1_609_718_400;

/// 2021-01-04 plus `day` days as (year, month, day).
fn ymd(day: i64) -> (u32, u32, u32) {
    let text = gauntlet_core::Timestamp((MONDAY_SECONDS + day * 86_400) * 1000).to_string();
    let number = |range: std::ops::Range<usize>| text[range].parse::<u32>().unwrap();
    (number(0..4), number(5..7), number(8..10))
}

/// The date as `2021-01-04`.
fn date(day: i64) -> String {
    let (year, month, day) = ymd(day);
    format!("{year}-{month:02}-{day:02}")
}

#[test]
fn the_module_reads_bars_as_gauntlet_does_or_refuses_them() {
    let Some(python) = python() else { return };
    let folder = tempfile::tempdir().unwrap();
    let genome = repository().join("genomes/sma-50-200-crossover.json");
    let module = folder.path().join("strategy.py");
    ok(&command(&[
        "export",
        "--genome",
        genome.to_str().unwrap(),
        "--format",
        "python",
        "--to",
        module.to_str().unwrap(),
    ])
    .output()
    .unwrap());
    let dir = folder.path();
    let ohlcv = |bar: &(i64, f64, f64, f64, f64, f64)| {
        format!("{},{},{},{},{}", bar.1, bar.2, bar.3, bar.4, bar.5)
    };
    let read = vec![
        // pandas' to_csv() of a frame with its default index, then of one indexed by date.
        file(
            dir,
            "pandas-range-index.csv",
            ",timestamp,open,high,low,close,volume",
            |index, bar| format!("{index},{}T00:00:00Z,{}", date(bar.0), ohlcv(bar)),
        ),
        file(
            dir,
            "pandas-date-index.csv",
            ",Open,High,Low,Close,Volume",
            |_, bar| format!("{},{}", date(bar.0), ohlcv(bar)),
        ),
        file(
            dir,
            "epoch-seconds.csv",
            "timestamp,open,high,low,close,volume",
            |_, bar| format!("{},{}", MONDAY_SECONDS + bar.0 * 86_400, ohlcv(bar)),
        ),
        file(
            dir,
            "epoch-millis.csv",
            "time,open,high,low,close,volume",
            |_, bar| {
                format!(
                    "{},{}",
                    (MONDAY_SECONDS + bar.0 * 86_400) * 1000,
                    ohlcv(bar)
                )
            },
        ),
        file(
            dir,
            "us-dates.csv",
            "Date,Open,High,Low,Close,Volume",
            |_, bar| {
                let (year, month, day) = ymd(bar.0);
                format!("{month}/{day}/{year},{}", ohlcv(bar))
            },
        ),
        file(
            dir,
            "day-first-slashes.csv",
            "Date,Open,High,Low,Close,Volume",
            |_, bar| {
                let (year, month, day) = ymd(bar.0);
                format!("{day}/{month}/{year},{}", ohlcv(bar))
            },
        ),
        // Day-first from its first row (13/1/2021), where month-first cannot even be tried.
        file(
            dir,
            "day-first-from-the-13th.csv",
            "Date,Open,High,Low,Close,Volume",
            |_, bar| {
                let (year, month, day) = ymd(bar.0 + 9);
                format!("{day}/{month}/{year},{}", ohlcv(bar))
            },
        ),
        file(
            dir,
            "dukascopy.csv",
            "Gmt time,Open,High,Low,Close,Volume",
            |_, bar| {
                let (year, month, day) = ymd(bar.0);
                format!("{day:02}.{month:02}.{year} 00:00:00.000,{}", ohlcv(bar))
            },
        ),
        file(
            dir,
            "date-and-time.csv",
            "<DATE>,<TIME>,<OPEN>,<HIGH>,<LOW>,<CLOSE>,<VOL>",
            |_, bar| format!("{},00:00,{}", date(bar.0), ohlcv(bar)),
        ),
        file(dir, "close-only.csv", "Date,Price", |_, bar| {
            format!("{},{}", date(bar.0), bar.4)
        }),
        file(
            dir,
            "zoned.csv",
            "datetime,open,high,low,close,volume",
            |_, bar| format!("{}T02:00:00+02:00,{}", date(bar.0), ohlcv(bar)),
        ),
    ];
    let mut descending = std::fs::read_to_string(&read[2])
        .unwrap()
        .lines()
        .map(String::from)
        .collect::<Vec<_>>();
    descending[1..].reverse();
    let descending_path = dir.join("descending.csv");
    std::fs::write(&descending_path, descending.join("\n")).unwrap();
    let mut read = read;
    read.push(descending_path);
    // Files Gauntlet refuses.
    let refused = vec![
        file(dir, "mixed-units.csv", "timestamp,close", |index, bar| {
            let seconds = MONDAY_SECONDS + bar.0 * 86_400;
            format!(
                "{},{}",
                if index == 5 { seconds * 1000 } else { seconds },
                bar.4
            )
        }),
        file(dir, "placeholder.csv", "date,close", |index, bar| {
            if index == 7 {
                format!("9999-12-31,{}", bar.4)
            } else {
                format!("{},{}", date(bar.0), bar.4)
            }
        }),
        file(dir, "duplicate.csv", "date,close", |index, bar| {
            let day = if index == 10 { bar.0 - 1 } else { bar.0 };
            format!("{},{}", date(day), bar.4)
        }),
        file(
            dir,
            "high-below-low.csv",
            "date,open,high,low,close",
            |index, bar| {
                let (high, low) = if index == 3 {
                    (bar.3, bar.2)
                } else {
                    (bar.2, bar.3)
                };
                format!("{},{},{high},{low},{}", date(bar.0), bar.1, bar.4)
            },
        ),
        file(dir, "off-grid.csv", "timestamp,close", |index, bar| {
            let minutes = index as i64 * 15 + if index == 12 { 7 } else { 0 };
            format!(
                "2021-01-04T{:02}:{:02}:00Z,{}",
                9 + minutes / 60,
                minutes % 60,
                bar.4
            )
        }),
    ];
    let driver = r#"
import importlib.util, json, sys
spec = importlib.util.spec_from_file_location("strategy", sys.argv[1])
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
results = {}
for path in sys.argv[2:]:
    try:
        bars = module.load_bars(path)
        results[path] = {
            "times": bars.index.as_unit("ms").asi8.tolist(),
            "columns": [bars[name].tolist() for name in ("Open", "High", "Low", "Close", "Volume")],
        }
    except ValueError as error:
        results[path] = {"error": str(error)}
print(json.dumps(results))
"#;
    let mut arguments = vec![
        "-c".to_string(),
        driver.to_string(),
        module.display().to_string(),
    ];
    arguments.extend(
        read.iter()
            .chain(&refused)
            .map(|path| path.display().to_string()),
    );
    let output = Command::new(&python).args(&arguments).output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let results: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    for path in &read {
        let gauntlet = gauntlet_data::import_csv(path, &gauntlet_data::ImportOptions::default())
            .unwrap_or_else(|error| panic!("Gauntlet refused {}: {error}", path.display()));
        let series = &gauntlet.series;
        let result = &results[path.display().to_string()];
        assert!(
            result["error"].is_null(),
            "{}: {}",
            path.display(),
            result["error"]
        );
        let times: Vec<i64> = series
            .timestamps()
            .iter()
            .map(|time| time.millis())
            .collect();
        let module_times: Vec<i64> = result["times"]
            .as_array()
            .unwrap()
            .iter()
            .map(|value| value.as_i64().unwrap())
            .collect();
        assert_eq!(module_times, times, "{}", path.display());
        let volume = if series.has_volume() {
            series.volume().to_vec()
        } else {
            vec![0.0; series.len()]
        };
        for (index, expected) in [
            series.open(),
            series.high(),
            series.low(),
            series.close(),
            &volume,
        ]
        .into_iter()
        .enumerate()
        {
            let column: Vec<f64> = result["columns"][index]
                .as_array()
                .unwrap()
                .iter()
                .map(|value| value.as_f64().unwrap())
                .collect();
            assert_eq!(column, expected, "{} column {index}", path.display());
        }
    }
    for path in &refused {
        assert!(
            gauntlet_data::import_csv(path, &gauntlet_data::ImportOptions::default()).is_err(),
            "Gauntlet read {}",
            path.display()
        );
        let result = &results[path.display().to_string()];
        assert!(
            result["error"].is_string(),
            "the module read {}",
            path.display()
        );
    }
}
