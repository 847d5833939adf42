//! CSV import (plain or gzip): layout detection, timestamp formats, missing-price rows, bad-row policy.
//!
//! Column names are matched case-insensitively, ignoring spaces, `_`, `-` and `<>`:
//! timestamp (`timestamp`, `datetime`, `date`, `time`, `gmt time`, `local time`, `ts`; a separate `date`
//! and `time` pair is joined), `open`, `high`, `low`, `close` (or `last`, `price`), `adj close`,
//! `volume` (or `vol`, `tick volume`). Columns may come in any order; other columns are ignored.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

use csv::{ByteRecord, ReaderBuilder, Trim};
use gauntlet_core::{
    BarColumns, BarField, BarProblem, BarSeries, PriceFields, Timestamp, check_bar_values,
};

use crate::column_names::normalise;
use crate::error::{BadRowKind, DataError};
use crate::import_report::{CsvLayout, ImportOptions, ImportReport, ImportedCsv, SkippedRows};
use crate::timestamp::{RawTime, TimestampFormat};

mod times;

/// `text` as a message shows it: control characters escaped (a NUL would otherwise vanish on the
/// terminal) and at most `limit` characters (a 50 MB field must not become a 50 MB error line).
pub(crate) fn shown(text: &str, limit: usize) -> String {
    let mut shown = String::new();
    for (count, character) in text.chars().enumerate() {
        if count == limit {
            shown.push_str(&format!("... ({} bytes in all)", text.len()));
            break;
        }
        if character.is_control() {
            shown.extend(character.escape_debug());
        } else {
            shown.push(character);
        }
    }
    shown
}

/// The longest message about one row, characters (with its values cut to fit).
const MESSAGE_CHARACTERS: usize = 300;

/// Whether a field marks a missing value (`null` rows of Yahoo, `.` of FRED, empty, `NA`).
/// `NaN` is not a missing marker: it is a bad number.
fn is_missing(text: &str) -> bool {
    ["", "null", "none", ".", "na", "n/a", "#n/a", "-"]
        .iter()
        .any(|marker| text.eq_ignore_ascii_case(marker))
}

/// Where each needed field is in a row.
struct ColumnMap {
    names: Vec<String>,
    time: usize,
    /// A separate time-of-day column joined to the date column.
    time_of_day: Option<usize>,
    open: Option<usize>,
    high: Option<usize>,
    low: Option<usize>,
    close: usize,
    adjusted_close: Option<usize>,
    volume: Option<usize>,
}

/// A problem with one row, before it is given the file and line.
struct RowProblem {
    column: Option<String>,
    kind: BadRowKind,
    message: String,
}

impl RowProblem {
    fn new(column: Option<&str>, kind: BadRowKind, message: String) -> Self {
        Self {
            column: column.map(str::to_string),
            kind,
            message,
        }
    }
}

/// The import in progress: its settings, the rows read so far and what they told.
///
/// Both readers feed it the same way: [`Importer::begin`] with the header's column names, then
/// [`Importer::push`] for each row (a CSV record, or a JSON candle laid out as one), then
/// [`Importer::finish`]; so every rule applies to CSV and JSON alike.
pub(crate) struct Importer<'a> {
    path: &'a Path,
    options: &'a ImportOptions,
    gzip: bool,
    skipped: BTreeMap<BadRowKind, SkippedRows>,
    rows_without_prices: SkippedRows,
    notices: Vec<String>,
    /// The layout and the columns, once the header is read.
    table: Option<(CsvLayout, ColumnMap)>,
    rows: Rows,
    detected: Option<DetectedFormat>,
    data_rows: usize,
    /// The times read are the bars' close times (JSON candles with only a `closeTime`): each is
    /// moved back to its bar's open once the spacing is known.
    pub(crate) times_at_close: bool,
    /// The header is Gauntlet's own (JSON candles laid out as rows): the column flags already
    /// chose the candles' keys, so they are not looked for among its names.
    pub(crate) canonical_header: bool,
}

/// Rows read so far, column by column, with their line numbers.
#[derive(Default)]
struct Rows {
    lines: Vec<u64>,
    times: Vec<RawTime>,
    open: Vec<f64>,
    high: Vec<f64>,
    low: Vec<f64>,
    close: Vec<f64>,
    volume: Vec<f64>,
}

/// The timestamp format of a file, fixed by its first readable timestamp.
#[derive(Clone, Copy)]
struct DetectedFormat {
    format: TimestampFormat,
    line: u64,
}

impl<'a> Importer<'a> {
    pub(crate) fn new(path: &'a Path, options: &'a ImportOptions, gzip: bool) -> Self {
        Self {
            path,
            options,
            gzip,
            skipped: BTreeMap::new(),
            rows_without_prices: SkippedRows::default(),
            notices: Vec::new(),
            table: None,
            rows: Rows::default(),
            detected: None,
            data_rows: 0,
            times_at_close: false,
            canonical_header: false,
        }
    }

    pub(crate) fn path(&self) -> &Path {
        self.path
    }

    pub(crate) fn options(&self) -> &ImportOptions {
        self.options
    }

    fn read_error(&self, error: csv::Error, last_line: u64) -> DataError {
        let line = error
            .position()
            .map(csv::Position::line)
            .unwrap_or(last_line);
        match error.into_kind() {
            csv::ErrorKind::Io(source) if self.gzip => DataError::Gzip {
                path: self.path.to_path_buf(),
                line: last_line,
                message: source.to_string(),
            },
            csv::ErrorKind::Io(source) => DataError::Io {
                path: self.path.to_path_buf(),
                source,
            },
            other => DataError::BadRow {
                path: self.path.to_path_buf(),
                line,
                column: None,
                kind: BadRowKind::InvalidText,
                message: format!("{other:?}"),
            },
        }
    }

    /// Records a bad row: an error unless skipping, in which case it is counted.
    fn bad_row(&mut self, line: u64, problem: RowProblem) -> Result<(), DataError> {
        if self.options.skip_bad_rows {
            self.skipped.entry(problem.kind).or_default().add(line);
            Ok(())
        } else {
            Err(DataError::BadRow {
                path: self.path.to_path_buf(),
                line,
                column: problem.column.map(|column| shown(&column, 80)),
                kind: problem.kind,
                message: shown(&problem.message, MESSAGE_CHARACTERS),
            })
        }
    }

    /// A row that does not fit the header's columns: a bad row of `kind` (counted as a data row).
    pub(crate) fn misshapen_row(
        &mut self,
        line: u64,
        kind: BadRowKind,
        message: String,
    ) -> Result<(), DataError> {
        self.data_rows += 1;
        self.bad_row(line, RowProblem::new(None, kind, message))
    }

    /// Reads a CSV: the header, then every record.
    pub(crate) fn read_csv(mut self, reader: Box<dyn Read>) -> Result<ImportedCsv, DataError> {
        let mut csv_reader = ReaderBuilder::new()
            .flexible(true)
            .trim(Trim::All)
            .delimiter(self.options.separator.unwrap_or(b','))
            .from_reader(reader);
        let header_names: Vec<String> = match csv_reader.byte_headers() {
            Ok(headers) => headers
                .iter()
                .map(|name| {
                    String::from_utf8_lossy(name)
                        .trim_start_matches('\u{feff}')
                        .to_string()
                })
                .collect(),
            Err(error) => return Err(self.read_error(error, 0)),
        };
        if header_names.iter().all(|name| name.trim().is_empty()) {
            return Err(DataError::EmptyFile {
                path: self.path.to_path_buf(),
            });
        }
        self.begin(header_names)?;
        let mut record = ByteRecord::new();
        let mut last_line = 1u64;
        loop {
            match csv_reader.read_byte_record(&mut record) {
                Ok(true) => {}
                Ok(false) => break,
                Err(error) => return Err(self.read_error(error, last_line)),
            }
            let line = record.position().map_or(last_line + 1, csv::Position::line);
            last_line = line;
            self.push(&record, line)?;
        }
        self.finish()
    }

    /// Maps the header's column names to the fields (see [`Importer::map_columns`]).
    pub(crate) fn begin(&mut self, header_names: Vec<String>) -> Result<(), DataError> {
        let table = self.map_columns(header_names)?;
        self.table = Some(table);
        Ok(())
    }

    /// Reads one data row (`line` numbers it in messages): kept, dropped as a row without prices,
    /// or bad (an error unless skipping bad rows).
    pub(crate) fn push(&mut self, record: &ByteRecord, line: u64) -> Result<(), DataError> {
        self.data_rows += 1;
        let mut detected = self.detected.take();
        let (layout, columns) = self.table.as_ref().expect("begin() read the header");
        let parsed = self.parse_row(record, columns, *layout, &mut detected, line);
        self.detected = detected;
        match parsed {
            Ok(Some((time, [open, high, low, close, volume]))) => {
                let rows = &mut self.rows;
                rows.lines.push(line);
                rows.times.push(time);
                rows.open.push(open);
                rows.high.push(high);
                rows.low.push(low);
                rows.close.push(close);
                rows.volume.push(volume);
                Ok(())
            }
            Ok(None) => {
                self.rows_without_prices.add(line);
                Ok(())
            }
            Err(problem) => self.bad_row(line, problem),
        }
    }

    /// The rows read, resolved, ordered and checked as one series, with the report.
    pub(crate) fn finish(mut self) -> Result<ImportedCsv, DataError> {
        let (layout, columns) = self.table.take().ok_or_else(|| DataError::NoDataRows {
            path: self.path.to_path_buf(),
        })?;
        let data_rows = self.data_rows;
        let mut rows = std::mem::take(&mut self.rows);
        let price_fields = if layout == CsvLayout::CloseOnly {
            PriceFields::CloseOnly
        } else {
            PriceFields::Ohlc
        };
        if data_rows == 0 || (rows.lines.is_empty() && self.skipped.is_empty()) {
            return Err(DataError::NoDataRows {
                path: self.path.to_path_buf(),
            });
        }
        if rows.lines.is_empty() {
            return Err(DataError::AllRowsBad {
                path: self.path.to_path_buf(),
                rows: data_rows,
            });
        }
        let detected = self
            .detected
            .expect("a kept row fixed the timestamp format");
        // An OHLC file with dd.mm.yyyy timestamps is a MetaTrader / Dukascopy export.
        let layout = if self.options.layout.is_none()
            && layout == CsvLayout::Generic
            && detected.format == TimestampFormat::DayMonthYearDots
        {
            CsvLayout::MetaTrader
        } else {
            layout
        };
        let (timestamp_format, millis) = self.resolve_times(&mut rows, detected)?;
        let reversed = self.order_rows(&mut rows, millis)?;
        if rows.lines.is_empty() {
            return Err(DataError::AllRowsBad {
                path: self.path.to_path_buf(),
                rows: data_rows,
            });
        }
        let bars = rows.lines.len();
        let series_columns = BarColumns {
            timestamps: rows.times_as_timestamps(),
            open: rows.open,
            high: rows.high,
            low: rows.low,
            close: rows.close,
            volume: rows.volume,
        };
        let series = BarSeries::from_parts(series_columns, price_fields, columns.volume.is_some())
            .map_err(|source| DataError::Core {
                context: self.path.display().to_string(),
                source,
            })?;
        if self.rows_without_prices.count > 0 {
            self.notices.push(format!(
                "dropped {} rows without prices (market holidays), first on lines {:?}",
                self.rows_without_prices.count, self.rows_without_prices.first_lines
            ));
        }
        if reversed {
            self.notices.push(
                "the file was in descending time order; bars were reversed to ascending".into(),
            );
        }
        Ok(ImportedCsv {
            series,
            report: ImportReport {
                source: self.path.to_path_buf(),
                gzip: self.gzip,
                layout,
                timestamp_format,
                price_fields,
                close_column: columns.names[columns.close].clone(),
                has_volume: columns.volume.is_some(),
                data_rows,
                bars,
                rows_without_prices: self.rows_without_prices,
                skipped: self.skipped,
                reversed,
                adjusted: self.options.adjust,
                notices: self.notices,
            },
        })
    }

    /// The error for a header without a timestamp column; a header read as one column that holds
    /// another separator names it (a `;`-separated European CSV, a tab-separated export).
    fn no_timestamp_column(&self, names: &[String]) -> DataError {
        let separator = self.options.separator.unwrap_or(b',');
        if let [only] = names {
            for (candidate, name) in [(b';', "';'"), (b'\t', "tab"), (b'|', "'|'"), (b',', "','")] {
                if candidate != separator && only.as_bytes().contains(&candidate) {
                    let flag = if candidate == b'\t' {
                        "'\\t'".to_string()
                    } else {
                        name.to_string()
                    };
                    return DataError::Header {
                        path: self.path.to_path_buf(),
                        message: format!(
                            "no timestamp column: the header is one column '{}'; the file looks \
                             {name}-separated: read it with --sep {flag}{}",
                            shown(only, 80),
                            if candidate == b';' {
                                " (and --decimal-comma when prices are written 1,5)"
                            } else {
                                ""
                            }
                        ),
                    };
                }
            }
        }
        DataError::MissingColumn {
            path: self.path.to_path_buf(),
            column: "timestamp (timestamp, date, time or datetime)".into(),
            found: shown(&names.join(", "), MESSAGE_CHARACTERS),
        }
    }

    /// Finds the needed columns and decides the layout.
    fn map_columns(&mut self, names: Vec<String>) -> Result<(CsvLayout, ColumnMap), DataError> {
        let normalised: Vec<String> = names.iter().map(|name| normalise(name)).collect();
        let find = |candidates: &[&str]| {
            candidates
                .iter()
                .find_map(|candidate| normalised.iter().position(|name| name == candidate))
        };
        let missing = |column: &str| DataError::MissingColumn {
            path: self.path.to_path_buf(),
            column: column.to_string(),
            found: shown(&names.join(", "), MESSAGE_CHARACTERS),
        };
        // A column named twice (`timestamp,close,close`): which one is meant cannot be guessed.
        for (second, name) in normalised.iter().enumerate() {
            if let Some(first) = normalised[..second]
                .iter()
                .position(|earlier| !name.is_empty() && earlier == name)
            {
                return Err(DataError::Header {
                    path: self.path.to_path_buf(),
                    message: format!(
                        "columns {} and {} are both named '{}'; rename one",
                        first + 1,
                        second + 1,
                        names[second].trim()
                    ),
                });
            }
        }
        // A column the user named (`--time-column`, ...), matched like the others.
        let canonical = self.canonical_header;
        let named = |requested: &Option<String>, flag: &str| -> Result<Option<usize>, DataError> {
            requested
                .as_ref()
                .filter(|_| !canonical)
                .map(|requested| {
                    normalised
                        .iter()
                        .position(|name| *name == normalise(requested))
                        .ok_or_else(|| missing(&format!("'{requested}' (asked for with {flag})")))
                })
                .transpose()
        };
        let options = self.options;
        let date_column = find(&["date"]);
        let time_column = find(&["time"]);
        // pandas' `DataFrame.to_csv()` writes a date index as an unnamed first column.
        let unnamed_first =
            (normalised.first().is_some_and(String::is_empty) && names.len() > 1).then_some(0);
        let requested_time = named(&options.time_column, "--time-column")?;
        let (time, time_of_day) = match (
            requested_time,
            find(&[
                "timestamp",
                "datetime",
                "gmttime",
                "localtime",
                "ts",
                "opentime",
            ]),
            date_column,
            time_column,
        ) {
            (Some(requested), ..) => (requested, None),
            (None, Some(timestamp), _, _) => (timestamp, None),
            (None, None, Some(date), Some(time)) => (date, Some(time)),
            (None, None, Some(date), None) => (date, None),
            (None, None, None, Some(time)) => (time, None),
            (None, None, None, None) => match unnamed_first {
                Some(first) => {
                    self.notices.push(
                        "read the unnamed first column (a pandas index) as the timestamp".into(),
                    );
                    (first, None)
                }
                None => return Err(self.no_timestamp_column(&names)),
            },
        };
        let open = named(&options.open_column, "--open-column")?.or_else(|| find(&["open"]));
        let high = named(&options.high_column, "--high-column")?.or_else(|| find(&["high"]));
        let low = named(&options.low_column, "--low-column")?.or_else(|| find(&["low"]));
        let adjusted_close = find(&["adjclose", "adjustedclose"]);
        let volume = named(&options.volume_column, "--volume-column")?
            .or_else(|| find(&["volume", "vol", "tickvolume", "tickvol"]));
        let named_close = match named(&options.close_column, "--close-column")? {
            Some(close) => Some(close),
            None => find(&["close", "last", "price"]),
        };
        let has_any_ohlc = open.is_some() || high.is_some() || low.is_some();
        let layout = match self.options.layout {
            Some(layout) => layout,
            None if adjusted_close.is_some() && has_any_ohlc => CsvLayout::Yahoo,
            None if has_any_ohlc => CsvLayout::Generic,
            None => CsvLayout::CloseOnly,
        };
        let close = match named_close {
            Some(close) => close,
            None if layout != CsvLayout::CloseOnly => return Err(missing("close")),
            None => {
                let used = [Some(time), time_of_day, volume, adjusted_close];
                let candidates: Vec<usize> = (0..names.len())
                    .filter(|index| !used.contains(&Some(*index)))
                    .collect();
                match candidates.as_slice() {
                    [only] => {
                        self.notices
                            .push(format!("read column '{}' as the close", names[*only]));
                        *only
                    }
                    [] => return Err(missing("close")),
                    several => {
                        let listed: Vec<&str> =
                            several.iter().map(|index| names[*index].as_str()).collect();
                        return Err(DataError::Header {
                            path: self.path.to_path_buf(),
                            message: format!(
                                "no close column, and several columns could be the close ({}); \
                                 choose one with --close-column",
                                listed.join(", ")
                            ),
                        });
                    }
                }
            }
        };
        if layout != CsvLayout::CloseOnly {
            for (column, name) in [(open, "open"), (high, "high"), (low, "low")] {
                if column.is_none() {
                    return Err(missing(name));
                }
            }
        }
        if layout == CsvLayout::Yahoo && adjusted_close.is_none() {
            return Err(missing("Adj Close (the yahoo layout needs it)"));
        }
        if self.options.adjust && (adjusted_close.is_none() || layout == CsvLayout::CloseOnly) {
            return Err(DataError::Header {
                path: self.path.to_path_buf(),
                message: "adjusting prices needs the Yahoo layout with Open, High, Low, Close and \
                          Adj Close columns"
                    .into(),
            });
        }
        Ok((
            layout,
            ColumnMap {
                names,
                time,
                time_of_day,
                open,
                high,
                low,
                close,
                adjusted_close,
                volume,
            },
        ))
    }

    /// Parses one row: `Ok(None)` for a row without any price, else time and `[o, h, l, c, v]`.
    fn parse_row(
        &self,
        record: &ByteRecord,
        columns: &ColumnMap,
        layout: CsvLayout,
        detected: &mut Option<DetectedFormat>,
        line: u64,
    ) -> Result<Option<(RawTime, [f64; 5])>, RowProblem> {
        if record.len() != columns.names.len() {
            return Err(RowProblem::new(
                None,
                BadRowKind::RaggedRow,
                format!(
                    "the row has {} fields but the header has {}",
                    record.len(),
                    columns.names.len()
                ),
            ));
        }
        let text = |index: usize| -> Result<&str, RowProblem> {
            std::str::from_utf8(&record[index]).map_err(|_| {
                RowProblem::new(
                    Some(&columns.names[index]),
                    BadRowKind::InvalidText,
                    "the field is not valid UTF-8 text".into(),
                )
            })
        };
        let decimal_comma = self.options.decimal_comma;
        let number = |index: usize| -> Result<Option<f64>, RowProblem> {
            let field = text(index)?;
            let not_a_number = |why: &str| {
                RowProblem::new(
                    Some(&columns.names[index]),
                    BadRowKind::NotANumber,
                    format!("'{field}' is not a number{why}"),
                )
            };
            let parsed = if decimal_comma {
                // With a decimal comma a '.' could only be a thousands separator (1.234,5), which
                // would be read wrong if taken as a decimal point: refused, never guessed.
                if field.contains('.') && !is_missing(field) {
                    return Err(not_a_number(
                        " with --decimal-comma (a '.' thousands separator? remove them)",
                    ));
                }
                field.replace(',', ".").parse::<f64>()
            } else {
                field.parse::<f64>()
            };
            match parsed {
                Ok(value) => Ok(Some(value)),
                Err(_) if is_missing(field) => Ok(None),
                Err(_) if !decimal_comma && field.contains(',') => Err(not_a_number(
                    " (a decimal comma? read the file with --decimal-comma)",
                )),
                Err(_) => Err(not_a_number("")),
            }
        };
        let close = number(columns.close)?;
        // Open, high, low and close (the close four times for close-only data).
        let price_columns: [(usize, Option<f64>); 4] =
            match (layout, columns.open, columns.high, columns.low) {
                (CsvLayout::CloseOnly, ..)
                | (_, None, _, _)
                | (_, _, None, _)
                | (_, _, _, None) => [(columns.close, close); 4],
                (_, Some(open), Some(high), Some(low)) => [
                    (open, number(open)?),
                    (high, number(high)?),
                    (low, number(low)?),
                    (columns.close, close),
                ],
            };
        if price_columns.iter().all(|(_, value)| value.is_none()) {
            return Ok(None);
        }
        if let Some((index, _)) = price_columns.iter().find(|(_, value)| value.is_none()) {
            return Err(RowProblem::new(
                Some(&columns.names[*index]),
                BadRowKind::MissingValue,
                format!(
                    "'{}' is missing while other prices of the row are present",
                    text(*index)?
                ),
            ));
        }
        let time = self.parse_time(columns, detected, line, &text)?;
        let close = close.expect("checked present");
        let [mut open, mut high, mut low] = match layout {
            CsvLayout::CloseOnly => [close; 3],
            _ => [
                price_columns[0].1.expect("present"),
                price_columns[1].1.expect("present"),
                price_columns[2].1.expect("present"),
            ],
        };
        let mut close = close;
        let mut volume = match columns.volume {
            Some(index) => number(index)?.ok_or_else(|| {
                RowProblem::new(
                    Some(&columns.names[index]),
                    BadRowKind::MissingValue,
                    "the volume is missing while the prices are present".into(),
                )
            })?,
            None => 0.0,
        };
        if self.options.adjust
            && let Some(index) = columns.adjusted_close
        {
            let adjusted = number(index)?.ok_or_else(|| {
                RowProblem::new(
                    Some(&columns.names[index]),
                    BadRowKind::MissingValue,
                    "Adj Close is missing, so the row cannot be adjusted".into(),
                )
            })?;
            let factor = adjusted / close;
            open *= factor;
            high *= factor;
            low *= factor;
            close = adjusted;
            volume /= factor;
        }
        check_bar_values(open, high, low, close, volume).map_err(|problem| {
            let field = problem.field();
            let index = match field {
                BarField::Open => columns.open,
                BarField::High => columns.high,
                BarField::Low => columns.low,
                BarField::Volume => columns.volume,
                BarField::Close | BarField::Timestamp => Some(columns.close),
            }
            .unwrap_or(columns.close);
            RowProblem::new(
                Some(&columns.names[index]),
                bad_row_kind(&problem),
                problem.to_string(),
            )
        })?;
        Ok(Some((time, [open, high, low, close, volume])))
    }
}

impl Rows {
    /// Keeps the rows marked in `keep`, and the matching entries of `millis`.
    fn retain(&mut self, keep: &[bool], millis: Vec<i64>) -> Vec<i64> {
        if keep.iter().all(|kept| *kept) {
            return millis;
        }
        fn filter<T: Copy>(values: &mut Vec<T>, keep: &[bool]) {
            let mut index = 0;
            values.retain(|_| {
                index += 1;
                keep[index - 1]
            });
        }
        filter(&mut self.lines, keep);
        filter(&mut self.times, keep);
        filter(&mut self.open, keep);
        filter(&mut self.high, keep);
        filter(&mut self.low, keep);
        filter(&mut self.close, keep);
        filter(&mut self.volume, keep);
        let mut millis = millis;
        filter(&mut millis, keep);
        millis
    }

    fn reverse(&mut self) {
        self.lines.reverse();
        self.times.reverse();
        self.open.reverse();
        self.high.reverse();
        self.low.reverse();
        self.close.reverse();
        self.volume.reverse();
    }

    fn times_as_timestamps(&self) -> Vec<Timestamp> {
        self.times
            .iter()
            .map(|time| match time {
                RawTime::Millis(millis) => Timestamp(*millis),
                RawTime::Slash { .. } => unreachable!("slash dates are resolved before ordering"),
            })
            .collect()
    }
}

fn bad_row_kind(problem: &BarProblem) -> BadRowKind {
    match problem {
        BarProblem::NotFinite { .. } => BadRowKind::NotFinite,
        BarProblem::NotPositive { .. } => BadRowKind::NotPositive,
        BarProblem::NegativeVolume { .. } => BadRowKind::NegativeVolume,
        BarProblem::Absurd { .. } => BadRowKind::AbsurdValue,
        BarProblem::HighBelowLow { .. } => BadRowKind::HighBelowLow,
        BarProblem::HighBelowBody { .. } => BadRowKind::HighBelowOpenOrClose,
        BarProblem::LowAboveBody { .. } => BadRowKind::LowAboveOpenOrClose,
    }
}

#[cfg(test)]
mod tests {
    use super::shown;

    #[test]
    fn messages_escape_control_characters_and_cut_long_values() {
        assert_eq!(shown("10\u{0}", 10), "10\\0");
        assert_eq!(shown(&"x".repeat(50), 5), "xxxxx... (50 bytes in all)");
    }
}
