//! # gauntlet-honest
//!
//! Honest results (layer L4 of `DESIGN.md`): how hard Gauntlet tries to prove a genome wrong
//! before anyone trades it. A run's champions get the Probabilistic and Deflated Sharpe Ratios with
//! the run's real number of trials, the Minimum Track Record Length, Monte Carlo bands of their
//! validation trades and the validation gate ([`robustness::assess`]); a run gets its Probability of
//! Backtest Overfitting ([`robustness::run_overfitting`]); `gauntlet validate` stresses one genome
//! on one series with crash windows, synthetic shocks and volatility regimes ([`validation`]).
//! Statistics come from gauntlet-stats, scoring from gauntlet-tournament; the run (gauntlet-run)
//! calls in here when it finishes. Further tests of a run's honesty (White's Reality Check and
//! Hansen's SPA over its trials, perturbation tests for the gate) belong here.
#![warn(missing_docs)]

mod describe;
mod error;
pub mod robustness;
pub mod validation;

pub use error::HonestError;
