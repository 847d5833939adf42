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
//! - [`resample()`]: aggregation to a coarser interval, and [`resample_with_offset`] with the bucket
//!   boundaries moved (4h bars from 01:00);
//! - [`noise_bars`] / [`noise_copies`]: the Noise Test's copies of a series, a share of the opens,
//!   highs, lows and closes moved by up to a fraction of the ATR, kept valid bars;
//! - [`shifted_bars`] / [`shift_plan`]: the "Vs Shifted" test's series, re-built with shifted bar
//!   boundaries (or, without finer data, started later);
//! - [`permute_bars`]: Masters' permutation of bars (gaps and bar shapes shuffled, the first bar
//!   kept) for Monte Carlo permutation tests, one permutation per calendar;
//! - [`series_from_frame`] / [`series_batch`]: bars from and to in-memory Arrow tables (the Python
//!   package's DataFrames);
//! - [`summarize`]: rows, range, gaps, stale and flat bars, zero volume, largest moves.
//!
//! Every error is a [`DataError`] naming the file, line, column or field at fault. Every file is
//! written to a temporary name and renamed, so a failure never leaves a half-written file.
//!
//! ```
//! use gauntlet_data::{ImportOptions, SplitSpec, TimestampFormat, import_csv, split};
//!
//! let folder = tempfile::tempdir()?;
//! let path = folder.path().join("prices.csv");
//! // A Yahoo-style file, newest first, with a holiday row of nulls.
//! std::fs::write(&path, "Date,Open,High,Low,Close,Adj Close,Volume\n\
//!     2020-01-06,11,11.5,10.5,11.2,11.2,150\n\
//!     2020-01-03,null,null,null,null,null,null\n\
//!     2020-01-02,10,11,9,10.5,10.5,100\n")?;
//! let imported = import_csv(&path, &ImportOptions::default())?;
//! assert_eq!(imported.series.close(), &[10.5, 11.2]);
//! assert!(imported.report.reversed);
//! assert_eq!(imported.report.rows_without_prices.count, 1);
//! assert_eq!(imported.report.timestamp_format, TimestampFormat::IsoDate);
//!
//! let parts = split(&imported.series, SplitSpec::Fractions { validation: 0.0, holdout: 0.5 })?;
//! assert_eq!((parts.in_sample, parts.holdout), (0..1, 1..2));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![warn(missing_docs)]

mod atomic;
mod catalog;
mod column_names;
mod csv_export;
mod csv_import;
mod describe;
mod error;
mod files;
mod folder_lock;
mod frame;
mod import_dataset;
mod import_file;
mod import_report;
mod json_candles;
mod line_cap;
mod noise;
mod numeric_column;
mod parquet_io;
mod permutation;
mod resample;
mod shift;
mod split;
mod summary;
mod table;
mod timestamp;

pub use atomic::{check_output_file, write_atomically, write_bytes_atomically};
pub use catalog::{
    CATALOG_FILE, CATALOG_LOCK_FILE, Catalog, DataSource, DatasetEntry, validate_dataset_name,
};
pub use csv_export::export_csv;
pub use describe::{
    Inspection, LIST_HEADER, ListedDataset, date_text, export_dataset, inspection_rows,
    list_datasets, listing_footer, price_fields_text,
};
pub use error::{BadRowKind, DataError};
pub use files::{
    NamedSeries, is_parquet_path, load_series_between, load_series_file, read_numeric_matrix,
    write_csv_records, write_csv_rows, write_time_columns,
};
pub use folder_lock::ExclusiveLock;
pub use frame::{MAX_FRAME_ROWS, series_batch, series_from_frame, series_schema, time_batch};
pub use import_dataset::{ImportRequest, check_bars_per_year, import_dataset};
pub use import_file::import_csv;
pub use import_report::{
    CsvLayout, ImportOptions, ImportReport, ImportedCsv, SkippedRows, parse_separator,
};
pub use json_candles::MAX_JSON_BYTES;
pub use line_cap::{LineCap, MAX_LINE_BYTES};
pub use noise::{
    FieldShares, MAX_NOISE_ATR_FRACTION, MAX_NOISE_BARS_IN_MEMORY, MAX_NOISE_COPIES, NoiseSettings,
    noise_bars, noise_copies,
};
pub use numeric_column::read_numeric_column;
pub use parquet_io::{
    PARQUET_SCHEMA_VERSION, ParquetMetadata, read_parquet, write_parquet, write_time_table,
};
pub use permutation::{BarPermutation, apply_permutation, permute_bars};
pub use resample::{resample, resample_with_offset};
pub use shift::{BarShift, MAX_SHIFTED_VARIANTS, shift_plan, shifted_bars};
pub use split::{SplitRanges, SplitSpec, split};
pub use summary::{DatasetSummary, Gap, LARGEST_MOVES_LISTED, Move, infer_interval, summarize};
pub use table::{TableColumn, read_table, table_batch, write_table};
pub use timestamp::{EpochUnit, TimestampFormat, epoch_millis};
