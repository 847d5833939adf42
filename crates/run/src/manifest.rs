//! `run.json` from a run's state: the manifest written after every generation and at the end.

use std::path::Path;

use gauntlet_honest::robustness::RunOverfitting;
use gauntlet_tournament::{Part, Universe};

use crate::checkpoint::RunState;
use crate::error::RunError;
use crate::run_folder::Champion;
use crate::run_folder::{
    CHAMPIONS_FOLDER, ChanceComparison, ManifestChampion, RunFolder, RunManifest, RunStatus,
    RunVerdict,
};
use crate::snooping::DataSnoopingSummary;

/// Writes `run.json`.
pub(crate) fn write_manifest(
    folder: &Path,
    state: &RunState,
    universe: &Universe,
    status: RunStatus,
    finished: Option<(&[Champion], &RunOverfitting)>,
    ending: Option<(&ChanceComparison, &RunVerdict, &DataSnoopingSummary)>,
) -> Result<(), RunError> {
    let experiment = &state.experiment;
    let [seconds, scoring] = state.seconds;
    let manifest = RunManifest {
        gauntlet_version: env!("CARGO_PKG_VERSION").to_string(),
        name: experiment.name.clone(),
        status,
        seed: experiment.seed,
        category: experiment.category,
        datasets: state.datasets.clone(),
        started_at: state.started_at.clone(),
        updated_at: now(),
        finished_at: (status == RunStatus::Finished).then(now),
        generations_done: state.evolution.generation,
        generations: experiment.generations,
        population: experiment.population.size,
        islands: experiment.population.islands,
        evaluations: state.evolution.evaluations,
        cache_hits: state.evolution.cache_hits,
        threads: rayon::current_num_threads(),
        ranks: gauntlet_tournament::cluster::ranks(),
        timings: Some(state.timings),
        in_sample_bars: Some(universe.bars(Part::InSample) as u64),
        genome_bars_per_second: (scoring > 0.0).then(|| {
            state.evolution.evaluations as f64 * universe.bars(Part::InSample) as f64 / scoring
        }),
        seconds,
        scoring_seconds: scoring,
        ga_overhead_share: if seconds > 0.0 {
            (seconds - scoring) / seconds
        } else {
            0.0
        },
        system_capital: state.capital.system_capital(),
        capital_withdrawn: state.capital.withdrawn,
        evolution_vs_chance: ending.map(|(chance, _, _)| chance.clone()),
        verdict: ending.map(|(_, verdict, _)| verdict.clone()),
        data_snooping: ending.map(|(_, _, snooping)| snooping.clone()),
        trials: state.evolution.evaluations,
        probability_of_backtest_overfitting: finished.map(|(_, overfitting)| overfitting.clone()),
        champions: finished.map(|(champions, _)| {
            champions
                .iter()
                .map(|champion| {
                    (
                        champion.category.name().to_string(),
                        ManifestChampion {
                            id: champion.id.clone(),
                            file: format!("{CHAMPIONS_FOLDER}/{}.json", champion.category.name()),
                            validation_fitness: champion.validation.fitness,
                            holdout_fitness: champion.holdout.fitness,
                            passed_gate: champion.robustness.passed,
                        },
                    )
                })
                .collect()
        }),
    };
    RunFolder::new(folder).write_manifest(&manifest)
}

/// The time now, RFC 3339, UTC, to the second.
pub(crate) fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}
