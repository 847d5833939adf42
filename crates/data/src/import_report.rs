//! What an import is asked to do and what it reports: [`CsvLayout`], [`ImportOptions`],
//! [`ImportReport`], [`ImportedCsv`].

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

use gauntlet_core::{BarSeries, PriceFields};
use serde::Serialize;

use crate::column_names::normalise;
use crate::error::{BadRowKind, DataError};
use crate::timestamp::TimestampFormat;

/// How many line numbers of each kind of skipped row an [`ImportReport`] keeps.
pub(crate) const LINES_KEPT_PER_KIND: usize = 10;

/// The CSV layouts Gauntlet reads. Detected from the header and the first timestamp unless given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CsvLayout {
    /// A timestamp column and `open`, `high`, `low`, `close` (and optionally `volume`), in any order.
    Generic,
    /// A timestamp and one price column (`close`, or the only other column, or `--close-column`).
    CloseOnly,
    /// Yahoo Finance: `Date,Open,High,Low,Close,Adj Close,Volume`, with `null` rows on holidays.
    /// Prices are taken as they are unless `adjust` is set.
    Yahoo,
    /// MetaTrader / Dukascopy export: OHLC(V) with `dd.mm.yyyy HH:MM:SS.fff` timestamps (read as UTC).
    MetaTrader,
}

impl CsvLayout {
    /// The name used on the command line (`generic`, `close-only`, `yahoo`, `metatrader`).
    pub fn name(self) -> &'static str {
        match self {
            Self::Generic => "generic",
            Self::CloseOnly => "close-only",
            Self::Yahoo => "yahoo",
            Self::MetaTrader => "metatrader",
        }
    }
}

impl fmt::Display for CsvLayout {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.name())
    }
}

impl FromStr for CsvLayout {
    type Err = DataError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match normalise(text).as_str() {
            "generic" | "ohlcv" | "ohlc" => Ok(Self::Generic),
            "closeonly" | "close" => Ok(Self::CloseOnly),
            "yahoo" => Ok(Self::Yahoo),
            "metatrader" | "dukascopy" | "mt4" | "mt5" => Ok(Self::MetaTrader),
            _ => Err(DataError::InvalidField {
                field: "format".into(),
                message: format!(
                    "'{text}' is not a CSV layout; expected generic, close-only, yahoo or metatrader"
                ),
            }),
        }
    }
}

/// Options of [`crate::import_csv`].
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// The layout to read; `None` detects it from the header and the first timestamp.
    pub layout: Option<CsvLayout>,
    /// Skip bad rows (counted by kind in the report) instead of refusing the file at the first one.
    pub skip_bad_rows: bool,
    /// Yahoo layout only: multiply open, high, low and close by `Adj Close / Close` and divide the volume
    /// by the same factor (split and dividend adjustment, as Yahoo's own adjusted series).
    pub adjust: bool,
    /// The column to read as the close (matched like other column names), overriding detection.
    /// For JSON candles (objects), the key.
    pub close_column: Option<String>,
    /// The column (JSON key) to read as the timestamp, overriding detection.
    pub time_column: Option<String>,
    /// The column (JSON key) to read as the open, overriding detection.
    pub open_column: Option<String>,
    /// The column (JSON key) to read as the high, overriding detection.
    pub high_column: Option<String>,
    /// The column (JSON key) to read as the low, overriding detection.
    pub low_column: Option<String>,
    /// The column (JSON key) to read as the volume, overriding detection.
    pub volume_column: Option<String>,
    /// The field separator of a CSV file (`None`: a comma). A header that reads as one column
    /// holding `;` or tabs is refused naming the separator to pass.
    pub separator: Option<u8>,
    /// Numbers are written with a decimal comma (`1,5`), as in European CSVs (whose separator is
    /// then usually `;`). A number holding a `.` is refused: it would be a thousands separator.
    pub decimal_comma: bool,
    /// The unit of epoch timestamps; `None` tells it from each file's magnitudes
    /// ([`crate::EpochUnit::of_magnitude`]).
    pub time_unit: Option<crate::EpochUnit>,
}

/// A CSV field separator from text, as `--sep` takes it: one ASCII character (`;`, `|`, `,`), or
/// `\t` / `tab` for a tab.
///
/// # Errors
/// A message for anything else (a letter, a digit, a quote, a line end, several characters).
pub fn parse_separator(text: &str) -> Result<u8, String> {
    let byte = match text {
        "\\t" | "\t" | "tab" | "TAB" => b'\t',
        _ => match text.as_bytes() {
            [byte] => *byte,
            _ => 0,
        },
    };
    if byte == b'\t' || (byte.is_ascii_punctuation() && byte != b'"') || byte == b' ' {
        Ok(byte)
    } else {
        Err(format!(
            "the separator must be one character such as ';', '|' or '\\t' (tab), got '{text}'"
        ))
    }
}

/// Rows that were left out of an import, with the first few line numbers.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SkippedRows {
    /// How many rows.
    pub count: usize,
    /// The first line numbers (1-based; the header is line 1), at most ten.
    pub first_lines: Vec<u64>,
}

impl SkippedRows {
    pub(crate) fn add(&mut self, line: u64) {
        self.count += 1;
        if self.first_lines.len() < LINES_KEPT_PER_KIND {
            self.first_lines.push(line);
        }
    }
}

/// What an import did, for the user to check.
#[derive(Debug, Clone, Serialize)]
pub struct ImportReport {
    /// The file read.
    pub source: PathBuf,
    /// Whether the file was gzip-compressed.
    pub gzip: bool,
    /// The layout used.
    pub layout: CsvLayout,
    /// The timestamp format used.
    pub timestamp_format: TimestampFormat,
    /// Whether the series has real OHLC or closes only.
    pub price_fields: PriceFields,
    /// The header name of the column read as the close.
    pub close_column: String,
    /// Whether the file has a volume column.
    pub has_volume: bool,
    /// Data rows in the file (not counting the header or blank lines).
    pub data_rows: usize,
    /// Bars imported.
    pub bars: usize,
    /// Rows without any price (`null` rows of Yahoo files on holidays, `.` in FRED files), dropped.
    pub rows_without_prices: SkippedRows,
    /// Bad rows skipped (only with `skip_bad_rows`), by kind.
    pub skipped: BTreeMap<BadRowKind, SkippedRows>,
    /// Whether the file was in descending time order and was reversed.
    pub reversed: bool,
    /// Whether prices were adjusted by `Adj Close / Close`.
    pub adjusted: bool,
    /// Other things the user should know (which column was taken as the close, ...).
    pub notices: Vec<String>,
}

impl ImportReport {
    /// Total bad rows skipped.
    pub fn skipped_count(&self) -> usize {
        self.skipped.values().map(|rows| rows.count).sum()
    }
}

/// A series read from CSV, and the report of how it was read.
#[derive(Debug, Clone)]
pub struct ImportedCsv {
    /// The checked bars, ascending in time.
    pub series: BarSeries,
    /// How they were read.
    pub report: ImportReport,
}
