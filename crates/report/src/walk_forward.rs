//! The walk-forward report: the stitched out-of-sample equity of a `[walk_forward]` experiment and
//! its windows, from `walk_forward.json` and `walk_forward.parquet`.

use std::path::{Path, PathBuf};

use serde::Serialize;

use gauntlet_run::tables::{WalkForwardRow, read_rows_if_present};
use gauntlet_run::{RunFolder, WALK_FORWARD_FILE};

use crate::charts::{Figure, Line, LineChart, PALETTE, XAxis, YFormat, line_chart};
use crate::downsample::min_max_downsample;
use crate::error::ReportError;
use crate::format::{Cell, Style, date_time, number, show};
use crate::{REPORT_FILE, ReportOptions, render};

#[derive(Debug, Serialize)]
struct WalkForwardReport {
    title: String,
    version: &'static str,
    summary: Vec<(String, String)>,
    charts: Vec<Figure>,
    headers: Vec<&'static str>,
    windows: Vec<WindowRow>,
}

#[derive(Debug, Serialize)]
struct WindowRow {
    cells: Vec<Cell>,
    champion: String,
    rules: String,
    report: Option<String>,
}

/// Renders the walk-forward folder `folder` (its `walk_forward.json`, `walk_forward.parquet` and
/// window run folders) into `folder/index.html`: the walk-forward efficiency, the stitched
/// out-of-sample equity per symbol with the windows marked, and a table of the windows (dates,
/// champion, in-sample and out-of-sample fitness and CAGR, a link to each window's own report).
///
/// # Errors
/// [`ReportError::NotAFolder`] without `walk_forward.json`; read errors naming the file;
/// [`ReportError::Chart`] or [`ReportError::Template`] if drawing fails; [`ReportError::Data`] when
/// the page cannot be written.
pub fn write_walk_forward_report(
    folder: &Path,
    options: &ReportOptions,
) -> Result<PathBuf, ReportError> {
    let run_folder = RunFolder::new(folder);
    if !run_folder.walk_forward_path().is_file() {
        return Err(ReportError::NotAFolder {
            path: folder.to_path_buf(),
            expected: "walk-forward",
            message: format!("no {WALK_FORWARD_FILE}"),
        });
    }
    let summary = run_folder.read_walk_forward()?;
    let mut rows = Vec::new();
    let mut markers = Vec::new();
    for window in &summary.windows {
        let plan = &window.plan;
        markers.push((plan.out_of_sample_start as f64, plan.index.to_string()));
        let folder_name = &window.folder;
        let report = folder
            .join(folder_name)
            .join(REPORT_FILE)
            .is_file()
            .then(|| format!("{folder_name}/{REPORT_FILE}"));
        let time = |millis: i64| Cell {
            text: date_time(millis),
            value: Some(millis.to_string()),
        };
        rows.push(WindowRow {
            cells: vec![
                number(Some(plan.index as f64), Style::Whole),
                time(plan.in_sample_start),
                time(plan.validation_start),
                time(plan.out_of_sample_start),
                time(plan.out_of_sample_end),
                number(window.in_sample_fitness, Style::Decimal),
                number(window.out_of_sample_fitness, Style::Decimal),
                number(window.in_sample_cagr, Style::Percent),
                number(window.out_of_sample_cagr, Style::Percent),
            ],
            champion: window
                .champion
                .as_ref()
                .map_or_else(|| "none eligible".to_string(), |(id, _)| id.clone()),
            rules: window
                .champion
                .as_ref()
                .map_or_else(String::new, |(_, rules)| rules.clone()),
            report,
        });
    }
    let mut charts = Vec::new();
    if let Some(rows) =
        read_rows_if_present::<WalkForwardRow>(&run_folder.walk_forward_table_path())?
    {
        // Folders written before the column existed have no buy-and-hold line.
        let has_hold = rows.iter().any(|row| row.buy_and_hold.is_some());
        let mut names: Vec<&String> = Vec::new();
        for row in &rows {
            if !names.contains(&&row.dataset) {
                names.push(&row.dataset);
            }
        }
        for (index, name) in names.iter().enumerate() {
            let series = |value: fn(&WalkForwardRow) -> Option<f64>| -> Vec<(f64, f64)> {
                let points: Vec<(f64, f64)> = rows
                    .iter()
                    .filter(|row| &row.dataset == *name)
                    .filter_map(|row| value(row).map(|value| (row.time_ms as f64, value)))
                    .collect();
                min_max_downsample(&points, options.curve_points)
            };
            let mut lines = vec![Line {
                name: format!("{name} out-of-sample"),
                points: series(|row| row.equity),
                color: PALETTE[index % PALETTE.len()],
                width: 2,
            }];
            if has_hold {
                lines.push(Line {
                    name: "buy and hold".into(),
                    points: series(|row| row.buy_and_hold),
                    color: PALETTE[7],
                    width: 1,
                });
            }
            let chart_name = format!("walk-forward {name}");
            if let Some(svg) = line_chart(&LineChart {
                name: &chart_name,
                x_axis: XAxis::Time,
                y_format: YFormat::LogGrowth,
                y_label: "growth of 1 (log scale)",
                lines,
                markers: markers.clone(),
                fill_to_zero: false,
                size: (900, 320),
            })? {
                charts.push(Figure {
                    title: format!(
                        "{name}: stitched out-of-sample equity (each window's champion on the window after its in-sample years; window numbers marked)"
                    ),
                    svg,
                });
            }
        }
    }
    let mut rows_summary = vec![
        (
            "walk-forward efficiency (out-of-sample CAGR / in-sample CAGR)".to_string(),
            show(summary.efficiency, Style::Decimal),
        ),
        ("windows".to_string(), summary.windows.len().to_string()),
    ];
    for (dataset, total_return, bars) in &summary.stitched {
        rows_summary.push((
            format!("{dataset}: stitched out-of-sample"),
            format!(
                "total return {} over {bars} bars",
                show(
                    total_return.is_finite().then_some(*total_return),
                    Style::Percent
                ),
            ),
        ));
    }
    if summary.interrupted {
        rows_summary.push((
            "status".into(),
            "interrupted: the windows listed are complete".into(),
        ));
    }
    let report = WalkForwardReport {
        title: folder
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_else(|| "walk-forward".into()),
        version: env!("CARGO_PKG_VERSION"),
        summary: rows_summary,
        charts,
        headers: vec![
            "window",
            "in-sample from",
            "validation from",
            "out-of-sample from",
            "out-of-sample to",
            "in-sample fitness",
            "out-of-sample fitness",
            "in-sample CAGR",
            "out-of-sample CAGR",
        ],
        windows: rows,
    };
    let html = render("walk_forward.html", report)?;
    let path = folder.join(REPORT_FILE);
    gauntlet_data::write_bytes_atomically(&path, html.as_bytes())?;
    Ok(path)
}
