//! Formula genomes with higher timeframes (`tf("1d", ...)`, #29) on hourly EUR/USD: cutting the
//! bars after any bar leaves every earlier trade unchanged, and the live engine (the paper
//! trader's) makes exactly the backtest's trades, for the bundled daily-trend genome and random
//! genomes with `tf`.

use gauntlet_backtest::{BacktestConfig, EntrySignals, LiveEngine, Market, run_backtest};
use gauntlet_core::{BarInterval, BarSeries};
use gauntlet_data::Catalog;
use gauntlet_genome::{Direction, EntryLogic, FormulaEntry, Genome};
use gauntlet_testkit::repository;
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::TestRunner;

const DAY: i64 = 86_400_000;

fn daily_trend() -> Genome {
    let path = repository().join("genomes/formulas/daily-trend-pullback.json");
    Genome::from_json(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The first `bars` bars of `eurusd-1h` and its bars per year.
fn eurusd(bars: usize) -> (BarSeries, f64) {
    let catalog = Catalog::open(&repository().join("datasets")).unwrap();
    let (entry, series) = catalog.load("eurusd-1h").unwrap();
    (series.slice(0..bars.min(series.len())), entry.bars_per_year)
}

/// The engine's decisions on every bar of `series`: long and short entry signals, and the exits
/// of a long and of a short position.
fn decisions(logic: &EntryLogic, series: &BarSeries) -> Vec<[bool; 4]> {
    let market = Market::new("EURUSD", series.clone());
    let signals = EntrySignals::compile(logic, &market.cache).unwrap();
    let close = series.close();
    (0..series.len())
        .map(|t| {
            let (long, short) = signals.at(close, t);
            [
                long,
                short,
                signals.exit_at(t, true),
                signals.exit_at(t, false),
            ]
        })
        .collect()
}

#[test]
fn cutting_the_bars_after_any_bar_leaves_every_earlier_decision_unchanged() {
    let (series, _) = eurusd(1_500);
    let logic = EntryLogic::Formula(FormulaEntry {
        long: Some("tf(\"1d\", close > open) and close > tf(\"4h\", (high + low) / 2)".into()),
        short: Some("tf(\"1d\", crosses_below(close, sma(close, 3)))".into()),
        exit_long: Some("close < tf(\"1d\", (high + low + close) / 3)".into()),
        exit_short: Some("tf(\"1w\", close < open) or close > tf(\"1d\", high)".into()),
        template: None,
    });
    let full = decisions(&logic, &series);
    for (side, name) in ["long", "short", "exit long", "exit short"]
        .iter()
        .enumerate()
    {
        let count = full.iter().filter(|bar| bar[side]).count();
        assert!((20..1_400).contains(&count), "{name} holds on {count} bars");
    }
    // Every bar of two days and a half as the last bar, then every 37th.
    let cuts = (600..660).chain((1..1_500).step_by(37));
    for cut in cuts {
        let part = decisions(&logic, &series.slice(0..cut));
        assert_eq!(part[..], full[..cut], "cut after bar {cut}");
    }
}

#[test]
fn cutting_the_bars_after_any_bar_leaves_earlier_trades_unchanged() {
    let (series, bars_per_year) = eurusd(4_000);
    let genome = daily_trend();
    let config = BacktestConfig {
        close_at_end: false,
        bars_per_year,
        ..BacktestConfig::default()
    };
    let full = run_backtest(&genome, &Market::new("EURUSD", series.clone()), &config).unwrap();
    assert!(full.trades.len() > 100, "{} trades", full.trades.len());
    let days: Vec<i64> = series
        .timestamps()
        .iter()
        .map(|time| time.millis().div_euclid(DAY))
        .collect();
    // Cuts on both sides of two day boundaries (the last bar of a day, the first of the next)
    // and inside days.
    let mut cuts = vec![700, 1_999, 3_001];
    for after in [1_000, 2_500] {
        let boundary = (after..series.len())
            .find(|&t| days[t] != days[t - 1])
            .unwrap();
        cuts.extend(boundary - 2..boundary + 3);
    }
    for cut in cuts {
        let part = run_backtest(
            &genome,
            &Market::new("EURUSD", series.slice(0..cut)),
            &config,
        )
        .unwrap();
        // Every trade that exited before the cut's last bar is the same.
        let before = |trade: &&gauntlet_backtest::Trade| trade.exit_bar + 1 < cut;
        let full_trades: Vec<_> = full.trades.iter().filter(before).collect();
        let part_trades: Vec<_> = part.trades.iter().filter(before).collect();
        assert!(!full_trades.is_empty());
        assert_eq!(part_trades, full_trades, "cut at {cut}");
    }
}

/// Feeds `series` to a live engine one bar at a time; its closed trades and final equity.
fn live_trades(
    genome: &Genome,
    series: &BarSeries,
    config: BacktestConfig,
) -> (Vec<gauntlet_backtest::Trade>, f64) {
    let mut engine = LiveEngine::new(genome.clone(), "EURUSD", config).unwrap();
    let mut trades = Vec::new();
    let bars = series.len();
    for (index, bar) in series.bars().enumerate() {
        trades.extend(engine.on_bar(bar, index + 1 == bars).unwrap().closed);
    }
    (trades, engine.equity())
}

#[test]
fn the_live_engine_trades_tf_genomes_exactly_like_the_backtest() {
    let (series, bars_per_year) = eurusd(2_500);
    let market = Market::new("EURUSD", series.clone());
    let config = BacktestConfig {
        bars_per_year,
        ..BacktestConfig::default()
    };
    let mut genomes = vec![daily_trend()];
    // Random both-direction genomes: four random formulas each with tf on four-hour, daily and
    // weekly periods, the exits of the bundled genome.
    let mut runner = TestRunner::deterministic();
    let strategy = gauntlet_blocks::testing::formula_with_timeframes(vec![
        BarInterval::Hours(4),
        BarInterval::DAILY,
        BarInterval::Weeks(1),
    ]);
    let mut draw = || {
        strategy
            .new_tree(&mut runner)
            .unwrap()
            .current()
            .to_string()
    };
    while genomes.len() < 21 {
        let mut genome = genomes[0].clone();
        genome.entry.direction = Direction::Both;
        genome.entry.logic = EntryLogic::Formula(FormulaEntry {
            long: Some(draw()),
            short: Some(draw()),
            exit_long: Some(draw()),
            exit_short: Some(draw()),
            template: None,
        });
        if genome.validate().is_ok() {
            genomes.push(genome);
        }
    }
    let (mut compared, mut with_tf) = (0, 0);
    for genome in &genomes {
        let EntryLogic::Formula(entry) = &genome.entry.logic else {
            unreachable!()
        };
        with_tf += usize::from(entry.formulas().any(|(_, text)| text.contains("tf(")));
        let expected = run_backtest(genome, &market, &config).unwrap();
        let (trades, equity) = live_trades(genome, &series, config);
        assert_eq!(trades, expected.trades, "{:?}", genome.entry.logic);
        assert_eq!(equity.to_bits(), expected.final_equity().to_bits());
        compared += trades.len();
    }
    assert!(with_tf >= 15, "only {with_tf} genomes use tf");
    assert!(compared > 300, "only {compared} trades compared");
}
