//! Champions: chosen on the validation part among the run's candidates, scored once on the
//! holdout, judged by gauntlet-honest, and their equity and trades written for the report.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use gauntlet_genome::{Genome, Lineage};
use gauntlet_honest::robustness::{Robustness, assess};
use gauntlet_tournament::{Category, GenomeScore, Part, Universe};

use crate::checkpoint::RunState;
use crate::error::RunError;
use crate::observer::Observer;
use crate::problem::TradingProblem;
use crate::run_folder::{Champion, PartResult, RunFolder};
use crate::tables::{EquityRow, TradeRow, write_rows};

fn part_result(
    problem: &TradingProblem<'_>,
    category: Category,
    genome: &Genome,
    part: Part,
) -> PartResult {
    let scored = problem.judge(genome, part);
    let verdict = match &scored.score {
        Some(score) => category.judge(score, &problem.eligibility),
        None => scored.verdict,
    };
    let measure = scored
        .score
        .as_ref()
        .and_then(|score| category.measure(score));
    let (summary, symbols) = match scored.score {
        Some(score) => (
            score
                .summary()
                .into_iter()
                .map(|(name, value)| (name.to_string(), (!value.is_nan()).then_some(value)))
                .collect(),
            score.symbols,
        ),
        None => (BTreeMap::new(), Vec::new()),
    };
    PartResult {
        fitness: verdict.fitness,
        ineligible_because: verdict.ineligible_because,
        measure,
        summary,
        symbols,
    }
}

/// The champion candidates: the hall of fame, then (NSGA-II) the final population's first front,
/// then every island's best of every generation, distinct.
pub(crate) fn champion_candidates(state: &RunState) -> Vec<&gauntlet_evolve::Individual<Genome>> {
    candidates_of(
        &state.evolution,
        state.experiment.selection,
        &state.candidates,
    )
}

/// [`champion_candidates`] of an evolution, its selection and the island bests gathered over its
/// generations.
pub(crate) fn candidates_of<'a>(
    evolution: &'a gauntlet_evolve::Evolution<Genome>,
    selection: gauntlet_evolve::Selection,
    island_bests: &'a [gauntlet_evolve::Individual<Genome>],
) -> Vec<&'a gauntlet_evolve::Individual<Genome>> {
    let mut seen = BTreeSet::new();
    let population: Vec<&gauntlet_evolve::Individual<Genome>> = evolution.population().collect();
    let first_front: Vec<&gauntlet_evolve::Individual<Genome>> = if selection
        == gauntlet_evolve::Selection::Nsga2
    {
        let points: Vec<Option<&[f64]>> = population
            .iter()
            .map(|member| (!member.objectives.is_empty()).then_some(member.objectives.as_slice()))
            .collect();
        let ranking = gauntlet_evolve::nsga2::rank(&points);
        ranking
            .order
            .iter()
            .filter(|&&index| ranking.front[index] == Some(0))
            .map(|&index| population[index])
            .collect()
    } else {
        Vec::new()
    };
    evolution
        .hall_of_fame
        .iter()
        .chain(first_front)
        .chain(island_bests)
        .filter(|candidate| seen.insert(candidate.fingerprint))
        .collect()
}

/// For each category, the candidate with the best validation fitness (the earliest candidate on a
/// tie; see [`RunState::candidates`]); scored once on the holdout part. Written to
/// `champions/<category>.json`.
pub(crate) fn choose_champions(
    state: &RunState,
    universe: &Universe,
    problem: &TradingProblem<'_>,
    folder: &Path,
    trial_returns: &[Vec<Vec<f64>>],
    observer: &dyn Observer,
) -> Result<Vec<Champion>, RunError> {
    let candidates = champion_candidates(state);
    let genomes: Vec<Genome> = candidates
        .iter()
        .map(|member| member.genome.clone())
        .collect();
    let validation: Vec<Option<GenomeScore>> = universe.score_all(&genomes, Part::Validation)?;
    let mut champions = Vec::new();
    let phase = "champions: validation, holdout, robustness";
    for (done, category) in Category::ALL.into_iter().enumerate() {
        observer.step(phase, done as u64, Category::ALL.len() as u64);
        let mut best: Option<(usize, f64)> = None;
        for (index, score) in validation.iter().enumerate() {
            let Some(score) = score else { continue };
            if let Some(fitness) = category.judge(score, &problem.eligibility).fitness
                && best.is_none_or(|(_, current)| fitness > current)
            {
                best = Some((index, fitness));
            }
        }
        let Some((index, _)) = best else { continue };
        let member = candidates[index];
        let mut genome = member.genome.clone();
        genome.name = Some(format!("{}-{}", state.experiment.name, category.name()));
        genome.lineage = Lineage {
            generation: member.born,
            parents: member.parents.clone(),
            operators: member.operators.clone(),
        };
        let champion = Champion {
            category,
            formula: category.formula().to_string(),
            id: member.id.clone(),
            fingerprint: format!("{:016x}", member.fingerprint),
            rules: genome.describe(),
            chosen: match state.experiment.selection {
                gauntlet_evolve::Selection::Tournament => format!(
                    "best validation fitness among {} candidates (the hall of fame and every generation's island bests, by in-sample {})",
                    candidates.len(),
                    state.experiment.category.name()
                ),
                gauntlet_evolve::Selection::Nsga2 => format!(
                    "best validation fitness among {} candidates (the hall of fame by in-sample {}, the final population's first front over {}, and every generation's island bests)",
                    candidates.len(),
                    state
                        .experiment
                        .objectives
                        .first()
                        .map_or("", |measure| measure.name()),
                    state
                        .experiment
                        .objectives
                        .iter()
                        .map(|measure| measure.name())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            },
            in_sample: part_result(problem, category, &genome, Part::InSample),
            validation: part_result(problem, category, &genome, Part::Validation),
            holdout: part_result(problem, category, &genome, Part::Holdout),
            robustness: Robustness {
                trials: 0,
                symbols: Vec::new(),
                regimes: Vec::new(),
                monte_carlo: None,
                perturbations: None,
                gate: Vec::new(),
                passed: false,
            },
            neighbourhood: None,
            genome,
        };
        let validation_summary: Vec<(&str, Option<f64>)> = champion
            .validation
            .summary
            .iter()
            .map(|(name, value)| (name.as_str(), *value))
            .collect();
        let robustness = assess(
            universe,
            &champion.genome,
            state.evolution.evaluations,
            trial_returns,
            &validation_summary,
            &state.experiment.gate,
            state.experiment.seed,
        );
        let neighbourhood = gauntlet_tournament::objectives::neighbourhood(
            universe,
            &champion.genome,
            category,
            &problem.eligibility,
            &state.experiment.plateau,
            state.experiment.seed,
        );
        let champion = Champion {
            robustness,
            neighbourhood: Some(neighbourhood),
            ..champion
        };
        RunFolder::new(folder).write_champion(&champion)?;
        write_champion_curves(universe, &champion.genome, folder, category)?;
        champions.push(champion);
    }
    Ok(champions)
}

/// Writes `champions/<category>-equity.parquet` (the champion's equity and the bar at every bar of
/// every part and symbol, [`EquityRow`]; each part backtested from the same initial capital) and
/// `champions/<category>-trades.parquet` (its closed trades, [`TradeRow`]): the report's champion
/// pages are drawn from them.
fn write_champion_curves(
    universe: &Universe,
    genome: &Genome,
    folder: &Path,
    category: Category,
) -> Result<(), RunError> {
    let mut equity = Vec::new();
    let mut trades = Vec::new();
    for symbol in &universe.symbols {
        for part in Part::ALL {
            let market = symbol.market(part);
            let result = gauntlet_backtest::run_backtest(genome, market, &universe.config(symbol))?;
            let series = market.series();
            let price = |values: &[f64], bar: usize| values.get(bar).copied();
            for (bar, (timestamp, equity_value)) in
                series.timestamps().iter().zip(&result.equity).enumerate()
            {
                equity.push(EquityRow {
                    dataset: symbol.dataset.clone(),
                    part: part.name().to_string(),
                    time_ms: timestamp.millis(),
                    open: price(series.open(), bar),
                    high: price(series.high(), bar),
                    low: price(series.low(), bar),
                    close: price(series.close(), bar),
                    equity: Some(*equity_value),
                });
            }
            for trade in &result.trades {
                trades.push(TradeRow {
                    dataset: symbol.dataset.clone(),
                    part: part.name().to_string(),
                    side: format!("{:?}", trade.side).to_lowercase(),
                    entry_time_ms: trade.entry_time.millis(),
                    entry_price: Some(trade.entry_price),
                    exit_time_ms: trade.exit_time.millis(),
                    exit_price: Some(trade.exit_price),
                    quantity: Some(trade.quantity),
                    net_pnl: Some(trade.net_pnl),
                    return_fraction: Some(trade.pnl_fraction),
                    bars: trade.exit_bar.saturating_sub(trade.entry_bar) as i64,
                    exit_reason: trade.exit_reason.name().to_string(),
                });
            }
        }
    }
    let run_folder = RunFolder::new(folder);
    write_rows(&run_folder.champion_equity_path(category), &equity)?;
    write_rows(&run_folder.champion_trades_path(category), &trades)
}
