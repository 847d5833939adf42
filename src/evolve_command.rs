//! `gauntlet evolve` (the main job) and `gauntlet export`.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use anyhow::{Context, Result};
use clap::Args;
use gauntlet_data::Catalog;
use gauntlet_tournament::run::{
    GenerationProgress, Observer, RunOutcome, RunSummary, next_run_folder,
};
use gauntlet_tournament::walk_forward::WalkForwardSummary;
use gauntlet_tournament::{Category, Evolved, Overrides};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

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
    category: Option<String>,
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

/// `gauntlet export`: copy a run's champion to a genome file.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The run folder.
    run_dir: PathBuf,
    /// Which category's champion.
    #[arg(long, value_name = "C")]
    category: String,
    /// Where to write `<run>-<category>.json`.
    #[arg(long, value_name = "DIR", default_value = "genomes")]
    to: PathBuf,
    /// Export even a champion that failed the validation gate.
    #[arg(long)]
    force: bool,
}

/// The progress bar over generations: ETA, best fitness, evaluations per second.
struct Progress {
    bar: ProgressBar,
}

impl Progress {
    fn new(quiet: bool) -> Self {
        let target = if quiet || !std::io::stderr().is_terminal() {
            ProgressDrawTarget::hidden()
        } else {
            ProgressDrawTarget::stderr()
        };
        let bar = ProgressBar::with_draw_target(None, target);
        bar.set_style(
            ProgressStyle::with_template(
                "{spinner} generation {pos}/{len} [{bar:30}] {elapsed_precise} ETA {eta_precise} {msg}",
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

    fn generation(&self, progress: &GenerationProgress) {
        self.bar.set_length(u64::from(progress.generations));
        self.bar.set_position(u64::from(progress.generation));
        let best = progress
            .best
            .map_or("none eligible".to_string(), |best| format!("{best:.4}"));
        self.bar.set_message(format!(
            "best {best} | {:.0} evaluations/s",
            progress.evaluations_per_second
        ));
    }
}

/// Runs `gauntlet evolve`.
pub fn run(arguments: EvolveArgs, datasets_dir: &Path) -> Result<()> {
    crate::set_threads(arguments.threads)?;
    let catalog = Catalog::open(datasets_dir)
        .with_context(|| format!("cannot open the datasets in {}", datasets_dir.display()))?;
    let stop = Arc::new(AtomicBool::new(false));
    let handler_stop = Arc::clone(&stop);
    // First Ctrl-C: finish the generation, checkpoint, exit cleanly. Second: leave at once (the
    // files on disk are always whole: every write is a rename).
    ctrlc::set_handler(move || {
        if handler_stop.swap(true, Ordering::SeqCst) {
            std::process::exit(130);
        }
        eprintln!("\nstopping after this generation's checkpoint (Ctrl-C again to leave now)");
    })
    .context("cannot install the Ctrl-C handler")?;
    let progress = Progress::new(arguments.quiet);
    let evolved = match &arguments.resume {
        Some(folder) => gauntlet_tournament::resume(folder, &catalog, &progress, &stop)
            .with_context(|| format!("cannot resume {}", folder.display()))?,
        None => {
            let category = arguments
                .category
                .as_deref()
                .map(Category::from_name)
                .transpose()
                .map_err(|message| anyhow::anyhow!("--category: {message}"))?;
            let overrides = Overrides {
                seed: arguments.seed,
                generations: arguments.generations,
                population: arguments.population,
                category,
            };
            let experiment = crate::load_experiment(arguments.config.as_deref(), &overrides)?;
            let folder = arguments
                .out
                .clone()
                .unwrap_or_else(|| next_run_folder(&experiment.output_dir, &experiment.name));
            gauntlet_tournament::evolve(experiment, &catalog, &folder, &progress, &stop)?
        }
    };
    progress.bar.finish_and_clear();
    match evolved {
        Evolved::WalkForward { folder, summary } => {
            print_walk_forward(&folder, &summary);
            crate::report_and_say(&folder);
        }
        Evolved::Run(RunOutcome::Interrupted { folder, generation }) => {
            println!(
                "Interrupted after generation {generation}; everything up to it is in {}.",
                folder.display()
            );
            println!("Resume with: gauntlet evolve --resume {}", folder.display());
            crate::report_and_say(&folder);
        }
        Evolved::Run(RunOutcome::Finished(summary)) => {
            print_summary(&summary);
            crate::report_and_say(&summary.folder);
        }
    }
    Ok(())
}

fn fitness(value: Option<f64>) -> String {
    value.map_or("not eligible".into(), |value| format!("{value:.4}"))
}

fn print_summary(summary: &RunSummary) {
    let folder = summary.folder.display();
    println!(
        "Evolved in {:.1} s ({} genomes scored). Results in {folder}/:",
        summary.seconds, summary.evaluations
    );
    println!(
        "  leaderboard.csv / leaderboard.parquet, capital.parquet, generations.parquet, run.json, champions/"
    );
    println!();
    for champion in &summary.champions {
        let marker = if champion.category == summary.category {
            " (the run's category)"
        } else {
            ""
        };
        println!(
            "Champion, {}{marker}: {}",
            champion.category.name(),
            champion.id
        );
        println!("  {}", champion.rules);
        println!(
            "  fitness: in-sample {}, validation {} (chosen here), holdout {} (never used to choose)",
            fitness(champion.in_sample.fitness),
            fitness(champion.validation.fitness),
            fitness(champion.holdout.fitness)
        );
        let robustness = &champion.robustness;
        let failed: Vec<&str> = robustness
            .gate
            .iter()
            .filter(|check| !check.passed)
            .map(|check| check.check.as_str())
            .collect();
        let worst_dsr = robustness
            .symbols
            .iter()
            .map(|symbol| symbol.deflated_sharpe_ratio)
            .fold(f64::INFINITY, f64::min);
        println!(
            "  validation gate: {} | deflated Sharpe ratio (worst symbol, {} trials) {worst_dsr:.3}",
            if robustness.passed {
                "passed".to_string()
            } else {
                format!("FAILED ({})", failed.join("; "))
            },
            robustness.trials
        );
    }
    let chance = &summary.chance;
    println!();
    println!(
        "Evolution against chance ({}, validation part, {} random genomes as the run scored):",
        summary.category.name(),
        chance.random_genomes
    );
    println!(
        "  champion {} | best random genome by in-sample fitness {} | best of the {} random in-sample leaders chosen on validation like the champion {}",
        fitness(chance.champion_validation_fitness),
        fitness(chance.random_in_sample_best_validation_fitness),
        chance.finalists,
        fitness(chance.random_validation_fitness)
    );
    println!();
    println!(
        "Export a champion with: gauntlet export {folder} --category {}",
        summary.category.name()
    );
}

fn print_walk_forward(folder: &Path, summary: &WalkForwardSummary) {
    println!(
        "Walk-forward: {} windows in {}/ (each a run in window-NN/; walk_forward.json and walk_forward.parquet hold the stitched out-of-sample results).",
        summary.windows.len(),
        folder.display()
    );
    for window in &summary.windows {
        let plan = &window.plan;
        println!(
            "  window {}: in-sample {} .. {}, out-of-sample .. {}: CAGR in-sample {}, out-of-sample {}",
            plan.index,
            gauntlet_core::Timestamp(plan.in_sample_start),
            gauntlet_core::Timestamp(plan.out_of_sample_start),
            gauntlet_core::Timestamp(plan.out_of_sample_end),
            fitness(window.in_sample_cagr),
            fitness(window.out_of_sample_cagr)
        );
        if let Some((id, rules)) = &window.champion {
            println!("    champion {id}: {rules}");
        }
    }
    for (dataset, total, bars) in &summary.stitched {
        println!("  stitched out-of-sample {dataset}: total return {total:.4} over {bars} bars");
    }
    println!(
        "  walk-forward efficiency (out-of-sample CAGR / in-sample CAGR): {}",
        fitness(summary.efficiency)
    );
    if summary.interrupted {
        println!(
            "  interrupted: the windows above are complete; continue with gauntlet evolve --resume {}",
            folder.display()
        );
    }
}

/// Runs `gauntlet export`.
pub fn export(arguments: ExportArgs) -> Result<()> {
    let category = Category::from_name(&arguments.category)
        .map_err(|message| anyhow::anyhow!("--category: {message}"))?;
    let path = gauntlet_tournament::champion_file::export_champion(
        &arguments.run_dir,
        category,
        &arguments.to,
        arguments.force,
    )?;
    println!("Wrote {}", path.display());
    Ok(())
}
