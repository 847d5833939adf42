//! `gauntlet stats ...`: statistics of users' own series.

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Subcommand;
use gauntlet_data::{read_numeric_column, read_numeric_matrix};
use gauntlet_stats::monte_carlo::{Resampling, monte_carlo};
use gauntlet_stats::overfitting::probability_of_backtest_overfitting;
use gauntlet_stats::{DsrReport, MintrlReport, PsrReport, SeriesMetrics, returns_from_equity};
use serde::Serialize;

/// The `stats` subcommands.
#[derive(Debug, Subcommand)]
pub enum StatsCommand {
    /// Metrics of a returns or equity series (a CSV with a `returns` or an `equity` column).
    Metrics {
        /// A CSV with `returns`/`return` (used first: `backtest --equity-out` writes the backtest's
        /// own, from its initial capital) or `equity` (one return fewer: no capital before row 1).
        #[arg(long, value_name = "FILE.csv")]
        returns: PathBuf,
        /// Periods per year, to annualise (252 for exchange daily bars, 365 for 24/7 daily bars).
        #[arg(long, default_value_t = 252.0, value_name = "N", value_parser = gauntlet_core::bars_per_year_number)]
        bars_per_year: f64,
    },
    /// Probabilistic Sharpe Ratio and Minimum Track Record Length of a returns series (per-period
    /// Sharpe ratios, Bailey & Lopez de Prado 2012).
    Psr {
        /// A CSV with a `returns` (or `equity`) column.
        #[arg(long, value_name = "FILE.csv")]
        returns: PathBuf,
        /// The benchmark Sharpe ratio SR*, per period.
        #[arg(long, default_value_t = 0.0)]
        benchmark: f64,
        /// Confidence for the Minimum Track Record Length.
        #[arg(long, default_value_t = 0.95)]
        confidence: f64,
    },
    /// Minimum Track Record Length: how many periods a returns series' Sharpe ratio needs to exceed a
    /// benchmark with the given confidence (Bailey & Lopez de Prado 2012).
    Mintrl {
        /// A CSV with a `returns` (or `equity`) column.
        #[arg(long, value_name = "FILE.csv")]
        returns: PathBuf,
        /// The benchmark Sharpe ratio SR*, per period.
        #[arg(long, default_value_t = 0.0)]
        benchmark: f64,
        /// Confidence, a probability.
        #[arg(long, default_value_t = 0.95)]
        confidence: f64,
        /// Periods per year, to express the length in years too.
        #[arg(long, default_value_t = 252.0, value_parser = gauntlet_core::bars_per_year_number)]
        bars_per_year: f64,
    },
    /// Deflated Sharpe Ratio of the selected strategy's returns, given how many trials the search
    /// made and the standard deviation of their per-period Sharpe ratios (Bailey & Lopez de Prado
    /// 2014).
    Dsr {
        /// A CSV with a `returns` (or `equity`) column: the selected strategy.
        #[arg(long, value_name = "FILE.csv")]
        returns: PathBuf,
        /// Independent trials the search made.
        #[arg(long)]
        trials: f64,
        /// Standard deviation of the trials' per-period Sharpe ratios.
        #[arg(long)]
        trial_sharpe_std: f64,
    },
    /// Probability of Backtest Overfitting by CSCV of a T x N matrix of per-period returns (one
    /// column per trial, one row per period; a header row of trial names).
    Pbo {
        /// The matrix CSV.
        #[arg(long, value_name = "FILE.csv")]
        matrix: PathBuf,
        /// The even number of blocks S (C(S, S/2) splits).
        #[arg(long, default_value_t = 16)]
        blocks: usize,
    },
    /// Monte Carlo on a trade list: percentiles of final return and maximum drawdown over resampled
    /// paths.
    MonteCarlo {
        /// A CSV of trade returns: `returns` (fractions), or `backtest --trades-out`'s `pnl_pct`.
        #[arg(long, value_name = "FILE.csv")]
        trades: PathBuf,
        /// shuffle, bootstrap, skip:P (skip each trade with probability P) or slippage:C (extra cost
        /// up to C per trade, a fraction).
        #[arg(long, default_value = "bootstrap")]
        method: Resampling,
        /// Paths to simulate, 1 to 1,000,000.
        #[arg(long, default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
        paths: u64,
        /// The seed (the same seed gives the same result on any thread count).
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// Starting equity.
        #[arg(long, default_value_t = 100_000.0)]
        capital: f64,
    },
}

/// Reads a returns series from a `returns` column, or an `equity` column turned into returns.
fn read_returns(path: &std::path::Path) -> Result<Vec<f64>> {
    let (column, values) = read_numeric_column(path, &["returns", "return", "equity"])?;
    let series = if column.eq_ignore_ascii_case("equity") {
        returns_from_equity(&values).with_context(|| path.display().to_string())?
    } else {
        values
    };
    gauntlet_stats::check_returns(&series).with_context(|| path.display().to_string())?;
    Ok(series)
}

/// Prints `value` as JSON, or as `key: value` lines.
fn print(value: &impl Serialize, json: bool) -> Result<()> {
    match json {
        true => println!("{}", serde_json::to_string_pretty(value)?),
        false => print!("{}", gauntlet_stats::key_value_text(value)?),
    }
    Ok(())
}

/// Runs a `stats` subcommand.
pub fn run(command: StatsCommand, json: bool) -> Result<()> {
    match command {
        StatsCommand::Psr {
            returns: path,
            benchmark,
            confidence,
        } => print(
            &PsrReport::of(&read_returns(&path)?, benchmark, confidence),
            json,
        ),
        StatsCommand::Mintrl {
            returns: path,
            benchmark,
            confidence,
            bars_per_year,
        } => {
            let report =
                MintrlReport::of(&read_returns(&path)?, benchmark, confidence, bars_per_year)?;
            print(&report, json)
        }
        StatsCommand::Dsr {
            returns: path,
            trials,
            trial_sharpe_std,
        } => print(
            &DsrReport::of(&read_returns(&path)?, trials, trial_sharpe_std)?,
            json,
        ),
        StatsCommand::Pbo { matrix, blocks } => {
            let rows = read_numeric_matrix(&matrix)?;
            let result = probability_of_backtest_overfitting(&rows, blocks, 0.0)
                .with_context(|| format!("{}", matrix.display()))?;
            if json {
                return print(&result, true);
            }
            print!(
                "{}",
                result.describe(rows.len(), rows.first().map_or(0, Vec::len))
            );
            Ok(())
        }
        StatsCommand::MonteCarlo {
            trades,
            method,
            paths,
            seed,
            capital,
        } => {
            let names = ["returns", "return", "pnl_fraction", "pnl_pct"];
            let (column, mut values) = read_numeric_column(&trades, &names)?;
            if column == "pnl_pct" {
                values.iter_mut().for_each(|value| *value /= 100.0);
            }
            print(
                &monte_carlo(&values, capital, method, paths as _, seed),
                json,
            )
        }
        StatsCommand::Metrics {
            returns: path,
            bars_per_year,
        } => {
            let metrics = SeriesMetrics::of(&read_returns(&path)?, bars_per_year);
            print(&metrics, json)
        }
    }
}
