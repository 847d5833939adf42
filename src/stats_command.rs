//! `gauntlet stats ...`: statistics of users' own series.

use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use clap::Subcommand;
use gauntlet_data::read_numeric_column;
use gauntlet_stats::returns;
use serde::Serialize;

/// The `stats` subcommands.
#[derive(Debug, Subcommand)]
pub enum StatsCommand {
    /// Metrics of a returns or equity series (a CSV with a `returns` or an `equity` column).
    Metrics {
        /// The CSV file.
        #[arg(long, value_name = "FILE.csv")]
        returns: PathBuf,
        /// Periods per year, to annualise (252 for exchange daily bars, 365 for 24/7 daily bars).
        #[arg(long, default_value_t = 252.0, value_name = "N")]
        bars_per_year: f64,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

/// The metrics of one series (empyrical definitions; fractions; NaN printed as null in JSON).
#[derive(Serialize)]
struct SeriesMetrics {
    periods: usize,
    bars_per_year: f64,
    total_return: f64,
    cagr: f64,
    annual_volatility: f64,
    sharpe: f64,
    sortino: f64,
    max_drawdown: f64,
    max_drawdown_periods: usize,
    calmar: f64,
    omega: f64,
    tail_ratio: f64,
    stability: f64,
    value_at_risk_5pct: f64,
    conditional_value_at_risk_5pct: f64,
}

/// Runs a `stats` subcommand.
pub fn run(command: StatsCommand) -> Result<()> {
    match command {
        StatsCommand::Metrics {
            returns: path,
            bars_per_year,
            json,
        } => {
            if !(bars_per_year.is_finite() && bars_per_year > 0.0) {
                bail!("--bars-per-year must be a positive number, got {bars_per_year}");
            }
            let (column, values) = read_numeric_column(&path, &["returns", "return", "equity"])?;
            let series = if column.eq_ignore_ascii_case("equity") {
                if let Some(bad) = values.iter().position(|value| *value <= 0.0) {
                    bail!(
                        "{}: equity must be positive (value {} is {})",
                        path.display(),
                        bad + 1,
                        values[bad]
                    );
                }
                values
                    .windows(2)
                    .map(|pair| pair[1] / pair[0] - 1.0)
                    .collect()
            } else {
                values
            };
            if series.len() < 2 {
                bail!("{}: need at least 2 returns", path.display());
            }
            let r = &series;
            let metrics = SeriesMetrics {
                periods: r.len(),
                bars_per_year,
                total_return: returns::total_return(r),
                cagr: returns::annual_return(r, bars_per_year),
                annual_volatility: returns::annual_volatility(r, bars_per_year),
                sharpe: returns::sharpe_ratio(r, 0.0, bars_per_year),
                sortino: returns::sortino_ratio(r, 0.0, bars_per_year),
                max_drawdown: returns::max_drawdown(r),
                max_drawdown_periods: returns::max_drawdown_duration(r),
                calmar: returns::calmar_ratio(r, bars_per_year),
                omega: returns::omega_ratio(r, 0.0, 0.0, bars_per_year),
                tail_ratio: returns::tail_ratio(r),
                stability: returns::stability_of_timeseries(r),
                value_at_risk_5pct: returns::value_at_risk(r, 0.05),
                conditional_value_at_risk_5pct: returns::conditional_value_at_risk(r, 0.05),
            };
            let text = serde_json::to_string_pretty(&metrics).context("serialising the metrics")?;
            if json {
                println!("{text}");
            } else {
                for line in text.lines().filter(|line| line.contains(':')) {
                    println!("{}", line.trim().trim_end_matches(',').replace('"', ""));
                }
            }
            Ok(())
        }
    }
}
