//! `gauntlet data ...`: list, inspect, import and export datasets.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use clap::Subcommand;
use comfy_table::{Table, presets::UTF8_FULL_CONDENSED};
use gauntlet_core::{AssetClass, BarInterval, BarSeries, PriceFields, Timestamp};
use gauntlet_data::{
    Catalog, CsvLayout, DataSource, DatasetEntry, DatasetSummary, ImportOptions, ImportReport,
    export_csv, import_csv, infer_interval, read_parquet, summarize, write_parquet,
};
use serde::Serialize;

/// The `data` subcommands.
#[derive(Debug, Subcommand)]
pub enum DataCommand {
    /// List every dataset of the catalog.
    List {
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Show one dataset: provenance, range, gaps, stale and flat bars, zero volume, largest moves.
    Inspect {
        /// The dataset's name (see `gauntlet data list`).
        name: String,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
        /// Count a gap where consecutive bars are more than this many intervals apart.
        #[arg(long, default_value_t = 4.0, value_name = "N")]
        gap_intervals: f64,
    },
    /// Import a CSV file (plain or .gz) as a Parquet dataset with a catalog entry.
    Import(Box<ImportArgs>),
    /// Export a dataset to CSV (or Parquet, by the file's extension).
    Export {
        /// The dataset's name.
        name: String,
        /// The file to write (`.csv` or `.parquet`).
        #[arg(long, value_name = "FILE")]
        to: PathBuf,
    },
}

/// Arguments of `gauntlet data import`.
#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// The CSV file to import (gzip is detected from its content).
    file: PathBuf,
    /// The dataset's short stable name (lower-case letters, digits, '-', '_', '.').
    #[arg(long)]
    name: String,
    /// The instrument's symbol.
    #[arg(long)]
    symbol: String,
    /// The asset class: stock, index, forex, commodity or crypto.
    #[arg(long, value_name = "CLASS")]
    asset_class: AssetClass,
    /// The bar interval (30m, 1h, 1d, ...); inferred from the timestamps when left out.
    #[arg(long, value_name = "I")]
    interval: Option<BarInterval>,
    /// The CSV layout: generic, close-only, yahoo or metatrader; detected when left out.
    #[arg(long, value_name = "F")]
    format: Option<CsvLayout>,
    /// Skip bad rows (and report how many of each kind) instead of refusing the file.
    #[arg(long)]
    skip_bad_rows: bool,
    /// Yahoo layout: adjust open, high, low, close (and volume) by Adj Close / Close.
    #[arg(long)]
    adjust: bool,
    /// The column to read as the close.
    #[arg(long, value_name = "COLUMN")]
    close_column: Option<String>,
    /// Replace an existing dataset of the same name.
    #[arg(long)]
    force: bool,
    /// Bars per year for annualising; default from the asset class and interval (252 exchange daily).
    #[arg(long, value_name = "N")]
    bars_per_year: Option<f64>,
    /// What the instrument is, in words.
    #[arg(long, default_value = "")]
    description: String,
    /// The data's licence.
    #[arg(long, default_value = "")]
    licence: String,
    /// Notes for users of the dataset.
    #[arg(long, default_value = "")]
    notes: String,
    /// Provenance: the package registry the file came from.
    #[arg(long, default_value = "")]
    source_registry: String,
    /// Provenance: the package or vendor.
    #[arg(long, default_value = "")]
    source_package: String,
    /// Provenance: the package's version.
    #[arg(long, default_value = "")]
    source_version: String,
    /// Provenance: the file's path in the package (default: the imported file's path).
    #[arg(long)]
    source_path: Option<String>,
    /// Provenance: what was done to the source's values (default: none, or the adjustment).
    #[arg(long)]
    transform: Option<String>,
}

/// Runs a `data` subcommand against the datasets folder.
pub fn run(command: DataCommand, datasets_dir: &Path) -> Result<()> {
    match command {
        DataCommand::List { json } => list(datasets_dir, json),
        DataCommand::Inspect {
            name,
            json,
            gap_intervals,
        } => inspect(datasets_dir, &name, json, gap_intervals),
        DataCommand::Import(arguments) => import(datasets_dir, *arguments),
        DataCommand::Export { name, to } => export(datasets_dir, &name, &to),
    }
}

fn open_catalog(datasets_dir: &Path) -> Result<Catalog> {
    Catalog::open(datasets_dir).with_context(|| {
        format!(
            "cannot open the datasets folder (set it with --datasets-dir or $GAUNTLET_DATASETS): {}",
            datasets_dir.display()
        )
    })
}

/// One row of `data list --json`.
#[derive(Serialize)]
struct ListedDataset<'a> {
    #[serde(flatten)]
    entry: &'a DatasetEntry,
    rows: usize,
    first: Option<String>,
    last: Option<String>,
    price_fields: PriceFields,
    has_volume: bool,
}

fn list(datasets_dir: &Path, json: bool) -> Result<()> {
    let catalog = open_catalog(datasets_dir)?;
    let mut listed = Vec::with_capacity(catalog.entries().len());
    for entry in catalog.entries() {
        let (series, _) = read_parquet(&catalog.file_path(entry))
            .with_context(|| format!("dataset '{}'", entry.name))?;
        listed.push(ListedDataset {
            entry,
            rows: series.len(),
            first: series.first_timestamp().map(date_text),
            last: series.last_timestamp().map(date_text),
            price_fields: series.price_fields(),
            has_volume: series.has_volume(),
        });
    }
    if json {
        println!("{}", serde_json::to_string_pretty(&listed)?);
        return Ok(());
    }
    if listed.is_empty() {
        println!(
            "No datasets in {}. Add one with `gauntlet data import FILE --name NAME --symbol SYM --asset-class CLASS`.",
            catalog.catalog_path().display()
        );
        return Ok(());
    }
    let mut table = Table::new();
    table.load_style(UTF8_FULL_CONDENSED).set_header([
        "name", "symbol", "class", "interval", "bars", "first", "last", "prices", "licence",
    ]);
    for dataset in &listed {
        table.add_row([
            dataset.entry.name.clone(),
            dataset.entry.symbol.clone(),
            dataset.entry.asset_class.to_string(),
            dataset.entry.interval.to_string(),
            dataset.rows.to_string(),
            dataset.first.clone().unwrap_or_default(),
            dataset.last.clone().unwrap_or_default(),
            price_fields_text(dataset.price_fields, dataset.has_volume).to_string(),
            dataset.entry.licence.clone(),
        ]);
    }
    println!("{table}");
    println!(
        "{} datasets in {}",
        listed.len(),
        catalog.catalog_path().display()
    );
    Ok(())
}

fn inspect(datasets_dir: &Path, name: &str, json: bool, gap_intervals: f64) -> Result<()> {
    if !(gap_intervals.is_finite() && gap_intervals > 0.0) {
        bail!("--gap-intervals must be a positive number, got {gap_intervals}");
    }
    let catalog = open_catalog(datasets_dir)?;
    let (entry, series) = catalog.load(name)?;
    let summary = summarize(&series, entry.interval, gap_intervals);
    if json {
        #[derive(Serialize)]
        struct Inspection<'a> {
            dataset: &'a DatasetEntry,
            file: String,
            summary: &'a DatasetSummary,
        }
        let inspection = Inspection {
            dataset: &entry,
            file: catalog.file_path(&entry).display().to_string(),
            summary: &summary,
        };
        println!("{}", serde_json::to_string_pretty(&inspection)?);
        return Ok(());
    }
    print_inspection(&catalog, &entry, &series, &summary);
    Ok(())
}

fn print_inspection(
    catalog: &Catalog,
    entry: &DatasetEntry,
    series: &BarSeries,
    summary: &DatasetSummary,
) {
    let optional_count = |count: Option<usize>, absent: &str| match count {
        Some(count) => count.to_string(),
        None => absent.to_string(),
    };
    let mut table = Table::new();
    table.load_style(UTF8_FULL_CONDENSED);
    let mut row = |key: &str, value: String| {
        table.add_row([key.to_string(), value]);
    };
    row("name", entry.name.clone());
    row("description", entry.description.clone());
    row(
        "instrument",
        format!(
            "{} ({}, {} bars)",
            entry.symbol, entry.asset_class, entry.interval
        ),
    );
    row("file", catalog.file_path(entry).display().to_string());
    row("source", entry.source.summary());
    row("transform", entry.source.transform.clone());
    row("licence", entry.licence.clone());
    row("bars per year", entry.bars_per_year.to_string());
    row(
        "prices",
        price_fields_text(series.price_fields(), series.has_volume()).to_string(),
    );
    row("bars", summary.rows.to_string());
    row(
        "range",
        format!(
            "{} .. {}",
            summary
                .first
                .map(|time| time.to_string())
                .unwrap_or_default(),
            summary
                .last
                .map(|time| time.to_string())
                .unwrap_or_default()
        ),
    );
    row(
        "close min / max",
        format!(
            "{} / {}",
            summary.min_close.unwrap_or(f64::NAN),
            summary.max_close.unwrap_or(f64::NAN)
        ),
    );
    row(
        "gaps",
        format!(
            "{} over {} intervals",
            summary.gap_count, summary.gap_threshold_intervals
        ),
    );
    if let Some(gap) = summary.longest_gap {
        row(
            "longest gap",
            format!(
                "{:.1} intervals, {} .. {}",
                gap.intervals,
                date_text(gap.after),
                date_text(gap.before)
            ),
        );
    }
    row(
        "stale rows (close unchanged)",
        summary.stale_rows.to_string(),
    );
    row(
        "flat bars (O=H=L=C)",
        optional_count(summary.flat_bars, "n/a (close-only)"),
    );
    row(
        "zero-volume rows",
        optional_count(summary.zero_volume_rows, "n/a (no volume)"),
    );
    for (rank, one_move) in summary.largest_moves.iter().enumerate() {
        row(
            &format!("largest move #{}", rank + 1),
            format!(
                "{:+.2}% on {} ({} -> {})",
                one_move.change * 100.0,
                date_text(one_move.timestamp),
                one_move.from_close,
                one_move.to_close
            ),
        );
    }
    if !entry.notes.is_empty() {
        row("notes", entry.notes.clone());
    }
    println!("{table}");
}

fn import(datasets_dir: &Path, arguments: ImportArgs) -> Result<()> {
    gauntlet_data::validate_dataset_name(&arguments.name)?;
    let mut catalog = open_catalog(datasets_dir)?;
    if catalog.get(&arguments.name).is_ok() && !arguments.force {
        bail!(
            "a dataset named '{}' already exists in {}; use --force to replace it",
            arguments.name,
            catalog.catalog_path().display()
        );
    }
    let options = ImportOptions {
        layout: arguments.format,
        skip_bad_rows: arguments.skip_bad_rows,
        adjust: arguments.adjust,
        close_column: arguments.close_column.clone(),
    };
    let imported = import_csv(&arguments.file, &options)?;
    let series = imported.series;
    let interval = match arguments.interval {
        Some(interval) => interval,
        None => infer_interval(&series).with_context(|| {
            format!(
                "cannot infer the bar interval of {}; pass --interval",
                arguments.file.display()
            )
        })?,
    };
    let bars_per_year = arguments
        .bars_per_year
        .unwrap_or_else(|| arguments.asset_class.default_bars_per_year(interval));
    let transform = arguments.transform.unwrap_or_else(|| {
        if arguments.adjust {
            "OHLC multiplied by Adj Close / Close, volume divided by it".into()
        } else {
            "none".into()
        }
    });
    let entry = DatasetEntry {
        file: format!("{}.parquet", arguments.name),
        name: arguments.name,
        symbol: arguments.symbol,
        asset_class: arguments.asset_class,
        interval,
        bars_per_year,
        description: arguments.description,
        licence: arguments.licence,
        notes: arguments.notes,
        source: DataSource {
            registry: arguments.source_registry,
            package: arguments.source_package,
            version: arguments.source_version,
            path: arguments
                .source_path
                .unwrap_or_else(|| arguments.file.display().to_string()),
            transform,
        },
    };
    catalog.add(entry.clone(), &series, arguments.force)?;
    print_import_report(&catalog, &entry, &imported.report);
    Ok(())
}

fn print_import_report(catalog: &Catalog, entry: &DatasetEntry, report: &ImportReport) {
    println!(
        "Imported {} bars of {} ({}, {}) from {} as '{}' -> {}",
        report.bars,
        entry.symbol,
        entry.asset_class,
        entry.interval,
        report.source.display(),
        entry.name,
        catalog.file_path(entry).display()
    );
    println!(
        "  layout {}{}, timestamps {}, close column '{}'{}",
        report.layout,
        if report.gzip { " (gzip)" } else { "" },
        report.timestamp_format,
        report.close_column,
        if report.adjusted { ", adjusted" } else { "" }
    );
    for notice in &report.notices {
        println!("  note: {notice}");
    }
    if report.skipped_count() > 0 {
        println!(
            "  skipped {} bad rows of {}:",
            report.skipped_count(),
            report.data_rows
        );
        for (kind, rows) in &report.skipped {
            println!(
                "    {kind}: {} (lines {})",
                rows.count,
                rows.first_lines
                    .iter()
                    .map(u64::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
    }
}

fn export(datasets_dir: &Path, name: &str, to: &Path) -> Result<()> {
    let catalog = open_catalog(datasets_dir)?;
    let (entry, series) = catalog.load(name)?;
    let is_parquet = to
        .extension()
        .is_some_and(|extension| extension.eq_ignore_ascii_case("parquet"));
    if is_parquet {
        write_parquet(to, &series, &entry.parquet_metadata())?;
    } else {
        export_csv(&series, to)?;
    }
    println!(
        "Exported {} bars of '{}' to {}",
        series.len(),
        name,
        to.display()
    );
    Ok(())
}

fn price_fields_text(price_fields: PriceFields, has_volume: bool) -> &'static str {
    match (price_fields, has_volume) {
        (PriceFields::Ohlc, true) => "OHLCV",
        (PriceFields::Ohlc, false) => "OHLC",
        (PriceFields::CloseOnly, true) => "close+volume",
        (PriceFields::CloseOnly, false) => "close only",
    }
}

/// A timestamp as a date when it is midnight UTC, else in full.
fn date_text(timestamp: Timestamp) -> String {
    let text = timestamp.to_string();
    match text.strip_suffix("T00:00:00Z") {
        Some(date) => date.to_string(),
        None => text,
    }
}
