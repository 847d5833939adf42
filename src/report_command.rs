//! `gauntlet report` (a run folder's HTML report), `gauntlet compare` (one run per tournament
//! category, then a comparison report) and `gauntlet study` (evolution against chance over seeds).

use std::path::{Path, PathBuf};

use crate::data_commands::open_catalog;
use anyhow::{Context, Result};
use clap::Args;
use gauntlet_data::Catalog;
use gauntlet_jobs::Shard;
use gauntlet_jobs::comparison::{ComparisonEvent, merge_comparison, run_comparison};
use gauntlet_jobs::study::{StudyEvent, StudyPlan, merge_study, run_study};
use gauntlet_report::{ReportOptions, write_comparison_report, write_report, write_study_report};
use gauntlet_run::{Experiment, Overrides};
use gauntlet_tournament::Category;

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

/// The experiment, output folder and overrides `compare` and `study` share.
#[derive(Debug, Args)]
pub struct ExperimentArgs {
    /// The experiment (TOML). Default: the built-in quickstart.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// The output folder. Default: `<output_dir>/<name>-compare` or `-study` (`-2`... when taken).
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

impl ExperimentArgs {
    /// The catalog, the experiment with the overrides, and the output folder.
    fn load(&self, datasets_dir: &Path, suffix: &str) -> Result<(Catalog, Experiment, PathBuf)> {
        gauntlet_tournament::use_threads(self.threads)?;
        let catalog = crate::data_commands::open_catalog(datasets_dir)?;
        let overrides = Overrides {
            generations: self.generations,
            population: self.population,
            ..Overrides::default()
        };
        let experiment =
            crate::evolve_command::load_experiment(self.config.as_deref(), &overrides)?;
        let folder = experiment.output_folder(self.out.as_deref(), suffix);
        Ok((catalog, experiment, folder))
    }
}

/// `gauntlet compare`: one evolution per tournament category on the same data, splits and seed,
/// then a report comparing their champions.
#[derive(Debug, Args)]
pub struct CompareArgs {
    /// `all`, or categories separated by commas (e.g. `monthly_performance,drawdown_resistance`).
    #[arg(long, default_value = "all")]
    categories: String,
    /// Make only share I of N of the runs (`env/N`: I from Slurm's or Kubernetes' task index),
    /// into --out, for a job array; then `--merge` that folder.
    #[arg(long, value_name = "I/N", value_parser = Shard::parse, requires = "out")]
    shard: Option<Shard>,
    /// Assemble the comparison of the runs the shards left in DIR (same --categories).
    #[arg(long, value_name = "DIR", conflicts_with = "shard")]
    merge: Option<PathBuf>,
    #[command(flatten)]
    experiment: ExperimentArgs,
}

/// `gauntlet study`: the experiment with several seeds, evolution against random search.
#[derive(Debug, Args)]
pub struct StudyArgs {
    /// Runs (seeds) to make, 1 to 1000.
    #[arg(long, default_value_t = 5)]
    seeds: usize,
    /// The first run's seed; the others follow it.
    #[arg(long, default_value_t = 1)]
    first_seed: u64,
    /// Permutation test of the first seed's whole search: N reruns on permuted in-sample bars,
    /// 0 to 10000 (default: the experiment's `[study] permutations`, else 0).
    #[arg(long, value_name = "N")]
    permutations: Option<u32>,
    /// Make only share I of N of the runs and permutations (`env/N`: I from Slurm's or
    /// Kubernetes' task index), into --out, for a job array; then `--merge` that folder.
    #[arg(long, value_name = "I/N", value_parser = Shard::parse, requires = "out")]
    shard: Option<Shard>,
    /// Assemble the study the shards left in DIR (same --seeds and --first-seed).
    #[arg(long, value_name = "DIR", conflicts_with_all = ["shard", "permutations"])]
    merge: Option<PathBuf>,
    #[command(flatten)]
    experiment: ExperimentArgs,
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
    let categories = Category::parse_list(&arguments.categories)
        .map_err(|message| anyhow::anyhow!("--categories: {message}"))?;
    let comparison = match &arguments.merge {
        Some(folder) if !folder.is_dir() => anyhow::bail!(
            "{}: no such folder; --merge takes the --out folder the --shard tasks wrote into",
            folder.display()
        ),
        Some(folder) => Some(merge_comparison(
            &open_catalog(datasets_dir)?,
            &categories,
            folder,
        )?),
        None => {
            let (catalog, experiment, folder) =
                arguments.experiment.load(datasets_dir, "-compare")?;
            let shard = arguments.shard.unwrap_or(Shard::WHOLE);
            run_comparison(
                &experiment,
                &catalog,
                &categories,
                shard,
                &folder,
                &mut |event| {
                    if let ComparisonEvent::RunFinished { folder, .. } = &event {
                        crate::say(&crate::write_report(folder));
                    }
                    if let Some(line) = event.describe() {
                        crate::say(&format!("{line}\n"));
                    }
                },
            )?
        }
    };
    // A share of the runs (`--shard`), and the ranks other than 0 of an MPI job, are done.
    let Some(comparison) = comparison.filter(|_| gauntlet_tournament::cluster::is_root()) else {
        return Ok(());
    };
    let report = write_comparison_report(&comparison.folder, &ReportOptions::default())?;
    println!();
    print!("{}", comparison.describe_holdout());
    println!("Comparison table: {}", comparison.table.display());
    println!("Comparison report: {}", report.display());
    Ok(())
}

/// Runs `gauntlet study`.
pub fn study(arguments: StudyArgs, datasets_dir: &Path) -> Result<()> {
    let plan = StudyPlan {
        first_seed: arguments.first_seed,
        seeds: arguments.seeds,
    };
    let (study, folder) = if let Some(folder) = arguments.merge {
        (Some(merge_study(&folder, plan)?), folder)
    } else {
        let (catalog, mut experiment, folder) =
            arguments.experiment.load(datasets_dir, "-study")?;
        let permutations = arguments
            .permutations
            .unwrap_or(experiment.study.permutations);
        experiment.study.permutations = permutations;
        let shard = arguments.shard.unwrap_or(Shard::WHOLE);
        let study = run_study(
            &experiment,
            &catalog,
            plan,
            shard,
            &folder,
            &mut |event| match event {
                StudyEvent::RunFinished(run) => {
                    crate::say(&format!(
                        "  {}: {}\n",
                        run.folder.display(),
                        run.verdict.run
                    ));
                    crate::say(&crate::write_report(&run.folder));
                }
                StudyEvent::PermutationFinished(record) => crate::say(&format!(
                    "  permutation {} of {}: {}\n",
                    record.permutation,
                    permutations,
                    record.result.describe()
                )),
                StudyEvent::ShareDone { shard, folder } => crate::say(&format!(
                    "Share {} of {} done (shares count from 0). Once every share is: gauntlet study --merge {} --seeds {} --first-seed {}\n",
                    shard.index,
                    shard.count,
                    folder.display(),
                    plan.seeds,
                    plan.first_seed
                )),
            },
        )?;
        (study, folder)
    };
    // A share (`--shard`), and the ranks other than 0 of an MPI job, are done.
    let Some(study) = study.filter(|_| gauntlet_tournament::cluster::is_root()) else {
        return Ok(());
    };
    let report = write_study_report(&folder)?;
    println!("{}Study report: {}", study.describe(), report.display());
    Ok(())
}
