//! `gauntlet backtest`: one genome (or a population) on one or more datasets, with buy-and-hold beside.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use comfy_table::{Table, presets::UTF8_FULL_CONDENSED};
use gauntlet_backtest::{
    BacktestConfig, BacktestResult, CostModel, ExitReason, FillConvention, Market, Metrics,
    run_backtest, run_portfolio,
};
use gauntlet_core::{BarSeries, Timestamp};
use gauntlet_data::{
    Catalog, ImportOptions, import_csv, read_parquet, write_atomically, write_time_table,
};
use gauntlet_genome::Genome;
use rayon::prelude::*;
use serde::Serialize;

/// Arguments of `gauntlet backtest`.
#[derive(Debug, clap::Args)]
pub struct BacktestArgs {
    /// The genome to run (JSON).
    #[arg(long, value_name = "FILE", required_unless_present = "population")]
    genome: Option<PathBuf>,
    /// Many genomes, one JSON per line, scored in parallel (needs --summary-out).
    #[arg(
        long,
        value_name = "FILE.jsonl",
        conflicts_with = "genome",
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
        required_unless_present = "data"
    )]
    dataset: Vec<String>,
    /// A bars file (CSV, auto-detected, or Parquet) instead of a catalog dataset.
    #[arg(long, value_name = "FILE", conflicts_with = "dataset")]
    data: Option<PathBuf>,
    /// First date (YYYY-MM-DD, UTC) of bars to use.
    #[arg(long, value_name = "DATE")]
    from: Option<String>,
    /// Last date (YYYY-MM-DD, UTC, inclusive) of bars to use.
    #[arg(long, value_name = "DATE")]
    to: Option<String>,
    /// Costs, fill convention, capital, bars per year.
    #[command(flatten)]
    trading: TradingArgs,
    /// Keep a position open at the end (marked to market) instead of closing it at the last close.
    #[arg(long)]
    keep_open_at_end: bool,
    /// Write the trades to this CSV (one dataset only).
    #[arg(long, value_name = "FILE.csv")]
    trades_out: Option<PathBuf>,
    /// Write the equity curve to this CSV or Parquet file (one dataset only).
    #[arg(long, value_name = "FILE")]
    equity_out: Option<PathBuf>,
    /// Trade all --dataset symbols at once with one shared account (the genome's max_positions and
    /// leverage cap apply across them), against an equal-weight buy-and-hold of the same symbols.
    #[arg(long)]
    portfolio: bool,
    /// Print one JSON object instead of tables.
    #[arg(long)]
    json: bool,
}

/// Costs, fill convention and capital: shared by `gauntlet backtest` and `gauntlet paper`, so both
/// default to the same trading conditions.
#[derive(Debug, Clone, clap::Args)]
pub struct TradingArgs {
    /// Commission per side, basis points of traded value.
    #[arg(long, default_value_t = 10.0, value_name = "N")]
    pub commission_bps: f64,
    /// Full bid-ask spread, basis points (half is paid on each fill).
    #[arg(long, default_value_t = 0.0, value_name = "N")]
    pub spread_bps: f64,
    /// Slippage per fill, basis points, against us.
    #[arg(long, default_value_t = 5.0, value_name = "N")]
    pub slippage_bps: f64,
    /// When orders fill: next_open (default) or close (the signal bar's close, as vectorbt).
    #[arg(long, default_value = "next_open", value_name = "next_open|close")]
    pub fill: FillConvention,
    /// Starting capital, quote currency.
    #[arg(long, default_value_t = 100_000.0, value_name = "X")]
    pub capital: f64,
    /// Bars per year for files (catalog datasets state their own); default 252.
    #[arg(long, value_name = "N")]
    pub bars_per_year: Option<f64>,
}

impl TradingArgs {
    /// The backtest settings, with `bars_per_year` where the flag is absent.
    pub fn config(&self, close_at_end: bool, bars_per_year: f64) -> BacktestConfig {
        BacktestConfig {
            initial_capital: self.capital,
            costs: CostModel {
                commission_bps: self.commission_bps,
                spread_bps: self.spread_bps,
                slippage_bps: self.slippage_bps,
            },
            fill: self.fill,
            close_at_end,
            bars_per_year,
        }
    }
}

/// A dataset ready to trade.
struct Loaded {
    name: String,
    market: Market,
    bars_per_year: f64,
}

fn parse_date(text: &str, flag: &str) -> Result<Timestamp> {
    let date = chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .with_context(|| format!("{flag} '{text}' is not a date (YYYY-MM-DD)"))?;
    Ok(Timestamp::from_datetime(
        date.and_hms_opt(0, 0, 0)
            .expect("midnight exists")
            .and_utc(),
    ))
}

fn restrict(
    series: BarSeries,
    from: Option<Timestamp>,
    to: Option<Timestamp>,
    name: &str,
) -> Result<BarSeries> {
    let start = from.map_or(0, |time| series.index_at_or_after(time));
    let end = to.map_or(series.len(), |time| {
        series.index_at_or_after(Timestamp(time.millis() + 86_400_000))
    });
    let sliced = series.slice(start..end);
    if sliced.len() < 2 {
        bail!("{name}: fewer than 2 bars between --from and --to");
    }
    Ok(sliced)
}

fn load_markets(arguments: &BacktestArgs, datasets_dir: &Path) -> Result<Vec<Loaded>> {
    let from = arguments
        .from
        .as_deref()
        .map(|text| parse_date(text, "--from"))
        .transpose()?;
    let to = arguments
        .to
        .as_deref()
        .map(|text| parse_date(text, "--to"))
        .transpose()?;
    if let Some(path) = &arguments.data {
        let is_parquet = path
            .extension()
            .is_some_and(|extension| extension.eq_ignore_ascii_case("parquet"));
        let series = if is_parquet {
            read_parquet(path)?.0
        } else {
            import_csv(path, &ImportOptions::default())?.series
        };
        let name = path.file_stem().map_or_else(
            || "data".to_string(),
            |stem| stem.to_string_lossy().into_owned(),
        );
        let series = restrict(series, from, to, &name)?;
        return Ok(vec![Loaded {
            market: Market::new(name.clone(), series),
            name,
            bars_per_year: arguments.trading.bars_per_year.unwrap_or(252.0),
        }]);
    }
    let catalog = Catalog::open(datasets_dir)
        .with_context(|| format!("cannot open the datasets folder {}", datasets_dir.display()))?;
    arguments
        .dataset
        .iter()
        .map(|name| {
            let (entry, series) = catalog.load(name)?;
            let series = restrict(series, from, to, name)?;
            Ok(Loaded {
                name: name.clone(),
                market: Market::new(entry.symbol.clone(), series),
                bars_per_year: entry.bars_per_year,
            })
        })
        .collect()
}

/// A genome from a genome file or an exported champion file.
pub fn read_genome(path: &Path) -> Result<Genome> {
    gauntlet_tournament::champion_file::read_genome_file(path)
        .with_context(|| format!("cannot read the genome {}", path.display()))
}

/// Runs `gauntlet backtest`.
pub fn run(arguments: BacktestArgs, datasets_dir: &Path) -> Result<()> {
    let markets = load_markets(&arguments, datasets_dir)?;
    if markets.len() > 1
        && !arguments.portfolio
        && (arguments.trades_out.is_some() || arguments.equity_out.is_some())
    {
        bail!("--trades-out and --equity-out need exactly one dataset (or --portfolio)");
    }
    let config_for = |loaded: &Loaded| {
        arguments
            .trading
            .config(!arguments.keep_open_at_end, loaded.bars_per_year)
    };
    if let Some(population) = &arguments.population {
        let summary = arguments.summary_out.as_ref().expect("clap requires it");
        let loaded = markets.first().expect("at least one dataset");
        return run_population(
            population,
            summary,
            loaded,
            &config_for(loaded),
            arguments.json,
        );
    }
    let genome = read_genome(arguments.genome.as_ref().expect("clap requires it"))?;
    if arguments.portfolio {
        return run_shared(&arguments, &genome, &markets, config_for);
    }
    let mut reports = Vec::new();
    for loaded in &markets {
        let config = config_for(loaded);
        let result = run_backtest(&genome, &loaded.market, &config)
            .with_context(|| format!("backtest on {}", loaded.name))?;
        let benchmark = run_backtest(&Genome::buy_and_hold(), &loaded.market, &config)
            .with_context(|| format!("buy-and-hold on {}", loaded.name))?;
        let timestamps = loaded.market.series().timestamps();
        if let Some(path) = &arguments.trades_out {
            write_trades(path, &result)?;
        }
        if let Some(path) = &arguments.equity_out {
            write_equity(path, timestamps, &result, &benchmark)?;
        }
        reports.push(DatasetReport {
            dataset: loaded.name.clone(),
            bars: timestamps.len(),
            first: timestamps.first().map(ToString::to_string),
            last: timestamps.last().map(ToString::to_string),
            close_only: result.close_only,
            buys: result.buys,
            sells: result.sells,
            stop_loss_exits: result.exits(ExitReason::StopLoss),
            take_profit_exits: result.exits(ExitReason::TakeProfit),
            metrics: result.metrics(timestamps, loaded.bars_per_year),
            buy_and_hold: benchmark.metrics(timestamps, loaded.bars_per_year),
        });
    }
    if arguments.json {
        let output = JsonOutput {
            genome: genome.name.clone(),
            rules: genome.describe(),
            fill: arguments.trading.fill,
            costs: config_for(&markets[0]).costs,
            capital: arguments.trading.capital,
            datasets: reports,
        };
        println!("{}", serde_json::to_string_pretty(&output)?);
        return Ok(());
    }
    println!("{}", genome.describe());
    println!(
        "Costs: commission {} bps/side, spread {} bps, slippage {} bps; fills at {}; capital {}",
        arguments.trading.commission_bps,
        arguments.trading.spread_bps,
        arguments.trading.slippage_bps,
        match arguments.trading.fill {
            FillConvention::NextOpen => "the next open",
            FillConvention::Close => "the signal bar's close",
        },
        arguments.trading.capital
    );
    for report in &reports {
        print_report(report);
    }
    Ok(())
}

#[derive(Serialize)]
struct DatasetReport {
    dataset: String,
    bars: usize,
    first: Option<String>,
    last: Option<String>,
    close_only: bool,
    buys: usize,
    sells: usize,
    stop_loss_exits: usize,
    take_profit_exits: usize,
    metrics: Metrics,
    buy_and_hold: Metrics,
}

#[derive(Serialize)]
struct JsonOutput {
    genome: Option<String>,
    rules: String,
    fill: FillConvention,
    costs: CostModel,
    capital: f64,
    datasets: Vec<DatasetReport>,
}

/// `--portfolio`: one account over every dataset, beside an equal-weight buy-and-hold.
fn run_shared(
    arguments: &BacktestArgs,
    genome: &Genome,
    markets: &[Loaded],
    config_for: impl Fn(&Loaded) -> BacktestConfig,
) -> Result<()> {
    let bars_per_year = markets
        .iter()
        .map(|loaded| loaded.bars_per_year)
        .fold(0.0, f64::max);
    let config = BacktestConfig {
        bars_per_year,
        ..config_for(&markets[0])
    };
    let shared: Vec<Market> = markets.iter().map(|loaded| loaded.market.clone()).collect();
    let run = run_portfolio(genome, &shared, &config).context("portfolio backtest")?;
    let mut equal_weight = Genome::buy_and_hold();
    equal_weight.sizing.max_positions = u32::try_from(shared.len()).unwrap_or(u32::MAX);
    let share = 100.0 / shared.len() as f64;
    equal_weight.sizing.method = gauntlet_genome::SizingMethod::FixedFraction {
        fraction_pct: share,
    };
    equal_weight.sizing.max_position_pct = share;
    let benchmark =
        run_portfolio(&equal_weight, &shared, &config).context("buy-and-hold portfolio")?;
    if let Some(path) = &arguments.trades_out {
        write_trades(path, &run.result)?;
    }
    if let Some(path) = &arguments.equity_out {
        write_equity(path, &run.timestamps, &run.result, &benchmark.result)?;
    }
    let names: Vec<&str> = markets.iter().map(|loaded| loaded.name.as_str()).collect();
    let report = DatasetReport {
        dataset: format!("portfolio of {}", names.join(", ")),
        bars: run.timestamps.len(),
        first: run.timestamps.first().map(ToString::to_string),
        last: run.timestamps.last().map(ToString::to_string),
        close_only: run.result.close_only,
        buys: run.result.buys,
        sells: run.result.sells,
        stop_loss_exits: run.result.exits(ExitReason::StopLoss),
        take_profit_exits: run.result.exits(ExitReason::TakeProfit),
        metrics: run.result.metrics(&run.timestamps, bars_per_year),
        buy_and_hold: benchmark.result.metrics(&run.timestamps, bars_per_year),
    };
    if arguments.json {
        let output = JsonOutput {
            genome: genome.name.clone(),
            rules: genome.describe(),
            fill: arguments.trading.fill,
            costs: config.costs,
            capital: arguments.trading.capital,
            datasets: vec![report],
        };
        println!("{}", serde_json::to_string_pretty(&output)?);
    } else {
        println!("{}", genome.describe());
        println!(
            "Shared account over {} symbols; buy-and-hold is equal-weight; annualised with {} bars per year",
            names.len(),
            bars_per_year
        );
        print_report(&report);
    }
    Ok(())
}

fn percent(value: f64) -> String {
    if value.is_finite() {
        format!("{:.2}%", value * 100.0)
    } else {
        "n/a".into()
    }
}

fn number(value: f64) -> String {
    if value.is_finite() {
        format!("{value:.2}")
    } else if value.is_infinite() {
        "inf".into()
    } else {
        "n/a".into()
    }
}

fn print_report(report: &DatasetReport) {
    println!(
        "\n{}: {} bars, {} .. {}{}",
        report.dataset,
        report.bars,
        report.first.as_deref().unwrap_or(""),
        report.last.as_deref().unwrap_or(""),
        if report.close_only {
            " (close-only data: fills and stops on closes)"
        } else {
            ""
        }
    );
    let (strategy, benchmark) = (&report.metrics, &report.buy_and_hold);
    let mut table = Table::new();
    table
        .load_style(UTF8_FULL_CONDENSED)
        .set_header(["metric", "strategy", "buy-and-hold"]);
    let rows: Vec<(&str, String, String)> = vec![
        (
            "final equity",
            number(strategy.final_equity),
            number(benchmark.final_equity),
        ),
        (
            "total return",
            percent(strategy.total_return),
            percent(benchmark.total_return),
        ),
        ("CAGR", percent(strategy.cagr), percent(benchmark.cagr)),
        (
            "annual volatility",
            percent(strategy.annual_volatility),
            percent(benchmark.annual_volatility),
        ),
        ("Sharpe", number(strategy.sharpe), number(benchmark.sharpe)),
        (
            "Sortino",
            number(strategy.sortino),
            number(benchmark.sortino),
        ),
        (
            "max drawdown",
            percent(strategy.max_drawdown),
            percent(benchmark.max_drawdown),
        ),
        (
            "longest drawdown (bars)",
            strategy.max_drawdown_bars.to_string(),
            benchmark.max_drawdown_bars.to_string(),
        ),
        ("Calmar", number(strategy.calmar), number(benchmark.calmar)),
        (
            "trades",
            strategy.trades.to_string(),
            benchmark.trades.to_string(),
        ),
        (
            "win rate",
            percent(strategy.win_rate),
            percent(benchmark.win_rate),
        ),
        (
            "profit factor",
            number(strategy.profit_factor),
            number(benchmark.profit_factor),
        ),
        (
            "expectancy per trade",
            number(strategy.expectancy),
            number(benchmark.expectancy),
        ),
        (
            "expectancy (R)",
            number(strategy.expectancy_r),
            number(benchmark.expectancy_r),
        ),
        (
            "average trade (bars)",
            number(strategy.average_trade_bars),
            number(benchmark.average_trade_bars),
        ),
        (
            "exposure",
            percent(strategy.exposure),
            percent(benchmark.exposure),
        ),
        (
            "positive months",
            percent(strategy.positive_months),
            percent(benchmark.positive_months),
        ),
    ];
    for (name, mine, theirs) in rows {
        table.add_row([name.to_string(), mine, theirs]);
    }
    println!("{table}");
    println!(
        "buys {}, sells {}, stop-loss exits {}, take-profit exits {}",
        report.buys, report.sells, report.stop_loss_exits, report.take_profit_exits
    );
}

/// One row of `--trades-out`.
#[derive(Serialize)]
struct TradeRow<'a> {
    symbol: &'a str,
    side: &'a str,
    entry_time: String,
    entry_price: f64,
    exit_time: String,
    exit_price: f64,
    quantity: f64,
    gross_pnl: f64,
    commission: f64,
    net_pnl: f64,
    pnl_pct: f64,
    bars_held: usize,
    exit_reason: &'a str,
}

fn write_trades(path: &Path, result: &BacktestResult) -> Result<()> {
    write_atomically(path, |file| {
        let mut writer = csv::Writer::from_writer(file);
        for trade in &result.trades {
            let row = TradeRow {
                symbol: &trade.symbol,
                side: match trade.side {
                    gauntlet_backtest::Side::Long => "long",
                    gauntlet_backtest::Side::Short => "short",
                },
                entry_time: trade.entry_time.to_string(),
                entry_price: trade.entry_price,
                exit_time: trade.exit_time.to_string(),
                exit_price: trade.exit_price,
                quantity: trade.quantity,
                gross_pnl: trade.gross_pnl,
                commission: trade.commission,
                net_pnl: trade.net_pnl,
                pnl_pct: trade.pnl_fraction * 100.0,
                bars_held: trade.bars_held(),
                exit_reason: trade.exit_reason.name(),
            };
            writer
                .serialize(row)
                .map_err(|error| io_error(path, error))?;
        }
        writer.flush().map_err(|error| io_error(path, error))
    })
    .context("writing the trades")
}

fn io_error(path: &Path, error: impl std::fmt::Display) -> gauntlet_data::DataError {
    gauntlet_data::DataError::Io {
        path: path.to_path_buf(),
        source: std::io::Error::other(error.to_string()),
    }
}

fn write_equity(
    path: &Path,
    timestamps: &[Timestamp],
    result: &BacktestResult,
    benchmark: &BacktestResult,
) -> Result<()> {
    let is_parquet = path
        .extension()
        .is_some_and(|extension| extension.eq_ignore_ascii_case("parquet"));
    if is_parquet {
        write_time_table(
            path,
            timestamps,
            &[
                ("equity", &result.equity),
                ("buy_and_hold", &benchmark.equity),
            ],
            &Default::default(),
        )?;
        return Ok(());
    }
    write_atomically(path, |file| {
        let mut writer = csv::Writer::from_writer(file);
        writer
            .write_record(["timestamp", "equity", "buy_and_hold"])
            .map_err(|error| io_error(path, error))?;
        for ((time, equity), benchmark) in
            timestamps.iter().zip(&result.equity).zip(&benchmark.equity)
        {
            writer
                .write_record([time.to_string(), equity.to_string(), benchmark.to_string()])
                .map_err(|error| io_error(path, error))?;
        }
        writer.flush().map_err(|error| io_error(path, error))
    })
    .context("writing the equity curve")
}

/// One row of `--summary-out`.
struct SummaryRow {
    id: String,
    buys: usize,
    sells: usize,
    stop_loss_exits: usize,
    take_profit_exits: usize,
    metrics: Metrics,
}

fn run_population(
    path: &Path,
    summary_path: &Path,
    loaded: &Loaded,
    config: &BacktestConfig,
    json: bool,
) -> Result<()> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the population {}", path.display()))?;
    let mut genomes = Vec::new();
    for (index, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let genome = Genome::from_json(line)
            .with_context(|| format!("{}, line {}", path.display(), index + 1))?;
        let id = genome
            .name
            .clone()
            .unwrap_or_else(|| format!("line-{}", index + 1));
        genomes.push((id, genome));
    }
    if genomes.is_empty() {
        bail!("{}: no genomes", path.display());
    }
    let timestamps = loaded.market.series().timestamps();
    // Scored in parallel across genomes; collected in input order, so the output never depends on
    // the thread count.
    let rows: Vec<SummaryRow> = genomes
        .par_iter()
        .map(|(id, genome)| {
            let result = run_backtest(genome, &loaded.market, config)
                .with_context(|| format!("genome {id}"))?;
            Ok(SummaryRow {
                id: id.clone(),
                buys: result.buys,
                sells: result.sells,
                stop_loss_exits: result.exits(ExitReason::StopLoss),
                take_profit_exits: result.exits(ExitReason::TakeProfit),
                metrics: result.metrics(timestamps, loaded.bars_per_year),
            })
        })
        .collect::<Result<_>>()?;
    write_atomically(summary_path, |file| {
        let mut writer = csv::Writer::from_writer(file);
        let mut header = vec![
            "id",
            "buys",
            "sells",
            "stop_loss_exits",
            "take_profit_exits",
        ];
        header.extend(rows[0].metrics.named_values().iter().map(|(name, _)| *name));
        writer
            .write_record(&header)
            .map_err(|error| io_error(summary_path, error))?;
        for row in &rows {
            let mut record = vec![
                row.id.clone(),
                row.buys.to_string(),
                row.sells.to_string(),
                row.stop_loss_exits.to_string(),
                row.take_profit_exits.to_string(),
            ];
            record.extend(
                row.metrics
                    .named_values()
                    .iter()
                    .map(|(_, value)| value.to_string()),
            );
            writer
                .write_record(&record)
                .map_err(|error| io_error(summary_path, error))?;
        }
        writer
            .flush()
            .map_err(|error| io_error(summary_path, error))
    })
    .context("writing the population summary")?;
    let best = rows
        .iter()
        .max_by(|a, b| a.metrics.final_equity.total_cmp(&b.metrics.final_equity))
        .expect("at least one genome");
    if json {
        println!(
            "{}",
            serde_json::json!({
                "genomes": rows.len(),
                "dataset": loaded.name,
                "summary": summary_path.display().to_string(),
                "best": { "id": best.id, "final_equity": best.metrics.final_equity },
            })
        );
    } else {
        println!(
            "Scored {} genomes on {} ({} bars); best {} with final equity {:.2}; summary in {}",
            rows.len(),
            loaded.name,
            timestamps.len(),
            best.id,
            best.metrics.final_equity,
            summary_path.display()
        );
    }
    Ok(())
}
