//! Masters' bar permutation throughput, in bars per second:
//!
//! - `permute_bars/one_series_1m_bars`: one OHLCV series of 1,000,000 bars (the two shuffles, the
//!   logs and the rebuild, with the bar checks);
//! - `permute_bars/universe_20x5000_one_calendar`: 20 series of 5,000 daily bars on one calendar
//!   (one pair of shuffles shared by all 20), the size of a permutation test's universe.
//!
//! Run: `cargo bench -p gauntlet-data --bench permutation`.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use gauntlet_core::{Bar, BarColumns, BarSeries, Timestamp};
use gauntlet_data::permute_bars;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// A deterministic OHLCV walk (no RNG: a fixed arithmetic sequence), `phase` shifting it.
fn walk(bars: usize, phase: f64) -> BarSeries {
    let mut columns = BarColumns::with_capacity(bars);
    let mut close = 100.0f64;
    for index in 0..bars {
        let x = index as f64 + phase;
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
    BarSeries::new(columns, true).unwrap()
}

fn benches(criterion: &mut Criterion) {
    let mut group = criterion.benchmark_group("permute_bars");
    group.sample_size(10);
    let long = walk(1_000_000, 0.0);
    group.throughput(Throughput::Elements(1_000_000));
    group.bench_function("one_series_1m_bars", |bench| {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        bench.iter(|| black_box(permute_bars(&[&long], &mut rng).unwrap()))
    });
    let universe: Vec<BarSeries> = (0..20)
        .map(|symbol| walk(5_000, symbol as f64 * 101.0))
        .collect();
    let references: Vec<&BarSeries> = universe.iter().collect();
    group.throughput(Throughput::Elements(20 * 5_000));
    group.bench_function("universe_20x5000_one_calendar", |bench| {
        let mut rng = ChaCha8Rng::seed_from_u64(2);
        bench.iter(|| black_box(permute_bars(&references, &mut rng).unwrap()))
    });
    group.finish();
}

criterion_group!(permutation, benches);
criterion_main!(permutation);
