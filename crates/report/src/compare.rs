//! The comparison of tournament categories: one run per category on the same data, splits and seed,
//! each run's champion scored on every category's measure; written as `comparison.parquet` and
//! rendered into the comparison folder's `index.html`.

use std::path::{Path, PathBuf};

use gauntlet_run::tables::{ComparisonRow, read_rows};
use gauntlet_run::{COMPARISON_TABLE, RunFolder};
use gauntlet_tournament::Category;
use serde::Serialize;

use crate::champion::symbol_curves;
use crate::charts::{Figure, Line, LineChart, PALETTE, XAxis, YFormat, line_chart};
use crate::downsample::min_max_downsample;
use crate::error::ReportError;
use crate::format::{Cell, Style, number, show};
use crate::{REPORT_FILE, ReportOptions, render};

#[derive(Debug, Serialize)]
struct ComparisonReport {
    title: String,
    version: &'static str,
    measures: Vec<String>,
    matrices: Vec<Matrix>,
    champions: Vec<ChampionSummary>,
    charts: Vec<Figure>,
}

#[derive(Debug, Serialize)]
struct Matrix {
    part: String,
    /// Per champion: its category and, per measure, (fitness, best of the column, own measure).
    rows: Vec<(String, Vec<MatrixCell>)>,
}

/// A matrix cell: the fitness, whether it is the best of its column, whether it is the champion's
/// own measure.
type MatrixCell = (Cell, bool, bool);

#[derive(Debug, Serialize)]
struct ChampionSummary {
    category: String,
    id: String,
    rules: String,
    fitness: Vec<String>,
    gate_passed: bool,
    report: String,
}

/// Renders the comparison in `folder` (its `comparison.parquet` and the run folders
/// `<folder>/<category>/`) into `folder/index.html`: the matrix of each champion's fitness on every
/// category's measure on validation and holdout (the best of each column marked), their equity
/// curves on one chart per symbol, and their rules side by side.
///
/// # Errors
/// [`ReportError::NotAFolder`] without `comparison.parquet`; read errors naming the file;
/// [`ReportError::Chart`] or [`ReportError::Template`] if drawing fails; [`ReportError::Data`] when
/// the page cannot be written.
pub fn write_comparison_report(
    folder: &Path,
    options: &ReportOptions,
) -> Result<PathBuf, ReportError> {
    let run_folder = RunFolder::new(folder);
    if !run_folder.comparison_table_path().is_file() {
        return Err(ReportError::NotAFolder {
            path: folder.to_path_buf(),
            expected: "comparison",
            message: format!("no {COMPARISON_TABLE}"),
        });
    }
    let rows: Vec<ComparisonRow> = read_rows(&run_folder.comparison_table_path())?;
    let mut champions_order: Vec<String> = Vec::new();
    let mut measures: Vec<String> = Vec::new();
    for row in &rows {
        if !champions_order.contains(&row.champion_category) {
            champions_order.push(row.champion_category.clone());
        }
        if !measures.contains(&row.measure) {
            measures.push(row.measure.clone());
        }
    }
    let lookup = |champion: &str, measured: &str, part_name: &str| -> Option<f64> {
        rows.iter()
            .find(|row| {
                row.champion_category == champion
                    && row.measure == measured
                    && row.part == part_name
            })
            .and_then(|row| row.fitness)
    };
    let matrices = ["validation", "holdout"]
        .iter()
        .map(|part_name| {
            let best: Vec<Option<f64>> = measures
                .iter()
                .map(|measured| {
                    champions_order
                        .iter()
                        .filter_map(|champion| lookup(champion, measured, part_name))
                        .fold(None, |best: Option<f64>, value| {
                            Some(best.map_or(value, |best| best.max(value)))
                        })
                })
                .collect();
            Matrix {
                part: part_name.to_string(),
                rows: champions_order
                    .iter()
                    .map(|champion| {
                        let cells = measures
                            .iter()
                            .zip(&best)
                            .map(|(measured, best)| {
                                let value = lookup(champion, measured, part_name);
                                (
                                    number(value, Style::Decimal),
                                    value.is_some() && value == *best,
                                    champion == measured,
                                )
                            })
                            .collect();
                        (champion.clone(), cells)
                    })
                    .collect(),
            }
        })
        .collect();

    let mut champions = Vec::new();
    let mut curves_by_champion = Vec::new();
    for champion_category in &champions_order {
        let run = RunFolder::new(folder.join(champion_category));
        let category =
            Category::from_name(champion_category).map_err(|message| ReportError::Unreadable {
                path: run_folder.comparison_table_path(),
                message,
            })?;
        let Some(champion) = run.read_champion(category)? else {
            continue;
        };
        let initial_capital = run.read_experiment()?.costs.initial_capital;
        champions.push(ChampionSummary {
            category: champion_category.clone(),
            id: champion.id.clone(),
            rules: champion.rules.clone(),
            fitness: [&champion.in_sample, &champion.validation, &champion.holdout]
                .iter()
                .map(|part| show(part.fitness, Style::Decimal))
                .collect(),
            gate_passed: champion.robustness.passed,
            report: format!("{champion_category}/{REPORT_FILE}"),
        });
        let curves = symbol_curves(&run.champion_equity_path(category), initial_capital)?;
        curves_by_champion.push((champion_category.clone(), curves));
    }
    let mut charts = Vec::new();
    let datasets: Vec<String> = curves_by_champion
        .first()
        .map(|(_, curves)| curves.iter().map(|curve| curve.dataset.clone()).collect())
        .unwrap_or_default();
    for dataset in &datasets {
        let mut lines = Vec::new();
        let mut markers = Vec::new();
        for (index, (category, curves)) in curves_by_champion.iter().enumerate() {
            let Some(curve) = curves.iter().find(|curve| &curve.dataset == dataset) else {
                continue;
            };
            let points: Vec<(f64, f64)> = curve
                .times
                .iter()
                .zip(&curve.strategy)
                .filter(|(_, value)| value.is_finite())
                .map(|(time, value)| (*time as f64, *value))
                .collect();
            lines.push(Line {
                name: category.clone(),
                points: min_max_downsample(&points, options.curve_points),
                color: PALETTE[index % PALETTE.len()],
                width: 2,
            });
            if markers.is_empty() {
                markers = curve
                    .part_starts
                    .iter()
                    .skip(1)
                    .map(|(time, part)| (*time as f64, part.clone()))
                    .collect();
                let hold: Vec<(f64, f64)> = curve
                    .times
                    .iter()
                    .zip(&curve.buy_and_hold)
                    .filter(|(_, value)| value.is_finite())
                    .map(|(time, value)| (*time as f64, *value))
                    .collect();
                lines.push(Line {
                    name: "buy and hold".into(),
                    points: min_max_downsample(&hold, options.curve_points),
                    color: RGB_GREY,
                    width: 1,
                });
            }
        }
        let name = format!("comparison {dataset}");
        if let Some(svg) = line_chart(&LineChart {
            name: &name,
            x_axis: XAxis::Time,
            y_format: YFormat::LogGrowth,
            y_label: "growth of 1 (log scale)",
            lines,
            markers,
            fill_to_zero: false,
            size: (900, 340),
        })? {
            charts.push(Figure {
                title: format!(
                    "{dataset}: each category's champion, the three parts as one account"
                ),
                svg,
            });
        }
    }
    let report = ComparisonReport {
        title: folder
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_else(|| "comparison".into()),
        version: env!("CARGO_PKG_VERSION"),
        measures,
        matrices,
        champions,
        charts,
    };
    let html = render("compare.html", report)?;
    let path = folder.join(REPORT_FILE);
    gauntlet_data::write_bytes_atomically(&path, html.as_bytes())?;
    Ok(path)
}

const RGB_GREY: plotters::style::RGBColor = plotters::style::RGBColor(60, 60, 60);
