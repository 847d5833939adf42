//! The malformed-file corpus of `tests/data/bad/`: every file gives its own precise error (kind, line,
//! column and message, worked out by reading the file: line 1 is the header), none panics, and with
//! `skip_bad_rows` the row-level problems are skipped and counted by kind instead.

use std::path::PathBuf;

use gauntlet_data::{BadRowKind, DataError, ImportOptions, import_csv};

/// What importing one bad file must give.
struct Expected {
    file: &'static str,
    /// The error's line, when it points at one.
    line: Option<u64>,
    /// The bad row's kind, for row-level problems (those `skip_bad_rows` can skip).
    kind: Option<BadRowKind>,
    /// The column named, for row-level problems that have one.
    column: Option<&'static str>,
    /// A part of the message.
    message: &'static str,
    /// Bars left with `skip_bad_rows` (`None`: the file is refused even then).
    bars_when_skipping: Option<usize>,
}

const fn row(
    file: &'static str,
    line: u64,
    kind: BadRowKind,
    column: Option<&'static str>,
    message: &'static str,
    bars_when_skipping: Option<usize>,
) -> Expected {
    Expected {
        file,
        line: Some(line),
        kind: Some(kind),
        column,
        message,
        bars_when_skipping,
    }
}

const fn whole_file(file: &'static str, line: Option<u64>, message: &'static str) -> Expected {
    Expected {
        file,
        line,
        kind: None,
        column: None,
        message,
        bars_when_skipping: None,
    }
}

fn corpus() -> Vec<Expected> {
    use BadRowKind::*;
    vec![
        row(
            "non_numeric_price.csv",
            3,
            NotANumber,
            Some("close"),
            "'abc' is not a number",
            Some(2),
        ),
        row(
            "nan_price.csv",
            4,
            NotFinite,
            Some("high"),
            "high is not a finite number (NaN)",
            Some(2),
        ),
        row(
            "negative_price.csv",
            3,
            NotPositive,
            Some("low"),
            "low must be greater than 0, got -10",
            Some(2),
        ),
        row(
            "zero_price.csv",
            2,
            NotPositive,
            Some("open"),
            "open must be greater than 0, got 0",
            Some(1),
        ),
        row(
            "high_below_low.csv",
            3,
            HighBelowLow,
            Some("high"),
            "high 9 is below low 12",
            Some(1),
        ),
        row(
            "high_below_close.csv",
            4,
            HighBelowOpenOrClose,
            Some("high"),
            "high 11.5 is below max(open, close) 11.9",
            Some(2),
        ),
        row(
            "low_above_open.csv",
            3,
            LowAboveOpenOrClose,
            Some("low"),
            "low 10.8 is above min(open, close) 10.5",
            Some(1),
        ),
        row(
            "negative_volume.csv",
            4,
            NegativeVolume,
            Some("volume"),
            "volume must not be negative, got -150",
            Some(2),
        ),
        row(
            "infinite_volume.csv",
            3,
            NotFinite,
            Some("volume"),
            "volume is not a finite number (inf)",
            Some(1),
        ),
        row(
            "duplicate_timestamp.csv",
            4,
            DuplicateTimestamp,
            None,
            "duplicate timestamp 2020-01-03T00:00:00Z (also on line 3)",
            Some(2),
        ),
        row(
            "unsorted.csv",
            4,
            OutOfOrder,
            None,
            "2020-01-03T00:00:00Z is earlier than 2020-01-06T00:00:00Z on line 3",
            Some(2),
        ),
        row(
            "ragged_row.csv",
            3,
            RaggedRow,
            None,
            "the row has 5 fields but the header has 6",
            Some(2),
        ),
        row(
            "unknown_date_format.csv",
            2,
            UnknownDateFormat,
            Some("timestamp"),
            "unknown date format 'Jan 2nd 2020'",
            Some(1),
        ),
        row(
            "inconsistent_date_format.csv",
            4,
            UnknownDateFormat,
            Some("timestamp"),
            "'06/01/2020 00:00' is not a valid ISO date (yyyy-mm-dd), the format of line 2",
            Some(2),
        ),
        row(
            "impossible_date.csv",
            3,
            UnknownDateFormat,
            Some("timestamp"),
            "'2020-02-30' is not a valid ISO date",
            Some(1),
        ),
        row(
            "mixed_timezones.csv",
            4,
            MixedTimezones,
            Some("timestamp"),
            "'2020-01-02T16:30:00' has no zone but the timestamp on line 2 has one",
            Some(2),
        ),
        row(
            "mixed_epoch_units.csv",
            3,
            UnknownDateFormat,
            Some("timestamp"),
            "'1578009600000' is epoch milliseconds but earlier rows are epoch seconds",
            Some(1),
        ),
        row(
            "partial_null_row.csv",
            3,
            MissingValue,
            Some("Low"),
            "'null' is missing while other prices of the row are present",
            Some(1),
        ),
        row(
            "invalid_utf8.csv",
            3,
            InvalidText,
            Some("close"),
            "not valid UTF-8",
            Some(1),
        ),
        row(
            "contradictory_slash_dates.csv",
            2,
            UnknownDateFormat,
            None,
            "slash dates in both month/day and day/month order",
            None,
        ),
        whole_file("empty.csv", None, "the file is empty"),
        whole_file("whitespace_only.csv", None, "the file is empty"),
        whole_file(
            "header_only.csv",
            None,
            "the file has a header but no data rows",
        ),
        whole_file(
            "missing_close_column.csv",
            Some(1),
            "no close column (the header has: timestamp, open, high, low, volume)",
        ),
        whole_file(
            "missing_timestamp_column.csv",
            Some(1),
            "no timestamp (timestamp, date, time or datetime) column",
        ),
        whole_file(
            "ambiguous_close.csv",
            Some(1),
            "several columns could be the close (brent, wti); choose one with --close-column",
        ),
        // The line is wherever buffered decompression stopped: checked separately below.
        whole_file(
            "truncated.csv.gz",
            None,
            "the gzip stream is corrupt or truncated",
        ),
    ]
}

fn bad_file(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/bad")
        .join(name)
}

#[test]
fn the_corpus_has_at_least_twenty_files_and_each_is_listed() {
    let on_disk = std::fs::read_dir(bad_file("")).unwrap().count();
    assert!(on_disk >= 20, "{on_disk} files");
    assert_eq!(
        on_disk,
        corpus().len(),
        "every file of tests/data/bad has an expectation"
    );
}

#[test]
fn each_bad_file_gives_its_own_precise_error() {
    for expected in corpus() {
        let path = bad_file(expected.file);
        let error = import_csv(&path, &ImportOptions::default())
            .err()
            .unwrap_or_else(|| panic!("{} imported without error", expected.file));
        let message = error.to_string();
        assert!(message.contains(expected.file), "{message}: names the file");
        assert!(
            message.contains(expected.message),
            "{}: got '{message}'",
            expected.file
        );
        if let DataError::Gzip { line, .. } = &error {
            // The full stream has 31 lines (header, 3 rows, 28 rows): the cut is before its end.
            assert!(*line < 31, "{message}");
        } else {
            assert_eq!(error.line(), expected.line, "{}: {message}", expected.file);
        }
        assert_eq!(
            error.bad_row_kind(),
            expected.kind,
            "{}: {message}",
            expected.file
        );
        if let DataError::BadRow { column, .. } = &error {
            assert_eq!(
                column.as_deref(),
                expected.column,
                "{}: {message}",
                expected.file
            );
            let line = expected.line.unwrap();
            assert!(message.contains(&format!("line {line}")), "{message}");
        }
        assert!(!message.contains('\n'), "one line: {message}");
    }
}

#[test]
fn skipping_bad_rows_counts_them_by_kind() {
    let options = ImportOptions {
        skip_bad_rows: true,
        ..ImportOptions::default()
    };
    for expected in corpus() {
        let result = import_csv(&bad_file(expected.file), &options);
        match expected.bars_when_skipping {
            Some(bars) => {
                let imported = result.unwrap_or_else(|error| panic!("{}: {error}", expected.file));
                assert_eq!(imported.series.len(), bars, "{}", expected.file);
                assert_eq!(imported.report.skipped_count(), 1, "{}", expected.file);
                let kind = expected.kind.unwrap();
                let skipped = &imported.report.skipped[&kind];
                assert_eq!(
                    skipped.first_lines,
                    vec![expected.line.unwrap()],
                    "{}",
                    expected.file
                );
            }
            None => assert!(
                result.is_err(),
                "{} must be refused even when skipping",
                expected.file
            ),
        }
    }
}
