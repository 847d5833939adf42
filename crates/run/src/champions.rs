//! Champions: chosen on the validation part among the run's candidates, scored once on the
//! holdout, judged by gauntlet-honest, and their equity and trades written for the report.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use gauntlet_data::{TableColumn, write_table};
use gauntlet_genome::{Genome, Lineage};
use gauntlet_honest::robustness::{Robustness, assess};
use gauntlet_tournament::{Category, GenomeScore, Part, Universe};

use crate::checkpoint::RunState;
use crate::error::RunError;
use crate::observer::Observer;
use crate::problem::TradingProblem;
use crate::run_folder::{Champion, PartResult, RunFolder};

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
        summary,
        symbols,
    }
}

/// The champion candidates: the hall of fame, then (NSGA-II) the final population's first front,
/// then every island's best of every generation, distinct.
pub(crate) fn champion_candidates(state: &RunState) -> Vec<&gauntlet_evolve::Individual<Genome>> {
    let mut seen = BTreeSet::new();
    let population: Vec<&gauntlet_evolve::Individual<Genome>> =
        state.evolution.population().collect();
    let first_front: Vec<&gauntlet_evolve::Individual<Genome>> = if state.experiment.selection
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
    state
        .evolution
        .hall_of_fame
        .iter()
        .chain(first_front)
        .chain(&state.candidates)
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

/// Writes `champions/<category>-equity.parquet` (per symbol, part and bar: `dataset`, `part`,
/// `time_ms` (the bar's open time, milliseconds since the Unix epoch, UTC), the bar's `open`,
/// `high`, `low` and `close` (quote currency; a close-only dataset repeats its close) and the
/// strategy's `equity` at that bar's close, each part backtested from the same initial capital) and
/// `champions/<category>-trades.parquet` (per symbol, part and closed trade: `side`, entry and exit
/// times and prices, `quantity`, `net_pnl` in quote currency, `return` as a fraction of the entry
/// value, `bars` held and `exit_reason`): the report's champion pages are drawn from them.
fn write_champion_curves(
    universe: &Universe,
    genome: &Genome,
    folder: &Path,
    category: Category,
) -> Result<(), RunError> {
    let mut equity: [Vec<String>; 2] = Default::default();
    let (mut time, mut value) = (Vec::new(), Vec::new());
    let mut prices: [Vec<Option<f64>>; 4] = Default::default();
    let mut trade_text: [Vec<String>; 4] = Default::default();
    let mut trade_integer: [Vec<i64>; 3] = Default::default();
    let mut trade_float: [Vec<Option<f64>>; 5] = Default::default();
    for symbol in &universe.symbols {
        for part in Part::ALL {
            let market = symbol.market(part);
            let result = gauntlet_backtest::run_backtest(genome, market, &universe.config(symbol))?;
            let series = market.series();
            let columns = [series.open(), series.high(), series.low(), series.close()];
            for (bar, (timestamp, equity_value)) in
                series.timestamps().iter().zip(&result.equity).enumerate()
            {
                equity[0].push(symbol.dataset.clone());
                equity[1].push(part.name().to_string());
                time.push(timestamp.millis());
                for (column, values) in prices.iter_mut().zip(columns) {
                    column.push(values.get(bar).copied());
                }
                value.push(Some(*equity_value));
            }
            for trade in &result.trades {
                trade_text[0].push(symbol.dataset.clone());
                trade_text[1].push(part.name().to_string());
                trade_text[2].push(format!("{:?}", trade.side).to_lowercase());
                trade_text[3].push(trade.exit_reason.name().to_string());
                trade_integer[0].push(trade.entry_time.millis());
                trade_integer[1].push(trade.exit_time.millis());
                trade_integer[2].push(trade.exit_bar.saturating_sub(trade.entry_bar) as i64);
                trade_float[0].push(Some(trade.entry_price));
                trade_float[1].push(Some(trade.exit_price));
                trade_float[2].push(Some(trade.quantity));
                trade_float[3].push(Some(trade.net_pnl));
                trade_float[4].push(Some(trade.pnl_fraction));
            }
        }
    }
    let [datasets, parts] = equity;
    let [open, high, low, close] = prices;
    let champions = folder.join("champions");
    write_table(
        &champions.join(format!("{}-equity.parquet", category.name())),
        &[
            ("dataset", TableColumn::Text(datasets)),
            ("part", TableColumn::Text(parts)),
            ("time_ms", TableColumn::Integer(time)),
            ("open", TableColumn::Float(open)),
            ("high", TableColumn::Float(high)),
            ("low", TableColumn::Float(low)),
            ("close", TableColumn::Float(close)),
            ("equity", TableColumn::Float(value)),
        ],
    )?;
    let [dataset, part, side, exit_reason] = trade_text;
    let [entry_time, exit_time, bars] = trade_integer;
    let [entry_price, exit_price, quantity, net_pnl, return_fraction] = trade_float;
    write_table(
        &champions.join(format!("{}-trades.parquet", category.name())),
        &[
            ("dataset", TableColumn::Text(dataset)),
            ("part", TableColumn::Text(part)),
            ("side", TableColumn::Text(side)),
            ("entry_time_ms", TableColumn::Integer(entry_time)),
            ("entry_price", TableColumn::Float(entry_price)),
            ("exit_time_ms", TableColumn::Integer(exit_time)),
            ("exit_price", TableColumn::Float(exit_price)),
            ("quantity", TableColumn::Float(quantity)),
            ("net_pnl", TableColumn::Float(net_pnl)),
            ("return", TableColumn::Float(return_fraction)),
            ("bars", TableColumn::Integer(bars)),
            ("exit_reason", TableColumn::Text(exit_reason)),
        ],
    )?;
    Ok(())
}
