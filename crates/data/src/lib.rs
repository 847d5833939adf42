//! # gauntlet-data
//!
//! Datasets for Gauntlet (layer L1 of `DESIGN.md`, on top of gauntlet-core):
//!
//! - [`import_csv`]: CSV (plain or gzip) in the generic, close-only, Yahoo and MetaTrader/Dukascopy
//!   layouts, detected automatically, with a strict bad-row policy (or `skip_bad_rows`);
//! - [`write_parquet`] / [`read_parquet`]: the Parquet layout every bundled dataset uses;
//! - [`export_csv`]: plain CSV out;
//! - [`Catalog`]: `datasets/catalog.toml`, names to files with provenance and licence;
//! - [`split()`]: in-sample / validation / holdout by fraction or date;
//! - [`resample()`]: aggregation to a coarser interval;
//! - [`summarize`]: rows, range, gaps, stale and flat bars, zero volume, largest moves.
//!
//! Every error is a [`DataError`] naming the file, line, column or field at fault. Every file is
//! written to a temporary name and renamed, so a failure never leaves a half-written file.
#![warn(missing_docs)]

mod atomic;
mod catalog;
mod csv_export;
mod csv_import;
mod error;
mod parquet_io;
mod resample;
mod split;
mod summary;
mod timestamp;

pub use atomic::{write_atomically, write_bytes_atomically};
pub use catalog::{CATALOG_FILE, Catalog, DataSource, DatasetEntry, validate_dataset_name};
pub use csv_export::export_csv;
pub use csv_import::{
    CsvLayout, ImportOptions, ImportReport, ImportedCsv, SkippedRows, import_csv,
};
pub use error::{BadRowKind, DataError};
pub use parquet_io::{PARQUET_SCHEMA_VERSION, ParquetMetadata, read_parquet, write_parquet};
pub use resample::resample;
pub use split::{SplitRanges, SplitSpec, split};
pub use summary::{DatasetSummary, Gap, LARGEST_MOVES_LISTED, Move, infer_interval, summarize};
pub use timestamp::TimestampFormat;
