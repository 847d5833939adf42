//! The run's honesty statistics on data whose truth is known: a search over pure-noise series finds
//! nothing that survives deflation, and a planted edge does.

mod common;

use std::sync::atomic::AtomicBool;

use common::add_daily_dataset;
use gauntlet_backtest::{BacktestConfig, CostModel, FillConvention, Market};
use gauntlet_core::{BarColumns, BarSeries, Timestamp};
use gauntlet_data::Catalog;
use gauntlet_genome::{
    AverageKind, Combine, Direction, EntryChromosome, EntryLogic, ExitChromosome, Genome, Lineage,
    RiskLimits, Rule, SizingChromosome,
};
use gauntlet_honest::robustness::GateRules;
use gauntlet_honest::validation::{Trials, validate_genome};
use gauntlet_run::{Experiment, QUICKSTART_TOML, RunOutcome, Silent, start};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Daily bars from 2000-01-01. Each day's return is Gaussian-ish noise (1% spread) plus `edge` when
/// the previous close was above its 10-bar average (0 for a pure random walk).
fn series(seed: u64, days: usize, edge: f64) -> BarSeries {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let start = Timestamp::from_ymd(2000, 1, 1).unwrap().millis();
    let mut columns = BarColumns::with_capacity(days);
    let mut closes: Vec<f64> = Vec::with_capacity(days);
    let mut close = 100.0f64;
    for day in 0..days {
        let above = day >= 10 && close > closes[day - 10..day].iter().sum::<f64>() / 10.0;
        // The sum of four uniforms: roughly normal, spread 1%.
        let noise: f64 = (0..4).map(|_| rng.random_range(-0.01..0.01)).sum::<f64>() * 0.87;
        let open = close;
        close = open * (1.0 + noise + if above { edge } else { 0.0 });
        let (high, low) = (open.max(close) * 1.002, open.min(close) * 0.998);
        columns
            .timestamps
            .push(Timestamp(start + day as i64 * 86_400_000));
        columns.open.push(open);
        columns.high.push(high);
        columns.low.push(low);
        columns.close.push(close);
        columns.volume.push(0.0);
        closes.push(close);
    }
    BarSeries::new(columns, false).unwrap()
}

/// Long while the close is above its 10-bar SMA; out when it falls below.
fn edge_genome() -> Genome {
    Genome {
        schema: 1,
        name: Some("above-sma-10".into()),
        entry: EntryChromosome {
            direction: Direction::Long,
            logic: EntryLogic::Rules {
                rules: vec![Rule::PriceVsAverage {
                    average: AverageKind::Sma,
                    period: 10,
                }],
                combine: Combine::All,
            },
        },
        exit: ExitChromosome {
            exit_on_opposite_signal: true,
            ..ExitChromosome::default()
        },
        sizing: SizingChromosome::all_equity(),
        risk: RiskLimits::default(),
        lineage: Lineage::default(),
    }
}

#[test]
fn noise_yields_no_deflated_champion_and_a_planted_edge_does() {
    let folder = tempfile::tempdir().unwrap();
    let datasets = folder.path().join("datasets");
    std::fs::create_dir_all(&datasets).unwrap();
    std::fs::write(datasets.join("catalog.toml"), "").unwrap();
    let mut catalog = Catalog::open(&datasets).unwrap();
    add_daily_dataset(&mut catalog, "noise-a", &series(1, 1_500, 0.0));
    add_daily_dataset(&mut catalog, "noise-b", &series(2, 1_500, 0.0));

    let mut experiment =
        Experiment::from_toml(QUICKSTART_TOML, "quickstart.toml".as_ref()).unwrap();
    experiment.name = "noise".into();
    experiment.datasets = vec!["noise-a".into(), "noise-b".into()];
    experiment.seed_genomes.clear();
    experiment.generations = 6;
    experiment.population.size = 60;
    experiment.population.islands = 2;
    experiment.eligibility.min_trades = 4;
    experiment.gate.monte_carlo_paths = 500;
    // No costs: they would make low-turnover genomes better than high-turnover ones in every period,
    // a real (if dull) persistence that CSCV rightly counts against overfitting.
    experiment.costs.commission_bps = 0.0;
    experiment.costs.spread_bps = 0.0;
    experiment.costs.slippage_bps = 0.0;
    let run = folder.path().join("run");
    let outcome = start(experiment, &catalog, &run, &Silent, &AtomicBool::new(false)).unwrap();
    let RunOutcome::Finished(summary) = outcome else {
        panic!("the run was interrupted");
    };
    // Nothing found on noise survives deflation by the run's trials.
    assert!(!summary.champions.is_empty());
    for champion in &summary.champions {
        let dsr_check = champion
            .robustness
            .gate
            .iter()
            .find(|check| check.check.contains("deflated"))
            .unwrap();
        assert!(!dsr_check.passed, "{:?}: {dsr_check:?}", champion.category);
        assert!(!champion.robustness.passed);
    }
    let manifest = gauntlet_run::RunFolder::new(&run).read_manifest().unwrap();
    let pbo = manifest
        .probability_of_backtest_overfitting
        .unwrap()
        .mean
        .unwrap();
    // On noise the in-sample best is no better than a coin flip out of sample: PBO is 0.5 in
    // expectation (Bailey et al. 2014); with 8 blocks (70 splits) of one small search the estimate
    // scatters around it, so the test asks for "not clearly below a coin flip".
    assert!(pbo > 0.4, "PBO {pbo} on noise");

    // The planted edge: the genome that trades it passes the DSR check with as many trials as the
    // noise run made and the dispersion of their Sharpe ratios (the null: what searching noise gives).
    let edge = Market::new("EDGE", series(3, 1_500, 0.004));
    let config = BacktestConfig {
        initial_capital: 100_000.0,
        costs: CostModel::default(),
        fill: FillConvention::NextOpen,
        close_at_end: true,
        bars_per_year: 252.0,
    };
    let null_spread = summary.champions[0]
        .robustness
        .symbols
        .iter()
        .map(|symbol| symbol.trial_sharpe_std)
        .fold(0.0, f64::max);
    assert!(null_spread > 0.0 && null_spread < 0.2, "{null_spread}");
    let trials = Trials {
        count: summary.evaluations as f64,
        sharpe_std: null_spread,
    };
    let report = validate_genome(
        &edge_genome(),
        &edge,
        &config,
        Some(trials),
        &GateRules::default(),
        5,
        None,
    )
    .unwrap();
    let dsr = report.deflated_sharpe_ratio.unwrap();
    assert!(
        dsr >= 0.95,
        "DSR of the planted edge {dsr} (trials {trials:?})"
    );
    // The same genome on noise does not.
    let noise = Market::new("NOISE", series(4, 1_500, 0.0));
    let report = validate_genome(
        &edge_genome(),
        &noise,
        &config,
        Some(trials),
        &GateRules::default(),
        5,
        None,
    )
    .unwrap();
    assert!(report.deflated_sharpe_ratio.unwrap() < 0.95);
}
