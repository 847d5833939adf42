//! `gauntlet validate`: everything Gauntlet can say against one genome, dataset by dataset.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use clap::Args;
use gauntlet_backtest::{BacktestConfig, CostModel, FillConvention, Market};
use gauntlet_data::Catalog;
use gauntlet_tournament::robustness::GateRules;
use gauntlet_tournament::validation::{Trials, ValidationReport, validate_genome};

/// `gauntlet validate` arguments.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// The genome (JSON).
    #[arg(long, value_name = "FILE")]
    genome: PathBuf,
    /// Catalog datasets, comma-separated.
    #[arg(
        long,
        value_name = "NAME[,NAME...]",
        value_delimiter = ',',
        required = true
    )]
    dataset: Vec<String>,
    /// How many strategies the genome was chosen from (for the Deflated Sharpe Ratio).
    #[arg(long, requires = "trial_sharpe_std")]
    trials: Option<f64>,
    /// Standard deviation of those strategies' per-bar Sharpe ratios.
    #[arg(long, requires = "trials")]
    trial_sharpe_std: Option<f64>,
    /// Starting capital, quote currency.
    #[arg(long, default_value_t = 100_000.0)]
    capital: f64,
    /// Commission per side, basis points.
    #[arg(long, default_value_t = 10.0)]
    commission_bps: f64,
    /// Full spread, basis points.
    #[arg(long, default_value_t = 0.0)]
    spread_bps: f64,
    /// Slippage per fill, basis points.
    #[arg(long, default_value_t = 5.0)]
    slippage_bps: f64,
    /// Monte Carlo seed.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// A volatility index dataset (e.g. vix-1d) whose close labels the volatility regimes instead of
    /// each series' own realised volatility.
    #[arg(long, value_name = "NAME")]
    volatility_index: Option<String>,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

fn value(number: Option<f64>) -> String {
    number.map_or("-".into(), |number| format!("{number:.4}"))
}

fn print_report(name: &str, report: &ValidationReport) {
    let metrics = &report.metrics;
    println!("== {name}");
    println!(
        "  total return {:.4}, CAGR {:.4}, Sharpe {:.3}, max drawdown {:.4}, trades {}, win rate {:.3}, profit factor {:.3}",
        metrics.total_return,
        metrics.cagr,
        metrics.sharpe,
        metrics.max_drawdown,
        metrics.trades,
        metrics.win_rate,
        metrics.profit_factor
    );
    println!(
        "  PSR (true Sharpe > 0) {:.4}; minimum track record {} bars of {}; DSR {}",
        report.probabilistic_sharpe_ratio,
        value(report.minimum_track_record_bars),
        report.observations,
        value(report.deflated_sharpe_ratio)
    );
    for summary in &report.monte_carlo {
        println!(
            "  Monte Carlo {:?} ({} paths): total return p5 {:.4} / median {:.4} / p95 {:.4}; max drawdown p5 {:.4}; P(profit) {:.3}",
            summary.resampling,
            summary.paths,
            summary.total_return_percentiles[0],
            summary.total_return_percentiles[2],
            summary.total_return_percentiles[4],
            summary.max_drawdown_5th_percentile,
            summary.probability_of_profit
        );
    }
    for window in &report.crash_windows {
        println!(
            "  {}: strategy {:.4} (max drawdown {:.4}), buy-and-hold {:.4} over {} bars",
            window.window,
            window.strategy_return,
            window.strategy_max_drawdown,
            window.buy_and_hold_return,
            window.bars
        );
    }
    for shock in &report.shocks {
        println!(
            "  {}: strategy {:.4} (max drawdown {:.4}), buy-and-hold {:.4}",
            shock.shock, shock.total_return, shock.max_drawdown, shock.buy_and_hold_return
        );
    }
    for regime in &report.regimes {
        println!(
            "  {} {}: {} bars, annual mean return {:.4}, Sharpe {:.3}",
            regime.kind, regime.label, regime.bars, regime.annual_mean_return, regime.sharpe
        );
    }
    for check in &report.gate {
        println!(
            "  [{}] {} (value {})",
            if check.passed { "pass" } else { "FAIL" },
            check.check,
            value(check.value)
        );
    }
    println!(
        "  gate: {}",
        if report.passed { "passed" } else { "failed" }
    );
}

/// Runs `gauntlet validate`.
pub fn run(arguments: ValidateArgs, datasets_dir: &Path) -> Result<()> {
    let genome = crate::backtest_command::read_genome(&arguments.genome)?;
    let trials = match (arguments.trials, arguments.trial_sharpe_std) {
        (Some(count), Some(sharpe_std)) => {
            if count.is_nan() || count <= 1.0 {
                bail!("--trials must be more than 1, got {count}");
            }
            if !(sharpe_std.is_finite() && sharpe_std >= 0.0) {
                bail!("--trial-sharpe-std must be a non-negative number, got {sharpe_std}");
            }
            Some(Trials { count, sharpe_std })
        }
        _ => None,
    };
    let catalog = Catalog::open(datasets_dir)
        .with_context(|| format!("cannot open the datasets folder {}", datasets_dir.display()))?;
    let volatility_index = match &arguments.volatility_index {
        Some(name) => Some(
            catalog
                .load(name)
                .with_context(|| format!("--volatility-index {name}"))?
                .1,
        ),
        None => None,
    };
    let mut reports = serde_json::Map::new();
    for name in &arguments.dataset {
        let (entry, series) = catalog.load(name)?;
        let config = BacktestConfig {
            initial_capital: arguments.capital,
            costs: CostModel {
                commission_bps: arguments.commission_bps,
                spread_bps: arguments.spread_bps,
                slippage_bps: arguments.slippage_bps,
            },
            fill: FillConvention::NextOpen,
            close_at_end: true,
            bars_per_year: entry.bars_per_year,
        };
        let market = Market::new(entry.symbol.clone(), series);
        let report = validate_genome(
            &genome,
            &market,
            &config,
            trials,
            &GateRules::default(),
            arguments.seed,
            volatility_index.as_ref(),
        )
        .with_context(|| format!("dataset {name}"))?;
        if arguments.json {
            reports.insert(name.clone(), serde_json::to_value(&report)?);
        } else {
            print_report(name, &report);
        }
    }
    if arguments.json {
        println!("{}", serde_json::to_string_pretty(&reports)?);
    }
    Ok(())
}
