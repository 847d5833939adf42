//! The run folder contract: the names of the files a run, a walk-forward, a category comparison or
//! a study writes, and one serde type per file that every writer and reader goes through.
//!
//! | file | type | written by |
//! |---|---|---|
//! | `run.json` | [`RunManifest`] | every run, after each generation and at the end |
//! | `config.toml` | [`Experiment`] | every run and walk-forward, at the start |
//! | `checkpoint/state.json` and logs | [`crate::RunState`] | every run, after each generation |
//! | `leaderboard.parquet`, `leaderboard.csv` | [`crate::tables::Leaderboard`] | every run |
//! | `capital.parquet` | [`crate::tables::AllocationRow`] | every run |
//! | `generations.parquet` | [`crate::tables::IslandGenerationRow`] | every run |
//! | `champions/<category>.json` | [`Champion`] | a finished run |
//! | `champions.parquet` | [`crate::tables::ChampionRow`] | a finished run |
//! | `champions/<category>-equity.parquet` | [`crate::tables::EquityRow`] | a finished run |
//! | `champions/<category>-trades.parquet` | [`crate::tables::TradeRow`] | a finished run |
//! | `walk_forward.json` | [`WalkForwardSummary`] | a walk-forward |
//! | `walk_forward.parquet` | [`crate::tables::WalkForwardRow`] | a walk-forward |
//! | `walk_forward_matrix.json` | [`WalkForwardMatrixSummary`] | a walk-forward matrix |
//! | `comparison.parquet` | [`crate::tables::ComparisonRow`] | a category comparison |
//! | `study.json` | [`Study`] | a study |
//! | `permutations/<p>.json` | [`PermutationRecord`] | a study's permutation test, per permutation |
//!
//! A missing file, a missing field or a field of the wrong type is a
//! [`RunError::RunFolder`] naming the file and the field (serde's message, with line and
//! column; for a table, the column: [`crate::tables`]), never a silent default. The on-disk layout is the one Gauntlet 0.1 wrote: folders
//! written before these types read back unchanged.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use gauntlet_data::write_bytes_atomically;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::error::RunError;
use crate::experiment::Experiment;
use gauntlet_genome::Genome;
use gauntlet_honest::robustness::{Robustness, RunOverfitting};
use gauntlet_tournament::Category;

/// The run's manifest, in the run folder.
pub const MANIFEST_FILE: &str = "run.json";
/// The experiment as resolved, in a run or walk-forward folder.
pub const CONFIG_FILE: &str = "config.toml";
/// The champions' folder, in a run folder.
pub const CHAMPIONS_FOLDER: &str = "champions";
/// The walk-forward summary, in a walk-forward folder.
pub const WALK_FORWARD_FILE: &str = "walk_forward.json";
/// The stitched out-of-sample equity, in a walk-forward folder.
pub const WALK_FORWARD_TABLE: &str = "walk_forward.parquet";
/// A walk-forward matrix's cells and verdict ([`WalkForwardMatrixSummary`]; JSON Schema
/// `schemas/walk-forward-matrix.schema.json`).
pub const WALK_FORWARD_MATRIX_FILE: &str = "walk_forward_matrix.json";
/// The comparison table, in a comparison folder.
pub const COMPARISON_TABLE: &str = "comparison.parquet";
/// Every genome the run scored, ranked, in a run folder.
pub const LEADERBOARD_TABLE: &str = "leaderboard.parquet";
/// The leaderboard as CSV, in a run folder.
pub const LEADERBOARD_CSV: &str = "leaderboard.csv";
/// The capital reallocation per generation and agent, in a run folder.
pub const CAPITAL_TABLE: &str = "capital.parquet";
/// The statistics per generation and island, in a run folder.
pub const GENERATIONS_TABLE: &str = "generations.parquet";
/// One row per category's champion, in a run folder.
pub const CHAMPIONS_TABLE: &str = "champions.parquet";
/// The study's results, in a study folder.
pub const STUDY_FILE: &str = "study.json";
/// The permutation test's searches, one file each, in a study folder.
pub const PERMUTATIONS_FOLDER: &str = "permutations";

/// What a folder holds, told by the file that defines each kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FolderKind {
    /// One run: `run.json`.
    Run,
    /// A walk-forward analysis: `walk_forward.json`, and a run folder per window.
    WalkForward,
    /// A walk-forward matrix: `walk_forward_matrix.json`, and a walk-forward folder per cell.
    WalkForwardMatrix,
    /// A category comparison: `comparison.parquet`, and a run folder per category.
    Comparison,
    /// Evolution against random search over seeds: `study.json`, and a run folder per seed.
    Study,
}

/// A run's state, as `run.json` records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    /// Generations are still being evolved (or the process died: resume it).
    Running,
    /// Stopped by Ctrl-C after a checkpoint.
    Interrupted,
    /// Every generation ran and the champions were chosen.
    Finished,
}

impl RunStatus {
    /// `running`, `interrupted` or `finished`.
    pub fn name(self) -> &'static str {
        match self {
            RunStatus::Running => "running",
            RunStatus::Interrupted => "interrupted",
            RunStatus::Finished => "finished",
        }
    }
}

/// One champion's line in `run.json` (its whole record is `champions/<category>.json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ManifestChampion {
    /// The agent's id.
    pub id: String,
    /// Its file, relative to the run folder.
    pub file: String,
    /// Fitness on the validation part (where it was chosen).
    pub validation_fitness: Option<f64>,
    /// Fitness on the holdout part (scored once).
    pub holdout_fitness: Option<f64>,
    /// Whether it passed the validation gate.
    pub passed_gate: bool,
}

/// A dataset of the universe as the run saw it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DatasetRecord {
    /// Catalog name.
    pub name: String,
    /// The instrument's symbol, as the catalog names it.
    #[serde(default)]
    pub symbol: String,
    /// Its Parquet file.
    pub file: String,
    /// Bars in the file.
    pub bars: usize,
    /// XXH64 of the file's bytes, hex: a resumed run refuses data that changed.
    pub content_xxh64: String,
}

/// Evolution against chance: the champion's validation fitness against as many random genomes,
/// whose best is taken two ways: the best by in-sample fitness alone, and the best on validation
/// among as many in-sample leaders as the run had champion candidates (the champion's own way).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChanceComparison {
    /// Random genomes scored: as many backtests as the run made (its genomes and, with a
    /// `plateau` objective, their neighbours).
    pub random_genomes: u64,
    /// Finalists compared on validation on each side (the run's champion candidates).
    pub finalists: usize,
    /// The run's champion's validation fitness.
    pub champion_validation_fitness: Option<f64>,
    /// The best validation fitness among the random genomes' in-sample leaders (as many as the run
    /// had champion candidates): random search with the champion's way of choosing.
    pub random_validation_fitness: Option<f64>,
    /// The validation fitness of the single best random genome by in-sample fitness: random search
    /// without a validation choice.
    pub random_in_sample_best_validation_fitness: Option<f64>,
    /// The best in-sample fitness the run reached.
    pub run_best_in_sample_fitness: Option<f64>,
    /// The best in-sample fitness among the random genomes.
    pub random_best_in_sample_fitness: Option<f64>,
    /// The run's champion's holdout fitness (absent in folders written before Gauntlet scored
    /// chance on the holdout).
    #[serde(default)]
    pub champion_holdout_fitness: Option<f64>,
    /// The holdout fitness of random search's pick: the random finalist with the best validation
    /// fitness (the earliest on a tie), scored once on the holdout like the champion.
    #[serde(default)]
    pub random_holdout_fitness: Option<f64>,
    /// The champion's measure in the run's category on the holdout whatever its eligibility there
    /// (`champion_holdout_fitness` is `None` where it is not eligible).
    #[serde(default)]
    pub champion_holdout_measure: Option<f64>,
    /// The same for random search's pick.
    #[serde(default)]
    pub random_holdout_measure: Option<f64>,
}

/// The run's verdict (`run.json`'s `verdict`, the terminal's last lines, the report's first).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunVerdict {
    /// One sentence for the whole run.
    pub run: String,
    /// Per category name, one sentence for its champion.
    pub champions: BTreeMap<String, String>,
    /// Whether the run category's champion beat random search chosen the same way on the
    /// validation part (`None` when neither side has an eligible finalist).
    pub beat_chance_on_validation: Option<bool>,
    /// The same on the holdout part (scored once, never used to choose).
    pub beat_chance_on_holdout: Option<bool>,
    /// Categories whose champion passed the validation gate: the only ones worth exporting.
    pub passed_gate: Vec<Category>,
    /// What to do next: a command that will work, or what to change in the experiment.
    pub next_step: String,
    /// The data-snooping tests against buy-and-hold, one sentence (absent in folders written
    /// before Gauntlet ran them).
    #[serde(default)]
    pub against_buy_and_hold: Option<String>,
}

/// One seed of a study: its run's champion and random search's pick, on validation and holdout.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StudySeed {
    /// The master seed of this run (evolution and its random search both derive from it).
    pub seed: u64,
    /// The run folder, relative to the study folder (`seed-<seed>`).
    pub folder: String,
    /// Genomes the run scored (random search scored as many).
    pub evaluations: u64,
    /// The champion's fitness in the run's category on the validation part.
    pub evolution_validation: Option<f64>,
    /// Random search's pick's validation fitness (the best of as many random in-sample leaders).
    pub random_validation: Option<f64>,
    /// The champion's holdout fitness (`None`: no champion, or not eligible on the holdout).
    pub evolution_holdout: Option<f64>,
    /// Random search's pick's holdout fitness.
    pub random_holdout: Option<f64>,
    /// The champion's measure in the study's category on the holdout whatever its eligibility
    /// there (a short holdout may leave a symbol with too few trades): what the study compares, so
    /// no seed is lost to an ineligible `null` (`None`: no champion, or undefined; ranked lowest).
    #[serde(default)]
    pub evolution_holdout_measure: Option<f64>,
    /// The same for random search's pick.
    #[serde(default)]
    pub random_holdout_measure: Option<f64>,
    /// Whether any of the run's champions passed the validation gate.
    pub any_champion_passed_gate: bool,
}

/// What one search found, in the run's category: the two statistics of the permutation test.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SearchResult {
    /// The best in-sample fitness of the search (its hall of fame's first, as `run.json`'s
    /// `run_best_in_sample_fitness`); `None` when no genome was eligible.
    pub best_in_sample: Option<f64>,
    /// The validation fitness of the champion the run would choose (the candidate with the best
    /// validation fitness, as `run.json`'s `champion_validation_fitness`); `None` when no
    /// candidate is eligible on validation.
    pub champion_validation: Option<f64>,
    /// Genomes scored in-sample.
    pub evaluations: u64,
}

impl SearchResult {
    /// The two statistics in words: `best in-sample 0.8123, champion's validation 0.4021`
    /// (`none` where no genome was eligible).
    pub fn describe(&self) -> String {
        let figure = |value: Option<f64>| value.map_or("none".to_string(), |v| format!("{v:.4}"));
        format!(
            "best in-sample {}, champion's validation {}",
            figure(self.best_in_sample),
            figure(self.champion_validation)
        )
    }
}

/// One search of a study's permutation test (`permutations/<p>.json`): permutation 0 is the real
/// data, 1 to N the permuted copies.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PermutationRecord {
    /// The permutation, 0 (the real data) to N.
    pub permutation: u32,
    /// The search's seed (the study's first seed).
    pub seed: u64,
    /// What the search found.
    pub result: SearchResult,
}

/// The permutation test of the whole search (T. Masters, *Permutation and Randomization Tests for
/// Trading System Development*, 2020): the experiment's search (same seed, budget and selection)
/// rerun on N copies of its data whose in-sample bars were permuted, its real statistics placed
/// among theirs. A missing value (no eligible genome) ranks lowest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PermutationTest {
    /// The search's seed (the study's first seed).
    pub seed: u64,
    /// Permutations run (N).
    pub permutations: u32,
    /// Genomes each search scored in-sample (the real search's).
    pub evaluations: u64,
    /// The real search's best in-sample fitness in the run's category.
    pub real_best_in_sample: Option<f64>,
    /// The real search's champion's validation fitness.
    pub real_champion_validation: Option<f64>,
    /// The null distribution of the best in-sample fitness: permutation 1 to N, in order.
    pub permuted_best_in_sample: Vec<Option<f64>>,
    /// The null distribution of the champion's validation fitness, permutation 1 to N.
    pub permuted_champion_validation: Vec<Option<f64>>,
    /// `(1 + #{permuted >= real}) / (N + 1)` for the best in-sample fitness (Masters 2020;
    /// Phipson & Smyth 2010: a permutation p-value is never 0).
    pub best_in_sample_p_value: f64,
    /// The same for the champion's validation fitness.
    pub champion_validation_p_value: f64,
    /// The test's verdict in one sentence.
    pub verdict: String,
}

/// A study (`study.json`): S runs of one experiment with seeds `first_seed..first_seed + S`, each
/// run's champion against random search with the same budget and the same way of choosing
/// (finalists picked on validation), compared on the holdout.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Study {
    /// The experiment's name.
    pub experiment: String,
    /// The category compared.
    pub category: Category,
    /// Per seed, in order.
    pub seeds: Vec<StudySeed>,
    /// Seeds where evolution's holdout fitness beat random search's (a missing value loses to any
    /// value; two missing values are no win).
    pub evolution_wins_on_holdout: usize,
    /// The same on validation.
    pub evolution_wins_on_validation: usize,
    /// The Mann-Whitney U statistic of evolution's holdout fitness against random search's
    /// (missing values ranked lowest).
    pub mann_whitney_u: f64,
    /// Its one-sided p-value (evolution larger; SciPy's `mannwhitneyu(..., alternative="greater",
    /// method="asymptotic")`).
    pub p_value: f64,
    /// The study's verdict in one sentence.
    pub verdict: String,
    /// The permutation test of the whole search (`--permutations`), when it ran.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permutation_test: Option<PermutationTest>,
}

/// One window's time ranges, milliseconds since the epoch (UTC), half-open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct WindowPlan {
    /// 0-based window number.
    pub index: usize,
    /// First millisecond of the in-sample window.
    pub in_sample_start: i64,
    /// Where the window's validation share begins.
    pub validation_start: i64,
    /// End of the in-sample window = start of the out-of-sample window.
    pub out_of_sample_start: i64,
    /// End of the out-of-sample window.
    pub out_of_sample_end: i64,
}

/// One window's outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WindowOutcome {
    /// The plan.
    pub plan: WindowPlan,
    /// The window's run folder, relative to the walk-forward folder.
    pub folder: String,
    /// The champion (run category) id and rules; `None` when no candidate was eligible.
    pub champion: Option<(String, String)>,
    /// Its in-sample fitness.
    pub in_sample_fitness: Option<f64>,
    /// Its out-of-sample fitness.
    pub out_of_sample_fitness: Option<f64>,
    /// Its in-sample CAGR (mean over symbols).
    pub in_sample_cagr: Option<f64>,
    /// Its out-of-sample CAGR (mean over symbols).
    pub out_of_sample_cagr: Option<f64>,
}

/// The whole analysis.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WalkForwardSummary {
    /// Every window run.
    pub windows: Vec<WindowOutcome>,
    /// Mean out-of-sample CAGR over mean in-sample CAGR of the windows' champions.
    pub efficiency: Option<f64>,
    /// Per dataset: the stitched out-of-sample total return and its number of bars.
    pub stitched: Vec<(String, f64, usize)>,
    /// Whether the analysis stopped early (Ctrl-C).
    pub interrupted: bool,
}

/// One cell of a walk-forward matrix: the walk-forward with one in-sample and one out-of-sample
/// length, in its own folder.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MatrixCell {
    /// Its row (the in-sample length's position), from 0.
    pub row: usize,
    /// Its column (the out-of-sample length's position), from 0.
    pub column: usize,
    /// In-sample length, days.
    pub in_sample_days: u32,
    /// Out-of-sample length, days.
    pub out_of_sample_days: u32,
    /// Its walk-forward folder, relative to the matrix folder (`cell-RR-CC`).
    pub folder: String,
    /// Windows run.
    pub windows: usize,
    /// Windows whose run crowned a champion (the others trade nothing out of sample).
    pub windows_with_champion: usize,
    /// Walk-forward efficiency (mean out-of-sample CAGR over mean in-sample CAGR of the windows'
    /// champions); `null` when undefined.
    pub efficiency: Option<f64>,
    /// Stitched out-of-sample total return, a fraction, mean over the datasets.
    pub stitched_return: Option<f64>,
    /// Good: a positive stitched return and an efficiency of at least the matrix's minimum.
    pub good: bool,
    /// Its neighbours inside the grid.
    pub neighbours: usize,
    /// How many of them are good.
    pub good_neighbours: usize,
    /// Whether it passes the neighbourhood rule.
    pub passes: bool,
}

/// A walk-forward matrix (`walk_forward_matrix.json`): every cell and the neighbourhood rule's
/// verdict ([`crate::WalkForwardMatrix`] says how cells are judged).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WalkForwardMatrixSummary {
    /// The rows' in-sample lengths, days.
    pub in_sample_days: Vec<u32>,
    /// The columns' out-of-sample lengths, days.
    pub out_of_sample_days: Vec<u32>,
    /// The least efficiency of a good cell.
    pub min_efficiency: f64,
    /// The neighbourhood's reach, rows and columns.
    pub radius: u32,
    /// Good neighbours a passing cell needs (`null`: all of them).
    pub min_good_neighbours: Option<u32>,
    /// The cells, row by row.
    pub cells: Vec<MatrixCell>,
    /// Whether any cell passes.
    pub passes: bool,
    /// The best passing cell, `[row, column]` (most good neighbours, then the higher share, then
    /// the first in row-major order).
    pub best: Option<[usize; 2]>,
    /// The verdict in one sentence.
    pub verdict: String,
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
    /// The category's measure whatever the eligibility ([`gauntlet_tournament::Category::measure`]):
    /// the fitness when eligible, and a number where a short part left a symbol with too few
    /// trades to be ranked (absent in folders written before Gauntlet recorded it).
    #[serde(default)]
    pub measure: Option<f64>,
    /// Metrics over symbols ([`gauntlet_tournament::GenomeScore::summary`]: means, trade ratios pooled); `None` where
    /// undefined, infinities kept (`"inf"` in JSON).
    #[serde(with = "gauntlet_core::json_float::infinite_map")]
    pub summary: BTreeMap<String, Option<f64>>,
    /// Per symbol.
    pub symbols: Vec<gauntlet_tournament::SymbolScore>,
}

/// Where a run's time went, wall-clock seconds summed over its generations (`run.json`'s
/// `timings`). Scoring's wall time (`scoring_seconds`) is split between indicators, backtests,
/// metrics and fitness in proportion to the CPU time each took over every scoring thread; the
/// rest of a generation is breeding (the GA's selection, crossover and mutation), the leaderboard
/// and capital reallocation, and writing files. Timings are measurements, not results: they
/// differ from run to run and are left out of every determinism check.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct RunTimings {
    /// Computing indicator columns and crossings (on first use, inside the backtests).
    pub indicators: f64,
    /// The backtests' bar loops, indicators excluded. The metrics' per-bar accumulation
    /// ([`gauntlet_stats::CurveAccumulator::push`]) runs inside the bar loop and counts here.
    pub backtests: f64,
    /// The metrics' finishing pass of each backtest (standard deviation, tail-ratio percentiles,
    /// stability regression, trade metrics).
    pub metrics: f64,
    /// Judging fitness and eligibility from the metrics.
    pub fitness: f64,
    /// Selection, crossover, mutation, migration: the GA's own work.
    pub breeding: f64,
    /// The leaderboard rows, champion candidates and capital reallocation.
    pub leaderboard_and_capital: f64,
    /// Writing tables, logs, the checkpoint and `run.json`.
    pub writing: f64,
    /// `metrics / (indicators + backtests + metrics + fitness)`: the share of scoring spent on
    /// metrics (0 before any scoring).
    pub metrics_share: f64,
    /// Of the generations' scoring, seconds rank 0 spent in the cluster's collectives (exchanging
    /// results, waiting for the slowest rank included); 0 without a cluster
    /// ([`gauntlet_tournament::cluster`]).
    #[serde(default)]
    pub communication: f64,
    /// Of `communication`, the seconds rank 0 waited for the last rank to arrive (load imbalance
    /// between the ranks; the rest is transfer).
    #[serde(default)]
    pub communication_waiting: f64,
    /// Bytes of results the ranks exchanged during the generations (every rank's share, as each
    /// rank receives them); 0 without a cluster.
    #[serde(default)]
    pub bytes_exchanged: u64,
}

impl RunTimings {
    /// Scoring's wall seconds, split by the CPU seconds `[indicators, backtests, metrics,
    /// fitness]` each took.
    pub fn add_scoring(&mut self, wall_seconds: f64, cpu_seconds: [f64; 4]) {
        let total: f64 = cpu_seconds.iter().sum();
        if total > 0.0 {
            let share = |index: usize| wall_seconds * cpu_seconds[index] / total;
            self.indicators += share(0);
            self.backtests += share(1);
            self.metrics += share(2);
            self.fitness += share(3);
        }
        let scoring = self.indicators + self.backtests + self.metrics + self.fitness;
        self.metrics_share = if scoring > 0.0 {
            self.metrics / scoring
        } else {
            0.0
        };
    }
}

/// `run.json`: what a run is and how far it got. Written with its keys sorted (so the bytes do not
/// depend on field order); times are RFC 3339, UTC; seconds are wall-clock.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunManifest {
    /// Repeats of a genome served from the fitness cache.
    pub cache_hits: u64,
    /// Profit withdrawn from the system so far, quote currency.
    pub capital_withdrawn: f64,
    /// The category the run breeds for.
    pub category: Category,
    /// Per category, its champion (`None` until the run finishes).
    pub champions: Option<BTreeMap<String, ManifestChampion>>,
    /// The universe, with each file's content hash.
    pub datasets: Vec<DatasetRecord>,
    /// Genomes scored.
    pub evaluations: u64,
    /// Evolution against random search (`None` until the run finishes).
    pub evolution_vs_chance: Option<ChanceComparison>,
    /// When it finished (`None` unless finished).
    pub finished_at: Option<String>,
    /// Share of the wall-clock time not spent scoring genomes (breeding, reallocation, files).
    pub ga_overhead_share: f64,
    /// The Gauntlet version that wrote the folder.
    pub gauntlet_version: String,
    /// Generations the experiment asks for.
    pub generations: u32,
    /// Generations done (0 = the initial population).
    pub generations_done: u32,
    /// Islands.
    pub islands: usize,
    /// The experiment's name.
    pub name: String,
    /// Population size.
    pub population: usize,
    /// The run's Probability of Backtest Overfitting (`None` until the run finishes).
    pub probability_of_backtest_overfitting: Option<RunOverfitting>,
    /// Seconds spent scoring genomes.
    pub scoring_seconds: f64,
    /// Seconds of the whole run so far (including time before a resume).
    pub seconds: f64,
    /// The master seed.
    pub seed: u64,
    /// When the run started.
    pub started_at: String,
    /// Running, interrupted or finished.
    pub status: RunStatus,
    /// Capital of the whole system of agents, quote currency.
    pub system_capital: f64,
    /// Worker threads of the process that last wrote the file (of each rank, in a cluster job).
    pub threads: usize,
    /// Processes (MPI ranks) of the job that last wrote the file: 1 without a cluster.
    #[serde(default = "one_rank")]
    pub ranks: usize,
    /// Where the time went (absent in folders written before Gauntlet recorded it).
    #[serde(default)]
    pub timings: Option<RunTimings>,
    /// Bars of the in-sample part, summed over the universe's symbols.
    #[serde(default)]
    pub in_sample_bars: Option<u64>,
    /// `evaluations x in_sample_bars / scoring_seconds`: the scoring throughput.
    #[serde(default)]
    pub genome_bars_per_second: Option<f64>,
    /// Distinct genomes scored: the trials the Deflated Sharpe Ratio deflates by.
    pub trials: u64,
    /// The plain verdict (`None` until the run finishes, and in folders written before Gauntlet
    /// gave one).
    #[serde(default)]
    pub verdict: Option<RunVerdict>,
    /// When the file was last written.
    pub updated_at: String,
    /// White's Reality Check and Hansen's SPA of the champion candidates against buy-and-hold on
    /// validation (`None` until the run finishes, and in folders written before Gauntlet ran
    /// them).
    #[serde(default)]
    pub data_snooping: Option<crate::snooping::DataSnoopingSummary>,
}

/// Folders written before Gauntlet ran on clusters ran in one process.
fn one_rank() -> usize {
    1
}

/// A run, walk-forward or comparison folder on disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunFolder {
    path: PathBuf,
}

impl RunFolder {
    /// The folder at `path` (nothing is read until asked).
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self { path: path.into() }
    }

    /// The folder itself.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// `run.json`.
    pub fn manifest_path(&self) -> PathBuf {
        self.path.join(MANIFEST_FILE)
    }

    /// `config.toml`.
    pub fn config_path(&self) -> PathBuf {
        self.path.join(CONFIG_FILE)
    }

    /// `leaderboard.parquet`.
    pub fn leaderboard_path(&self) -> PathBuf {
        self.path.join(LEADERBOARD_TABLE)
    }

    /// `leaderboard.csv`.
    pub fn leaderboard_csv_path(&self) -> PathBuf {
        self.path.join(LEADERBOARD_CSV)
    }

    /// `capital.parquet`.
    pub fn capital_path(&self) -> PathBuf {
        self.path.join(CAPITAL_TABLE)
    }

    /// `generations.parquet`.
    pub fn generations_path(&self) -> PathBuf {
        self.path.join(GENERATIONS_TABLE)
    }

    /// `champions.parquet`.
    pub fn champions_table_path(&self) -> PathBuf {
        self.path.join(CHAMPIONS_TABLE)
    }

    /// `champions/<category>.json`.
    pub fn champion_path(&self, category: Category) -> PathBuf {
        self.champion_file(category, ".json")
    }

    /// `champions/<category>-equity.parquet`: the champion's equity and the close at every bar.
    pub fn champion_equity_path(&self, category: Category) -> PathBuf {
        self.champion_file(category, "-equity.parquet")
    }

    /// `champions/<category>-trades.parquet`: the champion's closed trades.
    pub fn champion_trades_path(&self, category: Category) -> PathBuf {
        self.champion_file(category, "-trades.parquet")
    }

    fn champion_file(&self, category: Category, suffix: &str) -> PathBuf {
        self.path
            .join(CHAMPIONS_FOLDER)
            .join(format!("{}{suffix}", category.name()))
    }

    /// `walk_forward.json`.
    pub fn walk_forward_path(&self) -> PathBuf {
        self.path.join(WALK_FORWARD_FILE)
    }

    /// `walk_forward_matrix.json`.
    pub fn walk_forward_matrix_path(&self) -> PathBuf {
        self.path.join(WALK_FORWARD_MATRIX_FILE)
    }

    /// `walk_forward.parquet`.
    pub fn walk_forward_table_path(&self) -> PathBuf {
        self.path.join(WALK_FORWARD_TABLE)
    }

    /// `comparison.parquet`.
    pub fn comparison_table_path(&self) -> PathBuf {
        self.path.join(COMPARISON_TABLE)
    }

    /// `study.json`.
    pub fn study_path(&self) -> PathBuf {
        self.path.join(STUDY_FILE)
    }

    /// Reads `study.json`.
    ///
    /// # Errors
    /// [`RunError::RunFolder`] naming the file and the field when it is missing or
    /// malformed.
    pub fn read_study(&self) -> Result<Study, RunError> {
        read_json(&self.study_path())
    }

    /// Writes `study.json` atomically.
    ///
    /// # Errors
    /// [`RunError::RunFolder`] or an I/O error naming the file.
    pub fn write_study(&self, study: &Study) -> Result<(), RunError> {
        write_json(&self.study_path(), study)
    }

    /// `permutations/<permutation>.json` (the number zero-padded to five digits, so the files
    /// list in order).
    pub fn permutation_path(&self, permutation: u32) -> PathBuf {
        self.path
            .join(PERMUTATIONS_FOLDER)
            .join(format!("{permutation:05}.json"))
    }

    /// Reads `permutations/<permutation>.json`.
    ///
    /// # Errors
    /// [`RunError::RunFolder`] naming the file and the field when it is missing or malformed.
    pub fn read_permutation(&self, permutation: u32) -> Result<PermutationRecord, RunError> {
        read_json(&self.permutation_path(permutation))
    }

    /// Writes `permutations/<p>.json` atomically (making the folder).
    ///
    /// # Errors
    /// An I/O error naming the file.
    pub fn write_permutation(&self, record: &PermutationRecord) -> Result<(), RunError> {
        let path = self.permutation_path(record.permutation);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(crate::error::io_error(parent))?;
        }
        write_json(&path, record)
    }

    /// What the folder holds: a walk-forward matrix (`walk_forward_matrix.json`), a walk-forward
    /// (`walk_forward.json`), a comparison (`comparison.parquet`) or a run (`run.json`), in that
    /// order.
    ///
    /// # Errors
    /// [`RunError::RunFolder`] when it holds none of these files.
    pub fn kind(&self) -> Result<FolderKind, RunError> {
        if self.walk_forward_matrix_path().is_file() {
            Ok(FolderKind::WalkForwardMatrix)
        } else if self.walk_forward_path().is_file() {
            Ok(FolderKind::WalkForward)
        } else if self.comparison_table_path().is_file() {
            Ok(FolderKind::Comparison)
        } else if self.study_path().is_file() {
            Ok(FolderKind::Study)
        } else if self.manifest_path().is_file() {
            Ok(FolderKind::Run)
        } else {
            Err(RunError::RunFolder {
                path: self.path.clone(),
                message: format!(
                    "not a Gauntlet run, walk-forward, comparison or study folder (no \
                     {MANIFEST_FILE}, {WALK_FORWARD_FILE}, {COMPARISON_TABLE} or {STUDY_FILE}; a \
                     run writes {MANIFEST_FILE} after its first generation)"
                ),
            })
        }
    }

    /// The run folders directly inside this one (walk-forward windows, compared categories), in
    /// name order.
    pub fn runs_inside(&self) -> Vec<RunFolder> {
        let mut runs: Vec<PathBuf> = std::fs::read_dir(&self.path)
            .map(|entries| {
                entries
                    .flatten()
                    .map(|entry| entry.path())
                    .filter(|path| path.join(MANIFEST_FILE).is_file())
                    .collect()
            })
            .unwrap_or_default();
        runs.sort();
        runs.into_iter().map(RunFolder::new).collect()
    }

    /// Reads `run.json`.
    ///
    /// # Errors
    /// [`RunError::RunFolder`] naming the file when it is missing, or naming the field that
    /// is missing or malformed.
    pub fn read_manifest(&self) -> Result<RunManifest, RunError> {
        read_json(&self.manifest_path())
    }

    /// Writes `run.json` atomically, keys sorted.
    ///
    /// # Errors
    /// [`RunError::RunFolder`] or an I/O error naming the file.
    pub fn write_manifest(&self, manifest: &RunManifest) -> Result<(), RunError> {
        let path = self.manifest_path();
        // Through a `Value`, whose maps are ordered by key: the bytes do not depend on the order of
        // the types' fields.
        let value = serde_json::to_value(manifest).map_err(|error| malformed(&path, &error))?;
        write_json(&path, &value)
    }

    /// Reads `config.toml`: the experiment as the run resolved it.
    ///
    /// # Errors
    /// [`RunError::Io`] when it cannot be read; [`RunError::ConfigFile`] naming the
    /// field and line when it does not parse.
    pub fn read_experiment(&self) -> Result<Experiment, RunError> {
        Experiment::load(&self.config_path())
    }

    /// Writes `config.toml` atomically.
    ///
    /// # Errors
    /// An I/O error naming the file.
    pub fn write_experiment(&self, experiment: &Experiment) -> Result<(), RunError> {
        write_bytes_atomically(&self.config_path(), experiment.to_toml().as_bytes())?;
        Ok(())
    }
}

impl RunFolder {
    /// Reads `walk_forward.json`.
    ///
    /// # Errors
    /// [`RunError::RunFolder`] naming the file and the field when it is missing or
    /// malformed.
    pub fn read_walk_forward(&self) -> Result<WalkForwardSummary, RunError> {
        read_json(&self.walk_forward_path())
    }

    /// Reads `walk_forward_matrix.json`.
    ///
    /// # Errors
    /// [`RunError::RunFolder`] naming the file and the field when it is missing or
    /// malformed.
    pub fn read_walk_forward_matrix(&self) -> Result<WalkForwardMatrixSummary, RunError> {
        read_json(&self.walk_forward_matrix_path())
    }

    /// Writes `walk_forward_matrix.json` atomically.
    ///
    /// # Errors
    /// [`RunError::RunFolder`] or an I/O error naming the file.
    pub fn write_walk_forward_matrix(
        &self,
        summary: &WalkForwardMatrixSummary,
    ) -> Result<(), RunError> {
        write_json(&self.walk_forward_matrix_path(), summary)
    }

    /// Writes `walk_forward.json` atomically.
    ///
    /// # Errors
    /// [`RunError::RunFolder`] or an I/O error naming the file.
    pub fn write_walk_forward(&self, summary: &WalkForwardSummary) -> Result<(), RunError> {
        write_json(&self.walk_forward_path(), summary)
    }
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
        read_json(&path).map(Some)
    }

    /// Writes `champions/<category>.json` atomically (fields in the type's order).
    ///
    /// # Errors
    /// [`RunError::RunFolder`] or an I/O error naming the file.
    pub fn write_champion(&self, champion: &Champion) -> Result<(), RunError> {
        write_json(&self.champion_path(champion.category), champion)
    }
}

pub(crate) fn malformed(path: &Path, error: &serde_json::Error) -> RunError {
    RunError::RunFolder {
        path: path.to_path_buf(),
        message: error.to_string(),
    }
}

/// Reads a JSON file of the run folder into its type.
pub(crate) fn read_json<T: DeserializeOwned>(path: &Path) -> Result<T, RunError> {
    let text = std::fs::read_to_string(path).map_err(|error| RunError::RunFolder {
        path: path.to_path_buf(),
        message: error.to_string(),
    })?;
    // serde_path_to_error names the field that failed (`robustness.gate[2].passed`), also where
    // serde's own message gives only a line and column (a value of the wrong type).
    let mut reader = serde_json::Deserializer::from_str(&text);
    serde_path_to_error::deserialize(&mut reader).map_err(|error| {
        let field = error.path().to_string();
        RunError::RunFolder {
            path: path.to_path_buf(),
            message: if field == "." {
                format!("malformed: {}", error.inner())
            } else {
                format!("malformed field `{field}`: {}", error.inner())
            },
        }
    })
}

/// Writes a value as pretty JSON and a newline, atomically.
pub(crate) fn write_json<T: Serialize + ?Sized>(path: &Path, value: &T) -> Result<(), RunError> {
    let text = serde_json::to_string_pretty(value).map_err(|error| malformed(path, &error))?;
    write_bytes_atomically(path, format!("{text}\n").as_bytes())?;
    Ok(())
}

/// The settings (dotted paths such as `population.size`, `seed`) where two experiments differ, as
/// their `config.toml` would show them: what a resume names when the file was edited, and what a
/// comparison's merge names when its shares were run with different settings.
pub fn changed_settings(then: &Experiment, now: &Experiment) -> Vec<String> {
    fn walk(then: &serde_json::Value, now: &serde_json::Value, at: &str) -> Vec<String> {
        use serde_json::Value;
        match (then, now) {
            (Value::Object(left), Value::Object(right)) => {
                let keys: std::collections::BTreeSet<&String> =
                    left.keys().chain(right.keys()).collect();
                keys.into_iter()
                    .flat_map(|key| {
                        let path = if at.is_empty() {
                            key.clone()
                        } else {
                            format!("{at}.{key}")
                        };
                        walk(
                            left.get(key).unwrap_or(&Value::Null),
                            right.get(key).unwrap_or(&Value::Null),
                            &path,
                        )
                    })
                    .collect()
            }
            _ if then == now => Vec::new(),
            _ => vec![at.to_string()],
        }
    }
    walk(
        &serde_json::to_value(then).unwrap_or_default(),
        &serde_json::to_value(now).unwrap_or_default(),
        "",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest_text() -> String {
        serde_json::json!({
            "cache_hits": 3, "capital_withdrawn": 0.0, "category": "risk_management",
            "champions": null, "datasets": [{"name": "sp500-1d", "symbol": "^GSPC",
            "file": "sp500-1d.parquet", "bars": 10, "content_xxh64": "00"}], "evaluations": 12,
            "evolution_vs_chance": null, "finished_at": null, "ga_overhead_share": 0.5,
            "gauntlet_version": "0.1.0", "generations": 4, "generations_done": 1, "islands": 2,
            "name": "t", "population": 6, "probability_of_backtest_overfitting": null,
            "scoring_seconds": 1.0, "seconds": 2.0, "seed": 7, "started_at": "x",
            "status": "running", "system_capital": 1.0, "threads": 2, "trials": 12,
            "updated_at": "y"
        })
        .to_string()
    }

    #[test]
    fn a_manifest_reads_back_and_writes_with_sorted_keys() {
        let folder = tempfile::tempdir().expect("temporary folder");
        let run = RunFolder::new(folder.path());
        std::fs::write(run.manifest_path(), manifest_text()).expect("write");
        let manifest = run.read_manifest().expect("a valid manifest");
        assert_eq!(manifest.status, RunStatus::Running);
        assert_eq!(manifest.category, Category::RiskManagement);
        assert_eq!(manifest.datasets[0].symbol, "^GSPC");
        run.write_manifest(&manifest).expect("written");
        let text = std::fs::read_to_string(run.manifest_path()).expect("read");
        let keys: Vec<&str> = text
            .lines()
            .filter(|line| line.starts_with("  \""))
            .map(|line| line.trim().split('"').nth(1).unwrap_or(""))
            .collect();
        let mut sorted = keys.clone();
        sorted.sort_unstable();
        assert_eq!(keys, sorted);
        assert_eq!(run.kind().expect("a run"), FolderKind::Run);
    }

    #[test]
    fn a_missing_or_malformed_field_is_named_never_defaulted() {
        let folder = tempfile::tempdir().expect("temporary folder");
        let run = RunFolder::new(folder.path());
        let text = manifest_text().replace("\"seed\":7,", "");
        std::fs::write(run.manifest_path(), text).expect("write");
        let error = run.read_manifest().expect_err("no seed").to_string();
        assert!(
            error.contains("run.json") && error.contains("missing field `seed`"),
            "{error}"
        );
        let text = manifest_text().replace("\"status\":\"running\"", "\"status\":\"sleeping\"");
        std::fs::write(run.manifest_path(), text).expect("write");
        let error = run.read_manifest().expect_err("bad status").to_string();
        assert!(
            error.contains("`status`") && error.contains("sleeping"),
            "{error}"
        );
        let text = manifest_text().replace("\"bars\":10", "\"bars\":\"ten\"");
        std::fs::write(run.manifest_path(), text).expect("write");
        let error = run.read_manifest().expect_err("bars as text").to_string();
        assert!(error.contains("`datasets[0].bars`"), "{error}");
    }

    #[test]
    fn scoring_time_is_split_by_cpu_shares() {
        // 2 s of scoring wall time; CPU 1 s indicators, 4 s backtests, 2 s metrics, 1 s fitness
        // (8 s over the threads): 0.25 s, 1 s, 0.5 s and 0.25 s; metrics 0.5 / 2 of scoring.
        let mut timings = RunTimings::default();
        timings.add_scoring(2.0, [1.0, 4.0, 2.0, 1.0]);
        assert_eq!(
            [
                timings.indicators,
                timings.backtests,
                timings.metrics,
                timings.fitness
            ],
            [0.25, 1.0, 0.5, 0.25]
        );
        assert_eq!(timings.metrics_share, 0.25);
        // Nothing measured: nothing added, no division by zero.
        timings.add_scoring(1.0, [0.0; 4]);
        assert_eq!(timings.metrics_share, 0.25);
    }

    #[test]
    fn an_empty_folder_is_no_kind_and_says_so() {
        let folder = tempfile::tempdir().expect("temporary folder");
        let error = RunFolder::new(folder.path()).kind().expect_err("empty");
        assert!(error.to_string().contains("not a Gauntlet run"), "{error}");
        assert!(RunFolder::new(folder.path()).runs_inside().is_empty());
    }
}
