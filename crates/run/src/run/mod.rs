//! Runs: an [`Experiment`] evolved generation by generation into a run folder, checkpointed after
//! every generation so it can be resumed bit for bit, and finished by choosing champions on the
//! validation part and scoring them once on the holdout part.
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

use std::collections::{BTreeMap, BTreeSet};
use std::hash::Hasher;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use gauntlet_data::{Catalog, write_bytes_atomically};
use gauntlet_evolve::{Evolution, Fingerprint};
use gauntlet_genome::{Genome, Lineage};
use gauntlet_honest::robustness::{Robustness, run_overfitting, sample_trials, trial_returns};
use gauntlet_tournament::objectives::Measure;
use gauntlet_tournament::{CapitalBook, Category, Part, RankedAgent, SUMMARY_COLUMNS, Universe};
use serde::{Deserialize, Serialize};

use crate::error::RunError;
use crate::experiment::Experiment;
use crate::run_folder::{
    ChanceComparison, DatasetRecord, RunFolder, RunStatus, RunTimings, RunVerdict,
};

mod champions;
mod logs;
mod manifest;
mod problem;
mod tables;
mod verdict;

use champions::{against_chance, choose_champions};
use logs::{CAPITAL_LOG, GENERATIONS_LOG, LEADERBOARD_LOG, Logs, append_lines, append_log};
use manifest::write_manifest;
use problem::{TradingProblem, problem};
pub use tables::{ComparisonRow, read_comparison_table, write_comparison_table};
use tables::{write_champions_table, write_outputs};

/// The checkpoint's state file, inside the run folder.
pub const CHECKPOINT_STATE: &str = "checkpoint/state.json";
/// The leaderboard, capital and generations tables are rewritten at most this often while a run
/// goes (they grow with the run, so rewriting them every generation would cost more and more), and
/// always when it stops or ends; the checkpoint is written every generation.
const TABLES_INTERVAL: std::time::Duration = std::time::Duration::from_secs(10);

/// What a run reports as it goes (the binary draws a progress bar from it).
pub trait Observer: Sync {
    /// A phase starts (loading data, choosing champions...).
    fn phase(&self, _message: &str) {}
    /// A generation finished.
    fn generation(&self, _progress: &GenerationProgress) {}
    /// Work inside a phase after evolving: `done` of `total` units (categories whose champion is
    /// chosen and tested, random genomes scored) of the phase named `phase`.
    fn step(&self, _phase: &str, _done: u64, _total: u64) {}
}

/// An observer that ignores everything.
pub struct Silent;

impl Observer for Silent {}

/// Progress after one generation.
#[derive(Debug, Clone, PartialEq)]
pub struct GenerationProgress {
    /// The generation just finished (0 = the initial population).
    pub generation: u32,
    /// The last generation of the run.
    pub generations: u32,
    /// The best in-sample fitness of the population.
    pub best: Option<f64>,
    /// Genomes scored per second in this generation.
    pub evaluations_per_second: f64,
    /// In-sample genome-bars scored per second of scoring in this generation (new evaluations x
    /// in-sample bars / scoring seconds).
    pub genome_bars_per_second: f64,
}

impl GenerationProgress {
    /// The progress bar's message: `best 1.2345 | 310 evaluations/s | 70.1M genome-bars/s`, and
    /// `| 4 MPI ranks` in a cluster job.
    pub fn describe(&self) -> String {
        let best = self
            .best
            .map_or("none eligible".to_string(), |best| format!("{best:.4}"));
        let ranks = gauntlet_tournament::cluster::ranks();
        format!(
            "best {best} | {:.0} evaluations/s | {:.1}M genome-bars/s{}",
            self.evaluations_per_second,
            self.genome_bars_per_second / 1e6,
            if ranks > 1 {
                format!(" | {ranks} MPI ranks")
            } else {
                String::new()
            }
        )
    }
}

/// One genome's line of the leaderboard (every genome scored once, by fingerprint).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LeaderboardEntry {
    /// The id of the agent that first had these genes.
    pub id: String,
    /// The generation it was born in.
    pub generation: u32,
    /// Its island.
    pub island: u32,
    /// The genes' fingerprint.
    pub fingerprint: Fingerprint,
    /// In-sample fitness in the run's category; `None` when not eligible.
    pub fitness: Option<f64>,
    /// Why it is not eligible, if it is not.
    pub ineligible_because: Option<String>,
    /// In-sample metrics in [`gauntlet_tournament::SUMMARY_COLUMNS`] order (`None` where undefined; a profit
    /// factor without a losing trade is infinite, `"inf"` in JSON).
    #[serde(with = "gauntlet_core::json_float::infinite_list")]
    pub metrics: Vec<Option<f64>>,
    /// The rules in plain English.
    pub rules: String,
    /// Its parents' ids (none for seeds and random genomes; one for a copy, a mutation or a
    /// migrant).
    #[serde(default)]
    pub parents: Vec<String>,
    /// The operators that made it from its parents, in order (`seed`, `random`, `copy`, a crossover,
    /// a mutation, `migration`, `immigrant`).
    #[serde(default)]
    pub operators: Vec<String>,
    /// In-sample fitness in every category, in [`Category::ALL`] order (`None` where not eligible
    /// in that category): the leaderboard's `fitness_<category>` columns, so it can be ranked by any
    /// category.
    #[serde(default)]
    pub category_fitness: Vec<Option<f64>>,
    /// In-sample values of the run's NSGA-II objectives, in the experiment's order (`None` where
    /// undefined; empty for a tournament run).
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        with = "gauntlet_core::json_float::infinite_list"
    )]
    pub objectives: Vec<Option<f64>>,
    /// The genome (kept in the checkpoint's log, not in the tables): the trials the run's
    /// overfitting statistics sample.
    pub genome: Genome,
}

/// One island's line of `generations.parquet`: the GA's island statistics and the generation's
/// timing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GenerationRow {
    /// Best/median/worst fitness, eligible agents, diversity and new evaluations of the island.
    #[serde(flatten)]
    pub stats: gauntlet_evolve::IslandStats,
    /// Wall-clock seconds of the whole generation.
    pub seconds: f64,
    /// Of which scoring genomes (the rest is the GA's own work: breeding, reallocation, files).
    pub scoring_seconds: f64,
    /// Of the scoring, seconds rank 0 spent in the cluster's collectives (0 without a cluster;
    /// [`gauntlet_tournament::cluster`]).
    #[serde(default)]
    pub communication_seconds: f64,
    /// Bytes of results the ranks exchanged in the generation (0 without a cluster).
    #[serde(default)]
    pub bytes_exchanged: u64,
}

/// The checkpoint: everything needed to continue a run bit for bit.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RunState {
    /// The resolved experiment.
    pub experiment: Experiment,
    /// The datasets and their hashes.
    pub datasets: Vec<DatasetRecord>,
    /// The population, hall of fame and fitness cache.
    pub evolution: Evolution<Genome>,
    /// Capital per agent.
    pub capital: CapitalBook,
    /// Champion candidates beyond the hall of fame: the best agent of every island in every
    /// generation (distinct genomes), so validation can also pick a genome from before in-sample
    /// over-fitting set in (early stopping on the validation part).
    pub candidates: Vec<gauntlet_evolve::Individual<Genome>>,
    /// Lines committed to each log (leaderboard, capital, generations).
    pub committed: [usize; 3],
    /// When the run started (RFC 3339, UTC).
    pub started_at: String,
    /// Seconds spent so far, in total and scoring genomes.
    pub seconds: [f64; 2],
    /// Where the time went so far (absent in checkpoints written before Gauntlet recorded it).
    #[serde(default)]
    pub timings: RunTimings,
}

/// A champion: the best of the hall of fame on the validation part in one category. Written as
/// `champions/<category>.json` and read back with [`crate::RunFolder::read_champion`].
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Champion {
    /// The category.
    pub category: Category,
    /// Its formula in words.
    pub formula: String,
    /// The agent's id.
    pub id: String,
    /// The genes' fingerprint, hex.
    pub fingerprint: String,
    /// The rules in plain English.
    pub rules: String,
    /// How it was chosen.
    pub chosen: String,
    /// The genome with its lineage, ready for `gauntlet backtest --genome` and `gauntlet paper`.
    pub genome: Genome,
    /// Results on each part.
    pub in_sample: PartResult,
    /// Results on the validation part (where it was chosen).
    pub validation: PartResult,
    /// Results on the holdout part (scored once, never used to choose).
    pub holdout: PartResult,
    /// PSR, DSR with the run's trials, MinTRL, Monte Carlo and the validation gate.
    pub robustness: Robustness,
    /// Its parameter neighbourhood in-sample ([`gauntlet_tournament::objectives::neighbourhood`], with the
    /// experiment's `[plateau]` rules): how much of its fitness survives small changes to its
    /// parameters. Absent in folders written before Gauntlet computed it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub neighbourhood: Option<gauntlet_tournament::objectives::Neighbourhood>,
}

/// A genome's results on one part.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PartResult {
    /// The category's verdict.
    pub fitness: Option<f64>,
    /// Why there is no fitness, if there is none.
    pub ineligible_because: Option<String>,
    /// Metrics over symbols ([`GenomeScore::summary`]: means, trade ratios pooled); `None` where
    /// undefined, infinities kept (`"inf"` in JSON).
    #[serde(with = "gauntlet_core::json_float::infinite_map")]
    pub summary: BTreeMap<String, Option<f64>>,
    /// Per symbol.
    pub symbols: Vec<gauntlet_tournament::SymbolScore>,
}

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
    /// Genomes scored.
    pub evaluations: u64,
    /// Seconds of evolving (including time before a resume).
    pub seconds: f64,
    /// Seconds after evolving: the overfitting statistics, choosing and testing champions, the
    /// random-search baseline.
    pub finishing_seconds: f64,
}

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

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> RunError + '_ {
    move |source| RunError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// The symbol of the CBOE Volatility Index: a universe dataset with it labels volatility regimes.
pub const VIX_SYMBOL: &str = "^VIX";

/// XXH64 of a file's bytes, hex.
fn content_hash(path: &Path) -> Result<String, RunError> {
    let bytes = std::fs::read(path).map_err(io_error(path))?;
    let mut hasher = twox_hash::XxHash64::with_seed(0);
    hasher.write(&bytes);
    Ok(format!("{:016x}", hasher.finish()))
}

/// Loads the experiment's datasets (checking it first) and builds its universe; also returns the
/// datasets' records (file, bars, content hash) as `run.json` lists them.
///
/// # Errors
/// As [`Experiment::validate`], [`Catalog::load`] and [`Universe::new`].
pub fn prepare(
    experiment: &Experiment,
    catalog: &Catalog,
) -> Result<(Universe, Vec<DatasetRecord>), RunError> {
    experiment.validate(catalog)?;
    let mut loaded = Vec::with_capacity(experiment.datasets.len());
    let mut records = Vec::with_capacity(experiment.datasets.len());
    for name in &experiment.datasets {
        let (entry, series) = catalog.load(name)?;
        let series = match experiment.data_window {
            Some([start, end]) => series.slice(
                series.index_at_or_after(gauntlet_core::Timestamp(start))
                    ..series.index_at_or_after(gauntlet_core::Timestamp(end)),
            ),
            None => series,
        };
        let path = catalog.file_path(&entry);
        records.push(DatasetRecord {
            name: name.clone(),
            symbol: entry.symbol.clone(),
            file: entry.file.clone(),
            bars: series.len(),
            content_xxh64: content_hash(&path)?,
        });
        loaded.push((entry, series));
    }
    // The volatility index: the experiment's, loaded whole (recorded like a dataset, so a resumed
    // run refuses a changed one), else a `^VIX` dataset of the universe.
    let volatility_index = match &experiment.volatility_index {
        Some(name) => {
            let (entry, series) = catalog.load(name)?;
            records.push(DatasetRecord {
                name: name.clone(),
                symbol: entry.symbol.clone(),
                file: entry.file.clone(),
                bars: series.len(),
                content_xxh64: content_hash(&catalog.file_path(&entry))?,
            });
            Some(series)
        }
        None => loaded
            .iter()
            .find(|(entry, _)| entry.symbol == VIX_SYMBOL)
            .map(|(_, series)| series.clone()),
    };
    let universe = Universe::new(
        loaded,
        experiment.split,
        experiment.costs,
        experiment.indicator_cache_mib.saturating_mul(1 << 20),
        volatility_index,
    )?;
    // A trade takes at least a bar: more trades than bars rank nobody, after hours of evolving.
    let eligibility = &experiment.eligibility;
    let bars = universe.bars(Part::InSample);
    let fewest = universe
        .symbols
        .iter()
        .map(|symbol| symbol.market(Part::InSample).series().len())
        .min()
        .unwrap_or(0);
    for (field, wanted, available, what) in [
        (
            "min_trades",
            eligibility.min_trades,
            bars,
            "in-sample bars in all",
        ),
        (
            "min_trades_per_symbol",
            eligibility.min_trades_per_symbol,
            fewest,
            "in-sample bars on the shortest symbol",
        ),
    ] {
        if wanted > available {
            return Err(RunError::Config {
                field: format!("eligibility.{field}"),
                message: format!(
                    "{wanted} trades cannot fit in {available} {what}: no genome could be ranked"
                ),
            });
        }
    }
    Ok((universe, records))
}

fn load_seed_genomes(experiment: &Experiment) -> Result<Vec<Genome>, RunError> {
    experiment
        .seed_genomes
        .iter()
        .enumerate()
        .map(|(index, path)| {
            let field = format!("seed_genomes[{index}]");
            let text = std::fs::read_to_string(path).map_err(|error| RunError::Config {
                field: field.clone(),
                message: format!("{}: {error}", path.display()),
            })?;
            let mut genome = Genome::from_json(&text).map_err(|error| RunError::Config {
                field: field.clone(),
                message: format!("{}: {error}", path.display()),
            })?;
            genome.risk = experiment.risk;
            genome.lineage = Lineage::default();
            genome.validate().map_err(|error| RunError::Config {
                field,
                message: format!(
                    "{} with the experiment's risk limits: {error}",
                    path.display()
                ),
            })?;
            Ok(genome)
        })
        .collect()
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
    let (universe, datasets) = prepare(&experiment, catalog)?;
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
/// that was never interrupted.
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

fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// The generations loop, then champions.
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
    let champions = choose_champions(&state, universe, &problem, folder, &returns, observer)?;
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
        &state,
        universe,
        &problem,
        &champions,
        neighbour_evaluations,
        observer,
    )?;
    let verdict = verdict::run_verdict(
        folder,
        state.experiment.category,
        &champions,
        &chance,
        &overfitting,
    );
    write_manifest(
        folder,
        &state,
        universe,
        RunStatus::Finished,
        Some((&champions, &overfitting)),
        Some((&chance, &verdict)),
    )?;
    Ok(RunOutcome::Finished(Box::new(RunSummary {
        folder: folder.to_path_buf(),
        category: state.experiment.category,
        champions,
        chance,
        verdict,
        evaluations: state.evolution.evaluations,
        seconds: state.seconds[0],
        finishing_seconds: finishing.elapsed().as_secs_f64(),
    })))
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
