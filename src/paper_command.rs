//! `gauntlet paper`: trade a genome bar by bar on a replayed file, a catalog dataset or bars on
//! standard input, with a journal and saved state.

use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::{Context, Result, bail};
use clap::Args;
use gauntlet_data::{Catalog, read_parquet};
use gauntlet_paper::{FeedItem, LineFeed, LineFormat, PaperSettings, run_session, series_feed};

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
    /// Replay at this many times real time (default: as fast as possible).
    #[arg(long, value_name = "X")]
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

type Feed = Box<dyn Iterator<Item = Result<FeedItem, std::io::Error>>>;

fn line_format(text: &str) -> Result<LineFormat> {
    match text {
        "csv" => Ok(LineFormat::Csv),
        "jsonl" | "json" => Ok(LineFormat::JsonLines),
        other => bail!("--stdin takes csv or jsonl, not '{other}'"),
    }
}

/// Pulls items until the first bar to learn the feed's symbol; returns it and the feed with those
/// items put back in front.
fn first_symbol(mut feed: Feed) -> (Option<String>, Feed) {
    let mut buffered = Vec::new();
    let mut symbol = None;
    for item in feed.by_ref() {
        let is_bar = matches!(item, Ok(FeedItem::Bar { .. }) | Err(_));
        if let Ok(FeedItem::Bar {
            symbol: Some(named),
            ..
        }) = &item
        {
            symbol = Some(named.clone());
        }
        buffered.push(item);
        if is_bar {
            break;
        }
    }
    (symbol, Box::new(buffered.into_iter().chain(feed)))
}

/// Runs `gauntlet paper`.
pub fn run(arguments: PaperArgs, datasets_dir: &Path) -> Result<()> {
    let genome = crate::backtest_command::read_genome(&arguments.genome)?;
    if let Some(speed) = arguments.speed
        && !(speed.is_finite() && speed > 0.0)
    {
        bail!("--speed must be a positive number, got {speed}");
    }
    let (feed, feed_name, default_symbol, catalog_bars_per_year): (
        Feed,
        String,
        Option<String>,
        Option<f64>,
    ) = match (&arguments.feed, &arguments.stdin) {
        (_, Some(format)) => {
            let format = line_format(format)?;
            let feed: Feed = Box::new(LineFeed::new(BufReader::new(std::io::stdin()), format));
            let (symbol, feed) = first_symbol(feed);
            (feed, "stdin".into(), symbol.or(Some("stdin".into())), None)
        }
        (Some(name), None) => {
            let path = PathBuf::from(name);
            if path.is_file() {
                let stem = path
                    .file_stem()
                    .map(|stem| stem.to_string_lossy().into_owned());
                let extension = path
                    .extension()
                    .map(|extension| extension.to_string_lossy().to_ascii_lowercase());
                match extension.as_deref() {
                    Some("parquet") => {
                        let (series, _) = read_parquet(&path)?;
                        let items: Vec<_> = series_feed(&series).collect();
                        (Box::new(items.into_iter()), name.clone(), stem, None)
                    }
                    other => {
                        let format = if matches!(other, Some("jsonl" | "json")) {
                            LineFormat::JsonLines
                        } else {
                            LineFormat::Csv
                        };
                        let file = std::fs::File::open(&path)
                            .with_context(|| format!("cannot open the feed {name}"))?;
                        let feed: Feed = Box::new(LineFeed::new(BufReader::new(file), format));
                        let (symbol, feed) = first_symbol(feed);
                        (feed, name.clone(), symbol.or(stem), None)
                    }
                }
            } else {
                let catalog = Catalog::open(datasets_dir).with_context(|| {
                    format!(
                        "--feed {name} is not a file; cannot open the datasets in {}",
                        datasets_dir.display()
                    )
                })?;
                let (entry, series) = catalog
                    .load(name)
                    .with_context(|| format!("--feed {name} is neither a file nor a dataset"))?;
                let items: Vec<_> = series_feed(&series).collect();
                (
                    Box::new(items.into_iter()),
                    name.clone(),
                    Some(entry.symbol.clone()),
                    Some(entry.bars_per_year),
                )
            }
        }
        (None, None) => bail!("give --feed FILE or --stdin csv|jsonl"),
    };
    let symbol = arguments
        .symbol
        .clone()
        .or(default_symbol)
        .unwrap_or_else(|| "feed".into());
    let settings = PaperSettings {
        symbol,
        config: arguments.trading.config(
            arguments.flatten_on_exit,
            arguments
                .trading
                .bars_per_year
                .or(catalog_bars_per_year)
                .unwrap_or(252.0),
        ),
        flatten_on_exit: arguments.flatten_on_exit,
        speed: arguments.speed,
        state_dir: arguments.state.clone(),
        feed_name,
    };
    // SIGINT/SIGTERM: finish the line in progress, save, (flatten,) stop.
    let stop = Arc::new(AtomicBool::new(false));
    let handler_stop = Arc::clone(&stop);
    ctrlc::set_handler(move || {
        if handler_stop.swap(true, Ordering::SeqCst) {
            std::process::exit(130);
        }
    })
    .context("cannot install the SIGINT/SIGTERM handler")?;
    let stdout_journal = arguments.journal.is_none();
    let summary = run_session(
        genome,
        &settings,
        feed,
        arguments.journal.as_deref(),
        stdout_journal.then(|| Box::new(std::io::stdout()) as Box<dyn std::io::Write>),
        &stop,
    )?;
    let report = format!(
        "paper {}: {} bars{}, {} trades, {} lines rejected; equity {:.2} (cash {:.2}, realised P&L {:.2}, unrealised {:.2}){}{}",
        settings.symbol,
        summary.bars,
        summary
            .resumed_after_bar
            .map_or(String::new(), |bar| format!(" (resumed after bar {bar})")),
        summary.trades,
        summary.rejected,
        summary.final_equity,
        summary.cash,
        summary.realised_pnl,
        summary.unrealised_pnl,
        if summary.halted {
            "; drawdown halt fired"
        } else {
            ""
        },
        if summary.interrupted {
            "; stopped on a signal, state saved"
        } else {
            ""
        },
    );
    // The journal owns standard output when it goes there.
    if stdout_journal {
        eprintln!("{report}");
    } else {
        println!("{report}");
    }
    Ok(())
}
