//! Noise-test bars throughput, in bars per second:
//!
//! - `noise_bars/one_copy_1m_bars`: one copy of a 1,000,000-bar OHLCV series (8 uniform draws per
//!   bar from ChaCha8, the moves, the widening and the bar checks);
//! - `noise_bars/copies_100x5000_rayon`: 100 copies of 5,000 daily bars on rayon's pool (the size of a
//!   noise test on a validation window), each copy on its own stream.
//!
//! Run: `cargo bench -p gauntlet-data --bench noise`.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use gauntlet_core::{Bar, BarColumns, BarSeries, Timestamp};
use gauntlet_data::{FieldShares, NoiseSettings, noise_bars, noise_copies};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// A deterministic OHLCV walk (no RNG: a fixed arithmetic sequence) and its bar ranges as the ATR.
fn walk(bars: usize) -> (BarSeries, Vec<f64>) {
    let mut columns = BarColumns::with_capacity(bars);
    let mut close = 100.0f64;
    for index in 0..bars {
        let x = index as f64;
        let open = close * (1.0 + 0.002 * (x * 0.377).sin());
        close = open * (1.0 + 0.01 * (x * 0.731).sin() + 0.004 * (x * 0.0173).cos());
        columns.push(Bar {
            timestamp: Timestamp(index as i64 * 86_400_000),
            open,
            high: open.max(close) * (1.0 + 0.004 * (x * 1.37).sin().abs()),
            low: open.min(close) * (1.0 - 0.004 * (x * 2.11).cos().abs()),
            close,
            volume: 1_000.0 + (index % 977) as f64,
        });
    }
    let series = BarSeries::new(columns, true).unwrap();
    let atr = series
        .high()
        .iter()
        .zip(series.low())
        .map(|(high, low)| high - low)
        .collect();
    (series, atr)
}

fn benches(criterion: &mut Criterion) {
    let settings = NoiseSettings {
        max_move_atr_fraction: 0.25,
        shares: FieldShares {
            open: 0.4,
            high: 0.6,
            low: 0.5,
            close: 0.75,
        },
    };
    let mut group = criterion.benchmark_group("noise_bars");
    group.sample_size(10);
    let (long, long_atr) = walk(1_000_000);
    group.throughput(Throughput::Elements(1_000_000));
    group.bench_function("one_copy_1m_bars", |bench| {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        bench.iter(|| black_box(noise_bars(&long, &long_atr, &settings, &mut rng).unwrap()))
    });
    let (daily, daily_atr) = walk(5_000);
    group.throughput(Throughput::Elements(100 * 5_000));
    group.bench_function("copies_100x5000_rayon", |bench| {
        bench.iter(|| {
            black_box(
                noise_copies(&daily, &daily_atr, &settings, 100, |copy| {
                    let mut rng = ChaCha8Rng::seed_from_u64(2);
                    rng.set_stream(copy as u64);
                    rng
                })
                .unwrap(),
            )
        })
    });
    group.finish();
}

criterion_group!(noise, benches);
criterion_main!(noise);
