//! The permutation test of the whole search (`gauntlet study --permutations N`, #32): only the
//! in-sample bars are permuted; a job array's shares and their merge give the study of one
//! process byte for byte; the real search is the first seed's run's own search.
//!
//! Two heavy checks are `#[ignore]`d (run them in a release build, README "Is there an edge at
//! all?"):
//! - calibration: on pure-noise universes (bundled daily bars resampled bar by bar, so every bar is
//!   drawn independently and the null hypothesis holds exactly) the p-values are uniform;
//! - power: on the planted-edge universe the test finds the edge.

mod common;

use std::path::Path;
use std::time::Instant;

use common::add_daily_dataset;
use gauntlet_data::Catalog;
use gauntlet_evolve::Selection;
use gauntlet_jobs::Shard;
use gauntlet_jobs::permutation::{permutation_p_value, permutation_test};
use gauntlet_jobs::study::{StudyPlan, merge_study, run_study};
use gauntlet_run::{Experiment, QUICKSTART_TOML, RunFolder, prepare, prepare_permuted};
use gauntlet_testkit::{PlantedEdge, planted_edge_series, repository};
use gauntlet_tournament::objectives::Measure;
use gauntlet_tournament::{Category, Part};

/// No planted drift: with blocks of one bar, the resampled series is a sequence of independent
/// bars (their gaps and shapes drawn with replacement from the source's), pure noise.
const NOISE: PlantedEdge = PlantedEdge {
    rsi_period: 2,
    oversold: 10.0,
    drift: 0.0,
};

/// A catalog in `folder` of `sources.len()` symbols `noise-<i>` of `bars` daily bars (one
/// calendar), resampled from the bundled datasets `sources` in blocks of `block` bars with `edge`,
/// from seeds `first_seed + i`.
fn catalog(
    folder: &Path,
    sources: &[&str],
    bars: usize,
    block: usize,
    edge: PlantedEdge,
    first_seed: u64,
) -> Catalog {
    let bundled = Catalog::open(&repository().join("datasets")).unwrap();
    std::fs::create_dir_all(folder).unwrap();
    std::fs::write(folder.join("catalog.toml"), "").unwrap();
    let mut catalog = Catalog::open(folder).unwrap();
    for (index, source) in sources.iter().enumerate() {
        let (_, series) = bundled.load(source).unwrap();
        let resampled = planted_edge_series(&series, bars, block, edge, first_seed + index as u64);
        add_daily_dataset(&mut catalog, &format!("noise-{index}"), &resampled);
    }
    catalog
}

/// A small search on `symbols` noise symbols: `generations` of `population` on two islands,
/// tournament selection, monthly performance, no seed genomes.
fn experiment(symbols: usize, generations: u32, population: usize, seed: u64) -> Experiment {
    let mut experiment =
        Experiment::from_toml(QUICKSTART_TOML, "quickstart.toml".as_ref()).unwrap();
    experiment.name = "noise".into();
    experiment.seed = seed;
    experiment.datasets = (0..symbols).map(|index| format!("noise-{index}")).collect();
    experiment.seed_genomes.clear();
    experiment.category = Category::MonthlyPerformance;
    experiment.generations = generations;
    experiment.population.size = population;
    experiment.population.islands = 2;
    experiment.population.migrants = 1;
    experiment.population.hall_of_fame = 5;
    experiment.gate.monte_carlo_paths = 100;
    experiment.gate.pbo_trials = 20;
    experiment.gate.data_snooping_draws = 200;
    experiment
}

#[test]
fn a_permutation_moves_only_the_in_sample_bars_and_is_reproducible() {
    let folder = tempfile::tempdir().unwrap();
    let catalog = catalog(folder.path(), &["sp500-1d", "msft-1d"], 600, 1, NOISE, 11);
    let experiment = experiment(2, 1, 16, 3);
    let (real, _) = prepare(&experiment, &catalog).unwrap();
    let zero = prepare_permuted(&experiment, &catalog, 0).unwrap();
    let first = prepare_permuted(&experiment, &catalog, 1).unwrap();
    let again = prepare_permuted(&experiment, &catalog, 1).unwrap();
    let second = prepare_permuted(&experiment, &catalog, 2).unwrap();
    for (index, symbol) in real.symbols.iter().enumerate() {
        let series = |universe: &gauntlet_tournament::Universe, part: Part| {
            universe.symbols[index].market(part).series().clone()
        };
        for part in [Part::Validation, Part::Holdout] {
            assert_eq!(series(&first, part), series(&real, part), "{part:?}");
        }
        assert_eq!(series(&zero, Part::InSample), series(&real, Part::InSample));
        assert_eq!(
            series(&first, Part::InSample),
            series(&again, Part::InSample)
        );
        let (original, permuted) = (
            series(&real, Part::InSample),
            series(&first, Part::InSample),
        );
        assert_eq!(original.timestamps(), permuted.timestamps());
        assert_eq!(original.bar(0), permuted.bar(0));
        // The same changes in another order: the same last close (up to rounding), other paths.
        let last = |series: &gauntlet_core::BarSeries| *series.close().last().unwrap();
        assert!((last(&original) / last(&permuted) - 1.0).abs() < 1e-9);
        assert_ne!(original.close(), permuted.close(), "{}", symbol.dataset);
        assert_ne!(
            permuted.close(),
            series(&second, Part::InSample).close(),
            "two permutations differ"
        );
        // The same gaps (log open against the previous close) and bodies (log close against the
        // open) in another order: sorted, each symbol's are its original's.
        let pieces = |series: &gauntlet_core::BarSeries| {
            let (open, close) = (series.open(), series.close());
            let mut gaps: Vec<f64> = (1..open.len())
                .map(|t| (open[t] / close[t - 1]).ln())
                .collect();
            let mut bodies: Vec<f64> = (1..open.len()).map(|t| (close[t] / open[t]).ln()).collect();
            gaps.sort_by(f64::total_cmp);
            bodies.sort_by(f64::total_cmp);
            [gaps, bodies]
        };
        for (before, after) in pieces(&original).iter().zip(&pieces(&permuted)) {
            assert_eq!(before.len(), after.len());
            assert!(before.iter().zip(after).all(|(a, b)| (a - b).abs() < 1e-9));
        }
    }
}

#[test]
fn shares_and_their_merge_give_the_study_of_one_process() {
    let folder = tempfile::tempdir().unwrap();
    let catalog = catalog(
        &folder.path().join("datasets"),
        &["sp500-1d", "msft-1d"],
        500,
        1,
        NOISE,
        21,
    );
    let mut experiment = experiment(2, 2, 16, 5);
    experiment.study.permutations = 3;
    let plan = StudyPlan {
        first_seed: 5,
        seeds: 2,
    };
    let whole = folder.path().join("whole");
    let study = run_study(
        &experiment,
        &catalog,
        plan,
        Shard::WHOLE,
        &whole,
        &mut |_| {},
    )
    .unwrap()
    .unwrap();
    let shared = folder.path().join("shared");
    for index in 0..2 {
        let shard = Shard { index, count: 2 };
        let share = run_study(&experiment, &catalog, plan, shard, &shared, &mut |_| {}).unwrap();
        assert!(share.is_none());
    }
    let merged = merge_study(&shared, plan).unwrap();
    assert_eq!(merged, study);
    let bytes = |folder: &Path| std::fs::read(RunFolder::new(folder).study_path()).unwrap();
    assert_eq!(bytes(&whole), bytes(&shared));

    // The real search is the first seed's run's search: the same best in-sample fitness and the
    // same champion, as `run.json` records them.
    let test = study.permutation_test.unwrap();
    let chance = RunFolder::new(whole.join("seed-5"))
        .read_manifest()
        .unwrap()
        .evolution_vs_chance
        .unwrap();
    assert_eq!(test.real_best_in_sample, chance.run_best_in_sample_fitness);
    assert_eq!(
        test.real_champion_validation,
        chance.champion_validation_fitness
    );
    assert_eq!(test.permutations, 3);
    assert_eq!(test.permuted_best_in_sample.len(), 3);
    // The p-values by hand from the nulls: (1 + at least as large) / 4.
    let by_hand = |real: Option<f64>, permuted: &[Option<f64>]| {
        let real = real.unwrap_or(f64::NEG_INFINITY);
        let larger = permuted
            .iter()
            .filter(|value| value.unwrap_or(f64::NEG_INFINITY) >= real)
            .count();
        (1 + larger) as f64 / 4.0
    };
    assert_eq!(
        test.best_in_sample_p_value,
        by_hand(test.real_best_in_sample, &test.permuted_best_in_sample)
    );
    assert_eq!(
        test.champion_validation_p_value,
        by_hand(
            test.real_champion_validation,
            &test.permuted_champion_validation
        )
    );
    // A share of another experiment is refused in the shared folder.
    let mut other = experiment.clone();
    other.seed = 99;
    let error = run_study(
        &other,
        &catalog,
        plan,
        Shard { index: 0, count: 2 },
        &shared,
        &mut |_| {},
    )
    .unwrap_err();
    assert!(
        error.to_string().contains("another experiment's study"),
        "{error}"
    );
}

#[test]
fn too_many_permutations_are_refused_before_any_work() {
    let folder = tempfile::tempdir().unwrap();
    let catalog = catalog(folder.path(), &["sp500-1d"], 300, 1, NOISE, 1);
    let mut experiment = experiment(1, 1, 16, 1);
    experiment.study.permutations = gauntlet_jobs::permutation::MAX_PERMUTATIONS + 1;
    let out = folder.path().join("study");
    let error = run_study(
        &experiment,
        &catalog,
        StudyPlan {
            first_seed: 1,
            seeds: 1,
        },
        Shard::WHOLE,
        &out,
        &mut |_| {},
    )
    .unwrap_err();
    assert!(error.to_string().contains("study.permutations"), "{error}");
    assert!(!out.exists());
}

/// Calibration, chosen before it was first run (#32): 100 pure-noise universes (two symbols of
/// 1,000 independent bars each, resampled bar by bar from the bundled S&P 500 and Microsoft daily
/// bars with their drift removed, seeds `7000 + 2u` and `7001 + 2u`), each searched with seed
/// `u + 1` (3 generations of 24 on two islands) and tested with N = 99 permutations. Under the
/// null every ordering of a universe's in-sample bars is equally likely, so the best in-sample
/// fitness's p-values are uniform on {0.01, ..., 1}: the share below 0.05 must lie in
/// [0.01, 0.10] and a Kolmogorov-Smirnov test against uniform must give p > 0.01. The champion's
/// validation p-values are printed beside them.
///
/// First run (#32; 117 s in release on two shared cores): 2 of 100 best in-sample p-values below
/// 0.05, KS D = 0.060, p = 0.94. The champion's validation p-values: 2 of 100 below 0.05, KS
/// p = 0.003 (conservative: 10 at p = 1, 63 above 0.5; ties and ineligible champions).
#[test]
#[ignore = "10,000 searches: run with --release -- --ignored (README, \"Is there an edge at all?\")"]
fn on_pure_noise_the_permutation_p_values_are_uniform() {
    const UNIVERSES: u64 = 100;
    const PERMUTATIONS: u32 = 99;
    let folder = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let mut in_sample = Vec::new();
    let mut validation = Vec::new();
    for universe in 0..UNIVERSES {
        let catalog = catalog(
            &folder.path().join(format!("universe-{universe}")),
            &["sp500-1d", "msft-1d"],
            1_000,
            1,
            NOISE,
            7_000 + 2 * universe,
        );
        let experiment = experiment(2, 3, 24, universe + 1);
        let test = permutation_test(&experiment, &catalog, PERMUTATIONS).unwrap();
        in_sample.push(test.best_in_sample_p_value);
        validation.push(test.champion_validation_p_value);
        eprintln!(
            "universe {universe} done, {:.0} s so far",
            started.elapsed().as_secs_f64()
        );
    }
    let figures = |values: &[f64]| {
        let below = values.iter().filter(|p| **p < 0.05).count() as f64 / values.len() as f64;
        let (statistic, p) =
            gauntlet_stats::goodness_of_fit::kolmogorov_smirnov_uniform(values).unwrap();
        (below, statistic, p)
    };
    let (below, statistic, ks_p) = figures(&in_sample);
    let (v_below, v_statistic, v_ks_p) = figures(&validation);
    println!(
        "best in-sample: share of p < 0.05 = {below:.3}, KS D = {statistic:.4}, KS p = {ks_p:.4}\n\
         champion's validation: share of p < 0.05 = {v_below:.3}, KS D = {v_statistic:.4}, KS p = {v_ks_p:.4}\n\
         in-sample p-values: {in_sample:?}\nvalidation p-values: {validation:?}\n{:.0} s",
        started.elapsed().as_secs_f64()
    );
    assert!((0.01..=0.10).contains(&below), "share below 0.05: {below}");
    assert!(ks_p > 0.01, "KS p = {ks_p}");
}

/// The planted-edge universe of `planted_edge.rs` (its small form: two symbols of 2,000 bars
/// block-bootstrapped from the bundled S&P 500 and Microsoft daily bars, drift removed, a 0.6%
/// drift planted after RSI(2) below 10; NSGA-II on monthly performance and the plateau, 8
/// generations of 60): chosen before it was first run (#32), the best in-sample fitness's
/// permutation p (N = 99) must be below 0.05 in at least 9 of seeds 1 to 10.
///
/// First run (#32): it fails, 1 of 10 (best in-sample p = 0.05, 0.18, 0.15, 0.19, 0.06, 0.10,
/// 0.02, 0.45, 0.53, 0.13; 17 minutes in release on two shared cores). The threshold is kept as
/// chosen; a larger universe or search is the next thing to try (CHANGELOG).
#[test]
#[ignore = "1,000 searches: run with --release -- --ignored (README, \"Is there an edge at all?\")"]
fn the_permutation_test_finds_the_planted_edge() {
    const PERMUTATIONS: u32 = 99;
    let folder = tempfile::tempdir().unwrap();
    let edge = PlantedEdge {
        drift: 0.006,
        ..NOISE
    };
    let bundled = Catalog::open(&repository().join("datasets")).unwrap();
    std::fs::write(folder.path().join("catalog.toml"), "").unwrap();
    let mut catalog = Catalog::open(folder.path()).unwrap();
    for (index, source) in ["sp500-1d", "msft-1d"].iter().enumerate() {
        let (_, series) = bundled.load(source).unwrap();
        let planted = planted_edge_series(&series, 2_000, 20, edge, 100 + index as u64);
        add_daily_dataset(&mut catalog, &format!("planted-{index}"), &planted);
    }
    let started = Instant::now();
    let mut found = 0;
    let mut lines = String::new();
    for seed in 1..=10 {
        let mut experiment = experiment(2, 8, 60, seed);
        experiment.name = "planted".into();
        experiment.datasets = vec!["planted-0".into(), "planted-1".into()];
        experiment.population.hall_of_fame = 20;
        experiment.selection = Selection::Nsga2;
        experiment.objectives = vec![
            Measure::Category(Category::MonthlyPerformance),
            Measure::Plateau,
        ];
        experiment.plateau.neighbours = 4;
        let test = permutation_test(&experiment, &catalog, PERMUTATIONS).unwrap();
        found += usize::from(test.best_in_sample_p_value < 0.05);
        lines.push_str(&format!(
            "seed {seed}: best in-sample p = {:.2}, champion's validation p = {:.2}\n",
            test.best_in_sample_p_value, test.champion_validation_p_value
        ));
        eprintln!(
            "seed {seed} done, {:.0} s so far",
            started.elapsed().as_secs_f64()
        );
    }
    println!(
        "{lines}p < 0.05 in {found} of 10 seeds; {:.0} s",
        started.elapsed().as_secs_f64()
    );
    assert!(found >= 9, "{lines}");
    // The p-value helper agrees with the definition on a toy null.
    assert_eq!(permutation_p_value(Some(1.0), &[Some(0.0); 99]), 0.01);
}
