//! `gauntlet.evolve` and `gauntlet.Run.open`: the main job, and a run folder read through its
//! types.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use arrow_array::RecordBatch;
use arrow_pyarrow::{PyArrowType, Table};
use gauntlet_data::Catalog;
use gauntlet_jobs::{Evolved, Shard};
use gauntlet_run::tables::{AllocationRow, IslandGenerationRow, Table as RowTable, read_rows};
use gauntlet_run::{Experiment, GenerationProgress, Observer, Overrides, RunFolder};
use gauntlet_tournament::Category;
use pyo3::exceptions::PyKeyboardInterrupt;
use pyo3::prelude::*;

use crate::convert::{checkout, open_catalog, out, series};
use crate::{Failure, Kind, without_gil};

/// Progress sent to a Python callable `callback(kind, done, total, message)`: `kind` is
/// `generation` (done of total generations; the message has the best fitness and the speed) or
/// a phase's name (`loading data`, `choosing champions`...); a callback that raises stops the run
/// after the generation in progress, and its exception is raised.
struct Progress {
    callback: Option<Py<PyAny>>,
    stop: Arc<AtomicBool>,
    error: Mutex<Option<PyErr>>,
}

impl Progress {
    fn send(&self, kind: &str, done: u64, total: u64, message: &str) {
        let Some(callback) = &self.callback else {
            return;
        };
        Python::attach(|py| {
            if let Err(error) = callback.call1(py, (kind, done, total, message)) {
                self.stop.store(true, Ordering::SeqCst);
                if let Ok(mut slot) = self.error.lock() {
                    slot.get_or_insert(error);
                }
            }
        });
    }
}

impl Observer for Progress {
    fn phase(&self, message: &str) {
        self.send(message, 0, 0, message);
    }

    fn step(&self, phase: &str, done: u64, total: u64) {
        self.send(phase, done, total, "");
    }

    fn generation(&self, progress: &GenerationProgress) {
        self.send(
            "generation",
            u64::from(progress.generation),
            u64::from(progress.generations),
            &progress.describe(),
        );
    }
}

/// The experiment at `config` (else the built-in quickstart) with `overrides`, its seed genomes
/// resolved against the checkout, as `gauntlet evolve --config` loads it: the file and its seed
/// genomes must be regular files (a named pipe would block the run).
pub(crate) fn load_experiment(
    config: Option<&Path>,
    overrides: &Overrides,
) -> Result<Experiment, Failure> {
    let io = |path: &Path, error: std::io::Error| {
        Failure::text(Kind::Run, format!("{}: {error}", path.display()))
    };
    if let Some(config) = config {
        gauntlet_core::check_regular_file(config).map_err(|error| io(config, error))?;
    }
    let experiment = Experiment::load_with(config, overrides, &checkout())
        .map_err(|error| Failure::new(Kind::Run, &error))?;
    for (index, path) in experiment.seed_genomes.iter().enumerate() {
        gauntlet_core::check_regular_file(path).map_err(|error| {
            Failure::text(
                Kind::Run,
                format!("invalid seed_genomes[{index}]: {}: {error}", path.display()),
            )
        })?;
    }
    Ok(experiment)
}

/// The datasets an experiment reads (its universe and volatility index).
fn dataset_names(experiment: &Experiment) -> Vec<String> {
    let mut names = experiment.datasets.clone();
    names.extend(experiment.volatility_index.iter().cloned());
    names
}

/// Evolves an experiment (`experiment`: a TOML path, else the quickstart) into `out` (else the
/// experiment's next free run folder), or resumes the run in `resume`, as `gauntlet evolve`
/// does; `data` (name, Arrow table) replaces those catalog datasets' bars. Ctrl-C (SIGINT) stops
/// the run after the checkpoint of the generation in progress and raises `KeyboardInterrupt`.
/// Returns the run folder, what the CLI prints at the end, and whether it was interrupted.
#[pyfunction]
#[pyo3(signature = (
    experiment=None, *, data=None, threads=None, out=None, progress=None, resume=None,
    datasets_dir=None, seed=None, generations=None, population=None, category=None
))]
#[allow(clippy::too_many_arguments)] // Python keyword arguments, one per CLI flag
pub(crate) fn evolve(
    py: Python<'_>,
    experiment: Option<PathBuf>,
    data: Option<Vec<(String, PyArrowType<Table>)>>,
    threads: Option<usize>,
    out: Option<PathBuf>,
    progress: Option<Py<PyAny>>,
    resume: Option<PathBuf>,
    datasets_dir: Option<PathBuf>,
    seed: Option<u64>,
    generations: Option<u32>,
    population: Option<usize>,
    category: Option<String>,
) -> PyResult<(String, String, bool)> {
    let data: Vec<(String, Table)> = data
        .unwrap_or_default()
        .into_iter()
        .map(|(name, table)| (name, table.0))
        .collect();
    let stop = Arc::new(AtomicBool::new(false));
    let observer = Progress {
        callback: progress,
        stop: Arc::clone(&stop),
        error: Mutex::new(None),
    };
    // SIGINT sets `stop` (the run ends after this generation's checkpoint); the interpreter's
    // own handler runs too (chained), so KeyboardInterrupt is pending when the run returns.
    let signal = signal_hook::flag::register(signal_hook::consts::SIGINT, Arc::clone(&stop))
        .map_err(|error| {
            Failure::text(Kind::Any, format!("cannot watch for Ctrl-C: {error}")).into_py()
        })?;
    let evolved = without_gil(py, || {
        let pool = threads
            .map(|threads| {
                if threads == 0 {
                    return Err(Failure::text(
                        Kind::Run,
                        "invalid threads: must be at least 1",
                    ));
                }
                rayon::ThreadPoolBuilder::new()
                    .num_threads(threads)
                    .build()
                    .map_err(|error| Failure::new(Kind::Run, &error))
            })
            .transpose()?;
        let work = || {
            run(
                experiment.as_deref(),
                &data,
                out.as_deref(),
                resume.as_deref(),
                datasets_dir,
                Overrides {
                    seed,
                    generations,
                    population,
                    category: category
                        .map(|name| name.parse::<Category>())
                        .transpose()
                        .map_err(|error| Failure::text(Kind::Run, format!("category: {error}")))?,
                },
                &observer,
                &stop,
            )
        };
        match pool {
            Some(pool) => pool.install(work),
            None => work(),
        }
    });
    signal_hook::low_level::unregister(signal);
    let evolved = evolved?;
    if let Some(error) = observer.error.lock().ok().and_then(|mut slot| slot.take()) {
        return Err(error);
    }
    if evolved.interrupted() {
        py.check_signals()?; // the interpreter's KeyboardInterrupt (or its own handler's error)
        return Err(PyKeyboardInterrupt::new_err(format!(
            "stopped after a checkpoint; {}",
            evolved.describe().trim_end()
        )));
    }
    Ok((
        evolved.folder().display().to_string(),
        evolved.describe(),
        evolved.interrupted(),
    ))
}

/// A private pool of `threads` scoring threads (results do not depend on the count), or `None`
/// for rayon's global pool (every core). A pool per call: the global pool can be sized only once
/// per process, and a notebook calls many times.
pub(crate) fn thread_pool(threads: Option<usize>) -> Result<Option<rayon::ThreadPool>, Failure> {
    threads
        .map(|threads| {
            if threads == 0 {
                return Err(Failure::text(
                    Kind::Run,
                    "invalid threads: must be at least 1",
                ));
            }
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .map_err(|error| Failure::new(Kind::Run, &error))
        })
        .transpose()
}

/// The work of [`evolve`], without the GIL.
#[allow(clippy::too_many_arguments)]
fn run(
    config: Option<&Path>,
    data: &[(String, Table)],
    out: Option<&Path>,
    resume: Option<&Path>,
    datasets_dir: Option<PathBuf>,
    overrides: Overrides,
    observer: &Progress,
    stop: &AtomicBool,
) -> Result<Evolved, Failure> {
    let run_error = |error: gauntlet_jobs::JobError| Failure::new(Kind::Run, &error);
    let catalog = open_catalog(datasets_dir)?;
    let experiment = match resume {
        Some(folder) => RunFolder::new(folder)
            .read_experiment()
            .map_err(|error| Failure::new(Kind::Run, &error))?,
        None => load_experiment(config, &overrides)?,
    };
    // Bars given as frames go into a private catalog beside copies of the other datasets.
    let overlay = tempdir_if(!data.is_empty())?;
    let catalog: Catalog = match &overlay {
        Some(folder) => {
            let replacements = data
                .iter()
                .map(|(name, table)| Ok((name.clone(), series(&format!("data['{name}']"), table)?)))
                .collect::<Result<Vec<_>, Failure>>()?;
            catalog.overlay(folder.path(), &dataset_names(&experiment), &replacements)?
        }
        None => catalog,
    };
    match resume {
        Some(folder) => gauntlet_jobs::resume(folder, &catalog, observer, stop).map_err(run_error),
        None => {
            let folder = experiment.output_folder(out, "");
            gauntlet_jobs::evolve(experiment, &catalog, &folder, Shard::WHOLE, observer, stop)
                .map_err(run_error)
        }
    }
}

/// A private temporary folder when `wanted` (removed when dropped).
fn tempdir_if(wanted: bool) -> Result<Option<tempfile::TempDir>, Failure> {
    wanted
        .then(|| {
            tempfile::Builder::new()
                .prefix("gauntlet-data-")
                .tempdir()
                .map_err(|error| Failure::text(Kind::Any, format!("temporary folder: {error}")))
        })
        .transpose()
}

/// A typed table as an Arrow batch.
fn rows_batch<T: RowTable>(rows: &[T]) -> Result<PyArrowType<RecordBatch>, Failure> {
    gauntlet_data::table_batch(&T::to_columns(rows))
        .map(out)
        .map_err(|message| Failure::text(Kind::Run, message))
}

/// A run folder read through its types (`RunFolder`): the manifest (`run.json`) as JSON, the
/// leaderboard, capital and generations tables, and each category's champion as JSON.
#[pyfunction]
#[allow(clippy::type_complexity)] // the tuple is unpacked at once by `gauntlet.Run`
pub(crate) fn read_run(
    py: Python<'_>,
    path: PathBuf,
) -> PyResult<(
    String,
    PyArrowType<RecordBatch>,
    PyArrowType<RecordBatch>,
    PyArrowType<RecordBatch>,
    Vec<(String, String)>,
)> {
    without_gil(py, move || {
        let run_error = |error: gauntlet_run::RunError| Failure::new(Kind::Run, &error);
        let folder = RunFolder::new(&path);
        let manifest = folder.read_manifest().map_err(run_error)?;
        let manifest =
            serde_json::to_string(&manifest).map_err(|error| Failure::new(Kind::Any, &error))?;
        let leaderboard = gauntlet_run::tables::Leaderboard::read(&folder.leaderboard_path())
            .map_err(run_error)?;
        let leaderboard = gauntlet_data::table_batch(&leaderboard.columns())
            .map(out)
            .map_err(|message| Failure::text(Kind::Run, message))?;
        let capital =
            rows_batch(&read_rows::<AllocationRow>(&folder.capital_path()).map_err(run_error)?)?;
        let generations = rows_batch(
            &read_rows::<IslandGenerationRow>(&folder.generations_path()).map_err(run_error)?,
        )?;
        let mut champions = Vec::new();
        for category in Category::ALL {
            if let Some(champion) = folder.read_champion(category).map_err(run_error)? {
                let text = serde_json::to_string(&champion)
                    .map_err(|error| Failure::new(Kind::Any, &error))?;
                champions.push((category.name().to_string(), text));
            }
        }
        Ok((manifest, leaderboard, capital, generations, champions))
    })
}

/// A run's champion of `category` exported as a champion file into the folder `to` (made when
/// missing), as `gauntlet export RUN --category C --to DIR` does: refused when the champion
/// failed the validation gate or the file exists, unless `force`. Returns the file's path.
#[pyfunction]
#[pyo3(signature = (run, category, to, force=false))]
pub(crate) fn export(
    py: Python<'_>,
    run: PathBuf,
    category: String,
    to: PathBuf,
    force: bool,
) -> PyResult<String> {
    without_gil(py, move || {
        let category = category
            .parse::<Category>()
            .map_err(|error| Failure::text(Kind::Run, format!("category: {error}")))?;
        std::fs::create_dir_all(&to)
            .map_err(|error| Failure::text(Kind::Run, format!("{}: {error}", to.display())))?;
        gauntlet_run::champion_file::export_champion(&run, category, &to, force)
            .map(|path| path.display().to_string())
            .map_err(|error| Failure::new(Kind::Run, &error))
    })
}
