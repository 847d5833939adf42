//! One search without a run folder: an experiment evolved in memory on a universe, its champion
//! candidates gathered generation by generation as a run gathers them, and the run category's
//! champion chosen on validation as a run chooses it. Nothing is written, no holdout is scored and
//! no gate is run: the statistics of the permutation test of the whole search
//! ([`SearchResult`]), for the real data and for each permuted copy of it.

use gauntlet_data::Catalog;
use gauntlet_evolve::{Evolution, Fingerprint};
use gauntlet_genome::Genome;
use gauntlet_tournament::{Part, Universe};

use crate::champions::candidates_of;
use crate::error::RunError;
use crate::experiment::Experiment;
use crate::prepare::{load_seed_genomes, prepare_permuted};
use crate::problem::{TradingProblem, lock, problem};
use crate::run_folder::SearchResult;

/// Runs the search of `experiment` (same seed, budget and selection as its run) on its data with
/// permutation `permutation` of the in-sample bars ([`prepare_permuted`]; 0: the data as it is),
/// in memory.
///
/// # Errors
/// As [`prepare_permuted`]; [`RunError::Config`] for a bad experiment; scoring failures.
pub fn search_permutation(
    experiment: &Experiment,
    catalog: &Catalog,
    permutation: u32,
) -> Result<SearchResult, RunError> {
    let universe = prepare_permuted(experiment, catalog, permutation)?;
    search(experiment, &universe)
}

/// Runs the search of `experiment` on `universe` in memory (see the module documentation).
///
/// # Errors
/// [`RunError::Config`] for a bad experiment or seed genome; scoring failures.
pub fn search(experiment: &Experiment, universe: &Universe) -> Result<SearchResult, RunError> {
    let seeds = load_seed_genomes(experiment)?;
    let problem = problem(experiment, universe);
    let mut evolution =
        problem.failed(Evolution::start(experiment.ga_config(), &problem, seeds))?;
    let mut candidates = Vec::new();
    collect_island_bests(&evolution, &mut candidates, &problem);
    while evolution.generation < experiment.generations {
        problem.failed(evolution.step(&problem))?;
        collect_island_bests(&evolution, &mut candidates, &problem);
    }
    let chosen = candidates_of(&evolution, experiment.selection, &candidates);
    let genomes: Vec<Genome> = chosen.iter().map(|member| member.genome.clone()).collect();
    let validation = universe.score_all(&genomes, Part::Validation)?;
    let champion_validation = validation
        .iter()
        .flatten()
        .filter_map(|score| {
            experiment
                .category
                .judge(score, &problem.eligibility)
                .fitness
        })
        .fold(None, |best: Option<f64>, fitness| {
            // The earliest candidate on a tie, as the run's choice: only a larger value replaces.
            Some(best.map_or(
                fitness,
                |current| if fitness > current { fitness } else { current },
            ))
        });
    Ok(SearchResult {
        best_in_sample: evolution.hall_of_fame.first().and_then(|best| best.fitness),
        champion_validation,
        evaluations: evolution.evaluations,
    })
}

/// After a generation: each island's best joins the candidates (as a run's generation adds them)
/// and the generation's scoring records, which only a run's leaderboard reads, are dropped.
fn collect_island_bests(
    evolution: &Evolution<Genome>,
    candidates: &mut Vec<gauntlet_evolve::Individual<Genome>>,
    problem: &TradingProblem<'_>,
) {
    lock(&problem.scored).clear();
    let known: std::collections::BTreeSet<Fingerprint> = candidates
        .iter()
        .map(|candidate| candidate.fingerprint)
        .collect();
    let island_bests: Vec<_> = evolution
        .islands
        .iter()
        .filter_map(|members| members.first())
        .filter(|best| best.fitness.is_some() && !known.contains(&best.fingerprint))
        .cloned()
        .collect();
    candidates.extend(island_bests);
}
