//! A run's finish, after its last generation: the trials sampled for the Sharpe dispersion and
//! the Probability of Backtest Overfitting, champions chosen on the validation part and scored
//! once on the holdout part ([`crate::champions`]), as many random genomes scored to show what
//! evolution added ([`crate::chance`]), the plain verdict and the final `run.json`.

use std::path::{Path, PathBuf};
use std::time::Instant;

use gauntlet_genome::Genome;
use gauntlet_honest::robustness::{run_overfitting, sample_trials, trial_returns};
use gauntlet_tournament::objectives::Measure;
use gauntlet_tournament::{Category, Universe};

use crate::champions::{champion_candidates, choose_champions};
use crate::chance::against_chance;
use crate::checkpoint::{Logs, RunState};
use crate::error::RunError;
use crate::manifest::write_manifest;
use crate::observer::Observer;
use crate::outputs::write_champions_table;
use crate::problem::TradingProblem;
use crate::run_folder::{Champion, ChanceComparison, RunStatus, RunVerdict};
use crate::snooping::{DataSnoopingSummary, data_snooping};
use crate::verdict::run_verdict;

/// What a finished run reports.
#[derive(Debug, Clone)]
pub struct RunSummary {
    /// The run folder.
    pub folder: PathBuf,
    /// The run's category.
    pub category: Category,
    /// Champions, one per category that had an eligible candidate.
    pub champions: Vec<Champion>,
    /// Evolution against chance, in the run's category.
    pub chance: ChanceComparison,
    /// The plain verdict.
    pub verdict: RunVerdict,
    /// White's Reality Check and Hansen's SPA of the champion candidates against buy-and-hold.
    pub data_snooping: DataSnoopingSummary,
    /// Genomes scored.
    pub evaluations: u64,
    /// Seconds of evolving (including time before a resume).
    pub seconds: f64,
    /// Seconds after evolving: the overfitting statistics, choosing and testing champions, the
    /// random-search baseline.
    pub finishing_seconds: f64,
}

/// Finishes the run whose last generation `state` checkpointed: overfitting statistics,
/// champions, evolution against chance, the verdict and `run.json`.
///
/// # Errors
/// As [`choose_champions`] and [`against_chance`]; I/O errors naming the file.
pub(crate) fn finish(
    state: &RunState,
    logs: &Logs,
    universe: &Universe,
    problem: &TradingProblem<'_>,
    folder: &Path,
    observer: &dyn Observer,
) -> Result<RunSummary, RunError> {
    let finishing = Instant::now();
    observer.phase(
        "sampling the trials: Sharpe dispersion and the Probability of Backtest Overfitting",
    );
    let gate = state.experiment.gate;
    let genomes: Vec<Genome> = logs
        .leaderboard
        .iter()
        .map(|entry| entry.genome.clone())
        .collect();
    let sampled = sample_trials(&genomes, gate.pbo_trials);
    let returns = trial_returns(universe, &sampled);
    let overfitting = run_overfitting(universe, &returns, gate.pbo_blocks);
    observer.phase("choosing champions on the validation part, scoring them on the holdout part");
    let champions = choose_champions(state, universe, problem, folder, &returns, observer)?;
    write_champions_table(folder, &champions)?;
    observer.phase("scoring as many random genomes (evolution against chance)");
    // Backtests of plateau neighbours (the neighbours of every eligible genome, cache hits
    // included) count in the budget random search gets, so chance is compared at equal cost.
    let neighbour_evaluations = if problem.objectives.contains(&Measure::Plateau) {
        let eligible = logs
            .leaderboard
            .iter()
            .filter(|entry| entry.fitness.is_some())
            .count() as u64;
        eligible * problem.plateau.neighbours as u64
    } else {
        0
    };
    let chance = against_chance(
        state,
        universe,
        problem,
        &champions,
        neighbour_evaluations,
        observer,
    )?;
    observer
        .phase("Reality Check and SPA: the champion candidates against buy-and-hold on validation");
    let snooping = data_snooping(&state.experiment, universe, &champion_candidates(state));
    let mut verdict = run_verdict(
        folder,
        state.experiment.category,
        &champions,
        &chance,
        &overfitting,
    );
    verdict.against_buy_and_hold = Some(snooping.sentence());
    write_manifest(
        folder,
        state,
        universe,
        RunStatus::Finished,
        Some((&champions, &overfitting)),
        Some((&chance, &verdict, &snooping)),
    )?;
    Ok(RunSummary {
        folder: folder.to_path_buf(),
        category: state.experiment.category,
        champions,
        chance,
        verdict,
        data_snooping: snooping,
        evaluations: state.evolution.evaluations,
        seconds: state.seconds[0],
        finishing_seconds: finishing.elapsed().as_secs_f64(),
    })
}
