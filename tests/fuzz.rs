//! Fuzz targets for every parser a user or a feed can reach (#18), with `bolero`: each takes
//! arbitrary bytes and must return (an error is fine), never panic, hang or exhaust memory.
//!
//! Under `cargo test` each runs bolero's random engine for `GAUNTLET_FUZZ_SECONDS` seconds
//! (default 2), starting from its seed corpus in `tests/__fuzz__/<target>/corpus/` (the bad-file
//! corpus of `tests/data/bad` and real examples); `.ci/run` gives each 60 seconds in a release
//! build. With `cargo install cargo-bolero`, `cargo bolero test --test fuzz <target>` runs the same
//! target coverage-guided with libFuzzer for as long as you like.

use std::cell::RefCell;
use std::io::Write;
use std::rc::Rc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use gauntlet_paper::{FeedItem, LineFeed, LineFormat, PaperSettings};

fn seconds() -> Duration {
    let seconds = std::env::var("GAUNTLET_FUZZ_SECONDS")
        .ok()
        .and_then(|text| text.parse().ok())
        .unwrap_or(2);
    Duration::from_secs(seconds)
}

/// Runs a target on arbitrary byte strings of up to 64 KiB, the corpus first (bolero finds it by
/// the test's name: `tests/__fuzz__/<test>/corpus/`).
macro_rules! fuzz {
    ($target:expr) => {
        bolero::check!()
            .with_test_time(seconds())
            .with_max_len(1 << 16)
            .for_each($target)
    };
}

#[test]
fn csv_import() {
    // CSV, gzip and JSON candles all enter through import_csv (the content decides).
    let folder = tempfile::tempdir().unwrap();
    let path = folder.path().join("input");
    fuzz!(|bytes: &[u8]| {
        std::fs::File::create(&path)
            .and_then(|mut file| file.write_all(bytes))
            .unwrap();
        for skip_bad_rows in [false, true] {
            let options = gauntlet_data::ImportOptions {
                skip_bad_rows,
                ..gauntlet_data::ImportOptions::default()
            };
            let _ = gauntlet_data::import_csv(&path, &options);
        }
    });
}

#[test]
fn genome_json() {
    fuzz!(|bytes: &[u8]| {
        if let Ok(text) = std::str::from_utf8(bytes)
            && let Ok(genome) = gauntlet_genome::Genome::from_json(text)
        {
            // A genome that validates also describes itself and survives a round trip.
            let _ = genome.describe();
            assert_eq!(
                gauntlet_genome::Genome::from_json(&genome.to_json()).unwrap(),
                genome
            );
        }
    });
}

#[test]
fn formula() {
    // A formula that parses prints canonically, parses back to itself, reads in English, and
    // without placeholders writes Python and Pine (Pine refuses tf) and evaluates alike in batch
    // and streaming (or refuses a tf not above the bars' spacing).
    let series = std::sync::Arc::new(gauntlet_testkit::bars_from_steps(
        &(0..60)
            .map(|index| {
                let step = (f64::from(index) * 0.7).sin();
                (0.0, 0.02 * step, 0.01, 0.01)
            })
            .collect::<Vec<_>>(),
    ));
    fuzz!(|bytes: &[u8]| {
        if let Ok(text) = std::str::from_utf8(bytes)
            && let Ok(formula) = gauntlet_blocks::Formula::parse(text)
        {
            assert_eq!(
                gauntlet_blocks::Formula::parse(&formula.to_string()).unwrap(),
                formula
            );
            let _ = gauntlet_blocks::english(&formula);
            if formula.placeholders().is_empty() {
                gauntlet_blocks::python_expression(&formula).unwrap();
                // Pine refuses tf (#29), and the daily bars refuse a tf not above a day.
                let higher = formula.to_string().contains("tf(\"");
                let pine = gauntlet_blocks::pine_expression(&formula);
                assert_eq!(pine.is_err(), higher, "{pine:?}");
                let cache = gauntlet_blocks::ColumnCache::new(std::sync::Arc::clone(&series));
                match cache.evaluate(&formula) {
                    Ok(batch) => {
                        let mut streaming =
                            gauntlet_blocks::StreamingFormula::new(&formula).unwrap();
                        for (bar, expected) in series.bars().zip(batch) {
                            assert_eq!(streaming.update(&bar), expected);
                        }
                    }
                    Err(error) => assert!(
                        higher && matches!(error, gauntlet_blocks::BlocksError::Timeframe { .. }),
                        "{error}"
                    ),
                }
            }
        }
    });
}

#[test]
fn experiment_toml() {
    fuzz!(|bytes: &[u8]| {
        if let Ok(text) = std::str::from_utf8(bytes) {
            let _ = gauntlet_run::Experiment::from_toml(text, "fuzz.toml".as_ref());
        }
    });
}

#[test]
fn paper_feed_lines() {
    fuzz!(|bytes: &[u8]| {
        for format in [LineFormat::Csv, LineFormat::JsonLines] {
            for item in LineFeed::new(bytes, format).take(10_000) {
                if let Ok(FeedItem::Bar { bar, .. }) = item {
                    // A bar the feed hands on has passed the bar checks' parsing at least.
                    let _ = bar.check();
                }
            }
        }
    });
}

#[test]
fn paper_state_and_run_checkpoint() {
    fuzz!(|bytes: &[u8]| {
        if let Ok(text) = std::str::from_utf8(bytes) {
            let _ = serde_json::from_str::<gauntlet_backtest::LiveEngine>(text);
            let _ = serde_json::from_str::<gauntlet_run::RunState>(text);
        }
    });
}

#[test]
fn json_candle_stream() {
    // The streamed JSON reader (#30): anything after a `[` or `{`, with and without the column
    // flags; a series it returns holds only plausible, strictly increasing times.
    let folder = tempfile::tempdir().unwrap();
    let path = folder.path().join("candles.json");
    let flagged = gauntlet_data::ImportOptions {
        time_column: Some("openTime".into()),
        close_column: Some("c".into()),
        skip_bad_rows: true,
        ..gauntlet_data::ImportOptions::default()
    };
    fuzz!(|bytes: &[u8]| {
        for opening in [&b"["[..], b"{", b""] {
            std::fs::File::create(&path)
                .and_then(|mut file| file.write_all(&[opening, bytes].concat()))
                .unwrap();
            for options in [&gauntlet_data::ImportOptions::default(), &flagged] {
                if let Ok(imported) = gauntlet_data::import_csv(&path, options) {
                    let times = imported.series.timestamps();
                    assert!(times.iter().all(|time| time.is_plausible()));
                    assert!(times.windows(2).all(|pair| pair[0] < pair[1]));
                }
            }
        }
    });
}

/// A journal written into memory, read back by the fuzz target.
#[derive(Clone, Default)]
struct Shared(Rc<RefCell<Vec<u8>>>);

impl Write for Shared {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn paper_feed_timestamps() {
    // The paper feed's timestamp rules (#30) through a whole session: every bar it trades is
    // dated in 1900-2200, after the bar before it and at most 366 days later, whatever the lines.
    let settings = PaperSettings {
        symbol: "FUZZ".into(),
        config: gauntlet_backtest::BacktestConfig::default(),
        flatten_on_exit: false,
        speed: None,
        state_dir: None,
        feed_name: "fuzz".into(),
        feed_identity: "fuzz".into(),
        live: true,
    };
    fuzz!(|bytes: &[u8]| {
        for format in [LineFormat::JsonLines, LineFormat::Csv] {
            let feed = LineFeed::new(bytes, format).take(2_000);
            let journal = Shared::default();
            let summary = gauntlet_paper::run_session(
                gauntlet_genome::Genome::buy_and_hold(),
                &settings,
                feed.collect::<Vec<_>>().into_iter(),
                None,
                Some(Box::new(journal.clone())),
                &AtomicBool::new(false),
            )
            .unwrap();
            let text = String::from_utf8(journal.0.take()).unwrap();
            let mut previous: Option<i64> = None;
            let mut bars = 0;
            for line in text.lines() {
                let event: serde_json::Value = serde_json::from_str(line).unwrap();
                if event["type"] != "bar" {
                    continue;
                }
                bars += 1;
                let time = event["time"].as_str().unwrap();
                let millis = gauntlet_paper::parse_timestamp(time).unwrap().millis();
                if let Some(previous) = previous {
                    assert!(
                        millis > previous && millis - previous <= gauntlet_paper::MAX_BAR_GAP_MS
                    );
                }
                previous = Some(millis);
            }
            assert_eq!(bars, summary.bars);
        }
    });
}
