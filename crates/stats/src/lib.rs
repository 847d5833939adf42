//! # gauntlet-stats
//!
//! Performance statistics (layer L1 of `DESIGN.md`):
//!
//! - [`returns`]: metrics of per-period simple returns as empyrical defines them (Sharpe, Sortino,
//!   drawdown, CAGR, volatility, Calmar, omega, tail ratio, stability, VaR), checked against empyrical
//!   and quantstats outputs in `tests/reference/empyrical_vectors.json`;
//! - [`trade_metrics`]: win rate, profit factor, expectancy (also in R multiples) of a trade list;
//! - [`monthly_returns`]: the monthly returns table and the share of positive months;
//! - [`sharpe_inference`]: the Probabilistic and Deflated Sharpe Ratios, the Minimum Track Record
//!   Length and the Minimum Backtest Length, checked against `tests/reference/psr_dsr_vectors.json`;
//! - [`overfitting`]: the Probability of Backtest Overfitting by CSCV, checked against
//!   `tests/reference/pbo_vectors.json`;
//! - [`monte_carlo`]: seeded, parallel trade-list resampling (shuffle, bootstrap, skipped trades,
//!   extra slippage), checked against `tests/reference/montecarlo_vectors.json`;
//! - [`portfolio`]: daily returns of champions on a common calendar, their correlations, a greedy
//!   pick under a maximum pairwise correlation, equal or inverse-volatility weights and the
//!   buy-and-hold portfolio's daily returns, checked against pandas and numpy in
//!   `tests/reference/portfolio_vectors.json` (written by `scripts/reference/portfolio_vectors.py`);
//! - [`walk_forward_grid`]: the walk-forward matrix's neighbourhood pass rule over a grid of cells;
//! - [`what_if`]: a trade list without its best trades (a count or a share, ties broken by trade
//!   order) and with degraded execution (extra slippage, missed entries drawn from the caller's
//!   stream), with when each is exact and what needs the engine;
//! - [`rank_tests`]: the one-sided Mann-Whitney U test (statrs), checked against SciPy;
//! - [`benchmark`]: alpha, beta, information ratio and tracking error against a benchmark (in
//!   Gauntlet buy-and-hold of the same symbol), checked against empyrical in
//!   `tests/reference/benchmark_vectors.json` (written by `scripts/reference/benchmark_vectors.py`);
//!   its information ratio is the excess Sharpe ratio against buy-and-hold;
//! - [`stationary_bootstrap`]: the stationary bootstrap (Politis & Romano 1994): resamples drawn
//!   from the caller's seeded stream, and the closed-form variance of the resampled mean;
//! - [`data_snooping`]: White's Reality Check and Hansen's test of Superior Predictive Ability over
//!   many candidates against a benchmark, checked against arch 8.0.0 in
//!   `tests/reference/data_snooping_vectors.json` (written by
//!   `scripts/reference/data_snooping_vectors.py`);
//! - [`goodness_of_fit`]: the one-sample Kolmogorov-Smirnov test against the uniform distribution
//!   (statrs), checked against SciPy's `kstest`.
//!
//! Rates are fractions (0.02 is 2%); annualised figures use the dataset's bars per year.
#![warn(missing_docs)]

pub mod benchmark;
mod calendar;
mod curve;
pub mod data_snooping;
mod error;
pub mod goodness_of_fit;
mod inference_reports;
pub mod monte_carlo;
pub mod overfitting;
pub mod portfolio;
pub mod rank_tests;
pub mod returns;
mod series;
pub mod sharpe_inference;
pub mod stationary_bootstrap;
mod text;
mod trades;
pub mod walk_forward_grid;
pub mod what_if;

pub use benchmark::{BenchmarkRelative, PreparedBenchmark};
pub use calendar::{MonthlyReturn, monthly_returns, positive_month_share};
pub use curve::{
    CurveAccumulator, CurveMetrics, curve_metrics, curve_metrics_with_returns, recycle_returns,
};
pub use error::StatsError;
pub use inference_reports::{DsrReport, MintrlReport, PsrReport, check_trials};
pub use series::{SeriesMetrics, check_returns, returns_from_equity};
pub use text::key_value_text;
pub use trades::{TradeMetrics, duration_stats, trade_metrics};
