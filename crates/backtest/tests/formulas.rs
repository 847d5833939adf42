//! Formula genomes trade in the batch engine: the RSI(2) seed written as a formula makes exactly the
//! rule seed's trades, decisions before bar t do not change when the bars after t are cut, and a
//! both-direction genome with exit formulas makes the trades worked out by hand. The live engine
//! (the paper trader's) makes exactly the backtest's trades for the seed and 200 random formula
//! genomes that use every block.

use std::sync::Arc;

use gauntlet_backtest::{
    BacktestConfig, ExitReason, LiveEngine, Market, Side, run_backtest, run_backtest_scored,
};
use gauntlet_core::{BarColumns, BarSeries, Timestamp};
use gauntlet_data::Catalog;
use gauntlet_genome::{
    Direction, EntryChromosome, EntryLogic, ExitChromosome, FormulaEntry, Genome, Lineage,
    RiskLimits, SizingChromosome,
};
use gauntlet_testkit::repository;
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::TestRunner;

fn genome_file(path: &str) -> Genome {
    let text = std::fs::read_to_string(repository().join(path)).unwrap();
    Genome::from_json(&text).unwrap()
}

fn sp500() -> (BarSeries, f64) {
    let catalog = Catalog::open(&repository().join("datasets")).unwrap();
    let (entry, series) = catalog.load("sp500-1d").unwrap();
    (series, entry.bars_per_year)
}

#[test]
fn the_rsi_2_formula_trades_exactly_like_the_rsi_2_rule_seed() {
    let (series, bars_per_year) = sp500();
    let market = Market::new("SPX", series);
    let config = BacktestConfig {
        bars_per_year,
        ..BacktestConfig::default()
    };
    let rules = run_backtest(
        &genome_file("genomes/rsi-2-mean-reversion.json"),
        &market,
        &config,
    )
    .unwrap();
    let formula_genome = genome_file("genomes/formulas/rsi-2-formula.json");
    let formula = run_backtest(&formula_genome, &market, &config).unwrap();
    // An S&P 500 daily mean reversion trades a few times a year over decades.
    assert!(rules.trades.len() > 50, "{} trades", rules.trades.len());
    assert_eq!(formula.trades, rules.trades);
    assert_eq!(
        formula.final_equity().to_bits(),
        rules.final_equity().to_bits()
    );
    // The scored path agrees with the full one.
    let scored = run_backtest_scored(&formula_genome, &market, &config).unwrap();
    assert_eq!(scored.trades, formula.trades);
}

#[test]
fn a_template_filled_with_2_10_200_trades_exactly_like_the_rsi_2_rule_seed() {
    // #29: the template `rsi(close, ?period[2..30]) < ?level[5..40] and close > sma(close,
    // ?trend[50..250])` filled by hand with 2, 10 and 200 is the RSI(2) seed; its genome keeps the
    // fill beside the formula and trades the rule seed's trades.
    let (series, bars_per_year) = sp500();
    let market = Market::new("SPX", series);
    let config = BacktestConfig {
        bars_per_year,
        ..BacktestConfig::default()
    };
    let template = gauntlet_genome::Template::new(
        &gauntlet_genome::TemplateFormulas {
            long: Some(
                "rsi(close, ?period[2..30]) < ?level[5..40] and close > sma(close, ?trend[50..250])"
                    .into(),
            ),
            ..Default::default()
        },
        "template",
    )
    .unwrap();
    let values = [("period", 2.0), ("level", 10.0), ("trend", 200.0)]
        .into_iter()
        .map(|(name, value)| {
            (
                name.to_string(),
                gauntlet_genome::PlaceholderValue::Number(value),
            )
        })
        .collect();
    let mut filled = genome_file("genomes/formulas/rsi-2-formula.json");
    filled.entry.logic = EntryLogic::Formula(template.fill(&values).unwrap());
    filled.validate().unwrap();
    let rules = run_backtest(
        &genome_file("genomes/rsi-2-mean-reversion.json"),
        &market,
        &config,
    )
    .unwrap();
    let from_template = run_backtest(&filled, &market, &config).unwrap();
    assert!(rules.trades.len() > 50, "{} trades", rules.trades.len());
    assert_eq!(from_template.trades, rules.trades);
    assert_eq!(
        from_template.final_equity().to_bits(),
        rules.final_equity().to_bits()
    );
}

#[test]
fn two_formula_genomes_share_one_column() {
    let (series, _) = sp500();
    let market = Market::new("SPX", series);
    let cache = Arc::clone(&market.cache);
    let mut genome = genome_file("genomes/formulas/rsi-2-formula.json");
    run_backtest(&genome, &market, &BacktestConfig::default()).unwrap();
    let columns = cache
        .companion(|_, _| -> gauntlet_blocks::ColumnCache { unreachable!("made by the first run") })
        .unwrap();
    let kept = columns.len();
    // rsi(close, 2) and sma(close, 200) (and close itself, if kept).
    assert!(kept >= 2, "{kept} columns");
    genome.entry.logic = EntryLogic::Formula(FormulaEntry {
        long: Some("close > sma(close, 200)".into()),
        short: None,
        exit_long: Some("rsi(close, 2) > 90".into()),
        exit_short: None,
        template: None,
    });
    run_backtest(&genome, &market, &BacktestConfig::default()).unwrap();
    assert_eq!(columns.len(), kept, "no new column for the second genome");
}

#[test]
fn decisions_before_a_cut_do_not_change() {
    let (series, _) = sp500();
    let mut genome = genome_file("genomes/formulas/rsi-2-formula.json");
    genome.entry.direction = Direction::Both;
    genome.entry.logic = EntryLogic::Formula(FormulaEntry {
        long: Some("rsi(close, 2) < 10 and close > sma(close, 200)".into()),
        short: Some("rsi(close, 2) > 90 and close < sma(close, 200)".into()),
        exit_long: Some("rsi(close, 2) > 70".into()),
        exit_short: Some("rsi(close, 2) < 30".into()),
        template: None,
    });
    let config = BacktestConfig {
        close_at_end: false,
        ..BacktestConfig::default()
    };
    let full = run_backtest(&genome, &Market::new("SPX", series.clone()), &config).unwrap();
    assert!(full.trades.len() > 50, "{} trades", full.trades.len());
    assert!(
        full.trades
            .iter()
            .any(|trade| trade.exit_reason == ExitReason::Formula)
    );
    let bars = series.len();
    for cut in [bars / 3, bars / 2, bars - 7] {
        let cut_series = series.slice(0..cut);
        let part = run_backtest(&genome, &Market::new("SPX", cut_series), &config).unwrap();
        // Every trade that exited before the cut's last bar is the same.
        let before = |trade: &&gauntlet_backtest::Trade| trade.exit_bar + 1 < cut;
        let full_trades: Vec<_> = full.trades.iter().filter(before).collect();
        let part_trades: Vec<_> = part.trades.iter().filter(before).collect();
        assert_eq!(part_trades, full_trades, "cut at {cut}");
    }
}

fn bars(rows: &[(f64, f64, f64, f64)]) -> BarSeries {
    let mut columns = BarColumns::default();
    for (index, &(open, high, low, close)) in rows.iter().enumerate() {
        columns
            .timestamps
            .push(Timestamp(index as i64 * 86_400_000));
        columns.open.push(open);
        columns.high.push(high);
        columns.low.push(low);
        columns.close.push(close);
        columns.volume.push(0.0);
    }
    BarSeries::new(columns, false).unwrap()
}

#[test]
fn a_both_direction_genome_with_exit_formulas_trades_as_worked_out() {
    // long: close > 101; short: close < 99; exit long: close < 100.5; exit short: close > 99.5.
    // Bar 1 closes at 102 -> long, filled at bar 2's open (104), 10,000 / 104 units.
    // Bar 3 closes at 100 -> exit long, filled at bar 4's open (98): P&L -6 * 10,000 / 104.
    // Bar 4 closes at 99.2 (neither); bar 5 at 98 -> short, filled at bar 6's open (97) with the
    // equity left, 10,000 * 98 / 104, over 97 units. Bar 7 closes at 100 -> exit short, filled at
    // bar 8's open (101): P&L -4 units' worth.
    let series = bars(&[
        (100.0, 100.0, 100.0, 100.0),
        (100.0, 102.0, 100.0, 102.0),
        (104.0, 104.0, 103.0, 103.0),
        (103.0, 103.0, 100.0, 100.0),
        (98.0, 99.2, 98.0, 99.2),
        (99.0, 99.0, 98.0, 98.0),
        (97.0, 97.0, 97.0, 97.0),
        (97.0, 100.0, 97.0, 100.0),
        (101.0, 101.0, 101.0, 101.0),
    ]);
    let genome = Genome {
        schema: 1,
        name: None,
        entry: EntryChromosome {
            direction: Direction::Both,
            logic: EntryLogic::Formula(FormulaEntry {
                long: Some("close > 101".into()),
                short: Some("close < 99".into()),
                exit_long: Some("close < 100.5".into()),
                exit_short: Some("close > 99.5".into()),
                template: None,
            }),
        },
        exit: ExitChromosome::default(),
        sizing: SizingChromosome::all_equity(),
        risk: RiskLimits::default(),
        lineage: Lineage::default(),
    };
    let config = BacktestConfig {
        initial_capital: 10_000.0,
        close_at_end: false,
        ..BacktestConfig::default()
    };
    let result = run_backtest(&genome, &Market::new("TEST", series), &config).unwrap();
    assert_eq!(result.trades.len(), 2, "{:?}", result.trades);
    let (long, short) = (&result.trades[0], &result.trades[1]);
    assert_eq!(long.side, Side::Long);
    assert_eq!((long.entry_bar, long.exit_bar), (2, 4));
    assert_eq!((long.entry_price, long.exit_price), (104.0, 98.0));
    assert_eq!(long.exit_reason, ExitReason::Formula);
    close_to(long.net_pnl, -6.0 * 10_000.0 / 104.0);
    assert_eq!(short.side, Side::Short);
    assert_eq!((short.entry_bar, short.exit_bar), (6, 8));
    assert_eq!((short.entry_price, short.exit_price), (97.0, 101.0));
    assert_eq!(short.exit_reason, ExitReason::Formula);
    let equity_after_long = 10_000.0 * 98.0 / 104.0;
    close_to(short.quantity, equity_after_long / 97.0);
    close_to(short.net_pnl, -4.0 * equity_after_long / 97.0);
}

fn close_to(got: f64, want: f64) {
    assert!(
        (got - want).abs() <= 1e-9 * want.abs().max(1.0),
        "{got} vs {want}"
    );
}

/// Feeds `series` to a live engine one bar at a time; its closed trades and final equity.
fn live_trades(
    genome: &Genome,
    series: &BarSeries,
    config: BacktestConfig,
) -> (Vec<gauntlet_backtest::Trade>, f64) {
    let mut engine = LiveEngine::new(genome.clone(), "SPX", config).unwrap();
    let mut trades = Vec::new();
    let bars = series.len();
    for (index, bar) in series.bars().enumerate() {
        trades.extend(engine.on_bar(bar, index + 1 == bars).unwrap().closed);
    }
    (trades, engine.equity())
}

#[test]
fn the_live_engine_trades_formula_genomes_exactly_like_the_backtest() {
    let (series, bars_per_year) = sp500();
    let series = series.slice(0..3_000);
    let market = Market::new("SPX", series.clone());
    let config = BacktestConfig {
        bars_per_year,
        ..BacktestConfig::default()
    };
    let mut genomes = vec![genome_file("genomes/formulas/rsi-2-formula.json")];
    // Random both-direction genomes: four random formulas each, every exit of the seed.
    let mut runner = TestRunner::deterministic();
    let strategy = gauntlet_blocks::testing::formula();
    let mut draw = || {
        strategy
            .new_tree(&mut runner)
            .unwrap()
            .current()
            .to_string()
    };
    while genomes.len() < 201 {
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
    // Every registered block appears in some formula.
    fn blocks_in(expr: &gauntlet_blocks::Expr, found: &mut std::collections::BTreeSet<String>) {
        if let gauntlet_blocks::Expr::Call { block, .. } = expr {
            found.insert(block.to_string());
        }
        for child in expr.children() {
            blocks_in(child, found);
        }
    }
    let mut used = std::collections::BTreeSet::new();
    for genome in &genomes[1..] {
        let EntryLogic::Formula(entry) = &genome.entry.logic else {
            unreachable!("formula genomes")
        };
        for (_, text) in entry.formulas() {
            blocks_in(
                gauntlet_blocks::Formula::parse(text).unwrap().root(),
                &mut used,
            );
        }
    }
    for block in gauntlet_blocks::registry() {
        assert!(
            used.contains(block.name()),
            "no formula uses {}",
            block.name()
        );
    }
    let mut compared = 0;
    for genome in &genomes {
        let expected = run_backtest(genome, &market, &config).unwrap();
        let (trades, equity) = live_trades(genome, &series, config);
        assert_eq!(trades, expected.trades, "{:?}", genome.entry.logic);
        assert_eq!(equity.to_bits(), expected.final_equity().to_bits());
        compared += trades.len();
    }
    eprintln!("{} genomes, {compared} trades compared", genomes.len());
    assert!(compared > 2_000, "only {compared} trades compared");
}

#[test]
fn a_saved_formula_engine_refuses_to_go_on_without_its_indicator_state() {
    let (series, _) = sp500();
    let genome = genome_file("genomes/formulas/rsi-2-formula.json");
    let mut engine = LiveEngine::new(genome, "SPX", BacktestConfig::default()).unwrap();
    engine.on_bar(series.bar(0).unwrap(), false).unwrap();
    let text = serde_json::to_string(&engine).unwrap();
    let mut restored: LiveEngine = serde_json::from_str(&text).unwrap();
    let error = restored.on_bar(series.bar(1).unwrap(), false).unwrap_err();
    assert!(error.to_string().contains("cannot go on"), "{error}");
}
