//! The comparison of tournament categories: one run per category on the same data, splits and seed,
//! each run's champion scored on every category's measure; written as `comparison.parquet` and
//! rendered into the comparison folder's `index.html`.

use std::path::{Path, PathBuf};

use gauntlet_data::{TableColumn, write_table};
use serde::Serialize;

use crate::champion::symbol_curves;
use crate::charts::{Line, LineChart, PALETTE, XAxis, YFormat, line_chart};
use crate::downsample::min_max_downsample;
use crate::error::ReportError;
use crate::format::{Cell, Style, number, show};
use crate::run::{Figure, read_json_file, value_text};
use crate::tables::Table;
use crate::{REPORT_FILE, ReportOptions, render};

/// The comparison table's file name inside a comparison folder.
pub const COMPARISON_TABLE: &str = "comparison.parquet";

/// One cell of the comparison matrix: a run's champion scored on one category's measure.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ComparisonRow {
    /// The category the run bred for (its champion is that category's champion); its run folder is
    /// `<comparison folder>/<category>/`.
    pub champion_category: String,
    /// The champion's genome id.
    pub champion_id: String,
    /// The category whose fitness is measured.
    pub measure: String,
    /// `validation` or `holdout`.
    pub part: String,
    /// The fitness; `None` when the champion is not eligible in that category on that part.
    pub fitness: Option<f64>,
}

/// Writes `comparison.parquet` in `folder` (columns `champion_category`, `champion_id`, `measure`,
/// `part`, `fitness`).
///
/// # Errors
/// [`ReportError::Data`] when the file cannot be written.
pub fn write_comparison_table(
    folder: &Path,
    rows: &[ComparisonRow],
) -> Result<PathBuf, ReportError> {
    let path = folder.join(COMPARISON_TABLE);
    let texts = |field: fn(&ComparisonRow) -> &String| {
        TableColumn::Text(rows.iter().map(|row| field(row).clone()).collect())
    };
    write_table(
        &path,
        &[
            ("champion_category", texts(|row| &row.champion_category)),
            ("champion_id", texts(|row| &row.champion_id)),
            ("measure", texts(|row| &row.measure)),
            ("part", texts(|row| &row.part)),
            (
                "fitness",
                TableColumn::Float(rows.iter().map(|row| row.fitness).collect()),
            ),
        ],
    )?;
    Ok(path)
}

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
    let Some(table) = Table::read_if_present(&folder.join(COMPARISON_TABLE))? else {
        return Err(ReportError::NotAFolder {
            path: folder.to_path_buf(),
            expected: "comparison",
            message: format!("no {COMPARISON_TABLE}"),
        });
    };
    let champion_category = table.text("champion_category")?;
    let measure = table.text("measure")?;
    let part = table.text("part")?;
    let fitness = table.float("fitness")?;
    let mut champions_order: Vec<String> = Vec::new();
    let mut measures: Vec<String> = Vec::new();
    for row in 0..table.rows() {
        if !champions_order.contains(&champion_category[row]) {
            champions_order.push(champion_category[row].clone());
        }
        if !measures.contains(&measure[row]) {
            measures.push(measure[row].clone());
        }
    }
    let lookup = |champion: &str, measured: &str, part_name: &str| -> Option<f64> {
        (0..table.rows())
            .find(|&row| {
                champion_category[row] == champion
                    && measure[row] == measured
                    && part[row] == part_name
            })
            .and_then(|row| fitness[row])
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
        let run = folder.join(champion_category);
        let path = run
            .join("champions")
            .join(format!("{champion_category}.json"));
        let Some(champion) = read_json_file(&path)? else {
            continue;
        };
        let config = std::fs::read_to_string(run.join("config.toml")).unwrap_or_default();
        let initial_capital = config
            .parse::<toml::Table>()
            .ok()
            .and_then(|table| table.get("costs")?.get("initial_capital")?.as_float())
            .unwrap_or(100_000.0);
        champions.push(ChampionSummary {
            category: champion_category.clone(),
            id: value_text(&champion["id"]),
            rules: value_text(&champion["rules"]),
            fitness: ["in_sample", "validation", "holdout"]
                .iter()
                .map(|key| show(champion[*key]["fitness"].as_f64(), Style::Decimal))
                .collect(),
            gate_passed: champion["robustness"]["passed"].as_bool().unwrap_or(false),
            report: format!("{champion_category}/{REPORT_FILE}"),
        });
        let curves = symbol_curves(
            &run.join("champions")
                .join(format!("{champion_category}-equity.parquet")),
            initial_capital,
        )?;
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
