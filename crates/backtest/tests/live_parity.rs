//! The live engine makes exactly the backtest's trades. Every seed genome and the quickstart's
//! exported champion on every bundled dataset, and 120 random genomes (every rule kind, exit and
//! sizing method, with and without risk limits) on bundled real data of four asset classes and a
//! close-only series with both fill conventions, fed one bar at a time, give the same trades (bit
//! for bit), the same equity at every bar and the same final equity as `run_backtest` on the whole
//! series. And a live engine saved to JSON and restored at any bar continues identically.

use gauntlet_backtest::{
    BacktestConfig, CostModel, FillConvention, LiveEngine, Market, run_backtest,
};
use gauntlet_core::BarSeries;
use gauntlet_data::Catalog;
use gauntlet_genome::{Genome, RiskLimits, random_genome};
use gauntlet_testkit::{repository, seed_genomes};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// The quickstart's monthly_performance champion, as `gauntlet export` wrote it (a champion file:
/// the genome under `genome`).
fn quickstart_champion() -> Genome {
    let path = repository().join("genomes/champions/quickstart-monthly_performance.json");
    let file: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    assert_eq!(file["format"], "gauntlet-champion");
    Genome::from_json(&file["genome"].to_string()).unwrap()
}

#[test]
fn seeds_and_the_quickstart_champion_trade_alike_on_every_bundled_dataset() {
    let catalog = Catalog::open(&repository().join("datasets")).unwrap();
    let mut genomes = seed_genomes();
    genomes.push(quickstart_champion());
    let mut datasets = 0;
    let mut compared_trades = 0;
    let names: Vec<String> = catalog
        .entries()
        .iter()
        .map(|entry| entry.name.clone())
        .collect();
    for name in names {
        let (entry, series) = catalog.load(&name).unwrap();
        let market = Market::new(entry.symbol.clone(), series.clone());
        for genome in &genomes {
            let config = config(FillConvention::NextOpen, entry.bars_per_year);
            let expected = run_backtest(genome, &market, &config).unwrap();
            let (trades, equity) = replay(
                genome,
                &entry.symbol,
                &series,
                config,
                &expected.equity,
                None,
            );
            assert_eq!(trades, expected.trades, "{} {:?}", entry.name, genome.name);
            assert_eq!(equity.to_bits(), expected.final_equity().to_bits());
            compared_trades += trades.len();
        }
        datasets += 1;
    }
    assert_eq!(datasets, 85, "every bundled dataset");
    assert!(
        compared_trades > 1_000,
        "only {compared_trades} trades compared"
    );
}

fn random_genomes(count: usize) -> Vec<Genome> {
    let mut rng = ChaCha8Rng::seed_from_u64(2026);
    (0..count)
        .map(|index| {
            let risk = match index % 5 {
                0 => RiskLimits::default(),
                // The drawdown halt alone: the backtest's fast path checks it itself.
                3 | 4 => RiskLimits {
                    daily_loss_limit_pct: None,
                    max_drawdown_halt_pct: Some(10.0),
                    consecutive_loss_limit: None,
                },
                1 => RiskLimits {
                    daily_loss_limit_pct: Some(2.0),
                    max_drawdown_halt_pct: Some(15.0),
                    consecutive_loss_limit: None,
                },
                _ => RiskLimits {
                    daily_loss_limit_pct: None,
                    max_drawdown_halt_pct: None,
                    consecutive_loss_limit: Some(4),
                },
            };
            random_genome(&mut rng, risk)
        })
        .collect()
}

fn config(fill: FillConvention, bars_per_year: f64) -> BacktestConfig {
    BacktestConfig {
        initial_capital: 100_000.0,
        costs: CostModel {
            commission_bps: 5.0,
            spread_bps: 2.0,
            slippage_bps: 1.0,
        },
        fill,
        close_at_end: true,
        bars_per_year,
    }
}

/// Feeds `series` to a live engine, checking each bar's equity against the backtest's; returns the
/// engine's closed trades.
fn replay(
    genome: &Genome,
    symbol: &str,
    series: &BarSeries,
    config: BacktestConfig,
    backtest_equity: &[f64],
    save_at: Option<usize>,
) -> (Vec<gauntlet_backtest::Trade>, f64) {
    let mut engine = LiveEngine::new(genome.clone(), symbol, config).unwrap();
    let mut trades = Vec::new();
    // The journal's promise: the fills, summed with their signs, are the position after every bar.
    let mut held = 0.0f64;
    let bars = series.len();
    for (index, bar) in series.bars().enumerate() {
        if save_at == Some(index) {
            let text = serde_json::to_string(&engine).unwrap();
            engine = serde_json::from_str(&text).unwrap();
        }
        let step = engine.on_bar(bar, index + 1 == bars).unwrap();
        assert_eq!(
            step.equity.to_bits(),
            backtest_equity[index].to_bits(),
            "{:?} bar {index}: live equity {} against {}",
            genome.name,
            step.equity,
            backtest_equity[index]
        );
        for fill in &step.fills {
            held += match fill.side {
                gauntlet_backtest::Side::Long => fill.quantity,
                gauntlet_backtest::Side::Short => -fill.quantity,
            };
        }
        let position = engine.position().map_or(0.0, |view| match view.side {
            gauntlet_backtest::Side::Long => view.quantity,
            gauntlet_backtest::Side::Short => -view.quantity,
        });
        assert!(
            (held - position).abs() <= 1e-9 * position.abs().max(1.0),
            "{:?} bar {index}: fills sum to {held}, the position is {position} ({:?})",
            genome.name,
            step.fills
        );
        held = position;
        trades.extend(step.closed);
    }
    (trades, engine.equity())
}

#[test]
fn the_live_engine_trades_exactly_like_the_backtest() {
    let catalog = Catalog::open(&repository().join("datasets")).unwrap();
    let mut genomes = seed_genomes();
    genomes.extend(random_genomes(120));
    let (mut compared_trades, mut halts) = (0, 0);
    for (dataset, bars) in [
        ("sp500-1d", 2_500),
        ("eurusd-1h", 2_500),
        ("wti-1d", 2_500),
        ("btcusd-1d-2021", 1_500),
        ("msft-close-1d", 2_500),
    ] {
        let (entry, series) = catalog.load(dataset).unwrap();
        let series = series.slice(0..bars.min(series.len()));
        let market = Market::new(entry.symbol.clone(), series.clone());
        for (index, genome) in genomes.iter().enumerate() {
            let fill = if index % 4 == 3 {
                FillConvention::Close
            } else {
                FillConvention::NextOpen
            };
            let config = config(fill, entry.bars_per_year);
            let expected = run_backtest(genome, &market, &config).unwrap();
            halts += usize::from(expected.halted_at_bar.is_some());
            let save_at = (index % 5 == 0).then_some(series.len() / 2);
            let (trades, equity) = replay(
                genome,
                &entry.symbol,
                &series,
                config,
                &expected.equity,
                save_at,
            );
            assert_eq!(
                trades, expected.trades,
                "{dataset} genome {index} ({:?})",
                genome.name
            );
            assert_eq!(equity.to_bits(), expected.final_equity().to_bits());
            compared_trades += trades.len();
        }
    }
    assert!(
        compared_trades > 10_000,
        "only {compared_trades} trades compared"
    );
    // The drawdown halt must fire often enough to be compared (it stops a fast-pathed position).
    assert!(halts >= 20, "only {halts} runs halted");
}
