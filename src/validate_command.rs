//! `gauntlet validate`: everything Gauntlet can say against one genome, dataset by dataset.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::Result;
use clap::Args;
use gauntlet_honest::validation::{Trials, validate_on_catalog};

use crate::backtest_command::TradingArgs;

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
    /// Costs, fill convention and capital (as `gauntlet backtest`).
    #[command(flatten)]
    trading: TradingArgs,
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

/// Runs `gauntlet validate`.
pub fn run(arguments: ValidateArgs, datasets_dir: &Path) -> Result<()> {
    let genome = crate::backtest_command::read_genome(&arguments.genome)?;
    let trials = match (arguments.trials, arguments.trial_sharpe_std) {
        (Some(count), Some(sharpe_std)) => Some(Trials::new(count, sharpe_std)?),
        _ => None,
    };
    let catalog = crate::data_commands::open_catalog(datasets_dir)?;
    let reports = validate_on_catalog(
        &genome,
        &catalog,
        &arguments.dataset,
        |bars_per_year| arguments.trading.config(true, bars_per_year),
        trials,
        arguments.seed,
        arguments.volatility_index.as_deref(),
    )?;
    if arguments.json {
        // Keys sorted at every level (through a JSON value), as earlier versions printed it.
        let by_name = serde_json::to_value(reports.into_iter().collect::<BTreeMap<_, _>>())?;
        println!("{}", serde_json::to_string_pretty(&by_name)?);
        return Ok(());
    }
    for (name, report) in &reports {
        print!("{}", report.describe(name));
    }
    Ok(())
}
