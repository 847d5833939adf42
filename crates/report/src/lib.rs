//! # gauntlet-report
//!
//! HTML reports (layer L8 of `DESIGN.md`): a run folder's tables (`run.json`, `config.toml`,
//! `leaderboard.parquet`, `generations.parquet`, `capital.parquet`, `champions/*.json` and the
//! champions' equity and trade tables) rendered into one self-contained `index.html`: CSS and a small
//! sorting script inline, charts as inline SVG drawn with `plotters`, and each champion's
//! interactive price chart with its trades drawn by TradingView's Lightweight Charts (Apache-2.0,
//! vendored in `vendor/lightweight-charts/` and inlined with its licence header); no external
//! resource. The
//! pages are made with the `minijinja` template engine, which escapes every string from data or
//! configuration (HTML auto-escaping of `.html` templates); chart text is escaped by `plotters`' SVG
//! backend.
//!
//! The crate also writes strategies as source code for other engines, with the same template
//! engine: [`python_strategy`] (a backtesting.py module), [`pine_strategy`] (a TradingView Pine
//! Script strategy), and [`nautilus_strategy`] and [`freqtrade_strategy`] (NautilusTrader and
//! freqtrade strategy modules, for their paper traders).
//!
//! The tables stay the source of truth: the page only shows them, so it can be rebuilt at any time
//! (also for a run still in progress or interrupted) and the same numbers loaded in pandas or
//! polars. Every numeric cell carries its exact value in a `data-value` attribute.
#![warn(missing_docs)]

mod champion;
mod charts;
mod compare;
mod downsample;
mod error;
mod evolution;
mod format;
mod histogram;
mod pine_code;
mod platform_code;
mod price_chart;
mod run;
mod strategy_code;
mod strategy_rules;
mod study;
mod walk_forward;
mod walk_forward_matrix;

use std::path::{Path, PathBuf};

use gauntlet_run::{FolderKind, RunFolder};
use minijinja::Environment;

pub use compare::write_comparison_report;
pub use downsample::min_max_downsample;
pub use error::ReportError;
pub use pine_code::pine_strategy;
pub use platform_code::{
    FREQTRADE_VERSION, NAUTILUS_VERSION, freqtrade_strategy, nautilus_strategy,
};
pub use strategy_code::{
    BACKTESTING_PY_VERSION, StrategyLanguage, StrategySource, python_strategy, strategy_code,
    write_strategy,
};
pub use study::write_study_report;
pub use walk_forward::write_walk_forward_report;
pub use walk_forward_matrix::write_walk_forward_matrix_report;

/// The report's file name inside a run folder.
pub const REPORT_FILE: &str = "index.html";

/// How much a report shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportOptions {
    /// Leaderboard rows per category.
    pub leaderboard_rows: usize,
    /// Points kept per curve (min/max downsampling, see [`min_max_downsample`]).
    pub curve_points: usize,
    /// Trades listed per part (the last ones by exit time); the trade table has all.
    pub trades_per_part: usize,
    /// Candles per symbol on a champion's interactive price chart at most: a longer series merges
    /// consecutive bars of one part into one candle (every trade keeps its markers).
    pub price_chart_candles: usize,
    /// Symbols a champion's page shows in full at most (price chart, equity chart, monthly heat
    /// map, regimes, per-symbol rows, PSR and DSR): past it the page says how many more there are
    /// and links to the champion's tables, which hold every symbol, so a report stays a few MB
    /// whatever the universe (1,000 datasets wrote a 144 MB page).
    pub max_symbols: usize,
}

impl Default for ReportOptions {
    fn default() -> Self {
        Self {
            leaderboard_rows: 25,
            curve_points: 500,
            trades_per_part: 50,
            price_chart_candles: 2_000,
            max_symbols: 20,
        }
    }
}

fn environment() -> Result<Environment<'static>, ReportError> {
    let mut environment = Environment::new();
    for (name, source) in [
        ("base.html", include_str!("../templates/base.html")),
        ("macros.html", include_str!("../templates/macros.html")),
        ("run.html", include_str!("../templates/run.html")),
        ("compare.html", include_str!("../templates/compare.html")),
        ("study.html", include_str!("../templates/study.html")),
        (
            "walk_forward.html",
            include_str!("../templates/walk_forward.html"),
        ),
        (
            "walk_forward_matrix.html",
            include_str!("../templates/walk_forward_matrix.html"),
        ),
    ] {
        environment
            .add_template(name, source)
            .map_err(|error| template_error(name, &error))?;
    }
    Ok(environment)
}

fn template_error(name: &str, error: &minijinja::Error) -> ReportError {
    let mut message = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        message.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    ReportError::Template {
        name: name.to_string(),
        message,
    }
}

pub(crate) fn render(name: &str, context: impl serde::Serialize) -> Result<String, ReportError> {
    let environment = environment()?;
    let template = environment
        .get_template(name)
        .map_err(|error| template_error(name, &error))?;
    template
        .render(context)
        .map_err(|error| template_error(name, &error))
}

/// Renders the report of the run in `folder` as HTML.
///
/// # Errors
/// [`ReportError::NotAFolder`] when `folder` has no `run.json`; [`ReportError::Io`],
/// [`ReportError::Data`] or [`ReportError::Unreadable`] naming a file that cannot be read or lacks a
/// column; [`ReportError::Chart`] or [`ReportError::Template`] if drawing fails.
pub fn render_run_report(folder: &Path, options: &ReportOptions) -> Result<String, ReportError> {
    let report = run::build(folder, options)?;
    render("run.html", report)
}

/// Renders the report of the run in `folder` and writes it to `folder/index.html` (to a temporary
/// name first, then renamed). Returns the file's path.
///
/// # Errors
/// As [`render_run_report`]; [`ReportError::Data`] when the file cannot be written.
pub fn write_run_report(folder: &Path, options: &ReportOptions) -> Result<PathBuf, ReportError> {
    let html = render_run_report(folder, options)?;
    let path = folder.join(REPORT_FILE);
    gauntlet_data::write_bytes_atomically(&path, html.as_bytes())?;
    Ok(path)
}

/// Writes the report of any Gauntlet folder: a run's page, or for a walk-forward or a comparison
/// the page of every run inside it and then its own page (for a walk-forward matrix, every
/// cell's walk-forward pages first). Returns the top page's path.
///
/// # Errors
/// [`ReportError::RunFolder`] when `folder` is none of these kinds; as [`write_run_report`],
/// [`write_walk_forward_report`] and [`write_comparison_report`].
pub fn write_report(folder: &Path, options: &ReportOptions) -> Result<PathBuf, ReportError> {
    let run_folder = RunFolder::new(folder);
    let kind = run_folder.kind()?;
    if kind != FolderKind::Run {
        for run in run_folder.runs_inside() {
            write_run_report(run.path(), options)?;
        }
    }
    match kind {
        FolderKind::Run => write_run_report(folder, options),
        FolderKind::WalkForward => write_walk_forward_report(folder, options),
        FolderKind::WalkForwardMatrix => write_walk_forward_matrix_report(folder, options),
        FolderKind::Comparison => write_comparison_report(folder, options),
        FolderKind::Study => write_study_report(folder),
    }
}
