//! `gauntlet evolve` (the main job) and `gauntlet export`.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result};
use clap::Args;
use gauntlet_jobs::Shard;
use gauntlet_run::{Experiment, GenerationProgress, Observer, Overrides};
use gauntlet_tournament::Category;
use indicatif::{ProgressBar, ProgressDrawTarget as Target, ProgressStyle};

/// `gauntlet evolve`: breed strategies on an experiment's universe.
#[derive(Debug, Args)]
pub struct EvolveArgs {
    /// The experiment (TOML). Default: the built-in quickstart (`experiments/quickstart.toml`).
    #[arg(long, value_name = "FILE", conflicts_with = "resume")]
    config: Option<PathBuf>,
    /// The run folder. Default: `<output_dir>/<name>` from the experiment (`-2`, `-3`... when taken).
    #[arg(long, value_name = "DIR", conflicts_with = "resume")]
    out: Option<PathBuf>,
    /// Override the experiment's seed.
    #[arg(long, conflicts_with = "resume")]
    seed: Option<u64>,
    /// Override the number of generations.
    #[arg(long, conflicts_with = "resume")]
    generations: Option<u32>,
    /// Override the population size.
    #[arg(long, conflicts_with = "resume")]
    population: Option<usize>,
    /// Override the tournament category (monthly_performance, drawdown_resistance,
    /// volatility_adaptation, diversification_master, risk_management, consistency_champion).
    #[arg(long, value_name = "C", conflicts_with = "resume")]
    category: Option<Category>,
    /// Make only share I of N of a walk-forward's windows into --out (`env/N`: I from the
    /// scheduler's task index), for a job array; `--resume` the folder then stitches them.
    #[arg(long, value_name = "I/N", value_parser = Shard::parse, requires = "out")]
    shard: Option<Shard>,
    /// Continue an interrupted run from its checkpoint.
    #[arg(long, value_name = "RUN_DIR")]
    resume: Option<PathBuf>,
    /// Worker threads for scoring (default: every core). Results do not depend on it.
    #[arg(long)]
    threads: Option<usize>,
    /// No progress bar.
    #[arg(long)]
    quiet: bool,
}

/// `gauntlet export`: a run's champion as a champion file (JSON), or a run's champion or any genome
/// file as a strategy module for backtesting.py, NautilusTrader or freqtrade (Python) or a Pine
/// Script strategy.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The run folder (with --category).
    #[arg(required_unless_present = "genome", requires = "category")]
    run_dir: Option<PathBuf>,
    /// Which category's champion.
    #[arg(long, value_name = "C")]
    category: Option<Category>,
    /// A genome or champion file to export instead of a run's champion (any format but json).
    #[arg(long, value_name = "FILE", conflicts_with = "run_dir")]
    genome: Option<PathBuf>,
    /// `json`: a champion file for `gauntlet paper` and `gauntlet backtest`; `python`: a
    /// backtesting.py strategy module (`python FILE.py DATA.csv` runs it); `pine`: a TradingView
    /// Pine Script v6 strategy; `nautilus`: a NautilusTrader strategy module; `freqtrade`: a
    /// freqtrade strategy module (both also run their platform's backtester on `DATA.csv`).
    #[arg(long, default_value = "json", value_parser = ["json", "python", "pine", "nautilus", "freqtrade"])]
    format: String,
    /// Where: the folder for json (default `genomes`); the file for the others (default
    /// `genomes/<name>.py`, `.pine`, `_nautilus.py` or `_freqtrade.py`; `-` is standard output).
    #[arg(long, value_name = "PATH")]
    to: Option<PathBuf>,
    /// The exported strategy's bars per year (for volatility-target sizing).
    #[arg(long, value_name = "N", default_value = "252", value_parser = gauntlet_core::bars_per_year_number)]
    bars_per_year: f64,
    /// Export even a champion that failed the validation gate; replace an existing file.
    #[arg(long)]
    force: bool,
}

/// The progress bar over generations: ETA, best fitness, evaluations and genome-bars per second.
struct Progress {
    bar: ProgressBar,
}

impl Progress {
    fn new(quiet: bool) -> Self {
        // indicatif draws nothing on a standard error that is not a terminal.
        let target = quiet.then(Target::hidden).unwrap_or_else(Target::stderr);
        let bar = ProgressBar::with_draw_target(None, target);
        bar.set_style(
            ProgressStyle::with_template(
                "{spinner} {prefix} {pos}/{len} [{bar:30}] {elapsed_precise} ETA {eta_precise} {msg}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
        );
        bar.enable_steady_tick(Duration::from_millis(200));
        Self { bar }
    }
}

impl Observer for Progress {
    fn phase(&self, message: &str) {
        self.bar.set_message(message.to_string());
    }

    fn step(&self, phase: &str, done: u64, total: u64) {
        if self.bar.prefix() != phase {
            self.bar.reset_eta(); // a new phase: its own rate, its own words
            self.bar.set_message("");
        }
        self.bar.set_prefix(phase.to_string());
        self.bar.set_length(total);
        self.bar.set_position(done);
    }

    fn warning(&self, message: &str) {
        // Shown even with --quiet (which hides the bar only); above the bar while it draws.
        self.bar.suspend(|| eprintln!("warning: {message}"));
    }

    fn generation(&self, progress: &GenerationProgress) {
        self.bar.set_prefix("generation");
        self.bar.set_length(u64::from(progress.generations));
        self.bar.set_position(u64::from(progress.generation));
        self.bar.set_message(progress.describe());
    }
}

/// Runs `gauntlet evolve`.
pub fn run(arguments: EvolveArgs, datasets_dir: &Path) -> Result<()> {
    gauntlet_tournament::use_threads(arguments.threads)?;
    let catalog = crate::data_commands::open_catalog(datasets_dir)?;
    let stop = crate::stop_on_signal(Some(
        "stopping after this generation's checkpoint (Ctrl-C again to leave now)",
    ))?;
    let root = gauntlet_tournament::cluster::is_root(); // rank 0 alone prints and writes
    let progress = Progress::new(arguments.quiet || !root);
    let evolved = match &arguments.resume {
        Some(folder) => gauntlet_jobs::resume(folder, &catalog, &progress, &stop)
            .with_context(|| format!("cannot resume {}", folder.display()))?,
        None => {
            let overrides = Overrides {
                seed: arguments.seed,
                generations: arguments.generations,
                population: arguments.population,
                category: arguments.category,
            };
            let experiment = load_experiment(arguments.config.as_deref(), &overrides)?;
            let folder = experiment.output_folder(arguments.out.as_deref(), "");
            let shard = arguments.shard.unwrap_or(Shard::WHOLE);
            gauntlet_jobs::evolve(experiment, &catalog, &folder, shard, &progress, &stop)?
        }
    };
    if !root {
        return Ok(());
    }
    progress.step("writing the report", 0, 1);
    // The report first: a reader that stops early (`| head`) must not cost the run its page.
    let report = crate::write_report(evolved.folder());
    progress.bar.finish_and_clear();
    print!("{}{report}", evolved.describe());
    if evolved.interrupted() {
        std::process::exit(crate::stopped_exit_code());
    }
    Ok(())
}

/// The experiment (`config`, else the quickstart) with `overrides`; the file and its seed genomes
/// must be regular files (a named pipe would block the run in `open()`).
pub fn load_experiment(config: Option<&Path>, overrides: &Overrides) -> Result<Experiment> {
    if let Some(config) = config {
        gauntlet_core::check_regular_file(config).with_context(|| config.display().to_string())?;
    }
    let experiment = Experiment::load_with(config, overrides, Path::new(crate::CHECKOUT))?;
    for (index, path) in experiment.seed_genomes.iter().enumerate() {
        gauntlet_core::check_regular_file(path)
            .with_context(|| format!("invalid seed_genomes[{index}]: {}", path.display()))?;
    }
    Ok(experiment)
}

/// Runs `gauntlet export`.
pub fn export(arguments: ExportArgs) -> Result<()> {
    use gauntlet_report::{StrategyLanguage, StrategyLanguage::*, write_strategy};
    use gauntlet_run::champion_file::*;
    let (format, force) = (arguments.format.as_str(), arguments.force);
    let path = match (
        format,
        &arguments.run_dir,
        arguments.category,
        &arguments.genome,
    ) {
        ("json", Some(run), Some(category), _) => {
            let to = arguments.to.unwrap_or_else(|| PathBuf::from("genomes"));
            export_champion(run, category, &to, force)?
        }
        ("json", ..) => anyhow::bail!("--genome exports to any --format but json"),
        (_, run, category, genome) => {
            let source = match (genome, run, category) {
                (Some(genome), ..) => genome_for_export(genome, force)?,
                (None, Some(run), Some(category)) => champion_for_export(run, category, force)?,
                _ => anyhow::bail!("give a run folder and --category, or --genome FILE"),
            };
            let language = StrategyLanguage::from_format(format).unwrap_or(Python);
            let to = arguments.to.as_deref();
            let (path, notes) =
                write_strategy(language, &source, to, arguments.bars_per_year, force)?;
            let platform = language.platform();
            notes
                .iter()
                .for_each(|note| eprintln!("note: in {platform}, {note}"));
            path
        }
    };
    if path != Path::new("-") {
        println!("Wrote {}", path.display());
    }
    Ok(())
}
