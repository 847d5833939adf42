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
mod error;
mod experiment;
pub mod robustness;
pub mod run;
mod scoring;
pub mod validation;
pub mod walk_forward;

pub use capital::{CapitalBook, CapitalRow, CapitalRules, RankedAgent, Tier};
pub use category::{Category, Eligibility, Verdict};
pub use error::TournamentError;
pub use experiment::{Experiment, PopulationSettings, QUICKSTART_TOML, WalkForward};
pub use scoring::{
    Costs, GenomeScore, Part, REGIME_VOLATILITY_BARS, SUMMARY_COLUMNS, SymbolMarket, SymbolScore,
    Universe,
};
