//! Batch indicator throughput: each batch form over 1,000,000 bars of a seeded random walk with
//! volume (criterion reports bars per second as elements per second). SMA(20) and ATR(14), the
//! simplest running-sum and Wilder forms, are the in-run references.
//!
//! Run: `cargo bench -p gauntlet-indicators --bench indicators`.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use gauntlet_core::{BarColumns, BarSeries, Timestamp};
use gauntlet_indicators::batch;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

const BARS: usize = 1_000_000;

/// A random walk of `bars` one-minute bars: each opens at the previous close, moves up to 0.2%, and
/// reaches up to 0.1% beyond its body; volume 0 on one bar in fifty.
fn series(bars: usize) -> BarSeries {
    let mut rng = ChaCha8Rng::seed_from_u64(29);
    let mut columns = BarColumns::with_capacity(bars);
    let mut close = 100.0f64;
    for index in 0..bars {
        let open = close;
        close = open * (1.0 + rng.random_range(-0.002..0.002));
        columns.timestamps.push(Timestamp(index as i64 * 60_000));
        columns.open.push(open);
        columns
            .high
            .push(open.max(close) * (1.0 + rng.random_range(0.0..0.001)));
        columns
            .low
            .push(open.min(close) * (1.0 - rng.random_range(0.0..0.001)));
        columns.close.push(close);
        let silent = rng.random_range(0..50) == 0;
        columns.volume.push(if silent {
            0.0
        } else {
            rng.random_range(1.0..1e4)
        });
    }
    BarSeries::new(columns, true).expect("valid bars")
}

fn benches(criterion: &mut Criterion) {
    let series = series(BARS);
    let mut group = criterion.benchmark_group("batch_1m_bars");
    group.sample_size(10);
    group.throughput(Throughput::Elements(BARS as u64));
    group.bench_function("sma_20_reference", |bench| {
        bench.iter(|| black_box(batch::sma(series.close(), 20).unwrap()))
    });
    group.bench_function("atr_14_reference", |bench| {
        bench.iter(|| black_box(batch::atr(&series, 14).unwrap()))
    });
    group.bench_function("adx_14", |bench| {
        bench.iter(|| black_box(batch::adx(&series, 14).unwrap()))
    });
    group.bench_function("aroon_25", |bench| {
        bench.iter(|| black_box(batch::aroon(&series, 25).unwrap()))
    });
    group.bench_function("stochastic_14_3_3", |bench| {
        bench.iter(|| black_box(batch::stochastic(&series, 14, 3, 3).unwrap()))
    });
    group.bench_function("cci_20", |bench| {
        bench.iter(|| black_box(batch::cci(&series, 20).unwrap()))
    });
    group.bench_function("williams_r_14", |bench| {
        bench.iter(|| black_box(batch::williams_r(&series, 14).unwrap()))
    });
    group.bench_function("mfi_14", |bench| {
        bench.iter(|| black_box(batch::mfi(&series, 14).unwrap()))
    });
    group.bench_function("obv", |bench| bench.iter(|| black_box(batch::obv(&series))));
    group.bench_function("rolling_vwap_20", |bench| {
        bench.iter(|| black_box(batch::rolling_vwap(&series, 20).unwrap()))
    });
    group.bench_function("keltner_20_2", |bench| {
        bench.iter(|| black_box(batch::keltner(&series, 20, 2.0).unwrap()))
    });
    group.bench_function("highest_high_20", |bench| {
        bench.iter(|| black_box(batch::highest(series.high(), 20).unwrap()))
    });
    group.bench_function("lowest_low_20", |bench| {
        bench.iter(|| black_box(batch::lowest(series.low(), 20).unwrap()))
    });
    group.bench_function("lag_5", |bench| {
        bench.iter(|| black_box(batch::lag(series.close(), 5).unwrap()))
    });
    group.finish();
}

criterion_group!(indicator_benches, benches);
criterion_main!(indicator_benches);
