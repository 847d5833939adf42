//! `gauntlet data ...`: list, inspect, import and export datasets.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use clap::Subcommand;
use gauntlet_core::{AssetClass, BarInterval};
use gauntlet_data::{
    Catalog, CsvLayout, DataSource, ImportOptions, ImportRequest, Inspection, LIST_HEADER,
    export_dataset, import_dataset, inspection_rows, list_datasets, listing_footer, summarize,
};

/// The `data` subcommands.
#[derive(Debug, Subcommand)]
pub enum DataCommand {
    /// List every dataset of the catalog (fits 120 columns; `--wide` adds prices and licence).
    List {
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
        /// Every column at full width (the price fields and the licence too).
        #[arg(long)]
        wide: bool,
    },
    /// Show one dataset: provenance, range, gaps, stale and flat bars, zero volume, largest moves.
    Inspect {
        /// The dataset's name (see `gauntlet data list`).
        name: String,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
        /// Count a gap where consecutive bars are more than this many intervals apart.
        #[arg(long, default_value_t = 4.0, value_name = "N", value_parser = gauntlet_core::positive_number)]
        gap_intervals: f64,
    },
    /// Import a CSV file (plain or .gz) as a Parquet dataset with a catalog entry.
    Import(Box<ImportArgs>),
    /// Export a dataset to CSV (or Parquet, by the file's extension).
    Export {
        /// The dataset's name.
        name: String,
        /// The file: `.csv`, `.parquet`, or `-` (CSV on stdout; the confirmation goes to stderr).
        #[arg(long, value_name = "FILE")]
        to: PathBuf,
        /// Replace the file if it exists.
        #[arg(long)]
        force: bool,
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
    /// The column (JSON key) to read as the close.
    #[arg(long, value_name = "COLUMN")]
    close_column: Option<String>,
    /// The column (JSON key) to read as the timestamp.
    #[arg(long, value_name = "COLUMN")]
    time_column: Option<String>,
    /// The column (JSON key) to read as the open.
    #[arg(long, value_name = "COLUMN")]
    open_column: Option<String>,
    /// The column (JSON key) to read as the high.
    #[arg(long, value_name = "COLUMN")]
    high_column: Option<String>,
    /// The column (JSON key) to read as the low.
    #[arg(long, value_name = "COLUMN")]
    low_column: Option<String>,
    /// The column (JSON key) to read as the volume.
    #[arg(long, value_name = "COLUMN")]
    volume_column: Option<String>,
    /// The CSV field separator: one character such as ';' or '|', or '\t' for tabs.
    #[arg(long, value_name = "C", value_parser = gauntlet_data::parse_separator)]
    sep: Option<u8>,
    /// Numbers use a decimal comma (1,5), as in European CSVs (then usually --sep ';').
    #[arg(long)]
    decimal_comma: bool,
    /// The unit of epoch timestamps: s, ms, us or ns (default: told from their magnitude).
    #[arg(long, value_name = "s|ms|us|ns")]
    time_unit: Option<gauntlet_data::EpochUnit>,
    /// Replace an existing dataset of the same name.
    #[arg(long)]
    force: bool,
    /// Bars per year for annualising, 1 to 527040; default from the asset class and interval (252
    /// exchange daily).
    #[arg(long, value_name = "N", value_parser = gauntlet_core::bars_per_year_number)]
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

/// Runs a `data` subcommand against the datasets folder (`checkout`: it is the fallback, the
/// datasets of the checkout the binary was built from).
pub fn run(command: DataCommand, datasets_dir: &Path, checkout: bool) -> Result<()> {
    match command {
        DataCommand::List { json, wide } => list(datasets_dir, json, wide),
        DataCommand::Inspect {
            name,
            json,
            gap_intervals,
        } => inspect(datasets_dir, &name, json, gap_intervals),
        DataCommand::Import(_) if checkout => anyhow::bail!(
            "no datasets folder here (no --datasets-dir, $GAUNTLET_DATASETS or ./datasets/{}), and \
             an import never writes into Gauntlet's own checkout ({}); pass --datasets-dir DIR \
             (made when missing)",
            gauntlet_data::CATALOG_FILE,
            datasets_dir.display()
        ),
        DataCommand::Import(arguments) => import(datasets_dir, *arguments),
        DataCommand::Export { name, to, force } => {
            gauntlet_data::check_output_file(&to, force)?;
            export(datasets_dir, &name, &to)
        }
    }
}

/// The datasets catalog, or an error that says how to point at it.
pub fn open_catalog(datasets_dir: &Path) -> Result<Catalog> {
    Catalog::open(datasets_dir).with_context(|| {
        format!(
            "cannot open the datasets folder (set it with --datasets-dir or $GAUNTLET_DATASETS): {}",
            datasets_dir.display()
        )
    })
}

fn list(datasets_dir: &Path, json: bool, wide: bool) -> Result<()> {
    let catalog = open_catalog(datasets_dir)?;
    let listed = list_datasets(&catalog)?;
    if json {
        println!("{}", serde_json::to_string_pretty(&listed)?);
        return Ok(());
    }
    if listed.is_empty() {
        println!("{}", listing_footer(&catalog, 0));
        return Ok(());
    }
    let columns = LIST_HEADER.len() - if wide { 0 } else { 2 }; // narrow: no prices, licence
    let mut table = crate::table(&LIST_HEADER[..columns], (!wide).then_some(120));
    for dataset in &listed {
        table.add_row(&dataset.row()[..columns]);
    }
    println!("{table}");
    println!("{}", listing_footer(&catalog, listed.len()));
    Ok(())
}

fn inspect(datasets_dir: &Path, name: &str, json: bool, gap_intervals: f64) -> Result<()> {
    let catalog = open_catalog(datasets_dir)?;
    let (entry, series) = catalog.load(name)?;
    let summary = summarize(&series, entry.interval, gap_intervals);
    if json {
        let inspection = Inspection {
            dataset: &entry,
            file: catalog.file_path(&entry).display().to_string(),
            summary: &summary,
        };
        println!("{}", serde_json::to_string_pretty(&inspection)?);
        return Ok(());
    }
    let mut table = crate::table(&["field", "value"], None);
    for (key, value) in inspection_rows(&catalog, &entry, &series, &summary) {
        table.add_row([key, value]);
    }
    println!("{table}");
    Ok(())
}

fn import(datasets_dir: &Path, arguments: ImportArgs) -> Result<()> {
    if !datasets_dir.exists() {
        std::fs::create_dir_all(datasets_dir)
            .with_context(|| format!("cannot make {}", datasets_dir.display()))?;
    }
    let mut catalog = open_catalog(datasets_dir)?;
    let request = ImportRequest {
        options: ImportOptions {
            layout: arguments.format,
            skip_bad_rows: arguments.skip_bad_rows,
            adjust: arguments.adjust,
            close_column: arguments.close_column,
            time_column: arguments.time_column,
            open_column: arguments.open_column,
            high_column: arguments.high_column,
            low_column: arguments.low_column,
            volume_column: arguments.volume_column,
            separator: arguments.sep,
            decimal_comma: arguments.decimal_comma,
            time_unit: arguments.time_unit,
        },
        source: DataSource {
            registry: arguments.source_registry,
            package: arguments.source_package,
            version: arguments.source_version,
            path: arguments.source_path.unwrap_or_default(),
            transform: arguments.transform.unwrap_or_default(),
        },
        file: arguments.file,
        name: arguments.name,
        symbol: arguments.symbol,
        asset_class: arguments.asset_class,
        interval: arguments.interval,
        bars_per_year: arguments.bars_per_year,
        force: arguments.force,
        description: arguments.description,
        licence: arguments.licence,
        notes: arguments.notes,
    };
    let (entry, report) = import_dataset(&mut catalog, request)?;
    for line in report.describe(&catalog, &entry) {
        println!("{line}");
    }
    Ok(())
}

fn export(datasets_dir: &Path, name: &str, to: &Path) -> Result<()> {
    let bars = export_dataset(&open_catalog(datasets_dir)?, name, to)?;
    eprintln!("Exported {bars} bars of '{name}' to {}", to.display());
    Ok(())
}
