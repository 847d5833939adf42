//! Runs: an [`Experiment`] evolved generation by generation into a run folder, checkpointed after
//! every generation so it can be resumed bit for bit, then finished ([`crate::finish`]): champions
//! chosen on the validation part and scored once on the holdout part.
//!
//! A run folder holds:
//! - `config.toml`: the experiment as resolved;
//! - `run.json`: the manifest (version, seed, datasets with content hashes, times, evaluations,
//!   threads, status, timings, evolution against chance, champions);
//! - `generations.parquet`: per generation and island, best/median/worst fitness, diversity,
//!   evaluations, seconds;
//! - `leaderboard.parquet` and `leaderboard.csv`: every genome scored, ranked;
//! - `capital.parquet`: per generation and agent, the reallocation;
//! - `champions/<category>.json`: genome, lineage, in-sample, validation and holdout results,
//!   robustness and the validation gate; `champions.parquet`: one row per champion;
//! - `checkpoint/`: `state.json` plus append-only logs of rows, all written atomically.
//!
//! Every file is written to a temporary name and renamed, so a run killed at any moment leaves a
//! readable folder and a checkpoint of its last finished generation.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use gauntlet_data::{Catalog, write_bytes_atomically};
use gauntlet_evolve::{Evolution, Fingerprint};
use gauntlet_tournament::{CapitalBook, Category, Part, RankedAgent, SUMMARY_COLUMNS, Universe};

use crate::checkpoint::{
    CAPITAL_LOG, CHECKPOINT_STATE, GENERATIONS_LOG, GenerationRow, LEADERBOARD_LOG,
    LeaderboardEntry, Logs, RunState, append_lines, append_log,
};
use crate::error::{RunError, io_error};
use crate::experiment::Experiment;
use crate::finish::{RunSummary, finish};
use crate::manifest::{now, write_manifest};
use crate::observer::{GenerationProgress, Observer};
use crate::outputs::write_outputs;
use crate::prepare::{load_seed_genomes, prepare, prepare_with_warnings};
use crate::problem::{TradingProblem, lock, problem};
use crate::run_folder::{RunFolder, RunStatus, RunTimings};

/// The leaderboard, capital and generations tables are rewritten at most this often while a run
/// goes (they grow with the run, so rewriting them every generation would cost more and more), and
/// always when it stops or ends; the checkpoint is written every generation.
const TABLES_INTERVAL: std::time::Duration = std::time::Duration::from_secs(10);

/// How a run ended.
#[derive(Debug, Clone)]
pub enum RunOutcome {
    /// Every generation ran and champions were chosen.
    Finished(Box<RunSummary>),
    /// Stopped (Ctrl-C) after the checkpoint of `generation`.
    Interrupted {
        /// The run folder.
        folder: PathBuf,
        /// The last generation checkpointed.
        generation: u32,
    },
}

/// Starts a new run of `experiment` in `folder` (which must not hold a run yet): checks everything,
/// loads the data, then evolves until the last generation or until `stop` is set.
///
/// # Errors
/// [`RunError::Config`] (naming the field) before any work starts; I/O errors naming the
/// file; [`RunError::RunFolder`] when `folder` already holds a run.
pub fn start(
    experiment: Experiment,
    catalog: &Catalog,
    folder: &Path,
    observer: &dyn Observer,
    stop: &AtomicBool,
) -> Result<RunOutcome, RunError> {
    observer.phase("checking the experiment and loading data");
    let (universe, datasets, warnings) = prepare_with_warnings(&experiment, catalog)?;
    for warning in &warnings {
        observer.warning(warning);
    }
    let seeds = load_seed_genomes(&experiment)?;
    if folder.join(CHECKPOINT_STATE).exists() {
        return Err(RunError::RunFolder {
            path: folder.to_path_buf(),
            message: "already holds a run; resume it with --resume or choose another --out".into(),
        });
    }
    std::fs::create_dir_all(folder.join("checkpoint")).map_err(io_error(folder))?;
    for log in [LEADERBOARD_LOG, CAPITAL_LOG, GENERATIONS_LOG] {
        write_bytes_atomically(&folder.join(log), b"")?;
    }
    RunFolder::new(folder).write_experiment(&experiment)?;
    let problem = problem(&experiment, &universe);
    let started = Instant::now();
    observer.phase("scoring the initial population");
    let evolution = problem.failed(Evolution::start(experiment.ga_config(), &problem, seeds))?;
    let mut state = RunState {
        capital: CapitalBook::new(&experiment.capital),
        candidates: Vec::new(),
        experiment,
        datasets,
        evolution,
        committed: [0; 3],
        started_at: now(),
        seconds: [0.0; 2],
        timings: RunTimings::default(),
    };
    let mut logs = Logs {
        objectives: state.experiment.objectives.clone(),
        ..Logs::default()
    };
    finish_generation(
        &mut state, &mut logs, &problem, folder, started, observer, true,
    )?;
    evolve(state, logs, &universe, folder, observer, stop)
}

/// Resumes the run in `folder` from its checkpoint. The result is the same, byte for byte, as a run
/// that was never interrupted. A missing `config.toml` is written again from the checkpoint.
///
/// # Errors
/// [`RunError::RunFolder`] when the folder holds no readable checkpoint or a dataset changed
/// since the run started; as [`start`].
pub fn resume(
    folder: &Path,
    catalog: &Catalog,
    observer: &dyn Observer,
    stop: &AtomicBool,
) -> Result<RunOutcome, RunError> {
    let state_path = folder.join(CHECKPOINT_STATE);
    let text = std::fs::read_to_string(&state_path).map_err(|error| RunError::RunFolder {
        path: state_path.clone(),
        message: format!("no checkpoint to resume from ({error})"),
    })?;
    let state: RunState = serde_json::from_str(&text).map_err(|error| RunError::RunFolder {
        path: state_path.clone(),
        message: format!("unreadable checkpoint: {error}"),
    })?;
    check_checkpoint_belongs(folder, &state)?;
    let run_folder = RunFolder::new(folder);
    if !run_folder.config_path().exists() {
        // A deleted `config.toml` is the checkpoint's experiment: written back as the run wrote it.
        run_folder.write_experiment(&state.experiment)?;
        observer.phase("config.toml was missing: written again from the checkpoint");
    }
    observer.phase("checking the experiment and loading data");
    let (universe, datasets) = prepare(&state.experiment, catalog)?;
    for (now, then) in datasets.iter().zip(&state.datasets) {
        if now != then {
            return Err(RunError::RunFolder {
                path: folder.to_path_buf(),
                message: format!(
                    "dataset {} changed since the run started (content {} then, {} now); resuming would not reproduce the run",
                    then.name, then.content_xxh64, now.content_xxh64
                ),
            });
        }
    }
    let logs = Logs::read(folder, state.committed)?;
    evolve(state, logs, &universe, folder, observer, stop)
}

/// Refuses to resume when the folder's `config.toml` no longer says what the checkpoint ran (an
/// edited seed would be ignored while the report showed it), naming the changed settings, or when
/// the checkpoint is another run's (its start time differs from `run.json`'s).
fn check_checkpoint_belongs(folder: &Path, state: &RunState) -> Result<(), RunError> {
    let run_folder = RunFolder::new(folder);
    if run_folder.config_path().is_file() {
        let config = run_folder.read_experiment()?;
        let changed = crate::run_folder::changed_settings(&state.experiment, &config);
        if !changed.is_empty() {
            return Err(RunError::RunFolder {
                path: run_folder.config_path(),
                message: format!(
                    "was edited after the run started ({} changed); a run resumes with the settings it started with: undo the edit, or start a new run with the edited file as --config",
                    changed.join(", ")
                ),
            });
        }
    }
    if run_folder.manifest_path().is_file() {
        let manifest = run_folder.read_manifest()?;
        if manifest.started_at != state.started_at || manifest.seed != state.experiment.seed {
            return Err(RunError::RunFolder {
                path: folder.join(CHECKPOINT_STATE),
                message: format!(
                    "is another run's checkpoint (started {} with seed {}; run.json: started {} with seed {}); resuming would mix two runs",
                    state.started_at, state.experiment.seed, manifest.started_at, manifest.seed
                ),
            });
        }
    }
    Ok(())
}

/// The generations loop, then the run's finish ([`finish`]).
fn evolve(
    mut state: RunState,
    mut logs: Logs,
    universe: &Universe,
    folder: &Path,
    observer: &dyn Observer,
    stop: &AtomicBool,
) -> Result<RunOutcome, RunError> {
    // A resumed run's logs may hold lines past the checkpoint: cut them off.
    append_log(&folder.join(LEADERBOARD_LOG), &logs.leaderboard)?;
    append_log(&folder.join(CAPITAL_LOG), &logs.capital)?;
    append_log(&folder.join(GENERATIONS_LOG), &logs.generations)?;
    logs.objectives = state.experiment.objectives.clone();
    let problem = problem(&state.experiment, universe);
    let mut tables_written = Instant::now();
    while state.evolution.generation < state.experiment.generations {
        // In a cluster job every rank stops at the same generation, whichever was asked.
        if gauntlet_tournament::cluster::stop_agreed(stop.load(Ordering::SeqCst)) {
            write_outputs(folder, &logs)?;
            write_manifest(folder, &state, universe, RunStatus::Interrupted, None, None)?;
            return Ok(RunOutcome::Interrupted {
                folder: folder.to_path_buf(),
                generation: state.evolution.generation,
            });
        }
        let started = Instant::now();
        problem.failed(state.evolution.step(&problem))?;
        let tables_due = tables_written.elapsed() >= TABLES_INTERVAL;
        finish_generation(
            &mut state, &mut logs, &problem, folder, started, observer, tables_due,
        )?;
        if tables_due {
            tables_written = Instant::now();
        }
    }
    write_outputs(folder, &logs)?;
    let summary = finish(&state, &logs, universe, &problem, folder, observer)?;
    Ok(RunOutcome::Finished(Box::new(summary)))
}

/// After a generation was scored: leaderboard lines for new genomes, capital reallocation,
/// statistics, the checkpoint, and (when `write_tables`) the leaderboard, capital and generations
/// tables.
#[allow(clippy::too_many_arguments)]
fn finish_generation(
    state: &mut RunState,
    logs: &mut Logs,
    problem: &TradingProblem<'_>,
    folder: &Path,
    started: Instant,
    observer: &dyn Observer,
    write_tables: bool,
) -> Result<(), RunError> {
    let generation = state.evolution.generation;
    let step_seconds = started.elapsed().as_secs_f64();
    let mut scored = lock(&problem.scored);
    let mut new_entries = Vec::new();
    let mut added = BTreeSet::new();
    for individual in state.evolution.population() {
        if individual.born != generation
            || logs.cagr.contains_key(&individual.fingerprint)
            || !added.insert(individual.fingerprint)
        {
            continue;
        }
        let Some(result) = scored.remove(&individual.fingerprint) else {
            continue;
        };
        let metrics = match &result.score {
            Some(score) => score
                .summary()
                .into_iter()
                .map(|(_, value)| (!value.is_nan()).then_some(value))
                .collect(),
            None => vec![None; SUMMARY_COLUMNS.len()],
        };
        let category_fitness = Category::ALL
            .iter()
            .map(|category| {
                result
                    .score
                    .as_ref()
                    .and_then(|score| category.judge(score, &problem.eligibility).fitness)
            })
            .collect();
        new_entries.push(LeaderboardEntry {
            id: individual.id.clone(),
            generation,
            island: individual.island,
            fingerprint: individual.fingerprint,
            fitness: result.verdict.fitness,
            ineligible_because: result.verdict.ineligible_because,
            metrics,
            rules: individual.genome.describe(),
            parents: individual.parents.clone(),
            operators: individual.operators.clone(),
            category_fitness,
            objectives: result.objectives,
            genome: individual.genome.clone(),
        });
    }
    scored.clear();
    drop(scored);
    logs.add_entries(&new_entries);

    // Champion candidates: each island's best.
    let known_candidates: BTreeSet<Fingerprint> = state
        .candidates
        .iter()
        .map(|candidate| candidate.fingerprint)
        .collect();
    let island_bests: Vec<_> = state
        .evolution
        .islands
        .iter()
        .filter_map(|members| members.first())
        .filter(|best| best.fitness.is_some() && !known_candidates.contains(&best.fingerprint))
        .cloned()
        .collect();
    state.candidates.extend(island_bests);

    // Capital: every agent ranked by fitness (ties keep island order), earning one year of its
    // in-sample compound annual growth rate per generation.
    let mut agents: Vec<_> = state.evolution.population().collect();
    agents.sort_by(|a, b| b.rank_key().total_cmp(&a.rank_key()));
    let ranked: Vec<RankedAgent> = agents
        .iter()
        .map(|agent| RankedAgent {
            id: agent.id.clone(),
            eligible: agent.fitness.is_some(),
            return_fraction: logs.cagr.get(&agent.fingerprint).copied().unwrap_or(0.0),
        })
        .collect();
    let capital_rows = state
        .capital
        .reallocate(&state.experiment.capital, generation, &ranked);
    logs.capital.extend(capital_rows.iter().cloned());

    let scoring_seconds = std::mem::take(&mut *lock(&problem.scoring_seconds));
    let seconds = started.elapsed().as_secs_f64();
    let communication = gauntlet_tournament::cluster::communication();
    let seen = std::mem::replace(&mut *lock(&problem.communication_seen), communication);
    let (communication_seconds, bytes_exchanged) = (
        communication.seconds - seen.seconds,
        communication.bytes_exchanged - seen.bytes_exchanged,
    );
    let generation_rows: Vec<GenerationRow> = state
        .evolution
        .stats
        .iter()
        .map(|stats| GenerationRow {
            stats: stats.clone(),
            seconds,
            scoring_seconds,
            communication_seconds,
            bytes_exchanged,
        })
        .collect();
    logs.generations.extend(generation_rows.iter().cloned());
    state.seconds[0] += seconds;
    state.seconds[1] += scoring_seconds;
    let [indicators, engine, metrics, fitness] = std::mem::take(&mut *lock(&problem.scoring_clock));
    // The bar loops' time included the indicator columns they computed on first use.
    let backtests = (engine - indicators).max(0.0);
    state
        .timings
        .add_scoring(scoring_seconds, [indicators, backtests, metrics, fitness]);
    state.timings.breeding += (step_seconds - scoring_seconds).max(0.0);
    state.timings.leaderboard_and_capital += (seconds - step_seconds).max(0.0);
    state.timings.communication += communication_seconds;
    state.timings.communication_waiting += communication.waiting - seen.waiting;
    state.timings.bytes_exchanged += bytes_exchanged;

    let writing = Instant::now();
    if write_tables {
        write_outputs(folder, logs)?;
    }
    append_lines(&folder.join(LEADERBOARD_LOG), &new_entries)?;
    append_lines(&folder.join(CAPITAL_LOG), &capital_rows)?;
    append_lines(&folder.join(GENERATIONS_LOG), &generation_rows)?;
    state.committed = logs.counts();
    let checkpoint = serde_json::to_vec(&state).map_err(|error| RunError::RunFolder {
        path: folder.join(CHECKPOINT_STATE),
        message: error.to_string(),
    })?;
    write_bytes_atomically(&folder.join(CHECKPOINT_STATE), &checkpoint)?;
    write_manifest(
        folder,
        state,
        problem.universe,
        RunStatus::Running,
        None,
        None,
    )?;
    // Counted from the next manifest on (the checkpoint of this generation is already written).
    state.timings.writing += writing.elapsed().as_secs_f64();
    let evaluations: usize = state
        .evolution
        .stats
        .iter()
        .map(|stats| stats.evaluations)
        .sum();
    observer.generation(&GenerationProgress {
        generation,
        generations: state.experiment.generations,
        best: state.evolution.best().and_then(|best| best.fitness),
        evaluations_per_second: evaluations as f64 / seconds.max(1e-9),
        genome_bars_per_second: evaluations as f64 * problem.universe.bars(Part::InSample) as f64
            / scoring_seconds.max(1e-9),
    });
    Ok(())
}
