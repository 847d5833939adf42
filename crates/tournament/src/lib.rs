//! # gauntlet-tournament
//!
//! What a genome is worth in a tournament (layer L5 of `DESIGN.md`): the six [`Category`] fitness
//! functions with their [`Eligibility`] rules, scoring genomes on a [`Universe`] of symbols split
//! into in-sample, validation and holdout parts (spread over the ranks of a cluster job by
//! [`cluster`]), the measures a multi-objective search optimises beside fitness ([`objectives`]:
//! parameter plateau, worst and median symbol, complexity), volatility [`regimes`],
//! [`CapitalBook`] reallocation between agents, and scoring a given population file
//! ([`population`]). It knows nothing of runs, folders or experiments: `gauntlet-honest` judges
//! what it scores, `gauntlet-run` evolves with it.
#![warn(missing_docs)]

mod capital;
mod category;
pub mod cluster;
mod error;
pub mod objectives;
pub mod population;
pub mod regimes;
mod scoring;

pub use capital::{CapitalBook, CapitalRow, CapitalRules, RankedAgent, Tier};
pub use category::{Category, Eligibility, Verdict};
pub use error::TournamentError;
pub use objectives::{Measure, Neighbourhood, PlateauRules};
pub use regimes::REGIME_VOLATILITY_BARS;
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
