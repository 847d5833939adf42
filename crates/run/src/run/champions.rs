//! Champions: chosen on the validation part, scored once on the holdout, compared with chance,
//! and exported.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use gauntlet_data::{TableColumn, write_table};
use gauntlet_evolve::{MAX_GENERATIONS, stream};
use gauntlet_genome::{Genome, Lineage, random_genome};
use gauntlet_honest::robustness::{Robustness, assess};
use gauntlet_tournament::{Category, GenomeScore, Part, Universe};

use super::problem::TradingProblem;
use super::{Champion, Observer, PartResult, RunState};
use crate::error::RunError;
use crate::run_folder::{ChanceComparison, RunFolder};

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
fn champion_candidates(state: &RunState) -> Vec<&gauntlet_evolve::Individual<Genome>> {
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
pub(super) fn choose_champions(
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

/// Scores as many random genomes as the run scored, plateau neighbours included (streams the run never uses: generation
/// `MAX_GENERATIONS - 1`), keeps as many of the best by in-sample fitness as the run had champion
/// candidates, and returns the best validation fitness among them beside the run's champion's: the
/// same budget of evaluations and the same way of choosing.
pub(super) fn against_chance(
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
            let island = (index >> 24) as u32;
            let mut rng = stream(
                experiment.seed,
                MAX_GENERATIONS - 1,
                island,
                (index & 0xff_ffff) as u32,
            );
            random_genome(&mut rng, experiment.risk)
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
    let random_holdout_fitness = pick.and_then(|(index, _)| {
        universe
            .score(&finalists[index], Part::Holdout)
            .ok()
            .and_then(|score| {
                experiment
                    .category
                    .judge(&score, &problem.eligibility)
                    .fitness
            })
    });
    let champion = champions
        .iter()
        .find(|champion| champion.category == experiment.category);
    Ok(ChanceComparison {
        random_genomes: count,
        finalists: champion_candidates(state).len(),
        champion_validation_fitness: champion.and_then(|champion| champion.validation.fitness),
        champion_holdout_fitness: champion.and_then(|champion| champion.holdout.fitness),
        random_holdout_fitness,
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

impl RunFolder {
    /// Reads `champions/<category>.json`; `None` when the run has no champion of that category
    /// (unfinished, or no eligible candidate).
    ///
    /// # Errors
    /// [`RunError::RunFolder`] naming the file and the field when it is malformed.
    pub fn read_champion(&self, category: Category) -> Result<Option<Champion>, RunError> {
        let path = self.champion_path(category);
        if !path.exists() {
            return Ok(None);
        }
        crate::run_folder::read_json(&path).map(Some)
    }

    /// Writes `champions/<category>.json` atomically (fields in the type's order).
    ///
    /// # Errors
    /// [`RunError::RunFolder`] or an I/O error naming the file.
    pub fn write_champion(&self, champion: &Champion) -> Result<(), RunError> {
        crate::run_folder::write_json(&self.champion_path(champion.category), champion)
    }
}
