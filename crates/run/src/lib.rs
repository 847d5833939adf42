//! # gauntlet-run
//!
//! Runs (layer L7 of `DESIGN.md`): an [`Experiment`] (the TOML file, resolved and checked) evolved
//! generation by generation with gauntlet-evolve on a universe scored by gauntlet-tournament,
//! into a run folder: leaderboards, capital records, per-generation statistics and a checkpoint
//! after every generation ([`start`], [`resume`]); at the end, champions chosen on the validation
//! part, scored once on the holdout and judged by gauntlet-honest, evolution compared with random
//! search at the same budget, and a plain verdict. The run folder is a contract ([`RunFolder`]):
//! every file a run, walk-forward, comparison or study writes has one type here that every writer
//! and reader (the report, the jobs, the exports) goes through; the champion file that `gauntlet
//! export` writes is [`champion_file`].
#![warn(missing_docs)]

pub mod champion_file;
mod champions;
mod chance;
mod checkpoint;
mod describe;
mod error;
mod experiment;
mod finish;
mod folder_lock;
mod generations;
mod manifest;
mod observer;
mod outputs;
mod prepare;
mod problem;
mod run_folder;
mod search;
mod snooping;
pub mod tables;
mod verdict;

pub use chance::random_baseline_stream;
pub use checkpoint::{CHECKPOINT_STATE, GenerationRow, LeaderboardEntry, RunState};
pub use error::RunError;
pub use experiment::{
    Experiment, MAX_MATRIX_SIDE, MAX_PBO_TRIALS, MAX_PERMUTATIONS, MAX_WALK_FORWARD_WINDOWS,
    Overrides, PopulationSettings, QUICKSTART_TOML, StudySettings, WalkForward, WalkForwardMatrix,
    next_run_folder,
};
pub use finish::RunSummary;
pub use folder_lock::{FOLDER_LOCK_FILE, FolderLock, holds_nothing_but_its_lock};
pub use generations::{RunOutcome, resume, start};
pub use observer::{GenerationProgress, Observer, Silent};
pub use prepare::{VIX_SYMBOL, prepare, prepare_permuted, prepare_with_warnings};
pub use run_folder::{
    CAPITAL_TABLE, CHAMPIONS_FOLDER, CHAMPIONS_TABLE, COMPARISON_TABLE, CONFIG_FILE, Champion,
    ChanceComparison, DatasetRecord, FolderKind, GENERATIONS_TABLE, LEADERBOARD_CSV,
    LEADERBOARD_TABLE, MANIFEST_FILE, ManifestChampion, MatrixCell, PERMUTATIONS_FOLDER,
    PartResult, PermutationRecord, PermutationTest, RunFolder, RunManifest, RunStatus, RunTimings,
    RunVerdict, STUDY_FILE, SearchResult, Study, StudySeed, WALK_FORWARD_FILE,
    WALK_FORWARD_MATRIX_FILE, WALK_FORWARD_TABLE, WalkForwardMatrixSummary, WalkForwardSummary,
    WindowOutcome, WindowPlan, changed_settings,
};
pub use search::{search, search_permutation};
pub use snooping::{DataSnoopingSummary, SymbolPooling};
