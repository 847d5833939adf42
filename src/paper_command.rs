//! `gauntlet paper`: trade a genome bar by bar on a replayed file, a catalog dataset or bars on
//! standard input, with a journal and saved state.

use std::path::{Path, PathBuf};

use anyhow::{Result, bail};
use clap::Args;
use gauntlet_paper::{
    FeedSource, OpenedFeed, PaperSettings, PortfolioSessionSettings, open_feed,
    run_portfolio_session, run_session,
};

use crate::backtest_command::TradingArgs;

/// `gauntlet paper` arguments.
#[derive(Debug, Args)]
pub struct PaperArgs {
    /// The genome (JSON; an exported champion or any genome file).
    #[arg(long, value_name = "FILE", required_unless_present = "portfolio")]
    genome: Option<PathBuf>,
    /// Trade a portfolio file (`gauntlet portfolio`): each member on each of its run's datasets
    /// with its weight's share of the capital, on one feed of their symbols (default: the
    /// datasets' bars merged in time order).
    #[arg(long, value_name = "FILE", conflicts_with_all = ["genome", "symbol"])]
    portfolio: Option<PathBuf>,
    /// Replay a file (CSV with a header, JSON lines `.jsonl`, or Parquet) or a catalog dataset by
    /// name.
    #[arg(
        long,
        value_name = "FILE|DATASET",
        required_unless_present_any = ["stdin", "portfolio"],
        conflicts_with = "stdin"
    )]
    feed: Option<String>,
    /// Read bars from standard input as they arrive, one per line: `csv` (a header line first) or
    /// `jsonl`.
    #[arg(long, value_name = "csv|jsonl")]
    stdin: Option<String>,
    /// The symbol traded (lines naming another are rejected). Default: the catalog's, else the
    /// first symbol the feed names, else the file's stem (`stdin` for standard input).
    #[arg(long)]
    symbol: Option<String>,
    /// Save the account and indicator state here after every line; restart with the same folder
    /// to continue where it stopped.
    #[arg(long, value_name = "DIR")]
    state: Option<PathBuf>,
    /// Replay at this many times real time, 0.001 to 1e12 (default: as fast as possible).
    #[arg(long, value_name = "X", value_parser = gauntlet_paper::parse_speed)]
    speed: Option<f64>,
    /// The journal (JSON lines). Default: standard output.
    #[arg(long, value_name = "FILE")]
    journal: Option<PathBuf>,
    /// At the end of the feed or on SIGINT/SIGTERM, close the position at the last close (as a
    /// backtest does at its last bar).
    #[arg(long)]
    flatten_on_exit: bool,
    /// Costs, fill convention, capital and bars per year (the same flags and defaults as
    /// `gauntlet backtest`; bars per year default to the catalog's for a dataset feed).
    #[command(flatten)]
    trading: TradingArgs,
}

/// Runs `gauntlet paper`.
pub fn run(arguments: PaperArgs, datasets_dir: &Path) -> Result<()> {
    let source = match (&arguments.feed, &arguments.stdin) {
        (_, Some(format)) => Some(FeedSource::stdin(format)?),
        (Some(name), None) => Some(FeedSource::Named(name.clone())),
        (None, None) => None,
    };
    // A stream on standard input is read up to its first bar before the session starts: a state
    // folder in use is refused before that wait. A single session then holds its own lock
    // throughout; a portfolio session is covered by this one.
    let early_lock = arguments
        .state
        .as_deref()
        .map(gauntlet_paper::StateLock::acquire)
        .transpose()?;
    // SIGINT/SIGTERM: finish the line in progress, save, (flatten,) stop. The journal owns
    // standard output when no file is given.
    let stop = crate::stop_on_signal(None)?;
    let journal = arguments.journal.as_deref();
    let writer = journal
        .is_none()
        .then(|| Box::new(std::io::stdout()) as Box<dyn std::io::Write>);
    if let Some(path) = &arguments.portfolio {
        let (accounts, opened, notes) = gauntlet_jobs::portfolio_trading::open_portfolio_paper(
            path,
            source.as_ref(),
            datasets_dir,
            arguments.trading.capital,
            &|own, per_year| {
                (arguments.trading).config_over(own, arguments.flatten_on_exit, per_year)
            },
        )?;
        notes.iter().for_each(|note| eprintln!("note: {note}"));
        let settings = PortfolioSessionSettings {
            name: path.display().to_string(),
            flatten_on_exit: arguments.flatten_on_exit,
            speed: arguments.speed,
            state_dir: arguments.state.clone(),
            feed_name: opened.name,
            feed_identity: opened.identity,
            live: opened.live,
        };
        let summary =
            run_portfolio_session(&accounts, &settings, opened.feed, journal, writer, &stop)?;
        drop(early_lock);
        return finish(&summary.describe(), &arguments, summary.interrupted);
    }
    let genome = crate::backtest_command::read_genome(arguments.genome.as_ref().expect("clap"))?;
    let Some(source) = source else {
        bail!("give --feed FILE or --stdin csv|jsonl");
    };
    let OpenedFeed {
        feed,
        name: feed_name,
        default_symbol,
        bars_per_year: catalog_bars_per_year,
        identity: feed_identity,
        live,
    } = open_feed(&source, datasets_dir)?;
    let symbol = arguments
        .symbol
        .clone()
        .or(default_symbol)
        .unwrap_or_else(|| "feed".into());
    // A champion file trades with the costs and fill it was bred and judged with; a flag given
    // replaces one of them, and says so.
    let champion =
        gauntlet_run::champion_file::champion_trading(arguments.genome.as_ref().expect("clap"))?;
    let (config, notes) = arguments.trading.config_over(
        champion
            .as_ref()
            .unwrap_or(&gauntlet_run::champion_file::TradingConditions::DEFAULT),
        arguments.flatten_on_exit,
        arguments
            .trading
            .bars_per_year
            .or(catalog_bars_per_year)
            .unwrap_or(252.0),
    );
    if let Some(own) = &champion {
        eprintln!(
            "trading as the champion was bred: commission {} bps, spread {} bps, slippage {} bps, fills at {}, capital {}",
            own.commission_bps,
            own.spread_bps,
            own.slippage_bps,
            own.fill.name(),
            own.capital
        );
        notes.iter().for_each(|note| eprintln!("note: {note}"));
    }
    let settings = PaperSettings {
        symbol,
        config,
        flatten_on_exit: arguments.flatten_on_exit,
        speed: arguments.speed,
        state_dir: arguments.state.clone(),
        feed_name,
        feed_identity,
        live,
    };
    drop(early_lock);
    let summary = run_session(genome, &settings, feed, journal, writer, &stop)?;
    let report = summary.describe(&settings.symbol);
    finish(&report, &arguments, summary.interrupted)
}

/// Prints the session's `report` (on standard error when the journal owns standard output) and,
/// when it stopped on a signal, exits as `evolve` does: 128 + the signal, as shells report it.
fn finish(report: &str, arguments: &PaperArgs, interrupted: bool) -> Result<()> {
    if arguments.journal.is_none() {
        eprintln!("{}", report.trim_end());
    } else {
        println!("{}", report.trim_end());
    }
    if interrupted {
        std::process::exit(crate::stopped_exit_code());
    }
    Ok(())
}
