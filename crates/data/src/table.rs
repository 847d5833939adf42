//! Plain tables (leaderboards, capital records, per-generation statistics) written to Parquet and
//! read back, so crates above this one need not depend on arrow themselves.

use std::fs::File;
use std::path::Path;
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, Int64Type};
use arrow_array::{
    Array, ArrayRef, BooleanArray, Float64Array, Int64Array, RecordBatch, StringArray,
};
use arrow_schema::{DataType, Field, Schema};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

use crate::error::DataError;
use crate::parquet_io::write_batch;

/// One column of a [`write_table`] table.
#[derive(Debug, Clone, PartialEq)]
pub enum TableColumn {
    /// float64; `None` (or a non-finite value) is written as null.
    Float(Vec<Option<f64>>),
    /// int64.
    Integer(Vec<i64>),
    /// utf8.
    Text(Vec<String>),
    /// boolean.
    Boolean(Vec<bool>),
}

impl TableColumn {
    fn len(&self) -> usize {
        match self {
            Self::Float(values) => values.len(),
            Self::Integer(values) => values.len(),
            Self::Text(values) => values.len(),
            Self::Boolean(values) => values.len(),
        }
    }

    fn to_array(&self) -> (DataType, ArrayRef) {
        match self {
            Self::Float(values) => (
                DataType::Float64,
                Arc::new(Float64Array::from(
                    values
                        .iter()
                        .map(|value| value.filter(|number| number.is_finite()))
                        .collect::<Vec<_>>(),
                )),
            ),
            Self::Integer(values) => (DataType::Int64, Arc::new(Int64Array::from(values.clone()))),
            Self::Text(values) => (DataType::Utf8, Arc::new(StringArray::from(values.clone()))),
            Self::Boolean(values) => (
                DataType::Boolean,
                Arc::new(BooleanArray::from(values.clone())),
            ),
        }
    }
}

/// Writes named columns of equal length to `path` as Parquet (snappy), atomically (names as `&str`
/// or `String`).
///
/// # Errors
/// [`DataError::Parquet`] when the columns' lengths differ or encoding fails; [`DataError::Io`] when
/// the file cannot be written.
pub fn write_table<N: AsRef<str>>(
    path: &Path,
    columns: &[(N, TableColumn)],
) -> Result<(), DataError> {
    let parquet_error = |message: String| DataError::Parquet {
        path: path.to_path_buf(),
        message,
    };
    let batch = table_batch(columns).map_err(parquet_error)?;
    write_batch(path, batch.schema(), &batch)
}

/// Named columns of equal length as one Arrow record batch (what [`write_table`] writes): a
/// float column's `None` and non-finite values are null.
///
/// # Errors
/// A message naming the column whose length differs from the first's.
pub fn table_batch<N: AsRef<str>>(columns: &[(N, TableColumn)]) -> Result<RecordBatch, String> {
    let rows = columns.first().map_or(0, |(_, column)| column.len());
    let mut fields = Vec::with_capacity(columns.len());
    let mut arrays = Vec::with_capacity(columns.len());
    for (name, column) in columns {
        let name = name.as_ref();
        if column.len() != rows {
            return Err(format!(
                "column {name} has {} rows, the first column {rows}",
                column.len()
            ));
        }
        let (data_type, array) = column.to_array();
        let nullable = array.null_count() > 0 || matches!(column, TableColumn::Float(_));
        fields.push(Field::new(name, data_type, nullable));
        arrays.push(array);
    }
    let schema = Arc::new(Schema::new(fields));
    RecordBatch::try_new(schema, arrays).map_err(|error| error.to_string())
}

/// Reads a table [`write_table`] wrote (float64, int64, utf8 and boolean columns).
///
/// # Errors
/// [`DataError::Io`] when the file cannot be opened; [`DataError::Parquet`] when it is not Parquet or
/// holds a column of another type.
pub fn read_table(path: &Path) -> Result<Vec<(String, TableColumn)>, DataError> {
    let parquet_error = |message: String| DataError::Parquet {
        path: path.to_path_buf(),
        message,
    };
    let file = File::open(path).map_err(|source| DataError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let reader = ParquetRecordBatchReaderBuilder::try_new(file)
        .and_then(|builder| builder.build())
        .map_err(|error| parquet_error(error.to_string()))?;
    let mut columns: Vec<(String, TableColumn)> = Vec::new();
    for batch in reader {
        let batch = batch.map_err(|error| parquet_error(error.to_string()))?;
        let schema = batch.schema();
        for (index, field) in schema.fields().iter().enumerate() {
            let array = batch.column(index);
            let part = match field.data_type() {
                DataType::Float64 => {
                    TableColumn::Float(array.as_primitive::<Float64Type>().iter().collect())
                }
                DataType::Int64 => TableColumn::Integer(
                    array
                        .as_primitive::<Int64Type>()
                        .iter()
                        .map(|value| value.unwrap_or_default())
                        .collect(),
                ),
                DataType::Utf8 => TableColumn::Text(
                    array
                        .as_string::<i32>()
                        .iter()
                        .map(|value| value.unwrap_or_default().to_string())
                        .collect(),
                ),
                DataType::Boolean => TableColumn::Boolean(
                    array
                        .as_boolean()
                        .iter()
                        .map(|value| value.unwrap_or_default())
                        .collect(),
                ),
                other => {
                    return Err(parquet_error(format!(
                        "column {} has type {other}, expected float64, int64, utf8 or boolean",
                        field.name()
                    )));
                }
            };
            match columns.get_mut(index) {
                Some((_, existing)) => match (existing, part) {
                    (TableColumn::Float(all), TableColumn::Float(more)) => all.extend(more),
                    (TableColumn::Integer(all), TableColumn::Integer(more)) => all.extend(more),
                    (TableColumn::Text(all), TableColumn::Text(more)) => all.extend(more),
                    (TableColumn::Boolean(all), TableColumn::Boolean(more)) => all.extend(more),
                    _ => return Err(parquet_error("column types differ between batches".into())),
                },
                None => columns.push((field.name().clone(), part)),
            }
        }
    }
    Ok(columns)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_table_round_trips_with_nulls() {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("table.parquet");
        let columns = vec![
            ("id", TableColumn::Text(vec!["a".into(), "b".into()])),
            ("rank", TableColumn::Integer(vec![1, 2])),
            ("fitness", TableColumn::Float(vec![Some(1.5), None])),
            ("eligible", TableColumn::Boolean(vec![true, false])),
        ];
        write_table(&path, &columns).unwrap();
        let read = read_table(&path).unwrap();
        let expected: Vec<(String, TableColumn)> = columns
            .into_iter()
            .map(|(name, column)| (name.to_string(), column))
            .collect();
        assert_eq!(read, expected);
    }

    #[test]
    fn unequal_columns_are_refused() {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("bad.parquet");
        let error = write_table(
            &path,
            &[
                ("a", TableColumn::Integer(vec![1, 2])),
                ("b", TableColumn::Integer(vec![1])),
            ],
        )
        .unwrap_err();
        assert!(error.to_string().contains("column b has 1 rows"), "{error}");
        assert!(!path.exists());
    }
}
