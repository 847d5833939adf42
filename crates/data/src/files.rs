//! Files a user names on the command line: bar files told apart by their extension, time series and
//! rows written as CSV or Parquet, and numeric matrices read from CSV.

use std::path::Path;

use csv::{ReaderBuilder, Trim};
use gauntlet_core::{BarSeries, Timestamp};
use serde::Serialize;

use crate::atomic::write_atomically;
use crate::catalog::Catalog;
use crate::error::{BadRowKind, DataError};
use crate::import_file::import_csv;
use crate::import_report::ImportOptions;
use crate::parquet_io::{ParquetMetadata, read_parquet, write_time_table};

/// Whether `path` names a Parquet file (its extension is `parquet`, in any case); every other file
/// is read and written as CSV.
pub fn is_parquet_path(path: &Path) -> bool {
    path.extension()
        .is_some_and(|extension| extension.eq_ignore_ascii_case("parquet"))
}

/// Reads the bars of a Parquet file or a CSV file (any layout [`import_csv`] recognises, with its
/// default options).
///
/// # Errors
/// As [`read_parquet`] or [`import_csv`], naming the file (and the row of a bad CSV line).
pub fn load_series_file(path: &Path) -> Result<BarSeries, DataError> {
    if is_parquet_path(path) {
        Ok(read_parquet(path)?.0)
    } else {
        Ok(import_csv(path, &ImportOptions::default())?.series)
    }
}

/// A series to trade, named as the user named it.
#[derive(Debug, Clone)]
pub struct NamedSeries {
    /// The dataset's name, or the file's stem.
    pub name: String,
    /// The instrument's symbol (the catalog's, or the file's stem).
    pub symbol: String,
    /// The bars.
    pub series: BarSeries,
    /// The catalog's bars per year (`None` for a file).
    pub bars_per_year: Option<f64>,
}

/// Loads a bars file (`file`, see [`load_series_file`]) or else the catalog `datasets` of the
/// catalog in `datasets_dir`, each cut to the whole UTC days from `from` to `to`
/// ([`BarSeries::between_dates`]).
///
/// # Errors
/// As [`load_series_file`], [`Catalog::open`] and [`Catalog::load`]; [`DataError::InvalidField`]
/// naming the dataset when fewer than 2 bars are left between `from` and `to`.
pub fn load_series_between(
    datasets_dir: &Path,
    file: Option<&Path>,
    datasets: &[String],
    from: Option<Timestamp>,
    to: Option<Timestamp>,
) -> Result<Vec<NamedSeries>, DataError> {
    let window = |series: BarSeries, name: &str| {
        let series = series.between_dates(from, to);
        if series.len() < 2 {
            return Err(DataError::InvalidField {
                field: "--from/--to".into(),
                message: format!("{name} has fewer than 2 bars between them"),
            });
        }
        Ok(series)
    };
    if let Some(path) = file {
        let name = path.file_stem().map_or_else(
            || "data".to_string(),
            |stem| stem.to_string_lossy().into_owned(),
        );
        return Ok(vec![NamedSeries {
            series: window(load_series_file(path)?, &name)?,
            symbol: name.clone(),
            name,
            bars_per_year: None,
        }]);
    }
    let catalog = Catalog::open(datasets_dir)?;
    if let Some((index, name)) = datasets
        .iter()
        .enumerate()
        .find(|(index, name)| datasets[..*index].contains(name))
    {
        return Err(DataError::InvalidField {
            field: "--dataset".into(),
            message: format!("'{name}' is listed twice (position {})", index + 1),
        });
    }
    datasets
        .iter()
        .map(|name| {
            let (entry, series) = catalog.load(name)?;
            Ok(NamedSeries {
                series: window(series, name)?,
                symbol: entry.symbol.clone(),
                name: name.clone(),
                bars_per_year: Some(entry.bars_per_year),
            })
        })
        .collect()
}

/// A CSV writing error as [`DataError::Io`] naming `path`; an I/O error inside keeps its kind (a
/// closed pipe stays `BrokenPipe`, which the binary treats as the end of output).
pub(crate) fn csv_error(path: &Path, error: csv::Error) -> DataError {
    let text = error.to_string();
    let source = match error.into_kind() {
        csv::ErrorKind::Io(source) => source,
        _ => std::io::Error::other(text),
    };
    DataError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Writes value columns beside their bars' times, atomically: Parquet when `path` ends in
/// `.parquet` (a `ts` column in milliseconds, UTC), else CSV with a `timestamp` column in RFC 3339
/// (UTC) and the values as Rust prints an `f64` (shortest text that reads back exactly).
///
/// # Errors
/// [`DataError::Io`] or [`DataError::Parquet`] naming the file.
pub fn write_time_columns(
    path: &Path,
    timestamps: &[Timestamp],
    columns: &[(&str, &[f64])],
) -> Result<(), DataError> {
    if is_parquet_path(path) {
        return write_time_table(path, timestamps, columns, &ParquetMetadata::default());
    }
    write_atomically(path, |file| {
        let mut writer = csv::Writer::from_writer(file);
        let header = std::iter::once("timestamp").chain(columns.iter().map(|(name, _)| *name));
        writer
            .write_record(header)
            .map_err(|error| csv_error(path, error))?;
        for (row, time) in timestamps.iter().enumerate() {
            let record = std::iter::once(time.to_string()).chain(
                columns
                    .iter()
                    .map(|(_, values)| values.get(row).map_or(String::new(), f64::to_string)),
            );
            writer
                .write_record(record)
                .map_err(|error| csv_error(path, error))?;
        }
        writer.flush().map_err(|source| DataError::Io {
            path: path.to_path_buf(),
            source,
        })
    })
}

/// Writes `rows` as CSV, atomically: a header of the row type's field names (serde; from a
/// default row when there are no rows, so an empty table still has its header), then one line per
/// row.
///
/// # Errors
/// [`DataError::Io`] naming the file.
pub fn write_csv_rows<T: Serialize + Default>(path: &Path, rows: &[T]) -> Result<(), DataError> {
    write_atomically(path, |file| {
        let mut writer = csv::Writer::from_writer(file);
        if rows.is_empty() {
            // The header alone (pandas cannot read an empty file): the field names of a default
            // row, serialised into memory and read back.
            let mut probe = csv::Writer::from_writer(Vec::new());
            probe
                .serialize(T::default())
                .map_err(|error| csv_error(path, error))?;
            let bytes = probe.into_inner().map_err(|error| DataError::Io {
                path: path.to_path_buf(),
                source: error.into_error(),
            })?;
            let header = csv::Reader::from_reader(bytes.as_slice())
                .headers()
                .map_err(|error| csv_error(path, error))?
                .clone();
            writer
                .write_record(&header)
                .map_err(|error| csv_error(path, error))?;
        }
        for row in rows {
            writer
                .serialize(row)
                .map_err(|error| csv_error(path, error))?;
        }
        writer.flush().map_err(|source| DataError::Io {
            path: path.to_path_buf(),
            source,
        })
    })
}

/// Writes a header and records (already text) as CSV, atomically.
///
/// # Errors
/// [`DataError::Io`] naming the file.
pub fn write_csv_records(
    path: &Path,
    header: &[&str],
    records: impl IntoIterator<Item = Vec<String>>,
) -> Result<(), DataError> {
    write_atomically(path, |file| {
        let mut writer = csv::Writer::from_writer(file);
        writer
            .write_record(header)
            .map_err(|error| csv_error(path, error))?;
        for record in records {
            writer
                .write_record(&record)
                .map_err(|error| csv_error(path, error))?;
        }
        writer.flush().map_err(|source| DataError::Io {
            path: path.to_path_buf(),
            source,
        })
    })
}

/// Reads a T x N matrix from CSV: a header row (one name per column), then rows of finite
/// numbers. Returns the rows.
///
/// # Errors
/// [`DataError::Io`] when the file cannot be read; [`DataError::BadRow`] naming the line (the
/// header is line 1) and the column of a cell that is not a finite number, or a row of another
/// length.
pub fn read_numeric_matrix(path: &Path) -> Result<Vec<Vec<f64>>, DataError> {
    let io_error = |source| DataError::Io {
        path: path.to_path_buf(),
        source,
    };
    let file = gauntlet_core::open_regular_file(path).map_err(io_error)?;
    let mut reader = ReaderBuilder::new().trim(Trim::All).from_reader(file);
    let headers = reader
        .headers()
        .map_err(|error| csv_error(path, error))?
        .clone();
    let mut rows = Vec::new();
    for (index, record) in reader.records().enumerate() {
        let line = index as u64 + 2;
        let record = record.map_err(|error| DataError::BadRow {
            path: path.to_path_buf(),
            line,
            column: None,
            kind: BadRowKind::RaggedRow,
            message: error.to_string(),
        })?;
        let row = record
            .iter()
            .enumerate()
            .map(|(column, cell)| {
                cell.parse::<f64>()
                    .ok()
                    .filter(|value| value.is_finite())
                    .ok_or_else(|| DataError::BadRow {
                        path: path.to_path_buf(),
                        line,
                        column: Some(headers.get(column).unwrap_or("?").to_string()),
                        kind: BadRowKind::NotFinite,
                        message: format!("'{cell}' is not a finite number"),
                    })
            })
            .collect::<Result<Vec<f64>, DataError>>()?;
        rows.push(row);
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_columns_round_trip_through_csv_text() {
        let folder = tempfile::tempdir().expect("temporary folder");
        let path = folder.path().join("equity.csv");
        write_time_columns(
            &path,
            &[Timestamp(0), Timestamp(86_400_000)],
            &[
                ("equity", &[100.0, 101.5]),
                ("buy_and_hold", &[100.0, 99.25]),
            ],
        )
        .expect("written");
        assert_eq!(
            std::fs::read_to_string(&path).expect("read"),
            "timestamp,equity,buy_and_hold\n1970-01-01T00:00:00Z,100,100\n1970-01-02T00:00:00Z,101.5,99.25\n"
        );
        assert!(is_parquet_path(Path::new("a/b.PARQUET")));
        assert!(!is_parquet_path(Path::new("a/parquet.csv")));
    }

    #[test]
    fn a_bad_matrix_cell_names_its_line_and_column() {
        let folder = tempfile::tempdir().expect("temporary folder");
        let path = folder.path().join("m.csv");
        std::fs::write(&path, "a,b\n1,2\n3,x\n").expect("written");
        let error = read_numeric_matrix(&path).expect_err("x is no number");
        let text = error.to_string();
        assert!(
            text.contains("line 3") && text.contains('b') && text.contains("'x'"),
            "{text}"
        );
        std::fs::write(&path, "a,b\n1,2\n3,4.5\n").expect("written");
        assert_eq!(
            read_numeric_matrix(&path).expect("valid"),
            vec![vec![1.0, 2.0], vec![3.0, 4.5]]
        );
    }
}
