//! Reading one numeric column of a CSV file (returns or equity series for `gauntlet stats`).

use std::path::Path;

use csv::{ReaderBuilder, Trim};

use crate::column_names::normalise;
use crate::error::{BadRowKind, DataError};

/// Reads the first of `names` (matched like bar columns: case-insensitive, ignoring spaces and `_`)
/// that a CSV file has, as numbers. Returns the column's header name and its values.
///
/// # Errors
/// [`DataError::Io`] when the file cannot be read; [`DataError::MissingColumn`] when it has none of
/// `names`; [`DataError::BadRow`] naming the line of a value that is missing, not a number or not
/// finite; [`DataError::NoDataRows`] for a file without values.
pub fn read_numeric_column(path: &Path, names: &[&str]) -> Result<(String, Vec<f64>), DataError> {
    let io_error = |source| DataError::Io {
        path: path.to_path_buf(),
        source,
    };
    let file = gauntlet_core::open_regular_file(path).map_err(io_error)?;
    let mut reader = ReaderBuilder::new()
        .trim(Trim::All)
        .flexible(true)
        .from_reader(crate::line_cap::LineCap::new(file, crate::MAX_LINE_BYTES));
    let headers: Vec<String> = reader
        .headers()
        .map_err(|error| io_error(std::io::Error::other(error.to_string())))?
        .iter()
        .map(|name| name.trim_start_matches('\u{feff}').to_string())
        .collect();
    let (index, header) = names
        .iter()
        .find_map(|wanted| {
            headers
                .iter()
                .position(|header| normalise(header) == normalise(wanted))
        })
        .map(|index| (index, headers[index].clone()))
        .ok_or_else(|| DataError::MissingColumn {
            path: path.to_path_buf(),
            column: names.join(" or "),
            found: headers.join(", "),
        })?;
    let mut values = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|error| io_error(std::io::Error::other(error.to_string())))?;
        let line = record.position().map_or(0, csv::Position::line);
        let text = record.get(index).unwrap_or("");
        let bad = |kind, message: String| DataError::BadRow {
            path: path.to_path_buf(),
            line,
            column: Some(header.clone()),
            kind,
            message,
        };
        let value: f64 = text
            .parse()
            .map_err(|_| bad(BadRowKind::NotANumber, format!("'{text}' is not a number")))?;
        if !value.is_finite() {
            return Err(bad(
                BadRowKind::NotFinite,
                format!("{value} is not a finite number"),
            ));
        }
        values.push(value);
    }
    if values.is_empty() {
        return Err(DataError::NoDataRows {
            path: path.to_path_buf(),
        });
    }
    Ok((header, values))
}
