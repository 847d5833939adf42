//! Monte Carlo on a trade list: how the same trades could have played out. Each path rebuilds an
//! equity curve from the trades' returns, compounding from a starting equity (`eq_i = eq_{i-1} (1 +
//! r_i)`, the start counting as the first peak), after one of four resamplings ([`Resampling`]); the
//! summary gives percentiles (numpy's linear interpolation) of the final return and of the maximum
//! drawdown over the paths, and the probability of profit.
//!
//! Paths are independent and seeded: path `i` draws from ChaCha8 keyed by the seed on stream `i`,
//! so a summary is the same on any number of threads (paths run in parallel with rayon and are
//! collected in order). References: the trade-resampling tests of strategy builders (StrategyQuant X
//! "Monte Carlo retest", quantstats `montecarlo`); `tests/monte_carlo.rs` replays the index arrays of
//! `tests/reference/montecarlo_vectors.json` exactly and matches its 10,000-path summaries
//! statistically.

use rand::seq::SliceRandom;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::returns::percentile;

/// How each path is drawn from the trade list.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum Resampling {
    /// The trades in a random order (the final return stays, the path and drawdown change).
    Shuffle,
    /// As many trades drawn with replacement.
    Bootstrap,
    /// Each trade skipped (return 0) with this probability, a fraction.
    SkipTrades {
        /// Probability of skipping a trade.
        probability: f64,
    },
    /// Each trade's return reduced by an extra cost drawn uniformly from `[0, max_cost)`, a fraction
    /// of the position (slippage the backtest did not assume).
    ExtraSlippage {
        /// The largest extra cost per trade, a fraction (0.002 = 20 bps).
        max_cost: f64,
    },
}

impl std::str::FromStr for Resampling {
    type Err = crate::StatsError;

    /// `shuffle`, `bootstrap`, `skip:P` (P in [0, 1]) or `slippage:C` (C in (0, 1), a fraction).
    fn from_str(method: &str) -> Result<Self, Self::Err> {
        let invalid = |message: String| crate::StatsError::Invalid(message);
        match method.split_once(':') {
            None if method == "shuffle" => Ok(Resampling::Shuffle),
            None if method == "bootstrap" => Ok(Resampling::Bootstrap),
            Some(("skip", value)) => value
                .parse()
                .ok()
                .filter(|p| (0.0..=1.0).contains(p))
                .map(|probability| Resampling::SkipTrades { probability })
                .ok_or_else(|| {
                    invalid(format!("--method skip:P needs P in [0, 1], got '{value}'"))
                }),
            Some(("slippage", value)) => value
                .parse()
                .ok()
                .filter(|c: &f64| *c > 0.0 && *c < 1.0)
                .map(|max_cost| Resampling::ExtraSlippage { max_cost })
                .ok_or_else(|| {
                    invalid(format!(
                        "--method slippage:C needs C in (0, 1), a fraction of the position \
                         (0.002 is 20 bps; 1 would cost the whole trade), got '{value}'"
                    ))
                }),
            _ => Err(invalid(format!(
                "--method must be shuffle, bootstrap, skip:P or slippage:C, got '{method}'"
            ))),
        }
    }
}

/// One path's outcome.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PathOutcome {
    /// Equity after the last trade.
    pub final_equity: f64,
    /// `final / start - 1`.
    pub total_return: f64,
    /// The deepest fall from a running peak, a fraction <= 0 (`eq / peak - 1`).
    pub max_drawdown: f64,
    /// The largest fall from a running peak in money, <= 0 (`eq - peak`).
    pub max_drawdown_amount: f64,
}

/// The outcome of compounding `returns` (fractions per trade) from `start_equity`.
pub fn path_outcome(start_equity: f64, returns: impl IntoIterator<Item = f64>) -> PathOutcome {
    let (mut equity, mut peak) = (start_equity, start_equity);
    let (mut deepest, mut deepest_amount) = (0.0f64, 0.0f64);
    for value in returns {
        equity *= 1.0 + value;
        peak = peak.max(equity);
        deepest = deepest.min(equity / peak - 1.0);
        deepest_amount = deepest_amount.min(equity - peak);
    }
    PathOutcome {
        final_equity: equity,
        total_return: equity / start_equity - 1.0,
        max_drawdown: deepest,
        max_drawdown_amount: deepest_amount,
    }
}

/// One resampled path of `trades` drawn from `rng`.
pub fn simulate_path(
    trades: &[f64],
    start_equity: f64,
    resampling: Resampling,
    rng: &mut ChaCha8Rng,
) -> PathOutcome {
    match resampling {
        Resampling::Shuffle => {
            let mut order = trades.to_vec();
            order.shuffle(rng);
            path_outcome(start_equity, order)
        }
        Resampling::Bootstrap => path_outcome(
            start_equity,
            (0..trades.len()).map(|_| trades[rng.random_range(0..trades.len())]),
        ),
        Resampling::SkipTrades { probability } => path_outcome(
            start_equity,
            trades.iter().map(|&value| {
                if rng.random_bool(probability) {
                    0.0
                } else {
                    value
                }
            }),
        ),
        Resampling::ExtraSlippage { max_cost } => path_outcome(
            start_equity,
            trades
                .iter()
                .map(|&value| value - rng.random_range(0.0..max_cost)),
        ),
    }
}

/// Percentiles of a Monte Carlo run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MonteCarloSummary {
    /// How paths were drawn.
    pub resampling: Resampling,
    /// Paths simulated.
    pub paths: usize,
    /// 5th, 25th, 50th, 75th and 95th percentiles of the total return.
    #[serde(deserialize_with = "gauntlet_core::json_float::nan_if_null_array")]
    pub total_return_percentiles: [f64; 5],
    /// Median maximum drawdown (<= 0).
    #[serde(deserialize_with = "gauntlet_core::json_float::nan_if_null")]
    pub median_max_drawdown: f64,
    /// The 5th percentile of the maximum drawdown (the worst 5% of paths are deeper).
    #[serde(deserialize_with = "gauntlet_core::json_float::nan_if_null")]
    pub max_drawdown_5th_percentile: f64,
    /// The 1st percentile of the maximum drawdown.
    #[serde(deserialize_with = "gauntlet_core::json_float::nan_if_null")]
    pub max_drawdown_1st_percentile: f64,
    /// Share of paths that end with a profit (total return > 0).
    #[serde(deserialize_with = "gauntlet_core::json_float::nan_if_null")]
    pub probability_of_profit: f64,
}

/// Most Monte Carlo paths a caller should ask for (experiments and `gauntlet stats monte-carlo`
/// check it): a million paths already pin the 5th percentile to well under 0.1%.
pub const MAX_PATHS: usize = 1_000_000;

/// Runs `paths` resampled paths of `trades` (returns per trade, fractions) from `start_equity`,
/// path `p` drawing from ChaCha8 keyed by `seed` on stream number `p`. `NaN` percentiles when
/// `trades` is empty or `paths` is 0.
pub fn monte_carlo(
    trades: &[f64],
    start_equity: f64,
    resampling: Resampling,
    paths: usize,
    seed: u64,
) -> MonteCarloSummary {
    monte_carlo_on_streams(trades, start_equity, resampling, paths, |path| {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rng.set_stream(path as u64);
        rng
    })
}

/// [`monte_carlo`] with path `p` drawing from `path_stream(p)`: a run gives its Monte Carlo
/// paths the streams of its own layout (gauntlet-evolve's `streams`), so they never meet another
/// use of its seed. The paths run in parallel and are collected in path order.
pub fn monte_carlo_on_streams(
    trades: &[f64],
    start_equity: f64,
    resampling: Resampling,
    paths: usize,
    path_stream: impl Fn(usize) -> ChaCha8Rng + Sync,
) -> MonteCarloSummary {
    let outcomes: Vec<PathOutcome> = if trades.is_empty() {
        Vec::new()
    } else {
        (0..paths)
            .into_par_iter()
            .map(|path| simulate_path(trades, start_equity, resampling, &mut path_stream(path)))
            .collect()
    };
    let returns: Vec<f64> = outcomes
        .iter()
        .map(|outcome| outcome.total_return)
        .collect();
    let drawdowns: Vec<f64> = outcomes
        .iter()
        .map(|outcome| outcome.max_drawdown)
        .collect();
    let profitable = returns.iter().filter(|&&value| value > 0.0).count();
    MonteCarloSummary {
        resampling,
        paths: outcomes.len(),
        total_return_percentiles: [5.0, 25.0, 50.0, 75.0, 95.0]
            .map(|percent| percentile(&returns, percent)),
        median_max_drawdown: percentile(&drawdowns, 50.0),
        max_drawdown_5th_percentile: percentile(&drawdowns, 5.0),
        max_drawdown_1st_percentile: percentile(&drawdowns, 1.0),
        probability_of_profit: if outcomes.is_empty() {
            f64::NAN
        } else {
            profitable as f64 / outcomes.len() as f64
        },
    }
}
