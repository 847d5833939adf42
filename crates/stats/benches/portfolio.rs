//! Portfolio selection throughput, in member-days per second: the correlation matrix of `members`
//! daily-return series of `days` days (rayon over rows) and the greedy selection under a maximum
//! correlation of 0.5, for 20, 100 and 500 members over 2,520 days (ten years of exchange days),
//! beside the matrix alone on one thread for 100 members.
//!
//! Run: `cargo bench -p gauntlet-stats --bench portfolio`.

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use gauntlet_core::Timestamp;
use gauntlet_stats::portfolio::{AlignedReturns, correlation_matrix, select_uncorrelated};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// `members` series of `days` returns: a shared market factor plus each member's own noise, so
/// correlations spread between about 0 and 0.8.
fn members(members: usize, days: usize) -> (AlignedReturns, Vec<f64>) {
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let market: Vec<f64> = (0..days).map(|_| rng.random_range(-0.01..0.01)).collect();
    let returns = (0..members)
        .map(|member| {
            let loading = (member % 9) as f64 / 8.0;
            market
                .iter()
                .map(|common| loading * common + rng.random_range(-0.01..0.01))
                .collect()
        })
        .collect();
    let fitness = (0..members).map(|_| rng.random_range(0.0..2.0)).collect();
    let days = (0..days as i64)
        .map(|day| Timestamp(day * 86_400_000))
        .collect();
    (AlignedReturns { days, returns }, fitness)
}

fn benches(criterion: &mut Criterion) {
    let mut group = criterion.benchmark_group("portfolio");
    group.sample_size(10);
    const DAYS: usize = 2_520;
    for count in [20, 100, 500] {
        let (aligned, fitness) = members(count, DAYS);
        group.throughput(Throughput::Elements((count * DAYS) as u64));
        group.bench_with_input(
            BenchmarkId::new("correlation_and_selection", format!("{count}x{DAYS}")),
            &aligned,
            |bench, aligned| {
                bench.iter(|| {
                    let matrix = correlation_matrix(aligned);
                    black_box(select_uncorrelated(&fitness, &matrix, 0.5, count).unwrap())
                })
            },
        );
    }
    let (aligned, _) = members(100, DAYS);
    let single = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    group.throughput(Throughput::Elements((100 * DAYS) as u64));
    group.bench_function("correlation_100x2520_1_thread", |bench| {
        bench.iter(|| single.install(|| black_box(correlation_matrix(&aligned))))
    });
    group.finish();
}

criterion_group!(portfolio, benches);
criterion_main!(portfolio);
