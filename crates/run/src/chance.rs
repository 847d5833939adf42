//! Evolution against chance: as many random genomes as the run scored (fills of the experiment's
//! template when it has one), chosen the same way as its
//! champion (in-sample leaders, then the best on validation, then scored once on the holdout).

use gauntlet_evolve::{Purpose, stream};
use gauntlet_genome::Genome;
use gauntlet_tournament::{Part, Universe};
use rand_chacha::ChaCha8Rng;

use crate::champions::champion_candidates;
use crate::checkpoint::RunState;
use crate::error::RunError;
use crate::observer::Observer;
use crate::problem::{TradingProblem, random_run_genome};
use crate::run_folder::{Champion, ChanceComparison};

/// The random stream of random genome `index` of a run's random-search baseline: the run's
/// [`Purpose::RandomBaseline`] stream at generation 0, island `index >> 24`, index
/// `index & 0xFF_FFFF` (`index` below 2^40).
pub fn random_baseline_stream(seed: u64, index: u64) -> ChaCha8Rng {
    stream(
        seed,
        Purpose::RandomBaseline,
        0,
        (index >> 24) as u32,
        (index & 0xff_ffff) as u32,
    )
}

/// Scores as many random genomes as the run scored, plateau neighbours included (each from its
/// [`random_baseline_stream`]), keeps as many of the best by in-sample fitness as the run had champion
/// candidates, and returns the best validation fitness among them beside the run's champion's: the
/// same budget of evaluations and the same way of choosing.
pub(crate) fn against_chance(
    state: &RunState,
    universe: &Universe,
    problem: &TradingProblem<'_>,
    champions: &[Champion],
    neighbour_evaluations: u64,
    observer: &dyn Observer,
) -> Result<ChanceComparison, RunError> {
    let experiment = &state.experiment;
    let count = state.evolution.evaluations + neighbour_evaluations;
    let genomes: Vec<Genome> = (0..count)
        .map(|index| {
            random_run_genome(
                &mut random_baseline_stream(experiment.seed, index),
                experiment.risk,
                problem.template.as_ref(),
            )
        })
        .collect();
    // Scored in 50 slices, so the progress bar can count them (the same results as one call).
    let slice = genomes.len().div_ceil(50).max(1);
    let mut in_sample: Vec<Option<f64>> = Vec::with_capacity(genomes.len());
    for part in genomes.chunks(slice) {
        in_sample.extend(
            universe
                .score_all(part, Part::InSample)?
                .into_iter()
                .map(|score| {
                    score.and_then(|score| {
                        experiment
                            .category
                            .judge(&score, &experiment.eligibility)
                            .fitness
                    })
                }),
        );
        observer.step(
            "random baseline: genomes scored",
            in_sample.len() as u64,
            genomes.len() as u64,
        );
    }
    let mut order: Vec<usize> = (0..genomes.len())
        .filter(|&index| in_sample[index].is_some())
        .collect();
    order.sort_by(|&a, &b| {
        in_sample[b]
            .unwrap_or(f64::NEG_INFINITY)
            .total_cmp(&in_sample[a].unwrap_or(f64::NEG_INFINITY))
            .then(a.cmp(&b))
    });
    order.truncate(champion_candidates(state).len());
    let finalists: Vec<Genome> = order.iter().map(|&index| genomes[index].clone()).collect();
    let validation: Vec<Option<f64>> = universe
        .score_all(&finalists, Part::Validation)?
        .into_iter()
        .map(|score| {
            score.and_then(|score| {
                experiment
                    .category
                    .judge(&score, &problem.eligibility)
                    .fitness
            })
        })
        .collect();
    // Random search's pick: the best validation fitness, the earliest finalist on a tie.
    let pick =
        validation
            .iter()
            .enumerate()
            .fold(
                None,
                |best: Option<(usize, f64)>, (index, fitness)| match (best, fitness) {
                    (_, None) => best,
                    (Some((_, current)), Some(fitness)) if *fitness <= current => best,
                    (_, Some(fitness)) => Some((index, *fitness)),
                },
            );
    let random_validation_fitness = pick.map(|(_, fitness)| fitness);
    let pick_holdout =
        pick.and_then(|(index, _)| universe.score(&finalists[index], Part::Holdout).ok());
    let random_holdout_fitness = pick_holdout.as_ref().and_then(|score| {
        experiment
            .category
            .judge(score, &problem.eligibility)
            .fitness
    });
    let random_holdout_measure = pick_holdout
        .as_ref()
        .and_then(|score| experiment.category.measure(score));
    let champion = champions
        .iter()
        .find(|champion| champion.category == experiment.category);
    Ok(ChanceComparison {
        random_genomes: count,
        finalists: champion_candidates(state).len(),
        champion_validation_fitness: champion.and_then(|champion| champion.validation.fitness),
        champion_holdout_fitness: champion.and_then(|champion| champion.holdout.fitness),
        random_holdout_fitness,
        champion_holdout_measure: champion.and_then(|champion| champion.holdout.measure),
        random_holdout_measure,
        random_validation_fitness,
        random_in_sample_best_validation_fitness: validation.first().copied().flatten(),
        run_best_in_sample_fitness: state
            .evolution
            .hall_of_fame
            .first()
            .and_then(|best| best.fitness),
        random_best_in_sample_fitness: order.first().and_then(|&index| in_sample[index]),
    })
}
