//! `gauntlet backtest`: one genome (or a population) on one or more datasets, with buy-and-hold beside.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use gauntlet_backtest::report::{
    BacktestOutput, BacktestReport, NamedMarket, run_reports, settings_line, trade_records,
};
use gauntlet_backtest::{BacktestConfig, BacktestResult, FillConvention, Market};
use gauntlet_core::Timestamp;
use gauntlet_data::{load_series_between, write_csv_rows, write_time_columns};
use gauntlet_genome::Genome;
use gauntlet_run::champion_file::{
    TradingConditions as ChampionTrading, TradingOverrides, champion_trading,
};
use gauntlet_tournament::population::run_population_file;

/// Arguments of `gauntlet backtest`.
#[derive(Debug, clap::Args)]
pub struct BacktestArgs {
    /// The genome to run (JSON).
    #[arg(long, value_name = "FILE", required_unless_present_any = ["population", "portfolio"])]
    genome: Option<PathBuf>,
    /// Many genomes, one JSON per line, scored in parallel (needs --summary-out).
    #[arg(
        long,
        value_name = "FILE.jsonl",
        conflicts_with_all = ["genome", "portfolio"],
        requires = "summary_out"
    )]
    population: Option<PathBuf>,
    /// One row per genome of the population: id, final equity, buys, sells, exits, every metric.
    #[arg(long, value_name = "FILE.csv")]
    summary_out: Option<PathBuf>,
    /// Catalog datasets, comma-separated; each is backtested on its own.
    #[arg(
        long,
        value_name = "NAME[,NAME...]",
        value_delimiter = ',',
        required_unless_present_any = ["data", "portfolio"]
    )]
    dataset: Vec<String>,
    /// A bars file (CSV, auto-detected, or Parquet) instead of a catalog dataset.
    #[arg(long, value_name = "FILE", conflicts_with = "dataset")]
    data: Option<PathBuf>,
    /// First date (YYYY-MM-DD, UTC) of bars to use.
    #[arg(long, value_name = "DATE", value_parser = Timestamp::parse_date)]
    from: Option<Timestamp>,
    /// Last date (YYYY-MM-DD, UTC, inclusive) of bars to use.
    #[arg(long, value_name = "DATE", value_parser = Timestamp::parse_date)]
    to: Option<Timestamp>,
    /// Costs, fill convention, capital, bars per year.
    #[command(flatten)]
    trading: TradingArgs,
    /// Keep a position open at the end (marked to market) instead of closing it at the last close.
    #[arg(long)]
    keep_open_at_end: bool,
    /// Write the trades to this CSV (one dataset only).
    #[arg(long, value_name = "FILE.csv")]
    trades_out: Option<PathBuf>,
    /// Write the equity curve (`equity`, per-bar `return`, `buy_and_hold`) to CSV or Parquet.
    #[arg(long, value_name = "FILE")]
    equity_out: Option<PathBuf>,
    /// Trade all --dataset symbols at once with one shared account (the genome's max_positions and
    /// leverage cap apply across them), against an equal-weight buy-and-hold of the same symbols.
    /// With a portfolio file (`gauntlet portfolio`): each member on each of its run's datasets with
    /// its weight's share of the capital, equity summed over time (as `paper --portfolio` trades).
    #[arg(long, value_name = "FILE", num_args = 0..=1)]
    portfolio: Option<Option<PathBuf>>,
    /// Print one JSON object instead of tables.
    #[arg(long)]
    json: bool,
    /// Replace the files of --trades-out, --equity-out and --summary-out if they exist.
    #[arg(long)]
    force: bool,
}

/// Costs, fill convention and capital: shared by `gauntlet backtest` and `gauntlet paper`, so both
/// default to the same trading conditions. A flag left out is `None`: the defaults below, or for
/// `gauntlet paper` on a champion file, the champion's own (what it was bred and judged with).
#[derive(Debug, Clone, clap::Args)]
pub struct TradingArgs {
    /// Commission per side, basis points of traded value [default: 10, or the champion's].
    #[arg(long, value_name = "N")]
    pub commission_bps: Option<f64>,
    /// Full bid-ask spread, basis points (half is paid on each fill) [default: 0, or the
    /// champion's].
    #[arg(long, value_name = "N")]
    pub spread_bps: Option<f64>,
    /// Slippage per fill, basis points, against us [default: 5, or the champion's].
    #[arg(long, value_name = "N")]
    pub slippage_bps: Option<f64>,
    /// When orders fill: next_open or close (the signal bar's close, as vectorbt) [default:
    /// next_open, or the champion's].
    #[arg(long, value_name = "next_open|close")]
    pub fill: Option<FillConvention>,
    /// Starting capital, quote currency [default: 100000, or the champion's].
    #[arg(long, value_name = "X")]
    pub capital: Option<f64>,
    /// Bars per year for files (catalog datasets state their own), 1 to 527040; default 252.
    #[arg(long, value_name = "N", value_parser = gauntlet_core::bars_per_year_number)]
    pub bars_per_year: Option<f64>,
}

impl TradingArgs {
    /// The backtest settings, with `bars_per_year` where the flag is absent and Gauntlet's
    /// defaults for the other absent flags.
    pub fn config(&self, close_at_end: bool, bars_per_year: f64) -> BacktestConfig {
        self.config_over(&ChampionTrading::DEFAULT, close_at_end, bars_per_year)
            .0
    }

    /// The backtest settings over `base` (a champion's own conditions): each flag given replaces
    /// its value, and is named in the returned notes (`--fill close overrides the champion's
    /// next_open`).
    pub fn config_over(
        &self,
        base: &ChampionTrading,
        close_at_end: bool,
        bars_per_year: f64,
    ) -> (BacktestConfig, Vec<String>) {
        let (conditions, notes) = base.overridden(&TradingOverrides {
            commission_bps: self.commission_bps,
            spread_bps: self.spread_bps,
            slippage_bps: self.slippage_bps,
            fill: self.fill,
            capital: self.capital,
        });
        (
            conditions.backtest_config(close_at_end, bars_per_year),
            notes,
        )
    }
}

/// The datasets (or the file) cut to --from/--to, each with its trading settings.
fn load_markets(arguments: &BacktestArgs, datasets_dir: &Path) -> Result<Vec<NamedMarket>> {
    let (from, to) = (arguments.from, arguments.to);
    if arguments.data.is_none() {
        crate::data_commands::open_catalog(datasets_dir)?; // an error that says how to set it
    }
    let files = load_series_between(
        datasets_dir,
        arguments.data.as_deref(),
        &arguments.dataset,
        from,
        to,
    )?;
    let trading = &arguments.trading;
    // A champion file is backtested with the costs and fill it was bred with (as `paper`).
    let champion = match &arguments.genome {
        Some(genome) => champion_trading(genome)?,
        None => None,
    };
    let base = champion.unwrap_or(ChampionTrading::DEFAULT);
    Ok(files
        .into_iter()
        .map(|named| NamedMarket {
            config: trading
                .config_over(
                    &base,
                    !arguments.keep_open_at_end,
                    named
                        .bars_per_year
                        .or(trading.bars_per_year)
                        .unwrap_or(252.0),
                )
                .0,
            market: Market::new(named.symbol, named.series),
            name: named.name,
        })
        .collect())
}

/// A genome from a genome file or an exported champion file.
pub fn read_genome(path: &Path) -> Result<Genome> {
    gauntlet_genome::read_genome_file(path)
        .with_context(|| format!("cannot read the genome {}", path.display()))
}

/// Runs `gauntlet backtest`.
pub fn run(arguments: BacktestArgs, datasets_dir: &Path) -> Result<()> {
    // Nothing the user owns is replaced without --force, and that is known before any work.
    let outputs = [
        &arguments.trades_out,
        &arguments.equity_out,
        &arguments.summary_out,
    ];
    for path in outputs.into_iter().flatten() {
        gauntlet_data::check_output_file(path, arguments.force)?;
    }
    if let Some(Some(path)) = &arguments.portfolio {
        return portfolio_file(&arguments, path, datasets_dir);
    }
    let markets = load_markets(&arguments, datasets_dir)?;
    if markets.len() > 1
        && arguments.portfolio.is_none()
        && (arguments.trades_out.is_some() || arguments.equity_out.is_some())
    {
        bail!("--trades-out and --equity-out need exactly one dataset (or --portfolio)");
    }
    if let Some(population) = &arguments.population {
        let summary = arguments.summary_out.as_ref().expect("clap requires it");
        let loaded = &markets[0];
        let market = (loaded.name.as_str(), &loaded.market, &loaded.config);
        if let Some(text) = run_population_file(population, summary, market, arguments.json)? {
            println!("{text}");
        }
        return Ok(());
    }
    let genome = read_genome(arguments.genome.as_ref().context("give --genome FILE")?)?;
    let runs = run_reports(&genome, &markets, arguments.portfolio.is_some()).context("backtest")?;
    for run in &runs {
        write_outputs(&arguments, &run.timestamps, &run.strategy, &run.benchmark)?;
    }
    let reports: Vec<BacktestReport> = runs.into_iter().map(|run| run.report).collect();
    if arguments.json {
        let output = BacktestOutput {
            genome: genome.name.clone(),
            rules: genome.describe(),
            fill: markets[0].config.fill,
            costs: markets[0].config.costs,
            capital: markets[0].config.initial_capital,
            datasets: reports,
        };
        println!("{}", serde_json::to_string_pretty(&output)?);
        return Ok(());
    }
    println!("{}", genome.describe());
    println!("{}", settings_line(&markets, arguments.portfolio.is_some()));
    for report in &reports {
        print_report(report);
    }
    Ok(())
}

/// `--portfolio FILE`: its accounts backtested; `--trades-out` gets an `account` column and
/// `--equity-out` the accounts' equity summed.
fn portfolio_file(arguments: &BacktestArgs, path: &Path, datasets_dir: &Path) -> Result<()> {
    let given = [&arguments.genome, &arguments.population, &arguments.data];
    if given.iter().any(|flag| flag.is_some()) || !arguments.dataset.is_empty() || arguments.json {
        bail!(
            "--portfolio FILE takes the genomes and datasets from the file: leave out --genome, --population, --dataset, --data and --json"
        );
    }
    let (run, notes) = gauntlet_jobs::portfolio_trading::backtest_portfolio_file(
        path,
        datasets_dir,
        arguments.trading.capital,
        (arguments.from, arguments.to),
        &|own, per_year| {
            (arguments.trading).config_over(own, !arguments.keep_open_at_end, per_year)
        },
    )?;
    notes.iter().for_each(|note| eprintln!("note: {note}"));
    run.write_outputs(
        arguments.trades_out.as_deref(),
        arguments.equity_out.as_deref(),
    )?;
    print!("{}", run.describe());
    Ok(())
}

/// `--trades-out` and `--equity-out`.
fn write_outputs(
    arguments: &BacktestArgs,
    timestamps: &[Timestamp],
    strategy: &BacktestResult,
    benchmark: &BacktestResult,
) -> Result<()> {
    if let Some(path) = &arguments.trades_out {
        write_csv_rows(path, &trade_records(strategy)).context("writing the trades")?;
    }
    if let Some(path) = &arguments.equity_out {
        // `return` is the backtest's own per-bar return, from the initial capital before bar 0.
        let returns = strategy.returns();
        let columns: [(&str, &[f64]); 3] = [
            ("equity", &strategy.equity),
            ("return", &returns),
            ("buy_and_hold", &benchmark.equity),
        ];
        write_time_columns(path, timestamps, &columns).context("writing the equity curve")?;
    }
    Ok(())
}

fn print_report(report: &BacktestReport) {
    println!("{}", report.heading());
    let mut table = crate::table(&["metric", "strategy", "buy-and-hold"], None);
    for (name, mine, theirs) in report.metric_rows() {
        table.add_row([name.to_string(), mine, theirs]);
    }
    println!("{table}");
    println!("{}", report.order_counts());
}
