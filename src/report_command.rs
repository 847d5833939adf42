//! `gauntlet report` (a run folder's HTML report) and `gauntlet compare` (one run per tournament
//! category, then a comparison report).

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use clap::Args;
use gauntlet_data::Catalog;
use gauntlet_report::{ReportOptions, write_comparison_report, write_report};
use gauntlet_tournament::comparison::{ComparisonEvent, run_comparison};
use gauntlet_tournament::run::next_run_folder;
use gauntlet_tournament::{Category, Experiment, Overrides};

/// `gauntlet report`: render a run folder's tables into `RUN_DIR/index.html`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The run folder (finished, in progress or interrupted), or a walk-forward or comparison
    /// folder (their window or category runs are reported too).
    run_dir: PathBuf,
    /// Leaderboard rows per category.
    #[arg(long, default_value_t = 25)]
    top: usize,
}

/// `gauntlet compare`: one evolution per tournament category on the same data, splits and seed,
/// then a report comparing their champions.
#[derive(Debug, Args)]
pub struct CompareArgs {
    /// The experiment (TOML). Default: the built-in quickstart.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// `all`, or categories separated by commas (e.g. `monthly_performance,drawdown_resistance`).
    #[arg(long, default_value = "all")]
    categories: String,
    /// The comparison folder. Default: `<output_dir>/<name>-compare` (`-2`, `-3`... when taken).
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Override the number of generations of every run.
    #[arg(long)]
    generations: Option<u32>,
    /// Override the population size of every run.
    #[arg(long)]
    population: Option<usize>,
    /// Worker threads for scoring (default: every core). Results do not depend on it.
    #[arg(long)]
    threads: Option<usize>,
}

/// Runs `gauntlet report`.
pub fn report(arguments: ReportArgs) -> Result<()> {
    let options = ReportOptions {
        leaderboard_rows: arguments.top,
        ..ReportOptions::default()
    };
    let path = write_report(&arguments.run_dir, &options)
        .with_context(|| format!("cannot report on {}", arguments.run_dir.display()))?;
    println!("Wrote {}", path.display());
    Ok(())
}

/// Runs `gauntlet compare`.
pub fn compare(arguments: CompareArgs, datasets_dir: &Path) -> Result<()> {
    gauntlet_tournament::use_threads(arguments.threads)?;
    let categories = Category::parse_list(&arguments.categories)
        .map_err(|message| anyhow::anyhow!("--categories: {message}"))?;
    let catalog = Catalog::open(datasets_dir)
        .with_context(|| format!("cannot open the datasets in {}", datasets_dir.display()))?;
    let overrides = Overrides {
        generations: arguments.generations,
        population: arguments.population,
        ..Overrides::default()
    };
    let experiment = Experiment::load_with(
        arguments.config.as_deref(),
        &overrides,
        std::path::Path::new(crate::CHECKOUT),
    )?;
    let folder = arguments.out.clone().unwrap_or_else(|| {
        next_run_folder(
            &experiment.output_dir,
            &format!("{}-compare", experiment.name),
        )
    });
    let comparison = run_comparison(&experiment, &catalog, &categories, &folder, &mut |event| {
        if let ComparisonEvent::RunFinished { folder, .. } = &event {
            crate::report_and_say(folder);
        }
        if let Some(line) = event.describe() {
            println!("{line}");
        }
    })?;
    let report = write_comparison_report(&folder, &ReportOptions::default())?;
    println!();
    print!("{}", comparison.describe_holdout());
    println!("Comparison table: {}", comparison.table.display());
    println!("Comparison report: {}", report.display());
    Ok(())
}
