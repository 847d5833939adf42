//! `gauntlet`: the command-line front end. Thin by design: parse arguments, resolve paths, call the
//! libraries, print. Errors print one line (`error: ...`) and exit with code 2.

mod backtest_command;
mod data_commands;
mod evolve_command;
mod paper_command;
mod portfolio_command;
mod report_command;
mod stats_command;
mod validate_command;

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};

use clap::{Parser, Subcommand};

/// Gauntlet breeds trading strategies on real historical bars.
#[derive(Debug, Parser)]
#[command(name = "gauntlet", version, about, propagate_version = true)]
struct Cli {
    /// The datasets folder (holding catalog.toml). Default: $GAUNTLET_DATASETS, else ./datasets when
    /// it has a catalog, else the datasets/ folder of the Gauntlet checkout this binary was built from.
    #[arg(long, global = true, env = "GAUNTLET_DATASETS", value_name = "DIR")]
    datasets_dir: Option<PathBuf>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// List, inspect, import and export datasets.
    Data {
        #[command(subcommand)]
        command: data_commands::DataCommand,
    },
    /// Backtest a genome (or a population of genomes) on datasets, with buy-and-hold beside it.
    Backtest(Box<backtest_command::BacktestArgs>),
    /// Breed strategies: evolve a population on an experiment's universe (the main job). With no
    /// --config it runs the built-in quickstart on bundled data.
    Evolve(Box<evolve_command::EvolveArgs>),
    /// Render a run folder's HTML report (`RUN_DIR/index.html`); also for a run in progress.
    Report(report_command::ReportArgs),
    /// Compare tournament categories: one evolution per category on the same data, splits and seed,
    /// then a report of each champion on every category's measure.
    Compare(Box<report_command::CompareArgs>),
    /// Does evolution beat chance here? The experiment run with several seeds, each champion against
    /// random search at the same budget on the holdout, with a one-sided Mann-Whitney U test.
    Study(Box<report_command::StudyArgs>),
    /// Paper-trade a genome bar by bar on a replayed file or dataset, or on bars from standard
    /// input, with the backtest's own logic; journal, signals, broker-shaped orders, saved state.
    Paper(Box<paper_command::PaperArgs>),
    /// Export a run's champion (or a genome) as a champion file, a strategy for backtesting.py,
    /// NautilusTrader or freqtrade, or a Pine Script.
    Export(evolve_command::ExportArgs),
    /// A portfolio of champions across runs whose daily returns on validation correlate at most
    /// --max-correlation pairwise (greedy by validation Sharpe ratio), weighted, written as a
    /// portfolio file with each member's champion file.
    Portfolio(Box<portfolio_command::PortfolioArgs>),
    /// Everything Gauntlet can say against one genome: PSR, MinTRL, DSR, Monte Carlo, the validation
    /// gate, crash windows and regimes.
    Validate(Box<validate_command::ValidateArgs>),
    /// List every building block of the formula language (README, "Formulas"): its arguments,
    /// their bounds and units, and what it computes.
    Blocks,
    /// Statistics of your own series.
    Stats {
        /// Print JSON (`pbo`: with every split).
        #[arg(long, global = true)]
        json: bool,
        #[command(subcommand)]
        command: stats_command::StatsCommand,
    },
}

fn main() -> ExitCode {
    // A bug must still end in one line, not a backtrace. A reader that closed standard output
    // (`| head -1`) makes `println!` panic on EPIPE: that is the end of output, as in ripgrep.
    std::panic::set_hook(Box::new(|info| {
        if info.to_string().contains("Broken pipe") {
            std::process::exit(0);
        }
        eprintln!("internal error (please report it): {info}");
    }));
    let cli = Cli::parse();
    // Under `mpirun` this process is one rank of the job (`--features mpi`; README, "On a cluster").
    #[cfg(feature = "mpi")]
    let _mpi =
        gauntlet_cluster::join_mpi().map_err(|error| eprintln!("warning: {error}; one process"));
    let checkout_datasets = PathBuf::from(CHECKOUT).join("datasets");
    let named = cli.datasets_dir.is_some();
    let datasets_dir = gauntlet_data::Catalog::resolve_folder(cli.datasets_dir, &checkout_datasets);
    let result = match cli.command {
        Command::Data { command } => {
            let checkout = !named && datasets_dir == checkout_datasets;
            data_commands::run(command, &datasets_dir, checkout)
        }
        Command::Backtest(arguments) => backtest_command::run(*arguments, &datasets_dir),
        Command::Evolve(arguments) => evolve_command::run(*arguments, &datasets_dir),
        Command::Export(arguments) => evolve_command::export(arguments),
        Command::Portfolio(arguments) => portfolio_command::run(*arguments),
        Command::Report(arguments) => report_command::report(arguments),
        Command::Paper(arguments) => paper_command::run(*arguments, &datasets_dir),
        Command::Compare(arguments) => report_command::compare(*arguments, &datasets_dir),
        Command::Study(arguments) => report_command::study(*arguments, &datasets_dir),
        Command::Validate(arguments) => validate_command::run(*arguments, &datasets_dir),
        Command::Stats { command, json } => stats_command::run(command, json),
        Command::Blocks => std::io::Write::write_all(
            &mut std::io::stdout(),
            gauntlet_blocks::catalogue().as_bytes(),
        )
        .map_err(Into::into),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) if gauntlet_core::is_broken_pipe(error.as_ref()) => ExitCode::SUCCESS,
        Err(error) => ExitCode::from(gauntlet_tournament::cluster::fail(
            &gauntlet_core::error_text(error.as_ref()),
        )),
    }
}

/// The signal that asked the command to stop (SIGINT 2, SIGTERM 15); 0 before any.
static STOP_SIGNAL: AtomicI32 = AtomicI32::new(0);

/// A flag that SIGINT (Ctrl-C) or SIGTERM sets, saying `notice` on standard error: the command
/// finishes its step (a generation, a feed line), saves and stops. A second signal exits at once
/// with [`stopped_exit_code`] (the files on disk are always whole: every write is a rename).
///
/// # Errors
/// When the handler cannot be installed.
pub fn stop_on_signal(notice: Option<&'static str>) -> anyhow::Result<Arc<AtomicBool>> {
    use signal_hook::consts::{SIGINT, SIGTERM};
    let mut signals = signal_hook::iterator::Signals::new([SIGINT, SIGTERM])
        .map_err(|error| anyhow::anyhow!("cannot install the SIGINT/SIGTERM handler: {error}"))?;
    let stop = Arc::new(AtomicBool::new(false));
    let handler_stop = Arc::clone(&stop);
    std::thread::spawn(move || {
        for signal in signals.forever() {
            if STOP_SIGNAL.swap(signal, Ordering::SeqCst) != 0 {
                std::process::exit(stopped_exit_code());
            }
            handler_stop.store(true, Ordering::SeqCst);
            notice.inspect(|notice| eprintln!("\n{notice}"));
        }
    });
    Ok(stop)
}

/// 128 + the signal that stopped the command (130 Ctrl-C, 143 SIGTERM), as shells report it.
pub fn stopped_exit_code() -> i32 {
    128 + STOP_SIGNAL
        .load(Ordering::SeqCst)
        .max(signal_hook::consts::SIGINT)
}

/// The Gauntlet checkout this binary was built from: the quickstart's seed genomes and the bundled
/// datasets are found there from any folder.
pub const CHECKOUT: &str = env!("CARGO_MANIFEST_DIR");

/// A terminal table in Gauntlet's style; `width` columns at most when given (cells then wrap).
pub fn table(header: &[&str], width: Option<u16>) -> comfy_table::Table {
    let mut table = comfy_table::Table::new();
    table
        .load_style(comfy_table::presets::UTF8_FULL_CONDENSED)
        .set_header(header);
    if let Some(width) = width {
        table
            .set_width(width)
            .set_content_arrangement(comfy_table::ContentArrangement::Dynamic);
    }
    table
}

/// Progress of a long command on standard output; a closed pipe drops it and the work goes on.
pub fn say(text: &str) {
    let _ = std::io::Write::write_all(&mut std::io::stdout(), text.as_bytes());
}

/// Writes the report of any Gauntlet folder and returns the line that says where it is; a report
/// that cannot be drawn is a warning, not a failed run (the tables are the results).
pub fn write_report(folder: &std::path::Path) -> String {
    match gauntlet_report::write_report(folder, &gauntlet_report::ReportOptions::default()) {
        Ok(path) => format!("Report: {}\n", path.display()),
        Err(error) => {
            eprintln!(
                "warning: the report could not be written ({error}); retry with gauntlet report {}",
                folder.display()
            );
            String::new()
        }
    }
}
