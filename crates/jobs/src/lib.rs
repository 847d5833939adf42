//! # gauntlet-jobs
//!
//! Jobs over many runs (layer L8 of `DESIGN.md`): the entry point of `gauntlet evolve` ([`evolve`],
//! [`resume`]: one run, or a walk-forward of one run per window), walk-forward analysis
//! ([`walk_forward`]), the comparison of tournament categories ([`comparison`]), studies of
//! evolution against random search over seeds ([`study`]), and the shares a scheduler's job array
//! splits them into ([`Shard`]). Each run is a gauntlet-run run; every rank of a cluster job runs
//! the same job (gauntlet-tournament's `cluster`). The permutation test of the whole search
//! ([`permutation`]) reruns a study's search on permuted data; [`portfolio`] picks uncorrelated
//! champions across runs and [`portfolio_trading`] backtests a portfolio file's accounts and
//! plans its paper session; [`walk_forward_matrix`] runs a walk-forward per cell of a grid of
//! in-sample and out-of-sample lengths.
#![warn(missing_docs)]

pub mod comparison;
mod describe;
mod error;
mod job;
pub mod permutation;
pub mod portfolio;
pub mod portfolio_trading;
mod shard;
pub mod study;
pub mod walk_forward;
pub mod walk_forward_matrix;

pub use error::JobError;
pub use job::{Evolved, evolve, resume};
pub use shard::{MAX_SHARDS, Shard};
