//! Engine throughput in genome-bars per second (genomes x bars / seconds), criterion's `thrpt` in
//! elements per second with one element = one genome-bar.
//!
//! - `w1_sp500/*`: the W1 workload (1000 SMA-crossover genomes with stop and target, the vectorbt
//!   comparison mode) on the bundled S&P 500 daily series (5,105 bars): Gauntlet's engine on one thread
//!   and with rayon across genomes, and the reference measured in the same run, a minimal hand-written
//!   W1 loop over the same cached SMA columns (what the full engine must not cost much more than).
//!   `gauntlet_*` record the equity curve (`run_backtest`, what scoring needs);
//!   `gauntlet_orders_*` only the orders and the final equity (`run_backtest_orders`): the same work
//!   as vectorbt's `Portfolio.from_signals`, which `../shared/tools/vectorbt-compare` times (it
//!   reconstructs the value series separately, as `equity_from_records_s`);
//! - `w1_1m/*`: the same on a 1,000,000-bar synthetic random walk, for the first 100 W1 genomes;
//! - `random_3_rule/*`: 1000 seeded random genomes with 3-rule entries and every exit kind, next-open
//!   fills with costs, on the S&P 500 series.
//! - `rsi2_sp500/*`: the RSI(2) seed as rules and the same strategy as a formula genome
//!   (`genomes/formulas/rsi-2-formula.json`, the same trades), one backtest each per iteration on
//!   the S&P 500 series: what evaluating formulas costs against the rules' compiled fast paths.
//!
//! Run: `cargo bench -p gauntlet-backtest --bench engine`. Indicator columns are computed once before
//! timing (the cache's job); the timing is the backtests.

use std::hint::black_box;
use std::path::PathBuf;
use std::sync::Arc;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use gauntlet_backtest::{
    BacktestConfig, CostModel, FillConvention, Market, run_backtest, run_backtest_orders,
};
use gauntlet_core::{BarColumns, BarSeries, Timestamp};
use gauntlet_data::Catalog;
use gauntlet_genome::*;
use gauntlet_indicators::{IndicatorCache, IndicatorColumn};
use gauntlet_testkit::w1_population;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

fn w1_genome(&(fast, slow, stop, target): &(u32, u32, f64, f64)) -> Genome {
    gauntlet_testkit::w1_genome(fast, slow, stop, target)
}

const W1_CONFIG: BacktestConfig = BacktestConfig {
    initial_capital: 1e10,
    costs: CostModel {
        commission_bps: 10.0,
        spread_bps: 0.0,
        slippage_bps: 0.0,
    },
    fill: FillConvention::Close,
    close_at_end: false,
    bars_per_year: 252.0,
};

/// The reference: a minimal W1 loop (vectorbt's conventions, `tests/reference/w1/README.md`) over the
/// cached SMA columns, returning the final equity.
fn minimal_w1(series: &BarSeries, fast: &[f64], slow: &[f64], stop: f64, target: f64) -> f64 {
    let (open, high, low, close) = (series.open(), series.high(), series.low(), series.close());
    let fee = 0.001;
    let (mut cash, mut units, mut stop_level, mut target_level, mut entry_bar) =
        (1e10f64, 0.0f64, 0.0, 0.0, 0);
    for t in 1..close.len() {
        if units > 0.0 && t > entry_bar {
            let exit = if open[t] <= stop_level {
                Some(open[t])
            } else if low[t] <= stop_level {
                Some(stop_level)
            } else if open[t] >= target_level {
                Some(open[t])
            } else if high[t] >= target_level {
                Some(target_level)
            } else {
                None
            };
            if let Some(price) = exit {
                cash += units * price * (1.0 - fee);
                units = 0.0;
                continue;
            }
        }
        let up = fast[t] > slow[t] && fast[t - 1] <= slow[t - 1];
        let down = fast[t] < slow[t] && fast[t - 1] >= slow[t - 1];
        if units > 0.0 && down {
            cash += units * close[t] * (1.0 - fee);
            units = 0.0;
        } else if units == 0.0 && up {
            units = cash / (1.0 + fee) / close[t];
            cash -= units * close[t] * (1.0 + fee);
            stop_level = close[t] * (1.0 - stop);
            target_level = close[t] * (1.0 + target);
            entry_bar = t;
        }
    }
    cash + units * close[close.len() - 1]
}

fn synthetic(bars: usize) -> BarSeries {
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let mut columns = BarColumns::with_capacity(bars);
    let mut close = 1_000.0f64;
    for index in 0..bars {
        let open = close * (1.0 + rng.random_range(-0.002..0.002));
        close = open * (1.0 + rng.random_range(-0.01..0.01));
        columns.timestamps.push(Timestamp(index as i64 * 60_000));
        columns.open.push(open);
        columns.close.push(close);
        columns
            .high
            .push(open.max(close) * (1.0 + rng.random_range(0.0..0.004)));
        columns
            .low
            .push(open.min(close) * (1.0 - rng.random_range(0.0..0.004)));
        columns.volume.push(0.0);
    }
    BarSeries::new(columns, false).unwrap()
}

/// Computes every column the genomes need before timing (a backtest fills the shared cache).
fn warm(market: &Market, genomes: &[Genome]) {
    for genome in genomes {
        run_backtest(genome, market, &W1_CONFIG).unwrap();
    }
}

/// One W1 genome's cached fast and slow SMA columns, stop and target.
type W1Columns = (Arc<[f64]>, Arc<[f64]>, f64, f64);

fn bench_w1(
    criterion: &mut Criterion,
    group_name: &str,
    market: &Market,
    population: &[(u32, u32, f64, f64)],
) {
    let genomes: Vec<Genome> = population.iter().map(w1_genome).collect();
    warm(market, &genomes);
    let series = market.series();
    let columns: Vec<W1Columns> = population
        .iter()
        .map(|&(fast, slow, stop, target)| {
            (
                market
                    .cache
                    .get(IndicatorColumn::Sma { period: fast })
                    .unwrap(),
                market
                    .cache
                    .get(IndicatorColumn::Sma { period: slow })
                    .unwrap(),
                stop,
                target,
            )
        })
        .collect();
    let mut group = criterion.benchmark_group(group_name);
    group
        .sample_size(10)
        .throughput(Throughput::Elements((genomes.len() * series.len()) as u64));
    group.bench_function("reference_minimal_loop_1_thread", |bench| {
        bench.iter(|| {
            columns
                .iter()
                .map(|(fast, slow, stop, target)| minimal_w1(series, fast, slow, *stop, *target))
                .fold(0.0, |total, value| total + black_box(value))
        })
    });
    group.bench_function("gauntlet_1_thread", |bench| {
        bench.iter(|| {
            genomes
                .iter()
                .map(|genome| {
                    run_backtest(genome, market, &W1_CONFIG)
                        .unwrap()
                        .final_equity()
                })
                .fold(0.0, |total, value| total + black_box(value))
        })
    });
    group.bench_function("gauntlet_rayon", |bench| {
        bench.iter(|| {
            let finals: Vec<f64> = genomes
                .par_iter()
                .map(|genome| {
                    run_backtest(genome, market, &W1_CONFIG)
                        .unwrap()
                        .final_equity()
                })
                .collect();
            black_box(finals)
        })
    });
    group.bench_function("gauntlet_orders_1_thread", |bench| {
        bench.iter(|| {
            genomes
                .iter()
                .map(|genome| {
                    run_backtest_orders(genome, market, &W1_CONFIG)
                        .unwrap()
                        .final_equity
                })
                .fold(0.0, |total, value| total + black_box(value))
        })
    });
    group.bench_function("gauntlet_orders_rayon", |bench| {
        bench.iter(|| {
            let finals: Vec<f64> = genomes
                .par_iter()
                .map(|genome| {
                    run_backtest_orders(genome, market, &W1_CONFIG)
                        .unwrap()
                        .final_equity
                })
                .collect();
            black_box(finals)
        })
    });
    group.finish();
}

fn random_genome(rng: &mut ChaCha8Rng) -> Genome {
    let period = |rng: &mut ChaCha8Rng| PERIOD_GRID[rng.random_range(0..PERIOD_GRID.len())];
    let mut rules = Vec::new();
    while rules.len() < 3 {
        let rule = match rng.random_range(0..10) {
            0 => {
                let (a, b) = (period(rng), period(rng));
                if a == b {
                    continue;
                }
                Rule::MovingAverageCross {
                    average: AverageKind::Sma,
                    fast: a.min(b),
                    slow: a.max(b),
                }
            }
            1 => Rule::PriceVsAverage {
                average: AverageKind::Ema,
                period: period(rng),
            },
            2 => Rule::RsiThreshold {
                period: period(rng),
                lower: 30.0,
                upper: 70.0,
                crossing: rng.random_bool(0.5),
            },
            3 => Rule::BollingerTouch {
                period: period(rng),
                width: 2.0,
            },
            4 => Rule::DonchianBreakout {
                period: period(rng),
            },
            5 => Rule::RocMomentum {
                period: period(rng),
                threshold_pct: rng.random_range(0.0..3.0),
            },
            6 => Rule::MacdCross {
                fast: 12,
                slow: 26,
                signal: 9,
            },
            7 => Rule::ZScoreReversion {
                period: period(rng),
                threshold: rng.random_range(0.5..2.5),
            },
            8 => Rule::VolatilityBand {
                period: period(rng),
                min_pct: 0.2,
                max_pct: 3.0,
            },
            _ => Rule::TrendRegime {
                period: period(rng),
            },
        };
        rules.push(rule);
    }
    Genome {
        schema: 1,
        name: None,
        entry: EntryChromosome {
            direction: [Direction::Long, Direction::Short, Direction::Both][rng.random_range(0..3)],
            logic: EntryLogic::Rules {
                rules,
                combine: Combine::AtLeast { count: 2 },
            },
        },
        exit: ExitChromosome {
            stop_loss_pct: Some(rng.random_range(1.0..5.0)),
            take_profit_pct: Some(rng.random_range(2.0..10.0)),
            trailing_stop: Some(TrailingStop {
                activation_pct: rng.random_range(0.0..3.0),
                trail_pct: rng.random_range(0.5..3.0),
            }),
            max_holding_bars: Some(rng.random_range(5..50)),
            channel_exit_bars: Some(period(rng)),
            exit_on_opposite_signal: true,
        },
        sizing: SizingChromosome {
            method: SizingMethod::RiskPerTrade { risk_pct: 1.0 },
            max_position_pct: 50.0,
            leverage_cap: 1.0,
            max_positions: 1,
        },
        risk: RiskLimits {
            daily_loss_limit_pct: Some(3.0),
            max_drawdown_halt_pct: Some(30.0),
            consecutive_loss_limit: Some(8),
        },
        lineage: Lineage::default(),
    }
}

fn benches(criterion: &mut Criterion) {
    let datasets = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../datasets");
    let (_, sp500) = Catalog::open(&datasets).unwrap().load("sp500-1d").unwrap();
    let sp500 = Market::new("^GSPC", sp500);
    let population = w1_population();
    bench_w1(criterion, "w1_sp500", &sp500, &population);

    // Every column cached (1.5 GB here), so the timing is the engine's: the default 512 MiB budget
    // would recompute columns beyond it inside the timing (the memory/speed trade-off of the cache).
    let big = Market {
        symbol: "SYNTH".into(),
        cache: Arc::new(IndicatorCache::with_budget(
            Arc::new(synthetic(1_000_000)),
            usize::MAX,
        )),
    };
    bench_w1(criterion, "w1_1m", &big, &population[..100]);

    let mut rng = ChaCha8Rng::seed_from_u64(42);
    let genomes: Vec<Genome> = (0..1000).map(|_| random_genome(&mut rng)).collect();
    let config = BacktestConfig {
        initial_capital: 100_000.0,
        costs: CostModel {
            commission_bps: 10.0,
            spread_bps: 2.0,
            slippage_bps: 5.0,
        },
        ..BacktestConfig::default()
    };
    for genome in &genomes {
        genome.validate().unwrap();
        run_backtest(genome, &sp500, &config).unwrap();
    }
    let mut group = criterion.benchmark_group("random_3_rule");
    group.sample_size(10).throughput(Throughput::Elements(
        (genomes.len() * sp500.series().len()) as u64,
    ));
    group.bench_function("gauntlet_1_thread", |bench| {
        bench.iter(|| {
            genomes
                .iter()
                .map(|genome| run_backtest(genome, &sp500, &config).unwrap().trades.len())
                .sum::<usize>()
        })
    });
    group.bench_function("gauntlet_rayon", |bench| {
        bench.iter(|| {
            let counts: Vec<usize> = genomes
                .par_iter()
                .map(|genome| run_backtest(genome, &sp500, &config).unwrap().trades.len())
                .collect();
            black_box(counts)
        })
    });
    group.finish();

    let genome_file = |path: &str| {
        Genome::from_json(&std::fs::read_to_string(datasets.join("..").join(path)).unwrap())
            .unwrap()
    };
    let rules = genome_file("genomes/rsi-2-mean-reversion.json");
    let formula = genome_file("genomes/formulas/rsi-2-formula.json");
    let mut group = criterion.benchmark_group("rsi2_sp500");
    group
        .sample_size(20)
        .throughput(Throughput::Elements(sp500.series().len() as u64));
    for (name, genome) in [("rules", &rules), ("formula", &formula)] {
        // Columns computed before timing, as above.
        run_backtest(genome, &sp500, &config).unwrap();
        group.bench_function(name, |bench| {
            bench.iter(|| run_backtest(genome, &sp500, &config).unwrap().trades.len())
        });
    }
    group.finish();
}

criterion_group!(engine, benches);
criterion_main!(engine);
