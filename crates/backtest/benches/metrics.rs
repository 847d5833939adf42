//! Metrics against the engine, in genome-bars per second (genomes x bars / seconds; criterion's
//! `thrpt` in elements per second, one element = one genome-bar), on the 1000 W1 genomes (SMA
//! crossovers with stop and target) over the bundled S&P 500 daily series (5,105 bars):
//!
//! - `engine_1_thread`: the backtests themselves (`run_backtest`, equity curve included), the
//!   reference measured in the same run;
//! - `metrics_separate_1_thread`: every metric of the 1000 finished backtests computed the way
//!   `BacktestResult::metrics` did before #13: the bar returns, then each function of
//!   `gauntlet_stats::returns` and the monthly table on its own;
//! - `metrics_one_pass_1_thread`: `BacktestResult::metrics` (the one-pass `CurveAccumulator`, the
//!   same values to the bit).
//!
//! Run: `cargo bench -p gauntlet-backtest --bench metrics`.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use gauntlet_backtest::{BacktestConfig, BacktestResult, CostModel, Market, run_backtest};
use gauntlet_core::Timestamp;
use gauntlet_data::Catalog;
use gauntlet_genome::Genome;
use gauntlet_stats::{monthly_returns, positive_month_share, returns};
use gauntlet_testkit::{repository, w1_genome};

fn w1_population() -> Vec<Genome> {
    gauntlet_testkit::w1_population()
        .into_iter()
        .map(|(fast, slow, stop, target)| w1_genome(fast, slow, stop, target))
        .collect()
}

/// The return metrics as they were computed before the one-pass accumulator: a sum of every value
/// so the work cannot be optimised away.
fn separate_metrics(result: &BacktestResult, timestamps: &[Timestamp], per_year: f64) -> f64 {
    let r = result.returns();
    returns::annual_return(&r, per_year)
        + returns::annual_volatility(&r, per_year)
        + returns::sharpe_ratio(&r, 0.0, per_year)
        + returns::sortino_ratio(&r, 0.0, per_year)
        + returns::max_drawdown(&r)
        + returns::max_drawdown_duration(&r) as f64
        + returns::calmar_ratio(&r, per_year)
        + returns::omega_ratio(&r, 0.0, 0.0, per_year)
        + returns::tail_ratio(&r)
        + returns::stability_of_timeseries(&r)
        + positive_month_share(&monthly_returns(
            timestamps,
            &result.equity,
            result.initial_capital,
        ))
}

fn benches(criterion: &mut Criterion) {
    let (_, series) = Catalog::open(&repository().join("datasets"))
        .unwrap()
        .load("sp500-1d")
        .unwrap();
    let market = Market::new("^GSPC", series);
    let config = BacktestConfig {
        costs: CostModel {
            commission_bps: 10.0,
            spread_bps: 0.0,
            slippage_bps: 5.0,
        },
        ..BacktestConfig::default()
    };
    let genomes = w1_population();
    let results: Vec<BacktestResult> = genomes
        .iter()
        .map(|genome| run_backtest(genome, &market, &config).unwrap())
        .collect();
    let timestamps = market.series().timestamps();
    let mut group = criterion.benchmark_group("metrics_w1_sp500");
    group.sample_size(10).throughput(Throughput::Elements(
        (genomes.len() * timestamps.len()) as u64,
    ));
    group.bench_function("engine_1_thread", |bench| {
        bench.iter(|| {
            genomes
                .iter()
                .map(|genome| {
                    run_backtest(genome, &market, &config)
                        .unwrap()
                        .final_equity()
                })
                .fold(0.0, |total, value| total + black_box(value))
        })
    });
    group.bench_function("metrics_separate_1_thread", |bench| {
        bench.iter(|| {
            results
                .iter()
                .map(|result| separate_metrics(result, timestamps, config.bars_per_year))
                .fold(0.0, |total, value| total + black_box(value))
        })
    });
    group.bench_function("metrics_one_pass_1_thread", |bench| {
        bench.iter(|| {
            results
                .iter()
                .map(|result| result.metrics(timestamps, config.bars_per_year).sharpe)
                .fold(0.0, |total, value| total + black_box(value))
        })
    });
    group.finish();
}

criterion_group!(metrics, benches);
criterion_main!(metrics);
