//! Bars from an in-memory Arrow table: a pandas or polars DataFrame handed over through the Arrow C
//! data interface (the Python package), or any other Arrow producer; and bars back as an Arrow
//! record batch.
//!
//! The columns are found by name as in CSV import (case, spaces, `_` and `-` ignored): the time
//! column is `ts`, `timestamp`, `datetime`, `date`, `time`, `open_time` or `index`, else the only
//! column of a time type; prices are `open`, `high`, `low`, `close` (all four, or `close` alone for
//! a close-only series); `volume` (or `vol`) is optional. Other columns (`Adj Close`, `Dividends`)
//! are ignored.

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Date32Type, Date64Type, Float32Type, Float64Type, Int8Type, Int16Type, Int32Type, Int64Type,
    TimestampMicrosecondType, TimestampMillisecondType, TimestampNanosecondType,
    TimestampSecondType, UInt8Type, UInt16Type, UInt32Type, UInt64Type,
};
use arrow_array::{Array, ArrayRef, Float64Array, RecordBatch, TimestampMillisecondArray};
use arrow_schema::{DataType, Field, Schema, TimeUnit};
use gauntlet_core::{BarColumns, BarSeries, PLAUSIBLE_YEARS, PriceFields, Timestamp};

use crate::column_names::normalise;
use crate::error::DataError;
use crate::timestamp::EpochUnit;

/// The most rows a frame may have (100 million bars: a century of minute bars of a 24-hour
/// market is 53 million), checked before any column is copied.
pub const MAX_FRAME_ROWS: usize = 100_000_000;

/// Names of the time column, normalised ([`normalise`]), in order of preference.
const TIME_NAMES: [&str; 7] = [
    "ts",
    "timestamp",
    "datetime",
    "date",
    "time",
    "opentime",
    "index",
];

/// The bars of an Arrow table (`schema` and its `batches`) named `frame` in messages (`"frame"`,
/// `"frame 'AAPL'"`).
///
/// Time columns may be any timestamp unit (a time zone or none: the instants are taken as UTC,
/// so a naive pandas index reads as UTC), `date32`/`date64` (00:00 UTC), or integers since the
/// epoch (seconds, milliseconds, microseconds or nanoseconds, told from the first value's
/// magnitude as in CSV import). Prices and volume may be any integer or float type and become
/// `f64`.
///
/// # Errors
/// [`DataError::Frame`] naming the column (and row) when the frame has no rows or more than
/// [`MAX_FRAME_ROWS`], when no time or close column is found, when a column is named twice, when
/// only some of open/high/low are there, when a column has a type other than numbers (or times),
/// a null (pandas writes `NaN` as null) or a time outside the years 1900-2200;
/// [`DataError::Core`] naming the bar (row and time) that fails the bar checks (a NaN or negative
/// price, high below low) or whose time is not after the previous row's (unsorted or duplicate).
pub fn series_from_frame(
    frame: &str,
    schema: &Schema,
    batches: &[RecordBatch],
) -> Result<BarSeries, DataError> {
    let error = |column: Option<&str>, message: String| DataError::Frame {
        frame: frame.to_string(),
        column: column.map(str::to_string),
        message,
    };
    let rows: usize = batches.iter().map(RecordBatch::num_rows).sum();
    if rows == 0 {
        return Err(error(None, "has no rows".into()));
    }
    if rows > MAX_FRAME_ROWS {
        return Err(error(
            None,
            format!("has {rows} rows, more than the {MAX_FRAME_ROWS} accepted"),
        ));
    }
    let names: Vec<&str> = schema
        .fields()
        .iter()
        .map(|field| field.name().as_str())
        .collect();
    let normalised: Vec<String> = names.iter().map(|name| normalise(name)).collect();
    let find = |candidates: &[&str]| -> Option<usize> {
        candidates
            .iter()
            .find_map(|candidate| normalised.iter().position(|name| name == candidate))
    };
    let wanted: Vec<&str> = TIME_NAMES
        .iter()
        .chain(&["open", "high", "low", "close", "volume", "vol"])
        .copied()
        .collect();
    for (second, name) in normalised.iter().enumerate() {
        if wanted.contains(&name.as_str())
            && let Some(first) = normalised[..second].iter().position(|other| other == name)
        {
            return Err(error(
                Some(names[second]),
                format!(
                    "columns '{}' and '{}' both read as {name}; drop or rename one",
                    names[first], names[second]
                ),
            ));
        }
    }
    let listing = || names.join(", ");
    let time_index = match find(&TIME_NAMES) {
        Some(index) => index,
        None => {
            let temporal: Vec<usize> = (0..names.len())
                .filter(|&index| {
                    matches!(
                        schema.field(index).data_type(),
                        DataType::Timestamp(..) | DataType::Date32 | DataType::Date64
                    )
                })
                .collect();
            match temporal.as_slice() {
                [only] => *only,
                _ => {
                    return Err(error(
                        None,
                        format!(
                            "has no time column (ts, timestamp, datetime, date or time, or a \
                             DatetimeIndex); its columns: {}",
                            listing()
                        ),
                    ));
                }
            }
        }
    };
    let time_name = names[time_index];
    let mut timestamps = Vec::with_capacity(rows);
    let mut epoch_unit = None;
    for batch in batches {
        append_times(
            batch.column(time_index).as_ref(),
            rows_before(&timestamps),
            &mut epoch_unit,
            &mut timestamps,
        )
        .map_err(|message| error(Some(time_name), message))?;
    }
    let price = |field: &str| -> Result<Option<Vec<f64>>, DataError> {
        let candidates: &[&str] = match field {
            "volume" => &["volume", "vol"],
            other => &[other][..],
        };
        let Some(index) = find(candidates) else {
            return Ok(None);
        };
        let name = names[index];
        let mut values = Vec::with_capacity(rows);
        for batch in batches {
            append_numbers(batch.column(index).as_ref(), &mut values)
                .map_err(|message| error(Some(name), with_time(message, &values, &timestamps)))?;
        }
        // NaN and infinities named by column here (a close-only series copies the close into
        // open, high and low, so the bar check would name the open).
        if let Some(row) = values.iter().position(|value| !value.is_finite()) {
            return Err(error(
                Some(name),
                format!("is {} at row {row} ({})", values[row], timestamps[row]),
            ));
        }
        Ok(Some(values))
    };
    let close = price("close")?.ok_or_else(|| {
        error(
            None,
            format!("has no close column; its columns: {}", listing()),
        )
    })?;
    let volume = price("volume")?;
    let (open, high, low) = (price("open")?, price("high")?, price("low")?);
    let context = || frame.to_string();
    let core = |source| DataError::Core {
        context: context(),
        source,
    };
    match (open, high, low) {
        (None, None, None) => BarSeries::close_only(timestamps, close, volume).map_err(core),
        (Some(open), Some(high), Some(low)) => {
            let has_volume = volume.is_some();
            let columns = BarColumns {
                volume: volume.unwrap_or_else(|| vec![0.0; close.len()]),
                timestamps,
                open,
                high,
                low,
                close,
            };
            BarSeries::new(columns, has_volume).map_err(core)
        }
        (open, high, low) => {
            let missing: Vec<&str> = [("open", open), ("high", high), ("low", low)]
                .into_iter()
                .filter(|(_, column)| column.is_none())
                .map(|(name, _)| name)
                .collect();
            Err(error(
                Some(missing[0]),
                format!(
                    "has some of open, high and low but not {} (give all four prices, or close \
                     alone); its columns: {}",
                    missing.join(" and "),
                    listing()
                ),
            ))
        }
    }
}

/// The row a batch starts at (for messages).
fn rows_before(timestamps: &[Timestamp]) -> usize {
    timestamps.len()
}

/// `message` about the row after `values`, with that row's time when known.
fn with_time(message: String, values: &[f64], timestamps: &[Timestamp]) -> String {
    match message.strip_prefix("null at row ") {
        Some(row) => {
            let row: usize = row.parse().unwrap_or(0) + values.len();
            let time = timestamps
                .get(row)
                .map(|time| format!(" ({time})"))
                .unwrap_or_default();
            format!("is null (NaN or missing) at row {row}{time}")
        }
        None => message,
    }
}

/// The first null of `column`, as `null at row N` (N within the column).
fn first_null(column: &dyn Array) -> Option<String> {
    (column.null_count() > 0)
        .then(|| (0..column.len()).find(|&row| column.is_null(row)))
        .flatten()
        .map(|row| format!("null at row {row}"))
}

/// Appends a numeric column of any integer or float type, as `f64`.
fn append_numbers(column: &dyn Array, out: &mut Vec<f64>) -> Result<(), String> {
    if let Some(null) = first_null(column) {
        return Err(null);
    }
    macro_rules! cast {
        ($($arrow:ty),*) => {
            match column.data_type() {
                DataType::Float64 => {
                    out.extend_from_slice(column.as_primitive::<Float64Type>().values());
                }
                $(ref data_type if **data_type == <$arrow as arrow_array::ArrowPrimitiveType>::DATA_TYPE => {
                    out.extend(column.as_primitive::<$arrow>().values().iter().map(|&value| value as f64));
                })*
                other => {
                    return Err(format!(
                        "is {other}, not numbers (convert it with astype(float), or drop it)"
                    ));
                }
            }
        };
    }
    cast!(
        Float32Type,
        Int8Type,
        Int16Type,
        Int32Type,
        Int64Type,
        UInt8Type,
        UInt16Type,
        UInt32Type,
        UInt64Type
    );
    Ok(())
}

/// Appends a time column (timestamps of any unit, dates, or epoch integers whose unit is told
/// from the first value and kept in `unit`) as milliseconds, each checked to lie in the years
/// 1900-2200; `offset` is the row the column starts at (for messages).
fn append_times(
    column: &dyn Array,
    offset: usize,
    unit: &mut Option<EpochUnit>,
    out: &mut Vec<Timestamp>,
) -> Result<(), String> {
    if let Some(row) = (0..column.len()).find(|&row| column.is_null(row)) {
        return Err(format!("is null (NaT or missing) at row {}", offset + row));
    }
    let (raw, scale): (Vec<i64>, Scale) = match column.data_type() {
        DataType::Timestamp(TimeUnit::Second, _) => (
            column
                .as_primitive::<TimestampSecondType>()
                .values()
                .to_vec(),
            Scale::Times(1_000),
        ),
        DataType::Timestamp(TimeUnit::Millisecond, _) => (
            column
                .as_primitive::<TimestampMillisecondType>()
                .values()
                .to_vec(),
            Scale::Times(1),
        ),
        DataType::Timestamp(TimeUnit::Microsecond, _) => (
            column
                .as_primitive::<TimestampMicrosecondType>()
                .values()
                .to_vec(),
            Scale::Over(1_000),
        ),
        DataType::Timestamp(TimeUnit::Nanosecond, _) => (
            column
                .as_primitive::<TimestampNanosecondType>()
                .values()
                .to_vec(),
            Scale::Over(1_000_000),
        ),
        DataType::Date32 => (
            column
                .as_primitive::<Date32Type>()
                .values()
                .iter()
                .map(|&days| i64::from(days))
                .collect(),
            Scale::Times(86_400_000),
        ),
        DataType::Date64 => (
            column.as_primitive::<Date64Type>().values().to_vec(),
            Scale::Times(1),
        ),
        DataType::Int64 | DataType::Int32 | DataType::UInt32 | DataType::UInt64 => {
            let mut values = Vec::with_capacity(column.len());
            match column.data_type() {
                DataType::Int64 => {
                    values.extend_from_slice(column.as_primitive::<Int64Type>().values())
                }
                DataType::Int32 => values.extend(
                    column
                        .as_primitive::<Int32Type>()
                        .values()
                        .iter()
                        .map(|&value| i64::from(value)),
                ),
                DataType::UInt32 => values.extend(
                    column
                        .as_primitive::<UInt32Type>()
                        .values()
                        .iter()
                        .map(|&value| i64::from(value)),
                ),
                _ => values.extend(
                    column
                        .as_primitive::<UInt64Type>()
                        .values()
                        .iter()
                        .map(|&value| i64::try_from(value).unwrap_or(i64::MAX)),
                ),
            }
            let first = values.first().copied().unwrap_or(0);
            let epoch = match unit {
                Some(unit) => *unit,
                None => *unit.insert(EpochUnit::of_magnitude(first).ok_or_else(|| {
                    format!(
                        "holds integers, read as times since the epoch, but {first} is no time in \
                         the years {PLAUSIBLE_YEARS} in any unit (s, ms, us, ns)"
                    )
                })?),
            };
            let scale = match epoch {
                EpochUnit::Seconds => Scale::Times(1_000),
                EpochUnit::Milliseconds => Scale::Times(1),
                EpochUnit::Microseconds => Scale::Over(1_000),
                EpochUnit::Nanoseconds => Scale::Over(1_000_000),
            };
            (values, scale)
        }
        other => {
            return Err(format!(
                "is {other}, not times (give datetimes, e.g. pd.to_datetime(..., utc=True), or \
                 integers since the epoch)"
            ));
        }
    };
    for (row, value) in raw.into_iter().enumerate() {
        let millis = match scale {
            Scale::Times(factor) => value.checked_mul(factor),
            Scale::Over(divisor) => Some(value.div_euclid(divisor)),
        }
        .map(Timestamp)
        .filter(|time| time.is_plausible())
        .ok_or_else(|| {
            format!(
                "row {}: {value} is no time in the years {PLAUSIBLE_YEARS}",
                offset + row
            )
        })?;
        out.push(millis);
    }
    Ok(())
}

/// How raw time values become milliseconds.
#[derive(Clone, Copy)]
enum Scale {
    /// Multiplied by a factor (seconds, days).
    Times(i64),
    /// Divided, rounding down (microseconds, nanoseconds).
    Over(i64),
}

/// The Arrow schema of [`series_batch`]: `ts` timestamp[ms, tz=UTC] (bar open time), `open`,
/// `high`, `low`, `close`, `volume` float64 (nullable: a close-only series has null open, high
/// and low; a series without volume has null volume).
pub fn series_schema() -> Schema {
    Schema::new(vec![
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
    ])
}

/// `series` as one record batch of [`series_schema`] with `metadata` on the schema.
///
/// # Errors
/// [`DataError::Frame`] when Arrow refuses the batch (it cannot for a checked series).
pub fn series_batch(
    series: &BarSeries,
    metadata: std::collections::HashMap<String, String>,
) -> Result<RecordBatch, DataError> {
    let schema = Arc::new(series_schema().with_metadata(metadata));
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
    RecordBatch::try_new(
        schema,
        vec![
            Arc::new(TimestampMillisecondArray::from(timestamps).with_timezone("UTC")),
            price(series.open(), close_only),
            price(series.high(), close_only),
            price(series.low(), close_only),
            price(series.close(), false),
            price(series.volume(), !series.has_volume()),
        ],
    )
    .map_err(|error| DataError::Frame {
        frame: "bars".into(),
        column: None,
        message: error.to_string(),
    })
}

/// A time-indexed table as one record batch: a `ts` timestamp[ms, UTC] column and float64
/// columns (equity curves, returns), with `metadata` on the schema.
///
/// # Errors
/// A message naming the column whose length differs from the timestamps'.
pub fn time_batch(
    timestamps: &[Timestamp],
    columns: &[(&str, &[f64])],
    metadata: &std::collections::BTreeMap<String, String>,
) -> Result<RecordBatch, String> {
    let mut fields = vec![Field::new(
        "ts",
        DataType::Timestamp(TimeUnit::Millisecond, Some("UTC".into())),
        false,
    )];
    let millis: Vec<i64> = timestamps.iter().map(|time| time.millis()).collect();
    let mut arrays: Vec<ArrayRef> = vec![Arc::new(
        TimestampMillisecondArray::from(millis).with_timezone("UTC"),
    )];
    for (name, values) in columns {
        if values.len() != timestamps.len() {
            return Err(format!(
                "column {name} has {} values for {} timestamps",
                values.len(),
                timestamps.len()
            ));
        }
        fields.push(Field::new(*name, DataType::Float64, false));
        arrays.push(Arc::new(Float64Array::from(values.to_vec())));
    }
    let schema = Arc::new(Schema::new_with_metadata(
        fields,
        metadata
            .clone()
            .into_iter()
            .collect::<std::collections::HashMap<_, _>>(),
    ));
    RecordBatch::try_new(schema, arrays).map_err(|error| error.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::{Int64Array, StringArray, TimestampNanosecondArray};

    const DAY: i64 = 86_400_000;

    fn batch(columns: Vec<(&str, ArrayRef)>) -> (Schema, Vec<RecordBatch>) {
        let batch = RecordBatch::try_from_iter(columns).unwrap();
        ((*batch.schema()).clone(), vec![batch])
    }

    fn floats(values: &[f64]) -> ArrayRef {
        Arc::new(Float64Array::from(values.to_vec()))
    }

    #[test]
    fn a_yfinance_shaped_frame_reads_with_nanosecond_times_and_integer_volume() {
        // 2020-01-02 and 2020-01-03 00:00 UTC in nanoseconds, as pandas stores them.
        let nanos = [18_263 * DAY * 1_000_000, 18_264 * DAY * 1_000_000];
        let (schema, batches) = batch(vec![
            (
                "Date",
                Arc::new(TimestampNanosecondArray::from(nanos.to_vec()).with_timezone("UTC")),
            ),
            ("Open", floats(&[10.0, 11.0])),
            ("High", floats(&[11.0, 12.0])),
            ("Low", floats(&[9.0, 10.0])),
            ("Close", floats(&[10.5, 11.5])),
            ("Adj Close", floats(&[10.4, 11.4])),
            ("Volume", Arc::new(Int64Array::from(vec![100, 200]))),
        ]);
        let series = series_from_frame("frame", &schema, &batches).unwrap();
        assert_eq!(
            series.timestamps(),
            &[Timestamp(18_263 * DAY), Timestamp(18_264 * DAY)]
        );
        assert_eq!(series.close(), &[10.5, 11.5]);
        assert_eq!(series.volume(), &[100.0, 200.0]);
        assert!(series.has_volume());
    }

    #[test]
    fn ccxt_millisecond_integers_and_close_only_frames_read() {
        let (schema, batches) = batch(vec![
            (
                "timestamp",
                Arc::new(Int64Array::from(vec![1_577_836_800_000, 1_577_923_200_000])),
            ),
            ("close", floats(&[7200.0, 6985.5])),
        ]);
        let series = series_from_frame("frame", &schema, &batches).unwrap();
        assert_eq!(series.timestamps()[0], Timestamp(1_577_836_800_000));
        assert_eq!(series.price_fields(), PriceFields::CloseOnly);
        assert!(!series.has_volume());
    }

    #[test]
    fn bad_frames_name_the_column_or_row() {
        // 2020-01-01, -02 and -03 in epoch milliseconds, as ccxt gives them.
        let start = 1_577_836_800_000_i64;
        let times = || -> ArrayRef {
            Arc::new(Int64Array::from(vec![start, start + DAY, start + 2 * DAY]))
        };
        let message = |columns: Vec<(&str, ArrayRef)>| {
            let (schema, batches) = batch(columns);
            series_from_frame("frame 'X'", &schema, &batches)
                .unwrap_err()
                .to_string()
        };
        let null_close: ArrayRef = Arc::new(Float64Array::from(vec![Some(1.0), None, Some(1.0)]));
        let text = message(vec![("ts", times()), ("close", null_close)]);
        assert!(
            text.contains("column 'close'") && text.contains("row 1"),
            "{text}"
        );
        let text = message(vec![
            ("ts", times()),
            ("close", floats(&[1.0, f64::NAN, 1.0])),
        ]);
        assert!(text.contains("column 'close': is NaN at row 1"), "{text}");
        let text = message(vec![("ts", times()), ("price", floats(&[1.0, 2.0, 3.0]))]);
        assert!(text.contains("no close column"), "{text}");
        let strings: ArrayRef = Arc::new(StringArray::from(vec!["1", "2", "3"]));
        let text = message(vec![("ts", times()), ("close", strings)]);
        assert!(
            text.contains("column 'close'") && text.contains("not numbers"),
            "{text}"
        );
        let unsorted: ArrayRef = Arc::new(Int64Array::from(vec![
            start + 2 * DAY,
            start + DAY,
            start + 3 * DAY,
        ]));
        let text = message(vec![("ts", unsorted), ("close", floats(&[1.0, 2.0, 3.0]))]);
        assert!(
            text.contains("bar 1") && text.contains("not after"),
            "{text}"
        );
        let text = message(vec![
            ("ts", times()),
            ("close", floats(&[1.0, 2.0, 3.0])),
            ("open", floats(&[1.0, 2.0, 3.0])),
        ]);
        assert!(text.contains("not high and low"), "{text}");
        let text = message(vec![
            ("ts", times()),
            ("Close", floats(&[1.0, 2.0, 3.0])),
            ("close", floats(&[1.0, 2.0, 3.0])),
        ]);
        assert!(text.contains("both read as close"), "{text}");
        let (schema, _) = batch(vec![("ts", times()), ("close", floats(&[1.0, 2.0, 3.0]))]);
        let text = series_from_frame("frame", &schema, &[])
            .unwrap_err()
            .to_string();
        assert!(text.contains("no rows"), "{text}");
    }

    #[test]
    fn a_series_goes_out_and_comes_back_unchanged() {
        let columns = BarColumns {
            timestamps: vec![Timestamp(0), Timestamp(DAY)],
            open: vec![1.0, 2.0],
            high: vec![2.0, 3.0],
            low: vec![0.5, 1.5],
            close: vec![1.5, 2.5],
            volume: vec![10.0, 20.0],
        };
        let series = BarSeries::new(columns, true).unwrap();
        let batch = series_batch(&series, Default::default()).unwrap();
        let back = series_from_frame("frame", &batch.schema(), &[batch]).unwrap();
        assert_eq!(back, series);
    }
}
