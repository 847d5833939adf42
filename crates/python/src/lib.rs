//! # gauntlet-python
//!
//! Gauntlet from Python (layer L9 of `DESIGN.md`, over every library but the report): the
//! native module `gauntlet._native` of the `gauntlet` Python package (`crates/python/python/`),
//! built with PyO3 and maturin as one abi3 wheel for CPython 3.10 and later.
//!
//! Thin by design: each function converts its arguments, calls the libraries with the GIL
//! released, and converts the results. DataFrames cross as Arrow tables through the Arrow C data
//! interface (`arrow-pyarrow`, the arrow-rs crate of the workspace's own arrow version): a
//! polars frame or a pyarrow table is read without a copy per bar; the Python side turns pandas
//! frames into pyarrow tables. Errors are `gauntlet.GauntletError` (and its subclasses) with the
//! CLI's messages; a Rust panic becomes `gauntlet.InternalError`, never an abort.

use std::panic::AssertUnwindSafe;

use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;

mod backtest;
mod convert;
mod evolve;
mod export;
mod honest;

create_exception!(
    _native,
    GauntletError,
    PyException,
    "Any error Gauntlet reports (the CLI's message: file, row, column or field at fault)."
);
create_exception!(
    _native,
    FrameError,
    GauntletError,
    "A DataFrame that cannot be read as bars: a missing or mistyped column, a NaN or null price, \
     times unsorted or duplicated, no rows. The message names the column and the row."
);
create_exception!(
    _native,
    GenomeError,
    GauntletError,
    "A genome (dict, genome file or champion file) that does not read or is invalid."
);
create_exception!(
    _native,
    DataError,
    GauntletError,
    "A dataset or catalog that cannot be read (an unknown name lists the nearest)."
);
create_exception!(
    _native,
    RunError,
    GauntletError,
    "An experiment, a run folder or a run that fails (the message names the file and field)."
);
create_exception!(
    _native,
    InternalError,
    GauntletError,
    "A bug in Gauntlet (a Rust panic caught at the boundary): please report it."
);

/// Which exception class an error becomes.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Kind {
    /// [`GauntletError`].
    Any,
    /// [`FrameError`].
    Frame,
    /// [`GenomeError`].
    Genome,
    /// [`DataError`].
    Data,
    /// [`RunError`].
    Run,
}

/// An error of the libraries, carried out of the GIL-free part to become an exception.
#[derive(Debug)]
pub(crate) struct Failure {
    kind: Kind,
    message: String,
}

impl Failure {
    /// `error`, with its causes, as the CLI prints it.
    pub(crate) fn new(kind: Kind, error: &(dyn std::error::Error + 'static)) -> Self {
        Self {
            kind,
            message: gauntlet_core::error_text(error),
        }
    }

    /// A failure with a message of the caller's.
    pub(crate) fn text(kind: Kind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
        }
    }

    /// The Python exception.
    pub(crate) fn into_py(self) -> PyErr {
        let Self { kind, message } = self;
        match kind {
            Kind::Any => GauntletError::new_err(message),
            Kind::Frame => FrameError::new_err(message),
            Kind::Genome => GenomeError::new_err(message),
            Kind::Data => DataError::new_err(message),
            Kind::Run => RunError::new_err(message),
        }
    }
}

impl From<gauntlet_data::DataError> for Failure {
    fn from(error: gauntlet_data::DataError) -> Self {
        let kind = match error {
            gauntlet_data::DataError::Frame { .. } | gauntlet_data::DataError::Core { .. } => {
                Kind::Frame
            }
            _ => Kind::Data,
        };
        Self::new(kind, &error)
    }
}

/// Runs `work` without the GIL (other Python threads run meanwhile), a panic inside becoming
/// [`InternalError`] and a [`Failure`] its exception.
pub(crate) fn without_gil<T: Send>(
    py: Python<'_>,
    work: impl FnOnce() -> Result<T, Failure> + Send,
) -> PyResult<T> {
    let outcome = py.detach(|| std::panic::catch_unwind(AssertUnwindSafe(work)));
    match outcome {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(failure)) => Err(failure.into_py()),
        Err(panic) => {
            let message = panic
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| panic.downcast_ref::<&str>().copied())
                .unwrap_or("a panic without a message");
            Err(InternalError::new_err(format!(
                "internal error (please report it): {message}"
            )))
        }
    }
}

/// The native module: the functions `gauntlet/__init__.py` wraps, and the exception classes.
#[pymodule]
#[pyo3(name = "_native")]
fn native(module: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = module.py();
    module.add("GauntletError", py.get_type::<GauntletError>())?;
    module.add("FrameError", py.get_type::<FrameError>())?;
    module.add("GenomeError", py.get_type::<GenomeError>())?;
    module.add("DataError", py.get_type::<DataError>())?;
    module.add("RunError", py.get_type::<RunError>())?;
    module.add("InternalError", py.get_type::<InternalError>())?;
    module.add("CHECKOUT_DATASETS", convert::checkout_datasets())?;
    module.add_function(wrap_pyfunction!(convert::datasets, module)?)?;
    module.add_function(wrap_pyfunction!(convert::load, module)?)?;
    module.add_function(wrap_pyfunction!(convert::bars, module)?)?;
    module.add_function(wrap_pyfunction!(backtest::backtest, module)?)?;
    module.add_function(wrap_pyfunction!(backtest::population, module)?)?;
    module.add_function(wrap_pyfunction!(evolve::evolve, module)?)?;
    module.add_function(wrap_pyfunction!(evolve::read_run, module)?)?;
    module.add_function(wrap_pyfunction!(evolve::export, module)?)?;
    module.add_function(wrap_pyfunction!(export::export_code, module)?)?;
    module.add_function(wrap_pyfunction!(honest::validate, module)?)?;
    module.add_function(wrap_pyfunction!(honest::study, module)?)?;
    module.add_function(wrap_pyfunction!(panic_for_tests, module)?)?;
    Ok(())
}

/// Panics inside the GIL-free part (for the tests: a panic must become [`InternalError`]).
#[pyfunction]
fn panic_for_tests(py: Python<'_>) -> PyResult<()> {
    without_gil(py, || -> Result<(), Failure> {
        panic!("a test asked for a panic");
    })
}
