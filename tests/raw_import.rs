//! The raw files of the shared reference data, as their packages ship them, import with format
//! auto-detection and give exactly the bars of the bundled datasets, which were made from the
//! independently cleaned CSV files (`scripts/bundle-datasets.sh`).

use gauntlet_testkit::repository;
use std::path::{Path, PathBuf};

use gauntlet_core::{PriceFields, Timestamp};
use gauntlet_data::{Catalog, CsvLayout, ImportOptions, TimestampFormat, import_csv};

fn raw(relative: &str) -> PathBuf {
    repository().join("tests/data/raw").join(relative)
}

fn catalog() -> Catalog {
    Catalog::open(&repository().join("datasets")).expect("the bundled catalog opens")
}

/// Imports `file` with auto-detection and asserts it equals the bundled dataset bar for bar.
fn assert_same_as_bundled(
    file: &Path,
    dataset: &str,
    layout: CsvLayout,
    format: TimestampFormat,
) -> gauntlet_data::ImportReport {
    let imported = import_csv(file, &ImportOptions::default())
        .unwrap_or_else(|error| panic!("{} does not import: {error}", file.display()));
    let (_, bundled) = catalog().load(dataset).unwrap();
    assert_eq!(imported.report.layout, layout, "{}", file.display());
    assert_eq!(
        imported.report.timestamp_format,
        format,
        "{}",
        file.display()
    );
    assert_eq!(imported.series.len(), bundled.len(), "{}", file.display());
    assert_eq!(
        imported.series.timestamps(),
        bundled.timestamps(),
        "{}",
        file.display()
    );
    assert_eq!(imported.series.price_fields(), bundled.price_fields());
    assert_eq!(
        imported.series.close(),
        bundled.close(),
        "{}",
        file.display()
    );
    assert_eq!(imported.series, bundled, "{}", file.display());
    imported.report
}

#[test]
fn metatrader_hourly_forex_matches_the_bundled_series() {
    let report = assert_same_as_bundled(
        &raw("gym-anytrading-2.0.0/FOREX_EURUSD_1H_ASK.csv"),
        "eurusd-1h",
        CsvLayout::MetaTrader,
        TimestampFormat::DayMonthYearDots,
    );
    assert_eq!(report.bars, 6_225);
}

#[test]
fn yahoo_files_match_unadjusted_and_drop_null_rows() {
    assert_same_as_bundled(
        &raw("gym-anytrading-2.0.0/STOCKS_GOOGL.csv"),
        "googl-1d",
        CsvLayout::Yahoo,
        TimestampFormat::IsoDate,
    );
    assert_same_as_bundled(
        &raw("vega-datasets-3.2.1/sp500-2000.csv"),
        "sp500-1d",
        CsvLayout::Yahoo,
        TimestampFormat::IsoDate,
    );
    for (file, dataset) in [
        ("nolds-0.6.3/JKSE.csv", "jkse-1d"),
        ("nolds-0.6.3/N225.csv", "nikkei225-1d"),
        ("nolds-0.6.3/NDX.csv", "nasdaq100-1d"),
    ] {
        let report = assert_same_as_bundled(
            &raw(file),
            dataset,
            CsvLayout::Yahoo,
            TimestampFormat::IsoDate,
        );
        // The raw file has one line per row after the header; every line is a bar or a null row.
        let lines = std::fs::read_to_string(raw(file)).unwrap().lines().count() - 1;
        assert_eq!(report.data_rows, lines);
        assert_eq!(
            report.bars + report.rows_without_prices.count,
            lines,
            "{file}"
        );
    }
    // ^JKSE has a null row on line 14 (1997-07-17), which the cleaned file dropped.
    let jkse = import_csv(&raw("nolds-0.6.3/JKSE.csv"), &ImportOptions::default()).unwrap();
    assert_eq!(jkse.report.rows_without_prices.first_lines[0], 14);
}

#[test]
fn gzip_us_dated_files_match_including_fred_dots() {
    assert_same_as_bundled(
        &raw("arch-8.0.0/nasdaq/nasdaq.csv.gz"),
        "nasdaq-composite-1d",
        CsvLayout::Yahoo,
        TimestampFormat::MonthDayYearSlash,
    );
    let report = assert_same_as_bundled(
        &raw("arch-8.0.0/vix/vix.csv.gz"),
        "vix-1d",
        CsvLayout::CloseOnly,
        TimestampFormat::MonthDayYearSlash,
    );
    assert_eq!(report.close_column, "vix");
    let report = assert_same_as_bundled(
        &raw("arch-8.0.0/wti/wti.csv.gz"),
        "wti-1d",
        CsvLayout::CloseOnly,
        TimestampFormat::MonthDayYearSlash,
    );
    // FRED writes '.' on 290 holidays (8611 data lines, 8321 prices; counted with awk on the raw file).
    assert_eq!(report.rows_without_prices.count, 290);
    assert!(report.gzip);
}

#[test]
fn a_bom_file_with_two_price_columns_needs_a_choice() {
    let path = raw("arch-8.0.0/crude/crude.csv.gz");
    let error = import_csv(&path, &ImportOptions::default()).unwrap_err();
    let message = error.to_string();
    assert!(
        message.contains("several columns could be the close (Brent, WTI)"),
        "{message}"
    );
    let imported = import_csv(
        &path,
        &ImportOptions {
            close_column: Some("WTI".into()),
            ..ImportOptions::default()
        },
    )
    .unwrap();
    assert_eq!(imported.series.price_fields(), PriceFields::CloseOnly);
    // First data row: "1987-05-15,18.58,19.44" (BOM before the header, CRLF line ends).
    assert_eq!(
        imported.series.first_timestamp(),
        Some(Timestamp::from_ymd(1987, 5, 15).unwrap())
    );
    assert_eq!(imported.series.close()[0], 19.44);
}

#[test]
fn arch_sp500_agrees_with_the_vega_sp500_where_they_overlap() {
    // Two independent packages' copies of the same index: same dates, closes equal to the cents.
    let arch = import_csv(
        &raw("arch-8.0.0/sp500/sp500.csv.gz"),
        &ImportOptions::default(),
    )
    .unwrap();
    let (_, vega) = catalog().load("sp500-1d").unwrap();
    let mut compared = 0;
    for (index, timestamp) in arch.series.timestamps().iter().enumerate() {
        if let Ok(vega_index) = vega.timestamps().binary_search(timestamp) {
            let (a, b) = (arch.series.close()[index], vega.close()[vega_index]);
            assert!((a - b).abs() < 0.01, "{timestamp}: arch {a} vs vega {b}");
            compared += 1;
        }
    }
    assert!(compared > 4_000, "only {compared} common dates");
}

#[test]
fn yahoo_adjustment_scales_prices_by_adj_close_over_close() {
    let path = raw("nolds-0.6.3/JKSE.csv");
    let options = ImportOptions {
        adjust: true,
        ..ImportOptions::default()
    };
    let adjusted = import_csv(&path, &options).unwrap();
    // Line 2: 1997-07-01,725.028992,732.515991,724.994995,731.619019,731.597290,0
    // factor = 731.597290 / 731.619019; open = 725.028992 * factor.
    let factor = 731.597290 / 731.619019;
    assert_eq!(adjusted.series.close()[0], 731.597290);
    assert!((adjusted.series.open()[0] - 725.028992 * factor).abs() < 1e-9);
    assert!((adjusted.series.high()[0] - 732.515991 * factor).abs() < 1e-9);
    assert!(adjusted.report.adjusted);
}
