//! `gauntlet paper`: trade a genome bar by bar on a replayed file, a catalog dataset or bars on
//! standard input, with a journal and saved state.

use std::path::{Path, PathBuf};

use anyhow::{Result, bail};
use clap::Args;
use gauntlet_paper::{FeedSource, OpenedFeed, PaperSettings, open_feed, run_session};

/// `gauntlet paper` arguments.
#[derive(Debug, Args)]
pub struct PaperArgs {
    /// The genome (JSON; an exported champion or any genome file).
    #[arg(long, value_name = "FILE")]
    genome: PathBuf,
    /// Replay a file (CSV with a header, JSON lines `.jsonl`, or Parquet) or a catalog dataset by
    /// name.
    #[arg(
        long,
        value_name = "FILE|DATASET",
        required_unless_present = "stdin",
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
    trading: crate::backtest_command::TradingArgs,
}

/// Runs `gauntlet paper`.
pub fn run(arguments: PaperArgs, datasets_dir: &Path) -> Result<()> {
    let genome = crate::backtest_command::read_genome(&arguments.genome)?;
    let source = match (&arguments.feed, &arguments.stdin) {
        (_, Some(format)) => FeedSource::stdin(format)?,
        (Some(name), None) => FeedSource::Named(name.clone()),
        (None, None) => bail!("give --feed FILE or --stdin csv|jsonl"),
    };
    // A stream on standard input is read up to its first bar before the session starts: a state
    // folder in use is refused before that wait (the session itself holds the lock throughout).
    let early_lock = arguments
        .state
        .as_deref()
        .map(gauntlet_paper::StateLock::acquire)
        .transpose()?;
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
    let champion = gauntlet_run::champion_file::champion_trading(&arguments.genome)?;
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
    // SIGINT/SIGTERM: finish the line in progress, save, (flatten,) stop.
    let stop = crate::stop_on_signal(None)?;
    let stdout_journal = arguments.journal.is_none();
    drop(early_lock);
    let summary = run_session(
        genome,
        &settings,
        feed,
        arguments.journal.as_deref(),
        stdout_journal.then(|| Box::new(std::io::stdout()) as Box<dyn std::io::Write>),
        &stop,
    )?;
    let report = summary.describe(&settings.symbol);
    // The journal owns standard output when it goes there.
    if stdout_journal {
        eprintln!("{report}");
    } else {
        println!("{report}");
    }
    if summary.interrupted {
        // As `evolve`: 128 + the signal, as shells report it (the line in progress was finished).
        std::process::exit(crate::stopped_exit_code());
    }
    Ok(())
}
