//! `gauntlet stats ...`: statistics of users' own series.

use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use clap::Subcommand;
use gauntlet_data::read_numeric_column;
use gauntlet_stats::monte_carlo::{Resampling, monte_carlo};
use gauntlet_stats::overfitting::probability_of_backtest_overfitting;
use gauntlet_stats::returns;
use gauntlet_stats::sharpe_inference::{
    SharpeMoments, deflated_benchmark, deflated_sharpe_ratio, minimum_track_record_length,
    probabilistic_sharpe_ratio,
};
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
        /// Print JSON.
        #[arg(long)]
        json: bool,
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
        #[arg(long, default_value_t = 252.0)]
        bars_per_year: f64,
        /// Print JSON.
        #[arg(long)]
        json: bool,
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
        /// Print JSON.
        #[arg(long)]
        json: bool,
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
        /// Print JSON (with every split).
        #[arg(long)]
        json: bool,
    },
    /// Monte Carlo on a trade list: percentiles of final return and maximum drawdown over resampled
    /// paths.
    MonteCarlo {
        /// A CSV with a `returns` column: each trade's return, a fraction.
        #[arg(long, value_name = "FILE.csv")]
        trades: PathBuf,
        /// shuffle, bootstrap, skip:P (skip each trade with probability P) or slippage:C (extra cost
        /// up to C per trade, a fraction).
        #[arg(long, default_value = "bootstrap")]
        method: String,
        /// Paths to simulate.
        #[arg(long, default_value_t = 10_000)]
        paths: usize,
        /// The seed (the same seed gives the same result on any thread count).
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// Starting equity.
        #[arg(long, default_value_t = 100_000.0)]
        capital: f64,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

/// Reads a returns series from a `returns` or `equity` column.
fn read_returns(path: &std::path::Path) -> Result<Vec<f64>> {
    let (column, values) = read_numeric_column(path, &["returns", "return", "equity"])?;
    let series: Vec<f64> = if column.eq_ignore_ascii_case("equity") {
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
    Ok(series)
}

/// Prints `value` as JSON, or as `key: value` lines.
fn print(value: &impl Serialize, json: bool) -> Result<()> {
    let text = serde_json::to_string_pretty(value).context("serialising the result")?;
    if json {
        println!("{text}");
    } else {
        for line in text.lines().filter(|line| line.contains(':')) {
            println!("{}", line.trim().trim_end_matches(',').replace('"', ""));
        }
    }
    Ok(())
}

/// Reads a T x N matrix CSV (header row, numbers), naming the file, line and column of a bad cell.
fn read_matrix(path: &std::path::Path) -> Result<Vec<Vec<f64>>> {
    let mut reader =
        csv::Reader::from_path(path).with_context(|| format!("cannot read {}", path.display()))?;
    let headers = reader.headers()?.clone();
    let mut rows = Vec::new();
    for (index, record) in reader.records().enumerate() {
        let record = record.with_context(|| format!("{}: line {}", path.display(), index + 2))?;
        let row = record
            .iter()
            .enumerate()
            .map(|(column, cell)| {
                cell.trim()
                    .parse::<f64>()
                    .ok()
                    .filter(|value| value.is_finite())
                    .with_context(|| {
                        format!(
                            "{}, line {}, column '{}': '{cell}' is not a finite number",
                            path.display(),
                            index + 2,
                            headers.get(column).unwrap_or("?")
                        )
                    })
            })
            .collect::<Result<Vec<f64>>>()?;
        rows.push(row);
    }
    Ok(rows)
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
        StatsCommand::Psr {
            returns: path,
            benchmark,
            confidence,
            json,
        } => {
            let moments = SharpeMoments::of(&read_returns(&path)?);
            #[derive(Serialize)]
            struct Psr {
                observations: usize,
                sharpe_per_period: f64,
                skewness: f64,
                kurtosis_non_excess: f64,
                benchmark_sharpe_per_period: f64,
                probabilistic_sharpe_ratio: f64,
                confidence: f64,
                minimum_track_record_length_periods: f64,
            }
            print(
                &Psr {
                    observations: moments.observations,
                    sharpe_per_period: moments.sharpe,
                    skewness: moments.skewness,
                    kurtosis_non_excess: moments.kurtosis,
                    benchmark_sharpe_per_period: benchmark,
                    probabilistic_sharpe_ratio: probabilistic_sharpe_ratio(
                        moments.sharpe,
                        benchmark,
                        moments.observations,
                        moments.skewness,
                        moments.kurtosis,
                    ),
                    confidence,
                    minimum_track_record_length_periods: minimum_track_record_length(
                        moments.sharpe,
                        benchmark,
                        moments.skewness,
                        moments.kurtosis,
                        confidence,
                    ),
                },
                json,
            )
        }
        StatsCommand::Mintrl {
            returns: path,
            benchmark,
            confidence,
            bars_per_year,
            json,
        } => {
            if !(confidence > 0.0 && confidence < 1.0) {
                bail!("--confidence must be a probability in (0, 1), got {confidence}");
            }
            let moments = SharpeMoments::of(&read_returns(&path)?);
            let periods = minimum_track_record_length(
                moments.sharpe,
                benchmark,
                moments.skewness,
                moments.kurtosis,
                confidence,
            );
            #[derive(Serialize)]
            struct Mintrl {
                observations: usize,
                sharpe_per_period: f64,
                benchmark_sharpe_per_period: f64,
                confidence: f64,
                minimum_track_record_periods: f64,
                minimum_track_record_years: f64,
                long_enough: bool,
            }
            print(
                &Mintrl {
                    observations: moments.observations,
                    sharpe_per_period: moments.sharpe,
                    benchmark_sharpe_per_period: benchmark,
                    confidence,
                    minimum_track_record_periods: periods,
                    minimum_track_record_years: periods / bars_per_year,
                    long_enough: (moments.observations as f64) >= periods,
                },
                json,
            )
        }
        StatsCommand::Dsr {
            returns: path,
            trials,
            trial_sharpe_std,
            json,
        } => {
            if trials.is_nan() || trials <= 1.0 {
                bail!("--trials must be more than 1, got {trials}");
            }
            if !(trial_sharpe_std.is_finite() && trial_sharpe_std >= 0.0) {
                bail!("--trial-sharpe-std must be a non-negative number, got {trial_sharpe_std}");
            }
            let moments = SharpeMoments::of(&read_returns(&path)?);
            #[derive(Serialize)]
            struct Dsr {
                observations: usize,
                sharpe_per_period: f64,
                trials: f64,
                trial_sharpe_std: f64,
                deflated_benchmark_per_period: f64,
                deflated_sharpe_ratio: f64,
            }
            print(
                &Dsr {
                    observations: moments.observations,
                    sharpe_per_period: moments.sharpe,
                    trials,
                    trial_sharpe_std,
                    deflated_benchmark_per_period: deflated_benchmark(trial_sharpe_std, trials),
                    deflated_sharpe_ratio: deflated_sharpe_ratio(
                        moments.sharpe,
                        trial_sharpe_std,
                        trials,
                        moments.observations,
                        moments.skewness,
                        moments.kurtosis,
                    ),
                },
                json,
            )
        }
        StatsCommand::Pbo {
            matrix,
            blocks,
            json,
        } => {
            let rows = read_matrix(&matrix)?;
            let result = probability_of_backtest_overfitting(&rows, blocks, 0.0)
                .with_context(|| format!("{}", matrix.display()))?;
            if json {
                print(&result, true)
            } else {
                println!("trials: {}", rows.first().map_or(0, Vec::len));
                println!("periods: {}", rows.len());
                println!("splits: {}", result.splits.len());
                println!(
                    "probability_of_backtest_overfitting: {}",
                    result.probability_of_overfitting
                );
                println!(
                    "probability_of_out_of_sample_loss: {}",
                    result.probability_of_loss
                );
                println!("mean_logit: {}", result.mean_logit);
                println!("degradation_slope: {}", result.degradation.slope);
                Ok(())
            }
        }
        StatsCommand::MonteCarlo {
            trades,
            method,
            paths,
            seed,
            capital,
            json,
        } => {
            let resampling = match method.split_once(':') {
                None if method == "shuffle" => Resampling::Shuffle,
                None if method == "bootstrap" => Resampling::Bootstrap,
                Some(("skip", value)) => Resampling::SkipTrades {
                    probability: value
                        .parse()
                        .ok()
                        .filter(|p| (0.0..=1.0).contains(p))
                        .with_context(|| {
                            format!("--method skip:P needs P in [0, 1], got '{value}'")
                        })?,
                },
                Some(("slippage", value)) => Resampling::ExtraSlippage {
                    max_cost: value
                        .parse()
                        .ok()
                        .filter(|c: &f64| c.is_finite() && *c > 0.0)
                        .with_context(|| {
                            format!("--method slippage:C needs C > 0, got '{value}'")
                        })?,
                },
                _ => bail!(
                    "--method must be shuffle, bootstrap, skip:P or slippage:C, got '{method}'"
                ),
            };
            let (_, values) = read_numeric_column(&trades, &["returns", "return", "pnl_fraction"])?;
            print(
                &monte_carlo(&values, capital, resampling, paths, seed),
                json,
            )
        }
        StatsCommand::Metrics {
            returns: path,
            bars_per_year,
            json,
        } => {
            if !(bars_per_year.is_finite() && bars_per_year > 0.0) {
                bail!("--bars-per-year must be a positive number, got {bars_per_year}");
            }
            let series = read_returns(&path)?;
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
            print(&metrics, json)
        }
    }
}
