//! Comparing tournament categories: one run per category on the same data, splits and seed, each
//! run's champion then scored on every category's measure on the validation and holdout parts.
//! The comparison folder holds a run folder per category (`<folder>/<category>/`) and
//! `comparison.parquet` ([`ComparisonRow`] rows).
//!
//! The runs spread over machines in two ways: as one MPI job ([`gauntlet_tournament::cluster`]: every run's
//! scoring split over the ranks), or, for schedulers without MPI, as a job array whose tasks each
//! run a [`Shard`] of the categories into one shared folder, then [`merge_comparison`] scores the
//! champions and writes the same `comparison.parquet` as a comparison run in one go.

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use gauntlet_data::Catalog;
use gauntlet_genome::Genome;
use gauntlet_tournament::{GenomeScore, Part};

use crate::error::JobError;
use crate::shard::Shard;
use gauntlet_run::Experiment;
use gauntlet_run::tables::{ComparisonRow, write_rows};
use gauntlet_run::{DatasetRecord, RunFolder};
use gauntlet_run::{RunOutcome, Silent, prepare, start};
use gauntlet_tournament::Category;

/// What a comparison reports as it goes.
#[derive(Debug)]
pub enum ComparisonEvent<'a> {
    /// Run `index` (0-based) of `count` starts, breeding for `category` in `folder`.
    RunStarts {
        /// 0-based.
        index: usize,
        /// Runs in all.
        count: usize,
        /// The category bred for.
        category: Category,
        /// The run folder.
        folder: &'a Path,
    },
    /// A run finished; `champion` is false when no genome was eligible in its category on
    /// validation (so it has no champion to compare).
    RunFinished {
        /// The category bred for.
        category: Category,
        /// The run folder.
        folder: &'a Path,
        /// Whether the run has a champion of its category.
        champion: bool,
    },
    /// A [`Shard`]'s runs are done, in `folder`; [`merge_comparison`] comes once every share is.
    ShareDone {
        /// The share.
        shard: Shard,
        /// The comparison folder.
        folder: &'a Path,
        /// Every share's categories (what the merge must name).
        categories: &'a [Category],
        /// The datasets folder the runs read (what the merge must read).
        datasets: &'a Path,
    },
}

impl ComparisonEvent<'_> {
    /// The line the terminal shows for the event, if any: `[2/6] evolving for ... in ...`, or that a
    /// run has no champion to compare.
    pub fn describe(&self) -> Option<String> {
        match self {
            ComparisonEvent::RunStarts {
                index,
                count,
                category,
                folder,
            } => Some(format!(
                "[{}/{count}] evolving for {} in {}",
                index + 1,
                category.name(),
                folder.display()
            )),
            ComparisonEvent::RunFinished {
                category,
                champion: false,
                ..
            } => Some(format!(
                "  no genome was eligible for {} on validation: no champion to compare",
                category.name()
            )),
            ComparisonEvent::RunFinished { .. } => None,
            ComparisonEvent::ShareDone {
                shard,
                folder,
                categories,
                datasets,
            } => {
                let names = if *categories == Category::ALL {
                    "all".to_string()
                } else {
                    let names: Vec<&str> =
                        categories.iter().map(|category| category.name()).collect();
                    names.join(",")
                };
                Some(format!(
                    "Share {} of {} done (shares count from 0). Once every share is: gauntlet compare --merge {} --categories {names} --datasets-dir {}",
                    shard.index,
                    shard.count,
                    shell_word(&folder.display().to_string()),
                    shell_word(&datasets.display().to_string())
                ))
            }
        }
    }
}

/// `text` as one word of a POSIX shell command: as it is when it holds only safe characters, else
/// in single quotes (each `'` written `'\''`).
fn shell_word(text: &str) -> String {
    let safe = |c: char| c.is_ascii_alphanumeric() || "/._-+=:,@%".contains(c);
    if !text.is_empty() && text.chars().all(safe) {
        text.to_string()
    } else {
        format!("'{}'", text.replace('\'', "'\\''"))
    }
}

/// What a finished comparison holds.
#[derive(Debug, Clone)]
pub struct Comparison {
    /// The comparison folder.
    pub folder: PathBuf,
    /// The categories whose runs have a champion, in the order run.
    pub champions: Vec<Category>,
    /// Every cell of the matrix (what `comparison.parquet` holds).
    pub rows: Vec<ComparisonRow>,
    /// `comparison.parquet`.
    pub table: PathBuf,
}

impl Comparison {
    /// Each champion's fitness on every category's measure on the holdout part, a line per
    /// champion (`not eligible` where it is not), for the terminal. Lines end with a newline.
    pub fn describe_holdout(&self) -> String {
        let mut text =
            String::from("Each champion's fitness on every category's measure (holdout):\n");
        for category in &self.champions {
            let cells: Vec<String> = self
                .rows
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
            text.push_str(&format!("  {}: {}\n", category.name(), cells.join(", ")));
        }
        text
    }
}

/// Runs one evolution per category of `categories` on `experiment` in `folder/<category>/`, then
/// scores each run's champion on every category's measure on the validation and holdout parts and
/// writes `comparison.parquet`. `experiment` must have no `[walk_forward]`. With a `shard` of
/// several, only that share's runs are made and `None` is returned: [`merge_comparison`] assembles
/// the comparison once every share is done.
///
/// # Errors
/// [`JobError::Config`] for a walk-forward experiment or an empty category list; as
/// [`start`] for each run; [`JobError::Config`] naming the category whose run was
/// interrupted.
pub fn run_comparison(
    experiment: &Experiment,
    catalog: &Catalog,
    categories: &[Category],
    shard: Shard,
    folder: &Path,
    observer: &mut dyn FnMut(ComparisonEvent<'_>),
) -> Result<Option<Comparison>, JobError> {
    if experiment.walk_forward.is_some() {
        return Err(JobError::Config {
            field: "walk_forward".into(),
            message:
                "a comparison runs plain experiments; remove [walk_forward] from the experiment"
                    .into(),
        });
    }
    if categories.is_empty() {
        return Err(JobError::Config {
            field: "categories".into(),
            message: "name at least one category".into(),
        });
    }
    experiment.validate(catalog)?;
    // In a cluster job rank 0 writes `folder`, the other ranks a private one.
    let rank_folder = gauntlet_tournament::cluster::RankFolder::for_rank(folder, false)?;
    let folder = rank_folder.path();
    std::fs::create_dir_all(folder).map_err(|source| JobError::Io {
        path: folder.to_path_buf(),
        source,
    })?;
    let stop = AtomicBool::new(false);
    let mut champions = Vec::new();
    for (index, category) in categories.iter().enumerate() {
        if !shard.takes(index) {
            continue;
        }
        let mut run_experiment = experiment.clone();
        run_experiment.category = *category;
        run_experiment.name = format!("{}-{}", experiment.name, category.name());
        let run_folder = folder.join(category.name());
        // Rank 0 alone tells (in a cluster job the others compute the same runs, silently).
        let mut observer = |event| {
            if gauntlet_tournament::cluster::is_root() {
                observer(event);
            }
        };
        observer(ComparisonEvent::RunStarts {
            index,
            count: categories.len(),
            category: *category,
            folder: &run_folder,
        });
        let RunOutcome::Finished(summary) =
            start(run_experiment, catalog, &run_folder, &Silent, &stop)?
        else {
            return Err(JobError::Config {
                field: "categories".into(),
                message: format!("the {} run was interrupted", category.name()),
            });
        };
        let champion = summary
            .champions
            .into_iter()
            .find(|champion| champion.category == *category);
        observer(ComparisonEvent::RunFinished {
            category: *category,
            folder: &run_folder,
            champion: champion.is_some(),
        });
        if let Some(champion) = champion {
            champions.push((*category, champion.id, champion.genome));
        }
    }
    if shard.count > 1 {
        if gauntlet_tournament::cluster::is_root() {
            observer(ComparisonEvent::ShareDone {
                shard,
                folder,
                categories,
                datasets: catalog.folder(),
            });
        }
        return Ok(None);
    }
    compare_champions(experiment, catalog, folder, champions).map(Some)
}

/// Assembles the comparison of `categories` whose runs [`Shard`]s left in `folder`: each
/// category's run must be finished, and every run must have been made with the same settings
/// (apart from its category and name) on the same data; each champion (if it has one) is scored
/// like [`run_comparison`] does, so `comparison.parquet` is the same, byte for byte, as a
/// comparison made in one go.
///
/// # Errors
/// [`JobError::RunFolder`] naming a category whose run is missing or unfinished, or whose run was
/// made with other settings (naming them: `seed`, `generations`...) or other data (naming the
/// dataset) than the first category's; as [`cross_score`].
pub fn merge_comparison(
    catalog: &Catalog,
    categories: &[Category],
    folder: &Path,
) -> Result<Comparison, JobError> {
    let mut first: Option<(Category, Experiment, Vec<DatasetRecord>)> = None;
    let mut champions = Vec::new();
    for category in categories {
        let run = RunFolder::new(folder.join(category.name()));
        let manifest = run
            .read_manifest()
            .ok()
            .filter(|manifest| manifest.status == gauntlet_run::RunStatus::Finished);
        let Some(manifest) = manifest else {
            return Err(JobError::RunFolder {
                path: run.path().to_path_buf(),
                message: format!(
                    "the {} run is missing or unfinished: run its share (--shard) to the end before --merge",
                    category.name()
                ),
            });
        };
        // Every run shares the data, splits, costs and eligibility that scoring uses.
        let experiment = run.read_experiment()?;
        match &first {
            None => first = Some((*category, experiment, manifest.datasets)),
            Some((first_category, first_experiment, first_datasets)) => {
                check_same_run_settings(
                    (*first_category, first_experiment, first_datasets),
                    (*category, &experiment, &manifest.datasets),
                    run.path(),
                )?;
            }
        }
        if let Some(champion) = run.read_champion(*category)? {
            champions.push((*category, champion.id, champion.genome));
        }
    }
    let (_, experiment, _) = first.ok_or_else(|| JobError::Config {
        field: "categories".into(),
        message: "name at least one category".into(),
    })?;
    // Under MPI, rank 0 writes the table.
    let rank_folder = gauntlet_tournament::cluster::RankFolder::for_rank(folder, false)?;
    std::fs::create_dir_all(rank_folder.path()).map_err(|source| JobError::Io {
        path: rank_folder.path().to_path_buf(),
        source,
    })?;
    let mut comparison = compare_champions(&experiment, catalog, rank_folder.path(), champions)?;
    comparison.folder = folder.to_path_buf();
    Ok(comparison)
}

/// Refuses to merge a share's run made with other settings or other data than the first run: a
/// comparison holds champions bred on the same data, splits, seed and budget, differing only in
/// their category (and so their name, `<experiment>-<category>`).
fn check_same_run_settings(
    (first_category, first, first_datasets): (Category, &Experiment, &[DatasetRecord]),
    (category, experiment, datasets): (Category, &Experiment, &[DatasetRecord]),
    path: &Path,
) -> Result<(), JobError> {
    let base_name = |experiment: &Experiment, category: Category| {
        let suffix = format!("-{}", category.name());
        experiment
            .name
            .strip_suffix(&suffix)
            .unwrap_or(&experiment.name)
            .to_string()
    };
    let mut comparable = experiment.clone();
    comparable.category = first.category;
    comparable.name = if base_name(experiment, category) == base_name(first, first_category) {
        first.name.clone()
    } else {
        experiment.name.clone()
    };
    let changed = gauntlet_run::changed_settings(first, &comparable);
    if !changed.is_empty() {
        return Err(JobError::RunFolder {
            path: path.to_path_buf(),
            message: format!(
                "the {} run was made with other settings than the {} run ({} {}); every share of a comparison needs the same --config and flags: run the odd share again into a new --out",
                category.name(),
                first_category.name(),
                changed.join(", "),
                if changed.len() == 1 {
                    "differs"
                } else {
                    "differ"
                }
            ),
        });
    }
    let data = |records: &[DatasetRecord]| -> Vec<(String, String)> {
        records
            .iter()
            .map(|record| (record.name.clone(), record.content_xxh64.clone()))
            .collect()
    };
    if let Some((theirs, ours)) = data(datasets)
        .into_iter()
        .zip(data(first_datasets))
        .find(|(theirs, ours)| theirs != ours)
    {
        return Err(JobError::RunFolder {
            path: path.to_path_buf(),
            message: format!(
                "the {} run read other data than the {} run (dataset {}: content {} for {}, {} for {}); every share of a comparison needs the same datasets",
                category.name(),
                first_category.name(),
                ours.0,
                ours.1,
                first_category.name(),
                theirs.1,
                category.name()
            ),
        });
    }
    Ok(())
}

/// Scores the runs' champions on every category's measure and writes `comparison.parquet`.
fn compare_champions(
    experiment: &Experiment,
    catalog: &Catalog,
    folder: &Path,
    champions: Vec<(Category, String, Genome)>,
) -> Result<Comparison, JobError> {
    let genomes: Vec<_> = champions
        .iter()
        .map(|(_, _, genome)| genome.clone())
        .collect();
    let scores = cross_score(experiment, catalog, &genomes)?;
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
    let table = RunFolder::new(folder).comparison_table_path();
    write_rows(&table, &rows)?;
    Ok(Comparison {
        folder: folder.to_path_buf(),
        champions: champions.iter().map(|(category, _, _)| *category).collect(),
        rows,
        table,
    })
}

/// Scores each genome on the experiment's validation and holdout parts and judges it in every
/// category (with the experiment's eligibility rules): `result[g][p][c]` is genome g's fitness on
/// part p (0 validation, 1 holdout) in [`Category::ALL`]`[c]`, `None` where not eligible. Used to
/// compare the champions of runs that bred for different categories on the same data and splits.
///
/// # Errors
/// As [`start`] for the experiment and its data.
pub fn cross_score(
    experiment: &Experiment,
    catalog: &Catalog,
    genomes: &[Genome],
) -> Result<Vec<[Vec<Option<f64>>; 2]>, JobError> {
    let (universe, _) = prepare(experiment, catalog)?;
    let parts = [Part::Validation, Part::Holdout];
    let scores: Vec<Vec<Option<GenomeScore>>> = parts
        .iter()
        .map(|part| universe.score_all(genomes, *part))
        .collect::<Result<_, _>>()?;
    Ok((0..genomes.len())
        .map(|index| {
            [0, 1].map(|part| {
                Category::ALL
                    .iter()
                    .map(|category| {
                        scores[part][index].as_ref().and_then(|score| {
                            category.judge(score, &experiment.eligibility).fitness
                        })
                    })
                    .collect()
            })
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A finished run of `experiment` bred for `category` in `folder/<category>/`, as a share
    /// leaves it (no champion: the merge checks the settings before it scores any).
    fn finished_run(folder: &Path, experiment: &Experiment, category: Category, content: &str) {
        let mut experiment = experiment.clone();
        experiment.category = category;
        experiment.name = format!("{}-{}", experiment.name, category.name());
        let run = RunFolder::new(folder.join(category.name()));
        std::fs::create_dir_all(run.path()).unwrap();
        run.write_experiment(&experiment).unwrap();
        let manifest = serde_json::json!({
            "cache_hits": 0, "capital_withdrawn": 0.0, "category": category.name(),
            "champions": null, "datasets": [{"name": "sp500-1d", "symbol": "^GSPC",
            "file": "sp500-1d.parquet", "bars": 10, "content_xxh64": content}], "evaluations": 12,
            "evolution_vs_chance": null, "finished_at": "z", "ga_overhead_share": 0.5,
            "gauntlet_version": "0.1.0", "generations": 4, "generations_done": 4, "islands": 2,
            "name": experiment.name, "population": 6, "probability_of_backtest_overfitting": null,
            "scoring_seconds": 1.0, "seconds": 2.0, "seed": experiment.seed, "started_at": "x",
            "status": "finished", "system_capital": 1.0, "threads": 2, "trials": 12,
            "updated_at": "y"
        });
        std::fs::write(run.manifest_path(), manifest.to_string()).unwrap();
    }

    fn merge_error(folder: &Path) -> String {
        let catalog = Catalog::open(folder).unwrap();
        let categories = [Category::MonthlyPerformance, Category::RiskManagement];
        merge_comparison(&catalog, &categories, folder)
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn a_share_says_the_whole_merge_command() {
        let categories = [Category::MonthlyPerformance, Category::RiskManagement];
        let line = ComparisonEvent::ShareDone {
            shard: Shard { index: 1, count: 2 },
            folder: Path::new("runs/my compare"),
            categories: &categories,
            datasets: Path::new("/data/it's"),
        }
        .describe()
        .unwrap();
        assert!(
            line.ends_with(
                "Once every share is: gauntlet compare --merge 'runs/my compare' --categories monthly_performance,risk_management --datasets-dir '/data/it'\\''s'"
            ),
            "{line}"
        );
        let line = ComparisonEvent::ShareDone {
            shard: Shard { index: 0, count: 2 },
            folder: Path::new("out"),
            categories: &Category::ALL,
            datasets: Path::new("datasets"),
        }
        .describe()
        .unwrap();
        assert!(
            line.ends_with("--merge out --categories all --datasets-dir datasets"),
            "{line}"
        );
    }

    #[test]
    fn a_merge_of_shares_run_with_other_settings_or_data_is_refused_naming_them() {
        let experiment = Experiment::quickstart().unwrap();
        // The second share ran with another seed and budget (`--seed 43 --generations 3`).
        let folder = tempfile::tempdir().unwrap();
        finished_run(
            folder.path(),
            &experiment,
            Category::MonthlyPerformance,
            "00",
        );
        let mut other = experiment.clone();
        other.seed = 43;
        other.generations = 3;
        finished_run(folder.path(), &other, Category::RiskManagement, "00");
        let message = merge_error(folder.path());
        assert!(
            message.contains("risk_management run was made with other settings than the monthly_performance run (generations, seed differ)"),
            "{message}"
        );
        // The same settings on data that changed between the shares.
        let folder = tempfile::tempdir().unwrap();
        finished_run(
            folder.path(),
            &experiment,
            Category::MonthlyPerformance,
            "00",
        );
        finished_run(folder.path(), &experiment, Category::RiskManagement, "ff");
        let message = merge_error(folder.path());
        assert!(
            message.contains("risk_management run read other data than the monthly_performance run (dataset sp500-1d: content 00 for monthly_performance, ff for risk_management)"),
            "{message}"
        );
    }
}
