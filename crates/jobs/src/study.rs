//! `gauntlet study`: does evolution beat random search on this experiment, over seeds? Runs the
//! experiment with S seeds; each run already scores random search with its own seed, the same
//! budget of evaluations and the same way of choosing (finalists picked on validation, then
//! scored once on the holdout). The study compares the two sets of holdout fitness with a
//! one-sided Mann-Whitney U test and counts the seeds evolution won ([`Study`], `study.json`).
//! With permutations it adds the permutation test of the first seed's whole search
//! ([`crate::permutation`]).

use std::path::Path;
use std::sync::atomic::AtomicBool;

use gauntlet_data::Catalog;

use crate::error::JobError;
use crate::permutation::{
    check_permutations, read_permutations, run_permutations, summarise_permutations,
};
use crate::shard::Shard;
use gauntlet_run::{Experiment, PermutationRecord};
use gauntlet_run::{RunFolder, RunManifest, Study, StudySeed};
use gauntlet_run::{RunOutcome, RunSummary, Silent, start};

/// Most seeds a study may run.
pub const MAX_STUDY_SEEDS: usize = 1_000;

/// What a study runs: seeds `first_seed..first_seed + seeds`, and (when the experiment's
/// `[study] permutations` is above 0) the permutation test of the first seed's search
/// ([`crate::permutation`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StudyPlan {
    /// The first run's seed.
    pub first_seed: u64,
    /// Runs, 1 to [`MAX_STUDY_SEEDS`].
    pub seeds: usize,
}

/// What a study reports as it goes.
#[derive(Debug)]
pub enum StudyEvent<'a> {
    /// A seed's run finished.
    RunFinished(&'a RunSummary),
    /// A search of the permutation test finished (permutation 0: the real data).
    PermutationFinished(&'a PermutationRecord),
    /// A [`Shard`]'s runs and searches are done, in `folder`; [`merge_study`] comes once every
    /// share is.
    ShareDone {
        /// The share.
        shard: Shard,
        /// The study folder.
        folder: &'a Path,
    },
}

/// The experiment of seed `seed`'s run (the permutation test's searches use the first seed's).
fn seed_experiment(experiment: &Experiment, seed: u64) -> Experiment {
    let mut run_experiment = experiment.clone();
    run_experiment.seed = seed;
    run_experiment.name = format!("{}-seed-{seed}", experiment.name);
    run_experiment.study = gauntlet_run::StudySettings::default();
    run_experiment
}

/// Checks the plan before any work.
fn check_plan(experiment: &Experiment, plan: StudyPlan) -> Result<(), JobError> {
    let invalid = |field: &str, message: String| JobError::Config {
        field: field.into(),
        message,
    };
    if experiment.walk_forward.is_some() {
        return Err(invalid(
            "walk_forward",
            "a study runs plain experiments; remove [walk_forward] from the experiment".into(),
        ));
    }
    if plan.seeds == 0 || plan.seeds > MAX_STUDY_SEEDS {
        return Err(JobError::Flag {
            flag: "--seeds".into(),
            message: format!("must be 1 to {MAX_STUDY_SEEDS}, got {}", plan.seeds),
        });
    }
    check_permutations(experiment.study.permutations)
}

/// Runs the study `plan` of `experiment` in `folder`: `seeds` runs (seeds `first_seed`,
/// `first_seed + 1`, ...) in `folder/seed-<seed>/`, then the `[study] permutations` searches of
/// the permutation test in `folder/permutations/`, telling `observer` after each; then writes `study.json`. With a `shard`
/// of several (a task of a job array), only that share of the runs (position: the seed's offset)
/// and of the searches (position: the permutation) is made and `None` is returned:
/// [`merge_study`] assembles the study once every share is done.
///
/// # Errors
/// [`JobError::Config`] for a walk-forward experiment, 0 or more than [`MAX_STUDY_SEEDS`]
/// seeds, too many permutations, or an interrupted run; [`JobError::RunFolder`] when `folder`
/// holds another experiment's study; as [`start`] for each run.
pub fn run_study(
    experiment: &Experiment,
    catalog: &Catalog,
    plan: StudyPlan,
    shard: Shard,
    folder: &Path,
    observer: &mut dyn FnMut(StudyEvent<'_>),
) -> Result<Option<Study>, JobError> {
    check_plan(experiment, plan)?;
    experiment.validate(catalog)?;
    // In a cluster job rank 0 writes `folder`, the other ranks a private one.
    let rank_folder = gauntlet_tournament::cluster::RankFolder::for_rank(folder, false)?;
    let folder = rank_folder.path();
    std::fs::create_dir_all(folder).map_err(|source| JobError::Io {
        path: folder.to_path_buf(),
        source,
    })?;
    // The shares of a job array write one folder: every one must run the same experiment.
    let study_folder = RunFolder::new(folder);
    if study_folder.config_path().is_file() && study_folder.read_experiment()? != *experiment {
        return Err(JobError::RunFolder {
            path: folder.to_path_buf(),
            message:
                "holds another experiment's study; give every share the same --config and --out"
                    .into(),
        });
    }
    study_folder.write_experiment(experiment)?;
    let root = gauntlet_tournament::cluster::is_root();
    let stop = AtomicBool::new(false);
    for offset in 0..plan.seeds as u64 {
        if !shard.takes(offset as usize) {
            continue;
        }
        let seed = plan.first_seed.wrapping_add(offset);
        let RunOutcome::Finished(summary) = start(
            seed_experiment(experiment, seed),
            catalog,
            &folder.join(format!("seed-{seed}")),
            &Silent,
            &stop,
        )?
        else {
            return Err(JobError::Config {
                field: "seeds".into(),
                message: format!("the run of seed {seed} was interrupted"),
            });
        };
        if root {
            observer(StudyEvent::RunFinished(&summary)); // the other ranks ran the same, silently
        }
    }
    if experiment.study.permutations > 0 {
        run_permutations(
            &seed_experiment(experiment, plan.first_seed),
            catalog,
            experiment.study.permutations,
            shard,
            Some(folder),
            &mut |record| {
                if root {
                    observer(StudyEvent::PermutationFinished(record));
                }
            },
        )?;
    }
    if shard.count > 1 {
        if root {
            observer(StudyEvent::ShareDone { shard, folder });
        }
        return Ok(None);
    }
    assemble(experiment, plan, folder).map(Some)
}

/// Assembles the study whose runs and searches the [`Shard`]s of a job array left in `folder`
/// (with the same `plan`; the experiment, permutations included, from the folder's
/// `config.toml`), and writes `study.json`: the same, byte for byte, as a study made in
/// one go.
///
/// # Errors
/// [`JobError::RunFolder`] naming a run or search that is missing, unfinished or another
/// study's; as [`run_study`]'s checks.
pub fn merge_study(folder: &Path, plan: StudyPlan) -> Result<Study, JobError> {
    let experiment = RunFolder::new(folder).read_experiment()?;
    check_plan(&experiment, plan)?;
    assemble(&experiment, plan, folder)
}

/// The study from the run folders and permutation files in `folder`; writes `study.json`.
fn assemble(experiment: &Experiment, plan: StudyPlan, folder: &Path) -> Result<Study, JobError> {
    let mut rows = Vec::with_capacity(plan.seeds);
    for offset in 0..plan.seeds as u64 {
        let seed = plan.first_seed.wrapping_add(offset);
        let name = format!("seed-{seed}");
        let run = RunFolder::new(folder.join(&name));
        let manifest = run
            .read_manifest()
            .ok()
            .filter(|manifest| {
                manifest.status == gauntlet_run::RunStatus::Finished && manifest.seed == seed
            })
            .ok_or_else(|| JobError::RunFolder {
                path: run.path().to_path_buf(),
                message: format!(
                    "the run of seed {seed} is missing or unfinished: run its share (--shard) to the end before --merge"
                ),
            })?;
        rows.push(study_seed(seed, name, &manifest));
    }
    let mut study = summarise(experiment, rows)?;
    let permutations = experiment.study.permutations;
    if permutations > 0 {
        let records = read_permutations(folder, plan.first_seed, permutations)?;
        study.permutation_test = Some(summarise_permutations(&records)?);
    }
    RunFolder::new(folder).write_study(&study)?;
    Ok(study)
}

/// A seed's row from its finished run's `run.json`.
fn study_seed(seed: u64, folder: String, manifest: &RunManifest) -> StudySeed {
    let chance = manifest.evolution_vs_chance.as_ref();
    let figure = |value: fn(&gauntlet_run::ChanceComparison) -> Option<f64>| chance.and_then(value);
    StudySeed {
        seed,
        folder,
        evaluations: manifest.evaluations,
        evolution_validation: figure(|chance| chance.champion_validation_fitness),
        random_validation: figure(|chance| chance.random_validation_fitness),
        evolution_holdout: figure(|chance| chance.champion_holdout_fitness),
        random_holdout: figure(|chance| chance.random_holdout_fitness),
        evolution_holdout_measure: figure(|chance| chance.champion_holdout_measure),
        random_holdout_measure: figure(|chance| chance.random_holdout_measure),
        any_champion_passed_gate: manifest
            .champions
            .iter()
            .flat_map(|champions| champions.values())
            .any(|champion| champion.passed_gate),
    }
}

/// Whether `ours` beats `theirs`: a missing value loses to any value; two missing are no win.
fn wins(ours: Option<f64>, theirs: Option<f64>) -> bool {
    match (ours, theirs) {
        (Some(ours), Some(theirs)) => ours > theirs,
        (Some(_), None) => true,
        _ => false,
    }
}

/// What a seed's row compares on the holdout: each side's measure in the category whatever its
/// eligibility there, so a champion with too few trades on a symbol of a short holdout is still
/// compared (rows written before the measure was recorded: the fitness).
fn holdout_values(row: &StudySeed) -> (Option<f64>, Option<f64>) {
    (
        row.evolution_holdout_measure.or(row.evolution_holdout),
        row.random_holdout_measure.or(row.random_holdout),
    )
}

/// The study's figures from its seeds' rows: the holdout is compared on each side's measure
/// ([`StudySeed::evolution_holdout_measure`]), the eligibility reported beside it.
///
/// # Errors
/// [`JobError::Config`] when the test cannot be computed (no rows).
pub fn summarise(experiment: &Experiment, seeds: Vec<StudySeed>) -> Result<Study, JobError> {
    let lowest = |value: Option<f64>| value.unwrap_or(f64::NEG_INFINITY);
    let evolution: Vec<f64> = seeds
        .iter()
        .map(|row| lowest(holdout_values(row).0))
        .collect();
    let random: Vec<f64> = seeds
        .iter()
        .map(|row| lowest(holdout_values(row).1))
        .collect();
    let (mann_whitney_u, p_value) =
        gauntlet_stats::rank_tests::mann_whitney_greater(&evolution, &random).map_err(|error| {
            JobError::Config {
                field: "seeds".into(),
                message: error.to_string(),
            }
        })?;
    let holdout_wins = seeds
        .iter()
        .filter(|row| {
            let (evolution, random) = holdout_values(row);
            wins(evolution, random)
        })
        .count();
    let validation_wins = seeds
        .iter()
        .filter(|row| wins(row.evolution_validation, row.random_validation))
        .count();
    let count = seeds.len();
    let verdict = if p_value < 0.05 {
        format!(
            "Evolution beat random search on the holdout in {holdout_wins} of {count} seeds (one-sided Mann-Whitney p = {p_value:.4} < 0.05): on this experiment the search finds more than chance does."
        )
    } else {
        format!(
            "Evolution beat random search on the holdout in {holdout_wins} of {count} seeds (one-sided Mann-Whitney p = {p_value:.4}, not below 0.05): on this experiment evolution is not shown to beat chance; its champions are no better evidence than random search's."
        )
    };
    Ok(Study {
        experiment: experiment.name.clone(),
        category: experiment.category,
        seeds,
        evolution_wins_on_holdout: holdout_wins,
        evolution_wins_on_validation: validation_wins,
        mann_whitney_u,
        p_value,
        verdict,
        permutation_test: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(seed: u64, evolution: Option<f64>, random: Option<f64>) -> StudySeed {
        StudySeed {
            seed,
            folder: format!("seed-{seed}"),
            evaluations: 100,
            evolution_validation: evolution,
            random_validation: random,
            evolution_holdout: evolution,
            random_holdout: random,
            evolution_holdout_measure: evolution,
            random_holdout_measure: random,
            any_champion_passed_gate: false,
        }
    }

    #[test]
    fn a_champion_ineligible_on_the_holdout_is_compared_on_its_measure() {
        let experiment = Experiment::quickstart().unwrap();
        let eligible = vec![
            row(1, Some(0.5), Some(0.1)),
            row(2, Some(0.6), Some(0.2)),
            row(3, Some(0.1), Some(0.3)),
        ];
        // Seeds 1 and 2: too few holdout trades on a symbol, the fitness null but the measure
        // kept (on seed 2 for both searches).
        let mut ineligible = eligible.clone();
        ineligible[0].evolution_holdout = None;
        ineligible[1].evolution_holdout = None;
        ineligible[1].random_holdout = None;
        let with_nulls = summarise(&experiment, ineligible).unwrap();
        let all_eligible = summarise(&experiment, eligible).unwrap();
        // Seeds 1 and 2 are evolution's wins, as when everything was eligible (a null fitness
        // ranked lowest made seed 1 a loss and seed 2 no win).
        assert_eq!(with_nulls.evolution_wins_on_holdout, 2);
        assert_eq!(with_nulls.mann_whitney_u, all_eligible.mann_whitney_u);
        assert_eq!(with_nulls.p_value, all_eligible.p_value);
        // The eligibility stays on the rows.
        assert_eq!(with_nulls.seeds[0].evolution_holdout, None);
        assert_eq!(with_nulls.seeds[0].evolution_holdout_measure, Some(0.5));
    }

    #[test]
    fn wins_and_the_test_count_missing_champions_as_the_lowest() {
        let experiment = Experiment::quickstart().unwrap();
        let study = summarise(
            &experiment,
            vec![
                row(1, Some(0.5), Some(0.1)),
                row(2, Some(0.4), None),
                row(3, None, Some(0.2)),
                row(4, None, None),
                row(5, Some(0.3), Some(0.35)),
            ],
        )
        .unwrap();
        assert_eq!(study.evolution_wins_on_holdout, 2);
        // scipy.stats.mannwhitneyu([0.5, 0.4, -inf, -inf, 0.3], [0.1, -inf, 0.2, -inf, 0.35],
        // alternative="greater", method="asymptotic"): U = 16.0, p = 0.25895219818628795.
        assert_eq!(study.mann_whitney_u, 16.0);
        assert!(
            (study.p_value - 0.25895219818628795).abs() < 1e-10,
            "{}",
            study.p_value
        );
        assert!(study.verdict.contains("not shown to beat chance"));
    }
}
