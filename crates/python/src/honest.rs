//! `gauntlet.validate` and `gauntlet.study`: the CLI's honest-results commands.

use std::collections::BTreeMap;
use std::path::PathBuf;

use gauntlet_honest::validation::{Trials, validate_on_catalog};
use gauntlet_run::Overrides;
use gauntlet_run::champion_file::{TradingConditions, TradingOverrides};
use pyo3::prelude::*;

use crate::backtest::{GenomeSource, read_genome};
use crate::convert::open_catalog;
use crate::evolve::load_experiment;
use crate::{Failure, Kind, without_gil};

/// Everything Gauntlet can say against one genome on catalog datasets (`gauntlet validate
/// --json`): per dataset, PSR, MinTRL, DSR (with `trials` and `trial_sharpe_std`), Monte Carlo
/// bands (seeded by `seed`), the validation gate, crash windows and regimes. Costs as in
/// [`crate::backtest::backtest`]. Returns JSON keyed by dataset name.
#[pyfunction]
#[pyo3(signature = (
    genome_kind, genome, datasets, *, trials=None, trial_sharpe_std=None, seed=42,
    volatility_index=None, commission_bps=None, spread_bps=None, slippage_bps=None, fill=None,
    capital=None, datasets_dir=None
))]
#[allow(clippy::too_many_arguments)] // Python keyword arguments, one per CLI flag
pub(crate) fn validate(
    py: Python<'_>,
    genome_kind: &str,
    genome: String,
    datasets: Vec<String>,
    trials: Option<f64>,
    trial_sharpe_std: Option<f64>,
    seed: u64,
    volatility_index: Option<String>,
    commission_bps: Option<f64>,
    spread_bps: Option<f64>,
    slippage_bps: Option<f64>,
    fill: Option<String>,
    capital: Option<f64>,
    datasets_dir: Option<PathBuf>,
) -> PyResult<String> {
    let source = GenomeSource::new(genome_kind, genome).map_err(Failure::into_py)?;
    without_gil(py, move || {
        let (genome, _) = read_genome(&source)?;
        let any = |error: &(dyn std::error::Error + 'static)| Failure::new(Kind::Any, error);
        let trials = match (trials, trial_sharpe_std) {
            (Some(count), Some(sharpe_std)) => {
                Some(Trials::new(count, sharpe_std).map_err(|error| any(&error))?)
            }
            (None, None) => None,
            _ => {
                return Err(Failure::text(
                    Kind::Any,
                    "trials and trial_sharpe_std go together (give both or neither)",
                ));
            }
        };
        let fill = crate::backtest::parse_fill(fill)?;
        let (conditions, _) = TradingConditions::DEFAULT.overridden(&TradingOverrides {
            commission_bps,
            spread_bps,
            slippage_bps,
            fill,
            capital,
        });
        let catalog = open_catalog(datasets_dir)?;
        let reports = validate_on_catalog(
            &genome,
            &catalog,
            &datasets,
            |bars_per_year| conditions.backtest_config(true, bars_per_year),
            trials,
            seed,
            volatility_index.as_deref(),
        )
        .map_err(|error| any(&error))?;
        let by_name: BTreeMap<_, _> = reports.into_iter().collect();
        serde_json::to_string(&by_name).map_err(|error| any(&error))
    })
}

/// Does evolution beat chance here? (`gauntlet study`): the experiment run with `seeds` seeds
/// from `first_seed`, each run in `<out>/seed-<seed>/`, each champion against random search at
/// the same budget on the holdout, with a one-sided Mann-Whitney U test. Returns the study
/// folder and `study.json` as JSON (the CLI's HTML report is `gauntlet report`'s).
#[pyfunction]
#[pyo3(signature = (
    experiment=None, *, seeds=5, first_seed=1, out=None, threads=None, generations=None,
    population=None, datasets_dir=None
))]
#[allow(clippy::too_many_arguments)] // Python keyword arguments, one per CLI flag
pub(crate) fn study(
    py: Python<'_>,
    experiment: Option<PathBuf>,
    seeds: usize,
    first_seed: u64,
    out: Option<PathBuf>,
    threads: Option<usize>,
    generations: Option<u32>,
    population: Option<usize>,
    datasets_dir: Option<PathBuf>,
) -> PyResult<(String, String)> {
    without_gil(py, move || {
        let catalog = open_catalog(datasets_dir)?;
        let overrides = Overrides {
            generations,
            population,
            ..Overrides::default()
        };
        let experiment = load_experiment(experiment.as_deref(), &overrides)?;
        let folder = experiment.output_folder(out.as_deref(), "-study");
        let work = || {
            gauntlet_jobs::study::run_study(
                &experiment,
                &catalog,
                gauntlet_jobs::study::StudyPlan { first_seed, seeds },
                gauntlet_jobs::Shard::WHOLE,
                &folder,
                &mut |_| {},
            )
            .map_err(|error| Failure::new(Kind::Run, &error))?
            // One process runs every share, so the study is always there.
            .ok_or_else(|| Failure::text(Kind::Run, "the study was not assembled"))
        };
        let study = match crate::evolve::thread_pool(threads)? {
            Some(pool) => pool.install(work),
            None => work(),
        }?;
        let text =
            serde_json::to_string(&study).map_err(|error| Failure::new(Kind::Any, &error))?;
        Ok((folder.display().to_string(), text))
    })
}
