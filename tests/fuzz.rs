//! Fuzz targets for every parser a user or a feed can reach (#18), with `bolero`: each takes
//! arbitrary bytes and must return (an error is fine), never panic, hang or exhaust memory.
//!
//! Under `cargo test` each runs bolero's random engine for `GAUNTLET_FUZZ_SECONDS` seconds
//! (default 2), starting from its seed corpus in `tests/__fuzz__/<target>/corpus/` (the bad-file
//! corpus of `tests/data/bad` and real examples); `.ci/run` gives each 60 seconds in a release
//! build. With `cargo install cargo-bolero`, `cargo bolero test --test fuzz <target>` runs the same
//! target coverage-guided with libFuzzer for as long as you like.

use std::io::Write;
use std::time::Duration;

use gauntlet_paper::{FeedItem, LineFeed, LineFormat};

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
