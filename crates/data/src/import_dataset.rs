//! `gauntlet data import`: a CSV file checked, converted to Parquet and entered in the catalog with
//! its provenance.

use std::path::PathBuf;

use gauntlet_core::{AssetClass, BarInterval};

use crate::catalog::{Catalog, DataSource, DatasetEntry, validate_dataset_name};
use crate::csv_import::import_csv;
use crate::error::DataError;
use crate::import_report::{ImportOptions, ImportReport};
use crate::summary::infer_interval;

/// What to import and how to describe it.
#[derive(Debug, Clone)]
pub struct ImportRequest {
    /// The CSV file (plain or gzip).
    pub file: PathBuf,
    /// The dataset's name (checked by [`validate_dataset_name`]).
    pub name: String,
    /// The instrument's symbol.
    pub symbol: String,
    /// Its asset class.
    pub asset_class: AssetClass,
    /// The bar interval; inferred from the timestamps when `None`.
    pub interval: Option<BarInterval>,
    /// Bars per year; the asset class's default for the interval when `None`.
    pub bars_per_year: Option<f64>,
    /// How to read the CSV.
    pub options: ImportOptions,
    /// Replace a dataset of the same name.
    pub force: bool,
    /// What the instrument is, in words.
    pub description: String,
    /// The data's licence.
    pub licence: String,
    /// Notes for users.
    pub notes: String,
    /// Where the file came from; an empty `path` becomes the imported file's path, an empty
    /// `transform` becomes `none` (or the Yahoo adjustment when `options.adjust`).
    pub source: DataSource,
}

/// Imports `request.file` into `catalog` as `request.name`; returns the new entry and the import
/// report.
///
/// # Errors
/// [`DataError::InvalidField`] for a bad name or an interval that cannot be inferred;
/// [`DataError::DatasetExists`] when the name is taken and `force` is off; as [`import_csv`] and
/// [`Catalog::add`].
pub fn import_dataset(
    catalog: &mut Catalog,
    request: ImportRequest,
) -> Result<(DatasetEntry, ImportReport), DataError> {
    validate_dataset_name(&request.name)?;
    let symbol = request.symbol.trim();
    if symbol.is_empty() || symbol.len() > 64 || symbol.chars().any(char::is_control) {
        return Err(DataError::InvalidField {
            field: "symbol".into(),
            message: format!(
                "must be 1 to 64 printable characters, got {:?}",
                request.symbol
            ),
        });
    }
    if catalog.get(&request.name).is_ok() && !request.force {
        return Err(DataError::DatasetExists {
            name: request.name,
            catalog: catalog.catalog_path(),
        });
    }
    let imported = import_csv(&request.file, &request.options)?;
    let interval = match request.interval {
        Some(interval) => interval,
        None => infer_interval(&imported.series).ok_or_else(|| DataError::InvalidField {
            field: "interval".into(),
            message: format!(
                "cannot infer the bar interval of {}; pass --interval",
                request.file.display()
            ),
        })?,
    };
    let mut source = request.source;
    if source.path.is_empty() {
        source.path = request.file.display().to_string();
    }
    if source.transform.is_empty() {
        source.transform = if request.options.adjust {
            "OHLC multiplied by Adj Close / Close, volume divided by it".into()
        } else {
            "none".into()
        };
    }
    let entry = DatasetEntry {
        file: format!("{}.parquet", request.name),
        name: request.name,
        symbol: request.symbol,
        asset_class: request.asset_class,
        interval,
        bars_per_year: request
            .bars_per_year
            .unwrap_or_else(|| request.asset_class.default_bars_per_year(interval)),
        description: request.description,
        licence: request.licence,
        notes: request.notes,
        source,
    };
    catalog.add(entry.clone(), &imported.series, request.force)?;
    Ok((entry, imported.report))
}
