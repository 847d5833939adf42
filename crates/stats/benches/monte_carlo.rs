//! Monte Carlo throughput: 10,000 paths on a 1,000-trade list for each resampling, with rayon over
//! the machine's cores, beside the same paths on one thread (the in-run reference).
//!
//! Run: `cargo bench -p gauntlet-stats --bench monte_carlo`.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use gauntlet_stats::monte_carlo::{Resampling, monte_carlo};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn benches(criterion: &mut Criterion) {
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    let trades: Vec<f64> = (0..1_000).map(|_| rng.random_range(-0.02..0.025)).collect();
    let mut group = criterion.benchmark_group("monte_carlo_10000_paths_1000_trades");
    group.sample_size(10);
    for (name, resampling) in [
        ("shuffle", Resampling::Shuffle),
        ("bootstrap", Resampling::Bootstrap),
        ("skip_10pct", Resampling::SkipTrades { probability: 0.1 }),
        (
            "slippage_20bps",
            Resampling::ExtraSlippage { max_cost: 0.002 },
        ),
    ] {
        group.bench_function(format!("{name}_rayon"), |bench| {
            bench.iter(|| black_box(monte_carlo(&trades, 100_000.0, resampling, 10_000, 7)))
        });
    }
    let single = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    group.bench_function("shuffle_1_thread", |bench| {
        bench.iter(|| {
            single.install(|| {
                black_box(monte_carlo(
                    &trades,
                    100_000.0,
                    Resampling::Shuffle,
                    10_000,
                    7,
                ))
            })
        })
    });
    group.finish();
}

criterion_group!(monte_carlo_benches, benches);
criterion_main!(monte_carlo_benches);
