//! One generation's scoring, end to end, beside the engine alone on the same genomes, in
//! genome-bars per second (genomes x in-sample bars / seconds; criterion's `thrpt` in elements
//! per second, one element = one genome-bar): 1000 seeded random genomes on the quickstart's
//! universe (S&P 500, MSFT, EUR/USD hourly, WTI; about 16,580 in-sample bars).
//!
//! - `scoring_rayon`: what a generation does per genome: a backtest on every symbol's in-sample
//!   part, every metric (`Universe::score`, the scoring path without an equity curve) and the
//!   category's fitness, in parallel across genomes (rayon, every core);
//! - `engine_only_rayon`: the same backtests with `run_backtest_orders` (orders and final equity,
//!   no curve, no metrics): the engine's share, measured in the same run.
//!
//! The ratio of the two is the cost of everything scoring adds to the engine. Indicator columns
//! are computed before timing (the first generation's job). Run:
//! `cargo bench -p gauntlet-run --bench evolve_generation`.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use gauntlet_backtest::run_backtest_orders;
use gauntlet_data::Catalog;
use gauntlet_genome::{Genome, random_genome};
use gauntlet_run::{Experiment, prepare};
use gauntlet_testkit::repository;
use gauntlet_tournament::Part;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

fn benches(criterion: &mut Criterion) {
    let catalog = Catalog::open(&repository().join("datasets")).unwrap();
    let experiment = Experiment::quickstart().unwrap();
    let (universe, _) = prepare(&experiment, &catalog).unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(2026);
    let genomes: Vec<Genome> = (0..1000)
        .map(|_| random_genome(&mut rng, experiment.risk))
        .collect();
    // Warm the indicator caches.
    black_box(universe.score_all(&genomes, Part::InSample).unwrap());
    let bars = universe.bars(Part::InSample);
    let mut group = criterion.benchmark_group("evolve_generation_quickstart");
    group
        .sample_size(10)
        .throughput(Throughput::Elements((genomes.len() * bars) as u64));
    group.bench_function("scoring_rayon", |bench| {
        bench.iter(|| {
            let fitness: Vec<Option<f64>> = genomes
                .par_iter()
                .map(|genome| {
                    universe
                        .score(genome, Part::InSample)
                        .ok()
                        .and_then(|score| {
                            experiment
                                .category
                                .judge(&score, &experiment.eligibility)
                                .fitness
                        })
                })
                .collect();
            black_box(fitness)
        })
    });
    group.bench_function("engine_only_rayon", |bench| {
        bench.iter(|| {
            let finals: Vec<f64> = genomes
                .par_iter()
                .map(|genome| {
                    universe
                        .symbols
                        .iter()
                        .map(|symbol| {
                            run_backtest_orders(
                                genome,
                                symbol.market(Part::InSample),
                                &universe.config(symbol),
                            )
                            .map_or(0.0, |orders| orders.final_equity)
                        })
                        .sum::<f64>()
                })
                .collect();
            black_box(finals)
        })
    });
    group.finish();
}

criterion_group!(evolve_generation, benches);
criterion_main!(evolve_generation);
