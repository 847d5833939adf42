//! Formula evaluation throughput in bars per second: `rsi(close, 2) < 10 and close > sma(close,
//! 200)` on the bundled S&P 500 daily series, through the formula (batch with a fresh column
//! cache, and streaming) against the same rule hand-coded on gauntlet-indicators' batch
//! functions, in the same run.

use std::hint::black_box;
use std::sync::Arc;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use gauntlet_blocks::{ColumnCache, Formula, StreamingFormula};
use gauntlet_indicators::batch;

const RULE: &str = "rsi(close, 2) < 10 and close > sma(close, 200)";

fn formula_against_hand_coded(criterion: &mut Criterion) {
    let path = gauntlet_testkit::repository().join("datasets/sp500-1d.parquet");
    let (series, _) = gauntlet_data::read_parquet(&path).expect("the bundled series reads");
    let series = Arc::new(series);
    let formula = Formula::parse(RULE).expect("the rule parses");
    let mut group = criterion.benchmark_group("rsi2_below_10_above_sma200");
    group.throughput(Throughput::Elements(series.len() as u64));
    group.bench_function("formula_batch", |bencher| {
        bencher.iter(|| {
            let cache = ColumnCache::new(Arc::clone(&series));
            black_box(cache.evaluate(&formula).expect("evaluates"))
        });
    });
    group.bench_function("formula_streaming", |bencher| {
        bencher.iter(|| {
            let mut streaming = StreamingFormula::new(&formula).expect("streams");
            black_box(
                series
                    .bars()
                    .map(|bar| streaming.update(&bar))
                    .collect::<Vec<bool>>(),
            )
        });
    });
    group.bench_function("hand_coded", |bencher| {
        bencher.iter(|| {
            let close = series.close();
            let rsi = batch::rsi(close, 2).expect("a valid period");
            let sma = batch::sma(close, 200).expect("a valid period");
            black_box(
                (0..close.len())
                    .map(|t| rsi[t] < 10.0 && close[t] > sma[t])
                    .collect::<Vec<bool>>(),
            )
        });
    });
    group.finish();
}

criterion_group!(benches, formula_against_hand_coded);
criterion_main!(benches);
