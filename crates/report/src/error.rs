//! The report crate's errors.

use std::path::PathBuf;

/// What can go wrong while building a report.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A file could not be written.
    #[error(transparent)]
    Data(#[from] gauntlet_data::DataError),
    /// A run folder's file or table is missing or malformed (see [`gauntlet_run::RunFolder`] and
    /// [`gauntlet_run::tables`]).
    #[error(transparent)]
    RunFolder(#[from] gauntlet_run::RunError),
    /// A file was read but does not hold what a run folder's file holds (malformed JSON or TOML).
    #[error("{path}: {message}")]
    Unreadable {
        /// The file.
        path: PathBuf,
        /// What is wrong, naming the field or column.
        message: String,
    },
    /// The folder is not a run folder (no `run.json`), a comparison folder or a walk-forward folder.
    #[error("{path} is not a {expected} folder: {message}")]
    NotAFolder {
        /// The folder.
        path: PathBuf,
        /// `run`, `comparison` or `walk-forward`.
        expected: &'static str,
        /// Why not.
        message: String,
    },
    /// The template engine failed (a bug in a template).
    #[error("template {name}: {message}")]
    Template {
        /// The template.
        name: String,
        /// The engine's message.
        message: String,
    },
    /// A genome or champion cannot be exported in the format asked for (see
    /// [`crate::python_strategy`]).
    #[error("cannot export: {message}")]
    Export {
        /// Why not.
        message: String,
    },
    /// `plotters` could not draw a chart.
    #[error("chart {name}: {message}")]
    Chart {
        /// The chart.
        name: String,
        /// The library's message.
        message: String,
    },
}
