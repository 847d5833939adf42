//! The walk-forward report: the stitched out-of-sample equity of a `[walk_forward]` experiment and
//! its windows, from `walk_forward.json` and `walk_forward.parquet`.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::charts::{Line, LineChart, PALETTE, XAxis, YFormat, line_chart};
use crate::downsample::min_max_downsample;
use crate::error::ReportError;
use crate::format::{Cell, Style, date_time, number, show};
use crate::run::{Figure, read_json_file, value_text};
use crate::tables::Table;
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
    let Some(summary) = read_json_file(&folder.join("walk_forward.json"))? else {
        return Err(ReportError::NotAFolder {
            path: folder.to_path_buf(),
            expected: "walk-forward",
            message: "no walk_forward.json".into(),
        });
    };
    let windows = summary["windows"].as_array().cloned().unwrap_or_default();
    let mut rows = Vec::new();
    let mut markers = Vec::new();
    for window in &windows {
        let plan = &window["plan"];
        let start = plan["out_of_sample_start"].as_i64().unwrap_or(0);
        markers.push((start as f64, value_text(&plan["index"])));
        let folder_name = value_text(&window["folder"]);
        let report = folder
            .join(&folder_name)
            .join(REPORT_FILE)
            .is_file()
            .then(|| format!("{folder_name}/{REPORT_FILE}"));
        let time = |key: &str| {
            let millis = plan[key].as_i64().unwrap_or(0);
            Cell {
                text: date_time(millis),
                value: Some(millis.to_string()),
            }
        };
        rows.push(WindowRow {
            cells: vec![
                number(plan["index"].as_f64(), Style::Whole),
                time("in_sample_start"),
                time("validation_start"),
                time("out_of_sample_start"),
                time("out_of_sample_end"),
                number(window["in_sample_fitness"].as_f64(), Style::Decimal),
                number(window["out_of_sample_fitness"].as_f64(), Style::Decimal),
                number(window["in_sample_cagr"].as_f64(), Style::Percent),
                number(window["out_of_sample_cagr"].as_f64(), Style::Percent),
            ],
            champion: window["champion"][0]
                .as_str()
                .unwrap_or("none eligible")
                .to_string(),
            rules: window["champion"][1].as_str().unwrap_or("").to_string(),
            report,
        });
    }
    let mut charts = Vec::new();
    if let Some(table) = Table::read_if_present(&folder.join("walk_forward.parquet"))? {
        let datasets = table.text("dataset")?;
        let times = table.integer("ts")?;
        let equity = table.float("equity")?;
        let mut names: Vec<&String> = Vec::new();
        for name in datasets {
            if !names.contains(&name) {
                names.push(name);
            }
        }
        for (index, name) in names.iter().enumerate() {
            let points: Vec<(f64, f64)> = (0..table.rows())
                .filter(|&row| &datasets[row] == *name)
                .filter_map(|row| equity[row].map(|value| (times[row] as f64, value)))
                .collect();
            let chart_name = format!("walk-forward {name}");
            if let Some(svg) = line_chart(&LineChart {
                name: &chart_name,
                x_axis: XAxis::Time,
                y_format: YFormat::LogGrowth,
                y_label: "growth of 1 (log scale)",
                lines: vec![Line {
                    name: format!("{name} out-of-sample"),
                    points: min_max_downsample(&points, options.curve_points),
                    color: PALETTE[index % PALETTE.len()],
                    width: 2,
                }],
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
            show(summary["efficiency"].as_f64(), Style::Decimal),
        ),
        ("windows".to_string(), windows.len().to_string()),
    ];
    for stitched in summary["stitched"].as_array().into_iter().flatten() {
        rows_summary.push((
            format!("{}: stitched out-of-sample", value_text(&stitched[0])),
            format!(
                "total return {} over {} bars",
                show(stitched[1].as_f64(), Style::Percent),
                value_text(&stitched[2])
            ),
        ));
    }
    if summary["interrupted"].as_bool().unwrap_or(false) {
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
