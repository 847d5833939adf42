//! `gauntlet report` (a run folder's HTML report) and `gauntlet compare` (one run per tournament
//! category, then a comparison report).

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use anyhow::{Context, Result, bail};
use clap::Args;
use gauntlet_data::Catalog;
use gauntlet_report::{
    COMPARISON_TABLE, ComparisonRow, ReportOptions, write_comparison_report,
    write_comparison_table, write_run_report, write_walk_forward_report,
};
use gauntlet_tournament::run::{self, RunOutcome, Silent, cross_score, next_run_folder};
use gauntlet_tournament::{Category, Experiment};

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

/// Writes the run's report and says where it is; a report that cannot be drawn is a warning, not a
/// failed run (the tables are the results).
pub fn report_after_run(folder: &Path) {
    match write_run_report(folder, &ReportOptions::default()) {
        Ok(path) => println!("Report: {}", path.display()),
        Err(error) => eprintln!(
            "warning: the report could not be written ({error}); retry with gauntlet report {}",
            folder.display()
        ),
    }
}

/// The run folders directly inside `folder` (walk-forward windows, compared categories), sorted.
fn runs_inside(folder: &Path) -> Vec<PathBuf> {
    let mut runs: Vec<PathBuf> = std::fs::read_dir(folder)
        .map(|entries| {
            entries
                .flatten()
                .map(|entry| entry.path())
                .filter(|path| path.join("run.json").is_file())
                .collect()
        })
        .unwrap_or_default();
    runs.sort();
    runs
}

/// Reports a run, walk-forward or comparison folder (and the runs inside the latter two); returns
/// the top page.
fn report_folder(folder: &Path, options: &ReportOptions) -> Result<PathBuf> {
    let context = || format!("cannot report on {}", folder.display());
    if folder.join("walk_forward.json").is_file() || folder.join(COMPARISON_TABLE).is_file() {
        for run in runs_inside(folder) {
            write_run_report(&run, options)
                .with_context(|| format!("cannot report on {}", run.display()))?;
        }
        if folder.join("walk_forward.json").is_file() {
            return write_walk_forward_report(folder, options).with_context(context);
        }
        return write_comparison_report(folder, options).with_context(context);
    }
    write_run_report(folder, options).with_context(context)
}

/// Writes the report of a finished walk-forward (its windows' and its own) and says where it is.
pub fn report_after_walk_forward(folder: &Path) {
    match report_folder(folder, &ReportOptions::default()) {
        Ok(path) => println!("Report: {}", path.display()),
        Err(error) => eprintln!(
            "warning: the report could not be written ({error:#}); retry with gauntlet report {}",
            folder.display()
        ),
    }
}

/// Runs `gauntlet report`.
pub fn report(arguments: ReportArgs) -> Result<()> {
    let options = ReportOptions {
        leaderboard_rows: arguments.top,
        ..ReportOptions::default()
    };
    let path = report_folder(&arguments.run_dir, &options)?;
    println!("Wrote {}", path.display());
    Ok(())
}

fn parse_categories(text: &str) -> Result<Vec<Category>> {
    if text.trim() == "all" {
        return Ok(Category::ALL.to_vec());
    }
    let mut categories = Vec::new();
    for name in text
        .split(',')
        .map(str::trim)
        .filter(|name| !name.is_empty())
    {
        let category = Category::from_name(name)
            .map_err(|message| anyhow::anyhow!("--categories: {message}"))?;
        if !categories.contains(&category) {
            categories.push(category);
        }
    }
    if categories.is_empty() {
        bail!("--categories: name at least one category, or all");
    }
    Ok(categories)
}

/// Runs `gauntlet compare`.
pub fn compare(arguments: CompareArgs, datasets_dir: &Path) -> Result<()> {
    crate::set_threads(arguments.threads)?;
    let categories = parse_categories(&arguments.categories)?;
    let catalog = Catalog::open(datasets_dir)
        .with_context(|| format!("cannot open the datasets in {}", datasets_dir.display()))?;
    let mut experiment = match &arguments.config {
        Some(path) => Experiment::load(path)?,
        None => Experiment::quickstart()?,
    };
    if experiment.walk_forward.is_some() {
        bail!("gauntlet compare runs plain experiments; remove [walk_forward] from the experiment");
    }
    if let Some(generations) = arguments.generations {
        experiment.generations = generations;
    }
    if let Some(size) = arguments.population {
        experiment.population.size = size;
    }
    experiment.seed_genomes = experiment
        .seed_genomes
        .iter()
        .map(|path| crate::evolve_command::resolve(path))
        .collect();
    experiment.validate(&catalog)?;
    let folder = arguments.out.clone().unwrap_or_else(|| {
        next_run_folder(
            &experiment.output_dir,
            &format!("{}-compare", experiment.name),
        )
    });
    std::fs::create_dir_all(&folder)
        .with_context(|| format!("cannot create {}", folder.display()))?;
    let stop = AtomicBool::new(false);
    let mut champions = Vec::new();
    for (index, category) in categories.iter().enumerate() {
        let mut run_experiment = experiment.clone();
        run_experiment.category = *category;
        run_experiment.name = format!("{}-{}", experiment.name, category.name());
        let run_folder = folder.join(category.name());
        println!(
            "[{}/{}] evolving for {} in {}",
            index + 1,
            categories.len(),
            category.name(),
            run_folder.display()
        );
        let outcome = run::start(run_experiment, &catalog, &run_folder, &Silent, &stop)
            .with_context(|| format!("the {} run failed", category.name()))?;
        let RunOutcome::Finished(summary) = outcome else {
            bail!("the {} run was interrupted", category.name());
        };
        report_after_run(&run_folder);
        match summary
            .champions
            .iter()
            .find(|champion| champion.category == *category)
        {
            Some(champion) => {
                champions.push((*category, champion.id.clone(), champion.genome.clone()))
            }
            None => println!(
                "  no genome was eligible for {} on validation: no champion to compare",
                category.name()
            ),
        }
    }
    let genomes: Vec<_> = champions
        .iter()
        .map(|(_, _, genome)| genome.clone())
        .collect();
    let scores = cross_score(&experiment, &catalog, &genomes)?;
    let mut rows = Vec::new();
    for ((category, id, _), parts) in champions.iter().zip(&scores) {
        for (part_name, fitness) in ["validation", "holdout"].iter().zip(parts) {
            for (measure, value) in Category::ALL.iter().zip(fitness) {
                rows.push(ComparisonRow {
                    champion_category: category.name().to_string(),
                    champion_id: id.clone(),
                    measure: measure.name().to_string(),
                    part: part_name.to_string(),
                    fitness: *value,
                });
            }
        }
    }
    let table = write_comparison_table(&folder, &rows)?;
    let report = write_comparison_report(&folder, &ReportOptions::default())?;
    println!();
    println!("Each champion's fitness on every category's measure (holdout):");
    for (category, _, _) in &champions {
        let cells: Vec<String> = rows
            .iter()
            .filter(|row| row.champion_category == category.name() && row.part == "holdout")
            .map(|row| {
                format!(
                    "{} {}",
                    row.measure,
                    row.fitness
                        .map_or("not eligible".to_string(), |value| format!("{value:.4}"))
                )
            })
            .collect();
        println!("  {}: {}", category.name(), cells.join(", "));
    }
    println!("Comparison table: {}", table.display());
    println!("Comparison report: {}", report.display());
    Ok(())
}
