//! CSV export with the `csv` crate.

use std::path::Path;

use gauntlet_core::{BarSeries, PriceFields};

use crate::atomic::write_atomically;
use crate::error::DataError;

/// Writes `series` to `path` as CSV, atomically.
///
/// Header `timestamp,open,high,low,close,volume` (a close-only series writes `timestamp,close`, plus
/// `volume` when it has one). Timestamps are ISO 8601 UTC (`2020-03-16T00:00:00Z`); numbers are written
/// in the shortest form that reads back to the same f64, so export then import is exact.
///
/// # Errors
/// [`DataError::Io`] naming the file when it cannot be written.
pub fn export_csv(series: &BarSeries, path: &Path) -> Result<(), DataError> {
    let close_only = series.price_fields() == PriceFields::CloseOnly;
    let mut header = vec!["timestamp"];
    if !close_only {
        header.extend(["open", "high", "low"]);
    }
    header.push("close");
    if series.has_volume() {
        header.push("volume");
    }
    write_atomically(path, |file| {
        let mut writer = csv::Writer::from_writer(std::io::BufWriter::new(file));
        writer
            .write_record(&header)
            .map_err(|error| crate::files::csv_error(path, error))?;
        let mut record: Vec<String> = Vec::with_capacity(header.len());
        for bar in series.bars() {
            record.clear();
            record.push(bar.timestamp.to_string());
            if !close_only {
                record.extend([bar.open, bar.high, bar.low].map(|value| value.to_string()));
            }
            record.push(bar.close.to_string());
            if series.has_volume() {
                record.push(bar.volume.to_string());
            }
            writer
                .write_record(&record)
                .map_err(|error| crate::files::csv_error(path, error))?;
        }
        writer.flush().map_err(|source| DataError::Io {
            path: path.to_path_buf(),
            source,
        })
    })
}
