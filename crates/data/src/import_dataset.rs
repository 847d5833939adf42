//! `gauntlet data import`: a CSV file checked, converted to Parquet and entered in the catalog with
//! its provenance.

use std::path::PathBuf;

use gauntlet_core::{AssetClass, BarInterval, BarSeries};

use crate::catalog::{Catalog, DataSource, DatasetEntry, validate_dataset_name};
use crate::error::DataError;
use crate::import_file::import_csv;
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
/// [`DataError::InvalidField`] for a bad name, an interval that cannot be inferred or that the
/// timestamps contradict (`--interval 1h` on daily bars), or bars per year out of bounds
/// ([`check_bars_per_year`]);
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
    let mut report = imported.report;
    let inferred = infer_interval(&imported.series);
    let interval = match (request.interval, inferred) {
        (Some(declared), Some(found)) if !same_interval(declared, found) => {
            return Err(DataError::InvalidField {
                field: "interval".into(),
                message: format!(
                    "--interval {declared}, but the bars of {} are mostly {found} apart; leave \
                     --interval out to use {found}, or import bars of {declared}",
                    request.file.display()
                ),
            });
        }
        (Some(declared), _) => declared,
        (None, Some(found)) => found,
        (None, None) => {
            return Err(DataError::InvalidField {
                field: "interval".into(),
                message: format!(
                    "cannot infer the bar interval of {}; pass --interval",
                    request.file.display()
                ),
            });
        }
    };
    let bars_per_year = request
        .bars_per_year
        .unwrap_or_else(|| request.asset_class.default_bars_per_year(interval));
    check_bars_per_year(bars_per_year, interval)?;
    if let Some(warning) = mixed_intervals(&imported.series) {
        report.notices.push(warning);
    }
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
        bars_per_year,
        description: request.description,
        licence: request.licence,
        notes: request.notes,
        source,
    };
    catalog.add(entry.clone(), &imported.series, request.force)?;
    Ok((entry, report))
}

/// Whether two intervals are the same length (`1d` and `24h`), or both a calendar month's.
fn same_interval(declared: BarInterval, found: BarInterval) -> bool {
    declared == found || declared.nominal_millis() == found.nominal_millis()
}

/// Checks bars per year against [`gauntlet_core::MAX_BARS_PER_YEAR`] and against the interval: no
/// more bars than a leap year holds around the clock, and no fewer than a tenth of that (an
/// exchange's daily bars are 252 of 365, its minute bars about a fifth of the 24/7 count).
///
/// # Errors
/// [`DataError::InvalidField`] naming `bars_per_year`.
pub fn check_bars_per_year(bars_per_year: f64, interval: BarInterval) -> Result<(), DataError> {
    let invalid = |message: String| DataError::InvalidField {
        field: "bars_per_year".into(),
        message,
    };
    gauntlet_core::check_bars_per_year(bars_per_year).map_err(invalid)?;
    let around_the_clock = interval.bars_per_year_24_7();
    let most = around_the_clock * 366.0 / 365.0;
    if bars_per_year > most * (1.0 + 1e-9) || bars_per_year < around_the_clock / 10.0 {
        return Err(invalid(format!(
            "{bars_per_year} bars of {interval} a year: a year holds at most {most:.0} of them \
             (around the clock), and no market trades fewer than a tenth of that ({:.1})",
            around_the_clock / 10.0
        )));
    }
    Ok(())
}

/// A warning when the series changes interval partway (100 daily bars, then 100 hourly): the most
/// common spacing of each run of 20 spacings, where it holds at least half of them, differs between
/// runs.
fn mixed_intervals(series: &BarSeries) -> Option<String> {
    const RUN: usize = 20;
    let times = series.timestamps();
    let spacings: Vec<i64> = times
        .windows(2)
        .map(|pair| pair[1].millis() - pair[0].millis())
        .collect();
    let mut runs: Vec<(usize, i64)> = Vec::new();
    for (index, run) in spacings.chunks(RUN).enumerate() {
        let mut sorted = run.to_vec();
        sorted.sort_unstable();
        let modal = sorted
            .chunk_by(|a, b| a == b)
            .max_by_key(|same| same.len())
            .filter(|same| same.len() * 2 >= RUN.min(run.len()) && run.len() >= RUN / 2)
            .map(|same| same[0]);
        if let Some(spacing) = modal
            && runs.last().is_none_or(|(_, last)| *last != spacing)
        {
            runs.push((index * RUN, spacing));
        }
    }
    if runs.len() < 2 {
        return None;
    }
    let described: Vec<String> = runs
        .iter()
        .take(4)
        .map(|(start, spacing)| {
            format!(
                "{} apart from {}",
                crate::summary::spacing_text(*spacing),
                crate::describe::date_text(times[*start])
            )
        })
        .collect();
    Some(format!(
        "warning: the file mixes intervals (bars mostly {}); a dataset should hold one interval",
        described.join(", then ")
    ))
}
