//! # gauntlet-tournament
//!
//! Tournaments (layer L4 of `DESIGN.md`): the six [`Category`] fitness functions with their
//! [`Eligibility`] rules, scoring a population on a [`Universe`] of symbols split into in-sample,
//! validation and holdout parts, [`CapitalBook`] reallocation between agents, experiment files
//! ([`Experiment`]) and runs that write leaderboards, capital records, checkpoints and champions
//! ([`run`]).
#![warn(missing_docs)]

mod capital;
mod category;
pub mod champion_file;
pub mod cluster;
pub mod comparison;
mod describe;
mod error;
mod experiment;
mod job;
pub mod objectives;
pub mod population;
pub mod regimes;
pub mod robustness;
pub mod run;
mod run_folder;
mod scoring;
pub mod study;
pub mod validation;
pub mod walk_forward;

pub use capital::{CapitalBook, CapitalRow, CapitalRules, RankedAgent, Tier};
pub use category::{Category, Eligibility, Verdict};
pub use error::TournamentError;
pub use experiment::{
    Experiment, MAX_PBO_TRIALS, Overrides, PopulationSettings, QUICKSTART_TOML, WalkForward,
};
pub use job::{Evolved, evolve, resume};
pub use objectives::{Measure, Neighbourhood, PlateauRules};
pub use regimes::REGIME_VOLATILITY_BARS;
pub use run_folder::{
    CHAMPIONS_FOLDER, COMPARISON_TABLE, CONFIG_FILE, FolderKind, MANIFEST_FILE, ManifestChampion,
    RunFolder, RunManifest, RunStatus, RunTimings, RunVerdict, STUDY_FILE, Study, StudySeed,
    WALK_FORWARD_FILE, WALK_FORWARD_TABLE,
};
pub use scoring::{Costs, GenomeScore, Part, SUMMARY_COLUMNS, SymbolMarket, SymbolScore, Universe};

/// Sets the worker threads that score genomes (rayon's global pool) when `threads` is given;
/// results never depend on it.
///
/// # Errors
/// [`TournamentError::Config`] when `threads` is 0 or the pool was already built.
pub fn use_threads(threads: Option<usize>) -> Result<(), TournamentError> {
    let Some(threads) = threads else {
        return Ok(());
    };
    let invalid = |message: String| TournamentError::Config {
        field: "threads".into(),
        message,
    };
    if threads == 0 {
        return Err(invalid("must be at least 1".into()));
    }
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build_global()
        .map_err(|error| invalid(format!("cannot set the thread count: {error}")))
}
