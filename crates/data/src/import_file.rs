//! Reading a user's bars file: gzip told by its content, UTF-16 named, JSON candles streamed
//! ([`crate::json_candles`]), everything else read as CSV ([`crate::csv_import`]), every row through
//! the same checks.

use std::io::{BufRead, BufReader};
use std::path::Path;

use flate2::read::MultiGzDecoder;

use crate::csv_import::Importer;
use crate::error::DataError;
use crate::import_report::{ImportOptions, ImportedCsv};
use crate::line_cap::{LineCap, MAX_LINE_BYTES};

/// Reads a CSV file (gzip-compressed when it starts with the gzip magic bytes) into a checked series.
///
/// Rows whose every price is missing (`null`, empty, `.`, `NA`) are market holidays in Yahoo and FRED
/// files: they are dropped and counted in the report, never an error. A file in strictly descending
/// time order is reversed (with a notice). A UTF-8 byte-order mark is ignored. A file (or gzip
/// stream) starting with `[` or `{` is read as JSON candles, streamed
/// candle by candle through the same row checks.
///
/// # Errors
/// - [`DataError::Io`] when the file cannot be read or is not a regular file (a named pipe, a
///   device or a folder is refused before it is opened); [`DataError::EmptyFile`];
///   [`DataError::NoDataRows`] for a header without rows; [`DataError::Gzip`] for a corrupt or
///   truncated gzip stream; [`DataError::Header`] for UTF-16 text (named as such) and
///   [`DataError::Json`] for JSON that is not candles.
/// - [`DataError::MissingColumn`] / [`DataError::Header`] when the header lacks a needed column, is
///   ambiguous, or does not fit the requested layout (a header of one column holding `;` or tabs
///   is named as another separator).
/// - [`DataError::BadRow`] for the first bad row (file, line, column, kind and value), unless
///   `skip_bad_rows`; then [`DataError::AllRowsBad`] when no row is left.
pub fn import_csv(path: &Path, options: &ImportOptions) -> Result<ImportedCsv, DataError> {
    let io_error = |source| DataError::Io {
        path: path.to_path_buf(),
        source,
    };
    let file = gauntlet_core::open_regular_file(path).map_err(io_error)?;
    let mut buffered = BufReader::with_capacity(1 << 16, file);
    let head = buffered.fill_buf().map_err(io_error)?;
    if head.is_empty() {
        return Err(DataError::EmptyFile {
            path: path.to_path_buf(),
        });
    }
    let gzip = head.starts_with(&[0x1f, 0x8b]);
    let mut reader: Box<dyn BufRead> = if gzip {
        Box::new(BufReader::with_capacity(
            1 << 16,
            MultiGzDecoder::new(buffered),
        ))
    } else {
        Box::new(buffered)
    };
    let head = reader.fill_buf().map_err(|source| DataError::Gzip {
        path: path.to_path_buf(),
        line: 0,
        message: source.to_string(),
    })?;
    if head.is_empty() {
        return Err(DataError::EmptyFile {
            path: path.to_path_buf(),
        });
    }
    if let Some(encoding) = utf16_encoding(head) {
        return Err(DataError::Header {
            path: path.to_path_buf(),
            message: format!(
                "the file is {encoding} text; Gauntlet reads UTF-8: save it as CSV UTF-8, or \
                 convert it with iconv -f UTF-16 -t UTF-8"
            ),
        });
    }
    if crate::json_candles::looks_like_json(head) {
        return crate::json_candles::import_json(Importer::new(path, options, gzip), reader);
    }
    // Lines are capped after decompression: one endless line (or a gzip bomb of one) is an error
    // naming the line, not exhausted memory.
    Importer::new(path, options, gzip).read_csv(Box::new(LineCap::new(reader, MAX_LINE_BYTES)))
}

/// `Some("UTF-16 (little-endian)")` when `head` (the first bytes of a file) is UTF-16 text: a
/// UTF-16 byte-order mark, or a NUL in every other byte of the first line (ASCII text in UTF-16
/// without a mark).
fn utf16_encoding(head: &[u8]) -> Option<&'static str> {
    if head.starts_with(&[0xff, 0xfe]) {
        return Some("UTF-16 (little-endian)");
    }
    if head.starts_with(&[0xfe, 0xff]) {
        return Some("UTF-16 (big-endian)");
    }
    let sample = &head[..head.len().min(64) & !1];
    if sample.len() < 8 {
        return None;
    }
    let pairs = || sample.chunks_exact(2);
    if pairs().all(|pair| pair[1] == 0 && pair[0] != 0) {
        return Some("UTF-16 (little-endian)");
    }
    if pairs().all(|pair| pair[0] == 0 && pair[1] != 0) {
        return Some("UTF-16 (big-endian)");
    }
    None
}
