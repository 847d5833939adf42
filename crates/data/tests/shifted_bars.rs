//! Shifted bars against pandas: the bundled Bitstamp BTC/USD hourly bars resampled into 4h bars
//! with offsets of 0 to 3 hours and into daily bars with offsets of 0, 6 and 13 hours, bar for bar
//! as pandas 3.1.1's `resample(rule, offset=..., label="left", closed="left")` builds them
//! (`crates/data/tests/reference/resample_offset_vectors.json`, written by
//! `scripts/reference/resample_offset_vectors.py`); and every variant of a shift plan on them.

use std::path::Path;

use gauntlet_core::{BarInterval, Timestamp};
use gauntlet_data::{BarShift, read_parquet, resample_with_offset, shift_plan, shifted_bars};

const HOUR: i64 = 3_600_000;

fn reference() -> serde_json::Value {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/reference/resample_offset_vectors.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn numbers(value: &serde_json::Value) -> Vec<f64> {
    value
        .as_array()
        .unwrap()
        .iter()
        .map(|number| number.as_f64().unwrap())
        .collect()
}

#[test]
fn offsets_match_pandas_bar_for_bar_on_bitstamp_hourly_bars() {
    let reference = reference();
    let dataset = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(reference["dataset"].as_str().unwrap());
    let (hourly, _) = read_parquet(&dataset).unwrap();
    let input = reference["input_bars"].as_u64().unwrap() as usize;
    let hourly = hourly.slice(0..input);
    let cases = reference["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 7);
    for case in cases {
        let to_hours = case["to_hours"].as_i64().unwrap();
        let offset_hours = case["offset_hours"].as_i64().unwrap();
        let to = if to_hours == 24 {
            BarInterval::DAILY
        } else {
            BarInterval::Hours(to_hours as u32)
        };
        let bars =
            resample_with_offset(&hourly, BarInterval::Hours(1), to, offset_hours * HOUR).unwrap();
        let label = format!("{to} with an offset of {offset_hours}h");
        let timestamps: Vec<Timestamp> = case["timestamps_ms"]
            .as_array()
            .unwrap()
            .iter()
            .map(|millis| Timestamp(millis.as_i64().unwrap()))
            .collect();
        assert_eq!(bars.timestamps(), timestamps.as_slice(), "{label}");
        assert_eq!(bars.open(), numbers(&case["open"]).as_slice(), "{label}");
        assert_eq!(bars.high(), numbers(&case["high"]).as_slice(), "{label}");
        assert_eq!(bars.low(), numbers(&case["low"]).as_slice(), "{label}");
        assert_eq!(bars.close(), numbers(&case["close"]).as_slice(), "{label}");
        // Volumes: pandas adds with compensated summation, gauntlet in time order.
        for (ours, theirs) in bars.volume().iter().zip(numbers(&case["volume"])) {
            assert!(
                (ours - theirs).abs() <= 1e-9 * theirs.abs().max(1.0),
                "{label}: volume {ours} against {theirs}"
            );
        }
    }
    // The plan's three shifted daily series are the 6h, 12h and 18h offsets, each a full re-build.
    let plan = shift_plan(BarInterval::Hours(1), BarInterval::DAILY, 3).unwrap();
    assert_eq!(
        plan,
        [6, 12, 18].map(|hours| BarShift::Offset {
            millis: hours * HOUR
        })
    );
    let unshifted =
        resample_with_offset(&hourly, BarInterval::Hours(1), BarInterval::DAILY, 0).unwrap();
    for shift in plan {
        let shifted =
            shifted_bars(&hourly, BarInterval::Hours(1), BarInterval::DAILY, shift).unwrap();
        assert_ne!(shifted.close(), unshifted.close());
        let volume = |series: &gauntlet_core::BarSeries| series.volume().iter().sum::<f64>();
        assert!((volume(&shifted) - volume(&hourly)).abs() <= 1e-9 * volume(&hourly));
    }
}
