//! Parquet read and write through `arrow` and `parquet`.
//!
//! Schema written: `ts` timestamp[ms, tz=UTC] (bar open time), `open`, `high`, `low`, `close`,
//! `volume` float64. For a close-only series `open`, `high` and `low` are null; `volume` is null when
//! the source had none. Key-value metadata (file-level and in the Arrow schema): `symbol`,
//! `asset_class`, `interval`, `source`, `licence`, plus `price_fields` (`ohlc` or `close_only`),
//! `has_volume` (`true` or `false`) and `gauntlet_schema` (the version of this layout). The files open in pandas, polars and duckdb as
//! ordinary tables.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Float64Type, TimestampMicrosecondType, TimestampMillisecondType, TimestampNanosecondType,
    TimestampSecondType,
};
use arrow_array::{
    Array, ArrayRef, ArrowPrimitiveType, Float64Array, RecordBatch, TimestampMillisecondArray,
};
use arrow_schema::{DataType, Field, Schema, TimeUnit};
use gauntlet_core::{BarColumns, BarSeries, PriceFields, Timestamp};
use parquet::arrow::ArrowWriter;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;

use crate::atomic::write_atomically;
use crate::error::DataError;

/// The version of the Parquet layout this module writes (metadata key `gauntlet_schema`).
pub const PARQUET_SCHEMA_VERSION: &str = "1";

/// Key-value metadata stored with a Parquet file (`symbol`, `asset_class`, `interval`, `source`,
/// `licence`, ...).
pub type ParquetMetadata = BTreeMap<String, String>;

/// Writes `series` to `path` as Parquet (snappy-compressed), atomically.
///
/// `metadata` is stored as key-value metadata; `price_fields` and `gauntlet_schema` are added.
///
/// # Errors
/// [`DataError::Parquet`] when encoding fails; [`DataError::Io`] when the file cannot be written.
pub fn write_parquet(
    path: &Path,
    series: &BarSeries,
    metadata: &ParquetMetadata,
) -> Result<(), DataError> {
    let parquet_error = |message: String| DataError::Parquet {
        path: path.to_path_buf(),
        message,
    };
    let mut all_metadata: HashMap<String, String> = metadata.clone().into_iter().collect();
    all_metadata.insert(
        "price_fields".into(),
        series.price_fields().name().to_string(),
    );
    all_metadata.insert("has_volume".into(), series.has_volume().to_string());
    all_metadata.insert("gauntlet_schema".into(), PARQUET_SCHEMA_VERSION.into());
    let schema = Arc::new(Schema::new_with_metadata(
        vec![
            Field::new(
                "ts",
                DataType::Timestamp(TimeUnit::Millisecond, Some("UTC".into())),
                false,
            ),
            Field::new("open", DataType::Float64, true),
            Field::new("high", DataType::Float64, true),
            Field::new("low", DataType::Float64, true),
            Field::new("close", DataType::Float64, false),
            Field::new("volume", DataType::Float64, true),
        ],
        all_metadata,
    ));
    let close_only = series.price_fields() == PriceFields::CloseOnly;
    let price = |values: &[f64], null: bool| -> ArrayRef {
        if null {
            Arc::new(Float64Array::new_null(values.len()))
        } else {
            Arc::new(Float64Array::from(values.to_vec()))
        }
    };
    let timestamps: Vec<i64> = series
        .timestamps()
        .iter()
        .map(|time| time.millis())
        .collect();
    let batch = RecordBatch::try_new(
        schema.clone(),
        vec![
            Arc::new(TimestampMillisecondArray::from(timestamps).with_timezone("UTC")),
            price(series.open(), close_only),
            price(series.high(), close_only),
            price(series.low(), close_only),
            price(series.close(), false),
            price(series.volume(), !series.has_volume()),
        ],
    )
    .map_err(|error| parquet_error(error.to_string()))?;
    write_batch(path, schema, &batch)
}

/// Writes one record batch to `path` as snappy-compressed Parquet, atomically.
pub(crate) fn write_batch(
    path: &Path,
    schema: Arc<Schema>,
    batch: &RecordBatch,
) -> Result<(), DataError> {
    let parquet_error = |message: String| DataError::Parquet {
        path: path.to_path_buf(),
        message,
    };
    let properties = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .build();
    write_atomically(path, |file| {
        let mut writer = ArrowWriter::try_new(file, schema, Some(properties))
            .map_err(|error| parquet_error(error.to_string()))?;
        writer
            .write(batch)
            .map_err(|error| parquet_error(error.to_string()))?;
        writer
            .close()
            .map_err(|error| parquet_error(error.to_string()))?;
        Ok(())
    })
}

/// Writes a time-indexed table (a `ts` timestamp[ms, UTC] column and float64 columns) to `path` as
/// Parquet, atomically: equity curves, returns, any per-bar series.
///
/// # Errors
/// [`DataError::Parquet`] when a column's length differs from the timestamps' or encoding fails;
/// [`DataError::Io`] when the file cannot be written.
pub fn write_time_table(
    path: &Path,
    timestamps: &[Timestamp],
    columns: &[(&str, &[f64])],
    metadata: &ParquetMetadata,
) -> Result<(), DataError> {
    let parquet_error = |message: String| DataError::Parquet {
        path: path.to_path_buf(),
        message,
    };
    let batch = crate::frame::time_batch(timestamps, columns, metadata).map_err(parquet_error)?;
    write_batch(path, batch.schema(), &batch)
}

/// Reads a Parquet file of bars: a timestamp column (`ts` or `timestamp`, any unit, converted to
/// milliseconds UTC) and float64 `close`, with optional `open`, `high`, `low`, `volume`. All-null (or
/// absent) `open`/`high`/`low` make a close-only series; an all-null or absent `volume` means none.
///
/// # Errors
/// - [`DataError::Io`] when the file cannot be opened.
/// - [`DataError::Parquet`] when it is not Parquet, a column is missing, has the wrong type, or has
///   nulls where values are required (naming the column and row).
/// - [`DataError::Core`] when the bars fail the core checks (naming the bar).
pub fn read_parquet(path: &Path) -> Result<(BarSeries, ParquetMetadata), DataError> {
    let parquet_error = |message: String| DataError::Parquet {
        path: path.to_path_buf(),
        message,
    };
    let file = gauntlet_core::open_regular_file(path).map_err(|source| DataError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let builder = ParquetRecordBatchReaderBuilder::try_new(file)
        .map_err(|error| parquet_error(format!("not a readable Parquet file: {error}")))?;
    let mut metadata: ParquetMetadata = builder
        .schema()
        .metadata()
        .iter()
        .map(|(key, value)| (key.clone(), value.clone()))
        .collect();
    if let Some(pairs) = builder.metadata().file_metadata().key_value_metadata() {
        for pair in pairs {
            if let Some(value) = &pair.value
                && pair.key != "ARROW:schema"
            {
                metadata.entry(pair.key.clone()).or_insert(value.clone());
            }
        }
    }
    let total_rows = usize::try_from(builder.metadata().file_metadata().num_rows()).unwrap_or(0);
    let reader = builder
        .build()
        .map_err(|error| parquet_error(error.to_string()))?;
    let mut timestamps = Vec::with_capacity(total_rows);
    let mut columns: [NullableColumn; 5] = Default::default();
    let names = ["open", "high", "low", "close", "volume"];
    for batch in reader {
        let batch = batch.map_err(|error| parquet_error(error.to_string()))?;
        let time_column = batch
            .column_by_name("ts")
            .or_else(|| batch.column_by_name("timestamp"))
            .ok_or_else(|| parquet_error("no ts (or timestamp) column".into()))?;
        append_millis(time_column.as_ref(), &mut timestamps).map_err(parquet_error)?;
        for (name, values) in names.iter().zip(columns.iter_mut()) {
            match batch.column_by_name(name) {
                Some(column) => match column.data_type() {
                    DataType::Float64 => values.append(column.as_primitive::<Float64Type>()),
                    other => {
                        return Err(parquet_error(format!(
                            "column {name} is {other}, expected float64"
                        )));
                    }
                },
                None => values.append_nulls(batch.num_rows()),
            }
        }
    }
    let [open, high, low, close, volume] = columns;
    let required = |name: &str, column: NullableColumn| -> Result<Vec<f64>, DataError> {
        match column.first_null {
            Some(row) => Err(parquet_error(format!("column {name} is null at row {row}"))),
            None => Ok(column.values),
        }
    };
    // Files written here say what they hold; for other files, infer it from the nulls.
    let close_only = match metadata.get("price_fields").map(String::as_str) {
        Some("close_only") => true,
        Some("ohlc") => false,
        _ => !close.values.is_empty() && open.all_null() && high.all_null() && low.all_null(),
    };
    let has_volume = match metadata.get("has_volume").map(String::as_str) {
        Some("true") => true,
        Some("false") => false,
        _ => !volume.values.is_empty() && !volume.all_null(),
    };
    let close = required("close", close)?;
    let volume = if has_volume {
        required("volume", volume)?
    } else {
        vec![0.0; close.len()]
    };
    let context = || path.display().to_string();
    let series = if close_only {
        BarSeries::close_only(timestamps, close, has_volume.then_some(volume))
    } else {
        let columns = BarColumns {
            timestamps,
            open: required("open", open)?,
            high: required("high", high)?,
            low: required("low", low)?,
            close,
            volume,
        };
        BarSeries::new(columns, has_volume)
    }
    .map_err(|source| DataError::Core {
        context: context(),
        source,
    })?;
    Ok((series, metadata))
}

/// A float64 column read batch by batch, with where its nulls are.
#[derive(Default)]
struct NullableColumn {
    /// The values (0.0 where null).
    values: Vec<f64>,
    null_count: usize,
    first_null: Option<usize>,
}

impl NullableColumn {
    fn append(&mut self, array: &arrow_array::Float64Array) {
        if array.null_count() > 0 {
            let offset = self.values.len();
            if self.first_null.is_none() {
                self.first_null = (0..array.len())
                    .find(|&row| array.is_null(row))
                    .map(|row| offset + row);
            }
            self.null_count += array.null_count();
        }
        self.values.extend_from_slice(array.values());
    }

    fn append_nulls(&mut self, rows: usize) {
        if rows > 0 {
            self.first_null.get_or_insert(self.values.len());
            self.null_count += rows;
            self.values.extend(std::iter::repeat_n(0.0, rows));
        }
    }

    fn all_null(&self) -> bool {
        self.null_count == self.values.len()
    }
}

/// Appends a timestamp column of any unit, as milliseconds, to `out`.
fn append_millis(column: &dyn Array, out: &mut Vec<Timestamp>) -> Result<(), String> {
    if let Some(row) = (0..column.len()).find(|&row| column.is_null(row)) {
        return Err(format!(
            "the timestamp column is null at row {}",
            out.len() + row
        ));
    }
    fn extend<T: ArrowPrimitiveType<Native = i64>>(
        column: &dyn Array,
        out: &mut Vec<Timestamp>,
        to_millis: fn(i64) -> i64,
    ) {
        let values = column.as_primitive::<T>().values();
        out.extend(values.iter().map(|&raw| Timestamp(to_millis(raw))));
    }
    match column.data_type() {
        DataType::Timestamp(TimeUnit::Millisecond, _) => {
            extend::<TimestampMillisecondType>(column, out, |raw| raw)
        }
        DataType::Timestamp(TimeUnit::Second, _) => {
            extend::<TimestampSecondType>(column, out, |raw| raw * 1_000)
        }
        DataType::Timestamp(TimeUnit::Microsecond, _) => {
            extend::<TimestampMicrosecondType>(column, out, |raw| raw.div_euclid(1_000))
        }
        DataType::Timestamp(TimeUnit::Nanosecond, _) => {
            extend::<TimestampNanosecondType>(column, out, |raw| raw.div_euclid(1_000_000))
        }
        other => {
            return Err(format!(
                "the timestamp column is {other}, expected a timestamp"
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use gauntlet_core::Bar;
    use proptest::prelude::*;

    fn series_strategy() -> impl Strategy<Value = BarSeries> {
        (
            0usize..60,
            -2_000_000_000_000i64..2_000_000_000_000,
            any::<bool>(),
            any::<bool>(),
        )
            .prop_flat_map(|(length, start, close_only, has_volume)| {
                (
                    prop::collection::vec(1i64..10_000_000_000, length),
                    prop::collection::vec(
                        (
                            1e-6f64..1e6,
                            0.0f64..1.0,
                            0.0f64..1.0,
                            0.0f64..1.0,
                            0.0f64..1e12,
                        ),
                        length,
                    ),
                    Just((start, close_only, has_volume)),
                )
            })
            .prop_map(|(steps, values, (start, close_only, has_volume))| {
                let mut time = start;
                let mut columns = BarColumns::with_capacity(steps.len());
                for (step, (low, open_share, close_share, high_extra, volume)) in
                    steps.into_iter().zip(values)
                {
                    time += step;
                    let high = low * (1.0 + high_extra);
                    // Clamped: rounding must not put the open or close outside [low, high].
                    let inside = |share: f64| (low + (high - low) * share).clamp(low, high);
                    columns.push(Bar {
                        timestamp: Timestamp(time),
                        open: inside(open_share),
                        high,
                        low,
                        close: inside(close_share),
                        volume: if has_volume { volume } else { 0.0 },
                    });
                }
                if close_only {
                    let volume = has_volume.then(|| columns.volume.clone());
                    BarSeries::close_only(columns.timestamps, columns.close, volume).unwrap()
                } else {
                    BarSeries::new(columns, has_volume).unwrap()
                }
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn parquet_round_trip_is_exact(series in series_strategy()) {
            let folder = tempfile::tempdir().unwrap();
            let path = folder.path().join("bars.parquet");
            let metadata = ParquetMetadata::from([("symbol".to_string(), "TEST".to_string())]);
            write_parquet(&path, &series, &metadata).unwrap();
            let (read_back, read_metadata) = read_parquet(&path).unwrap();
            // Exact: bit-for-bit equal f64 values and timestamps, same flags.
            prop_assert_eq!(&read_back, &series);
            prop_assert_eq!(read_metadata.get("symbol").map(String::as_str), Some("TEST"));
            prop_assert_eq!(
                read_metadata.get("price_fields").map(String::as_str),
                Some(series.price_fields().name())
            );
        }
    }

    #[test]
    fn the_same_bars_give_byte_identical_files() {
        let folder = tempfile::tempdir().unwrap();
        let series =
            BarSeries::close_only(vec![Timestamp(0), Timestamp(1)], vec![1.0, 2.0], None).unwrap();
        let metadata: ParquetMetadata = (0..20)
            .map(|key| (format!("key{key}"), format!("value{key}")))
            .collect();
        let mut files = Vec::new();
        for attempt in 0..5 {
            let path = folder.path().join(format!("bars{attempt}.parquet"));
            write_parquet(&path, &series, &metadata).unwrap();
            files.push(std::fs::read(&path).unwrap());
        }
        assert!(files.windows(2).all(|pair| pair[0] == pair[1]));
    }

    #[test]
    fn refuses_a_file_that_is_not_parquet() {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("fake.parquet");
        std::fs::write(&path, b"timestamp,close\n").unwrap();
        let error = read_parquet(&path).unwrap_err();
        assert!(
            error.to_string().contains("not a readable Parquet file"),
            "{error}"
        );
    }
}
