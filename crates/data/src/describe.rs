//! What `gauntlet data list`, `inspect`, `import` and `export` say about datasets, as rows and
//! lines of text (the binary draws them as tables).

use std::path::Path;

use gauntlet_core::{BarSeries, PriceFields, Timestamp};
use serde::Serialize;

use crate::catalog::{Catalog, DatasetEntry};
use crate::csv_export::export_csv;
use crate::error::DataError;
use crate::files::is_parquet_path;
use crate::import_report::ImportReport;
use crate::parquet_io::{read_parquet, write_parquet};
use crate::summary::DatasetSummary;

/// The columns of [`ListedDataset::row`].
pub const LIST_HEADER: [&str; 9] = [
    "name", "symbol", "class", "interval", "bars", "first", "last", "prices", "licence",
];

/// One dataset of the catalog with what its file holds (`gauntlet data list`).
#[derive(Debug, Clone, Serialize)]
pub struct ListedDataset {
    /// The catalog entry.
    #[serde(flatten)]
    pub entry: DatasetEntry,
    /// Bars in the file.
    pub rows: usize,
    /// The first bar's date (or time, when not midnight UTC).
    pub first: Option<String>,
    /// The last bar's date (or time).
    pub last: Option<String>,
    /// Whether the file has high and low prices or closes only.
    pub price_fields: PriceFields,
    /// Whether it has volume.
    pub has_volume: bool,
}

impl ListedDataset {
    /// The row under [`LIST_HEADER`].
    pub fn row(&self) -> [String; 9] {
        [
            self.entry.name.clone(),
            self.entry.symbol.clone(),
            self.entry.asset_class.to_string(),
            self.entry.interval.to_string(),
            self.rows.to_string(),
            self.first.clone().unwrap_or_default(),
            self.last.clone().unwrap_or_default(),
            price_fields_text(self.price_fields, self.has_volume).to_string(),
            self.entry.licence.clone(),
        ]
    }
}

/// The line under `gauntlet data list`'s table: how many datasets and where, or for an empty
/// catalog how to add one.
pub fn listing_footer(catalog: &Catalog, count: usize) -> String {
    let path = catalog.catalog_path();
    if count == 0 {
        format!(
            "No datasets in {}. Add one with `gauntlet data import FILE --name NAME --symbol SYM --asset-class CLASS`.",
            path.display()
        )
    } else {
        format!("{count} datasets in {}", path.display())
    }
}

/// Every dataset of `catalog`, its file read for its size and range.
///
/// # Errors
/// As [`read_parquet`], naming the dataset's file.
pub fn list_datasets(catalog: &Catalog) -> Result<Vec<ListedDataset>, DataError> {
    catalog
        .entries()
        .iter()
        .map(|entry| {
            let (series, _) = read_parquet(&catalog.file_path(entry))?;
            Ok(ListedDataset {
                entry: entry.clone(),
                rows: series.len(),
                first: series.first_timestamp().map(date_text),
                last: series.last_timestamp().map(date_text),
                price_fields: series.price_fields(),
                has_volume: series.has_volume(),
            })
        })
        .collect()
}

/// `OHLCV`, `OHLC`, `close+volume` or `close only`.
pub fn price_fields_text(price_fields: PriceFields, has_volume: bool) -> &'static str {
    match (price_fields, has_volume) {
        (PriceFields::Ohlc, true) => "OHLCV",
        (PriceFields::Ohlc, false) => "OHLC",
        (PriceFields::CloseOnly, true) => "close+volume",
        (PriceFields::CloseOnly, false) => "close only",
    }
}

/// A timestamp as a date when it is midnight UTC (`2020-03-16`), else in full RFC 3339.
pub fn date_text(timestamp: Timestamp) -> String {
    let text = timestamp.to_string();
    match text.strip_suffix("T00:00:00Z") {
        Some(date) => date.to_string(),
        None => text,
    }
}

/// `gauntlet data inspect --json`: the catalog entry, its file and the bars' summary.
#[derive(Debug, Clone, Serialize)]
pub struct Inspection<'a> {
    /// The catalog entry.
    pub dataset: &'a DatasetEntry,
    /// Its Parquet file.
    pub file: String,
    /// Range, gaps, stale and flat bars, largest moves.
    pub summary: &'a DatasetSummary,
}

/// `gauntlet data inspect`: (label, value) rows on a dataset, its file and its bars' quality.
pub fn inspection_rows(
    catalog: &Catalog,
    entry: &DatasetEntry,
    series: &BarSeries,
    summary: &DatasetSummary,
) -> Vec<(String, String)> {
    let optional_count = |count: Option<usize>, absent: &str| match count {
        Some(count) => count.to_string(),
        None => absent.to_string(),
    };
    let mut rows = Vec::new();
    let mut row = |key: &str, value: String| rows.push((key.to_string(), value));
    row("name", entry.name.clone());
    row("description", entry.description.clone());
    row(
        "instrument",
        format!(
            "{} ({}, {} bars)",
            entry.symbol, entry.asset_class, entry.interval
        ),
    );
    row("file", catalog.file_path(entry).display().to_string());
    row("source", entry.source.summary());
    row("transform", entry.source.transform.clone());
    row("licence", entry.licence.clone());
    row("bars per year", entry.bars_per_year.to_string());
    row(
        "prices",
        price_fields_text(series.price_fields(), series.has_volume()).to_string(),
    );
    row("bars", summary.rows.to_string());
    let time = |time: Option<Timestamp>| time.map(|time| time.to_string()).unwrap_or_default();
    row(
        "range",
        format!("{} .. {}", time(summary.first), time(summary.last)),
    );
    row(
        "close min / max",
        format!(
            "{} / {}",
            summary.min_close.unwrap_or(f64::NAN),
            summary.max_close.unwrap_or(f64::NAN)
        ),
    );
    row(
        "gaps",
        format!(
            "{} over {} intervals",
            summary.gap_count, summary.gap_threshold_intervals
        ),
    );
    if let Some(gap) = summary.longest_gap {
        row(
            "longest gap",
            format!(
                "{:.1} intervals, {} .. {}",
                gap.intervals,
                date_text(gap.after),
                date_text(gap.before)
            ),
        );
    }
    row(
        "stale rows (close unchanged)",
        summary.stale_rows.to_string(),
    );
    row(
        "flat bars (O=H=L=C)",
        optional_count(summary.flat_bars, "n/a (close-only)"),
    );
    row(
        "zero-volume rows",
        optional_count(summary.zero_volume_rows, "n/a (no volume)"),
    );
    for (rank, one_move) in summary.largest_moves.iter().enumerate() {
        row(
            &format!("largest move #{}", rank + 1),
            format!(
                "{:+.2}% on {} ({} -> {})",
                one_move.change * 100.0,
                date_text(one_move.timestamp),
                one_move.from_close,
                one_move.to_close
            ),
        );
    }
    if !entry.notes.is_empty() {
        row("notes", entry.notes.clone());
    }
    rows
}

impl ImportReport {
    /// What an import did, as lines for the terminal: bars, layout, notices and skipped rows.
    pub fn describe(&self, catalog: &Catalog, entry: &DatasetEntry) -> Vec<String> {
        let mut lines = vec![
            format!(
                "Imported {} bars of {} ({}, {}) from {} as '{}' -> {}",
                self.bars,
                entry.symbol,
                entry.asset_class,
                entry.interval,
                self.source.display(),
                entry.name,
                catalog.file_path(entry).display()
            ),
            format!(
                "  layout {}{}, timestamps {}, close column '{}'{}",
                self.layout,
                if self.gzip { " (gzip)" } else { "" },
                self.timestamp_format,
                self.close_column,
                if self.adjusted { ", adjusted" } else { "" }
            ),
        ];
        lines.extend(
            self.notices
                .iter()
                .map(|notice| format!("  note: {notice}")),
        );
        if self.skipped_count() > 0 {
            lines.push(format!(
                "  skipped {} bad rows of {}:",
                self.skipped_count(),
                self.data_rows
            ));
            for (kind, rows) in &self.skipped {
                lines.push(format!(
                    "    {kind}: {} (lines {})",
                    rows.count,
                    rows.first_lines
                        .iter()
                        .map(u64::to_string)
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
        }
        lines
    }
}

/// Writes the dataset `name` to `to`: Parquet when it ends in `.parquet` (with the catalog's
/// metadata), else CSV. Returns the bars written.
///
/// # Errors
/// As [`Catalog::load`], [`write_parquet`] and [`export_csv`].
pub fn export_dataset(catalog: &Catalog, name: &str, to: &Path) -> Result<usize, DataError> {
    let (entry, series) = catalog.load(name)?;
    if is_parquet_path(to) {
        write_parquet(to, &series, &entry.parquet_metadata())?;
    } else {
        export_csv(&series, to)?;
    }
    Ok(series.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_drop_a_midnight_time_only() {
        assert_eq!(date_text(Timestamp(86_400_000)), "1970-01-02");
        assert_eq!(date_text(Timestamp(3_600_000)), "1970-01-01T01:00:00Z");
        assert_eq!(
            price_fields_text(PriceFields::CloseOnly, false),
            "close only"
        );
        assert_eq!(price_fields_text(PriceFields::Ohlc, true), "OHLCV");
    }
}
