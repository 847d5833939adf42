//! White's Reality Check and Hansen's SPA at the size of a large run: K = 1,000 candidates over
//! T = 2,500 bars (ten years of daily bars), B = 10,000 stationary bootstrap draws, mean block
//! length 10 bars (and arch's default, ⌊√T⌋ = 50). The preparation (means, the kernel variance
//! estimate, prefix sums) is measured alone too.
//!
//! Run: `cargo bench -p gauntlet-stats --bench data_snooping`.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use gauntlet_stats::data_snooping::{DataSnooping, RelativePerformance};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal};

const BARS: usize = 2_500;
const CANDIDATES: usize = 1_000;
const DRAWS: usize = 10_000;

fn benches(criterion: &mut Criterion) {
    let mut rng = ChaCha8Rng::seed_from_u64(32);
    let noise = Normal::new(0.0, 0.01).unwrap();
    let benchmark: Vec<f64> = (0..BARS).map(|_| noise.sample(&mut rng)).collect();
    let candidates: Vec<Vec<f64>> = (0..CANDIDATES)
        .map(|_| {
            benchmark
                .iter()
                .map(|value| 0.5 * value + noise.sample(&mut rng))
                .collect()
        })
        .collect();
    let performance = RelativePerformance::from_returns(&benchmark, &candidates).unwrap();
    let mut group = criterion.benchmark_group("data_snooping_1000_candidates_2500_bars");
    group.sample_size(10);
    for block in [10.0, 50.0] {
        group.bench_function(format!("prepare_block_{block}"), |bench| {
            bench.iter(|| black_box(DataSnooping::new(&performance, block).unwrap()))
        });
        let prepared = DataSnooping::new(&performance, block).unwrap();
        group.bench_function(format!("10000_draws_block_{block}"), |bench| {
            bench.iter(|| {
                let mut stream = ChaCha8Rng::seed_from_u64(7);
                black_box(prepared.test(DRAWS, &mut stream).unwrap())
            })
        });
    }
    group.finish();
}

criterion_group!(data_snooping_benches, benches);
criterion_main!(data_snooping_benches);
