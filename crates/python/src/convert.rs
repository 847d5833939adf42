//! Conversions: the datasets folder, Arrow tables in (DataFrames as bars) and out (bars, tables).

use std::path::{Path, PathBuf};

use arrow_array::RecordBatch;
use arrow_pyarrow::{PyArrowType, Table};
use gauntlet_core::BarSeries;
use gauntlet_data::Catalog;
use pyo3::prelude::*;

use crate::{Failure, Kind, without_gil};

/// The Gauntlet checkout this module was built from (the quickstart's seed genomes and the
/// bundled datasets are found there, as the CLI finds them).
pub(crate) fn checkout() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest
        .parent()
        .and_then(Path::parent)
        .unwrap_or(manifest)
        .to_path_buf()
}

/// The checkout's `datasets/` folder.
pub(crate) fn checkout_datasets() -> String {
    checkout().join("datasets").display().to_string()
}

/// The datasets folder as the CLI resolves it: `explicit`, else `$GAUNTLET_DATASETS`, else
/// `./datasets` when it has a catalog, else the checkout's.
pub(crate) fn datasets_folder(explicit: Option<PathBuf>) -> PathBuf {
    let explicit = explicit.or_else(|| std::env::var_os("GAUNTLET_DATASETS").map(PathBuf::from));
    Catalog::resolve_folder(explicit, &checkout().join("datasets"))
}

/// The catalog of `explicit` (see [`datasets_folder`]), with the CLI's hint on failure.
pub(crate) fn open_catalog(explicit: Option<PathBuf>) -> Result<Catalog, Failure> {
    let folder = datasets_folder(explicit);
    Catalog::open(&folder).map_err(|error| {
        Failure::text(
            Kind::Data,
            format!(
                "cannot open the datasets folder (set it with datasets_dir= or $GAUNTLET_DATASETS): {}: {}",
                folder.display(),
                gauntlet_core::error_text(&error)
            ),
        )
    })
}

/// The bars of an Arrow table named `frame` in messages.
pub(crate) fn series(frame: &str, table: &Table) -> Result<BarSeries, Failure> {
    gauntlet_data::series_from_frame(frame, &table.schema(), table.record_batches())
        .map_err(Failure::from)
}

/// `batch` as a pyarrow record batch.
pub(crate) fn out(batch: RecordBatch) -> PyArrowType<RecordBatch> {
    PyArrowType(batch)
}

/// The catalog's datasets as JSON (`gauntlet data list --json`): name, symbol, asset class,
/// interval, bars, first and last bar, description, licence...
#[pyfunction]
#[pyo3(signature = (datasets_dir=None))]
pub(crate) fn datasets(py: Python<'_>, datasets_dir: Option<PathBuf>) -> PyResult<String> {
    without_gil(py, || {
        let catalog = open_catalog(datasets_dir)?;
        let listed = gauntlet_data::list_datasets(&catalog)?;
        serde_json::to_string(&listed).map_err(|error| Failure::new(Kind::Any, &error))
    })
}

/// A catalog dataset's bars (`ts` timestamp[ms, UTC], `open`, `high`, `low`, `close`,
/// `volume` float64) and its catalog entry as JSON.
#[pyfunction]
#[pyo3(signature = (name, datasets_dir=None))]
pub(crate) fn load(
    py: Python<'_>,
    name: String,
    datasets_dir: Option<PathBuf>,
) -> PyResult<(PyArrowType<RecordBatch>, String)> {
    let (batch, entry) = without_gil(py, || {
        let catalog = open_catalog(datasets_dir)?;
        let (entry, series) = catalog.load(&name)?;
        let metadata = entry.parquet_metadata().into_iter().collect();
        let batch = gauntlet_data::series_batch(&series, metadata)?;
        let entry =
            serde_json::to_string(&entry).map_err(|error| Failure::new(Kind::Any, &error))?;
        Ok((batch, entry))
    })?;
    Ok((out(batch), entry))
}

/// The bars of a frame (an Arrow table) as Gauntlet reads them, checked as every dataset is:
/// the same layout as [`load`].
#[pyfunction]
#[pyo3(signature = (table, frame="frame".to_string()))]
pub(crate) fn bars(
    py: Python<'_>,
    table: PyArrowType<Table>,
    frame: String,
) -> PyResult<PyArrowType<RecordBatch>> {
    let table = table.0;
    let batch = without_gil(py, || {
        let series = series(&frame, &table)?;
        Ok(gauntlet_data::series_batch(&series, Default::default())?)
    })?;
    Ok(out(batch))
}
