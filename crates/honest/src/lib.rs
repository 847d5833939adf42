//! # gauntlet-honest
//!
//! Honest results (layer L6 of `DESIGN.md`): how hard Gauntlet tries to prove a genome wrong
//! before anyone trades it. A run's champions get the Probabilistic and Deflated Sharpe Ratios with
//! the run's real number of trials, the Minimum Track Record Length, Monte Carlo bands of their
//! validation trades and the validation gate ([`robustness::assess`]); a run gets its Probability of
//! Backtest Overfitting ([`robustness::run_overfitting`]); `gauntlet validate` stresses one genome
//! on one series with crash windows, synthetic shocks and volatility regimes ([`validation`]).
//! Statistics come from gauntlet-stats, scoring from gauntlet-tournament; the run (gauntlet-run)
//! calls in here when it finishes. The gate's perturbation tests (noise, shifted bars, degraded
//! execution, what-if without the best trades) are in [`perturbation`].
#![warn(missing_docs)]

mod describe;
mod error;
pub mod perturbation;
pub mod robustness;
pub mod validation;

pub use error::HonestError;
