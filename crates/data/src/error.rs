//! [`DataError`]: the errors of gauntlet-data, each naming the file, line, column or field at fault.

use std::fmt;
use std::path::PathBuf;

use serde::Serialize;

/// The kind of problem with one CSV row. With `skip_bad_rows` such rows are skipped and counted by kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BadRowKind {
    /// The row has a different number of fields than the header.
    RaggedRow,
    /// A field is not valid UTF-8 text.
    InvalidText,
    /// A price or volume field is not a number (`abc`, `1,5`).
    NotANumber,
    /// A price or the volume is NaN or infinite.
    NotFinite,
    /// A price is zero or negative.
    NotPositive,
    /// The volume is negative.
    NegativeVolume,
    /// A price or the volume is beyond any real market (a placeholder such as `DBL_MAX`; see
    /// [`gauntlet_core::MAX_PRICE`]).
    AbsurdValue,
    /// `high < low`.
    HighBelowLow,
    /// `high < max(open, close)`.
    HighBelowOpenOrClose,
    /// `low > min(open, close)`.
    LowAboveOpenOrClose,
    /// Some fields are missing (`null`, empty, `.`) while others are present.
    MissingValue,
    /// The timestamp is in no accepted format, or not in the file's format.
    UnknownDateFormat,
    /// Some timestamps carry a time zone and others do not.
    MixedTimezones,
    /// The same timestamp appears twice.
    DuplicateTimestamp,
    /// A timestamp is earlier than the one before it in a file that is not simply descending.
    OutOfOrder,
    /// A timestamp repeats an earlier bar's, out of order: a second, overlapping download stitched
    /// on (the same bars twice).
    Overlap,
    /// An intraday timestamp off the grid the other bars keep (a live snapshot at 13:46:02 among
    /// 15-minute bars).
    OffGrid,
    /// A timestamp outside the years 1900-2200 ([`gauntlet_core::Timestamp::is_plausible`]): a
    /// misread unit (microseconds read as milliseconds give the year 31974) or a placeholder date.
    ImplausibleDate,
}

impl BadRowKind {
    /// The kind's snake_case name, as printed in import reports.
    pub fn name(self) -> &'static str {
        match self {
            Self::RaggedRow => "ragged_row",
            Self::InvalidText => "invalid_text",
            Self::NotANumber => "not_a_number",
            Self::NotFinite => "not_finite",
            Self::NotPositive => "not_positive",
            Self::NegativeVolume => "negative_volume",
            Self::AbsurdValue => "absurd_value",
            Self::HighBelowLow => "high_below_low",
            Self::HighBelowOpenOrClose => "high_below_open_or_close",
            Self::LowAboveOpenOrClose => "low_above_open_or_close",
            Self::MissingValue => "missing_value",
            Self::UnknownDateFormat => "unknown_date_format",
            Self::MixedTimezones => "mixed_timezones",
            Self::DuplicateTimestamp => "duplicate_timestamp",
            Self::OutOfOrder => "out_of_order",
            Self::Overlap => "overlap",
            Self::OffGrid => "off_grid",
            Self::ImplausibleDate => "implausible_date",
        }
    }
}

impl fmt::Display for BadRowKind {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.name())
    }
}

/// Everything that can go wrong in gauntlet-data.
#[derive(Debug, thiserror::Error)]
pub enum DataError {
    /// Reading or writing a file failed (missing file, permissions, disk full).
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// Another process (or another handle in this one) holds a folder's [`crate::ExclusiveLock`].
    #[error("{} is locked by {}", path.display(), holder.map_or("another process".to_string(), |pid| format!("process {pid}")))]
    Locked {
        /// The locked folder.
        path: PathBuf,
        /// The holder's process id, as its lock file names it, when that could be read.
        holder: Option<u32>,
    },
    /// The file has no content at all.
    #[error("{}: the file is empty", path.display())]
    EmptyFile {
        /// The file.
        path: PathBuf,
    },
    /// The file has a header line but no data rows (or only rows without prices).
    #[error("{}: the file has a header but no data rows", path.display())]
    NoDataRows {
        /// The file.
        path: PathBuf,
    },
    /// A required column is not in the header.
    #[error("{}, line 1: no {column} column (the header has: {found})", path.display())]
    MissingColumn {
        /// The file.
        path: PathBuf,
        /// The column looked for, with the names accepted for it.
        column: String,
        /// The header's column names.
        found: String,
    },
    /// The header does not fit the layout asked for, or is ambiguous.
    #[error("{}, line 1: {message}", path.display())]
    Header {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A JSON candle file is not valid JSON, or not candles.
    #[error("{}: {message}", path.display())]
    Json {
        /// The file.
        path: PathBuf,
        /// What is wrong, with the JSON line and column of a syntax error.
        message: String,
    },
    /// A gzip file is corrupt or cut short.
    #[error("{}: the gzip stream is corrupt or truncated after line {line}: {message}", path.display())]
    Gzip {
        /// The file.
        path: PathBuf,
        /// The last line read completely.
        line: u64,
        /// The decoder's message.
        message: String,
    },
    /// One data row is bad; with `skip_bad_rows` it would have been skipped.
    #[error("{}, line {line}{}: {message}", path.display(), column.as_ref().map(|column| format!(", column '{column}'")).unwrap_or_default())]
    BadRow {
        /// The file.
        path: PathBuf,
        /// The 1-based line number (the header is line 1).
        line: u64,
        /// The column at fault, when one is.
        column: Option<String>,
        /// The kind of problem.
        kind: BadRowKind,
        /// What is wrong, with the offending value.
        message: String,
    },
    /// Every row was bad and skipped: nothing is left to import.
    #[error("{}: all {rows} data rows were bad and skipped; nothing to import", path.display())]
    AllRowsBad {
        /// The file.
        path: PathBuf,
        /// The number of data rows.
        rows: usize,
    },
    /// A Parquet file could not be read or written, or lacks the expected schema.
    #[error("{}: {message}", path.display())]
    Parquet {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// The dataset catalog is malformed.
    #[error("{}: {message}", path.display())]
    Catalog {
        /// The catalog file.
        path: PathBuf,
        /// What is wrong (the TOML parser's message names the line and field).
        message: String,
    },
    /// No dataset of that name is in the catalog.
    #[error("no dataset named '{name}' in {}; {known}", catalog.display())]
    UnknownDataset {
        /// The name looked up.
        name: String,
        /// The catalog file.
        catalog: PathBuf,
        /// What the catalog does have: every name when there are few, else the nearest names
        /// (`did you mean ...?`).
        known: String,
    },
    /// A dataset of that name already exists (pass `force` to replace it).
    #[error("a dataset named '{name}' already exists in {}; use --force to replace it", catalog.display())]
    DatasetExists {
        /// The name.
        name: String,
        /// The catalog file.
        catalog: PathBuf,
    },
    /// A field of a dataset entry or request is invalid.
    #[error("invalid {field}: {message}")]
    InvalidField {
        /// The field (`name`, `interval`, `split.validation_fraction`, ...).
        field: String,
        /// What is wrong.
        message: String,
    },
    /// A split would leave a part empty or is inconsistent.
    #[error("invalid split: {0}")]
    InvalidSplit(String),
    /// A resampling request cannot be carried out exactly.
    #[error("cannot resample: {0}")]
    Resample(String),
    /// An in-memory table (a DataFrame) cannot be read as bars.
    #[error("{frame}{}: {message}", column.as_ref().map(|column| format!(", column '{column}'")).unwrap_or_default())]
    Frame {
        /// The frame, as the caller names it (`frame`, `frame 'AAPL'`).
        frame: String,
        /// The column at fault, when one is.
        column: Option<String>,
        /// What is wrong (naming the row where one is).
        message: String,
    },
    /// A series failed the core checks.
    #[error("{context}: {source}")]
    Core {
        /// Where the series came from.
        context: String,
        /// The core error.
        source: gauntlet_core::CoreError,
    },
}

impl DataError {
    /// The kind of a bad row, or `None` for other errors.
    pub fn bad_row_kind(&self) -> Option<BadRowKind> {
        match self {
            Self::BadRow { kind, .. } => Some(*kind),
            _ => None,
        }
    }

    /// The line number the error points at, where it points at one.
    pub fn line(&self) -> Option<u64> {
        match self {
            Self::BadRow { line, .. } | Self::Gzip { line, .. } => Some(*line),
            Self::MissingColumn { .. } | Self::Header { .. } => Some(1),
            _ => None,
        }
    }
}
